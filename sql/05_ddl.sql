--
-- 05_ddl: TRUNCATE, DROP, CTAS, default AM, SET ACCESS METHOD, matviews,
-- temp/unlogged tables, VACUUM, ANALYZE, EXPLAIN
--
CREATE TABLE ddl_src (id int, ts timestamptz, msg text, v float8);
INSERT INTO ddl_src
SELECT g, timestamptz '2024-05-01 00:00+00' + g * interval '10 seconds', 'msg ' || (g % 50), g * 0.5
  FROM generate_series(1, 20000) g;

CREATE FUNCTION ddl_same(a regclass, b regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  na bigint; nb bigint; d1 bigint; d2 bigint;
BEGIN
  EXECUTE format('SELECT (SELECT count(*) FROM %1$s), (SELECT count(*) FROM %2$s),
                         (SELECT count(*) FROM (SELECT * FROM %1$s EXCEPT ALL SELECT * FROM %2$s) s),
                         (SELECT count(*) FROM (SELECT * FROM %2$s EXCEPT ALL SELECT * FROM %1$s) s)', a, b)
    INTO na, nb, d1, d2;
  RETURN format('%s rows vs %s rows, %s missing, %s extra', na, nb, d1, d2);
END
$$;

CREATE FUNCTION ddl_am(tbl regclass) RETURNS name LANGUAGE sql AS $$
  SELECT a.amname FROM pg_class c LEFT JOIN pg_am a ON a.oid = c.relam WHERE c.oid = tbl
$$;

--
-- TRUNCATE
--
CREATE TABLE ddl_t (LIKE ddl_src) USING cocoon;
INSERT INTO ddl_t SELECT * FROM ddl_src;
SELECT ddl_same('ddl_src', 'ddl_t');
TRUNCATE ddl_t;
SELECT count(*) FROM ddl_t;
SELECT row_count, stripes, pending_rows FROM cocoon.stats('ddl_t');
INSERT INTO ddl_t SELECT * FROM ddl_src WHERE id <= 100;
SELECT count(*), min(id), max(id) FROM ddl_t;
-- TRUNCATE rolled back: the rows come back
BEGIN;
TRUNCATE ddl_t;
SELECT count(*) FROM ddl_t;
INSERT INTO ddl_t SELECT * FROM ddl_src WHERE id > 19990;
SELECT count(*) FROM ddl_t;
ROLLBACK;
SELECT count(*), min(id), max(id) FROM ddl_t;
-- TRUNCATE committed inside a transaction, then more rows
BEGIN;
TRUNCATE ddl_t;
INSERT INTO ddl_t SELECT * FROM ddl_src WHERE id > 19990;
COMMIT;
SELECT count(*), min(id), max(id) FROM ddl_t;
-- insert, then TRUNCATE in the same transaction, then roll back
BEGIN;
INSERT INTO ddl_t SELECT * FROM ddl_src WHERE id <= 5;
TRUNCATE ddl_t;
ROLLBACK;
SELECT count(*), min(id), max(id) FROM ddl_t;
SELECT count(*) AS problems FROM cocoon.verify('ddl_t');

--
-- DROP TABLE removes the directory rows too
--
SELECT count(*) > 0 AS has_stripes FROM cocoon.stats('ddl_t') WHERE stripes > 0;
SELECT cocoon.set_options('ddl_t', chunk_rows => 500);
SELECT count(*) AS stripe_rows_before FROM cocoon.stripe \gset
DROP TABLE ddl_t;
SELECT count(*) < :stripe_rows_before AS directory_cleaned FROM cocoon.stripe;
SELECT count(*) AS leftover_options FROM cocoon.options WHERE relid::text = 'ddl_t';
-- DROP in a rolled back transaction keeps the table
CREATE TABLE ddl_t2 (LIKE ddl_src) USING cocoon;
INSERT INTO ddl_t2 SELECT * FROM ddl_src WHERE id <= 1000;
BEGIN;
DROP TABLE ddl_t2;
ROLLBACK;
SELECT count(*) FROM ddl_t2;
-- create, fill and drop in the same transaction
BEGIN;
CREATE TABLE ddl_t3 (a int) USING cocoon;
INSERT INTO ddl_t3 SELECT generate_series(1, 1000);
SELECT count(*) FROM ddl_t3;
DROP TABLE ddl_t3;
COMMIT;
-- create and fill in a rolled back transaction
BEGIN;
CREATE TABLE ddl_t3 (a int) USING cocoon;
INSERT INTO ddl_t3 SELECT generate_series(1, 1000);
ROLLBACK;
SELECT to_regclass('ddl_t3');
DROP TABLE ddl_t2;

--
-- CREATE TABLE ... USING cocoon AS SELECT
--
CREATE TABLE ddl_ctas USING cocoon AS SELECT * FROM ddl_src;
SELECT ddl_am('ddl_ctas'), ddl_same('ddl_src', 'ddl_ctas');
CREATE TABLE ddl_ctas_empty USING cocoon AS SELECT * FROM ddl_src WITH NO DATA;
SELECT ddl_am('ddl_ctas_empty'), count(*) FROM ddl_ctas_empty;
SELECT * INTO ddl_select_into FROM ddl_src WHERE id <= 10;  -- default AM: heap
SELECT ddl_am('ddl_select_into');
DROP TABLE ddl_ctas, ddl_ctas_empty, ddl_select_into;

--
-- default_table_access_method
--
SET default_table_access_method = cocoon;
CREATE TABLE ddl_dflt (LIKE ddl_src);
CREATE TABLE ddl_dflt_ctas AS SELECT * FROM ddl_src;
SELECT * INTO ddl_dflt_into FROM ddl_src;
SELECT ddl_am('ddl_dflt'), ddl_am('ddl_dflt_ctas'), ddl_am('ddl_dflt_into');
INSERT INTO ddl_dflt SELECT * FROM ddl_src;
SELECT ddl_same('ddl_src', 'ddl_dflt'), ddl_same('ddl_src', 'ddl_dflt_ctas'), ddl_same('ddl_src', 'ddl_dflt_into');
RESET default_table_access_method;
DROP TABLE ddl_dflt, ddl_dflt_ctas, ddl_dflt_into;

--
-- ALTER TABLE ... SET ACCESS METHOD, both ways
--
CREATE TABLE ddl_conv AS SELECT * FROM ddl_src;
SELECT ddl_am('ddl_conv');
ALTER TABLE ddl_conv SET ACCESS METHOD cocoon;
SELECT ddl_am('ddl_conv'), ddl_same('ddl_src', 'ddl_conv');
SELECT row_count, pending_rows FROM cocoon.stats('ddl_conv');
INSERT INTO ddl_conv VALUES (20001, '2024-05-03 00:00+00', 'after', 1);
ALTER TABLE ddl_conv SET ACCESS METHOD heap;
SELECT ddl_am('ddl_conv');
DELETE FROM ddl_conv WHERE id = 20001;
SELECT ddl_same('ddl_src', 'ddl_conv');
-- with an index, a constraint and a dropped column
ALTER TABLE ddl_conv ADD COLUMN extra int DEFAULT 5, DROP COLUMN v;
CREATE INDEX ddl_conv_id ON ddl_conv (id);
ALTER TABLE ddl_conv SET ACCESS METHOD cocoon;
SELECT ddl_am('ddl_conv'), count(*), sum(extra), count(DISTINCT msg) FROM ddl_conv;
SET enable_seqscan = off;
SELECT id, msg, extra FROM ddl_conv WHERE id = 12345;
RESET enable_seqscan;
ALTER TABLE ddl_conv SET ACCESS METHOD heap;
SELECT ddl_am('ddl_conv'), count(*), sum(extra), count(DISTINCT msg) FROM ddl_conv;
DROP TABLE ddl_conv;

--
-- materialized views
--
CREATE MATERIALIZED VIEW ddl_mv USING cocoon AS
  SELECT msg, count(*) AS n, sum(v) AS total FROM ddl_src GROUP BY msg;
SELECT ddl_am('ddl_mv');
SELECT count(*), sum(n), sum(total) FROM ddl_mv;
SELECT * FROM ddl_mv WHERE msg IN ('msg 0', 'msg 49') ORDER BY msg;
INSERT INTO ddl_src VALUES (20001, '2024-05-04 00:00+00', 'msg 0', 100);
REFRESH MATERIALIZED VIEW ddl_mv;
SELECT * FROM ddl_mv WHERE msg = 'msg 0';
SELECT count(*) AS problems FROM cocoon.verify('ddl_mv');
CREATE MATERIALIZED VIEW ddl_mv2 USING cocoon AS SELECT * FROM ddl_src WITH NO DATA;
SELECT * FROM ddl_mv2;
REFRESH MATERIALIZED VIEW ddl_mv2;
SELECT ddl_same('ddl_src', 'ddl_mv2');
DELETE FROM ddl_src WHERE id = 20001;
DROP MATERIALIZED VIEW ddl_mv, ddl_mv2;

--
-- temporary and unlogged cocoon tables
--
CREATE TEMP TABLE ddl_temp (LIKE ddl_src) USING cocoon;
INSERT INTO ddl_temp SELECT * FROM ddl_src;
SELECT ddl_am('ddl_temp'), ddl_same('ddl_src', 'ddl_temp');
SELECT c.relpersistence FROM pg_class c WHERE c.oid = 'ddl_temp'::regclass;
SELECT row_count FROM cocoon.stats('ddl_temp');
TRUNCATE ddl_temp;
INSERT INTO ddl_temp SELECT * FROM ddl_src WHERE id <= 10;
SELECT count(*) FROM ddl_temp;
DROP TABLE ddl_temp;
CREATE TEMP TABLE ddl_temp_commit (a int) USING cocoon ON COMMIT DELETE ROWS;
BEGIN;
INSERT INTO ddl_temp_commit SELECT generate_series(1, 100);
SELECT count(*) FROM ddl_temp_commit;
COMMIT;
SELECT count(*) FROM ddl_temp_commit;
DROP TABLE ddl_temp_commit;

CREATE UNLOGGED TABLE ddl_unlogged (LIKE ddl_src) USING cocoon;
INSERT INTO ddl_unlogged SELECT * FROM ddl_src;
SELECT ddl_am('ddl_unlogged'), ddl_same('ddl_src', 'ddl_unlogged');
SELECT c.relpersistence FROM pg_class c WHERE c.oid = 'ddl_unlogged'::regclass;
ALTER TABLE ddl_unlogged SET LOGGED;
SELECT c.relpersistence, ddl_am('ddl_unlogged'), ddl_same('ddl_src', 'ddl_unlogged')
  FROM pg_class c WHERE c.oid = 'ddl_unlogged'::regclass;
ALTER TABLE ddl_unlogged SET UNLOGGED;
SELECT c.relpersistence, ddl_same('ddl_src', 'ddl_unlogged')
  FROM pg_class c WHERE c.oid = 'ddl_unlogged'::regclass;
DROP TABLE ddl_unlogged;

--
-- VACUUM, VACUUM FULL, ANALYZE
--
CREATE TABLE ddl_vac (LIKE ddl_src) USING cocoon;
SELECT cocoon.set_options('ddl_vac', stripe_rows => 5000);
INSERT INTO ddl_vac SELECT * FROM ddl_src;
-- many small inserts
DO $$ BEGIN FOR i IN 1..50 LOOP INSERT INTO ddl_vac VALUES (-i, NULL, 'small', i); END LOOP; END $$;
INSERT INTO ddl_src SELECT -g, NULL, 'small', g FROM generate_series(1, 50) g;
VACUUM ddl_vac;
SELECT ddl_same('ddl_src', 'ddl_vac');
VACUUM (VERBOSE false, ANALYZE) ddl_vac;
SELECT ddl_same('ddl_src', 'ddl_vac');
SELECT stripes AS stripes_before FROM cocoon.stats('ddl_vac') \gset
VACUUM FULL ddl_vac;
SELECT ddl_same('ddl_src', 'ddl_vac');
SELECT ddl_am('ddl_vac');
SELECT stripes <= :stripes_before AS not_more_stripes, row_count, pending_rows FROM cocoon.stats('ddl_vac');
SELECT count(*) AS problems FROM cocoon.verify('ddl_vac');
INSERT INTO ddl_vac VALUES (0, '2024-05-02 00:00+00', 'after full', 0);
SELECT count(*) FROM ddl_vac;
DELETE FROM ddl_src WHERE id < 0;

ANALYZE ddl_vac;
SELECT reltuples BETWEEN 20051 * 0.9 AND 20051 * 1.1 AS reltuples_close
  FROM pg_class WHERE oid = 'ddl_vac'::regclass;
SELECT count(*) > 0 AS has_column_stats FROM pg_stats WHERE tablename = 'ddl_vac';
SELECT attname, null_frac > 0 AS has_nulls, n_distinct <> 0 AS has_ndistinct
  FROM pg_stats WHERE tablename = 'ddl_vac' ORDER BY attname;
-- row estimate of a full scan comes from reltuples
EXPLAIN (costs off) SELECT * FROM ddl_vac;
EXPLAIN (costs off) SELECT * FROM ddl_vac WHERE id = 5;
EXPLAIN (costs off) SELECT msg, count(*) FROM ddl_vac GROUP BY msg;
-- a plain seqscan when the custom scan is disabled
SET cocoon.enable_custom_scan = off;
EXPLAIN (costs off) SELECT count(*) FROM ddl_vac;
SELECT count(*) FROM ddl_vac;
RESET cocoon.enable_custom_scan;
VACUUM FULL ANALYZE ddl_vac;
SELECT count(*) FROM ddl_vac;
DROP TABLE ddl_vac;

--
-- a cocoon table in another schema, dropped with the schema
--
CREATE SCHEMA ddl_schema;
CREATE TABLE ddl_schema.t (LIKE ddl_src) USING cocoon;
INSERT INTO ddl_schema.t SELECT * FROM ddl_src;
SELECT cocoon.set_options('ddl_schema.t', stripe_rows => 2000);
SELECT count(*) FROM ddl_schema.t;
SELECT count(*) AS stripe_rows_before FROM cocoon.stripe \gset
DROP SCHEMA ddl_schema CASCADE;
SELECT count(*) < :stripe_rows_before AS directory_cleaned FROM cocoon.stripe;
SELECT count(*) AS options_left FROM cocoon.options WHERE relid::text LIKE 'ddl_schema%';

DROP TABLE ddl_src;
DROP FUNCTION ddl_same(regclass, regclass);
DROP FUNCTION ddl_am(regclass);
