--
-- 12_compact_vacuum: cocoon.compact merges the small stripes of each time
-- partition into stripes sorted by time and drops deleted rows; VACUUM
-- compacts past cocoon.compaction_min_stripes and frees the space of
-- retired stripes.  Contents and index scans must equal heap throughout.
--
-- cocoon.garbage is shared by all tables: count from here on
SELECT count(*) AS g0 FROM cocoon.garbage \gset
CREATE TABLE cv_h (id int, ts timestamptz, level text, msg text);
CREATE TABLE cv_c (LIKE cv_h) USING cocoon;
SELECT cocoon.set_options('cv_c', stripe_rows => 10000, chunk_rows => 1000, partition_interval => '1 day');

-- (a) 2000 single-row transactions: 2000 stripes in 2 daily partitions
CREATE PROCEDURE cv_trickle(n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..n LOOP
    -- ids arrive out of time order within each day
    INSERT INTO cv_c VALUES (i, timestamptz '2024-03-01 00:00+00' + ((i * 7919) % n) * interval '86 seconds',
                             (ARRAY['INFO', 'WARN', 'ERROR'])[1 + i % 3], 'request ' || i || ' served');
    COMMIT;
  END LOOP;
END
$$;
CALL cv_trickle(2000);
INSERT INTO cv_h SELECT id, ts, level, msg FROM cv_c;
SELECT stripes, row_count FROM cocoon.stats('cv_c');
SELECT count(DISTINCT date_trunc('day', ts AT TIME ZONE 'UTC')) AS partitions FROM cv_h;
SELECT * FROM cocoon.compact('cv_c');
SELECT stripes, row_count FROM cocoon.stats('cv_c');
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM cv_h EXCEPT ALL SELECT * FROM cv_c) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM cv_c EXCEPT ALL SELECT * FROM cv_h) s;
SELECT count(*) - :g0 AS retired_stripes FROM cocoon.garbage;
-- compacting again changes nothing
SELECT * FROM cocoon.compact('cv_c');
VACUUM cv_c;
SELECT count(*) - :g0 AS garbage_after_vacuum FROM cocoon.garbage;
-- the same rows loaded in one statement
CREATE TABLE cv_bulk (LIKE cv_h) USING cocoon;
SELECT cocoon.set_options('cv_bulk', stripe_rows => 10000, chunk_rows => 1000, partition_interval => '1 day');
INSERT INTO cv_bulk SELECT * FROM cv_h ORDER BY ts;
SELECT stripes FROM cocoon.stats('cv_bulk');
VACUUM cv_c;
SELECT (SELECT stored_bytes FROM cocoon.stats('cv_c')) <= 1.2 * (SELECT stored_bytes FROM cocoon.stats('cv_bulk'))
       AS compacted_size_close_to_bulk;
-- time pruning still works on the compacted stripes
SELECT count(*) FROM cv_c WHERE ts >= '2024-03-02 00:00+00';
SELECT count(*) FROM cv_h WHERE ts >= '2024-03-02 00:00+00';
DROP TABLE cv_bulk;
DROP PROCEDURE cv_trickle(int);

-- VACUUM compacts a partition once it has compaction_min_stripes small stripes
TRUNCATE cv_c;
TRUNCATE cv_h;
SHOW cocoon.compaction_min_stripes;
INSERT INTO cv_c VALUES (1, '2024-03-01 01:00+00', 'INFO', 'a');
INSERT INTO cv_c VALUES (2, '2024-03-01 02:00+00', 'INFO', 'b');
INSERT INTO cv_c VALUES (3, '2024-03-01 03:00+00', 'INFO', 'c');
INSERT INTO cv_c VALUES (4, '2024-03-02 03:00+00', 'INFO', 'other day');
VACUUM cv_c;
SELECT stripes FROM cocoon.stats('cv_c');                -- 3 + 1: below the threshold
INSERT INTO cv_c VALUES (5, '2024-03-01 00:30+00', 'INFO', 'd');
VACUUM cv_c;
SELECT stripes FROM cocoon.stats('cv_c');                -- 4 small stripes of day 1 merged
SELECT id FROM cv_c WHERE ts < '2024-03-02 00:00+00';    -- sorted by time now
SET cocoon.compaction_min_stripes = 0;                    -- 0: VACUUM never compacts
INSERT INTO cv_c VALUES (6, '2024-03-02 04:00+00', 'INFO', 'e');
INSERT INTO cv_c VALUES (7, '2024-03-02 05:00+00', 'INFO', 'f');
INSERT INTO cv_c VALUES (8, '2024-03-02 06:00+00', 'INFO', 'g');
VACUUM cv_c;
SELECT stripes FROM cocoon.stats('cv_c');
SET cocoon.compaction_min_stripes = 2;
VACUUM cv_c;
SELECT stripes FROM cocoon.stats('cv_c');
RESET cocoon.compaction_min_stripes;
-- what a VACUUM retires itself, the next one frees
VACUUM cv_c;
SELECT count(*) - :g0 AS garbage_after_vacuum FROM cocoon.garbage;
INSERT INTO cv_h SELECT * FROM cv_c;

