/*-------------------------------------------------------------------------
 *
 * cocoon.c
 *	  Module magic, settings, per-table options and transaction hooks.
 *
 * Nothing here needs shared_preload_libraries: the module is loaded when a
 * cocoon table is first opened in a backend (its handler lives here), and a
 * ddl_command_start event trigger on DROP commands loads it before a drop so
 * that the object-access hook can remove the dropped table's directory rows.
 *
 * src/cocoon.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "cocoon.h"

PG_MODULE_MAGIC;

int			cocoon_compression_guc = COMPRESSION_ZSTD;
int			cocoon_compression_level_guc = 3;
int			cocoon_stripe_rows_guc = 150000;
int			cocoon_chunk_rows_guc = 10000;
char	   *cocoon_partition_interval_guc = NULL;
bool		cocoon_skip_damaged_chunks = false;
bool		cocoon_enable_custom_scan = true;

static const struct config_enum_entry compression_options[] = {
	{"none", COMPRESSION_NONE, false},
	{"lz4", COMPRESSION_LZ4, false},
	{"zstd", COMPRESSION_ZSTD, false},
	{NULL, 0, false}
};

static object_access_hook_type prev_object_access_hook = NULL;

void		_PG_init(void);

/* ------------------------------------------------------------------------
 * Catalog helpers
 * ------------------------------------------------------------------------
 */
Oid
cocoon_namespace_oid(void)
{
	return get_namespace_oid("cocoon", true);
}

/*
 * The OIDs of cocoon's own catalog relations, by name.  Every single-row
 * INSERT looks up a few of them; two syscache probes each add up.  Only
 * found OIDs are remembered, and all are forgotten when any of them is
 * invalidated (dropped, renamed: the extension dropped or reinstalled), on
 * a relcache reset, and when a schema changes.
 */
#define CATALOG_OID_CACHE_SIZE 16
typedef struct CatalogOidEntry
{
	char		name[NAMEDATALEN];
	Oid			oid;
} CatalogOidEntry;
static CatalogOidEntry catalog_oids[CATALOG_OID_CACHE_SIZE];
static int	n_catalog_oids = 0;

static void
catalog_oids_relcache_inval(Datum arg, Oid relid)
{
	int			i;

	if (!OidIsValid(relid))
	{
		n_catalog_oids = 0;
		return;
	}
	for (i = 0; i < n_catalog_oids; i++)
		if (catalog_oids[i].oid == relid)
		{
			n_catalog_oids = 0;
			return;
		}
}

static void
catalog_oids_syscache_inval(Datum arg, int cacheid, uint32 hashvalue)
{
	n_catalog_oids = 0;
}

static Oid
cocoon_relname_oid_missing_ok(const char *relname)
{
	Oid			nsp;
	Oid			relid;
	int			i;

	for (i = 0; i < n_catalog_oids; i++)
		if (strcmp(catalog_oids[i].name, relname) == 0)
			return catalog_oids[i].oid;
	nsp = cocoon_namespace_oid();
	if (!OidIsValid(nsp))
		return InvalidOid;
	relid = get_relname_relid(relname, nsp);
	if (OidIsValid(relid) && n_catalog_oids < CATALOG_OID_CACHE_SIZE &&
		strlen(relname) < NAMEDATALEN)
	{
		strlcpy(catalog_oids[n_catalog_oids].name, relname, NAMEDATALEN);
		catalog_oids[n_catalog_oids].oid = relid;
		n_catalog_oids++;
	}
	return relid;
}

Oid
cocoon_relname_oid(const char *relname)
{
	Oid			relid = cocoon_relname_oid_missing_ok(relname);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("cocoon catalog relation \"cocoon.%s\" does not exist", relname),
				 errhint("Run CREATE EXTENSION cocoon in this database.")));
	return relid;
}

Oid
cocoon_am_oid(void)
{
	return get_am_oid("cocoon", true);
}

bool
cocoon_is_cocoon_rel(Relation rel)
{
	return rel->rd_tableam == cocoon_tableam();
}

/* ------------------------------------------------------------------------
 * Settings
 * ------------------------------------------------------------------------
 */
static int64
interval_to_usecs(Interval *iv)
{
	return iv->time + (int64) iv->day * USECS_PER_DAY +
		(int64) iv->month * DAYS_PER_MONTH * USECS_PER_DAY;
}

