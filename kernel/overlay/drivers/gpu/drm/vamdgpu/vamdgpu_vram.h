/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_VRAM_H_
#define _VAMDGPU_VRAM_H_

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>

struct dev_pagemap;
struct drm_pagemap_addr;
struct page;
struct seq_file;
struct vamdgpu_device;
struct vamdgpu_vram;
struct vamdgpu_vram_block;

/**
 * struct vamdgpu_vram_block_ops - what the owner of a VRAM block provides
 */
struct vamdgpu_vram_block_ops {
	/**
	 * @evict: move the contents of @block out of VRAM and free it
	 * (optional; without it the block cannot be evicted)
	 * @block: the block
	 *
	 * Context: process context, may sleep; no vamdgpu lock held.
	 */
	void (*evict)(struct vamdgpu_vram_block *block);

	/**
	 * @release: free the owner's data of @block (optional)
	 * @block: the block, about to be freed
	 *
	 * Called once, when the allocation and every eviction in progress
	 * dropped their references; the pages are free again afterwards.
	 *
	 * Context: any, may be atomic; must not sleep.
	 */
	void (*release)(struct vamdgpu_vram_block *block);
};

/**
 * struct vamdgpu_vram_block - a run of contiguous VRAM pages
 */
struct vamdgpu_vram_block {
	/** @vram: the VRAM it belongs to. */
	struct vamdgpu_vram *vram;
	/** @link: in the VRAM's block list, for eviction. */
	struct list_head link;
	/** @ref: the allocation holds one, an eviction in progress another. */
	struct kref ref;
	/** @first: index of the first page in VRAM. */
	unsigned long first;
	/** @npages: number of pages. */
	unsigned long npages;
	/** @ops: the owner's callbacks; may be NULL. */
	const struct vamdgpu_vram_block_ops *ops;
	/** @priv: the owner's data. */
	void *priv;
	/** @evict_gen: the last eviction pass that tried this block. */
	u64 evict_gen;
};

int vamdgpu_vram_init(struct vamdgpu_device *vdev);
void vamdgpu_vram_fini(struct vamdgpu_device *vdev);

struct vamdgpu_vram_block *
vamdgpu_vram_alloc(struct vamdgpu_vram *vram, unsigned long npages,
		   const struct vamdgpu_vram_block_ops *ops, void *priv);
void vamdgpu_vram_free(struct vamdgpu_vram_block *block);
void vamdgpu_vram_block_publish(struct vamdgpu_vram_block *block,
				const struct vamdgpu_vram_block_ops *ops,
				void *priv);
int vamdgpu_vram_make_room(struct vamdgpu_vram *vram, unsigned long npages);
struct vamdgpu_vram_block *
vamdgpu_vram_alloc_evicting(struct vamdgpu_vram *vram, unsigned long npages);
struct page *vamdgpu_vram_block_page(const struct vamdgpu_vram_block *block,
				     unsigned long i);
u64 vamdgpu_vram_block_offset(const struct vamdgpu_vram_block *block,
			      unsigned long i);

void *vamdgpu_vram_owner(struct vamdgpu_vram *vram);
struct dev_pagemap *vamdgpu_vram_dev_pagemap(struct vamdgpu_vram *vram);
struct vamdgpu_vram *vamdgpu_vram_from_page(struct page *page);
u64 vamdgpu_vram_page_offset(struct page *page);
struct page *vamdgpu_vram_backing_page(struct vamdgpu_vram *vram, u64 offset);
/* Generations of VRAM blocks: 1 to VAMDGPU_VRAM_GEN_MAX, then 1 again. */
#define VAMDGPU_VRAM_GEN_MAX	4095
u16 vamdgpu_vram_page_gen(struct vamdgpu_vram *vram, u64 offset);

int vamdgpu_vram_copy_to_vram(struct vamdgpu_vram *vram, struct page **pages,
			      const struct drm_pagemap_addr *addrs,
			      unsigned long npages);
int vamdgpu_vram_copy_to_ram(struct vamdgpu_vram *vram, struct page **pages,
			     const struct drm_pagemap_addr *addrs,
			     unsigned long npages);

unsigned int vamdgpu_vram_evict_all(struct vamdgpu_vram *vram);
void vamdgpu_vram_show(struct vamdgpu_vram *vram, struct seq_file *m);

#endif /* _VAMDGPU_VRAM_H_ */
