/*-------------------------------------------------------------------------
 *
 * cocoon.h
 *	  Shared declarations of the cocoon table access method.
 *
 * The prototypes are grouped by the file that defines them.  On-disk
 * structures live in cocoon_format.h so that tools can include them alone.
 *
 * src/cocoon.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef COCOON_H
#define COCOON_H

#include "postgres.h"

#include "access/tableam.h"
#include "executor/tuptable.h"
#include "lib/ilist.h"
#include "nodes/pg_list.h"
#include "storage/itemptr.h"
#include "access/htup_details.h"
#include "utils/rel.h"
#include "utils/snapshot.h"
#include "datatype/timestamp.h"

#include "cocoon_format.h"
#include "codec/codec.h"

/*
 * Row numbers and TIDs.  Row r of a table lives at TID
 * (r / COCOON_ROWS_PER_BLOCK, r % COCOON_ROWS_PER_BLOCK + 1), so that every
 * offset number is valid for bitmap heap scans (<= MaxHeapTuplesPerPage).
 */
#define COCOON_ROWS_PER_BLOCK	MaxHeapTuplesPerPage
#define COCOON_MAX_ROW			((uint64) (MaxBlockNumber) * COCOON_ROWS_PER_BLOCK - 1)

static inline void
cocoon_row_to_tid(uint64 row, ItemPointer tid)
{
	ItemPointerSet(tid, (BlockNumber) (row / COCOON_ROWS_PER_BLOCK),
				   (OffsetNumber) (row % COCOON_ROWS_PER_BLOCK + 1));
}

static inline uint64
cocoon_tid_to_row(ItemPointer tid)
{
	return (uint64) ItemPointerGetBlockNumberNoCheck(tid) * COCOON_ROWS_PER_BLOCK +
		ItemPointerGetOffsetNumberNoCheck(tid) - 1;
}

/* Partition key of rows whose time column is NULL or that have no time column */
#define COCOON_NO_PARTITION		PG_INT64_MIN

/* Effective per-table options (cocoon.c resolves GUC defaults + cocoon.options) */
typedef struct CocoonOptions
{
	CocoonCompression compression;
	int			compression_level;
	int			stripe_rows;
	int			chunk_rows;
	int64		partition_interval;	/* microseconds; 0 = no partitioning */
	AttrNumber	time_attno;		/* 0 = table has no time column */
	/*
	 * bloom_columns: when bloom_set, exactly the columns whose bit is set in
	 * bloom_cols (attnum - 1) get bloom filters; otherwise the text,
	 * varchar, uuid, jsonb, inet and cidr columns do.
	 */
	bool		bloom_set;
	uint8		bloom_cols[(MaxHeapAttributeNumber + 7) / 8];
} CocoonOptions;

/* does the table's bloom_columns option (or its default) include attnum? */
static inline bool
cocoon_bloom_column(const CocoonOptions *opts, AttrNumber attnum)
{
	if (!opts->bloom_set)
		return true;
	if (attnum < 1 || attnum > MaxHeapAttributeNumber)
		return false;
	return (opts->bloom_cols[(attnum - 1) / 8] & (1 << ((attnum - 1) % 8))) != 0;
}

/* cocoon.c */
extern int	cocoon_compression_guc;
extern int	cocoon_compression_level_guc;
extern int	cocoon_stripe_rows_guc;
extern int	cocoon_chunk_rows_guc;
extern char *cocoon_partition_interval_guc;
extern bool cocoon_skip_damaged_chunks;
extern bool cocoon_enable_custom_scan;
extern void cocoon_get_options(Relation rel, CocoonOptions *opts);
extern AttrNumber cocoon_time_column_named(Relation rel, const char *name);
extern void cocoon_check_time_column_change(Relation rel, AttrNumber new_attno);
extern Oid	cocoon_namespace_oid(void);
extern Oid	cocoon_relname_oid(const char *relname);
extern Oid	cocoon_am_oid(void);
extern bool cocoon_is_cocoon_rel(Relation rel);

