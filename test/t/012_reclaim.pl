
# Space of transactions that never commit, across crashes and on a standby:
#   - the server stops (immediate) while a large INSERT sits uncommitted,
#     while one prepared transaction will be rolled back and another (whose
#     stripes a subtransaction wrote) committed after the restart: one
#     VACUUM frees the crashed and the rolled back stripes (not the
#     prepared one's, which is in progress), and once the prepared one
#     commits the file is cut back to the end of its stripes;
#   - a backend is killed (SIGKILL) in the middle of a large INSERT, maybe
#     in the middle of writing a stripe: after the crash restart one VACUUM
#     cuts the file back to its size before the INSERT;
#   - no committed row is lost, every index entry leads to its row, and a
#     streaming standby that replayed all of it returns identical rows and
#     has the same file size.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use IPC::Run;

sub gen_insert
{
	my ($from, $to) = @_;
	return qq{INSERT INTO logs SELECT g,
  '2024-01-01 00:00:00+00'::timestamptz + g * interval '10 ms',
  'request ' || g || ' ' || md5(g::text)
  FROM generate_series($from, $to) g};
}

my $STATE_SQL = q{SELECT count(*) || ':' || coalesce(sum(id), 0) || ':' ||
  coalesce(md5(string_agg(l::text, ',' ORDER BY id)), '-') FROM logs l};

sub wait_until
{
	my ($what, $cond) = @_;
	my $t0 = time;
	while (time - $t0 < $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if $cond->();
		usleep(20_000);
	}
	diag "timed out waiting for $what";
	return 0;
}

sub rel_size
{
	my ($node) = @_;
	return $node->safe_psql('postgres', "SELECT pg_relation_size('logs')");
}

sub stats
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		'SELECT reclaimable_bytes, free_bytes, reclaimed_bytes FROM cocoon.stats(\'logs\')');
}

sub psql_cmd
{
	my ($node, @args) = @_;
	return [ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), @args ];
}

# every row found through the primary key, and nothing else
sub index_check
{
	my ($node, $name) = @_;
	is($node->safe_psql('postgres', q{
SET enable_seqscan = off; SET enable_bitmapscan = off; SET cocoon.enable_custom_scan = off;
SELECT count(*) || ':' || coalesce(sum(id), 0) FROM logs WHERE id BETWEEN 0 AND 10000000}),
		$node->safe_psql('postgres', 'SELECT count(*) || \':\' || coalesce(sum(id), 0) FROM logs'),
		"$name: an index scan returns every row");
}

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', qq{
autovacuum = off
max_prepared_transactions = 5
restart_after_crash = on
shared_buffers = 32MB
# a standby slowed down by a busy machine must not lose WAL it still needs
wal_keep_size = 1GB
log_statement = none
});
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION cocoon');
$primary->safe_psql('postgres',
	'CREATE TABLE logs (id int PRIMARY KEY, ts timestamptz, msg text) USING cocoon');
$primary->safe_psql('postgres',
	"SELECT cocoon.set_options('logs', stripe_rows => 10000, chunk_rows => 1000)");
$primary->safe_psql('postgres', gen_insert(1, 50000));

$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->append_conf('postgresql.conf', "max_prepared_transactions = 5\n");
$standby->start;

my $state = $primary->safe_psql('postgres', $STATE_SQL);
like($state, qr/^50000:/, 'baseline rows loaded');

