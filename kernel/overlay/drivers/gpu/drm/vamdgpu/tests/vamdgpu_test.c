// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the virtual GPU: page table, VRAM, TLB and queue engine, on a
 * private virtual gfx943 (instance VAMDGPU_TEST_INSTANCE) with kernel pages
 * mapped by hand.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include <drm/drm_pagemap.h>
#include <drm/vamdgpu_drm.h>

#include "../vamdgpu_drv.h"
#include "../vamdgpu_pagemap.h"
#include "../vamdgpu_personality.h"
#include "../vamdgpu_queue.h"
#include "../vamdgpu_vm.h"
#include "../vamdgpu_vram.h"

#define VAMDGPU_TEST_INSTANCE	100
#define TEST_PAGES		4
#define TEST_TIMEOUT_NS		(5ll * NSEC_PER_SEC)
/* GPU VA of test page @n; leaf-aligned so spans can cross a leaf on demand. */
#define VA(n)			(0x40000000ull + (u64)(n) * PAGE_SIZE)

static struct vamdgpu_device *test_vdev;

struct vamdgpu_test {
	struct vamdgpu_vm *vm;
	struct page *pages[TEST_PAGES];
	dma_addr_t dma[TEST_PAGES];
	/* For the fault-handler tests. */
	unsigned int faults;
	bool map_on_fault;
};

static int vamdgpu_test_suite_init(struct kunit_suite *suite)
{
	const struct vamdgpu_personality *p = vamdgpu_personality_find("gfx943");

	if (!p)
		return -ENODEV;
	test_vdev = vamdgpu_device_create(p, VAMDGPU_TEST_INSTANCE);
	return PTR_ERR_OR_ZERO(test_vdev);
}

static void vamdgpu_test_suite_exit(struct kunit_suite *suite)
{
	if (!IS_ERR_OR_NULL(test_vdev))
		vamdgpu_device_destroy(test_vdev);
	test_vdev = NULL;
}

static int vamdgpu_test_init(struct kunit *test)
{
	struct device *dev = test_vdev->drm.dev;
	struct vamdgpu_test *t;
	int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->vm = vamdgpu_vm_create(test_vdev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->vm));
	for (i = 0; i < TEST_PAGES; i++) {
		t->pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t->pages[i]);
		memset(page_address(t->pages[i]), 0x10 + i, PAGE_SIZE);
		t->dma[i] = dma_map_page(dev, t->pages[i], 0, PAGE_SIZE,
					 DMA_BIDIRECTIONAL);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, t->dma[i]));
	}
	test->priv = t;
	return 0;
}

static void vamdgpu_test_exit(struct kunit *test)
{
	struct device *dev = test_vdev->drm.dev;
	struct vamdgpu_test *t = test->priv;
	int i;

	if (!t)
		return;
	if (!IS_ERR_OR_NULL(t->vm))
		vamdgpu_vm_destroy(t->vm);
	for (i = 0; i < TEST_PAGES; i++) {
		if (!t->pages[i])
			continue;
		dma_unmap_page(dev, t->dma[i], PAGE_SIZE, DMA_BIDIRECTIONAL);
		__free_page(t->pages[i]);
	}
}

static u64 pte_of(struct vamdgpu_test *t, int i, bool writable)
{
	return t->dma[i] | VAMDGPU_PTE_VALID | VAMDGPU_PTE_READ |
	       (writable ? VAMDGPU_PTE_WRITE : 0);
}

static int map_page(struct vamdgpu_test *t, u64 va, int i, bool writable)
{
	return vamdgpu_vm_set_pte(t->vm, va, pte_of(t, i, writable));
}

static u8 *cpu(struct vamdgpu_test *t, int i)
{
	return page_address(t->pages[i]);
}

/* A GPU access; returns the errno and whether the TLB missed. */
static int gpu_access(struct vamdgpu_test *t, u64 va, void *buf, size_t len,
		      enum vamdgpu_access access, bool *miss,
		      struct vamdgpu_fault *fault)
{
	bool m = false;
	struct vamdgpu_fault f;
	int ret;

	ret = vamdgpu_vm_access(t->vm, va, buf, len, access, &m, fault ?: &f);
	if (miss)
		*miss = m;
	return ret;
}

/* Page table */

static void vamdgpu_pt_set_read(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, VA(0)), 0);
	KUNIT_ASSERT_EQ(test, map_page(t, VA(0), 0, true), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, VA(0)), pte_of(t, 0, true));
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, VA(1)), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_set_pte(t->vm, VAMDGPU_VA_LIMIT, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, VAMDGPU_VA_LIMIT), 0);
	/* Invalidating where no leaf exists is a no-op, not an allocation. */
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_set_pte(t->vm, VA(1) + SZ_1G, 0), 0);
}

/* Reserve and write the PTEs of @npages pages from @start; both succeed. */
static void update_pages(struct kunit *test, u64 start, unsigned int npages,
			 const struct drm_pagemap_addr *addrs, u64 flags)
{
	struct vamdgpu_test *t = test->priv;
	u64 end = start + npages * PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, vamdgpu_vm_reserve_range(t->vm, start, end), 0);
	KUNIT_ASSERT_EQ(test, vamdgpu_vm_update_range(t->vm, start, end, addrs,
						      flags), 0);
}

static void vamdgpu_pt_update_orders(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	/* Start one page before a 2 MiB leaf boundary, so the span crosses it. */
	u64 start = SZ_2G - PAGE_SIZE;
	const struct drm_pagemap_addr addrs[] = {
		drm_pagemap_addr_encode(0x100000, DRM_INTERCONNECT_SYSTEM, 0,
					DMA_BIDIRECTIONAL),
		drm_pagemap_addr_encode(0x200000, DRM_INTERCONNECT_SYSTEM, 1,
					DMA_BIDIRECTIONAL),
	};
	u64 flags = VAMDGPU_PTE_VALID | VAMDGPU_PTE_READ | VAMDGPU_PTE_WRITE;

	update_pages(test, start, 3, addrs, VAMDGPU_PTE_READ | VAMDGPU_PTE_WRITE);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start), 0x100000 | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + PAGE_SIZE),
			0x200000 | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + 2 * PAGE_SIZE),
			(0x200000 + PAGE_SIZE) | flags);

	vamdgpu_vm_clear_range(t->vm, start + PAGE_SIZE, start + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start), 0x100000 | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + PAGE_SIZE), 0);
	KUNIT_EXPECT_NE(test, vamdgpu_vm_read_pte(t->vm, start + 2 * PAGE_SIZE), 0);
}

/* One run of pages (an order-1 entry) split by a leaf boundary. */
static void vamdgpu_pt_update_run_across_leaves(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	u64 start = SZ_2G - PAGE_SIZE;
	const struct drm_pagemap_addr addrs[] = {
		drm_pagemap_addr_encode(0x400000, DRM_INTERCONNECT_SYSTEM, 1,
					DMA_BIDIRECTIONAL),
		drm_pagemap_addr_encode(0x100000, DRM_INTERCONNECT_SYSTEM, 0,
					DMA_BIDIRECTIONAL),
	};
	u64 flags = VAMDGPU_PTE_VALID | VAMDGPU_PTE_READ;

	update_pages(test, start, 3, addrs, VAMDGPU_PTE_READ);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start), 0x400000 | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + PAGE_SIZE),
			(0x400000 + PAGE_SIZE) | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + 2 * PAGE_SIZE),
			0x100000 | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + 3 * PAGE_SIZE), 0);
}

