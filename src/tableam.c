/*-------------------------------------------------------------------------
 *
 * tableam.c
 *	  The cocoon TableAmRoutine: thin glue from PostgreSQL's callbacks to
 *	  the writer (write.c), the readers (read.c) and the directory (meta.c).
 *
 * Rows are identified by row numbers mapped to TIDs (cocoon.h).  Every
 * callback PostgreSQL requires exists; the ones cocoon cannot honour raise
 * ERRCODE_FEATURE_NOT_SUPPORTED with a hint on what to do instead.
 *
 * src/tableam.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/multixact.h"
#include "access/parallel.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/storage.h"
#include "catalog/storage_xlog.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/tidbitmap.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/smgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/typcache.h"
#include "utils/snapmgr.h"

#include "cocoon.h"
#include "cocoon_scan.h"

/* ------------------------------------------------------------------------
 * Row fetcher: one row by number, with the stripe and chunk cached
 * ------------------------------------------------------------------------
 */
typedef struct RowFetcher
{
	Relation	rel;
	MemoryContext cxt;
	uint64		storage_id;
	bool		have_sid;
	bool		have_cur;
	StripeEntry cur;
	SnapshotData cur_snap;		/* copy of the snapshot cur was found with */
	Snapshot	cur_snap_ptr;
	StripeReader *sr;
	uint64		sr_stripe_id;
} RowFetcher;

static void
fetcher_init(RowFetcher *f, Relation rel)
{
	memset(f, 0, sizeof(*f));
	f->rel = rel;
	f->cxt = AllocSetContextCreate(CurrentMemoryContext, "cocoon row fetcher",
								   ALLOCSET_DEFAULT_SIZES);
}

static void
fetcher_reset(RowFetcher *f)
{
	if (f->sr)
		cocoon_stripe_close(f->sr);
	f->sr = NULL;
	f->have_cur = false;
}

static void
fetcher_end(RowFetcher *f)
{
	fetcher_reset(f);
	if (f->cxt)
		MemoryContextDelete(f->cxt);
	f->cxt = NULL;
}

static bool
same_mvcc_snapshot(RowFetcher *f, Snapshot s)
{
	return f->have_cur && s == f->cur_snap_ptr && s->snapshot_type == SNAPSHOT_MVCC &&
		s->xmin == f->cur_snap.xmin && s->xmax == f->cur_snap.xmax &&
		s->curcid == f->cur_snap.curcid;
}

/* Which chunk of the open stripe holds row idx (binary search). */
static uint32
chunk_of(StripeReader *sr, uint32 idx)
{
	uint32		lo = 0;
	uint32		hi = cocoon_stripe_nchunks(sr);

	while (hi - lo > 1)
	{
		uint32		mid = (lo + hi) / 2;

		if (cocoon_stripe_chunk_desc(sr, mid, 0)->first <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static inline bool applies_deletes(Snapshot snapshot);

static bool
fetcher_fetch(RowFetcher *f, uint64 row, Snapshot snapshot, TupleTableSlot *slot)
{
	uint32		idx;
	uint32		chunk;
	const CocoonChunkDesc *d;

	bool		dirty = (snapshot->snapshot_type == SNAPSHOT_DIRTY);
	SnapshotData local_dirty;
	Snapshot	meta_snap = snapshot;
	TransactionId deleter = InvalidTransactionId;

	if (!f->have_sid)
	{
		f->storage_id = cocoon_storage_exists(f->rel) ? cocoon_storage_id(f->rel, false) : 0;
		f->have_sid = true;
	}

	/*
	 * A dirty snapshot (unique checks) must learn about exactly one thing:
	 * the transaction inserting or deleting this row, if it is still in
	 * progress.  The directory lookups use a private dirty snapshot so that
	 * what they meet on the way does not leak into the caller's.
	 */
	if (dirty)
	{
		snapshot->xmin = snapshot->xmax = InvalidTransactionId;
		snapshot->speculativeToken = 0;
		InitDirtySnapshot(local_dirty);
		meta_snap = &local_dirty;
	}
	if (applies_deletes(snapshot) && f->storage_id != 0 &&
		cocoon_meta_find_deleted(f->storage_id, row, meta_snap, NULL, NULL, NULL))
	{
		if (!dirty || !TransactionIdIsValid(local_dirty.xmin))
			return false;
		/* being deleted by a transaction still running */
		deleter = local_dirty.xmin;
	}
	if (cocoon_pending_find_row(f->rel, row, snapshot, slot))
	{
		slot->tts_tableOid = RelationGetRelid(f->rel);
		return true;
	}
	if (dirty || !(same_mvcc_snapshot(f, snapshot) &&
				   row >= f->cur.first_row && row < f->cur.first_row + f->cur.row_count))
	{
		StripeEntry e;
		bool		reserved;

		f->have_cur = false;
		if (dirty)
			InitDirtySnapshot(local_dirty);
		if (!cocoon_meta_find_row(f->storage_id, row, meta_snap, &e, &reserved))
			return false;
		if (dirty)
		{
			snapshot->xmin = local_dirty.xmin;	/* inserter still running */
			snapshot->xmax = deleter;
		}
		if (reserved)
		{
			/*
			 * Rows still in another transaction's memory.  A dirty snapshot
			 * learns who to wait for from the directory row; report the row
			 * as there, with no values.
			 */
			if (dirty)
			{
				ExecStoreAllNullTuple(slot);
				cocoon_row_to_tid(row, &slot->tts_tid);
				slot->tts_tableOid = RelationGetRelid(f->rel);
				return true;
			}
			return false;
		}
		f->cur = e;
		f->have_cur = true;
		f->cur_snap_ptr = snapshot;
		f->cur_snap = *snapshot;
	}
	if (f->sr == NULL || f->sr_stripe_id != f->cur.stripe_id)
	{
		if (f->sr)
			cocoon_stripe_close(f->sr);
		f->sr = cocoon_stripe_open(f->rel, &f->cur, f->cxt);
		f->sr_stripe_id = f->cur.stripe_id;
	}
	idx = (uint32) (row - f->cur.first_row);
	if (cocoon_stripe_header(f->sr)->natts == 0)
	{
		cocoon_stripe_fill_slot(f->sr, 0, slot, NULL);
	}
	else
	{
		chunk = chunk_of(f->sr, idx);
		d = cocoon_stripe_chunk_desc(f->sr, chunk, 0);
		cocoon_stripe_load_chunk(f->sr, chunk, NULL);
		if (cocoon_stripe_chunk_damaged(f->sr))
			return false;
		cocoon_stripe_fill_slot(f->sr, idx - d->first, slot, NULL);
	}
	cocoon_row_to_tid(row, &slot->tts_tid);
	slot->tts_tableOid = RelationGetRelid(f->rel);
	cocoon_slot_set_xmin(slot, f->cur.xmin);
	return true;
}

/* ------------------------------------------------------------------------
 * Slot callbacks
 * ------------------------------------------------------------------------
 */
TupleTableSlotOps TTSOpsCocoon;

static Datum
tts_cocoon_getsysattr(TupleTableSlot *slot, int attnum, bool *isnull)
{
	CocoonTupleTableSlot *cs = (CocoonTupleTableSlot *) slot;

	*isnull = false;
	switch (attnum)
	{
		case MinTransactionIdAttributeNumber:
			return TransactionIdGetDatum(cs->xmin);
		case MaxTransactionIdAttributeNumber:
			return TransactionIdGetDatum(InvalidTransactionId);
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cocoon tables have no system column number %d", attnum),
					 errhint("ctid, tableoid, xmin and xmax are available.")));
	}
	return (Datum) 0;
}

/* Called from _PG_init: a copy of the virtual slot's callbacks */
void
cocoon_slot_init_ops(void)
{
	TTSOpsCocoon = TTSOpsVirtual;
	TTSOpsCocoon.base_slot_size = sizeof(CocoonTupleTableSlot);
	TTSOpsCocoon.getsysattr = tts_cocoon_getsysattr;
}

static const TupleTableSlotOps *
cocoon_slot_callbacks(Relation rel)
{
	return &TTSOpsCocoon;
}

/* ------------------------------------------------------------------------
 * Scan callbacks
 * ------------------------------------------------------------------------
 */
typedef struct CocoonParallelScanData
{
	ParallelTableScanDescData base;
	pg_atomic_uint64 next_stripe;
} CocoonParallelScanData;

/*
 * Top-N pruning.  For a query "ORDER BY ts [DESC] LIMIT k" over this one
 * table, the scan keeps the ranks of the k best rows it has returned; a
 * stripe, chunk group or row whose best possible rank is strictly worse
 * than the k-th of those cannot be among the first k rows of the sort
 * above, so it is skipped.  Ties are kept, so secondary sort keys and WITH
 * TIES stay right.  Ranks compare (cls, v): cls 2 is a NULL sorted first,
 * 1 a value, 0 a NULL sorted last; v is the value, bit-inverted for ASC
 * so that a larger rank is always better.
 */
typedef struct CocoonRank
{
	int32		cls;
	int64		v;
} CocoonRank;

static inline int
rank_cmp(CocoonRank a, CocoonRank b)
{
	if (a.cls != b.cls)
		return a.cls < b.cls ? -1 : 1;
	if (a.v != b.v)
		return a.v < b.v ? -1 : 1;
	return 0;
}

typedef struct CocoonScanDescData
{
	TableScanDescData rs_base;
	MemoryContext cxt;
	bool		started;
	List	   *stripes;
	int			nstripes;
	int			stripe_pos;
	StripeReader *sr;
	uint32		chunk;
	uint32		chunk_nrows;
	uint32		chunk_first;	/* row index of the chunk's first row */
	TransactionId cur_xmin;		/* inserting transaction of the stripe */
	uint32		row;
	List	   *pins;
	int			pin_idx;
	uint32		pin_row;
	/* late materialisation: quals evaluated on the filter columns first */
	CocoonRowFilter filter_fn;
	void	   *filter_arg;
	Bitmapset  *filter_attrs;
	bool		use_pass;		/* current chunk: emit only rows in pass[] */
	uint32	   *pass;
	uint32		npass;
	uint32		pass_cap;
	uint32		pass_pos;
	/* rows of the current stripe (or pending buffer) deleted for our snapshot */
	uint64	   *del_rows;
	int			ndel;
	int			del_pos;
	Bitmapset  *attrs;
	CocoonScanBounds bounds;
	List	   *probes;			/* CocoonProbe * */
	const CocoonProbe *needle;	/* a jsonb ? / @> probe: its literal goes to
								 * every stripe reader, or NULL */
	CocoonScanStats stats;
	/* bitmap scans and analyze */
	RowFetcher fetcher;
	bool		fetcher_ready;
	uint64	   *rows;
	int			nrows_list;
	int			rows_pos;
	/* analyze */
	uint64	   *cum;			/* cumulative rows before stripe i */
	uint64		total_rows;
	uint64		an_next;
	uint64		an_end;
	TupleTableSlot *an_slot;
	/* top-N pruning (cocoon_scan_set_topn) */
	bool		topn;
	int			topn_attidx;	/* 0-based time column */
	bool		topn_desc;
	bool		topn_nulls_first;
	int			topn_k;
	int			topn_n;			/* ranks held in topn_heap */
	CocoonRank *topn_heap;		/* min-heap of the k best ranks returned */
	CocoonRank *pass_rank;		/* rank of each pass[] entry */
	uint32	   *chunk_order;	/* chunk groups of the open stripe, best first */
	uint32		chunk_pos;
	Bitmapset  *filter_load;	/* columns the filter pass decodes */
	bool		lazy;			/* batches: the caller decodes (cocoon_scan_batch_load) */
} CocoonScanDescData;

typedef CocoonScanDescData *CocoonScanDesc;

static TableScanDesc
cocoon_scan_begin(Relation rel, Snapshot snapshot, int nkeys, ScanKey key,
				  ParallelTableScanDesc pscan, uint32 flags)
{
	CocoonScanDesc scan;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "cocoon scan",
											  ALLOCSET_DEFAULT_SIZES);

	scan = MemoryContextAllocZero(cxt, sizeof(CocoonScanDescData));
	scan->cxt = cxt;

	/*
	 * ANALYZE passes no snapshot (heap judges each tuple against
	 * OldestXmin); stripes are judged by MVCC, so take one.
	 */
	if (snapshot == NULL)
	{
		snapshot = RegisterSnapshot(GetTransactionSnapshot());
		flags |= SO_TEMP_SNAPSHOT;
	}
	scan->rs_base.rs_rd = rel;
	scan->rs_base.rs_snapshot = snapshot;
	scan->rs_base.rs_nkeys = nkeys;
	scan->rs_base.rs_key = key;
	scan->rs_base.rs_flags = flags;
	scan->rs_base.rs_parallel = pscan;
	return (TableScanDesc) scan;
}

