/*-------------------------------------------------------------------------
 *
 * varlena.c
 *	  Codecs for VK_VAR values that are PostgreSQL varlenas: VARLENA
 *	  (self-delimiting values, no separate lengths) and JSONB (a compact
 *	  document-order serialisation of jsonb's binary containers).
 *
 * How it works.  Both codecs apply only when the caller says what the
 * values are (CocoonVector.var_format) and when every value passes a
 * check; otherwise the encoder never offers them and VAR_PLAIN / DICT are
 * used as before.  Decoders produce exactly what VAR_PLAIN would (the
 * values with their varlena headers, back to back, plus offsets).
 *
 * VARLENA body: the values back to back, each one an uncompressed in-line
 * varlena in the little-endian layout: a 1-byte header (bit 0 set,
 * length = byte >> 1, header included, byte 0x01 is not allowed) or a
 * 4-byte header (low two bits 00, length = u32 >> 2).  The lengths stream
 * of VAR_PLAIN is redundant with these headers; leaving it out saves about
 * a byte per value after zstd (the headers compress with the text).
 *
 * JSONB body: varint total (decoded bytes of all values), then per value
 *
 *	 root	  u8 0x10 | flags | (0x40 if the varlena header is 4 bytes)
 *	 container: varint count, then the children in document order:
 *				object: per pair, key bytes + 0x00, then the value item;
 *				array: the element items
 *	 item	  u8 type: 0 string (bytes + 0x00), 1 numeric (varint length +
 *			  the numeric's bytes), 2 false, 3 true, 4 null,
 *			  0x10 | flags = a nested container (flags: 2 object,
 *			  4 array, 5 raw scalar array (count 1))
 *
 * i.e. no JEntry arrays, no alignment padding, each key next to its value
 * and strings delimited instead of length-prefixed, which is what general
 * purpose compressors model well: on log attributes zstd makes it ~30%
 * smaller than the same values in the binary layout.  jsonb strings
 * cannot contain U+0000, so 0x00 terminates them.  The decoder rebuilds the
 * binary layout (JEntries with an offset every 32nd entry, lengths
 * otherwise; numerics and containers 4-byte aligned relative to the
 * document start, zero padding) exactly as PostgreSQL's convertToJsonb
 * does.  The encoder does not trust that: it decodes what it serialised and
 * compares it with the input byte for byte, and when any value of the chunk
 * differs (or is not a valid jsonb, is nested deeper than
 * JSONB_MAX_DEPTH, contains a 0x00 in a string...), JSONB is not used.
 *
 * The jsonb layout (src/include/utils/jsonb.h) is a stable on-disk format
 * of PostgreSQL; it is restated here so that the library stays free of
 * server headers.
 *
 * src/codec/varlena.c
 *
 *-------------------------------------------------------------------------
 */
#ifdef COCOON_SERVER
#include "postgres.h"
#else
#include <stdlib.h>
#endif

#include "codec_internal.h"

/* jsonb binary layout */
#define JB_CMASK		0x0FFFFFFFu
#define JB_FSCALAR		0x10000000u
#define JB_FOBJECT		0x20000000u
#define JB_FARRAY		0x40000000u
#define JE_OFFLENMASK	0x0FFFFFFFu
#define JE_TYPEMASK		0x70000000u
#define JE_HAS_OFF		0x80000000u
#define JE_STRING		0x00000000u
#define JE_NUMERIC		0x10000000u
#define JE_FALSE		0x20000000u
#define JE_TRUE			0x30000000u
#define JE_NULL			0x40000000u
#define JE_CONTAINER	0x50000000u
#define JB_OFFSET_STRIDE 32

/* serialised item types */
#define JS_STRING		0
#define JS_NUMERIC		1
#define JS_FALSE		2
#define JS_TRUE			3
#define JS_NULL			4
#define JS_CONTAINER	0x10	/* | container flags (hdr >> 28) */
#define JS_ROOT_4B		0x40	/* root byte: 4-byte varlena header */

