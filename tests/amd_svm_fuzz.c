// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm fuzz
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM ioctl robustness
 * Functionality: DRM_AMDGPU_GEM_SVM under random and boundary arguments
 * Description: A seeded generator calls the SVM ioctl with random and
 *	boundary arguments: unaligned, overflowing and kernel addresses,
 *	spans over holes, PROT_NONE and read-only memory (a layout that calls
 *	between the ioctls change at random: munmap, mmap over, mprotect),
 *	nattr 0 to huge, NULL, unmapped, read-only and half-readable
 *	attribute arrays, unknown types, GPU ids, flags and granularities. A
 *	model of the UAPI header's validation rules, in their order, predicts
 *	each call's result: the kernel must return exactly that (0 or the
 *	documented errno), and a refused call must leave the array as it was.
 *	A model of every page's attributes applies each successful SET_ATTR
 *	by the header's rules (array order, per-GPU access, flags set and
 *	cleared, defaults by XNACK mode; unmapped pages forget theirs,
 *	mprotected ones keep them): after every SET_ATTR, successful or
 *	refused, and every layout change, each page of the area must read
 *	back what the model holds, and every successful GET_ATTR must return
 *	the model's aggregate of its span (common location or UNDEFINED,
 *	access all-or-nothing, flags AND and NOR, minimum granularity). The
 *	seed is printed (SVM_FUZZ_SEED replays it; SVM_FUZZ_CALLS sets the
 *	number of calls). Every subtest runs per GPU and XNACK mode (dynamic
 *	subtests gpuN-TARGET-xnack-on/off).
 *
 * SUBTEST: svm-ioctl
 * Description: 100,000 calls (or SVM_FUZZ_CALLS).
 *
 * SUBTEST: svm-ioctl-short
 * Description: 5,000 calls, for the pre-merge list.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_gpu.h"

/*
 * The fuzzed address space, in pages: PROT_NONE guards around a region
 * with read-write, read-only, PROT_NONE and unmapped pages, which calls
 * between the ioctls remap, mprotect and unmap at random. Spans start
 * within it and are at most GUARD pages long, so they never reach memory
 * the model does not know.
 */
#define GUARD		8
#define REGION		32
#define AREA		(GUARD + REGION + GUARD)
#define RO_FIRST	(GUARD + 16)
#define NONE_FIRST	(GUARD + 20)
#define HOLE_FIRST	(GUARD + 24)
#define KIND_PAGES	4
/* Pages one change of the region's layout remaps, mprotects or unmaps. */
#define CHURN_PAGES	4
#define MAX_TYPE	AMDGPU_SVM_ATTR_GRANULARITY
/* The kernel's default granularity (the UAPI header: 9, 2 MiB). */
#define DEFAULT_GRANULARITY	9

/* What backs a page of the area. */
enum page_kind { PAGE_RW, PAGE_RO, PAGE_NONE, PAGE_HOLE };

static const int kind_prot[] = {
	[PAGE_RW] = PROT_READ | PROT_WRITE,
	[PAGE_RO] = PROT_READ,
	[PAGE_NONE] = PROT_NONE,
};

/* What SET_ATTR gave one page of the area, by the UAPI header's rules. */
struct page_model {
	uint32_t preferred_loc, prefetch_loc, flags, granularity;
	/* per entry of fuzz.gpu_ids: an access type, or 0 for the default */
	uint32_t access[SVM_GPUS_MAX];
};

struct fuzz {
	struct svm_ctx ctx;
	bool xnack;
	uint64_t rng;
	size_t page;
	uint64_t task_size;
	uint32_t gpu_ids[SVM_GPUS_MAX];
	int ngpu_ids;
	char *area;
	/* attribute arrays: read-write, read-only, one straddling a hole */
	struct drm_amdgpu_svm_attribute *rw, *ro, *edge;
	enum page_kind kind[AREA];
	struct page_model model[AREA];
	unsigned long calls, refused, sets_checked, gets_checked, churns;
	unsigned long by_errno[256];
};

