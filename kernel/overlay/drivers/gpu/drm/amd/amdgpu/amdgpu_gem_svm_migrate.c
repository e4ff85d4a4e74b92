// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: amdgpu GEM SVM migration copy
 *
 * The SDMA copy engine for SVM migration between system memory and VRAM,
 * shaped to serve drm_pagemap's &drm_pagemap_devmem_ops.copy_to_devmem
 * and &drm_pagemap_devmem_ops.copy_to_ram: one call copies @npages pages
 * given as system DMA addresses on one side and VRAM offsets on the other.
 *
 * System pages are reached through the GART window of a buffer-move
 * entity (their DMA addresses written into the window's GART entries by
 * an SDMA job), VRAM through its direct mapping, as KFD's
 * svm_migrate_copy_memory_gart() does. A copy is cut at every
 * discontinuity of the VRAM side and at the window size; the jobs run in
 * order on one entity. Every job's fence is waited for and checked: a GPU
 * reset cancels the jobs on the hardware but runs those still queued, so
 * the last fence alone could report a copy of which a part never ran.
 */

#include <linux/dma-fence.h>

#include "amdgpu.h"
#include "amdgpu_gem_svm.h"
#include "amdgpu_job.h"
#include "amdgpu_ttm.h"

/* Job fences a copy keeps before it waits for them. */
#define AMDGPU_GEM_SVM_COPY_FENCES	16

/**
 * struct amdgpu_gem_svm_fences - the job fences of a copy not waited for
 */
struct amdgpu_gem_svm_fences {
	/** @fence: the fences, @n of them. */
	struct dma_fence *fence[AMDGPU_GEM_SVM_COPY_FENCES];
	/** @n: fences kept. */
	unsigned int n;
	/** @error: the first error a fence waited for carried. */
	int error;
};

/* Wait for the kept fences, noting the first error, and drop them. */
static void amdgpu_gem_svm_fences_wait(struct amdgpu_gem_svm_fences *kept)
{
	unsigned int i;

	for (i = 0; i < kept->n; i++) {
		dma_fence_wait(kept->fence[i], false);
		kept->error = kept->error ?: kept->fence[i]->error;
		dma_fence_put(kept->fence[i]);
	}
	kept->n = 0;
}

/* Keep the fence of a job just queued; the caller made room for it. */
static void amdgpu_gem_svm_fences_add(struct amdgpu_gem_svm_fences *kept,
				      struct dma_fence *fence)
{
	kept->fence[kept->n++] = fence;
}

/*
 * Write the GART entries of the entity's window 0 for @npages pages; the
 * job's fence is kept in @kept.
 */
static int amdgpu_gem_svm_gart_map(struct amdgpu_device *adev,
				   struct amdgpu_ring *ring,
				   struct amdgpu_ttm_buffer_entity *entity,
				   unsigned long npages, const dma_addr_t *addr,
				   bool writable, u64 *gart_addr,
				   struct amdgpu_gem_svm_fences *kept)
{
	unsigned int num_dw, num_bytes;
	struct amdgpu_job *job;
	u64 src_addr, dst_addr;
	u64 pte_flags;
	int r;

	*gart_addr = amdgpu_compute_gart_address(&adev->gmc, entity, 0);

	num_dw = ALIGN(adev->mman.buffer_funcs->copy_num_dw, 8);
	num_bytes = npages * 8 * AMDGPU_GPU_PAGES_IN_CPU_PAGE;

	r = amdgpu_job_alloc_with_ib(adev, &entity->base,
				     AMDGPU_FENCE_OWNER_UNDEFINED,
				     num_dw * 4 + num_bytes,
				     AMDGPU_IB_POOL_DELAYED, &job,
				     AMDGPU_KERNEL_JOB_ID_KFD_GART_MAP);
	if (r)
		return r;

	src_addr = num_dw * 4;
	src_addr += job->ibs[0].gpu_addr;
	dst_addr = amdgpu_bo_gpu_offset(adev->gart.bo);
	dst_addr += (entity->gart_window_offs[0] >> AMDGPU_GPU_PAGE_SHIFT) * 8;
	amdgpu_emit_copy_buffer(adev, &job->ibs[0], src_addr, dst_addr,
				num_bytes, 0);
	amdgpu_ring_pad_ib(ring, &job->ibs[0]);
	WARN_ON(job->ibs[0].length_dw > num_dw);

