/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  CocoonScan: the custom scan node for cocoon tables.
 *
 * Offered through set_rel_pathlist_hook next to the plain sequential scan
 * and chosen on cost.  It tells the table scan (tableam.c) two things the
 * table AM API cannot carry:
 *
 *	 - which columns the query needs (its target list and quals): the others
 *	   are never read nor decompressed;
 *	 - bounds on the table's time column, from quals of the form
 *	   "ts op expr" where expr is a constant, a parameter or a stable
 *	   expression (evaluated once at executor start): stripes and chunks
 *	   whose [min, max] time misses the bounds are skipped unread.
 *
 * Pruning never evaluates user functions on row data: it compares the
 * evaluated bound with the stored min/max only, so it is safe under
 * row-level security whatever the leakproofness of the quals.  Volatile
 * expressions are never used for pruning.  All quals are still evaluated
 * on every returned row by the executor (ExecScan), so pruning can only
 * remove rows that no qual would have let through.
 *
 * Parallel-aware: workers share the stripe counter of the table scan's
 * parallel descriptor.
 *
 * src/scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planner.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/pg_locale.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"
#include "common/hashfn.h"
#include "optimizer/tlist.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/uuid.h"

#include "cocoon.h"
#include "cocoon_scan.h"
#include "bloom.h"
#include "codec/bounds.h"

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

typedef struct CocoonScanState
{
	CustomScanState css;
	Bitmapset  *attrs;			/* 0-based attribute numbers to read */
	AttrNumber	ts_attno;
	List	   *bound_strategies;	/* int list, parallel to bound_exprs */
	List	   *bound_exprs;	/* ExprState list */
	List	   *bound_is_array; /* int list: ScalarArrayOpExpr IN lists */
	TableScanDesc scan;
	ParallelTableScanDesc pscan;
	CocoonScanBounds bounds;
	bool		empty;			/* bounds can match nothing */
	List	   *probe_specs;	/* int triplets: attno, kind, strategy */
	List	   *probe_exprs;	/* ExprState list, one per probe */
	List	   *probes;			/* CocoonProbe *, evaluated at scan start */
	int			topn_k;			/* > 0: ORDER BY ts LIMIT k pruning */
	bool		topn_desc;
	bool		topn_nulls_first;
	ExprState  *filter_qual;	/* the plan's quals, evaluated by the scan */
	Bitmapset  *filter_attrs;	/* 0-based columns the quals reference */
	CocoonScanStats last_stats;
	uint64		prefiltered_seen;
	/* CocoonAggregate */
	bool		agg_mode;
	bool		agg_done;
	int			naggs;
	CocoonAggAcc *accs;
	CocoonAggAcc *templ;		/* each aggregate's fresh accumulator */
	bool	   *meta_ok;		/* per aggregate: this batch from descriptors */
	TupleTableSlot *row_slot;	/* the table's rows, for the quals */
	/* GROUP BY: groups in a hash table (accs then holds naggs per group) */
	int			ngcols;
	int		   *gattidx;		/* 0-based grouping columns */
	int16	   *gtyplen;
	bool	   *gtypbyval;
	int			ngroups;
	int			gcap;
	Datum	   *gkeys;			/* ngcols per group */
	bool	   *gnulls;
	uint32	   *ghash;
	int32	   *htab;			/* group index or -1 */
	uint32		hmask;
	int			emit_pos;
	MemoryContext group_cxt;
	MemoryContext batch_cxt;
	/* GROUP BY on dictionary chunks (grouped_add_batch_dict): scratch */
	struct DictKey *dkeys;		/* ngcols */
	int32	   *dmap;			/* combined code -> group, dcap */
	uint32	   *dcount;			/* combined code -> rows, dcap */
	uint32	   *dseen;			/* combined codes in order of first row */
	uint32		dcap;
	uint32	   *drow_code;		/* batch row -> combined code, drow_cap */
	uint32		drow_cap;
	bool	   *dhist_ok;		/* per aggregate: from the histogram alone */
	uint64		dict_batches;	/* chunk groups grouped by code (EXPLAIN) */
} CocoonScanState;

static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;
static bool cocoon_enable_aggregate = true;

static Plan *plan_cocoon_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
							  List *tlist, List *clauses, List *custom_plans);
static void fill_scan_private(PlannerInfo *root, RelOptInfo *rel, CustomScan *cscan,
							  List *tlist, List *quals, bool topn_ok);
static Node *create_cocoon_scan_state(CustomScan *cscan);
static void begin_cocoon_scan(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_cocoon_scan(CustomScanState *node);
static void end_cocoon_scan(CustomScanState *node);
static void rescan_cocoon_scan(CustomScanState *node);
static Size estimate_dsm_cocoon_scan(CustomScanState *node, ParallelContext *pcxt);
static void initialize_dsm_cocoon_scan(CustomScanState *node, ParallelContext *pcxt,
									   void *coordinate);
static void reinitialize_dsm_cocoon_scan(CustomScanState *node, ParallelContext *pcxt,
										 void *coordinate);
static void initialize_worker_cocoon_scan(CustomScanState *node, shm_toc *toc,
										  void *coordinate);
static void explain_cocoon_scan(CustomScanState *node, List *ancestors, ExplainState *es);

static const CustomPathMethods cocoon_path_methods = {
	.CustomName = "CocoonScan",
	.PlanCustomPath = plan_cocoon_path,
};

static const CustomScanMethods cocoon_scan_methods = {
	.CustomName = "CocoonScan",
	.CreateCustomScanState = create_cocoon_scan_state,
};

static Plan *plan_cocoon_agg_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
								  List *tlist, List *clauses, List *custom_plans);
static Node *create_cocoon_agg_state(CustomScan *cscan);

static const CustomPathMethods cocoon_agg_path_methods = {
	.CustomName = "CocoonAggregate",
	.PlanCustomPath = plan_cocoon_agg_path,
};

static const CustomScanMethods cocoon_agg_scan_methods = {
	.CustomName = "CocoonAggregate",
	.CreateCustomScanState = create_cocoon_agg_state,
};

static const CustomExecMethods cocoon_agg_exec_methods = {
	.CustomName = "CocoonAggregate",
	.BeginCustomScan = begin_cocoon_scan,
	.ExecCustomScan = exec_cocoon_scan,
	.EndCustomScan = end_cocoon_scan,
	.ReScanCustomScan = rescan_cocoon_scan,
	.ExplainCustomScan = explain_cocoon_scan,
};

static const CustomExecMethods cocoon_exec_methods = {
	.CustomName = "CocoonScan",
	.BeginCustomScan = begin_cocoon_scan,
	.ExecCustomScan = exec_cocoon_scan,
	.EndCustomScan = end_cocoon_scan,
	.ReScanCustomScan = rescan_cocoon_scan,
	.EstimateDSMCustomScan = estimate_dsm_cocoon_scan,
	.InitializeDSMCustomScan = initialize_dsm_cocoon_scan,
	.ReInitializeDSMCustomScan = reinitialize_dsm_cocoon_scan,
	.InitializeWorkerCustomScan = initialize_worker_cocoon_scan,
	.ExplainCustomScan = explain_cocoon_scan,
};

/* ------------------------------------------------------------------------
 * Planning
 * ------------------------------------------------------------------------
 */

static bool
is_cocoon_relid(Oid relid, AttrNumber *ts_attno)
{
	Relation	rel;
	bool		result;

	rel = relation_open(relid, NoLock);
	result = cocoon_is_cocoon_rel(rel);
	if (result)
	{
		CocoonOptions opts;

		cocoon_get_options(rel, &opts);
		*ts_attno = opts.time_attno;
	}
	relation_close(rel, NoLock);
	return result;
}

/* Strip binary-compatible relabelling. */
static Node *
strip_relabel(Node *n)
{
	while (n && IsA(n, RelabelType))
		n = (Node *) ((RelabelType *) n)->arg;
	return n;
}

static bool
is_ts_var(Node *n, Index relid, AttrNumber ts_attno)
{
	n = strip_relabel(n);
	return n && IsA(n, Var) && ((Var *) n)->varno == relid &&
		((Var *) n)->varattno == ts_attno && ((Var *) n)->varlevelsup == 0;
}

/* An operand usable as a bound: no Vars, nothing volatile, no subplans. */
static bool
is_bound_operand(Node *n)
{
	return n != NULL && !contain_var_clause(n) && !contain_volatile_functions(n) &&
		!contain_subplans(n);
}

/*
 * If clause bounds the time column, return the btree strategy (as seen
 * with the column on the left) and the bound expression.
 */
static bool
match_time_clause(Expr *clause, Index relid, AttrNumber ts_attno, Oid ts_type,
				  int *strategy, Expr **bound, bool *is_array)
{
	Oid			opfamily = get_opclass_family(GetDefaultOpClass(ts_type, BTREE_AM_OID));

	*is_array = false;
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *l = linitial(op->args);
		Node	   *r = lsecond(op->args);
		Oid			opno = op->opno;
		int			s;

		if (is_ts_var(r, relid, ts_attno) && !is_ts_var(l, relid, ts_attno))
		{
			Node	   *t = l;

			l = r;
			r = t;
			opno = get_commutator(opno);
			if (!OidIsValid(opno))
				return false;
		}
		if (!is_ts_var(l, relid, ts_attno) || !is_bound_operand(r))
			return false;
		/* the bound must be of the column's own type */
		if (exprType(r) != ts_type)
			return false;
		s = get_op_opfamily_strategy(opno, opfamily);
		if (s < BTLessStrategyNumber || s > BTGreaterStrategyNumber)
			return false;
		*strategy = s;
		*bound = (Expr *) r;
		return true;
	}
	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) clause;
		Node	   *l = linitial(sa->args);
		Node	   *r = lsecond(sa->args);

		if (!sa->useOr || !is_ts_var(l, relid, ts_attno) || !is_bound_operand(r))
			return false;
		if (exprType(r) != get_array_type(ts_type))
			return false;
		if (get_op_opfamily_strategy(sa->opno, opfamily) != BTEqualStrategyNumber)
			return false;
		*strategy = BTEqualStrategyNumber;
		*bound = (Expr *) r;
		*is_array = true;
		return true;
	}
	return false;
}

/* Probe kinds as planned (before evaluation) */
#define PLAN_PROBE_EQ		1	/* text/uuid = value: whole-value hash */
#define PLAN_PROBE_IN		2	/* text/uuid = ANY(array) */
#define PLAN_PROBE_LIKE		3	/* text LIKE pattern: trigrams */
#define PLAN_PROBE_ILIKE	4	/* text ILIKE pattern (C collation only) */
#define PLAN_PROBE_CMP		5	/* int-kind column op value: min/max */
#define PLAN_PROBE_CMP_IN	6	/* int-kind column = ANY(array) */
#define PLAN_PROBE_JEXISTS	7	/* jsonb ? key */
#define PLAN_PROBE_JCONTAINS 8	/* jsonb @> object */
#define PLAN_PROBE_FCMP		9	/* float column op value: min/max keys */
#define PLAN_PROBE_BCMP		10	/* text (C collation) / uuid / bytea op value: bytewise
								 * bounds */
#define PLAN_PROBE_NCMP		11	/* numeric column op value: min/max keys */
#define PLAN_PROBE_NCMP_IN	12	/* numeric column = ANY(array) */
#define PLAN_PROBE_BIN		13	/* bytea = ANY(array): bytewise bounds */
#define PLAN_PROBE_UCMP		14	/* oid column op value: min/max as uint32 */
#define PLAN_PROBE_UCMP_IN	15	/* oid column = ANY(array) */
#define PLAN_PROBE_BPCMP	16	/* bpchar op value: bytewise bounds of the
								 * values without trailing blanks */
#define PLAN_PROBE_BPIN		17	/* bpchar = ANY(array): the same */
#define PLAN_PROBE_ECMP		18	/* enum column op value: min/max in sort order */
#define PLAN_PROBE_ICMP		19	/* interval column op value: min/max span keys */
#define PLAN_PROBE_ACMP		20	/* inet/cidr column op value: min/max address keys */
#define PLAN_PROBE_ASUB		21	/* inet/cidr column << / <<= network: the same */

/* btree strategy of the text and uuid comparison functions, 0 if none */
static int
bytewise_strategy(Oid func)
{
	switch (func)
	{
		case F_TEXT_LT:
		case F_UUID_LT:
			return BTLessStrategyNumber;
		case F_TEXT_LE:
		case F_UUID_LE:
			return BTLessEqualStrategyNumber;
		case F_TEXT_GE:
		case F_UUID_GE:
			return BTGreaterEqualStrategyNumber;
		case F_TEXT_GT:
		case F_UUID_GT:
			return BTGreaterStrategyNumber;
	}
	return 0;
}

/* btree strategy of the bpchar comparison functions, 0 if none */
static int
bpchar_strategy(Oid func)
{
	switch (func)
	{
		case F_BPCHARLT:
			return BTLessStrategyNumber;
		case F_BPCHARLE:
			return BTLessEqualStrategyNumber;
		case F_BPCHAREQ:
			return BTEqualStrategyNumber;
		case F_BPCHARGE:
			return BTGreaterEqualStrategyNumber;
		case F_BPCHARGT:
			return BTGreaterStrategyNumber;
	}
	return 0;
}

/* is the column inet or cidr (or a domain over either)? */
static bool
inet_column(Oid reloid, AttrNumber attno)
{
	Oid			base = getBaseType(get_atttype(reloid, attno));

	return base == INETOID || base == CIDROID;
}

/*
 * btree strategy of the bytea comparison functions, 0 if none.  byteacmp
 * is memcmp over the common length, then the shorter first, with no
 * collation: the order of the bytewise bounds.
 */
static int
bytea_strategy(Oid func)
{
	switch (func)
	{
		case F_BYTEALT:
			return BTLessStrategyNumber;
		case F_BYTEALE:
			return BTLessEqualStrategyNumber;
		case F_BYTEAEQ:
			return BTEqualStrategyNumber;
		case F_BYTEAGE:
			return BTGreaterEqualStrategyNumber;
		case F_BYTEAGT:
			return BTGreaterStrategyNumber;
	}
	return 0;
}

static Var *
plain_var(Node *n, Index relid)
{
	n = strip_relabel(n);
	if (n && IsA(n, Var) && ((Var *) n)->varno == relid &&
		((Var *) n)->varattno > 0 && ((Var *) n)->varlevelsup == 0)
		return (Var *) n;
	return NULL;
}

/*
 * Does this qual allow per-chunk skipping on some column?  Returns the
 * planned probe kind (0 if none) and fills attno, strategy and operand.
 */
