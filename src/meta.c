/*-------------------------------------------------------------------------
 *
 * meta.c
 *	  The stripe directory: one heap row per stripe in cocoon.stripe.
 *
 * A stripe is visible to a snapshot exactly when its directory row is, so
 * rollback, savepoints, concurrent snapshots and 2PC all follow heap MVCC.
 * The row is inserted when a write buffer first reserves its row numbers
 * ("reserved": data_length = 0), so that a unique-index check in another
 * transaction finds an in-progress inserter to wait for; when the stripe is
 * written, the row is overwritten in place (same length: every column is a
 * NOT NULL fixed-width value) with the stripe's location and statistics.
 * An in-place update keeps the row's xmin, so visibility is unchanged.
 * (A buffer of a table without indexes needs no reserved row: nobody can
 * meet its rows before it commits.  It inserts its row complete, through
 * the same function, when the stripe is written; see write.c.)
 *
 * Rows are keyed by (storage_id, first_row); storage_id lives in the
 * relation's metapage and so follows the relation's files through TRUNCATE,
 * VACUUM FULL and ALTER TABLE ... SET ACCESS METHOD.
 *
 * src/meta.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "utils/combocid.h"
#include "common/int.h"
#include "catalog/indexing.h"
#include "storage/bufmgr.h"
#include "storage/procarray.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "cocoon.h"
#include "cocoon_scan.h"

enum
{
	Anum_stripe_storage_id = 1,
	Anum_stripe_stripe_id,
	Anum_stripe_first_row,
	Anum_stripe_row_count,
	Anum_stripe_data_offset,
	Anum_stripe_data_length,
	Anum_stripe_part_key,
	Anum_stripe_min_ts,
	Anum_stripe_max_ts,
	Anum_stripe_has_ts,
	Anum_stripe_raw_bytes,
	Natts_stripe = Anum_stripe_raw_bytes
};

static Oid
stripe_relid(void)
{
	return cocoon_relname_oid("stripe");
}

static Oid
stripe_indexid(void)
{
	return cocoon_relname_oid("stripe_pkey");
}

static HeapTuple
form_stripe_tuple(Relation dir, uint64 storage_id, StripeEntry *e)
{
	Datum		values[Natts_stripe];
	bool		nulls[Natts_stripe];

	memset(nulls, 0, sizeof(nulls));
	values[Anum_stripe_storage_id - 1] = Int64GetDatum((int64) storage_id);
	values[Anum_stripe_stripe_id - 1] = Int64GetDatum((int64) e->stripe_id);
	values[Anum_stripe_first_row - 1] = Int64GetDatum((int64) e->first_row);
	values[Anum_stripe_row_count - 1] = Int64GetDatum((int64) e->row_count);
	values[Anum_stripe_data_offset - 1] = Int64GetDatum((int64) e->data_offset);
	values[Anum_stripe_data_length - 1] = Int64GetDatum((int64) e->data_length);
	values[Anum_stripe_part_key - 1] = Int64GetDatum(e->part_key);
	values[Anum_stripe_min_ts - 1] = Int64GetDatum(e->min_ts);
	values[Anum_stripe_max_ts - 1] = Int64GetDatum(e->max_ts);
	values[Anum_stripe_has_ts - 1] = BoolGetDatum(e->has_ts);
	values[Anum_stripe_raw_bytes - 1] = Int64GetDatum((int64) e->raw_bytes);
	return heap_form_tuple(RelationGetDescr(dir), values, nulls);
}

static void
deform_stripe_tuple(Relation dir, HeapTuple tup, StripeEntry *e)
{
	Datum		values[Natts_stripe];
	bool		nulls[Natts_stripe];

	heap_deform_tuple(tup, RelationGetDescr(dir), values, nulls);
	e->stripe_id = (uint64) DatumGetInt64(values[Anum_stripe_stripe_id - 1]);
	e->first_row = (uint64) DatumGetInt64(values[Anum_stripe_first_row - 1]);
	e->row_count = (uint64) DatumGetInt64(values[Anum_stripe_row_count - 1]);
	e->data_offset = (uint64) DatumGetInt64(values[Anum_stripe_data_offset - 1]);
	e->data_length = (uint64) DatumGetInt64(values[Anum_stripe_data_length - 1]);
	e->part_key = DatumGetInt64(values[Anum_stripe_part_key - 1]);
	e->min_ts = DatumGetInt64(values[Anum_stripe_min_ts - 1]);
	e->max_ts = DatumGetInt64(values[Anum_stripe_max_ts - 1]);
	e->has_ts = DatumGetBool(values[Anum_stripe_has_ts - 1]);
	e->raw_bytes = (uint64) DatumGetInt64(values[Anum_stripe_raw_bytes - 1]);
	e->dir_tid = tup->t_self;
	e->xmin = HeapTupleHeaderGetXmin(tup->t_data);
}

/*
 * Insert the directory row of a freshly reserved stripe, or of a written
 * one (write.c: tables without indexes); e->dir_tid is set.
 */
