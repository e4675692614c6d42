/*-------------------------------------------------------------------------
 *
 * test_codecs.c
 *	  Standalone tests for the cocoon column codecs (src/codec).
 *
 * How it works: builds column vectors of many shapes for every value kind
 * from a fixed-seed splitmix64 generator, encodes and decodes them and
 * checks that the round trip is bit-exact.  Encoded sizes of these
 * deterministic inputs are pinned (measured size + ~2% slack, table
 * "pins" below): a compression-ratio regression fails the test.  It also
 * round-trips the three general-purpose compression methods, and feeds the
 * decoders damaged input (every truncation of a few chunks, thousands of
 * deterministic byte flips, wrong expected kinds, tight limits): these
 * must fail cleanly or decode to a self-consistent vector, never crash or
 * touch memory out of bounds (run it under valgrind and ASan/UBSan, see
 * the Makefile).  The last line is "codec: N passed, F failed".
 *
 * test/codec/test_codecs.c
 *
 *-------------------------------------------------------------------------
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "codec.h"

static int	npass = 0;
static int	nfail = 0;

#define CHECK(cond, ...) \
	do { \
		if (cond) \
			npass++; \
		else \
		{ \
			nfail++; \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)

/* ---------------------------------------------------------------- */
/* deterministic PRNG */

static uint64_t rng_state;

static void
rng_seed(uint64_t s)
{
	rng_state = s;
}

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
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static uint64_t
dbl_bits(double d)
{
	uint64_t	b;

	memcpy(&b, &d, 8);
	return b;
}

/* ---------------------------------------------------------------- */
/* test vectors (owned by the test, freed with tv_free) */

static CocoonVector
tv_new(CocoonValueKind kind, uint32_t nrows)
{
	CocoonVector v;

	memset(&v, 0, sizeof(v));
	v.kind = kind;
	v.nrows = nrows;
	return v;
}

static void
tv_free(CocoonVector *v)
{
	free(v->nulls);
	free(v->ints);
	free(v->bits);
	free(v->bools);
	free(v->data);
	free(v->offsets);
	memset(v, 0, sizeof(*v));
}

/* null pattern: 0 = none, else every row NULL with probability 1/pct_div */
static void
tv_set_nulls(CocoonVector *v, unsigned one_in)
{
	uint32_t	i;
	uint32_t	nnull = 0;

	v->nulls = xmalloc((v->nrows + 7) / 8);
	memset(v->nulls, 0, (v->nrows + 7) / 8);
	for (i = 0; i < v->nrows; i++)
	{
		if (one_in == 1 || (one_in > 1 && rng_below(one_in) == 0))
		{
			v->nulls[i / 8] |= (uint8_t) (1u << (i % 8));
			nnull++;
		}
	}
	v->nvalues = v->nrows - nnull;
}

/* Variable-length builder */
typedef struct VarBuild
{
	CocoonVector v;
	size_t		cap;
	uint32_t	n;
} VarBuild;

static void
vb_init(VarBuild *b, uint32_t nvalues)
{
	b->cap = 1024;
	b->v.data = xmalloc(b->cap);
	b->v.offsets = xmalloc(((size_t) nvalues + 1) * sizeof(uint64_t));
	b->v.offsets[0] = 0;
	b->n = 0;
}

static void
vb_add(VarBuild *b, const void *p, size_t len)
{
	uint64_t	off = b->v.offsets[b->n];

	while (off + len > b->cap)
	{
		b->cap *= 2;
		b->v.data = realloc(b->v.data, b->cap);
		if (b->v.data == NULL)
			exit(2);
	}
	if (len)
		memcpy(b->v.data + off, p, len);
	b->v.offsets[++b->n] = off + len;
	b->v.data_len = off + len;
}

/* ---------------------------------------------------------------- */
/* comparison and sanity */

static int
is_null(const CocoonVector *v, uint32_t i)
{
	return v->nulls != NULL && (v->nulls[i / 8] >> (i % 8)) & 1;
}

static int
vec_equal(const CocoonVector *a, const CocoonVector *b, char *why)
{
	uint32_t	i;

	if (a->nrows != b->nrows || a->nvalues != b->nvalues)
	{
		sprintf(why, "counts %u/%u vs %u/%u", a->nrows, a->nvalues,
				b->nrows, b->nvalues);
		return 0;
	}
	for (i = 0; i < a->nrows; i++)
		if (is_null(a, i) != is_null(b, i))
		{
			sprintf(why, "null bit %u", i);
			return 0;
		}
	for (i = 0; i < a->nvalues; i++)
	{
		switch (a->kind)
		{
			case VK_INT:
				if (a->ints[i] != b->ints[i])
				{
					sprintf(why, "int %u: %" PRId64 " vs %" PRId64, i,
							a->ints[i], b->ints[i]);
					return 0;
				}
				break;
			case VK_FLOAT:
				if (a->bits[i] != b->bits[i])
				{
					sprintf(why, "float bits %u", i);
					return 0;
				}
				break;
			case VK_BOOL:
				if ((a->bools[i] != 0) != (b->bools[i] != 0) || b->bools[i] > 1)
				{
					sprintf(why, "bool %u", i);
					return 0;
				}
				break;
			case VK_FIXED:
				if (b->fixed_len != a->fixed_len ||
					(a->fixed_len > 0 && memcmp(a->data + (size_t) i * a->fixed_len,
						   b->data + (size_t) i * a->fixed_len, a->fixed_len) != 0))
				{
					sprintf(why, "fixed %u", i);
					return 0;
				}
				break;
			case VK_VAR:
				{
					uint64_t	la = a->offsets[i + 1] - a->offsets[i];
					uint64_t	lb = b->offsets[i + 1] - b->offsets[i];

					if (la != lb || (la && memcmp(a->data + a->offsets[i],
												  b->data + b->offsets[i], la)))
					{
						sprintf(why, "var %u", i);
						return 0;
					}
					break;
				}
		}
	}
	return 1;
}

/* A decoded vector must be self-consistent; touch all of its memory. */
static int
vec_sane(const CocoonVector *v, CocoonValueKind kind, uint32_t fixed_len)
{
	uint64_t	sum = 0;
	uint32_t	i;
	uint32_t	nnull = 0;

	if (v->kind != kind || v->nvalues > v->nrows)
		return 0;
	if (v->nulls)
	{
		for (i = 0; i < v->nrows; i++)
			nnull += is_null(v, i);
	}
	if (nnull != v->nrows - v->nvalues)
		return 0;
	switch (kind)
	{
		case VK_INT:
			if (!v->ints)
				return 0;
			for (i = 0; i < v->nvalues; i++)
				sum += (uint64_t) v->ints[i];
			break;
		case VK_FLOAT:
			if (!v->bits)
				return 0;
			for (i = 0; i < v->nvalues; i++)
				sum += v->bits[i];
			break;
		case VK_BOOL:
			if (!v->bools)
				return 0;
			for (i = 0; i < v->nvalues; i++)
				if (v->bools[i] > 1)
					return 0;
			break;
		case VK_FIXED:
			if (!v->data || v->fixed_len != fixed_len ||
				v->data_len != (uint64_t) v->nvalues * fixed_len)
				return 0;
			for (i = 0; i < v->data_len; i++)
				sum += v->data[i];
			break;
		case VK_VAR:
			if (!v->data || !v->offsets || v->offsets[0] != 0 ||
				v->offsets[v->nvalues] != v->data_len)
				return 0;
			for (i = 0; i < v->nvalues; i++)
				if (v->offsets[i + 1] < v->offsets[i])
					return 0;
			for (i = 0; i < v->data_len; i++)
				sum += v->data[i];
			break;
	}
	/* keep the sum alive */
	return sum != 0xDEADBEEFDEADBEEFULL || 1;
}

/*
 * The vector a dictionary-form chunk stands for (malloc'ed, tv_free), or 0
 * with why set if the dictionary form is not self-consistent: every code
 * an entry or the NULL code, as many NULL codes as NULL rows, entries
 * sane.  distinct: also require distinct entries (what cocoon_encode
 * writes; a damaged chunk may repeat one).
 */
static int
dict_expand(const CocoonDictVector *dv, CocoonValueKind kind, uint32_t fixed_len,
			int distinct, CocoonVector *out, char *why)
{
	const CocoonVector *d = &dv->dict;
	uint32_t	nd = d->nvalues;
	uint32_t	i,
				k = 0;
	uint64_t	off = 0;

	*out = tv_new(kind, dv->nrows);
	out->fixed_len = fixed_len;
	if (d->nrows != nd || d->nulls != NULL || !vec_sane(d, kind, fixed_len) ||
		dv->nvalues > dv->nrows || (dv->nrows > 0 && dv->codes == NULL) ||
		(nd > 0 && dv->nvalues == 0))
	{
		sprintf(why, "dictionary not sane");
		return 0;
	}
	if (distinct)
	{
		uint32_t	a,
					b;

		for (a = 0; a < nd; a++)
			for (b = a + 1; b < nd; b++)
			{
				CocoonVector x = *d,
							y = *d;

				/* compare entries a and b as one-value vectors */
				x.nrows = x.nvalues = y.nrows = y.nvalues = 1;
				switch (kind)
				{
					case VK_INT:
						x.ints += a;
						y.ints += b;
						break;
					case VK_FLOAT:
						x.bits += a;
						y.bits += b;
						break;
					case VK_FIXED:
						x.data += (size_t) a * fixed_len;
						y.data += (size_t) b * fixed_len;
						break;
					case VK_VAR:
						x.offsets += a;
						y.offsets += b;
						break;
					default:
						break;
				}
				if (vec_equal(&x, &y, why))
				{
					sprintf(why, "entries %u and %u are equal", a, b);
					return 0;
				}
			}
	}
	out->nulls = xmalloc((dv->nrows + 7) / 8 + 1);
	memset(out->nulls, 0, (dv->nrows + 7) / 8 + 1);
	out->nvalues = dv->nvalues;
	out->ints = xmalloc((size_t) dv->nvalues * 8);
	out->bits = xmalloc((size_t) dv->nvalues * 8);
	out->offsets = xmalloc(((size_t) dv->nvalues + 1) * 8);
	if (kind == VK_VAR)
	{
		uint64_t	total = 0;

		for (i = 0; i < dv->nrows; i++)
			if (dv->codes[i] < nd)
				total += d->offsets[dv->codes[i] + 1] - d->offsets[dv->codes[i]];
		out->data = xmalloc((size_t) total + 1);
	}
	else
		out->data = xmalloc((size_t) dv->nvalues * fixed_len + 1);
	out->offsets[0] = 0;
	for (i = 0; i < dv->nrows; i++)
	{
		uint32_t	c = dv->codes[i];

		if (c > nd)
		{
			sprintf(why, "row %u: code %u > %u entries", i, c, nd);
			return 0;
		}
		if (c == nd)
		{
			out->nulls[i / 8] |= (uint8_t) (1u << (i % 8));
			continue;
		}
		if (k >= dv->nvalues)
		{
			sprintf(why, "more values than nvalues %u", dv->nvalues);
			return 0;
		}
		switch (kind)
		{
			case VK_INT:
				out->ints[k] = d->ints[c];
				break;
			case VK_FLOAT:
				out->bits[k] = d->bits[c];
				break;
			case VK_FIXED:
				if (fixed_len > 0)
					memcpy(out->data + (size_t) k * fixed_len,
						   d->data + (size_t) c * fixed_len, fixed_len);
				break;
			case VK_VAR:
				{
					uint64_t	len = d->offsets[c + 1] - d->offsets[c];

					if (len)
						memcpy(out->data + off, d->data + d->offsets[c], len);
					off += len;
					out->offsets[k + 1] = off;
					break;
				}
			default:
				break;
		}
		k++;
	}
	if (k != dv->nvalues)
	{
		sprintf(why, "%u values for nvalues %u", k, dv->nvalues);
		return 0;
	}
	out->data_len = kind == VK_VAR ? off : (uint64_t) k * fixed_len;
	return 1;
}

