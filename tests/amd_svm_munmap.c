// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm munmap
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM partial munmap
 * Functionality: partial munmap of GPU-mapped memory: rebuild of the rest,
 *	the hole, attributes
 * Description: drm_gpusvm does not split ranges: when the CPU unmaps part
 *	of a mapped range the driver must rebuild what is left. Every subtest
 *	runs per GPU, XNACK mode and memory layout (dynamic subtests named
 *	gpuN-TARGET-xnack-on/off-LAYOUT, LAYOUT one of 4k, 64k, 2m: the chunk
 *	size the region's alignment allows, and thp: 2 MiB chunks over a
 *	transparent huge page). After the munmap the GPU reads and writes the
 *	rest correctly, a GPU write to the hole is a VM fault naming the hole
 *	(XNACK off) or a refused retry fault (XNACK on), the rest keeps its
 *	attributes and memory mapped again in the hole has the defaults.
 *
 * SUBTEST: munmap-head
 * Description: The first page of a mapped region is unmapped.
 *
 * SUBTEST: munmap-middle
 * Description: One page in the middle of a chunk of a mapped region is
 *	unmapped.
 *
 * SUBTEST: munmap-tail
 * Description: The last page of a mapped region is unmapped.
 *
 * SUBTEST: munmap-across-chunks
 * Description: Two pages straddling the boundary of the second and third
 *	chunks of a mapped region are unmapped.
 *
 * SUBTEST: memory-returned
 * Description: 256 attribute intervals and the ranges of a 16 MiB buffer
 *	the GPU used come back once it is unmapped (the core's count in
 *	debugfs amdgpu_svm/processes, of them and of their bytes with the
 *	DMA-address arrays and notifiers, returns to where it was), and
 *	closing the context takes it off the count.
 *
 * SUBTEST: tlb-flush-count
 * Description: A GPU-mapped 128 MiB buffer (64 ranges of 2 MiB) made GPU
 *	read-only by one SET_ATTR, then mapped again and unmapped by one
 *	munmap: each event costs one TLB flush per GPU VM (file), not one
 *	per range (flushes counted on the virtual GPU, printed for both).
 *
 * SUBTEST: memory-per-range
 * Description: Kernel memory per mapped range: /proc/meminfo
 *	(unreclaimable slab, vmalloc, free memory) before and after a
 *	256 MiB buffer is mapped for the GPU, divided by the ranges the core
 *	holds for it (debugfs amdgpu_svm/processes), printed for both XNACK
 *	modes, for a buffer backed by huge pages and for one of 4 KiB pages;
 *	the virtual GPU's page tables (VRAM on amdgpu) are split off, and the
 *	core's own count of its ranges' memory (debugfs) is printed beside
 *	the least KFD's struct svm_range holds per range, for reference.
 *
 * SUBTEST: huge-page-page-replaced
 * Description: A GPU-mapped 2 MiB huge page, one of whose pages
 *	MADV_DONTNEED drops (the PMD split invalidates all 2 MiB) and the CPU
 *	writes again (a new page, not of the huge page's folio): the GPU's
 *	copy of the 2 MiB reads the new page there and the huge page's data
 *	everywhere else. The rest of the folio, physically contiguous, is
 *	DMA-mapped in runs, not page by page: the core's count of the range's
 *	memory is at least 3 KiB below that of the same range of 4 KiB pages
 *	(512 DMA addresses of 8 bytes).
 *
 * SUBTEST: rebuild-one-range-per-side
 * Description: A page unmapped from the middle of a GPU-mapped 2 MiB
 *	chunk of 4 KiB pages: the GPU's fill of the rest (mapped again by
 *	the rebuild with XNACK off, by faults with XNACK on) lands, and the
 *	rest is one range on each side of the hole per context that maps it
 *	(debugfs count), not a range per aligned power of two (up to 18).
 *
 * SUBTEST: set-attr-during-remap
 * Description: XNACK off, virtual GPU: a SET_ATTR giving the GPU access
 *	to a page stalls after it collected the page (in its page-table
 *	reservation, as amdgpu's waits for its page-table BOs), while the CPU
 *	unmaps the page and maps new memory there, which never got access:
 *	once the SET_ATTR goes on, the GPU must not have the new memory
 *	mapped with the old attributes: GET_ATTR says NO_ACCESS and a GPU
 *	write there is a VM fault that leaves the memory as the CPU wrote it.
 *
 * SUBTEST: munmap-benchmark
 * Description: Time of munmap of 4 KiB inside mapped regions of growing
 *	size plus the next SVM call (which completes the rebuild), XNACK off,
 *	beside the same munmap of memory the GPU does not use; SVM's share
 *	(its MMU notifier, timed by the core's trace events, plus the rebuild)
 *	and the whole, each as a ratio to the first map of one 2 MiB chunk,
 *	of a huge page and of 4 KiB pages (medians): it stays flat,
 *	proportional to one chunk, not to the region. The notifier must cover
 *	as many ranges in every region as in the smallest.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
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
#include "svm_held.h"
#include "svm_trace.h"

#define MARK_FLAG	AMDGPU_SVM_FLAG_GPU_READ_MOSTLY

struct hole {
	const char *name;
	const char *desc;
	/* Offset and length of the hole in a region of @chunk-sized chunks. */
	void (*place)(size_t size, size_t chunk, size_t page, size_t *off,
		      size_t *len);
};

static void place_head(size_t size, size_t chunk, size_t page, size_t *off,
		       size_t *len)
{
	*off = 0;
	*len = page;
}

static void place_middle(size_t size, size_t chunk, size_t page, size_t *off,
			 size_t *len)
{
	/* Inside the third chunk, off its boundaries where chunks allow. */
	*off = 2 * chunk + (chunk > page ? chunk / 2 : 0);
	*len = page;
}

static void place_tail(size_t size, size_t chunk, size_t page, size_t *off,
		       size_t *len)
{
	*off = size - page;
	*len = page;
}

static void place_across(size_t size, size_t chunk, size_t page, size_t *off,
			 size_t *len)
{
	*off = 2 * chunk - page;
	*len = 2 * page;
}

static const struct hole holes[] = {
	{ "munmap-head", "The first page of a mapped region is unmapped.",
	  place_head },
	{ "munmap-middle", "One page in the middle of a chunk of a mapped region is unmapped.",
	  place_middle },
	{ "munmap-tail", "The last page of a mapped region is unmapped.",
	  place_tail },
	{ "munmap-across-chunks", "Two pages straddling the boundary of the second and third chunks of a mapped region are unmapped.",
	  place_across },
};

static void test_munmap(struct svm_gpu *gpu, bool xnack,
			const struct svm_backing *b, const struct hole *h)
{
	size_t page = svm_page_size();
	size_t size = b->chunk == page ? 16 * page : 4 * b->chunk;
	struct svm_queue_counters c;
	struct svm_gpu_cmd cmds[2];
	struct svm_queue q, probe;
	size_t off, len, piece[2][2];
	struct svm_ctx ctx;
	char *buf, *dst;
	int npieces = 0, ret;
	uint32_t seed = 0x1000 + size;

	svm_ctx_open(gpu, xnack, &ctx);
	buf = svm_map_backing(b, size);
	dst = svm_map(size);
	h->place(size, b->chunk, page, &off, &len);
	svm_pattern_fill(buf, size, seed);
	svm_give_access(&ctx, buf, size);
	svm_give_access(&ctx, dst, size);
	svm_set_one(ctx.fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_SET_FLAGS,
		    MARK_FLAG);
	svm_queue_create(&ctx, &q);
	cmds[0] = svm_cmd_copy((uintptr_t)dst, (uintptr_t)buf, size);
	svm_queue_exec(&q, cmds, 1, "copy before munmap");
	svm_pattern_check(dst, size, seed, 0, "GPU copy before munmap");

	igt_assert_eq(munmap(buf + off, len), 0);
	if (off) {
		piece[npieces][0] = 0;
		piece[npieces++][1] = off;
	}
	if (off + len < size) {
		piece[npieces][0] = off + len;
		piece[npieces++][1] = size;
	}

	/* The GPU reads what is left, then writes all of it. */
	memset(dst, 0, size);
	for (int i = 0; i < npieces; i++)
		cmds[i] = svm_cmd_copy((uintptr_t)dst + piece[i][0],
				       (uintptr_t)buf + piece[i][0],
				       piece[i][1] - piece[i][0]);
	svm_queue_exec(&q, cmds, npieces, "copy of the rest after munmap");
	for (int i = 0; i < npieces; i++)
		svm_pattern_check(dst + piece[i][0], piece[i][1] - piece[i][0],
				  seed, piece[i][0], "GPU copy of the rest after munmap");
	for (int i = 0; i < npieces; i++)
		cmds[i] = svm_cmd_fill((uintptr_t)buf + piece[i][0],
				       piece[i][1] - piece[i][0], 0xc0ffee00 + i);
	svm_queue_exec(&q, cmds, npieces, "fill of the rest after munmap");
	for (int i = 0; i < npieces; i++) {
		size_t n = piece[i][1] - piece[i][0];

		svm_check_fill(buf + piece[i][0], n, 0xc0ffee00 + i,
			       "CPU view of the GPU fill of the rest");
		igt_assert_f(svm_get_one(ctx.fd, (uintptr_t)buf + piece[i][0], n,
					 AMDGPU_SVM_ATTR_SET_FLAGS) & MARK_FLAG,
			     "flags of [0x%zx, 0x%zx) lost at munmap of [0x%zx, +0x%zx)\n",
			     piece[i][0], piece[i][1], off, len);
		igt_assert_eq_u32(svm_get_access(ctx.fd, (uintptr_t)buf + piece[i][0],
						 n, gpu->gpu_id),
				  AMDGPU_SVM_ATTR_ACCESS);
	}

	/* The hole: a GPU write there is a VM fault (or a refused retry). */
	svm_queue_create(&ctx, &probe);
	cmds[0] = svm_cmd_write((uintptr_t)buf + off, 0x77, 4);
	ret = __svm_queue_wait(&probe, svm_queue_submit(&probe, cmds, 1),
			       SVM_GPU_TIMEOUT_NS);
	igt_assert_f(ret == -EIO,
		     "%s: GPU write to the unmapped hole at %p: expected a VM fault (EIO), got %d\n",
		     gpu->name, (void *)(buf + off), ret);
	if (svm_queue_has_counters(&probe)) {
		svm_queue_counters(&probe, &c);
		igt_assert_f(c.failed && c.fault_write &&
			     c.fault_addr == (uintptr_t)buf + off,
			     "%s: expected a write fault at %p, got %s at 0x%" PRIx64 "\n",
			     gpu->name, (void *)(buf + off),
			     c.failed ? "a fault" : "none", c.fault_addr);
		igt_assert_f(c.fault_unresolved == xnack,
			     "%s: XNACK %s: the fault in the hole %s the fault handler\n",
			     gpu->name, xnack ? "on" : "off",
			     c.fault_unresolved ? "went through" : "never went through");
		svm_queue_counters(&q, &c);
		igt_assert_f(!c.failed && c.vm_faults == 0,
			     "%s: the queue working on the rest faulted at 0x%" PRIx64 "\n",
			     gpu->name, c.fault_addr);
	}
	svm_queue_destroy(&probe);

	/* Memory mapped again in the hole starts from the defaults. */
	igt_assert(mmap(buf + off, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == buf + off);
	igt_assert_f(!(svm_get_one(ctx.fd, (uintptr_t)buf + off, len,
				   AMDGPU_SVM_ATTR_SET_FLAGS) & MARK_FLAG),
		     "memory mapped again in the hole at %p kept the old flags\n",
		     (void *)(buf + off));

	svm_queue_destroy(&q);
	munmap(buf, size);
	munmap(dst, size);
	svm_ctx_close(&ctx);
}

#define FLUSH_RANGES	64
#define FLUSH_VMS	256

/* The most TLB flushes any one VM (file) of this process made since @before. */
static uint64_t most_flushes_since(struct svm_gpu *gpu, const uint64_t *before)
{
	uint64_t now[FLUSH_VMS], most = 0;

	svm_vamdgpu_tlb_flushes(gpu, now, FLUSH_VMS);
	for (int i = 0; i < FLUSH_VMS; i++)
		if (now[i] - before[i] > most)
			most = now[i] - before[i];
	return most;
}

static void test_tlb_flush_count(struct svm_gpu *gpu, bool xnack)
{
	size_t size = FLUSH_RANGES * (2ul << 20);
	uint64_t before[FLUSH_VMS], attr, unmap;
	struct svm_gpu_cmd cmd;
	struct svm_queue q;
	struct svm_ctx ctx;
	char *buf, *dst;

	igt_require_f(gpu->is_virtual, "%s: TLB flushes are counted on the virtual GPU only\n",
		      gpu->name);
	svm_ctx_open(gpu, xnack, &ctx);
	/* Inside one 512 MiB drm_gpusvm notifier: one callback per event. */
	buf = svm_map_aligned(size, 256ul << 20);
	dst = svm_map(4096);
	memset(buf, 1, size);
	svm_give_access(&ctx, buf, size);
	svm_give_access(&ctx, dst, 4096);
	svm_queue_create(&ctx, &q);
	cmd = svm_cmd_fill((uintptr_t)buf, size, 0x17);
	svm_queue_exec(&q, &cmd, 1, "GPU fill mapping every range");

	svm_vamdgpu_tlb_flushes(gpu, before, FLUSH_VMS);
	svm_set_one(ctx.fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_SET_FLAGS,
		    AMDGPU_SVM_FLAG_GPU_RO);
	attr = most_flushes_since(gpu, before);

	/* Map every range again (XNACK on: by faults), read-only now. */
	for (size_t off = 0; off < size; off += 2ul << 20) {
		cmd = svm_cmd_copy((uintptr_t)dst, (uintptr_t)buf + off, 4096);
		svm_queue_exec(&q, &cmd, 1, "GPU read of every read-only range");
	}
	svm_vamdgpu_tlb_flushes(gpu, before, FLUSH_VMS);
	igt_assert_eq(munmap(buf, size), 0);
	unmap = most_flushes_since(gpu, before);
	igt_info("%s, XNACK %s: %d mapped ranges: SET_ATTR GPU_RO %" PRIu64 " TLB flushes, munmap %" PRIu64 " (the most of one VM)\n",
		 gpu->name, xnack ? "on" : "off", FLUSH_RANGES, attr, unmap);
	igt_assert_f(attr == 1, "SET_ATTR GPU_RO over %d mapped ranges: %" PRIu64 " TLB flushes of one VM, expected one\n",
		     FLUSH_RANGES, attr);
	igt_assert_f(unmap == 1, "munmap of %d mapped ranges: %" PRIu64 " TLB flushes of one VM, expected one\n",
		     FLUSH_RANGES, unmap);
	svm_queue_destroy(&q);
	munmap(dst, 4096);
	svm_ctx_close(&ctx);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/*
 * Runs of munmap-benchmark per figure; each figure is their median. The
 * first map of one chunk, the reference of every ratio, is short and
 * cheap: more runs steady it.
 */
enum { BENCH_REPS = 3, CHUNK_REPS = 7 };

/*
 * Median time (ms) of the first map of one 2 MiB chunk, backed by huge
 * pages or by 4 KiB pages (@thp).
 */
static double chunk_map_ms(struct svm_ctx *ctx, bool thp)
{
	double t[CHUNK_REPS];

	for (int r = 0; r < CHUNK_REPS; r++) {
		char *buf = svm_map_aligned(2ul << 20, 2 << 20);
		double t0;

		igt_assert_eq(madvise(buf, 2ul << 20, thp ? MADV_HUGEPAGE :
				      MADV_NOHUGEPAGE), 0);
		memset(buf, 1, 2ul << 20);
		t0 = now();
		svm_give_access(ctx, buf, 2ul << 20);
		t[r] = (now() - t0) * 1e3;
		munmap(buf, 2ul << 20);
	}
	return median(t, CHUNK_REPS);
}

/*
 * Median time (ms) of munmap of 4 KiB inside a region of @size the GPU
 * does not use, in this process: what the kernel's munmap costs without
 * SVM, in the same conditions as the SVM runs (under TCG it grows with the
 * memory the guest touched just before, SVM or not).
 */
static double plain_munmap_ms(size_t size)
{
	size_t page = svm_page_size();
	double t[BENCH_REPS];

	for (int r = 0; r < BENCH_REPS; r++) {
		char *buf = svm_map_aligned(size, 2 << 20);
		double t0;

		memset(buf, 1, size);
		t0 = now();
		igt_assert_eq(munmap(buf + size / 2 + page, page), 0);
		t[r] = (now() - t0) * 1e3;
		munmap(buf, size);
	}
	return median(t, BENCH_REPS);
}

static const char *const invalidate_events[] = {
	"amdgpu_svm_invalidate", "amdgpu_svm_invalidate_done", NULL
};

/** struct notifier_work - the SVM notifier's part of one munmap */
struct notifier_work {
	double begin, ms;
	unsigned int calls, ranges, zapped;
};

static void invalidate_line(const char *event, double ts, const char *fields,
			    void *data)
{
	struct notifier_work *w = data;
	unsigned int ranges, zapped;

	if (!strcmp(event, "amdgpu_svm_invalidate")) {
		w->begin = ts;
		return;
	}
	igt_assert_f(sscanf(fields, "gpu_id=%*u ranges=%u zapped=%u", &ranges,
			    &zapped) == 2, "unreadable event: %s\n", fields);
	igt_assert_f(w->begin, "amdgpu_svm_invalidate_done without its start\n");
	w->ms += (ts - w->begin) * 1e3;
	w->begin = 0;
	w->calls++;
	w->ranges += ranges;
	w->zapped += zapped;
}

static void test_benchmark(struct svm_gpu *gpu)
{
	static const size_t sizes[] = { 2ul << 20, 64ul << 20, 1ul << 30 };
	size_t page = svm_page_size();
	struct notifier_work first = {};
	double chunk_thp, chunk_4k;
	struct svm_ctx ctx;

	svm_trace_require(invalidate_events[1]);
	svm_ctxs_close_leaked();
	svm_ctx_open(gpu, false, &ctx);
	chunk_thp = chunk_map_ms(&ctx, true);
	chunk_4k = chunk_map_ms(&ctx, false);
	igt_info("first map of one 2 MiB chunk, median of %d runs: %.2f ms of a huge page, %.2f ms of 4 KiB pages; below, medians of %d runs\n",
		 CHUNK_REPS, chunk_thp, chunk_4k, BENCH_REPS);
	igt_info("times in ms; munmap of 4 KiB: the syscall, the same without SVM, and SVM's notifier in it (trace events)\n");
	igt_info("rebuild: the next SVM call; SVM's share: notifier + rebuild\n");
	igt_info("ratios to the first map of one chunk of a huge page; of 4 KiB pages, which the rebuild maps\n");
	igt_info("%-7s %-7s %-7s %-7s %-9s %-8s %-7s %-13s %-15s %s\n", "MiB",
		 "map", "munmap", "no SVM", "notifier", "rebuild", "share",
		 "ratio of all", "ratio of share", "notifier calls/ranges/zapped");
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		double map[BENCH_REPS], unmap[BENCH_REPS], notifier[BENCH_REPS];
		double rebuild[BENCH_REPS], all[BENCH_REPS], share[BENCH_REPS];
		size_t size = sizes[i];
		char ratio[32], share_ratio[32];
		double plain, a, sh;

		plain = plain_munmap_ms(size);
		for (int r = 0; r < BENCH_REPS; r++) {
			char *buf = svm_map_aligned(size, 2 << 20);
			struct notifier_work w = {};
			double t0, t1, t2, t3;

			memset(buf, 1, size);
			t0 = now();
			svm_give_access(&ctx, buf, size);
			map[r] = (now() - t0) * 1e3;
			svm_trace_start(invalidate_events);
			t1 = now();
			igt_assert_eq(munmap(buf + size / 2 + page, page), 0);
			t2 = now();
			/* The next SVM call drains the garbage collector first. */
			svm_get_one(ctx.fd, (uintptr_t)buf, page,
				    AMDGPU_SVM_ATTR_GRANULARITY);
			t3 = now();
			svm_trace_stop(invalidate_events, invalidate_line, &w);
			munmap(buf, size);

			/*
			 * Flat by count: the notifier covers what it covered
			 * in the smallest region (the range around the hole),
			 * however large the region.
			 */
			igt_assert_f(w.zapped,
				     "munmap of 4 KiB in %zu MiB of GPU-mapped memory zapped no range (%u notifier calls)\n",
				     size >> 20, w.calls);
			if (!first.calls)
				first = w;
			igt_assert_f(w.calls == first.calls &&
				     w.ranges == first.ranges &&
				     w.zapped == first.zapped,
				     "munmap of 4 KiB in %zu MiB: %u notifier calls over %u ranges, %u zapped; in %zu MiB: %u, %u, %u\n",
				     size >> 20, w.calls, w.ranges, w.zapped,
				     sizes[0] >> 20, first.calls, first.ranges,
				     first.zapped);
			unmap[r] = (t2 - t1) * 1e3;
			notifier[r] = w.ms;
			rebuild[r] = (t3 - t2) * 1e3;
			all[r] = (t3 - t1) * 1e3;
			share[r] = w.ms + rebuild[r];
		}
		a = median(all, BENCH_REPS);
		sh = median(share, BENCH_REPS);
		snprintf(ratio, sizeof(ratio), "%.2f; %.2f", a / chunk_thp,
			 a / chunk_4k);
		snprintf(share_ratio, sizeof(share_ratio), "%.2f; %.2f",
			 sh / chunk_thp, sh / chunk_4k);
		igt_info("%-7zu %-7.2f %-7.2f %-7.2f %-9.3f %-8.2f %-7.2f %-13s %-15s %u/%u/%u\n",
			 size >> 20, median(map, BENCH_REPS),
			 median(unmap, BENCH_REPS), plain,
			 median(notifier, BENCH_REPS),
			 median(rebuild, BENCH_REPS), sh, ratio, share_ratio,
			 first.calls, first.ranges, first.zapped);
	}
	svm_ctx_close(&ctx);
}

/*
 * A context and queue for a test that reads what the core holds; skips
 * without debugfs amdgpu_svm/processes.
 */
static void svm_held_open(struct svm_gpu *gpu, bool xnack, struct svm_ctx *ctx,
			  struct svm_queue *q)
{
	svm_held_require();
	svm_ctx_open(gpu, xnack, ctx);
	svm_queue_create(ctx, q);
}

static void test_memory_returned(struct svm_gpu *gpu, bool xnack)
{
	enum { PIECES = 256 };
	size_t size = 16u << 20, piece = size / PIECES;
	struct svm_held before, used, after;
	struct svm_gpu_cmd cmd;
	struct svm_ctx ctx;
	struct svm_queue q;
	char *buf;

	svm_held_open(gpu, xnack, &ctx, &q);
	before = svm_held_now();

	buf = svm_map_aligned(size, 2u << 20);
	for (int i = 0; i < PIECES; i++)
		svm_set_one(ctx.fd, (uintptr_t)buf + i * piece, piece,
			    AMDGPU_SVM_ATTR_GRANULARITY, 4 + i % 2);
	svm_give_access(&ctx, buf, size);
	cmd = svm_cmd_fill((uintptr_t)buf, size, 0x5a5a5a5a);
	svm_queue_exec(&q, &cmd, 1, "fill of the buffer");
	used = svm_held_now();
	igt_info("%s: before %u intervals, %d ranges (%ld, %ld bytes); in use %u, %d (%ld, %ld bytes)\n",
		 gpu->name, before.intervals, before.ranges,
		 before.interval_bytes, before.range_bytes, used.intervals,
		 used.ranges, used.interval_bytes, used.range_bytes);
	igt_assert_f(used.intervals >= before.intervals + PIECES &&
		     used.ranges > before.ranges,
		     "%u intervals and %d ranges in use, from %u and %d: the count does not see the buffer\n",
		     used.intervals, used.ranges, before.intervals,
		     before.ranges);

	igt_assert_eq(munmap(buf, size), 0);
	igt_assert_f(svm_held_back(&before, &after),
		     "%s: 10 s after munmap the core still holds %u intervals and %d ranges, %ld and %ld bytes (%u and %d, %ld and %ld before the buffer)\n",
		     gpu->name, after.intervals, after.ranges,
		     after.interval_bytes, after.range_bytes, before.intervals,
		     before.ranges, before.interval_bytes, before.range_bytes);

	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
	after = svm_held_now();
	igt_assert_f(after.contexts == before.contexts - 1,
		     "%s: %u contexts after closing one of %u\n", gpu->name,
		     after.contexts, before.contexts);
}

/* A /proc/meminfo field, in bytes. */
static long meminfo_bytes(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	FILE *f = fopen("/proc/meminfo", "r");
	long kb = -1;

	igt_assert_f(f, "opening /proc/meminfo: %m\n");
	while (kb < 0 && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	fclose(f);
	igt_assert_f(kb >= 0, "no %s in /proc/meminfo\n", field);
	return kb * 1024;
}

/*
 * Map @size bytes of @buf (backed by huge pages or not, per @thp) for the
 * GPU of @ctx and print the kernel memory it cost per range the core made.
 */
static void memory_per_range(struct svm_ctx *ctx, struct svm_queue *q,
			     char *buf, size_t size, bool thp)
{
	static const char *const fields[] = { "SUnreclaim", "VmallocUsed",
					       "MemFree" };
	long before[ARRAY_SIZE(fields)], after[ARRAY_SIZE(fields)];
	long pt_before = 0, pt_after = 0, ranges;
	struct svm_held held0, held;
	struct svm_gpu_cmd cmd;

	igt_assert_eq(madvise(buf, size, thp ? MADV_HUGEPAGE :
			      MADV_NOHUGEPAGE), 0);
	memset(buf, 1, size);
	held0 = svm_held_now();
	if (ctx->gpu->is_virtual)
		pt_before = svm_vamdgpu_pt_bytes(ctx->gpu);
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++)
		before[i] = meminfo_bytes(fields[i]);
	svm_give_access(ctx, buf, size);
	/* XNACK on: the GPU's faults make the ranges. */
	cmd = svm_cmd_fill((uintptr_t)buf, size, 0x5a5a5a5a);
	svm_queue_exec(q, &cmd, 1, "fill of the buffer");
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++)
		after[i] = meminfo_bytes(fields[i]);
	if (ctx->gpu->is_virtual)
		pt_after = svm_vamdgpu_pt_bytes(ctx->gpu);
	held = svm_held_now();
	igt_assert_f(held.ranges > held0.ranges,
		     "%s: the GPU mapped %zu MiB and the core holds no more ranges (%d)\n",
		     ctx->gpu->name, size >> 20, held.ranges);
	igt_info("%s, XNACK %s, %s: %zu MiB mapped in %d ranges, %u attribute intervals; kernel memory per range (bytes):\n",
		 ctx->gpu->name, ctx->xnack ? "on" : "off",
		 thp ? "THP" : "4 KiB pages", size >> 20,
		 held.ranges - held0.ranges, held.intervals);
	ranges = held.ranges - held0.ranges;
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++) {
		long delta = i == 2 ? before[i] - after[i] : after[i] - before[i];

		igt_info("  %-12s %ld\n", i == 2 ? "MemFree drop" : fields[i],
			 delta / ranges);
	}
	/*
	 * The virtual GPU's page tables are slab memory; amdgpu's are in
	 * VRAM, as KFD's, and not part of a range's cost.
	 */
	if (ctx->gpu->is_virtual)
		igt_info("  of which the virtual GPU's page tables %ld (VRAM on amdgpu)\n",
			 (pt_after - pt_before) / ranges);
	/* Exact where meminfo counts slab pages, not objects. */
	igt_info("  the core's own count: %ld per range (structure, DMA addresses, notifier share); attribute intervals %ld in all\n",
		 (held.range_bytes - held0.range_bytes) / ranges,
		 held.interval_bytes - held0.interval_bytes);
	/*
	 * KFD: struct svm_range has a DMA-address array pointer per GPU
	 * instance (MAX_GPU_INSTANCE, 64) and each GPU's array has 8 bytes per
	 * page, whatever the page size.
	 */
	igt_info("  reference: KFD's struct svm_range holds at least %zu per 2 MiB range: 8 bytes of DMA address per page per GPU (%zu) and 64 GPUs' array pointers (512)\n",
		 (2ul << 20) / svm_page_size() * 8 + 512,
		 (2ul << 20) / svm_page_size() * 8);
}

static void test_memory_per_range(struct svm_gpu *gpu, bool xnack)
{
	size_t size = 256ul << 20;
	struct svm_ctx ctx;
	struct svm_queue q;
	char *buf[2];

	svm_held_open(gpu, xnack, &ctx, &q);
	/* Both stay mapped until the end: nothing is freed meanwhile. */
	for (int thp = 1; thp >= 0; thp--) {
		buf[thp] = svm_map_aligned(size, 2u << 20);
		memory_per_range(&ctx, &q, buf[thp], size, thp);
	}
	munmap(buf[0], size);
	munmap(buf[1], size);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

/* The page of the 2 MiB region that huge-page-page-replaced replaces. */
#define REPLACED_PAGE	300

/*
 * Map a 2 MiB region (a huge page if @thp) for the GPU, replace one of its
 * pages, and check the GPU's copy of it; return the core's count of the
 * region's ranges (one per context that maps it) and of their memory once
 * the GPU read it again.
 */
static struct svm_held page_replaced_held(struct svm_ctx *ctx,
					  struct svm_queue *q, char *dst,
					  bool thp)
{
	size_t size = 2ul << 20, page = svm_page_size();
	size_t off = REPLACED_PAGE * page;
	const struct svm_backing *huge = &svm_backings[3];
	struct svm_held base, held, now;
	struct svm_gpu_cmd cmd;
	char *buf;

	igt_assert(huge->chunk == size && huge->thp);
	base = svm_held_now();
	if (thp) {
		buf = svm_map_backing(huge, size);
	} else {
		buf = svm_map_aligned(size, size);
		igt_assert_eq(madvise(buf, size, MADV_NOHUGEPAGE), 0);
	}
	svm_pattern_fill(buf, size, 0x2000);
	svm_give_access(ctx, buf, size);
	cmd = svm_cmd_copy((uintptr_t)dst, (uintptr_t)buf, size);
	svm_queue_exec(q, &cmd, 1, "copy of the region");
	svm_pattern_check(dst, size, 0x2000, 0, "GPU copy of the region");

	igt_assert_eq(madvise(buf + off, page, MADV_DONTNEED), 0);
	svm_pattern_fill(buf + off, page, 0x3000);
	memset(dst, 0, size);
	svm_queue_exec(q, &cmd, 1, "copy after one page was replaced");
	svm_pattern_check(dst, off, 0x2000, 0,
			  "GPU copy before the replaced page");
	svm_pattern_check(dst + off, page, 0x3000, 0,
			  "GPU copy of the replaced page");
	svm_pattern_check(dst + off + page, size - off - page, 0x2000,
			  off + page, "GPU copy after the replaced page");
	held = svm_held_now();
	held.ranges -= base.ranges;
	held.range_bytes -= base.range_bytes;
	igt_info("%s, XNACK %s, %s: %d range(s), %ld bytes of range memory after the page was replaced\n",
		 ctx->gpu->name, ctx->xnack ? "on" : "off",
		 thp ? "huge page" : "4 KiB pages", held.ranges,
		 held.range_bytes);
	igt_assert_f(held.ranges > 0, "%s: the core holds no range of the region\n",
		     ctx->gpu->name);

	igt_assert_eq(munmap(buf, size), 0);
	igt_assert_f(svm_held_back(&base, &now),
		     "%s: 10 s after munmap the core still holds %d ranges (%d before the region)\n",
		     ctx->gpu->name, now.ranges, base.ranges);
	return held;
}

static void test_huge_page_page_replaced(struct svm_gpu *gpu, bool xnack)
{
	size_t size = 2ul << 20, entries = size / svm_page_size();
	struct svm_held thp, small;
	struct svm_gpu_cmd cmd;
	struct svm_ctx ctx;
	struct svm_queue q;
	char *dst;

	svm_held_open(gpu, xnack, &ctx, &q);
	dst = svm_map(size);
	svm_give_access(&ctx, dst, size);
	/* Its ranges exist before either region's count starts. */
	cmd = svm_cmd_fill((uintptr_t)dst, size, 0);
	svm_queue_exec(&q, &cmd, 1, "fill of the copy's destination");
	small = page_replaced_held(&ctx, &q, dst, false);
	thp = page_replaced_held(&ctx, &q, dst, true);
	igt_assert_f(thp.ranges == small.ranges,
		     "%s: the huge page is %d ranges, the region of 4 KiB pages %d\n",
		     gpu->name, thp.ranges, small.ranges);
	igt_assert_f(thp.range_bytes + (long)(entries - 128) * 8 * thp.ranges <=
		     small.range_bytes,
		     "%s: a range of a huge page with one page replaced holds %ld bytes, the same range of 4 KiB pages %ld: its folio's pages were DMA-mapped one by one (%zu addresses of 8 bytes), not in runs\n",
		     gpu->name, thp.range_bytes / thp.ranges,
		     small.range_bytes / small.ranges, entries);
	munmap(dst, size);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

static void test_rebuild_ranges(struct svm_gpu *gpu, bool xnack)
{
	size_t size = 2ul << 20, page = svm_page_size(), off = size / 2 + page;
	struct svm_held base, whole, rest;
	struct svm_gpu_cmd cmds[2];
	int contexts, ranges;
	struct svm_ctx ctx;
	struct svm_queue q;
	char *buf;

	svm_held_open(gpu, xnack, &ctx, &q);
	base = svm_held_now();
	buf = svm_map_aligned(size, size);
	igt_assert_eq(madvise(buf, size, MADV_NOHUGEPAGE), 0);
	memset(buf, 1, size);
	svm_give_access(&ctx, buf, size);
	cmds[0] = svm_cmd_fill((uintptr_t)buf, size, 0x11111111);
	svm_queue_exec(&q, cmds, 1, "fill of the chunk");
	whole = svm_held_now();
	/* One range per context that maps the chunk. */
	contexts = whole.ranges - base.ranges;
	igt_assert_f(contexts > 0, "%s: the core holds no range of the chunk\n",
		     gpu->name);

	igt_assert_eq(munmap(buf + off, page), 0);
	cmds[0] = svm_cmd_fill((uintptr_t)buf, off, 0x22222222);
	cmds[1] = svm_cmd_fill((uintptr_t)buf + off + page,
			       size - off - page, 0x22222222);
	svm_queue_exec(&q, cmds, 2, "fill of the rest of the chunk");
	svm_check_fill(buf, off, 0x22222222, "the rest before the hole");
	svm_check_fill(buf + off + page, size - off - page, 0x22222222,
		       "the rest after the hole");
	rest = svm_held_now();
	ranges = rest.ranges - base.ranges;
	igt_info("%s, XNACK %s: %d range(s) for the chunk, %d for the rest around a 4 KiB hole\n",
		 gpu->name, xnack ? "on" : "off", contexts, ranges);
	igt_assert_f(ranges <= 2 * contexts,
		     "%s: the rest of a 2 MiB chunk around a 4 KiB hole is %d ranges for %d context(s): expected one on each side of the hole per context\n",
		     gpu->name, ranges, contexts);

	munmap(buf, size);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

/* A SET_ATTR in a thread of its own: ACCESS for the context's GPU. */
struct set_attr_call {
	struct svm_ctx *ctx;
	void *buf;
	size_t size;
	int ret;
};

static void *set_attr_thread(void *arg)
{
	struct set_attr_call *call = arg;
	const struct drm_amdgpu_svm_attribute access = {
		.type = AMDGPU_SVM_ATTR_ACCESS,
		.value = call->ctx->gpu->gpu_id,
	};

	call->ret = __svm_set_attr_once(call->ctx->fd, (uintptr_t)call->buf,
					call->size, &access, 1);
	return NULL;
}

/*
 * A SET_ATTR of ACCESS over a 2 MiB chunk and one page after it (one
 * attribute piece, two ranges) stalls in the reservation of the first
 * range, after it read the piece; the CPU unmaps the page after the chunk
 * and maps new memory there. The SET_ATTR then maps the second range:
 * with the attributes it read, the new page would get the ACCESS it never
 * had. Runs in a child process, whose only SVM context is the one the
 * stall hits (the suite's own file of the GPU is its parent's).
 */
static void set_attr_during_remap(struct svm_gpu *gpu)
{
	size_t page = svm_page_size(), size = SZ_2M + page;
	struct svm_queue_counters c;
	struct set_attr_call call;
	struct svm_gpu_cmd cmd;
	unsigned int stalled = 0;
	uint64_t waited = 0, seqno;
	bool remapped = false;
	struct svm_queue q;
	struct svm_ctx ctx;
	pthread_t thread;
	uint32_t access;
	char *buf;
	int ret;

	svm_ctx_open(gpu, false, &ctx);
	svm_queue_create(&ctx, &q);
	buf = svm_map_aligned(size, SZ_2M);
	memset(buf, 1, size);

	/* Nothing may fail until the stall is disarmed: later tests would stall. */
	svm_vamdgpu_stall_pte_reserves(gpu, 1);
	call = (struct set_attr_call){ .ctx = &ctx, .buf = buf, .size = size };
	if (pthread_create(&thread, NULL, set_attr_thread, &call) == 0) {
		stalled = svm_vamdgpu_await_stalled(gpu, SVM_GPU_TIMEOUT_NS,
						    &waited);
		if (stalled)
			remapped = munmap(buf + SZ_2M, page) == 0 &&
				   mmap(buf + SZ_2M, page,
					PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					-1, 0) == buf + SZ_2M;
		svm_vamdgpu_stall_pte_reserves(gpu, 0);
		pthread_join(thread, NULL);
	}
	svm_vamdgpu_stall_pte_reserves(gpu, 0);
	igt_assert_f(stalled,
		     "%s: the SET_ATTR never reached its page-table reservation\n",
		     gpu->name);
	igt_assert_f(remapped, "munmap and mmap of the page: %m\n");

	/* The chunk the SET_ATTR did give access to. */
	cmd = svm_cmd_write((uintptr_t)buf, 0xacce55, 8);
	svm_queue_exec(&q, &cmd, 1, "GPU write to the chunk given access");
	igt_assert_eq_u64(*(uint64_t *)buf, 0xacce55);

	memset(buf + SZ_2M, 2, page);
	access = svm_get_access(ctx.fd, (uintptr_t)buf + SZ_2M, page,
				gpu->gpu_id);
	cmd = svm_cmd_write((uintptr_t)buf + SZ_2M, 0x5e7a77, 8);
	seqno = svm_queue_submit(&q, &cmd, 1);
	ret = __svm_queue_wait(&q, seqno, SVM_GPU_TIMEOUT_NS);
	svm_queue_counters(&q, &c);
	igt_info("%s: SET_ATTR %s; the new page: %s; GPU write there: %s\n",
		 gpu->name, call.ret ? strerror(-call.ret) : "done",
		 access == AMDGPU_SVM_ATTR_NO_ACCESS ? "NO_ACCESS" : "access",
		 ret ? strerror(-ret) : "done");
	igt_assert_f(access == AMDGPU_SVM_ATTR_NO_ACCESS,
		     "GET_ATTR of memory mapped after the SET_ATTR's attributes were set: type %u, expected NO_ACCESS\n",
		     access);
	igt_assert_f(ret == -EIO && c.failed &&
		     c.fault_addr == (uintptr_t)buf + SZ_2M,
		     "%s: the GPU write to memory that never got ACCESS: %s, VM fault at 0x%" PRIx64 ": the SET_ATTR mapped it with the attributes of the memory unmapped there\n",
		     gpu->name, ret ? strerror(-ret) : "done", c.fault_addr);
	svm_check_fill(buf + SZ_2M, page, 0x02020202,
		       "the new page after the GPU write");

	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static void test_set_attr_during_remap(struct svm_gpu *gpu)
{
	struct svm_queue q;
	struct svm_ctx ctx;

	/* Skip here what would skip in the child, where IGT cannot. */
	svm_ctx_open(gpu, false, &ctx);
	svm_queue_create(&ctx, &q);
	svm_queue_require_counters(&q);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
	/* Also skips where there is no virtual GPU's debugfs. */
	svm_vamdgpu_stall_pte_reserves(gpu, 0);

	igt_fork(child, 1)
		set_attr_during_remap(gpu);
	igt_waitchildren();
	svm_vamdgpu_stall_pte_reserves(gpu, 0);
}

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture()
		ngpus = svm_gpus_require(gpus);

	for (unsigned int h = 0; h < ARRAY_SIZE(holes); h++) {
		igt_describe(holes[h].desc);
		igt_subtest_with_dynamic(holes[h].name) {
			for_each_svm_mode(gpus, ngpus, g, x)
				for (unsigned int b = 0; b < svm_nbackings; b++)
					igt_dynamic_f("%s-xnack-%s-%s", gpus[g].name,
						      x ? "on" : "off",
						      svm_backings[b].name)
						test_munmap(&gpus[g], x,
							    &svm_backings[b],
							    &holes[h]);
		}
	}

	igt_describe("256 attribute intervals and the ranges of a 16 MiB buffer the GPU used come back once it is unmapped (the core's count in debugfs amdgpu_svm/processes, of them and of their bytes with the DMA-address arrays and notifiers, returns to where it was), and closing the context takes it off the count.");
	igt_subtest_with_dynamic("memory-returned") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_memory_returned(&gpus[g], x);
	}

	igt_describe("A GPU-mapped 128 MiB buffer (64 ranges of 2 MiB) made GPU read-only by one SET_ATTR, then mapped again and unmapped by one munmap: each event costs one TLB flush per GPU VM (file), not one per range (flushes counted on the virtual GPU, printed for both events).");
	igt_subtest_with_dynamic("tlb-flush-count") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_tlb_flush_count(&gpus[g], x);
	}

	igt_describe("Time of munmap of 4 KiB inside mapped regions of growing size plus the next SVM call (which completes the rebuild), XNACK off, beside the same munmap of memory the GPU does not use; SVM's share (its MMU notifier, timed by the core's trace events, plus the rebuild) and the whole, each as a ratio to the first map of one 2 MiB chunk, of a huge page and of 4 KiB pages (medians): it stays flat, proportional to one chunk, not to the region. The notifier must cover as many ranges in every region as in the smallest.");
	igt_subtest_with_dynamic("munmap-benchmark") {
		igt_require_f(svm_xnack_wanted(false),
			      "XNACK on maps lazily: nothing to rebuild\n");
		for (int g = 0; g < ngpus; g++)
			igt_dynamic_f("%s-xnack-off", gpus[g].name)
				test_benchmark(&gpus[g]);
	}

	igt_describe("A GPU-mapped 2 MiB huge page, one of whose pages MADV_DONTNEED drops and the CPU writes again: the GPU's copy reads the new page there and the huge page's data elsewhere, and the rest of the folio is DMA-mapped in runs, not page by page (the core's count of the range's memory is at least 3 KiB below that of the same range of 4 KiB pages).");
	igt_subtest_with_dynamic("huge-page-page-replaced") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_huge_page_page_replaced(&gpus[g], x);
	}

	igt_describe("A page unmapped from the middle of a GPU-mapped 2 MiB chunk of 4 KiB pages: the GPU's fill of the rest lands, and the rest is one range on each side of the hole per context that maps it (debugfs count), not a range per aligned power of two.");
	igt_subtest_with_dynamic("rebuild-one-range-per-side") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_rebuild_ranges(&gpus[g], x);
	}

	igt_describe("XNACK off, virtual GPU: a SET_ATTR giving the GPU access to a page stalls after it collected the page, while the CPU unmaps the page and maps new memory there: the GPU must not get the new memory mapped with the old attributes (GET_ATTR NO_ACCESS, a GPU write faults and changes nothing).");
	igt_subtest_with_dynamic("set-attr-during-remap") {
		for (int g = 0; g < ngpus && svm_xnack_wanted(false); g++)
			igt_dynamic_f("%s-xnack-off", gpus[g].name)
				test_set_attr_during_remap(&gpus[g]);
	}

	igt_describe("Kernel memory per mapped range: /proc/meminfo (unreclaimable slab, vmalloc, free memory) before and after a 256 MiB buffer is mapped for the GPU, divided by the ranges the core holds for it (debugfs amdgpu_svm/processes), printed for both XNACK modes, for a buffer backed by huge pages and for one of 4 KiB pages; the virtual GPU's page tables (VRAM on amdgpu) are split off, and the core's own count of its ranges' memory (debugfs) is printed beside the least KFD's struct svm_range holds per range, for reference.");
	igt_subtest_with_dynamic("memory-per-range") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_memory_per_range(&gpus[g], x);
	}

	igt_fixture() {
		svm_trace_off(invalidate_events);
		svm_gpus_close(gpus, ngpus);
	}
}

