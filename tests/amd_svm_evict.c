// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm evict
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM eviction
 * Functionality: invalidation of GPU-mapped memory by each eviction
 *	trigger, with commands in flight
 * Description: A 2 MiB region is mapped for the GPU; the GPU keeps writing
 *	its first half while a trigger evicts the second half (the victim).
 *	Afterwards every GPU write is in memory, the GPU reads the victim's
 *	current data, the queue never faulted, and the counters tell what the
 *	driver did: XNACK off, the queues were quiesced and resumed as often;
 *	XNACK on, the GPU refaulted and nothing was quiesced. Pageout,
 *	compaction and VRAM eviction need not invalidate anything; when they
 *	did not, the subtest says so and checks the data and balance only.
 *	Every subtest runs per GPU and XNACK mode (dynamic subtests
 *	gpuN-TARGET-xnack-on/off).
 *
 * SUBTEST: evict-mprotect
 * Description: mprotect(PROT_READ) and back to read-write over the victim.
 *
 * SUBTEST: evict-dontneed
 * Description: MADV_DONTNEED over the victim: afterwards the GPU sees the
 *	CPU's new pages (zeros, then the CPU's new data), not the old ones.
 *
 * SUBTEST: evict-pageout
 * Description: MADV_PAGEOUT over a victim backed by clean file pages (the
 *	test binary, mapped privately); skips when no page was paged out.
 *
 * SUBTEST: evict-compact
 * Description: /proc/sys/vm/compact_memory, which may migrate the victim's
 *	pages (seen in /proc/self/pagemap); skips when none moved.
 *
 * SUBTEST: evict-debugfs
 * Description: The victim is prefetched into VRAM, then all VRAM is
 *	evicted as suspend does, through the driver's debugfs file
 *	(amdgpu_evict_vram, the virtual GPU's vamdgpu_evict_vram): the
 *	eviction succeeds and invalidates the victim.
 *
 * SUBTEST: evict-race
 * Description: The CPU evicts (MADV_DONTNEED) and rewrites a buffer over
 *	and over while the GPU keeps copying it: no VM fault, no lost
 *	restore, and the last copy equals the last CPU write.
 *
 * SUBTEST: evict-race-fenced
 * Description: evict-race on a queue whose submissions have dma-fences
 *	(the kernel's command submission: amdgpu's CS, the virtual GPU's
 *	fenced queue), XNACK off: each invalidation's quiesce waits for the
 *	whole submission in flight, which therefore never runs into the
 *	cleared page table (no VM fault), and the data is right. With XNACK
 *	on the virtual GPU refuses a fenced queue (-EOPNOTSUPP): its jobs
 *	must not wait for page faults.
 *
 * SUBTEST: restore-refused-briefly
 * Description: XNACK off: the page-table updates of the restore after an
 *	invalidation fail a few times (as amdgpu's do while its page tables
 *	are evicted): the restore is retried, the queue resumes and runs the
 *	work queued meanwhile on the right data.
 *
 * SUBTEST: restore-refused-for-good
 * Description: XNACK off: the restore's page-table updates keep failing:
 *	the driver gives up after a bounded number of attempts and resumes
 *	the queue, whose access to the unmapped span is then a VM fault
 *	rather than a queue stopped for ever; a later SET_ATTR maps the span
 *	again for a new queue.
 *
 * SUBTEST: restore-retry-not-hurried
 * Description: XNACK off, virtual GPU: the restore's page-table updates
 *	are refused for half a second while refused SET_ATTR calls on
 *	other memory run the restore worker at once, far more often than its
 *	retry spacing: the restore keeps retrying for its full time rather
 *	than giving up after as many quick runs, and the queue writes the
 *	buffer once the updates go through.
 *
 * SUBTEST: restore-refused-other-gpu
 * Description: XNACK off, virtual GPUs, one process with a context on each
 *	of two: the restore on the first keeps failing, and meanwhile the
 *	second's fails a few times: the driver gives up on the first's span
 *	after its bounded attempts, but retries the second's on its own
 *	count, and its queue writes its buffer. Skips with one GPU.
 *
 * SUBTEST: restore-not-held-back
 * Description: XNACK off, virtual GPU: the restore of another process is
 *	stalled in its page-table update (as behind a hung SDMA ring) while
 *	this process's buffer is evicted: this process's restore still runs
 *	and its queue resumes and writes the buffer before the other restore
 *	is released, whose queue then runs too. Restores of different
 *	processes must not wait for one another.
 *
 * SUBTEST: page-tables-lost
 * Description: Virtual GPU: a buffer, half in system memory and half
 *	prefetched to VRAM, is mapped and copied by the GPU; then the GPU's
 *	page tables are wiped, as a reset that loses VRAM wipes amdgpu's
 *	(debugfs vamdgpu_lose_page_tables). The queue is lost then: it
 *	refuses submissions with ECANCELED, as amdgpu refuses a context made
 *	before the reset. The first submission, to a new queue, must find
 *	the buffer mapped again: XNACK off, the driver quiesces the queue
 *	and its restore maps the buffer before the copy runs; XNACK on, the
 *	GPU faults it in again. Either way the copy completes with the
 *	right data and no VM fault.
 *
 * SUBTEST: page-tables-lost-in-fault
 * Description: Virtual GPU, XNACK on: the GPU's page tables are lost while
 *	a fill waits in the fault handler for its first page (its PTE update
 *	stalled, as behind a hung SDMA ring). The fill is cancelled, but its
 *	wait must not return while the handler still holds it, only after
 *	(with ECANCELED): memory a process reuses once its wait returned is
 *	not written behind its back. The fill wrote nothing.
 *
 * SUBTEST: page-tables-lost-in-restore
 * Description: XNACK off, virtual GPU: the GPU's page tables are lost while
 *	the restore worker maps one context of the process again after an
 *	eviction (its PTE update stalled, as behind a hung SDMA ring), and a
 *	second context of the process has its memory mapped. The write queued
 *	behind the eviction is cancelled at once, without waiting for the
 *	stalled restore; both contexts' queues are lost. A new queue of the
 *	stalled context is made during the stall, without waiting for it
 *	(the queue count is not under the SVM lock), and submits a write: its
 *	submission, which rebuilds the page table, waits for the restore but
 *	returns once the stall ends, and the write lands with no VM fault. So
 *	does a write on a new queue of the other context, whose memory was
 *	mapped when the page table was wiped.
 *
 * SUBTEST: suspend-munmap-after-resume
 * Description: amdgpu (the virtual GPU has no power management): a
 *	buffer the GPU maps is unmapped right after a suspend to RAM and
 *	resume, while the page tables suspend moved out of VRAM are not
 *	back yet. The GPU's reads of it must fault or return anything but the
 *	freed pages' data: a clear written to where the page table no longer
 *	was, or refused and forgotten, would leave PTEs that come back with
 *	the table. Needs root and an RTC that wakes the machine.
 *
 * SUBTEST: vram-evict-unmapped-midway
 * Description: Virtual GPU, XNACK on: the process unmaps a buffer in VRAM
 *	while an eviction of all VRAM copies it to system memory (the copy
 *	stalled through debugfs, as an SDMA copy behind a long one). An
 *	eviction holds no mmap_lock: the munmap goes through, and with it
 *	the last reference to the buffer's anon_vma, which the eviction's
 *	end walks to put the CPU mappings back (a use-after-free that KASAN
 *	reports, with kernel/configs/optional/kasan.config). The eviction
 *	then moves a second buffer of the process, its data intact. XNACK
 *	off, the restore after the eviction's invalidation waits for the
 *	pages with the mmap_lock held, and the munmap with it: no race.
 *
 * SUBTEST: vram-evict-exit-midway
 * Description: vram-evict-unmapped-midway, the buffer's process exiting
 *	during the stalled copy instead of unmapping it: its exit does not
 *	wait for the copy, and frees the anon_vma (drm_pagemap evicts the
 *	memory of a process that exited). The second buffer is the test's
 *	own. XNACK on only: XNACK off, the waiting restore holds the mm, so
 *	the exit frees nothing before the eviction ends.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_evict.h"
#include "svm_gpu.h"
#include "svm_handshake.h"

#define REGION		(2ul << 20)
#define ROUNDS		48

struct trigger {
	const char *name;
	const char *desc;
	/* Evict [victim, victim + size); true if it was invalidated. */
	bool (*fire)(struct svm_gpu *gpu, char *victim, size_t size);
	/* The victim reads as zeros afterwards. */
	bool zeroes;
	/* The victim is clean file memory, not anonymous. */
	bool file;
	/* The victim is prefetched into VRAM first. */
	bool vram;
};

static bool fire_mprotect(struct svm_gpu *gpu, char *victim, size_t size)
{
	svm_evict_mprotect(victim, size);
	return true;
}

static bool fire_dontneed(struct svm_gpu *gpu, char *victim, size_t size)
{
	svm_evict_dontneed(victim, size);
	return true;
}

static bool fire_pageout(struct svm_gpu *gpu, char *victim, size_t size)
{
	return svm_evict_pageout(victim, size);
}

static bool fire_compact(struct svm_gpu *gpu, char *victim, size_t size)
{
	return svm_evict_compact(victim, size);
}

static bool fire_debugfs(struct svm_gpu *gpu, char *victim, size_t size)
{
	size_t in_vram = svm_vram_pages(victim, size);
	int ret = svm_evict_vram(gpu);

	igt_assert_f(ret == 0, "%s: evicting all VRAM through debugfs: %s\n",
		     gpu->name, strerror(-ret));
	igt_assert_f(svm_vram_pages(victim, size) == 0,
		     "%s: %zu pages of the victim still in VRAM after evicting all VRAM\n",
		     gpu->name, svm_vram_pages(victim, size));
	return in_vram > 0;
}

static const struct trigger triggers[] = {
	{ "evict-mprotect", "mprotect(PROT_READ) and back to read-write over the victim.",
	  fire_mprotect },
	{ "evict-dontneed", "MADV_DONTNEED over the victim: afterwards the GPU sees the CPU's new pages (zeros, then the CPU's new data), not the old ones.",
	  fire_dontneed, .zeroes = true },
	{ "evict-pageout", "MADV_PAGEOUT over a victim backed by clean file pages (the test binary, mapped privately); skips when no page was paged out.",
	  fire_pageout, .file = true },
	{ "evict-compact", "/proc/sys/vm/compact_memory, which may migrate the victim's pages (seen in /proc/self/pagemap); skips when none moved.",
	  fire_compact },
	{ "evict-debugfs", "The victim is prefetched into VRAM, then all VRAM is evicted as suspend does, through the driver's debugfs file (amdgpu_evict_vram, the virtual GPU's vamdgpu_evict_vram): the eviction succeeds and invalidates the victim.",
	  fire_debugfs, .vram = true },
};

/*
 * The last whole @size bytes of the test binary, privately: clean file
 * pages that nothing else maps (its symbols and debug information, which
 * the loader leaves out), so MADV_PAGEOUT may reclaim them: it leaves
 * pages other mappings share, as the loaded text's are.
 */
static char *map_own_binary(size_t size)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	struct stat st;
	off_t off;
	char *p;

	igt_assert_f(fd >= 0, "/proc/self/exe: %m\n");
	igt_assert_eq(fstat(fd, &st), 0);
	igt_require_f((size_t)st.st_size >= 2 * size,
		      "the test binary is smaller than %zu bytes\n", 2 * size);
	off = (st.st_size - size) / svm_page_size() * svm_page_size();
	/* Read-only: a GPU mapping for write would break COW into anon pages. */
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, off);
	close(fd);
	igt_assert_f(p != MAP_FAILED, "mmap of the test binary: %m\n");
	return p;
}