void
cocoon_meta_insert_reserved(Relation rel, uint64 storage_id, StripeEntry *e)
{
	Relation	dir = table_open(stripe_relid(), RowExclusiveLock);
	HeapTuple	tup = form_stripe_tuple(dir, storage_id, e);

	CatalogTupleInsert(dir, tup);
	e->dir_tid = tup->t_self;
	heap_freetuple(tup);
	table_close(dir, RowExclusiveLock);
}

/*
 * Overwrite the directory row at e->dir_tid in place.
 */
void
cocoon_meta_update_inplace(Relation rel, uint64 storage_id, StripeEntry *e)
{
	Relation	dir = table_open(stripe_relid(), RowExclusiveLock);
	HeapTuple	tup = form_stripe_tuple(dir, storage_id, e);

	tup->t_self = e->dir_tid;
	tup->t_tableOid = RelationGetRelid(dir);
	heap_inplace_update(dir, tup);
	heap_freetuple(tup);
	table_close(dir, RowExclusiveLock);
}

static int
stripe_cmp(const ListCell *a, const ListCell *b)
{
	StripeEntry *x = lfirst(a);
	StripeEntry *y = lfirst(b);

	if (x->first_row < y->first_row)
		return -1;
	if (x->first_row > y->first_row)
		return 1;
	return 0;
}

/*
 * Scan the rows of one storage in a table keyed by storage_id first
 * (cocoon.stripe, cocoon.deleted, cocoon.garbage) through index idx.
 * systable_beginscan copies the key.
 */
static SysScanDesc
storage_rows_scan(Relation rel, Oid idx, uint64 storage_id, Snapshot snapshot)
{
	ScanKeyData key;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	return systable_beginscan(rel, idx, true, snapshot, 1, &key);
}

/*
 * All stripes of a storage visible to snapshot, ordered by first_row.
 * Reserved (not yet written) stripes are left out unless asked for.
 */
List *
cocoon_meta_stripes(uint64 storage_id, Snapshot snapshot, bool include_reserved)
{
	Relation	dir;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	if (storage_id == 0)
		return NIL;
	dir = table_open(stripe_relid(), AccessShareLock);
	scan = storage_rows_scan(dir, stripe_indexid(), storage_id, snapshot);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		StripeEntry *e = palloc(sizeof(StripeEntry));

		deform_stripe_tuple(dir, tup, e);
		if (e->data_length == 0 && !include_reserved)
		{
			pfree(e);
			continue;
		}
		result = lappend(result, e);
	}
	systable_endscan(scan);
	table_close(dir, AccessShareLock);
	list_sort(result, stripe_cmp);
	return result;
}

/*
 * Find the visible stripe holding row number row.  Returns false if none.
 * *reserved_only is set when the stripe is reserved but not written (its
 * rows are still in some transaction's memory).
 */
