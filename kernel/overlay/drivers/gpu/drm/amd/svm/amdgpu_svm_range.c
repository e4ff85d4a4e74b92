// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * amdgpu SVM ranges: mapping drm_gpusvm ranges on the GPU, notifier
 * invalidation, garbage collection, restore and the GPU fault handler.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/ratelimit.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <drm/amdgpu_svm_drm.h>
#include <drm/drm_pagemap.h>
#include <drm/drm_print.h>

#include "amdgpu_svm_priv.h"
#include "amdgpu_svm_trace.h"

/* get_pages / PTE commit raced with an invalidation: how often to retry. */
#define AMDGPU_SVM_MAP_RETRIES	4
/* A failed restore runs again after this long, with the queues quiesced, */
#define AMDGPU_SVM_RESTORE_RETRY_MS	100
/*
 * and a context's spans are given up once its restore failed this many
 * runs in a row, over at least the time as many retries take.
 */
#define AMDGPU_SVM_RESTORE_ATTEMPTS	10
/*
 * A GPU fault at a range mapped less than this long ago is stale (queued
 * before the mapping); one later finds PTEs the GPU does not see, and
 * has them written again. As KFD's AMDGPU_SVM_RANGE_RETRY_FAULT_PENDING.
 */
#define AMDGPU_SVM_STALE_FAULT_NS	(2 * NSEC_PER_MSEC)

static struct drm_gpusvm_range *amdgpu_svm_range_alloc(struct drm_gpusvm *gpusvm)
{
	struct amdgpu_svm_range *range;

	range = kzalloc_obj(*range, GFP_KERNEL_ACCOUNT);
	if (!range)
		return NULL;
	INIT_LIST_HEAD(&range->work_link);
	atomic_inc(&to_amdgpu_svm(gpusvm)->proc->nranges);
	return &range->base;
}

/* Ranges are freed by drm_gpusvm_range_remove() or drm_gpusvm_fini(). */
static void amdgpu_svm_range_free(struct drm_gpusvm_range *range)
{
	atomic_dec(&to_amdgpu_svm(range->gpusvm)->proc->nranges);
	kfree(to_amdgpu_svm_range(range));
}

static unsigned long range_start(struct amdgpu_svm_range *range)
{
	return drm_gpusvm_range_start(&range->base);
}

static unsigned long range_end(struct amdgpu_svm_range *range)
{
	return drm_gpusvm_range_end(&range->base);
}

/* Queue @op for @range; the caller schedules the worker. */
static void amdgpu_svm_range_queue(struct amdgpu_svm *svm,
				   struct amdgpu_svm_range *range, u8 op)
{
	spin_lock(&svm->work_lock);
	if (!range->pending)
		list_add_tail(&range->work_link, &svm->work_list);
	range->pending |= op;
	spin_unlock(&svm->work_lock);
}

static void amdgpu_svm_range_dequeue(struct amdgpu_svm *svm,
				     struct amdgpu_svm_range *range)
{
	spin_lock(&svm->work_lock);
	if (range->pending)
		list_del_init(&range->work_link);
	range->pending = 0;
	spin_unlock(&svm->work_lock);
}

/*
 * Clear the PTEs of the mapped ranges of @notifier within [start, end) and
 * mark them unmapped; with @restore, queue each for the restore worker.
 * The caller flushes the TLB when it returns more than 0.
 */
static unsigned int amdgpu_svm_zap_mapped(struct amdgpu_svm *svm,
					  struct drm_gpusvm_notifier *notifier,
					  unsigned long start,
					  unsigned long end, bool restore)
{
	const struct amdgpu_svm_gpu_ops *ops = svm->gpu->ops;
	struct drm_gpusvm_range *r = NULL;
	unsigned int zapped = 0;

	lockdep_assert_held(&svm->gpusvm.notifier_lock);

	drm_gpusvm_for_each_range(r, notifier, start, end) {
		struct amdgpu_svm_range *range = to_amdgpu_svm_range(r);

		if (!range->mapped)
			continue;
		ops->clear_ptes(svm, range_start(range), range_end(range));
		range->mapped = false;
		zapped++;
		if (restore)
			amdgpu_svm_range_queue(svm, range,
					       AMDGPU_SVM_RANGE_RESTORE);
	}
	return zapped;
}

/**
 * amdgpu_svm_invalidate() - the drm_gpusvm invalidate callback
 * @gpusvm: the context's drm_gpusvm
 * @notifier: the drm_gpusvm notifier that fired
 * @mmu_range: what the CPU invalidates
 *
 * Stages, as xe, with the queueing first: an UNMAP marks the ranges
 * unmapped and queues them for the garbage collector; an eviction with
 * XNACK off queues the mapped ranges for the restore worker, and only
 * then quiesces this context's queues (amdgpu_svm_evict() bumps the
 * eviction sequence the restore worker checks, so work queued here is
 * always seen by a restore that resumes); other contexts are quiesced
 * only by their own notifiers, when they have something mapped here.
 * An mprotect() (MMU_NOTIFY_PROTECTION_VMA; NUMA balancing's scans too)
 * queues the unmapped ranges as well, and quiesces as for mapped ones, so
 * that no queue runs before the restore: a range left unmapped because
 * its memory was PROT_NONE (amdgpu_svm_map_piece()) is mapped once the
 * memory is accessible. (Where the CPU's page tables were never
 * populated, mprotect() calls no notifier: the next SET_ATTR maps it.)
 * Then the PTEs of mapped ranges are zapped, one TLB flush, and every
 * range touched is DMA-unmapped. When the mm goes away
 * (MMU_NOTIFY_RELEASE) PTEs are only zapped. The amdgpu_svm_invalidate and
 * amdgpu_svm_invalidate_done events bracket the work.
 *
 * Context: the MMU notifier; the notifier lock held for write.
 */
static void amdgpu_svm_invalidate(struct drm_gpusvm *gpusvm,
				  struct drm_gpusvm_notifier *notifier,
				  const struct mmu_notifier_range *mmu_range)
{
	struct amdgpu_svm *svm = to_amdgpu_svm(gpusvm);
	struct amdgpu_svm_process *proc = svm->proc;
	const struct amdgpu_svm_gpu_ops *ops = svm->gpu->ops;
	struct drm_gpusvm_ctx ctx = { .in_notifier = true };
	bool unmap = mmu_range->event == MMU_NOTIFY_UNMAP;
	bool release = mmu_range->event == MMU_NOTIFY_RELEASE;
	bool protect = mmu_range->event == MMU_NOTIFY_PROTECTION_VMA;
	/* Changes only under the SVM lock, which the notifier cannot take. */
	bool xnack = READ_ONCE(proc->xnack);
	bool any_mapped = false, queued = false, restore = false;
	unsigned int ranges = 0, zapped = 0;
	struct drm_gpusvm_range *r = NULL;
	unsigned long start, end;

	lockdep_assert_held_write(&gpusvm->notifier_lock);

	start = max(mmu_range->start, drm_gpusvm_notifier_start(notifier));
	end = min(mmu_range->end, drm_gpusvm_notifier_end(notifier));

	drm_gpusvm_for_each_range(r, notifier, start, end) {
		struct amdgpu_svm_range *range = to_amdgpu_svm_range(r);

		any_mapped |= range->mapped;
		/* Being removed by the SVM lock holder: never queue it again. */
		if (range->removed)
			continue;
		if (unmap) {
			drm_gpusvm_range_set_unmapped(r, mmu_range);
			amdgpu_svm_range_queue(svm, range, AMDGPU_SVM_RANGE_GC);
			queued = true;
		} else if (!release && !xnack &&
			   (range->mapped || protect)) {
			amdgpu_svm_range_queue(svm, range,
					       AMDGPU_SVM_RANGE_RESTORE);
			queued = true;
			restore = true;
		}
	}
	trace_amdgpu_svm_invalidate(svm->gpu->gpu_id, start, end,
				    mmu_range->event, any_mapped);
	if ((any_mapped || restore) && !release && !xnack)
		amdgpu_svm_evict(svm);

	if (any_mapped) {
		zapped = amdgpu_svm_zap_mapped(svm, notifier, start, end, false);
		ops->flush_tlb(svm);
	}

	r = NULL;
	drm_gpusvm_for_each_range(r, notifier, start, end) {
		drm_gpusvm_range_unmap_pages(gpusvm, r, &ctx);
		ranges++;
	}

	if (queued) {
		if (xnack)
			queue_work(amdgpu_svm_wq, &proc->gc_work);
		else
			mod_delayed_work(amdgpu_svm_wq, &proc->restore_work, 1);
	}
	trace_amdgpu_svm_invalidate_done(svm->gpu->gpu_id, ranges, zapped);
}

