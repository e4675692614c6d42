/*
 * gen.c -- deterministic log-row generator for the Cocoon benchmark.
 *
 * Produces rows for
 *   (ts timestamptz, level text, service text, host text, message text,
 *    status int, latency_ms float8, trace_id uuid, attrs jsonb)
 * as a CSV file (for COPY ... WITH (FORMAT csv)) and/or as JSON lines
 * (one object per row with the same fields), plus an optional metadata
 * JSON file with the facts a benchmark needs to build queries with known
 * answers (time range, rare-token counts, a trace id to look up, ...).
 *
 *   cc -O2 -o gen bench/gen.c -lm
 *   gen --rows 5000000 --seed 1 --csv logs.csv --json logs.jsonl --meta meta.json
 *
 * Output is a pure function of (--seed, --start, --rate, row index): row i
 * is the same whatever --rows is, so a smaller run is a prefix of a larger
 * one.  See bench/README.md for the data model.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Fixed rules for the rare things queries look for (documented in README) */
#define RARE_TOKEN          "kernel-panic-xyz"
#define RARE_TOKEN_EVERY    1000000ULL  /* row i has it iff i % EVERY == OFFSET */
#define RARE_TOKEN_OFFSET   4242ULL
#define RARE_KEY            "debug_dump"
#define RARE_KEY_EVERY      250000ULL
#define RARE_KEY_OFFSET     1234ULL
#define RARE_FLAG           "beta_checkout"   /* random, ~0.3% of rows */

#define DEFAULT_START       1790812800LL      /* 2026-10-01 00:00:00+00 */
#define DEFAULT_RATE        8.0               /* rows/s: 5M rows ~ 7.2 days */
#define LATE_FRACTION       0.005             /* rows arriving 1..10 s late */

/* ------------------------------------------------------------------ */
/* PRNG: xoshiro256** seeded with splitmix64                            */
typedef struct { uint64_t s[4]; double gauss_spare; int has_spare; } rng_t;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	r->has_spare = 0;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rnext(rng_t *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* uniform in [0,1) */
static inline double urand(rng_t *r) { return (double) (rnext(r) >> 11) * 0x1.0p-53; }
/* uniform in (0,1] */
static inline double urand_pos(rng_t *r) { return 1.0 - urand(r); }
/* uniform integer in [0,n) */
static inline uint64_t rbelow(rng_t *r, uint64_t n)
{
	return (uint64_t) (((unsigned __int128) rnext(r) * n) >> 64);
}

static double nrand(rng_t *r)
{
	if (r->has_spare) { r->has_spare = 0; return r->gauss_spare; }
	double u = urand_pos(r), v = urand(r);
	double m = sqrt(-2.0 * log(u));
	r->gauss_spare = m * sin(2 * M_PI * v);
	r->has_spare = 1;
	return m * cos(2 * M_PI * v);
}

/* log-uniform integer in [1, max] */
static uint64_t rlogu(rng_t *r, double max)
{
	return (uint64_t) exp(urand(r) * log(max)) ;
}

/* ------------------------------------------------------------------ */
/* growable string buffer                                               */
typedef struct { char *p; size_t n, cap; } sb_t;

static void sb_grow_slow(sb_t *b, size_t need)
{
	size_t c = b->cap ? b->cap : 256;
	while (c < b->n + need) c *= 2;
	b->p = realloc(b->p, c);
	if (!b->p) { perror("realloc"); exit(1); }
	b->cap = c;
}
static inline void sb_grow(sb_t *b, size_t need)
{
	if (__builtin_expect(b->n + need > b->cap, 0)) sb_grow_slow(b, need);
}
static inline void sb_putc(sb_t *b, char c) { sb_grow(b, 1); b->p[b->n++] = c; }
static inline void sb_putn(sb_t *b, const char *s, size_t n) { sb_grow(b, n); memcpy(b->p + b->n, s, n); b->n += n; }
static inline void sb_puts(sb_t *b, const char *s) { sb_putn(b, s, strlen(s)); }
static void sb_putu(sb_t *b, uint64_t v)
{
	char tmp[24]; int i = 24;
	do { tmp[--i] = (char) ('0' + v % 10); v /= 10; } while (v);
	sb_putn(b, tmp + i, 24 - i);
}
static void sb_putu_pad(sb_t *b, uint64_t v, int width)
{
	char tmp[24]; int i = 24;
	do { tmp[--i] = (char) ('0' + v % 10); v /= 10; } while (v);
	while (24 - i < width) tmp[--i] = '0';
	sb_putn(b, tmp + i, 24 - i);
}
static const char HEX[] = "0123456789abcdef";
static void sb_puthex(sb_t *b, uint64_t v, int ndigits)
{
	sb_grow(b, ndigits);
	for (int i = ndigits - 1; i >= 0; i--) { b->p[b->n + i] = HEX[v & 15]; v >>= 4; }
	b->n += ndigits;
}
/* fixed-point with 3 decimals, value given in thousandths */
static void sb_put_milli(sb_t *b, uint64_t milli)
{
	sb_putu(b, milli / 1000);
	sb_putc(b, '.');
	sb_putu_pad(b, milli % 1000, 3);
}
static void sb_json_str(sb_t *b, const char *s, size_t n)
{
	sb_grow(b, 2 * n + 2);   /* worst case for the common escapes */
	sb_putc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char) s[i];
		if (c >= 0x20 && c != '"' && c != '\\') continue;
		sb_putn(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': sb_putn(b, "\\\"", 2); break;
		case '\\': sb_putn(b, "\\\\", 2); break;
		case '\n': sb_putn(b, "\\n", 2); break;
		case '\t': sb_putn(b, "\\t", 2); break;
		case '\r': sb_putn(b, "\\r", 2); break;
		default: sb_putn(b, "\\u00", 4); sb_puthex(b, c, 2);
		}
	}
	sb_putn(b, s + run, n - run);
	sb_putc(b, '"');
}
/* CSV field, always quoted, quotes doubled */
static void sb_csv_quoted(sb_t *b, const char *s, size_t n)
{
	sb_putc(b, '"');
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t) (end - p));
		if (!q) { sb_putn(b, p, (size_t) (end - p)); break; }
		sb_putn(b, p, (size_t) (q - p + 1));
		sb_putc(b, '"');
		p = q + 1;
	}
	sb_putc(b, '"');
}

