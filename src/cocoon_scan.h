/*-------------------------------------------------------------------------
 *
 * cocoon_scan.h
 *	  What the CocoonScan node tells a cocoon table scan, and what it
 *	  learns back: projected columns, time bounds, skip counters.
 *
 * src/cocoon_scan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef COCOON_SCAN_H
#define COCOON_SCAN_H

#include "access/relscan.h"
#include "executor/tuptable.h"
#include "utils/snapshot.h"
#include "nodes/bitmapset.h"

typedef struct CocoonScanBounds
{
	bool		has_ts;			/* ts_lo..ts_hi (inclusive) bound ts_attno */
	AttrNumber	ts_attno;
	int64		ts_lo;
	int64		ts_hi;
} CocoonScanBounds;

/* A per-chunk skip test on one column */
typedef enum CocoonProbeKind
{
	PROBE_BLOOM_ANY = 1,		/* one of the value hashes must be present */
	PROBE_BLOOM_ALL = 2,		/* all the hashes (trigrams) must be present */
	PROBE_RANGE = 3,			/* int-kind column's [min,max] must meet [lo,hi] */
	PROBE_FRANGE = 4,			/* float column: the same on cocoon_float_key */
	PROBE_BYTES = 5,			/* text (C collation) / uuid: "column strategy
								 * key" against the chunk's bytewise bounds */
	PROBE_NRANGE = 6,			/* numeric: [min,max] keys (COCOON_CHUNK_HAS_NMINMAX)
								 * must meet [lo,hi] */
	PROBE_URANGE = 7,			/* oid: [lo,hi] within [0, 2^32 - 1] must meet the
								 * values the signed int32 min/max stand for */
	PROBE_ERANGE = 8,			/* enum: "column strategy lo" (lo a label OID)
								 * against COCOON_CHUNK_HAS_EMINMAX bounds,
								 * compared in the enum's sort order */
	PROBE_IRANGE = 9,			/* interval: [min,max] span keys
								 * (COCOON_CHUNK_HAS_IMINMAX) must meet [lo,hi] */
	PROBE_ARANGE = 10			/* inet/cidr: [min,max] address keys
								 * (COCOON_CHUNK_HAS_AMINMAX) must meet [lo,hi] */
} CocoonProbeKind;

typedef struct CocoonProbe
{
	int			attidx;			/* 0-based */
	CocoonProbeKind kind;
	uint64	   *hashes;
	int			nhashes;
	int64		lo;
	int64		hi;
	/* row-level prefilter (a necessary condition of the qual) */
	Datum	   *vals;			/* = / IN: values compared bytewise */
	int			nvals;
	int16		vlen;			/* their typlen: -1 (text) or 16 (uuid) */
	bool		vals_rtrim;		/* bpchar: vals have no trailing blanks, and
								 * a row's are ignored */
	bool		bpchar;			/* bpchar probe: bounds only of stripes written
								 * as bpchar, never the bloom filter */
	char	   *substr;			/* LIKE: a literal every match contains */
	int			substr_len;
	bool		substr_jsonb;	/* substr is a jsonb ? / @> literal: values
								 * stored without it need not be decoded */
	/* PROBE_BYTES */
	int			strategy;		/* btree strategy, column on the left, or
								 * COCOON_BOUND_PREFIX (LIKE 'key%') */
	uint8	   *key;			/* the value's bytes (text: without header) */
	size_t		keylen;
	/* PROBE_ERANGE */
	Oid			enumtype;		/* the enum type (base type of the column) */
} CocoonProbe;

typedef struct CocoonScanStats
{
	uint64		stripes_total;
	uint64		stripes_skipped_time;
	uint64		stripes_read;
	uint64		chunks_skipped;
	uint64		chunks_skipped_bloom;
	uint64		chunks_skipped_filter;	/* no row passed the quals' columns */
	uint64		bytes_decompressed;
	uint64		stripes_skipped_topn;	/* below the k-th best row returned */
	uint64		chunks_skipped_topn;
	uint64		rows_skipped_topn;
	uint64		rows_prefiltered;	/* rejected by probes before the quals ran */
} CocoonScanStats;

