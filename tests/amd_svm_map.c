// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm map
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM mapping
 * Functionality: GPU access to malloc'd memory through DRM_AMDGPU_GEM_SVM
 * Description: The GPU reads and writes CPU memory at the same addresses:
 *	XNACK off maps from SET_ATTR, XNACK on maps from GPU faults; partial
 *	munmap, copy-on-write after fork and memory without access behave.
 *	Every subtest runs once per GPU and XNACK mode (dynamic subtests
 *	named gpuN-TARGET-xnack-on/off); HSA_XNACK=0 or 1 in the environment
 *	keeps only that mode, as ROCm's runtime does.
 *
 * SUBTEST: gpu-fill-cpu-check
 * Description: The GPU fills a buffer the process mapped; the CPU sees
 *	the pattern on every page.
 *
 * SUBTEST: cpu-write-gpu-copy
 * Description: The CPU writes a source buffer, the GPU copies it to a
 *	destination buffer; the CPU finds the copy exact.
 *
 * SUBTEST: partial-munmap-middle
 * Description: After munmap of one page in the middle of a mapped 2 MiB
 *	region the GPU still writes every page left, without a VM fault.
 *
 * SUBTEST: cow-after-fork
 * Description: After fork, the parent's CPU write breaks copy-on-write;
 *	the GPU then reads the parent's new data, not the child's old page.
 *
 * SUBTEST: evict-dontneed
 * Description: MADV_DONTNEED takes the pages of a mapped buffer back; the
 *	GPU then sees the CPU's new zero pages, not the old ones. XNACK off:
 *	the queues were quiesced and resumed once around the restore; XNACK
 *	on: the GPU refaulted.
 *
 * SUBTEST: mprotect-read-only
 * Description: After mprotect(PROT_READ) the GPU still reads the buffer
 *	but a GPU write is a fault: the mapping follows the CPU permission.
 *
 * SUBTEST: always-mapped-no-fault
 * Description: XNACK on: a span with GPU_ALWAYS_MAPPED is mapped by
 *	SET_ATTR, so the GPU accesses it without a single retry fault; the
 *	same span without the flag is mapped by faults.
 *
 * SUBTEST: no-access-vm-fault
 * Description: XNACK off: a GPU write to memory the GPU has no access to
 *	stops the queue with a VM fault naming the address.
 *
 * SUBTEST: evict-race
 * Description: The CPU evicts (MADV_DONTNEED) and rewrites a buffer over
 *	and over while the GPU keeps copying it: no VM fault, no lost
 *	restore, and the last copy equals the last CPU write.
 *
 * SUBTEST: teardown-busy
 * Description: Closing the fd with a queue running over SVM memory and an
 *	unmap still pending in the garbage collector, and a child exiting
 *	in the same state, leave no leak, no hang and no kernel report.
 *
 * SUBTEST: multi-gpu-process-wide
 * Description: Two GPUs of one process share one attribute truth and are
 *	quiesced together: an eviction of memory mapped on one GPU stops
 *	the queues of both (XNACK off), and both GPUs access the buffer.
 *
 * SUBTEST: xnack-switch
 * Description: Switching XNACK off -> on -> off with SVM attributes in
 *	place (no queue alive): with XNACK on the GPU faults the buffer in,
 *	back to XNACK off everything accessible is mapped again without
 *	faults.
 *
 * SUBTEST: multi-gpu-map-cost
 * Description: Time of SET_ATTR mapping 64 MiB (XNACK off) on 1, 2, ...
 *	GPUs of one process, and of a CPU eviction of it: the per-GPU cost
 *	of one drm_gpusvm instance (notifier, hmm_range_fault, DMA map) per
 *	GPU, printed as a table.
 *
 * SUBTEST: munmap-benchmark
 * Description: Time of munmap of 4 KiB inside mapped regions of growing
 *	size plus the next SVM call (which completes the rebuild): it stays
 *	flat, proportional to one chunk, not to the region.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "vamdgpu.h"

#define MAX_GPUS	8
#define PATTERN		0x5a5aa5a5u

static size_t page_size;

struct mode {
	struct vamdgpu_gpu *gpu;
	bool xnack;
};