/*
 * A leaf mapped whole by one 2 MiB-aligned run is one 2 MiB fragment;
 * writing or clearing part of it keeps the other pages' translations.
 */
static void vamdgpu_pt_2m_fragment(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	u64 p = PAGE_SIZE, leaf = p * VAMDGPU_PT_LEAF_PTES;
	u64 start = SZ_2G, flags = VAMDGPU_PTE_VALID | VAMDGPU_PTE_READ;
	const struct drm_pagemap_addr thp =
		drm_pagemap_addr_encode(SZ_1G, DRM_INTERCONNECT_SYSTEM,
					VAMDGPU_PT_LEAF_SHIFT,
					DMA_BIDIRECTIONAL);
	/* One run over two leaves, the second entered mid-run. */
	const struct drm_pagemap_addr two =
		drm_pagemap_addr_encode(SZ_1G, DRM_INTERCONNECT_SYSTEM,
					VAMDGPU_PT_LEAF_SHIFT + 1,
					DMA_BIDIRECTIONAL);
	const struct drm_pagemap_addr misaligned =
		drm_pagemap_addr_encode(SZ_1G + p, DRM_INTERCONNECT_SYSTEM,
					VAMDGPU_PT_LEAF_SHIFT,
					DMA_BIDIRECTIONAL);
	const struct drm_pagemap_addr page =
		drm_pagemap_addr_encode(0x100000, DRM_INTERCONNECT_SYSTEM, 0,
					DMA_BIDIRECTIONAL);

	update_pages(test, start, VAMDGPU_PT_LEAF_PTES, &thp, VAMDGPU_PTE_READ);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start), SZ_1G | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + leaf - p),
			(SZ_1G + leaf - p) | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + leaf), 0);

	/* One page of it mapped elsewhere: the others keep theirs. */
	update_pages(test, start + 7 * p, 1, &page, VAMDGPU_PTE_READ);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + 6 * p),
			(SZ_1G + 6 * p) | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + 7 * p),
			0x100000 | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + 8 * p),
			(SZ_1G + 8 * p) | flags);

	/* The first page of a fragment mapped elsewhere, then one cleared. */
	update_pages(test, start, VAMDGPU_PT_LEAF_PTES, &thp, VAMDGPU_PTE_READ);
	update_pages(test, start, 1, &page, VAMDGPU_PTE_READ);
	vamdgpu_vm_clear_range(t->vm, start + p, start + 2 * p);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start), 0x100000 | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + p), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + 2 * p),
			(SZ_1G + 2 * p) | flags);

	/* The whole leaf cleared, then one page mapped: the rest stays so. */
	vamdgpu_vm_clear_range(t->vm, start, start + leaf);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + 2 * p), 0);
	update_pages(test, start + p, 1, &page, VAMDGPU_PTE_READ);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + p),
			0x100000 | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + 2 * p), 0);

	/* A run over two leaves maps both, the second from the run's middle. */
	update_pages(test, start, 2 * VAMDGPU_PT_LEAF_PTES, &two,
		     VAMDGPU_PTE_READ);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + p),
			(SZ_1G + p) | flags);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + leaf + 3 * p),
			(SZ_1G + leaf + 3 * p) | flags);

	/* A run not aligned to the leaf in memory: each page still right. */
	update_pages(test, start, VAMDGPU_PT_LEAF_PTES, &misaligned,
		     VAMDGPU_PTE_READ);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + leaf - p),
			(SZ_1G + leaf) | flags);
	vamdgpu_vm_clear_range(t->vm, start, start + 2 * leaf);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, start + leaf), 0);
}

static void vamdgpu_pt_update_bad(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	const struct drm_pagemap_addr beyond_vram[] = {
		drm_pagemap_addr_encode(0, DRM_INTERCONNECT_SYSTEM, 0,
					DMA_BIDIRECTIONAL),
		drm_pagemap_addr_encode(test_vdev->personality->vram_size,
					DRM_INTERCONNECT_DRIVER, 0,
					DMA_BIDIRECTIONAL),
	};

	KUNIT_EXPECT_EQ(test, vamdgpu_vm_update_range(t->vm, VA(0) + 1, VA(1),
						      beyond_vram, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_update_range(t->vm, VA(1), VA(1),
						      beyond_vram, 0), -EINVAL);
	/* A bad entry leaves the whole span invalid, the good page included. */
	KUNIT_ASSERT_EQ(test, vamdgpu_vm_reserve_range(t->vm, VA(0), VA(2)), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_update_range(t->vm, VA(0), VA(2),
						      beyond_vram, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, VA(0)), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, VA(1)), 0);
}

/*
 * An update never allocates a page table: a span whose leaf was not
 * reserved is refused whole, as amdgpu's unlocked update refuses it, and
 * the part of it in a reserved leaf is left invalid too.
 */
static void vamdgpu_pt_update_unreserved(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	u64 leaf_end = VA(0) + SZ_2M;
	const struct drm_pagemap_addr addrs[] = {
		drm_pagemap_addr_encode(t->dma[0], DRM_INTERCONNECT_SYSTEM, 0,
					DMA_BIDIRECTIONAL),
		drm_pagemap_addr_encode(t->dma[1], DRM_INTERCONNECT_SYSTEM, 0,
					DMA_BIDIRECTIONAL),
	};

	KUNIT_EXPECT_EQ(test, vamdgpu_vm_update_range(t->vm, VA(0), VA(1),
						      addrs, VAMDGPU_PTE_READ),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, VA(0)), 0);

	/* The first page's leaf reserved, the second's not. */
	KUNIT_ASSERT_EQ(test, vamdgpu_vm_reserve_range(t->vm,
						       leaf_end - PAGE_SIZE,
						       leaf_end), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_update_range(t->vm,
						      leaf_end - PAGE_SIZE,
						      leaf_end + PAGE_SIZE,
						      addrs, VAMDGPU_PTE_READ),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, leaf_end - PAGE_SIZE),
			0);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_read_pte(t->vm, leaf_end), 0);
}

/* A VRAM block of 2^@order pages mapped at VA(0) with @flags. */
static struct vamdgpu_vram_block *map_vram(struct kunit *test,
					   unsigned int order, u64 flags)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_vram_block *block;
	struct drm_pagemap_addr addr;

	block = vamdgpu_vram_alloc(test_vdev->vram, 1 << order, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(block));
	addr = drm_pagemap_addr_encode(vamdgpu_vram_block_offset(block, 0),
				       DRM_INTERCONNECT_DRIVER, order,
				       DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_EQ(test, vamdgpu_vm_reserve_range(t->vm, VA(0),
						       VA(1 << order)), 0);
	KUNIT_ASSERT_EQ(test, vamdgpu_vm_update_range(t->vm, VA(0),
						      VA(1 << order), &addr,
						      flags), 0);
	return block;
}

