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
#define JS_KEY			0xFF	/* node type of an object key (never
								 * written) */
#define JS_ROOT_4B		0x40	/* root byte: 4-byte varlena header */

#define JSONB_MAX_DEPTH 256

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

typedef struct JsOut
{
	uint8_t    *p;				/* NULL: only count */
	size_t		n;
} JsOut;

static inline void
js_put(JsOut *o, const void *src, size_t len)
{
	if (o->p && len > 0)
		memcpy(o->p + o->n, src, len);
	o->n += len;
}

static inline void
js_byte(JsOut *o, uint8_t b)
{
	if (o->p)
		o->p[o->n] = b;
	o->n++;
}

static inline void
js_varint(JsOut *o, uint64_t v)
{
	if (o->p)
		varint_put(o->p + o->n, v);
	o->n += varint_len(v);
}

/*
 * Serialise the container at doc + off (clen bytes available to it; off
 * is relative to the document start).  Returns 0 when the bytes are not a
 * jsonb container this codec can represent.
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
	int			isobj;

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
	if (!root)
		js_byte(o, (uint8_t) (JS_CONTAINER | flags));
	js_varint(o, count);

	/*
	 * Visit entries in document order: object pair i = key i, value
	 * count + i.  The start of entry k is the end of entry k - 1, which is
	 * found by walking back to the nearest stored offset.
	 */
	for (i = 0; i < (isobj ? (size_t) count : ne); i++)
	{
		int			pass;

		for (pass = 0; pass < (isobj ? 2 : 1); pass++)
		{
			size_t		k = isobj ? (pass == 0 ? i : count + i) : i;
			uint32_t	je = get_u32(doc + off + 4 + 4 * k);
			size_t		start = 0;
			size_t		end;
			size_t		j;
			uint32_t	type = je & JE_TYPEMASK;

			/* start = end of entry k - 1 */
			for (j = k; j > 0; j--)
			{
				uint32_t	pj = get_u32(doc + off + 4 + 4 * (j - 1));

				start += pj & JE_OFFLENMASK;
				if (pj & JE_HAS_OFF)
					break;
			}
			if (je & JE_HAS_OFF)
			{
				end = je & JE_OFFLENMASK;
				if (end < start)
					return 0;
			}
			else
				end = start + (je & JE_OFFLENMASK);
			if (end > dlen)
				return 0;

			if (isobj && pass == 0)
			{
				if (type != JE_STRING ||
					memchr(doc + dstart + start, 0, end - start) != NULL)
					return 0;
				js_put(o, doc + dstart + start, end - start);
				js_byte(o, 0);
				continue;
			}
			switch (type)
			{
				case JE_STRING:
					if (memchr(doc + dstart + start, 0, end - start) != NULL)
						return 0;
					js_byte(o, JS_STRING);
					js_put(o, doc + dstart + start, end - start);
					js_byte(o, 0);
					break;
				case JE_NUMERIC:
				case JE_CONTAINER:
					{
						size_t		a = (start + 3) & ~(size_t) 3;

						if (a > end)
							return 0;
						if (type == JE_NUMERIC)
						{
							js_byte(o, JS_NUMERIC);
							js_varint(o, end - a);
							js_put(o, doc + dstart + a, end - a);
						}
						else if (!js_container(doc, dstart + a, end - a,
											   depth + 1, o, 0))
							return 0;
						break;
					}
				case JE_FALSE:
				case JE_TRUE:
				case JE_NULL:
					if (end != start)
						return 0;
					js_byte(o, type == JE_FALSE ? JS_FALSE :
							type == JE_TRUE ? JS_TRUE : JS_NULL);
					break;
				default:
					return 0;
			}
		}
	}
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
	js_byte(o, (uint8_t) (JS_CONTAINER | ((get_u32(v + hl) >> 28) & 0x0F) |
						  (hl == 4 ? JS_ROOT_4B : 0)));
	return js_container(v + hl, 0, len - hl, 0, o, 1);
}

/* -------- JSONB: rebuilding (decoder) -------- */

typedef struct JNode
{
	uint8_t		type;			/* JS_* or JS_KEY */
	uint32_t	count;			/* containers */
	size_t		next;			/* containers: index after the subtree */
	const uint8_t *p;			/* strings, keys, numerics */
	size_t		len;
} JNode;

typedef struct JParse
{
	JNode	   *nodes;
	size_t		n;
	size_t		cap;
} JParse;

static int
jp_push(JParse *jp, size_t *idx)
{
	if (jp->n == jp->cap)
	{
		size_t		ncap = jp->cap ? jp->cap * 2 : 64;
		JNode	   *nn;

		if (ncap > SIZE_MAX / sizeof(JNode))
			return 0;
		nn = codec_alloc(ncap * sizeof(JNode));
		if (nn == NULL)
			return 0;
		if (jp->n > 0)
			memcpy(nn, jp->nodes, jp->n * sizeof(JNode));
		codec_free(jp->nodes);
		jp->nodes = nn;
		jp->cap = ncap;
	}
	*idx = jp->n++;
	memset(&jp->nodes[*idx], 0, sizeof(JNode));
	return 1;
}

