--
-- 25_bloom_columns: cocoon.set_options(..., bloom_columns => ARRAY[...])
-- chooses the columns whose chunks get bloom filters (default: the text,
-- varchar, uuid, jsonb, inet and cidr columns; '{}': none).  Results never depend on
-- it; only which chunk groups a bloom filter skips.  Also: the 0.1.0 ->
-- 0.2.0 upgrade that added the option.
--
\set VERBOSITY default
SET cocoon.chunk_rows = 1000;
-- chunk groups a query's bloom filters skipped (EXPLAIN ANALYZE)
CREATE FUNCTION bc_bloom_skips(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF line ~ 'Skipped By Bloom' THEN
      RETURN substring(line FROM '(\d+)\s*$')::int;
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
CREATE TABLE bc_heap (ts timestamptz, host text, msg text, n int, u uuid, attrs jsonb);
-- every chunk holds hosts host-0 .. host-96, so min/max cannot skip
-- 'host-50x', which sorts between them and is in one row only
INSERT INTO bc_heap SELECT '2024-01-01'::timestamptz + g * interval '1 s',
       CASE WHEN g = 4321 THEN 'host-50x' ELSE 'host-' || (g * 7919 % 97) END,
       'message ' || g, g, md5(g::text)::uuid, jsonb_build_object('k' || (g % 3), g % 7)
  FROM generate_series(1, 8000) g;
CREATE TABLE bc_default (LIKE bc_heap) USING cocoon;
CREATE TABLE bc_host (LIKE bc_heap) USING cocoon;
CREATE TABLE bc_none (LIKE bc_heap) USING cocoon;
SELECT cocoon.set_options('bc_host', bloom_columns => ARRAY['host']);
SELECT cocoon.set_options('bc_none', bloom_columns => '{}');
SELECT relid, bloom_columns, has_table_options FROM cocoon.table_options
 WHERE relid::text LIKE 'bc\_%' ORDER BY relid::text;
INSERT INTO bc_default SELECT * FROM bc_heap;
INSERT INTO bc_host SELECT * FROM bc_heap;
INSERT INTO bc_none SELECT * FROM bc_heap;
-- the same answers everywhere
SELECT t, count(*), sum(n) FROM (
  SELECT 'heap' t, n FROM bc_heap WHERE host = 'host-50x' OR msg LIKE '%sage 777%' OR u = md5('4242')::uuid
  UNION ALL SELECT 'default', n FROM bc_default WHERE host = 'host-50x' OR msg LIKE '%sage 777%' OR u = md5('4242')::uuid
  UNION ALL SELECT 'host', n FROM bc_host WHERE host = 'host-50x' OR msg LIKE '%sage 777%' OR u = md5('4242')::uuid
  UNION ALL SELECT 'none', n FROM bc_none WHERE host = 'host-50x' OR msg LIKE '%sage 777%' OR u = md5('4242')::uuid
) s GROUP BY t ORDER BY t;
SELECT count(*) FROM bc_host WHERE host = 'host-50x';
SELECT count(*) FROM bc_host WHERE msg LIKE '%sage 777%';
SELECT count(*) FROM bc_host WHERE u = md5('4242')::uuid;
SELECT count(*) FROM bc_host WHERE attrs ? 'k9';
-- which chunk groups bloom filters skip: 8 groups of 1000 rows
SELECT tbl,
       bc_bloom_skips(format('SELECT count(*) FROM %I WHERE host = %L', tbl, 'host-50x')) AS host_eq,
       bc_bloom_skips(format('SELECT count(*) FROM %I WHERE msg LIKE %L', tbl, '%sage 777%')) AS msg_like,
       bc_bloom_skips(format('SELECT count(*) FROM %I WHERE u = %L', tbl, md5('4242')::uuid)) AS uuid_eq,
       bc_bloom_skips(format('SELECT count(*) FROM %I WHERE attrs ? %L', tbl, 'k9')) AS jsonb_key
  FROM unnest(ARRAY['bc_default', 'bc_host', 'bc_none']) tbl;
-- inet and cidr: = and IN test the filters (the same address with another
-- netmask is another value); random addresses leave min/max nothing to skip
CREATE TABLE bc_ip_h (ip inet, net cidr, n int);
INSERT INTO bc_ip_h SELECT ('10.' || (g * 7919 % 256) || '.' || (g * 104729 % 256) || '.' || (g % 256))::inet,
       ('172.' || (g % 16) || '.' || (g * 31 % 256) || '.0/24')::cidr, g
  FROM generate_series(1, 8000) g;
INSERT INTO bc_ip_h VALUES ('10.1.2.3/16', '192.168.7.0/24', 90001), ('2001:db8::1', '2001:db8::/32', 90002);
CREATE TABLE bc_ip (LIKE bc_ip_h) USING cocoon;
INSERT INTO bc_ip SELECT * FROM bc_ip_h;
SELECT relid, bloom_columns FROM cocoon.table_options WHERE relid = 'bc_ip'::regclass;
SELECT 'cocoon' t, n FROM bc_ip WHERE ip = '10.1.2.3/16' UNION ALL
SELECT 'heap', n FROM bc_ip_h WHERE ip = '10.1.2.3/16' UNION ALL
SELECT 'cocoon /32', n FROM bc_ip WHERE ip = '10.1.2.3' UNION ALL
SELECT 'heap /32', n FROM bc_ip_h WHERE ip = '10.1.2.3' UNION ALL
SELECT 'cocoon v6', n FROM bc_ip WHERE ip = '2001:db8::1' UNION ALL
SELECT 'cocoon in', n FROM bc_ip WHERE ip IN ('2001:db8::1', '10.1.2.3/16', '1.1.1.1') UNION ALL
SELECT 'cocoon cidr', n FROM bc_ip WHERE net = '192.168.7.0/24' UNION ALL
SELECT 'cocoon cidr=inet', n FROM bc_ip WHERE net = '2001:db8::/32'::inet
 ORDER BY 1, 2;
SELECT bc_bloom_skips($$SELECT count(*) FROM bc_ip WHERE ip = '10.1.2.3/16'$$) AS ip_eq,
       bc_bloom_skips($$SELECT count(*) FROM bc_ip WHERE ip IN ('2001:db8::1', '1.1.1.1')$$) AS ip_in,
       bc_bloom_skips($$SELECT count(*) FROM bc_ip WHERE net = '192.168.7.0/24'$$) AS cidr_eq;
SELECT count(*) = (SELECT count(*) FROM bc_ip_h WHERE ip << '10.1.0.0/16') AS subnet_same
  FROM bc_ip WHERE ip << '10.1.0.0/16';
DROP TABLE bc_ip, bc_ip_h;
-- a change applies to stripes written afterwards (and to compaction's)
SELECT cocoon.set_options('bc_none', bloom_columns => ARRAY['msg']);
INSERT INTO bc_none SELECT * FROM bc_heap;
SELECT bc_bloom_skips($$SELECT count(*) FROM bc_none WHERE msg LIKE '%sage 777%'$$) AS msg_like_after;
-- reset_options brings the default back
SELECT cocoon.reset_options('bc_none');
SELECT relid, bloom_columns, has_table_options FROM cocoon.table_options WHERE relid = 'bc_none'::regclass;
-- bad values: clear errors, nothing written
SELECT cocoon.set_options('bc_host', bloom_columns => ARRAY['nope']);
SELECT cocoon.set_options('bc_host', bloom_columns => ARRAY['n']);
SELECT cocoon.set_options('bc_host', bloom_columns => ARRAY['ts']);
SELECT cocoon.set_options('bc_host', bloom_columns => ARRAY[NULL]::name[]);
SELECT cocoon.set_options('bc_host', bloom_columns => ARRAY[['host'], ['msg']]::name[]);
SELECT cocoon.write_options('bc_host', NULL, NULL, NULL, NULL, NULL, NULL, ARRAY['n']);
SELECT cocoon.set_options('bc_heap', bloom_columns => ARRAY['host']);
SELECT bloom_columns FROM cocoon.options WHERE relid = 'bc_host'::regclass;
-- a domain over text may have filters
CREATE DOMAIN bc_hostname AS text CHECK (VALUE <> '');
CREATE TABLE bc_dom (h bc_hostname, n int) USING cocoon;
SELECT cocoon.set_options('bc_dom', bloom_columns => ARRAY['h']);
INSERT INTO bc_dom SELECT 'h' || g, g FROM generate_series(1, 3000) g;
SELECT count(*), bc_bloom_skips('SELECT count(*) FROM bc_dom WHERE h = ''h77x''') AS skips
  FROM bc_dom WHERE h = 'h77';
-- a renamed column: the option names columns, so it must be set again
ALTER TABLE bc_host RENAME COLUMN host TO hostname;
SELECT relid, bloom_columns FROM cocoon.table_options WHERE relid = 'bc_host'::regclass;
INSERT INTO bc_host SELECT * FROM bc_heap;
SELECT count(*) FROM bc_host WHERE hostname = 'host-50x';
SELECT cocoon.set_options('bc_host', bloom_columns => ARRAY['hostname']);
DROP TABLE bc_heap, bc_default, bc_host, bc_none, bc_dom;
DROP DOMAIN bc_hostname;
DROP FUNCTION bc_bloom_skips(text);
RESET cocoon.chunk_rows;

-- the upgrade from 0.1.0, in a database of its own
\set regdb :DBNAME
CREATE DATABASE cocoon_upgrade_test;
\c cocoon_upgrade_test
SET client_min_messages = warning;
CREATE EXTENSION cocoon VERSION '0.1.0';
CREATE TABLE up (ts timestamptz, host text, n int) USING cocoon;
-- 0.1.0's set_options, served by this build
SELECT cocoon.set_options('up', compression => 'lz4', stripe_rows => 5000);
INSERT INTO up SELECT '2024-01-01'::timestamptz + g * interval '1 s', 'h' || (g % 5), g
  FROM generate_series(1, 6000) g;
ALTER EXTENSION cocoon UPDATE TO '0.2.0';
SELECT extversion FROM pg_extension WHERE extname = 'cocoon';
SELECT relid, compression, stripe_rows, bloom_columns, has_table_options FROM cocoon.table_options;
SELECT cocoon.set_options('up', bloom_columns => '{}');
SELECT relid, compression, stripe_rows, bloom_columns FROM cocoon.table_options;
INSERT INTO up SELECT '2024-01-02'::timestamptz + g * interval '1 s', 'h' || (g % 5), g
  FROM generate_series(1, 6000) g;
SELECT count(*), sum(n), count(DISTINCT host) FROM up;
-- set_options takes bloom_columns after the update
SELECT pg_get_function_identity_arguments('cocoon.set_options'::regproc);
\c :regdb
DROP DATABASE cocoon_upgrade_test;