bool
cocoon_meta_find_row(uint64 storage_id, uint64 row, Snapshot snapshot,
					 StripeEntry *out, bool *reserved_only)
{
	Relation	dir;
	Relation	idx;
	SysScanDesc scan;
	ScanKeyData keys[2];
	HeapTuple	tup;
	bool		found = false;

	*reserved_only = false;
	if (storage_id == 0)
		return false;
	dir = table_open(stripe_relid(), AccessShareLock);
	idx = index_open(stripe_indexid(), AccessShareLock);
	ScanKeyInit(&keys[0], Anum_stripe_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], Anum_stripe_first_row, BTLessEqualStrategyNumber, F_INT8LE,
				Int64GetDatum((int64) row));
	scan = systable_beginscan_ordered(dir, idx, snapshot, 2, keys);
	tup = systable_getnext_ordered(scan, BackwardScanDirection);
	if (HeapTupleIsValid(tup))
	{
		deform_stripe_tuple(dir, tup, out);
		if (row < out->first_row + out->row_count)
		{
			found = true;
			*reserved_only = (out->data_length == 0);
		}
	}
	systable_endscan_ordered(scan);
	index_close(idx, AccessShareLock);
	table_close(dir, AccessShareLock);
	return found;
}

/*
 * Delete every directory row of a storage (transactionally).
 */
