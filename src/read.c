/*-------------------------------------------------------------------------
 *
 * read.c
 *	  Stripe and chunk readers.
 *
 * A StripeReader reads a stripe's header once (checking its CRC32C), then
 * loads chunk groups on demand: for each requested column the chunk's
 * stored bytes are read, their CRC32C checked, decompressed, decoded, and
 * turned into an array of Datums that point into the decoded bytes (no copy
 * per value).  A chunk stored with a dictionary (codec DICT, or a constant
 * or all-NULL chunk) is decoded in dictionary form: each distinct value
 * becomes a Datum once, the rows share them, and the per-row codes stay
 * available to callers that can work on them (grouping).  Memory: the
 * header lives in the reader's context; a chunk group's data lives in a
 * context reset when the next group is loaded.
 *
 * Damage is reported as ERRCODE_DATA_CORRUPTED naming table, stripe,
 * column and chunk; with cocoon.skip_damaged_chunks on, a damaged chunk
 * group is instead skipped with a WARNING (its rows are not returned).
 *
 * src/read.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupdesc_details.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "cocoon.h"
#include "codec/bounds.h"
#include "codec/stripe_check.h"
#include "bloom.h"

struct StripeReader
{
	Relation	rel;
	StripeEntry entry;
	MemoryContext cxt;
	MemoryContext chunkcxt;
	char	   *header;
	CocoonStripeHeader hdr;
	CocoonColumnDesc *cols;
	CocoonChunkDesc *chunks;
	int			natts;			/* of the relation now */
	int			loaded_chunk;	/* -1 if none */
	bool		damaged;		/* current chunk group was skipped */
	bool	   *loaded;			/* [natts] */
	Datum	  **values;			/* [natts][nrows of chunk] */
	bool	  **isnull;
	/* columns whose chunk is in dictionary form (else codes[a] is NULL) */
	uint32	  **codes;			/* [natts][nrows of chunk]: entry, or ndict for NULL */
	Datum	  **entries;		/* [natts][ndict] */
	uint32	   *ndict;			/* [natts] */
	uint64		bytes_decompressed;
	/* fast path of fill_slot: the slot last filled and the loaded columns */
	TupleTableSlot *tmpl_slot;
	uint64		load_gen;		/* bumped by every load_chunk */
	uint64		tmpl_gen;
	int			nactive;
	int		   *active;			/* [natts] loaded attribute indexes */
	/* cocoon_stripe_set_needle: values of needle_att lacking it read as NULL */
	int			needle_att;		/* -1: none */
	const char *needle;
	int			needle_len;
};

static void chunk_damaged(StripeReader *sr, uint32 chunk, int a, const char *why);

static void
stripe_corrupt(StripeReader *sr, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("cocoon table \"%s\": stripe %llu is damaged",
					RelationGetRelationName(sr->rel),
					(unsigned long long) sr->entry.stripe_id),
			 errdetail("%s", detail)));
}

