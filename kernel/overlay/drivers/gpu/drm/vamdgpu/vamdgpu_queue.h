/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_QUEUE_H_
#define _VAMDGPU_QUEUE_H_

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct drm_device;
struct drm_file;
struct drm_vamdgpu_cmd;
struct seq_file;
struct vamdgpu_job;
struct vamdgpu_vm;

/**
 * struct vamdgpu_queue - a compute queue and its command processor
 *
 * Everything below @lock is protected by it.
 */
struct vamdgpu_queue {
	/** @vm: the address space the commands run in. */
	struct vamdgpu_vm *vm;
	/** @link: in &vamdgpu_vm.queues. */
	struct list_head link;
	/** @ref: the VM's list holds one, so does every ioctl using it. */
	struct kref ref;
	/** @id: the queue id userspace names it by. */
	u32 id;
	/** @work: the command processor. */
	struct work_struct work;
	/** @bounce: a page of staging memory for the command processor. */
	void *bounce;
	/** @wq: completion, error and idle waiters. */
	wait_queue_head_t wq;
	/** @fault_retries: consecutive retries of the same faulting access. */
	unsigned int fault_retries;
	/** @fenced: a fenced queue (VAMDGPU_QUEUE_FENCED). */
	bool fenced;
	/** @fence_context: the dma_fence context of its submissions. */
	u64 fence_context;
	/** @fence_lock: the lock of those fences. */
	spinlock_t fence_lock;
	/**
	 * @signalled: seqno of the last fence signalled. Fences of one
	 * context signal in seqno order, so only the command processor
	 * signals them, or the destroyer once it has stopped.
	 */
	u64 signalled;

	/** @lock: see above. */
	spinlock_t lock;
	/** @jobs: submissions not yet completed, oldest first. */
	struct list_head jobs;
	/** @busy: a command is executing (not faulting). */
	bool busy;
	/** @running: the job the command processor executes, or NULL. */
	struct vamdgpu_job *running;
	/** @quiesced: nothing new may start. */
	bool quiesced;
	/** @error: a VM fault stopped the queue for good. */
	bool error;
	/** @dying: the queue is being destroyed. */
	bool dying;
	/**
	 * @lost: a page-table loss (vamdgpu_vm_lose_ptes()) cancelled the
	 * queue's submissions; it takes no new one, as amdgpu refuses the
	 * command submissions of a context made before the VM's generation
	 * moved.
	 */
	bool lost;
	/** @submitted: seqno of the last submission. */
	u64 submitted;
	/** @completed: seqno of the last completed submission. */
	u64 completed;
	/** @fault_addr: address of the VM fault that stopped the queue. */
	u64 fault_addr;
	/** @fault_flags: its VAMDGPU_FAULT_* bits. */
	u32 fault_flags;
	/** @read_value: result of the last READ or ATOMIC_ADD. */
	u64 read_value;
	/** @quiesce_count: times quiesced. */
	u32 quiesce_count;
	/** @resume_count: times resumed. */
	u32 resume_count;
	/** @retry_faults: faults resolved by the fault handler. */
	u32 retry_faults;
	/** @retry_addr: address of the last of them. */
	u64 retry_addr;
	/** @retry_flags: its VAMDGPU_FAULT_* bits. */
	u32 retry_flags;
	/** @retry_ret: what the fault handler answered (0 or -EAGAIN). */
	int retry_ret;
	/** @vm_faults: VM faults. */
	u32 vm_faults;
	/** @tlb_misses: page-table walks. */
	u64 tlb_misses;
};

int vamdgpu_cmd_validate(const struct drm_vamdgpu_cmd *cmd);

int vamdgpu_queue_create(struct vamdgpu_vm *vm, u32 flags, u32 *id);
int vamdgpu_queue_destroy(struct vamdgpu_vm *vm, u32 id);
void vamdgpu_queue_destroy_all(struct vamdgpu_vm *vm);
struct vamdgpu_queue *vamdgpu_queue_get(struct vamdgpu_vm *vm, u32 id);
void vamdgpu_queue_put(struct vamdgpu_queue *q);
int vamdgpu_queue_submit(struct vamdgpu_queue *q,
			 const struct drm_vamdgpu_cmd *cmds, u32 num_cmds,
			 u64 *seqno);
int vamdgpu_queue_wait(struct vamdgpu_queue *q, u64 seqno, s64 timeout_ns);

void vamdgpu_vm_lose_queues(struct vamdgpu_vm *vm);
void vamdgpu_vm_quiesce(struct vamdgpu_vm *vm);
int vamdgpu_vm_resume(struct vamdgpu_vm *vm);
void vamdgpu_vm_show_queues(struct vamdgpu_vm *vm, struct seq_file *m);

int vamdgpu_queue_create_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file);
int vamdgpu_queue_destroy_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file);
int vamdgpu_submit_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);
int vamdgpu_wait_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file);
int vamdgpu_queue_status_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file);

#endif /* _VAMDGPU_QUEUE_H_ */
