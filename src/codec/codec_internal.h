/*-------------------------------------------------------------------------
 *
 * codec_internal.h
 *	  Private helpers shared by the cocoon codec source files.
 *
 * How it works: this header holds the little-endian load/store helpers,
 * the LEB128 varint helpers, a bounds-checked byte reader, an LSB-first
 * bit writer/reader (used by Gorilla and by the block bit-packer) and the
 * declarations of the block-packed integer streams implemented in
 * bitpack.c.  Nothing here is part of the public API (see codec.h).
 *
 * A "packed stream" holds n unsigned 64-bit values (n is known from the
 * context, it is never stored).  The values are cut into blocks of
 * COCOON_BLOCK values (the last block may be shorter); each block is
 *
 *	 u8		  width w (0..64)
 *	 varint	  zigzag(base), base = the smallest value of the block, taken
 *			  in signed order (so small negative values pack tightly too)
 *	 ceil(cnt * w / 8) bytes: (value - base), w bits each, LSB first
 *
 * so a block of equal values costs two bytes, and every block adapts its
 * width to its own range.
 *
 * src/codec/codec_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef COCOON_CODEC_INTERNAL_H
#define COCOON_CODEC_INTERNAL_H

#include <string.h>

#include "codec.h"

#define COCOON_BLOCK 128

/* Payload kind byte, then for VK_FIXED a u32 fixed_len. */
#define COCOON_HEADER_SIZE 10	/* codec, flags, nrows, nvalues */
#define COCOON_FLAG_NULLS 0x01

static inline void
put_u32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &v, 4);
#else
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	p[2] = (uint8_t) (v >> 16);
	p[3] = (uint8_t) (v >> 24);
#endif
}

static inline uint32_t
get_u32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t	v;

	memcpy(&v, p, 4);
	return v;
#else
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) |
		((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
#endif
}

static inline void
put_u64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &v, 8);
#else
	put_u32(p, (uint32_t) v);
	put_u32(p + 4, (uint32_t) (v >> 32));
#endif
}

static inline uint64_t
get_u64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t	v;

	memcpy(&v, p, 8);
	return v;
#else
	return (uint64_t) get_u32(p) | ((uint64_t) get_u32(p + 4) << 32);
#endif
}

/* Load up to 8 bytes (little-endian) from p; n bytes are present. */
static inline uint64_t
load_partial(const uint8_t *p, size_t n)
{
	uint64_t	v = 0;
	size_t		i;

	if (n >= 8)
		return get_u64(p);
	for (i = 0; i < n; i++)
		v |= (uint64_t) p[i] << (8 * i);
	return v;
}

static inline uint64_t
zigzag_enc(uint64_t x)
{
	return (x << 1) ^ ((uint64_t) 0 - (x >> 63));
}

static inline uint64_t
zigzag_dec(uint64_t z)
{
	return (z >> 1) ^ ((uint64_t) 0 - (z & 1));
}

/* Number of bits needed to hold v (0 for v == 0). */
static inline unsigned
bit_width(uint64_t v)
{
	return v == 0 ? 0 : 64 - (unsigned) __builtin_clzll(v);
}

static inline size_t
varint_len(uint64_t v)
{
	size_t		n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

static inline uint8_t *
varint_put(uint8_t *p, uint64_t v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t) v;
	return p;
}

/*
 * Bounds-checked reader over an input buffer.  Every get_* returns false
 * when the bytes are not there (or are malformed).
 */
typedef struct ByteReader
{
	const uint8_t *p;
	const uint8_t *end;
} ByteReader;

static inline size_t
br_left(const ByteReader *r)
{
	return (size_t) (r->end - r->p);
}

static inline int
br_u8(ByteReader *r, uint8_t *v)
{
	if (r->p >= r->end)
		return 0;
	*v = *r->p++;
	return 1;
}

static inline int
br_u32(ByteReader *r, uint32_t *v)
{
	if (br_left(r) < 4)
		return 0;
	*v = get_u32(r->p);
	r->p += 4;
	return 1;
}

static inline int
br_u64(ByteReader *r, uint64_t *v)
{
	if (br_left(r) < 8)
		return 0;
	*v = get_u64(r->p);
	r->p += 8;
	return 1;
}

