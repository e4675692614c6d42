--
-- 26_enum_minmax: chunks of enum columns keep their least and greatest
-- label in the enum's sort order (not the labels' OID order), so
-- comparisons on enums skip chunk groups by min/max; the answers are
-- heap's for every label and operator, also after labels are added between
-- existing ones (which may renumber the sort order) and for a domain over
-- an enum (whose comparisons need the column cast to the enum, as on heap).
--
\set VERBOSITY default
SET cocoon.chunk_rows = 100;
CREATE FUNCTION en_skips(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF line ~ 'Skipped By Min/Max' THEN
      RETURN substring(line FROM '(\d+)\s*$')::int;
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
-- labels added BEFORE others: their OIDs are not in sort order
CREATE TYPE en_lvl AS ENUM ('debug', 'info', 'error');
ALTER TYPE en_lvl ADD VALUE 'warn' BEFORE 'error';
ALTER TYPE en_lvl ADD VALUE 'trace' BEFORE 'debug';
ALTER TYPE en_lvl ADD VALUE 'fatal';
SELECT array_agg(enumlabel ORDER BY enumsortorder) AS sort_order,
       array_agg(enumlabel ORDER BY oid) = array_agg(enumlabel ORDER BY enumsortorder) AS oid_order_is_sort_order
  FROM pg_enum WHERE enumtypid = 'en_lvl'::regtype;
CREATE DOMAIN en_lvl_d AS en_lvl;
CREATE TABLE en_h (l en_lvl, d en_lvl_d, n int);
-- 10 chunk groups of 100 rows: groups of one label, of two neighbours, of
-- all labels, and NULLs
INSERT INTO en_h SELECT
    CASE WHEN g % 97 = 0 THEN NULL
         WHEN g < 600 THEN (enum_range(NULL::en_lvl))[1 + g / 100]
         WHEN g < 800 THEN (enum_range(NULL::en_lvl))[1 + (g / 100 - 6) * 2 + g % 2]
         ELSE (enum_range(NULL::en_lvl))[1 + g % 6] END,
    (enum_range(NULL::en_lvl))[1 + (g / 200) % 6], g
  FROM generate_series(0, 999) g;
CREATE TABLE en_c (LIKE en_h) USING cocoon;
INSERT INTO en_c SELECT * FROM en_h;
-- every label against every operator: the same counts as heap
CREATE FUNCTION en_mismatches(tbl text, col text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  lab en_lvl;
  op text;
  a bigint;
  b bigint;
  bad text := '';
BEGIN
  FOREACH lab IN ARRAY enum_range(NULL::en_lvl) LOOP
    FOREACH op IN ARRAY ARRAY['<', '<=', '=', '>=', '>', '<>'] LOOP
      EXECUTE format('SELECT count(*) FROM %I WHERE %I::en_lvl %s %L::en_lvl', tbl, col, op, lab) INTO a;
      EXECUTE format('SELECT count(*) FROM en_h WHERE %I::en_lvl %s %L::en_lvl', col, op, lab) INTO b;
      IF a <> b THEN
        bad := bad || format('%s %s %s: %s vs %s; ', col, op, lab, a, b);
      END IF;
    END LOOP;
  END LOOP;
  RETURN coalesce(nullif(bad, ''), 'none');
END $$;
SELECT en_mismatches('en_c', 'l') AS l_mismatches, en_mismatches('en_c', 'd') AS d_mismatches;
-- min/max skips without reading the chunks
SELECT en_skips($$SELECT count(*) FROM en_c WHERE l = 'warn'$$) AS eq_warn,
       en_skips($$SELECT count(*) FROM en_c WHERE l >= 'warn'$$) AS ge_warn,
       en_skips($$SELECT count(*) FROM en_c WHERE l < 'debug'$$) AS lt_debug,
       en_skips($$SELECT count(*) FROM en_c WHERE l > 'fatal'$$) AS gt_fatal,
       en_skips($$SELECT count(*) FROM en_c WHERE d::en_lvl <= 'trace'$$) AS domain_le_trace;
-- a prepared statement's parameter
PREPARE en_q(en_lvl) AS SELECT count(*) FROM en_c WHERE l > $1;
EXECUTE en_q('error');
SELECT count(*) FROM en_h WHERE l > 'error';
DEALLOCATE en_q;
-- labels added between existing ones, until the sort order is renumbered;
-- the bounds written before stay right (relative order never changes)
SELECT enumsortorder AS error_before FROM pg_enum
 WHERE enumtypid = 'en_lvl'::regtype AND enumlabel = 'error' \gset
DO $$
BEGIN
  FOR i IN 1..60 LOOP
    EXECUTE format('ALTER TYPE en_lvl ADD VALUE %L BEFORE %L', 'x' || i,
                   CASE WHEN i = 1 THEN 'warn' ELSE 'x' || (i - 1) END);
  END LOOP;
END $$;
SELECT count(*) AS labels,
       (SELECT enumsortorder <> :error_before FROM pg_enum
         WHERE enumtypid = 'en_lvl'::regtype AND enumlabel = 'error') AS renumbered
  FROM pg_enum WHERE enumtypid = 'en_lvl'::regtype;
INSERT INTO en_h VALUES ('x30', 'x1', 5000), ('x60', 'x59', 5001);
INSERT INTO en_c VALUES ('x30', 'x1', 5000), ('x60', 'x59', 5001);
SELECT en_mismatches('en_c', 'l') AS l_mismatches, en_mismatches('en_c', 'd') AS d_mismatches;
SELECT count(*) FROM en_c WHERE l BETWEEN 'x60' AND 'x1';
SELECT count(*) FROM en_h WHERE l BETWEEN 'x60' AND 'x1';
DROP TABLE en_c, en_h;
DROP DOMAIN en_lvl_d;
DROP TYPE en_lvl;
DROP FUNCTION en_skips(text);
DROP FUNCTION en_mismatches(text, text);
RESET cocoon.chunk_rows;
