--
-- 19_aggregate: CocoonAggregate computes count, sum, avg, min and max
-- without GROUP BY from decoded columns.  Every query runs on a heap table
-- and a cocoon table with the same rows and must give the same answer,
-- including NULLs, NaN, infinities, -0, integer extremes, deleted rows,
-- rows of the open transaction, quals and row-level security.
--
CREATE TABLE ag_heap (id int, ts timestamptz, d date, s smallint, i int, b bigint,
                      f4 real, f8 float8, t text);
CREATE TABLE ag_coc (LIKE ag_heap) USING cocoon;
SELECT cocoon.set_options('ag_coc', stripe_rows => 1000, chunk_rows => 100);
CREATE FUNCTION ag_rows() RETURNS SETOF ag_heap LANGUAGE sql AS $$
  SELECT g,
         timestamptz '2025-06-01 00:00+00' + g * interval '17 seconds',
         date '2025-06-01' + g % 40,
         CASE WHEN g % 11 = 0 THEN NULL ELSE (g % 700 - 350)::smallint END,
         CASE WHEN g % 13 = 0 THEN NULL ELSE g * 37 % 100000 - 50000 END,
         CASE WHEN g % 17 = 0 THEN NULL ELSE g::bigint * 1000003 END,
         CASE WHEN g % 19 = 0 THEN NULL ELSE (g % 1000) / 7.0 END,
         CASE WHEN g % 23 = 0 THEN NULL ELSE (g % 977) * 0.1 - 40 END,
         'row ' || g % 50
    FROM generate_series(1, 5000) g
$$;
INSERT INTO ag_heap SELECT * FROM ag_rows();
INSERT INTO ag_coc SELECT * FROM ag_rows();
DELETE FROM ag_heap WHERE id % 31 = 0;
DELETE FROM ag_coc WHERE id % 31 = 0;