void
cocoon_scan_set_attrs(TableScanDesc sscan, Bitmapset *attrs)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;
	MemoryContext old = MemoryContextSwitchTo(scan->cxt);

	scan->attrs = bms_copy(attrs);
	MemoryContextSwitchTo(old);
}

void
cocoon_scan_set_bounds(TableScanDesc sscan, const CocoonScanBounds *bounds)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	scan->bounds = *bounds;
}

void
cocoon_scan_set_filter(TableScanDesc sscan, Bitmapset *filter_attrs,
					   CocoonRowFilter fn, void *arg)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;
	MemoryContext old = MemoryContextSwitchTo(scan->cxt);

	scan->filter_attrs = bms_copy(filter_attrs);
	scan->filter_fn = fn;
	scan->filter_arg = arg;
	MemoryContextSwitchTo(old);
}

void
cocoon_scan_set_topn(TableScanDesc sscan, AttrNumber ts_attno, bool desc,
					 bool nulls_first, int k)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	/*
	 * Parallel participants each keep their own k best: each returns at
	 * least the first k of its own rows, so all of them together return at
	 * least the first k overall.
	 */
	if (ts_attno <= 0 || k <= 0)
		return;
	scan->topn = true;
	scan->topn_attidx = ts_attno - 1;
	scan->topn_desc = desc;
	scan->topn_nulls_first = nulls_first;
	scan->topn_k = k;
	scan->topn_n = 0;
	scan->topn_heap = MemoryContextAlloc(scan->cxt, sizeof(CocoonRank) * k);
}

static inline CocoonRank
rank_null(CocoonScanDesc scan)
{
	CocoonRank	r = {scan->topn_nulls_first ? 2 : 0, 0};

	return r;
}

static inline CocoonRank
rank_value(CocoonScanDesc scan, int64 v)
{
	CocoonRank	r = {1, scan->topn_desc ? v : ~v};

	return r;
}

static const CocoonRank rank_top = {3, 0};

/* The best rank a stripe can hold, from its directory row alone. */
static CocoonRank
stripe_best_rank(CocoonScanDesc scan, const StripeEntry *e)
{
	/*
	 * Only partitioned stripes are known to hold no NULL time; a stripe
	 * without times may predate the column (whose missing value is then
	 * unknown here): both are "anything".
	 */
	if (!e->has_ts ||
		(e->part_key == COCOON_NO_PARTITION && scan->topn_nulls_first))
		return rank_top;
	return rank_value(scan, scan->topn_desc ? e->max_ts : e->min_ts);
}

/* The best rank chunk group `chunk` of the open stripe can hold. */
static CocoonRank
chunk_best_rank(CocoonScanDesc scan, uint32 chunk)
{
	const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(scan->sr, chunk, scan->topn_attidx);

	if (d == NULL)
		return rank_top;		/* column added after the stripe was written */
	if (d->nnulls == d->nrows)
		return rank_null(scan);
	if (d->nnulls > 0 && scan->topn_nulls_first)
		return rank_null(scan);
	if (!(d->flags & COCOON_CHUNK_HAS_MINMAX))
		return rank_top;
	return rank_value(scan, scan->topn_desc ? d->max_value : d->min_value);
}

/* The k-th best rank returned so far, once k rows have been returned. */
static inline bool
topn_threshold(CocoonScanDesc scan, CocoonRank *t)
{
	if (!scan->topn || scan->topn_n < scan->topn_k)
		return false;
	*t = scan->topn_heap[0];
	return true;
}

/* Note the rank of a returned row in the min-heap of the k best. */
static void
topn_add(CocoonScanDesc scan, CocoonRank r)
{
	CocoonRank *h = scan->topn_heap;
	int			n = scan->topn_n;
	int			i;

	if (n < scan->topn_k)
	{
		/* sift up */
		i = n++;
		while (i > 0 && rank_cmp(r, h[(i - 1) / 2]) < 0)
		{
			h[i] = h[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		h[i] = r;
		scan->topn_n = n;
		return;
	}
	if (rank_cmp(r, h[0]) <= 0)
		return;
	/* replace the worst and sift down */
	i = 0;
	for (;;)
	{
		int			c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && rank_cmp(h[c + 1], h[c]) < 0)
			c++;
		if (rank_cmp(h[c], r) >= 0)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = r;
}

typedef struct RankedStripe
{
	CocoonRank	best;
	StripeEntry *e;
} RankedStripe;

static int
ranked_stripe_cmp(const void *a, const void *b)
{
	const RankedStripe *x = a;
	const RankedStripe *y = b;
	int			c = rank_cmp(y->best, x->best);

	if (c != 0)
		return c;
	return x->e->first_row < y->e->first_row ? -1 : x->e->first_row > y->e->first_row ? 1 : 0;
}

/* Order the stripes best first, so that the threshold rises early. */
static void
topn_sort_stripes(CocoonScanDesc scan)
{
	int			n = list_length(scan->stripes);
	RankedStripe *arr;
	ListCell   *lc;
	int			i = 0;

	if (n < 2)
		return;
	arr = palloc(sizeof(RankedStripe) * n);
	foreach(lc, scan->stripes)
	{
		arr[i].e = lfirst(lc);
		arr[i].best = stripe_best_rank(scan, arr[i].e);
		i++;
	}
	qsort(arr, n, sizeof(RankedStripe), ranked_stripe_cmp);
	i = 0;
	foreach(lc, scan->stripes)
		lfirst(lc) = arr[i++].e;
	pfree(arr);
}

static int
chunk_rank_cmp(const void *a, const void *b, void *arg)
{
	CocoonScanDesc scan = arg;
	uint32		x = *(const uint32 *) a;
	uint32		y = *(const uint32 *) b;
	int			c = rank_cmp(chunk_best_rank(scan, y), chunk_best_rank(scan, x));

	if (c != 0)
		return c;
	return x < y ? -1 : x > y ? 1 : 0;
}

void
cocoon_scan_set_probes(TableScanDesc sscan, List *probes)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;
	ListCell   *lc;

	scan->probes = probes;
	scan->needle = NULL;
	/* jsonb ? / @>: rows without the literal need not be decoded */
	foreach(lc, probes)
	{
		CocoonProbe *p = lfirst(lc);

		if (p->substr_jsonb && p->substr != NULL)
		{
			scan->needle = p;
			break;
		}
	}
}

void
cocoon_scan_get_stats(TableScanDesc sscan, CocoonScanStats *out)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	*out = scan->stats;
	if (scan->sr)
		out->bytes_decompressed += cocoon_stripe_bytes_decompressed(scan->sr);
}

static void
scan_release(CocoonScanDesc scan)
{
	if (scan->sr)
		cocoon_stripe_close(scan->sr);
	scan->sr = NULL;
	if (scan->pins)
		cocoon_unpin_pending(scan->pins);
	scan->pins = NIL;
	if (scan->fetcher_ready)
		fetcher_end(&scan->fetcher);
	scan->fetcher_ready = false;
	scan->del_rows = NULL;
	scan->ndel = 0;
	scan->del_pos = 0;
	scan->started = false;
	scan->topn_n = 0;
	scan->chunk_order = NULL;
}

static void
cocoon_scan_end(TableScanDesc sscan)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	scan_release(scan);
	if (scan->rs_base.rs_flags & SO_TEMP_SNAPSHOT)
		UnregisterSnapshot(scan->rs_base.rs_snapshot);
	MemoryContextDelete(scan->cxt);
}

static void
cocoon_scan_rescan(TableScanDesc sscan, ScanKey key, bool set_params,
				   bool allow_strat, bool allow_sync, bool allow_pagemode)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	scan_release(scan);
	if (key && scan->rs_base.rs_nkeys > 0)
		memcpy(scan->rs_base.rs_key, key, sizeof(ScanKeyData) * scan->rs_base.rs_nkeys);
}

