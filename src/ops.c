/*-------------------------------------------------------------------------
 *
 * ops.c
 *	  SQL-callable operations: stats, per-column stats, verify.
 *
 * Every function checks the caller's rights on the table it names the way
 * PostgreSQL's own commands do: reading statistics or verifying needs
 * SELECT on the table.
 *
 * src/ops.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/partition.h"
#include "catalog/pg_extension.h"
#include "catalog/indexing.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "access/genam.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/rls.h"
#include "utils/timestamp.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "cocoon.h"

/*
 * Open relid for reading after checking that it is a cocoon table and that
 * the user may SELECT from it.
 */
/*
 * A partition's rows may be read or deleted through its partitioned
 * ancestors as their privileges allow (partitions do not inherit grants).
 */
static bool
ancestor_allows(Oid relid, AclMode mode)
{
	ListCell   *lc;

	if (!get_rel_relispartition(relid))
		return false;
	foreach(lc, get_partition_ancestors(relid))
	{
		Oid			anc = lfirst_oid(lc);

		if (pg_class_aclcheck(anc, GetUserId(), mode) == ACLCHECK_OK)
		{
			/* and the ancestor's row-level security would not apply */
			if (check_enable_rls(anc, InvalidOid, true) == RLS_ENABLED)
				return false;
			return true;
		}
	}
	return false;
}

static Relation
open_cocoon_for_read(Oid relid)
{
	Relation	rel;
	AclResult	acl;

	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK && !ancestor_allows(relid, ACL_SELECT))
		aclcheck_error(acl, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));
	if (!cocoon_is_cocoon_rel(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a cocoon table", RelationGetRelationName(rel)),
				 errhint("Create it with CREATE TABLE ... USING cocoon, or convert it with ALTER TABLE ... SET ACCESS METHOD cocoon.")));
	return rel;
}

static List *
visible_stripes(Relation rel)
{
	if (!cocoon_storage_exists(rel))
		return NIL;
	return cocoon_meta_stripes(cocoon_storage_id(rel, false), GetActiveSnapshot(), false);
}

/*
 * cocoon.stats(regclass): one row describing the table.
 */
