// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/*
 * The virtual GPU behind struct svm_gpu_backend: its INFO ioctl says what
 * it is, a context is a reopened render node with its XNACK mode set, and
 * commands map one to one onto vamdgpu queue commands.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_evict.h"
#include "svm_gpu.h"
#include "vamdgpu.h"

static int vamdgpu_backend_probe(struct svm_gpu *gpu)
{
	struct drm_vamdgpu_info info;
	int ret = __vamdgpu_info(gpu->fd, &info);

	if (ret)
		return ret;
	snprintf(gpu->gfx_target, sizeof(gpu->gfx_target), "%.*s",
		 VAMDGPU_GFX_TARGET_LEN, info.gfx_target);
	gpu->gpu_id = info.gpu_id;
	gpu->xnack_capable = info.flags & VAMDGPU_INFO_XNACK_CAPABLE;
	gpu->is_virtual = true;
	gpu->instance = info.instance;
	gpu->vram_size = info.vram_size;
	return 0;
}

static int vamdgpu_backend_ctx_open(struct svm_ctx *ctx)
{
	static char join_page[4096] __attribute__((aligned(4096)));
	struct drm_amdgpu_svm_attribute join_attr = {
		.type = AMDGPU_SVM_ATTR_GRANULARITY,
	};
	char path[64];
	int mode = -1, ret;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", ctx->gpu->fd);
	ctx->fd = open(path, O_RDWR | O_CLOEXEC);
	if (ctx->fd < 0)
		return -errno;
	/*
	 * The mode is the process's, and SET_XNACK is refused while it has
	 * a queue, even to the mode in force (as KFD): ask only for a change.
	 */
	ret = __vamdgpu_set_xnack(ctx->fd, &mode);
	if (!ret && mode != ctx->xnack) {
		mode = ctx->xnack;
		ret = __vamdgpu_set_xnack(ctx->fd, &mode);
	}
	/*
	 * vamdgpu creates the SVM context at the file's first SVM call, and
	 * only while it has no queue: make that call now, so that queues may
	 * come first and other GPUs of the process know this one's gpu_id.
	 */
	if (!ret)
		ret = __svm_get_attr(ctx->fd, (uintptr_t)&join_page, sizeof(join_page),
				     &join_attr, 1);
	if (ret) {
		close(ctx->fd);
		ctx->fd = -1;
	}
	return ret;
}

static void vamdgpu_backend_ctx_close(struct svm_ctx *ctx)
{
	close(ctx->fd);
}

static int vamdgpu_backend_queue_create(struct svm_queue *q)
{
	return __vamdgpu_queue_create(q->ctx->fd,
				      q->fenced ? VAMDGPU_QUEUE_FENCED : 0,
				      &q->id);
}

static void vamdgpu_backend_queue_destroy(struct svm_queue *q)
{
	vamdgpu_queue_destroy(q->ctx->fd, q->id);
}

static struct drm_vamdgpu_cmd vamdgpu_backend_cmd(const struct svm_gpu_cmd *c)
{
	switch (c->op) {
	case SVM_GPU_READ:
		return vamdgpu_cmd_read(c->src, c->size);
	case SVM_GPU_WRITE:
		return vamdgpu_cmd_write(c->dst, c->value, c->size);
	case SVM_GPU_FILL:
		return vamdgpu_cmd_fill(c->dst, c->size, c->value);
	case SVM_GPU_COPY:
		return vamdgpu_cmd_copy(c->dst, c->src, c->size);
	case SVM_GPU_ATOMIC_ADD:
		return vamdgpu_cmd_atomic_add(c->dst, c->value);
	}
	igt_assert_f(0, "unknown GPU command %d\n", c->op);
	return (struct drm_vamdgpu_cmd){};
}

/* Commands @c becomes: fills and copies above VAMDGPU_CMD_MAX_SIZE split. */
static unsigned int vamdgpu_backend_pieces(const struct svm_gpu_cmd *c)
{
	if ((c->op != SVM_GPU_FILL && c->op != SVM_GPU_COPY) ||
	    c->size <= VAMDGPU_CMD_MAX_SIZE)
		return 1;
	return (c->size + VAMDGPU_CMD_MAX_SIZE - 1) / VAMDGPU_CMD_MAX_SIZE;
}

/*
 * A fill or copy above VAMDGPU_CMD_MAX_SIZE goes as several commands, as
 * amdgpu's backend cuts one into SDMA packets: the queue runs them in
 * order, to the effect of the one.
 */