static int
match_probe_clause(Expr *clause, Index relid, Oid reloid, AttrNumber *attno,
				   int *strategy, Expr **operand)
{
	*strategy = 0;

	/*
	 * bool column alone, negated or IS [NOT] TRUE/FALSE without NULLs: the
	 * same as "column = constant" for its min/max
	 */
	{
		Node	   *n = (Node *) clause;
		bool		want = true;
		Var		   *var;

		if (is_notclause(n))
		{
			n = (Node *) get_notclausearg((Expr *) n);
			want = false;
		}
		else if (IsA(n, BooleanTest) &&
				 (((BooleanTest *) n)->booltesttype == IS_TRUE ||
				  ((BooleanTest *) n)->booltesttype == IS_FALSE))
		{
			want = ((BooleanTest *) n)->booltesttype == IS_TRUE;
			n = (Node *) ((BooleanTest *) n)->arg;
		}
		var = plain_var(n, relid);
		if (var != NULL && exprType((Node *) var) == BOOLOID &&
			get_atttype(reloid, var->varattno) == BOOLOID)
		{
			*attno = var->varattno;
			*strategy = BTEqualStrategyNumber;
			*operand = (Expr *) makeBoolConst(want, false);
			return PLAN_PROBE_CMP;
		}
	}
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *l = linitial(op->args);
		Node	   *r = lsecond(op->args);
		Oid			opno = op->opno;
		Var		   *var = plain_var(l, relid);
		Oid			func;

		if (var == NULL && plain_var(r, relid) != NULL)
		{
			/* commute: value op column */
			var = plain_var(r, relid);
			r = l;
			opno = get_commutator(opno);
			if (!OidIsValid(opno))
				return 0;
		}
		if (var == NULL || !is_bound_operand(r))
			return 0;
		func = get_opcode(opno);
		*attno = var->varattno;
		*operand = (Expr *) r;
		/* bytea (or a domain over it) against a bytea value */
		if (bytea_strategy(func) != 0)
		{
			if (getBaseType(get_atttype(reloid, var->varattno)) != BYTEAOID ||
				exprType((Node *) r) != BYTEAOID)
				return 0;
			*strategy = bytea_strategy(func);
			return PLAN_PROBE_BCMP;
		}

		/*
		 * bpchar compares its values without their trailing blanks
		 * (bcTruelen), bytewise under the C collation, and = is equality of
		 * those bytes under any deterministic one; its bounds are taken
		 * without the blanks.  The column must be bpchar itself (text and
		 * varchar relabel to bpchar, and their bounds keep the blanks);
		 * the reader also uses only the bounds of stripes written when it
		 * was (ALTER COLUMN ... TYPE bpchar from text does not rewrite).
		 */
		if (bpchar_strategy(func) != 0)
		{
			int			s = bpchar_strategy(func);

			if (get_atttype(reloid, var->varattno) != BPCHAROID ||
				exprType((Node *) r) != BPCHAROID || !OidIsValid(op->inputcollid))
				return 0;
			if (s == BTEqualStrategyNumber ?
				!get_collation_isdeterministic(op->inputcollid) :
				!lc_collate_is_c(op->inputcollid))
				return 0;
			*strategy = s;
			return PLAN_PROBE_BPCMP;
		}
		if ((func == F_TEXTEQ || func == F_UUID_EQ) &&
			(func == F_UUID_EQ || (OidIsValid(op->inputcollid) &&
								   get_collation_isdeterministic(op->inputcollid))))
			return PLAN_PROBE_EQ;

		/*
		 * inet/cidr = compares family, netmask length and address bits: the
		 * varlena's bytes, which the writer hashed into the bloom filter
		 */
		if (func == F_NETWORK_EQ && inet_column(reloid, var->varattno))
			return PLAN_PROBE_EQ;
		/* column << network, column <<= network (or network >> column) */
		if ((func == F_NETWORK_SUB || func == F_NETWORK_SUBEQ) &&
			inet_column(reloid, var->varattno) &&
			(exprType((Node *) r) == INETOID || exprType((Node *) r) == CIDROID))
			return PLAN_PROBE_ASUB;
		if (func == F_TEXTLIKE && plain_var(l, relid) == var && OidIsValid(op->inputcollid) &&
			get_collation_isdeterministic(op->inputcollid))
			return PLAN_PROBE_LIKE;
		if (func == F_TEXTICLIKE && plain_var(l, relid) == var && OidIsValid(op->inputcollid) &&
			lc_ctype_is_c(op->inputcollid))
			return PLAN_PROBE_ILIKE;
		/*
		 * Ranges on text use the bytewise bounds only where bytewise order is
		 * the qual's order: under the C collation.  uuid order is bytewise.
		 */
		if (bytewise_strategy(func) != 0 &&
			(func == F_UUID_LT || func == F_UUID_LE || func == F_UUID_GE || func == F_UUID_GT ||
			 (OidIsValid(op->inputcollid) && lc_collate_is_c(op->inputcollid))))
		{
			*strategy = bytewise_strategy(func);
			return PLAN_PROBE_BCMP;
		}
		if (func == F_JSONB_EXISTS && plain_var(l, relid) == var)
			return PLAN_PROBE_JEXISTS;
		if (func == F_JSONB_CONTAINS && plain_var(l, relid) == var)
			return PLAN_PROBE_JCONTAINS;
		/* comparisons on integer-like columns use the chunks' min/max */
		{
			Oid			atttype = get_atttype(reloid, var->varattno);
			int16		typlen;
			bool		byval;
			Oid			opfamily;
			int			s;

			get_typlenbyval(atttype, &typlen, &byval);
			/*
			 * oid is unsigned, but its chunks' min/max were taken over the
			 * values as signed int32s (build_vector in write.c): values of
			 * 2^31 and above are stored negative.  PLAN_PROBE_UCMP compares
			 * as unsigned and reads the stored bounds accordingly.
			 */
			if (atttype == OIDOID || exprType((Node *) r) == OIDOID)
			{
				if (atttype != OIDOID || exprType((Node *) r) != OIDOID)
					return 0;
				opfamily = get_opclass_family(GetDefaultOpClass(atttype, BTREE_AM_OID));
				s = OidIsValid(opfamily) ? get_op_opfamily_strategy(opno, opfamily) : 0;
				if (s < BTLessStrategyNumber || s > BTGreaterStrategyNumber)
					return 0;
				*strategy = s;
				return PLAN_PROBE_UCMP;
			}
			/* enums: bounds kept in the enum's sort order (write.c) */
			if (type_is_enum(getBaseType(atttype)))
			{
				if (getBaseType(exprType((Node *) r)) != getBaseType(atttype))
					return 0;
				opfamily = get_opclass_family(GetDefaultOpClass(atttype, BTREE_AM_OID));
				s = OidIsValid(opfamily) ? get_op_opfamily_strategy(opno, opfamily) : 0;
				if (s < BTLessStrategyNumber || s > BTGreaterStrategyNumber)
					return 0;
				*strategy = s;
				return PLAN_PROBE_ECMP;
			}
			/* inet/cidr ranges (= is the bloom filter's, above) */
			if (inet_column(reloid, var->varattno) &&
				(exprType((Node *) r) == INETOID || exprType((Node *) r) == CIDROID))
			{
				opfamily = get_opclass_family(GetDefaultOpClass(INETOID, BTREE_AM_OID));
				s = OidIsValid(opfamily) ? get_op_opfamily_strategy(opno, opfamily) : 0;
				if (s < BTLessStrategyNumber || s > BTGreaterStrategyNumber)
					return 0;
				*strategy = s;
				return PLAN_PROBE_ACMP;
			}
			if (getBaseType(atttype) == INTERVALOID && exprType((Node *) r) == INTERVALOID)
			{
				opfamily = get_opclass_family(GetDefaultOpClass(atttype, BTREE_AM_OID));
				s = OidIsValid(opfamily) ? get_op_opfamily_strategy(opno, opfamily) : 0;
				if (s < BTLessStrategyNumber || s > BTGreaterStrategyNumber)
					return 0;
				*strategy = s;
				return PLAN_PROBE_ICMP;
			}
			if (getBaseType(atttype) == NUMERICOID && exprType((Node *) r) == NUMERICOID)
			{
				opfamily = get_opclass_family(GetDefaultOpClass(atttype, BTREE_AM_OID));
				s = OidIsValid(opfamily) ? get_op_opfamily_strategy(opno, opfamily) : 0;
				if (s < BTLessStrategyNumber || s > BTGreaterStrategyNumber)
					return 0;
				*strategy = s;
				return PLAN_PROBE_NCMP;
			}
			if ((atttype == FLOAT4OID || atttype == FLOAT8OID) &&
				(exprType((Node *) r) == FLOAT4OID || exprType((Node *) r) == FLOAT8OID))
			{
				/* float4 and float8 share one btree family: cross-type is fine */
				opfamily = get_opclass_family(GetDefaultOpClass(atttype, BTREE_AM_OID));
				s = OidIsValid(opfamily) ? get_op_opfamily_strategy(opno, opfamily) : 0;
				if (s < BTLessStrategyNumber || s > BTGreaterStrategyNumber)
					return 0;
				*strategy = s;
				return PLAN_PROBE_FCMP;
			}
			/*
			 * int2, int4 and int8 share one btree family and one int64 value
			 * space: an int4 column against an int8 value (the planner's
			 * choice for "int8col > 5") prunes as well
			 */
			if (!byval ||
				(exprType((Node *) r) != atttype &&
				 !((atttype == INT2OID || atttype == INT4OID || atttype == INT8OID) &&
				   (exprType((Node *) r) == INT2OID || exprType((Node *) r) == INT4OID ||
					exprType((Node *) r) == INT8OID))) ||
				getBaseType(atttype) == FLOAT4OID || getBaseType(atttype) == FLOAT8OID)
				return 0;
			opfamily = get_opclass_family(GetDefaultOpClass(atttype, BTREE_AM_OID));
			if (!OidIsValid(opfamily))
				return 0;
			s = get_op_opfamily_strategy(opno, opfamily);
			if (s < BTLessStrategyNumber || s > BTGreaterStrategyNumber)
				return 0;
			/* the btree order must be the int64 order of the stored values */
			if (atttype != INT2OID && atttype != INT4OID && atttype != INT8OID &&
				atttype != DATEOID && atttype != TIMESTAMPOID && atttype != TIMESTAMPTZOID &&
				atttype != TIMEOID && atttype != BOOLOID && atttype != CASHOID)
				return 0;
			*strategy = s;
			return PLAN_PROBE_CMP;
		}
	}
	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) clause;
		Var		   *var = plain_var(linitial(sa->args), relid);
		Node	   *r = lsecond(sa->args);
		Oid			func = get_opcode(sa->opno);

		if (!sa->useOr || var == NULL || !is_bound_operand(r))
			return 0;
		*attno = var->varattno;
		*operand = (Expr *) r;
		if (func == F_UUID_EQ ||
			(func == F_TEXTEQ && OidIsValid(sa->inputcollid) &&
			 get_collation_isdeterministic(sa->inputcollid)) ||
			(func == F_NETWORK_EQ && inet_column(reloid, var->varattno)))
			return PLAN_PROBE_IN;
		if (func == F_BYTEAEQ)
		{
			if (getBaseType(get_atttype(reloid, var->varattno)) != BYTEAOID ||
				exprType(r) != BYTEAARRAYOID)
				return 0;
			*strategy = BTEqualStrategyNumber;
			return PLAN_PROBE_BIN;
		}
		if (func == F_BPCHAREQ)
		{
			if (get_atttype(reloid, var->varattno) != BPCHAROID ||
				exprType(r) != BPCHARARRAYOID || !OidIsValid(sa->inputcollid) ||
				!get_collation_isdeterministic(sa->inputcollid))
				return 0;
			*strategy = BTEqualStrategyNumber;
			return PLAN_PROBE_BPIN;
		}
		if (func == F_OIDEQ)
		{
			if (get_atttype(reloid, var->varattno) != OIDOID || exprType(r) != OIDARRAYOID)
				return 0;
			*strategy = BTEqualStrategyNumber;
			return PLAN_PROBE_UCMP_IN;
		}
		if (func == F_INT2EQ || func == F_INT4EQ || func == F_INT8EQ ||
			func == F_DATE_EQ || func == F_TIMESTAMP_EQ || func == F_CASH_EQ)
		{
			Oid			atttype = get_atttype(reloid, var->varattno);

			if (exprType(r) != get_array_type(atttype))
				return 0;
			*strategy = BTEqualStrategyNumber;
			return PLAN_PROBE_CMP_IN;
		}
		if (func == F_NUMERIC_EQ &&
			getBaseType(get_atttype(reloid, var->varattno)) == NUMERICOID &&
			exprType(r) == NUMERICARRAYOID)
		{
			*strategy = BTEqualStrategyNumber;
			return PLAN_PROBE_NCMP_IN;
		}
	}
	return 0;
}

/*
 * Fraction of the table's bytes the query's columns account for.
 */
static double
column_fraction(RelOptInfo *rel, Bitmapset *attrs, bool all)
{
	double		needed = 0,
				total = 0;
	int			i;

	if (all)
		return 1.0;
	for (i = rel->min_attr; i <= rel->max_attr; i++)
	{
		int			w = rel->attr_widths[i - rel->min_attr];

		if (i <= 0)
			continue;
		if (w <= 0)
			w = 8;
		total += w;
		if (bms_is_member(i - FirstLowInvalidHeapAttributeNumber, attrs))
			needed += w;
	}
	if (total <= 0)
		return 1.0;
	return Max(needed / total, 0.02);
}

/* Most rows percentile_cont takes on (estimated): it sorts them in memory */
#define COCOON_AGG_MAX_SORT_ROWS	20000000

/* Most groups CocoonAggregate takes on (estimated); it keeps them in memory */
#define COCOON_AGG_MAX_GROUPS	100000

/* Largest LIMIT (plus OFFSET) top-N pruning keeps ranks for */
#define COCOON_TOPN_MAX		1000000

/*
 * Top-N pruning: does the query return only the first k rows of this
 * relation's rows in time-column order?  That holds when the query level
 * has a known LIMIT (root->limit_tuples is set only without grouping,
 * aggregates, DISTINCT, window functions and set-returning functions),
 * reads this one base relation (or an appendrel of which it is a member:
 * each member returning its own first k still feeds the sort above every
 * row of the first k overall), locks no rows, and sorts first by the time
 * column with its type's default btree ordering.  Returns k, or 0.
 */