static void vamdgpu_pt_vram(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_vram_block *block;
	u64 value = 0x1234567890abcdefull, got = 0;

	block = map_vram(test, 1, VAMDGPU_PTE_READ | VAMDGPU_PTE_WRITE);
	KUNIT_EXPECT_TRUE(test, vamdgpu_vm_read_pte(t->vm, VA(1)) & VAMDGPU_PTE_VRAM);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(1) + 8, &value, 8,
					 VAMDGPU_ACCESS_WRITE, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(1) + 8, &got, 8,
					 VAMDGPU_ACCESS_READ, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, got, value);
	vamdgpu_vm_clear_range(t->vm, VA(0), VA(2));
	vamdgpu_vm_flush_tlb(t->vm);
	vamdgpu_vram_free(block);
}

/*
 * A PTE, or a translation the TLB cached, to VRAM whose block was freed is
 * stale: the access faults instead of reading what the next user of that
 * VRAM keeps there.
 */
static void vamdgpu_pt_vram_freed(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_vram_block *block, *reused;
	struct vamdgpu_fault fault;
	bool tlb_miss = false;
	u64 got = 0, offset;

	block = map_vram(test, 0, VAMDGPU_PTE_READ);
	offset = vamdgpu_vram_block_offset(block, 0);
	KUNIT_ASSERT_EQ(test, gpu_access(t, VA(0), &got, 8, VAMDGPU_ACCESS_READ,
					 NULL, NULL), 0);
	vamdgpu_vram_free(block);

	/* The translation is cached: no walk, and still stale. */
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0), &got, 8, VAMDGPU_ACCESS_READ,
					 &tlb_miss, &fault), -EFAULT);
	KUNIT_EXPECT_FALSE(test, tlb_miss);
	KUNIT_EXPECT_EQ(test, fault.flags, VAMDGPU_FAULT_STALE_PTE);

	vamdgpu_vm_flush_tlb(t->vm);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0), &got, 8, VAMDGPU_ACCESS_READ,
					 &tlb_miss, &fault), -EFAULT);
	KUNIT_EXPECT_TRUE(test, tlb_miss);
	KUNIT_EXPECT_EQ(test, fault.flags, VAMDGPU_FAULT_STALE_PTE);

	/* The page in a new block (first fit gives it back): still stale. */
	reused = vamdgpu_vram_alloc(test_vdev->vram, 1, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(reused));
	KUNIT_ASSERT_EQ(test, vamdgpu_vram_block_offset(reused, 0), offset);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0), &got, 8, VAMDGPU_ACCESS_READ,
					 &tlb_miss, &fault), -EFAULT);
	KUNIT_EXPECT_EQ(test, fault.flags, VAMDGPU_FAULT_STALE_PTE);
	vamdgpu_vram_free(reused);
	vamdgpu_vm_clear_range(t->vm, VA(0), VA(1));
}

/* VRAM */

