/*-------------------------------------------------------------------------
 *
 * fuzz_common.h
 *	  Helpers shared by the cocoon codec fuzz targets (test/fuzz).
 *
 * FUZZ_CHECK(cond, ...) reports a violated property and aborts, so that
 * libFuzzer records the input as a crash.  vec_check() walks a decoded
 * vector (touching every byte of every array, so that ASan notices any
 * array shorter than its counts claim) and checks the invariants that
 * src/codec/README promises for cocoon_decode's output; vec_same() compares
 * two decoded vectors bit for bit; decoded_bytes() is what cocoon_decode
 * charges against limits->max_bytes for a vector.
 *
 * test/fuzz/fuzz_common.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef COCOON_FUZZ_COMMON_H
#define COCOON_FUZZ_COMMON_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "\nFUZZ CHECK FAILED %s:%d: %s\n  ", \
					__FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fprintf(stderr, "\n"); \
			abort(); \
		} \
	} while (0)

/* keeps the loads of vec_check alive */
static volatile uint64_t fuzz_sink;

static inline int
fz_is_null(const uint8_t *nulls, uint32_t i)
{
	return nulls != NULL && ((nulls[i / 8] >> (i % 8)) & 1);
}

/* Bytes cocoon_decode charges to max_bytes for a decoded vector. */
static inline uint64_t
decoded_bytes(const CocoonVector *v)
{
	uint64_t	n = v->nvalues;
	uint64_t	total = v->nulls ? ((uint64_t) v->nrows + 7) / 8 : 0;

	switch (v->kind)
	{
		case VK_INT:
		case VK_FLOAT:
			total += n * 8;
			break;
		case VK_BOOL:
			total += n;
			break;
		case VK_FIXED:
			total += v->data_len;
			break;
		case VK_VAR:
			total += (n + 1) * 8 + v->data_len;
			break;
	}
	return total;
}

/*
 * Check the promises of cocoon_decode for a successfully decoded vector and
 * touch all of its memory.
 */
static inline void
vec_check(const CocoonVector *v, CocoonValueKind kind, uint32_t fixed_len,
		  const CocoonDecodeLimits *lim)
{
	uint64_t	sum = 0;
	uint64_t	nnull = 0;
	uint32_t	i;

	FUZZ_CHECK(v->kind == kind, "kind %d, expected %d", v->kind, kind);
	FUZZ_CHECK(v->nvalues <= v->nrows, "nvalues %u > nrows %u",
			   v->nvalues, v->nrows);
	if (lim && lim->max_rows)
		FUZZ_CHECK(v->nrows <= lim->max_rows, "nrows %u > max_rows %u",
				   v->nrows, lim->max_rows);
	if (lim && lim->max_bytes)
		FUZZ_CHECK(decoded_bytes(v) <= lim->max_bytes,
				   "decoded %" PRIu64 " bytes > max_bytes %" PRIu64,
				   decoded_bytes(v), lim->max_bytes);

	/* null bitmap: present iff some row is NULL; padding bits zero */
	if (v->nulls)
	{
		size_t		nbm = ((size_t) v->nrows + 7) / 8;
		size_t		b;

		for (b = 0; b < nbm; b++)
		{
			sum += v->nulls[b];
			nnull += (unsigned) __builtin_popcount(v->nulls[b]);
		}
		if (v->nrows % 8)
			FUZZ_CHECK((v->nulls[nbm - 1] >> (v->nrows % 8)) == 0,
					   "null bitmap padding bits set (nrows %u)", v->nrows);
		FUZZ_CHECK(nnull > 0, "null bitmap without NULLs (nrows %u)", v->nrows);
	}
	FUZZ_CHECK(nnull == (uint64_t) v->nrows - v->nvalues,
			   "%" PRIu64 " NULL bits, nrows %u nvalues %u",
			   nnull, v->nrows, v->nvalues);

	/* the value array of the kind is always allocated, others are not */
	switch (kind)
	{
		case VK_INT:
			FUZZ_CHECK(v->ints != NULL, "ints not allocated");
			for (i = 0; i < v->nvalues; i++)
				sum += (uint64_t) v->ints[i];
			FUZZ_CHECK(!v->bits && !v->bools && !v->data && !v->offsets,
					   "stray arrays");
			break;
		case VK_FLOAT:
			FUZZ_CHECK(v->bits != NULL, "bits not allocated");
			for (i = 0; i < v->nvalues; i++)
				sum += v->bits[i];
			FUZZ_CHECK(!v->ints && !v->bools && !v->data && !v->offsets,
					   "stray arrays");
			break;
		case VK_BOOL:
			FUZZ_CHECK(v->bools != NULL, "bools not allocated");
			for (i = 0; i < v->nvalues; i++)
				FUZZ_CHECK(v->bools[i] <= 1, "bool %u = %u", i, v->bools[i]);
			FUZZ_CHECK(!v->ints && !v->bits && !v->data && !v->offsets,
					   "stray arrays");
			break;
		case VK_FIXED:
			{
				uint64_t	k;

				FUZZ_CHECK(v->data != NULL, "fixed data not allocated");
				FUZZ_CHECK(v->fixed_len == fixed_len, "fixed_len %u, expected %u",
						   v->fixed_len, fixed_len);
				FUZZ_CHECK(v->data_len == (uint64_t) v->nvalues * fixed_len,
						   "fixed data_len %" PRIu64 " != %u * %u",
						   v->data_len, v->nvalues, fixed_len);
				for (k = 0; k < v->data_len; k++)
					sum += v->data[k];
				FUZZ_CHECK(!v->ints && !v->bits && !v->bools && !v->offsets,
						   "stray arrays");
				break;
			}
		case VK_VAR:
			{
				uint64_t	k;

				FUZZ_CHECK(v->data != NULL && v->offsets != NULL,
						   "var data/offsets not allocated");
				FUZZ_CHECK(v->offsets[0] == 0, "offsets[0] = %" PRIu64,
						   v->offsets[0]);
				for (i = 0; i < v->nvalues; i++)
					FUZZ_CHECK(v->offsets[i + 1] >= v->offsets[i] &&
							   v->offsets[i + 1] <= v->data_len,
							   "offsets[%u..%u] = %" PRIu64 "..%" PRIu64
							   " (data_len %" PRIu64 ")", i, i + 1,
							   v->offsets[i], v->offsets[i + 1], v->data_len);
				FUZZ_CHECK(v->offsets[v->nvalues] == v->data_len,
						   "offsets[n] %" PRIu64 " != data_len %" PRIu64,
						   v->offsets[v->nvalues], v->data_len);
				for (k = 0; k < v->data_len; k++)
					sum += v->data[k];
				FUZZ_CHECK(!v->ints && !v->bits && !v->bools, "stray arrays");
				break;
			}
	}
	fuzz_sink += sum;
}