static int
topn_for_rel(PlannerInfo *root, RelOptInfo *rel, AttrNumber ts_attno, Oid ts_type,
			 bool *desc, bool *nulls_first)
{
	PathKey    *pk;
	ListCell   *lc;
	Oid			opclass;
	bool		found = false;

	if (ts_attno <= 0 || root->limit_tuples < 1 || root->limit_tuples > COCOON_TOPN_MAX)
		return 0;
	if (root->parse->rowMarks != NIL || root->sort_pathkeys == NIL)
		return 0;
	if (bms_membership(root->all_baserels) != BMS_SINGLETON)
		return 0;
	pk = linitial(root->sort_pathkeys);
	if (pk->pk_eclass->ec_has_volatile)
		return 0;
	opclass = GetDefaultOpClass(ts_type, BTREE_AM_OID);
	if (!OidIsValid(opclass) || pk->pk_opfamily != get_opclass_family(opclass))
		return 0;
	if (pk->pk_strategy != BTLessStrategyNumber && pk->pk_strategy != BTGreaterStrategyNumber)
		return 0;
	foreach(lc, pk->pk_eclass->ec_members)
	{
		EquivalenceMember *em = lfirst(lc);
		Node	   *e = strip_relabel((Node *) em->em_expr);

		if (IsA(e, Var) && ((Var *) e)->varno == rel->relid &&
			((Var *) e)->varattno == ts_attno && ((Var *) e)->varlevelsup == 0 &&
			exprType(e) == ts_type)
			found = true;
	}
	if (!found)
		return 0;
	*desc = (pk->pk_strategy == BTGreaterStrategyNumber);
	*nulls_first = pk->pk_nulls_first;
	return (int) root->limit_tuples;
}

static void
cocoon_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti, RangeTblEntry *rte)
{
	AttrNumber	ts_attno = 0;
	Bitmapset  *attrs = NULL;
	ListCell   *lc;
	List	   *time_quals = NIL;
	double		colfrac;
	double		timefrac;
	Cost		startup_cost = 0;
	Cost		cpu_per_tuple;
	QualCost	qcost;
	double		ntuples;
	Oid			ts_type = InvalidOid;
	int			parallel_workers;
	CustomPath *cp;

	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	if (!cocoon_enable_custom_scan ||
		(rel->reloptkind != RELOPT_BASEREL && rel->reloptkind != RELOPT_OTHER_MEMBER_REL))
		return;
	if (rte->rtekind != RTE_RELATION || rte->inh ||
		(rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW) ||
		rte->tablesample != NULL)
		return;
	if (!is_cocoon_relid(rte->relid, &ts_attno))
		return;

	/* columns the query needs */
	pull_varattnos((Node *) rel->reltarget->exprs, rel->relid, &attrs);
	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst(lc);

		pull_varattnos((Node *) ri->clause, rel->relid, &attrs);
	}
	colfrac = column_fraction(rel, attrs,
							  bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs));

	/* quals that bound the time column */
	if (ts_attno > 0)
	{
		ts_type = get_atttype(rte->relid, ts_attno);
		foreach(lc, rel->baserestrictinfo)
		{
			RestrictInfo *ri = lfirst(lc);
			int			strategy;
			Expr	   *bound;
			bool		is_array;

			if (match_time_clause(ri->clause, rel->relid, ts_attno, ts_type,
								  &strategy, &bound, &is_array))
				time_quals = lappend(time_quals, ri);
		}
	}
	timefrac = time_quals ? clauselist_selectivity(root, time_quals, rel->relid,
												   JOIN_INNER, NULL) : 1.0;

	ntuples = rel->tuples;
	cost_qual_eval(&qcost, rel->baserestrictinfo, root);
	startup_cost = qcost.startup;
	cpu_per_tuple = cpu_tuple_cost * 0.5 + qcost.per_tuple;

	cp = makeNode(CustomPath);
	cp->path.pathtype = T_CustomScan;
	cp->path.parent = rel;
	cp->path.pathtarget = rel->reltarget;
	cp->path.param_info = get_baserel_parampathinfo(root, rel, rel->lateral_relids);
	cp->path.parallel_aware = false;
	cp->path.parallel_safe = rel->consider_parallel;
	cp->path.parallel_workers = 0;
	cp->path.rows = rel->rows;
	cp->path.pathkeys = NIL;
	cp->flags = 0;
	cp->methods = &cocoon_path_methods;
	cp->path.startup_cost = startup_cost;
	cp->path.total_cost = startup_cost +
		seq_page_cost * rel->pages * colfrac * timefrac +
		cpu_per_tuple * ntuples * timefrac +
		rel->reltarget->cost.per_tuple * rel->rows;

	/*
	 * Under top-N pruning the scan reads about the chunk groups holding the
	 * first k matching rows and returns little more than k rows: cost it so,
	 * or the planner would sort every row in parallel workers instead.
	 */
	if (ts_attno > 0)
	{
		bool		desc,
					nulls_first;
		int			k = topn_for_rel(root, rel, ts_attno, ts_type, &desc, &nulls_first);

		if (k > 0 && ntuples > 0)
		{
			double		sel = Max(rel->rows / ntuples, 1e-6);
			double		frac = Min(1.0, ((double) k / sel + cocoon_chunk_rows_guc) / ntuples);

			cp->path.total_cost = startup_cost +
				(cp->path.total_cost - startup_cost) * frac;
			cp->path.rows = clamp_row_est(Min(rel->rows, 2.0 * k));
		}
	}

	/* a partial path for parallel plans */
	if (rel->consider_parallel && rel->lateral_relids == NULL)
	{
		double		heap_pages = Max(rel->pages, ntuples * Max(rel->reltarget->width, 8) / BLCKSZ);

		parallel_workers = compute_parallel_worker(rel, heap_pages * colfrac * timefrac, -1,
												   max_parallel_workers_per_gather);
		if (parallel_workers > 0)
		{
			double		divisor = parallel_workers;
			CustomPath *pp = makeNode(CustomPath);

			if (parallel_leader_participation && parallel_workers < 4)
				divisor += 1.0 - 0.3 * parallel_workers;
			*pp = *cp;
			pp->path.parallel_aware = true;
			pp->path.parallel_safe = true;
			pp->path.parallel_workers = parallel_workers;
			pp->path.rows = clamp_row_est(rel->rows / divisor);
			pp->path.total_cost = startup_cost +
				seq_page_cost * rel->pages * colfrac * timefrac +
				(cpu_per_tuple * ntuples * timefrac +
				 rel->reltarget->cost.per_tuple * rel->rows) / divisor;
			add_partial_path(rel, &pp->path);
		}
	}
	/* last: add_path may free cp, which the partial path was copied from */
	add_path(rel, &cp->path);
}

static Plan *
plan_cocoon_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				 List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	List	   *quals = extract_actual_clauses(clauses, false);

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = quals;
	cscan->scan.scanrelid = rel->relid;
	cscan->flags = best_path->flags;
	cscan->methods = &cocoon_scan_methods;
	fill_scan_private(root, rel, cscan, tlist, quals, true);
	return &cscan->scan.plan;
}

/*
 * What a cocoon table scan needs to know, in custom_private and
 * custom_exprs: the columns tlist and quals read, time bounds and chunk
 * probes from the quals, and top-N pruning (when topn_ok).
 */
static void
fill_scan_private(PlannerInfo *root, RelOptInfo *rel, CustomScan *cscan, List *tlist,
				  List *quals, bool topn_ok)
{
	RangeTblEntry *rte = planner_rt_fetch(rel->relid, root);
	Bitmapset  *attrs = NULL;
	List	   *attr_list = NIL;
	List	   *strategies = NIL;
	List	   *is_arrays = NIL;
	List	   *bounds = NIL;
	AttrNumber	ts_attno = 0;
	ListCell   *lc;
	int			x;

	(void) is_cocoon_relid(rte->relid, &ts_attno);

	/* projection: attributes referenced by the target list and quals */
	pull_varattnos((Node *) tlist, rel->relid, &attrs);
	pull_varattnos((Node *) quals, rel->relid, &attrs);
	if (bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs))
		attr_list = list_make1_int(-1);	/* whole row: everything */
	else
	{
		x = -1;
		while ((x = bms_next_member(attrs, x)) >= 0)
		{
			AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;

			if (attno > 0)
				attr_list = lappend_int(attr_list, attno);
		}
	}

	/* time bounds */
	if (ts_attno > 0)
	{
		Oid			ts_type = get_atttype(rte->relid, ts_attno);

		foreach(lc, quals)
		{
			int			strategy;
			Expr	   *bound;
			bool		is_array;

			if (match_time_clause(lfirst(lc), rel->relid, ts_attno, ts_type,
								  &strategy, &bound, &is_array))
			{
				strategies = lappend_int(strategies, strategy);
				is_arrays = lappend_int(is_arrays, is_array ? 1 : 0);
				bounds = lappend(bounds, bound);
			}
		}
	}
	/* per-chunk probes (bloom filters, min/max) on any column */
	{
		List	   *specs = NIL;
		List	   *exprs = NIL;

		foreach(lc, quals)
		{
			AttrNumber	attno;
			int			strategy;
			Expr	   *operand;
			int			kind = match_probe_clause(lfirst(lc), rel->relid, rte->relid,
												  &attno, &strategy, &operand);

			if (kind == 0)
				continue;
			/* the time bounds already cover comparisons on the time column */
			if (attno == ts_attno && (kind == PLAN_PROBE_CMP || kind == PLAN_PROBE_CMP_IN))
				continue;
			specs = lappend_int(specs, attno);
			specs = lappend_int(specs, kind);
			specs = lappend_int(specs, strategy);
			exprs = lappend(exprs, operand);
		}
		cscan->custom_private = list_make5(attr_list, list_make1_int(ts_attno),
										   strategies, is_arrays, specs);
		cscan->custom_exprs = list_concat(bounds, exprs);
	}
	/* top-N pruning: (k, desc, nulls_first), or NIL */
	{
		List	   *topn = NIL;
		bool		desc,
					nulls_first;
		int			k = 0;

		if (ts_attno > 0 && topn_ok)
			k = topn_for_rel(root, rel, ts_attno, get_atttype(rte->relid, ts_attno),
							 &desc, &nulls_first);
		if (k > 0)
			topn = list_make3_int(k, desc ? 1 : 0, nulls_first ? 1 : 0);
		cscan->custom_private = lappend(cscan->custom_private, topn);
	}
}

/* ------------------------------------------------------------------------
 * CocoonAggregate: aggregates, with or without GROUP BY, over one cocoon table
 * ------------------------------------------------------------------------
 */

/*
 * Quals in the order the planner gives a scan's quals (createplan.c's
 * order_qual_clauses): by security level, a leakproof qual counting as
 * level 0, then by cost; the sort is stable.
 */
static List *
quals_in_plan_order(PlannerInfo *root, List *rinfos)
{
	int			n = list_length(rinfos);
	RestrictInfo **ri;
	Index	   *level;
	Cost	   *cost;
	List	   *result = NIL;
	ListCell   *lc;
	int			i = 0,
				j;

	if (n == 0)
		return NIL;
	ri = palloc(sizeof(RestrictInfo *) * n);
	level = palloc(sizeof(Index) * n);
	cost = palloc(sizeof(Cost) * n);
	foreach(lc, rinfos)
	{
		RestrictInfo *r = lfirst(lc);
		QualCost	qc;
		RestrictInfo *rk;
		Index		lk;
		Cost		ck;

		cost_qual_eval_node(&qc, (Node *) r->clause, root);
		rk = r;
		lk = r->leakproof ? 0 : r->security_level;
		ck = qc.per_tuple;
		/* insertion sort: after every earlier item that is not greater */
		for (j = i; j > 0; j--)
		{
			if (level[j - 1] < lk || (level[j - 1] == lk && cost[j - 1] <= ck))
				break;
			ri[j] = ri[j - 1];
			level[j] = level[j - 1];
			cost[j] = cost[j - 1];
		}
		ri[j] = rk;
		level[j] = lk;
		cost[j] = ck;
		i++;
	}
	for (i = 0; i < n; i++)
		result = lappend(result, ri[i]);
	return result;
}

/*
 * Offer a CocoonAggregate path for "SELECT agg(col), ... FROM cocoon_table
 * [WHERE ...] [GROUP BY col, ... [HAVING ...]]": grouping by plain columns
 * whose equality is binary, no grouping sets, window functions or
 * set-returning functions, every aggregate one agg.c computes, on a plain
 * column, without DISTINCT, ORDER BY (but percentile_cont's) or FILTER.
 * Chosen on cost against the executor's Agg.
 */
