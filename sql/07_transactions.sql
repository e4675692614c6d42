--
-- 07_transactions: rollback, savepoints, visibility of own rows, cursors,
-- Halloween protection, COPY + rollback
--
CREATE TABLE xact_c (id int, ts timestamptz, msg text) USING cocoon;
CREATE TABLE xact_h (id int, ts timestamptz, msg text);

-- rollback of INSERT leaves nothing
BEGIN;
INSERT INTO xact_c SELECT g, NULL, 'rb' FROM generate_series(1, 1000) g;
SELECT count(*) FROM xact_c;
ROLLBACK;
SELECT count(*) FROM xact_c;
-- a large rolled back insert that spans several stripes
SELECT cocoon.set_options('xact_c', stripe_rows => 1000, chunk_rows => 100);
BEGIN;
INSERT INTO xact_c SELECT g, NULL, 'rb' FROM generate_series(1, 5500) g;
SELECT count(*), count(DISTINCT id) FROM xact_c;
ROLLBACK;
SELECT count(*) FROM xact_c;
SELECT row_count, pending_rows FROM cocoon.stats('xact_c');
SELECT count(*) AS problems FROM cocoon.verify('xact_c');

-- a transaction sees its own rows, statement by statement
BEGIN;
INSERT INTO xact_c VALUES (1, '2024-07-01 00:00+00', 'one');
SELECT count(*) FROM xact_c;
INSERT INTO xact_c VALUES (2, '2024-07-01 00:00:01+00', 'two'), (3, NULL, 'three');
SELECT * FROM xact_c ORDER BY id;
INSERT INTO xact_c SELECT g, NULL, 'bulk' FROM generate_series(4, 2503) g;
SELECT count(*), min(id), max(id), count(DISTINCT id) FROM xact_c;
-- a self-join in the same transaction
SELECT count(*) FROM xact_c a JOIN xact_c b USING (id);
COMMIT;
SELECT count(*), min(id), max(id) FROM xact_c;
INSERT INTO xact_h SELECT * FROM xact_c;

-- SAVEPOINT / ROLLBACK TO discards exactly the rows after the savepoint
BEGIN;
INSERT INTO xact_c VALUES (3001, NULL, 'before sp');
SAVEPOINT sp1;
INSERT INTO xact_c VALUES (3002, NULL, 'after sp1');
INSERT INTO xact_c SELECT g, NULL, 'after sp1 bulk' FROM generate_series(3003, 4502) g;
SAVEPOINT sp2;
INSERT INTO xact_c VALUES (5001, NULL, 'after sp2');
SELECT count(*) FROM xact_c WHERE id > 3000;
ROLLBACK TO sp2;
SELECT count(*) FROM xact_c WHERE id > 3000;
ROLLBACK TO sp1;
SELECT id, msg FROM xact_c WHERE id > 3000 ORDER BY id;
INSERT INTO xact_c VALUES (3100, NULL, 'after rollback to sp1');
SAVEPOINT sp3;
INSERT INTO xact_c VALUES (3101, NULL, 'released');
RELEASE SAVEPOINT sp3;
SAVEPOINT sp4;
INSERT INTO xact_c SELECT g, NULL, 'released bulk' FROM generate_series(3200, 3299) g;
RELEASE sp4;
COMMIT;
SELECT msg, count(*) FROM xact_c WHERE id > 3000 GROUP BY msg ORDER BY msg;
INSERT INTO xact_h VALUES (3001, NULL, 'before sp'), (3100, NULL, 'after rollback to sp1'), (3101, NULL, 'released');
INSERT INTO xact_h SELECT g, NULL, 'released bulk' FROM generate_series(3200, 3299) g;
SELECT (SELECT count(*) FROM (SELECT * FROM xact_h EXCEPT ALL SELECT * FROM xact_c) a) AS h_minus_c,
       (SELECT count(*) FROM (SELECT * FROM xact_c EXCEPT ALL SELECT * FROM xact_h) a) AS c_minus_h;

