"""rsyslog + ompgsql shipping syslog messages into a cocoon table.

Starts a private rsyslogd (own config from cocoon.conf.in, own pid file and work
dir, imtcp + imudp on 127.0.0.1 free ports), sends N RFC 5424 messages over TCP
(octet-counted framing, so messages may hold newlines) with quotes, backslashes,
tabs, newlines and UTF-8, plus a few through util-linux `logger --tcp` and
`logger --udp`, and checks every message arrives intact in syslog_events.
Environment: PGHOST PGPORT PGUSER PGDATABASE, RSYSLOG_WORK (a scratch dir),
TCP_PORT, UDP_PORT, N (default 3000).
"""
import datetime
import os
import signal
import socket
import subprocess
import sys
import time

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from common import Checker  # noqa: E402

PG = dict(host=os.environ.get("PGHOST", "127.0.0.1"), port=int(os.environ["PGPORT"]),
          user=os.environ.get("PGUSER", "postgres"), dbname=os.environ.get("PGDATABASE", "rsyslog"))
WORK = os.environ["RSYSLOG_WORK"]
TCP_PORT, UDP_PORT = int(os.environ["TCP_PORT"]), int(os.environ["UDP_PORT"])
N = int(os.environ.get("N", "3000"))
N_LOGGER = 25
RSYSLOGD = os.environ.get("RSYSLOGD", "/usr/sbin/rsyslogd")
c = Checker("rsyslog")

os.makedirs(WORK, exist_ok=True)
conf = os.path.join(WORK, "rsyslog.conf")
pidfile = os.path.join(WORK, "rsyslogd.pid")
with open(os.path.join(HERE, "cocoon.conf.in")) as f:
    text = f.read()
for k, v in {"@WORKDIR@": WORK, "@PGPORT@": str(PG["port"]), "@PGDATABASE@": PG["dbname"],
             "@PGUSER@": PG["user"], "@TCPPORT@": str(TCP_PORT), "@UDPPORT@": str(UDP_PORT)}.items():
    text = text.replace(k, v)
with open(conf, "w") as f:
    f.write(text)

db = psycopg2.connect(**PG)
db.autocommit = True
cur = db.cursor()
cur.execute("DROP TABLE IF EXISTS syslog_events")
cur.execute("""CREATE TABLE syslog_events (
                 received_at timestamptz NOT NULL,
                 reported_at timestamptz,
                 host text, app text, procid text, msgid text,
                 facility smallint, severity smallint,
                 message text) USING cocoon""")


def count():
    cur.execute("SELECT count(*) FROM syslog_events")
    return cur.fetchone()[0]


