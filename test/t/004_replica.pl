
# Physical streaming replication of cocoon tables: a standby made with
# pg_basebackup returns exactly the primary's results after INSERT, COPY,
# TRUNCATE, ALTER TABLE ... SET ACCESS METHOD, VACUUM FULL and compaction;
# it never shows rows of a transaction in progress on the primary (even once
# that transaction's full stripes were written and replayed); and after
# promotion its cocoon tables are writable.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $TABLE_COLS = q{(ts timestamptz, level text, service text, host text,
  message text, status int, latency_ms float8, trace_id uuid, attrs jsonb)};

sub gen_select
{
	my ($from, $to, $batch) = @_;
	return qq{SELECT '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 s',
  (ARRAY['INFO','WARN','ERROR','DEBUG'])[1 + g % 4], 'svc' || (g % 7),
  'host-' || (g % 13), 'request ' || g || ' took ' || (g % 1000) || ' ms',
  g, (g % 1000) / 10.0, md5(g::text)::uuid,
  jsonb_build_object('batch', $batch, 'k', g % 5)
  FROM generate_series($from, $to) g};
}

sub gen_insert
{
	my ($table, $from, $to, $batch) = @_;
	return "INSERT INTO $table " . gen_select($from, $to, $batch);
}

# Queries whose results must agree between primary and standby.
my @QUERIES = (
	q{SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-') FROM %s t},
	q{SELECT count(*), sum(status), min(ts), max(ts) FROM %s},
	q{SELECT level, count(*), sum(latency_ms::numeric) FROM %s WHERE ts >= '2024-01-01 10:00:00+00' AND ts < '2024-01-02 03:00:00+00' GROUP BY level ORDER BY level},
	q{SELECT count(*) FROM %s WHERE service = 'svc3' AND message LIKE '%%took 42 ms'},
	q{SELECT status, host FROM %s WHERE status IN (7, 77, 777, 7777, 77777) ORDER BY status},
);

sub results
{
	my ($node, $table) = @_;
	return join("\n---\n", map { $node->safe_psql('postgres', sprintf($_, $table)) } @QUERIES);
}

sub same_results
{
	my ($primary, $standby, $table, $name) = @_;
	$primary->wait_for_catchup($standby, 'replay');
	my $p = results($primary, $table);
	my $s = results($standby, $table);
	is($s, $p, "$name: standby returns the primary's results for $table");
	return $p;
}

sub relam
{
	my ($node, $table) = @_;
	return $node->safe_psql('postgres',
		"SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = '$table'::regclass");
}

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', qq{
shared_buffers = 16MB
# a standby slowed down by a busy machine must not lose WAL it still needs
wal_keep_size = 1GB
log_statement = none
});
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION cocoon');
$primary->safe_psql('postgres', "CREATE TABLE logs $TABLE_COLS USING cocoon");
$primary->safe_psql('postgres', "SET cocoon.stripe_rows = 5000; " . gen_insert('logs', 1, 20000, 1));

$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->append_conf('postgresql.conf', qq{
shared_buffers = 16MB
log_statement = none
});
$standby->start;

my $r = same_results($primary, $standby, 'logs', 'data from the base backup');
like($r, qr/^20000:/, 'base backup data present');
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'standby is in recovery');

# inserts in several transactions, one with several stripes and partitions
$primary->safe_psql('postgres', gen_insert('logs', 20001, 30000, 2));
$primary->safe_psql('postgres', "SET cocoon.stripe_rows = 1000; " . gen_insert('logs', 30001, 100000, 3));
for my $i (1 .. 10)
{
	$primary->safe_psql('postgres', gen_insert('logs', 150000 + $i * 10, 150000 + $i * 10 + 9, 4));
}
same_results($primary, $standby, 'logs', 'after inserts');

# compaction of the small stripes (cocoon.compact and VACUUM)
my $stripes_before = $primary->safe_psql('postgres', "SELECT stripes FROM cocoon.stats('logs')");
$primary->safe_psql('postgres', "SELECT * FROM cocoon.compact('logs')");
$primary->safe_psql('postgres', 'VACUUM logs');
my $stripes_after = $primary->safe_psql('postgres', "SELECT stripes FROM cocoon.stats('logs')");
ok($stripes_after < $stripes_before, "compaction: $stripes_before stripes -> $stripes_after");
same_results($primary, $standby, 'logs', 'after compaction');
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres', "SELECT stripes FROM cocoon.stats('logs')"), $stripes_after,
	'standby sees the compacted stripe directory');

# rows of a rolled-back transaction never show
$primary->safe_psql('postgres', "BEGIN; SET LOCAL cocoon.stripe_rows = 1000; "
	  . gen_insert('logs', 200001, 205000, 5) . "; ROLLBACK;");
same_results($primary, $standby, 'logs', 'after a rolled-back insert');
is($standby->safe_psql('postgres', "SELECT count(*) FROM logs WHERE attrs->>'batch' = '5'"),
	'0', 'rolled-back rows are invisible on the standby');