static int
jp_cstring(ByteReader *r, const uint8_t **p, size_t *len)
{
	const uint8_t *z = memchr(r->p, 0, br_left(r));

	if (z == NULL)
		return 0;
	*p = r->p;
	*len = (size_t) (z - r->p);
	r->p = z + 1;
	return 1;
}

/* Parse one item whose type byte is t; -1 = out of memory, 0 = corrupt. */
static int
jp_item(JParse *jp, ByteReader *r, uint8_t t, int depth)
{
	size_t		idx;
	uint64_t	v;

	if (!jp_push(jp, &idx))
		return -1;
	jp->nodes[idx].type = t;
	switch (t)
	{
		case JS_STRING:
			return jp_cstring(r, &jp->nodes[idx].p, &jp->nodes[idx].len);
		case JS_NUMERIC:
			if (!br_varint(r, &v) || v > br_left(r) || v > JE_OFFLENMASK)
				return 0;
			jp->nodes[idx].p = r->p;
			jp->nodes[idx].len = (size_t) v;
			r->p += v;
			return 1;
		case JS_FALSE:
		case JS_TRUE:
		case JS_NULL:
			return 1;
		default:
			{
				unsigned	flags = t & 0x0F;
				uint64_t	i;

				if ((t & 0xF0) != JS_CONTAINER ||
					(flags != 2 && flags != 4 && flags != 5) ||
					depth > JSONB_MAX_DEPTH)
					return 0;
				/* each child takes at least one byte */
				if (!br_varint(r, &v) || v > JB_CMASK || v > br_left(r) ||
					(flags == 5 && v != 1))
					return 0;
				jp->nodes[idx].count = (uint32_t) v;
				for (i = 0; i < v; i++)
				{
					uint8_t		ct;
					int			rc;

					if (flags == 2)
					{
						size_t		k;

						if (!jp_push(jp, &k))
							return -1;
						jp->nodes[k].type = JS_KEY;
						if (!jp_cstring(r, &jp->nodes[k].p, &jp->nodes[k].len))
							return 0;
					}
					if (!br_u8(r, &ct))
						return 0;
					rc = jp_item(jp, r, ct, depth + 1);
					if (rc <= 0)
						return rc;
				}
				jp->nodes[idx].next = jp->n;
				return 1;
			}
	}
}

typedef struct JBuild
{
	const JNode *nodes;
	uint8_t    *doc;			/* document start (after the varlena header) */
	size_t		pos;			/* next byte, relative to doc */
	size_t		limit;			/* bytes available from doc */
} JBuild;

static inline size_t
jn_next(const JNode *nodes, size_t i)
{
	return (nodes[i].type & 0xF0) == JS_CONTAINER && nodes[i].type != JS_KEY
		? nodes[i].next : i + 1;
}

static int
jb_bytes(JBuild *b, const uint8_t *src, size_t len)
{
	if (len > b->limit - b->pos)
		return 0;
	if (len > 0)
		memcpy(b->doc + b->pos, src, len);
	b->pos += len;
	return 1;
}

static int
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

static int	jb_container(JBuild *b, size_t idx);

/* Write the value node i; *meta gets its JEntry type and length. */
static int
jb_value(JBuild *b, size_t i, uint32_t *meta)
{
	const JNode *nd = &b->nodes[i];
	size_t		start = b->pos;
	uint32_t	type;

	switch (nd->type)
	{
		case JS_STRING:
			type = JE_STRING;
			if (!jb_bytes(b, nd->p, nd->len))
				return 0;
			break;
		case JS_NUMERIC:
			type = JE_NUMERIC;
			if (!jb_pad(b) || !jb_bytes(b, nd->p, nd->len))
				return 0;
			break;
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
			if (!jb_pad(b) || !jb_container(b, i))
				return 0;
			break;
	}
	if (b->pos - start > JE_OFFLENMASK)
		return 0;
	*meta = type | (uint32_t) (b->pos - start);
	return 1;
}

static int
jb_container(JBuild *b, size_t idx)
{
	const JNode *nd = &b->nodes[idx];
	unsigned	flags = nd->type & 0x0F;
	int			isobj = (flags == 2);
	size_t		n = nd->count;
	size_t		ne = isobj ? 2 * n : n;
	size_t		jpos;
	size_t		c;
	size_t		i;
	uint32_t	total = 0;

	if (b->limit - b->pos < 4 || (b->limit - b->pos - 4) / 4 < ne)
		return 0;
	put_u32(b->doc + b->pos, (uint32_t) n | ((uint32_t) flags << 28));
	jpos = b->pos + 4;
	b->pos = jpos + 4 * ne;

	/* keys first (objects), then the values / elements */
	if (isobj)
	{
		for (i = 0, c = idx + 1; i < n; i++)
		{
			const JNode *k = &b->nodes[c];
			uint32_t	meta;

			if (!jb_bytes(b, k->p, k->len) || k->len > JE_OFFLENMASK - total)
				return 0;
			total += (uint32_t) k->len;
			meta = (i % JB_OFFSET_STRIDE) == 0
				? (JE_STRING | total | JE_HAS_OFF) : (JE_STRING | (uint32_t) k->len);
			put_u32(b->doc + jpos + 4 * i, meta);
			c = jn_next(b->nodes, c + 1);
		}
	}
	for (i = 0, c = idx + 1; i < n; i++)
	{
		size_t		vi = isobj ? c + 1 : c;
		size_t		k = isobj ? n + i : i;
		uint32_t	meta;
		uint32_t	len;

		if (!jb_value(b, vi, &meta))
			return 0;
		len = meta & JE_OFFLENMASK;
		if (len > JE_OFFLENMASK - total)
			return 0;
		total += len;
		if ((k % JB_OFFSET_STRIDE) == 0)
			meta = (meta & JE_TYPEMASK) | total | JE_HAS_OFF;
		put_u32(b->doc + jpos + 4 * k, meta);
		c = jn_next(b->nodes, vi);
	}
	return 1;
}

