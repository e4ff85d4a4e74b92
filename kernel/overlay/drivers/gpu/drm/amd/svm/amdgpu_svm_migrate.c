// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * amdgpu SVM migration: where the pages of a range live, and moving them
 * there through the GPU's drm_pagemap.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: Migration
 *
 * A range's pages live in system memory or in the VRAM of one GPU (its
 * &drm_pagemap, from the ``pagemap`` op). The location they should live
 * in is PREFETCH_LOC if set, else PREFERRED_LOC; a GPU location falls back
 * to system memory when another GPU also uses the range (ACCESS or
 * ACCESS_IN_PLACE with XNACK off, ACCESS_IN_PLACE with XNACK on, as KFD's
 * best location), since this core knows no peer path between GPUs: those
 * GPUs map system memory, never a peer's VRAM.
 *
 * When pages move:
 *
 * - SET_ATTR: PREFETCH_LOC migrates the span now, in both XNACK modes,
 *   once for the process: through the first context of the target GPU,
 *   or the first context of any GPU for system memory. With XNACK off the
 *   mapping that follows places pages at the location (so PREFERRED_LOC
 *   steers ioctl mapping).
 * - GPU fault (XNACK on): the faulting GPU migrates the range to its own
 *   VRAM when that is the location, then maps it; a GPU with
 *   ACCESS_IN_PLACE maps the pages where they are instead (KFD's best
 *   restore location: in-place access never migrates), and so does any
 *   fault while the driver of a GPU of the process says a migration could
 *   wait for work stalled on a fault (&amdgpu_svm_gpu_ops.fault_may_migrate).
 * - CPU fault on a VRAM page: drm_pagemap migrates that migration unit
 *   back (the pagemap's migrate_to_ram); the notifier clears the GPU
 *   mappings, and the GPUs map system memory in place afterwards: the
 *   restore worker and the garbage collector never migrate.
 * - VRAM pressure and the GPU driver's own evictions move units back
 *   with drm_pagemap_evict_to_ram().
 *
 * The migration unit is the attribute GRANULARITY (2^n pages), cut at the
 * range's bounds, and in a range not aligned to its size (fitted around a
 * hole) cut further into powers of two aligned to their size: each unit is
 * one device allocation, and a CPU touch brings back that unit only.
 * Ranges are at most 2 MiB, so a larger GRANULARITY moves 2 MiB units. A
 * GRANULARITY change moves nothing: pages in VRAM keep the unit they moved
 * in until they move again.
 *
 * Ping-pong policy: a unit migrated to VRAM stays there at least
 * AMDGPU_SVM_MIN_RESIDENCY_MS (drm_pagemap's timeslice; a CPU fault in
 * that time waits). A range that GPU faults migrated to VRAM
 * AMDGPU_SVM_MAX_BOUNCES times within AMDGPU_SVM_BOUNCE_WINDOW_MS is
 * mapped where its pages are, in system memory, until the window ends:
 * CPU and GPU alternating on the same pages then stop moving them and both
 * make progress. Prefetches are explicit and always migrate.
 *
 * A migration that fails (VRAM too small even after eviction, a race with
 * the CPU) leaves the pages where they were: the GPU maps them there, and
 * no data is lost.
 *
 * Pages in another driver's device-private memory (another pagemap owner)
 * are never mapped where they are: the page walk faults them back to
 * system memory through that driver's migrate_to_ram(), and a migration
 * into VRAM, which migrate_vma cannot collect them for, moves them through
 * system memory. With XNACK off, memory the GPU maps that such a driver
 * takes is mapped again by the restore worker, so it comes straight back
 * to system memory.
 */

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <drm/amdgpu_svm_drm.h>
#include <drm/drm_pagemap.h>

#include "amdgpu_svm_priv.h"
#include "amdgpu_svm_trace.h"

/* Minimum time a migration unit stays in VRAM. */
#define AMDGPU_SVM_MIN_RESIDENCY_MS	2
/* GPU-fault migrations of one range per window before it stays put. */
#define AMDGPU_SVM_MAX_BOUNCES		4
#define AMDGPU_SVM_BOUNCE_WINDOW_MS	1000

/*
 * Where the pages of an attribute piece should live: a gpu_id, SYSMEM, or
 * UNDEFINED (wherever they are).
 */
static u32 amdgpu_svm_best_location(struct amdgpu_svm_process *proc,
				    const struct amdgpu_svm_attrs *attrs)
{
	u32 loc = attrs->prefetch_loc;
	u64 users;
	int idx;

	if (loc == AMDGPU_SVM_LOCATION_UNDEFINED)
		loc = attrs->preferred_loc;
	if (loc == AMDGPU_SVM_LOCATION_UNDEFINED ||
	    loc == AMDGPU_SVM_LOCATION_SYSMEM)
		return loc;

	idx = amdgpu_svm_process_gpu_idx(proc, loc);
	if (idx < 0)
		return AMDGPU_SVM_LOCATION_UNDEFINED;
	users = attrs->access_in_place;
	if (!proc->xnack)
		users |= attrs->access;
	if (users & ~BIT_ULL(idx))
		return AMDGPU_SVM_LOCATION_SYSMEM;
	return loc;
}