static void test_evict(struct svm_gpu *gpu, bool xnack, const struct trigger *t)
{
	size_t page = svm_page_size(), half = REGION / 2;
	size_t vsize = t->file ? 16 * page : half;
	struct svm_queue_counters before, after;
	struct svm_gpu_cmd cmds[2];
	char *region, *live, *victim, *dst, *expect;
	bool invalidated;
	uint64_t seqno = 0;
	struct svm_ctx ctx;
	struct svm_queue q;

	svm_ctx_open(gpu, xnack, &ctx);
	/* One 2 MiB chunk: the live half and the victim share a GPU range. */
	region = svm_map_aligned(REGION, REGION);
	live = region;
	victim = t->file ? map_own_binary(vsize) : region + half;
	dst = svm_map(vsize);
	expect = svm_map(vsize);
	if (!t->file)
		svm_pattern_fill(victim, vsize, 7);
	memcpy(expect, victim, vsize);
	memset(live, 0, half);
	svm_give_access(&ctx, region, REGION);
	if (t->file)
		svm_give_access(&ctx, victim, vsize);
	svm_give_access(&ctx, dst, vsize);
	/*
	 * The queue first: one created while the prefetch's restore is
	 * pending starts quiesced and counts only the resume.
	 */
	svm_queue_create(&ctx, &q);
	if (t->vram) {
		svm_set_one(ctx.fd, (uintptr_t)victim, vsize,
			    AMDGPU_SVM_ATTR_PREFETCH_LOC, gpu->gpu_id);
		igt_require_f(svm_vram_pages(victim, vsize) == vsize / page,
			      "%s: the victim could not be prefetched into VRAM\n",
			      gpu->name);
	}
	cmds[0] = svm_cmd_copy((uintptr_t)dst, (uintptr_t)victim, vsize);
	svm_queue_exec(&q, cmds, 1, "copy of the victim before eviction");
	igt_assert_f(!memcmp(dst, expect, vsize), "GPU copy of the victim before eviction differs\n");
	if (svm_queue_has_counters(&q))
		svm_queue_counters(&q, &before);

	/* GPU writes in flight over the live half while the victim goes. */
	for (int i = 0; i < ROUNDS; i++) {
		cmds[0] = svm_cmd_write((uintptr_t)live + i * page, 0x5100 + i, 8);
		cmds[1] = svm_cmd_fill((uintptr_t)live + ROUNDS * page,
				       half - ROUNDS * page, i);
		seqno = svm_queue_submit(&q, cmds, 2);
	}
	invalidated = t->fire(gpu, victim, vsize);
	igt_assert_f(invalidated || !t->vram,
		     "%s, XNACK %s: the victim left VRAM before its eviction\n",
		     gpu->name, xnack ? "on" : "off");
	svm_queue_wait(&q, seqno, "GPU writes in flight during eviction");
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t *slot = (uint64_t *)(live + i * page);

		igt_assert_f(*slot == 0x5100u + i,
			     "%s, XNACK %s: GPU write %d at %p lost in the eviction: expected 0x%x, got 0x%" PRIx64 "\n",
			     gpu->name, xnack ? "on" : "off", i, (void *)slot,
			     0x5100 + i, *slot);
	}
	svm_check_fill(live + ROUNDS * page, half - ROUNDS * page, ROUNDS - 1,
		       "last GPU fill in flight during eviction");

	/* The GPU reads what the CPU now has in the victim. */
	if (t->zeroes) {
		svm_check_fill(victim, vsize, 0, "victim after MADV_DONTNEED");
		svm_pattern_fill(victim, vsize, 8);
		svm_pattern_fill(expect, vsize, 8);
	}
	memset(dst, 0, vsize);
	cmds[0] = svm_cmd_copy((uintptr_t)dst, (uintptr_t)victim, vsize);
	svm_queue_exec(&q, cmds, 1, "copy of the victim after eviction");
	for (size_t off = 0; off < vsize; off += 4)
		igt_assert_f(!memcmp(dst + off, expect + off, 4),
			     "%s, XNACK %s: GPU copy of the victim after eviction: first wrong word at offset 0x%zx (victim %p): expected 0x%08x, got 0x%08x\n",
			     gpu->name, xnack ? "on" : "off", off,
			     (void *)(victim + off), *(uint32_t *)(expect + off),
			     *(uint32_t *)(dst + off));

	if (svm_queue_has_counters(&q)) {
		svm_queue_counters(&q, &after);
		igt_info("%s, XNACK %s: %s invalidated %s; quiesce %u->%u, resume %u->%u, retry faults %u->%u\n",
			 gpu->name, xnack ? "on" : "off", t->name,
			 invalidated ? "the victim" : "nothing",
			 before.quiesce_count, after.quiesce_count,
			 before.resume_count, after.resume_count,
			 before.retry_faults, after.retry_faults);
		igt_assert_f(after.vm_faults == 0 && !after.failed,
			     "VM fault at 0x%" PRIx64 " during eviction\n",
			     after.fault_addr);
		igt_assert_f(after.quiesce_count == after.resume_count &&
			     !after.quiesced,
			     "quiesced %u times but resumed %u times\n",
			     after.quiesce_count, after.resume_count);
		if (invalidated && !xnack)
			igt_assert_f(after.quiesce_count > before.quiesce_count,
				     "XNACK off: the victim was invalidated without quiescing the queue\n");
		if (invalidated && xnack)
			igt_assert_f(after.retry_faults > before.retry_faults,
				     "XNACK on: the victim was invalidated but the GPU never refaulted it\n");
		if (xnack)
			igt_assert_f(after.quiesce_count == 0,
				     "XNACK on: the queue was quiesced %u times\n",
				     after.quiesce_count);
	}
	svm_queue_destroy(&q);
	munmap(region, REGION);
	if (t->file)
		munmap(victim, vsize);
	munmap(dst, vsize);
	munmap(expect, vsize);
	svm_ctx_close(&ctx);
	/* Pageout and compaction may leave the victim be. */
	igt_skip_on_f(!invalidated,
		      "%s, XNACK %s: %s invalidated nothing: the data held, but no eviction was tested\n",
		      gpu->name, xnack ? "on" : "off", t->name);
}

