/*-------------------------------------------------------------------------
 *
 * stripe_seed_gen.c
 *	  Seed corpus of fuzz_stripe_header: valid stripe headers of a few
 *	  shapes (no columns, one column, three columns with blooms; zero, one
 *	  and several chunks), each prefixed by its data_length, laid out as
 *	  write.c lays them out.
 *
 *	  stripe_seed_gen OUTDIR   writes OUTDIR/fuzz_stripe_header/seed_*
 *
 * test/fuzz/stripe_seed_gen.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "stripe_check.h"

static int
emit(const char *outdir, int natts, int nchunks, int with_bloom)
{
	size_t		header_len = sizeof(CocoonStripeHeader) + sizeof(CocoonColumnDesc) * natts +
		sizeof(CocoonChunkDesc) * (size_t) nchunks * natts;
	uint64_t	chunk_bytes = 100;
	uint64_t	bloom_bytes = with_bloom ? ((uint64_t) 1 << COCOON_BLOOM_MIN_LOG2) / 8 : 0;
	uint64_t	total = header_len + (uint64_t) nchunks * natts * (chunk_bytes + bloom_bytes);
	uint8_t    *buf = calloc(1, header_len);
	CocoonStripeHeader *h = (CocoonStripeHeader *) buf;
	CocoonColumnDesc *cols = (CocoonColumnDesc *) (buf + sizeof(CocoonStripeHeader));
	CocoonChunkDesc *chunks = (CocoonChunkDesc *) (buf + sizeof(CocoonStripeHeader) +
												   sizeof(CocoonColumnDesc) * natts);
	uint64_t	off = header_len;
	char		path[1024];
	FILE	   *f;
	uint8_t		len8[8];

	h->magic = COCOON_STRIPE_MAGIC;
	h->version = COCOON_FORMAT_VERSION;
	h->natts = natts;
	h->header_len = (uint32_t) header_len;
	h->stripe_id = 7;
	h->first_row = 1000;
	h->chunk_rows = 100;
	h->nchunks = nchunks;
	h->nrows = natts > 0 ? 100 * nchunks - (nchunks > 0 ? 37 : 0) : 5;
	h->total_len = total;
	h->raw_bytes = 12345;
	for (int a = 0; a < natts; a++)
	{
		cols[a].atttypid = 23 + a;
		cols[a].typlen = a == 2 ? -1 : 4;
		cols[a].kind = a == 2 ? VK_VAR : VK_INT;
	}
	for (int c = 0; c < nchunks; c++)
		for (int a = 0; a < natts; a++)
		{
			CocoonChunkDesc *d = &chunks[c * natts + a];

			d->offset = off;
			d->stored_len = chunk_bytes;
			d->raw_len = chunk_bytes * 3;
			d->nrows = c == nchunks - 1 ? 63 : 100;
			d->first = c * 100;
			d->nnulls = a;
			d->compression = 2;
			d->codec = 1;
			off += chunk_bytes;
			if (with_bloom && a == 2)
			{
				d->flags |= COCOON_CHUNK_HAS_BLOOM;
				d->bloom_log2 = COCOON_BLOOM_MIN_LOG2;
				d->bloom_offset = off;
				off += bloom_bytes;
			}
			else
				total -= bloom_bytes;
			if (a == 0)
			{
				d->flags |= COCOON_CHUNK_HAS_MINMAX;
				d->min_value = -5;
				d->max_value = 99;
			}
			if (a == 1)
			{
				/* text bounds: 4 shared bytes, 6 and 10 more (0x80: cut) */
				d->flags |= COCOON_CHUNK_HAS_BMINMAX;
				d->bound_len[0] = 4;
				d->bound_len[1] = 6;
				d->bound_len[2] = 10 | COCOON_BOUND_TRUNCATED;
				memcpy((uint8_t *) d + COCOON_BOUND_OFFSET, "svc-alpha_zulu_zz_zz", COCOON_BOUND_BYTES);
			}
		}
	h->total_len = total;
	h->header_crc = 0;
	h->header_crc = cocoon_crc32c(buf, header_len);
	if (cocoon_stripe_check(buf, header_len, total) != NULL)
	{
		fprintf(stderr, "stripe_seed_gen: seed %d/%d/%d invalid: %s\n", natts, nchunks, with_bloom,
				cocoon_stripe_check(buf, header_len, total));
		return 1;
	}
	/* cocoon_stripe_check zeroed it: store it again */
	h->header_crc = cocoon_crc32c(buf, header_len);
	for (int i = 0; i < 8; i++)
		len8[i] = (uint8_t) (total >> (8 * i));
	snprintf(path, sizeof(path), "%s/fuzz_stripe_header/seed_%d_%d_%d", outdir, natts, nchunks, with_bloom);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(len8, 1, 8, f) != 8 || fwrite(buf, 1, header_len, f) != header_len ||
		fclose(f) != 0)
	{
		perror(path);
		return 1;
	}
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int			rc = 0;

	if (argc != 2)
	{
		fprintf(stderr, "usage: stripe_seed_gen OUTDIR\n");
		return 2;
	}
	rc |= emit(argv[1], 0, 0, 0);
	rc |= emit(argv[1], 1, 1, 0);
	rc |= emit(argv[1], 1, 3, 0);
	rc |= emit(argv[1], 3, 2, 1);
	rc |= emit(argv[1], 3, 4, 1);
	return rc;
}