static void vamdgpu_vram_alloc_free(struct kunit *test)
{
	struct vamdgpu_vram *vram = test_vdev->vram;
	unsigned long npages = test_vdev->personality->vram_size >> PAGE_SHIFT;
	struct vamdgpu_vram_block *a, *b, *c;

	KUNIT_EXPECT_EQ(test, PTR_ERR(vamdgpu_vram_alloc(vram, 0, NULL, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vamdgpu_vram_alloc(vram, npages + 1, NULL, NULL)),
			-EINVAL);
	a = vamdgpu_vram_alloc(vram, 4, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	b = vamdgpu_vram_alloc(vram, 4, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_NE(test, vamdgpu_vram_block_offset(a, 0),
			vamdgpu_vram_block_offset(b, 0));
	KUNIT_EXPECT_NOT_NULL(test, vamdgpu_vram_backing_page(vram,
							      vamdgpu_vram_block_offset(b, 3)));
	/* A freed run is found again (first fit). */
	vamdgpu_vram_free(a);
	c = vamdgpu_vram_alloc(vram, 2, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	KUNIT_EXPECT_EQ(test, vamdgpu_vram_block_offset(c, 0), 0);
	/* No run of npages is left while b is allocated. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(vamdgpu_vram_alloc(vram, npages, NULL, NULL)),
			-ENOSPC);
	vamdgpu_vram_free(b);
	vamdgpu_vram_free(c);
}

/*
 * struct drm_pagemap_addr packs its metadata into the address's low bits:
 * device_map()'s address, protocol, order and direction read back, and so
 * does its refusal of another device (DMA_MAPPING_ERROR, the one address
 * with low bits set), which drm_gpusvm turns into -EFAULT.
 */
static void vamdgpu_pagemap_addr(struct kunit *test)
{
	struct device *other = kunit_device_register(test, "vamdgpu-other");
	dma_addr_t top = GENMASK_ULL(63, DRM_PAGEMAP_ADDR_SHIFT + 1);
	struct vamdgpu_vram_block *block;
	struct drm_pagemap *dpagemap;
	struct drm_pagemap_addr a;
	struct page *page;

	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	dpagemap = vamdgpu_pagemap_get(test_vdev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dpagemap));
	block = vamdgpu_vram_alloc(test_vdev->vram, 2, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(block));
	page = vamdgpu_vram_block_page(block, 1);

	a = dpagemap->ops->device_map(dpagemap, dpagemap->drm->dev, page, 0,
				      DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, drm_pagemap_addr_address(&a),
			vamdgpu_vram_block_offset(block, 1));
	KUNIT_EXPECT_EQ(test, (unsigned int)a.proto, DRM_INTERCONNECT_DRIVER);
	KUNIT_EXPECT_EQ(test, (unsigned int)a.order, 0);
	KUNIT_EXPECT_EQ(test, (unsigned int)a.dir, DMA_BIDIRECTIONAL);

	a = dpagemap->ops->device_map(dpagemap, other, page, 0, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, drm_pagemap_addr_address(&a), DMA_MAPPING_ERROR);

	/* The highest address below the error's, with every field full. */
	a = drm_pagemap_addr_encode(top, BIT(DRM_PAGEMAP_ADDR_PROTO_BITS) - 1,
				    BIT(DRM_PAGEMAP_ADDR_ORDER_BITS) - 1,
				    DMA_NONE);
	KUNIT_EXPECT_EQ(test, drm_pagemap_addr_address(&a), top);
	KUNIT_EXPECT_EQ(test, (unsigned int)a.proto, BIT(DRM_PAGEMAP_ADDR_PROTO_BITS) - 1);
	KUNIT_EXPECT_EQ(test, (unsigned int)a.order, BIT(DRM_PAGEMAP_ADDR_ORDER_BITS) - 1);
	KUNIT_EXPECT_EQ(test, (unsigned int)a.dir, DMA_NONE);

	vamdgpu_vram_free(block);
	drm_pagemap_put(dpagemap);
}

static unsigned int test_evictions;

static void test_evict(struct vamdgpu_vram_block *block)
{
	test_evictions++;
	vamdgpu_vram_free(block);
}

static const struct vamdgpu_vram_block_ops test_evict_ops = {
	.evict = test_evict,
};

static void vamdgpu_vram_evict(struct kunit *test)
{
	struct vamdgpu_vram *vram = test_vdev->vram;
	struct vamdgpu_vram_block *pinned, *a, *b;

	test_evictions = 0;
	pinned = vamdgpu_vram_alloc(vram, 1, NULL, NULL);
	a = vamdgpu_vram_alloc(vram, 3, &test_evict_ops, NULL);
	b = vamdgpu_vram_alloc(vram, 5, &test_evict_ops, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pinned) || IS_ERR(a) || IS_ERR(b));
	KUNIT_EXPECT_EQ(test, vamdgpu_vram_evict_all(vram), 2);
	KUNIT_EXPECT_EQ(test, test_evictions, 2);
	KUNIT_EXPECT_EQ(test, vamdgpu_vram_evict_all(vram), 0);
	vamdgpu_vram_free(pinned);
}

static void vamdgpu_vram_copy(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_vram *vram = test_vdev->vram;
	struct vamdgpu_vram_block *block;
	struct drm_pagemap_addr addr;
	struct page *dev;
	u8 *data;

	block = vamdgpu_vram_alloc(vram, 1, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(block));
	dev = vamdgpu_vram_block_page(block, 0);
	addr = drm_pagemap_addr_encode(t->dma[0], DRM_INTERCONNECT_SYSTEM, 0,
				       DMA_TO_DEVICE);
	KUNIT_ASSERT_EQ(test, vamdgpu_vram_copy_to_vram(vram, &dev, &addr, 1), 0);
	data = page_address(vamdgpu_vram_backing_page(vram,
						      vamdgpu_vram_block_offset(block, 0)));
	KUNIT_EXPECT_EQ(test, data[0], 0x10);
	KUNIT_EXPECT_EQ(test, data[PAGE_SIZE - 1], 0x10);
	addr = drm_pagemap_addr_encode(t->dma[1], addr.proto, addr.order,
				       addr.dir);
	KUNIT_ASSERT_EQ(test, vamdgpu_vram_copy_to_ram(vram, &dev, &addr, 1), 0);
	KUNIT_EXPECT_EQ(test, cpu(t, 1)[123], 0x10);
	vamdgpu_vram_free(block);
}

/* Which blocks test_evict_record() evicted, oldest call first. */
static void *test_evicted[4];
static unsigned int test_nevicted;

static void test_evict_record(struct vamdgpu_vram_block *block)
{
	if (test_nevicted < ARRAY_SIZE(test_evicted))
		test_evicted[test_nevicted++] = block->priv;
	vamdgpu_vram_free(block);
}

static const struct vamdgpu_vram_block_ops test_record_ops = {
	.evict = test_evict_record,
};

static void vamdgpu_vram_make_room_oldest_first(struct kunit *test)
{
	struct vamdgpu_vram *vram = test_vdev->vram;
	unsigned long quarter = (test_vdev->personality->vram_size >> PAGE_SHIFT) / 4;
	struct vamdgpu_vram_block *old, *pinned, *young, *got;

	test_nevicted = 0;
	old = vamdgpu_vram_alloc(vram, quarter, &test_record_ops, "old");
	pinned = vamdgpu_vram_alloc(vram, quarter, NULL, NULL);
	young = vamdgpu_vram_alloc(vram, 2 * quarter, &test_record_ops, "young");
	KUNIT_ASSERT_FALSE(test, IS_ERR(old) || IS_ERR(pinned) || IS_ERR(young));
	KUNIT_ASSERT_EQ(test, PTR_ERR(vamdgpu_vram_alloc(vram, 1, NULL, NULL)),
			-ENOSPC);

	/* A quarter fits once the oldest block is gone: only it goes. */
	KUNIT_EXPECT_EQ(test, vamdgpu_vram_make_room(vram, quarter), 1);
	KUNIT_EXPECT_EQ(test, test_nevicted, 1);
	KUNIT_EXPECT_STREQ(test, (char *)test_evicted[0], "old");
	got = vamdgpu_vram_alloc(vram, quarter, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(got));

	/* Nothing evictable makes room for all of VRAM: 0, the young one went. */
	KUNIT_EXPECT_EQ(test, vamdgpu_vram_make_room(vram, 4 * quarter), 1);
	KUNIT_EXPECT_STREQ(test, (char *)test_evicted[1], "young");
	vamdgpu_vram_free(got);
	vamdgpu_vram_free(pinned);
}

static unsigned int test_refusals;

/* An owner whose pages cannot move out: its block stays allocated. */
static void test_evict_refuse(struct vamdgpu_vram_block *block)
{
	test_refusals++;
}

static const struct vamdgpu_vram_block_ops test_refuse_ops = {
	.evict = test_evict_refuse,
};

/*
 * VRAM full of a block whose eviction fails: the allocation gives up with
 * -ENOSPC after a few passes (it used to offer the block again for as
 * long as each pass offered one, forever); full of a block that can go,
 * it evicts the block and succeeds.
 */
static void vamdgpu_vram_alloc_evicting_bounded(struct kunit *test)
{
	struct vamdgpu_vram *vram = test_vdev->vram;
	unsigned long npages = test_vdev->personality->vram_size >> PAGE_SHIFT;
	struct vamdgpu_vram_block *full, *got;

	test_refusals = 0;
	full = vamdgpu_vram_alloc(vram, npages, &test_refuse_ops, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(full));
	got = vamdgpu_vram_alloc_evicting(vram, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(got), -ENOSPC);
	KUNIT_EXPECT_GT(test, test_refusals, 0U);
	KUNIT_EXPECT_LE(test, test_refusals, 8U);
	vamdgpu_vram_free(full);

	test_evictions = 0;
	full = vamdgpu_vram_alloc(vram, npages, &test_evict_ops, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(full));
	got = vamdgpu_vram_alloc_evicting(vram, 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(got));
	KUNIT_EXPECT_EQ(test, test_evictions, 1U);
	vamdgpu_vram_free(got);
}

/* The contents of page @i of @block. */
static u8 *vram_data(struct vamdgpu_vram *vram, struct vamdgpu_vram_block *block,
		     unsigned long i)
{
	u64 offset = vamdgpu_vram_block_offset(block, i);

	return page_address(vamdgpu_vram_backing_page(vram, offset));
}

static void vamdgpu_vram_copy_spans(struct kunit *test)
{
	struct device *dev = test_vdev->drm.dev;
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_vram *vram = test_vdev->vram;
	struct drm_pagemap_addr addrs[4];
	struct vamdgpu_vram_block *block;
	struct page *pages[4], *pair;
	dma_addr_t pair_dma;
	unsigned int i;
	u8 *data;

	pair = alloc_pages(GFP_KERNEL, 1);
	KUNIT_ASSERT_NOT_NULL(test, pair);
	memset(page_address(pair), 0x31, PAGE_SIZE);
	memset(page_address(pair) + PAGE_SIZE, 0x32, PAGE_SIZE);
	pair_dma = dma_map_page(dev, pair, 0, 2 * PAGE_SIZE, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, pair_dma));

	block = vamdgpu_vram_alloc(vram, 4, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(block));
	for (i = 0; i < 4; i++) {
		pages[i] = vamdgpu_vram_block_page(block, i);
		/* Stale contents, as VRAM keeps them. */
		data = vram_data(vram, block, i);
		memset(data, 0xff, PAGE_SIZE);
	}
	/* One order-1 entry for pages 0-1, page 2 without data, page 3. */
	memset(addrs, 0, sizeof(addrs));
	addrs[0] = drm_pagemap_addr_encode(pair_dma, DRM_INTERCONNECT_SYSTEM, 1,
					   DMA_TO_DEVICE);
	addrs[3] = drm_pagemap_addr_encode(t->dma[3], DRM_INTERCONNECT_SYSTEM, 0,
					   DMA_TO_DEVICE);
	KUNIT_ASSERT_EQ(test, vamdgpu_vram_copy_to_vram(vram, pages, addrs, 4), 0);

	for (i = 0; i < 4; i++) {
		static const u8 expected[] = { 0x31, 0x32, 0, 0x13 };

		data = vram_data(vram, block, i);
		KUNIT_EXPECT_EQ_MSG(test, data[0], expected[i], "page %u", i);
		KUNIT_EXPECT_EQ_MSG(test, data[PAGE_SIZE - 1], expected[i],
				    "page %u", i);
	}
	vamdgpu_vram_free(block);
	dma_unmap_page(dev, pair_dma, 2 * PAGE_SIZE, DMA_BIDIRECTIONAL);
	__free_pages(pair, 1);
}

/* TLB */

struct access_case {
	const char *name;
	unsigned int offset;
	unsigned int len;
};

static const struct access_case access_cases[] = {
	{ "first-byte", 0, 1 },
	{ "u64", 8, 8 },
	{ "page-tail", PAGE_SIZE - 4, 4 },
	{ "whole-page", 0, PAGE_SIZE },
	{ "middle", 100, 3000 },
};

static void access_case_desc(const struct access_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(access, access_cases, access_case_desc);

static void vamdgpu_tlb_access_span(struct kunit *test)
{
	const struct access_case *c = test->param_value;
	struct vamdgpu_test *t = test->priv;
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, map_page(t, VA(0), 0, true), 0);
	KUNIT_ASSERT_EQ(test, gpu_access(t, VA(0) + c->offset, buf, c->len,
					 VAMDGPU_ACCESS_READ, NULL, NULL), 0);
	for (i = 0; i < c->len; i++)
		KUNIT_ASSERT_EQ(test, buf[i], 0x10);
	memset(buf, 0xee, c->len);
	KUNIT_ASSERT_EQ(test, gpu_access(t, VA(0) + c->offset, buf, c->len,
					 VAMDGPU_ACCESS_WRITE, NULL, NULL), 0);
	for (i = 0; i < PAGE_SIZE; i++)
		KUNIT_ASSERT_EQ(test, cpu(t, 0)[i],
				i >= c->offset && i < c->offset + c->len ? 0xee : 0x10);
}

static void vamdgpu_tlb_hit_after_miss(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	bool miss;
	u64 v;

	KUNIT_ASSERT_EQ(test, map_page(t, VA(0), 0, true), 0);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0), &v, 8, VAMDGPU_ACCESS_READ,
					 &miss, NULL), 0);
	KUNIT_EXPECT_TRUE(test, miss);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0) + 8, &v, 8, VAMDGPU_ACCESS_READ,
					 &miss, NULL), 0);
	KUNIT_EXPECT_FALSE(test, miss);
	vamdgpu_vm_flush_tlb(t->vm);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0), &v, 8, VAMDGPU_ACCESS_READ,
					 &miss, NULL), 0);
	KUNIT_EXPECT_TRUE(test, miss);
}

