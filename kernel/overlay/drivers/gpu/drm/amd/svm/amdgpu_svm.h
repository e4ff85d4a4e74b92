/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * amdgpu SVM core: the contract between the hardware-agnostic shared
 * virtual memory core (amdgpu_svm.ko) and the GPU drivers that use it
 * (amdgpu, the vamdgpu virtual GPU).
 *
 * Copyright 2026 The amdgpu-svm authors
 */
#ifndef _AMDGPU_SVM_H_
#define _AMDGPU_SVM_H_

#include <linux/bits.h>
#include <linux/err.h>
#include <linux/types.h>

struct drm_device;
struct drm_file;
struct drm_pagemap;
struct drm_pagemap_addr;
struct amdgpu_svm;

/*
 * Abstract GPU PTE flags. The core decides them from the attributes of an
 * address range; the hardware driver translates them to its own PTE bits
 * (amdgpu: AMDGPU_PTE_VALID / READABLE / WRITEABLE / EXECUTABLE / SNOOPED,
 * MTYPE).
 */
/** GPU reads are allowed. Always set when a PTE is written. */
#define AMDGPU_SVM_PTE_READ		BIT(0)
/** GPU writes are allowed (clear for AMDGPU_SVM_FLAG_GPU_RO). */
#define AMDGPU_SVM_PTE_WRITE		BIT(1)
/** GPU instruction fetch is allowed (AMDGPU_SVM_FLAG_GPU_EXEC). */
#define AMDGPU_SVM_PTE_EXEC		BIT(2)
/** Fine-grained coherent (AMDGPU_SVM_FLAG_COHERENT): uncached/snooped. */
#define AMDGPU_SVM_PTE_COHERENT		BIT(3)
/** Device-scope atomics coherent (AMDGPU_SVM_FLAG_EXT_COHERENT). */
#define AMDGPU_SVM_PTE_EXT_COHERENT	BIT(4)
/** The range is read mostly (AMDGPU_SVM_FLAG_GPU_READ_MOSTLY): a hint. */
#define AMDGPU_SVM_PTE_READ_MOSTLY	BIT(5)

/**
 * struct amdgpu_svm_pte_update - a GPU page table update for one VA span
 *
 * The span [@start, @end) is page aligned and lies inside one drm_gpusvm
 * range. @dma_addr describes it in order, compactly: entry j covers
 * ``PAGE_SIZE << dma_addr[j].order`` bytes starting where entry j-1 ended,
 * @dma_addr[0] starting at @start. An entry whose ``proto`` is
 * DRM_INTERCONNECT_SYSTEM is a DMA address of system memory (mapped for the
 * device of the context); any other ``proto`` is a device address produced
 * by the hardware driver's own &drm_pagemap (VRAM).
 */
struct amdgpu_svm_pte_update {
	/** @start: first GPU virtual address (== CPU virtual address). */
	unsigned long start;
	/** @end: one past the last GPU virtual address. */
	unsigned long end;
	/** @dma_addr: the addresses, see above; never NULL. */
	const struct drm_pagemap_addr *dma_addr;
	/** @pte_flags: AMDGPU_SVM_PTE_* bits for every page of the span. */
	u32 pte_flags;
};

/**
 * struct amdgpu_svm_gpu_ops - what the SVM core needs from a GPU
 *
 * One table per hardware driver. Every callback gets the per-(process, GPU)
 * context it acts on; amdgpu_svm_drvdata() returns the driver's pointer
 * given to amdgpu_svm_create(). The core serializes all calls for one
 * context except where noted, and never calls an op after
 * amdgpu_svm_destroy() returned.
 *
 * Lock order seen by the callbacks (outermost first): the process SVM lock
 * (a mutex) -> mmap_lock -> the drm_gpusvm notifier lock -> whatever the
 * hardware driver takes inside the op. Ops called "in the notifier" run
 * from an MMU notifier: the notifier lock is held for write, so they must
 * not allocate memory that can enter reclaim (GFP_KERNEL), must not take
 * the mmap_lock and must not wait for anything that does.
 */
