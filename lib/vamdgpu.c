// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "vamdgpu.h"

/**
 * __vamdgpu_info() - query what a virtual GPU is
 * @fd: an open vamdgpu render node
 * @info: filled in; its pad must be zero on entry (it is cleared here)
 *
 * Return: 0, or -errno from DRM_IOCTL_VAMDGPU_INFO.
 */
int __vamdgpu_info(int fd, struct drm_vamdgpu_info *info)
{
	memset(info, 0, sizeof(*info));
	if (drmIoctl(fd, DRM_IOCTL_VAMDGPU_INFO, info))
		return -errno;
	return 0;
}

/**
 * vamdgpu_info() - query what a virtual GPU is, failing the test on error
 * @fd: an open vamdgpu render node
 * @info: filled in
 */
void vamdgpu_info(int fd, struct drm_vamdgpu_info *info)
{
	igt_assert_eq(__vamdgpu_info(fd, info), 0);
}

/**
 * __vamdgpu_set_xnack() - set or query the XNACK mode of this process
 * @fd: an open vamdgpu render node
 * @xnack_enabled: in: 0 off, 1 on, negative query; out: the mode in force
 *
 * Return: 0, or -errno from DRM_IOCTL_VAMDGPU_SET_XNACK.
 */
int __vamdgpu_set_xnack(int fd, int *xnack_enabled)
{
	struct drm_vamdgpu_set_xnack args = { .xnack_enabled = *xnack_enabled };

	if (drmIoctl(fd, DRM_IOCTL_VAMDGPU_SET_XNACK, &args))
		return -errno;
	*xnack_enabled = args.xnack_enabled;
	return 0;
}

/**
 * vamdgpu_set_xnack() - put the process in an XNACK mode, failing the test
 * on error
 * @fd: an open vamdgpu render node
 * @enable: XNACK on
 *
 * Asks for the mode only when it differs from the one in force: like KFD,
 * the driver refuses any SET_XNACK while the process has a queue, even to
 * the mode in force.
 */
void vamdgpu_set_xnack(int fd, bool enable)
{
	int mode = enable;

	if (vamdgpu_xnack_enabled(fd) == enable)
		return;
	igt_assert_eq(__vamdgpu_set_xnack(fd, &mode), 0);
	igt_assert_eq(mode, enable);
}

/**
 * vamdgpu_xnack_enabled() - the XNACK mode of this process
 * @fd: an open vamdgpu render node
 *
 * Return: true when XNACK is on.
 */
bool vamdgpu_xnack_enabled(int fd)
{
	int mode = -1;

	igt_assert_eq(__vamdgpu_set_xnack(fd, &mode), 0);
	return mode;
}

/**
 * __vamdgpu_vm_op() - DRM_IOCTL_VAMDGPU_VM_OP
 * @fd: an open vamdgpu render node
 * @op: the operation
 *
 * Return: 0 or -errno.
 */
int __vamdgpu_vm_op(int fd, struct drm_vamdgpu_vm_op *op)
{
	if (drmIoctl(fd, DRM_IOCTL_VAMDGPU_VM_OP, op))
		return -errno;
	return 0;
}

/**
 * __vamdgpu_map_userptr() - map user memory at a GPU VA by hand
 * @fd: an open vamdgpu render node
 * @va: GPU VA
 * @size: bytes
 * @ptr: the memory
 * @flags: VAMDGPU_VM_MAP_* / VAMDGPU_VM_SKIP_TLB_FLUSH
 *
 * Return: 0 or -errno.
 */
int __vamdgpu_map_userptr(int fd, uint64_t va, uint64_t size, void *ptr,
			  uint32_t flags)
{
	struct drm_vamdgpu_vm_op op = {
		.op = VAMDGPU_VM_OP_MAP_USERPTR,
		.flags = flags,
		.va = va,
		.size = size,
		.userptr = (uintptr_t)ptr,
	};

	return __vamdgpu_vm_op(fd, &op);
}

void vamdgpu_map_userptr(int fd, uint64_t va, uint64_t size, void *ptr,
			 uint32_t flags)
{
	igt_assert_eq(__vamdgpu_map_userptr(fd, va, size, ptr, flags), 0);
}

/**
 * __vamdgpu_unmap() - remove a hand mapping
 * @fd: an open vamdgpu render node
 * @va: GPU VA the mapping starts at
 * @size: its size
 * @flags: 0 or VAMDGPU_VM_SKIP_TLB_FLUSH
 *
 * Return: 0 or -errno.
 */
