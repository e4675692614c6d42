--
-- 20_group_dict: CocoonAggregate groups by dictionary codes.  A chunk group
-- whose grouping columns are stored with a dictionary (or are constant or
-- all NULL) is grouped by code, one hash per distinct value; the others
-- row by row, into the same groups.  Every query runs on a heap table and
-- a cocoon table with the same rows and must give the same groups (EXCEPT
-- ALL both ways), with NULL keys, deleted rows, rows of the open
-- transaction, quals, HAVING and several aggregates per group.
--
CREATE TABLE gd_heap (id int, ts timestamptz, lvl text, st int, u uuid, host text,
                      n int, f8 float8);
CREATE TABLE gd_coc (LIKE gd_heap) USING cocoon;
SELECT cocoon.set_options('gd_coc', stripe_rows => 1000, chunk_rows => 100);
-- stripe 1 (ids 1-1000): few levels, statuses, uuids and hosts per chunk
--   group: dictionaries, with NULLs;
-- stripe 2 (ids 1001-2000): a distinct level and status per row: plain;
-- stripe 3: ids 2001-2100 every level and status NULL, then one level and
--   one status for the rest (all-NULL and constant chunks).
CREATE FUNCTION gd_rows(lo int, hi int) RETURNS SETOF gd_heap LANGUAGE sql AS $$
  SELECT g,
         timestamptz '2025-03-01 00:00+00' + g * interval '10 seconds',
         CASE WHEN g <= 1000 THEN CASE WHEN g % 9 = 0 THEN NULL
                                       ELSE (ARRAY['INFO', 'WARN', 'ERROR', 'DEBUG', 'FATAL'])[g % 7 % 5 + 1] END
              WHEN g <= 2000 THEN CASE WHEN g % 10 = 0 THEN NULL ELSE 'lvl-' || g END
              WHEN g <= 2100 THEN NULL
              ELSE 'ONLY' END,
         CASE WHEN g <= 1000 THEN CASE WHEN g % 11 = 0 THEN NULL ELSE g % 6 * 100 END
              WHEN g <= 2000 THEN g
              WHEN g <= 2100 THEN NULL
              ELSE 42 END,
         CASE WHEN g % 13 = 0 THEN NULL
              WHEN g <= 1000 THEN ('00000000-0000-0000-0000-00000000000' || g % 10)::uuid
              ELSE md5(g::text)::uuid END,
         'h' || g % 45,
         CASE WHEN g % 17 = 0 THEN NULL ELSE g * 37 % 1000 - 500 END,
         (g % 977) * 0.25 - 40
    FROM generate_series(lo, hi) g
$$;
INSERT INTO gd_heap SELECT * FROM gd_rows(1, 3000);
INSERT INTO gd_coc SELECT * FROM gd_rows(1, 3000);
DELETE FROM gd_heap WHERE id % 29 = 0 OR id BETWEEN 301 AND 400;
DELETE FROM gd_coc WHERE id % 29 = 0 OR id BETWEEN 301 AND 400;
-- the grouping columns have chunks of both kinds
SELECT attname, codecs FROM cocoon.column_stats('gd_coc')
 WHERE attname IN ('lvl', 'st', 'u', 'host') ORDER BY attnum;

-- q has %1$s for the table: the same groups (and how many)
CREATE FUNCTION gd_same(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  only_coc bigint; only_heap bigint; groups bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x',
                 format(q, 'gd_coc'), format(q, 'gd_heap')) INTO only_coc;
  EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x',
                 format(q, 'gd_heap'), format(q, 'gd_coc')) INTO only_heap;
  EXECUTE format('SELECT count(*) FROM (%s) x', format(q, 'gd_heap')) INTO groups;
  IF only_coc = 0 AND only_heap = 0 THEN
    RETURN 'same ' || groups || ' groups';
  END IF;
  RETURN format('DIFFERENT: %s groups only on cocoon, %s only on heap', only_coc, only_heap);