/*
 * cocoon_decode_dict of an encoded chunk must agree with cocoon_decode:
 * dictionary-form codecs give the same vector, the others BADARG.
 */
static void
check_dict_form(const char *name, const uint8_t *enc, size_t enclen,
				const CocoonVector *in)
{
	CocoonDictVector dv;
	CocoonVector out;
	CocoonDecodeLimits lim = {0};
	CocoonCodecResult r;
	char		why[200] = "";

	r = cocoon_decode_dict(enc, enclen, in->kind, in->fixed_len, NULL, &dv);
	if (!cocoon_codec_has_dict((CocoonCodecId) enc[0], in->kind))
	{
		CHECK(r == COCOON_CODEC_BADARG, "%s: dictionary form of %s: %d", name,
			  cocoon_codec_name((CocoonCodecId) enc[0]), r);
		CHECK(dv.codes == NULL && dv.dict.data == NULL && dv.nrows == 0,
			  "%s: dictionary form not cleared", name);
		return;
	}
	CHECK(r == COCOON_CODEC_OK, "%s: decode_dict: %s", name,
		  cocoon_codec_result_string(r));
	if (r != COCOON_CODEC_OK)
		return;
	CHECK(dict_expand(&dv, in->kind, in->fixed_len, 1, &out, why) &&
		  vec_equal(in, &out, why), "%s: dictionary form differs: %s", name, why);
	if (enc[0] == CODEC_ALL_NULL)
		CHECK(dv.dict.nvalues == 0, "%s: all-NULL chunk with entries", name);
	if (enc[0] == CODEC_INT_CONST)
		CHECK(dv.dict.nvalues == 1, "%s: const chunk with %u entries", name,
			  dv.dict.nvalues);
	tv_free(&out);
	cocoon_dict_free(&dv);
	CHECK(dv.codes == NULL && dv.nrows == 0, "%s: cocoon_dict_free", name);

	/* limits, as cocoon_decode */
	if (in->nrows > 1)
	{
		lim.max_rows = in->nrows - 1;
		r = cocoon_decode_dict(enc, enclen, in->kind, in->fixed_len, &lim, &dv);
		CHECK(r == COCOON_CODEC_NOMEM && dv.codes == NULL,
			  "%s: decode_dict max_rows not enforced (%d)", name, r);
	}
	if (in->nrows > 16)
	{
		lim.max_rows = 0;
		lim.max_bytes = in->nrows;	/* codes alone take 4 bytes a row */
		r = cocoon_decode_dict(enc, enclen, in->kind, in->fixed_len, &lim, &dv);
		CHECK(r == COCOON_CODEC_NOMEM, "%s: decode_dict max_bytes not enforced (%d)",
			  name, r);
	}
	/* wrong kinds */
	{
		int			k;

		for (k = VK_INT; k <= VK_VAR; k++)
		{
			if (k == (int) in->kind)
				continue;
			r = cocoon_decode_dict(enc, enclen, (CocoonValueKind) k, in->fixed_len,
								   NULL, &dv);
			CHECK(r == COCOON_CODEC_CORRUPT || r == COCOON_CODEC_BADARG,
				  "%s: decode_dict as kind %d (%d)", name, k, r);
			cocoon_dict_free(&dv);
		}
	}
}

/* ---------------------------------------------------------------- */
/* pinned encoded sizes: measured + ~2% slack */

typedef struct Pin
{
	const char *name;
	size_t		bound;
} Pin;

static const Pin pins[] = {
#include "pins.h"
	{NULL, 0}
};

