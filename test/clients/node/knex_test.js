// Knex (query builder + schema builder, pg driver) against a cocoon table.
// Knex has no table-access-method option in createTable, so every pooled
// connection runs SET default_table_access_method = cocoon in pool.afterCreate;
// tables Knex creates on it are cocoon tables.
'use strict';
const { isDeepStrictEqual } = require('util');
const { Checker, makeRows, guarded } = require('./common');

async function main() {
  const c = new Checker('node knex');
  const knex = require('knex')({
    client: 'pg',
    connection: {
      host: process.env.PGHOST, port: Number(process.env.PGPORT),
      user: process.env.PGUSER, database: process.env.PGDATABASE,
    },
    pool: {
      min: 1, max: 2,
      afterCreate: (conn, done) => conn.query('SET default_table_access_method = cocoon', (err) => done(err, conn)),
    },
  });
  console.log('knex %s', require('knex/package.json').version);

  await knex.schema.dropTableIfExists('knex_events');
  await knex.schema.createTable('knex_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('ts', { useTz: true }).notNullable().index();
    t.string('level', 8);
    t.string('service', 32);
    t.text('message');
    t.integer('status');
    t.double('latency_ms');
    t.uuid('trace_id');
    t.jsonb('attrs');
  });
  const am = await knex('pg_class').join('pg_am', 'pg_am.oid', 'pg_class.relam')
    .where('pg_class.oid', knex.raw("'knex_events'::regclass")).first('pg_am.amname');
  c.eq(am.amname, 'cocoon', 'knex.schema.createTable made a cocoon table (pool afterCreate SET)');

  const rows = makeRows(12000, 5).map(({ id, ...r }) => r);     // ids from bigserial
  const one = await knex('knex_events').insert(rows[0]).returning(['id', 'ts']);
  c.check(one.length === 1 && Number(one[0].id) > 0 && one[0].ts.getTime() === rows[0].ts.getTime(),
    'insert(...).returning([id, ts])');
  const ids = await knex.batchInsert('knex_events', rows.slice(1), 1000).returning('id');
  c.eq(ids.length, rows.length - 1, 'batchInsert(1000 per batch).returning(id)');
  rows.forEach((r, i) => { r.id = i === 0 ? Number(one[0].id) : Number(ids[i - 1].id); });
  const N = rows.length;

  const count = async (q) => Number((await q.count('* as n'))[0].n);
  c.eq(await count(knex('knex_events')), N, 'count(*)');
  const back = await knex('knex_events').select('*').orderBy('id');
  const byId = new Map(rows.map((r) => [r.id, r]));
  const bad = back.filter((g) => {
    const w = byId.get(Number(g.id));
    return !(w && g.ts.getTime() === w.ts.getTime() && g.level === w.level && g.message === w.message &&
      g.latency_ms === w.latency_ms && g.trace_id === w.trace_id && isDeepStrictEqual(g.attrs, w.attrs));
  }).length;
  c.eq(bad, 0, `all ${N} rows read back intact`);

  const t1 = new Date(rows[0].ts.getTime() + 10 * 3600e3);
  const t2 = new Date(rows[0].ts.getTime() + 30 * 3600e3);
  c.eq(await count(knex('knex_events').where('level', 'ERROR').whereBetween('ts', [t1, t2])),
    rows.filter((r) => r.level === 'ERROR' && r.ts >= t1 && r.ts <= t2).length, 'where + whereBetween(ts)');
  const g = await knex('knex_events').select('service').count('* as n').avg('latency_ms as avg')
    .groupBy('service').orderBy('service');
  const want = {};
  rows.forEach((r) => { const a = want[r.service] || (want[r.service] = [0, 0]); a[0]++; a[1] += r.latency_ms; });
  c.eq(g.map((x) => [x.service, Number(x.n), Math.round(x.avg * 1e6) / 1e6]),
    Object.keys(want).sort().map((k) => [k, want[k][0], Math.round((want[k][1] / want[k][0]) * 1e6) / 1e6]),
    'groupBy + count + avg');
  c.eq(await count(knex('knex_events').whereRaw("(attrs->>'user')::int < ?", [25])),
    rows.filter((r) => r.attrs.user < 25).length, 'whereRaw on jsonb');
  c.eq(await count(knex('knex_events').where('message', 'like', '%日本語%')),
    rows.filter((r) => r.message && r.message.includes('日本語')).length, "where like '%日本語%'");
  const some = [rows[5].id, rows[500].id, rows[5000].id];
  c.eq((await knex('knex_events').whereIn('id', some).orderBy('id').pluck('id')).map(Number), some, 'whereIn(id)');
  const last = await knex('knex_events').orderBy([{ column: 'ts', order: 'desc' }, 'id']).limit(3).pluck('id');
  c.eq(last.map(Number), [...rows].sort((a, b) => b.ts - a.ts || a.id - b.id).slice(0, 3).map((r) => r.id),
    'orderBy(ts desc).limit(3)');

  // transaction rollback
  await knex.transaction(async (trx) => {
    await trx('knex_events').insert(rows.slice(0, 20).map(({ id, ...r }) => r));
    c.eq(await count(trx('knex_events')), N + 20, 'rows visible inside knex.transaction');
    throw new Error('rollback');
  }).catch((e) => { if (e.message !== 'rollback') throw e; });
  c.eq(await count(knex('knex_events')), N, 'knex.transaction rolled back');

  // upsert is a documented limitation (INSERT ... ON CONFLICT): report only
  for (const [what, q] of [
    ['insert().onConflict(id).ignore()', () => knex('knex_events').insert({ ...rows[0], message: 'dup' }).onConflict('id').ignore()],
    ['insert().onConflict(id).merge()', () => knex('knex_events').insert({ ...rows[0], message: 'dup' }).onConflict('id').merge()],
  ]) {
    try {
      await q();
      console.log(`  note: ${what} works`);
    } catch (e) {
      if (e.code !== '0A000') throw e;
      console.log(`  note: ${what} -> 0A000: ${e.message.split(' - ').pop()}`);
    }
  }
  const first = await knex('knex_events').where({ id: rows[0].id }).first('message');
  if (first.message === 'dup') console.log('  note: onConflict().merge() updated the row');
  else c.eq(first.message, rows[0].message, 'row untouched by onConflict().ignore()');
  c.eq(await count(knex('knex_events')), N, 'count unchanged by onConflict');

  // UPDATE / DELETE by primary key (skipped on 0A000)
  const pick = rows[777];
  let n = N;
  await guarded(c, 'UPDATE', async () => {
    c.eq(await knex('knex_events').where({ id: pick.id }).update({ level: 'FATAL', status: 599 }), 1, 'update() by id');
    const r = await knex('knex_events').where({ id: pick.id }).first('level', 'status', 'message');
    c.eq([r.level, r.status, r.message], ['FATAL', 599, pick.message], 'update() visible');
  });
  await guarded(c, 'DELETE', async () => {
    c.eq(await knex('knex_events').where({ id: pick.id }).del(), 1, 'del() by id');
    n -= 1;
    c.eq(await count(knex('knex_events')), n, 'count after del()');
  });

  await knex.destroy();
  return c.done();
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