static void
scan_start(CocoonScanDesc scan)
{
	Relation	rel = scan->rs_base.rs_rd;
	MemoryContext old = MemoryContextSwitchTo(scan->cxt);
	uint64		storage_id;

	storage_id = cocoon_storage_exists(rel) ? cocoon_storage_id(rel, false) : 0;
	if (scan->bounds.has_ts)
	{
		CocoonMetaPageData meta;

		cocoon_read_metapage(rel, &meta);
		scan->stripes = cocoon_meta_stripes_in_range(storage_id, scan->rs_base.rs_snapshot,
													 scan->bounds.ts_lo, scan->bounds.ts_hi,
													 &scan->stats.stripes_total,
													 meta.max_partition_interval);
	}
	else
	{
		scan->stripes = cocoon_meta_stripes(storage_id, scan->rs_base.rs_snapshot, false);
		scan->stats.stripes_total = list_length(scan->stripes);
	}
	scan->nstripes = list_length(scan->stripes);
	scan->stats.stripes_skipped_time = scan->stats.stripes_total - scan->nstripes;
	if (scan->topn)
	{
		topn_sort_stripes(scan);
		/* the filter pass decodes the time column too, to rank the rows */
		if (scan->filter_fn && scan->filter_attrs == NULL)
			scan->filter_load = NULL;	/* the whole row already */
		else
			scan->filter_load = bms_add_member(bms_copy(scan->filter_attrs),
											   scan->topn_attidx);
	}
	else
		scan->filter_load = scan->filter_attrs;
	scan->stripe_pos = 0;
	/* a parallel worker leaves the leader's own pending rows to the leader */
	if (!IsParallelWorker())
		scan->pins = cocoon_pin_pending(rel, scan->rs_base.rs_snapshot);
	scan->pin_idx = 0;
	scan->pin_row = 0;
	scan->started = true;
	MemoryContextSwitchTo(old);
}

static inline bool
applies_deletes(Snapshot snapshot)
{
	return snapshot != NULL && snapshot->snapshot_type != SNAPSHOT_ANY;
}

/* Load the delete records of rows [lo, hi) for the scan's snapshot. */
static void
scan_load_deletes(CocoonScanDesc scan, uint64 lo, uint64 hi)
{
	MemoryContext old = MemoryContextSwitchTo(scan->cxt);

	if (scan->del_rows)
		pfree(scan->del_rows);
	scan->del_rows = NULL;
	scan->ndel = 0;
	scan->del_pos = 0;
	if (applies_deletes(scan->rs_base.rs_snapshot))
	{
		Relation	rel = scan->rs_base.rs_rd;
		uint64		sid = cocoon_storage_exists(rel) ? cocoon_storage_id(rel, false) : 0;

		scan->ndel = cocoon_meta_deleted_in_range(sid, lo, hi, scan->rs_base.rs_snapshot,
												  &scan->del_rows);
	}
	MemoryContextSwitchTo(old);
}

static inline bool
scan_row_deleted(CocoonScanDesc scan, uint64 row)
{
	while (scan->del_pos < scan->ndel && scan->del_rows[scan->del_pos] < row)
		scan->del_pos++;
	return scan->del_pos < scan->ndel && scan->del_rows[scan->del_pos] == row;
}

static bool
keys_match(CocoonScanDesc scan, TupleTableSlot *slot)
{
	int			i;

	for (i = 0; i < scan->rs_base.rs_nkeys; i++)
	{
		ScanKey		k = &scan->rs_base.rs_key[i];
		bool		isnull;
		Datum		d = slot_getattr(slot, k->sk_attno, &isnull);

		if (k->sk_flags & SK_ISNULL)
			return false;
		if (isnull)
			return false;
		if (!DatumGetBool(FunctionCall2Coll(&k->sk_func, k->sk_collation, d, k->sk_argument)))
			return false;
	}
	return true;
}

/* Next stripe index for this participant, or -1. */
static int
next_stripe_index(CocoonScanDesc scan)
{
	if (scan->rs_base.rs_parallel)
	{
		CocoonParallelScanData *p = (CocoonParallelScanData *) scan->rs_base.rs_parallel;
		uint64		i = pg_atomic_fetch_add_u64(&p->next_stripe, 1);

		return i < (uint64) scan->nstripes ? (int) i : -1;
	}
	return scan->stripe_pos < scan->nstripes ? scan->stripe_pos++ : -1;
}

/*
 * Row prefilters: the time bounds and the probes are necessary conditions
 * of the quals, checked on the decoded arrays before a row is put in a slot
 * and the quals (the expensive part) run on it.
 */
typedef struct Prefilter
{
	const CocoonProbe *p;		/* NULL: the time bounds */
	Datum	   *values;
	bool	   *isnull;
	int16		attlen;
	int64		lo;
	int64		hi;
} Prefilter;

#define MAX_PREFILTERS 16

static int
prefilters_for_chunk(CocoonScanDesc scan, Prefilter *pf)
{
	TupleDesc	desc = RelationGetDescr(scan->rs_base.rs_rd);
	int			n = 0;
	ListCell   *lc;

	if (scan->bounds.has_ts &&
		cocoon_stripe_column(scan->sr, scan->bounds.ts_attno - 1, &pf[n].values, &pf[n].isnull))
	{
		pf[n].p = NULL;
		pf[n].attlen = 8;
		pf[n].lo = scan->bounds.ts_lo;
		pf[n].hi = scan->bounds.ts_hi;
		n++;
	}
	foreach(lc, scan->probes)
	{
		CocoonProbe *p = lfirst(lc);

		if (n >= MAX_PREFILTERS)
			break;
		if (p->kind != PROBE_RANGE && p->kind != PROBE_FRANGE && p->kind != PROBE_URANGE &&
			p->nvals == 0 && p->substr == NULL)
			continue;
		if (p->attidx >= desc->natts ||
			!cocoon_stripe_column(scan->sr, p->attidx, &pf[n].values, &pf[n].isnull))
			continue;
		pf[n].p = p;
		pf[n].attlen = TupleDescAttr(desc, p->attidx)->attlen;
		pf[n].lo = p->lo;
		pf[n].hi = p->hi;
		n++;
	}
	return n;
}

static inline bool
varlena_plain(Datum d)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	return !(VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v));
}

/* false: the row fails some qual (NULL satisfies none of these) */
static bool
prefilter_row(const Prefilter *pf, int n, uint32 r)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		const CocoonProbe *p = pf[i].p;
		Datum		d;

		if (pf[i].isnull[r])
			return false;
		d = pf[i].values[r];
		if (p != NULL && p->kind == PROBE_FRANGE)
		{
			int64		k = cocoon_float_key(pf[i].attlen == 4 ? (double) DatumGetFloat4(d) :
											 DatumGetFloat8(d));

			if (k < pf[i].lo || k > pf[i].hi)
				return false;
		}
		else if (p != NULL && p->kind == PROBE_URANGE)
		{
			int64		v = (int64) DatumGetObjectId(d);

			if (v < pf[i].lo || v > pf[i].hi)
				return false;
		}
		else if (p == NULL || p->kind == PROBE_RANGE)
		{
			int64		v = pf[i].attlen == 2 ? DatumGetInt16(d) :
				pf[i].attlen == 4 ? DatumGetInt32(d) : DatumGetInt64(d);

			if (v < pf[i].lo || v > pf[i].hi)
				return false;
		}
		else if (p->nvals > 0)
		{
			int			k;
			bool		found = false;

			if (p->vlen == -1)
			{
				const char *data;
				Size		len;

				if (!varlena_plain(d))
					continue;
				data = VARDATA_ANY(DatumGetPointer(d));
				len = VARSIZE_ANY_EXHDR(DatumGetPointer(d));
				while (p->vals_rtrim && len > 0 && data[len - 1] == ' ')
					len--;
				for (k = 0; k < p->nvals && !found; k++)
					found = VARSIZE_ANY_EXHDR(DatumGetPointer(p->vals[k])) == len &&
						memcmp(VARDATA_ANY(DatumGetPointer(p->vals[k])), data, len) == 0;
			}
			else
			{
				for (k = 0; k < p->nvals && !found; k++)
					found = memcmp(DatumGetPointer(p->vals[k]), DatumGetPointer(d), p->vlen) == 0;
			}
			if (!found)
				return false;
		}
		else if (p->substr != NULL)
		{
			if (!varlena_plain(d))
				continue;
			if (memmem(VARDATA_ANY(DatumGetPointer(d)), VARSIZE_ANY_EXHDR(DatumGetPointer(d)),
					   p->substr, p->substr_len) == NULL)
				return false;
		}
	}
	return true;
}

/*
 * Late materialisation: decode the columns the quals need, evaluate the
 * quals on every row of chunk group scan->chunk and keep the passing rows
 * in scan->pass.  Returns true (skip the chunk) when none passes: its other
 * columns are never decoded.
 */
static bool
scan_filter_chunk(CocoonScanDesc scan, TupleTableSlot *slot)
{
	StripeReader *sr = scan->sr;
	const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(sr, scan->chunk, 0);
	uint64		first_row = cocoon_stripe_header(sr)->first_row;
	uint32		r;
	bool		track = scan->topn &&
		scan->topn_attidx < cocoon_stripe_header(sr)->natts;
	CocoonRank	t;
	Prefilter	pf[MAX_PREFILTERS];
	int			npf = 0;

	cocoon_stripe_load_chunk(sr, scan->chunk, scan->filter_load);
	if (cocoon_stripe_chunk_damaged(sr))
		return true;
	if (scan->pass_cap < d->nrows)
	{
		if (scan->pass)
			pfree(scan->pass);
		if (scan->pass_rank)
			pfree(scan->pass_rank);
		scan->pass = MemoryContextAlloc(scan->cxt, sizeof(uint32) * d->nrows);
		scan->pass_rank = scan->topn ?
			MemoryContextAlloc(scan->cxt, sizeof(CocoonRank) * d->nrows) : NULL;
		scan->pass_cap = d->nrows;
	}
	scan->npass = 0;
	if (scan->ndel > 0)
	{
		/* chunk groups may come out of row order (top-N): seek the deletes */
		uint64		lo_row = first_row + d->first;
		int			lo = 0,
					hi = scan->ndel;

		while (lo < hi)
		{
			int			mid = lo + (hi - lo) / 2;

			if (scan->del_rows[mid] < lo_row)
				lo = mid + 1;
			else
				hi = mid;
		}
		scan->del_pos = lo;
	}
	if (scan->filter_fn)
		npf = prefilters_for_chunk(scan, pf);
	for (r = 0; r < d->nrows; r++)
	{
		uint64		rowno = first_row + d->first + r;

		if (scan->ndel > 0 && scan_row_deleted(scan, rowno))
			continue;
		if (npf > 0 && !prefilter_row(pf, npf, r))
		{
			scan->stats.rows_prefiltered++;
			continue;
		}
		if (scan->filter_fn || scan->rs_base.rs_nkeys > 0)
		{
			cocoon_stripe_fill_slot(sr, r, slot, scan->filter_load);
			cocoon_row_to_tid(rowno, &slot->tts_tid);
			slot->tts_tableOid = RelationGetRelid(scan->rs_base.rs_rd);
			cocoon_slot_set_xmin(slot, scan->cur_xmin);
			if (scan->rs_base.rs_nkeys > 0 && !keys_match(scan, slot))
				continue;
			if (scan->filter_fn && !scan->filter_fn(scan->filter_arg, slot))
				continue;
		}
		if (track)
		{
			bool		isnull;
			Datum		v = cocoon_stripe_value(sr, scan->topn_attidx, r, &isnull);

			scan->pass_rank[scan->npass] = isnull ? rank_null(scan) :
				rank_value(scan, DatumGetInt64(v));
		}
		scan->pass[scan->npass++] = r;
	}
	ExecClearTuple(slot);
	if (track)
	{
		/*
		 * Rank the passing rows, latest first for DESC (rows mostly arrive
		 * in time order): the first k fill the heap with the best, and most
		 * of the others fail the threshold at once instead of each going
		 * through the heap.
		 */
		uint32		i;

		for (i = 0; i < scan->npass; i++)
		{
			uint32		j = scan->topn_desc ? scan->npass - 1 - i : i;

			if (!topn_threshold(scan, &t) || rank_cmp(scan->pass_rank[j], t) >= 0)
				topn_add(scan, scan->pass_rank[j]);
		}
	}
	/* keep the rows at or above the k-th best rank */
	if (track && topn_threshold(scan, &t))
	{
		uint32		i,
					n = 0;

		for (i = 0; i < scan->npass; i++)
		{
			if (rank_cmp(scan->pass_rank[i], t) >= 0)
				scan->pass[n++] = scan->pass[i];
		}
		scan->stats.rows_skipped_topn += scan->npass - n;
		scan->npass = n;
	}
	if (scan->npass == 0)
	{
		scan->stats.chunks_skipped_filter++;
		return true;
	}
	scan->use_pass = true;
	scan->pass_pos = 0;
	return false;
}