static void
cocoon_create_upper_paths(PlannerInfo *root, UpperRelationKind stage,
						  RelOptInfo *input_rel, RelOptInfo *output_rel, void *extra)
{
	Query	   *parse = root->parse;
	RangeTblEntry *rte;
	AttrNumber	ts_attno = 0;
	List	   *nodes;
	List	   *aggrefs = NIL;
	List	   *rinfos;
	Bitmapset  *attrs = NULL;
	ListCell   *lc;
	CustomPath *cp;
	QualCost	qcost;
	double		colfrac,
				timefrac = 1.0;
	List	   *time_quals = NIL;
	List	   *group_attnos = NIL;
	List	   *group_exprs = NIL;
	Node	   *having = NULL;
	double		ngroups = 1;

	if (prev_create_upper_paths_hook)
		prev_create_upper_paths_hook(root, stage, input_rel, output_rel, extra);
	if (stage != UPPERREL_GROUP_AGG || !cocoon_enable_custom_scan || !cocoon_enable_aggregate)
		return;
	if ((!parse->hasAggs && parse->groupClause == NIL) || parse->groupingSets ||
		parse->hasWindowFuncs || parse->hasTargetSRFs)
		return;
	if (input_rel->reloptkind != RELOPT_BASEREL || input_rel->rtekind != RTE_RELATION ||
		input_rel->lateral_relids != NULL || IS_DUMMY_REL(input_rel))
		return;
	rte = planner_rt_fetch(input_rel->relid, root);
	if (rte->inh || rte->tablesample != NULL ||
		(rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW))
		return;
	if (!is_cocoon_relid(rte->relid, &ts_attno))
		return;

	/* GROUP BY plain columns whose equality is binary equality */
	foreach(lc, parse->groupClause)
	{
		SortGroupClause *sgc = lfirst(lc);
		TargetEntry *tle = get_sortgroupclause_tle(sgc, parse->targetList);
		Node	   *e = strip_relabel((Node *) tle->expr);
		Oid			eqfn = get_opcode(sgc->eqop);
		Var		   *v;

		if (!IsA(e, Var))
			return;
		v = (Var *) e;
		if (v->varno != input_rel->relid || v->varattno <= 0 || v->varlevelsup != 0)
			return;
		if (eqfn == F_TEXTEQ)
		{
			if (!OidIsValid(exprCollation(e)) || !get_collation_isdeterministic(exprCollation(e)))
				return;
		}
		else if (eqfn != F_INT2EQ && eqfn != F_INT4EQ && eqfn != F_INT8EQ &&
				 eqfn != F_BOOLEQ && eqfn != F_DATE_EQ && eqfn != F_TIMESTAMP_EQ &&
				 eqfn != F_UUID_EQ)
			return;
		if (exprType(e) != exprType((Node *) tle->expr))
			return;				/* e.g. varchar grouped as text: keep it simple */
		if (!list_member_int(group_attnos, v->varattno))
			group_attnos = lappend_int(group_attnos, v->varattno);
		group_exprs = lappend(group_exprs, e);
		pull_varattnos(e, input_rel->relid, &attrs);
	}

	nodes = pull_var_clause((Node *) output_rel->reltarget->exprs,
							PVC_INCLUDE_AGGREGATES | PVC_INCLUDE_WINDOWFUNCS |
							PVC_INCLUDE_PLACEHOLDERS);
	if (root->hasHavingQual && extra != NULL)
	{
		having = ((GroupPathExtraData *) extra)->havingQual;
		nodes = list_concat(nodes, pull_var_clause(having,
												   PVC_INCLUDE_AGGREGATES | PVC_INCLUDE_WINDOWFUNCS |
												   PVC_INCLUDE_PLACEHOLDERS));
	}
	else if (root->hasHavingQual)
		return;
	foreach(lc, nodes)
	{
		Aggref	   *ag = lfirst(lc);
		int			kind;

		if (IsA(ag, Var) && ((Var *) ag)->varno == input_rel->relid &&
			((Var *) ag)->varlevelsup == 0 &&
			list_member_int(group_attnos, ((Var *) ag)->varattno))
			continue;			/* a grouping column */
		if (!IsA(ag, Aggref))
			return;
		if (ag->agglevelsup != 0 || ag->aggdistinct != NIL ||
			ag->aggfilter != NULL || ag->aggsplit != AGGSPLIT_SIMPLE || ag->aggvariadic)
			return;
		kind = cocoon_agg_kind(ag->aggfnoid);
		if (kind == 0)
			return;
		if (kind == CAGG_PCT_CONT)
		{
			/* a constant fraction, ascending float8 order; values kept in memory */
			if (ag->aggkind != AGGKIND_ORDERED_SET || list_length(ag->aggdirectargs) != 1 ||
				!IsA(linitial(ag->aggdirectargs), Const) || list_length(ag->aggorder) != 1 ||
				get_opcode(((SortGroupClause *) linitial(ag->aggorder))->sortop) != F_FLOAT8LT ||
				input_rel->rows > COCOON_AGG_MAX_SORT_ROWS)
				return;
		}
		else if (ag->aggkind != AGGKIND_NORMAL || ag->aggorder != NIL)
			return;
		if (kind == CAGG_COUNT_STAR)
		{
			if (!ag->aggstar)
				return;
		}
		else
		{
			Node	   *arg;

			if (list_length(ag->args) != 1)
				return;
			arg = strip_relabel((Node *) ((TargetEntry *) linitial(ag->args))->expr);
			if (!IsA(arg, Var) || ((Var *) arg)->varno != input_rel->relid ||
				((Var *) arg)->varattno <= 0 || ((Var *) arg)->varlevelsup != 0)
				return;
			pull_varattnos(arg, input_rel->relid, &attrs);
		}
		if (!list_member(aggrefs, ag))
			aggrefs = lappend(aggrefs, ag);
	}
	if (aggrefs == NIL && group_attnos == NIL)
		return;
	if (group_exprs != NIL)
	{
		ngroups = estimate_num_groups(root, group_exprs, input_rel->rows, NULL, NULL);
		if (ngroups > COCOON_AGG_MAX_GROUPS)
			return;				/* the executor's Agg can spill to disk */
	}

	rinfos = quals_in_plan_order(root, input_rel->baserestrictinfo);
	foreach(lc, rinfos)
	{
		RestrictInfo *ri = lfirst(lc);
		int			strategy;
		Expr	   *bound;
		bool		is_array;

		pull_varattnos((Node *) ri->clause, input_rel->relid, &attrs);
		if (ts_attno > 0 &&
			match_time_clause(ri->clause, input_rel->relid, ts_attno,
							  get_atttype(rte->relid, ts_attno), &strategy, &bound, &is_array))
			time_quals = lappend(time_quals, ri);
	}
	if (bms_next_member(attrs, -1) >= 0 &&
		bms_next_member(attrs, -1) + FirstLowInvalidHeapAttributeNumber <= 0)
		return;					/* a whole-row or system column (ctid) reference */
	if (time_quals)
		timefrac = clauselist_selectivity(root, time_quals, input_rel->relid, JOIN_INNER, NULL);
	colfrac = column_fraction(input_rel, attrs, false);
	cost_qual_eval(&qcost, rinfos, root);

	cp = makeNode(CustomPath);
	cp->path.pathtype = T_CustomScan;
	cp->path.parent = output_rel;
	cp->path.pathtarget = output_rel->reltarget;
	cp->path.param_info = NULL;
	cp->path.parallel_aware = false;
	cp->path.parallel_safe = false;
	cp->path.parallel_workers = 0;
	cp->path.rows = clamp_row_est(ngroups);
	cp->path.pathkeys = NIL;
	cp->flags = 0;
	cp->methods = &cocoon_agg_path_methods;
	/*
	 * No tuple per row: a few operations per value.  With quals, each row
	 * is still put in a slot for them (a tuple's worth); then a parallel
	 * scan under a partial aggregate, which divides that work, may win.
	 */
	cp->path.startup_cost = qcost.startup +
		seq_page_cost * input_rel->pages * colfrac * timefrac +
		input_rel->tuples * timefrac *
		(qcost.per_tuple + (rinfos != NIL ? 0.4 * cpu_tuple_cost : 0)) +
		input_rel->rows *
		0.1 * cpu_operator_cost * (list_length(aggrefs) + 2 * list_length(group_attnos));
	cp->path.total_cost = cp->path.startup_cost + cpu_tuple_cost * ngroups;
	cp->custom_private = list_make5(rinfos, aggrefs, list_make1_int(input_rel->relid),
									group_attnos, having);
	add_path(output_rel, &cp->path);
}

static Plan *
plan_cocoon_agg_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
					 List *tlist, List *clauses, List *custom_plans)
{
	List	   *rinfos = linitial(best_path->custom_private);
	List	   *aggrefs = lsecond(best_path->custom_private);
	Index		relid = linitial_int((List *) lthird(best_path->custom_private));
	List	   *group_attnos = lfourth(best_path->custom_private);
	Node	   *having = (Node *) list_nth(best_path->custom_private, 4);
	RelOptInfo *baserel = find_base_rel(root, relid);
	RangeTblEntry *rte = planner_rt_fetch(relid, root);
	CustomScan *cscan = makeNode(CustomScan);
	List	   *quals = NIL;
	List	   *args = NIL;
	List	   *specs = NIL;
	List	   *fractions = NIL;
	List	   *scan_tlist = NIL;
	Relation	r;
	TupleDesc	desc;
	ListCell   *lc;
	int			i;

	foreach(lc, rinfos)
		quals = lappend(quals, copyObject(((RestrictInfo *) lfirst(lc))->clause));

	/*
	 * The scan tuple: the table's columns first, so that setrefs turns the
	 * quals' Vars into INDEX_VAR references with the same attribute numbers
	 * (the quals then run on the table's rows as they are), then one column
	 * per aggregate, which the target list's Aggrefs become references to.
	 */
	r = table_open(rte->relid, NoLock);
	desc = RelationGetDescr(r);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Expr	   *e;

		if (att->attisdropped)
			e = (Expr *) makeNullConst(INT4OID, -1, InvalidOid);
		else
			e = (Expr *) makeVar(relid, att->attnum, att->atttypid, att->atttypmod,
								 att->attcollation, 0);
		scan_tlist = lappend(scan_tlist, makeTargetEntry(e, i + 1, NULL, false));
	}
	table_close(r, NoLock);
	foreach(lc, aggrefs)
	{
		Aggref	   *ag = lfirst(lc);
		int			kind = cocoon_agg_kind(ag->aggfnoid);
		AttrNumber	attno = 0;
		Oid			type = InvalidOid;

		if (kind != CAGG_COUNT_STAR)
		{
			Expr	   *argexpr = ((TargetEntry *) linitial(ag->args))->expr;
			Var		   *v = (Var *) strip_relabel((Node *) argexpr);

			attno = v->varattno;
			type = exprType((Node *) argexpr);
			args = lappend(args, v);
		}
		specs = lappend_int(specs, kind);
		specs = lappend_int(specs, attno);
		specs = lappend_int(specs, (int) type);
		if (kind == CAGG_PCT_CONT && !((Const *) linitial(ag->aggdirectargs))->constisnull)
			fractions = lappend(fractions,
								makeString(psprintf("%.17g",
													DatumGetFloat8(((Const *) linitial(ag->aggdirectargs))->constvalue))));
		else
			fractions = lappend(fractions, makeString(pstrdup("null")));
		scan_tlist = lappend(scan_tlist,
							 makeTargetEntry((Expr *) copyObject(ag),
											 list_length(scan_tlist) + 1, NULL, false));
	}

	cscan->scan.plan.targetlist = tlist;
	/* HAVING: evaluated by ExecScan on each group's row */
	if (having == NULL)
		cscan->scan.plan.qual = NIL;
	else if (IsA(having, List))
		cscan->scan.plan.qual = (List *) copyObject(having);	/* already implicit-AND */
	else
		cscan->scan.plan.qual = make_ands_implicit((Expr *) copyObject(having));
	cscan->scan.scanrelid = relid;
	cscan->flags = best_path->flags;
	cscan->methods = &cocoon_agg_scan_methods;
	cscan->custom_scan_tlist = scan_tlist;
	foreach(lc, group_attnos)
	{
		Form_pg_attribute att;

		r = table_open(rte->relid, NoLock);
		att = TupleDescAttr(RelationGetDescr(r), lfirst_int(lc) - 1);
		args = lappend(args, makeVar(relid, att->attnum, att->atttypid, att->atttypmod,
									 att->attcollation, 0));
		table_close(r, NoLock);
	}
	fill_scan_private(root, baserel, cscan, args, quals, false);
	cscan->custom_private = lappend(cscan->custom_private, specs);
	cscan->custom_private = lappend(cscan->custom_private, list_make1_int(list_length(quals)));
	cscan->custom_private = lappend(cscan->custom_private, list_copy(group_attnos));
	cscan->custom_private = lappend(cscan->custom_private, fractions);
	cscan->custom_exprs = list_concat(cscan->custom_exprs, quals);
	return &cscan->scan.plan;
}

static Node *
create_cocoon_agg_state(CustomScan *cscan)
{
	CocoonScanState *state = (CocoonScanState *) newNode(sizeof(CocoonScanState),
														 T_CustomScanState);

	state->css.methods = &cocoon_agg_exec_methods;
	return (Node *) state;
}

/* ------------------------------------------------------------------------
 * Execution
 * ------------------------------------------------------------------------
 */
static Node *
create_cocoon_scan_state(CustomScan *cscan)
{
	CocoonScanState *state = (CocoonScanState *) newNode(sizeof(CocoonScanState),
														 T_CustomScanState);

	state->css.methods = &cocoon_exec_methods;
	return (Node *) state;
}

static void
begin_cocoon_scan(CustomScanState *node, EState *estate, int eflags)
{
	CocoonScanState *state = (CocoonScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *attr_list = linitial(cscan->custom_private);
	ListCell   *lc;

	state->attrs = NULL;
	if (!(list_length(attr_list) == 1 && linitial_int(attr_list) == -1))
	{
		foreach(lc, attr_list)
			state->attrs = bms_add_member(state->attrs, lfirst_int(lc) - 1);
		/*
		 * A query needing no column (count(*)) still needs the rows: a set
		 * holding only a number past the last attribute reads none.
		 */
		if (state->attrs == NULL)
			state->attrs = bms_make_singleton(RelationGetDescr(node->ss.ss_currentRelation)->natts);
	}
	state->ts_attno = linitial_int((List *) lsecond(cscan->custom_private));
	state->bound_strategies = lthird(cscan->custom_private);
	state->bound_is_array = lfourth(cscan->custom_private);
	/*
	 * Late materialisation: the table scan evaluates the quals itself, on
	 * the quals' columns only, before decoding the others; ExecScan then
	 * has nothing left to check.  The quals are evaluated in plan order
	 * (security quals first), exactly as ExecScan would.
	 */
	state->agg_mode = (cscan->methods == &cocoon_agg_scan_methods);
	if (state->agg_mode)
	{
		/*
		 * The base quals come last in custom_exprs; setrefs made their Vars
		 * INDEX_VAR references to the custom scan tuple, whose first natts
		 * columns are the table's own (see plan_cocoon_agg_path).
		 */
		int			nquals = linitial_int((List *) list_nth(cscan->custom_private, 7));
		List	   *quals = list_copy_tail(cscan->custom_exprs,
										   list_length(cscan->custom_exprs) - nquals);
		List	   *specs = (List *) list_nth(cscan->custom_private, 6);
		List	   *fractions = (List *) list_nth(cscan->custom_private, 9);
		int			i;

		state->filter_qual = quals ? ExecInitQual(quals, &node->ss.ps) : NULL;

		state->naggs = list_length(specs) / 3;
		state->templ = palloc0(sizeof(CocoonAggAcc) * Max(state->naggs, 1));
		for (i = 0; i < state->naggs; i++)
		{
			char	   *f = strVal(list_nth(fractions, i));

			cocoon_agg_init(&state->templ[i], list_nth_int(specs, 3 * i),
							list_nth_int(specs, 3 * i + 1) - 1,
							(Oid) list_nth_int(specs, 3 * i + 2));
			state->templ[i].fraction_null = strcmp(f, "null") == 0;
			state->templ[i].fraction = state->templ[i].fraction_null ? 0 : strtod(f, NULL);
			state->templ[i].vals_cxt = CurrentMemoryContext;
		}
		state->accs = palloc(sizeof(CocoonAggAcc) * Max(state->naggs, 1));
		memcpy(state->accs, state->templ, sizeof(CocoonAggAcc) * state->naggs);
		state->row_slot = table_slot_create(node->ss.ss_currentRelation,
											&estate->es_tupleTable);
		state->agg_done = false;
		state->emit_pos = 0;
		{
			List	   *gat = (List *) list_nth(cscan->custom_private, 8);
			TupleDesc	rd = RelationGetDescr(node->ss.ss_currentRelation);

			state->ngcols = list_length(gat);
			state->gattidx = palloc(sizeof(int) * Max(state->ngcols, 1));
			state->gtyplen = palloc(sizeof(int16) * Max(state->ngcols, 1));
			state->gtypbyval = palloc(sizeof(bool) * Max(state->ngcols, 1));
			for (i = 0; i < state->ngcols; i++)
			{
				Form_pg_attribute att = TupleDescAttr(rd, list_nth_int(gat, i) - 1);

				state->gattidx[i] = att->attnum - 1;
				state->gtyplen[i] = att->attlen;
				state->gtypbyval[i] = att->attbyval;
			}
			state->group_cxt = AllocSetContextCreate(CurrentMemoryContext, "cocoon groups",
													 ALLOCSET_DEFAULT_SIZES);
			state->batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "cocoon group keys",
													 ALLOCSET_DEFAULT_SIZES);
		}
	}
	else
	{
		state->filter_qual = node->ss.ps.qual;
		node->ss.ps.qual = NULL;
	}
	state->filter_attrs = NULL;
	if (state->filter_qual)
	{
		Bitmapset  *qattrs = NULL;
		int			x = -1;
		int			natts = RelationGetDescr(node->ss.ss_currentRelation)->natts;

		if (state->agg_mode)
		{
			int			nquals = linitial_int((List *) list_nth(cscan->custom_private, 7));

			pull_varattnos((Node *) list_copy_tail(cscan->custom_exprs,
												   list_length(cscan->custom_exprs) - nquals),
						   INDEX_VAR, &qattrs);
		}
		else
			pull_varattnos((Node *) cscan->scan.plan.qual, cscan->scan.scanrelid, &qattrs);
		if (bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, qattrs))
			state->filter_attrs = NULL;	/* whole row */
		else
		{
			while ((x = bms_next_member(qattrs, x)) >= 0)
			{
				AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;

				if (attno > 0)
					state->filter_attrs = bms_add_member(state->filter_attrs, attno - 1);
			}
			if (state->filter_attrs == NULL)
				state->filter_attrs = bms_make_singleton(natts);
		}
	}
	state->probe_specs = (List *) list_nth(cscan->custom_private, 4);
	{
		List	   *topn = (List *) list_nth(cscan->custom_private, 5);

		state->topn_k = topn ? linitial_int(topn) : 0;
		state->topn_desc = topn ? lsecond_int(topn) != 0 : false;
		state->topn_nulls_first = topn ? lthird_int(topn) != 0 : false;
	}
	{
		int			nbounds = list_length(state->bound_strategies);
		int			nquals = state->agg_mode ?
			linitial_int((List *) list_nth(cscan->custom_private, 7)) : 0;
		List	   *exprs = list_copy_head(cscan->custom_exprs,
										   list_length(cscan->custom_exprs) - nquals);
		List	   *all = ExecInitExprList(exprs, &node->ss.ps);

		state->bound_exprs = list_copy_head(all, nbounds);
		state->probe_exprs = list_copy_tail(all, nbounds);
	}
	state->scan = NULL;
}