def wait_for(n, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if count() >= n:
            break
        time.sleep(0.3)
    return count()


def wait_port(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


check = subprocess.run([RSYSLOGD, "-N1", "-f", conf], capture_output=True, text=True)
c.check(check.returncode == 0, "rsyslogd -N1 accepts the config" +
        ("" if check.returncode == 0 else ": " + check.stderr.strip()))
if check.returncode != 0:
    c.done()
log = open(os.path.join(WORK, "rsyslogd.out"), "w")
proc = subprocess.Popen([RSYSLOGD, "-n", "-f", conf, "-i", pidfile], stdout=log, stderr=subprocess.STDOUT)
print("  rsyslogd pid %d, tcp %d, udp %d" % (proc.pid, TCP_PORT, UDP_PORT))
try:
    c.check(wait_port(TCP_PORT), "rsyslogd listens on 127.0.0.1:%d" % TCP_PORT)

    # --- N messages over TCP, RFC 5424 with octet-counted framing (RFC 6587) ---
    t0 = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)
    bodies = ["plain", "it's a 'quoted' message", 'double "quotes", commas', "back\\slash \\n \\\\",
              "tab\there", "multi\nline\nmessage", "unicode héllo ✓ 日本語 🚀", "percent %s %d $1 ${x}",
              "semicolon; DROP TABLE syslog_events; --", "x" * 3000]
    sent = {}
    with socket.create_connection(("127.0.0.1", TCP_PORT)) as s:
        for i in range(N):
            body = "seq=%06d %s" % (i, bodies[i % len(bodies)])
            fac, sev = (i % 24), (i % 8)
            ts = t0 + datetime.timedelta(seconds=i, microseconds=i % 1000 * 1000)
            host, app, procid, msgid = "web-%02d" % (i % 5), "app%d" % (i % 3), str(1000 + i % 7), "ID%d" % (i % 4)
            frame = "<%d>1 %s %s %s %s %s - %s" % (fac * 8 + sev, ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                                                 host, app, procid, msgid, body)
            data = frame.encode("utf-8")
            s.sendall(b"%d " % len(data) + data)
            sent["seq=%06d" % i] = (body, host, app, procid, msgid, fac, sev, ts)

    # --- a few through util-linux logger, TCP and UDP -------------------------
    for proto, port in (("--tcp", TCP_PORT), ("--udp", UDP_PORT)):
        for i in range(N_LOGGER):
            subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(port), proto, "--rfc5424",
                            "--tag", "cocoontest", "--msgid", "LOGGER", "-p", "local3.warning",
                            "logger%s %02d it's from logger" % (proto, i)], check=True)

    total = N + 2 * N_LOGGER
    got = wait_for(total)
    c.eq(got, total, "all %d messages arrived (%d TCP octet-counted + %d logger --tcp + %d logger --udp)"
         % (total, N, N_LOGGER, N_LOGGER))

    cur.execute("""SELECT message, host, app, procid, msgid, facility, severity, reported_at, received_at
                   FROM syslog_events WHERE message LIKE 'seq=%'""")
    bad, seen = 0, set()
    for message, host, app, procid, msgid, fac, sev, reported, received in cur.fetchall():
        key = message[:10]
        want = sent.get(key)
        seen.add(key)
        if want is None or (message, host, app, procid, msgid, fac, sev, reported) != want or received is None:
            bad += 1
            if bad <= 3:
                print("    mismatch: %r\n          vs %r" % ((message, host, app, procid, msgid, fac, sev, reported), want))
    c.eq(bad, 0, "every TCP message intact: body, host, app, procid, msgid, facility, severity, timestamp")
    c.eq(len(seen), N, "no TCP message lost or duplicated")

    cur.execute("""SELECT app, msgid, facility, severity, count(*) FROM syslog_events
                   WHERE message LIKE 'logger%' GROUP BY 1, 2, 3, 4""")
    c.eq(cur.fetchall(), [("cocoontest", "LOGGER", 19, 4, 2 * N_LOGGER)], "logger messages: tag, msgid, local3.warning")
    cur.execute("SELECT count(DISTINCT message) FROM syslog_events WHERE message LIKE 'logger--udp %'")
    c.eq(cur.fetchone()[0], N_LOGGER, "all logger --udp messages distinct and present")

    # queries a log store gets
    cur.execute("""SELECT severity, count(*) FROM syslog_events WHERE message LIKE 'seq=%%'
                   AND reported_at >= %s AND reported_at < %s GROUP BY 1 ORDER BY 1""",
                (t0 + datetime.timedelta(seconds=100), t0 + datetime.timedelta(seconds=900)))
    want = {}
    for v in sent.values():
        if t0 + datetime.timedelta(seconds=100) <= v[7] < t0 + datetime.timedelta(seconds=900):
            want[v[6]] = want.get(v[6], 0) + 1
    c.eq(cur.fetchall(), sorted(want.items()), "severity histogram over a time range")
    cur.execute("SELECT row_count, stripes FROM cocoon.stats('syslog_events')")
    print("    cocoon.stats: rows=%s stripes=%s (ompgsql batches BEGIN...COMMIT)" % cur.fetchone())
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    c.check(not os.path.exists(pidfile), "rsyslogd stopped (pid file removed)")
    errs = [l.rstrip() for l in open(os.path.join(WORK, "rsyslogd.out"), errors="replace")
            if "error" in l.lower() or "ompgsql" in l]
    for l in errs[:10]:
        print("    rsyslogd: " + l)
    c.eq(len(errs), 0, "no errors in rsyslogd's own log")
    db.close()
c.done()
