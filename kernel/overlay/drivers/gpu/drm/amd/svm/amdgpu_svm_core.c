// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * amdgpu SVM core: processes, per-GPU contexts, quiesce and resume.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: Overview
 *
 * The amdgpu SVM core gives a GPU the CPU's virtual address space of a
 * process: userspace sets attributes on address spans with the
 * DRM_AMDGPU_GEM_SVM ioctl (KFD's vocabulary, see amdgpu_svm_drm.h) and
 * the GPU accesses ``malloc``'d or ``mmap``'d memory at the same
 * addresses. It is hardware agnostic: a GPU driver (amdgpu, the vamdgpu
 * virtual GPU) describes its device with &struct amdgpu_svm_gpu and its
 * page-table, TLB and queue operations with &struct amdgpu_svm_gpu_ops,
 * and calls the entry points of amdgpu_svm.h.
 *
 * Three layers:
 *
 * - the *process* (&struct amdgpu_svm_process), one per mm, found through
 *   mmu_notifier_get(): the attribute tree (one truth for every GPU of the
 *   process, so two GPUs cannot disagree on a preferred location), the
 *   SVM lock, the XNACK mode and the restore worker;
 * - the *context* (&struct amdgpu_svm), one per (process, GPU) open: a
 *   drm_gpusvm instance bound to the GPU's drm_device and the mm, and
 *   the quiesce state of the queues that use its GPU VM;
 * - the *range* (&struct amdgpu_svm_range), a drm_gpusvm range extended
 *   with its GPU mapping state (mapped, PTE flags, pending operations).
 *
 * A range always lies inside one attribute interval, so one set of PTE
 * flags describes it; where an attribute change splits an interval, the
 * ranges across the new boundary are dropped and rebuilt (one chunk each).
 */

/**
 * DOC: Locking
 *
 * Outermost first:
 *
 * 0. &amdgpu_svm_process.mode_lock (a mutex): the count of the process's
 *    queues against its XNACK mode; held by amdgpu_svm_set_xnack() across
 *    its switch, and alone by amdgpu_svm_queue_created() and
 *    amdgpu_svm_queue_destroyed(), which so never wait for the SVM lock.
 * 1. &amdgpu_svm_process.lock, the *SVM lock* (a mutex): serializes the
 *    ioctl, the fault handler and the workers of one process; protects
 *    the GPU list and, registered with drm_gpusvm_driver_set_lock(), range
 *    insertion and removal in every context of the process.
 * 2. mmap_lock (read), taken by drm_gpusvm itself in find_or_insert and
 *    get_pages, and by the ioctl to check VMAs and set attributes
 *    atomically with respect to munmap.
 * 3. The drm_gpusvm notifier lock of a context: held for write by the
 *    MMU notifier around amdgpu_svm_invalidate(); held for read when PTEs
 *    are written, after checking the pages are still valid, so a PTE never
 *    points at a page the CPU already took back.
 * 4. &amdgpu_svm_process.queue_lock (a mutex): the quiesce state of every
 *    context of the process, taken from the notifier; the hardware's
 *    quiesce / resume run under it.
 * 5. &amdgpu_svm_attr_tree.lock (a mutex): the attribute tree, cleared on
 *    munmap from the mm-wide notifier inside the mmap_lock; nothing is
 *    allocated under it but with GFP_NOWAIT. Walks of many intervals
 *    reschedule under it (see DOC: Attribute tree).
 * 6. &amdgpu_svm.work_lock (a spinlock), innermost: the pending-work list.
 *
 * Nothing under the notifier lock allocates memory that can recurse into
 * reclaim: the PTE update either does not allocate or has reserved with
 * &amdgpu_svm_gpu_ops.reserve_ptes beforehand. Workers take the SVM lock
 * and are flushed only without it.
 */

/**
 * DOC: Fork
 *
 * fork() write-protects the parent's anonymous pages, shared
 * copy-on-write with the child; the notifier clears the parent's GPU
 * mappings of them. They are mapped again writable only after a write
 * fault gave the parent its own copy: get_pages asks hmm_range_fault() for
 * write access, and VRAM pages, which hmm reports without faulting, are
 * faulted to system memory by drm_gpusvm when the CPU maps them
 * read-only (drm_gpusvm_get_pages()). So no GPU of the parent
 * writes a page the child sees. The child never reaches the parent's
 * SVM: the ioctl refuses a caller whose mm is not the context's (-EBADF),
 * and the hardware drivers refuse its queues and submissions.
 */

/**
 * DOC: Partial unmap and rebuild
 *
 * drm_gpusvm does not split ranges. When the CPU unmaps part of a mapped
 * range, amdgpu_svm_invalidate() clears the GPU PTEs of the whole range,
 * DMA-unmaps its pages, marks it unmapped and queues it
 * (AMDGPU_SVM_RANGE_GC). The garbage collector removes the range and, with
 * XNACK off, maps again whatever of the old range's extent is still backed
 * by a VMA and accessible (amdgpu_svm_sync()). New ranges are fitted to
 * what surrounds them (&drm_gpusvm_ctx.fit_range): the 2 MiB window
 * around the address, cut at the VMA, the attribute piece and the other
 * ranges, so the rest of a 2 MiB chunk is one range on each side of the
 * hole, where aligned chunks of every power of two needed up to 18. The
 * cost is the unmapped part plus at most one chunk, whatever the size of
 * the mapping around it. With XNACK off the
 * queues of each context that had the range mapped are quiesced from the
 * notifier until the rebuild is done, so no GPU access faults in the
 * window.
 *
 * Over a huge page no driver could keep the rest mapped anyway: munmap(),
 * mprotect() or MADV_DONTNEED of part of it first splits its PMD
 * (__split_huge_pmd()), an MMU_NOTIFY_CLEAR of all 2 MiB, although the
 * pages stay where they are. The rest of the folio is then mapped by CPU
 * PTEs, and drm_gpusvm DMA-maps each rebuilt range's pages of it as runs,
 * one mapping per range rather than per page.
 *
 * Attributes are kept apart and cleared for exactly the unmapped span, so
 * the rebuilt ranges get the same attributes as before.
 */

/**
 * DOC: XNACK modes
 *
 * The mode is per process, as KFD has it: set by its first context, the
 * same for every GPU and file of the process, and changed only by
 * amdgpu_svm_set_xnack() while the process has no queue on any GPU (the
 * hardware drivers count their queues with amdgpu_svm_queue_created()),
 * and only to XNACK on if every GPU of the process can retry faults.
 *
 * XNACK off (gfx1100; gfx943 by choice): the GPU cannot retry a faulting
 * access, so everything accessible must be mapped before the GPU touches
 * it. SET_ATTR maps every page of its span that a GPU may access (ACCESS
 * or ACCESS_IN_PLACE) on that GPU before returning. An invalidation of a
 * mapped range (eviction, COW, migration, munmap) quiesces the queues of
 * the context that mapped it, clears the PTEs and flushes the TLB; the
 * ordered restore worker removes unmapped ranges, maps again what is
 * still valid and then resumes the queues of each context it restored
 * completely. A SET_ATTR (or any other sync) whose mapping fails hands
 * what it left unmapped to the same worker, with the context quiesced
 * until it is mapped. A restore that keeps failing is retried a bounded
 * number of times; then the spans it could not map are reported and left
 * unmapped, and the queues resume: an access there is a VM fault, never a
 * process stopped for ever.
 *
 * Quiesce is per context, not per process: a context's queues use only
 * its GPU VM, whose PTEs only its own notifier and ioctl changes clear,
 * so the queues of other GPUs (and of other files on the same GPU) keep
 * running through an eviction they have no mapping in. The process-wide
 * alternative (every queue on every GPU for any eviction, as KFD's
 * svm_range_evict() does) stopped N GPUs for one GPU's eviction.
 *
 * XNACK on (gfx943): pages with no attributes are accessible by every GPU
 * of the process, and nothing is mapped by the ioctl. A GPU access that
 * misses calls amdgpu_svm_handle_fault(), which maps one chunk of the
 * attribute granularity around the address. An invalidation clears the
 * PTEs and flushes; the next access faults again. Queues are never
 * quiesced.
 */

/**
 * DOC: Multi-GPU
 *
 * Every context (one per GPU file of the process) has a drm_gpusvm of its
 * own: its MMU interval notifiers, its ranges, its CPU page walks
 * (hmm_range_fault() in get_pages), its DMA mappings and its PTEs. The
 * process shares the attributes, the SVM lock, the XNACK mode and the
 * restore worker. So a SET_ATTR, a restore or a fault costs each context
 * that maps the span one range lookup, one CPU page walk, one DMA mapping
 * and one PTE update per range, and an invalidation calls each context's
 * notifier, which quiesces (XNACK off) and clears only that context.
 *
 * Where the time of a mapping goes (huge pages, XNACK off, the virtual
 * GPU, nodebug kernel, map-cost with function_graph on the steps only,
 * per 2 MiB range): the CPU page walk (hmm_range_fault()) 17 us, once per
 * range since it is shared (see below); then every context after the
 * first about 30 us (27 us untraced, from map-cost's four-GPU row):
 * copying the walk's PFNs 9 (512 entries), the rest of get_pages (the
 * PFN array, the DMA mapping, the notifier lock) 8, the page-table
 * reservation, PTE update and notifier lock 6 (the virtual GPU writes a
 * leaf that one 2 MiB-aligned run fills as one 2 MiB fragment entry, as
 * amdgpu's unlocked update writes such a run as 512 PTEs of one fragment
 * in one SDMA packet), the range lookup and insertion 4, and the sync's
 * loop around them 4. No one step dominates: what each context repeats is
 * its drm_gpusvm instance's bookkeeping.
 *
 * SET_ATTR shares the CPU page walk of its span (up to 1 GiB) between its
 * contexts: the contexts after the first copy the PFNs the first one
 * walked (DOC: Shared page walk, through drm_gpusvm's ``hmm_range_fault``
 * op). The range lookup, the DMA mapping and the PTE update still repeat
 * per context: each context syncs the whole span in turn, for one TLB
 * flush each. A context whose range is mapped with the same PTE flags
 * over pages still valid (a SET_ATTR naming one GPU more syncs them all)
 * costs the range lookup only. The restore worker and GPU faults walk
 * per context: a restore maps what one eviction took, usually from one
 * context, and a fault maps for the faulting GPU only.
 *
 * What would share the rest: one drm_gpusvm per process, its ranges
 * carrying per-GPU DMA mappings and PTE state, so that one notifier and
 * one range lookup per range serve all GPUs and only DMA mappings and PTE
 * writes repeat. drm_gpusvm binds an instance to one drm_device and a
 * range to one &drm_gpusvm_pages, so this needs per-device pages in
 * drm_gpusvm, DMA-mapped from the PFNs of one walk. Even then each VM's
 * reservation and PTE update (6 us above) and each device's DMA mapping
 * repeat: a range that costs one GPU 46 us (map-cost, 256 MiB) would
 * cost four about 46 + 3 x 6 to 8 us, 1.4x to 1.5x one; per context, as
 * now, it costs 46 + 3 x 27 us. The 2 MiB fragments are in (the virtual
 * GPU's DOC: GPU MMU). map-cost with the nodebug kernel, four GPUs, one
 * call, before and after them: 256 MiB 20.3 -> 16.1 ms (3.01x -> 2.73x
 * one GPU, whose own time went 6.8 -> 5.9 ms), 64 MiB 5.0 -> 3.9 ms
 * (2.87x -> 2.60x). On the debug kernel of CI a range costs far more and
 * the figures did not move beyond run-to-run noise.
 */

/**
 * DOC: Tracepoints
 *
 * The trace system ``amdgpu_svm`` (``/sys/kernel/tracing/events/amdgpu_svm``)
 * records what a bug report needs, as xe's and KFD's events do:
 *
 * - ``amdgpu_svm_migrate``: a range moved (or failed to move) to VRAM
 *   (``to`` = the gpu_id) or to system memory (``to`` = 0), asked by
 *   SET_ATTR or by a GPU fault, with the result;
 * - ``amdgpu_svm_fault``: a GPU retry fault served (XNACK on), with the
 *   result amdgpu_svm_handle_fault() returned;
 * - ``amdgpu_svm_invalidate``: an MMU notifier invalidation of a GPU's
 *   ranges, its &enum mmu_notifier_event and whether anything was mapped;
 * - ``amdgpu_svm_invalidate_done``: the end of that invalidation, with the
 *   ranges it covered (each DMA-unmapped) and those of them whose GPU PTEs
 *   it zapped; the time between the two events is the notifier's;
 * - ``amdgpu_svm_restore``: a run of the restore worker (XNACK off): its
 *   result, whether work is left, and the failures in a row;
 * - ``amdgpu_svm_ptes_lost``: the driver reported a GPU page table that
 *   lost the core's PTEs (amdgpu_svm_ptes_lost()), with the ranges that
 *   were mapped there and are mapped again.
 */

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <drm/drm_print.h>

#include "amdgpu_svm_priv.h"

#define CREATE_TRACE_POINTS
#include "amdgpu_svm_trace.h"

/*
 * Chunk sizes of drm_gpusvm ranges, largest first. The first is the
 * window a fitted range (&drm_gpusvm_ctx.fit_range, which every lookup
 * here asks for) never crosses; the rest, every power of two down to a
 * page, serve only if a fitted range cannot be made.
 */
static const unsigned long amdgpu_svm_chunk_sizes[] = {
	SZ_2M, SZ_1M, SZ_512K, SZ_256K, SZ_128K, SZ_64K, SZ_32K, SZ_16K,
	SZ_8K, SZ_4K,
};

/*
 * The GC and restore workers of every process. Not ordered: one process's
 * worker waiting for its SVM lock or mmap_lock (a long SET_ATTR, a slow
 * page fault) must not hold back another process's restore, whose queues
 * stay quiesced until it runs. A work item never runs twice at once, and
 * the two of a process take its SVM lock. Freezable, as KFD's restore
 * workqueue: from before suspend moves the GPU's page tables out of VRAM
 * until after resume, no worker maps into them (a driver would move them
 * back into VRAM that suspend then loses); queues stay quiesced, and
 * ranges unreclaimed, until the thaw.
 */
struct workqueue_struct *amdgpu_svm_wq;
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_wq);

