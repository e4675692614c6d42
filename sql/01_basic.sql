--
-- 01_basic: the issue's example, heap vs cocoon
--
CREATE TABLE basic_heap (
    ts         timestamptz,
    level      text,
    service    text,
    host       text,
    message    text,
    status     int,
    latency_ms float8,
    trace_id   uuid,
    attrs      jsonb
);
CREATE TABLE basic_logs (LIKE basic_heap) USING cocoon;

-- pg_regress hides the access method by default
\set HIDE_TABLEAM off
\d+ basic_logs
\set HIDE_TABLEAM on

SELECT c.relname, a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
 WHERE c.relname IN ('basic_heap', 'basic_logs') ORDER BY 1;

-- empty table
SELECT count(*) FROM basic_logs;
SELECT * FROM basic_logs;

-- single row
INSERT INTO basic_logs VALUES
  ('2024-01-01 00:00:00+00', 'INFO', 'api', 'web-1', 'started', 200, 1.5,
   '00000000-0000-0000-0000-000000000001', '{"k": 1}');
INSERT INTO basic_heap VALUES
  ('2024-01-01 00:00:00+00', 'INFO', 'api', 'web-1', 'started', 200, 1.5,
   '00000000-0000-0000-0000-000000000001', '{"k": 1}');
SELECT * FROM basic_logs;

-- multi-row VALUES, with NULLs
INSERT INTO basic_logs VALUES
  ('2024-01-01 00:00:01+00', 'WARN', 'api', 'web-2', 'slow request', 200, 950.25, NULL, '{"path": "/x"}'),
  ('2024-01-01 00:00:02+00', 'ERROR', 'db', NULL, 'connection reset', 500, NULL,
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO basic_heap VALUES
  ('2024-01-01 00:00:01+00', 'WARN', 'api', 'web-2', 'slow request', 200, 950.25, NULL, '{"path": "/x"}'),
  ('2024-01-01 00:00:02+00', 'ERROR', 'db', NULL, 'connection reset', 500, NULL,
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM basic_logs ORDER BY ts NULLS LAST;

-- INSERT ... SELECT with deterministic generated data
INSERT INTO basic_heap
SELECT timestamptz '2024-01-02 00:00:00+00' + i * interval '1 second',
       (ARRAY['DEBUG','INFO','WARN','ERROR'])[1 + i % 4],
       'svc-' || (i % 7),
       'host-' || (i % 13),
       'request ' || i || ' handled' || repeat('.', i % 5),
       (ARRAY[200, 201, 404, 500])[1 + (i / 3) % 4],
       CASE WHEN i % 17 = 0 THEN NULL ELSE (i % 1000) / 8.0 END,
       md5(i::text)::uuid,
       CASE WHEN i % 11 = 0 THEN NULL
            ELSE jsonb_build_object('i', i, 'even', i % 2 = 0, 'tags', jsonb_build_array('a', i % 3)) END
FROM generate_series(1, 20000) i;
INSERT INTO basic_logs SELECT * FROM basic_heap WHERE ts >= '2024-01-02 00:00:00+00';

-- COPY FROM STDIN
COPY basic_heap FROM stdin;
2024-01-03 10:00:00+00	INFO	copy	h1	copied row one	200	3.25	11111111-2222-3333-4444-555555555555	{"src": "copy"}
2024-01-03 10:00:01+00	ERROR	copy	h2	tab\there and newline\nthere	503	\N	\N	{"a": [1, 2, 3]}
\N	\N	\N	\N	\N	\N	\N	\N	\N
2024-01-03 10:00:02+00	DEBUG	copy	h1	back\\slash	204	-0.5	\N	{}
\.
COPY basic_logs FROM stdin;
2024-01-03 10:00:00+00	INFO	copy	h1	copied row one	200	3.25	11111111-2222-3333-4444-555555555555	{"src": "copy"}
2024-01-03 10:00:01+00	ERROR	copy	h2	tab\there and newline\nthere	503	\N	\N	{"a": [1, 2, 3]}
\N	\N	\N	\N	\N	\N	\N	\N	\N
2024-01-03 10:00:02+00	DEBUG	copy	h1	back\\slash	204	-0.5	\N	{}
\.

-- counts and EXCEPT ALL both ways
SELECT (SELECT count(*) FROM basic_heap) AS heap_rows,
       (SELECT count(*) FROM basic_logs) AS cocoon_rows;
SELECT count(*) AS heap_minus_cocoon FROM
  (SELECT * FROM basic_heap EXCEPT ALL SELECT * FROM basic_logs) d;
SELECT count(*) AS cocoon_minus_heap FROM
  (SELECT * FROM basic_logs EXCEPT ALL SELECT * FROM basic_heap) d;

-- GROUP BY level
SELECT level, count(*), sum(status), round(avg(latency_ms)::numeric, 4) AS avg_latency,
       min(ts), max(ts)
  FROM basic_logs GROUP BY level ORDER BY level NULLS LAST;
SELECT level, count(*), sum(status), round(avg(latency_ms)::numeric, 4) AS avg_latency,
       min(ts), max(ts)
  FROM basic_heap GROUP BY level ORDER BY level NULLS LAST;
SELECT count(*) AS group_diff FROM (
  (SELECT level, count(*), sum(status), sum(latency_ms) FROM basic_logs GROUP BY level
   EXCEPT ALL
   SELECT level, count(*), sum(status), sum(latency_ms) FROM basic_heap GROUP BY level)
  UNION ALL
  (SELECT level, count(*), sum(status), sum(latency_ms) FROM basic_heap GROUP BY level
   EXCEPT ALL
   SELECT level, count(*), sum(status), sum(latency_ms) FROM basic_logs GROUP BY level)) d;

-- a few typical log queries
SELECT service, count(*) FROM basic_logs WHERE level = 'ERROR' AND status >= 500
 GROUP BY service ORDER BY service;
SELECT ts, message FROM basic_logs WHERE message LIKE '%\\%' OR message LIKE E'%\t%' ORDER BY ts;
SELECT attrs->>'i' AS i, attrs->'tags' AS tags FROM basic_logs
 WHERE (attrs->>'i')::int BETWEEN 100 AND 104 ORDER BY 1;
SELECT count(*) FROM basic_logs WHERE trace_id = md5('12345')::uuid;
SELECT count(DISTINCT host), count(DISTINCT trace_id), count(attrs), count(latency_ms) FROM basic_logs;
SELECT count(DISTINCT host), count(DISTINCT trace_id), count(attrs), count(latency_ms) FROM basic_heap;

-- whole-row references and ORDER BY/LIMIT
SELECT basic_logs FROM basic_logs ORDER BY ts LIMIT 3;
SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) =
       (SELECT md5(string_agg(h::text, '|' ORDER BY h::text)) FROM basic_heap h) AS same_text
  FROM basic_logs t;

DROP TABLE basic_logs;
DROP TABLE basic_heap;