/*
 * May chunk group `chunk` hold a value v of the enum attribute p->attidx with
 * "v strategy p->lo", by its bounds in the enum's sort order
 * (COCOON_CHUNK_HAS_EMINMAX)?  True when unknown.
 */
static bool
enum_chunk_may_match(StripeReader *sr, uint32 chunk, const CocoonProbe *p)
{
	const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(sr, chunk, p->attidx);
	TypeCacheEntry *tc;
	Oid			c = (Oid) p->lo;
	Oid			mn,
				mx;

	if (d == NULL)
		return true;			/* column added later: its missing value */
	if (d->nrows > 0 && d->nnulls == d->nrows)
		return false;			/* NULL satisfies no comparison */
	if (!(d->flags & COCOON_CHUNK_HAS_EMINMAX) ||
		!OidIsValid(cocoon_stripe_column_type(sr, p->attidx)) ||
		getBaseType(cocoon_stripe_column_type(sr, p->attidx)) != p->enumtype)
		return true;			/* no bounds, or written as another type */
	mn = (Oid) d->min_value;
	mx = (Oid) d->max_value;
	tc = lookup_type_cache(p->enumtype, 0);
	switch (p->strategy)
	{
		case BTLessStrategyNumber:
			return compare_values_of_enum(tc, mn, c) < 0;
		case BTLessEqualStrategyNumber:
			return compare_values_of_enum(tc, mn, c) <= 0;
		case BTEqualStrategyNumber:
			return compare_values_of_enum(tc, mn, c) <= 0 &&
				compare_values_of_enum(tc, mx, c) >= 0;
		case BTGreaterEqualStrategyNumber:
			return compare_values_of_enum(tc, mx, c) >= 0;
		case BTGreaterStrategyNumber:
			return compare_values_of_enum(tc, mx, c) > 0;
	}
	return true;
}

/*
 * = / IN probe on text (deterministic collation: equal means the same
 * bytes) or uuid: may one of its values be in the chunk by its bytewise
 * bounds?  Tested before the bloom filter, which costs a read.
 */
static bool
values_may_match_bytes(StripeReader *sr, uint32 chunk, const CocoonProbe *p)
{
	int			k;

	for (k = 0; k < p->nvals; k++)
	{
		const uint8 *key;
		size_t		len;

		if (p->vlen == -1)
		{
			key = (const uint8 *) VARDATA_ANY(DatumGetPointer(p->vals[k]));
			len = VARSIZE_ANY_EXHDR(DatumGetPointer(p->vals[k]));
		}
		else
		{
			key = (const uint8 *) DatumGetPointer(p->vals[k]);
			len = p->vlen;
		}
		if (cocoon_stripe_chunk_may_match_bytes(sr, chunk, p->attidx, BTEqualStrategyNumber,
												key, len))
			return true;
	}
	return false;
}

static bool
chunk_skippable(CocoonScanDesc scan, uint32 chunk)
{
	ListCell   *lc;
	CocoonRank	t;

	if (topn_threshold(scan, &t) && rank_cmp(chunk_best_rank(scan, chunk), t) < 0)
	{
		scan->stats.chunks_skipped_topn++;
		return true;
	}
	if (scan->bounds.has_ts &&
		!cocoon_stripe_chunk_may_match_ts(scan->sr, chunk, scan->bounds.ts_attno,
										  scan->bounds.ts_lo, scan->bounds.ts_hi))
	{
		scan->stats.chunks_skipped++;
		return true;
	}
	foreach(lc, scan->probes)
	{
		CocoonProbe *p = lfirst(lc);

		if (p->attidx >= cocoon_stripe_header(scan->sr)->natts)
			continue;
		if (p->bpchar)
		{
			/*
			 * bpchar: the bounds are of the values without trailing blanks
			 * only in a stripe written while the column was bpchar (text and
			 * varchar become bpchar without a rewrite); a text stripe's
			 * bounds and bloom filter keep the blanks and are not used.
			 */
			const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(scan->sr, chunk, p->attidx);

			if (d != NULL && d->nrows > 0 &&
				(d->nnulls == d->nrows ||
				 (cocoon_stripe_column_type(scan->sr, p->attidx) == BPCHAROID &&
				  (p->kind == PROBE_BYTES ?
				   !cocoon_stripe_chunk_may_match_bytes(scan->sr, chunk, p->attidx,
														p->strategy, p->key, p->keylen) :
				   (p->nvals > 0 && p->nvals == p->nhashes &&
					!values_may_match_bytes(scan->sr, chunk, p))))))
			{
				scan->stats.chunks_skipped++;
				return true;
			}
			continue;
		}
		if (p->kind == PROBE_RANGE)
		{
			if (!cocoon_stripe_chunk_may_match_ts(scan->sr, chunk, p->attidx + 1, p->lo, p->hi))
			{
				scan->stats.chunks_skipped++;
				return true;
			}
		}
		else if (p->kind == PROBE_ERANGE)
		{
			if (!enum_chunk_may_match(scan->sr, chunk, p))
			{
				scan->stats.chunks_skipped++;
				return true;
			}
		}
		else if (p->kind == PROBE_URANGE)
		{
			if (!cocoon_stripe_chunk_may_match_oid(scan->sr, chunk, p->attidx, p->lo, p->hi))
			{
				scan->stats.chunks_skipped++;
				return true;
			}
		}
		else if (p->kind == PROBE_FRANGE || p->kind == PROBE_NRANGE ||
				 p->kind == PROBE_IRANGE || p->kind == PROBE_ARANGE)
		{
			const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(scan->sr, chunk, p->attidx);
			uint8		flag = p->kind == PROBE_FRANGE ? COCOON_CHUNK_HAS_FMINMAX :
				p->kind == PROBE_IRANGE ? COCOON_CHUNK_HAS_IMINMAX :
				p->kind == PROBE_ARANGE ? COCOON_CHUNK_HAS_AMINMAX :
				COCOON_CHUNK_HAS_NMINMAX;

			if (d != NULL && d->nrows > 0 &&
				(d->nnulls == d->nrows ||
				 ((d->flags & flag) &&
				  (d->max_value < p->lo || d->min_value > p->hi))))
			{
				scan->stats.chunks_skipped++;
				return true;
			}
		}
		else if (p->kind == PROBE_BYTES)
		{
			if (!cocoon_stripe_chunk_may_match_bytes(scan->sr, chunk, p->attidx, p->strategy,
													 p->key, p->keylen))
			{
				scan->stats.chunks_skipped++;
				return true;
			}
		}
		else if (p->kind == PROBE_BLOOM_ANY && p->nvals > 0 && p->nvals == p->nhashes &&
				 !values_may_match_bytes(scan->sr, chunk, p))
		{
			/* = / IN on text or uuid: every value outside the chunk's bounds */
			scan->stats.chunks_skipped++;
			return true;
		}
		else if (!cocoon_stripe_chunk_may_contain(scan->sr, chunk, p->attidx, p->hashes,
												  p->nhashes, p->kind == PROBE_BLOOM_ALL))
		{
			scan->stats.chunks_skipped_bloom++;
			return true;
		}
	}
	return false;
}

/*
 * Advance to the next chunk group of the open stripe that may hold matches
 * and decode its columns.  With use_pass set, only the rows in pass[] are
 * returned.  with_deletes: also route chunks of a stripe with deleted rows
 * through the filter pass, so that pass[] leaves them out (batch mode).
 * False at the end of the stripe.
 */
static bool
scan_next_chunk(CocoonScanDesc scan, TupleTableSlot *slot, bool with_deletes)
{
	scan->use_pass = false;
	for (;;)
	{
		if (scan->chunk_order)
		{
			if (scan->chunk_pos >= cocoon_stripe_nchunks(scan->sr))
				return false;
			scan->chunk = scan->chunk_order[scan->chunk_pos++];
		}
		else
		{
			scan->chunk++;
			if (scan->chunk >= cocoon_stripe_nchunks(scan->sr))
				return false;
		}
		if (chunk_skippable(scan, scan->chunk))
			continue;
		if ((scan->filter_fn || scan->topn || (with_deletes && scan->ndel > 0)) &&
			scan_filter_chunk(scan, slot))
			continue;
		if (!(with_deletes && scan->lazy))
		{
			cocoon_stripe_load_chunk(scan->sr, scan->chunk, scan->attrs);
			if (cocoon_stripe_chunk_damaged(scan->sr))
				continue;
		}
		scan->chunk_nrows = cocoon_stripe_chunk_rows(scan->sr, scan->chunk);
		scan->chunk_first = cocoon_stripe_chunk_desc(scan->sr, scan->chunk, 0)->first;
		scan->row = 0;
		return true;
	}
}