#define JSONB_MAX_DEPTH 64

/* -------- varlena headers -------- */

/*
 * Length (header included) of the in-line uncompressed varlena at p, of
 * which avail bytes are present; 0 if it is not one or does not fit.
 */
static inline size_t
varlena_len(const uint8_t *p, size_t avail)
{
	size_t		len;

	if (avail < 1)
		return 0;
	if (p[0] & 0x01)
	{
		if (p[0] == 0x01)
			return 0;			/* external TOAST pointer */
		len = p[0] >> 1;
	}
	else
	{
		if ((p[0] & 0x03) != 0 || avail < 4)
			return 0;			/* compressed in-line, or truncated */
		len = get_u32(p) >> 2;
		if (len < 4)
			return 0;
	}
	return len <= avail ? len : 0;
}

int
cocoon_varlena_check(const CocoonVector *vec)
{
	size_t		i;

	if (vec->kind != VK_VAR || vec->var_format < COCOON_VAR_VARLENA)
		return 0;
	for (i = 0; i < vec->nvalues; i++)
	{
		size_t		len = (size_t) (vec->offsets[i + 1] - vec->offsets[i]);

		if (len == 0 || varlena_len(vec->data + vec->offsets[i], len) != len)
			return 0;
	}
	return 1;
}

CocoonCodecResult
cocoon_varlena_decode(ByteReader *r, CocoonVector *vec, uint64_t *budget)
{
	size_t		n = vec->nvalues;
	size_t		total = br_left(r);
	const uint8_t *p = r->p;
	size_t		off = 0;
	size_t		i;

	/* every value takes at least one byte */
	if (n > total)
		return COCOON_CODEC_CORRUPT;
	if ((n + 1) > SIZE_MAX / sizeof(uint64_t) ||
		(n + 1) * sizeof(uint64_t) + total > *budget)
		return COCOON_CODEC_NOMEM;
	vec->offsets = codec_alloc((n + 1) * sizeof(uint64_t));
	vec->data = codec_alloc(total > 0 ? total : 1);
	if (vec->offsets == NULL || vec->data == NULL)
		return COCOON_CODEC_NOMEM;
	*budget -= (n + 1) * sizeof(uint64_t) + total;
	for (i = 0; i < n; i++)
	{
		size_t		len = varlena_len(p + off, total - off);

		if (len == 0)
			return COCOON_CODEC_CORRUPT;
		vec->offsets[i] = off;
		off += len;
	}
	vec->offsets[n] = off;
	if (off != total)
		return COCOON_CODEC_CORRUPT;
	if (total > 0)
		memcpy(vec->data, p, total);
	vec->data_len = total;
	r->p += total;
	return COCOON_CODEC_OK;
}

/* -------- JSONB: serialising (encoder) -------- */

/* Output with a capacity: writing past it fails (the caller falls back). */
typedef struct JsOut
{
	uint8_t    *p;
	size_t		n;
	size_t		cap;
	uint32_t   *ends;			/* stack of the open containers' entry ends */
	size_t		nends;
	size_t		endcap;
	int			nomem;
} JsOut;

static inline int
js_put(JsOut *o, const void *src, size_t len)
{
	if (len > o->cap - o->n)
		return 0;
	memcpy(o->p + o->n, src, len);
	o->n += len;
	return 1;
}

static inline int
js_byte(JsOut *o, uint8_t b)
{
	if (o->n >= o->cap)
		return 0;
	o->p[o->n++] = b;
	return 1;
}

static inline int
js_varint(JsOut *o, uint64_t v)
{
	if (o->cap - o->n < 10)
		return 0;
	o->n = (size_t) (varint_put(o->p + o->n, v) - o->p);
	return 1;
}

/*
 * Serialise the container at doc + off (clen bytes available to it; off
 * is relative to the document start).  Returns 0 when the bytes are not a
 * jsonb container this codec can represent (or the output is full).
 */