# COPY FROM STDIN
{
	my $data = '';
	for my $id (300001 .. 303000)
	{
		$data .= "2024-01-03 00:00:00+00\tWARN\tcopy\thost-" . ($id % 13)
		  . "\tcopied $id\t$id\t1.5\t\\N\t{\"batch\": 6}\n";
	}
	$primary->safe_psql('postgres', "COPY logs FROM STDIN;\n$data\\.\n");
}
$r = same_results($primary, $standby, 'logs', 'after COPY');
like($r, qr/^103100:/, 'row count after COPY');

# A transaction in progress on the primary has written full stripes (and
# they were replayed); the standby must not show them until the commit.
{
	my $before = results($primary, 'logs');
	my $bg = $primary->background_psql('postgres');
	$bg->query_safe('BEGIN');
	$bg->query_safe('SET LOCAL cocoon.stripe_rows = 1000');
	$bg->query_safe(gen_insert('logs', 400001, 420000, 7));
	my $pending = $primary->safe_psql('postgres',
		"SELECT count(*) FROM cocoon.stripe s WHERE s.data_length > 0");
	note "directory rows visible to others during the open transaction: $pending";
	$primary->wait_for_catchup($standby, 'replay');
	is(results($standby, 'logs'), $before,
		'standby does not show the rows of a transaction in progress');
	is(results($primary, 'logs'), $before,
		'other primary sessions do not show them either');
	$bg->query_safe('COMMIT');
	$bg->quit;
	$r = same_results($primary, $standby, 'logs', 'after the big transaction committed');
	like($r, qr/^123100:/, 'committed rows of the big transaction visible');
}

# TRUNCATE, then new rows
$primary->safe_psql('postgres', 'TRUNCATE logs');
same_results($primary, $standby, 'logs', 'after TRUNCATE');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM logs'), '0', 'standby sees the table empty after TRUNCATE');
$primary->safe_psql('postgres', "SET cocoon.stripe_rows = 2000; " . gen_insert('logs', 1, 10000, 8));
# TRUNCATE and reload in one transaction
$primary->safe_psql('postgres', "CREATE TABLE logs2 $TABLE_COLS USING cocoon");
$primary->safe_psql('postgres', gen_insert('logs2', 1, 1000, 9));
$primary->safe_psql('postgres', "BEGIN; TRUNCATE logs2; " . gen_insert('logs2', 5001, 17000, 10) . "; COMMIT;");
$r = same_results($primary, $standby, 'logs', 'after TRUNCATE and insert');
like($r, qr/^10000:/, 'rows after TRUNCATE');
$r = same_results($primary, $standby, 'logs2', 'after TRUNCATE and reload in one transaction');
like($r, qr/^12000:/, 'rows after TRUNCATE and reload in one transaction');

# ALTER TABLE ... SET ACCESS METHOD, both ways
$primary->safe_psql('postgres', "CREATE TABLE heap_logs $TABLE_COLS USING heap");
$primary->safe_psql('postgres', gen_insert('heap_logs', 1, 30000, 11));
my $heap_results = results($primary, 'heap_logs');
$primary->safe_psql('postgres', 'ALTER TABLE heap_logs SET ACCESS METHOD cocoon');
is(relam($primary, 'heap_logs'), 'cocoon', 'heap table converted to cocoon');
$primary->wait_for_catchup($standby, 'replay');
is(relam($standby, 'heap_logs'), 'cocoon', 'standby sees the converted table as cocoon');
is(results($standby, 'heap_logs'), $heap_results, 'standby: heap -> cocoon conversion keeps contents');
is(results($primary, 'heap_logs'), $heap_results, 'primary: heap -> cocoon conversion keeps contents');

$primary->safe_psql('postgres', 'ALTER TABLE logs2 SET ACCESS METHOD heap');
is(relam($primary, 'logs2'), 'heap', 'cocoon table converted to heap');
same_results($primary, $standby, 'logs2', 'after cocoon -> heap conversion');
$primary->safe_psql('postgres', 'ALTER TABLE logs2 SET ACCESS METHOD cocoon');
same_results($primary, $standby, 'logs2', 'after heap -> cocoon conversion back');

# VACUUM FULL (rewrite) after more small transactions
for my $i (1 .. 5)
{
	$primary->safe_psql('postgres', gen_insert('logs', 10000 + $i * 100, 10000 + $i * 100 + 99, 12));
}
$r = same_results($primary, $standby, 'logs', 'before VACUUM FULL');
my $before_vf = $r;
my $node_before = $primary->safe_psql('postgres', "SELECT pg_relation_filenode('logs')");
$primary->safe_psql('postgres', 'VACUUM FULL logs');
isnt($primary->safe_psql('postgres', "SELECT pg_relation_filenode('logs')"), $node_before,
	'VACUUM FULL rewrote the table');
$r = same_results($primary, $standby, 'logs', 'after VACUUM FULL');
is($r, $before_vf, 'VACUUM FULL keeps contents');