PG_FUNCTION_INFO_V1(cocoon_stats);
Datum
cocoon_stats(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_cocoon_for_read(relid);
	TupleDesc	tupdesc;
	Datum		values[15];
	bool		nulls[15];
	List	   *stripes = visible_stripes(rel);
	ListCell   *lc;
	uint64		rows = 0,
				chunks = 0,
				raw = 0,
				data = 0,
				meta_bytes = 0,
				dead = 0,
				free_bytes = 0,
				waiting = 0;
	uint64		stored;
	CocoonMetaPageData *meta = palloc0(sizeof(CocoonMetaPageData));
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "cocoon stats",
											  ALLOCSET_DEFAULT_SIZES);
	uint32		i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	foreach(lc, stripes)
	{
		StripeEntry *e = lfirst(lc);
		StripeReader *sr = cocoon_stripe_open(rel, e, cxt);

		rows += e->row_count;
		raw += e->raw_bytes;
		data += e->data_length;
		chunks += (uint64) cocoon_stripe_nchunks(sr) * cocoon_stripe_header(sr)->natts;
		cocoon_stripe_close(sr);
	}
	if (cocoon_storage_exists(rel))
	{
		uint64		sid = cocoon_storage_id(rel, false);

		meta_bytes = cocoon_meta_bytes(sid);
		dead = cocoon_meta_count_deleted(sid, stripes, GetActiveSnapshot());
		waiting = cocoon_meta_waiting_bytes(sid);
		cocoon_read_metapage(rel, meta);
		for (i = 0; i < meta->nfree && i < COCOON_MAX_FREE_RANGES; i++)
			free_bytes += meta->free[i].length;
	}
	stored = (uint64) RelationGetNumberOfBlocks(rel) * BLCKSZ + meta_bytes;

	memset(nulls, 0, sizeof(nulls));
	values[0] = Int64GetDatum((int64) (rows - Min(dead, rows)));
	values[1] = Int64GetDatum((int64) list_length(stripes));
	values[2] = Int64GetDatum((int64) chunks);
	values[3] = Int64GetDatum((int64) raw);
	values[4] = Int64GetDatum((int64) data);
	values[5] = Int64GetDatum((int64) meta_bytes);
	values[6] = Int64GetDatum((int64) stored);
	if (stored > 0)
		values[7] = Float8GetDatum((double) raw / (double) stored);
	else
		nulls[7] = true;
	values[8] = Int64GetDatum((int64) cocoon_pending_row_count(rel));
	values[9] = Int64GetDatum((int64) dead);
	/*
	 * free space not yet reused, stripes retired or rolled back that VACUUM
	 * will free, and the deleted rows' share of the data
	 */
	values[10] = Int64GetDatum((int64) (free_bytes + waiting +
										(rows > 0 ? (uint64) ((double) data * dead / rows) : 0)));
	values[11] = Int64GetDatum((int64) free_bytes);
	values[12] = Int64GetDatum((int64) meta->bytes_reclaimed);
	if (meta->last_compaction != 0)
		values[13] = TimestampTzGetDatum(meta->last_compaction);
	else
		nulls[13] = true;
	if (meta->last_vacuum != 0)
		values[14] = TimestampTzGetDatum(meta->last_vacuum);
	else
		nulls[14] = true;
	MemoryContextDelete(cxt);
	relation_close(rel, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * cocoon.column_stats(regclass): per column, the codecs in use and bytes.
 */
PG_FUNCTION_INFO_V1(cocoon_column_stats);
Datum
cocoon_column_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_cocoon_for_read(relid);
	TupleDesc	desc = RelationGetDescr(rel);
	int			natts = desc->natts;
	List	   *stripes = visible_stripes(rel);
	ListCell   *lc;
	uint64	   *nchunks = palloc0(sizeof(uint64) * natts);
	uint64	   *nulls_n = palloc0(sizeof(uint64) * natts);
	uint64	   *encoded = palloc0(sizeof(uint64) * natts);
	uint64	   *stored = palloc0(sizeof(uint64) * natts);
	uint64	  (*codecs)[16] = palloc0(sizeof(uint64[16]) * natts);
	uint64	  (*comps)[4] = palloc0(sizeof(uint64[4]) * natts);
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "cocoon stats",
											  ALLOCSET_DEFAULT_SIZES);
	int			a;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, stripes)
	{
		StripeReader *sr = cocoon_stripe_open(rel, lfirst(lc), cxt);
		uint32		c;

		for (c = 0; c < cocoon_stripe_nchunks(sr); c++)
			for (a = 0; a < natts; a++)
			{
				const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(sr, c, a);

				if (d == NULL)
					continue;
				nchunks[a]++;
				nulls_n[a] += d->nnulls;
				encoded[a] += d->raw_len;
				stored[a] += d->stored_len;
				codecs[a][d->codec & 15]++;
				comps[a][d->compression & 3]++;
			}
		cocoon_stripe_close(sr);
	}
	MemoryContextDelete(cxt);

	for (a = 0; a < natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		Datum		values[8];
		bool		isnull[8];
		StringInfoData codec_list;
		StringInfoData comp_list;
		int			k;

		if (att->attisdropped)
			continue;
		initStringInfo(&codec_list);
		initStringInfo(&comp_list);
		for (k = 0; k < 16; k++)
			if (codecs[a][k])
				appendStringInfo(&codec_list, "%s%s:%llu", codec_list.len ? " " : "",
								 cocoon_codec_name((CocoonCodecId) k),
								 (unsigned long long) codecs[a][k]);
		for (k = 0; k < 4; k++)
			if (comps[a][k])
				appendStringInfo(&comp_list, "%s%s:%llu", comp_list.len ? " " : "",
								 cocoon_compression_name((CocoonCompression) k),
								 (unsigned long long) comps[a][k]);
		memset(isnull, 0, sizeof(isnull));
		values[0] = Int16GetDatum(att->attnum);
		values[1] = CStringGetTextDatum(NameStr(att->attname));
		values[2] = CStringGetTextDatum(codec_list.data);
		values[3] = CStringGetTextDatum(comp_list.data);
		values[4] = Int64GetDatum((int64) nchunks[a]);
		values[5] = Int64GetDatum((int64) nulls_n[a]);
		values[6] = Int64GetDatum((int64) encoded[a]);
		values[7] = Int64GetDatum((int64) stored[a]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	}
	relation_close(rel, AccessShareLock);
	return (Datum) 0;
}

