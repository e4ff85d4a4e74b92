// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * KUnit tests for the amdgpu SVM core's ranges on a mock GPU, in an mm of
 * the test's own: states that races reach only by chance in the IGT
 * stress, set up deterministically.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <drm/amdgpu_svm_drm.h>
#include <drm/drm_device.h>
#include <drm/drm_pagemap.h>

#include "../amdgpu_svm_priv.h"

#define MOCK_GPU_ID	0x1234

/**
 * struct mock_gpu - a GPU whose page table only counts
 * @gpu: what the core sees
 * @drm: a DRM device with nothing but a DMA-capable device behind it
 * @updates: PTE updates
 * @clears: PTE clears
 * @reserves: calls of reserve_ptes()
 * @quiesces: calls of the quiesce op
 * @resumes: calls of the resume op
 * @remaps: how many more times reserve_ptes() replaces the memory of the
 *	span it is called for by a fresh mapping with the same attributes,
 *	as a munmap and mmap of another thread would between get_pages and
 *	the PTE update
 * @remap_size: how much of the span's start a remap replaces (0: all),
 *	in a VMA of its own
 * @unprotects: how many more times reserve_ptes() makes the VMA of the
 *	span it is called for writable, as an mprotect() of another thread
 *	would after the span's lookup found it read-only (its notifier
 *	left out: it ran before the pages were looked up)
 * @frame_lo: the lowest stack frame reserve_ptes() ran in (0: none yet)
 * @frame_hi: the highest
 */
struct mock_gpu {
	struct amdgpu_svm_gpu gpu;
	struct drm_device drm;
	unsigned int updates;
	unsigned int clears;
	unsigned int reserves;
	unsigned int quiesces;
	unsigned int resumes;
	unsigned int remaps;
	unsigned long remap_size;
	unsigned int unprotects;
	unsigned long frame_lo;
	unsigned long frame_hi;
};

static struct mock_gpu *to_mock(struct amdgpu_svm *svm)
{
	return amdgpu_svm_drvdata(svm);
}

/*
 * What mprotect() does to the VMA at @addr before its notifier runs: its
 * permissions become @prot, of VM_READ, VM_WRITE and VM_EXEC.
 */
static void mock_mprotect_vma(struct mm_struct *mm, unsigned long addr,
			      vm_flags_t prot)
{
	struct vm_area_struct *vma;

	mmap_write_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma) {
		vm_flags_mod(vma, prot, (VM_READ | VM_WRITE | VM_EXEC) & ~prot);
		vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	}
	mmap_write_unlock(mm);
}

static int mock_reserve_ptes(struct amdgpu_svm *svm, unsigned long start,
			     unsigned long end)
{
	struct amdgpu_svm_attr_op access = { AMDGPU_SVM_ATTR_ACCESS, svm->idx };
	unsigned long frame = (unsigned long)__builtin_frame_address(0);
	struct mock_gpu *mock = to_mock(svm);
	unsigned long prot = PROT_READ | PROT_WRITE;
	unsigned long addr;

	mock->reserves++;
	if (!mock->frame_lo || frame < mock->frame_lo)
		mock->frame_lo = frame;
	mock->frame_hi = max(mock->frame_hi, frame);
	if (mock->unprotects) {
		mock->unprotects--;
		mock_mprotect_vma(svm->gpusvm.mm, start, VM_READ | VM_WRITE);
	}
	if (!mock->remaps)
		return 0;
	mock->remaps--;
	/* Part of the span: a VMA apart from the rest (PROT_EXEC). */
	if (mock->remap_size) {
		end = min(end, start + mock->remap_size);
		prot |= PROT_EXEC;
	}
	/* The munmap clears the span's attributes: give them back. */
	addr = vm_mmap(NULL, start, end - start, prot,
		       MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (addr != start)
		return -ENOMEM;
	return amdgpu_svm_attr_set(&svm->proc->attrs, start, end, &access, 1);
}

static int mock_update_ptes(struct amdgpu_svm *svm,
			    const struct amdgpu_svm_pte_update *update)
{
	to_mock(svm)->updates++;
	return 0;
}

static void mock_clear_ptes(struct amdgpu_svm *svm, unsigned long start,
			    unsigned long end)
{
	to_mock(svm)->clears++;
}

static void mock_nop(struct amdgpu_svm *svm)
{
}

static void mock_quiesce(struct amdgpu_svm *svm)
{
	to_mock(svm)->quiesces++;
}

static void mock_resume(struct amdgpu_svm *svm)
{
	to_mock(svm)->resumes++;
}

static const struct amdgpu_svm_gpu_ops mock_ops = {
	.reserve_ptes = mock_reserve_ptes,
	.update_ptes = mock_update_ptes,
	.clear_ptes = mock_clear_ptes,
	.flush_tlb = mock_nop,
	.quiesce = mock_quiesce,
	.resume = mock_resume,
};

static void range_test_destroy(void *svm)
{
	amdgpu_svm_destroy(svm);
}

/* @name: of its device, one per GPU of a test */
static void mock_gpu_init(struct kunit *test, struct mock_gpu *mock,
			  const char *name, u32 gpu_id)
{
	struct device *dev = kunit_device_register(test, name);

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	dev->dma_mask = &dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	mock->drm.dev = dev;
	mock->gpu = (struct amdgpu_svm_gpu) {
		.drm = &mock->drm,
		.ops = &mock_ops,
		.gpu_id = gpu_id,
	};
}

/* An XNACK-off context of the test's mm on @mock, destroyed at the end. */
static struct amdgpu_svm *range_test_context(struct kunit *test,
					     struct mock_gpu *mock)
{
	struct amdgpu_svm *svm = amdgpu_svm_create(&mock->gpu, false, mock);

	KUNIT_ASSERT_FALSE(test, IS_ERR(svm));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, range_test_destroy,
							svm), 0);
	return svm;
}

/*
 * A mock GPU in *@mock, a fresh mm with @len bytes of anonymous memory
 * 2 MiB aligned at *@addr, and an XNACK-off context on them, all freed
 * when the test ends.
 */
