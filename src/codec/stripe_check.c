/*-------------------------------------------------------------------------
 *
 * stripe_check.c
 *	  Validation of a stripe header read from disk (see stripe_check.h).
 *
 * Everything a reader later indexes with (chunk offsets and lengths, bloom
 * offsets and sizes, min/max prefix lengths, row counts) is checked here against the stripe's
 * length, with 64-bit arithmetic that cannot wrap, so that a header that
 * passes can be used without further bounds checks.
 *
 * src/codec/stripe_check.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "codec.h"
#include "stripe_check.h"

const char *
cocoon_stripe_check_fixed(const CocoonStripeHeader *hdr, uint64_t data_length)
{
	uint64_t	expect_len;

	if (data_length < sizeof(CocoonStripeHeader))
		return "The directory gives a stripe length shorter than a stripe header.";
	if (hdr->magic != COCOON_STRIPE_MAGIC)
		return "The stripe header's magic number is wrong.";
	if (hdr->version != COCOON_FORMAT_VERSION)
		return "The stripe header's format version is unknown.";
	/* natts <= 65535 and nchunks < 2^32: no overflow in 64 bits */
	expect_len = sizeof(CocoonStripeHeader) + sizeof(CocoonColumnDesc) * (uint64_t) hdr->natts +
		sizeof(CocoonChunkDesc) * (uint64_t) hdr->nchunks * hdr->natts;
	if (hdr->header_len != expect_len || hdr->header_len > data_length ||
		hdr->total_len != data_length || hdr->header_len > 0x3fffffff)
		return "The stripe header's lengths are inconsistent.";
	return NULL;
}

const char *
cocoon_stripe_check(uint8_t *header, size_t len, uint64_t data_length)
{
	CocoonStripeHeader hdr;
	const CocoonChunkDesc *chunks;
	const char *why;
	uint64_t	rows = 0;
	uint32_t	c;

	if (len < sizeof(CocoonStripeHeader))
		return "The stripe header is truncated.";
	memcpy(&hdr, header, sizeof(hdr));
	if ((why = cocoon_stripe_check_fixed(&hdr, data_length)) != NULL)
		return why;
	if (hdr.header_len != len)
		return "The stripe header's lengths are inconsistent.";
	((CocoonStripeHeader *) header)->header_crc = 0;
	if (cocoon_crc32c(header, len) != hdr.header_crc)
		return "The stripe header's checksum does not match.";

	/* chunk layout sanity: rows add up, data inside the stripe */
	chunks = (const CocoonChunkDesc *) (header + sizeof(CocoonStripeHeader) +
										sizeof(CocoonColumnDesc) * hdr.natts);
	for (c = 0; c < hdr.nchunks; c++)
	{
		const CocoonChunkDesc *d0 = &chunks[(uint64_t) c * hdr.natts];
		int			a;

		if (hdr.natts > 0 && d0->first != rows)
			return "Chunk row ranges are inconsistent.";
		for (a = 0; a < hdr.natts; a++)
		{
			const CocoonChunkDesc *d = &chunks[(uint64_t) c * hdr.natts + a];

			if (d->nrows != d0->nrows || d->first != d0->first ||
				d->offset < hdr.header_len || d->stored_len > hdr.total_len ||
				d->offset > hdr.total_len - d->stored_len)
				return "Chunk locations are inconsistent.";
			if (d->nnulls > d->nrows)
				return "Chunk NULL counts are inconsistent.";
			if ((d->flags & COCOON_CHUNK_HAS_BLOOM) &&
				(d->bloom_log2 < COCOON_BLOOM_MIN_LOG2 || d->bloom_log2 > COCOON_BLOOM_MAX_LOG2 ||
				 d->bloom_offset < hdr.header_len ||
				 d->bloom_offset > hdr.total_len - (((uint64_t) 1 << d->bloom_log2) / 8)))
				return "Bloom filter locations are inconsistent.";
			if ((d->flags & COCOON_CHUNK_HAS_BMINMAX) &&
				d->bound_len[0] + (d->bound_len[1] & ~COCOON_BOUND_TRUNCATED) +
				(d->bound_len[2] & ~COCOON_BOUND_TRUNCATED) > COCOON_BOUND_BYTES)
				return "Chunk min/max prefix lengths are inconsistent.";
		}
		if (hdr.natts > 0)
			rows += d0->nrows;
	}
	if (hdr.natts > 0 && rows != hdr.nrows)
		return "Chunk row counts do not add up to the stripe's.";
	return NULL;
}
