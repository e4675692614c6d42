/*-------------------------------------------------------------------------
 *
 * bloom.c
 *	  Per-chunk bloom filters for equality and substring search.
 *
 * How it works: for each chunk of a text-like or uuid column, every value's
 * bytes are hashed whole (for =, IN) and, for text, every trigram of the
 * value with ASCII letters folded to lower case (for LIKE '%term%' and
 * ILIKE).  Each hash sets BLOOM_K bits chosen by double hashing in a
 * 512 Kbit filter.  At the end the number of distinct items is estimated
 * from the fraction of bits set, and the filter is folded in halves (OR of
 * the upper half into the lower) down to the smallest power of two giving
 * about 10 bits per item, between 64 bytes and 16 KB.  Folding is exact:
 * with power-of-two sizes, bit (h1 + i*h2) mod 2m lands on (h1 + i*h2) mod m.
 *
 * A query term may match a chunk only if its whole-value hash, or every one
 * of its pattern's trigram hashes, is in the chunk's filter.  A term whose
 * hashes are all present costs a read (false positive); a missing hash
 * proves the chunk holds no match, so pruning never loses a row.
 *
 * Trigrams rather than tokens: a LIKE term can start or end in the middle
 * of a word, and trigrams need no tokenizer that would have to agree with
 * every log format; for rare terms of 10+ bytes the k-of-k test makes even
 * a saturated filter selective.  For ILIKE only trigrams made of ASCII bytes
 * are used, since only ASCII letters are folded.
 *
 * src/bloom.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "port/pg_bitutils.h"
#include "utils/jsonb.h"

#include "bloom.h"

#define VALUE_SEED		UINT64CONST(0x9E3779B97F4A7C15)
#define TRIGRAM_SEED	UINT64CONST(0xC2B2AE3D27D4EB4F)

uint64
cocoon_bloom_value_hash(const char *data, size_t len)
{
	return hash_bytes_extended((const unsigned char *) data, (int) len, VALUE_SEED);
}

/*
 * A trigram is 24 bits: the splitmix64 finalizer mixes it well enough for
 * double hashing and costs a few multiplications (hashing every trigram of
 * every value is the bulk of a bloom filter's build cost).
 */