static size_t
pin_for(const char *name)
{
	const Pin  *p;

	for (p = pins; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p->bound;
	return 0;
}

/* damaged-input corpus: a few encoded chunks kept for later */
typedef struct Kept
{
	char		name[64];
	uint8_t    *buf;
	size_t		len;
	CocoonValueKind kind;
	uint32_t	fixed_len;
} Kept;

#define MAX_KEPT 64
static Kept kept[MAX_KEPT];
static int	nkept = 0;

static void
keep_chunk(const char *name, const uint8_t *buf, size_t len,
		   CocoonValueKind kind, uint32_t fixed_len)
{
	if (nkept >= MAX_KEPT)
		return;
	snprintf(kept[nkept].name, sizeof(kept[nkept].name), "%s", name);
	kept[nkept].buf = xmalloc(len);
	memcpy(kept[nkept].buf, buf, len);
	kept[nkept].len = len;
	kept[nkept].kind = kind;
	kept[nkept].fixed_len = fixed_len;
	nkept++;
}

static FILE *pinfile = NULL;	/* COCOON_WRITE_PINS=file: write a pin table */
static CocoonCodecId last_codec;	/* codec of the last roundtrip() */
static size_t last_zstd;		/* its size after zstd-3 */

/*
 * Encode, decode, compare; check the pinned size; round-trip the encoded
 * bytes through every compression method.  keep: also keep the chunk for
 * the damage tests (only for small chunks).
 */
static void
roundtrip(const char *name, CocoonVector *in, int keep)
{
	uint8_t    *enc = NULL;
	size_t		enclen = 0;
	CocoonCodecId codec = CODEC_ALL_NULL;
	CocoonCodecResult r;
	CocoonVector out;
	CocoonDecodeLimits lim = {0};
	char		why[200] = "";
	size_t		pin;
	int			m;

	r = cocoon_encode(in, &enc, &enclen, &codec);
	CHECK(r == COCOON_CODEC_OK, "%s: encode: %s", name,
		  cocoon_codec_result_string(r));
	if (r != COCOON_CODEC_OK)
		return;
	last_codec = codec;

	pin = pin_for(name);
	printf("  %-22s rows %6u values %6u  %-11s %9zu bytes  %7.3f B/value\n",
		   name, in->nrows, in->nvalues, cocoon_codec_name(codec), enclen,
		   in->nvalues ? (double) enclen / in->nvalues : 0.0);
	if (pinfile)
		fprintf(pinfile, "\t{\"%s\", %zu},\n", name,
				enclen + (enclen * 2 + 99) / 100 + 4);
	CHECK(pin != 0, "%s: no pinned size (measured %zu)", name, enclen);
	CHECK(pin == 0 || enclen <= pin, "%s: encoded size %zu > pinned %zu",
		  name, enclen, pin);

	lim.max_rows = in->nrows;
	r = cocoon_decode(enc, enclen, in->kind, in->fixed_len, &lim, &out);
	CHECK(r == COCOON_CODEC_OK, "%s: decode: %s", name,
		  cocoon_codec_result_string(r));
	if (r == COCOON_CODEC_OK)
	{
		CHECK(vec_equal(in, &out, why), "%s: round trip differs: %s", name, why);
		CHECK(vec_sane(&out, in->kind, in->fixed_len), "%s: decoded vector not sane", name);
		cocoon_vector_free(&out);
	}
	check_dict_form(name, enc, enclen, in);

	/* tight limits */
	if (in->nrows > 1)
	{
		lim.max_rows = in->nrows - 1;
		lim.max_bytes = 0;
		r = cocoon_decode(enc, enclen, in->kind, in->fixed_len, &lim, &out);
		CHECK(r == COCOON_CODEC_NOMEM, "%s: max_rows not enforced (%d)", name, r);
		CHECK(out.nrows == 0 && out.ints == NULL && out.data == NULL,
			  "%s: vector not cleared on error", name);
	}
	if (in->nvalues > 16 && !(in->kind == VK_FIXED && in->fixed_len == 0))
	{
		lim.max_rows = 0;
		lim.max_bytes = in->nvalues / 2;
		r = cocoon_decode(enc, enclen, in->kind, in->fixed_len, &lim, &out);
		CHECK(r == COCOON_CODEC_NOMEM, "%s: max_bytes not enforced (%d)", name, r);
	}

	/* wrong expected kind (and fixed_len) */
	{
		int			k;

		for (k = VK_INT; k <= VK_VAR; k++)
		{
			if (k == (int) in->kind)
				continue;
			r = cocoon_decode(enc, enclen, (CocoonValueKind) k, in->fixed_len,
							  NULL, &out);
			CHECK(r == COCOON_CODEC_CORRUPT, "%s: decoded as kind %d (%d)",
				  name, k, r);
		}
		if (in->kind == VK_FIXED)
		{
			r = cocoon_decode(enc, enclen, VK_FIXED, in->fixed_len + 1, NULL, &out);
			CHECK(r == COCOON_CODEC_CORRUPT, "%s: wrong fixed_len accepted", name);
		}
	}

	/* general-purpose compression of the chunk */
	for (m = COMPRESSION_NONE; m <= COMPRESSION_ZSTD; m++)
	{
		uint8_t    *c = NULL;
		uint8_t    *d = NULL;
		size_t		clen = 0;

		r = cocoon_compress((CocoonCompression) m, 3, enc, enclen, &c, &clen);
		CHECK(r == COCOON_CODEC_OK, "%s: compress %s", name,
			  cocoon_compression_name((CocoonCompression) m));
		if (r != COCOON_CODEC_OK)
			continue;
		r = cocoon_decompress((CocoonCompression) m, c, clen, enclen, &d);
		CHECK(r == COCOON_CODEC_OK && memcmp(d, enc, enclen) == 0,
			  "%s: decompress %s", name,
			  cocoon_compression_name((CocoonCompression) m));
		codec_free(d);
		d = NULL;
		r = cocoon_decompress((CocoonCompression) m, c, clen, enclen + 1, &d);
		CHECK(r == COCOON_CODEC_CORRUPT, "%s: %s rawlen+1 accepted", name,
			  cocoon_compression_name((CocoonCompression) m));
		codec_free(d);
		if (enclen > 0)
		{
			d = NULL;
			r = cocoon_decompress((CocoonCompression) m, c, clen, enclen - 1, &d);
			CHECK(r == COCOON_CODEC_CORRUPT, "%s: %s rawlen-1 accepted", name,
				  cocoon_compression_name((CocoonCompression) m));
			codec_free(d);
		}
		if (m == COMPRESSION_ZSTD)
			last_zstd = clen;
		if (m == COMPRESSION_ZSTD && in->nvalues >= 1000)
			printf("  %-22s %-11s %9zu bytes after zstd-3 (%.3f B/value)\n",
				   "", "", clen, (double) clen / in->nvalues);
		codec_free(c);
	}

	if (keep)
		keep_chunk(name, enc, enclen, in->kind, in->fixed_len);
	codec_free(enc);
}

/* ---------------------------------------------------------------- */
/* shapes */

#define N 10000
#define PG_TS_2024 ((int64_t) 757382400 * 1000000)	/* 2024-01-01, PG epoch */

static void
test_ints(void)
{
	CocoonVector v;
	uint32_t	i;
	int64_t		t;
	static const int64_t statuses[] = {200, 200, 200, 200, 200, 200, 200, 200,
		200, 200, 200, 200, 200, 200, 201, 204, 301, 302, 304, 400, 401, 403,
	404, 404, 500, 502, 503};

	printf("VK_INT\n");
	rng_seed(1);

	v = tv_new(VK_INT, 0);
	roundtrip("int/empty", &v, 1);
	tv_free(&v);

	v = tv_new(VK_INT, 1);
	v.nvalues = 1;
	v.ints = xmalloc(8);
	v.ints[0] = -12345;
	roundtrip("int/one", &v, 1);
	tv_free(&v);

	v = tv_new(VK_INT, 100);
	tv_set_nulls(&v, 1);
	roundtrip("int/all_null", &v, 1);
	tv_free(&v);

	v = tv_new(VK_INT, N);
	v.nvalues = N;
	v.ints = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.ints[i] = 42;
	roundtrip("int/const", &v, 0);
	tv_free(&v);

	/* one event per second, +-1 ms of jitter, microseconds */
	v = tv_new(VK_INT, N);
	v.nvalues = N;
	v.ints = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.ints[i] = PG_TS_2024 + (int64_t) i * 1000000 +
			(int64_t) rng_below(2001) - 1000;
	roundtrip("int/ts_jitter", &v, 0);
	tv_free(&v);

	/* irregular arrivals: random gaps of 0..50 ms */
	v = tv_new(VK_INT, N);
	v.nvalues = N;
	v.ints = xmalloc(N * 8);
	t = PG_TS_2024;
	for (i = 0; i < N; i++)
	{
		t += (int64_t) rng_below(50000);
		v.ints[i] = t;
	}
	roundtrip("int/ts_irregular", &v, 0);
	tv_free(&v);

	/* same, 10% NULL, smaller chunk kept for damage tests */
	v = tv_new(VK_INT, 600);
	tv_set_nulls(&v, 10);
	v.ints = xmalloc(v.nvalues * 8);
	for (i = 0; i < v.nvalues; i++)
		v.ints[i] = PG_TS_2024 + (int64_t) i * 1000000 +
			(int64_t) rng_below(2001) - 1000;
	roundtrip("int/ts_nulls", &v, 1);
	tv_free(&v);

	v = tv_new(VK_INT, N);
	v.nvalues = N;
	v.ints = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.ints[i] = statuses[rng_below(sizeof(statuses) / sizeof(statuses[0]))];
	roundtrip("int/status", &v, 0);
	tv_free(&v);

	v = tv_new(VK_INT, 400);
	v.nvalues = 400;
	v.ints = xmalloc(400 * 8);
	for (i = 0; i < 400; i++)
		v.ints[i] = statuses[rng_below(sizeof(statuses) / sizeof(statuses[0]))];
	roundtrip("int/status_small", &v, 1);
	tv_free(&v);

	v = tv_new(VK_INT, N);
	v.nvalues = N;
	v.ints = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.ints[i] = 1000000 + i;
	roundtrip("int/serial", &v, 0);
	tv_free(&v);

	v = tv_new(VK_INT, N);
	v.nvalues = N;
	v.ints = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.ints[i] = (int64_t) rng_below(1000);
	roundtrip("int/small_random", &v, 0);
	tv_free(&v);

	v = tv_new(VK_INT, N);
	v.nvalues = N;
	v.ints = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.ints[i] = (int64_t) rng();
	roundtrip("int/random64", &v, 0);
	tv_free(&v);

	/* extremes, both DOD and FOR must wrap correctly */
	{
		static const int64_t ext[] = {INT64_MIN, INT64_MAX, 0, -1, 1,
		INT64_MIN, INT64_MIN + 1, INT64_MAX - 1, INT64_MAX, INT64_MIN};
		uint32_t	n = 1000;

		v = tv_new(VK_INT, n);
		v.nvalues = n;
		v.ints = xmalloc(n * 8);
		for (i = 0; i < n; i++)
			v.ints[i] = ext[rng_below(10)];
		roundtrip("int/extremes", &v, 1);
		tv_free(&v);

		v = tv_new(VK_INT, 10);
		v.nvalues = 10;
		v.ints = xmalloc(10 * 8);
		memcpy(v.ints, ext, sizeof(ext));
		roundtrip("int/extremes10", &v, 1);
		tv_free(&v);

		/* descending from MAX to MIN in big steps: DOD wraps */
		v = tv_new(VK_INT, 300);
		v.nvalues = 300;
		v.ints = xmalloc(300 * 8);
		for (i = 0; i < 300; i++)
			v.ints[i] = (int64_t) ((uint64_t) INT64_MAX - (uint64_t) i * 0x0123456789ABCDEFULL);
		roundtrip("int/wrap_steps", &v, 1);
		tv_free(&v);

		v = tv_new(VK_INT, 2);
		v.nvalues = 2;
		v.ints = xmalloc(2 * 8);
		v.ints[0] = INT64_MIN;
		v.ints[1] = INT64_MAX;
		roundtrip("int/min_max", &v, 1);
		tv_free(&v);
	}

	/* 130 rows: blocks of 128 + 2 values, DOD stream of 128 */
	v = tv_new(VK_INT, 130);
	v.nvalues = 130;
	v.ints = xmalloc(130 * 8);
	for (i = 0; i < 130; i++)
		v.ints[i] = (int64_t) (i * i);
	roundtrip("int/squares130", &v, 1);
	tv_free(&v);
}

static void
test_floats(void)
{
	CocoonVector v;
	uint32_t	i;

	printf("VK_FLOAT\n");
	rng_seed(2);

	v = tv_new(VK_FLOAT, 0);
	roundtrip("float/empty", &v, 1);
	tv_free(&v);

	v = tv_new(VK_FLOAT, 1);
	v.nvalues = 1;
	v.bits = xmalloc(8);
	v.bits[0] = dbl_bits(-0.0);
	roundtrip("float/one", &v, 1);
	tv_free(&v);

	v = tv_new(VK_FLOAT, 77);
	tv_set_nulls(&v, 1);
	roundtrip("float/all_null", &v, 1);
	tv_free(&v);

	v = tv_new(VK_FLOAT, N);
	v.nvalues = N;
	v.bits = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.bits[i] = dbl_bits(3.14);
	roundtrip("float/const", &v, 0);
	tv_free(&v);

	/* sensor: 20 C + slow wave + noise, rounded to 0.1 */
	v = tv_new(VK_FLOAT, N);
	v.nvalues = N;
	v.bits = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.bits[i] = dbl_bits(round((20.0 + 5.0 * sin(i / 500.0) +
									 (rng_unit() - 0.5)) * 10.0) / 10.0);
	roundtrip("float/sensor", &v, 0);
	tv_free(&v);

	/* latencies in ms with 3 decimals */
	v = tv_new(VK_FLOAT, N);
	v.nvalues = N;
	v.bits = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.bits[i] = dbl_bits((double) rng_below(500000) / 1000.0);
	roundtrip("float/latency", &v, 0);
	tv_free(&v);

	/* small integer counters stored as float8 */
	v = tv_new(VK_FLOAT, N);
	v.nvalues = N;
	v.bits = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.bits[i] = dbl_bits((double) rng_below(100));
	roundtrip("float/counts", &v, 0);
	tv_free(&v);

	v = tv_new(VK_FLOAT, N);
	v.nvalues = N;
	v.bits = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.bits[i] = dbl_bits(rng_unit());
	roundtrip("float/random", &v, 0);
	tv_free(&v);

	/* float4 bit patterns, zero-extended */
	v = tv_new(VK_FLOAT, N);
	v.nvalues = N;
	v.bits = xmalloc(N * 8);
	for (i = 0; i < N; i++)
	{
		float		f = (float) (100.0 + rng_below(1000) / 10.0);
		uint32_t	b;

		memcpy(&b, &f, 4);
		v.bits[i] = b;
	}
	roundtrip("float/float4", &v, 0);
	tv_free(&v);

	/* extremes: NaN payloads, infinities, signed zeros, denormals */
	{
		static const uint64_t ext[] = {
			0x7FF8000000000000ULL, 0x7FF8000000000001ULL, 0xFFF8DEADBEEF0001ULL,
			0x7FF0000000000001ULL, 0x7FF0000000000000ULL, 0xFFF0000000000000ULL,
			0x8000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000001ULL,
			0x000FFFFFFFFFFFFFULL, 0x7FEFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL,
		0x3FF0000000000000ULL};
		uint32_t	n = 500;

		v = tv_new(VK_FLOAT, n);
		tv_set_nulls(&v, 7);
		v.bits = xmalloc(v.nvalues * 8);
		for (i = 0; i < v.nvalues; i++)
			v.bits[i] = ext[rng_below(13)];
		roundtrip("float/extremes", &v, 1);
		tv_free(&v);
	}

	v = tv_new(VK_FLOAT, 300);
	tv_set_nulls(&v, 4);
	v.bits = xmalloc(v.nvalues * 8);
	for (i = 0; i < v.nvalues; i++)
		v.bits[i] = dbl_bits(round((20.0 + (rng_unit() - 0.5)) * 10.0) / 10.0);
	roundtrip("float/sensor_nulls", &v, 1);
	tv_free(&v);
}

static void
test_bools(void)
{
	CocoonVector v;
	uint32_t	i;

	printf("VK_BOOL\n");
	rng_seed(3);

	v = tv_new(VK_BOOL, 0);
	roundtrip("bool/empty", &v, 1);
	tv_free(&v);

	v = tv_new(VK_BOOL, 1);
	v.nvalues = 1;
	v.bools = xmalloc(1);
	v.bools[0] = 1;
	roundtrip("bool/one", &v, 1);
	tv_free(&v);

	v = tv_new(VK_BOOL, 13);
	tv_set_nulls(&v, 1);
	roundtrip("bool/all_null", &v, 1);
	tv_free(&v);

	v = tv_new(VK_BOOL, N);
	v.nvalues = N;
	v.bools = xmalloc(N);
	for (i = 0; i < N; i++)
		v.bools[i] = rng_below(2);
	roundtrip("bool/random", &v, 0);
	tv_free(&v);

	v = tv_new(VK_BOOL, 1003);
	tv_set_nulls(&v, 3);
	v.bools = xmalloc(v.nvalues);
	for (i = 0; i < v.nvalues; i++)
		v.bools[i] = rng_below(10) == 0;
	roundtrip("bool/sparse_nulls", &v, 1);
	tv_free(&v);
}

static void
uuid_v4(uint8_t *u)
{
	uint64_t	a = rng();
	uint64_t	b = rng();

	memcpy(u, &a, 8);
	memcpy(u + 8, &b, 8);
	u[6] = (uint8_t) ((u[6] & 0x0F) | 0x40);
	u[8] = (uint8_t) ((u[8] & 0x3F) | 0x80);
}

static void
test_fixed(void)
{
	CocoonVector v;
	uint32_t	i;

	printf("VK_FIXED\n");
	rng_seed(4);

	v = tv_new(VK_FIXED, 0);
	v.fixed_len = 16;
	roundtrip("fixed/empty", &v, 1);
	tv_free(&v);

	v = tv_new(VK_FIXED, 1);
	v.fixed_len = 16;
	v.nvalues = 1;
	v.data = xmalloc(16);
	v.data_len = 16;
	uuid_v4(v.data);
	roundtrip("fixed/one", &v, 1);
	tv_free(&v);

	v = tv_new(VK_FIXED, 50);
	v.fixed_len = 16;
	tv_set_nulls(&v, 1);
	roundtrip("fixed/all_null", &v, 1);
	tv_free(&v);

	v = tv_new(VK_FIXED, N);
	v.fixed_len = 16;
	v.nvalues = N;
	v.data_len = (uint64_t) N * 16;
	v.data = xmalloc(v.data_len);
	for (i = 0; i < N; i++)
		uuid_v4(v.data + (size_t) i * 16);
	roundtrip("fixed/uuid", &v, 0);
	tv_free(&v);

	/* uuids of 20 tenants: dictionary */
	{
		uint8_t		tenants[20][16];

		for (i = 0; i < 20; i++)
			uuid_v4(tenants[i]);
		v = tv_new(VK_FIXED, N);
		v.fixed_len = 16;
		v.nvalues = N;
		v.data_len = (uint64_t) N * 16;
		v.data = xmalloc(v.data_len);
		for (i = 0; i < N; i++)
			memcpy(v.data + (size_t) i * 16, tenants[rng_below(20)], 16);
		roundtrip("fixed/uuid_lowcard", &v, 0);
		tv_free(&v);

		v = tv_new(VK_FIXED, 500);
		v.fixed_len = 16;
		tv_set_nulls(&v, 5);
		v.data_len = (uint64_t) v.nvalues * 16;
		v.data = xmalloc(v.data_len);
		for (i = 0; i < v.nvalues; i++)
			memcpy(v.data + (size_t) i * 16, tenants[rng_below(20)], 16);
		roundtrip("fixed/uuid_lowcard_nul", &v, 1);
		tv_free(&v);
	}

	v = tv_new(VK_FIXED, 300);
	v.fixed_len = 16;
	tv_set_nulls(&v, 8);
	v.data_len = (uint64_t) v.nvalues * 16;
	v.data = xmalloc(v.data_len);
	for (i = 0; i < v.nvalues; i++)
		uuid_v4(v.data + (size_t) i * 16);
	roundtrip("fixed/uuid_nulls", &v, 1);
	tv_free(&v);

	/* fixed_len 0 and odd widths */
	v = tv_new(VK_FIXED, 20);
	v.fixed_len = 0;
	v.nvalues = 20;
	roundtrip("fixed/len0", &v, 1);
	tv_free(&v);

	v = tv_new(VK_FIXED, 1000);
	v.fixed_len = 3;
	v.nvalues = 1000;
	v.data_len = 3000;
	v.data = xmalloc(3000);
	for (i = 0; i < 3000; i++)
		v.data[i] = (uint8_t) rng_below(3);
	roundtrip("fixed/len3", &v, 1);
	tv_free(&v);
}

static const char *const levels[] = {"INFO", "INFO", "INFO", "INFO", "INFO",
	"INFO", "INFO", "INFO", "DEBUG", "DEBUG", "WARN", "ERROR", "FATAL",
"TRACE"};

static void
make_message(char *buf, size_t cap)
{
	static const char *const users[] = {"alice", "bob", "carol", "dave",
	"erin", "frank", "grace", "heidi"};
	static const char *const paths[] = {"/api/v1/orders", "/api/v1/users",
		"/static/app.js", "/login", "/api/v2/search", "/health",
	"/api/v1/orders/items"};

	switch (rng_below(6))
	{
		case 0:
			snprintf(buf, cap, "user %s logged in from 10.%u.%u.%u",
					 users[rng_below(8)], (unsigned) rng_below(256),
					 (unsigned) rng_below(256), (unsigned) rng_below(256));
			break;
		case 1:
			snprintf(buf, cap, "GET %s took %u ms (status %u)",
					 paths[rng_below(7)], (unsigned) rng_below(2000),
					 rng_below(10) ? 200u : 500u);
			break;
		case 2:
			snprintf(buf, cap, "order %u shipped to warehouse %u",
					 (unsigned) (100000 + rng_below(900000)),
					 (unsigned) rng_below(40));
			break;
		case 3:
			snprintf(buf, cap, "connection pool exhausted (%u/%u), waiting",
					 (unsigned) rng_below(64), 64u);
			break;
		case 4:
			snprintf(buf, cap, "cache miss for key session:%016" PRIx64,
					 rng());
			break;
		default:
			snprintf(buf, cap, "checkpoint complete: wrote %u buffers (%.1f%%)",
					 (unsigned) rng_below(10000), rng_unit() * 100.0);
			break;
	}
}

static void
test_var(void)
{
	VarBuild	b;
	uint32_t	i;
	char		msg[256];

	printf("VK_VAR\n");
	rng_seed(5);

	b.v = tv_new(VK_VAR, 0);
	vb_init(&b, 0);
	roundtrip("var/empty", &b.v, 1);
	tv_free(&b.v);

	b.v = tv_new(VK_VAR, 1);
	vb_init(&b, 1);
	vb_add(&b, "hello", 5);
	b.v.nvalues = 1;
	roundtrip("var/one", &b.v, 1);
	tv_free(&b.v);

	b.v = tv_new(VK_VAR, 1);
	vb_init(&b, 1);
	vb_add(&b, "", 0);
	b.v.nvalues = 1;
	roundtrip("var/one_empty", &b.v, 1);
	tv_free(&b.v);

	b.v = tv_new(VK_VAR, 33);
	tv_set_nulls(&b.v, 1);
	roundtrip("var/all_null", &b.v, 1);
	tv_free(&b.v);

	b.v = tv_new(VK_VAR, 500);
	vb_init(&b, 500);
	b.v.nvalues = 500;
	for (i = 0; i < 500; i++)
		vb_add(&b, "", 0);
	roundtrip("var/all_empty", &b.v, 1);
	tv_free(&b.v);

	b.v = tv_new(VK_VAR, N);
	vb_init(&b, N);
	b.v.nvalues = N;
	for (i = 0; i < N; i++)
		vb_add(&b, "GET", 3);
	roundtrip("var/const", &b.v, 0);
	tv_free(&b.v);

	b.v = tv_new(VK_VAR, N);
	vb_init(&b, N);
	b.v.nvalues = N;
	for (i = 0; i < N; i++)
	{
		const char *l = levels[rng_below(14)];

		vb_add(&b, l, strlen(l));
	}
	roundtrip("var/levels", &b.v, 0);
	tv_free(&b.v);

	b.v = tv_new(VK_VAR, 700);
	tv_set_nulls(&b.v, 6);
	vb_init(&b, b.v.nvalues);
	for (i = 0; i < b.v.nvalues; i++)
	{
		const char *l = levels[rng_below(14)];

		vb_add(&b, l, strlen(l));
	}
	roundtrip("var/levels_nulls", &b.v, 1);
	tv_free(&b.v);

	b.v = tv_new(VK_VAR, N);
	vb_init(&b, N);
	b.v.nvalues = N;
	for (i = 0; i < N; i++)
	{
		make_message(msg, sizeof(msg));
		vb_add(&b, msg, strlen(msg));
	}
	roundtrip("var/messages", &b.v, 0);
	tv_free(&b.v);

	b.v = tv_new(VK_VAR, 200);
	tv_set_nulls(&b.v, 5);
	vb_init(&b, b.v.nvalues);
	for (i = 0; i < b.v.nvalues; i++)
	{
		make_message(msg, sizeof(msg));
		vb_add(&b, msg, rng_below(8) ? strlen(msg) : 0);
	}
	roundtrip("var/messages_nulls", &b.v, 1);
	tv_free(&b.v);

	/* uuids as text */
	b.v = tv_new(VK_VAR, N);
	vb_init(&b, N);
	b.v.nvalues = N;
	for (i = 0; i < N; i++)
	{
		uint8_t		u[16];

		uuid_v4(u);
		snprintf(msg, sizeof(msg),
				 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
				 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
				 u[10], u[11], u[12], u[13], u[14], u[15]);
		vb_add(&b, msg, 36);
	}
	roundtrip("var/uuid_text", &b.v, 0);
	tv_free(&b.v);

	/* a 5 MB value among small and empty ones */
	{
		size_t		big = 5 * 1024 * 1024;
		uint8_t    *bp = xmalloc(big);

		for (i = 0; i < big; i++)
			bp[i] = (uint8_t) (rng() >> 56);
		b.v = tv_new(VK_VAR, 6);
		tv_set_nulls(&b.v, 0);
		b.v.nulls[0] = 0x04;	/* row 2 NULL */
		b.v.nvalues = 5;
		vb_init(&b, 5);
		vb_add(&b, "a", 1);
		vb_add(&b, bp, big);
		vb_add(&b, "", 0);
		vb_add(&b, "bcd", 3);
		vb_add(&b, bp, 1000);
		roundtrip("var/big5mb", &b.v, 0);
		tv_free(&b.v);

		/* the same 1 MB value four times, and small ones: dictionary */
		b.v = tv_new(VK_VAR, 40);
		b.v.nvalues = 40;
		vb_init(&b, 40);
		for (i = 0; i < 40; i++)
		{
			if (i % 10 == 3)
				vb_add(&b, bp, 1024 * 1024);
			else
				vb_add(&b, levels[i % 3], strlen(levels[i % 3]));
		}
		roundtrip("var/big_repeated", &b.v, 0);
		tv_free(&b.v);
		free(bp);
	}

	/* offsets not starting at 0 (a slice of a bigger buffer), bitmap
	 * present but without NULL bits, garbage past nrows */
	b.v = tv_new(VK_VAR, 300);
	vb_init(&b, 301);
	vb_add(&b, "prefix-not-part-of-the-vector", 29);
	for (i = 0; i < 300; i++)
	{
		const char *l = levels[rng_below(14)];

		vb_add(&b, l, strlen(l));
	}
	b.v.offsets++;
	b.v.nvalues = 300;
	b.v.nulls = xmalloc(38);
	memset(b.v.nulls, 0, 38);
	b.v.nulls[37] = 0xF0;		/* bits 300..303: beyond nrows, ignored */
	roundtrip("var/slice", &b.v, 1);
	b.v.offsets--;
	tv_free(&b.v);
}

/* ---------------------------------------------------------------- */
/* VK_VAR values that are varlenas (CODEC_VARLENA) and jsonb (CODEC_JSONB) */

#include "jsonb_samples.h"

static void
vb_add_hex(VarBuild *b, const char *hex)
{
	size_t		len = strlen(hex) / 2;
	uint8_t    *t = xmalloc(len + 1);
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned	x;

		sscanf(hex + 2 * i, "%2x", &x);
		t[i] = (uint8_t) x;
	}
	vb_add(b, t, len);
	free(t);
}

