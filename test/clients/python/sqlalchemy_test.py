"""SQLAlchemy (Debian python3-sqlalchemy 1.4) + psycopg2 against cocoon tables.

Two ways to get a cocoon table out of SQLAlchemy's metadata.create_all():
  A. a @compiles(CreateTable) hook that appends "USING <am>" when the Table
     carries info={"access_method": "cocoon"} (SQLAlchemy 1.4 has no
     postgresql_using option for tables, only for indexes);
  B. SET default_table_access_method = cocoon in a "connect" event on the engine.
Then: ORM bulk inserts, executemany inserts, psycopg2 copy_expert COPY, filtered
and aggregated queries checked against the generated data, PK/index lookups,
rollback, and UPDATE/DELETE by primary key (skipped on SQLSTATE 0A000).
"""
import datetime
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, make_rows, not_supported_yet, HOST, PORT, USER, T0  # noqa: E402

import sqlalchemy  # noqa: E402
from sqlalchemy import (BigInteger, Column, DateTime, Float, Index, Integer, MetaData,  # noqa: E402
                        Table, Text, create_engine, delete, event, exc, func, insert,
                        select, text, update)
from sqlalchemy.dialects.postgresql import JSONB, UUID  # noqa: E402
from sqlalchemy.ext.compiler import compiles  # noqa: E402
from sqlalchemy.orm import Session, declarative_base  # noqa: E402
from sqlalchemy.schema import CreateTable  # noqa: E402

DB = os.environ.get("SQLA_DB", "sqla")
URL = "postgresql+psycopg2://%s@%s:%d/%s" % (USER, HOST, PORT, DB)
c = Checker("sqlalchemy")
print("SQLAlchemy %s, psycopg2 %s" % (sqlalchemy.__version__, __import__("psycopg2").__version__))


# --- A: CREATE TABLE ... USING <am> from Table.info -------------------------
@compiles(CreateTable, "postgresql")
def _create_table_using(element, compiler, **kw):
    ddl = compiler.visit_create_table(element, **kw)
    am = element.element.info.get("access_method")
    if am:
        # USING must precede WITH/TABLESPACE/ON COMMIT; our tables use none of those
        ddl = ddl.rstrip() + " USING " + am + "\n\n"
    return ddl


Base = declarative_base()


class LogEvent(Base):
    __tablename__ = "log_events"
    __table_args__ = (
        Index("log_events_trace_id", "trace_id"),
        {"info": {"access_method": "cocoon"}},
    )
    id = Column(BigInteger, primary_key=True, autoincrement=False)
    ts = Column(DateTime(timezone=True), nullable=False)
    level = Column(Text, nullable=False)
    service = Column(Text)
    host = Column(Text)
    message = Column(Text)
    status = Column(Integer)
    latency_ms = Column(Float)
    trace_id = Column(UUID(as_uuid=True))
    attrs = Column(JSONB)


COLS = ["id", "ts", "level", "service", "host", "message", "status", "latency_ms", "trace_id", "attrs"]

engine = create_engine(URL, future=True)


def access_method(conn, table):
    return conn.execute(text(
        "SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = to_regclass(:t)"),
        {"t": table}).scalar()


# what does NOT work: a postgresql_using table option does not exist in 1.4
try:
    Table("probe", MetaData(), Column("x", Integer), postgresql_using="cocoon")
    print("  note: this SQLAlchemy accepts postgresql_using on Table")
except exc.ArgumentError as e:
    print("  note: Table(postgresql_using=...) rejected as expected: %s" % str(e).splitlines()[0])

with engine.begin() as conn:
    conn.execute(text("DROP TABLE IF EXISTS log_events, server_events"))
ddl = str(CreateTable(LogEvent.__table__).compile(dialect=engine.dialect)).strip()
print("  DDL A: " + " ".join(ddl.split()))
Base.metadata.create_all(engine)
with engine.connect() as conn:
    c.eq(access_method(conn, "log_events"), "cocoon", "A: metadata.create_all made log_events USING cocoon")

# --- data: ORM add_all, Core executemany, COPY -------------------------------
N_ORM, N_MANY, N_COPY = 2000, 3000, 25000
rows = make_rows(N_ORM + N_MANY + N_COPY, seed=7)
orm_rows, many_rows, copy_rows = rows[:N_ORM], rows[N_ORM:N_ORM + N_MANY], rows[N_ORM + N_MANY:]

with Session(engine) as s:
    s.add_all(LogEvent(**r) for r in orm_rows)
    s.commit()
with Session(engine) as s:
    s.execute(insert(LogEvent), many_rows)    # executemany (psycopg2 execute_values)
    s.commit()


