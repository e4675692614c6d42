/*-------------------------------------------------------------------------
 *
 * fuzz_roundtrip.c
 *	  libFuzzer target: build a valid vector from the input, encode it,
 *	  decode it, compare bit for bit; compress the chunk every way.
 *
 * Input layout:
 *	 byte 0		 bits 0-2: kind (value % 5 + 1 = VK_INT..VK_VAR)
 *				 bits 3-7: VK_FIXED fixed_len (index into fixed_lens[]);
 *				 VK_VAR: bits 3-4 var_format (3 = 0), bit 5: values get
 *				 varlena headers (1-byte when they fit, else 4-byte),
 *				 bit 6: values are jsonb samples (../codec/jsonb_samples.h)
 *				 with, for bit 7, one byte per value changed (so the JSONB
 *				 encoder meets bytes that are not quite jsonb)
 *	 byte 1		 bits 0-1: NULLs: 0 none (nulls = NULL), 1 a bitmap read from
 *				 the input, 2 every row NULL, 3 a bitmap with no NULL bit
 *				 (both bitmaps get garbage bits past nrows: ignored)
 *				 bits 2-4: value mode (how bytes become values, per kind)
 *				 bits 5-7: mode parameter
 *	 bytes 2-3	 nrows, u16 little-endian: with bit 15 set the low 14 bits
 *				 (0..16383), else the low 11 bits (0..2047; most inputs
 *				 stay small and fast)
 *	 byte 4		 zstd level selector, and which wrong kind to try
 *	 rest		 value source, read cyclically (so short inputs can make
 *				 long vectors; empty: all zero bytes)
 *
 * Value modes (see make_* below) are chosen so that every codec can win:
 * raw/narrow/step/delta-of-delta/dictionary/extreme integers; raw bits,
 * short decimals (every scale), special doubles (NaN payloads, -0.0, Inf,
 * denormals), Gorilla-friendly XOR walks, float4 patterns; bools as raw
 * bytes (any non-zero byte is true) or bits; fixed/var strings raw, from a
 * dictionary, constant or empty, var strings starting at offsets[0] > 0
 * with slack after the last one.
 *
 * Checks, for a vector that cocoon_encode must accept:
 *	 - decode (limits max_rows = nrows) gives back the same rows: the same
 *	   NULL rows and bit-identical values (bools by truth value; decoded
 *	   bools are 0/1), and keeps the README's promises (vec_check);
 *	 - limits are exact: max_bytes = the decoded size decodes, one byte less
 *	   is NOMEM; max_rows = nrows - 1 is NOMEM;
 *	 - a wrong expected kind (or fixed_len + 1) is CORRUPT;
 *	 - encoding the decoded vector gives the same bytes;
 *	 - none / lz4 / zstd compress and decompress to the same bytes, and a
 *	   wrong raw length (+1 / -1) is CORRUPT;
 *	 - cocoon_crc32c agrees with a plain table-driven CRC-32C, at every
 *	   alignment.
 *
 * test/fuzz/fuzz_roundtrip.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "fuzz_common.h"
#include "../codec/jsonb_samples.h"

#define MAX_ROWS 16384
#define MAX_VAR_BYTES ((size_t) 256 << 10)	/* total VK_VAR data per input */

static const uint32_t fixed_lens[32] = {
	16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 17, 20, 24, 31, 32, 33, 36, 48, 63, 64, 65, 100, 128, 255, 256
};

/* dictionary sizes around the encoder's thresholds (160/256, 4096) */
static const uint32_t dict_sizes[8] = {1, 2, 3, 7, 16, 161, 4096, 4097};

/* ---------------------------------------------------------------- */
/* cyclic byte source */

typedef struct Src
{
	const uint8_t *p;
	size_t		n;
	size_t		pos;
} Src;

static inline uint8_t
src_u8(Src *s)
{
	if (s->n == 0)
		return 0;
	if (s->pos >= s->n)
		s->pos = 0;
	return s->p[s->pos++];
}

static inline uint64_t
src_bytes(Src *s, int nbytes)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < nbytes; i++)
		v |= (uint64_t) src_u8(s) << (8 * i);
	return v;
}

/* sign-extend the low nbytes bytes */
static inline uint64_t
src_signed(Src *s, int nbytes)
{
	uint64_t	v = src_bytes(s, nbytes);
	int			sh = 64 - 8 * nbytes;

	return sh ? (uint64_t) ((int64_t) (v << sh) >> sh) : v;
}