/*
 * cocoon.verify(regclass): one row per problem found.
 */
PG_FUNCTION_INFO_V1(cocoon_verify);
Datum
cocoon_verify(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_cocoon_for_read(relid);
	List	   *stripes;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	stripes = visible_stripes(rel);
	foreach(lc, stripes)
	{
		StripeEntry *e = lfirst(lc);
		List	   *cols;
		List	   *chunks;
		List	   *problems = cocoon_stripe_verify(rel, e, &cols, &chunks);
		int			i;

		for (i = 0; i < list_length(problems); i++)
		{
			Datum		values[4];
			bool		isnull[4];
			int			col = list_nth_int(cols, i);
			int			chunk = list_nth_int(chunks, i);

			memset(isnull, 0, sizeof(isnull));
			values[0] = Int64GetDatum((int64) e->stripe_id);
			if (col < 0)
				isnull[1] = true;
			else
				values[1] = Int32GetDatum(col);
			if (chunk < 0)
				isnull[2] = true;
			else
				values[2] = Int32GetDatum(chunk);
			values[3] = CStringGetTextDatum((char *) list_nth(problems, i));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
		}
	}
	relation_close(rel, AccessShareLock);
	return (Datum) 0;
}

/*
 * cocoon.drop_before(regclass, timestamptz): remove every row whose time
 * column is older than the cutoff.  Whole stripes older than the cutoff go
 * by deleting their directory rows (no data read); a stripe straddling the
 * cutoff gets delete records for its old rows.  Transactional; returns the
 * number of rows removed.
 */