def csv_field(v):
    if v is None:
        return ""                                 # unquoted empty = NULL in CSV
    if isinstance(v, dict):
        v = json.dumps(v)
    elif isinstance(v, datetime.datetime):
        v = v.isoformat()
    return '"' + str(v).replace('"', '""') + '"'  # quoted, so "" stays an empty string


buf = io.StringIO()
for r in copy_rows:
    buf.write(",".join(csv_field(r[k]) for k in COLS) + "\n")
buf.seek(0)
raw = engine.raw_connection()                     # the underlying psycopg2 connection
try:
    cur = raw.cursor()
    cur.copy_expert("COPY log_events (%s) FROM STDIN WITH (FORMAT csv)" % ", ".join(COLS), buf)
    c.eq(cur.rowcount, N_COPY, "psycopg2 copy_expert COPY FROM STDIN rowcount")
    raw.commit()
    # and COPY TO STDOUT reads the same rows back
    out = io.StringIO()
    cur.copy_expert("COPY (SELECT id, message FROM log_events WHERE id > %d ORDER BY id) TO STDOUT WITH (FORMAT csv)"
                    % (N_ORM + N_MANY), out)
    c.eq(len(out.getvalue().splitlines()) >= N_COPY, True, "psycopg2 copy_expert COPY TO STDOUT")
    cur.close()
finally:
    raw.close()

N = len(rows)
by_id = {r["id"]: r for r in rows}
with Session(engine) as s:
    c.eq(s.scalar(select(func.count()).select_from(LogEvent)), N, "count(*) after ORM + executemany + COPY")

    # every row comes back intact through the ORM
    bad = 0
    for ev in s.scalars(select(LogEvent).order_by(LogEvent.id)):
        want = by_id[ev.id]
        got = {k: getattr(ev, k) for k in COLS}
        if got != want:
            bad += 1
            if bad <= 3:
                print("    mismatch id %d: got %r want %r" % (ev.id, got, want))
    c.eq(bad, 0, "all %d rows read back equal to what was written (quotes, newlines, unicode, NULL, '')" % N)

    # filtered: time range + level
    t1, t2 = T0 + datetime.timedelta(hours=20), T0 + datetime.timedelta(hours=50)
    want = sum(1 for r in rows if t1 <= r["ts"] < t2 and r["level"] == "ERROR")
    got = s.scalar(select(func.count()).select_from(LogEvent)
                   .where(LogEvent.ts >= t1, LogEvent.ts < t2, LogEvent.level == "ERROR"))
    c.eq(got, want, "time range + level filter")

    # aggregates: count by level, avg latency by service, max status
    got = dict(s.execute(select(LogEvent.level, func.count()).group_by(LogEvent.level)).all())
    want = {}
    for r in rows:
        want[r["level"]] = want.get(r["level"], 0) + 1
    c.eq(got, want, "GROUP BY level counts")
    got = {k: round(v, 6) for k, v in s.execute(
        select(LogEvent.service, func.avg(LogEvent.latency_ms)).group_by(LogEvent.service)).all()}
    sums = {}
    for r in rows:
        a = sums.setdefault(r["service"], [0.0, 0])
        a[0] += r["latency_ms"]
        a[1] += 1
    want = {k: round(v[0] / v[1], 6) for k, v in sums.items()}
    c.eq(got, want, "avg(latency_ms) by service")
    got = s.execute(select(LogEvent.status, func.count()).where(LogEvent.status >= 400)
                    .group_by(LogEvent.status).order_by(LogEvent.status)).all()
    want = sorted({st: sum(1 for r in rows if r["status"] == st) for st in (404, 500)}.items())
    c.eq([tuple(x) for x in got], want, "status >= 400 grouped")

    # text search, NULL and empty-string filters, jsonb
    got = s.scalar(select(func.count()).select_from(LogEvent).where(LogEvent.message.like("%'quoted'%")))
    c.eq(got, sum(1 for r in rows if r["message"] and "'quoted'" in r["message"]), "LIKE '%''quoted''%'")
    got = s.scalar(select(func.count()).select_from(LogEvent).where(LogEvent.message.is_(None)))
    c.eq(got, sum(1 for r in rows if r["message"] is None), "message IS NULL")
    got = s.scalar(select(func.count()).select_from(LogEvent).where(LogEvent.message == ""))
    c.eq(got, sum(1 for r in rows if r["message"] == ""), "message = ''")
    got = s.scalar(select(func.count()).select_from(LogEvent)
                   .where(LogEvent.attrs["user"].astext.cast(Integer) < 50))
    c.eq(got, sum(1 for r in rows if r["attrs"]["user"] < 50), "jsonb attrs->>'user' < 50")

    # primary key (btree) and secondary index lookups
    r = rows[12345]
    ev = s.get(LogEvent, r["id"])
    c.eq(ev is not None and ev.message == r["message"] and ev.trace_id == r["trace_id"], True,
         "Session.get by primary key")
    got = s.scalars(select(LogEvent.id).where(LogEvent.trace_id == r["trace_id"])).all()
    c.eq(got, [r["id"]], "lookup by indexed trace_id")
    plan = "\n".join(x[0] for x in s.execute(text(
        "EXPLAIN SELECT * FROM log_events WHERE id = 42")).all())
    print("    plan for id = 42: " + " | ".join(l.strip() for l in plan.splitlines()[:2]))
    c.eq(s.scalars(select(LogEvent.id).order_by(LogEvent.ts.desc(), LogEvent.id).limit(3)).all(),
         [x["id"] for x in sorted(rows, key=lambda x: (-x["ts"].timestamp(), x["id"]))[:3]],
         "ORDER BY ts DESC LIMIT 3")
    st = s.execute(text("SELECT row_count, stripes FROM cocoon.stats('log_events')")).first()
    print("    cocoon.stats: rows=%s stripes=%s" % tuple(st))