/*
 * What the SVM invalidation check sees: SVM pages reachable through a PTE
 * or a cached translation; pages mapped by hand (pinned) never.
 */
static void vamdgpu_tlb_reachable(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	u8 v;

	KUNIT_ASSERT_EQ(test, vamdgpu_vm_set_pte(t->vm, VA(0),
						 pte_of(t, 0, true) |
						 VAMDGPU_PTE_PINNED), 0);
	KUNIT_ASSERT_EQ(test, map_page(t, VA(2), 1, true), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_first_reachable(t->vm, VA(0), VA(4)),
			VA(2));
	KUNIT_ASSERT_EQ(test, gpu_access(t, VA(0), &v, 1, VAMDGPU_ACCESS_READ,
					 NULL, NULL), 0);
	KUNIT_ASSERT_EQ(test, gpu_access(t, VA(2), &v, 1, VAMDGPU_ACCESS_READ,
					 NULL, NULL), 0);

	/* Cleared but not flushed: the TLB still reaches the SVM page. */
	vamdgpu_vm_clear_range(t->vm, VA(2), VA(3));
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_first_reachable(t->vm, VA(0), VA(4)),
			VA(2));
	vamdgpu_vm_flush_tlb(t->vm);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_first_reachable(t->vm, VA(0), VA(4)),
			VA(4));
	/* The pinned page is still mapped and cached, and left out. */
	KUNIT_ASSERT_EQ(test, gpu_access(t, VA(0), &v, 1, VAMDGPU_ACCESS_READ,
					 NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, v, 0x10);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_first_reachable(t->vm, VA(0), VA(4)),
			VA(4));
}

static void vamdgpu_tlb_stale_until_flush(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_fault fault;
	u8 v;

	KUNIT_ASSERT_EQ(test, map_page(t, VA(0), 0, true), 0);
	KUNIT_ASSERT_EQ(test, gpu_access(t, VA(0), &v, 1, VAMDGPU_ACCESS_READ,
					 NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, v, 0x10);

	/* Repoint without a flush: the cached translation wins. */
	KUNIT_ASSERT_EQ(test, map_page(t, VA(0), 1, true), 0);
	KUNIT_ASSERT_EQ(test, gpu_access(t, VA(0), &v, 1, VAMDGPU_ACCESS_READ,
					 NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, v, 0x10);
	vamdgpu_vm_flush_tlb(t->vm);
	KUNIT_ASSERT_EQ(test, gpu_access(t, VA(0), &v, 1, VAMDGPU_ACCESS_READ,
					 NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, v, 0x11);

	/* Clear without a flush: still readable; after it, a fault. */
	vamdgpu_vm_clear_range(t->vm, VA(0), VA(1));
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0), &v, 1, VAMDGPU_ACCESS_READ,
					 NULL, NULL), 0);
	vamdgpu_vm_flush_tlb(t->vm);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0) + 5, &v, 1, VAMDGPU_ACCESS_READ,
					 NULL, &fault), -EFAULT);
	KUNIT_EXPECT_EQ(test, fault.addr, VA(0) + 5);
	KUNIT_EXPECT_EQ(test, fault.flags, 0);
}