/* storage.c */
extern void cocoon_storage_init(Relation rel);
extern bool cocoon_storage_exists(Relation rel);
extern uint64 cocoon_storage_id(Relation rel, bool create);
extern uint64 cocoon_storage_id_any_version(Relation rel);
extern uint64 cocoon_reserve_rows(Relation rel, uint64 count, uint64 extend_from,
								  bool *extended);
extern uint64 cocoon_reserve_bytes(Relation rel, uint64 len, uint64 *stripe_id);
extern void cocoon_storage_write(Relation rel, uint64 offset, const char *data, uint64 len);
/* stripes up to this many bytes are reserved and written in one WAL record */
#define COCOON_SMALL_WRITE	((uint64) COCOON_PAGE_DATA * 2)
extern uint64 cocoon_reserve_and_write(Relation rel, char *data, uint64 len,
									   void (*fill) (char *data, uint64 stripe_id, void *arg),
									   void *arg, uint64 *stripe_id);
extern void cocoon_storage_read(Relation rel, uint64 offset, char *data, uint64 len);
extern void cocoon_read_metapage(Relation rel, CocoonMetaPageData *meta);
extern uint64 cocoon_logical_size(Relation rel);
extern uint64 cocoon_free_ranges(Relation rel, CocoonFreeRange *ranges, int n, TimestampTz now);
extern void cocoon_set_last_compaction(Relation rel, TimestampTz now);
extern void cocoon_note_partition_interval(Relation rel, int64 interval, AttrNumber time_attno);
extern uint64 cocoon_take_free_range(Relation rel, uint64 len, uint64 below);

/* meta.c: the stripe directory (heap table cocoon.stripe) */
typedef struct StripeEntry
{
	uint64		stripe_id;
	uint64		first_row;
	uint64		row_count;
	uint64		data_offset;
	uint64		data_length;	/* 0 while the stripe is only reserved */
	int64		part_key;
	int64		min_ts;
	int64		max_ts;
	bool		has_ts;
	uint64		raw_bytes;
	ItemPointerData dir_tid;	/* TID of the directory row */
	TransactionId xmin;			/* transaction that inserted the rows */
} StripeEntry;

extern void cocoon_meta_insert_reserved(Relation rel, uint64 storage_id, StripeEntry *e);
extern void cocoon_meta_update_inplace(Relation rel, uint64 storage_id, StripeEntry *e);
extern List *cocoon_meta_stripes(uint64 storage_id, Snapshot snapshot, bool include_reserved);
extern bool cocoon_meta_find_row(uint64 storage_id, uint64 row, Snapshot snapshot,
								 StripeEntry *out, bool *reserved_only);
extern void cocoon_meta_delete_storage(uint64 storage_id);
extern uint64 cocoon_meta_bytes(uint64 storage_id);
extern void cocoon_meta_insert_deleted(uint64 storage_id, uint64 row, bool updated);
extern bool cocoon_meta_find_deleted(uint64 storage_id, uint64 row, Snapshot snapshot,
									 TransactionId *xmin, CommandId *cmin, bool *updated);
extern int	cocoon_meta_deleted_in_range(uint64 storage_id, uint64 lo, uint64 hi,
										 Snapshot snapshot, uint64 **rows);
extern uint64 cocoon_meta_count_deleted(uint64 storage_id, List *stripes, Snapshot snapshot);
extern void cocoon_meta_retire_stripe(uint64 storage_id, StripeEntry *e);
extern bool cocoon_meta_try_retire_stripe(uint64 storage_id, StripeEntry *e, bool wait);
extern List *cocoon_meta_stripes_in_rows(uint64 storage_id, Snapshot snapshot,
										 uint64 lo, uint64 hi, uint64 max_rows);