static void *
xcalloc(size_t n, size_t size)
{
	void	   *p = calloc(n ? n : 1, size ? size : 1);

	FUZZ_CHECK(p != NULL, "out of memory");
	return p;
}

static inline uint64_t
dbl_bits(double d)
{
	uint64_t	b;

	memcpy(&b, &d, 8);
	return b;
}

/* ---------------------------------------------------------------- */
/* values */

static const uint64_t int_extremes[8] = {
	0x8000000000000000ULL, 0x7FFFFFFFFFFFFFFFULL, 0, 0xFFFFFFFFFFFFFFFFULL,
	1, 0x8000000000000001ULL, 0x7FFFFFFFFFFFFFFEULL, 0x4000000000000000ULL
};

static void
make_ints(uint64_t *v, size_t n, unsigned mode, unsigned param, Src *s)
{
	uint64_t	x = src_bytes(s, 8);
	uint64_t	d = 0;
	uint64_t   *dict = NULL;
	uint32_t	k = dict_sizes[param];
	size_t		i;

	if (mode == 5)
	{
		dict = xcalloc(k, 8);
		for (i = 0; i < k; i++)
			dict[i] = src_bytes(s, param & 1 ? 8 : 2) * (i + 1);
	}
	for (i = 0; i < n; i++)
	{
		switch (mode)
		{
			case 0:				/* raw 64-bit */
				v[i] = src_bytes(s, 8);
				break;
			case 1:				/* int1 */
				v[i] = src_signed(s, 1);
				break;
			case 2:				/* int2 */
				v[i] = src_signed(s, 2);
				break;
			case 3:				/* timestamps: steps of 8^param with jitter */
				x += ((uint64_t) 1 << (3 * param)) + src_signed(s, 1);
				v[i] = x;
				break;
			case 4:				/* delta-of-delta walk */
				d += src_signed(s, 1);
				x += d;
				v[i] = x;
				break;
			case 5:				/* dictionary */
				{
					uint32_t	c = (uint32_t) src_bytes(s, k > 256 ? 2 : 1) % k;

					v[i] = dict[c];
					break;
				}
			case 6:				/* extremes, sometimes nudged */
				{
					uint8_t		b = src_u8(s);

					v[i] = int_extremes[b & 7] + (b & 0x80 ? (uint64_t) ((b >> 3) & 7) : 0);
					break;
				}
			default:			/* int4 */
				v[i] = src_signed(s, 4);
				break;
		}
	}
	free(dict);
}

static const uint64_t float_specials[20] = {
	0x0000000000000000ULL,		/* 0.0 */
	0x8000000000000000ULL,		/* -0.0 */
	0x7FF0000000000000ULL,		/* +Inf */
	0xFFF0000000000000ULL,		/* -Inf */
	0x7FF8000000000000ULL,		/* NaN */
	0x7FF0000000000001ULL,		/* signalling NaN */
	0xFFF8000000000123ULL,		/* negative NaN with payload */
	0x0010000000000000ULL,		/* DBL_MIN */
	0x0000000000000001ULL,		/* smallest denormal */
	0x7FEFFFFFFFFFFFFFULL,		/* DBL_MAX */
	0xFFEFFFFFFFFFFFFFULL,		/* -DBL_MAX */
	0x3FF0000000000000ULL,		/* 1.0 */
	0x3FB999999999999AULL,		/* 0.1 */
	0x4340000000000000ULL,		/* 2^53 */
	0x4340000000000001ULL,		/* 2^53 + 2 */
	0xC340000000000000ULL,		/* -2^53 */
	0x433FFFFFFFFFFFFFULL,		/* 2^53 - 1 */
	0x3E45798EE2308C3AULL,		/* 1e-8 */
	0x43E0000000000000ULL,		/* 2^63 */
	0x000FFFFFFFFFFFFFULL		/* largest denormal */
};

static const int decimal_scales[8] = {0, 1, 2, 3, 4, 6, 9, 18};

static const double pow10s[19] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18
};