static void vamdgpu_tlb_permission_not_cached(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_fault fault;
	u32 v = 0xabcd;

	KUNIT_ASSERT_EQ(test, map_page(t, VA(2), 2, false), 0);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(2), &v, 4, VAMDGPU_ACCESS_READ,
					 NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(2) + 4, &v, 4, VAMDGPU_ACCESS_WRITE,
					 NULL, &fault), -EFAULT);
	KUNIT_EXPECT_EQ(test, fault.flags,
			VAMDGPU_FAULT_WRITE | VAMDGPU_FAULT_PERMISSION);
	/* The upgrade needs no flush: the faulting entry was dropped. */
	KUNIT_ASSERT_EQ(test, map_page(t, VA(2), 2, true), 0);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(2) + 4, &v, 4, VAMDGPU_ACCESS_WRITE,
					 NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, *(u32 *)(cpu(t, 2) + 4), v);
}

/*
 * A valid PTE whose page is frozen (as migration, reclaim and THP split
 * freeze it, after the MMU notifiers ran) is a mapping the driver failed to
 * clear: the access faults as a stale PTE and never touches the page.
 */
static void vamdgpu_tlb_stale_pte(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct folio *folio = page_folio(t->pages[3]);
	struct vamdgpu_fault fault;
	u8 v = 0x77;
	int ret;

	KUNIT_ASSERT_EQ(test, map_page(t, VA(3), 3, true), 0);
	KUNIT_ASSERT_TRUE(test, folio_ref_freeze(folio, 1));
	ret = gpu_access(t, VA(3) + 1, &v, 1, VAMDGPU_ACCESS_WRITE, NULL,
			 &fault);
	folio_ref_unfreeze(folio, 1);
	KUNIT_EXPECT_EQ(test, ret, -EFAULT);
	KUNIT_EXPECT_EQ(test, fault.addr, VA(3) + 1);
	KUNIT_EXPECT_EQ(test, fault.flags,
			VAMDGPU_FAULT_WRITE | VAMDGPU_FAULT_STALE_PTE);
	KUNIT_EXPECT_EQ(test, cpu(t, 3)[1], 0x13);
	/* Unfrozen, the same PTE works. */
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(3) + 1, &v, 1,
					 VAMDGPU_ACCESS_WRITE, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, cpu(t, 3)[1], 0x77);
}

/*
 * Each device sees system memory at bus addresses of its own, as behind an
 * IOMMU: a PTE written with another GPU's DMA address of a page does not
 * reach the page but faults as a stale PTE (with DMA addresses equal to
 * physical ones it used to work by chance), and the page keeps its data.
 */
static void vamdgpu_tlb_other_device_dma(struct kunit *test)
{
	const struct vamdgpu_personality *p = vamdgpu_personality_find("gfx943");
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_device *other;
	struct vamdgpu_fault fault;
	struct device *dev;
	dma_addr_t dma;
	u8 v = 0x77;
	int ret;

	other = vamdgpu_device_create(p, VAMDGPU_TEST_INSTANCE + 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	dev = other->drm.dev;
	dma = dma_map_page(dev, t->pages[2], 0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, dma)) {
		vamdgpu_device_destroy(other);
		KUNIT_FAIL(test, "the second device cannot map the page");
		return;
	}
	KUNIT_EXPECT_NE_MSG(test, dma, t->dma[2],
			    "two devices map the page at the same bus address");

	ret = vamdgpu_vm_set_pte(t->vm, VA(2), dma | VAMDGPU_PTE_VALID |
				 VAMDGPU_PTE_READ | VAMDGPU_PTE_WRITE);
	if (!ret)
		ret = gpu_access(t, VA(2), &v, 1, VAMDGPU_ACCESS_WRITE, NULL,
				 &fault);
	dma_unmap_page(dev, dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
	vamdgpu_device_destroy(other);
	KUNIT_EXPECT_EQ_MSG(test, ret, -EFAULT,
			    "a PTE with another device's DMA address reached memory");
	if (ret == -EFAULT)
		KUNIT_EXPECT_EQ(test, fault.flags,
				VAMDGPU_FAULT_WRITE | VAMDGPU_FAULT_STALE_PTE);
	KUNIT_EXPECT_EQ(test, cpu(t, 2)[0], 0x12);
}

static void vamdgpu_tlb_conflict(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	u64 other = VA(0) + VAMDGPU_TLB_ENTRIES * PAGE_SIZE;
	bool miss;
	u8 v;

	KUNIT_ASSERT_EQ(test, map_page(t, VA(0), 0, true), 0);
	KUNIT_ASSERT_EQ(test, map_page(t, other, 1, true), 0);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0), &v, 1, VAMDGPU_ACCESS_READ,
					 &miss, NULL), 0);
	KUNIT_EXPECT_TRUE(test, miss);
	KUNIT_EXPECT_EQ(test, gpu_access(t, other, &v, 1, VAMDGPU_ACCESS_READ,
					 &miss, NULL), 0);
	KUNIT_EXPECT_TRUE(test, miss);
	KUNIT_EXPECT_EQ(test, v, 0x11);
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(0), &v, 1, VAMDGPU_ACCESS_READ,
					 &miss, NULL), 0);
	KUNIT_EXPECT_TRUE(test, miss);
	KUNIT_EXPECT_EQ(test, v, 0x10);
}

