--
-- 24_free_list: the metapage lists at most 400 free byte ranges.  When
-- VACUUM frees more, the list keeps the largest ones (the rest are found
-- again by a later sweep), so a large freed stripe is reused rather than
-- the file growing; what the list forgets is not counted as reclaimed
-- twice when the sweep finds it again.
--
-- no compaction: it would rewrite the small stripes into one
SET cocoon.compaction_min_stripes = 0;
CREATE TABLE fl (id int, ts timestamptz, msg text) USING cocoon;
-- 900 one-row stripes, each its own transaction, then one large stripe,
-- then one more small stripe so that the large one is not the file's tail
DO $$
BEGIN
  FOR i IN 1..900 LOOP
    INSERT INTO fl VALUES (i, '2024-01-01'::timestamptz + i * interval '1 s', 'small ' || i);
    COMMIT;
  END LOOP;
END $$;
INSERT INTO fl SELECT 100000 + g, '2024-01-02'::timestamptz + g * interval '1 ms',
       md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 20000) g;
INSERT INTO fl VALUES (999999, '2024-01-03', 'tail');
SELECT pg_relation_size('fl') AS size_before \gset
-- another session reads the table, so VACUUM cannot take the
-- AccessExclusiveLock it would need to move the tail stripe down and cut
-- the file: the freed ranges stay on the free list
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('fl_reader',
  format('host=%s port=%s dbname=%s user=%s',
         split_part(current_setting('unix_socket_directories'), ',', 1),
         current_setting('port'), current_database(), current_user));
SELECT dblink_exec('fl_reader', 'BEGIN');
SELECT * FROM dblink('fl_reader', 'SELECT count(*) FROM fl') AS t(n bigint);
-- free 450 small ranges (every other small stripe) and the large one
DELETE FROM fl WHERE id <= 900 AND id % 2 = 0;
DELETE FROM fl WHERE id > 100000 AND id < 999999;
VACUUM fl;
SELECT count(*), sum(id) FROM fl;
SELECT pg_relation_size('fl') = :size_before AS not_cut;
-- the large range is on the list: most of the freed bytes are listed
SELECT free_bytes > 0.5 * :size_before AS large_range_listed FROM cocoon.stats('fl');
-- the sweep finds the forgotten small ranges again at every VACUUM; they
-- are not counted as reclaimed again and again
SELECT reclaimed_bytes AS reclaimed FROM cocoon.stats('fl') \gset
VACUUM fl;
VACUUM fl;
SELECT reclaimed_bytes = :reclaimed AS reclaimed_stable,
       reclaimed_bytes <= :size_before AS reclaimed_plausible FROM cocoon.stats('fl');
-- the large range is reused: the same rows again fit without growing the file
INSERT INTO fl SELECT 100000 + g, '2024-01-02'::timestamptz + g * interval '1 ms',
       md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 20000) g;
SELECT pg_relation_size('fl') = :size_before AS reused;
SELECT count(*), sum(id) FROM fl;
SELECT dblink_exec('fl_reader', 'COMMIT');
SELECT dblink_disconnect('fl_reader');
-- with the reader gone, VACUUM may cut the file again
DELETE FROM fl WHERE id > 100000 AND id < 999999;
VACUUM fl;
VACUUM fl;
SELECT pg_relation_size('fl') < 0.5 * :size_before AS cut;
SELECT count(*), sum(id) FROM fl;
DROP TABLE fl;
DROP EXTENSION dblink;