static int
js_container(const uint8_t *doc, size_t off, size_t clen, int depth,
			 JsOut *o, int root)
{
	uint32_t	hdr;
	uint32_t	count;
	uint32_t	flags;
	size_t		ne;
	size_t		dstart;
	size_t		dlen;
	size_t		i;
	size_t		base;
	uint32_t   *ends;
	int			isobj;
	uint32_t	prev = 0;

	if (depth > JSONB_MAX_DEPTH || clen < 4 || (off & 3) != 0)
		return 0;
	hdr = get_u32(doc + off);
	count = hdr & JB_CMASK;
	flags = hdr >> 28;
	if (flags != 2 && flags != 4 && flags != 5)
		return 0;
	if (flags == 5 && (count != 1 || !root))
		return 0;
	isobj = (flags == 2);
	ne = isobj ? (size_t) count * 2 : count;
	if (ne > (clen - 4) / 4)
		return 0;
	dstart = off + 4 + 4 * ne;
	dlen = clen - 4 - 4 * ne;
	if (!root && !js_byte(o, (uint8_t) (JS_CONTAINER | flags)))
		return 0;
	if (!js_varint(o, count))
		return 0;

	/* end offset of every entry (an offset every so often, else lengths) */
	if (ne > o->endcap - o->nends)
	{
		size_t		ncap = o->endcap * 2 > o->nends + ne ? o->endcap * 2 : o->nends + ne + 64;
		uint32_t   *ne2;

		if (ncap > SIZE_MAX / 4 || (ne2 = codec_alloc(ncap * 4)) == NULL)
		{
			o->nomem = 1;
			return 0;
		}
		if (o->nends > 0)
			memcpy(ne2, o->ends, o->nends * 4);
		codec_free(o->ends);
		o->ends = ne2;
		o->endcap = ncap;
	}
	base = o->nends;
	o->nends += ne;
	ends = ne > 0 ? o->ends + base : NULL;
	for (i = 0; i < ne; i++)
	{
		uint32_t	je = get_u32(doc + off + 4 + 4 * i);
		uint64_t	end = (je & JE_HAS_OFF) ? (je & JE_OFFLENMASK)
			: (uint64_t) prev + (je & JE_OFFLENMASK);

		if (end < prev || end > dlen)
			return 0;
		ends[i] = (uint32_t) end;
		prev = (uint32_t) end;
	}

	/* document order: object pair i = key i, value count + i */
	for (i = 0; i < (isobj ? (size_t) count : ne); i++)
	{
		int			pass;

		for (pass = isobj ? 0 : 1; pass < 2; pass++)
		{
			size_t		k = isobj ? (pass == 0 ? i : count + i) : i;
			uint32_t	je = get_u32(doc + off + 4 + 4 * k);
			size_t		start = k > 0 ? o->ends[base + k - 1] : 0;
			size_t		end = o->ends[base + k];
			uint32_t	type = je & JE_TYPEMASK;
			const uint8_t *sp = doc + dstart + start;

			if (pass == 0)
			{
				if (type != JE_STRING || memchr(sp, 0, end - start) != NULL ||
					!js_put(o, sp, end - start) || !js_byte(o, 0))
					return 0;
				continue;
			}
			switch (type)
			{
				case JE_STRING:
					if (memchr(sp, 0, end - start) != NULL ||
						!js_byte(o, JS_STRING) || !js_put(o, sp, end - start) ||
						!js_byte(o, 0))
						return 0;
					break;
				case JE_NUMERIC:
				case JE_CONTAINER:
					{
						size_t		a = (start + 3) & ~(size_t) 3;

						if (a > end)
							return 0;
						if (type == JE_NUMERIC)
						{
							if (!js_byte(o, JS_NUMERIC) || !js_varint(o, end - a) ||
								!js_put(o, doc + dstart + a, end - a))
								return 0;
						}
						else if (!js_container(doc, dstart + a, end - a,
											   depth + 1, o, 0))
							return 0;
						break;
					}
				case JE_FALSE:
				case JE_TRUE:
				case JE_NULL:
					if (end != start ||
						!js_byte(o, type == JE_FALSE ? JS_FALSE :
								 type == JE_TRUE ? JS_TRUE : JS_NULL))
						return 0;
					break;
				default:
					return 0;
			}
		}
	}
	o->nends = base;
	return 1;
}

