/*-------------------------------------------------------------------------
 *
 * bounds.c
 *	  Bytewise min/max prefixes in a chunk descriptor (see bounds.h and
 *	  COCOON_CHUNK_HAS_BMINMAX in cocoon_format.h).
 *
 * 20 bytes hold both prefixes.  Values of one chunk often share a long
 * prefix (URLs, paths, time-ordered uuids, "2024-05-01 ..." strings), so
 * the common prefix of the minimum and the maximum is stored once and the
 * bytes left over go to where each starts to differ: at least half of
 * them to each, more to one when the other is shorter.
 *
 * src/codec/bounds.c
 *
 *-------------------------------------------------------------------------
 */
#ifdef COCOON_SERVER
#include "postgres.h"
#endif

#include <string.h>

#include "bounds.h"

void
cocoon_bounds_set(CocoonChunkDesc *d, const uint8_t *min, size_t minlen,
				  const uint8_t *max, size_t maxlen)
{
	uint8_t    *b = (uint8_t *) d + COCOON_BOUND_OFFSET;
	size_t		k = 0,
				rest,
				smin,
				smax;

	while (k < minlen && k < maxlen && k < COCOON_BOUND_BYTES && min[k] == max[k])
		k++;
	rest = COCOON_BOUND_BYTES - k;
	/* the minimum's suffix: at least half the rest, all the other leaves */
	smax = maxlen - k < rest ? maxlen - k : rest;	/* what the maximum wants */
	smin = rest - smax > rest / 2 ? rest - smax : rest / 2;	/* the minimum may have */
	if (smin > minlen - k)
		smin = minlen - k;
	smax = maxlen - k;
	if (smax > rest - smin)
		smax = rest - smin;

	memset(b, 0, COCOON_BOUND_BYTES);
	memcpy(b, min, k);
	memcpy(b + k, min + k, smin);
	memcpy(b + k + smin, max + k, smax);
	d->bound_len[0] = (uint8_t) k;
	d->bound_len[1] = (uint8_t) (smin | (k + smin < minlen ? COCOON_BOUND_TRUNCATED : 0));
	d->bound_len[2] = (uint8_t) (smax | (k + smax < maxlen ? COCOON_BOUND_TRUNCATED : 0));
	d->bound_len[3] = 0;
	d->flags |= COCOON_CHUNK_HAS_BMINMAX;
}

/* Where key lies against the values a bound stands for */
typedef enum
{
	POS_BELOW,					/* below every one of them */
	POS_EQUAL,					/* equal to the one (exact bound) */
	POS_INSIDE,					/* an extension of a cut bound: unknown */
	POS_ABOVE					/* above every one of them */
} BoundPos;

/*
 * The bound is prefix p (plen bytes).  Exact: it is the value itself.  Cut:
 * it stands for p's strict extensions.
 */
static BoundPos
bound_pos(const uint8_t *p, size_t plen, bool cut, const uint8_t *key, size_t keylen)
{
	size_t		n = plen < keylen ? plen : keylen;
	int			r = n > 0 ? memcmp(key, p, n) : 0;

	if (r < 0)
		return POS_BELOW;
	if (r > 0)
		return POS_ABOVE;
	if (keylen < plen)
		return POS_BELOW;		/* key is a proper prefix of p */
	if (!cut)
		return keylen == plen ? POS_EQUAL : POS_ABOVE;
	/* every strict extension of p is above p itself */
	return keylen == plen ? POS_BELOW : POS_INSIDE;
}

bool
cocoon_bounds_may_match(const CocoonChunkDesc *d, int strategy,
						const uint8_t *key, size_t keylen)
{
	const uint8_t *b = (const uint8_t *) d + COCOON_BOUND_OFFSET;
	uint8_t		pmin[COCOON_BOUND_BYTES];
	uint8_t		pmax[COCOON_BOUND_BYTES];
	size_t		k,
				smin,
				smax;
	bool		cutmin,
				cutmax;
	BoundPos	lo,
				hi;

	if (!(d->flags & COCOON_CHUNK_HAS_BMINMAX))
		return true;
	k = d->bound_len[0];
	smin = d->bound_len[1] & ~COCOON_BOUND_TRUNCATED;
	smax = d->bound_len[2] & ~COCOON_BOUND_TRUNCATED;
	if (k + smin + smax > COCOON_BOUND_BYTES)
		return true;			/* stripe_check refuses these */
	cutmin = (d->bound_len[1] & COCOON_BOUND_TRUNCATED) != 0;
	cutmax = (d->bound_len[2] & COCOON_BOUND_TRUNCATED) != 0;
	memcpy(pmin, b, k + smin);
	memcpy(pmax, b, k);
	memcpy(pmax + k, b + k + smin, smax);

	lo = bound_pos(pmin, k + smin, cutmin, key, keylen);
	hi = bound_pos(pmax, k + smax, cutmax, key, keylen);
	switch (strategy)
	{
		case COCOON_BOUND_LT:	/* some v < key unless min >= key */
			return !(lo == POS_BELOW || lo == POS_EQUAL);
		case COCOON_BOUND_LE:	/* unless min > key */
			return lo != POS_BELOW;
		case COCOON_BOUND_EQ:
			return lo != POS_BELOW && hi != POS_ABOVE;
		case COCOON_BOUND_GE:	/* unless max < key */
			return hi != POS_ABOVE;
		case COCOON_BOUND_GT:	/* unless max <= key */
			return !(hi == POS_ABOVE || hi == POS_EQUAL);
		case COCOON_BOUND_PREFIX:
			/* the values starting with key are key and above ... */
			if (hi == POS_ABOVE)
				return false;
			/* ... and below every value whose first bytes exceed key's */
			{
				size_t		n = k + smin < keylen ? k + smin : keylen;

				return n == 0 || memcmp(pmin, key, n) <= 0;
			}
	}
	return true;
}
