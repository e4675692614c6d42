/*-------------------------------------------------------------------------
 *
 * vacuum.c
 *	  Compaction and space reclamation.
 *
 * Compaction (cocoon.compact, and VACUUM past a threshold) rewrites the
 * small stripes of one time partition, and stripes with many deleted rows,
 * into full stripes sorted by time: it reads their live rows, sorts them,
 * writes them as new rows (new row numbers, new index entries) and retires
 * the old stripes.  It holds ShareRowExclusiveLock: readers go on (they see
 * the old stripes or the new ones, by MVCC), writers wait.
 *
 * A retired stripe (compaction, cocoon.drop_before, a transaction whose
 * deletes emptied it) loses its directory row and gets a row in
 * cocoon.garbage, in the same transaction.  Once that transaction is older
 * than every snapshot (its xmin precedes the oldest xmin any backend may
 * still use), and for stripes whose inserting transaction aborted or
 * crashed at once, VACUUM:
 *	 - removes the index entries pointing into the stripe's rows,
 *	 - deletes the stripe's delete records,
 *	 - gives its bytes to the metapage's free list, which new stripes reuse
 *	   first-fit, and pulls the end of the used space down over a free tail,
 *	 - truncates the relation's file to the used space when it can take
 *	   AccessExclusiveLock without waiting (as heap VACUUM does).
 * When no writer holds the table it also frees bytes that nothing names
 * any more (free_unnamed).  Each range is freed exactly once; see
 * cocoon_reclaim and src/README.
 *
 * src/vacuum.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/storage.h"
#include "parser/parse_oper.h"
#include "catalog/pg_type.h"
#include "commands/vacuum.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/procarray.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplesort.h"
#include "utils/tuplestore.h"

#include "cocoon.h"

int			cocoon_compaction_min_stripes = 4;

typedef struct GroupStripe
{
	StripeEntry *e;
	int			ndel;
} GroupStripe;

static int
part_cmp(const ListCell *a, const ListCell *b)
{
	StripeEntry *x = lfirst(a);
	StripeEntry *y = lfirst(b);

	if (x->part_key != y->part_key)
		return x->part_key < y->part_key ? -1 : 1;
	if (x->first_row != y->first_row)
		return x->first_row < y->first_row ? -1 : 1;
	return 0;
}

/*
 * Rewrite the chosen stripes of one partition.
 */
