// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * amdgpu SVM attribute tree.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: Attribute tree
 *
 * What userspace set with AMDGPU_SVM_OP_SET_ATTR lives in one interval tree
 * per process (&amdgpu_svm_attr_tree), apart from the drm_gpusvm ranges: a
 * range is only a physical mapping chunk and may be destroyed and rebuilt
 * with another size at any time; the attributes stay.
 *
 * SET_ATTR splits the intervals it overlaps at the span's head and tail,
 * fills the holes inside the span with default-valued intervals, applies
 * the operations to every interval of the span and merges equal
 * neighbours, so the tree stays the smallest exact description. munmap
 * clears the span (amdgpu_svm_attr_clear(), from the MMU notifier). GET
 * aggregates over the intervals and the holes of a span with KFD's rules
 * for mixed values.
 *
 * The tree has its own mutex, because munmap clears attributes from the
 * MMU notifier, inside the mmap_lock and possibly on the way of reclaim:
 * the SVM lock, outside the mmap_lock, cannot be taken there. Memory is
 * therefore allocated outside the tree lock: amdgpu_svm_attr_set() counts
 * what it may need, allocates and retries if the tree changed meanwhile;
 * a clear needs at most one new node and takes it with GFP_NOWAIT or from
 * a small pool of spares refilled from process context
 * (amdgpu_svm_attr_refill()); when neither has one, the interval stays
 * whole, mapped pages around the hole keeping their attributes, and the
 * next SET_ATTR clears what is still unmapped there
 * (amdgpu_svm_attr_take_stale()). A SET_ATTR allocates one node per hole
 * in its span and two for its ends, the array of them with kvmalloc (a
 * span of a million holes needs 8 MiB of pointers). Nodes are charged to
 * the memory cgroup of the caller (__GFP_ACCOUNT): a process that splits
 * its memory into millions of intervals pays for them, and gets them back
 * at munmap and when its SVM state goes.
 *
 * A walk over many intervals (a SET_ATTR or munmap over a large span, a
 * GPU leaving the process) reschedules every AMDGPU_SVM_ATTR_BATCH
 * intervals: a sleeping lock lets it, so its length costs the caller's
 * time, never a CPU held with preemption off. Only the notifier's
 * non-blocking calls (the OOM reaper) do not wait: the clear returns
 * -EAGAIN when the lock is taken, as drm_gpusvm's notifiers do.
 */

/* Intervals walked between two rescheduling points. */
#define AMDGPU_SVM_ATTR_BATCH	64

#include <linux/export.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <drm/amdgpu_svm_drm.h>

#include "amdgpu_svm_attr.h"
#include "amdgpu_svm_priv.h"

#define to_attr_range(node) \
	container_of(node, struct amdgpu_svm_attr_range, it)

static struct amdgpu_svm_attr_range *
attr_first(struct amdgpu_svm_attr_tree *tree, unsigned long start,
	   unsigned long last)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&tree->root, start, last);
	return node ? to_attr_range(node) : NULL;
}

static struct amdgpu_svm_attr_range *
attr_next(struct amdgpu_svm_attr_range *r, unsigned long start,
	  unsigned long last)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_next(&r->it, start, last);
	return node ? to_attr_range(node) : NULL;
}

/* Count one interval of a walk; reschedule every AMDGPU_SVM_ATTR_BATCH. */
static void attr_walked(unsigned int *n)
{
	if (!(++*n % AMDGPU_SVM_ATTR_BATCH))
		cond_resched();
}

static bool attrs_equal(const struct amdgpu_svm_attrs *a,
			const struct amdgpu_svm_attrs *b)
{
	return a->preferred_loc == b->preferred_loc &&
	       a->prefetch_loc == b->prefetch_loc &&
	       a->access == b->access &&
	       a->access_in_place == b->access_in_place &&
	       a->no_access == b->no_access &&
	       a->flags == b->flags &&
	       a->granularity == b->granularity;
}

