
# pg_dump / pg_restore of cocoon tables:
#  - custom format (pg_restore, also parallel) and plain format (psql) into
#    a fresh database of another cluster recreate cocoon tables as cocoon
#    tables with identical contents, and keep cocoon.set_options per-table
#    options (cocoon.options is an extension configuration table);
#  - pg_dump --no-table-access-method restores them as heap tables (the
#    target's default) with identical contents.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $TABLE_COLS = q{(ts timestamptz, level text, service text, host text,
  message text, status int, latency_ms float8, trace_id uuid, attrs jsonb)};

sub gen_insert
{
	my ($table, $from, $to) = @_;
	return qq{INSERT INTO $table SELECT '2024-01-01 00:00:00+00'::timestamptz + g * interval '7 s',
  (ARRAY['INFO','WARN','ERROR','DEBUG'])[1 + g % 4], 'svc' || (g % 7),
  'host-' || (g % 13), 'request ' || g || E' took\\t' || (g % 1000) || E' ms\\n"quoted" \\\\ back',
  CASE WHEN g % 17 = 0 THEN NULL ELSE g END, (g % 1000) / 10.0,
  CASE WHEN g % 5 = 0 THEN NULL ELSE md5(g::text)::uuid END,
  jsonb_build_object('k', g % 5, 'tags', jsonb_build_array('a', g % 3))
  FROM generate_series($from, $to) g};
}