StripeReader *
cocoon_stripe_open(Relation rel, StripeEntry *e, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "cocoon stripe reader",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	StripeReader *sr = palloc0(sizeof(StripeReader));
	CocoonStripeHeader hdr;

	sr->rel = rel;
	sr->entry = *e;
	sr->cxt = cxt;
	sr->chunkcxt = AllocSetContextCreate(cxt, "cocoon chunk group",
										 ALLOCSET_DEFAULT_SIZES);
	sr->natts = RelationGetDescr(rel)->natts;
	sr->loaded_chunk = -1;
	sr->needle_att = -1;

	{
		const char *why;

		if (e->data_length < sizeof(CocoonStripeHeader))
			stripe_corrupt(sr, "The directory gives a stripe length shorter than a stripe header.");
		cocoon_storage_read(rel, e->data_offset, (char *) &hdr, sizeof(hdr));
		if ((why = cocoon_stripe_check_fixed(&hdr, e->data_length)) != NULL)
			stripe_corrupt(sr, why);
		sr->header = palloc(hdr.header_len);
		cocoon_storage_read(rel, e->data_offset, sr->header, hdr.header_len);
		/* the same checks, the checksum and the chunk layout (stripe_check.c) */
		if ((why = cocoon_stripe_check((uint8 *) sr->header, hdr.header_len, e->data_length)) != NULL)
			stripe_corrupt(sr, why);
		{
			uint32		crc = hdr.header_crc;

			memcpy(&hdr, sr->header, sizeof(hdr));
			hdr.header_crc = crc;
		}
		if (hdr.first_row != e->first_row || hdr.nrows != e->row_count ||
			hdr.stripe_id != e->stripe_id)
			stripe_corrupt(sr, "The stripe header does not match its directory entry.");
	}
	sr->hdr = hdr;
	sr->cols = (CocoonColumnDesc *) (sr->header + sizeof(CocoonStripeHeader));
	sr->chunks = (CocoonChunkDesc *) (sr->header + sizeof(CocoonStripeHeader) +
									  sizeof(CocoonColumnDesc) * hdr.natts);
	sr->loaded = palloc0(sizeof(bool) * sr->natts);
	sr->values = palloc0(sizeof(Datum *) * sr->natts);
	sr->isnull = palloc0(sizeof(bool *) * sr->natts);
	sr->codes = palloc0(sizeof(uint32 *) * sr->natts);
	sr->entries = palloc0(sizeof(Datum *) * sr->natts);
	sr->ndict = palloc0(sizeof(uint32) * sr->natts);
	MemoryContextSwitchTo(old);
	return sr;
}

void
cocoon_stripe_close(StripeReader *sr)
{
	if (sr)
		MemoryContextDelete(sr->cxt);
}

uint32
cocoon_stripe_nchunks(StripeReader *sr)
{
	return sr->hdr.nchunks;
}

uint32
cocoon_stripe_chunk_rows(StripeReader *sr, uint32 chunk)
{
	if (sr->hdr.natts == 0)
		return chunk == 0 ? sr->hdr.nrows : 0;
	return sr->chunks[(uint64) chunk * sr->hdr.natts].nrows;
}

const CocoonStripeHeader *
cocoon_stripe_header(StripeReader *sr)
{
	return &sr->hdr;
}

const CocoonChunkDesc *
cocoon_stripe_chunk_desc(StripeReader *sr, uint32 chunk, int attidx)
{
	if (attidx >= sr->hdr.natts || chunk >= sr->hdr.nchunks)
		return NULL;
	return &sr->chunks[(uint64) chunk * sr->hdr.natts + attidx];
}

/*
 * Make sure loaded attribute a has its per-row arrays: a column in
 * dictionary form gets them from its codes on first use, in the chunk
 * group's memory.
 */
static inline void
column_values(StripeReader *sr, int a)
{
	if (unlikely(sr->values[a] == NULL))
	{
		uint32		n = cocoon_stripe_chunk_rows(sr, (uint32) sr->loaded_chunk);
		const uint32 *codes = sr->codes[a];
		const Datum *entries = sr->entries[a];
		uint32		nd = sr->ndict[a];
		Datum	   *values;
		bool	   *isnull;
		uint32		i;

		values = MemoryContextAllocExtended(sr->chunkcxt, sizeof(Datum) * Max(n, 1),
											MCXT_ALLOC_HUGE);
		isnull = MemoryContextAllocExtended(sr->chunkcxt, sizeof(bool) * Max(n, 1),
											MCXT_ALLOC_HUGE);
		for (i = 0; i < n; i++)
		{
			values[i] = entries[codes[i]];
			isnull[i] = codes[i] == nd;
		}
		sr->values[a] = values;
		sr->isnull[a] = isnull;
	}
}

/* One value of the loaded chunk group (attidx must have been loaded). */
Datum
cocoon_stripe_value(StripeReader *sr, int attidx, uint32 row, bool *isnull)
{
	if (attidx >= sr->hdr.natts || !sr->loaded[attidx])
	{
		*isnull = true;
		return (Datum) 0;
	}
	column_values(sr, attidx);
	*isnull = sr->isnull[attidx][row];
	return sr->values[attidx][row];
}