struct amdgpu_svm_gpu_ops {
	/**
	 * @reserve_ptes: make @update_ptes for [start, end) unable to fail
	 * for lack of memory (optional)
	 * @svm: the context
	 * @start: first GPU virtual address, page aligned
	 * @end: one past the last, page aligned
	 *
	 * Allocate the page-table levels (and anything else) that a later
	 * @update_ptes of this span needs. Nothing becomes visible to the GPU.
	 * Called before each @update_ptes, outside the notifier lock, so it
	 * may allocate with GFP_KERNEL. Drivers whose @update_ptes does not
	 * allocate leave it NULL.
	 *
	 * Context: process context, may sleep; the process SVM lock held.
	 * Return: 0, or -ENOMEM.
	 */
	int (*reserve_ptes)(struct amdgpu_svm *svm, unsigned long start,
			    unsigned long end);

	/**
	 * @update_ptes: write GPU PTEs for a span (required)
	 * @svm: the context
	 * @update: the span, its addresses and its PTE flags
	 *
	 * Make every page of @update valid in the GPU page table of @svm,
	 * pointing at the given addresses with the given flags, replacing
	 * any previous translation. The GPU may use the new PTEs as soon as
	 * they are written; the core flushes nothing after an update (a
	 * valid PTE replacing an invalid one needs no TLB flush; where a
	 * valid PTE replaces another valid one with other flags, the core
	 * clears and flushes first). With XNACK on, PTEs the GPU keeps
	 * faulting on are written again as they were, over what may still be
	 * valid (amdgpu_svm_handle_fault()).
	 *
	 * Context: process context, may sleep; the process SVM lock held and
	 * the drm_gpusvm notifier lock held for read, so no GFP_KERNEL
	 * allocation (see @reserve_ptes).
	 * Return: 0, or a negative errno; the span is then left invalid
	 * (the core flushes the TLB after a failure: the GPU may have cached
	 * a PTE written before it).
	 */
	int (*update_ptes)(struct amdgpu_svm *svm,
			   const struct amdgpu_svm_pte_update *update);

	/**
	 * @clear_ptes: invalidate GPU PTEs for a span (required)
	 * @svm: the context
	 * @start: first GPU virtual address, page aligned
	 * @end: one past the last, page aligned
	 *
	 * Make every page of [start, end) invalid in the GPU page table.
	 * Clearing a page that is already invalid is a no-op. The GPU may
	 * keep using cached translations until @flush_tlb.
	 *
	 * Context: may be called in the notifier (see above) or from process
	 * context with the SVM lock held; must not sleep for long, must not
	 * allocate with GFP_KERNEL, cannot fail.
	 */
	void (*clear_ptes)(struct amdgpu_svm *svm, unsigned long start,
			   unsigned long end);

	/**
	 * @flush_tlb: flush the GPU TLB of the context (required)
	 * @svm: the context
	 *
	 * When it returns, the GPU no longer uses any translation that
	 * @clear_ptes removed before the call, and no GPU access through
	 * such a translation is still in flight: the pages it pointed to
	 * may be freed right after.
	 *
	 * Context: as @clear_ptes.
	 */
	void (*flush_tlb)(struct amdgpu_svm *svm);

	/**
	 * @quiesce: stop all queues of the context on this GPU (required)
	 * @svm: the context
	 *
	 * An in-flight command finishes, nothing new starts until @resume.
	 * The core calls it for the one context whose GPU mappings it is
	 * about to clear (an eviction of that context's ranges, or an ioctl
	 * dropping them), only in XNACK-off mode, and pairs every call with
	 * one @resume. Queues created while quiesced start quiesced.
	 *
	 * Context: may be called in the notifier; may sleep waiting for the
	 * in-flight command, which must not itself wait for the SVM core
	 * (in XNACK-off mode the GPU never calls amdgpu_svm_handle_fault()).
	 */
	void (*quiesce)(struct amdgpu_svm *svm);

