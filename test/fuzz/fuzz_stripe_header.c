/*-------------------------------------------------------------------------
 *
 * fuzz_stripe_header.c
 *	  libFuzzer target: cocoon_stripe_check (src/codec/stripe_check.c), the
 *	  validation every stripe header read from disk goes through.
 *
 * Input layout:
 *	 bytes 0-7	 the directory's data_length, u64 little-endian (the input
 *				 is used as is, so the mutator can aim at the header's
 *				 total_len)
 *	 rest		 the header bytes, in a buffer of exactly that size (ASan
 *				 catches any read past it)
 *
 * Checks, when the header is accepted:
 *	 - the fixed check accepts it too, and header_len is the buffer size;
 *	 - its CRC32C, recomputed with header_crc zeroed, is the stored one;
 *	 - every chunk descriptor and bloom filter lies inside the stripe, after
 *	   the header; NULL counts fit; the chunks' rows add up to the stripe's
 *	   and each column's chunk agrees with column 0's;
 *	 - i.e. what read.c indexes with after the check cannot go out of bounds.
 *
 * test/fuzz/fuzz_stripe_header.c
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"
#include "stripe_check.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t	data_length = 0;
	uint8_t    *buf;
	size_t		len;
	const char *why;
	CocoonStripeHeader hdr;
	uint32_t	stored_crc;

	if (size < 8)
		return 0;
	for (int i = 0; i < 8; i++)
		data_length |= (uint64_t) data[i] << (8 * i);
	len = size - 8;
	buf = malloc(len ? len : 1);
	FUZZ_CHECK(buf != NULL, "out of memory");
	memcpy(buf, data + 8, len);
	stored_crc = len >= sizeof(hdr) ? ((const CocoonStripeHeader *) (data + 8))->header_crc : 0;

	why = cocoon_stripe_check(buf, len, data_length);
	if (why == NULL)
	{
		const CocoonChunkDesc *chunks;
		uint64_t	rows = 0;

		memcpy(&hdr, buf, sizeof(hdr));
		FUZZ_CHECK(cocoon_stripe_check_fixed(&hdr, data_length) == NULL, "fixed check disagrees");
		FUZZ_CHECK(hdr.header_len == len && hdr.total_len == data_length && hdr.header_len <= data_length,
				   "lengths: header_len %u len %zu total %" PRIu64, hdr.header_len, len, hdr.total_len);
		FUZZ_CHECK(hdr.header_crc == 0, "header_crc not left zeroed");
		FUZZ_CHECK(cocoon_crc32c(buf, len) == stored_crc, "accepted a wrong checksum");
		chunks = (const CocoonChunkDesc *) (buf + sizeof(hdr) + sizeof(CocoonColumnDesc) * hdr.natts);
		for (uint32_t c = 0; c < hdr.nchunks; c++)
		{
			for (uint32_t a = 0; a < hdr.natts; a++)
			{
				const CocoonChunkDesc *d = &chunks[(uint64_t) c * hdr.natts + a];

				FUZZ_CHECK(d->offset >= hdr.header_len &&
						   d->offset + d->stored_len <= hdr.total_len &&
						   d->offset + d->stored_len >= d->offset,
						   "chunk %u/%u outside the stripe", c, a);
				FUZZ_CHECK(d->nnulls <= d->nrows, "nulls > rows");
				FUZZ_CHECK(d->nrows == chunks[(uint64_t) c * hdr.natts].nrows &&
						   d->first == rows, "chunk %u/%u rows disagree", c, a);
				if (d->flags & COCOON_CHUNK_HAS_BLOOM)
					FUZZ_CHECK(d->bloom_log2 >= COCOON_BLOOM_MIN_LOG2 &&
							   d->bloom_log2 <= COCOON_BLOOM_MAX_LOG2 &&
							   d->bloom_offset >= hdr.header_len &&
							   d->bloom_offset + (((uint64_t) 1 << d->bloom_log2) / 8) <= hdr.total_len,
							   "bloom %u/%u outside the stripe", c, a);
			}
			if (hdr.natts > 0)
				rows += chunks[(uint64_t) c * hdr.natts].nrows;
		}
		FUZZ_CHECK(hdr.natts == 0 || rows == hdr.nrows, "rows do not add up");
	}
	else
		FUZZ_CHECK(strlen(why) > 0 && why[strlen(why) - 1] == '.', "reason is not a sentence");
	free(buf);
	return 0;
}