static void vamdgpu_tlb_atomic(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	u64 v = 5;

	KUNIT_ASSERT_EQ(test, map_page(t, VA(3), 3, true), 0);
	*(u64 *)cpu(t, 3) = 100;
	KUNIT_EXPECT_EQ(test, gpu_access(t, VA(3), &v, 8,
					 VAMDGPU_ACCESS_ATOMIC_ADD, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, v, 100);
	KUNIT_EXPECT_EQ(test, *(u64 *)cpu(t, 3), 105);
}

/* Queue engine */

static int run(struct kunit *test, struct vamdgpu_queue *q,
	       const struct drm_vamdgpu_cmd *cmds, u32 n)
{
	u64 seqno;
	int ret;

	ret = vamdgpu_queue_submit(q, cmds, n, &seqno);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return vamdgpu_queue_wait(q, seqno, TEST_TIMEOUT_NS);
}

static struct vamdgpu_queue *new_queue(struct kunit *test, struct vamdgpu_vm *vm)
{
	struct vamdgpu_queue *q;
	u32 id;

	KUNIT_ASSERT_EQ(test, vamdgpu_queue_create(vm, 0, &id), 0);
	q = vamdgpu_queue_get(vm, id);
	KUNIT_ASSERT_NOT_NULL(test, q);
	/* The VM's reference keeps it; tests use it until the VM dies. */
	vamdgpu_queue_put(q);
	return q;
}

static void map_all(struct kunit *test, struct vamdgpu_test *t)
{
	int i;

	for (i = 0; i < TEST_PAGES; i++)
		KUNIT_ASSERT_EQ(test, map_page(t, VA(i), i, true), 0);
}

static void vamdgpu_queue_commands(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_queue *q = new_queue(test, t->vm);
	const struct drm_vamdgpu_cmd cmds[] = {
		{ .op = VAMDGPU_CMD_FILL, .dst = VA(1) - 4, .size = 12,
		  .value = 0xa1b2c3d4 },
		{ .op = VAMDGPU_CMD_COPY, .dst = VA(2) + 10, .src = VA(0) + 1,
		  .size = 2 * PAGE_SIZE - 100 },
		{ .op = VAMDGPU_CMD_WRITE, .dst = VA(3), .size = 8, .value = 40 },
		{ .op = VAMDGPU_CMD_ATOMIC_ADD, .dst = VA(3), .size = 8, .value = 2 },
		{ .op = VAMDGPU_CMD_FENCE, .dst = VA(3) + 8, .size = 8, .value = 7 },
		{ .op = VAMDGPU_CMD_READ, .src = VA(3), .size = 16 },
	};

	map_all(test, t);
	KUNIT_ASSERT_EQ(test, run(test, q, cmds, ARRAY_SIZE(cmds)), 0);
	/* FILL across the page boundary, pattern continuous. */
	KUNIT_EXPECT_EQ(test, *(u32 *)(cpu(t, 0) + PAGE_SIZE - 4), 0xa1b2c3d4);
	KUNIT_EXPECT_EQ(test, *(u32 *)cpu(t, 1), 0xa1b2c3d4);
	KUNIT_EXPECT_EQ(test, *(u32 *)(cpu(t, 1) + 4), 0xa1b2c3d4);
	KUNIT_EXPECT_EQ(test, cpu(t, 1)[8], 0x11);
	/* COPY from VA(0)+1 to VA(2)+10: source and destination cross pages. */
	KUNIT_EXPECT_EQ(test, cpu(t, 2)[10], 0x10);
	KUNIT_EXPECT_EQ(test, cpu(t, 2)[9], 0x12);
	KUNIT_EXPECT_EQ(test, cpu(t, 3)[20], 0x11);
	KUNIT_EXPECT_EQ(test, cpu(t, 3)[PAGE_SIZE - 90], 0x13);
	KUNIT_EXPECT_EQ(test, *(u64 *)cpu(t, 3), 42);
	KUNIT_EXPECT_EQ(test, *(u64 *)(cpu(t, 3) + 8), 7);
	KUNIT_EXPECT_EQ(test, q->read_value, 42);
	KUNIT_EXPECT_EQ(test, q->completed, 1);
}

static void vamdgpu_queue_vm_fault(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_queue *q = new_queue(test, t->vm);
	const struct drm_vamdgpu_cmd cmds[] = {
		{ .op = VAMDGPU_CMD_WRITE, .dst = VA(0), .size = 4, .value = 1 },
		{ .op = VAMDGPU_CMD_COPY, .dst = VA(1), .src = VA(5) + 12, .size = 4 },
		{ .op = VAMDGPU_CMD_WRITE, .dst = VA(0) + 4, .size = 4, .value = 1 },
	};
	u64 seqno;

	KUNIT_ASSERT_EQ(test, map_page(t, VA(0), 0, true), 0);
	KUNIT_ASSERT_EQ(test, map_page(t, VA(1), 1, true), 0);
	KUNIT_EXPECT_EQ(test, run(test, q, cmds, ARRAY_SIZE(cmds)), -EIO);
	KUNIT_EXPECT_TRUE(test, q->error);
	KUNIT_EXPECT_EQ(test, q->fault_addr, VA(5) + 12);
	KUNIT_EXPECT_EQ(test, q->fault_flags, 0);
	KUNIT_EXPECT_EQ(test, q->vm_faults, 1);
	KUNIT_EXPECT_EQ(test, *(u32 *)cpu(t, 0), 1);
	KUNIT_EXPECT_EQ(test, *(u32 *)(cpu(t, 0) + 4), 0x10101010);
	KUNIT_EXPECT_EQ(test, vamdgpu_queue_submit(q, cmds, 1, &seqno), -EIO);
}

static int test_fault_handler(struct vamdgpu_vm *vm, void *priv, u64 addr,
			      bool write)
{
	struct vamdgpu_test *t = priv;
	int i = (addr - VA(0)) >> PAGE_SHIFT;

	t->faults++;
	if (!t->map_on_fault)
		return 0;	/* a lying handler: the retry bound must stop it */
	if (addr < VA(0) || i >= TEST_PAGES)
		return -EFAULT;
	return map_page(t, addr & PAGE_MASK, i, true);
}

static const struct vamdgpu_fault_handler test_handler = {
	.handle_fault = test_fault_handler,
};

static void set_handler(struct kunit *test, struct vamdgpu_test *t)
{
	int ret;

	KUNIT_ASSERT_EQ(test, vamdgpu_vm_set_xnack(t->vm, true), 0);
	mutex_lock(&t->vm->lock);
	ret = vamdgpu_vm_set_fault_handler(t->vm, &test_handler, t);
	mutex_unlock(&t->vm->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

static void vamdgpu_queue_xnack_retry(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_queue *q;
	const struct drm_vamdgpu_cmd fill = {
		.op = VAMDGPU_CMD_FILL, .dst = VA(1), .size = 2 * PAGE_SIZE,
		.value = 0x5555aaaa,
	};

	t->map_on_fault = true;
	set_handler(test, t);
	q = new_queue(test, t->vm);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_set_xnack(t->vm, false), -EBUSY);
	KUNIT_EXPECT_EQ(test, run(test, q, &fill, 1), 0);
	KUNIT_EXPECT_EQ(test, t->faults, 2);
	KUNIT_EXPECT_EQ(test, q->retry_faults, 2);
	KUNIT_EXPECT_EQ(test, *(u32 *)(cpu(t, 2) + PAGE_SIZE - 4), 0x5555aaaa);
}

static void vamdgpu_queue_retry_bound(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_queue *q;
	const struct drm_vamdgpu_cmd write = {
		.op = VAMDGPU_CMD_WRITE, .dst = VA(1), .size = 4, .value = 1,
	};

	set_handler(test, t);
	q = new_queue(test, t->vm);
	KUNIT_EXPECT_EQ(test, run(test, q, &write, 1), -EIO);
	KUNIT_EXPECT_EQ(test, t->faults, 16);
	KUNIT_EXPECT_EQ(test, q->fault_flags,
			VAMDGPU_FAULT_WRITE | VAMDGPU_FAULT_RETRY_FAILED);
}

static void vamdgpu_queue_quiesce(struct kunit *test)
{
	struct vamdgpu_test *t = test->priv;
	struct vamdgpu_queue *q = new_queue(test, t->vm);
	const struct drm_vamdgpu_cmd write = {
		.op = VAMDGPU_CMD_WRITE, .dst = VA(0), .size = 4, .value = 9,
	};
	u64 seqno;

	map_all(test, t);
	vamdgpu_vm_quiesce(t->vm);
	vamdgpu_vm_quiesce(t->vm);
	KUNIT_ASSERT_EQ(test, vamdgpu_queue_submit(q, &write, 1, &seqno), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_queue_wait(q, seqno, 50 * NSEC_PER_MSEC), -ETIME);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_resume(t->vm), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_queue_wait(q, seqno, 50 * NSEC_PER_MSEC), -ETIME);
	KUNIT_EXPECT_EQ(test, *(u32 *)cpu(t, 0), 0x10101010);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_resume(t->vm), 0);
	KUNIT_EXPECT_EQ(test, vamdgpu_queue_wait(q, seqno, TEST_TIMEOUT_NS), 0);
	KUNIT_EXPECT_EQ(test, *(u32 *)cpu(t, 0), 9);
	KUNIT_EXPECT_EQ(test, vamdgpu_vm_resume(t->vm), -EINVAL);
	KUNIT_EXPECT_EQ(test, q->quiesce_count, 1);
	KUNIT_EXPECT_EQ(test, q->resume_count, 1);
}

