// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm inject
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM fault injection
 * Functionality: the SVM core's failure paths: failed allocations, page
 *	lookups, page-table updates and migrations surface as documented
 *	errnos or reported VM faults, never as lost data, stuck queues,
 *	leaks or kernel reports
 * Description: Each dynamic subtest arms one failure point of the
 *	kernel's fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS), runs
 *	rounds of the core cases on a 2 MiB buffer (THP every other round)
 *	while it fails, disarms it, and then checks the buffer against a
 *	shadow copy and that the GPU works on it again. The points: the
 *	core's own fail_get_pages, fail_update_ptes and fail_migrate
 *	(/sys/kernel/debug/amdgpu_svm/), the kernel's failslab and
 *	fail_page_alloc confined by their stack filter to call chains
 *	through the amdgpu_svm module (but not inside vmalloc, which warns
 *	of every failure by design), and the virtual GPU's hardware steps
 *	(/sys/kernel/debug/vamdgpu/: a PTE update failing half-way through
 *	its span, a copy to VRAM failing half-way, a VRAM allocation
 *	failing, the PTEs of an update wiped after it with XNACK on; skipped
 *	on other GPUs). The guest scans kmemleak after the
 *	run, so a leak on a failure path fails it too.
 *
 * SUBTEST: core-cases
 * Description: 12 rounds per failure point and XNACK mode (SVM_INJECT_ROUNDS
 *	overrides): SET_ATTR with ACCESS and a prefetch location, a GPU
 *	fill, CPU writes, MADV_DONTNEED, munmap and mmap of a piece, a
 *	prefetch back, a GPU copy. Every SET_ATTR returns 0 or an errno the
 *	UAPI header documents for the failure; every GPU command completes
 *	or stops its queue with a VM fault, never hangs; a command that
 *	faulted left each word old or new; and after disarming, SET_ATTR
 *	succeeds and a GPU copy of the buffer equals what the CPU reads.
 *	Fails if the point never fired; since failures are drawn at random,
 *	a run in which it has not fired yet goes on for up to 4 times its
 *	rounds.
 *
 * SUBTEST: core-cases-short
 * Description: core-cases with 3 rounds per failure point and mode.
 *
 * SUBTEST: failed-pte-update-unwound
 * Description: XNACK off, on the virtual GPU: the first PTE update of a
 *	SET_ATTR, and every one after it, fails half-way through its span
 *	(fail_pte_update_midway), after the GPU cached the translation of
 *	the first page, whose PTE it had written. SET_ATTR returns -ENOMEM,
 *	and a GPU write to the first page is a VM fault that leaves the page
 *	untouched: a failed update leaves no valid PTE behind, and no
 *	translation of one in the TLB. Once disarmed, SET_ATTR maps the
 *	buffer and the GPU writes it.
 *
 * SUBTEST: lost-ptes-rewritten
 * Description: XNACK on, on the virtual GPU: the PTEs of the first GPU
 *	fault's mapping of a 2 MiB buffer, and those of the first rewrite,
 *	are wiped right after they are written (fail_pte_lost, times 2),
 *	with no MMU notifier and no call of the core, as a page-table clear
 *	queued earlier on the driver's other page-table engine would. The
 *	GPU fill must complete without a VM fault and write the whole
 *	buffer: the core takes a fault at a range it holds mapped for stale
 *	only within 2 ms of the mapping, and writes the PTEs again after.
 *
 * SUBTEST: failed-set-attr-keeps-mapping
 * Description: XNACK off: a SET_ATTR that splits a mapped 2 MiB range
 *	(a granularity for 64 KiB in its middle) must take the range down
 *	and map its pieces again; the page lookups of that rebuild fail
 *	(fail_get_pages, disarmed when the call returns). SET_ATTR returns
 *	-ENOMEM, and the GPU
 *	then fills the whole 2 MiB without a VM fault: memory the GPU had
 *	mapped and may still access is never left unmapped while its
 *	queues run, whichever call failed (the restore worker maps it again
 *	first).
 *
 * SUBTEST: munmap-split-without-memory
 * Description: XNACK off: a munmap of one page in the middle of a 2 MiB
 *	buffer given GPU access finds no node to split the buffer's
 *	attribute interval with (fail_attr_split, as under a memory cgroup
 *	at its limit). The rest of the buffer keeps its attributes: GET_ATTR
 *	still reports the access, and after its pages are evicted the
 *	restore maps them again, so a GPU fill of the rest completes and
 *	reads back right. The next SET_ATTR clears the attributes of the
 *	page left unmapped: memory mapped there afterwards has none. On the
 *	virtual GPU, a second such page takes a buffer mapping of the
 *	driver's own (MAP_USERPTR) at once: an unmapped page is no SVM
 *	memory, whatever attributes are left on it.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_evict.h"
