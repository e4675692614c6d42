/*-------------------------------------------------------------------------
 *
 * seed_gen.c
 *	  Writes the seed corpora of the cocoon codec fuzz targets.
 *
 * Usage: seed_gen OUTDIR   (OUTDIR/fuzz_decode, OUTDIR/fuzz_decompress and
 * OUTDIR/fuzz_roundtrip must exist)
 *
 * How it works: builds realistic column chunks from a fixed-seed PRNG
 * (timestamps with jitter, serial ids, status codes, log levels, log
 * messages, uuids as text and as 16 bytes, sensor floats, special doubles,
 * bools; with and without NULLs; empty and all-NULL chunks), encodes them
 * with cocoon_encode and writes
 *	 fuzz_decode/	   the 2-byte target header + the chunk
 *	 fuzz_decompress/  the 5-byte target header + the chunk compressed with
 *					   none, lz4, zstd -1, 1 and 3 (and one unknown method)
 *	 fuzz_roundtrip/   value-generator headers for every kind, value mode,
 *					   NULL mode and parameter, with pseudo-random bodies
 * The seeds are deterministic; chunks are kept small (<= 3000 rows) so that
 * libFuzzer's inferred max_len stays modest.
 *
 * test/fuzz/seed_gen.c
 *
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

static const char *outdir;
static int	nfiles = 0;

/* ---------------------------------------------------------------- */

static uint64_t rng_state = 42;

