// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm migrate
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM migration
 * Functionality: moving SVM ranges between system memory and VRAM
 * Description: PREFETCH_LOC, PREFERRED_LOC and GRANULARITY move pages into
 *	a GPU's VRAM (a drm_pagemap over device-private memory) and back; a
 *	CPU touch brings one granule back; VRAM pressure evicts; CPU and GPU
 *	alternating on the same pages keep making progress. Where pages are
 *	is read from /proc/self/pagemap (a device-private page is a
 *	non-present swap-type entry; the guest has no swap), and how much
 *	VRAM is in use from the GPU (amdgpu's AMDGPU_INFO_VRAM_USAGE, the
 *	virtual GPU's debugfs). Commands go through lib/svm_gpu, so every
 *	subtest runs on the virtual GPU and on real amdgpu; quiesce counts
 *	are checked where the GPU counts them (the virtual GPU). Every
 *	subtest runs once per GPU and XNACK mode (dynamic subtests
 *	gpuN-TARGET-xnack-on/off).
 *
 * SUBTEST: prefetch
 * Description: PREFETCH_LOC=GPU moves a buffer into VRAM, the GPU reads
 *	and writes it there in place, PREFETCH_LOC=SYSMEM brings it back;
 *	the data is exact at every step.
 *
 * SUBTEST: prefetch-untouched
 * Description: Memory never touched, prefetched into VRAM blocks another
 *	buffer just freed, reads as zeros on the GPU: no stale VRAM contents
 *	leak.
 *
 * SUBTEST: prefetch-back-faults
 * Description: 8 MiB of 4 KiB pages in VRAM (four 2 MiB ranges) moved back
 *	by PREFETCH_LOC=SYSMEM, which faults them back through
 *	hmm_range_fault(): fewer page faults (the thread's, getrusage)
 *	than a quarter of the pages (one per range moves it whole; mm/hmm
 *	used to fault every page after it), and the data intact.
 *
 * SUBTEST: foreign-device-private
 * Description: 4 MiB of 4 KiB pages in another driver's device-private
 *	memory (the kernel's test_hmm device, whose migrate_to_ram() moves
 *	one page per CPU fault): the GPU maps them, each faulted back to
 *	system memory, and reads and fills them exactly.
 *	PREFETCH_LOC=SYSMEM brings every page of a second such buffer back,
 *	and PREFETCH_LOC=GPU brings every page of a third into this GPU's
 *	VRAM (through system memory), with its data. Skipped without
 *	test_hmm.
 *
 * SUBTEST: prefetch-partial
 * Description: A 2 MiB buffer whose CPU wrote every other 64 KiB piece and
 *	never touched the rest is prefetched into VRAM: every page moves,
 *	the GPU fills the untouched pieces in VRAM; the CPU drops the first
 *	piece (MADV_DONTNEED) and PREFETCH_LOC=SYSMEM brings every other page
 *	back, which then reads right on the CPU (written pieces their data,
 *	the others the fill, the dropped piece zeros).
 *
 * SUBTEST: access-in-place
 * Description: A buffer the GPU may access in place (ACCESS_IN_PLACE) is
 *	prefetched into VRAM, the CPU touches every page (they come back to
 *	system memory), and the GPU fills it: the GPU works on the pages
 *	where they are, none moves back to VRAM (KFD's rule for in-place
 *	access), and the CPU reads the fill.
 *
 * SUBTEST: migration-race
 * Description: A thread prefetches a buffer to VRAM and back while the GPU
 *	copies it (faulting it in with XNACK on) and the CPU reads it
 *	(faulting VRAM pages back), for several rounds: every copy and every
 *	read sees the buffer's data, and every prefetch succeeds.
 *
 * SUBTEST: overlapping-layouts
 * Description: A span with ACCESS and a prefetch location is overlapped
 *	by a second SET_ATTR carrying ACCESS and the other location: inside
 *	it, over its head, over its tail, past its end, exactly, or over two
 *	disjoint earlier spans and the gap between them; the first span in
 *	system memory, mapped by the GPU, or in VRAM. Every page then holds
 *	the location of the last SET that covered it (GET_ATTR and
 *	/proc/self/pagemap), and a GPU copy of the whole span and the CPU
 *	read the data. The granularity is the layouts' 512 KiB unit: pages
 *	migrate in whole granules.
 *
 * SUBTEST: preferred-loc
 * Description: PREFERRED_LOC=GPU places pages in VRAM where the mode
 *	maps them: at SET_ATTR with XNACK off, at the first GPU fault with
 *	XNACK on (not before).
 *
 * SUBTEST: cpu-fault-granule
 * Description: After a prefetch, a CPU read at the head, middle or tail
 *	of a 2 MiB range brings back exactly the granule around it (4 KiB,
 *	64 KiB or 2 MiB per GRANULARITY); the rest stays in VRAM and the GPU
 *	reads the mixed range exactly.
 *
 * SUBTEST: cpu-fault-unaligned-range
 * Description: A 2 MiB region whose first page is unmapped is one range
 *	of 2 MiB less a page (fitted to its VMA, not aligned): after a
 *	prefetch, a CPU read in its second half brings back exactly that
 *	aligned 1 MiB (migration units are aligned powers of two, which is how
 *	drm_pagemap finds a unit around a CPU fault); the rest stays in VRAM
 *	and the GPU reads the mixed range exactly.
 *
 * SUBTEST: granularity-large
 * Description: GRANULARITY above 2 MiB (4 MiB, 8 MiB, the maximum) on an
 *	8 MiB buffer reads back as set; the prefetch moves every page, and a
 *	CPU read brings back the 2 MiB around it (a migration unit is cut at
 *	the bounds of its range, at most 2 MiB): the rest stays in VRAM and
 *	the GPU reads everything exactly.
 *
 * SUBTEST: granularity-change-in-vram
 * Description: GRANULARITY lowered from 2 MiB to 64 KiB while the buffer
 *	is in VRAM moves nothing and keeps the data; the units the pages
 *	moved in stay (a CPU read brings back 2 MiB), and the next prefetch
 *	moves them in 64 KiB units (a CPU read then brings back 64 KiB).
 *
 * SUBTEST: vram-three-quarters
 * Description: A buffer of three quarters of the GPU's VRAM preferring
 *	the GPU moves in whole into VRAM (a prefetch with XNACK off, the GPU's
 *	own faults, one range at a time, with XNACK on), the GPU fills it in
 *	place, and it comes back whole (a prefetch with XNACK off, CPU faults
 *	with XNACK on) with the GPU's data.
 *
 * SUBTEST: larger-than-vram
 * Description: One buffer a quarter larger than the GPU's VRAM,
 *	prefetched to the GPU: SET_ATTR succeeds, at most the VRAM's worth of
 *	pages is in VRAM, and the GPU fills the whole buffer (in VRAM and in
 *	system memory alike) and the CPU reads the fill.
 *
 * SUBTEST: oversubscribe
 * Description: Prefetching twice the GPU's VRAM evicts the oldest
 *	buffers to system memory; every byte survives, and the GPU reads
 *	evicted and resident buffers exactly.
 *
 * SUBTEST: oversubscribe-processes
 * Description: Three processes, each with its own SVM context on the GPU,
 *	prefetch buffers of two thirds of its VRAM each, so that they evict
 *	one another's memory; then each, seeded, moves random buffers back
 *	into VRAM and overwrites them on the GPU, checks them on the GPU, and
 *	checks and rewrites them on the CPU, while the others do the same:
 *	every byte of every process survives.
 *
 * SUBTEST: ping-pong
 * Description: GPU write, CPU check and write, GPU copy, for many rounds
 *	on a buffer whose location is the GPU: every round's data is exact;
 *	prints rounds per second, the slowest round and pages moved (a
 *	livelock is left to the runner's per-test timeout).
 *
 * SUBTEST: ping-pong-two-gpus
 * Description: Two GPUs and the CPU take turns on one buffer preferring
 *	one GPU: since both GPUs use it, it stays in system memory (no peer
 *	path), the data is exact every round. Prints how often a prefetch
 *	of memory only one GPU maps quiesced the other GPU's queues.
 *
 * SUBTEST: vram-to-vram
 * Description: A buffer in one GPU's VRAM prefetched to another GPU moves
 *	into the second GPU's VRAM (through system memory where no peer path
 *	exists) with its data.
 *
 * SUBTEST: fork-during-migration
 * Description: A child forked while a buffer is in VRAM reads the
 *	parent's data and its writes stay its own; the parent's GPU and CPU
 *	still see the parent's data.
 *
 * SUBTEST: munmap-during-migration
 * Description: munmap of half of a buffer in VRAM frees that half's VRAM
 *	and leaves the other half in VRAM with its data.
 *
 * SUBTEST: munmap-races-migration
 * Description: munmap of half a buffer while another thread migrates it
 *	to VRAM and back: the other half keeps its data, the thread gets only
 *	EFAULT, and no VRAM stays allocated once everything is unmapped.
 *
 * SUBTEST: thp-small-ranges
 * Description: A THP-backed 2 MiB buffer moves into VRAM whole, then an
 *	attribute change inside it makes the GPU map it in 64 KiB and 4 KiB
 *	ranges that start inside the 2 MiB device page: every range maps its
 *	own pages, and the GPU reads and writes exactly the buffer's data.
 *
 * SUBTEST: cpu-touch-split-device-thp
 * Description: A THP-backed 2 MiB buffer moves into VRAM whole, an
 *	mprotect of one page splits its mapping into 4 KiB entries of the
 *	one 2 MiB device page, and the CPU then reads a page in its middle:
 *	the migration back splits the device page under the fault, and
 *	every page comes back with its data (no kernel BUG on a folio
 *	unlocked twice).
 *
 * SUBTEST: benchmark
 * Description: Migration bandwidth, system to VRAM and back, for 2 MiB to
 *	256 MiB with and without THP, side by side with the kernel's test_hmm
 *	device migrating the same buffers and with plain memcpy: printed,
 *	never asserted. One untimed round trip each way comes first, so the
 *	figures are those of migration and not of the first use of device
 *	memory (the virtual GPU backs its VRAM, test_hmm allocates its
 *	device pages, at first use); each move out of VRAM starts after the
 *	driver's minimum residency in VRAM (2 ms) ended.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "hmm_dmirror.h"
#include "svm_buf.h"
#include "svm_evict.h"
#include "svm_gpu.h"

#define PING_PONG_ROUNDS	16
#define MIGRATION_RACE_ROUNDS	8

static size_t page_size;

struct mode {
	struct svm_gpu *gpu;
	bool xnack;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * Pages of [buf, buf + size) that are device-private: present bit clear,
 * swap bit set in /proc/self/pagemap (the guest has no swap).
 */
static void assert_in_vram(const void *buf, size_t size, size_t expected,
			   const char *what)
{
	size_t got = svm_vram_pages(buf, size);

	igt_assert_f(got == expected,
		     "%s: %zu of %zu pages in VRAM, expected %zu\n",
		     what, got, size / page_size, expected);
}

static void set_loc(struct svm_ctx *ctx, void *buf, size_t size,
		    uint32_t type, uint32_t loc)
{
	svm_set_one(ctx->fd, (uintptr_t)buf, size, type, loc);
}

static void exec_cmd(struct svm_queue *q, struct svm_gpu_cmd cmd,
		     const char *what)
{
	svm_queue_exec(q, &cmd, 1, what);
}

/*
 * The GPU copies @src to a fresh system buffer; check it holds pattern
 * @seed from byte @offset of the pattern on.
 */
static void gpu_check_at(struct svm_queue *q, const void *src, size_t size,
			 uint32_t seed, size_t offset, const char *what)
{
	void *dst = svm_map_aligned(size, SZ_2M);

	memset(dst, 0, size);
	svm_give_access(q->ctx, dst, size);
	exec_cmd(q, svm_cmd_copy((uintptr_t)dst, (uintptr_t)src, size), what);
	svm_pattern_check(dst, size, seed, offset, what);
	munmap(dst, size);
}

static void gpu_check(struct svm_queue *q, const void *src, size_t size,
		      uint32_t seed, const char *what)
{
	gpu_check_at(q, src, size, seed, 0, what);
}

static void test_prefetch(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = 2 * SZ_2M, npages = size / page_size;
	struct svm_ctx ctx;
	void *buf = svm_map_aligned(size, SZ_2M);
	struct svm_queue_counters c;
	struct svm_queue q;
	uint64_t used;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(buf, size, 1);
	svm_give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);

	used = svm_gpu_vram_used(m->gpu);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, size, npages, "after PREFETCH_LOC=GPU");
	igt_assert_f(svm_gpu_vram_used(m->gpu) >= used + size,
		     "VRAM use grew by less than the buffer\n");

	/*
	 * The restore worker resumes the queue once the call has dropped
	 * the SVM lock: counted after a GPU read, which runs only then and
	 * maps nothing new (gpu_check()'s munmap quiesces again). Quiesces
	 * are counted on the virtual GPU only.
	 */
	exec_cmd(&q, svm_cmd_read((uintptr_t)buf), "GPU read after the prefetch");
	if (!m->xnack && svm_queue_has_counters(&q)) {
		svm_queue_counters(&q, &c);
		igt_assert_f(c.quiesce_count == 1 && c.resume_count == 1,
			     "XNACK off: moving mapped pages must quiesce and resume the queues once, got %u quiesces, %u resumes\n",
			     c.quiesce_count, c.resume_count);
	}
	gpu_check(&q, buf, size, 1, "GPU read of VRAM");
	assert_in_vram(buf, size, npages, "after the GPU read it in place");

	/* The GPU writes VRAM in place; SYSMEM brings the writes back. */
	exec_cmd(&q, svm_cmd_fill((uintptr_t)buf, size, 0x2a2a2a2a),
		 "GPU fill of VRAM");
	assert_in_vram(buf, size, npages, "after the GPU wrote it in place");
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		AMDGPU_SVM_LOCATION_SYSMEM);
	assert_in_vram(buf, size, 0, "after PREFETCH_LOC=SYSMEM");
	for (size_t i = 0; i < size / 4; i++)
		igt_assert_f(((uint32_t *)buf)[i] == 0x2a2a2a2a,
			     "GPU write lost at offset 0x%zx: 0x%08x\n", i * 4,
			     ((uint32_t *)buf)[i]);

	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

/*
 * VRAM keeps the contents of freed blocks: a page that never held data must
 * arrive in VRAM as zeros, not as what the last owner of the block left.
 */
static void test_prefetch_untouched(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = SZ_2M, npages = size / page_size;
	struct svm_ctx ctx;
	void *old = svm_map_aligned(size, SZ_2M), *fresh;
	struct svm_queue q;
	uint32_t *dst;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(old, size, 4);
	svm_give_access(&ctx, old, size);
	set_loc(&ctx, old, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(old, size, npages, "the old buffer");
	munmap(old, size);

	/* First fit: the fresh buffer gets the blocks the old one freed. */
	fresh = svm_map_aligned(size, SZ_2M);
	/* Prefetch before ACCESS: mapping first would fault in zero pages. */
	set_loc(&ctx, fresh, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	svm_give_access(&ctx, fresh, size);
	assert_in_vram(fresh, size, npages, "the never-touched buffer");
	dst = svm_map_aligned(size, SZ_2M);
	memset(dst, 0xff, size);
	svm_give_access(&ctx, dst, size);
	svm_queue_create(&ctx, &q);
	exec_cmd(&q, svm_cmd_copy((uintptr_t)dst, (uintptr_t)fresh, size),
		 "GPU read of never-touched pages");
	for (size_t i = 0; i < size / 4; i++)
		igt_assert_f(dst[i] == 0,
			     "never-touched memory at offset 0x%zx reads 0x%08x on the GPU: stale VRAM\n",
			     i * 4, dst[i]);
	munmap(dst, size);
	svm_queue_destroy(&q);
	munmap(fresh, size);
	svm_ctx_close(&ctx);
}

/*
 * A prefetch of a buffer only half populated: the pages the CPU wrote move
 * with their data, the never-touched ones move too (as zeros); the GPU
 * fills the latter in VRAM and every page then reads right.
 */
static void test_prefetch_partial(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = SZ_2M, npages = size / page_size, piece = SZ_64K;
	struct svm_ctx ctx;
	uint8_t *buf = svm_map_aligned(size, SZ_2M);
	struct svm_queue q;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	/* No THP: a first touch would populate the whole 2 MiB. */
	igt_assert_eq(madvise(buf, size, MADV_NOHUGEPAGE), 0);
	for (size_t off = 0; off < size; off += 2 * piece)
		svm_pattern_fill(buf + off, piece, 5 + off / piece);
	/* Prefetch before ACCESS: mapping first would fault in zero pages. */
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	svm_give_access(&ctx, buf, size);
	assert_in_vram(buf, size, npages, "after prefetching a half-written buffer");

	svm_queue_create(&ctx, &q);
	for (size_t off = piece; off < size; off += 2 * piece)
		exec_cmd(&q, svm_cmd_fill((uintptr_t)buf + off, piece, 0x5e5e5e5e),
			 "GPU fill of a never-touched piece");
	assert_in_vram(buf, size, npages, "after the GPU filled the untouched pieces");
	gpu_check(&q, buf, piece, 5, "GPU read of the first written piece");

	/*
	 * The CPU drops the first piece: with XNACK on (and with XNACK off
	 * until the restore maps it again) the range is part unpopulated,
	 * part VRAM; PREFETCH_LOC=SYSMEM must still bring the rest back.
	 */
	igt_assert_eq(madvise(buf, piece, MADV_DONTNEED), 0);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		AMDGPU_SVM_LOCATION_SYSMEM);
	assert_in_vram(buf, size, 0,
		       "after PREFETCH_LOC=SYSMEM of a range the CPU dropped a piece of");
	svm_check_fill(buf, piece, 0, "the piece the CPU dropped");
	for (size_t off = 2 * piece; off < size; off += 2 * piece)
		svm_pattern_check(buf + off, piece, 5 + off / piece, 0,
				  "a piece the CPU wrote, back from VRAM");
	for (size_t off = piece; off < size; off += 2 * piece)
		svm_check_fill(buf + off, piece, 0x5e5e5e5e,
			       "a never-touched piece the GPU filled");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

/*
 * ACCESS_IN_PLACE: the GPU maps pages where they are; its accesses never
 * migrate them (only a prefetch does).
 */
static void test_access_in_place(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = SZ_2M, npages = size / page_size;
	struct svm_ctx ctx;
	uint32_t *buf = svm_map_aligned(size, SZ_2M);
	struct svm_queue q;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(buf, size, 9);
	svm_set_one(ctx.fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_ACCESS_IN_PLACE,
		    id);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, size, npages, "after PREFETCH_LOC=GPU");

	/* The CPU touches every page: they come back to system memory. */
	for (size_t i = 0; i < size / 4; i += page_size / 4)
		buf[i] = 0xc0de0000u | i;
	assert_in_vram(buf, size, 0, "after the CPU touched every page");

	svm_queue_create(&ctx, &q);
	exec_cmd(&q, svm_cmd_fill((uintptr_t)buf, size, 0x1234abcd),
		 "GPU fill of memory it accesses in place");
	assert_in_vram(buf, size, 0,
		       "after a GPU fill with ACCESS_IN_PLACE (the GPU's access must not migrate)");
	svm_check_fill(buf, size, 0x1234abcd, "the GPU's in-place fill");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

/*
 * Overlapping SET_ATTR layouts, in units of 512 KiB from a 2 MiB-aligned
 * base: earlier spans (the second only for "superset") and the later span
 * that overlaps them.
 */
static const struct layout {
	const char *name;
	unsigned int first[2][2];	/* [start, end) of earlier spans */
	unsigned int later[2];		/* [start, end) of the later span */
} layouts[] = {
	{ "inside", { { 4, 8 } }, { 5, 7 } },
	{ "head", { { 4, 8 } }, { 3, 5 } },
	{ "tail", { { 4, 8 } }, { 7, 9 } },
	{ "past-end", { { 4, 8 } }, { 6, 11 } },
	{ "exact", { { 4, 8 } }, { 4, 8 } },
	{ "superset", { { 4, 6 }, { 8, 10 } }, { 3, 11 } },
};

#define LAYOUT_UNIT	(512 * 1024)
#define LAYOUT_UNITS	12
/* log2 of LAYOUT_UNIT in 4 KiB pages */
#define LAYOUT_GRANULARITY	7

/* Where the earlier spans are when the later SET_ATTR comes. */
enum layout_state { LAYOUT_SYSMEM, LAYOUT_GPU_MAPPED, LAYOUT_VRAM };

static const char *const layout_states[] = {
	[LAYOUT_SYSMEM] = "sysmem",
	[LAYOUT_GPU_MAPPED] = "gpu-mapped",
	[LAYOUT_VRAM] = "vram",
};

static void set_access_loc(struct svm_ctx *ctx, char *base, unsigned int from,
			   unsigned int to, uint32_t loc)
{
	struct drm_amdgpu_svm_attribute attrs[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, ctx->gpu->gpu_id },
		{ AMDGPU_SVM_ATTR_PREFETCH_LOC, loc },
	};

	svm_set_attr(ctx->fd, (uintptr_t)base + from * LAYOUT_UNIT,
		     (to - from) * LAYOUT_UNIT, attrs, ARRAY_SIZE(attrs));
}

static void test_overlapping_layout(const struct mode *m,
				    const struct layout *l,
				    enum layout_state state)
{
	uint32_t id = m->gpu->gpu_id, loc[LAYOUT_UNITS];
	bool set[LAYOUT_UNITS] = {};
	size_t size = LAYOUT_UNITS * LAYOUT_UNIT, unit_pages = LAYOUT_UNIT / page_size;
	uint32_t first = state == LAYOUT_VRAM ? id : AMDGPU_SVM_LOCATION_SYSMEM;
	uint32_t later = state == LAYOUT_VRAM ? AMDGPU_SVM_LOCATION_SYSMEM : id;
	char *base = svm_map_aligned(size, SZ_2M);
	unsigned int lo = l->later[0], hi = l->later[1];
	struct svm_queue q;
	struct svm_ctx ctx;
	char what[96];

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_queue_create(&ctx, &q);
	svm_pattern_fill(base, size, 41);
	/* Migration units of one layout unit: whole granules move together. */
	svm_set_one(ctx.fd, (uintptr_t)base, size, AMDGPU_SVM_ATTR_GRANULARITY,
		    LAYOUT_GRANULARITY);
	for (unsigned int s = 0; s < 2 && l->first[s][1]; s++) {
		set_access_loc(&ctx, base, l->first[s][0], l->first[s][1], first);
		for (unsigned int u = l->first[s][0]; u < l->first[s][1]; u++) {
			loc[u] = first;
			set[u] = true;
		}
		lo = l->first[s][0] < lo ? l->first[s][0] : lo;
		hi = l->first[s][1] > hi ? l->first[s][1] : hi;
	}
	if (state == LAYOUT_GPU_MAPPED)
		gpu_check_at(&q, base + l->first[0][0] * LAYOUT_UNIT,
			     (l->first[0][1] - l->first[0][0]) * LAYOUT_UNIT,
			     41, l->first[0][0] * LAYOUT_UNIT,
			     "GPU read before the later SET_ATTR");
	/* The gap of "superset" has no attributes yet: give it ACCESS too. */
	set_access_loc(&ctx, base, l->later[0], l->later[1], later);
	for (unsigned int u = l->later[0]; u < l->later[1]; u++) {
		loc[u] = later;
		set[u] = true;
	}

	for (unsigned int u = lo; u < hi; u++) {
		char *p = base + u * LAYOUT_UNIT;
		uint32_t want = set[u] ? loc[u] : AMDGPU_SVM_LOCATION_UNDEFINED;

		snprintf(what, sizeof(what), "%s, %s: 512 KiB unit %u", l->name,
			 layout_states[state], u);
		igt_assert_f(svm_get_one(ctx.fd, (uintptr_t)p, LAYOUT_UNIT,
					 AMDGPU_SVM_ATTR_PREFETCH_LOC) == want,
			     "%s: PREFETCH_LOC reads 0x%x, expected 0x%x\n", what,
			     svm_get_one(ctx.fd, (uintptr_t)p, LAYOUT_UNIT,
					 AMDGPU_SVM_ATTR_PREFETCH_LOC), want);
		assert_in_vram(p, LAYOUT_UNIT,
			       set[u] && loc[u] == id ? unit_pages : 0, what);
	}
	gpu_check_at(&q, base + lo * LAYOUT_UNIT, (hi - lo) * LAYOUT_UNIT, 41,
		     lo * LAYOUT_UNIT,
		     "GPU copy of everything the SET_ATTRs covered");
	svm_pattern_check(base, size, 41, 0, "CPU read of the whole buffer");
	svm_queue_destroy(&q);
	munmap(base, size);
	svm_ctx_close(&ctx);
}

static void test_preferred_loc(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = SZ_2M, npages = size / page_size;
	struct svm_ctx ctx;
	void *buf = svm_map_aligned(size, SZ_2M);
	struct svm_queue q;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(buf, size, 2);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFERRED_LOC, id);
	svm_give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	if (m->xnack) {
		assert_in_vram(buf, size, 0,
			       "XNACK on: before any GPU fault");
		gpu_check(&q, buf, size, 2, "GPU read by faults");
		assert_in_vram(buf, size, npages,
			       "XNACK on: after the GPU faulted it in");
	} else {
		assert_in_vram(buf, size, npages,
			       "XNACK off: after SET_ATTR mapped it");
		gpu_check(&q, buf, size, 2, "GPU read of VRAM");
	}
	svm_pattern_check(buf, size, 2, 0, "CPU read back");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static const struct {
	const char *name;
	size_t offset;	/* from the start; (size_t)-1: the last page */
} positions[] = {
	{ "head", 0 },
	{ "middle", SZ_2M / 2 + 3 * 4096 },
	{ "tail", (size_t)-1 },
};

/*
 * A CPU read at @offset of @buf (@size bytes in VRAM, pattern @seed)
 * brings back exactly [@unit, @unit + @unit_size) (@what); the GPU and the
 * CPU then read the mixed range exactly.
 */
static void check_cpu_touch(struct svm_queue *q, char *buf, size_t size,
			    uint32_t seed, size_t offset, char *unit,
			    size_t unit_size, const char *what)
{
	uint32_t v = *(volatile uint32_t *)(buf + offset);

	igt_assert_f(v == svm_pattern_at(seed, offset),
		     "CPU read at offset 0x%zx: expected 0x%08x, got 0x%08x\n",
		     offset, svm_pattern_at(seed, offset), v);
	assert_in_vram(unit, unit_size, 0, what);
	assert_in_vram(buf, size, (size - unit_size) / page_size,
		       "the whole range after one CPU touch");
	gpu_check(q, buf, size, seed, "GPU read of the mixed range");
	svm_pattern_check(buf, size, seed, 0, "CPU read of everything");
}

static void test_cpu_fault_granule(const struct mode *m, unsigned int gran,
				   size_t offset)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = SZ_2M, npages = size / page_size;
	size_t granule = page_size << gran;
	struct svm_ctx ctx;
	char *buf = svm_map_aligned(size, SZ_2M);
	struct svm_queue q;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	if (offset == (size_t)-1)
		offset = size - page_size;
	svm_pattern_fill(buf, size, 3);
	svm_give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	svm_set_one(ctx.fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_GRANULARITY, gran);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, size, npages, "after the prefetch");

	check_cpu_touch(&q, buf, size, 3, offset,
			buf + (offset & ~(granule - 1)), granule,
			"the touched granule");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static void test_cpu_fault_unaligned(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = SZ_2M - page_size, npages = size / page_size;
	size_t offset = SZ_2M / 2 + 3 * page_size - page_size;
	char *region = svm_map_aligned(SZ_2M, SZ_2M), *buf = region + page_size;
	struct svm_queue q;
	struct svm_ctx ctx;

	igt_assert_eq(munmap(region, page_size), 0);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(buf, size, 53);
	svm_give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, size, npages, "after the prefetch");

	check_cpu_touch(&q, buf, size, 53, offset, region + SZ_2M / 2,
			SZ_2M / 2, "the aligned 1 MiB around the CPU read");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static void test_granularity_large(const struct mode *m, unsigned int gran)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = 4 * SZ_2M, npages = size / page_size;
	size_t offset = SZ_2M + SZ_2M / 2 + 3 * page_size;
	char *buf = svm_map_aligned(size, SZ_2M);
	struct svm_queue q;
	struct svm_ctx ctx;
	uint32_t v;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(buf, size, 43);
	svm_give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	svm_set_one(ctx.fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_GRANULARITY,
		    gran);
	igt_assert_eq_u32(svm_get_one(ctx.fd, (uintptr_t)buf, size,
				      AMDGPU_SVM_ATTR_GRANULARITY), gran);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, size, npages, "after the prefetch");

	v = *(volatile uint32_t *)(buf + offset);
	igt_assert_eq_u32(v, svm_pattern_at(43, offset));
	assert_in_vram(buf + SZ_2M, SZ_2M, 0,
		       "the 2 MiB range the CPU read from");
	assert_in_vram(buf, size, npages - SZ_2M / page_size,
		       "the buffer after one CPU read");

	gpu_check(&q, buf, size, 43, "GPU read of the mixed buffer");
	svm_pattern_check(buf, size, 43, 0, "CPU read of everything");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static void test_granularity_change_in_vram(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = SZ_2M, npages = size / page_size;
	size_t first = 5 * SZ_64K + page_size, second = 20 * SZ_64K;
	char *buf = svm_map_aligned(size, SZ_2M);
	struct svm_queue q;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(buf, size, 47);
	svm_give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, size, npages, "after the prefetch in 2 MiB units");

	svm_set_one(ctx.fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_GRANULARITY, 4);
	assert_in_vram(buf, size, npages, "after GRANULARITY=64 KiB");
	gpu_check(&q, buf, size, 47, "GPU read after the granularity change");

	/* The pages moved as one 2 MiB unit: they come back as one. */
	svm_pattern_check(buf + first, page_size, 47, first,
			  "a CPU read after the granularity change");
	assert_in_vram(buf, size, 0,
		       "the 2 MiB unit the pages moved in, after a CPU read");

	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		AMDGPU_SVM_LOCATION_SYSMEM);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, size, npages, "after a prefetch in 64 KiB units");
	svm_pattern_check(buf + second, page_size, 47, second,
			  "a CPU read of a page moved in a 64 KiB unit");
	assert_in_vram(buf + second, SZ_64K, 0, "the 64 KiB unit the CPU read");
	assert_in_vram(buf, size, npages - SZ_64K / page_size,
		       "the buffer after a CPU read of one 64 KiB unit");
	gpu_check(&q, buf, size, 47, "GPU read of the mixed buffer");
	svm_pattern_check(buf, size, 47, 0, "CPU read of everything");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