static struct amdgpu_svm *range_test_setup(struct kunit *test,
					   struct mock_gpu **mock,
					   unsigned long len,
					   unsigned long *addr)
{
	unsigned long map;

	*mock = kunit_kzalloc(test, sizeof(**mock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *mock);
	mock_gpu_init(test, *mock, "amdgpu_svm_mock", MOCK_GPU_ID);
	map = kunit_vm_mmap(test, NULL, 0, len + SZ_2M, PROT_READ | PROT_WRITE,
			    MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, map, 0UL, "no user memory for the test");
	*addr = ALIGN(map, SZ_2M);
	return range_test_context(test, *mock);
}

/* The range of @svm that covers @addr, or NULL. The SVM lock held. */
static struct amdgpu_svm_range *range_test_find(struct amdgpu_svm *svm,
						unsigned long addr)
{
	struct drm_gpusvm_notifier *notifier;
	struct drm_gpusvm_range *r;

	notifier = drm_gpusvm_notifier_find(&svm->gpusvm, addr, addr + 1);
	r = notifier ? drm_gpusvm_range_find(notifier, addr, addr + 1) : NULL;
	return r ? to_amdgpu_svm_range(r) : NULL;
}

/*
 * Make the mapped @range need mapping again, its pages still valid, as a
 * PTE update that failed leaves it: mapping it then goes through
 * get_pages, reserve_ptes and the PTE update, where the mock's remaps
 * race it (a current range costs the lookup only). The SVM lock held.
 */
static void range_test_forget_ptes(struct amdgpu_svm *svm,
				   struct amdgpu_svm_range *range)
{
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	range->mapped = false;
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
}

/*
 * The drm_gpusvm notifier of @svm over [addr, addr + len) called as
 * drm_gpusvm calls it for an MMU notifier event of the test's mm: the
 * notifier lock held for write.
 */
static void range_test_notify(struct amdgpu_svm *svm, unsigned long addr,
			      unsigned long len, enum mmu_notifier_event event)
{
	struct mmu_notifier_range mmu_range = {
		.mm = svm->gpusvm.mm,
		.start = addr,
		.end = addr + len,
		.event = event,
	};
	struct drm_gpusvm_notifier *notifier;

	down_write(&svm->gpusvm.notifier_lock);
	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, addr, addr + len)
		svm->gpusvm.ops->invalidate(&svm->gpusvm, notifier, &mmu_range);
	up_write(&svm->gpusvm.notifier_lock);
}

/*
 * Run the restore worker, disabled until then, in the test's thread, and
 * return the PTE flags of the range it left mapped at @addr (0: none).
 */
/*
 * Whether a range of @svm at @addr is mapped, and its PTE flags in
 * *@pte_flags if so (0 if not).
 */
static bool range_test_mapped(struct amdgpu_svm *svm, unsigned long addr,
			      u32 *pte_flags)
{
	struct amdgpu_svm_range *range;
	bool mapped;

	mutex_lock(&svm->proc->lock);
	range = range_test_find(svm, addr);
	mapped = range && range->mapped;
	*pte_flags = mapped ? range->pte_flags : 0;
	mutex_unlock(&svm->proc->lock);
	return mapped;
}

static u32 range_test_restore_flags(struct amdgpu_svm *svm, unsigned long addr)
{
	struct amdgpu_svm_process *proc = svm->proc;
	u32 pte_flags;

	enable_delayed_work(&proc->restore_work);
	amdgpu_svm_restore_work(&proc->restore_work.work);
	range_test_mapped(svm, addr, &pte_flags);
	return pte_flags;
}

/* Whether @svm has ranges queued for the workers. */
static bool range_test_work_pending(struct amdgpu_svm *svm)
{
	bool pending;

	spin_lock(&svm->work_lock);
	pending = !list_empty(&svm->work_list);
	spin_unlock(&svm->work_lock);
	return pending;
}

/* SET_ATTR ACCESS for the context's GPU over [addr, addr + len), as userspace. */
static int range_test_give_access(struct kunit *test, struct amdgpu_svm *svm,
				  unsigned long addr, unsigned long len)
{
	struct drm_amdgpu_svm_attribute attr = {
		.type = AMDGPU_SVM_ATTR_ACCESS,
		.value = svm->gpu->gpu_id,
	};
	struct drm_amdgpu_gem_svm args = {
		.start = addr,
		.size = len,
		.op = AMDGPU_SVM_OP_SET_ATTR,
		.nattr = 1,
	};
	unsigned long uattr;

	uattr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, uattr, 0UL);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)uattr, &attr,
					   sizeof(attr)), 0);
	args.attrs = uattr;
	return amdgpu_svm_ioctl(svm, &args);
}

/*
 * Issue 12, defect 1: amdgpu_svm_range_remove() zaps a range and takes it
 * off the work list, then drm_gpusvm_range_remove() takes it out of the
 * tree. A munmap in between still finds it there; had the notifier queued
 * it again, the work list would keep a pointer to the range once freed.
 * The state of that window, set up by hand: the range flagged @removed,
 * then a munmap of one of its pages.
 */
static void range_test_removed_not_requeued(struct kunit *test)
{
	struct amdgpu_svm_range *range;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;
	bool queued;

	svm = range_test_setup(test, &mock, SZ_2M, &addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);
	KUNIT_ASSERT_GT(test, mock->updates, 0U);

	mutex_lock(&svm->proc->lock);
	range = range_test_find(svm, addr);
	if (!range) {
		mutex_unlock(&svm->proc->lock);
		KUNIT_FAIL_AND_ABORT(test, "SET_ATTR made no range at 0x%lx", addr);
	}
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	range->removed = true;
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	mutex_unlock(&svm->proc->lock);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);

	mutex_lock(&svm->proc->lock);
	spin_lock(&svm->work_lock);
	queued = range->pending || !list_empty(&svm->work_list);
	/* Leave nothing listed for the teardown, whatever happened. */
	list_del_init(&range->work_link);
	range->pending = 0;
	spin_unlock(&svm->work_lock);
	range->removed = false;
	mutex_unlock(&svm->proc->lock);

	KUNIT_EXPECT_FALSE_MSG(test, queued,
			       "the notifier queued a range being removed");
}

/*
 * Issue 16, goal 6: drm_gpusvm's DMA address array has one entry per run
 * of pages mapped as one, not one per page: a mapped 2 MiB range holds
 * exactly the entries its mapping used (one when a huge page backs it),
 * and they cover the range.
 */
static void range_test_dma_array_by_folio(struct kunit *test)
{
	struct drm_gpusvm_pages *pages;
	struct amdgpu_svm_range *range;
	unsigned long addr, room, i, n = 0;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;

	svm = range_test_setup(test, &mock, SZ_2M, &addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);

	mutex_lock(&svm->proc->lock);
	range = range_test_find(svm, addr);
	if (!range || !range->mapped) {
		mutex_unlock(&svm->proc->lock);
		KUNIT_FAIL_AND_ABORT(test, "SET_ATTR mapped no range at 0x%lx", addr);
	}
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	pages = &range->base.pages;
	room = pages->num_dma_addr;
	for (i = 0; i < SZ_2M >> PAGE_SHIFT && n < room; n++)
		i += 1UL << pages->dma_addr[n].order;
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	mutex_unlock(&svm->proc->lock);

	KUNIT_EXPECT_EQ_MSG(test, i, SZ_2M >> PAGE_SHIFT,
			    "the %lu entries cover %lu pages of 512", n, i);
	KUNIT_EXPECT_EQ_MSG(test, n, room,
			    "the array has room for %lu entries, the mapping used %lu",
			    room, n);
	kunit_info(test, "2 MiB mapped with %lu DMA address entries\n", n);
}

