--
-- 15_skip_indexes: per-chunk bloom filters (text, uuid, jsonb) and min/max
-- (integers) skip chunk groups; every query returns exactly what heap
-- returns, with the custom scan on and off, and EXPLAIN ANALYZE shows the
-- skipping for rare values.
--
SET cocoon.chunk_rows = 500;
SET cocoon.stripe_rows = 5000;
SET cocoon.partition_interval = '0';
CREATE TABLE skip_h (id int, ts timestamptz, host text, msg text, code varchar(12),
                     trace uuid, attrs jsonb, n int8, small int2);
INSERT INTO skip_h
SELECT g, timestamptz '2024-07-01 00:00+00' + g * interval '1 second',
       'host-' || (g / 500),                                   -- one host per chunk group
       CASE WHEN g % 2500 = 1234 THEN 'Rare NeedleWord ' || g
            WHEN g % 3 = 0 THEN 'GET /api/items/' || g || ' 200'
            WHEN g % 3 = 1 THEN 'user ' || (g % 97) || ' logged in'
            ELSE 'disk at ' || (g % 100) || '% full; path a\b_' || g END,
       'C' || (g % 50),
       md5(g::text)::uuid,
       CASE WHEN g % 4 = 0 THEN jsonb_build_object('k', 'v' || (g % 10), 'n', g % 13)
            WHEN g % 4 = 1 THEN jsonb_build_object('status', g % 5, 'tags', jsonb_build_array('a', 'b'))
            WHEN g % 4 = 2 THEN jsonb_build_object('only_in_' || (g / 500), true)
            ELSE NULL END,
       g::int8 * 3,
       (g % 1000)::int2
  FROM generate_series(0, 9999) g;
