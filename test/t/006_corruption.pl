
# Damage in a cocoon relation file is detected and contained:
#  - bytes flipped inside one column chunk: queries reading that chunk fail
#    with SQLSTATE XX001 naming table, stripe, column and chunk; queries not
#    reading it (other columns, other time ranges, other index entries) still
#    work; cocoon.verify lists exactly that chunk; with
#    cocoon.skip_damaged_chunks = on a full scan returns every other row with
#    a WARNING;
#  - bytes flipped inside a stripe header: queries reading that stripe fail
#    with XX001 naming table and stripe; cocoon.verify lists it; other
#    stripes stay readable.
# Data checksums are off in the test cluster, so PostgreSQL's page checksums
# do not intercept the damage: cocoon's own CRCs must.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use constant BLCKSZ => 8192;
use constant PAGE_HEADER => 24;
use constant PAGE_DATA => BLCKSZ - PAGE_HEADER;
use constant STRIPE_MAGIC => 0x53545250;
use constant STRIPE_HEADER_SIZE => 64;
use constant COLUMN_DESC_SIZE => 8;

my $TABLE_COLS = q{(ts timestamptz, level text, service text, host text,
  message text, status int, latency_ms float8, trace_id uuid, attrs jsonb)};

sub gen_insert
{
	my ($table, $from, $to) = @_;
	return qq{INSERT INTO $table SELECT '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 s',
  (ARRAY['INFO','WARN','ERROR','DEBUG'])[1 + g % 4], 'svc' || (g % 7),
  'host-' || (g % 13), 'request ' || g || ' took ' || (g % 1000) || ' ms: ' || repeat(md5(g::text), 2),
  g, (g % 1000) / 10.0, md5(g::text)::uuid, jsonb_build_object('k', g % 5)
  FROM generate_series($from, $to) g};
}

# Read / write $len bytes at logical offset $L of a cocoon relation file:
# logical byte L lives in block 1 + L / PAGE_DATA at page offset
# PAGE_HEADER + L % PAGE_DATA.
sub logical_io
{
	my ($fh, $L, $len, $newdata) = @_;
	my $out = '';
	my $pos = 0;
	while ($pos < $len)
	{
		my $blk = 1 + int(($L + $pos) / PAGE_DATA);
		my $inpage = ($L + $pos) % PAGE_DATA;
		my $n = PAGE_DATA - $inpage;
		$n = $len - $pos if $n > $len - $pos;
		sysseek($fh, $blk * BLCKSZ + PAGE_HEADER + $inpage, 0) or die "seek: $!";
		if (defined $newdata)
		{
			syswrite($fh, substr($newdata, $pos, $n)) == $n or die "write: $!";
		}
		else
		{
			my $buf;
			sysread($fh, $buf, $n) == $n or die "short read";
			$out .= $buf;
		}
		$pos += $n;
	}
	return $out;
}

# Parse a stripe's header and chunk descriptors (offset, stored_len) from the
# relation file.  The size of a chunk descriptor is derived from header_len,
# so only the leading fields are assumed.
sub parse_stripe
{
	my ($fh, $data_offset) = @_;
	my $h = logical_io($fh, $data_offset, STRIPE_HEADER_SIZE);
	my ($magic, $version, $natts, $header_len, $header_crc, $stripe_id, $first_row,
		$nrows, $chunk_rows, $nchunks, $pad, $total_len) = unpack('L S S L L Q Q L L L L Q', $h);
	die sprintf("bad stripe magic %08X", $magic) unless $magic == STRIPE_MAGIC;
	my $descs = $header_len - STRIPE_HEADER_SIZE - COLUMN_DESC_SIZE * $natts;
	my $desc_size = $descs / ($nchunks * $natts);
	die "cannot derive chunk descriptor size" unless $desc_size == int($desc_size) && $desc_size >= 48;
	my $all = logical_io($fh, $data_offset, $header_len);
	my %s = (natts => $natts, header_len => $header_len, stripe_id => $stripe_id,
		nrows => $nrows, nchunks => $nchunks, total_len => $total_len, chunks => {});
	for my $c (0 .. $nchunks - 1)
	{
		for my $a (0 .. $natts - 1)
		{
			my $pos = STRIPE_HEADER_SIZE + COLUMN_DESC_SIZE * $natts + $desc_size * ($c * $natts + $a);
			my ($off, $stored) = unpack('Q Q', substr($all, $pos, 16));
			$s{chunks}{"$c/" . ($a + 1)} = [ $off, $stored ];
		}
	}
	return \%s;
}