	pte_flags = AMDGPU_PTE_VALID | AMDGPU_PTE_READABLE |
		    AMDGPU_PTE_SYSTEM | AMDGPU_PTE_SNOOPED;
	if (writable)
		pte_flags |= AMDGPU_PTE_WRITEABLE;
	pte_flags |= adev->gart.gart_pte_flags;

	/* amdgpu_gart_map() does not write through @dma_addr. */
	amdgpu_gart_map(adev, 0, npages, (dma_addr_t *)addr, pte_flags,
			&job->ibs[0].ptr[num_dw]);
	amdgpu_gem_svm_fences_add(kept, amdgpu_job_submit(job));
	return 0;
}

/* Pages from @vram[0] on that are contiguous in VRAM, at most @max. */
static unsigned long amdgpu_gem_svm_vram_run(const u64 *vram,
					     unsigned long max)
{
	unsigned long n = 1;

	while (n < max && vram[n] == vram[n - 1] + PAGE_SIZE)
		n++;
	return n;
}

/**
 * amdgpu_gem_svm_copy() - copy pages between system memory and VRAM by SDMA
 * @adev: the device whose SDMA copies (and whose VRAM it is)
 * @sys: DMA addresses of the system pages, mapped for @adev
 * @vram: VRAM offsets of the device pages (from the start of VRAM)
 * @npages: pages to copy, entry i of @sys to or from entry i of @vram
 * @to_vram: direction: system to VRAM when true, else VRAM to system
 *
 * Queues the copy and waits for every one of its jobs (see the DOC), so
 * the source may be released and the destination read when it returns.
 *
 * Context: process context, may sleep; takes the move entity's lock.
 * Return: 0; a negative errno if a job could not be queued; or the error
 * of a job that a GPU reset cancelled. On error some pages may be copied
 * and others not.
 */
int amdgpu_gem_svm_copy(struct amdgpu_device *adev, const dma_addr_t *sys,
			const u64 *vram, unsigned long npages, bool to_vram)
{
	const unsigned long max_pages = AMDGPU_GTT_MAX_TRANSFER_SIZE >>
					PAGE_SHIFT;
	struct amdgpu_gem_svm_fences kept = {};
	struct amdgpu_ttm_buffer_entity *entity;
	struct amdgpu_ring *ring;
	struct dma_fence *next;
	u64 gart, direct;
	int r = 0;

	if (!adev->mman.buffer_funcs_enabled)
		return -ENODEV;
	ring = to_amdgpu_ring(adev->mman.buffer_funcs_scheds[0]);
	entity = &adev->mman.move_entities[0];

	mutex_lock(&entity->lock);
	while (npages) {
		unsigned long n = amdgpu_gem_svm_vram_run(vram,
							  min(npages, max_pages));

		/*
		 * No room for this run's GART map and copy: wait for the
		 * runs kept, without the entity's lock. Only between runs: a
		 * later user of the window queues behind the copy of the last
		 * run on the entity, never between a map and its copy.
		 */
		if (kept.n + 2 > AMDGPU_GEM_SVM_COPY_FENCES) {
			mutex_unlock(&entity->lock);
			amdgpu_gem_svm_fences_wait(&kept);
			mutex_lock(&entity->lock);
			if (!adev->mman.buffer_funcs_enabled)
				r = -ENODEV;
			if (r || kept.error)
				break;
		}
		r = amdgpu_gem_svm_gart_map(adev, ring, entity, n, sys,
					    !to_vram, &gart, &kept);
		if (r)
			break;
		direct = *vram + amdgpu_ttm_domain_start(adev, TTM_PL_VRAM);
		r = amdgpu_copy_buffer(adev, entity, to_vram ? gart : direct,
				       to_vram ? direct : gart,
				       n * PAGE_SIZE, NULL, &next, true, 0);
		if (r)
			break;
		amdgpu_gem_svm_fences_add(&kept, next);
		sys += n;
		vram += n;
		npages -= n;
	}
	mutex_unlock(&entity->lock);
	amdgpu_gem_svm_fences_wait(&kept);
	r = r ?: kept.error;
	if (r)
		dev_err(adev->dev, "svm: SDMA copy failed (%d)\n", r);
	return r;
}
