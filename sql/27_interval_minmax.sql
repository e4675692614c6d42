--
-- 27_interval_minmax: chunks of interval columns keep the least and
-- greatest span in interval_cmp's order (a month is 30 days, a day 24
-- hours), as float keys rounded outward, so comparisons on intervals skip
-- chunk groups by min/max.  Intervals that compare equal but are written
-- differently ('1 mon' = '30 days' = '720 hours') and values a microsecond
-- apart must give heap's answers.
--
SET cocoon.chunk_rows = 100;
CREATE FUNCTION iv_skips(q text) RETURNS int LANGUAGE plpgsql AS $$
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
CREATE TABLE iv_h (d interval, n int);
-- chunk k (100 rows) holds durations of k seconds plus up to 99 ms, with
-- NULLs; the last chunks hold equal spans written three ways, and extremes
INSERT INTO iv_h SELECT CASE WHEN g % 53 = 0 THEN NULL
                             ELSE make_interval(secs => g / 100 + (g % 100) / 1000.0) END, g
  FROM generate_series(0, 799) g;
INSERT INTO iv_h SELECT (ARRAY['1 mon', '30 days', '720 hours', '1 mon 1 microsecond',
                               '29 days 23:59:59.999999'])[1 + g % 5]::interval, 1000 + g
  FROM generate_series(0, 99) g;
INSERT INTO iv_h SELECT (ARRAY['178000000 years', '-178000000 years', '0', '-1 microsecond',
                               '1 microsecond'])[1 + g % 5]::interval, 2000 + g
  FROM generate_series(0, 99) g;
CREATE TABLE iv_c (LIKE iv_h) USING cocoon;
INSERT INTO iv_c SELECT * FROM iv_h;
-- every probe value against every operator: the same counts as heap
CREATE FUNCTION iv_mismatches() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v interval;
  op text;
  a bigint;
  b bigint;
  bad text := '';
BEGIN
  FOREACH v IN ARRAY ARRAY['3 seconds', '3.099 seconds', '3.0995 seconds', '7.5 s', '-1 s',
                           '1 mon', '30 days', '720 hours', '1 mon 1 microsecond',
                           '29 days 23:59:59.999999', '1 mon -1 microsecond',
                           '178000000 years', '-178000000 years', '0', '1 microsecond',
                           '-1 microsecond', '1 day']::interval[] LOOP
    FOREACH op IN ARRAY ARRAY['<', '<=', '=', '>=', '>'] LOOP
      EXECUTE format('SELECT count(*) FROM iv_c WHERE d %s %L::interval', op, v) INTO a;
      EXECUTE format('SELECT count(*) FROM iv_h WHERE d %s %L::interval', op, v) INTO b;
      IF a <> b THEN
        bad := bad || format('d %s %s: %s vs %s; ', op, v, a, b);
      END IF;
    END LOOP;
  END LOOP;
  RETURN coalesce(nullif(bad, ''), 'none');
END $$;
SELECT iv_mismatches() AS mismatches;
-- 10 chunk groups: which min/max skips
SELECT iv_skips($$SELECT count(*) FROM iv_c WHERE d = '3.05 s'$$) AS eq_3s,
       iv_skips($$SELECT count(*) FROM iv_c WHERE d > '7 s'$$) AS gt_7s,
       iv_skips($$SELECT count(*) FROM iv_c WHERE d BETWEEN '2 s' AND '4 s'$$) AS between_2_4,
       iv_skips($$SELECT count(*) FROM iv_c WHERE d = '720 hours'$$) AS eq_month,
       iv_skips($$SELECT count(*) FROM iv_c WHERE d >= '1 year'$$) AS ge_year;
SELECT count(*) FROM iv_c WHERE d = '720 hours';
SELECT count(*) FROM iv_h WHERE d = '720 hours';
-- a prepared statement's parameter
PREPARE iv_q(interval) AS SELECT count(*) FROM iv_c WHERE d < $1;
EXECUTE iv_q('2.5 s');
SELECT count(*) FROM iv_h WHERE d < '2.5 s';
DEALLOCATE iv_q;
DROP TABLE iv_c, iv_h;
DROP FUNCTION iv_skips(text);
DROP FUNCTION iv_mismatches();
RESET cocoon.chunk_rows;