static void
tighten(CocoonScanBounds *b, int strategy, int64 v, bool *empty)
{
	switch (strategy)
	{
		case BTLessStrategyNumber:
			if (v == PG_INT64_MIN)
				*empty = true;
			else
				b->ts_hi = Min(b->ts_hi, v - 1);
			break;
		case BTLessEqualStrategyNumber:
			b->ts_hi = Min(b->ts_hi, v);
			break;
		case BTEqualStrategyNumber:
			b->ts_lo = Max(b->ts_lo, v);
			b->ts_hi = Min(b->ts_hi, v);
			break;
		case BTGreaterEqualStrategyNumber:
			b->ts_lo = Max(b->ts_lo, v);
			break;
		case BTGreaterStrategyNumber:
			if (v == PG_INT64_MAX)
				*empty = true;
			else
				b->ts_lo = Max(b->ts_lo, v + 1);
			break;
	}
}

/*
 * Evaluate the bound expressions (once per scan start: parameters may
 * change between rescans).
 */
static void
compute_bounds(CocoonScanState *state)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	ListCell   *le,
			   *ls,
			   *la;

	memset(&state->bounds, 0, sizeof(state->bounds));
	state->empty = false;
	if (state->bound_exprs == NIL)
		return;
	state->bounds.has_ts = true;
	state->bounds.ts_attno = state->ts_attno;
	state->bounds.ts_lo = PG_INT64_MIN;
	state->bounds.ts_hi = PG_INT64_MAX;
	forthree(le, state->bound_exprs, ls, state->bound_strategies, la, state->bound_is_array)
	{
		ExprState  *es = lfirst(le);
		bool		isnull;
		Datum		d = ExecEvalExprSwitchContext(es, econtext, &isnull);

		if (isnull)
		{
			/* a comparison with NULL is never true */
			state->empty = true;
			continue;
		}
		if (lfirst_int(la))
		{
			ArrayType  *arr = DatumGetArrayTypeP(d);
			Datum	   *elems;
			bool	   *nulls;
			int			n,
						i;
			int64		mn = PG_INT64_MAX,
						mx = PG_INT64_MIN;
			bool		any = false;

			deconstruct_array(arr, ARR_ELEMTYPE(arr), 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
							  &elems, &nulls, &n);
			for (i = 0; i < n; i++)
			{
				int64		v;

				if (nulls[i])
					continue;
				v = DatumGetInt64(elems[i]);
				mn = Min(mn, v);
				mx = Max(mx, v);
				any = true;
			}
			if (!any)
				state->empty = true;
			else
			{
				tighten(&state->bounds, BTGreaterEqualStrategyNumber, mn, &state->empty);
				tighten(&state->bounds, BTLessEqualStrategyNumber, mx, &state->empty);
			}
		}
		else
			tighten(&state->bounds, lfirst_int(ls), DatumGetInt64(d), &state->empty);
	}
	ResetExprContext(econtext);
	if (state->bounds.ts_lo > state->bounds.ts_hi)
		state->empty = true;
}

typedef struct ProbeCollect
{
	CocoonProbe *p;
	int			cap;
} ProbeCollect;

static void
probe_collect(void *arg, uint64 h)
{
	ProbeCollect *pc = (ProbeCollect *) arg;

	if (pc->p->nhashes >= pc->cap)
	{
		pc->cap *= 2;
		pc->p->hashes = repalloc(pc->p->hashes, sizeof(uint64) * pc->cap);
	}
	pc->p->hashes[pc->p->nhashes++] = h;
}

static uint64
datum_value_hash(Datum d, Oid type)
{
	if (type == UUIDOID)
		return cocoon_bloom_value_hash((char *) DatumGetPointer(d), UUID_LEN);
	{
		struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));

		return cocoon_bloom_value_hash(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	}
}

/*
 * Evaluate the probe operands into CocoonProbes (in the per-query context).
 */
/* = and IN on text (deterministic collation) or uuid: keep the values */
static void
probe_keep_value(CocoonProbe *p, Datum d, Oid type)
{
	int16		len = get_typlen(type);

	if (len != -1 && len != 16)
		return;
	if (p->vals == NULL)
		p->vals = palloc(sizeof(Datum) * 8);
	else if (p->nvals >= 8 && (p->nvals & (p->nvals - 1)) == 0)
		p->vals = repalloc(p->vals, sizeof(Datum) * p->nvals * 2);
	if (len == -1)
		d = PointerGetDatum(pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d)));
	p->vals[p->nvals++] = datumCopy(d, false, len);
	p->vlen = len;
}

/*
 * LIKE: the longest run of literal bytes in the pattern (between % and _),
 * which every matching value contains.  None when the pattern has escapes.
 */
static void
like_literal(CocoonProbe *p, const char *pat, int len)
{
	int			i,
				start = 0,
				best = -1,
				bestlen = 0;

	for (i = 0; i < len; i++)
		if (pat[i] == '\\')
			return;
	for (i = 0; i <= len; i++)
	{
		if (i == len || pat[i] == '%' || pat[i] == '_')
		{
			if (i - start > bestlen)
			{
				best = start;
				bestlen = i - start;
			}
			start = i + 1;
		}
	}
	if (best < 0 || bestlen == 0)
		return;
	p->substr = palloc(bestlen);
	memcpy(p->substr, pat + best, bestlen);
	p->substr_len = bestlen;
}

/*
 * jsonb ? and @>: every key and string scalar of the query (at any depth)
 * is a literal each matching row contains: jsonb keeps keys and strings as
 * their raw bytes, and containment and existence compare them bytewise, so
 * a row whose jsonb bytes lack the literal cannot match.  The longest
 * string value is taken (keys recur in most rows, values rarely), else the
 * longest key.
 */
static void
jsonb_literal(CocoonProbe *p, Jsonb *jb)
{
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	const char *best = NULL;
	int			bestlen = 0;
	bool		best_is_key = true;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		bool		is_key = (tok == WJB_KEY);

		if ((tok != WJB_KEY && tok != WJB_VALUE && tok != WJB_ELEM) ||
			v.type != jbvString || v.val.string.len == 0)
			continue;
		if ((best_is_key && !is_key) ||
			(best_is_key == is_key && v.val.string.len > bestlen))
		{
			best = v.val.string.val;
			bestlen = v.val.string.len;
			best_is_key = is_key;
		}
	}
	if (bestlen == 0)
		return;
	p->substr = palloc(bestlen);
	memcpy(p->substr, best, bestlen);
	p->substr_len = bestlen;
	p->substr_jsonb = true;
}

/*
 * LIKE 'abc%...' (deterministic collation: LIKE compares bytes, whatever
 * the collation's order) matches only values starting with the bytes
 * "abc": a probe of the chunks' bytewise bounds.  The literal prefix ends
 * at the first wildcard or escape.
 */
static void
like_prefix_probe(CocoonScanState *state, int attidx, const char *pat, int len)
{
	CocoonProbe *q;
	int			n = 0;

	while (n < len && pat[n] != '%' && pat[n] != '_' && pat[n] != '\\')
		n++;
	if (n == 0)
		return;
	q = palloc0(sizeof(CocoonProbe));
	q->attidx = attidx;
	q->kind = PROBE_BYTES;
	q->strategy = COCOON_BOUND_PREFIX;
	q->keylen = n;
	q->key = palloc(n);
	memcpy(q->key, pat, n);
	state->probes = lappend(state->probes, q);
}

/* a bpchar value without its trailing blanks, as a plain varlena */
static Datum
bpchar_rtrimmed(Datum d)
{
	struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
	const char *s = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);

	while (len > 0 && s[len - 1] == ' ')
		len--;
	return PointerGetDatum(cstring_to_text_with_len(s, len));
}