void
cocoon_meta_delete_storage(uint64 storage_id)
{
	Relation	dir;
	SysScanDesc scan;
	HeapTuple	tup;

	if (storage_id == 0)
		return;
	dir = table_open(stripe_relid(), RowExclusiveLock);
	scan = storage_rows_scan(dir, stripe_indexid(), storage_id, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		CatalogTupleDelete(dir, &tup->t_self);
	systable_endscan(scan);
	table_close(dir, RowExclusiveLock);

	dir = table_open(cocoon_relname_oid("deleted"), RowExclusiveLock);
	scan = storage_rows_scan(dir, cocoon_relname_oid("deleted_pkey"), storage_id, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		CatalogTupleDelete(dir, &tup->t_self);
	systable_endscan(scan);
	table_close(dir, RowExclusiveLock);

	/* the file goes away with the storage: its garbage list too */
	dir = table_open(cocoon_relname_oid("garbage"), RowExclusiveLock);
	scan = storage_rows_scan(dir, cocoon_relname_oid("garbage_pkey"), storage_id, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		CatalogTupleDelete(dir, &tup->t_self);
	systable_endscan(scan);
	table_close(dir, RowExclusiveLock);
}

/*
 * Bytes of directory data a storage accounts for: its rows (tuple + line
 * pointer) and their index entries.
 */
uint64
cocoon_meta_bytes(uint64 storage_id)
{
	Relation	dir;
	SysScanDesc scan;
	HeapTuple	tup;
	uint64		bytes = 0;

	if (storage_id == 0)
		return 0;
	dir = table_open(stripe_relid(), AccessShareLock);
	scan = storage_rows_scan(dir, stripe_indexid(), storage_id, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		bytes += MAXALIGN(tup->t_len) + sizeof(ItemIdData) + 24;
	systable_endscan(scan);
	table_close(dir, AccessShareLock);
	return bytes;
}

/*
 * Stripes whose time range meets [lo, hi], found through the partition
 * index: a stripe's rows all lie in [part_key, part_key + interval), so
 * only partitions starting in [lo - widest interval, hi] can hold matches,
 * plus stripes written without partitioning (part_key COCOON_NO_PARTITION),
 * which are checked by their min/max.  *total receives the number of
 * stripes looked at.
 */
List *
cocoon_meta_stripes_in_range(uint64 storage_id, Snapshot snapshot,
							 int64 lo, int64 hi, uint64 *total, int64 max_interval)
{
	Relation	dir;
	Relation	idx;
	List	   *result = NIL;
	int			pass;

	*total = 0;
	if (storage_id == 0)
		return NIL;
	dir = table_open(stripe_relid(), AccessShareLock);
	idx = index_open(cocoon_relname_oid("stripe_part_idx"), AccessShareLock);
	for (pass = 0; pass < 2; pass++)
	{
		ScanKeyData keys[3];
		int			nkeys;
		SysScanDesc scan;
		HeapTuple	tup;
		int64		from;

		ScanKeyInit(&keys[0], Anum_stripe_storage_id, BTEqualStrategyNumber, F_INT8EQ,
					Int64GetDatum((int64) storage_id));
		if (pass == 0)
		{
			/* unpartitioned stripes */
			ScanKeyInit(&keys[1], Anum_stripe_part_key, BTEqualStrategyNumber, F_INT8EQ,
						Int64GetDatum(COCOON_NO_PARTITION));
			nkeys = 2;
		}
		else
		{
			if (pg_sub_s64_overflow(lo, Max(max_interval, 0), &from) ||
				from <= COCOON_NO_PARTITION)
				from = COCOON_NO_PARTITION + 1;
			ScanKeyInit(&keys[1], Anum_stripe_part_key, BTGreaterEqualStrategyNumber, F_INT8GE,
						Int64GetDatum(from));
			ScanKeyInit(&keys[2], Anum_stripe_part_key, BTLessEqualStrategyNumber, F_INT8LE,
						Int64GetDatum(hi));
			nkeys = 3;
		}
		scan = systable_beginscan_ordered(dir, idx, snapshot, nkeys, keys);
		while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, ForwardScanDirection)))
		{
			StripeEntry *e = palloc(sizeof(StripeEntry));

			deform_stripe_tuple(dir, tup, e);
			if (e->data_length == 0)
			{
				pfree(e);
				continue;
			}
			(*total)++;
			/*
			 * A stripe without times holds NULL times only, or predates the
			 * time column (whose missing value the chunk check sees): kept.
			 */
			if (e->has_ts && (e->max_ts < lo || e->min_ts > hi))
			{
				pfree(e);
				continue;
			}
			result = lappend(result, e);
		}
		systable_endscan_ordered(scan);
	}
	index_close(idx, AccessShareLock);
	table_close(dir, AccessShareLock);
	list_sort(result, stripe_cmp);
	return result;
}

/* ------------------------------------------------------------------------
 * Delete vectors: heap table cocoon.deleted
 * ------------------------------------------------------------------------
 */
enum
{
	Anum_deleted_storage_id = 1,
	Anum_deleted_row_number,
	Anum_deleted_updated,
	Natts_deleted = Anum_deleted_updated
};

/*
 * Record that row was deleted by the current (sub)transaction.
 */
void
cocoon_meta_insert_deleted(uint64 storage_id, uint64 row, bool updated)
{
	Relation	dir = table_open(cocoon_relname_oid("deleted"), RowExclusiveLock);
	Datum		values[Natts_deleted];
	bool		nulls[Natts_deleted];
	HeapTuple	tup;

	memset(nulls, 0, sizeof(nulls));
	values[Anum_deleted_storage_id - 1] = Int64GetDatum((int64) storage_id);
	values[Anum_deleted_row_number - 1] = Int64GetDatum((int64) row);
	values[Anum_deleted_updated - 1] = BoolGetDatum(updated);
	tup = heap_form_tuple(RelationGetDescr(dir), values, nulls);
	CatalogTupleInsert(dir, tup);
	heap_freetuple(tup);
	table_close(dir, RowExclusiveLock);
}

/*
 * Look for the delete record of row under snapshot (typically a dirty
 * snapshot, which then tells in-progress deleters).  Returns true if one is
 * found; *xmin, *cmin (meaningful for our own transaction) and *updated
 * describe it.
 */
bool
cocoon_meta_find_deleted(uint64 storage_id, uint64 row, Snapshot snapshot,
						 TransactionId *xmin, CommandId *cmin, bool *updated)
{
	Relation	dir = table_open(cocoon_relname_oid("deleted"), AccessShareLock);
	SysScanDesc scan;
	ScanKeyData keys[2];
	HeapTuple	tup;
	bool		found = false;

	ScanKeyInit(&keys[0], Anum_deleted_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], Anum_deleted_row_number, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) row));
	scan = systable_beginscan(dir, cocoon_relname_oid("deleted_pkey"), true, snapshot, 2, keys);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		Datum		values[Natts_deleted];
		bool		nulls[Natts_deleted];

		found = true;
		heap_deform_tuple(tup, RelationGetDescr(dir), values, nulls);
		if (xmin)
			*xmin = HeapTupleHeaderGetRawXmin(tup->t_data);
		if (cmin)
			*cmin = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(tup->t_data)) ?
				HeapTupleHeaderGetCmin(tup->t_data) : InvalidCommandId;
		if (updated)
			*updated = DatumGetBool(values[Anum_deleted_updated - 1]);
	}
	systable_endscan(scan);
	table_close(dir, AccessShareLock);
	return found;
}

/*
 * Row numbers in [lo, hi) deleted as seen by snapshot, ascending; returns
 * how many (*rows is NULL when none).
 */
