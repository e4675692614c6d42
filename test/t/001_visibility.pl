
# Transactional visibility of cocoon tables:
#  - rolled-back INSERT and COPY leave no visible row (also when full stripes
#    were already written before the rollback);
#  - ROLLBACK TO SAVEPOINT discards exactly the rows inserted after the
#    savepoint (nested savepoints, released ones, PL/pgSQL exception blocks);
#  - a transaction sees its own unflushed rows, with the command-id rules of
#    a heap (a cursor does not see rows inserted after it was opened);
#  - REPEATABLE READ and SERIALIZABLE snapshots never see rows committed
#    after they began, READ COMMITTED sees them at the next statement;
#  - prepared transactions (2PC) commit and roll back correctly, also across
#    a restart.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $TABLE_COLS = q{(ts timestamptz, level text, service text, host text,
  message text, status int, latency_ms float8, trace_id uuid, attrs jsonb)};

sub gen_insert
{
	my ($table, $from, $to, $tag) = @_;
	$tag //= 'x';
	return qq{INSERT INTO $table SELECT '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 s',
  (ARRAY['INFO','WARN','ERROR','DEBUG'])[1 + g % 4], 'svc' || (g % 7),
  'host-' || (g % 13), 'request ' || g || ' took ' || (g % 1000) || ' ms',
  g, (g % 1000) / 10.0, md5(g::text)::uuid, jsonb_build_object('tag', '$tag')
  FROM generate_series($from, $to) g};
}

sub copy_data
{
	my ($from, $to, $tag) = @_;
	my $s = '';
	$s .= "2024-01-02 00:00:00+00\tINFO\tcopy\thost\tcopied $_\t$_\t0.5\t\\N\t{\"tag\": \"$tag\"}\n"
	  for ($from .. $to);
	return $s . "\\.\n";
}

my $SUMMARY = q{SELECT count(*), count(DISTINCT status), coalesce(min(status), 0), coalesce(max(status), 0), coalesce(sum(status), 0) FROM %s};

sub summary
{
	my ($node, $table) = @_;
	return $node->safe_psql('postgres', sprintf($SUMMARY, $table));
}