/* ------------------------------------------------------------------ */
/* output sinks                                                          */
typedef struct { FILE *f; sb_t buf; uint64_t bytes; const char *path; } out_t;

static void out_open(out_t *o, const char *path)
{
	o->path = path;
	o->bytes = 0;
	memset(&o->buf, 0, sizeof o->buf);
	if (!path) { o->f = NULL; return; }
	o->f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (!o->f) { fprintf(stderr, "gen: cannot open %s: %s\n", path, strerror(errno)); exit(1); }
	sb_grow(&o->buf, 1 << 21);
}
static void out_flush(out_t *o)
{
	if (o->f && o->buf.n) {
		if (fwrite(o->buf.p, 1, o->buf.n, o->f) != o->buf.n) {
			fprintf(stderr, "gen: write to %s failed: %s\n", o->path, strerror(errno));
			exit(1);
		}
	}
	o->bytes += o->buf.n;
	o->buf.n = 0;
}
static void out_close(out_t *o)
{
	if (!o->f) return;
	out_flush(o);
	if (o->f != stdout && fclose(o->f) != 0) {
		fprintf(stderr, "gen: close %s failed: %s\n", o->path, strerror(errno));
		exit(1);
	}
	else if (o->f == stdout) fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* word lists                                                            */
#define N(a) ((int) (sizeof(a) / sizeof((a)[0])))

static const char *SERVICES[] = {
	"api-gateway", "auth", "users", "catalog", "checkout", "cart", "search",
	"orders", "payments", "inventory", "recommendations", "notifications",
	"pricing", "shipping", "sessions", "billing", "reviews", "media",
	"fraud", "email", "analytics", "ledger", "config", "scheduler", "upload",
	"thumbnail", "reporting", "sms", "tax", "currency", "geo", "ads", "feed",
	"chat", "audit", "identity", "webhooks", "export", "import", "loyalty",
};
static const char *REGIONS[] = {
	"eu-1", "eu-2", "us-east-1", "us-west-2", "ap-south-1", "ap-northeast-1",
	"sa-east-1", "me-central-1",
};
static const char *METHODS[] = { "GET", "POST", "PUT", "DELETE", "PATCH" };
static const char *PATHS[] = {
	"/api/v1/users/%I", "/api/v1/users/%I/orders", "/api/v1/orders/%I",
	"/api/v1/orders/%I/items", "/api/v2/products/%I",
	"/api/v2/products?category=%W&page=%n", "/api/v1/cart/%H",
	"/api/v1/sessions", "/api/v1/login", "/api/v1/logout",
	"/api/v2/search?q=%W&limit=%n", "/api/v1/payments/%H",
	"/api/v1/invoices/%I/pdf", "/static/js/app.%H.js", "/static/css/main.%H.css",
	"/healthz", "/metrics", "/api/v1/notifications/%I",
	"/api/v1/accounts/%I/settings", "/api/v2/recommendations/%I",
	"/api/v1/inventory/%I", "/api/v1/shipments/%H/track", "/graphql",
	"/api/v1/reviews/%I", "/api/v1/coupons/%W", "/api/v1/feature-flags",
	"/api/v1/uploads/%H", "/api/v2/users/%I/avatar",
	"/api/v1/reports/%I?format=csv", "/api/v1/webhooks/%H",
};
static const char *TABLES[] = {
	"users", "orders", "order_items", "products", "carts", "sessions",
	"payments", "invoices", "shipments", "inventory", "reviews", "coupons",
	"accounts", "addresses", "audit_log", "notifications", "webhooks",
	"prices", "tax_rates", "feature_flags",
};
static const char *DBOPS[] = {
	"SELECT * FROM %s WHERE id = $1",
	"UPDATE %s SET updated_at = now() WHERE id = $1",
	"INSERT INTO %s VALUES ($1, $2, $3)",
	"DELETE FROM %s WHERE id = $1",
};
static const char *CACHE_NS[] = {
	"user", "session", "product", "price", "cart", "inventory", "token",
	"config", "search", "geo", "rate-limit", "recommendation",
};
static const char *AUTH_REASONS[] = {
	"invalid password", "account locked", "token expired",
	"signature mismatch", "unknown user", "MFA code rejected",
	"too many attempts", "revoked refresh token", "IP not allowed",
	"audience \"internal\" not accepted",
};
static const char *EXCEPTIONS[] = {
	"java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"name\" is null",
	"java.lang.IllegalStateException: Connection pool exhausted (max=%n, waiting=%n)",
	"java.lang.IllegalArgumentException: invalid value \"%W\" for field 'sort', expected one of [asc, desc]",
	"java.util.concurrent.TimeoutException: Timed out after %Dms waiting for response",
	"java.io.IOException: Broken pipe",
	"java.net.SocketTimeoutException: Read timed out after %Dms",
	"java.net.ConnectException: Connection refused: %A:%P",
	"org.postgresql.util.PSQLException: ERROR: deadlock detected",
	"org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint \"users_email_key\"",
	"com.fasterxml.jackson.core.JsonParseException: Unexpected character ('}' (code 125)) at [line: 1, column: %n]",
	"java.lang.OutOfMemoryError: Java heap space",
	"java.util.ConcurrentModificationException",
	"java.lang.ArrayIndexOutOfBoundsException: Index %n out of bounds for length %n",
	"javax.net.ssl.SSLHandshakeException: PKIX path building failed",
	"java.lang.NumberFormatException: For input string: \"%W\"",
};
static const char *CLASSES[] = {
	"OrderService", "PaymentController", "UserRepository", "CartManager",
	"InventoryClient", "SearchHandler", "TokenValidator", "PriceCalculator",
};
static const char *JAVA_METHODS[] = {
	"process", "handle", "findById", "update", "validate", "compute",
	"execute", "apply",
};
static const char *JOBS[] = {
	"reindex-products", "expire-sessions", "send-digest-emails",
	"rollup-metrics", "sync-inventory", "rotate-keys", "cleanup-uploads",
	"refresh-exchange-rates", "compact-ledger", "export-reports",
	"recompute-recommendations", "purge-soft-deleted",
};
static const char *TOPICS[] = {
	"orders.created", "orders.paid", "payments.events", "inventory.changes",
	"users.signup", "emails.outbound", "search.index", "audit.events",
	"clicks.raw", "notifications.push",
};
static const char *WORDS[] = {
	"shoes", "laptop", "coffee", "garden", "phone", "camera", "desk", "lamp",
	"book", "headphones", "jacket", "bike", "tent", "watch", "guitar", "chair",
	"kettle", "mouse", "keyboard", "monitor", "backpack", "sofa", "mug", "pen",
	"blanket", "drill", "router", "speaker", "printer", "tablet",
};
static const char *FIRST[] = {
	"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
	"ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil",
	"trent", "victor", "walter", "zoe", "jos\xc3\xa9", "bj\xc3\xb6rn",
};
static const char *FLAGS[] = {
	"new_ui", "fast_path", "dark_mode", "v2_pricing", "async_export",
	"edge_cache", "grpc_upstream", "smart_retry", "compact_json", "geo_routing",
	RARE_FLAG,
};
static const int FLAG_WEIGHT[] = { 30, 25, 20, 15, 10, 10, 8, 6, 5, 4, 1 };
static const char *OS[] = { "android", "ios", "windows", "macos", "linux" };
static const char *APPS[] = { "web", "mobile", "partner-api", "cli" };

/* ------------------------------------------------------------------ */
/* templates                                                             */
enum { L_DEBUG, L_INFO, L_WARN, L_ERROR, L_FATAL, NLEVELS };
static const char *LEVEL_NAMES[NLEVELS] = { "DEBUG", "INFO", "WARN", "ERROR", "FATAL" };
#define LM(x) (1u << (x))

typedef struct { char *fmt; unsigned levels; } tmpl_t;
static tmpl_t *tmpls;
static int ntmpl, captmpl;

typedef struct { int n; int *idx; double *cdf; } pool_t;
static pool_t pools[NLEVELS];

static void add_tmpl(unsigned levels, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_tmpl(unsigned levels, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (ntmpl == captmpl) {
		captmpl = captmpl ? captmpl * 2 : 256;
		tmpls = realloc(tmpls, sizeof(tmpl_t) * captmpl);
	}
	tmpls[ntmpl].fmt = strdup(buf);
	tmpls[ntmpl].levels = levels;
	ntmpl++;
}

/*
 * Placeholders (expanded per row):
 *  %a 1..3   %I id   %H 8 hex   %X 16 hex   %n small int   %k count   %D duration ms
 *  %L row latency ms   %S row status   %A IPv4   %P port   %U user
 *  %W word   %B bytes   %V version   %R worker   %h row host   %%
 */
static void build_templates(void)
{
	/* HTTP: two styles x methods x paths (GET everywhere, others on a subset) */
	for (int p = 0; p < N(PATHS); p++)
		for (int m = 0; m < N(METHODS); m++) {
			if (m > 0 && (p + m) % 3 != 0) continue;
			add_tmpl(LM(L_INFO) | LM(L_WARN) | LM(L_ERROR), "%s %s %%S %%Lms", METHODS[m], PATHS[p]);
			add_tmpl(LM(L_INFO) | LM(L_WARN) | LM(L_ERROR),
					 "%%A - - \"%s %s HTTP/1.1\" %%S %%B %%Lms \"Mozilla/5.0 (X11; Linux x86_64)\"",
					 METHODS[m], PATHS[p]);
		}
	/* DB */
	for (int t = 0; t < N(TABLES); t++) {
		for (int o = 0; o < N(DBOPS); o++) {
			char q[256];
			snprintf(q, sizeof q, DBOPS[o], TABLES[t]);
			add_tmpl(LM(L_DEBUG) | LM(L_INFO), "db query took %%Dms rows=%%k: %s", q);
		}
		add_tmpl(LM(L_WARN), "slow query (%%Dms): SELECT * FROM %s WHERE account_id = %%I ORDER BY created_at DESC LIMIT 50", TABLES[t]);
	}
	/* cache */
	for (int c = 0; c < N(CACHE_NS); c++) {
		add_tmpl(LM(L_DEBUG) | LM(L_INFO), "cache miss for key %s:%%I", CACHE_NS[c]);
		add_tmpl(LM(L_DEBUG), "cache hit for key %s:%%I (age=%%ns)", CACHE_NS[c]);
		add_tmpl(LM(L_INFO), "evicted %%k entries from %s cache, size=%%B bytes", CACHE_NS[c]);
	}
	/* auth */
	for (int a = 0; a < N(AUTH_REASONS); a++) {
		add_tmpl(LM(L_WARN) | LM(L_ERROR), "authentication failed for user %%U from %%A: %s", AUTH_REASONS[a]);
		add_tmpl(LM(L_WARN), "rejected token for client_id=%%H, reason=%s", AUTH_REASONS[a]);
	}
	/* exceptions with a stack frame */
	for (int e = 0; e < N(EXCEPTIONS); e++)
		for (int c = 0; c < N(CLASSES); c++)
			add_tmpl(LM(L_ERROR),
					 "Unhandled exception in %%R: %s\n\tat com.acme.%s.%s(%s.java:%%n)\n\tat com.acme.core.Dispatcher.dispatch(Dispatcher.java:%%n)",
					 EXCEPTIONS[e], CLASSES[c], JAVA_METHODS[(e + c) % N(JAVA_METHODS)], CLASSES[c]);
	/* jobs */
	for (int j = 0; j < N(JOBS); j++) {
		add_tmpl(LM(L_INFO), "job %s started on %%R", JOBS[j]);
		add_tmpl(LM(L_INFO), "job %s completed in %%Dms, processed=%%k, failed=%%n", JOBS[j]);
		add_tmpl(LM(L_WARN), "job %s exceeded its budget (%%Dms > 60000ms), will retry", JOBS[j]);
	}
	/* queues */
	for (int t = 0; t < N(TOPICS); t++) {
		add_tmpl(LM(L_DEBUG) | LM(L_INFO), "published %%k messages to %s in %%Dms", TOPICS[t]);
		add_tmpl(LM(L_WARN), "consumer lag on topic %s partition %%n is %%k messages", TOPICS[t]);
	}
	/* upstream calls */
	for (int s = 0; s < N(SERVICES); s++) {
		add_tmpl(LM(L_WARN) | LM(L_ERROR), "upstream %s timed out after %%Dms (attempt %%a/3)", SERVICES[s]);
		add_tmpl(LM(L_WARN), "retrying request to %s.internal:%%P, circuit breaker half-open", SERVICES[s]);
	}
	/* feature flags */
	for (int f = 0; f < N(FLAGS) - 1; f++)
		add_tmpl(LM(L_DEBUG) | LM(L_INFO), "feature flag %s evaluated to %s for user %%I", FLAGS[f], f % 2 ? "true" : "false");
	/* debug tracing */
	for (int c = 0; c < N(CLASSES); c++)
		for (int m = 0; m < N(JAVA_METHODS); m++)
			add_tmpl(LM(L_DEBUG), "entering %s.%s(id=%%I, opts={verbose, dry_run=false})", CLASSES[c], JAVA_METHODS[m]);
	/* fatal */
	add_tmpl(LM(L_FATAL), "out of memory: failed to allocate %%B bytes, shutting down");
	add_tmpl(LM(L_FATAL), "unable to connect to database at %%A:5432: connection refused, giving up after %%n attempts");
	add_tmpl(LM(L_FATAL), "panic: runtime error: index out of range [%%n] with length %%n");
	add_tmpl(LM(L_FATAL), "unrecoverable error in %%R, state file C:\\data\\state-%%H.bin is corrupt");
	add_tmpl(LM(L_FATAL), "disk full on /var/lib/app (%%B bytes free), aborting");
	add_tmpl(LM(L_FATAL), "configuration key \"listen.port\" missing, exiting with code 78");
}

static void shuffle_int(rng_t *r, int *a, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int) rbelow(r, (uint64_t) i + 1);
		int t = a[i]; a[i] = a[j]; a[j] = t;
	}
}

