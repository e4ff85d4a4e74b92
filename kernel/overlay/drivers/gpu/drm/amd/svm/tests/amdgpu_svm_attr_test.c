// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * KUnit tests for the amdgpu SVM attribute tree: split, merge, clear and
 * GET aggregation, table driven.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/module.h>
#include <drm/amdgpu_svm_drm.h>

#include "../amdgpu_svm_attr.h"
#include "../amdgpu_svm_priv.h"

#define PG(n)	((unsigned long)(n) * 0x1000UL)
#define DEF_FLAGS	(AMDGPU_SVM_FLAG_HOST_ACCESS | AMDGPU_SVM_FLAG_COHERENT)
#define UNDEF		AMDGPU_SVM_LOCATION_UNDEFINED

/* One step of a case: 'S' sets one attribute on [start, end), 'C' clears. */
struct attr_step {
	char kind;
	unsigned long start, end;
	u32 type, value;
};

struct attr_case {
	const char *name;
	struct attr_step steps[4];
	/* Intervals left in the tree. */
	unsigned int intervals;
	/* GET over [qstart, qend) must give @expect. */
	unsigned long qstart, qend;
	struct amdgpu_svm_attr_get expect;
};

#define CLR_OF(set)	(AMDGPU_SVM_FLAGS_ALL & ~(u32)(set))
#define EXPECT(pref, pf, acc, aip, setf, clrf, gran) {			\
	.preferred_loc = (pref), .prefetch_loc = (pf),			\
	.access = (acc), .access_in_place = (aip),			\
	.set_flags = (setf), .clr_flags = (clrf),			\
	.granularity = (gran) }
#define EXPECT_DEFAULT	EXPECT(UNDEF, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9)
#define SET(s, e, t, v)	{ 'S', PG(s), PG(e), AMDGPU_SVM_ATTR_##t, (v) }
#define CLR(s, e)	{ 'C', PG(s), PG(e), 0, 0 }

