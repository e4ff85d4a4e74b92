// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/*
 * Real amdgpu behind struct svm_gpu_backend, through libdrm_amdgpu: every
 * command becomes SDMA packets in an indirect buffer submitted with
 * amdgpu_cs_submit() to the DMA ring, addressing the process's memory at
 * its CPU virtual addresses (the SVM ioctl maps them into the file's GPU
 * VM). Packet layouts are SDMA 4.x and later (gfx9 onwards: gfx943,
 * gfx1100), whose counts are "bytes - 1" / "dwords - 1".
 *
 * What the hardware does not tell: quiesce and fault counters (counters
 * returns -EOPNOTSUPP, tests needing them skip). VRAM size and use come
 * from AMDGPU_INFO_VRAM_GTT and AMDGPU_INFO_VRAM_USAGE. The XNACK mode is the
 * amdgpu module's, not the process's: a context opens only in the mode the
 * kernel runs (amdgpu.noretry=0: XNACK on; anything else: off).
 *
 * libdrm keeps one amdgpu_device per GPU and process whatever fd opened
 * it; a context therefore issues its SVM ioctls on amdgpu_device_get_fd(),
 * the file its commands run in, and a test uses one context per GPU at a
 * time.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <amdgpu.h>
#include <amdgpu_drm.h>
#include <xf86drm.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_gpu.h"

#define SDMA_OP_COPY		1
#define SDMA_OP_WRITE		2
#define SDMA_OP_ATOMIC		10
#define SDMA_OP_CONST_FILL	11
#define SDMA_SUBOP_LINEAR	0
#define SDMA_ATOMIC_ADD64	47
#define SDMA_FILL_DWORD		(2u << 30)
#define SDMA_HEADER(op, sub)	((op) | ((sub) << 8))
/* Largest count of one linear copy or fill on SDMA 4.x (22 bits). */
#define SDMA_MAX_BYTES		(1u << 21)

/* An IB ring: slot N holds the packets of submission N (mod RING_SLOTS). */
#define RING_SLOTS		64
#define SLOT_DWORDS		4096
#define READBACK_OFFSET		(RING_SLOTS * SLOT_DWORDS * 4)
#define RING_BO_SIZE		(READBACK_OFFSET + 4096)

struct amdgpu_ctx_priv {
	amdgpu_device_handle dev;
};

struct amdgpu_queue_priv {
	amdgpu_context_handle cs;
	amdgpu_bo_handle bo;
	amdgpu_bo_list_handle list;
	amdgpu_va_handle va_handle;
	uint64_t va;
	uint32_t *cpu;
	uint64_t seqno;
	struct amdgpu_cs_fence fences[RING_SLOTS];
	uint64_t slot_seqno[RING_SLOTS];
};

/* KFD's topology node of a render minor: its gpu_id and gfx version. */
static int kfd_node_of_minor(int minor, uint32_t *gpu_id, unsigned int *gfx)
{
	for (int node = 0; node < 64; node++) {
		char path[128], key[64];
		unsigned long long value;
		int found = 0, node_minor = -1;
		FILE *f;

		snprintf(path, sizeof(path),
			 "/sys/class/kfd/kfd/topology/nodes/%d/properties", node);
		f = fopen(path, "r");
		if (!f)
			break;
		while (fscanf(f, "%63s %llu", key, &value) == 2) {
			if (!strcmp(key, "drm_render_minor"))
				node_minor = value;
			else if (!strcmp(key, "gfx_target_version"))
				*gfx = value, found = 1;
		}
		fclose(f);
		if (node_minor != minor || !found)
			continue;
		snprintf(path, sizeof(path),
			 "/sys/class/kfd/kfd/topology/nodes/%d/gpu_id", node);
		f = fopen(path, "r");
		if (!f)
			return -errno;
		found = fscanf(f, "%u", gpu_id) == 1;
		fclose(f);
		return found ? 0 : -EINVAL;
	}
	return -ENODEV;
}

/* One AMDGPU_INFO query into @out (@size bytes). */
static int amdgpu_info_query(int fd, uint32_t query, void *out, uint32_t size)
{
	struct drm_amdgpu_info request = {
		.return_pointer = (uintptr_t)out,
		.return_size = size,
		.query = query,
	};

	return drmIoctl(fd, DRM_IOCTL_AMDGPU_INFO, &request) ? -errno : 0;
}

/* The XNACK mode amdgpu runs: its noretry parameter, 0 meaning on. */
static bool amdgpu_xnack_on(void)
{
	FILE *f = fopen("/sys/module/amdgpu/parameters/noretry", "r");
	int noretry = -1;

	if (f) {
		if (fscanf(f, "%d", &noretry) != 1)
			noretry = -1;
		fclose(f);
	}
	return noretry == 0;
}