static bool
check_partition_interval(char **newval, void **extra, GucSource source)
{
	Interval   *volatile iv = NULL;

	if (*newval == NULL)
		return true;
	PG_TRY();
	{
		iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
												   CStringGetDatum(*newval),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
	}
	PG_CATCH();
	{
		FlushErrorState();
		GUC_check_errdetail("\"%s\" is not an interval.", *newval);
		return false;
	}
	PG_END_TRY();
	if (interval_to_usecs(iv) < 0)
	{
		GUC_check_errdetail("The interval must not be negative.");
		return false;
	}
	return true;
}

static int64
parse_interval_usecs(const char *s)
{
	Interval   *iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
														   CStringGetDatum(s),
														   ObjectIdGetDatum(InvalidOid),
														   Int32GetDatum(-1)));

	return interval_to_usecs(iv);
}

/* The first timestamp column other than skip (0: none skipped), or 0 */
static AttrNumber
first_time_column(TupleDesc desc, AttrNumber skip)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attnum == skip)
			continue;
		if (att->atttypid == TIMESTAMPTZOID || att->atttypid == TIMESTAMPOID)
			return att->attnum;
	}
	return 0;
}

/*
 * The time column an option value names: NULL for the default (the first
 * timestamp column), '' for none.
 */
AttrNumber
cocoon_time_column_named(Relation rel, const char *name)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	if (name == NULL)
		return first_time_column(desc, 0);
	for (i = 0; i < desc->natts && name[0] != '\0'; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0 &&
			(att->atttypid == TIMESTAMPTZOID || att->atttypid == TIMESTAMPOID))
			return att->attnum;
	}
	return 0;
}

/*
 * The stripe directory's partition keys and time ranges, which time pruning,
 * top-N pruning and drop_before trust, describe the time column the rows
 * were written with.  So while the table holds rows the time column cannot
 * become another column; it can be turned off (nothing is pruned by time
 * then).  ALTER TABLE rewrites start a new storage and may change it.
 */
void
cocoon_check_time_column_change(Relation rel, AttrNumber new_attno)
{
	CocoonMetaPageData meta;
	TupleDesc	desc = RelationGetDescr(rel);
	AttrNumber	old;

	/* stripes written without a time column suit any (see meta.c) */
	if (new_attno == 0 || !cocoon_storage_exists(rel))
		return;
	cocoon_read_metapage(rel, &meta);
	old = meta.time_attno;
	if (old == 0 || old == new_attno || meta.next_row == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot change the time column of cocoon table \"%s\" while it holds rows",
					RelationGetRelationName(rel)),
			 (old <= desc->natts && !TupleDescAttr(desc, old - 1)->attisdropped) ?
			 errdetail("Its stripes are partitioned and pruned by column \"%s\".",
					   NameStr(TupleDescAttr(desc, old - 1)->attname)) :
			 errdetail("Its stripes are partitioned and pruned by a column since dropped."),
			 errhint("TRUNCATE it first, or copy its rows into a new table: CREATE TABLE new (LIKE \"%s\") USING cocoon, set its options, then INSERT INTO new SELECT * FROM \"%s\".",
					 RelationGetRelationName(rel), RelationGetRelationName(rel))));
}

/*
 * Per-table options are cached per backend: a table's row in cocoon.options
 * (each setting, or "not set") and the time column it resolves to.  An entry
 * goes when the table's relcache entry is invalidated: cocoon.write_options
 * and cocoon.delete_options send that invalidation, and so does any ALTER
 * TABLE that could move the time column.  The GUC defaults are applied on
 * every lookup, so SET takes effect at once.
 */
typedef struct OptionsCacheEntry
{
	Oid			relid;			/* hash key */
	CocoonOptions set;			/* values from cocoon.options */
	bool		has_compression;
	bool		has_compression_level;
	bool		has_stripe_rows;
	bool		has_chunk_rows;
	bool		has_partition_interval;
	AttrNumber	time_attno;		/* resolved */
	bool		bloom_set;		/* bloom_columns given (resolved into set) */
} OptionsCacheEntry;

static HTAB *options_cache = NULL;

/* the partition_interval GUC, parsed once per value */
static char *parsed_interval_guc = NULL;
static int64 parsed_interval_usecs = 0;

static void
options_cache_invalidate(Datum arg, Oid relid)
{
	if (options_cache == NULL)
		return;
	if (OidIsValid(relid))
		hash_search(options_cache, &relid, HASH_REMOVE, NULL);
	else
	{
		HASH_SEQ_STATUS status;
		OptionsCacheEntry *e;

		hash_seq_init(&status, options_cache);
		while ((e = hash_seq_search(&status)) != NULL)
			hash_search(options_cache, &e->relid, HASH_REMOVE, NULL);
	}
}