-- nested savepoints, rollback of the outer one, and commit of the rest
BEGIN;
SAVEPOINT a;
INSERT INTO xact_c VALUES (6001, NULL, 'a');
SAVEPOINT b;
INSERT INTO xact_c VALUES (6002, NULL, 'b');
RELEASE b;
ROLLBACK TO a;
INSERT INTO xact_c VALUES (6003, NULL, 'c');
COMMIT;
SELECT id, msg FROM xact_c WHERE id > 6000 ORDER BY id;
INSERT INTO xact_h VALUES (6003, NULL, 'c');

-- an error in the middle of a transaction aborts all its inserts
BEGIN;
INSERT INTO xact_c VALUES (7001, NULL, 'doomed');
SELECT 1 / 0;
COMMIT;
SELECT count(*) FROM xact_c WHERE id = 7001;

-- plpgsql loop with exception blocks (each block is a subtransaction)
DO $$
BEGIN
  FOR i IN 1..200 LOOP
    BEGIN
      INSERT INTO xact_c VALUES (10000 + i, NULL, 'loop');
      IF i % 3 = 0 THEN
        RAISE EXCEPTION 'discard %', i;
      END IF;
    EXCEPTION WHEN raise_exception THEN
      NULL;
    END;
  END LOOP;
END
$$;
SELECT count(*), min(id), max(id), count(*) FILTER (WHERE (id - 10000) % 3 = 0) AS should_be_zero
  FROM xact_c WHERE msg = 'loop';
INSERT INTO xact_h SELECT 10000 + i, NULL, 'loop' FROM generate_series(1, 200) i WHERE i % 3 <> 0;
-- an exception block that fails after a bulk insert, inside an outer transaction
BEGIN;
DO $$
BEGIN
  BEGIN
    INSERT INTO xact_c SELECT g, NULL, 'inner' FROM generate_series(20001, 22000) g;
    PERFORM 1 / 0;
  EXCEPTION WHEN division_by_zero THEN
    INSERT INTO xact_c VALUES (22001, NULL, 'handler');
  END;
END
$$;
SELECT msg, count(*) FROM xact_c WHERE id > 20000 GROUP BY msg ORDER BY msg;
COMMIT;
SELECT msg, count(*) FROM xact_c WHERE id > 20000 GROUP BY msg ORDER BY msg;
INSERT INTO xact_h VALUES (22001, NULL, 'handler');

-- a cursor opened before an insert does not see the new rows
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM xact_c WHERE id BETWEEN 1 AND 5 ORDER BY id;
DECLARE c2 CURSOR FOR SELECT count(*) FROM xact_c;
DECLARE c3 NO SCROLL CURSOR FOR SELECT id, msg FROM xact_c WHERE msg IN ('one', 'two', 'new in cursor xact');
INSERT INTO xact_c VALUES (1, NULL, 'new in cursor xact'), (2, NULL, 'new in cursor xact');
FETCH ALL c;
FETCH ALL c2;
FETCH ALL c3;
SELECT count(*) FROM xact_c WHERE msg = 'new in cursor xact';
ROLLBACK;
-- a cursor fetched in pieces while inserting
BEGIN;
DECLARE c4 CURSOR FOR SELECT id FROM xact_c WHERE msg = 'bulk';
FETCH 3 FROM c4;
INSERT INTO xact_c SELECT g, NULL, 'bulk' FROM generate_series(90001, 90100) g;
FETCH 3 FROM c4;
MOVE FORWARD ALL IN c4;
SELECT count(*) FROM xact_c WHERE msg = 'bulk';
ROLLBACK;
-- WITH HOLD cursor survives commit
BEGIN;
DECLARE ch CURSOR WITH HOLD FOR SELECT count(*) FROM xact_c;
INSERT INTO xact_c VALUES (95000, NULL, 'hold');
COMMIT;
FETCH ALL ch;
CLOSE ch;
INSERT INTO xact_h VALUES (95000, NULL, 'hold');
-- backward scans
BEGIN;
DECLARE cs SCROLL CURSOR FOR SELECT id FROM xact_c WHERE id < 4;
FETCH ALL cs;
FETCH BACKWARD 1 FROM cs;
ROLLBACK;