struct cmd_case {
	const char *name;
	struct drm_vamdgpu_cmd cmd;
	int ret;
};

static const struct cmd_case cmd_cases[] = {
	{ "read-ok", { .op = VAMDGPU_CMD_READ, .src = 8, .size = 12 }, 0 },
	{ "read-odd", { .op = VAMDGPU_CMD_READ, .src = 8, .size = 6 }, -EINVAL },
	{ "write-4", { .op = VAMDGPU_CMD_WRITE, .dst = 1, .size = 4 }, 0 },
	{ "write-3", { .op = VAMDGPU_CMD_WRITE, .dst = 1, .size = 3 }, -EINVAL },
	{ "fill-wraps", { .op = VAMDGPU_CMD_FILL, .dst = ~0ull - 3, .size = 8 }, -EINVAL },
	{ "copy-max", { .op = VAMDGPU_CMD_COPY, .size = VAMDGPU_CMD_MAX_SIZE }, 0 },
	{ "copy-too-big", { .op = VAMDGPU_CMD_COPY, .size = VAMDGPU_CMD_MAX_SIZE + 1 },
	  -EINVAL },
	{ "atomic-unaligned", { .op = VAMDGPU_CMD_ATOMIC_ADD, .dst = 4, .size = 8 },
	  -EINVAL },
	{ "fence-ok", { .op = VAMDGPU_CMD_FENCE, .dst = 8, .size = 8 }, 0 },
	{ "flags", { .op = VAMDGPU_CMD_FENCE, .flags = 1, .dst = 8, .size = 8 }, -EINVAL },
	{ "unknown-op", { .op = 6, .size = 8 }, -EINVAL },
};

static void cmd_case_desc(const struct cmd_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cmd, cmd_cases, cmd_case_desc);

static void vamdgpu_queue_cmd_validate(struct kunit *test)
{
	const struct cmd_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vamdgpu_cmd_validate(&c->cmd), c->ret);
}

static struct kunit_case vamdgpu_pt_cases[] = {
	KUNIT_CASE(vamdgpu_pt_set_read),
	KUNIT_CASE(vamdgpu_pt_update_orders),
	KUNIT_CASE(vamdgpu_pt_update_run_across_leaves),
	KUNIT_CASE(vamdgpu_pt_2m_fragment),
	KUNIT_CASE(vamdgpu_pt_update_bad),
	KUNIT_CASE(vamdgpu_pt_update_unreserved),
	KUNIT_CASE(vamdgpu_pt_vram),
	KUNIT_CASE(vamdgpu_pt_vram_freed),
	{}
};

static struct kunit_suite vamdgpu_pt_suite = {
	.name = "vamdgpu_page_table",
	.suite_init = vamdgpu_test_suite_init,
	.suite_exit = vamdgpu_test_suite_exit,
	.init = vamdgpu_test_init,
	.exit = vamdgpu_test_exit,
	.test_cases = vamdgpu_pt_cases,
};

static struct kunit_case vamdgpu_vram_cases[] = {
	KUNIT_CASE(vamdgpu_vram_alloc_free),
	KUNIT_CASE(vamdgpu_vram_evict),
	KUNIT_CASE(vamdgpu_vram_copy),
	KUNIT_CASE(vamdgpu_vram_copy_spans),
	KUNIT_CASE(vamdgpu_vram_make_room_oldest_first),
	KUNIT_CASE(vamdgpu_vram_alloc_evicting_bounded),
	KUNIT_CASE(vamdgpu_pagemap_addr),
	{}
};

static struct kunit_suite vamdgpu_vram_suite = {
	.name = "vamdgpu_vram",
	.suite_init = vamdgpu_test_suite_init,
	.suite_exit = vamdgpu_test_suite_exit,
	.init = vamdgpu_test_init,
	.exit = vamdgpu_test_exit,
	.test_cases = vamdgpu_vram_cases,
};

static struct kunit_case vamdgpu_tlb_cases[] = {
	KUNIT_CASE_PARAM(vamdgpu_tlb_access_span, access_gen_params),
	KUNIT_CASE(vamdgpu_tlb_hit_after_miss),
	KUNIT_CASE(vamdgpu_tlb_reachable),
	KUNIT_CASE(vamdgpu_tlb_stale_until_flush),
	KUNIT_CASE(vamdgpu_tlb_permission_not_cached),
	KUNIT_CASE(vamdgpu_tlb_stale_pte),
	KUNIT_CASE(vamdgpu_tlb_other_device_dma),
	KUNIT_CASE(vamdgpu_tlb_conflict),
	KUNIT_CASE(vamdgpu_tlb_atomic),
	{}
};

static struct kunit_suite vamdgpu_tlb_suite = {
	.name = "vamdgpu_tlb",
	.suite_init = vamdgpu_test_suite_init,
	.suite_exit = vamdgpu_test_suite_exit,
	.init = vamdgpu_test_init,
	.exit = vamdgpu_test_exit,
	.test_cases = vamdgpu_tlb_cases,
};

static struct kunit_case vamdgpu_queue_cases[] = {
	KUNIT_CASE_PARAM(vamdgpu_queue_cmd_validate, cmd_gen_params),
	KUNIT_CASE(vamdgpu_queue_commands),
	KUNIT_CASE(vamdgpu_queue_vm_fault),
	KUNIT_CASE(vamdgpu_queue_xnack_retry),
	KUNIT_CASE(vamdgpu_queue_retry_bound),
	KUNIT_CASE(vamdgpu_queue_quiesce),
	{}
};

static struct kunit_suite vamdgpu_queue_suite = {
	.name = "vamdgpu_queue_engine",
	.suite_init = vamdgpu_test_suite_init,
	.suite_exit = vamdgpu_test_suite_exit,
	.init = vamdgpu_test_init,
	.exit = vamdgpu_test_exit,
	.test_cases = vamdgpu_queue_cases,
};

kunit_test_suites(&vamdgpu_pt_suite, &vamdgpu_vram_suite, &vamdgpu_tlb_suite,
		  &vamdgpu_queue_suite);

MODULE_DESCRIPTION("KUnit tests of the vamdgpu virtual GPU");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
