/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * amdgpu SVM attribute tree: the user-set attributes of a process's
 * address space, kept apart from the physical drm_gpusvm ranges.
 *
 * Copyright 2026 The amdgpu-svm authors
 */
#ifndef _AMDGPU_SVM_ATTR_H_
#define _AMDGPU_SVM_ATTR_H_

#include <linux/interval_tree.h>
#include <linux/rbtree.h>
#include <linux/mutex.h>
#include <linux/types.h>

/** Most GPUs one process can use (bits of &amdgpu_svm_attrs.access). */
#define AMDGPU_SVM_MAX_GPUS		64
/** Default granularity: log2 pages (2 MiB with 4 KiB pages), as KFD. */
#define AMDGPU_SVM_DEFAULT_GRANULARITY	9
/** Spare nodes kept for clears from the MMU notifier. */
#define AMDGPU_SVM_ATTR_SPARES		4

/**
 * struct amdgpu_svm_attrs - the attributes of one page (and of an interval)
 *
 * GPUs are named by their index in the process (bit n of @access,
 * @access_in_place and @no_access is the process's GPU n); locations by
 * gpu_id or AMDGPU_SVM_LOCATION_SYSMEM / _UNDEFINED, as in the UAPI. A GPU
 * in none of the three access masks has the tree's default access, which
 * amdgpu_svm_attr_piece() adds when it reads the attributes: a GPU that
 * joins the process later, or a change of XNACK mode, reaches every page
 * no SET_ATTR named that GPU for.
 */
struct amdgpu_svm_attrs {
	/** @preferred_loc: AMDGPU_SVM_ATTR_PREFERRED_LOC value. */
	u32 preferred_loc;
	/** @prefetch_loc: AMDGPU_SVM_ATTR_PREFETCH_LOC value. */
	u32 prefetch_loc;
	/** @access: GPUs with AMDGPU_SVM_ATTR_ACCESS. */
	u64 access;
	/** @access_in_place: GPUs with AMDGPU_SVM_ATTR_ACCESS_IN_PLACE. */
	u64 access_in_place;
	/** @no_access: GPUs with AMDGPU_SVM_ATTR_NO_ACCESS. */
	u64 no_access;
	/** @flags: AMDGPU_SVM_FLAG_* bits. */
	u32 flags;
	/** @granularity: log2 of the granularity in pages. */
	u32 granularity;
};

/**
 * struct amdgpu_svm_attr_get - attributes aggregated over a span (GET_ATTR)
 */
struct amdgpu_svm_attr_get {
	/** @preferred_loc: common value, or UNDEFINED if they differ. */
	u32 preferred_loc;
	/** @prefetch_loc: common value, or UNDEFINED if they differ. */
	u32 prefetch_loc;
	/** @access: GPUs with ACCESS on every page. */
	u64 access;
	/** @access_in_place: GPUs with ACCESS_IN_PLACE on every page. */
	u64 access_in_place;
	/** @set_flags: flags set on every page (AND). */
	u32 set_flags;
	/** @clr_flags: flags clear on every page (NOR). */
	u32 clr_flags;
	/** @granularity: the minimum. */
	u32 granularity;
};

/**
 * struct amdgpu_svm_attr_op - one resolved SET_ATTR entry
 *
 * As &drm_amdgpu_svm_attribute, with the gpu_id of the access types
 * already turned into the process's GPU index.
 */
struct amdgpu_svm_attr_op {
	/** @type: AMDGPU_SVM_ATTR_*. */
	u32 type;
	/** @value: the value; a GPU index for the access types. */
	u32 value;
};

/**
 * struct amdgpu_svm_attr_range - one interval of equal attributes
 */
struct amdgpu_svm_attr_range {
	/** @it: [start, last] in bytes, in &amdgpu_svm_attr_tree.root. */
	struct interval_tree_node it;
	/** @attrs: the attributes of every page of the interval. */
	struct amdgpu_svm_attrs attrs;
};

/**
 * struct amdgpu_svm_attr_tree - the attributes of one process
 *
 * Pages in no interval have @defaults. Neighbouring intervals never have
 * equal attributes (they are merged).
 */
