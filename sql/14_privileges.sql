--
-- 14_privileges: every cocoon.* function checks the caller's rights on the
-- table as PostgreSQL's own commands do; the install script pins
-- search_path; row-level security holds under CocoonScan (serial,
-- parallel, index scans) and pruning never shows rows to a leaky function.
--
CREATE TABLE priv_c (ts timestamptz, tenant_id text, secret text, n int) USING cocoon;
INSERT INTO priv_c SELECT timestamptz '2024-02-01 00:00+00' + g * interval '1 minute',
                          'tenant_' || (g % 3), 'secret ' || g, g
  FROM generate_series(1, 300) g;
CREATE ROLE priv_user;
\set VERBOSITY sqlstate

-- without any grant
SET ROLE priv_user;
SELECT * FROM cocoon.stats('priv_c');
SELECT * FROM cocoon.column_stats('priv_c');
SELECT * FROM cocoon.verify('priv_c');
SELECT * FROM cocoon.time_range('priv_c');
SELECT * FROM cocoon.compact('priv_c');
SELECT cocoon.drop_before('priv_c', '2024-01-01');
SELECT cocoon.set_options('priv_c', chunk_rows => 100);
SELECT cocoon.reset_options('priv_c');
SELECT cocoon.add_retention_policy('priv_c', '30 days');
SELECT cocoon.remove_retention_policy('priv_c');
-- cocoon's own tables are not writable, and the directory is not readable
SELECT count(*) FROM cocoon.stripe;
SELECT count(*) FROM cocoon.deleted;
SELECT count(*) FROM cocoon.garbage;
INSERT INTO cocoon.options (relid, chunk_rows) VALUES ('priv_c', 100);
DELETE FROM cocoon.options;
SELECT cocoon.write_options('priv_c', NULL, NULL, NULL, 100, NULL, NULL, NULL);
SELECT cocoon.delete_options('priv_c');
SELECT cocoon.drop_before_table('priv_c', '2024-01-01');
SELECT cocoon.schedule_retention('priv_c', '1 day', '@daily');
SELECT cocoon.unschedule_retention('priv_c');
-- what everyone may read
SELECT relid, chunk_rows FROM cocoon.table_options WHERE relid = 'priv_c'::regclass;
SELECT count(*) FROM cocoon.retention_policies;
RESET ROLE;

-- SELECT is enough for the read-only functions, and only for them
GRANT SELECT ON priv_c TO priv_user;
SET ROLE priv_user;
SELECT row_count FROM cocoon.stats('priv_c');
SELECT count(*) > 0 AS has_columns FROM cocoon.column_stats('priv_c');
SELECT count(*) AS problems FROM cocoon.verify('priv_c');
SELECT row_count FROM cocoon.time_range('priv_c');
SELECT cocoon.drop_before('priv_c', '2024-01-01');
SELECT * FROM cocoon.compact('priv_c');
SELECT cocoon.set_options('priv_c', chunk_rows => 100);
RESET ROLE;
-- column-level SELECT is not table SELECT
REVOKE SELECT ON priv_c FROM priv_user;
GRANT SELECT (ts) ON priv_c TO priv_user;
SET ROLE priv_user;
SELECT row_count FROM cocoon.stats('priv_c');
RESET ROLE;
REVOKE SELECT (ts) ON priv_c FROM priv_user;

-- DELETE is enough for drop_before
GRANT DELETE ON priv_c TO priv_user;
SET ROLE priv_user;
SELECT cocoon.drop_before('priv_c', '2024-02-01 00:10+00');
SELECT * FROM cocoon.stats('priv_c');
SELECT * FROM cocoon.compact('priv_c');
RESET ROLE;
SELECT count(*) FROM priv_c;