/*
 * Issue 16, goal 1: a SET_ATTR that leaves a range mapped as it is (the
 * same PTE flags, its pages still valid), as one naming another GPU does
 * for this one, neither reserves page tables nor writes PTEs for it; once
 * its PTEs are lost, the restore maps it again, reserving first.
 */
static void range_test_current_not_remapped(struct kunit *test)
{
	unsigned int reserves, updates;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;

	svm = range_test_setup(test, &mock, SZ_2M, &addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);
	reserves = mock->reserves;
	updates = mock->updates;
	KUNIT_ASSERT_GT(test, updates, 0U);

	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);
	KUNIT_EXPECT_EQ_MSG(test, mock->reserves, reserves,
			    "a range mapped as SET_ATTR wants it was reserved again");
	KUNIT_EXPECT_EQ_MSG(test, mock->updates, updates,
			    "a range mapped as SET_ATTR wants it was written again");

	amdgpu_svm_ptes_lost(svm);
	flush_delayed_work(&svm->proc->restore_work);
	KUNIT_EXPECT_FALSE(test, svm->evicted);
	KUNIT_EXPECT_EQ_MSG(test, mock->updates, updates + 1,
			    "the restore did not map the range whose PTEs were lost");
	KUNIT_EXPECT_EQ_MSG(test, mock->reserves, reserves + 1,
			    "the restore mapped the range without reserving first");
}

/*
 * Issue 12, defect 2: a range that a munmap flags unmapped between its
 * lookup and its PTE update used to be handled by draining the context
 * from inside the mapping, whose rebuild of the same span could meet the
 * same race one level deeper: a munmap / mmap loop of another thread
 * could exhaust the kernel stack. Here the memory of the range is
 * replaced twice while it is being mapped: every attempt must run at the
 * depth of the first, and the third must map it.
 */
static void range_test_unmapped_no_recursion(struct kunit *test)
{
	struct amdgpu_svm_range *range;
	bool quiesced = false;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;
	int ret;

	svm = range_test_setup(test, &mock, SZ_2M, &addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);

	mutex_lock(&svm->proc->lock);
	range = range_test_find(svm, addr);
	if (!range) {
		mutex_unlock(&svm->proc->lock);
		KUNIT_FAIL_AND_ABORT(test, "SET_ATTR mapped no range at 0x%lx", addr);
	}
	range_test_forget_ptes(svm, range);
	mock->frame_lo = 0;
	mock->frame_hi = 0;
	mock->remaps = 2;
	ret = amdgpu_svm_sync(svm, addr, addr + SZ_2M, 0, &quiesced);
	range = range_test_find(svm, addr);
	KUNIT_EXPECT_TRUE_MSG(test, range && range->mapped,
			      "the span is not mapped after the races");
	mutex_unlock(&svm->proc->lock);

	/* Nothing was dropped for its attributes, so nothing quiesced. */
	KUNIT_EXPECT_FALSE(test, quiesced);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, mock->remaps, 0U);
	KUNIT_EXPECT_EQ_MSG(test, mock->frame_hi - mock->frame_lo, 0UL,
			    "mapping recursed: a retry ran %lu bytes deeper in the stack",
			    mock->frame_hi - mock->frame_lo);
}

/*
 * A context whose 2 MiB at *@addr are given to its GPU and mapped, with
 * the restore worker disabled: the test runs it itself, in its own thread
 * (enable_delayed_work(), then amdgpu_svm_restore_work()).
 */
static struct amdgpu_svm *range_test_mapped_2m(struct kunit *test,
					       struct mock_gpu **mock,
					       unsigned long *addr)
{
	struct amdgpu_svm *svm;

	svm = range_test_setup(test, mock, SZ_2M, addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, *addr, SZ_2M), 0);
	disable_delayed_work_sync(&svm->proc->restore_work);
	return svm;
}

/*
 * The drain's last pass maps the span a failed restore left
 * (&amdgpu_svm.retry_start). A range it finds unmapped on the way (a
 * munmap and mmap raced) is garbage collected, and what of its extent
 * lies outside that span is handed to the restore worker as a span to
 * redo; the pass used to clear the spans to redo when it succeeded,
 * losing that part: it stayed unmapped while the queues resumed. Set up
 * by hand: a mapped 2 MiB range, a retry span of its first page, and a
 * munmap and mmap of its first 1 MiB under the pass's PTE update.
 */
static void range_test_retry_keeps_collected(struct kunit *test)
{
	struct amdgpu_svm_range *range;
	struct amdgpu_svm_process *proc;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;
	int ret;

	svm = range_test_mapped_2m(test, &mock, &addr);
	proc = svm->proc;
	mutex_lock(&proc->lock);
	range = range_test_find(svm, addr);
	KUNIT_ASSERT_TRUE(test, range && range->mapped &&
			  drm_gpusvm_range_end(&range->base) == addr + SZ_2M);
	range_test_forget_ptes(svm, range);
	svm->retry_start = addr;
	svm->retry_end = addr + PAGE_SIZE;
	mock->remaps = 1;
	mock->remap_size = SZ_1M;
	ret = amdgpu_svm_drain(svm);
	mutex_unlock(&proc->lock);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, mock->remaps, 0U);

	enable_delayed_work(&proc->restore_work);
	amdgpu_svm_restore_work(&proc->restore_work.work);

	mutex_lock(&proc->lock);
	range = range_test_find(svm, addr + SZ_1M);
	KUNIT_EXPECT_TRUE_MSG(test, range && range->mapped,
			      "the second 1 MiB of the collected range is not mapped again");
	mutex_unlock(&proc->lock);
	KUNIT_EXPECT_FALSE_MSG(test, svm->evicted,
			       "the restore did not resume the context");
}

/*
 * A sync of a span that begins inside a range which an mmap split between
 * VMAs of different permissions drops that range and maps the span again;
 * what the range covered before the span was lost (and the range's
 * pending work with it): the stress's VM fault at the first page of an
 * mprotect()ed span, when a SET_ATTR of another thread ran between the
 * mprotect's invalidation and the restore. Set up by hand: a mapped 2 MiB
 * range, its second 1 MiB mapped again read-only (the attributes given
 * back, so one interval covers the range), then a sync of its last
 * 512 KiB before any drain.
 */