/* zipf-like cdf (weight 1/(rank+1)^s) */
static double *zipf_cdf(int n, double s)
{
	double *c = malloc(sizeof(double) * n), acc = 0;
	for (int i = 0; i < n; i++) { acc += 1.0 / pow(i + 1, s); c[i] = acc; }
	for (int i = 0; i < n; i++) c[i] /= acc;
	c[n - 1] = 1.0;
	return c;
}
static int pick_cdf(rng_t *r, const double *cdf, int n)
{
	double u = urand(r);
	int lo = 0, hi = n - 1;
	while (lo < hi) { int mid = (lo + hi) / 2; if (cdf[mid] > u) hi = mid; else lo = mid + 1; }
	return lo;
}

static void build_pools(rng_t *r)
{
	for (int l = 0; l < NLEVELS; l++) {
		pool_t *p = &pools[l];
		p->idx = malloc(sizeof(int) * ntmpl);
		p->n = 0;
		for (int t = 0; t < ntmpl; t++)
			if (tmpls[t].levels & LM(l)) p->idx[p->n++] = t;
		shuffle_int(r, p->idx, p->n);
		p->cdf = zipf_cdf(p->n, 1.0);
	}
}

/* hosts */
typedef struct { int nhosts; char **hosts; } svc_t;
static svc_t svcs[N(SERVICES)];
static double *svc_cdf;
static int total_hosts;