static void
make_floats(uint64_t *v, size_t n, unsigned mode, unsigned param, Src *s)
{
	uint64_t	prev = src_bytes(s, 8);
	double		p10 = pow10s[decimal_scales[param]];
	uint64_t   *dict = NULL;
	uint32_t	k = dict_sizes[param];
	size_t		i;

	if (mode == 6)
	{
		dict = xcalloc(k, 8);
		for (i = 0; i < k; i++)
			dict[i] = src_bytes(s, 8);
	}
	for (i = 0; i < n; i++)
	{
		switch (mode)
		{
			case 0:				/* raw bit patterns */
				v[i] = src_bytes(s, 8);
				break;
			case 1:				/* short decimals m / 10^s */
				v[i] = dbl_bits((double) (int64_t) src_signed(s, 2) / p10);
				break;
			case 2:				/* long decimals, |m| up to ~2^55 */
				v[i] = dbl_bits((double) ((int64_t) src_signed(s, 7) >> 1) / p10);
				break;
			case 3:				/* special values */
				v[i] = float_specials[src_u8(s) % 20];
				break;
			case 4:				/* Gorilla-friendly XOR walk */
				{
					uint8_t		b = src_u8(s);
					uint8_t		sh = src_u8(s);

					if (b & 1)
						prev ^= (uint64_t) (b >> 1) << (sh % 58);
					v[i] = prev;
					break;
				}
			case 5:				/* float4 bits, zero-extended */
				v[i] = src_bytes(s, 4);
				break;
			case 6:				/* dictionary of raw patterns */
				v[i] = dict[(uint32_t) src_bytes(s, k > 256 ? 2 : 1) % k];
				break;
			default:			/* sensor: 20 +- 12.7 in double arithmetic */
				v[i] = dbl_bits(20.0 + (double) (int8_t) src_u8(s) * 0.1);
				break;
		}
	}
	free(dict);
}

static void
make_bools(uint8_t *v, size_t n, unsigned mode, unsigned param, Src *s)
{
	size_t		i;
	uint8_t		byte = 0;

	for (i = 0; i < n; i++)
	{
		switch (mode & 3)
		{
			case 0:				/* raw bytes: any non-zero is true */
				v[i] = src_u8(s);
				break;
			case 1:				/* bits */
				if (i % 8 == 0)
					byte = src_u8(s);
				v[i] = (byte >> (i % 8)) & 1;
				break;
			case 2:				/* constant */
				v[i] = param & 1 ? (uint8_t) (0x80 | param) : 0;
				break;
			default:			/* mostly false */
				v[i] = src_u8(s) < 16 ? (uint8_t) (param + 1) : 0;
				break;
		}
	}
}

static uint8_t *
make_fixed(size_t n, uint32_t fl, unsigned mode, unsigned param, Src *s,
		   uint64_t *data_len)
{
	size_t		slack = mode & 4 ? 3 : 0;
	size_t		total = n * fl + slack;
	uint8_t    *data = xcalloc(total, 1);
	uint32_t	k = dict_sizes[param];
	size_t		i;
	size_t		j;

	switch (mode & 3)
	{
		case 0:					/* raw */
			for (i = 0; i < n * fl; i++)
				data[i] = src_u8(s);
			break;
		case 1:					/* dictionary: k distinct-ish values */
			{
				uint8_t    *dict = xcalloc((size_t) k * fl, 1);

				for (i = 0; i < (size_t) k * fl; i++)
					dict[i] = src_u8(s);
				/* make the entries distinct when fl allows it */
				for (i = 0; i < k && fl >= 2; i++)
				{
					dict[i * fl] = (uint8_t) i;
					dict[i * fl + 1] = (uint8_t) (i >> 8);
				}
				for (i = 0; i < n; i++)
				{
					uint32_t	c = (uint32_t) src_bytes(s, k > 256 ? 2 : 1) % k;

					if (fl)
						memcpy(data + i * fl, dict + (size_t) c * fl, fl);
				}
				free(dict);
				break;
			}
		case 2:					/* constant */
			for (j = 0; j < fl; j++)
			{
				uint8_t		b = src_u8(s);

				for (i = 0; i < n; i++)
					data[i * fl + j] = b;
			}
			break;
		default:				/* mostly zero */
			for (i = 0; i < n * fl; i++)
			{
				uint8_t		b = src_u8(s);

				data[i] = b < 32 ? b : 0;
			}
			break;
	}
	for (i = n * fl; i < total; i++)
		data[i] = 0xAB;
	*data_len = total;
	return data;
}

