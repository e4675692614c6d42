/*-------------------------------------------------------------------------
 *
 * write.c
 *	  Per-transaction write buffers and stripe flushing.
 *
 * Inserted rows are buffered in memory, one buffer per (relation,
 * relfilenode, subtransaction, time partition).  A buffer reserves its row
 * numbers as it grows (small first, growing 4x, contiguous while nobody else
 * reserved in between; small buffers from this backend's row allowance, see
 * below) and inserts a "reserved" directory row covering them, so that
 * index entries made for its rows point at a range another transaction's
 * unique check can see as in progress.  A top-level buffer of a table
 * without indexes inserts its directory row complete at flush instead.
 *
 * A buffer is flushed as a stripe when it is full, when its transaction
 * commits or prepares, when a subtransaction that owns it commits (the
 * buffer is then handed to the parent instead, see below), or when a bulk
 * load into a relation created in this transaction ends.  Flushing encodes
 * and compresses each column chunk by chunk, writes the stripe into the
 * relation's byte space and overwrites the reserved directory row in place.
 *
 * Subtransactions: rows inserted inside a subtransaction go to a buffer
 * tagged with that subtransaction.  On its abort the buffer is thrown away
 * (its directory row, inserted by the aborted subtransaction, is invisible
 * anyway); on its commit the buffer is re-tagged to the parent.  A buffer is
 * only flushed early ("full") while its own subtransaction is the current
 * one, so the directory row is always written by the transaction the rows
 * belong to.
 *
 * Reading one's own writes: scans pin the pending buffers of the relation
 * they read (cocoon_pin_pending) and return their rows from memory; each
 * buffered row remembers the command id that inserted it, so a scan sees
 * exactly the rows of earlier commands, as a heap scan would.
 *
 * src/write.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <sys/socket.h>

#include "access/detoast.h"
#include "access/relation.h"
#include "access/xact.h"
#include "access/transam.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "common/int.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "datatype/timestamp.h"
#include "utils/inet.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/uuid.h"

#include "cocoon.h"
#include "bloom.h"
#include "codec/bounds.h"

/* chunk groups end early once their raw bytes pass this */
#define CHUNK_GROUP_MAX_BYTES	((uint64) 64 * 1024 * 1024)
/* first row reservation of a non-bulk buffer */
#define INITIAL_RESERVATION		64
/*
 * Stripes of fewer rows ("tiny": single-row transactions, a stray partition
 * of a load) get no bloom filters and are not compressed; see flush_buffer.
 */
#define TINY_STRIPE_ROWS		8
/* pending rows per relation beyond which the largest buffer is flushed */
#define PENDING_FACTOR			4

typedef struct ArenaBlock
{
	struct ArenaBlock *next;
} ArenaBlock;

typedef struct WriteBuffer
{
	dlist_node	node;
	Oid			relid;
	Oid			relfilenode;
	SubTransactionId subid;
	int64		part_key;
	MemoryContext cxt;
	int			natts;
	CocoonValueKind *kinds;
	int16	   *typlens;
	bool	   *dropped;
	Oid		   *basetypes;		/* getBaseType of each column, once */
	CocoonOptions opts;
	uint64		storage_id;
	StripeEntry entry;			/* its directory row */
	uint64		first_row;
	uint64		reserved;		/* row numbers reserved from first_row */
	uint32		nrows;
	uint32		capacity;
	Datum	  **values;			/* [att][row] */
	bool	  **isnull;
	CommandId  *cids;
	char	   *arena_cur;
	Size		arena_left;
	Size		arena_next;		/* size of the next arena block */
	uint64		raw_bytes;
	int			pins;
	TransactionId xid;			/* the (sub)transaction inserting the rows */
	bool		flushed;		/* written out or discarded: no longer pending */
	bool		bulk;
	bool		defer_dir;		/* directory row inserted complete at flush */
} WriteBuffer;

/*
 * Row allowances.  A backend reserves row numbers from the metapage in
 * blocks of ROW_ALLOWANCE beyond what a buffer asks for, and hands them to
 * its non-bulk buffers itself; a buffer that did not use all its rows gives
 * the rest back at flush when nothing was taken after it.  A run of small
 * transactions so changes the metapage (a WAL record) once per
 * ROW_ALLOWANCE rows instead of once each.
 *
 * Buffers see no difference: a fresh reservation is a range of their own,
 * and an extension succeeds exactly when it is contiguous (taken from the
 * allowance right after the buffer, or from the metapage when the
 * allowance ends at its next_row).  The numbers were reserved by a
 * WAL-logged metapage change that precedes in WAL anything that can refer
 * to them, and no other backend can be handed them; numbers left over when
 * the backend exits are gaps, as unused reservations always were.  An
 * allowance is keyed by the file and its storage id (a fresh metapage gets
 * a fresh one) and must lie below the metapage's next_row.
 */
typedef struct RowAllowance
{
	Oid			spcnode;
	Oid			relnode;
	uint64		storage_id;
	uint64		next;
	uint64		end;			/* 0: slot unused */
} RowAllowance;

#define ROW_ALLOWANCE			1024
#define ROW_ALLOWANCE_SLOTS		8
static RowAllowance allowances[ROW_ALLOWANCE_SLOTS];
static int	allowance_victim = 0;	/* slot to reuse when none is free */

static dlist_head pending = DLIST_STATIC_INIT(pending);
static MemoryContext write_cxt = NULL;
static WriteBuffer *last_buffer = NULL;

static void flush_buffer(WriteBuffer *buf, Relation rel);

/*
 * getBaseType without its syscache probe for the built-in types of
 * pg_type.dat (OIDs below FirstGenbkiObjectId), none of which is a domain.
 */
static inline Oid
base_type_of(Oid typid)
{
	if (typid < FirstGenbkiObjectId)
		return typid;
	return getBaseType(typid);
}
static CocoonValueKind value_kind_of_base(Form_pg_attribute att, Oid base);

CocoonValueKind
cocoon_value_kind(Form_pg_attribute att)
{
	return value_kind_of_base(att, att->attisdropped ? InvalidOid : base_type_of(att->atttypid));
}

/* cocoon_value_kind when the caller knows the column's base type */
static CocoonValueKind
value_kind_of_base(Form_pg_attribute att, Oid base)
{
	/* a dropped column has no type any more; it is stored as all NULL */
	if (att->attisdropped)
		return att->attbyval ? VK_INT : (att->attlen > 0 ? VK_FIXED : VK_VAR);

	if (att->attbyval)
	{
		if (base == BOOLOID && att->attlen == 1)
			return VK_BOOL;
		if ((base == FLOAT8OID && att->attlen == 8) ||
			(base == FLOAT4OID && att->attlen == 4))
			return VK_FLOAT;
		return VK_INT;
	}
	if (att->attlen > 0)
		return VK_FIXED;
	return VK_VAR;
}

static MemoryContext
get_write_cxt(void)
{
	if (write_cxt == NULL)
		write_cxt = AllocSetContextCreate(TopTransactionContext,
										  "cocoon write buffers",
										  ALLOCSET_DEFAULT_SIZES);
	return write_cxt;
}

static void
free_buffer(WriteBuffer *buf)
{
	if (last_buffer == buf)
		last_buffer = NULL;
	if (!buf->flushed)
	{
		dlist_delete(&buf->node);
		buf->flushed = true;
	}
	if (buf->pins == 0)
	{
		MemoryContext cxt = buf->cxt;

		MemoryContextDelete(cxt);
	}
}