-- (b) fill, delete 90%, VACUUM, refill: the file does not keep growing
TRUNCATE cv_c;
TRUNCATE cv_h;
CREATE FUNCTION cv_fill(base int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO cv_c SELECT g, timestamptz '2024-03-01 00:00+00' + g * interval '1 second',
                          (ARRAY['INFO', 'WARN', 'ERROR'])[1 + g % 3], md5(g::text) || ' payload ' || g
    FROM generate_series(base, base + 29999) g;
$$;
SELECT cv_fill(0);
SELECT stored_bytes AS peak FROM cocoon.stats('cv_c') \gset
DELETE FROM cv_c WHERE id % 10 <> 0;
-- the first VACUUM compacts away the deleted rows; the space of the stripes
-- it retired can only be reused once its transaction is older than every
-- snapshot, which the next VACUUM (or autovacuum) sees
VACUUM cv_c;
VACUUM cv_c;
SELECT row_count, stripes FROM cocoon.stats('cv_c');
SELECT count(*) FROM cv_c;
SELECT cv_fill(100000);
DELETE FROM cv_c WHERE id >= 100000 AND id % 10 <> 0;
VACUUM cv_c;
VACUUM cv_c;
SELECT cv_fill(200000);
SELECT count(*), count(DISTINCT id) FROM cv_c;
SELECT stored_bytes <= 1.3 * :peak AS size_bounded FROM cocoon.stats('cv_c');
-- an open snapshot keeps retired stripes: nothing is freed under it
DELETE FROM cv_c WHERE id >= 200000;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM cv_c;
SELECT count(*) FROM cv_c WHERE id >= 200000;
ROLLBACK;
VACUUM cv_c;
SELECT count(*) FROM cv_c;
VACUUM cv_c;
SELECT row_count FROM cocoon.stats('cv_c');
SELECT count(*) - :g0 AS garbage_after_vacuum FROM cocoon.garbage;
SELECT count(*) AS delete_records_left FROM cocoon.deleted;
DROP FUNCTION cv_fill(int);

-- (c) compaction with deleted rows and a primary key: index scans equal heap
DROP TABLE cv_h, cv_c;
CREATE TABLE cv_h (id int PRIMARY KEY, ts timestamptz, level text, msg text);
CREATE TABLE cv_c (LIKE cv_h INCLUDING ALL) USING cocoon;
CREATE INDEX cv_c_level ON cv_c (level, ts);
CREATE INDEX cv_h_level ON cv_h (level, ts);
SELECT cocoon.set_options('cv_c', stripe_rows => 10000, chunk_rows => 1000, partition_interval => '1 day');
INSERT INTO cv_h SELECT g, timestamptz '2024-03-01 00:00+00' + ((g * 37) % 3000) * interval '57 seconds',
                        (ARRAY['INFO', 'WARN', 'ERROR'])[1 + g % 3], 'm' || g
  FROM generate_series(1, 3000) g;
-- 30 stripes of 100 rows
SELECT format('INSERT INTO cv_c SELECT * FROM cv_h WHERE id > %s AND id <= %s', b, b + 100)
  FROM generate_series(0, 2900, 100) b \gexec
DELETE FROM cv_h WHERE id % 4 = 0 OR id BETWEEN 1001 AND 1100;
DELETE FROM cv_c WHERE id % 4 = 0 OR id BETWEEN 1001 AND 1100;
UPDATE cv_h SET msg = msg || ' updated' WHERE id % 5 = 0;
UPDATE cv_c SET msg = msg || ' updated' WHERE id % 5 = 0;
SELECT stripes_before, stripes_after, rows_moved, rows_dropped FROM cocoon.compact('cv_c');
SELECT stripes, row_count FROM cocoon.stats('cv_c');
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET cocoon.enable_custom_scan = off;
EXPLAIN (COSTS OFF) SELECT * FROM cv_c WHERE id BETWEEN 500 AND 1500;
SELECT count(*) AS heap_minus_cocoon FROM (
  SELECT * FROM cv_h WHERE id BETWEEN 500 AND 1500 EXCEPT ALL SELECT * FROM cv_c WHERE id BETWEEN 500 AND 1500) s;
SELECT count(*) AS cocoon_minus_heap FROM (
  SELECT * FROM cv_c WHERE id BETWEEN 500 AND 1500 EXCEPT ALL SELECT * FROM cv_h WHERE id BETWEEN 500 AND 1500) s;
SELECT count(*), sum(id) FROM cv_c WHERE id BETWEEN 1 AND 3000;
SELECT count(*), sum(id) FROM cv_h WHERE id BETWEEN 1 AND 3000;
SELECT * FROM cv_c WHERE id IN (4, 5, 7, 1050, 2999) ORDER BY id;
SELECT count(*) FROM cv_c WHERE level = 'ERROR' AND ts < '2024-03-01 12:00+00';
SELECT count(*) FROM cv_h WHERE level = 'ERROR' AND ts < '2024-03-01 12:00+00';
-- after VACUUM frees the old stripes' index entries, the same again
VACUUM cv_c;
SELECT count(*) - :g0 AS garbage_after_vacuum FROM cocoon.garbage;
SELECT count(*) AS heap_minus_cocoon FROM (
  SELECT * FROM cv_h WHERE id BETWEEN 1 AND 3000 EXCEPT ALL SELECT * FROM cv_c WHERE id BETWEEN 1 AND 3000) s;
SELECT count(*) AS cocoon_minus_heap FROM (
  SELECT * FROM cv_c WHERE id BETWEEN 1 AND 3000 EXCEPT ALL SELECT * FROM cv_h WHERE id BETWEEN 1 AND 3000) s;
-- bitmap scans too
RESET enable_bitmapscan;
SET enable_indexscan = off;
SELECT count(*), sum(id) FROM cv_c WHERE id < 1000 OR id > 2900;
SELECT count(*), sum(id) FROM cv_h WHERE id < 1000 OR id > 2900;
RESET enable_indexscan;
RESET enable_seqscan;
RESET cocoon.enable_custom_scan;
-- the primary key is still enforced, for kept rows and for freed keys
INSERT INTO cv_c VALUES (5, NULL, 'INFO', 'duplicate');
INSERT INTO cv_c VALUES (4, NULL, 'INFO', 'key of a deleted row');
INSERT INTO cv_h VALUES (4, NULL, 'INFO', 'key of a deleted row');
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM cv_h EXCEPT ALL SELECT * FROM cv_c) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM cv_c EXCEPT ALL SELECT * FROM cv_h) s;
-- compaction inside a transaction that is rolled back leaves everything as it was
BEGIN;
DELETE FROM cv_c WHERE id < 100;
SELECT stripes_after, rows_dropped > 0 AS dropped FROM cocoon.compact('cv_c');
ROLLBACK;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM cv_c EXCEPT ALL SELECT * FROM cv_h) s;
SELECT * FROM cocoon.verify('cv_c');

-- (d) errors
SELECT * FROM cocoon.compact('cv_h');
SELECT * FROM cocoon.compact('cv_h_level');
SELECT * FROM cocoon.compact(0);
CREATE ROLE cv_other;
GRANT SELECT, INSERT, UPDATE, DELETE ON cv_c TO cv_other;
SET ROLE cv_other;
SELECT * FROM cocoon.compact('cv_c');
\set VERBOSITY sqlstate
SELECT * FROM cocoon.compact('cv_c');
\set VERBOSITY default
RESET ROLE;
DROP OWNED BY cv_other;
DROP ROLE cv_other;
-- dropping a table with retired stripes leaves nothing behind
DELETE FROM cv_c WHERE id < 2000;
SELECT rows_dropped > 0 AS dropped FROM cocoon.compact('cv_c');
DROP TABLE cv_h, cv_c;
SELECT count(*) - :g0 AS garbage_left FROM cocoon.garbage;