/**
 * amdgpu_svm_attr_tree_init() - initialize an empty attribute tree
 * @tree: the tree
 *
 * Defaults as KFD: no preferred or prefetch location, HOST_ACCESS and
 * COHERENT, granularity 2 MiB, no GPU access (see
 * amdgpu_svm_attr_set_default_access() for XNACK on).
 *
 * Context: any.
 */
void amdgpu_svm_attr_tree_init(struct amdgpu_svm_attr_tree *tree)
{
	mutex_init(&tree->lock);
	tree->root = RB_ROOT_CACHED;
	tree->defaults = (struct amdgpu_svm_attrs) {
		.preferred_loc = AMDGPU_SVM_LOCATION_UNDEFINED,
		.prefetch_loc = AMDGPU_SVM_LOCATION_UNDEFINED,
		.flags = AMDGPU_SVM_FLAG_HOST_ACCESS | AMDGPU_SVM_FLAG_COHERENT,
		.granularity = AMDGPU_SVM_DEFAULT_GRANULARITY,
	};
	tree->default_access = 0;
	tree->nspare = 0;
	tree->stale_start = 0;
	tree->stale_end = 0;
	tree->clears = 0;
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_tree_init);

/**
 * amdgpu_svm_attr_tree_fini() - free every interval and spare
 * @tree: the tree, no longer used by anyone
 *
 * Context: any (the process is freed from an SRCU callback); does not
 * sleep.
 */
void amdgpu_svm_attr_tree_fini(struct amdgpu_svm_attr_tree *tree)
{
	struct amdgpu_svm_attr_range *r;

	while ((r = attr_first(tree, 0, ULONG_MAX))) {
		interval_tree_remove(&r->it, &tree->root);
		kfree(r);
	}
	while (tree->nspare)
		kfree(tree->spare[--tree->nspare]);
	mutex_destroy(&tree->lock);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_tree_fini);

/**
 * amdgpu_svm_attr_set_default_access() - set which GPUs a page is
 * accessible by where its attributes do not name them
 * @tree: the tree
 * @access: GPU index bits (XNACK on: every GPU of the process; off: 0)
 *
 * Applies to every page at once, also to intervals set before: nothing
 * stores the default in them.
 *
 * Context: process context, may sleep; takes the tree lock.
 */
void amdgpu_svm_attr_set_default_access(struct amdgpu_svm_attr_tree *tree,
					u64 access)
{
	mutex_lock(&tree->lock);
	tree->default_access = access;
	mutex_unlock(&tree->lock);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_set_default_access);

/**
 * amdgpu_svm_attr_refill() - refill the spare nodes used by clears
 * @tree: the tree
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM.
 */
int amdgpu_svm_attr_refill(struct amdgpu_svm_attr_tree *tree)
{
	struct amdgpu_svm_attr_range *r;

	for (;;) {
		mutex_lock(&tree->lock);
		if (tree->nspare == AMDGPU_SVM_ATTR_SPARES) {
			mutex_unlock(&tree->lock);
			return 0;
		}
		mutex_unlock(&tree->lock);

		r = kzalloc_obj(*r, GFP_KERNEL_ACCOUNT);
		if (!r)
			return -ENOMEM;

		mutex_lock(&tree->lock);
		if (tree->nspare < AMDGPU_SVM_ATTR_SPARES) {
			tree->spare[tree->nspare++] = r;
			r = NULL;
		}
		mutex_unlock(&tree->lock);
		kfree(r);
	}
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_refill);

/* A node for a clear: GFP_NOWAIT first, then a spare. */
static struct amdgpu_svm_attr_range *
attr_alloc_atomic(struct amdgpu_svm_attr_tree *tree)
{
	struct amdgpu_svm_attr_range *r;

	lockdep_assert_held(&tree->lock);

	if (amdgpu_svm_should_fail(AMDGPU_SVM_FAIL_ATTR_SPLIT))
		return NULL;
	r = kzalloc_obj(*r, GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN);
	if (!r && tree->nspare)
		r = tree->spare[--tree->nspare];
	return r;
}