struct amdgpu_svm_attr_tree {
	/**
	 * @lock: protects everything below; taken inside the mmap_lock by
	 * the MMU notifier (munmap clears attributes there), so nothing
	 * under it allocates memory that may recurse into reclaim.
	 */
	struct mutex lock;
	/** @root: the intervals. */
	struct rb_root_cached root;
	/** @defaults: attributes of pages in no interval (no access named). */
	struct amdgpu_svm_attrs defaults;
	/**
	 * @default_access: GPUs a page can be accessed by when its attributes
	 * do not name them (XNACK on: every GPU of the process; off: none).
	 */
	u64 default_access;
	/** @spare: preallocated nodes for amdgpu_svm_attr_clear(). */
	struct amdgpu_svm_attr_range *spare[AMDGPU_SVM_ATTR_SPARES];
	/** @nspare: valid entries of @spare. */
	unsigned int nspare;
	/**
	 * @stale_start: first byte of a span munmap could not clear for
	 * lack of memory (amdgpu_svm_attr_take_stale()).
	 */
	unsigned long stale_start;
	/** @stale_end: its end; @stale_start == @stale_end: none. */
	unsigned long stale_end;
	/**
	 * @clears: spans whose attributes munmap cleared so far, written
	 * under @lock (amdgpu_svm_attr_clears()).
	 */
	unsigned long clears;
};

/**
 * amdgpu_svm_attr_clears() - how many spans munmap cleared so far
 * @tree: the tree
 *
 * A mapping reads it before an attribute piece and again once it found
 * the VMA it maps: a different count means the CPU may have unmapped the
 * piece and mapped new memory there, which the attributes it read do not
 * describe, so it reads them again.
 *
 * Return: the count.
 */
static inline unsigned long
amdgpu_svm_attr_clears(const struct amdgpu_svm_attr_tree *tree)
{
	return READ_ONCE(tree->clears);
}

void amdgpu_svm_attr_tree_init(struct amdgpu_svm_attr_tree *tree);
void amdgpu_svm_attr_tree_fini(struct amdgpu_svm_attr_tree *tree);
void amdgpu_svm_attr_set_default_access(struct amdgpu_svm_attr_tree *tree,
					u64 access);
int amdgpu_svm_attr_refill(struct amdgpu_svm_attr_tree *tree);
int amdgpu_svm_attr_set(struct amdgpu_svm_attr_tree *tree,
			unsigned long start, unsigned long end,
			const struct amdgpu_svm_attr_op *ops, unsigned int nops);
int amdgpu_svm_attr_clear(struct amdgpu_svm_attr_tree *tree,
			  unsigned long start, unsigned long end, bool blockable);
bool amdgpu_svm_attr_take_stale(struct amdgpu_svm_attr_tree *tree,
				unsigned long *start, unsigned long *end);

/**
 * amdgpu_svm_attr_has_stale() - may amdgpu_svm_attr_take_stale() find a span
 * @tree: the tree
 *
 * A look without the lock, to spare the caller the mmap_lock when there
 * is nothing to clear.
 *
 * Return: true if a munmap left attributes it could not clear.
 */
static inline bool
amdgpu_svm_attr_has_stale(const struct amdgpu_svm_attr_tree *tree)
{
	return READ_ONCE(tree->stale_start) != READ_ONCE(tree->stale_end);
}

void amdgpu_svm_attr_get(struct amdgpu_svm_attr_tree *tree,
			 unsigned long start, unsigned long end,
			 struct amdgpu_svm_attr_get *out);
unsigned long amdgpu_svm_attr_piece(struct amdgpu_svm_attr_tree *tree,
				    unsigned long addr, unsigned long end,
				    unsigned long *piece_start,
				    struct amdgpu_svm_attrs *attrs);
void amdgpu_svm_attr_forget_gpu(struct amdgpu_svm_attr_tree *tree,
				unsigned int idx, u32 gpu_id);
void amdgpu_svm_attr_forget_all(struct amdgpu_svm_attr_tree *tree);
bool amdgpu_svm_attr_any(struct amdgpu_svm_attr_tree *tree,
			 unsigned long start, unsigned long end);
unsigned int amdgpu_svm_attr_count(struct amdgpu_svm_attr_tree *tree);
size_t amdgpu_svm_attr_bytes(unsigned int count);

#endif /* _AMDGPU_SVM_ATTR_H_ */