/* Skip when @size bytes of buffers would take more than half the free RAM. */
static void require_ram(const struct svm_gpu *gpu, uint64_t size)
{
	uint64_t avail = (uint64_t)sysconf(_SC_AVPHYS_PAGES) * page_size;

	igt_require_f(size <= avail / 2,
		      "%s: %" PRIu64 " MiB of buffers, more than half the free memory (%" PRIu64 " MiB)\n",
		      gpu->name, size >> 20, avail >> 20);
}

static void test_vram_three_quarters(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = m->gpu->vram_size / 4 * 3 / SZ_2M * SZ_2M;
	size_t npages = size / page_size;
	char *buf, *dst;
	struct svm_queue q;
	struct svm_ctx ctx;

	require_ram(m->gpu, 2 * size);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	buf = svm_map_aligned(size, SZ_2M);
	dst = svm_map_aligned(size, SZ_2M);
	svm_pattern_fill(buf, size, 53);
	memset(dst, 0, size);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFERRED_LOC, id);
	svm_give_access(&ctx, buf, size);
	svm_give_access(&ctx, dst, size);
	svm_queue_create(&ctx, &q);
	if (!m->xnack)
		set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	/* With XNACK on, this copy's faults move it range by range. */
	exec_cmd(&q, svm_cmd_copy((uintptr_t)dst, (uintptr_t)buf, size),
		 "GPU copy out of the buffer");
	assert_in_vram(buf, size, npages, "three quarters of VRAM, moved in");
	svm_pattern_check(dst, size, 53, 0, "the GPU's copy of the buffer");

	exec_cmd(&q, svm_cmd_fill((uintptr_t)buf, size, 0x3a3a3a3a),
		 "GPU fill of the buffer in VRAM");
	assert_in_vram(buf, size, npages, "after the GPU filled it in place");
	if (!m->xnack)
		set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
			AMDGPU_SVM_LOCATION_SYSMEM);
	/* With XNACK on, the CPU's reads bring it back unit by unit. */
	svm_check_fill(buf, size, 0x3a3a3a3a, "the GPU's fill, back from VRAM");
	assert_in_vram(buf, size, 0, "three quarters of VRAM, moved back");
	svm_queue_destroy(&q);
	munmap(buf, size);
	munmap(dst, size);
	svm_ctx_close(&ctx);
}