static char *
arena_alloc(WriteBuffer *buf, Size size)
{
	char	   *p;

	size = MAXALIGN(size);
	if (size > buf->arena_left)
	{
		Size		blk = Max(size, buf->arena_next);

		/* blocks grow to 1 MB: a single-row buffer needs a few hundred bytes */
		buf->arena_next = Min(buf->arena_next * 2, (Size) 1024 * 1024);
		buf->arena_cur = MemoryContextAllocHuge(buf->cxt, blk);
		buf->arena_left = blk;
	}
	p = buf->arena_cur;
	buf->arena_cur += size;
	buf->arena_left -= size;
	return p;
}

static RowAllowance *
allowance_find(Relation rel, uint64 storage_id)
{
	int			i;

	for (i = 0; i < ROW_ALLOWANCE_SLOTS; i++)
	{
		RowAllowance *a = &allowances[i];

		if (a->end != 0 && a->spcnode == rel->rd_node.spcNode &&
			a->relnode == rel->rd_node.relNode && a->storage_id == storage_id)
			return a;
	}
	return NULL;
}

static RowAllowance *
allowance_slot(Relation rel, uint64 storage_id)
{
	RowAllowance *a = allowance_find(rel, storage_id);
	int			i;

	for (i = 0; i < ROW_ALLOWANCE_SLOTS && a == NULL; i++)
		if (allowances[i].end == 0)
			a = &allowances[i];
	if (a == NULL)
	{
		a = &allowances[allowance_victim];
		allowance_victim = (allowance_victim + 1) % ROW_ALLOWANCE_SLOTS;
	}
	a->spcnode = rel->rd_node.spcNode;
	a->relnode = rel->rd_node.relNode;
	a->storage_id = storage_id;
	return a;
}

/*
 * A fresh range of want row numbers for a buffer; meta_next_row is the
 * metapage's next_row as read when the buffer was made.
 */
static uint64
reserve_fresh(Relation rel, uint64 storage_id, uint64 want, bool bulk,
			  uint64 meta_next_row)
{
	RowAllowance *a;
	bool		extended;
	uint64		first;

	if (bulk)
		return cocoon_reserve_rows(rel, want, 0, &extended);
	a = allowance_find(rel, storage_id);
	if (a != NULL && a->end <= meta_next_row && a->end - a->next >= want)
	{
		first = a->next;
		a->next += want;
		return first;
	}
	first = cocoon_reserve_rows(rel, want + ROW_ALLOWANCE, 0, &extended);
	a = allowance_slot(rel, storage_id);
	a->next = first + want;
	a->end = first + want + ROW_ALLOWANCE;
	return first;
}

/*
 * Extend a buffer's range [.., from) by want numbers, contiguously; false
 * if that is not possible (something was reserved after it).
 */
static bool
reserve_extend(Relation rel, uint64 storage_id, uint64 want, uint64 from)
{
	RowAllowance *a = allowance_find(rel, storage_id);
	bool		extended;

	if (a != NULL && a->next == from)
	{
		uint64		need;

		if (a->end - a->next >= want)
		{
			a->next += want;
			return true;
		}
		/* the allowance grows at the metapage if it ends there */
		need = want - (a->end - a->next) + ROW_ALLOWANCE;
		(void) cocoon_reserve_rows(rel, need, a->end, &extended);
		if (!extended)
			return false;
		a->end += need;
		a->next += want;
		return true;
	}
	(void) cocoon_reserve_rows(rel, want, from, &extended);
	return extended;
}

/*
 * A flushed buffer used rows [.., used_end) of its range [.., end): the
 * rest goes back to the allowance if nothing was taken after it.
 */
static void
allowance_give_back(Relation rel, uint64 storage_id, uint64 used_end, uint64 end)
{
	RowAllowance *a = allowance_find(rel, storage_id);

	if (a != NULL && a->next == end && used_end < end)
		a->next = used_end;
}

/* The buffer's first row numbers are [first, first + count). */
static void
start_reservation(WriteBuffer *buf, Relation rel, uint64 first, uint64 count)
{
	buf->first_row = first;
	buf->reserved = count;
	memset(&buf->entry, 0, sizeof(StripeEntry));
	buf->entry.first_row = first;
	buf->entry.row_count = count;
	buf->entry.part_key = buf->part_key;
	if (!buf->defer_dir)
		cocoon_meta_insert_reserved(rel, buf->storage_id, &buf->entry);
}

static void
reserve_more(WriteBuffer *buf, Relation rel)
{
	uint64		want;

	want = Min(buf->reserved * 4, (uint64) buf->opts.stripe_rows) - buf->reserved;
	Assert(want > 0);
	if (!reserve_extend(rel, buf->storage_id, want, buf->first_row + buf->reserved))
	{
		/* somebody reserved after us: this buffer is as big as it gets */
		buf->reserved = buf->nrows;
		return;
	}
	buf->reserved += want;
	buf->entry.row_count = buf->reserved;
	if (!buf->defer_dir)
		cocoon_meta_update_inplace(rel, buf->storage_id, &buf->entry);
}

static WriteBuffer *
new_buffer(Relation rel, const CocoonOptions *opts, int64 part_key, bool bulk)
{
	MemoryContext cxt;
	MemoryContext old;
	WriteBuffer *buf;
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;
	CocoonMetaPageData meta;
	uint64		first;
	uint64		count;

	cxt = AllocSetContextCreate(get_write_cxt(), "cocoon write buffer",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	buf = palloc0(sizeof(WriteBuffer));
	buf->cxt = cxt;
	buf->relid = RelationGetRelid(rel);
	buf->relfilenode = rel->rd_node.relNode;
	buf->subid = GetCurrentSubTransactionId();
	buf->part_key = part_key;
	buf->natts = desc->natts;
	buf->opts = *opts;
	buf->bulk = bulk;
	buf->kinds = palloc(sizeof(CocoonValueKind) * desc->natts);
	buf->typlens = palloc(sizeof(int16) * desc->natts);
	buf->dropped = palloc(sizeof(bool) * desc->natts);
	buf->basetypes = palloc(sizeof(Oid) * desc->natts);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		buf->basetypes[i] = att->attisdropped ? InvalidOid : base_type_of(att->atttypid);
		buf->kinds[i] = value_kind_of_base(att, buf->basetypes[i]);
		buf->typlens[i] = att->attlen;
		buf->dropped[i] = att->attisdropped;
	}
	/* small first: most transactions of a log shipper insert a few rows */
	buf->capacity = bulk ? Min(opts->stripe_rows, 16384) : 16;
	buf->arena_next = bulk ? (Size) 1024 * 1024 : 4096;
	buf->values = palloc(sizeof(Datum *) * desc->natts);
	buf->isnull = palloc(sizeof(bool *) * desc->natts);
	for (i = 0; i < desc->natts; i++)
	{
		buf->values[i] = palloc(sizeof(Datum) * buf->capacity);
		buf->isnull[i] = palloc(sizeof(bool) * buf->capacity);
	}
	buf->cids = palloc(sizeof(CommandId) * buf->capacity);
	MemoryContextSwitchTo(old);

	/* one look at the file's size when the storage exists, as it mostly does */
	cocoon_read_metapage(rel, &meta);
	if (meta.storage_id == 0)
	{
		cocoon_storage_init(rel);
		cocoon_read_metapage(rel, &meta);
	}
	buf->storage_id = meta.storage_id;
	buf->xid = GetCurrentTransactionId();

	/*
	 * The directory row is what makes a stripe visible; it is inserted when
	 * the first rows are reserved so that another session's unique check,
	 * meeting an index entry of a row still in this buffer, finds an
	 * in-progress inserter to wait for.  A table without indexes has no
	 * such entries (CREATE INDEX waits for this transaction: ShareLock
	 * against our RowExclusiveLock; CONCURRENTLY waits for writers too), so
	 * a top-level buffer of one inserts its row complete when it writes the
	 * stripe: one insert instead of an insert plus an in-place update.
	 * Within this transaction the buffer's rows are read from memory, and
	 * nobody else can see them before the commit either way.
	 */
	buf->defer_dir = !rel->rd_rel->relhasindex && GetCurrentTransactionNestLevel() == 1;
	if (meta.max_partition_interval < opts->partition_interval ||
		(opts->time_attno != 0 && meta.time_attno != opts->time_attno))
		cocoon_note_partition_interval(rel, opts->partition_interval, opts->time_attno);
	count = bulk ? (uint64) opts->stripe_rows : INITIAL_RESERVATION;
	first = reserve_fresh(rel, buf->storage_id, count, bulk, meta.next_row);
	start_reservation(buf, rel, first, count);
	dlist_push_tail(&pending, &buf->node);
	return buf;
}