# DML, retention, compaction and VACUUM's space reuse replay too
sub md5_of
{
	my ($node, $table) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM $table t");
}
sub same_md5
{
	my ($name) = @_;
	$primary->wait_for_catchup($standby, 'replay');
	my $p = md5_of($primary, 'dml_logs');
	is(md5_of($standby, 'dml_logs'), $p, "$name: standby matches the primary");
	return $p;
}
$primary->safe_psql('postgres', q{
	SET cocoon.stripe_rows = 1000;
	CREATE TABLE dml_logs (id int PRIMARY KEY, ts timestamptz, level text, v int) USING cocoon;
	INSERT INTO dml_logs SELECT g, '2024-03-01'::timestamptz + g * interval '1 minute',
	       (ARRAY['INFO','WARN','ERROR'])[1 + g % 3], g FROM generate_series(1, 6000) g;
});
same_md5('insert');
$primary->safe_psql('postgres', q{UPDATE dml_logs SET v = v * 10, level = 'FIXED' WHERE id % 7 = 0});
same_md5('UPDATE');
$primary->safe_psql('postgres', q{DELETE FROM dml_logs WHERE level = 'ERROR'});
same_md5('DELETE');
$primary->safe_psql('postgres', q{SELECT cocoon.drop_before('dml_logs', '2024-03-02 12:00+00')});
my $after_retention = same_md5('drop_before');
like($after_retention, qr/^\d+:/, 'retention left rows');
$primary->safe_psql('postgres', q{SELECT cocoon.compact('dml_logs')});
$primary->safe_psql('postgres', q{VACUUM dml_logs});
$primary->safe_psql('postgres', q{VACUUM dml_logs});
same_md5('compaction and VACUUM (space freed, tail moved, file truncated)');
is($primary->safe_psql('postgres', 'SELECT pg_relation_size(\'dml_logs\')'),
	$standby->safe_psql('postgres', 'SELECT pg_relation_size(\'dml_logs\')'),
	'the truncated file has the same size on the standby');
$primary->safe_psql('postgres', q{
	INSERT INTO dml_logs SELECT g, '2024-03-09'::timestamptz + g * interval '1 minute', 'NEW', g
	  FROM generate_series(10001, 12000) g});
same_md5('refill into freed space');
is($standby->safe_psql('postgres', q{SET enable_seqscan = off; SELECT v FROM dml_logs WHERE id = 7000}),
	$primary->safe_psql('postgres', q{SET enable_seqscan = off; SELECT v FROM dml_logs WHERE id = 7000}),
	'index scan after compaction agrees');

# the standby's copy verifies clean
for my $t (qw(logs logs2 heap_logs dml_logs))
{
	is($standby->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('$t')"), '0',
		"standby: cocoon.verify('$t') clean");
}

# a standby restart (reading everything back from disk) changes nothing
$standby->restart;
$primary->wait_for_catchup($standby, 'replay');
is(results($standby, 'logs'), results($primary, 'logs'), 'standby results unchanged after its restart');

# writes are refused on the standby
my ($ret, $out, $err) = $standby->psql('postgres', gen_insert('logs', 1, 10, 13));
isnt($ret, 0, 'insert on the standby fails');
like($err, qr/read-only transaction/, 'insert on the standby fails as read-only');

# promote: the standby's cocoon tables become writable
my $final = results($primary, 'logs');
$primary->stop;
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
  or die 'standby did not leave recovery';
is(results($standby, 'logs'), $final, 'promoted standby has the primary\'s final contents');
$standby->safe_psql('postgres', gen_insert('logs', 500001, 505000, 14));
my $data = '';
$data .= "2024-01-04 00:00:00+00\tINFO\tpromoted\thost\tafter promotion $_\t$_\t0\t\\N\t{\"batch\": 15}\n"
  for (600001 .. 600100);
$standby->safe_psql('postgres', "COPY logs FROM STDIN;\n$data\\.\n");
is($standby->safe_psql('postgres',
		"SELECT attrs->>'batch', count(*), count(DISTINCT status) FROM logs WHERE attrs->>'batch' IN ('14', '15') GROUP BY 1 ORDER BY 1"),
	"14|5000|5000\n15|100|100", 'promoted standby accepts INSERT and COPY into the cocoon table');
like(results($standby, 'logs'), qr/^15600:/, 'row count after writes on the promoted standby');
is($standby->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('logs')"), '0',
	'promoted standby: cocoon.verify clean');
$standby->safe_psql('postgres', "CREATE TABLE newtab $TABLE_COLS USING cocoon");
$standby->safe_psql('postgres', gen_insert('newtab', 1, 3000, 16));
is($standby->safe_psql('postgres', 'SELECT count(*), sum(status) FROM newtab'), '3000|4501500',
	'promoted standby can create and fill new cocoon tables');
$standby->restart;
like(results($standby, 'logs'), qr/^15600:/, 'writes on the promoted standby survive its restart');

done_testing();