END
$$;
-- chunk groups the cocoon query grouped by code (EXPLAIN ANALYZE)
CREATE FUNCTION gd_by_code(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  j json;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, FORMAT JSON) ' || format(q, 'gd_coc') INTO j;
  RETURN (j->0->'Plan'->>'Node Type') || ' ' || coalesce(j->0->'Plan'->>'Custom Plan Provider', '') ||
         ', by code: ' || coalesce(j->0->'Plan'->>'Cocoon Chunk Groups Grouped By Dictionary', '-');
END
$$;

EXPLAIN (costs off) SELECT lvl, count(*) FROM gd_coc GROUP BY lvl;
-- 30 chunk groups: ids 301-400 are all deleted, the 10 of stripe 2 (plain
-- levels) go row by row, the other 19 by code
SELECT gd_by_code('SELECT lvl, count(*) FROM %1$s GROUP BY lvl');
SELECT gd_same('SELECT lvl, count(*) FROM %1$s GROUP BY lvl');
SELECT lvl, count(*) FROM gd_coc WHERE id <= 1000 OR id > 2000 GROUP BY lvl ORDER BY lvl NULLS FIRST;
-- several aggregates per group; count of the grouping column skips its NULL group
SELECT gd_same('SELECT lvl, count(*), count(lvl), count(n), sum(n), avg(n), min(n), max(n),
                       min(ts), max(ts), sum(f8), avg(f8), min(f8), max(f8) FROM %1$s GROUP BY lvl');
SELECT gd_same('SELECT st, count(*), count(st), sum(n), max(ts) FROM %1$s GROUP BY st');
SELECT gd_by_code('SELECT st, count(*), count(st), sum(n), max(ts) FROM %1$s GROUP BY st');
SELECT gd_same('SELECT u, count(*), avg(n) FROM %1$s GROUP BY u');
SELECT gd_same('SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY f8), lvl, count(*) FROM %1$s GROUP BY lvl');
-- only aggregates of other columns, or none at all
SELECT gd_same('SELECT count(n) FROM %1$s GROUP BY lvl');
SELECT gd_same('SELECT lvl FROM %1$s GROUP BY lvl');
-- two keys, both in dictionary form in stripes 1 and 3
SELECT gd_same('SELECT lvl, st, count(*), sum(n), count(st) FROM %1$s GROUP BY lvl, st');
SELECT gd_by_code('SELECT lvl, st, count(*), sum(n), count(st) FROM %1$s GROUP BY lvl, st');
SELECT gd_same('SELECT st, lvl, u, count(*) FROM %1$s GROUP BY st, lvl, u');
-- too many combinations to count (6 * 7 * 11 * 46 per chunk group): row by row
SELECT gd_by_code('SELECT lvl, st, u, host, count(*) FROM %1$s GROUP BY lvl, st, u, host');
SELECT gd_same('SELECT lvl, st, u, host, count(*), sum(n) FROM %1$s GROUP BY lvl, st, u, host');

-- quals: on another column, on the grouping column (prefilter), on both
SELECT gd_same('SELECT lvl, count(*), sum(n) FROM %1$s WHERE n > 0 GROUP BY lvl');
SELECT gd_by_code('SELECT lvl, count(*), sum(n) FROM %1$s WHERE n > 0 GROUP BY lvl');
SELECT gd_same('SELECT lvl, count(*) FROM %1$s WHERE lvl IN (''WARN'', ''ONLY'', ''lvl-1001'') GROUP BY lvl');
SELECT gd_same('SELECT lvl, st, count(*), max(ts) FROM %1$s WHERE lvl <> ''INFO'' AND st < 300 GROUP BY lvl, st');
SELECT gd_same('SELECT lvl, count(*) FROM %1$s WHERE ts < ''2025-03-01 03:00+00'' GROUP BY lvl');
SELECT gd_same('SELECT lvl, count(*) FROM %1$s WHERE lvl IS NULL GROUP BY lvl');
-- a qual no row passes in some chunk groups: no empty groups appear
SELECT gd_same('SELECT lvl, count(*) FROM %1$s WHERE id %% 100 = 7 GROUP BY lvl');
SELECT lvl, count(*) FROM gd_coc WHERE id IN (1, 2, 2500) GROUP BY lvl ORDER BY lvl;
-- HAVING
SELECT gd_same('SELECT lvl, count(*), sum(n) FROM %1$s GROUP BY lvl HAVING count(*) > 100');
SELECT gd_same('SELECT st, min(id) FROM %1$s GROUP BY st HAVING sum(n) > 0 AND count(st) > 1');

-- rows of the open transaction and deletes not yet committed: the pending
-- rows (row by row) join the groups the stripes made (by code)
BEGIN;
INSERT INTO gd_heap SELECT * FROM gd_rows(3001, 3040);
INSERT INTO gd_coc SELECT * FROM gd_rows(3001, 3040);
INSERT INTO gd_heap (id, lvl, st, n) VALUES (4001, 'WARN', 100, 5), (4002, NULL, NULL, 6), (4003, 'new', 7, 7);
INSERT INTO gd_coc (id, lvl, st, n) VALUES (4001, 'WARN', 100, 5), (4002, NULL, NULL, 6), (4003, 'new', 7, 7);
DELETE FROM gd_heap WHERE lvl = 'ERROR' AND id > 500;
DELETE FROM gd_coc WHERE lvl = 'ERROR' AND id > 500;
SELECT gd_same('SELECT lvl, count(*), count(lvl), sum(n), max(id) FROM %1$s GROUP BY lvl');
SELECT gd_same('SELECT lvl, st, count(*), sum(n) FROM %1$s GROUP BY lvl, st');
SELECT gd_same('SELECT lvl, count(*) FROM %1$s WHERE n >= 5 GROUP BY lvl HAVING count(*) > 1');
SELECT lvl, count(*), sum(n) FROM gd_coc WHERE lvl IN ('WARN', 'new') OR lvl IS NULL GROUP BY lvl ORDER BY lvl;
ROLLBACK;
SELECT gd_same('SELECT lvl, count(*), sum(n) FROM %1$s GROUP BY lvl');

-- a column added after the rows: one value for every old row
ALTER TABLE gd_heap ADD COLUMN zone text DEFAULT 'eu';
ALTER TABLE gd_coc ADD COLUMN zone text DEFAULT 'eu';
INSERT INTO gd_heap (id, lvl, zone, n) VALUES (5001, 'INFO', 'us', 1), (5002, 'INFO', NULL, 2);
INSERT INTO gd_coc (id, lvl, zone, n) VALUES (5001, 'INFO', 'us', 1), (5002, 'INFO', NULL, 2);
SELECT gd_same('SELECT zone, count(*), count(zone), sum(n) FROM %1$s GROUP BY zone');
SELECT gd_same('SELECT zone, lvl, count(*), count(zone), sum(n) FROM %1$s GROUP BY zone, lvl');
SELECT gd_by_code('SELECT zone, lvl, count(*), count(zone), sum(n) FROM %1$s GROUP BY zone, lvl');

-- a correlated subquery: one rescan per outer row
SELECT gd_same('SELECT k, (SELECT count(*) FROM %1$s x WHERE x.st = k * 100 GROUP BY x.st) FROM generate_series(0, 6) k');

-- the setting turns it off; the answers stay
SET cocoon.enable_aggregate = off;
SELECT gd_by_code('SELECT lvl, count(*) FROM %1$s GROUP BY lvl');
SELECT gd_same('SELECT lvl, st, count(*), sum(n) FROM %1$s GROUP BY lvl, st');
RESET cocoon.enable_aggregate;

DROP FUNCTION gd_rows(int, int);
DROP FUNCTION gd_same(text);
DROP FUNCTION gd_by_code(text);
DROP TABLE gd_heap, gd_coc;