static void
grow_buffer(WriteBuffer *buf)
{
	uint32		newcap = Min((uint64) buf->capacity * 2, (uint64) buf->opts.stripe_rows);
	int			i;

	if (newcap <= buf->capacity)
		newcap = buf->capacity + 1;
	for (i = 0; i < buf->natts; i++)
	{
		buf->values[i] = repalloc_huge(buf->values[i], sizeof(Datum) * newcap);
		buf->isnull[i] = repalloc_huge(buf->isnull[i], sizeof(bool) * newcap);
	}
	buf->cids = repalloc_huge(buf->cids, sizeof(CommandId) * newcap);
	buf->capacity = newcap;
}

static inline int64
partition_of(const CocoonOptions *opts, TupleTableSlot *slot)
{
	int64		ts;
	int64		q;

	if (opts->time_attno == 0 || opts->partition_interval <= 0)
		return COCOON_NO_PARTITION;
	if (slot->tts_isnull[opts->time_attno - 1])
		return COCOON_NO_PARTITION;
	ts = DatumGetInt64(slot->tts_values[opts->time_attno - 1]);
	/* floor division; -infinity gets a bucket of its own */
	if (ts == PG_INT64_MIN)
		return COCOON_NO_PARTITION + 1;
	q = ts / opts->partition_interval;
	if (ts % opts->partition_interval < 0)
		q--;
	/* the key is the partition's start time (unit-free, see meta.c) */
	if (pg_mul_s64_overflow(q, opts->partition_interval, &q))
		return COCOON_NO_PARTITION + 1;
	return q;
}

static WriteBuffer *
find_buffer(Relation rel, int64 part_key)
{
	dlist_iter	it;
	Oid			relid = RelationGetRelid(rel);
	Oid			relfilenode = rel->rd_node.relNode;
	SubTransactionId subid = GetCurrentSubTransactionId();

	if (last_buffer && last_buffer->relid == relid &&
		last_buffer->relfilenode == relfilenode &&
		last_buffer->subid == subid && last_buffer->part_key == part_key)
		return last_buffer;

	/* newest first: the buffer being filled is usually at the tail */
	dlist_reverse_foreach(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		if (b->relid == relid && b->relfilenode == relfilenode &&
			b->subid == subid && b->part_key == part_key)
		{
			last_buffer = b;
			return b;
		}
	}
	return NULL;
}

static uint64
pending_rows_of(Relation rel, WriteBuffer **largest)
{
	dlist_iter	it;
	uint64		total = 0;
	SubTransactionId subid = GetCurrentSubTransactionId();

	*largest = NULL;
	dlist_foreach(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		if (b->relid == RelationGetRelid(rel))
		{
			total += b->nrows;
			if (b->subid == subid && (*largest == NULL || b->nrows > (*largest)->nrows))
				*largest = b;
		}
	}
	return total;
}

/*
 * Copy one value into the buffer's memory and return its datum.
 */
static inline Datum
copy_value(WriteBuffer *buf, int att, Datum d, uint64 *raw)
{
	int16		typlen = buf->typlens[att];

	if (buf->kinds[att] != VK_VAR && buf->kinds[att] != VK_FIXED)
	{
		*raw += typlen;
		return d;
	}
	if (typlen > 0)
	{
		char	   *p = arena_alloc(buf, typlen);

		memcpy(p, DatumGetPointer(d), typlen);
		*raw += typlen;
		return PointerGetDatum(p);
	}
	if (typlen == -1)
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(d);
		struct varlena *plain = v;
		char	   *p;
		Size		size;

		if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
			plain = detoast_attr(v);
		if (VARATT_CAN_MAKE_SHORT(plain))
		{
			size = VARATT_CONVERTED_SHORT_SIZE(plain);
			p = arena_alloc(buf, size);
			SET_VARSIZE_SHORT(p, size);
			memcpy(p + VARHDRSZ_SHORT, VARDATA(plain), size - VARHDRSZ_SHORT);
		}
		else
		{
			size = VARSIZE_ANY(plain);
			p = arena_alloc(buf, size);
			memcpy(p, plain, size);
		}
		if (plain != v)
			pfree(plain);
		*raw += size;
		return PointerGetDatum(p);
	}
	else
	{
		/* cstring */
		Size		size = strlen(DatumGetCString(d)) + 1;
		char	   *p = arena_alloc(buf, size);

		memcpy(p, DatumGetPointer(d), size);
		*raw += size;
		return PointerGetDatum(p);
	}
}

/*
 * Buffer nslots rows; sets each slot's TID to the row's number.
 */
void
cocoon_buffer_insert(Relation rel, TupleTableSlot **slots, int nslots,
					 CommandId cid, bool bulk)
{
	CocoonOptions opts;
	bool		have_opts = false;
	int			s;

	for (s = 0; s < nslots; s++)
	{
		TupleTableSlot *slot = slots[s];
		WriteBuffer *buf;
		int64		part;
		uint32		row;
		int			i;

		slot_getallattrs(slot);
		if (!have_opts)
		{
			/* options are per buffer; find them once per call */
			if (last_buffer && last_buffer->relid == RelationGetRelid(rel) &&
				last_buffer->relfilenode == rel->rd_node.relNode)
				opts = last_buffer->opts;
			else
				cocoon_get_options(rel, &opts);
			have_opts = true;
		}
		part = partition_of(&opts, slot);
		buf = find_buffer(rel, part);
		if (buf != NULL && buf->nrows >= buf->reserved)
		{
			if (buf->reserved < (uint64) buf->opts.stripe_rows)
				reserve_more(buf, rel);
			if (buf->nrows >= buf->reserved)
			{
				flush_buffer(buf, rel);
				buf = NULL;
			}
		}
		if (buf == NULL)
		{
			WriteBuffer *largest;

			if (pending_rows_of(rel, &largest) >=
				(uint64) opts.stripe_rows * PENDING_FACTOR && largest != NULL)
				flush_buffer(largest, rel);
			buf = new_buffer(rel, &opts, part, bulk);
			last_buffer = buf;
		}
		if (buf->nrows >= buf->capacity)
			grow_buffer(buf);

		row = buf->nrows;
		for (i = 0; i < buf->natts; i++)
		{
			if (buf->dropped[i] || slot->tts_isnull[i])
			{
				buf->isnull[i][row] = true;
				buf->values[i][row] = (Datum) 0;
			}
			else
			{
				buf->isnull[i][row] = false;
				buf->values[i][row] = copy_value(buf, i, slot->tts_values[i],
												 &buf->raw_bytes);
			}
		}
		buf->cids[row] = cid;
		buf->nrows++;

		if (opts.time_attno > 0 && !slot->tts_isnull[opts.time_attno - 1])
		{
			int64		ts = DatumGetInt64(slot->tts_values[opts.time_attno - 1]);

			if (!buf->entry.has_ts)
			{
				buf->entry.min_ts = buf->entry.max_ts = ts;
				buf->entry.has_ts = true;
			}
			else
			{
				if (ts < buf->entry.min_ts)
					buf->entry.min_ts = ts;
				if (ts > buf->entry.max_ts)
					buf->entry.max_ts = ts;
			}
		}
		cocoon_row_to_tid(buf->first_row + row, &slot->tts_tid);
		slot->tts_tableOid = RelationGetRelid(rel);
	}
}