static void build_hosts(rng_t *r)
{
	for (int s = 0; s < N(SERVICES); s++) {
		int n = 3 + (int) rbelow(r, 13);   /* 3..15 */
		svcs[s].nhosts = n;
		svcs[s].hosts = malloc(sizeof(char *) * n);
		/* short service prefix: up to first '-' or 8 chars */
		char pre[16]; int k = 0;
		for (const char *c = SERVICES[s]; *c && *c != '-' && k < 8; c++) pre[k++] = *c;
		pre[k] = 0;
		for (int h = 0; h < n; h++) {
			char buf[96];
			const char *env = rbelow(r, 10) < 8 ? "prod" : "staging";
			static const char *RG[] = { "eu", "us", "ap" };
			snprintf(buf, sizeof buf, "%s-%04x.%s-%s-%d", pre, (unsigned) rbelow(r, 65536), env,
					 RG[rbelow(r, 3)], 1 + (int) rbelow(r, 3));
			svcs[s].hosts[h] = strdup(buf);
		}
		total_hosts += n;
	}
	svc_cdf = zipf_cdf(N(SERVICES), 0.9);
}

/* ------------------------------------------------------------------ */
/* time formatting                                                       */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned) (z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t) yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int) (yy + (*m <= 2));
}
static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned) (y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t) doe - 719468;
}