sub flip_bytes
{
	my ($fh, $L, $n) = @_;
	my $old = logical_io($fh, $L, $n);
	my $new = join('', map { chr(ord($_) ^ 0xA5) } split //, $old);
	logical_io($fh, $L, $n, $new);
}

# psql with verbose errors (SQLSTATE shown); returns (ret, stdout, stderr)
sub vpsql
{
	my ($node, $sql) = @_;
	my ($out, $err);
	my $ret = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	return ($ret, $out, $err);
}

my $node = PostgreSQL::Test::Cluster->new('corrupt');
$node->init;
# no autovacuum: VACUUM may compact stripes, and the test needs them to stay put
$node->append_conf('postgresql.conf', qq{
log_statement = none
autovacuum = off
});
$node->start;
is($node->safe_psql('postgres', 'SHOW data_checksums'), 'off', 'data checksums are off');
$node->safe_psql('postgres', 'CREATE EXTENSION cocoon');
$node->safe_psql('postgres', "CREATE TABLE logs $TABLE_COLS USING cocoon");
$node->safe_psql('postgres', "SET cocoon.stripe_rows = 1000; SET cocoon.chunk_rows = 250; "
	  . gen_insert('logs', 1, 10000));
$node->safe_psql('postgres', 'CREATE INDEX logs_status ON logs (status)');
is($node->safe_psql('postgres', "SELECT row_count, stripes, chunks FROM cocoon.stats('logs')"),
	'10000|10|360', '10 stripes of 4 chunk groups each (9 column chunks per group)');
my $storage = $node->safe_psql('postgres', 'SELECT DISTINCT storage_id FROM cocoon.stripe');
like($storage, qr/^\d+$/, 'one storage in the stripe directory');

# The second table is for stripe header damage.
$node->safe_psql('postgres', "CREATE TABLE hdr_logs $TABLE_COLS USING cocoon");
$node->safe_psql('postgres', "SET cocoon.stripe_rows = 1000; " . gen_insert('hdr_logs', 1, 3000));
my $hdr_storage = $node->safe_psql('postgres',
	"SELECT DISTINCT storage_id FROM cocoon.stripe WHERE storage_id <> $storage");

my ($s3_off, $s3_len, $s3_first, $s3_rows) = split /\|/, $node->safe_psql('postgres',
	"SELECT data_offset, data_length, first_row, row_count FROM cocoon.stripe WHERE storage_id = $storage AND stripe_id = 3");
is($s3_rows, 1000, 'stripe 3 holds 1000 rows');
my $s5_min_ts = $node->safe_psql('postgres',
	"SELECT to_timestamp(min_ts / 1000000.0 + 946684800) FROM cocoon.stripe WHERE storage_id = $storage AND stripe_id = 5");

# the rows of stripe 3, chunk 1: row numbers first_row + 250 .. first_row + 499
# (row r has TID (r / 291, r % 291 + 1))
my $rowno = q{((ctid::text::point)[0]::int8 * 291 + (ctid::text::point)[1]::int8 - 1)};
my $victims = $node->safe_psql('postgres',
	"SELECT count(*), min(status), max(status), sum(status) FROM logs WHERE $rowno BETWEEN $s3_first + 250 AND $s3_first + 499");
my ($nvict, $vmin, $vmax, $vsum) = split /\|/, $victims;
is($nvict, 250, 'chunk 1 of stripe 3 holds 250 rows');
is($vmax - $vmin, 249, 'they are consecutive rows of the insert');

my $full_sum = $node->safe_psql('postgres', 'SELECT sum(status) FROM logs');
is($full_sum, 50005000, 'sum of status before damage');
my $late = $node->safe_psql('postgres',
	"SELECT count(*), count(DISTINCT message), max(length(message)) FROM logs WHERE ts >= '$s5_min_ts'");
like($late, qr/^6000\|6000\|\d+$/, 'rows of stripes 5..10');
my $late_index = $node->safe_psql('postgres', 'SELECT message FROM logs WHERE status = 7777');

my ($h2_off) = $node->safe_psql('postgres',
	"SELECT data_offset FROM cocoon.stripe WHERE storage_id = $hdr_storage AND stripe_id = 2");
my $h3_min_ts = $node->safe_psql('postgres',
	"SELECT to_timestamp(min_ts / 1000000.0 + 946684800) FROM cocoon.stripe WHERE storage_id = $hdr_storage AND stripe_id = 3");

my $pgdata = $node->data_dir;
my $file = $pgdata . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('logs')");
my $hdr_file = $pgdata . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('hdr_logs')");
$node->stop;

# flip bytes in the middle of stripe 3's chunk 1 of column 5 (message)
{
	open(my $fh, '+<', $file) or die "open $file: $!";
	binmode $fh;
	my $s = parse_stripe($fh, $s3_off);
	is($s->{stripe_id}, 3, 'parsed stripe 3 header');
	is($s->{total_len}, $s3_len, 'stripe length matches the directory');
	is($s->{nchunks}, 4, 'stripe 3 has 4 chunks');
	my ($coff, $clen) = @{ $s->{chunks}{'1/5'} };
	ok($clen >= 32, "chunk 1 of column 5 has $clen stored bytes");
	flip_bytes($fh, $s3_off + $coff + int($clen / 2) - 4, 8);
	close $fh;
}
# flip bytes in the chunk descriptors of hdr_logs' stripe 2 header
{
	open(my $fh, '+<', $hdr_file) or die "open $hdr_file: $!";
	binmode $fh;
	my $s = parse_stripe($fh, $h2_off);
	is($s->{stripe_id}, 2, 'parsed hdr_logs stripe 2 header');
	flip_bytes($fh, $h2_off + STRIPE_HEADER_SIZE + COLUMN_DESC_SIZE * $s->{natts} + 4, 2);
	close $fh;
}
$node->start;

my ($ret, $out, $err);

# -- chunk damage, default settings

my $chunk_msg = qr/cocoon table "logs": stripe 3, column 5 \(message\), chunk 1 is damaged/;
($ret, $out, $err) = vpsql($node, 'SELECT max(length(message)) FROM logs');
isnt($ret, 0, 'query reading the damaged column fails');
like($err, qr/ERROR:  XX001: /, 'with SQLSTATE XX001 (data_corrupted)');
like($err, $chunk_msg, 'naming table, stripe, column and chunk');
like($err, qr/HINT: .*cocoon\.verify/, 'with a hint to cocoon.verify');

($ret, $out, $err) = vpsql($node, 'SELECT * FROM logs');
like($err, qr/XX001: .*$chunk_msg/, 'SELECT * fails with XX001 naming the chunk');

($ret, $out, $err) = vpsql($node, "SELECT count(*) FROM logs WHERE message LIKE '%took 300 ms%'");
is($ret, 3, 'a LIKE filter on the damaged column fails too') or diag $out;
like($err, qr/XX001: .*$chunk_msg/, 'LIKE on the damaged column reports the chunk');

is($node->safe_psql('postgres', 'SELECT count(*), sum(status) FROM logs'),
	"10000|$full_sum", 'query not reading the damaged column returns everything');
is($node->safe_psql('postgres', 'SELECT count(*), count(trace_id), count(DISTINCT host) FROM logs'),
	'10000|10000|13', 'other columns of the damaged stripe read fine');
is($node->safe_psql('postgres',
		"SELECT count(*), count(DISTINCT message), max(length(message)) FROM logs WHERE ts >= '$s5_min_ts'"),
	$late, 'time range outside the damaged stripe reads the damaged column fine');
is($node->safe_psql('postgres',
		'SET enable_seqscan = off; SET cocoon.enable_custom_scan = off; SELECT message FROM logs WHERE status = 7777'),
	$late_index, 'index fetch of an undamaged row works');
($ret, $out, $err) = vpsql($node,
	"SET enable_seqscan = off; SET cocoon.enable_custom_scan = off; SELECT message FROM logs WHERE status = " . ($vmin + 10));
like($err, qr/XX001: .*$chunk_msg/, 'index fetch of a row in the damaged chunk fails with XX001');

is($node->safe_psql('postgres', 'SELECT stripe_id, attnum, chunk FROM cocoon.verify(\'logs\')'),
	'3|5|1', 'cocoon.verify lists exactly the damaged chunk');
like($node->safe_psql('postgres', 'SELECT problem FROM cocoon.verify(\'logs\')'),
	qr/\S/, 'cocoon.verify describes the problem');

# -- skip_damaged_chunks
# (count(length(message)) decodes message: count(message) alone is answered
# from the chunk descriptors' NULL counts, which never reads the damaged data)

($ret, $out, $err) = vpsql($node,
	'SET cocoon.skip_damaged_chunks = on; SELECT count(*), sum(status), count(length(message)) FROM logs');
is($ret, 0, 'skip_damaged_chunks: full scan succeeds');
is($out, join('|', 10000 - $nvict, $full_sum - $vsum, 10000 - $nvict),
	'skip_damaged_chunks: returns every row but those of the damaged chunk');
like($err, qr/WARNING:  XX001: .*$chunk_msg/, 'skip_damaged_chunks: WARNING names the chunk');
like($err, qr/Its 250 rows are skipped/, 'skip_damaged_chunks: WARNING says how many rows are skipped');
($ret, $out, $err) = vpsql($node,
	"SET cocoon.skip_damaged_chunks = on; SELECT count(*), min(g), max(g) FROM generate_series(1, 10000) g WHERE g NOT IN (SELECT status FROM logs t WHERE t::text IS NOT NULL)");
is($out, "$nvict|$vmin|$vmax", 'skip_damaged_chunks: exactly the damaged chunk\'s rows are missing');
($ret, $out, $err) = vpsql($node,
	'SET cocoon.skip_damaged_chunks = on; SET cocoon.enable_custom_scan = off; SELECT count(*), count(length(message)) FROM logs');
is($out, join('|', 10000 - $nvict, 10000 - $nvict), 'skip_damaged_chunks: plain sequential scan skips the chunk too');
like($err, qr/WARNING: .*$chunk_msg/, 'skip_damaged_chunks: plain scan warns');

# only superusers may skip damage
$node->safe_psql('postgres', 'CREATE ROLE reader LOGIN; GRANT SELECT ON logs TO reader');
# (the setting may be a placeholder until the module loads; either the SET
# or the module load must refuse it, and the scan must not skip)
($ret, $out, $err) = $node->psql('postgres',
	'SET cocoon.skip_damaged_chunks = on; SELECT count(*), count(length(message)) FROM logs',
	extra_params => [ '-U', 'reader', '-v', 'VERBOSITY=verbose' ]);
like($err, qr/permission denied to set parameter "cocoon.skip_damaged_chunks"/,
	'non-superusers cannot set skip_damaged_chunks');
like($err, qr/ERROR:  XX001: .*$chunk_msg/, 'a non-superuser\'s scan does not skip damage');
is($out, '', 'a non-superuser\'s scan returns nothing');
($ret, $out, $err) = $node->psql('postgres',
	'SELECT count(*), count(length(message)) FROM logs',
	extra_params => [ '-U', 'reader', '-v', 'VERBOSITY=verbose' ]);
like($err, qr/ERROR:  XX001: .*$chunk_msg/, 'damage is reported to non-superusers too');

# the table stays writable; the damage stays contained
$node->safe_psql('postgres', gen_insert('logs', 20001, 20500));
is($node->safe_psql('postgres', "SELECT count(*), count(message) FROM logs WHERE status > 20000"),
	'500|500', 'new rows are readable after the damage');
is($node->safe_psql('postgres', 'SELECT stripe_id, attnum, chunk FROM cocoon.verify(\'logs\')'),
	'3|5|1', 'cocoon.verify still lists only the damaged chunk');

# -- stripe header damage

($ret, $out, $err) = vpsql($node, 'SELECT count(*), count(message) FROM hdr_logs');
isnt($ret, 0, 'scan of a stripe with a damaged header fails');
like($err, qr/XX001: cocoon table "hdr_logs": stripe 2 is damaged/,
	'with XX001 naming table and stripe');
is($node->safe_psql('postgres',
		"SELECT count(*), count(message) FROM hdr_logs WHERE ts >= '$h3_min_ts'"),
	'1000|1000', 'time range outside the damaged stripe reads fine');
is($node->safe_psql('postgres',
		'SELECT stripe_id, attnum IS NULL, chunk IS NULL FROM cocoon.verify(\'hdr_logs\')'),
	'2|t|t', 'cocoon.verify lists the damaged stripe header');
like($node->safe_psql('postgres', 'SELECT problem FROM cocoon.verify(\'hdr_logs\')'),
	qr/stripe 2 is damaged.*checksum/, 'cocoon.verify: header checksum mismatch');

$node->stop;
done_testing();
