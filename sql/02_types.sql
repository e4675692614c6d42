--
-- 02_types: every type round trips through cocoon exactly as through heap
--
SET extra_float_digits = 3;
CREATE TYPE types_mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN types_posint AS int CHECK (VALUE > 0);
CREATE DOMAIN types_code AS text CHECK (VALUE ~ '^[A-Z]+$');
CREATE TYPE types_pair AS (a int, b text);

CREATE TABLE types_heap (
    id      int,
    i2      int2,
    i4      int4,
    i8      int8,
    f4      float4,
    f8      float8,
    num     numeric,
    num_s   numeric(10,2),
    b       bool,
    t       text,
    vc      varchar(20),
    ch      char(5),
    nm      name,
    ba      bytea,
    d       date,
    tm      time,
    ttz     timetz,
    tsp     timestamp,
    tstz    timestamptz,
    iv      interval,
    u       uuid,
    ip      inet,
    cid     cidr,
    mac     macaddr,
    js      json,
    jb      jsonb,
    ai      int[],
    at      text[],
    mood    types_mood,
    pint    types_posint,
    code    types_code,
    pair    types_pair,
    r4      int4range,
    rtz     tstzrange,
    pt      point,
    m       money,
    o       oid,
    c1      "char",
    tsv     tsvector,
    x       xml,
    allnull int8,
    allnull_t text
);
CREATE TABLE types_coc (LIKE types_heap) USING cocoon;