static void range_test_split_drop_keeps_rest(struct kunit *test)
{
	struct amdgpu_svm_attr_op access = { AMDGPU_SVM_ATTR_ACCESS, 0 };
	struct amdgpu_svm_range *range;
	struct amdgpu_svm_process *proc;
	bool quiesced = false;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;
	int ret;

	svm = range_test_mapped_2m(test, &mock, &addr);
	proc = svm->proc;
	access.value = svm->idx;
	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, addr + SZ_1M, SZ_1M, PROT_READ,
				      MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0),
			addr + SZ_1M);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_attr_set(&proc->attrs, addr + SZ_1M,
						  addr + SZ_2M, &access, 1), 0);

	mutex_lock(&proc->lock);
	ret = amdgpu_svm_sync(svm, addr + SZ_1M + SZ_512K, addr + SZ_2M, 0,
			      &quiesced);
	mutex_unlock(&proc->lock);
	if (quiesced)
		amdgpu_svm_resume(svm);
	KUNIT_EXPECT_EQ(test, ret, 0);

	enable_delayed_work(&proc->restore_work);
	amdgpu_svm_restore_work(&proc->restore_work.work);

	mutex_lock(&proc->lock);
	range = range_test_find(svm, addr);
	KUNIT_EXPECT_TRUE_MSG(test, range && range->mapped,
			      "the first 1 MiB of the dropped range is not mapped again");
	range = range_test_find(svm, addr + SZ_1M);
	KUNIT_EXPECT_TRUE_MSG(test, range && range->mapped,
			      "the read-only 1 MiB is not mapped");
	mutex_unlock(&proc->lock);
	KUNIT_EXPECT_FALSE_MSG(test, svm->evicted,
			       "the restore did not resume the context");
}

/*
 * A range mapped read-only because its VMA was read-only when it was
 * looked up, whose VMA an mprotect() made writable before its pages were
 * looked up: that mprotect's notifier found nothing mapped to clear, so
 * nothing would map the range writable again, and with XNACK off the
 * GPU's next write there was a fatal VM fault (the stress's, on gfx1100).
 * The mapping must leave the range to the restore worker, which maps it
 * writable. Set up: a read-only 2 MiB VMA given to the GPU, which the
 * mock makes writable at the mapping's reserve_ptes().
 */
static void range_test_unprotected_mapped_writable(struct kunit *test)
{
	struct amdgpu_svm_process *proc;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;
	u32 pte_flags;

	svm = range_test_setup(test, &mock, SZ_2M, &addr);
	proc = svm->proc;
	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, addr, SZ_2M, PROT_READ,
				      MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0),
			addr);
	disable_delayed_work_sync(&proc->restore_work);
	mock->unprotects = 1;
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);
	KUNIT_ASSERT_EQ_MSG(test, mock->unprotects, 0U,
			    "SET_ATTR reserved no page table for the span");

	pte_flags = range_test_restore_flags(svm, addr);
	KUNIT_EXPECT_TRUE_MSG(test, pte_flags & AMDGPU_SVM_PTE_WRITE,
			      "the range stays mapped read-only (PTE flags 0x%x) over a writable VMA",
			      pte_flags);
	KUNIT_EXPECT_FALSE_MSG(test, svm->evicted,
			       "the restore did not resume the context");
	KUNIT_EXPECT_EQ(test, mock->quiesces, mock->resumes);
}

/*
 * The read-only mapping of such a range is kept only if one read-only VMA
 * still holds all of it: an mprotect() that made part of the range
 * writable after the range was looked up left its head read-only, which a
 * look at the address mapped from used to take for the whole (the VMA
 * split cannot be made here without a notifier; the layouts are made
 * directly).
 */
static void range_test_read_only_vma_holds(struct kunit *test)
{
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;

	svm = range_test_setup(test, &mock, SZ_2M, &addr);
	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, addr, SZ_2M, PROT_READ,
				      MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0),
			addr);
	KUNIT_EXPECT_TRUE(test, amdgpu_svm_read_only_vma_holds(svm, addr,
							       addr + SZ_2M));

	mock_mprotect_vma(svm->gpusvm.mm, addr, VM_READ | VM_WRITE);
	KUNIT_EXPECT_FALSE_MSG(test,
			       amdgpu_svm_read_only_vma_holds(svm, addr, addr + SZ_2M),
			       "a writable VMA taken for read-only");

	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, addr, SZ_1M, PROT_READ,
				      MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0),
			addr);
	KUNIT_EXPECT_TRUE(test, amdgpu_svm_read_only_vma_holds(svm, addr,
							       addr + SZ_1M));
	KUNIT_EXPECT_FALSE_MSG(test,
			       amdgpu_svm_read_only_vma_holds(svm, addr, addr + SZ_2M),
			       "a read-only head taken for a span whose tail is writable");

	KUNIT_EXPECT_EQ(test, vm_munmap(addr + SZ_1M, SZ_1M), 0);
	KUNIT_EXPECT_FALSE_MSG(test,
			       amdgpu_svm_read_only_vma_holds(svm, addr, addr + SZ_2M),
			       "a read-only head taken for a span whose tail is unmapped");
	KUNIT_EXPECT_FALSE(test, amdgpu_svm_read_only_vma_holds(svm, addr + SZ_1M,
								addr + SZ_2M));
}

/*
 * XNACK off: memory mapped read-only for its read-only VMA, under
 * attributes that allow writes, stays mapped at a SET_ATTR of its span
 * that changes nothing: the sync used to take the missing write
 * permission for stale PTE flags, and quiesce the context, clear the
 * range and map it again, at every SET_ATTR and restore. Once an
 * mprotect() makes the VMA writable (the VMA change, then the notifier's
 * call), the restore maps it writable.
 */
static void range_test_read_only_vma_kept(struct kunit *test)
{
	unsigned int updates, quiesces;
	struct amdgpu_svm_process *proc;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;
	u32 pte_flags;
	bool mapped;

	svm = range_test_setup(test, &mock, SZ_2M, &addr);
	proc = svm->proc;
	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, addr, SZ_2M, PROT_READ,
				      MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0),
			addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);
	mapped = range_test_mapped(svm, addr, &pte_flags);
	KUNIT_ASSERT_TRUE_MSG(test, mapped && !(pte_flags & AMDGPU_SVM_PTE_WRITE),
			      "the read-only VMA is not mapped read-only (PTE flags 0x%x)",
			      pte_flags);
	updates = mock->updates;
	quiesces = mock->quiesces;

	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);
	KUNIT_EXPECT_EQ_MSG(test, mock->clears, 0U,
			    "a SET_ATTR that changes nothing cleared the read-only mapping");
	KUNIT_EXPECT_EQ(test, mock->quiesces, quiesces);
	KUNIT_EXPECT_EQ(test, mock->updates, updates);

	disable_delayed_work_sync(&proc->restore_work);
	mock_mprotect_vma(svm->gpusvm.mm, addr, VM_READ | VM_WRITE);
	range_test_notify(svm, addr, SZ_2M, MMU_NOTIFY_PROTECTION_VMA);
	pte_flags = range_test_restore_flags(svm, addr);
	KUNIT_EXPECT_TRUE_MSG(test, pte_flags & AMDGPU_SVM_PTE_WRITE,
			      "memory made writable stays mapped read-only (PTE flags 0x%x)",
			      pte_flags);
	KUNIT_EXPECT_FALSE(test, svm->evicted);
	KUNIT_EXPECT_EQ(test, mock->quiesces, mock->resumes);
}

