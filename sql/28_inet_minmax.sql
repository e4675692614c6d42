--
-- 28_inet_minmax: chunks of inet and cidr columns keep min/max keys that
-- never decrease along inet's order (family, then the address masked to
-- its own netmask; values that differ only in netmask or host bits may
-- share a key), so <, <=, >, >=, BETWEEN and the subnet tests << and <<=
-- skip chunk groups; = uses the bloom filter (25_bloom_columns).  Every
-- operator against values with other netmasks, host bits set, IPv4 against
-- IPv6, must give heap's answers.
--
SET cocoon.chunk_rows = 100;
CREATE FUNCTION in_skips(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF line ~ 'Skipped By Min/Max' THEN
      RETURN substring(line FROM '(\d+)\s*$')::int;
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
CREATE TABLE in_h (ip inet, net cidr, n int);
-- chunk k holds 10.k.x.y addresses (k = 0..5); then mixed netmasks and
-- host bits around 10.6/16; then IPv6; NULLs throughout
INSERT INTO in_h SELECT CASE WHEN g % 41 = 0 THEN NULL
                             ELSE ('10.' || g / 100 || '.' || (g * 7 % 256) || '.' || (g % 256))::inet END,
       ('10.' || g / 100 || '.' || (g % 256) || '.0/24')::cidr, g
  FROM generate_series(0, 599) g;
INSERT INTO in_h SELECT (ARRAY['10.6.0.0/16', '10.6.0.0', '10.6.1.2/16', '10.6.0.0/8', '10.6.255.255',
                               '10.7.0.0/15', '10.6.0.0/32', '0.0.0.0/0'])[1 + g % 8]::inet,
       (ARRAY['10.6.0.0/16', '10.0.0.0/8', '10.6.0.0/15', '10.6.0.0/24'])[1 + g % 4]::cidr, 1000 + g
  FROM generate_series(0, 99) g;
INSERT INTO in_h SELECT ('2001:db8::' || to_hex(g))::inet, ('2001:db8:' || to_hex(g) || '::/48')::cidr, 2000 + g
  FROM generate_series(0, 99) g;
CREATE TABLE in_c (LIKE in_h) USING cocoon;
INSERT INTO in_c SELECT * FROM in_h;
CREATE FUNCTION in_mismatches() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v inet;
  col text;
  op text;
  a bigint;
  b bigint;
  bad text := '';
BEGIN
  FOREACH v IN ARRAY ARRAY['10.3.0.0', '10.3.7.7', '10.3.0.0/16', '10.3.255.255/16', '10.6.0.0/16',
                           '10.6.0.0', '10.6.0.0/8', '10.6.1.2/16', '10.6.0.0/15', '10.7.0.0/15',
                           '10.6.255.255', '0.0.0.0/0', '255.255.255.255', '10.0.0.0/8',
                           '::', '2001:db8::', '2001:db8::63', '2001:db8::/32', 'ffff::']::inet[] LOOP
    FOREACH col IN ARRAY ARRAY['ip', 'net'] LOOP
      FOREACH op IN ARRAY ARRAY['<', '<=', '=', '>=', '>'] LOOP
        EXECUTE format('SELECT count(*) FROM in_c WHERE %I %s %L::inet', col, op, v) INTO a;
        EXECUTE format('SELECT count(*) FROM in_h WHERE %I %s %L::inet', col, op, v) INTO b;
        IF a <> b THEN
          bad := bad || format('%s %s %s: %s vs %s; ', col, op, v, a, b);
        END IF;
      END LOOP;
    END LOOP;
  END LOOP;
  RETURN coalesce(nullif(bad, ''), 'none');
END $$;
SELECT in_mismatches() AS mismatches;
-- subnets: column << network and <<= (and network >> column) keep the keys
-- of the addresses inside the network
CREATE FUNCTION in_sub_mismatches() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v inet;
  col text;
  q text;
  a bigint;
  b bigint;
  bad text := '';
BEGIN
  FOREACH v IN ARRAY ARRAY['10.3.0.0/16', '10.3.7.0/24', '10.6.0.0/16', '10.6.0.0/15', '10.0.0.0/8',
                           '10.6.1.2/16', '0.0.0.0/0', '10.3.7.7/32', '2001:db8::/32',
                           '2001:db8::40/122', '::/0', '11.0.0.0/8']::inet[] LOOP
    FOREACH col IN ARRAY ARRAY['ip', 'net'] LOOP
      FOREACH q IN ARRAY ARRAY['%I << %L::inet', '%I <<= %L::inet', '%2$L::inet >> %1$I'] LOOP
        EXECUTE 'SELECT count(*) FROM in_c WHERE ' || format(q, col, v) INTO a;
        EXECUTE 'SELECT count(*) FROM in_h WHERE ' || format(q, col, v) INTO b;
        IF a <> b THEN
          bad := bad || format(q, col, v) || format(': %s vs %s; ', a, b);
        END IF;
      END LOOP;
    END LOOP;
  END LOOP;
  RETURN coalesce(nullif(bad, ''), 'none');
END $$;
SELECT in_sub_mismatches() AS subnet_mismatches;
-- 8 chunk groups: which min/max skips
SELECT in_skips($$SELECT count(*) FROM in_c WHERE ip < '10.2.0.0'$$) AS lt_10_2,
       in_skips($$SELECT count(*) FROM in_c WHERE ip BETWEEN '10.3.0.0' AND '10.3.255.255'$$) AS in_10_3,
       in_skips($$SELECT count(*) FROM in_c WHERE ip >= '2001:db8::'$$) AS ipv6,
       in_skips($$SELECT count(*) FROM in_c WHERE net > '10.4.0.0/16'::cidr$$) AS net_gt,
       in_skips($$SELECT count(*) FROM in_c WHERE ip << '10.3.0.0/16'$$) AS sub_10_3,
       in_skips($$SELECT count(*) FROM in_c WHERE '2001:db8::/32' >> ip$$) AS sup_ipv6;
SELECT count(*) FROM in_c WHERE ip BETWEEN '10.3.0.0' AND '10.3.255.255';
SELECT count(*) FROM in_h WHERE ip BETWEEN '10.3.0.0' AND '10.3.255.255';
DROP TABLE in_c, in_h;
DROP FUNCTION in_skips(text);
DROP FUNCTION in_mismatches();
DROP FUNCTION in_sub_mismatches();
RESET cocoon.chunk_rows;