/* a text varlena: 1-byte header when it fits, unless force4 */
static void
vb_add_text(VarBuild *b, const char *s, size_t len, int force4)
{
	uint8_t    *t = xmalloc(len + 4);

	if (len + 1 <= 127 && !force4)
	{
		t[0] = (uint8_t) (((len + 1) << 1) | 1);
		memcpy(t + 1, s, len);
		vb_add(b, t, len + 1);
	}
	else
	{
		uint32_t	h = (uint32_t) ((len + 4) << 2);

		memcpy(t, &h, 4);
		memcpy(t + 4, s, len);
		vb_add(b, t, len + 4);
	}
	free(t);
}

static int
bytes_contain(const uint8_t *h, size_t hl, const char *n)
{
	size_t		nl = strlen(n);
	size_t		i;

	for (i = 0; i + nl <= hl; i++)
		if (memcmp(h + i, n, nl) == 0)
			return 1;
	return 0;
}

/*
 * JSONB decoding with a needle (CocoonDecodeLimits.needle): every value
 * whose keys or strings contain the needle is rebuilt bit-identical, the
 * others are marked skipped and given no bytes; without a needle nothing
 * is skipped.
 */
static void
test_jsonb_needle(CocoonVector *in)
{
	static const char *const needles[] = {
		"t-0075", "fast_path", "region", "us-east-1", "req-1e2a71de1c74",
		"no-such-string-anywhere", "egion", "ast_pat"
	};
	uint8_t    *enc = NULL;
	size_t		enclen = 0;
	CocoonCodecId codec;
	CocoonVector full;
	CocoonDecodeLimits lim = {0};
	size_t		t;

	CHECK(cocoon_encode(in, &enc, &enclen, &codec) == COCOON_CODEC_OK &&
		  codec == CODEC_JSONB, "needle: encode");
	CHECK(cocoon_decode(enc, enclen, VK_VAR, 0, &lim, &full) == COCOON_CODEC_OK &&
		  full.skipped == NULL, "needle: full decode");
	for (t = 0; t < sizeof(needles) / sizeof(needles[0]); t++)
	{
		CocoonVector part;
		CocoonCodecResult r;
		uint32_t	k,
					nskip = 0,
					bad = 0;

		lim.needle = (const uint8_t *) needles[t];
		lim.needle_len = strlen(needles[t]);
		r = cocoon_decode(enc, enclen, VK_VAR, 0, &lim, &part);
		CHECK(r == COCOON_CODEC_OK, "needle %s: decode: %s", needles[t],
			  cocoon_codec_result_string(r));
		if (r != COCOON_CODEC_OK)
			continue;
		CHECK(part.skipped != NULL && part.nvalues == full.nvalues, "needle %s: shape", needles[t]);
		for (k = 0; k < full.nvalues; k++)
		{
			const uint8_t *fv = full.data + full.offsets[k];
			size_t		fl = (size_t) (full.offsets[k + 1] - full.offsets[k]);
			int			has = bytes_contain(fv, fl, needles[t]);

			if (part.skipped[k / 8] & (1u << (k % 8)))
			{
				nskip++;
				/* jsonb holds keys and strings raw: a skipped value lacks it */
				if (has || part.offsets[k + 1] != part.offsets[k])
					bad++;
			}
			else if (!has ||
					 part.offsets[k + 1] - part.offsets[k] != fl ||
					 memcmp(part.data + part.offsets[k], fv, fl) != 0)
				bad++;
		}
		printf("  jsonb needle %-24s %4u of %4u values skipped\n", needles[t], nskip, full.nvalues);
		CHECK(bad == 0, "needle %s: %u values wrong", needles[t], bad);
		cocoon_vector_free(&part);
	}
	/* every value has a key "region" or "tenant"...: not all skipped, not none */
	lim.needle = NULL;
	lim.needle_len = 0;
	cocoon_vector_free(&full);
	free(enc);
}