const struct drm_gpusvm_ops amdgpu_svm_gpusvm_ops = {
	.range_alloc = amdgpu_svm_range_alloc,
	.range_free = amdgpu_svm_range_free,
	.invalidate = amdgpu_svm_invalidate,
	.hmm_range_fault = amdgpu_svm_hmm_range_fault,
};

/*
 * Zap, forget pending work and remove a range. The range stays in the
 * drm_gpusvm tree until drm_gpusvm_range_remove() takes it out under the
 * notifier lock; an invalidation in that window must not queue it again
 * (the queue would keep a pointer to freed memory), hence @removed, set
 * under the notifier lock before the range leaves the work list.
 */
static void amdgpu_svm_range_remove(struct amdgpu_svm *svm,
				    struct amdgpu_svm_range *range)
{
	const struct amdgpu_svm_gpu_ops *ops = svm->gpu->ops;

	lockdep_assert_held(&svm->proc->lock);

	drm_gpusvm_notifier_lock(&svm->gpusvm);
	range->removed = true;
	if (range->mapped) {
		ops->clear_ptes(svm, range_start(range), range_end(range));
		ops->flush_tlb(svm);
		range->mapped = false;
	}
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	amdgpu_svm_range_dequeue(svm, range);
	drm_gpusvm_range_remove(&svm->gpusvm, &range->base);
}

/**
 * amdgpu_svm_range_drop_crossing() - remove a range that reaches beyond
 * the attribute piece it is about to be acted on for
 * @svm: the context
 * @range: a range over an address of [@ps, @pe)
 * @ps: start of the piece
 * @pe: end of the piece
 *
 * A range made for earlier attributes can reach beyond the piece that now
 * covers it; a prefetch acting on it with this piece's attributes would
 * move its pages outside the piece too, and with XNACK on nothing moves
 * them back (no GPU maps them before it faults). It is removed there; the
 * GPU faults its pages in again. With XNACK off it is left alone:
 * amdgpu_svm_sync() drops it next, under a quiesce, and maps what it
 * covered again piece by piece, moving each piece's pages where its
 * attributes say. Removed here, its PTEs would be cleared while the
 * queues run, and what it covered beyond the ioctl's span would stay
 * unmapped: a VM fault at the next GPU access there.
 *
 * Context: process context, may sleep; the SVM lock held.
 * Return: true if @range was removed (the caller finds or makes another).
 */
bool amdgpu_svm_range_drop_crossing(struct amdgpu_svm *svm,
				    struct amdgpu_svm_range *range,
				    unsigned long ps, unsigned long pe)
{
	lockdep_assert_held(&svm->proc->lock);

	if (!svm->proc->xnack ||
	    (range_start(range) >= ps && range_end(range) <= pe))
		return false;
	amdgpu_svm_range_remove(svm, range);
	return true;
}

/* Remember a span the restore worker must map again (XNACK off). */
static void amdgpu_svm_retry_add(struct amdgpu_svm *svm, unsigned long start,
				 unsigned long end)
{
	lockdep_assert_held(&svm->proc->lock);

	if (svm->retry_start == svm->retry_end) {
		svm->retry_start = start;
		svm->retry_end = end;
	}
	svm->retry_start = min(svm->retry_start, start);
	svm->retry_end = max(svm->retry_end, end);
}

/*
 * XNACK off: leave [start, end) to the restore worker, and the context's
 * queues quiesced until it has mapped the span: part of it may have been
 * mapped before (ranges the caller took down to make them again), and a
 * queue that ran meanwhile would VM fault there.
 */
static void amdgpu_svm_restore_later(struct amdgpu_svm *svm,
				     unsigned long start, unsigned long end)
{
	lockdep_assert_held(&svm->proc->lock);

	if (svm->proc->xnack)
		return;
	amdgpu_svm_retry_add(svm, start, end);
	amdgpu_svm_owe_restore(svm);
	mod_delayed_work(amdgpu_svm_wq, &svm->proc->restore_work, 1);
}

/*
 * Garbage collect one range the CPU unmapped, found while mapping: remove
 * it now and leave the rebuild of the rest of its extent (XNACK off) to
 * the restore worker. Never recurses into the drain.
 */
static void amdgpu_svm_range_collect(struct amdgpu_svm *svm,
				     struct amdgpu_svm_range *range)
{
	unsigned long start = range_start(range), end = range_end(range);

	amdgpu_svm_range_remove(svm, range);
	amdgpu_svm_restore_later(svm, start, end);
}

/*
 * Remove every range of [start, end): the PTEs of the mapped ones first,
 * then one TLB flush, then the ranges go.
 */
static void amdgpu_svm_remove_span(struct amdgpu_svm *svm, unsigned long start,
				   unsigned long end)
{
	const struct amdgpu_svm_gpu_ops *ops = svm->gpu->ops;
	struct drm_gpusvm_notifier *notifier, *next_notifier;
	struct drm_gpusvm_range *r, *next;
	unsigned int zapped = 0;

	lockdep_assert_held(&svm->proc->lock);

	drm_gpusvm_notifier_lock(&svm->gpusvm);
	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, start, end)
		zapped += amdgpu_svm_zap_mapped(svm, notifier, start, end,
						false);
	if (zapped)
		ops->flush_tlb(svm);
	drm_gpusvm_notifier_unlock(&svm->gpusvm);

	drm_gpusvm_for_each_notifier_safe(notifier, next_notifier, &svm->gpusvm,
					  start, end)
		drm_gpusvm_for_each_range_safe(r, next, notifier, start, end)
			amdgpu_svm_range_remove(svm, to_amdgpu_svm_range(r));
}

/**
 * amdgpu_svm_unmap_all() - remove every range of a context
 * @svm: the context, being destroyed
 *
 * Context: the SVM lock held.
 */
void amdgpu_svm_unmap_all(struct amdgpu_svm *svm)
{
	KUNIT_STATIC_STUB_REDIRECT(amdgpu_svm_unmap_all, svm);

	amdgpu_svm_remove_span(svm, 0, ULONG_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_unmap_all);

/**
 * amdgpu_svm_ptes_lost() - the GPU page table of a context lost what the
 * core wrote there
 * @svm: the context
 *
 * A GPU reset that lost VRAM, where amdgpu keeps its page tables, or a
 * page-table job that was cancelled, leaves the page table of @svm
 * without the PTEs the core wrote, or with garbage in their place. The
 * driver calls this once it knows, before the context's queues run again
 * (amdgpu: on the first command submission that sees the VM's new
 * generation). The PTEs of every mapped range are cleared, so no garbage
 * translation survives, and the ranges are marked unmapped. With XNACK
 * off they are queued for the restore worker and the context is quiesced
 * until it has mapped them again, as after an eviction; with XNACK on the
 * GPU faults them in again (a range still marked mapped would make the
 * fault handler write nothing, and the access fault for ever). The pages
 * stay where they are: whether VRAM kept their contents is for the driver
 * to report (amdgpu: the VRAM-lost counter of its contexts).
 *
 * Context: process context, may sleep; takes the SVM lock and the
 * notifier lock. No driver lock that the SVM core's ops take may be held.
 */
void amdgpu_svm_ptes_lost(struct amdgpu_svm *svm)
{
	const struct amdgpu_svm_gpu_ops *ops = svm->gpu->ops;
	struct amdgpu_svm_process *proc = svm->proc;
	struct drm_gpusvm_notifier *notifier;
	unsigned int zapped = 0;

	mutex_lock(&proc->lock);
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, 0, ULONG_MAX)
		zapped += amdgpu_svm_zap_mapped(svm, notifier, 0, ULONG_MAX,
						!proc->xnack);
	if (zapped)
		ops->flush_tlb(svm);
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	if (zapped && !proc->xnack) {
		amdgpu_svm_owe_restore(svm);
		mod_delayed_work(amdgpu_svm_wq, &proc->restore_work, 1);
	}
	mutex_unlock(&proc->lock);
	trace_amdgpu_svm_ptes_lost(svm->gpu->gpu_id, zapped);
}
EXPORT_SYMBOL_GPL(amdgpu_svm_ptes_lost);

