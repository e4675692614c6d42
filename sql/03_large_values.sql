--
-- 03_large_values: multi-megabyte values and a 200-column table
--
CREATE TABLE large_heap (id int, t text, j jsonb, b bytea, small text);
CREATE TABLE large_coc (LIKE large_heap) USING cocoon;

INSERT INTO large_heap VALUES
  (1, repeat('x', 5000000), NULL, NULL, 'a'),
  (2, NULL, (SELECT jsonb_agg(jsonb_build_object('k', g, 'v', repeat(chr(97 + g % 26), 20)))
               FROM generate_series(1, 60000) g), NULL, 'b'),
  (3, NULL, NULL, (SELECT string_agg(decode(md5(g::text), 'hex'), ''::bytea)
                     FROM generate_series(1, 200000) g), 'c'),
  -- incompressible text (md5 hex) of ~3 MB
  (4, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 100000) g), NULL, NULL, 'd'),
  (5, '', '{}', '\x', 'e'),
  (6, repeat('ab', 1000000), '[1]', decode(repeat('00', 3000000), 'hex'), 'f');
INSERT INTO large_coc SELECT * FROM large_heap;

SELECT id, length(t) AS t_len, md5(t) AS t_md5, length(j::text) AS j_len, md5(j::text) AS j_md5,
       length(b) AS b_len, md5(b) AS b_md5, small
  FROM large_coc ORDER BY id;
SELECT count(*) AS mismatches
  FROM large_heap h FULL JOIN large_coc c USING (id)
 WHERE md5(h.t) IS DISTINCT FROM md5(c.t)
    OR md5(h.j::text) IS DISTINCT FROM md5(c.j::text)
    OR md5(h.b) IS DISTINCT FROM md5(c.b)
    OR h.small IS DISTINCT FROM c.small;
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM large_heap EXCEPT ALL SELECT * FROM large_coc) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM large_coc EXCEPT ALL SELECT * FROM large_heap) s;
-- reading only the small column must not need the big ones
SELECT string_agg(small, ',' ORDER BY small) FROM large_coc;
SELECT substr(t, 4999990) FROM large_coc WHERE id = 1;
SELECT jsonb_array_length(j), j->59999 FROM large_coc WHERE id = 2;

-- large values mixed with many small ones in the same chunk
INSERT INTO large_heap SELECT g, CASE WHEN g = 50 THEN repeat('y', 2000000) ELSE 'row' || g END, NULL, NULL, NULL
  FROM generate_series(10, 200) g;
INSERT INTO large_coc SELECT * FROM large_heap WHERE id >= 10;
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM large_heap EXCEPT ALL SELECT * FROM large_coc) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM large_coc EXCEPT ALL SELECT * FROM large_heap) s;
SELECT id, length(t) FROM large_coc WHERE id IN (49, 50, 51) ORDER BY id;

DROP TABLE large_heap, large_coc;

-- a wide table: 200 columns of mixed types
DO $$
DECLARE
    cols text := '';
BEGIN
    FOR i IN 1..200 LOOP
        cols := cols || format(', c%s %s', i,
                   CASE i % 4 WHEN 0 THEN 'int' WHEN 1 THEN 'text' WHEN 2 THEN 'float8' ELSE 'timestamptz' END);
    END LOOP;
    EXECUTE format('CREATE TABLE wide_heap (id int%s)', cols);
    EXECUTE format('CREATE TABLE wide_coc (id int%s) USING cocoon', cols);
END
$$;
SELECT count(*) AS ncols FROM pg_attribute WHERE attrelid = 'wide_coc'::regclass AND attnum > 0;

DO $$
DECLARE
    exprs text := '';
BEGIN
    FOR i IN 1..200 LOOP
        exprs := exprs || ', ' || CASE i % 4
            WHEN 0 THEN format('CASE WHEN (g + %s) %% 10 = 0 THEN NULL ELSE g * %s END', i, i)
            WHEN 1 THEN format('CASE WHEN (g + %s) %% 9 = 0 THEN NULL ELSE ''v'' || (g %% %s) END', i, i)
            WHEN 2 THEN format('CASE WHEN (g + %s) %% 8 = 0 THEN NULL ELSE g / %s.0 END', i, i)
            ELSE format('CASE WHEN (g + %s) %% 7 = 0 THEN NULL ELSE timestamptz ''2024-01-01 00:00+00'' + g * interval ''%s seconds'' END', i, i)
        END;
    END LOOP;
    EXECUTE format('INSERT INTO wide_heap SELECT g%s FROM generate_series(1, 2000) g', exprs);
END
$$;
INSERT INTO wide_coc SELECT * FROM wide_heap;
SELECT (SELECT count(*) FROM wide_heap) AS heap_rows, (SELECT count(*) FROM wide_coc) AS cocoon_rows;
SELECT count(*) AS heap_minus_cocoon FROM (SELECT * FROM wide_heap EXCEPT ALL SELECT * FROM wide_coc) s;
SELECT count(*) AS cocoon_minus_heap FROM (SELECT * FROM wide_coc EXCEPT ALL SELECT * FROM wide_heap) s;
SELECT id, c1, c2, c3, c4, c197, c198, c199, c200 FROM wide_coc WHERE id IN (1, 1000, 2000) ORDER BY id;
SELECT sum(c200), count(c199), max(c198), min(c197) FROM wide_coc;
SELECT sum(c200), count(c199), max(c198), min(c197) FROM wide_heap;
DROP TABLE wide_heap, wide_coc;
