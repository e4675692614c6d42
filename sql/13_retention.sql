--
-- 13_retention: cocoon.drop_before removes the rows older than a cutoff
-- (whole stripes as a metadata change, straddling stripes row by row),
-- transactionally, with the same result as DELETE ... WHERE ts < cutoff on
-- heap; on a partitioned table whole partitions go.  cocoon.time_range,
-- retention policies without pg_cron, and the errors.
--
CREATE TABLE ret_h (id int, ts timestamptz, msg text);
CREATE TABLE ret_c (LIKE ret_h) USING cocoon;
SELECT cocoon.set_options('ret_c', stripe_rows => 1000, chunk_rows => 100, partition_interval => '1 day');
-- 5 days, 600 rows a day, plus rows without a time
INSERT INTO ret_h SELECT g, timestamptz '2024-05-01 00:00+00' + g * interval '144 seconds', 'm' || g
  FROM generate_series(0, 2999) g;
INSERT INTO ret_h VALUES (-1, NULL, 'no time'), (-2, NULL, 'no time either');
INSERT INTO ret_c SELECT * FROM ret_h ORDER BY id;
SELECT stripes, row_count FROM cocoon.stats('ret_c');
SELECT * FROM cocoon.time_range('ret_c');
SELECT min(ts), max(ts), count(*) FROM ret_h;

-- a cutoff inside day 2: days 1 goes whole, day 2 is trimmed row by row
SELECT cocoon.drop_before('ret_c', '2024-05-02 06:00+00');
DELETE FROM ret_h WHERE ts < '2024-05-02 06:00+00';
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM ret_h EXCEPT ALL SELECT * FROM ret_c) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM ret_c EXCEPT ALL SELECT * FROM ret_h) s;
SELECT count(*), min(ts) FROM ret_c;
SELECT count(*) AS null_ts_rows FROM ret_c WHERE ts IS NULL;
SELECT oldest, newest FROM cocoon.time_range('ret_c');
SELECT stripes FROM cocoon.stats('ret_c');
-- again with the same cutoff: nothing left to remove
SELECT cocoon.drop_before('ret_c', '2024-05-02 06:00+00');
-- a cutoff before everything, and exactly on a row's time (that row stays)
SELECT cocoon.drop_before('ret_c', '2000-01-01 00:00+00');
SELECT cocoon.drop_before('ret_c', timestamptz '2024-05-01 00:00+00' + 1000 * interval '144 seconds');
DELETE FROM ret_h WHERE ts < timestamptz '2024-05-01 00:00+00' + 1000 * interval '144 seconds';
SELECT min(id) FROM ret_c WHERE ts IS NOT NULL;
-- the rows of deleted and updated rows are not counted twice
DELETE FROM ret_c WHERE id BETWEEN 1100 AND 1109;
DELETE FROM ret_h WHERE id BETWEEN 1100 AND 1109;
UPDATE ret_c SET msg = 'updated' WHERE id BETWEEN 1110 AND 1119;
UPDATE ret_h SET msg = 'updated' WHERE id BETWEEN 1110 AND 1119;
SELECT count(*) FROM ret_h WHERE ts < '2024-05-03 00:00+00';
SELECT cocoon.drop_before('ret_c', '2024-05-03 00:00+00');
DELETE FROM ret_h WHERE ts < '2024-05-03 00:00+00';
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM ret_h EXCEPT ALL SELECT * FROM ret_c) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM ret_c EXCEPT ALL SELECT * FROM ret_h) s;

-- transactional: rollback restores everything
BEGIN;
SELECT cocoon.drop_before('ret_c', '2024-05-04 12:00+00');
SELECT count(*) FROM ret_c;
SELECT oldest FROM cocoon.time_range('ret_c');
ROLLBACK;
SELECT count(*) FROM ret_c;
SELECT oldest FROM cocoon.time_range('ret_c');
BEGIN;
SAVEPOINT s;
SELECT cocoon.drop_before('ret_c', 'infinity');
SELECT count(*) FROM ret_c;
ROLLBACK TO s;
SELECT count(*) FROM ret_c;
COMMIT;
-- rows still in this transaction's write buffer are removed too
BEGIN;
INSERT INTO ret_c VALUES (9001, '2024-04-01 00:00+00', 'old, pending'), (9002, '2024-06-01 00:00+00', 'new, pending');
SELECT cocoon.drop_before('ret_c', '2024-05-01 00:00+00');
SELECT id FROM ret_c WHERE id > 9000;
COMMIT;
SELECT id FROM ret_c WHERE id > 9000;
INSERT INTO ret_h VALUES (9002, '2024-06-01 00:00+00', 'new, pending');
-- everything with a time goes; NULL times stay
SELECT cocoon.drop_before('ret_c', 'infinity');
DELETE FROM ret_h WHERE ts < 'infinity';
SELECT * FROM ret_c ORDER BY id;
SELECT * FROM cocoon.time_range('ret_c');
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM ret_h EXCEPT ALL SELECT * FROM ret_c) s;
-- with an index: index scans agree after drop_before and VACUUM
INSERT INTO ret_h SELECT g, timestamptz '2024-05-10 00:00+00' + g * interval '1 minute', 'again ' || g
  FROM generate_series(1, 2000) g;