static void
compute_probes(CocoonScanState *state)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	MemoryContext qcxt = state->css.ss.ps.state->es_query_cxt;
	ListCell   *le;
	int			i = 0;

	state->probes = NIL;
	foreach(le, state->probe_exprs)
	{
		ExprState  *es = lfirst(le);
		int			attno = list_nth_int(state->probe_specs, i * 3);
		int			kind = list_nth_int(state->probe_specs, i * 3 + 1);
		int			strategy = list_nth_int(state->probe_specs, i * 3 + 2);
		bool		isnull;
		Datum		d;
		MemoryContext old;
		CocoonProbe *p;
		Oid			type = exprType((Node *) es->expr);

		i++;
		d = ExecEvalExprSwitchContext(es, econtext, &isnull);
		if (isnull)
			continue;			/* the qual itself rejects every row */
		old = MemoryContextSwitchTo(qcxt);
		p = palloc0(sizeof(CocoonProbe));
		p->attidx = attno - 1;
		switch (kind)
		{
			case PLAN_PROBE_EQ:
				p->kind = PROBE_BLOOM_ANY;
				p->hashes = palloc(sizeof(uint64));
				p->hashes[0] = datum_value_hash(d, type);
				p->nhashes = 1;
				probe_keep_value(p, d, type);
				break;
			case PLAN_PROBE_IN:
			case PLAN_PROBE_BIN:
			case PLAN_PROBE_BPIN:
			case PLAN_PROBE_CMP_IN:
			case PLAN_PROBE_NCMP_IN:
			case PLAN_PROBE_UCMP_IN:
				{
					ArrayType  *arr = DatumGetArrayTypeP(d);
					Oid			elemtype = ARR_ELEMTYPE(arr);
					int16		elmlen;
					bool		elmbyval;
					char		elmalign;
					Datum	   *elems;
					bool	   *nulls;
					int			n,
								k;

					get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
					deconstruct_array(arr, elemtype, elmlen, elmbyval, elmalign,
									  &elems, &nulls, &n);
					if (kind == PLAN_PROBE_BPIN)
					{
						/* values without trailing blanks; no bloom filter */
						p->kind = PROBE_BLOOM_ANY;
						p->vals_rtrim = true;
						p->bpchar = true;
						p->hashes = palloc(sizeof(uint64) * Max(n, 1));
						for (k = 0; k < n; k++)
							if (!nulls[k])
							{
								Datum		t = bpchar_rtrimmed(elems[k]);

								p->hashes[p->nhashes++] = datum_value_hash(t, TEXTOID);
								probe_keep_value(p, t, TEXTOID);
							}
					}
					else if (kind == PLAN_PROBE_IN || kind == PLAN_PROBE_BIN)
					{
						/*
						 * bytea has no bloom filter: the kept values are
						 * tested against the chunks' bytewise bounds
						 */
						p->kind = PROBE_BLOOM_ANY;
						p->hashes = palloc(sizeof(uint64) * Max(n, 1));
						for (k = 0; k < n; k++)
							if (!nulls[k])
							{
								p->hashes[p->nhashes++] = datum_value_hash(elems[k], elemtype);
								probe_keep_value(p, elems[k], elemtype);
							}
					}
					else if (kind == PLAN_PROBE_NCMP_IN)
					{
						p->kind = PROBE_NRANGE;
						p->lo = PG_INT64_MAX;
						p->hi = PG_INT64_MIN;
						for (k = 0; k < n; k++)
						{
							double		v;

							if (nulls[k])
								continue;
							v = cocoon_numeric_to_double(DatumGetNumeric(elems[k]));
							p->lo = Min(p->lo, cocoon_numeric_key_down(v));
							p->hi = Max(p->hi, cocoon_numeric_key_up(v));
							p->nhashes++;
						}
					}
					else
					{
						p->kind = kind == PLAN_PROBE_UCMP_IN ? PROBE_URANGE : PROBE_RANGE;
						p->lo = PG_INT64_MAX;
						p->hi = PG_INT64_MIN;
						for (k = 0; k < n; k++)
						{
							int64		v;

							if (nulls[k])
								continue;
							v = kind == PLAN_PROBE_UCMP_IN ? (int64) DatumGetObjectId(elems[k]) :
								elmlen == 2 ? DatumGetInt16(elems[k]) :
								elmlen == 4 ? DatumGetInt32(elems[k]) : DatumGetInt64(elems[k]);
							p->lo = Min(p->lo, v);
							p->hi = Max(p->hi, v);
							p->nhashes++;
						}
					}
					if (p->nhashes == 0)
						state->empty = true;	/* IN of only NULLs */
					break;
				}
			case PLAN_PROBE_LIKE:
			case PLAN_PROBE_ILIKE:
				p->kind = PROBE_BLOOM_ALL;
				d = PointerGetDatum(pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d)));
				if (kind == PLAN_PROBE_LIKE)
				{
					like_literal(p, VARDATA_ANY(DatumGetPointer(d)),
								 VARSIZE_ANY_EXHDR(DatumGetPointer(d)));
					like_prefix_probe(state, p->attidx, VARDATA_ANY(DatumGetPointer(d)),
									  VARSIZE_ANY_EXHDR(DatumGetPointer(d)));
				}
				if (!cocoon_like_trigrams(VARDATA_ANY(DatumGetPointer(d)),
										  VARSIZE_ANY_EXHDR(DatumGetPointer(d)),
										  kind == PLAN_PROBE_ILIKE, &p->hashes, &p->nhashes))
				{
					/* no trigram to skip chunks with; the literal still filters rows */
					if (p->substr == NULL)
						p = NULL;
					else
					{
						p->hashes = NULL;
						p->nhashes = 0;
					}
				}
				break;
			case PLAN_PROBE_JEXISTS:
				{
					text	   *key = DatumGetTextPP(d);

					p->kind = PROBE_BLOOM_ALL;
					p->hashes = palloc(sizeof(uint64));
					p->hashes[0] = cocoon_bloom_json_key_hash(VARDATA_ANY(key),
															  VARSIZE_ANY_EXHDR(key));
					p->nhashes = 1;
					if (VARSIZE_ANY_EXHDR(key) > 0)
					{
						p->substr_len = VARSIZE_ANY_EXHDR(key);
						p->substr = palloc(p->substr_len);
						memcpy(p->substr, VARDATA_ANY(key), p->substr_len);
						p->substr_jsonb = true;
					}
					break;
				}
			case PLAN_PROBE_JCONTAINS:
				{
					Jsonb	   *jb = DatumGetJsonbP(d);
					ProbeCollect pc;

					p->kind = PROBE_BLOOM_ALL;
					jsonb_literal(p, jb);
					/* only an object query says what keys a row must have */
					if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_COUNT(jb) == 0)
					{
						/* no hashes to skip chunks with; the literal still filters rows */
						if (p->substr == NULL)
							p = NULL;
						break;
					}
					pc.p = p;
					pc.cap = 8;
					p->hashes = palloc(sizeof(uint64) * pc.cap);
					cocoon_jsonb_hashes(jb, probe_collect, &pc, false);
					break;
				}
			case PLAN_PROBE_FCMP:
				{
					double		v = type == FLOAT4OID ? (double) DatumGetFloat4(d) :
						DatumGetFloat8(d);
					CocoonScanBounds b;
					bool		empty = false;

					b.ts_lo = PG_INT64_MIN;
					b.ts_hi = PG_INT64_MAX;
					tighten(&b, strategy, cocoon_float_key(v), &empty);
					if (empty)
						state->empty = true;
					p->kind = PROBE_FRANGE;
					p->lo = b.ts_lo;
					p->hi = b.ts_hi;
					break;
				}
			case PLAN_PROBE_BCMP:
				p->kind = PROBE_BYTES;
				p->strategy = strategy;
				if (get_typlen(type) == UUID_LEN)
				{
					p->keylen = UUID_LEN;
					p->key = palloc(UUID_LEN);
					memcpy(p->key, DatumGetPointer(d), UUID_LEN);
				}
				else
				{
					d = PointerGetDatum(pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d)));
					p->keylen = VARSIZE_ANY_EXHDR(DatumGetPointer(d));
					p->key = palloc(Max(p->keylen, 1));
					memcpy(p->key, VARDATA_ANY(DatumGetPointer(d)), p->keylen);
				}
				break;
			case PLAN_PROBE_BPCMP:
				d = bpchar_rtrimmed(d);
				p->kind = PROBE_BYTES;
				p->bpchar = true;
				p->strategy = strategy;
				p->keylen = VARSIZE_ANY_EXHDR(DatumGetPointer(d));
				p->key = palloc(Max(p->keylen, 1));
				memcpy(p->key, VARDATA_ANY(DatumGetPointer(d)), p->keylen);
				break;
			case PLAN_PROBE_NCMP:
			case PLAN_PROBE_ICMP:
				{
					double		v = 0;
					CocoonScanBounds b;
					bool		empty = false;

					/*
					 * The stored keys are rounded outward; round the value
					 * outward too, the way that keeps every chunk that may
					 * hold a match: up for < and <=, down for > and >=.
					 */
					b.ts_lo = PG_INT64_MIN;
					b.ts_hi = PG_INT64_MAX;
					if (kind == PLAN_PROBE_NCMP)
						v = cocoon_numeric_to_double(DatumGetNumeric(d));
					else if (!cocoon_interval_span(DatumGetIntervalP(d), &v))
					{
						/* no spans in this build: a probe that skips nothing */
						p->kind = PROBE_IRANGE;
						p->lo = PG_INT64_MIN;
						p->hi = PG_INT64_MAX;
						break;
					}
					if (strategy == BTEqualStrategyNumber)
					{
						b.ts_lo = cocoon_numeric_key_down(v);
						b.ts_hi = cocoon_numeric_key_up(v);
					}
					else
						tighten(&b, strategy,
								strategy < BTEqualStrategyNumber ?
								cocoon_numeric_key_up(v) : cocoon_numeric_key_down(v),
								&empty);
					if (empty)
						state->empty = true;
					p->kind = kind == PLAN_PROBE_ICMP ? PROBE_IRANGE : PROBE_NRANGE;
					p->lo = b.ts_lo;
					p->hi = b.ts_hi;
					break;
				}
			case PLAN_PROBE_ACMP:
				{
					double		key;

					/*
					 * Keys never decrease along the order but may tie, so
					 * < and > keep the chunks whose bound equals the key.
					 */
					p->kind = PROBE_ARANGE;
					p->lo = PG_INT64_MIN;
					p->hi = PG_INT64_MAX;
					if (!cocoon_inet_key(DatumGetPointer(d), &key))
						break;
					if (strategy != BTGreaterStrategyNumber && strategy != BTGreaterEqualStrategyNumber)
						p->hi = cocoon_float_key(key);
					if (strategy != BTLessStrategyNumber && strategy != BTLessEqualStrategyNumber)
						p->lo = cocoon_float_key(key);
					break;
				}
			case PLAN_PROBE_ASUB:
				{
					double		lo,
								hi;

					/* every value inside the network has a key in [lo, hi] */
					p->kind = PROBE_ARANGE;
					p->lo = PG_INT64_MIN;
					p->hi = PG_INT64_MAX;
					if (cocoon_inet_subnet_keys(DatumGetPointer(d), &lo, &hi))
					{
						p->lo = cocoon_float_key(lo);
						p->hi = cocoon_float_key(hi);
					}
					break;
				}
			case PLAN_PROBE_ECMP:
				p->kind = PROBE_ERANGE;
				p->strategy = strategy;
				p->lo = (int64) DatumGetObjectId(d);
				p->enumtype = getBaseType(type);
				break;
			case PLAN_PROBE_UCMP:
				{
					/* oid: unsigned, in [0, 2^32 - 1] */
					CocoonScanBounds b;
					bool		empty = false;

					b.ts_lo = PG_INT64_MIN;
					b.ts_hi = PG_INT64_MAX;
					tighten(&b, strategy, (int64) DatumGetObjectId(d), &empty);
					if (empty)
						state->empty = true;
					p->kind = PROBE_URANGE;
					p->lo = b.ts_lo;
					p->hi = b.ts_hi;
					break;
				}
			case PLAN_PROBE_CMP:
				{
					int16		typlen = get_typlen(type);
					int64		v = typlen == 1 ? (DatumGetBool(d) ? 1 : 0) :
						typlen == 2 ? DatumGetInt16(d) :
						typlen == 4 ? DatumGetInt32(d) : DatumGetInt64(d);
					CocoonScanBounds b;
					bool		empty = false;

					b.ts_lo = PG_INT64_MIN;
					b.ts_hi = PG_INT64_MAX;
					tighten(&b, strategy, v, &empty);
					if (empty)
						state->empty = true;
					p->kind = PROBE_RANGE;
					p->lo = b.ts_lo;
					p->hi = b.ts_hi;
					break;
				}
		}
		if (p)
			state->probes = lappend(state->probes, p);
		MemoryContextSwitchTo(old);
	}
	ResetExprContext(econtext);
}

static bool
cocoon_row_filter(void *arg, TupleTableSlot *slot)
{
	CocoonScanState *state = (CocoonScanState *) arg;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;

	ResetExprContext(econtext);
	econtext->ecxt_scantuple = slot;
	if (ExecQual(state->filter_qual, econtext))
		return true;
	InstrCountFiltered1(&state->css, 1);
	return false;
}

static void
start_scan(CocoonScanState *state)
{
	Relation	rel = state->css.ss.ss_currentRelation;
	EState	   *estate = state->css.ss.ps.state;

	compute_bounds(state);
	compute_probes(state);
	state->prefiltered_seen = 0;
	if (state->pscan)
		state->scan = table_beginscan_parallel(rel, state->pscan);
	else
		state->scan = table_beginscan(rel, estate->es_snapshot, 0, NULL);
	cocoon_scan_set_attrs(state->scan, state->attrs);
	if (state->bounds.has_ts)
		cocoon_scan_set_bounds(state->scan, &state->bounds);
	cocoon_scan_set_probes(state->scan, state->probes);
	if (state->filter_qual)
		cocoon_scan_set_filter(state->scan, state->filter_attrs, cocoon_row_filter, state);
	if (state->topn_k > 0)
		cocoon_scan_set_topn(state->scan, state->ts_attno, state->topn_desc,
							 state->topn_nulls_first, state->topn_k);
}

/* A grouping key as compared: fixed-width values by their bytes, varlena detoasted */
static inline Datum
group_key_norm(CocoonScanState *state, int k, Datum d)
{
	if (state->gtypbyval[k])
	{
		switch (state->gtyplen[k])
		{
			case 1:
				return (Datum) DatumGetUInt8(d);
			case 2:
				return (Datum) DatumGetUInt16(d);
			case 4:
				return (Datum) DatumGetUInt32(d);
			default:
				return d;
		}
	}
	if (state->gtyplen[k] == -1)
	{
		struct varlena *p = (struct varlena *) DatumGetPointer(d);

		if (VARATT_IS_COMPRESSED(p) || VARATT_IS_EXTERNAL(p))
		{
			MemoryContext old = MemoryContextSwitchTo(state->batch_cxt);

			p = pg_detoast_datum_packed(p);
			MemoryContextSwitchTo(old);
		}
		return PointerGetDatum(p);
	}
	return d;
}

static inline uint32
group_key_hash(CocoonScanState *state, int k, Datum d, bool isnull)
{
	if (isnull)
		return 0x5bd1e995;
	if (state->gtypbyval[k])
		return murmurhash32((uint32) d) ^ murmurhash32((uint32) ((uint64) d >> 32));
	if (state->gtyplen[k] == -1)
		return hash_bytes((const unsigned char *) VARDATA_ANY(DatumGetPointer(d)),
						  VARSIZE_ANY_EXHDR(DatumGetPointer(d)));
	return hash_bytes((const unsigned char *) DatumGetPointer(d), state->gtyplen[k]);
}

static inline bool
group_key_equal(CocoonScanState *state, int k, Datum a, Datum b)
{
	if (state->gtypbyval[k])
		return a == b;
	if (state->gtyplen[k] == -1)
	{
		Size		la = VARSIZE_ANY_EXHDR(DatumGetPointer(a));

		return la == VARSIZE_ANY_EXHDR(DatumGetPointer(b)) &&
			memcmp(VARDATA_ANY(DatumGetPointer(a)), VARDATA_ANY(DatumGetPointer(b)), la) == 0;
	}
	return memcmp(DatumGetPointer(a), DatumGetPointer(b), state->gtyplen[k]) == 0;
}

/* The hash of a group's keys (normalised) */
static inline uint32
group_keys_hash(CocoonScanState *state, const Datum *keys, const bool *nulls)
{
	uint32		h = 0;
	int			k;

	for (k = 0; k < state->ngcols; k++)
		h = hash_combine(h, group_key_hash(state, k, keys[k], nulls[k]));
	return h;
}

/* The group of keys (normalised) with hash h: found or added. */
static int
group_find(CocoonScanState *state, const Datum *keys, const bool *nulls, uint32 h)
{
	int			nk = state->ngcols;
	uint32		pos = h & state->hmask;
	int			g;
	int			k;
	MemoryContext old;

	for (;;)
	{
		g = state->htab[pos];
		if (g < 0)
			break;
		if (state->ghash[g] == h)
		{
			for (k = 0; k < nk; k++)
			{
				bool		n1 = state->gnulls[g * nk + k];

				if (n1 != nulls[k] ||
					(!n1 && !group_key_equal(state, k, state->gkeys[g * nk + k], keys[k])))
					break;
			}
			if (k == nk)
				return g;
		}
		pos = (pos + 1) & state->hmask;
	}

	/* a new group */
	old = MemoryContextSwitchTo(state->group_cxt);
	if (state->ngroups == state->gcap)
	{
		int			cap = state->gcap * 2;
		int			i;

		state->gkeys = repalloc_huge(state->gkeys, sizeof(Datum) * cap * Max(nk, 1));
		state->gnulls = repalloc_huge(state->gnulls, sizeof(bool) * cap * Max(nk, 1));
		state->ghash = repalloc_huge(state->ghash, sizeof(uint32) * cap);
		state->accs = repalloc_huge(state->accs, sizeof(CocoonAggAcc) * cap * Max(state->naggs, 1));
		/* rehash into a table twice as large */
		pfree(state->htab);
		state->hmask = state->hmask * 2 + 1;
		state->htab = palloc(sizeof(int32) * (state->hmask + 1));
		memset(state->htab, 0xff, sizeof(int32) * (state->hmask + 1));
		for (i = 0; i < state->ngroups; i++)
		{
			uint32		p = state->ghash[i] & state->hmask;

			while (state->htab[p] >= 0)
				p = (p + 1) & state->hmask;
			state->htab[p] = i;
		}
		state->gcap = cap;
		pos = h & state->hmask;
		while (state->htab[pos] >= 0)
			pos = (pos + 1) & state->hmask;
	}
	g = state->ngroups++;
	state->htab[pos] = g;
	state->ghash[g] = h;
	for (k = 0; k < nk; k++)
	{
		state->gnulls[g * nk + k] = nulls[k];
		state->gkeys[g * nk + k] = nulls[k] ? (Datum) 0 :
			datumCopy(keys[k], state->gtypbyval[k], state->gtyplen[k]);
	}
	for (k = 0; k < state->naggs; k++)
	{
		state->accs[g * state->naggs + k] = state->templ[k];
		state->accs[g * state->naggs + k].vals_cxt = state->group_cxt;
	}
	MemoryContextSwitchTo(old);
	return g;
}

