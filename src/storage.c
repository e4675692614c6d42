/*-------------------------------------------------------------------------
 *
 * storage.c
 *	  A logical byte address space over a cocoon relation's pages.
 *
 * This is the only file that touches buffers and WAL.  Block 0 is the
 * metapage (CocoonMetaPageData); blocks 1.. hold a flat byte space into
 * which stripes are packed back to back (see cocoon_format.h).  Callers
 * reserve a byte range under the metapage lock, then write it page by page;
 * a small stripe is reserved and written in one step and one WAL record
 * (cocoon_reserve_and_write).
 * Two backends may share a page (one's range ends where the other's
 * begins); each page write happens under that page's exclusive content lock,
 * so both succeed.
 *
 * Every page change is WAL-logged with generic WAL: a page seen for the
 * first time (all zeros) is logged as a full image, later changes as a
 * delta.  pd_lower is advanced past the written bytes so that the unused
 * tail of a page counts as the page's "hole" and costs no WAL.  Generic WAL
 * needs no shared_preload_libraries and is replayed by streaming replicas.
 * The small write builds its generic record's deltas itself; it is replayed
 * by the same generic_redo.
 *
 * The metapage also hands out row numbers (TIDs) and stripe ids, so both
 * are unique across concurrent writers.
 *
 * src/storage.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/rmgr.h"
#include "access/xloginsert.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/lmgr.h"
#include "utils/rel.h"

#include "cocoon.h"

#define MetaFromPage(page) ((CocoonMetaPageData *) PageGetContents(page))
#define PageFromMeta(meta) ((Page) ((char *) (meta) - MAXALIGN(SizeOfPageHeaderData)))

/*
 * pd_lower of the metapage: the end of the used part of the free list.  The
 * unused tail of free[] is the page's hole, so a generic WAL record of the
 * metapage neither compares nor logs it (GenericXLogFinish and redo zero
 * it; nothing reads free[] past nfree).
 */
static void
meta_set_lower(CocoonMetaPageData *meta)
{
	uint32		nfree = Min(meta->nfree, COCOON_MAX_FREE_RANGES);

	((PageHeader) PageFromMeta(meta))->pd_lower =
		MAXALIGN(SizeOfPageHeaderData) + offsetof(CocoonMetaPageData, free) +
		sizeof(CocoonFreeRange) * nfree;
}

static uint64
next_storage_id(void)
{
	Oid			seqoid = cocoon_relname_oid("storage_id_seq");

	return (uint64) nextval_internal(seqoid, false);
}

/*
 * Make sure block 0 exists and holds an initialised metapage.
 */
void
cocoon_storage_init(Relation rel)
{
	Buffer		buf;
	GenericXLogState *state;
	Page		page;
	CocoonMetaPageData *meta;
	uint64		storage_id;

	if (RelationGetNumberOfBlocks(rel) > 0)
		return;

	/* outside any buffer lock: nextval takes its own locks */
	storage_id = next_storage_id();

	LockRelationForExtension(rel, ExclusiveLock);
	if (RelationGetNumberOfBlocks(rel) > 0)
	{
		UnlockRelationForExtension(rel, ExclusiveLock);
		return;
	}
	buf = ReadBufferExtended(rel, MAIN_FORKNUM, P_NEW, RBM_NORMAL, NULL);
	Assert(BufferGetBlockNumber(buf) == COCOON_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	UnlockRelationForExtension(rel, ExclusiveLock);

	state = GenericXLogStart(rel);
	page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
	PageInit(page, BLCKSZ, 0);
	meta = MetaFromPage(page);
	memset(meta, 0, sizeof(*meta));
	meta->magic = COCOON_META_MAGIC;
	meta->version = COCOON_FORMAT_VERSION;
	meta->storage_id = storage_id;
	meta->next_row = 0;
	meta->next_offset = 0;
	meta->next_stripe_id = 1;
	meta_set_lower(meta);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

bool
cocoon_storage_exists(Relation rel)
{
	return RelationGetNumberOfBlocks(rel) > 0;
}

static void
check_meta(Relation rel, CocoonMetaPageData *meta)
{
	if (meta->magic != COCOON_META_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("cocoon table \"%s\" has a damaged metapage",
						RelationGetRelationName(rel)),
				 errdetail("Magic number is %08X, expected %08X.",
						   meta->magic, COCOON_META_MAGIC)));
	if (meta->version != COCOON_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("cocoon table \"%s\" has storage format version %u, this build reads version %d",
						RelationGetRelationName(rel), meta->version,
						COCOON_FORMAT_VERSION)));
}