static void
compact_group(Relation rel, uint64 storage_id, const CocoonOptions *opts,
			  GroupStripe *group, int n, Snapshot snapshot,
			  ResultRelInfo *rri, EState *estate, CocoonCompactResult *res)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
	TupleTableSlot *sorted = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	Tuplesortstate *ts = NULL;
	Tuplestorestate *store = NULL;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "cocoon compaction",
											  ALLOCSET_DEFAULT_SIZES);
	CommandId	cid = GetCurrentCommandId(true);
	int			i;

	if (opts->time_attno > 0)
	{
		AttrNumber	attno = opts->time_attno;
		Oid			sortop;
		Oid			coll = InvalidOid;
		bool		nullsfirst = false;

		get_sort_group_operators(TupleDescAttr(desc, attno - 1)->atttypid,
								 true, false, false, &sortop, NULL, NULL, NULL);
		ts = tuplesort_begin_heap(desc, 1, &attno, &sortop, &coll, &nullsfirst,
								  maintenance_work_mem, NULL, TUPLESORT_NONE);
	}
	else
		store = tuplestore_begin_heap(false, false, maintenance_work_mem);

	/* read every live row of the old stripes */
	for (i = 0; i < n; i++)
	{
		StripeEntry *e = group[i].e;
		StripeReader *sr = cocoon_stripe_open(rel, e, cxt);
		uint64	   *del = NULL;
		int			ndel = cocoon_meta_deleted_in_range(storage_id, e->first_row,
													   e->first_row + e->row_count,
													   snapshot, &del);
		int			dpos = 0;
		uint32		c;

		for (c = 0; c < cocoon_stripe_nchunks(sr); c++)
		{
			const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(sr, c, 0);
			uint32		r;

			CHECK_FOR_INTERRUPTS();
			cocoon_stripe_load_chunk(sr, c, NULL);
			if (cocoon_stripe_chunk_damaged(sr))
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("cannot compact cocoon table \"%s\": stripe %llu is damaged",
								RelationGetRelationName(rel), (unsigned long long) e->stripe_id)));
			for (r = 0; r < d->nrows; r++)
			{
				uint64		row = e->first_row + d->first + r;

				while (dpos < ndel && del[dpos] < row)
					dpos++;
				if (dpos < ndel && del[dpos] == row)
				{
					res->rows_dropped++;
					continue;
				}
				cocoon_stripe_fill_slot(sr, r, slot, NULL);
				if (ts)
					tuplesort_puttupleslot(ts, slot);
				else
					tuplestore_puttupleslot(store, slot);
				res->rows_moved++;
			}
		}
		cocoon_stripe_close(sr);
		/* retire the old stripe before its rows reappear in the indexes */
		cocoon_meta_retire_stripe(storage_id, e);
		res->stripes_before++;
	}

	/* write them back, old stripes retired (unique checks see them gone) */
	if (ts)
		tuplesort_performsort(ts);
	for (;;)
	{
		bool		got = ts ? tuplesort_gettupleslot(ts, true, false, sorted, NULL)
			: tuplestore_gettupleslot(store, true, false, sorted);

		if (!got)
			break;
		{
			CHECK_FOR_INTERRUPTS();
			ExecClearTuple(slot);
			slot_getallattrs(sorted);
			memcpy(slot->tts_values, sorted->tts_values, sizeof(Datum) * desc->natts);
			memcpy(slot->tts_isnull, sorted->tts_isnull, sizeof(bool) * desc->natts);
			ExecStoreVirtualTuple(slot);
			cocoon_buffer_insert(rel, &slot, 1, cid, true);
			if (rri->ri_NumIndices > 0)
			{
				ResetPerTupleExprContext(estate);
				ExecInsertIndexTuples(rri, slot, estate, false, false, NULL, NIL);
			}
		}
	}
	if (ts)
		tuplesort_end(ts);
	if (store)
		tuplestore_end(store);
	ExecDropSingleTupleTableSlot(slot);
	ExecDropSingleTupleTableSlot(sorted);
	MemoryContextDelete(cxt);
}

/*
 * Compact rel (caller holds ShareRowExclusiveLock or stronger).  With force
 * every partition with two or more small stripes, or with a stripe of
 * deleted rows, is rewritten; without, only partitions past the
 * cocoon.compaction_min_stripes threshold or with a stripe more than a
 * fifth deleted.
 */
void
cocoon_compact_rel(Relation rel, bool force, CocoonCompactResult *res)
{
	CocoonOptions opts;
	uint64		storage_id;
	List	   *stripes;
	Snapshot	snapshot;
	GroupStripe *group;
	int			ngroup = 0;
	int64		cur_part = 0;
	ResultRelInfo *rri;
	EState	   *estate;
	int			total;
	uint64		before_stripes;

	memset(res, 0, sizeof(*res));
	if (!cocoon_storage_exists(rel))
		return;
	cocoon_flush_relation(rel);
	cocoon_get_options(rel, &opts);
	storage_id = cocoon_storage_id(rel, false);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	stripes = cocoon_meta_stripes(storage_id, snapshot, false);
	before_stripes = list_length(stripes);
	list_sort(stripes, part_cmp);

	estate = CreateExecutorState();
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);

	total = list_length(stripes);
	group = palloc(sizeof(GroupStripe) * Max(total, 1));
	for (int i = 0; i <= total; i++)
	{
		StripeEntry *e = i < total ? list_nth(stripes, i) : NULL;

		if (e == NULL || (ngroup > 0 && e->part_key != cur_part))
		{
			/* decide about the group just ended */
			int			nsmall = 0;
			int			nchosen = 0;
			bool		deletes = false;
			int			k;
			GroupStripe *chosen = palloc(sizeof(GroupStripe) * Max(ngroup, 1));

			for (k = 0; k < ngroup; k++)
			{
				StripeEntry *g = group[k].e;
				bool		small = (g->row_count - group[k].ndel) < (uint64) opts.stripe_rows / 2;
				bool		holey = group[k].ndel > 0 &&
					(force || group[k].ndel * 5 > (int64) g->row_count);

				if (small)
					nsmall++;
				if (holey)
					deletes = true;
				if (small || holey)
					chosen[nchosen++] = group[k];
			}
			if ((nsmall >= (force ? 2 : cocoon_compaction_min_stripes)) || deletes)
				compact_group(rel, storage_id, &opts, chosen, nchosen, snapshot, rri, estate, res);
			pfree(chosen);
			ngroup = 0;
		}
		if (e == NULL)
			break;
		cur_part = e->part_key;
		group[ngroup].e = e;
		{
			uint64	   *del;

			group[ngroup].ndel = cocoon_meta_deleted_in_range(storage_id, e->first_row,
															  e->first_row + e->row_count,
															  snapshot, &del);
		}
		ngroup++;
	}
	cocoon_flush_relation(rel);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
	UnregisterSnapshot(snapshot);

	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	res->stripes_after = list_length(cocoon_meta_stripes(storage_id, snapshot, false));
	UnregisterSnapshot(snapshot);
	res->stripes_before = before_stripes;
	if (res->rows_moved > 0 || res->rows_dropped > 0)
		cocoon_set_last_compaction(rel, GetCurrentTimestamp());
}

