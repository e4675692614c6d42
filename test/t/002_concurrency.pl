
# Concurrent writers and readers on one cocoon table.
#
# Five writers (INSERT ... SELECT, COPY FROM STDIN, multi-statement
# transactions some of which roll back, transactions big enough to write
# full stripes before their commit, and transactions with a rolled-back
# savepoint) each commit many transactions.  Every transaction inserts rows
# of one batch id, and each batch has a known size.  Two readers (CocoonScan
# and a plain, possibly parallel, sequential scan; REPEATABLE READ pairs of
# reads) check all the time that no partial transaction is ever visible.
# Meanwhile VACUUM and cocoon.compact() keep rewriting the many small
# stripes.  At the end the table holds exactly the batches the writers saw
# committed, each row exactly once.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);
use IPC::Run;

my $DURATION = 20;       # seconds of concurrent load
my $MAX_ITER = 5000;    # per client; the stop flag normally ends them first

my $node = PostgreSQL::Test::Cluster->new('conc');
$node->init;
$node->append_conf('postgresql.conf', qq{
log_statement = none
max_connections = 30
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION cocoon');
$node->safe_psql('postgres', q{CREATE TABLE logs (ts timestamptz, level text,
  service text, host text, message text, status int, latency_ms float8,
  trace_id uuid, attrs jsonb) USING cocoon});
$node->safe_psql('postgres', 'CREATE TABLE stop_flag (x int)');

# batch = writer * 100000 + n; row ids: id_base(batch) + 1 .. id_base(batch) + k
sub batch_id { my ($w, $n) = @_; return $w * 100000 + $n; }
sub id_base { my $b = shift; return int($b / 100000) * 100_000_000 + ($b % 100000) * 2500; }

sub ins
{
	my ($batch, $k, $lo, $hi) = @_;
	$lo //= 1;
	$hi //= $k;
	my $base = id_base($batch);
	return qq{INSERT INTO logs SELECT '2024-03-01'::timestamptz + (g % 86400) * interval '1 s',
 (ARRAY['INFO','WARN','ERROR'])[1 + g % 3], 'svc' || (g % 5), 'h' || (g % 11),
 'batch $batch row ' || g, $base + g, g / 7.0, NULL,
 '{"b": $batch, "k": $k}' FROM generate_series($lo, $hi) g;\n};
}

sub copy_batch
{
	my ($batch, $k) = @_;
	my $base = id_base($batch);
	my $s = "COPY logs FROM STDIN;\n";
	for my $g (1 .. $k)
	{
		$s .= sprintf("2024-03-02 %02d:%02d:00+00\tINFO\tcopy\th%d\tbatch %d row %d\t%d\t%.2f\t\\N\t{\"b\": %d, \"k\": %d}\n",
			$g % 24, $g % 60, $g % 11, $batch, $g, $base + $g, $g / 3, $batch, $k);
	}
	return $s . "\\.\n";
}

my $STOP_CHECK = "SELECT EXISTS (SELECT FROM stop_flag) AS stop \\gset\n\\if :stop\n\\q\n\\endif\n";
# writers pause a little between transactions, so that readers get rounds in
my $WRITER_STOP_CHECK = "SELECT pg_sleep(0.005) AS nap, EXISTS (SELECT FROM stop_flag) AS stop \\gset\n\\if :stop\n\\q\n\\endif\n";

# writer scripts
my %writer;
$writer{1} = sub {    # single INSERT ... SELECT, 20 rows
	my $n = shift;
	my $b = batch_id(1, $n);
	return (ins($b, 20), $b);
};
$writer{2} = sub {    # COPY FROM STDIN, 20 rows
	my $n = shift;
	my $b = batch_id(2, $n);
	return (copy_batch($b, 20), $b);
};
$writer{3} = sub {    # two INSERTs in one transaction; every 4th rolls back
	my $n = shift;
	my $b = batch_id(3, $n);
	my $end = $n % 4 == 0 ? 'ROLLBACK' : 'COMMIT';
	return ("BEGIN;\n" . ins($b, 30, 1, 15) . ins($b, 30, 16, 30) . "$end;\n",
		$end eq 'COMMIT' ? $b : undef);
};
$writer{4} = sub {    # 1100 rows with 1000-row stripes: stripes flushed before COMMIT
	my $n = shift;
	my $b = batch_id(4, $n);
	return ("BEGIN;\nSET LOCAL cocoon.stripe_rows = 1000;\n" . ins($b, 1100) . "COMMIT;\n", $b);
};
$writer{5} = sub {    # savepoint rolled back in the middle (its rows are batch + 50000)
	my $n = shift;
	my $b = batch_id(5, $n);
	return ("BEGIN;\n" . ins($b, 10, 1, 5) . "SAVEPOINT s;\n" . ins($b + 50000, 10)
		  . "ROLLBACK TO SAVEPOINT s;\n" . ins($b, 10, 6, 10) . "COMMIT;\n", $b);
};

my (%wh, %wout, %werr);
for my $w (sort keys %writer)
{
	my $script = '';
	for my $n (1 .. $MAX_ITER)
	{
		my ($sql, $b) = $writer{$w}->($n);
		$script .= ($w == 4 ? "SELECT pg_sleep(0.1);\n" : '') . $WRITER_STOP_CHECK . $sql;
		$script .= "\\echo acked $b\n" if defined $b;
	}
	my $file = $node->basedir . "/writer$w.sql";
	append_to_file($file, $script);
	($wout{$w}, $werr{$w}) = ('', '');
	$wh{$w} = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), '-f', $file ],
		'>', \$wout{$w}, '2>', \$werr{$w});
}