/*
 * The loaded chunk's decoded values of attribute attidx, as arrays indexed
 * by row within the chunk.  False when the stripe predates the column (its
 * rows all take the column's missing value) or the column is not loaded.
 */
bool
cocoon_stripe_column(StripeReader *sr, int attidx, Datum **values, bool **isnull)
{
	if (attidx >= sr->hdr.natts || attidx >= sr->natts || !sr->loaded[attidx])
		return false;
	column_values(sr, attidx);
	*values = sr->values[attidx];
	*isnull = sr->isnull[attidx];
	return true;
}

/*
 * The loaded chunk's attribute attidx in dictionary form: *nentries
 * entries (*entries, as Datums like cocoon_stripe_column's) and per row a
 * code, < *nentries for the entry holding its value or == *nentries for
 * NULL.  False when the chunk was not stored in a dictionary form (use
 * cocoon_stripe_column) or the column is not loaded.  Entries are distinct
 * as written, but damage that passes the checks could repeat one.
 */
bool
cocoon_stripe_column_dict(StripeReader *sr, int attidx, const uint32 **codes,
						  const Datum **entries, uint32 *nentries)
{
	if (attidx >= sr->hdr.natts || attidx >= sr->natts || !sr->loaded[attidx] ||
		sr->codes[attidx] == NULL)
		return false;
	*codes = sr->codes[attidx];
	*entries = sr->entries[attidx];
	*nentries = sr->ndict[attidx];
	return true;
}

bool
cocoon_stripe_chunk_damaged(StripeReader *sr)
{
	return sr->damaged;
}

uint64
cocoon_stripe_bytes_decompressed(StripeReader *sr)
{
	return sr->bytes_decompressed;
}

/*
 * Can chunk's values of attribute attno (an int64-kind column) fall in
 * [lo, hi]?  True when unknown.
 */
bool
cocoon_stripe_chunk_may_match_ts(StripeReader *sr, uint32 chunk, AttrNumber attno,
								 int64 lo, int64 hi)
{
	const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(sr, chunk, attno - 1);

	if (d == NULL)
		return true;				/* column added later: its missing value */
	if (d->nrows > 0 && d->nnulls == d->nrows)
		return false;			/* NULL satisfies no comparison */
	if (!(d->flags & COCOON_CHUNK_HAS_MINMAX))
		return true;
	return !(d->max_value < lo || d->min_value > hi);
}

/*
 * Can chunk's values of oid attribute attidx (0-based) fall in [lo, hi],
 * taken as unsigned?  Its min/max were taken over the values as signed
 * int32s (oid is a 4-byte VK_INT, see build_vector in write.c), so values
 * of 2^31 and above sit below the others there: a chunk whose signed
 * bounds have one sign holds the same range unsigned; one whose bounds
 * straddle zero holds values in [0, max] and [min + 2^32, 2^32 - 1] only.
 * True when unknown.
 */
bool
cocoon_stripe_chunk_may_match_oid(StripeReader *sr, uint32 chunk, int attidx,
								  int64 lo, int64 hi)
{
	const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(sr, chunk, attidx);
	int64		mn,
				mx;

	if (d == NULL)
		return true;			/* column added later: its missing value */
	if (d->nrows > 0 && d->nnulls == d->nrows)
		return false;			/* NULL satisfies no comparison */
	if (!(d->flags & COCOON_CHUNK_HAS_MINMAX))
		return true;
	mn = d->min_value;
	mx = d->max_value;
	if (mn < PG_INT32_MIN || mx > PG_INT32_MAX || mn > mx)
		return true;			/* not what an oid column writes */
	if (mn >= 0 || mx < 0)
		return !((int64) (uint32) mx < lo || (int64) (uint32) mn > hi);
	return !(mx < lo || 0 > hi) ||
		!((int64) PG_UINT32_MAX < lo || mn + ((int64) 1 << 32) > hi);
}