INSERT INTO ret_c SELECT * FROM ret_h WHERE id > 0;
CREATE INDEX ret_c_id ON ret_c (id);
SELECT cocoon.drop_before('ret_c', '2024-05-10 20:00+00');
DELETE FROM ret_h WHERE ts < '2024-05-10 20:00+00';
VACUUM ret_c;
SET enable_seqscan = off;
SET cocoon.enable_custom_scan = off;
SELECT count(*), min(id), max(id) FROM ret_c WHERE id BETWEEN 1 AND 5000;
RESET enable_seqscan;
RESET cocoon.enable_custom_scan;
SELECT count(*), min(id), max(id) FROM ret_h WHERE id BETWEEN 1 AND 5000;

-- a timestamp (without time zone) time column
CREATE TABLE ret_tsp (t timestamp, n int) USING cocoon;
INSERT INTO ret_tsp SELECT timestamp '2024-01-01' + g * interval '1 hour', g FROM generate_series(0, 99) g;
SELECT cocoon.drop_before('ret_tsp', timestamp '2024-01-03 00:00');
SELECT count(*), min(t) FROM ret_tsp;
DROP TABLE ret_tsp;

--
-- a partitioned table with cocoon partitions
--
CREATE TABLE ret_p (ts timestamptz, n int) PARTITION BY RANGE (ts);
CREATE TABLE ret_p1 PARTITION OF ret_p FOR VALUES FROM ('2024-05-01 00:00+00') TO ('2024-05-02 00:00+00') USING cocoon;
CREATE TABLE ret_p2 PARTITION OF ret_p FOR VALUES FROM ('2024-05-02 00:00+00') TO ('2024-05-03 00:00+00') USING cocoon;
CREATE TABLE ret_p3 PARTITION OF ret_p FOR VALUES FROM ('2024-05-03 00:00+00') TO ('2024-05-04 00:00+00') USING cocoon;
CREATE TABLE ret_pd PARTITION OF ret_p DEFAULT USING cocoon;
INSERT INTO ret_p SELECT timestamptz '2024-05-01 00:00+00' + g * interval '1 hour', g FROM generate_series(0, 71) g;
INSERT INTO ret_p VALUES (NULL, -1), ('2024-04-01 00:00+00', -2);
CREATE TABLE ret_ph AS SELECT * FROM ret_p;
SELECT tableoid::regclass, count(*) FROM ret_p GROUP BY 1 ORDER BY 1;
SELECT cocoon.drop_before('ret_p', '2024-05-02 12:00+00');
DELETE FROM ret_ph WHERE ts < '2024-05-02 12:00+00';
SELECT relid, parentrelid, isleaf, level FROM pg_partition_tree('ret_p') ORDER BY relid::text;
SELECT tableoid::regclass, count(*), min(ts) FROM ret_p GROUP BY 1 ORDER BY 1;
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM ret_ph EXCEPT ALL SELECT * FROM ret_p) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM ret_p EXCEPT ALL SELECT * FROM ret_ph) s;
-- rollback brings dropped partitions back
BEGIN;
SELECT cocoon.drop_before('ret_p', '2024-05-04 00:00+00');
SELECT relid FROM pg_partition_tree('ret_p') WHERE isleaf ORDER BY relid::text;
ROLLBACK;
SELECT relid FROM pg_partition_tree('ret_p') WHERE isleaf ORDER BY relid::text;
SELECT count(*) FROM ret_p;
-- a partition of another access method is refused
CREATE TABLE ret_p4 PARTITION OF ret_p FOR VALUES FROM ('2024-05-04 00:00+00') TO ('2024-05-05 00:00+00') USING heap;
SELECT cocoon.drop_before('ret_p', '2024-05-03 00:00+00');
DROP TABLE ret_p4;
-- a role with DELETE (and SELECT) on the parent only: it may DELETE the
-- old rows through the parent, so drop_before removes them too
CREATE ROLE ret_deleter;
GRANT SELECT, DELETE ON ret_p TO ret_deleter;
SET ROLE ret_deleter;
SELECT count(*) FROM ret_p WHERE ts < '2024-05-03 00:00+00';
SELECT cocoon.drop_before('ret_p', '2024-05-03 00:00+00');
RESET ROLE;
SELECT count(*) FROM ret_p;
-- row-level security on the parent (forced on its owner) is refused, not bypassed
CREATE ROLE ret_owner;
GRANT CREATE ON SCHEMA public TO ret_owner;
SET ROLE ret_owner;
CREATE TABLE ret_fp (ts timestamptz, n int) PARTITION BY RANGE (ts);
CREATE TABLE ret_fp1 PARTITION OF ret_fp FOR VALUES FROM ('2024-05-01 00:00+00') TO ('2024-05-02 00:00+00') USING cocoon;
CREATE TABLE ret_fp2 PARTITION OF ret_fp FOR VALUES FROM ('2024-05-02 00:00+00') TO ('2024-05-03 00:00+00') USING cocoon;
INSERT INTO ret_fp SELECT timestamptz '2024-05-01 00:00+00' + g * interval '1 hour', g FROM generate_series(0, 47) g;
ALTER TABLE ret_fp ENABLE ROW LEVEL SECURITY;
ALTER TABLE ret_fp FORCE ROW LEVEL SECURITY;
CREATE POLICY ret_fp_pol ON ret_fp USING (n % 2 = 0);
SELECT count(*) FROM ret_fp;
\set VERBOSITY sqlstate
SELECT cocoon.drop_before('ret_fp', '2024-05-02 12:00+00');
\set VERBOSITY default
RESET ROLE;
SELECT count(*) FROM ret_fp;
DROP TABLE ret_fp;
REVOKE CREATE ON SCHEMA public FROM ret_owner;
DROP ROLE ret_owner;
DROP TABLE ret_p, ret_ph;

