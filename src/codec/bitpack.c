/*-------------------------------------------------------------------------
 *
 * bitpack.c
 *	  Block-wise bit-packing of unsigned 64-bit integer streams.
 *
 * How it works: a stream of n values (n is known to the caller and is not
 * stored) is cut into blocks of COCOON_BLOCK (128) values.  Each block
 * stores its own frame of reference and bit width:
 *
 *	 u8		  width w (0..64): bits needed for (max - min) of the block
 *	 varint	  zigzag(base): base = min of the block (LEB128)
 *	 ceil(cnt * w / 8) bytes: each (value - base) in w bits, LSB first
 *
 * Values are uint64_t, but min and max are taken in *signed* (two's
 * complement) order, and the base is zigzag-encoded, so a block of small
 * negative and positive numbers (deltas, delta-of-deltas) packs as tightly
 * as a block of small positive ones, and no separate zigzag step is needed
 * before packing.  All arithmetic is unsigned and wraps, so any 64-bit
 * values round-trip.
 *
 * A block of equal values therefore costs two bytes (w = 0), and each
 * block adapts to its local range, so a few outliers only widen the block
 * they are in.  Since 128 * w bits is always a whole number of bytes, only
 * the final (short) block has padding bits; they must be zero.
 *
 * Packing accumulates bits in a 64-bit word and stores whole words; the
 * unpacker reads an unaligned 64-bit little-endian word at each value's
 * byte offset (falling back to a byte-wise load near the end of the input
 * buffer) and takes one extra byte when a value straddles the word.  Both
 * directions are O(n) with no allocation.
 *
 * The reader never trusts its input: the width byte, the varint and the
 * packed byte count are checked against the bytes actually present.
 *
 * src/codec/bitpack.c
 *
 *-------------------------------------------------------------------------
 */
#ifdef COCOON_SERVER
#include "postgres.h"
#endif

#include "codec_internal.h"

/* flipping the sign bit maps signed order onto unsigned order */
#define SIGN_BIT ((uint64_t) 1 << 63)

/* Bytes a stream of n values will take (exact). */
size_t
cocoon_stream_size(const uint64_t *v, size_t n)
{
	size_t		size = 0;
	size_t		start;

	for (start = 0; start < n; start += COCOON_BLOCK)
	{
		size_t		cnt = n - start < COCOON_BLOCK ? n - start : COCOON_BLOCK;
		uint64_t	mn = v[start] ^ SIGN_BIT;
		uint64_t	mx = mn;
		size_t		i;
		unsigned	w;

		for (i = 1; i < cnt; i++)
		{
			uint64_t	x = v[start + i] ^ SIGN_BIT;

			mn = x < mn ? x : mn;
			mx = x > mx ? x : mx;
		}
		w = bit_width(mx - mn);
		size += 1 + varint_len(zigzag_enc(mn ^ SIGN_BIT)) + (cnt * w + 7) / 8;
	}
	return size;
}

/* Write the stream; returns the end pointer.  The caller sized the buffer. */
uint8_t *
cocoon_stream_write(uint8_t *p, const uint64_t *v, size_t n)
{
	size_t		start;

	for (start = 0; start < n; start += COCOON_BLOCK)
	{
		size_t		cnt = n - start < COCOON_BLOCK ? n - start : COCOON_BLOCK;
		const uint64_t *b = v + start;
		uint64_t	mn = b[0] ^ SIGN_BIT;
		uint64_t	mx = mn;
		size_t		i;
		unsigned	w;

		for (i = 1; i < cnt; i++)
		{
			uint64_t	x = b[i] ^ SIGN_BIT;

			mn = x < mn ? x : mn;
			mx = x > mx ? x : mx;
		}
		w = bit_width(mx - mn);
		mn ^= SIGN_BIT;
		*p++ = (uint8_t) w;
		p = varint_put(p, zigzag_enc(mn));
		if (w > 0)
		{
			BitWriter	bw;

			bw_init(&bw, p);
			for (i = 0; i < cnt; i++)
				bw_put(&bw, b[i] - mn, w);
			p = bw_flush(&bw);
		}
	}
	return p;
}

/*
 * Can r possibly hold a stream of n values?  (Each block takes at least two
 * bytes.)  Used to reject absurd counts before allocating for them.
 */
int
cocoon_stream_plausible(const ByteReader *r, size_t n)
{
	size_t		nblocks = n / COCOON_BLOCK + (n % COCOON_BLOCK != 0);

	return nblocks <= br_left(r) / 2;
}

/* Read a stream of n values into out[n]; returns 0 if the input is bad. */
int
cocoon_stream_read(ByteReader *r, uint64_t *out, size_t n)
{
	size_t		start;

	for (start = 0; start < n; start += COCOON_BLOCK)
	{
		size_t		cnt = n - start < COCOON_BLOCK ? n - start : COCOON_BLOCK;
		uint64_t   *o = out + start;
		uint8_t		w;
		uint64_t	base;
		size_t		nbytes;
		size_t		avail;
		const uint8_t *src;
		size_t		i;

		if (!br_u8(r, &w) || w > 64 || !br_varint(r, &base))
			return 0;
		base = zigzag_dec(base);
		if (w == 0)
		{
			for (i = 0; i < cnt; i++)
				o[i] = base;
			continue;
		}
		nbytes = (cnt * w + 7) / 8;
		avail = br_left(r);
		if (nbytes > avail)
			return 0;
		src = r->p;
		/* padding bits of the block's last byte must be zero */
		if ((cnt * w) % 8 != 0 &&
			(src[nbytes - 1] >> ((cnt * w) % 8)) != 0)
			return 0;

		if (w == 64)
		{
			for (i = 0; i < cnt; i++)
				o[i] = base + get_u64(src + 8 * i);
		}
		else
		{
			uint64_t	mask = ((uint64_t) 1 << w) - 1;
			size_t		bit = 0;

			for (i = 0; i < cnt; i++, bit += w)
			{
				size_t		byte = bit >> 3;
				unsigned	sh = (unsigned) (bit & 7);
				uint64_t	x;

				if (byte + 8 <= avail)
					x = get_u64(src + byte) >> sh;
				else
					x = load_partial(src + byte, avail - byte) >> sh;
				if (sh + w > 64)
					x |= (uint64_t) src[byte + 8] << (64 - sh);
				o[i] = base + (x & mask);
			}
		}
		r->p += nbytes;
	}
	return 1;
}
