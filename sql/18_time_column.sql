--
-- 18_time_column: the time column stays what the stripes were written with.
-- Stripe partitions and time ranges describe that column, and time pruning,
-- top-N pruning and drop_before trust them: changing it while rows exist
-- would return wrong rows (or drop the wrong ones), so it is refused.
--
CREATE TABLE tc (id int, ts timestamptz, ts2 timestamptz) USING cocoon;
-- before any row: free to choose
SELECT cocoon.set_options('tc', time_column => 'ts2');
SELECT cocoon.set_options('tc', time_column => 'ts');
INSERT INTO tc SELECT g, timestamptz '2026-01-01 00:00+00' + g * interval '1 hour',
                      timestamptz '2020-01-01 00:00+00' + g * interval '1 minute'
  FROM generate_series(1, 1000) g;
-- refused with rows, through every path that would change it
SELECT cocoon.set_options('tc', time_column => 'ts2');
ALTER TABLE tc DROP COLUMN ts;	-- ts2 would take over
-- allowed: naming the same column, other options, resetting to the same default
SELECT cocoon.set_options('tc', time_column => 'ts', compression => 'lz4');
SELECT cocoon.reset_options('tc');
ALTER TABLE tc DROP COLUMN ts2;
-- the answers are still those of the rows
SELECT count(*) FROM tc WHERE ts < timestamptz '2026-01-02 00:00+00';
SELECT id FROM tc ORDER BY ts DESC LIMIT 2;
-- turning it off is allowed (nothing is pruned by time then), and back on
-- to the same column; another column is not
SELECT cocoon.set_options('tc', time_column => '');
INSERT INTO tc VALUES (1001, '2025-12-01 00:00+00');
SELECT count(*) FROM tc WHERE ts < timestamptz '2026-01-02 00:00+00';
SELECT cocoon.drop_before('tc', '2026-01-02 00:00+00');
ALTER TABLE tc ADD COLUMN ts3 timestamptz;
SELECT cocoon.set_options('tc', time_column => 'ts3');
SELECT cocoon.set_options('tc', time_column => 'ts');
-- rows written while it was off are found by time and by top-N
SELECT count(*) FROM tc WHERE ts < timestamptz '2026-01-02 00:00+00';
SELECT id FROM tc ORDER BY ts LIMIT 2;
SELECT cocoon.drop_before('tc', '2026-01-01 12:00+00') >= 11 AS dropped;
SELECT count(*) FROM tc WHERE ts < timestamptz '2026-01-01 12:00+00';
-- an empty table may change it again
TRUNCATE tc;
SELECT cocoon.set_options('tc', time_column => 'ts');
ALTER TABLE tc DROP COLUMN ts;
SELECT count(*) FROM tc;
-- dropping the only timestamp column turns time partitioning off
CREATE TABLE tc1 (id int, ts timestamptz) USING cocoon;
INSERT INTO tc1 SELECT g, timestamptz '2026-01-01 00:00+00' + g * interval '1 hour' FROM generate_series(1, 100) g;
ALTER TABLE tc1 DROP COLUMN ts;
INSERT INTO tc1 VALUES (101);
SELECT count(*), max(id) FROM tc1;
SELECT time_column FROM cocoon.table_options WHERE relid = 'tc1'::regclass;
DROP TABLE tc1;

-- a time column added to a table with rows: old rows take its default
CREATE TABLE tc_heap (id int);
CREATE TABLE tc_coc (id int) USING cocoon;
INSERT INTO tc_heap SELECT g FROM generate_series(1, 1000) g;
INSERT INTO tc_coc SELECT g FROM generate_series(1, 1000) g;
ALTER TABLE tc_heap ADD COLUMN ts timestamptz DEFAULT '2026-01-01 00:00+00';
ALTER TABLE tc_coc ADD COLUMN ts timestamptz DEFAULT '2026-01-01 00:00+00';
INSERT INTO tc_heap SELECT g, '2026-02-01 00:00+00' FROM generate_series(1001, 1010) g;
INSERT INTO tc_coc SELECT g, '2026-02-01 00:00+00' FROM generate_series(1001, 1010) g;
INSERT INTO tc_heap VALUES (2000, NULL);
INSERT INTO tc_coc VALUES (2000, NULL);
SELECT (SELECT count(*) FROM tc_heap WHERE ts < '2026-01-15') AS heap,
       (SELECT count(*) FROM tc_coc WHERE ts < '2026-01-15') AS cocoon;
SELECT (SELECT count(*) FROM tc_heap WHERE ts = '2026-01-01 00:00+00') AS heap,
       (SELECT count(*) FROM tc_coc WHERE ts = '2026-01-01 00:00+00') AS cocoon;
SELECT (SELECT count(*) FROM tc_heap WHERE ts > '2026-01-15') AS heap,
       (SELECT count(*) FROM tc_coc WHERE ts > '2026-01-15') AS cocoon;
SELECT (SELECT array_agg(id) FROM (SELECT id FROM tc_heap ORDER BY ts, id LIMIT 3) s) AS heap,
       (SELECT array_agg(id) FROM (SELECT id FROM tc_coc ORDER BY ts, id LIMIT 3) s) AS cocoon;
SELECT (SELECT array_agg(id) FROM (SELECT id FROM tc_heap ORDER BY ts DESC NULLS LAST, id LIMIT 3) s) AS heap,
       (SELECT array_agg(id) FROM (SELECT id FROM tc_coc ORDER BY ts DESC NULLS LAST, id LIMIT 3) s) AS cocoon;
SELECT (SELECT array_agg(id) FROM (SELECT id FROM tc_heap ORDER BY ts DESC, id LIMIT 3) s) AS heap,
       (SELECT array_agg(id) FROM (SELECT id FROM tc_coc ORDER BY ts DESC, id LIMIT 3) s) AS cocoon;
DROP TABLE tc, tc_heap, tc_coc;