/*
 * The ping-pong policy: true when GPU faults already moved @range to VRAM
 * AMDGPU_SVM_MAX_BOUNCES times in the current window; otherwise count one
 * more.
 */
static bool amdgpu_svm_range_bounced(struct amdgpu_svm_range *range)
{
	unsigned long now = jiffies;

	if (!range->bounces ||
	    time_after(now, range->bounce_start +
		       msecs_to_jiffies(AMDGPU_SVM_BOUNCE_WINDOW_MS))) {
		range->bounce_start = now;
		range->bounces = 0;
	}
	if (range->bounces >= AMDGPU_SVM_MAX_BOUNCES)
		return true;
	range->bounces++;
	return false;
}

/*
 * Move every migration unit of @range into @dpagemap. A unit is the
 * granule around an address, cut at the range's bounds and then to the
 * largest power of two aligned to its size: a CPU fault brings back the
 * window of a unit's size around it (__drm_pagemap_migrate_to_ram()),
 * which is the unit only if it is so aligned. Units of an aligned range
 * are whole granules or the range; a range fitted around a hole
 * (&drm_gpusvm_ctx.fit_range) is cut into aligned pieces.
 */
static int amdgpu_svm_range_to_vram(struct amdgpu_svm *svm,
				    struct amdgpu_svm_range *range,
				    struct drm_pagemap *dpagemap,
				    u32 granularity)
{
	unsigned long gran = PAGE_SIZE << min_t(u32, granularity, 30);
	unsigned long start = drm_gpusvm_range_start(&range->base);
	unsigned long end = drm_gpusvm_range_end(&range->base);
	unsigned long addr, next, size;
	int ret = 0, err;

	for (addr = start; addr < end; addr = next) {
		next = min(ALIGN_DOWN(addr, gran) + gran, end);
		size = min(rounddown_pow_of_two(next - addr),
			   1UL << __ffs(addr));
		next = addr + size;
		err = drm_pagemap_populate_mm(dpagemap, addr, next,
					      svm->gpusvm.mm,
					      AMDGPU_SVM_MIN_RESIDENCY_MS);
		ret = ret ?: err;
	}
	return ret;
}

/*
 * May a GPU fault migrate now? Not if the driver of any context of the
 * process says no (&amdgpu_svm_gpu_ops.fault_may_migrate): the fault
 * holds the process's SVM lock, which a stalled fault of any of its
 * contexts waits for.
 */
static bool amdgpu_svm_fault_may_migrate(struct amdgpu_svm_process *proc)
{
	struct amdgpu_svm *svm;

	lockdep_assert_held(&proc->lock);

	list_for_each_entry(svm, &proc->gpus, link)
		if (svm->gpu->ops->fault_may_migrate &&
		    !svm->gpu->ops->fault_may_migrate(svm))
			return false;
	return true;
}

/**
 * amdgpu_svm_range_migrate() - move a range's pages where they should live
 * @svm: the context about to map @range
 * @range: the range
 * @attrs: the attributes of the piece @range lies in
 * @fault: a GPU fault asks (the ping-pong policy applies), not SET_ATTR
 *
 * See DOC: Migration. Only the GPU whose VRAM is the location migrates
 * into it; any GPU moves pages to system memory when that is the
 * location. The caller maps the range afterwards, wherever its pages are.
 *
 * Context: process context, may sleep; the SVM lock held, not the
 * mmap_lock.
 * Return: 0, or the errno of a migration that failed (the pages then stay
 * where they were, or in system memory).
 */