PG_FUNCTION_INFO_V1(cocoon_drop_before);
Datum
cocoon_drop_before(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	TimestampTz cutoff = PG_GETARG_TIMESTAMPTZ(1);
	Relation	rel;
	AclResult	acl;
	CocoonOptions opts;
	List	   *stripes;
	ListCell   *lc;
	int64		removed = 0;
	uint64		storage_id;
	Snapshot	snapshot = GetActiveSnapshot();
	CommandId	cid = GetCurrentCommandId(true);
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "cocoon drop_before",
											  ALLOCSET_DEFAULT_SIZES);
	Relation	dir;

	/* serializes with other drop_before and compaction; inserts go on */
	rel = try_relation_open(relid, ShareUpdateExclusiveLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!cocoon_is_cocoon_rel(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a cocoon table", RelationGetRelationName(rel)),
				 errhint("For other tables use DELETE ... WHERE time_column < cutoff.")));
	acl = pg_class_aclcheck(relid, GetUserId(), ACL_DELETE);
	if (acl != ACLCHECK_OK && !pg_class_ownercheck(relid, GetUserId()) &&
		!ancestor_allows(relid, ACL_DELETE))
		aclcheck_error(acl, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cocoon.drop_before cannot apply the row-level security policies of \"%s\"",
						RelationGetRelationName(rel)),
				 errhint("Use DELETE FROM ... WHERE time_column < cutoff, which applies them.")));
	cocoon_get_options(rel, &opts);
	if (opts.time_attno == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cocoon table \"%s\" has no time column", RelationGetRelationName(rel)),
				 errhint("Set one with cocoon.set_options('%s', time_column => 'ts').",
						 RelationGetRelationName(rel))));

	storage_id = cocoon_storage_exists(rel) ? cocoon_storage_id(rel, false) : 0;
	stripes = cocoon_meta_stripes(storage_id, snapshot, false);
	dir = table_open(cocoon_relname_oid("stripe"), RowExclusiveLock);
	foreach(lc, stripes)
	{
		StripeEntry *e = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		/*
		 * A stripe without times (written while the time column was off,
		 * or holding NULL times only) is checked row by row.
		 */
		if (e->has_ts && e->min_ts >= cutoff)
			continue;
		if (e->has_ts && e->max_ts < cutoff)
		{
			/* the whole stripe: a metadata change */
			uint64	   *del;
			int			ndel = cocoon_meta_deleted_in_range(storage_id, e->first_row,
														   e->first_row + e->row_count,
														   snapshot, &del);

			/* a DELETE that emptied the stripe may have retired it already */
			if (cocoon_meta_try_retire_stripe(storage_id, e, true))
				removed += (int64) e->row_count - ndel;
		}
		else
		{
			/* straddling: delete its old rows one by one */
			StripeReader *sr = cocoon_stripe_open(rel, e, cxt);
			Bitmapset  *attrs = bms_make_singleton(opts.time_attno - 1);
			uint32		c;

			for (c = 0; c < cocoon_stripe_nchunks(sr); c++)
			{
				const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(sr, c, opts.time_attno - 1);
				uint32		r;

				if (d && (d->flags & COCOON_CHUNK_HAS_MINMAX) && d->min_value >= cutoff)
					continue;
				if (d && d->nnulls == d->nrows)
					continue;
				cocoon_stripe_load_chunk(sr, c, attrs);
				for (r = 0; d && r < d->nrows; r++)
				{
					bool		isnull;
					Datum		v = cocoon_stripe_value(sr, opts.time_attno - 1, r, &isnull);
					ItemPointerData tid;
					TM_FailureData tmfd;

					if (isnull || DatumGetTimestampTz(v) >= cutoff)
						continue;
					cocoon_row_to_tid(e->first_row + d->first + r, &tid);
					if (cocoon_meta_find_deleted(storage_id, e->first_row + d->first + r,
												 snapshot, NULL, NULL, NULL))
						continue;
					if (cocoon_delete_row(rel, &tid, cid, snapshot, true, &tmfd, false) == TM_Ok)
						removed++;
				}
			}
			cocoon_stripe_close(sr);
		}
	}
	table_close(dir, RowExclusiveLock);

	/* this transaction's own rows not yet written */
	{
		List	   *pins = cocoon_pin_pending(rel, snapshot);
		TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsVirtual);

		foreach(lc, pins)
		{
			PendingRows *p = lfirst(lc);
			uint32		r;

			for (r = 0; r < p->nrows; r++)
			{
				bool		isnull;
				Datum		v;
				TM_FailureData tmfd;

				if (!cocoon_pending_row_visible(p, r, snapshot))
					continue;
				cocoon_pending_fetch(p, r, slot, NULL);
				v = slot_getattr(slot, opts.time_attno, &isnull);
				if (isnull || DatumGetTimestampTz(v) >= cutoff)
					continue;
				if (cocoon_meta_find_deleted(storage_id, p->first_row + r, snapshot,
											 NULL, NULL, NULL))
					continue;
				if (cocoon_delete_row(rel, &slot->tts_tid, cid, snapshot, true, &tmfd,
									  false) == TM_Ok)
					removed++;
			}
		}
		ExecDropSingleTupleTableSlot(slot);
		cocoon_unpin_pending(pins);
	}

	MemoryContextDelete(cxt);
	relation_close(rel, NoLock);
	PG_RETURN_INT64(removed);
}

/*
 * cocoon.time_range(regclass): oldest and newest time and rows of the
 * visible stripes, from the directory alone.
 */
PG_FUNCTION_INFO_V1(cocoon_time_range);
Datum
cocoon_time_range(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_cocoon_for_read(relid);
	List	   *stripes = visible_stripes(rel);
	ListCell   *lc;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {true, true, false};
	int64		mn = PG_INT64_MAX,
				mx = PG_INT64_MIN,
				rows = 0;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	foreach(lc, stripes)
	{
		StripeEntry *e = lfirst(lc);

		rows += e->row_count;
		if (!e->has_ts)
			continue;
		mn = Min(mn, e->min_ts);
		mx = Max(mx, e->max_ts);
		nulls[0] = nulls[1] = false;
	}
	values[0] = TimestampTzGetDatum(mn);
	values[1] = TimestampTzGetDatum(mx);
	values[2] = Int64GetDatum(rows);
	relation_close(rel, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ------------------------------------------------------------------------
 * Writes to cocoon's own tables on behalf of a table's owner
 * ------------------------------------------------------------------------
 */

static Oid
extension_owner(void)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			owner = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("cocoon"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(owner))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"cocoon\" is not installed")));
	return owner;
}