static const struct attr_case attr_cases[] = {
	{ "empty-tree-get-defaults", { }, 0, PG(0), PG(8), EXPECT_DEFAULT },
	{ "set-one-span", { SET(4, 8, PREFERRED_LOC, 1) }, 1,
	  PG(4), PG(8), EXPECT(1, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "get-over-hole-is-mixed", { SET(4, 8, PREFERRED_LOC, 1) }, 1,
	  PG(0), PG(8), EXPECT_DEFAULT },
	{ "get-inside-one-interval", { SET(0, 16, PREFETCH_LOC, 0) }, 1,
	  PG(3), PG(5), EXPECT(UNDEF, 0, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "split-head-and-tail",
	  { SET(0, 16, PREFERRED_LOC, 1), SET(4, 8, PREFERRED_LOC, 2) }, 3,
	  PG(4), PG(8), EXPECT(2, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "split-keeps-head",
	  { SET(0, 16, PREFERRED_LOC, 1), SET(4, 8, PREFERRED_LOC, 2) }, 3,
	  PG(0), PG(4), EXPECT(1, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "split-keeps-tail",
	  { SET(0, 16, PREFERRED_LOC, 1), SET(4, 8, PREFERRED_LOC, 2) }, 3,
	  PG(8), PG(16), EXPECT(1, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "split-at-head-only",
	  { SET(0, 16, GRANULARITY, 4), SET(0, 8, GRANULARITY, 5) }, 2,
	  PG(0), PG(16), EXPECT(UNDEF, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 4) },
	{ "merge-equal-neighbours",
	  { SET(0, 4, PREFERRED_LOC, 1), SET(4, 8, PREFERRED_LOC, 1) }, 1,
	  PG(0), PG(8), EXPECT(1, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "merge-after-revert",
	  { SET(0, 16, PREFERRED_LOC, 1), SET(4, 8, PREFERRED_LOC, 2),
	    SET(4, 8, PREFERRED_LOC, 1) }, 1,
	  PG(0), PG(16), EXPECT(1, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "no-merge-across-gap",
	  { SET(0, 4, PREFERRED_LOC, 1), SET(6, 8, PREFERRED_LOC, 1) }, 2,
	  PG(0), PG(8), EXPECT_DEFAULT },
	{ "set-bridges-gap-and-merges",
	  { SET(0, 4, PREFERRED_LOC, 1), SET(6, 8, PREFERRED_LOC, 1),
	    SET(2, 7, PREFERRED_LOC, 1) }, 1,
	  PG(0), PG(8), EXPECT(1, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "set-over-holes-fills-them",
	  { SET(0, 2, PREFERRED_LOC, 1), SET(4, 6, PREFERRED_LOC, 2),
	    SET(0, 8, GRANULARITY, 5) }, 4,
	  PG(0), PG(8), EXPECT(UNDEF, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 5) },
	{ "clear-middle",
	  { SET(0, 16, PREFERRED_LOC, 1), CLR(4, 8) }, 2,
	  PG(4), PG(8), EXPECT_DEFAULT },
	{ "clear-middle-keeps-head",
	  { SET(0, 16, PREFERRED_LOC, 1), CLR(4, 8) }, 2,
	  PG(0), PG(4), EXPECT(1, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "clear-middle-keeps-tail",
	  { SET(0, 16, PREFERRED_LOC, 1), CLR(4, 8) }, 2,
	  PG(8), PG(16), EXPECT(1, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "clear-head", { SET(0, 16, PREFERRED_LOC, 1), CLR(0, 4) }, 1,
	  PG(0), PG(4), EXPECT_DEFAULT },
	{ "clear-tail", { SET(0, 16, PREFERRED_LOC, 1), CLR(12, 16) }, 1,
	  PG(4), PG(12), EXPECT(1, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "clear-all", { SET(0, 16, PREFERRED_LOC, 1), CLR(0, 16) }, 0,
	  PG(0), PG(16), EXPECT_DEFAULT },
	{ "clear-over-several",
	  { SET(0, 2, PREFERRED_LOC, 1), SET(4, 6, PREFERRED_LOC, 2),
	    SET(8, 10, PREFERRED_LOC, 3), CLR(1, 9) }, 2,
	  PG(9), PG(10), EXPECT(3, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "clear-nothing", { CLR(0, 16) }, 0, PG(0), PG(1), EXPECT_DEFAULT },
	{ "flags-and-over-span",
	  { SET(0, 4, SET_FLAGS, AMDGPU_SVM_FLAG_GPU_RO) }, 1,
	  PG(0), PG(8), {
		.preferred_loc = UNDEF, .prefetch_loc = UNDEF,
		.set_flags = DEF_FLAGS,
		.clr_flags = AMDGPU_SVM_FLAGS_ALL &
			     ~(DEF_FLAGS | AMDGPU_SVM_FLAG_GPU_RO),
		.granularity = 9 } },
	{ "flags-set-everywhere",
	  { SET(0, 8, SET_FLAGS, AMDGPU_SVM_FLAG_GPU_EXEC) }, 1,
	  PG(0), PG(8),
	  EXPECT(UNDEF, UNDEF, 0, 0, DEF_FLAGS | AMDGPU_SVM_FLAG_GPU_EXEC,
		 CLR_OF(DEF_FLAGS | AMDGPU_SVM_FLAG_GPU_EXEC), 9) },
	{ "flags-clear",
	  { SET(0, 8, CLR_FLAGS, AMDGPU_SVM_FLAG_HOST_ACCESS) }, 1,
	  PG(0), PG(8), EXPECT(UNDEF, UNDEF, 0, 0, AMDGPU_SVM_FLAG_COHERENT,
			       CLR_OF(AMDGPU_SVM_FLAG_COHERENT), 9) },
	{ "flags-nor-mixed",
	  { SET(0, 4, CLR_FLAGS, AMDGPU_SVM_FLAG_HOST_ACCESS),
	    SET(4, 8, CLR_FLAGS, AMDGPU_SVM_FLAG_COHERENT) }, 2,
	  PG(0), PG(8), {
		.preferred_loc = UNDEF, .prefetch_loc = UNDEF,
		.set_flags = 0,
		.clr_flags = AMDGPU_SVM_FLAGS_ALL & ~DEF_FLAGS,
		.granularity = 9 } },
	{ "granularity-min",
	  { SET(0, 4, GRANULARITY, 3), SET(4, 8, GRANULARITY, 12) }, 2,
	  PG(0), PG(8), EXPECT(UNDEF, UNDEF, 0, 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 3) },
	{ "access-everywhere", { SET(0, 8, ACCESS, 0) }, 1,
	  PG(0), PG(8), EXPECT(UNDEF, UNDEF, BIT(0), 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "access-mixed-is-none",
	  { SET(0, 8, ACCESS, 0), SET(4, 8, ACCESS_IN_PLACE, 0) }, 2,
	  PG(0), PG(8), EXPECT_DEFAULT },
	{ "access-in-place-everywhere", { SET(0, 8, ACCESS_IN_PLACE, 1) }, 1,
	  PG(0), PG(8), EXPECT(UNDEF, UNDEF, 0, BIT(1), DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "no-access-splits",
	  { SET(0, 8, ACCESS, 0), SET(2, 4, NO_ACCESS, 0) }, 3,
	  PG(4), PG(8), EXPECT(UNDEF, UNDEF, BIT(0), 0, DEF_FLAGS, CLR_OF(DEF_FLAGS), 9) },
	{ "access-two-gpus",
	  { SET(0, 8, ACCESS, 0), SET(0, 8, ACCESS, 5) }, 1,
	  PG(0), PG(8), EXPECT(UNDEF, UNDEF, BIT(0) | BIT(5), 0, DEF_FLAGS,
			       CLR_OF(DEF_FLAGS), 9) },
	{ "prefetch-mixed",
	  { SET(0, 4, PREFETCH_LOC, 0), SET(4, 8, PREFETCH_LOC, 7) }, 2,
	  PG(0), PG(8), EXPECT_DEFAULT },
};

static void attr_case_desc(const struct attr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(attr, attr_cases, attr_case_desc);

static void attr_tree_cleanup(void *tree)
{
	amdgpu_svm_attr_tree_fini(tree);
}

static struct amdgpu_svm_attr_tree *attr_test_tree(struct kunit *test)
{
	struct amdgpu_svm_attr_tree *tree;

	tree = kunit_kzalloc(test, sizeof(*tree), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tree);
	amdgpu_svm_attr_tree_init(tree);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, attr_tree_cleanup, tree));
	return tree;
}

static void attr_test_case(struct kunit *test)
{
	const struct attr_case *c = test->param_value;
	struct amdgpu_svm_attr_tree *tree = attr_test_tree(test);
	struct amdgpu_svm_attr_get got;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c->steps) && c->steps[i].kind; i++) {
		const struct attr_step *s = &c->steps[i];
		struct amdgpu_svm_attr_op op = { s->type, s->value };

		if (s->kind == 'S')
			KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, s->start,
								     s->end, &op, 1));
		else
			amdgpu_svm_attr_clear(tree, s->start, s->end, true);
	}

	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), c->intervals);

	amdgpu_svm_attr_get(tree, c->qstart, c->qend, &got);
	KUNIT_EXPECT_EQ(test, got.preferred_loc, c->expect.preferred_loc);
	KUNIT_EXPECT_EQ(test, got.prefetch_loc, c->expect.prefetch_loc);
	KUNIT_EXPECT_EQ(test, got.access, c->expect.access);
	KUNIT_EXPECT_EQ(test, got.access_in_place, c->expect.access_in_place);
	KUNIT_EXPECT_EQ(test, got.set_flags, c->expect.set_flags);
	KUNIT_EXPECT_EQ(test, got.clr_flags, c->expect.clr_flags);
	KUNIT_EXPECT_EQ(test, got.granularity, c->expect.granularity);
}

/* The piece walker reports interval and hole bounds, unclipped at the start. */
static void attr_test_piece(struct kunit *test)
{
	struct amdgpu_svm_attr_tree *tree = attr_test_tree(test);
	struct amdgpu_svm_attr_op op = { AMDGPU_SVM_ATTR_PREFERRED_LOC, 1 };
	struct amdgpu_svm_attrs a;
	unsigned long ps, pe;

	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(4), PG(8), &op, 1));

	pe = amdgpu_svm_attr_piece(tree, PG(1), PG(100), &ps, &a);
	KUNIT_EXPECT_EQ(test, ps, 0UL);
	KUNIT_EXPECT_EQ(test, pe, PG(4));
	KUNIT_EXPECT_EQ(test, a.preferred_loc, UNDEF);

	pe = amdgpu_svm_attr_piece(tree, PG(5), PG(100), &ps, &a);
	KUNIT_EXPECT_EQ(test, ps, PG(4));
	KUNIT_EXPECT_EQ(test, pe, PG(8));
	KUNIT_EXPECT_EQ(test, a.preferred_loc, 1U);

	pe = amdgpu_svm_attr_piece(tree, PG(9), PG(100), &ps, &a);
	KUNIT_EXPECT_EQ(test, ps, PG(8));
	KUNIT_EXPECT_EQ(test, pe, PG(100));

	pe = amdgpu_svm_attr_piece(tree, PG(5), PG(6), &ps, &a);
	KUNIT_EXPECT_EQ(test, pe, PG(6));
}

/* Each clear inside one interval splits it (a node from NOWAIT or spares). */
static void attr_test_clear_punches_holes(struct kunit *test)
{
	struct amdgpu_svm_attr_tree *tree = attr_test_tree(test);
	struct amdgpu_svm_attr_op op = { AMDGPU_SVM_ATTR_GRANULARITY, 2 };
	unsigned int i;

	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_refill(tree));
	KUNIT_EXPECT_EQ(test, tree->nspare, AMDGPU_SVM_ATTR_SPARES);
	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(0), PG(64), &op, 1));

	/* Every hole punched in the middle adds one interval. */
	for (i = 0; i < 8; i++)
		amdgpu_svm_attr_clear(tree, PG(2 + 4 * i), PG(3 + 4 * i), true);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), 9U);
}