/*
 * XNACK off: a mapped range whose memory an mprotect() makes PROT_NONE is
 * left unmapped by the restore, and mapped again when another mprotect()
 * makes the memory accessible; the notifier of that one used to queue
 * mapped ranges only, and the GPU faulted on memory it may access until
 * the next SET_ATTR; the queues stay quiesced until the restore. Each
 * mprotect() is its VMA change, then the notifier's call.
 */
static void range_test_prot_none_and_back(struct kunit *test)
{
	struct amdgpu_svm_range *range;
	struct amdgpu_svm_process *proc;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	struct mm_struct *mm;
	unsigned long addr;
	u32 pte_flags;
	bool mapped;

	svm = range_test_mapped_2m(test, &mock, &addr);
	proc = svm->proc;
	mm = svm->gpusvm.mm;

	mock_mprotect_vma(mm, addr, 0);
	range_test_notify(svm, addr, SZ_2M, MMU_NOTIFY_PROTECTION_VMA);
	enable_delayed_work(&proc->restore_work);
	amdgpu_svm_restore_work(&proc->restore_work.work);
	disable_delayed_work_sync(&proc->restore_work);
	mutex_lock(&proc->lock);
	range = range_test_find(svm, addr);
	mapped = range && range->mapped;
	mutex_unlock(&proc->lock);
	KUNIT_ASSERT_FALSE_MSG(test, mapped, "PROT_NONE memory is mapped");
	KUNIT_ASSERT_FALSE(test, svm->evicted);

	mock_mprotect_vma(mm, addr, VM_READ | VM_WRITE);
	range_test_notify(svm, addr, SZ_2M, MMU_NOTIFY_PROTECTION_VMA);
	KUNIT_EXPECT_TRUE_MSG(test, svm->evicted,
			      "the queues run before the restore maps the accessible memory");
	pte_flags = range_test_restore_flags(svm, addr);
	KUNIT_EXPECT_TRUE_MSG(test, pte_flags & AMDGPU_SVM_PTE_WRITE,
			      "memory made accessible again is not mapped writable (PTE flags 0x%x)",
			      pte_flags);
	KUNIT_EXPECT_FALSE(test, svm->evicted);
	KUNIT_EXPECT_EQ(test, mock->quiesces, mock->resumes);
}

/*
 * XNACK off: a guard page made PROT_NONE inside a mapped range, then
 * accessible again, is mapped again. The restore after the first change
 * remade ranges around the page and used to leave none over it, so the
 * mprotect() back found nothing to queue and the GPU faulted there until
 * the next SET_ATTR; a range is now kept over the page, unmapped. Set up:
 * the page replaced by a PROT_NONE mapping (its attributes given back),
 * then made accessible as mprotect() does, then the notifier's call.
 */
static void range_test_guard_page_back(struct kunit *test)
{
	struct amdgpu_svm_attr_op access = { AMDGPU_SVM_ATTR_ACCESS, 0 };
	struct amdgpu_svm_range *range;
	struct amdgpu_svm_process *proc;
	unsigned long addr, guard;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	bool kept;

	svm = range_test_mapped_2m(test, &mock, &addr);
	proc = svm->proc;
	access.value = svm->idx;
	guard = addr + SZ_1M;
	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, guard, PAGE_SIZE, PROT_NONE,
				      MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0),
			guard);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_attr_set(&proc->attrs, guard,
						  guard + PAGE_SIZE, &access, 1), 0);
	KUNIT_ASSERT_EQ(test, range_test_restore_flags(svm, addr) &
			AMDGPU_SVM_PTE_WRITE, AMDGPU_SVM_PTE_WRITE);
	disable_delayed_work_sync(&proc->restore_work);
	mutex_lock(&proc->lock);
	range = range_test_find(svm, guard);
	kept = range && !range->mapped &&
	       drm_gpusvm_range_start(&range->base) == guard &&
	       drm_gpusvm_range_end(&range->base) == guard + PAGE_SIZE;
	mutex_unlock(&proc->lock);
	KUNIT_EXPECT_TRUE_MSG(test, kept,
			      "no unmapped range of its own over the PROT_NONE page");

	mock_mprotect_vma(svm->gpusvm.mm, guard, VM_READ | VM_WRITE);
	range_test_notify(svm, guard, PAGE_SIZE, MMU_NOTIFY_PROTECTION_VMA);
	KUNIT_EXPECT_TRUE(test, svm->evicted);
	KUNIT_EXPECT_TRUE_MSG(test, range_test_restore_flags(svm, guard) &
			      AMDGPU_SVM_PTE_WRITE,
			      "the page made accessible again is not mapped writable");
	KUNIT_EXPECT_FALSE(test, svm->evicted);
	KUNIT_EXPECT_EQ(test, mock->quiesces, mock->resumes);
}

static unsigned int range_test_syncs;

static int range_test_count_sync(struct amdgpu_svm *svm, unsigned long start,
				 unsigned long end, unsigned int flags,
				 bool *quiesced)
{
	range_test_syncs++;
	return 0;
}

/*
 * Issue 12, defect 5: exit_mmap() unmaps the address space after the MMU
 * notifier's release, so the unmaps of a dying process queue its ranges
 * for the restore worker (XNACK off), which used to rebuild every span
 * they covered, page by page, against an mm that is gone. The worker must
 * forget that work instead and map nothing. The test's mm is torn down as
 * an exiting process's is, with the context still open (its fd closes
 * later); the worker is then run in the test's thread, where its calls to
 * amdgpu_svm_sync() are counted.
 */
static void range_test_restore_after_exit(struct kunit *test)
{
	struct amdgpu_svm_process *proc;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	struct mm_struct *mm;
	unsigned long addr;
	bool queued;

	svm = range_test_setup(test, &mock, 4 * SZ_2M, &addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr,
						     4 * SZ_2M), 0);
	proc = svm->proc;

	/* The exit's unmaps must not start the worker behind the test. */
	disable_delayed_work_sync(&proc->restore_work);
	mm = current->mm;
	kthread_unuse_mm(mm);
	mmput(mm);
	enable_delayed_work(&proc->restore_work);

	queued = range_test_work_pending(svm);
	KUNIT_ASSERT_TRUE_MSG(test, queued, "the exit queued no range to restore");

	range_test_syncs = 0;
	kunit_activate_static_stub(test, amdgpu_svm_sync, range_test_count_sync);
	amdgpu_svm_restore_work(&proc->restore_work.work);
	kunit_deactivate_static_stub(test, amdgpu_svm_sync);

	queued = range_test_work_pending(svm);
	KUNIT_EXPECT_EQ_MSG(test, range_test_syncs, 0U,
			    "the restore worker mapped spans of an mm that is gone");
	KUNIT_EXPECT_FALSE(test, queued);
	KUNIT_EXPECT_FALSE(test, svm->evicted);
}

