/*-------------------------------------------------------------------------
 *
 * fuzz_decode.c
 *	  libFuzzer target: cocoon_decode on arbitrary bytes.
 *
 * Input layout:
 *	 byte 0	  bits 0-2: expected kind (value % 5 + 1 = VK_INT..VK_VAR)
 *			  bits 3-7: index into fixed_lens[] (expected fixed_len, VK_FIXED)
 *	 byte 1	  limits: bits 0-3 select max_rows, bits 4-7 max_bytes
 *			  (>= 8: the generous defaults 1<<16 rows / 64 MB, so most
 *			  inputs decode under the limits a server would use; lower
 *			  values give small limits to exercise the NOMEM paths)
 *	 rest	  the chunk, handed to cocoon_decode
 *
 * Checks:
 *	 - the result is OK, CORRUPT or NOMEM (never BADARG for a valid kind),
 *	   and the vector is all zero after an error;
 *	 - on OK the vector keeps every promise of src/codec/README (see
 *	   vec_check: counts, null bitmap, offsets, sizes within the limits),
 *	   and every byte of every array is read (ASan catches short arrays);
 *	 - the chunk is prefix-free: dropping its last byte or appending one
 *	   must not decode (a decoder consumes a chunk exactly);
 *	 - round trip: the decoded vector re-encodes (cocoon_encode must accept
 *	   what cocoon_decode produced), the new chunk decodes under the same
 *	   limits to a bit-identical vector, and encoding that again gives the
 *	   same bytes (the encoder is a function of the values).
 *
 * test/fuzz/fuzz_decode.c
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

static const uint32_t fixed_lens[32] = {
	16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 17, 20,
	24, 31, 32, 33, 36, 48, 63, 64, 100, 128, 255, 256, 1000, 4096,
	65536, 0xFFFFFFFFu
};

static void
check_zeroed(const CocoonVector *v)
{
	static const CocoonVector zero;

	FUZZ_CHECK(memcmp(v, &zero, sizeof(zero)) == 0,
			   "vector not cleared after a failed decode");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CocoonValueKind kind;
	uint32_t	fixed_len;
	CocoonDecodeLimits lim;
	CocoonVector vec;
	CocoonVector vec2;
	CocoonCodecResult r;
	const uint8_t *chunk;
	size_t		len;
	unsigned	rsel;
	unsigned	bsel;

	if (size < 2)
		return 0;
	kind = (CocoonValueKind) ((data[0] & 7) % 5 + 1);
	fixed_len = fixed_lens[data[0] >> 3];
	rsel = data[1] & 15;
	bsel = data[1] >> 4;
	memset(&lim, 0, sizeof(lim));
	lim.max_rows = rsel >= 8 ? 1u << 16 : 1u << (2 * rsel);
	lim.max_bytes = bsel >= 8 ? (uint64_t) 64 << 20 : (uint64_t) 1 << (2 * bsel + 4);
	chunk = data + 2;
	len = size - 2;
	/* a third of the inputs decode JSONB with a needle: the last 2 bytes */
	if (len >= 3 && len % 3 == 0 && chunk[len - 1] != 0 && chunk[len - 2] != 0)
	{
		lim.needle = chunk + len - 2;
		lim.needle_len = 2;
	}

	r = cocoon_decode(chunk, len, kind, fixed_len, &lim, &vec);
	FUZZ_CHECK(r == COCOON_CODEC_OK || r == COCOON_CODEC_CORRUPT ||
			   r == COCOON_CODEC_NOMEM, "cocoon_decode returned %d", r);
	if (r != COCOON_CODEC_OK)
	{
		check_zeroed(&vec);
		return 0;
	}
	vec_check(&vec, kind, fixed_len, &lim);

	/* prefix-free: neither a truncated nor an extended chunk decodes */
	if (len > 0)
	{
		CocoonVector t;
		uint8_t    *copy = malloc(len + 1);

		FUZZ_CHECK(copy != NULL, "out of memory");
		memcpy(copy, chunk, len);
		r = cocoon_decode(copy, len - 1, kind, fixed_len, &lim, &t);
		FUZZ_CHECK(r != COCOON_CODEC_OK,
				   "chunk minus its last byte decoded (len %zu)", len);
		check_zeroed(&t);
		copy[len] = 0;
		r = cocoon_decode(copy, len + 1, kind, fixed_len, &lim, &t);
		FUZZ_CHECK(r == COCOON_CODEC_CORRUPT,
				   "chunk plus a trailing byte: %d (len %zu)", r, len);
		check_zeroed(&t);
		free(copy);
	}

	/*
	 * Decoded with a needle: the values it rebuilt are those a decode
	 * without one gives (when that succeeds: it also checks the total);
	 * a vector with skipped values is not a whole vector to re-encode.
	 */
	if (vec.skipped != NULL)
	{
		CocoonDecodeLimits l2 = lim;
		uint32_t	k;

		FUZZ_CHECK(kind == VK_VAR, "skipped values in a kind %d vector", kind);
		l2.needle = NULL;
		l2.needle_len = 0;
		if (cocoon_decode(chunk, len, kind, fixed_len, &l2, &vec2) == COCOON_CODEC_OK)
		{
			FUZZ_CHECK(vec2.skipped == NULL && vec2.nvalues == vec.nvalues,
					   "decoding without the needle: other shape");
			for (k = 0; k < vec.nvalues; k++)
			{
				uint64_t	l = vec.offsets[k + 1] - vec.offsets[k];

				if (vec.skipped[k / 8] & (1u << (k % 8)))
					FUZZ_CHECK(l == 0, "a skipped value has %" PRIu64 " bytes", l);
				else
					FUZZ_CHECK(l == vec2.offsets[k + 1] - vec2.offsets[k] &&
							   memcmp(vec.data + vec.offsets[k], vec2.data + vec2.offsets[k], l) == 0,
							   "value %u differs when decoded with a needle", k);
			}
			cocoon_vector_free(&vec2);
		}
		cocoon_vector_free(&vec);
		return 0;
	}

	/* round trip through the encoder */
	{
		uint8_t    *enc = NULL;
		uint8_t    *enc2 = NULL;
		size_t		enclen = 0;
		size_t		enclen2 = 0;
		CocoonCodecId codec;

		r = cocoon_encode(&vec, &enc, &enclen, &codec);
		FUZZ_CHECK(r == COCOON_CODEC_OK, "re-encoding a decoded vector: %d", r);
		r = cocoon_decode(enc, enclen, kind, fixed_len, &lim, &vec2);
		FUZZ_CHECK(r == COCOON_CODEC_OK,
				   "decoding the re-encoded vector (%s, %zu bytes): %d",
				   cocoon_codec_name(codec), enclen, r);
		vec_check(&vec2, kind, fixed_len, &lim);
		FUZZ_CHECK(vec_same(&vec, &vec2),
				   "round trip through %s changed the vector",
				   cocoon_codec_name(codec));
		r = cocoon_encode(&vec2, &enc2, &enclen2, NULL);
		FUZZ_CHECK(r == COCOON_CODEC_OK, "re-encoding again: %d", r);
		FUZZ_CHECK(enclen2 == enclen && memcmp(enc, enc2, enclen) == 0,
				   "equal vectors encoded differently (%zu vs %zu bytes)",
				   enclen, enclen2);
		cocoon_vector_free(&vec2);
		codec_free(enc);
		codec_free(enc2);
	}

	cocoon_vector_free(&vec);
	return 0;
}
