--
-- 06_unsupported: unsupported operations fail cleanly with
-- feature_not_supported and a hint; the table stays usable after each
-- error.  Indexes are supported and must agree with heap.
-- (UPDATE and DELETE are supported: see 11_dml.)
--
CREATE TABLE unsup_h (id int, ts timestamptz, msg text);
CREATE TABLE unsup_c (LIKE unsup_h) USING cocoon;
INSERT INTO unsup_h SELECT g, timestamptz '2024-06-01 00:00+00' + g * interval '1 second', 'm' || (g % 100)
  FROM generate_series(1, 5000) g;
INSERT INTO unsup_c SELECT * FROM unsup_h;

-- run a statement, report its SQLSTATE, then check the table still works
CREATE FUNCTION unsup_try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  BEGIN
    EXECUTE stmt;
    RETURN 'no error';
  EXCEPTION WHEN OTHERS THEN
    EXECUTE 'SELECT count(*) FROM unsup_c' INTO n;
    RETURN SQLSTATE || ' ' || SQLERRM || ' (table still has ' || n || ' rows)';
  END;
END
$$;

-- the errors as the user sees them
SELECT * FROM unsup_c WHERE id = 1 FOR UPDATE;
SELECT * FROM unsup_c WHERE id = 1 FOR SHARE;
SELECT * FROM unsup_c WHERE id = 1 FOR NO KEY UPDATE;
SELECT * FROM unsup_c WHERE id = 1 FOR KEY SHARE;
SELECT count(*) FROM unsup_c TABLESAMPLE SYSTEM (10);
SELECT count(*) FROM unsup_c TABLESAMPLE BERNOULLI (10);
CREATE INDEX CONCURRENTLY unsup_c_conc ON unsup_c (id);
-- like any failed CREATE INDEX CONCURRENTLY, it may leave an invalid index behind
SELECT coalesce(bool_and(NOT i.indisvalid), true) AS no_valid_index
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'unsup_c_conc';
DROP INDEX IF EXISTS unsup_c_conc;
-- SQLSTATEs, and the table is usable after each error
SELECT unsup_try('SELECT * FROM unsup_c FOR UPDATE');
SELECT unsup_try('SELECT count(*) FROM unsup_c TABLESAMPLE SYSTEM (50)');
SELECT unsup_try('CREATE INDEX CONCURRENTLY unsup_c_conc2 ON unsup_c (id)');
SELECT count(*) FROM unsup_c;

-- errors inside a transaction do not break the rows written before them
BEGIN;
INSERT INTO unsup_c VALUES (6001, '2024-06-02 00:00+00', 'in xact');
SAVEPOINT s;
SELECT * FROM unsup_c WHERE id = 6001 FOR SHARE;
ROLLBACK TO s;
SELECT count(*) FROM unsup_c WHERE id = 6001;
COMMIT;
SELECT count(*) FROM unsup_c WHERE id = 6001;
INSERT INTO unsup_h VALUES (6001, '2024-06-02 00:00+00', 'in xact');

-- MERGE that only inserts works
MERGE INTO unsup_c c USING (VALUES (99999)) v(id) ON c.id = v.id
  WHEN NOT MATCHED THEN INSERT VALUES (v.id, NULL, 'merged');
SELECT count(*) FROM unsup_c WHERE msg = 'merged';
INSERT INTO unsup_h VALUES (99999, NULL, 'merged');

-- foreign keys need row locks on the referenced table
CREATE TABLE unsup_pk (id int PRIMARY KEY) USING cocoon;
INSERT INTO unsup_pk VALUES (1), (2);
CREATE TABLE unsup_fk (id int REFERENCES unsup_pk);
INSERT INTO unsup_fk VALUES (1);
SELECT count(*) FROM unsup_fk;
DROP TABLE unsup_fk, unsup_pk;

--
-- btree indexes
--
CREATE INDEX unsup_c_id ON unsup_c (id);
CREATE INDEX unsup_c_ts ON unsup_c (ts);
CREATE INDEX unsup_c_msg ON unsup_c (msg) WHERE id % 2 = 0;
CREATE INDEX unsup_h_id ON unsup_h (id);
SELECT (SELECT count(*) FROM unsup_c) AS cocoon_rows, (SELECT count(*) FROM unsup_h) AS heap_rows;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET cocoon.enable_custom_scan = off;
EXPLAIN (costs off) SELECT * FROM unsup_c WHERE id = 42;
SELECT * FROM unsup_c WHERE id = 42;
SELECT * FROM unsup_c WHERE id BETWEEN 100 AND 104 ORDER BY id;
SELECT count(*) AS heap_minus_cocoon FROM (
  SELECT * FROM unsup_h WHERE id BETWEEN 1000 AND 3000
  EXCEPT ALL SELECT * FROM unsup_c WHERE id BETWEEN 1000 AND 3000) s;
