// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm attr
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM attributes
 * Functionality: DRM_AMDGPU_GEM_SVM SET_ATTR / GET_ATTR conformance
 * Description: The attribute half of the SVM ioctl: KFD's attribute
 *	vocabulary round-trips, spans split at head and tail, GET over mixed
 *	spans follows KFD's rules, munmap forgets attributes, and every
 *	documented validation rule rejects bad input with its errno. Every
 *	subtest runs per GPU and XNACK mode (a context opened in that mode),
 *	its dynamic subtests named gpuN-TARGET-xnack-on/off.
 *
 * SUBTEST: defaults
 * Description: Memory never given attributes reads back KFD's defaults,
 *	its ACCESS included: ACCESS with XNACK on, NO_ACCESS with it off.
 *
 * SUBTEST: set-get
 * Description: Each attribute type set on a span reads back as set, one
 *	dynamic subtest per attribute and mode (PREFETCH_LOC to the GPU
 *	reads back as its gpu_id).
 *
 * SUBTEST: prefetch-half
 * Description: PREFETCH_LOC set to the GPU on half a span reads back as the
 *	GPU's id on that half, and UNDEFINED over the whole span.
 *
 * SUBTEST: all-types-at-once
 * Description: One SET_ATTR carrying every attribute type, and one GET_ATTR
 *	asking for every type, read back what was set.
 *
 * SUBTEST: split-head-tail
 * Description: Setting the middle of a span leaves its head and tail as
 *	they were; GET over all of it reports the mix as undefined.
 *
 * SUBTEST: mixed-flags
 * Description: GET over pages with different flags returns the AND of
 *	the set flags and the NOR for the cleared ones.
 *
 * SUBTEST: granularity-min
 * Description: GET over pages with different granularities returns the
 *	smallest.
 *
 * SUBTEST: access
 * Description: ACCESS, ACCESS_IN_PLACE and NO_ACCESS round-trip per GPU;
 *	a span with mixed access reads as NO_ACCESS.
 *
 * SUBTEST: munmap-clears
 * Description: After munmap and a new mmap at the same address the span
 *	has the default attributes again.
 *
 * SUBTEST: partial-munmap-keeps-rest
 * Description: Unmapping the middle of a span with attributes keeps the
 *	attributes of the pages still mapped.
 *
 * SUBTEST: bad-input
 * Description: Every validation rule of the UAPI header fails with its
 *	documented errno, one dynamic subtest per rule, and changes nothing.
 *
 * SUBTEST: fork-child-ebadf
 * Description: A forked child using its parent's file descriptor gets
 *	EBADF: it does not act on the parent's SVM state.
 *
 * SUBTEST: set-attr-threads
 * Description: Threads of one process SET_ATTR their own neighbouring
 *	spans over and over (splitting and merging the same intervals) while
 *	they GET across all of them: every call succeeds and each span ends
 *	with its own thread's last values.
 */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_gpu.h"

#define NPAGES		16
#define DEF_FLAGS	(AMDGPU_SVM_FLAG_HOST_ACCESS | AMDGPU_SVM_FLAG_COHERENT)
#define UNDEF		AMDGPU_SVM_LOCATION_UNDEFINED

static size_t page_size;

static char *map_pages(unsigned int n)
{
	char *p = mmap(NULL, n * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert_f(p != MAP_FAILED, "mmap of %u pages: %m\n", n);
	return p;
}

static uint64_t pg(const char *buf, unsigned int n)
{
	return (uintptr_t)buf + (uint64_t)n * page_size;
}

static uint64_t npg(unsigned int n)
{
	return (uint64_t)n * page_size;
}

static void expect_one(int fd, const char *buf, unsigned int first,
		       unsigned int count, uint32_t type, uint32_t expected)
{
	uint32_t got = svm_get_one(fd, pg(buf, first), npg(count), type);

	igt_assert_f(got == expected,
		     "GET type %u over pages %u..%u at 0x%llx: expected 0x%x, got 0x%x\n",
		     type, first, first + count - 1,
		     (unsigned long long)pg(buf, first), expected, got);
}

static void test_defaults(int fd, uint32_t gpu_id, bool xnack)
{
	char *buf = map_pages(NPAGES);
	uint32_t access = svm_get_access(fd, pg(buf, 0), npg(NPAGES), gpu_id);

	igt_assert_f(access == (xnack ? AMDGPU_SVM_ATTR_ACCESS :
				AMDGPU_SVM_ATTR_NO_ACCESS),
		     "untouched memory with XNACK %s: access type %u, expected %s\n",
		     xnack ? "on" : "off", access,
		     xnack ? "ACCESS" : "NO_ACCESS");

	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_PREFERRED_LOC, UNDEF);
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_PREFETCH_LOC, UNDEF);
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_SET_FLAGS, DEF_FLAGS);
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_CLR_FLAGS,
		   AMDGPU_SVM_FLAGS_ALL & ~DEF_FLAGS);
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_GRANULARITY, 9);
	munmap(buf, npg(NPAGES));
}

