/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * amdgpu SVM core: internal structures shared by its files.
 *
 * Copyright 2026 The amdgpu-svm authors
 */
#ifndef _AMDGPU_SVM_PRIV_H_
#define _AMDGPU_SVM_PRIV_H_

#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <drm/drm_gpusvm.h>

#include "amdgpu_svm.h"
#include "amdgpu_svm_attr.h"

struct amdgpu_svm_walk;
struct dentry;
struct hmm_range;

/**
 * struct amdgpu_svm_process - the SVM state of one mm, shared by its GPUs
 *
 * Found and reference counted through mmu_notifier_get() on the mm: every
 * context of the same mm gets the same process.
 */
struct amdgpu_svm_process {
	/** @mn: mm-wide notifier: munmap clears attributes; the registry. */
	struct mmu_notifier mn;
	/**
	 * @lock: the SVM lock: attribute changes, range insertion and
	 * removal on every GPU of the process (the drm_gpusvm driver lock of
	 * each context), the GPU list, the workers' state.
	 */
	struct mutex lock;
	/** @attrs: the attribute tree, one truth for all GPUs. */
	struct amdgpu_svm_attr_tree attrs;
	/** @gpus: the contexts (&amdgpu_svm.link); @lock and @queue_lock. */
	struct list_head gpus;
	/** @gpu_ids: gpu_id of each GPU index in use, under @lock. */
	u32 gpu_ids[AMDGPU_SVM_MAX_GPUS];
	/** @gpu_refs: contexts per GPU index, under @lock. */
	unsigned int gpu_refs[AMDGPU_SVM_MAX_GPUS];
	/** @ncontexts: number of contexts, under @lock. */
	unsigned int ncontexts;
	/**
	 * @xnack: XNACK mode, set by the first context and by
	 * amdgpu_svm_set_xnack(); written under @lock, read anywhere.
	 */
	bool xnack;
	/** @nqueues: queues of the process on all its GPUs, under @mode_lock. */
	unsigned int nqueues;
	/**
	 * @mode_lock: the queue count against the XNACK mode:
	 * amdgpu_svm_set_xnack() holds it across its switch, so no queue is
	 * made meanwhile. Taken before the SVM lock, never under it, so that
	 * making a queue never waits for the SVM lock (held by a restore
	 * whose page-table update may wait for a hung SDMA ring).
	 */
	struct mutex mode_lock;
	/**
	 * @queue_lock: the quiesce state of every context; taken in the
	 * notifier, so nothing below it allocates or takes the SVM lock.
	 */
	struct mutex queue_lock;
	/** @gc_work: XNACK on: removes ranges the CPU unmapped. */
	struct work_struct gc_work;
	/** @restore_work: XNACK off: removes, rebuilds, remaps, resumes. */
	struct delayed_work restore_work;
	/** @tgid: the process, as debugfs names it. */
	pid_t tgid;
	/** @nranges: drm_gpusvm ranges of all its contexts (debugfs). */
	atomic_t nranges;
	/**
	 * @walk: page walks the contexts share during
	 * amdgpu_svm_sync_all(), or NULL; under @lock.
	 */
	struct amdgpu_svm_walk *walk;
	/**
	 * @registry_link: in the debugfs registry while it has contexts,
	 * under the registry lock (amdgpu_svm_debugfs.c).
	 */
	struct list_head registry_link;
};

/**
 * struct amdgpu_svm - the SVM context of one (process, GPU) pair
 */