/*
 * Copy the metapage out.  A relation with no blocks yet reads as an empty
 * metapage with storage_id 0.
 */
void
cocoon_read_metapage(Relation rel, CocoonMetaPageData *out)
{
	Buffer		buf;
	Page		page;

	if (RelationGetNumberOfBlocks(rel) == 0)
	{
		memset(out, 0, sizeof(*out));
		return;
	}
	buf = ReadBuffer(rel, COCOON_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	memcpy(out, MetaFromPage(page), sizeof(*out));
	UnlockReleaseBuffer(buf);
	check_meta(rel, out);
}

uint64
cocoon_storage_id(Relation rel, bool create)
{
	CocoonMetaPageData meta;

	if (create)
		cocoon_storage_init(rel);
	cocoon_read_metapage(rel, &meta);
	return meta.storage_id;
}

/*
 * The storage id for DROP and TRUNCATE, which must work whatever the
 * format version (an upgrade must not leave tables one cannot drop): the
 * metapage's first fields (magic, version, storage_id) never move.  0 when
 * the metapage is damaged (its directory rows then stay behind).
 */
uint64
cocoon_storage_id_any_version(Relation rel)
{
	Buffer		buf;
	CocoonMetaPageData meta;

	if (RelationGetNumberOfBlocks(rel) == 0)
		return 0;
	buf = ReadBuffer(rel, COCOON_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	memcpy(&meta, MetaFromPage(BufferGetPage(buf)), sizeof(meta));
	UnlockReleaseBuffer(buf);
	return meta.magic == COCOON_META_MAGIC ? meta.storage_id : 0;
}

uint64
cocoon_logical_size(Relation rel)
{
	CocoonMetaPageData meta;

	cocoon_read_metapage(rel, &meta);
	return meta.next_offset;
}

/*
 * Lock the metapage exclusively and start a generic WAL record on it.
 */
static CocoonMetaPageData *
meta_begin(Relation rel, Buffer *buf, GenericXLogState **state)
{
	Page		page;
	CocoonMetaPageData *meta;

	cocoon_storage_init(rel);
	*buf = ReadBuffer(rel, COCOON_METAPAGE_BLKNO);
	LockBuffer(*buf, BUFFER_LOCK_EXCLUSIVE);
	*state = GenericXLogStart(rel);
	page = GenericXLogRegisterBuffer(*state, *buf, 0);
	((PageHeader) page)->pd_lower = SizeOfPageHeaderData + sizeof(CocoonMetaPageData);
	meta = MetaFromPage(page);
	if (meta->magic != COCOON_META_MAGIC || meta->version != COCOON_FORMAT_VERSION)
	{
		CocoonMetaPageData copy = *meta;

		GenericXLogAbort(*state);
		UnlockReleaseBuffer(*buf);
		check_meta(rel, &copy);
	}
	return meta;
}

static void
meta_end(Buffer buf, GenericXLogState *state, CocoonMetaPageData *meta)
{
	meta_set_lower(meta);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * Reserve count row numbers.  If extend_from is not zero and equals the
 * current end of the row space, the reservation extends the caller's
 * previous one contiguously and *extended is set; if extend_from is not
 * zero and something else was reserved in between, nothing is reserved,
 * *extended is false and 0 is returned.  With extend_from = 0 a fresh range
 * is returned (row 0 is never handed out through this path twice, since
 * next_row only grows).
 */
uint64
cocoon_reserve_rows(Relation rel, uint64 count, uint64 extend_from, bool *extended)
{
	Buffer		buf;
	GenericXLogState *state;
	CocoonMetaPageData *meta;
	uint64		first;

	meta = meta_begin(rel, &buf, &state);
	*extended = false;
	if (extend_from != 0)
	{
		if (meta->next_row != extend_from)
		{
			GenericXLogAbort(state);
			UnlockReleaseBuffer(buf);
			return 0;
		}
		*extended = true;
	}
	first = meta->next_row;
	if (first + count > COCOON_MAX_ROW)
	{
		GenericXLogAbort(state);
		UnlockReleaseBuffer(buf);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cocoon table \"%s\" has run out of row numbers",
						RelationGetRelationName(rel)),
				 errhint("Rewrite the table with VACUUM FULL to renumber its rows.")));
	}
	meta->next_row = first + count;
	meta_end(buf, state, meta);
	return first;
}