struct set_get_case {
	const char *name;
	uint32_t type;
	uint32_t value;		/* SVM_GPU_ID: the GPU's gpu_id */
	uint32_t get_type;
	uint32_t expected;	/* SVM_GPU_ID: the GPU's gpu_id */
};

#define SVM_GPU_ID	0xfffffffeu

static const struct set_get_case set_get_cases[] = {
	{ "preferred-loc-sysmem", AMDGPU_SVM_ATTR_PREFERRED_LOC,
	  AMDGPU_SVM_LOCATION_SYSMEM, AMDGPU_SVM_ATTR_PREFERRED_LOC,
	  AMDGPU_SVM_LOCATION_SYSMEM },
	{ "preferred-loc-gpu", AMDGPU_SVM_ATTR_PREFERRED_LOC, SVM_GPU_ID,
	  AMDGPU_SVM_ATTR_PREFERRED_LOC, SVM_GPU_ID },
	{ "preferred-loc-undefined", AMDGPU_SVM_ATTR_PREFERRED_LOC, UNDEF,
	  AMDGPU_SVM_ATTR_PREFERRED_LOC, UNDEF },
	{ "prefetch-loc-sysmem", AMDGPU_SVM_ATTR_PREFETCH_LOC,
	  AMDGPU_SVM_LOCATION_SYSMEM, AMDGPU_SVM_ATTR_PREFETCH_LOC,
	  AMDGPU_SVM_LOCATION_SYSMEM },
	{ "prefetch-loc-gpu", AMDGPU_SVM_ATTR_PREFETCH_LOC, SVM_GPU_ID,
	  AMDGPU_SVM_ATTR_PREFETCH_LOC, SVM_GPU_ID },
	{ "set-flags-gpu-ro", AMDGPU_SVM_ATTR_SET_FLAGS,
	  AMDGPU_SVM_FLAG_GPU_RO, AMDGPU_SVM_ATTR_SET_FLAGS,
	  DEF_FLAGS | AMDGPU_SVM_FLAG_GPU_RO },
	{ "set-flags-gpu-exec", AMDGPU_SVM_ATTR_SET_FLAGS,
	  AMDGPU_SVM_FLAG_GPU_EXEC, AMDGPU_SVM_ATTR_SET_FLAGS,
	  DEF_FLAGS | AMDGPU_SVM_FLAG_GPU_EXEC },
	{ "set-flags-always-mapped", AMDGPU_SVM_ATTR_SET_FLAGS,
	  AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED, AMDGPU_SVM_ATTR_SET_FLAGS,
	  DEF_FLAGS | AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED },
	{ "clr-flags-host-access", AMDGPU_SVM_ATTR_CLR_FLAGS,
	  AMDGPU_SVM_FLAG_HOST_ACCESS, AMDGPU_SVM_ATTR_CLR_FLAGS,
	  AMDGPU_SVM_FLAGS_ALL & ~AMDGPU_SVM_FLAG_COHERENT },
	{ "clr-flags-coherent", AMDGPU_SVM_ATTR_CLR_FLAGS,
	  AMDGPU_SVM_FLAG_COHERENT, AMDGPU_SVM_ATTR_SET_FLAGS,
	  AMDGPU_SVM_FLAG_HOST_ACCESS },
	{ "granularity-0", AMDGPU_SVM_ATTR_GRANULARITY, 0,
	  AMDGPU_SVM_ATTR_GRANULARITY, 0 },
	{ "granularity-max", AMDGPU_SVM_ATTR_GRANULARITY,
	  AMDGPU_SVM_MAX_GRANULARITY, AMDGPU_SVM_ATTR_GRANULARITY,
	  AMDGPU_SVM_MAX_GRANULARITY },
};

