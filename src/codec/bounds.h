/*-------------------------------------------------------------------------
 *
 * bounds.h
 *	  Bytewise min/max prefixes of a chunk (COCOON_CHUNK_HAS_BMINMAX): how
 *	  write.c stores them in a chunk descriptor and how scans test a
 *	  comparison against them.  Pure C, tested by test/codec.
 *
 * The order is memcmp's, a shorter string before its extensions: the
 * order of text under the C collation, of uuid and bytea, and equality of text
 * under any deterministic collation (bpchar: the same, of its values without
 * trailing blanks).  A stored prefix of the minimum is a
 * lower bound (strictly below the minimum when the minimum was cut); a
 * stored prefix of the maximum bounds it by prefix only: the maximum is
 * the prefix or, when cut, one of its extensions.
 *
 * src/codec/bounds.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef COCOON_BOUNDS_H
#define COCOON_BOUNDS_H

#include <stddef.h>
#include <stdint.h>

#include "../cocoon_format.h"

/* comparison strategies, numbered as btree's (BTLessStrategyNumber ...) */
#define COCOON_BOUND_LT		1
#define COCOON_BOUND_LE		2
#define COCOON_BOUND_EQ		3
#define COCOON_BOUND_GE		4
#define COCOON_BOUND_GT		5
#define COCOON_BOUND_PREFIX	6	/* v starts with key (LIKE 'key%') */

/*
 * Store the bounds of a chunk whose bytewise smallest value is min and
 * largest max; sets COCOON_CHUNK_HAS_BMINMAX.  The common prefix of the
 * two is stored once, the remaining bytes are shared between them.
 */
extern void cocoon_bounds_set(CocoonChunkDesc *d, const uint8_t *min, size_t minlen,
							  const uint8_t *max, size_t maxlen);

/*
 * May some value v of the chunk satisfy "v strategy key"?  True when the
 * chunk has no bounds (or bad ones).  NULLs are the caller's business.
 */
extern bool cocoon_bounds_may_match(const CocoonChunkDesc *d, int strategy,
									const uint8_t *key, size_t keylen);

#endif							/* COCOON_BOUNDS_H */
