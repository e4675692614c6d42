/*-------------------------------------------------------------------------
 *
 * compress.c
 *	  General-purpose compression of encoded cocoon chunks.
 *
 * How it works: a thin, checked wrapper over the one-shot APIs of zstd
 * (ZSTD_compress / ZSTD_decompress) and lz4 (LZ4_compress_default /
 * LZ4_decompress_safe), plus a plain copy for COMPRESSION_NONE.  The output
 * buffer is sized with the library's worst-case bound and allocated with
 * codec_alloc.  Decompression allocates exactly the expected raw length and
 * fails with COCOON_CODEC_CORRUPT unless the compressed input produces
 * exactly that many bytes (LZ4_decompress_safe and ZSTD_decompress never
 * write past the buffer they are given, whatever the input).  lz4 works on
 * int sizes, so inputs above LZ4_MAX_INPUT_SIZE are rejected as BADARG.
 *
 * zstd runs on one compression and one decompression context per process,
 * made on first use and kept: ZSTD_compress and ZSTD_decompress make and
 * free one per call, whose allocation and table setup cost more than the
 * work itself on the small chunks of small transactions.  The output is the
 * same (ZSTD_compress is ZSTD_compressCCtx on a fresh context; every frame
 * starts from a reset context).  Processes are single-threaded.
 *
 * src/codec/compress.c
 *
 *-------------------------------------------------------------------------
 */
#ifdef COCOON_SERVER
#include "postgres.h"
#endif

#include <limits.h>
#include <lz4.h>
#include <zstd.h>

#include "codec_internal.h"

static ZSTD_CCtx *zstd_cctx = NULL;
static ZSTD_DCtx *zstd_dctx = NULL;

CocoonCodecResult
cocoon_compress(CocoonCompression method, int level,
				const uint8_t *in, size_t inlen,
				uint8_t **out, size_t *outlen)
{
	uint8_t    *buf;

	if (out == NULL || outlen == NULL || (in == NULL && inlen > 0))
		return COCOON_CODEC_BADARG;
	*out = NULL;
	*outlen = 0;

	switch (method)
	{
		case COMPRESSION_NONE:
			buf = codec_alloc(inlen);
			if (buf == NULL)
				return COCOON_CODEC_NOMEM;
			if (inlen > 0)
				memcpy(buf, in, inlen);
			*out = buf;
			*outlen = inlen;
			return COCOON_CODEC_OK;

		case COMPRESSION_LZ4:
			{
				int			bound;
				int			n;

				if (inlen > LZ4_MAX_INPUT_SIZE)
					return COCOON_CODEC_BADARG;
				bound = LZ4_compressBound((int) inlen);
				if (bound <= 0)
					return COCOON_CODEC_BADARG;
				buf = codec_alloc((size_t) bound);
				if (buf == NULL)
					return COCOON_CODEC_NOMEM;
				n = LZ4_compress_default((const char *) in, (char *) buf,
										 (int) inlen, bound);
				if (n <= 0 && inlen > 0)
				{
					codec_free(buf);
					return COCOON_CODEC_NOMEM;
				}
				*out = buf;
				*outlen = (size_t) n;
				return COCOON_CODEC_OK;
			}

		case COMPRESSION_ZSTD:
			{
				size_t		bound;
				size_t		n;

				if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
					return COCOON_CODEC_BADARG;
				bound = ZSTD_compressBound(inlen);
				if (ZSTD_isError(bound))
					return COCOON_CODEC_BADARG;
				if (zstd_cctx == NULL && (zstd_cctx = ZSTD_createCCtx()) == NULL)
					return COCOON_CODEC_NOMEM;
				buf = codec_alloc(bound);
				if (buf == NULL)
					return COCOON_CODEC_NOMEM;
				n = ZSTD_compressCCtx(zstd_cctx, buf, bound, in, inlen, level);
				if (ZSTD_isError(n))
				{
					codec_free(buf);
					/* with a bound-sized buffer, only allocation can fail */
					return COCOON_CODEC_NOMEM;
				}
				*out = buf;
				*outlen = n;
				return COCOON_CODEC_OK;
			}
	}
	return COCOON_CODEC_BADARG;
}

CocoonCodecResult
cocoon_decompress(CocoonCompression method,
				  const uint8_t *in, size_t inlen,
				  size_t rawlen, uint8_t **out)
{
	uint8_t    *buf;

	if (out == NULL || (in == NULL && inlen > 0))
		return COCOON_CODEC_BADARG;
	*out = NULL;
	if (method != COMPRESSION_NONE && method != COMPRESSION_LZ4 &&
		method != COMPRESSION_ZSTD)
		return COCOON_CODEC_BADARG;

	/* reject hopeless sizes before allocating */
	if (method == COMPRESSION_NONE && inlen != rawlen)
		return COCOON_CODEC_CORRUPT;
	if (method == COMPRESSION_LZ4 &&
		(inlen > (size_t) INT_MAX || rawlen > (size_t) INT_MAX))
		return COCOON_CODEC_CORRUPT;
	if (method == COMPRESSION_ZSTD)
	{
		unsigned long long csize = ZSTD_getFrameContentSize(in, inlen);

		if (csize == ZSTD_CONTENTSIZE_ERROR ||
			(csize != ZSTD_CONTENTSIZE_UNKNOWN && csize > rawlen))
			return COCOON_CODEC_CORRUPT;
	}

	buf = codec_alloc(rawlen);
	if (buf == NULL)
		return COCOON_CODEC_NOMEM;

	switch (method)
	{
		case COMPRESSION_NONE:
			if (rawlen > 0)
				memcpy(buf, in, rawlen);
			break;
		case COMPRESSION_LZ4:
			{
				int			n;

				if (inlen == 0)
					n = rawlen == 0 ? 0 : -1;
				else
					n = LZ4_decompress_safe((const char *) in, (char *) buf,
											(int) inlen, (int) rawlen);
				if (n < 0 || (size_t) n != rawlen)
				{
					codec_free(buf);
					return COCOON_CODEC_CORRUPT;
				}
				break;
			}
		case COMPRESSION_ZSTD:
			{
				size_t		n;

				if (zstd_dctx == NULL && (zstd_dctx = ZSTD_createDCtx()) == NULL)
				{
					codec_free(buf);
					return COCOON_CODEC_NOMEM;
				}
				n = ZSTD_decompressDCtx(zstd_dctx, buf, rawlen, in, inlen);
				if (ZSTD_isError(n) || n != rawlen)
				{
					codec_free(buf);
					return COCOON_CODEC_CORRUPT;
				}
				break;
			}
	}
	*out = buf;
	return COCOON_CODEC_OK;
}