static uint32_t resolve(uint32_t v, uint32_t gpu_id)
{
	return v == SVM_GPU_ID ? gpu_id : v;
}

static void test_set_get_one(int fd, uint32_t gpu_id,
			     const struct set_get_case *c)
{
	char *buf = map_pages(NPAGES);

	svm_set_one(fd, pg(buf, 0), npg(NPAGES), c->type,
		    resolve(c->value, gpu_id));
	expect_one(fd, buf, 0, NPAGES, c->get_type,
		   resolve(c->expected, gpu_id));
	expect_one(fd, buf, 3, 2, c->get_type, resolve(c->expected, gpu_id));
	munmap(buf, npg(NPAGES));
}

static void test_prefetch_half(int fd, uint32_t gpu_id)
{
	char *buf = map_pages(NPAGES);

	svm_set_one(fd, pg(buf, 0), npg(NPAGES / 2),
		    AMDGPU_SVM_ATTR_PREFETCH_LOC, gpu_id);
	expect_one(fd, buf, 0, NPAGES / 2, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		   gpu_id);
	expect_one(fd, buf, NPAGES / 2, NPAGES / 2,
		   AMDGPU_SVM_ATTR_PREFETCH_LOC, UNDEF);
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_PREFETCH_LOC, UNDEF);
	munmap(buf, npg(NPAGES));
}

static void test_all_types(int fd, uint32_t gpu_id)
{
	const struct drm_amdgpu_svm_attribute set[] = {
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC, AMDGPU_SVM_LOCATION_SYSMEM },
		{ AMDGPU_SVM_ATTR_PREFETCH_LOC, gpu_id },
		{ AMDGPU_SVM_ATTR_ACCESS_IN_PLACE, gpu_id },
		{ AMDGPU_SVM_ATTR_SET_FLAGS, AMDGPU_SVM_FLAG_GPU_RO },
		{ AMDGPU_SVM_ATTR_CLR_FLAGS, AMDGPU_SVM_FLAG_COHERENT },
		{ AMDGPU_SVM_ATTR_GRANULARITY, 5 },
	};
	struct drm_amdgpu_svm_attribute get[] = {
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC },
		{ AMDGPU_SVM_ATTR_PREFETCH_LOC },
		{ AMDGPU_SVM_ATTR_ACCESS, gpu_id },
		{ AMDGPU_SVM_ATTR_SET_FLAGS },
		{ AMDGPU_SVM_ATTR_CLR_FLAGS },
		{ AMDGPU_SVM_ATTR_GRANULARITY },
	};
	const uint32_t flags = AMDGPU_SVM_FLAG_HOST_ACCESS |
			       AMDGPU_SVM_FLAG_GPU_RO;
	char *buf = map_pages(NPAGES);

	svm_set_attr(fd, pg(buf, 0), npg(NPAGES), set, ARRAY_SIZE(set));
	svm_get_attr(fd, pg(buf, 0), npg(NPAGES), get, ARRAY_SIZE(get));
	igt_assert_eq_u32(get[0].value, AMDGPU_SVM_LOCATION_SYSMEM);
	igt_assert_eq_u32(get[1].value, gpu_id);
	igt_assert_f(get[2].type == AMDGPU_SVM_ATTR_ACCESS_IN_PLACE &&
		     get[2].value == gpu_id,
		     "the access entry reads type %u for gpu_id %u, expected ACCESS_IN_PLACE for %u\n",
		     get[2].type, get[2].value, gpu_id);
	igt_assert_eq_u32(get[3].value, flags);
	igt_assert_eq_u32(get[4].value, AMDGPU_SVM_FLAGS_ALL & ~flags);
	igt_assert_eq_u32(get[5].value, 5);
	munmap(buf, npg(NPAGES));
}