static const uint32_t var_maxlen[8] = {0, 1, 4, 16, 36, 255, 1000, 4096};

static uint8_t *
make_var(size_t n, unsigned mode, unsigned param, Src *s,
		 uint64_t **offsets_out, uint64_t *data_len)
{
	size_t		start = mode & 4 ? 5 : 0;
	size_t		slack = mode & 4 ? 7 : 0;
	uint32_t	maxlen = var_maxlen[param];
	uint32_t	k = dict_sizes[param];
	uint64_t   *offs = xcalloc(n + 1, 8);
	uint32_t   *dlen = NULL;
	uint8_t   **dval = NULL;
	size_t		cap = 64 + start;
	uint8_t    *data = xcalloc(cap, 1);
	size_t		used = start;
	size_t		i;
	size_t		j;

	memset(data, 0xCD, start);
	if ((mode & 3) == 1)
	{
		dlen = xcalloc(k, sizeof(uint32_t));
		dval = xcalloc(k, sizeof(uint8_t *));
		for (i = 0; i < k; i++)
		{
			dlen[i] = src_u8(s) % 40;
			dval[i] = xcalloc(dlen[i], 1);
			for (j = 0; j < dlen[i]; j++)
				dval[i][j] = src_u8(s);
			/* distinct where the length allows it */
			if (dlen[i] >= 2)
			{
				dval[i][0] = (uint8_t) i;
				dval[i][1] = (uint8_t) (i >> 8);
			}
		}
	}
	offs[0] = start;
	for (i = 0; i < n; i++)
	{
		size_t		len;
		const uint8_t *from = NULL;

		switch (mode & 3)
		{
			case 0:				/* random lengths up to maxlen */
				len = maxlen ? src_bytes(s, maxlen > 255 ? 2 : 1) % (maxlen + 1) : 0;
				break;
			case 1:				/* dictionary */
				{
					uint32_t	c = (uint32_t) src_bytes(s, k > 256 ? 2 : 1) % k;

					len = dlen[c];
					from = dval[c];
					break;
				}
			case 2:				/* empty strings */
				len = 0;
				break;
			default:			/* one-byte strings from 3 letters */
				len = 1;
				break;
		}
		if (len > MAX_VAR_BYTES - (used - start))
			len = MAX_VAR_BYTES - (used - start);
		if (used + len + slack > cap)
		{
			while (used + len + slack > cap)
				cap *= 2;
			data = realloc(data, cap);
			FUZZ_CHECK(data != NULL, "out of memory");
		}
		if (from)
			memcpy(data + used, from, len);
		else if ((mode & 3) == 3)
		{
			if (len > 0)
				data[used] = (uint8_t) ('a' + src_u8(s) % 3);
		}
		else
			for (j = 0; j < len; j++)
				data[used + j] = src_u8(s);
		used += len;
		offs[i + 1] = used;
	}
	memset(data + used, 0xEF, slack);
	if (dval)
		for (i = 0; i < k; i++)
			free(dval[i]);
	free(dval);
	free(dlen);
	*offsets_out = offs;
	*data_len = used + slack;
	return data;
}

/*
 * VK_VAR values as PostgreSQL varlenas: wrap each value in a header, or
 * (jsonb) replace the values by jsonb samples, maybe with one byte changed.
 */
static uint8_t *
make_varlenas(size_t n, unsigned flags, Src *s, uint8_t *data,
			  uint64_t **offsets, uint64_t *data_len)
{
	uint64_t   *offs = *offsets;
	size_t		cap = 64;
	uint8_t    *out = xcalloc(cap, 1);
	uint64_t   *noffs = xcalloc(n + 1, 8);
	size_t		used = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		size_t		len = (size_t) (offs[i + 1] - offs[i]);
		size_t		total;
		uint8_t    *dst;

		if (flags & 2)
		{
			const char *hex = jsonb_samples[src_u8(s) % N_JSONB_SAMPLES];
			size_t		k;

			total = strlen(hex) / 2;
			if (total > MAX_VAR_BYTES - used)
				total = 0;
			while (used + total > cap)
				cap *= 2;
			out = realloc(out, cap);
			FUZZ_CHECK(out != NULL, "out of memory");
			dst = out + used;
			for (k = 0; k < total; k++)
			{
				unsigned	x;

				sscanf(hex + 2 * k, "%2x", &x);
				dst[k] = (uint8_t) x;
			}
			if ((flags & 4) && total > 0)
				dst[src_u8(s) % total] ^= (uint8_t) (src_u8(s) | 1);
		}
		else
		{
			size_t		hl = len + 1 <= 127 ? 1 : 4;

			total = hl + len;
			while (used + total > cap)
				cap *= 2;
			out = realloc(out, cap);
			FUZZ_CHECK(out != NULL, "out of memory");
			dst = out + used;
			if (hl == 1)
				dst[0] = (uint8_t) ((total << 1) | 1);
			else
			{
				uint32_t	h = (uint32_t) (total << 2);

				memcpy(dst, &h, 4);
			}
			if (len > 0)
				memcpy(dst + hl, data + offs[i], len);
		}
		noffs[i] = used;
		used += total;
		noffs[i + 1] = used;
	}
	free(data);
	free(offs);
	*offsets = noffs;
	*data_len = used;
	return out;
}

