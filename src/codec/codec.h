/*-------------------------------------------------------------------------
 *
 * codec.h
 *	  Pure column codecs for cocoon: bytes in, bytes out.
 *
 * A codec turns one chunk of one column (a "vector": up to a few thousand
 * rows of one type) into a self-describing byte string and back.  Nothing
 * here knows about relations, buffers, catalogs or the executor: the codecs
 * are built into the server module and, unchanged, into standalone test and
 * fuzz programs (test/codec, test/fuzz).
 *
 * Encoded chunk layout (before general-purpose compression):
 *
 *	 byte 0		  codec id (CocoonCodecId, stable, pinned below)
 *	 byte 1		  flags (bit 0: a null bitmap follows)
 *	 u32		  nrows (rows in the chunk, NULLs included)
 *	 u32		  nvalues (non-NULL rows)
 *	 [null bitmap, ceil(nrows/8) bytes, bit i set = row i is NULL]
 *	 codec-specific payload (see codec.c)
 *
 * All multi-byte integers are little-endian.  Decoders never trust their
 * input: every length and count is checked against the bytes actually
 * present and against the caller's limits, and a damaged chunk yields
 * COCOON_CODEC_CORRUPT, never an out-of-bounds read or a crash.
 *
 * Memory: the library allocates with codec_alloc/codec_free (malloc/free
 * standalone; palloc_extended(..., MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM) /
 * pfree when built with -DCOCOON_SERVER), and reports allocation failure
 * as COCOON_CODEC_NOMEM.
 *
 * src/codec/codec.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef COCOON_CODEC_H
#define COCOON_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Stable codec ids: written into every chunk, never renumber. */
typedef enum CocoonCodecId
{
	CODEC_ALL_NULL = 0,			/* every row NULL: no payload */
	CODEC_INT_DOD = 1,			/* delta-of-delta, zigzag, bit-packed */
	CODEC_INT_CONST = 2,		/* one repeated int64 value */
	CODEC_GORILLA = 3,			/* Gorilla XOR over 64-bit float patterns */
	CODEC_BOOL_BITMAP = 4,		/* one bit per value */
	CODEC_FIXED_PLAIN = 5,		/* fixed-width byte strings back to back */
	CODEC_VAR_PLAIN = 6,		/* lengths (bit-packed) + bytes */
	CODEC_DICT = 7,				/* dictionary of distinct values + bit-packed codes */
	CODEC_INT_FOR = 8,			/* frame of reference: min + bit-packed (v - min) */
	CODEC_VARLENA = 9,			/* self-delimiting varlenas back to back */
	CODEC_JSONB = 10			/* jsonb containers, document-order serialisation */
} CocoonCodecId;

/* Stable compression ids. */
typedef enum CocoonCompression
{
	COMPRESSION_NONE = 0,
	COMPRESSION_LZ4 = 1,
	COMPRESSION_ZSTD = 2
} CocoonCompression;

/* Result codes. */
typedef enum CocoonCodecResult
{
	COCOON_CODEC_OK = 0,
	COCOON_CODEC_CORRUPT = 1,	/* input bytes are damaged or inconsistent */
	COCOON_CODEC_NOMEM = 2,		/* allocation failed or limit exceeded */
	COCOON_CODEC_BADARG = 3		/* caller error (unknown kind, method...) */
} CocoonCodecResult;

/* What kind of values a vector holds: decided by the caller from the type. */
typedef enum CocoonValueKind
{
	VK_INT = 1,					/* int64 (int2/int4/int8/date/timestamp...) */
	VK_FLOAT = 2,				/* 64-bit patterns (float8 bits, or float4
								 * bits zero-extended) */
	VK_BOOL = 3,				/* one byte per value, 0 or 1 */
	VK_FIXED = 4,				/* fixed_len bytes per value (uuid, ...) */
	VK_VAR = 5					/* variable-length byte strings */
} CocoonValueKind;

/*
 * What VK_VAR values are, as far as the caller knows (an encoder hint;
 * decoders leave it 0).  VARLENA: each value is an uncompressed in-line
 * PostgreSQL varlena (little-endian header) of exactly its length, which
 * allows CODEC_VARLENA.  JSONB: moreover a jsonb, which allows CODEC_JSONB.
 * Every value is checked (JSONB: serialised, rebuilt and compared byte for
 * byte) before such a codec is used, so a wrong hint costs only time.
 */
#define COCOON_VAR_BYTES	0
#define COCOON_VAR_VARLENA	1
#define COCOON_VAR_JSONB	2

/*
 * A column vector.  Values are dense: only non-NULL rows have a value, in
 * row order.  nulls is a bitmap over nrows (bit set = NULL), or NULL when
 * no row is NULL.
 */
typedef struct CocoonVector
{
	CocoonValueKind kind;
	uint32_t	nrows;
	uint32_t	nvalues;		/* non-NULL rows */
	uint8_t    *nulls;			/* ceil(nrows/8) bytes, or NULL */
	int64_t    *ints;			/* VK_INT: nvalues */
	uint64_t   *bits;			/* VK_FLOAT: nvalues */
	uint8_t    *bools;			/* VK_BOOL: nvalues bytes (0/1) */
	uint32_t	fixed_len;		/* VK_FIXED: bytes per value */
	uint8_t    *data;			/* VK_FIXED: nvalues*fixed_len; VK_VAR: bytes */
	uint64_t   *offsets;		/* VK_VAR: nvalues+1 offsets into data */
	uint64_t	data_len;		/* VK_FIXED / VK_VAR: bytes in data */
	uint8_t		var_format;		/* VK_VAR: COCOON_VAR_* (encoder hint) */
	uint8_t    *skipped;		/* decoded with a needle: ceil(nvalues/8)
								 * bytes, bit k set = value k was not rebuilt
								 * (its offsets give it no bytes); or NULL */
} CocoonVector;