#include "svm_gpu.h"
#include "vamdgpu.h"

#define INJECT_SIZE	(2u << 20)
#define INJECT_PIECE	(64u << 10)
/* Countdown armed in "times": the injections are what it lost. */
#define INJECT_TIMES	1000000
/* A run whose point has not fired yet goes on to this many times its rounds. */
#define INJECT_MORE_ROUNDS	4
/* Where vmalloc() does its work, and warns when an allocation fails. */
#define VMALLOC_FUNCTION "__vmalloc_node_range_noprof"

/**
 * struct inject_point - a failure point and what its failures may surface as
 * @name: dynamic subtest name
 * @dir: its fault_attr directory in debugfs
 * @probability: percent of the calls that fail while armed
 * @filtered: a kernel-wide point, confined to the amdgpu_svm module's call
 *	chains by the stack filter
 * @efault: SET_ATTR may also return -EFAULT: the CPU fault under
 *	hmm_range_fault() ran out of memory (VM_FAULT_OOM), which the header
 *	documents as memory that cannot be faulted in
 * @xnack_only: fires with XNACK on only
 */
struct inject_point {
	const char *name;
	const char *dir;
	unsigned int probability;
	bool filtered;
	bool efault;
	bool xnack_only;
};

static const struct inject_point points[] = {
	{ "get-pages", "/sys/kernel/debug/amdgpu_svm/fail_get_pages", 25 },
	{ "update-ptes", "/sys/kernel/debug/amdgpu_svm/fail_update_ptes", 25 },
	{ "migrate", "/sys/kernel/debug/amdgpu_svm/fail_migrate", 50 },
	{ "attr-split", "/sys/kernel/debug/amdgpu_svm/fail_attr_split", 50 },
	{ "failslab", "/sys/kernel/debug/failslab", 10, true, true },
	{ "fail-page-alloc", "/sys/kernel/debug/fail_page_alloc", 25, true, true },
	/* The virtual GPU's hardware steps, as they fail on amdgpu. */
	{ "gpu-pte-update-midway", "/sys/kernel/debug/vamdgpu/fail_pte_update_midway", 25 },
	{ "gpu-copy-to-vram", "/sys/kernel/debug/vamdgpu/fail_copy_to_vram", 50 },
	{ "gpu-vram-alloc", "/sys/kernel/debug/vamdgpu/fail_vram_alloc", 50 },
	{ "gpu-pte-lost", "/sys/kernel/debug/vamdgpu/fail_pte_lost", 25,
	  .xnack_only = true },
};

/**
 * struct inject_run - one failure point on one GPU and mode
 * @point: the point
 * @ctx: the context
 * @q: its queue, replaced after each VM fault
 * @buf: the buffer of the round
 * @shadow: what @buf must hold
 * @injected: failures the point injected so far
 * @set_errors: SET_ATTR calls that returned an error
 * @vm_faults: GPU commands stopped by a VM fault
 */
struct inject_run {
	const struct inject_point *point;
	struct svm_ctx ctx;
	struct svm_queue q;
	uint8_t *buf;
	uint8_t *shadow;
	unsigned long injected;
	unsigned int set_errors, vm_faults;
};

static void write_knob(const char *dir, const char *knob, const char *value)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, knob);
	f = fopen(path, "w");
	igt_assert_f(f, "opening %s: %m\n", path);
	igt_assert_f(fputs(value, f) >= 0 && fclose(f) == 0,
		     "writing '%s' to %s: %m\n", value, path);
}

static unsigned long read_knob(const char *dir, const char *knob)
{
	unsigned long long v;
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, knob);
	f = fopen(path, "r");
	igt_assert_f(f, "opening %s: %m\n", path);
	igt_assert_f(fscanf(f, "%lli", &v) == 1, "unreadable %s\n", path);
	fclose(f);
	return v;
}

/*
 * The text of the amdgpu_svm module, from /proc/kallsyms: [*start, *end).
 * The end is a page past the last function's start, which the module's
 * text always extends to.
 */
static bool svm_module_text(unsigned long *start, unsigned long *end)
{
	unsigned long addr, lo = ULONG_MAX, hi = 0;
	char line[512], type, name[256], mod[64];
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s [%63[^]]]", &addr, &type, name,
			   mod) != 4 || strcmp(mod, "amdgpu_svm") ||
		    (type != 't' && type != 'T') || !addr)
			continue;
		lo = addr < lo ? addr : lo;
		hi = addr > hi ? addr : hi;
	}
	fclose(f);
	*start = lo;
	*end = (hi | 4095) + 1;
	return hi != 0;
}

/*
 * The text of one kernel function, from /proc/kallsyms: [*start, *end),
 * where *end is the next text symbol's address.
 */