PG_FUNCTION_INFO_V1(cocoon_compact);
Datum
cocoon_compact(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel;
	CocoonCompactResult res;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	/* like VACUUM: the owner's business */
	rel = try_relation_open(relid, ShareRowExclusiveLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));
	if (!cocoon_is_cocoon_rel(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a cocoon table", RelationGetRelationName(rel))));
	cocoon_compact_rel(rel, true, &res);
	relation_close(rel, NoLock);
	values[0] = Int64GetDatum(res.stripes_before);
	values[1] = Int64GetDatum(res.stripes_after);
	values[2] = Int64GetDatum(res.rows_moved);
	values[3] = Int64GetDatum(res.rows_dropped);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ------------------------------------------------------------------------
 * Reclamation
 * ------------------------------------------------------------------------
 */
typedef struct DeadRange
{
	uint64		lo;				/* row numbers [lo, hi) */
	uint64		hi;
} DeadRange;

typedef struct DeadRanges
{
	int			n;
	DeadRange  *r;				/* sorted by lo, disjoint */
} DeadRanges;

static int
dead_range_cmp(const void *a, const void *b)
{
	const DeadRange *x = a;
	const DeadRange *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

static bool
tid_in_dead_range(ItemPointer itemptr, void *state)
{
	DeadRanges *d = (DeadRanges *) state;
	uint64		row = cocoon_tid_to_row(itemptr);
	int			lo = 0,
				hi = d->n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (row < d->r[mid].lo)
			hi = mid - 1;
		else if (row >= d->r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static int
offset_desc_cmp(const ListCell *a, const ListCell *b)
{
	StripeEntry *x = lfirst(a);
	StripeEntry *y = lfirst(b);

	if (x->data_offset != y->data_offset)
		return x->data_offset > y->data_offset ? -1 : 1;
	return 0;
}

/*
 * With AccessExclusiveLock held (no reader, no writer): move the stripes
 * at the end of the used space down into free ranges, so that the end can
 * be cut off the file.  A stripe moves byte for byte and its directory row
 * is updated in place (row numbers and index entries stay valid).  Only
 * stripes visible now are moved; retired ones still visible to an older
 * snapshot keep their place.  Returns the new end of the used space.
 */
static uint64
relocate_tail(Relation rel, uint64 storage_id, uint64 end)
{
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	List	   *stripes = cocoon_meta_stripes(storage_id, snapshot, false);
	ListCell   *lc;
	uint64		new_end = end;

	list_sort(stripes, offset_desc_cmp);
	foreach(lc, stripes)
	{
		StripeEntry *e = lfirst(lc);
		uint64		dst;
		char	   *bytes;
		CocoonFreeRange old;

		CHECK_FOR_INTERRUPTS();
		dst = cocoon_take_free_range(rel, e->data_length, e->data_offset);
		if (dst == PG_UINT64_MAX)
			break;				/* the last stripe cannot move: nothing to cut */
		bytes = palloc_extended(e->data_length, MCXT_ALLOC_HUGE);
		cocoon_storage_read(rel, e->data_offset, bytes, e->data_length);
		cocoon_storage_write(rel, dst, bytes, e->data_length);
		pfree(bytes);
		old.offset = e->data_offset;
		old.length = e->data_length;
		e->data_offset = dst;
		cocoon_meta_update_inplace(rel, storage_id, e);
		new_end = cocoon_free_ranges(rel, &old, 1, GetCurrentTimestamp());
	}
	UnregisterSnapshot(snapshot);
	return new_end;
}

/*
 * Remove the index entries and delete records of rows in dead ranges.
 */
static void
remove_dead_rows(Relation rel, uint64 storage_id, DeadRanges *dead,
				 BufferAccessStrategy bstrategy)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Relation	drel;
	int			i;

	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), RowExclusiveLock);
		IndexVacuumInfo ivinfo;
		IndexBulkDeleteResult *stats;

		memset(&ivinfo, 0, sizeof(ivinfo));
		ivinfo.index = irel;
		ivinfo.analyze_only = false;
		ivinfo.report_progress = false;
		ivinfo.estimated_count = true;
		ivinfo.message_level = DEBUG2;
		ivinfo.num_heap_tuples = rel->rd_rel->reltuples;
		ivinfo.strategy = bstrategy;
		stats = index_bulk_delete(&ivinfo, NULL, tid_in_dead_range, dead);
		stats = index_vacuum_cleanup(&ivinfo, stats);
		if (stats)
			pfree(stats);
		index_close(irel, RowExclusiveLock);
	}

	drel = table_open(cocoon_relname_oid("deleted"), RowExclusiveLock);
	for (i = 0; i < dead->n; i++)
	{
		ScanKeyData keys[3];
		SysScanDesc dscan;
		HeapTuple	dtup;

		if (dead->r[i].hi <= dead->r[i].lo)
			continue;
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
					Int64GetDatum((int64) storage_id));
		ScanKeyInit(&keys[1], 2, BTGreaterEqualStrategyNumber, F_INT8GE,
					Int64GetDatum((int64) dead->r[i].lo));
		ScanKeyInit(&keys[2], 2, BTLessStrategyNumber, F_INT8LT,
					Int64GetDatum((int64) dead->r[i].hi));
		dscan = systable_beginscan(drel, cocoon_relname_oid("deleted_pkey"), true,
								   NULL, 3, keys);
		while (HeapTupleIsValid(dtup = systable_getnext(dscan)))
			simple_heap_delete(drel, &dtup->t_self);
		systable_endscan(dscan);
	}
	table_close(drel, RowExclusiveLock);
}