static void *map_buf(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert_f(p != MAP_FAILED, "mmap of %zu bytes: %m\n", size);
	return p;
}

/*
 * A fresh render node per case: the XNACK mode is set before the first SVM
 * call, and the SVM context dies with the fd.
 */
static int open_mode(const struct mode *m)
{
	int fd = vamdgpu_reopen(m->gpu->fd);

	vamdgpu_set_xnack(fd, m->xnack);
	return fd;
}

static void give_access(int fd, const struct mode *m, void *buf, size_t size)
{
	/* XNACK on: default access is enough; say it anyway, it must not map. */
	svm_set_one(fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_ACCESS,
		    m->gpu->info.gpu_id);
}

/* Run commands; a VM fault fails the test naming the address and access. */
static void exec_cmds(int fd, uint32_t q, const struct drm_vamdgpu_cmd *cmds,
		      uint32_t n, const char *what)
{
	struct drm_vamdgpu_queue_status st;
	uint64_t seqno = vamdgpu_submit(fd, q, cmds, n);
	int ret = __vamdgpu_wait(fd, q, seqno, VAMDGPU_WAIT_TIMEOUT_NS);

	if (ret == 0)
		return;
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(0, "%s: queue %u: %s; state %s, fault at 0x%" PRIx64 " flags 0x%x\n",
		     what, q, strerror(-ret), vamdgpu_queue_state_name(st.state),
		     (uint64_t)st.fault_addr, st.fault_flags);
}

static void check_fill(const uint32_t *p, size_t size, uint32_t pattern,
		       const char *what)
{
	for (size_t i = 0; i < size / 4; i++)
		igt_assert_f(p[i] == pattern,
			     "%s: at %p (offset 0x%zx) expected 0x%08x, got 0x%08x\n",
			     what, (void *)&p[i], i * 4, pattern, p[i]);
}

static void test_fill(const struct mode *m)
{
	size_t size = 64 * page_size;
	int fd = open_mode(m);
	uint32_t *buf = map_buf(size), q;
	struct drm_vamdgpu_cmd cmd;

	memset(buf, 0, size);
	give_access(fd, m, buf, size);
	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_fill((uintptr_t)buf, size, PATTERN);
	exec_cmds(fd, q, &cmd, 1, m->gpu->name);
	check_fill(buf, size, PATTERN, m->gpu->name);
	vamdgpu_queue_destroy(fd, q);
	munmap(buf, size);
	close(fd);
}

static void test_copy(const struct mode *m)
{
	size_t size = 32 * page_size;
	int fd = open_mode(m);
	uint8_t *src = map_buf(size), *dst = map_buf(size);
	struct drm_vamdgpu_cmd cmd;
	uint32_t q;

	for (size_t i = 0; i < size; i++)
		src[i] = i * 7 + 3;
	memset(dst, 0, size);
	give_access(fd, m, src, size);
	give_access(fd, m, dst, size);
	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_copy((uintptr_t)dst, (uintptr_t)src, size);
	vamdgpu_exec(fd, q, &cmd, 1);
	for (size_t i = 0; i < size; i++)
		igt_assert_f(dst[i] == src[i],
			     "%s: copy at offset 0x%zx: expected 0x%02x, got 0x%02x\n",
			     m->gpu->name, i, src[i], dst[i]);
	vamdgpu_queue_destroy(fd, q);
	munmap(src, size);
	munmap(dst, size);
	close(fd);
}

/* A 2 MiB-aligned region of @size, so drm_gpusvm can use 2 MiB chunks. */
static char *map_aligned(size_t size, size_t align)
{
	char *p = map_buf(size + align);
	char *a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));

	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + align - a);
	return a;
}