static struct mmu_notifier *amdgpu_svm_mn_alloc(struct mm_struct *mm)
{
	struct amdgpu_svm_process *proc;

	proc = kzalloc_obj(*proc, GFP_KERNEL);
	if (!proc)
		return ERR_PTR(-ENOMEM);

	mutex_init(&proc->mode_lock);
	mutex_init(&proc->lock);
	mutex_init(&proc->queue_lock);
	amdgpu_svm_attr_tree_init(&proc->attrs);
	INIT_LIST_HEAD(&proc->gpus);
	INIT_WORK(&proc->gc_work, amdgpu_svm_gc_work);
	INIT_DELAYED_WORK(&proc->restore_work, amdgpu_svm_restore_work);
	INIT_LIST_HEAD(&proc->registry_link);
	proc->tgid = task_tgid_nr(current);
	return &proc->mn;
}

static void amdgpu_svm_mn_free(struct mmu_notifier *mn)
{
	struct amdgpu_svm_process *proc =
		container_of(mn, struct amdgpu_svm_process, mn);

	amdgpu_svm_attr_tree_fini(&proc->attrs);
	mutex_destroy(&proc->queue_lock);
	mutex_destroy(&proc->lock);
	mutex_destroy(&proc->mode_lock);
	kfree(proc);
}

