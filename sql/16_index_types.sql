--
-- Index access methods on cocoon tables: btree, hash, GIN and GiST work
-- (through index and bitmap scans) and agree with heap; BRIN is refused.
--
CREATE TABLE ixt_c (id int, ts timestamptz, tags text[], attrs jsonb, r int4range) USING cocoon;
INSERT INTO ixt_c SELECT g, '2026-01-01'::timestamptz + g * interval '1 s', ARRAY['t' || (g % 10)],
       jsonb_build_object('k', g % 100), int4range(g, g + 10)
  FROM generate_series(1, 20000) g;
CREATE TABLE ixt_h AS SELECT * FROM ixt_c;
CREATE INDEX ixt_c_hash ON ixt_c USING hash (id);
CREATE INDEX ixt_c_gin ON ixt_c USING gin (attrs);
CREATE INDEX ixt_c_gin_tags ON ixt_c USING gin (tags);
CREATE INDEX ixt_c_gist ON ixt_c USING gist (r);
CREATE INDEX ixt_c_brin ON ixt_c USING brin (ts);
SET enable_seqscan = off;
SET cocoon.enable_custom_scan = off;
EXPLAIN (COSTS OFF) SELECT * FROM ixt_c WHERE id = 777;
SELECT id, tags, attrs FROM ixt_c WHERE id = 777;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ixt_c WHERE attrs @> '{"k": 5}';
SELECT (SELECT count(*) FROM ixt_c WHERE attrs @> '{"k": 5}') = (SELECT count(*) FROM ixt_h WHERE attrs @> '{"k": 5}') AS gin_same;
SELECT (SELECT count(*) FROM ixt_c WHERE tags @> ARRAY['t3']) = (SELECT count(*) FROM ixt_h WHERE tags @> ARRAY['t3']) AS gin_array_same;
SELECT (SELECT string_agg(id::text, ',' ORDER BY id) FROM ixt_c WHERE r @> 500)
     = (SELECT string_agg(id::text, ',' ORDER BY id) FROM ixt_h WHERE r @> 500) AS gist_same;
-- indexes stay right through DELETE, UPDATE and compaction
DELETE FROM ixt_c WHERE id % 3 = 0;  DELETE FROM ixt_h WHERE id % 3 = 0;
UPDATE ixt_c SET attrs = '{"k": -1}' WHERE id % 10 = 1;  UPDATE ixt_h SET attrs = '{"k": -1}' WHERE id % 10 = 1;
SELECT * FROM cocoon.compact('ixt_c');
SELECT (SELECT count(*) FROM ixt_c WHERE attrs @> '{"k": -1}') = (SELECT count(*) FROM ixt_h WHERE attrs @> '{"k": -1}') AS gin_after_dml;
SELECT (SELECT count(*) FROM ixt_c WHERE r && int4range(100, 200)) = (SELECT count(*) FROM ixt_h WHERE r && int4range(100, 200)) AS gist_after_dml;
SELECT count(*) FROM ixt_c WHERE id = 999;
RESET enable_seqscan;
RESET cocoon.enable_custom_scan;
DROP TABLE ixt_c, ixt_h;