static void test_larger_than_vram(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t vram_pages = m->gpu->vram_size / page_size;
	size_t size = (m->gpu->vram_size + m->gpu->vram_size / 4) / SZ_2M * SZ_2M;
	size_t in_vram;
	struct svm_queue q;
	struct svm_ctx ctx;
	char *buf;
	int ret;

	require_ram(m->gpu, size);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	buf = svm_map_aligned(size, SZ_2M);
	svm_pattern_fill(buf, size, 59);
	svm_give_access(&ctx, buf, size);
	ret = __svm_set_attr(ctx.fd, (uintptr_t)buf, size,
			     &(struct drm_amdgpu_svm_attribute){
				AMDGPU_SVM_ATTR_PREFETCH_LOC, id }, 1);
	igt_assert_f(ret == 0, "%s: prefetching %zu MiB into %" PRIu64 " MiB of VRAM: %s\n",
		     m->gpu->name, size >> 20, m->gpu->vram_size >> 20,
		     strerror(-ret));
	in_vram = svm_vram_pages(buf, size);
	igt_info("%s: %zu MiB prefetched into %" PRIu64 " MiB of VRAM: %zu MiB of it there\n",
		 m->gpu->name, size >> 20, m->gpu->vram_size >> 20,
		 in_vram * page_size >> 20);
	igt_assert_f(in_vram <= vram_pages,
		     "%zu pages in VRAM, more than its %zu\n", in_vram,
		     vram_pages);
	igt_assert_f(in_vram > 0,
		     "%s: no page of the buffer is in VRAM after the prefetch\n",
		     m->gpu->name);
	svm_pattern_check(buf + size - SZ_2M, SZ_2M, 59, size - SZ_2M,
			  "the buffer's last 2 MiB after the prefetch");

	svm_queue_create(&ctx, &q);
	exec_cmd(&q, svm_cmd_fill((uintptr_t)buf, size, 0x6b6b6b6b),
		 "GPU fill of a buffer larger than VRAM");
	svm_check_fill(buf, size, 0x6b6b6b6b,
		       "the GPU's fill of a buffer larger than VRAM");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static void test_oversubscribe(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t chunk = 4 * SZ_2M, vram = m->gpu->vram_size;
	unsigned int n = 2 * vram / chunk, resident = 0;
	struct svm_ctx ctx;
	char **bufs;
	struct svm_queue q;

	/* A lab GPU's VRAM can exceed what the machine can spare twice over. */
	require_ram(m->gpu, 2 * vram);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	bufs = calloc(n, sizeof(*bufs));
	igt_assert(bufs);
	for (unsigned int i = 0; i < n; i++) {
		bufs[i] = svm_map_aligned(chunk, SZ_2M);
		svm_pattern_fill(bufs[i], chunk, 100 + i);
		svm_give_access(&ctx, bufs[i], chunk);
		set_loc(&ctx, bufs[i], chunk, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	}
	svm_queue_create(&ctx, &q);
	for (unsigned int i = 0; i < n; i++)
		resident += svm_vram_pages(bufs[i], chunk) == chunk / page_size;
	igt_info("%u buffers of %zu MiB prefetched into %zu MiB of VRAM: %u still wholly in VRAM\n",
		 n, chunk >> 20, vram >> 20, resident);
	assert_in_vram(bufs[0], chunk, 0, "the oldest buffer");
	assert_in_vram(bufs[n - 1], chunk, chunk / page_size,
		       "the newest buffer");

	gpu_check(&q, bufs[0], chunk, 100, "GPU read of an evicted buffer");
	gpu_check(&q, bufs[n - 1], chunk, 100 + n - 1,
		  "GPU read of a resident buffer");
	for (unsigned int i = 0; i < n; i++) {
		svm_pattern_check(bufs[i], chunk, 100 + i, 0, "CPU read after pressure");
		munmap(bufs[i], chunk);
	}
	free(bufs);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

#define PRESSURE_PROCESSES	3
#define PRESSURE_ROUNDS		24
#define PRESSURE_BUF_SIZE	(2 * SZ_2M)
/* Far beyond the test's time under TCG: only a hang exceeds it. */
#define PRESSURE_TIMEOUT_S	600
/* How long a process waits for the others' prefetches, at most. */
#define PRESSURE_BARRIER_S	120.0

/* What the processes of oversubscribe-processes share. */
struct pressure_shared {
	/* Processes done prefetching all their buffers. */
	atomic_uint prefetched;
	/* Per process: its buffers found not wholly in VRAM then. */
	unsigned int evicted[PRESSURE_PROCESSES];
	/* Per process: the operations of the random phase it ran. */
	unsigned int ops[PRESSURE_PROCESSES][3];
};

/* Wait, a bounded time, until every process is done prefetching. */
static void pressure_barrier(struct pressure_shared *sh)
{
	double start = now_s();

	atomic_fetch_add(&sh->prefetched, 1);
	while (atomic_load(&sh->prefetched) < PRESSURE_PROCESSES) {
		igt_assert_f(now_s() - start < PRESSURE_BARRIER_S,
			     "the other processes did not prefetch within %.0f s\n",
			     PRESSURE_BARRIER_S);
		usleep(1000);
	}
}

/*
 * One process of oversubscribe-processes: @n buffers, each with the
 * pattern of its seed. @seed drives its random phase.
 */
static void pressure_process(const struct mode *m, struct pressure_shared *sh,
			     unsigned int me, unsigned int n, unsigned int seed)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = PRESSURE_BUF_SIZE, npages = size / page_size;
	uint32_t *seeds = calloc(n, sizeof(*seeds));
	char **bufs = calloc(n, sizeof(*bufs));
	char *src = svm_map_aligned(size, SZ_2M);
	struct svm_queue q;
	struct svm_ctx ctx;
	char what[96];

	igt_assert(seeds && bufs);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_give_access(&ctx, src, size);
	for (unsigned int i = 0; i < n; i++) {
		bufs[i] = svm_map_aligned(size, SZ_2M);
		seeds[i] = 1000 * me + i;
		svm_pattern_fill(bufs[i], size, seeds[i]);
		svm_give_access(&ctx, bufs[i], size);
		set_loc(&ctx, bufs[i], size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	}
	svm_queue_create(&ctx, &q);
	pressure_barrier(sh);
	/* This process alone fits in VRAM: what left it, the others pushed out. */
	for (unsigned int i = 0; i < n; i++)
		sh->evicted[me] += svm_vram_pages(bufs[i], size) < npages;

	for (unsigned int r = 0; r < PRESSURE_ROUNDS; r++) {
		unsigned int i = rand_r(&seed) % n, op = rand_r(&seed) % 3;
		uint32_t next = 100000 * (me + 1) + r;

		snprintf(what, sizeof(what), "process %u, round %u, buffer %u", me, r, i);
		switch (op) {
		case 0:
			/* Into VRAM, evicting the others, then a GPU overwrite. */
			set_loc(&ctx, bufs[i], size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
			svm_pattern_fill(src, size, next);
			exec_cmd(&q, svm_cmd_copy((uintptr_t)bufs[i], (uintptr_t)src, size),
				 what);
			seeds[i] = next;
			break;
		case 1:
			gpu_check(&q, bufs[i], size, seeds[i], what);
			break;
		default:
			svm_pattern_check(bufs[i], size, seeds[i], 0, what);
			svm_pattern_fill(bufs[i], size, next);
			seeds[i] = next;
			break;
		}
		sh->ops[me][op]++;
	}

	for (unsigned int i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "process %u, buffer %u at the end", me, i);
		gpu_check(&q, bufs[i], size, seeds[i], what);
		svm_pattern_check(bufs[i], size, seeds[i], 0, what);
		munmap(bufs[i], size);
	}
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
	munmap(src, size);
	free(bufs);
	free(seeds);
}

static void test_oversubscribe_processes(const struct mode *m)
{
	size_t vram = m->gpu->vram_size;
	/* Two thirds of VRAM per process: together, twice the VRAM. */
	unsigned int n = 2 * vram / (PRESSURE_PROCESSES * PRESSURE_BUF_SIZE);
	unsigned int seeds[PRESSURE_PROCESSES], evicted = 0;
	struct pressure_shared *sh;
	struct svm_ctx ctx;

	require_ram(m->gpu, (uint64_t)PRESSURE_PROCESSES * (n + 2) * PRESSURE_BUF_SIZE);
	/* Whatever would skip does so here, not in a child. */
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_ctx_close(&ctx);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	igt_assert(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	/* random() is seeded from IGT_SRANDOM, which the log prints. */
	for (unsigned int p = 0; p < PRESSURE_PROCESSES; p++)
		seeds[p] = random();

	igt_fork(child, PRESSURE_PROCESSES)
		pressure_process(m, sh, child, n, seeds[child]);
	igt_waitchildren_timeout(PRESSURE_TIMEOUT_S,
				 "oversubscribe-processes did not finish");

	for (unsigned int p = 0; p < PRESSURE_PROCESSES; p++) {
		igt_info("process %u: %u of %u buffers of %u MiB out of VRAM under the others' pressure; %u GPU overwrites, %u GPU checks, %u CPU rewrites\n",
			 p, sh->evicted[p], n, PRESSURE_BUF_SIZE >> 20,
			 sh->ops[p][0], sh->ops[p][1], sh->ops[p][2]);
		evicted += sh->evicted[p];
	}
	/* Twice the VRAM was prefetched: the test proved nothing otherwise. */
	igt_assert_f(evicted > 0,
		     "no process lost a buffer from VRAM to the others: no pressure\n");
	munmap(sh, sizeof(*sh));
}

/*
 * One ping-pong round on @buf: the GPU writes seed 2r (migrating it to
 * VRAM first with XNACK off, by fault with XNACK on), the CPU checks and
 * writes seed 2r + 1, the GPU copies it out and the copy is checked.
 *
 * Return: true if the GPU's write left the buffer in VRAM. With XNACK off
 * the prefetch puts it there every round; with XNACK on the first fault
 * does, and the ping-pong policy may keep later rounds in system memory.
 */
static bool ping_pong_round(struct svm_queue *q, void *buf, void *src,
			    size_t size, unsigned int r)
{
	struct svm_ctx *ctx = q->ctx;
	size_t in_vram;

	if (!ctx->xnack)
		set_loc(ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
			ctx->gpu->gpu_id);
	svm_pattern_fill(src, size, 2 * r);
	exec_cmd(q, svm_cmd_copy((uintptr_t)buf, (uintptr_t)src, size),
		 "GPU write");
	in_vram = svm_vram_pages(buf, size);
	if (!ctx->xnack || r == 0)
		assert_in_vram(buf, size, size / page_size,
			       "after the GPU wrote the buffer it prefers");
	svm_pattern_check(buf, size, 2 * r, 0, "CPU check of the GPU's write");
	svm_pattern_fill(buf, size, 2 * r + 1);
	gpu_check(q, buf, size, 2 * r + 1, "GPU check of the CPU's write");
	return in_vram == size / page_size;
}

static void test_ping_pong(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = SZ_2M;
	struct svm_ctx ctx;
	void *buf = svm_map_aligned(size, SZ_2M), *src = svm_map_aligned(size, SZ_2M);
	double start, t, worst = 0;
	unsigned int in_vram = 0;
	struct svm_queue q;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	memset(buf, 0, size);
	svm_give_access(&ctx, buf, size);
	svm_give_access(&ctx, src, size);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFERRED_LOC, id);
	svm_queue_create(&ctx, &q);

	start = now_s();
	for (unsigned int r = 0; r < PING_PONG_ROUNDS; r++) {
		t = now_s();
		in_vram += ping_pong_round(&q, buf, src, size, r);
		t = now_s() - t;
		worst = t > worst ? t : worst;
	}
	t = now_s() - start;
	igt_info("%u rounds of 2 MiB in %.2f s: %.1f rounds/s, slowest %.3f s; the GPU wrote it in VRAM in %u rounds\n",
		 PING_PONG_ROUNDS, t, PING_PONG_ROUNDS / t, worst, in_vram);

	svm_queue_destroy(&q);
	munmap(buf, size);
	munmap(src, size);
	svm_ctx_close(&ctx);
}

/* Quiesces of @q so far, or 0 where the GPU does not count them. */
static uint32_t quiesces(struct svm_queue *q)
{
	struct svm_queue_counters c;

	if (!svm_queue_has_counters(q))
		return 0;
	svm_queue_counters(q, &c);
	return c.quiesce_count;
}

static void test_ping_pong_two_gpus(struct svm_gpu *a, struct svm_gpu *b)
{
	size_t size = SZ_2M;
	void *buf = svm_map_aligned(size, SZ_2M), *src = svm_map_aligned(size, SZ_2M);
	void *own = svm_map_aligned(size, SZ_2M);
	uint32_t before_a, before_b;
	struct svm_ctx ca, cb;
	struct svm_queue qa, qb;

	svm_ctx_open(a, false, &ca);
	svm_ctx_open(b, false, &cb);
	memset(buf, 0, size);
	svm_pattern_fill(own, size, 7);
	svm_give_access(&ca, src, size);
	svm_give_access(&ca, buf, size);
	svm_give_access(&cb, buf, size);
	svm_give_access(&ca, own, size);
	set_loc(&ca, buf, size, AMDGPU_SVM_ATTR_PREFERRED_LOC, a->gpu_id);
	svm_queue_create(&ca, &qa);
	svm_queue_create(&cb, &qb);

	for (unsigned int r = 0; r < PING_PONG_ROUNDS; r++) {
		set_loc(&ca, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, a->gpu_id);
		assert_in_vram(buf, size, 0,
			       "a buffer two GPUs use, prefetched to one");
		svm_pattern_fill(src, size, 2 * r);
		exec_cmd(&qa, svm_cmd_copy((uintptr_t)buf, (uintptr_t)src, size),
			 "first GPU's write");
		gpu_check(&qb, buf, size, 2 * r,
			  "second GPU's read of the first GPU's write");
		svm_pattern_check(buf, size, 2 * r, 0, "CPU read");
		svm_pattern_fill(buf, size, 2 * r + 1);
		gpu_check(&qa, buf, size, 2 * r + 1,
			  "first GPU's read of the CPU's write");
	}

	/*
	 * Memory only the first GPU maps moves to its VRAM. First let the
	 * restore of the last check's munmap finish: a command completes only
	 * once the queues run again.
	 */
	exec_cmd(&qa, svm_cmd_read((uintptr_t)src), "first GPU sync");
	exec_cmd(&qb, svm_cmd_read((uintptr_t)buf), "second GPU sync");
	before_a = quiesces(&qa);
	before_b = quiesces(&qb);
	set_loc(&ca, own, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, a->gpu_id);
	assert_in_vram(own, size, size / page_size,
		       "memory one GPU uses, prefetched to it");
	/* Evictions quiesce the whole process (as KFD's): measured, not asserted. */
	if (svm_queue_has_counters(&qa))
		igt_info("prefetch of memory only the first GPU maps: queues quiesced %u times on it, %u on the other GPU\n",
			 quiesces(&qa) - before_a, quiesces(&qb) - before_b);
	gpu_check(&qa, own, size, 7, "GPU read of its VRAM");

	svm_queue_destroy(&qa);
	svm_queue_destroy(&qb);
	munmap(buf, size);
	munmap(src, size);
	munmap(own, size);
	svm_ctx_close(&ca);
	svm_ctx_close(&cb);
}

static void test_vram_to_vram(struct svm_gpu *a, struct svm_gpu *b)
{
	size_t size = SZ_2M, npages = size / page_size;
	void *buf = svm_map_aligned(size, SZ_2M);
	uint64_t used_a, used_b, now_a, now_b;
	struct svm_ctx ca, cb;
	struct svm_queue qb;

	svm_ctx_open(a, false, &ca);
	svm_ctx_open(b, false, &cb);
	svm_pattern_fill(buf, size, 10);
	used_a = svm_gpu_vram_used(a);
	used_b = svm_gpu_vram_used(b);
	/* No GPU has ACCESS: nothing stops either VRAM being the location. */
	set_loc(&ca, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, a->gpu_id);
	assert_in_vram(buf, size, npages, "after the prefetch to the first GPU");
	igt_assert_f(svm_gpu_vram_used(a) >= used_a + size,
		     "the first GPU's VRAM did not take the buffer\n");

	set_loc(&cb, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, b->gpu_id);
	assert_in_vram(buf, size, npages, "after the prefetch to the second GPU");
	now_a = svm_gpu_vram_used_settled(a, used_a + size - 1);
	now_b = svm_gpu_vram_used(b);
	igt_assert_f(now_b >= used_b + size && now_a < used_a + size,
		     "the buffer did not move from the first GPU's VRAM to the second's: used %" PRIu64 " -> %" PRIu64 " and %" PRIu64 " -> %" PRIu64 "\n",
		     used_a, now_a, used_b, now_b);

	svm_give_access(&cb, buf, size);
	svm_queue_create(&cb, &qb);
	gpu_check(&qb, buf, size, 10, "second GPU's read of its VRAM");
	svm_pattern_check(buf, size, 10, 0, "CPU read after two migrations");
	svm_queue_destroy(&qb);
	munmap(buf, size);
	svm_ctx_close(&ca);
	svm_ctx_close(&cb);
}

static void test_fork(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = SZ_2M, npages = size / page_size;
	struct svm_ctx ctx;
	int status;
	void *buf = svm_map_aligned(size, SZ_2M);
	struct svm_queue q;
	pid_t pid;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(buf, size, 5);
	svm_give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, size, npages, "before fork");

	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		const uint32_t *p = buf;

		for (size_t i = 0; i < size / 4; i++)
			if (p[i] != svm_pattern_at(5, i * 4))
				_exit(1);
		svm_pattern_fill(buf, size, 6);
		_exit(0);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the child did not read the parent's data from VRAM\n");

	gpu_check(&q, buf, size, 5, "parent's GPU after the child wrote");
	svm_pattern_check(buf, size, 5, 0, "parent's CPU after the child wrote");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static void test_munmap(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = 2 * SZ_2M, half = SZ_2M;
	struct svm_ctx ctx;
	char *buf = svm_map_aligned(size, SZ_2M);
	uint64_t used, now;
	struct svm_queue q;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(buf, size, 8);
	svm_give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, size, size / page_size, "after the prefetch");

	used = svm_gpu_vram_used(m->gpu);
	igt_assert_eq(munmap(buf + half, half), 0);
	now = svm_gpu_vram_used_settled(m->gpu, used - half);
	igt_assert_f(now + half <= used,
		     "munmap of %zu KiB in VRAM freed only %" PRId64 " KiB of it\n",
		     half >> 10, (int64_t)(used - now) >> 10);
	assert_in_vram(buf, half, half / page_size, "the half left");
	gpu_check(&q, buf, half, 8, "GPU read of the half left");
	svm_pattern_check(buf, half, 8, 0, "CPU read of the half left");
	svm_queue_destroy(&q);
	munmap(buf, half);
	svm_ctx_close(&ctx);
}

struct prefetch_race {
	int fd;
	uint32_t gpu_id;
	char *buf;
	size_t size;
	atomic_bool stop;
	unsigned int rounds;
	int bad_errno;
};

/* Prefetch to VRAM and back until told to stop; only -EFAULT (no VMA) is fine. */
static void *prefetch_loop(void *arg)
{
	struct prefetch_race *r = arg;

	while (!atomic_load(&r->stop)) {
		struct drm_amdgpu_svm_attribute attr = {
			.type = AMDGPU_SVM_ATTR_PREFETCH_LOC,
			.value = r->rounds++ & 1 ? AMDGPU_SVM_LOCATION_SYSMEM :
						   r->gpu_id,
		};
		int ret = __svm_set_attr(r->fd, (uintptr_t)r->buf, r->size,
					 &attr, 1);

		if (ret && ret != -EFAULT && !r->bad_errno)
			r->bad_errno = -ret;
	}
	return NULL;
}

/*
 * munmap of half a buffer while another thread migrates it back and forth:
 * the other half keeps its data, the thread gets only -EFAULT, and no VRAM
 * stays allocated once everything is unmapped.
 */
static void test_munmap_race(const struct mode *m)
{
	size_t size = 4 * SZ_2M, half = size / 2;
	uint64_t used = svm_gpu_vram_used(m->gpu), now;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	for (unsigned int i = 0; i < 8; i++) {
		struct prefetch_race r = {
			.fd = ctx.fd,
			.gpu_id = m->gpu->gpu_id,
			.size = size,
		};
		pthread_t thread;

		r.buf = svm_map_aligned(size, SZ_2M);
		svm_pattern_fill(r.buf, size, 11 + i);
		igt_assert_eq(pthread_create(&thread, NULL, prefetch_loop, &r), 0);
		usleep(5000 * (i + 1));
		igt_assert_eq(munmap(r.buf + half, half), 0);
		usleep(5000);
		atomic_store(&r.stop, true);
		igt_assert_eq(pthread_join(thread, NULL), 0);
		igt_assert_f(!r.bad_errno,
			     "round %u: prefetch racing munmap failed with %s\n",
			     i, strerror(r.bad_errno));
		svm_pattern_check(r.buf, half, 11 + i, 0, "the half left after the race");
		igt_assert_eq(munmap(r.buf, half), 0);
		igt_debug("round %u: %u prefetches\n", i, r.rounds);
	}

	/* Freed VRAM returns once the last page of each block is gone. */
	now = svm_gpu_vram_used_settled(m->gpu, used);
	igt_assert_f(now <= used,
		     "VRAM still used after everything was unmapped: %" PRIu64 " KiB more than before\n",
		     (now - used) >> 10);
	svm_ctx_close(&ctx);
}

/*
 * Migrations racing migrations: a thread prefetches a buffer to VRAM and
 * back while the GPU copies it (faulting it in with XNACK on) and the CPU
 * reads it (faulting VRAM pages back): every copy and every read sees the
 * buffer's data, and every prefetch succeeds.
 */
static void test_migration_race(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t size = 2 * SZ_2M;
	struct svm_ctx ctx;
	struct prefetch_race r = { .gpu_id = id, .size = size };
	uint8_t *dst = svm_map_aligned(size, SZ_2M);
	pthread_t thread;
	struct svm_queue q;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	r.fd = ctx.fd;
	r.buf = svm_map_aligned(size, SZ_2M);
	svm_pattern_fill(r.buf, size, 21);
	svm_give_access(&ctx, r.buf, size);
	svm_give_access(&ctx, dst, size);
	svm_queue_create(&ctx, &q);
	igt_assert_eq(pthread_create(&thread, NULL, prefetch_loop, &r), 0);
	for (unsigned int i = 0; i < MIGRATION_RACE_ROUNDS; i++) {
		memset(dst, 0, size);
		exec_cmd(&q, svm_cmd_copy((uintptr_t)dst, (uintptr_t)r.buf, size),
			 "GPU copy racing migrations");
		svm_pattern_check(dst, size, 21, 0, "GPU copy racing migrations");
		svm_pattern_check(r.buf, size, 21, 0, "CPU read racing migrations");
	}
	atomic_store(&r.stop, true);
	igt_assert_eq(pthread_join(thread, NULL), 0);
	igt_assert_f(!r.bad_errno,
		     "a prefetch racing the GPU and the CPU failed with %s\n",
		     strerror(r.bad_errno));
	igt_info("%s: %u prefetches raced %d GPU copies and CPU reads\n",
		 m->gpu->name, r.rounds, MIGRATION_RACE_ROUNDS);
	svm_queue_destroy(&q);
	munmap(r.buf, size);
	munmap(dst, size);
	svm_ctx_close(&ctx);
}

/* GB/s of moving @size bytes in @s seconds. */
static double gbps(size_t size, double s)
{
	return size / s / 1e9;
}

/*
 * Pages that just moved into VRAM stay there for the driver's minimum
 * residency (AMDGPU_SVM_MIN_RESIDENCY_MS, 2 ms): a move back to system
 * memory started sooner waits until it ends. The benchmark lets it end,
 * untimed, so that it measures migration rather than that policy.
 */
#define VRAM_RESIDENCY_WAIT_US	3000

/*
 * Average seconds of @iters calls of the SVM prefetch to @loc, each
 * checked to have moved every page (into VRAM only if @fits it).
 */
static double time_prefetch(struct svm_ctx *ctx, void *buf, size_t size,
			    uint32_t loc, uint32_t back, int iters, bool fits)
{
	double total = 0, t;

	for (int i = 0; i < iters; i++) {
		if (loc == AMDGPU_SVM_LOCATION_SYSMEM)
			usleep(VRAM_RESIDENCY_WAIT_US);
		t = now_s();
		set_loc(ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, loc);
		total += now_s() - t;
		if (loc == AMDGPU_SVM_LOCATION_SYSMEM)
			assert_in_vram(buf, size, 0, "a timed move to system memory");
		else if (fits)
			assert_in_vram(buf, size, size / page_size,
				       "a timed move into VRAM");
		if (back != loc)
			set_loc(ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, back);
	}
	return total / iters;
}

static double time_hmm(int hmm, void *buf, void *mirror, size_t size,
		       bool to_device, int iters)
{
	size_t npages = size / page_size;
	double total = 0, t;

	for (int i = 0; i < iters; i++) {
		if (!to_device)
			igt_assert_eq(hmm_dmirror_migrate(hmm, buf, npages, true,
							  mirror, NULL), 0);
		t = now_s();
		igt_assert_eq(hmm_dmirror_migrate(hmm, buf, npages, to_device,
						  mirror, NULL), 0);
		total += now_s() - t;
		if (to_device)
			igt_assert_eq(hmm_dmirror_migrate(hmm, buf, npages, false,
							  mirror, NULL), 0);
	}
	return total / iters;
}

static double time_memcpy(void *dst, const void *src, size_t size, int iters)
{
	double t = now_s();

	for (int i = 0; i < iters; i++)
		memcpy(dst, src, size);
	return (now_s() - t) / iters;
}

/*
 * One round trip of @buf to device memory and back through the SVM
 * prefetch and through test_hmm, untimed: device memory used for the
 * first time costs its allocation (the virtual GPU backs VRAM pages at
 * first use), which is not migration.
 */
static void warm_up(struct svm_ctx *ctx, int hmm, void *buf, void *mirror,
		    size_t size, uint32_t gpu_id)
{
	set_loc(ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, gpu_id);
	set_loc(ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		AMDGPU_SVM_LOCATION_SYSMEM);
	if (hmm < 0)
		return;
	igt_assert_eq(hmm_dmirror_migrate(hmm, buf, size / page_size, true,
					  mirror, NULL), 0);
	igt_assert_eq(hmm_dmirror_migrate(hmm, buf, size / page_size, false,
					  mirror, NULL), 0);
}

/*
 * Page faults handled for this thread so far, the ones it made the kernel
 * take for it (hmm_range_fault() in its ioctl) included.
 */
static uint64_t thread_faults(void)
{
	struct rusage ru;

	igt_assert_eq(getrusage(RUSAGE_THREAD, &ru), 0);
	return ru.ru_minflt + ru.ru_majflt;
}

/*
 * The move of 4 KiB pages out of VRAM faults them back through
 * hmm_range_fault(): drm_pagemap migrates a range's VRAM at the first
 * fault, and the range's other pages must not be faulted one by one
 * after it (what mm/hmm did, 512 faults per 2 MiB range).
 */
static void test_prefetch_back_faults(const struct mode *m)
{
	size_t size = 4 * SZ_2M, npages = size / page_size;
	char *buf = svm_map_aligned(size, SZ_2M);
	uint64_t faults;
	struct svm_ctx ctx;

	igt_assert_eq(madvise(buf, size, MADV_NOHUGEPAGE), 0);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(buf, size, 6);
	svm_give_access(&ctx, buf, size);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		m->gpu->gpu_id);
	assert_in_vram(buf, size, npages, "after PREFETCH_LOC=GPU");
	usleep(VRAM_RESIDENCY_WAIT_US);

	faults = thread_faults();
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		AMDGPU_SVM_LOCATION_SYSMEM);
	faults = thread_faults() - faults;
	assert_in_vram(buf, size, 0, "after PREFETCH_LOC=SYSMEM");
	svm_pattern_check(buf, size, 6, 0, "after the move back");
	igt_info("%zu pages of 4 KiB in %zu ranges back from VRAM: %" PRIu64 " page faults\n",
		 npages, size / SZ_2M, faults);
	igt_assert_f(faults < npages / 4,
		     "%" PRIu64 " page faults to move %zu pages of 4 KiB in %zu ranges back from VRAM: about one per page, where the first of each range moves it all\n",
		     faults, npages, size / SZ_2M);

	munmap(buf, size);
	svm_ctx_close(&ctx);
}