# count|distinct|min|max|sum for the id ranges given as [from, to] pairs
sub expect
{
	my @ranges = @_;
	my ($n, $min, $max, $sum) = (0, undef, undef, 0);
	for my $r (@ranges)
	{
		my ($a, $b) = @$r;
		$n += $b - $a + 1;
		$sum += ($a + $b) * ($b - $a + 1) / 2;
		$min = $a if !defined $min || $a < $min;
		$max = $b if !defined $max || $b > $max;
	}
	return join('|', $n, $n, $min // 0, $max // 0, $sum);
}

my $node = PostgreSQL::Test::Cluster->new('vis');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_prepared_transactions = 10
log_statement = none
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION cocoon');

###########################################################################
# Rolled-back INSERT and COPY
###########################################################################
$node->safe_psql('postgres', "CREATE TABLE t_rb $TABLE_COLS USING cocoon");
$node->safe_psql('postgres', gen_insert('t_rb', 1, 100));
$node->safe_psql('postgres', "BEGIN; " . gen_insert('t_rb', 1001, 1500) . "; ROLLBACK;");
is(summary($node, 't_rb'), expect([ 1, 100 ]), 'rolled-back INSERT leaves no row');
# with stripes flushed before the rollback
$node->safe_psql('postgres', "BEGIN; SET LOCAL cocoon.stripe_rows = 1000; "
	  . gen_insert('t_rb', 2001, 7500) . "; ROLLBACK;");
is(summary($node, 't_rb'), expect([ 1, 100 ]), 'rolled-back INSERT that flushed full stripes leaves no row');
$node->safe_psql('postgres', "BEGIN; SET LOCAL cocoon.stripe_rows = 1000;\nCOPY t_rb FROM STDIN;\n"
	  . copy_data(10001, 13000, 'copy') . "ROLLBACK;");
is(summary($node, 't_rb'), expect([ 1, 100 ]), 'rolled-back COPY leaves no row');
# a failing statement aborts the transaction
my ($ret, $out, $err) = $node->psql('postgres', "BEGIN; " . gen_insert('t_rb', 20001, 21000)
	  . "; SELECT 1/0; COMMIT;");
is(summary($node, 't_rb'), expect([ 1, 100 ]), 'transaction aborted by an error leaves no row');
is($node->safe_psql('postgres', 'SELECT row_count FROM cocoon.stats(\'t_rb\')'), '100',
	'cocoon.stats counts only committed rows');
is($node->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('t_rb')"), '0', 'verify clean after rollbacks');
$node->safe_psql('postgres', gen_insert('t_rb', 101, 200));
is(summary($node, 't_rb'), expect([ 1, 200 ]), 'inserts after rollbacks work');

###########################################################################
# Savepoints
###########################################################################
$node->safe_psql('postgres', "CREATE TABLE t_sp $TABLE_COLS USING cocoon");
$node->safe_psql('postgres', join(";\n",
		'BEGIN',
		gen_insert('t_sp', 1, 100),
		'SAVEPOINT a',
		gen_insert('t_sp', 101, 200),
		'SAVEPOINT b',
		gen_insert('t_sp', 201, 300),
		'ROLLBACK TO SAVEPOINT b',
		gen_insert('t_sp', 301, 400),
		'RELEASE SAVEPOINT b',
		'SAVEPOINT c',
		gen_insert('t_sp', 401, 500),
		'ROLLBACK TO SAVEPOINT c',
		gen_insert('t_sp', 501, 600),
		'COMMIT'));
is(summary($node, 't_sp'), expect([ 1, 200 ], [ 301, 400 ], [ 501, 600 ]),
	'ROLLBACK TO SAVEPOINT discards exactly the rows after the savepoint');

$node->safe_psql('postgres', 'TRUNCATE t_sp');
# inner savepoint released, then the outer one rolled back: all of it goes
$node->safe_psql('postgres', join(";\n",
		'BEGIN',
		gen_insert('t_sp', 1, 50),
		'SAVEPOINT outer_sp',
		gen_insert('t_sp', 51, 100),
		'SAVEPOINT inner_sp',
		gen_insert('t_sp', 101, 150),
		'RELEASE SAVEPOINT inner_sp',
		'ROLLBACK TO SAVEPOINT outer_sp',
		gen_insert('t_sp', 151, 200),
		'COMMIT'));
is(summary($node, 't_sp'), expect([ 1, 50 ], [ 151, 200 ]),
	'rolling back an outer savepoint discards rows of released inner ones');

# big subtransactions that flush full stripes
$node->safe_psql('postgres', 'TRUNCATE t_sp');
$node->safe_psql('postgres', join(";\n",
		'BEGIN',
		'SET LOCAL cocoon.stripe_rows = 1000',
		gen_insert('t_sp', 1, 2500),
		'SAVEPOINT a',
		gen_insert('t_sp', 2501, 6000),
		'ROLLBACK TO SAVEPOINT a',
		'SAVEPOINT b',
		gen_insert('t_sp', 6001, 9500),
		'RELEASE SAVEPOINT b',
		gen_insert('t_sp', 9501, 9600),
		'COMMIT'));
is(summary($node, 't_sp'), expect([ 1, 2500 ], [ 6001, 9600 ]),
	'savepoints with full stripes flushed inside them');
is($node->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('t_sp')"), '0', 'verify clean after savepoints');

# the rows a transaction sees of itself follow the savepoints
is($node->safe_psql('postgres', join(";\n",
			'BEGIN',
			'SET LOCAL cocoon.stripe_rows = 1000',
			gen_insert('t_sp', 20001, 21500),
			'SAVEPOINT a',
			gen_insert('t_sp', 30001, 32000),
			'ROLLBACK TO SAVEPOINT a',
			sprintf($SUMMARY, 't_sp') . ' WHERE status > 20000',
			'ROLLBACK')),
	expect([ 20001, 21500 ]), 'a transaction sees its own rows minus rolled-back savepoints');

# PL/pgSQL exception blocks are subtransactions too
$node->safe_psql('postgres', 'TRUNCATE t_sp');
$node->safe_psql('postgres', q{
DO $$
BEGIN
  INSERT INTO t_sp (status, message) SELECT g, 'kept' FROM generate_series(1, 10) g;
  BEGIN
    INSERT INTO t_sp (status, message) SELECT g, 'lost' FROM generate_series(11, 20) g;
    PERFORM 1 / 0;
  EXCEPTION WHEN division_by_zero THEN
    INSERT INTO t_sp (status, message) SELECT g, 'handler' FROM generate_series(21, 30) g;
  END;
  INSERT INTO t_sp (status, message) SELECT g, 'after' FROM generate_series(31, 40) g;
END $$});
is($node->safe_psql('postgres', 'SELECT message, count(*), min(status), max(status) FROM t_sp GROUP BY 1 ORDER BY 1'),
	"after|10|31|40\nhandler|10|21|30\nkept|10|1|10", 'exception block discards exactly its own rows');

###########################################################################
# Reading one's own unflushed rows
###########################################################################
$node->safe_psql('postgres', "CREATE TABLE t_own $TABLE_COLS USING cocoon");
$node->safe_psql('postgres', gen_insert('t_own', 1, 10));
my $s1 = $node->background_psql('postgres');
my $s2 = $node->background_psql('postgres');
$s1->query_safe('BEGIN');
$s1->query_safe(gen_insert('t_own', 11, 20));
is($s1->query_safe(sprintf($SUMMARY, 't_own')), expect([ 1, 20 ]), 'a transaction sees its own unflushed rows');
is($s2->query_safe(sprintf($SUMMARY, 't_own')), expect([ 1, 10 ]), 'others do not');
is($s1->query_safe("SELECT message FROM t_own WHERE status = 15"), 'request 15 took 15 ms',
	'own unflushed row returned with its values');
# command ids: a cursor opened before an insert does not see its rows
$s1->query_safe('DECLARE c1 CURSOR FOR SELECT status FROM t_own ORDER BY status');
$s1->query_safe(gen_insert('t_own', 21, 30));
is($s1->query_safe('FETCH ALL FROM c1'), join("\n", 1 .. 20), 'cursor does not see rows inserted after it opened');
is($s1->query_safe(sprintf($SUMMARY, 't_own')), expect([ 1, 30 ]), 'the next statement does');
# INSERT ... SELECT from the same table reads only rows before the command
$s1->query_safe("INSERT INTO t_own (status, message) SELECT status + 1000, message FROM t_own");
is($s1->query_safe(sprintf($SUMMARY, 't_own')), expect([ 1, 30 ], [ 1001, 1030 ]),
	'INSERT ... SELECT from itself doubles the table exactly once');
# many own rows: full stripes flushed plus pending ones
$s1->query_safe('SET cocoon.stripe_rows = 1000');
$s1->query_safe(gen_insert('t_own', 5001, 7500));
is($s1->query_safe(sprintf($SUMMARY, 't_own') . ' WHERE status > 5000'), expect([ 5001, 7500 ]),
	'own rows across flushed stripes and the write buffer');
is($s2->query_safe(sprintf($SUMMARY, 't_own')), expect([ 1, 10 ]),
	'other sessions still see only committed rows');
# parallel scans see the leader's own rows exactly once
$s1->query_safe('SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2');
like($s1->query_safe('EXPLAIN (COSTS OFF) ' . sprintf($SUMMARY, 't_own')), qr/Gather/, 'parallel plan chosen');
is($s1->query_safe(sprintf($SUMMARY, 't_own')), expect([ 1, 30 ], [ 1001, 1030 ], [ 5001, 7500 ]),
	'parallel scan in the writing transaction sees its own rows exactly once');
$s1->query_safe('SET cocoon.enable_custom_scan = off');
is($s1->query_safe(sprintf($SUMMARY, 't_own')), expect([ 1, 30 ], [ 1001, 1030 ], [ 5001, 7500 ]),
	'parallel plain sequential scan too');
$s1->query_safe('RESET cocoon.enable_custom_scan; RESET max_parallel_workers_per_gather');
$s1->query_safe('COMMIT');
is($s2->query_safe(sprintf($SUMMARY, 't_own')), expect([ 1, 30 ], [ 1001, 1030 ], [ 5001, 7500 ]),
	'after commit others see all of them');

###########################################################################
# Snapshots: REPEATABLE READ, SERIALIZABLE, READ COMMITTED
###########################################################################
$node->safe_psql('postgres', "CREATE TABLE t_snap $TABLE_COLS USING cocoon");
$node->safe_psql('postgres', gen_insert('t_snap', 1, 1000));
my $md5 = q{SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM t_snap t};
for my $iso ('REPEATABLE READ', 'SERIALIZABLE')
{
	my $before = $s2->query_safe(sprintf($SUMMARY, 't_snap'));
	my $before_md5 = $s2->query_safe($md5);
	# a writer whose transaction is in progress when the snapshot is taken
	$s2->query_safe('BEGIN');
	$s2->query_safe('SET LOCAL cocoon.stripe_rows = 1000');
	$s2->query_safe(gen_insert('t_snap', 100001, 103500, 'inprog'));

	$s1->query_safe("BEGIN ISOLATION LEVEL $iso");
	is($s1->query_safe(sprintf($SUMMARY, 't_snap')), $before, "$iso: snapshot taken");

	$s2->query_safe('COMMIT');
	# and transactions that start and commit after it
	$node->safe_psql('postgres', gen_insert('t_snap', 200001, 200500, 'later'));
	$node->safe_psql('postgres', "SET cocoon.stripe_rows = 1000; " . gen_insert('t_snap', 300001, 303000, 'later'));
	$node->safe_psql('postgres', "COPY t_snap FROM STDIN;\n" . copy_data(400001, 400100, 'later'));

	is($s1->query_safe(sprintf($SUMMARY, 't_snap')), $before,
		"$iso: rows committed after the snapshot are invisible");
	is($s1->query_safe($md5), $before_md5, "$iso: contents unchanged within the transaction");
	is($s1->query_safe("SELECT count(*) FROM t_snap WHERE status > 100000"), '0',
		"$iso: none of the new rows by predicate either");
	# a read-only RR/SERIALIZABLE transaction commits fine
	$s1->query_safe('COMMIT');
	my $after = $s1->query_safe(sprintf($SUMMARY, 't_snap'));
	isnt($after, $before, "$iso: new snapshot sees the new rows");
	is($s1->query_safe("SELECT count(*) FROM t_snap WHERE status > 100000"), 3500 + 500 + 3000 + 100,
		"$iso: all rows committed meanwhile visible to a new transaction");
	# reset for the next isolation level
	$node->safe_psql('postgres', 'TRUNCATE t_snap');
	$node->safe_psql('postgres', gen_insert('t_snap', 1, 1000));
}

# READ COMMITTED: each statement sees what was committed before it started
$s1->query_safe('BEGIN ISOLATION LEVEL READ COMMITTED');
is($s1->query_safe('SELECT count(*) FROM t_snap'), '1000', 'READ COMMITTED: first statement');
$node->safe_psql('postgres', gen_insert('t_snap', 2001, 2100));
is($s1->query_safe('SELECT count(*) FROM t_snap'), '1100', 'READ COMMITTED: next statement sees the new commit');
$s1->query_safe('COMMIT');

$s1->quit;
$s2->quit;

###########################################################################
# Prepared transactions
###########################################################################
$node->safe_psql('postgres', "CREATE TABLE t_2pc $TABLE_COLS USING cocoon");
$node->safe_psql('postgres', gen_insert('t_2pc', 1, 100));
$node->safe_psql('postgres', "BEGIN; " . gen_insert('t_2pc', 1001, 1500) . "; PREPARE TRANSACTION 'p_commit';");
$node->safe_psql('postgres', "BEGIN; SET LOCAL cocoon.stripe_rows = 1000; " . gen_insert('t_2pc', 2001, 4500)
	  . "; PREPARE TRANSACTION 'p_rollback';");
$node->safe_psql('postgres', join(";\n",
		'BEGIN',
		gen_insert('t_2pc', 5001, 5100),
		'SAVEPOINT s',
		gen_insert('t_2pc', 5101, 5200),
		'ROLLBACK TO SAVEPOINT s',
		"COPY t_2pc FROM STDIN")
	  . ";\n" . copy_data(5201, 5300, '2pc') . "PREPARE TRANSACTION 'p_restart';\n");
is($node->safe_psql('postgres', 'SELECT gid FROM pg_prepared_xacts ORDER BY 1'),
	"p_commit\np_restart\np_rollback", 'three transactions prepared');
is(summary($node, 't_2pc'), expect([ 1, 100 ]), 'prepared transactions are invisible before commit');
$node->safe_psql('postgres', "COMMIT PREPARED 'p_commit'");
is(summary($node, 't_2pc'), expect([ 1, 100 ], [ 1001, 1500 ]), 'COMMIT PREPARED makes the rows visible');
$node->safe_psql('postgres', "ROLLBACK PREPARED 'p_rollback'");
is(summary($node, 't_2pc'), expect([ 1, 100 ], [ 1001, 1500 ]), 'ROLLBACK PREPARED discards the rows');

# a prepared transaction survives a crash and commits afterwards
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', 'SELECT gid FROM pg_prepared_xacts'), 'p_restart',
	'prepared transaction survives a crash');
is(summary($node, 't_2pc'), expect([ 1, 100 ], [ 1001, 1500 ]), 'still invisible after the crash');
$node->safe_psql('postgres', "COMMIT PREPARED 'p_restart'");
is(summary($node, 't_2pc'), expect([ 1, 100 ], [ 1001, 1500 ], [ 5001, 5100 ], [ 5201, 5300 ]),
	'COMMIT PREPARED after the crash makes exactly its rows visible');
is($node->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('t_2pc')"), '0', 'verify clean after 2PC');

for my $t (qw(t_rb t_sp t_own t_snap t_2pc))
{
	is($node->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('$t')"), '0', "final verify of $t");
}
$node->stop;
done_testing();
