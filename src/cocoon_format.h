/*-------------------------------------------------------------------------
 *
 * cocoon_format.h
 *	  On-disk structures of a cocoon relation's main fork.
 *
 * Kept apart from cocoon.h so that verification tools and fuzz harnesses
 * can include them without the rest of the extension.  See src/README,
 * "On-disk layout", for the picture.
 *
 * Block 0 is the metapage.  Blocks 1.. form a logical byte address space:
 * logical byte L lives in block 1 + L / COCOON_PAGE_DATA at page offset
 * SizeOfPageHeaderData + L % COCOON_PAGE_DATA.  Stripes are packed into
 * that space back to back, not page aligned.
 *
 * A stripe is one contiguous byte range:
 *
 *	 CocoonStripeHeader
 *	 CocoonColumnDesc[natts]
 *	 CocoonChunkDesc[nchunks * natts]	(chunk-major: chunk 0's columns first,
 *										 min/max inside them), header_len
 *										 covers up to their end
 *	 chunk data (each chunk at CocoonChunkDesc.offset from stripe start)
 *
 * The header (everything up to header_len) carries a CRC32C computed with
 * header_crc set to zero; each chunk's stored bytes carry their own CRC32C
 * in its CocoonChunkDesc.  All integers are stored in native (little-endian
 * on every platform PostgreSQL's Debian packages build cocoon for) order;
 * the magic number detects a mismatch.
 *
 * src/cocoon_format.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef COCOON_FORMAT_H
#define COCOON_FORMAT_H

#ifdef COCOON_SERVER
#include "c.h"
#else
/* standalone (test/fuzz): the same layout from <stdint.h> */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t uint8;
typedef uint16_t uint16;
typedef uint32_t uint32;
typedef uint64_t uint64;
typedef int16_t int16;
typedef int64_t int64;
#endif

#define COCOON_META_MAGIC		0x434F434E	/* "COCN" */
#define COCOON_STRIPE_MAGIC		0x53545250	/* "STRP" */
/*
 * Format version, in the metapage and in every stripe header; a build reads
 * exactly its own version (anything else is a clear error, not garbage).
 *	 1	first format
 *	 2	column codecs VARLENA (9) and JSONB (10), see src/codec/README
 *
 * Chunk flags HAS_BMINMAX and HAS_NMINMAX came later without a new version:
 * they live in bytes version 2 already had (pad, or min/max of columns that
 * had none), a build that does not know them ignores them, and a chunk
 * without them is simply never skipped by them.
 */
#define COCOON_FORMAT_VERSION	2

#define COCOON_METAPAGE_BLKNO	0
#ifdef COCOON_SERVER
#define COCOON_PAGE_DATA		(BLCKSZ - SizeOfPageHeaderData)
#endif

/* bloom filter sizes a chunk may have (bloom.h builds them) */
#define COCOON_BLOOM_MIN_LOG2	9		/* 64 bytes */
#define COCOON_BLOOM_MAX_LOG2	17		/* 16 KB */

/* A free byte range, left by stripes no snapshot can see any more */
typedef struct CocoonFreeRange
{
	uint64		offset;
	uint64		length;
} CocoonFreeRange;

#define COCOON_MAX_FREE_RANGES	400

typedef struct CocoonMetaPageData
{
	uint32		magic;
	uint32		version;
	uint64		storage_id;		/* key of this storage's rows in cocoon.stripe */
	uint64		next_row;		/* first row number not yet reserved */
	uint64		next_offset;	/* first logical byte not yet reserved */
	uint64		next_stripe_id; /* next stripe id to hand out */
	int64		last_compaction;	/* TimestampTz, 0 if never */
	int64		last_vacuum;	/* TimestampTz, 0 if never */
	uint64		bytes_reclaimed;	/* total freed by VACUUM */
	int64		max_partition_interval; /* widest partition_interval used */
	uint32		nfree;			/* entries used in free[] */
	int16		time_attno;		/* time column stripes were written with, 0 = none yet */
	uint16		pad;
	CocoonFreeRange free[COCOON_MAX_FREE_RANGES];	/* sorted by offset */
} CocoonMetaPageData;

/* Column flags */
#define COCOON_COL_DROPPED		0x01

typedef struct CocoonColumnDesc
{
	uint32		atttypid;		/* type at write time (informational) */
	int16		typlen;
	uint8		kind;			/* CocoonValueKind */
	uint8		flags;
} CocoonColumnDesc;

