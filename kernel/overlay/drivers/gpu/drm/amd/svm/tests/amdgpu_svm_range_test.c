// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * KUnit tests for the amdgpu SVM core's ranges on a mock GPU, in an mm of
 * the test's own: states that races reach only by chance in the IGT
 * stress, set up deterministically.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <drm/amdgpu_svm_drm.h>
#include <drm/drm_device.h>

#include "../amdgpu_svm_priv.h"

#define MOCK_GPU_ID	0x1234

/**
 * struct mock_gpu - a GPU whose page table only counts
 * @gpu: what the core sees
 * @drm: a DRM device with nothing but a DMA-capable device behind it
 * @updates: PTE updates
 */
struct mock_gpu {
	struct amdgpu_svm_gpu gpu;
	struct drm_device drm;
	unsigned int updates;
};

static struct mock_gpu *to_mock(struct amdgpu_svm *svm)
{
	return amdgpu_svm_drvdata(svm);
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
}

static void mock_nop(struct amdgpu_svm *svm)
{
}

static const struct amdgpu_svm_gpu_ops mock_ops = {
	.update_ptes = mock_update_ptes,
	.clear_ptes = mock_clear_ptes,
	.flush_tlb = mock_nop,
	.quiesce = mock_nop,
	.resume = mock_nop,
};

static void range_test_destroy(void *svm)
{
	amdgpu_svm_destroy(svm);
}

/*
 * A mock GPU, a fresh mm with @len bytes of anonymous memory 2 MiB
 * aligned at *@addr, and an XNACK-off context on them, destroyed when the
 * test ends.
 */
static struct amdgpu_svm *range_test_setup(struct kunit *test,
					   struct mock_gpu *mock,
					   unsigned long len,
					   unsigned long *addr)
{
	struct device *dev = kunit_device_register(test, "amdgpu_svm_mock");
	struct amdgpu_svm *svm;
	unsigned long map;

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	dev->dma_mask = &dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	mock->drm.dev = dev;
	mock->gpu = (struct amdgpu_svm_gpu) {
		.drm = &mock->drm,
		.ops = &mock_ops,
		.gpu_id = MOCK_GPU_ID,
	};

	map = kunit_vm_mmap(test, NULL, 0, len + SZ_2M, PROT_READ | PROT_WRITE,
			    MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, map, 0UL, "no user memory for the test");
	*addr = ALIGN(map, SZ_2M);

	svm = amdgpu_svm_create(&mock->gpu, false, mock);
	KUNIT_ASSERT_FALSE(test, IS_ERR(svm));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, range_test_destroy,
							svm), 0);
	return svm;
}

/* SET_ATTR ACCESS for the mock GPU over [addr, addr + len), as userspace. */
static int range_test_give_access(struct kunit *test, struct amdgpu_svm *svm,
				  unsigned long addr, unsigned long len)
{
	struct drm_amdgpu_svm_attribute attr = {
		.type = AMDGPU_SVM_ATTR_ACCESS,
		.value = MOCK_GPU_ID,
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
	struct drm_gpusvm_notifier *notifier;
	struct amdgpu_svm_range *range;
	struct drm_gpusvm_range *r;
	struct mock_gpu *mock;
	struct amdgpu_svm *svm;
	unsigned long addr;
	bool queued;

	mock = kunit_kzalloc(test, sizeof(*mock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mock);
	svm = range_test_setup(test, mock, SZ_2M, &addr);
	KUNIT_ASSERT_EQ(test, range_test_give_access(test, svm, addr, SZ_2M), 0);
	KUNIT_ASSERT_GT(test, mock->updates, 0U);

	mutex_lock(&svm->proc->lock);
	notifier = drm_gpusvm_notifier_find(&svm->gpusvm, addr, addr + SZ_2M);
	r = notifier ? drm_gpusvm_range_find(notifier, addr, addr + SZ_2M) : NULL;
	if (!r) {
		mutex_unlock(&svm->proc->lock);
		KUNIT_FAIL_AND_ABORT(test, "SET_ATTR made no range at 0x%lx", addr);
	}
	range = to_amdgpu_svm_range(r);
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

static struct kunit_case amdgpu_svm_range_test_cases[] = {
	KUNIT_CASE(range_test_removed_not_requeued),
	{}
};

static struct kunit_suite amdgpu_svm_range_test_suite = {
	.name = "amdgpu_svm_range",
	.test_cases = amdgpu_svm_range_test_cases,
};

kunit_test_suite(amdgpu_svm_range_test_suite);

MODULE_DESCRIPTION("KUnit tests for the amdgpu SVM core's ranges on a mock GPU");
MODULE_LICENSE("GPL");
