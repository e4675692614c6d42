/*-------------------------------------------------------------------------
 *
 * codec.c
 *	  Column chunk encoders and decoders for cocoon.
 *
 * How it works: cocoon_encode looks at the value kind and at the data,
 * computes the exact encoded size of each codec that applies (one cheap
 * O(n) pass each; no per-value allocation) and writes the smallest:
 *
 *	 VK_INT	   CONST if all values are equal, else the smallest of
 *			   DOD (deltas or delta-of-deltas), FOR (frame of reference) and
 *			   DICT (when at most 4096 distinct values)
 *	 VK_FLOAT  the smallest of GORILLA, the integer codecs over the raw bit
 *			   patterns (CONST, DOD, FOR, DICT), and the integer codecs over
 *			   decimal mantissas when every value is exactly m / 10^s
 *			   (s <= 18, |m| < 2^53: typical for metrics rounded to a few
 *			   decimals); verified bit-exact at encode time, so NaNs, -0.0
 *			   and anything else round-trip
 *	 VK_BOOL   BOOL_BITMAP
 *	 VK_FIXED  the smaller of FIXED_PLAIN and DICT
 *	 VK_VAR	   the smaller of VAR_PLAIN (VARLENA when the values are varlenas,
 *			   JSONB when they are jsonb: see varlena.c) and DICT
 *	 (any)	   ALL_NULL when the chunk has no non-NULL value (or no rows)
 *
 * Chunk = header (see codec.h: codec id, flags, nrows, nvalues, optional
 * null bitmap; the bitmap is present iff some but not all rows are NULL),
 * then the payload, which always starts with
 *
 *	 u8		  value kind (CocoonValueKind)
 *	 u32	  fixed_len (VK_FIXED only)
 *	 u8		  scale (VK_FLOAT with an integer codec or DICT only):
 *			  255 = raw bit patterns, 0..18 = values are m / 10^scale
 *
 * so that a decoder can check expect_kind even for codecs shared by several
 * kinds.  Then, per codec ("stream" = block-packed integers with a per-block
 * base and bit width, see bitpack.c; n = nvalues):
 *
 *	 ALL_NULL	 nothing
 *	 INT_CONST	 u64 value
 *	 INT_DOD	 u64 v0; u8 order;
 *				 order 1: stream of the n-1 deltas v[i] - v[i-1];
 *				 order 2: varint zigzag(v1 - v0), then stream of the n-2
 *				 delta-of-deltas (v[i]-v[i-1]) - (v[i-1]-v[i-2])
 *	 INT_FOR	 u64 min; stream of (v[i] - min)
 *	 GORILLA	 LSB-first bit stream: 64 bits v0, then per value
 *				 '0' (same as previous), or '1' '0' + the XOR's meaningful bits
 *				 in the previous window, or '1' '1' + 5 bits leading zeros +
 *				 6 bits (length - 1) + length meaningful bits; zero padding
 *	 BOOL_BITMAP ceil(n/8) bytes, bit i = value i (LSB first), zero padding
 *	 FIXED_PLAIN n * fixed_len bytes
 *	 VAR_PLAIN	 stream of n lengths; the concatenated bytes
 *	 VARLENA	 the concatenated varlenas (lengths from their headers)
 *	 JSONB		 varint total; per value a document-order serialisation
 *				 (varlena.c)
 *	 DICT		 varint ndict; then for VK_INT/VK_FLOAT a stream of the ndict
 *				 values, for VK_FIXED the ndict * fixed_len bytes, for VK_VAR
 *				 a stream of ndict lengths and the concatenated bytes; then a
 *				 stream of n codes (0..ndict-1).  Entries are in order of
 *				 first occurrence; a hash table finds them in O(n).
 *
 * The streams take min/max per block in signed order, so delta and
 * delta-of-delta streams need no separate zigzag step.  All arithmetic on
 * values (deltas, XORs, FOR offsets) is done on uint64_t so that it wraps
 * instead of overflowing: every int64 and every bit pattern round-trips
 * exactly.  A chunk must be consumed exactly; any trailing byte, non-zero
 * padding bit, out-of-range code, inconsistent count or length makes the
 * decoder return COCOON_CODEC_CORRUPT.  Allocation sizes are overflow-
 * checked and charged against the caller's max_bytes (exceeding it, or
 * max_rows, is COCOON_CODEC_NOMEM, as codec.h says); counts are checked for
 * plausibility against the input size before allocating.
 *
 * src/codec/codec.c
 *
 *-------------------------------------------------------------------------
 */
#ifdef COCOON_SERVER
#include "postgres.h"
#include "utils/memutils.h"
#else
#include <stdlib.h>
#endif

#include "codec_internal.h"

/* ----------------------------------------------------------------
 * Allocation
 * ----------------------------------------------------------------
 */
void *
codec_alloc(size_t size)
{
#ifdef COCOON_SERVER
	if (size == 0)
		size = 1;
	if (size > MaxAllocHugeSize)
		return NULL;
	return palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
#else
	return malloc(size ? size : 1);
#endif
}

void
codec_free(void *ptr)
{
	if (ptr == NULL)
		return;
#ifdef COCOON_SERVER
	pfree(ptr);
#else
	free(ptr);
#endif
}

/* a * b + c, or 0 (false) on overflow of size_t */
static int
size_mul_add(size_t a, size_t b, size_t c, size_t *res)
{
	size_t		m;

	if (__builtin_mul_overflow(a, b, &m))
		return 0;
	if (__builtin_add_overflow(m, c, res))
		return 0;
	return 1;
}

/* ----------------------------------------------------------------
 * Names
 * ----------------------------------------------------------------
 */
const char *
cocoon_codec_name(CocoonCodecId id)
{
	switch (id)
	{
		case CODEC_ALL_NULL:
			return "all_null";
		case CODEC_INT_DOD:
			return "int_dod";
		case CODEC_INT_CONST:
			return "int_const";
		case CODEC_GORILLA:
			return "gorilla";
		case CODEC_BOOL_BITMAP:
			return "bool_bitmap";
		case CODEC_FIXED_PLAIN:
			return "fixed_plain";
		case CODEC_VAR_PLAIN:
			return "var_plain";
		case CODEC_DICT:
			return "dict";
		case CODEC_INT_FOR:
			return "int_for";
		case CODEC_VARLENA:
			return "varlena";
		case CODEC_JSONB:
			return "jsonb";
	}
	return "unknown";
}

const char *
cocoon_compression_name(CocoonCompression c)
{
	switch (c)
	{
		case COMPRESSION_NONE:
			return "none";
		case COMPRESSION_LZ4:
			return "lz4";
		case COMPRESSION_ZSTD:
			return "zstd";
	}
	return "unknown";
}

const char *
cocoon_codec_result_string(CocoonCodecResult r)
{
	switch (r)
	{
		case COCOON_CODEC_OK:
			return "ok";
		case COCOON_CODEC_CORRUPT:
			return "corrupt column chunk";
		case COCOON_CODEC_NOMEM:
			return "out of memory or decode limit exceeded";
		case COCOON_CODEC_BADARG:
			return "invalid argument";
	}
	return "unknown result";
}

/* ----------------------------------------------------------------
 * Encoding
 * ----------------------------------------------------------------
 */

/* What every encoder needs to start a chunk. */
typedef struct EncodeCtx
{
	const CocoonVector *vec;
	int			has_bitmap;
	size_t		prefix;			/* header + bitmap + kind (+ fixed_len) */
	uint8_t    *buf;
	size_t		alloc;
} EncodeCtx;

/*
 * Allocate the chunk (prefix + body bytes) and write header, bitmap, kind
 * byte and fixed_len.  Returns the pointer where the body goes, or NULL.
 */
static uint8_t *
chunk_begin(EncodeCtx *ctx, CocoonCodecId codec, size_t body)
{
	const CocoonVector *vec = ctx->vec;
	uint8_t    *p;

	if (__builtin_add_overflow(ctx->prefix, body, &ctx->alloc))
		return NULL;
	ctx->buf = codec_alloc(ctx->alloc);
	if (ctx->buf == NULL)
		return NULL;
	p = ctx->buf;
	*p++ = (uint8_t) codec;
	*p++ = ctx->has_bitmap ? COCOON_FLAG_NULLS : 0;
	put_u32(p, vec->nrows);
	p += 4;
	put_u32(p, codec == CODEC_ALL_NULL ? 0 : vec->nvalues);
	p += 4;
	if (ctx->has_bitmap)
	{
		size_t		nbm = ((size_t) vec->nrows + 7) / 8;

		memcpy(p, vec->nulls, nbm);
		if (vec->nrows % 8)
			p[nbm - 1] &= (uint8_t) ((1u << (vec->nrows % 8)) - 1);
		p += nbm;
	}
	*p++ = (uint8_t) vec->kind;
	if (vec->kind == VK_FIXED)
	{
		put_u32(p, vec->fixed_len);
		p += 4;
	}
	return p;
}

