
# Bad input and interrupted statements leave cocoon tables consistent:
#  - a COPY with a malformed row in the middle (wrong type, too many or too
#    few columns, invalid UTF-8, invalid JSON, broken CSV quoting), also after
#    full stripes were written, fails with PostgreSQL's usual error and leaves
#    nothing of that COPY visible;
#  - an INSERT ... SELECT failing half-way leaves nothing;
#  - statement_timeout during a large INSERT ... SELECT, pg_cancel_backend /
#    pg_terminate_backend during a large COPY, a scan, or the stripe flush of
#    a COMMIT leave the table consistent (cocoon.verify clean, exactly the
#    committed rows) and writable.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use IPC::Run;

sub gen_select
{
	my ($from, $to) = @_;
	return qq{SELECT '2024-01-01 00:00:00+00'::timestamptz + g * interval '10 ms',
  (ARRAY['INFO','WARN','ERROR','DEBUG'])[1 + g % 4], 'svc' || (g % 7),
  'host-' || (g % 13), 'request ' || g || ' took ' || (g % 1000) || ' ms',
  g, (g % 1000) / 10.0, md5(g::text)::uuid, jsonb_build_object('k', g % 5)
  FROM generate_series($from, $to) g};
}

sub copy_line
{
	my $id = shift;
	return sprintf("2024-01-02 %02d:%02d:%02d+00\tINFO\tcopy\thost-%d\tcopied row %d\t%d\t%.1f\t%s\t{\"k\": %d}\n",
		($id / 3600) % 24, ($id / 60) % 60, $id % 60, $id % 13, $id, $id, ($id % 100) / 10.0,
		'0000' . sprintf('%04x', $id % 65536) . '-0000-0000-0000-000000000000', $id % 5);
}

sub copy_lines
{
	my ($from, $to) = @_;
	return join('', map { copy_line($_) } ($from .. $to));
}

# count and an order-independent hash of every row
my $STATE = q{SELECT count(*) || ':' || coalesce(sum(hashtext(t::text)::int8), 0) FROM logs t};

sub wait_until
{
	my ($cond, $timeout) = @_;
	$timeout //= $PostgreSQL::Test::Utils::timeout_default;
	my $t0 = time;
	while (time - $t0 < $timeout)
	{
		return 1 if $cond->();
		usleep(20_000);
	}
	return 0;
}

sub psql_cmd
{
	my ($node, @args) = @_;
	return [ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), @args ];
}

my $node = PostgreSQL::Test::Cluster->new('bad');
$node->init;
$node->append_conf('postgresql.conf', "log_statement = none\n");
$node->start;
is($node->safe_psql('postgres', 'SHOW server_encoding'), 'UTF8', 'database encoding is UTF8');
$node->safe_psql('postgres', 'CREATE EXTENSION cocoon');
$node->safe_psql('postgres', q{CREATE TABLE logs (ts timestamptz, level text, service text,
  host text, message text, status int, latency_ms float8, trace_id uuid, attrs jsonb) USING cocoon});
$node->safe_psql('postgres', 'INSERT INTO logs ' . gen_select(1, 20000));
my $state = $node->safe_psql('postgres', $STATE);
my $next_id = 1_000_000;