-- q has %1$s for the table
CREATE FUNCTION ag_same(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  h text; c text;
BEGIN
  EXECUTE format('SELECT s::text FROM (%s) s', format(q, 'ag_heap')) INTO h;
  EXECUTE format('SELECT s::text FROM (%s) s', format(q, 'ag_coc')) INTO c;
  IF h IS NOT DISTINCT FROM c THEN
    RETURN 'same: ' || h;
  END IF;
  RETURN 'DIFFERENT: heap ' || coalesce(h, '<none>') || ' | cocoon ' || coalesce(c, '<none>');
END
$$;

EXPLAIN (costs off) SELECT count(*), avg(f8) FROM ag_coc;
EXPLAIN (costs off) SELECT count(*) FROM ag_coc WHERE ts >= '2025-06-01 10:00+00' AND t = 'row 7';
EXPLAIN (analyze, costs off, timing off, summary off)
  SELECT count(*), max(ts) FROM ag_coc WHERE ts >= '2025-06-01 10:00+00';
-- shapes left to the executor's Agg
EXPLAIN (costs off) SELECT t, count(*) FROM ag_coc GROUP BY t;
EXPLAIN (costs off) SELECT count(DISTINCT t) FROM ag_coc;
EXPLAIN (costs off) SELECT sum(i) FILTER (WHERE id > 3) FROM ag_coc;
EXPLAIN (costs off) SELECT sum(i + 1) FROM ag_coc;
EXPLAIN (costs off) SELECT string_agg(t, ',') FROM ag_coc;
EXPLAIN (costs off) SELECT count(*) FROM ag_coc HAVING count(*) > 1;

-- every aggregate and type
SELECT ag_same('SELECT count(*), count(s), count(i), count(b), count(f4), count(f8), count(t) FROM %1$s');
SELECT ag_same('SELECT sum(s), sum(i), sum(b), sum(f4), sum(f8) FROM %1$s');
SELECT ag_same('SELECT avg(s), avg(i), avg(b), avg(f4), avg(f8) FROM %1$s');
SELECT ag_same('SELECT min(s), min(i), min(b), min(f4), min(f8), min(d), min(ts), min(ts::timestamp) FROM %1$s');
SELECT ag_same('SELECT max(s), max(i), max(b), max(f4), max(f8), max(d), max(ts) FROM %1$s');
-- expressions over aggregates, the same aggregate twice, constants
SELECT ag_same('SELECT count(*) * 2 + 1, sum(i)::float8 / nullif(count(i), 0), max(i) - min(i), count(*), 42 FROM %1$s');
-- quals: on the time column, blooms, any expression
SELECT ag_same('SELECT count(*), sum(i), avg(f8) FROM %1$s WHERE ts >= ''2025-06-01 10:00+00''');
SELECT ag_same('SELECT count(*), sum(b), max(ts) FROM %1$s WHERE t = ''row 7''');
SELECT ag_same('SELECT count(*), min(f4), max(f4) FROM %1$s WHERE i %% 3 = 1 AND s IS NOT NULL');
SELECT ag_same('SELECT count(*), sum(i), avg(i), min(i), max(i) FROM %1$s WHERE false');
SELECT ag_same('SELECT count(*), sum(i) FROM %1$s WHERE id < 0');
-- a system column in the quals is left to the executor's Agg
EXPLAIN (costs off) SELECT count(*) FROM ag_coc WHERE ctid > '(0,1)';
SELECT count(*) > 0 FROM ag_coc WHERE ctid > '(0,1)';
-- a correlated subquery: one rescan per outer row
SELECT ag_same('SELECT array_agg(c ORDER BY k) FROM (SELECT k, (SELECT count(*) FROM %1$s x WHERE x.t = ''row '' || k) AS c
                FROM generate_series(0, 4) k) s');
-- prepared with a parameter
PREPARE ag_p(int) AS SELECT count(*), sum(i) FROM ag_coc WHERE id > $1;
PREPARE ag_ph(int) AS SELECT count(*), sum(i) FROM ag_heap WHERE id > $1;
EXECUTE ag_p(4000);
EXECUTE ag_ph(4000);

-- rows of the open transaction, and deletes not yet committed
BEGIN;
INSERT INTO ag_heap VALUES (9001, now(), '2030-01-01', 1, 2, 3, 4.5, 'Infinity', 'x');
INSERT INTO ag_coc VALUES (9001, now(), '2030-01-01', 1, 2, 3, 4.5, 'Infinity', 'x');
DELETE FROM ag_heap WHERE id BETWEEN 100 AND 200;
DELETE FROM ag_coc WHERE id BETWEEN 100 AND 200;
SELECT ag_same('SELECT count(*), sum(i), avg(f8), max(d), sum(f4) FROM %1$s');
ROLLBACK;
SELECT ag_same('SELECT count(*), sum(i), avg(f8), max(d) FROM %1$s');

-- special values: NaN, infinities, -0, integer extremes
CREATE TABLE ag_sv_heap (f4 real, f8 float8, b bigint, i int);
CREATE TABLE ag_sv_coc (LIKE ag_sv_heap) USING cocoon;
INSERT INTO ag_sv_heap VALUES ('-0', '-0', 9223372036854775807, 2147483647),
  ('0', '0', 9223372036854775807, 2147483647), (NULL, NULL, NULL, NULL);
INSERT INTO ag_sv_coc SELECT * FROM ag_sv_heap;
SELECT (SELECT row(sum(f4), sum(f8), min(f8), max(f8), sum(b), avg(b), sum(i), avg(i))::text FROM ag_sv_heap) AS heap,
       (SELECT row(sum(f4), sum(f8), min(f8), max(f8), sum(b), avg(b), sum(i), avg(i))::text FROM ag_sv_coc) AS cocoon;
INSERT INTO ag_sv_heap VALUES ('NaN', 'NaN', -9223372036854775808, -2147483648), ('Infinity', '-Infinity', 1, 1);
INSERT INTO ag_sv_coc VALUES ('NaN', 'NaN', -9223372036854775808, -2147483648), ('Infinity', '-Infinity', 1, 1);
SELECT (SELECT row(sum(f4), sum(f8), min(f8), max(f8), avg(f8), min(f4), max(f4), sum(b), avg(b), sum(i))::text FROM ag_sv_heap) AS heap,
       (SELECT row(sum(f4), sum(f8), min(f8), max(f8), avg(f8), min(f4), max(f4), sum(b), avg(b), sum(i))::text FROM ag_sv_coc) AS cocoon;
SELECT (SELECT row(percentile_cont(0.5) WITHIN GROUP (ORDER BY f8), percentile_cont(1) WITHIN GROUP (ORDER BY f8),
                   percentile_cont(0.1) WITHIN GROUP (ORDER BY f8))::text FROM ag_sv_heap) AS heap,
       (SELECT row(percentile_cont(0.5) WITHIN GROUP (ORDER BY f8), percentile_cont(1) WITHIN GROUP (ORDER BY f8),
                   percentile_cont(0.1) WITHIN GROUP (ORDER BY f8))::text FROM ag_sv_coc) AS cocoon;
-- overflow raises the same error
TRUNCATE ag_sv_heap, ag_sv_coc;
INSERT INTO ag_sv_heap VALUES ('3e38', '1e308', 0, 0), ('3e38', '1e308', 0, 0);
INSERT INTO ag_sv_coc SELECT * FROM ag_sv_heap;
SELECT sum(f8) FROM ag_sv_heap;
SELECT sum(f8) FROM ag_sv_coc;
SELECT sum(f4) FROM ag_sv_heap;
SELECT sum(f4) FROM ag_sv_coc;
SELECT avg(f8) FROM ag_sv_heap;
SELECT avg(f8) FROM ag_sv_coc;
TRUNCATE ag_sv_heap, ag_sv_coc;
INSERT INTO ag_sv_heap VALUES (NULL, '1e200', 0, 0), (NULL, '-1e200', 0, 0);
INSERT INTO ag_sv_coc SELECT * FROM ag_sv_heap;
SELECT avg(f8) FROM ag_sv_heap;	-- Sxx overflows although the sum does not
SELECT avg(f8) FROM ag_sv_coc;

-- min, max and count from chunk descriptors when a chunk group is taken whole
CREATE TABLE ag_md_heap (ts timestamptz, d date, s smallint, i int, b bigint);
CREATE TABLE ag_md_coc (LIKE ag_md_heap) USING cocoon;
SELECT cocoon.set_options('ag_md_coc', stripe_rows => 1000, chunk_rows => 100);
INSERT INTO ag_md_heap SELECT timestamptz '2025-01-01 00:00+00' + g * interval '1 minute', date '2025-01-01' + g,
       g % 300, CASE WHEN g <= 200 THEN NULL ELSE g END, -g FROM generate_series(1, 3000) g;
INSERT INTO ag_md_coc SELECT * FROM ag_md_heap;
CREATE FUNCTION ag_md() RETURNS TABLE (heap text, cocoon text) LANGUAGE sql AS $$
  SELECT (SELECT row(min(ts), max(ts), min(d), max(d), min(s), max(s), min(i), max(i), count(i), min(b), max(b))::text FROM ag_md_heap),
         (SELECT row(min(ts), max(ts), min(d), max(d), min(s), max(s), min(i), max(i), count(i), min(b), max(b))::text FROM ag_md_coc)
$$;
SELECT heap = cocoon AS same, cocoon FROM ag_md();
-- the extremes deleted: their chunk groups are decoded again
DELETE FROM ag_md_heap WHERE b IN (-1, -3000) OR i = 3000;
DELETE FROM ag_md_coc WHERE b IN (-1, -3000) OR i = 3000;
SELECT heap = cocoon AS same, cocoon FROM ag_md();
BEGIN;
INSERT INTO ag_md_heap VALUES ('2030-01-01', '2030-01-01', 999, 99999, -99999);
INSERT INTO ag_md_coc VALUES ('2030-01-01', '2030-01-01', 999, 99999, -99999);
SELECT heap = cocoon AS same, cocoon FROM ag_md();
ROLLBACK;
DROP TABLE ag_md_heap, ag_md_coc;
DROP FUNCTION ag_md();

-- a column added after the rows: its default counts for the old rows
ALTER TABLE ag_heap ADD COLUMN extra int DEFAULT 7;
ALTER TABLE ag_coc ADD COLUMN extra int DEFAULT 7;
INSERT INTO ag_heap (id, extra) VALUES (9002, 100), (9003, NULL);
INSERT INTO ag_coc (id, extra) VALUES (9002, 100), (9003, NULL);
SELECT ag_same('SELECT count(extra), sum(extra), avg(extra), min(extra), max(extra) FROM %1$s');

-- row-level security: a leaky function never sees hidden rows
CREATE FUNCTION ag_leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
  IF $1 = 'row 13' THEN RAISE EXCEPTION 'leaked %', $1; END IF;
  RETURN true;
END
$$;
ALTER TABLE ag_coc ENABLE ROW LEVEL SECURITY;
CREATE POLICY ag_pol ON ag_coc USING (t <> 'row 13');
CREATE ROLE regress_ag_reader;
GRANT SELECT ON ag_coc, ag_heap TO regress_ag_reader;
SET ROLE regress_ag_reader;
EXPLAIN (costs off) SELECT count(*), sum(i) FROM ag_coc WHERE ag_leak(t);
SELECT count(*), sum(i) FROM ag_coc WHERE ag_leak(t);
SELECT count(*), sum(i) FROM ag_heap WHERE t <> 'row 13';
RESET ROLE;

-- GROUP BY plain columns (text, integers, dates, times, booleans, uuids)
ALTER TABLE ag_heap ADD COLUMN flag boolean, ADD COLUMN u uuid;
ALTER TABLE ag_coc ADD COLUMN flag boolean, ADD COLUMN u uuid;
UPDATE ag_heap SET flag = (id % 3 = 0), u = ('00000000-0000-0000-0000-00000000000' || id % 7)::uuid WHERE id % 5 <> 0;
UPDATE ag_coc SET flag = (id % 3 = 0), u = ('00000000-0000-0000-0000-00000000000' || id % 7)::uuid WHERE id % 5 <> 0;
EXPLAIN (costs off) SELECT t, count(*), avg(f8) FROM ag_coc GROUP BY t ORDER BY t;
-- q has %1$s for the table; the groups come back sorted by the query
CREATE FUNCTION ag_groups(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  h text; c text;
BEGIN
  EXECUTE format('SELECT string_agg(s::text, '' '') FROM (%s) s', format(q, 'ag_heap')) INTO h;
  EXECUTE format('SELECT string_agg(s::text, '' '') FROM (%s) s', format(q, 'ag_coc')) INTO c;
  IF h IS NOT DISTINCT FROM c THEN
    RETURN 'same: ' || left(h, 120);
  END IF;
  RETURN 'DIFFERENT: heap ' || coalesce(h, '<none>') || ' | cocoon ' || coalesce(c, '<none>');
END
$$;
-- (float sums depend on row order, which the UPDATE changed: min/max here)
SELECT ag_groups('SELECT t, count(*), sum(i), max(f8), min(ts), max(b), avg(s) FROM %1$s GROUP BY t ORDER BY t');
SELECT ag_groups('SELECT s, count(*) FROM %1$s GROUP BY s ORDER BY s NULLS FIRST');
SELECT ag_groups('SELECT d, count(*), avg(s) FROM %1$s GROUP BY d ORDER BY d');
SELECT ag_groups('SELECT flag, u, count(*), min(f4) FROM %1$s GROUP BY flag, u ORDER BY flag, u');
SELECT ag_groups('SELECT date_trunc(''hour'', min(ts)), count(*) FROM %1$s GROUP BY b %% 3 ORDER BY 1');
SELECT ag_groups('SELECT extra, count(*) FROM %1$s GROUP BY extra ORDER BY extra');
SELECT ag_groups('SELECT count(*) FROM %1$s GROUP BY t ORDER BY 1');
SELECT ag_groups('SELECT t FROM %1$s WHERE i > 0 GROUP BY t ORDER BY t');
SELECT ag_groups('SELECT t, count(*) FROM %1$s GROUP BY t HAVING count(*) > 96 AND min(id) < 10 ORDER BY t');
SELECT ag_groups('SELECT t, count(*) FROM %1$s WHERE ts < ''2025-06-01 05:00+00'' GROUP BY t ORDER BY 2 DESC, 1 LIMIT 3');
SELECT ag_groups('SELECT i, count(*) FROM %1$s WHERE id > 4990 GROUP BY i ORDER BY i');
SELECT ag_groups('SELECT t, count(*) FROM %1$s WHERE false GROUP BY t');
SELECT ag_groups('SELECT k, (SELECT count(*) FROM %1$s x WHERE x.s = k GROUP BY x.s) FROM generate_series(-3, 3) k ORDER BY k');
-- percentile_cont(fraction) WITHIN GROUP (ORDER BY a float8 column)
EXPLAIN (costs off) SELECT t, percentile_cont(0.9) WITHIN GROUP (ORDER BY f8) FROM ag_coc GROUP BY t;
SELECT ag_groups('SELECT t, percentile_cont(0.9) WITHIN GROUP (ORDER BY f8), percentile_cont(0) WITHIN GROUP (ORDER BY f8),
                  percentile_cont(1) WITHIN GROUP (ORDER BY f8), count(*) FROM %1$s GROUP BY t ORDER BY t');
SELECT ag_same('SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY f8), percentile_cont(0.25) WITHIN GROUP (ORDER BY f8) FROM %1$s');
SELECT ag_same('SELECT percentile_cont(NULL) WITHIN GROUP (ORDER BY f8) FROM %1$s');
SELECT ag_same('SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY f8) FROM %1$s WHERE false');
SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY f8) FROM ag_heap WHERE false;
SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY f8) FROM ag_coc WHERE false;
-- not taken: descending order, a fraction per row, another type
EXPLAIN (costs off) SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY f8 DESC) FROM ag_coc;
EXPLAIN (costs off) SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY f8) FROM ag_coc;
EXPLAIN (costs off) SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY i) FROM ag_coc;