# rollback leaves nothing behind
with Session(engine) as s:
    s.add_all(LogEvent(**r) for r in make_rows(100, seed=9, start_id=10_000_000))
    s.flush()
    c.eq(s.scalar(select(func.count()).select_from(LogEvent)), N + 100, "own uncommitted rows visible")
    s.rollback()
    c.eq(s.scalar(select(func.count()).select_from(LogEvent)), N, "rolled-back rows gone")

# --- UPDATE / DELETE by primary key (guarded) --------------------------------
count = N
target = rows[100]
try:
    with Session(engine) as s:
        ev = s.get(LogEvent, target["id"])
        ev.level = "FATAL"
        ev.message = "updated through the ORM"
        s.commit()                        # UPDATE log_events SET ... WHERE id = %(id)s
    with Session(engine) as s:
        ev = s.get(LogEvent, target["id"])
        c.eq((ev.level, ev.message, ev.host), ("FATAL", "updated through the ORM", target["host"]),
             "ORM UPDATE by primary key")
        c.eq(s.scalar(select(func.count()).select_from(LogEvent)), count, "count unchanged after UPDATE")
        want = sum(1 for r in rows if r["service"] == "auth" and r["status"] == 500)
        res = s.execute(update(LogEvent).where(LogEvent.service == "auth", LogEvent.status == 500)
                        .values(status=599))
        s.commit()
        c.eq(res.rowcount, want, "bulk UPDATE rowcount")
        c.eq(s.scalar(select(func.count()).select_from(LogEvent).where(LogEvent.status == 599)), want,
             "bulk UPDATE visible")
except exc.DBAPIError as e:
    not_supported_yet(e, "UPDATE")
try:
    with Session(engine) as s:
        s.delete(s.get(LogEvent, target["id"]))
        s.commit()                        # DELETE FROM log_events WHERE id = %(id)s
        count -= 1
    with Session(engine) as s:
        c.eq(s.get(LogEvent, target["id"]), None, "ORM DELETE by primary key")
        want = sum(1 for r in rows if r["level"] == "DEBUG" and r["id"] != target["id"])
        res = s.execute(delete(LogEvent).where(LogEvent.level == "DEBUG"))
        s.commit()
        count -= want
        c.eq(res.rowcount, want, "bulk DELETE rowcount")
        c.eq(s.scalar(select(func.count()).select_from(LogEvent)), count, "count after DELETEs")
except exc.DBAPIError as e:
    not_supported_yet(e, "DELETE")

# --- B: default_table_access_method from a connect event --------------------
engine_b = create_engine(URL, future=True)


@event.listens_for(engine_b, "connect")
def _set_am(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("SET default_table_access_method = cocoon")
    cur.close()


BaseB = declarative_base()


class ServerEvent(BaseB):
    __tablename__ = "server_events"
    id = Column(BigInteger, primary_key=True)          # BIGSERIAL, ids come back via RETURNING
    ts = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    message = Column(Text)


BaseB.metadata.create_all(engine_b)
with engine_b.connect() as conn:
    c.eq(access_method(conn, "server_events"), "cocoon", "B: connect event made server_events USING cocoon")
with Session(engine_b) as s:
    evs = [ServerEvent(message="event %d" % i) for i in range(500)]
    s.add_all(evs)
    s.commit()
    ids = [e.id for e in evs]
    c.eq(len(set(ids)) == 500 and None not in ids, True, "server-generated ids returned (INSERT ... RETURNING)")
    c.eq(s.scalar(select(func.count()).select_from(ServerEvent).where(ServerEvent.message.like("event 4%"))),
         111, "query on server_events")

c.done()
