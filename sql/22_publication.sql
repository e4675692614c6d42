--
-- 22_publication: cocoon tables are written with generic WAL, which logical
-- decoding skips, so a publication that would include one is refused (a
-- subscriber would silently receive none of its rows); a publication FOR
-- ALL TABLES gets a WARNING per cocoon table.  Streaming replication carries
-- cocoon tables (TAP 003).
--
\set VERBOSITY default
-- a database of its own: FOR ALL TABLES warns about every cocoon table in it
\set regdb :DBNAME
CREATE DATABASE cocoon_pub_test;
\c cocoon_pub_test
SET client_min_messages = warning;
CREATE EXTENSION cocoon;
CREATE TABLE pub_h (a int, ts timestamptz);
CREATE TABLE pub_c (a int, ts timestamptz) USING cocoon;
-- directly, by ADD and by SET
CREATE PUBLICATION pub_1 FOR TABLE pub_h;
CREATE PUBLICATION pub_2 FOR TABLE pub_c;
CREATE PUBLICATION pub_2 FOR TABLE pub_h, pub_c;
ALTER PUBLICATION pub_1 ADD TABLE pub_c;
ALTER PUBLICATION pub_1 SET TABLE pub_h, pub_c;
SELECT pubname, tablename FROM pg_publication_tables WHERE pubname LIKE 'pub\_%' ORDER BY 1, 2;
-- through a schema: when the publication is made, and when a cocoon table
-- is created in (or converted in) a published schema
CREATE SCHEMA pub_s1;
CREATE TABLE pub_s1.c (a int) USING cocoon;
CREATE PUBLICATION pub_3 FOR TABLES IN SCHEMA pub_s1;
CREATE SCHEMA pub_s2;
CREATE PUBLICATION pub_4 FOR TABLES IN SCHEMA pub_s2;
CREATE TABLE pub_s2.heap_ok (a int);
CREATE TABLE pub_s2.c (a int) USING cocoon;
CREATE TABLE pub_s2.ctas USING cocoon AS SELECT 1 AS a;
SET default_table_access_method = cocoon;
CREATE TABLE pub_s2.by_default (a int);
SELECT 1 AS a INTO pub_s2.select_into;
RESET default_table_access_method;
ALTER TABLE pub_s2.heap_ok SET ACCESS METHOD cocoon;
SELECT pubname, schemaname, tablename FROM pg_publication_tables WHERE pubname LIKE 'pub\_%' ORDER BY 1, 2, 3;
-- partitions: created in, or attached to, a published partitioned table
CREATE TABLE pub_part (ts timestamptz, a int) PARTITION BY RANGE (ts);
CREATE PUBLICATION pub_5 FOR TABLE pub_part WITH (publish_via_partition_root);
CREATE TABLE pub_part_h PARTITION OF pub_part FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE pub_part_c PARTITION OF pub_part FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') USING cocoon;
CREATE TABLE pub_loose (ts timestamptz, a int) USING cocoon;
ALTER TABLE pub_part ATTACH PARTITION pub_loose FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE pub_sub (ts timestamptz, a int) PARTITION BY RANGE (ts);
CREATE TABLE pub_sub_c PARTITION OF pub_sub FOR VALUES FROM ('2025-01-01') TO ('2025-06-01') USING cocoon;
ALTER TABLE pub_part ATTACH PARTITION pub_sub FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- a cocoon partition that exists first makes the publication fail
CREATE TABLE pub_part2 (ts timestamptz, a int) PARTITION BY RANGE (ts);
CREATE TABLE pub_part2_c PARTITION OF pub_part2 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') USING cocoon;
CREATE PUBLICATION pub_6 FOR TABLE pub_part2;
-- converted back to heap, the table may be published
ALTER TABLE pub_c SET ACCESS METHOD heap;
ALTER PUBLICATION pub_1 ADD TABLE pub_c;
ALTER TABLE pub_c SET ACCESS METHOD cocoon;
ALTER PUBLICATION pub_1 DROP TABLE pub_c;
ALTER TABLE pub_c SET ACCESS METHOD cocoon;
-- FOR ALL TABLES: allowed, with a WARNING per cocoon table it covers, when
-- it is made and when a cocoon table is created; heap tables stay silent
CREATE PUBLICATION pub_all FOR ALL TABLES;
CREATE TABLE pub_after_all (a int) USING cocoon;
CREATE TABLE pub_after_all_h (a int);
ALTER TABLE pub_h ADD COLUMN b int;
DROP PUBLICATION pub_all;
-- without publications, DDL pays nothing and warns nothing
DROP PUBLICATION pub_1, pub_4, pub_5;
CREATE TABLE pub_quiet (a int) USING cocoon;
SELECT count(*) AS publications_left FROM pg_publication WHERE pubname LIKE 'pub\_%';
DROP TABLE pub_h, pub_c, pub_part, pub_part2, pub_loose, pub_sub, pub_after_all, pub_after_all_h, pub_quiet;
DROP SCHEMA pub_s1, pub_s2 CASCADE;
\c :regdb
DROP DATABASE cocoon_pub_test;