/* ---------------------------------------------------------------- */
/* comparison of the decoded vector with the input vector */

static void
compare_with_input(const CocoonVector *in, const CocoonVector *out)
{
	uint32_t	i;
	uint32_t	j = 0;

	FUZZ_CHECK(out->nrows == in->nrows && out->nvalues == in->nvalues,
			   "rows/values %u/%u, expected %u/%u", out->nrows, out->nvalues,
			   in->nrows, in->nvalues);
	for (i = 0; i < in->nrows; i++)
		FUZZ_CHECK(fz_is_null(in->nulls, i) == fz_is_null(out->nulls, i),
				   "row %u: NULL %d, expected %d", i,
				   fz_is_null(out->nulls, i), fz_is_null(in->nulls, i));
	for (j = 0; j < in->nvalues; j++)
	{
		switch (in->kind)
		{
			case VK_INT:
				FUZZ_CHECK(in->ints[j] == out->ints[j],
						   "int %u: %" PRId64 ", expected %" PRId64, j,
						   out->ints[j], in->ints[j]);
				break;
			case VK_FLOAT:
				FUZZ_CHECK(in->bits[j] == out->bits[j],
						   "float %u: bits %016" PRIx64 ", expected %016" PRIx64,
						   j, out->bits[j], in->bits[j]);
				break;
			case VK_BOOL:
				FUZZ_CHECK(out->bools[j] == (in->bools[j] != 0),
						   "bool %u: %u, input byte %u", j, out->bools[j],
						   in->bools[j]);
				break;
			case VK_FIXED:
				FUZZ_CHECK(in->fixed_len == 0 ||
						   memcmp(in->data + (size_t) j * in->fixed_len,
								  out->data + (size_t) j * in->fixed_len,
								  in->fixed_len) == 0,
						   "fixed value %u differs", j);
				break;
			case VK_VAR:
				{
					uint64_t	la = in->offsets[j + 1] - in->offsets[j];
					uint64_t	lb = out->offsets[j + 1] - out->offsets[j];

					FUZZ_CHECK(la == lb, "var %u: length %" PRIu64
							   ", expected %" PRIu64, j, lb, la);
					FUZZ_CHECK(la == 0 ||
							   memcmp(in->data + in->offsets[j],
									  out->data + out->offsets[j], la) == 0,
							   "var value %u differs", j);
					break;
				}
		}
	}
}

/* ---------------------------------------------------------------- */
/* reference CRC-32C: one table lookup per byte */

static uint32_t crc_table[256];

static uint32_t
crc32c_ref(const uint8_t *p, size_t n)
{
	uint32_t	crc = 0xFFFFFFFFu;
	size_t		i;

	if (crc_table[1] == 0)
	{
		uint32_t	b;
		int			k;

		for (b = 0; b < 256; b++)
		{
			uint32_t	c = b;

			for (k = 0; k < 8; k++)
				c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
			crc_table[b] = c;
		}
	}
	for (i = 0; i < n; i++)
		crc = (crc >> 8) ^ crc_table[(crc ^ p[i]) & 0xFF];
	return ~crc;
}

/* ---------------------------------------------------------------- */

static const int zstd_levels[8] = {1, 3, 0, -1, -5, 2, 1, 4};