static void
check_owner(Oid relid)
{
	char	   *name = get_rel_name(relid);

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, name);
}

/*
 * Run one fixed statement as the extension's owner (after the caller's
 * ownership of the table was checked).  Returns the first column of the
 * first row, if any.
 */
static Datum
run_as_extension_owner(const char *sql, int nargs, Oid *types, Datum *values,
					   const char *nulls, bool *isnull)
{
	Oid			save_userid;
	int			save_sec;
	Datum		result = (Datum) 0;
	int			rc;

	*isnull = true;
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(extension_owner(),
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	SPI_connect();
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 1);
	if (rc < 0)
		elog(ERROR, "cocoon: SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0 && SPI_tuptable != NULL)
	{
		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
		if (!*isnull)
			result = datumCopy(result, true, 8);
	}
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec);
	return result;
}

/*
 * The rules of cocoon.set_options for bloom_columns, for callers that come
 * to cocoon.write_options directly: a one-dimensional array of the names of
 * existing columns of types that get bloom filters.
 */
static void
check_bloom_columns(Oid relid, ArrayType *arr)
{
	Datum	   *names;
	bool	   *isnull;
	int			n,
				i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for cocoon option \"bloom_columns\": a one-dimensional array of column names is expected")));
	deconstruct_array(arr, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &names, &isnull, &n);
	for (i = 0; i < n; i++)
	{
		const char *name;
		AttrNumber	attno;
		Oid			base;

		if (isnull[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("invalid value for cocoon option \"bloom_columns\": a column name is NULL")));
		name = NameStr(*DatumGetName(names[i]));
		attno = get_attnum(relid, name);
		if (attno <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("invalid value for cocoon option \"bloom_columns\": column \"%s\" does not exist", name)));
		base = getBaseType(get_atttype(relid, attno));
		if (base != TEXTOID && base != VARCHAROID && base != UUIDOID && base != JSONBOID &&
			base != INETOID && base != CIDROID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("invalid value for cocoon option \"bloom_columns\": column \"%s\" is of type %s",
							name, format_type_be(get_atttype(relid, attno))),
					 errdetail("Bloom filters are built for columns of type text, varchar, uuid, jsonb, inet and cidr (and domains over them)."),
					 errhint("Other columns are skipped by their per-chunk min/max.")));
	}
}