-- ownership (direct or through role membership) for the rest
CREATE ROLE priv_owner;
ALTER TABLE priv_c OWNER TO priv_owner;
GRANT priv_owner TO priv_user;
SET ROLE priv_user;
SELECT stripes_after FROM cocoon.compact('priv_c');
SELECT cocoon.set_options('priv_c', chunk_rows => 100);
SELECT relid, chunk_rows FROM cocoon.table_options WHERE relid = 'priv_c'::regclass;
SELECT cocoon.reset_options('priv_c');
SELECT relid, chunk_rows FROM cocoon.table_options WHERE relid = 'priv_c'::regclass;
SELECT cocoon.add_retention_policy('priv_c', '30 days');     -- owner, but no pg_cron
SELECT cocoon.remove_retention_policy('priv_c');
-- the internal write function cannot be used to skip set_options' checks
SELECT cocoon.write_options('priv_c', 'bogus', NULL, NULL, NULL, NULL, NULL, NULL);
SELECT cocoon.write_options('priv_c', NULL, NULL, 1, NULL, NULL, NULL, NULL);
SELECT cocoon.write_options('priv_c', NULL, NULL, NULL, NULL, NULL, 'no_such_column', NULL);
SELECT relid, compression, stripe_rows, time_column, has_table_options
  FROM cocoon.table_options WHERE relid = 'priv_c'::regclass;
RESET ROLE;
REVOKE priv_owner FROM priv_user;
\set VERBOSITY default

--
-- the install script: every function pins search_path or is written in C,
-- none is SECURITY DEFINER, nothing in the schema is writable by PUBLIC
--
SELECT p.oid::regprocedure AS no_search_path
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'cocoon'::regnamespace AND l.lanname <> 'c'
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%');
SELECT p.oid::regprocedure AS security_definer
  FROM pg_proc p WHERE p.pronamespace = 'cocoon'::regnamespace AND p.prosecdef;
SELECT c.oid::regclass AS public_writable
  FROM pg_class c WHERE c.relnamespace = 'cocoon'::regnamespace
   AND (has_table_privilege('public', c.oid, 'INSERT') OR has_table_privilege('public', c.oid, 'UPDATE')
        OR has_table_privilege('public', c.oid, 'DELETE') OR has_table_privilege('public', c.oid, 'TRUNCATE'));
SELECT has_schema_privilege('public', 'cocoon', 'CREATE') AS public_can_create_in_cocoon;
-- a hostile search_path does not change what the functions do
CREATE SCHEMA priv_evil;
CREATE FUNCTION priv_evil.pg_has_role(oid, text) RETURNS bool LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION priv_evil.has_table_privilege(regclass, text) RETURNS bool LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION priv_evil.current_setting(text, bool) RETURNS text LANGUAGE sql AS $$SELECT '1'$$;
GRANT USAGE ON SCHEMA priv_evil TO PUBLIC;
SET search_path = priv_evil, public, pg_catalog;
SET ROLE priv_user;
\set VERBOSITY sqlstate
SELECT cocoon.set_options('priv_c', chunk_rows => 100);
SELECT cocoon.reset_options('priv_c');
\set VERBOSITY default
RESET ROLE;
SELECT cocoon.set_options('priv_c', chunk_rows => 200);
SELECT relid, chunk_rows FROM cocoon.table_options WHERE relid = 'priv_c'::regclass;
SELECT cocoon.reset_options('priv_c');
RESET search_path;
DROP SCHEMA priv_evil CASCADE;

--
-- row-level security under CocoonScan
--
DROP TABLE priv_c;
CREATE TABLE priv_rls (ts timestamptz, tenant_id text, secret text, n int) USING cocoon;
SELECT cocoon.set_options('priv_rls', chunk_rows => 100, stripe_rows => 1000);
INSERT INTO priv_rls SELECT timestamptz '2024-02-01 00:00+00' + g * interval '1 minute',
                            'tenant_' || chr(97 + g % 3), 'secret ' || g, g
  FROM generate_series(1, 3000) g;
CREATE INDEX priv_rls_n ON priv_rls (n);
ANALYZE priv_rls;
ALTER TABLE priv_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY priv_tenant ON priv_rls USING (tenant_id = current_setting('app.tenant'));
GRANT SELECT ON priv_rls TO priv_user;
-- per tenant: what the policy lets through, computed as superuser
CREATE TABLE priv_expect AS
  SELECT tenant_id, count(*) AS n, sum(n) AS s FROM priv_rls GROUP BY 1;