/*
 * munmap: the attributes of the span are forgotten (see the UAPI). A
 * non-blocking call (the OOM reaper) that finds the tree locked is asked
 * to come back, as drm_gpusvm's own notifiers do.
 */
static int amdgpu_svm_mn_invalidate_start(struct mmu_notifier *mn,
					  const struct mmu_notifier_range *range)
{
	struct amdgpu_svm_process *proc =
		container_of(mn, struct amdgpu_svm_process, mn);

	if (range->event != MMU_NOTIFY_UNMAP)
		return 0;
	return amdgpu_svm_attr_clear(&proc->attrs, range->start, range->end,
				     mmu_notifier_range_blockable(range));
}

static const struct mmu_notifier_ops amdgpu_svm_mn_ops = {
	.invalidate_range_start = amdgpu_svm_mn_invalidate_start,
	.alloc_notifier = amdgpu_svm_mn_alloc,
	.free_notifier = amdgpu_svm_mn_free,
};

/**
 * amdgpu_svm_process_gpu_idx() - the GPU index of a gpu_id in a process
 * @proc: the process
 * @gpu_id: the id userspace uses
 *
 * Context: the SVM lock held.
 * Return: the index, or -EINVAL if no context of @proc is on that GPU.
 */
int amdgpu_svm_process_gpu_idx(struct amdgpu_svm_process *proc, u32 gpu_id)
{
	unsigned int i;

	lockdep_assert_held(&proc->lock);

	for (i = 0; i < AMDGPU_SVM_MAX_GPUS; i++)
		if (proc->gpu_refs[i] && proc->gpu_ids[i] == gpu_id)
			return i;
	return -EINVAL;
}

