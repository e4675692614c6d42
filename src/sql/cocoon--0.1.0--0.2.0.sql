-- cocoon 0.1.0 -> 0.2.0: per-table bloom filter columns
-- (cocoon.set_options(..., bloom_columns => ARRAY[...])).  There is no
-- cocoon--0.2.0.sql: CREATE EXTENSION runs cocoon--0.1.0.sql and then this
-- file, so a new install and an updated one are the same by construction.
\echo Use "ALTER EXTENSION cocoon UPDATE TO '0.2.0'" to load this file. \quit

ALTER TABLE cocoon.options ADD COLUMN bloom_columns pg_catalog.name[];

DROP FUNCTION cocoon.set_options(pg_catalog.regclass, pg_catalog.text, pg_catalog.int4,
    pg_catalog.int4, pg_catalog.int4, pg_catalog.interval, pg_catalog.name);
CREATE FUNCTION cocoon.set_options(
    tbl pg_catalog.regclass,
    compression pg_catalog.text DEFAULT NULL,
    compression_level pg_catalog.int4 DEFAULT NULL,
    stripe_rows pg_catalog.int4 DEFAULT NULL,
    chunk_rows pg_catalog.int4 DEFAULT NULL,
    partition_interval pg_catalog.interval DEFAULT NULL,
    time_column pg_catalog.name DEFAULT NULL,
    bloom_columns pg_catalog.name[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    am pg_catalog.name;
    owner pg_catalog.oid;
    typ pg_catalog.oid;
    col pg_catalog.name;
BEGIN
    SELECT a.amname, c.relowner INTO am, owner
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_am a ON a.oid = c.relam
     WHERE c.oid = tbl;
    IF am IS DISTINCT FROM 'cocoon' THEN
        RAISE EXCEPTION '"%" is not a cocoon table', (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = tbl)
          USING ERRCODE = 'wrong_object_type',
                HINT = 'Create it with CREATE TABLE ... USING cocoon.';
    END IF;
    IF NOT pg_catalog.pg_has_role(owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = tbl)
          USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF compression IS NOT NULL AND compression NOT IN ('none', 'lz4', 'zstd') THEN
        RAISE EXCEPTION 'invalid value for cocoon option "compression": "%"', compression
          USING ERRCODE = 'invalid_parameter_value',
                DETAIL = 'Allowed values are none, lz4 and zstd.';
    END IF;
    IF compression_level IS NOT NULL AND compression_level NOT BETWEEN 1 AND 19 THEN
        RAISE EXCEPTION 'invalid value for cocoon option "compression_level": %', compression_level
          USING ERRCODE = 'invalid_parameter_value',
                DETAIL = 'Allowed values are 1 to 19.';
    END IF;
    IF stripe_rows IS NOT NULL AND stripe_rows NOT BETWEEN 1000 AND 10000000 THEN
        RAISE EXCEPTION 'invalid value for cocoon option "stripe_rows": %', stripe_rows
          USING ERRCODE = 'invalid_parameter_value',
                DETAIL = 'Allowed values are 1000 to 10000000.';
    END IF;
    IF chunk_rows IS NOT NULL AND chunk_rows NOT BETWEEN 100 AND 1000000 THEN
        RAISE EXCEPTION 'invalid value for cocoon option "chunk_rows": %', chunk_rows
          USING ERRCODE = 'invalid_parameter_value',
                DETAIL = 'Allowed values are 100 to 1000000.';
    END IF;
    IF partition_interval IS NOT NULL AND partition_interval < interval '0' THEN
        RAISE EXCEPTION 'invalid value for cocoon option "partition_interval": %', partition_interval
          USING ERRCODE = 'invalid_parameter_value',
                DETAIL = 'The interval must be zero (no partitioning) or positive.';
    END IF;
    IF time_column IS NOT NULL AND time_column <> '' THEN
        SELECT a.atttypid INTO typ FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = tbl AND a.attname = time_column AND NOT a.attisdropped AND a.attnum > 0;
        IF typ IS NULL THEN
            RAISE EXCEPTION 'invalid value for cocoon option "time_column": column "%" does not exist', time_column
              USING ERRCODE = 'undefined_column';
        ELSIF typ NOT IN ('pg_catalog.timestamptz'::pg_catalog.regtype, 'pg_catalog.timestamp'::pg_catalog.regtype) THEN
            RAISE EXCEPTION 'invalid value for cocoon option "time_column": column "%" is of type %', time_column, typ::pg_catalog.regtype
              USING ERRCODE = 'datatype_mismatch',
                    DETAIL = 'The time column must be of type timestamp with time zone or timestamp.',
                    HINT = 'Pass an empty string to turn time partitioning off.';
        END IF;
    END IF;
    -- bloom_columns: the columns whose chunks get bloom filters ('{}': none)
    IF bloom_columns IS NOT NULL THEN
        IF pg_catalog.array_ndims(bloom_columns) > 1 THEN
            RAISE EXCEPTION 'invalid value for cocoon option "bloom_columns": a one-dimensional array of column names is expected'
              USING ERRCODE = 'invalid_parameter_value';
        END IF;
        FOREACH col IN ARRAY COALESCE(bloom_columns, '{}') LOOP
            IF col IS NULL THEN
                RAISE EXCEPTION 'invalid value for cocoon option "bloom_columns": a column name is NULL'
                  USING ERRCODE = 'null_value_not_allowed';
            END IF;
            SELECT COALESCE(NULLIF(t.typbasetype, 0), t.oid) INTO typ
              FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
             WHERE a.attrelid = tbl AND a.attname = col AND NOT a.attisdropped AND a.attnum > 0;
            IF typ IS NULL THEN
                RAISE EXCEPTION 'invalid value for cocoon option "bloom_columns": column "%" does not exist', col
                  USING ERRCODE = 'undefined_column';
            ELSIF typ NOT IN ('pg_catalog.text'::pg_catalog.regtype, 'pg_catalog.varchar'::pg_catalog.regtype,
                              'pg_catalog.uuid'::pg_catalog.regtype, 'pg_catalog.jsonb'::pg_catalog.regtype,
                              'pg_catalog.inet'::pg_catalog.regtype, 'pg_catalog.cidr'::pg_catalog.regtype) THEN
                RAISE EXCEPTION 'invalid value for cocoon option "bloom_columns": column "%" is of type %', col, typ::pg_catalog.regtype
                  USING ERRCODE = 'datatype_mismatch',
                        DETAIL = 'Bloom filters are built for columns of type text, varchar, uuid, jsonb, inet and cidr (and domains over them).',
                        HINT = 'Other columns are skipped by their per-chunk min/max.';
            END IF;
        END LOOP;
    END IF;
    PERFORM cocoon.write_options(tbl, compression, compression_level, stripe_rows,
                                 chunk_rows, partition_interval, time_column, bloom_columns);
END;
$fn$;

DROP FUNCTION cocoon.write_options(pg_catalog.regclass, pg_catalog.text, pg_catalog.int4,
    pg_catalog.int4, pg_catalog.int4, pg_catalog.interval, pg_catalog.name);
CREATE FUNCTION cocoon.write_options(tbl pg_catalog.regclass, compression pg_catalog.text,
    compression_level pg_catalog.int4, stripe_rows pg_catalog.int4, chunk_rows pg_catalog.int4,
    partition_interval pg_catalog.interval, time_column pg_catalog.name,
    bloom_columns pg_catalog.name[])
RETURNS void
AS 'MODULE_PATHNAME', 'cocoon_write_options'
LANGUAGE C VOLATILE;

CREATE OR REPLACE VIEW cocoon.table_options AS
SELECT c.oid::pg_catalog.regclass AS relid,
       COALESCE(o.compression, pg_catalog.current_setting('cocoon.compression', true), 'zstd') AS compression,
       COALESCE(o.compression_level, pg_catalog.current_setting('cocoon.compression_level', true)::pg_catalog.int4, 3) AS compression_level,
       COALESCE(o.stripe_rows, pg_catalog.current_setting('cocoon.stripe_rows', true)::pg_catalog.int4, 150000) AS stripe_rows,
       COALESCE(o.chunk_rows, pg_catalog.current_setting('cocoon.chunk_rows', true)::pg_catalog.int4, 10000) AS chunk_rows,
       COALESCE(o.partition_interval, pg_catalog.current_setting('cocoon.partition_interval', true)::pg_catalog.interval, interval '1 day') AS partition_interval,
       COALESCE(NULLIF(o.time_column, ''),
                CASE WHEN o.time_column = '' THEN NULL ELSE
                (SELECT a.attname FROM pg_catalog.pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.atttypid IN ('pg_catalog.timestamptz'::pg_catalog.regtype, 'pg_catalog.timestamp'::pg_catalog.regtype)
                  ORDER BY a.attnum LIMIT 1) END) AS time_column,
       o.relid IS NOT NULL AS has_table_options,
       COALESCE(o.bloom_columns,
                ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a
                        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                       WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                         AND COALESCE(NULLIF(t.typbasetype, 0), t.oid) IN
                             ('pg_catalog.text'::pg_catalog.regtype, 'pg_catalog.varchar'::pg_catalog.regtype,
                              'pg_catalog.uuid'::pg_catalog.regtype, 'pg_catalog.jsonb'::pg_catalog.regtype,
                              'pg_catalog.inet'::pg_catalog.regtype, 'pg_catalog.cidr'::pg_catalog.regtype)
                       ORDER BY a.attnum)) AS bloom_columns
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_am am ON am.oid = c.relam AND am.amname = 'cocoon'
  LEFT JOIN cocoon.options o ON o.relid = c.oid
 WHERE c.relkind IN ('r', 'm');