GRANT SELECT ON priv_expect TO priv_user;
CREATE FUNCTION priv_check(label text) RETURNS TABLE (how text, tenant text, ok bool)
LANGUAGE plpgsql AS $$
DECLARE
  t text;
  c bigint;
  s bigint;
  others bigint;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenant_a', 'tenant_b', 'tenant_c', 'nobody'] LOOP
    PERFORM set_config('app.tenant', t, true);
    SELECT count(*), sum(r.n), count(*) FILTER (WHERE r.tenant_id <> t) INTO c, s, others
      FROM priv_rls r WHERE r.ts >= '2024-02-01 00:00+00' AND r.n > 0;
    how := label;
    tenant := t;
    ok := others = 0 AND c = coalesce((SELECT e.n FROM priv_expect e WHERE e.tenant_id = t), 0)
          AND s IS NOT DISTINCT FROM (SELECT e.s FROM priv_expect e WHERE e.tenant_id = t);
    RETURN NEXT;
  END LOOP;
END
$$;
SET ROLE priv_user;
SELECT * FROM priv_check('custom scan');
SET cocoon.enable_custom_scan = off;
SELECT * FROM priv_check('sequential scan');
RESET cocoon.enable_custom_scan;
SET enable_seqscan = off;
SET app.tenant = 'tenant_b';
EXPLAIN (COSTS OFF) SELECT count(*) FROM priv_rls WHERE n BETWEEN 100 AND 200;
SELECT count(*), min(n), max(n) FROM priv_rls WHERE n BETWEEN 100 AND 200;
SELECT * FROM priv_check('index scan');
RESET enable_seqscan;
EXPLAIN (COSTS OFF) SELECT count(*) FROM priv_rls WHERE ts >= '2024-02-01 00:00+00';
SELECT * FROM priv_check('aggregate in the scan');
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET cocoon.enable_aggregate = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM priv_rls WHERE ts >= '2024-02-01 00:00+00';
SELECT * FROM priv_check('parallel custom scan');
SET cocoon.enable_custom_scan = off;
SELECT * FROM priv_check('parallel sequential scan');
RESET cocoon.enable_custom_scan;
RESET cocoon.enable_aggregate;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET ROLE;

-- a leaky function sees only the caller's rows, whatever the scan
CREATE TABLE priv_leak (ts timestamptz, tenant_id text, secret text) USING cocoon;
INSERT INTO priv_leak VALUES
  ('2024-02-01 00:01+00', 'A', 'a-one'), ('2024-02-01 00:02+00', 'B', 'b-one'),
  ('2024-02-01 00:03+00', 'A', 'a-two'), ('2024-02-01 00:04+00', 'B', 'b-two'),
  ('2024-02-01 00:05+00', 'A', 'a-three'), ('2024-02-01 00:06+00', 'B', 'b-three');
ALTER TABLE priv_leak ENABLE ROW LEVEL SECURITY;
CREATE POLICY priv_leak_tenant ON priv_leak USING (tenant_id = current_setting('app.tenant'));
GRANT SELECT ON priv_leak TO priv_user;
CREATE FUNCTION priv_leakfn(text) RETURNS bool LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
  RAISE NOTICE 'saw %', $1;
  RETURN true;
END
$$;
SET ROLE priv_user;
SET app.tenant = 'A';
SELECT secret FROM priv_leak WHERE priv_leakfn(secret) ORDER BY ts;
SELECT count(*) FROM priv_leak WHERE priv_leakfn(secret) AND ts > '2024-02-01 00:02:30+00';
SET cocoon.enable_custom_scan = off;
SELECT secret FROM priv_leak WHERE priv_leakfn(secret) ORDER BY ts;
RESET cocoon.enable_custom_scan;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT count(*) FROM priv_leak WHERE priv_leakfn(secret);
SET cocoon.enable_aggregate = off;
SELECT count(*) FROM priv_leak WHERE priv_leakfn(secret);
RESET cocoon.enable_aggregate;
RESET parallel_leader_participation;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SET app.tenant = 'B';
SELECT secret FROM priv_leak WHERE priv_leakfn(secret) AND secret LIKE '%one%';
RESET app.tenant;
RESET ROLE;

DROP TABLE priv_rls, priv_expect, priv_leak;
DROP FUNCTION priv_check(text);
DROP FUNCTION priv_leakfn(text);
DROP OWNED BY priv_user;
DROP ROLE priv_user;
DROP ROLE priv_owner;