struct amdgpu_svm {
	/** @gpusvm: the drm_gpusvm instance of this GPU and mm. */
	struct drm_gpusvm gpusvm;
	/** @proc: the process. */
	struct amdgpu_svm_process *proc;
	/** @gpu: the GPU. */
	const struct amdgpu_svm_gpu *gpu;
	/** @drvdata: the hardware driver's pointer. */
	void *drvdata;
	/** @idx: GPU index in the process (bit in the attributes). */
	unsigned int idx;
	/** @link: in &amdgpu_svm_process.gpus. */
	struct list_head link;
	/**
	 * @quiesce_count: nested quiesces of this context in force (its
	 * @gpu quiesce op is in force while non-zero), under queue_lock.
	 */
	unsigned int quiesce_count;
	/**
	 * @evicted: the notifier (or a failed sync, amdgpu_svm_owe_restore())
	 * quiesced this context; the restore worker owes it a resume. Under
	 * queue_lock.
	 */
	bool evicted;
	/** @evict_seq: evictions of this context so far, under queue_lock. */
	unsigned long evict_seq;
	/** @restore_seq: @evict_seq when the restore began, under the SVM lock. */
	unsigned long restore_seq;
	/** @work_lock: protects @work_list and the ranges' pending bits. */
	spinlock_t work_lock;
	/** @work_list: ranges with pending operations, oldest first. */
	struct list_head work_list;
	/** @retry_start: start of a span the restore worker must redo. */
	unsigned long retry_start;
	/** @retry_end: its end; @retry_start == @retry_end: none. */
	unsigned long retry_end;
	/**
	 * @restore_failures: runs of the restore worker in a row that failed
	 * to map this context again, under the SVM lock.
	 */
	unsigned int restore_failures;
	/** @restore_failing_since: jiffies of the first of them. */
	unsigned long restore_failing_since;
};

/* Pending operations of a range (&amdgpu_svm_range.pending). */
/** The CPU unmapped (part of) the range: remove it, rebuild the rest. */
#define AMDGPU_SVM_RANGE_GC		BIT(0)
/** Evicted with XNACK off: remap it before the queues resume. */
#define AMDGPU_SVM_RANGE_RESTORE	BIT(1)

/**
 * struct amdgpu_svm_range - a drm_gpusvm range with its GPU mapping state
 */
struct amdgpu_svm_range {
	/** @base: the drm_gpusvm range. */
	struct drm_gpusvm_range base;
	/** @work_link: in &amdgpu_svm.work_list while @pending. */
	struct list_head work_link;
	/** @pending: AMDGPU_SVM_RANGE_* bits, under work_lock. */
	u8 pending;
	/**
	 * @mapped: GPU PTEs are valid. Set with the SVM lock and the
	 * notifier lock (read) held; cleared with the notifier lock held for
	 * write, or with the SVM lock and the notifier lock held.
	 */
	bool mapped;
	/**
	 * @removed: amdgpu_svm_range_remove() is taking the range out: the
	 * notifier no longer queues it. Set with the SVM lock and the
	 * notifier lock held.
	 */
	bool removed;
	/** @pte_flags: AMDGPU_SVM_PTE_* written while @mapped. */
	u32 pte_flags;
	/** @mapped_at: when the PTEs were last written, under the SVM lock. */
	ktime_t mapped_at;
	/**
	 * @read_only_pages: the pages were last faulted in read-only (a
	 * copy-on-write page may still be shared): never map them writable.
	 */
	bool read_only_pages;
	/**
	 * @vma_read_only: amdgpu_svm_drop_misfits() found one read-only VMA
	 * holding the range (meaningful during that call only, under the
	 * SVM lock): its read-only pages and PTEs are what the attributes
	 * give this memory, whose writes they allow.
	 */
	bool vma_read_only;
	/** @bounces: GPU-fault migrations to VRAM in the current window. */
	u8 bounces;
	/** @bounce_start: jiffies when the window of @bounces began. */
	unsigned long bounce_start;
};

static inline struct amdgpu_svm *to_amdgpu_svm(struct drm_gpusvm *gpusvm)
{
	return container_of(gpusvm, struct amdgpu_svm, gpusvm);
}

static inline struct amdgpu_svm_range *
to_amdgpu_svm_range(struct drm_gpusvm_range *range)
{
	return container_of(range, struct amdgpu_svm_range, base);
}

extern struct workqueue_struct *amdgpu_svm_wq;
extern const struct drm_gpusvm_ops amdgpu_svm_gpusvm_ops;