extern List *cocoon_meta_aborted_stripes(uint64 storage_id);
extern bool cocoon_meta_remove_aborted(StripeEntry *e);
extern bool cocoon_meta_prune_retired(uint64 storage_id, uint64 first_row);
extern void cocoon_meta_garbage_forget_bytes(Relation g, HeapTuple tup);
extern int	cocoon_meta_named_ranges(uint64 storage_id, CocoonFreeRange **out);
extern uint64 cocoon_meta_waiting_bytes(uint64 storage_id);

/* vacuum.c */
typedef struct CocoonCompactResult
{
	int64		stripes_before;
	int64		stripes_after;
	int64		rows_moved;
	int64		rows_dropped;
} CocoonCompactResult;

extern void cocoon_compact_rel(Relation rel, bool force, CocoonCompactResult *res);
extern void cocoon_reclaim(Relation rel, BufferAccessStrategy bstrategy);
extern void cocoon_note_deleted(Relation rel, uint64 storage_id, uint64 row);
extern void cocoon_retire_deleted_stripes(void);
extern void cocoon_forget_deleted(void);
extern int	cocoon_compaction_min_stripes;

/* write.c */
extern void cocoon_buffer_insert(Relation rel, TupleTableSlot **slots, int nslots,
								 CommandId cid, bool bulk);
extern void cocoon_flush_relation(Relation rel);
extern void cocoon_flush_all(void);
extern void cocoon_discard_all(void);
extern void cocoon_subxact_abort(SubTransactionId mysubid);
extern void cocoon_subxact_commit(SubTransactionId mysubid, SubTransactionId parentsubid);
extern void cocoon_discard_relfilenode(Oid relid, Oid relfilenode);
extern bool cocoon_has_pending(Relation rel);

/* A pinned view of a write buffer's rows, for reads of one's own writes */
typedef struct PendingRows
{
	struct WriteBuffer *buf;
	uint64		first_row;
	uint32		nrows;			/* rows visible to the pinning scan */
} PendingRows;

extern List *cocoon_pin_pending(Relation rel, Snapshot snapshot);
extern void cocoon_unpin_pending(List *pins);
extern bool cocoon_pending_row_visible(PendingRows *p, uint32 idx, Snapshot snapshot);
extern void cocoon_pending_fetch(PendingRows *p, uint32 idx, TupleTableSlot *slot,
								 Bitmapset *attrs);
extern bool cocoon_pending_find_row(Relation rel, uint64 row, Snapshot snapshot,
									TupleTableSlot *slot);
extern uint64 cocoon_pending_row_count(Relation rel);

/* read.c: stripe and chunk readers */
typedef struct StripeReader StripeReader;

extern StripeReader *cocoon_stripe_open(Relation rel, StripeEntry *e, MemoryContext cxt);
extern void cocoon_stripe_close(StripeReader *sr);
extern uint32 cocoon_stripe_nchunks(StripeReader *sr);
extern uint32 cocoon_stripe_chunk_rows(StripeReader *sr, uint32 chunk);
extern const CocoonStripeHeader *cocoon_stripe_header(StripeReader *sr);
extern const CocoonChunkDesc *cocoon_stripe_chunk_desc(StripeReader *sr, uint32 chunk, int attidx);
extern void cocoon_stripe_load_chunk(StripeReader *sr, uint32 chunk, Bitmapset *attrs);
extern void cocoon_stripe_set_needle(StripeReader *sr, int attidx, const char *needle, int len);
extern void cocoon_stripe_fill_slot(StripeReader *sr, uint32 row_in_chunk, TupleTableSlot *slot,
									Bitmapset *attrs);
extern bool cocoon_stripe_chunk_damaged(StripeReader *sr);
extern bool cocoon_stripe_column(StripeReader *sr, int attidx, Datum **values, bool **isnull);
extern bool cocoon_stripe_column_dict(StripeReader *sr, int attidx, const uint32 **codes,
									  const Datum **entries, uint32 *nentries);