-- INSERT INTO t SELECT * FROM t doubles exactly (Halloween problem)
SELECT count(*) AS before FROM xact_c \gset
INSERT INTO xact_c SELECT * FROM xact_c;
SELECT count(*) = 2 * :before AS doubled FROM xact_c;
INSERT INTO xact_h SELECT * FROM xact_h;
BEGIN;
INSERT INTO xact_c SELECT * FROM xact_c;
INSERT INTO xact_c SELECT * FROM xact_c WHERE id < 100;
SELECT count(*) = 4 * :before + 2 * 2 * 99 AS doubled_again FROM xact_c;
ROLLBACK;
-- same with the custom scan off
SET cocoon.enable_custom_scan = off;
BEGIN;
INSERT INTO xact_c SELECT * FROM xact_c;
SELECT count(*) = 4 * :before AS doubled_seqscan FROM xact_c;
ROLLBACK;
RESET cocoon.enable_custom_scan;
SELECT (SELECT count(*) FROM (SELECT * FROM xact_h EXCEPT ALL SELECT * FROM xact_c) a) AS h_minus_c,
       (SELECT count(*) FROM (SELECT * FROM xact_c EXCEPT ALL SELECT * FROM xact_h) a) AS c_minus_h;

-- COPY + rollback
BEGIN;
COPY xact_c FROM stdin;
100001	2024-07-02 00:00:00+00	copied
100002	\N	copied
\.
SELECT count(*) FROM xact_c WHERE msg = 'copied';
ROLLBACK;
SELECT count(*) FROM xact_c WHERE msg = 'copied';
-- COPY committed, then COPY inside a rolled back savepoint
BEGIN;
COPY xact_c FROM stdin;
100003	2024-07-02 00:00:00+00	copied
\.
SAVEPOINT s;
COPY xact_c FROM stdin;
100004	2024-07-02 00:00:00+00	copied
\.
ROLLBACK TO s;
COMMIT;
SELECT id, ts, msg FROM xact_c WHERE msg = 'copied' ORDER BY id;
-- a COPY that fails on a bad line inserts nothing
COPY xact_c FROM stdin;
100005	2024-07-02 00:00:00+00	copied
not_a_number	\N	copied
\.
SELECT count(*) FROM xact_c WHERE id = 100005;
INSERT INTO xact_h VALUES (100003, '2024-07-02 00:00:00+00', 'copied');

-- prepared transactions are not needed (max_prepared_transactions = 0);
-- a function that inserts and reads back in the same statement
CREATE FUNCTION xact_ins(n int) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO xact_c SELECT g, NULL, 'fn' FROM generate_series(1, n) g;
  RETURN (SELECT count(*) FROM xact_c WHERE msg = 'fn');
END
$$;
SELECT xact_ins(10), xact_ins(20);
SELECT count(*) FROM xact_c WHERE msg = 'fn';
INSERT INTO xact_h SELECT g, NULL, 'fn' FROM generate_series(1, 10) g;
INSERT INTO xact_h SELECT g, NULL, 'fn' FROM generate_series(1, 20) g;

-- final comparison
SELECT (SELECT count(*) FROM xact_h) AS heap_rows, (SELECT count(*) FROM xact_c) AS cocoon_rows,
       (SELECT count(*) FROM (SELECT * FROM xact_h EXCEPT ALL SELECT * FROM xact_c) a) AS h_minus_c,
       (SELECT count(*) FROM (SELECT * FROM xact_c EXCEPT ALL SELECT * FROM xact_h) a) AS c_minus_h;
SELECT count(*) AS problems FROM cocoon.verify('xact_c');

DROP FUNCTION xact_ins(int);
DROP TABLE xact_c, xact_h;