/* -------- integers (also used for float bit patterns) -------- */

#define SIGN_BIT ((uint64_t) 1 << 63)
#define INT_DICT_MAX 4096
#define FLOAT_RAW_SCALE 255		/* float payload: raw bit patterns */
#define FLOAT_MAX_SCALE 18		/* float payload: decimal exponent limit */

/*
 * The plan for one integer column: which codec, and its body size (the
 * bytes after the kind byte, and after the scale byte for floats).
 */
typedef struct IntPlan
{
	CocoonCodecId codec;
	size_t		size;
	int			order;			/* INT_DOD: 1 = deltas, 2 = delta-of-deltas */
	uint64_t	min;			/* INT_FOR: frame of reference */
	size_t		ndict;			/* DICT: entries */
} IntPlan;

/* Scratch arrays for planning/writing one integer column of n values. */
typedef struct IntScratch
{
	uint64_t   *a;				/* n: deltas, delta-of-deltas, offsets */
	uint64_t   *codes;			/* n: dictionary codes */
	uint64_t   *dict;			/* INT_DICT_MAX: dictionary values */
	uint32_t   *slots;			/* 2 * INT_DICT_MAX: hash table */
} IntScratch;

static void
int_scratch_free(IntScratch *sc)
{
	codec_free(sc->a);
	codec_free(sc->codes);
	codec_free(sc->dict);
	codec_free(sc->slots);
	memset(sc, 0, sizeof(*sc));
}

static int
int_scratch_alloc(IntScratch *sc, size_t n)
{
	memset(sc, 0, sizeof(*sc));
	sc->a = codec_alloc(n * sizeof(uint64_t));
	sc->codes = codec_alloc(n * sizeof(uint64_t));
	sc->dict = codec_alloc(INT_DICT_MAX * sizeof(uint64_t));
	sc->slots = codec_alloc(2 * INT_DICT_MAX * sizeof(uint32_t));
	if (!sc->a || !sc->codes || !sc->dict || !sc->slots)
	{
		int_scratch_free(sc);
		return 0;
	}
	return 1;
}

/*
 * Dictionary of the distinct values (first-occurrence order), at most maxd
 * entries.  Returns the number of entries, or 0 when there are too many
 * distinct values (checked early, so high-cardinality columns cost little).
 */
static size_t
int_dict_build(const uint64_t *v, size_t n, size_t maxd, IntScratch *sc)
{
	const unsigned bits = 13;	/* 2 * INT_DICT_MAX slots */
	const size_t mask = ((size_t) 1 << bits) - 1;
	size_t		ndict = 0;
	size_t		i;

	memset(sc->slots, 0, 2 * INT_DICT_MAX * sizeof(uint32_t));
	for (i = 0; i < n; i++)
	{
		uint64_t	x = v[i];
		size_t		h = (size_t) ((x * 0x9E3779B97F4A7C15ULL) >> (64 - bits));

		for (;;)
		{
			uint32_t	s = sc->slots[h];

			if (s == 0)
			{
				if (ndict == maxd)
					return 0;
				sc->dict[ndict] = x;
				sc->slots[h] = (uint32_t) ++ndict;
				sc->codes[i] = ndict - 1;
				break;
			}
			if (sc->dict[s - 1] == x)
			{
				sc->codes[i] = s - 1;
				break;
			}
			h = (h + 1) & mask;
		}
		/* mostly distinct so far: a dictionary will not pay */
		if (i == 255 && ndict > 160)
			return 0;
	}
	return ndict;
}

/* Choose the integer codec for v[n] (n >= 1). */
static void
int_plan(const uint64_t *v, size_t n, IntScratch *sc, IntPlan *plan)
{
	uint64_t	mn = v[0] ^ SIGN_BIT;
	uint64_t	mx = mn;
	uint64_t	d0;
	size_t		size;
	size_t		i;

	memset(plan, 0, sizeof(*plan));
	for (i = 1; i < n; i++)
	{
		uint64_t	x = v[i] ^ SIGN_BIT;

		mn = x < mn ? x : mn;
		mx = x > mx ? x : mx;
	}
	if (mn == mx)
	{
		plan->codec = CODEC_INT_CONST;
		plan->size = 8;
		return;
	}
	/* n >= 2 from here on */

	/* deltas */
	for (i = 0; i + 1 < n; i++)
		sc->a[i] = v[i + 1] - v[i];
	plan->codec = CODEC_INT_DOD;
	plan->order = 1;
	plan->size = 8 + 1 + cocoon_stream_size(sc->a, n - 1);

	/* delta-of-deltas (in place) */
	d0 = sc->a[0];
	for (i = 0; i + 2 < n; i++)
		sc->a[i] = sc->a[i + 1] - sc->a[i];
	size = 8 + 1 + varint_len(zigzag_enc(d0)) + cocoon_stream_size(sc->a, n - 2);
	if (size < plan->size)
	{
		plan->order = 2;
		plan->size = size;
	}

	/* frame of reference */
	mn ^= SIGN_BIT;
	for (i = 0; i < n; i++)
		sc->a[i] = v[i] - mn;
	size = 8 + cocoon_stream_size(sc->a, n);
	if (size < plan->size)
	{
		plan->codec = CODEC_INT_FOR;
		plan->min = mn;
		plan->size = size;
	}

	/* dictionary, unless we are already below one bit per value */
	if (n >= 4 && plan->size > n / 8)
	{
		size_t		maxd = n / 2 < INT_DICT_MAX ? n / 2 : INT_DICT_MAX;
		size_t		ndict = int_dict_build(v, n, maxd, sc);

		if (ndict > 0)
		{
			size = varint_len(ndict) + cocoon_stream_size(sc->dict, ndict) +
				cocoon_stream_size(sc->codes, n);
			if (size < plan->size)
			{
				plan->codec = CODEC_DICT;
				plan->ndict = ndict;
				plan->size = size;
			}
		}
	}
}

/* Write the body planned by int_plan (which left codes/dict in sc). */
static uint8_t *
int_write(uint8_t *p, const uint64_t *v, size_t n, IntScratch *sc,
		  const IntPlan *plan)
{
	size_t		i;

	switch (plan->codec)
	{
		case CODEC_INT_CONST:
			put_u64(p, v[0]);
			p += 8;
			break;
		case CODEC_INT_DOD:
			put_u64(p, v[0]);
			p += 8;
			*p++ = (uint8_t) plan->order;
			for (i = 0; i + 1 < n; i++)
				sc->a[i] = v[i + 1] - v[i];
			if (plan->order == 1)
				p = cocoon_stream_write(p, sc->a, n - 1);
			else
			{
				p = varint_put(p, zigzag_enc(sc->a[0]));
				for (i = 0; i + 2 < n; i++)
					sc->a[i] = sc->a[i + 1] - sc->a[i];
				p = cocoon_stream_write(p, sc->a, n - 2);
			}
			break;
		case CODEC_INT_FOR:
			put_u64(p, plan->min);
			p += 8;
			for (i = 0; i < n; i++)
				sc->a[i] = v[i] - plan->min;
			p = cocoon_stream_write(p, sc->a, n);
			break;
		case CODEC_DICT:
			p = varint_put(p, plan->ndict);
			p = cocoon_stream_write(p, sc->dict, plan->ndict);
			p = cocoon_stream_write(p, sc->codes, n);
			break;
		default:
			break;
	}
	return p;
}

static CocoonCodecResult
encode_int(EncodeCtx *ctx, CocoonCodecId *codec)
{
	const CocoonVector *vec = ctx->vec;
	/* int64_t and uint64_t may alias each other */
	const uint64_t *v = (const uint64_t *) vec->ints;
	size_t		n = vec->nvalues;
	IntScratch	sc;
	IntPlan		plan;
	uint8_t    *p;

	if (!int_scratch_alloc(&sc, n))
		return COCOON_CODEC_NOMEM;
	int_plan(v, n, &sc, &plan);
	*codec = plan.codec;
	p = chunk_begin(ctx, plan.codec, plan.size);
	if (p == NULL)
	{
		int_scratch_free(&sc);
		return COCOON_CODEC_NOMEM;
	}
	p = int_write(p, v, n, &sc, &plan);
	int_scratch_free(&sc);
	if (p != ctx->buf + ctx->alloc)
		return COCOON_CODEC_CORRUPT;	/* cannot happen: size mismatch */
	return COCOON_CODEC_OK;
}

/* -------- floats -------- */

static const double pow10_table[FLOAT_MAX_SCALE + 1] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18
};

static inline double
bits_to_double(uint64_t b)
{
	double		d;

	memcpy(&d, &b, 8);
	return d;
}

static inline uint64_t
double_to_bits(double d)
{
	uint64_t	b;

	memcpy(&b, &d, 8);
	return b;
}