/* Close the open stripe. */
static void
scan_close_stripe(CocoonScanDesc scan)
{
	scan->stats.bytes_decompressed += cocoon_stripe_bytes_decompressed(scan->sr);
	cocoon_stripe_close(scan->sr);
	scan->sr = NULL;
}

/*
 * Open this participant's next stripe (skipping those top-N pruning rules
 * out).  False when there is none left.
 */
static bool
scan_open_next_stripe(CocoonScanDesc scan)
{
	for (;;)
	{
		int			i = next_stripe_index(scan);
		StripeEntry *e;
		CocoonRank	t;

		if (i < 0)
			return false;
		e = list_nth(scan->stripes, i);
		if (topn_threshold(scan, &t) && rank_cmp(stripe_best_rank(scan, e), t) < 0)
		{
			scan->stats.stripes_skipped_topn++;
			continue;
		}
		scan->sr = cocoon_stripe_open(scan->rs_base.rs_rd, e, scan->cxt);
		scan->stats.stripes_read++;
		if (scan->needle)
			cocoon_stripe_set_needle(scan->sr, scan->needle->attidx, scan->needle->substr,
									 scan->needle->substr_len);
		scan->cur_xmin = e->xmin;
		scan_load_deletes(scan, e->first_row, e->first_row + e->row_count);
		scan->use_pass = false;
		if (cocoon_stripe_header(scan->sr)->natts == 0)
		{
			/* a table without columns: one pseudo chunk of empty rows */
			scan->chunk = 0;
			scan->chunk_first = 0;
			scan->chunk_nrows = cocoon_stripe_header(scan->sr)->nrows;
			scan->row = 0;
			return true;
		}
		scan->chunk = (uint32) -1;
		scan->chunk_nrows = 0;
		scan->row = 0;
		if (scan->chunk_order)
			pfree(scan->chunk_order);
		scan->chunk_order = NULL;
		if (scan->topn)
		{
			uint32		n = cocoon_stripe_nchunks(scan->sr);
			uint32		c;

			/* chunk groups best first, like the stripes */
			scan->chunk_order = MemoryContextAlloc(scan->cxt, sizeof(uint32) * Max(n, 1));
			for (c = 0; c < n; c++)
				scan->chunk_order[c] = c;
			qsort_arg(scan->chunk_order, n, sizeof(uint32), chunk_rank_cmp, scan);
			scan->chunk_pos = 0;
		}
		return true;
	}
}

/* The next visible row of this transaction's own pending rows. */
static bool
scan_next_pending(CocoonScanDesc scan, TupleTableSlot *slot)
{
	while (scan->pin_idx < list_length(scan->pins))
	{
		PendingRows *p = list_nth(scan->pins, scan->pin_idx);

		if (scan->pin_row == 0)
			scan_load_deletes(scan, p->first_row, p->first_row + p->nrows);
		while (scan->pin_row < p->nrows)
		{
			uint32		r = scan->pin_row++;

			if (!cocoon_pending_row_visible(p, r, scan->rs_base.rs_snapshot))
				continue;
			if (scan->ndel > 0 && scan_row_deleted(scan, p->first_row + r))
				continue;
			cocoon_pending_fetch(p, r, slot, scan->attrs);
			slot->tts_tableOid = RelationGetRelid(scan->rs_base.rs_rd);
			if (scan->rs_base.rs_nkeys > 0 && !keys_match(scan, slot))
				continue;
			if (scan->filter_fn && !scan->filter_fn(scan->filter_arg, slot))
				continue;
			return true;
		}
		scan->pin_idx++;
		scan->pin_row = 0;
	}
	ExecClearTuple(slot);
	return false;
}

static bool
cocoon_scan_getnextslot(TableScanDesc sscan, ScanDirection direction, TupleTableSlot *slot)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	if (ScanDirectionIsBackward(direction))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cocoon tables do not support backward scans"),
				 errhint("Declare the cursor without SCROLL, or fetch forward only.")));
	if (!scan->started)
		scan_start(scan);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (scan->sr)
		{
			if (scan->use_pass && scan->pass_pos < scan->npass)
			{
				/* rows that passed the filter columns' quals */
				uint32		r = scan->pass[scan->pass_pos++];

				cocoon_stripe_fill_slot(scan->sr, r, slot, scan->attrs);
				cocoon_row_to_tid(cocoon_stripe_header(scan->sr)->first_row +
								  scan->chunk_first + r, &slot->tts_tid);
				slot->tts_tableOid = RelationGetRelid(scan->rs_base.rs_rd);
				cocoon_slot_set_xmin(slot, scan->cur_xmin);
				return true;
			}
			if (!scan->use_pass && scan->row < scan->chunk_nrows)
			{
				uint32		r = scan->row++;
				uint64		rowno = cocoon_stripe_header(scan->sr)->first_row +
					scan->chunk_first + r;

				if (scan->ndel > 0 && scan_row_deleted(scan, rowno))
					continue;
				cocoon_stripe_fill_slot(scan->sr, r, slot, scan->attrs);
				cocoon_row_to_tid(rowno, &slot->tts_tid);
				slot->tts_tableOid = RelationGetRelid(scan->rs_base.rs_rd);
				cocoon_slot_set_xmin(slot, scan->cur_xmin);
				if (scan->rs_base.rs_nkeys > 0 && !keys_match(scan, slot))
					continue;
				if (scan->filter_fn && !scan->filter_fn(scan->filter_arg, slot))
					continue;
				return true;
			}
			if (cocoon_stripe_header(scan->sr)->natts > 0 &&
				scan_next_chunk(scan, slot, false))
				continue;
			scan_close_stripe(scan);
		}
		else if (!scan_open_next_stripe(scan))
			return scan_next_pending(scan, slot);
	}
}

/*
 * Lazy batches: cocoon_scan_next_batch leaves the columns of scan->attrs
 * undecoded; the caller decodes what it needs with cocoon_scan_batch_load
 * (min/max and counts may come from the chunk descriptors alone).
 */
void
cocoon_scan_set_lazy(TableScanDesc sscan)
{
	((CocoonScanDesc) sscan)->lazy = true;
}

/* Decode attrs of the current batch's chunk group; false: it is damaged (skip it) */
bool
cocoon_scan_batch_load(TableScanDesc sscan, Bitmapset *attrs)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	cocoon_stripe_load_chunk(scan->sr, scan->chunk, attrs);
	return !cocoon_stripe_chunk_damaged(scan->sr);
}

/*
 * Batch access for aggregation (scan.c): the next chunk group's rows that
 * pass the quals and are not deleted, with their columns decoded.  Rows of
 * the transaction's own pending buffers come one at a time in the slot.
 */
bool
cocoon_scan_next_batch(TableScanDesc sscan, TupleTableSlot *slot, CocoonBatch *b)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	if (!scan->started)
		scan_start(scan);
	memset(b, 0, sizeof(*b));
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (scan->sr)
		{
			if (cocoon_stripe_header(scan->sr)->natts == 0)
			{
				/* the pseudo chunk: every row not deleted */
				uint64		first = cocoon_stripe_header(scan->sr)->first_row;
				uint32		n = scan->chunk_nrows;
				uint32		r;

				if (n > 0 && scan->row == 0)
				{
					scan->row = n;
					if (scan->pass_cap < n)
					{
						if (scan->pass)
							pfree(scan->pass);
						if (scan->pass_rank)
							pfree(scan->pass_rank);
						scan->pass_rank = NULL;
						scan->pass = MemoryContextAlloc(scan->cxt, sizeof(uint32) * n);
						scan->pass_cap = n;
					}
					scan->npass = 0;
					for (r = 0; r < n; r++)
						if (scan->ndel == 0 || !scan_row_deleted(scan, first + r))
							scan->pass[scan->npass++] = r;
					b->sr = scan->sr;
					b->rows = scan->pass;
					b->nrows = scan->npass;
					return true;
				}
			}
			else if (scan_next_chunk(scan, slot, true))
			{
				b->chunk = scan->chunk;
				b->sr = scan->sr;
				b->rows = scan->use_pass ? scan->pass : NULL;
				b->nrows = scan->use_pass ? scan->npass : scan->chunk_nrows;
				return true;
			}
			scan_close_stripe(scan);
		}
		else if (!scan_open_next_stripe(scan))
		{
			if (!scan_next_pending(scan, slot))
				return false;
			b->from_slot = true;
			b->nrows = 1;
			return true;
		}
	}
}

/* ------------------------------------------------------------------------
 * Parallel scan
 * ------------------------------------------------------------------------
 */
static Size
cocoon_parallelscan_estimate(Relation rel)
{
	return sizeof(CocoonParallelScanData);
}

static Size
cocoon_parallelscan_initialize(Relation rel, ParallelTableScanDesc pscan)
{
	CocoonParallelScanData *p = (CocoonParallelScanData *) pscan;

	p->base.phs_relid = RelationGetRelid(rel);
	p->base.phs_syncscan = false;
	pg_atomic_init_u64(&p->next_stripe, 0);
	return sizeof(CocoonParallelScanData);
}

static void
cocoon_parallelscan_reinitialize(Relation rel, ParallelTableScanDesc pscan)
{
	CocoonParallelScanData *p = (CocoonParallelScanData *) pscan;

	pg_atomic_write_u64(&p->next_stripe, 0);
}

/* ------------------------------------------------------------------------
 * Index fetch callbacks
 * ------------------------------------------------------------------------
 */
typedef struct CocoonIndexFetchData
{
	IndexFetchTableData base;
	RowFetcher	f;
} CocoonIndexFetchData;

static IndexFetchTableData *
cocoon_index_fetch_begin(Relation rel)
{
	CocoonIndexFetchData *scan = palloc0(sizeof(CocoonIndexFetchData));

	scan->base.rel = rel;
	fetcher_init(&scan->f, rel);
	return &scan->base;
}

static void
cocoon_index_fetch_reset(IndexFetchTableData *sscan)
{
	CocoonIndexFetchData *scan = (CocoonIndexFetchData *) sscan;

	fetcher_reset(&scan->f);
}

static void
cocoon_index_fetch_end(IndexFetchTableData *sscan)
{
	CocoonIndexFetchData *scan = (CocoonIndexFetchData *) sscan;

	fetcher_end(&scan->f);
	pfree(scan);
}

static bool
cocoon_index_fetch_tuple(struct IndexFetchTableData *sscan, ItemPointer tid,
						 Snapshot snapshot, TupleTableSlot *slot,
						 bool *call_again, bool *all_dead)
{
	CocoonIndexFetchData *scan = (CocoonIndexFetchData *) sscan;

	*call_again = false;
	if (all_dead)
		*all_dead = false;
	return fetcher_fetch(&scan->f, cocoon_tid_to_row(tid), snapshot, slot);
}