static void test_partial_munmap(const struct mode *m)
{
	size_t size = 2 << 20, hole = size / 2;
	int fd = open_mode(m);
	char *buf = map_aligned(size, 2 << 20);
	struct drm_vamdgpu_cmd cmds[2];
	uint32_t q;

	memset(buf, 0, size);
	give_access(fd, m, buf, size);
	q = vamdgpu_queue_create(fd);
	cmds[0] = vamdgpu_cmd_fill((uintptr_t)buf, size, 1);
	exec_cmds(fd, q, cmds, 1, "fill before munmap");

	igt_assert_eq(munmap(buf + hole, page_size), 0);

	cmds[0] = vamdgpu_cmd_fill((uintptr_t)buf, hole, PATTERN);
	cmds[1] = vamdgpu_cmd_fill((uintptr_t)buf + hole + page_size,
				   size - hole - page_size, PATTERN);
	exec_cmds(fd, q, cmds, 2, "fill after munmap");
	check_fill((uint32_t *)buf, hole, PATTERN, "head after partial munmap");
	check_fill((uint32_t *)(buf + hole + page_size), size - hole - page_size,
		   PATTERN, "tail after partial munmap");
	vamdgpu_queue_destroy(fd, q);
	munmap(buf, hole);
	munmap(buf + hole + page_size, size - hole - page_size);
	close(fd);
}

static void test_cow(const struct mode *m)
{
	size_t size = 16 * page_size;
	int fd = open_mode(m);
	uint32_t *src = map_buf(size), *dst = map_buf(size);
	struct drm_vamdgpu_cmd cmd;
	int pipefd[2], status;
	pid_t pid;
	uint32_t q;
	char c;

	for (size_t i = 0; i < size / 4; i++)
		src[i] = 1;
	give_access(fd, m, src, size);
	give_access(fd, m, dst, size);
	q = vamdgpu_queue_create(fd);

	igt_assert_eq(pipe(pipefd), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		/* The child keeps the old pages alive until told to go. */
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) != 1 || src[0] != 1)
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);

	/* Copy-on-write: the parent gets new pages; the GPU must follow. */
	for (size_t i = 0; i < size / 4; i++)
		src[i] = 2;
	cmd = vamdgpu_cmd_copy((uintptr_t)dst, (uintptr_t)src, size);
	exec_cmds(fd, q, &cmd, 1, "copy after fork");
	check_fill(dst, size, 2, "GPU copy of the parent's buffer after fork");

	igt_assert_eq(write(pipefd[1], "x", 1), 1);
	close(pipefd[1]);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "child saw the parent's write through its own pages\n");
	vamdgpu_queue_destroy(fd, q);
	munmap(src, size);
	munmap(dst, size);
	close(fd);
}

static void test_evict_dontneed(const struct mode *m)
{
	size_t size = 16 * page_size;
	int fd = open_mode(m);
	uint32_t *buf = map_buf(size), *dst = map_buf(size), q;
	struct drm_vamdgpu_queue_status st;
	struct drm_vamdgpu_cmd cmd;

	give_access(fd, m, buf, size);
	give_access(fd, m, dst, size);
	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_fill((uintptr_t)buf, size, PATTERN);
	exec_cmds(fd, q, &cmd, 1, "fill before eviction");
	check_fill(buf, size, PATTERN, "CPU view after GPU fill");

	igt_assert_eq(madvise(buf, size, MADV_DONTNEED), 0);
	check_fill(buf, size, 0, "CPU view after MADV_DONTNEED");
	cmd = vamdgpu_cmd_copy((uintptr_t)dst, (uintptr_t)buf, size);
	exec_cmds(fd, q, &cmd, 1, "copy after eviction");
	check_fill(dst, size, 0, "GPU copy of the evicted buffer");

	vamdgpu_queue_status(fd, q, &st);
	if (m->xnack)
		igt_assert_f(st.retry_fault_count > 0 && st.quiesce_count == 0,
			     "%s: XNACK on: expected refaults and no quiesce, got %u faults, %u quiesces\n",
			     m->gpu->name, st.retry_fault_count, st.quiesce_count);
	else
		igt_assert_f(st.quiesce_count >= 1 &&
			     st.quiesce_count == st.resume_count &&
			     st.vm_fault_count == 0,
			     "%s: XNACK off: expected quiesce == resume >= 1 and no VM fault, got %u/%u, %u faults\n",
			     m->gpu->name, st.quiesce_count, st.resume_count,
			     st.vm_fault_count);
	vamdgpu_queue_destroy(fd, q);
	munmap(buf, size);
	munmap(dst, size);
	close(fd);
}

