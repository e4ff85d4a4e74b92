/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef SVM_GPU_H
#define SVM_GPU_H

#include <stdbool.h>
#include <stdint.h>

/*
 * GPU access for SVM tests: the GPUs of the machine that speak
 * DRM_AMDGPU_GEM_SVM, and commands they run on CPU virtual addresses,
 * behind one small interface with two backends: the virtual GPU's queues
 * (vamdgpu) and real amdgpu through libdrm_amdgpu's command submission
 * (SDMA). Functions named __svm_* return -errno; svm_* fail the test.
 */

/** Most GPUs a test handles. */
#define SVM_GPUS_MAX		8
/** Default timeout of a wait: generous for an emulated guest. */
#define SVM_GPU_TIMEOUT_NS	(20ll * 1000 * 1000 * 1000)

struct svm_gpu_backend;

/**
 * struct svm_gpu - one GPU that speaks the SVM ioctl
 * @fd: a render node of it, kept open for discovery and reopening
 * @backend: how commands reach it
 * @gfx_target: "gfx1100", "gfx943", ...
 * @gpu_id: the id SVM attributes name it by
 * @xnack_capable: the GPU can retry faulting accesses (XNACK on)
 * @is_virtual: a vamdgpu, with queue counters and debugfs hooks
 * @instance: vamdgpu instance, or the render minor on real hardware
 * @vram_size: bytes of VRAM SVM ranges can migrate to (0: none)
 * @name: "gpuN-TARGET", the name of its dynamic subtests
 */
struct svm_gpu {
	int fd;
	const struct svm_gpu_backend *backend;
	char gfx_target[16];
	uint32_t gpu_id;
	uint64_t vram_size;
	bool xnack_capable;
	bool is_virtual;
	int instance;
	char name[32];
};

/**
 * struct svm_ctx - one process context on a GPU: its own render node fd
 * (GPU VM, SVM context, queues) in a chosen XNACK mode
 */
struct svm_ctx {
	struct svm_gpu *gpu;
	int fd;
	bool xnack;
	void *priv;
};

/**
 * struct svm_queue - a queue of a context, which runs struct svm_gpu_cmd
 * @ctx: the context
 * @id: the backend's queue id
 * @priv: the backend's state
 * @fenced: every submission has a dma-fence, as the kernel's command
 *	submission gives (amdgpu's CS: always; vamdgpu: a queue created
 *	VAMDGPU_QUEUE_FENCED, for XNACK off only); a quiesce then waits for
 *	the whole submission in flight
 */
struct svm_queue {
	struct svm_ctx *ctx;
	uint32_t id;
	void *priv;
	bool fenced;
};

/** enum svm_gpu_op - what a command does, on GPU virtual = CPU addresses */
enum svm_gpu_op {
	SVM_GPU_READ,		/* read 8 bytes at src: svm_queue_read_result() */
	SVM_GPU_WRITE,		/* write the low size (4 or 8) bytes of value at dst */
	SVM_GPU_FILL,		/* fill size bytes at dst with the 32-bit value */
	SVM_GPU_COPY,		/* copy size bytes from src to dst */
	SVM_GPU_ATOMIC_ADD,	/* add value to the 64-bit word at dst */
};

/** struct svm_gpu_cmd - one command; unused fields zero */
struct svm_gpu_cmd {
	enum svm_gpu_op op;
	uint64_t dst, src, size, value;
};

/**
 * struct svm_queue_counters - what a queue went through (virtual GPU only)
 * @quiesced: the queue is quiesced now
 * @failed: a VM fault stopped the queue
 * @lost: a page-table loss (a GPU reset that lost VRAM) cancelled the
 *	queue's submissions; it takes no more (svm_queue_check_lost())
 * @fault_addr: address of that VM fault
 * @fault_write: the faulting access was a write
 * @fault_permission: the page was mapped, without the access's permission
 * @fault_unresolved: XNACK on: the fault handler was asked and could not
 *	map the page
 * @fault_stale: the PTE was valid but its page already freed or being
 *	migrated: a mapping the driver should have cleared
 * @quiesce_count: times the queue was quiesced
 * @resume_count: times it was resumed
 * @retry_faults: faults resolved by the fault handler (XNACK on)
 * @vm_faults: VM faults (XNACK off, or XNACK on when the retry failed)
 */
struct svm_queue_counters {
	bool quiesced, failed, lost;
	uint64_t fault_addr;
	bool fault_write, fault_permission, fault_unresolved, fault_stale;
	uint32_t quiesce_count, resume_count, retry_faults, vm_faults;
};

/**
 * struct svm_gpu_backend - how a test reaches one kind of GPU
 * @driver: DRM driver name of its render nodes
 * @probe: fill in @gpu (all but @fd and @backend) from its render node;
 *	-ENODEV if the node does not speak the SVM ioctl
 * @ctx_open: open @ctx->fd as a new context in XNACK mode @ctx->xnack
 *	before its first SVM call (-EOPNOTSUPP: the GPU cannot run that mode)
 * @ctx_close: release what @ctx_open set up, close @ctx->fd
 * @queue_create: create @q on @q->ctx
 * @queue_destroy: destroy it (work not started is dropped)
 * @submit: queue commands; *@seqno completes after all of them
 * @wait: wait for @seqno: 0, -ETIME after @timeout_ns, -EIO after a fault,
 *	-ECANCELED when a page-table loss cancelled it (the queue is lost)
 * @read_result: the value of the queue's last READ
 * @counters: queue state and counters; -EOPNOTSUPP where the hardware
 *	does not expose them (real amdgpu)
 * @vram_used: bytes of the GPU's VRAM allocated now, by every process
 *	(the virtual GPU: its debugfs vamdgpu_vram; amdgpu: the
 *	AMDGPU_INFO_VRAM_USAGE query, SVM migration BOs included)
 */