int
cocoon_meta_deleted_in_range(uint64 storage_id, uint64 lo, uint64 hi, Snapshot snapshot,
							 uint64 **rows)
{
	Relation	dir;
	Relation	idx;
	SysScanDesc scan;
	ScanKeyData keys[3];
	HeapTuple	tup;
	int			n = 0;
	int			cap = 0;

	*rows = NULL;
	if (storage_id == 0 || lo >= hi)
		return 0;
	dir = table_open(cocoon_relname_oid("deleted"), AccessShareLock);
	idx = index_open(cocoon_relname_oid("deleted_pkey"), AccessShareLock);
	ScanKeyInit(&keys[0], Anum_deleted_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], Anum_deleted_row_number, BTGreaterEqualStrategyNumber, F_INT8GE,
				Int64GetDatum((int64) lo));
	ScanKeyInit(&keys[2], Anum_deleted_row_number, BTLessStrategyNumber, F_INT8LT,
				Int64GetDatum((int64) hi));
	scan = systable_beginscan_ordered(dir, idx, snapshot, 3, keys);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, ForwardScanDirection)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_deleted_row_number, RelationGetDescr(dir), &isnull);

		if (n >= cap)
		{
			cap = cap ? cap * 2 : 64;
			*rows = *rows ? repalloc_huge(*rows, sizeof(uint64) * cap) :
				palloc(sizeof(uint64) * cap);
		}
		(*rows)[n++] = (uint64) DatumGetInt64(d);
	}
	systable_endscan_ordered(scan);
	index_close(idx, AccessShareLock);
	table_close(dir, AccessShareLock);
	return n;
}

/*
 * Visible delete records of the given (visible) stripes: the rows deleted
 * from them.  Records of stripes already retired do not count.
 */
uint64
cocoon_meta_count_deleted(uint64 storage_id, List *stripes, Snapshot snapshot)
{
	ListCell   *lc;
	uint64		n = 0;

	foreach(lc, stripes)
	{
		StripeEntry *e = lfirst(lc);
		uint64	   *rows;

		n += cocoon_meta_deleted_in_range(storage_id, e->first_row,
										  e->first_row + e->row_count, snapshot, &rows);
		if (rows)
			pfree(rows);
	}
	return n;
}

/* the cocoon.garbage row of a retired stripe: its rows and its bytes */
static void
insert_garbage_row(uint64 storage_id, StripeEntry *e)
{
	Relation	g = table_open(cocoon_relname_oid("garbage"), RowExclusiveLock);
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	HeapTuple	tup;

	values[0] = Int64GetDatum((int64) storage_id);
	values[1] = Int64GetDatum((int64) e->first_row);
	values[2] = Int64GetDatum((int64) e->row_count);
	values[3] = Int64GetDatum((int64) e->data_offset);
	values[4] = Int64GetDatum((int64) e->data_length);
	tup = heap_form_tuple(RelationGetDescr(g), values, nulls);
	CatalogTupleInsert(g, tup);
	heap_freetuple(tup);
	table_close(g, RowExclusiveLock);
}

/*
 * Retire a stripe: delete its directory row and remember its row and byte
 * ranges in cocoon.garbage, both in the current transaction.  VACUUM frees
 * them once no snapshot can see the stripe.
 */
void
cocoon_meta_retire_stripe(uint64 storage_id, StripeEntry *e)
{
	Relation	dir = table_open(stripe_relid(), RowExclusiveLock);

	simple_heap_delete(dir, &e->dir_tid);
	table_close(dir, RowExclusiveLock);
	insert_garbage_row(storage_id, e);
}

/*
 * Retire a stripe as cocoon_meta_retire_stripe does, unless another
 * transaction retired it meanwhile: a DELETE that emptied it, or
 * cocoon.drop_before.  With wait, a transaction still deleting the
 * directory row is waited for (if it aborts, the stripe is retired here);
 * without, it is not.  Returns false, changing nothing, when the stripe is
 * (being) retired by somebody else.
 */
