--
-- 23_reinstall: a session remembers the OIDs of cocoon's own catalog
-- relations (cocoon.stripe, ...).  Dropping and re-creating the extension,
-- in this session or in another one, must make it forget them: the next
-- INSERT, scan and DELETE use the new catalogs.
--
\set VERBOSITY default
\set regdb :DBNAME
CREATE DATABASE cocoon_reinstall_test;
\c cocoon_reinstall_test
SET client_min_messages = warning;
CREATE EXTENSION cocoon;
CREATE TABLE ri (a int, t text) USING cocoon;
INSERT INTO ri VALUES (1, 'one');
INSERT INTO ri VALUES (2, 'two');
SELECT * FROM ri ORDER BY a;
SELECT 'cocoon.stripe'::regclass::oid AS old_stripe \gset
-- in this session, in one transaction
BEGIN;
DROP EXTENSION cocoon CASCADE;
CREATE EXTENSION cocoon;
CREATE TABLE ri (a int, t text) USING cocoon;
INSERT INTO ri VALUES (3, 'three');
SELECT * FROM ri ORDER BY a;
COMMIT;
SELECT 'cocoon.stripe'::regclass::oid <> :old_stripe AS new_catalogs;
INSERT INTO ri VALUES (4, 'four');
DELETE FROM ri WHERE a = 3;
SELECT * FROM ri ORDER BY a;
SELECT count(*) AS directory_rows FROM cocoon.stripe;
-- in another session, while this one holds the old OIDs
SELECT 'cocoon.stripe'::regclass::oid AS old_stripe \gset
CREATE EXTENSION dblink;
SELECT dblink_connect('ri_other',
  format('host=%s port=%s dbname=%s user=%s',
         split_part(current_setting('unix_socket_directories'), ',', 1),
         current_setting('port'), current_database(), current_user));
SELECT dblink_exec('ri_other', 'SET client_min_messages = warning');
SELECT dblink_exec('ri_other', 'DROP EXTENSION cocoon CASCADE');
SELECT dblink_exec('ri_other', 'CREATE EXTENSION cocoon');
SELECT dblink_exec('ri_other', 'CREATE TABLE ri (a int, t text) USING cocoon');
SELECT dblink_exec('ri_other', 'INSERT INTO ri VALUES (5, ''five'')');
SELECT dblink_disconnect('ri_other');
SELECT 'cocoon.stripe'::regclass::oid <> :old_stripe AS new_catalogs;
INSERT INTO ri VALUES (6, 'six');
SELECT * FROM ri ORDER BY a;
DELETE FROM ri WHERE a = 5;
SELECT * FROM ri ORDER BY a;
VACUUM ri;
SELECT count(*) AS directory_rows FROM cocoon.stripe;
-- without the extension: a clear error, not a stale OID
DROP EXTENSION cocoon CASCADE;
SELECT count(*) FROM pg_am WHERE amname = 'cocoon';
\c :regdb
DROP DATABASE cocoon_reinstall_test;