static int
free_range_cmp(const void *a, const void *b)
{
	const CocoonFreeRange *x = a;
	const CocoonFreeRange *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return 0;
}

/*
 * Free the bytes below the end of the used space that neither the free list
 * nor any directory or garbage row names (in any state: cocoon_meta_named_
 * ranges).  Such bytes were reserved by a writer that never got to name
 * them, or whose name is gone: a crash or an error between reserving a
 * stripe's bytes and completing its directory row, an aborted directory
 * row that heap pruning removed before a cocoon VACUUM saw it, a free list
 * that overflowed, a crash between forgetting a garbage row's range and
 * freeing it.  The caller holds ShareLock on rel, which conflicts with every
 * writer's lock, so no writer is between reserving and naming; only one
 * VACUUM runs on a table at a time and only VACUUM frees.  Returns whether
 * anything was freed.
 */
static bool
free_unnamed(Relation rel, uint64 storage_id)
{
	CocoonMetaPageData *meta = palloc(sizeof(CocoonMetaPageData));
	CocoonFreeRange *named;
	CocoonFreeRange *all;
	CocoonFreeRange *gaps;
	int			nnamed;
	int			nall;
	int			ngaps = 0;
	uint64		pos = 0;
	int			i;

	cocoon_read_metapage(rel, meta);
	nnamed = cocoon_meta_named_ranges(storage_id, &named);
	nall = nnamed + (int) Min(meta->nfree, COCOON_MAX_FREE_RANGES);
	all = palloc_extended(sizeof(CocoonFreeRange) * Max(nall, 1), MCXT_ALLOC_HUGE);
	memcpy(all, named, sizeof(CocoonFreeRange) * nnamed);
	memcpy(all + nnamed, meta->free, sizeof(CocoonFreeRange) * (nall - nnamed));
	qsort(all, nall, sizeof(CocoonFreeRange), free_range_cmp);
	gaps = palloc_extended(sizeof(CocoonFreeRange) * (nall + 1), MCXT_ALLOC_HUGE);
	for (i = 0; i <= nall; i++)
	{
		uint64		start = i < nall ? all[i].offset : meta->next_offset;

		if (start > meta->next_offset)
			start = meta->next_offset;
		if (start > pos)
		{
			gaps[ngaps].offset = pos;
			gaps[ngaps].length = start - pos;
			ngaps++;
		}
		if (i < nall)
			pos = Max(pos, all[i].offset + all[i].length);
	}
	if (ngaps > 0)
	{
		uint64		total = 0;

		for (i = 0; i < ngaps; i++)
			total += gaps[i].length;
		ereport(DEBUG1,
				(errmsg("cocoon: freeing %llu unnamed bytes in %d ranges of \"%s\"",
						(unsigned long long) total, ngaps, RelationGetRelationName(rel))));
		(void) cocoon_free_ranges(rel, gaps, ngaps, GetCurrentTimestamp());
	}
	pfree(gaps);
	pfree(all);
	pfree(named);
	pfree(meta);
	return ngaps > 0;
}