/* amdgpu_svm_should_fail(): no node for a munmap's split, from anywhere. */
static bool attr_test_no_split_node(enum amdgpu_svm_fail_point point)
{
	return point == AMDGPU_SVM_FAIL_ATTR_SPLIT;
}

/*
 * A munmap inside one interval that finds no node to split it with keeps
 * the interval whole: the pages around the hole, still mapped, keep their
 * attributes, and the hole is handed to the next SET_ATTR to clear.
 */
static void attr_test_clear_without_node(struct kunit *test)
{
	struct amdgpu_svm_attr_tree *tree = attr_test_tree(test);
	struct amdgpu_svm_attr_op ops[] = {
		{ AMDGPU_SVM_ATTR_GRANULARITY, 2 },
		{ AMDGPU_SVM_ATTR_ACCESS, 0 },
	};
	struct amdgpu_svm_attr_get got;
	unsigned long start, end;

	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_refill(tree));
	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(0), PG(64), ops,
						     ARRAY_SIZE(ops)));
	KUNIT_EXPECT_FALSE(test, amdgpu_svm_attr_take_stale(tree, &start, &end));

	kunit_activate_static_stub(test, amdgpu_svm_should_fail,
				   attr_test_no_split_node);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_clear(tree, PG(20), PG(21), true),
			0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_clear(tree, PG(8), PG(9), true),
			0);
	kunit_deactivate_static_stub(test, amdgpu_svm_should_fail);

	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), 1U);
	amdgpu_svm_attr_get(tree, PG(60), PG(64), &got);
	KUNIT_EXPECT_EQ(test, got.granularity, 2U);
	KUNIT_EXPECT_EQ(test, got.access, BIT_ULL(0));

	/* Both holes, once. */
	KUNIT_ASSERT_TRUE(test, amdgpu_svm_attr_take_stale(tree, &start, &end));
	KUNIT_EXPECT_EQ(test, start, PG(8));
	KUNIT_EXPECT_EQ(test, end, PG(21));
	KUNIT_EXPECT_FALSE(test, amdgpu_svm_attr_take_stale(tree, &start, &end));
}