/* ----------------------------------------------------------------
 * Encoding a stripe
 * ----------------------------------------------------------------
 */

typedef struct EncodedChunk
{
	uint8	   *data;
	uint64		len;
	char	   *bloom;			/* or NULL */
	size_t		bloom_len;
} EncodedChunk;

/* Which columns get bloom filters, and with trigrams? */
static int
bloom_mode(Form_pg_attribute att, Oid base)
{
	if (att->attisdropped)
		return 0;
	if (base == TEXTOID || base == VARCHAROID)
		return 2;				/* values and trigrams */
	if (base == UUIDOID || base == INETOID || base == CIDROID)
		return 1;				/* values (inet = inet is byte equality) */
	if (base == JSONBOID)
		return 3;				/* top-level keys and key/value pairs */
	return 0;
}

static BloomBuilder bloom_builder;
static bool bloom_builder_ready = false;

/*
 * Build the codec vector of rows [from, from + n) of attribute att.
 */
static void
build_vector(WriteBuffer *buf, int att, uint32 from, uint32 n, CocoonVector *vec)
{
	Datum	   *vals = buf->values[att] + from;
	bool	   *nulls = buf->isnull[att] + from;
	uint32		nvalues = 0;
	uint32		i;
	uint32		k;

	memset(vec, 0, sizeof(*vec));
	vec->kind = buf->kinds[att];
	vec->nrows = n;
	for (i = 0; i < n; i++)
		if (!nulls[i])
			nvalues++;
	vec->nvalues = nvalues;
	if (nvalues < n)
	{
		vec->nulls = palloc0((n + 7) / 8);
		for (i = 0; i < n; i++)
			if (nulls[i])
				vec->nulls[i / 8] |= (uint8) (1 << (i % 8));
	}
	switch (vec->kind)
	{
		case VK_INT:
			{
				int16		typlen = buf->typlens[att];

				vec->ints = palloc(sizeof(int64) * Max(nvalues, 1));
				for (i = 0, k = 0; i < n; i++)
				{
					if (nulls[i])
						continue;
					switch (typlen)
					{
						case 1:
							vec->ints[k++] = (int64) DatumGetChar(vals[i]);
							break;
						case 2:
							vec->ints[k++] = (int64) DatumGetInt16(vals[i]);
							break;
						case 4:
							vec->ints[k++] = (int64) DatumGetInt32(vals[i]);
							break;
						default:
							vec->ints[k++] = DatumGetInt64(vals[i]);
							break;
					}
				}
				break;
			}
		case VK_FLOAT:
			vec->bits = palloc(sizeof(uint64) * Max(nvalues, 1));
			for (i = 0, k = 0; i < n; i++)
			{
				if (nulls[i])
					continue;
				if (buf->typlens[att] == 4)
					vec->bits[k++] = (uint64) DatumGetUInt32(vals[i]);
				else
					vec->bits[k++] = (uint64) DatumGetInt64(vals[i]);
			}
			break;
		case VK_BOOL:
			vec->bools = palloc(Max(nvalues, 1));
			for (i = 0, k = 0; i < n; i++)
				if (!nulls[i])
					vec->bools[k++] = DatumGetBool(vals[i]) ? 1 : 0;
			break;
		case VK_FIXED:
			{
				uint32		len = (uint32) buf->typlens[att];

				vec->fixed_len = len;
				vec->data_len = (uint64) len * nvalues;
				vec->data = palloc_extended(Max(vec->data_len, 1), MCXT_ALLOC_HUGE);
				for (i = 0, k = 0; i < n; i++)
				{
					if (nulls[i])
						continue;
					memcpy(vec->data + (uint64) k * len, DatumGetPointer(vals[i]), len);
					k++;
				}
				break;
			}
		case VK_VAR:
			{
				uint64		total = 0;
				bool		cstr = (buf->typlens[att] == -2);

				vec->offsets = palloc_extended(sizeof(uint64) * (nvalues + 1), MCXT_ALLOC_HUGE);
				for (i = 0, k = 0; i < n; i++)
				{
					if (nulls[i])
						continue;
					vec->offsets[k++] = total;
					total += cstr ? strlen(DatumGetCString(vals[i])) + 1
						: VARSIZE_ANY(DatumGetPointer(vals[i]));
				}
				vec->offsets[k] = total;
				vec->data_len = total;
				vec->data = palloc_extended(Max(total, 1), MCXT_ALLOC_HUGE);
				for (i = 0, k = 0; i < n; i++)
				{
					if (nulls[i])
						continue;
					memcpy(vec->data + vec->offsets[k], DatumGetPointer(vals[i]),
						   vec->offsets[k + 1] - vec->offsets[k]);
					k++;
				}
				break;
			}
	}
}

static void
codec_fail(Relation rel, CocoonCodecResult r, const char *what, int att)
{
	ereport(ERROR,
			(errcode(r == COCOON_CODEC_NOMEM ? ERRCODE_OUT_OF_MEMORY : ERRCODE_INTERNAL_ERROR),
			 errmsg("could not %s column %d of cocoon table \"%s\": %s",
					what, att + 1, RelationGetRelationName(rel),
					cocoon_codec_result_string(r))));
}

/*
 * Skip-index bounds of the types without an int64 order (src/README, "Skip
 * indexes"): bytewise prefixes for text, varchar and uuid, outward-rounded
 * float8 keys for numeric.
 */

/* A VK_VAR value of vec: its bytes after the varlena header */
static inline const uint8 *
vec_var_bytes(const CocoonVector *vec, uint32 k, size_t *len)
{
	const char *v = (const char *) vec->data + vec->offsets[k];

	*len = VARSIZE_ANY_EXHDR(v);
	return (const uint8 *) VARDATA_ANY(v);
}