static void
check_compression(const uint8_t *enc, size_t enclen, uint8_t sel)
{
	int			m;

	for (m = COMPRESSION_NONE; m <= COMPRESSION_ZSTD; m++)
	{
		uint8_t    *c = NULL;
		uint8_t    *d = (uint8_t *) 1;
		size_t		clen = 0;
		int			level = m == COMPRESSION_ZSTD ? zstd_levels[sel & 7] : 0;
		const char *name = cocoon_compression_name((CocoonCompression) m);
		CocoonCodecResult r;

		r = cocoon_compress((CocoonCompression) m, level, enc, enclen, &c, &clen);
		FUZZ_CHECK(r == COCOON_CODEC_OK, "compress %s level %d: %d", name, level, r);
		r = cocoon_decompress((CocoonCompression) m, c, clen, enclen, &d);
		FUZZ_CHECK(r == COCOON_CODEC_OK && memcmp(d, enc, enclen) == 0,
				   "%s round trip of %zu bytes: %d", name, enclen, r);
		codec_free(d);
		d = (uint8_t *) 1;
		r = cocoon_decompress((CocoonCompression) m, c, clen, enclen + 1, &d);
		FUZZ_CHECK(r == COCOON_CODEC_CORRUPT && d == NULL,
				   "%s: rawlen + 1 gave %d", name, r);
		if (enclen > 0)
		{
			d = (uint8_t *) 1;
			r = cocoon_decompress((CocoonCompression) m, c, clen, enclen - 1, &d);
			FUZZ_CHECK(r == COCOON_CODEC_CORRUPT && d == NULL,
					   "%s: rawlen - 1 gave %d", name, r);
		}
		codec_free(c);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CocoonVector in;
	CocoonVector out;
	CocoonVector tmp;
	CocoonDecodeLimits lim;
	CocoonCodecResult r;
	CocoonCodecId codec;
	uint8_t    *enc = NULL;
	uint8_t    *enc2 = NULL;
	size_t		enclen = 0;
	size_t		enclen2 = 0;
	unsigned	nullmode;
	unsigned	mode;
	unsigned	param;
	uint32_t	nrows;
	size_t		nbm;
	uint32_t	i;
	Src			s;
	uint64_t	need;
	int			off;

	memset(&lim, 0, sizeof(lim));
	if (size < 5)
		return 0;

	/* CRC-32C at every alignment */
	for (off = 0; off < 8 && (size_t) off <= size; off++)
		FUZZ_CHECK(cocoon_crc32c(data + off, size - off) ==
				   crc32c_ref(data + off, size - off),
				   "crc32c differs (offset %d, %zu bytes)", off, size - off);

	memset(&in, 0, sizeof(in));
	in.kind = (CocoonValueKind) ((data[0] & 7) % 5 + 1);
	nullmode = data[1] & 3;
	mode = (data[1] >> 2) & 7;
	param = data[1] >> 5;
	nrows = (uint32_t) (data[2] | (data[3] << 8));
	nrows = nrows & 0x8000 ? nrows & (MAX_ROWS - 1) : nrows & 0x7FF;
	s.p = data + 5;
	s.n = size - 5;
	s.pos = 0;

	in.nrows = nrows;
	in.nvalues = nrows;
	nbm = ((size_t) nrows + 7) / 8;
	if (nullmode != 0)
	{
		in.nulls = xcalloc(nbm + 1, 1);
		for (i = 0; i < nbm; i++)
			in.nulls[i] = nullmode == 1 ? src_u8(&s) : nullmode == 2 ? 0xFF : 0;
		/* garbage past nrows: must be ignored */
		if (nrows % 8)
			in.nulls[nbm - 1] |= (uint8_t) (0xFF << (nrows % 8));
		else if (nullmode == 3 && nbm == 0)
		{
			free(in.nulls);
			in.nulls = NULL;	/* nothing to point at */
		}
		for (i = 0; i < nrows; i++)
			in.nvalues -= fz_is_null(in.nulls, i);
	}

	switch (in.kind)
	{
		case VK_INT:
			in.ints = xcalloc(in.nvalues, 8);
			make_ints((uint64_t *) in.ints, in.nvalues, mode, param, &s);
			break;
		case VK_FLOAT:
			in.bits = xcalloc(in.nvalues, 8);
			make_floats(in.bits, in.nvalues, mode, param, &s);
			break;
		case VK_BOOL:
			in.bools = xcalloc(in.nvalues, 1);
			make_bools(in.bools, in.nvalues, mode, param, &s);
			break;
		case VK_FIXED:
			in.fixed_len = fixed_lens[data[0] >> 3];
			in.data = make_fixed(in.nvalues, in.fixed_len, mode, param, &s,
								 &in.data_len);
			break;
		case VK_VAR:
			in.data = make_var(in.nvalues, mode, param, &s, &in.offsets,
							   &in.data_len);
			in.var_format = (uint8_t) (((data[0] >> 3) & 3) % 3);
			if (data[0] & 0x60)
				in.data = make_varlenas(in.nvalues, data[0] >> 5, &s, in.data,
										&in.offsets, &in.data_len);
			break;
	}

	/* encode and decode */
	r = cocoon_encode(&in, &enc, &enclen, &codec);
	FUZZ_CHECK(r == COCOON_CODEC_OK, "encode: %d", r);
	lim.max_rows = nrows;
	lim.max_bytes = 0;
	r = cocoon_decode(enc, enclen, in.kind, in.fixed_len, &lim, &out);
	FUZZ_CHECK(r == COCOON_CODEC_OK, "decode (%s, %zu bytes): %d",
			   cocoon_codec_name(codec), enclen, r);
	vec_check(&out, in.kind, in.fixed_len, NULL);
	compare_with_input(&in, &out);
	FUZZ_CHECK(cocoon_crc32c(enc, enclen) == crc32c_ref(enc, enclen),
			   "crc32c of the chunk differs");

	/* the limits are exact */
	need = decoded_bytes(&out);
	if (need > 0)
	{
		lim.max_rows = 0;
		lim.max_bytes = need;
		r = cocoon_decode(enc, enclen, in.kind, in.fixed_len, &lim, &tmp);
		FUZZ_CHECK(r == COCOON_CODEC_OK, "%s: max_bytes = %" PRIu64
				   " (the decoded size) gave %d", cocoon_codec_name(codec), need, r);
		vec_check(&tmp, in.kind, in.fixed_len, &lim);
		cocoon_vector_free(&tmp);
	}
	if (need > 1)
	{
		lim.max_bytes = need - 1;
		r = cocoon_decode(enc, enclen, in.kind, in.fixed_len, &lim, &tmp);
		FUZZ_CHECK(r == COCOON_CODEC_NOMEM, "%s: max_bytes = %" PRIu64
				   " - 1 gave %d", cocoon_codec_name(codec), need, r);
	}
	if (nrows > 1)
	{
		lim.max_rows = nrows - 1;
		lim.max_bytes = 0;
		r = cocoon_decode(enc, enclen, in.kind, in.fixed_len, &lim, &tmp);
		FUZZ_CHECK(r == COCOON_CODEC_NOMEM, "max_rows = nrows - 1 gave %d", r);
	}

	/* wrong kind, wrong fixed_len */
	{
		CocoonValueKind other = (CocoonValueKind) ((in.kind + data[4] % 4) % 5 + 1);

		r = cocoon_decode(enc, enclen, other, in.fixed_len, NULL, &tmp);
		FUZZ_CHECK(r == COCOON_CODEC_CORRUPT, "%s chunk of kind %d decoded as %d: %d",
				   cocoon_codec_name(codec), in.kind, other, r);
		if (in.kind == VK_FIXED)
		{
			r = cocoon_decode(enc, enclen, VK_FIXED, in.fixed_len + 1, NULL, &tmp);
			FUZZ_CHECK(r == COCOON_CODEC_CORRUPT, "wrong fixed_len gave %d", r);
		}
	}

	/* encoding is a function of the values */
	out.var_format = in.var_format;
	r = cocoon_encode(&out, &enc2, &enclen2, NULL);
	FUZZ_CHECK(r == COCOON_CODEC_OK, "re-encode: %d", r);
	FUZZ_CHECK(enclen2 == enclen && memcmp(enc, enc2, enclen) == 0,
			   "re-encoding the decoded vector gave other bytes (%zu vs %zu)",
			   enclen2, enclen);

	check_compression(enc, enclen, data[4]);

	codec_free(enc);
	codec_free(enc2);
	cocoon_vector_free(&out);
	free(in.nulls);
	free(in.ints);
	free(in.bits);
	free(in.bools);
	free(in.data);
	free(in.offsets);
	return 0;
}
