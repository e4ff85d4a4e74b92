// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: vamdgpu bad input
 * Category: Infrastructure
 * Mega feature: SVM
 * Sub-category: Virtual GPU
 * Functionality: ioctl argument validation
 * Description: Every ioctl of the virtual GPU refuses bad handles, sizes,
 *	addresses, flags, pointers and queue misuse with the errno its UAPI
 *	documents, and keeps working afterwards.
 *
 * SUBTEST: set-xnack
 * Description: SET_XNACK refuses a mode above 1 and a non-zero pad with
 *	EINVAL; a negative mode only queries.
 *
 * SUBTEST: vm-op
 * Description: VM_OP refuses unknown ops and flags, unaligned, empty,
 *	wrapping, out-of-range and oversized spans, unpinnable memory,
 *	overlapping mappings, unmaps of spans that are not a mapping and a
 *	resume without quiesce, each with its documented errno.
 *
 * SUBTEST: queue-create-destroy
 * Description: QUEUE_CREATE refuses unknown flags and a queue beyond the
 *	per-process limit (ENOSPC); QUEUE_DESTROY refuses unknown or already
 *	destroyed queues (ENOENT) and a non-zero pad.
 *
 * SUBTEST: submit
 * Description: SUBMIT refuses an unknown queue (ENOENT), no commands,
 *	one valid command more than the limit (the limit itself runs) and
 *	each malformed command (EINVAL), an unreadable command array
 *	(EFAULT), a non-zero pad, and a submission beyond the queue's
 *	pending limit (EBUSY, accepted again once work completes).
 *
 * SUBTEST: wait-and-status
 * Description: WAIT refuses seqno 0, a seqno never submitted, a negative
 *	timeout and a non-zero pad (EINVAL) and unknown queues (ENOENT);
 *	QUEUE_STATUS refuses unknown queues and a non-zero pad.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "vamdgpu.h"

#define PAGE	4096ull
#define VA	0x400000000ull
/* More queues than any GPU allows (info.max_queues). */
#define VAMDGPU_MAX_QUEUES_LIMIT	64