static inline int
bytes_cmp(const uint8 *a, size_t alen, const uint8 *b, size_t blen)
{
	int			r = memcmp(a, b, Min(alen, blen));

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/*
 * rtrim: bpchar, whose comparisons ignore trailing blanks (bcTruelen): the
 * bounds are those of the values without them.
 */
static void
set_bytes_bounds(const CocoonVector *vec, CocoonChunkDesc *desc, bool rtrim)
{
	const uint8 *mn,
			   *mx;
	size_t		mnlen,
				mxlen;
	uint32		k;

	if (vec->kind == VK_FIXED)
	{
		mn = mx = vec->data;
		mnlen = mxlen = vec->fixed_len;
		for (k = 1; k < vec->nvalues; k++)
		{
			const uint8 *v = vec->data + (uint64) k * vec->fixed_len;

			if (memcmp(v, mn, vec->fixed_len) < 0)
				mn = v;
			else if (memcmp(v, mx, vec->fixed_len) > 0)
				mx = v;
		}
	}
	else
	{
		mn = mx = vec_var_bytes(vec, 0, &mnlen);
		while (rtrim && mnlen > 0 && mn[mnlen - 1] == ' ')
			mnlen--;
		mxlen = mnlen;
		for (k = 1; k < vec->nvalues; k++)
		{
			size_t		len;
			const uint8 *v = vec_var_bytes(vec, k, &len);

			while (rtrim && len > 0 && v[len - 1] == ' ')
				len--;

			if (bytes_cmp(v, len, mn, mnlen) < 0)
			{
				mn = v;
				mnlen = len;
			}
			else if (bytes_cmp(v, len, mx, mxlen) > 0)
			{
				mx = v;
				mxlen = len;
			}
		}
	}
	cocoon_bounds_set(desc, mn, mnlen, mx, mxlen);
}

/*
 * A numeric of vec, copied to *buf (grown as needed) with a 4-byte header:
 * numeric's macros need one, and an aligned address.
 */
static Numeric
vec_numeric(const CocoonVector *vec, uint32 k, char **buf, Size *cap)
{
	size_t		len;
	const uint8 *v = vec_var_bytes(vec, k, &len);

	if (*buf == NULL || *cap < len + VARHDRSZ)
	{
		if (*buf)
			pfree(*buf);
		*cap = Max(len + VARHDRSZ, 64);
		*buf = palloc(*cap);
	}
	SET_VARSIZE(*buf, len + VARHDRSZ);
	memcpy(*buf + VARHDRSZ, v, len);
	return (Numeric) *buf;
}

/*
 * The float8 nearest to a numeric, NaN and the infinities included; values
 * beyond float8's range come out infinite.  The exact value lies between
 * the result's two neighbours (strtod rounds correctly), which is what
 * cocoon_numeric_key_down/up use.
 */
double
cocoon_numeric_to_double(struct NumericData *n)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
	double		d = strtod(s, NULL);	/* "NaN", "Infinity", "-Infinity" too */

	pfree(s);
	return d;
}

int64
cocoon_numeric_key_down(double d)
{
	return cocoon_float_key(isnan(d) ? d : nextafter(d, -INFINITY));
}

int64
cocoon_numeric_key_up(double d)
{
	return cocoon_float_key(isnan(d) ? d : nextafter(d, INFINITY));
}

bool
cocoon_interval_span(const Interval *iv, double *span)
{
#ifdef HAVE_INT128
	int128		s = (int128) iv->month * (30 * USECS_PER_DAY) +
		(int128) iv->day * USECS_PER_DAY + iv->time;

	*span = (double) s;
	return true;
#else
	return false;
#endif
}

/*
 * The key of an inet value (cocoon.h), or with host_ones the key of the
 * greatest address inside its network (its host bits all ones).
 */
static bool
inet_key_internal(const void *inet_varlena, bool host_ones, double *key)
{
#ifdef HAVE_INT128
	const inet *ip = (const inet *) inet_varlena;
	const unsigned char *a = ip_addr(ip);
	int			bits = ip_bits(ip);
	int			nb;
	uint128		v = 0;
	int			i;

	if (ip_family(ip) == PGSQL_AF_INET)
		nb = 4;
	else if (ip_family(ip) == PGSQL_AF_INET6)
		nb = 16;
	else
		return false;
	if (VARSIZE_ANY_EXHDR(ip) < 2 + nb)
		return false;
	for (i = 0; i < nb; i++)
	{
		unsigned int byte = a[i];

		/* the bits under the value's own netmask; the rest zero (or one) */
		if (i * 8 >= bits)
			byte = host_ones ? 0xFF : 0;
		else if (i * 8 + 8 > bits)
		{
			unsigned int mask = (0xFF << (8 - (bits - i * 8))) & 0xFF;

			byte = host_ones ? (byte | (~mask & 0xFF)) : (byte & mask);
		}
		v = (v << 8) | byte;
	}
	/* IPv4 keys stay below 2^32, IPv6 keys start at 2^33 */
	*key = nb == 4 ? (double) v : 8589934592.0 + (double) v;
	return true;
#else
	return false;
#endif
}

bool
cocoon_inet_key(const void *inet_varlena, double *key)
{
	return inet_key_internal(inet_varlena, false, key);
}

bool
cocoon_inet_subnet_keys(const void *inet_varlena, double *lo, double *hi)
{
	return inet_key_internal(inet_varlena, false, lo) &&
		inet_key_internal(inet_varlena, true, hi);
}

/* inet/cidr: the least and greatest address key */
static void
set_inet_bounds(const CocoonVector *vec, CocoonChunkDesc *desc)
{
	double		mn = 0,
				mx = 0;
	uint32		k;

	for (k = 0; k < vec->nvalues; k++)
	{
		double		key;

		if (!cocoon_inet_key((const char *) vec->data + vec->offsets[k], &key))
			return;
		if (k == 0 || key < mn)
			mn = key;
		if (k == 0 || key > mx)
			mx = key;
	}
	desc->min_value = cocoon_float_key(mn);
	desc->max_value = cocoon_float_key(mx);
	desc->flags |= COCOON_CHUNK_HAS_AMINMAX;
}

/* interval: the least and greatest span, as outward-rounded float keys */
static void
set_interval_bounds(const CocoonVector *vec, CocoonChunkDesc *desc)
{
	double		mn = 0,
				mx = 0;
	uint32		k;

	for (k = 0; k < vec->nvalues; k++)
	{
		Interval	iv;
		double		s;

		memcpy(&iv, (const char *) vec->data + (uint64) k * vec->fixed_len, sizeof(Interval));
		if (!cocoon_interval_span(&iv, &s))
			return;
		if (k == 0 || s < mn)
			mn = s;
		if (k == 0 || s > mx)
			mx = s;
	}
	desc->min_value = cocoon_numeric_key_down(mn);
	desc->max_value = cocoon_numeric_key_up(mx);
	desc->flags |= COCOON_CHUNK_HAS_IMINMAX;
}

static void
set_numeric_bounds(const CocoonVector *vec, CocoonChunkDesc *desc)
{
	char	   *bufs[3] = {NULL, NULL, NULL};
	Size		caps[3] = {0, 0, 0};
	uint32		k;
	Numeric		mn = vec_numeric(vec, 0, &bufs[0], &caps[0]);
	Numeric		mx = vec_numeric(vec, 0, &bufs[1], &caps[1]);

	/* numeric_cmp's order: NaN above +Infinity above every finite value */
	for (k = 1; k < vec->nvalues; k++)
	{
		Numeric		v = vec_numeric(vec, k, &bufs[2], &caps[2]);

		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(v),
											  NumericGetDatum(mn))) < 0)
			mn = vec_numeric(vec, k, &bufs[0], &caps[0]);
		else if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(v),
												   NumericGetDatum(mx))) > 0)
			mx = vec_numeric(vec, k, &bufs[1], &caps[1]);
	}
	desc->min_value = cocoon_numeric_key_down(cocoon_numeric_to_double(mn));
	desc->max_value = cocoon_numeric_key_up(cocoon_numeric_to_double(mx));
	desc->flags |= COCOON_CHUNK_HAS_NMINMAX;
	for (k = 0; k < 3; k++)
		if (bufs[k])
			pfree(bufs[k]);
}

/*
 * Encode and compress one chunk; fills desc (except offset) and out.
 */