/* "YYYY-MM-DD?HH:MM:SS.ffffff" with separator sep */
static void fmt_ts(char *out, int64_t us, char sep)
{
	int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	int64_t frac = us - secs * 1000000;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t sod = secs - days * 86400;
	int y; unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	sprintf(out, "%04d-%02u-%02u%c%02d:%02d:%02d.%06d", y, m, d, sep,
			(int) (sod / 3600), (int) (sod / 60 % 60), (int) (sod % 60), (int) frac);
}

/* fast variant with a per-day cache */
static int64_t cached_day = INT64_MIN;
static char cached_date[16];
static void sb_put_ts(sb_t *b, int64_t us, char sep)
{
	int64_t secs = us / 1000000;    /* us is always positive here */
	int64_t frac = us % 1000000;
	int64_t days = secs / 86400;
	int64_t sod = secs % 86400;
	if (days != cached_day) {
		int y; unsigned m, d;
		civil_from_days(days, &y, &m, &d);
		snprintf(cached_date, sizeof cached_date, "%04d-%02u-%02u", y, m, d);
		cached_day = days;
	}
	sb_putn(b, cached_date, 10);
	sb_putc(b, sep);
	sb_putu_pad(b, (uint64_t) (sod / 3600), 2); sb_putc(b, ':');
	sb_putu_pad(b, (uint64_t) (sod / 60 % 60), 2); sb_putc(b, ':');
	sb_putu_pad(b, (uint64_t) (sod % 60), 2); sb_putc(b, '.');
	sb_putu_pad(b, (uint64_t) frac, 6);
}

/* ------------------------------------------------------------------ */
/* row generation                                                        */
typedef struct { uint64_t hi, lo; } uuid_t_;

static uuid_t_ new_uuid(rng_t *r)
{
	uuid_t_ u;
	u.hi = (rnext(r) & ~0xF000ULL) | 0x4000ULL;                              /* version 4 */
	u.lo = (rnext(r) & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;       /* RFC 4122 variant */
	return u;
}

static void sb_put_uuid(sb_t *b, uuid_t_ u)
{
	sb_puthex(b, u.hi >> 32, 8); sb_putc(b, '-');
	sb_puthex(b, (u.hi >> 16) & 0xffff, 4); sb_putc(b, '-');
	sb_puthex(b, u.hi & 0xffff, 4); sb_putc(b, '-');
	sb_puthex(b, u.lo >> 48, 4); sb_putc(b, '-');
	sb_puthex(b, u.lo & 0xffffffffffffULL, 12);
}

static int pick_status(rng_t *r, int level)
{
	double u = urand(r);
	switch (level) {
	case L_DEBUG: case L_INFO:
		return u < 0.88 ? 200 : u < 0.92 ? 201 : u < 0.95 ? 204 : u < 0.98 ? 304 : 302;
	case L_WARN:
		return u < 0.40 ? 200 : u < 0.55 ? 400 : u < 0.65 ? 401 : u < 0.73 ? 403 : u < 0.90 ? 404 : u < 0.93 ? 409 : 429;
	case L_ERROR:
		return u < 0.50 ? 500 : u < 0.65 ? 502 : u < 0.85 ? 503 : 504;
	default:
		return 500;
	}
}

static void put_ipv4(sb_t *b, rng_t *r)
{
	uint64_t v = rnext(r);
	if (v & 1) { sb_puts(b, "10."); sb_putu(b, (v >> 8) & 255); }
	else { sb_putu(b, 23 + ((v >> 8) % 200)); sb_putc(b, '.'); sb_putu(b, (v >> 16) & 255); }
	sb_putc(b, '.'); sb_putu(b, (v >> 24) & 255);
	sb_putc(b, '.'); sb_putu(b, 1 + ((v >> 32) % 254));
}

static uint64_t rand_id(rng_t *r)
{
	static const uint64_t P10[] = { 10, 100, 1000, 10000, 100000, 1000000, 10000000 };
	return 1 + rbelow(r, P10[rbelow(r, 7)]);
}

static void render(sb_t *msg, rng_t *r, const char *fmt, int status, double latency, const char *host)
{
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') { sb_putc(msg, *p); continue; }
		p++;
		switch (*p) {
		case 'I': sb_putu(msg, rand_id(r)); break;
		case 'H': sb_puthex(msg, rnext(r), 8); break;
		case 'X': sb_puthex(msg, rnext(r), 16); break;
		case 'n': sb_putu(msg, rbelow(r, 1000)); break;
		case 'a': sb_putu(msg, 1 + rbelow(r, 3)); break;
		case 'k': sb_putu(msg, rlogu(r, 100000.0)); break;
		case 'D': sb_putu(msg, (uint64_t) exp(3.5 + 1.3 * nrand(r))); break;
		case 'L': sb_putu(msg, (uint64_t) llround(latency)); break;
		case 'S': sb_putu(msg, (uint64_t) status); break;
		case 'A': put_ipv4(msg, r); break;
		case 'P': sb_putu(msg, 1024 + rbelow(r, 64512)); break;
		case 'U': sb_puts(msg, FIRST[rbelow(r, N(FIRST))]); sb_putu(msg, rbelow(r, 100)); break;
		case 'W': sb_puts(msg, WORDS[rbelow(r, N(WORDS))]); break;
		case 'B': sb_putu(msg, rlogu(r, 1e9)); break;
		case 'V': sb_puts(msg, "2."); sb_putu(msg, rbelow(r, 12)); sb_putc(msg, '.'); sb_putu(msg, rbelow(r, 8)); break;
		case 'R': sb_puts(msg, "worker-"); sb_putu(msg, rbelow(r, 64)); break;
		case 'h': sb_puts(msg, host); break;
		case '%': sb_putc(msg, '%'); break;
		case 0: p--; break;
		default: sb_putc(msg, '%'); sb_putc(msg, *p);
		}
	}
}

/* attrs keys */
enum { K_USER, K_REGION, K_VERSION, K_REQUEST, K_TENANT, K_FLAGS, K_RETRY, K_CACHED, K_CLIENT, K_SESSION, NKEYS };
static const int KEY_WEIGHT[NKEYS] = { 70, 85, 55, 45, 30, 20, 10, 15, 12, 10 };