static void test_split_head_tail(int fd)
{
	char *buf = map_pages(NPAGES);

	svm_set_one(fd, pg(buf, 4), npg(4), AMDGPU_SVM_ATTR_PREFERRED_LOC,
		    AMDGPU_SVM_LOCATION_SYSMEM);
	expect_one(fd, buf, 0, 4, AMDGPU_SVM_ATTR_PREFERRED_LOC, UNDEF);
	expect_one(fd, buf, 4, 4, AMDGPU_SVM_ATTR_PREFERRED_LOC,
		   AMDGPU_SVM_LOCATION_SYSMEM);
	expect_one(fd, buf, 8, 8, AMDGPU_SVM_ATTR_PREFERRED_LOC, UNDEF);
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_PREFERRED_LOC, UNDEF);

	/* A second split inside the first, then back: all one value again. */
	svm_set_one(fd, pg(buf, 5), npg(1), AMDGPU_SVM_ATTR_PREFERRED_LOC, UNDEF);
	expect_one(fd, buf, 4, 4, AMDGPU_SVM_ATTR_PREFERRED_LOC, UNDEF);
	svm_set_one(fd, pg(buf, 0), npg(NPAGES), AMDGPU_SVM_ATTR_PREFERRED_LOC,
		    AMDGPU_SVM_LOCATION_SYSMEM);
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_PREFERRED_LOC,
		   AMDGPU_SVM_LOCATION_SYSMEM);
	munmap(buf, npg(NPAGES));
}

static void test_mixed_flags(int fd)
{
	char *buf = map_pages(8);

	svm_set_one(fd, pg(buf, 0), npg(4), AMDGPU_SVM_ATTR_CLR_FLAGS,
		    AMDGPU_SVM_FLAG_HOST_ACCESS);
	svm_set_one(fd, pg(buf, 4), npg(4), AMDGPU_SVM_ATTR_SET_FLAGS,
		    AMDGPU_SVM_FLAG_GPU_EXEC);
	expect_one(fd, buf, 0, 8, AMDGPU_SVM_ATTR_SET_FLAGS,
		   AMDGPU_SVM_FLAG_COHERENT);
	expect_one(fd, buf, 0, 8, AMDGPU_SVM_ATTR_CLR_FLAGS,
		   AMDGPU_SVM_FLAGS_ALL & ~(DEF_FLAGS | AMDGPU_SVM_FLAG_GPU_EXEC));
	munmap(buf, npg(8));
}

static void test_granularity_min(int fd)
{
	char *buf = map_pages(8);

	svm_set_one(fd, pg(buf, 0), npg(4), AMDGPU_SVM_ATTR_GRANULARITY, 12);
	svm_set_one(fd, pg(buf, 4), npg(4), AMDGPU_SVM_ATTR_GRANULARITY, 3);
	expect_one(fd, buf, 0, 8, AMDGPU_SVM_ATTR_GRANULARITY, 3);
	expect_one(fd, buf, 0, 4, AMDGPU_SVM_ATTR_GRANULARITY, 12);
	munmap(buf, npg(8));
}

static void expect_access(int fd, const char *buf, unsigned int first,
			  unsigned int count, uint32_t gpu_id, uint32_t expected)
{
	uint32_t got = svm_get_access(fd, pg(buf, first), npg(count), gpu_id);

	igt_assert_f(got == expected,
		     "access of gpu_id %u over pages %u..%u at 0x%llx: expected type %u, got %u\n",
		     gpu_id, first, first + count - 1,
		     (unsigned long long)pg(buf, first), expected, got);
}

static void test_access(int fd, uint32_t gpu_id)
{
	char *buf = map_pages(8);

	svm_set_one(fd, pg(buf, 0), npg(8), AMDGPU_SVM_ATTR_ACCESS, gpu_id);
	expect_access(fd, buf, 0, 8, gpu_id, AMDGPU_SVM_ATTR_ACCESS);

	svm_set_one(fd, pg(buf, 4), npg(4), AMDGPU_SVM_ATTR_ACCESS_IN_PLACE,
		    gpu_id);
	expect_access(fd, buf, 4, 4, gpu_id, AMDGPU_SVM_ATTR_ACCESS_IN_PLACE);
	expect_access(fd, buf, 0, 8, gpu_id, AMDGPU_SVM_ATTR_NO_ACCESS);

	svm_set_one(fd, pg(buf, 0), npg(8), AMDGPU_SVM_ATTR_NO_ACCESS, gpu_id);
	expect_access(fd, buf, 0, 8, gpu_id, AMDGPU_SVM_ATTR_NO_ACCESS);
	munmap(buf, npg(8));
}