static void
test_varlena_jsonb(void)
{
	VarBuild	b;
	uint32_t	i;
	char		msg[300];
	size_t		zplain;

	printf("VK_VAR varlenas and jsonb\n");
	rng_seed(11);

	/* log messages as text varlenas */
	b.v = tv_new(VK_VAR, N);
	vb_init(&b, N);
	b.v.nvalues = N;
	for (i = 0; i < N; i++)
	{
		make_message(msg, sizeof(msg));
		vb_add_text(&b, msg, strlen(msg), 0);
	}
	b.v.var_format = COCOON_VAR_BYTES;
	roundtrip("varlena/messages_plain", &b.v, 0);
	CHECK(last_codec == CODEC_VAR_PLAIN, "messages as bytes: %s", cocoon_codec_name(last_codec));
	zplain = last_zstd;
	b.v.var_format = COCOON_VAR_VARLENA;
	roundtrip("varlena/messages", &b.v, 0);
	CHECK(last_codec == CODEC_VARLENA, "messages as varlenas: %s", cocoon_codec_name(last_codec));
	printf("  varlena vs var_plain after zstd-3: %zu vs %zu bytes\n", last_zstd, zplain);
	tv_free(&b.v);

	/* 1- and 4-byte headers, a 4-byte header on a short value, empty
	 * strings, values over 127 bytes, NULLs */
	b.v = tv_new(VK_VAR, 300);
	tv_set_nulls(&b.v, 7);
	vb_init(&b, b.v.nvalues);
	for (i = 0; i < b.v.nvalues; i++)
	{
		size_t		len = rng_below(4) == 0 ? rng_below(260) : rng_below(20);
		size_t		j;

		for (j = 0; j < len; j++)
			msg[j] = (char) ('a' + rng_below(26));
		vb_add_text(&b, msg, len, rng_below(10) == 0);
	}
	b.v.var_format = COCOON_VAR_VARLENA;
	roundtrip("varlena/headers", &b.v, 1);
	CHECK(last_codec == CODEC_VARLENA, "headers: %s", cocoon_codec_name(last_codec));
	tv_free(&b.v);

	/* said to be varlenas but are not (raw text): other codecs */
	b.v = tv_new(VK_VAR, 300);
	vb_init(&b, 300);
	b.v.nvalues = 300;
	for (i = 0; i < 300; i++)
	{
		make_message(msg, sizeof(msg));
		vb_add(&b, msg, strlen(msg));
	}
	b.v.var_format = COCOON_VAR_JSONB;
	roundtrip("varlena/not_varlena", &b.v, 0);
	CHECK(last_codec == CODEC_VAR_PLAIN, "not varlenas: %s", cocoon_codec_name(last_codec));
	tv_free(&b.v);

	/* jsonb edge cases: root scalars, empty containers, nesting, offsets
	 * every 32nd JEntry, numerics, 4-byte header, NULLs */
	b.v = tv_new(VK_VAR, 20);
	b.v.nulls = xmalloc(3);
	memset(b.v.nulls, 0, 3);
	b.v.nulls[0] = 0x21;		/* rows 0 and 5 */
	b.v.nulls[2] = 0x08;		/* row 19 */
	b.v.nvalues = 17;
	vb_init(&b, 17);
	for (i = 0; i < N_JSONB_EDGE; i++)
		vb_add_hex(&b, jsonb_samples[i]);
	vb_add_hex(&b, jsonb_samples[8]);
	b.v.var_format = COCOON_VAR_JSONB;
	roundtrip("jsonb/edge", &b.v, 1);
	CHECK(last_codec == CODEC_JSONB, "jsonb edge: %s", cocoon_codec_name(last_codec));
	tv_free(&b.v);

	/* log attributes (bench/gen.c): binary layout vs serialisation */
	b.v = tv_new(VK_VAR, N_JSONB_SAMPLES - N_JSONB_EDGE);
	vb_init(&b, N_JSONB_SAMPLES - N_JSONB_EDGE);
	b.v.nvalues = N_JSONB_SAMPLES - N_JSONB_EDGE;
	for (i = N_JSONB_EDGE; i < N_JSONB_SAMPLES; i++)
		vb_add_hex(&b, jsonb_samples[i]);
	b.v.var_format = COCOON_VAR_VARLENA;
	roundtrip("jsonb/attrs_as_varlena", &b.v, 0);
	CHECK(last_codec == CODEC_VARLENA, "attrs as varlenas: %s", cocoon_codec_name(last_codec));
	zplain = last_zstd;
	b.v.var_format = COCOON_VAR_JSONB;
	roundtrip("jsonb/attrs", &b.v, 0);
	CHECK(last_codec == CODEC_JSONB, "attrs: %s", cocoon_codec_name(last_codec));
	printf("  jsonb vs varlena after zstd-3: %zu vs %zu bytes\n", last_zstd, zplain);
	test_jsonb_needle(&b.v);

	/* a non-zero padding byte: not what PostgreSQL writes, so not JSONB,
	 * but still bit-identical */
	{
		uint8_t    *v0 = b.v.data + b.v.offsets[0];
		size_t		l0 = (size_t) (b.v.offsets[1] - b.v.offsets[0]);
		CocoonVector one = tv_new(VK_VAR, 1);
		VarBuild	b1;
		uint8_t    *z;

		/* sample 16 ends with a string key/value section; flip the first
		 * zero byte after the JEntries that is padding-or-data */
		b1.v = one;
		b1.v.data = xmalloc(l0);
		b1.v.offsets = xmalloc(2 * sizeof(uint64_t));
		b1.v.offsets[0] = 0;
		b1.v.offsets[1] = l0;
		b1.v.data_len = l0;
		b1.v.nvalues = 1;
		memcpy(b1.v.data, v0, l0);
		b1.v.var_format = COCOON_VAR_JSONB;
		/* make the last byte of the document different: a string byte
		 * becomes 0x00, which the serialisation cannot represent */
		z = b1.v.data + l0 - 1;
		*z = 0;
		roundtrip("jsonb/nul_in_string", &b1.v, 0);
		CHECK(last_codec != CODEC_JSONB, "NUL in string: %s", cocoon_codec_name(last_codec));
		tv_free(&b1.v);
	}
	tv_free(&b.v);

	/* nested arrays [[...["x"]...]]: 65 levels is the most JSONB takes,
	 * 66 fall back to VARLENA; both bit-identical */
	{
		int			levels;

		for (levels = 65; levels <= 66; levels++)
		{
			size_t		doclen = 8 * (size_t) (levels - 1) + 9;
			size_t		len = 4 + doclen;
			uint8_t    *t = xmalloc(len);
			uint32_t	h = (uint32_t) (len << 2);
			int			l;

			memcpy(t, &h, 4);
			for (l = 0; l < levels; l++)
			{
				uint8_t    *c = t + 4 + 8 * (size_t) l;
				uint32_t	hdr = 1 | 0x40000000u;
				uint32_t	je = l == levels - 1 ? (0x80000000u | 1)
					: (0x80000000u | 0x50000000u | (uint32_t) (doclen - 8 * (size_t) (l + 1)));

				memcpy(c, &hdr, 4);
				memcpy(c + 4, &je, 4);
			}
			t[len - 1] = 'x';
			b.v = tv_new(VK_VAR, 1);
			vb_init(&b, 1);
			b.v.nvalues = 1;
			vb_add(&b, t, len);
			b.v.var_format = COCOON_VAR_JSONB;
			roundtrip(levels == 65 ? "jsonb/depth65" : "jsonb/depth66", &b.v, 0);
			CHECK(last_codec == (levels == 65 ? CODEC_JSONB : CODEC_VARLENA),
				  "%d levels: %s", levels, cocoon_codec_name(last_codec));
			tv_free(&b.v);
			free(t);
		}
	}

	/* numerics are 4-byte aligned: a non-zero padding byte must not be
	 * dropped (edge sample 8 has padding before its first numeric) */
	{
		const char *hex = jsonb_samples[8];
		size_t		len = strlen(hex) / 2;
		int			found = 0;

		b.v = tv_new(VK_VAR, 1);
		vb_init(&b, 1);
		b.v.nvalues = 1;
		vb_add_hex(&b, hex);
		b.v.var_format = COCOON_VAR_JSONB;
		roundtrip("jsonb/sample8", &b.v, 0);
		CHECK(last_codec == CODEC_JSONB, "sample 8: %s", cocoon_codec_name(last_codec));
		/* try each zero byte: flipped, JSONB must either be not chosen or
		 * (if the byte was not padding) still round-trip */
		for (i = 1; i < len; i++)
		{
			uint8_t    *enc;
			size_t		enclen;
			CocoonCodecId codec;
			CocoonVector out;

			if (b.v.data[i] != 0)
				continue;
			b.v.data[i] = 0x5A;
			if (cocoon_encode(&b.v, &enc, &enclen, &codec) == COCOON_CODEC_OK)
			{
				if (cocoon_decode(enc, enclen, VK_VAR, 0, NULL, &out) == COCOON_CODEC_OK)
				{
					CHECK(out.data_len == len && memcmp(out.data, b.v.data, len) == 0,
						  "flipped byte %u: not bit-identical", i);
					if (codec != CODEC_JSONB)
						found++;
					cocoon_vector_free(&out);
				}
				else
					CHECK(0, "flipped byte %u: decode failed", i);
				codec_free(enc);
			}
			b.v.data[i] = 0;
		}
		CHECK(found > 0, "no flipped byte made JSONB fall back");
		tv_free(&b.v);
	}
}