/* What an allocation of @size bytes by kvmalloc() and friends takes. */
static size_t amdgpu_svm_alloc_size(const void *p, size_t size)
{
	return is_vmalloc_addr(p) ? PAGE_ALIGN(size) : kmalloc_size_roundup(size);
}

/**
 * amdgpu_svm_range_bytes() - kernel memory of a context's ranges
 * @svm: the context
 *
 * Counts what the ranges hold as allocated (slab object or vmalloc size):
 * the range structures, their DMA-address arrays and the drm_gpusvm
 * notifiers over them. For debugfs, to tell a range's cost apart from
 * everything else a meminfo delta catches.
 *
 * Context: the SVM lock held; takes the notifier lock.
 * Return: the bytes.
 */
size_t amdgpu_svm_range_bytes(struct amdgpu_svm *svm)
{
	struct drm_gpusvm_notifier *notifier;
	struct drm_gpusvm_range *r;
	size_t bytes = 0;

	lockdep_assert_held(&svm->proc->lock);

	drm_gpusvm_notifier_lock(&svm->gpusvm);
	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, 0, ULONG_MAX) {
		bytes += kmalloc_size_roundup(sizeof(*notifier));
		r = NULL;
		drm_gpusvm_for_each_range(r, notifier, 0, ULONG_MAX) {
			const struct drm_gpusvm_pages *pages = &r->pages;

			bytes += kmalloc_size_roundup(sizeof(struct amdgpu_svm_range));
			if (pages->dma_addr)
				bytes += amdgpu_svm_alloc_size(pages->dma_addr,
							       pages->num_dma_addr *
							       sizeof(*pages->dma_addr));
		}
	}
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	return bytes;
}

static u32 amdgpu_svm_pte_flags(const struct amdgpu_svm_attrs *attrs)
{
	u32 flags = AMDGPU_SVM_PTE_READ;

	if (!(attrs->flags & AMDGPU_SVM_FLAG_GPU_RO))
		flags |= AMDGPU_SVM_PTE_WRITE;
	if (attrs->flags & AMDGPU_SVM_FLAG_GPU_EXEC)
		flags |= AMDGPU_SVM_PTE_EXEC;
	if (attrs->flags & AMDGPU_SVM_FLAG_COHERENT)
		flags |= AMDGPU_SVM_PTE_COHERENT;
	if (attrs->flags & AMDGPU_SVM_FLAG_EXT_COHERENT)
		flags |= AMDGPU_SVM_PTE_EXT_COHERENT;
	if (attrs->flags & AMDGPU_SVM_FLAG_GPU_READ_MOSTLY)
		flags |= AMDGPU_SVM_PTE_READ_MOSTLY;
	return flags;
}

/*
 * Is @range mapped with @pte_flags over pages that are still valid? Then
 * mapping it again would find its pages valid and write nothing: a
 * SET_ATTR naming another GPU, a sync of an unchanged span or a fault
 * that raced the one that mapped the range costs the lookup only, not
 * the page-table reservation too.
 */
static bool amdgpu_svm_range_current(struct amdgpu_svm *svm,
				     struct amdgpu_svm_range *range,
				     u32 pte_flags)
{
	bool up_to_date;

	drm_gpusvm_notifier_lock(&svm->gpusvm);
	up_to_date = range->mapped && range->pte_flags == pte_flags &&
		     drm_gpusvm_range_pages_valid(&svm->gpusvm, &range->base);
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	return up_to_date;
}

/*
 * Map one range with @pte_flags: with @migrate_attrs first move its pages
 * to their location (a failed migration maps them where they are), then,
 * unless the range is mapped so already, get (fault in, DMA-map) its
 * pages, then under the notifier lock check they are still valid and
 * write the PTEs. With @rewrite, PTEs already written with @pte_flags are
 * written again, never cleared first. Pages may be a mix of system memory
 * and this GPU's VRAM. Return -EAGAIN when an invalidation raced; the
 * caller retries.
 */
static int amdgpu_svm_range_map(struct amdgpu_svm *svm,
				struct amdgpu_svm_range *range, u32 pte_flags,
				const struct amdgpu_svm_attrs *migrate_attrs,
				bool fault, bool rewrite)
{
	const struct amdgpu_svm_gpu_ops *ops = svm->gpu->ops;
	struct drm_gpusvm_ctx ctx = {
		.read_only = !(pte_flags & AMDGPU_SVM_PTE_WRITE),
		.device_private_page_owner = svm->gpu->page_owner,
		.allow_mixed = true,
	};
	struct amdgpu_svm_pte_update update = {
		.start = range_start(range),
		.end = range_end(range),
		.pte_flags = pte_flags,
	};
	int ret;

	lockdep_assert_held(&svm->proc->lock);

	if (migrate_attrs)
		amdgpu_svm_range_migrate(svm, range, migrate_attrs, fault);
	/*
	 * Mapped as asked over valid pages already: nothing to do. Checked
	 * after the migration, which invalidated the range if it moved pages.
	 */
	if (!rewrite && amdgpu_svm_range_current(svm, range, pte_flags))
		return 0;

	if (amdgpu_svm_should_fail(AMDGPU_SVM_FAIL_GET_PAGES))
		return -ENOMEM;
	/*
	 * VRAM pages the CPU maps read-only (shared copy-on-write with a
	 * child since fork()) come back in system memory for a writable
	 * mapping, this process's own copy (drm_gpusvm_get_pages()).
	 */
	ret = drm_gpusvm_range_get_pages(&svm->gpusvm, &range->base, &ctx);
	if (ret)
		return ret;
	range->read_only_pages = ctx.read_only;

	if (ops->reserve_ptes) {
		ret = ops->reserve_ptes(svm, update.start, update.end);
		if (ret)
			return ret;
	}

	drm_gpusvm_notifier_lock(&svm->gpusvm);
	/* A rewrite of a range invalidated meanwhile is a mapping again. */
	if (!drm_gpusvm_range_pages_valid(&svm->gpusvm, &range->base) ||
	    (rewrite && !range->mapped)) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	if (range->mapped && range->pte_flags == pte_flags && !rewrite)
		goto out_unlock;
	if (range->mapped && range->pte_flags != pte_flags) {
		/* Permissions change: never let a stale TLB entry survive. */
		ops->clear_ptes(svm, update.start, update.end);
		ops->flush_tlb(svm);
		range->mapped = false;
	}
	update.dma_addr = range->base.pages.dma_addr;
	if (amdgpu_svm_should_fail(AMDGPU_SVM_FAIL_UPDATE_PTES))
		ret = -ENOMEM;
	else
		ret = ops->update_ptes(svm, &update);
	if (ret) {
		/*
		 * The span is invalid again (the op leaves no PTE of it
		 * valid, a rewrite's included), but the GPU may have walked
		 * and cached the PTEs written before the failure; an
		 * invalidation of an unmapped range flushes nothing, so do
		 * it now.
		 */
		range->mapped = false;
		ops->flush_tlb(svm);
	} else {
		range->mapped = true;
		range->pte_flags = pte_flags;
		range->mapped_at = ktime_get();
	}
out_unlock:
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	return ret;
}

/*
 * Remove a range that a mapping of [addr, end) found at @addr and cannot
 * use as it is. The caller maps [addr, end) again; what the range covered
 * outside it (it may begin before @addr and reach beyond @end, and may
 * have been waiting for a restore, whose work item goes with it) is left
 * to the restore worker (XNACK off).
 */
static void amdgpu_svm_range_drop(struct amdgpu_svm *svm,
				  struct amdgpu_svm_range *range,
				  unsigned long addr, unsigned long end)
{
	unsigned long start = range_start(range), last = range_end(range);

	amdgpu_svm_range_remove(svm, range);
	if (start < addr)
		amdgpu_svm_restore_later(svm, start, addr);
	if (last > end)
		amdgpu_svm_restore_later(svm, end, last);
}