/*
 * Take len bytes from the metapage's free list (already locked for
 * writing): the lowest range that fits and ends at or below `below`.
 * Returns the offset, or PG_UINT64_MAX.
 */
static uint64
take_first_fit(CocoonMetaPageData *meta, uint64 len, uint64 below)
{
	uint32		i;

	for (i = 0; i < meta->nfree && i < COCOON_MAX_FREE_RANGES; i++)
	{
		CocoonFreeRange *r = &meta->free[i];
		uint64		off = r->offset;

		if (r->length < len || off + len > below)
			continue;
		r->offset += len;
		r->length -= len;
		if (r->length == 0)
		{
			memmove(r, r + 1, sizeof(CocoonFreeRange) * (meta->nfree - i - 1));
			meta->nfree--;
		}
		return off;
	}
	return PG_UINT64_MAX;
}

/*
 * Reserve len bytes of the logical space, and a stripe id.
 */
uint64
cocoon_reserve_bytes(Relation rel, uint64 len, uint64 *stripe_id)
{
	Buffer		buf;
	GenericXLogState *state;
	CocoonMetaPageData *meta;
	uint64		off;

	meta = meta_begin(rel, &buf, &state);
	/* first fit among the ranges VACUUM freed */
	off = take_first_fit(meta, len, PG_UINT64_MAX);
	if (off != PG_UINT64_MAX)
	{
		*stripe_id = meta->next_stripe_id++;
		meta_end(buf, state, meta);
		return off;
	}
	off = meta->next_offset;
	if ((off + len) / COCOON_PAGE_DATA + 1 >= MaxBlockNumber)
	{
		GenericXLogAbort(state);
		UnlockReleaseBuffer(buf);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cocoon table \"%s\" is full", RelationGetRelationName(rel))));
	}
	meta->next_offset = off + len;
	*stripe_id = meta->next_stripe_id++;
	meta_end(buf, state, meta);
	return off;
}

/*
 * Return block blkno exclusively locked, extending the relation if needed.
 */
static Buffer
get_page_for_write(Relation rel, BlockNumber blkno)
{
	Buffer		buf;

	if (blkno >= RelationGetNumberOfBlocks(rel))
	{
		LockRelationForExtension(rel, ExclusiveLock);
		for (;;)
		{
			BlockNumber nblocks = RelationGetNumberOfBlocks(rel);

			if (nblocks > blkno)
			{
				buf = ReadBuffer(rel, blkno);
				break;
			}
			buf = ReadBufferExtended(rel, MAIN_FORKNUM, P_NEW, RBM_NORMAL, NULL);
			if (BufferGetBlockNumber(buf) == blkno)
				break;
			/* a page of somebody else's reservation: left zeroed */
			ReleaseBuffer(buf);
		}
		UnlockRelationForExtension(rel, ExclusiveLock);
	}
	else
		buf = ReadBuffer(rel, blkno);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	return buf;
}

/*
 * Write len bytes at logical offset (which the caller reserved).
 */