static uint64_t
rng(void)
{
	uint64_t	z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t
rng_below(uint64_t n)
{
	return rng() % n;
}

static double
rng_unit(void)
{
	return (double) (rng() >> 11) / 9007199254740992.0;
}

static void *
xcalloc(size_t n, size_t size)
{
	void	   *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
	{
		fprintf(stderr, "seed_gen: out of memory\n");
		exit(2);
	}
	return p;
}

static void
write_file(const char *target, const char *name, const uint8_t *hdr,
		   size_t hdrlen, const uint8_t *body, size_t len)
{
	char		path[1024];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (f == NULL ||
		fwrite(hdr, 1, hdrlen, f) != hdrlen ||
		(len > 0 && fwrite(body, 1, len, f) != len) ||
		fclose(f) != 0)
	{
		perror(path);
		exit(1);
	}
	nfiles++;
}

/* ---------------------------------------------------------------- */
/* vectors */

static CocoonVector
vnew(CocoonValueKind kind, uint32_t nrows)
{
	CocoonVector v;

	memset(&v, 0, sizeof(v));
	v.kind = kind;
	v.nrows = nrows;
	v.nvalues = nrows;
	return v;
}

static void
vfree(CocoonVector *v)
{
	free(v->nulls);
	free(v->ints);
	free(v->bits);
	free(v->bools);
	free(v->data);
	free(v->offsets);
}

/* NULL one row in one_in (1 = all rows) */
static void
set_nulls(CocoonVector *v, unsigned one_in)
{
	uint32_t	i;

	v->nulls = xcalloc((v->nrows + 7) / 8, 1);
	v->nvalues = v->nrows;
	for (i = 0; i < v->nrows; i++)
		if (one_in == 1 || rng_below(one_in) == 0)
		{
			v->nulls[i / 8] |= (uint8_t) (1u << (i % 8));
			v->nvalues--;
		}
}

/* var builder */
typedef struct VB
{
	CocoonVector *v;
	size_t		cap;
	uint32_t	n;
} VB;

static void
vb_init(VB *b, CocoonVector *v)
{
	b->v = v;
	b->cap = 256;
	b->n = 0;
	v->data = xcalloc(b->cap, 1);
	v->offsets = xcalloc((size_t) v->nvalues + 1, 8);
	v->data_len = 0;
}

static void
vb_add(VB *b, const char *s, size_t len)
{
	uint64_t	off = b->v->offsets[b->n];

	while (off + len > b->cap)
	{
		b->cap *= 2;
		b->v->data = realloc(b->v->data, b->cap);
		if (!b->v->data)
			exit(2);
	}
	memcpy(b->v->data + off, s, len);
	b->v->offsets[++b->n] = off + len;
	b->v->data_len = off + len;
}

/* ---------------------------------------------------------------- */

static const uint32_t decode_fixed_lens[32] = {
	16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 17, 20,
	24, 31, 32, 33, 36, 48, 63, 64, 100, 128, 255, 256, 1000, 4096,
	65536, 0xFFFFFFFFu
};

static uint8_t
decode_hdr0(const CocoonVector *v)
{
	unsigned	idx = 0;

	if (v->kind == VK_FIXED)
	{
		for (idx = 0; idx < 32; idx++)
			if (decode_fixed_lens[idx] == v->fixed_len)
				break;
		if (idx == 32)
		{
			fprintf(stderr, "seed_gen: fixed_len %u not in the table\n",
					v->fixed_len);
			exit(1);
		}
	}
	return (uint8_t) ((v->kind - 1) | (idx << 3));
}

/* Encode v and write the decode and decompress seeds. */
static void
emit(const char *name, CocoonVector *v)
{
	uint8_t    *enc = NULL;
	size_t		enclen = 0;
	CocoonCodecId codec;
	CocoonCodecResult r;
	char		fname[256];
	uint8_t		hdr[5];
	static const struct
	{
		CocoonCompression m;
		int			level;
		const char *tag;
	}			comps[] = {
		{COMPRESSION_NONE, 0, "none"},
		{COMPRESSION_LZ4, 0, "lz4"},
		{COMPRESSION_ZSTD, -1, "zstd-1"},
		{COMPRESSION_ZSTD, 1, "zstd1"},
		{COMPRESSION_ZSTD, 3, "zstd3"},
	};
	size_t		i;

	r = cocoon_encode(v, &enc, &enclen, &codec);
	if (r != COCOON_CODEC_OK)
	{
		fprintf(stderr, "seed_gen: encode %s: %s\n", name,
				cocoon_codec_result_string(r));
		exit(1);
	}

	/* decode: generous limits, and for some chunks tight ones */
	hdr[0] = decode_hdr0(v);
	hdr[1] = 0xFF;
	snprintf(fname, sizeof(fname), "%s.%s", name, cocoon_codec_name(codec));
	write_file("fuzz_decode", fname, hdr, 2, enc, enclen);
	if (nfiles % 7 == 0)
	{
		hdr[1] = 0x34;
		snprintf(fname, sizeof(fname), "%s.%s.tight", name, cocoon_codec_name(codec));
		write_file("fuzz_decode", fname, hdr, 2, enc, enclen);
	}

	/* decompress */
	for (i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
	{
		uint8_t    *c = NULL;
		size_t		clen = 0;

		r = cocoon_compress(comps[i].m, comps[i].level, enc, enclen, &c, &clen);
		if (r != COCOON_CODEC_OK)
		{
			fprintf(stderr, "seed_gen: compress %s: %s\n", name,
					cocoon_codec_result_string(r));
			exit(1);
		}
		hdr[0] = (uint8_t) comps[i].m;
		hdr[1] = (uint8_t) enclen;
		hdr[2] = (uint8_t) (enclen >> 8);
		hdr[3] = (uint8_t) (enclen >> 16);
		hdr[4] = (uint8_t) (enclen >> 24);
		snprintf(fname, sizeof(fname), "%s.%s", name, comps[i].tag);
		write_file("fuzz_decompress", fname, hdr, 5, c, clen);
		codec_free(c);
	}
	codec_free(enc);
}

/* emit v as is, then (if it has rows) with ~10% NULLs */
static void
emit2(const char *name, CocoonVector *v, void (*fill) (CocoonVector *))
{
	char		n2[200];

	fill(v);
	emit(name, v);
	vfree(v);
	if (v->nrows > 1)
	{
		CocoonVector w = vnew(v->kind, v->nrows);

		w.fixed_len = v->fixed_len;
		set_nulls(&w, 10);
		fill(&w);
		snprintf(n2, sizeof(n2), "%s.nulls", name);
		emit(n2, &w);
		vfree(&w);
	}
}

/* ---------------------------------------------------------------- */
/* fillers: fill v->nvalues values */

#define PG_TS_2024 ((int64_t) 757382400 * 1000000)

static void
f_ts_jitter(CocoonVector *v)
{
	uint32_t	i;

	v->ints = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->ints[i] = PG_TS_2024 + (int64_t) i * 1000000 +
			(int64_t) rng_below(2001) - 1000;
}

static void
f_ts_gaps(CocoonVector *v)
{
	uint32_t	i;
	int64_t		t = PG_TS_2024;

	v->ints = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->ints[i] = (t += (int64_t) rng_below(50001));
}

static void
f_ts_regular(CocoonVector *v)
{
	uint32_t	i;

	v->ints = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->ints[i] = PG_TS_2024 + (int64_t) i * 10000000 + (i % 97 == 0 ? 3 : 0);
}

static void
f_serial(CocoonVector *v)
{
	uint32_t	i;

	v->ints = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->ints[i] = 1000 + i;
}

static void
f_status(CocoonVector *v)
{
	static const int64_t st[] = {200, 200, 200, 200, 200, 200, 201, 204, 301,
	302, 304, 400, 401, 403, 404, 500, 502, 503};
	uint32_t	i;

	v->ints = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->ints[i] = st[rng_below(sizeof(st) / sizeof(st[0]))];
}

static void
f_uniform(CocoonVector *v)
{
	uint32_t	i;

	v->ints = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->ints[i] = (int64_t) rng_below(1000);
}

static void
f_random64(CocoonVector *v)
{
	uint32_t	i;

	v->ints = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->ints[i] = (int64_t) rng();
}

static void
f_const(CocoonVector *v)
{
	uint32_t	i;

	v->ints = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->ints[i] = -42;
}

static void
f_extremes(CocoonVector *v)
{
	static const uint64_t ex[] = {0x8000000000000000ULL, 0x7FFFFFFFFFFFFFFFULL,
	0, 1, 0xFFFFFFFFFFFFFFFFULL};
	uint32_t	i;

	v->ints = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->ints[i] = (int64_t) ex[rng_below(5)];
}

static void
f_sensor(CocoonVector *v)
{
	uint32_t	i;

	v->bits = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
	{
		double		d = (double) (200 + (int64_t) rng_below(101) - 50) / 10.0;

		memcpy(&v->bits[i], &d, 8);
	}
}

static void
f_latency(CocoonVector *v)
{
	uint32_t	i;

	v->bits = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
	{
		double		d = (double) (int64_t) rng_below(500001) / 1000.0;

		memcpy(&v->bits[i], &d, 8);
	}
}

static void
f_unit(CocoonVector *v)
{
	uint32_t	i;

	v->bits = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
	{
		double		d = rng_unit();

		memcpy(&v->bits[i], &d, 8);
	}
}

static void
f_walk(CocoonVector *v)
{
	uint32_t	i;
	double		x = 1013.25;

	v->bits = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
	{
		if (rng_below(4) == 0)
			x += (rng_unit() - 0.5) * 0.37;
		memcpy(&v->bits[i], &x, 8);
	}
}

static void
f_float4(CocoonVector *v)
{
	uint32_t	i;

	v->bits = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
	{
		float		f = (float) (100 + (int64_t) rng_below(1001)) / 10.0f;
		uint32_t	b;

		memcpy(&b, &f, 4);
		v->bits[i] = b;
	}
}

static void
f_specials(CocoonVector *v)
{
	static const uint64_t sp[] = {0x0000000000000000ULL, 0x8000000000000000ULL,
		0x7FF0000000000000ULL, 0xFFF0000000000000ULL, 0x7FF8000000000000ULL,
		0x7FF0000000000001ULL, 0x0000000000000001ULL, 0x7FEFFFFFFFFFFFFFULL,
	0x3FF0000000000000ULL};
	uint32_t	i;

	v->bits = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		v->bits[i] = sp[rng_below(sizeof(sp) / sizeof(sp[0]))];
}

static void
f_fconst(CocoonVector *v)
{
	uint32_t	i;
	double		d = 3.25;

	v->bits = xcalloc(v->nvalues, 8);
	for (i = 0; i < v->nvalues; i++)
		memcpy(&v->bits[i], &d, 8);
}

static void
f_bool_random(CocoonVector *v)
{
	uint32_t	i;

	v->bools = xcalloc(v->nvalues, 1);
	for (i = 0; i < v->nvalues; i++)
		v->bools[i] = (uint8_t) (rng() & 1);
}

static void
f_bool_rare(CocoonVector *v)
{
	uint32_t	i;

	v->bools = xcalloc(v->nvalues, 1);
	for (i = 0; i < v->nvalues; i++)
		v->bools[i] = rng_below(50) == 0;
}

static void
f_uuid_bin(CocoonVector *v)
{
	uint32_t	i;
	uint32_t	j;

	v->data = xcalloc((size_t) v->nvalues * 16, 1);
	v->data_len = (uint64_t) v->nvalues * 16;
	for (i = 0; i < v->nvalues; i++)
		for (j = 0; j < 16; j++)
			v->data[i * 16 + j] = (uint8_t) rng();
}

static void
f_uuid_few(CocoonVector *v)
{
	uint8_t		pool[20][16];
	uint32_t	i;
	uint32_t	j;

	for (i = 0; i < 20; i++)
		for (j = 0; j < 16; j++)
			pool[i][j] = (uint8_t) rng();
	v->data = xcalloc((size_t) v->nvalues * 16, 1);
	v->data_len = (uint64_t) v->nvalues * 16;
	for (i = 0; i < v->nvalues; i++)
		memcpy(v->data + i * 16, pool[rng_below(20)], 16);
}

static void
f_fixed_small(CocoonVector *v)
{
	uint32_t	i;
	uint32_t	j;

	v->data = xcalloc((size_t) v->nvalues * v->fixed_len, 1);
	v->data_len = (uint64_t) v->nvalues * v->fixed_len;
	for (i = 0; i < v->nvalues; i++)
		for (j = 0; j < v->fixed_len; j++)
			v->data[(size_t) i * v->fixed_len + j] = (uint8_t) rng_below(4);
}

static void
f_levels(CocoonVector *v)
{
	static const char *lv[] = {"INFO", "INFO", "INFO", "INFO", "DEBUG",
	"WARNING", "ERROR", "NOTICE"};
	VB			b;
	uint32_t	i;

	vb_init(&b, v);
	for (i = 0; i < v->nvalues; i++)
	{
		const char *s = lv[rng_below(8)];

		vb_add(&b, s, strlen(s));
	}
}

static void
f_messages(CocoonVector *v)
{
	static const char *users[] = {"alice", "bob", "carol", "dave", "eve"};
	VB			b;
	uint32_t	i;
	char		buf[200];

	vb_init(&b, v);
	for (i = 0; i < v->nvalues; i++)
	{
		int			len;

		switch (rng_below(4))
		{
			case 0:
				len = snprintf(buf, sizeof(buf),
							   "connection received: host=10.0.%u.%u port=%u",
							   (unsigned) rng_below(256), (unsigned) rng_below(256),
							   (unsigned) (30000 + rng_below(30000)));
				break;
			case 1:
				len = snprintf(buf, sizeof(buf),
							   "user %s logged in from session %08" PRIx64,
							   users[rng_below(5)], rng() & 0xFFFFFFFF);
				break;
			case 2:
				len = snprintf(buf, sizeof(buf),
							   "GET /api/v1/items/%u HTTP/1.1 200 %u ms",
							   (unsigned) rng_below(100000), (unsigned) rng_below(900));
				break;
			default:
				len = snprintf(buf, sizeof(buf),
							   "checkpoint complete: wrote %u buffers (%.1f%%)",
							   (unsigned) rng_below(10000), rng_unit() * 100);
				break;
		}
		vb_add(&b, buf, (size_t) len);
	}
}

static void
f_uuid_text(CocoonVector *v)
{
	VB			b;
	uint32_t	i;
	char		buf[64];

	vb_init(&b, v);
	for (i = 0; i < v->nvalues; i++)
	{
		uint64_t	a = rng();
		uint64_t	c = rng();
		int			len = snprintf(buf, sizeof(buf),
								   "%08x-%04x-4%03x-%04x-%012" PRIx64,
								   (unsigned) (a >> 32), (unsigned) (a >> 16) & 0xFFFF,
								   (unsigned) a & 0xFFF, (unsigned) (c >> 48) & 0xFFFF,
								   (uint64_t) (c & 0xFFFFFFFFFFFFULL));

		vb_add(&b, buf, (size_t) len);
	}
}

static void
f_var_mixed(CocoonVector *v)
{
	VB			b;
	uint32_t	i;
	char		buf[400];

	vb_init(&b, v);
	for (i = 0; i < v->nvalues; i++)
	{
		size_t		len = rng_below(8) == 0 ? rng_below(300) : rng_below(5);
		size_t		j;

		for (j = 0; j < len; j++)
			buf[j] = (char) rng();
		vb_add(&b, buf, len);
	}
}

static void
f_var_empty(CocoonVector *v)
{
	VB			b;
	uint32_t	i;

	vb_init(&b, v);
	for (i = 0; i < v->nvalues; i++)
		vb_add(&b, "", 0);
}

#include "../codec/jsonb_samples.h"

static void
vb_add_hex(VB *b, const char *hex)
{
	size_t		len = strlen(hex) / 2;
	char	   *t = xcalloc(len + 1, 1);
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned	x;

		sscanf(hex + 2 * i, "%2x", &x);
		t[i] = (char) x;
	}
	vb_add(b, t, len);
	free(t);
}

/* log messages as text varlenas (CODEC_VARLENA) */
static void
f_varlena_messages(CocoonVector *v)
{
	VB			b;
	uint32_t	i;
	char		buf[300];

	vb_init(&b, v);
	for (i = 0; i < v->nvalues; i++)
	{
		size_t		len = rng_below(4) == 0 ? 100 + rng_below(150) : rng_below(60);
		size_t		j;

		for (j = 0; j < len; j++)
			buf[j + 4] = (char) ('a' + rng_below(26));
		if (len + 1 <= 127 && rng_below(8) != 0)
		{
			buf[3] = (char) (((len + 1) << 1) | 1);
			vb_add(&b, buf + 3, len + 1);
		}
		else
		{
			uint32_t	h = (uint32_t) ((len + 4) << 2);

			memcpy(buf, &h, 4);
			vb_add(&b, buf, len + 4);
		}
	}
	v->var_format = COCOON_VAR_VARLENA;
}

/* jsonb values (CODEC_JSONB): the edge cases first, then log attributes */
static void
f_jsonb(CocoonVector *v)
{
	VB			b;
	uint32_t	i;

	vb_init(&b, v);
	for (i = 0; i < v->nvalues; i++)
		vb_add_hex(&b, jsonb_samples[i < N_JSONB_EDGE ? i :
									 N_JSONB_EDGE + rng_below(N_JSONB_SAMPLES - N_JSONB_EDGE)]);
	v->var_format = COCOON_VAR_JSONB;
}

/* ---------------------------------------------------------------- */

typedef struct Shape
{
	const char *name;
	CocoonValueKind kind;
	uint32_t	fixed_len;
	uint32_t	nrows;
	void		(*fill) (CocoonVector *);
} Shape;

static const Shape shapes[] = {
	{"int_ts_jitter", VK_INT, 0, 1000, f_ts_jitter},
	{"int_ts_gaps", VK_INT, 0, 700, f_ts_gaps},
	{"int_ts_regular", VK_INT, 0, 600, f_ts_regular},
	{"int_serial", VK_INT, 0, 500, f_serial},
	{"int_status", VK_INT, 0, 3000, f_status},
	{"int_uniform", VK_INT, 0, 400, f_uniform},
	{"int_random64", VK_INT, 0, 130, f_random64},
	{"int_const", VK_INT, 0, 300, f_const},
	{"int_extremes", VK_INT, 0, 200, f_extremes},
	{"int_one", VK_INT, 0, 1, f_random64},
	{"int_two", VK_INT, 0, 2, f_ts_jitter},
	{"int_three", VK_INT, 0, 3, f_uniform},
	{"float_sensor", VK_FLOAT, 0, 1000, f_sensor},
	{"float_latency", VK_FLOAT, 0, 500, f_latency},
	{"float_unit", VK_FLOAT, 0, 200, f_unit},
	{"float_walk", VK_FLOAT, 0, 800, f_walk},
	{"float_float4", VK_FLOAT, 0, 300, f_float4},
	{"float_specials", VK_FLOAT, 0, 300, f_specials},
	{"float_const", VK_FLOAT, 0, 100, f_fconst},
	{"float_one", VK_FLOAT, 0, 1, f_unit},
	{"float_two", VK_FLOAT, 0, 2, f_walk},
	{"bool_random", VK_BOOL, 0, 1000, f_bool_random},
	{"bool_rare", VK_BOOL, 0, 333, f_bool_rare},
	{"bool_one", VK_BOOL, 0, 1, f_bool_random},
	{"uuid_random", VK_FIXED, 16, 200, f_uuid_bin},
	{"uuid_few", VK_FIXED, 16, 1000, f_uuid_few},
	{"fixed4", VK_FIXED, 4, 300, f_fixed_small},
	{"fixed8", VK_FIXED, 8, 100, f_fixed_small},
	{"fixed1", VK_FIXED, 1, 100, f_fixed_small},
	{"fixed0", VK_FIXED, 0, 50, f_fixed_small},
	{"fixed_one", VK_FIXED, 16, 1, f_uuid_bin},
	{"var_levels", VK_VAR, 0, 2000, f_levels},
	{"var_messages", VK_VAR, 0, 150, f_messages},
	{"var_uuid_text", VK_VAR, 0, 100, f_uuid_text},
	{"var_mixed", VK_VAR, 0, 300, f_var_mixed},
	{"var_empty", VK_VAR, 0, 100, f_var_empty},
	{"var_one", VK_VAR, 0, 1, f_messages},
	{"varlena_messages", VK_VAR, 0, 200, f_varlena_messages},
	{"jsonb_mixed", VK_VAR, 0, 60, f_jsonb},
	{"jsonb_edge", VK_VAR, 0, 16, f_jsonb},
	{"jsonb_one", VK_VAR, 0, 1, f_jsonb},
};

int
main(int argc, char **argv)
{
	size_t		i;
	int			k;

	if (argc != 2)
	{
		fprintf(stderr, "usage: seed_gen OUTDIR\n");
		return 2;
	}
	outdir = argv[1];

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
	{
		CocoonVector v = vnew(shapes[i].kind, shapes[i].nrows);

		v.fixed_len = shapes[i].fixed_len;
		emit2(shapes[i].name, &v, shapes[i].fill);
	}

	/* empty and all-NULL chunks of every kind */
	for (k = VK_INT; k <= VK_VAR; k++)
	{
		CocoonVector v = vnew((CocoonValueKind) k, 0);
		char		name[64];

		v.fixed_len = k == VK_FIXED ? 16 : 0;
		snprintf(name, sizeof(name), "empty_kind%d", k);
		emit(name, &v);

		v = vnew((CocoonValueKind) k, 77);
		v.fixed_len = k == VK_FIXED ? 16 : 0;
		set_nulls(&v, 1);
		snprintf(name, sizeof(name), "all_null_kind%d", k);
		emit(name, &v);
		vfree(&v);
	}

	/* fuzz_decompress: an unknown method id (must be BADARG) */
	{
		static const uint8_t hdr[5] = {3, 3, 0, 0, 0};

		write_file("fuzz_decompress", "unknown_method", hdr, 5,
				   (const uint8_t *) "abc", 3);
	}

	/* fuzz_roundtrip: every kind x value mode x NULL mode, a few params */
	for (k = 0; k < 5; k++)
	{
		unsigned	mode;

		for (mode = 0; mode < 8; mode++)
		{
			unsigned	nullmode;

			for (nullmode = 0; nullmode < 4; nullmode++)
			{
				uint8_t		hdr[5];
				uint8_t		body[384];
				unsigned	param = (unsigned) rng_below(8);
				uint32_t	nrows = (uint32_t) (nullmode == 2 ? 40 : 1 + rng_below(600));
				size_t		blen = 16 + rng_below(sizeof(body) - 16);
				size_t		j;
				char		name[64];

				if (k == 4 && param >= 6)
					param = 5;	/* long strings make big inputs */
				hdr[0] = (uint8_t) (k | (rng_below(32) << 3));
				hdr[1] = (uint8_t) (nullmode | (mode << 2) | (param << 5));
				hdr[2] = (uint8_t) nrows;
				hdr[3] = (uint8_t) (nrows >> 8);
				hdr[4] = (uint8_t) rng();
				for (j = 0; j < blen; j++)
					body[j] = (uint8_t) rng();
				snprintf(name, sizeof(name), "kind%d_mode%u_nulls%u_param%u",
						 k + 1, mode, nullmode, param);
				write_file("fuzz_roundtrip", name, hdr, 5, body, blen);
			}
		}
	}

	/* a few long vectors (bit 15 of nrows: up to 16383 rows) with
	 * dictionaries around the 4096-entry limit of the integer dictionary */
	for (k = 0; k < 5; k++)
	{
		static const uint8_t dict_mode[5] = {5, 6, 1, 1, 1};
		uint8_t		hdr[5];
		uint8_t		body[300];
		uint32_t	nrows = 0x8000 | 12000;
		size_t		j;
		char		name[64];

		hdr[0] = (uint8_t) (k | (1 << 3));
		hdr[1] = (uint8_t) (1 | (dict_mode[k] << 2) | (6 << 5));
		hdr[2] = (uint8_t) nrows;
		hdr[3] = (uint8_t) (nrows >> 8);
		hdr[4] = 0;
		for (j = 0; j < sizeof(body); j++)
			body[j] = (uint8_t) rng();
		snprintf(name, sizeof(name), "kind%d_long_dict", k + 1);
		write_file("fuzz_roundtrip", name, hdr, 5, body, sizeof(body));
	}

	/* VK_VAR as varlenas and as jsonb (hint, wrapping, jsonb samples,
	 * one byte changed per jsonb value) */
	{
		static const uint8_t var_hdr0[6] = {
			4 | (1 << 3) | (1 << 5),	/* varlenas, hint VARLENA */
			4 | (2 << 3) | (1 << 5),	/* varlenas, hint JSONB */
			4 | (2 << 3) | (1 << 6),	/* jsonb, hint JSONB */
			4 | (1 << 3) | (1 << 6),	/* jsonb, hint VARLENA */
			4 | (2 << 3) | (3 << 6),	/* damaged jsonb, hint JSONB */
			4 | (0 << 3) | (1 << 6),	/* jsonb, no hint */
		};

		for (k = 0; k < 6; k++)
		{
			uint8_t		hdr[5];
			uint8_t		body[200];
			uint32_t	nrows = (uint32_t) (20 + rng_below(200));
			size_t		j;
			char		name[64];

			hdr[0] = var_hdr0[k];
			hdr[1] = (uint8_t) ((k & 1) | (0 << 2) | (4 << 5));
			hdr[2] = (uint8_t) nrows;
			hdr[3] = (uint8_t) (nrows >> 8);
			hdr[4] = (uint8_t) rng();
			for (j = 0; j < sizeof(body); j++)
				body[j] = (uint8_t) rng();
			snprintf(name, sizeof(name), "var_varlena%d", k);
			write_file("fuzz_roundtrip", name, hdr, 5, body, sizeof(body));
		}
	}

	printf("seed_gen: wrote %d files under %s\n", nfiles, outdir);
	return 0;
}
