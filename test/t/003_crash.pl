
# Crash safety of cocoon tables: nothing committed is ever lost, nothing
# uncommitted ever shows up, and the table stays consistent and writable
# after the server is killed in the middle of
#   - a large INSERT ... SELECT (immediate shutdown),
#   - a large COPY FROM STDIN (SIGKILL of the backend),
#   - a stream of small committed transactions (SIGKILL of the postmaster),
#   - the stripe flush of a big transaction's COMMIT (SIGKILL of the backend),
#   - cocoon.compact() and VACUUM rewriting many small stripes,
# with wal_level = minimal (the framework's default, which exercises the
# skip-WAL path of tables created or truncated in the same transaction) and
# on a cluster initialised with --data-checksums and wal_level = replica.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use IPC::Run;

my $TABLE_DDL = q{CREATE TABLE %s (ts timestamptz, level text, service text,
  host text, message text, status int, latency_ms float8, trace_id uuid,
  attrs jsonb) USING cocoon};

# SQL generating rows with ids (status) $from..$to, all tagged with $batch.
sub gen_select
{
	my ($from, $to, $batch) = @_;
	return qq{SELECT '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 ms',
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

# COPY text-format lines for ids $from..$to, batch $batch.
sub copy_lines
{
	my ($from, $to, $batch) = @_;
	my $s = '';
	for my $id ($from .. $to)
	{
		$s .= sprintf(
			"2024-01-02 %02d:%02d:%02d+00\tINFO\tcopy\thost-%d\tcopied row %d\t%d\t%.1f\t\\N\t{\"batch\": %d}\n",
			($id / 3600) % 24, ($id / 60) % 60, $id % 60, $id % 13, $id, $id,
			($id % 100) / 10.0, $batch);
	}
	return $s;
}

my $CHECKSUM_SQL =
  q{SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-') FROM %s t};

sub table_state
{
	my ($node, $table) = @_;
	return $node->safe_psql('postgres', sprintf($CHECKSUM_SQL, $table));
}

sub verify_clean
{
	my ($node, $table, $name) = @_;
	is($node->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('$table')"),
		'0', "$name: cocoon.verify('$table') finds no problem");
}

sub wait_until
{
	my ($what, $cond, $timeout) = @_;
	$timeout //= $PostgreSQL::Test::Utils::timeout_default;
	my $t0 = time;
	while (time - $t0 < $timeout)
	{
		return 1 if $cond->();
		usleep(20_000);
	}
	diag "timed out waiting for $what";
	return 0;
}

sub psql_cmd
{
	my ($node, @args) = @_;
	return [ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), @args ];
}

# Wait for a crash-restart cycle (restart_after_crash = on) to complete.
sub wait_crash_restart
{
	my ($node, $logoffset) = @_;
	$node->wait_for_log(qr/all server processes terminated; reinitializing/, $logoffset);
	$node->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
	  or die "server did not come back after crash";
}

sub rel_size
{
	my ($node, $table) = @_;
	return $node->safe_psql('postgres', "SELECT pg_relation_size('$table')");
}

sub backend_pid
{
	my ($node, $like) = @_;
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '$like' AND pid <> pg_backend_pid() LIMIT 1");
}

# Every batch in @$batches must have exactly $k rows, and the ids of its rows
# must be unique.
sub batch_counts
{
	my ($node, $table) = @_;
	my %c;
	for my $line (split /\n/,
		$node->safe_psql('postgres',
			"SELECT attrs->>'batch', count(*), count(DISTINCT status) FROM $table GROUP BY 1"))
	{
		my ($b, $n, $d) = split /\|/, $line;
		$c{$b} = [ $n, $d ];
	}
	return \%c;
}

############################################################################
# Node 1: default test cluster (wal_level = minimal), restart_after_crash on
############################################################################
my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', qq{
restart_after_crash = on
log_statement = none
shared_buffers = 32MB
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION cocoon');
$node->safe_psql('postgres', sprintf($TABLE_DDL, 'logs'));
$node->safe_psql('postgres', gen_insert('logs', 1, 50000, 0));

# wal_level = minimal: a table created, and a table truncated, in the
# committing transaction skip WAL and are synced at commit.
$node->safe_psql('postgres',
	"BEGIN; " . sprintf($TABLE_DDL, 'logs_new') . "; " . gen_insert('logs_new', 1, 30000, 1) . "; COMMIT;");
$node->safe_psql('postgres', sprintf($TABLE_DDL, 'logs_trunc'));
$node->safe_psql('postgres', gen_insert('logs_trunc', 1, 1000, 1));
$node->safe_psql('postgres',
	"BEGIN; TRUNCATE logs_trunc; " . gen_insert('logs_trunc', 5001, 25000, 2) . "; COMMIT;");
# and a small one (below wal_skip_threshold: WAL-logged as page images at commit)
$node->safe_psql('postgres',
	"BEGIN; " . sprintf($TABLE_DDL, 'logs_small') . "; " . gen_insert('logs_small', 1, 100, 1) . "; COMMIT;");
# rewrites into a new relfilenode: VACUUM FULL, and heap -> cocoon -> heap -> cocoon
$node->safe_psql('postgres', sprintf($TABLE_DDL, 'logs_vf'));
$node->safe_psql('postgres', gen_insert('logs_vf', 1, 20000, 1));
$node->safe_psql('postgres', gen_insert('logs_vf', 20001, 20100, 2));
$node->safe_psql('postgres', 'VACUUM FULL logs_vf');
$node->safe_psql('postgres', sprintf($TABLE_DDL, 'logs_am') =~ s/USING cocoon/USING heap/r);
$node->safe_psql('postgres', gen_insert('logs_am', 1, 20000, 1));
$node->safe_psql('postgres', 'ALTER TABLE logs_am SET ACCESS METHOD cocoon');
$node->safe_psql('postgres', 'ALTER TABLE logs_am SET ACCESS METHOD heap');
$node->safe_psql('postgres', 'ALTER TABLE logs_am SET ACCESS METHOD cocoon');
my $state_vf = table_state($node, 'logs_vf');
my $state_am = table_state($node, 'logs_am');

my $state = table_state($node, 'logs');
my $state_new = table_state($node, 'logs_new');
my $state_trunc = table_state($node, 'logs_trunc');
my $state_small = table_state($node, 'logs_small');
like($state, qr/^50000:/, 'baseline rows loaded');
like($state_new, qr/^30000:/, 'table created in the same transaction loaded');
like($state_trunc, qr/^20000:/, 'table truncated in the same transaction loaded');

$node->stop('immediate');
$node->start;
is(table_state($node, 'logs'), $state, 'immediate stop: committed rows survive');
is(table_state($node, 'logs_new'), $state_new,
	'immediate stop: table created and loaded in one transaction survives (wal_level minimal)');
is(table_state($node, 'logs_trunc'), $state_trunc,
	'immediate stop: table truncated and reloaded in one transaction survives (wal_level minimal)');
is(table_state($node, 'logs_small'), $state_small,
	'immediate stop: small table created in one transaction survives (wal_level minimal)');
is(table_state($node, 'logs_vf'), $state_vf, 'immediate stop: table rewritten by VACUUM FULL survives');
is(table_state($node, 'logs_am'), $state_am, 'immediate stop: table rewritten by SET ACCESS METHOD survives');
like($state_am, qr/^20000:/, 'SET ACCESS METHOD round trip kept the rows');
is($node->safe_psql('postgres', "SELECT amname FROM pg_am a JOIN pg_class c ON c.relam = a.oid WHERE c.oid = 'logs_am'::regclass"),
	'cocoon', 'logs_am is a cocoon table');
verify_clean($node, $_, 'after immediate stop') for qw(logs logs_new logs_trunc logs_small logs_vf logs_am);

#
# Scenario 1: immediate shutdown in the middle of a 2M-row INSERT ... SELECT.
# Its full stripes are written to the relation before the commit; none of
# them may become visible.
#
{
	my $size0 = rel_size($node, 'logs');
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(psql_cmd($node, '-c', gen_insert('logs', 1_000_001, 3_000_000, 100)),
		'>', \$out, '2>', \$err);
	ok(wait_until('stripes of the big insert to be written',
			sub { rel_size($node, 'logs') > $size0 + 2_000_000 }),
		'big INSERT ... SELECT is writing stripes');
	$node->stop('immediate');
	$h->finish;
	isnt($h->result(0), 0, 'big INSERT was interrupted by the crash');
	$node->start;
	is(table_state($node, 'logs'), $state,
		'immediate stop during a big INSERT: committed rows intact, none of the insert visible');
	is($node->safe_psql('postgres', "SELECT count(*) FROM logs WHERE status > 1000000"),
		'0', 'no row of the interrupted insert is visible');
	verify_clean($node, 'logs', 'immediate stop during a big INSERT');
	# reserved directory rows of the aborted transaction are invisible
	is($node->safe_psql('postgres', 'SELECT row_count FROM cocoon.stats(\'logs\')'),
		'50000', 'cocoon.stats counts only committed rows');

	$node->safe_psql('postgres', gen_insert('logs', 50001, 60000, 0));
	$state = table_state($node, 'logs');
	like($state, qr/^60000:/, 'table accepts writes after the crash');
}

#
# Scenario 2: SIGKILL of the backend running a large COPY FROM STDIN.
#
{
	my $size0 = rel_size($node, 'logs');
	my $logoffset = -s $node->logfile;
	my $err = '';
	my $h = IPC::Run::start(
		psql_cmd($node, '-c', 'COPY (' . gen_select(3_000_001, 5_000_000, 200) . ') TO STDOUT'),
		'|', psql_cmd($node, '-c', 'COPY logs FROM STDIN'),
		'2>', \$err);
	my $pid;
	ok(wait_until('the COPY backend to write stripes',
			sub {
				$pid ||= backend_pid($node, 'COPY logs FROM STDIN%');
				$pid && rel_size($node, 'logs') > $size0 + 2_000_000;
			}),
		'big COPY is writing stripes');
	ok(kill('KILL', $pid), "SIGKILL of COPY backend $pid");
	$h->finish;
	wait_crash_restart($node, $logoffset);
	is(table_state($node, 'logs'), $state,
		'backend SIGKILL during COPY: committed rows intact, none of the COPY visible');
	verify_clean($node, 'logs', 'backend SIGKILL during COPY');

	# COPY works again, and its rows are all there
	my $data = copy_lines(60001, 61000, 3);
	$node->safe_psql('postgres', "COPY logs FROM STDIN;\n$data\\.\n");
	is($node->safe_psql('postgres', "SELECT count(*), count(DISTINCT status), min(status), max(status) FROM logs WHERE attrs->>'batch' = '3'"),
		'1000|1000|60001|61000', 'COPY after the crash loads every row');
	$state = table_state($node, 'logs');
}

#
# Scenario 3: SIGKILL of the postmaster during a stream of small committed
# transactions (single INSERTs, COPYs and multi-statement transactions).
# Every transaction acknowledged to the client survives; the one in flight
# is all or nothing; later ones are absent.
#
{
	my $K = 10;
	my $nbatches = 4000;
	my $first = 10_000_000;
	my $script = '';
	for my $b (1 .. $nbatches)
	{
		my $lo = $first + $b * $K;
		my $hi = $lo + $K - 1;
		my $batch = 1000 + $b;
		if ($b % 3 == 0)
		{
			$script .= "COPY logs FROM STDIN;\n" . copy_lines($lo, $hi, $batch) . "\\.\n";
		}
		elsif ($b % 3 == 1)
		{
			$script .= gen_insert('logs', $lo, $hi, $batch) . ";\n";
		}
		else
		{
			my $mid = $lo + 4;
			$script .= "BEGIN;\n" . gen_insert('logs', $lo, $mid, $batch) . ";\n"
			  . gen_insert('logs', $mid + 1, $hi, $batch) . ";\nCOMMIT;\n";
		}
		$script .= "\\echo acked $batch\n";
	}
	my $file = $node->basedir . '/stream.sql';
	append_to_file($file, $script);
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(psql_cmd($node, '-f', $file), '>', \$out, '2>', \$err);
	ok(wait_until('some small transactions to commit',
			sub {
				$h->pump_nb if $h->pumpable;
				$node->safe_psql('postgres',
					"SELECT count(*) >= 3000 FROM logs WHERE status >= $first") eq 't';
			}),
		'stream of small transactions is committing');

	# remember the server's processes, to wait for them to go away
	my @pids = split /\n/, $node->safe_psql('postgres', 'SELECT pid FROM pg_stat_activity');
	$node->kill9;
	$h->finish;
	ok(wait_until('orphaned server processes to exit',
			sub { !grep { kill(0, $_) } @pids }),
		'all server processes exited after postmaster SIGKILL');

	my @acked = ($out =~ /^acked (\d+)$/mg);
	ok(@acked >= 100, 'client saw ' . scalar(@acked) . ' acknowledged transactions');
	ok(@acked < $nbatches, 'the stream was interrupted');
	my $last = @acked ? $acked[-1] : 1000;
	is_deeply(\@acked, [ 1001 .. $last ], 'acknowledgements are in order');

	$node->start;
	my $c = batch_counts($node, 'logs');
	my @bad;
	for my $b (1001 .. $last)
	{
		push @bad, "acked batch $b: " . ($c->{$b} ? "@{$c->{$b}}" : 'missing')
		  unless $c->{$b} && $c->{$b}[0] == $K && $c->{$b}[1] == $K;
	}
	is_deeply(\@bad, [], 'every acknowledged small transaction survived the postmaster SIGKILL');
	my $inflight = $last + 1;
	ok(!$c->{$inflight} || ($c->{$inflight}[0] == $K && $c->{$inflight}[1] == $K),
		'the in-flight transaction is all or nothing');
	my @later = grep { $_ > $inflight && $_ < 1000 + $nbatches + 1 } keys %$c;
	is_deeply(\@later, [], 'no transaction after the in-flight one is visible');
	# the rows that existed before the stream are untouched
	is(table_state($node, 'logs') =~ /^(\d+):/ && $1, 61000 + $K * (scalar(@acked) + ($c->{$inflight} ? 1 : 0)),
		'row count is exactly the committed rows');
	is($node->safe_psql('postgres', sprintf($CHECKSUM_SQL, 'logs') . " WHERE status < $first"),
		$state, 'rows older than the stream are unchanged');
	verify_clean($node, 'logs', 'postmaster SIGKILL during small transactions');
	$node->safe_psql('postgres', gen_insert('logs', 70001, 71000, 4));
	is($node->safe_psql('postgres', "SELECT count(*) FROM logs WHERE attrs->>'batch' = '4'"),
		'1000', 'table accepts writes after postmaster SIGKILL');
	$state = table_state($node, 'logs');
}

#
# Scenario 4: SIGKILL of the backend while its COMMIT flushes one big stripe.
#
{
	my $N = 600_000;
	my $logoffset = -s $node->logfile;
	my $size0 = rel_size($node, 'logs');
	my $script = "SET cocoon.stripe_rows = 5000000;\nBEGIN;\n"
	  . gen_insert('logs', 20_000_001, 20_000_000 + $N, 300)
	  . ";\n\\echo inserted\nCOMMIT;\n\\echo committed\n";
	my $file = $node->basedir . '/bigcommit.sql';
	append_to_file($file, $script);
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(psql_cmd($node, '-f', $file), '>', \$out, '2>', \$err);
	my $pid;
	ok(wait_until('the big transaction to commit',
			sub {
				$h->pump_nb if $h->pumpable;
				$pid = backend_pid($node, 'COMMIT%');
				return $pid || !$h->pumpable;
			}, 120),
		'big transaction is committing') or diag "client: $out / $err";
	if ($pid)
	{
		# kill once the stripe is being written into the relation
		wait_until('the stripe flush to reach the relation',
			sub { rel_size($node, 'logs') > $size0 + 65536 }, 30);
		ok(kill('KILL', $pid), "SIGKILL of committing backend $pid");
		$h->finish;
		wait_crash_restart($node, $logoffset);
	}
	else
	{
		$h->finish;    # the commit was over before we could see it
	}
	note "client output: $out / $err";
	my $n = $node->safe_psql('postgres', "SELECT count(*) FROM logs WHERE attrs->>'batch' = '300'");
	ok($n == 0 || $n == $N, "kill during commit: the transaction is all or nothing ($n rows)");
	if ($out =~ /committed/)
	{
		is($n, $N, 'acknowledged commit survived');
	}
	is($node->safe_psql('postgres', sprintf($CHECKSUM_SQL, 'logs') . " WHERE status < 20000000"),
		$state, 'kill during commit: other committed rows intact');
	verify_clean($node, 'logs', 'kill during commit');
	$node->safe_psql('postgres', gen_insert('logs', 71001, 72000, 5));
	is($node->safe_psql('postgres', "SELECT count(*) FROM logs WHERE attrs->>'batch' = '5'"),
		'1000', 'table accepts writes after kill during commit');
}

#
# Scenario 5: immediate shutdown during cocoon.compact() of many small
# stripes, and SIGKILL of the backend running VACUUM (which compacts too).
#
{
	$node->safe_psql('postgres', sprintf($TABLE_DDL, 'logs_c'));
	my $file = $node->basedir . '/small.sql';
	append_to_file($file, join('', map { gen_insert('logs_c', $_ * 50 + 1, $_ * 50 + 50, $_) . ";\n" } (0 .. 599)));
	$node->command_ok([ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), '-f', $file ],
		'600 small transactions into logs_c');
	my $state_c = table_state($node, 'logs_c');
	like($state_c, qr/^30000:/, 'logs_c loaded');
	my $stripes0 = $node->safe_psql('postgres', "SELECT stripes FROM cocoon.stats('logs_c')");
	ok($stripes0 >= 600, "logs_c has $stripes0 stripes");

	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(psql_cmd($node, '-c', "SELECT * FROM cocoon.compact('logs_c')"), '>', \$out, '2>', \$err);
	ok(wait_until('compaction to run', sub { backend_pid($node, 'SELECT * FROM cocoon.compact%') || !$h->pumpable }),
		'compaction started');
	$node->stop('immediate');
	$h->finish;
	note "compaction client: $out / $err";
	$node->start;
	is(table_state($node, 'logs_c'), $state_c, 'immediate stop during compaction: contents unchanged');
	verify_clean($node, 'logs_c', 'immediate stop during compaction');

	# VACUUM compacts too; kill it
	my $logoffset = -s $node->logfile;
	($out, $err) = ('', '');
	$h = IPC::Run::start(psql_cmd($node, '-c', 'VACUUM logs_c'), '>', \$out, '2>', \$err);
	my $pid;
	wait_until('VACUUM to run', sub { $pid = backend_pid($node, 'VACUUM logs_c%'); $pid || !$h->pumpable });
	if ($pid)
	{
		kill('KILL', $pid);
		$h->finish;
		wait_crash_restart($node, $logoffset);
	}
	else
	{
		$h->finish;
	}
	is(table_state($node, 'logs_c'), $state_c, 'SIGKILL during VACUUM: contents unchanged');
	verify_clean($node, 'logs_c', 'SIGKILL during VACUUM');

	# compaction to completion, then a crash right after it
	$node->safe_psql('postgres', "SELECT * FROM cocoon.compact('logs_c')");
	my $stripes1 = $node->safe_psql('postgres', "SELECT stripes FROM cocoon.stats('logs_c')");
	ok($stripes1 < $stripes0, "compaction reduced $stripes0 stripes to $stripes1");
	$node->stop('immediate');
	$node->start;
	is(table_state($node, 'logs_c'), $state_c, 'immediate stop after compaction: contents unchanged');
	is($node->safe_psql('postgres', "SELECT stripes FROM cocoon.stats('logs_c')"), $stripes1,
		'compacted stripes survive the crash');
	verify_clean($node, 'logs_c', 'after compaction and crash');
	$node->safe_psql('postgres', gen_insert('logs_c', 100001, 101000, 9));
	like(table_state($node, 'logs_c'), qr/^31000:/, 'compacted table accepts writes');
}

# A clean restart (all pages read back from disk) still reads everything.
$state = table_state($node, 'logs');
$node->restart;
is(table_state($node, 'logs'), $state, 'contents unchanged across a clean restart');
verify_clean($node, $_, 'final') for qw(logs logs_new logs_trunc logs_small logs_vf logs_am logs_c);
$node->stop;

############################################################################
# Node 2: --data-checksums, wal_level = replica
############################################################################
my $cnode = PostgreSQL::Test::Cluster->new('crash_checksums');
$cnode->init(extra => ['--data-checksums']);
$cnode->append_conf('postgresql.conf', qq{
wal_level = replica
max_wal_senders = 2
restart_after_crash = on
log_statement = none
shared_buffers = 32MB
});
$cnode->start;
is($cnode->safe_psql('postgres', 'SHOW data_checksums'), 'on', 'data checksums enabled');
$cnode->safe_psql('postgres', 'CREATE EXTENSION cocoon');
$cnode->safe_psql('postgres', sprintf($TABLE_DDL, 'logs'));
$cnode->safe_psql('postgres', gen_insert('logs', 1, 200000, 0));
$cnode->safe_psql('postgres', 'CHECKPOINT');
# small commits after the checkpoint: partial-page writes on shared pages
for my $i (1 .. 20)
{
	$cnode->safe_psql('postgres', gen_insert('logs', 200000 + $i * 100, 200000 + $i * 100 + 99, $i));
}
my $cstate = table_state($cnode, 'logs');
{
	my $size0 = rel_size($cnode, 'logs');
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		psql_cmd($cnode, '-c', 'COPY (' . gen_select(1_000_001, 3_000_000, 100) . ') TO STDOUT'),
		'|', psql_cmd($cnode, '-c', 'COPY logs FROM STDIN'),
		'2>', \$err);
	ok(wait_until('stripes of the big COPY to be written',
			sub { rel_size($cnode, 'logs') > $size0 + 2_000_000 }),
		'checksums: big COPY is writing stripes');
	$cnode->stop('immediate');
	$h->finish;
	$cnode->start;
	is(table_state($cnode, 'logs'), $cstate,
		'checksums: immediate stop during COPY keeps exactly the committed rows');
	verify_clean($cnode, 'logs', 'checksums: after crash');
	$cnode->safe_psql('postgres', gen_insert('logs', 300001, 310000, 7));
	$cstate = table_state($cnode, 'logs');
	like($cstate, qr/^212000:/, 'checksums: table accepts writes after the crash');
}
# read every page back from disk, verifying page checksums
$cnode->restart;
my ($ret, $stdout, $stderr) = $cnode->psql('postgres', sprintf($CHECKSUM_SQL, 'logs'));
is($ret, 0, 'checksums: full scan after restart succeeds');
is($stdout, $cstate, 'checksums: contents unchanged across restart');
unlike($stderr, qr/checksum/, 'checksums: no page checksum complaints');
verify_clean($cnode, 'logs', 'checksums: final');
is($cnode->safe_psql('postgres',
		"SELECT coalesce(sum(checksum_failures), 0) FROM pg_stat_database"),
	'0', 'checksums: no checksum failures recorded');
$cnode->stop;

done_testing();
