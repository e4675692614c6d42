--
-- 17_topn: ORDER BY time column LIMIT k (top-N pruning).  Every query runs
-- on a heap table and on cocoon tables holding the same rows and must
-- return the same rows in the same order; EXPLAIN shows the pruning.
--
-- The rows arrive out of order (up to 10 minutes late), in three
-- interleaved loads (so stripes overlap in time), with ties (whole
-- seconds), NULL times, deleted rows and updated rows.
--
CREATE TABLE tn_heap (n int, ts timestamptz, level text, msg text);
CREATE TABLE tn_coc (LIKE tn_heap) USING cocoon;
SELECT cocoon.set_options('tn_coc', stripe_rows => 1000, chunk_rows => 100,
                          partition_interval => '1 hour');
CREATE TABLE tn_flat (LIKE tn_heap) USING cocoon;	-- one partition: nulls anywhere
SELECT cocoon.set_options('tn_flat', stripe_rows => 1000, chunk_rows => 100,
                          partition_interval => '0');

CREATE FUNCTION tn_rows(part int) RETURNS SETOF tn_heap LANGUAGE sql AS $$
  SELECT g,
         CASE WHEN g % 97 = 0 THEN NULL
              ELSE timestamptz '2025-03-01 00:00+00' + (g / 2) * interval '1 second'
                   + ((g * 7919) % 600) * interval '1 second' END,
         (ARRAY['INFO', 'INFO', 'INFO', 'WARN', 'ERROR'])[1 + (g * 31) % 5],
         'msg ' || (g * 13) % 1000
    FROM generate_series(1, 20000) g
   WHERE g % 3 = part
$$;
DO $$
BEGIN
  FOR p IN 0..2 LOOP
    INSERT INTO tn_heap SELECT * FROM tn_rows(p);
    INSERT INTO tn_coc SELECT * FROM tn_rows(p);
    INSERT INTO tn_flat SELECT * FROM tn_rows(p);
  END LOOP;
END
$$;
DELETE FROM tn_heap WHERE n % 50 = 0;
DELETE FROM tn_coc WHERE n % 50 = 0;
DELETE FROM tn_flat WHERE n % 50 = 0;
UPDATE tn_heap SET ts = ts + interval '1 day' WHERE n % 333 = 0;
UPDATE tn_coc SET ts = ts + interval '1 day' WHERE n % 333 = 0;
UPDATE tn_flat SET ts = ts + interval '1 day' WHERE n % 333 = 0;
ANALYZE tn_heap; ANALYZE tn_coc; ANALYZE tn_flat;

-- q has %1$s for the table; the answer is the rows, in order, as text
CREATE FUNCTION tn_same(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  h text; c text; f text;
BEGIN
  EXECUTE format('SELECT string_agg(s::text, '' | '') FROM (%s) s', format(q, 'tn_heap')) INTO h;
  EXECUTE format('SELECT string_agg(s::text, '' | '') FROM (%s) s', format(q, 'tn_coc')) INTO c;
  EXECUTE format('SELECT string_agg(s::text, '' | '') FROM (%s) s', format(q, 'tn_flat')) INTO f;
  IF h IS NOT DISTINCT FROM c AND h IS NOT DISTINCT FROM f THEN
    RETURN 'same (' || coalesce(array_length(string_to_array(h, ' | '), 1), 0) || ' rows)';
  END IF;
  RETURN 'DIFFERENT: heap ' || coalesce(left(h, 300), '<none>') ||
         ' | cocoon ' || coalesce(left(c, 300), '<none>') ||
         ' | flat ' || coalesce(left(f, 300), '<none>');
END
$$;

-- the plan: a sort over the scan, which prunes with the limit
EXPLAIN (costs off) SELECT * FROM tn_coc ORDER BY ts DESC LIMIT 10;
CREATE FUNCTION tn_explain(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (analyze, costs off, timing off, summary off) ' || q LOOP
    RETURN NEXT regexp_replace(l, 'Decompressed: \d+', 'Decompressed: N');
  END LOOP;
END
$$;
SELECT tn_explain('SELECT * FROM tn_coc ORDER BY ts DESC NULLS LAST LIMIT 10');
-- no pruning without a limit, with a join, with an expression, with FOR UPDATE
EXPLAIN (costs off) SELECT * FROM tn_coc ORDER BY ts DESC;
EXPLAIN (costs off) SELECT * FROM tn_coc ORDER BY ts + interval '1 hour' DESC LIMIT 10;
EXPLAIN (costs off) SELECT a.n FROM tn_coc a JOIN tn_coc b USING (n) ORDER BY a.ts DESC LIMIT 10;
EXPLAIN (costs off) SELECT * FROM tn_coc ORDER BY ts DESC LIMIT 10 FOR UPDATE;

-- directions and NULL placements
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n LIMIT 10');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC NULLS LAST, n LIMIT 10');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts, n LIMIT 10');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts NULLS FIRST, n LIMIT 10');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n DESC LIMIT 250');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts NULLS FIRST, n LIMIT 300');
-- ties on the time column: secondary keys and WITH TIES
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC NULLS LAST, n DESC LIMIT 3');
SELECT tn_same('SELECT n FROM (SELECT n, ts FROM %1$s ORDER BY ts DESC NULLS LAST
                FETCH FIRST 5 ROWS WITH TIES) s ORDER BY n');