static int ioctl_errno(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

#define assert_errno(gpu, what, got, want) \
	igt_assert_f((got) == (want), "%s: %s: expected %d (%s), got %d (%s)\n", \
		     (gpu)->name, (what), (want), strerror(-(want)), (got), \
		     strerror(-(got)))

static void test_set_xnack(const struct vamdgpu_gpu *gpu)
{
	int fd = vamdgpu_reopen(gpu->fd);
	struct drm_vamdgpu_set_xnack args = { .xnack_enabled = 2 };

	assert_errno(gpu, "xnack_enabled 2",
		     ioctl_errno(fd, DRM_IOCTL_VAMDGPU_SET_XNACK, &args), -EINVAL);
	args = (struct drm_vamdgpu_set_xnack){ .xnack_enabled = 0, .pad = 1 };
	assert_errno(gpu, "non-zero pad",
		     ioctl_errno(fd, DRM_IOCTL_VAMDGPU_SET_XNACK, &args), -EINVAL);
	args = (struct drm_vamdgpu_set_xnack){ .xnack_enabled = -5 };
	assert_errno(gpu, "query", ioctl_errno(fd, DRM_IOCTL_VAMDGPU_SET_XNACK, &args), 0);
	igt_assert_eq(args.xnack_enabled, 0);
	close(fd);
}

static void test_vm_op(const struct vamdgpu_gpu *gpu)
{
	int fd = vamdgpu_reopen(gpu->fd);
	uint8_t *buf = aligned_alloc(PAGE, 4 * PAGE);
	void *hole;
	struct {
		const char *what;
		struct drm_vamdgpu_vm_op op;
		int err;
	} cases[] = {
		{ "unknown op", { .op = 99 }, -EINVAL },
		{ "unknown flag", { .op = VAMDGPU_VM_OP_MAP_USERPTR, .flags = 1u << 31,
				    .va = VA, .size = PAGE, .userptr = (uintptr_t)buf }, -EINVAL },
		{ "LAZY on unmap", { .op = VAMDGPU_VM_OP_UNMAP, .flags = VAMDGPU_VM_MAP_LAZY,
				     .va = VA, .size = PAGE }, -EINVAL },
		{ "unaligned va", { .op = VAMDGPU_VM_OP_MAP_USERPTR, .va = VA + 1,
				    .size = PAGE, .userptr = (uintptr_t)buf }, -EINVAL },
		{ "unaligned size", { .op = VAMDGPU_VM_OP_MAP_USERPTR, .va = VA,
				      .size = PAGE + 8, .userptr = (uintptr_t)buf }, -EINVAL },
		{ "unaligned userptr", { .op = VAMDGPU_VM_OP_MAP_USERPTR, .va = VA,
					 .size = PAGE, .userptr = (uintptr_t)buf + 8 }, -EINVAL },
		{ "NULL userptr", { .op = VAMDGPU_VM_OP_MAP_USERPTR, .va = VA,
				    .size = PAGE }, -EINVAL },
		{ "size 0", { .op = VAMDGPU_VM_OP_MAP_USERPTR, .va = VA,
			      .userptr = (uintptr_t)buf }, -EINVAL },
		{ "wrapping span", { .op = VAMDGPU_VM_OP_MAP_USERPTR, .va = -PAGE,
				     .size = 2 * PAGE, .userptr = (uintptr_t)buf }, -EINVAL },
		{ "beyond the VA limit", { .op = VAMDGPU_VM_OP_MAP_USERPTR,
					   .va = VAMDGPU_VA_LIMIT - PAGE, .size = 2 * PAGE,
					   .userptr = (uintptr_t)buf }, -EINVAL },
		{ "too big", { .op = VAMDGPU_VM_OP_MAP_USERPTR, .va = VA,
			       .size = VAMDGPU_VM_MAP_MAX_SIZE + PAGE,
			       .userptr = (uintptr_t)buf }, -E2BIG },
		{ "unmap of nothing", { .op = VAMDGPU_VM_OP_UNMAP, .va = VA + 64 * PAGE,
					.size = PAGE }, -ENOENT },
		{ "unmap with userptr", { .op = VAMDGPU_VM_OP_UNMAP, .va = VA, .size = PAGE,
					  .userptr = (uintptr_t)buf }, -EINVAL },
		{ "flush with a span", { .op = VAMDGPU_VM_OP_FLUSH_TLB, .va = VA }, -EINVAL },
		{ "quiesce with flags", { .op = VAMDGPU_VM_OP_QUIESCE, .flags = 1 }, -EINVAL },
		{ "resume without quiesce", { .op = VAMDGPU_VM_OP_RESUME }, -EINVAL },
	};

	igt_assert(buf);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_errno(gpu, cases[i].what, __vamdgpu_vm_op(fd, &cases[i].op),
			     cases[i].err);

	/* Memory that is not there cannot be pinned. */
	hole = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(hole != MAP_FAILED);
	munmap(hole, 2 * PAGE);
	assert_errno(gpu, "unmapped user memory",
		     __vamdgpu_map_userptr(fd, VA, 2 * PAGE, hole, 0), -EFAULT);

	/* Overlaps and partial unmaps. */
	vamdgpu_map_userptr(fd, VA, 2 * PAGE, buf, 0);
	assert_errno(gpu, "overlapping map",
		     __vamdgpu_map_userptr(fd, VA + PAGE, 2 * PAGE, buf, 0), -EEXIST);
	assert_errno(gpu, "partial unmap", __vamdgpu_unmap(fd, VA, PAGE, 0), -ENOENT);
	assert_errno(gpu, "unmap of a bigger span",
		     __vamdgpu_unmap(fd, VA, 4 * PAGE, 0), -ENOENT);
	vamdgpu_unmap(fd, VA, 2 * PAGE, 0);
	assert_errno(gpu, "second unmap", __vamdgpu_unmap(fd, VA, 2 * PAGE, 0), -ENOENT);

	/* Still works. */
	vamdgpu_map_userptr(fd, VA, 4 * PAGE, buf, 0);
	close(fd);
	free(buf);
}

static void test_queues(const struct vamdgpu_gpu *gpu)
{
	int fd = vamdgpu_reopen(gpu->fd);
	struct drm_vamdgpu_queue_create create = { .flags = ~VAMDGPU_QUEUE_FENCED };
	struct drm_vamdgpu_queue_destroy destroy = { .queue_id = 12345 };
	uint32_t ids[VAMDGPU_MAX_QUEUES_LIMIT];
	uint32_t n = gpu->info.max_queues, id;

	igt_assert(n > 0 && n <= VAMDGPU_MAX_QUEUES_LIMIT);
	assert_errno(gpu, "create with unknown flags",
		     ioctl_errno(fd, DRM_IOCTL_VAMDGPU_QUEUE_CREATE, &create), -EINVAL);
	for (uint32_t i = 0; i < n; i++)
		ids[i] = vamdgpu_queue_create(fd);
	assert_errno(gpu, "one queue too many", __vamdgpu_queue_create(fd, 0, &id), -ENOSPC);

	assert_errno(gpu, "destroy of an unknown queue",
		     ioctl_errno(fd, DRM_IOCTL_VAMDGPU_QUEUE_DESTROY, &destroy), -ENOENT);
	destroy = (struct drm_vamdgpu_queue_destroy){ .queue_id = ids[0], .pad = 1 };
	assert_errno(gpu, "destroy with non-zero pad",
		     ioctl_errno(fd, DRM_IOCTL_VAMDGPU_QUEUE_DESTROY, &destroy), -EINVAL);
	vamdgpu_queue_destroy(fd, ids[0]);
	assert_errno(gpu, "second destroy", __vamdgpu_queue_destroy(fd, ids[0]), -ENOENT);

	/* The freed slot is usable, with a new id. */
	id = vamdgpu_queue_create(fd);
	igt_assert_neq_u32(id, ids[0]);
	close(fd);
}

static void test_submit(const struct vamdgpu_gpu *gpu)
{
	int fd = vamdgpu_reopen(gpu->fd);
	uint32_t q = vamdgpu_queue_create(fd);
	struct drm_vamdgpu_cmd ok = vamdgpu_cmd_write(VA, 1, 8), *many;
	struct drm_vamdgpu_submit args;
	uint64_t seqno;
	struct {
		const char *what;
		struct drm_vamdgpu_cmd cmd;
	} bad[] = {
		{ "unknown op", { .op = 77, .dst = VA, .size = 8 } },
		{ "flags", { .op = VAMDGPU_CMD_WRITE, .flags = 1, .dst = VA, .size = 8 } },
		{ "size 0", { .op = VAMDGPU_CMD_FILL, .dst = VA } },
		{ "too big", { .op = VAMDGPU_CMD_FILL, .dst = VA,
			       .size = VAMDGPU_CMD_MAX_SIZE + 4 } },
		{ "write of 3 bytes", { .op = VAMDGPU_CMD_WRITE, .dst = VA, .size = 3 } },
		{ "write with src", { .op = VAMDGPU_CMD_WRITE, .dst = VA, .src = VA, .size = 8 } },
		{ "fill of 6 bytes", { .op = VAMDGPU_CMD_FILL, .dst = VA, .size = 6 } },
		{ "read of 6 bytes", { .op = VAMDGPU_CMD_READ, .src = VA, .size = 6 } },
		{ "read with dst", { .op = VAMDGPU_CMD_READ, .src = VA, .dst = VA, .size = 8 } },
		{ "copy with value", { .op = VAMDGPU_CMD_COPY, .src = VA, .dst = VA,
				       .size = 8, .value = 1 } },
		{ "wrapping copy", { .op = VAMDGPU_CMD_COPY, .src = -8ull, .dst = VA,
				     .size = 16 } },
		{ "wrapping fill", { .op = VAMDGPU_CMD_FILL, .dst = -8ull, .size = 16 } },
		{ "unaligned atomic", { .op = VAMDGPU_CMD_ATOMIC_ADD, .dst = VA + 4, .size = 8 } },
		{ "atomic of 4 bytes", { .op = VAMDGPU_CMD_ATOMIC_ADD, .dst = VA, .size = 4 } },
		{ "fence of 4 bytes", { .op = VAMDGPU_CMD_FENCE, .dst = VA, .size = 4 } },
	};

	assert_errno(gpu, "unknown queue", __vamdgpu_submit(fd, q + 100, &ok, 1, &seqno),
		     -ENOENT);
	assert_errno(gpu, "no commands", __vamdgpu_submit(fd, q, &ok, 0, &seqno), -EINVAL);
	/* Valid commands, one too many (the limit itself is run below). */
	many = calloc(VAMDGPU_SUBMIT_MAX_CMDS + 1, sizeof(*many));
	igt_assert(many);
	for (int i = 0; i <= VAMDGPU_SUBMIT_MAX_CMDS; i++)
		many[i] = ok;
	assert_errno(gpu, "too many commands",
		     __vamdgpu_submit(fd, q, many, VAMDGPU_SUBMIT_MAX_CMDS + 1, &seqno),
		     -EINVAL);
	assert_errno(gpu, "NULL commands", __vamdgpu_submit(fd, q, NULL, 1, &seqno), -EFAULT);
	assert_errno(gpu, "wild command pointer",
		     __vamdgpu_submit(fd, q, (void *)-4096l, 1, &seqno), -EFAULT);
	args = (struct drm_vamdgpu_submit){ .queue_id = q, .num_cmds = 1,
					    .cmds = (uintptr_t)&ok, .pad = 1 };
	assert_errno(gpu, "non-zero pad", ioctl_errno(fd, DRM_IOCTL_VAMDGPU_SUBMIT, &args),
		     -EINVAL);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct drm_vamdgpu_cmd cmds[2] = { ok, bad[i].cmd };

		assert_errno(gpu, bad[i].what, __vamdgpu_submit(fd, q, cmds, 2, &seqno),
			     -EINVAL);
	}

	/* Nothing was queued by the refused submissions. */
	{
		struct drm_vamdgpu_queue_status st;

		vamdgpu_queue_status(fd, q, &st);
		igt_assert_eq_u64(st.submitted_seqno, 0);
	}

	/* The ring is full after VAMDGPU_QUEUE_MAX_PENDING submissions. */
	{
		uint64_t *buf = aligned_alloc(PAGE, PAGE);

		igt_assert(buf);
		vamdgpu_map_userptr(fd, VA, PAGE, buf, 0);
		vamdgpu_quiesce(fd);
		for (int i = 0; i < VAMDGPU_QUEUE_MAX_PENDING; i++)
			seqno = vamdgpu_submit(fd, q, &ok, 1);
		assert_errno(gpu, "submission beyond the pending limit",
			     __vamdgpu_submit(fd, q, &ok, 1, &seqno), -EBUSY);
		vamdgpu_resume(fd);
		vamdgpu_wait(fd, q, seqno);
		vamdgpu_exec(fd, q, &ok, 1);
		vamdgpu_exec(fd, q, many, VAMDGPU_SUBMIT_MAX_CMDS);
		free(buf);
	}
	free(many);
	close(fd);
}