/*
 * A GPU leaving the process loses its access bits and the locations
 * naming it (gpu_id 0x200 at index 1); equal neighbours merge.
 */
static void attr_test_forget_gpu(struct kunit *test)
{
	struct amdgpu_svm_attr_tree *tree = attr_test_tree(test);
	struct amdgpu_svm_attr_op op0 = { AMDGPU_SVM_ATTR_ACCESS, 0 };
	struct amdgpu_svm_attr_op op1[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, 1 },
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC, 0x200 },
		{ AMDGPU_SVM_ATTR_PREFETCH_LOC, 0x200 },
	};
	struct amdgpu_svm_attr_get got;

	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(0), PG(8), &op0, 1));
	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(4), PG(8), op1,
						     ARRAY_SIZE(op1)));
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), 2U);

	amdgpu_svm_attr_forget_gpu(tree, 1, 0x200);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), 1U);
	amdgpu_svm_attr_get(tree, PG(4), PG(8), &got);
	KUNIT_EXPECT_EQ(test, got.access, BIT_ULL(0));
	KUNIT_EXPECT_EQ(test, got.preferred_loc, AMDGPU_SVM_LOCATION_UNDEFINED);
	KUNIT_EXPECT_EQ(test, got.prefetch_loc, AMDGPU_SVM_LOCATION_UNDEFINED);
}

