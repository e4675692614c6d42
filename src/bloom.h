/*-------------------------------------------------------------------------
 *
 * bloom.h
 *	  Per-chunk bloom filters: whole values and case-folded trigrams.
 *
 * src/bloom.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef COCOON_BLOOM_H
#define COCOON_BLOOM_H

#include "c.h"
#include "cocoon_format.h"

#define BLOOM_K				3
#define BLOOM_BUILD_LOG2	19		/* 512 Kbit while building */
#define BLOOM_MIN_LOG2		COCOON_BLOOM_MIN_LOG2	/* cocoon_format.h */
#define BLOOM_MAX_LOG2		COCOON_BLOOM_MAX_LOG2

typedef struct BloomBuilder
{
	uint64	   *bits;			/* 2^BLOOM_BUILD_LOG2 bits */
	bool		any;
	int			log2;			/* size of the filter being built */
} BloomBuilder;

extern uint64 cocoon_bloom_value_hash(const char *data, size_t len);
extern void cocoon_bloom_init(BloomBuilder *b);
extern void cocoon_bloom_reset(BloomBuilder *b, uint64 max_items);
extern void cocoon_bloom_add_hash(BloomBuilder *b, uint64 h);
extern void cocoon_bloom_add_value(BloomBuilder *b, const char *data, size_t len, bool trigrams);
extern char *cocoon_bloom_finish(BloomBuilder *b, uint8 *log2, size_t *len);
extern bool cocoon_bloom_test(const char *bits, uint8 log2, uint64 h);

#include "utils/jsonb.h"
extern uint64 cocoon_bloom_json_key_hash(const char *key, size_t len);
extern uint64 cocoon_bloom_json_pair_hash(const char *key, size_t len, uint32 value_hash);
extern void cocoon_jsonb_hashes(Jsonb *jb, void (*add) (void *arg, uint64 h), void *arg,
								bool with_elements);
extern void cocoon_bloom_add_jsonb(BloomBuilder *b, Jsonb *jb);

/* hashes of a LIKE/ILIKE pattern's trigrams; false if it has none usable */
extern bool cocoon_like_trigrams(const char *pat, size_t len, bool icase, uint64 **hashes,
								 int *nhashes);

#endif							/* COCOON_BLOOM_H */