/*
 * The flags of the VMA that covers @addr, and in *@end where it ends: 0
 * and 0 if none does. Takes and drops the mmap_lock: the VMA may have
 * changed by the time the caller looks at what it was.
 */
static vm_flags_t amdgpu_svm_vma_at(struct amdgpu_svm *svm, unsigned long addr,
				    unsigned long *end)
{
	struct mm_struct *mm = svm->gpusvm.mm;
	struct vm_area_struct *vma;
	vm_flags_t flags = 0;

	*end = 0;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma) {
		flags = vma->vm_flags;
		*end = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return flags;
}

/**
 * amdgpu_svm_read_only_vma_holds() - does one read-only VMA hold a span?
 * @svm: the context
 * @start: first byte
 * @end: one past the last
 *
 * Context: process context; takes and drops the mmap_lock.
 * Return: true if one VMA without write permission covers all of
 * [@start, @end): PTEs without write permission fit it.
 */
VISIBLE_IF_KUNIT bool amdgpu_svm_read_only_vma_holds(struct amdgpu_svm *svm,
						     unsigned long start,
						     unsigned long end)
{
	unsigned long vma_end;
	vm_flags_t flags = amdgpu_svm_vma_at(svm, start, &vma_end);

	return vma_end >= end && !(flags & VM_WRITE);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_read_only_vma_holds);

/*
 * A range made before an mprotect or mmap split its VMA may now cover
 * memory of different permissions, which get_pages refuses: drop it
 * (amdgpu_svm_range_drop(), for a mapping of [addr, end)), so that
 * find_or_insert makes ranges inside one VMA again. The split invalidated
 * the range, so it is no longer mapped. Return true if it was dropped;
 * else the flags of the VMA that holds the range, as this look found
 * them, in *@vma_flags if not NULL.
 */
static bool amdgpu_svm_drop_if_split(struct amdgpu_svm *svm,
				     struct amdgpu_svm_range *range,
				     unsigned long addr, unsigned long end,
				     vm_flags_t *vma_flags)
{
	unsigned long vma_end;
	vm_flags_t flags;

	lockdep_assert_held(&svm->proc->lock);

	flags = amdgpu_svm_vma_at(svm, range_start(range), &vma_end);
	if (vma_end >= range_end(range)) {
		if (vma_flags)
			*vma_flags = flags;
		return false;
	}
	amdgpu_svm_range_drop(svm, range, addr, end);
	return true;
}

/*
 * Can @range stay, unmapped if need be, in the attribute piece [ps, pe)?
 * Not when it reaches outside the piece, the GPU may no longer access it,
 * or its pages were faulted in read-only where writes are now allowed
 * (its valid pages would be reused as they are), unless its read-only VMA
 * is why (@range->vma_read_only).
 */
static bool amdgpu_svm_range_keeps(struct amdgpu_svm_range *range,
				   unsigned long ps, unsigned long pe,
				   bool accessible, u32 pte_flags)
{
	return accessible && range_start(range) >= ps && range_end(range) <= pe &&
	       !(range->read_only_pages && (pte_flags & AMDGPU_SVM_PTE_WRITE) &&
		 !range->vma_read_only);
}

/*
 * Must the PTEs of @range be cleared to fit the attribute piece [ps, pe)
 * and its PTE flags @pte_flags? A range mapped without the write
 * permission of @pte_flags because one read-only VMA holds it fits: the
 * mapping would make it so again (amdgpu_svm_map_piece()).
 */
static bool amdgpu_svm_range_misfits(struct amdgpu_svm_range *range,
				     unsigned long ps, unsigned long pe,
				     bool accessible, u32 pte_flags)
{
	bool flags_fit = range->pte_flags == pte_flags ||
			 (range->vma_read_only &&
			  range->pte_flags == (pte_flags & ~AMDGPU_SVM_PTE_WRITE));

	return range->mapped &&
	       (!flags_fit ||
		!amdgpu_svm_range_keeps(range, ps, pe, accessible, pte_flags));
}

/*
 * Make the ranges over [start, end) fit the attribute piece [ps, pe):
 * clear the PTEs of every mapped range that cannot stay or carries other
 * PTE flags, with one TLB flush for all of them (after one quiesce, XNACK
 * off), then drop the ranges that cannot stay (amdgpu_svm_range_keeps());
 * the others keep their pages for the caller to map with the new flags.
 * Memory mapped read-only for its read-only VMA stays so where the
 * attributes allow writes: one look at the VMA of each such range, where
 * dropping it cost a quiesce, a PTE clear and a mapping at every SET_ATTR
 * and restore of its span. Widen *lo / *hi to what the cleared and
 * dropped ranges covered so the caller maps it again. Return true if any
 * range was cleared or dropped.
 */
static bool amdgpu_svm_drop_misfits(struct amdgpu_svm *svm, unsigned long start,
				    unsigned long end, unsigned long ps,
				    unsigned long pe, bool accessible, u32 pte_flags,
				    unsigned long *lo, unsigned long *hi,
				    bool *quiesced)
{
	const struct amdgpu_svm_gpu_ops *ops = svm->gpu->ops;
	struct amdgpu_svm_process *proc = svm->proc;
	struct drm_gpusvm_notifier *notifier, *next_notifier;
	struct drm_gpusvm_range *r, *next;
	bool zap = false, changed = false;

	lockdep_assert_held(&proc->lock);

	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, start, end)
		drm_gpusvm_for_each_range_safe(r, next, notifier, start, end) {
			struct amdgpu_svm_range *range = to_amdgpu_svm_range(r);

			range->vma_read_only = accessible && range->read_only_pages &&
					       (pte_flags & AMDGPU_SVM_PTE_WRITE) &&
					       amdgpu_svm_read_only_vma_holds(svm,
									      range_start(range),
									      range_end(range));
			zap |= amdgpu_svm_range_misfits(range, ps, pe, accessible,
							pte_flags);
		}
	if (zap) {
		if (!proc->xnack && !*quiesced) {
			amdgpu_svm_quiesce(svm);
			*quiesced = true;
		}
		drm_gpusvm_notifier_lock(&svm->gpusvm);
		drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, start, end)
			drm_gpusvm_for_each_range_safe(r, next, notifier, start,
						       end) {
				struct amdgpu_svm_range *range = to_amdgpu_svm_range(r);

				if (!amdgpu_svm_range_misfits(range, ps, pe,
							      accessible,
							      pte_flags))
					continue;
				ops->clear_ptes(svm, range_start(range),
						range_end(range));
				range->mapped = false;
				*lo = min(*lo, range_start(range));
				*hi = max(*hi, range_end(range));
			}
		/* One flush for the whole span, however many ranges. */
		ops->flush_tlb(svm);
		drm_gpusvm_notifier_unlock(&svm->gpusvm);
		changed = true;
	}

	drm_gpusvm_for_each_notifier_safe(notifier, next_notifier, &svm->gpusvm,
					  start, end) {
		drm_gpusvm_for_each_range_safe(r, next, notifier, start, end) {
			struct amdgpu_svm_range *range = to_amdgpu_svm_range(r);

			if (amdgpu_svm_range_keeps(range, ps, pe, accessible,
						   pte_flags))
				continue;
			*lo = min(*lo, range_start(range));
			*hi = max(*hi, range_end(range));
			amdgpu_svm_range_remove(svm, range);
			changed = true;
		}
	}
	return changed;
}

/*
 * A VMA the CPU cannot access at all (PROT_NONE) covers @addr: never an
 * error, as with KFD; its pages stay unmapped and a GPU access there
 * faults as the CPU's would. Return the end of that VMA, or 0.
 */
static unsigned long amdgpu_svm_prot_none_end(struct amdgpu_svm *svm,
					      unsigned long addr)
{
	unsigned long end;

	if (amdgpu_svm_vma_at(svm, addr, &end) & (VM_READ | VM_WRITE | VM_EXEC))
		return 0;
	return end;
}