void
cocoon_storage_write(Relation rel, uint64 offset, const char *data, uint64 len)
{
	while (len > 0)
	{
		BlockNumber blkno = (BlockNumber) (offset / COCOON_PAGE_DATA) + 1;
		uint32		inpage = (uint32) (offset % COCOON_PAGE_DATA);
		uint32		n = (uint32) Min(len, (uint64) (COCOON_PAGE_DATA - inpage));
		Buffer		buf;
		GenericXLogState *state;
		Page		page;
		PageHeader	ph;
		bool		isnew;

		CHECK_FOR_INTERRUPTS();
		buf = get_page_for_write(rel, blkno);
		isnew = PageIsNew(BufferGetPage(buf));
		state = GenericXLogStart(rel);
		page = GenericXLogRegisterBuffer(state, buf,
										 isnew ? GENERIC_XLOG_FULL_IMAGE : 0);
		if (isnew)
			PageInit(page, BLCKSZ, 0);
		ph = (PageHeader) page;
		memcpy((char *) page + SizeOfPageHeaderData + inpage, data, n);
		if (ph->pd_lower < SizeOfPageHeaderData + inpage + n)
			ph->pd_lower = SizeOfPageHeaderData + inpage + n;
		GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);

		offset += n;
		data += n;
		len -= n;
	}
}

/* Append one fragment of a generic WAL delta: offset, length, bytes. */
static char *
delta_fragment(char *p, Page page, int offset, int length)
{
	OffsetNumber o = (OffsetNumber) offset;
	OffsetNumber l = (OffsetNumber) length;

	memcpy(p, &o, sizeof(o));
	p += sizeof(o);
	memcpy(p, &l, sizeof(l));
	p += sizeof(l);
	memcpy(p, (char *) page + offset, length);
	return p + length;
}

/*
 * Reserve len bytes of the logical space and a stripe id, and write data
 * there, all in one generic WAL record that holds the metapage and the data
 * pages: for small stripes this saves a record and a metapage lock cycle.
 * fill(data, stripe_id, arg) completes the data once the stripe id is known
 * (under the metapage lock).  Only for len up to COCOON_SMALL_WRITE (at most
 * MAX_GENERIC_XLOG_PAGES - 1 data pages).
 *
 * The record is a generic WAL record (RM_GENERIC_ID, replayed by
 * generic_redo), but built here rather than by GenericXLogFinish: we know
 * which bytes change, so we log them as the delta fragments directly instead
 * of copying every page twice and comparing it byte by byte against its copy
 * (that comparison alone was ~5% of a single-row INSERT transaction's CPU).
 * As GenericXLogFinish does, the changes are applied in one critical
 * section together with the record, pages new to the file are logged as
 * full images, and the hole of a page (pd_lower to pd_upper) is zeroed on
 * the page as redo zeroes it.
 *
 * Lock order: the metapage, then data pages in ascending order, each got
 * through get_page_for_write (which may take the extension lock).  Nobody
 * waits for the metapage while holding a data page or the extension lock
 * (cocoon_storage_init, the one path taking the metapage's buffer under the
 * extension lock, only runs while the relation has no blocks at all).
 */