static void test_mprotect(const struct mode *m)
{
	size_t size = 8 * page_size;
	int fd = open_mode(m);
	uint32_t *buf = map_buf(size), *dst = map_buf(size), q;
	struct drm_vamdgpu_queue_status st;
	struct drm_vamdgpu_cmd cmd;
	uint64_t seqno;

	for (size_t i = 0; i < size / 4; i++)
		buf[i] = 3;
	give_access(fd, m, buf, size);
	give_access(fd, m, dst, size);
	igt_assert_eq(mprotect(buf, size, PROT_READ), 0);

	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_copy((uintptr_t)dst, (uintptr_t)buf, size);
	exec_cmds(fd, q, &cmd, 1, "GPU read of read-only memory");
	check_fill(dst, size, 3, "GPU copy of read-only memory");

	cmd = vamdgpu_cmd_write((uintptr_t)buf, 9, 4);
	seqno = vamdgpu_submit(fd, q, &cmd, 1);
	igt_assert_eq(__vamdgpu_wait(fd, q, seqno, VAMDGPU_WAIT_TIMEOUT_NS), -EIO);
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.fault_addr == (uintptr_t)buf &&
		     (st.fault_flags & VAMDGPU_FAULT_WRITE),
		     "%s: expected a write fault at %p, got 0x%" PRIx64 " flags 0x%x\n",
		     m->gpu->name, (void *)buf, (uint64_t)st.fault_addr,
		     st.fault_flags);
	igt_assert_eq_u32(buf[0], 3);
	vamdgpu_queue_destroy(fd, q);
	munmap(buf, size);
	munmap(dst, size);
	close(fd);
}

static void test_always_mapped(const struct mode *m)
{
	size_t size = 16 * page_size;
	int fd = open_mode(m);
	uint32_t *buf = map_buf(size), q;
	struct drm_vamdgpu_queue_status st;
	struct drm_vamdgpu_cmd cmd;

	igt_require_f(m->xnack, "XNACK off maps everything from SET_ATTR\n");
	memset(buf, 0, size);
	svm_set_one(fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_SET_FLAGS,
		    AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED);
	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_fill((uintptr_t)buf, size, PATTERN);
	exec_cmds(fd, q, &cmd, 1, "fill of an always-mapped span");
	check_fill(buf, size, PATTERN, "always-mapped span");
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.retry_fault_count == 0,
		     "%s: always-mapped span: expected no retry fault, got %u\n",
		     m->gpu->name, st.retry_fault_count);

	svm_set_one(fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_CLR_FLAGS,
		    AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED);
	igt_assert_eq(madvise(buf, size, MADV_DONTNEED), 0);
	exec_cmds(fd, q, &cmd, 1, "fill after clearing the flag");
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.retry_fault_count > 0,
		     "%s: without GPU_ALWAYS_MAPPED the refill should fault\n",
		     m->gpu->name);
	vamdgpu_queue_destroy(fd, q);
	munmap(buf, size);
	close(fd);
}

static void test_no_access(const struct mode *m)
{
	size_t size = 4 * page_size;
	int fd = open_mode(m);
	uint32_t *buf = map_buf(size), q;
	struct drm_vamdgpu_queue_status st;
	struct drm_vamdgpu_cmd cmd;
	uint64_t seqno;

	igt_require_f(!m->xnack, "XNACK on: default access for every GPU\n");
	memset(buf, 0, size);
	svm_set_one(fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_NO_ACCESS,
		    m->gpu->info.gpu_id);
	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_write((uintptr_t)buf + page_size, 7, 4);
	seqno = vamdgpu_submit(fd, q, &cmd, 1);
	igt_assert_eq(__vamdgpu_wait(fd, q, seqno, VAMDGPU_WAIT_TIMEOUT_NS), -EIO);
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.state == VAMDGPU_QUEUE_STATE_ERROR &&
		     st.fault_addr == (uintptr_t)buf + page_size,
		     "%s: expected a VM fault at %p, got state %s at 0x%" PRIx64 "\n",
		     m->gpu->name, (void *)((char *)buf + page_size),
		     vamdgpu_queue_state_name(st.state), (uint64_t)st.fault_addr);
	igt_assert_eq_u32(buf[page_size / 4], 0);
	vamdgpu_queue_destroy(fd, q);
	munmap(buf, size);
	close(fd);
}

