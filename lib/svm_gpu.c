// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "drm_render_nodes.h"
#include "svm_gpu.h"

static const struct svm_gpu_backend *const svm_gpu_backends[] = {
	&svm_gpu_backend_vamdgpu,
	&svm_gpu_backend_amdgpu,
};

/**
 * svm_gpus_open() - discover every GPU that speaks the SVM ioctl
 * @gpus: filled in, virtual GPUs first, each kind in render-minor order
 * @max: entries at @gpus
 *
 * A render node counts when its driver has a backend here and the
 * backend's probe accepts it (gfx target, XNACK capability and gpu_id
 * known).
 *
 * Return: how many GPUs were found (0: none).
 */
int svm_gpus_open(struct svm_gpu *gpus, int max)
{
	int count = 0;

	for (unsigned int b = 0; b < ARRAY_SIZE(svm_gpu_backends); b++) {
		const struct svm_gpu_backend *backend = svm_gpu_backends[b];
		int fds[DRM_RENDER_NODES_MAX];
		int n = drm_render_nodes_open_all(backend->driver, fds,
						  DRM_RENDER_NODES_MAX);

		igt_require_f(n >= 0, "cannot read /dev/dri: %s\n", strerror(-n));
		for (int i = 0; i < n; i++) {
			struct svm_gpu *gpu = &gpus[count];

			if (count == max) {
				close(fds[i]);
				continue;
			}
			memset(gpu, 0, sizeof(*gpu));
			gpu->fd = fds[i];
			gpu->backend = backend;
			if (backend->probe(gpu)) {
				close(fds[i]);
				continue;
			}
			snprintf(gpu->name, sizeof(gpu->name), "gpu%d-%s",
				 gpu->instance, gpu->gfx_target);
			count++;
		}
	}
	return count;
}

/**
 * svm_gpus_require() - svm_gpus_open() for a test's first fixture: the
 * test skips when no GPU speaks the SVM ioctl
 * @gpus: SVM_GPUS_MAX entries, filled in
 *
 * Return: how many GPUs were found.
 */
int svm_gpus_require(struct svm_gpu *gpus)
{
	int n = svm_gpus_open(gpus, SVM_GPUS_MAX);

	igt_require_f(n > 0, "no GPU speaks the SVM ioctl\n");
	return n;
}

/**
 * svm_gpus_close() - close what svm_gpus_open() opened
 * @gpus: the GPUs
 * @count: how many
 */
void svm_gpus_close(struct svm_gpu *gpus, int count)
{
	for (int i = 0; i < count; i++)
		close(gpus[i].fd);
}

/**
 * svm_xnack_wanted() - does this run test XNACK mode @xnack
 * @xnack: the mode
 *
 * HSA_XNACK=0 or 1 in the environment keeps only that mode, as ROCm's
 * runtime does; unset, both modes are tested.
 *
 * Return: true when the mode is to be tested.
 */
bool svm_xnack_wanted(bool xnack)
{
	const char *env = getenv("HSA_XNACK");

	if (!env || !*env)
		return true;
	return (atoi(env) != 0) == xnack;
}

/**
 * svm_gpu_vram_used() - bytes of a GPU's VRAM allocated now
 * @gpu: the GPU
 *
 * Device-wide: other processes' VRAM counts too (on a lab machine, run
 * nothing else on the GPU). Skips the test when the GPU does not say.
 *
 * Return: the bytes in use.
 */
uint64_t svm_gpu_vram_used(const struct svm_gpu *gpu)
{
	uint64_t bytes = 0;
	int ret = gpu->backend->vram_used(gpu, &bytes);

	igt_require_f(ret == 0, "%s: VRAM use unknown: %s\n", gpu->name,
		      strerror(-ret));
	return bytes;
}

/**
 * svm_gpu_vram_used_settled() - a GPU's VRAM use once it has dropped to a
 * limit, or after 5 s
 * @gpu: the GPU
 * @limit: bytes
 *
 * Freed memory returns its VRAM once its last page is gone, which may lag
 * behind an munmap or a migration away (deferred BO destruction on amdgpu).
 *
 * Return: the bytes in use when it dropped to @limit, or at the deadline.
 */