static void test_munmap_clears(int fd)
{
	char *buf = map_pages(NPAGES), *again;

	svm_set_one(fd, pg(buf, 0), npg(NPAGES), AMDGPU_SVM_ATTR_PREFERRED_LOC,
		    AMDGPU_SVM_LOCATION_SYSMEM);
	svm_set_one(fd, pg(buf, 0), npg(NPAGES), AMDGPU_SVM_ATTR_GRANULARITY, 2);
	igt_assert_eq(munmap(buf, npg(NPAGES)), 0);

	again = mmap(buf, npg(NPAGES), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	igt_assert_f(again == buf, "mmap again at %p: %m\n", buf);
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_PREFERRED_LOC, UNDEF);
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_GRANULARITY, 9);
	munmap(buf, npg(NPAGES));
}

static void test_partial_munmap(int fd)
{
	char *buf = map_pages(NPAGES);

	svm_set_one(fd, pg(buf, 0), npg(NPAGES), AMDGPU_SVM_ATTR_GRANULARITY, 4);
	igt_assert_eq(munmap(buf + npg(6), npg(4)), 0);

	expect_one(fd, buf, 0, 6, AMDGPU_SVM_ATTR_GRANULARITY, 4);
	expect_one(fd, buf, 10, 6, AMDGPU_SVM_ATTR_GRANULARITY, 4);
	igt_assert_eq(__svm_get_attr(fd, pg(buf, 0), npg(NPAGES),
				     &(struct drm_amdgpu_svm_attribute){
					.type = AMDGPU_SVM_ATTR_GRANULARITY },
				     1), -EFAULT);
	munmap(buf, npg(NPAGES));
}

enum bad_what {
	BAD_OP, BAD_FLAGS, BAD_PAD, BAD_SIZE_0, BAD_START_ALIGN, BAD_SIZE_ALIGN,
	BAD_OVERFLOW, BAD_BEYOND_TASK, BAD_NATTR_0, BAD_NATTR_BIG,
	BAD_ATTRS_NULL, BAD_TYPE, BAD_SET_FLAGS, BAD_CLR_FLAGS,
	BAD_GRANULARITY, BAD_PREF_GPU, BAD_PREFETCH_GPU, BAD_ACCESS_GPU,
	BAD_GET_ACCESS_GPU, BAD_UNMAPPED, BAD_HOLE, BAD_GET_UNMAPPED,
};

static const struct bad_case {
	const char *name;
	enum bad_what what;
	int err;
} bad_cases[] = {
	{ "unknown-op", BAD_OP, EINVAL },
	{ "nonzero-flags", BAD_FLAGS, EINVAL },
	{ "nonzero-pad", BAD_PAD, EINVAL },
	{ "size-zero", BAD_SIZE_0, EINVAL },
	{ "start-unaligned", BAD_START_ALIGN, EINVAL },
	{ "size-unaligned", BAD_SIZE_ALIGN, EINVAL },
	{ "start-size-overflow", BAD_OVERFLOW, EINVAL },
	{ "beyond-address-space", BAD_BEYOND_TASK, EINVAL },
	{ "nattr-zero", BAD_NATTR_0, EINVAL },
	{ "nattr-too-many", BAD_NATTR_BIG, E2BIG },
	{ "attrs-null", BAD_ATTRS_NULL, EFAULT },
	{ "unknown-type", BAD_TYPE, EINVAL },
	{ "unknown-set-flag", BAD_SET_FLAGS, EINVAL },
	{ "unknown-clr-flag", BAD_CLR_FLAGS, EINVAL },
	{ "granularity-too-big", BAD_GRANULARITY, EINVAL },
	{ "preferred-loc-unknown-gpu", BAD_PREF_GPU, EINVAL },
	{ "prefetch-loc-unknown-gpu", BAD_PREFETCH_GPU, EINVAL },
	{ "access-unknown-gpu", BAD_ACCESS_GPU, EINVAL },
	{ "get-access-unknown-gpu", BAD_GET_ACCESS_GPU, EINVAL },
	{ "span-not-mapped", BAD_UNMAPPED, EFAULT },
	{ "span-with-hole", BAD_HOLE, EFAULT },
	{ "get-span-not-mapped", BAD_GET_UNMAPPED, EFAULT },
};