/*
 * Split the interval containing @addr (if it starts before @addr) into
 * [start, addr - 1] and [addr, last], the second being @fresh. Return
 * whether @fresh was used.
 */
static bool attr_split(struct amdgpu_svm_attr_tree *tree, unsigned long addr,
		       struct amdgpu_svm_attr_range *fresh)
{
	struct amdgpu_svm_attr_range *r;

	lockdep_assert_held(&tree->lock);

	r = attr_first(tree, addr, addr);
	if (!r || r->it.start == addr)
		return false;

	interval_tree_remove(&r->it, &tree->root);
	fresh->it.start = addr;
	fresh->it.last = r->it.last;
	fresh->attrs = r->attrs;
	r->it.last = addr - 1;
	interval_tree_insert(&r->it, &tree->root);
	interval_tree_insert(&fresh->it, &tree->root);
	return true;
}

/* Merge equal neighbours among the intervals touching [start, last]. */
static void attr_merge(struct amdgpu_svm_attr_tree *tree, unsigned long start,
		       unsigned long last)
{
	struct amdgpu_svm_attr_range *prev = NULL, *r, *next;
	unsigned int n = 0;

	lockdep_assert_held(&tree->lock);

	if (start)
		start--;
	if (last != ULONG_MAX)
		last++;

	for (r = attr_first(tree, start, last); r; r = next) {
		next = attr_next(r, start, last);
		attr_walked(&n);
		if (prev && prev->it.last + 1 == r->it.start &&
		    attrs_equal(&prev->attrs, &r->attrs)) {
			interval_tree_remove(&r->it, &tree->root);
			interval_tree_remove(&prev->it, &tree->root);
			prev->it.last = r->it.last;
			interval_tree_insert(&prev->it, &tree->root);
			kfree(r);
			continue;
		}
		prev = r;
	}
}

static void attr_apply(struct amdgpu_svm_attrs *attrs,
		       const struct amdgpu_svm_attr_op *ops, unsigned int nops)
{
	unsigned int i;

	for (i = 0; i < nops; i++) {
		u64 bit = BIT_ULL(ops[i].value % AMDGPU_SVM_MAX_GPUS);

		switch (ops[i].type) {
		case AMDGPU_SVM_ATTR_PREFERRED_LOC:
			attrs->preferred_loc = ops[i].value;
			break;
		case AMDGPU_SVM_ATTR_PREFETCH_LOC:
			attrs->prefetch_loc = ops[i].value;
			break;
		case AMDGPU_SVM_ATTR_ACCESS:
			attrs->access |= bit;
			attrs->access_in_place &= ~bit;
			attrs->no_access &= ~bit;
			break;
		case AMDGPU_SVM_ATTR_ACCESS_IN_PLACE:
			attrs->access &= ~bit;
			attrs->access_in_place |= bit;
			attrs->no_access &= ~bit;
			break;
		case AMDGPU_SVM_ATTR_NO_ACCESS:
			attrs->access &= ~bit;
			attrs->access_in_place &= ~bit;
			attrs->no_access |= bit;
			break;
		case AMDGPU_SVM_ATTR_SET_FLAGS:
			attrs->flags |= ops[i].value;
			break;
		case AMDGPU_SVM_ATTR_CLR_FLAGS:
			attrs->flags &= ~ops[i].value;
			break;
		case AMDGPU_SVM_ATTR_GRANULARITY:
			attrs->granularity = ops[i].value;
			break;
		}
	}
}

/*
 * The nodes a SET_ATTR of [@start, @last] needs: one per hole between the
 * intervals there (filled with defaults) and two for the splits at the
 * span's ends.
 */