/* Blocks a used space of `end` bytes takes, the metapage included. */
static BlockNumber
blocks_for(uint64 end)
{
	return 1 + (BlockNumber) ((end + COCOON_PAGE_DATA - 1) / COCOON_PAGE_DATA);
}

/*
 * Free what no snapshot can see any more: stripes retired (cocoon.garbage)
 * by transactions older than every snapshot, stripes whose inserting
 * transaction aborted (or crashed), and bytes nothing names.  Their index
 * entries and delete records go, their bytes return to the free list, and
 * a free tail is cut off the file when AccessExclusiveLock can be had
 * without waiting.
 *
 * Every range is freed exactly once, even if this transaction aborts
 * later (freeing is not transactional: the metapage change stays): a
 * garbage row's byte range is overwritten in place with nothing before the
 * range is freed, and an aborted directory row is pruned off its page
 * before its range is freed.
 */
void
cocoon_reclaim(Relation rel, BufferAccessStrategy bstrategy)
{
	uint64		storage_id;
	Relation	g;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	TransactionId oldest;
	List	   *gtups = NIL;
	List	   *aborted;
	ListCell   *lc;
	CocoonFreeRange *ranges;
	int			nranges = 0;
	DeadRanges	dead;
	int			cap = 16;
	Snapshot	snapshot;

	if (!cocoon_storage_exists(rel))
		return;
	storage_id = cocoon_storage_id(rel, false);
	g = table_open(cocoon_relname_oid("garbage"), RowExclusiveLock);
	oldest = GetOldestNonRemovableTransactionId(g);
	snapshot = RegisterSnapshot(GetLatestSnapshot());

	dead.n = 0;
	dead.r = palloc(sizeof(DeadRange) * cap);
	ranges = palloc(sizeof(CocoonFreeRange) * cap);
#define ADD_DEAD(first, count, off, len) \
	do { \
		if (dead.n >= cap) \
		{ \
			cap *= 2; \
			dead.r = repalloc(dead.r, sizeof(DeadRange) * cap); \
			ranges = repalloc(ranges, sizeof(CocoonFreeRange) * cap); \
		} \
		dead.r[dead.n].lo = (first); \
		dead.r[dead.n].hi = (first) + (count); \
		dead.n++; \
		if ((len) > 0) \
		{ \
			ranges[nranges].offset = (off); \
			ranges[nranges].length = (len); \
			nranges++; \
		} \
	} while (0)

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	scan = systable_beginscan(g, cocoon_relname_oid("garbage_pkey"), true, snapshot, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Datum		values[5];
		bool		nulls[5];
		TransactionId xmin = HeapTupleHeaderGetXmin(tup->t_data);

		/* only once no snapshot can still see the retired stripe */
		if (!TransactionIdPrecedes(xmin, oldest))
			continue;
		heap_deform_tuple(tup, RelationGetDescr(g), values, nulls);
		/* ... and its directory row is pruned: standbys' conflict horizon */
		if (DatumGetInt64(values[4]) > 0 &&
			!cocoon_meta_prune_retired(storage_id, (uint64) DatumGetInt64(values[1])))
			continue;
		ADD_DEAD((uint64) DatumGetInt64(values[1]), (uint64) DatumGetInt64(values[2]),
				 (uint64) DatumGetInt64(values[3]), (uint64) DatumGetInt64(values[4]));
		gtups = lappend(gtups, heap_copytuple(tup));
	}
	systable_endscan(scan);
	UnregisterSnapshot(snapshot);

	/*
	 * Stripes of aborted transactions.  Nobody else frees them, and once
	 * the directory row is pruned no later VACUUM finds it again.  A row
	 * still being reserved (data_length 0) has index entries but no bytes.
	 */
	aborted = cocoon_meta_aborted_stripes(storage_id);
	foreach(lc, aborted)
	{
		StripeEntry *e = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (cocoon_meta_remove_aborted(e))
			ADD_DEAD(e->first_row, e->row_count, e->data_offset, e->data_length);
	}
#undef ADD_DEAD
	if (dead.n > 0)
	{
		qsort(dead.r, dead.n, sizeof(DeadRange), dead_range_cmp);
		remove_dead_rows(rel, storage_id, &dead, bstrategy);
	}
	/* garbage rows go, their byte ranges first (see above) */
	foreach(lc, gtups)
	{
		HeapTuple	gt = lfirst(lc);

		cocoon_meta_garbage_forget_bytes(g, gt);
		simple_heap_delete(g, &gt->t_self);
	}
	table_close(g, RowExclusiveLock);

	if (nranges > 0)
		(void) cocoon_free_ranges(rel, ranges, nranges, GetCurrentTimestamp());

	/* bytes nothing names, while no writer can be between reserving and naming */
	if (ConditionalLockRelation(rel, ShareLock))
	{
		if (free_unnamed(rel, storage_id))
			nranges++;
		UnlockRelation(rel, ShareLock);
	}

	/*
	 * A free tail may be cut off the file: the one just freed, or one an
	 * earlier VACUUM freed but could not cut (a writer held its lock).
	 */
	{
		CocoonMetaPageData *meta = palloc(sizeof(CocoonMetaPageData));
		bool		cut;

		cocoon_read_metapage(rel, meta);
		cut = nranges > 0 ||
			RelationGetNumberOfBlocks(rel) > blocks_for(meta->next_offset);
		if (cut && ConditionalLockRelation(rel, AccessExclusiveLock))
		{
			uint64		new_end = meta->next_offset;
			BlockNumber target;

			if (meta->nfree > 0)
				new_end = relocate_tail(rel, storage_id, new_end);
			target = blocks_for(new_end);
			if (target < RelationGetNumberOfBlocks(rel))
				RelationTruncate(rel, target);
			UnlockRelation(rel, AccessExclusiveLock);
		}
		pfree(meta);
	}
}