uint64
cocoon_reserve_and_write(Relation rel, char *data, uint64 len,
						 void (*fill) (char *data, uint64 stripe_id, void *arg),
						 void *arg, uint64 *stripe_id)
{
#define SMALL_PAGES (MAX_GENERIC_XLOG_PAGES - 1)
	Buffer		metabuf;
	Page		metapage;
	CocoonMetaPageData m;
	bool		free_changed;
	uint16		new_lower;
	uint16		old_lower;
	Buffer		bufs[SMALL_PAGES];
	bool		isnew[SMALL_PAGES];
	uint32		inpage[SMALL_PAGES];
	uint32		count[SMALL_PAGES];
	const char *src[SMALL_PAGES];
	char	   *deltas[SMALL_PAGES + 1];
	Size		deltalen[SMALL_PAGES + 1];
	int			nbufs = 0;
	bool		needwal = RelationNeedsWAL(rel);
	uint64		off;
	uint64		pos;
	uint64		left;
	const char *p;
	int			i;

	Assert(len > 0 && len <= COCOON_SMALL_WRITE);
	StaticAssertStmt(COCOON_SMALL_WRITE <= (uint64) COCOON_PAGE_DATA * (SMALL_PAGES - 1) + 1,
					 "a small write must fit the pages of one generic WAL record");

	cocoon_storage_init(rel);
	metabuf = ReadBuffer(rel, COCOON_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	metapage = BufferGetPage(metabuf);
	old_lower = ((PageHeader) metapage)->pd_lower;

	/* work on a copy: nothing changes on the page before the critical section */
	memcpy(&m, MetaFromPage(metapage), sizeof(m));
	if (m.magic != COCOON_META_MAGIC || m.version != COCOON_FORMAT_VERSION)
	{
		UnlockReleaseBuffer(metabuf);
		check_meta(rel, &m);
	}
	off = take_first_fit(&m, len, PG_UINT64_MAX);
	free_changed = (off != PG_UINT64_MAX);
	if (off == PG_UINT64_MAX)
	{
		off = m.next_offset;
		if ((off + len) / COCOON_PAGE_DATA + 1 >= MaxBlockNumber)
		{
			UnlockReleaseBuffer(metabuf);
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("cocoon table \"%s\" is full", RelationGetRelationName(rel))));
		}
		m.next_offset = off + len;
	}
	*stripe_id = m.next_stripe_id++;
	fill(data, *stripe_id, arg);
	new_lower = MAXALIGN(SizeOfPageHeaderData) + offsetof(CocoonMetaPageData, free) +
		sizeof(CocoonFreeRange) * Min(m.nfree, COCOON_MAX_FREE_RANGES);

	/* the data pages, locked in ascending order (errors here change nothing) */
	pos = off;
	left = len;
	p = data;
	while (left > 0)
	{
		BlockNumber blkno = (BlockNumber) (pos / COCOON_PAGE_DATA) + 1;

		Assert(nbufs < SMALL_PAGES);
		inpage[nbufs] = (uint32) (pos % COCOON_PAGE_DATA);
		count[nbufs] = (uint32) Min(left, (uint64) (COCOON_PAGE_DATA - inpage[nbufs]));
		src[nbufs] = p;
		bufs[nbufs] = get_page_for_write(rel, blkno);
		isnew[nbufs] = PageIsNew(BufferGetPage(bufs[nbufs]));
		pos += count[nbufs];
		p += count[nbufs];
		left -= count[nbufs];
		nbufs++;
	}

	/* room for the deltas: two fragments per page at most */
	deltas[0] = palloc(2 * (2 * sizeof(OffsetNumber)) + BLCKSZ);
	for (i = 0; i < nbufs; i++)
		deltas[i + 1] = palloc(2 * (2 * sizeof(OffsetNumber)) + 2 + count[i]);

	if (needwal)
		XLogBeginInsert();
	START_CRIT_SECTION();

	/* the metapage: counters (and the free list if it changed), pd_lower */
	memcpy(MetaFromPage(metapage), &m, offsetof(CocoonMetaPageData, free) +
		   (free_changed ? sizeof(CocoonFreeRange) * Min(m.nfree, COCOON_MAX_FREE_RANGES) : 0));
	((PageHeader) metapage)->pd_lower = new_lower;
	if (old_lower > new_lower)
		memset((char *) metapage + new_lower, 0, old_lower - new_lower);
	MarkBufferDirty(metabuf);
	{
		char	   *d = deltas[0];

		/* pd_lower and the counters (pd_upper etc. come along unchanged) */
		d = delta_fragment(d, metapage, offsetof(PageHeaderData, pd_lower),
						   MAXALIGN(SizeOfPageHeaderData) + offsetof(CocoonMetaPageData, free) -
						   offsetof(PageHeaderData, pd_lower));
		if (free_changed && new_lower > MAXALIGN(SizeOfPageHeaderData) + offsetof(CocoonMetaPageData, free))
			d = delta_fragment(d, metapage,
							   MAXALIGN(SizeOfPageHeaderData) + offsetof(CocoonMetaPageData, free),
							   new_lower - (MAXALIGN(SizeOfPageHeaderData) + offsetof(CocoonMetaPageData, free)));
		deltalen[0] = d - deltas[0];
	}

	/* the data pages */
	for (i = 0; i < nbufs; i++)
	{
		Page		page = BufferGetPage(bufs[i]);
		PageHeader	ph = (PageHeader) page;
		char	   *d = deltas[i + 1];

		if (isnew[i])
			PageInit(page, BLCKSZ, 0);
		memcpy((char *) page + SizeOfPageHeaderData + inpage[i], src[i], count[i]);
		if (ph->pd_lower < SizeOfPageHeaderData + inpage[i] + count[i])
			ph->pd_lower = SizeOfPageHeaderData + inpage[i] + count[i];
		MarkBufferDirty(bufs[i]);
		d = delta_fragment(d, page, offsetof(PageHeaderData, pd_lower), sizeof(LocationIndex));
		d = delta_fragment(d, page, SizeOfPageHeaderData + inpage[i], count[i]);
		deltalen[i + 1] = d - deltas[i + 1];
	}

	if (needwal)
	{
		XLogRecPtr	lsn;

		XLogRegisterBuffer(0, metabuf, REGBUF_STANDARD);
		XLogRegisterBufData(0, deltas[0], deltalen[0]);
		for (i = 0; i < nbufs; i++)
		{
			if (isnew[i])
				XLogRegisterBuffer(i + 1, bufs[i], REGBUF_FORCE_IMAGE | REGBUF_STANDARD);
			else
			{
				XLogRegisterBuffer(i + 1, bufs[i], REGBUF_STANDARD);
				XLogRegisterBufData(i + 1, deltas[i + 1], deltalen[i + 1]);
			}
		}
		lsn = XLogInsert(RM_GENERIC_ID, 0);
		PageSetLSN(metapage, lsn);
		for (i = 0; i < nbufs; i++)
			PageSetLSN(BufferGetPage(bufs[i]), lsn);
	}
	END_CRIT_SECTION();

	for (i = 0; i < nbufs; i++)
		UnlockReleaseBuffer(bufs[i]);
	UnlockReleaseBuffer(metabuf);
	for (i = 0; i <= nbufs; i++)
		pfree(deltas[i]);
	return off;