my $MD5 = q{SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-') FROM %s t};
my $AMS = q{SELECT c.relname || ':' || a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
  WHERE c.relkind = 'r' AND c.relnamespace IN ('public'::regnamespace, 'app'::regnamespace) ORDER BY 1};
my $OPTIONS = q{SELECT relid::text, compression, compression_level, stripe_rows, chunk_rows,
  partition_interval, time_column, bloom_columns FROM cocoon.options ORDER BY 1};
my $EFFECTIVE = q{SELECT relid::text, compression, compression_level, stripe_rows, chunk_rows,
  partition_interval, time_column, has_table_options, bloom_columns FROM cocoon.table_options ORDER BY 1};
my @TABLES = qw(logs app.events plain_heap empty_cocoon);

sub contents
{
	my ($node, $db) = @_;
	return join("\n", map { "$_ " . $node->safe_psql($db, sprintf($MD5, $_)) } @TABLES);
}

my $src = PostgreSQL::Test::Cluster->new('src');
$src->init;
$src->append_conf('postgresql.conf', "log_statement = none\n");
$src->start;
$src->safe_psql('postgres', 'CREATE EXTENSION cocoon');
$src->safe_psql('postgres', "CREATE TABLE logs $TABLE_COLS USING cocoon");
$src->safe_psql('postgres', "SELECT cocoon.set_options('logs', compression => 'lz4', stripe_rows => 5000, chunk_rows => 1000)");
$src->safe_psql('postgres', gen_insert('logs', 1, 30000));
$src->safe_psql('postgres', 'CREATE INDEX logs_status_idx ON logs (status)');
$src->safe_psql('postgres', 'CREATE SCHEMA app');
$src->safe_psql('postgres', q{CREATE TABLE app.events (id bigint, happened timestamp, kind text, payload jsonb) USING cocoon});
$src->safe_psql('postgres', q{SELECT cocoon.set_options('app.events', compression => 'zstd', compression_level => 9,
  partition_interval => '1 hour', time_column => 'happened', bloom_columns => ARRAY['kind'])});
$src->safe_psql('postgres', q{INSERT INTO app.events SELECT g, '2024-02-01'::timestamp + g * interval '1 min',
  'kind' || (g % 4), jsonb_build_object('n', g) FROM generate_series(1, 5000) g});
$src->safe_psql('postgres', "CREATE TABLE plain_heap $TABLE_COLS");
$src->safe_psql('postgres', gen_insert('plain_heap', 1, 1000));
$src->safe_psql('postgres', "CREATE TABLE empty_cocoon $TABLE_COLS USING cocoon");
$src->safe_psql('postgres', "SELECT cocoon.set_options('empty_cocoon', compression => 'none')");

my $src_contents = contents($src, 'postgres');
my $src_options = $src->safe_psql('postgres', $OPTIONS);
my $src_effective = $src->safe_psql('postgres', $EFFECTIVE);
is($src->safe_psql('postgres', $AMS),
	"empty_cocoon:cocoon\nevents:cocoon\nlogs:cocoon\nplain_heap:heap", 'source access methods');
like($src_options, qr/^app\.events\|zstd\|9\|\|\|01:00:00\|happened\|\{kind\}\nempty_cocoon\|none\|+\nlogs\|lz4\|\|5000\|1000\|\|\|$/,
	'source options');

my $backup = $src->backup_dir;
$src->command_ok([ 'pg_dump', '-Fc', '-f', "$backup/dump.custom", '-d', 'postgres' ], 'pg_dump custom format');
$src->command_ok([ 'pg_dump', '-Fp', '-f', "$backup/dump.sql", '-d', 'postgres' ], 'pg_dump plain format');
$src->command_ok([ 'pg_dump', '-Fp', '--no-table-access-method', '-f', "$backup/dump_noam.sql", '-d', 'postgres' ],
	'pg_dump --no-table-access-method');
$src->command_ok([ 'pg_dump', '-Fd', '-f', "$backup/dump.dir", '-d', 'postgres' ], 'pg_dump directory format');

my $dst = PostgreSQL::Test::Cluster->new('dst');
$dst->init;
$dst->append_conf('postgresql.conf', "log_statement = none\n");
$dst->start;

sub check_restored
{
	my ($db, $how) = @_;
	is($dst->safe_psql($db, $AMS),
		"empty_cocoon:cocoon\nevents:cocoon\nlogs:cocoon\nplain_heap:heap",
		"$how: cocoon tables restored as cocoon tables");
	is(contents($dst, $db), $src_contents, "$how: identical contents");
	is($dst->safe_psql($db, $OPTIONS), $src_options, "$how: cocoon.options rows preserved");
	is($dst->safe_psql($db, $EFFECTIVE), $src_effective, "$how: effective table options preserved");
	is($dst->safe_psql($db, "SELECT count(*) FROM cocoon.verify('logs')"), '0', "$how: verify clean");
	is($dst->safe_psql($db, "SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'logs'::regclass"),
		'logs_status_idx', "$how: index restored");
	is($dst->safe_psql($db,
			'SET enable_seqscan = off; SET cocoon.enable_custom_scan = off; SELECT message FROM logs WHERE status = 4242'),
		$src->safe_psql('postgres', 'SELECT message FROM logs WHERE status = 4242'),
		"$how: index scan works");
	# the restored tables are writable and new stripes follow the options
	$dst->safe_psql($db, gen_insert('logs', 100001, 112000));
	is($dst->safe_psql($db, "SELECT count(*) FROM logs"), '42000', "$how: restored table writable");
	my $comp = $dst->safe_psql($db, "SELECT compression FROM cocoon.column_stats('logs') WHERE attname = 'message'");
	like($comp, qr/lz4/, "$how: per-table compression option in effect after restore ($comp)");
}

$dst->safe_psql('postgres', 'CREATE DATABASE r_custom');
$dst->command_ok([ 'pg_restore', '-d', 'r_custom', "$backup/dump.custom" ], 'pg_restore custom format');
check_restored('r_custom', 'custom format');

$dst->safe_psql('postgres', 'CREATE DATABASE r_dir');
$dst->command_ok([ 'pg_restore', '-j', '2', '-d', 'r_dir', "$backup/dump.dir" ], 'parallel pg_restore of directory format');
check_restored('r_dir', 'directory format, parallel restore');

$dst->safe_psql('postgres', 'CREATE DATABASE r_plain');
$dst->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'r_plain', '-f', "$backup/dump.sql" ],
	'plain format restored with psql');