static int64
default_partition_interval(void)
{
	if (cocoon_partition_interval_guc == NULL)
		return USECS_PER_DAY;
	if (parsed_interval_guc == NULL ||
		strcmp(parsed_interval_guc, cocoon_partition_interval_guc) != 0)
	{
		int64		usecs = parse_interval_usecs(cocoon_partition_interval_guc);

		if (parsed_interval_guc)
			pfree(parsed_interval_guc);
		parsed_interval_guc = MemoryContextStrdup(TopMemoryContext,
												  cocoon_partition_interval_guc);
		parsed_interval_usecs = usecs;
	}
	return parsed_interval_usecs;
}

static void read_table_options(Relation rel, OptionsCacheEntry *e);

/*
 * Resolve the options in force for rel: the GUC defaults, overridden by the
 * table's row in cocoon.options.
 */
void
cocoon_get_options(Relation rel, CocoonOptions *opts)
{
	Oid			relid = RelationGetRelid(rel);
	OptionsCacheEntry *e;
	bool		found;

	if (options_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(OptionsCacheEntry);
		options_cache = hash_create("cocoon options cache", 64, &ctl,
									HASH_ELEM | HASH_BLOBS);
	}
	e = hash_search(options_cache, &relid, HASH_FIND, &found);
	if (e == NULL)
	{
		OptionsCacheEntry tmp;

		/* read first: an error must not leave a half-filled entry behind */
		memset(&tmp, 0, sizeof(tmp));
		tmp.relid = relid;
		read_table_options(rel, &tmp);
		e = hash_search(options_cache, &relid, HASH_ENTER, &found);
		*e = tmp;
	}

	opts->compression = e->has_compression ? e->set.compression :
		(CocoonCompression) cocoon_compression_guc;
	opts->compression_level = e->has_compression_level ? e->set.compression_level :
		cocoon_compression_level_guc;
	opts->stripe_rows = e->has_stripe_rows ? e->set.stripe_rows : cocoon_stripe_rows_guc;
	opts->chunk_rows = e->has_chunk_rows ? e->set.chunk_rows : cocoon_chunk_rows_guc;
	opts->partition_interval = e->has_partition_interval ? e->set.partition_interval :
		default_partition_interval();
	opts->time_attno = e->time_attno;
	opts->bloom_set = e->bloom_set;
	if (e->bloom_set)
		memcpy(opts->bloom_cols, e->set.bloom_cols, sizeof(opts->bloom_cols));

	if (opts->chunk_rows > opts->stripe_rows)
		opts->chunk_rows = opts->stripe_rows;
}