static void test_bad_input_one(int fd, const struct bad_case *c)
{
	/*
	 * A valid GRANULARITY first, then the attribute a case may break:
	 * a refused call must not have applied the first either.
	 */
	struct drm_amdgpu_svm_attribute attrs[2] = {
		{ .type = AMDGPU_SVM_ATTR_GRANULARITY, .value = 5 },
		{ .type = AMDGPU_SVM_ATTR_GRANULARITY, .value = 5 },
	};
	struct drm_amdgpu_svm_attribute *attr = &attrs[1];
	char *buf = map_pages(NPAGES);
	struct drm_amdgpu_gem_svm args = {
		.start = pg(buf, 0),
		.size = npg(NPAGES),
		.op = AMDGPU_SVM_OP_SET_ATTR,
		.nattr = 2,
		.attrs = (uintptr_t)attrs,
	};
	int ret;

	switch (c->what) {
	case BAD_OP: args.op = 2; break;
	case BAD_FLAGS: args.flags = 1; break;
	case BAD_PAD: args.pad = 1; break;
	case BAD_SIZE_0: args.size = 0; break;
	case BAD_START_ALIGN: args.start += 1; break;
	case BAD_SIZE_ALIGN: args.size -= 1; break;
	case BAD_OVERFLOW: args.size = -npg(1); break;
	case BAD_BEYOND_TASK: args.start = 1ull << 62; break;
	case BAD_NATTR_0: args.nattr = 0; break;
	case BAD_NATTR_BIG: args.nattr = AMDGPU_SVM_MAX_ATTRS + 1; break;
	case BAD_ATTRS_NULL: args.attrs = 0; break;
	case BAD_TYPE: attr->type = AMDGPU_SVM_ATTR_GRANULARITY + 1; break;
	case BAD_SET_FLAGS:
		attr->type = AMDGPU_SVM_ATTR_SET_FLAGS;
		attr->value = AMDGPU_SVM_FLAGS_ALL + 1;
		break;
	case BAD_CLR_FLAGS:
		attr->type = AMDGPU_SVM_ATTR_CLR_FLAGS;
		attr->value = 0x80000000u;
		break;
	case BAD_GRANULARITY: attr->value = AMDGPU_SVM_MAX_GRANULARITY + 1; break;
	case BAD_PREF_GPU:
		attr->type = AMDGPU_SVM_ATTR_PREFERRED_LOC;
		attr->value = 0xdead;
		break;
	case BAD_PREFETCH_GPU:
		attr->type = AMDGPU_SVM_ATTR_PREFETCH_LOC;
		attr->value = 0xdead;
		break;
	case BAD_ACCESS_GPU:
		attr->type = AMDGPU_SVM_ATTR_ACCESS;
		attr->value = 0xdead;
		break;
	case BAD_GET_ACCESS_GPU:
		args.op = AMDGPU_SVM_OP_GET_ATTR;
		attr->type = AMDGPU_SVM_ATTR_ACCESS;
		attr->value = 0xdead;
		break;
	case BAD_UNMAPPED:
		munmap(buf, npg(NPAGES));
		break;
	case BAD_HOLE:
		munmap(buf + npg(8), npg(1));
		break;
	case BAD_GET_UNMAPPED:
		munmap(buf, npg(NPAGES));
		args.op = AMDGPU_SVM_OP_GET_ATTR;
		break;
	}

	ret = drmIoctl(fd, DRM_IOCTL_AMDGPU_GEM_SVM, &args) ? errno : 0;
	igt_assert_f(ret == c->err,
		     "%s: start 0x%llx size 0x%llx op %u nattr %u: expected errno %d (%s), got %d (%s)\n",
		     c->name, (unsigned long long)args.start,
		     (unsigned long long)args.size, args.op, args.nattr,
		     c->err, strerror(c->err), ret, strerror(ret));

	/*
	 * Nothing changed: the span still has the default granularity, the
	 * valid attribute of the refused call included.
	 */
	if (c->what != BAD_UNMAPPED && c->what != BAD_GET_UNMAPPED &&
	    c->what != BAD_HOLE)
		expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_GRANULARITY, 9);
	munmap(buf, npg(NPAGES));
}


