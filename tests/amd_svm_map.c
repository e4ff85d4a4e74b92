// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm map
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM mapping
 * Functionality: GPU access to malloc'd memory through DRM_AMDGPU_GEM_SVM
 * Description: The GPU reads and writes CPU memory at the same addresses:
 *	XNACK off maps from SET_ATTR, XNACK on maps from GPU faults; CPU
 *	permissions, memory without access, XNACK switching and teardown
 *	behave (partial munmap, fork, eviction and several GPUs have binaries
 *	of their own: amd_svm_munmap, _fork, _evict, _multi_gpu).
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
 * SUBTEST: mprotect-read-only
 * Description: After mprotect(PROT_READ) the GPU still reads the buffer
 *	but a GPU write is a fault: the mapping follows the CPU permission.
 *
 * SUBTEST: mprotect-head-read-only
 * Description: mprotect(PROT_READ) of the first pages of a mapped 64 KiB
 *	range: the GPU still writes the rest of it without a fault (the
 *	range is rebuilt inside each VMA, never mapped read-only over
 *	writable memory), and a write to the read-only head faults.
 *
 * SUBTEST: mprotect-fragments-refault
 * Description: XNACK on: the GPU reads a buffer while mprotect() has cut
 *	it into single-page VMAs, and the mprotect() is undone; the GPU's
 *	next pass over the 2 MiB buffer faults it in by chunks (at most two
 *	retry faults), not page by page.
 *
 * SUBTEST: userptr-svm-exclusive
 * Description: One owner per GPU virtual address: MAP_USERPTR (the
 *	virtual GPU's own buffer mapping, as a GEM VA on amdgpu) over memory
 *	with SVM attributes fails with EADDRINUSE, SET_ATTR over a
 *	MAP_USERPTR mapping fails with EADDRINUSE, and succeeds once it is
 *	unmapped.
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
 * SUBTEST: teardown-busy
 * Description: Closing the fd with a queue running over SVM memory and an
 *	unmap still pending in the garbage collector, and a child exiting
 *	in the same state, leave no leak, no hang and no kernel report.
 *
 * SUBTEST: second-fd-mapped
 * Description: The process opens the GPU a second time after giving it
 *	access to a buffer through the first fd: a queue of the second fd
 *	reads and writes the buffer without a VM fault (XNACK off maps the
 *	joining context as the attributes say, XNACK on faults it in).
 *
 * SUBTEST: xnack-switch
 * Description: Switching XNACK off -> on -> off with SVM attributes in
 *	place (no queue alive): with XNACK on the GPU faults the buffer in,
 *	back to XNACK off everything accessible is mapped again without
 *	faults.
 *
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
#include "svm_buf.h"
#include "svm_gpu.h"
#include "vamdgpu.h"

#define MAX_GPUS	8
#define PATTERN		0x5a5aa5a5u

static size_t page_size;

struct mode {
	struct vamdgpu_gpu *gpu;
	bool xnack;
};

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

/* A GPU write to @buf stops queue @q with a write fault at @buf. */
static void expect_write_fault(int fd, uint32_t q, const struct mode *m,
			       uint32_t *buf)
{
	struct drm_vamdgpu_cmd cmd = vamdgpu_cmd_write((uintptr_t)buf, 9, 4);
	struct drm_vamdgpu_queue_status st;
	uint64_t seqno = vamdgpu_submit(fd, q, &cmd, 1);

	igt_assert_eq(__vamdgpu_wait(fd, q, seqno, VAMDGPU_WAIT_TIMEOUT_NS), -EIO);
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.fault_addr == (uintptr_t)buf &&
		     (st.fault_flags & VAMDGPU_FAULT_WRITE),
		     "%s: expected a write fault at %p, got 0x%" PRIx64 " flags 0x%x\n",
		     m->gpu->name, (void *)buf, (uint64_t)st.fault_addr,
		     st.fault_flags);
}

static void test_fill(const struct mode *m)
{
	size_t size = 64 * page_size;
	int fd = open_mode(m);
	uint32_t *buf = svm_map(size), q;
	struct drm_vamdgpu_cmd cmd;

	memset(buf, 0, size);
	give_access(fd, m, buf, size);
	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_fill((uintptr_t)buf, size, PATTERN);
	exec_cmds(fd, q, &cmd, 1, m->gpu->name);
	svm_check_fill(buf, size, PATTERN, m->gpu->name);
	vamdgpu_queue_destroy(fd, q);
	munmap(buf, size);
	close(fd);
}