bool
cocoon_meta_try_retire_stripe(uint64 storage_id, StripeEntry *e, bool wait)
{
	Relation	dir = table_open(stripe_relid(), RowExclusiveLock);
	TM_FailureData tmfd;
	TM_Result	r;

	r = heap_delete(dir, &e->dir_tid, GetCurrentCommandId(true), InvalidSnapshot,
					wait, &tmfd, false);
	table_close(dir, RowExclusiveLock);
	if (r != TM_Ok)
		return false;
	insert_garbage_row(storage_id, e);
	return true;
}

/*
 * Written stripes visible to snapshot whose rows meet [lo, hi], ordered by
 * first_row; NIL as soon as their rows add up to more than max_rows.  Row
 * ranges of stripes never overlap, so a backward scan from hi stops at the
 * first stripe that ends at or before lo.
 */
List *
cocoon_meta_stripes_in_rows(uint64 storage_id, Snapshot snapshot, uint64 lo, uint64 hi,
							uint64 max_rows)
{
	uint64		span = 0;

	Relation	dir;
	Relation	idx;
	SysScanDesc scan;
	ScanKeyData keys[2];
	HeapTuple	tup;
	List	   *result = NIL;

	if (storage_id == 0)
		return NIL;
	dir = table_open(stripe_relid(), AccessShareLock);
	idx = index_open(stripe_indexid(), AccessShareLock);
	ScanKeyInit(&keys[0], Anum_stripe_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], Anum_stripe_first_row, BTLessEqualStrategyNumber, F_INT8LE,
				Int64GetDatum((int64) hi));
	scan = systable_beginscan_ordered(dir, idx, snapshot, 2, keys);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, BackwardScanDirection)))
	{
		StripeEntry *e = palloc(sizeof(StripeEntry));

		deform_stripe_tuple(dir, tup, e);
		if (e->first_row + e->row_count <= lo)
		{
			pfree(e);
			break;
		}
		if (e->data_length == 0)
		{
			pfree(e);
			continue;
		}
		result = lcons(e, result);
		span += e->row_count;
		if (span > max_rows)
		{
			list_free_deep(result);
			result = NIL;
			break;
		}
	}
	systable_endscan_ordered(scan);
	index_close(idx, AccessShareLock);
	table_close(dir, AccessShareLock);
	return result;
}

/*
 * Directory rows of a storage whose inserting (sub)transaction aborted, or
 * was in progress at a crash: their stripes can never become visible to
 * anybody.  Rows of transactions still running (including prepared ones,
 * and committed subtransactions of running ones) are not aborted.  The
 * tuples are read with SnapshotAny; e->xmin is the raw inserting xid and
 * e->dir_tid where the row lies.
 */
List *
cocoon_meta_aborted_stripes(uint64 storage_id)
{
	Relation	dir;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	if (storage_id == 0)
		return NIL;
	dir = table_open(stripe_relid(), AccessShareLock);
	scan = storage_rows_scan(dir, stripe_indexid(), storage_id, SnapshotAny);
	/* an aborted row's index entry is soon marked dead: look at those too */
	scan->iscan->ignore_killed_tuples = false;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		HeapTupleHeader h = tup->t_data;
		TransactionId xid = HeapTupleHeaderGetRawXmin(h);
		StripeEntry *e;

		/* hint bits first; the order of the checks is heapam_visibility.c's */
		if (HeapTupleHeaderXminCommitted(h))
			continue;
		if (!HeapTupleHeaderXminInvalid(h))
		{
			if (TransactionIdIsCurrentTransactionId(xid) ||
				TransactionIdIsInProgress(xid) ||
				TransactionIdDidCommit(xid))
				continue;
		}
		e = palloc(sizeof(StripeEntry));
		deform_stripe_tuple(dir, tup, e);
		e->xmin = xid;
		result = lappend(result, e);
	}
	systable_endscan(scan);
	table_close(dir, AccessShareLock);
	return result;
}

/*
 * Make sure an aborted directory row (from cocoon_meta_aborted_stripes) is
 * gone from its page, pruning the page if needed (heap pruning removes the
 * tuples of aborted inserters; WAL-logged, so replicas and crash recovery
 * see the row gone too).  Returns true when no scan can find the row any
 * more, so that its bytes may be freed exactly once; false when the page is
 * pinned by somebody else (a later VACUUM tries again).
 */