/* ------------------------------------------------------------------------
 * Callbacks for non-modifying operations on individual tuples
 * ------------------------------------------------------------------------
 */
static bool
cocoon_tuple_fetch_row_version(Relation rel, ItemPointer tid, Snapshot snapshot,
							   TupleTableSlot *slot)
{
	RowFetcher	f;
	bool		found;

	fetcher_init(&f, rel);
	found = fetcher_fetch(&f, cocoon_tid_to_row(tid), snapshot, slot);
	if (found)
		ExecMaterializeSlot(slot);
	fetcher_end(&f);
	return found;
}

static bool
cocoon_tuple_tid_valid(TableScanDesc scan, ItemPointer tid)
{
	CocoonMetaPageData meta;

	if (!ItemPointerIsValid(tid))
		return false;
	cocoon_read_metapage(scan->rs_rd, &meta);
	return cocoon_tid_to_row(tid) < meta.next_row;
}

static void
cocoon_tuple_get_latest_tid(TableScanDesc sscan, ItemPointer tid)
{
	/* rows are never updated in place: the given TID is the latest */
}

static bool
cocoon_tuple_satisfies_snapshot(Relation rel, TupleTableSlot *slot, Snapshot snapshot)
{
	uint64		row = cocoon_tid_to_row(&slot->tts_tid);
	StripeEntry e;
	bool		reserved;
	uint64		storage_id;

	storage_id = cocoon_storage_exists(rel) ? cocoon_storage_id(rel, false) : 0;
	if (applies_deletes(snapshot) && storage_id != 0 &&
		cocoon_meta_find_deleted(storage_id, row, snapshot, NULL, NULL, NULL))
		return false;
	if (cocoon_pending_find_row(rel, row, snapshot, NULL))
		return true;
	return cocoon_meta_find_row(storage_id, row, snapshot, &e, &reserved) && !reserved;
}

static TransactionId
cocoon_index_delete_tuples(Relation rel, TM_IndexDeleteOp *delstate)
{
	/* nothing is ever known deletable: rows are not removed one by one */
	delstate->ndeltids = 0;
	return InvalidTransactionId;
}

/* ------------------------------------------------------------------------
 * Manipulations of physical tuples
 * ------------------------------------------------------------------------
 */
static void
cocoon_tuple_insert(Relation rel, TupleTableSlot *slot, CommandId cid,
					int options, BulkInsertState bistate)
{
	cocoon_buffer_insert(rel, &slot, 1, cid, bistate != NULL);
	pgstat_count_heap_insert(rel, 1);
}

static void
cocoon_tuple_insert_speculative(Relation rel, TupleTableSlot *slot, CommandId cid,
								int options, BulkInsertState bistate, uint32 specToken)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("INSERT ... ON CONFLICT is not supported on cocoon table \"%s\"",
					RelationGetRelationName(rel)),
			 errhint("Insert into a heap staging table and move the rows with INSERT ... SELECT ... WHERE NOT EXISTS.")));
}

static void
cocoon_tuple_complete_speculative(Relation rel, TupleTableSlot *slot,
								  uint32 specToken, bool succeeded)
{
	elog(ERROR, "cocoon: speculative insertion is not supported");
}

static void
cocoon_multi_insert(Relation rel, TupleTableSlot **slots, int ntuples,
					CommandId cid, int options, BulkInsertState bistate)
{
	cocoon_buffer_insert(rel, slots, ntuples, cid, true);
	pgstat_count_heap_insert(rel, ntuples);
}

/*
 * Delete row `tid` for the current (sub)transaction by recording it in
 * cocoon.deleted.  Concurrent deleters of one row serialize on the tuple
 * lock, then on the first one's transaction; the loser sees TM_Deleted (a
 * plain DELETE: in READ COMMITTED the row is simply gone) or, when the
 * winner was an UPDATE, a serialization failure, since the new version of
 * the row cannot be followed: no update is ever lost silently.
 */
/*
 * Is the stripe holding row still current, i.e. not retired by a committed
 * transaction (compaction, drop_before)?  Rows of this transaction's own
 * buffers always are.
 */
static bool
row_stripe_current(Relation rel, uint64 storage_id, uint64 row)
{
	SnapshotData dirty;
	StripeEntry e;
	bool		reserved;

	if (cocoon_pending_find_row(rel, row, SnapshotAny, NULL))
		return true;
	InitDirtySnapshot(dirty);
	return cocoon_meta_find_row(storage_id, row, &dirty, &e, &reserved);
}

TM_Result
cocoon_delete_row(Relation rel, ItemPointer tid, CommandId cid, Snapshot snapshot,
				  bool wait, TM_FailureData *tmfd, bool updating)
{
	uint64		row = cocoon_tid_to_row(tid);
	uint64		storage_id = cocoon_storage_id(rel, true);
	TM_Result	result;

	if (wait)
		LockTuple(rel, tid, AccessExclusiveLock);
	else if (!ConditionalLockTuple(rel, tid, AccessExclusiveLock))
	{
		tmfd->ctid = *tid;
		tmfd->xmax = InvalidTransactionId;
		tmfd->cmax = InvalidCommandId;
		tmfd->traversed = false;
		return TM_WouldBlock;
	}

	for (;;)
	{
		SnapshotData dirty;
		TransactionId xmin = InvalidTransactionId;
		CommandId	cmin = InvalidCommandId;
		bool		was_update = false;

		CHECK_FOR_INTERRUPTS();
		InitDirtySnapshot(dirty);
		if (!cocoon_meta_find_deleted(storage_id, row, &dirty, &xmin, &cmin, &was_update))
		{
			/*
			 * The row may have moved: a compaction (or retention) that our
			 * snapshot does not see may have retired its stripe and copied
			 * it elsewhere.  Deleting the old copy would lose the change.
			 */
			if (!row_stripe_current(rel, storage_id, row))
			{
				/* as for a concurrent delete: skipped, or 40001 under RR */
				UnlockTuple(rel, tid, AccessExclusiveLock);
				tmfd->ctid = *tid;
				tmfd->xmax = InvalidTransactionId;
				tmfd->cmax = InvalidCommandId;
				tmfd->traversed = false;
				return TM_Deleted;
			}
			cocoon_meta_insert_deleted(storage_id, row, updating);
			cocoon_note_deleted(rel, storage_id, row);
			result = TM_Ok;
			break;
		}
		tmfd->ctid = *tid;
		tmfd->xmax = xmin;
		tmfd->traversed = false;
		if (TransactionIdIsCurrentTransactionId(xmin))
		{
			tmfd->cmax = cmin;
			result = TM_SelfModified;
			break;
		}
		if (TransactionIdIsValid(dirty.xmin))
		{
			/* the other deleter is still running: wait for it, then look again */
			if (!wait)
			{
				result = TM_WouldBlock;
				break;
			}
			XactLockTableWait(dirty.xmin, rel, tid, XLTW_Delete);
			continue;
		}
		/* deleted by a committed transaction our snapshot does not see */
		tmfd->cmax = InvalidCommandId;
		if (was_update)
		{
			UnlockTuple(rel, tid, AccessExclusiveLock);
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent %s on cocoon table \"%s\"",
							was_update ? "update" : "delete", RelationGetRelationName(rel)),
					 errhint("Retry the transaction.")));
		}
		result = TM_Deleted;
		break;
	}
	UnlockTuple(rel, tid, AccessExclusiveLock);
	return result;
}

static TM_Result
cocoon_tuple_delete(Relation rel, ItemPointer tid, CommandId cid,
					Snapshot snapshot, Snapshot crosscheck, bool wait,
					TM_FailureData *tmfd, bool changingPart)
{
	TM_Result	r = cocoon_delete_row(rel, tid, cid, snapshot, wait, tmfd, false);

	if (r == TM_Ok)
		pgstat_count_heap_delete(rel);
	return r;
}

static TM_Result
cocoon_tuple_update(Relation rel, ItemPointer otid, TupleTableSlot *slot,
					CommandId cid, Snapshot snapshot, Snapshot crosscheck,
					bool wait, TM_FailureData *tmfd,
					LockTupleMode *lockmode, bool *update_indexes)
{
	TM_Result	r;

	*lockmode = LockTupleExclusive;
	*update_indexes = false;
	r = cocoon_delete_row(rel, otid, cid, snapshot, wait, tmfd, true);
	if (r != TM_Ok)
		return r;
	cocoon_buffer_insert(rel, &slot, 1, cid, false);
	pgstat_count_heap_update(rel, false);
	*update_indexes = true;
	return TM_Ok;
}

/*
 * Row locks (SELECT ... FOR UPDATE/SHARE, foreign keys, BEFORE triggers)
 * are heavyweight tuple locks held until the end of the transaction, in
 * the modes heap uses (KEY SHARE AccessShareLock, SHARE RowShareLock, NO
 * KEY UPDATE ExclusiveLock, UPDATE AccessExclusiveLock); a deleter
 * (cocoon_delete_row) takes AccessExclusiveLock on the row and so waits
 * for all of them.  They live in the shared lock table, so locking
 * very many rows in one transaction needs max_locks_per_transaction.
 */
