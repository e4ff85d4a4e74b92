// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * amdgpu SVM: one CPU page walk for all the contexts of a process that
 * map the same span.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: Shared page walk
 *
 * Each context has a drm_gpusvm of its own, and drm_gpusvm_get_pages()
 * walks the CPU page tables (hmm_range_fault()) for it: a SET_ATTR that
 * maps a span on every GPU of the process walks each page once per
 * context. amdgpu_svm_sync_all() keeps the PFNs of the walks of the
 * span, up to its first AMDGPU_SVM_WALK_MAX_CHUNKS 2 MiB chunks (1 GiB):
 * a context that gets the pages of a range whose walk is kept copies the
 * PFNs instead of walking again (drm_gpusvm's ``hmm_range_fault`` op).
 *
 * Each context syncs the whole span in turn, so that a change of PTE
 * flags costs it one TLB flush however many ranges it drops; so the PFNs
 * of every chunk are kept until the last context is done. Walking the
 * span chunk by chunk on every context in turn would keep one chunk at a
 * time, but flush once per chunk.
 *
 * The kept PFNs are what a walk would give as long as the CPU page tables
 * did not change since they were walked. The process registers an MMU
 * interval notifier of its own over the kept chunks and reads its
 * sequence before the first walk (mmu_interval_read_begin() waits out an
 * invalidation in flight). PFNs are kept and used only while no
 * invalidation of the chunks has started since (mmu_interval_check_retry()).
 * That check takes no lock; the context's own notifier sequence covers the
 * rest, as after any walk: an invalidation that changes the pages after
 * that sequence was read calls the context's notifier, which either makes
 * get_pages retry or zaps the PTEs it wrote. One that called the
 * context's notifier before was over before its sequence could be read,
 * so its start is seen here.
 *
 * PFNs are kept per chunk with the fault flags and the device-private
 * owner of the walk; a walk serves a request that asks for no more (a
 * read-only walk never serves a writable mapping) and, when the pages
 * include device-private ones, only the same owner (hmm_range_fault()
 * migrates another owner's pages to system memory). The PFNs of a chunk
 * take 4 KiB (with 4 KiB pages), allocated at its first walk: 2 MiB at
 * most for a span of 1 GiB or more, and 88 bytes per chunk of the span
 * besides, all freed when the call ends and charged to the process.
 */

#include <linux/hmm.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "amdgpu_svm_priv.h"

/* Chunks of 2 MiB kept at most, from the start of a span. */
#define AMDGPU_SVM_WALK_MAX_CHUNKS	512
#define AMDGPU_SVM_WALK_CHUNK_PAGES	(SZ_2M >> PAGE_SHIFT)
/* The PFN flags hmm_range_fault() carries from input to output. */
#define AMDGPU_SVM_WALK_INOUT_FLAGS \
	(HMM_PFN_DMA_MAPPED | HMM_PFN_P2PDMA | HMM_PFN_P2PDMA_BUS)

/* The PFNs of the walks of one 2 MiB chunk. */
struct amdgpu_svm_walk_chunk {
	/* The pages of the chunk whose PFNs are kept. */
	DECLARE_BITMAP(valid, AMDGPU_SVM_WALK_CHUNK_PAGES);
	/* The walks' hmm_range.default_flags. */
	unsigned long default_flags;
	/* The walks' hmm_range.dev_private_owner. */
	void *owner;
	/* PFNs of the chunk, by page; meaningful where @valid. */
	unsigned long *pfns;
};

/**
 * struct amdgpu_svm_walk - the page walks shared within one
 * amdgpu_svm_sync_all()
 */
struct amdgpu_svm_walk {
	/** @notifier: over [@start, @end): tells an invalidation started. */
	struct mmu_interval_notifier notifier;
	/** @start: first byte kept, 2 MiB aligned. */
	unsigned long start;
	/** @end: one past the last byte kept, 2 MiB aligned. */
	unsigned long end;
	/** @seq: @notifier's sequence before the first walk. */
	unsigned long seq;
	/** @nchunks: chunks kept, at most AMDGPU_SVM_WALK_MAX_CHUNKS. */
	unsigned int nchunks;
	/** @chunks: the chunks of [@start, @end). */
	struct amdgpu_svm_walk_chunk chunks[] __counted_by(nchunks);
};

/*
 * The sequence is only compared without a lock (see DOC: Shared page
 * walk), so the callback needs none.
 */
static bool amdgpu_svm_walk_invalidate(struct mmu_interval_notifier *mni,
				       const struct mmu_notifier_range *range,
				       unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops amdgpu_svm_walk_ops = {
	.invalidate = amdgpu_svm_walk_invalidate,
};

/**
 * amdgpu_svm_walk_begin() - start sharing page walks over a span
 * @proc: the process
 * @start: first byte of the span
 * @end: one past its last byte
 *
 * Without memory for it, or without a second context to share with, the
 * contexts walk on their own: sharing is only a saving.
 *
 * Context: process context, may sleep; the SVM lock held, not the
 * mmap_lock.
 */
void amdgpu_svm_walk_begin(struct amdgpu_svm_process *proc,
			   unsigned long start, unsigned long end)
{
	struct mm_struct *mm = proc->mn.mm;
	struct amdgpu_svm_walk *walk;
	unsigned int nchunks;

	lockdep_assert_held(&proc->lock);

	if (proc->ncontexts < 2)
		return;
	start = ALIGN_DOWN(start, SZ_2M);
	end = ALIGN(end, SZ_2M);
	nchunks = min_t(unsigned long, (end - start) / SZ_2M,
			AMDGPU_SVM_WALK_MAX_CHUNKS);
	/* Zeroed: no PFN kept, no PFN array yet. */
	walk = kvzalloc_flex(*walk, chunks, nchunks,
			     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!walk)
		return;
	walk->nchunks = nchunks;
	walk->start = start;
	walk->end = start + nchunks * SZ_2M;
	if (mmu_interval_notifier_insert(&walk->notifier, mm, walk->start,
					 walk->end - walk->start,
					 &amdgpu_svm_walk_ops)) {
		kvfree(walk);
		return;
	}
	walk->seq = mmu_interval_read_begin(&walk->notifier);
	proc->walk = walk;
}

/**
 * amdgpu_svm_walk_end() - stop sharing page walks
 * @proc: the process
 *
 * Context: process context, may sleep; the SVM lock held, not the
 * mmap_lock.
 */
void amdgpu_svm_walk_end(struct amdgpu_svm_process *proc)
{
	struct amdgpu_svm_walk *walk = proc->walk;
	unsigned int i;

	lockdep_assert_held(&proc->lock);

	if (!walk)
		return;
	proc->walk = NULL;
	mmu_interval_notifier_remove(&walk->notifier);
	for (i = 0; i < walk->nchunks; i++)
		kfree(walk->chunks[i].pfns);
	kvfree(walk);
}

/*
 * The chunk that holds the whole of @range, if it is kept: a range never
 * crosses a 2 MiB boundary, but one a sync widened to may lie outside.
 */
static struct amdgpu_svm_walk_chunk *
amdgpu_svm_walk_chunk(struct amdgpu_svm_walk *walk,
		      const struct hmm_range *range)
{
	unsigned long chunk = ALIGN_DOWN(range->start, SZ_2M);

	if (range->start < walk->start || range->end > walk->end ||
	    range->end > chunk + SZ_2M)
		return NULL;
	return &walk->chunks[(chunk - walk->start) / SZ_2M];
}

/*
 * Does a device-private page lie among the kept PFNs [first, end) of a
 * chunk? One look per CPU mapping: its pages are all of one kind.
 */
static bool amdgpu_svm_walk_device_private(const unsigned long *pfns,
					   unsigned long first,
					   unsigned long end)
{
	unsigned long i;

	for (i = first; i < end;
	     i = ALIGN(i + 1, 1UL << hmm_pfn_to_map_order(pfns[i])))
		if (is_device_private_page(hmm_pfn_to_page(pfns[i])))
			return true;
	return false;
}

/*
 * Copy kept PFNs to @range if a kept walk covers it, asked for at least
 * its flags, and (over device-private pages) for its owner.
 */
static bool amdgpu_svm_walk_copy(struct amdgpu_svm_walk_chunk *chunk,
				 struct hmm_range *range)
{
	unsigned long first = (range->start & (SZ_2M - 1)) >> PAGE_SHIFT;
	unsigned long npages = (range->end - range->start) >> PAGE_SHIFT;
	unsigned long i;

	if (!chunk->pfns || range->pfn_flags_mask ||
	    (range->default_flags & ~chunk->default_flags) ||
	    find_next_zero_bit(chunk->valid, first + npages, first) <
	    first + npages)
		return false;
	if (range->dev_private_owner != chunk->owner &&
	    amdgpu_svm_walk_device_private(chunk->pfns, first,
					   first + npages))
		return false;
	for (i = 0; i < npages; i++)
		range->hmm_pfns[i] = (range->hmm_pfns[i] &
				      AMDGPU_SVM_WALK_INOUT_FLAGS) |
				     chunk->pfns[first + i];
	return true;
}

/*
 * Keep the PFNs of a walk that covered @range; without memory for them,
 * the next context walks again.
 */
static void amdgpu_svm_walk_keep(struct amdgpu_svm_walk_chunk *chunk,
				 const struct hmm_range *range)
{
	unsigned long first = (range->start & (SZ_2M - 1)) >> PAGE_SHIFT;
	unsigned long npages = (range->end - range->start) >> PAGE_SHIFT;
	unsigned long i;

	if (!chunk->pfns) {
		chunk->pfns = kmalloc_array(AMDGPU_SVM_WALK_CHUNK_PAGES,
					    sizeof(*chunk->pfns),
					    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!chunk->pfns)
			return;
	}
	if (chunk->default_flags != range->default_flags ||
	    chunk->owner != range->dev_private_owner) {
		bitmap_zero(chunk->valid, AMDGPU_SVM_WALK_CHUNK_PAGES);
		chunk->default_flags = range->default_flags;
		chunk->owner = range->dev_private_owner;
	}
	for (i = 0; i < npages; i++)
		chunk->pfns[first + i] = range->hmm_pfns[i] &
					 ~AMDGPU_SVM_WALK_INOUT_FLAGS;
	bitmap_set(chunk->valid, first, npages);
}

/**
 * amdgpu_svm_hmm_range_fault() - drm_gpusvm's ``hmm_range_fault`` op
 * @gpusvm: the context's drm_gpusvm
 * @range: what drm_gpusvm_get_pages() asks for
 *
 * Copies the PFNs of @range from a kept walk when one serves it, else
 * walks and keeps the PFNs for the next context (DOC: Shared page walk).
 *
 * Context: the SVM lock and the mmap_lock (read) held.
 * Return: as hmm_range_fault().
 */
int amdgpu_svm_hmm_range_fault(struct drm_gpusvm *gpusvm,
			       struct hmm_range *range)
{
	struct amdgpu_svm_process *proc = to_amdgpu_svm(gpusvm)->proc;
	struct amdgpu_svm_walk *walk = proc->walk;
	struct amdgpu_svm_walk_chunk *chunk = NULL;
	int ret;

	lockdep_assert_held(&proc->lock);
	mmap_assert_locked(gpusvm->mm);

	if (walk && !mmu_interval_check_retry(&walk->notifier, walk->seq))
		chunk = amdgpu_svm_walk_chunk(walk, range);
	if (chunk && amdgpu_svm_walk_copy(chunk, range))
		return 0;

	ret = hmm_range_fault(range);
	if (!ret && chunk)
		amdgpu_svm_walk_keep(chunk, range);
	return ret;
}