static bool kernel_function_text(const char *function, unsigned long *start,
				 unsigned long *end)
{
	unsigned long addr, next = ULONG_MAX;
	char line[512], type, name[256];
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	*start = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %255s", &addr, &type, name) == 3 &&
		    addr && (type == 't' || type == 'T') &&
		    !strcmp(name, function))
			*start = addr;
	rewind(f);
	while (*start && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %255s", &addr, &type, name) == 3 &&
		    (type == 't' || type == 'T') && addr > *start &&
		    addr < next)
			next = addr;
	fclose(f);
	*end = next;
	return *start && next != ULONG_MAX;
}

static void arm(const struct inject_point *p)
{
	char v[32];

	write_knob(p->dir, "verbose", "0");
	write_knob(p->dir, "interval", "1");
	write_knob(p->dir, "space", "0");
	write_knob(p->dir, "task-filter", "N");
	if (p->filtered) {
		unsigned long start, end;

		igt_require_f(svm_module_text(&start, &end),
			      "no amdgpu_svm module text in /proc/kallsyms to confine %s to\n",
			      p->name);
		snprintf(v, sizeof(v), "%lu", start);
		write_knob(p->dir, "require-start", v);
		snprintf(v, sizeof(v), "%lu", end);
		write_knob(p->dir, "require-end", v);
		/*
		 * vmalloc reports a failure of its own bookkeeping or pages
		 * with a warning, by design: kvmalloc() of a large array
		 * (drm_gpusvm's pages) falls back to it. Leave it alone, so
		 * the kernel log holds only what the driver says.
		 */
		igt_require_f(kernel_function_text(VMALLOC_FUNCTION, &start,
						   &end),
			      "no %s in /proc/kallsyms to exempt from %s\n",
			      VMALLOC_FUNCTION, p->name);
		snprintf(v, sizeof(v), "%lu", start);
		write_knob(p->dir, "reject-start", v);
		snprintf(v, sizeof(v), "%lu", end);
		write_knob(p->dir, "reject-end", v);
		write_knob(p->dir, "stacktrace-depth", "32");
		write_knob(p->dir, "ignore-gfp-wait", "N");
		/* fail_page_alloc leaves order-0 pages alone by default. */
		if (!strcmp(p->name, "fail-page-alloc"))
			write_knob(p->dir, "min-order", "0");
	}
	snprintf(v, sizeof(v), "%d", INJECT_TIMES);
	write_knob(p->dir, "times", v);
	snprintf(v, sizeof(v), "%u", p->probability);
	write_knob(p->dir, "probability", v);
}

/* Off, and the stack filter back to everything; returns the injections. */
static unsigned long disarm(const struct inject_point *p)
{
	unsigned long left;

	write_knob(p->dir, "probability", "0");
	left = read_knob(p->dir, "times");
	if (p->filtered) {
		write_knob(p->dir, "require-start", "0");
		write_knob(p->dir, "require-end", "18446744073709551615");
		write_knob(p->dir, "reject-start", "0");
		write_knob(p->dir, "reject-end", "0");
	}
	return INJECT_TIMES - left;
}

/* Every point this kernel has, off: before each case and at exit. */
static void disarm_all(int sig)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(points); i++)
		if (access(points[i].dir, W_OK) == 0)
			disarm(&points[i]);
}

static bool set_attr_allowed(const struct inject_run *r, int ret)
{
	return ret == 0 || ret == -ENOMEM || ret == -EAGAIN ||
	       (ret == -EFAULT && r->point->efault);
}

/* SET_ATTR while failures are injected: 0 or a documented errno. */
static void inject_set(struct inject_run *r, void *p, size_t size,
		       const struct drm_amdgpu_svm_attribute *attrs,
		       unsigned int nattr, const char *what)
{
	int ret = __svm_set_attr(r->ctx.fd, (uintptr_t)p, size, attrs, nattr);

	igt_assert_f(set_attr_allowed(r, ret),
		     "%s: SET_ATTR %s returned %d (%s), not an errno documented for a failure of %s\n",
		     r->ctx.gpu->name, what, ret, strerror(-ret), r->point->name);
	r->set_errors += ret != 0;
}

/*
 * One GPU command while failures are injected: true if it completed, false
 * if a VM fault stopped the queue (then replaced). A hang fails the test.
 */
static bool inject_gpu(struct inject_run *r, const struct svm_gpu_cmd *cmd,
		       const char *what)
{
	int ret = __svm_queue_wait(&r->q, svm_queue_submit(&r->q, cmd, 1),
				   SVM_GPU_TIMEOUT_NS);

	if (!ret)
		return true;
	igt_assert_f(ret == -EIO,
		     "%s: %s while %s failed: wait returned %d (%s), neither done nor a VM fault\n",
		     r->ctx.gpu->name, what, r->point->name, ret, strerror(-ret));
	r->vm_faults++;
	svm_queue_destroy(&r->q);
	svm_queue_create(&r->ctx, &r->q);
	return false;
}