/* the type attribute attidx (0-based) had when the stripe was written */
Oid
cocoon_stripe_column_type(StripeReader *sr, int attidx)
{
	if (attidx < 0 || attidx >= sr->hdr.natts)
		return InvalidOid;
	return (Oid) sr->cols[attidx].atttypid;
}

/*
 * May chunk group `chunk` hold a value v of attribute attidx (0-based) with
 * "v strategy key", by the chunk's bytewise bounds (COCOON_CHUNK_HAS_BMINMAX;
 * text under the C collation or = under a deterministic one, uuid)?  True
 * when unknown.
 */
bool
cocoon_stripe_chunk_may_match_bytes(StripeReader *sr, uint32 chunk, int attidx,
									int strategy, const uint8 *key, size_t keylen)
{
	const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(sr, chunk, attidx);

	if (d == NULL)
		return true;			/* column added later: its missing value */
	if (d->nrows > 0 && d->nnulls == d->nrows)
		return false;			/* NULL satisfies no comparison */
	return cocoon_bounds_may_match(d, strategy, key, keylen);
}

/*
 * May chunk group `chunk` hold a value of attribute attidx (0-based) whose
 * hashes are all in the chunk's bloom filter?  all = true: every hash must
 * be present (trigrams of one pattern); all = false: any one (IN list).
 * True when the chunk has no filter.
 */
bool
cocoon_stripe_chunk_may_contain(StripeReader *sr, uint32 chunk, int attidx,
								const uint64 *hashes, int nhashes, bool all)
{
	const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(sr, chunk, attidx);
	size_t		len;
	char	   *bits;
	bool		result;
	int			i;

	if (d == NULL || !(d->flags & COCOON_CHUNK_HAS_BLOOM))
		return true;
	if (d->nnulls == d->nrows)
		return false;
	len = ((size_t) 1 << d->bloom_log2) / 8;
	bits = palloc(len);
	cocoon_storage_read(sr->rel, sr->entry.data_offset + d->bloom_offset, bits, len);
	if (cocoon_crc32c(bits, len) != d->bloom_crc)
	{
		pfree(bits);
		chunk_damaged(sr, chunk, attidx, "bloom filter checksum mismatch");
		return true;			/* skipping damage is the reader's business */
	}
	result = all;
	for (i = 0; i < nhashes; i++)
	{
		bool		hit = cocoon_bloom_test(bits, d->bloom_log2, hashes[i]);

		if (all && !hit)
		{
			result = false;
			break;
		}
		if (!all && hit)
		{
			result = true;
			break;
		}
	}
	pfree(bits);
	return result;
}

/*
 * Read one chunk's stored bytes, check their checksum and decompress them.
 * NULL with *why set if they are damaged.
 */
static uint8 *
chunk_bytes(StripeReader *sr, uint32 chunk, int a, char **why)
{
	CocoonChunkDesc *d = &sr->chunks[(uint64) chunk * sr->hdr.natts + a];
	char	   *stored;
	uint8	   *raw;
	CocoonCodecResult r;

	*why = NULL;
	if (d->stored_len > MaxAllocHugeSize || d->raw_len > MaxAllocHugeSize)
	{
		*why = "chunk lengths are out of range";
		return NULL;
	}
	stored = palloc_extended(Max(d->stored_len, 1), MCXT_ALLOC_HUGE);
	cocoon_storage_read(sr->rel, sr->entry.data_offset + d->offset, stored, d->stored_len);
	if (cocoon_crc32c(stored, d->stored_len) != d->crc)
	{
		*why = "checksum mismatch";
		return NULL;
	}
	if (d->compression == COMPRESSION_NONE)
	{
		if (d->raw_len != d->stored_len)
		{
			*why = "length mismatch";
			return NULL;
		}
		raw = (uint8 *) stored;
	}
	else
	{
		r = cocoon_decompress((CocoonCompression) d->compression, (uint8 *) stored,
							  d->stored_len, d->raw_len, &raw);
		if (r != COCOON_CODEC_OK)
		{
			*why = (char *) cocoon_codec_result_string(r);
			return NULL;
		}
		pfree(stored);
	}
	sr->bytes_decompressed += d->raw_len;
	return raw;
}