static void test_wait_status(const struct vamdgpu_gpu *gpu)
{
	int fd = vamdgpu_reopen(gpu->fd);
	uint64_t *buf = aligned_alloc(PAGE, PAGE);
	uint32_t q = vamdgpu_queue_create(fd);
	struct drm_vamdgpu_cmd cmd = vamdgpu_cmd_write(VA, 9, 8);
	struct drm_vamdgpu_wait wait;
	struct drm_vamdgpu_queue_status st = { .queue_id = q, .pad = 1 };
	uint64_t seqno;

	igt_assert(buf);
	vamdgpu_map_userptr(fd, VA, PAGE, buf, 0);
	seqno = vamdgpu_submit(fd, q, &cmd, 1);

	assert_errno(gpu, "seqno 0", __vamdgpu_wait(fd, q, 0, 0), -EINVAL);
	assert_errno(gpu, "seqno never submitted", __vamdgpu_wait(fd, q, seqno + 1, 0),
		     -EINVAL);
	assert_errno(gpu, "negative timeout", __vamdgpu_wait(fd, q, seqno, -1), -EINVAL);
	assert_errno(gpu, "unknown queue", __vamdgpu_wait(fd, q + 100, seqno, 0), -ENOENT);
	wait = (struct drm_vamdgpu_wait){ .queue_id = q, .seqno = seqno, .pad = 1 };
	assert_errno(gpu, "wait with non-zero pad",
		     ioctl_errno(fd, DRM_IOCTL_VAMDGPU_WAIT, &wait), -EINVAL);
	vamdgpu_wait(fd, q, seqno);
	igt_assert_eq_u64(*buf, 9);

	assert_errno(gpu, "status with non-zero pad",
		     ioctl_errno(fd, DRM_IOCTL_VAMDGPU_QUEUE_STATUS, &st), -EINVAL);
	assert_errno(gpu, "status of an unknown queue",
		     __vamdgpu_queue_status(fd, q + 100, &st), -ENOENT);
	close(fd);
	free(buf);
}