	/**
	 * @resume: restart the queues stopped by @quiesce (required)
	 * @svm: the context
	 *
	 * Context: process context (the restore worker, an ioctl, or
	 * amdgpu_svm_destroy() after the context's notifiers are gone), may
	 * sleep; the process SVM lock and its queue lock held. The notifier
	 * takes the queue lock: no GFP_KERNEL allocation, no lock that is
	 * held while reclaiming.
	 */
	void (*resume)(struct amdgpu_svm *svm);

	/**
	 * @pagemap: the GPU's VRAM as a drm_pagemap (optional)
	 * @svm: the context
	 *
	 * The returned &drm_pagemap carries VRAM allocation
	 * (populate_devmem_pfn) and the migration copy engine
	 * (copy_to_devmem, copy_to_ram) in its drm_pagemap_devmem_ops.
	 * NULL, or no callback, means the context maps system memory only
	 * (the answer is per context: on amdgpu a file whose VRAM handle
	 * could not be made): PREFERRED_LOC / PREFETCH_LOC naming its GPU
	 * are kept as attributes but migrate nothing through it.
	 *
	 * Context: process context, may sleep; the process SVM lock held.
	 */
	struct drm_pagemap *(*pagemap)(struct amdgpu_svm *svm);

	/**
	 * @fault_may_migrate: may a GPU fault move pages now (optional)
	 * @svm: a context of the process
	 *
	 * A migration allocates VRAM and copies on engines whose jobs may
	 * wait for work of @svm's VM; work that is itself stalled on a GPU
	 * fault, which waits for the process's SVM lock that the migrating
	 * fault holds, would then never finish. Asked of every context of
	 * the process at each fault that would migrate: one false makes the
	 * fault map the pages where they are (the attributes still move them
	 * at the next SET_ATTR or prefetch). NULL: always.
	 *
	 * Context: process context, may sleep; the process SVM lock held.
	 */
	bool (*fault_may_migrate)(struct amdgpu_svm *svm);

	/**
	 * @check_span: may SET_ATTR give this GPU [start, end) (optional)
	 * @svm: the context
	 * @start: first virtual address, page aligned
	 * @end: one past the last, page aligned
	 *
	 * The GPU's own claims on its virtual address space: a span beyond
	 * its VM, or one that overlaps memory the driver maps there by
	 * other means (amdgpu's GEM VA mappings), is refused before any
	 * attribute changes. Called for every GPU of the process.
	 *
	 * Context: process context, may sleep; the process SVM lock and the
	 * mmap_lock (read) held.
	 * Return: 0; -EINVAL beyond the VM; -EADDRINUSE over other mappings.
	 */
	int (*check_span)(struct amdgpu_svm *svm, unsigned long start,
			  unsigned long end);
};

/**
 * struct amdgpu_svm_gpu - a GPU as the SVM core sees it
 *
 * Filled by the hardware driver once per device (typically embedded in its
 * device structure) and passed to amdgpu_svm_create() for every process
 * that opens the device. Must outlive every context created on it.
 */
struct amdgpu_svm_gpu {
	/** @drm: the DRM device; drm_gpusvm instances are bound to it. */
	struct drm_device *drm;
	/** @ops: the hardware operations; required ones must be set. */
	const struct amdgpu_svm_gpu_ops *ops;
	/**
	 * @gpu_id: the id userspace names this GPU by in SVM attributes
	 * (ACCESS, PREFERRED_LOC, ...); unique among the GPUs of the system,
	 * never 0 (system memory) nor 0xffffffff (undefined).
	 */
	u32 gpu_id;
	/** @xnack_capable: the GPU can retry faulting accesses (XNACK). */
	bool xnack_capable;
	/**
	 * @page_owner: device-private page owner for hmm_range_fault: VRAM
	 * pages of this owner are mapped in place instead of migrated back.
	 * NULL when the GPU has no device-private memory.
	 */
	void *page_owner;
};