static void test_fork_child(int fd)
{
	char *buf = map_pages(NPAGES);

	svm_set_one(fd, pg(buf, 0), npg(NPAGES), AMDGPU_SVM_ATTR_GRANULARITY, 6);
	igt_fork(child, 1) {
		struct drm_amdgpu_svm_attribute attr = {
			.type = AMDGPU_SVM_ATTR_GRANULARITY, .value = 2,
		};

		igt_assert_eq(__svm_set_attr(fd, pg(buf, 0), npg(NPAGES),
					     &attr, 1), -EBADF);
		igt_assert_eq(__svm_get_attr(fd, pg(buf, 0), npg(NPAGES),
					     &attr, 1), -EBADF);
	}
	igt_waitchildren();
	expect_one(fd, buf, 0, NPAGES, AMDGPU_SVM_ATTR_GRANULARITY, 6);
	munmap(buf, npg(NPAGES));
}

#define THREADS		4
#define THREAD_PAGES	16
#define THREAD_ROUNDS	200

struct attr_thread {
	pthread_t thread;
	int fd;
	char *buf;
	unsigned int idx;
	int err;		/* first failing ioctl's -errno */
	const char *what;	/* and what it was */
};

/* Thread idx owns pages [idx * THREAD_PAGES, +THREAD_PAGES) of buf. */
static void *attr_thread_fn(void *arg)
{
	struct attr_thread *t = arg;
	uint64_t own = pg(t->buf, t->idx * THREAD_PAGES);
	struct drm_amdgpu_svm_attribute attrs[2];

	for (unsigned int i = 0; i < THREAD_ROUNDS && !t->err; i++) {
		/* Half of its span, then all of it: split, then merge. */
		attrs[0] = (struct drm_amdgpu_svm_attribute){
			AMDGPU_SVM_ATTR_GRANULARITY, i % 8 };
		attrs[1] = (struct drm_amdgpu_svm_attribute){
			i & 1 ? AMDGPU_SVM_ATTR_SET_FLAGS : AMDGPU_SVM_ATTR_CLR_FLAGS,
			AMDGPU_SVM_FLAG_GPU_READ_MOSTLY };
		t->err = __svm_set_attr(t->fd, own, npg(THREAD_PAGES / 2), attrs, 2);
		t->what = "SET_ATTR of half the span";
		if (t->err)
			break;
		attrs[0].value = t->idx + 1;
		t->err = __svm_set_attr(t->fd, own, npg(THREAD_PAGES), attrs, 2);
		t->what = "SET_ATTR of the span";
		if (t->err)
			break;
		attrs[0] = (struct drm_amdgpu_svm_attribute){
			AMDGPU_SVM_ATTR_GRANULARITY };
		t->err = __svm_get_attr(t->fd, pg(t->buf, 0),
					npg(THREADS * THREAD_PAGES), attrs, 1);
		t->what = "GET_ATTR across every span";
	}
	return NULL;
}

static void test_threads(int fd)
{
	struct attr_thread threads[THREADS];
	char *buf = map_pages(THREADS * THREAD_PAGES);

	for (unsigned int i = 0; i < THREADS; i++) {
		threads[i] = (struct attr_thread){ .fd = fd, .buf = buf, .idx = i };
		igt_assert_eq(pthread_create(&threads[i].thread, NULL,
					     attr_thread_fn, &threads[i]), 0);
	}
	for (unsigned int i = 0; i < THREADS; i++)
		igt_assert_eq(pthread_join(threads[i].thread, NULL), 0);
	for (unsigned int i = 0; i < THREADS; i++) {
		igt_assert_f(threads[i].err == 0, "thread %u: %s: %s\n", i,
			     threads[i].what, strerror(-threads[i].err));
		/* The last round (odd) set READ_MOSTLY and granularity idx + 1. */
		expect_one(fd, buf, i * THREAD_PAGES, THREAD_PAGES,
			   AMDGPU_SVM_ATTR_GRANULARITY, i + 1);
		igt_assert(svm_get_one(fd, pg(buf, i * THREAD_PAGES),
				       npg(THREAD_PAGES), AMDGPU_SVM_ATTR_SET_FLAGS) &
			   AMDGPU_SVM_FLAG_GPU_READ_MOSTLY);
	}
	expect_one(fd, buf, 0, THREADS * THREAD_PAGES,
		   AMDGPU_SVM_ATTR_GRANULARITY, 1);
	munmap(buf, npg(THREADS * THREAD_PAGES));
}

/*
 * One dynamic subtest per GPU and XNACK mode (and case, when @cases is not
 * NULL), each on a context of its own opened in that mode.
 */
