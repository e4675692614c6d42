'use strict';
// Shared bits for the node client tests.

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const SERVICES = ['api', 'auth', 'billing', 'search', 'worker'];
const TRICKY = [
  'plain message',
  "it's a 'quoted' message",
  'double "quoted", with comma',
  'multi\nline\nmessage',
  'tab\tseparated\tvalues',
  'backslash \\ and \\n literal and C:\\path\\to',
  'unicode: héllo wörld ✓ 日本語 🚀',
  '',
  null,
  'percent %s %d {} ${x} $1',
];
const T0 = Date.UTC(2024, 2, 1);

// small deterministic PRNG (mulberry32)
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRows(n, seed = 3, startId = 1) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const hex = (k) => Array.from({ length: k }, () => Math.floor(r() * 16).toString(16)).join('');
  const rows = [];
  for (let i = 0; i < n; i++) {
    const id = startId + i;
    let msg = TRICKY[id % TRICKY.length];
    if (msg) msg = `${msg} #${id}`;
    rows.push({
      id,
      ts: new Date(T0 + ((id * 7) % (3 * 86400)) * 1000 + (id % 1000)),
      level: pick(LEVELS),
      service: pick(SERVICES),
      message: msg,
      status: pick([200, 200, 200, 201, 404, 500]),
      latency_ms: Math.round(r() * 1e6) / 1000,
      trace_id: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
      attrs: { user: Math.floor(r() * 1000), tags: ['a', 'b'].slice(0, Math.floor(r() * 3)), q: "it's" },
    });
  }
  return rows;
}

class Checker {
  constructor(name) { this.name = name; this.failures = 0; }
  check(ok, what) {
    console.log(`  ${ok ? 'pass' : 'FAIL'}: ${what}`);
    if (!ok) this.failures++;
  }
  eq(got, want, what) {
    const ok = JSON.stringify(got) === JSON.stringify(want);
    this.check(ok, ok ? what : `${what} (got ${JSON.stringify(got)}, want ${JSON.stringify(want)})`);
  }
  done() {
    console.log(`${this.name}: ${this.failures ? this.failures + ' checks failed' : 'all checks passed'}`);
    return this.failures ? 1 : 0;
  }
}

// Run fn; SQLSTATE 0A000 (feature_not_supported) prints SKIP, anything else fails.
async function guarded(c, what, fn, onSkip) {
  try {
    await fn();
  } catch (e) {
    if (e && e.code === '0A000') {
      console.log(`  SKIP update/delete: not supported yet (${what}: ${e.message})`);
      if (onSkip) await onSkip();
      return false;
    }
    c.check(false, `${what}: ${e && e.code ? 'SQLSTATE ' + e.code + ' ' : ''}${e && e.message}`);
    return false;
  }
  return true;
}

module.exports = { Checker, makeRows, guarded, T0 };