static void test_evict_race(struct svm_gpu *gpu, bool xnack, bool fenced)
{
	size_t page = svm_page_size(), size = 64 * page;
	uint32_t *src = (uint32_t *)svm_map(size), *dst = (uint32_t *)svm_map(size);
	struct svm_queue_counters c;
	struct svm_gpu_cmd cmds[16];
	uint64_t seqno = 0;
	struct svm_ctx ctx;
	struct svm_queue q;
	int ret;

	svm_ctx_open(gpu, xnack, &ctx);
	svm_give_access(&ctx, src, size);
	svm_give_access(&ctx, dst, size);
	if (fenced) {
		ret = __svm_queue_create_fenced(&ctx, &q);
		if (xnack && gpu->is_virtual) {
			igt_assert_f(ret == -EOPNOTSUPP,
				     "%s: a fenced queue with XNACK on: %d (%s), not -EOPNOTSUPP: its jobs would wait for page faults\n",
				     gpu->name, ret, strerror(-ret));
			goto out;
		}
		igt_assert_f(ret == 0, "%s: creating a fenced queue: %s\n",
			     gpu->name, strerror(-ret));
	} else {
		svm_queue_create(&ctx, &q);
	}
	for (int j = 0; j < 16; j++)
		cmds[j] = svm_cmd_copy((uintptr_t)dst, (uintptr_t)src, size);
	for (int i = 1; i <= 100; i++) {
		seqno = svm_queue_submit(&q, cmds, 16);
		/*
		 * A fenced queue: let the submission start, and have each
		 * invalidation's quiesce meet it in flight.
		 */
		if (fenced)
			usleep(1000);
		/* Half of the buffer, starting at one of its first 32 pages. */
		igt_assert_eq(madvise(src + (i % 32) * (page / 4), size / 2,
				      MADV_DONTNEED), 0);
		for (size_t k = 0; k < size / 4; k += page / 4)
			src[k] = i;
		if (fenced)
			svm_queue_wait(&q, seqno, "a fenced submission racing with an eviction");
	}
	svm_queue_wait(&q, seqno, "copies racing with evictions");
	for (size_t k = 0; k < size / 4; k++)
		src[k] = 0xabcd;
	svm_queue_exec(&q, cmds, 1, "last copy after the race");
	svm_check_fill(dst, size, 0xabcd, "last copy after the race");
	if (svm_queue_has_counters(&q)) {
		svm_queue_counters(&q, &c);
		igt_assert_f(c.vm_faults == 0 && !c.failed,
			     "%s: %u VM faults during the eviction race\n",
			     gpu->name, c.vm_faults);
		igt_info("%s: %u quiesces, %u resumes, %u retry faults\n",
			 gpu->name, c.quiesce_count, c.resume_count,
			 c.retry_faults);
	}
	svm_queue_destroy(&q);
out:
	munmap(src, size);
	munmap(dst, size);
	svm_ctx_close(&ctx);
}

/*
 * XNACK off: @refusals page-table updates fail from the invalidation on.
 * Fewer than the restore's attempts: it maps the victim again and the
 * queue resumes. Unbounded (@for_good): it gives up and resumes the queue,
 * which faults on the victim.
 */
static void test_restore_refused(struct svm_gpu *gpu, unsigned int refusals,
				 bool for_good)
{
	size_t size = 16 * svm_page_size();
	struct svm_queue_counters c;
	struct svm_gpu_cmd cmd;
	unsigned int left;
	struct svm_ctx ctx;
	struct svm_queue q;
	char *src, *dst;
	uint64_t seqno;
	int ret;

	svm_ctx_open(gpu, false, &ctx);
	src = svm_map(size);
	dst = svm_map(size);
	svm_pattern_fill(src, size, 11);
	svm_give_access(&ctx, src, size);
	svm_give_access(&ctx, dst, size);
	svm_queue_create(&ctx, &q);
	svm_queue_require_counters(&q);
	cmd = svm_cmd_copy((uintptr_t)dst, (uintptr_t)src, size);
	svm_queue_exec(&q, &cmd, 1, "copy before the eviction");
	svm_pattern_check(dst, size, 11, 0, "copy before the eviction");

	memset(dst, 0, size);
	svm_vamdgpu_fail_pte_updates(gpu, refusals);
	svm_evict_mprotect(src, size);
	seqno = svm_queue_submit(&q, &cmd, 1);
	ret = __svm_queue_wait(&q, seqno, SVM_GPU_TIMEOUT_NS);
	left = svm_vamdgpu_pte_failures_left(gpu);
	svm_vamdgpu_fail_pte_updates(gpu, 0);
	svm_queue_counters(&q, &c);
	igt_info("%s: %u of %u refusals used; queue %s; quiesce %u, resume %u\n",
		 gpu->name, refusals - left, refusals,
		 ret ? strerror(-ret) : "done", c.quiesce_count, c.resume_count);
	igt_assert_f(ret != -ETIME && !c.quiesced,
		     "the queue is still stopped %.0f s after the eviction (quiesced %u times, resumed %u times)\n",
		     SVM_GPU_TIMEOUT_NS / 1e9, c.quiesce_count, c.resume_count);
	igt_assert_f(c.quiesce_count == c.resume_count,
		     "quiesced %u times but resumed %u times\n",
		     c.quiesce_count, c.resume_count);
	if (!for_good) {
		igt_assert_f(left == 0,
			     "the restore stopped after %u of %u refused updates: not retried\n",
			     refusals - left, refusals);
		igt_assert_f(ret == 0 && !c.failed,
			     "copy after %u refused restores: %s, VM fault at 0x%" PRIx64 "\n",
			     refusals, strerror(-ret), c.fault_addr);
		svm_pattern_check(dst, size, 11, 0,
				  "copy queued while the restore was refused");
	} else {
		igt_assert_f(ret == -EIO && c.failed,
			     "expected a VM fault once the restore gave up, got %s\n",
			     ret ? strerror(-ret) : "success");
		igt_assert_f(c.fault_addr >= (uintptr_t)src &&
			     c.fault_addr < (uintptr_t)src + size,
			     "VM fault at 0x%" PRIx64 ", outside the victim [%p, %p)\n",
			     c.fault_addr, src, src + size);
		/* Nothing is lost for good: SET_ATTR maps the span again. */
		svm_queue_destroy(&q);
		svm_queue_create(&ctx, &q);
		svm_give_access(&ctx, src, size);
		svm_queue_exec(&q, &cmd, 1, "copy after SET_ATTR mapped the victim again");
		svm_pattern_check(dst, size, 11, 0,
				  "copy after SET_ATTR mapped the victim again");
	}
	svm_queue_destroy(&q);
	munmap(src, size);
	munmap(dst, size);
	svm_ctx_close(&ctx);
}

/* A process's XNACK-off context with a queue and a buffer it maps. */
struct restorer {
	struct svm_ctx ctx;
	struct svm_queue q;
	char *buf;
	size_t size;
};

static void restorer_open(struct svm_gpu *gpu, struct restorer *r,
			  unsigned int pages)
{
	struct svm_gpu_cmd cmd;
	int ret;

	r->size = pages * svm_page_size();
	ret = __svm_ctx_open(gpu, false, &r->ctx);
	igt_assert_f(ret == 0, "%s: XNACK-off context: %s\n", gpu->name,
		     strerror(-ret));
	r->buf = svm_map(r->size);
	memset(r->buf, 0, r->size);
	svm_give_access(&r->ctx, r->buf, r->size);
	svm_queue_create(&r->ctx, &r->q);
	cmd = svm_cmd_write((uintptr_t)r->buf, 1, 8);
	svm_queue_exec(&r->q, &cmd, 1, "write before the eviction");
}