/*
 * Map [addr, end) of one accessible attribute piece [ps, pe): find or
 * insert ranges that fit the piece and map them. Holes without a VMA are
 * skipped.
 *
 * drm_gpusvm_range_find_or_insert() takes and drops the mmap_lock itself,
 * so the VMA layout may change between two calls, and get_pages may race
 * with an invalidation. The retry scheme: no VMA (-ENOENT) skips to the
 * next VMA; a read-only VMA (-EPERM) retries the range read-only; a range
 * that an mprotect or mmap split between VMAs is dropped and made again
 * inside one; a range found already marked unmapped by the notifier is
 * garbage collected now
 * and the address retried; -EAGAIN or -EBUSY (pages invalidated before
 * the PTEs were written, or hmm_range_fault() kept racing invalidations)
 * retries the range up to AMDGPU_SVM_MAP_RETRIES times. A munmap that
 * cleared attributes since the caller read @attrs (@clears, from
 * amdgpu_svm_attr_clears()) may have left new memory where a range is
 * found: -ESTALE, the caller reads the piece again.
 * PROT_NONE memory gets ranges inside its VMA, left unmapped, which an
 * mprotect() that makes it accessible has the restore worker map (XNACK
 * off). Unless AMDGPU_SVM_SYNC_STRICT, other memory that cannot be mapped
 * (-EFAULT, -EPERM, -EIO: VM_IO, ...) is skipped: the GPU access will
 * fault, as the CPU's would. AMDGPU_SVM_SYNC_MIGRATE moves pages to the
 * location of @attrs first.
 */
static int amdgpu_svm_map_piece(struct amdgpu_svm *svm, unsigned long addr,
				unsigned long end, unsigned long ps,
				unsigned long pe,
				const struct amdgpu_svm_attrs *attrs,
				u32 pte_flags, unsigned int sync_flags,
				unsigned long clears)
{
	struct drm_gpusvm_ctx ctx = {
		.device_private_page_owner = svm->gpu->page_owner,
		.devmem_possible = !!svm->gpu->ops->pagemap,
		.fit_range = true,
	};
	bool strict = sync_flags & AMDGPU_SVM_SYNC_STRICT;
	unsigned int retries = 0;
	int ret;

	while (addr < end) {
		struct drm_gpusvm_range *r;
		struct amdgpu_svm_range *range;
		unsigned long prot_none = 0;
		vm_flags_t vma_flags = 0;
		u32 flags = pte_flags;

		ctx.read_only = !(flags & AMDGPU_SVM_PTE_WRITE);
		r = drm_gpusvm_range_find_or_insert(&svm->gpusvm, addr, ps,
						    min(pe, TASK_SIZE), &ctx);
		if (IS_ERR(r) && PTR_ERR(r) == -EPERM && !ctx.read_only) {
			/*
			 * PROT_NONE: a range is still found or made there,
			 * inside the VMA, and left unmapped (see below).
			 */
			prot_none = amdgpu_svm_prot_none_end(svm, addr);
			flags &= ~AMDGPU_SVM_PTE_WRITE;
			ctx.read_only = true;
			r = drm_gpusvm_range_find_or_insert(&svm->gpusvm, addr,
							    ps, min(pe, TASK_SIZE),
							    &ctx);
			/*
			 * A range made before an mprotect() of its first
			 * pages reaches past the read-only VMA into writable
			 * memory, where read-only PTEs would fault the GPU's
			 * writes: make ranges inside one VMA again. This look
			 * at the VMA, after the range was made, also serves
			 * the PROT_NONE check below.
			 */
			if (!IS_ERR(r) &&
			    amdgpu_svm_drop_if_split(svm, to_amdgpu_svm_range(r),
						     addr, end, &vma_flags)) {
				if (++retries > AMDGPU_SVM_MAP_RETRIES)
					return -EAGAIN;
				continue;
			}
		}
		if (IS_ERR(r)) {
			ret = PTR_ERR(r);
			if (ret == -ENOENT) {
				unsigned long next;

				/* A hole: go on at the next VMA, if any. */
				next = drm_gpusvm_find_vma_start(&svm->gpusvm,
								 addr, end);
				if (next > addr) {
					addr = next;
					retries = 0;
					continue;
				}
				/* The VMA came back meanwhile: retry, bounded. */
				if (++retries > AMDGPU_SVM_MAP_RETRIES)
					return -EAGAIN;
				continue;
			}
			if (ret == -EFAULT || ret == -EPERM || ret == -EIO) {
				unsigned long next;

				next = prot_none ?: amdgpu_svm_prot_none_end(svm, addr);
				if (next) {
					addr = next;
					retries = 0;
					continue;
				}
				if (!strict) {
					addr += PAGE_SIZE;
					continue;
				}
			}
			return ret;
		}
		/* Found after the VMA lookup, which a new mapping precedes. */
		if (amdgpu_svm_attr_clears(&svm->proc->attrs) != clears)
			return -ESTALE;
		range = to_amdgpu_svm_range(r);

		if (range->base.pages.flags.unmapped) {
			if (++retries > AMDGPU_SVM_MAP_RETRIES)
				return -EAGAIN;
			amdgpu_svm_range_collect(svm, range);
			continue;
		}

		/*
		 * PROT_NONE memory: the range stays unmapped, and the notifier
		 * of an mprotect() that makes the memory accessible queues it
		 * for the restore (amdgpu_svm_invalidate()). One that ran
		 * before the range was made found nothing to queue: the look
		 * at the VMA after the range was made (above), under the
		 * mmap_lock that mprotect() held around its notifier, sees
		 * its permissions.
		 */
		if (prot_none) {
			if (vma_flags & (VM_READ | VM_WRITE | VM_EXEC))
				amdgpu_svm_restore_later(svm, range_start(range),
							 range_end(range));
			retries = 0;
			addr = range_end(range);
			continue;
		}

		ret = amdgpu_svm_range_map(svm, range, flags,
					   sync_flags & AMDGPU_SVM_SYNC_MIGRATE ?
					   attrs : NULL, false, false);
		if ((ret == -EPERM || ret == -EFAULT) &&
		    amdgpu_svm_drop_if_split(svm, range, addr, end, NULL)) {
			if (++retries > AMDGPU_SVM_MAP_RETRIES)
				return -EAGAIN;
			continue;
		}
		/*
		 * -EBUSY: hmm_range_fault() kept racing invalidations; -EPERM:
		 * an mprotect() took write permission away since the range
		 * was found (the retry maps it read-only).
		 */
		if (ret == -EAGAIN || ret == -EBUSY || ret == -EPERM ||
		    (ret == -EFAULT && range->base.pages.flags.unmapped)) {
			if (++retries > AMDGPU_SVM_MAP_RETRIES)
				return -EAGAIN;
			continue;
		}
		/* A range inside PROT_NONE memory stays, unmapped, as above. */
		if ((ret == -EFAULT || ret == -EPERM) &&
		    amdgpu_svm_prot_none_end(svm, addr)) {
			retries = 0;
			addr = range_end(range);
			continue;
		}
		if (ret && (strict || (ret != -EFAULT && ret != -EPERM)))
			return ret;
		/*
		 * Mapped read-only for a VMA that was read-only when the range
		 * was looked up: an mprotect() that made all or part of it
		 * writable since ran its notifier before this mapping and will
		 * not clear it, and the GPU would fault its writes (XNACK off).
		 * Look again under the mmap_lock, which that mprotect() held
		 * around its notifier: unless one read-only VMA still holds
		 * the range, the restore worker maps it again, the context
		 * quiesced until then.
		 */
		if (!ret && flags != pte_flags &&
		    !amdgpu_svm_read_only_vma_holds(svm, range_start(range),
						    range_end(range)))
			amdgpu_svm_restore_later(svm, range_start(range),
						 range_end(range));
		retries = 0;
		addr = range_end(range);
	}
	return 0;
}

