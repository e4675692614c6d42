"""Shared bits for the Python client tests (run with Debian's /usr/bin/python3).

Connection comes from the environment set by test/clients/run.sh:
PGHOST (127.0.0.1), PGPORT, PGUSER; each test gets its own database.
"""
import datetime
import os
import random
import sys
import uuid

HOST = os.environ.get("PGHOST", "127.0.0.1")
PORT = int(os.environ["PGPORT"])
USER = os.environ.get("PGUSER", "postgres")

LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"]
SERVICES = ["api", "auth", "billing", "search", "worker"]
# messages that trip up naive quoting/CSV: quotes, commas, newlines, tabs,
# backslashes, non-ASCII, an empty string and NULL
TRICKY = [
    "plain message",
    "it's a 'quoted' message",
    'double "quoted", with comma',
    "multi\nline\nmessage",
    "tab\tseparated\tvalues",
    r"backslash \ and \n literal and C:\path\to",
    "unicode: héllo wörld ✓ 日本語 🚀",
    "",
    None,
    "percent %s %d {} ${x} $1",
]

T0 = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)


def make_rows(n, seed=1, start_id=1):
    """n log rows as dicts (deterministic); spans ~3 days so several partitions."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        rid = start_id + i
        msg = TRICKY[rid % len(TRICKY)]
        if msg is not None and msg != "":
            msg = "%s #%d" % (msg, rid)
        rows.append(dict(
            id=rid,
            ts=T0 + datetime.timedelta(seconds=rid * 7 % (3 * 86400), microseconds=rid % 1000),
            level=LEVELS[rnd.randrange(4)],
            service=SERVICES[rnd.randrange(5)],
            host="host-%02d" % rnd.randrange(20),
            message=msg,
            status=rnd.choice([200, 200, 200, 201, 404, 500]),
            latency_ms=round(rnd.random() * 1000, 3),
            trace_id=uuid.UUID(int=rnd.getrandbits(128)),
            attrs={"user": rnd.randrange(1000), "tags": ["a", "b"][: rnd.randrange(3)], "q": "it's"},
        ))
    return rows


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = 0

    def check(self, cond, what):
        if cond:
            print("  pass: %s" % what)
        else:
            self.failures += 1
            print("  FAIL: %s" % what)
        sys.stdout.flush()

    def eq(self, got, want, what):
        ok = got == want
        self.check(ok, what if ok else "%s (got %r, want %r)" % (what, got, want))

    def done(self):
        print("%s: %s" % (self.name, "all checks passed" if not self.failures else "%d checks failed" % self.failures))
        sys.exit(1 if self.failures else 0)


def pgcode_of(exc):
    """SQLSTATE of a psycopg2 error, also when wrapped by SQLAlchemy or Django."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        code = getattr(exc, "pgcode", None)
        if code:
            return code
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return None


def not_supported_yet(exc, what):
    """True (and prints SKIP) when exc is SQLSTATE 0A000; any other error is re-raised."""
    if pgcode_of(exc) == "0A000":
        print("  SKIP update/delete: not supported yet (%s: %s)" % (what, str(exc).splitlines()[0]))
        return True
    raise exc