#define attr_dynamic(gpus, ngpus, ctx, cases, ncases, c) \
	for_each_svm_mode(gpus, ngpus, g_, x_) \
		for (unsigned int c = 0; c < ((ncases) ? (ncases) : 1); c++) \
			igt_dynamic_f("%s-xnack-%s%s%s", (gpus)[g_].name, \
				      x_ ? "on" : "off", (ncases) ? "-" : "", \
				      (ncases) ? (cases)[c].name : "") \
				for (int once_ = (svm_ctx_open(&(gpus)[g_], x_, &(ctx)), 1); \
				     once_; once_ = 0, svm_ctx_close(&(ctx)))

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;
	struct svm_ctx ctx;
	static const struct set_get_case *no_cases;

	igt_fixture() {
		page_size = sysconf(_SC_PAGESIZE);
		ngpus = svm_gpus_require(gpus);
	}

	igt_describe("Memory never given attributes reads back KFD's defaults, ACCESS included: ACCESS with XNACK on, NO_ACCESS with it off.");
	igt_subtest_with_dynamic("defaults")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_defaults(ctx.fd, ctx.gpu->gpu_id, ctx.xnack);

	igt_describe("Each attribute type set on a span reads back as set, one dynamic subtest per attribute and mode.");
	igt_subtest_with_dynamic("set-get")
		attr_dynamic(gpus, ngpus, ctx, set_get_cases,
			     ARRAY_SIZE(set_get_cases), c)
			test_set_get_one(ctx.fd, ctx.gpu->gpu_id,
					 &set_get_cases[c]);

	igt_describe("PREFETCH_LOC set to the GPU on half a span reads back as the GPU's id on that half, and UNDEFINED over the whole span.");
	igt_subtest_with_dynamic("prefetch-half")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_prefetch_half(ctx.fd, ctx.gpu->gpu_id);

	igt_describe("One SET_ATTR carrying every attribute type, and one GET_ATTR asking for every type, read back what was set.");
	igt_subtest_with_dynamic("all-types-at-once")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_all_types(ctx.fd, ctx.gpu->gpu_id);

	igt_describe("Setting the middle of a span leaves its head and tail as they were; GET over all of it reports the mix as undefined.");
	igt_subtest_with_dynamic("split-head-tail")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_split_head_tail(ctx.fd);

	igt_describe("GET over pages with different flags returns the AND of the set flags and the NOR for the cleared ones.");
	igt_subtest_with_dynamic("mixed-flags")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_mixed_flags(ctx.fd);

	igt_describe("GET over pages with different granularities returns the smallest.");
	igt_subtest_with_dynamic("granularity-min")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_granularity_min(ctx.fd);

	igt_describe("ACCESS, ACCESS_IN_PLACE and NO_ACCESS round-trip per GPU; a span with mixed access reads as NO_ACCESS.");
	igt_subtest_with_dynamic("access")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_access(ctx.fd, ctx.gpu->gpu_id);

	igt_describe("After munmap and a new mmap at the same address the span has the default attributes again.");
	igt_subtest_with_dynamic("munmap-clears")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_munmap_clears(ctx.fd);

	igt_describe("Unmapping the middle of a span with attributes keeps the attributes of the pages still mapped.");
	igt_subtest_with_dynamic("partial-munmap-keeps-rest")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_partial_munmap(ctx.fd);

	igt_describe("Every validation rule of the UAPI header fails with its documented errno, one dynamic subtest per rule and mode, and changes nothing.");
	igt_subtest_with_dynamic("bad-input")
		attr_dynamic(gpus, ngpus, ctx, bad_cases, ARRAY_SIZE(bad_cases), c)
			test_bad_input_one(ctx.fd, &bad_cases[c]);

	igt_describe("A forked child using its parent's file descriptor gets EBADF: it does not act on the parent's SVM state.");
	igt_subtest_with_dynamic("fork-child-ebadf")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_fork_child(ctx.fd);

	igt_describe("Threads of one process SET_ATTR their own neighbouring spans over and over (splitting and merging the same intervals) while they GET across all of them: every call succeeds and each span ends with its own thread's last values.");
	igt_subtest_with_dynamic("set-attr-threads")
		attr_dynamic(gpus, ngpus, ctx, no_cases, 0, c)
			test_threads(ctx.fd);

	igt_fixture()
		svm_gpus_close(gpus, ngpus);
}