static u64 amdgpu_svm_process_gpu_mask(struct amdgpu_svm_process *proc)
{
	u64 mask = 0;
	unsigned int i;

	lockdep_assert_held(&proc->lock);

	for (i = 0; i < AMDGPU_SVM_MAX_GPUS; i++)
		if (proc->gpu_refs[i])
			mask |= BIT_ULL(i);
	return mask;
}

static void amdgpu_svm_quiesce_locked(struct amdgpu_svm *svm)
{
	lockdep_assert_held(&svm->proc->queue_lock);

	if (!svm->quiesce_count++)
		svm->gpu->ops->quiesce(svm);
}

/**
 * amdgpu_svm_quiesce() - stop the queues of one context
 * @svm: the context
 *
 * Only the queues that use @svm's GPU VM: the other contexts of the
 * process, on this GPU or another, keep running. Nests: the queues run
 * again after as many amdgpu_svm_resume().
 *
 * Context: process context, may sleep; not under queue_lock.
 */
void amdgpu_svm_quiesce(struct amdgpu_svm *svm)
{
	mutex_lock(&svm->proc->queue_lock);
	amdgpu_svm_quiesce_locked(svm);
	mutex_unlock(&svm->proc->queue_lock);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_quiesce);

static void amdgpu_svm_resume_locked(struct amdgpu_svm *svm)
{
	lockdep_assert_held(&svm->proc->queue_lock);

	if (WARN_ON_ONCE(!svm->quiesce_count) || --svm->quiesce_count)
		return;
	svm->gpu->ops->resume(svm);
}

/**
 * amdgpu_svm_resume() - undo one amdgpu_svm_quiesce()
 * @svm: the context
 *
 * Context: process context, may sleep.
 */
void amdgpu_svm_resume(struct amdgpu_svm *svm)
{
	mutex_lock(&svm->proc->queue_lock);
	amdgpu_svm_resume_locked(svm);
	mutex_unlock(&svm->proc->queue_lock);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_resume);

/**
 * amdgpu_svm_evict() - quiesce a context for an eviction (XNACK off)
 * @svm: the context whose mapped ranges the notifier invalidates
 *
 * Bumps the context's eviction sequence; the first eviction since its
 * last restore quiesces the context, which the restore worker resumes
 * once its ranges are mapped again (amdgpu_svm_restored()). The caller
 * has queued the ranges to restore before. Contexts with nothing mapped
 * in the span are not touched.
 *
 * Context: the MMU notifier (the context's notifier lock held for write).
 */