static inline int
br_varint(ByteReader *r, uint64_t *v)
{
	uint64_t	x = 0;
	unsigned	shift = 0;

	for (;;)
	{
		uint8_t		b;

		if (r->p >= r->end)
			return 0;
		b = *r->p++;
		if (shift == 63 && (b & 0x7E) != 0)
			return 0;			/* more than 64 bits */
		x |= (uint64_t) (b & 0x7F) << shift;
		if ((b & 0x80) == 0)
			break;
		shift += 7;
		if (shift > 63)
			return 0;
	}
	*v = x;
	return 1;
}

/*
 * LSB-first bit writer.  Bits accumulate in a 64-bit word that is stored
 * eight bytes at a time; bw_flush writes the last partial word (only the
 * bytes that hold bits).  The caller sizes the buffer.
 */
typedef struct BitWriter
{
	uint8_t    *p;
	uint64_t	acc;
	unsigned	n;				/* bits in acc, 0..63 */
} BitWriter;

static inline void
bw_init(BitWriter *w, uint8_t *p)
{
	w->p = p;
	w->acc = 0;
	w->n = 0;
}

/* Append the low 'width' bits of v (v must fit in width bits), width <= 64. */
static inline void
bw_put(BitWriter *w, uint64_t v, unsigned width)
{
	unsigned	total;

	if (width == 0)
		return;
	w->acc |= v << w->n;
	total = w->n + width;
	if (total >= 64)
	{
		put_u64(w->p, w->acc);
		w->p += 8;
		w->acc = w->n ? v >> (64 - w->n) : 0;
		w->n = total - 64;
	}
	else
		w->n = total;
}

static inline uint8_t *
bw_flush(BitWriter *w)
{
	while (w->n > 0)
	{
		*w->p++ = (uint8_t) w->acc;
		w->acc >>= 8;
		w->n = w->n > 8 ? w->n - 8 : 0;
	}
	return w->p;
}

/*
 * Bit reader over [base, base + len).  br_bits reads 'width' (1..64) bits at
 * the current position; the caller must have checked that they are there
 * (pos + width <= nbits).
 */
typedef struct BitReader
{
	const uint8_t *base;
	size_t		len;			/* bytes */
	uint64_t	pos;			/* bit position */
	uint64_t	nbits;
} BitReader;

static inline void
bitr_init(BitReader *r, const uint8_t *base, size_t len)
{
	r->base = base;
	r->len = len;
	r->pos = 0;
	r->nbits = (uint64_t) len * 8;
}

static inline uint64_t
bitr_get(BitReader *r, unsigned width)
{
	size_t		byte = (size_t) (r->pos >> 3);
	unsigned	sh = (unsigned) (r->pos & 7);
	uint64_t	v;

	if (width == 0)
		return 0;
	if (byte + 8 <= r->len)
		v = get_u64(r->base + byte) >> sh;
	else
		v = load_partial(r->base + byte, r->len - byte) >> sh;
	if (sh + width > 64)
		v |= (uint64_t) r->base[byte + 8] << (64 - sh);
	if (width < 64)
		v &= ((uint64_t) 1 << width) - 1;
	r->pos += width;
	return v;
}

/* bitpack.c: block-packed uint64 streams (format above). */
extern size_t cocoon_stream_size(const uint64_t *v, size_t n);
extern uint8_t *cocoon_stream_write(uint8_t *p, const uint64_t *v, size_t n);
extern int	cocoon_stream_read(ByteReader *r, uint64_t *out, size_t n);
extern int	cocoon_stream_plausible(const ByteReader *r, size_t n);

/* varlena.c: the VARLENA and JSONB codecs (VK_VAR) */
extern int	cocoon_varlena_check(const CocoonVector *vec);
extern CocoonCodecResult cocoon_varlena_decode(ByteReader *r, CocoonVector *vec,
											   uint64_t *budget);
extern CocoonCodecResult cocoon_jsonb_encode(const CocoonVector *vec,
											 uint8_t **body, size_t *size);
extern CocoonCodecResult cocoon_jsonb_decode(ByteReader *r, CocoonVector *vec,
											 uint64_t *budget,
											 const uint8_t *needle, size_t needle_len);

#endif							/* COCOON_CODEC_INTERNAL_H */