/**
 * struct join_test - a context that joins during the last destroy
 * @test: the test
 * @mock: its GPU
 * @addr: the memory it is given
 * @svm: the context
 */
struct join_test {
	struct kunit *test;
	struct mock_gpu mock;
	unsigned long addr;
	struct amdgpu_svm *svm;
};

static struct join_test *join_test;

/*
 * Runs where amdgpu_svm_destroy() of the last context stops the workers:
 * a context joins the process (the render node opened again), is given
 * the memory, and a munmap of one of its pages evicts it, so that its
 * queues are quiesced until the restore maps the rest again. That restore
 * is still pending when the real function cancels the workers.
 */
static void join_test_last_context_gone(struct amdgpu_svm_process *proc)
{
	struct join_test *jt = join_test;
	struct kunit *test = jt->test;

	kunit_deactivate_static_stub(test, amdgpu_svm_process_last_context_gone);
	jt->svm = range_test_context(test, &jt->mock);
	KUNIT_EXPECT_EQ(test, range_test_give_access(test, jt->svm, jt->addr,
						     SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, vm_munmap(jt->addr + PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_TRUE_MSG(test, jt->svm->evicted,
			      "the munmap did not evict the joining context");
	mod_delayed_work(amdgpu_svm_wq, &proc->restore_work, HZ);

	amdgpu_svm_process_last_context_gone(proc);
}

/*
 * Issue 12, defect 8: a context that joins the process between the last
 * destroy's unlock and its cancel of the workers used to lose its pending
 * restore, and its queues were resumed with its memory unmapped: the first
 * GPU access faulted. The joining context's restore must still run and
 * map what it was given before the queues resume.
 */
static void range_test_join_during_last_destroy(struct kunit *test)
{
	struct amdgpu_svm_range *head, *tail;
	struct amdgpu_svm_process *proc;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	struct join_test *jt;
	bool queued;

	jt = kunit_kzalloc(test, sizeof(*jt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, jt);
	svm = range_test_setup(test, &mock, SZ_2M, &jt->addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, jt->addr,
						     SZ_2M), 0);
	proc = svm->proc;
	jt->test = test;
	mock_gpu_init(test, &jt->mock, "amdgpu_svm_mock_joining",
		      MOCK_GPU_ID + 1);
	join_test = jt;

	/* The joining context keeps the process once svm is gone. */
	kunit_activate_static_stub(test, amdgpu_svm_process_last_context_gone,
				   join_test_last_context_gone);
	kunit_release_action(test, range_test_destroy, svm);
	KUNIT_ASSERT_NOT_NULL(test, jt->svm);
	flush_delayed_work(&proc->restore_work);

	mutex_lock(&proc->lock);
	queued = range_test_work_pending(jt->svm);
	head = range_test_find(jt->svm, jt->addr);
	tail = range_test_find(jt->svm, jt->addr + 2 * PAGE_SIZE);
	KUNIT_EXPECT_FALSE_MSG(test, queued,
			       "the joining context's restore was cancelled");
	KUNIT_EXPECT_TRUE(test, head && head->mapped);
	KUNIT_EXPECT_TRUE(test, tail && tail->mapped);
	mutex_unlock(&proc->lock);
	mutex_lock(&proc->queue_lock);
	KUNIT_EXPECT_FALSE(test, jt->svm->evicted);
	KUNIT_EXPECT_EQ(test, jt->svm->quiesce_count, 0U);
	mutex_unlock(&proc->queue_lock);
}

static struct kunit *forget_test;

/* Where the last destroy stops the workers, before a context can join. */
static void forget_test_last_context_gone(struct amdgpu_svm_process *proc)
{
	kunit_deactivate_static_stub(forget_test,
				     amdgpu_svm_process_last_context_gone);
	KUNIT_EXPECT_EQ_MSG(forget_test, amdgpu_svm_attr_count(&proc->attrs),
			    0U,
			    "a context joining now would get the attributes of GPUs gone");
	amdgpu_svm_process_last_context_gone(proc);
}

/*
 * The last context's destroy forgets the process's attributes: a context
 * that joins before the process is freed (the render node opened again
 * meanwhile) starts from the defaults, as one joining a moment later
 * does, and the tree is not left to the notifier's SRCU callback to free.
 */
static void range_test_last_destroy_forgets_attrs(struct kunit *test)
{
	struct amdgpu_svm_attr_op gran = { AMDGPU_SVM_ATTR_GRANULARITY, 0 };
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;

	svm = range_test_setup(test, &mock, SZ_2M, &addr);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_attr_set(&svm->proc->attrs, addr,
						  addr + SZ_2M, &gran, 1), 0);
	forget_test = test;
	kunit_activate_static_stub(test, amdgpu_svm_process_last_context_gone,
				   forget_test_last_context_gone);
	kunit_release_action(test, range_test_destroy, svm);
}

/*
 * Issue 16, goal 2: an eviction quiesces only the context that has the
 * memory mapped, and nests with a quiesce the ioctl holds on it. Two
 * GPUs of one process, each mapping its own half of 4 MiB; the first is
 * quiesced (as SET_ATTR dropping its ranges does) when a munmap of one of
 * its pages evicts it. The restore must leave it quiesced until that
 * quiesce ends, and the second GPU's queues must never stop.
 */
static void range_test_quiesce_per_context(struct kunit *test)
{
	struct mock_gpu *mock, *other_mock;
	struct amdgpu_svm *svm, *other;
	unsigned long addr;

	other_mock = kunit_kzalloc(test, sizeof(*other_mock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other_mock);
	svm = range_test_setup(test, &mock, SZ_4M, &addr);
	mock_gpu_init(test, other_mock, "amdgpu_svm_mock_other",
		      MOCK_GPU_ID + 1);
	other = range_test_context(test, other_mock);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, other, addr + SZ_2M,
						     SZ_2M), 0);
	KUNIT_ASSERT_GT(test, other_mock->updates, 0U);

	amdgpu_svm_quiesce(svm);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_TRUE_MSG(test, svm->evicted,
			      "the munmap did not evict the GPU that maps it");
	KUNIT_EXPECT_EQ(test, svm->quiesce_count, 2U);
	KUNIT_EXPECT_EQ_MSG(test, mock->quiesces, 1U,
			    "a nested quiesce called the GPU's op again");

	flush_delayed_work(&svm->proc->restore_work);
	KUNIT_EXPECT_FALSE(test, svm->evicted);
	KUNIT_EXPECT_EQ(test, svm->quiesce_count, 1U);
	KUNIT_EXPECT_EQ_MSG(test, mock->resumes, 0U,
			    "the restore resumed queues a quiesce still holds");
	amdgpu_svm_resume(svm);
	KUNIT_EXPECT_EQ(test, mock->resumes, 1U);

	KUNIT_EXPECT_EQ_MSG(test, other_mock->quiesces, 0U,
			    "an eviction of another GPU's memory quiesced this GPU");
	KUNIT_EXPECT_EQ(test, other_mock->resumes, 0U);
}

/* Where range_test_unmap_all_late() unmaps a page. */
static unsigned long range_test_late_munmap;

/*
 * amdgpu_svm_unmap_all() once more, after a munmap of a page the context
 * maps: an invalidation that reaches a context being destroyed before
 * its ranges are gone.
 */
static void range_test_unmap_all_late(struct amdgpu_svm *svm)
{
	struct kunit *test = kunit_get_current_test();

	kunit_deactivate_static_stub(test, amdgpu_svm_unmap_all);
	KUNIT_EXPECT_EQ(test, vm_munmap(range_test_late_munmap, PAGE_SIZE), 0);
	amdgpu_svm_unmap_all(svm);
}

/*
 * A context's notifiers work until amdgpu_svm_destroy() has removed its
 * ranges: an invalidation meanwhile quiesces it (XNACK off), and the
 * teardown must resume it after that, not before. The process lives on
 * in another context.
 */
static void range_test_destroy_resumes_last(struct kunit *test)
{
	struct mock_gpu *mock, *closing_mock;
	struct amdgpu_svm *closing;
	unsigned long addr;

	closing_mock = kunit_kzalloc(test, sizeof(*closing_mock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, closing_mock);
	range_test_setup(test, &mock, SZ_2M, &addr);
	mock_gpu_init(test, closing_mock, "amdgpu_svm_mock_closing",
		      MOCK_GPU_ID + 1);
	closing = amdgpu_svm_create(&closing_mock->gpu, false, closing_mock);
	KUNIT_ASSERT_FALSE(test, IS_ERR(closing));
	if (range_test_give_access(test, closing, addr, SZ_2M)) {
		amdgpu_svm_destroy(closing);
		KUNIT_FAIL(test, "SET_ATTR of the closing context failed");
		return;
	}
	KUNIT_EXPECT_GT(test, closing_mock->updates, 0U);

	range_test_late_munmap = addr + PAGE_SIZE;
	kunit_activate_static_stub(test, amdgpu_svm_unmap_all,
				   range_test_unmap_all_late);
	amdgpu_svm_destroy(closing);
	KUNIT_EXPECT_EQ_MSG(test, closing_mock->quiesces, 1U,
			    "the munmap during the teardown did not quiesce the context");
	KUNIT_EXPECT_EQ_MSG(test, closing_mock->resumes, closing_mock->quiesces,
			    "a context quiesced during its teardown was never resumed");
}

/*
 * XNACK on, memory the CPU maps read-only: a GPU read fault maps its range
 * read-only. Another read fault in the range, as the waves that touched it
 * before the mapping was made queue them, must leave the mapping alone: it
 * used to drop the range (its PTE flags lack the write permission the
 * attributes allow) and map it again, clearing the PTEs those waves use,
 * so that every fault made more. A write there is still a VM fault.
 */
/*
 * As range_test_setup(), for 2 MiB of memory the CPU maps with @prot, and
 * an XNACK-on context on a GPU that retries faults.
 */
static struct amdgpu_svm *range_test_setup_xnack(struct kunit *test,
						 struct mock_gpu **mock,
						 unsigned long prot,
						 unsigned long *addr)
{
	struct amdgpu_svm *svm;
	unsigned long map;

	*mock = kunit_kzalloc(test, sizeof(**mock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *mock);
	mock_gpu_init(test, *mock, "amdgpu_svm_mock", MOCK_GPU_ID);
	(*mock)->gpu.xnack_capable = true;
	map = kunit_vm_mmap(test, NULL, 0, 2 * SZ_2M, prot,
			    MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, map, 0UL, "no user memory for the test");
	*addr = ALIGN(map, SZ_2M);
	svm = amdgpu_svm_create(&(*mock)->gpu, true, *mock);
	KUNIT_ASSERT_FALSE(test, IS_ERR(svm));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, range_test_destroy,
							svm), 0);
	return svm;
}

/*
 * Date the mapping of the range at @addr to @when, as if its PTEs had
 * been written then (stale faults are told by it, and a fault in the
 * emulated guest may take longer than one lives). Return whether a range
 * is mapped there.
 */
static bool range_test_mapped_at(struct amdgpu_svm *svm, unsigned long addr,
				 ktime_t when)
{
	struct amdgpu_svm_range *range;
	bool mapped;

	mutex_lock(&svm->proc->lock);
	range = range_test_find(svm, addr);
	mapped = range && range->mapped;
	if (mapped)
		range->mapped_at = when;
	mutex_unlock(&svm->proc->lock);
	return mapped;
}

static void range_test_fault_read_only_kept(struct kunit *test)
{
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned int updates;
	unsigned long addr;

	svm = range_test_setup_xnack(test, &mock, PROT_READ, &addr);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, addr, false), 0);
	updates = mock->updates;
	KUNIT_ASSERT_GT(test, updates, 0U);
	KUNIT_ASSERT_TRUE(test, range_test_mapped_at(svm, addr,
						     ktime_add_ms(ktime_get(),
								  MSEC_PER_SEC)));

	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, addr + PAGE_SIZE,
						      false), 0);
	KUNIT_EXPECT_EQ_MSG(test, mock->clears, 0U,
			    "a stale read fault cleared the read-only range");
	KUNIT_EXPECT_EQ(test, mock->updates, updates);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, addr, true), -EFAULT);
}