# reader scripts: each check prints "chk <name> <result>"; a good result is
# "ok".  A batch is complete if it has k rows, k distinct ids, one k.
my $PARTIAL = q{(SELECT count(*) FROM (SELECT attrs->>'b' FROM logs GROUP BY 1
   HAVING count(*) <> max((attrs->>'k')::int) OR count(DISTINCT status) <> count(*)
       OR min((attrs->>'k')::int) <> max((attrs->>'k')::int)) x)};
my $ROLLED = q{(SELECT count(*) FROM logs WHERE (attrs->>'b')::int % 100000 >= 50000
   OR ((attrs->>'b')::int / 100000 = 3 AND (attrs->>'b')::int % 4 = 0))};
my $reader_body = qq{SELECT 'chk partial ' || CASE WHEN $PARTIAL = 0 THEN 'ok' ELSE 'BAD' END;
SELECT 'chk rolledback ' || CASE WHEN $ROLLED = 0 THEN 'ok' ELSE 'BAD' END;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS c1, coalesce(sum(status::int8), 0) AS s1 FROM logs \\gset
SELECT count(*) AS c2, coalesce(sum(status::int8), 0) AS s2, count(*) FILTER (WHERE level = 'ERROR') AS e2 FROM logs \\gset
SELECT count(*) AS e3 FROM logs WHERE level = 'ERROR' \\gset
COMMIT;
SELECT 'chk rr ' || CASE WHEN :c1 = :c2 AND :s1 = :s2 AND :e2 = :e3 THEN 'ok' ELSE 'BAD :c1 :c2' END;
SELECT 'chk count ' || CASE WHEN (SELECT count(*) FROM logs) =
  (SELECT coalesce(sum(k), 0) FROM (SELECT max((attrs->>'k')::int) k FROM logs GROUP BY attrs->>'b') y)
  THEN 'ok' ELSE 'BAD' END;
};
my %reader_setup = (
	1 => '',
	2 => "SET cocoon.enable_custom_scan = off;\nSET parallel_setup_cost = 0;\nSET parallel_tuple_cost = 0;\n"
	  . "SET min_parallel_table_scan_size = 0;\nSET max_parallel_workers_per_gather = 2;\n",
);
my (%rh, %rout, %rerr);
for my $r (sort keys %reader_setup)
{
	my $script = $reader_setup{$r};
	$script .= $STOP_CHECK . $reader_body for (1 .. 5000);
	my $file = $node->basedir . "/reader$r.sql";
	append_to_file($file, $script);
	($rout{$r}, $rerr{$r}) = ('', '');
	$rh{$r} = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), '-f', $file ],
		'>', \$rout{$r}, '2>', \$rerr{$r});
}