/*
 * Evict the buffer (MADV_DONTNEED), which the restore must map again, and
 * submit a GPU write of @value to it: the seqno.
 */
static uint64_t restorer_evict_and_write(struct restorer *r, uint64_t value)
{
	struct svm_gpu_cmd cmd = svm_cmd_write((uintptr_t)r->buf, value, 8);

	svm_evict_dontneed(r->buf, r->size);
	return svm_queue_submit(&r->q, &cmd, 1);
}

static void restorer_close(struct restorer *r)
{
	svm_queue_destroy(&r->q);
	munmap(r->buf, r->size);
	svm_ctx_close(&r->ctx);
}

/* As many refused page-table updates as a test can use up: refused for good. */
#define REFUSE_ALL	100000

/*
 * How long restore-retry-not-hurried refuses the restore's page-table
 * updates: well within the time the driver keeps retrying for
 * (AMDGPU_SVM_RESTORE_ATTEMPTS spaced AMDGPU_SVM_RESTORE_RETRY_MS apart,
 * about 1 s).
 */
#define REFUSED_NS	(500ull * 1000 * 1000)

/*
 * Six of the driver's restore attempts, spaced AMDGPU_SVM_RESTORE_RETRY_MS
 * (100 ms) apart: more than half of its AMDGPU_SVM_RESTORE_ATTEMPTS (10).
 */
#define RESTORE_HALF_ATTEMPTS_US	(600 * 1000)

/* The GPU's refused page-table updates used up since @armed were armed. */
static unsigned int refusals_used(const struct svm_gpu *gpu,
				  unsigned int armed)
{
	return armed - svm_vamdgpu_pte_failures_left(gpu);
}

/*
 * The restore's page-table updates are refused for REFUSED_NS, while
 * SET_ATTR calls on other memory, refused too, each hand their span to
 * the restore worker at once and so run it far more often than its retry
 * spacing: the restore must still be retried for its full time, not give
 * up after as many quick runs, and the queue must write the buffer once
 * the updates go through.
 */
static void test_restore_retry_not_hurried(struct svm_gpu *gpu)
{
	const struct drm_amdgpu_svm_attribute access = {
		.type = AMDGPU_SVM_ATTR_ACCESS, .value = gpu->gpu_id,
	};
	unsigned int calls = 0, refused = 0, used;
	struct timespec since = {};
	struct svm_queue_counters c;
	struct restorer mine;
	uint64_t seqno;
	char *other;
	int ret;

	restorer_open(gpu, &mine, 1);
	svm_queue_require_counters(&mine.q);
	other = svm_map(mine.size);

	svm_vamdgpu_fail_pte_updates(gpu, REFUSE_ALL);
	seqno = restorer_evict_and_write(&mine, 0x7e57);
	igt_nsec_elapsed(&since);
	/* One ioctl each: drmIoctl() would call again for as long as refused. */
	while (igt_nsec_elapsed(&since) < REFUSED_NS) {
		refused += __svm_set_attr_once(mine.ctx.fd, (uintptr_t)other,
					       mine.size, &access, 1) != 0;
		calls++;
		/*
		 * Longer than the tick the call sets the restore worker's
		 * timer to: it fires, rather than being put off again.
		 */
		usleep(10 * 1000);
	}
	used = refusals_used(gpu, REFUSE_ALL);
	svm_vamdgpu_fail_pte_updates(gpu, 0);
	ret = __svm_queue_wait(&mine.q, seqno, SVM_GPU_TIMEOUT_NS);
	svm_queue_counters(&mine.q, &c);
	igt_info("%s: %u SET_ATTR calls in %.2f s of refused updates (%u failed, %u updates refused); queue %s; quiesce %u, resume %u\n",
		 gpu->name, calls, igt_nsec_elapsed(&since) / 1e9, refused, used,
		 ret ? strerror(-ret) : "done", c.quiesce_count,
		 c.resume_count);
	igt_assert_f(ret == 0 && !c.failed,
		     "%s: the write after an eviction whose restore was refused for %.2f s, while %u SET_ATTR calls ran the restore worker at once: %s, VM fault at 0x%" PRIx64 ": the restore gave up after quick runs, before its retry time\n",
		     gpu->name, REFUSED_NS / 1e9, calls,
		     ret ? strerror(-ret) : "done", c.fault_addr);
	igt_assert_eq_u64(*(uint64_t *)mine.buf, 0x7e57);
	munmap(other, mine.size);
	restorer_close(&mine);
}

/*
 * One process, a context on each of two GPUs. The restore on the first
 * keeps failing, and has failed a few times when the second context's
 * buffer is evicted and its restore fails a few times too: the driver
 * gives up on the first context's span after its bounded attempts, but
 * the second context's restore must be retried on its own count and its
 * queue must write its buffer, not meet a span given up because of the
 * first context's failures.
 */
static void test_restore_refused_other_gpu(struct svm_gpu *gpus, int ngpus)
{
	/* About six restores' worth of refused updates (16 pages, 5 ranges). */
	unsigned int brief = 80, used_a, used_b;
	struct svm_queue_counters ca, cb;
	struct restorer a, b;
	uint64_t seqa, seqb;
	int ret_a, ret_b;

	igt_require_f(ngpus >= 2,
		      "needs two GPUs: the restore on one keeps failing while the other's fails briefly\n");
	restorer_open(&gpus[0], &a, 16);
	restorer_open(&gpus[1], &b, 16);
	svm_queue_require_counters(&a.q);

	svm_vamdgpu_fail_pte_updates(&gpus[0], REFUSE_ALL);
	seqa = restorer_evict_and_write(&a, 0xaaaa);
	/* Past half the attempts the first GPU's restore gets. */
	usleep(RESTORE_HALF_ATTEMPTS_US);
	used_a = refusals_used(&gpus[0], REFUSE_ALL);
	svm_vamdgpu_fail_pte_updates(&gpus[1], brief);
	seqb = restorer_evict_and_write(&b, 0xbbbb);
	ret_b = __svm_queue_wait(&b.q, seqb, SVM_GPU_TIMEOUT_NS);
	used_b = refusals_used(&gpus[1], brief);
	ret_a = __svm_queue_wait(&a.q, seqa, SVM_GPU_TIMEOUT_NS);
	svm_vamdgpu_fail_pte_updates(&gpus[0], 0);
	svm_vamdgpu_fail_pte_updates(&gpus[1], 0);
	svm_queue_counters(&a.q, &ca);
	svm_queue_counters(&b.q, &cb);
	igt_info("%s: restore refused for good (%u updates refused before the other eviction), queue %s; %s: %u of %u refusals used, queue %s\n",
		 gpus[0].name, used_a, ret_a ? strerror(-ret_a) : "done",
		 gpus[1].name, used_b, brief,
		 ret_b ? strerror(-ret_b) : "done");

	igt_assert_f(ret_b == 0 && !cb.failed,
		     "%s: the write after an eviction whose restore was refused %u times: %s, VM fault at 0x%" PRIx64 ": its span was given up because the restore on %s kept failing\n",
		     gpus[1].name, brief, ret_b ? strerror(-ret_b) : "done",
		     cb.fault_addr, gpus[0].name);
	igt_assert_eq_u64(*(uint64_t *)b.buf, 0xbbbb);
	igt_assert_f(used_b == brief,
		     "%s: the restore stopped after %u of %u refused updates: not retried\n",
		     gpus[1].name, used_b, brief);
	igt_assert_f(ret_a == -EIO && ca.failed &&
		     ca.fault_addr >= (uintptr_t)a.buf &&
		     ca.fault_addr < (uintptr_t)a.buf + a.size,
		     "%s: expected a VM fault in the span given up once its restore kept failing, got %s, fault at 0x%" PRIx64 "\n",
		     gpus[0].name, ret_a ? strerror(-ret_a) : "success",
		     ca.fault_addr);
	restorer_close(&b);
	restorer_close(&a);
}

/*
 * XNACK on: the page tables are lost while a submission waits in the fault
 * handler; its wait returns only once the handler let go of it.
 */