uint64_t svm_gpu_vram_used_settled(const struct svm_gpu *gpu, uint64_t limit)
{
	uint64_t used;

	for (int i = 0; (used = svm_gpu_vram_used(gpu)) > limit && i < 500; i++)
		usleep(10000);
	return used;
}

/*
 * Contexts open now, by value: a failed subtest leaves its contexts open
 * (its stack is gone), and the process's SVM state with them, which would
 * fix the next subtest's XNACK mode. svm_ctxs_close_leaked() closes them.
 */
static struct svm_ctx open_ctxs[4 * SVM_GPUS_MAX];

static void ctx_register(const struct svm_ctx *ctx)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(open_ctxs); i++)
		if (!open_ctxs[i].gpu) {
			open_ctxs[i] = *ctx;
			return;
		}
	igt_assert_f(0, "more than %zu SVM contexts open\n",
		     ARRAY_SIZE(open_ctxs));
}

static void ctx_unregister(const struct svm_ctx *ctx)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(open_ctxs); i++)
		if (open_ctxs[i].gpu && open_ctxs[i].fd == ctx->fd)
			open_ctxs[i].gpu = NULL;
}

/**
 * svm_ctxs_close_leaked() - close every context a failed subtest left open
 *
 * Call at the start of each subtest case, so that one failure does not
 * fail the cases after it.
 */
void svm_ctxs_close_leaked(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(open_ctxs); i++) {
		struct svm_ctx *ctx = &open_ctxs[i];

		if (!ctx->gpu)
			continue;
		igt_debug("closing a context %s left open\n", ctx->gpu->name);
		ctx->gpu->backend->ctx_close(ctx);
		ctx->gpu = NULL;
	}
}

/**
 * __svm_ctx_open() - a new process context on a GPU in an XNACK mode
 * @gpu: the GPU
 * @xnack: XNACK on
 * @ctx: filled in
 *
 * The XNACK mode is set before the context's first SVM call; the context's
 * SVM state dies with svm_ctx_close().
 *
 * Return: 0, -EOPNOTSUPP when the GPU cannot run in @xnack mode, or -errno.
 */
int __svm_ctx_open(struct svm_gpu *gpu, bool xnack, struct svm_ctx *ctx)
{
	*ctx = (struct svm_ctx){ .gpu = gpu, .fd = -1, .xnack = xnack };
	int ret;

	if (xnack && !gpu->xnack_capable)
		return -EOPNOTSUPP;
	ret = gpu->backend->ctx_open(ctx);
	if (!ret)
		ctx_register(ctx);
	return ret;
}

/**
 * svm_ctx_open() - __svm_ctx_open(), skipping when the GPU cannot run the
 * mode and failing the test on any other error
 * @gpu: the GPU
 * @xnack: XNACK on
 * @ctx: filled in
 */
void svm_ctx_open(struct svm_gpu *gpu, bool xnack, struct svm_ctx *ctx)
{
	int ret = __svm_ctx_open(gpu, xnack, ctx);

	igt_require_f(ret != -EOPNOTSUPP, "%s cannot run with XNACK %s\n",
		      gpu->name, xnack ? "on" : "off");
	igt_assert_f(ret == 0, "%s: opening a context, XNACK %s: %s\n",
		     gpu->name, xnack ? "on" : "off", strerror(-ret));
}

/**
 * svm_ctx_close() - close a context: its queues and SVM state go with it
 * @ctx: the context
 */
void svm_ctx_close(struct svm_ctx *ctx)
{
	ctx_unregister(ctx);
	ctx->gpu->backend->ctx_close(ctx);
	ctx->fd = -1;
}

/**
 * svm_give_access() - let the context's GPU access memory (SET_ATTR
 * ACCESS): with XNACK off this maps it before returning
 * @ctx: the context
 * @p: page-aligned memory
 * @size: bytes
 */
void svm_give_access(struct svm_ctx *ctx, void *p, uint64_t size)
{
	svm_set_one(ctx->fd, (uintptr_t)p, size, AMDGPU_SVM_ATTR_ACCESS,
		    ctx->gpu->gpu_id);
}

/**
 * svm_fenced_queues_wanted() - do queues of a context in this mode get
 * created fenced
 * @xnack: the context's XNACK mode
 *
 * SVM_QUEUES=fenced: every queue of an XNACK-off context is fenced, so the
 * suite runs on the virtual GPU's model of command submission, the path
 * real amdgpu takes.
 *
 * Return: true if __svm_queue_create() makes fenced queues.
 */