/*
 * Is the double with bit pattern b exactly m / 10^e for an integer m with
 * |m| < 2^53?  (Then m / 10^e, one correctly rounded division, gives b
 * back bit for bit; NaN, infinities and -0.0 never qualify.)
 */
static inline int
decimal_try(uint64_t b, int e, uint64_t *m)
{
	double		x = bits_to_double(b) * pow10_table[e];
	int64_t		k;

	if (!(x > -9007199254740992.0 && x < 9007199254740992.0))
		return 0;
	k = (int64_t) (x < 0 ? x - 0.5 : x + 0.5);
	if (double_to_bits((double) k / pow10_table[e]) != b)
		return 0;
	*m = (uint64_t) k;
	return 1;
}

/*
 * Find the smallest decimal exponent e such that every value is m / 10^e;
 * fill m[n].  Returns e, or -1 when the values are not short decimals.
 */
static int
decimal_scale(const uint64_t *v, size_t n, uint64_t *m)
{
	int			e = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		while (!decimal_try(v[i], e, &m[i]))
		{
			if (++e > FLOAT_MAX_SCALE)
				return -1;
		}
	}
	/* e only grew: check the earlier values again with the final e */
	for (i = 0; i < n; i++)
		if (!decimal_try(v[i], e, &m[i]))
			return -1;
	return e;
}

/* Gorilla XOR encoding; with out == NULL only count. Returns bytes. */
static size_t
gorilla_encode(const uint64_t *v, size_t n, uint8_t *out)
{
	BitWriter	bw;
	uint64_t	nbits = 64;
	uint64_t	prev = v[0];
	unsigned	plead = 0;
	unsigned	ptrail = 0;
	unsigned	plen = 0;
	int			have_window = 0;
	size_t		i;

	bw_init(&bw, out);
	if (out)
		bw_put(&bw, v[0], 64);
	for (i = 1; i < n; i++)
	{
		uint64_t	x = v[i] ^ prev;
		unsigned	lead;
		unsigned	trail;
		unsigned	len;

		prev = v[i];
		if (x == 0)
		{
			nbits += 1;
			if (out)
				bw_put(&bw, 0, 1);
			continue;
		}
		lead = (unsigned) __builtin_clzll(x);
		if (lead > 31)
			lead = 31;
		trail = (unsigned) __builtin_ctzll(x);
		len = 64 - lead - trail;
		if (have_window && lead >= plead && trail >= ptrail &&
			2 + plen <= 13 + len)
		{
			/* '1','0': reuse the previous window */
			nbits += 2 + plen;
			if (out)
			{
				bw_put(&bw, 1, 2);
				bw_put(&bw, x >> ptrail, plen);
			}
		}
		else
		{
			/* '1','1', 5 bits lead, 6 bits len - 1, then the bits */
			nbits += 13 + len;
			if (out)
			{
				bw_put(&bw, 3 | ((uint64_t) lead << 2) |
					   ((uint64_t) (len - 1) << 7), 13);
				bw_put(&bw, x >> trail, len);
			}
			plead = lead;
			ptrail = trail;
			plen = len;
			have_window = 1;
		}
	}
	if (out)
		bw_flush(&bw);
	return (size_t) ((nbits + 7) / 8);
}

static CocoonCodecResult
encode_float(EncodeCtx *ctx, CocoonCodecId *codec)
{
	const CocoonVector *vec = ctx->vec;
	const uint64_t *v = vec->bits;
	size_t		n = vec->nvalues;
	IntScratch	sc;
	IntPlan		raw;
	IntPlan		dec;
	uint64_t   *m = NULL;
	int			scale;
	size_t		gsize;
	uint8_t    *p;
	CocoonCodecResult res = COCOON_CODEC_OK;

	if (!int_scratch_alloc(&sc, n))
		return COCOON_CODEC_NOMEM;
	m = codec_alloc(n * sizeof(uint64_t));
	if (m == NULL)
	{
		int_scratch_free(&sc);
		return COCOON_CODEC_NOMEM;
	}

	/* candidates: Gorilla, integer codecs over the raw bits or decimals */
	gsize = gorilla_encode(v, n, NULL);
	int_plan(v, n, &sc, &raw);
	scale = decimal_scale(v, n, m);
	if (scale >= 0)
		int_plan(m, n, &sc, &dec);

	if (scale >= 0 && dec.size < raw.size && dec.size < gsize)
	{
		/* int_plan left sc for m: write it */
		*codec = dec.codec;
		p = chunk_begin(ctx, dec.codec, 1 + dec.size);
		if (p == NULL)
			res = COCOON_CODEC_NOMEM;
		else
		{
			*p++ = (uint8_t) scale;
			p = int_write(p, m, n, &sc, &dec);
		}
	}
	else if (raw.size + 1 <= gsize)
	{
		/* replan so that sc holds the raw plan's dictionary */
		int_plan(v, n, &sc, &raw);
		*codec = raw.codec;
		p = chunk_begin(ctx, raw.codec, 1 + raw.size);
		if (p == NULL)
			res = COCOON_CODEC_NOMEM;
		else
		{
			*p++ = FLOAT_RAW_SCALE;
			p = int_write(p, v, n, &sc, &raw);
		}
	}
	else
	{
		*codec = CODEC_GORILLA;
		p = chunk_begin(ctx, CODEC_GORILLA, gsize);
		if (p == NULL)
			res = COCOON_CODEC_NOMEM;
		else
			p += gorilla_encode(v, n, p);
	}
	if (res == COCOON_CODEC_OK && p != ctx->buf + ctx->alloc)
		res = COCOON_CODEC_CORRUPT; /* cannot happen: size mismatch */
	codec_free(m);
	int_scratch_free(&sc);
	return res;
}

/* -------- bools -------- */

static CocoonCodecResult
encode_bool(EncodeCtx *ctx, CocoonCodecId *codec)
{
	const CocoonVector *vec = ctx->vec;
	size_t		n = vec->nvalues;
	size_t		i;
	uint8_t    *p;

	*codec = CODEC_BOOL_BITMAP;
	p = chunk_begin(ctx, *codec, (n + 7) / 8);
	if (p == NULL)
		return COCOON_CODEC_NOMEM;
	memset(p, 0, (n + 7) / 8);
	for (i = 0; i < n; i++)
		if (vec->bools[i])
			p[i >> 3] |= (uint8_t) (1u << (i & 7));
	return COCOON_CODEC_OK;
}

/* -------- byte strings: dictionary -------- */

#define BYTES_DICT_MAX ((size_t) 1 << 20)	/* bounds the hash table */