static void test_page_tables_lost_in_fault(struct svm_gpu *gpu)
{
	size_t size = 16 * svm_page_size();
	struct svm_gpu_cmd cmd;
	uint64_t seqno, waited = 0;
	unsigned int stalled, vms = 0;
	struct svm_queue q;
	struct svm_ctx ctx;
	int during = 0, after;
	char *buf;

	igt_require_f(gpu->is_virtual,
		      "%s: the page tables are wiped through the virtual GPU's debugfs\n",
		      gpu->name);
	svm_ctx_open(gpu, true, &ctx);
	buf = svm_map(size);
	svm_pattern_fill(buf, size, 41);
	svm_queue_create(&ctx, &q);
	/* Also skips where there is no virtual GPU's debugfs. */
	svm_vamdgpu_stall_pte_updates(gpu, 0);

	/* Nothing may fail until the stall is disarmed: later tests would stall. */
	svm_vamdgpu_stall_pte_updates(gpu, 1);
	cmd = svm_cmd_fill((uintptr_t)buf, size, 0x0badf111);
	seqno = svm_queue_submit(&q, &cmd, 1);
	stalled = svm_vamdgpu_await_stalled(gpu, SVM_GPU_TIMEOUT_NS, &waited);
	if (stalled && !gpu->backend->lose_page_tables(gpu, &vms))
		during = __svm_queue_wait(&q, seqno, 500 * 1000 * 1000);
	svm_vamdgpu_stall_pte_updates(gpu, 0);
	after = __svm_queue_wait(&q, seqno, SVM_GPU_TIMEOUT_NS);
	igt_info("%s: the fill's fault stalled after %.2f s; %u VMs lost their page tables; its wait during the stall: %s, after: %s\n",
		 gpu->name, waited / 1e9, vms, strerror(-during), strerror(-after));

	igt_assert_f(stalled, "%s: the fill's PTE update never stalled\n",
		     gpu->name);
	igt_assert_f(vms >= 1, "%s: no VM lost its page table\n", gpu->name);
	igt_assert_f(during == -ETIME,
		     "%s: the wait for a cancelled fill returned %s while the fill was still in the fault handler\n",
		     gpu->name, during ? strerror(-during) : "success");
	igt_assert_f(after == -ECANCELED,
		     "%s: the wait for the cancelled fill after the handler let go: %s, expected ECANCELED\n",
		     gpu->name, after ? strerror(-after) : "success");
	svm_queue_check_lost(&q);
	svm_pattern_check(buf, size, 41, 0, "memory of a fill cancelled before its first write");
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

/*
 * A new queue and a submission on it, from a thread of its own: either may
 * block in its ioctl.
 */
struct thread_submit {
	pthread_t thread;
	struct svm_ctx *ctx;
	struct svm_queue q;
	struct svm_gpu_cmd cmd;
	uint64_t seqno;
	int ret;
	atomic_bool created;
};

static void *thread_submit(void *data)
{
	struct thread_submit *t = data;
	const struct svm_gpu_backend *backend = t->ctx->gpu->backend;

	t->ret = __svm_queue_create(t->ctx, &t->q);
	atomic_store(&t->created, true);
	if (!t->ret)
		t->ret = backend->submit(&t->q, &t->cmd, 1, &t->seqno);
	return NULL;
}

/*
 * The write of @value that @fresh, a new queue of @r's context, took after
 * the page tables were lost (@seqno) lands with no VM fault; the lost
 * queue of @r is then replaced by @fresh.
 */
static void restorer_check_write_after_loss(struct restorer *r,
					    struct svm_queue *fresh,
					    uint64_t seqno, uint64_t value,
					    const char *who)
{
	struct svm_queue_counters after;
	int ret;

	ret = __svm_queue_wait(fresh, seqno, SVM_GPU_TIMEOUT_NS);
	svm_queue_counters(fresh, &after);
	igt_info("%s: write on a new queue after the loss: %s\n", who,
		 ret ? strerror(-ret) : "done");
	igt_assert_f(ret == 0 && !after.failed,
		     "%s: the write on a new queue after the page tables were lost: %s, VM fault at 0x%" PRIx64 "\n",
		     who, ret ? strerror(-ret) : "done", after.fault_addr);
	igt_assert_eq_u64(*(uint64_t *)r->buf, value);
	svm_queue_check_lost(&r->q);
	svm_queue_destroy(&r->q);
	r->q = *fresh;
}

/*
 * XNACK off: the page tables are lost while the restore worker maps one
 * context of the process (its PTE update stalled) and another context has
 * its memory mapped. The stalled context's new queue submits before the
 * stall ends: its submission rebuilds the page table, behind the restore.
 */
static void test_page_tables_lost_in_restore(struct svm_gpu *gpu)
{
	uint64_t seqno, waited = 0;
	unsigned int stalled = 0, still = 0, vms = 0;
	struct restorer evicted, other;
	struct thread_submit t = {};
	struct svm_queue fresh_other;
	struct timespec released, deadline;
	bool submitted = false, joined = true, created_in_stall = false;
	int during = -ENOEXEC;
	char name[128];

	igt_require_f(gpu->is_virtual,
		      "%s: the page tables are wiped through the virtual GPU's debugfs\n",
		      gpu->name);
	/* Also skips where there is no virtual GPU's debugfs. */
	svm_vamdgpu_stall_pte_updates(gpu, 0);
	restorer_open(gpu, &evicted, 16);
	restorer_open(gpu, &other, 16);
	t.ctx = &evicted.ctx;
	t.cmd = svm_cmd_write((uintptr_t)evicted.buf, 0xf4e54, 8);

	/* Nothing may fail until the stall is disarmed: later tests would stall. */
	svm_vamdgpu_stall_pte_updates(gpu, 1);
	seqno = restorer_evict_and_write(&evicted, 0xcace11ed);
	stalled = svm_vamdgpu_await_stalled(gpu, SVM_GPU_TIMEOUT_NS, &waited);
	if (stalled && !gpu->backend->lose_page_tables(gpu, &vms)) {
		during = __svm_queue_wait(&evicted.q, seqno, SVM_GPU_TIMEOUT_NS);
		still = svm_vamdgpu_pte_updates_stalled(gpu);
		/* After the loss, which a queue made before does not survive. */
		submitted = !pthread_create(&t.thread, NULL, thread_submit, &t);
		for (int i = 0; submitted && i < 500 && !atomic_load(&t.created); i++)
			usleep(10 * 1000);
		created_in_stall = atomic_load(&t.created) &&
				   svm_vamdgpu_pte_updates_stalled(gpu) == 1;
		/* Time for its submission to reach the rebuild, behind the stall. */
		usleep(100 * 1000);
	}
	svm_vamdgpu_stall_pte_updates(gpu, 0);
	clock_gettime(CLOCK_REALTIME, &released);
	if (submitted) {
		deadline = released;
		deadline.tv_sec += 2 * SVM_GPU_TIMEOUT_NS / 1000000000;
		joined = !pthread_timedjoin_np(t.thread, NULL, &deadline);
		clock_gettime(CLOCK_REALTIME, &deadline);
	}
	igt_info("%s: the restore stalled after %.2f s; %u VMs lost their page tables; the write queued behind the eviction: %s, with %u updates still stalled; the new queue's submission returned %.3f s after the stall ended\n",
		 gpu->name, waited / 1e9, vms, strerror(-during), still,
		 igt_time_elapsed(&released, &deadline));

	igt_assert_f(stalled, "%s: the restore's PTE update never stalled\n",
		     gpu->name);
	igt_assert_f(vms >= 2,
		     "%s: %u VMs lost their page tables, expected both contexts'\n",
		     gpu->name, vms);
	igt_assert_f(during == -ECANCELED,
		     "%s: the wait for a write queued behind the eviction, after the page tables were lost during its restore: %s, expected ECANCELED\n",
		     gpu->name, during ? strerror(-during) : "success");
	igt_assert_f(still == 1,
		     "%s: the cancelled write's wait returned only once the restore was no longer stalled (%u stalled): the cancellation waited for the restore\n",
		     gpu->name, still);
	igt_assert_f(submitted, "%s: starting the submitting thread failed\n",
		     gpu->name);
	igt_assert_f(created_in_stall,
		     "%s: making a queue waited for the restore stalled in its page-table update (not made within 5 s of the stall)\n",
		     gpu->name);
	igt_assert_f(joined,
		     "%s: a new queue and a submission on it, made while the restore was stalled, had not returned %.0f s after the stall ended: the rebuild and the restore wait for each other\n",
		     gpu->name, 2 * SVM_GPU_TIMEOUT_NS / 1e9);
	igt_assert_f(t.ret == 0,
		     "%s: a new queue and a submission on it after the page tables were lost: %s\n",
		     gpu->name, strerror(-t.ret));

	snprintf(name, sizeof(name), "%s, the context whose restore stalled",
		 gpu->name);
	restorer_check_write_after_loss(&evicted, &t.q, t.seqno, 0xf4e54, name);

	/* The other context's memory was mapped when the page table was wiped. */
	svm_queue_create(&other.ctx, &fresh_other);
	t.cmd = svm_cmd_write((uintptr_t)other.buf, 0x07e4, 8);
	seqno = svm_queue_submit(&fresh_other, &t.cmd, 1);
	snprintf(name, sizeof(name), "%s, the other context", gpu->name);
	restorer_check_write_after_loss(&other, &fresh_other, seqno, 0x07e4,
					name);
	restorer_close(&other);
	restorer_close(&evicted);
}

/* The stall of the other process's restore, at most. */
#define STALL_WAIT_NS	(3 * SVM_GPU_TIMEOUT_NS)

/*
 * XNACK off: another process's restore stalls in its page-table update;
 * this process's restore must not wait for it (the workers of different
 * processes run side by side).
 */
static void test_restore_not_held_back(struct svm_gpu *gpu)
{
	struct restorer mine;
	uint64_t seqno, waited = 0;
	unsigned int stalled = 0;
	int ready[2], go[2];
	bool evicted;
	int ret = 0;
	char c;

	/* Also skips where there is no virtual GPU's debugfs. */
	svm_vamdgpu_stall_pte_updates(gpu, 0);
	igt_assert_eq(pipe(ready), 0);
	igt_assert_eq(pipe(go), 0);
	igt_fork(child, 1) {
		struct restorer stalled_one;

		close(ready[0]);
		close(go[1]);
		restorer_open(gpu, &stalled_one, 16);
		svm_handshake_send(ready[1]);
		svm_handshake_await(go[0], "the stall was armed");
		seqno = restorer_evict_and_write(&stalled_one, 0x5a11ed);
		svm_handshake_send(ready[1]);
		ret = __svm_queue_wait(&stalled_one.q, seqno, STALL_WAIT_NS);
		igt_assert_f(ret == 0,
			     "the stalled process's write after its restore was released: %s\n",
			     strerror(-ret));
		igt_assert_eq_u64(*(uint64_t *)stalled_one.buf, 0x5a11ed);
		restorer_close(&stalled_one);
	}
	close(ready[1]);
	close(go[0]);
	restorer_open(gpu, &mine, 16);
	svm_handshake_await(ready[0], "its queue ran");

	/* Nothing may fail until the stall is disarmed: later tests would stall. */
	svm_vamdgpu_stall_pte_updates(gpu, 1);
	evicted = write(go[1], "x", 1) == 1 && read(ready[0], &c, 1) == 1;
	if (evicted)
		stalled = svm_vamdgpu_await_stalled(gpu, SVM_GPU_TIMEOUT_NS,
						    &waited);
	if (stalled) {
		seqno = restorer_evict_and_write(&mine, 0xf4ee);
		ret = __svm_queue_wait(&mine.q, seqno, SVM_GPU_TIMEOUT_NS);
		stalled = svm_vamdgpu_pte_updates_stalled(gpu);
	}
	svm_vamdgpu_stall_pte_updates(gpu, 0);
	igt_waitchildren();
	igt_info("%s: the other restore stalled after %.2f s; this queue's write after its own eviction: %s; stalled updates then: %u\n",
		 gpu->name, waited / 1e9, ret ? strerror(-ret) : "done", stalled);

	igt_assert_f(evicted, "the other process ended before its eviction\n");
	igt_assert_f(waited < SVM_GPU_TIMEOUT_NS,
		     "%s: the other process's restore never reached its page-table update in %.0f s\n",
		     gpu->name, SVM_GPU_TIMEOUT_NS / 1e9);
	igt_assert_f(ret == 0,
		     "%s: this process's queue did not run within %.0f s of its eviction while another process's restore was stalled (%s): restores of different processes wait for one another\n",
		     gpu->name, SVM_GPU_TIMEOUT_NS / 1e9, strerror(-ret));
	igt_assert_f(stalled == 1,
		     "%s: the other process's restore was no longer stalled when this one's write completed (%u stalled)\n",
		     gpu->name, stalled);
	igt_assert_eq_u64(*(uint64_t *)mine.buf, 0xf4ee);
	restorer_close(&mine);
	close(ready[0]);
	close(go[1]);
}

/*
 * The GPU's page tables are lost (a reset that lost VRAM) under a buffer
 * the GPU has mapped; the next submission must not VM fault.
 */
static void test_page_tables_lost(struct svm_gpu *gpu, bool xnack)
{
	size_t size = 64 * svm_page_size(), half = size / 2;
	struct svm_queue_counters before, after;
	struct svm_gpu_cmd cmd;
	struct svm_queue q, fresh;
	struct svm_ctx ctx;
	unsigned int vms;
	char *src, *dst;
	uint64_t seqno;
	int ret;

	igt_require_f(gpu->is_virtual,
		      "%s: the page tables are wiped through the virtual GPU's debugfs\n",
		      gpu->name);
	svm_ctx_open(gpu, xnack, &ctx);
	src = svm_map(size);
	dst = svm_map(size);
	svm_pattern_fill(src, size, 29);
	svm_give_access(&ctx, src, size);
	svm_give_access(&ctx, dst, size);
	if (gpu->vram_size)
		svm_set_one(ctx.fd, (uintptr_t)src + half, half,
			    AMDGPU_SVM_ATTR_PREFETCH_LOC, gpu->gpu_id);
	svm_queue_create(&ctx, &q);
	svm_queue_require_counters(&q);
	cmd = svm_cmd_copy((uintptr_t)dst, (uintptr_t)src, size);
	svm_queue_exec(&q, &cmd, 1, "copy before the page tables were lost");
	svm_pattern_check(dst, size, 29, 0, "copy before the page tables were lost");
	igt_info("%s: %zu of %zu source pages in VRAM\n", gpu->name,
		 svm_vram_pages(src, size), size / svm_page_size());
	if (gpu->vram_size)
		igt_assert_f(svm_vram_pages(src + half, half) == half / svm_page_size(),
			     "%s: the prefetched half of the buffer is not all in VRAM\n",
			     gpu->name);

	memset(dst, 0, size);
	vms = svm_vamdgpu_lose_page_tables(gpu);
	igt_assert_f(vms >= 1, "%s: no VM lost its page table\n", gpu->name);
	/* Made before the first submission after the loss, which rebuilds. */
	svm_queue_create(&ctx, &fresh);
	svm_queue_counters(&fresh, &before);
	seqno = svm_queue_submit(&fresh, &cmd, 1);
	ret = __svm_queue_wait(&fresh, seqno, SVM_GPU_TIMEOUT_NS);
	svm_queue_counters(&fresh, &after);
	svm_queue_check_lost(&q);
	svm_queue_destroy(&q);
	igt_info("%s: %u VMs lost their page tables; copy %s; quiesce +%u, resume +%u, retry faults +%u\n",
		 gpu->name, vms, ret ? strerror(-ret) : "done",
		 after.quiesce_count - before.quiesce_count,
		 after.resume_count - before.resume_count,
		 after.retry_faults - before.retry_faults);
	igt_assert_f(ret == 0 && !after.failed,
		     "%s: the copy after the GPU lost its page tables: %s, VM fault at 0x%" PRIx64 ": the driver did not map the buffer again\n",
		     gpu->name, ret ? strerror(-ret) : "done", after.fault_addr);
	svm_pattern_check(dst, size, 29, 0, "copy after the page tables were lost");
	if (xnack)
		igt_assert_f(after.retry_faults > before.retry_faults,
			     "%s: the copy over wiped page tables took no GPU fault\n",
			     gpu->name);
	else
		igt_assert_f(after.quiesce_count > before.quiesce_count &&
			     after.quiesce_count - before.quiesce_count ==
			     after.resume_count - before.resume_count,
			     "%s: the queue was quiesced %u times and resumed %u times around the rebuild\n",
			     gpu->name, after.quiesce_count - before.quiesce_count,
			     after.resume_count - before.resume_count);
	svm_queue_destroy(&fresh);
	munmap(src, size);
	munmap(dst, size);
	svm_ctx_close(&ctx);
}

/*
 * Suspend moves amdgpu's page tables out of VRAM, and only the next
 * submission, KFD restore or SVM mapping moves them back: a munmap right
 * after resume clears PTEs of a table that is not where it was.
 */
static void test_suspend_munmap(struct svm_gpu *gpu, bool xnack)
{
	const size_t size = 2u << 20;
	const size_t offsets[] = { 0, size / 2, size - sizeof(uint64_t) };
	uint64_t got;
	struct svm_gpu_cmd cmd;
	struct svm_queue q;
	struct svm_ctx ctx;
	unsigned int i;
	char *buf;
	int ret;

	igt_require_f(!gpu->is_virtual,
		      "%s: the virtual GPU has no power management: suspend moves none of its page tables\n",
		      gpu->name);
	svm_ctx_open(gpu, xnack, &ctx);
	buf = svm_map(size);
	svm_pattern_fill(buf, size, 37);
	svm_give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		cmd = svm_cmd_read((uintptr_t)buf + offsets[i]);
		svm_queue_exec(&q, &cmd, 1, "GPU read before the suspend");
		igt_assert_eq_u64(svm_queue_read_result(&q),
				  svm_pattern_at64(37, offsets[i]));
	}

	igt_system_suspend_autoresume(SUSPEND_STATE_MEM, SUSPEND_TEST_NONE);
	igt_assert_eq(munmap(buf, size), 0);

	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		cmd = svm_cmd_read((uintptr_t)buf + offsets[i]);
		ret = __svm_queue_wait(&q, svm_queue_submit(&q, &cmd, 1),
				       SVM_GPU_TIMEOUT_NS);
		if (ret == -EIO) {
			igt_info("%s: GPU read at +0x%zx after the munmap: VM fault\n",
				 gpu->name, offsets[i]);
			break;
		}
		igt_assert_f(ret == 0, "%s: GPU read after the munmap: %s\n",
			     gpu->name, strerror(-ret));
		got = svm_queue_read_result(&q);
		igt_assert_f(got != svm_pattern_at64(37, offsets[i]),
			     "%s: the GPU read the freed page at +0x%zx after the munmap (0x%016" PRIx64 "): the PTE clear made while suspend had the page tables out of VRAM was lost\n",
			     gpu->name, offsets[i], got);
	}
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
}