/* ------------------------------------------------------------------------
 * Retiring wholly deleted stripes at commit
 * ------------------------------------------------------------------------
 *
 * A stripe all of whose rows are deleted holds nothing any snapshot that
 * sees the deletions can read.  The transaction whose deletes complete it
 * retires it itself, just before it commits (or prepares): its directory
 * row disappears for exactly the snapshots that see the deletes, and once
 * the transaction is older than every snapshot one VACUUM frees the bytes
 * (instead of a first VACUUM compacting the stripe away and a second one
 * freeing what the first retired).  Rows deleted by transactions that
 * committed earlier count too: every snapshot that sees this commit sees
 * theirs.  Rows deleted by transactions still running do not (so of two
 * concurrent deleters at most one can see the stripe wholly deleted).
 *
 * The work is bounded by the transaction's own: the deleted rows it
 * counts lie in stripes it deleted at least a quarter of the rows of.
 */
typedef struct DeletedNote
{
	Oid			relid;
	uint64		storage_id;
	uint64		count;			/* rows this transaction deleted */
	uint64		lo;				/* lowest and highest of them */
	uint64		hi;
} DeletedNote;

static DeletedNote *deleted_notes = NULL;
static int	ndeleted_notes = 0;
static int	deleted_notes_cap = 0;