static int amdgpu_backend_probe(struct svm_gpu *gpu)
{
	long page = sysconf(_SC_PAGESIZE);
	struct drm_amdgpu_svm_attribute attr = {
		.type = AMDGPU_SVM_ATTR_GRANULARITY,
	};
	struct drm_amdgpu_info_vram_gtt vram_gtt;
	unsigned int gfx = 0, major, minor, step;
	struct stat st;
	void *probe;
	int ret;

	if (fstat(gpu->fd, &st))
		return -errno;
	ret = kfd_node_of_minor(minor(st.st_rdev), &gpu->gpu_id, &gfx);
	if (ret)
		return ret;
	/* The SVM ioctl must answer for a page of ours. */
	probe = mmap(NULL, page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (probe == MAP_FAILED)
		return -errno;
	ret = __svm_get_attr(gpu->fd, (uintptr_t)probe, page, &attr, 1);
	munmap(probe, page);
	if (ret)
		return -ENODEV;

	/* gfx_target_version is major * 10000 + minor * 100 + stepping. */
	major = gfx / 10000;
	minor = gfx / 100 % 100;
	step = gfx % 100;
	snprintf(gpu->gfx_target, sizeof(gpu->gfx_target), "gfx%u%u%x",
		 major, minor, step);
	/* Retry faults: gfx90a and the gfx94x / gfx95x families. */
	gpu->xnack_capable = major == 9 && (minor >= 4 || step == 0xa);
	gpu->is_virtual = false;
	gpu->instance = minor(st.st_rdev);
	ret = amdgpu_info_query(gpu->fd, AMDGPU_INFO_VRAM_GTT, &vram_gtt,
				sizeof(vram_gtt));
	if (ret)
		return ret;
	gpu->vram_size = vram_gtt.vram_size;
	return 0;
}

static int amdgpu_backend_ctx_open(struct svm_ctx *ctx)
{
	struct amdgpu_ctx_priv *priv;
	uint32_t drm_major, drm_minor;
	char path[64];
	int fd, ret;

	if (ctx->xnack != amdgpu_xnack_on())
		return -EOPNOTSUPP;
	priv = calloc(1, sizeof(*priv));
	if (!priv)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ctx->gpu->fd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err_free;
	}
	ret = amdgpu_device_initialize(fd, &drm_major, &drm_minor, &priv->dev);
	close(fd);
	if (ret)
		goto err_free;
	ctx->fd = amdgpu_device_get_fd(priv->dev);
	ctx->priv = priv;
	return 0;

err_free:
	free(priv);
	return ret;
}

static void amdgpu_backend_ctx_close(struct svm_ctx *ctx)
{
	struct amdgpu_ctx_priv *priv = ctx->priv;

	amdgpu_device_deinitialize(priv->dev);
	free(priv);
	ctx->priv = NULL;
}

static int amdgpu_backend_queue_create(struct svm_queue *q)
{
	struct amdgpu_ctx_priv *ctx = q->ctx->priv;
	struct amdgpu_bo_alloc_request req = {
		.alloc_size = RING_BO_SIZE,
		.phys_alignment = 4096,
		.preferred_heap = AMDGPU_GEM_DOMAIN_GTT,
		.flags = AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED,
	};
	struct amdgpu_queue_priv *priv = calloc(1, sizeof(*priv));
	void *cpu;
	int ret;

	/* Command submission: every submission has a dma-fence. */
	q->fenced = true;
	if (!priv)
		return -ENOMEM;
	ret = amdgpu_cs_ctx_create(ctx->dev, &priv->cs);
	if (ret)
		goto err_free;
	ret = amdgpu_bo_alloc(ctx->dev, &req, &priv->bo);
	if (ret)
		goto err_cs;
	/* High VA: the low half is the process's, mapped by SVM. */
	ret = amdgpu_va_range_alloc(ctx->dev, amdgpu_gpu_va_range_general,
				    RING_BO_SIZE, 4096, 0, &priv->va,
				    &priv->va_handle, AMDGPU_VA_RANGE_HIGH);
	if (ret)
		goto err_bo;
	ret = amdgpu_bo_va_op(priv->bo, 0, RING_BO_SIZE, priv->va, 0,
			      AMDGPU_VA_OP_MAP);
	if (ret)
		goto err_va;
	ret = amdgpu_bo_cpu_map(priv->bo, &cpu);
	if (ret)
		goto err_unmap;
	priv->cpu = cpu;
	ret = amdgpu_bo_list_create(ctx->dev, 1, &priv->bo, NULL, &priv->list);
	if (ret)
		goto err_cpu_unmap;
	q->priv = priv;
	return 0;

err_cpu_unmap:
	amdgpu_bo_cpu_unmap(priv->bo);
err_unmap:
	amdgpu_bo_va_op(priv->bo, 0, RING_BO_SIZE, priv->va, 0,
			AMDGPU_VA_OP_UNMAP);
err_va:
	amdgpu_va_range_free(priv->va_handle);
err_bo:
	amdgpu_bo_free(priv->bo);
err_cs:
	amdgpu_cs_ctx_free(priv->cs);
err_free:
	free(priv);
	return ret;
}

