--
-- 04_alter: ALTER TABLE on cocoon tables gives the same results as on heap.
-- Every section uses its own pair of tables so that one failure does not
-- hide the others.
--
CREATE FUNCTION alter_diff(h regclass, c regclass,
    OUT heap_rows bigint, OUT cocoon_rows bigint, OUT heap_minus_cocoon bigint, OUT cocoon_minus_heap bigint)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT (SELECT count(*) FROM %1$s), (SELECT count(*) FROM %2$s),
                         (SELECT count(*) FROM (SELECT * FROM %1$s EXCEPT ALL SELECT * FROM %2$s) s),
                         (SELECT count(*) FROM (SELECT * FROM %2$s EXCEPT ALL SELECT * FROM %1$s) s)', h, c)
    INTO heap_rows, cocoon_rows, heap_minus_cocoon, cocoon_minus_heap;
END
$$;

CREATE FUNCTION alter_fill(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('INSERT INTO %s SELECT g, ''a'' || (g %% 10), g * 2, g / 3.0,
                  timestamptz ''2024-03-01 00:00+00'' + g * interval ''1 minute''
                  FROM generate_series(1, 3000) g', tbl);
END
$$;

--
-- 1. DROP COLUMN: old stripes still hold the column, new rows do not
--
CREATE TABLE alter_drop_h (id int, a text, b int, c float8, ts timestamptz);
CREATE TABLE alter_drop_c (LIKE alter_drop_h) USING cocoon;
SELECT alter_fill('alter_drop_h'), alter_fill('alter_drop_c');
ALTER TABLE alter_drop_h DROP COLUMN b;
ALTER TABLE alter_drop_c DROP COLUMN b;
SELECT * FROM alter_diff('alter_drop_h', 'alter_drop_c');
SELECT * FROM alter_drop_c WHERE id IN (1, 3000) ORDER BY id;
INSERT INTO alter_drop_h VALUES (3001, 'new', 1.5, '2024-03-05 00:00+00');
INSERT INTO alter_drop_c VALUES (3001, 'new', 1.5, '2024-03-05 00:00+00');
INSERT INTO alter_drop_h SELECT g, 'm', g, '2024-03-06 00:00+00' FROM generate_series(3002, 3100) g;
INSERT INTO alter_drop_c SELECT g, 'm', g, '2024-03-06 00:00+00' FROM generate_series(3002, 3100) g;
COPY alter_drop_c FROM stdin;
3101	copied	2.5	2024-03-07 00:00:00+00
\.
COPY alter_drop_h FROM stdin;
3101	copied	2.5	2024-03-07 00:00:00+00
\.
SELECT * FROM alter_diff('alter_drop_h', 'alter_drop_c');
SELECT * FROM alter_drop_c WHERE id IN (1, 3001, 3101) ORDER BY id;
-- drop the time column and all but one column
ALTER TABLE alter_drop_h DROP COLUMN a, DROP COLUMN ts;
ALTER TABLE alter_drop_c DROP COLUMN a, DROP COLUMN ts;
INSERT INTO alter_drop_h VALUES (4000, 4.5);
INSERT INTO alter_drop_c VALUES (4000, 4.5);
SELECT * FROM alter_diff('alter_drop_h', 'alter_drop_c');
SELECT * FROM alter_drop_c WHERE id IN (1, 4000) ORDER BY id;

--
-- 2. ADD COLUMN without and with a constant default (no rewrite)
--
CREATE TABLE alter_add_h (id int, a text, b int, c float8, ts timestamptz);
CREATE TABLE alter_add_c (LIKE alter_add_h) USING cocoon;
SELECT alter_fill('alter_add_h'), alter_fill('alter_add_c');
ALTER TABLE alter_add_h ADD COLUMN d int;
ALTER TABLE alter_add_c ADD COLUMN d int;
SELECT count(d) AS non_null_d, count(*) FROM alter_add_c;
INSERT INTO alter_add_h VALUES (3002, 'x', 0, NULL, NULL, 42);
INSERT INTO alter_add_c VALUES (3002, 'x', 0, NULL, NULL, 42);
ALTER TABLE alter_add_h ADD COLUMN e text DEFAULT 'dflt';
ALTER TABLE alter_add_c ADD COLUMN e text DEFAULT 'dflt';
ALTER TABLE alter_add_h ADD COLUMN f int NOT NULL DEFAULT 7;
ALTER TABLE alter_add_c ADD COLUMN f int NOT NULL DEFAULT 7;
SELECT e, f, count(*) FROM alter_add_c GROUP BY e, f ORDER BY e, f;
INSERT INTO alter_add_h (id, a) VALUES (3003, 'y');
INSERT INTO alter_add_c (id, a) VALUES (3003, 'y');
INSERT INTO alter_add_h (id, a, e, f) VALUES (3004, 'z', NULL, 8);
INSERT INTO alter_add_c (id, a, e, f) VALUES (3004, 'z', NULL, 8);
SELECT * FROM alter_diff('alter_add_h', 'alter_add_c');
SELECT id, a, d, e, f FROM alter_add_c WHERE id IN (1, 3000, 3002, 3003, 3004) ORDER BY id;
SELECT e, f, count(*) FROM alter_add_c GROUP BY e, f ORDER BY e, f;

--
-- 3. ADD COLUMN with a volatile default: the table is rewritten
--
CREATE TABLE alter_vol_h (id int, a text, b int, c float8, ts timestamptz);
CREATE TABLE alter_vol_c (LIKE alter_vol_h) USING cocoon;
SELECT alter_fill('alter_vol_h'), alter_fill('alter_vol_c');
-- a deterministic volatile default: a sequence
CREATE SEQUENCE alter_seq_h;
CREATE SEQUENCE alter_seq_c;
ALTER TABLE alter_vol_h ADD COLUMN s bigint DEFAULT nextval('alter_seq_h');
ALTER TABLE alter_vol_c ADD COLUMN s bigint DEFAULT nextval('alter_seq_c');
SELECT count(*), count(DISTINCT s), min(s), max(s) FROM alter_vol_c;
SELECT count(*), count(DISTINCT s), min(s), max(s) FROM alter_vol_h;
-- the rewrite visits rows in insertion order, as heap does here
SELECT count(*) AS same_seq FROM alter_vol_h h JOIN alter_vol_c c USING (id) WHERE h.s = c.s;
INSERT INTO alter_vol_h (id) VALUES (3001);
INSERT INTO alter_vol_c (id) VALUES (3001);
SELECT * FROM alter_diff('alter_vol_h', 'alter_vol_c');
SELECT * FROM alter_vol_c WHERE id IN (1, 3000, 3001) ORDER BY id;
-- clock_timestamp(): every row gets its own non-NULL value
ALTER TABLE alter_vol_c ADD COLUMN g timestamptz DEFAULT clock_timestamp();
SELECT count(*) AS rows, count(g) AS non_null_g, count(DISTINCT g) > 1 AS distinct_values,
       bool_and(g <= clock_timestamp()) AS not_in_future
  FROM alter_vol_c;
-- the rewritten table is still a healthy cocoon table
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 'alter_vol_c'::regclass;
SELECT count(*) AS problems FROM cocoon.verify('alter_vol_c');

--
-- 4. ALTER COLUMN TYPE
--
CREATE TABLE alter_type_h (id int, a text, b int, c float8, ts timestamptz);
CREATE TABLE alter_type_c (LIKE alter_type_h) USING cocoon;
SELECT alter_fill('alter_type_h'), alter_fill('alter_type_c');
-- binary coercible: no rewrite
ALTER TABLE alter_type_h ALTER COLUMN a TYPE varchar(10);
ALTER TABLE alter_type_c ALTER COLUMN a TYPE varchar(10);
SELECT * FROM alter_diff('alter_type_h', 'alter_type_c');
-- int -> bigint: rewrite
ALTER TABLE alter_type_h ALTER COLUMN id TYPE bigint;
ALTER TABLE alter_type_c ALTER COLUMN id TYPE bigint;
SELECT * FROM alter_diff('alter_type_h', 'alter_type_c');
-- float8 -> numeric with USING: rewrite
ALTER TABLE alter_type_h ALTER COLUMN c TYPE numeric USING round(c::numeric, 3);
ALTER TABLE alter_type_c ALTER COLUMN c TYPE numeric USING round(c::numeric, 3);
-- text -> int with USING on a second column, plus varchar -> text
ALTER TABLE alter_type_h ALTER COLUMN b TYPE text USING 'b' || b, ALTER COLUMN a TYPE text;
ALTER TABLE alter_type_c ALTER COLUMN b TYPE text USING 'b' || b, ALTER COLUMN a TYPE text;
\d alter_type_c
SELECT * FROM alter_diff('alter_type_h', 'alter_type_c');
SELECT pg_typeof(id) AS id_type, pg_typeof(a) AS a_type, pg_typeof(b) AS b_type, pg_typeof(c) AS c_type
  FROM alter_type_c LIMIT 1;
SELECT * FROM alter_type_c WHERE id IN (1, 2, 3, 3000) ORDER BY id;
-- a failing type change leaves the table intact
ALTER TABLE alter_type_c ALTER COLUMN a TYPE int USING a::int;
SELECT * FROM alter_diff('alter_type_h', 'alter_type_c');
INSERT INTO alter_type_h VALUES (9000000000, 'big', 'bb', 1.5, NULL);
INSERT INTO alter_type_c VALUES (9000000000, 'big', 'bb', 1.5, NULL);
SELECT * FROM alter_diff('alter_type_h', 'alter_type_c');

--
-- 5. DROP COLUMN followed by a rewrite (ALTER TYPE of another column)
--
CREATE TABLE alter_dt_h (id int, a text, b int, c float8, ts timestamptz);
CREATE TABLE alter_dt_c (LIKE alter_dt_h) USING cocoon;
SELECT alter_fill('alter_dt_h'), alter_fill('alter_dt_c');
ALTER TABLE alter_dt_h DROP COLUMN a;
ALTER TABLE alter_dt_c DROP COLUMN a;
ALTER TABLE alter_dt_h ALTER COLUMN b TYPE int8;
ALTER TABLE alter_dt_c ALTER COLUMN b TYPE int8;
SELECT * FROM alter_diff('alter_dt_h', 'alter_dt_c');
SELECT * FROM alter_dt_c WHERE id IN (1, 3000) ORDER BY id;

--
-- 6. renames and constraints
--
CREATE TABLE alter_misc_h (id int, a text, b int, c float8, ts timestamptz);
CREATE TABLE alter_misc_c (LIKE alter_misc_h) USING cocoon;
SELECT alter_fill('alter_misc_h'), alter_fill('alter_misc_c');
ALTER TABLE alter_misc_c RENAME COLUMN a TO a2;
ALTER TABLE alter_misc_c RENAME TO alter_misc_c2;
SELECT count(*), count(a2) FROM alter_misc_c2;
ALTER TABLE alter_misc_c2 RENAME TO alter_misc_c;
ALTER TABLE alter_misc_c RENAME COLUMN a2 TO a;
ALTER TABLE alter_misc_c ADD CONSTRAINT alter_chk CHECK (id > 0);
ALTER TABLE alter_misc_c ADD CONSTRAINT alter_chk_bad CHECK (id > 100);
INSERT INTO alter_misc_c (id) VALUES (-5);
ALTER TABLE alter_misc_c ALTER COLUMN a SET NOT NULL;
ALTER TABLE alter_misc_c ALTER COLUMN id SET NOT NULL;
INSERT INTO alter_misc_c (id, a) VALUES (NULL, 'n');
ALTER TABLE alter_misc_c ALTER COLUMN ts SET NOT NULL;
SELECT * FROM alter_diff('alter_misc_h', 'alter_misc_c');

DROP TABLE alter_drop_h, alter_drop_c, alter_add_h, alter_add_c, alter_vol_h, alter_vol_c,
           alter_type_h, alter_type_c, alter_dt_h, alter_dt_c, alter_misc_h, alter_misc_c;
DROP FUNCTION alter_diff(regclass, regclass);
DROP FUNCTION alter_fill(regclass);
DROP SEQUENCE alter_seq_h, alter_seq_c;
