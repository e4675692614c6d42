--
-- 06_unsupported: unsupported operations fail cleanly with
-- feature_not_supported and a hint; the table stays usable after each
-- error.  Indexes and row locks (FOR UPDATE/SHARE, NOWAIT, SKIP LOCKED,
-- foreign keys, BEFORE UPDATE/DELETE row triggers) are supported and must
-- agree with heap.
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
SELECT count(*) FROM unsup_c TABLESAMPLE SYSTEM (10);
SELECT count(*) FROM unsup_c TABLESAMPLE BERNOULLI (10);
CREATE INDEX CONCURRENTLY unsup_c_conc ON unsup_c (id);
-- like any failed CREATE INDEX CONCURRENTLY, it may leave an invalid index behind
SELECT coalesce(bool_and(NOT i.indisvalid), true) AS no_valid_index
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'unsup_c_conc';
DROP INDEX IF EXISTS unsup_c_conc;
-- backward scans (a plan that cannot scan backward gets a Materialize node
-- under a SCROLL cursor, so only the plain sequential scan is asked to)
SET cocoon.enable_custom_scan = off;
BEGIN;
DECLARE unsup_cur SCROLL CURSOR FOR SELECT id FROM unsup_c WHERE id <= 3;
FETCH 2 FROM unsup_cur;
FETCH BACKWARD 1 FROM unsup_cur;
ROLLBACK;
RESET cocoon.enable_custom_scan;
BEGIN;
DECLARE unsup_cur SCROLL CURSOR FOR SELECT id FROM unsup_c WHERE id <= 3;
FETCH 2 FROM unsup_cur;
FETCH BACKWARD 1 FROM unsup_cur;
ROLLBACK;
-- SQLSTATEs, and the table is usable after each error
SELECT unsup_try('SELECT count(*) FROM unsup_c TABLESAMPLE SYSTEM (50)');
SELECT unsup_try('CREATE INDEX CONCURRENTLY unsup_c_conc2 ON unsup_c (id)');
SELECT count(*) FROM unsup_c;

--
-- row locks work: the same rows as heap, in every mode
--
SELECT * FROM unsup_c WHERE id = 1 FOR UPDATE;
SELECT * FROM unsup_c WHERE id = 1 FOR SHARE;
SELECT * FROM unsup_c WHERE id = 1 FOR NO KEY UPDATE;
SELECT * FROM unsup_c WHERE id = 1 FOR KEY SHARE;
SELECT * FROM unsup_c WHERE id IN (2, 3) ORDER BY id FOR UPDATE NOWAIT;
SELECT * FROM unsup_c WHERE id IN (4, 5) ORDER BY id FOR SHARE SKIP LOCKED;
SELECT unsup_try('SELECT * FROM unsup_c FOR UPDATE');
SELECT count(*) AS heap_minus_cocoon FROM (
  SELECT * FROM unsup_h WHERE id % 7 = 0 EXCEPT ALL
  SELECT * FROM (SELECT * FROM unsup_c WHERE id % 7 = 0 FOR UPDATE) l) s;
SELECT count(*) AS cocoon_minus_heap FROM (
  SELECT * FROM (SELECT * FROM unsup_c WHERE id % 7 = 0 FOR SHARE) l EXCEPT ALL
  SELECT * FROM unsup_h WHERE id % 7 = 0) s;
-- with the custom scan off too, and through a join (FOR UPDATE OF)
SET cocoon.enable_custom_scan = off;
SELECT c.id, c.msg FROM unsup_c c JOIN unsup_h h USING (id) WHERE id BETWEEN 10 AND 12 ORDER BY id FOR UPDATE OF c;
RESET cocoon.enable_custom_scan;
-- lock, then change the locked rows in the same transaction
BEGIN;
SELECT id, msg FROM unsup_c WHERE id IN (20, 21) ORDER BY id FOR UPDATE;
UPDATE unsup_c SET msg = 'locked then updated' WHERE id = 20;
DELETE FROM unsup_c WHERE id = 21;
SELECT id, msg FROM unsup_c WHERE id IN (20, 21) ORDER BY id FOR SHARE;
ROLLBACK;
SELECT id, msg FROM unsup_c WHERE id IN (20, 21) ORDER BY id;
-- locking a row still in the transaction's write buffer, in a savepoint
BEGIN;
INSERT INTO unsup_c VALUES (6001, '2024-06-02 00:00+00', 'in xact');
SAVEPOINT s;
SELECT * FROM unsup_c WHERE id = 6001 FOR SHARE;
SELECT * FROM unsup_c WHERE id = 6001 FOR UPDATE;
ROLLBACK TO s;
SELECT count(*) FROM unsup_c WHERE id = 6001;
COMMIT;
SELECT count(*) FROM unsup_c WHERE id = 6001;
INSERT INTO unsup_h VALUES (6001, '2024-06-02 00:00+00', 'in xact');