INSERT INTO skip_h VALUES (-1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                          (-2, NULL, '', '', '', NULL, '{}', 0, 0),
                          (-3, NULL, 'HOST-1', 'MiXeD CaSe Text', 'c1', NULL, '{"n": 7.0}', NULL, NULL),
                          (-4, NULL, 'x', '100% sure', 'a%b', NULL, '{"n": 7}', NULL, NULL),
                          (-5, NULL, 'y', 'ab', 'a\b', NULL, '{"n": 7.00, "k": "v"}', NULL, NULL);
CREATE TABLE skip_c (LIKE skip_h) USING cocoon;
-- aggregates computed by the scan itself are tested in 19_aggregate; here
-- count(*) runs through the Aggregate node over CocoonScan
SET cocoon.enable_aggregate = off;
INSERT INTO skip_c SELECT * FROM skip_h ORDER BY id;
SELECT stripes, row_count FROM cocoon.stats('skip_c');
SELECT relid, chunk_rows, stripe_rows, partition_interval FROM cocoon.table_options WHERE relid = 'skip_c'::regclass;
RESET cocoon.chunk_rows;
RESET cocoon.stripe_rows;
RESET cocoon.partition_interval;
ANALYZE skip_c;
ANALYZE skip_h;

-- compare heap and cocoon for a WHERE clause, with the custom scan on and off
CREATE FUNCTION skip_check(cond text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  n_h bigint; n_c bigint; d1 bigint; d2 bigint; res text;
BEGIN
  EXECUTE format('SELECT count(*) FROM skip_h WHERE %s', cond) INTO n_h;
  FOREACH res IN ARRAY ARRAY['on', 'off'] LOOP
    PERFORM set_config('cocoon.enable_custom_scan', res, true);
    EXECUTE format('SELECT (SELECT count(*) FROM skip_c WHERE %1$s),
                           (SELECT count(*) FROM (SELECT * FROM skip_h WHERE %1$s EXCEPT ALL SELECT * FROM skip_c WHERE %1$s) s),
                           (SELECT count(*) FROM (SELECT * FROM skip_c WHERE %1$s EXCEPT ALL SELECT * FROM skip_h WHERE %1$s) s)', cond)
      INTO n_c, d1, d2;
    IF n_c <> n_h OR d1 <> 0 OR d2 <> 0 THEN
      PERFORM set_config('cocoon.enable_custom_scan', 'on', true);
      RETURN format('MISMATCH (custom scan %s): heap %s rows, cocoon %s rows, %s missing, %s extra',
                    res, n_h, n_c, d1, d2);
    END IF;
  END LOOP;
  PERFORM set_config('cocoon.enable_custom_scan', 'on', true);
  RETURN format('ok, %s rows', n_h);
END
$$;
-- chunk groups skipped by bloom and by min/max (20 groups of 500 rows)
CREATE FUNCTION skip_skipped(cond text, OUT bloom int, OUT minmax int) LANGUAGE plpgsql AS $$
DECLARE
  l text;
BEGIN
  bloom := 0;
  minmax := 0;
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM skip_c WHERE ' || cond LOOP
    IF l ~ 'Chunk Groups Skipped By Bloom' THEN bloom := substring(l from '(\d+)\s*$')::int; END IF;
    IF l ~ 'Chunk Groups Skipped By Min/Max' THEN minmax := substring(l from '(\d+)\s*$')::int; END IF;
  END LOOP;
END
$$;

-- EXPLAIN ANALYZE with byte counts masked
CREATE FUNCTION skip_explain(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    RETURN NEXT regexp_replace(l, 'Decompressed: \d+', 'Decompressed: N');
  END LOOP;
END
$$;

--
-- text: =, IN, LIKE '%term%', ILIKE
--
SELECT * FROM skip_explain($$SELECT count(*) FROM skip_c WHERE msg LIKE '%NeedleWord 6234%'$$) l
 WHERE l ~ 'CocoonScan|^\s+Filter:|Chunk Filters|Skipped By Bloom';
SELECT * FROM skip_explain($$SELECT count(*) FROM skip_c WHERE host = 'host-7'$$) l
 WHERE l ~ 'CocoonScan|^\s+Filter:|Chunk Filters|Skipped By Bloom';
SELECT skip_check($$host = 'host-7'$$), * FROM skip_skipped($$host = 'host-7'$$);
SELECT skip_check($$host = 'host-77'$$), * FROM skip_skipped($$host = 'host-77'$$);
SELECT skip_check($$host = 'HOST-7'$$), * FROM skip_skipped($$host = 'HOST-7'$$);
SELECT skip_check($$host IN ('host-1', 'host-19', 'nope')$$), * FROM skip_skipped($$host IN ('host-1', 'host-19', 'nope')$$);
SELECT skip_check($$host = ANY (ARRAY['host-3', NULL])$$);
SELECT skip_check($$host IN (NULL)$$);
SELECT skip_check($$host = NULL$$);
SELECT skip_check($$host IS NULL$$);
SELECT skip_check($$host = ''$$);
SELECT skip_check($$'host-4' = host$$), * FROM skip_skipped($$'host-4' = host$$);
SELECT skip_check($$msg = 'Rare NeedleWord 1234'$$), * FROM skip_skipped($$msg = 'Rare NeedleWord 1234'$$);
SELECT skip_check($$msg LIKE '%NeedleWord 6234%'$$), * FROM skip_skipped($$msg LIKE '%NeedleWord 6234%'$$);
SELECT skip_check($$msg LIKE '%NeedleWord%'$$), * FROM skip_skipped($$msg LIKE '%NeedleWord%'$$);
SELECT skip_check($$msg LIKE '%needleword%'$$), * FROM skip_skipped($$msg LIKE '%needleword%'$$);
SELECT skip_check($$msg LIKE 'Rare%'$$), * FROM skip_skipped($$msg LIKE 'Rare%'$$);
SELECT skip_check($$msg LIKE '%8734'$$);
SELECT skip_check($$msg LIKE '%nothing like this%'$$), * FROM skip_skipped($$msg LIKE '%nothing like this%'$$);
SELECT skip_check($$msg LIKE NULL$$);
SELECT skip_check($$msg LIKE '%%'$$);
SELECT skip_check($$msg LIKE '%'$$);
SELECT skip_check($$msg LIKE ''$$);
SELECT skip_check($$msg LIKE '%ab%'$$);
SELECT skip_check($$msg LIKE '%a%'$$);
SELECT skip_check($$msg LIKE 'ab'$$);
SELECT skip_check($$msg LIKE '%a\\b\_1%'$$);
SELECT skip_check($$msg LIKE '%a\\b\_9998'$$), * FROM skip_skipped($$msg LIKE '%a\\b\_9998'$$);
SELECT skip_check($$msg LIKE '%a\%b%'$$);
SELECT skip_check($$msg LIKE '%00\% sure'$$);
SELECT skip_check($$msg LIKE '%00!% sure' ESCAPE '!'$$);
SELECT skip_check($$msg LIKE '%at 42\% full%'$$);
SELECT skip_check($$msg LIKE '%at 4_\% full%'$$);
SELECT skip_check($$msg LIKE '%Needle_ord 1%'$$);
SELECT skip_check($$msg NOT LIKE '%NeedleWord%'$$);
SELECT skip_check($$msg LIKE ANY (ARRAY['%NeedleWord 1234%', '%NeedleWord 8734%'])$$);
SELECT skip_check($$msg LIKE ALL (ARRAY['%NeedleWord%', '%8734%'])$$);
-- ILIKE prunes only under the C collation
SELECT skip_check($$msg ILIKE '%needleword 6234%'$$), * FROM skip_skipped($$msg ILIKE '%needleword 6234%'$$);
SELECT skip_check($$msg ILIKE '%needleword 6234%' COLLATE "C"$$), * FROM skip_skipped($$msg ILIKE '%needleword 6234%' COLLATE "C"$$);
SELECT skip_check($$msg ILIKE '%MIXED case%' COLLATE "C"$$);
SELECT skip_check($$msg ILIKE '%mixed case%'$$);
SELECT skip_check($$msg ILIKE '%NEEDLE%' COLLATE "C"$$);
SELECT skip_check($$msg ILIKE NULL$$);
SELECT skip_check($$msg ~~* '%rare needleword 8734%' COLLATE "C"$$);
-- varchar
SELECT skip_check($$code = 'C7'$$);
SELECT skip_check($$code = 'c1'$$);
SELECT skip_check($$code LIKE 'a\%b'$$);
SELECT skip_check($$code LIKE 'a\\b'$$);
SELECT skip_check($$code IN ('C1', 'C49', 'C50')$$);

--
-- uuid
--
SELECT skip_check($$trace = md5('4242')::uuid$$), * FROM skip_skipped($$trace = md5('4242')::uuid$$);
SELECT skip_check($$trace IN (md5('1')::uuid, md5('9999')::uuid)$$), * FROM skip_skipped($$trace IN (md5('1')::uuid, md5('9999')::uuid)$$);
SELECT skip_check($$trace = '00000000-0000-0000-0000-000000000000'$$), * FROM skip_skipped($$trace = '00000000-0000-0000-0000-000000000000'$$);
SELECT skip_check($$trace = NULL$$);
SELECT skip_check($$trace IS NULL$$);
SELECT skip_check($$trace = ANY (ARRAY[md5('7')::uuid, NULL])$$);

--
-- jsonb: ? and @>
--
SELECT skip_check($$attrs ? 'only_in_7'$$), * FROM skip_skipped($$attrs ? 'only_in_7'$$);
SELECT skip_check($$attrs ? 'no_such_key'$$), * FROM skip_skipped($$attrs ? 'no_such_key'$$);
SELECT skip_check($$attrs ? 'k'$$);
SELECT skip_check($$attrs ? 'v3'$$);
SELECT skip_check($$attrs ? 'a'$$);
SELECT skip_check($$attrs ? NULL$$);
SELECT skip_check($$attrs @> '{"k": "v4"}'$$);
SELECT skip_check($$attrs @> '{"k": "v42"}'$$), * FROM skip_skipped($$attrs @> '{"k": "v42"}'$$);
SELECT skip_check($$attrs @> '{"only_in_12": true}'$$), * FROM skip_skipped($$attrs @> '{"only_in_12": true}'$$);
SELECT skip_check($$attrs @> '{"only_in_12": false}'$$);
SELECT skip_check($$attrs @> '{"status": 3}'$$);
SELECT skip_check($$attrs @> '{"status": 3.0}'$$);
SELECT skip_check($$attrs @> '{"status": "3"}'$$);
SELECT skip_check($$attrs @> '{"n": 7}'$$);
SELECT skip_check($$attrs @> '{"n": 7.0}'$$);
SELECT skip_check($$attrs @> '{"n": 7.000}'$$);
SELECT skip_check($$attrs @> '{"n": 70e-1}'$$);
SELECT skip_check($$attrs @> '{"n": 7, "k": "v"}'$$);
SELECT skip_check($$attrs @> '{"tags": ["a"]}'$$);
SELECT skip_check($$attrs @> '{"tags": []}'$$);
SELECT skip_check($$attrs @> '{}'$$);
SELECT skip_check($$attrs @> '[]'$$);
SELECT skip_check($$attrs @> NULL$$);
SELECT skip_check($$attrs ?| ARRAY['only_in_3', 'only_in_5']$$);
SELECT skip_check($$attrs ?& ARRAY['k', 'n']$$);
SELECT skip_check($$attrs = '{"n": 7}'$$);
SELECT skip_check($$attrs->>'k' = 'v3'$$);
SELECT attrs FROM skip_c WHERE attrs @> '{"n": 7.0}' AND id < 0 ORDER BY id;
-- ? and @> also filter rows by a literal of the query (its longest string
-- value, else its longest key) before the operator runs: rows whose jsonb
-- bytes lack it are rejected without running the qual
CREATE TABLE jlit_h (id int, j jsonb);
INSERT INTO jlit_h VALUES
  (1, '{"a": {"b": "deep-value"}, "tags": ["x", "longer-tag"]}'),
  (2, '{"a": {"b": "other"}, "tags": ["x"]}'),
  (3, '["longer-tag", "x", {"k": "nested-in-array"}]'),
  (4, '"longer-tag"'),
  (5, '{"key-only-here": 1, "s": "caf\u00e9 \ud83d\ude00"}'),
  (6, '{"deep-value": "b", "a": "x"}'),
  (7, '{"": "", "e": [""]}'),
  (8, '{"tags": ["longer-tag"], "n": 12345}'),
  (9, '{"a": {"b": ["deep-value"]}}'),
  (10, NULL);
INSERT INTO jlit_h SELECT 100 + g, jsonb_build_object('filler', g, 'tags', jsonb_build_array('x')) FROM generate_series(1, 300) g;
CREATE TABLE jlit_c (LIKE jlit_h) USING cocoon;
INSERT INTO jlit_c SELECT * FROM jlit_h;
CREATE FUNCTION jlit_check(cond text, OUT same boolean, OUT n bigint, OUT prefiltered bigint)
LANGUAGE plpgsql AS $$
DECLARE
  l text;
BEGIN
  EXECUTE format('SELECT count(*), (SELECT count(*) FROM (SELECT * FROM jlit_h WHERE %1$s EXCEPT ALL SELECT * FROM jlit_c WHERE %1$s) a)
                   + (SELECT count(*) FROM (SELECT * FROM jlit_c WHERE %1$s EXCEPT ALL SELECT * FROM jlit_h WHERE %1$s) b) = 0
                  FROM jlit_h WHERE %1$s', cond) INTO n, same;
  prefiltered := 0;
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM jlit_c WHERE ' || cond LOOP
    IF l ~ 'Cocoon Rows Prefiltered' THEN prefiltered := substring(l from '(\d+)\s*$')::bigint; END IF;
  END LOOP;
END
$$;
SELECT c, (jlit_check(c)).* FROM (VALUES
  ($$j @> '{"a": {"b": "deep-value"}}'$$),
  ($$j @> '{"a": {"b": ["deep-value"]}}'$$),
  ($$j @> '{"tags": ["longer-tag"]}'$$),
  ($$j @> '["longer-tag"]'$$),
  ($$j @> '"longer-tag"'$$),
  ($$j @> '[{"k": "nested-in-array"}]'$$),
  ($$j @> '{"key-only-here": 1}'$$),
  ($$j @> '{"s": "caf\u00e9 \ud83d\ude00"}'$$),
  ($$j @> '{"deep-value": "b"}'$$),
  ($$j @> '{"": ""}'$$),
  ($$j @> '{"e": [""]}'$$),
  ($$j @> '{"n": 12345}'$$),
  ($$j @> '{"tags": ["x"]}'$$),
  ($$j ? 'longer-tag'$$),
  ($$j ? 'deep-value'$$),
  ($$j ? 'key-only-here'$$),
  ($$j ? ''$$),
  ($$j ?& ARRAY['a', 'tags']$$)) v(c);
-- the values are stored with the JSONB codec, which leaves rows without
-- the literal undecoded; a parameter that changes on every rescan changes
-- the literal
SELECT codecs FROM cocoon.column_stats('jlit_c') WHERE attname = 'j';
SELECT k, (SELECT count(*) FROM jlit_h WHERE j ? k) AS heap,
       (SELECT count(*) FROM jlit_c WHERE j ? k) AS cocoon,
       (SELECT count(*) FROM jlit_h WHERE j @> jsonb_build_object('tags', jsonb_build_array(k))) AS heap_tags,
       (SELECT count(*) FROM jlit_c WHERE j @> jsonb_build_object('tags', jsonb_build_array(k))) AS cocoon_tags
  FROM (VALUES ('longer-tag'), ('x'), ('key-only-here'), ('nope'), ('tags')) v(k) ORDER BY k;
DROP TABLE jlit_h, jlit_c;
DROP FUNCTION jlit_check(text);

--
-- integers: min/max
--
SELECT skip_check($$n = 15000$$), * FROM skip_skipped($$n = 15000::int8$$);
SELECT skip_check($$n = 15001$$);
SELECT skip_check($$n > 29000$$), * FROM skip_skipped($$n > 29000::int8$$);
SELECT skip_check($$n BETWEEN 3000 AND 3002$$), * FROM skip_skipped($$n BETWEEN 3000::int8 AND 3002::int8$$);
SELECT skip_check($$n < 0$$);
SELECT skip_check($$n <= 0$$);
SELECT skip_check($$n = 15000::int4$$);
SELECT skip_check($$n = 15000::numeric$$);
SELECT skip_check($$n IN (3, 29997, -3)$$);
SELECT skip_check($$n = NULL$$);
SELECT skip_check($$n IN (NULL)$$);
SELECT skip_check($$n <> 3$$);
SELECT skip_check($$id = 7345$$), * FROM skip_skipped($$id = 7345$$);
SELECT skip_check($$id >= 9999$$);
SELECT skip_check($$small = 999$$);
SELECT skip_check($$small > 998::int8$$);
SELECT skip_check($$small = 1000$$);
SELECT skip_check($$small = 40000$$);
-- combinations
SELECT skip_check($$host = 'host-3' AND msg LIKE '%items%'$$);
SELECT skip_check($$host = 'host-3' OR trace = md5('7000')::uuid$$);
SELECT skip_check($$(msg LIKE '%NeedleWord%' OR attrs ? 'only_in_2') AND n < 15000$$);
SELECT skip_check($$NOT (host = 'host-3')$$);

DROP FUNCTION skip_check(text);
DROP FUNCTION skip_skipped(text);
DROP TABLE skip_h, skip_c;

-- row prefilters (= / IN on text and uuid, LIKE literals, ranges) are
-- necessary conditions checked before the quals: same answers as heap for
-- patterns with _ and %, escapes, NULLs, long (compressed) values
CREATE TABLE pf_h (id int, t text, u uuid, n int);
CREATE TABLE pf_c (LIKE pf_h) USING cocoon;
INSERT INTO pf_h SELECT g, CASE WHEN g % 10 = 0 THEN NULL
                                WHEN g % 97 = 0 THEN repeat('ab_c%d', 2000) || g
                                ELSE 'val_' || (g % 50) || '%x' END,
                        ('00000000-0000-0000-0000-' || lpad((g % 20)::text, 12, '0'))::uuid, g % 100
  FROM generate_series(1, 5000) g;
INSERT INTO pf_c SELECT * FROM pf_h;
CREATE FUNCTION pf_same(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h bigint; c bigint;
BEGIN
  EXECUTE format(q, 'pf_h') INTO h;
  EXECUTE format(q, 'pf_c') INTO c;
  RETURN CASE WHEN h = c THEN 'same: ' || h ELSE 'DIFFERENT: ' || h || ' vs ' || c END;
END $$;
SELECT pf_same('SELECT count(*) FROM %s WHERE t = ''val_7%%x''');
SELECT pf_same('SELECT count(*) FROM %s WHERE t IN (''val_7%%x'', ''val_8%%x'', NULL)');
SELECT pf_same('SELECT count(*) FROM %s WHERE t LIKE ''val\_1%%''');
SELECT pf_same('SELECT count(*) FROM %s WHERE t LIKE ''%%\%%x''');
SELECT pf_same('SELECT count(*) FROM %s WHERE t LIKE ''val_1_%%''');
SELECT pf_same('SELECT count(*) FROM %s WHERE t LIKE ''%%_c%%d%%''');
SELECT pf_same('SELECT count(*) FROM %s WHERE t LIKE ''%%d4900''');
SELECT pf_same('SELECT count(*) FROM %s WHERE t LIKE ''%%''');
SELECT pf_same('SELECT count(*) FROM %s WHERE t = repeat(''ab_c%%d'', 2000) || ''4947''');
SELECT pf_same('SELECT count(*) FROM %s WHERE u IN (''00000000-0000-0000-0000-000000000003'', ''00000000-0000-0000-0000-000000000019'')');
SELECT pf_same('SELECT count(*) FROM %s WHERE u = ''00000000-0000-0000-0000-000000000003'' AND n BETWEEN 20 AND 60');
SELECT pf_same('SELECT count(*) FROM %s WHERE n IN (3, 5, 77) AND t LIKE ''%%_7%%''');
SELECT pf_same('SELECT sum(id) FROM %s WHERE t LIKE ''val%%'' AND n < 10');
EXPLAIN (analyze, costs off, timing off, summary off) SELECT count(*) FROM pf_c WHERE t = 'val_7%x';
SET cocoon.enable_aggregate = on;	-- the same prefilters under CocoonAggregate
SELECT pf_same('SELECT count(*) FROM %s WHERE t LIKE ''%%_c%%d%%''');
SELECT pf_same('SELECT sum(id) FROM %s WHERE u IN (''00000000-0000-0000-0000-000000000003'') AND t LIKE ''val\_%%''');
RESET cocoon.enable_aggregate;
DROP TABLE pf_h, pf_c;
DROP FUNCTION pf_same(text);

-- float columns: per-chunk min/max (in float8 order: -0 = 0, NaN last) skip
-- chunk groups and filter rows for comparisons with float4 or float8 values
CREATE TABLE fl_h (id int, r real, d float8);
CREATE TABLE fl_c (LIKE fl_h) USING cocoon;
SELECT cocoon.set_options('fl_c', chunk_rows => 100);
INSERT INTO fl_h SELECT g,
  CASE WHEN g % 500 = 0 THEN 'NaN'::real WHEN g % 501 = 0 THEN '-0'::real
       WHEN g % 502 = 0 THEN NULL ELSE (g / 10.0)::real END,
  CASE WHEN g = 777 THEN 'Infinity' WHEN g = 778 THEN '-Infinity' WHEN g % 499 = 0 THEN 'NaN'
       WHEN g % 503 = 0 THEN '-0' ELSE g * 1.5 - 2000 END
  FROM generate_series(1, 3000) g;
INSERT INTO fl_c SELECT * FROM fl_h;
CREATE FUNCTION fl_same(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h bigint; c bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM %s WHERE %s', 'fl_h', q) INTO h;
  EXECUTE format('SELECT count(*) FROM %s WHERE %s', 'fl_c', q) INTO c;
  RETURN CASE WHEN h = c THEN 'same: ' || h ELSE 'DIFFERENT: ' || h || ' vs ' || c END;
END $$;
SELECT q, fl_same(q) FROM (VALUES
  ('d > 2000'), ('d >= 2498'), ('d < -1990'), ('d <= 0'), ('d < 0'), ('d = 0'), ('d = ''-0'''),
  ('d > 0'), ('d = ''NaN'''), ('d > ''Infinity'''), ('d >= ''Infinity'''), ('d < ''-Infinity'''),
  ('d <= ''-Infinity'''), ('d < ''NaN'''), ('d BETWEEN 10 AND 20'), ('d > 1e308'),
  ('r > 250'), ('r > 250::float8'), ('r < 0.5::real'), ('r = 0'), ('r = ''NaN'''), ('r >= 299.9'),
  ('r > 299.9::real'), ('r < 0.1'), ('r = 0.1::real'), ('r = 0.1'), ('r > ''Infinity'''),
  ('d > 100 AND r < 50')) v(q);
SELECT skip_explain('SELECT count(*) FROM fl_c WHERE d >= 2498');
SELECT skip_explain('SELECT count(*) FROM fl_c WHERE r < 1::real');
DROP TABLE fl_h, fl_c;
DROP FUNCTION fl_same(text);
DROP FUNCTION skip_explain(text);
