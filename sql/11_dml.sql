--
-- 11_dml: UPDATE and DELETE on cocoon tables give the same results as heap
--
CREATE TABLE dml_h (id int, ts timestamptz, level text, n int, msg text);
CREATE TABLE dml_c (LIKE dml_h) USING cocoon;
SELECT cocoon.set_options('dml_c', stripe_rows => 1000, chunk_rows => 100);
INSERT INTO dml_h SELECT g, timestamptz '2024-11-01 00:00+00' + g * interval '1 minute',
                         (ARRAY['INFO','WARN','ERROR'])[1 + g % 3], g % 100, 'm' || g
  FROM generate_series(1, 5000) g;
INSERT INTO dml_c SELECT * FROM dml_h;

CREATE FUNCTION dml_diff(OUT heap_rows bigint, OUT cocoon_rows bigint, OUT heap_minus_cocoon bigint, OUT cocoon_minus_heap bigint)
LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM dml_h), (SELECT count(*) FROM dml_c),
         (SELECT count(*) FROM (SELECT * FROM dml_h EXCEPT ALL SELECT * FROM dml_c) s),
         (SELECT count(*) FROM (SELECT * FROM dml_c EXCEPT ALL SELECT * FROM dml_h) s)
$$;

-- DELETE
DELETE FROM dml_h WHERE id = 1;
DELETE FROM dml_c WHERE id = 1;
DELETE FROM dml_h WHERE level = 'WARN' AND ts < '2024-11-02 00:00+00';
DELETE FROM dml_c WHERE level = 'WARN' AND ts < '2024-11-02 00:00+00';
SELECT * FROM dml_diff();
-- DELETE ... RETURNING
DELETE FROM dml_c WHERE id BETWEEN 10 AND 12 RETURNING id, level, n, msg;
DELETE FROM dml_h WHERE id BETWEEN 10 AND 12;
-- deleting a deleted row again does nothing
DELETE FROM dml_c WHERE id = 1;
SELECT * FROM dml_diff();

-- UPDATE: the new version is a new row, the old one disappears
UPDATE dml_h SET msg = msg || ' updated', n = n + 1000 WHERE id % 50 = 0;
UPDATE dml_c SET msg = msg || ' updated', n = n + 1000 WHERE id % 50 = 0;
SELECT * FROM dml_diff();
UPDATE dml_c SET level = 'FATAL' WHERE id = 4999 RETURNING id, level, n, msg;
UPDATE dml_h SET level = 'FATAL' WHERE id = 4999;
-- update the same row twice in one transaction, and in two statements
BEGIN;
UPDATE dml_h SET n = n + 1 WHERE id = 2000;
UPDATE dml_c SET n = n + 1 WHERE id = 2000;
UPDATE dml_h SET n = n + 1 WHERE id = 2000;
UPDATE dml_c SET n = n + 1 WHERE id = 2000;
SELECT id, n FROM dml_c WHERE id = 2000;
COMMIT;
SELECT id, n FROM dml_c WHERE id = 2000;
SELECT * FROM dml_diff();
-- every row at once
UPDATE dml_h SET n = n * 2;
UPDATE dml_c SET n = n * 2;
SELECT * FROM dml_diff();

-- rolled back DELETE and UPDATE leave everything as it was
BEGIN;
DELETE FROM dml_c WHERE id < 3000;
UPDATE dml_c SET msg = 'gone';
SELECT count(*), count(*) FILTER (WHERE msg = 'gone') FROM dml_c;
ROLLBACK;
SELECT * FROM dml_diff();
-- savepoints
BEGIN;
DELETE FROM dml_c WHERE id = 100;
SAVEPOINT s1;
DELETE FROM dml_c WHERE id = 101;
UPDATE dml_c SET msg = 'sp' WHERE id = 102;
ROLLBACK TO s1;
UPDATE dml_c SET msg = 'kept' WHERE id = 103;
COMMIT;
DELETE FROM dml_h WHERE id = 100;
UPDATE dml_h SET msg = 'kept' WHERE id = 103;
SELECT id, msg FROM dml_c WHERE id BETWEEN 100 AND 103 ORDER BY id;
SELECT * FROM dml_diff();
-- rows inserted in the same transaction can be updated and deleted
BEGIN;
INSERT INTO dml_c VALUES (9001, NULL, 'NEW', 1, 'a'), (9002, NULL, 'NEW', 2, 'b');
UPDATE dml_c SET msg = 'a2' WHERE id = 9001;
DELETE FROM dml_c WHERE id = 9002;
SELECT id, msg FROM dml_c WHERE id > 9000 ORDER BY id;
COMMIT;
INSERT INTO dml_h VALUES (9001, NULL, 'NEW', 1, 'a2');
SELECT * FROM dml_diff();
-- a cursor opened before a DELETE still sees the rows
BEGIN;
DECLARE dml_cur CURSOR FOR SELECT count(*) FROM dml_c WHERE id BETWEEN 200 AND 299;
DELETE FROM dml_c WHERE id BETWEEN 200 AND 299;
FETCH ALL dml_cur;
SELECT count(*) FROM dml_c WHERE id BETWEEN 200 AND 299;
ROLLBACK;

