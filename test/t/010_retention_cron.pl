# A retention policy really run by pg_cron: rows older than the policy's
# window disappear, the policy view shows the run, and removing the policy
# unschedules the job.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cron');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 20
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_cron; CREATE EXTENSION cocoon;');
$node->safe_psql('postgres', q{
	CREATE ROLE logowner LOGIN;
	GRANT CREATE ON SCHEMA public TO logowner;
});
# the table belongs to an ordinary role; the job must run as that role
$node->safe_psql('postgres', q{
	SET ROLE logowner;
	CREATE TABLE applog (ts timestamptz, msg text) USING cocoon;
	INSERT INTO applog SELECT now() - (i || ' hours')::interval, 'm' || i
	  FROM generate_series(0, 99) i;
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM applog'), '100', 'loaded');

# a policy by a role that does not own the table is refused
$node->safe_psql('postgres', 'CREATE ROLE stranger LOGIN');
my ($ret, $out, $err) = $node->psql('postgres',
	"SET ROLE stranger; SELECT cocoon.add_retention_policy('applog', '1 day', '* * * * *')");
like($err, qr/must be owner of table applog/, 'non-owner cannot add a policy');

my $job = $node->safe_psql('postgres',
	"SET ROLE logowner; SELECT cocoon.add_retention_policy('applog', '1 day', '* * * * *')");
ok($job > 0, "policy scheduled as job $job");
is($node->safe_psql('postgres',
	"SELECT username FROM cron.job WHERE jobid = $job"), 'logowner', 'the job runs as the table owner');

# pg_cron schedules by the minute: wait for the first run (up to 150 s)
my $done = 0;
for (my $i = 0; $i < 150; $i++)
{
	my $status = $node->safe_psql('postgres',
		"SELECT coalesce(last_status, '') FROM cocoon.retention_policies WHERE relid = 'applog'::regclass");
	if ($status eq 'succeeded') { $done = 1; last; }
	if ($status eq 'failed')
	{
		diag($node->safe_psql('postgres',
			"SELECT last_message FROM cocoon.retention_policies"));
		last;
	}
	sleep 1;
}
ok($done, 'pg_cron ran the retention job');
is($node->safe_psql('postgres', 'SELECT count(*) FROM applog'), '24',
	'rows older than 1 day are gone (hours 0..23 remain; hour 24 aged past the cutoff by the time the job ran)');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM applog WHERE ts < now() - interval '1 day'"), '0', 'nothing older remains');

# removing the policy unschedules the job
is($node->safe_psql('postgres',
	"SET ROLE logowner; SELECT cocoon.remove_retention_policy('applog')"), 't', 'policy removed');
is($node->safe_psql('postgres', "SELECT count(*) FROM cron.job WHERE jobid = $job"), '0',
	'job unscheduled');
is($node->safe_psql('postgres', 'SELECT count(*) FROM cocoon.retention_policies'), '0',
	'no policy listed');

$node->stop;
done_testing();