/* Read rel's row of cocoon.options into e. */
static void
read_table_options(Relation rel, OptionsCacheEntry *e)
{
	Oid			optrel = cocoon_relname_oid_missing_ok("options");
	char	   *time_column = NULL;
	bool		time_column_set = false;
	Datum	   *bloom_names = NULL;
	int			nbloom = 0;
	CocoonOptions *opts = &e->set;

	if (OidIsValid(optrel))
	{
		Relation	r = table_open(optrel, AccessShareLock);
		SysScanDesc scan;
		ScanKeyData key;
		HeapTuple	tup;

		ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(RelationGetRelid(rel)));
		scan = systable_beginscan(r, cocoon_relname_oid("options_pkey"), true,
								  NULL, 1, &key);
		tup = systable_getnext(scan);
		if (HeapTupleIsValid(tup))
		{
			/* 7 columns before 0.2.0 added bloom_columns */
			Datum		values[8];
			bool		nulls[8];
			int			natts = RelationGetDescr(r)->natts;

			if (natts > 8)
				elog(ERROR, "cocoon.options has %d columns, this build knows 8", natts);
			heap_deform_tuple(tup, RelationGetDescr(r), values, nulls);
			if (natts < 8)
				nulls[7] = true;
			if (!nulls[1])
			{
				char	   *c = TextDatumGetCString(values[1]);

				e->has_compression = true;
				if (strcmp(c, "none") == 0)
					opts->compression = COMPRESSION_NONE;
				else if (strcmp(c, "lz4") == 0)
					opts->compression = COMPRESSION_LZ4;
				else if (strcmp(c, "zstd") == 0)
					opts->compression = COMPRESSION_ZSTD;
				else
					e->has_compression = false;
			}
			if (!nulls[2])
			{
				opts->compression_level = DatumGetInt32(values[2]);
				e->has_compression_level = true;
			}
			if (!nulls[3])
			{
				opts->stripe_rows = DatumGetInt32(values[3]);
				e->has_stripe_rows = true;
			}
			if (!nulls[4])
			{
				opts->chunk_rows = DatumGetInt32(values[4]);
				e->has_chunk_rows = true;
			}
			if (!nulls[5])
			{
				opts->partition_interval = interval_to_usecs(DatumGetIntervalP(values[5]));
				e->has_partition_interval = true;
			}
			if (!nulls[6])
			{
				time_column = pstrdup(NameStr(*DatumGetName(values[6])));
				time_column_set = true;
			}
			if (!nulls[7])
			{
				deconstruct_array(DatumGetArrayTypeP(values[7]), NAMEOID, NAMEDATALEN,
								  false, TYPALIGN_CHAR, &bloom_names, NULL, &nbloom);
				e->bloom_set = true;
			}
		}
		systable_endscan(scan);
		table_close(r, AccessShareLock);
	}

	/*
	 * bloom_columns names columns; a name that matches no column any more
	 * (dropped, renamed) or a column of a type without filters is left out.
	 */
	memset(opts->bloom_cols, 0, sizeof(opts->bloom_cols));
	if (e->bloom_set)
	{
		TupleDesc	desc = RelationGetDescr(rel);
		int			i,
					k;

		for (k = 0; k < nbloom; k++)
		{
			const char *name = NameStr(*DatumGetName(bloom_names[k]));

			for (i = 0; i < desc->natts; i++)
			{
				Form_pg_attribute att = TupleDescAttr(desc, i);

				if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
					opts->bloom_cols[i / 8] |= (uint8) (1 << (i % 8));
			}
		}
	}

	e->time_attno = 0;
	if (time_column_set)
	{
		TupleDesc	desc = RelationGetDescr(rel);
		int			i;

		/* '' means: no time column */
		for (i = 0; i < desc->natts && time_column[0] != '\0'; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), time_column) == 0 &&
				(att->atttypid == TIMESTAMPTZOID || att->atttypid == TIMESTAMPOID))
				e->time_attno = att->attnum;
		}
	}
	else
		e->time_attno = first_time_column(RelationGetDescr(rel), 0);
}

/* ------------------------------------------------------------------------
 * Transaction hooks
 * ------------------------------------------------------------------------
 */
static void
cocoon_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			cocoon_flush_all();
			cocoon_retire_deleted_stripes();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			cocoon_discard_all();
			cocoon_forget_deleted();
			break;
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			break;
	}
}

static void
cocoon_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	switch (event)
	{
		case SUBXACT_EVENT_ABORT_SUB:
			cocoon_subxact_abort(mySubid);
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
			cocoon_subxact_commit(mySubid, parentSubid);
			break;
		default:
			break;
	}
}

/* Is relation objectId a cocoon table (or matview) of an installed extension? */
static bool
is_cocoon_table_oid(Oid objectId)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(objectId));
	Oid			am = cocoon_am_oid();
	bool		ours = false;

	if (HeapTupleIsValid(tup))
	{
		Form_pg_class cls = (Form_pg_class) GETSTRUCT(tup);

		ours = OidIsValid(am) && cls->relam == am &&
			(cls->relkind == RELKIND_RELATION || cls->relkind == RELKIND_MATVIEW);
		ReleaseSysCache(tup);
	}
	return ours && OidIsValid(cocoon_relname_oid_missing_ok("stripe"));
}

/*
 * Dropping a cocoon table removes its directory rows and options in the
 * same transaction.
 */
static void
cocoon_object_access(ObjectAccessType access, Oid classId, Oid objectId,
					 int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);

	/* ALTER TABLE ... DROP COLUMN of the time column */
	if (access == OAT_DROP && classId == RelationRelationId && subId > 0)
	{
		if (is_cocoon_table_oid(objectId))
		{
			Relation	rel = relation_open(objectId, AccessShareLock);
			CocoonOptions opts;

			cocoon_get_options(rel, &opts);
			if (opts.time_attno == subId)
			{
				/* the next timestamp column would take over (by default) */
				cocoon_check_time_column_change(rel,
												first_time_column(RelationGetDescr(rel), subId));
			}
			relation_close(rel, AccessShareLock);
		}
	}
	if (access == OAT_DROP && classId == RelationRelationId && subId == 0)
	{
		if (is_cocoon_table_oid(objectId))
		{
			Relation	rel = relation_open(objectId, AccessExclusiveLock);
			Oid			optrel = cocoon_relname_oid_missing_ok("options");

			if (cocoon_storage_exists(rel))
				cocoon_meta_delete_storage(cocoon_storage_id_any_version(rel));
			cocoon_discard_relfilenode(objectId, rel->rd_node.relNode);
			relation_close(rel, NoLock);

			if (OidIsValid(optrel))
			{
				Relation	r = table_open(optrel, RowExclusiveLock);
				SysScanDesc scan;
				ScanKeyData key;
				HeapTuple	otup;

				ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ,
							ObjectIdGetDatum(objectId));
				scan = systable_beginscan(r, cocoon_relname_oid("options_pkey"), true,
										  NULL, 1, &key);
				while (HeapTupleIsValid(otup = systable_getnext(scan)))
					CatalogTupleDelete(r, &otup->t_self);
				systable_endscan(scan);
				table_close(r, RowExclusiveLock);
			}
		}
	}
}