-- hand-written edge cases
INSERT INTO types_heap (id, i2, i4, i8, f4, f8, num, num_s, b, t, vc, ch, nm, ba,
                        d, tm, ttz, tsp, tstz, iv, u, ip, cid, mac, js, jb, ai, at,
                        mood, pint, code, pair, r4, rtz, pt, m, o, c1, tsv, x) VALUES
 (1, -32768, -2147483648, -9223372036854775808, 'NaN', 'NaN', 'NaN', -99999999.99, false,
  '', '', '', '', '\x',
  '-infinity', '00:00:00', '00:00:00+14', '-infinity', '-infinity', '-178000000 years',
  '00000000-0000-0000-0000-000000000000', '0.0.0.0', '0.0.0.0/0', '00:00:00:00:00:00',
  '{}', '{}', '{}', '{}', 'sad', 1, 'A', ROW(NULL, NULL), 'empty', 'empty',
  '(0,0)', '-92233720368547758.08', 0, 'a', '', '<a/>'),
 (2, 32767, 2147483647, 9223372036854775807, 'Infinity', 'Infinity', 'Infinity', 99999999.99, true,
  repeat('long text ', 50), 'varchar', 'abc', 'a_name_that_is_exactly_sixty_three_characters_long_abcdefghijklm', '\xdeadbeef00ff',
  'infinity', '24:00:00', '23:59:59.999999-14', 'infinity', 'infinity', '178000000 years',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff',
  '{"a": [1, 2, {"b": null}], "a": 2}', '{"a": [1, 2, {"b": null}], "a": 2}', '{1,NULL,3}', '{"x",NULL,"with, comma","quote\""}',
  'happy', 2147483647, 'XYZ', ROW(1, 'one'), '[1,10)', '[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)',
  '(1.5,-2.5)', '92233720368547758.07', 4294967295, E'\\377', 'a fat cat:1A sat on:2B the mat', '<root attr="v"><c>text &amp; more</c></root>'),
 (3, 0, 0, 0, '-Infinity', '-Infinity', '-Infinity', 0, NULL,
  E'tab\tnewline\nquote''back\\slash', 'ünïcödé ✓', 'x', 'ünïcödé', '\x00',
  '2000-02-29', '12:34:56.789012', '12:34:56.789012+05:30', '2000-02-29 12:34:56.789012', '2000-02-29 12:34:56.789012+00',
  '1 year 2 months 3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.1.5/24', '10.0.0.0/8', '08:00:2b:01:02:03',
  '[1, "two", 3.0]', '[1, "two", 3.0]', '{{1,2},{3,4}}', '{{"a","b"},{"c","d"}}',
  'ok', 42, 'CODE', ROW(-1, ''), '(,5]', '(,)',
  '(-0,1e300)', 0, 1, ' ', '''quoted'':1', NULL),
 (4, -1, -1, -1, '-0', '-0', '-0', -0.01, false,
  'x', 'x', 'x    ', 'x', '\x01',
  '4713-01-01 BC', '23:59:59.999999', '00:00:00-00:01', '4713-01-01 00:00:00 BC', '4713-01-01 00:00:00+00 BC',
  '-1 microsecond', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '255.255.255.255', '::/0', '01:02:03:04:05:06',
  'null', 'null', '{-1}', '{""}',
  'sad', 1, 'Z', ROW(0, NULL), '[-2147483648,2147483647)', '[-infinity,infinity]',
  '(NaN,Infinity)', -0.01, 2147483648, E'\\001', 'ä:1', '<x>ä</x>'),
 (5, 1, 1, 1, 1.17549435e-38, 2.2250738585072014e-308, '1e-1000', 0.01, true,
  'x', 'x', 'x', 'x', '\x01',
  '294276-12-31', '00:00:00.000001', '00:00:00.000001+00', '294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999999+00',
  '0', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', '1.2.3.4', '1.2.3.4/32', '01:02:03:04:05:06',
  '"string"', '"string"', '{}', '{}',
  'happy', 1, 'Z', NULL, '[5,5]', '[2024-01-01,2024-01-01]',
  '(1,1)', 0.01, 4294967294, E'\\177', 'a:1,2,3', '<![CDATA[x<y]]>'),
 (6, NULL, NULL, NULL, 3.4028235e38, 1.7976931348623157e308, repeat('9', 1000)::numeric, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (7, NULL, NULL, NULL, 1e-45, 5e-324, -(repeat('12345678', 100) || '.' || repeat('87654321', 100))::numeric, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (8, NULL, NULL, NULL, 0.1, 0.1, 0.1, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (9, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- alternating extremes (stress delta / frame-of-reference integer codecs)
INSERT INTO types_heap (id, i2, i4, i8, f4, f8, d, tsp, tstz, o, m, c1)
SELECT 100 + g,
       CASE WHEN g % 2 = 0 THEN -32768 ELSE 32767 END,
       CASE WHEN g % 2 = 0 THEN -2147483648 ELSE 2147483647 END,
       CASE WHEN g % 2 = 0 THEN -9223372036854775808 ELSE 9223372036854775807 END,
       CASE WHEN g % 3 = 0 THEN 'NaN'::float4 WHEN g % 3 = 1 THEN '-0'::float4 ELSE 'Infinity'::float4 END,
       CASE WHEN g % 3 = 0 THEN 'NaN'::float8 WHEN g % 3 = 1 THEN '-0'::float8 ELSE '-Infinity'::float8 END,
       CASE WHEN g % 2 = 0 THEN '-infinity'::date ELSE 'infinity'::date END,
       CASE WHEN g % 2 = 0 THEN '-infinity'::timestamp ELSE 'infinity'::timestamp END,
       CASE WHEN g % 2 = 0 THEN '-infinity'::timestamptz ELSE 'infinity'::timestamptz END,
       CASE WHEN g % 2 = 0 THEN 0::oid ELSE 4294967295::oid END,
       CASE WHEN g % 2 = 0 THEN '-92233720368547758.08'::money ELSE '92233720368547758.07'::money END,
       CASE WHEN g % 2 = 0 THEN E'\\200'::"char" ELSE E'\\177'::"char" END
FROM generate_series(1, 300) g;

-- regular generated data (dictionary, constant, sequential and decimal patterns)
INSERT INTO types_heap
SELECT 1000 + g,
       (g % 100)::int2,
       g * 7,
       g::int8 * 1000000007,
       (g % 1000) / 4.0,
       (g % 1000) / 100.0,
       (g * 1.25)::numeric,
       (g % 500) / 100.0,
       g % 3 = 0,
       'text ' || (g % 10),
       'vc' || g,
       (g % 4)::text,
       'name' || (g % 5),
       decode(md5(g::text), 'hex'),
       date '2024-01-01' + g,
       time '00:00' + g * interval '1 second',
       (time '00:00' + g * interval '1 second')::timetz,
       timestamp '2024-01-01' + g * interval '1 minute',
       timestamptz '2024-01-01 00:00+00' + g * interval '1 minute',
       g * interval '1 hour 1 microsecond',
       md5(g::text)::uuid,
       ('10.0.' || (g % 256) || '.' || (g % 7))::inet,
       ('10.' || (g % 256) || '.0.0/16')::cidr,
       ('08:00:2b:01:' || lpad(to_hex(g % 256), 2, '0') || ':03')::macaddr,
       json_build_object('g', g, 'sq', g * g),
       jsonb_build_object('g', g, 'arr', jsonb_build_array(g, 'x')),
       ARRAY[g, g + 1, NULL],
       ARRAY['t' || g, NULL],
       (ARRAY['sad','ok','happy']::types_mood[])[1 + g % 3],
       g,
       (ARRAY['AB','CD','EF'])[1 + g % 3],
       ROW(g, 'p' || g)::types_pair,
       int4range(g, g + 10),
       tstzrange(timestamptz '2024-01-01 00:00+00' + g * interval '1 hour', NULL),
       point(g, -g),
       (g * 0.01)::numeric::money,
       g::oid,
       chr(65 + g % 26)::"char",
       to_tsvector('simple', 'word' || g || ' other'),
       xmlelement(name e, g),
       NULL, NULL
FROM generate_series(1, 3000) g
WHERE g % 97 <> 0;    -- a few gaps

-- explicit all-NULL rows in the middle
INSERT INTO types_heap (id) SELECT 5000 + g FROM generate_series(1, 50) g;

SELECT cocoon.set_options('types_coc', chunk_rows => 500, stripe_rows => 2000);
INSERT INTO types_coc SELECT * FROM types_heap;

SELECT (SELECT count(*) FROM types_heap) AS heap_rows, (SELECT count(*) FROM types_coc) AS cocoon_rows;

-- typed comparison, both ways, for every column that has equality
SELECT count(*) AS heap_minus_cocoon FROM (
  SELECT id, i2, i4, i8, f4, f8, num, num_s, b, t, vc, ch, nm, ba, d, tm, ttz, tsp, tstz, iv, u, ip, cid, mac,
         jb, ai, at, mood, pint, code, pair, r4, rtz, m, o, c1, tsv, allnull, allnull_t FROM types_heap
  EXCEPT ALL
  SELECT id, i2, i4, i8, f4, f8, num, num_s, b, t, vc, ch, nm, ba, d, tm, ttz, tsp, tstz, iv, u, ip, cid, mac,
         jb, ai, at, mood, pint, code, pair, r4, rtz, m, o, c1, tsv, allnull, allnull_t FROM types_coc) s;
SELECT count(*) AS cocoon_minus_heap FROM (
  SELECT id, i2, i4, i8, f4, f8, num, num_s, b, t, vc, ch, nm, ba, d, tm, ttz, tsp, tstz, iv, u, ip, cid, mac,
         jb, ai, at, mood, pint, code, pair, r4, rtz, m, o, c1, tsv, allnull, allnull_t FROM types_coc
  EXCEPT ALL
  SELECT id, i2, i4, i8, f4, f8, num, num_s, b, t, vc, ch, nm, ba, d, tm, ttz, tsp, tstz, iv, u, ip, cid, mac,
         jb, ai, at, mood, pint, code, pair, r4, rtz, m, o, c1, tsv, allnull, allnull_t FROM types_heap) s;

-- textual comparison of whole rows (covers json, point, xml, -0.0, NaN payloads)
SELECT count(*) AS heap_minus_cocoon_text FROM (
  SELECT h::text FROM types_heap h EXCEPT ALL SELECT c::text FROM types_coc c) s;
SELECT count(*) AS cocoon_minus_heap_text FROM (
  SELECT c::text FROM types_coc c EXCEPT ALL SELECT h::text FROM types_heap h) s;

-- per-column textual comparison, to name any column that differs
SELECT d.key AS attname, count(*) AS differing_rows
  FROM types_heap h JOIN types_coc c USING (id),
       LATERAL (SELECT key FROM jsonb_each(to_jsonb(h)) e1 FULL JOIN jsonb_each(to_jsonb(c)) e2 USING (key)
                 WHERE e1.value::text IS DISTINCT FROM e2.value::text) d
 GROUP BY d.key ORDER BY d.key;
SELECT count(*) AS differing_pt_js_x FROM types_heap h JOIN types_coc c USING (id)
 WHERE h.pt::text IS DISTINCT FROM c.pt::text
    OR h.js::text IS DISTINCT FROM c.js::text
    OR h.x::text IS DISTINCT FROM c.x::text
    OR h.f4::text IS DISTINCT FROM c.f4::text
    OR h.f8::text IS DISTINCT FROM c.f8::text;

-- the edge rows, visibly
SELECT id, i2, i4, i8, f4, f8, f8 = 0 AND f8::text = '-0' AS f8_negzero,
       f8::text AS f8_text, f4::text AS f4_text
  FROM types_coc WHERE id < 100 ORDER BY id;
-- sign bit of -0.0 survives (heap prints -0 too)
SELECT id, f4::text, f8::text, num::text, m FROM types_coc WHERE id = 4;
SELECT id, num_s, b, t, vc, ch, length(ch) AS ch_len, octet_length(ch::bpchar) AS ch_octets, nm, ba
  FROM types_coc WHERE id < 100 ORDER BY id;
SELECT id, d, tm, ttz, tsp, tstz, iv FROM types_coc WHERE id < 100 ORDER BY id;
SELECT id, u, ip, cid, mac, js, jb, ai, at FROM types_coc WHERE id < 100 ORDER BY id;
SELECT id, mood, pint, code, pair, (pair).a AS pair_a, r4, rtz, pt, m, o, c1, ascii(c1::text) AS c1_ascii, tsv, x
  FROM types_coc WHERE id < 100 ORDER BY id;
SELECT id, length(c.num::text) AS num_len, md5(c.num::text) = md5(h.num::text) AS same_num
  FROM types_coc c JOIN types_heap h USING (id) WHERE id IN (6, 7) ORDER BY id;
SELECT count(allnull) AS allnull_nonnull, count(allnull_t) AS allnull_t_nonnull, count(*) FROM types_coc;

-- the alternating-extremes block
SELECT count(*) FILTER (WHERE i8 = 9223372036854775807) AS i8_max,
       count(*) FILTER (WHERE i8 = -9223372036854775808) AS i8_min,
       count(*) FILTER (WHERE i2 = -32768) AS i2_min,
       count(*) FILTER (WHERE f8::text = '-0') AS f8_negzero,
       count(*) FILTER (WHERE f4::text = '-0') AS f4_negzero,
       count(*) FILTER (WHERE f8 = 'NaN') AS f8_nan,
       count(*) FILTER (WHERE tstz = 'infinity') AS tstz_inf,
       count(*) FILTER (WHERE o = 4294967295) AS oid_max,
       count(*) FILTER (WHERE c1::text = '\200') AS char_128
  FROM types_coc WHERE id BETWEEN 101 AND 400;

-- operators on values read from cocoon
SELECT count(*) FROM types_coc WHERE jb @> '{"g": 42}';
SELECT count(*) FROM types_coc WHERE tsv @@ to_tsquery('simple', 'word42');
SELECT count(*) FROM types_coc WHERE ip << '10.0.1.0/24';
SELECT count(*) FROM types_coc WHERE r4 @> 2500;
SELECT count(*) FROM types_coc WHERE mood = 'happy';
SELECT sum(pint), sum(i8 / 1000000007) FILTER (WHERE id >= 1000), sum(m) FILTER (WHERE id >= 1000) FROM types_coc;
SELECT sum(pint), sum(i8 / 1000000007) FILTER (WHERE id >= 1000), sum(m) FILTER (WHERE id >= 1000) FROM types_heap;

-- domain constraints are still checked on insert into cocoon
INSERT INTO types_coc (id, pint) VALUES (-1, 0);
INSERT INTO types_coc (id, code) VALUES (-1, 'lower');
SELECT count(*) FROM types_coc WHERE id = -1;

-- one-column tables of each kind of storage, with NULLs at chunk edges
CREATE TABLE types_one_heap (v int8);
CREATE TABLE types_one_coc (v int8) USING cocoon;
SELECT cocoon.set_options('types_one_coc', chunk_rows => 100, stripe_rows => 1000);
INSERT INTO types_one_heap
SELECT CASE WHEN g % 100 IN (0, 99) THEN NULL
            WHEN g BETWEEN 300 AND 399 THEN NULL          -- an all-NULL chunk
            WHEN g BETWEEN 400 AND 499 THEN 7             -- a constant chunk
            WHEN g BETWEEN 500 AND 599 THEN g * 1000      -- sequential
            WHEN g BETWEEN 600 AND 699 THEN (g % 3) - 9223372036854775807
            ELSE (g * 2654435761) % 1000003 END
FROM generate_series(0, 2499) g;
INSERT INTO types_one_coc SELECT * FROM types_one_heap;
SELECT (SELECT count(*) FROM (SELECT * FROM types_one_heap EXCEPT ALL SELECT * FROM types_one_coc) a) AS h_minus_c,
       (SELECT count(*) FROM (SELECT * FROM types_one_coc EXCEPT ALL SELECT * FROM types_one_heap) a) AS c_minus_h,
       (SELECT count(*) FROM types_one_coc) AS n, (SELECT count(v) FROM types_one_coc) AS nn;

DROP TABLE types_one_heap, types_one_coc;
DROP TABLE types_heap, types_coc;
DROP TYPE types_pair;
DROP DOMAIN types_code;
DROP DOMAIN types_posint;
DROP TYPE types_mood;
