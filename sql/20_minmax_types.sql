--
-- 20_minmax_types: per-chunk min/max of text, varchar, bpchar, uuid,
-- bytea, bool, numeric, money and oid columns skips chunk groups; every
-- query returns exactly what heap returns (EXCEPT ALL both ways, custom
-- scan on and off), and EXPLAIN ANALYZE counts the chunk groups skipped
-- by min/max.  Text ranges prune
-- only under the C collation, = / IN under any deterministic one; other
-- collations (ICU, nondeterministic) must still return the right rows.
--
CREATE COLLATION mm_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE mm_h (id int, t text, tc text COLLATE "C", v varchar(60), bp char(12),
                   u uuid, b bool, n numeric);
INSERT INTO mm_h
SELECT g, s, s, s, left(s, 12), u, b, n
  FROM generate_series(0, 2999) g,
  LATERAL (SELECT
    CASE WHEN g % 7 = 3 OR g BETWEEN 2000 AND 2099 THEN NULL        -- 2000..2099: all NULL
         WHEN g % 50 = 0 AND g < 500 THEN ''                        -- empty strings
         WHEN g BETWEEN 1000 AND 1199 THEN 'ñandú/' || chr(937 + g % 5) || '/' || g   -- multibyte
         WHEN g BETWEEN 2100 AND 2199 THEN chr(97 + g % 3) || '-lower-' || g          -- a- b- c-
         WHEN g BETWEEN 2200 AND 2299 THEN 'B-upper-' || g
         WHEN g BETWEEN 2300 AND 2399 THEN 'svc-23/' || repeat('z', 30) || g          -- share > 20 bytes
         ELSE 'svc-' || lpad((g / 100)::text, 2, '0') || '/requests/handler/' || lpad(g::text, 6, '0')
    END AS s,
    CASE WHEN g % 11 = 5 OR g BETWEEN 2000 AND 2099 THEN NULL
         WHEN g BETWEEN 2500 AND 2599 THEN md5(g::text)::uuid                         -- random
         ELSE (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(g * 7), 12, '0'))::uuid
    END AS u,
    CASE WHEN g % 13 = 6 OR g BETWEEN 2000 AND 2099 THEN NULL
         ELSE (g / 100) % 3 = 0 END AS b,
    CASE WHEN g % 17 = 8 OR g BETWEEN 2000 AND 2099 THEN NULL
         WHEN g BETWEEN 1300 AND 1399 THEN ('1e' || (250 + g % 200))::numeric          -- beyond float8 too
         WHEN g BETWEEN 1400 AND 1499 THEN (ARRAY['NaN', 'Infinity', '-Infinity', '7.5'])[1 + g % 4]::numeric
         WHEN g BETWEEN 1500 AND 1599 THEN round(g / 3.0, 40)                          -- 40 digits
         WHEN g BETWEEN 1600 AND 1699 THEN -g * 1.25
         WHEN g BETWEEN 1700 AND 1799 THEN 1e-300 * (g - 1750)                          -- tiny
         ELSE g * 1.25 END AS n) x;
INSERT INTO mm_h VALUES
  (-1, NULL, NULL, NULL, NULL, '00000000-0000-0000-0000-000000000000', NULL, NULL),
  (-2, 'svc-00', 'svc-00', 'svc-00', 'svc-00  ', 'ffffffff-ffff-ffff-ffff-ffffffffffff', true, 0),
  (-3, 'svc-00/requests/handler/000000', 'svc-00/requests/handler/000000',
   'svc-00/requests/handler/000000', 'svc-00', NULL, false, -0.0);
-- chunk groups of 100 rows, kept as loaded (autovacuum's compaction
-- would merge the last small stripes while the test runs)
CREATE TABLE mm_c (LIKE mm_h INCLUDING ALL) USING cocoon WITH (autovacuum_enabled = false);
SELECT cocoon.set_options('mm_c', stripe_rows => 1000, chunk_rows => 100, partition_interval => '0');
INSERT INTO mm_c SELECT * FROM mm_h ORDER BY id;
SELECT stripes, row_count FROM cocoon.stats('mm_c');
ANALYZE mm_c;
ANALYZE mm_h;