/* Chunk flags */
#define COCOON_CHUNK_HAS_MINMAX	0x01	/* min/max (int64 kinds) are valid */
#define COCOON_CHUNK_HAS_BLOOM	0x02	/* a bloom filter follows the data */
#define COCOON_CHUNK_HAS_FMINMAX 0x04	/* float column: min/max as cocoon_float_key */
#define COCOON_CHUNK_HAS_BMINMAX 0x08	/* text/varchar/uuid/bytea/bpchar: bytewise prefix bounds */
#define COCOON_CHUNK_HAS_NMINMAX 0x10	/* numeric: min/max as cocoon_float_key,
										 * rounded outward */
#define COCOON_CHUNK_HAS_EMINMAX 0x20	/* enum: min_value/max_value are the label OIDs of
										 * the least and greatest value in the enum's
										 * sort order (HAS_MINMAX is not set) */
#define COCOON_CHUNK_HAS_IMINMAX 0x40	/* interval: min/max as cocoon_float_key of
										 * the span (cocoon_interval_span), rounded
										 * outward */
#define COCOON_CHUNK_HAS_AMINMAX 0x80	/* inet/cidr: min/max as cocoon_float_key of
										 * cocoon_inet_key (ties allowed) */
/*
 * The flags byte is full.  The min/max flags apply to one column type each,
 * so a further type could share a bit keyed by its column type (as
 * HAS_EMINMAX does: the reader checks the stripe's column type); anything
 * else needs format version 3.
 */

/*
 * HAS_BMINMAX: a prefix of the chunk's bytewise (memcmp, shorter first)
 * smallest value and one of its largest (bpchar: of its values without
 * trailing blanks), in the 20 bytes from pad2 to the
 * end of max_value (COCOON_BOUND_BYTES at COCOON_BOUND_OFFSET): first
 * bound_len[0] bytes both share, then bound_len[1] & 0x7F more of the
 * minimum's, then bound_len[2] & 0x7F more of the maximum's.  Bit 0x80 of
 * bound_len[1] / [2]: the value is longer than its stored prefix.  The
 * three lengths add up to at most 20 (stripe_check.c checks it).
 * src/codec/bounds.c writes and reads them.
 */
#define COCOON_BOUND_BYTES		20
#define COCOON_BOUND_TRUNCATED	0x80

typedef struct CocoonChunkDesc
{
	uint64		offset;			/* from stripe start */
	uint64		stored_len;		/* bytes on disk */
	uint64		raw_len;		/* encoded bytes before compression */
	uint32		crc;			/* CRC32C of the stored bytes */
	uint32		nnulls;
	uint32		nrows;			/* rows in this chunk (same for all columns) */
	uint32		first;			/* index of its first row within the stripe */
	uint8		compression;	/* CocoonCompression */
	uint8		codec;			/* CocoonCodecId (informational) */
	uint8		flags;
	uint8		bloom_log2;		/* bloom filter has 2^bloom_log2 bits */
	uint8		bound_len[4];	/* HAS_BMINMAX: prefix lengths (above) */
	uint64		bloom_offset;	/* from stripe start */
	uint32		bloom_crc;		/* CRC32C of the bloom bytes */
	uint32		pad2;			/* HAS_BMINMAX: first 4 prefix bytes */
	int64		min_value;		/* HAS_MINMAX (int kinds, bool), HAS_FMINMAX, */
	int64		max_value;		/* HAS_NMINMAX; HAS_BMINMAX: prefix bytes */
} CocoonChunkDesc;

/* where the HAS_BMINMAX prefix bytes start: pad2, min_value, max_value */
#define COCOON_BOUND_OFFSET		offsetof(CocoonChunkDesc, pad2)

typedef struct CocoonStripeHeader
{
	uint32		magic;
	uint16		version;
	uint16		natts;
	uint32		header_len;		/* header + column descs + chunk descs */
	uint32		header_crc;
	uint64		stripe_id;
	uint64		first_row;
	uint32		nrows;
	uint32		chunk_rows;		/* rows per chunk (last chunk may be short) */
	uint32		nchunks;
	uint32		pad;
	uint64		total_len;		/* header + all chunk data */
	uint64		raw_bytes;		/* uncompressed size of the values */
} CocoonStripeHeader;

/*
 * An int64 whose order is PostgreSQL's float8 order: -Infinity < ... < -0 =
 * 0 < ... < Infinity < NaN (every NaN one key).  float4 values go through
 * their exact float8 value.  Stored as a float column chunk's min/max.
 */
static inline int64
cocoon_float_key(double v)
{
	union
	{
		double		d;
		uint64		u;
	}			x;

	if (v != v)
		return (int64) 0x7FFFFFFFFFFFFFFF;	/* NaN, above +Infinity's key */
	if (v == 0)
		v = 0;					/* -0 = 0 */
	x.d = v;
	if (x.u >> 63)
		x.u = ~x.u;
	else
		x.u |= (uint64) 1 << 63;
	return (int64) (x.u ^ ((uint64) 1 << 63));
}

#endif							/* COCOON_FORMAT_H */