/*
 * Read, check and decode one chunk.  False with *why set if it is damaged.
 *
 * dv not NULL: a chunk whose codec has a dictionary form (the descriptor
 * says which) is decoded into *dv instead, and *is_dict set; the others
 * (and a chunk that turns out not to be what its descriptor says) into
 * *vec.
 */
static bool
decode_chunk(StripeReader *sr, uint32 chunk, int a, CocoonVector *vec,
			 CocoonDictVector *dv, bool *is_dict, char **why)
{
	CocoonChunkDesc *d = &sr->chunks[(uint64) chunk * sr->hdr.natts + a];
	CocoonColumnDesc *col = &sr->cols[a];
	CocoonValueKind kind = (CocoonValueKind) col->kind;
	uint32		fixed_len = col->kind == VK_FIXED ? (uint32) col->typlen : 0;
	uint8	   *raw;
	CocoonCodecResult r;
	CocoonDecodeLimits limits;

	if (is_dict)
		*is_dict = false;
	raw = chunk_bytes(sr, chunk, a, why);
	if (raw == NULL)
		return false;
	memset(&limits, 0, sizeof(limits));
	limits.max_rows = d->nrows;
	limits.max_bytes = MaxAllocHugeSize;
	if (a == sr->needle_att)
	{
		limits.needle = (const uint8 *) sr->needle;
		limits.needle_len = sr->needle_len;
	}
	if (dv != NULL && cocoon_codec_has_dict((CocoonCodecId) d->codec, kind))
	{
		r = cocoon_decode_dict(raw, d->raw_len, kind, fixed_len, &limits, dv);
		if (r == COCOON_CODEC_OK)
		{
			pfree(raw);
			*is_dict = true;
			if (dv->nrows != d->nrows)
			{
				*why = "row count mismatch";
				return false;
			}
			return true;
		}
		if (r != COCOON_CODEC_BADARG)
		{
			*why = (char *) cocoon_codec_result_string(r);
			return false;
		}
		/* not in a dictionary form after all: decode it as it is */
	}
	r = cocoon_decode(raw, d->raw_len, kind, fixed_len, &limits, vec);
	if (r != COCOON_CODEC_OK)
	{
		*why = (char *) cocoon_codec_result_string(r);
		return false;
	}
	if (vec->nrows != d->nrows)
	{
		*why = "row count mismatch";
		return false;
	}
	return true;
}

static void
chunk_damaged(StripeReader *sr, uint32 chunk, int a, const char *why)
{
	int			elevel = cocoon_skip_damaged_chunks ? WARNING : ERROR;

	ereport(elevel,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("cocoon table \"%s\": stripe %llu, column %d (%s), chunk %u is damaged: %s",
					RelationGetRelationName(sr->rel),
					(unsigned long long) sr->entry.stripe_id, a + 1,
					a < sr->natts ? NameStr(TupleDescAttr(RelationGetDescr(sr->rel), a)->attname) : "?",
					chunk, why),
			 cocoon_skip_damaged_chunks ? errdetail("Its %u rows are skipped.",
													cocoon_stripe_chunk_rows(sr, chunk)) :
			 errhint("Run SELECT * FROM cocoon.verify('%s') to list damage; SET cocoon.skip_damaged_chunks = on reads the rest.",
					 RelationGetRelationName(sr->rel))));
}

/*
 * Value k (0-based among the non-NULL values) of a decoded vector of
 * attribute a as a Datum pointing into the vector's arrays (copied only
 * when misaligned).
 */
