/*-------------------------------------------------------------------------
 *
 * fuzz_decompress.c
 *	  libFuzzer target: cocoon_decompress on arbitrary bytes.
 *
 * Input layout:
 *	 byte 0		 method: value % 4 (0 none, 1 lz4, 2 zstd, 3 an unknown id)
 *	 bytes 1-4	 claimed raw length, u32 little-endian, reduced modulo
 *				 16 MB + 1
 *	 rest		 the compressed bytes
 *
 * Checks:
 *	 - unknown methods give BADARG; otherwise the result is OK, CORRUPT or
 *	   NOMEM, and *out is NULL unless OK;
 *	 - on OK exactly rawlen bytes were produced: all of them are read (ASan
 *	   catches a short buffer) and they equal what the library itself
 *	   produces (LZ4_decompress_safe / ZSTD_decompress into a buffer one
 *	   byte larger than rawlen: it must yield exactly rawlen bytes, so
 *	   cocoon_decompress neither drops nor invents output); for none the
 *	   output is the input;
 *	 - conversely, when the library decodes the input into a buffer of
 *	   exactly rawlen bytes, filling it, cocoon_decompress must not call it
 *	   corrupt (except empty zstd input, which cocoon rejects on purpose);
 *	 - the output recompresses (levels from the input) and decompresses
 *	   back to the same bytes.
 *
 * test/fuzz/fuzz_decompress.c
 *
 *-------------------------------------------------------------------------
 */
#include <lz4.h>
#include <zstd.h>

#include "fuzz_common.h"

#define MAX_RAWLEN ((size_t) 16 << 20)

/* Decompress with the library into dst[cap]: bytes produced, or -1. */
static long long
reference(CocoonCompression method, const uint8_t *in, size_t inlen,
		  uint8_t *dst, size_t cap)
{
	switch (method)
	{
		case COMPRESSION_NONE:
			if (inlen > cap)
				return -1;
			if (inlen > 0)
				memcpy(dst, in, inlen);
			return (long long) inlen;
		case COMPRESSION_LZ4:
			{
				int			n;

				if (inlen == 0)
					return 0;
				n = LZ4_decompress_safe((const char *) in, (char *) dst,
										(int) inlen, (int) cap);
				return n < 0 ? -1 : n;
			}
		case COMPRESSION_ZSTD:
			{
				size_t		n = ZSTD_decompress(dst, cap, in, inlen);

				return ZSTD_isError(n) ? -1 : (long long) n;
			}
	}
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CocoonCompression method;
	size_t		rawlen;
	const uint8_t *in;
	size_t		inlen;
	uint8_t    *out = (uint8_t *) 1;	/* must be reset to NULL */
	uint8_t    *ref;
	long long	refplus;
	CocoonCodecResult r;

	if (size < 5)
		return 0;
	method = (CocoonCompression) (data[0] % 4);
	rawlen = (size_t) (data[1] | (data[2] << 8) | (data[3] << 16) |
					   ((uint32_t) data[4] << 24)) % (MAX_RAWLEN + 1);
	in = data + 5;
	inlen = size - 5;

	r = cocoon_decompress(method, in, inlen, rawlen, &out);
	if (data[0] % 4 == 3)
	{
		FUZZ_CHECK(r == COCOON_CODEC_BADARG && out == NULL,
				   "unknown method: %d", r);
		return 0;
	}
	FUZZ_CHECK(r == COCOON_CODEC_OK || r == COCOON_CODEC_CORRUPT ||
			   r == COCOON_CODEC_NOMEM, "cocoon_decompress returned %d", r);
	FUZZ_CHECK((r == COCOON_CODEC_OK) == (out != NULL),
			   "result %d with out %p", r, (void *) out);

	/*
	 * References: the library itself, into a buffer one byte larger than
	 * rawlen (refplus: how many bytes the input really decodes to) and into
	 * exactly rawlen bytes (refexact: what cocoon_decompress should say).
	 * They can differ at the edges (LZ4_decompress_safe accepts a lone
	 * token with a match length as 0 bytes of output only when there is
	 * room for one byte), so the checks use the one that applies.
	 */
	ref = malloc(rawlen + 1);
	FUZZ_CHECK(ref != NULL, "out of memory");
	refplus = reference(method, in, inlen, ref, rawlen + 1);
	if (r == COCOON_CODEC_OK)
	{
		uint64_t	sum = 0;
		size_t		i;

		for (i = 0; i < rawlen; i++)
			sum += out[i];
		fuzz_sink += sum;
		FUZZ_CHECK(refplus == (long long) rawlen,
				   "%s: cocoon_decompress OK for rawlen %zu, the input decodes "
				   "to %lld bytes", cocoon_compression_name(method), rawlen,
				   refplus);
		FUZZ_CHECK(rawlen == 0 || memcmp(out, ref, rawlen) == 0,
				   "%s: output differs from the library's",
				   cocoon_compression_name(method));
	}
	else if (r == COCOON_CODEC_CORRUPT &&
			 !(method == COMPRESSION_ZSTD && inlen == 0))
	{
		/* (zstd decodes empty input to 0 bytes; cocoon rejects it: its
		 * compressor never produces an empty frame, so that is fine) */
		long long	refexact = reference(method, in, inlen, ref, rawlen);

		FUZZ_CHECK(refexact != (long long) rawlen,
				   "%s: the library decodes exactly rawlen %zu bytes, cocoon "
				   "says corrupt", cocoon_compression_name(method), rawlen);
	}
	free(ref);

	/* recompress the output and decompress it again */
	if (r == COCOON_CODEC_OK)
	{
		int			m;

		for (m = COMPRESSION_NONE; m <= COMPRESSION_ZSTD; m++)
		{
			uint8_t    *c = NULL;
			uint8_t    *d = NULL;
			size_t		clen = 0;
			int			level = m == COMPRESSION_ZSTD ? (int) (data[0] >> 2) % 6 - 1 : 0;

			r = cocoon_compress((CocoonCompression) m, level, out, rawlen, &c, &clen);
			FUZZ_CHECK(r == COCOON_CODEC_OK, "recompress %s: %d",
					   cocoon_compression_name((CocoonCompression) m), r);
			r = cocoon_decompress((CocoonCompression) m, c, clen, rawlen, &d);
			FUZZ_CHECK(r == COCOON_CODEC_OK &&
					   (rawlen == 0 || memcmp(d, out, rawlen) == 0),
					   "%s round trip of %zu bytes: %d",
					   cocoon_compression_name((CocoonCompression) m), rawlen, r);
			codec_free(c);
			codec_free(d);
		}
	}
	codec_free(out);
	return 0;
}