bool
cocoon_meta_remove_aborted(StripeEntry *e)
{
	Relation	dir = table_open(stripe_relid(), RowExclusiveLock);
	BlockNumber blkno = ItemPointerGetBlockNumber(&e->dir_tid);
	OffsetNumber off = ItemPointerGetOffsetNumber(&e->dir_tid);
	Buffer		buf;
	Page		page;
	bool		gone = false;
	int			pass;

	if (blkno >= RelationGetNumberOfBlocks(dir))
	{
		table_close(dir, RowExclusiveLock);
		return true;			/* truncated away by a heap VACUUM */
	}
	buf = ReadBuffer(dir, blkno);
	if (!ConditionalLockBufferForCleanup(buf))
	{
		ReleaseBuffer(buf);
		table_close(dir, RowExclusiveLock);
		return false;
	}
	page = BufferGetPage(buf);
	for (pass = 0; pass < 2 && !gone; pass++)
	{
		ItemId		lp;

		if (off > PageGetMaxOffsetNumber(page))
			gone = true;
		else
		{
			lp = PageGetItemId(page, off);
			/* removed, or the slot reused by another row after a heap VACUUM */
			gone = !ItemIdIsNormal(lp) ||
				HeapTupleHeaderGetRawXmin((HeapTupleHeader) PageGetItem(page, lp)) != e->xmin;
		}
		if (!gone && pass == 0)
		{
			int			nnewlpdead;

			heap_page_prune(dir, buf, InvalidTransactionId, GlobalVisTestFor(dir),
							InvalidTransactionId, 0, &nnewlpdead, NULL);
		}
	}
	UnlockReleaseBuffer(buf);
	table_close(dir, RowExclusiveLock);
	return gone;
}

/*
 * The TIDs of every version of the directory row of (storage_id, first_row)
 * still on its heap page, whatever its state.
 */
static List *
directory_row_tids(Relation dir, uint64 storage_id, uint64 first_row)
{
	SysScanDesc scan;
	ScanKeyData keys[2];
	HeapTuple	tup;
	List	   *tids = NIL;

	ScanKeyInit(&keys[0], Anum_stripe_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], Anum_stripe_first_row, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) first_row));
	scan = systable_beginscan(dir, stripe_indexid(), true, SnapshotAny, 2, keys);
	/* entries of removed rows may be marked dead: look at those too */
	scan->iscan->ignore_killed_tuples = false;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		ItemPointer tid = palloc(sizeof(ItemPointerData));

		*tid = tup->t_self;
		tids = lappend(tids, tid);
	}
	systable_endscan(scan);
	return tids;
}

/*
 * Before VACUUM frees a retired stripe's bytes, its directory row (deleted
 * by the retiring transaction) must be gone from its heap page.  Heap
 * pruning removes it and WAL-logs the removal with the retiring transaction
 * as the conflict horizon, so a standby cancels the queries whose snapshots
 * could still see the stripe before it replays anything that reuses the
 * bytes, exactly as it does for heap rows (unless hot_standby_feedback
 * holds the primary's horizon back, in which case the row is not removable
 * yet).  A row pruned earlier (on-access pruning, a heap VACUUM of
 * cocoon.stripe) gave the standby that horizon then.
 *
 * Returns true when no version of the row is left on its page; false when
 * one is (its page pinned by somebody, or not yet removable): the stripe
 * then waits for a later VACUUM.
 */
bool
cocoon_meta_prune_retired(uint64 storage_id, uint64 first_row)
{
	Relation	dir = table_open(stripe_relid(), RowExclusiveLock);
	GlobalVisState *vistest = GlobalVisTestFor(dir);
	List	   *tids;
	ListCell   *lc;
	bool		gone;

	tids = directory_row_tids(dir, storage_id, first_row);
	foreach(lc, tids)
	{
		ItemPointer tid = lfirst(lc);
		Buffer		buf = ReadBuffer(dir, ItemPointerGetBlockNumber(tid));
		int			nnewlpdead;

		if (ConditionalLockBufferForCleanup(buf))
		{
			heap_page_prune(dir, buf, InvalidTransactionId, vistest, InvalidTransactionId, 0,
							&nnewlpdead, NULL);
			UnlockReleaseBuffer(buf);
		}
		else
			ReleaseBuffer(buf);
	}
	if (tids != NIL)
	{
		list_free_deep(tids);
		tids = directory_row_tids(dir, storage_id, first_row);
	}
	gone = (tids == NIL);
	list_free_deep(tids);
	table_close(dir, RowExclusiveLock);
	return gone;
}