#undef SMALL_PAGES
}

/*
 * Read len bytes at logical offset.  Anything outside the written space is
 * reported as corruption: a directory entry points there.
 */
void
cocoon_storage_read(Relation rel, uint64 offset, char *data, uint64 len)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(rel);

	while (len > 0)
	{
		BlockNumber blkno = (BlockNumber) (offset / COCOON_PAGE_DATA) + 1;
		uint32		inpage = (uint32) (offset % COCOON_PAGE_DATA);
		uint32		n = (uint32) Min(len, (uint64) (COCOON_PAGE_DATA - inpage));
		Buffer		buf;
		Page		page;

		if (blkno >= nblocks)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("cocoon table \"%s\" refers to block %u beyond its end (%u blocks)",
							RelationGetRelationName(rel), blkno, nblocks)));
		buf = ReadBuffer(rel, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (PageIsNew(page) ||
			((PageHeader) page)->pd_lower < SizeOfPageHeaderData + inpage + n)
		{
			UnlockReleaseBuffer(buf);
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("cocoon table \"%s\" refers to unwritten bytes in block %u",
							RelationGetRelationName(rel), blkno)));
		}
		memcpy(data, (char *) page + SizeOfPageHeaderData + inpage, n);
		UnlockReleaseBuffer(buf);

		offset += n;
		data += n;
		len -= n;
	}
}

static int
free_range_offset_cmp(const void *a, const void *b)
{
	const CocoonFreeRange *x = a;
	const CocoonFreeRange *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return 0;
}

/* larger first; equal lengths by offset, so the order is total */
static int
free_range_length_cmp(const void *a, const void *b)
{
	const CocoonFreeRange *x = a;
	const CocoonFreeRange *y = b;

	if (x->length != y->length)
		return x->length > y->length ? -1 : 1;
	return free_range_offset_cmp(a, b);
}

/*
 * Give byte ranges back: merge them into the free list, and pull
 * next_offset down over a free tail.  Returns the new next_offset.  Of more
 * ranges than the list holds, the largest are kept; the others are left to
 * VACUUM's sweep, which finds bytes nothing names.
 */