extern Datum cocoon_stripe_value(StripeReader *sr, int attidx, uint32 row_in_chunk, bool *isnull);
extern uint64 cocoon_stripe_bytes_decompressed(StripeReader *sr);
extern bool cocoon_stripe_chunk_may_match_ts(StripeReader *sr, uint32 chunk, AttrNumber attno,
											 int64 lo, int64 hi);
extern Oid	cocoon_stripe_column_type(StripeReader *sr, int attidx);
extern bool cocoon_stripe_chunk_may_match_oid(StripeReader *sr, uint32 chunk, int attidx,
											  int64 lo, int64 hi);
extern bool cocoon_stripe_chunk_may_match_bytes(StripeReader *sr, uint32 chunk, int attidx,
												int strategy, const uint8 *key, size_t keylen);
extern bool cocoon_stripe_chunk_may_contain(StripeReader *sr, uint32 chunk, int attidx,
											const uint64 *hashes, int nhashes, bool all);
/* verification: returns problems as a list of char * */
extern List *cocoon_stripe_verify(Relation rel, StripeEntry *e, List **problems_cols,
								  List **problems_chunks);

/*
 * Cocoon's slots are virtual slots that also know the inserting transaction
 * of the row they hold (xmin), which foreign-key triggers ask for.
 */
typedef struct CocoonTupleTableSlot
{
	VirtualTupleTableSlot base;
	TransactionId xmin;
} CocoonTupleTableSlot;

extern TupleTableSlotOps TTSOpsCocoon;

static inline void
cocoon_slot_set_xmin(TupleTableSlot *slot, TransactionId xmin)
{
	if (slot->tts_ops == &TTSOpsCocoon)
		((CocoonTupleTableSlot *) slot)->xmin = xmin;
}

/* tableam.c */
extern void cocoon_slot_init_ops(void);
extern const TableAmRoutine *cocoon_tableam(void);
extern TM_Result cocoon_delete_row(Relation rel, ItemPointer tid, CommandId cid,
								   Snapshot snapshot, bool wait, TM_FailureData *tmfd,
								   bool updating);

/* scan.c */
extern void cocoon_scan_init(void);

/* Helpers shared by write.c and read.c: how a column is stored */
extern CocoonValueKind cocoon_value_kind(Form_pg_attribute att);

/*
 * write.c: numeric skip-index keys (COCOON_CHUNK_HAS_NMINMAX).  A numeric's
 * nearest float8 d (cocoon_numeric_to_double, takes a Numeric) has key_down
 * <= the numeric's key position <= key_up in cocoon_float_key order.
 */
struct NumericData;
extern double cocoon_numeric_to_double(struct NumericData *n);
extern int64 cocoon_numeric_key_down(double d);
extern int64 cocoon_numeric_key_up(double d);

/*
 * write.c: interval skip-index keys (COCOON_CHUNK_HAS_IMINMAX).  The span
 * interval_cmp orders by (months as 30 days, days as 24 hours, in
 * microseconds), exact in 128 bits and then the nearest float8; keyed with
 * cocoon_numeric_key_down/up like a numeric.  False if this build has no
 * 128-bit integers (no bounds then).
 */
extern bool cocoon_interval_span(const Interval *iv, double *span);

/*
 * write.c: inet/cidr skip-index keys (COCOON_CHUNK_HAS_AMINMAX): a double
 * that never decreases along network_cmp's order (family, then the address
 * masked to the value's own netmask; values that differ only in netmask or
 * host bits may share a key).  False for an unknown family or a build
 * without 128-bit integers.
 */
extern bool cocoon_inet_key(const void *inet_varlena, double *key);

/*
 * The keys every value inside the network (<< and <<=) has: from the
 * network's own key to that of its greatest address.
 */
extern bool cocoon_inet_subnet_keys(const void *inet_varlena, double *lo, double *hi);

#endif							/* COCOON_H */