/*
 * Decode the JSONB body at r into vec (offsets + data).  Also used by the
 * encoder to verify its output.
 */
CocoonCodecResult
cocoon_jsonb_decode(ByteReader *r, CocoonVector *vec, uint64_t *budget)
{
	size_t		n = vec->nvalues;
	uint64_t	total;
	size_t		inlen;
	JParse		jp;
	size_t		off = 0;
	size_t		i;
	CocoonCodecResult res = COCOON_CODEC_CORRUPT;

	memset(&jp, 0, sizeof(jp));
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
	vec->offsets = codec_alloc((n + 1) * sizeof(uint64_t));
	vec->data = codec_alloc(total > 0 ? (size_t) total : 1);
	if (vec->offsets == NULL || vec->data == NULL)
		return COCOON_CODEC_NOMEM;
	*budget -= (n + 1) * sizeof(uint64_t) + total;

	for (i = 0; i < n; i++)
	{
		uint8_t		rootb;
		size_t		hl;
		int			rc;
		JBuild		b;
		size_t		len;

		if (!br_u8(r, &rootb))
			goto out;
		hl = (rootb & JS_ROOT_4B) ? 4 : 1;
		jp.n = 0;
		rc = jp_item(&jp, r, (uint8_t) (rootb & ~JS_ROOT_4B), 0);
		if (rc < 0)
		{
			res = COCOON_CODEC_NOMEM;
			goto out;
		}
		if (rc == 0 || (jp.nodes[0].type & 0xF0) != JS_CONTAINER ||
			total - off < hl)
			goto out;
		b.nodes = jp.nodes;
		b.doc = vec->data + off + hl;
		b.pos = 0;
		b.limit = (size_t) total - off - hl;
		if (!jb_container(&b, 0))
			goto out;
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
	if (off != total)
		goto out;
	vec->data_len = total;
	res = COCOON_CODEC_OK;
out:
	codec_free(jp.nodes);
	return res;
}

/*
 * Size of the JSONB body for vec, or 0 when JSONB does not apply to it
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
	size_t		hdr;
	CocoonVector chk;
	ByteReader	r;
	uint64_t	budget = UINT64_MAX;
	CocoonCodecResult res;

	*body = NULL;
	*size = 0;
	if (vec->kind != VK_VAR || vec->var_format != COCOON_VAR_JSONB || n == 0)
		return COCOON_CODEC_OK;
	total = vec->offsets[n] - vec->offsets[0];

	/* pass 1: validate and measure */
	o.p = NULL;
	o.n = 0;
	for (i = 0; i < n; i++)
		if (!js_value(vec->data + vec->offsets[i],
					  (size_t) (vec->offsets[i + 1] - vec->offsets[i]), &o))
			return COCOON_CODEC_OK;
	hdr = varint_len(total);
	o.p = codec_alloc(hdr + o.n);
	if (o.p == NULL)
		return COCOON_CODEC_NOMEM;
	varint_put(o.p, total);
	o.n = hdr;
	for (i = 0; i < n; i++)
		(void) js_value(vec->data + vec->offsets[i],
						(size_t) (vec->offsets[i + 1] - vec->offsets[i]), &o);

	/* rebuild and compare */
	memset(&chk, 0, sizeof(chk));
	chk.kind = VK_VAR;
	chk.nvalues = vec->nvalues;
	r.p = o.p;
	r.end = o.p + o.n;
	res = cocoon_jsonb_decode(&r, &chk, &budget);
	if (res == COCOON_CODEC_NOMEM)
	{
		codec_free(o.p);
		cocoon_vector_free(&chk);
		return res;
	}
	if (res != COCOON_CODEC_OK || r.p != r.end ||
		chk.data_len != total ||
		(total > 0 && memcmp(chk.data, vec->data + vec->offsets[0], (size_t) total) != 0))
	{
		codec_free(o.p);
		cocoon_vector_free(&chk);
		return COCOON_CODEC_OK;
	}
	cocoon_vector_free(&chk);
	*body = o.p;
	*size = o.n;
	return COCOON_CODEC_OK;
}