int __vamdgpu_unmap(int fd, uint64_t va, uint64_t size, uint32_t flags)
{
	struct drm_vamdgpu_vm_op op = {
		.op = VAMDGPU_VM_OP_UNMAP,
		.flags = flags,
		.va = va,
		.size = size,
	};

	return __vamdgpu_vm_op(fd, &op);
}

void vamdgpu_unmap(int fd, uint64_t va, uint64_t size, uint32_t flags)
{
	igt_assert_eq(__vamdgpu_unmap(fd, va, size, flags), 0);
}

static void vamdgpu_simple_op(int fd, uint32_t op_type)
{
	struct drm_vamdgpu_vm_op op = { .op = op_type };

	igt_assert_eq(__vamdgpu_vm_op(fd, &op), 0);
}

/** vamdgpu_flush_tlb() - flush the GPU TLB of this process @fd: render node */
void vamdgpu_flush_tlb(int fd)
{
	vamdgpu_simple_op(fd, VAMDGPU_VM_OP_FLUSH_TLB);
}

/** vamdgpu_quiesce() - quiesce every queue of this process @fd: render node */
void vamdgpu_quiesce(int fd)
{
	vamdgpu_simple_op(fd, VAMDGPU_VM_OP_QUIESCE);
}

/** vamdgpu_resume() - undo one vamdgpu_quiesce() @fd: render node */
void vamdgpu_resume(int fd)
{
	vamdgpu_simple_op(fd, VAMDGPU_VM_OP_RESUME);
}

/**
 * __vamdgpu_queue_create() - create a queue
 * @fd: an open vamdgpu render node
 * @flags: VAMDGPU_QUEUE_FENCED or 0
 * @queue_id: out: its id
 *
 * Return: 0 or -errno.
 */
int __vamdgpu_queue_create(int fd, uint32_t flags, uint32_t *queue_id)
{
	struct drm_vamdgpu_queue_create args = { .flags = flags };

	if (drmIoctl(fd, DRM_IOCTL_VAMDGPU_QUEUE_CREATE, &args))
		return -errno;
	*queue_id = args.queue_id;
	return 0;
}

uint32_t vamdgpu_queue_create(int fd)
{
	uint32_t id = 0;

	igt_assert_eq(__vamdgpu_queue_create(fd, 0, &id), 0);
	return id;
}

/**
 * __vamdgpu_queue_destroy() - destroy a queue
 * @fd: an open vamdgpu render node
 * @queue_id: the queue
 *
 * Return: 0 or -errno.
 */
int __vamdgpu_queue_destroy(int fd, uint32_t queue_id)
{
	struct drm_vamdgpu_queue_destroy args = { .queue_id = queue_id };

	if (drmIoctl(fd, DRM_IOCTL_VAMDGPU_QUEUE_DESTROY, &args))
		return -errno;
	return 0;
}

void vamdgpu_queue_destroy(int fd, uint32_t queue_id)
{
	igt_assert_eq(__vamdgpu_queue_destroy(fd, queue_id), 0);
}

/**
 * __vamdgpu_submit() - queue commands
 * @fd: an open vamdgpu render node
 * @queue_id: the queue
 * @cmds: the commands
 * @num_cmds: how many
 * @seqno: out: completion seqno
 *
 * Return: 0 or -errno.
 */
int __vamdgpu_submit(int fd, uint32_t queue_id,
		     const struct drm_vamdgpu_cmd *cmds, uint32_t num_cmds,
		     uint64_t *seqno)
{
	struct drm_vamdgpu_submit args = {
		.queue_id = queue_id,
		.num_cmds = num_cmds,
		.cmds = (uintptr_t)cmds,
	};

	if (drmIoctl(fd, DRM_IOCTL_VAMDGPU_SUBMIT, &args))
		return -errno;
	*seqno = args.seqno;
	return 0;
}

uint64_t vamdgpu_submit(int fd, uint32_t queue_id,
			const struct drm_vamdgpu_cmd *cmds, uint32_t num_cmds)
{
	uint64_t seqno = 0;

	igt_assert_eq(__vamdgpu_submit(fd, queue_id, cmds, num_cmds, &seqno), 0);
	return seqno;
}

/**
 * __vamdgpu_wait() - wait for a submission
 * @fd: an open vamdgpu render node
 * @queue_id: the queue
 * @seqno: from vamdgpu_submit()
 * @timeout_ns: relative timeout
 *
 * Return: 0 or -errno (-ETIME on timeout, -EIO after a VM fault).
 */