uint64
cocoon_free_ranges(Relation rel, CocoonFreeRange *ranges, int n, TimestampTz now)
{
	Buffer		buf;
	GenericXLogState *state;
	CocoonMetaPageData *meta;
	CocoonFreeRange *all;
	int			nall;
	int			i,
				k;
	uint64		result;

	meta = meta_begin(rel, &buf, &state);
	all = palloc(sizeof(CocoonFreeRange) * (meta->nfree + n + 1));
	memcpy(all, meta->free, sizeof(CocoonFreeRange) * meta->nfree);
	memcpy(all + meta->nfree, ranges, sizeof(CocoonFreeRange) * n);
	nall = meta->nfree + n;
	qsort(all, nall, sizeof(CocoonFreeRange), free_range_offset_cmp);
	/* merge adjacent */
	k = 0;
	for (i = 0; i < nall; i++)
	{
		if (all[i].length == 0)
			continue;
		if (k > 0 && all[k - 1].offset + all[k - 1].length >= all[i].offset)
		{
			uint64		end = Max(all[k - 1].offset + all[k - 1].length,
								  all[i].offset + all[i].length);

			all[k - 1].length = end - all[k - 1].offset;
		}
		else
			all[k++] = all[i];
	}
	nall = k;
	/* a free tail shortens the used space */
	if (nall > 0 && all[nall - 1].offset + all[nall - 1].length >= meta->next_offset)
	{
		meta->next_offset = all[nall - 1].offset;
		nall--;
	}
	for (i = 0; i < n; i++)
		meta->bytes_reclaimed += ranges[i].length;

	/*
	 * Too many ranges: keep the largest, which new stripes can use, and
	 * forget the rest (VACUUM's sweep finds them again: no row, garbage row
	 * or list entry names them).  What is forgotten no longer counts as
	 * reclaimed, so that the sweep finding it again does not count it twice.
	 */
	if (nall > COCOON_MAX_FREE_RANGES)
	{
		uint64		forgotten = 0;

		qsort(all, nall, sizeof(CocoonFreeRange), free_range_length_cmp);
		for (i = COCOON_MAX_FREE_RANGES; i < nall; i++)
			forgotten += all[i].length;
		nall = COCOON_MAX_FREE_RANGES;
		qsort(all, nall, sizeof(CocoonFreeRange), free_range_offset_cmp);
		meta->bytes_reclaimed -= Min(forgotten, meta->bytes_reclaimed);
	}
	memcpy(meta->free, all, sizeof(CocoonFreeRange) * nall);
	meta->nfree = nall;
	meta->last_vacuum = now;
	result = meta->next_offset;
	meta_end(buf, state, meta);
	pfree(all);
	return result;
}

void
cocoon_set_last_compaction(Relation rel, TimestampTz now)
{
	Buffer		buf;
	GenericXLogState *state;
	CocoonMetaPageData *meta;

	meta = meta_begin(rel, &buf, &state);
	meta->last_compaction = now;
	meta_end(buf, state, meta);
}

/*
 * Remember the widest partition interval stripes were written with, so
 * that a time-range lookup knows how far before its lower bound a
 * partition may start (meta.c), and the time column their partitions and
 * time ranges describe (cocoon_check_time_column_change).  Written only
 * when either changes.
 */
void
cocoon_note_partition_interval(Relation rel, int64 interval, AttrNumber time_attno)
{
	CocoonMetaPageData cur;
	Buffer		buf;
	GenericXLogState *state;
	CocoonMetaPageData *meta;

	cocoon_read_metapage(rel, &cur);
	if (cur.max_partition_interval >= interval &&
		(time_attno == 0 || cur.time_attno == time_attno))
		return;
	meta = meta_begin(rel, &buf, &state);
	if (meta->max_partition_interval < interval)
		meta->max_partition_interval = interval;
	if (time_attno != 0)
		meta->time_attno = time_attno;
	meta_end(buf, state, meta);
}

/*
 * Take len bytes from the free list, lowest fitting range first, only if
 * they end at or below `below`.  Returns the offset, or PG_UINT64_MAX.
 */
uint64
cocoon_take_free_range(Relation rel, uint64 len, uint64 below)
{
	Buffer		buf;
	GenericXLogState *state;
	CocoonMetaPageData *meta;
	uint64		off;

	meta = meta_begin(rel, &buf, &state);
	off = take_first_fit(meta, len, below);
	if (off == PG_UINT64_MAX)
	{
		GenericXLogAbort(state);
		UnlockReleaseBuffer(buf);
	}
	else
		meta_end(buf, state, meta);
	return off;
}
