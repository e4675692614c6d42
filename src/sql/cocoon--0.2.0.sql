/* src/sql/cocoon--0.2.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
-- (cocoon's own tables are heap tables whatever default_table_access_method says)
\echo Use "CREATE EXTENSION cocoon" to load this file. \quit

-- Every object is schema-qualified and every function pins its search_path,
-- so a hostile search_path at CREATE EXTENSION or call time changes nothing.

GRANT USAGE ON SCHEMA cocoon TO PUBLIC;

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
) USING heap;
-- part_key (the start time of the stripe's time partition) is set when the
-- row is inserted and never changes, so it may be indexed: time-range
-- lookups read only the stripes of the partitions they need.
CREATE INDEX stripe_part_idx ON cocoon.stripe (storage_id, part_key);
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
    time_column        pg_catalog.name,
    bloom_columns      pg_catalog.name[]   -- NULL: the text, varchar, uuid, jsonb, inet and cidr columns
) USING heap;
SELECT pg_catalog.pg_extension_config_dump('cocoon.options', '');
GRANT SELECT ON cocoon.options TO PUBLIC;
-- Backends cache each table's options (src/cocoon.c); any change of a row,
-- however made (set_options, a restore, plain DML), invalidates the table's
-- relcache entry and with it the cached options.
CREATE FUNCTION cocoon.options_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'cocoon_options_changed'
LANGUAGE C;
CREATE TRIGGER options_changed AFTER INSERT OR UPDATE OR DELETE ON cocoon.options
    FOR EACH ROW EXECUTE FUNCTION cocoon.options_changed();

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
REVOKE ALL ON cocoon.options FROM PUBLIC;
GRANT SELECT ON cocoon.options TO PUBLIC;

CREATE FUNCTION cocoon.reset_options(tbl pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT pg_catalog.pg_has_role((SELECT relowner FROM pg_catalog.pg_class WHERE oid = tbl), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = tbl)
          USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM cocoon.delete_options(tbl);
END;
$fn$;

-- set_options and reset_options run as their caller and check that it owns
-- the table; the write itself goes through a C function that checks the
-- caller's ownership again and then writes as the extension's owner.
CREATE FUNCTION cocoon.write_options(tbl pg_catalog.regclass, compression pg_catalog.text,
    compression_level pg_catalog.int4, stripe_rows pg_catalog.int4, chunk_rows pg_catalog.int4,
    partition_interval pg_catalog.interval, time_column pg_catalog.name,
    bloom_columns pg_catalog.name[])
RETURNS void
AS 'MODULE_PATHNAME', 'cocoon_write_options'
LANGUAGE C VOLATILE;
CREATE FUNCTION cocoon.delete_options(tbl pg_catalog.regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'cocoon_delete_options'
LANGUAGE C STRICT VOLATILE;

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
    OUT pending_rows pg_catalog.int8,
    OUT dead_rows pg_catalog.int8,
    OUT reclaimable_bytes pg_catalog.int8,
    OUT free_bytes pg_catalog.int8,
    OUT reclaimed_bytes pg_catalog.int8,
    OUT last_compaction pg_catalog.timestamptz,
    OUT last_vacuum pg_catalog.timestamptz)
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

-- Logical replication cannot carry cocoon tables: their rows are written as
-- generic WAL records, which logical decoding skips, so a subscriber would
-- silently receive none of them.  A publication that names a cocoon table
-- (directly, through a schema or as a partition) is refused; one FOR ALL
-- TABLES gets a WARNING for each cocoon table it covers.  Checked when a
-- publication is created or altered and when a table is created or altered
-- (a cocoon table created in a published schema, SET ACCESS METHOD cocoon,
-- ATTACH PARTITION).
CREATE FUNCTION cocoon.check_publications()
RETURNS pg_catalog.event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    am oid;
    pubcmd boolean := TG_TAG IN ('CREATE PUBLICATION', 'ALTER PUBLICATION');
    r record;
BEGIN
    SELECT a.oid INTO am FROM pg_catalog.pg_am a WHERE a.amname = 'cocoon';
    IF am IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_publication) THEN
        RETURN;
    END IF;
    FOR r IN
        WITH cmd AS (SELECT * FROM pg_catalog.pg_event_trigger_ddl_commands()),
        touched AS (
            -- relations the command created or altered, with their
            -- partitions (ATTACH PARTITION reports the parent)
            SELECT objid AS relid FROM cmd
             WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass
            UNION
            SELECT pt.relid::pg_catalog.oid
              FROM cmd CROSS JOIN LATERAL pg_catalog.pg_partition_tree(cmd.objid) pt
             WHERE cmd.classid = 'pg_catalog.pg_class'::pg_catalog.regclass),
        member AS (
            -- every relation a publication covers, partitions included
            SELECT p.oid AS pubid, p.pubname, p.puballtables, m.relid
              FROM pg_catalog.pg_publication p
              CROSS JOIN LATERAL pg_catalog.pg_get_publication_tables(p.pubname::pg_catalog.text) t
              CROSS JOIN LATERAL (SELECT t.relid
                                  UNION
                                  SELECT pt.relid::pg_catalog.oid
                                    FROM pg_catalog.pg_partition_tree(t.relid) pt) m)
        SELECT DISTINCT m.pubname, m.puballtables, m.relid::pg_catalog.regclass AS rel
          FROM member m
          JOIN pg_catalog.pg_class c ON c.oid = m.relid
         WHERE c.relam = am
           AND CASE WHEN pubcmd
                    THEN NOT m.puballtables
                         OR m.pubid IN (SELECT objid FROM cmd
                                         WHERE classid = 'pg_catalog.pg_publication'::pg_catalog.regclass)
                    ELSE m.relid IN (SELECT relid FROM touched)
               END
         ORDER BY 1, 3
    LOOP
        IF r.puballtables THEN
            RAISE WARNING 'publication "%" does not replicate the rows of cocoon table %', r.pubname, r.rel
                USING DETAIL = 'Logical decoding skips the generic WAL records that cocoon tables are written with.',
                      HINT = 'Use streaming (physical) replication for cocoon tables.';
        ELSE
            RAISE EXCEPTION 'cocoon table % cannot be published for logical replication', r.rel
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = pg_catalog.format('Publication "%s" would include it, but logical decoding skips the generic WAL records that cocoon tables are written with.', r.pubname),
                      HINT = 'Leave cocoon tables out of publications and replicate them with streaming (physical) replication.';
        END IF;
    END LOOP;
END
$$;

CREATE EVENT TRIGGER cocoon_check_publications ON ddl_command_end
    WHEN TAG IN ('CREATE PUBLICATION', 'ALTER PUBLICATION', 'CREATE TABLE',
                 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE')
    EXECUTE FUNCTION cocoon.check_publications();

-- Delete vectors: one row per deleted row of a stripe.  A row is gone for a
-- snapshot exactly when its row here is visible to it (heap MVCC again).
-- updated: the row was deleted by an UPDATE (a concurrent updater of the
-- same row then fails with a serialization error instead of skipping it).
CREATE TABLE cocoon.deleted (
    storage_id  pg_catalog.int8 NOT NULL,
    row_number  pg_catalog.int8 NOT NULL,
    updated     pg_catalog.bool NOT NULL,
    CONSTRAINT deleted_pkey PRIMARY KEY (storage_id, row_number)
) USING heap;
REVOKE ALL ON cocoon.deleted FROM PUBLIC;

-- ------------------------------------------------------------------------
-- Retention
-- ------------------------------------------------------------------------

CREATE FUNCTION cocoon.drop_before_table(tbl pg_catalog.regclass, cutoff pg_catalog.timestamptz)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'cocoon_drop_before'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION cocoon.time_range(tbl pg_catalog.regclass,
    OUT oldest pg_catalog.timestamptz,
    OUT newest pg_catalog.timestamptz,
    OUT row_count pg_catalog.int8)
RETURNS record
AS 'MODULE_PATHNAME', 'cocoon_time_range'
LANGUAGE C STRICT STABLE;

-- Remove every row whose time column is older than cutoff.  On a
-- partitioned table, partitions holding only older rows are dropped and the
-- others trimmed.  Returns the number of rows removed.
CREATE FUNCTION cocoon.drop_before(tbl pg_catalog.regclass, cutoff pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kind pg_catalog."char";
    part pg_catalog.regclass;
    removed pg_catalog.int8 := 0;
    n pg_catalog.int8;
    nulls pg_catalog.int8;
    r record;
    tcol pg_catalog.name;
BEGIN
    SELECT c.relkind INTO kind FROM pg_catalog.pg_class c WHERE c.oid = tbl;
    IF kind IS DISTINCT FROM 'p' THEN
        RETURN cocoon.drop_before_table(tbl, cutoff);
    END IF;
    IF NOT pg_catalog.has_table_privilege(tbl, 'DELETE') THEN
        RAISE EXCEPTION 'permission denied for table %', (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = tbl)
          USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF pg_catalog.row_security_active(tbl) THEN
        RAISE EXCEPTION 'cocoon.drop_before cannot apply the row-level security policies of "%"',
                        (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = tbl)
          USING ERRCODE = 'feature_not_supported',
                HINT = 'Use DELETE FROM ... WHERE time_column < cutoff, which applies them.';
    END IF;
    FOR part IN SELECT t.relid FROM pg_catalog.pg_partition_tree(tbl) t WHERE t.isleaf LOOP
        IF NOT EXISTS (SELECT 1 FROM cocoon.table_options o WHERE o.relid = part) THEN
            RAISE EXCEPTION 'partition % of % is not a cocoon table', part, tbl
              USING ERRCODE = 'wrong_object_type',
                    HINT = 'Use DELETE ... WHERE time_column < cutoff on partitioned tables that mix access methods.';
        END IF;
        SELECT * INTO r FROM cocoon.time_range(part);
        SELECT o.time_column INTO tcol FROM cocoon.table_options o WHERE o.relid = part;
        -- whole partitions go only for their owner (DROP needs ownership)
        IF r.newest IS NOT NULL AND r.newest < cutoff AND tcol IS NOT NULL
           AND pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = part), 'USAGE') THEN
            EXECUTE pg_catalog.format('SELECT count(*) FILTER (WHERE %I IS NULL), count(*) FROM %s',
                                      tcol, part) INTO nulls, n;
            IF nulls = 0 THEN
                EXECUTE pg_catalog.format('DROP TABLE %s', part);
                removed := removed + n;
                CONTINUE;
            END IF;
        END IF;
        removed := removed + cocoon.drop_before_table(part, cutoff);
    END LOOP;
    RETURN removed;
END;
$fn$;

-- Retention policies run by pg_cron.
CREATE TABLE cocoon.retention_policy (
    relid     pg_catalog.regclass PRIMARY KEY,
    keep      pg_catalog.interval NOT NULL,
    schedule  pg_catalog.text NOT NULL,
    jobid     pg_catalog.int8,
    created   pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;
SELECT pg_catalog.pg_extension_config_dump('cocoon.retention_policy', '');
REVOKE ALL ON cocoon.retention_policy FROM PUBLIC;
GRANT SELECT ON cocoon.retention_policy TO PUBLIC;

CREATE FUNCTION cocoon.check_pg_cron()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        RAISE EXCEPTION 'retention policies need the pg_cron extension'
          USING ERRCODE = 'undefined_object',
                DETAIL = 'pg_cron is not installed in this database.',
                HINT = 'Install postgresql-15-cron, set shared_preload_libraries = ''pg_cron'' and cron.database_name in postgresql.conf, restart, then CREATE EXTENSION pg_cron. Or call cocoon.drop_before() from your own scheduler.';
    END IF;
END;
$fn$;

CREATE FUNCTION cocoon.schedule_retention(tbl pg_catalog.regclass, keep pg_catalog.interval,
                                         schedule pg_catalog.text)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'cocoon_schedule_retention'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION cocoon.unschedule_retention(tbl pg_catalog.regclass)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'cocoon_unschedule_retention'
LANGUAGE C STRICT VOLATILE;

-- Register (or replace) a pg_cron job that keeps `keep` of tbl's data.
-- The caller must own tbl; the job runs as tbl's owner.
CREATE FUNCTION cocoon.add_retention_policy(tbl pg_catalog.regclass, keep pg_catalog.interval,
                                            schedule pg_catalog.text DEFAULT '@daily')
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = tbl) THEN
        RAISE EXCEPTION 'relation with OID % does not exist', tbl::pg_catalog.oid USING ERRCODE = 'undefined_table';
    END IF;
    IF NOT pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = tbl), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = tbl) USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF keep IS NULL OR keep <= interval '0' THEN
        RAISE EXCEPTION 'invalid value for retention "keep": %', keep
          USING ERRCODE = 'invalid_parameter_value', DETAIL = 'It must be a positive interval.';
    END IF;
    PERFORM cocoon.check_pg_cron();
    RETURN cocoon.schedule_retention(tbl, keep, schedule);
END;
$fn$;

CREATE FUNCTION cocoon.remove_retention_policy(tbl pg_catalog.regclass)
RETURNS pg_catalog.bool
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = tbl), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = tbl) USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM cocoon.check_pg_cron();
    RETURN cocoon.unschedule_retention(tbl);
END;
$fn$;

CREATE FUNCTION cocoon.retention_policy_status(
    OUT relid pg_catalog.regclass, OUT keep pg_catalog.interval, OUT schedule pg_catalog.text,
    OUT jobid pg_catalog.int8, OUT last_start pg_catalog.timestamptz,
    OUT last_end pg_catalog.timestamptz, OUT last_status pg_catalog.text,
    OUT last_message pg_catalog.text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        RETURN QUERY EXECUTE
          'SELECT p.relid, p.keep, p.schedule, p.jobid, d.start_time, d.end_time, d.status, d.return_message
             FROM cocoon.retention_policy p
             LEFT JOIN LATERAL (SELECT r.start_time, r.end_time, r.status, r.return_message
                                  FROM cron.job_run_details r WHERE r.jobid = p.jobid
                                 ORDER BY r.start_time DESC LIMIT 1) d ON true';
    ELSE
        RETURN QUERY SELECT p.relid, p.keep, p.schedule, p.jobid, NULL::pg_catalog.timestamptz,
                            NULL::pg_catalog.timestamptz, NULL::pg_catalog.text, NULL::pg_catalog.text
                       FROM cocoon.retention_policy p;
    END IF;
END;
$fn$;

CREATE VIEW cocoon.retention_policies AS SELECT * FROM cocoon.retention_policy_status();
GRANT SELECT ON cocoon.retention_policies TO PUBLIC;

-- Stripes removed by compaction or retention, waiting until no snapshot can
-- see them; VACUUM then frees their bytes and index entries (src/vacuum.c).
CREATE TABLE cocoon.garbage (
    storage_id  pg_catalog.int8 NOT NULL,
    first_row   pg_catalog.int8 NOT NULL,
    row_count   pg_catalog.int8 NOT NULL,
    data_offset pg_catalog.int8 NOT NULL,
    data_length pg_catalog.int8 NOT NULL,
    CONSTRAINT garbage_pkey PRIMARY KEY (storage_id, first_row)
) USING heap;
REVOKE ALL ON cocoon.garbage FROM PUBLIC;

CREATE FUNCTION cocoon.compact(tbl pg_catalog.regclass,
    OUT stripes_before pg_catalog.int8,
    OUT stripes_after pg_catalog.int8,
    OUT rows_moved pg_catalog.int8,
    OUT rows_dropped pg_catalog.int8)
RETURNS record
AS 'MODULE_PATHNAME', 'cocoon_compact'
LANGUAGE C STRICT VOLATILE;

-- ------------------------------------------------------------------------
-- Operator views
-- ------------------------------------------------------------------------

-- Every cocoon table the caller may read.
CREATE VIEW cocoon.tables AS
SELECT c.oid::pg_catalog.regclass AS relid,
       n.nspname AS schema_name,
       c.relname AS table_name,
       s.row_count, s.stripes, s.raw_bytes, s.stored_bytes, s.compression_ratio,
       s.dead_rows, s.reclaimable_bytes, s.pending_rows,
       t.oldest, t.newest, s.last_compaction, s.last_vacuum
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_am am ON am.oid = c.relam AND am.amname = 'cocoon'
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL cocoon.stats(c.oid) s
 CROSS JOIN LATERAL cocoon.time_range(c.oid) t
 WHERE c.relkind IN ('r', 'm')
   AND c.relpersistence <> 't'
   AND pg_catalog.has_table_privilege(c.oid, 'SELECT');
GRANT SELECT ON cocoon.tables TO PUBLIC;