bool svm_fenced_queues_wanted(bool xnack)
{
	const char *env = getenv("SVM_QUEUES");

	return env && !strcmp(env, "fenced") && !xnack;
}

/**
 * __svm_queue_create() - create a queue
 * @ctx: the context
 * @q: filled in
 *
 * A user queue, or a fenced one when SVM_QUEUES=fenced and @ctx runs with
 * XNACK off.
 *
 * Return: 0 or -errno.
 */
int __svm_queue_create(struct svm_ctx *ctx, struct svm_queue *q)
{
	*q = (struct svm_queue){ .ctx = ctx,
				 .fenced = svm_fenced_queues_wanted(ctx->xnack) };
	return ctx->gpu->backend->queue_create(q);
}

/**
 * svm_queue_create() - __svm_queue_create(), failing the test on error
 * @ctx: the context
 * @q: filled in
 */
void svm_queue_create(struct svm_ctx *ctx, struct svm_queue *q)
{
	int ret = __svm_queue_create(ctx, q);

	igt_assert_f(ret == 0, "%s: creating a queue: %s\n", ctx->gpu->name,
		     strerror(-ret));
}

/**
 * __svm_queue_create_fenced() - create a queue whose submissions have
 * dma-fences (&svm_queue.fenced)
 * @ctx: the context
 * @q: filled in
 *
 * Return: 0, or -errno: -EOPNOTSUPP on the virtual GPU with XNACK on.
 */
int __svm_queue_create_fenced(struct svm_ctx *ctx, struct svm_queue *q)
{
	*q = (struct svm_queue){ .ctx = ctx, .fenced = true };
	return ctx->gpu->backend->queue_create(q);
}

/**
 * svm_queue_destroy() - destroy a queue
 * @q: the queue
 */
void svm_queue_destroy(struct svm_queue *q)
{
	q->ctx->gpu->backend->queue_destroy(q);
}

/**
 * svm_queue_check_lost() - check that a page-table loss made a queue lost
 * @q: the queue, made lost by a loss of its GPU's page tables
 *
 * A lost queue must say so and refuse a submission with -ECANCELED, as
 * amdgpu refuses a context made before a reset that lost VRAM; the process
 * then makes a new one.
 */
void svm_queue_check_lost(struct svm_queue *q)
{
	struct svm_gpu_cmd cmd = svm_cmd_write(0, 0, 8);
	struct svm_queue_counters c;
	uint64_t seqno;
	int ret;

	svm_queue_counters(q, &c);
	igt_assert_f(c.lost, "%s: queue %u is not lost after its GPU lost its page tables\n",
		     q->ctx->gpu->name, q->id);
	ret = q->ctx->gpu->backend->submit(q, &cmd, 1, &seqno);
	igt_assert_f(ret == -ECANCELED,
		     "%s: a submission to a lost queue: %s, not Operation canceled\n",
		     q->ctx->gpu->name, ret ? strerror(-ret) : "accepted");
}

/**
 * svm_queue_submit() - queue commands, failing the test on error
 * @q: the queue
 * @cmds: the commands
 * @n: how many
 *
 * Return: the seqno that completes after them.
 */
uint64_t svm_queue_submit(struct svm_queue *q, const struct svm_gpu_cmd *cmds,
			  unsigned int n)
{
	uint64_t seqno = 0;
	int ret = q->ctx->gpu->backend->submit(q, cmds, n, &seqno);

	igt_assert_f(ret == 0, "%s: submitting %u commands: %s\n",
		     q->ctx->gpu->name, n, strerror(-ret));
	return seqno;
}

/**
 * __svm_queue_wait() - wait for a submission
 * @q: the queue
 * @seqno: from svm_queue_submit()
 * @timeout_ns: relative timeout
 *
 * Return: 0, -ETIME on timeout, -EIO when a VM fault stopped the queue.
 */
int __svm_queue_wait(struct svm_queue *q, uint64_t seqno, int64_t timeout_ns)
{
	return q->ctx->gpu->backend->wait(q, seqno, timeout_ns);
}