typedef struct { int has_rare_key; int has_rare_flag; } attrs_info_t;

static void build_attrs(sb_t *a, rng_t *r, uint64_t row, attrs_info_t *info)
{
	static double kcdf[NKEYS];
	static double fcdf[N(FLAGS)];
	static int init;
	if (!init) {
		double acc = 0, tot = 0;
		for (int i = 0; i < NKEYS; i++) tot += KEY_WEIGHT[i];
		for (int i = 0; i < NKEYS; i++) { acc += KEY_WEIGHT[i]; kcdf[i] = acc / tot; }
		kcdf[NKEYS - 1] = 1.0;
		acc = tot = 0;
		for (int i = 0; i < N(FLAGS); i++) tot += FLAG_WEIGHT[i];
		for (int i = 0; i < N(FLAGS); i++) { acc += FLAG_WEIGHT[i]; fcdf[i] = acc / tot; }
		fcdf[N(FLAGS) - 1] = 1.0;
		init = 1;
	}
	int want = 2 + (int) rbelow(r, 5);      /* 2..6 keys */
	int rare = (row % RARE_KEY_EVERY) == RARE_KEY_OFFSET;
	unsigned chosen = 0;
	int nk = 0, first = 1;
	info->has_rare_key = rare;
	info->has_rare_flag = 0;
	sb_putc(a, '{');
	if (rare) {
		sb_puts(a, "\"" RARE_KEY "\": \"core-");
		sb_putu(a, row);
		sb_puts(a, ".dump\"");
		nk++; first = 0;
	}
	int guard = 0;
	while (nk < want && guard++ < 64) {
		int k = pick_cdf(r, kcdf, NKEYS);
		if (chosen & (1u << k)) continue;
		chosen |= 1u << k;
		nk++;
		if (!first) sb_puts(a, ", ");
		first = 0;
		switch (k) {
		case K_USER: sb_puts(a, "\"user_id\": "); sb_putu(a, rand_id(r)); break;
		case K_REGION: sb_puts(a, "\"region\": \""); sb_puts(a, REGIONS[rbelow(r, N(REGIONS))]); sb_putc(a, '"'); break;
		case K_VERSION:
			sb_puts(a, "\"version\": \"2."); sb_putu(a, rbelow(r, 12)); sb_putc(a, '.');
			sb_putu(a, rbelow(r, 8)); sb_putc(a, '"'); break;
		case K_REQUEST: sb_puts(a, "\"request_id\": \"req-"); sb_puthex(a, rnext(r), 12); sb_putc(a, '"'); break;
		case K_TENANT: sb_puts(a, "\"tenant\": \"t-"); sb_putu_pad(a, rlogu(r, 5000.0), 4); sb_putc(a, '"'); break;
		case K_FLAGS: {
			int nf = 1 + (int) rbelow(r, 3);
			unsigned fch = 0;
			sb_puts(a, "\"flags\": [");
			for (int i = 0, g = 0; i < nf && g < 32; g++) {
				int f = pick_cdf(r, fcdf, N(FLAGS));
				if (fch & (1u << f)) continue;
				fch |= 1u << f;
				if (i) sb_puts(a, ", ");
				sb_putc(a, '"'); sb_puts(a, FLAGS[f]); sb_putc(a, '"');
				if (f == N(FLAGS) - 1) info->has_rare_flag = 1;
				i++;
			}
			sb_putc(a, ']');
			break;
		}
		case K_RETRY: sb_puts(a, "\"retry\": "); sb_putu(a, rbelow(r, 5)); break;
		case K_CACHED: sb_puts(a, "\"cached\": "); sb_puts(a, rbelow(r, 2) ? "true" : "false"); break;
		case K_CLIENT:
			sb_puts(a, "\"client\": {\"os\": \""); sb_puts(a, OS[rbelow(r, N(OS))]);
			sb_puts(a, "\", \"app\": \""); sb_puts(a, APPS[rbelow(r, N(APPS))]);
			sb_puts(a, "\", \"build\": "); sb_putu(a, 1000 + rbelow(r, 500)); sb_putc(a, '}');
			break;
		case K_SESSION: sb_puts(a, "\"session\": \"s_"); sb_puthex(a, rnext(r), 16); sb_putc(a, '"'); break;
		}
	}
	sb_putc(a, '}');
}

/* ------------------------------------------------------------------ */
static uint64_t parse_count(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s) { fprintf(stderr, "gen: bad number '%s'\n", s); exit(2); }
	if (*end == 'k' || *end == 'K') v *= 1e3;
	else if (*end == 'm' || *end == 'M') v *= 1e6;
	else if (*end == 'g' || *end == 'G' || *end == 'b' || *end == 'B') v *= 1e9;
	else if (*end) { fprintf(stderr, "gen: bad number '%s'\n", s); exit(2); }
	return (uint64_t) llround(v);
}

static int64_t parse_start(const char *s)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end == 0) return v;                 /* epoch seconds */
	int n = sscanf(s, "%d-%d-%d%*[ T]%d:%d:%d", &y, &mo, &d, &h, &mi, &se);
	if (n < 3) { fprintf(stderr, "gen: bad --start '%s' (epoch seconds or YYYY-MM-DD[ HH:MM:SS], UTC)\n", s); exit(2); }
	return days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400 + h * 3600 + mi * 60 + se;
}