/* ---------------------------------------------------------------- */
/* argument checking */

static void
test_badargs(void)
{
	CocoonVector v;
	uint8_t    *out = NULL;
	size_t		outlen = 0;
	int64_t		ints[4] = {1, 2, 3, 4};
	uint64_t	offs[3] = {0, 5, 3};
	uint8_t		nulls[1] = {0x01};
	CocoonVector dec;
	uint8_t		buf[4];
	CocoonCodecResult r;

	printf("bad arguments\n");
	v = tv_new(VK_INT, 4);
	v.nvalues = 5;
	v.ints = ints;
	CHECK(cocoon_encode(&v, &out, &outlen, NULL) == COCOON_CODEC_BADARG,
		  "nvalues > nrows");
	v.nvalues = 3;
	CHECK(cocoon_encode(&v, &out, &outlen, NULL) == COCOON_CODEC_BADARG,
		  "nvalues without nulls");
	v.nulls = nulls;
	CHECK(cocoon_encode(&v, &out, &outlen, NULL) == COCOON_CODEC_OK,
		  "3 values + 1 null");
	codec_free(out);
	v.nvalues = 4;
	CHECK(cocoon_encode(&v, &out, &outlen, NULL) == COCOON_CODEC_BADARG,
		  "nulls count mismatch");
	v.nulls = NULL;
	v.kind = (CocoonValueKind) 9;
	CHECK(cocoon_encode(&v, &out, &outlen, NULL) == COCOON_CODEC_BADARG,
		  "bad kind");
	v.kind = VK_INT;
	v.ints = NULL;
	CHECK(cocoon_encode(&v, &out, &outlen, NULL) == COCOON_CODEC_BADARG,
		  "no ints");
	v = tv_new(VK_VAR, 2);
	v.nvalues = 2;
	v.offsets = offs;
	v.data = buf;
	v.data_len = 4;
	CHECK(cocoon_encode(&v, &out, &outlen, NULL) == COCOON_CODEC_BADARG,
		  "offsets not monotonic");
	offs[2] = 7;
	CHECK(cocoon_encode(&v, &out, &outlen, NULL) == COCOON_CODEC_BADARG,
		  "offsets past data_len");
	v = tv_new(VK_FIXED, 2);
	v.nvalues = 2;
	v.fixed_len = 4;
	v.data = buf;
	v.data_len = 4;
	CHECK(cocoon_encode(&v, &out, &outlen, NULL) == COCOON_CODEC_BADARG,
		  "fixed data too short");
	CHECK(cocoon_encode(NULL, &out, &outlen, NULL) == COCOON_CODEC_BADARG,
		  "NULL vector");

	r = cocoon_decode(NULL, 0, VK_INT, 0, NULL, &dec);
	CHECK(r == COCOON_CODEC_CORRUPT, "decode of nothing: %d", r);
	r = cocoon_decode(buf, 4, (CocoonValueKind) 0, 0, NULL, &dec);
	CHECK(r == COCOON_CODEC_BADARG, "decode bad kind: %d", r);

	r = cocoon_compress((CocoonCompression) 7, 0, buf, 4, &out, &outlen);
	CHECK(r == COCOON_CODEC_BADARG, "compress bad method");
	r = cocoon_compress(COMPRESSION_ZSTD, 1000, buf, 4, &out, &outlen);
	CHECK(r == COCOON_CODEC_BADARG, "zstd bad level");
	/* only the length is looked at before rejecting */
	r = cocoon_compress(COMPRESSION_LZ4, 0, buf, (size_t) 0x7E000001, &out, &outlen);
	CHECK(r == COCOON_CODEC_BADARG, "lz4 too large");
	r = cocoon_decompress((CocoonCompression) 7, buf, 4, 4, &out);
	CHECK(r == COCOON_CODEC_BADARG, "decompress bad method");

	CHECK(strcmp(cocoon_codec_name(CODEC_INT_FOR), "int_for") == 0, "names");
	CHECK(strcmp(cocoon_codec_name((CocoonCodecId) 99), "unknown") == 0, "names");
	CHECK(strcmp(cocoon_compression_name(COMPRESSION_ZSTD), "zstd") == 0, "names");
	CHECK(strcmp(cocoon_codec_result_string(COCOON_CODEC_OK), "ok") == 0, "names");
}

/* ---------------------------------------------------------------- */
/* compression */

static void
test_compression(void)
{
	size_t		n = 200000;
	uint8_t    *raw = xmalloc(n);
	size_t		i;
	int			m;
	int			levels_[] = {1, 3, 19, -5};

	printf("compression\n");
	rng_seed(6);
	for (i = 0; i < n; i++)
		raw[i] = (uint8_t) ("abcabcabdxyz"[rng_below(12)]);

	for (m = COMPRESSION_NONE; m <= COMPRESSION_ZSTD; m++)
	{
		int			li;

		for (li = 0; li < 4; li++)
		{
			uint8_t    *c = NULL;
			uint8_t    *d = NULL;
			size_t		clen = 0;
			size_t		len = li == 3 ? 0 : n;	/* also empty input */
			size_t		j;
			CocoonCodecResult r;

			if (m != COMPRESSION_ZSTD && li > 0 && li < 3)
				continue;
			r = cocoon_compress((CocoonCompression) m, levels_[li] < 0 && m == COMPRESSION_ZSTD ? 1 : levels_[li],
								raw, len, &c, &clen);
			CHECK(r == COCOON_CODEC_OK, "compress %d", m);
			if (r != COCOON_CODEC_OK)
				continue;
			if (len > 0)
				printf("  %-5s level %2d: %zu -> %zu bytes\n",
					   cocoon_compression_name((CocoonCompression) m),
					   levels_[li], len, clen);
			r = cocoon_decompress((CocoonCompression) m, c, clen, len, &d);
			CHECK(r == COCOON_CODEC_OK && (len == 0 || memcmp(d, raw, len) == 0),
				  "decompress %d len %zu", m, len);
			codec_free(d);

			/* damaged compressed data: never crash, never wrong length */
			for (j = 0; j < 300 && clen > 0; j++)
			{
				uint8_t    *dmg = xmalloc(clen);
				size_t		cut = j % 3 == 0 ? rng_below(clen) : clen;

				memcpy(dmg, c, clen);
				if (j % 3 != 0)
					dmg[rng_below(clen)] ^= (uint8_t) (1 + rng_below(255));
				d = NULL;
				r = cocoon_decompress((CocoonCompression) m, dmg, cut, len, &d);
				CHECK(r == COCOON_CODEC_OK || r == COCOON_CODEC_CORRUPT,
					  "damaged decompress %d: %d", m, r);
				CHECK((r == COCOON_CODEC_OK) == (d != NULL), "out set iff OK");
				codec_free(d);
				free(dmg);
			}
			codec_free(c);
		}
	}
	free(raw);
}

/* ---------------------------------------------------------------- */
/* damaged chunks */