int __vamdgpu_wait(int fd, uint32_t queue_id, uint64_t seqno,
		   int64_t timeout_ns)
{
	struct drm_vamdgpu_wait args = {
		.queue_id = queue_id,
		.seqno = seqno,
		.timeout_ns = timeout_ns,
	};

	if (drmIoctl(fd, DRM_IOCTL_VAMDGPU_WAIT, &args))
		return -errno;
	return 0;
}

void vamdgpu_wait(int fd, uint32_t queue_id, uint64_t seqno)
{
	int ret = __vamdgpu_wait(fd, queue_id, seqno, VAMDGPU_WAIT_TIMEOUT_NS);

	igt_assert_f(ret == 0, "queue %u: waiting for seqno %llu: %s\n",
		     queue_id, (unsigned long long)seqno, strerror(-ret));
}

/**
 * vamdgpu_exec() - submit commands and wait for them, failing on error
 * @fd: an open vamdgpu render node
 * @queue_id: the queue
 * @cmds: the commands
 * @num_cmds: how many
 */
void vamdgpu_exec(int fd, uint32_t queue_id,
		  const struct drm_vamdgpu_cmd *cmds, uint32_t num_cmds)
{
	vamdgpu_wait(fd, queue_id, vamdgpu_submit(fd, queue_id, cmds, num_cmds));
}

/**
 * __vamdgpu_queue_status() - state and counters of a queue
 * @fd: an open vamdgpu render node
 * @queue_id: the queue
 * @status: filled in
 *
 * Return: 0 or -errno.
 */
int __vamdgpu_queue_status(int fd, uint32_t queue_id,
			   struct drm_vamdgpu_queue_status *status)
{
	memset(status, 0, sizeof(*status));
	status->queue_id = queue_id;
	if (drmIoctl(fd, DRM_IOCTL_VAMDGPU_QUEUE_STATUS, status))
		return -errno;
	return 0;
}

void vamdgpu_queue_status(int fd, uint32_t queue_id,
			  struct drm_vamdgpu_queue_status *status)
{
	igt_assert_eq(__vamdgpu_queue_status(fd, queue_id, status), 0);
}

struct drm_vamdgpu_cmd vamdgpu_cmd_read(uint64_t src, uint64_t size)
{
	return (struct drm_vamdgpu_cmd){ .op = VAMDGPU_CMD_READ, .src = src, .size = size };
}

struct drm_vamdgpu_cmd vamdgpu_cmd_write(uint64_t dst, uint64_t value,
					 uint64_t size)
{
	return (struct drm_vamdgpu_cmd){
		.op = VAMDGPU_CMD_WRITE, .dst = dst, .size = size, .value = value,
	};
}

struct drm_vamdgpu_cmd vamdgpu_cmd_fill(uint64_t dst, uint64_t size,
					uint32_t pattern)
{
	return (struct drm_vamdgpu_cmd){
		.op = VAMDGPU_CMD_FILL, .dst = dst, .size = size, .value = pattern,
	};
}

struct drm_vamdgpu_cmd vamdgpu_cmd_copy(uint64_t dst, uint64_t src,
					uint64_t size)
{
	return (struct drm_vamdgpu_cmd){
		.op = VAMDGPU_CMD_COPY, .dst = dst, .src = src, .size = size,
	};
}

struct drm_vamdgpu_cmd vamdgpu_cmd_atomic_add(uint64_t dst, uint64_t value)
{
	return (struct drm_vamdgpu_cmd){
		.op = VAMDGPU_CMD_ATOMIC_ADD, .dst = dst, .size = 8, .value = value,
	};
}

struct drm_vamdgpu_cmd vamdgpu_cmd_fence(uint64_t dst, uint64_t value)
{
	return (struct drm_vamdgpu_cmd){
		.op = VAMDGPU_CMD_FENCE, .dst = dst, .size = 8, .value = value,
	};
}

/**
 * vamdgpu_queue_state_name() - a queue state for messages
 * @state: VAMDGPU_QUEUE_STATE_*
 *
 * Return: its name.
 */
const char *vamdgpu_queue_state_name(uint32_t state)
{
	switch (state) {
	case VAMDGPU_QUEUE_STATE_ACTIVE:
		return "active";
	case VAMDGPU_QUEUE_STATE_QUIESCED:
		return "quiesced";
	case VAMDGPU_QUEUE_STATE_ERROR:
		return "error";
	case VAMDGPU_QUEUE_STATE_LOST:
		return "lost";
	default:
		return "unknown";
	}
}