static void usage(void)
{
	fprintf(stderr,
			"usage: gen --rows N [--seed S] [--csv FILE] [--json FILE] [--meta FILE]\n"
			"           [--start 'YYYY-MM-DD HH:MM:SS' | EPOCH] [--rate ROWS_PER_SEC] [--quiet]\n"
			"  N accepts k/M/G suffixes. FILE '-' is stdout. Defaults: seed 1,\n"
			"  start 2026-10-01 00:00:00 UTC, rate %.0f rows/s (5M rows span ~7.2 days).\n"
			"  --list-templates prints the message templates and exits.\n", DEFAULT_RATE);
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t rows = 0, seed = 1;
	int have_rows = 0, quiet = 0, list = 0;
	const char *csv_path = NULL, *json_path = NULL, *meta_path = NULL;
	int64_t start = DEFAULT_START;
	double rate = DEFAULT_RATE;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
#define ARG() (i + 1 < argc ? argv[++i] : (usage(), (char *) NULL))
		if (!strcmp(a, "--rows")) { rows = parse_count(ARG()); have_rows = 1; }
		else if (!strcmp(a, "--seed")) seed = strtoull(ARG(), NULL, 10);
		else if (!strcmp(a, "--csv")) csv_path = ARG();
		else if (!strcmp(a, "--json")) json_path = ARG();
		else if (!strcmp(a, "--meta")) meta_path = ARG();
		else if (!strcmp(a, "--start")) start = parse_start(ARG());
		else if (!strcmp(a, "--rate")) { rate = strtod(ARG(), NULL); if (!(rate > 0)) usage(); }
		else if (!strcmp(a, "--quiet")) quiet = 1;
		else if (!strcmp(a, "--list-templates")) list = 1;
		else usage();
	}

	/* structure (services, hosts, template ranking) is fixed, independent of --seed */
	rng_t srng;
	rng_seed(&srng, 0xC0C00Eull);
	build_templates();
	build_hosts(&srng);
	build_pools(&srng);
	if (list) {
		for (int t = 0; t < ntmpl; t++) {
			printf("%4d ", t);
			for (int l = 0; l < NLEVELS; l++) if (tmpls[t].levels & LM(l)) printf("%c", LEVEL_NAMES[l][0]);
			printf("\t");
			for (const char *c = tmpls[t].fmt; *c; c++) {
				if (*c == '\n') fputs("\\n", stdout); else if (*c == '\t') fputs("\\t", stdout); else putchar(*c);
			}
			putchar('\n');
		}
		return 0;
	}
	if (!have_rows) usage();

	out_t csv, json;
	out_open(&csv, csv_path);
	out_open(&json, json_path);

	rng_t r;
	rng_seed(&r, seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	sb_t msg = { 0 }, attrs = { 0 };
	int64_t now_us = start * 1000000LL;      /* the clock of in-order rows */
	int64_t min_us = INT64_MAX, max_us = INT64_MIN;
	uint64_t level_count[NLEVELS] = { 0 };
	uint64_t rare_token_count = 0, rare_key_count = 0, rare_flag_count = 0, late_count = 0, null_trace = 0;
	/* active traces: a request's trace id shows up in several rows */
	uuid_t_ active[32];
	for (int i = 0; i < 32; i++) active[i] = new_uuid(&r);
	uuid_t_ lookup = { 0, 0 };
	int have_lookup = 0;
	uint64_t lookup_count = 0;
	uint64_t lookup_row = rows / 2;

	for (uint64_t i = 0; i < rows; i++) {
		/* timestamp: exponential gaps with a mild diurnal cycle */
		double tsec = (double) (now_us / 1000000 - start);
		double mult = 1.0 + 0.5 * sin(2 * M_PI * tsec / 86400.0);
		double gap = -log(urand_pos(&r)) / (rate * mult);
		now_us += (int64_t) (gap * 1e6);
		int64_t ts = now_us;
		if (urand(&r) < LATE_FRACTION) {
			ts -= 1000000 + (int64_t) rbelow(&r, 9000000);   /* 1..10 s late */
			late_count++;
		}
		if (ts < min_us) min_us = ts;
		if (ts > max_us) max_us = ts;

		/* level */
		double u = urand(&r);
		int level = u < 0.12 ? L_DEBUG : u < 0.92 ? L_INFO : u < 0.985 ? L_WARN : u < 0.9999 ? L_ERROR : L_FATAL;
		int rare_tok = (i % RARE_TOKEN_EVERY) == RARE_TOKEN_OFFSET;
		if (rare_tok) level = L_FATAL;
		level_count[level]++;

		int s = pick_cdf(&r, svc_cdf, N(SERVICES));
		const char *host = svcs[s].hosts[rbelow(&r, (uint64_t) svcs[s].nhosts)];
		int status = pick_status(&r, level);
		double lat = exp(log(18.0) + 1.1 * nrand(&r)) * (level >= L_ERROR ? 4.0 : 1.0);
		uint64_t lat_milli = (uint64_t) llround(lat * 1000.0);
		if (lat_milli == 0) lat_milli = 1;
		double lat_r = (double) lat_milli / 1000.0;

		/* message */
		msg.n = 0;
		if (rare_tok) {
			sb_puts(&msg, RARE_TOKEN ": watchdog detected hard LOCKUP on cpu");
			sb_putu(&msg, rbelow(&r, 64));
			sb_puts(&msg, ", rebooting node ");
			sb_puts(&msg, host);
			rare_token_count++;
		}
		else {
			pool_t *p = &pools[level];
			int t = p->idx[pick_cdf(&r, p->cdf, p->n)];
			render(&msg, &r, tmpls[t].fmt, status, lat_r, host);
		}

		/* trace id: ~3% none, ~35% continue an active trace, else a new one */
		double tu = urand(&r);
		int has_trace = 1;
		uuid_t_ tr;
		if (tu < 0.03) { has_trace = 0; null_trace++; }
		else if (tu < 0.38) tr = active[rbelow(&r, 32)];
		else {
			tr = new_uuid(&r);
			active[rbelow(&r, 32)] = tr;
			if (!have_lookup && i >= lookup_row) { lookup = tr; have_lookup = 1; }
		}
		if (has_trace && have_lookup && tr.hi == lookup.hi && tr.lo == lookup.lo) lookup_count++;

		attrs.n = 0;
		attrs_info_t ai;
		build_attrs(&attrs, &r, i, &ai);
		rare_key_count += ai.has_rare_key;
		rare_flag_count += ai.has_rare_flag;

		if (csv.f) {
			sb_t *b = &csv.buf;
			sb_put_ts(b, ts, ' '); sb_puts(b, "+00,");
			sb_puts(b, LEVEL_NAMES[level]); sb_putc(b, ',');
			sb_puts(b, SERVICES[s]); sb_putc(b, ',');
			sb_puts(b, host); sb_putc(b, ',');
			sb_csv_quoted(b, msg.p, msg.n); sb_putc(b, ',');
			sb_putu(b, (uint64_t) status); sb_putc(b, ',');
			sb_put_milli(b, lat_milli); sb_putc(b, ',');
			if (has_trace) sb_put_uuid(b, tr);
			sb_putc(b, ',');
			sb_csv_quoted(b, attrs.p, attrs.n);
			sb_putc(b, '\n');
			if (b->n > (1u << 20)) out_flush(&csv);
		}
		if (json.f) {
			sb_t *b = &json.buf;
			sb_puts(b, "{\"ts\": \""); sb_put_ts(b, ts, 'T'); sb_puts(b, "Z\", \"level\": \"");
			sb_puts(b, LEVEL_NAMES[level]); sb_puts(b, "\", \"service\": \"");
			sb_puts(b, SERVICES[s]); sb_puts(b, "\", \"host\": \"");
			sb_puts(b, host); sb_puts(b, "\", \"message\": ");
			sb_json_str(b, msg.p, msg.n); sb_puts(b, ", \"status\": ");
			sb_putu(b, (uint64_t) status); sb_puts(b, ", \"latency_ms\": ");
			sb_put_milli(b, lat_milli); sb_puts(b, ", \"trace_id\": ");
			if (has_trace) { sb_putc(b, '"'); sb_put_uuid(b, tr); sb_putc(b, '"'); }
			else sb_puts(b, "null");
			sb_puts(b, ", \"attrs\": ");
			sb_putn(b, attrs.p, attrs.n);
			sb_puts(b, "}\n");
			if (b->n > (1u << 20)) out_flush(&json);
		}
	}
	out_close(&csv);
	out_close(&json);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;

	if (meta_path) {
		FILE *m = strcmp(meta_path, "-") == 0 ? stdout : fopen(meta_path, "w");
		if (!m) { fprintf(stderr, "gen: cannot open %s: %s\n", meta_path, strerror(errno)); return 1; }
		char a[40], b[40], c[40];
		fmt_ts(a, rows ? min_us : start * 1000000LL, ' ');
		fmt_ts(b, rows ? max_us : start * 1000000LL, ' ');
		fmt_ts(c, start * 1000000LL, ' ');
		sb_t lk = { 0 };
		if (have_lookup) sb_put_uuid(&lk, lookup);
		sb_putc(&lk, 0);
		fprintf(m, "{\n");
		fprintf(m, "  \"rows\": %llu,\n  \"seed\": %llu,\n  \"rate\": %.6g,\n", (unsigned long long) rows,
				(unsigned long long) seed, rate);
		fprintf(m, "  \"start\": \"%s+00\",\n", c);
		fprintf(m, "  \"min_ts\": \"%s+00\",\n  \"max_ts\": \"%s+00\",\n", a, b);
		fprintf(m, "  \"min_ts_us\": %lld,\n  \"max_ts_us\": %lld,\n",
				(long long) (rows ? min_us : start * 1000000LL), (long long) (rows ? max_us : start * 1000000LL));
		fprintf(m, "  \"level_counts\": {");
		for (int l = 0; l < NLEVELS; l++)
			fprintf(m, "%s\"%s\": %llu", l ? ", " : "", LEVEL_NAMES[l], (unsigned long long) level_count[l]);
		fprintf(m, "},\n");
		fprintf(m, "  \"rare_token\": \"%s\",\n  \"rare_token_count\": %llu,\n", RARE_TOKEN,
				(unsigned long long) rare_token_count);
		fprintf(m, "  \"rare_key\": \"%s\",\n  \"rare_key_count\": %llu,\n", RARE_KEY,
				(unsigned long long) rare_key_count);
		fprintf(m, "  \"rare_flag\": \"%s\",\n  \"rare_flag_count\": %llu,\n", RARE_FLAG,
				(unsigned long long) rare_flag_count);
		fprintf(m, "  \"lookup_trace_id\": %s%s%s,\n  \"lookup_trace_count\": %llu,\n",
				have_lookup ? "\"" : "", have_lookup ? lk.p : "null", have_lookup ? "\"" : "",
				(unsigned long long) lookup_count);
		fprintf(m, "  \"null_trace_count\": %llu,\n  \"late_rows\": %llu,\n", (unsigned long long) null_trace,
				(unsigned long long) late_count);
		fprintf(m, "  \"templates\": %d,\n  \"services\": %d,\n  \"hosts\": %d,\n", ntmpl, N(SERVICES), total_hosts);
		fprintf(m, "  \"csv_bytes\": %llu,\n  \"json_bytes\": %llu,\n", (unsigned long long) csv.bytes,
				(unsigned long long) json.bytes);
		fprintf(m, "  \"seconds\": %.3f,\n  \"rows_per_sec\": %.0f\n}\n", secs, secs > 0 ? rows / secs : 0.0);
		if (m != stdout) fclose(m);
		free(lk.p);
	}
	if (!quiet)
		fprintf(stderr, "gen: %llu rows in %.2f s (%.0f rows/s), csv %llu bytes, json %llu bytes, %d templates, %d hosts\n",
				(unsigned long long) rows, secs, secs > 0 ? rows / secs : 0.0, (unsigned long long) csv.bytes,
				(unsigned long long) json.bytes, ntmpl, total_hosts);
	return 0;
}