extern void cocoon_scan_set_attrs(TableScanDesc scan, Bitmapset *attrs);
extern void cocoon_scan_set_bounds(TableScanDesc scan, const CocoonScanBounds *bounds);
extern void cocoon_scan_set_probes(TableScanDesc scan, List *probes);
extern void cocoon_scan_set_topn(TableScanDesc scan, AttrNumber ts_attno, bool desc,
								 bool nulls_first, int k);

/* Late materialisation: a row filter evaluated on filter_attrs first */
typedef bool (*CocoonRowFilter) (void *arg, TupleTableSlot *slot);
extern void cocoon_scan_set_filter(TableScanDesc scan, Bitmapset *filter_attrs,
								   CocoonRowFilter fn, void *arg);
extern void cocoon_scan_get_stats(TableScanDesc scan, CocoonScanStats *out);

/* A chunk group's passing rows, for aggregation without slots */
typedef struct CocoonBatch
{
	struct StripeReader *sr;	/* its columns (cocoon_stripe_column) */
	const uint32 *rows;			/* row indexes within the chunk; NULL: 0..nrows-1 */
	uint32		nrows;
	bool		from_slot;		/* one pending row, in the slot instead */
	uint32		chunk;			/* its chunk group in the stripe */
} CocoonBatch;

extern bool cocoon_scan_next_batch(TableScanDesc scan, TupleTableSlot *slot, CocoonBatch *b);
extern void cocoon_scan_set_lazy(TableScanDesc scan);
extern bool cocoon_scan_batch_load(TableScanDesc scan, Bitmapset *attrs);

/* agg.c: aggregates over decoded column arrays */
typedef enum CocoonAggKind
{
	CAGG_COUNT_STAR = 1,
	CAGG_COUNT,
	CAGG_SUM_INT,				/* int2, int4 -> int8 */
	CAGG_SUM_INT8,				/* -> numeric */
	CAGG_SUM_FLOAT4,
	CAGG_SUM_FLOAT8,
	CAGG_AVG_INT,				/* int2, int4, int8 -> numeric */
	CAGG_AVG_FLOAT,				/* float4, float8 -> float8 */
	CAGG_MIN,
	CAGG_MAX,
	CAGG_PCT_CONT				/* percentile_cont(f) WITHIN GROUP (ORDER BY float8) */
} CocoonAggKind;

typedef struct CocoonAggAcc
{
	int			kind;			/* CocoonAggKind */
	int			attidx;			/* 0-based argument column; -1 for count(*) */
	Oid			type;			/* argument type */
	bool		is_float;
	int64		count;			/* non-NULL inputs (rows for count(*)) */
	int128		isum;
	float8		fsum;
	float4		f4sum;
	float8		N,
				Sx,
				Sxx;			/* float8_accum's state */
	Datum		best;			/* min/max */
	float8		fraction;		/* percentile_cont: the fraction ... */
	bool		fraction_null;	/* ... or NULL */
	float8	   *vals;			/* ... and the values, in vals_cxt */
	int64		nvals;
	int64		capvals;
	MemoryContext vals_cxt;
} CocoonAggAcc;

extern int	cocoon_agg_kind(Oid aggfnoid);
extern void cocoon_agg_init(CocoonAggAcc *a, int kind, int attidx, Oid type);
extern void cocoon_agg_add_batch(CocoonAggAcc *a, const Datum *values, const bool *isnull,
								 const uint32 *rows, uint32 n);
extern void cocoon_agg_add(CocoonAggAcc *a, Datum d, bool isnull);
extern void cocoon_agg_add_value(CocoonAggAcc *a, Datum d, bool isnull, uint64 times);
extern Datum cocoon_agg_result(CocoonAggAcc *a, bool *isnull);

/* meta.c */
extern List *cocoon_meta_stripes_in_range(uint64 storage_id, Snapshot snapshot,
										  int64 lo, int64 hi, uint64 *total,
										  int64 max_interval);

#endif							/* COCOON_SCAN_H */