/*
 * A GPU command that faulted wrote [off, off + len) in part: each 32-bit
 * word holds the shadow's value or @expect(word); adopt what it holds.
 */
static void check_partial(struct inject_run *r, size_t off, size_t len,
			  const uint32_t *expect, uint32_t fill,
			  const char *what)
{
	uint32_t *now = (uint32_t *)(r->buf + off);
	uint32_t *old = (uint32_t *)(r->shadow + off);

	for (size_t i = 0; i < len / 4; i++) {
		uint32_t want = expect ? expect[i] : fill;

		igt_assert_f(now[i] == old[i] || now[i] == want,
			     "%s: %s faulted; word at %p holds 0x%08x, neither the old 0x%08x nor the new 0x%08x\n",
			     r->ctx.gpu->name, what, (void *)&now[i], now[i],
			     old[i], want);
		old[i] = now[i];
	}
}

static void check_shadow(const struct inject_run *r, const char *what)
{
	for (size_t i = 0; i < INJECT_SIZE; i += 4) {
		uint32_t now = *(uint32_t *)(r->buf + i);
		uint32_t want = *(uint32_t *)(r->shadow + i);

		igt_assert_f(now == want,
			     "%s: %s: DATA MISMATCH at +0x%zx: 0x%08x, expected 0x%08x (%s failures injected)\n",
			     r->ctx.gpu->name, what, i, now, want,
			     r->point->name);
	}
}

/* The core cases of one round, with the point armed. */
static void inject_round(struct inject_run *r, unsigned int round)
{
	uint32_t gpu_id = r->ctx.gpu->gpu_id;
	uint32_t loc = round & 1 ? AMDGPU_SVM_LOCATION_SYSMEM : gpu_id;
	struct drm_amdgpu_svm_attribute attrs[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, gpu_id },
		{ AMDGPU_SVM_ATTR_PREFETCH_LOC, loc },
	};
	size_t half = INJECT_SIZE / 2, off, len;
	uint32_t *src_before;
	struct svm_gpu_cmd cmd;
	uint32_t value;

	inject_set(r, r->buf, INJECT_SIZE, attrs, 2, "ACCESS + PREFETCH_LOC");

	/* A GPU fill of a random span. */
	off = (random() % (INJECT_SIZE / 4096)) * 4096;
	len = 4096 * (1 + random() % ((INJECT_SIZE - off) / 4096));
	value = 0xf1110000 | round;
	cmd = svm_cmd_fill((uintptr_t)r->buf + off, len, value);
	if (inject_gpu(r, &cmd, "GPU fill"))
		for (size_t i = 0; i < len; i += 4)
			*(uint32_t *)(r->shadow + off + i) = value;
	else
		check_partial(r, off, len, NULL, value, "GPU fill");

	/* CPU writes, one per 64 KiB: pages in VRAM come back. */
	for (size_t i = 0; i < INJECT_SIZE; i += INJECT_PIECE) {
		off = i + (random() % (INJECT_PIECE / 4)) * 4;
		*(uint32_t *)(r->buf + off) = round << 16 | i >> 16;
		*(uint32_t *)(r->shadow + off) = round << 16 | i >> 16;
	}

	/* DONTNEED of a piece: it reads zero from now on. */
	off = (random() % (INJECT_SIZE / INJECT_PIECE)) * INJECT_PIECE;
	igt_assert_eq(madvise(r->buf + off, INJECT_PIECE, MADV_DONTNEED), 0);
	memset(r->shadow + off, 0, INJECT_PIECE);

	/* munmap and mmap of a piece: fresh memory, no attributes. */
	off = (random() % (INJECT_SIZE / INJECT_PIECE)) * INJECT_PIECE;
	igt_assert_eq(munmap(r->buf + off, INJECT_PIECE), 0);
	igt_assert(mmap(r->buf + off, INJECT_PIECE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		   r->buf + off);
	memset(r->shadow + off, 0, INJECT_PIECE);
	inject_set(r, r->buf + off, INJECT_PIECE, attrs, 1,
		   "ACCESS on memory mapped again");

	/* The other location. */
	attrs[1].value = round & 1 ? gpu_id : AMDGPU_SVM_LOCATION_SYSMEM;
	inject_set(r, r->buf, INJECT_SIZE, &attrs[1], 1, "PREFETCH_LOC");

	/* A GPU copy of the first half over the second. */
	src_before = malloc(half);
	igt_assert(src_before);
	memcpy(src_before, r->shadow, half);
	cmd = svm_cmd_copy((uintptr_t)r->buf + half, (uintptr_t)r->buf, half);
	if (inject_gpu(r, &cmd, "GPU copy"))
		memcpy(r->shadow + half, src_before, half);
	else
		check_partial(r, half, half, src_before, 0, "GPU copy");
	free(src_before);
}