/* Limits a decoder enforces (caller-chosen; 0 means "no extra limit"). */
typedef struct CocoonDecodeLimits
{
	uint32_t	max_rows;		/* reject chunks claiming more rows */
	uint64_t	max_bytes;		/* reject decoded data larger than this */

	/*
	 * Optional (JSONB chunks only; other codecs ignore it): a value whose
	 * serialised bytes do not contain these needle_len bytes is not rebuilt
	 * but marked in vec->skipped.  jsonb keys and strings are serialised as
	 * their raw bytes, so a needle without NUL bytes that occurs in a
	 * value's keys or strings always occurs in its serialised form.
	 */
	const uint8_t *needle;
	size_t		needle_len;
} CocoonDecodeLimits;

/*
 * Encode a vector.  The codec is chosen from the kind and the data
 * (e.g. VK_VAR/VK_FIXED become CODEC_DICT when few distinct values, VK_INT
 * picks the smallest of DOD / FOR / CONST).  On success *out is a new
 * allocation of *outlen bytes, and *codec_used (if not NULL) tells which
 * codec was chosen.
 */
extern CocoonCodecResult cocoon_encode(const CocoonVector *vec,
									   uint8_t **out, size_t *outlen,
									   CocoonCodecId *codec_used);

/*
 * Decode an encoded chunk into *vec (whose arrays are new allocations; free
 * them with cocoon_vector_free).  expect_kind must match what the chunk
 * holds (and for VK_FIXED, expect_fixed_len), else COCOON_CODEC_CORRUPT.
 */
extern CocoonCodecResult cocoon_decode(const uint8_t *in, size_t inlen,
									   CocoonValueKind expect_kind,
									   uint32_t expect_fixed_len,
									   const CocoonDecodeLimits *limits,
									   CocoonVector *vec);

extern void cocoon_vector_free(CocoonVector *vec);

/*
 * A chunk in dictionary form: its distinct values once, and per row the
 * index ("code") of the row's value.  dict holds the entries as a vector
 * of the chunk's kind without NULLs (dict.nrows = dict.nvalues = number of
 * entries); codes has nrows entries, codes[i] < dict.nvalues for a value
 * and codes[i] == dict.nvalues for a NULL row.  Entries are distinct in
 * chunks that cocoon_encode wrote, but a decoder cannot check that (a
 * damaged chunk that passes every other check may repeat one), so callers
 * must not rely on it for correctness.
 */
typedef struct CocoonDictVector
{
	uint32_t	nrows;			/* rows in the chunk, NULLs included */
	uint32_t	nvalues;		/* non-NULL rows */
	uint32_t   *codes;			/* nrows codes */
	CocoonVector dict;			/* the entries */
} CocoonDictVector;

/*
 * Does a chunk of this codec and kind have a dictionary form?  DICT (all
 * kinds but VK_BOOL), ALL_NULL (no entries) and INT_CONST (VK_INT and
 * VK_FLOAT: one entry).
 */
extern int	cocoon_codec_has_dict(CocoonCodecId codec, CocoonValueKind kind);

/*
 * Decode an encoded chunk into dictionary form without expanding the
 * values per row (free with cocoon_dict_free).  The same checks as
 * cocoon_decode: a chunk that one accepts the other accepts too, with the
 * same values.  BADARG when the chunk's codec has no dictionary form
 * (the chunk may be fine: decode it with cocoon_decode), or for a bad
 * expect_kind / NULL dv.
 */
extern CocoonCodecResult cocoon_decode_dict(const uint8_t *in, size_t inlen,
											CocoonValueKind expect_kind,
											uint32_t expect_fixed_len,
											const CocoonDecodeLimits *limits,
											CocoonDictVector *dv);

extern void cocoon_dict_free(CocoonDictVector *dv);

/*
 * General-purpose compression of an encoded chunk.  level is used by zstd
 * (1..19) and ignored otherwise.  On success *out is a new allocation.
 * If compressing does not make the data smaller, callers should store it
 * with COMPRESSION_NONE (cocoon_compress does not decide that for them,
 * but returns the compressed size so they can).
 */
extern CocoonCodecResult cocoon_compress(CocoonCompression method, int level,
										 const uint8_t *in, size_t inlen,
										 uint8_t **out, size_t *outlen);

/*
 * Decompress exactly rawlen bytes into a new allocation *out.  Anything
 * but exactly rawlen bytes of output is COCOON_CODEC_CORRUPT.
 */
extern CocoonCodecResult cocoon_decompress(CocoonCompression method,
										   const uint8_t *in, size_t inlen,
										   size_t rawlen, uint8_t **out);

/* CRC32C (Castagnoli); pg_crc32c in the server, portable code standalone. */
extern uint32_t cocoon_crc32c(const void *data, size_t len);

extern const char *cocoon_codec_name(CocoonCodecId id);
extern const char *cocoon_compression_name(CocoonCompression c);
extern const char *cocoon_codec_result_string(CocoonCodecResult r);

/* Allocation hooks used by the library (see above). */
extern void *codec_alloc(size_t size);
extern void codec_free(void *ptr);

#endif							/* COCOON_CODEC_H */