/* Serialise one value (a jsonb varlena of exactly len bytes). */
static int
js_value(const uint8_t *v, size_t len, JsOut *o)
{
	size_t		hl;

	if (len == 0 || varlena_len(v, len) != len)
		return 0;
	hl = (v[0] & 0x01) ? 1 : 4;
	if (len - hl < 4)
		return 0;
	o->nends = 0;
	return js_byte(o, (uint8_t) (JS_CONTAINER | ((get_u32(v + hl) >> 28) & 0x0F) |
								 (hl == 4 ? JS_ROOT_4B : 0))) &&
		js_container(v + hl, 0, len - hl, 0, o, 1);
}

/* -------- JSONB: rebuilding (decoder) -------- */

/*
 * One pass over the serialisation per array; objects need their keys
 * before their values, so an object's pairs are scanned first (keys and
 * scalar values are remembered, nested containers skipped), then written.
 * A nested container is thus scanned once more per enclosing object, which
 * the depth limit bounds.
 */
typedef struct JPair
{
	const uint8_t *k;			/* key bytes */
	const uint8_t *v;			/* value: after its type byte; for strings
								 * and numerics the bytes themselves */
	uint32_t	klen;
	uint32_t	vlen;			/* strings and numerics */
	uint8_t		type;			/* JS_* */
} JPair;

typedef struct JBuild
{
	const uint8_t *end;			/* end of the input */
	uint8_t    *doc;			/* document start (after the varlena header) */
	size_t		pos;			/* next byte, relative to doc */
	size_t		limit;			/* bytes available from doc */
	JPair	   *pairs;			/* stack of the open objects' pairs */
	size_t		npairs;
	size_t		cap;
	int			nomem;
} JBuild;

/* NUL-terminated string at *pp; advances past the NUL */
static inline int
jb_cstring(JBuild *b, const uint8_t **pp, uint32_t *len)
{
	const uint8_t *p = *pp;
	const uint8_t *q = p;

	/*
	 * Eight bytes at a time while they are there; the lowest flagged byte
	 * of the zero-byte test is the first zero byte (little-endian load).
	 */
	for (;;)
	{
		if (b->end - q < 8)
		{
			while (q < b->end && *q != 0)
				q++;
			break;
		}
		else
		{
			uint64_t	w = get_u64(q);
			uint64_t	z = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;

			if (z != 0)
			{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				q += __builtin_ctzll(z) >> 3;
#else
				while (*q != 0)
					q++;
#endif
				break;
			}
			q += 8;
		}
	}
	if (q >= b->end || (size_t) (q - p) > JE_OFFLENMASK)
		return 0;
	*len = (uint32_t) (q - p);
	*pp = q + 1;
	return 1;
}

static inline int
jb_varint(JBuild *b, const uint8_t **pp, uint64_t *v)
{
	ByteReader	r;

	r.p = *pp;
	r.end = b->end;
	if (!br_varint(&r, v))
		return 0;
	*pp = r.p;
	return 1;
}

static int	jb_skip_container(JBuild *b, const uint8_t **pp, uint8_t t, int depth);

/* Does hay[0..hlen) contain needle[0..nlen) (nlen > 0)? */
static int
jb_contains(const uint8_t *hay, size_t hlen, const uint8_t *needle, size_t nlen)
{
	const uint8_t *p = hay;
	const uint8_t *last;

	if (hlen < nlen)
		return 0;
	last = hay + (hlen - nlen);
	while (p <= last)
	{
		p = memchr(p, needle[0], (size_t) (last - p) + 1);
		if (p == NULL)
			return 0;
		if (memcmp(p + 1, needle + 1, nlen - 1) == 0)
			return 1;
		p++;
	}
	return 0;
}

