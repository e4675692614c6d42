
# A standby query must never read bytes the primary has freed and reused.
# With hot_standby_feedback off the primary frees a retired stripe as soon
# as no snapshot *on the primary* can see it; a standby snapshot taken
# earlier still sees its directory row.  As for heap, the standby must
# cancel such a query (a recovery conflict) before it replays the reuse:
# cocoon prunes the retired stripe's directory row before freeing its
# bytes, and the prune record carries the conflict horizon.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', qq{
shared_buffers = 16MB
# a standby slowed down by a busy machine must not lose WAL it still needs
wal_keep_size = 1GB
autovacuum = off
log_statement = none
});
$primary->start;
$primary->safe_psql('postgres', q{
CREATE EXTENSION cocoon;
CREATE TABLE c (id int, v text) USING cocoon;
});
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->append_conf('postgresql.conf', qq{
shared_buffers = 16MB
hot_standby_feedback = off
max_standby_streaming_delay = 0
log_statement = none
});
$standby->start;

my $OLD = q{INSERT INTO c SELECT g, 'old-' || lpad(g::text, 6, '0') FROM generate_series(1, 5000) g};
my $NEW = q{INSERT INTO c SELECT g, 'new-' || lpad(g::text, 6, '0') FROM generate_series(1, 5000) g};
my $READ = q{SELECT count(*) || ':' || sum(id) || ':' || min(v) || ':' || max(v) FROM c WHERE id <= 5000};

my $round = 0;
sub one_round
{
	my ($name) = @_;
	$round++;
	$primary->safe_psql('postgres', "TRUNCATE c; $OLD; INSERT INTO c VALUES (999999, 'tail')");
	$primary->wait_for_catchup($standby, 'replay');
	is($standby->safe_psql('postgres', $READ), '5000:12502500:old-000001:old-005000',
		"$name: standby reads the rows");

	# a standby transaction takes its snapshot, then waits (without touching
	# c, so it holds no lock a replayed AccessExclusiveLock would cancel) for
	# the primary to retire, free and reuse the stripe's bytes; then reads
	my $s = $standby->background_psql('postgres', on_error_stop => 0, timeout => 60);
	$s->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
	$s->query_safe('SELECT 1');
	my $size = $primary->safe_psql('postgres', "SELECT pg_relation_size('c')");
	$primary->safe_psql('postgres', 'DELETE FROM c WHERE id <= 5000');
	$primary->safe_psql('postgres', 'VACUUM c');
	$primary->safe_psql('postgres', $NEW);
	is($primary->safe_psql('postgres', "SELECT pg_relation_size('c')"), $size,
		"$name: the primary reused the freed bytes");
	$primary->wait_for_catchup($standby, 'replay');

	# a conflict while the session is idle in its transaction terminates it
	# (FATAL), one during a statement cancels the statement (ERROR)
	my ($out, $failed) = eval { $s->query($READ) };
	$failed = 1 if $@;
	my $err = $s->{stderr} . ($@ // '');
	eval { $s->quit };
	# the old snapshot must either be cancelled or read the old rows, never
	# the new stripe's bytes in place of the old one's
	if ($failed)
	{
		like($err, qr/conflict with recovery/,
			"$name: the old standby snapshot is cancelled by a recovery conflict")
		  or diag("stdout: $out");
	}
	else
	{
		is($out, '5000:12502500:old-000001:old-005000',
			"$name: the old standby snapshot reads the old rows");
	}
	is($standby->safe_psql('postgres', $READ), '5000:12502500:new-000001:new-005000',
		"$name: a new standby snapshot reads the new rows");
}

one_round('first');
one_round('second');

$standby->stop;
$primary->stop;
done_testing();
