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
 *	keeps only that mode, as ROCm's runtime does. Commands go through
 *	lib/svm_gpu (the virtual GPU's queues, or SDMA on amdgpu); fault
 *	addresses and retry-fault counts are checked where the GPU reports
 *	them (the virtual GPU), and the subtests that need them skip
 *	elsewhere.
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
 * Description: A GPU write to memory the GPU has no access to stops the
 *	queue with a VM fault naming the address, and the memory keeps its
 *	data; with XNACK on the fault handler refuses the retry fault (on
 *	amdgpu neither the dummy page nor KFD's own SVM may serve it).
 *
 * SUBTEST: prot-none-no-quiesce
 * Description: XNACK off: SET_ATTR over a span that ends 32 KiB into a
 *	PROT_NONE hole of a mapped buffer quiesces nothing: the hole is
 *	left unmapped, never mapped through a range that reaches past the
 *	span (whose drop would hand the rest to the restore worker, the
 *	queue stopped until it ran). The GPU then writes the buffer outside
 *	the hole.
 *
 * SUBTEST: teardown-busy
 * Description: Closing the fd with a queue running over SVM memory and an
 *	unmap still pending in the garbage collector, and a child exiting
 *	in the same state, leave no leak (the core's debugfs list of
 *	processes lets go of both), no hang and no kernel report.
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
#include "svm_held.h"
#include "vamdgpu.h"

#define PATTERN		0x5a5aa5a5u

static size_t page_size;

struct mode {
	struct svm_gpu *gpu;
	bool xnack;
};

static void give_access(struct svm_ctx *ctx, void *buf, size_t size)
{
	/* XNACK on: default access is enough; say it anyway, it must not map. */
	svm_give_access(ctx, buf, size);
}

static void exec_cmd(struct svm_queue *q, struct svm_gpu_cmd cmd,
		     const char *what)
{
	svm_queue_exec(q, &cmd, 1, what);
}

/*
 * The GPU's access to @addr stops queue @q: its wait fails with EIO, and
 * where the GPU reports faults, the fault is at @addr (a write if @write).
 */
static void expect_fault(struct svm_queue *q, struct svm_gpu_cmd cmd,
			 uint64_t addr, bool write)
{
	const char *name = q->ctx->gpu->name;
	struct svm_queue_counters c;
	int ret;

	ret = __svm_queue_wait(q, svm_queue_submit(q, &cmd, 1),
			       SVM_GPU_TIMEOUT_NS);
	igt_assert_f(ret == -EIO, "%s: expected a VM fault at 0x%" PRIx64 ", the wait returned %d\n",
		     name, addr, ret);
	if (!svm_queue_has_counters(q))
		return;
	svm_queue_counters(q, &c);
	igt_assert_f(c.failed && c.fault_addr == addr &&
		     (!write || c.fault_write),
		     "%s: expected a %s fault at 0x%" PRIx64 ", got %s at 0x%" PRIx64 " (%s)\n",
		     name, write ? "write" : "VM", addr,
		     c.failed ? "a fault" : "no fault", c.fault_addr,
		     c.fault_write ? "write" : "read");
	/* XNACK on: the fault handler was asked, and refused. */
	igt_assert_f(c.fault_unresolved == q->ctx->xnack,
		     "%s: XNACK %s: the fault at 0x%" PRIx64 " %s the fault handler\n",
		     name, q->ctx->xnack ? "on" : "off", addr,
		     c.fault_unresolved ? "went through" : "never went through");
}

/* Retry faults @q's GPU resolved so far. */
static uint32_t retry_faults(struct svm_queue *q)
{
	struct svm_queue_counters c;

	svm_queue_counters(q, &c);
	return c.retry_faults;
}

static void test_fill(const struct mode *m)
{
	size_t size = 64 * page_size;
	uint32_t *buf = svm_map(size);
	struct svm_queue q;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	memset(buf, 0, size);
	give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	exec_cmd(&q, svm_cmd_fill((uintptr_t)buf, size, PATTERN), m->gpu->name);
	svm_check_fill(buf, size, PATTERN, m->gpu->name);
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static void test_copy(const struct mode *m)
{
	size_t size = 32 * page_size;
	uint8_t *src = svm_map(size), *dst = svm_map(size);
	struct svm_queue q;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	for (size_t i = 0; i < size; i++)
		src[i] = i * 7 + 3;
	memset(dst, 0, size);
	give_access(&ctx, src, size);
	give_access(&ctx, dst, size);
	svm_queue_create(&ctx, &q);
	exec_cmd(&q, svm_cmd_copy((uintptr_t)dst, (uintptr_t)src, size),
		 "GPU copy");
	for (size_t i = 0; i < size; i++)
		igt_assert_f(dst[i] == src[i],
			     "%s: copy at offset 0x%zx: expected 0x%02x, got 0x%02x\n",
			     m->gpu->name, i, src[i], dst[i]);
	svm_queue_destroy(&q);
	munmap(src, size);
	munmap(dst, size);
	svm_ctx_close(&ctx);
}

static void test_mprotect(const struct mode *m)
{
	size_t size = 8 * page_size;
	uint32_t *buf = svm_map(size), *dst = svm_map(size);
	struct svm_queue q;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	for (size_t i = 0; i < size / 4; i++)
		buf[i] = 3;
	give_access(&ctx, buf, size);
	give_access(&ctx, dst, size);
	igt_assert_eq(mprotect(buf, size, PROT_READ), 0);

	svm_queue_create(&ctx, &q);
	exec_cmd(&q, svm_cmd_copy((uintptr_t)dst, (uintptr_t)buf, size),
		 "GPU read of read-only memory");
	svm_check_fill(dst, size, 3, "GPU copy of read-only memory");

	expect_fault(&q, svm_cmd_write((uintptr_t)buf, 9, 4), (uintptr_t)buf,
		     true);
	igt_assert_eq_u32(buf[0], 3);
	svm_queue_destroy(&q);
	munmap(buf, size);
	munmap(dst, size);
	svm_ctx_close(&ctx);
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
	char *map = svm_map(3 * chunk);
	uint32_t *buf = (uint32_t *)(((uintptr_t)map + chunk - 1) & ~(chunk - 1));
	uint32_t *tail = buf + chunk / 8;
	struct svm_queue q;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	for (size_t i = 0; i < chunk / 4; i++)
		buf[i] = 3;
	give_access(&ctx, buf, chunk);
	svm_queue_create(&ctx, &q);
	exec_cmd(&q, svm_cmd_write((uintptr_t)tail, 5, 4),
		 "GPU write before the mprotect");
	igt_assert_eq_u32(*tail, 5);

	igt_assert_eq(mprotect(buf, head, PROT_READ), 0);
	exec_cmd(&q, svm_cmd_write((uintptr_t)tail, 9, 4),
		 "GPU write to the writable tail of a range whose head was made read-only");
	igt_assert_eq_u32(*tail, 9);

	expect_fault(&q, svm_cmd_write((uintptr_t)buf, 9, 4), (uintptr_t)buf,
		     true);
	igt_assert_eq_u32(buf[0], 3);
	svm_queue_destroy(&q);
	munmap(map, 3 * chunk);
	svm_ctx_close(&ctx);
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
	uint32_t *buf, *dst, before, faults;
	struct svm_queue q;
	struct svm_ctx ctx;
	char *map;

	igt_require_f(m->xnack, "XNACK off maps from SET_ATTR: no retry fault to count\n");
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_queue_create(&ctx, &q);
	svm_queue_require_counters(&q);
	map = svm_map(2 * chunk);
	buf = (uint32_t *)(((uintptr_t)map + chunk - 1) & ~(chunk - 1));
	dst = svm_map(span);
	memset(buf, 0, chunk);
	for (size_t i = 0; i < pieces; i += 2)
		igt_assert_eq(mprotect((char *)buf + i * page_size, page_size,
				       PROT_READ), 0);

	exec_cmd(&q, svm_cmd_copy((uintptr_t)dst, (uintptr_t)buf, span),
		 "GPU read of a buffer cut into single-page VMAs");
	igt_assert_eq(mprotect(buf, span, PROT_READ | PROT_WRITE), 0);

	before = retry_faults(&q);
	exec_cmd(&q, svm_cmd_fill((uintptr_t)buf, chunk, PATTERN),
		 "GPU fill after the mprotect() was undone");
	faults = retry_faults(&q) - before;
	svm_check_fill(buf, chunk, PATTERN, m->gpu->name);
	igt_info("%s: fill of 2 MiB after %zu single-page VMAs merged: %u retry faults\n",
		 m->gpu->name, pieces, faults);
	igt_assert_f(faults <= 2,
		     "%s: the fill took %u retry faults: the ranges made while the VMAs were single pages were not merged\n",
		     m->gpu->name, faults);

	svm_queue_destroy(&q);
	munmap(dst, span);
	munmap(map, 2 * chunk);
	svm_ctx_close(&ctx);
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
		AMDGPU_SVM_ATTR_ACCESS, m->gpu->gpu_id
	};
	char *svm, *mapped, *mem;
	struct svm_ctx ctx;
	int ret;

	igt_require_f(m->gpu->is_virtual,
		      "%s: the subtest maps with the virtual GPU's MAP_USERPTR (amdgpu's GEM VA check is read by review)\n",
		      m->gpu->name);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm = svm_map(size);
	mapped = svm_map(size);
	mem = svm_map(size);
	memset(mem, 1, size);
	give_access(&ctx, svm, size);
	ret = __vamdgpu_map_userptr(ctx.fd, (uintptr_t)svm + page_size,
				    page_size, mem, 0);
	igt_assert_f(ret == -EADDRINUSE,
		     "%s: MAP_USERPTR over memory with SVM attributes returned %d, expected %d\n",
		     m->gpu->name, ret, -EADDRINUSE);

	vamdgpu_map_userptr(ctx.fd, (uintptr_t)mapped, size, mem, 0);
	ret = __svm_set_attr(ctx.fd, (uintptr_t)mapped + size / 2, page_size,
			     &attr, 1);
	igt_assert_f(ret == -EADDRINUSE,
		     "%s: SET_ATTR over a MAP_USERPTR mapping returned %d, expected %d\n",
		     m->gpu->name, ret, -EADDRINUSE);
	vamdgpu_unmap(ctx.fd, (uintptr_t)mapped, size, 0);
	ret = __svm_set_attr(ctx.fd, (uintptr_t)mapped, size, &attr, 1);
	igt_assert_f(ret == 0,
		     "%s: SET_ATTR once the MAP_USERPTR mapping is gone returned %d\n",
		     m->gpu->name, ret);

	svm_ctx_close(&ctx);
	munmap(svm, size);
	munmap(mapped, size);
	munmap(mem, size);
}

static void test_always_mapped(const struct mode *m)
{
	size_t size = 16 * page_size;
	uint32_t *buf, faults;
	struct svm_gpu_cmd cmd;
	struct svm_queue q;
	struct svm_ctx ctx;

	igt_require_f(m->xnack, "XNACK off maps everything from SET_ATTR\n");
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_queue_create(&ctx, &q);
	svm_queue_require_counters(&q);
	buf = svm_map(size);
	memset(buf, 0, size);
	svm_set_one(ctx.fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_SET_FLAGS,
		    AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED);
	cmd = svm_cmd_fill((uintptr_t)buf, size, PATTERN);
	exec_cmd(&q, cmd, "fill of an always-mapped span");
	svm_check_fill(buf, size, PATTERN, "always-mapped span");
	faults = retry_faults(&q);
	igt_assert_f(faults == 0,
		     "%s: always-mapped span: expected no retry fault, got %u\n",
		     m->gpu->name, faults);

	svm_set_one(ctx.fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_CLR_FLAGS,
		    AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED);
	igt_assert_eq(madvise(buf, size, MADV_DONTNEED), 0);
	exec_cmd(&q, cmd, "fill after clearing the flag");
	igt_assert_f(retry_faults(&q) > 0,
		     "%s: without GPU_ALWAYS_MAPPED the refill should fault\n",
		     m->gpu->name);
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static void test_no_access(const struct mode *m)
{
	size_t size = 4 * page_size;
	uint32_t *buf = svm_map(size);
	uint64_t addr = (uintptr_t)buf + page_size;
	struct svm_queue q;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	memset(buf, 0, size);
	svm_set_one(ctx.fd, (uintptr_t)buf, size, AMDGPU_SVM_ATTR_NO_ACCESS,
		    m->gpu->gpu_id);
	svm_queue_create(&ctx, &q);
	expect_fault(&q, svm_cmd_write(addr, 7, 4), addr, true);
	igt_assert_eq_u32(buf[page_size / 4], 0);
	svm_queue_destroy(&q);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

/*
 * The context closes with the queue's work in flight (its kernel objects
 * go with the file; on amdgpu, libdrm's state of the queue is dropped
 * unfreed, a few hundred bytes).
 */
static void busy_then_close(const struct mode *m)
{
	size_t size = 4ul << 20;
	char *buf = svm_map_aligned(size, 2 << 20);
	struct svm_gpu_cmd cmds[8];
	struct svm_queue q;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	memset(buf, 0, size);
	give_access(&ctx, buf, size);
	svm_queue_create(&ctx, &q);
	for (int i = 0; i < 8; i++)
		cmds[i] = svm_cmd_fill((uintptr_t)buf, size, i);
	svm_queue_submit(&q, cmds, 8);
	/* Queue the GC (and with XNACK off a restore) and leave at once. */
	munmap(buf + size / 2, page_size);
	madvise(buf, size / 2, MADV_DONTNEED);
	svm_ctx_close(&ctx);
	munmap(buf, size);
}

static void test_teardown(const struct mode *m)
{
	struct svm_held held = {};
	unsigned int contexts;
	pid_t *child;

	svm_held_require();
	child = mmap(NULL, sizeof(*child), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	igt_assert(child != MAP_FAILED);
	contexts = svm_held_of(getpid(), &held) ? held.contexts : 0;

	busy_then_close(m);
	igt_assert_f(svm_held_contexts(getpid(), contexts),
		     "%s: the context closed busy is still held 10 s later\n",
		     m->gpu->name);

	igt_fork(i, 1) {
		size_t size = 2ul << 20;
		char *buf = svm_map_aligned(size, 2 << 20);
		struct svm_gpu_cmd cmd = svm_cmd_fill((uintptr_t)buf, size, 1);
		struct svm_queue q;
		struct svm_ctx ctx;

		*child = getpid();
		svm_ctx_open(m->gpu, m->xnack, &ctx);
		give_access(&ctx, buf, size);
		svm_queue_create(&ctx, &q);
		svm_queue_submit(&q, &cmd, 1);
		munmap(buf, page_size);
		/* Exits with the queue busy and the unmap pending. */
	}
	igt_waitchildren();
	igt_assert_f(svm_held_contexts(*child, 0),
		     "%s: the SVM state of child %d, which exited busy, is still held 10 s later\n",
		     m->gpu->name, *child);
	munmap(child, sizeof(*child));
}

/* A fill through a new queue of @ctx, checked; its retry faults. */
static uint32_t fill_and_count(struct svm_ctx *ctx, uint32_t *buf,
			       size_t size, uint32_t v)
{
	struct svm_queue q;
	uint32_t faults;

	svm_queue_create(ctx, &q);
	exec_cmd(&q, svm_cmd_fill((uintptr_t)buf, size, v), "fill");
	svm_check_fill(buf, size, v, "fill");
	faults = retry_faults(&q);
	svm_queue_destroy(&q);
	return faults;
}

static void test_xnack_switch(struct svm_gpu *gpu)
{
	size_t size = 16 * page_size;
	struct svm_ctx ctx;
	uint32_t *buf;
	int mode, ret;

	igt_require_f(gpu->is_virtual,
		      "%s: amdgpu's XNACK mode is the module's (noretry), a process cannot switch it\n",
		      gpu->name);
	svm_ctx_open(gpu, false, &ctx);
	buf = svm_map(size);
	svm_give_access(&ctx, buf, size);
	igt_assert_eq_u32(fill_and_count(&ctx, buf, size, 1), 0);

	mode = true;
	ret = __vamdgpu_set_xnack(ctx.fd, &mode);
	igt_require_f(ret != -EOPNOTSUPP,
		      "%s: another GPU of the process cannot retry faults\n",
		      gpu->name);
	igt_assert_eq(ret, 0);
	ctx.xnack = true;
	igt_assert_f(fill_and_count(&ctx, buf, size, 2) > 0,
		     "XNACK on: expected the GPU to fault the buffer in\n");
	igt_assert_eq_u32(svm_get_access(ctx.fd, (uintptr_t)buf, size, gpu->gpu_id),
			  AMDGPU_SVM_ATTR_ACCESS);

	vamdgpu_set_xnack(ctx.fd, false);
	ctx.xnack = false;
	igt_assert_eq_u32(fill_and_count(&ctx, buf, size, 3), 0);
	munmap(buf, size);
	svm_ctx_close(&ctx);
}

static void test_second_fd(const struct mode *m)
{
	size_t size = 32 * page_size;
	uint8_t *src = svm_map(size), *dst = svm_map(size);
	struct svm_ctx first, second;
	struct svm_queue q;

	igt_require_f(m->gpu->is_virtual,
		      "%s: libdrm_amdgpu keeps one device per GPU and process: no second context to open\n",
		      m->gpu->name);
	svm_ctx_open(m->gpu, m->xnack, &first);
	svm_pattern_fill(src, size, 17);
	memset(dst, 0, size);
	give_access(&first, src, size);
	give_access(&first, dst, size);
	/* Joins the process's SVM after the attributes were set. */
	svm_ctx_open(m->gpu, m->xnack, &second);
	svm_queue_create(&second, &q);
	exec_cmd(&q, svm_cmd_copy((uintptr_t)dst, (uintptr_t)src, size),
		 "copy by a queue of the second fd");
	svm_pattern_check(dst, size, 17, 0, "copy by the second fd's queue");
	svm_queue_destroy(&q);
	svm_ctx_close(&second);
	munmap(src, size);
	munmap(dst, size);
	svm_ctx_close(&first);
}

/*
 * PROT_NONE memory is left unmapped by the mapping walk: mapping a
 * read-only range there would fail, and dropping it, since it reaches as
 * far as the attributes allow, past the span of the call, would quiesce
 * the context until the restore worker had been over the rest.
 */
static void test_prot_none(const struct mode *m)
{
	size_t chunk = 2 << 20, hole = 1 << 20, hole_size = 256 << 10;
	struct svm_queue_counters before, after;
	char *map = svm_map(2 * chunk);
	uint32_t *buf = (uint32_t *)(((uintptr_t)map + chunk - 1) & ~(chunk - 1));
	struct svm_queue q;
	struct svm_ctx ctx;

	igt_require_f(!m->xnack, "XNACK off only: XNACK on never quiesces\n");
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_queue_create(&ctx, &q);
	svm_queue_require_counters(&q);
	memset(buf, 0, chunk);
	igt_assert_eq(mprotect((char *)buf + hole, hole_size, PROT_NONE), 0);
	give_access(&ctx, buf, chunk);
	exec_cmd(&q, svm_cmd_write((uintptr_t)buf, 1, 4), "GPU write before");

	svm_queue_counters(&q, &before);
	give_access(&ctx, buf, hole + (32 << 10));
	/* A restore the call handed on would run a jiffy later. */
	usleep(200 * 1000);
	exec_cmd(&q, svm_cmd_write((uintptr_t)buf, 2, 4),
		 "GPU write after SET_ATTR into the hole");
	svm_queue_counters(&q, &after);
	igt_assert_eq_u32(buf[0], 2);
	igt_assert_f(after.quiesce_count == before.quiesce_count,
		     "%s: SET_ATTR ending inside a PROT_NONE hole quiesced the queue %u times\n",
		     m->gpu->name, after.quiesce_count - before.quiesce_count);
	svm_queue_destroy(&q);
	munmap(map, 2 * chunk);
	svm_ctx_close(&ctx);
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
	  "A GPU write to memory the GPU has no access to stops the queue with a VM fault naming the address, and the memory keeps its data; with XNACK on the fault handler refuses the retry fault (on amdgpu neither the dummy page nor KFD's own SVM may serve it)." },
	{ "second-fd-mapped", test_second_fd,
	  "The process opens the GPU a second time after giving it access to a buffer through the first fd: a queue of the second fd reads and writes the buffer without a VM fault (XNACK off maps the joining context as the attributes say, XNACK on faults it in)." },
	{ "prot-none-no-quiesce", test_prot_none,
	  "XNACK off: SET_ATTR over a span ending 32 KiB into a PROT_NONE hole of a mapped buffer quiesces nothing (the hole is left unmapped, never mapped through a range reaching past the span), and the GPU writes the buffer outside the hole." },
	{ "teardown-busy", test_teardown,
	  "Closing the fd with a queue running over SVM memory and an unmap still pending in the garbage collector, and a child exiting in the same state, leave no leak (the core's debugfs list of processes lets go of both), no hang and no kernel report." },
};

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture() {
		page_size = sysconf(_SC_PAGESIZE);
		ngpus = svm_gpus_require(gpus);
	}

	for (unsigned int t = 0; t < ARRAY_SIZE(subtests); t++) {
		igt_describe(subtests[t].desc);
		igt_subtest_with_dynamic(subtests[t].name) {
			igt_dynamic_svm_modes(gpus, ngpus, g, x) {
				struct mode m = { &gpus[g], x };

				subtests[t].fn(&m);
			}
		}
	}

	igt_describe("Switching XNACK off -> on -> off with SVM attributes in place (no queue alive): with XNACK on the GPU faults the buffer in, back to XNACK off everything accessible is mapped again without faults.");
	igt_subtest_with_dynamic("xnack-switch") {
		for (int g = 0; g < ngpus; g++)
			if (gpus[g].xnack_capable)
				igt_dynamic_f("%s", gpus[g].name)
					test_xnack_switch(&gpus[g]);
	}

	igt_fixture()
		svm_gpus_close(gpus, ngpus);
}