-- heap and cocoon agree for a WHERE clause: counts and EXCEPT ALL both
-- ways, with the custom scan (and its aggregate) on and off
CREATE FUNCTION mm_check(cond text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  n_h bigint; n_c bigint; d1 bigint; d2 bigint; res text;
BEGIN
  EXECUTE format('SELECT count(*) FROM mm_h WHERE %s', cond) INTO n_h;
  FOREACH res IN ARRAY ARRAY['on', 'off'] LOOP
    PERFORM set_config('cocoon.enable_custom_scan', res, true);
    EXECUTE format('SELECT (SELECT count(*) FROM mm_c WHERE %1$s),
                           (SELECT count(*) FROM (SELECT * FROM mm_h WHERE %1$s EXCEPT ALL SELECT * FROM mm_c WHERE %1$s) s),
                           (SELECT count(*) FROM (SELECT * FROM mm_c WHERE %1$s EXCEPT ALL SELECT * FROM mm_h WHERE %1$s) s)', cond)
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
-- chunk groups skipped by min/max (31 groups of up to 100 rows), and
-- whether the scan read some group at all; from EXPLAIN ANALYZE's counters
-- only, so no costs, timings or byte counts appear
CREATE FUNCTION mm_skipped(cond text, sel text DEFAULT '*', OUT minmax int, OUT bloom int)
LANGUAGE plpgsql AS $$
DECLARE
  l text;
BEGIN
  minmax := 0;
  bloom := 0;
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT ' || sel || ' FROM mm_c WHERE ' || cond LOOP
    IF l ~ 'Chunk Groups Skipped By Min/Max' THEN minmax := substring(l from '(\d+)\s*$')::int; END IF;
    IF l ~ 'Chunk Groups Skipped By Bloom' THEN bloom := substring(l from '(\d+)\s*$')::int; END IF;
  END LOOP;
END
$$;
CREATE FUNCTION mm(cond text) RETURNS TABLE (result text, minmax int, bloom int) LANGUAGE sql AS $$
  SELECT mm_check(cond), s.minmax, s.bloom FROM mm_skipped(cond) s
$$;

-- the plan names the new filters
CREATE FUNCTION mm_filters(cond text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) SELECT * FROM mm_c WHERE ' || cond LOOP
    IF l ~ 'CocoonScan|Chunk Filters' THEN RETURN NEXT l; END IF;
  END LOOP;
END
$$;
SELECT mm_filters($$tc < 'svc-05' AND u > '00000500-0000-0000-0000-000000000000' AND b AND n = 5 AND t = 'x'$$);

--
-- text under the C collation: ranges prune
--
SELECT * FROM mm($$tc < 'svc-05'$$);
SELECT * FROM mm($$t < 'svc-05' COLLATE "C"$$);
SELECT * FROM mm($$tc <= 'svc-05/requests/handler/000500'$$);
SELECT * FROM mm($$tc > 'svc-28'$$);
SELECT * FROM mm($$tc >= 'svc-29/requests/handler/002950'$$);
SELECT * FROM mm($$tc BETWEEN 'svc-10' AND 'svc-12'$$);
SELECT * FROM mm($$'svc-27' < tc$$);
SELECT * FROM mm($$tc > 'svc-00/requests/handler/000000'$$);
SELECT * FROM mm($$tc >= 'svc-00/requests/handler/000000'$$);
SELECT * FROM mm($$tc < ''$$);
SELECT * FROM mm($$tc <= ''$$);
SELECT * FROM mm($$tc > ''$$);
SELECT * FROM mm($$tc = ''$$);
SELECT * FROM mm($$tc < 'svc-00'$$);
SELECT * FROM mm($$tc <= 'svc-00'$$);
SELECT * FROM mm($$tc > 'ñandú/Ω'$$);
SELECT * FROM mm($$tc >= 'ñandú/Ω/1000' AND tc < 'ñandú/Ϊ'$$);
SELECT * FROM mm($$tc > 'ñ'$$);
-- values sharing more than 20 bytes: bounds by prefix only
SELECT * FROM mm($$tc > 'svc-23/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz2350'$$);
SELECT * FROM mm($$tc < 'svc-23/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz2350'$$);
SELECT * FROM mm($$tc = 'svc-23/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz2350'$$);
SELECT * FROM mm($$tc = 'svc-23/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz9999'$$);
SELECT * FROM mm($$tc > 'svc-23/zzzzzzzzzzzzzz'$$);
SELECT * FROM mm($$tc >= 'svc-23/zzzzzzzzzzzzz{'$$);
-- NULL and empty bounds
SELECT * FROM mm($$tc < NULL$$);
SELECT * FROM mm($$tc IS NULL$$);
SELECT * FROM mm($$tc IS NOT NULL AND tc < 'B'$$);

--
-- other collations: = / IN prune when deterministic, ranges never do
--
-- ICU orders 'a-lower' before 'B-upper', bytes the other way round: a
-- range pruned by bytes would lose the a- rows here
SELECT * FROM mm($$t < 'B' COLLATE "en-x-icu"$$);
SELECT * FROM mm($$t < 'B-upper-2250' COLLATE "en-x-icu" AND t > 'a' COLLATE "en-x-icu"$$);
SELECT * FROM mm($$tc COLLATE "en-x-icu" BETWEEN 'A' AND 'c'$$);
SELECT * FROM mm($$t < 'svc-05'$$);      -- the database's collation (C.UTF-8 is not "C" to PostgreSQL)
SELECT * FROM mm($$t < 'B' COLLATE "POSIX"$$);
SELECT * FROM mm($$t = 'svc-07/requests/handler/000707' COLLATE "en-x-icu"$$);
SELECT * FROM mm($$t = 'svc-07/requests/handler/000707'$$);
SELECT * FROM mm($$t IN ('svc-07/requests/handler/000707', 'svc-08/requests/handler/000808', 'none')$$);
SELECT * FROM mm($$t IN ('svc-99', 'a', 'zzz')$$);
-- nondeterministic: 'SVC-07/...' equals 'svc-07/...'; bytes would say no
SELECT * FROM mm($$t = 'SVC-07/REQUESTS/HANDLER/000707' COLLATE mm_ci$$);
SELECT * FROM mm($$t IN ('SVC-07/REQUESTS/HANDLER/000707' COLLATE mm_ci, 'B-UPPER-2250')$$);
SELECT * FROM mm($$t < 'B' COLLATE mm_ci$$);

--
-- LIKE 'prefix%': LIKE compares bytes under any deterministic collation,
-- so the literal prefix bounds the values bytewise
--
SELECT * FROM mm($$t LIKE 'svc-07/%'$$);
SELECT * FROM mm($$tc LIKE 'svc-0%'$$);
SELECT * FROM mm($$t LIKE 'ñandú/Ω%'$$);
SELECT * FROM mm($$t LIKE 'svc-23/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz23_5'$$);
SELECT * FROM mm($$t LIKE 'svc-07/requests/handler/000707'$$);
SELECT * FROM mm($$t LIKE 'svc\_07%'$$);
SELECT * FROM mm($$t LIKE 'svc_07%'$$);
SELECT * FROM mm($$t LIKE 'B-upper%' COLLATE "en-x-icu"$$);
SELECT * FROM mm($$t LIKE 'a%'$$);
SELECT * FROM mm($$t LIKE ''$$);
SELECT * FROM mm($$t LIKE '%'$$);
SELECT * FROM mm($$t NOT LIKE 'svc%'$$);
SELECT * FROM mm($$t ILIKE 'SVC-07/%'$$);
SELECT * FROM mm($$v LIKE 'svc-29/%'$$);
SELECT * FROM mm($$t LIKE 'zzz%'$$);

--
-- varchar and text
--
SELECT * FROM mm($$v < 'svc-05' COLLATE "C"$$);
SELECT * FROM mm($$v = 'svc-07/requests/handler/000707'::text$$);
SELECT * FROM mm($$t = 'svc-07/requests/handler/000707'::varchar$$);
SELECT * FROM mm($$v::text > 'svc-28' COLLATE "C"$$);
SELECT * FROM mm($$v = 'svc-07/requests/handler/000707'::varchar(10)$$);
SELECT * FROM mm($$v IN ('svc-07/requests/handler/000707'::varchar, 'ñandú/Ϊ/1001')$$);
SELECT * FROM mm($$tc < v$$);
-- bpchar (blank-padded, trailing blanks insignificant): bounds of the
-- values without their trailing blanks
SELECT * FROM mm($$bp = 'svc-00'$$);
SELECT * FROM mm($$bp < 'svc-05' COLLATE "C"$$);
SELECT * FROM mm($$bp = 'svc-00    '::char(12)$$);

--
-- uuid
--
SELECT * FROM mm($$u < '00000100-0000-0000-0000-000000000000'$$);
SELECT * FROM mm($$u >= '00000b00-0000-0000-0000-000000000000'$$);
SELECT * FROM mm($$u BETWEEN '00000300-0000-7000-8000-000000000000' AND '000003ff-ffff-ffff-ffff-ffffffffffff'$$);
SELECT * FROM mm($$u = '000004d2-0000-7000-8000-0000000021be'$$);
SELECT * FROM mm($$u = '000004d2-0000-7000-8000-0000000021bf'$$);
SELECT * FROM mm($$u IN ('000004d2-0000-7000-8000-0000000021be', '00000001-0000-7000-8000-000000000007')$$);
SELECT * FROM mm($$u = '00000000-0000-0000-0000-000000000000'$$);
SELECT * FROM mm($$u = 'ffffffff-ffff-ffff-ffff-ffffffffffff'$$);
SELECT * FROM mm($$u > 'ffffffff-ffff-ffff-ffff-fffffffffffe'$$);
SELECT * FROM mm($$u < '00000000-0000-0000-0000-000000000001'$$);
SELECT * FROM mm($$u = md5('2550')::uuid$$);
SELECT * FROM mm($$u > md5('2550')::uuid$$);

--
-- bool
--
SELECT * FROM mm($$b$$);
SELECT * FROM mm($$NOT b$$);
SELECT * FROM mm($$b IS TRUE$$);
SELECT * FROM mm($$b IS FALSE$$);
SELECT * FROM mm($$b IS NOT TRUE$$);
SELECT * FROM mm($$b IS NOT FALSE$$);
SELECT * FROM mm($$b IS NULL$$);
SELECT * FROM mm($$b = true$$);
SELECT * FROM mm($$b <> true$$);
SELECT * FROM mm($$b < true$$);
SELECT * FROM mm($$b > false$$);
SELECT * FROM mm($$b AND tc < 'svc-10'$$);

--
-- numeric: bounds rounded outward; NaN above Infinity above everything
--
SELECT * FROM mm($$n < 100$$);
SELECT * FROM mm($$n <= 125$$);
SELECT * FROM mm($$n > 3600$$);
SELECT * FROM mm($$n = 1250$$);
SELECT * FROM mm($$n = 1250.00000000000000000000001$$);
SELECT * FROM mm($$n = 1250.000000000000000000000$$);
SELECT * FROM mm($$n IN (1.25, 2.5, 3000, 99999)$$);
SELECT * FROM mm($$n BETWEEN -2000 AND -2100$$);
SELECT * FROM mm($$n BETWEEN -2100 AND -2000$$);
SELECT * FROM mm($$n > 1e300$$);
SELECT * FROM mm($$n > 1e400$$);
SELECT * FROM mm($$n >= 1e449$$);
SELECT * FROM mm($$n = 1e449$$);
SELECT * FROM mm($$n = 1e450$$);
SELECT * FROM mm($$n < -1e400$$);
SELECT * FROM mm($$n = 'NaN'$$);
SELECT * FROM mm($$n > 'NaN'$$);
SELECT * FROM mm($$n >= 'NaN'$$);
SELECT * FROM mm($$n < 'NaN'$$);
SELECT * FROM mm($$n = 'Infinity'$$);
SELECT * FROM mm($$n >= 'Infinity'$$);
SELECT * FROM mm($$n > 'Infinity'$$);
SELECT * FROM mm($$n = '-Infinity'$$);
SELECT * FROM mm($$n <= '-Infinity'$$);
SELECT * FROM mm($$n < '-Infinity'$$);
SELECT * FROM mm($$n = 7.5$$);
SELECT * FROM mm($$n = 0$$);
SELECT * FROM mm($$n > 0 AND n < 1e-200$$);
SELECT * FROM mm($$n < 0 AND n > -1e-300$$);
SELECT * FROM mm($$n = 1e-300$$);
SELECT * FROM mm($$n = round(1550 / 3.0, 40)$$);
SELECT * FROM mm($$n > round(1550 / 3.0, 40)$$);
SELECT * FROM mm($$n = 516.6666666666666666666666666666666666666667$$);
SELECT * FROM mm($$n = 516.66666666666666$$);
SELECT * FROM mm($$n < 5::int8$$);
SELECT * FROM mm($$abs(n) < 100$$);                 -- not a plain column

--
-- integers across int2, int4 and int8 (one btree family, one value space)
--
SELECT * FROM mm($$id < 100::int8$$);
SELECT * FROM mm($$id >= 2900::int2$$);
SELECT * FROM mm($$id = 2500::int8$$);
SELECT * FROM mm($$id < 5000000000$$);
SELECT * FROM mm($$id > 5000000000$$);
SELECT * FROM mm($$id > -5000000000$$);
SELECT * FROM mm($$5000000000 > id$$);
SELECT * FROM mm($$id::int8 > 2950$$);

--
-- volatile and stable operands, parameters
--
SELECT * FROM mm($$n < (random() * 0 + 100)::numeric$$);     -- volatile: never used
SELECT * FROM mm($$tc < (CASE WHEN random() < 2 THEN 'svc-05' END)$$);
SELECT * FROM mm($$tc < lower('SVC-05')$$);          -- immutable, folded
SELECT * FROM mm($$u < (SELECT '00000100-0000-0000-0000-000000000000'::uuid)$$);
SELECT * FROM mm($$n < current_setting('mm.test_n', true)::numeric$$);  -- stable, NULL
SET mm.test_n = '100';
SELECT * FROM mm($$n < current_setting('mm.test_n', true)::numeric$$);
RESET mm.test_n;
PREPARE q(text, numeric, uuid, bool) AS
  SELECT count(*) FROM mm_c WHERE tc < $1 AND n < $2 AND u > $3 AND b = $4;
SET plan_cache_mode = force_generic_plan;
EXECUTE q('svc-05', 500, '00000010-0000-0000-0000-000000000000', true);
SELECT count(*) FROM mm_h WHERE tc < 'svc-05' AND n < 500 AND u > '00000010-0000-0000-0000-000000000000' AND b = true;
EXECUTE q(NULL, 500, NULL, true);
EXECUTE q('zzz', 'NaN', '00000000-0000-0000-0000-000000000000', false);
SELECT count(*) FROM mm_h WHERE tc < 'zzz' AND n < 'NaN' AND u > '00000000-0000-0000-0000-000000000000' AND b = false;
RESET plan_cache_mode;
DEALLOCATE q;

--
-- CocoonAggregate uses the same pruning
--
SELECT * FROM mm_skipped($$tc >= 'svc-29'$$, 'count(*), min(id), max(id)');
SELECT count(*), min(id), max(id) FROM mm_c WHERE tc >= 'svc-29';
SELECT count(*), min(id), max(id) FROM mm_h WHERE tc >= 'svc-29';
SELECT * FROM mm_skipped($$NOT b AND n > 3000$$, 'count(*), sum(id)');
SELECT count(*), sum(id) FROM mm_c WHERE NOT b AND n > 3000;
SELECT count(*), sum(id) FROM mm_h WHERE NOT b AND n > 3000;

--
-- a column added later (old stripes have no chunks of it) and rows
-- written by later transactions (stripes of their own)
--
ALTER TABLE mm_c ADD COLUMN extra text DEFAULT 'zzz';
ALTER TABLE mm_h ADD COLUMN extra text DEFAULT 'zzz';
INSERT INTO mm_c (id, tc, u, b, n, extra) VALUES (5000, 'aaa', '00000000-0000-0000-0000-000000000005', false, -5, 'aaa');
INSERT INTO mm_h (id, tc, u, b, n, extra) VALUES (5000, 'aaa', '00000000-0000-0000-0000-000000000005', false, -5, 'aaa');
SELECT * FROM mm($$extra = 'zzz' COLLATE "C"$$);
SELECT * FROM mm($$extra > 'a' COLLATE "C"$$);
SELECT * FROM mm($$extra < 'b' COLLATE "C"$$);
SELECT * FROM mm($$tc = 'aaa'$$);
SELECT * FROM mm($$n = -5$$);

--
-- bytea (bytewise prefix bounds, no collation), money (int64) and oid
-- (unsigned: its chunks' min/max are the values as signed int32s, so
-- values of 2^31 and above sort first there)
--
CREATE DOMAIN mb_dom AS bytea;
CREATE TABLE mb_h (id int, by bytea, bd mb_dom, m money, o oid, bp char(10), tb text);
INSERT INTO mb_h
SELECT g, y, y, m, o, p, p || repeat(' ', g % 3)
  FROM generate_series(0, 2999) g,
  LATERAL (SELECT
    CASE WHEN g % 7 = 3 OR g BETWEEN 2000 AND 2099 THEN NULL        -- 2000..2099: all NULL
         WHEN g % 50 = 0 AND g < 500 THEN '\x'::bytea               -- empty
         WHEN g BETWEEN 1000 AND 1099 THEN decode(repeat('00', 1 + g % 5) || lpad(to_hex(g), 4, '0'), 'hex')
         WHEN g BETWEEN 1100 AND 1199 THEN decode(repeat('ff', 1 + g % 25) || lpad(to_hex(g), 4, '0'), 'hex')
         WHEN g BETWEEN 2300 AND 2399 THEN convert_to('svc-23/' || repeat('z', 30) || g, 'UTF8')  -- share > 20 bytes
         WHEN g BETWEEN 2400 AND 2499 THEN decode(md5(g::text), 'hex')                            -- random
         ELSE convert_to('svc-' || lpad((g / 100)::text, 2, '0') || '/handler/' || lpad(g::text, 6, '0'), 'UTF8')
    END AS y,
    CASE WHEN g % 11 = 5 OR g BETWEEN 2000 AND 2099 THEN NULL
         WHEN g BETWEEN 2700 AND 2799 THEN (CASE WHEN g % 2 = 0 THEN -1 ELSE 1 END * 92233720368547758 * 0.999)::numeric::money
         ELSE ((g - 1500) * 1.25)::numeric::money END AS m,
    CASE WHEN g % 13 = 6 OR g BETWEEN 2000 AND 2099 THEN NULL
         WHEN g BETWEEN 2400 AND 2599 THEN (2147483648 + g * 1000)::oid                           -- above 2^31
         WHEN g BETWEEN 2600 AND 2699 THEN (CASE WHEN g % 2 = 0 THEN g ELSE 4294967295 - g END)::oid  -- both halves
         ELSE (g * 10)::oid END AS o,
    CASE WHEN g % 9 = 4 OR g BETWEEN 2000 AND 2099 THEN NULL
         WHEN g % 50 = 0 AND g < 500 THEN ''                        -- all blanks
         WHEN g BETWEEN 1000 AND 1099 THEN 'a' || repeat(' ', g % 3) || 'b' || g % 10   -- inner blanks
         WHEN g BETWEEN 1100 AND 1199 THEN 'B' || g % 10 || chr(937 + g % 5)            -- multibyte
         ELSE 'k' || lpad(g::text, 5, '0') END AS p) x;
INSERT INTO mb_h VALUES
  (-1, '\x', '\x', '-92233720368547758.08', 0, '', ''),
  (-2, '\x00', '\x00', '92233720368547758.07', 4294967295, '  ', '  '),
  (-3, '\xff', '\xff', 0, 2147483647, ' a', ' a '),
  (-4, '\xffffffffffffffffffffffffffffffffffffffffffffffff', NULL, NULL, 2147483648, 'k00000', 'k00000    '),
  (-5, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE mb_c (LIKE mb_h INCLUDING ALL) USING cocoon WITH (autovacuum_enabled = false);
SELECT cocoon.set_options('mb_c', stripe_rows => 1000, chunk_rows => 100, partition_interval => '0');
INSERT INTO mb_c SELECT * FROM mb_h ORDER BY id;
SELECT stripes, row_count FROM cocoon.stats('mb_c');
ANALYZE mb_c;
ANALYZE mb_h;
-- the same checks as mm() above, on mb_h / mb_c
CREATE FUNCTION mb(cond text) RETURNS TABLE (result text, minmax int, bloom int) LANGUAGE plpgsql AS $$
DECLARE
  n_h bigint; n_c bigint; d1 bigint; d2 bigint; res text; l text;
BEGIN
  minmax := 0;
  bloom := 0;
  result := NULL;
  EXECUTE format('SELECT count(*) FROM mb_h WHERE %s', cond) INTO n_h;
  FOREACH res IN ARRAY ARRAY['on', 'off'] LOOP
    PERFORM set_config('cocoon.enable_custom_scan', res, true);
    EXECUTE format('SELECT (SELECT count(*) FROM mb_c WHERE %1$s),
                           (SELECT count(*) FROM (SELECT * FROM mb_h WHERE %1$s EXCEPT ALL SELECT * FROM mb_c WHERE %1$s) s),
                           (SELECT count(*) FROM (SELECT * FROM mb_c WHERE %1$s EXCEPT ALL SELECT * FROM mb_h WHERE %1$s) s)', cond)
      INTO n_c, d1, d2;
    IF result IS NULL AND (n_c <> n_h OR d1 <> 0 OR d2 <> 0) THEN
      result := format('MISMATCH (custom scan %s): heap %s rows, cocoon %s rows, %s missing, %s extra',
                       res, n_h, n_c, d1, d2);
    END IF;
  END LOOP;
  PERFORM set_config('cocoon.enable_custom_scan', 'on', true);
  result := coalesce(result, format('ok, %s rows', n_h));
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM mb_c WHERE ' || cond LOOP
    IF l ~ 'Chunk Groups Skipped By Min/Max' THEN minmax := substring(l from '(\d+)\s*$')::int; END IF;
    IF l ~ 'Chunk Groups Skipped By Bloom' THEN bloom := substring(l from '(\d+)\s*$')::int; END IF;
  END LOOP;
  RETURN NEXT;
END
$$;
CREATE FUNCTION mb_filters(cond text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) SELECT * FROM mb_c WHERE ' || cond LOOP
    IF l ~ 'CocoonScan|Chunk Filters' THEN RETURN NEXT l; END IF;
  END LOOP;
END
$$;
SELECT mb_filters($$by < 'svc-05' AND bd IN ('\x00', '\xff') AND m > '$5' AND o > 2147483648 AND o IN (1, 2)
                    AND bp = 'k' AND bp IN ('k', 'l') AND bp > 'k' COLLATE "C" AND bp < 'k'$$);

-- bytea: ranges, =, IN and = ANY on the bytewise bounds
SELECT * FROM mb($$by < 'svc-05'$$);
SELECT * FROM mb($$by <= 'svc-05/handler/000500'$$);
SELECT * FROM mb($$by > 'svc-28'$$);
SELECT * FROM mb($$by >= 'svc-29/handler/002950'$$);
SELECT * FROM mb($$by BETWEEN 'svc-10' AND 'svc-12'$$);
SELECT * FROM mb($$'svc-27' < by$$);
SELECT * FROM mb($$by = 'svc-07/handler/000707'$$);
SELECT * FROM mb($$by = 'svc-07/handler/000708'$$);
SELECT * FROM mb($$by IN ('svc-07/handler/000707', 'svc-08/handler/000808', 'none')$$);
SELECT * FROM mb($$by = ANY (ARRAY['svc-07/handler/000707'::bytea, '\x0000000400', NULL])$$);
SELECT * FROM mb($$by = ANY (ARRAY[NULL::bytea])$$);
SELECT * FROM mb($$by IN ('svc-99', 'a', 'zzz')$$);
-- empty bytea, bytes 0x00 and 0xff
SELECT * FROM mb($$by < '\x'$$);
SELECT * FROM mb($$by <= '\x'$$);
SELECT * FROM mb($$by = '\x'$$);
SELECT * FROM mb($$by > '\x'$$);
SELECT * FROM mb($$by < '\x00'$$);
SELECT * FROM mb($$by = '\x00'$$);
SELECT * FROM mb($$by <= '\x0000'$$);
SELECT * FROM mb($$by < '\x0001'$$);
SELECT * FROM mb($$by BETWEEN '\x00' AND '\x0000000004ff'$$);
SELECT * FROM mb($$by = '\x0000000003eb'$$);
SELECT * FROM mb($$by >= '\xff'$$);
SELECT * FROM mb($$by > '\xff'$$);
SELECT * FROM mb($$by = '\xff'$$);
SELECT * FROM mb($$by > '\xffffffffffffffffffffffffffffffffffffffff'$$);
SELECT * FROM mb($$by >= '\xffffffffffffffffffffffffffffffffffffffffffffffff'$$);
SELECT * FROM mb($$by > '\xffffffffffffffffffffffffffffffffffffffffffffffff'$$);
SELECT * FROM mb($$by = '\xffffffffffffffffffffffffffffffffffffffffffffffff'$$);
SELECT * FROM mb($$by = '\xffffffffffffffffffffffffffffffffffffffffffffff0453'$$);
SELECT * FROM mb($$by < '\xfe'$$);
-- values sharing more than 20 bytes: bounds by prefix only
SELECT * FROM mb($$by > 'svc-23/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz2350'$$);
SELECT * FROM mb($$by < 'svc-23/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz2350'$$);
SELECT * FROM mb($$by = 'svc-23/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz2350'$$);
SELECT * FROM mb($$by = 'svc-23/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz9999'$$);
SELECT * FROM mb($$by >= 'svc-23/zzzzzzzzzzzzz{'$$);
-- NULLs, a domain over bytea, what is not used
SELECT * FROM mb($$by < NULL$$);
SELECT * FROM mb($$by IS NULL$$);
SELECT * FROM mb($$by IS NOT NULL AND by < 'a'$$);
SELECT * FROM mb($$bd > 'svc-28'$$);
SELECT * FROM mb($$bd IN ('\x00', '\xff')$$);
SELECT * FROM mb($$by <> 'svc-07/handler/000707'$$);
SELECT * FROM mb($$by LIKE 'svc-07%'$$);
SELECT * FROM mb($$substr(by, 1, 6) = 'svc-07'$$);
SELECT * FROM mb($$by < (CASE WHEN random() < 2 THEN 'svc-05'::bytea END)$$);

-- money: int64, negatives and the extremes
SELECT * FROM mb($$m < '$0'$$);
SELECT * FROM mb($$m <= '-$1000'$$);
SELECT * FROM mb($$m > '$1000'$$);
SELECT * FROM mb($$m = '$12.50'$$);
SELECT * FROM mb($$m = '$12.51'$$);
SELECT * FROM mb($$m BETWEEN '-$100' AND '$100'$$);
SELECT * FROM mb($$m IN ('$12.50', '-$1875.00', '$7')$$);
SELECT * FROM mb($$m = '-92233720368547758.08'$$);
SELECT * FROM mb($$m <= '-92233720368547758.08'$$);
SELECT * FROM mb($$m > '92233720368547758.06'$$);
SELECT * FROM mb($$m >= '92233720368547758.07'$$);
SELECT * FROM mb($$m > '92233720368547758.07'$$);
SELECT * FROM mb($$m < '-92233720368547758.08'$$);
SELECT * FROM mb($$m > '$90000000000000000'$$);
SELECT * FROM mb($$m < '-$90000000000000000'$$);
SELECT * FROM mb($$'$1800' < m$$);

-- oid: unsigned, values above 2^31, chunks holding both halves
SELECT * FROM mb($$o < 1000$$);
SELECT * FROM mb($$o < 1$$);
SELECT * FROM mb($$o = 0$$);
SELECT * FROM mb($$o >= 2147483648$$);
SELECT * FROM mb($$o > 2147483647$$);
SELECT * FROM mb($$o <= 2147483647$$);
SELECT * FROM mb($$o = 2147483647$$);
SELECT * FROM mb($$o = 2149983648$$);
SELECT * FROM mb($$o BETWEEN 2149000000 AND 2150000000$$);
SELECT * FROM mb($$o > 3000000000$$);
SELECT * FROM mb($$o = 4294967295$$);
SELECT * FROM mb($$o >= 4294967294$$);
SELECT * FROM mb($$o BETWEEN 30000 AND 4000000000$$);
SELECT * FROM mb($$o BETWEEN 3000 AND 4000000000$$);
SELECT * FROM mb($$o > 4294964600$$);
SELECT * FROM mb($$o = 2650$$);
SELECT * FROM mb($$o = 2651$$);
SELECT * FROM mb($$o = 4294964644$$);
SELECT * FROM mb($$o IN (2650, 4294964645, 20)$$);
SELECT * FROM mb($$o IN (3000000000, 4000000000)$$);
SELECT * FROM mb($$o = ANY (ARRAY[2149983648, NULL]::oid[])$$);
SELECT * FROM mb($$4000000000 < o$$);
-- an int column seen as oid (binary relabelling): not the oid's bounds
SELECT * FROM mb($$id::oid < 100$$);
SELECT * FROM mb($$id::oid > 4294967290$$);
SELECT * FROM mb($$o::int8 > 3000000000$$);

-- bpchar: bounds of the values without trailing blanks; ranges under the
-- C collation, = and IN under any deterministic one
SELECT * FROM mb($$bp = 'k00695'$$);
SELECT * FROM mb($$bp = 'k00695    '$$);
SELECT * FROM mb($$bp = 'k00695 '::char(7)$$);
SELECT * FROM mb($$bp = 'k00696'$$);
SELECT * FROM mb($$bp IN ('k00695', 'k02900  ', 'zz')$$);
SELECT * FROM mb($$bp = ANY (ARRAY['k00695'::bpchar, NULL])$$);
SELECT * FROM mb($$bp = ''$$);
SELECT * FROM mb($$bp = '   '$$);
SELECT * FROM mb($$bp = ' a'$$);
SELECT * FROM mb($$bp = 'a b1'$$);
SELECT * FROM mb($$bp = 'a  b2'$$);
SELECT * FROM mb($$bp = 'ab0'$$);
SELECT * FROM mb($$bp = 'B3Ϊ'$$);
SELECT * FROM mb($$bp < 'k00500' COLLATE "C"$$);
SELECT * FROM mb($$bp <= 'k00495' COLLATE "C"$$);
SELECT * FROM mb($$bp > 'k02800  ' COLLATE "C"$$);
SELECT * FROM mb($$bp >= 'k02895' COLLATE "C"$$);
SELECT * FROM mb($$bp COLLATE "C" BETWEEN 'a' AND 'b'$$);
SELECT * FROM mb($$bp < 'B' COLLATE "C"$$);
SELECT * FROM mb($$bp <= '' COLLATE "C"$$);
SELECT * FROM mb($$bp > '' COLLATE "C"$$);
SELECT * FROM mb($$bp < 'k00500'$$);                  -- the database's collation: no ranges
SELECT * FROM mb($$bp < 'B' COLLATE "en-x-icu"$$);
SELECT * FROM mb($$bp = 'K00695' COLLATE mm_ci$$);     -- nondeterministic: never
SELECT * FROM mb($$bp COLLATE mm_ci IN ('K00695', 'k02900')$$);
-- a text column seen as bpchar (binary relabelling): its bounds keep the
-- blanks, so they are not used
SELECT * FROM mb($$tb::bpchar = 'k00695'$$);
SELECT * FROM mb($$tb::bpchar IN ('k00695', 'k00000')$$);
SELECT * FROM mb($$tb::bpchar <= 'k00695' COLLATE "C"$$);
SELECT * FROM mb($$tb = 'k00695  '$$);

-- parameters (generic plan)
PREPARE qb(bytea, money, oid) AS
  SELECT count(*) FROM mb_c WHERE by < $1 AND m > $2 AND o > $3;
SET plan_cache_mode = force_generic_plan;
EXECUTE qb('svc-05', '-$2000', 1000);
SELECT count(*) FROM mb_h WHERE by < 'svc-05' AND m > '-$2000' AND o > 1000;
EXECUTE qb('\xff', '-92233720368547758.08', 2147483647);
SELECT count(*) FROM mb_h WHERE by < '\xff' AND m > '-92233720368547758.08' AND o > 2147483647;
EXECUTE qb(NULL, '$0', 0);
RESET plan_cache_mode;
DEALLOCATE qb;

-- text and varchar become bpchar without a rewrite: the bounds (and bloom
-- filters) of stripes written as text keep the trailing blanks and are not
-- used for bpchar; stripes written afterwards have bpchar bounds
SELECT relfilenode AS mb_file FROM pg_class WHERE relname = 'mb_c' \gset
ALTER TABLE mb_c ALTER COLUMN tb TYPE bpchar;
ALTER TABLE mb_h ALTER COLUMN tb TYPE bpchar;
SELECT relfilenode = :mb_file AS not_rewritten FROM pg_class WHERE relname = 'mb_c';
SELECT * FROM mb($$tb = 'k00695'$$);
SELECT * FROM mb($$tb = 'k00000'$$);
SELECT * FROM mb($$tb = ' a'$$);
SELECT * FROM mb($$tb IN ('k00695', 'k00000', 'k02995')$$);
SELECT * FROM mb($$tb <= 'k00695' COLLATE "C"$$);
SELECT * FROM mb($$tb > 'k02995' COLLATE "C"$$);
INSERT INTO mb_c SELECT id + 10000, by, bd, m, o, bp, tb FROM mb_h WHERE id BETWEEN 600 AND 799;
INSERT INTO mb_h SELECT id + 10000, by, bd, m, o, bp, tb FROM mb_h WHERE id BETWEEN 600 AND 799;
SELECT * FROM mb($$tb = 'k00695'$$);
SELECT * FROM mb($$tb IN ('k00695', 'k00000', 'k02995')$$);
SELECT * FROM mb($$tb <= 'k00695' COLLATE "C"$$);