static void
encode_chunk(Relation rel, WriteBuffer *buf, int att, uint32 from, uint32 n,
			 CocoonChunkDesc *desc, EncodedChunk *out, int bmode)
{
	CocoonVector vec;
	uint8	   *enc;
	size_t		enclen;
	CocoonCodecId codec;
	CocoonCodecResult r;
	uint32		i;

	build_vector(buf, att, from, n, &vec);
	/* varlenas are plain in-line ones here (copy_value); jsonb is known */
	if (vec.kind == VK_VAR && buf->typlens[att] == -1 && !buf->dropped[att])
		vec.var_format =
			buf->basetypes[att] == JSONBOID
			? COCOON_VAR_JSONB : COCOON_VAR_VARLENA;
	r = cocoon_encode(&vec, &enc, &enclen, &codec);
	if (r != COCOON_CODEC_OK)
		codec_fail(rel, r, "encode", att);

	desc->nrows = n;
	desc->first = from;
	desc->nnulls = n - vec.nvalues;
	desc->codec = (uint8) codec;
	desc->raw_len = enclen;
	desc->flags = 0;
	if (vec.kind == VK_INT && vec.nvalues > 0 && !buf->dropped[att] &&
		buf->typlens[att] == sizeof(Oid) && type_is_enum(buf->basetypes[att]))
	{
		/*
		 * enum: the least and greatest label in the enum's sort order (the
		 * OIDs' order is not it).  Labels are never removed and their
		 * relative order never changes (renumbering keeps it), so the
		 * bounds stay valid.
		 */
		TypeCacheEntry *tc = lookup_type_cache(buf->basetypes[att], 0);
		Oid			mn = (Oid) vec.ints[0],
					mx = (Oid) vec.ints[0];

		for (i = 1; i < vec.nvalues; i++)
		{
			Oid			v = (Oid) vec.ints[i];

			if (v != mn && compare_values_of_enum(tc, v, mn) < 0)
				mn = v;
			if (v != mx && compare_values_of_enum(tc, v, mx) > 0)
				mx = v;
		}
		desc->min_value = (int64) mn;
		desc->max_value = (int64) mx;
		desc->flags |= COCOON_CHUNK_HAS_EMINMAX;
	}
	else if (vec.kind == VK_INT && vec.nvalues > 0)
	{
		int64		mn = vec.ints[0],
					mx = vec.ints[0];

		for (i = 1; i < vec.nvalues; i++)
		{
			if (vec.ints[i] < mn)
				mn = vec.ints[i];
			if (vec.ints[i] > mx)
				mx = vec.ints[i];
		}
		desc->min_value = mn;
		desc->max_value = mx;
		desc->flags |= COCOON_CHUNK_HAS_MINMAX;
	}
	else if (vec.kind == VK_FLOAT && vec.nvalues > 0)
	{
		int64		mn = PG_INT64_MAX,
					mx = PG_INT64_MIN;

		for (i = 0; i < vec.nvalues; i++)
		{
			union
			{
				uint32		u;
				float4		f;
			}			f4;
			union
			{
				uint64		u;
				float8		f;
			}			f8;
			int64		k;

			if (buf->typlens[att] == 4)
			{
				f4.u = (uint32) vec.bits[i];
				k = cocoon_float_key((double) f4.f);
			}
			else
			{
				f8.u = vec.bits[i];
				k = cocoon_float_key(f8.f);
			}
			mn = Min(mn, k);
			mx = Max(mx, k);
		}
		desc->min_value = mn;
		desc->max_value = mx;
		desc->flags |= COCOON_CHUNK_HAS_FMINMAX;
	}
	else if (vec.kind == VK_BOOL && vec.nvalues > 0)
	{
		desc->min_value = 1;
		desc->max_value = 0;
		for (i = 0; i < vec.nvalues; i++)
		{
			desc->min_value = Min(desc->min_value, vec.bools[i]);
			desc->max_value = Max(desc->max_value, vec.bools[i]);
		}
		desc->flags |= COCOON_CHUNK_HAS_MINMAX;
	}
	else if (vec.nvalues > 0 && !buf->dropped[att] &&
			 (vec.kind == VK_VAR || vec.kind == VK_FIXED))
	{
		Oid			base = buf->basetypes[att];

		/* bytea's order (byteacmp) is bytewise too, with no collation */
		if ((base == TEXTOID || base == VARCHAROID || base == BYTEAOID) &&
			buf->typlens[att] == -1)
			set_bytes_bounds(&vec, desc, false);
		/* bpchar: its values without trailing blanks, as it compares them */
		else if (base == BPCHAROID && buf->typlens[att] == -1)
			set_bytes_bounds(&vec, desc, true);
		else if (base == UUIDOID && vec.kind == VK_FIXED && vec.fixed_len == UUID_LEN)
			set_bytes_bounds(&vec, desc, false);
		else if (base == NUMERICOID && buf->typlens[att] == -1)
			set_numeric_bounds(&vec, desc);
		else if (base == INTERVALOID && vec.kind == VK_FIXED &&
				 vec.fixed_len == sizeof(Interval))
			set_interval_bounds(&vec, desc);
		else if ((base == INETOID || base == CIDROID) && buf->typlens[att] == -1)
			set_inet_bounds(&vec, desc);
	}

	desc->compression = COMPRESSION_NONE;
	out->data = enc;
	out->len = enclen;
	/*
	 * Compression of a few rows' values rarely pays for the frame header,
	 * and setting it up costs more than encoding them.
	 */
	if (buf->opts.compression != COMPRESSION_NONE && enclen > 64 &&
		buf->nrows >= TINY_STRIPE_ROWS)
	{
		uint8	   *comp;
		size_t		complen;

		r = cocoon_compress(buf->opts.compression, buf->opts.compression_level,
							enc, enclen, &comp, &complen);
		if (r == COCOON_CODEC_OK && complen < enclen)
		{
			desc->compression = (uint8) buf->opts.compression;
			out->data = comp;
			out->len = complen;
			codec_free(enc);
		}
		else if (r == COCOON_CODEC_OK)
			codec_free(comp);
		else if (r != COCOON_CODEC_BADARG)
			codec_fail(rel, r, "compress", att);
	}
	desc->stored_len = out->len;
	desc->crc = cocoon_crc32c(out->data, out->len);

	out->bloom = NULL;
	out->bloom_len = 0;
	if (bmode != 0 && vec.nvalues > 0)
	{
		uint32		k;

		if (!bloom_builder_ready)
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			cocoon_bloom_init(&bloom_builder);
			MemoryContextSwitchTo(old);
			bloom_builder_ready = true;
		}
		/* a value hash, plus at most one trigram or jsonb item per byte */
		cocoon_bloom_reset(&bloom_builder,
						   vec.nvalues + (vec.kind == VK_FIXED ? 0 : vec.data_len));
		for (k = 0; k < vec.nvalues; k++)
		{
			if (bmode == 3)
			{
				char	   *v = (char *) vec.data + vec.offsets[k];
				Jsonb	   *jb = DatumGetJsonbP(PointerGetDatum(v));

				cocoon_bloom_add_jsonb(&bloom_builder, jb);
				if ((char *) jb != v)
					pfree(jb);
			}
			else if (vec.kind == VK_FIXED)
				cocoon_bloom_add_value(&bloom_builder,
									   (char *) vec.data + (uint64) k * vec.fixed_len,
									   vec.fixed_len, false);
			else
			{
				char	   *v = (char *) vec.data + vec.offsets[k];

				cocoon_bloom_add_value(&bloom_builder, VARDATA_ANY(v),
									   VARSIZE_ANY_EXHDR(v), bmode == 2);
			}
		}
		out->bloom = cocoon_bloom_finish(&bloom_builder, &desc->bloom_log2, &out->bloom_len);
		desc->bloom_crc = cocoon_crc32c(out->bloom, out->bloom_len);
		desc->flags |= COCOON_CHUNK_HAS_BLOOM;
	}
	cocoon_vector_free(&vec);
}

/* Staging of sequential writes so that pages are written whole */
typedef struct StageWriter
{
	Relation	rel;
	uint64		offset;			/* logical offset of staged[0] */
	char	   *staged;
	Size		used;
	Size		size;
} StageWriter;