static TM_Result
cocoon_tuple_lock(Relation rel, ItemPointer tid, Snapshot snapshot,
				  TupleTableSlot *slot, CommandId cid, LockTupleMode mode,
				  LockWaitPolicy wait_policy, uint8 flags,
				  TM_FailureData *tmfd)
{
	/* the same heavyweight modes heap uses for its tuple locks */
	LOCKMODE	lm = mode == LockTupleKeyShare ? AccessShareLock :
		mode == LockTupleShare ? RowShareLock :
		mode == LockTupleNoKeyExclusive ? ExclusiveLock : AccessExclusiveLock;
	uint64		row = cocoon_tid_to_row(tid);
	uint64		storage_id = cocoon_storage_exists(rel) ? cocoon_storage_id(rel, false) : 0;
	RowFetcher	f;
	bool		found;

	tmfd->ctid = *tid;
	tmfd->xmax = InvalidTransactionId;
	tmfd->cmax = InvalidCommandId;
	tmfd->traversed = false;

	switch (wait_policy)
	{
		case LockWaitBlock:
			LockTuple(rel, tid, lm);
			break;
		case LockWaitSkip:
			if (!ConditionalLockTuple(rel, tid, lm))
				return TM_WouldBlock;
			break;
		case LockWaitError:
			if (!ConditionalLockTuple(rel, tid, lm))
				ereport(ERROR,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("could not obtain lock on row in relation \"%s\"",
								RelationGetRelationName(rel))));
			break;
	}

	/* has someone deleted the row meanwhile? */
	for (;;)
	{
		SnapshotData dirty;
		TransactionId xmin = InvalidTransactionId;
		CommandId	cmin = InvalidCommandId;
		bool		was_update = false;

		InitDirtySnapshot(dirty);
		if (storage_id == 0 ||
			!cocoon_meta_find_deleted(storage_id, row, &dirty, &xmin, &cmin, &was_update))
			break;
		tmfd->xmax = xmin;
		if (TransactionIdIsCurrentTransactionId(xmin))
		{
			tmfd->cmax = cmin;
			return TM_SelfModified;
		}
		if (TransactionIdIsValid(dirty.xmin))
		{
			if (wait_policy == LockWaitSkip)
				return TM_WouldBlock;
			if (wait_policy == LockWaitError)
				ereport(ERROR,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("could not obtain lock on row in relation \"%s\"",
								RelationGetRelationName(rel))));
			XactLockTableWait(dirty.xmin, rel, tid, XLTW_Lock);
			continue;
		}
		if (was_update)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update on cocoon table \"%s\"",
							RelationGetRelationName(rel)),
					 errhint("Retry the transaction.")));
		return TM_Deleted;
	}

	if (storage_id != 0 && !row_stripe_current(rel, storage_id, row))
	{
		if (IsolationUsesXactSnapshot())
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent compaction of cocoon table \"%s\"",
							RelationGetRelationName(rel)),
					 errhint("Retry the transaction.")));
		return TM_Deleted;
	}
	fetcher_init(&f, rel);
	found = fetcher_fetch(&f, row, SnapshotAny, slot);
	if (found)
		ExecMaterializeSlot(slot);
	fetcher_end(&f);
	if (!found)
		return TM_Deleted;
	return TM_Ok;
}

static void
cocoon_finish_bulk_insert(Relation rel, int options)
{
	/*
	 * A relation created (or given a new file) in this transaction may be
	 * about to have its file swapped into another relation (ALTER TABLE
	 * rewrites, CREATE TABLE AS, VACUUM FULL): write its rows now, while
	 * they are still known under this relation.
	 */
	if (rel->rd_createSubid != InvalidSubTransactionId ||
		rel->rd_firstRelfilenodeSubid != InvalidSubTransactionId)
		cocoon_flush_relation(rel);
}

/* ------------------------------------------------------------------------
 * DDL related callbacks
 * ------------------------------------------------------------------------
 */
static void
cocoon_relation_set_new_filenode(Relation rel, const RelFileNode *newrnode,
								 char persistence, TransactionId *freezeXid,
								 MultiXactId *minmulti)
{
	SMgrRelation srel;

	/* TRUNCATE: forget the old file's stripes (transactionally) */
	if (rel->rd_node.relNode != newrnode->relNode &&
		smgrexists(RelationGetSmgr(rel), MAIN_FORKNUM) &&
		cocoon_storage_exists(rel))
	{
		cocoon_meta_delete_storage(cocoon_storage_id_any_version(rel));
		cocoon_discard_relfilenode(RelationGetRelid(rel), rel->rd_node.relNode);
	}

	/* no transaction ids are stored in the relation itself */
	*freezeXid = InvalidTransactionId;
	*minmulti = InvalidMultiXactId;

	srel = RelationCreateStorage(*newrnode, persistence, true);
	if (persistence == RELPERSISTENCE_UNLOGGED)
	{
		smgrcreate(srel, INIT_FORKNUM, false);
		log_smgrcreate(newrnode, INIT_FORKNUM);
		smgrimmedsync(srel, INIT_FORKNUM);
	}
	smgrclose(srel);
}

static void
cocoon_relation_nontransactional_truncate(Relation rel)
{
	if (cocoon_storage_exists(rel))
		cocoon_meta_delete_storage(cocoon_storage_id_any_version(rel));
	cocoon_discard_relfilenode(RelationGetRelid(rel), rel->rd_node.relNode);
	RelationTruncate(rel, 0);
}

static void
cocoon_relation_copy_data(Relation rel, const RelFileNode *newrnode)
{
	SMgrRelation dstrel;

	cocoon_flush_relation(rel);
	dstrel = smgropen(*newrnode, rel->rd_backend);
	FlushRelationBuffers(rel);
	RelationCreateStorage(*newrnode, rel->rd_rel->relpersistence, true);
	RelationCopyStorage(RelationGetSmgr(rel), dstrel, MAIN_FORKNUM,
						rel->rd_rel->relpersistence);
	if (smgrexists(RelationGetSmgr(rel), INIT_FORKNUM))
	{
		smgrcreate(dstrel, INIT_FORKNUM, false);
		log_smgrcreate(newrnode, INIT_FORKNUM);
		RelationCopyStorage(RelationGetSmgr(rel), dstrel, INIT_FORKNUM,
							rel->rd_rel->relpersistence);
	}
	RelationDropStorage(rel);
	smgrclose(dstrel);
}

static void
cocoon_relation_copy_for_cluster(Relation OldTable, Relation NewTable,
								 Relation OldIndex, bool use_sort,
								 TransactionId OldestXmin,
								 TransactionId *xid_cutoff,
								 MultiXactId *multi_cutoff,
								 double *num_tuples,
								 double *tups_vacuumed,
								 double *tups_recently_dead)
{
	TableScanDesc scan;
	TupleTableSlot *slot;
	Snapshot	snapshot;
	double		n = 0;
	CommandId	cid = GetCurrentCommandId(true);

	if (OldIndex != NULL || use_sort)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("CLUSTER is not supported on cocoon table \"%s\"",
						RelationGetRelationName(OldTable)),
				 errhint("Stripes are already ordered by time; use VACUUM FULL to rewrite the table.")));

	cocoon_flush_relation(OldTable);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	slot = table_slot_create(OldTable, NULL);
	scan = table_beginscan(OldTable, snapshot, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		cocoon_buffer_insert(NewTable, &slot, 1, cid, true);
		n++;
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	cocoon_flush_relation(NewTable);

	*num_tuples = n;
	*tups_vacuumed = 0;
	*tups_recently_dead = 0;
}

static void
cocoon_relation_vacuum(Relation rel, VacuumParams *params, BufferAccessStrategy bstrategy)
{
	List	   *stripes;
	ListCell   *lc;
	double		ntuples = 0;
	Snapshot	snapshot;

	if (!cocoon_storage_exists(rel))
		return;

	/*
	 * Lazy VACUUM marks its backend PROC_IN_VACUUM, so that other backends
	 * leave its transaction out of their snapshots: that is only safe for a
	 * transaction without an xid.  Cocoon's VACUUM writes (directory rows,
	 * garbage, delete records), and readers that do not see its xid as
	 * running would take its deletions for aborted ones and hint them so.
	 * Run as an ordinary transaction instead.
	 */
	if (MyProc->statusFlags & PROC_IN_VACUUM)
	{
		LWLockAcquire(ProcArrayLock, LW_EXCLUSIVE);
		MyProc->statusFlags &= ~PROC_IN_VACUUM;
		ProcGlobal->statusFlags[MyProc->pgxactoff] = MyProc->statusFlags;
		LWLockRelease(ProcArrayLock);
	}

	/*
	 * First free what earlier compactions and retention retired, so that
	 * the compaction below can write into that space.
	 */
	cocoon_reclaim(rel, bstrategy);

	/*
	 * Compaction past its threshold, if the stronger lock it needs can be
	 * had without waiting (writers are busy otherwise: try next time).  What
	 * it retires is freed by the next VACUUM.
	 */
	if (cocoon_compaction_min_stripes > 0 &&
		ConditionalLockRelation(rel, ShareRowExclusiveLock))
	{
		CocoonCompactResult res;

		cocoon_compact_rel(rel, false, &res);
		if (res.rows_moved > 0 || res.rows_dropped > 0)
			ereport(params->log_min_duration >= 0 ? LOG : DEBUG1,
					(errmsg("cocoon: compacted \"%s\": %lld stripes to %lld, %lld rows moved, %lld deleted rows dropped",
							RelationGetRelationName(rel),
							(long long) res.stripes_before, (long long) res.stripes_after,
							(long long) res.rows_moved, (long long) res.rows_dropped)));
	}

	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	stripes = cocoon_meta_stripes(cocoon_storage_id(rel, false), snapshot, false);
	foreach(lc, stripes)
		ntuples += ((StripeEntry *) lfirst(lc))->row_count;
	ntuples -= cocoon_meta_count_deleted(cocoon_storage_id(rel, false), stripes, snapshot);
	UnregisterSnapshot(snapshot);
	vac_update_relstats(rel, RelationGetNumberOfBlocks(rel), Max(ntuples, 0), 0,
						rel->rd_rel->relhasindex, InvalidTransactionId,
						InvalidMultiXactId, NULL, NULL, false);
}

/*
 * ANALYZE samples by block.  Block b of N stands for the b-th N-th of the
 * visible rows in row order, so every row is equally likely to be sampled
 * whatever the compression of its stripe.
 */
static bool
cocoon_scan_analyze_next_block(TableScanDesc sscan, BlockNumber blockno,
							   BufferAccessStrategy bstrategy)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;
	BlockNumber nblocks = RelationGetNumberOfBlocks(scan->rs_base.rs_rd);

	if (!scan->started)
	{
		MemoryContext old = MemoryContextSwitchTo(scan->cxt);
		ListCell   *lc;
		int			i = 0;

		scan_start(scan);
		scan->cum = palloc(sizeof(uint64) * (scan->nstripes + 1));
		scan->total_rows = 0;
		foreach(lc, scan->stripes)
		{
			scan->cum[i++] = scan->total_rows;
			scan->total_rows += ((StripeEntry *) lfirst(lc))->row_count;
		}
		scan->cum[i] = scan->total_rows;
		fetcher_init(&scan->fetcher, scan->rs_base.rs_rd);
		scan->fetcher_ready = true;
		MemoryContextSwitchTo(old);
	}
	if (nblocks == 0 || scan->total_rows == 0)
		return false;
	scan->an_next = (uint64) ((double) blockno / nblocks * scan->total_rows);
	scan->an_end = (uint64) ((double) (blockno + 1) / nblocks * scan->total_rows);
	if (scan->an_end > scan->total_rows)
		scan->an_end = scan->total_rows;
	return scan->an_next < scan->an_end;
}