static void test_copy(const struct mode *m)
{
	size_t size = 32 * page_size;
	int fd = open_mode(m);
	uint8_t *src = svm_map(size), *dst = svm_map(size);
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

static void test_mprotect(const struct mode *m)
{
	size_t size = 8 * page_size;
	int fd = open_mode(m);
	uint32_t *buf = svm_map(size), *dst = svm_map(size), q;
	struct drm_vamdgpu_cmd cmd;

	for (size_t i = 0; i < size / 4; i++)
		buf[i] = 3;
	give_access(fd, m, buf, size);
	give_access(fd, m, dst, size);
	igt_assert_eq(mprotect(buf, size, PROT_READ), 0);

	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_copy((uintptr_t)dst, (uintptr_t)buf, size);
	exec_cmds(fd, q, &cmd, 1, "GPU read of read-only memory");
	svm_check_fill(dst, size, 3, "GPU copy of read-only memory");

	expect_write_fault(fd, q, m, buf);
	igt_assert_eq_u32(buf[0], 3);
	vamdgpu_queue_destroy(fd, q);
	munmap(buf, size);
	munmap(dst, size);
	close(fd);
}

/*
 * The range is made while its 64 KiB are one writable VMA; the mprotect
 * splits it. Found again from its read-only head, it must not be mapped
 * read-only as a whole: with XNACK off the GPU's write to the writable
 * tail would be a VM fault the user cannot recover from.
 */
static void test_mprotect_head(const struct mode *m)
{
	size_t chunk = 65536, head = 4 * page_size;
	int fd = open_mode(m);
	char *map = svm_map(3 * chunk);
	uint32_t *buf = (uint32_t *)(((uintptr_t)map + chunk - 1) & ~(chunk - 1)), q;
	uint32_t *tail = buf + chunk / 8;
	struct drm_vamdgpu_cmd cmd;

	for (size_t i = 0; i < chunk / 4; i++)
		buf[i] = 3;
	give_access(fd, m, buf, chunk);
	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_write((uintptr_t)tail, 5, 4);
	exec_cmds(fd, q, &cmd, 1, "GPU write before the mprotect");
	igt_assert_eq_u32(*tail, 5);

	igt_assert_eq(mprotect(buf, head, PROT_READ), 0);
	cmd = vamdgpu_cmd_write((uintptr_t)tail, 9, 4);
	exec_cmds(fd, q, &cmd, 1,
		  "GPU write to the writable tail of a range whose head was made read-only");
	igt_assert_eq_u32(*tail, 9);

	expect_write_fault(fd, q, m, buf);
	igt_assert_eq_u32(buf[0], 3);
	vamdgpu_queue_destroy(fd, q);
	munmap(map, 3 * chunk);
	close(fd);
}

/*
 * The reads make one 4 KiB range per page while the VMAs are single pages;
 * once they merge again, those ranges must not keep the next pass at one
 * retry fault per page (the 2 MiB fill took 60 faults, and a stress run on
 * a KASAN kernel timed out on this).
 */
static void test_mprotect_fragments(const struct mode *m)
{
	size_t chunk = 2 << 20, pieces = 64, span = pieces * page_size;
	struct drm_vamdgpu_queue_status before, after;
	struct drm_vamdgpu_cmd cmd;
	uint32_t *buf, *dst, q;
	char *map;
	int fd;

	igt_require_f(m->xnack, "XNACK off maps from SET_ATTR: no retry fault to count\n");
	fd = open_mode(m);
	map = svm_map(2 * chunk);
	buf = (uint32_t *)(((uintptr_t)map + chunk - 1) & ~(chunk - 1));
	dst = svm_map(span);
	memset(buf, 0, chunk);
	for (size_t i = 0; i < pieces; i += 2)
		igt_assert_eq(mprotect((char *)buf + i * page_size, page_size,
				       PROT_READ), 0);

	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_copy((uintptr_t)dst, (uintptr_t)buf, span);
	exec_cmds(fd, q, &cmd, 1, "GPU read of a buffer cut into single-page VMAs");
	igt_assert_eq(mprotect(buf, span, PROT_READ | PROT_WRITE), 0);

	vamdgpu_queue_status(fd, q, &before);
	cmd = vamdgpu_cmd_fill((uintptr_t)buf, chunk, PATTERN);
	exec_cmds(fd, q, &cmd, 1, "GPU fill after the mprotect() was undone");
	vamdgpu_queue_status(fd, q, &after);
	svm_check_fill(buf, chunk, PATTERN, m->gpu->name);
	igt_info("%s: fill of 2 MiB after %zu single-page VMAs merged: %u retry faults\n",
		 m->gpu->name, pieces, after.retry_fault_count - before.retry_fault_count);
	igt_assert_f(after.retry_fault_count - before.retry_fault_count <= 2,
		     "%s: the fill took %u retry faults: the ranges made while the VMAs were single pages were not merged\n",
		     m->gpu->name, after.retry_fault_count - before.retry_fault_count);

	vamdgpu_queue_destroy(fd, q);
	munmap(dst, span);
	munmap(map, 2 * chunk);
	close(fd);
}

/*
 * Each would overwrite the other's PTEs, and an invalidation of one would
 * clear the other's: amdgpu refuses a GEM VA over SVM memory and SVM over
 * a GEM VA, and the virtual GPU's MAP_USERPTR stands in for the GEM VA.
 */
static void test_userptr_exclusive(const struct mode *m)
{
	size_t size = 16 * page_size;
	struct drm_amdgpu_svm_attribute attr = {
		AMDGPU_SVM_ATTR_ACCESS, m->gpu->info.gpu_id
	};
	char *svm = svm_map(size), *mapped = svm_map(size), *mem = svm_map(size);
	int fd = open_mode(m), ret;

	memset(mem, 1, size);
	give_access(fd, m, svm, size);
	ret = __vamdgpu_map_userptr(fd, (uintptr_t)svm + page_size, page_size,
				    mem, 0);
	igt_assert_f(ret == -EADDRINUSE,
		     "%s: MAP_USERPTR over memory with SVM attributes returned %d, expected %d\n",
		     m->gpu->name, ret, -EADDRINUSE);

	vamdgpu_map_userptr(fd, (uintptr_t)mapped, size, mem, 0);
	ret = __svm_set_attr(fd, (uintptr_t)mapped + size / 2, page_size,
			     &attr, 1);
	igt_assert_f(ret == -EADDRINUSE,
		     "%s: SET_ATTR over a MAP_USERPTR mapping returned %d, expected %d\n",
		     m->gpu->name, ret, -EADDRINUSE);
	vamdgpu_unmap(fd, (uintptr_t)mapped, size, 0);
	ret = __svm_set_attr(fd, (uintptr_t)mapped, size, &attr, 1);
	igt_assert_f(ret == 0,
		     "%s: SET_ATTR once the MAP_USERPTR mapping is gone returned %d\n",
		     m->gpu->name, ret);

	close(fd);
	munmap(svm, size);
	munmap(mapped, size);
	munmap(mem, size);
}

static void test_always_mapped(const struct mode *m)
{
	size_t size = 16 * page_size;
	int fd = open_mode(m);
	uint32_t *buf = svm_map(size), q;
	struct drm_vamdgpu_queue_status st;
	struct drm_vamdgpu_cmd cmd;

	igt_require_f(m->xnack, "XNACK off maps everything from SET_ATTR\n");
	memset(buf, 0, size);
	svm_set_one(fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_SET_FLAGS,
		    AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED);
	q = vamdgpu_queue_create(fd);
	cmd = vamdgpu_cmd_fill((uintptr_t)buf, size, PATTERN);
	exec_cmds(fd, q, &cmd, 1, "fill of an always-mapped span");
	svm_check_fill(buf, size, PATTERN, "always-mapped span");
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
	uint32_t *buf = svm_map(size), q;
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

static void busy_then_close(const struct mode *m)
{
	size_t size = 4ul << 20;
	int fd = open_mode(m);
	char *buf = svm_map_aligned(size, 2 << 20);
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
		char *buf = svm_map_aligned(size, 2 << 20);
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

static void fill_and_count(int fd, uint32_t *buf, size_t size, uint32_t v,
			   uint32_t *faults)
{
	struct drm_vamdgpu_queue_status st;
	struct drm_vamdgpu_cmd cmd = vamdgpu_cmd_fill((uintptr_t)buf, size, v);
	uint32_t q = vamdgpu_queue_create(fd);

	exec_cmds(fd, q, &cmd, 1, "fill");
	svm_check_fill(buf, size, v, "fill");
	vamdgpu_queue_status(fd, q, &st);
	*faults = st.retry_fault_count;
	vamdgpu_queue_destroy(fd, q);
}

static void test_xnack_switch(struct vamdgpu_gpu *gpu)
{
	size_t size = 16 * page_size;
	uint32_t *buf = svm_map(size), faults;
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

static void test_second_fd(const struct mode *m)
{
	size_t size = 32 * page_size;
	int first = open_mode(m), second;
	uint8_t *src = svm_map(size), *dst = svm_map(size);
	struct drm_vamdgpu_cmd cmd;
	uint32_t q;

	svm_pattern_fill(src, size, 17);
	memset(dst, 0, size);
	give_access(first, m, src, size);
	give_access(first, m, dst, size);
	/* Joins the process's SVM after the attributes were set. */
	second = open_mode(m);
	q = vamdgpu_queue_create(second);
	cmd = vamdgpu_cmd_copy((uintptr_t)dst, (uintptr_t)src, size);
	exec_cmds(second, q, &cmd, 1, "copy by a queue of the second fd");
	svm_pattern_check(dst, size, 17, 0, "copy by the second fd's queue");
	vamdgpu_queue_destroy(second, q);
	close(second);
	munmap(src, size);
	munmap(dst, size);
	close(first);
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
	{ "mprotect-read-only", test_mprotect,
	  "After mprotect(PROT_READ) the GPU still reads the buffer but a GPU write is a fault: the mapping follows the CPU permission." },
	{ "mprotect-head-read-only", test_mprotect_head,
	  "mprotect(PROT_READ) of the first pages of a mapped 64 KiB range: the GPU still writes the rest of it without a fault (the range is rebuilt inside each VMA, never mapped read-only over writable memory), and a write to the read-only head faults." },
	{ "mprotect-fragments-refault", test_mprotect_fragments,
	  "XNACK on: the GPU reads a buffer while mprotect() has cut it into single-page VMAs, and the mprotect() is undone; the GPU's next pass over the 2 MiB buffer faults it in by chunks (at most two retry faults), not page by page." },
	{ "userptr-svm-exclusive", test_userptr_exclusive,
	  "One owner per GPU virtual address: MAP_USERPTR (the virtual GPU's own buffer mapping, as a GEM VA on amdgpu) over memory with SVM attributes fails with EADDRINUSE, SET_ATTR over a MAP_USERPTR mapping fails with EADDRINUSE, and succeeds once it is unmapped." },
	{ "always-mapped-no-fault", test_always_mapped,
	  "XNACK on: a span with GPU_ALWAYS_MAPPED is mapped by SET_ATTR, so the GPU accesses it without a single retry fault; the same span without the flag is mapped by faults." },
	{ "no-access-vm-fault", test_no_access,
	  "XNACK off: a GPU write to memory the GPU has no access to stops the queue with a VM fault naming the address." },
	{ "second-fd-mapped", test_second_fd,
	  "The process opens the GPU a second time after giving it access to a buffer through the first fd: a queue of the second fd reads and writes the buffer without a VM fault (XNACK off maps the joining context as the attributes say, XNACK on faults it in)." },
	{ "teardown-busy", test_teardown,
	  "Closing the fd with a queue running over SVM memory and an unmap still pending in the garbage collector, and a child exiting in the same state, leave no leak, no hang and no kernel report." },
};

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
					if (!svm_xnack_wanted(x))
						continue;
					igt_dynamic_f("%s-xnack-%s", gpus[g].name,
						      x ? "on" : "off")
						subtests[t].fn(&m);
				}
			}
		}
	}

	igt_describe("Switching XNACK off -> on -> off with SVM attributes in place (no queue alive): with XNACK on the GPU faults the buffer in, back to XNACK off everything accessible is mapped again without faults.");
	igt_subtest_with_dynamic("xnack-switch") {
		for (int g = 0; g < ngpus; g++)
			if (gpus[g].info.flags & VAMDGPU_INFO_XNACK_CAPABLE)
				igt_dynamic_f("%s", gpus[g].name)
					test_xnack_switch(&gpus[g]);
	}

	igt_fixture()
		vamdgpu_gpus_close(gpus, ngpus);
}