/*
 * XNACK on: a GPU fault at a range mapped a while ago (longer than a stale
 * fault lives) means the GPU does not see the PTEs the core wrote, as
 * when a page-table clear of the driver's own ran after them: they are
 * written again, not cleared first, and the range stays mapped. It used
 * to be taken for stale forever, and the GPU retried the access for good.
 */
static void range_test_fault_lost_ptes_rewritten(struct kunit *test)
{
	struct amdgpu_svm_range *range;
	bool mapped, rewritten;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned int updates;
	unsigned long addr;
	ktime_t before;

	svm = range_test_setup_xnack(test, &mock, PROT_READ | PROT_WRITE, &addr);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, addr, true), 0);
	updates = mock->updates;
	KUNIT_ASSERT_GT(test, updates, 0U);
	KUNIT_ASSERT_TRUE(test, range_test_mapped_at(svm, addr,
						     ktime_sub_ms(ktime_get(),
								  MSEC_PER_SEC)));

	before = ktime_get();
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, addr + PAGE_SIZE,
						      true), 0);
	KUNIT_EXPECT_EQ_MSG(test, mock->updates, updates + 1,
			    "PTEs the GPU faults on a second after their mapping were not written again");
	KUNIT_EXPECT_EQ_MSG(test, mock->clears, 0U,
			    "PTEs written again were cleared first");
	mutex_lock(&svm->proc->lock);
	range = range_test_find(svm, addr);
	mapped = range && range->mapped;
	rewritten = mapped && !ktime_before(range->mapped_at, before);
	mutex_unlock(&svm->proc->lock);
	KUNIT_EXPECT_TRUE_MSG(test, mapped, "the range is no longer mapped");
	KUNIT_EXPECT_TRUE_MSG(test, rewritten,
			      "the mapping written again keeps its old date: its stale faults would write it again");
}