static void amdgpu_backend_queue_destroy(struct svm_queue *q)
{
	struct amdgpu_queue_priv *priv = q->priv;

	/* Freeing the context waits for nothing: wait for the last IB. */
	if (priv->seqno)
		q->ctx->gpu->backend->wait(q, priv->seqno, SVM_GPU_TIMEOUT_NS);
	amdgpu_bo_list_destroy(priv->list);
	amdgpu_bo_cpu_unmap(priv->bo);
	amdgpu_bo_va_op(priv->bo, 0, RING_BO_SIZE, priv->va, 0,
			AMDGPU_VA_OP_UNMAP);
	amdgpu_va_range_free(priv->va_handle);
	amdgpu_bo_free(priv->bo);
	amdgpu_cs_ctx_free(priv->cs);
	free(priv);
	q->priv = NULL;
}

/* Packets of one command at @ib; returns the dwords written or -E2BIG. */
static int sdma_emit(uint32_t *ib, unsigned int room, uint64_t readback_va,
		     const struct svm_gpu_cmd *c)
{
	unsigned int n = 0;
	uint64_t done;

#define EMIT(dw)	do { if (n == room) return -E2BIG; ib[n++] = (dw); } while (0)
#define EMIT64(v)	do { uint64_t v64 = (v); EMIT((uint32_t)v64); EMIT((uint32_t)(v64 >> 32)); } while (0)
	switch (c->op) {
	case SVM_GPU_WRITE:
		EMIT(SDMA_HEADER(SDMA_OP_WRITE, SDMA_SUBOP_LINEAR));
		EMIT64(c->dst);
		EMIT(c->size / 4 - 1);
		EMIT((uint32_t)c->value);
		if (c->size == 8)
			EMIT((uint32_t)(c->value >> 32));
		break;
	case SVM_GPU_FILL:
		for (done = 0; done < c->size; done += SDMA_MAX_BYTES) {
			uint64_t len = c->size - done < SDMA_MAX_BYTES ?
				       c->size - done : SDMA_MAX_BYTES;

			EMIT(SDMA_OP_CONST_FILL | SDMA_FILL_DWORD);
			EMIT64(c->dst + done);
			EMIT((uint32_t)c->value);
			EMIT(len - 1);
		}
		break;
	case SVM_GPU_READ:
	case SVM_GPU_COPY: {
		uint64_t dst = c->op == SVM_GPU_READ ? readback_va : c->dst;

		for (done = 0; done < c->size; done += SDMA_MAX_BYTES) {
			uint64_t len = c->size - done < SDMA_MAX_BYTES ?
				       c->size - done : SDMA_MAX_BYTES;

			EMIT(SDMA_HEADER(SDMA_OP_COPY, SDMA_SUBOP_LINEAR));
			EMIT(len - 1);
			EMIT(0);	/* parameter: no swap */
			EMIT64(c->src + done);
			EMIT64(dst + done);
		}
		break;
	}
	case SVM_GPU_ATOMIC_ADD:
		EMIT(SDMA_OP_ATOMIC | ((uint32_t)SDMA_ATOMIC_ADD64 << 25));
		EMIT64(c->dst);
		EMIT64(c->value);	/* source data */
		EMIT64(0);		/* compare data: unused by ADD */
		EMIT(0);		/* loop interval: no loop */
		break;
	default:
		return -EINVAL;
	}
#undef EMIT64
#undef EMIT
	return n;
}

static int amdgpu_backend_wait(struct svm_queue *q, uint64_t seqno,
			       int64_t timeout_ns)
{
	struct amdgpu_queue_priv *priv = q->priv;
	unsigned int slot = seqno % RING_SLOTS;
	uint32_t expired = 0;
	int ret;

	if (seqno == 0 || seqno > priv->seqno)
		return -EINVAL;
	/* Older than the ring: it completed before its slot was reused. */
	if (priv->slot_seqno[slot] != seqno)
		return 0;
	ret = amdgpu_cs_query_fence_status(&priv->fences[slot], timeout_ns, 0,
					   &expired);
	if (ret == -ECANCELED)	/* the context was lost: a GPU VM fault */
		return -EIO;
	if (ret)
		return ret;
	return expired ? 0 : -ETIME;
}

