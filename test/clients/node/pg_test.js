// node-postgres (pg) + pg-copy-streams against a cocoon table.
// Connection from PGHOST/PGPORT/PGUSER/PGDATABASE (set by test/clients/run.sh).
'use strict';
const { Client } = require('pg');
const { from: copyFrom, to: copyTo } = require('pg-copy-streams');
const { pipeline } = require('stream/promises');
const { Readable, Writable } = require('stream');
const { isDeepStrictEqual } = require('util');
const { Checker, makeRows, guarded } = require('./common');

async function main() {
  const c = new Checker('node pg');
  const db = new Client();          // libpq-style environment variables
  await db.connect();
  console.log('pg %s, pg-copy-streams %s, server %s', require('pg/package.json').version,
    require('pg-copy-streams/package.json').version,
    (await db.query('SHOW server_version')).rows[0].server_version);

  await db.query('DROP TABLE IF EXISTS node_logs');
  await db.query(`CREATE TABLE node_logs (
      id bigint PRIMARY KEY, ts timestamptz NOT NULL, level text, service text,
      message text, status int, latency_ms float8, trace_id uuid, attrs jsonb) USING cocoon`);
  const am = await db.query(`SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
                             WHERE c.oid = 'node_logs'::regclass`);
  c.eq(am.rows[0].amname, 'cocoon', 'CREATE TABLE ... USING cocoon');

  const rows = makeRows(40000);
  const N_INS = 4000;
  // 1. parameterised multi-row INSERTs (500 rows x 9 params per statement)
  const cols = ['id', 'ts', 'level', 'service', 'message', 'status', 'latency_ms', 'trace_id', 'attrs'];
  for (let i = 0; i < N_INS; i += 500) {
    const batch = rows.slice(i, i + 500);
    const params = [];
    const tuples = batch.map((r, j) => {
      cols.forEach((k) => params.push(k === 'attrs' ? JSON.stringify(r[k]) : r[k]));
      return '(' + cols.map((_, n) => '$' + (j * cols.length + n + 1)).join(',') + ')';
    });
    await db.query(`INSERT INTO node_logs (${cols.join(',')}) VALUES ${tuples.join(',')}`, params);
  }
  // 2. COPY FROM STDIN streamed through pg-copy-streams (text format)
  const esc = (v) => (v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r').replace(/\t/g, '\\t'));
  const copyRows = rows.slice(N_INS);
  function* lines() {
    for (const r of copyRows) {
      yield cols.map((k) => esc(k === 'attrs' ? JSON.stringify(r[k]) : k === 'ts' ? r.ts.toISOString() : r[k]))
        .join('\t') + '\n';
    }
  }
  const ingest = db.query(copyFrom(`COPY node_logs (${cols.join(',')}) FROM STDIN`));
  await pipeline(Readable.from(lines()), ingest);
  c.eq(Number(ingest.rowCount), copyRows.length, 'COPY FROM STDIN via pg-copy-streams rowCount');

  const N = rows.length;
  c.eq((await db.query('SELECT count(*)::int AS n FROM node_logs')).rows[0].n, N, 'count(*)');

  // every row back intact (pg parses timestamptz -> Date, jsonb -> object, bigint -> string)
  const res = await db.query(`SELECT ${cols.join(',')} FROM node_logs ORDER BY id`);
  let bad = 0;
  res.rows.forEach((g, i) => {
    const w = rows[i];
    const same = Number(g.id) === w.id && g.ts.getTime() === w.ts.getTime() && g.level === w.level &&
      g.service === w.service && g.message === w.message && g.status === w.status &&
      g.latency_ms === w.latency_ms && g.trace_id === w.trace_id &&
      isDeepStrictEqual(g.attrs, w.attrs);     // jsonb reorders keys
    if (!same && ++bad <= 3) console.log('    mismatch', g, w);
  });
  c.eq(bad + (res.rows.length === N ? 0 : 1), 0, `all ${N} rows intact (quotes, newlines, unicode, NULL, '')`);

  // 3. COPY TO STDOUT streams the same text back
  const chunks = [];
  await pipeline(db.query(copyTo(`COPY (SELECT ${cols.join(',')} FROM node_logs WHERE id > ${N_INS} ORDER BY id) TO STDOUT`)),
    new Writable({ write(ch, _e, cb) { chunks.push(ch); cb(); } }));
  const out = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
  c.eq(out.length, copyRows.length, 'COPY TO STDOUT row count');
  c.eq(out[7].split('\t')[4], esc(copyRows[7].message), 'COPY TO STDOUT text matches (escaped message)');

  // 4. named prepared statement with a time-range parameter (CocoonScan time pruning)
  const t1 = new Date(rows[0].ts.getTime() + 6 * 3600e3);
  const t2 = new Date(rows[0].ts.getTime() + 40 * 3600e3);
  const want = rows.filter((r) => r.ts >= t1 && r.ts < t2 && r.level === 'ERROR').length;
  for (let k = 0; k < 7; k++) {     // > 5 executions: plan cache may switch to a generic plan
    const r = await db.query({ name: 'range', text: 'SELECT count(*)::int AS n FROM node_logs WHERE ts >= $1 AND ts < $2 AND level = $3', values: [t1, t2, 'ERROR'] });
    if (r.rows[0].n !== want) { c.eq(r.rows[0].n, want, `prepared time-range query, execution ${k + 1}`); break; }
    if (k === 6) c.eq(r.rows[0].n, want, 'prepared time-range query, 7 executions (custom and generic plans)');
  }
  const agg = await db.query(`SELECT service, count(*)::int AS n, max(latency_ms) AS mx FROM node_logs
                              WHERE status >= 400 GROUP BY service ORDER BY service`);
  const wantAgg = {};
  rows.filter((r) => r.status >= 400).forEach((r) => {
    const a = wantAgg[r.service] || (wantAgg[r.service] = { n: 0, mx: -1 });
    a.n++; a.mx = Math.max(a.mx, r.latency_ms);
  });
  c.eq(JSON.stringify(agg.rows.map((r) => [r.service, r.n, r.mx])),
    JSON.stringify(Object.keys(wantAgg).sort().map((k) => [k, wantAgg[k].n, wantAgg[k].mx])), 'GROUP BY aggregate');
  c.eq((await db.query("SELECT count(*)::int AS n FROM node_logs WHERE attrs @> '{\"tags\": [\"a\"]}'")).rows[0].n,
    rows.filter((r) => r.attrs.tags.includes('a')).length, 'jsonb containment');
  const pick = rows[31337];
  const byPk = await db.query('SELECT message, trace_id FROM node_logs WHERE id = $1', [pick.id]);
  c.eq([byPk.rows[0].message, byPk.rows[0].trace_id], [pick.message, pick.trace_id], 'lookup by primary key');

  // 5. rollback
  await db.query('BEGIN');
  await db.query("INSERT INTO node_logs (id, ts, message) VALUES (-1, now(), 'rolled back')");
  c.eq((await db.query('SELECT count(*)::int AS n FROM node_logs')).rows[0].n, N + 1, 'own row visible in transaction');
  await db.query('ROLLBACK');
  c.eq((await db.query('SELECT count(*)::int AS n FROM node_logs')).rows[0].n, N, 'ROLLBACK discards it');

  // 6. UPDATE / DELETE by primary key (skipped on 0A000)
  let n = N;
  await guarded(c, 'UPDATE', async () => {
    const u = await db.query("UPDATE node_logs SET level = 'FATAL', message = $2 WHERE id = $1", [pick.id, 'updated by pg']);
    c.eq(u.rowCount, 1, 'UPDATE by primary key rowCount');
    const g = (await db.query('SELECT level, message, service FROM node_logs WHERE id = $1', [pick.id])).rows[0];
    c.eq([g.level, g.message, g.service], ['FATAL', 'updated by pg', pick.service], 'UPDATE visible');
    c.eq((await db.query('SELECT count(*)::int AS n FROM node_logs')).rows[0].n, n, 'count unchanged after UPDATE');
  });
  await guarded(c, 'DELETE', async () => {
    const d = await db.query('DELETE FROM node_logs WHERE id = $1', [pick.id]);
    c.eq(d.rowCount, 1, 'DELETE by primary key rowCount');
    n -= 1;
    c.eq((await db.query('SELECT count(*)::int AS n FROM node_logs WHERE id = $1', [pick.id])).rows[0].n, 0, 'DELETE visible');
    c.eq((await db.query('SELECT count(*)::int AS n FROM node_logs')).rows[0].n, n, 'count after DELETE');
  });

  await db.end();
  return c.done();
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