# After each failure: exactly the old contents, verify clean, and a good
# COPY into the table works.
sub consistent_and_writable
{
	my ($name) = @_;
	is($node->safe_psql('postgres', $STATE), $state, "$name: table unchanged");
	is($node->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('logs')"), '0', "$name: verify clean");
	my ($from, $to) = ($next_id, $next_id + 99);
	$next_id += 1000;
	$node->safe_psql('postgres', "COPY logs FROM STDIN;\n" . copy_lines($from, $to) . "\\.\n");
	is($node->safe_psql('postgres', "SELECT count(*), min(status), max(status) FROM logs WHERE status BETWEEN $from AND $to"),
		"100|$from|$to", "$name: table writable afterwards");
	$state = $node->safe_psql('postgres', $STATE);
}

###########################################################################
# Malformed COPY input
###########################################################################
my @bad_rows = (
	[ 'wrong type', "2024-01-02 00:00:00+00\tINFO\tx\th\tm\tnot-a-number\t1.0\t\\N\t{}\n",
		qr/invalid input syntax for type integer: "not-a-number".*CONTEXT:  COPY logs, line \d+, column status/s ],
	[ 'too many columns', "2024-01-02 00:00:00+00\tINFO\tx\th\tm\t1\t1.0\t\\N\t{}\textra\n",
		qr/extra data after last expected column.*CONTEXT:  COPY logs, line \d+/s ],
	[ 'too few columns', "2024-01-02 00:00:00+00\tINFO\tx\th\tm\t1\n",
		qr/missing data for column "latency_ms".*CONTEXT:  COPY logs, line \d+/s ],
	[ 'invalid UTF-8', "2024-01-02 00:00:00+00\tINFO\tx\th\tbad \xC3\x28 bytes\t1\t1.0\t\\N\t{}\n",
		qr/invalid byte sequence for encoding "UTF8": 0xc3 0x28/ ],
	[ 'invalid JSON', "2024-01-02 00:00:00+00\tINFO\tx\th\tm\t1\t1.0\t\\N\t{\"k\": \n",
		qr/invalid input syntax for type json.*column attrs/s ],
	[ 'invalid timestamp', "2024-13-45 99:00:00+00\tINFO\tx\th\tm\t1\t1.0\t\\N\t{}\n",
		qr/date\/time field value out of range|invalid input syntax for type timestamp/ ],
);
for my $case (@bad_rows)
{
	my ($name, $bad, $errre) = @$case;
	for my $variant ([ 'middle', 2500, 5000, '' ], [ 'after full stripes', 4500, 5000, 'SET cocoon.stripe_rows = 1000;' ],
		[ 'last row', 3000, 3000, '' ])
	{
		my ($where, $badpos, $n, $setup) = @$variant;
		my $data = copy_lines($next_id, $next_id + $badpos - 2) . $bad
		  . ($n > $badpos ? copy_lines($next_id + $badpos, $next_id + $n - 1) : '');
		$next_id += 10000;
		my ($ret, $out, $err) = $node->psql('postgres', "$setup\nCOPY logs FROM STDIN;\n$data\\.\n");
		isnt($ret, 0, "COPY with $name ($where) fails");
		like($err, $errre, "COPY with $name ($where): usual error message");
		like($err, qr/line $badpos\b/, "COPY with $name ($where): error names line $badpos")
		  unless $name eq 'invalid UTF-8';
		consistent_and_writable("COPY with $name ($where)");
	}
}

# CSV with an unterminated quoted field, COPY from a server-side file
{
	my $file = $node->basedir . '/bad.csv';
	my $csv = '';
	$csv .= "2024-01-03 00:00:00+00,INFO,csv,h,\"message $_\",$_,1.5,,{}\n" for ($next_id .. $next_id + 2999);
	$csv .= "2024-01-03 00:00:00+00,INFO,csv,h,\"unterminated,1,1.5,,{}\n";
	$next_id += 10000;
	append_to_file($file, $csv);
	my ($ret, $out, $err) = $node->psql('postgres', "SET cocoon.stripe_rows = 1000; COPY logs FROM '$file' (FORMAT csv)");
	isnt($ret, 0, 'server-side CSV COPY with a broken quote fails');
	like($err, qr/unterminated CSV quoted field/, 'server-side CSV COPY: usual error');
	consistent_and_writable('server-side CSV COPY with a broken quote');
}

# INSERT ... SELECT failing half-way, with stripes already written
{
	# the 4322nd row divides by zero
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET cocoon.stripe_rows = 1000; INSERT INTO logs (status, message) SELECT g / (g - $next_id - 4321), 'x' FROM generate_series($next_id, $next_id + 9999) g");
	$next_id += 10000;
	like($err, qr/division by zero/, 'INSERT ... SELECT failing after 4321 rows errors');
	consistent_and_writable('INSERT ... SELECT failing half-way');
}

# values that are large but legal round-trip
{
	$node->safe_psql('postgres',
		"INSERT INTO logs (status, message, attrs) SELECT $next_id, repeat('0123456789', 2000000), jsonb_build_object('big', repeat('y', 5000000))");
	is($node->safe_psql('postgres', "SELECT length(message), md5(message), length(attrs->>'big') FROM logs WHERE status = $next_id"),
		'20000000|' . $node->safe_psql('postgres', "SELECT md5(repeat('0123456789', 2000000))") . '|5000000',
		'a 20 MB text value and a 5 MB jsonb value round-trip');
	$next_id += 10;
	is($node->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('logs')"), '0', 'verify clean with large values');
	$state = $node->safe_psql('postgres', $STATE);
}

###########################################################################
# Interrupted statements
###########################################################################

# statement_timeout during a large INSERT ... SELECT
{
	my $size0 = $node->safe_psql('postgres', "SELECT pg_relation_size('logs')");
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET cocoon.stripe_rows = 10000; SET statement_timeout = '2s'; INSERT INTO logs " . gen_select(5_000_001, 9_000_000));
	isnt($ret, 0, 'INSERT ... SELECT of 4M rows hits statement_timeout');
	like($err, qr/canceling statement due to statement timeout/, 'statement_timeout error');
	ok($node->safe_psql('postgres', "SELECT pg_relation_size('logs')") > $size0,
		'stripes had been written before the timeout');
	consistent_and_writable('statement_timeout during INSERT ... SELECT');
}

# pg_cancel_backend / pg_terminate_backend during a large COPY
for my $how ('pg_cancel_backend', 'pg_terminate_backend')
{
	my $size0 = $node->safe_psql('postgres', "SELECT pg_relation_size('logs')");
	my $logoffset = -s $node->logfile;
	my $err = '';
	my $h = IPC::Run::start(
		psql_cmd($node, '-c', 'COPY (' . gen_select(10_000_001, 13_000_000) . ') TO STDOUT'),
		'|', psql_cmd($node, '-c', 'SET cocoon.stripe_rows = 10000', '-c', 'COPY logs FROM STDIN'),
		'2>', \$err);
	my $pid;
	ok(wait_until(sub {
				$pid ||= $node->safe_psql('postgres',
					"SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY logs FROM STDIN%'");
				$pid && $node->safe_psql('postgres', "SELECT pg_relation_size('logs')") > $size0 + 500_000;
			}),
		"$how: COPY is writing stripes");
	is($node->safe_psql('postgres', "SELECT $how($pid)"), 't', "$how of the COPY backend");
	# the server fails the COPY at once (a canceled COPY FROM STDIN client
	# would only hear of it after sending all its data: stop the clients)
	$node->wait_for_log($how eq 'pg_cancel_backend' ? qr/canceling statement due to user request/
		: qr/terminating connection due to administrator command/, $logoffset);
	pass("$how: the COPY fails");
	$h->kill_kill;
	$node->poll_query_until('postgres', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid");
	consistent_and_writable("$how during COPY");
}

# pg_cancel_backend during a scan
{
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		psql_cmd($node, '-c', "SELECT count(*) FROM logs a CROSS JOIN generate_series(1, 1000) s WHERE a.message || s::text LIKE '%zz%'"),
		'>', \$out, '2>', \$err);
	my $pid;
	ok(wait_until(sub {
				$pid = $node->safe_psql('postgres',
					"SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT count(*) FROM logs a%'");
			}),
		'scan is running');
	usleep(300_000);
	is($node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)"), 't', 'pg_cancel_backend of the scan');
	$h->finish;
	like($err, qr/canceling statement due to user request/, 'the scan is canceled');
	consistent_and_writable('cancel during a scan');
}

# cancel / terminate while COMMIT flushes a big transaction's stripe: the
# transaction is all or nothing, and the client's answer tells which
for my $how ('pg_cancel_backend', 'pg_terminate_backend')
{
	my $N = 250_000;
	my $size0 = $node->safe_psql('postgres', "SELECT pg_relation_size('logs')");
	my $first = $next_id;
	$next_id += $N + 1000;
	my $file = $node->basedir . "/commit_$how.sql";
	append_to_file($file, "SET cocoon.stripe_rows = 5000000;\nBEGIN;\nINSERT INTO logs "
		  . gen_select($first, $first + $N - 1) . ";\nCOMMIT;\n\\echo committed\n");
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(psql_cmd($node, '-f', $file), '>', \$out, '2>', \$err);
	my $pid;
	ok(wait_until(sub {
				$h->pump_nb if $h->pumpable;
				$pid = $node->safe_psql('postgres',
					"SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COMMIT%'");
				$pid || !$h->pumpable;
			}, 120),
		"$how: COMMIT of a big transaction is running");
	$node->safe_psql('postgres', "SELECT $how($pid)") if $pid;
	$h->finish;
	$node->poll_query_until('postgres', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid") if $pid;
	my $n = $node->safe_psql('postgres', "SELECT count(*) FROM logs WHERE status BETWEEN $first AND " . ($first + $N - 1));
	note "$how during COMMIT: client said '$out' / '$err', $n rows visible";
	if ($out =~ /committed/)
	{
		is($n, $N, "$how during COMMIT: acknowledged commit has all its rows");
	}
	else
	{
		is($n, 0, "$how during COMMIT: failed commit has none of its rows");
	}
	is($node->safe_psql('postgres', "SELECT count(*) FROM cocoon.verify('logs')"), '0', "$how during COMMIT: verify clean");
	$state = $node->safe_psql('postgres', $STATE);
	consistent_and_writable("$how during COMMIT");
}

# everything still reads back after a restart
$node->restart;
is($node->safe_psql('postgres', $STATE), $state, 'contents unchanged after restart');
$node->stop;
done_testing();