void amdgpu_svm_quiesce(struct amdgpu_svm *svm);
void amdgpu_svm_resume(struct amdgpu_svm *svm);
void amdgpu_svm_evict(struct amdgpu_svm *svm);
void amdgpu_svm_owe_restore(struct amdgpu_svm *svm);
unsigned long amdgpu_svm_evict_seq(struct amdgpu_svm *svm);
void amdgpu_svm_restored(struct amdgpu_svm *svm, unsigned long seq);
int amdgpu_svm_process_gpu_idx(struct amdgpu_svm_process *proc, u32 gpu_id);
void amdgpu_svm_process_last_context_gone(struct amdgpu_svm_process *proc);
void amdgpu_svm_gc_work(struct work_struct *work);
void amdgpu_svm_restore_work(struct work_struct *work);
int amdgpu_svm_drain(struct amdgpu_svm *svm);
#if IS_ENABLED(CONFIG_KUNIT)
bool amdgpu_svm_read_only_vma_holds(struct amdgpu_svm *svm,
				    unsigned long start, unsigned long end);
#endif
void amdgpu_svm_process_drain(struct amdgpu_svm_process *proc);
void amdgpu_svm_clear_stale_attrs(struct amdgpu_svm_process *proc,
				  struct mm_struct *mm);
/* amdgpu_svm_sync() flags */
/** Fail on memory that cannot be mapped instead of skipping it. */
#define AMDGPU_SVM_SYNC_STRICT		BIT(0)
/** Move pages to their location before mapping them (SET_ATTR). */
#define AMDGPU_SVM_SYNC_MIGRATE		BIT(1)

void amdgpu_svm_walk_begin(struct amdgpu_svm_process *proc,
			   unsigned long start, unsigned long end);
void amdgpu_svm_walk_end(struct amdgpu_svm_process *proc);
int amdgpu_svm_hmm_range_fault(struct drm_gpusvm *gpusvm,
			       struct hmm_range *range);
int amdgpu_svm_sync_all(struct amdgpu_svm_process *proc, unsigned long start,
			unsigned long end, unsigned int flags);
int amdgpu_svm_sync(struct amdgpu_svm *svm, unsigned long start,
		    unsigned long end, unsigned int flags, bool *quiesced);
bool amdgpu_svm_range_drop_crossing(struct amdgpu_svm *svm,
				    struct amdgpu_svm_range *range,
				    unsigned long ps, unsigned long pe);
int amdgpu_svm_range_migrate(struct amdgpu_svm *svm,
			     struct amdgpu_svm_range *range,
			     const struct amdgpu_svm_attrs *attrs, bool fault);
void amdgpu_svm_prefetch(struct amdgpu_svm_process *proc, unsigned long start,
			 unsigned long end);
void amdgpu_svm_unmap_all(struct amdgpu_svm *svm);
size_t amdgpu_svm_range_bytes(struct amdgpu_svm *svm);

/**
 * enum amdgpu_svm_fail_point - the core's fault-injection points
 * (DOC: Fault injection)
 * @AMDGPU_SVM_FAIL_GET_PAGES: getting a range's pages
 * @AMDGPU_SVM_FAIL_UPDATE_PTES: a GPU page-table update
 * @AMDGPU_SVM_FAIL_MIGRATE: a migration between system memory and VRAM
 * @AMDGPU_SVM_FAIL_ATTR_SPLIT: the node a munmap needs to split an
 *	attribute interval
 * @AMDGPU_SVM_FAIL_POINTS: their number
 */
enum amdgpu_svm_fail_point {
	AMDGPU_SVM_FAIL_GET_PAGES,
	AMDGPU_SVM_FAIL_UPDATE_PTES,
	AMDGPU_SVM_FAIL_MIGRATE,
	AMDGPU_SVM_FAIL_ATTR_SPLIT,
	AMDGPU_SVM_FAIL_POINTS,
};

bool amdgpu_svm_should_fail(enum amdgpu_svm_fail_point point);
void amdgpu_svm_inject_init(struct dentry *root);

void amdgpu_svm_debugfs_init(void);
void amdgpu_svm_debugfs_fini(void);
void amdgpu_svm_debugfs_register(struct amdgpu_svm_process *proc);
void amdgpu_svm_debugfs_forget(struct amdgpu_svm_process *proc);

#endif /* _AMDGPU_SVM_PRIV_H_ */