/* Skip one item (type byte at *pp). */
static int
jb_skip(JBuild *b, const uint8_t **pp, int depth)
{
	const uint8_t *p = *pp;
	uint8_t		t;
	uint32_t	len;
	uint64_t	v;

	if (p >= b->end)
		return 0;
	t = *p++;
	switch (t)
	{
		case JS_STRING:
			if (!jb_cstring(b, &p, &len))
				return 0;
			break;
		case JS_NUMERIC:
			if (!jb_varint(b, &p, &v) || v > (uint64_t) (b->end - p))
				return 0;
			p += v;
			break;
		case JS_FALSE:
		case JS_TRUE:
		case JS_NULL:
			break;
		default:
			if (!jb_skip_container(b, &p, t, depth))
				return 0;
	}
	*pp = p;
	return 1;
}

/* Skip the children of the container of type byte t (its count at *pp). */
static int
jb_skip_container(JBuild *b, const uint8_t **pp, uint8_t t, int depth)
{
	const uint8_t *p = *pp;
	unsigned	flags = t & 0x0F;
	uint64_t	v;
	uint64_t	i;
	uint32_t	len;

	if ((t & 0xF0) != JS_CONTAINER ||
		(flags != 2 && flags != 4 && flags != 5) ||
		depth > JSONB_MAX_DEPTH ||
		!jb_varint(b, &p, &v) || v > (uint64_t) (b->end - p))
		return 0;
	for (i = 0; i < v; i++)
	{
		if (flags == 2 && !jb_cstring(b, &p, &len))
			return 0;
		if (!jb_skip(b, &p, depth + 1))
			return 0;
	}
	*pp = p;
	return 1;
}

/* src..src+len lies within the input (ends at b->end) */
static inline int
jb_bytes(JBuild *b, const uint8_t *src, size_t len)
{
	if (len > b->limit - b->pos)
		return 0;
	if (len <= 16 && b->limit - b->pos >= 16 && b->end - src >= 16)
	{
		/* short strings: one fixed-size copy (the excess is overwritten) */
		memcpy(b->doc + b->pos, src, 16);
	}
	else
		memcpy(b->doc + b->pos, src, len);
	b->pos += len;
	return 1;
}

static inline int
jb_pad(JBuild *b)
{
	while (b->pos & 3)
	{
		if (b->pos >= b->limit)
			return 0;
		b->doc[b->pos++] = 0;
	}
	return 1;
}

static int	jb_container(JBuild *b, const uint8_t **pp, uint8_t t, int depth);

/*
 * Write one value of type t whose bytes follow its type byte at *pp; *meta
 * gets its JEntry type and length.
 */
static int
jb_value(JBuild *b, const uint8_t **pp, uint8_t t, int depth, uint32_t *meta)
{
	size_t		start = b->pos;
	uint32_t	type;
	const uint8_t *p = *pp;

	switch (t)
	{
		case JS_STRING:
			{
				uint32_t	len;

				type = JE_STRING;
				if (!jb_cstring(b, &p, &len) || !jb_bytes(b, *pp, len))
					return 0;
				break;
			}
		case JS_NUMERIC:
			{
				uint64_t	v;

				type = JE_NUMERIC;
				if (!jb_varint(b, &p, &v) || v > (uint64_t) (b->end - p) ||
					!jb_pad(b) || !jb_bytes(b, p, (size_t) v))
					return 0;
				p += v;
				break;
			}
		case JS_FALSE:
			type = JE_FALSE;
			break;
		case JS_TRUE:
			type = JE_TRUE;
			break;
		case JS_NULL:
			type = JE_NULL;
			break;
		default:
			type = JE_CONTAINER;
			if (!jb_pad(b) || !jb_container(b, &p, t, depth + 1))
				return 0;
			break;
	}
	if (b->pos - start > JE_OFFLENMASK)
		return 0;
	*meta = type | (uint32_t) (b->pos - start);
	*pp = p;
	return 1;
}