#define FOREIGN_SIZE	(2 * SZ_2M)

/*
 * A fresh buffer of 4 KiB pages holding pattern @seed, every page moved
 * into test_hmm's device-private memory (@hmm, with @mirror of
 * FOREIGN_SIZE for the data it copies back).
 */
static char *foreign_buf(int hmm, void *mirror, uint32_t seed)
{
	size_t npages = FOREIGN_SIZE / page_size;
	char *buf = svm_map_aligned(FOREIGN_SIZE, SZ_2M);
	uint64_t moved;

	igt_assert_eq(madvise(buf, FOREIGN_SIZE, MADV_NOHUGEPAGE), 0);
	svm_pattern_fill(buf, FOREIGN_SIZE, seed);
	igt_assert_eq(hmm_dmirror_migrate(hmm, buf, npages, true, mirror,
					  &moved), 0);
	igt_assert_eq_u64(moved, npages);
	assert_in_vram(buf, FOREIGN_SIZE, npages,
		       "in test_hmm's device memory");
	return buf;
}

/*
 * Pages another driver keeps in its device-private memory: the kernel's
 * test_hmm device, whose migrate_to_ram() moves one page per CPU fault.
 * The GPU's page walk must fault every one of them back (hmm_range_fault()
 * only hands out device-private pages of its own owner), PREFETCH_LOC=
 * SYSMEM must move them too, and PREFETCH_LOC=GPU must bring them into
 * VRAM through system memory, since migrate_vma collects only system
 * pages and the GPU's own. Each case has a buffer of its own: with XNACK
 * off, the restore worker maps memory the GPU maps again as soon as
 * test_hmm takes it, which faults it back to system memory.
 */
