--
-- 08_options: GUCs and per-table options
--
CREATE TABLE opt_src (ts timestamptz, ts2 timestamp, level text, n int, v float8, payload text);
INSERT INTO opt_src
SELECT timestamptz '2024-08-01 00:00+00' + g * interval '13 seconds',
       timestamp '2024-08-01' + g * interval '1 hour',
       (ARRAY['INFO','WARN','ERROR'])[1 + g % 3],
       g,
       g / 7.0,
       repeat('payload ' || (g % 20), 5)
  FROM generate_series(1, 12000) g;   -- spans about 2 days

CREATE FUNCTION opt_same(c regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  nc bigint; d1 bigint; d2 bigint;
BEGIN
  EXECUTE format('SELECT (SELECT count(*) FROM %1$s),
                         (SELECT count(*) FROM (SELECT * FROM opt_src EXCEPT ALL SELECT * FROM %1$s) s),
                         (SELECT count(*) FROM (SELECT * FROM %1$s EXCEPT ALL SELECT * FROM opt_src) s)', c)
    INTO nc, d1, d2;
  RETURN format('%s rows, %s missing, %s extra', nc, d1, d2);
END
$$;

-- the GUCs exist once the module is loaded (any use of a cocoon table loads it)
LOAD 'cocoon';
-- keep PL/pgSQL line numbers out of the expected output
\set SHOW_CONTEXT never
-- defaults
SHOW cocoon.compression;
SHOW cocoon.compression_level;
SHOW cocoon.stripe_rows;
SHOW cocoon.chunk_rows;
SHOW cocoon.partition_interval;
SHOW cocoon.enable_custom_scan;
SHOW cocoon.skip_damaged_chunks;

--
-- compression through the GUC: every method round trips
--
SET cocoon.compression = none;
CREATE TABLE opt_none (LIKE opt_src) USING cocoon;
INSERT INTO opt_none SELECT * FROM opt_src;
SET cocoon.compression = lz4;
CREATE TABLE opt_lz4 (LIKE opt_src) USING cocoon;
INSERT INTO opt_lz4 SELECT * FROM opt_src;
SET cocoon.compression = zstd;
SET cocoon.compression_level = 19;
CREATE TABLE opt_zstd (LIKE opt_src) USING cocoon;
INSERT INTO opt_zstd SELECT * FROM opt_src;
RESET cocoon.compression;
RESET cocoon.compression_level;
SELECT opt_same('opt_none') AS none_, opt_same('opt_lz4') AS lz4, opt_same('opt_zstd') AS zstd;
-- what the stored chunks say
SELECT 'opt_none' AS tbl, string_agg(DISTINCT compression, ',') FROM cocoon.column_stats('opt_none') WHERE attnum = 6
UNION ALL
SELECT 'opt_lz4', string_agg(DISTINCT compression, ',') FROM cocoon.column_stats('opt_lz4') WHERE attnum = 6
UNION ALL
SELECT 'opt_zstd', string_agg(DISTINCT compression, ',') FROM cocoon.column_stats('opt_zstd') WHERE attnum = 6
ORDER BY 1;
SELECT (SELECT data_bytes FROM cocoon.stats('opt_none')) > (SELECT data_bytes FROM cocoon.stats('opt_zstd')) AS zstd_smaller,
       (SELECT data_bytes FROM cocoon.stats('opt_none')) > (SELECT data_bytes FROM cocoon.stats('opt_lz4')) AS lz4_smaller;
-- the GUC applies to newly written stripes only: old data stays readable
SET cocoon.compression = none;
INSERT INTO opt_zstd SELECT * FROM opt_src WHERE n <= 100;
RESET cocoon.compression;
SELECT count(*) FROM opt_zstd;
SELECT string_agg(DISTINCT compression, ',' ORDER BY compression) FROM cocoon.column_stats('opt_zstd') WHERE attnum = 6;

--
-- per-table options override the GUCs
--
CREATE TABLE opt_t (LIKE opt_src) USING cocoon;
SELECT cocoon.set_options('opt_t', compression => 'lz4', compression_level => 5,
                          stripe_rows => 2000, chunk_rows => 500,
                          partition_interval => '0', time_column => 'ts');
SELECT * FROM cocoon.table_options WHERE relid = 'opt_t'::regclass;
SELECT * FROM cocoon.options WHERE relid = 'opt_t'::regclass;
SET cocoon.compression = none;
INSERT INTO opt_t SELECT * FROM opt_src;
RESET cocoon.compression;
SELECT opt_same('opt_t');
SELECT row_count, stripes, chunks FROM cocoon.stats('opt_t');
SELECT DISTINCT compression FROM cocoon.column_stats('opt_t') WHERE attnum = 6;
-- set_options only changes what it is given
SELECT cocoon.set_options('opt_t', stripe_rows => 3000);
SELECT compression, compression_level, stripe_rows, chunk_rows, partition_interval, time_column
  FROM cocoon.table_options WHERE relid = 'opt_t'::regclass;
-- reset_options returns to the GUCs
SELECT cocoon.reset_options('opt_t');
SELECT compression, compression_level, stripe_rows, chunk_rows, partition_interval, time_column, has_table_options
  FROM cocoon.table_options WHERE relid = 'opt_t'::regclass;
SET cocoon.stripe_rows = 5000;
SELECT stripe_rows FROM cocoon.table_options WHERE relid = 'opt_t'::regclass;
RESET cocoon.stripe_rows;
SELECT opt_same('opt_t');
-- the view lists every cocoon table and nothing else
SELECT relid::text FROM cocoon.table_options WHERE relid::text LIKE 'opt%' ORDER BY 1;

--
-- small stripes and chunks give many stripes
--
CREATE TABLE opt_small (LIKE opt_src) USING cocoon;
SELECT cocoon.set_options('opt_small', stripe_rows => 1000, chunk_rows => 100, partition_interval => '0');
INSERT INTO opt_small SELECT * FROM opt_src;
SELECT row_count, stripes, chunks, stripes > 1 AS many_stripes FROM cocoon.stats('opt_small');
SELECT opt_same('opt_small');
-- GUCs do the same
SET cocoon.stripe_rows = 1000;
SET cocoon.chunk_rows = 100;
SET cocoon.partition_interval = '0';
CREATE TABLE opt_small2 (LIKE opt_src) USING cocoon;
INSERT INTO opt_small2 SELECT * FROM opt_src;
RESET cocoon.stripe_rows;
RESET cocoon.chunk_rows;
RESET cocoon.partition_interval;
SELECT row_count, stripes, stripes > 1 AS many_stripes FROM cocoon.stats('opt_small2');
SELECT opt_same('opt_small2');
-- chunk_rows larger than stripe_rows is capped
CREATE TABLE opt_cap (LIKE opt_src) USING cocoon;
SELECT cocoon.set_options('opt_cap', stripe_rows => 1000, chunk_rows => 5000, partition_interval => '0');
INSERT INTO opt_cap SELECT * FROM opt_src;
SELECT stripes, chunks, stripes > 1 AS many_stripes FROM cocoon.stats('opt_cap');
SELECT opt_same('opt_cap');

--
-- time partitioning
--
CREATE TABLE opt_part (LIKE opt_src) USING cocoon;
-- 3 different days, interleaved in insertion order
INSERT INTO opt_part SELECT * FROM opt_src WHERE n % 3 = 0;
INSERT INTO opt_part VALUES ('2024-08-10 12:00+00', NULL, 'INFO', -1, 0, 'x'),
                            ('2024-08-20 12:00+00', NULL, 'INFO', -2, 0, 'x'),
                            ('2024-08-10 13:00+00', NULL, 'INFO', -3, 0, 'x'),
                            (NULL, NULL, 'INFO', -4, 0, 'no ts');
SELECT stripes >= 3 AS partitioned FROM cocoon.stats('opt_part');
SELECT max(storage_id) AS part_sid FROM cocoon.stripe \gset
-- every stripe lies within one day, and there are at least 3 partitions
SELECT count(DISTINCT part_key) >= 3 AS three_partitions,
       count(*) FILTER (WHERE has_ts AND min_ts / 86400000000 <> max_ts / 86400000000) AS straddling_days,
       count(*) FILTER (WHERE NOT has_ts) AS stripes_without_ts
  FROM cocoon.stripe WHERE storage_id = :part_sid;
SELECT count(*) FROM opt_part;
-- time_column '' disables partitioning: one stripe for the same data
CREATE TABLE opt_nopart (LIKE opt_src) USING cocoon;
SELECT cocoon.set_options('opt_nopart', time_column => '');
SELECT time_column IS NULL AS no_time_column FROM cocoon.table_options WHERE relid = 'opt_nopart'::regclass;
INSERT INTO opt_nopart SELECT * FROM opt_part;
SELECT stripes FROM cocoon.stats('opt_nopart');
-- partition_interval 0 does the same
CREATE TABLE opt_nopart2 (LIKE opt_src) USING cocoon;
SELECT cocoon.set_options('opt_nopart2', partition_interval => '0');
INSERT INTO opt_nopart2 SELECT * FROM opt_part;
SELECT stripes FROM cocoon.stats('opt_nopart2');
-- a timestamp (without time zone) time column and an hourly interval
CREATE TABLE opt_hourly (LIKE opt_src) USING cocoon;
SELECT cocoon.set_options('opt_hourly', time_column => 'ts2', partition_interval => '6 hours');
INSERT INTO opt_hourly SELECT * FROM opt_src WHERE n <= 48;  -- 48 hours of ts2
SELECT stripes FROM cocoon.stats('opt_hourly');
SELECT count(*), min(ts2), max(ts2) FROM opt_hourly;
SELECT (SELECT count(*) FROM (SELECT * FROM opt_part EXCEPT ALL SELECT * FROM opt_nopart) a) AS diff1,
       (SELECT count(*) FROM (SELECT * FROM opt_nopart EXCEPT ALL SELECT * FROM opt_part) a) AS diff2,
       (SELECT count(*) FROM (SELECT * FROM opt_part EXCEPT ALL SELECT * FROM opt_nopart2) a) AS diff3;
-- the default time column is the first timestamp(tz) column
CREATE TABLE opt_dflt_tc (id int, b timestamp, a timestamptz) USING cocoon;
SELECT time_column FROM cocoon.table_options WHERE relid = 'opt_dflt_tc'::regclass;
CREATE TABLE opt_no_tc (id int, t text) USING cocoon;
SELECT time_column IS NULL AS no_time_column FROM cocoon.table_options WHERE relid = 'opt_no_tc'::regclass;
INSERT INTO opt_no_tc SELECT g, 'x' FROM generate_series(1, 100) g;
SELECT stripes, row_count FROM cocoon.stats('opt_no_tc');

--
-- bad values: errors naming the option
--
SELECT cocoon.set_options('opt_t', compression => 'gzip');
SELECT cocoon.set_options('opt_t', compression => '');
SELECT cocoon.set_options('opt_t', compression_level => 0);
SELECT cocoon.set_options('opt_t', compression_level => 20);
SELECT cocoon.set_options('opt_t', stripe_rows => 999);
SELECT cocoon.set_options('opt_t', stripe_rows => 10000001);
SELECT cocoon.set_options('opt_t', chunk_rows => 99);
SELECT cocoon.set_options('opt_t', chunk_rows => 1000001);
SELECT cocoon.set_options('opt_t', partition_interval => '-1 day');
SELECT cocoon.set_options('opt_t', time_column => 'level');
SELECT cocoon.set_options('opt_t', time_column => 'nosuchcolumn');
SELECT cocoon.set_options('opt_src', stripe_rows => 1000);
SELECT cocoon.set_options('pg_class', stripe_rows => 1000);
SELECT cocoon.set_options('nosuchtable', stripe_rows => 1000);
CREATE VIEW opt_view AS SELECT * FROM opt_t;
SELECT cocoon.set_options('opt_view', stripe_rows => 1000);
DROP VIEW opt_view;
-- failed calls changed nothing
SELECT count(*) AS option_rows FROM cocoon.options WHERE relid = 'opt_t'::regclass;
-- GUCs reject bad values too
SET cocoon.compression = gzip;
SET cocoon.compression_level = 0;
SET cocoon.compression_level = 20;
SET cocoon.stripe_rows = 999;
SET cocoon.chunk_rows = 99;
SET cocoon.partition_interval = 'banana';
SET cocoon.partition_interval = '-1 hour';
SET cocoon.enable_custom_scan = maybe;
SHOW cocoon.compression;
SHOW cocoon.stripe_rows;
SHOW cocoon.partition_interval;

--
-- options are dropped with the table, and survive ALTER TABLE renames
--
SELECT cocoon.set_options('opt_small', compression => 'none');
ALTER TABLE opt_small RENAME TO opt_small_renamed;
SELECT relid, compression, stripe_rows FROM cocoon.table_options WHERE relid = 'opt_small_renamed'::regclass;
SELECT count(*) AS options_before FROM cocoon.options \gset
DROP TABLE opt_small_renamed;
SELECT count(*) = :options_before - 1 AS options_row_dropped FROM cocoon.options;

--
-- non-superuser owners manage their own tables' options; others cannot
--
CREATE ROLE opt_owner;
CREATE ROLE opt_other;
GRANT CREATE ON SCHEMA public TO opt_owner;
SET ROLE opt_owner;
CREATE TABLE opt_owned (ts timestamptz, a int) USING cocoon;
INSERT INTO opt_owned SELECT '2024-01-01 00:00+00'::timestamptz + g * interval '1 minute', g FROM generate_series(1, 3000) g;
SELECT count(*) FROM opt_owned;
SELECT cocoon.set_options('opt_owned', stripe_rows => 1000);
SELECT relid, stripe_rows FROM cocoon.table_options WHERE relid = 'opt_owned'::regclass;
SELECT row_count FROM cocoon.stats('opt_owned');
GRANT SELECT ON opt_owned TO opt_other;
SET ROLE opt_other;
SELECT count(*) FROM opt_owned;
SELECT cocoon.set_options('opt_owned', stripe_rows => 2000);
SELECT cocoon.reset_options('opt_owned');
RESET ROLE;
SELECT stripe_rows FROM cocoon.options WHERE relid = 'opt_owned'::regclass;
DROP TABLE opt_owned;
REVOKE CREATE ON SCHEMA public FROM opt_owner;
DROP ROLE opt_owner;
DROP ROLE opt_other;

DROP TABLE opt_none, opt_lz4, opt_zstd, opt_t, opt_small2, opt_cap, opt_part, opt_nopart,
           opt_nopart2, opt_hourly, opt_dflt_tc, opt_no_tc;
DROP FUNCTION opt_same(regclass);
DROP TABLE opt_src;