static int vamdgpu_backend_submit(struct svm_queue *q,
				  const struct svm_gpu_cmd *cmds,
				  unsigned int n, uint64_t *seqno)
{
	struct drm_vamdgpu_cmd *vcmds;
	unsigned int count = 0;
	int ret;

	if (n == 0)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		count += vamdgpu_backend_pieces(&cmds[i]);
	if (count > VAMDGPU_SUBMIT_MAX_CMDS)
		return -E2BIG;
	vcmds = calloc(count, sizeof(*vcmds));
	if (!vcmds)
		return -ENOMEM;
	count = 0;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int pieces = vamdgpu_backend_pieces(&cmds[i]);

		for (unsigned int p = 0; p < pieces; p++) {
			struct svm_gpu_cmd piece = cmds[i];
			uint64_t off = (uint64_t)p * VAMDGPU_CMD_MAX_SIZE;

			if (pieces > 1) {
				piece.size = cmds[i].size - off < VAMDGPU_CMD_MAX_SIZE ?
					     cmds[i].size - off : VAMDGPU_CMD_MAX_SIZE;
				piece.dst += off;
				if (piece.op == SVM_GPU_COPY)
					piece.src += off;
			}
			vcmds[count++] = vamdgpu_backend_cmd(&piece);
		}
	}
	ret = __vamdgpu_submit(q->ctx->fd, q->id, vcmds, count, seqno);
	free(vcmds);
	return ret;
}

static int vamdgpu_backend_wait(struct svm_queue *q, uint64_t seqno,
				int64_t timeout_ns)
{
	return __vamdgpu_wait(q->ctx->fd, q->id, seqno, timeout_ns);
}

static int vamdgpu_backend_read_result(struct svm_queue *q, uint64_t *value)
{
	struct drm_vamdgpu_queue_status st;
	int ret = __vamdgpu_queue_status(q->ctx->fd, q->id, &st);

	*value = st.read_value;
	return ret;
}

static int vamdgpu_backend_counters(struct svm_queue *q,
				    struct svm_queue_counters *c)
{
	struct drm_vamdgpu_queue_status st;
	int ret = __vamdgpu_queue_status(q->ctx->fd, q->id, &st);

	if (ret)
		return ret;
	*c = (struct svm_queue_counters){
		.quiesced = st.state == VAMDGPU_QUEUE_STATE_QUIESCED,
		.failed = st.state == VAMDGPU_QUEUE_STATE_ERROR,
		.lost = st.state == VAMDGPU_QUEUE_STATE_LOST,
		.fault_addr = st.fault_addr,
		.fault_write = st.fault_flags & VAMDGPU_FAULT_WRITE,
		.fault_permission = st.fault_flags & VAMDGPU_FAULT_PERMISSION,
		.fault_unresolved = st.fault_flags & VAMDGPU_FAULT_RETRY_FAILED,
		.fault_stale = st.fault_flags & VAMDGPU_FAULT_STALE_PTE,
		.quiesce_count = st.quiesce_count,
		.resume_count = st.resume_count,
		.retry_faults = st.retry_fault_count,
		.vm_faults = st.vm_fault_count,
	};
	return 0;
}

/* The "used" line of the GPU's debugfs file vamdgpu_vram. */
static int vamdgpu_backend_vram_used(const struct svm_gpu *gpu,
				     uint64_t *bytes)
{
	char path[128], line[128];
	int ret = -ENODATA;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/dri/vamdgpu.%d/vamdgpu_vram", gpu->instance);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "used %" SCNu64, bytes) == 1) {
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

/*
 * The virtual GPU's debugfs eviction offers every VRAM block to its owner;
 * it says how many, not whether they went: *result is 0 once it ran. Never
 * fails the test, so stress threads may call it.
 */
static int vamdgpu_backend_evict_vram(const struct svm_gpu *gpu, int *result)
{
	char path[128], line[64];
	unsigned int blocks;
	int ret = -ENODATA;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/dri/vamdgpu.%d/vamdgpu_evict_vram",
		 gpu->instance);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fgets(line, sizeof(line), f) &&
	    sscanf(line, "evicted %u blocks", &blocks) == 1) {
		*result = 0;
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* Through debugfs: never fails the test, so stress threads may call it. */
static int vamdgpu_backend_lose_page_tables(const struct svm_gpu *gpu,
					    unsigned int *vms)
{
	return __vamdgpu_lose_page_tables(gpu->instance, vms);
}

const struct svm_gpu_backend svm_gpu_backend_vamdgpu = {
	.driver = "vamdgpu",
	.probe = vamdgpu_backend_probe,
	.ctx_open = vamdgpu_backend_ctx_open,
	.ctx_close = vamdgpu_backend_ctx_close,
	.queue_create = vamdgpu_backend_queue_create,
	.queue_destroy = vamdgpu_backend_queue_destroy,
	.submit = vamdgpu_backend_submit,
	.wait = vamdgpu_backend_wait,
	.read_result = vamdgpu_backend_read_result,
	.counters = vamdgpu_backend_counters,
	.vram_used = vamdgpu_backend_vram_used,
	.evict_vram = vamdgpu_backend_evict_vram,
	.lose_page_tables = vamdgpu_backend_lose_page_tables,
};