/* The range_test_rewrite_raced() context, and its buffer. */
static struct amdgpu_svm *rewrite_race_svm;
static unsigned long rewrite_race_addr;

/*
 * amdgpu_svm_should_fail() of range_test_rewrite_raced(): when a mapping
 * is about to look up its pages, the last page of the buffer's 2 MiB is
 * unmapped, once, as by a munmap() of another thread. No failure is
 * injected.
 */
static bool range_test_unmap_at_get_pages(enum amdgpu_svm_fail_point point)
{
	struct amdgpu_svm *svm = rewrite_race_svm;

	if (point == AMDGPU_SVM_FAIL_GET_PAGES && svm) {
		rewrite_race_svm = NULL;
		vm_munmap(rewrite_race_addr + SZ_2M - PAGE_SIZE, PAGE_SIZE);
	}
	return false;
}

/*
 * XNACK on: the rewrite of PTEs the GPU keeps faulting on races a munmap
 * of part of the range, which invalidates it and flags it unmapped before
 * its pages are looked up again. The fault is legal: the rest of the
 * memory must be mapped again, as any fault maps it. The rewrite used to
 * return the page lookup's -EFAULT, which amdgpu turns into a no-retry
 * PTE: a VM fault at an address the program may access (and an
 * mprotect(PROT_READ) there made it -EPERM, the same).
 */
static void range_test_rewrite_raced(struct kunit *test)
{
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;
	u32 pte_flags;

	svm = range_test_setup_xnack(test, &mock, PROT_READ | PROT_WRITE, &addr);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, addr, true), 0);
	KUNIT_ASSERT_TRUE(test, range_test_mapped_at(svm, addr,
						     ktime_sub_ms(ktime_get(),
								  MSEC_PER_SEC)));

	rewrite_race_addr = addr;
	rewrite_race_svm = svm;
	kunit_activate_static_stub(test, amdgpu_svm_should_fail,
				   range_test_unmap_at_get_pages);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, addr + PAGE_SIZE,
						      true), 0);
	kunit_deactivate_static_stub(test, amdgpu_svm_should_fail);
	KUNIT_EXPECT_NULL_MSG(test, rewrite_race_svm,
			      "no page lookup after the fault found its range mapped long ago");

	KUNIT_EXPECT_TRUE_MSG(test, range_test_mapped(svm, addr + PAGE_SIZE,
						      &pte_flags),
			      "the memory left is not mapped again");
}

/*
 * A fault the caller saw in XNACK mode reaches the core after the process
 * switched to XNACK off, which maps everything and lets queues run that
 * cannot retry: the fault changes nothing. It used to be handled as with
 * XNACK on, and merging the fragments of an mprotect() that was undone
 * cleared them, with no quiesce, under the running queues. The ranges:
 * [addr, +4 KiB) and the rest of the 2 MiB, mapped by two SET_ATTRs; the
 * second is made to need mapping again (as a failed PTE update leaves
 * it), so that the fault is not served by the mapping already there.
 */
static void range_test_fault_after_xnack_off(struct kunit *test)
{
	struct amdgpu_svm_range *range;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned int updates;
	unsigned long addr;
	bool split;

	svm = range_test_setup(test, &mock, SZ_2M, &addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr + PAGE_SIZE,
						     SZ_2M - PAGE_SIZE), 0);
	mutex_lock(&svm->proc->lock);
	range = range_test_find(svm, addr + 2 * PAGE_SIZE);
	split = range &&
		drm_gpusvm_range_start(&range->base) == addr + PAGE_SIZE;
	if (split)
		range_test_forget_ptes(svm, range);
	mutex_unlock(&svm->proc->lock);
	KUNIT_ASSERT_TRUE_MSG(test, split,
			      "the second SET_ATTR made no range of its own");
	updates = mock->updates;

	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, addr + 2 * PAGE_SIZE,
						      true), 0);
	KUNIT_EXPECT_EQ_MSG(test, mock->clears, 0U,
			    "a fault with XNACK off cleared PTEs (quiesces: %u)",
			    mock->quiesces);
	KUNIT_EXPECT_EQ(test, mock->updates, updates);
}

static struct kunit_case amdgpu_svm_range_test_cases[] = {
	KUNIT_CASE(range_test_removed_not_requeued),
	KUNIT_CASE(range_test_unmapped_no_recursion),
	KUNIT_CASE(range_test_retry_keeps_collected),
	KUNIT_CASE(range_test_split_drop_keeps_rest),
	KUNIT_CASE(range_test_unprotected_mapped_writable),
	KUNIT_CASE(range_test_read_only_vma_holds),
	KUNIT_CASE(range_test_read_only_vma_kept),
	KUNIT_CASE(range_test_prot_none_and_back),
	KUNIT_CASE(range_test_guard_page_back),
	KUNIT_CASE(range_test_restore_after_exit),
	KUNIT_CASE(range_test_join_during_last_destroy),
	KUNIT_CASE(range_test_last_destroy_forgets_attrs),
	KUNIT_CASE(range_test_quiesce_per_context),
	KUNIT_CASE(range_test_destroy_resumes_last),
	KUNIT_CASE(range_test_dma_array_by_folio),
	KUNIT_CASE(range_test_current_not_remapped),
	KUNIT_CASE(range_test_fault_read_only_kept),
	KUNIT_CASE(range_test_fault_lost_ptes_rewritten),
	KUNIT_CASE(range_test_rewrite_raced),
	KUNIT_CASE(range_test_fault_after_xnack_off),
	{}
};

static struct kunit_suite amdgpu_svm_range_test_suite = {
	.name = "amdgpu_svm_range",
	.test_cases = amdgpu_svm_range_test_cases,
};

kunit_test_suite(amdgpu_svm_range_test_suite);

MODULE_DESCRIPTION("KUnit tests for the amdgpu SVM core's ranges on a mock GPU");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