static void test_evict_race(const struct mode *m)
{
	size_t size = 64 * page_size;
	int fd = open_mode(m);
	uint32_t *src = map_buf(size), *dst = map_buf(size), q;
	struct drm_vamdgpu_queue_status st;
	struct drm_vamdgpu_cmd cmds[16];
	uint64_t seqno = 0;
	int i, j;

	memset(src, 0, size);
	give_access(fd, m, src, size);
	give_access(fd, m, dst, size);
	q = vamdgpu_queue_create(fd);
	for (j = 0; j < 16; j++)
		cmds[j] = vamdgpu_cmd_copy((uintptr_t)dst, (uintptr_t)src, size);

	for (i = 1; i <= 100; i++) {
		seqno = vamdgpu_submit(fd, q, cmds, 16);
		madvise(src + (i % 64) * (page_size / 4), size / 2, MADV_DONTNEED);
		for (size_t k = 0; k < size / 4; k += page_size / 4)
			src[k] = i;
	}
	vamdgpu_wait(fd, q, seqno);
	for (size_t k = 0; k < size / 4; k++)
		src[k] = 0xabcd;
	exec_cmds(fd, q, cmds, 1, "last copy after the race");
	check_fill(dst, size, 0xabcd, "last copy after the race");
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.vm_fault_count == 0 && st.state != VAMDGPU_QUEUE_STATE_ERROR,
		     "%s: %u VM faults during the eviction race\n", m->gpu->name,
		     st.vm_fault_count);
	igt_info("%s: %u quiesces, %u resumes, %u retry faults\n", m->gpu->name,
		 st.quiesce_count, st.resume_count, st.retry_fault_count);
	vamdgpu_queue_destroy(fd, q);
	munmap(src, size);
	munmap(dst, size);
	close(fd);
}

static void busy_then_close(const struct mode *m)
{
	size_t size = 4ul << 20;
	int fd = open_mode(m);
	char *buf = map_aligned(size, 2 << 20);
	struct drm_vamdgpu_cmd cmds[8];
	uint32_t q;

	memset(buf, 0, size);
	give_access(fd, m, buf, size);
	q = vamdgpu_queue_create(fd);
	for (int i = 0; i < 8; i++)
		cmds[i] = vamdgpu_cmd_fill((uintptr_t)buf, size, i);
	vamdgpu_submit(fd, q, cmds, 8);
	/* Queue the GC (and with XNACK off a restore) and leave at once. */
	munmap(buf + size / 2, page_size);
	madvise(buf, size / 2, MADV_DONTNEED);
	close(fd);
	munmap(buf, size);
}

static void test_teardown(const struct mode *m)
{
	int status;
	pid_t pid;

	busy_then_close(m);

	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		size_t size = 2ul << 20;
		int fd = open_mode(m);
		char *buf = map_aligned(size, 2 << 20);
		struct drm_vamdgpu_cmd cmd;

		give_access(fd, m, buf, size);
		cmd = vamdgpu_cmd_fill((uintptr_t)buf, size, 1);
		vamdgpu_submit(fd, vamdgpu_queue_create(fd), &cmd, 1);
		munmap(buf, page_size);
		_exit(0);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFEXITED(status));
}