SELECT tn_same('SELECT n FROM (SELECT n, ts FROM %1$s WHERE ts IS NOT NULL ORDER BY ts
                FETCH FIRST 1 ROWS WITH TIES) s ORDER BY n');
-- quals: evaluated before rows count toward the limit
SELECT tn_same('SELECT n, ts FROM %1$s WHERE level = ''ERROR'' ORDER BY ts DESC, n LIMIT 20');
SELECT tn_same('SELECT n, ts FROM %1$s WHERE msg LIKE ''%%77%%'' ORDER BY ts, n LIMIT 5 OFFSET 30');
SELECT tn_same('SELECT n, ts FROM %1$s WHERE ts < ''2025-03-01 01:00+00'' ORDER BY ts DESC, n LIMIT 15');
SELECT tn_same('SELECT n, ts FROM %1$s WHERE ts >= ''2025-03-01 02:00+00'' ORDER BY ts, n LIMIT 15');
SELECT tn_same('SELECT n, ts FROM %1$s WHERE n %% 1000 = 7 ORDER BY ts DESC NULLS LAST, n LIMIT 4');
SELECT tn_same('SELECT n, ts FROM %1$s WHERE level = ''nothing'' ORDER BY ts DESC LIMIT 4');
-- limits around the table's size
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n LIMIT 0');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n LIMIT 1');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n LIMIT 100000');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n LIMIT 10 OFFSET 19000');
-- projections without the time column, whole rows
SELECT tn_same('SELECT msg FROM %1$s ORDER BY ts DESC, n LIMIT 10');
SELECT tn_same('SELECT t FROM %1$s t ORDER BY ts, n LIMIT 10');
-- UNION ALL members each prune by the outer limit
SELECT tn_same('SELECT n, ts FROM (SELECT n, ts FROM %1$s WHERE n %% 2 = 0
                UNION ALL SELECT n, ts FROM %1$s WHERE n %% 2 = 1) u ORDER BY ts DESC, n LIMIT 10');
-- rescans: a correlated subquery per outer row
SELECT tn_same('SELECT l.level, (SELECT n FROM %1$s x WHERE x.level = l.level
                ORDER BY ts DESC NULLS LAST, n LIMIT 1) FROM (VALUES (''INFO''), (''WARN''), (''ERROR'')) l(level)');
-- a join is sorted above the join: no pruning, same rows
SELECT tn_same('SELECT a.n, a.ts FROM %1$s a JOIN %1$s b USING (n) ORDER BY a.ts DESC, a.n LIMIT 5');

-- rows of the open transaction, not yet in a stripe, are seen
BEGIN;
INSERT INTO tn_heap VALUES (-1, '2030-01-01', 'INFO', 'late'), (-2, NULL, 'INFO', 'late');
INSERT INTO tn_coc VALUES (-1, '2030-01-01', 'INFO', 'late'), (-2, NULL, 'INFO', 'late');
INSERT INTO tn_flat VALUES (-1, '2030-01-01', 'INFO', 'late'), (-2, NULL, 'INFO', 'late');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC NULLS LAST, n LIMIT 3');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n LIMIT 3');
ROLLBACK;

-- prepared statements: a parameter limit (generic plans) and parameter quals
PREPARE tn_p(int) AS SELECT n, ts FROM tn_coc ORDER BY ts DESC, n LIMIT $1;
EXECUTE tn_p(3);
PREPARE tn_h(int) AS SELECT n, ts FROM tn_heap ORDER BY ts DESC, n LIMIT $1;
EXECUTE tn_h(3);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (costs off) EXECUTE tn_p(3);
EXECUTE tn_p(3);
RESET plan_cache_mode;

-- a cursor over a pruned scan
BEGIN;
DECLARE tn_c CURSOR FOR SELECT n, ts FROM tn_coc ORDER BY ts, n LIMIT 6;
FETCH 2 FROM tn_c;
FETCH 10 FROM tn_c;
COMMIT;

-- parallel workers each keep their own k best
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (costs off) SELECT n, ts FROM tn_coc ORDER BY ts DESC, n LIMIT 10;
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n LIMIT 10');
SELECT tn_same('SELECT n, ts FROM %1$s WHERE level = ''WARN'' ORDER BY ts NULLS FIRST, n LIMIT 10');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- after compaction (rows sorted by time, stripes no longer overlapping)
SELECT stripes_after > 0 AS compacted FROM cocoon.compact('tn_coc');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n LIMIT 10');
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts, n LIMIT 10');
SELECT tn_same('SELECT n, ts FROM %1$s WHERE level = ''ERROR'' ORDER BY ts DESC NULLS LAST, n LIMIT 10');

-- the custom scan off: the same answers through a plain sequential scan
SET cocoon.enable_custom_scan = off;
SELECT tn_same('SELECT n, ts FROM %1$s ORDER BY ts DESC, n LIMIT 10');
RESET cocoon.enable_custom_scan;
