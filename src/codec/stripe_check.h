/*-------------------------------------------------------------------------
 *
 * stripe_check.h
 *	  Validation of a stripe header read from disk: pure C, so that the
 *	  same checks run in the server (read.c) and under libFuzzer
 *	  (test/fuzz/fuzz_stripe_header.c).
 *
 * src/codec/stripe_check.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef COCOON_STRIPE_CHECK_H
#define COCOON_STRIPE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "../cocoon_format.h"

/*
 * The fixed part, before the rest of the header is read: magic, version and
 * lengths consistent with the directory's data_length.  NULL when fine,
 * else a sentence for errdetail.
 */
extern const char *cocoon_stripe_check_fixed(const CocoonStripeHeader *hdr,
											 uint64_t data_length);

/*
 * The whole header (len bytes: the stripe header, its column and chunk
 * descriptors): the fixed checks, the CRC32C (computed with header_crc
 * zeroed, which this function leaves zeroed in the buffer), and the chunk
 * layout: row ranges add up, every chunk and bloom filter lies inside the
 * stripe after the header, NULL counts and min/max prefix lengths fit.  NULL when fine.
 */
extern const char *cocoon_stripe_check(uint8_t *header, size_t len, uint64_t data_length);

#endif							/* COCOON_STRIPE_CHECK_H */