static void test_foreign_device_private(const struct mode *m)
{
	size_t size = FOREIGN_SIZE;
	int hmm = hmm_dmirror_open(0);
	struct svm_queue q;
	struct svm_ctx ctx;
	void *mirror;
	uint64_t vram;
	char *buf;

	igt_require_f(hmm >= 0,
		      "no /dev/hmm_dmirror0 (the kernel's test_hmm module): %s\n",
		      strerror(-hmm));
	mirror = malloc(size);
	igt_assert(mirror);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_queue_create(&ctx, &q);

	/* The GPU maps the pages where test_hmm left them: they come back. */
	buf = foreign_buf(hmm, mirror, 8);
	svm_give_access(&ctx, buf, size);
	gpu_check(&q, buf, size, 8, "GPU copy of pages test_hmm held");
	assert_in_vram(buf, size, 0, "after the GPU mapped test_hmm's pages");
	exec_cmd(&q, svm_cmd_fill((uintptr_t)buf, size, 0xf0e1d2c3),
		 "GPU fill of pages test_hmm held");
	svm_check_fill(buf, size, 0xf0e1d2c3, m->gpu->name);
	munmap(buf, size);

	/* PREFETCH_LOC=SYSMEM takes them back from test_hmm. */
	buf = foreign_buf(hmm, mirror, 9);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		AMDGPU_SVM_LOCATION_SYSMEM);
	assert_in_vram(buf, size, 0,
		       "after PREFETCH_LOC=SYSMEM of test_hmm's pages");
	svm_pattern_check(buf, size, 9, 0, "CPU read after PREFETCH_LOC=SYSMEM");
	munmap(buf, size);

	/* PREFETCH_LOC=GPU takes them into this GPU's VRAM. */
	buf = foreign_buf(hmm, mirror, 10);
	vram = svm_gpu_vram_used(m->gpu);
	set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		m->gpu->gpu_id);
	assert_in_vram(buf, size, size / page_size,
		       "after PREFETCH_LOC=GPU of test_hmm's pages");
	igt_assert_f(svm_gpu_vram_used(m->gpu) >= vram + size,
		     "%s: the prefetch of %zu KiB test_hmm held left the GPU's VRAM use at %" PRIu64 " KiB, from %" PRIu64 ": the pages are not in this GPU's VRAM\n",
		     m->gpu->name, size >> 10, svm_gpu_vram_used(m->gpu) >> 10,
		     vram >> 10);
	svm_give_access(&ctx, buf, size);
	gpu_check(&q, buf, size, 10, "GPU copy after PREFETCH_LOC=GPU");
	svm_pattern_check(buf, size, 10, 0, "CPU read after PREFETCH_LOC=GPU");
	munmap(buf, size);

	free(mirror);
	close(hmm);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