/* An eviction of all VRAM from a thread of its own, since it stalls. */
struct evict_thread {
	pthread_t thread;
	const struct svm_gpu *gpu;
	int ret, result;
};

static void *evict_thread(void *data)
{
	struct evict_thread *t = data;

	t->ret = t->gpu->backend->evict_vram(t->gpu, &t->result);
	return NULL;
}

/* A munmap from a thread of its own, since it may wait. */
struct unmap_thread {
	pthread_t thread;
	void *p;
	size_t size;
	int ret;
	atomic_bool done;
};

static void *unmap_thread(void *data)
{
	struct unmap_thread *u = data;

	u->ret = munmap(u->p, u->size) ? -errno : 0;
	atomic_store(&u->done, true);
	return NULL;
}

/*
 * Two buffers of @size at least a page apart, so that neither VMA merges
 * with the other or shares its anon_vma: the first is returned, the
 * second is @size plus a page after it.
 */
static char *map_apart(size_t size)
{
	char *p = svm_map(2 * size + svm_page_size());

	igt_assert_eq(munmap(p + size, svm_page_size()), 0);
	return p;
}

/*
 * Fill @buf's @size bytes with @seed's pattern and prefetch them to @ctx's
 * VRAM; return whether they all went (no VRAM otherwise).
 */
