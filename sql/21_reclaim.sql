--
-- 21_reclaim: one VACUUM frees the space of stripes no snapshot can see:
-- stripes of rolled back transactions (top level, savepoints, prepared
-- transactions), stripes wholly deleted by a committed DELETE, and bytes
-- nothing names any more.  Freed space is reused by new stripes, and a
-- free tail is cut off the file.  In-progress (prepared) transactions keep
-- their stripes.
--
-- heap (auto)vacuum of the directory would remove rolled back directory
-- rows before a cocoon VACUUM sees them; their bytes are then found as
-- "unnamed" (section d).  Sections a-c look at the rows themselves.
ALTER TABLE cocoon.stripe SET (autovacuum_enabled = off);
VACUUM cocoon.stripe;
CREATE TABLE rc (id int, ts timestamptz, msg text) USING cocoon;
SELECT cocoon.set_options('rc', stripe_rows => 10000, chunk_rows => 1000);
CREATE FUNCTION rc_fill(lo int, hi int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO rc SELECT g, timestamptz '2024-03-01 00:00+00' + g * interval '100 ms',
                        md5(g::text) || ' payload ' || g
    FROM generate_series(lo, hi) g;
$$;
SELECT rc_fill(1, 20000);
SELECT pg_relation_size('rc') AS base \gset

-- (a) a rolled back INSERT: one VACUUM frees its stripes and cuts the file back
BEGIN;
SELECT rc_fill(100001, 200000);
ROLLBACK;
SELECT pg_relation_size('rc') > :base AS grew,
       reclaimable_bytes > 100000 AS reclaimable, free_bytes, reclaimed_bytes
  FROM cocoon.stats('rc');
VACUUM rc;
SELECT pg_relation_size('rc') = :base AS back_to_base,
       reclaimable_bytes, free_bytes, reclaimed_bytes > 100000 AS reclaimed
  FROM cocoon.stats('rc');
SELECT count(*), sum(id) FROM rc;

-- (b) a savepoint rolled back (its full stripes were written): the space
-- in the middle is freed, the stripes after it move down, the file shrinks
BEGIN;
SELECT rc_fill(20001, 21000);
SAVEPOINT s1;
SELECT rc_fill(300001, 350000);
ROLLBACK TO s1;
SELECT rc_fill(21001, 22000);
COMMIT;
SELECT pg_relation_size('rc') AS before_vacuum \gset
VACUUM rc;
SELECT pg_relation_size('rc') < :before_vacuum AS shrunk,
       pg_relation_size('rc') - :base < 100000 AS close_to_base,
       reclaimable_bytes, free_bytes
  FROM cocoon.stats('rc');
SELECT count(*), sum(id), min(id), max(id) FROM rc;

-- (c) prepared transactions.  rc_keep stays prepared (in progress) while
-- VACUUM runs: its stripes are kept, and since it holds the table's
-- RowExclusiveLock VACUUM neither looks for unnamed bytes nor cuts the
-- file: what is freed comes from the rolled back directory rows alone.
BEGIN;
SELECT rc_fill(400001, 430000);
PREPARE TRANSACTION 'rc_keep';
BEGIN;
SELECT rc_fill(500001, 530000);
ROLLBACK;
BEGIN;
SELECT rc_fill(600001, 630000);
PREPARE TRANSACTION 'rc_drop';
ROLLBACK PREPARED 'rc_drop';
SELECT reclaimable_bytes AS waiting, free_bytes AS free0, reclaimed_bytes AS reclaimed0,
       pg_relation_size('rc') AS size0
  FROM cocoon.stats('rc') \gset
SELECT :free0 AS free0, :waiting > 200000 AS rolled_back_bytes_waiting;
VACUUM rc;
-- the freed stripes were at the end of the used space: it ends lower now
SELECT reclaimed_bytes - :reclaimed0 = :waiting AS all_rolled_back_bytes_freed,
       reclaimable_bytes = free_bytes AS nothing_else,
       pg_relation_size('rc') = :size0 AS not_cut
  FROM cocoon.stats('rc');
-- new stripes reuse that space: the file does not grow
SELECT rc_fill(700001, 730000);
SELECT pg_relation_size('rc') = :size0 AS reused FROM cocoon.stats('rc');
COMMIT PREPARED 'rc_keep';
SELECT count(*), sum(id) FROM rc;
SELECT count(*) FROM rc WHERE id BETWEEN 400001 AND 430000;
SELECT count(*) FROM rc WHERE id BETWEEN 500001 AND 630000;
VACUUM rc;
SELECT count(*), sum(id) FROM rc;
SELECT row_count, dead_rows FROM cocoon.stats('rc');
SELECT count(*) AS problems FROM cocoon.verify('rc');
SELECT pg_relation_size('rc') < :size0 AS cut_now;

-- (d) the directory rows of a rolled back INSERT are gone (heap VACUUM of
-- the directory pruned them): the bytes nothing names are freed all the same
SELECT pg_relation_size('rc') AS size1 \gset
BEGIN;
SELECT rc_fill(800001, 900000);
ROLLBACK;
VACUUM cocoon.stripe;
SELECT reclaimable_bytes - free_bytes AS waiting_in_directory FROM cocoon.stats('rc');
VACUUM rc;
SELECT pg_relation_size('rc') = :size1 AS back_to_size1, reclaimable_bytes = free_bytes AS nothing_waiting
  FROM cocoon.stats('rc');
SELECT count(*), sum(id) FROM rc;

-- (e) an index: the rolled back rows' index entries go, keys can come back
CREATE TABLE rc_pk (id int PRIMARY KEY, ts timestamptz, msg text) USING cocoon;
SELECT cocoon.set_options('rc_pk', stripe_rows => 5000, chunk_rows => 1000);
INSERT INTO rc_pk SELECT g, '2024-03-01 00:00+00', 'kept ' || g FROM generate_series(1, 1000) g;
BEGIN;
INSERT INTO rc_pk SELECT g, '2024-03-01 00:00+00', 'gone ' || g FROM generate_series(1001, 21000) g;
ROLLBACK;
VACUUM rc_pk;
SELECT reclaimable_bytes, free_bytes FROM cocoon.stats('rc_pk');
INSERT INTO rc_pk SELECT g, '2024-03-01 00:00+00', 'new ' || g FROM generate_series(1001, 2000) g;
SET enable_seqscan = off;
SET cocoon.enable_custom_scan = off;
SELECT count(*), min(msg), max(msg) FROM rc_pk WHERE id BETWEEN 900 AND 1100;
SELECT * FROM rc_pk WHERE id IN (1000, 1001, 15000) ORDER BY id;
RESET enable_seqscan;
RESET cocoon.enable_custom_scan;
SELECT count(*) FROM rc_pk;
DROP TABLE rc_pk;

-- (f) a DELETE of 90% of the rows, by time: the wholly deleted stripes are
-- retired by the DELETE itself, so one VACUUM frees them, and a refill of
-- the same size reuses the space
TRUNCATE rc;
SELECT rc_fill(1, 100000);
SELECT stripes, pg_relation_size('rc') AS full_size FROM cocoon.stats('rc') \gset
SELECT :stripes AS stripes;
DELETE FROM rc WHERE id <= 90000;
SELECT stripes, row_count FROM cocoon.stats('rc');
VACUUM rc;
SELECT stripes, row_count, pg_relation_size('rc') < 0.2 * :full_size AS cut_to_a_fifth,
       reclaimable_bytes = free_bytes AS nothing_waiting
  FROM cocoon.stats('rc');
SELECT rc_fill(100001, 190000);
SELECT pg_relation_size('rc') <= :full_size AS not_grown FROM cocoon.stats('rc');
SELECT count(*), min(id), max(id) FROM rc;
-- a delete that leaves every stripe partly alive needs its stripes rewritten;
-- the rewriting VACUUM's own transaction can still see the old stripes, so
-- the next VACUUM frees them
DELETE FROM rc WHERE id % 10 <> 0;
VACUUM rc;
SELECT reclaimable_bytes > free_bytes AS old_stripes_waiting FROM cocoon.stats('rc');
VACUUM rc;
SELECT reclaimable_bytes = free_bytes AS nothing_waiting, row_count FROM cocoon.stats('rc');
SELECT count(*), sum(id) FROM rc;

DROP TABLE rc;
DROP FUNCTION rc_fill(int, int);
ALTER TABLE cocoon.stripe RESET (autovacuum_enabled);
