# Resource limits: a value near 1 GB, a row of 1,600 columns, thousands of
# IN-list items.  Each ends in a correct answer or a clear error, never a
# crash.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('limits');
$node->init;
$node->append_conf('postgresql.conf', "shared_buffers = '256MB'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION cocoon');

# a value of 1,000,000,000 bytes (the varlena limit is 1 GB - 1)
$node->safe_psql('postgres', q{
	CREATE TABLE big (id int, v text) USING cocoon;
	INSERT INTO big VALUES (1, 'small');
	INSERT INTO big SELECT 2, repeat('ab', 500000000);
	INSERT INTO big VALUES (3, 'after');
});
is($node->safe_psql('postgres', 'SELECT id, length(v) FROM big ORDER BY id'),
	"1|5\n2|1000000000\n3|5", 'a 1 GB value round-trips (length)');
is($node->safe_psql('postgres',
	"SELECT md5(v) = md5(repeat('ab', 500000000)) FROM big WHERE id = 2"), 't',
	'a 1 GB value round-trips (md5)');
is($node->safe_psql('postgres', 'SELECT count(*) FROM cocoon.verify(\'big\')'), '0',
	'verify is clean');
# a value just over the limit is refused by PostgreSQL itself, cleanly
my ($ret, $out, $err) = $node->psql('postgres',
	"INSERT INTO big SELECT 4, repeat('x', 1073741824)");
isnt($ret, 0, 'a value over 1 GB is refused');
like($err, qr/(invalid memory alloc request size|requested length too large|too large)/,
	'with PostgreSQL\'s usual error');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big'), '3', 'table intact');

# 1,600 columns (PostgreSQL's maximum)
my $cols = join(', ', map { "c$_ int" } 1 .. 1600);
$node->safe_psql('postgres', "CREATE TABLE wide ($cols) USING cocoon");
my $vals = join(', ', map { "g + $_" } 1 .. 1600);
$node->safe_psql('postgres', "INSERT INTO wide SELECT $vals FROM generate_series(1, 300) g");
is($node->safe_psql('postgres', 'SELECT count(*), sum(c1), sum(c1600) FROM wide'),
	'300|45450|525150', '1,600 columns');
($ret, $out, $err) = $node->psql('postgres',
	"CREATE TABLE wider (" . join(', ', map { "d$_ int" } 1 .. 1601) . ") USING cocoon");
like($err, qr/tables can have at most 1600 columns/, '1,601 columns: PostgreSQL\'s error');

# thousands of IN-list items, on a bloom-filtered and a min/max column
$node->safe_psql('postgres', q{
	SET cocoon.chunk_rows = 1000;
	CREATE TABLE inl (id int, tag text) USING cocoon;
	INSERT INTO inl SELECT i, 'tag-' || i FROM generate_series(1, 100000) i;
});
my $ids = join(',', map { $_ * 7 } 1 .. 5000);
my $tags = join(',', map { "'tag-" . ($_ * 11) . "'" } 1 .. 5000);
is($node->safe_psql('postgres', "SELECT count(*) FROM inl WHERE id IN ($ids)"), '5000',
	'5,000 integers in IN');
is($node->safe_psql('postgres', "SELECT count(*) FROM inl WHERE tag IN ($tags)"), '5000',
	'5,000 strings in IN');
is($node->safe_psql('postgres',
	"SET cocoon.enable_custom_scan = off; SELECT count(*) FROM inl WHERE tag IN ($tags)"), '5000',
	'the same without CocoonScan');

$node->stop;
done_testing();