static bool
cocoon_scan_analyze_next_tuple(TableScanDesc sscan, TransactionId OldestXmin,
							   double *liverows, double *deadrows,
							   TupleTableSlot *slot)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	while (scan->an_next < scan->an_end)
	{
		uint64		k = scan->an_next++;
		int			lo = 0,
					hi = scan->nstripes;
		StripeEntry *e;

		/* stripe i holds visible rows [cum[i], cum[i+1]) */
		while (hi - lo > 1)
		{
			int			mid = (lo + hi) / 2;

			if (scan->cum[mid] <= k)
				lo = mid;
			else
				hi = mid;
		}
		e = list_nth(scan->stripes, lo);
		if (fetcher_fetch(&scan->fetcher, e->first_row + (k - scan->cum[lo]),
						  scan->rs_base.rs_snapshot, slot))
		{
			*liverows += 1;
			return true;
		}
	}
	return false;
}

static double
cocoon_index_build_range_scan(Relation table_rel, Relation index_rel,
							  IndexInfo *index_info, bool allow_sync,
							  bool anyvisible, bool progress,
							  BlockNumber start_blockno, BlockNumber numblocks,
							  IndexBuildCallback callback, void *callback_state,
							  TableScanDesc scan)
{
	EState	   *estate;
	ExprContext *econtext;
	TupleTableSlot *slot;
	ExprState  *predicate;
	Snapshot	snapshot = NULL;
	bool		registered = false;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	double		reltuples = 0;
	bool		ranged = (start_blockno != 0 || numblocks != InvalidBlockNumber);

	/*
	 * BRIN summarises ranges of the relation's physical blocks, but cocoon's
	 * TIDs number rows, not pages: most rows would fall outside every range.
	 */
	if (index_rel->rd_rel->relam == BRIN_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("BRIN indexes are not supported on cocoon table \"%s\"",
						RelationGetRelationName(table_rel)),
				 errhint("Cocoon keeps min/max per chunk and skips by time on its own; use a btree index for point lookups.")));

	estate = CreateExecutorState();
	econtext = GetPerTupleExprContext(estate);
	slot = table_slot_create(table_rel, NULL);
	econtext->ecxt_scantuple = slot;
	predicate = ExecPrepareQual(index_info->ii_Predicate, estate);

	if (scan == NULL)
	{
		snapshot = RegisterSnapshot(GetTransactionSnapshot());
		registered = true;
		scan = table_beginscan_strat(table_rel, snapshot, 0, NULL, true, allow_sync);
	}

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		if (ranged)
		{
			BlockNumber blk = ItemPointerGetBlockNumber(&slot->tts_tid);

			if (blk < start_blockno ||
				(numblocks != InvalidBlockNumber && blk >= start_blockno + numblocks))
				continue;
		}
		MemoryContextReset(econtext->ecxt_per_tuple_memory);
		if (predicate != NULL && !ExecQual(predicate, econtext))
			continue;
		FormIndexDatum(index_info, slot, estate, values, isnull);
		callback(index_rel, &slot->tts_tid, values, isnull, true, callback_state);
		reltuples += 1;
	}

	table_endscan(scan);
	if (registered)
		UnregisterSnapshot(snapshot);
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
	index_info->ii_ExpressionsState = NIL;
	index_info->ii_PredicateState = NULL;
	return reltuples;
}

static void
cocoon_index_validate_scan(Relation table_rel, Relation index_rel,
						   IndexInfo *index_info, Snapshot snapshot,
						   ValidateIndexState *state)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("CREATE INDEX CONCURRENTLY is not supported on cocoon table \"%s\"",
					RelationGetRelationName(table_rel)),
			 errhint("Use CREATE INDEX without CONCURRENTLY.")));
}

/* ------------------------------------------------------------------------
 * Miscellaneous callbacks
 * ------------------------------------------------------------------------
 */
static bool
cocoon_relation_needs_toast_table(Relation rel)
{
	/* values up to 1 GB are stored inside the stripes */
	return false;
}

static Oid
cocoon_relation_toast_am(Relation rel)
{
	return InvalidOid;
}

static void
cocoon_relation_fetch_toast_slice(Relation toastrel, Oid valueid, int32 attrsize,
								  int32 sliceoffset, int32 slicelength,
								  struct varlena *result)
{
	elog(ERROR, "cocoon tables have no TOAST relation");
}

static void
cocoon_relation_estimate_size(Relation rel, int32 *attr_widths,
							  BlockNumber *pages, double *tuples,
							  double *allvisfrac)
{
	BlockNumber curpages = RelationGetNumberOfBlocks(rel);
	BlockNumber relpages = (BlockNumber) rel->rd_rel->relpages;
	double		reltuples = rel->rd_rel->reltuples;

	*pages = curpages;
	*allvisfrac = 0;
	if (curpages == 0)
	{
		*tuples = (double) cocoon_pending_row_count(rel);
		return;
	}
	if (relpages > 0 && reltuples >= 0)
		*tuples = rint(reltuples / relpages * curpages);
	else
	{
		/* never analyzed: count the directory's rows */
		List	   *stripes;
		ListCell   *lc;
		double		n = 0;
		Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());

		stripes = cocoon_meta_stripes(cocoon_storage_id(rel, false), snapshot, false);
		foreach(lc, stripes)
			n += ((StripeEntry *) lfirst(lc))->row_count;
		UnregisterSnapshot(snapshot);
		list_free_deep(stripes);
		*tuples = n;
	}
	*tuples += (double) cocoon_pending_row_count(rel);
}

/* ------------------------------------------------------------------------
 * Executor related callbacks: bitmap and sample scans
 * ------------------------------------------------------------------------
 */
static bool
cocoon_scan_bitmap_next_block(TableScanDesc sscan, TBMIterateResult *tbmres)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;
	uint64		base = (uint64) tbmres->blockno * COCOON_ROWS_PER_BLOCK;
	int			i;

	if (!scan->fetcher_ready)
	{
		MemoryContext old = MemoryContextSwitchTo(scan->cxt);

		fetcher_init(&scan->fetcher, scan->rs_base.rs_rd);
		scan->rows = palloc(sizeof(uint64) * COCOON_ROWS_PER_BLOCK);
		scan->fetcher_ready = true;
		MemoryContextSwitchTo(old);
	}
	scan->nrows_list = 0;
	scan->rows_pos = 0;
	if (tbmres->ntuples >= 0)
	{
		for (i = 0; i < tbmres->ntuples; i++)
			scan->rows[scan->nrows_list++] = base + tbmres->offsets[i] - 1;
	}
	else
	{
		for (i = 0; i < COCOON_ROWS_PER_BLOCK; i++)
			scan->rows[scan->nrows_list++] = base + i;
	}
	return scan->nrows_list > 0;
}

static bool
cocoon_scan_bitmap_next_tuple(TableScanDesc sscan, TBMIterateResult *tbmres,
							  TupleTableSlot *slot)
{
	CocoonScanDesc scan = (CocoonScanDesc) sscan;

	while (scan->rows_pos < scan->nrows_list)
	{
		uint64		row = scan->rows[scan->rows_pos++];

		if (fetcher_fetch(&scan->fetcher, row, scan->rs_base.rs_snapshot, slot))
		{
			pgstat_count_heap_fetch(scan->rs_base.rs_rd);
			return true;
		}
	}
	return false;
}

static bool
cocoon_scan_sample_next_block(TableScanDesc scan, SampleScanState *scanstate)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("TABLESAMPLE is not supported on cocoon table \"%s\"",
					RelationGetRelationName(scan->rs_rd)),
			 errhint("Use WHERE random() < fraction instead.")));
	return false;
}

static bool
cocoon_scan_sample_next_tuple(TableScanDesc scan, SampleScanState *scanstate,
							  TupleTableSlot *slot)
{
	return false;
}

static const TableAmRoutine cocoon_methods = {
	.type = T_TableAmRoutine,

	.slot_callbacks = cocoon_slot_callbacks,

	.scan_begin = cocoon_scan_begin,
	.scan_end = cocoon_scan_end,
	.scan_rescan = cocoon_scan_rescan,
	.scan_getnextslot = cocoon_scan_getnextslot,

	.parallelscan_estimate = cocoon_parallelscan_estimate,
	.parallelscan_initialize = cocoon_parallelscan_initialize,
	.parallelscan_reinitialize = cocoon_parallelscan_reinitialize,

	.index_fetch_begin = cocoon_index_fetch_begin,
	.index_fetch_reset = cocoon_index_fetch_reset,
	.index_fetch_end = cocoon_index_fetch_end,
	.index_fetch_tuple = cocoon_index_fetch_tuple,

	.tuple_fetch_row_version = cocoon_tuple_fetch_row_version,
	.tuple_tid_valid = cocoon_tuple_tid_valid,
	.tuple_get_latest_tid = cocoon_tuple_get_latest_tid,
	.tuple_satisfies_snapshot = cocoon_tuple_satisfies_snapshot,
	.index_delete_tuples = cocoon_index_delete_tuples,

	.tuple_insert = cocoon_tuple_insert,
	.tuple_insert_speculative = cocoon_tuple_insert_speculative,
	.tuple_complete_speculative = cocoon_tuple_complete_speculative,
	.multi_insert = cocoon_multi_insert,
	.tuple_delete = cocoon_tuple_delete,
	.tuple_update = cocoon_tuple_update,
	.tuple_lock = cocoon_tuple_lock,
	.finish_bulk_insert = cocoon_finish_bulk_insert,

	.relation_set_new_filenode = cocoon_relation_set_new_filenode,
	.relation_nontransactional_truncate = cocoon_relation_nontransactional_truncate,
	.relation_copy_data = cocoon_relation_copy_data,
	.relation_copy_for_cluster = cocoon_relation_copy_for_cluster,
	.relation_vacuum = cocoon_relation_vacuum,
	.scan_analyze_next_block = cocoon_scan_analyze_next_block,
	.scan_analyze_next_tuple = cocoon_scan_analyze_next_tuple,
	.index_build_range_scan = cocoon_index_build_range_scan,
	.index_validate_scan = cocoon_index_validate_scan,

	.relation_size = table_block_relation_size,
	.relation_needs_toast_table = cocoon_relation_needs_toast_table,
	.relation_toast_am = cocoon_relation_toast_am,
	.relation_fetch_toast_slice = cocoon_relation_fetch_toast_slice,

	.relation_estimate_size = cocoon_relation_estimate_size,

	.scan_bitmap_next_block = cocoon_scan_bitmap_next_block,
	.scan_bitmap_next_tuple = cocoon_scan_bitmap_next_tuple,
	.scan_sample_next_block = cocoon_scan_sample_next_block,
	.scan_sample_next_tuple = cocoon_scan_sample_next_tuple
};

const TableAmRoutine *
cocoon_tableam(void)
{
	return &cocoon_methods;
}