/* XNACK on: pages without attributes are accessible by every GPU. */
static void attr_test_default_access(struct kunit *test)
{
	struct amdgpu_svm_attr_tree *tree = attr_test_tree(test);
	struct amdgpu_svm_attr_op op = { AMDGPU_SVM_ATTR_NO_ACCESS, 1 };
	struct amdgpu_svm_attr_get got;

	amdgpu_svm_attr_set_default_access(tree, BIT_ULL(0) | BIT_ULL(1));
	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(4), PG(8), &op, 1));

	amdgpu_svm_attr_get(tree, PG(0), PG(4), &got);
	KUNIT_EXPECT_EQ(test, got.access, BIT_ULL(0) | BIT_ULL(1));
	amdgpu_svm_attr_get(tree, PG(0), PG(8), &got);
	KUNIT_EXPECT_EQ(test, got.access, BIT_ULL(0));
}

/*
 * XNACK on: a GPU that joins after attributes were set can access every
 * page that no SET_ATTR named it for, and not the pages it was refused.
 */
static void attr_test_default_access_late_gpu(struct kunit *test)
{
	struct amdgpu_svm_attr_tree *tree = attr_test_tree(test);
	struct amdgpu_svm_attr_op flags = { AMDGPU_SVM_ATTR_SET_FLAGS,
					    AMDGPU_SVM_FLAG_GPU_RO };
	struct amdgpu_svm_attr_op refuse = { AMDGPU_SVM_ATTR_NO_ACCESS, 1 };
	struct amdgpu_svm_attr_get got;

	amdgpu_svm_attr_set_default_access(tree, BIT_ULL(0));
	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(0), PG(8), &flags, 1));
	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(6), PG(8), &refuse, 1));
	/* GPU 1 joins: its default reaches the intervals set before. */
	amdgpu_svm_attr_set_default_access(tree, BIT_ULL(0) | BIT_ULL(1));

	amdgpu_svm_attr_get(tree, PG(0), PG(6), &got);
	KUNIT_EXPECT_EQ(test, got.access, BIT_ULL(0) | BIT_ULL(1));
	amdgpu_svm_attr_get(tree, PG(6), PG(8), &got);
	KUNIT_EXPECT_EQ(test, got.access, BIT_ULL(0));
	/* XNACK off: no default access, explicit access only. */
	amdgpu_svm_attr_set_default_access(tree, 0);
	amdgpu_svm_attr_get(tree, PG(0), PG(8), &got);
	KUNIT_EXPECT_EQ(test, got.access, 0ULL);
}