/* ------------------------------------------------------------------------
 * SQL-callable entry points
 * ------------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(cocoon_tableam_handler);
Datum
cocoon_tableam_handler(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(cocoon_tableam());
}

/*
 * Event trigger function on DROP commands: calling it loads this module,
 * which installs the object-access hook before the drop happens.
 */
PG_FUNCTION_INFO_V1(cocoon_load_drop_hook);
Datum
cocoon_load_drop_hook(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("cocoon.load_drop_hook() must be called as an event trigger")));
	PG_RETURN_VOID();
}

/*
 * Row trigger on cocoon.options: the table named by the old and the new row
 * gets a relcache invalidation, which drops its cached options everywhere.
 */
PG_FUNCTION_INFO_V1(cocoon_options_changed);
Datum
cocoon_options_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tups[2];
	int			i;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("cocoon.options_changed() must be called as a row trigger")));
	tups[0] = trigdata->tg_trigtuple;
	tups[1] = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : NULL;
	for (i = 0; i < 2; i++)
	{
		bool		isnull;
		Datum		d;

		if (tups[i] == NULL)
			continue;
		d = heap_getattr(tups[i], 1, RelationGetDescr(trigdata->tg_relation), &isnull);
		if (!isnull &&
			SearchSysCacheExists1(RELOID, ObjectIdGetDatum(DatumGetObjectId(d))))
			CacheInvalidateRelcacheByRelid(DatumGetObjectId(d));
	}
	return PointerGetDatum(NULL);
}

void
_PG_init(void)
{
	DefineCustomEnumVariable("cocoon.compression",
							 "Compression of newly written chunks.",
							 "Per-table setting: cocoon.set_options(..., compression => ...).",
							 &cocoon_compression_guc, COMPRESSION_ZSTD,
							 compression_options, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("cocoon.compression_level",
							"zstd level of newly written chunks.",
							NULL, &cocoon_compression_level_guc, 3, 1, 19,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("cocoon.stripe_rows",
							"Rows per stripe of newly written stripes.",
							NULL, &cocoon_stripe_rows_guc, 150000, 1000, 10000000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("cocoon.chunk_rows",
							"Rows per column chunk of newly written stripes.",
							NULL, &cocoon_chunk_rows_guc, 10000, 100, 1000000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("cocoon.partition_interval",
							   "Width of the time partitions a stripe never straddles.",
							   "0 turns time partitioning off.",
							   &cocoon_partition_interval_guc, "1 day",
							   PGC_USERSET, 0, check_partition_interval, NULL, NULL);
	DefineCustomBoolVariable("cocoon.skip_damaged_chunks",
							 "Skip damaged chunks with a WARNING instead of failing the query.",
							 NULL, &cocoon_skip_damaged_chunks, false,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("cocoon.enable_custom_scan",
							 "Let the planner use CocoonScan for cocoon tables.",
							 NULL, &cocoon_enable_custom_scan, true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("cocoon.compaction_min_stripes",
							"VACUUM compacts a time partition once it has this many small stripes (0: never).",
							"cocoon.compact() compacts any partition with two or more.",
							&cocoon_compaction_min_stripes, 4, 0, 1000000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("cocoon");

	cocoon_slot_init_ops();
	CacheRegisterRelcacheCallback(options_cache_invalidate, (Datum) 0);
	CacheRegisterRelcacheCallback(catalog_oids_relcache_inval, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, catalog_oids_syscache_inval, (Datum) 0);
	RegisterXactCallback(cocoon_xact_callback, NULL);
	RegisterSubXactCallback(cocoon_subxact_callback, NULL);
	prev_object_access_hook = object_access_hook;
	object_access_hook = cocoon_object_access;

	cocoon_scan_init();
}