static const struct {
	const char *name;
	const char *describe;
	void (*run)(const struct vamdgpu_gpu *gpu);
} subtests[] = {
	{ "set-xnack", "SET_XNACK refuses a mode above 1 and a non-zero pad with EINVAL; a negative mode only queries.",
	  test_set_xnack },
	{ "vm-op", "VM_OP refuses unknown ops and flags, unaligned, empty, wrapping, out-of-range and oversized spans, unpinnable memory, overlapping mappings, unmaps of spans that are not a mapping and a resume without quiesce, each with its documented errno.",
	  test_vm_op },
	{ "queue-create-destroy", "QUEUE_CREATE refuses unknown flags and a queue beyond the per-process limit (ENOSPC); QUEUE_DESTROY refuses unknown or already destroyed queues (ENOENT) and a non-zero pad.",
	  test_queues },
	{ "submit", "SUBMIT refuses an unknown queue (ENOENT), no commands, one valid command more than the limit (the limit itself runs) and each malformed command (EINVAL), an unreadable command array (EFAULT), a non-zero pad, and a submission beyond the queue's pending limit (EBUSY, accepted again once work completes).",
	  test_submit },
	{ "wait-and-status", "WAIT refuses seqno 0, a seqno never submitted, a negative timeout and a non-zero pad (EINVAL) and unknown queues (ENOENT); QUEUE_STATUS refuses unknown queues and a non-zero pad.",
	  test_wait_status },
};

int igt_main()
{
	static struct vamdgpu_gpu gpus[DRM_RENDER_NODES_MAX];
	static int ngpus;

	igt_fixture() {
		ngpus = vamdgpu_gpus_open(gpus, DRM_RENDER_NODES_MAX);
		igt_require_f(ngpus > 0, "no vamdgpu render node\n");
	}

	for (size_t t = 0; t < sizeof(subtests) / sizeof(subtests[0]); t++) {
		igt_describe(subtests[t].describe);
		igt_subtest_with_dynamic(subtests[t].name) {
			for (int g = 0; g < ngpus; g++)
				igt_dynamic_f("%s", gpus[g].name)
					subtests[t].run(&gpus[g]);
		}
	}

	igt_fixture()
		vamdgpu_gpus_close(gpus, ngpus);
}