void amdgpu_svm_evict(struct amdgpu_svm *svm)
{
	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);

	mutex_lock(&svm->proc->queue_lock);
	/* Destroyed: nothing would ever resume it (amdgpu_svm_destroy()). */
	WARN_ON_ONCE(list_empty(&svm->link));
	svm->evict_seq++;
	if (!svm->evicted) {
		svm->evicted = true;
		amdgpu_svm_quiesce_locked(svm);
	}
	mutex_unlock(&svm->proc->queue_lock);
}

/**
 * amdgpu_svm_owe_restore() - keep a context quiesced until the restore
 * worker has mapped what a failed sync handed to it (XNACK off)
 * @svm: the context
 *
 * As amdgpu_svm_evict() without a new eviction sequence: the caller holds
 * the SVM lock, so no restore is running, and the next one sees the span
 * the caller left (&amdgpu_svm.retry_start) before it may resume.
 *
 * Context: process context, may sleep; the SVM lock held.
 */
void amdgpu_svm_owe_restore(struct amdgpu_svm *svm)
{
	lockdep_assert_held(&svm->proc->lock);

	mutex_lock(&svm->proc->queue_lock);
	if (!svm->evicted) {
		svm->evicted = true;
		amdgpu_svm_quiesce_locked(svm);
	}
	mutex_unlock(&svm->proc->queue_lock);
}

/**
 * amdgpu_svm_evict_seq() - a context's eviction sequence, read before a
 * restore
 * @svm: the context
 *
 * Context: process context, may sleep.
 * Return: the number of evictions of @svm so far.
 */
unsigned long amdgpu_svm_evict_seq(struct amdgpu_svm *svm)
{
	unsigned long seq;

	mutex_lock(&svm->proc->queue_lock);
	seq = svm->evict_seq;
	mutex_unlock(&svm->proc->queue_lock);
	return seq;
}

/**
 * amdgpu_svm_restored() - resume a context after a complete restore
 * @svm: the context
 * @seq: amdgpu_svm_evict_seq() from before its restore started
 *
 * Resumes the queues an eviction quiesced, unless another eviction of
 * @svm came after @seq was read (its restore will resume).
 *
 * Context: process context, may sleep.
 */
void amdgpu_svm_restored(struct amdgpu_svm *svm, unsigned long seq)
{
	mutex_lock(&svm->proc->queue_lock);
	if (svm->evicted && svm->evict_seq == seq) {
		svm->evicted = false;
		amdgpu_svm_resume_locked(svm);
	}
	mutex_unlock(&svm->proc->queue_lock);
}

/**
 * amdgpu_svm_drvdata() - the hardware driver's pointer of a context
 * @svm: the context
 *
 * Context: any.
 * Return: the @drvdata given to amdgpu_svm_create().
 */
void *amdgpu_svm_drvdata(const struct amdgpu_svm *svm)
{
	return svm->drvdata;
}
EXPORT_SYMBOL_GPL(amdgpu_svm_drvdata);

/**
 * amdgpu_svm_xnack_enabled() - whether the process of a context runs with
 * XNACK on
 * @svm: the context
 *
 * Context: any.
 * Return: true if GPU faults are retried through amdgpu_svm_handle_fault().
 */
bool amdgpu_svm_xnack_enabled(const struct amdgpu_svm *svm)
{
	return READ_ONCE(svm->proc->xnack);
}
EXPORT_SYMBOL_GPL(amdgpu_svm_xnack_enabled);

static int amdgpu_svm_process_add(struct amdgpu_svm_process *proc,
				  struct amdgpu_svm *svm, bool xnack)
{
	const struct amdgpu_svm_gpu *gpu = svm->gpu;
	int idx, i;

	lockdep_assert_held(&proc->lock);

	/* A process has one mode: a GPU joining it takes the process's. */
	if (proc->ncontexts)
		xnack = proc->xnack;
	if (xnack && !gpu->xnack_capable)
		return -EOPNOTSUPP;

	idx = amdgpu_svm_process_gpu_idx(proc, gpu->gpu_id);
	if (idx < 0) {
		for (i = 0; i < AMDGPU_SVM_MAX_GPUS && proc->gpu_refs[i]; i++)
			;
		if (i == AMDGPU_SVM_MAX_GPUS)
			return -ENOSPC;
		idx = i;
		proc->gpu_ids[idx] = gpu->gpu_id;
	}
	proc->gpu_refs[idx]++;
	proc->ncontexts++;
	WRITE_ONCE(proc->xnack, xnack);
	svm->idx = idx;

	mutex_lock(&proc->queue_lock);
	list_add_tail(&svm->link, &proc->gpus);
	mutex_unlock(&proc->queue_lock);

	if (xnack)
		amdgpu_svm_attr_set_default_access(&proc->attrs,
						   amdgpu_svm_process_gpu_mask(proc));
	return 0;
}

/*
 * With XNACK off a context is mapped wherever the attributes let its GPU
 * access; one that joins later (the render node opened again, a GPU
 * opened after SET_ATTR) must be too before its first queue runs, or that
 * queue VM faults on memory userspace already gave the GPU.
 */
