/*-------------------------------------------------------------------------
 *
 * agg.c
 *	  Aggregates computed over decoded column arrays (CocoonAggregate).
 *
 * A query such as "SELECT count(*), avg(latency_ms) FROM logs WHERE ..."
 * is answered by a scan that feeds each chunk group's decoded values
 * straight into these accumulators, without forming a tuple per row.  Each
 * aggregate reproduces its PostgreSQL counterpart exactly: the same
 * transition arithmetic in the same order (so float sums round the same
 * way), the same overflow errors, the same result types and the same
 * NULL-on-no-input rules.  Only aggregates listed in cocoon_agg_kind()
 * are taken; the planner leaves any other query to the executor's Agg.
 *
 * src/agg.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "cocoon_scan.h"

/* Which accumulator computes aggregate function aggfnoid, or 0. */
int
cocoon_agg_kind(Oid aggfnoid)
{
	switch (aggfnoid)
	{
		case F_COUNT_:
			return CAGG_COUNT_STAR;
		case F_COUNT_ANY:
			return CAGG_COUNT;
		case F_SUM_INT2:
		case F_SUM_INT4:
			return CAGG_SUM_INT;
		case F_SUM_INT8:
			return CAGG_SUM_INT8;
		case F_SUM_FLOAT4:
			return CAGG_SUM_FLOAT4;
		case F_SUM_FLOAT8:
			return CAGG_SUM_FLOAT8;
		case F_AVG_INT2:
		case F_AVG_INT4:
		case F_AVG_INT8:
			return CAGG_AVG_INT;
		case F_AVG_FLOAT4:
		case F_AVG_FLOAT8:
			return CAGG_AVG_FLOAT;
		case F_MIN_INT2:
		case F_MIN_INT4:
		case F_MIN_INT8:
		case F_MIN_FLOAT4:
		case F_MIN_FLOAT8:
		case F_MIN_DATE:
		case F_MIN_TIMESTAMP:
		case F_MIN_TIMESTAMPTZ:
			return CAGG_MIN;
		case F_MAX_INT2:
		case F_MAX_INT4:
		case F_MAX_INT8:
		case F_MAX_FLOAT4:
		case F_MAX_FLOAT8:
		case F_MAX_DATE:
		case F_MAX_TIMESTAMP:
		case F_MAX_TIMESTAMPTZ:
			return CAGG_MAX;
		case F_PERCENTILE_CONT_FLOAT8_FLOAT8:
			return CAGG_PCT_CONT;
		default:
			return 0;
	}
}

void
cocoon_agg_init(CocoonAggAcc *a, int kind, int attidx, Oid type)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->attidx = attidx;
	a->type = type;
	a->is_float = (type == FLOAT4OID || type == FLOAT8OID);
}

static inline int64
int_value(Oid type, Datum d)
{
	switch (type)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
		case DATEOID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);	/* int8, timestamp, timestamptz */
	}
}

static inline float8
float_value(Oid type, Datum d)
{
	return type == FLOAT4OID ? (float8) DatumGetFloat4(d) : DatumGetFloat8(d);
}

/* One input value (not NULL), as the aggregate's transition function would take it. */
static inline void
add_one(CocoonAggAcc *a, Datum d)
{
	switch (a->kind)
	{
		case CAGG_COUNT:
			a->count++;
			break;
		case CAGG_SUM_INT:
		case CAGG_SUM_INT8:
		case CAGG_AVG_INT:
			a->isum += int_value(a->type, d);
			a->count++;
			break;
		case CAGG_SUM_FLOAT8:
			{
				float8		v = DatumGetFloat8(d);

				if (a->count == 0)
					a->fsum = v;	/* the first input becomes the state */
				else
				{
					float8		r = a->fsum + v;

					if (unlikely(isinf(r)) && !isinf(a->fsum) && !isinf(v))
						float_overflow_error();
					a->fsum = r;
				}
				a->count++;
				break;
			}
		case CAGG_SUM_FLOAT4:
			{
				float4		v = DatumGetFloat4(d);

				if (a->count == 0)
					a->f4sum = v;
				else
				{
					float4		r = a->f4sum + v;

					if (unlikely(isinf(r)) && !isinf(a->f4sum) && !isinf(v))
						float_overflow_error();
					a->f4sum = r;
				}
				a->count++;
				break;
			}
		case CAGG_AVG_FLOAT:
			{
				/* float8_accum: N, Sx and (for its overflow check) Sxx */
				float8		v = float_value(a->type, d);
				float8		N0 = a->N;
				float8		Sx0 = a->Sx;

				a->N += 1.0;
				a->Sx += v;
				if (N0 > 0.0)
				{
					float8		tmp = v * a->N - a->Sx;

					a->Sxx += tmp * tmp / (a->N * N0);
					if (isinf(a->Sx) || isinf(a->Sxx))
					{
						if (!isinf(Sx0) && !isinf(v))
							float_overflow_error();
						a->Sxx = get_float8_nan();
					}
				}
				else if (isnan(v) || isinf(v))
					a->Sxx = get_float8_nan();
				break;
			}
		case CAGG_PCT_CONT:
			if (a->nvals == a->capvals)
			{
				MemoryContext old = MemoryContextSwitchTo(a->vals_cxt);

				a->capvals = Max(a->capvals * 2, 1024);
				a->vals = a->vals ? repalloc_huge(a->vals, sizeof(float8) * a->capvals) :
					palloc_extended(sizeof(float8) * a->capvals, MCXT_ALLOC_HUGE);
				MemoryContextSwitchTo(old);
			}
			a->vals[a->nvals++] = DatumGetFloat8(d);
			break;
		case CAGG_MIN:
		case CAGG_MAX:
			if (a->count == 0)
				a->best = d;
			else if (a->is_float)
			{
				/* float8larger/smaller: the new value unless the state wins */
				int			c = float8_cmp_internal(float_value(a->type, a->best),
												   float_value(a->type, d));

				if (a->kind == CAGG_MAX ? !(c > 0) : !(c < 0))
					a->best = d;
			}
			else
			{
				int64		cur = int_value(a->type, a->best);
				int64		v = int_value(a->type, d);

				if (a->kind == CAGG_MAX ? v > cur : v < cur)
					a->best = d;
			}
			a->count++;
			break;
	}
}