static uint64_t next(struct fuzz *f)
{
	/* xorshift64*: a replayable sequence from the printed seed */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

static uint64_t below(struct fuzz *f, uint64_t n)
{
	return next(f) % n;
}

static bool chance(struct fuzz *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

static bool known_gpu(const struct fuzz *f, uint32_t id)
{
	for (int i = 0; i < f->ngpu_ids; i++)
		if (f->gpu_ids[i] == id)
			return true;
	return false;
}

/* x86-64: the top of user space with 4- or 5-level paging. */
static uint64_t task_size(size_t page)
{
	char line[4096];
	bool la57 = false;
	FILE *cpu = fopen("/proc/cpuinfo", "r");

	while (cpu && fgets(line, sizeof(line), cpu))
		if (!strncmp(line, "flags", 5)) {
			la57 = strstr(line, " la57") != NULL;
			break;
		}
	if (cpu)
		fclose(cpu);
	return (1ull << (la57 ? 56 : 47)) - page;
}

static uint32_t random_gpu_id(struct fuzz *f)
{
	if (chance(f, 85))
		return f->gpu_ids[below(f, f->ngpu_ids)];
	return chance(f, 50) ? (uint32_t)next(f) : 0;
}

static struct drm_amdgpu_svm_attribute random_attr(struct fuzz *f)
{
	static const uint32_t locs[] = {
		AMDGPU_SVM_LOCATION_SYSMEM, AMDGPU_SVM_LOCATION_UNDEFINED,
	};
	struct drm_amdgpu_svm_attribute a = {
		.type = chance(f, 94) ? below(f, MAX_TYPE + 1) : (uint32_t)next(f),
	};

	switch (a.type) {
	case AMDGPU_SVM_ATTR_PREFERRED_LOC:
	case AMDGPU_SVM_ATTR_PREFETCH_LOC:
		a.value = chance(f, 50) ? locs[below(f, 2)] : random_gpu_id(f);
		break;
	case AMDGPU_SVM_ATTR_ACCESS:
	case AMDGPU_SVM_ATTR_ACCESS_IN_PLACE:
	case AMDGPU_SVM_ATTR_NO_ACCESS:
		a.value = random_gpu_id(f);
		break;
	case AMDGPU_SVM_ATTR_SET_FLAGS:
	case AMDGPU_SVM_ATTR_CLR_FLAGS:
		a.value = chance(f, 85) ? below(f, AMDGPU_SVM_FLAGS_ALL + 1) :
					  1u << below(f, 32);
		break;
	case AMDGPU_SVM_ATTR_GRANULARITY:
		a.value = chance(f, 85) ? below(f, 13) :
			  AMDGPU_SVM_MAX_GRANULARITY + below(f, 2);
		break;
	default:
		a.value = next(f);
	}
	return a;
}

/* The call to make; @readable: entries of @args.attrs the kernel can read. */
static void random_call(struct fuzz *f, struct drm_amdgpu_gem_svm *args,
			uint32_t *readable, bool *writable)
{
	uint64_t base = (uintptr_t)f->area, p = f->page;
	uint32_t room = AMDGPU_SVM_MAX_ATTRS + 2;
	struct drm_amdgpu_svm_attribute *array = f->rw;
	unsigned int r = below(f, 100);

	memset(args, 0, sizeof(*args));
	args->op = r < 46 ? AMDGPU_SVM_OP_SET_ATTR :
		   r < 92 ? AMDGPU_SVM_OP_GET_ATTR : (uint32_t)next(f);
	if (chance(f, 4))
		args->flags = 1u << below(f, 32);
	if (chance(f, 4))
		args->pad = next(f);

	r = below(f, 100);
	if (r < 80)
		args->start = base + (GUARD + below(f, REGION)) * p;
	else if (r < 84)
		args->start = base + (GUARD + below(f, REGION)) * p + 1 + below(f, p - 1);
	else if (r < 87)
		args->start = 0;
	else if (r < 91)
		args->start = f->task_size - below(f, 4) * p;
	else if (r < 94)
		args->start = 0xffff800000000000ull + below(f, 1ull << 30) * p;
	else if (r < 97)
		args->start = -p * (1 + below(f, 4));
	else
		args->start = next(f);

	r = below(f, 100);
	if (r < 82)
		args->size = (1 + below(f, GUARD)) * p;
	else if (r < 86)
		args->size = 0;
	else if (r < 90)
		args->size = 1 + below(f, GUARD * p);
	else if (r < 94)
		args->size = 1ull << (48 + below(f, 16));
	else
		args->size = next(f) & ~(p - 1);

	r = below(f, 100);
	if (r < 84)
		args->nattr = 1 + below(f, 8);
	else if (r < 88)
		args->nattr = 0;
	else if (r < 91)
		args->nattr = AMDGPU_SVM_MAX_ATTRS;
	else if (r < 94)
		args->nattr = AMDGPU_SVM_MAX_ATTRS + 1;
	else
		args->nattr = next(f);

	for (uint32_t i = 0; i < room; i++)
		f->rw[i] = random_attr(f);

	*writable = true;
	r = below(f, 100);
	if (r < 82) {
		*readable = room;
	} else if (r < 86) {
		array = NULL;
		*readable = 0;
	} else if (r < 90) {
		/* read-only page: fine for SET, not for GET */
		igt_assert_eq(mprotect(f->ro, p, PROT_READ | PROT_WRITE), 0);
		memcpy(f->ro, f->rw, room * sizeof(*f->rw));
		igt_assert_eq(mprotect(f->ro, p, PROT_READ), 0);
		array = f->ro;
		*readable = room;
		*writable = false;
	} else if (r < 96) {
		/* the last k entries before an unmapped page */
		uint32_t k = below(f, 9);

		array = f->edge - k;
		memcpy(array, f->rw, k * sizeof(*f->rw));
		*readable = k;
	} else {
		array = (void *)(uintptr_t)(0xffff888000000000ull + below(f, 1 << 20) * 8);
		*readable = 0;
	}
	args->attrs = (uintptr_t)array;
}

/* A hole of the area is still one: no mapping of the test moved in. */
static void assert_hole(const struct fuzz *f, uint64_t pg)
{
	unsigned char vec;

	igt_assert_f(mincore(f->area + pg * f->page, f->page, &vec) &&
		     errno == ENOMEM,
		     "a mapping of the test moved into page %" PRIu64 " of the area, a hole\n",
		     pg);
}

/*
 * Is every page of [start, end) backed by a VMA? Inside the area the
 * layout says; elsewhere (page 0, the top of user space) mincore() does,
 * which fails with ENOMEM on a page without one.
 */
static bool span_backed(const struct fuzz *f, uint64_t start, uint64_t end)
{
	uint64_t area = (uintptr_t)f->area;
	unsigned char vec[GUARD];

	if (start < area || end > area + AREA * f->page)
		return end - start <= GUARD * f->page &&
		       !mincore((void *)(uintptr_t)start, end - start, vec);
	for (uint64_t pg = (start - area) / f->page;
	     pg < (end - area + f->page - 1) / f->page; pg++)
		if (f->kind[pg] == PAGE_HOLE) {
			assert_hole(f, pg);
			return false;
		}
	return true;
}

/* The UAPI header's validation rules, in its order: the errno or 0. */
static int expected(const struct fuzz *f, const struct drm_amdgpu_gem_svm *a,
		    uint32_t readable, bool writable)
{
	const struct drm_amdgpu_svm_attribute *attrs =
		(const void *)(uintptr_t)a->attrs;
	bool set = a->op == AMDGPU_SVM_OP_SET_ATTR;
	uint64_t end;

	if (a->op != AMDGPU_SVM_OP_SET_ATTR && a->op != AMDGPU_SVM_OP_GET_ATTR)
		return -EINVAL;
	if (a->flags || a->pad)
		return -EINVAL;
	if (!a->size || a->start % f->page || a->size % f->page)
		return -EINVAL;
	if (__builtin_add_overflow(a->start, a->size, &end) ||
	    end > f->task_size)
		return -EINVAL;
	if (!a->nattr)
		return -EINVAL;
	if (a->nattr > AMDGPU_SVM_MAX_ATTRS)
		return -E2BIG;
	if (a->nattr > readable || (!set && !writable))
		return -EFAULT;
	for (uint32_t i = 0; i < a->nattr; i++) {
		uint32_t v = attrs[i].value;

		switch (attrs[i].type) {
		case AMDGPU_SVM_ATTR_PREFERRED_LOC:
		case AMDGPU_SVM_ATTR_PREFETCH_LOC:
			if (set && v != AMDGPU_SVM_LOCATION_SYSMEM &&
			    v != AMDGPU_SVM_LOCATION_UNDEFINED &&
			    !known_gpu(f, v))
				return -EINVAL;
			break;
		case AMDGPU_SVM_ATTR_ACCESS:
		case AMDGPU_SVM_ATTR_ACCESS_IN_PLACE:
		case AMDGPU_SVM_ATTR_NO_ACCESS:
			if (!known_gpu(f, v))
				return -EINVAL;
			break;
		case AMDGPU_SVM_ATTR_SET_FLAGS:
		case AMDGPU_SVM_ATTR_CLR_FLAGS:
			if (set && (v & ~AMDGPU_SVM_FLAGS_ALL))
				return -EINVAL;
			break;
		case AMDGPU_SVM_ATTR_GRANULARITY:
			if (set && v > AMDGPU_SVM_MAX_GRANULARITY)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	if (!span_backed(f, a->start, end))
		return -EFAULT;
	return 0;
}

static int gpu_index(const struct fuzz *f, uint32_t id)
{
	for (int i = 0; i < f->ngpu_ids; i++)
		if (f->gpu_ids[i] == id)
			return i;
	igt_assert_f(false, "gpu_id %u passed validation but is unknown\n", id);
	return -1;
}

/* The attributes of pages never given any, or unmapped since. */
static void model_forget(struct fuzz *f, int first, int last)
{
	for (int pg = first; pg < last; pg++)
		f->model[pg] = (struct page_model){
			.preferred_loc = AMDGPU_SVM_LOCATION_UNDEFINED,
			.prefetch_loc = AMDGPU_SVM_LOCATION_UNDEFINED,
			.flags = AMDGPU_SVM_FLAG_HOST_ACCESS |
				 AMDGPU_SVM_FLAG_COHERENT,
			.granularity = DEFAULT_GRANULARITY,
		};
}

/* The pages of the area [*first, *last) that [start, end) covers, if all. */
static bool area_pages(const struct fuzz *f, uint64_t start, uint64_t end,
		       int *first, int *last)
{
	uint64_t area = (uintptr_t)f->area;

	if (start < area || end > area + AREA * f->page)
		return false;
	*first = (start - area) / f->page;
	*last = (end - area) / f->page;
	return true;
}

/* A successful SET_ATTR: its entries in array order on every page. */
static void model_set(struct fuzz *f, const struct drm_amdgpu_gem_svm *a,
		      const struct drm_amdgpu_svm_attribute *attrs)
{
	int first, last;

	/* Attributes outside the area are no page's the model knows. */
	if (!area_pages(f, a->start, a->start + a->size, &first, &last))
		return;
	for (int pg = first; pg < last; pg++) {
		struct page_model *m = &f->model[pg];

		for (uint32_t i = 0; i < a->nattr; i++) {
			uint32_t v = attrs[i].value;

			switch (attrs[i].type) {
			case AMDGPU_SVM_ATTR_PREFERRED_LOC:
				m->preferred_loc = v;
				break;
			case AMDGPU_SVM_ATTR_PREFETCH_LOC:
				m->prefetch_loc = v;
				break;
			case AMDGPU_SVM_ATTR_ACCESS:
			case AMDGPU_SVM_ATTR_ACCESS_IN_PLACE:
			case AMDGPU_SVM_ATTR_NO_ACCESS:
				m->access[gpu_index(f, v)] = attrs[i].type;
				break;
			case AMDGPU_SVM_ATTR_SET_FLAGS:
				m->flags |= v;
				break;
			case AMDGPU_SVM_ATTR_CLR_FLAGS:
				m->flags &= ~v;
				break;
			case AMDGPU_SVM_ATTR_GRANULARITY:
				m->granularity = v;
				break;
			}
		}
	}
}

/* What GET_ATTR must make of entry @in over the pages [first, last). */
static struct drm_amdgpu_svm_attribute
model_get(const struct fuzz *f, int first, int last,
	  struct drm_amdgpu_svm_attribute in)
{
	struct drm_amdgpu_svm_attribute out = in;
	uint32_t default_access = f->xnack ? AMDGPU_SVM_ATTR_ACCESS :
					     AMDGPU_SVM_ATTR_NO_ACCESS;
	bool all_access = true, all_in_place = true;
	int gpu = -1;

	if (in.type == AMDGPU_SVM_ATTR_ACCESS ||
	    in.type == AMDGPU_SVM_ATTR_ACCESS_IN_PLACE ||
	    in.type == AMDGPU_SVM_ATTR_NO_ACCESS)
		gpu = gpu_index(f, in.value);
	if (in.type == AMDGPU_SVM_ATTR_SET_FLAGS ||
	    in.type == AMDGPU_SVM_ATTR_CLR_FLAGS)
		out.value = AMDGPU_SVM_FLAGS_ALL;
	else if (in.type == AMDGPU_SVM_ATTR_GRANULARITY)
		out.value = ~0u;

	for (int pg = first; pg < last; pg++) {
		const struct page_model *m = &f->model[pg];

		switch (in.type) {
		case AMDGPU_SVM_ATTR_PREFERRED_LOC:
		case AMDGPU_SVM_ATTR_PREFETCH_LOC: {
			uint32_t loc = in.type == AMDGPU_SVM_ATTR_PREFERRED_LOC ?
				       m->preferred_loc : m->prefetch_loc;

			if (pg == first)
				out.value = loc;
			else if (out.value != loc)
				out.value = AMDGPU_SVM_LOCATION_UNDEFINED;
			break;
		}
		case AMDGPU_SVM_ATTR_ACCESS:
		case AMDGPU_SVM_ATTR_ACCESS_IN_PLACE:
		case AMDGPU_SVM_ATTR_NO_ACCESS: {
			uint32_t mode = m->access[gpu] ?: default_access;

			all_access &= mode == AMDGPU_SVM_ATTR_ACCESS;
			all_in_place &= mode == AMDGPU_SVM_ATTR_ACCESS_IN_PLACE;
			break;
		}
		case AMDGPU_SVM_ATTR_SET_FLAGS:
			out.value &= m->flags;
			break;
		case AMDGPU_SVM_ATTR_CLR_FLAGS:
			out.value &= ~m->flags;
			break;
		case AMDGPU_SVM_ATTR_GRANULARITY:
			if (m->granularity < out.value)
				out.value = m->granularity;
			break;
		}
	}
	if (gpu >= 0)
		out.type = all_access ? AMDGPU_SVM_ATTR_ACCESS :
			   all_in_place ? AMDGPU_SVM_ATTR_ACCESS_IN_PLACE :
					  AMDGPU_SVM_ATTR_NO_ACCESS;
	return out;
}

static void assert_model(const struct fuzz *f, const char *what,
			 uint64_t start, uint64_t end,
			 const struct drm_amdgpu_svm_attribute *in,
			 const struct drm_amdgpu_svm_attribute *got, uint32_t n)
{
	int first, last;

	igt_assert(area_pages(f, start, end, &first, &last));
	for (uint32_t i = 0; i < n; i++) {
		struct drm_amdgpu_svm_attribute want =
			model_get(f, first, last, in[i]);

		igt_assert_f(!memcmp(&want, &got[i], sizeof(want)),
			     "call %lu: %s of pages %d..%d of the area, entry %u (type %u, value 0x%x): got type %u value 0x%x, the model of the SET_ATTRs so far says type %u value 0x%x\n",
			     f->calls, what, first, last - 1, i, in[i].type,
			     in[i].value, got[i].type, got[i].value, want.type,
			     want.value);
	}
}

/*
 * After a SET_ATTR: every page of the area with a VMA reads back, one
 * GET_ATTR per page, every attribute the model holds for it.
 */
static void check_pages(struct fuzz *f)
{
	struct drm_amdgpu_svm_attribute in[5 + SVM_GPUS_MAX], got[5 + SVM_GPUS_MAX];
	uint32_t n = 0;

	in[n++] = (struct drm_amdgpu_svm_attribute){ AMDGPU_SVM_ATTR_PREFERRED_LOC };
	in[n++] = (struct drm_amdgpu_svm_attribute){ AMDGPU_SVM_ATTR_PREFETCH_LOC };
	in[n++] = (struct drm_amdgpu_svm_attribute){ AMDGPU_SVM_ATTR_SET_FLAGS };
	in[n++] = (struct drm_amdgpu_svm_attribute){ AMDGPU_SVM_ATTR_CLR_FLAGS };
	in[n++] = (struct drm_amdgpu_svm_attribute){ AMDGPU_SVM_ATTR_GRANULARITY };
	for (int i = 0; i < f->ngpu_ids; i++)
		in[n++] = (struct drm_amdgpu_svm_attribute){
			AMDGPU_SVM_ATTR_ACCESS, f->gpu_ids[i]
		};

	for (int pg = 0; pg < AREA; pg++) {
		uint64_t start = (uintptr_t)f->area + pg * f->page;

		if (!span_backed(f, start, start + f->page))
			continue;
		memcpy(got, in, n * sizeof(*in));
		svm_get_attr(f->ctx.fd, start, f->page, got, n);
		assert_model(f, "GET_ATTR after the SET_ATTR", start,
			     start + f->page, in, got, n);
	}
	f->sets_checked++;
}

/*
 * Change the layout of up to CHURN_PAGES pages of the region: unmap them,
 * map new memory over them (MAP_FIXED: an unmap first, for the kernel
 * too) or mprotect them. Unmapped pages forget their attributes; pages an
 * mprotect() changes keep them. Every page must then read back the model.
 */
static void churn(struct fuzz *f)
{
	int first = GUARD + below(f, REGION), last = first + 1 + below(f, CHURN_PAGES);
	enum page_kind kind = below(f, PAGE_HOLE + 1);
	bool mapped = true, forget = true;
	size_t len;
	char *at;

	if (last > GUARD + REGION)
		last = GUARD + REGION;
	at = f->area + first * f->page;
	len = (last - first) * f->page;
	for (int pg = first; pg < last; pg++) {
		if (f->kind[pg] != PAGE_HOLE)
			continue;
		mapped = false;
		/* MAP_FIXED would replace whatever else moved in there. */
		assert_hole(f, pg);
	}
	if (kind == PAGE_HOLE) {
		igt_assert_eq(munmap(at, len), 0);
	} else if (mapped && chance(f, 50)) {
		igt_assert_eq(mprotect(at, len, kind_prot[kind]), 0);
		forget = false;
	} else {
		igt_assert(mmap(at, len, kind_prot[kind],
				MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == at);
	}
	for (int pg = first; pg < last; pg++)
		f->kind[pg] = kind;
	if (forget)
		model_forget(f, first, last);
	f->churns++;
	check_pages(f);
}

static void fuzz_one(struct fuzz *f)
{
	static struct drm_amdgpu_svm_attribute before[AMDGPU_SVM_MAX_ATTRS + 2];
	struct drm_amdgpu_gem_svm args, copy;
	bool writable, array_known;
	uint32_t readable;
	int want, ret, first, last;

	random_call(f, &args, &readable, &writable);
	want = expected(f, &args, readable, writable);
	array_known = readable && args.nattr <= readable;
	if (array_known)
		memcpy(before, (void *)(uintptr_t)args.attrs,
		       args.nattr * sizeof(*before));
	copy = args;
	ret = drmIoctl(f->ctx.fd, DRM_IOCTL_AMDGPU_GEM_SVM, &args) ? -errno : 0;
	f->calls++;
	f->by_errno[-ret & 0xff]++;
	igt_assert_f(ret == want,
		     "call %lu: op %u flags 0x%x pad 0x%x start 0x%" PRIx64 " size 0x%" PRIx64 " nattr %u attrs 0x%" PRIx64 " (%u readable%s): got %s, the header says %s\n",
		     f->calls, copy.op, copy.flags, copy.pad,
		     (uint64_t)copy.start, (uint64_t)copy.size, copy.nattr,
		     (uint64_t)copy.attrs, readable,
		     writable ? "" : ", read-only",
		     ret ? strerror(-ret) : "success",
		     want ? strerror(-want) : "success");
	igt_assert_f(!memcmp(&args, &copy, sizeof(args)),
		     "call %lu: the ioctl changed its argument structure\n",
		     f->calls);
	if (ret) {
		f->refused++;
		if (array_known && copy.nattr <= AMDGPU_SVM_MAX_ATTRS)
			igt_assert_f(!memcmp(before, (void *)(uintptr_t)copy.attrs,
					     copy.nattr * sizeof(*before)),
				     "call %lu: refused with %s, but the attribute array changed\n",
				     f->calls, strerror(-ret));
	} else if (copy.op == AMDGPU_SVM_OP_SET_ATTR) {
		model_set(f, &copy, before);
	} else if (area_pages(f, copy.start, copy.start + copy.size,
			      &first, &last)) {
		assert_model(f, "GET_ATTR", copy.start, copy.start + copy.size,
			     before, (void *)(uintptr_t)copy.attrs, copy.nattr);
		f->gets_checked++;
	}
	if (copy.op == AMDGPU_SVM_OP_SET_ATTR)
		check_pages(f);
}

static char *map_area(struct fuzz *f)
{
	size_t p = f->page;
	char *area = svm_map(AREA * p);

	for (int pg = 0; pg < AREA; pg++)
		f->kind[pg] = pg < GUARD || pg >= GUARD + REGION ? PAGE_NONE :
			      pg < RO_FIRST ? PAGE_RW :
			      pg < NONE_FIRST ? PAGE_RO :
			      pg < HOLE_FIRST ? PAGE_NONE :
			      pg < HOLE_FIRST + KIND_PAGES ? PAGE_HOLE : PAGE_RW;

	igt_assert_eq(mprotect(area, GUARD * p, PROT_NONE), 0);
	igt_assert_eq(mprotect(area + (GUARD + REGION) * p, GUARD * p,
			       PROT_NONE), 0);
	svm_pattern_fill(area + GUARD * p, (RO_FIRST - GUARD) * p, 5);
	igt_assert_eq(mprotect(area + RO_FIRST * p, KIND_PAGES * p, PROT_READ), 0);
	igt_assert_eq(mprotect(area + NONE_FIRST * p, KIND_PAGES * p, PROT_NONE), 0);
	igt_assert_eq(munmap(area + HOLE_FIRST * p, KIND_PAGES * p), 0);
	return area;
}

static uint64_t fuzz_seed(void)
{
	const char *env = getenv("SVM_FUZZ_SEED");
	uint64_t seed = 0;

	if (env)
		return strtoull(env, NULL, 0) ?: 1;
	igt_assert_eq(getrandom(&seed, sizeof(seed), 0), (ssize_t)sizeof(seed));
	return seed ?: 1;
}

static void test_fuzz(struct svm_gpu *gpus, int ngpus, int g, bool xnack,
		      unsigned long calls)
{
	static struct fuzz f;
	const char *env = getenv("SVM_FUZZ_CALLS");
	size_t p = svm_page_size();
	uint64_t seed = fuzz_seed();
	char *arrays;

	memset(&f, 0, sizeof(f));
	if (env)
		calls = strtoul(env, NULL, 0);
	f.page = p;
	f.xnack = xnack;
	f.rng = seed;
	f.task_size = task_size(p);
	for (int i = 0; i < ngpus; i++)
		f.gpu_ids[f.ngpu_ids++] = gpus[i].gpu_id;
	svm_ctx_open(&gpus[g], xnack, &f.ctx);
	igt_info("%s, XNACK %s: %lu calls, seed 0x%" PRIx64 " (SVM_FUZZ_SEED=0x%" PRIx64 " replays it)\n",
		 gpus[g].name, xnack ? "on" : "off", calls, seed, seed);

	/*
	 * rw page, ro page, then the edge array against an unmapped page;
	 * before the area, or they would be mapped into its hole.
	 */
	arrays = svm_map(4 * p);
	f.rw = (void *)arrays;
	f.ro = (void *)(arrays + p);
	f.edge = (void *)(arrays + 3 * p);
	igt_assert_eq(munmap(arrays + 3 * p, p), 0);
	f.area = map_area(&f);
	igt_assert_eq(mprotect(f.ro, p, PROT_READ), 0);
	model_forget(&f, 0, AREA);
	check_pages(&f);
	while (f.calls < calls) {
		if (chance(&f, 3))
			churn(&f);
		fuzz_one(&f);
		if (f.calls % 20000 == 0)
			igt_info("%lu calls, %lu refused\n", f.calls, f.refused);
	}
	igt_info("%lu calls: %lu succeeded, %lu EINVAL, %lu E2BIG, %lu EFAULT; %lu layout changes; the attribute model checked after %lu SET_ATTRs and layout changes and in %lu GET_ATTRs\n",
		 f.calls, f.by_errno[0], f.by_errno[EINVAL], f.by_errno[E2BIG],
		 f.by_errno[EFAULT], f.churns, f.sets_checked, f.gets_checked);
	munmap(arrays, 3 * p);
	munmap(f.area, AREA * p);
	svm_ctx_close(&f.ctx);
}

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture()
		ngpus = svm_gpus_require(gpus);

	igt_describe("100,000 SVM ioctls (or SVM_FUZZ_CALLS) with random and boundary arguments over memory whose layout changes between them: each returns exactly what the UAPI header's rules say, and every page's attributes read back as a model of the successful SET_ATTRs holds them.");
	igt_subtest_with_dynamic("svm-ioctl") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_fuzz(gpus, ngpus, g, x, 100000);
	}

	igt_describe("5,000 SVM ioctls with random and boundary arguments over memory whose layout changes between them, for the pre-merge list: each returns exactly what the UAPI header's rules say, and every page's attributes read back as a model of the successful SET_ATTRs holds them.");
	igt_subtest_with_dynamic("svm-ioctl-short") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_fuzz(gpus, ngpus, g, x, 5000);
	}

	igt_fixture()
		svm_gpus_close(gpus, ngpus);
}