check_restored('r_plain', 'plain format');

# --no-table-access-method: the tables come back with the default AM
$dst->safe_psql('postgres', 'CREATE DATABASE r_noam');
$dst->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'r_noam', '-f', "$backup/dump_noam.sql" ],
	'--no-table-access-method dump restored with psql');
is($dst->safe_psql('r_noam', $AMS),
	"empty_cocoon:heap\nevents:heap\nlogs:heap\nplain_heap:heap",
	'--no-table-access-method: tables restored as heap');
is(contents($dst, 'r_noam'), $src_contents, '--no-table-access-method: identical contents');

# and a custom-format dump restored with --no-table-access-method
$dst->safe_psql('postgres', 'CREATE DATABASE r_custom_noam');
$dst->command_ok([ 'pg_restore', '--no-table-access-method', '-d', 'r_custom_noam', "$backup/dump.custom" ],
	'pg_restore --no-table-access-method');
is($dst->safe_psql('r_custom_noam', $AMS),
	"empty_cocoon:heap\nevents:heap\nlogs:heap\nplain_heap:heap",
	'pg_restore --no-table-access-method: tables restored as heap');
is(contents($dst, 'r_custom_noam'), $src_contents, 'pg_restore --no-table-access-method: identical contents');

# A cluster with default_table_access_method = cocoon in postgresql.conf
# (a natural setup for a log database): a dump made without access methods
# turns every table into a cocoon table, while the extension's own catalog
# tables (CREATE EXTENSION runs in the restore) must remain heap tables.
my $dstc = PostgreSQL::Test::Cluster->new('dst_cocoon_default');
$dstc->init;
$dstc->append_conf('postgresql.conf', "log_statement = none\ndefault_table_access_method = cocoon\n");
$dstc->start;
$dstc->safe_psql('postgres', 'CREATE DATABASE r_noam_cocoon');
my ($ret, $out, $err) = $dstc->psql('r_noam_cocoon', undef,
	extra_params => [ '-f', "$backup/dump_noam.sql" ]);
is($ret, 0, 'default_table_access_method = cocoon: restore succeeds') or diag $err;
is($dstc->safe_psql('r_noam_cocoon',
		q{SELECT string_agg(c.relname || ':' || a.amname, ' ' ORDER BY c.relname) FROM pg_class c
		  JOIN pg_am a ON a.oid = c.relam WHERE c.relkind = 'r' AND c.relnamespace = 'cocoon'::regnamespace}),
	$src->safe_psql('postgres',
		q{SELECT string_agg(c.relname || ':' || a.amname, ' ' ORDER BY c.relname) FROM pg_class c
		  JOIN pg_am a ON a.oid = c.relam WHERE c.relkind = 'r' AND c.relnamespace = 'cocoon'::regnamespace}),
	'default_table_access_method = cocoon: the extension\'s own tables are heap tables');
is($dstc->safe_psql('r_noam_cocoon', $AMS),
	"empty_cocoon:cocoon\nevents:cocoon\nlogs:cocoon\nplain_heap:cocoon",
	'default_table_access_method = cocoon: every table restored as cocoon');
is(eval { contents($dstc, 'r_noam_cocoon') } // "error: $@", $src_contents,
	'default_table_access_method = cocoon: identical contents');
is(eval { $dstc->safe_psql('r_noam_cocoon', $OPTIONS) } // "error: $@", $src_options,
	'default_table_access_method = cocoon: options restored');
($ret, $out, $err) = $dstc->psql('r_noam_cocoon',
	"DO \$\$ BEGIN PERFORM cocoon.set_options('plain_heap', stripe_rows => 2000); END \$\$; SELECT stripe_rows FROM cocoon.options WHERE relid = 'plain_heap'::regclass");
is($out, '2000', 'default_table_access_method = cocoon: set_options works') or diag $err;
$dstc->stop;

$src->stop;
$dst->stop;
done_testing();
