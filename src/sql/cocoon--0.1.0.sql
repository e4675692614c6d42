/* src/sql/cocoon--0.1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION cocoon" to load this file. \quit

-- Every object is schema-qualified and every function pins its search_path,
-- so a hostile search_path at CREATE EXTENSION or call time changes nothing.

CREATE FUNCTION cocoon.cocoon_tableam_handler(internal)
RETURNS pg_catalog.table_am_handler
AS 'MODULE_PATHNAME', 'cocoon_tableam_handler'
LANGUAGE C STRICT;

CREATE ACCESS METHOD cocoon TYPE TABLE HANDLER cocoon.cocoon_tableam_handler;
COMMENT ON ACCESS METHOD cocoon IS 'columnar, compressed, time-partitioned storage for log data';

-- Storage ids: one per relation file, written into its metapage.
CREATE SEQUENCE cocoon.storage_id_seq;

-- The stripe directory.  Every column is NOT NULL and fixed-width: rows are
-- completed in place when their stripe is written (see src/meta.c).
CREATE TABLE cocoon.stripe (
    storage_id  pg_catalog.int8 NOT NULL,
    stripe_id   pg_catalog.int8 NOT NULL,
    first_row   pg_catalog.int8 NOT NULL,
    row_count   pg_catalog.int8 NOT NULL,
    data_offset pg_catalog.int8 NOT NULL,
    data_length pg_catalog.int8 NOT NULL,
    part_key    pg_catalog.int8 NOT NULL,
    min_ts      pg_catalog.int8 NOT NULL,
    max_ts      pg_catalog.int8 NOT NULL,
    has_ts      pg_catalog.bool NOT NULL,
    raw_bytes   pg_catalog.int8 NOT NULL,
    CONSTRAINT stripe_pkey PRIMARY KEY (storage_id, first_row)
);
REVOKE ALL ON cocoon.stripe FROM PUBLIC;
REVOKE ALL ON SEQUENCE cocoon.storage_id_seq FROM PUBLIC;

-- Per-table options; NULL means "the cocoon.* setting in force".  Dumped by
-- pg_dump (extension configuration table), keyed by regclass so that a
-- restore maps the rows to the restored tables.
CREATE TABLE cocoon.options (
    relid              pg_catalog.regclass PRIMARY KEY,
    compression        pg_catalog.text,
    compression_level  pg_catalog.int4,
    stripe_rows        pg_catalog.int4,
    chunk_rows         pg_catalog.int4,
    partition_interval pg_catalog.interval,
    time_column        pg_catalog.name
);
SELECT pg_catalog.pg_extension_config_dump('cocoon.options', '');
GRANT SELECT ON cocoon.options TO PUBLIC;

CREATE FUNCTION cocoon.set_options(
    tbl pg_catalog.regclass,
    compression pg_catalog.text DEFAULT NULL,
    compression_level pg_catalog.int4 DEFAULT NULL,
    stripe_rows pg_catalog.int4 DEFAULT NULL,
    chunk_rows pg_catalog.int4 DEFAULT NULL,
    partition_interval pg_catalog.interval DEFAULT NULL,
    time_column pg_catalog.name DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    am pg_catalog.name;
    owner pg_catalog.oid;
    typ pg_catalog.oid;
BEGIN
    SELECT a.amname, c.relowner INTO am, owner
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_am a ON a.oid = c.relam
     WHERE c.oid = tbl;
    IF am IS DISTINCT FROM 'cocoon' THEN
        RAISE EXCEPTION '"%" is not a cocoon table', tbl
          USING ERRCODE = 'wrong_object_type',
                HINT = 'Create it with CREATE TABLE ... USING cocoon.';
    END IF;
    IF NOT pg_catalog.pg_has_role(owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', tbl
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
    INSERT INTO cocoon.options AS o (relid, compression, compression_level, stripe_rows,
                                     chunk_rows, partition_interval, time_column)
    VALUES (tbl, compression, compression_level, stripe_rows, chunk_rows,
            partition_interval, time_column)
    ON CONFLICT (relid) DO UPDATE SET
        compression = COALESCE(EXCLUDED.compression, o.compression),
        compression_level = COALESCE(EXCLUDED.compression_level, o.compression_level),
        stripe_rows = COALESCE(EXCLUDED.stripe_rows, o.stripe_rows),
        chunk_rows = COALESCE(EXCLUDED.chunk_rows, o.chunk_rows),
        partition_interval = COALESCE(EXCLUDED.partition_interval, o.partition_interval),
        time_column = COALESCE(EXCLUDED.time_column, o.time_column);
END;
$fn$;
REVOKE ALL ON cocoon.options FROM PUBLIC;
GRANT SELECT ON cocoon.options TO PUBLIC;

CREATE FUNCTION cocoon.reset_options(tbl pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT pg_catalog.pg_has_role((SELECT relowner FROM pg_catalog.pg_class WHERE oid = tbl), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', tbl
          USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM cocoon.options WHERE relid = tbl;
END;
$fn$;

-- set_options writes cocoon.options as its caller: owners need the rights,
-- which the functions check themselves, so they run as the extension owner.
ALTER FUNCTION cocoon.set_options(pg_catalog.regclass, pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4, pg_catalog.interval, pg_catalog.name) SECURITY DEFINER;
ALTER FUNCTION cocoon.reset_options(pg_catalog.regclass) SECURITY DEFINER;

-- Effective options of every cocoon table.
CREATE VIEW cocoon.table_options AS
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
       o.relid IS NOT NULL AS has_table_options
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_am am ON am.oid = c.relam AND am.amname = 'cocoon'
  LEFT JOIN cocoon.options o ON o.relid = c.oid
 WHERE c.relkind IN ('r', 'm');
GRANT SELECT ON cocoon.table_options TO PUBLIC;

CREATE FUNCTION cocoon.stats(tbl pg_catalog.regclass,
    OUT row_count pg_catalog.int8,
    OUT stripes pg_catalog.int8,
    OUT chunks pg_catalog.int8,
    OUT raw_bytes pg_catalog.int8,
    OUT data_bytes pg_catalog.int8,
    OUT metadata_bytes pg_catalog.int8,
    OUT stored_bytes pg_catalog.int8,
    OUT compression_ratio pg_catalog.float8,
    OUT pending_rows pg_catalog.int8)
RETURNS record
AS 'MODULE_PATHNAME', 'cocoon_stats'
LANGUAGE C STRICT STABLE;

CREATE FUNCTION cocoon.column_stats(tbl pg_catalog.regclass,
    OUT attnum pg_catalog.int2,
    OUT attname pg_catalog.text,
    OUT codecs pg_catalog.text,
    OUT compression pg_catalog.text,
    OUT chunks pg_catalog.int8,
    OUT null_count pg_catalog.int8,
    OUT encoded_bytes pg_catalog.int8,
    OUT stored_bytes pg_catalog.int8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'cocoon_column_stats'
LANGUAGE C STRICT STABLE;

CREATE FUNCTION cocoon.verify(tbl pg_catalog.regclass,
    OUT stripe_id pg_catalog.int8,
    OUT attnum pg_catalog.int4,
    OUT chunk pg_catalog.int4,
    OUT problem pg_catalog.text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'cocoon_verify'
LANGUAGE C STRICT VOLATILE;

-- Loading the module before a DROP lets its object-access hook remove the
-- dropped tables' directory rows in the same transaction.
CREATE FUNCTION cocoon.load_drop_hook()
RETURNS pg_catalog.event_trigger
AS 'MODULE_PATHNAME', 'cocoon_load_drop_hook'
LANGUAGE C;

CREATE EVENT TRIGGER cocoon_load_drop_hook ON ddl_command_start
    WHEN TAG IN ('DROP TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP MATERIALIZED VIEW')
    EXECUTE FUNCTION cocoon.load_drop_hook();

-- Delete vectors: one row per deleted row of a stripe.  A row is gone for a
-- snapshot exactly when its row here is visible to it (heap MVCC again).
-- updated: the row was deleted by an UPDATE (a concurrent updater of the
-- same row then fails with a serialization error instead of skipping it).
CREATE TABLE cocoon.deleted (
    storage_id  pg_catalog.int8 NOT NULL,
    row_number  pg_catalog.int8 NOT NULL,
    updated     pg_catalog.bool NOT NULL,
    CONSTRAINT deleted_pkey PRIMARY KEY (storage_id, row_number)
);
REVOKE ALL ON cocoon.deleted FROM PUBLIC;