/*
 * Overwrite a garbage row's byte range with nothing, in place: not undone
 * if the transaction that frees the range aborts, so the range is never
 * freed a second time (the row itself comes back and is cleaned up again,
 * which is harmless).  The row must be live (its TID stable).
 */
void
cocoon_meta_garbage_forget_bytes(Relation g, HeapTuple tup)
{
	Datum		values[5];
	bool		nulls[5];
	HeapTuple	copy;

	heap_deform_tuple(tup, RelationGetDescr(g), values, nulls);
	values[3] = Int64GetDatum(0);
	values[4] = Int64GetDatum(0);
	copy = heap_form_tuple(RelationGetDescr(g), values, nulls);
	copy->t_self = tup->t_self;
	copy->t_tableOid = RelationGetRelid(g);
	heap_inplace_update(g, copy);
	heap_freetuple(copy);
}

/*
 * Every byte range of a storage that a directory row or a garbage row
 * still names, whatever the row's state (SnapshotAny, index entries marked
 * dead included): a superset of what any snapshot may read or any VACUUM
 * may free later.  Returns how many; *out is palloc'd.
 */
int
cocoon_meta_named_ranges(uint64 storage_id, CocoonFreeRange **out)
{
	int			n = 0;
	int			cap = 64;
	int			pass;

	*out = palloc(sizeof(CocoonFreeRange) * cap);
	for (pass = 0; pass < 2; pass++)
	{
		Relation	rel = table_open(pass == 0 ? stripe_relid() : cocoon_relname_oid("garbage"),
									 AccessShareLock);
		Oid			idx = pass == 0 ? stripe_indexid() : cocoon_relname_oid("garbage_pkey");
		SysScanDesc scan;
		HeapTuple	tup;

		scan = storage_rows_scan(rel, idx, storage_id, SnapshotAny);
		scan->iscan->ignore_killed_tuples = false;
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			uint64		off,
						len;
			bool		isnull;

			if (pass == 0)
			{
				off = (uint64) DatumGetInt64(heap_getattr(tup, Anum_stripe_data_offset,
														  RelationGetDescr(rel), &isnull));
				len = (uint64) DatumGetInt64(heap_getattr(tup, Anum_stripe_data_length,
														  RelationGetDescr(rel), &isnull));
			}
			else
			{
				off = (uint64) DatumGetInt64(heap_getattr(tup, 4, RelationGetDescr(rel), &isnull));
				len = (uint64) DatumGetInt64(heap_getattr(tup, 5, RelationGetDescr(rel), &isnull));
			}
			if (len == 0)
				continue;
			if (n >= cap)
			{
				cap *= 2;
				*out = repalloc_huge(*out, sizeof(CocoonFreeRange) * cap);
			}
			(*out)[n].offset = off;
			(*out)[n].length = len;
			n++;
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	return n;
}

/*
 * Bytes waiting for VACUUM: stripes retired (garbage rows visible now) and
 * stripes of aborted transactions.
 */
uint64
cocoon_meta_waiting_bytes(uint64 storage_id)
{
	Relation	g;
	SysScanDesc scan;
	HeapTuple	tup;
	uint64		bytes = 0;
	List	   *aborted;
	ListCell   *lc;

	if (storage_id == 0)
		return 0;
	g = table_open(cocoon_relname_oid("garbage"), AccessShareLock);
	scan = storage_rows_scan(g, cocoon_relname_oid("garbage_pkey"), storage_id, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;

		bytes += (uint64) DatumGetInt64(heap_getattr(tup, 5, RelationGetDescr(g), &isnull));
	}
	systable_endscan(scan);
	table_close(g, AccessShareLock);
	aborted = cocoon_meta_aborted_stripes(storage_id);
	foreach(lc, aborted)
		bytes += ((StripeEntry *) lfirst(lc))->data_length;
	list_free_deep(aborted);
	return bytes;
}