-- shapes left to the executor: expressions, varchar grouped as text, grouping sets
EXPLAIN (costs off) SELECT b % 3, count(*) FROM ag_coc GROUP BY b % 3;
EXPLAIN (costs off) SELECT t, count(*) FROM ag_coc GROUP BY ROLLUP (t);
BEGIN;
INSERT INTO ag_heap (id, t, i) VALUES (9100, 'row 1', 5), (9101, 'new', 6);
INSERT INTO ag_coc (id, t, i) VALUES (9100, 'row 1', 5), (9101, 'new', 6);
DELETE FROM ag_heap WHERE t = 'row 2';
DELETE FROM ag_coc WHERE t = 'row 2';
SELECT ag_groups('SELECT t, count(*), sum(i) FROM %1$s GROUP BY t ORDER BY t');
ROLLBACK;

-- the setting turns it off; the answers stay
SET cocoon.enable_aggregate = off;
EXPLAIN (costs off) SELECT count(*), avg(f8) FROM ag_coc;
SELECT ag_same('SELECT count(*), sum(i), max(f8), min(ts), max(b) FROM %1$s');
RESET cocoon.enable_aggregate;

DROP FUNCTION ag_rows();
DROP FUNCTION ag_groups(text);
DROP TABLE ag_heap, ag_coc, ag_sv_heap, ag_sv_coc;
DROP FUNCTION ag_leak(text);
DROP ROLE regress_ag_reader;