/* Disarmed: SET_ATTR succeeds and the GPU copies what the CPU reads. */
static void inject_recover(struct inject_run *r, uint8_t *dst)
{
	struct svm_gpu_cmd cmd = svm_cmd_copy((uintptr_t)dst, (uintptr_t)r->buf,
					      INJECT_SIZE);

	check_shadow(r, "CPU view after the round");
	svm_give_access(&r->ctx, r->buf, INJECT_SIZE);
	svm_give_access(&r->ctx, dst, INJECT_SIZE);
	svm_queue_exec(&r->q, &cmd, 1, "GPU copy after disarming");
	igt_assert_f(memcmp(dst, r->shadow, INJECT_SIZE) == 0,
		     "%s: the GPU copy after disarming %s differs from what the CPU reads\n",
		     r->ctx.gpu->name, r->point->name);
}

static void test_inject(struct svm_gpu *gpu, bool xnack,
			const struct inject_point *p, unsigned int rounds,
			unsigned int seed)
{
	struct inject_run r = { .point = p };
	unsigned int round;
	uint8_t *dst;

	igt_require_f(access(p->dir, W_OK) == 0,
		      "%s: no %s (a kernel without CONFIG_FAULT_INJECTION_DEBUG_FS, not root, or a GPU other than vamdgpu)\n",
		      p->name, p->dir);
	disarm_all(0);
	srandom(seed);
	igt_info("%s: seed %u (SVM_INJECT_SEED replays it)\n", p->name, seed);
	svm_ctx_open(gpu, xnack, &r.ctx);
	svm_queue_create(&r.ctx, &r.q);
	r.shadow = malloc(INJECT_SIZE);
	igt_assert(r.shadow);
	dst = svm_map(INJECT_SIZE);

	/*
	 * A point that fails some of its calls at random can miss every
	 * call of a few rounds (gpu-vram-alloc did in 1 of 80 runs of 3):
	 * more rounds, not a failed run, until it has fired.
	 */
	for (round = 0; round < rounds ||
	     (!r.injected && round < INJECT_MORE_ROUNDS * rounds); round++) {
		r.buf = svm_map_aligned(INJECT_SIZE, INJECT_SIZE);
		madvise(r.buf, INJECT_SIZE,
			round & 1 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		svm_pattern_fill(r.buf, INJECT_SIZE, seed + round);
		memcpy(r.shadow, r.buf, INJECT_SIZE);

		arm(p);
		inject_round(&r, round);
		r.injected += disarm(p);

		inject_recover(&r, dst);
		igt_assert_eq(munmap(r.buf, INJECT_SIZE), 0);
	}
	igt_info("%s: %u rounds, %lu failures injected, %u SET_ATTR errors, %u VM faults\n",
		 p->name, round, r.injected, r.set_errors, r.vm_faults);
	igt_assert_f(r.injected > 0,
		     "%s never fired in %u rounds: the test proved nothing\n",
		     p->name, round);

	munmap(dst, INJECT_SIZE);
	free(r.shadow);
	svm_queue_destroy(&r.q);
	svm_ctx_close(&r.ctx);
}

static const struct inject_point *find_point(const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(points); i++)
		if (!strcmp(points[i].name, name))
			return &points[i];
	igt_assert_f(0, "no failure point %s\n", name);
	return NULL;
}

/*
 * The PTE update that fails half-way must take back what it wrote, and the
 * GPU must forget what it cached of it: the core records the span unmapped,
 * and would never clear a PTE left valid, nor flush a translation of one,
 * which then keeps pointing at the pages after the CPU frees them.
 */