/**
 * vamdgpu_gpus_open() - open every virtual GPU, in instance order
 * @gpus: filled in
 * @max: entries at @gpus
 *
 * Return: how many were opened (0 when vamdgpu is not loaded).
 */
int vamdgpu_gpus_open(struct vamdgpu_gpu *gpus, int max)
{
	int fds[DRM_RENDER_NODES_MAX];
	int n, i;

	n = drm_render_nodes_open_all("vamdgpu", fds,
				      max < DRM_RENDER_NODES_MAX ? max : DRM_RENDER_NODES_MAX);
	igt_require_f(n >= 0, "cannot read /dev/dri: %s\n", strerror(-n));
	for (i = 0; i < n; i++) {
		gpus[i].fd = fds[i];
		vamdgpu_info(fds[i], &gpus[i].info);
		snprintf(gpus[i].name, sizeof(gpus[i].name), "gpu%u-%.*s",
			 gpus[i].info.instance, VAMDGPU_GFX_TARGET_LEN,
			 gpus[i].info.gfx_target);
	}
	return n;
}

/**
 * vamdgpu_debugfs_open() - open a file of a virtual GPU's debugfs directory
 * @instance: the vamdgpu instance
 * @file: the file's name
 * @mode: as for fopen()
 *
 * The test skips when the file cannot be opened (debugfs not mounted, not
 * root, a kernel without the file).
 *
 * Return: the stream.
 */
FILE *vamdgpu_debugfs_open(int instance, const char *file, const char *mode)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/vamdgpu.%d/%s",
		 instance, file);
	f = fopen(path, mode);
	igt_require_f(f, "%s: %m (debugfs mounted? kernel too old?)\n", path);
	return f;
}

/**
 * __vamdgpu_lose_page_tables() - wipe the page table of every VM of a
 * virtual GPU, as a GPU reset that lost VRAM does (debugfs
 * vamdgpu_lose_page_tables): every queue on the GPU is lost, each VM
 * rebuilds at its next submission
 * @instance: the vamdgpu instance
 * @vms: set to how many VMs lost their page table
 *
 * Asserts nothing, so threads may call it.
 *
 * Return: 0, -errno when debugfs cannot be read, -EPROTO when the file
 * said something unexpected.
 */
int __vamdgpu_lose_page_tables(int instance, unsigned int *vms)
{
	char path[128];
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/dri/vamdgpu.%d/vamdgpu_lose_page_tables",
		 instance);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "wiped the page tables of %u VMs", vms) != 1)
		ret = -EPROTO;
	fclose(f);
	return ret;
}

/**
 * vamdgpu_lose_page_tables() - __vamdgpu_lose_page_tables(), skipping
 * without debugfs and failing the test on an unexpected answer
 * @instance: the vamdgpu instance
 *
 * Return: how many VMs lost their page table.
 */
unsigned int vamdgpu_lose_page_tables(int instance)
{
	unsigned int n = 0;
	int ret = __vamdgpu_lose_page_tables(instance, &n);

	igt_require_f(ret != -ENOENT && ret != -EACCES,
		      "vamdgpu.%d: no debugfs vamdgpu_lose_page_tables: %s (debugfs mounted? kernel too old?)\n",
		      instance, strerror(-ret));
	igt_assert_f(ret == 0, "vamdgpu.%d: vamdgpu_lose_page_tables: %s\n",
		     instance, strerror(-ret));
	return n;
}

/**
 * vamdgpu_gpus_close() - close what vamdgpu_gpus_open() opened
 * @gpus: the GPUs
 * @count: how many
 */
void vamdgpu_gpus_close(struct vamdgpu_gpu *gpus, int count)
{
	for (int i = 0; i < count; i++)
		close(gpus[i].fd);
}

/**
 * vamdgpu_reopen() - open the same GPU again: a new process context
 * (VM, queues, XNACK mode) on it
 * @fd: an open vamdgpu render node
 *
 * Return: the new fd; the test fails if it cannot be opened.
 */
int vamdgpu_reopen(int fd)
{
	char path[64];
	int nfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_RDWR | O_CLOEXEC);
	igt_assert_f(nfd >= 0, "reopening fd %d: %m\n", fd);
	return nfd;
}

/**
 * vamdgpu_gpu_xnack_capable() - can the GPU run with XNACK on
 * @gpu: the GPU
 *
 * Return: true for gfx943, false for gfx1100.
 */
bool vamdgpu_gpu_xnack_capable(const struct vamdgpu_gpu *gpu)
{
	return gpu->info.flags & VAMDGPU_INFO_XNACK_CAPABLE;
}