static unsigned long attr_count_need(struct amdgpu_svm_attr_tree *tree,
				     unsigned long start, unsigned long last)
{
	struct amdgpu_svm_attr_range *r;
	unsigned long need = 2, addr = start;
	unsigned int n = 0;

	for (r = attr_first(tree, start, last); r;
	     r = attr_next(r, start, last)) {
		attr_walked(&n);
		if (r->it.start > addr)
			need++;
		if (r->it.last >= last)
			return need;
		addr = r->it.last + 1;
	}
	return need + 1;
}

/**
 * amdgpu_svm_attr_set() - apply SET_ATTR operations to a span
 * @tree: the tree
 * @start: first byte, page aligned
 * @end: one past the last byte, page aligned, > @start
 * @ops: the operations, applied in order to every page of the span
 * @nops: number of @ops
 *
 * Splits at the head and tail, fills holes with defaults, applies @ops and
 * merges equal neighbours. On failure the tree still describes the same
 * attributes as before.
 *
 * Context: process context, may sleep (allocates); takes the tree lock.
 * Return: 0, or -ENOMEM.
 */
int amdgpu_svm_attr_set(struct amdgpu_svm_attr_tree *tree,
			unsigned long start, unsigned long end,
			const struct amdgpu_svm_attr_op *ops, unsigned int nops)
{
	struct amdgpu_svm_attr_range **pool = NULL, **grown, *r, *next;
	unsigned long last = end - 1, addr, need, have = 0, used = 0;
	unsigned int walked = 0;
	int ret = 0;

	for (;;) {
		mutex_lock(&tree->lock);
		need = attr_count_need(tree, start, last);
		if (need <= have)
			break;
		mutex_unlock(&tree->lock);

		/* A span of many holes needs a large array: kvmalloc. */
		grown = kvmalloc_array(need, sizeof(*pool), GFP_KERNEL);
		if (!grown) {
			ret = -ENOMEM;
			goto out_free;
		}
		if (have)
			memcpy(grown, pool, have * sizeof(*pool));
		kvfree(pool);
		pool = grown;
		while (have < need) {
			pool[have] = kzalloc_obj(*r, GFP_KERNEL_ACCOUNT);
			if (!pool[have]) {
				ret = -ENOMEM;
				goto out_free;
			}
			have++;
		}
	}

	if (attr_split(tree, start, pool[used]))
		used++;
	if (end && attr_split(tree, end, pool[used]))
		used++;

	/* Fill the holes: every interval now lies inside [start, last]. */
	addr = start;
	for (r = attr_first(tree, start, last); r; r = next) {
		next = attr_next(r, start, last);
		attr_walked(&walked);
		if (r->it.start > addr) {
			struct amdgpu_svm_attr_range *hole = pool[used++];

			hole->it.start = addr;
			hole->it.last = r->it.start - 1;
			hole->attrs = tree->defaults;
			interval_tree_insert(&hole->it, &tree->root);
		}
		addr = r->it.last + 1;
	}
	if (addr <= last) {
		struct amdgpu_svm_attr_range *hole = pool[used++];

		hole->it.start = addr;
		hole->it.last = last;
		hole->attrs = tree->defaults;
		interval_tree_insert(&hole->it, &tree->root);
	}

	for (r = attr_first(tree, start, last); r; r = attr_next(r, start, last)) {
		attr_apply(&r->attrs, ops, nops);
		attr_walked(&walked);
	}

	attr_merge(tree, start, last);
	mutex_unlock(&tree->lock);

out_free:
	while (used < have)
		kfree(pool[used++]);
	kvfree(pool);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_set);