/**
 * amdgpu_svm_sync() - make the GPU mappings of a span match its attributes
 * @svm: the context
 * @start: first byte, page aligned
 * @end: one past the last, page aligned
 * @flags: AMDGPU_SVM_SYNC_STRICT: fail on memory that cannot be mapped
 *	(the ioctl) instead of skipping it (the workers);
 *	AMDGPU_SVM_SYNC_MIGRATE: move pages to their location first
 * @quiesced: set to true if this call quiesced @svm (the caller resumes
 *	it with amdgpu_svm_resume() when done)
 *
 * Drops the ranges that cross an attribute boundary, are no longer
 * accessible by this GPU or have stale PTE flags, widening the span to
 * cover them; with XNACK off then maps every accessible page of the span.
 * With XNACK on only GPU_ALWAYS_MAPPED pages are mapped: faults do the
 * rest. With XNACK off a mapping that fails leaves the rest of the span,
 * dropped ranges included, to the restore worker, and the context
 * quiesced until that worker has mapped it: a failed call never leaves
 * memory the GPU may access unmapped while the queues run. Each piece's
 * attributes are read once, and the range lookups take the mmap_lock one
 * by one: a munmap that cleared attributes meanwhile makes the piece be
 * read again (amdgpu_svm_attr_clears()), so that new memory mapped where
 * the piece was never gets its old rights.
 *
 * Context: process context, may sleep; the SVM lock held.
 * Return: 0, or a negative errno from mapping.
 */