/**
 * svm_queue_wait() - wait for a submission; a timeout or VM fault fails
 * the test, naming the GPU, the mode and (where known) the fault address
 * @q: the queue
 * @seqno: from svm_queue_submit()
 * @what: what the commands were doing, for the message
 */
void svm_queue_wait(struct svm_queue *q, uint64_t seqno, const char *what)
{
	struct svm_queue_counters c;
	int ret = __svm_queue_wait(q, seqno, SVM_GPU_TIMEOUT_NS);

	if (ret == 0)
		return;
	if (q->ctx->gpu->backend->counters(q, &c) == 0 && c.failed)
		igt_assert_f(0, "%s, XNACK %s: %s: %s; VM fault at 0x%" PRIx64 " (%s)\n",
			     q->ctx->gpu->name, q->ctx->xnack ? "on" : "off",
			     what, strerror(-ret), c.fault_addr,
			     c.fault_write ? "write" : "read");
	igt_assert_f(0, "%s, XNACK %s: %s: %s\n", q->ctx->gpu->name,
		     q->ctx->xnack ? "on" : "off", what, strerror(-ret));
}

/**
 * svm_queue_exec() - submit commands and wait for them (see svm_queue_wait())
 * @q: the queue
 * @cmds: the commands
 * @n: how many
 * @what: what they do, for the message
 */
void svm_queue_exec(struct svm_queue *q, const struct svm_gpu_cmd *cmds,
		    unsigned int n, const char *what)
{
	svm_queue_wait(q, svm_queue_submit(q, cmds, n), what);
}

/**
 * svm_queue_read_result() - the 8 bytes the queue's last READ read
 * @q: the queue, idle
 *
 * Return: the value.
 */
uint64_t svm_queue_read_result(struct svm_queue *q)
{
	uint64_t value = 0;

	igt_assert_eq(q->ctx->gpu->backend->read_result(q, &value), 0);
	return value;
}

/**
 * svm_queue_has_counters() - does the GPU count quiesces and faults
 * @q: the queue
 *
 * Return: true on the virtual GPU.
 */
bool svm_queue_has_counters(struct svm_queue *q)
{
	struct svm_queue_counters c;

	return q->ctx->gpu->backend->counters(q, &c) == 0;
}

/**
 * svm_queue_counters() - state and counters of a queue, failing the test
 * where the GPU has none (see svm_queue_require_counters())
 * @q: the queue
 * @c: filled in
 */
void svm_queue_counters(struct svm_queue *q, struct svm_queue_counters *c)
{
	int ret = q->ctx->gpu->backend->counters(q, c);

	igt_assert_f(ret == 0, "%s: queue counters: %s\n", q->ctx->gpu->name,
		     strerror(-ret));
}

/**
 * svm_queue_require_counters() - skip unless the GPU counts quiesces and
 * faults per queue
 * @q: the queue
 */
void svm_queue_require_counters(struct svm_queue *q)
{
	igt_require_f(svm_queue_has_counters(q),
		      "%s: no quiesce/fault counters on this GPU\n",
		      q->ctx->gpu->name);
}

struct svm_gpu_cmd svm_cmd_read(uint64_t src)
{
	return (struct svm_gpu_cmd){ .op = SVM_GPU_READ, .src = src, .size = 8 };
}

struct svm_gpu_cmd svm_cmd_write(uint64_t dst, uint64_t value, uint64_t size)
{
	return (struct svm_gpu_cmd){
		.op = SVM_GPU_WRITE, .dst = dst, .size = size, .value = value,
	};
}

struct svm_gpu_cmd svm_cmd_fill(uint64_t dst, uint64_t size, uint32_t value)
{
	return (struct svm_gpu_cmd){
		.op = SVM_GPU_FILL, .dst = dst, .size = size, .value = value,
	};
}

struct svm_gpu_cmd svm_cmd_copy(uint64_t dst, uint64_t src, uint64_t size)
{
	return (struct svm_gpu_cmd){
		.op = SVM_GPU_COPY, .dst = dst, .src = src, .size = size,
	};
}

struct svm_gpu_cmd svm_cmd_atomic_add(uint64_t dst, uint64_t value)
{
	return (struct svm_gpu_cmd){
		.op = SVM_GPU_ATOMIC_ADD, .dst = dst, .size = 8, .value = value,
	};
}