/* JEntry k of a container, given its type/length and the running total */
static inline uint32_t
jb_jentry(uint32_t meta, size_t k, uint32_t total)
{
	return (k % JB_OFFSET_STRIDE) == 0
		? (meta & JE_TYPEMASK) | total | JE_HAS_OFF : meta;
}

/* Write the container of type byte t whose count follows at *pp. */
static int
jb_container(JBuild *b, const uint8_t **pp, uint8_t t, int depth)
{
	unsigned	flags = t & 0x0F;
	const uint8_t *p = *pp;
	uint64_t	n;
	size_t		ne;
	size_t		jpos;
	size_t		i;
	uint32_t	total = 0;

	if ((t & 0xF0) != JS_CONTAINER || (flags != 2 && flags != 4 && flags != 5) ||
		depth > JSONB_MAX_DEPTH)
		return 0;
	/* each child takes at least one input byte */
	if (!jb_varint(b, &p, &n) || n > JB_CMASK || n > (uint64_t) (b->end - p) ||
		(flags == 5 && n != 1))
		return 0;
	ne = flags == 2 ? 2 * (size_t) n : (size_t) n;
	if (b->limit - b->pos < 4 || (b->limit - b->pos - 4) / 4 < ne)
		return 0;
	put_u32(b->doc + b->pos, (uint32_t) n | ((uint32_t) flags << 28));
	jpos = b->pos + 4;
	b->pos = jpos + 4 * ne;

	if (flags != 2)
	{
		for (i = 0; i < n; i++)
		{
			uint32_t	meta;

			if (p >= b->end)
				return 0;
			t = *p++;
			if (!jb_value(b, &p, t, depth, &meta) ||
				(meta & JE_OFFLENMASK) > JE_OFFLENMASK - total)
				return 0;
			total += meta & JE_OFFLENMASK;
			put_u32(b->doc + jpos + 4 * i, jb_jentry(meta, i, total));
		}
	}
	else
	{
		size_t		base = b->npairs;
		JPair	   *pr;

		/* scan the pairs */
		if (n > b->cap - b->npairs)
		{
			size_t		ncap = b->cap * 2 > b->npairs + n ? b->cap * 2 : b->npairs + n + 16;
			JPair	   *np;

			if (ncap > SIZE_MAX / sizeof(JPair) ||
				(np = codec_alloc(ncap * sizeof(JPair))) == NULL)
			{
				b->nomem = 1;
				return 0;
			}
			if (b->npairs > 0)
				memcpy(np, b->pairs, b->npairs * sizeof(JPair));
			codec_free(b->pairs);
			b->pairs = np;
			b->cap = ncap;
		}
		b->npairs += n;
		for (i = 0; i < n; i++)
		{
			pr = &b->pairs[base + i];
			pr->k = p;
			if (!jb_cstring(b, &p, &pr->klen) || p >= b->end)
				return 0;
			pr->type = *p++;
			if (pr->type == JS_STRING)
			{
				pr->v = p;
				if (!jb_cstring(b, &p, &pr->vlen))
					return 0;
			}
			else if (pr->type == JS_NUMERIC)
			{
				uint64_t	v;

				if (!jb_varint(b, &p, &v) || v > (uint64_t) (b->end - p) ||
					v > JE_OFFLENMASK)
					return 0;
				pr->v = p;
				pr->vlen = (uint32_t) v;
				p += v;
			}
			else
			{
				pr->v = p;
				p--;
				if (!jb_skip(b, &p, depth + 1))
					return 0;
			}
		}
		/* keys */
		for (i = 0; i < n; i++)
		{
			pr = &b->pairs[base + i];
			if (!jb_bytes(b, pr->k, pr->klen) || pr->klen > JE_OFFLENMASK - total)
				return 0;
			total += pr->klen;
			put_u32(b->doc + jpos + 4 * i,
					jb_jentry(JE_STRING | pr->klen, i, total));
		}
		/* values */
		for (i = 0; i < n; i++)
		{
			const uint8_t *vp;
			uint32_t	meta;

			pr = &b->pairs[base + i];
			vp = pr->v;
			if (pr->type == JS_STRING)
			{
				if (!jb_bytes(b, vp, pr->vlen))
					return 0;
				meta = JE_STRING | pr->vlen;
			}
			else if (pr->type == JS_NUMERIC)
			{
				size_t		s0 = b->pos;

				if (!jb_pad(b) || !jb_bytes(b, vp, pr->vlen) ||
					b->pos - s0 > JE_OFFLENMASK)
					return 0;
				meta = JE_NUMERIC | (uint32_t) (b->pos - s0);
			}
			else if (!jb_value(b, &vp, pr->type, depth, &meta))
				return 0;
			if ((meta & JE_OFFLENMASK) > JE_OFFLENMASK - total)
				return 0;
			total += meta & JE_OFFLENMASK;
			put_u32(b->doc + jpos + 4 * (n + i), jb_jentry(meta, n + i, total));
		}
		b->npairs = base;
	}
	*pp = p;
	return 1;
}