static void test_failed_update(struct svm_gpu *gpu)
{
	const struct inject_point *p = find_point("gpu-pte-update-midway");
	struct drm_amdgpu_svm_attribute attr = {
		AMDGPU_SVM_ATTR_ACCESS, gpu->gpu_id
	};
	size_t size = INJECT_PIECE;
	struct svm_gpu_cmd cmd;
	struct svm_queue q;
	struct svm_ctx ctx;
	uint32_t *buf;
	int ret;

	igt_require_f(svm_xnack_wanted(false),
		      "XNACK off only: with XNACK on a GPU fault maps the page\n");
	igt_require_f(access(p->dir, W_OK) == 0,
		      "no %s (a GPU other than vamdgpu, or no CONFIG_FAULT_INJECTION_DEBUG_FS)\n",
		      p->dir);
	disarm_all(0);
	svm_ctx_open(gpu, false, &ctx);
	svm_queue_create(&ctx, &q);
	buf = svm_map_aligned(size, size);
	memset(buf, 0, size);

	/*
	 * Every update fails, SET_ATTR's and those of the restore worker,
	 * which retries the span and then gives up on it.
	 */
	arm(p);
	write_knob(p->dir, "probability", "100");
	ret = __svm_set_attr(ctx.fd, (uintptr_t)buf, size, &attr, 1);
	igt_assert_f(ret == -ENOMEM,
		     "%s: SET_ATTR whose PTE update failed half-way returned %d (%s), expected -ENOMEM\n",
		     gpu->name, ret, strerror(-ret));

	cmd = svm_cmd_write((uintptr_t)buf, 0xbad, 4);
	ret = __svm_queue_wait(&q, svm_queue_submit(&q, &cmd, 1),
			       SVM_GPU_TIMEOUT_NS);
	igt_info("%s: %lu updates failed half-way\n", p->name, disarm(p));
	igt_assert_f(ret == -EIO && buf[0] == 0,
		     "%s: after the failed update a GPU write to its first page returned %d and the page holds 0x%x: the update left a valid PTE, or its cached translation, behind\n",
		     gpu->name, ret, buf[0]);

	svm_queue_destroy(&q);
	svm_queue_create(&ctx, &q);
	svm_give_access(&ctx, buf, size);
	cmd = svm_cmd_fill((uintptr_t)buf, size, 0x600d);
	svm_queue_exec(&q, &cmd, 1, "GPU fill once disarmed");
	svm_check_fill(buf, size, 0x600d, gpu->name);

	munmap(buf, size);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

/*
 * A failed SET_ATTR on part of a mapped buffer must not cost the GPU the
 * rest: the ranges it took down to rebuild them for the new attributes
 * were mapped, and another thread's queue may be using them.
 */
static void test_failed_set_attr(struct svm_gpu *gpu)
{
	const struct inject_point *p = find_point("get-pages");
	struct drm_amdgpu_svm_attribute attr = {
		AMDGPU_SVM_ATTR_GRANULARITY, 4
	};
	size_t size = INJECT_SIZE;
	struct svm_gpu_cmd cmd;
	struct svm_queue q;
	struct svm_ctx ctx;
	uint32_t *buf;
	int ret;

	igt_require_f(svm_xnack_wanted(false),
		      "XNACK off only: with XNACK on nothing is mapped before a GPU fault\n");
	igt_require_f(access(p->dir, W_OK) == 0,
		      "no %s (no CONFIG_FAULT_INJECTION_DEBUG_FS)\n", p->dir);
	disarm_all(0);
	svm_ctx_open(gpu, false, &ctx);
	svm_queue_create(&ctx, &q);
	buf = svm_map_aligned(size, size);
	memset(buf, 0x5a, size);
	svm_give_access(&ctx, buf, size);

	/*
	 * Every page lookup of the call fails, in each context of the
	 * process on this GPU (the fixture's too); the failure point is
	 * disarmed before the restore worker's retries can all fail.
	 */
	arm(p);
	write_knob(p->dir, "probability", "100");
	ret = __svm_set_attr(ctx.fd, (uintptr_t)buf + size / 2, INJECT_PIECE,
			     &attr, 1);
	igt_assert_f(disarm(p) > 0,
		     "%s: the SET_ATTR that splits the mapped range looked up no pages\n",
		     gpu->name);
	igt_assert_f(ret == -ENOMEM,
		     "%s: SET_ATTR whose page lookup failed returned %d (%s), expected -ENOMEM\n",
		     gpu->name, ret, strerror(-ret));

	cmd = svm_cmd_fill((uintptr_t)buf, size, 0x600d);
	ret = __svm_queue_wait(&q, svm_queue_submit(&q, &cmd, 1),
			       SVM_GPU_TIMEOUT_NS);
	igt_assert_f(ret == 0,
		     "%s: a GPU fill of the mapped buffer after a failed SET_ATTR on its middle returned %d (%s): the failed call left mapped memory unmapped\n",
		     gpu->name, ret, strerror(-ret));
	svm_check_fill(buf, size, 0x600d, gpu->name);

	munmap(buf, size);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

/*
 * XNACK on: PTEs that the GPU does not see although the core wrote them
 * (a page-table clear the driver queued earlier on its other page-table
 * engine landed after them, as amdgpu's delayed entity can) must be
 * written again once the GPU keeps faulting there: no MMU notifier and no
 * call tells the core they are gone.
 */
static void test_lost_ptes(struct svm_gpu *gpu)
{
	const struct inject_point *p = find_point("gpu-pte-lost");
	size_t size = INJECT_SIZE;
	struct svm_queue_counters c;
	struct svm_gpu_cmd cmd;
	unsigned long left;
	struct svm_queue q;
	struct svm_ctx ctx;
	uint32_t *buf;
	int ret;

	igt_require_f(svm_xnack_wanted(true),
		      "XNACK on only: with XNACK off a lost PTE is a VM fault\n");
	igt_require_f(access(p->dir, W_OK) == 0,
		      "no %s (a GPU other than vamdgpu, or no CONFIG_FAULT_INJECTION_DEBUG_FS)\n",
		      p->dir);
	disarm_all(0);
	svm_ctx_open(gpu, true, &ctx);
	svm_queue_create(&ctx, &q);
	buf = svm_map_aligned(size, size);
	memset(buf, 0, size);

	/* The first fault's mapping is wiped, and so is the first rewrite. */
	arm(p);
	write_knob(p->dir, "times", "2");
	write_knob(p->dir, "probability", "100");
	cmd = svm_cmd_fill((uintptr_t)buf, size, 0x600d);
	ret = __svm_queue_wait(&q, svm_queue_submit(&q, &cmd, 1),
			       SVM_GPU_TIMEOUT_NS);
	left = read_knob(p->dir, "times");
	write_knob(p->dir, "probability", "0");
	svm_queue_counters(&q, &c);
	igt_info("%s: %lu of 2 mappings wiped, %u retry faults, %u VM faults\n",
		 gpu->name, 2 - left, c.retry_faults, c.vm_faults);
	igt_assert_f(left == 0,
		     "%s: the GPU fill wiped %lu of 2 mappings: the test proved nothing\n",
		     gpu->name, 2 - left);
	igt_assert_f(ret == 0,
		     "%s: a GPU fill whose mapping was wiped twice returned %d (%s) after %u retry faults: the core took the GPU's faults at PTEs it had written for stale, forever\n",
		     gpu->name, ret, strerror(-ret), c.retry_faults);
	svm_check_fill(buf, size, 0x600d, gpu->name);

	munmap(buf, size);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

/* munmap one page at @hole, inside an interval, with @p failing its split. */
static void munmap_without_split(const struct inject_point *p, char *hole,
				 const struct svm_gpu *gpu)
{
	unsigned long fired;

	arm(p);
	write_knob(p->dir, "times", "1");
	write_knob(p->dir, "probability", "100");
	munmap(hole, 4096);
	fired = 1 - read_knob(p->dir, "times");
	write_knob(p->dir, "probability", "0");
	igt_assert_f(fired == 1,
		     "%s: the munmap inside the buffer's attribute interval split nothing: the test proved nothing\n",
		     gpu->name);
}

/*
 * A munmap that cannot split the attribute interval around it must not
 * cost the pages around it, still mapped, their attributes: with XNACK
 * off those say which memory the GPU keeps mapped across evictions.
 */
static void test_munmap_split(struct svm_gpu *gpu)
{
	const struct inject_point *p = find_point("attr-split");
	size_t size = INJECT_SIZE, half = INJECT_SIZE / 2;
	struct svm_gpu_cmd cmd;
	struct svm_queue q;
	struct svm_ctx ctx;
	char *buf, *other, *hole;
	int ret;

	igt_require_f(svm_xnack_wanted(false),
		      "XNACK off only: with XNACK on every GPU may access every page\n");
	igt_require_f(access(p->dir, W_OK) == 0,
		      "no %s (no CONFIG_FAULT_INJECTION_DEBUG_FS)\n", p->dir);
	disarm_all(0);
	svm_ctx_open(gpu, false, &ctx);
	svm_queue_create(&ctx, &q);
	buf = svm_map_aligned(size, size);
	other = svm_map_aligned(INJECT_PIECE, INJECT_PIECE);
	memset(buf, 0x5a, size);
	memset(other, 0x5a, INJECT_PIECE);
	svm_give_access(&ctx, buf, size);

	hole = buf + INJECT_PIECE;
	munmap_without_split(p, hole, gpu);

	igt_assert_f(svm_get_access(ctx.fd, (uintptr_t)buf + half, half,
				    gpu->gpu_id) == AMDGPU_SVM_ATTR_ACCESS,
		     "%s: the mapped half of the buffer lost its GPU access when a munmap elsewhere in it could not split its attributes\n",
		     gpu->name);
	svm_evict_dontneed(buf + half, half);
	cmd = svm_cmd_fill((uintptr_t)buf + half, half, 0x600d);
	ret = __svm_queue_wait(&q, svm_queue_submit(&q, &cmd, 1),
			       SVM_GPU_TIMEOUT_NS);
	igt_assert_f(ret == 0,
		     "%s: a GPU fill of the evicted half returned %d (%s): the restore did not map it again\n",
		     gpu->name, ret, strerror(-ret));
	svm_check_fill(buf + half, half, 0x600d, gpu->name);

	/* The next SET_ATTR, anywhere, forgets the unmapped page. */
	svm_give_access(&ctx, other, INJECT_PIECE);
	igt_assert(mmap(hole, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == hole);
	igt_assert_f(svm_get_access(ctx.fd, (uintptr_t)hole, 4096,
				    gpu->gpu_id) == AMDGPU_SVM_ATTR_NO_ACCESS,
		     "%s: memory mapped where the munmap could not clear the attributes got them after the next SET_ATTR\n",
		     gpu->name);

	if (gpu->is_virtual) {
		hole = buf + 2 * INJECT_PIECE;
		munmap_without_split(p, hole, gpu);
		/* An SVM call first removes the range the munmap cut. */
		svm_get_access(ctx.fd, (uintptr_t)buf + half, half, gpu->gpu_id);
		ret = __vamdgpu_map_userptr(ctx.fd, (uintptr_t)hole, 4096,
					    other, 0);
		igt_assert_f(ret == 0,
			     "%s: MAP_USERPTR at a page unmapped without memory to split its attributes returned %d (%s): SVM claimed memory no VMA maps\n",
			     gpu->name, ret, strerror(-ret));
		vamdgpu_unmap(ctx.fd, (uintptr_t)hole, 4096, 0);
	}

	munmap(other, INJECT_PIECE);
	munmap(buf, size);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

static unsigned int env_uint(const char *name, unsigned int dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : dflt;
}

static void run_points(struct svm_gpu *gpus, int ngpus, unsigned int rounds)
{
	unsigned int seed = env_uint("SVM_INJECT_SEED", time(NULL));

	rounds = env_uint("SVM_INJECT_ROUNDS", rounds);
	for (unsigned int i = 0; i < ARRAY_SIZE(points); i++)
		for_each_svm_mode(gpus, ngpus, g, x)
			if (x || !points[i].xnack_only)
				igt_dynamic_f("%s-%s-xnack-%s", points[i].name,
					      gpus[g].name, x ? "on" : "off")
					test_inject(&gpus[g], x, &points[i],
						    rounds, seed);
}

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture() {
		ngpus = svm_gpus_require(gpus);
		igt_install_exit_handler(disarm_all);
	}

	igt_describe("Rounds of the core cases (SET_ATTR with a prefetch location, GPU fill and copy, CPU writes, DONTNEED, munmap and mmap) while one failure point fails: the core's get_pages, PTE update or migration, failslab / fail_page_alloc in its call chains, or the virtual GPU's half-way PTE update, half-way copy to VRAM, VRAM allocation or (XNACK on) PTEs wiped after their update. Every failure is a documented errno or a VM fault, nothing hangs, no data is lost, and the GPU works again once disarmed.");
	igt_subtest_with_dynamic("core-cases")
		run_points(gpus, ngpus, 12);

	igt_describe("core-cases with 3 rounds per failure point and XNACK mode.");
	igt_subtest_with_dynamic("core-cases-short")
		run_points(gpus, ngpus, 3);

	igt_describe("XNACK off, on the virtual GPU: a PTE update that fails half-way through its span, after the GPU cached the first page's translation, leaves no valid PTE and no cached translation behind: SET_ATTR returns -ENOMEM and a GPU write to the first page is a VM fault; once disarmed the buffer maps and the GPU writes it.");
	igt_subtest_with_dynamic("failed-pte-update-unwound")
		for (int g = 0; g < ngpus; g++)
			igt_dynamic_f("%s", gpus[g].name)
				test_failed_update(&gpus[g]);

	igt_describe("XNACK off: a SET_ATTR on the middle of a mapped 2 MiB range whose rebuild's page lookups fail returns -ENOMEM, and the GPU still fills the whole range without a VM fault: a failed call never leaves mapped memory unmapped while the queues run.");
	igt_subtest_with_dynamic("failed-set-attr-keeps-mapping")
		for (int g = 0; g < ngpus; g++)
			igt_dynamic_f("%s", gpus[g].name)
				test_failed_set_attr(&gpus[g]);

	igt_describe("XNACK off: a munmap of one page in the middle of a buffer given GPU access, whose attribute interval it cannot split for lack of memory, leaves the rest its attributes: GET_ATTR reports the access, an eviction of the rest is restored and a GPU fill of it completes; the next SET_ATTR clears the attributes of the page left unmapped.");
	igt_subtest_with_dynamic("munmap-split-without-memory")
		for (int g = 0; g < ngpus; g++)
			igt_dynamic_f("%s", gpus[g].name)
				test_munmap_split(&gpus[g]);

	igt_describe("XNACK on, on the virtual GPU: the PTEs of the first GPU fault's mapping of a 2 MiB buffer, and of the first rewrite, are wiped right after they are written, no MMU notifier involved, as a page-table clear queued on the driver's other page-table engine would; the SVM core writes them again once the GPU keeps faulting there, and the GPU fill completes without a VM fault, its data right.");
	igt_subtest_with_dynamic("lost-ptes-rewritten")
		for (int g = 0; g < ngpus; g++)
			igt_dynamic_f("%s", gpus[g].name)
				test_lost_ptes(&gpus[g]);

	igt_fixture() {
		disarm_all(0);
		svm_gpus_close(gpus, ngpus);
	}
}