static inline Datum
vector_datum(StripeReader *sr, CocoonVector *vec, uint32 k, int16 typlen)
{
	switch (vec->kind)
	{
		case VK_INT:
			{
				int64		v = vec->ints[k];

				switch (typlen)
				{
					case 1:
						return CharGetDatum((char) v);
					case 2:
						return Int16GetDatum((int16) v);
					case 4:
						return Int32GetDatum((int32) v);
					default:
						return Int64GetDatum(v);
				}
			}
		case VK_FLOAT:
			if (typlen == 4)
				return UInt32GetDatum((uint32) vec->bits[k]);
			return Int64GetDatum((int64) vec->bits[k]);
		case VK_BOOL:
			return BoolGetDatum(vec->bools[k] != 0);
		case VK_FIXED:
			{
				char	   *src = (char *) vec->data + (uint64) k * vec->fixed_len;

				/* align as strictly as any type may need */
				if (((uintptr_t) src % MAXIMUM_ALIGNOF) != 0)
				{
					char	   *copy = palloc(vec->fixed_len);

					memcpy(copy, src, vec->fixed_len);
					src = copy;
				}
				return PointerGetDatum(src);
			}
		case VK_VAR:
			{
				char	   *src = (char *) vec->data + vec->offsets[k];
				uint64		len = vec->offsets[k + 1] - vec->offsets[k];

				if (typlen == -1)
				{
					/* a varlena must say its own length */
					if (len == 0 || (VARATT_IS_1B(src) ? VARSIZE_1B(src) : (len >= 4 ? VARSIZE_4B(src) : 0)) != len ||
						VARATT_IS_EXTERNAL(src) || (!VARATT_IS_1B(src) && VARATT_IS_COMPRESSED(src)))
						stripe_corrupt(sr, "A decoded value is not a well-formed varlena.");
					if (!VARATT_IS_1B(src) && ((uintptr_t) src & 3) != 0)
					{
						char	   *copy = palloc_extended(len, MCXT_ALLOC_HUGE);

						memcpy(copy, src, len);
						src = copy;
					}
				}
				else if (len == 0 || src[len - 1] != '\0')
					stripe_corrupt(sr, "A decoded value is not a well-formed C string.");
				return PointerGetDatum(src);
			}
	}
	return (Datum) 0;
}

/*
 * Turn a decoded vector into per-row Datums for attribute a (0-based).
 */
static void
materialize(StripeReader *sr, int a, CocoonVector *vec)
{
	uint32		n = vec->nrows;
	Datum	   *values = palloc_extended(sizeof(Datum) * Max(n, 1), MCXT_ALLOC_HUGE);
	bool	   *isnull = palloc_extended(sizeof(bool) * Max(n, 1), MCXT_ALLOC_HUGE);
	uint32		i;
	uint32		k = 0;
	int16		typlen = sr->cols[a].typlen;

	for (i = 0; i < n; i++)
	{
		bool		null = vec->nulls && (vec->nulls[i / 8] & (1 << (i % 8)));

		isnull[i] = null;
		if (null)
		{
			values[i] = (Datum) 0;
			continue;
		}
		if (unlikely(vec->skipped != NULL) && (vec->skipped[k / 8] & (1 << (k % 8))))
		{
			/* not rebuilt: it lacks the needle (cocoon_stripe_set_needle) */
			isnull[i] = true;
			values[i] = (Datum) 0;
			k++;
			continue;
		}
		values[i] = vector_datum(sr, vec, k, typlen);
		k++;
	}
	sr->values[a] = values;
	sr->isnull[a] = isnull;
	sr->codes[a] = NULL;
}

/*
 * The same for a chunk in dictionary form: each entry becomes a Datum
 * once.  The per-row arrays, where every row takes its entry's Datum (rows
 * with the same value share it), are made when first asked for
 * (column_values): a caller working on the codes never needs them.
 */
static void
materialize_dict(StripeReader *sr, int a, CocoonDictVector *dv)
{
	uint32		nd = dv->dict.nvalues;
	Datum	   *entries = palloc_extended(sizeof(Datum) * (nd + 1), MCXT_ALLOC_HUGE);
	uint32		i;
	int16		typlen = sr->cols[a].typlen;

	for (i = 0; i < nd; i++)
		entries[i] = vector_datum(sr, &dv->dict, i, typlen);
	entries[nd] = (Datum) 0;	/* the NULL code's */
	sr->values[a] = NULL;
	sr->isnull[a] = NULL;
	sr->codes[a] = dv->codes;
	sr->entries[a] = entries;
	sr->ndict[a] = nd;
}