/* Where a batch's values of column attidx come from */
typedef struct ColSource
{
	Datum	   *values;			/* per row, or NULL: the constant */
	bool	   *isnull;
	Datum		constant;
	bool		constnull;
} ColSource;

static void
col_source(CocoonScanState *state, CocoonBatch *b, int attidx, ColSource *src)
{
	src->values = NULL;
	src->isnull = NULL;
	src->constnull = true;
	src->constant = (Datum) 0;
	if (attidx < 0)
		return;
	if (b->from_slot)
		src->constant = slot_getattr(state->row_slot, attidx + 1, &src->constnull);
	else if (!cocoon_stripe_column(b->sr, attidx, &src->values, &src->isnull))
	{
		src->values = NULL;
		src->constant = getmissingattr(RelationGetDescr(state->css.ss.ss_currentRelation),
									   attidx + 1, &src->constnull);
	}
}

/* A grouping column of a batch, as grouped_add_batch_dict sees it */
typedef struct DictKey
{
	const uint32 *codes;		/* per row; NULL: every row has the constant */
	const Datum *entries;		/* codes[r] < nentries: entries[codes[r]] */
	uint32		nentries;		/* codes[r] == nentries: NULL */
	uint32		stride;			/* its weight in the combined code */
	Datum		constant;
	bool		constnull;
} DictKey;

/* The group of combined code cc: found or added */
static int
dict_code_group(CocoonScanState *state, uint32 cc, Datum *keys, bool *nulls)
{
	int			k;

	for (k = 0; k < state->ngcols; k++)
	{
		DictKey    *dk = &state->dkeys[k];

		if (dk->codes == NULL)
		{
			nulls[k] = dk->constnull;
			keys[k] = nulls[k] ? (Datum) 0 : group_key_norm(state, k, dk->constant);
		}
		else
		{
			uint32		c = (cc / dk->stride) % (dk->nentries + 1);

			nulls[k] = (c == dk->nentries);
			keys[k] = nulls[k] ? (Datum) 0 : group_key_norm(state, k, dk->entries[c]);
		}
	}
	return group_find(state, keys, nulls, group_keys_hash(state, keys, nulls));
}

/*
 * GROUP BY over dictionary-encoded grouping columns.  When every grouping
 * column of the batch's chunk group comes in dictionary form
 * (cocoon_stripe_column_dict) or holds one value for the whole stripe (it
 * was added after the stripe was written), a row's group depends only on
 * its codes.  They combine into one number per row (mixed radix: code_k
 * times the product of the earlier columns' entry counts + 1); each number
 * is mapped to its group once, at its first row, by hashing the entries
 * instead of every row's values, so groups are created in the same order
 * as row by row.  count(*) and count(grouping column) are then counts of
 * the numbers; the other aggregates take their rows' values group by
 * group index, in row order as always.  Rows are the batch's: deleted rows
 * and rows failing the quals are not in it.  False (nothing done) when it
 * does not apply: a pending row, a grouping column not in dictionary form
 * in this chunk group, or too many combinations to count.
 */
static bool
grouped_add_batch_dict(CocoonScanState *state, CocoonBatch *b)
{
	int			nk = state->ngcols;
	int			na = state->naggs;
	uint32		n = b->nrows;
	const uint32 *rows = b->rows;
	uint64		ncodes = 1;
	uint32		nseen = 0;
	uint32		i,
				j;
	int			k;
	Datum	   *keys;
	bool	   *nulls;
	bool		need_rows = false;

	if (b->from_slot || n == 0)
		return false;
	if (state->dkeys == NULL)
	{
		MemoryContext qcxt = state->css.ss.ps.state->es_query_cxt;

		state->dkeys = MemoryContextAlloc(qcxt, sizeof(DictKey) * nk);
		state->dhist_ok = MemoryContextAlloc(qcxt, sizeof(bool) * Max(na, 1));
		/* count(*) and count(grouping column) need only the histogram */
		for (k = 0; k < na; k++)
		{
			CocoonAggAcc *t = &state->templ[k];
			int			g;

			state->dhist_ok[k] = t->kind == CAGG_COUNT_STAR;
			for (g = 0; g < nk && t->kind == CAGG_COUNT; g++)
				if (state->gattidx[g] == t->attidx)
					state->dhist_ok[k] = true;
		}
	}
	for (k = 0; k < nk; k++)
	{
		DictKey    *dk = &state->dkeys[k];
		int			attidx = state->gattidx[k];
		Datum	   *values;
		bool	   *isnull;

		if (cocoon_stripe_column_dict(b->sr, attidx, &dk->codes, &dk->entries,
									  &dk->nentries))
		{
			dk->stride = (uint32) ncodes;
			ncodes *= (uint64) dk->nentries + 1;
		}
		else if (!cocoon_stripe_column(b->sr, attidx, &values, &isnull))
		{
			/* the stripe predates the column: its missing value */
			dk->codes = NULL;
			dk->nentries = 0;
			dk->stride = (uint32) ncodes;
			dk->constant = getmissingattr(RelationGetDescr(state->css.ss.ss_currentRelation),
										  attidx + 1, &dk->constnull);
		}
		else
			return false;
		/* at most one counter per row (or a few thousand) to clear */
		if (ncodes > Max((uint64) n, 4096))
			return false;
	}

	/* scratch arrays, kept across batches */
	if (state->dcap < ncodes)
	{
		MemoryContext qcxt = state->css.ss.ps.state->es_query_cxt;
		uint32		cap = Max((uint32) ncodes, 1024);

		if (state->dmap)
		{
			pfree(state->dmap);
			pfree(state->dcount);
			pfree(state->dseen);
		}
		state->dmap = MemoryContextAlloc(qcxt, sizeof(int32) * cap);
		state->dcount = MemoryContextAllocZero(qcxt, sizeof(uint32) * cap);
		state->dseen = MemoryContextAlloc(qcxt, sizeof(uint32) * cap);
		state->dcap = cap;
	}
	for (k = 0; k < na; k++)
		if (!state->dhist_ok[k])
			need_rows = true;
	if (need_rows && state->drow_cap < n)
	{
		if (state->drow_code)
			pfree(state->drow_code);
		state->drow_code = MemoryContextAlloc(state->css.ss.ps.state->es_query_cxt,
											  sizeof(uint32) * n);
		state->drow_cap = n;
	}
	keys = MemoryContextAlloc(state->batch_cxt, sizeof(Datum) * nk);
	nulls = MemoryContextAlloc(state->batch_cxt, sizeof(bool) * nk);

	/*
	 * Count the rows of each combined code, mapping a code to its group at
	 * its first row.  dcount is all zero between batches.
	 */
#define DICT_COUNT_ROW(cc, i) \
	do { \
		uint32		cc_ = (cc); \
		if (unlikely(state->dcount[cc_]++ == 0)) \
		{ \
			state->dmap[cc_] = dict_code_group(state, cc_, keys, nulls); \
			state->dseen[nseen++] = cc_; \
		} \
		if (need_rows) \
			state->drow_code[(i)] = cc_; \
	} while (0)

	if (nk == 1 && state->dkeys[0].codes != NULL)
	{
		const uint32 *codes = state->dkeys[0].codes;

		if (rows == NULL)
			for (i = 0; i < n; i++)
				DICT_COUNT_ROW(codes[i], i);
		else
			for (i = 0; i < n; i++)
				DICT_COUNT_ROW(codes[rows[i]], i);
	}
	else
	{
		for (i = 0; i < n; i++)
		{
			uint32		r = rows ? rows[i] : i;
			uint32		cc = 0;

			for (k = 0; k < nk; k++)
				if (state->dkeys[k].codes != NULL)
					cc += state->dkeys[k].codes[r] * state->dkeys[k].stride;
			DICT_COUNT_ROW(cc, i);
		}
	}
#undef DICT_COUNT_ROW

	/* the aggregates, one at a time */
	for (k = 0; k < na; k++)
	{
		CocoonAggAcc *t = &state->templ[k];
		ColSource	src;

		if (state->dhist_ok[k])
		{
			int			key = -1;

			if (t->kind == CAGG_COUNT)
				for (key = 0; key < nk && state->gattidx[key] != t->attidx; key++)
					;
			for (j = 0; j < nseen; j++)
			{
				uint32		cc = state->dseen[j];
				CocoonAggAcc *a = &state->accs[state->dmap[cc] * na + k];

				if (key >= 0)
				{
					/* count(grouping column): the group's rows unless its key is NULL */
					DictKey    *dk = &state->dkeys[key];
					bool		null = dk->codes ? (cc / dk->stride) % (dk->nentries + 1) == dk->nentries :
						dk->constnull;

					if (!null)
						a->count += state->dcount[cc];
				}
				else
					a->count += state->dcount[cc];
			}
			continue;
		}
		col_source(state, b, t->attidx, &src);
		if (src.values == NULL)
		{
			/* one value for all the rows (the stripe predates the column) */
			for (j = 0; j < nseen; j++)
			{
				uint32		cc = state->dseen[j];

				cocoon_agg_add_value(&state->accs[state->dmap[cc] * na + k],
									 src.constant, src.constnull, state->dcount[cc]);
			}
			continue;
		}
		for (i = 0; i < n; i++)
		{
			uint32		r = rows ? rows[i] : i;

			cocoon_agg_add(&state->accs[state->dmap[state->drow_code[i]] * na + k],
						   src.values[r], src.isnull[r]);
		}
	}
	for (j = 0; j < nseen; j++)
		state->dcount[state->dseen[j]] = 0;
	MemoryContextReset(state->batch_cxt);
	state->dict_batches++;
	return true;
}

/* GROUP BY: every row of the batch into its group's accumulators */
static void
grouped_add_batch(CocoonScanState *state, CocoonBatch *b)
{
	int			nk = state->ngcols;
	int			na = state->naggs;
	/* in batch_cxt, reset at the end: not one allocation per batch for the query */
	ColSource  *ks = MemoryContextAlloc(state->batch_cxt, sizeof(ColSource) * nk);
	ColSource  *as = MemoryContextAlloc(state->batch_cxt, sizeof(ColSource) * Max(na, 1));
	Datum	   *keys = MemoryContextAlloc(state->batch_cxt, sizeof(Datum) * nk);
	bool	   *nulls = MemoryContextAlloc(state->batch_cxt, sizeof(bool) * nk);
	uint32		i;
	int			k;
	int			last_g = -1;

	for (k = 0; k < nk; k++)
		col_source(state, b, state->gattidx[k], &ks[k]);
	for (k = 0; k < na; k++)
		col_source(state, b, state->templ[k].attidx, &as[k]);
	for (i = 0; i < b->nrows; i++)
	{
		uint32		r = b->rows ? b->rows[i] : i;
		int			g;
		CocoonAggAcc *acc;
		bool		same = last_g >= 0;

		for (k = 0; k < nk; k++)
		{
			if (ks[k].values)
			{
				nulls[k] = ks[k].isnull[r];
				keys[k] = nulls[k] ? (Datum) 0 : group_key_norm(state, k, ks[k].values[r]);
			}
			else
			{
				nulls[k] = ks[k].constnull;
				keys[k] = nulls[k] ? (Datum) 0 : group_key_norm(state, k, ks[k].constant);
			}
			if (same &&
				(state->gnulls[last_g * nk + k] != nulls[k] ||
				 (!nulls[k] && !group_key_equal(state, k, state->gkeys[last_g * nk + k], keys[k]))))
				same = false;
		}
		if (same)
			g = last_g;			/* the previous row's group: no hashing */
		else
		{
			g = group_find(state, keys, nulls, group_keys_hash(state, keys, nulls));
			last_g = g;
		}
		acc = &state->accs[g * na];
		for (k = 0; k < na; k++)
		{
			if (as[k].values)
				cocoon_agg_add(&acc[k], as[k].values[r], as[k].isnull[r]);
			else
				cocoon_agg_add(&acc[k], as[k].constant, as[k].constnull);
		}
	}
	MemoryContextReset(state->batch_cxt);
}

/* GROUP BY: aggregate everything, then return one row per group */
static TupleTableSlot *
cocoon_agg_grouped_next(CocoonScanState *state)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	int			natts = RelationGetDescr(state->css.ss.ss_currentRelation)->natts;
	int			nk = state->ngcols;
	int			na = state->naggs;
	int			g,
				i;

	if (!state->agg_done)
	{
		CocoonBatch b;
		MemoryContext old = MemoryContextSwitchTo(state->group_cxt);

		state->gcap = 64;
		state->ngroups = 0;
		state->gkeys = palloc(sizeof(Datum) * state->gcap * nk);
		state->gnulls = palloc(sizeof(bool) * state->gcap * nk);
		state->ghash = palloc(sizeof(uint32) * state->gcap);
		state->accs = palloc(sizeof(CocoonAggAcc) * state->gcap * Max(na, 1));
		state->hmask = 127;
		state->htab = palloc(sizeof(int32) * (state->hmask + 1));
		memset(state->htab, 0xff, sizeof(int32) * (state->hmask + 1));
		MemoryContextSwitchTo(old);

		if (state->scan == NULL)
			start_scan(state);
		while (!state->empty && cocoon_scan_next_batch(state->scan, state->row_slot, &b))
		{
			if (!grouped_add_batch_dict(state, &b))
				grouped_add_batch(state, &b);
		}
		state->agg_done = true;
		state->emit_pos = 0;
	}
	if (state->emit_pos >= state->ngroups)
		return ExecClearTuple(slot);
	g = state->emit_pos++;
	ExecClearTuple(slot);
	for (i = 0; i < natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	for (i = 0; i < nk; i++)
	{
		slot->tts_values[state->gattidx[i]] = state->gkeys[g * nk + i];
		slot->tts_isnull[state->gattidx[i]] = state->gnulls[g * nk + i];
	}
	for (i = 0; i < na; i++)
		slot->tts_values[natts + i] = cocoon_agg_result(&state->accs[g * na + i],
														&slot->tts_isnull[natts + i]);
	return ExecStoreVirtualTuple(slot);
}