int amdgpu_svm_sync(struct amdgpu_svm *svm, unsigned long start,
		    unsigned long end, unsigned int flags, bool *quiesced)
{
	struct amdgpu_svm_process *proc = svm->proc;
	unsigned long addr = start, ps, pe, seg_end, lo, hi, clears;
	unsigned int rereads = 0;
	struct amdgpu_svm_attrs attrs;
	int ret;

	KUNIT_STATIC_STUB_REDIRECT(amdgpu_svm_sync, svm, start, end, flags,
				   quiesced);
	lockdep_assert_held(&proc->lock);

	while (addr < end) {
		bool accessible;
		u32 pte_flags;

		clears = amdgpu_svm_attr_clears(&proc->attrs);
		pe = amdgpu_svm_attr_piece(&proc->attrs, addr, ULONG_MAX, &ps,
					   &attrs);
		seg_end = min(pe, end);
		accessible = (attrs.access | attrs.access_in_place) &
			     BIT_ULL(svm->idx);
		pte_flags = amdgpu_svm_pte_flags(&attrs);

		lo = addr;
		hi = seg_end;
		if (amdgpu_svm_drop_misfits(svm, addr, seg_end, ps, pe,
					    accessible, pte_flags, &lo, &hi,
					    quiesced)) {
			/* Map again what the dropped ranges covered. */
			end = max(end, hi);
			if (lo < addr) {
				addr = lo;
				continue;
			}
		}

		if (accessible && (!proc->xnack ||
				   (attrs.flags & AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED))) {
			ret = amdgpu_svm_map_piece(svm, addr, seg_end, ps, pe,
						   &attrs, pte_flags, flags,
						   clears);
			/* munmap changed attributes meanwhile: read again. */
			if (ret == -ESTALE &&
			    ++rereads <= AMDGPU_SVM_MAP_RETRIES)
				continue;
			if (ret == -ESTALE)
				ret = -EAGAIN;
			if (ret) {
				/* What is left, dropped ranges included. */
				amdgpu_svm_restore_later(svm, addr, end);
				return ret;
			}
		}
		addr = seg_end;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_sync);

/**
 * amdgpu_svm_sync_all() - amdgpu_svm_sync() on every context of a process
 * @proc: the process
 * @start: first byte, page aligned
 * @end: one past the last, page aligned
 * @flags: AMDGPU_SVM_SYNC_* as for amdgpu_svm_sync()
 *
 * Every context is synced, also after another failed, so that none keeps
 * rights the attributes removed; each syncs the whole span, so that a
 * change of PTE flags costs it one TLB flush. The contexts after the
 * first copy the CPU page walks of the span's first GiB from the first
 * (DOC: Shared page walk).
 *
 * Context: process context, may sleep; the SVM lock held, not the
 * mmap_lock.
 * Return: 0, or the first error of a context.
 */
int amdgpu_svm_sync_all(struct amdgpu_svm_process *proc, unsigned long start,
			unsigned long end, unsigned int flags)
{
	struct amdgpu_svm *svm;
	int ret = 0, err;

	lockdep_assert_held(&proc->lock);

	amdgpu_svm_walk_begin(proc, start, end);
	list_for_each_entry(svm, &proc->gpus, link) {
		bool quiesced = false;

		err = amdgpu_svm_sync(svm, start, end, flags, &quiesced);
		if (quiesced)
			amdgpu_svm_resume(svm);
		ret = ret ?: err;
	}
	amdgpu_svm_walk_end(proc);
	return ret;
}

/**
 * amdgpu_svm_drain() - run the pending operations of a context's ranges
 * @svm: the context
 *
 * Unmapped ranges are removed (with XNACK off, what of them is still
 * valid is mapped again); evicted ranges are mapped again. A span that
 * fails to map is left to the restore worker (amdgpu_svm_sync()).
 *
 * Context: process context, may sleep; the SVM lock held.
 * Return: 0, or the first error of a rebuild.
 */
int amdgpu_svm_drain(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_process *proc = svm->proc;
	unsigned long start, end;
	bool quiesced = false;
	int ret = 0, err;

	lockdep_assert_held(&proc->lock);

	for (;;) {
		struct amdgpu_svm_range *range;
		u8 pending;

		spin_lock(&svm->work_lock);
		range = list_first_entry_or_null(&svm->work_list,
						 struct amdgpu_svm_range,
						 work_link);
		if (!range) {
			spin_unlock(&svm->work_lock);
			break;
		}
		list_del_init(&range->work_link);
		pending = range->pending;
		range->pending = 0;
		spin_unlock(&svm->work_lock);

		start = range_start(range);
		end = range_end(range);
		if (pending & AMDGPU_SVM_RANGE_GC)
			amdgpu_svm_range_remove(svm, range);
		if (proc->xnack)
			continue;

		err = amdgpu_svm_sync(svm, start, end, 0, &quiesced);
		ret = ret ?: err;
	}

	if (!ret && svm->retry_start != svm->retry_end) {
		/*
		 * Taken out first: what fails, or what a range collected on
		 * the way reaches beyond, is handed back by the sync.
		 */
		start = svm->retry_start;
		end = svm->retry_end;
		svm->retry_start = 0;
		svm->retry_end = 0;
		ret = amdgpu_svm_sync(svm, start, end, 0, &quiesced);
	}
	if (quiesced)
		amdgpu_svm_resume(svm);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_drain);

/**
 * amdgpu_svm_process_drain() - amdgpu_svm_drain() on every context
 * @proc: the process
 *
 * Context: process context, may sleep; the SVM lock held.
 */
void amdgpu_svm_process_drain(struct amdgpu_svm_process *proc)
{
	struct amdgpu_svm *svm;

	lockdep_assert_held(&proc->lock);

	list_for_each_entry(svm, &proc->gpus, link)
		amdgpu_svm_drain(svm);
}

/*
 * The mm is gone (the process exited; its unmaps come after the notifier
 * was released): nothing will be mapped again. Forget pending work and
 * spans to redo, so no worker walks the address space page by page.
 */
static void amdgpu_svm_process_forget_work(struct amdgpu_svm_process *proc)
{
	struct amdgpu_svm_range *range, *next;
	struct amdgpu_svm *svm;

	lockdep_assert_held(&proc->lock);

	list_for_each_entry(svm, &proc->gpus, link) {
		spin_lock(&svm->work_lock);
		list_for_each_entry_safe(range, next, &svm->work_list, work_link) {
			list_del_init(&range->work_link);
			range->pending = 0;
		}
		spin_unlock(&svm->work_lock);
		svm->retry_start = 0;
		svm->retry_end = 0;
		svm->restore_failures = 0;
	}
}

/*
 * The restore of @svm failed AMDGPU_SVM_RESTORE_ATTEMPTS runs in a row:
 * give up on the span it could not map, say so, and let the queues run. A
 * GPU access there is then a VM fault the user sees, instead of queues
 * that stay quiesced for ever.
 */
static void amdgpu_svm_give_up(struct amdgpu_svm *svm, int err)
{
	/*
	 * At the level of the VM fault it leads to; no "callbacks
	 * suppressed" warning when a test provokes it many times.
	 */
	static struct ratelimit_state rs =
		RATELIMIT_STATE_INIT_FLAGS(rs, DEFAULT_RATELIMIT_INTERVAL,
					   DEFAULT_RATELIMIT_BURST,
					   RATELIMIT_MSG_ON_RELEASE);

	lockdep_assert_held(&svm->proc->lock);

	if (svm->retry_start != svm->retry_end && __ratelimit(&rs))
		drm_notice(svm->gpu->drm,
			   "svm: cannot map [0x%lx, 0x%lx) again after an eviction (%d), giving up: GPU accesses there will fault\n",
			   svm->retry_start, svm->retry_end, err);
	svm->retry_start = 0;
	svm->retry_end = 0;
	svm->restore_failures = 0;
}

/*
 * A restore run of @svm ended with @err (0: all mapped): count a failure,
 * and give up on the context's span when its restore failed
 * AMDGPU_SVM_RESTORE_ATTEMPTS runs in a row over at least the time those
 * retries take at their spacing. Both per context: a failing context never
 * gives up another's span, and evictions and refused calls that run the
 * worker sooner never shorten the time a GPU's page tables have to come
 * back. Return the error left to retry: 0 once given up.
 */
static int amdgpu_svm_restore_failed(struct amdgpu_svm *svm, int err)
{
	unsigned long patience =
		msecs_to_jiffies(AMDGPU_SVM_RESTORE_ATTEMPTS *
				 AMDGPU_SVM_RESTORE_RETRY_MS);

	lockdep_assert_held(&svm->proc->lock);

	if (!err) {
		svm->restore_failures = 0;
		return 0;
	}
	if (!svm->restore_failures++)
		svm->restore_failing_since = jiffies;
	if (svm->restore_failures < AMDGPU_SVM_RESTORE_ATTEMPTS ||
	    time_before(jiffies, svm->restore_failing_since + patience))
		return err;
	amdgpu_svm_give_up(svm, err);
	return 0;
}

/**
 * amdgpu_svm_gc_work() - the garbage collector (XNACK on)
 * @work: &amdgpu_svm_process.gc_work
 *
 * Context: process context (workqueue); takes the SVM lock.
 */
void amdgpu_svm_gc_work(struct work_struct *work)
{
	struct amdgpu_svm_process *proc =
		container_of(work, struct amdgpu_svm_process, gc_work);
	struct mm_struct *mm = proc->mn.mm;

	mutex_lock(&proc->lock);
	if (mmget_not_zero(mm)) {
		amdgpu_svm_process_drain(proc);
		mmput_async(mm);
	} else {
		amdgpu_svm_process_forget_work(proc);
	}
	mutex_unlock(&proc->lock);
}

/* Has the context work queued or a span left to map again? */
static bool amdgpu_svm_busy(struct amdgpu_svm *svm)
{
	bool busy;

	lockdep_assert_held(&svm->proc->lock);

	spin_lock(&svm->work_lock);
	busy = !list_empty(&svm->work_list) ||
	       svm->retry_start != svm->retry_end;
	spin_unlock(&svm->work_lock);
	return busy;
}

static bool amdgpu_svm_process_busy(struct amdgpu_svm_process *proc)
{
	struct amdgpu_svm *svm;

	list_for_each_entry(svm, &proc->gpus, link)
		if (amdgpu_svm_busy(svm))
			return true;
	return false;
}

/**
 * amdgpu_svm_restore_work() - the restore worker (XNACK off)
 * @work: &amdgpu_svm_process.restore_work
 *
 * Removes unmapped ranges, maps again what is valid and accessible, and
 * resumes the queues the notifier quiesced, context by context: a context
 * resumes once nothing of its own is left to map, unless a new eviction
 * of it arrived meanwhile (then the next run resumes it). A mapping that
 * fails is retried every AMDGPU_SVM_RESTORE_RETRY_MS with the queues still
 * quiesced; once a context's restore failed AMDGPU_SVM_RESTORE_ATTEMPTS
 * runs in a row, over at least that many retry spacings, its span is
 * reported and left unmapped, and its queues resume
 * (amdgpu_svm_restore_failed()). When the mm is gone nothing is mapped and
 * the queues resume.
 *
 * Context: process context (ordered workqueue); takes the SVM lock.
 */
void amdgpu_svm_restore_work(struct work_struct *work)
{
	struct amdgpu_svm_process *proc =
		container_of(to_delayed_work(work), struct amdgpu_svm_process,
			     restore_work);
	struct mm_struct *mm = proc->mn.mm;
	unsigned int failures = 0;
	struct amdgpu_svm *svm;
	bool pending = false;
	int ret = 0, err;

	mutex_lock(&proc->lock);
	list_for_each_entry(svm, &proc->gpus, link)
		svm->restore_seq = amdgpu_svm_evict_seq(svm);
	if (!mmget_not_zero(mm)) {
		amdgpu_svm_process_forget_work(proc);
		list_for_each_entry(svm, &proc->gpus, link)
			amdgpu_svm_restored(svm, svm->restore_seq);
		mutex_unlock(&proc->lock);
		return;
	}
	list_for_each_entry(svm, &proc->gpus, link) {
		err = amdgpu_svm_drain(svm);
		if (err)
			failures = max(failures, svm->restore_failures + 1);
		ret = amdgpu_svm_restore_failed(svm, err) ?: ret;
	}
	trace_amdgpu_svm_restore(proc->tgid, ret, amdgpu_svm_process_busy(proc),
				 failures);
	/* Each context resumes once all of its own ranges are back. */
	list_for_each_entry(svm, &proc->gpus, link) {
		if (amdgpu_svm_busy(svm))
			pending = true;
		else
			amdgpu_svm_restored(svm, svm->restore_seq);
	}
	mutex_unlock(&proc->lock);
	mmput_async(mm);

	if (ret || pending)
		mod_delayed_work(amdgpu_svm_wq, &proc->restore_work,
				 ret ? msecs_to_jiffies(AMDGPU_SVM_RESTORE_RETRY_MS) : 1);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_restore_work);

/* The range of @svm at @addr, or NULL. Under the SVM lock. */
static struct amdgpu_svm_range *amdgpu_svm_range_at(struct amdgpu_svm *svm,
						    unsigned long addr)
{
	struct drm_gpusvm_notifier *notifier;
	struct drm_gpusvm_range *r = NULL;

	lockdep_assert_held(&svm->proc->lock);

	notifier = drm_gpusvm_notifier_find(&svm->gpusvm, addr, addr + 1);
	if (notifier)
		r = drm_gpusvm_range_find(notifier, addr, addr + 1);
	return r ? to_amdgpu_svm_range(r) : NULL;
}

/* Does the range at @addr, if any, cover all of [@start, @end)? */
static bool amdgpu_svm_range_covers(struct amdgpu_svm *svm, unsigned long addr,
				    unsigned long start, unsigned long end)
{
	struct amdgpu_svm_range *range = amdgpu_svm_range_at(svm, addr);

	return range && range_start(range) <= start && range_end(range) >= end;
}

/*
 * XNACK on: ranges made while an mprotect() had cut the VMA into small
 * pieces stay small after the pieces merge again, and drm_gpusvm makes no
 * range over an existing one, so every page of such a span would cost
 * the GPU a retry fault of its own. Take the window a fitted range around
 * @addr would have: its 2 MiB chunk cut at its VMA and the fault window
 * [@ws, @we) (one VMA and one attribute interval: one range can map it
 * all); if the range at @addr does not cover it, drop every range inside
 * it, so that find_or_insert makes one range of it all. Mapped ones are
 * zapped too: with XNACK on a GPU access meanwhile just faults again.
 */
static void amdgpu_svm_merge_fragments(struct amdgpu_svm *svm,
				       unsigned long addr, unsigned long ws,
				       unsigned long we)
{
	const struct drm_gpusvm *gpusvm = &svm->gpusvm;
	unsigned long chunk = ALIGN_DOWN(addr, gpusvm->chunk_sizes[0]);
	unsigned long vm_start = 0, vm_end = 0, start, end;
	struct vm_area_struct *vma;

	lockdep_assert_held(&svm->proc->lock);

	mmap_read_lock(gpusvm->mm);
	vma = vma_lookup(gpusvm->mm, addr);
	if (vma) {
		vm_start = max(vma->vm_start, ws);
		vm_end = min(vma->vm_end, we);
	}
	mmap_read_unlock(gpusvm->mm);

	start = max(chunk, vm_start);
	end = min(chunk + gpusvm->chunk_sizes[0], vm_end);
	if (start >= end || amdgpu_svm_range_covers(svm, addr, start, end))
		return;

	amdgpu_svm_remove_span(svm, start, end);
}

/*
 * The range at @addr if its mapping already allows the access that
 * faulted, with the PTE flags @pte_flags of its attributes (or, for a
 * read, those without write permission), else NULL. Such a fault is
 * stale if it comes soon after the mapping (AMDGPU_SVM_STALE_FAULT_NS):
 * the GPU queued it before the range was mapped, as every wave that
 * touched the range meanwhile queued one, or it was a read of a range
 * mapped read-only for its read-only VMA. Handled as any other fault, it
 * would have the sync drop such a range (its PTE flags lack the write
 * permission the attributes allow) and map it again, clearing the PTEs
 * the other waves use, so that every fault made more.
 */
static struct amdgpu_svm_range *
amdgpu_svm_fault_served(struct amdgpu_svm *svm, unsigned long addr, bool write,
			u32 pte_flags)
{
	struct amdgpu_svm_range *range = amdgpu_svm_range_at(svm, addr);

	if (range &&
	    (amdgpu_svm_range_current(svm, range, pte_flags) ||
	     (!write && amdgpu_svm_range_current(svm, range, pte_flags &
						 ~AMDGPU_SVM_PTE_WRITE))))
		return range;
	return NULL;
}

/**
 * amdgpu_svm_handle_fault() - map a GPU fault (XNACK on)
 * @svm: the context of the faulting GPU
 * @addr: the faulting GPU virtual address
 * @write: the access was a write
 *
 * Processes pending unmaps first, then maps the chunk around @addr that
 * the attribute granularity allows, inside the attribute interval of
 * @addr, as one range fitted to its VMA; ranges smaller than that window
 * are dropped first, so that an mprotect() that cut a buffer into pages
 * and was undone costs one fault per chunk, not one per page. Retries a
 * bounded number of times when an invalidation races. A fault that the
 * mapping at @addr already serves changes nothing if it is stale
 * (amdgpu_svm_fault_served()); later, the GPU does not see PTEs the core
 * wrote (a page-table clear of the driver's own ran after them), and
 * they are written again, as they are.
 *
 * Context: process context, may sleep; no SVM lock held. Called for a
 * process the caller saw in XNACK mode; one that switched to XNACK off
 * since (amdgpu_svm_set_xnack(), under the SVM lock, which mapped all its
 * memory) gets 0: the fault came from a queue of the old mode.
 * Return: 0 when the access can be retried; -EFAULT for a real VM fault
 * (no VMA, no access for this GPU, a write to read-only memory); -EAGAIN
 * when the retries ran out; -ENOMEM.
 */
int amdgpu_svm_handle_fault(struct amdgpu_svm *svm, unsigned long addr,
			    bool write)
{
	struct amdgpu_svm_process *proc = svm->proc;
	struct drm_gpusvm_ctx ctx = {
		.device_private_page_owner = svm->gpu->page_owner,
		.devmem_possible = !!svm->gpu->ops->pagemap,
		.fit_range = true,
	};
	unsigned long ps, pe, gran, ws, we, clears;
	struct amdgpu_svm_attrs attrs;
	struct amdgpu_svm_range *range;
	unsigned int retries = 0;
	struct drm_gpusvm_range *r;
	bool quiesced = false;
	u32 pte_flags;
	int ret;

	if (addr >= TASK_SIZE)
		return -EFAULT;
	addr = ALIGN_DOWN(addr, PAGE_SIZE);

	mutex_lock(&proc->lock);
	ret = 0;
	if (!proc->xnack)
		goto out_unlock;
retry:
	amdgpu_svm_drain(svm);

	clears = amdgpu_svm_attr_clears(&proc->attrs);
	pe = amdgpu_svm_attr_piece(&proc->attrs, addr, ULONG_MAX, &ps, &attrs);
	pte_flags = amdgpu_svm_pte_flags(&attrs);
	ret = -EFAULT;
	if (!((attrs.access | attrs.access_in_place) & BIT_ULL(svm->idx)))
		goto out_unlock;
	if (write && !(pte_flags & AMDGPU_SVM_PTE_WRITE))
		goto out_unlock;
	ret = 0;
	range = amdgpu_svm_fault_served(svm, addr, write, pte_flags);
	if (range) {
		if (ktime_before(ktime_get(), ktime_add_ns(range->mapped_at,
							   AMDGPU_SVM_STALE_FAULT_NS)))
			goto out_unlock;
		ret = amdgpu_svm_range_map(svm, range, range->pte_flags, NULL,
					   true, true);
		/*
		 * An invalidation since the lookup (the pages to look up
		 * again, maybe with less permission or partly unmapped):
		 * the retry maps the range as any fault, migration included.
		 */
		if (ret && ret != -ENOMEM &&
		    ++retries <= AMDGPU_SVM_MAP_RETRIES)
			goto retry;
		goto out_unlock;
	}

	/* Ranges left from before an attribute change are dropped first. */
	ret = amdgpu_svm_sync(svm, addr, addr + PAGE_SIZE, 0, &quiesced);
	if (ret)
		goto out_unlock;

	gran = PAGE_SIZE << min_t(u32, attrs.granularity, 30);
	ws = max(ALIGN_DOWN(addr, gran), ps);
	we = min3(ALIGN_DOWN(addr, gran) + gran, pe, TASK_SIZE);

	amdgpu_svm_merge_fragments(svm, addr, ws, we);

	ctx.read_only = !(pte_flags & AMDGPU_SVM_PTE_WRITE);
	r = drm_gpusvm_range_find_or_insert(&svm->gpusvm, addr, ws, we, &ctx);
	if (IS_ERR(r) && PTR_ERR(r) == -EPERM && !write) {
		pte_flags &= ~AMDGPU_SVM_PTE_WRITE;
		ctx.read_only = true;
		r = drm_gpusvm_range_find_or_insert(&svm->gpusvm, addr, ws, we,
						    &ctx);
		/* No read-only PTEs over writable memory, as in map_piece. */
		if (!IS_ERR(r) &&
		    amdgpu_svm_drop_if_split(svm, to_amdgpu_svm_range(r),
					     addr, addr + PAGE_SIZE, NULL)) {
			ret = -EAGAIN;
			if (++retries <= AMDGPU_SVM_MAP_RETRIES)
				goto retry;
			goto out_unlock;
		}
	}
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
		if (ret == -ENOENT || ret == -EPERM || ret == -EIO)
			ret = -EFAULT;
		goto out_unlock;
	}
	/* A munmap cleared attributes since they were read: read again. */
	if (amdgpu_svm_attr_clears(&proc->attrs) != clears) {
		ret = -EAGAIN;
		if (++retries <= AMDGPU_SVM_MAP_RETRIES)
			goto retry;
		goto out_unlock;
	}

	ret = amdgpu_svm_range_map(svm, to_amdgpu_svm_range(r), pte_flags,
				   &attrs, true, false);
	/*
	 * -EPERM / -EFAULT: an mprotect may have changed the range's VMAs
	 * meanwhile (and changed them back before the check): retry.
	 */
	if (ret == -EPERM || ret == -EFAULT)
		amdgpu_svm_drop_if_split(svm, to_amdgpu_svm_range(r), addr,
					 addr + PAGE_SIZE, NULL);
	if ((ret == -EAGAIN || ret == -EBUSY || ret == -EFAULT ||
	     ret == -EPERM) && ++retries <= AMDGPU_SVM_MAP_RETRIES)
		goto retry;
	if (ret == -EPERM)
		ret = -EFAULT;

out_unlock:
	if (quiesced)
		amdgpu_svm_resume(svm);
	mutex_unlock(&proc->lock);
	trace_amdgpu_svm_fault(svm->gpu->gpu_id, addr, write, ret);
	return ret;
}
EXPORT_SYMBOL_GPL(amdgpu_svm_handle_fault);