PG_FUNCTION_INFO_V1(cocoon_write_options);
Datum
cocoon_write_options(PG_FUNCTION_ARGS)
{
	Oid			types[8] = {REGCLASSOID, TEXTOID, INT4OID, INT4OID, INT4OID, INTERVALOID, NAMEOID,
	NAMEARRAYOID};
	Datum		values[8];
	char		nulls[8];
	bool		isnull;
	int			i;
	/* the 0.1.0 SQL function has no bloom_columns (and its table no column) */
	int			nargs = Min(PG_NARGS(), 8);

	if (PG_ARGISNULL(0))
		PG_RETURN_VOID();
	check_owner(PG_GETARG_OID(0));
	/* the same rules as cocoon.set_options, for callers that come here directly */
	if (!PG_ARGISNULL(1))
	{
		char	   *c = TextDatumGetCString(PG_GETARG_DATUM(1));

		if (strcmp(c, "none") != 0 && strcmp(c, "lz4") != 0 && strcmp(c, "zstd") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for cocoon option \"compression\": \"%s\"", c),
					 errdetail("Allowed values are none, lz4 and zstd.")));
	}
	if (!PG_ARGISNULL(2) && (PG_GETARG_INT32(2) < 1 || PG_GETARG_INT32(2) > 19))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for cocoon option \"compression_level\": %d", PG_GETARG_INT32(2)),
				 errdetail("Allowed values are 1 to 19.")));
	if (!PG_ARGISNULL(3) && (PG_GETARG_INT32(3) < 1000 || PG_GETARG_INT32(3) > 10000000))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for cocoon option \"stripe_rows\": %d", PG_GETARG_INT32(3)),
				 errdetail("Allowed values are 1000 to 10000000.")));
	if (!PG_ARGISNULL(4) && (PG_GETARG_INT32(4) < 100 || PG_GETARG_INT32(4) > 1000000))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for cocoon option \"chunk_rows\": %d", PG_GETARG_INT32(4)),
				 errdetail("Allowed values are 100 to 1000000.")));
	if (!PG_ARGISNULL(5))
	{
		Interval   *iv = PG_GETARG_INTERVAL_P(5);

		if (iv->time < 0 || iv->day < 0 || iv->month < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for cocoon option \"partition_interval\""),
					 errdetail("The interval must be zero (no partitioning) or positive.")));
	}
	if (!PG_ARGISNULL(6) && NameStr(*PG_GETARG_NAME(6))[0] != '\0')
	{
		AttrNumber	attno = get_attnum(PG_GETARG_OID(0), NameStr(*PG_GETARG_NAME(6)));
		Oid			typ = attno > 0 ? get_atttype(PG_GETARG_OID(0), attno) : InvalidOid;

		if (typ != TIMESTAMPTZOID && typ != TIMESTAMPOID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for cocoon option \"time_column\": \"%s\"",
							NameStr(*PG_GETARG_NAME(6))),
					 errdetail("The time column must be a column of type timestamp with time zone or timestamp.")));
	}
	if (!PG_ARGISNULL(6))
	{
		/* writers wait, so none buffers rows under the old time column */
		Relation	rel = relation_open(PG_GETARG_OID(0), ShareRowExclusiveLock);

		if (cocoon_is_cocoon_rel(rel))
			cocoon_check_time_column_change(rel,
											cocoon_time_column_named(rel, NameStr(*PG_GETARG_NAME(6))));
		relation_close(rel, NoLock);
	}
	if (nargs >= 8 && !PG_ARGISNULL(7))
		check_bloom_columns(PG_GETARG_OID(0), PG_GETARG_ARRAYTYPE_P(7));
	for (i = 0; i < nargs; i++)
	{
		nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
		values[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
	}
	if (nargs >= 8)
		run_as_extension_owner(
							   "INSERT INTO cocoon.options AS o (relid, compression, compression_level, stripe_rows,"
							   " chunk_rows, partition_interval, time_column, bloom_columns)"
							   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
							   " ON CONFLICT (relid) DO UPDATE SET"
							   " compression = COALESCE(EXCLUDED.compression, o.compression),"
							   " compression_level = COALESCE(EXCLUDED.compression_level, o.compression_level),"
							   " stripe_rows = COALESCE(EXCLUDED.stripe_rows, o.stripe_rows),"
							   " chunk_rows = COALESCE(EXCLUDED.chunk_rows, o.chunk_rows),"
							   " partition_interval = COALESCE(EXCLUDED.partition_interval, o.partition_interval),"
							   " time_column = COALESCE(EXCLUDED.time_column, o.time_column),"
							   " bloom_columns = COALESCE(EXCLUDED.bloom_columns, o.bloom_columns)",
							   8, types, values, nulls, &isnull);
	else
		run_as_extension_owner(
							   "INSERT INTO cocoon.options AS o (relid, compression, compression_level, stripe_rows,"
							   " chunk_rows, partition_interval, time_column)"
							   " VALUES ($1, $2, $3, $4, $5, $6, $7)"
							   " ON CONFLICT (relid) DO UPDATE SET"
							   " compression = COALESCE(EXCLUDED.compression, o.compression),"
							   " compression_level = COALESCE(EXCLUDED.compression_level, o.compression_level),"
							   " stripe_rows = COALESCE(EXCLUDED.stripe_rows, o.stripe_rows),"
							   " chunk_rows = COALESCE(EXCLUDED.chunk_rows, o.chunk_rows),"
							   " partition_interval = COALESCE(EXCLUDED.partition_interval, o.partition_interval),"
							   " time_column = COALESCE(EXCLUDED.time_column, o.time_column)",
							   7, types, values, nulls, &isnull);
	/*
	 * Drop the table's cached options everywhere (cocoon.c).  The row
	 * trigger on cocoon.options does this too; this covers databases whose
	 * cocoon was installed before the trigger existed.
	 */
	CacheInvalidateRelcacheByRelid(PG_GETARG_OID(0));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(cocoon_delete_options);
Datum
cocoon_delete_options(PG_FUNCTION_ARGS)
{
	Oid			types[1] = {REGCLASSOID};
	Datum		values[1];
	bool		isnull;

	check_owner(PG_GETARG_OID(0));
	{
		Relation	rel = relation_open(PG_GETARG_OID(0), ShareRowExclusiveLock);

		if (cocoon_is_cocoon_rel(rel))
			cocoon_check_time_column_change(rel, cocoon_time_column_named(rel, NULL));
		relation_close(rel, NoLock);
	}
	values[0] = PG_GETARG_DATUM(0);
	run_as_extension_owner("DELETE FROM cocoon.options WHERE relid = $1",
						   1, types, values, " ", &isnull);
	CacheInvalidateRelcacheByRelid(PG_GETARG_OID(0));	/* as above */
	PG_RETURN_VOID();
}

/*
 * cocoon.schedule_retention(tbl, keep, schedule): the pg_cron job (run as
 * the table's owner) and the policy row; returns the job id.
 */
PG_FUNCTION_INFO_V1(cocoon_schedule_retention);
Datum
cocoon_schedule_retention(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Oid			types[3] = {REGCLASSOID, INTERVALOID, TEXTOID};
	Datum		values[3];
	bool		isnull;
	Datum		job;

	check_owner(relid);
	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	values[2] = PG_GETARG_DATUM(2);
	job = run_as_extension_owner(
								 "WITH old AS (SELECT p.jobid FROM cocoon.retention_policy p WHERE p.relid = $1),"
								 " un AS (SELECT cron.unschedule(old.jobid) FROM old WHERE old.jobid IS NOT NULL),"
								 " job AS (SELECT cron.schedule_in_database("
								 "   'cocoon retention ' || $1::pg_catalog.text, $3,"
								 "   pg_catalog.format('SELECT cocoon.drop_before(%L::pg_catalog.regclass, pg_catalog.now() - %L::pg_catalog.interval)',"
								 "                     $1::pg_catalog.text, $2::pg_catalog.text),"
								 "   pg_catalog.current_database(),"
								 "   (SELECT r.rolname::pg_catalog.text FROM pg_catalog.pg_class c"
								 "      JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.oid = $1),"
								 "   true) AS id FROM (SELECT count(*) FROM un) u)"
								 " INSERT INTO cocoon.retention_policy AS p (relid, keep, schedule, jobid)"
								 " SELECT $1, $2, $3, job.id FROM job"
								 " ON CONFLICT (relid) DO UPDATE SET keep = EXCLUDED.keep, schedule = EXCLUDED.schedule,"
								 "   jobid = EXCLUDED.jobid, created = pg_catalog.now()"
								 " RETURNING p.jobid",
								 3, types, values, "   ", &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(job);
}

PG_FUNCTION_INFO_V1(cocoon_unschedule_retention);
Datum
cocoon_unschedule_retention(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Oid			types[1] = {REGCLASSOID};
	Datum		values[1];
	bool		isnull;
	Datum		found;

	check_owner(relid);
	values[0] = PG_GETARG_DATUM(0);
	found = run_as_extension_owner(
								   "WITH d AS (DELETE FROM cocoon.retention_policy p WHERE p.relid = $1 RETURNING p.jobid)"
								   " SELECT count(*) > 0 FROM d LEFT JOIN LATERAL"
								   "   (SELECT cron.unschedule(d.jobid) WHERE d.jobid IS NOT NULL) u ON true",
								   1, types, values, " ", &isnull);
	PG_RETURN_BOOL(!isnull && DatumGetBool(found));
}