/* Are two decoded vectors bit-for-bit the same? Prints why not. */
static inline int
vec_same(const CocoonVector *a, const CocoonVector *b)
{
	size_t		nbm = ((size_t) a->nrows + 7) / 8;
	uint32_t	n = a->nvalues;

	if (a->kind != b->kind || a->nrows != b->nrows || a->nvalues != b->nvalues)
	{
		fprintf(stderr, "kind/nrows/nvalues %d/%u/%u vs %d/%u/%u\n",
				a->kind, a->nrows, a->nvalues, b->kind, b->nrows, b->nvalues);
		return 0;
	}
	if ((a->nulls == NULL) != (b->nulls == NULL) ||
		(a->nulls && memcmp(a->nulls, b->nulls, nbm) != 0))
	{
		fprintf(stderr, "null bitmaps differ\n");
		return 0;
	}
	switch (a->kind)
	{
		case VK_INT:
			if (n && memcmp(a->ints, b->ints, (size_t) n * 8) != 0)
			{
				fprintf(stderr, "ints differ\n");
				return 0;
			}
			break;
		case VK_FLOAT:
			if (n && memcmp(a->bits, b->bits, (size_t) n * 8) != 0)
			{
				fprintf(stderr, "float bits differ\n");
				return 0;
			}
			break;
		case VK_BOOL:
			if (n && memcmp(a->bools, b->bools, n) != 0)
			{
				fprintf(stderr, "bools differ\n");
				return 0;
			}
			break;
		case VK_FIXED:
			if (a->fixed_len != b->fixed_len || a->data_len != b->data_len ||
				(a->data_len && memcmp(a->data, b->data, a->data_len) != 0))
			{
				fprintf(stderr, "fixed values differ\n");
				return 0;
			}
			break;
		case VK_VAR:
			if (a->data_len != b->data_len ||
				memcmp(a->offsets, b->offsets, ((size_t) n + 1) * 8) != 0 ||
				(a->data_len && memcmp(a->data, b->data, a->data_len) != 0))
			{
				fprintf(stderr, "var values differ\n");
				return 0;
			}
			break;
	}
	return 1;
}

static inline void
fuzz_free(void *p)
{
	codec_free(p);
}

#endif							/* COCOON_FUZZ_COMMON_H */