static inline uint64_t
hash_bytes(const uint8_t *p, size_t len)
{
	uint64_t	h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t) len * 0xff51afd7ed558ccdULL);

	while (len >= 8)
	{
		uint64_t	k = get_u64(p);

		k *= 0x87c37b91114253d5ULL;
		k = (k << 31) | (k >> 33);
		h ^= k * 0x4cf5ad432745937fULL;
		h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
		p += 8;
		len -= 8;
	}
	if (len > 0)
	{
		uint64_t	k = load_partial(p, len);

		k *= 0x87c37b91114253d5ULL;
		k = (k << 31) | (k >> 33);
		h ^= k * 0x4cf5ad432745937fULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static inline const uint8_t *
value_at(const CocoonVector *vec, size_t i, size_t *len)
{
	static const uint8_t empty[1] = {0};

	if (vec->kind == VK_FIXED)
		*len = vec->fixed_len;
	else
		*len = (size_t) (vec->offsets[i + 1] - vec->offsets[i]);
	if (*len == 0)
		return empty;			/* vec->data may be NULL */
	if (vec->kind == VK_FIXED)
		return vec->data + i * vec->fixed_len;
	return vec->data + vec->offsets[i];
}

/*
 * Build a dictionary (first-occurrence order) with at most maxd entries.
 * codes[n] receives each value's code, first[] each entry's first row.
 * Returns 1 if built, 0 if there are more than maxd distinct values, -1 on
 * allocation failure.
 */
static int
dict_build(const CocoonVector *vec, size_t maxd, uint32_t *codes,
		   uint32_t *first, size_t *ndict_out)
{
	size_t		n = vec->nvalues;
	size_t		cap = 16;
	size_t		mask;
	uint32_t   *slots;
	uint64_t   *hashes;
	size_t		ndict = 0;
	size_t		i;
	int			result = 1;

	while (cap < 2 * maxd)
		cap <<= 1;
	mask = cap - 1;
	slots = codec_alloc(cap * sizeof(uint32_t));
	hashes = codec_alloc(maxd * sizeof(uint64_t));
	if (slots == NULL || hashes == NULL)
	{
		codec_free(slots);
		codec_free(hashes);
		return -1;
	}
	memset(slots, 0, cap * sizeof(uint32_t));

	for (i = 0; i < n; i++)
	{
		size_t		len;
		const uint8_t *val = value_at(vec, i, &len);
		uint64_t	h = hash_bytes(val, len);
		size_t		pos = (size_t) h & mask;

		for (;;)
		{
			uint32_t	s = slots[pos];

			if (s == 0)
			{
				if (ndict == maxd)
				{
					result = 0;
					goto done;
				}
				slots[pos] = (uint32_t) (ndict + 1);
				hashes[ndict] = h;
				first[ndict] = (uint32_t) i;
				codes[i] = (uint32_t) ndict;
				ndict++;
				break;
			}
			if (hashes[s - 1] == h)
			{
				size_t		olen;
				const uint8_t *other = value_at(vec, first[s - 1], &olen);

				if (olen == len && (len == 0 || memcmp(other, val, len) == 0))
				{
					codes[i] = s - 1;
					break;
				}
			}
			pos = (pos + 1) & mask;
		}
	}
done:
	codec_free(slots);
	codec_free(hashes);
	*ndict_out = ndict;
	return result;
}

/* VK_FIXED and VK_VAR */
static CocoonCodecResult
encode_bytes(EncodeCtx *ctx, CocoonCodecId *codec)
{
	const CocoonVector *vec = ctx->vec;
	size_t		n = vec->nvalues;
	int			is_var = (vec->kind == VK_VAR);
	size_t		plain_size;
	size_t		plain_data;
	size_t		dict_size = SIZE_MAX;
	size_t		ndict = 0;
	size_t		maxd = n / 2 < BYTES_DICT_MAX ? n / 2 : BYTES_DICT_MAX;
	uint64_t   *scratch = NULL;
	uint32_t   *codes = NULL;
	uint32_t   *first = NULL;
	size_t		i;
	uint8_t    *p;
	CocoonCodecResult res = COCOON_CODEC_OK;
	uint8_t    *jbody = NULL;
	size_t		jsize = 0;
	int			varlena = 0;

	/* scratch: n lengths/codes, then up to maxd dictionary lengths */
	scratch = codec_alloc((n + maxd) * sizeof(uint64_t));
	if (scratch == NULL)
		return COCOON_CODEC_NOMEM;

	if (is_var)
	{
		plain_data = (size_t) (vec->offsets[n] - vec->offsets[0]);
		for (i = 0; i < n; i++)
			scratch[i] = vec->offsets[i + 1] - vec->offsets[i];
		plain_size = cocoon_stream_size(scratch, n) + plain_data;
		/* self-delimiting varlenas need no lengths stream */
		if (cocoon_varlena_check(vec))
		{
			varlena = 1;
			plain_size = plain_data;
		}
		res = cocoon_jsonb_encode(vec, &jbody, &jsize);
		if (res != COCOON_CODEC_OK)
			goto out;
	}
	else
	{
		plain_data = n * (size_t) vec->fixed_len;
		plain_size = plain_data;
	}

	/* dictionary candidate, if there can be few enough distinct values */
	if (maxd >= 1 && plain_size > 2)
	{
		int			built;

		codes = codec_alloc(n * sizeof(uint32_t));
		first = codec_alloc(maxd * sizeof(uint32_t));
		if (codes == NULL || first == NULL)
		{
			res = COCOON_CODEC_NOMEM;
			goto out;
		}
		built = dict_build(vec, maxd, codes, first, &ndict);
		if (built < 0)
		{
			res = COCOON_CODEC_NOMEM;
			goto out;
		}
		if (built > 0)
		{
			uint64_t   *dlens = scratch + n;
			size_t		dbytes = 0;

			for (i = 0; i < ndict; i++)
			{
				size_t		len;

				(void) value_at(vec, first[i], &len);
				dlens[i] = len;
				dbytes += len;
			}
			for (i = 0; i < n; i++)
				scratch[i] = codes[i];
			dict_size = varint_len(ndict) + dbytes +
				cocoon_stream_size(scratch, n);
			if (is_var)
				dict_size += cocoon_stream_size(dlens, ndict);
		}
	}

	if (jbody != NULL && jsize <= plain_size && jsize <= dict_size)
	{
		*codec = CODEC_JSONB;
		p = chunk_begin(ctx, *codec, jsize);
		if (p == NULL)
		{
			res = COCOON_CODEC_NOMEM;
			goto out;
		}
		memcpy(p, jbody, jsize);
		p += jsize;
	}
	else if (dict_size < plain_size)
	{
		uint64_t   *dlens = scratch + n;

		*codec = CODEC_DICT;
		p = chunk_begin(ctx, *codec, dict_size);
		if (p == NULL)
		{
			res = COCOON_CODEC_NOMEM;
			goto out;
		}
		p = varint_put(p, ndict);
		if (is_var)
			p = cocoon_stream_write(p, dlens, ndict);
		for (i = 0; i < ndict; i++)
		{
			size_t		len;
			const uint8_t *val = value_at(vec, first[i], &len);

			if (len > 0)
				memcpy(p, val, len);
			p += len;
		}
		/* scratch[0..n) holds the codes */
		p = cocoon_stream_write(p, scratch, n);
	}
	else
	{
		*codec = varlena ? CODEC_VARLENA :
			is_var ? CODEC_VAR_PLAIN : CODEC_FIXED_PLAIN;
		p = chunk_begin(ctx, *codec, plain_size);
		if (p == NULL)
		{
			res = COCOON_CODEC_NOMEM;
			goto out;
		}
		if (varlena)
		{
			if (plain_data > 0)
				memcpy(p, vec->data + vec->offsets[0], plain_data);
		}
		else if (is_var)
		{
			for (i = 0; i < n; i++)
				scratch[i] = vec->offsets[i + 1] - vec->offsets[i];
			p = cocoon_stream_write(p, scratch, n);
			if (plain_data > 0)
				memcpy(p, vec->data + vec->offsets[0], plain_data);
		}
		else if (plain_data > 0)
			memcpy(p, vec->data, plain_data);
		p += plain_data;
	}
	if (p != ctx->buf + ctx->alloc)
		res = COCOON_CODEC_CORRUPT;	/* cannot happen: size mismatch */

out:
	codec_free(scratch);
	codec_free(codes);
	codec_free(first);
	codec_free(jbody);
	return res;
}

/* Check that the caller's vector is self-consistent. */
static CocoonCodecResult
validate_vector(const CocoonVector *vec, int *has_bitmap)
{
	size_t		n = vec->nvalues;
	uint64_t	nnull = 0;

	if (vec->kind < VK_INT || vec->kind > VK_VAR)
		return COCOON_CODEC_BADARG;
	if (vec->nvalues > vec->nrows)
		return COCOON_CODEC_BADARG;
	if (vec->nulls != NULL)
	{
		size_t		nbm = ((size_t) vec->nrows + 7) / 8;
		size_t		i;

		for (i = 0; i < nbm; i++)
		{
			unsigned	b = vec->nulls[i];

			if (i == nbm - 1 && vec->nrows % 8)
				b &= (1u << (vec->nrows % 8)) - 1;
			nnull += (unsigned) __builtin_popcount(b);
		}
	}
	if (nnull != (uint64_t) vec->nrows - vec->nvalues)
		return COCOON_CODEC_BADARG;
	*has_bitmap = (nnull > 0 && n > 0);

	if (n == 0)
		return COCOON_CODEC_OK;
	switch (vec->kind)
	{
		case VK_INT:
			if (vec->ints == NULL)
				return COCOON_CODEC_BADARG;
			break;
		case VK_FLOAT:
			if (vec->bits == NULL)
				return COCOON_CODEC_BADARG;
			break;
		case VK_BOOL:
			if (vec->bools == NULL)
				return COCOON_CODEC_BADARG;
			break;
		case VK_FIXED:
			{
				size_t		total;

				if (!size_mul_add(n, vec->fixed_len, 0, &total) ||
					total > vec->data_len ||
					(total > 0 && vec->data == NULL))
					return COCOON_CODEC_BADARG;
				break;
			}
		case VK_VAR:
			{
				size_t		i;

				if (vec->offsets == NULL)
					return COCOON_CODEC_BADARG;
				for (i = 0; i < n; i++)
					if (vec->offsets[i + 1] < vec->offsets[i])
						return COCOON_CODEC_BADARG;
				if (vec->offsets[n] > vec->data_len ||
					vec->offsets[n] - vec->offsets[0] > SIZE_MAX / 2 ||
					(vec->offsets[n] > vec->offsets[0] && vec->data == NULL))
					return COCOON_CODEC_BADARG;
				break;
			}
	}
	return COCOON_CODEC_OK;
}

CocoonCodecResult
cocoon_encode(const CocoonVector *vec, uint8_t **out, size_t *outlen,
			  CocoonCodecId *codec_used)
{
	EncodeCtx	ctx;
	CocoonCodecId codec = CODEC_ALL_NULL;
	CocoonCodecResult res;

	if (vec == NULL || out == NULL || outlen == NULL)
		return COCOON_CODEC_BADARG;
	*out = NULL;
	*outlen = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.vec = vec;
	res = validate_vector(vec, &ctx.has_bitmap);
	if (res != COCOON_CODEC_OK)
		return res;
	ctx.prefix = COCOON_HEADER_SIZE + 1 + (vec->kind == VK_FIXED ? 4 : 0) +
		(ctx.has_bitmap ? ((size_t) vec->nrows + 7) / 8 : 0);

	if (vec->nvalues == 0)
	{
		codec = CODEC_ALL_NULL;
		res = chunk_begin(&ctx, codec, 0) ? COCOON_CODEC_OK : COCOON_CODEC_NOMEM;
	}
	else
	{
		switch (vec->kind)
		{
			case VK_INT:
				res = encode_int(&ctx, &codec);
				break;
			case VK_FLOAT:
				res = encode_float(&ctx, &codec);
				break;
			case VK_BOOL:
				res = encode_bool(&ctx, &codec);
				break;
			case VK_FIXED:
			case VK_VAR:
				res = encode_bytes(&ctx, &codec);
				break;
		}
	}
	if (res != COCOON_CODEC_OK)
	{
		codec_free(ctx.buf);
		return res;
	}
	*out = ctx.buf;
	*outlen = ctx.alloc;
	if (codec_used)
		*codec_used = codec;
	return COCOON_CODEC_OK;
}

/* ----------------------------------------------------------------
 * Decoding
 * ----------------------------------------------------------------
 */

typedef struct DecodeCtx
{
	ByteReader	r;
	uint64_t	budget;			/* bytes left under max_bytes, or UINT64_MAX */
	CocoonVector *vec;
} DecodeCtx;

/* Allocate nelem * elsize bytes of decoded output, charged to the budget. */
static void *
out_alloc(DecodeCtx *dc, size_t nelem, size_t elsize,
			  CocoonCodecResult *res)
{
	size_t		size;
	void	   *p;

	*res = COCOON_CODEC_NOMEM;
	if (!size_mul_add(nelem, elsize, 0, &size) || size > dc->budget)
		return NULL;
	p = codec_alloc(size);
	if (p == NULL)
		return NULL;
	dc->budget -= size;
	*res = COCOON_CODEC_OK;
	return p;
}

/*
 * INT_CONST, INT_DOD, INT_FOR, and DICT for VK_INT / VK_FLOAT.  For
 * VK_FLOAT the body is preceded by a scale byte: FLOAT_RAW_SCALE means the
 * integers are the bit patterns, 0..FLOAT_MAX_SCALE that they are decimal
 * mantissas m of the values m / 10^scale.
 */
static CocoonCodecResult
decode_int_family(DecodeCtx *dc, CocoonCodecId codec)
{
	CocoonVector *vec = dc->vec;
	size_t		n = vec->nvalues;
	uint8_t		scale = FLOAT_RAW_SCALE;
	uint64_t	head = 0;
	uint8_t		order = 0;
	uint64_t	zd0 = 0;
	uint64_t	nd64 = 0;
	uint64_t   *dict = NULL;
	uint64_t   *dst;
	size_t		i;
	CocoonCodecResult res = COCOON_CODEC_CORRUPT;

	if (vec->kind == VK_FLOAT)
	{
		if (!br_u8(&dc->r, &scale) ||
			(scale != FLOAT_RAW_SCALE && scale > FLOAT_MAX_SCALE))
			return COCOON_CODEC_CORRUPT;
	}

	/* read the fixed part and check plausibility before allocating */
	switch (codec)
	{
		case CODEC_INT_CONST:
			if (!br_u64(&dc->r, &head))
				return COCOON_CODEC_CORRUPT;
			break;
		case CODEC_INT_DOD:
			if (!br_u64(&dc->r, &head) || !br_u8(&dc->r, &order))
				return COCOON_CODEC_CORRUPT;
			if (order == 1)
			{
				if (!cocoon_stream_plausible(&dc->r, n - 1))
					return COCOON_CODEC_CORRUPT;
			}
			else if (order == 2)
			{
				if (n >= 2 && !br_varint(&dc->r, &zd0))
					return COCOON_CODEC_CORRUPT;
				if (n >= 2 && !cocoon_stream_plausible(&dc->r, n - 2))
					return COCOON_CODEC_CORRUPT;
			}
			else
				return COCOON_CODEC_CORRUPT;
			break;
		case CODEC_INT_FOR:
			if (!br_u64(&dc->r, &head) || !cocoon_stream_plausible(&dc->r, n))
				return COCOON_CODEC_CORRUPT;
			break;
		case CODEC_DICT:
			if (!br_varint(&dc->r, &nd64) || nd64 == 0 || nd64 > n ||
				!cocoon_stream_plausible(&dc->r, (size_t) nd64))
				return COCOON_CODEC_CORRUPT;
			/* temporary, bounded by the input size (plausibility check) */
			dict = codec_alloc((size_t) nd64 * sizeof(uint64_t));
			if (dict == NULL)
				return COCOON_CODEC_NOMEM;
			if (!cocoon_stream_read(&dc->r, dict, (size_t) nd64) ||
				!cocoon_stream_plausible(&dc->r, n))
				goto out;
			break;
		default:
			return COCOON_CODEC_CORRUPT;
	}

	if (vec->kind == VK_INT)
	{
		vec->ints = out_alloc(dc, n, sizeof(int64_t), &res);
		/* int64_t and uint64_t may alias each other */
		dst = (uint64_t *) vec->ints;
	}
	else
	{
		vec->bits = out_alloc(dc, n, sizeof(uint64_t), &res);
		dst = vec->bits;
	}
	if (res != COCOON_CODEC_OK)
		goto out;
	res = COCOON_CODEC_CORRUPT;

	switch (codec)
	{
		case CODEC_INT_CONST:
			for (i = 0; i < n; i++)
				dst[i] = head;
			break;
		case CODEC_INT_DOD:
			dst[0] = head;
			if (order == 1)
			{
				if (!cocoon_stream_read(&dc->r, dst + 1, n - 1))
					goto out;
				for (i = 1; i < n; i++)
					dst[i] += dst[i - 1];
			}
			else if (n >= 2)
			{
				uint64_t	d = zigzag_dec(zd0);

				dst[1] = head + d;
				if (!cocoon_stream_read(&dc->r, dst + 2, n - 2))
					goto out;
				for (i = 2; i < n; i++)
				{
					d += dst[i];
					dst[i] = dst[i - 1] + d;
				}
			}
			break;
		case CODEC_INT_FOR:
			if (!cocoon_stream_read(&dc->r, dst, n))
				goto out;
			for (i = 0; i < n; i++)
				dst[i] += head;
			break;
		case CODEC_DICT:
			if (!cocoon_stream_read(&dc->r, dst, n))
				goto out;
			for (i = 0; i < n; i++)
			{
				if (dst[i] >= nd64)
					goto out;
				dst[i] = dict[dst[i]];
			}
			break;
		default:
			goto out;
	}

	if (scale != FLOAT_RAW_SCALE)
	{
		double		p10 = pow10_table[scale];

		for (i = 0; i < n; i++)
		{
			double		d = (double) (int64_t) dst[i] / p10;

			dst[i] = double_to_bits(d);
		}
	}
	res = COCOON_CODEC_OK;

out:
	codec_free(dict);
	return res;
}

static CocoonCodecResult
decode_gorilla(DecodeCtx *dc)
{
	CocoonVector *vec = dc->vec;
	size_t		n = vec->nvalues;
	BitReader	br;
	uint64_t	v;
	uint64_t   *dst;
	unsigned	ptrail = 0;
	unsigned	plen = 0;
	int			have_window = 0;
	size_t		i;
	CocoonCodecResult res;

	bitr_init(&br, dc->r.p, br_left(&dc->r));
	/* 64 bits for the first value, at least one bit for each other one */
	if (br.nbits < 64 || (uint64_t) (n - 1) > br.nbits - 64)
		return COCOON_CODEC_CORRUPT;
	vec->bits = out_alloc(dc, n, sizeof(uint64_t), &res);
	if (res != COCOON_CODEC_OK)
		return res;
	dst = vec->bits;
	v = bitr_get(&br, 64);
	dst[0] = v;
	for (i = 1; i < n; i++)
	{
		uint64_t	left = br.nbits - br.pos;

		if (left < 1)
			return COCOON_CODEC_CORRUPT;
		if (bitr_get(&br, 1) != 0)
		{
			uint64_t	x;

			if (left < 2)
				return COCOON_CODEC_CORRUPT;
			if (bitr_get(&br, 1) == 0)
			{
				if (!have_window || left - 2 < plen)
					return COCOON_CODEC_CORRUPT;
				x = bitr_get(&br, plen) << ptrail;
			}
			else
			{
				unsigned	lead;

				if (left - 2 < 11)
					return COCOON_CODEC_CORRUPT;
				lead = (unsigned) bitr_get(&br, 5);
				plen = (unsigned) bitr_get(&br, 6) + 1;
				if (lead + plen > 64 || left - 13 < plen)
					return COCOON_CODEC_CORRUPT;
				ptrail = 64 - lead - plen;
				have_window = 1;
				x = bitr_get(&br, plen) << ptrail;
			}
			v ^= x;
		}
		dst[i] = v;
	}
	/* exactly the bytes used, zero padding */
	if ((br.pos + 7) / 8 != br.len)
		return COCOON_CODEC_CORRUPT;
	if (br.pos < br.nbits && bitr_get(&br, (unsigned) (br.nbits - br.pos)) != 0)
		return COCOON_CODEC_CORRUPT;
	dc->r.p = dc->r.end;
	return COCOON_CODEC_OK;
}

static CocoonCodecResult
decode_bool(DecodeCtx *dc)
{
	CocoonVector *vec = dc->vec;
	size_t		n = vec->nvalues;
	size_t		nbytes = (n + 7) / 8;
	const uint8_t *src = dc->r.p;
	size_t		i;
	CocoonCodecResult res;

	if (br_left(&dc->r) < nbytes)
		return COCOON_CODEC_CORRUPT;
	if (n % 8 && (src[nbytes - 1] >> (n % 8)) != 0)
		return COCOON_CODEC_CORRUPT;
	vec->bools = out_alloc(dc, n, 1, &res);
	if (res != COCOON_CODEC_OK)
		return res;
	for (i = 0; i < n; i++)
		vec->bools[i] = (src[i >> 3] >> (i & 7)) & 1;
	dc->r.p += nbytes;
	return COCOON_CODEC_OK;
}

static CocoonCodecResult
decode_fixed_plain(DecodeCtx *dc)
{
	CocoonVector *vec = dc->vec;
	size_t		total;
	CocoonCodecResult res;

	if (!size_mul_add(vec->nvalues, vec->fixed_len, 0, &total) ||
		total != br_left(&dc->r))
		return COCOON_CODEC_CORRUPT;
	vec->data = out_alloc(dc, total, 1, &res);
	if (res != COCOON_CODEC_OK)
		return res;
	if (total > 0)
		memcpy(vec->data, dc->r.p, total);
	vec->data_len = total;
	dc->r.p += total;
	return COCOON_CODEC_OK;
}

/* Turn lengths in offs[1..n] into offsets (offs[0] = 0); 0 on overflow. */
static int
lengths_to_offsets(uint64_t *offs, size_t n, uint64_t limit)
{
	uint64_t	sum = 0;
	size_t		i;

	offs[0] = 0;
	for (i = 1; i <= n; i++)
	{
		if (offs[i] > limit - sum)
			return 0;
		sum += offs[i];
		offs[i] = sum;
	}
	return 1;
}

static CocoonCodecResult
decode_var_plain(DecodeCtx *dc)
{
	CocoonVector *vec = dc->vec;
	size_t		n = vec->nvalues;
	size_t		total;
	CocoonCodecResult res;

	if (!cocoon_stream_plausible(&dc->r, n))
		return COCOON_CODEC_CORRUPT;
	vec->offsets = out_alloc(dc, (size_t) n + 1, sizeof(uint64_t), &res);
	if (res != COCOON_CODEC_OK)
		return res;
	if (!cocoon_stream_read(&dc->r, vec->offsets + 1, n) ||
		!lengths_to_offsets(vec->offsets, n, br_left(&dc->r)))
		return COCOON_CODEC_CORRUPT;
	total = (size_t) vec->offsets[n];
	if (total != br_left(&dc->r))
		return COCOON_CODEC_CORRUPT;
	vec->data = out_alloc(dc, total, 1, &res);
	if (res != COCOON_CODEC_OK)
		return res;
	if (total > 0)
		memcpy(vec->data, dc->r.p, total);
	vec->data_len = total;
	dc->r.p += total;
	return COCOON_CODEC_OK;
}

static CocoonCodecResult
decode_dict(DecodeCtx *dc)
{
	CocoonVector *vec = dc->vec;
	size_t		n = vec->nvalues;
	uint64_t	nd64;
	size_t		ndict;
	uint64_t   *doffs = NULL;
	const uint8_t *dbytes;
	size_t		dtotal;
	size_t		i;
	CocoonCodecResult res = COCOON_CODEC_CORRUPT;

	if (!br_varint(&dc->r, &nd64) || nd64 == 0 || nd64 > n)
		return COCOON_CODEC_CORRUPT;
	ndict = (size_t) nd64;

	if (vec->kind == VK_VAR)
	{
		if (!cocoon_stream_plausible(&dc->r, ndict))
			return COCOON_CODEC_CORRUPT;
		/* temporary, bounded by the input size (plausibility check) */
		doffs = codec_alloc((ndict + 1) * sizeof(uint64_t));
		if (doffs == NULL)
			return COCOON_CODEC_NOMEM;
		if (!cocoon_stream_read(&dc->r, doffs + 1, ndict) ||
			!lengths_to_offsets(doffs, ndict, br_left(&dc->r)))
			goto out;
		dtotal = (size_t) doffs[ndict];
	}
	else if (!size_mul_add(ndict, vec->fixed_len, 0, &dtotal))
		return COCOON_CODEC_CORRUPT;
	if (dtotal > br_left(&dc->r))
		goto out;
	dbytes = dc->r.p;
	dc->r.p += dtotal;

	if (!cocoon_stream_plausible(&dc->r, n))
		goto out;

	if (vec->kind == VK_VAR)
	{
		uint64_t	sum = 0;
		uint64_t   *offs;

		vec->offsets = out_alloc(dc, n + 1, sizeof(uint64_t), &res);
		if (res != COCOON_CODEC_OK)
			goto out;
		res = COCOON_CODEC_CORRUPT;
		offs = vec->offsets;
		/* codes go to offs[1..n], then become end offsets in place */
		if (!cocoon_stream_read(&dc->r, offs + 1, n))
			goto out;
		for (i = 1; i <= n; i++)
		{
			uint64_t	c = offs[i];
			uint64_t	len;

			if (c >= ndict)
				goto out;
			len = doffs[c + 1] - doffs[c];
			if (len > UINT64_MAX - sum)
			{
				res = COCOON_CODEC_NOMEM;
				goto out;
			}
			sum += len;
		}
		if (sum > SIZE_MAX)
		{
			res = COCOON_CODEC_NOMEM;
			goto out;
		}
		vec->data = out_alloc(dc, (size_t) sum, 1, &res);
		if (res != COCOON_CODEC_OK)
			goto out;
		offs[0] = 0;
		sum = 0;
		for (i = 1; i <= n; i++)
		{
			uint64_t	c = offs[i];
			size_t		len = (size_t) (doffs[c + 1] - doffs[c]);

			if (len > 0)
				memcpy(vec->data + sum, dbytes + doffs[c], len);
			sum += len;
			offs[i] = sum;
		}
		vec->data_len = sum;
	}
	else
	{
		size_t		fl = vec->fixed_len;
		size_t		total;
		uint64_t	codes[COCOON_BLOCK];
		size_t		start;

		if (!size_mul_add(n, fl, 0, &total))
		{
			res = COCOON_CODEC_NOMEM;
			goto out;
		}
		vec->data = out_alloc(dc, total, 1, &res);
		if (res != COCOON_CODEC_OK)
			goto out;
		res = COCOON_CODEC_CORRUPT;
		/* reading the stream block by block is the same as all at once */
		for (start = 0; start < n; start += COCOON_BLOCK)
		{
			size_t		cnt = n - start < COCOON_BLOCK ? n - start : COCOON_BLOCK;

			if (!cocoon_stream_read(&dc->r, codes, cnt))
				goto out;
			for (i = 0; i < cnt; i++)
			{
				if (codes[i] >= ndict)
					goto out;
				if (fl > 0)
					memcpy(vec->data + (start + i) * fl,
						   dbytes + codes[i] * fl, fl);
			}
		}
		vec->data_len = total;
	}
	res = COCOON_CODEC_OK;

out:
	codec_free(doffs);
	return res;
}

/* Allocate the (empty) value arrays of a chunk without values. */
static CocoonCodecResult
decode_empty(DecodeCtx *dc)
{
	CocoonVector *vec = dc->vec;
	CocoonCodecResult res = COCOON_CODEC_BADARG;

	switch (vec->kind)
	{
		case VK_INT:
			vec->ints = out_alloc(dc, 0, 1, &res);
			break;
		case VK_FLOAT:
			vec->bits = out_alloc(dc, 0, 1, &res);
			break;
		case VK_BOOL:
			vec->bools = out_alloc(dc, 0, 1, &res);
			break;
		case VK_FIXED:
			vec->data = out_alloc(dc, 0, 1, &res);
			break;
		case VK_VAR:
			vec->offsets = out_alloc(dc, 1, sizeof(uint64_t), &res);
			if (res != COCOON_CODEC_OK)
				break;
			vec->offsets[0] = 0;
			vec->data = out_alloc(dc, 0, 1, &res);
			break;
	}
	return res;
}

/* Does codec apply to kind? */
static int
codec_fits_kind(unsigned codec, CocoonValueKind kind)
{
	switch (codec)
	{
		case CODEC_ALL_NULL:
			return 1;
		case CODEC_INT_DOD:
		case CODEC_INT_FOR:
		case CODEC_INT_CONST:
			return kind == VK_INT || kind == VK_FLOAT;
		case CODEC_GORILLA:
			return kind == VK_FLOAT;
		case CODEC_BOOL_BITMAP:
			return kind == VK_BOOL;
		case CODEC_FIXED_PLAIN:
			return kind == VK_FIXED;
		case CODEC_VAR_PLAIN:
		case CODEC_VARLENA:
		case CODEC_JSONB:
			return kind == VK_VAR;
		case CODEC_DICT:
			return kind != VK_BOOL;
	}
	return 0;
}

/*
 * The chunk header, the null bitmap (into dc->vec->nulls), the value kind
 * and fixed_len: everything before the codec body.  *codec_out receives
 * the codec id, already checked to fit the kind.
 */
static CocoonCodecResult
decode_head(DecodeCtx *dc, CocoonValueKind expect_kind,
			uint32_t expect_fixed_len, const CocoonDecodeLimits *limits,
			CocoonCodecId *codec_out)
{
	CocoonVector *vec = dc->vec;
	uint8_t		codec;
	uint8_t		flags;
	uint8_t		kind;
	uint32_t	nrows;
	uint32_t	nvalues;
	size_t		nbm;
	CocoonCodecResult res;

	if (!br_u8(&dc->r, &codec) || !br_u8(&dc->r, &flags) ||
		!br_u32(&dc->r, &nrows) || !br_u32(&dc->r, &nvalues))
		return COCOON_CODEC_CORRUPT;
	if (codec > CODEC_JSONB || (flags & ~COCOON_FLAG_NULLS) != 0 ||
		nvalues > nrows)
		return COCOON_CODEC_CORRUPT;
	if ((codec == CODEC_ALL_NULL) != (nvalues == 0))
		return COCOON_CODEC_CORRUPT;
	if (limits != NULL && limits->max_rows != 0 && nrows > limits->max_rows)
		return COCOON_CODEC_NOMEM;

	vec->kind = expect_kind;
	vec->nrows = nrows;
	vec->nvalues = nvalues;
	nbm = ((size_t) nrows + 7) / 8;

	if (flags & COCOON_FLAG_NULLS)
	{
		const uint8_t *src = dc->r.p;
		uint64_t	nnull = 0;
		size_t		i;

		/* a bitmap only when some but not all rows are NULL */
		if (codec == CODEC_ALL_NULL || nvalues == nrows ||
			br_left(&dc->r) < nbm)
			return COCOON_CODEC_CORRUPT;
		if (nrows % 8 && (src[nbm - 1] >> (nrows % 8)) != 0)
			return COCOON_CODEC_CORRUPT;
		for (i = 0; i < nbm; i++)
			nnull += (unsigned) __builtin_popcount(src[i]);
		if (nnull != (uint64_t) nrows - nvalues)
			return COCOON_CODEC_CORRUPT;
		vec->nulls = out_alloc(dc, nbm, 1, &res);
		if (res != COCOON_CODEC_OK)
			return res;
		memcpy(vec->nulls, src, nbm);
		dc->r.p += nbm;
	}
	else if (nvalues != nrows)
	{
		/* only ALL_NULL chunks have NULLs without a bitmap */
		if (codec != CODEC_ALL_NULL)
			return COCOON_CODEC_CORRUPT;
		vec->nulls = out_alloc(dc, nbm, 1, &res);
		if (res != COCOON_CODEC_OK)
			return res;
		memset(vec->nulls, 0xFF, nbm);
		if (nrows % 8)
			vec->nulls[nbm - 1] = (uint8_t) ((1u << (nrows % 8)) - 1);
	}

	if (!br_u8(&dc->r, &kind) || kind != (uint8_t) expect_kind ||
		!codec_fits_kind(codec, expect_kind))
		return COCOON_CODEC_CORRUPT;
	if (expect_kind == VK_FIXED)
	{
		uint32_t	fl;

		if (!br_u32(&dc->r, &fl) || fl != expect_fixed_len)
			return COCOON_CODEC_CORRUPT;
		vec->fixed_len = fl;
	}
	*codec_out = (CocoonCodecId) codec;
	return COCOON_CODEC_OK;
}

static CocoonCodecResult
decode_chunk(DecodeCtx *dc, CocoonValueKind expect_kind,
			 uint32_t expect_fixed_len, const CocoonDecodeLimits *limits)
{
	CocoonCodecId codec;
	CocoonCodecResult res;

	res = decode_head(dc, expect_kind, expect_fixed_len, limits, &codec);
	if (res != COCOON_CODEC_OK)
		return res;
	switch (codec)
	{
		case CODEC_ALL_NULL:
			res = decode_empty(dc);
			break;
		case CODEC_INT_CONST:
		case CODEC_INT_DOD:
		case CODEC_INT_FOR:
			res = decode_int_family(dc, codec);
			break;
		case CODEC_GORILLA:
			res = decode_gorilla(dc);
			break;
		case CODEC_BOOL_BITMAP:
			res = decode_bool(dc);
			break;
		case CODEC_FIXED_PLAIN:
			res = decode_fixed_plain(dc);
			break;
		case CODEC_VAR_PLAIN:
			res = decode_var_plain(dc);
			break;
		case CODEC_VARLENA:
			res = cocoon_varlena_decode(&dc->r, dc->vec, &dc->budget);
			break;
		case CODEC_JSONB:
			res = cocoon_jsonb_decode(&dc->r, dc->vec, &dc->budget,
									  limits ? limits->needle : NULL,
									  limits ? limits->needle_len : 0);
			break;
		case CODEC_DICT:
			if (expect_kind == VK_INT || expect_kind == VK_FLOAT)
				res = decode_int_family(dc, CODEC_DICT);
			else
				res = decode_dict(dc);
			break;
		default:
			res = COCOON_CODEC_CORRUPT;
			break;
	}
	if (res != COCOON_CODEC_OK)
		return res;
	if (dc->r.p != dc->r.end)
		return COCOON_CODEC_CORRUPT;	/* trailing garbage */
	return COCOON_CODEC_OK;
}

CocoonCodecResult
cocoon_decode(const uint8_t *in, size_t inlen,
			  CocoonValueKind expect_kind, uint32_t expect_fixed_len,
			  const CocoonDecodeLimits *limits, CocoonVector *vec)
{
	DecodeCtx	dc;
	CocoonCodecResult res;

	if (vec == NULL)
		return COCOON_CODEC_BADARG;
	memset(vec, 0, sizeof(*vec));
	if ((in == NULL && inlen > 0) ||
		expect_kind < VK_INT || expect_kind > VK_VAR)
		return COCOON_CODEC_BADARG;

	if (in == NULL)
	{
		static const uint8_t empty[1] = {0};

		in = empty;				/* no arithmetic on NULL */
	}
	dc.r.p = in;
	dc.r.end = in + inlen;
	dc.budget = (limits != NULL && limits->max_bytes != 0) ?
		limits->max_bytes : UINT64_MAX;
	dc.vec = vec;

	res = decode_chunk(&dc, expect_kind, expect_fixed_len, limits);
	if (res != COCOON_CODEC_OK)
		cocoon_vector_free(vec);
	return res;
}

void
cocoon_vector_free(CocoonVector *vec)
{
	if (vec == NULL)
		return;
	codec_free(vec->nulls);
	codec_free(vec->ints);
	codec_free(vec->bits);
	codec_free(vec->bools);
	codec_free(vec->data);
	codec_free(vec->offsets);
	codec_free(vec->skipped);
	memset(vec, 0, sizeof(*vec));
}

/* ----------------------------------------------------------------
 * Dictionary form
 *
 * cocoon_decode_dict reads the same bytes as cocoon_decode with the same
 * checks, but stops short of expanding the dictionary: it returns the
 * entries once and a code per row.  A reader that needs a value per row
 * then costs one array index per row instead of a copy of the value, and
 * an aggregate grouping by the column can work on codes.
 * ----------------------------------------------------------------
 */
int
cocoon_codec_has_dict(CocoonCodecId codec, CocoonValueKind kind)
{
	if (kind < VK_INT || kind > VK_VAR)
		return 0;
	switch (codec)
	{
		case CODEC_ALL_NULL:
			return 1;
		case CODEC_DICT:
			return kind != VK_BOOL;
		case CODEC_INT_CONST:
			return kind == VK_INT || kind == VK_FLOAT;
		default:
			return 0;
	}
}

/*
 * The entries of a dictionary-form chunk into dv->dict (dc->vec points at
 * it while they are allocated, so that they are charged to the budget) and
 * their number into *nd.  The reader is left at the codes stream (DICT) or
 * at the end of the body (INT_CONST, ALL_NULL).
 */
static CocoonCodecResult
decode_dict_entries(DecodeCtx *dc, CocoonCodecId codec, const CocoonVector *head,
					CocoonDictVector *dv, size_t *nd)
{
	CocoonVector *d = &dv->dict;
	size_t		n = head->nvalues;
	uint64_t	nd64 = 0;
	uint8_t		scale = FLOAT_RAW_SCALE;
	uint64_t	head_value = 0;
	uint64_t   *dst = NULL;
	size_t		i;
	CocoonCodecResult res = COCOON_CODEC_OK;

	d->kind = head->kind;
	d->fixed_len = head->fixed_len;
	dc->vec = d;
	*nd = 0;
	if (codec == CODEC_ALL_NULL)
		return decode_empty(dc);

	if (head->kind == VK_INT || head->kind == VK_FLOAT)
	{
		/* as decode_int_family: scale byte, then INT_CONST or DICT */
		if (head->kind == VK_FLOAT &&
			(!br_u8(&dc->r, &scale) ||
			 (scale != FLOAT_RAW_SCALE && scale > FLOAT_MAX_SCALE)))
			return COCOON_CODEC_CORRUPT;
		if (codec == CODEC_INT_CONST)
		{
			if (!br_u64(&dc->r, &head_value))
				return COCOON_CODEC_CORRUPT;
			nd64 = 1;
		}
		else if (!br_varint(&dc->r, &nd64) || nd64 == 0 || nd64 > n ||
				 !cocoon_stream_plausible(&dc->r, (size_t) nd64))
			return COCOON_CODEC_CORRUPT;
		if (head->kind == VK_INT)
		{
			d->ints = out_alloc(dc, (size_t) nd64, sizeof(int64_t), &res);
			dst = (uint64_t *) d->ints;
		}
		else
		{
			d->bits = out_alloc(dc, (size_t) nd64, sizeof(uint64_t), &res);
			dst = d->bits;
		}
		if (res != COCOON_CODEC_OK)
			return res;
		if (codec == CODEC_INT_CONST)
			dst[0] = head_value;
		else if (!cocoon_stream_read(&dc->r, dst, (size_t) nd64))
			return COCOON_CODEC_CORRUPT;
		if (scale != FLOAT_RAW_SCALE)
		{
			double		p10 = pow10_table[scale];

			for (i = 0; i < nd64; i++)
				dst[i] = double_to_bits((double) (int64_t) dst[i] / p10);
		}
	}
	else
	{
		/* as decode_dict: the entries' bytes (and for VK_VAR lengths) */
		size_t		dtotal;

		if (codec != CODEC_DICT)
			return COCOON_CODEC_BADARG;
		if (!br_varint(&dc->r, &nd64) || nd64 == 0 || nd64 > n)
			return COCOON_CODEC_CORRUPT;
		if (head->kind == VK_VAR)
		{
			if (!cocoon_stream_plausible(&dc->r, (size_t) nd64))
				return COCOON_CODEC_CORRUPT;
			d->offsets = out_alloc(dc, (size_t) nd64 + 1, sizeof(uint64_t), &res);
			if (res != COCOON_CODEC_OK)
				return res;
			if (!cocoon_stream_read(&dc->r, d->offsets + 1, (size_t) nd64) ||
				!lengths_to_offsets(d->offsets, (size_t) nd64, br_left(&dc->r)))
				return COCOON_CODEC_CORRUPT;
			dtotal = (size_t) d->offsets[nd64];
		}
		else if (!size_mul_add((size_t) nd64, head->fixed_len, 0, &dtotal))
			return COCOON_CODEC_CORRUPT;
		if (dtotal > br_left(&dc->r))
			return COCOON_CODEC_CORRUPT;
		d->data = out_alloc(dc, dtotal, 1, &res);
		if (res != COCOON_CODEC_OK)
			return res;
		if (dtotal > 0)
			memcpy(d->data, dc->r.p, dtotal);
		d->data_len = dtotal;
		dc->r.p += dtotal;
	}
	d->nrows = d->nvalues = (uint32_t) nd64;
	*nd = (size_t) nd64;
	return COCOON_CODEC_OK;
}

/*
 * Per-row codes: the n codes of the non-NULL rows (a stream for DICT, all 0
 * for INT_CONST) spread over the rows, NULL rows getting nd.
 */
static CocoonCodecResult
decode_dict_codes(DecodeCtx *dc, CocoonCodecId codec, const CocoonVector *head,
				  size_t nd, CocoonDictVector *dv)
{
	size_t		nrows = head->nrows;
	size_t		n = head->nvalues;
	const uint8_t *nulls = head->nulls;
	uint32_t   *codes;
	uint64_t	block[COCOON_BLOCK];
	size_t		row = 0;
	size_t		start;
	size_t		i;
	CocoonCodecResult res;

	if (codec == CODEC_DICT && !cocoon_stream_plausible(&dc->r, n))
		return COCOON_CODEC_CORRUPT;
	codes = out_alloc(dc, nrows, sizeof(uint32_t), &res);
	if (res != COCOON_CODEC_OK)
		return res;
	dv->codes = codes;
	for (start = 0; start < n; start += COCOON_BLOCK)
	{
		size_t		cnt = n - start < COCOON_BLOCK ? n - start : COCOON_BLOCK;

		/* reading the stream block by block is the same as all at once */
		if (codec == CODEC_DICT)
		{
			if (!cocoon_stream_read(&dc->r, block, cnt))
				return COCOON_CODEC_CORRUPT;
		}
		else
			memset(block, 0, cnt * sizeof(uint64_t));
		for (i = 0; i < cnt; i++)
		{
			if (block[i] >= nd)
				return COCOON_CODEC_CORRUPT;
			if (nulls != NULL)
			{
				/* the bitmap has exactly nrows - n bits set, so row < nrows */
				while ((nulls[row >> 3] >> (row & 7)) & 1)
					codes[row++] = (uint32_t) nd;
			}
			codes[row++] = (uint32_t) block[i];
		}
	}
	while (row < nrows)
		codes[row++] = (uint32_t) nd;
	return COCOON_CODEC_OK;
}

CocoonCodecResult
cocoon_decode_dict(const uint8_t *in, size_t inlen,
				   CocoonValueKind expect_kind, uint32_t expect_fixed_len,
				   const CocoonDecodeLimits *limits, CocoonDictVector *dv)
{
	static const uint8_t empty[1] = {0};
	DecodeCtx	dc;
	CocoonVector head;
	CocoonCodecId codec;
	CocoonCodecResult res;
	size_t		nd = 0;

	if (dv == NULL)
		return COCOON_CODEC_BADARG;
	memset(dv, 0, sizeof(*dv));
	if ((in == NULL && inlen > 0) ||
		expect_kind < VK_INT || expect_kind > VK_VAR)
		return COCOON_CODEC_BADARG;
	if (in == NULL)
		in = empty;				/* no arithmetic on NULL */

	memset(&head, 0, sizeof(head));
	dc.r.p = in;
	dc.r.end = in + inlen;
	dc.budget = (limits != NULL && limits->max_bytes != 0) ?
		limits->max_bytes : UINT64_MAX;
	dc.vec = &head;

	res = decode_head(&dc, expect_kind, expect_fixed_len, limits, &codec);
	if (res == COCOON_CODEC_OK && !cocoon_codec_has_dict(codec, expect_kind))
		res = COCOON_CODEC_BADARG;
	if (res == COCOON_CODEC_OK)
		res = decode_dict_entries(&dc, codec, &head, dv, &nd);
	if (res == COCOON_CODEC_OK)
		res = decode_dict_codes(&dc, codec, &head, nd, dv);
	if (res == COCOON_CODEC_OK && dc.r.p != dc.r.end)
		res = COCOON_CODEC_CORRUPT;	/* trailing garbage */
	if (res == COCOON_CODEC_OK)
	{
		dv->nrows = head.nrows;
		dv->nvalues = head.nvalues;
	}
	else
		cocoon_dict_free(dv);
	cocoon_vector_free(&head);
	return res;
}

void
cocoon_dict_free(CocoonDictVector *dv)
{
	if (dv == NULL)
		return;
	codec_free(dv->codes);
	cocoon_vector_free(&dv->dict);
	memset(dv, 0, sizeof(*dv));
}