/*
 * CocoonAggregate: run the whole scan through the accumulators and return
 * the one row of results (the table's columns NULL, then the aggregates).
 */
static TupleTableSlot *
cocoon_agg_next(CocoonScanState *state)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	TupleDesc	reldesc = RelationGetDescr(state->css.ss.ss_currentRelation);
	int			natts = reldesc->natts;
	CocoonBatch b;
	int			i;

	if (state->agg_done)
		return ExecClearTuple(slot);
	if (state->scan == NULL)
	{
		start_scan(state);
		cocoon_scan_set_lazy(state->scan);
	}
	if (state->meta_ok == NULL)
		state->meta_ok = palloc(sizeof(bool) * Max(state->naggs, 1));
	while (!state->empty && cocoon_scan_next_batch(state->scan, state->row_slot, &b))
	{
		/*
		 * A chunk group taken whole (no quals, no deleted row): counts and
		 * integer min/max come from its descriptors; the rest is decoded.
		 */
		if (!b.from_slot)
		{
			Bitmapset  *need = NULL;

			for (i = 0; i < state->naggs; i++)
			{
				CocoonAggAcc *a = &state->accs[i];
				const CocoonChunkDesc *d = a->attidx >= 0 ?
					cocoon_stripe_chunk_desc(b.sr, b.chunk, a->attidx) : NULL;

				state->meta_ok[i] = a->kind == CAGG_COUNT_STAR ||
					(b.rows == NULL && d != NULL && d->nrows == b.nrows &&
					 (a->kind == CAGG_COUNT ||
					  ((a->kind == CAGG_MIN || a->kind == CAGG_MAX) && !a->is_float &&
					   (d->flags & COCOON_CHUNK_HAS_MINMAX) && d->nnulls < d->nrows)));
				if (!state->meta_ok[i])
					need = bms_add_member(need, a->attidx);
			}
			if (need != NULL && !cocoon_scan_batch_load(state->scan, need))
				continue;		/* damaged, skipped (cocoon.skip_damaged_chunks) */
		}
		for (i = 0; i < state->naggs; i++)
		{
			CocoonAggAcc *a = &state->accs[i];
			Datum	   *values;
			bool	   *isnull;

			if (!b.from_slot && state->meta_ok[i] && a->kind != CAGG_COUNT_STAR)
			{
				const CocoonChunkDesc *d = cocoon_stripe_chunk_desc(b.sr, b.chunk, a->attidx);
				int64		v = a->kind == CAGG_MIN ? d->min_value : d->max_value;

				if (a->kind == CAGG_COUNT)
					a->count += d->nrows - d->nnulls;
				else
					cocoon_agg_add(a, a->type == INT2OID ? Int16GetDatum((int16) v) :
								   (a->type == INT4OID || a->type == DATEOID) ?
								   Int32GetDatum((int32) v) : Int64GetDatum(v), false);
				continue;
			}
			if (b.from_slot)
			{
				bool		null = true;
				Datum		d = a->attidx >= 0 ?
					slot_getattr(state->row_slot, a->attidx + 1, &null) : (Datum) 0;

				cocoon_agg_add_value(a, d, null, 1);
			}
			else if (a->attidx < 0)
				cocoon_agg_add_batch(a, NULL, NULL, b.rows, b.nrows);
			else if (cocoon_stripe_column(b.sr, a->attidx, &values, &isnull))
				cocoon_agg_add_batch(a, values, isnull, b.rows, b.nrows);
			else
			{
				/* the stripe predates the column: its missing value */
				bool		null;
				Datum		d = getmissingattr(reldesc, a->attidx + 1, &null);

				cocoon_agg_add_value(a, d, null, b.nrows);
			}
		}
	}
	ExecClearTuple(slot);
	for (i = 0; i < natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	for (i = 0; i < state->naggs; i++)
		slot->tts_values[natts + i] = cocoon_agg_result(&state->accs[i],
														&slot->tts_isnull[natts + i]);
	ExecStoreVirtualTuple(slot);
	state->agg_done = true;
	return slot;
}

/* Rows the scan's prefilters rejected count as removed by the Filter */
static inline void
count_prefiltered(CocoonScanState *state)
{
	if (state->css.ss.ps.instrument)
	{
		CocoonScanStats st;

		cocoon_scan_get_stats(state->scan, &st);
		if (st.rows_prefiltered > state->prefiltered_seen)
		{
			InstrCountFiltered1(&state->css, st.rows_prefiltered - state->prefiltered_seen);
			state->prefiltered_seen = st.rows_prefiltered;
		}
	}
}

static TupleTableSlot *
cocoon_scan_next(ScanState *ss)
{
	CocoonScanState *state = (CocoonScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;

	if (state->agg_mode)
		return state->ngcols > 0 ? cocoon_agg_grouped_next(state) : cocoon_agg_next(state);
	if (state->scan == NULL)
		start_scan(state);
	if (state->empty)
		return ExecClearTuple(slot);
	if (table_scan_getnextslot(state->scan, ForwardScanDirection, slot))
	{
		count_prefiltered(state);
		return slot;
	}
	count_prefiltered(state);
	return ExecClearTuple(slot);
}

static bool
cocoon_scan_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_cocoon_scan(CustomScanState *node)
{
	return ExecScan(&node->ss, cocoon_scan_next, cocoon_scan_recheck);
}

static void
end_scan(CocoonScanState *state)
{
	if (state->scan)
	{
		cocoon_scan_get_stats(state->scan, &state->last_stats);
		table_endscan(state->scan);
	}
	state->scan = NULL;
}

static void
end_cocoon_scan(CustomScanState *node)
{
	end_scan((CocoonScanState *) node);
}

static void
rescan_cocoon_scan(CustomScanState *node)
{
	CocoonScanState *state = (CocoonScanState *) node;
	int			i;

	end_scan(state);
	if (state->agg_mode && state->ngcols > 0)
	{
		MemoryContextReset(state->group_cxt);
		state->agg_done = false;
	}
	else if (state->agg_mode)
	{
		state->agg_done = false;
		for (i = 0; i < state->naggs; i++)
		{
			if (state->accs[i].vals)
				pfree(state->accs[i].vals);
			state->accs[i] = state->templ[i];
		}
	}
	ExecScanReScan(&node->ss);
}

static Size
estimate_dsm_cocoon_scan(CustomScanState *node, ParallelContext *pcxt)
{
	return table_parallelscan_estimate(node->ss.ss_currentRelation,
									   node->ss.ps.state->es_snapshot);
}

static void
initialize_dsm_cocoon_scan(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	CocoonScanState *state = (CocoonScanState *) node;

	table_parallelscan_initialize(node->ss.ss_currentRelation,
								  (ParallelTableScanDesc) coordinate,
								  node->ss.ps.state->es_snapshot);
	state->pscan = (ParallelTableScanDesc) coordinate;
}

static void
reinitialize_dsm_cocoon_scan(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	CocoonScanState *state = (CocoonScanState *) node;

	end_scan(state);
	table_parallelscan_reinitialize(node->ss.ss_currentRelation,
									(ParallelTableScanDesc) coordinate);
}

static void
initialize_worker_cocoon_scan(CustomScanState *node, shm_toc *toc, void *coordinate)
{
	CocoonScanState *state = (CocoonScanState *) node;

	state->pscan = (ParallelTableScanDesc) coordinate;
}

static void
explain_cocoon_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	CocoonScanState *state = (CocoonScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *attr_list = linitial(cscan->custom_private);
	TupleDesc	desc = RelationGetDescr(node->ss.ss_currentRelation);

	if (list_length(attr_list) == 1 && linitial_int(attr_list) == -1)
		ExplainPropertyText("Cocoon Columns", "all", es);
	else
	{
		StringInfoData buf;
		ListCell   *lc;

		initStringInfo(&buf);
		foreach(lc, attr_list)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
							 quote_identifier(NameStr(TupleDescAttr(desc, lfirst_int(lc) - 1)->attname)));
		appendStringInfo(&buf, " (%d of %d)", list_length(attr_list), desc->natts);
		ExplainPropertyText("Cocoon Columns", buf.data, es);
	}
	if (lthird(cscan->custom_private) != NIL)
	{
		List	   *context = set_deparse_context_plan(es->deparse_cxt,
													   (Plan *) cscan, ancestors);
		StringInfoData buf;
		ListCell   *le,
				   *ls;
		static const char *const opname[] = {"", "<", "<=", "=", ">=", ">"};

		initStringInfo(&buf);
		forboth(le, cscan->custom_exprs, ls, (List *) lthird(cscan->custom_private))
		{
			int			s = lfirst_int(ls);

			appendStringInfo(&buf, "%s%s %s %s", buf.len ? " AND " : "",
							 quote_identifier(NameStr(TupleDescAttr(desc, state->ts_attno - 1)->attname)),
							 (s >= 1 && s <= 5) ? opname[s] : "?",
							 deparse_expression(lfirst(le), context, false, false));
		}
		ExplainPropertyText("Cocoon Time Filter", buf.data, es);
	}
	if (list_length((List *) list_nth(cscan->custom_private, 4)) > 0)
	{
		List	   *specs = (List *) list_nth(cscan->custom_private, 4);
		StringInfoData buf;
		int			i;
		static const char *const kinds[] = {"", "bloom =", "bloom IN", "bloom LIKE",
		"bloom ILIKE", "min/max", "min/max IN", "bloom ?", "bloom @>", "min/max", "min/max",
		"min/max", "min/max IN", "min/max IN", "min/max", "min/max IN", "min/max",
		"min/max IN", "min/max", "min/max", "min/max", "min/max <<"};

		initStringInfo(&buf);
		for (i = 0; i + 2 < list_length(specs); i += 3)
		{
			int			attno = list_nth_int(specs, i);
			int			kind = list_nth_int(specs, i + 1);

			appendStringInfo(&buf, "%s%s (%s)", buf.len ? ", " : "",
							 quote_identifier(NameStr(TupleDescAttr(desc, attno - 1)->attname)),
							 (kind >= 1 && kind < lengthof(kinds)) ? kinds[kind] : "?");
		}
		ExplainPropertyText("Cocoon Chunk Filters", buf.data, es);
	}
	if (state->agg_mode)
	{
		List	   *context = set_deparse_context_plan(es->deparse_cxt,
													   (Plan *) cscan, ancestors);
		int			nquals = linitial_int((List *) list_nth(cscan->custom_private, 7));
		int			natts = RelationGetDescr(node->ss.ss_currentRelation)->natts;
		StringInfoData buf;
		ListCell   *lc;

		initStringInfo(&buf);
		for_each_from(lc, cscan->custom_scan_tlist, natts)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
							 deparse_expression((Node *) ((TargetEntry *) lfirst(lc))->expr,
												context, false, false));
		ExplainPropertyText("Cocoon Aggregates", buf.data, es);
		if (state->ngcols > 0)
		{
			int			k;

			resetStringInfo(&buf);
			for (k = 0; k < state->ngcols; k++)
				appendStringInfo(&buf, "%s%s", k ? ", " : "",
								 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(node->ss.ss_currentRelation),
																		state->gattidx[k])->attname)));
			ExplainPropertyText("Cocoon Group Key", buf.data, es);
		}
		if (nquals > 0)
		{
			List	   *quals = list_copy_tail(cscan->custom_exprs,
											   list_length(cscan->custom_exprs) - nquals);

			ExplainPropertyText("Cocoon Filter",
								deparse_expression((Node *) make_ands_explicit(quals),
												   context, false, false), es);
		}
	}
	if (state->topn_k > 0)
	{
		char	   *v = psprintf("%s %s NULLS %s, first %d rows",
								 quote_identifier(NameStr(TupleDescAttr(desc, state->ts_attno - 1)->attname)),
								 state->topn_desc ? "DESC" : "ASC",
								 state->topn_nulls_first ? "FIRST" : "LAST",
								 state->topn_k);

		ExplainPropertyText("Cocoon Top-N", v, es);
	}
	if (es->analyze)
	{
		CocoonScanStats st = state->last_stats;

		if (state->scan)
			cocoon_scan_get_stats(state->scan, &st);

		ExplainPropertyUInteger("Cocoon Stripes Considered", NULL, st.stripes_total, es);
		ExplainPropertyUInteger("Cocoon Stripes Skipped By Time", NULL, st.stripes_skipped_time, es);
		ExplainPropertyUInteger("Cocoon Stripes Read", NULL, st.stripes_read, es);
		ExplainPropertyUInteger("Cocoon Chunk Groups Skipped By Min/Max", NULL, st.chunks_skipped, es);
		ExplainPropertyUInteger("Cocoon Chunk Groups Skipped By Bloom", NULL, st.chunks_skipped_bloom, es);
		ExplainPropertyUInteger("Cocoon Chunk Groups Skipped By Filter", NULL, st.chunks_skipped_filter, es);
		ExplainPropertyUInteger("Cocoon Bytes Decompressed", "bytes", st.bytes_decompressed, es);
		/* part of "Rows Removed by Filter": rows no qual had to run on */
		if (st.rows_prefiltered > 0 || es->format != EXPLAIN_FORMAT_TEXT)
			ExplainPropertyUInteger("Cocoon Rows Prefiltered", NULL, st.rows_prefiltered, es);
		if (state->agg_mode && state->ngcols > 0)
			ExplainPropertyUInteger("Cocoon Chunk Groups Grouped By Dictionary", NULL,
									state->dict_batches, es);
		if (state->topn_k > 0)
		{
			ExplainPropertyUInteger("Cocoon Stripes Skipped By Top-N", NULL, st.stripes_skipped_topn, es);
			ExplainPropertyUInteger("Cocoon Chunk Groups Skipped By Top-N", NULL, st.chunks_skipped_topn, es);
			ExplainPropertyUInteger("Cocoon Rows Skipped By Top-N", NULL, st.rows_skipped_topn, es);
		}
	}
}

void
cocoon_scan_init(void)
{
	RegisterCustomScanMethods(&cocoon_scan_methods);
	RegisterCustomScanMethods(&cocoon_agg_scan_methods);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = cocoon_set_rel_pathlist;
	prev_create_upper_paths_hook = create_upper_paths_hook;
	create_upper_paths_hook = cocoon_create_upper_paths;
	DefineCustomBoolVariable("cocoon.enable_aggregate",
							 "Computes aggregates over cocoon tables from decoded columns.",
							 "count, sum, avg, min, max and percentile_cont of plain columns, with or without GROUP BY plain columns, with the scan's pruning.",
							 &cocoon_enable_aggregate, true, PGC_USERSET, 0,
							 NULL, NULL, NULL);
}