/*
 * From the next chunk group loaded on, values of attribute attidx whose
 * stored form shows they cannot contain the len bytes at needle may be
 * returned as NULL instead of being decoded (today: jsonb columns stored
 * with the JSONB codec; other chunks are decoded in full).  Only for scans
 * whose every returned row must pass a strict qual that is false for a
 * value without those bytes (jsonb ? and @>): such rows are rejected
 * either way.  needle must outlive the reader and contain no NUL byte.
 */
void
cocoon_stripe_set_needle(StripeReader *sr, int attidx, const char *needle, int len)
{
	sr->needle_att = (len > 0 && memchr(needle, 0, len) == NULL) ? attidx : -1;
	sr->needle = needle;
	sr->needle_len = len;
}

/*
 * Load chunk group `chunk` for the attributes in attrs (0-based attribute
 * numbers; NULL means all).
 */
void
cocoon_stripe_load_chunk(StripeReader *sr, uint32 chunk, Bitmapset *attrs)
{
	MemoryContext old;
	TupleDesc	desc = RelationGetDescr(sr->rel);
	int			a;

	if (sr->loaded_chunk != (int) chunk)
	{
		MemoryContextReset(sr->chunkcxt);
		memset(sr->loaded, 0, sizeof(bool) * sr->natts);
		sr->loaded_chunk = (int) chunk;
		sr->damaged = false;
	}
	if (sr->damaged)
		return;
	sr->load_gen++;
	old = MemoryContextSwitchTo(sr->chunkcxt);
	for (a = 0; a < sr->natts && a < sr->hdr.natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		CocoonVector vec;
		CocoonDictVector dv;
		bool		is_dict;
		char	   *why;

		if (sr->loaded[a] || att->attisdropped)
			continue;
		if (attrs != NULL && !bms_is_member(a, attrs))
			continue;
		/*
		 * Values are decoded as the stripe describes them.  That may differ
		 * from the relation's current type while ALTER COLUMN TYPE rewrites
		 * the table (it reads the old rows through the old descriptor).
		 */
		if (sr->cols[a].kind < VK_INT || sr->cols[a].kind > VK_VAR ||
			(sr->cols[a].kind == VK_FIXED && sr->cols[a].typlen <= 0) ||
			(sr->cols[a].kind == VK_VAR && sr->cols[a].typlen != -1 && sr->cols[a].typlen != -2))
			stripe_corrupt(sr, psprintf("Column %d has an invalid descriptor.", a + 1));
		memset(&vec, 0, sizeof(vec));
		if (!decode_chunk(sr, chunk, a, &vec, &dv, &is_dict, &why))
		{
			chunk_damaged(sr, chunk, a, why);
			/* only reached with skip_damaged_chunks on */
			sr->damaged = true;
			break;
		}
		if (is_dict)
			materialize_dict(sr, a, &dv);
		else
			materialize(sr, a, &vec);
		sr->loaded[a] = true;
	}
	MemoryContextSwitchTo(old);
}

/*
 * Fill slot with row `row` of the loaded chunk group.  Attributes outside
 * attrs (when not NULL) are returned as NULL.
 */