--
-- errors
--
-- no time column
CREATE TABLE ret_nots (id int, msg text) USING cocoon;
INSERT INTO ret_nots VALUES (1, 'a');
SELECT cocoon.drop_before('ret_nots', now());
SELECT * FROM cocoon.time_range('ret_nots');
-- time column turned off
SELECT cocoon.set_options('ret_c', time_column => '');
SELECT cocoon.drop_before('ret_c', now());
SELECT cocoon.reset_options('ret_c');
-- not a cocoon table
SELECT cocoon.drop_before('ret_h', now());
SELECT * FROM cocoon.time_range('ret_h');
SELECT cocoon.drop_before(0, now());
-- NULL arguments: nothing happens
SELECT cocoon.drop_before('ret_c', NULL);
SELECT count(*) FROM ret_c;
-- row-level security: the policies cannot be applied to whole stripes
CREATE TABLE ret_rls (ts timestamptz, tenant text) USING cocoon;
INSERT INTO ret_rls VALUES ('2024-01-01', 'a'), ('2024-01-01', 'b'), ('2024-06-01', 'a');
ALTER TABLE ret_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY ret_rls_pol ON ret_rls USING (tenant = 'a');
CREATE ROLE ret_user;
GRANT SELECT, DELETE ON ret_rls, ret_c TO ret_user;
SET ROLE ret_user;
SELECT cocoon.drop_before('ret_rls', '2024-03-01');
DELETE FROM ret_rls WHERE ts < '2024-03-01';
RESET ROLE;
SELECT * FROM ret_rls ORDER BY ts, tenant;
-- privileges: DELETE is needed
CREATE ROLE ret_reader;
GRANT SELECT ON ret_c TO ret_reader;
SET ROLE ret_reader;
SELECT cocoon.drop_before('ret_c', '2024-05-01');
\set VERBOSITY sqlstate
SELECT cocoon.drop_before('ret_c', '2024-05-01');
\set VERBOSITY default
SELECT oldest IS NULL AS no_times FROM cocoon.time_range('ret_c');
RESET ROLE;
SET ROLE ret_user;
SELECT cocoon.drop_before('ret_c', '2024-05-01');
RESET ROLE;

--
-- retention policies need pg_cron
--
SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron';
SELECT cocoon.add_retention_policy('ret_c', '30 days');
\set VERBOSITY sqlstate
SELECT cocoon.add_retention_policy('ret_c', '30 days');
\set VERBOSITY default
SELECT cocoon.add_retention_policy('ret_c', '-1 day');
SELECT cocoon.remove_retention_policy('ret_c');
SELECT * FROM cocoon.retention_policies;
SELECT count(*) FROM cocoon.retention_policy;

DROP TABLE ret_h, ret_c, ret_nots, ret_rls;
DROP ROLE ret_user;
DROP ROLE ret_reader;
DROP ROLE ret_deleter;
