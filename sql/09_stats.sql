--
-- 09_stats: cocoon.stats, cocoon.column_stats and cocoon.verify
--
CREATE TABLE stats_logs (
    ts timestamptz, level text, service text, status int, latency float8,
    ok bool, trace uuid, constant_col int, empty_col text
) USING cocoon;
SELECT cocoon.set_options('stats_logs', stripe_rows => 10000, chunk_rows => 1000);

-- empty table
SELECT * FROM cocoon.stats('stats_logs');
SELECT count(*) FROM cocoon.column_stats('stats_logs');
SELECT count(*) FROM cocoon.verify('stats_logs');

INSERT INTO stats_logs
SELECT timestamptz '2024-09-01 00:00+00' + g * interval '1 second',
       (ARRAY['INFO','INFO','INFO','WARN','ERROR'])[1 + g % 5],
       'service-' || (g % 4),
       (ARRAY[200, 200, 200, 404, 500])[1 + g % 5],
       (g % 250) / 4.0,
       g % 7 <> 0,
       md5(g::text)::uuid,
       42,
       NULL
  FROM generate_series(1, 30000) g;

-- sane values
SELECT row_count, stripes, chunks, pending_rows FROM cocoon.stats('stats_logs');
SELECT row_count = (SELECT count(*) FROM stats_logs) AS rows_match,
       stripes = 3 AS three_stripes,
       chunks > 0 AS has_chunks,
       raw_bytes > data_bytes AS compressed,
       data_bytes > 0 AND metadata_bytes > 0 AS sizes_positive,
       stored_bytes >= data_bytes AS stored_covers_data,
       compression_ratio > 1 AS ratio_above_1,
       abs(compression_ratio - raw_bytes::float8 / NULLIF(data_bytes, 0)) < 0.01
         OR abs(compression_ratio - raw_bytes::float8 / NULLIF(stored_bytes, 0)) < 0.01 AS ratio_consistent,
       stored_bytes <= pg_relation_size('stats_logs') + metadata_bytes AS stored_within_relation
  FROM cocoon.stats('stats_logs');

-- one row per column, in attnum order
SELECT attnum, attname, chunks, null_count FROM cocoon.column_stats('stats_logs') ORDER BY attnum;
SELECT sum(null_count) = (SELECT count(*) FILTER (WHERE empty_col IS NULL) FROM stats_logs) AS null_count_matches
  FROM cocoon.column_stats('stats_logs') WHERE attname = 'empty_col';
SELECT bool_and(encoded_bytes >= 0 AND stored_bytes >= 0) AS sizes_ok,
       bool_and(chunks = 30) AS chunks_per_column
  FROM cocoon.column_stats('stats_logs');
-- codecs chosen for each kind of data
SELECT attname,
       codecs ~ 'int_dod|int_for|int_const' AS int_codec,
       codecs ~ 'dict' AS dict_codec,
       codecs ~ 'int_const' AS const_codec,
       codecs ~ 'all_null' AS all_null_codec,
       codecs ~ 'bool_bitmap' AS bool_codec,
       codecs ~ 'fixed_plain' AS fixed_codec
  FROM cocoon.column_stats('stats_logs') ORDER BY attnum;
SELECT DISTINCT compression ~ '^(zstd|lz4|none)' AS known_compression FROM cocoon.column_stats('stats_logs');
-- the timestamp column is regular: delta-of-delta makes it tiny
SELECT (SELECT encoded_bytes FROM cocoon.column_stats('stats_logs') WHERE attname = 'ts') <
       (SELECT encoded_bytes FROM cocoon.column_stats('stats_logs') WHERE attname = 'trace') / 10 AS ts_small;

-- a healthy table verifies clean
SELECT * FROM cocoon.verify('stats_logs');

-- pending rows are counted inside the writing transaction
BEGIN;
INSERT INTO stats_logs (ts, level) VALUES ('2024-09-02 00:00+00', 'INFO');
SELECT row_count, pending_rows FROM cocoon.stats('stats_logs');
SELECT count(*) FROM stats_logs;
COMMIT;
SELECT row_count, pending_rows, stripes FROM cocoon.stats('stats_logs');
SELECT * FROM cocoon.verify('stats_logs');

-- after TRUNCATE everything is zero
TRUNCATE stats_logs;
SELECT row_count, stripes, chunks, raw_bytes, data_bytes, pending_rows FROM cocoon.stats('stats_logs');
SELECT count(*) FROM cocoon.verify('stats_logs');

-- incompressible data stored without compression: ratio close to 1
CREATE TABLE stats_rand (b text) USING cocoon;
SELECT cocoon.set_options('stats_rand', compression => 'none');
INSERT INTO stats_rand SELECT md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 5000) g;
SELECT compression_ratio BETWEEN 0.5 AND 3 AS ratio_near_1, row_count FROM cocoon.stats('stats_rand');
SELECT DISTINCT compression FROM cocoon.column_stats('stats_rand');

-- errors for non-cocoon relations
CREATE TABLE stats_heap (a int);
SELECT * FROM cocoon.stats('stats_heap');
SELECT * FROM cocoon.column_stats('stats_heap');
SELECT * FROM cocoon.verify('stats_heap');
CREATE INDEX stats_heap_a ON stats_heap (a);
SELECT * FROM cocoon.stats('stats_heap_a');
SELECT * FROM cocoon.stats(NULL);
SELECT * FROM cocoon.stats(0);

DROP TABLE stats_logs, stats_rand, stats_heap;