static void test_multi_gpu(const struct mode *m, struct vamdgpu_gpu *other)
{
	size_t size = 16 * page_size;
	int fd0 = open_mode(m), fd1;
	uint32_t *buf = map_buf(size), q0, q1;
	struct drm_vamdgpu_queue_status st0, st1;
	struct drm_vamdgpu_cmd cmd;

	fd1 = vamdgpu_reopen(other->fd);
	vamdgpu_set_xnack(fd1, false);
	/* vamdgpu joins a GPU to the process's SVM at its first SVM call. */
	svm_get_one(fd1, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_GRANULARITY);
	/* One attribute truth: set through GPU 0, read through GPU 1. */
	svm_set_one(fd0, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_PREFERRED_LOC,
		    other->info.gpu_id);
	igt_assert_eq_u32(svm_get_one(fd1, (uintptr_t)buf, size,
				      AMDGPU_SVM_ATTR_PREFERRED_LOC),
			  other->info.gpu_id);
	svm_set_one(fd1, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_ACCESS,
		    m->gpu->info.gpu_id);
	svm_set_one(fd1, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_ACCESS,
		    other->info.gpu_id);

	q0 = vamdgpu_queue_create(fd0);
	q1 = vamdgpu_queue_create(fd1);
	cmd = vamdgpu_cmd_fill((uintptr_t)buf, size / 2, 1);
	exec_cmds(fd0, q0, &cmd, 1, "fill through GPU 0");
	cmd = vamdgpu_cmd_fill((uintptr_t)buf + size / 2, size / 2, 2);
	exec_cmds(fd1, q1, &cmd, 1, "fill through GPU 1");
	check_fill(buf, size / 2, 1, "half filled by GPU 0");
	check_fill(buf + size / 8, size / 2, 2, "half filled by GPU 1");

	igt_assert_eq(madvise(buf, size, MADV_DONTNEED), 0);
	cmd = vamdgpu_cmd_fill((uintptr_t)buf, size, 3);
	exec_cmds(fd1, q1, &cmd, 1, "fill through GPU 1 after eviction");
	check_fill(buf, size, 3, "buffer after eviction");

	vamdgpu_queue_status(fd0, q0, &st0);
	vamdgpu_queue_status(fd1, q1, &st1);
	igt_assert_f(st0.quiesce_count >= 1 && st1.quiesce_count >= 1 &&
		     st0.quiesce_count == st0.resume_count &&
		     st1.quiesce_count == st1.resume_count,
		     "process-wide quiesce: GPU 0 %u/%u, GPU 1 %u/%u (quiesce/resume)\n",
		     st0.quiesce_count, st0.resume_count, st1.quiesce_count,
		     st1.resume_count);
	vamdgpu_queue_destroy(fd0, q0);
	vamdgpu_queue_destroy(fd1, q1);
	munmap(buf, size);
	close(fd0);
	close(fd1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill_and_count(int fd, uint32_t *buf, size_t size, uint32_t v,
			   uint32_t *faults)
{
	struct drm_vamdgpu_queue_status st;
	struct drm_vamdgpu_cmd cmd = vamdgpu_cmd_fill((uintptr_t)buf, size, v);
	uint32_t q = vamdgpu_queue_create(fd);

	exec_cmds(fd, q, &cmd, 1, "fill");
	check_fill(buf, size, v, "fill");
	vamdgpu_queue_status(fd, q, &st);
	*faults = st.retry_fault_count;
	vamdgpu_queue_destroy(fd, q);
}

static void test_xnack_switch(struct vamdgpu_gpu *gpu)
{
	size_t size = 16 * page_size;
	uint32_t *buf = map_buf(size), faults;
	int fd;

	igt_require_f(gpu->info.flags & VAMDGPU_INFO_XNACK_CAPABLE,
		      "%s cannot run with XNACK on\n", gpu->name);
	fd = vamdgpu_reopen(gpu->fd);
	vamdgpu_set_xnack(fd, false);
	svm_set_one(fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_ACCESS,
		    gpu->info.gpu_id);
	fill_and_count(fd, buf, size, 1, &faults);
	igt_assert_eq_u32(faults, 0);

	vamdgpu_set_xnack(fd, true);
	fill_and_count(fd, buf, size, 2, &faults);
	igt_assert_f(faults > 0, "XNACK on: expected the GPU to fault the buffer in\n");
	igt_assert_eq_u32(svm_get_access(fd, (uintptr_t)buf, size, gpu->info.gpu_id),
			  AMDGPU_SVM_ATTR_ACCESS);

	vamdgpu_set_xnack(fd, false);
	fill_and_count(fd, buf, size, 3, &faults);
	igt_assert_eq_u32(faults, 0);
	munmap(buf, size);
	close(fd);
}

static void test_multi_gpu_cost(struct vamdgpu_gpu *gpus, int ngpus)
{
	size_t size = 64ul << 20;
	int fds[MAX_GPUS];

	igt_require_f(ngpus >= 2, "needs two virtual GPUs\n");
	for (int g = 0; g < ngpus; g++) {
		fds[g] = vamdgpu_reopen(gpus[g].fd);
		vamdgpu_set_xnack(fds[g], false);
		svm_get_one(fds[g], (uintptr_t)&size & ~(uintptr_t)(page_size - 1),
			    page_size, AMDGPU_SVM_ATTR_GRANULARITY);
	}
	igt_info("%-5s %-14s %-14s %s\n", "gpus", "map (ms)", "per GPU (ms)",
		 "evict+restore (ms)");
	for (int n = 1; n <= ngpus; n++) {
		char *buf = map_aligned(size, 2 << 20);
		struct drm_vamdgpu_cmd cmd;
		double t0, t1, t2, t3;
		uint32_t q;

		memset(buf, 1, size);
		t0 = now();
		for (int g = 0; g < n; g++)
			svm_set_one(fds[0], (uintptr_t)buf, size,
				    AMDGPU_SVM_ATTR_ACCESS, gpus[g].info.gpu_id);
		t1 = now();
		/* Evict everything; the next GPU access waits for the restore. */
		q = vamdgpu_queue_create(fds[0]);
		igt_assert_eq(madvise(buf, size, MADV_DONTNEED), 0);
		t2 = now();
		cmd = vamdgpu_cmd_write((uintptr_t)buf, 1, 4);
		exec_cmds(fds[0], q, &cmd, 1, "write after eviction");
		t3 = now();
		igt_info("%-5d %-14.1f %-14.1f %.1f\n", n, (t1 - t0) * 1e3,
			 (t1 - t0) * 1e3 / n, (t3 - t2) * 1e3);
		vamdgpu_queue_destroy(fds[0], q);
		munmap(buf, size);
	}
	for (int g = 0; g < ngpus; g++)
		close(fds[g]);
}

static void test_munmap_bench(const struct mode *m)
{
	static const size_t sizes[] = { 2ul << 20, 64ul << 20, 1ul << 30 };
	int fd = open_mode(m);

	igt_require_f(!m->xnack, "XNACK on maps lazily: nothing to rebuild\n");
	igt_info("%-10s %-12s %-12s %s\n", "region", "map (s)", "munmap (ms)",
		 "munmap+rebuild (ms)");
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		char *buf = map_aligned(size, 2 << 20);
		double t0, t1, t2, t3;

		memset(buf, 1, size);
		t0 = now();
		give_access(fd, m, buf, size);
		t1 = now();
		igt_assert_eq(munmap(buf + size / 2 + page_size, page_size), 0);
		t2 = now();
		/* The next SVM call drains the garbage collector first. */
		svm_get_one(fd, (uintptr_t)buf, page_size,
			    AMDGPU_SVM_ATTR_GRANULARITY);
		t3 = now();
		igt_info("%-10zu %-12.3f %-12.3f %.3f\n", size >> 20, t1 - t0,
			 (t2 - t1) * 1e3, (t3 - t1) * 1e3);
		munmap(buf, size);
	}
	close(fd);
}

static const struct {
	const char *name;
	void (*fn)(const struct mode *m);
	const char *desc;
} subtests[] = {
	{ "gpu-fill-cpu-check", test_fill,
	  "The GPU fills a buffer the process mapped; the CPU sees the pattern on every page." },
	{ "cpu-write-gpu-copy", test_copy,
	  "The CPU writes a source buffer, the GPU copies it to a destination buffer; the CPU finds the copy exact." },
	{ "partial-munmap-middle", test_partial_munmap,
	  "After munmap of one page in the middle of a mapped 2 MiB region the GPU still writes every page left, without a VM fault." },
	{ "cow-after-fork", test_cow,
	  "After fork, the parent's CPU write breaks copy-on-write; the GPU then reads the parent's new data, not the child's old page." },
	{ "evict-dontneed", test_evict_dontneed,
	  "MADV_DONTNEED takes the pages of a mapped buffer back; the GPU then sees the CPU's new zero pages, not the old ones. XNACK off: the queues were quiesced and resumed once around the restore; XNACK on: the GPU refaulted." },
	{ "mprotect-read-only", test_mprotect,
	  "After mprotect(PROT_READ) the GPU still reads the buffer but a GPU write is a fault: the mapping follows the CPU permission." },
	{ "always-mapped-no-fault", test_always_mapped,
	  "XNACK on: a span with GPU_ALWAYS_MAPPED is mapped by SET_ATTR, so the GPU accesses it without a single retry fault; the same span without the flag is mapped by faults." },
	{ "no-access-vm-fault", test_no_access,
	  "XNACK off: a GPU write to memory the GPU has no access to stops the queue with a VM fault naming the address." },
	{ "evict-race", test_evict_race,
	  "The CPU evicts (MADV_DONTNEED) and rewrites a buffer over and over while the GPU keeps copying it: no VM fault, no lost restore, and the last copy equals the last CPU write." },
	{ "teardown-busy", test_teardown,
	  "Closing the fd with a queue running over SVM memory and an unmap still pending in the garbage collector, and a child exiting in the same state, leave no leak, no hang and no kernel report." },
	{ "munmap-benchmark", test_munmap_bench,
	  "Time of munmap of 4 KiB inside mapped regions of growing size plus the next SVM call (which completes the rebuild): it stays flat, proportional to one chunk, not to the region." },
};

/* HSA_XNACK=0/1 picks one XNACK mode, as in ROCm; unset: both. */
static bool xnack_wanted(bool xnack)
{
	const char *env = getenv("HSA_XNACK");

	if (!env || !*env)
		return true;
	return (atoi(env) != 0) == xnack;
}

int igt_main()
{
	static struct vamdgpu_gpu gpus[MAX_GPUS];
	static int ngpus;

	igt_fixture() {
		page_size = sysconf(_SC_PAGESIZE);
		ngpus = vamdgpu_gpus_open(gpus, MAX_GPUS);
		igt_require_f(ngpus > 0, "no vamdgpu render node\n");
	}

	for (unsigned int t = 0; t < ARRAY_SIZE(subtests); t++) {
		igt_describe(subtests[t].desc);
		igt_subtest_with_dynamic(subtests[t].name) {
			for (int g = 0; g < ngpus; g++) {
				for (int x = 0; x <= 1; x++) {
					struct mode m = { &gpus[g], x };

					if (x && !(gpus[g].info.flags & VAMDGPU_INFO_XNACK_CAPABLE))
						continue;
					if (!xnack_wanted(x))
						continue;
					igt_dynamic_f("%s-xnack-%s", gpus[g].name,
						      x ? "on" : "off")
						subtests[t].fn(&m);
				}
			}
		}
	}

	igt_describe("Two GPUs of one process share one attribute truth and are quiesced together: an eviction of memory mapped on one GPU stops the queues of both (XNACK off), and both GPUs access the buffer.");
	igt_subtest_with_dynamic("multi-gpu-process-wide") {
		igt_require_f(ngpus >= 2, "needs two virtual GPUs\n");
		for (int g = 0; g < ngpus; g++) {
			struct mode m = { &gpus[g], false };
			struct vamdgpu_gpu *other = &gpus[(g + 1) % ngpus];

			igt_dynamic_f("%s-and-%s", gpus[g].name, other->name)
				test_multi_gpu(&m, other);
		}
	}

	igt_describe("Switching XNACK off -> on -> off with SVM attributes in place (no queue alive): with XNACK on the GPU faults the buffer in, back to XNACK off everything accessible is mapped again without faults.");
	igt_subtest_with_dynamic("xnack-switch") {
		for (int g = 0; g < ngpus; g++)
			if (gpus[g].info.flags & VAMDGPU_INFO_XNACK_CAPABLE)
				igt_dynamic_f("%s", gpus[g].name)
					test_xnack_switch(&gpus[g]);
	}

	igt_describe("Time of SET_ATTR mapping 64 MiB (XNACK off) on 1, 2, ... GPUs of one process, and of a CPU eviction of it: the per-GPU cost of one drm_gpusvm instance (notifier, hmm_range_fault, DMA map) per GPU, printed as a table.");
	igt_subtest("multi-gpu-map-cost")
		test_multi_gpu_cost(gpus, ngpus);

	igt_fixture()
		vamdgpu_gpus_close(gpus, ngpus);
}