/*
 * The OOM reaper's munmap notifier may not sleep: a clear that finds the
 * tree locked asks it to come back (-EAGAIN) and changes nothing.
 */
static void attr_test_clear_nonblocking(struct kunit *test)
{
	struct amdgpu_svm_attr_tree *tree = attr_test_tree(test);
	struct amdgpu_svm_attr_op op = { AMDGPU_SVM_ATTR_GRANULARITY, 2 };
	int ret;

	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(0), PG(8), &op, 1));
	mutex_lock(&tree->lock);
	ret = amdgpu_svm_attr_clear(tree, PG(0), PG(8), false);
	mutex_unlock(&tree->lock);
	KUNIT_EXPECT_EQ(test, ret, -EAGAIN);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), 1U);

	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_clear(tree, PG(0), PG(8), false), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), 0U);
}

#define MANY	20000

/*
 * Issue 12, defect 7: SET_ATTR, munmap and a GPU leaving walk every
 * interval they cover, which a process can make as many as it pays
 * memory for. Over MANY alternating intervals each walk must give the
 * exact result, and reschedule on the way: under the debug kernel's
 * CONFIG_DEBUG_ATOMIC_SLEEP a walk that holds a spinlock (or runs with
 * preemption off) while it reschedules is a kernel report.
 */
static void attr_test_many_intervals(struct kunit *test)
{
	struct amdgpu_svm_attr_tree *tree = attr_test_tree(test);
	struct amdgpu_svm_attr_op gran = { AMDGPU_SVM_ATTR_GRANULARITY, 2 };
	struct amdgpu_svm_attr_op access = { AMDGPU_SVM_ATTR_ACCESS, 0 };
	struct amdgpu_svm_attr_get got;
	unsigned int i;

	for (i = 0; i < MANY; i += 2)
		KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(i), PG(i + 1),
							     &gran, 1));
	KUNIT_ASSERT_EQ(test, amdgpu_svm_attr_count(tree), MANY / 2);

	/* The holes between are filled: one interval per page. */
	KUNIT_ASSERT_EQ(test, 0, amdgpu_svm_attr_set(tree, PG(0), PG(MANY),
						     &access, 1));
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), MANY);
	amdgpu_svm_attr_get(tree, PG(0), PG(MANY), &got);
	KUNIT_EXPECT_EQ(test, got.access, BIT_ULL(0));

	amdgpu_svm_attr_forget_gpu(tree, 0, 0x100);
	amdgpu_svm_attr_get(tree, PG(0), PG(MANY), &got);
	KUNIT_EXPECT_EQ(test, got.access, 0ULL);
	/* Granularities still alternate: nothing merges. */
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), MANY);

	/* Left: page 0, and the last two pages. */
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_clear(tree, PG(1), PG(MANY - 2),
						    true), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_attr_count(tree), 3U);
}

static struct kunit_case amdgpu_svm_attr_test_cases[] = {
	KUNIT_CASE_PARAM(attr_test_case, attr_gen_params),
	KUNIT_CASE(attr_test_piece),
	KUNIT_CASE(attr_test_clear_punches_holes),
	KUNIT_CASE(attr_test_clear_without_node),
	KUNIT_CASE(attr_test_forget_gpu),
	KUNIT_CASE(attr_test_default_access),
	KUNIT_CASE(attr_test_default_access_late_gpu),
	KUNIT_CASE(attr_test_clear_nonblocking),
	KUNIT_CASE(attr_test_many_intervals),
	{}
};

static struct kunit_suite amdgpu_svm_attr_test_suite = {
	.name = "amdgpu_svm_attr",
	.test_cases = amdgpu_svm_attr_test_cases,
};

kunit_test_suite(amdgpu_svm_attr_test_suite);

MODULE_DESCRIPTION("KUnit tests for the amdgpu SVM attribute tree");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