int amdgpu_svm_range_migrate(struct amdgpu_svm *svm,
			     struct amdgpu_svm_range *range,
			     const struct amdgpu_svm_attrs *attrs, bool fault)
{
	const struct amdgpu_svm_gpu_ops *ops = svm->gpu->ops;
	u32 loc = amdgpu_svm_best_location(svm->proc, attrs);
	unsigned long start = drm_gpusvm_range_start(&range->base);
	unsigned long end = drm_gpusvm_range_end(&range->base);
	struct drm_pagemap *dpagemap;
	int ret;

	lockdep_assert_held(&svm->proc->lock);

	if (loc == AMDGPU_SVM_LOCATION_UNDEFINED)
		return 0;
	/* In-place access: the GPU's own faults never move the pages. */
	if (fault && (attrs->access_in_place & BIT_ULL(svm->idx)))
		return 0;
	if (fault && !amdgpu_svm_fault_may_migrate(svm->proc))
		return 0;
	if (loc == AMDGPU_SVM_LOCATION_SYSMEM) {
		/*
		 * Already there (compared with no pagemap, all-system pages
		 * scan as EQUAL): nothing to move, nothing to trace.
		 */
		if (drm_gpusvm_scan_mm(&range->base, svm->gpu->page_owner,
				       NULL) == DRM_GPUSVM_SCAN_EQUAL)
			return 0;
		ret = amdgpu_svm_should_fail(AMDGPU_SVM_FAIL_MIGRATE) ? -ENOMEM :
		      drm_gpusvm_range_evict(&svm->gpusvm, &range->base);
		trace_amdgpu_svm_migrate(svm->gpu->gpu_id, start, end, loc,
					 fault, ret);
		return ret;
	}
	if (loc != svm->gpu->gpu_id || !ops->pagemap)
		return 0;

	dpagemap = ops->pagemap(svm);
	if (!dpagemap || !range->base.pages.flags.migrate_devmem)
		return 0;
	if (drm_gpusvm_scan_mm(&range->base, svm->gpu->page_owner,
			       dpagemap->pagemap) == DRM_GPUSVM_SCAN_EQUAL)
		return 0;
	if (fault && amdgpu_svm_range_bounced(range))
		return 0;
	if (amdgpu_svm_should_fail(AMDGPU_SVM_FAIL_MIGRATE)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = amdgpu_svm_range_to_vram(svm, range, dpagemap,
				       attrs->granularity);
	if (ret != -EBUSY)
		goto out;
	/*
	 * migrate_vma only takes system pages and our own device pages:
	 * pages in another GPU's VRAM (or a race with the CPU) go through
	 * system memory, once.
	 */
	ret = drm_gpusvm_range_evict(&svm->gpusvm, &range->base);
	if (!ret)
		ret = amdgpu_svm_range_to_vram(svm, range, dpagemap,
					       attrs->granularity);
out:
	trace_amdgpu_svm_migrate(svm->gpu->gpu_id, start, end, loc, fault, ret);
	return ret;
}

/*
 * The context that carries out a prefetch to @loc, a best location: the
 * first context of the GPU whose VRAM it is that has a pagemap (on amdgpu
 * one per file), or the first context of the process for system memory;
 * NULL for none. The pages are the process's, so one move serves every
 * GPU and file: the others would only make ranges and walk the pages to
 * find them already there.
 */
static struct amdgpu_svm *amdgpu_svm_prefetcher(struct amdgpu_svm_process *proc,
						u32 loc)
{
	struct amdgpu_svm *svm;

	lockdep_assert_held(&proc->lock);

	if (loc == AMDGPU_SVM_LOCATION_UNDEFINED)
		return NULL;
	list_for_each_entry(svm, &proc->gpus, link) {
		if (loc == AMDGPU_SVM_LOCATION_SYSMEM)
			return svm;
		if (svm->gpu->gpu_id == loc && svm->gpu->ops->pagemap &&
		    svm->gpu->ops->pagemap(svm))
			return svm;
	}
	return NULL;
}

/**
 * amdgpu_svm_prefetch() - carry out PREFETCH_LOC over a span
 * @proc: the process
 * @start: first byte, page aligned
 * @end: one past the last, page aligned
 *
 * For every piece of [start, end) with a PREFETCH_LOC, find or make the
 * ranges over it of the one context that moves its pages (the GPU that
 * owns the target VRAM, any GPU for system memory) and migrate them
 * (amdgpu_svm_range_migrate()), without mapping them. Holes without a VMA
 * are skipped; a migration that fails leaves the pages where they are.
 *
 * Context: process context, may sleep; the SVM lock held.
 */
void amdgpu_svm_prefetch(struct amdgpu_svm_process *proc, unsigned long start,
			 unsigned long end)
{
	struct drm_gpusvm_ctx ctx = { .read_only = true, .fit_range = true };
	unsigned long addr = start, ps, pe;
	struct amdgpu_svm_attrs attrs;
	struct drm_gpusvm_range *r;
	struct amdgpu_svm *svm;
	u32 loc;

	lockdep_assert_held(&proc->lock);

	while (addr < end) {
		pe = amdgpu_svm_attr_piece(&proc->attrs, addr, ULONG_MAX, &ps,
					   &attrs);
		loc = AMDGPU_SVM_LOCATION_UNDEFINED;
		if (attrs.prefetch_loc != AMDGPU_SVM_LOCATION_UNDEFINED)
			loc = amdgpu_svm_best_location(proc, &attrs);
		svm = amdgpu_svm_prefetcher(proc, loc);
		if (!svm) {
			addr = min(pe, end);
			continue;
		}
		ctx.device_private_page_owner = svm->gpu->page_owner;
		ctx.devmem_possible = !!svm->gpu->ops->pagemap;
		r = drm_gpusvm_range_find_or_insert(&svm->gpusvm, addr, ps,
						    min(pe, TASK_SIZE), &ctx);
		if (IS_ERR(r)) {
			unsigned long next;

			next = drm_gpusvm_find_vma_start(&svm->gpusvm, addr,
							 min(pe, end));
			addr = next > addr ? next : addr + PAGE_SIZE;
			continue;
		}
		/* Made for earlier attributes: make one inside the piece. */
		if (amdgpu_svm_range_drop_crossing(svm, to_amdgpu_svm_range(r),
						   ps, pe))
			continue;
		amdgpu_svm_range_migrate(svm, to_amdgpu_svm_range(r), &attrs,
					 false);
		addr = drm_gpusvm_range_end(r);
	}
}