struct svm_gpu_backend {
	const char *driver;
	int (*probe)(struct svm_gpu *gpu);
	int (*ctx_open)(struct svm_ctx *ctx);
	void (*ctx_close)(struct svm_ctx *ctx);
	int (*queue_create)(struct svm_queue *q);
	void (*queue_destroy)(struct svm_queue *q);
	int (*submit)(struct svm_queue *q, const struct svm_gpu_cmd *cmds,
		      unsigned int n, uint64_t *seqno);
	int (*wait)(struct svm_queue *q, uint64_t seqno, int64_t timeout_ns);
	int (*read_result)(struct svm_queue *q, uint64_t *value);
	int (*counters)(struct svm_queue *q, struct svm_queue_counters *c);
	int (*vram_used)(const struct svm_gpu *gpu, uint64_t *bytes);
	/*
	 * Evict all VRAM as the driver's debugfs eviction file does: 0 with
	 * the eviction's outcome (0 or -errno) in *result, or -errno when it
	 * cannot be asked for. Never fails or skips the test: stress threads
	 * call it.
	 */
	int (*evict_vram)(const struct svm_gpu *gpu, int *result);
	/*
	 * Wipe the GPU's page tables as a reset that lost VRAM does, which
	 * makes every queue on the GPU lost: 0 with the number of VMs wiped
	 * in *vms, or -errno when it cannot be asked for (NULL where the
	 * driver has no such knob). Never fails or skips the test.
	 */
	int (*lose_page_tables)(const struct svm_gpu *gpu, unsigned int *vms);
};

extern const struct svm_gpu_backend svm_gpu_backend_vamdgpu;
extern const struct svm_gpu_backend svm_gpu_backend_amdgpu;

/**
 * for_each_svm_mode() - every GPU and XNACK mode a test runs on, each mode
 * only if svm_xnack_wanted() (XNACK on a GPU that cannot run it is still
 * a case: svm_ctx_open() skips it with the reason); contexts a failed case
 * left open are closed before the next
 * @gpus: the GPUs
 * @ngpus: how many
 * @g: int, the GPU index
 * @x: int, 1 for XNACK on
 */
#define for_each_svm_mode(gpus, ngpus, g, x) \
	for (int g = 0; g < (ngpus); g++) \
		for (int x = 0; x <= 1; x++) \
			if (!svm_xnack_wanted(x)) {} else \
				for (int once_ = (svm_ctxs_close_leaked(), 1); \
				     once_; once_ = 0)

/**
 * igt_dynamic_svm_modes() - one dynamic subtest "gpuN-TARGET-xnack-on/off"
 * per GPU and XNACK mode of for_each_svm_mode(); the statement after it is
 * the subtest's body
 * @gpus: the GPUs
 * @ngpus: how many
 * @g: int, the GPU index
 * @x: int, 1 for XNACK on
 */
#define igt_dynamic_svm_modes(gpus, ngpus, g, x) \
	for_each_svm_mode(gpus, ngpus, g, x) \
		igt_dynamic_f("%s-xnack-%s", (gpus)[g].name, (x) ? "on" : "off")

int svm_gpus_open(struct svm_gpu *gpus, int max);
int svm_gpus_require(struct svm_gpu *gpus);
void svm_gpus_close(struct svm_gpu *gpus, int count);
bool svm_xnack_wanted(bool xnack);
uint64_t svm_gpu_vram_used(const struct svm_gpu *gpu);
uint64_t svm_gpu_vram_used_settled(const struct svm_gpu *gpu, uint64_t limit);

int __svm_ctx_open(struct svm_gpu *gpu, bool xnack, struct svm_ctx *ctx);
void svm_ctx_open(struct svm_gpu *gpu, bool xnack, struct svm_ctx *ctx);
void svm_ctx_close(struct svm_ctx *ctx);
void svm_ctxs_close_leaked(void);
void svm_give_access(struct svm_ctx *ctx, void *p, uint64_t size);

bool svm_fenced_queues_wanted(bool xnack);
int __svm_queue_create(struct svm_ctx *ctx, struct svm_queue *q);
void svm_queue_create(struct svm_ctx *ctx, struct svm_queue *q);
int __svm_queue_create_fenced(struct svm_ctx *ctx, struct svm_queue *q);
void svm_queue_destroy(struct svm_queue *q);
void svm_queue_check_lost(struct svm_queue *q);
uint64_t svm_queue_submit(struct svm_queue *q, const struct svm_gpu_cmd *cmds,
			  unsigned int n);
int __svm_queue_wait(struct svm_queue *q, uint64_t seqno, int64_t timeout_ns);
void svm_queue_wait(struct svm_queue *q, uint64_t seqno, const char *what);
void svm_queue_exec(struct svm_queue *q, const struct svm_gpu_cmd *cmds,
		    unsigned int n, const char *what);
uint64_t svm_queue_read_result(struct svm_queue *q);
bool svm_queue_has_counters(struct svm_queue *q);
void svm_queue_counters(struct svm_queue *q, struct svm_queue_counters *c);
void svm_queue_require_counters(struct svm_queue *q);

struct svm_gpu_cmd svm_cmd_read(uint64_t src);
struct svm_gpu_cmd svm_cmd_write(uint64_t dst, uint64_t value, uint64_t size);
struct svm_gpu_cmd svm_cmd_fill(uint64_t dst, uint64_t size, uint32_t value);
struct svm_gpu_cmd svm_cmd_copy(uint64_t dst, uint64_t src, uint64_t size);
struct svm_gpu_cmd svm_cmd_atomic_add(uint64_t dst, uint64_t value);

#endif /* SVM_GPU_H */