static void
test_damage(void)
{
	int			k;
	int			total_trunc = 0;
	int			total_flip = 0;
	int			flip_ok = 0;
	int			dict_flip_ok = 0;

	printf("damaged chunks (%d kept)\n", nkept);
	rng_seed(7);
	for (k = 0; k < nkept; k++)
	{
		Kept	   *c = &kept[k];
		size_t		len;
		int			j;
		int			trunc_bad = 0;

		/* every truncation: the format is consumed exactly, so all fail */
		for (len = 0; len < c->len; len++)
		{
			uint8_t    *t = xmalloc(len);
			CocoonVector out;
			CocoonCodecResult r;

			memcpy(t, c->buf, len);
			r = cocoon_decode(t, len, c->kind, c->fixed_len, NULL, &out);
			if (r == COCOON_CODEC_OK)
			{
				trunc_bad++;
				cocoon_vector_free(&out);
			}
			free(t);
			total_trunc++;
		}
		CHECK(trunc_bad == 0, "%s: %d truncations decoded", c->name, trunc_bad);

		/* the same for the dictionary form */
		if (c->len > 0 && cocoon_codec_has_dict((CocoonCodecId) c->buf[0], c->kind))
		{
			trunc_bad = 0;
			for (len = 0; len < c->len; len++)
			{
				uint8_t    *t = xmalloc(len);
				CocoonDictVector dv;

				memcpy(t, c->buf, len);
				if (cocoon_decode_dict(t, len, c->kind, c->fixed_len, NULL, &dv) ==
					COCOON_CODEC_OK)
				{
					trunc_bad++;
					cocoon_dict_free(&dv);
				}
				free(t);
			}
			CHECK(trunc_bad == 0, "%s: %d truncations decoded in dictionary form",
				  c->name, trunc_bad);
			{
				uint8_t    *t = xmalloc(c->len + 1);
				CocoonDictVector dv;

				memcpy(t, c->buf, c->len);
				t[c->len] = 0;
				CHECK(cocoon_decode_dict(t, c->len + 1, c->kind, c->fixed_len, NULL, &dv) ==
					  COCOON_CODEC_CORRUPT, "%s: trailing byte accepted in dictionary form",
					  c->name);
				free(t);
			}
		}

		/* trailing garbage */
		{
			uint8_t    *t = xmalloc(c->len + 1);
			CocoonVector out;

			memcpy(t, c->buf, c->len);
			t[c->len] = 0;
			CHECK(cocoon_decode(t, c->len + 1, c->kind, c->fixed_len, NULL, &out) ==
				  COCOON_CODEC_CORRUPT, "%s: trailing byte accepted", c->name);
			free(t);
		}

		/* byte flips: 1 to 3 random bytes changed */
		for (j = 0; j < 150; j++)
		{
			uint8_t    *t = xmalloc(c->len);
			CocoonVector out;
			CocoonCodecResult r;
			CocoonDecodeLimits lim = {100000, 64 * 1024 * 1024, NULL, 0};
			int			nf = 1 + (int) rng_below(3);
			int			f;

			memcpy(t, c->buf, c->len);
			for (f = 0; f < nf; f++)
			{
				size_t		pos = rng_below(c->len);

				/* mostly bit flips; sometimes a whole random byte */
				if (rng_below(4))
					t[pos] ^= (uint8_t) (1u << rng_below(8));
				else
					t[pos] = (uint8_t) rng();
			}
			/* a server always passes limits: without max_rows a damaged
			 * ALL_NULL header may legitimately ask for a 512 MB bitmap */
			if (j % 2)
				lim.max_bytes = 0;
			r = cocoon_decode(t, c->len, c->kind, c->fixed_len, &lim, &out);
			if (r == COCOON_CODEC_OK)
			{
				CHECK(vec_sane(&out, c->kind, c->fixed_len),
					  "%s: flipped chunk decoded insane", c->name);
				flip_ok++;
			}
			else
				CHECK(r == COCOON_CODEC_CORRUPT || r == COCOON_CODEC_NOMEM,
					  "%s: flip result %d", c->name, r);

			/*
			 * The dictionary form of the flipped chunk: a clean failure, or
			 * exactly what cocoon_decode gives.  Without a byte limit both
			 * accept the same chunks (with one, their allocations differ).
			 */
			{
				CocoonDictVector dv;
				CocoonCodecResult rd;
				char		why[200] = "";

				rd = cocoon_decode_dict(t, c->len, c->kind, c->fixed_len, &lim, &dv);
				if (!cocoon_codec_has_dict((CocoonCodecId) t[0], c->kind))
					CHECK(rd == COCOON_CODEC_BADARG || rd == COCOON_CODEC_CORRUPT ||
						  rd == COCOON_CODEC_NOMEM,
						  "%s: flipped to %u: dictionary form %d", c->name, t[0], rd);
				else if (rd == COCOON_CODEC_OK)
				{
					CocoonVector ex;

					CHECK(r == COCOON_CODEC_OK || (r == COCOON_CODEC_NOMEM && lim.max_bytes),
						  "%s: flipped chunk decoded only in dictionary form (%d)",
						  c->name, r);
					CHECK(dict_expand(&dv, c->kind, c->fixed_len, 0, &ex, why) &&
						  (r != COCOON_CODEC_OK || vec_equal(&out, &ex, why)),
						  "%s: flipped chunk's dictionary form differs: %s", c->name, why);
					tv_free(&ex);
					cocoon_dict_free(&dv);
					dict_flip_ok++;
				}
				else
				{
					CHECK(rd == COCOON_CODEC_CORRUPT || rd == COCOON_CODEC_NOMEM,
						  "%s: flip result in dictionary form %d", c->name, rd);
					CHECK(r != COCOON_CODEC_OK || (rd == COCOON_CODEC_NOMEM && lim.max_bytes),
						  "%s: flipped chunk decoded but not in dictionary form (%d)",
						  c->name, rd);
				}
			}
			if (r == COCOON_CODEC_OK)
				cocoon_vector_free(&out);
			total_flip++;
			free(t);
		}
	}
	printf("  %d truncations, %d flipped chunks (%d still decoded, %d in dictionary form)\n",
		   total_trunc, total_flip, flip_ok, dict_flip_ok);

	/* handcrafted nasties */
	{
		/* INT_CONST claiming 4G rows: limit, not a 32 GB allocation */
		uint8_t		c1[] = {2, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		VK_INT, 1, 0, 0, 0, 0, 0, 0, 0};
		/* DOD claiming 2^32-1 values in a few bytes */
		uint8_t		c2[] = {1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		VK_INT, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
		/* VAR_PLAIN with a length of 2^64-1 */
		uint8_t		c3[] = {6, 0, 2, 0, 0, 0, 2, 0, 0, 0, VK_VAR,
		0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 'a'};
		/* block width 65 */
		uint8_t		c4[] = {8, 0, 1, 0, 0, 0, 1, 0, 0, 0, VK_INT,
		0, 0, 0, 0, 0, 0, 0, 0, 65, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
		/* DICT with a code beyond the dictionary */
		uint8_t		c5[] = {7, 0, 2, 0, 0, 0, 2, 0, 0, 0, VK_VAR,
		1, 0, 2, 'x', 0, 2};
		/* unknown flag bit, unknown codec */
		uint8_t		c6[] = {4, 2, 1, 0, 0, 0, 1, 0, 0, 0, VK_BOOL, 1};
		uint8_t		c7[] = {9, 0, 1, 0, 0, 0, 1, 0, 0, 0, VK_BOOL, 1};
		/* overlong varint */
		uint8_t		c8[] = {8, 0, 1, 0, 0, 0, 1, 0, 0, 0, VK_INT,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
		CocoonVector out;
		CocoonDecodeLimits lim = {65536, 0, NULL, 0};
		CocoonCodecResult r;

		/* the valid baseline of c5 decodes */
		uint8_t		c5ok[] = {7, 0, 2, 0, 0, 0, 2, 0, 0, 0, VK_VAR,
		1, 0, 2, 'x', 0, 0};

		r = cocoon_decode(c1, sizeof(c1), VK_INT, 0, &lim, &out);
		CHECK(r == COCOON_CODEC_NOMEM, "const 4G rows: %d", r);
		r = cocoon_decode(c2, sizeof(c2), VK_INT, 0, NULL, &out);
		CHECK(r == COCOON_CODEC_CORRUPT, "dod 4G values: %d", r);
		r = cocoon_decode(c3, sizeof(c3), VK_VAR, 0, NULL, &out);
		CHECK(r == COCOON_CODEC_CORRUPT, "huge length: %d", r);
		r = cocoon_decode(c4, sizeof(c4), VK_INT, 0, NULL, &out);
		CHECK(r == COCOON_CODEC_CORRUPT, "width 65: %d", r);
		r = cocoon_decode(c5, sizeof(c5), VK_VAR, 0, NULL, &out);
		CHECK(r == COCOON_CODEC_CORRUPT, "dict code out of range: %d", r);
		r = cocoon_decode(c5ok, sizeof(c5ok), VK_VAR, 0, NULL, &out);
		CHECK(r == COCOON_CODEC_OK && out.nvalues == 2 && out.data_len == 2 &&
			  memcmp(out.data, "xx", 2) == 0, "handmade dict: %d", r);
		cocoon_vector_free(&out);
		r = cocoon_decode(c6, sizeof(c6), VK_BOOL, 0, NULL, &out);
		CHECK(r == COCOON_CODEC_CORRUPT, "unknown flag: %d", r);
		r = cocoon_decode(c7, sizeof(c7), VK_BOOL, 0, NULL, &out);
		CHECK(r == COCOON_CODEC_CORRUPT, "unknown codec: %d", r);
		r = cocoon_decode(c8, sizeof(c8), VK_INT, 0, NULL, &out);
		CHECK(r == COCOON_CODEC_CORRUPT, "overlong varint: %d", r);

		/* dictionary form of the same */
		{
			CocoonDictVector dv;

			/* DICT of 3 rows, row 1 NULL: "x", NULL, "x" */
			uint8_t		c9[] = {7, 1, 3, 0, 0, 0, 2, 0, 0, 0, 0x02, VK_VAR,
			1, 0, 2, 'x', 0, 0};
			/* the same with a code beyond the dictionary */
			uint8_t		c10[] = {7, 1, 3, 0, 0, 0, 2, 0, 0, 0, 0x02, VK_VAR,
			1, 0, 2, 'x', 0, 2};
			/* VK_INT DICT: entries 5, 7; codes 1 0 1 */
			uint8_t		c11[] = {7, 0, 3, 0, 0, 0, 3, 0, 0, 0, VK_INT,
			2, 2, 10, 0x08, 1, 0, 0x05};

			r = cocoon_decode_dict(c5, sizeof(c5), VK_VAR, 0, NULL, &dv);
			CHECK(r == COCOON_CODEC_CORRUPT, "dict form: code out of range: %d", r);
			r = cocoon_decode_dict(c5ok, sizeof(c5ok), VK_VAR, 0, NULL, &dv);
			CHECK(r == COCOON_CODEC_OK && dv.nrows == 2 && dv.dict.nvalues == 1 &&
				  dv.dict.data_len == 1 && dv.dict.data[0] == 'x' &&
				  dv.codes[0] == 0 && dv.codes[1] == 0, "dict form: handmade: %d", r);
			cocoon_dict_free(&dv);
			r = cocoon_decode_dict(c9, sizeof(c9), VK_VAR, 0, NULL, &dv);
			CHECK(r == COCOON_CODEC_OK && dv.nrows == 3 && dv.nvalues == 2 &&
				  dv.dict.nvalues == 1 && dv.codes[0] == 0 && dv.codes[1] == 1 &&
				  dv.codes[2] == 0, "dict form: NULL row: %d", r);
			cocoon_dict_free(&dv);
			r = cocoon_decode(c9, sizeof(c9), VK_VAR, 0, NULL, &out);
			CHECK(r == COCOON_CODEC_OK && out.nvalues == 2 && out.data_len == 2,
				  "dict with NULL row: %d", r);
			cocoon_vector_free(&out);
			r = cocoon_decode_dict(c10, sizeof(c10), VK_VAR, 0, NULL, &dv);
			CHECK(r == COCOON_CODEC_CORRUPT, "dict form: code out of range with NULLs: %d", r);
			r = cocoon_decode_dict(c11, sizeof(c11), VK_INT, 0, NULL, &dv);
			CHECK(r == COCOON_CODEC_OK && dv.dict.nvalues == 2 && dv.dict.ints[0] == 5 &&
				  dv.dict.ints[1] == 7 && dv.codes[0] == 1 && dv.codes[1] == 0 &&
				  dv.codes[2] == 1, "dict form: ints: %d", r);
			cocoon_dict_free(&dv);
			r = cocoon_decode(c11, sizeof(c11), VK_INT, 0, NULL, &out);
			CHECK(r == COCOON_CODEC_OK && out.nvalues == 3 && out.ints[0] == 7 &&
				  out.ints[1] == 5 && out.ints[2] == 7, "int dict: %d", r);
			cocoon_vector_free(&out);
			/* not a dictionary codec: BADARG, not damage */
			r = cocoon_decode_dict(c4, sizeof(c4), VK_INT, 0, NULL, &dv);
			CHECK(r == COCOON_CODEC_BADARG, "dict form of int_for: %d", r);
			r = cocoon_decode_dict(c1, sizeof(c1), VK_INT, 0, &lim, &dv);
			CHECK(r == COCOON_CODEC_NOMEM, "dict form: const 4G rows: %d", r);
			r = cocoon_decode_dict(c7, sizeof(c7), VK_BOOL, 0, NULL, &dv);
			CHECK(r == COCOON_CODEC_CORRUPT, "dict form: unknown codec: %d", r);
			r = cocoon_decode_dict(c5ok, sizeof(c5ok), (CocoonValueKind) 9, 0, NULL, &dv);
			CHECK(r == COCOON_CODEC_BADARG, "dict form: bad kind: %d", r);
			r = cocoon_decode_dict(c5ok, sizeof(c5ok), VK_VAR, 0, NULL, NULL);
			CHECK(r == COCOON_CODEC_BADARG, "dict form: NULL vector: %d", r);
			CHECK(cocoon_codec_has_dict(CODEC_DICT, VK_VAR) &&
				  !cocoon_codec_has_dict(CODEC_DICT, VK_BOOL) &&
				  cocoon_codec_has_dict(CODEC_INT_CONST, VK_FLOAT) &&
				  !cocoon_codec_has_dict(CODEC_INT_CONST, VK_VAR) &&
				  cocoon_codec_has_dict(CODEC_ALL_NULL, VK_BOOL) &&
				  !cocoon_codec_has_dict(CODEC_VAR_PLAIN, VK_VAR), "cocoon_codec_has_dict");
		}
	}
}

/* ---------------------------------------------------------------- */

static void
test_crc(void)
{
	uint8_t		buf[1000];
	size_t		i;
	int			ok = 1;

	printf("crc32c\n");
	CHECK(cocoon_crc32c("123456789", 9) == 0xE3069283U, "crc32c check value %08X",
		  cocoon_crc32c("123456789", 9));
	CHECK(cocoon_crc32c("", 0) == 0, "crc32c of nothing");
	/* against a bitwise reference at every alignment and length */
	rng_seed(8);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t) rng();
	for (i = 0; i < 300 && ok; i++)
	{
		size_t		off = i % 8;
		size_t		len = (i * 7) % (sizeof(buf) - 8);
		uint32_t	crc = 0xFFFFFFFF;
		size_t		j;
		int			b;

		for (j = 0; j < len; j++)
		{
			crc ^= buf[off + j];
			for (b = 0; b < 8; b++)
				crc = (crc >> 1) ^ (0x82F63B78U & (0U - (crc & 1)));
		}
		crc ^= 0xFFFFFFFF;
		ok = cocoon_crc32c(buf + off, len) == crc;
	}
	CHECK(ok, "crc32c vs bitwise reference");
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Not asserted (sanitizers and valgrind are slow); printed for reference. */
static void
test_speed(void)
{
	CocoonVector v = tv_new(VK_INT, N);
	uint8_t    *enc = NULL;
	size_t		enclen = 0;
	int			iters = 200;
	int			it;
	double		t0;
	double		tenc;
	double		tdec;
	uint32_t	i;
	int			ok = 1;

	printf("speed\n");
	rng_seed(9);
	v.nvalues = N;
	v.ints = xmalloc(N * 8);
	for (i = 0; i < N; i++)
		v.ints[i] = PG_TS_2024 + (int64_t) i * 1000000 + (int64_t) rng_below(2001) - 1000;

	t0 = now_us();
	for (it = 0; it < iters; it++)
	{
		codec_free(enc);
		ok &= cocoon_encode(&v, &enc, &enclen, NULL) == COCOON_CODEC_OK;
	}
	tenc = (now_us() - t0) / iters;
	t0 = now_us();
	for (it = 0; it < iters; it++)
	{
		CocoonVector out;

		ok &= cocoon_decode(enc, enclen, VK_INT, 0, NULL, &out) == COCOON_CODEC_OK;
		cocoon_vector_free(&out);
	}
	tdec = (now_us() - t0) / iters;
	CHECK(ok, "speed loop");
	printf("  10k int64 timestamps: encode %.1f us, decode %.1f us (%zu bytes)\n",
		   tenc, tdec, enclen);
	codec_free(enc);
	tv_free(&v);
}

/* ---------------------------------------------------------------- */
/* bytewise min/max prefixes (bounds.c) */

static int
bytes_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int			r = memcmp(a, b, alen < blen ? alen : blen);

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static size_t
rand_bytes(uint8_t *buf)
{
	/* few symbols and long shared runs: prefixes collide often */
	static const uint8_t sym[] = {0x00, 'a', 'b', 0xFF};
	size_t		len = rng() % 30,
				i;

	for (i = 0; i < len; i++)
		buf[i] = (rng() % 3 == 0) ? sym[rng() % 4] : 'a';
	return len;
}

/*
 * For random chunks and keys: the bounds never rule out a chunk holding a
 * match (that would lose rows); when both values fit in the 20 bytes they
 * are exact, so the test is exactly "[min,max] meets the condition"; and
 * long values are still ruled out often enough for the bounds to matter.
 */
static void
test_bounds(void)
{
	int			iter,
				lost = 0,
				inexact = 0,
				pruned_long = 0,
				bad_len = 0;

	rng_seed(77);
	for (iter = 0; iter < 200000; iter++)
	{
		uint8_t		vals[6][32],
					key[32];
		size_t		lens[6],
					keylen,
					imin = 0,
					imax = 0;
		int			n = 1 + (int) (rng() % 6),
					i,
					strat;
		CocoonChunkDesc d;

		memset(&d, 0x5A, sizeof(d));
		d.flags = 0;
		for (i = 0; i < n; i++)
		{
			lens[i] = rand_bytes(vals[i]);
			if (bytes_cmp(vals[i], lens[i], vals[imin], lens[imin]) < 0)
				imin = i;
			if (bytes_cmp(vals[i], lens[i], vals[imax], lens[imax]) > 0)
				imax = i;
		}
		cocoon_bounds_set(&d, vals[imin], lens[imin], vals[imax], lens[imax]);
		if (!(d.flags & COCOON_CHUNK_HAS_BMINMAX) ||
			d.bound_len[0] + (d.bound_len[1] & 0x7F) + (d.bound_len[2] & 0x7F) > COCOON_BOUND_BYTES)
			bad_len++;
		keylen = (rng() % 2) ? lens[rng() % n] : rand_bytes(key);
		if (keylen == lens[iter % n] && rng() % 2)
			memcpy(key, vals[iter % n], keylen);
		else if (keylen > 0 && rng() % 4 == 0)
		{
			/* a near miss of a stored value */
			memcpy(key, vals[iter % n], keylen <= lens[iter % n] ? keylen : lens[iter % n]);
			key[keylen - 1] ^= 1;
		}
		else
			keylen = rand_bytes(key);
		for (strat = COCOON_BOUND_LT; strat <= COCOON_BOUND_PREFIX; strat++)
		{
			bool		any = false,
						interval,
						may;
			int			cmin = bytes_cmp(vals[imin], lens[imin], key, keylen),
						cmax = bytes_cmp(vals[imax], lens[imax], key, keylen);

			for (i = 0; i < n; i++)
			{
				int			c = bytes_cmp(vals[i], lens[i], key, keylen);

				any |= (strat == COCOON_BOUND_LT && c < 0) || (strat == COCOON_BOUND_LE && c <= 0) ||
					(strat == COCOON_BOUND_EQ && c == 0) || (strat == COCOON_BOUND_GE && c >= 0) ||
					(strat == COCOON_BOUND_GT && c > 0) ||
					(strat == COCOON_BOUND_PREFIX && lens[i] >= keylen &&
					 memcmp(vals[i], key, keylen) == 0);
			}
			if (strat == COCOON_BOUND_PREFIX)
			{
				/* exact for short values: [min,max] holds an extension of key */
				size_t		n = lens[imin] < keylen ? lens[imin] : keylen;

				interval = cmax >= 0 && (n == 0 || memcmp(vals[imin], key, n) <= 0);
			}
			else
				interval = (strat == COCOON_BOUND_LT && cmin < 0) ||
				(strat == COCOON_BOUND_LE && cmin <= 0) ||
				(strat == COCOON_BOUND_EQ && cmin <= 0 && cmax >= 0) ||
				(strat == COCOON_BOUND_GE && cmax >= 0) ||
				(strat == COCOON_BOUND_GT && cmax > 0);
			may = cocoon_bounds_may_match(&d, strat, key, keylen);
			if (any && !may)
				lost++;
			if (lens[imin] + lens[imax] <= COCOON_BOUND_BYTES && may != interval)
				inexact++;
			if (lens[imin] > 12 && lens[imax] > 12 && !may)
				pruned_long++;
		}
	}
	CHECK(bad_len == 0, "bounds: %d chunks with bad prefix lengths", bad_len);
	CHECK(lost == 0, "bounds: %d chunks ruled out that hold a match", lost);
	CHECK(inexact == 0, "bounds: %d short-value chunks not tested exactly", inexact);
	CHECK(pruned_long > 10000, "bounds: only %d long-value chunks ruled out", pruned_long);

	/* no bounds: never ruled out */
	{
		CocoonChunkDesc d;

		memset(&d, 0, sizeof(d));
		CHECK(cocoon_bounds_may_match(&d, COCOON_BOUND_EQ, (const uint8_t *) "x", 1),
			  "bounds: a chunk without bounds was ruled out");
	}
	/* 16-byte uuids sharing 12 bytes: exact */
	{
		CocoonChunkDesc d;
		uint8_t		a[16],
					b[16],
					c[16];

		memset(a, 0x11, 16);
		memcpy(b, a, 16);
		memcpy(c, a, 16);
		a[15] = 0x01;
		b[12] = 0x22;
		c[15] = 0x02;
		memset(&d, 0, sizeof(d));
		cocoon_bounds_set(&d, a, 16, b, 16);
		CHECK(!(d.bound_len[1] & 0x80) && !(d.bound_len[2] & 0x80),
			  "bounds: uuids sharing 12 bytes were cut");
		CHECK(cocoon_bounds_may_match(&d, COCOON_BOUND_EQ, c, 16) &&
			  !cocoon_bounds_may_match(&d, COCOON_BOUND_LT, a, 16) &&
			  !cocoon_bounds_may_match(&d, COCOON_BOUND_GT, b, 16),
			  "bounds: uuid bounds not exact");
	}
}

int
main(void)
{
	int			k;
	const char *pf = getenv("COCOON_WRITE_PINS");

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pf && *pf)
		pinfile = fopen(pf, "w");

	test_crc();
	test_ints();
	test_floats();
	test_bools();
	test_fixed();
	test_var();
	test_varlena_jsonb();
	test_badargs();
	test_compression();
	test_damage();
	test_bounds();
	test_speed();

	for (k = 0; k < nkept; k++)
		free(kept[k].buf);
	if (pinfile)
		fclose(pinfile);

	printf("codec: %d passed, %d failed\n", npass, nfail);
	return nfail == 0 ? 0 : 1;
}