void
cocoon_note_deleted(Relation rel, uint64 storage_id, uint64 row)
{
	DeletedNote *n = NULL;
	int			i;

	for (i = ndeleted_notes - 1; i >= 0; i--)
		if (deleted_notes[i].relid == RelationGetRelid(rel) &&
			deleted_notes[i].storage_id == storage_id)
		{
			n = &deleted_notes[i];
			break;
		}
	if (n == NULL)
	{
		if (ndeleted_notes >= deleted_notes_cap)
		{
			int			cap = Max(deleted_notes_cap * 2, 4);

			deleted_notes = deleted_notes
				? repalloc(deleted_notes, sizeof(DeletedNote) * cap)
				: MemoryContextAlloc(TopTransactionContext, sizeof(DeletedNote) * cap);
			deleted_notes_cap = cap;
		}
		n = &deleted_notes[ndeleted_notes++];
		n->relid = RelationGetRelid(rel);
		n->storage_id = storage_id;
		n->count = 0;
		n->lo = row;
		n->hi = row;
	}
	n->count++;
	n->lo = Min(n->lo, row);
	n->hi = Max(n->hi, row);
}

/* At transaction end: the notes' memory goes with TopTransactionContext. */
void
cocoon_forget_deleted(void)
{
	deleted_notes = NULL;
	ndeleted_notes = 0;
	deleted_notes_cap = 0;
}

/*
 * Pre-commit and pre-prepare, after the write buffers are flushed.
 */
void
cocoon_retire_deleted_stripes(void)
{
	int			i;

	if (ndeleted_notes == 0)
		return;
	/* this transaction's deletes (of committed subtransactions) count */
	CommandCounterIncrement();
	for (i = 0; i < ndeleted_notes; i++)
	{
		DeletedNote *n = &deleted_notes[i];
		Relation	rel;
		Snapshot	snapshot;
		List	   *stripes;
		ListCell   *lc;

		rel = try_relation_open(n->relid, NoLock);
		if (rel == NULL)
			continue;
		if (!cocoon_is_cocoon_rel(rel) || !cocoon_storage_exists(rel) ||
			cocoon_storage_id(rel, false) != n->storage_id)
		{
			/* dropped, rewritten or truncated since */
			relation_close(rel, NoLock);
			continue;
		}
		snapshot = RegisterSnapshot(GetLatestSnapshot());
		stripes = cocoon_meta_stripes_in_rows(n->storage_id, snapshot, n->lo, n->hi,
											  4 * n->count);
		foreach(lc, stripes)
		{
			StripeEntry *e = lfirst(lc);
			uint64	   *rows;
			int			ndel = cocoon_meta_deleted_in_range(n->storage_id, e->first_row,
														   e->first_row + e->row_count,
														   snapshot, &rows);

			if (rows)
				pfree(rows);
			/* a concurrent retirer (drop_before) is not waited for */
			if ((uint64) ndel == e->row_count && e->row_count > 0)
				(void) cocoon_meta_try_retire_stripe(n->storage_id, e, false);
		}
		list_free_deep(stripes);
		UnregisterSnapshot(snapshot);
		relation_close(rel, NoLock);
	}
	cocoon_forget_deleted();
}