static int amdgpu_backend_submit(struct svm_queue *q,
				 const struct svm_gpu_cmd *cmds,
				 unsigned int n, uint64_t *seqno)
{
	struct amdgpu_queue_priv *priv = q->priv;
	uint64_t next = priv->seqno + 1;
	unsigned int slot = next % RING_SLOTS, used = 0;
	uint32_t *ib = priv->cpu + slot * SLOT_DWORDS;
	struct amdgpu_cs_ib_info ib_info = {};
	struct amdgpu_cs_request req = {};
	int ret;

	/*
	 * The slot's previous IB must be done before it is rewritten. Its
	 * error is returned before anything is submitted: say so, or the
	 * caller would take it for the submission's.
	 */
	if (priv->slot_seqno[slot]) {
		ret = amdgpu_backend_wait(q, priv->slot_seqno[slot],
					  SVM_GPU_TIMEOUT_NS);
		if (ret) {
			igt_warn("%s: nothing submitted: waiting for submission %" PRIu64 " to free its ring slot failed: %s\n",
				 q->ctx->gpu->name, priv->slot_seqno[slot],
				 strerror(-ret));
			return ret;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		ret = sdma_emit(ib + used, SLOT_DWORDS - used,
				priv->va + READBACK_OFFSET, &cmds[i]);
		if (ret < 0)
			return ret;
		used += ret;
	}
	/* SDMA fetches IBs in 8-dword units: pad with NOPs (opcode 0). */
	while (used % 8) {
		if (used == SLOT_DWORDS)
			return -E2BIG;
		ib[used++] = 0;
	}

	ib_info.ib_mc_address = priv->va + (uint64_t)slot * SLOT_DWORDS * 4;
	ib_info.size = used;
	req.ip_type = AMDGPU_HW_IP_DMA;
	req.resources = priv->list;
	req.number_of_ibs = 1;
	req.ibs = &ib_info;
	ret = amdgpu_cs_submit(priv->cs, 0, &req, 1);
	if (ret)
		return ret == -ECANCELED ? -EIO : ret;

	priv->fences[slot] = (struct amdgpu_cs_fence){
		.context = priv->cs,
		.ip_type = AMDGPU_HW_IP_DMA,
		.fence = req.seq_no,
	};
	priv->slot_seqno[slot] = next;
	priv->seqno = next;
	*seqno = next;
	return 0;
}

static int amdgpu_backend_read_result(struct svm_queue *q, uint64_t *value)
{
	struct amdgpu_queue_priv *priv = q->priv;

	memcpy(value, (char *)priv->cpu + READBACK_OFFSET, sizeof(*value));
	return 0;
}

static int amdgpu_backend_counters(struct svm_queue *q,
				   struct svm_queue_counters *c)
{
	return -EOPNOTSUPP;
}

static int amdgpu_backend_vram_used(const struct svm_gpu *gpu, uint64_t *bytes)
{
	return amdgpu_info_query(gpu->fd, AMDGPU_INFO_VRAM_USAGE, bytes,
				 sizeof(*bytes));
}

/*
 * Reading debugfs amdgpu_evict_vram evicts all VRAM as suspend does and
 * gives amdgpu_ttm_evict_resources()'s result. Every DRM minor has its
 * debugfs directory (a link) named by its number.
 */
static int amdgpu_backend_evict_vram(const struct svm_gpu *gpu, int *result)
{
	char path[80];
	struct stat st;
	long long r;
	int ret = 0;
	FILE *f;

	if (fstat(gpu->fd, &st))
		return -errno;
	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/dri/%u/amdgpu_evict_vram",
		 minor(st.st_rdev));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%lld", &r) == 1)
		*result = r;
	else
		ret = -ENODATA;
	fclose(f);
	return ret;
}

const struct svm_gpu_backend svm_gpu_backend_amdgpu = {
	.driver = "amdgpu",
	.probe = amdgpu_backend_probe,
	.ctx_open = amdgpu_backend_ctx_open,
	.ctx_close = amdgpu_backend_ctx_close,
	.queue_create = amdgpu_backend_queue_create,
	.queue_destroy = amdgpu_backend_queue_destroy,
	.submit = amdgpu_backend_submit,
	.wait = amdgpu_backend_wait,
	.read_result = amdgpu_backend_read_result,
	.counters = amdgpu_backend_counters,
	.vram_used = amdgpu_backend_vram_used,
	.evict_vram = amdgpu_backend_evict_vram,
};