/*
 * Entry points for hardware drivers (kernel-doc at their definitions in
 * amdgpu_svm_core.c, amdgpu_svm_ioctl.c and amdgpu_svm_range.c):
 *
 * amdgpu_svm_create() - at open of the render node (or lazily at the
 *   first SVM ioctl): the per-(process, GPU) context of current->mm. All
 *   contexts of one mm share one SVM process: one attribute tree, one SVM
 *   lock and one XNACK mode; quiesce / resume is per context.
 * amdgpu_svm_destroy() - at postclose, after the driver stopped the
 *   context's queues: clears all PTEs, drains the workers, frees.
 * amdgpu_svm_ioctl() - the DRM_AMDGPU_GEM_SVM handler; @data is the
 *   struct drm_amdgpu_gem_svm that drm_ioctl() copied in.
 * amdgpu_svm_handle_fault() - XNACK on: a GPU access missed the GPU page
 *   table; map it and return 0 so the access retries, or return -EFAULT
 *   for a real VM fault. A stale fault (the mapping serves the access
 *   already, or the process switched to XNACK off since the caller
 *   looked) returns 0 and changes nothing.
 * amdgpu_svm_set_xnack() - change the process's XNACK mode while it has no
 *   queues (KFD's SET_XNACK_MODE); amdgpu_svm_xnack_enabled() reads it.
 * amdgpu_svm_queue_created() / amdgpu_svm_queue_destroyed() - the driver's
 *   user queues of the process, counted so the mode cannot change under
 *   one.
 * amdgpu_svm_span_in_use() - before the driver maps a buffer of its own
 *   into the VM: SVM owns part of the span (refuse with -EADDRINUSE).
 * amdgpu_svm_ptes_lost() - the GPU page table lost the context's PTEs (a
 *   reset that lost VRAM): map again what was mapped.
 */
#if IS_ENABLED(CONFIG_DRM_AMDGPU_SVM)

struct amdgpu_svm *amdgpu_svm_create(const struct amdgpu_svm_gpu *gpu,
				     bool xnack, void *drvdata);
void amdgpu_svm_destroy(struct amdgpu_svm *svm);
void *amdgpu_svm_drvdata(const struct amdgpu_svm *svm);
bool amdgpu_svm_xnack_enabled(const struct amdgpu_svm *svm);
int amdgpu_svm_ioctl(struct amdgpu_svm *svm, void *data);
int amdgpu_svm_handle_fault(struct amdgpu_svm *svm, unsigned long addr,
			    bool write);
int amdgpu_svm_set_xnack(struct amdgpu_svm *svm, bool xnack);
void amdgpu_svm_queue_created(struct amdgpu_svm *svm);
void amdgpu_svm_queue_destroyed(struct amdgpu_svm *svm);
bool amdgpu_svm_span_in_use(struct amdgpu_svm *svm, unsigned long start,
			    unsigned long end);
void amdgpu_svm_ptes_lost(struct amdgpu_svm *svm);

#else

static inline struct amdgpu_svm *
amdgpu_svm_create(const struct amdgpu_svm_gpu *gpu, bool xnack, void *drvdata)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void amdgpu_svm_destroy(struct amdgpu_svm *svm)
{
}

static inline void *amdgpu_svm_drvdata(const struct amdgpu_svm *svm)
{
	return NULL;
}

static inline bool amdgpu_svm_xnack_enabled(const struct amdgpu_svm *svm)
{
	return false;
}

static inline int amdgpu_svm_ioctl(struct amdgpu_svm *svm, void *data)
{
	return -EOPNOTSUPP;
}

static inline int amdgpu_svm_handle_fault(struct amdgpu_svm *svm,
					  unsigned long addr, bool write)
{
	return -EFAULT;
}

static inline int amdgpu_svm_set_xnack(struct amdgpu_svm *svm, bool xnack)
{
	return -EOPNOTSUPP;
}

static inline void amdgpu_svm_queue_created(struct amdgpu_svm *svm)
{
}

static inline void amdgpu_svm_queue_destroyed(struct amdgpu_svm *svm)
{
}

static inline bool amdgpu_svm_span_in_use(struct amdgpu_svm *svm,
					  unsigned long start,
					  unsigned long end)
{
	return false;
}

static inline void amdgpu_svm_ptes_lost(struct amdgpu_svm *svm)
{
}

#endif /* CONFIG_DRM_AMDGPU_SVM */

#endif /* _AMDGPU_SVM_H_ */