void
cocoon_stripe_fill_slot(StripeReader *sr, uint32 row, TupleTableSlot *slot, Bitmapset *attrs)
{
	TupleDesc	desc = slot->tts_tupleDescriptor;
	int			natts = desc->natts;
	int			a;

	if (slot == sr->tmpl_slot && sr->tmpl_gen == sr->load_gen)
	{
		/* the other columns still hold what the full path put there */
		ExecClearTuple(slot);
		for (a = 0; a < sr->nactive; a++)
		{
			int			k = sr->active[a];

			if (k >= sr->hdr.natts)
			{
				/* re-set: materializing the slot may have moved it */
				slot->tts_values[k] = getmissingattr(slot->tts_tupleDescriptor, k + 1,
													 &slot->tts_isnull[k]);
				continue;
			}
			slot->tts_values[k] = sr->values[k][row];
			slot->tts_isnull[k] = sr->isnull[k][row];
		}
		ExecStoreVirtualTuple(slot);
		return;
	}
	if (sr->active == NULL)
		sr->active = MemoryContextAlloc(sr->cxt, sizeof(int) * Max(natts, 1));
	sr->nactive = 0;
	ExecClearTuple(slot);
	for (a = 0; a < natts; a++)
	{
		if (a >= sr->hdr.natts)
		{
			/* added after this stripe was written: its default, or NULL */
			slot->tts_values[a] = getmissingattr(desc, a + 1, &slot->tts_isnull[a]);
			if (a < sr->natts)
				sr->active[sr->nactive++] = a;
			continue;
		}
		if (!sr->loaded[a])
		{
			slot->tts_values[a] = (Datum) 0;
			slot->tts_isnull[a] = true;
			continue;
		}
		column_values(sr, a);
		slot->tts_values[a] = sr->values[a][row];
		slot->tts_isnull[a] = sr->isnull[a][row];
		if (a < sr->natts)
			sr->active[sr->nactive++] = a;
	}
	ExecStoreVirtualTuple(slot);
	if (natts == sr->natts)
	{
		sr->tmpl_slot = slot;
		sr->tmpl_gen = sr->load_gen;
	}
}

/*
 * Check a whole stripe: header, every chunk's checksum and decoding.
 * Returns a list of problem descriptions (char *); problems_cols and
 * problems_chunks receive the matching column numbers and chunk numbers
 * (as integers; -1 when the problem is not a chunk's).  Never raises an
 * error for damage it can describe.
 */
List *
cocoon_stripe_verify(Relation rel, StripeEntry *e, List **problems_cols, List **problems_chunks)
{
	List	   *problems = NIL;
	StripeReader *sr = NULL;
	MemoryContext cxt = CurrentMemoryContext;

	*problems_cols = NIL;
	*problems_chunks = NIL;
	PG_TRY();
	{
		sr = cocoon_stripe_open(rel, e, cxt);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_DATA_CORRUPTED)
			PG_RE_THROW();
		FlushErrorState();
		problems = lappend(problems, psprintf("%s: %s", edata->message,
											  edata->detail ? edata->detail : ""));
		*problems_cols = lappend_int(*problems_cols, -1);
		*problems_chunks = lappend_int(*problems_chunks, -1);
		return problems;
	}
	PG_END_TRY();

	{
		uint32		c;
		int			a;

		for (c = 0; c < sr->hdr.nchunks; c++)
		{
			for (a = 0; a < sr->hdr.natts; a++)
			{
				CocoonVector vec;
				char	   *why;
				MemoryContext old = MemoryContextSwitchTo(sr->chunkcxt);

				CHECK_FOR_INTERRUPTS();
				memset(&vec, 0, sizeof(vec));
				if (!decode_chunk(sr, c, a, &vec, NULL, NULL, &why))
				{
					MemoryContextSwitchTo(old);
					problems = lappend(problems, pstrdup(why));
					*problems_cols = lappend_int(*problems_cols, a + 1);
					*problems_chunks = lappend_int(*problems_chunks, (int) c);
				}
				else
				{
					CocoonChunkDesc *d = &sr->chunks[(uint64) c * sr->hdr.natts + a];

					if (d->flags & COCOON_CHUNK_HAS_BLOOM)
					{
						size_t		len = ((size_t) 1 << d->bloom_log2) / 8;
						char	   *bits = palloc(len);

						cocoon_storage_read(rel, e->data_offset + d->bloom_offset, bits, len);
						if (cocoon_crc32c(bits, len) != d->bloom_crc)
						{
							MemoryContextSwitchTo(old);
							problems = lappend(problems, pstrdup("bloom filter checksum mismatch"));
							*problems_cols = lappend_int(*problems_cols, a + 1);
							*problems_chunks = lappend_int(*problems_chunks, (int) c);
						}
					}
					MemoryContextSwitchTo(old);
				}
				MemoryContextReset(sr->chunkcxt);
			}
		}
	}
	cocoon_stripe_close(sr);
	return problems;
}