static void
stage_flush(StageWriter *w)
{
	if (w->used > 0)
	{
		cocoon_storage_write(w->rel, w->offset, w->staged, w->used);
		w->offset += w->used;
		w->used = 0;
	}
}

static void
stage_write(StageWriter *w, const char *data, uint64 len)
{
	while (len > 0)
	{
		Size		n = Min(len, (uint64) (w->size - w->used));

		memcpy(w->staged + w->used, data, n);
		w->used += n;
		data += n;
		len -= n;
		if (w->used == w->size)
			stage_flush(w);
	}
}

/* Complete a stripe header (arg: its length) with its stripe id and CRC. */
static void
set_stripe_id(char *header, uint64 stripe_id, void *arg)
{
	CocoonStripeHeader *h = (CocoonStripeHeader *) header;

	h->stripe_id = stripe_id;
	h->header_crc = 0;
	h->header_crc = cocoon_crc32c(header, *(uint64 *) arg);
}

/*
 * Write buf's rows as one stripe and complete its directory row.  The
 * buffer is no longer pending afterwards (its memory is kept while scans
 * pin it).
 */
static void
flush_buffer(WriteBuffer *buf, Relation rel)
{
	MemoryContext tmp;
	MemoryContext old;
	int			natts = buf->natts;
	uint32		nchunks = 0;
	uint32	   *chunk_start;
	uint32		maxchunks;
	CocoonChunkDesc *descs;
	EncodedChunk *encoded;
	CocoonStripeHeader hdr;
	CocoonColumnDesc *cols;
	uint64		header_len;
	uint64		data_len = 0;
	uint64		offset;
	uint64		stripe_id;
	char	   *header;
	uint32		c;
	int			a;
	uint32		row;
	StageWriter w;
	int		   *bmodes;

	if (buf->flushed)
		return;
	if (last_buffer == buf)
		last_buffer = NULL;

	if (buf->nrows == 0)
	{
		/* nothing to write; an empty reservation is left as a 0-row stripe */
		buf->entry.row_count = 0;
		buf->entry.data_length = 0;
		if (!buf->defer_dir)
			cocoon_meta_update_inplace(rel, buf->storage_id, &buf->entry);
		allowance_give_back(rel, buf->storage_id, buf->first_row,
							buf->first_row + buf->reserved);
		free_buffer(buf);
		return;
	}

	tmp = AllocSetContextCreate(CurrentMemoryContext, "cocoon stripe flush",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmp);

	/* chunk group boundaries: chunk_rows rows, or fewer if very wide */
	maxchunks = buf->nrows / Max(buf->opts.chunk_rows, 1) + 2;
	chunk_start = palloc(sizeof(uint32) * (maxchunks + 1));
	row = 0;
	while (natts > 0 && row < buf->nrows)
	{
		uint32		end = Min((uint64) row + buf->opts.chunk_rows, (uint64) buf->nrows);
		uint64		bytes = 0;
		uint32		r;

		/* cut the group short if its values are huge */
		for (r = row; r < end; r++)
		{
			for (a = 0; a < natts; a++)
				if (!buf->isnull[a][r] && buf->typlens[a] < 0)
					bytes += buf->typlens[a] == -1
						? VARSIZE_ANY(DatumGetPointer(buf->values[a][r]))
						: strlen(DatumGetCString(buf->values[a][r])) + 1;
			if (bytes > CHUNK_GROUP_MAX_BYTES && r > row)
			{
				end = r;
				break;
			}
		}
		if (nchunks >= maxchunks)
		{
			maxchunks *= 2;
			chunk_start = repalloc(chunk_start, sizeof(uint32) * (maxchunks + 1));
		}
		chunk_start[nchunks++] = row;
		row = end;
	}
	chunk_start[nchunks] = buf->nrows;

	header_len = sizeof(CocoonStripeHeader) + sizeof(CocoonColumnDesc) * natts +
		sizeof(CocoonChunkDesc) * (uint64) nchunks * natts;
	if (header_len > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stripe header of cocoon table \"%s\" would be too large",
						RelationGetRelationName(rel))));
	header = palloc0(header_len);
	cols = (CocoonColumnDesc *) (header + sizeof(CocoonStripeHeader));
	descs = (CocoonChunkDesc *) (header + sizeof(CocoonStripeHeader) +
								 sizeof(CocoonColumnDesc) * natts);
	encoded = palloc0(sizeof(EncodedChunk) * (uint64) nchunks * natts);

	for (a = 0; a < natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), a);

		cols[a].atttypid = att->atttypid;
		cols[a].typlen = buf->typlens[a];
		cols[a].kind = (uint8) buf->kinds[a];
		cols[a].flags = buf->dropped[a] ? COCOON_COL_DROPPED : 0;
	}
	/*
	 * A tiny stripe gets no bloom filters: reading its values costs about
	 * what testing a filter would, and the filters (64 bytes each at least)
	 * would be a quarter of a single-row transaction's stripe and WAL.  A
	 * chunk without a filter is simply never skipped by one (its min/max
	 * stay); compaction gives the rows filters again.
	 */
	bmodes = palloc(sizeof(int) * Max(natts, 1));
	for (a = 0; a < natts; a++)
		bmodes[a] = buf->nrows < TINY_STRIPE_ROWS ? 0 :
			(cocoon_bloom_column(&buf->opts, a + 1) ?
			 bloom_mode(TupleDescAttr(RelationGetDescr(rel), a), buf->basetypes[a]) : 0);
	for (c = 0; c < nchunks; c++)
	{
		CHECK_FOR_INTERRUPTS();
		for (a = 0; a < natts; a++)
		{
			CocoonChunkDesc *d = &descs[(uint64) c * natts + a];
			EncodedChunk *e = &encoded[(uint64) c * natts + a];

			encode_chunk(rel, buf, a, chunk_start[c], chunk_start[c + 1] - chunk_start[c],
						 d, e, buf->dropped[a] ? 0 : bmodes[a]);
			d->offset = header_len + data_len;
			data_len += e->len;
			if (e->bloom)
			{
				d->bloom_offset = header_len + data_len;
				data_len += e->bloom_len;
			}
		}
	}

	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = COCOON_STRIPE_MAGIC;
	hdr.version = COCOON_FORMAT_VERSION;
	hdr.natts = (uint16) natts;
	hdr.header_len = (uint32) header_len;
	hdr.first_row = buf->first_row;
	hdr.nrows = buf->nrows;
	hdr.chunk_rows = (uint32) buf->opts.chunk_rows;
	hdr.nchunks = nchunks;
	hdr.total_len = header_len + data_len;
	hdr.raw_bytes = buf->raw_bytes;
	memcpy(header, &hdr, sizeof(hdr));

	if (header_len + data_len <= COCOON_SMALL_WRITE)
	{
		/* small: reserve and write in one WAL record with the metapage */
		char	   *all = palloc(header_len + data_len);
		uint64		pos = header_len;

		memcpy(all, header, header_len);
		for (c = 0; c < (uint64) nchunks * natts; c++)
		{
			memcpy(all + pos, encoded[c].data, encoded[c].len);
			pos += encoded[c].len;
			codec_free(encoded[c].data);
			if (encoded[c].bloom)
			{
				memcpy(all + pos, encoded[c].bloom, encoded[c].bloom_len);
				pos += encoded[c].bloom_len;
			}
		}
		Assert(pos == header_len + data_len);
		offset = cocoon_reserve_and_write(rel, all, pos, set_stripe_id,
										  &header_len, &stripe_id);
	}
	else
	{
		offset = cocoon_reserve_bytes(rel, header_len + data_len, &stripe_id);
		set_stripe_id(header, stripe_id, &header_len);

		w.rel = rel;
		w.offset = offset;
		w.size = 256 * 1024;
		w.staged = palloc(w.size);
		w.used = 0;
		stage_write(&w, header, header_len);
		for (c = 0; c < (uint64) nchunks * natts; c++)
		{
			stage_write(&w, (char *) encoded[c].data, encoded[c].len);
			codec_free(encoded[c].data);
			if (encoded[c].bloom)
				stage_write(&w, encoded[c].bloom, encoded[c].bloom_len);
		}
		stage_flush(&w);
	}

	buf->entry.stripe_id = stripe_id;
	buf->entry.row_count = buf->nrows;
	buf->entry.data_offset = offset;
	buf->entry.data_length = header_len + data_len;
	buf->entry.raw_bytes = buf->raw_bytes;
	if (buf->defer_dir)
		cocoon_meta_insert_reserved(rel, buf->storage_id, &buf->entry);
	else
		cocoon_meta_update_inplace(rel, buf->storage_id, &buf->entry);
	/* now that the directory row ends at nrows, the unused rest may go back */
	allowance_give_back(rel, buf->storage_id, buf->first_row + buf->nrows,
						buf->first_row + buf->reserved);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	free_buffer(buf);
}