/**
 * amdgpu_svm_attr_clear() - forget the attributes of a span (munmap)
 * @tree: the tree
 * @start: first byte
 * @end: one past the last byte, > @start
 *
 * @blockable: the caller may sleep (mmu_notifier_range_blockable())
 *
 * Pages of the span get the defaults again. Needs at most one new node, to
 * split an interval around the span; if neither GFP_NOWAIT nor a spare
 * provides it, the interval stays whole, so that the pages around the
 * span, still mapped, keep their attributes, and the span is remembered
 * as stale (amdgpu_svm_attr_take_stale()): memory mapped there before
 * the next SET_ATTR gets these attributes. A notice is printed.
 *
 * Context: the MMU notifier, or process context; sleeps only if
 * @blockable.
 * Return: 0, or -EAGAIN if !@blockable and the tree is locked (nothing
 * was cleared).
 */
int amdgpu_svm_attr_clear(struct amdgpu_svm_attr_tree *tree,
			  unsigned long start, unsigned long end, bool blockable)
{
	struct amdgpu_svm_attr_range *r, *next;
	unsigned long last = end - 1;
	unsigned int n = 0;

	if (!blockable) {
		if (!mutex_trylock(&tree->lock))
			return -EAGAIN;
	} else {
		mutex_lock(&tree->lock);
	}
	r = attr_first(tree, start, last);
	if (!r)
		goto out_unlock;
	WRITE_ONCE(tree->clears, tree->clears + 1);

	/* One interval around the whole span: keep its head, add its tail. */
	if (r->it.start < start && r->it.last > last) {
		struct amdgpu_svm_attr_range *tail = attr_alloc_atomic(tree);

		if (!tail) {
			pr_notice_ratelimited("amdgpu_svm: no memory to split attributes at 0x%lx-0x%lx: they stay until the next SET_ATTR\n",
					      start, end);
			if (tree->stale_start == tree->stale_end) {
				WRITE_ONCE(tree->stale_start, start);
				WRITE_ONCE(tree->stale_end, end);
			} else {
				WRITE_ONCE(tree->stale_start,
					   min(tree->stale_start, start));
				WRITE_ONCE(tree->stale_end,
					   max(tree->stale_end, end));
			}
			goto out_unlock;
		}
		interval_tree_remove(&r->it, &tree->root);
		tail->it.start = end;
		tail->it.last = r->it.last;
		tail->attrs = r->attrs;
		r->it.last = start - 1;
		interval_tree_insert(&r->it, &tree->root);
		interval_tree_insert(&tail->it, &tree->root);
		goto out_unlock;
	}

	for (; r; r = next) {
		next = attr_next(r, start, last);
		if (blockable)
			attr_walked(&n);
		interval_tree_remove(&r->it, &tree->root);
		if (r->it.start < start) {
			r->it.last = start - 1;
			interval_tree_insert(&r->it, &tree->root);
		} else if (r->it.last > last) {
			r->it.start = end;
			interval_tree_insert(&r->it, &tree->root);
		} else {
			kfree(r);
		}
	}

out_unlock:
	mutex_unlock(&tree->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_clear);

/**
 * amdgpu_svm_attr_take_stale() - the span whose unmapped parts may still
 * hold attributes
 * @tree: the tree
 * @start: set to its first byte
 * @end: set to one past its last byte
 *
 * The span covers every clear that kept an interval whole for lack of
 * memory (amdgpu_svm_attr_clear()) since the last call, and is forgotten
 * here: the caller, holding the mmap_lock so that no VMA appears
 * meanwhile, clears what of it no VMA maps (a munmap that runs meanwhile,
 * on the read lock it downgrades to, clears its span itself or records it
 * again).
 *
 * Context: process context, may sleep; takes the tree lock.
 * Return: false when there is no such span.
 */
bool amdgpu_svm_attr_take_stale(struct amdgpu_svm_attr_tree *tree,
				unsigned long *start, unsigned long *end)
{
	mutex_lock(&tree->lock);
	*start = tree->stale_start;
	*end = tree->stale_end;
	WRITE_ONCE(tree->stale_start, 0);
	WRITE_ONCE(tree->stale_end, 0);
	mutex_unlock(&tree->lock);
	return *start != *end;
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_take_stale);

/**
 * amdgpu_svm_attr_piece() - the attributes at an address
 * @tree: the tree
 * @addr: the address
 * @end: where the caller stops looking, > @addr
 * @piece_start: set to the first byte of the interval (or hole) holding
 *	@addr; may be below @addr
 * @attrs: set to its attributes
 *
 * Context: process context, may sleep; takes the tree lock.
 * Return: one past the last byte of that interval or hole, capped at @end.
 */
unsigned long amdgpu_svm_attr_piece(struct amdgpu_svm_attr_tree *tree,
				    unsigned long addr, unsigned long end,
				    unsigned long *piece_start,
				    struct amdgpu_svm_attrs *attrs)
{
	struct amdgpu_svm_attr_range *r, *before;
	struct rb_node *prev;
	unsigned long piece_end;

	mutex_lock(&tree->lock);
	r = attr_first(tree, addr, ULONG_MAX);
	if (r && r->it.start <= addr) {
		*piece_start = r->it.start;
		*attrs = r->attrs;
		piece_end = r->it.last == ULONG_MAX ? ULONG_MAX : r->it.last + 1;
	} else {
		/* A hole: from the interval before it to the one after. */
		prev = r ? rb_prev(&r->it.rb) : rb_last(&tree->root.rb_root);
		before = prev ? rb_entry(prev, struct amdgpu_svm_attr_range, it.rb) : NULL;
		*piece_start = before ? before->it.last + 1 : 0;
		*attrs = tree->defaults;
		piece_end = r ? r->it.start : ULONG_MAX;
	}
	attrs->access |= tree->default_access &
			 ~(attrs->access | attrs->access_in_place | attrs->no_access);
	mutex_unlock(&tree->lock);

	return min(piece_end, end);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_piece);

/**
 * amdgpu_svm_attr_get() - aggregate the attributes of a span (GET_ATTR)
 * @tree: the tree
 * @start: first byte
 * @end: one past the last byte, > @start
 * @out: the aggregate, by the rules of enum drm_amdgpu_svm_attr_type
 *
 * Holes inside the span count with the default attributes.
 *
 * Context: process context, may sleep; takes the tree lock.
 */
void amdgpu_svm_attr_get(struct amdgpu_svm_attr_tree *tree,
			 unsigned long start, unsigned long end,
			 struct amdgpu_svm_attr_get *out)
{
	struct amdgpu_svm_attrs a;
	unsigned long addr = start, piece_start;
	bool first = true;

	while (addr < end) {
		addr = amdgpu_svm_attr_piece(tree, addr, end, &piece_start, &a);
		if (first) {
			*out = (struct amdgpu_svm_attr_get) {
				.preferred_loc = a.preferred_loc,
				.prefetch_loc = a.prefetch_loc,
				.access = a.access,
				.access_in_place = a.access_in_place,
				.set_flags = a.flags,
				.clr_flags = ~a.flags,
				.granularity = a.granularity,
			};
			first = false;
			continue;
		}
		if (out->preferred_loc != a.preferred_loc)
			out->preferred_loc = AMDGPU_SVM_LOCATION_UNDEFINED;
		if (out->prefetch_loc != a.prefetch_loc)
			out->prefetch_loc = AMDGPU_SVM_LOCATION_UNDEFINED;
		out->access &= a.access;
		out->access_in_place &= a.access_in_place;
		out->set_flags &= a.flags;
		out->clr_flags &= ~a.flags;
		out->granularity = min(out->granularity, a.granularity);
	}
	out->clr_flags &= AMDGPU_SVM_FLAGS_ALL;
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_get);

/**
 * amdgpu_svm_attr_forget_gpu() - drop a GPU from every interval
 * @tree: the tree
 * @idx: the GPU index leaving the process
 * @gpu_id: its gpu_id
 *
 * Its access bits go, and locations naming it become undefined: SET_ATTR
 * could not name it any more, and GET_ATTR must not either.
 *
 * Context: process context, may sleep; takes the tree lock.
 */
void amdgpu_svm_attr_forget_gpu(struct amdgpu_svm_attr_tree *tree,
				unsigned int idx, u32 gpu_id)
{
	struct amdgpu_svm_attr_range *r;
	u64 bit = BIT_ULL(idx);
	unsigned int n = 0;

	mutex_lock(&tree->lock);
	tree->default_access &= ~bit;
	for (r = attr_first(tree, 0, ULONG_MAX); r; r = attr_next(r, 0, ULONG_MAX)) {
		r->attrs.access &= ~bit;
		r->attrs.access_in_place &= ~bit;
		r->attrs.no_access &= ~bit;
		if (r->attrs.preferred_loc == gpu_id)
			r->attrs.preferred_loc = AMDGPU_SVM_LOCATION_UNDEFINED;
		if (r->attrs.prefetch_loc == gpu_id)
			r->attrs.prefetch_loc = AMDGPU_SVM_LOCATION_UNDEFINED;
		attr_walked(&n);
	}
	attr_merge(tree, 0, ULONG_MAX);
	mutex_unlock(&tree->lock);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_forget_gpu);

/**
 * amdgpu_svm_attr_forget_all() - drop every interval (no GPU is left)
 * @tree: the tree
 *
 * What the process set applied to GPUs it no longer has: a context that
 * joins later starts from the defaults, as one that finds no process
 * does. Reschedules on the way, as every long walk of the tree does.
 *
 * Context: process context, may sleep; takes the tree lock.
 */
void amdgpu_svm_attr_forget_all(struct amdgpu_svm_attr_tree *tree)
{
	struct amdgpu_svm_attr_range *r;
	unsigned int n = 0;

	mutex_lock(&tree->lock);
	while ((r = attr_first(tree, 0, ULONG_MAX))) {
		interval_tree_remove(&r->it, &tree->root);
		kfree(r);
		attr_walked(&n);
	}
	WRITE_ONCE(tree->stale_start, 0);
	WRITE_ONCE(tree->stale_end, 0);
	mutex_unlock(&tree->lock);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_forget_all);

/**
 * amdgpu_svm_attr_any() - whether SET_ATTR set attributes in a span
 * @tree: the tree
 * @start: first byte
 * @end: one past the last byte, > @start
 *
 * Context: process context, may sleep; takes the tree lock.
 * Return: true if an interval overlaps [@start, @end).
 */
bool amdgpu_svm_attr_any(struct amdgpu_svm_attr_tree *tree,
			 unsigned long start, unsigned long end)
{
	bool any;

	mutex_lock(&tree->lock);
	any = attr_first(tree, start, end - 1);
	mutex_unlock(&tree->lock);
	return any;
}

/**
 * amdgpu_svm_attr_count() - number of intervals (for tests and debugfs)
 * @tree: the tree
 *
 * Context: process context, may sleep; takes the tree lock.
 * Return: the number of intervals.
 */
unsigned int amdgpu_svm_attr_count(struct amdgpu_svm_attr_tree *tree)
{
	struct amdgpu_svm_attr_range *r;
	unsigned int n = 0;

	mutex_lock(&tree->lock);
	for (r = attr_first(tree, 0, ULONG_MAX); r;
	     r = attr_next(r, 0, ULONG_MAX))
		attr_walked(&n);
	mutex_unlock(&tree->lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_attr_count);

/**
 * amdgpu_svm_attr_bytes() - kernel memory of @count intervals (debugfs)
 * @count: intervals, as amdgpu_svm_attr_count() gives
 *
 * Return: the bytes, as allocated (slab object size).
 */
size_t amdgpu_svm_attr_bytes(unsigned int count)
{
	return count * kmalloc_size_roundup(sizeof(struct amdgpu_svm_attr_range));
}