static bool fill_in_vram(struct svm_ctx *ctx, char *buf, size_t size,
			 uint32_t seed)
{
	svm_pattern_fill(buf, size, seed);
	svm_give_access(ctx, buf, size);
	svm_set_one(ctx->fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_PREFETCH_LOC,
		    ctx->gpu->gpu_id);
	return svm_vram_pages(buf, size) == size / svm_page_size();
}

/* How long the buffer's going may take while the eviction is stalled. */
#define GONE_WITHIN_MS	5000

/*
 * vram-evict-unmapped-midway, vram-evict-exit-midway (@owner_exits): the
 * first buffer in VRAM, the oldest block and so the first one the
 * eviction copies, goes while that copy is stalled.
 */
static void test_evict_gone_midway(struct svm_gpu *gpu, bool xnack,
				   bool owner_exits)
{
	size_t size = 16 * svm_page_size();
	struct evict_thread t = { .gpu = gpu };
	struct unmap_thread u = { .size = size };
	unsigned int stalled, gone_ms = 0;
	bool evicting, unmapping = false, told = false;
	uint64_t waited = 0;
	struct svm_ctx ctx;
	int go[2], alive[2];
	char *kept;

	igt_require_f(gpu->is_virtual,
		      "%s: the eviction's copy is stalled through the virtual GPU's debugfs\n",
		      gpu->name);
	igt_require_f(gpu->xnack_capable, "%s cannot run with XNACK on\n",
		      gpu->name);
	/* Also skips where there is no virtual GPU's debugfs. */
	svm_vamdgpu_stall_copies_to_ram(gpu, 0);
	/* Nothing older in VRAM: the stalled copy is the first buffer's. */
	svm_evict_vram(gpu);
	igt_require_f(svm_gpu_vram_used_settled(gpu, 0) == 0,
		      "%s: VRAM still in use after evicting it all\n", gpu->name);

	if (owner_exits) {
		igt_assert_eq(pipe(go), 0);
		/* Only the child holds the write end: EOF when it exited. */
		igt_assert_eq(pipe(alive), 0);
		igt_fork(child, 1) {
			struct svm_ctx cctx;
			char *gone, c;

			close(go[1]);
			close(alive[0]);
			svm_ctx_open(gpu, xnack, &cctx);
			gone = map_apart(size);
			/* Says whether its buffer is in VRAM: it cannot skip. */
			c = fill_in_vram(&cctx, gone, size, 51) ? 'v' : 's';
			igt_assert_eq(write(alive[1], &c, 1), 1);
			/*
			 * Exits with its buffer, SVM context and fd open, once
			 * the eviction stalled (or the test gave up on it).
			 */
			igt_assert(read(go[0], &c, 1) >= 0);
		}
		char in_vram = 0;

		close(go[0]);
		close(alive[1]);
		igt_assert_f(read(alive[0], &in_vram, 1) == 1,
			     "the child ended before its buffer was in VRAM\n");
		igt_require_f(in_vram == 'v',
			      "%s: the prefetch left the child's buffer in system memory (no VRAM?)\n",
			      gpu->name);
	}
	svm_ctx_open(gpu, xnack, &ctx);
	if (!owner_exits) {
		u.p = map_apart(size);
		igt_require_f(fill_in_vram(&ctx, u.p, size, 51),
			      "%s: the prefetch left the first buffer in system memory (no VRAM?)\n",
			      gpu->name);
		kept = (char *)u.p + size + svm_page_size();
	} else {
		kept = map_apart(size);
	}
	igt_require_f(fill_in_vram(&ctx, kept, size, 52),
		      "%s: the prefetch left the second buffer in system memory (no VRAM?)\n",
		      gpu->name);

	/* Nothing may fail until the stall is disarmed: later tests would stall. */
	svm_vamdgpu_stall_copies_to_ram(gpu, 1);
	evicting = !pthread_create(&t.thread, NULL, evict_thread, &t);
	stalled = evicting ?
		svm_vamdgpu_await_copy_stalled(gpu, SVM_GPU_TIMEOUT_NS, &waited) : 0;
	if (stalled && !owner_exits) {
		unmapping = !pthread_create(&u.thread, NULL, unmap_thread, &u);
		while (unmapping && !atomic_load(&u.done) &&
		       gone_ms < GONE_WITHIN_MS) {
			usleep(10 * 1000);
			gone_ms += 10;
		}
	} else if (stalled) {
		struct pollfd pfd = { .fd = alive[0], .events = POLLIN };
		char c = 'x';

		told = write(go[1], &c, 1) == 1;
		/* The pipe reads EOF once the child's exit closed its files. */
		while (gone_ms < GONE_WITHIN_MS &&
		       !(poll(&pfd, 1, 10) == 1 && read(alive[0], &c, 1) == 0))
			gone_ms += 10;
	}
	/*
	 * A freed anon_vma is poisoned an RCU grace period later (KASAN with
	 * SLUB_RCU_DEBUG): time for one, even in a busy emulated guest.
	 */
	usleep(1000 * 1000);
	svm_vamdgpu_stall_copies_to_ram(gpu, 0);
	if (evicting)
		pthread_join(t.thread, NULL);
	if (unmapping)
		pthread_join(u.thread, NULL);
	if (owner_exits) {
		close(go[1]);
		close(alive[0]);
		igt_waitchildren();
	}
	igt_info("%s: the eviction's first copy stalled after %.2f s; the first buffer was gone %.2f s later\n",
		 gpu->name, waited / 1e9, gone_ms / 1e3);

	igt_assert_f(evicting, "%s: no eviction thread: %m\n", gpu->name);
	igt_assert_f(stalled, "%s: the eviction's copy to system memory never stalled\n",
		     gpu->name);
	igt_assert_f(owner_exits || unmapping, "%s: no munmap thread: %m\n",
		     gpu->name);
	igt_assert_f(!owner_exits || told,
		     "%s: the child could not be told to exit: %m\n", gpu->name);
	igt_assert_f(!unmapping || !u.ret,
		     "%s: munmap of the first buffer: %s\n", gpu->name,
		     strerror(-u.ret));
	igt_assert_f(gone_ms < GONE_WITHIN_MS,
		     "%s: the %s waited for the stalled eviction\n", gpu->name,
		     owner_exits ? "child's exit" : "munmap of the first buffer");
	igt_assert_f(t.ret == 0 && t.result == 0,
		     "%s: evicting all VRAM through debugfs: %s\n", gpu->name,
		     strerror(-(t.ret ? t.ret : t.result)));
	igt_assert_f(svm_vram_pages(kept, size) == 0,
		     "%s: %zu pages of the second buffer still in VRAM after the eviction\n",
		     gpu->name, svm_vram_pages(kept, size));
	svm_pattern_check(kept, size, 52, 0,
			  "second buffer after an eviction whose first copy's buffer went");
	munmap(kept, size);
	svm_ctx_close(&ctx);
}

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture()
		ngpus = svm_gpus_require(gpus);

	for (unsigned int t = 0; t < ARRAY_SIZE(triggers); t++) {
		igt_describe(triggers[t].desc);
		igt_subtest_with_dynamic(triggers[t].name) {
			igt_dynamic_svm_modes(gpus, ngpus, g, x)
				test_evict(&gpus[g], x, &triggers[t]);
		}
	}

	igt_describe("The CPU evicts (MADV_DONTNEED) and rewrites a buffer over and over while the GPU keeps copying it: no VM fault, no lost restore, and the last copy equals the last CPU write.");
	igt_subtest_with_dynamic("evict-race") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_evict_race(&gpus[g], x, false);
	}

	igt_describe("evict-race on a queue whose submissions have dma-fences (amdgpu's CS, the virtual GPU's fenced queue), XNACK off: each quiesce waits for the whole submission in flight, so it never meets the cleared page table. With XNACK on the virtual GPU refuses a fenced queue.");
	igt_subtest_with_dynamic("evict-race-fenced") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_evict_race(&gpus[g], x, true);
	}

	igt_describe("XNACK off: the page-table updates of the restore after an invalidation fail a few times: the restore is retried, the queue resumes and runs the work queued meanwhile on the right data.");
	igt_subtest_with_dynamic("restore-refused-briefly") {
		for (int g = 0; g < ngpus && svm_xnack_wanted(false); g++)
			igt_dynamic_f("%s-xnack-off", gpus[g].name)
				test_restore_refused(&gpus[g], 3, false);
	}

	igt_describe("XNACK off: the restore's page-table updates keep failing: the driver gives up after a bounded number of attempts and resumes the queue, whose access to the unmapped span is a VM fault rather than a queue stopped for ever; a later SET_ATTR maps the span again.");
	igt_subtest_with_dynamic("restore-refused-for-good") {
		for (int g = 0; g < ngpus && svm_xnack_wanted(false); g++)
			igt_dynamic_f("%s-xnack-off", gpus[g].name)
				test_restore_refused(&gpus[g], 1000, true);
	}

	igt_describe("XNACK off, virtual GPU: the restore's page-table updates are refused for half a second while refused SET_ATTR calls on other memory run the restore worker at once, far more often than its retry spacing: it must keep retrying for its full time, and the queue writes the buffer once the updates go through.");
	igt_subtest_with_dynamic("restore-retry-not-hurried") {
		for (int g = 0; g < ngpus && svm_xnack_wanted(false); g++)
			igt_dynamic_f("%s-xnack-off", gpus[g].name)
				test_restore_retry_not_hurried(&gpus[g]);
	}

	igt_describe("XNACK off, virtual GPUs, one process on two: the restore on the first GPU keeps failing, and meanwhile the second's fails a few times: the driver gives up on the first's span after its bounded attempts, but retries the second's on its own count, whose queue writes its buffer.");
	igt_subtest_with_dynamic("restore-refused-other-gpu") {
		if (svm_xnack_wanted(false))
			igt_dynamic("xnack-off")
				test_restore_refused_other_gpu(gpus, ngpus);
	}

	igt_describe("amdgpu: a buffer the GPU maps is unmapped right after a suspend to RAM and resume, before the page tables suspend moved out of VRAM are back: the GPU's reads of it fault or return anything but the freed pages' data (a lost PTE clear would bring the old PTEs back with the table).");
	igt_subtest_with_dynamic("suspend-munmap-after-resume") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_suspend_munmap(&gpus[g], x);
	}

	igt_describe("Virtual GPU: the GPU's page tables are wiped, as a reset that loses VRAM wipes amdgpu's, under a buffer the GPU maps (half of it in VRAM): the queue is lost and refuses work with ECANCELED; the first copy, on a new queue, must find the buffer mapped again (XNACK off: by the restore, under a quiesce; XNACK on: by GPU faults), with the right data and no VM fault.");
	igt_subtest_with_dynamic("page-tables-lost") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_page_tables_lost(&gpus[g], x);
	}

	igt_describe("Virtual GPU, XNACK on: the GPU's page tables are lost while a fill waits in the fault handler for its first page (its PTE update stalled): the fill is cancelled, its wait returns only after the handler let go of it (with ECANCELED), and it wrote nothing.");
	igt_subtest_with_dynamic("page-tables-lost-in-fault") {
		for (int g = 0; g < ngpus && svm_xnack_wanted(true); g++)
			igt_dynamic_f("%s-xnack-on", gpus[g].name)
				test_page_tables_lost_in_fault(&gpus[g]);
	}

	igt_describe("XNACK off, virtual GPU: the GPU's page tables are lost while the restore worker maps one context of the process again (its PTE update stalled) and another context has its memory mapped: the write queued behind the eviction is cancelled at once; a new queue of that context is made during the stall without waiting for it, and its submission (which rebuilds the page table) returns once the stall ends; its write and one on a new queue of the other context land with no VM fault.");
	igt_subtest_with_dynamic("page-tables-lost-in-restore") {
		for (int g = 0; g < ngpus && svm_xnack_wanted(false); g++)
			igt_dynamic_f("%s-xnack-off", gpus[g].name)
				test_page_tables_lost_in_restore(&gpus[g]);
	}

	igt_describe("XNACK off, virtual GPU: another process's restore stalls in its page-table update (as behind a hung SDMA ring) while this process's buffer is evicted: this process's restore still runs and its queue writes the buffer before the other restore is released, whose queue then runs too.");
	igt_subtest_with_dynamic("restore-not-held-back") {
		for (int g = 0; g < ngpus && svm_xnack_wanted(false); g++)
			igt_dynamic_f("%s-xnack-off", gpus[g].name)
				test_restore_not_held_back(&gpus[g]);
	}

	igt_describe("Virtual GPU, XNACK on: the process unmaps a buffer in VRAM while an eviction's copy of it to system memory is stalled; the eviction, which holds no mmap_lock, must not use the buffer's freed anon_vma when it puts the CPU mappings back (KASAN sees it), and it still moves the process's second buffer, data intact.");
	igt_subtest_with_dynamic("vram-evict-unmapped-midway") {
		for_each_svm_mode(gpus, ngpus, g, x)
			if (x)
				igt_dynamic_f("%s-xnack-on", gpus[g].name)
					test_evict_gone_midway(&gpus[g], true, false);
	}

	igt_describe("vram-evict-unmapped-midway with the buffer's process exiting during the stalled copy (its exit does not wait for the copy, and frees the anon_vma); the second buffer is the test's own.");
	igt_subtest_with_dynamic("vram-evict-exit-midway") {
		for_each_svm_mode(gpus, ngpus, g, x)
			if (x)
				igt_dynamic_f("%s-xnack-on", gpus[g].name)
					test_evict_gone_midway(&gpus[g], true, true);
	}

	igt_fixture()
		svm_gpus_close(gpus, ngpus);
}