# maintenance: VACUUM (which compacts partitions with many small stripes)
# and cocoon.compact() rewrite stripes under the readers' and writers' feet
my ($mout, $merr) = ('', '');
{
	my $script = '';
	$script .= $STOP_CHECK
	  . "SELECT pg_sleep(1);\nVACUUM logs;\nSELECT pg_sleep(1);\n"
	  . "SELECT 'compact ' || stripes_before || ' ' || stripes_after FROM cocoon.compact('logs');\n"
	  for (1 .. 1000);
	my $file = $node->basedir . '/maintenance.sql';
	append_to_file($file, $script);
	$rh{maintenance} = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), '-f', $file ],
		'>', \$mout, '2>', \$merr);
}

my $t0 = time;
while (time - $t0 < $DURATION)
{
	$_->pump_nb for grep { $_->pumpable } values(%wh), values(%rh);
	usleep(100_000);
}
$node->safe_psql('postgres', 'INSERT INTO stop_flag VALUES (1)');
for my $h (values(%wh), values(%rh))
{
	$h->finish;
}

for my $w (sort keys %writer)
{
	is($wh{$w}->result(0), 0, "writer $w finished cleanly") or diag $werr{$w};
}
is($rh{maintenance}->result(0), 0, 'VACUUM / cocoon.compact() client finished cleanly') or diag $merr;
my @compactions = ($mout =~ /^compact (\d+) (\d+)$/mg);
ok(@compactions >= 2, 'cocoon.compact() ran ' . (@compactions / 2) . ' times: ' . join(',', @compactions));
for my $r (sort keys %reader_setup)
{
	is($rh{$r}->result(0), 0, "reader $r finished cleanly") or diag $rerr{$r};
	my @chk = ($rout{$r} =~ /^chk (\w+) (.*)$/mg);
	my (%n, @bad);
	while (my ($what, $res) = splice(@chk, 0, 2))
	{
		$n{$what}++;
		push @bad, "$what: $res" if $res ne 'ok';
	}
	ok(($n{partial} // 0) >= 3, "reader $r ran " . ($n{partial} // 0) . ' rounds of checks');
	is_deeply(\@bad, [], "reader $r never saw a partial, rolled-back or inconsistent state");
}

# the table holds exactly the acknowledged batches, each complete
my %acked;
my %k = (1 => 20, 2 => 20, 3 => 30, 4 => 1100, 5 => 10);
my $expected_rows = 0;
for my $w (sort keys %writer)
{
	my @b = ($wout{$w} =~ /^acked (\d+)$/mg);
	ok(@b >= 2, "writer $w committed " . scalar(@b) . ' transactions');
	$acked{$_} = $k{$w} for @b;
	$expected_rows += $k{$w} * @b;
}
my %present;
for my $line (split /\n/, $node->safe_psql('postgres',
		"SELECT attrs->>'b', count(*), count(DISTINCT status), min(status), max(status) FROM logs GROUP BY 1"))
{
	my ($b, $n, $d, $min, $max) = split /\|/, $line;
	$present{$b} = [ $n, $d, $min, $max ];
}
my @missing = grep { !$present{$_} } sort keys %acked;
my @extra = grep { !$acked{$_} } sort keys %present;
my @wrong = grep {
	my $p = $present{$_};
	$p->[0] != $acked{$_} || $p->[1] != $acked{$_}
	  || $p->[2] != id_base($_) + 1 || $p->[3] != id_base($_) + $acked{$_}
} grep { $acked{$_} } sort keys %present;
is_deeply(\@missing, [], 'every committed batch is present');
is_deeply(\@extra, [], 'no uncommitted batch is present');
is_deeply(\@wrong, [], 'every committed row is present exactly once');
is($node->safe_psql('postgres', 'SELECT count(*) FROM logs'), $expected_rows, "table has exactly $expected_rows rows");
is($node->safe_psql('postgres', 'SELECT count(*) = count(DISTINCT status) FROM logs'), 't', 'ids are unique');
is($node->safe_psql('postgres', 'SELECT row_count FROM cocoon.stats(\'logs\')'), $expected_rows,
	'cocoon.stats agrees');
is($node->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('logs')"), '0', 'cocoon.verify is clean');

# and the same after a restart
my $sum = $node->safe_psql('postgres', 'SELECT count(*), sum(status::int8) FROM logs');
$node->restart;
is($node->safe_psql('postgres', 'SELECT count(*), sum(status::int8) FROM logs'), $sum, 'same contents after restart');
$node->stop;
done_testing();