static int amdgpu_svm_join_map(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_process *proc = svm->proc;
	bool quiesced = false;
	int ret;

	lockdep_assert_held(&proc->lock);

	if (proc->xnack)
		return 0;
	ret = amdgpu_svm_sync(svm, 0, TASK_SIZE, 0, &quiesced);
	if (quiesced)
		amdgpu_svm_resume(svm);
	return ret;
}

/**
 * amdgpu_svm_create() - create the SVM context of current's mm on a GPU
 * @gpu: the GPU, with its required ops set
 * @xnack: the XNACK mode of a new process (needs @gpu->xnack_capable)
 * @drvdata: returned by amdgpu_svm_drvdata() to the ops
 *
 * The XNACK mode is the process's, as KFD's: the first context of an mm
 * sets it to @xnack; a later context joins in the process's mode
 * (amdgpu_svm_xnack_enabled() tells which), whatever @xnack says, and
 * amdgpu_svm_set_xnack() changes it for every context. Several contexts
 * of one mm on the same GPU (the render node opened twice) share the
 * GPU's index in the attributes and are all mapped: with XNACK off a
 * joining context is mapped here, as the attributes say, before it
 * returns.
 *
 * Context: process context, may sleep; current->mm is the process.
 * Return: the context, or an ERR_PTR(): -EINVAL for missing ops;
 * -EOPNOTSUPP for an XNACK-on process (or @xnack for a new one) on a GPU
 * that cannot retry faults; -ENOSPC for too many GPUs; -ENOMEM; or an
 * errno from mapping what the attributes give a joining context.
 */