static void test_benchmark(struct svm_gpu *gpu)
{
	static const size_t sizes_mib[] = { 2, 8, 32, 128, 256 };
	uint32_t id = gpu->gpu_id;
	int hmm = hmm_dmirror_open(0);
	struct svm_ctx ctx;

	svm_ctx_open(gpu, false, &ctx);

	igt_info("%s, VRAM %" PRIu64 " MiB; test_hmm: %s; GB/s, average of 3 runs below 8 MiB, 1 above\n",
		 gpu->name, (uint64_t)gpu->vram_size >> 20,
		 hmm >= 0 ? "/dev/hmm_dmirror0" : strerror(-hmm));
	igt_info("%-8s %-4s %10s %10s %10s %10s %10s\n", "MiB", "THP",
		 "svm s->v", "svm v->s", "hmm s->d", "hmm d->s", "memcpy");
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes_mib); i++) {
		size_t size = sizes_mib[i] << 20;
		int iters = size < (8ul << 20) ? 3 : 1;

		for (int thp = 1; thp >= 0; thp--) {
			char *buf = svm_map_aligned(size, SZ_2M), *other = svm_map_aligned(size, SZ_2M);
			char h2d[16] = "n/a", h2s[16] = "n/a";
			/*
			 * Checked all in VRAM only where it leaves room, and
			 * no other user can hold VRAM: on the virtual GPU.
			 */
			bool fits = gpu->is_virtual && size <= gpu->vram_size / 2;
			double s2v, v2s, mc;

			igt_assert_eq(madvise(buf, size, thp ? MADV_HUGEPAGE :
					      MADV_NOHUGEPAGE), 0);
			svm_pattern_fill(buf, size, 9);
			memset(other, 0, size);
			warm_up(&ctx, hmm, buf, other, size, id);
			s2v = time_prefetch(&ctx, buf, size, id,
					    AMDGPU_SVM_LOCATION_SYSMEM, iters,
					    fits);
			set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
			v2s = time_prefetch(&ctx, buf, size,
					    AMDGPU_SVM_LOCATION_SYSMEM, id, iters,
					    fits);
			set_loc(&ctx, buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
				AMDGPU_SVM_LOCATION_SYSMEM);
			svm_pattern_check(buf, size, 9, 0, "data after the SVM runs");
			if (hmm >= 0) {
				snprintf(h2d, sizeof(h2d), "%.3f",
					 gbps(size, time_hmm(hmm, buf, other, size,
							     true, iters)));
				snprintf(h2s, sizeof(h2s), "%.3f",
					 gbps(size, time_hmm(hmm, buf, other, size,
							     false, iters)));
				svm_pattern_check(buf, size, 9, 0, "data after the test_hmm runs");
			}
			mc = time_memcpy(other, buf, size, iters);
			igt_info("%-8zu %-4s %10.3f %10.3f %10s %10s %10.3f%s\n",
				 sizes_mib[i], thp ? "yes" : "no",
				 gbps(size, s2v), gbps(size, v2s), h2d, h2s,
				 gbps(size, mc),
				 size > gpu->vram_size ?
				 "  (exceeds VRAM: includes evictions)" : "");
			munmap(buf, size);
			munmap(other, size);
		}
	}
	if (hmm >= 0)
		close(hmm);
	svm_ctx_close(&ctx);
}