static inline uint64
trigram_hash(unsigned char a, unsigned char b, unsigned char c)
{
	uint64		z = (((uint64) a << 16) | ((uint64) b << 8) | c) + TRIGRAM_SEED;

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static inline unsigned char
fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

void
cocoon_bloom_init(BloomBuilder *b)
{
	b->bits = palloc0(((size_t) 1 << BLOOM_BUILD_LOG2) / 8);
	b->any = false;
	b->log2 = BLOOM_BUILD_LOG2;
}

/*
 * Start a filter for at most max_items distinct items.  It is built at 16
 * bits per item (or 512 Kbit at most) and folded to size at the end, so a
 * chunk of a few rows does not pay for clearing and counting 64 KB.
 * Building at a smaller power of two gives exactly the filter folding a
 * larger one would.
 */
void
cocoon_bloom_reset(BloomBuilder *b, uint64 max_items)
{
	int			log2 = BLOOM_MIN_LOG2;

	if (b->any)
		memset(b->bits, 0, ((size_t) 1 << b->log2) / 8);
	while (log2 < BLOOM_BUILD_LOG2 && ((uint64) 1 << log2) < max_items * 16)
		log2++;
	b->log2 = log2;
	b->any = false;
}

static inline void
set_bits(uint64 *bits, uint32 mask, uint64 h)
{
	uint32		h1 = (uint32) h;
	uint32		h2 = (uint32) (h >> 32) | 1;
	int			i;

	for (i = 0; i < BLOOM_K; i++)
	{
		uint32		idx = (h1 + i * h2) & mask;

		bits[idx >> 6] |= UINT64CONST(1) << (idx & 63);
	}
}

void
cocoon_bloom_add_hash(BloomBuilder *b, uint64 h)
{
	set_bits(b->bits, ((uint32) 1 << b->log2) - 1, h);
	b->any = true;
}

void
cocoon_bloom_add_value(BloomBuilder *b, const char *data, size_t len, bool trigrams)
{
	uint32		mask = ((uint32) 1 << b->log2) - 1;
	size_t		i;

	set_bits(b->bits, mask, cocoon_bloom_value_hash(data, len));
	b->any = true;
	if (!trigrams || len < 3)
		return;
	{
		const unsigned char *p = (const unsigned char *) data;
		unsigned char x = fold(p[0]);
		unsigned char y = fold(p[1]);

		for (i = 2; i < len; i++)
		{
			unsigned char z = fold(p[i]);

			set_bits(b->bits, mask, trigram_hash(x, y, z));
			x = y;
			y = z;
		}
	}
}

/*
 * Fold the filter down to its final size; returns a palloc'd copy of the
 * bits and sets its size.
 */
char *
cocoon_bloom_finish(BloomBuilder *b, uint8 *log2, size_t *len)
{
	uint64		m = (uint64) 1 << b->log2;
	uint64		nwords = m / 64;
	uint64		set = 0;
	uint64		i;
	double		frac;
	double		items;
	int			target;
	char	   *out;

	for (i = 0; i < nwords; i++)
		set += pg_popcount64(b->bits[i]);
	frac = (double) set / (double) m;
	if (frac >= 1.0)
		frac = 0.999999;
	items = -((double) m / BLOOM_K) * log(1.0 - frac);
	target = BLOOM_MIN_LOG2;
	while (target < BLOOM_MAX_LOG2 && ((double) ((uint64) 1 << target)) < items * 10.0)
		target++;
	while (m > ((uint64) 1 << target))
	{
		uint64		half = nwords / 2;

		for (i = 0; i < half; i++)
			b->bits[i] |= b->bits[i + half];
		nwords = half;
		m /= 2;
	}
	/* m is the final size (never more than built) */
	*log2 = (uint8) pg_leftmost_one_pos64(m);
	*len = m / 8;
	out = palloc(*len);
	memcpy(out, b->bits, *len);
	return out;
}

bool
cocoon_bloom_test(const char *bits, uint8 log2, uint64 h)
{
	uint32		mask = ((uint32) 1 << log2) - 1;
	uint32		h1 = (uint32) h;
	uint32		h2 = (uint32) (h >> 32) | 1;
	int			i;

	for (i = 0; i < BLOOM_K; i++)
	{
		uint32		idx = (h1 + i * h2) & mask;

		if (!(((const uint8 *) bits)[idx >> 3] & (1 << (idx & 7))))
			return false;
	}
	return true;
}

/*
 * Trigram hashes of the literal runs of a LIKE pattern (backslash is the
 * escape character, % and _ are wildcards).
 */
bool
cocoon_like_trigrams(const char *pat, size_t len, bool icase, uint64 **hashes, int *nhashes)
{
	unsigned char *lit = palloc(len + 1);
	size_t		n = 0;
	size_t		i = 0;
	int			cap = 16;

	*hashes = palloc(sizeof(uint64) * cap);
	*nhashes = 0;
	for (;;)
	{
		bool		end = (i >= len);
		unsigned char c = end ? 0 : (unsigned char) pat[i];

		if (end || c == '%' || c == '_')
		{
			size_t		j;

			/* flush the literal run */
			for (j = 0; n >= 3 && j + 2 < n; j++)
			{
				if (icase && (lit[j] >= 0x80 || lit[j + 1] >= 0x80 || lit[j + 2] >= 0x80))
					continue;
				if (*nhashes >= cap)
				{
					cap *= 2;
					*hashes = repalloc(*hashes, sizeof(uint64) * cap);
				}
				(*hashes)[(*nhashes)++] = trigram_hash(fold(lit[j]), fold(lit[j + 1]),
													   fold(lit[j + 2]));
			}
			n = 0;
			if (end)
				break;
			i++;
			continue;
		}
		if (c == '\\')
		{
			i++;
			if (i >= len)
				break;
			c = (unsigned char) pat[i];
		}
		lit[n++] = c;
		i++;
	}
	pfree(lit);
	return *nhashes > 0;
}

/*
 * jsonb: top-level keys (and top-level string elements, which ? also
 * matches) hash as keys; top-level key/scalar pairs hash as pairs, with
 * PostgreSQL's own jsonb scalar hash, so that values equal for @> (1.0 and
 * 1) hash alike.
 */
#define JSONKEY_SEED	UINT64CONST(0x6A09E667F3BCC908)

uint64
cocoon_bloom_json_key_hash(const char *key, size_t len)
{
	return hash_bytes_extended((const unsigned char *) key, (int) len, JSONKEY_SEED);
}

uint64
cocoon_bloom_json_pair_hash(const char *key, size_t len, uint32 value_hash)
{
	uint64		z = cocoon_bloom_json_key_hash(key, len) + value_hash + UINT64CONST(0x9E3779B97F4A7C15);

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/*
 * Walk the top level of a jsonb value; call add(hash) for each key, string
 * element and key/scalar pair.  with_elements: count top-level string
 * elements as keys (what ? does).
 */
void
cocoon_jsonb_hashes(Jsonb *jb, void (*add) (void *arg, uint64 h), void *arg, bool with_elements)
{
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			level = 0;
	char	   *curkey = NULL;
	int			curlen = 0;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		switch (tok)
		{
			case WJB_BEGIN_OBJECT:
			case WJB_BEGIN_ARRAY:
				level++;
				break;
			case WJB_END_OBJECT:
			case WJB_END_ARRAY:
				level--;
				break;
			case WJB_KEY:
				if (level == 1)
				{
					curkey = v.val.string.val;
					curlen = v.val.string.len;
					add(arg, cocoon_bloom_json_key_hash(curkey, curlen));
				}
				break;
			case WJB_VALUE:
				if (level == 1 && curkey != NULL && v.type != jbvBinary)
				{
					uint32		vh = 0;

					JsonbHashScalarValue(&v, &vh);
					add(arg, cocoon_bloom_json_pair_hash(curkey, curlen, vh));
				}
				break;
			case WJB_ELEM:
				if (with_elements && level == 1 && v.type == jbvString)
					add(arg, cocoon_bloom_json_key_hash(v.val.string.val, v.val.string.len));
				break;
			default:
				break;
		}
	}
}

static void
builder_add(void *arg, uint64 h)
{
	cocoon_bloom_add_hash((BloomBuilder *) arg, h);
}

void
cocoon_bloom_add_jsonb(BloomBuilder *b, Jsonb *jb)
{
	cocoon_jsonb_hashes(jb, builder_add, b, true);
}
