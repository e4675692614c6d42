--
-- 10_scan: the CocoonScan custom scan node: projection, time-range pruning,
-- per-chunk min/max and bloom skipping.  Every query must return exactly
-- what heap returns, with the custom scan on and off.
--
CREATE TABLE scan_h (ts timestamptz, level text, service varchar(20), n int, big int8,
                     msg text, trace uuid, d date, v float8);
INSERT INTO scan_h
SELECT timestamptz '2024-10-01 00:00+00' + g * interval '72 seconds',   -- 1200 rows a day
       (ARRAY['DEBUG','INFO','INFO','WARN','ERROR'])[1 + g % 5],
       'svc-' || (g % 6),
       g,
       g::int8 * 1000003,
       CASE g % 4 WHEN 0 THEN 'user ' || g || ' logged in'
                  WHEN 1 THEN 'disk at ' || (g % 100) || '% full'
                  WHEN 2 THEN 'Ünïcode mëssage ' || g
                  ELSE 'path C:\temp\file_' || g || '.log' END,
       md5(g::text)::uuid,
       date '2024-10-01' + g / 1200,
       g / 10.0
  FROM generate_series(0, 5999) g;                                       -- 5 days
INSERT INTO scan_h VALUES (NULL, 'INFO', 'svc-x', -1, NULL, 'no time', NULL, NULL, NULL),
                          (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE scan_c (LIKE scan_h) USING cocoon;
-- aggregates computed by the scan itself are tested in 19_aggregate; here
-- count(*) runs through the Aggregate node over CocoonScan
SET cocoon.enable_aggregate = off;
SELECT cocoon.set_options('scan_c', stripe_rows => 1000, chunk_rows => 100, partition_interval => '1 day');
INSERT INTO scan_c SELECT * FROM scan_h;
SELECT stripes, row_count FROM cocoon.stats('scan_c');
ANALYZE scan_c;
ANALYZE scan_h;

-- compare heap and cocoon for a WHERE clause, with the custom scan on and off
CREATE FUNCTION scan_check(cond text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  n_h bigint; n_c bigint; d1 bigint; d2 bigint; res text := '';
BEGIN
  EXECUTE format('SELECT count(*) FROM scan_h WHERE %s', cond) INTO n_h;
  FOREACH res IN ARRAY ARRAY['on', 'off'] LOOP
    PERFORM set_config('cocoon.enable_custom_scan', res, true);
    EXECUTE format('SELECT (SELECT count(*) FROM scan_c WHERE %1$s),
                           (SELECT count(*) FROM (SELECT * FROM scan_h WHERE %1$s EXCEPT ALL SELECT * FROM scan_c WHERE %1$s) s),
                           (SELECT count(*) FROM (SELECT * FROM scan_c WHERE %1$s EXCEPT ALL SELECT * FROM scan_h WHERE %1$s) s)', cond)
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

-- EXPLAIN ANALYZE with the byte counts masked
CREATE FUNCTION scan_explain(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    RETURN NEXT regexp_replace(l, 'Decompressed: \d+', 'Decompressed: N');
  END LOOP;
END
$$;

--
-- projection
--
EXPLAIN (costs off) SELECT sum(n) FROM scan_c;
EXPLAIN (costs off) SELECT level, count(*) FROM scan_c GROUP BY level;
EXPLAIN (costs off) SELECT * FROM scan_c;
EXPLAIN (costs off) SELECT scan_c FROM scan_c;
EXPLAIN (costs off) SELECT count(*) FROM scan_c;
SELECT sum(n), count(*) FROM scan_c;
SELECT level, count(*) FROM scan_c GROUP BY level ORDER BY level;
SELECT level, count(*) FROM scan_h GROUP BY level ORDER BY level;
-- a projection-only scan decompresses less than a full one
CREATE FUNCTION scan_bytes(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF l ~ 'Bytes Decompressed' THEN RETURN substring(l from '(\d+) bytes')::bigint; END IF;
  END LOOP;
  RETURN NULL;
END
$$;
SELECT scan_bytes('SELECT sum(n) FROM scan_c') * 5 < scan_bytes('SELECT * FROM scan_c') AS projection_reads_less,
       scan_bytes('SELECT count(ts) FROM scan_c WHERE ts > ''2024-10-05 00:00+00''') * 3 < scan_bytes('SELECT count(ts) FROM scan_c') AS pruning_reads_less;
DROP FUNCTION scan_bytes(text);

--
-- time-range pruning: same rows as heap
--
SELECT scan_check($$ts > '2024-10-04 00:00+00'$$);
SELECT scan_check($$ts >= '2024-10-04 00:00+00'$$);
SELECT scan_check($$ts < '2024-10-02 00:00+00'$$);
SELECT scan_check($$ts <= '2024-10-01 00:00+00'$$);
SELECT scan_check($$ts BETWEEN '2024-10-02 06:00+00' AND '2024-10-02 07:00+00'$$);
SELECT scan_check($$ts >= '2024-10-02 23:59:24+00' AND ts < '2024-10-03 00:01:12+00'$$);
SELECT scan_check($$ts = '2024-10-03 12:00+00'$$);
SELECT scan_check($$ts = '2024-10-03 12:00:01+00'$$);
SELECT scan_check($$ts IN ('2024-10-01 00:01:12+00', '2024-10-03 12:00+00', '2024-10-05 23:58:48+00')$$);
SELECT scan_check($$ts = ANY (ARRAY['2024-10-02 00:00+00', NULL]::timestamptz[])$$);
SELECT scan_check($$ts = ANY ('{}'::timestamptz[])$$);
SELECT scan_check($$ts IN (NULL)$$);
SELECT scan_check($$ts = NULL$$);
SELECT scan_check($$ts IS NULL$$);
SELECT scan_check($$ts IS NOT NULL$$);
SELECT scan_check($$'2024-10-04 00:00+00' < ts$$);
SELECT scan_check($$'2024-10-04 00:00+00' >= ts AND ts > '2024-10-03 23:00+00'$$);
SELECT scan_check($$ts > '2024-10-04 00:00+00' AND ts < '2024-10-02 00:00+00'$$);
SELECT scan_check($$ts < '2024-10-02 00:00+00' OR ts > '2024-10-05 12:00+00'$$);
SELECT scan_check($$NOT (ts < '2024-10-05 12:00+00')$$);
SELECT scan_check($$ts > '-infinity'$$);
SELECT scan_check($$ts < 'infinity'$$);
SELECT scan_check($$ts > 'infinity'$$);
SELECT scan_check($$ts > '2030-01-01 00:00+00'$$);
SELECT scan_check($$ts < '2000-01-01 00:00+00'$$);
-- other types for the bound: no pruning, still correct
SELECT scan_check($$ts > '2024-10-04 00:00'::timestamp$$);
SELECT scan_check($$ts >= date '2024-10-04'$$);
SELECT scan_check($$ts > '2024-10-04 00:00+00'::timestamptz + interval '1 hour'$$);
SELECT scan_check($$ts > (SELECT max(ts) - interval '1 hour' FROM scan_h)$$);
SELECT scan_check($$ts::date = '2024-10-03'$$);
SELECT scan_check($$date_trunc('day', ts) = '2024-10-03 00:00+00'$$);
-- time zones: the bound is a point in time whatever the session zone
SET TimeZone = 'Asia/Tokyo';
SELECT scan_check($$ts >= '2024-10-04 09:00' AND ts < '2024-10-04 10:00'$$);
SELECT count(*), min(ts), max(ts) FROM scan_c WHERE ts >= '2024-10-04 09:00' AND ts < '2024-10-04 10:00';
RESET TimeZone;

-- EXPLAIN shows the time filter and what was skipped (deterministic:
-- 5 days of 1200 rows in stripes of at most 1000 rows within one day)
SELECT * FROM scan_explain($$SELECT count(*) FROM scan_c WHERE ts >= '2024-10-03 00:00+00' AND ts < '2024-10-04 00:00+00'$$);
SELECT * FROM scan_explain($$SELECT count(*) FROM scan_c WHERE ts > '2024-10-05 12:00+00'$$);
SELECT * FROM scan_explain($$SELECT count(*) FROM scan_c WHERE ts IN ('2024-10-01 12:00+00', '2024-10-02 12:00+00')$$);
SELECT * FROM scan_explain($$SELECT count(*) FROM scan_c WHERE ts > '2024-10-04 00:00+00' AND ts < '2024-10-02 00:00+00'$$);
SELECT * FROM scan_explain($$SELECT ts, level FROM scan_c WHERE ts = '2024-10-02 00:00+00'$$);

-- prepared statements: the parameter is evaluated at executor start
SET plan_cache_mode = force_generic_plan;
PREPARE scan_p1(timestamptz) AS SELECT count(*) FROM scan_c WHERE ts >= $1;
PREPARE scan_p2(timestamptz, timestamptz) AS SELECT count(*), min(n), max(n) FROM scan_c WHERE ts BETWEEN $1 AND $2;
PREPARE scan_p3(timestamptz[]) AS SELECT n FROM scan_c WHERE ts = ANY ($1) ORDER BY n;
EXECUTE scan_p1('2024-10-05 00:00+00');
EXECUTE scan_p1('2024-10-01 00:00+00');
EXECUTE scan_p1(NULL);
EXECUTE scan_p2('2024-10-02 00:00+00', '2024-10-02 01:00+00');
EXECUTE scan_p2('2024-10-02 01:00+00', '2024-10-02 00:00+00');
EXECUTE scan_p3(ARRAY['2024-10-01 00:00+00', '2024-10-05 23:58:48+00', NULL]::timestamptz[]);
SELECT count(*) FROM scan_h WHERE ts >= '2024-10-05 00:00+00';
SELECT count(*), min(n), max(n) FROM scan_h WHERE ts BETWEEN '2024-10-02 00:00+00' AND '2024-10-02 01:00+00';
EXPLAIN (costs off) EXECUTE scan_p1('2024-10-05 00:00+00');
SELECT * FROM scan_explain($$EXECUTE scan_p1('2024-10-05 00:00+00')$$);
-- a parameter in a plpgsql function
CREATE FUNCTION scan_count_since(t timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN RETURN (SELECT count(*) FROM scan_c WHERE ts > t); END
$$;
SELECT scan_count_since('2024-10-03 00:00+00'), scan_count_since('2024-10-05 23:00+00'),
       (SELECT count(*) FROM scan_h WHERE ts > '2024-10-05 23:00+00');
RESET plan_cache_mode;
DEALLOCATE scan_p1;
DEALLOCATE scan_p2;
DEALLOCATE scan_p3;

-- a time bound from a correlated subquery / join is not a pruning bound
SELECT count(*) FROM (VALUES (timestamptz '2024-10-02 00:00+00'), ('2024-10-04 00:00+00')) v(t)
  JOIN scan_c c ON c.ts >= v.t AND c.ts < v.t + interval '1 hour';
SELECT count(*) FROM (VALUES (timestamptz '2024-10-02 00:00+00'), ('2024-10-04 00:00+00')) v(t)
  JOIN scan_h c ON c.ts >= v.t AND c.ts < v.t + interval '1 hour';
SELECT (SELECT count(*) FROM scan_c c WHERE c.ts > v.t) AS c, (SELECT count(*) FROM scan_h h WHERE h.ts > v.t) AS h
  FROM (VALUES (timestamptz '2024-10-01 12:00+00'), ('2024-10-05 12:00+00'), (NULL)) v(t) ORDER BY 1;

-- rows still in the transaction's write buffer are not pruned away
BEGIN;
INSERT INTO scan_c VALUES ('2024-10-10 00:00+00', 'INFO', 'svc-new', 100000, NULL, 'pending', NULL, NULL, NULL);
SELECT count(*) FROM scan_c WHERE ts > '2024-10-09 00:00+00';
SELECT count(*) FROM scan_c WHERE ts = '2024-10-10 00:00+00';
SELECT count(*) FROM scan_c WHERE msg = 'pending' AND n = 100000 AND service = 'svc-new';
ROLLBACK;

--
-- now() - interval, on data laid out relative to the current time
--
CREATE TABLE scan_now_c (ts timestamptz, n int) USING cocoon;
SELECT cocoon.set_options('scan_now_c', stripe_rows => 1000, partition_interval => '1 hour');
SELECT now() AS base \gset
-- one row a minute for the last 10 hours, and 10 rows in the future
INSERT INTO scan_now_c SELECT :'base'::timestamptz - g * interval '1 minute', g FROM generate_series(-10, 600) g;
CREATE TABLE scan_now_h AS SELECT * FROM scan_now_c;
-- now() has moved on by less than a minute, so the counts are exact
SELECT count(*) AS last_hour FROM scan_now_c WHERE ts > now() - interval '1 hour' AND ts <= now();
SELECT count(*) AS last_hour FROM scan_now_h WHERE ts > now() - interval '1 hour' AND ts <= now();
SELECT count(*) AS future FROM scan_now_c WHERE ts > now();
SELECT count(*) AS older FROM scan_now_c WHERE ts < now() - interval '5 hours';
SELECT count(*) AS older FROM scan_now_h WHERE ts < now() - interval '5 hours';
SELECT count(*) FROM scan_now_c WHERE ts > current_timestamp - interval '30 minutes' AND ts < current_timestamp;
SELECT count(*) FROM scan_now_c WHERE ts > statement_timestamp() - interval '30 minutes' AND ts < statement_timestamp();
-- clock_timestamp() is volatile: never a pruning bound, still correct
SELECT count(*) FROM scan_now_c WHERE ts > clock_timestamp() - interval '30 minutes' AND ts < clock_timestamp();
EXPLAIN (costs off) SELECT count(*) FROM scan_now_c WHERE ts > now() - interval '1 hour';
EXPLAIN (costs off) SELECT count(*) FROM scan_now_c WHERE ts > clock_timestamp() - interval '1 hour';
-- about 10 hourly stripes: the last hour reads at most 3 of them
SELECT count(*) FILTER (WHERE l ~ 'Stripes Read: [123]$') AS reads_few
  FROM scan_explain($$SELECT count(*) FROM scan_now_c WHERE ts > now() - interval '1 hour'$$) l;
DROP TABLE scan_now_c, scan_now_h;

--
-- a timestamp (without time zone) time column
--
CREATE TABLE scan_tsp_c (t timestamp, n int) USING cocoon;
SELECT cocoon.set_options('scan_tsp_c', stripe_rows => 1000, partition_interval => '1 day');
INSERT INTO scan_tsp_c SELECT timestamp '2024-01-01' + g * interval '1 minute', g FROM generate_series(0, 4319) g;
CREATE TABLE scan_tsp_h AS SELECT * FROM scan_tsp_c;
SELECT count(*), min(n), max(n) FROM scan_tsp_c WHERE t >= '2024-01-02' AND t < '2024-01-02 12:00';
SELECT count(*), min(n), max(n) FROM scan_tsp_h WHERE t >= '2024-01-02' AND t < '2024-01-02 12:00';
SELECT count(*) FROM scan_tsp_c WHERE t > now() - interval '1 day';   -- timestamptz bound: no pruning
SELECT * FROM scan_explain($$SELECT count(*) FROM scan_tsp_c WHERE t >= '2024-01-03'$$);
DROP TABLE scan_tsp_c, scan_tsp_h;

--
-- per-chunk skipping on other columns: min/max on integers, blooms on text and uuid
--
SELECT scan_check($$n = 4242$$);
SELECT scan_check($$n > 5990$$);
SELECT scan_check($$n < 5 AND n >= 0$$);
SELECT scan_check($$n BETWEEN 1000 AND 1009$$);
SELECT scan_check($$n IN (1, 2999, 5999, 123456)$$);
SELECT scan_check($$n = ANY (ARRAY[7, NULL])$$);
SELECT scan_check($$n <> 5$$);
SELECT scan_check($$n = -1$$);
SELECT scan_check($$big = 4242::int8 * 1000003$$);
SELECT scan_check($$big > 5998::int8 * 1000003$$);
SELECT scan_check($$big = 4242$$);                -- int8 = int4: cross-type
SELECT scan_check($$d = '2024-10-03'$$);
SELECT scan_check($$d IN ('2024-10-01', '2024-10-05')$$);
SELECT scan_check($$v = 424.2$$);
SELECT scan_check($$level = 'ERROR'$$);
SELECT scan_check($$level = 'error'$$);
SELECT scan_check($$level = ''$$);
SELECT scan_check($$level IN ('WARN', 'FATAL')$$);
SELECT scan_check($$level IN ('FATAL', NULL)$$);
SELECT scan_check($$level <> 'INFO'$$);
SELECT scan_check($$service = 'svc-3'$$);
SELECT scan_check($$service = 'svc-3 '$$);
SELECT scan_check($$service::text = 'svc-x'$$);
SELECT scan_check($$msg = 'user 4000 logged in'$$);
SELECT scan_check($$msg = 'user 4000 logged in' COLLATE "C"$$);
SELECT scan_check($$msg = 'Ünïcode mëssage 4002'$$);
SELECT scan_check($$trace = md5('4242')::uuid$$);
SELECT scan_check($$trace IN (md5('1')::uuid, md5('5999')::uuid, md5('nope')::uuid)$$);
SELECT scan_check($$trace = '00000000-0000-0000-0000-000000000000'$$);
-- LIKE / ILIKE with trigram blooms
SELECT scan_check($$msg LIKE 'user 4240 %'$$);
SELECT scan_check($$msg LIKE '%4242%'$$);
SELECT scan_check($$msg LIKE '%logged in'$$);
SELECT scan_check($$msg LIKE 'user _240 logged in'$$);
SELECT scan_check($$msg LIKE 'us%'$$);
SELECT scan_check($$msg LIKE '%'$$);
SELECT scan_check($$msg LIKE ''$$);
SELECT scan_check($$msg LIKE '%x%'$$);
SELECT scan_check($$msg LIKE '%nomatch at all%'$$);
SELECT scan_check($$msg LIKE 'disk at 49\% full'$$);
SELECT scan_check($$msg LIKE '%49\%%'$$);
SELECT scan_check($$msg LIKE '%9!% full' ESCAPE '!'$$);
SELECT scan_check($$msg LIKE '%C:\temp\file!_43.log' ESCAPE '!'$$);
SELECT scan_check($$msg LIKE '%\\temp\\file\_424%'$$);
SELECT scan_check($$msg LIKE '%file_424%'$$);
SELECT scan_check($$msg LIKE '%mëssage 40%'$$);
SELECT scan_check($$msg LIKE '%MËSSAGE 40%'$$);
SELECT scan_check($$msg ILIKE '%MËSSAGE 40%'$$);
SELECT scan_check($$msg ILIKE 'USER 4240 LOGGED IN'$$);
SELECT scan_check($$msg ILIKE '%Logged%'$$);
SELECT scan_check($$msg ILIKE 'DISK at 49\% FULL'$$);
SELECT scan_check($$msg NOT LIKE '%logged%'$$);
SELECT scan_check($$msg LIKE '%logged%' COLLATE "C"$$);
SELECT scan_check($$msg ~ 'user 42[0-9]{2} '$$);
SELECT scan_check($$msg LIKE ANY (ARRAY['%4242%', '%4243%'])$$);
-- combinations
SELECT scan_check($$level = 'ERROR' AND ts > '2024-10-05 00:00+00' AND msg LIKE '%disk%'$$);
SELECT scan_check($$(level = 'ERROR' OR n = 3) AND ts < '2024-10-01 01:00+00'$$);
SELECT scan_check($$service = 'svc-1' AND n BETWEEN 100 AND 200 AND trace IS NOT NULL$$);
-- EXPLAIN shows the chunk filters
EXPLAIN (costs off) SELECT count(*) FROM scan_c WHERE n = 4242;
EXPLAIN (costs off) SELECT count(*) FROM scan_c WHERE level = 'ERROR' AND msg LIKE '%4242%';
SELECT l FROM scan_explain($$SELECT count(*) FROM scan_c WHERE n = 4242$$) l WHERE l ~ 'Skipped|Stripes Read';
SELECT substring(l from '\d+')::int > 0 AS bloom_skipped_chunks
  FROM scan_explain($$SELECT count(*) FROM scan_c WHERE msg = 'user 4240 logged in'$$) l WHERE l ~ 'Skipped By Bloom';
SELECT substring(l from '\d+')::int > 0 AS bloom_skipped_chunks
  FROM scan_explain($$SELECT count(*) FROM scan_c WHERE msg LIKE '%user 4240 logged%'$$) l WHERE l ~ 'Skipped By Bloom';

-- parallel scans return the same rows
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT scan_check($$true$$);
SELECT scan_check($$ts > '2024-10-03 00:00+00'$$);
SELECT count(*), sum(n), count(DISTINCT trace) FROM scan_c;
SELECT count(*), sum(n), count(DISTINCT trace) FROM scan_h;
SELECT level, count(*) FROM scan_c WHERE ts < '2024-10-04 00:00+00' GROUP BY level ORDER BY level;
SELECT level, count(*) FROM scan_h WHERE ts < '2024-10-04 00:00+00' GROUP BY level ORDER BY level;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- rescans (nested loop inner side, LATERAL)
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
SELECT count(*) FROM (VALUES ('ERROR'), ('WARN')) v(l) JOIN scan_c c ON c.level = v.l AND c.ts < '2024-10-01 06:00+00';
SELECT count(*) FROM (VALUES ('ERROR'), ('WARN')) v(l) JOIN scan_h c ON c.level = v.l AND c.ts < '2024-10-01 06:00+00';
SELECT v.t, x.cnt FROM (VALUES (timestamptz '2024-10-02 00:00+00'), ('2024-10-05 00:00+00')) v(t),
  LATERAL (SELECT count(*) AS cnt FROM scan_c WHERE ts >= v.t AND ts < v.t + interval '10 minutes') x ORDER BY 1;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_material;
-- LIMIT stops early and cursors fetch forward
SELECT n FROM scan_c WHERE ts >= '2024-10-03 00:00+00' ORDER BY ts LIMIT 3;
BEGIN;
DECLARE scan_cur CURSOR FOR SELECT n FROM scan_c WHERE ts >= '2024-10-03 00:00+00' AND ts < '2024-10-03 00:05+00';
FETCH 2 FROM scan_cur;
FETCH ALL FROM scan_cur;
COMMIT;

DROP FUNCTION scan_count_since(timestamptz);
DROP FUNCTION scan_check(text);
DROP FUNCTION scan_explain(text);
DROP TABLE scan_h, scan_c;