/*
 * A device THP mapped in ranges smaller than itself: each range must get
 * its own pages of the 2 MiB, wherever inside it the range starts.
 */
static void test_thp_small_ranges(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t npages = SZ_2M / page_size;
	/* Off every 64 KiB boundary: 64 KiB and 4 KiB ranges around it. */
	size_t mid = 0x11000, mid_size = 0x22000;
	struct svm_ctx ctx;
	char *buf = svm_map_aligned(SZ_2M, SZ_2M);
	struct svm_queue q;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	igt_assert_eq(madvise(buf, SZ_2M, MADV_HUGEPAGE), 0);
	svm_pattern_fill(buf, SZ_2M, 31);
	svm_give_access(&ctx, buf, SZ_2M);
	svm_queue_create(&ctx, &q);
	set_loc(&ctx, buf, SZ_2M, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, SZ_2M, npages, "after the prefetch");
	gpu_check(&q, buf, SZ_2M, 31, "GPU read of the 2 MiB range");

	/* Splits the attribute interval: the 2 MiB range is rebuilt small. */
	svm_set_one(ctx.fd, (uintptr_t)buf + mid, mid_size,
		    AMDGPU_SVM_ATTR_GRANULARITY, 0);
	assert_in_vram(buf, SZ_2M, npages, "after the granularity change");
	gpu_check(&q, buf, SZ_2M, 31,
		  "GPU read of the small ranges inside the device THP");

	/* A GPU write through a small range lands in that range's page. */
	exec_cmd(&q, svm_cmd_fill((uintptr_t)buf + mid, mid_size, 0x5a5a5a5a),
		 "GPU fill of the small ranges");
	set_loc(&ctx, buf, SZ_2M, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		AMDGPU_SVM_LOCATION_SYSMEM);
	svm_pattern_check(buf, mid, 31, 0, "the head after the GPU fill");
	svm_check_fill(buf + mid, mid_size, 0x5a5a5a5a,
		       "the GPU fill through the small ranges");
	svm_pattern_check(buf + mid + mid_size, SZ_2M - mid - mid_size, 31,
			  mid + mid_size, "the tail after the GPU fill");

	svm_queue_destroy(&q);
	munmap(buf, SZ_2M);
	svm_ctx_close(&ctx);
}

static void test_cpu_touch_split_device_thp(const struct mode *m)
{
	uint32_t id = m->gpu->gpu_id;
	size_t npages = SZ_2M / page_size, mid = 0x11000;
	struct svm_ctx ctx;
	char *buf = svm_map_aligned(SZ_2M, SZ_2M);

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	igt_assert_eq(madvise(buf, SZ_2M, MADV_HUGEPAGE), 0);
	svm_pattern_fill(buf, SZ_2M, 37);
	svm_give_access(&ctx, buf, SZ_2M);
	set_loc(&ctx, buf, SZ_2M, AMDGPU_SVM_ATTR_PREFETCH_LOC, id);
	assert_in_vram(buf, SZ_2M, npages, "after the prefetch");

	/* The VMA splits and joins again: 4 KiB entries of one device THP. */
	igt_assert_eq(mprotect(buf + SZ_2M - page_size, page_size, PROT_READ), 0);
	igt_assert_eq(mprotect(buf + SZ_2M - page_size, page_size,
			       PROT_READ | PROT_WRITE), 0);

	/* A CPU fault in the middle of the device THP, not at its head. */
	svm_pattern_check(buf + mid, page_size, 37, mid,
			  "the page the CPU touched first");
	svm_pattern_check(buf, SZ_2M, 37, 0, "the whole buffer back from VRAM");
	munmap(buf, SZ_2M);
	svm_ctx_close(&ctx);
}

typedef void (*mode_test_fn)(const struct mode *m);