/*
 * Decode the JSONB body at r into vec (offsets + data).  Also used by the
 * encoder to verify its output.  With a needle, values whose serialised
 * bytes lack it are only skipped over (checked as far as skipping checks
 * them), given no bytes, and marked in vec->skipped.
 */
CocoonCodecResult
cocoon_jsonb_decode(ByteReader *r, CocoonVector *vec, uint64_t *budget,
					const uint8_t *needle, size_t needle_len)
{
	size_t		n = vec->nvalues;
	uint64_t	total;
	size_t		inlen;
	JBuild		b;
	const uint8_t *p;
	size_t		off = 0;
	size_t		i;
	CocoonCodecResult res = COCOON_CODEC_CORRUPT;

	memset(&b, 0, sizeof(b));
	if (!br_varint(r, &total))
		return COCOON_CODEC_CORRUPT;
	inlen = br_left(r);
	/* each value takes >= 2 input bytes; output <= 12 bytes per input byte */
	if (n > inlen / 2 || total / 12 > inlen || total > SIZE_MAX / 2)
		return COCOON_CODEC_CORRUPT;
	if ((n + 1) > SIZE_MAX / sizeof(uint64_t) ||
		(n + 1) * sizeof(uint64_t) > *budget ||
		total > *budget - (n + 1) * sizeof(uint64_t))
		return COCOON_CODEC_NOMEM;
	if (needle_len == 0)
		needle = NULL;
	vec->offsets = codec_alloc((n + 1) * sizeof(uint64_t));
	vec->data = codec_alloc(total > 0 ? (size_t) total : 1);
	if (needle != NULL)
	{
		vec->skipped = codec_alloc(n / 8 + 1);
		if (vec->skipped != NULL)
			memset(vec->skipped, 0, n / 8 + 1);
	}
	if (vec->offsets == NULL || vec->data == NULL ||
		(needle != NULL && vec->skipped == NULL))
		return COCOON_CODEC_NOMEM;
	*budget -= (n + 1) * sizeof(uint64_t) + total;

	b.end = r->end;
	p = r->p;
	for (i = 0; i < n; i++)
	{
		uint8_t		rootb;
		size_t		hl;
		size_t		len;

		if (p >= b.end)
			goto out;
		if (needle != NULL)
		{
			const uint8_t *q = p + 1;

			if (!jb_skip_container(&b, &q, (uint8_t) (*p & ~JS_ROOT_4B), 0))
				goto out;
			if (!jb_contains(p, (size_t) (q - p), needle, needle_len))
			{
				vec->skipped[i / 8] |= (uint8_t) (1u << (i % 8));
				vec->offsets[i] = off;
				p = q;
				continue;
			}
		}
		rootb = *p++;
		hl = (rootb & JS_ROOT_4B) ? 4 : 1;
		if (total - off < hl)
			goto out;
		b.doc = vec->data + off + hl;
		b.pos = 0;
		b.limit = (size_t) total - off - hl;
		if (!jb_container(&b, &p, (uint8_t) (rootb & ~JS_ROOT_4B), 0))
		{
			if (b.nomem)
				res = COCOON_CODEC_NOMEM;
			goto out;
		}
		len = hl + b.pos;
		if (hl == 1)
		{
			if (len > 127)
				goto out;
			vec->data[off] = (uint8_t) ((len << 1) | 1);
		}
		else
		{
			if (len > 0x3FFFFFFF)
				goto out;
			put_u32(vec->data + off, (uint32_t) (len << 2));
		}
		vec->offsets[i] = off;
		off += len;
	}
	vec->offsets[n] = off;
	if (needle == NULL ? off != total : off > total)
		goto out;
	r->p = p;
	vec->data_len = total;
	res = COCOON_CODEC_OK;
out:
	codec_free(b.pairs);
	return res;
}