/*
 * Flush one buffer, opening its relation; a buffer whose relation is gone
 * or now has another relfilenode (it was truncated) is thrown away.
 */
static void
flush_buffer_by_id(WriteBuffer *buf)
{
	Relation	rel = try_relation_open(buf->relid, RowExclusiveLock);

	if (rel == NULL)
	{
		free_buffer(buf);
		return;
	}
	if (rel->rd_node.relNode != buf->relfilenode)
		free_buffer(buf);
	else
		flush_buffer(buf, rel);
	relation_close(rel, NoLock);
}

void
cocoon_flush_relation(Relation rel)
{
	dlist_mutable_iter it;

	dlist_foreach_modify(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		if (b->relid == RelationGetRelid(rel) && b->relfilenode == rel->rd_node.relNode)
			flush_buffer(b, rel);
	}
}

bool
cocoon_has_pending(Relation rel)
{
	dlist_iter	it;

	dlist_foreach(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		if (b->relid == RelationGetRelid(rel) && b->relfilenode == rel->rd_node.relNode)
			return true;
	}
	return false;
}

/* At (pre)commit or prepare: every pending buffer becomes a stripe. */
void
cocoon_flush_all(void)
{
	dlist_mutable_iter it;

	dlist_foreach_modify(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		flush_buffer_by_id(b);
	}
}

/* At transaction end: the memory goes with TopTransactionContext. */
void
cocoon_discard_all(void)
{
	dlist_init(&pending);
	write_cxt = NULL;
	last_buffer = NULL;
}

void
cocoon_subxact_abort(SubTransactionId mysubid)
{
	dlist_mutable_iter it;

	dlist_foreach_modify(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		if (b->subid == mysubid)
			free_buffer(b);
	}
}

void
cocoon_subxact_commit(SubTransactionId mysubid, SubTransactionId parentsubid)
{
	dlist_iter	it;

	dlist_foreach(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		if (b->subid == mysubid)
			b->subid = parentsubid;
	}
	last_buffer = NULL;
}

/*
 * The relation is getting a new relfilenode (TRUNCATE) or is dropped: rows
 * buffered for its old file by the current subtransaction go away.  Rows
 * buffered by an outer subtransaction are kept: if this subtransaction
 * rolls back they belong to the restored file again, and if it commits
 * flush_buffer_by_id sees the relfilenode changed and drops them.
 */
void
cocoon_discard_relfilenode(Oid relid, Oid relfilenode)
{
	dlist_mutable_iter it;
	SubTransactionId subid = GetCurrentSubTransactionId();

	dlist_foreach_modify(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		if (b->relid == relid && b->relfilenode == relfilenode && b->subid == subid)
			free_buffer(b);
	}
}

/* ----------------------------------------------------------------
 * Reading one's own pending rows
 * ----------------------------------------------------------------
 */

List *
cocoon_pin_pending(Relation rel, Snapshot snapshot)
{
	dlist_iter	it;
	List	   *pins = NIL;

	dlist_foreach(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		if (b->relid == RelationGetRelid(rel) &&
			b->relfilenode == rel->rd_node.relNode && b->nrows > 0)
		{
			PendingRows *p = palloc(sizeof(PendingRows));

			p->buf = b;
			p->first_row = b->first_row;
			p->nrows = b->nrows;
			b->pins++;
			pins = lappend(pins, p);
		}
	}
	return pins;
}

void
cocoon_unpin_pending(List *pins)
{
	ListCell   *lc;

	/* after the transaction ended the buffers are gone already */
	if (write_cxt == NULL)
		return;
	foreach(lc, pins)
	{
		PendingRows *p = lfirst(lc);
		WriteBuffer *b = p->buf;

		b->pins--;
		if (b->pins == 0 && b->flushed)
			MemoryContextDelete(b->cxt);
	}
}

bool
cocoon_pending_row_visible(PendingRows *p, uint32 idx, Snapshot snapshot)
{
	if (idx >= p->nrows)
		return false;
	if (snapshot != NULL && snapshot->snapshot_type == SNAPSHOT_MVCC)
		return p->buf->cids[idx] < snapshot->curcid;
	return true;
}

void
cocoon_pending_fetch(PendingRows *p, uint32 idx, TupleTableSlot *slot, Bitmapset *attrs)
{
	WriteBuffer *b = p->buf;
	TupleDesc	desc = slot->tts_tupleDescriptor;
	int			natts = desc->natts;
	int			i;

	ExecClearTuple(slot);
	for (i = 0; i < natts; i++)
	{
		if (i >= b->natts)
		{
			/* column added after the rows were buffered */
			slot->tts_values[i] = getmissingattr(desc, i + 1, &slot->tts_isnull[i]);
			continue;
		}
		if (attrs != NULL && !bms_is_member(i, attrs))
		{
			slot->tts_isnull[i] = true;
			slot->tts_values[i] = (Datum) 0;
			continue;
		}
		slot->tts_isnull[i] = b->isnull[i][idx] || TupleDescAttr(desc, i)->attisdropped;
		slot->tts_values[i] = slot->tts_isnull[i] ? (Datum) 0 : b->values[i][idx];
	}
	ExecStoreVirtualTuple(slot);
	cocoon_row_to_tid(p->first_row + idx, &slot->tts_tid);
	cocoon_slot_set_xmin(slot, b->xid);
}

/*
 * Look row up among this transaction's pending rows of rel.
 */
bool
cocoon_pending_find_row(Relation rel, uint64 row, Snapshot snapshot, TupleTableSlot *slot)
{
	dlist_iter	it;

	dlist_foreach(it, &pending)
	{
		WriteBuffer *b = dlist_container(WriteBuffer, node, it.cur);

		if (b->relid == RelationGetRelid(rel) &&
			b->relfilenode == rel->rd_node.relNode &&
			row >= b->first_row && row < b->first_row + b->nrows)
		{
			PendingRows p;

			p.buf = b;
			p.first_row = b->first_row;
			p.nrows = b->nrows;
			if (!cocoon_pending_row_visible(&p, (uint32) (row - b->first_row), snapshot))
				return false;
			if (slot != NULL)
				cocoon_pending_fetch(&p, (uint32) (row - b->first_row), slot, NULL);
			return true;
		}
	}
	return false;
}

uint64
cocoon_pending_row_count(Relation rel)
{
	WriteBuffer *largest;

	return pending_rows_of(rel, &largest);
}