static const struct {
	const char *name;
	mode_test_fn fn;
	const char *desc;
} mode_tests[] = {
	{ "prefetch", test_prefetch,
	  "PREFETCH_LOC=GPU moves a buffer into VRAM, the GPU reads and writes it there in place, PREFETCH_LOC=SYSMEM brings it back; the data is exact at every step." },
	{ "prefetch-untouched", test_prefetch_untouched,
	  "Memory never touched, prefetched into VRAM blocks another buffer just freed, reads as zeros on the GPU: no stale VRAM contents leak." },
	{ "prefetch-back-faults", test_prefetch_back_faults,
	  "8 MiB of 4 KiB pages in VRAM (four 2 MiB ranges) moved back by PREFETCH_LOC=SYSMEM, which faults them back through hmm_range_fault(): fewer page faults (the thread's, getrusage) than a quarter of the pages (one per range moves it whole; mm/hmm used to fault every page after it), and the data intact." },
	{ "foreign-device-private", test_foreign_device_private,
	  "4 MiB of 4 KiB pages in another driver's device-private memory (the kernel's test_hmm device, which moves one page back per CPU fault): the GPU maps them (each faulted back to system memory) and reads and fills them exactly; PREFETCH_LOC=SYSMEM brings every page of such a buffer back, and PREFETCH_LOC=GPU brings every page of another into this GPU's VRAM (through system memory), with its data." },
	{ "prefetch-partial", test_prefetch_partial,
	  "A 2 MiB buffer whose CPU wrote every other 64 KiB piece and never touched the rest is prefetched into VRAM: every page moves, the GPU fills the untouched pieces in VRAM; the CPU drops the first piece and PREFETCH_LOC=SYSMEM brings every other page back, which then reads right on the CPU." },
	{ "access-in-place", test_access_in_place,
	  "A buffer the GPU accesses in place (ACCESS_IN_PLACE) is prefetched into VRAM, the CPU touches every page, and the GPU fills it: no page moves back to VRAM for the GPU's access (KFD's rule), and the CPU reads the fill." },
	{ "preferred-loc", test_preferred_loc,
	  "PREFERRED_LOC=GPU places pages in VRAM where the mode maps them: at SET_ATTR with XNACK off, at the first GPU fault with XNACK on (not before)." },
	{ "granularity-change-in-vram", test_granularity_change_in_vram,
	  "GRANULARITY lowered from 2 MiB to 64 KiB while the buffer is in VRAM moves nothing and keeps the data; the units the pages moved in stay (a CPU read brings back 2 MiB), and the next prefetch moves them in 64 KiB units (a CPU read then brings back 64 KiB)." },
	{ "vram-three-quarters", test_vram_three_quarters,
	  "A buffer of three quarters of the GPU's VRAM preferring the GPU moves in whole into VRAM (a prefetch with XNACK off, the GPU's own faults with XNACK on), the GPU fills it in place, and it comes back whole (a prefetch with XNACK off, CPU faults with XNACK on) with the GPU's data." },
	{ "larger-than-vram", test_larger_than_vram,
	  "One buffer a quarter larger than the GPU's VRAM, prefetched to the GPU: SET_ATTR succeeds, at most the VRAM's worth of pages is in VRAM, and the GPU fills the whole buffer (in VRAM and in system memory alike) and the CPU reads the fill." },
	{ "oversubscribe", test_oversubscribe,
	  "Prefetching twice the GPU's VRAM evicts the oldest buffers to system memory; every byte survives, and the GPU reads evicted and resident buffers exactly." },
	{ "oversubscribe-processes", test_oversubscribe_processes,
	  "Three processes, each with its own SVM context on the GPU, prefetch buffers of two thirds of its VRAM each, so that they evict one another's memory; then each, seeded (IGT_SRANDOM), moves random buffers back into VRAM and overwrites them on the GPU, checks them on the GPU, and checks and rewrites them on the CPU, while the others do the same: every byte of every process survives." },
	{ "ping-pong", test_ping_pong,
	  "GPU write, CPU check and write, GPU copy, for many rounds on a buffer whose location is the GPU: every round's data is exact; prints rounds per second, the slowest round and pages moved (a livelock is left to the runner's per-test timeout)." },
	{ "fork-during-migration", test_fork,
	  "A child forked while a buffer is in VRAM reads the parent's data and its writes stay its own; the parent's GPU and CPU still see the parent's data." },
	{ "munmap-during-migration", test_munmap,
	  "munmap of half of a buffer in VRAM frees that half's VRAM and leaves the other half in VRAM with its data." },
	{ "migration-race", test_migration_race,
	  "A thread prefetches a buffer to VRAM and back while the GPU copies it (faulting it in with XNACK on) and the CPU reads it (faulting VRAM pages back): every copy and every read sees the buffer's data, and every prefetch succeeds." },
	{ "munmap-races-migration", test_munmap_race,
	  "munmap of half a buffer while another thread migrates it to VRAM and back: the other half keeps its data, the thread gets only EFAULT, and no VRAM stays allocated once everything is unmapped." },
	{ "cpu-touch-split-device-thp", test_cpu_touch_split_device_thp,
	  "A THP-backed 2 MiB buffer moves into VRAM whole, an mprotect of one page splits its mapping into 4 KiB entries of the one 2 MiB device page, and the CPU then reads a page in its middle: the migration back splits the device page under the fault, and every page comes back with its data (no kernel BUG on a folio unlocked twice)." },
	{ "thp-small-ranges", test_thp_small_ranges,
	  "A THP-backed 2 MiB buffer moves into VRAM whole, then an attribute change inside it makes the GPU map it in 64 KiB and 4 KiB ranges that start inside the 2 MiB device page: every range maps its own pages, and the GPU reads and writes exactly the buffer's data." },
};

int igt_main()
{
	static const unsigned int granularities[] = { 0, 4, 9 };
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture() {
		page_size = sysconf(_SC_PAGESIZE);
		ngpus = svm_gpus_require(gpus);
		for (int g = 0; g < ngpus; g++)
			igt_require_f(gpus[g].vram_size,
				      "%s has no VRAM to migrate to\n",
				      gpus[g].name);
	}

	for (unsigned int t = 0; t < ARRAY_SIZE(mode_tests); t++) {
		igt_describe(mode_tests[t].desc);
		igt_subtest_with_dynamic(mode_tests[t].name) {
			igt_dynamic_svm_modes(gpus, ngpus, g, x) {
				struct mode m = { &gpus[g], x };

				mode_tests[t].fn(&m);
			}
		}
	}

	igt_describe("After a prefetch, a CPU read at the head, middle or tail of a 2 MiB range brings back exactly the granule around it (4 KiB, 64 KiB or 2 MiB per GRANULARITY); the rest stays in VRAM and the GPU reads the mixed range exactly.");
	igt_subtest_with_dynamic("cpu-fault-granule") {
		for_each_svm_mode(gpus, ngpus, g, x) {
			struct mode m = { &gpus[g], x };

			for (unsigned int k = 0; k < ARRAY_SIZE(granularities); k++)
				for (unsigned int p = 0; p < ARRAY_SIZE(positions); p++)
					igt_dynamic_f("%s-xnack-%s-%zuk-%s",
						      gpus[g].name,
						      x ? "on" : "off",
						      (page_size << granularities[k]) >> 10,
						      positions[p].name)
						test_cpu_fault_granule(&m, granularities[k],
								       positions[p].offset);
		}
	}

	igt_describe("A 2 MiB region whose first page is unmapped is one range fitted to its VMA: after a prefetch, a CPU read in its second half brings back exactly that aligned 1 MiB (migration units are aligned powers of two); the rest stays in VRAM and the GPU reads the mixed range exactly.");
	igt_subtest_with_dynamic("cpu-fault-unaligned-range") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x) {
			struct mode m = { &gpus[g], x };

			test_cpu_fault_unaligned(&m);
		}
	}

	igt_describe("GRANULARITY above 2 MiB (4 MiB, 8 MiB, the maximum) on an 8 MiB buffer reads back as set; the prefetch moves every page, and a CPU read brings back the 2 MiB around it (a migration unit is cut at the bounds of its range): the rest stays in VRAM and the GPU reads everything exactly.");
	igt_subtest_with_dynamic("granularity-large") {
		static const unsigned int large[] = { 10, 11, AMDGPU_SVM_MAX_GRANULARITY };

		for_each_svm_mode(gpus, ngpus, g, x) {
			struct mode m = { &gpus[g], x };

			for (unsigned int k = 0; k < ARRAY_SIZE(large); k++)
				igt_dynamic_f("%s-xnack-%s-granularity-%u",
					      gpus[g].name, x ? "on" : "off",
					      large[k])
					test_granularity_large(&m, large[k]);
		}
	}

	igt_describe("A span with ACCESS and a prefetch location is overlapped by a second SET_ATTR carrying ACCESS and the other location (inside, head, tail, past the end, exact, superset of two spans), the first span in system memory, GPU-mapped or in VRAM: every page holds the location of the last SET covering it (GET_ATTR and pagemap), and a GPU copy and the CPU read the data.");
	igt_subtest_with_dynamic("overlapping-layouts") {
		for_each_svm_mode(gpus, ngpus, g, x) {
			struct mode m = { &gpus[g], x };

			for (unsigned int l = 0; l < ARRAY_SIZE(layouts); l++)
				for (unsigned int st = 0; st < ARRAY_SIZE(layout_states); st++)
					igt_dynamic_f("%s-xnack-%s-%s-%s", gpus[g].name,
						      x ? "on" : "off", layouts[l].name,
						      layout_states[st])
						test_overlapping_layout(&m, &layouts[l], st);
		}
	}

	igt_describe("Two GPUs and the CPU take turns on one buffer preferring one GPU: since both GPUs use it, it stays in system memory (no peer path), the data is exact every round. Prints how often a prefetch of memory only one GPU maps quiesced the other GPU's queues.");
	igt_subtest_with_dynamic("ping-pong-two-gpus") {
		igt_require_f(ngpus >= 2, "needs two GPUs\n");
		for (int g = 0; g < ngpus; g++) {
			struct svm_gpu *other = &gpus[(g + 1) % ngpus];

			igt_dynamic_f("%s-and-%s", gpus[g].name, other->name)
				test_ping_pong_two_gpus(&gpus[g], other);
		}
	}

	igt_describe("A buffer in one GPU's VRAM prefetched to another GPU moves into the second GPU's VRAM (through system memory where no peer path exists) with its data.");
	igt_subtest_with_dynamic("vram-to-vram") {
		igt_require_f(ngpus >= 2, "needs two GPUs\n");
		for (int g = 0; g < ngpus; g++) {
			struct svm_gpu *other = &gpus[(g + 1) % ngpus];

			igt_dynamic_f("%s-to-%s", gpus[g].name, other->name)
				test_vram_to_vram(&gpus[g], other);
		}
	}

	igt_describe("Migration bandwidth, system to VRAM and back, for 2 MiB to 256 MiB with and without THP, side by side with the kernel's test_hmm device migrating the same buffers and with plain memcpy, after one untimed round trip each way and with each move out of VRAM started once the driver's minimum residency in VRAM ended: printed, never asserted.");
	igt_subtest("benchmark")
		test_benchmark(&gpus[ngpus - 1]);

	igt_fixture() {
		svm_gpus_close(gpus, ngpus);
	}
}