/*
 * The JSONB body for vec, or *body = NULL when JSONB does not apply to it
 * (not all values serialise and rebuild to identical bytes).  On success
 * *body is the written body (codec_alloc'ed, *size bytes).
 */
CocoonCodecResult
cocoon_jsonb_encode(const CocoonVector *vec, uint8_t **body, size_t *size)
{
	size_t		n = vec->nvalues;
	JsOut		o;
	size_t		i;
	uint64_t	total;
	CocoonVector chk;
	ByteReader	r;
	uint64_t	budget = UINT64_MAX;
	CocoonCodecResult res = COCOON_CODEC_OK;
	int			ok = 1;

	*body = NULL;
	*size = 0;
	if (vec->kind != VK_VAR || vec->var_format != COCOON_VAR_JSONB || n == 0)
		return COCOON_CODEC_OK;
	total = vec->offsets[n] - vec->offsets[0];
	if (total > SIZE_MAX / 4)
		return COCOON_CODEC_OK;

	/*
	 * One pass into a buffer as large as the input plus a quarter: per
	 * entry the serialisation needs at most 5 bytes where the binary layout
	 * has a 4-byte JEntry (and headers), so a valid jsonb fits; a value that
	 * does not is not used.
	 */
	memset(&o, 0, sizeof(o));
	o.cap = (size_t) total + (size_t) total / 4 + 16;
	o.p = codec_alloc(o.cap);
	if (o.p == NULL)
		return COCOON_CODEC_NOMEM;
	o.n = (size_t) (varint_put(o.p, total) - o.p);
	for (i = 0; i < n && ok; i++)
		ok = js_value(vec->data + vec->offsets[i],
					  (size_t) (vec->offsets[i + 1] - vec->offsets[i]), &o);
	codec_free(o.ends);
	if (!ok)
	{
		codec_free(o.p);
		return o.nomem ? COCOON_CODEC_NOMEM : COCOON_CODEC_OK;
	}

	/* rebuild and compare */
	memset(&chk, 0, sizeof(chk));
	chk.kind = VK_VAR;
	chk.nvalues = vec->nvalues;
	r.p = o.p;
	r.end = o.p + o.n;
	res = cocoon_jsonb_decode(&r, &chk, &budget, NULL, 0);
	if (res == COCOON_CODEC_OK && r.p == r.end && chk.data_len == total &&
		(total == 0 || memcmp(chk.data, vec->data + vec->offsets[0], (size_t) total) == 0))
	{
		*body = o.p;
		*size = o.n;
	}
	else
		codec_free(o.p);
	cocoon_vector_free(&chk);
	return res == COCOON_CODEC_NOMEM ? res : COCOON_CODEC_OK;
}