#
# Scenario 1: immediate stop with an uncommitted large INSERT and two
# prepared transactions.
#
{
	# p_keep's stripes are written by a subtransaction (xmin = its xid)
	$primary->safe_psql('postgres',
		"BEGIN; SAVEPOINT a; " . gen_insert(100001, 130000) . "; RELEASE a; PREPARE TRANSACTION 'p_keep'");
	my $size_keep = rel_size($primary);
	$primary->safe_psql('postgres', "BEGIN; " . gen_insert(200001, 230000) . "; PREPARE TRANSACTION 'p_drop'");

	my ($in, $out, $err) = ("BEGIN;\n" . gen_insert(300001, 500000) . ";\nSELECT 'inserted';\n", '', '');
	my $h = IPC::Run::start(psql_cmd($primary), '<', \$in, '>', \$out, '2>', \$err);
	ok(wait_until('the big INSERT to finish (uncommitted)', sub { $h->pump_nb; $out =~ /inserted/ }),
		'big INSERT done, its transaction open');
	my $size_crash = rel_size($primary);
	cmp_ok($size_crash, '>', $size_keep + 2_000_000, 'the uncommitted INSERT wrote stripes');
	$primary->stop('immediate');
	$h->kill_kill;
	$primary->start;

	is($primary->safe_psql('postgres', $STATE_SQL), $state, 'after the crash: committed rows only');
	is($primary->safe_psql('postgres', 'SELECT string_agg(gid, \',\' ORDER BY gid) FROM pg_prepared_xacts'),
		'p_drop,p_keep', 'both prepared transactions survived the crash');
	is(rel_size($primary), $size_crash, 'nothing freed yet');

	$primary->safe_psql('postgres', "ROLLBACK PREPARED 'p_drop'");
	my ($waiting, $free0, $reclaimed0) = split /\|/, stats($primary);
	cmp_ok($waiting, '>', 2_000_000, 'the crashed and rolled back stripes are reclaimable');

	# p_keep holds the table: VACUUM frees from the rolled back directory rows only
	$primary->safe_psql('postgres', 'VACUUM logs');
	my ($waiting1, $free1, $reclaimed1) = split /\|/, stats($primary);
	is($reclaimed1 - $reclaimed0, $waiting, 'one VACUUM freed every crashed and rolled back stripe');
	is($waiting1, $free1, 'nothing else is waiting');
	is(rel_size($primary), $size_crash, 'the file is not cut while p_keep holds the table');
	is($primary->safe_psql('postgres', $STATE_SQL), $state, 'committed rows intact after VACUUM');

	$primary->safe_psql('postgres', "COMMIT PREPARED 'p_keep'");
	is($primary->safe_psql('postgres', 'SELECT count(*), min(id), max(id) FROM logs WHERE id > 100000'),
		'30000|100001|130000', 'the prepared transaction kept its stripes');
	$primary->safe_psql('postgres', 'VACUUM logs');
	is(rel_size($primary), $size_keep, 'the file is cut back to the end of the committed stripes');
	is($primary->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('logs')"), '0',
		'cocoon.verify finds no problem');
	index_check($primary, 'after the crash and VACUUM');

	# the keys of the lost rows can come back, and new stripes reuse nothing wrongly
	$primary->safe_psql('postgres', gen_insert(200001, 210000));
	$state = $primary->safe_psql('postgres', $STATE_SQL);
	like($state, qr/^90000:/, 'rows inserted after the VACUUM');
}

#
# Scenario 2: SIGKILL of a backend in the middle of a large INSERT.
#
{
	my $size0 = rel_size($primary);
	my $logoffset = -s $primary->logfile;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(psql_cmd($primary, '-c', gen_insert(1_000_001, 3_000_000)),
		'>', \$out, '2>', \$err);
	my $pid;
	ok(wait_until('the INSERT to write stripes',
			sub {
				$pid ||= $primary->safe_psql('postgres',
					"SELECT pid FROM pg_stat_activity WHERE query LIKE 'INSERT INTO logs%' AND pid <> pg_backend_pid()");
				$pid && rel_size($primary) > $size0 + 2_000_000;
			}),
		'big INSERT is writing stripes');
	ok(kill('KILL', $pid), "SIGKILL of backend $pid");
	$h->finish;
	$primary->wait_for_log(qr/all server processes terminated; reinitializing/, $logoffset);
	$primary->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
	  or die "server did not come back after crash";

	is($primary->safe_psql('postgres', $STATE_SQL), $state, 'after the SIGKILL: committed rows only');
	$primary->safe_psql('postgres', 'VACUUM logs');
	is(rel_size($primary), $size0, 'one VACUUM cuts the file back to its size before the INSERT');
	my ($waiting, $free) = split /\|/, stats($primary);
	is($waiting, $free, 'nothing is waiting');
	index_check($primary, 'after the SIGKILL and VACUUM');
	is($primary->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('logs')"), '0',
		'cocoon.verify finds no problem');
	$primary->safe_psql('postgres', gen_insert(1_000_001, 1_010_000));
	$state = $primary->safe_psql('postgres', $STATE_SQL);
	like($state, qr/^100000:/, 'rows inserted after the VACUUM');
}

#
# The standby replayed all of it: pruned directory rows, free lists,
# truncations, reused space.
#
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres', $STATE_SQL), $state, 'standby returns the same rows');
is(rel_size($standby), rel_size($primary), 'standby file has the same size');
index_check($standby, 'standby');
is($standby->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('logs')"), '0',
	'cocoon.verify finds no problem on the standby');

# and the standby follows later changes as well
$primary->safe_psql('postgres', 'BEGIN; ' . gen_insert(4_000_001, 4_100_000) . '; ROLLBACK');
$primary->safe_psql('postgres', 'VACUUM logs');
$primary->safe_psql('postgres', gen_insert(4_000_001, 4_020_000));
$state = $primary->safe_psql('postgres', $STATE_SQL);
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres', $STATE_SQL), $state, 'standby: same rows after more reuse');
is(rel_size($standby), rel_size($primary), 'standby: same file size after more reuse');

$standby->stop;
$primary->stop;
done_testing();