-- a second session (dblink) sees the locks: NOWAIT fails, SKIP LOCKED skips,
-- a deleter waits; the lock modes conflict as on heap
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('unsup_other',
  format('host=%s port=%s dbname=%s user=%s',
         split_part(current_setting('unix_socket_directories'), ',', 1),
         current_setting('port'), current_database(), current_user));
SELECT dblink_exec('unsup_other', 'SET lock_timeout = ''200ms''');
-- run q in the other session: the ids it returns (a change is rolled back), or its SQLSTATE
CREATE FUNCTION unsup_other(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
BEGIN
  IF q ~* '^\s*(delete|update|insert)' THEN
    PERFORM dblink_exec('unsup_other', 'BEGIN');
    r := dblink_exec('unsup_other', q);
    PERFORM dblink_exec('unsup_other', 'ROLLBACK');
    RETURN r;
  END IF;
  SELECT string_agg(x, ',') INTO r
    FROM dblink('unsup_other', format('SELECT string_agg(id::text, '','' ORDER BY id) FROM (%s) s', q)) AS t(x text);
  RETURN coalesce(r, '(none)');
EXCEPTION WHEN OTHERS THEN
  PERFORM dblink_exec('unsup_other', 'ROLLBACK');
  RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;
CREATE TABLE unsup_lk_h (id int PRIMARY KEY, v text);
CREATE TABLE unsup_lk_c (id int PRIMARY KEY, v text) USING cocoon;
INSERT INTO unsup_lk_h SELECT g, 'v' || g FROM generate_series(1, 10) g;
INSERT INTO unsup_lk_c SELECT * FROM unsup_lk_h;
-- hold each lock mode on rows 2 and 3, and try every mode from the other session
CREATE FUNCTION unsup_lock_matrix(t text) RETURNS TABLE (held text, other_mode text, other_sees text)
LANGUAGE plpgsql AS $$
DECLARE
  m1 text;
  m2 text;
BEGIN
  FOREACH m1 IN ARRAY ARRAY['UPDATE', 'NO KEY UPDATE', 'SHARE', 'KEY SHARE'] LOOP
    BEGIN
      EXECUTE format('SELECT * FROM %s WHERE id IN (2, 3) FOR %s', t, m1);
      held := m1;
      FOREACH m2 IN ARRAY ARRAY['UPDATE', 'NO KEY UPDATE', 'SHARE', 'KEY SHARE'] LOOP
        other_mode := m2 || ' NOWAIT';
        other_sees := unsup_other(format('SELECT id FROM %s WHERE id = 2 FOR %s NOWAIT', t, m2));
        RETURN NEXT;
        other_mode := m2 || ' SKIP LOCKED';
        other_sees := unsup_other(format('SELECT id FROM %s WHERE id <= 4 FOR %s SKIP LOCKED', t, m2));
        RETURN NEXT;
      END LOOP;
      other_mode := 'DELETE locked row';
      other_sees := unsup_other(format('DELETE FROM %s WHERE id = 3', t));
      RETURN NEXT;
      other_mode := 'DELETE other row';
      other_sees := unsup_other(format('DELETE FROM %s WHERE id = 4', t));
      RETURN NEXT;
      -- leave the subtransaction: its row locks go with it, as on heap
      RAISE EXCEPTION 'release';
    EXCEPTION WHEN raise_exception THEN
      NULL;
    END;
  END LOOP;
END
$$;
SELECT h.held, h.other_mode, h.other_sees AS heap,
       h.other_sees IS NOT DISTINCT FROM replace(c.other_sees, 'unsup_lk_c', 'unsup_lk_h') AS cocoon_same
  FROM unsup_lock_matrix('unsup_lk_h') WITH ORDINALITY h
  JOIN unsup_lock_matrix('unsup_lk_c') WITH ORDINALITY c USING (ordinality)
 ORDER BY ordinality;
-- nothing stays locked after the transaction
SELECT unsup_other('SELECT id FROM unsup_lk_c WHERE id <= 4 FOR UPDATE NOWAIT');
SELECT unsup_other('DELETE FROM unsup_lk_c WHERE id = 3');
-- a row deleted by an open transaction: NOWAIT fails, SKIP LOCKED skips it
BEGIN;
DELETE FROM unsup_lk_c WHERE id = 5;
DELETE FROM unsup_lk_h WHERE id = 5;
SELECT unsup_other('SELECT id FROM unsup_lk_h WHERE id = 5 FOR KEY SHARE NOWAIT') AS heap,
       unsup_other('SELECT id FROM unsup_lk_c WHERE id = 5 FOR KEY SHARE NOWAIT') AS cocoon;
SELECT unsup_other('SELECT id FROM unsup_lk_h WHERE id BETWEEN 4 AND 6 FOR UPDATE SKIP LOCKED') AS heap,
       unsup_other('SELECT id FROM unsup_lk_c WHERE id BETWEEN 4 AND 6 FOR UPDATE SKIP LOCKED') AS cocoon;
ROLLBACK;
SELECT dblink_disconnect('unsup_other');
DROP FUNCTION unsup_lock_matrix(text);
DROP FUNCTION unsup_other(text);
DROP TABLE unsup_lk_h, unsup_lk_c;
DROP EXTENSION dblink;

-- MERGE that only inserts works
MERGE INTO unsup_c c USING (VALUES (99999)) v(id) ON c.id = v.id
  WHEN NOT MATCHED THEN INSERT VALUES (v.id, NULL, 'merged');
SELECT count(*) FROM unsup_c WHERE msg = 'merged';
INSERT INTO unsup_h VALUES (99999, NULL, 'merged');

--
-- foreign keys referencing a cocoon table (and a cocoon table referencing
-- one, with cascades): the same results and errors as heap
--
CREATE FUNCTION unsup_fk_run(pk text, fk text, ck text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  stmt text;
  n bigint;
BEGIN
  FOREACH stmt IN ARRAY ARRAY[
    'INSERT INTO %1$s VALUES (1, ''one''), (2, ''two''), (3, ''three''), (4, ''four''), (5, ''five'')',
    'INSERT INTO %2$s VALUES (1, 1), (2, 1), (3, 2), (4, NULL)',
    'INSERT INTO %2$s VALUES (5, 9)',
    'INSERT INTO %3$s VALUES (1, 3), (2, 4)',
    'INSERT INTO %3$s VALUES (3, 7)',
    'UPDATE %2$s SET pid = 8 WHERE id = 3',
    'UPDATE %2$s SET pid = 5 WHERE id = 3',
    'DELETE FROM %1$s WHERE id = 5',
    'DELETE FROM %1$s WHERE id = 2',
    'UPDATE %1$s SET v = ''one!'' WHERE id = 1',
    'UPDATE %1$s SET id = 10 WHERE id = 1',
    'UPDATE %3$s SET id = id + 100',
    'UPDATE %3$s SET pid = 9 WHERE id = 101',
    'DELETE FROM %1$s WHERE id = 3',
    'UPDATE %1$s SET id = 40 WHERE id = 4',
    'DELETE FROM %1$s WHERE id = 10'
  ] LOOP
    BEGIN
      EXECUTE format(stmt, pk, fk, ck);
      GET DIAGNOSTICS n = ROW_COUNT;
      RETURN NEXT format(stmt, 'parent', 'child', 'cascade') || ': ' || n;
    EXCEPTION WHEN OTHERS THEN
      RETURN NEXT format(stmt, 'parent', 'child', 'cascade') || ': ' || SQLSTATE || ' '
        || replace(replace(replace(SQLERRM, pk, 'parent'), fk, 'child'), ck, 'cascade');
    END;
  END LOOP;
END
$$;
CREATE TABLE unsup_pk_h (id int PRIMARY KEY, v text);
CREATE TABLE unsup_fk_h (id int, pid int REFERENCES unsup_pk_h);
CREATE TABLE unsup_ck_h (id int, pid int REFERENCES unsup_pk_h ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE unsup_pk_c (id int PRIMARY KEY, v text) USING cocoon;
CREATE TABLE unsup_fk_c (id int, pid int REFERENCES unsup_pk_c);
CREATE TABLE unsup_ck_c (id int, pid int REFERENCES unsup_pk_c ON DELETE CASCADE ON UPDATE CASCADE) USING cocoon;
SELECT h AS heap, h IS NOT DISTINCT FROM c AS cocoon_same
  FROM unsup_fk_run('unsup_pk_h', 'unsup_fk_h', 'unsup_ck_h') WITH ORDINALITY a(h, o)
  JOIN unsup_fk_run('unsup_pk_c', 'unsup_fk_c', 'unsup_ck_c') WITH ORDINALITY b(c, o) USING (o)
 ORDER BY o;
SELECT 'parent' AS t, * FROM (SELECT * FROM unsup_pk_c EXCEPT ALL SELECT * FROM unsup_pk_h) a
UNION ALL SELECT 'parent', * FROM (SELECT * FROM unsup_pk_h EXCEPT ALL SELECT * FROM unsup_pk_c) b;
SELECT 'child' AS t, * FROM (SELECT * FROM unsup_fk_c EXCEPT ALL SELECT * FROM unsup_fk_h) a
UNION ALL SELECT 'child', * FROM (SELECT * FROM unsup_fk_h EXCEPT ALL SELECT * FROM unsup_fk_c) b
UNION ALL SELECT 'cascade', * FROM (SELECT * FROM unsup_ck_c EXCEPT ALL SELECT * FROM unsup_ck_h) d
UNION ALL SELECT 'cascade', * FROM (SELECT * FROM unsup_ck_h EXCEPT ALL SELECT * FROM unsup_ck_c) e;
SELECT * FROM unsup_pk_c ORDER BY id;
SELECT * FROM unsup_fk_c ORDER BY id;
SELECT * FROM unsup_ck_c ORDER BY id;
-- the errors as the user sees them
INSERT INTO unsup_fk_c VALUES (6, 99);
DELETE FROM unsup_pk_c WHERE id = 10;
DROP TABLE unsup_fk_h, unsup_ck_h, unsup_pk_h, unsup_fk_c, unsup_ck_c, unsup_pk_c;
DROP FUNCTION unsup_fk_run(text, text, text);

--
-- BEFORE UPDATE / DELETE row triggers: the same effects as on heap
--
CREATE TABLE unsup_trg_h (id int, v text, n int);
CREATE TABLE unsup_trg_c (LIKE unsup_trg_h) USING cocoon;
CREATE TABLE unsup_trg_log (tbl text, op text, old_id int, old_v text, new_v text);
CREATE FUNCTION unsup_trg_f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO unsup_trg_log VALUES (TG_TABLE_NAME, TG_OP, OLD.id, OLD.v,
                                    CASE WHEN TG_OP = 'UPDATE' THEN NEW.v END);
  IF TG_OP = 'DELETE' THEN
    IF OLD.n = 0 THEN RETURN NULL; END IF;       -- protected rows stay
    RETURN OLD;
  END IF;
  IF NEW.n = 0 THEN RETURN NULL; END IF;         -- skip the update
  NEW.v := upper(NEW.v);                         -- change the new row
  NEW.n := OLD.n + 100;
  RETURN NEW;
END
$$;
CREATE TRIGGER unsup_trg BEFORE UPDATE OR DELETE ON unsup_trg_h FOR EACH ROW EXECUTE FUNCTION unsup_trg_f();
CREATE TRIGGER unsup_trg BEFORE UPDATE OR DELETE ON unsup_trg_c FOR EACH ROW EXECUTE FUNCTION unsup_trg_f();
INSERT INTO unsup_trg_h SELECT g, 'v' || g, g % 3 FROM generate_series(1, 12) g;
INSERT INTO unsup_trg_c SELECT * FROM unsup_trg_h;
UPDATE unsup_trg_h SET v = v || 'x' WHERE id <= 6;
UPDATE unsup_trg_c SET v = v || 'x' WHERE id <= 6;
DELETE FROM unsup_trg_h WHERE id > 6;
DELETE FROM unsup_trg_c WHERE id > 6;
BEGIN;
UPDATE unsup_trg_h SET v = 'rolled back' WHERE id = 1;
UPDATE unsup_trg_c SET v = 'rolled back' WHERE id = 1;
ROLLBACK;
SELECT * FROM unsup_trg_c ORDER BY id;
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM unsup_trg_h EXCEPT ALL SELECT * FROM unsup_trg_c) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM unsup_trg_c EXCEPT ALL SELECT * FROM unsup_trg_h) s;
SELECT op, old_id, old_v, new_v, count(*) FILTER (WHERE tbl = 'unsup_trg_h') AS heap,
       count(*) FILTER (WHERE tbl = 'unsup_trg_c') AS cocoon
  FROM unsup_trg_log GROUP BY 1, 2, 3, 4 ORDER BY 1, 2;
DROP TABLE unsup_trg_h, unsup_trg_c, unsup_trg_log;
DROP FUNCTION unsup_trg_f();

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