struct amdgpu_svm *amdgpu_svm_create(const struct amdgpu_svm_gpu *gpu,
				     bool xnack, void *drvdata)
{
	const struct amdgpu_svm_gpu_ops *ops = gpu->ops;
	struct amdgpu_svm_process *proc;
	struct mmu_notifier *mn;
	struct amdgpu_svm *svm;
	int ret;

	if (!ops || !ops->update_ptes || !ops->clear_ptes || !ops->flush_tlb ||
	    !ops->quiesce || !ops->resume)
		return ERR_PTR(-EINVAL);
	if (!current->mm)
		return ERR_PTR(-EINVAL);

	svm = kzalloc_obj(*svm, GFP_KERNEL);
	if (!svm)
		return ERR_PTR(-ENOMEM);
	svm->gpu = gpu;
	svm->drvdata = drvdata;
	spin_lock_init(&svm->work_lock);
	INIT_LIST_HEAD(&svm->work_list);

	mn = mmu_notifier_get(&amdgpu_svm_mn_ops, current->mm);
	if (IS_ERR(mn)) {
		ret = PTR_ERR(mn);
		goto err_free;
	}
	proc = container_of(mn, struct amdgpu_svm_process, mn);
	svm->proc = proc;

	ret = drm_gpusvm_init(&svm->gpusvm, "amdgpu-svm", gpu->drm, current->mm,
			      0, TASK_SIZE, SZ_512M, &amdgpu_svm_gpusvm_ops,
			      amdgpu_svm_chunk_sizes,
			      ARRAY_SIZE(amdgpu_svm_chunk_sizes));
	if (ret)
		goto err_put;
	drm_gpusvm_driver_set_lock(&svm->gpusvm, &proc->lock);

	mutex_lock(&proc->lock);
	ret = amdgpu_svm_process_add(proc, svm, xnack);
	if (ret) {
		mutex_unlock(&proc->lock);
		goto err_fini;
	}
	ret = amdgpu_svm_join_map(svm);
	mutex_unlock(&proc->lock);
	if (ret) {
		amdgpu_svm_destroy(svm);
		return ERR_PTR(ret);
	}
	amdgpu_svm_debugfs_register(proc);

	return svm;

err_fini:
	mutex_lock(&proc->lock);
	drm_gpusvm_fini(&svm->gpusvm);
	mutex_unlock(&proc->lock);
err_put:
	mmu_notifier_put(mn);
err_free:
	kfree(svm);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(amdgpu_svm_create);

/**
 * amdgpu_svm_process_last_context_gone() - stop the workers of a process
 * whose last context was destroyed
 * @proc: the process
 *
 * Cancels the garbage collector and the restore worker (each destroyed
 * context resumed the queues an eviction left quiesced). A context may
 * join the process
 * between the destroy's unlock and the cancel (the render node opened
 * again): the work just cancelled is then that context's, and is queued
 * again instead, so its restore still maps it before its queues resume.
 *
 * Context: process context, may sleep; no SVM lock held.
 */
void amdgpu_svm_process_last_context_gone(struct amdgpu_svm_process *proc)
{
	KUNIT_STATIC_STUB_REDIRECT(amdgpu_svm_process_last_context_gone, proc);

	cancel_work_sync(&proc->gc_work);
	cancel_delayed_work_sync(&proc->restore_work);
	mutex_lock(&proc->lock);
	if (proc->ncontexts) {
		queue_work(amdgpu_svm_wq, &proc->gc_work);
		mod_delayed_work(amdgpu_svm_wq, &proc->restore_work, 0);
	}
	mutex_unlock(&proc->lock);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_process_last_context_gone);

/**
 * amdgpu_svm_destroy() - tear down an SVM context
 * @svm: the context, from amdgpu_svm_create()
 *
 * Clears every GPU PTE of the context and flushes its TLB, removes its
 * ranges and notifiers and leaves the process (the last context frees
 * it). The hardware driver stops the context's queues first; ops are not
 * called after this returns. Works from any process (the fd may be
 * closed after the mm exited).
 *
 * Context: process context, may sleep; no SVM lock held.
 */
void amdgpu_svm_destroy(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_process *proc = svm->proc;
	bool last;

	mutex_lock(&proc->lock);
	/*
	 * Notifiers first: until drm_gpusvm_fini() an invalidation of a
	 * mapped range may still quiesce the context (amdgpu_svm_evict()),
	 * and the resume below must come after the last such quiesce.
	 */
	amdgpu_svm_unmap_all(svm);
	drm_gpusvm_fini(&svm->gpusvm);

	mutex_lock(&proc->queue_lock);
	list_del_init(&svm->link);
	if (svm->quiesce_count) {
		svm->quiesce_count = 0;
		svm->gpu->ops->resume(svm);
	}
	mutex_unlock(&proc->queue_lock);

	if (!--proc->gpu_refs[svm->idx])
		amdgpu_svm_attr_forget_gpu(&proc->attrs, svm->idx,
					   svm->gpu->gpu_id);
	last = !--proc->ncontexts;
	/*
	 * A context may still join before the process goes (the render
	 * node opened again meanwhile): it starts from the defaults, as it
	 * would a moment later, not from what applied to GPUs now gone.
	 * The tree is freed here, where its walk may reschedule.
	 */
	if (last)
		amdgpu_svm_attr_forget_all(&proc->attrs);
	mutex_unlock(&proc->lock);

	if (last)
		amdgpu_svm_process_last_context_gone(proc);
	amdgpu_svm_debugfs_forget(proc);
	mmu_notifier_put(&proc->mn);
	kfree(svm);
}
EXPORT_SYMBOL_GPL(amdgpu_svm_destroy);

/**
 * amdgpu_svm_set_xnack() - change the XNACK mode of a context's process
 * @svm: a context of the process
 * @xnack: the new mode
 *
 * As KFD's AMDKFD_IOC_SET_XNACK_MODE, for the whole process: refused
 * while the process has a queue on any GPU (see amdgpu_svm_queue_created()),
 * even to the mode in force, as KFD refuses it.
 * Every range of every context is dropped; with XNACK off what the
 * attributes make accessible is then mapped again, with XNACK on faults
 * map on demand.
 *
 * Context: process context, may sleep; takes the mode lock, then the SVM
 * lock (none of them held).
 * Return: 0; -EBUSY if the process has queues; -EOPNOTSUPP if @xnack and a
 * GPU of the process cannot retry faults; or an errno from mapping (the
 * mode is changed anyway).
 */
int amdgpu_svm_set_xnack(struct amdgpu_svm *svm, bool xnack)
{
	struct amdgpu_svm_process *proc = svm->proc;
	struct amdgpu_svm *gpu;
	bool quiesced = false;
	int ret = 0;

	mutex_lock(&proc->mode_lock);
	mutex_lock(&proc->lock);
	if (proc->nqueues) {
		ret = -EBUSY;
		goto out_unlock;
	}
	if (proc->xnack == xnack)
		goto out_unlock;
	list_for_each_entry(gpu, &proc->gpus, link) {
		if (xnack && !gpu->gpu->xnack_capable) {
			ret = -EOPNOTSUPP;
			goto out_unlock;
		}
	}

	amdgpu_svm_process_drain(proc);
	list_for_each_entry(gpu, &proc->gpus, link)
		amdgpu_svm_unmap_all(gpu);
	WRITE_ONCE(proc->xnack, xnack);
	amdgpu_svm_attr_set_default_access(&proc->attrs, xnack ?
					   amdgpu_svm_process_gpu_mask(proc) : 0);
	if (!xnack) {
		list_for_each_entry(gpu, &proc->gpus, link) {
			quiesced = false;
			ret = amdgpu_svm_sync(gpu, 0, TASK_SIZE, 0,
					      &quiesced) ?: ret;
			if (quiesced)
				amdgpu_svm_resume(gpu);
		}
	}
out_unlock:
	mutex_unlock(&proc->lock);
	mutex_unlock(&proc->mode_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(amdgpu_svm_set_xnack);

/**
 * amdgpu_svm_clear_stale_attrs() - clear the attributes munmap could not
 * @proc: the process
 * @mm: its mm
 *
 * Those of every page that no VMA maps now in the span
 * amdgpu_svm_attr_take_stale() returns (munmaps that found no memory to
 * split an interval). No VMA appears meanwhile: that takes the mmap_lock
 * for write.
 *
 * Context: process context, may sleep; the SVM lock and the mmap_lock
 * (read) held.
 */
void amdgpu_svm_clear_stale_attrs(struct amdgpu_svm_process *proc,
				  struct mm_struct *mm)
{
	struct amdgpu_svm_attr_tree *tree = &proc->attrs;
	unsigned long start, end, addr;
	struct vm_area_struct *vma;
	struct vma_iterator vmi;

	lockdep_assert_held(&proc->lock);
	mmap_assert_locked(mm);

	if (!amdgpu_svm_attr_take_stale(tree, &start, &end))
		return;
	vma_iter_init(&vmi, mm, start);
	addr = start;
	for_each_vma_range(vmi, vma, end) {
		if (vma->vm_start > addr)
			amdgpu_svm_attr_clear(tree, addr, vma->vm_start, true);
		addr = vma->vm_end;
	}
	if (addr < end)
		amdgpu_svm_attr_clear(tree, addr, end, true);
}

/**
 * amdgpu_svm_span_in_use() - does SVM own part of a GPU VA span
 * @svm: the context of the VM
 * @start: first byte
 * @end: one past the last byte, > @start
 *
 * For a GPU driver that also maps buffers of its own into the VM at
 * addresses the process chooses (amdgpu's GEM VA ioctl, vamdgpu's
 * MAP_USERPTR): SVM owns the span where SET_ATTR set attributes and where
 * the context has ranges (XNACK on: pages GPU faults mapped). The driver
 * refuses its own mapping there with -EADDRINUSE; the other direction is
 * &amdgpu_svm_gpu_ops.check_span. Neither check holds the other's lock
 * until its mapping is made: a SET_ATTR and a buffer mapping racing over
 * the same span from two threads can both pass. Attributes a munmap
 * could not clear (amdgpu_svm_clear_stale_attrs()) are cleared first: an
 * unmapped span is no SVM memory.
 *
 * Context: process context, may sleep; takes the SVM lock, then the
 * mmap_lock (call it with none of the driver's VM locks held, nor the
 * mmap_lock).
 * Return: true if [@start, @end) holds attributes or ranges.
 */
bool amdgpu_svm_span_in_use(struct amdgpu_svm *svm, unsigned long start,
			    unsigned long end)
{
	struct amdgpu_svm_process *proc = svm->proc;
	struct mm_struct *mm = svm->gpusvm.mm;
	struct drm_gpusvm_notifier *notifier;
	bool stale, used;

	stale = amdgpu_svm_attr_has_stale(&proc->attrs) && mmget_not_zero(mm);
	mutex_lock(&proc->lock);
	if (stale) {
		mmap_read_lock(mm);
		amdgpu_svm_clear_stale_attrs(proc, mm);
		mmap_read_unlock(mm);
	}
	used = amdgpu_svm_attr_any(&proc->attrs, start, end);
	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, start, end)
		used |= !!drm_gpusvm_range_find(notifier, start, end);
	mutex_unlock(&proc->lock);
	if (stale)
		mmput(mm);
	return used;
}
EXPORT_SYMBOL_GPL(amdgpu_svm_span_in_use);

/**
 * amdgpu_svm_queue_created() - a queue of the context's process now exists
 * @svm: the context the queue runs in
 *
 * The hardware driver counts its user queues here, so that the XNACK mode
 * of the process cannot change under a queue (amdgpu_svm_set_xnack()).
 * Pairs with amdgpu_svm_queue_destroyed().
 *
 * Context: process context, may sleep; takes the mode lock, never the SVM
 * lock, so it does not wait for a restore in progress.
 */
void amdgpu_svm_queue_created(struct amdgpu_svm *svm)
{
	mutex_lock(&svm->proc->mode_lock);
	svm->proc->nqueues++;
	mutex_unlock(&svm->proc->mode_lock);
}
EXPORT_SYMBOL_GPL(amdgpu_svm_queue_created);

/**
 * amdgpu_svm_queue_destroyed() - a queue counted by
 * amdgpu_svm_queue_created() is gone
 * @svm: the context
 *
 * Context: process context, may sleep; takes the mode lock only.
 */
void amdgpu_svm_queue_destroyed(struct amdgpu_svm *svm)
{
	mutex_lock(&svm->proc->mode_lock);
	if (!WARN_ON_ONCE(!svm->proc->nqueues))
		svm->proc->nqueues--;
	mutex_unlock(&svm->proc->mode_lock);
}
EXPORT_SYMBOL_GPL(amdgpu_svm_queue_destroyed);

static int __init amdgpu_svm_init(void)
{
	amdgpu_svm_wq = alloc_workqueue("amdgpu_svm",
					WQ_UNBOUND | WQ_FREEZABLE, 0);
	if (!amdgpu_svm_wq)
		return -ENOMEM;
	amdgpu_svm_debugfs_init();
	return 0;
}

static void __exit amdgpu_svm_exit(void)
{
	/* Processes are freed by SRCU callbacks of mmu_notifier_put(). */
	mmu_notifier_synchronize();
	destroy_workqueue(amdgpu_svm_wq);
	amdgpu_svm_debugfs_fini();
}

module_init(amdgpu_svm_init);
module_exit(amdgpu_svm_exit);

MODULE_DESCRIPTION("amdgpu shared virtual memory core on drm_gpusvm");
MODULE_LICENSE("GPL");