/* n rows of a chunk group: values[rows[i]] (rows NULL: values[0..n-1]) */
void
cocoon_agg_add_batch(CocoonAggAcc *a, const Datum *values, const bool *isnull,
					 const uint32 *rows, uint32 n)
{
	uint32		i;

	if (a->kind == CAGG_COUNT_STAR)
	{
		a->count += n;
		return;
	}
	if (rows == NULL)
	{
		for (i = 0; i < n; i++)
			if (!isnull[i])
				add_one(a, values[i]);
	}
	else
	{
		for (i = 0; i < n; i++)
		{
			uint32		r = rows[i];

			if (!isnull[r])
				add_one(a, values[r]);
		}
	}
}

/* One row's value (or NULL) */
void
cocoon_agg_add(CocoonAggAcc *a, Datum d, bool isnull)
{
	if (a->kind == CAGG_COUNT_STAR)
		a->count++;
	else if (!isnull)
		add_one(a, d);
}

/* The same value (or NULL) in `times` rows */
void
cocoon_agg_add_value(CocoonAggAcc *a, Datum d, bool isnull, uint64 times)
{
	uint64		i;

	if (a->kind == CAGG_COUNT_STAR)
	{
		a->count += times;
		return;
	}
	if (isnull)
		return;
	for (i = 0; i < times; i++)
		add_one(a, d);
}

static Datum
int128_numeric(int128 v)
{
	char		buf[64];
	char	   *p = buf + sizeof(buf) - 1;
	bool		neg = v < 0;
	uint128		u = neg ? -(uint128) v : (uint128) v;

	*p = '\0';
	do
	{
		*--p = '0' + (int) (u % 10);
		u /= 10;
	} while (u > 0);
	if (neg)
		*--p = '-';
	return DirectFunctionCall3(numeric_in, CStringGetDatum(p),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* float8_cmp_internal's order (NaN last), inlined into a specialised sort */
static inline int
f8cmp(float8 a, float8 b)
{
	if (unlikely(isnan(a)))
		return isnan(b) ? 0 : 1;
	if (unlikely(isnan(b)))
		return -1;
	return a > b ? 1 : (a < b ? -1 : 0);
}

#define ST_SORT sort_float8
#define ST_ELEMENT_TYPE float8
#define ST_COMPARE(a, b) f8cmp(*(a), *(b))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* percentile_cont's final function: sort, then interpolate (float8_lerp) */
static Datum
percentile_cont_result(CocoonAggAcc *a, bool *isnull)
{
	float8		p = a->fraction;
	int64		first,
				second;
	float8		lo,
				hi;

	*isnull = true;
	if (a->fraction_null)
		return (Datum) 0;
	if (p < 0 || p > 1 || isnan(p))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("percentile value %g is not between 0 and 1", p)));
	if (a->nvals == 0)
		return (Datum) 0;
	sort_float8(a->vals, a->nvals);
	first = (int64) floor(p * (a->nvals - 1));
	second = (int64) ceil(p * (a->nvals - 1));
	lo = a->vals[first];
	*isnull = false;
	if (first == second)
		return Float8GetDatum(lo);
	hi = a->vals[second];
	return Float8GetDatum(lo + ((p * (a->nvals - 1)) - first) * (hi - lo));
}

Datum
cocoon_agg_result(CocoonAggAcc *a, bool *isnull)
{
	*isnull = false;
	switch (a->kind)
	{
		case CAGG_COUNT_STAR:
		case CAGG_COUNT:
			return Int64GetDatum(a->count);
		case CAGG_SUM_INT:
			if (a->count == 0)
				break;
			if (a->isum > PG_INT64_MAX || a->isum < PG_INT64_MIN)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("bigint out of range")));
			return Int64GetDatum((int64) a->isum);
		case CAGG_SUM_INT8:
			if (a->count == 0)
				break;
			return int128_numeric(a->isum);
		case CAGG_SUM_FLOAT8:
			if (a->count == 0)
				break;
			return Float8GetDatum(a->fsum);
		case CAGG_SUM_FLOAT4:
			if (a->count == 0)
				break;
			return Float4GetDatum(a->f4sum);
		case CAGG_AVG_INT:
			if (a->count == 0)
				break;
			return DirectFunctionCall2(numeric_div, int128_numeric(a->isum),
									   DirectFunctionCall1(int8_numeric,
														   Int64GetDatum(a->count)));
		case CAGG_AVG_FLOAT:
			if (a->N == 0.0)
				break;
			return Float8GetDatum(a->Sx / a->N);
		case CAGG_MIN:
		case CAGG_MAX:
			if (a->count == 0)
				break;
			return a->best;
		case CAGG_PCT_CONT:
			return percentile_cont_result(a, isnull);
	}
	*isnull = true;
	return (Datum) 0;
}