SELECT count(*) AS cocoon_minus_heap FROM (
  SELECT * FROM unsup_c WHERE id BETWEEN 1000 AND 3000
  EXCEPT ALL SELECT * FROM unsup_h WHERE id BETWEEN 1000 AND 3000) s;
EXPLAIN (costs off) SELECT id FROM unsup_c WHERE id < 10 ORDER BY id;
SELECT id FROM unsup_c WHERE id < 10 ORDER BY id;
SELECT min(id), max(id) FROM unsup_c;
SELECT id, msg FROM unsup_c WHERE msg = 'm42' AND id % 2 = 0 ORDER BY id LIMIT 3;
-- bitmap scans
RESET enable_bitmapscan;
SET enable_indexscan = off;
EXPLAIN (costs off) SELECT count(*) FROM unsup_c WHERE id < 2000 OR id > 4900;
SELECT count(*) FROM unsup_c WHERE id < 2000 OR id > 4900;
SELECT count(*) FROM unsup_h WHERE id < 2000 OR id > 4900;
SELECT count(*), min(ts), max(ts) FROM unsup_c WHERE ts BETWEEN '2024-06-01 00:10:00+00' AND '2024-06-01 00:20:00+00';
RESET enable_indexscan;
-- rows inserted after the index was built, still in this transaction, and later
BEGIN;
INSERT INTO unsup_c SELECT g, NULL, 'new' FROM generate_series(7001, 7100) g;
SELECT count(*) FROM unsup_c WHERE id BETWEEN 7001 AND 7100;
SELECT id, msg FROM unsup_c WHERE id = 7050;
COMMIT;
SELECT count(*) FROM unsup_c WHERE id BETWEEN 7001 AND 7100;
INSERT INTO unsup_h SELECT g, NULL, 'new' FROM generate_series(7001, 7100) g;
-- a rolled back insert leaves no visible index entries
BEGIN;
INSERT INTO unsup_c SELECT g, NULL, 'rolled back' FROM generate_series(8001, 8100) g;
ROLLBACK;
SELECT count(*) FROM unsup_c WHERE id BETWEEN 8001 AND 8100;
SELECT count(*) FROM unsup_c WHERE msg = 'rolled back';
RESET enable_seqscan;
RESET cocoon.enable_custom_scan;
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM unsup_h EXCEPT ALL SELECT * FROM unsup_c) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM unsup_c EXCEPT ALL SELECT * FROM unsup_h) s;

-- REINDEX and an index on an expression
REINDEX TABLE unsup_c;
CREATE INDEX unsup_c_expr ON unsup_c (lower(msg));
SET enable_seqscan = off;
SET cocoon.enable_custom_scan = off;
SELECT count(*) FROM unsup_c WHERE lower(msg) = 'm7';
RESET enable_seqscan;
RESET cocoon.enable_custom_scan;
SELECT count(*) FROM unsup_h WHERE lower(msg) = 'm7';

-- unique indexes are enforced; ON CONFLICT is not supported
CREATE TABLE unsup_u (id int PRIMARY KEY, v text) USING cocoon;
INSERT INTO unsup_u VALUES (1, 'a'), (2, 'b');
INSERT INTO unsup_u VALUES (1, 'dup');
INSERT INTO unsup_u VALUES (3, 'c') ON CONFLICT DO NOTHING;
INSERT INTO unsup_u VALUES (1, 'c') ON CONFLICT (id) DO UPDATE SET v = 'updated';
SELECT * FROM unsup_u ORDER BY id;
SELECT unsup_try('INSERT INTO unsup_u VALUES (4, ''d'') ON CONFLICT DO NOTHING');
-- a duplicate within one multi-row insert
-- (this used to make the unique check loop forever)
INSERT INTO unsup_u VALUES (10, 'x'), (10, 'y');
-- a duplicate of a row inserted earlier in the same transaction
BEGIN;
INSERT INTO unsup_u VALUES (20, 'x');
INSERT INTO unsup_u VALUES (20, 'y');
ROLLBACK;
-- ... and in a subtransaction, which is rolled back alone
BEGIN;
INSERT INTO unsup_u VALUES (30, 'x');
SAVEPOINT s;
INSERT INTO unsup_u VALUES (30, 'y');
ROLLBACK TO s;
COMMIT;
-- after a rolled back insert the key is free again
INSERT INTO unsup_u VALUES (20, 'z');
SELECT * FROM unsup_u ORDER BY id;
DROP TABLE unsup_u;

--
-- CLUSTER
--
CLUSTER unsup_c USING unsup_c_id;
ALTER TABLE unsup_c CLUSTER ON unsup_c_id;
CLUSTER unsup_c;
SELECT unsup_try('CLUSTER unsup_c USING unsup_c_id');
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM unsup_h EXCEPT ALL SELECT * FROM unsup_c) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM unsup_c EXCEPT ALL SELECT * FROM unsup_h) s;

DROP TABLE unsup_h, unsup_c;
DROP FUNCTION unsup_try(text);