-- UPDATE/DELETE through CTEs, views, joins and MERGE
WITH d AS (DELETE FROM dml_c WHERE id = 3 RETURNING *) SELECT count(*) FROM d;
DELETE FROM dml_h WHERE id = 3;
CREATE VIEW dml_v AS SELECT * FROM dml_c WHERE level = 'ERROR';
UPDATE dml_v SET msg = 'via view' WHERE id = 5;
UPDATE dml_h SET msg = 'via view' WHERE id = 5;
DROP VIEW dml_v;
UPDATE dml_c c SET msg = 'joined' FROM (VALUES (6), (7)) v(id) WHERE c.id = v.id;
UPDATE dml_h c SET msg = 'joined' FROM (VALUES (6), (7)) v(id) WHERE c.id = v.id;
DELETE FROM dml_c USING (VALUES (8), (9)) v(id) WHERE dml_c.id = v.id;
DELETE FROM dml_h USING (VALUES (8), (9)) v(id) WHERE dml_h.id = v.id;
MERGE INTO dml_c c USING (VALUES (13, 'merge upd'), (99999, 'merge ins')) v(id, m) ON c.id = v.id
  WHEN MATCHED THEN UPDATE SET msg = v.m
  WHEN NOT MATCHED THEN INSERT (id, msg) VALUES (v.id, v.m);
MERGE INTO dml_h c USING (VALUES (13, 'merge upd'), (99999, 'merge ins')) v(id, m) ON c.id = v.id
  WHEN MATCHED THEN UPDATE SET msg = v.m
  WHEN NOT MATCHED THEN INSERT (id, msg) VALUES (v.id, v.m);
MERGE INTO dml_c c USING (VALUES (14)) v(id) ON c.id = v.id WHEN MATCHED THEN DELETE;
MERGE INTO dml_h c USING (VALUES (14)) v(id) ON c.id = v.id WHEN MATCHED THEN DELETE;
SELECT * FROM dml_diff();

-- indexes follow updates and deletes
CREATE INDEX dml_c_id ON dml_c (id);
CREATE INDEX dml_c_msg ON dml_c (msg);
UPDATE dml_c SET id = id + 100000 WHERE id BETWEEN 4000 AND 4009;
UPDATE dml_h SET id = id + 100000 WHERE id BETWEEN 4000 AND 4009;
DELETE FROM dml_c WHERE id BETWEEN 4010 AND 4019;
DELETE FROM dml_h WHERE id BETWEEN 4010 AND 4019;
SET enable_seqscan = off;
SET cocoon.enable_custom_scan = off;
SELECT count(*) FROM dml_c WHERE id BETWEEN 4000 AND 4019;
SELECT count(*) FROM dml_c WHERE id BETWEEN 104000 AND 104009;
SELECT id, msg FROM dml_c WHERE msg IN ('joined', 'merge upd', 'kept') ORDER BY id;
SET enable_indexscan = off;
SELECT count(*) FROM dml_c WHERE id BETWEEN 4000 AND 4019 OR id > 100000;
RESET enable_indexscan;
RESET enable_seqscan;
RESET cocoon.enable_custom_scan;
SELECT * FROM dml_diff();

-- deleted rows stay deleted through VACUUM, VACUUM FULL and ANALYZE
VACUUM dml_c;
SELECT * FROM dml_diff();
VACUUM FULL dml_c;
SELECT * FROM dml_diff();
ANALYZE dml_c;
SELECT reltuples BETWEEN 0.9 * (SELECT count(*) FROM dml_h) AND 1.1 * (SELECT count(*) FROM dml_h) AS reltuples_close
  FROM pg_class WHERE oid = 'dml_c'::regclass;
SELECT row_count >= (SELECT count(*) FROM dml_h) AS stats_row_count_ok FROM cocoon.stats('dml_c');
SELECT count(*) AS problems FROM cocoon.verify('dml_c');
-- time-pruned scans do not resurrect deleted rows
SELECT count(*) FROM dml_c WHERE ts > '2024-11-03 00:00+00';
SELECT count(*) FROM dml_h WHERE ts > '2024-11-03 00:00+00';
-- DELETE everything, then insert again
DELETE FROM dml_c;
DELETE FROM dml_h;
SELECT * FROM dml_diff();
INSERT INTO dml_c VALUES (1, NULL, 'x', 1, 'again');
SELECT * FROM dml_c;

-- unique constraint across UPDATE
CREATE TABLE dml_u (id int PRIMARY KEY, v text) USING cocoon;
INSERT INTO dml_u VALUES (1, 'a'), (2, 'b');
UPDATE dml_u SET id = 2 WHERE id = 1;
UPDATE dml_u SET v = 'b2' WHERE id = 2;
DELETE FROM dml_u WHERE id = 1;
INSERT INTO dml_u VALUES (1, 'again');
SELECT * FROM dml_u ORDER BY id;
DROP TABLE dml_u;

DROP FUNCTION dml_diff();
DROP TABLE dml_h, dml_c;
