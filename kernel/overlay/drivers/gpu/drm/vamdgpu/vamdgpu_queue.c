// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: Queues
 *
 * A process creates compute queues on a virtual GPU and submits command
 * buffers to them (struct drm_vamdgpu_cmd: read, write, fill, copy, atomic
 * add, fence). Each queue has a command processor, a work item on the
 * device's workqueue, that executes the submissions in order through the
 * GPU MMU of the process (vamdgpu_vm_access(), one access per page at
 * most) and signals completion by advancing the queue's seqno, which
 * DRM_IOCTL_VAMDGPU_WAIT waits for.
 *
 * A translation miss or a permission fault:
 *
 * - XNACK on: the VM's fault handler (a lazy mapping of the hand-mapping
 *   path, else the SVM core) is called and the access retries, up to
 *   VAMDGPU_FAULT_RETRIES times for the same address, half a millisecond
 *   apart after the first (VAMDGPU_FAULT_RETRY_US). A transient handler
 *   error (-EAGAIN, -EBUSY, -ENOMEM) retries too, as amdgpu's fault path
 *   does; any other error, or too many retries, becomes a VM fault.
 * - XNACK off: a VM fault. The queue stops for good, in the error state,
 *   with the faulting address and access type logged as amdgpu logs its
 *   VM faults (at notice level: tests provoke them on purpose) and
 *   reported by DRM_IOCTL_VAMDGPU_QUEUE_STATUS; later commands do not run
 *   and their waiters get -EIO.
 *
 * Quiesce and resume (vamdgpu_vm_quiesce(), vamdgpu_vm_resume()) stop and
 * restart every queue of the VM, as KFD evicts and restores the queues of
 * a process: the command in flight finishes, nothing new starts. A command
 * blocked in the fault handler is not in flight (the hardware would have
 * preempted its waves): quiesce does not wait for it, and it continues
 * where it stopped after resume. Commands record their progress, so a
 * retried or resumed copy never repeats work it already did.
 *
 * A fenced queue (VAMDGPU_QUEUE_FENCED) models the kernel's command
 * submission instead (amdgpu's CS): each submission has a dma_fence that
 * signals when its last command completed, with an error if a VM fault or
 * the queue's destruction cut it short. A quiesce waits on the fence of
 * the submission in flight, as amdgpu waits for the CS fences of the VM,
 * and holds back the submissions after it. A job's execution is a
 * dma-fence signalling critical section (dma_fence_begin_signalling()):
 * with lockdep, anything on that path that takes a lock held around a
 * fence wait, or allocates memory that reclaim could need the fence for,
 * is reported, as is a fence wait under the MMU notifier that such a path
 * could block. Fenced jobs never wait for the fault handler, whose work
 * (the mmap_lock, page allocation) would break that rule: a fault is a
 * VM fault, and fenced queues are refused with XNACK on.
 *
 * A page-table loss (vamdgpu_vm_lose_ptes(), the model of a GPU reset that
 * lost VRAM) cancels every submission of the VM's queues that has not
 * completed, as amdgpu's scheduler skips the jobs of an older VM
 * generation (amdgpu_job_run()) and the reset kills the running ones.
 * The command processor, kicked even when quiesced, stops the submission
 * it executes at its next command or at its first access after the loss,
 * without a VM fault, then cancels it and every queued one in order (their
 * fences signal in seqno order, as the dma-fence rules want of one
 * context). Waiters get -ECANCELED, fences signal with it, and the queue is
 * lost for good: further submissions fail with -ECANCELED, as amdgpu's
 * command submission refuses a context made before the loss, and the
 * process makes a new queue.
 *
 * What it does not model: doorbells and ring buffers (submission is an
 * ioctl), priorities, several engines, or preemption inside an access.
 */

#include <kunit/visibility.h>
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/overflow.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_print.h>
#include <drm/vamdgpu_drm.h>

#include "vamdgpu_drv.h"
#include "vamdgpu_queue.h"
#include "vamdgpu_svm.h"
#include "vamdgpu_vm.h"

/* Retries of one faulting address before the fault is a VM fault. */
#define VAMDGPU_FAULT_RETRIES	16
/*
 * Pause before a retry of the address that faulted last: the hardware's
 * retries of one address come spaced (the IH ring's fault filter drops
 * repeats until the handler took one), so that the retries span more
 * than the 2 ms a stale fault lives in the SVM core.
 */
#define VAMDGPU_FAULT_RETRY_US	500

/**
 * struct vamdgpu_job - one submission
 */
struct vamdgpu_job {
	/** @link: in &vamdgpu_queue.jobs. */
	struct list_head link;
	/** @seqno: completion sequence number. */
	u64 seqno;
	/** @fence: signalled when the job is freed (fenced queues only). */
	struct dma_fence *fence;
	/** @next: index of the command executing or next to execute. */
	u32 next;
	/** @offset: bytes of cmds[next] already done. */
	u64 offset;
	/** @head: first bytes read by a READ, for read_value. */
	u64 head;
	/** @num_cmds: entries in @cmds. */
	u32 num_cmds;
	/** @cmds: the commands. */
	struct drm_vamdgpu_cmd cmds[] __counted_by(num_cmds);
};

static bool vamdgpu_span_ok(u64 addr, u64 size)
{
	u64 end;

	return !check_add_overflow(addr, size, &end);
}

/**
 * vamdgpu_cmd_validate() - check one command before it is queued
 * @cmd: the command
 *
 * Context: any.
 * Return: 0, or -EINVAL for a command the UAPI does not allow.
 */
int vamdgpu_cmd_validate(const struct drm_vamdgpu_cmd *cmd)
{
	if (cmd->flags || !cmd->size || cmd->size > VAMDGPU_CMD_MAX_SIZE)
		return -EINVAL;

	switch (cmd->op) {
	case VAMDGPU_CMD_READ:
		if (cmd->dst || cmd->value || cmd->size % 4 ||
		    !vamdgpu_span_ok(cmd->src, cmd->size))
			return -EINVAL;
		return 0;
	case VAMDGPU_CMD_WRITE:
		if (cmd->src || (cmd->size != 4 && cmd->size != 8) ||
		    !vamdgpu_span_ok(cmd->dst, cmd->size))
			return -EINVAL;
		return 0;
	case VAMDGPU_CMD_FILL:
		if (cmd->src || cmd->size % 4 ||
		    !vamdgpu_span_ok(cmd->dst, cmd->size))
			return -EINVAL;
		return 0;
	case VAMDGPU_CMD_COPY:
		if (cmd->value || !vamdgpu_span_ok(cmd->src, cmd->size) ||
		    !vamdgpu_span_ok(cmd->dst, cmd->size))
			return -EINVAL;
		return 0;
	case VAMDGPU_CMD_ATOMIC_ADD:
	case VAMDGPU_CMD_FENCE:
		if (cmd->src || cmd->size != 8 || cmd->dst % 8)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_cmd_validate);

static const char *vamdgpu_fence_driver_name(struct dma_fence *fence)
{
	return "vamdgpu";
}

static const char *vamdgpu_fence_timeline_name(struct dma_fence *fence)
{
	return "fenced-queue";
}

static const struct dma_fence_ops vamdgpu_fence_ops = {
	.get_driver_name = vamdgpu_fence_driver_name,
	.get_timeline_name = vamdgpu_fence_timeline_name,
};

/*
 * Free @job, signalling its fence: with @error unless the job completed
 * (@error 0).
 */
static void vamdgpu_job_free(struct vamdgpu_queue *q, struct vamdgpu_job *job,
			     int error)
{
	if (job->fence) {
		/* The dma-fence rule: one context signals in seqno order. */
		WARN_ON_ONCE(job->seqno != q->signalled + 1);
		q->signalled = job->seqno;
		if (error)
			dma_fence_set_error(job->fence, error);
		dma_fence_signal(job->fence);
		dma_fence_put(job->fence);
	}
	kvfree(job);
}

/* Bytes from @addr to the end of its page. */
static u64 vamdgpu_page_left(u64 addr)
{
	return PAGE_SIZE - offset_in_page(addr);
}

static int vamdgpu_queue_access(struct vamdgpu_queue *q, u64 va, void *buf,
				size_t len, enum vamdgpu_access access,
				struct vamdgpu_fault *fault)
{
	bool miss = false;
	int ret;

	ret = vamdgpu_vm_access(q->vm, va, buf, len, access, &miss, fault);
	if (miss)
		WRITE_ONCE(q->tlb_misses, q->tlb_misses + 1);
	return ret;
}

/*
 * Execute the rest of the current command of @job, one access of at most a
 * page at a time, recording progress in @job->offset.
 */
static int vamdgpu_queue_exec(struct vamdgpu_queue *q, struct vamdgpu_job *job,
			      struct vamdgpu_fault *fault)
{
	const struct drm_vamdgpu_cmd *cmd = &job->cmds[job->next];
	u64 off, chunk, value;
	int ret = 0;

	while ((off = job->offset) < cmd->size) {
		switch (cmd->op) {
		case VAMDGPU_CMD_READ:
			chunk = min(cmd->size - off, vamdgpu_page_left(cmd->src + off));
			ret = vamdgpu_queue_access(q, cmd->src + off, q->bounce, chunk,
						   VAMDGPU_ACCESS_READ, fault);
			if (!ret && off < sizeof(job->head))
				memcpy((u8 *)&job->head + off, q->bounce,
				       min_t(u64, chunk, sizeof(job->head) - off));
			break;
		case VAMDGPU_CMD_WRITE:
		case VAMDGPU_CMD_FENCE:
			chunk = min(cmd->size - off, vamdgpu_page_left(cmd->dst + off));
			ret = vamdgpu_queue_access(q, cmd->dst + off,
						   (u8 *)&cmd->value + off, chunk,
						   VAMDGPU_ACCESS_WRITE, fault);
			break;
		case VAMDGPU_CMD_FILL:
			chunk = min(cmd->size - off, vamdgpu_page_left(cmd->dst + off));
			/* The pattern continues where the previous chunk ended. */
			memset32(q->bounce, ror32(lower_32_bits(cmd->value), 8 * (off % 4)),
				 PAGE_SIZE / 4);
			ret = vamdgpu_queue_access(q, cmd->dst + off, q->bounce, chunk,
						   VAMDGPU_ACCESS_WRITE, fault);
			break;
		case VAMDGPU_CMD_COPY:
			chunk = min3(cmd->size - off, vamdgpu_page_left(cmd->src + off),
				     vamdgpu_page_left(cmd->dst + off));
			ret = vamdgpu_queue_access(q, cmd->src + off, q->bounce, chunk,
						   VAMDGPU_ACCESS_READ, fault);
			if (!ret)
				ret = vamdgpu_queue_access(q, cmd->dst + off, q->bounce,
							   chunk, VAMDGPU_ACCESS_WRITE,
							   fault);
			break;
		case VAMDGPU_CMD_ATOMIC_ADD:
			chunk = cmd->size;
			value = cmd->value;
			ret = vamdgpu_queue_access(q, cmd->dst, &value, chunk,
						   VAMDGPU_ACCESS_ATOMIC_ADD, fault);
			if (!ret)
				job->head = value;
			break;
		default:
			/* Validated at submission. */
			return -EINVAL;
		}
		if (ret)
			return ret;
		job->offset += chunk;
		cond_resched();
	}
	return 0;
}

/* The current command of @job completed: move on, complete the job. */
static void vamdgpu_queue_advance(struct vamdgpu_queue *q, struct vamdgpu_job *job)
{
	const struct drm_vamdgpu_cmd *cmd = &job->cmds[job->next];
	bool done;

	spin_lock(&q->lock);
	if (cmd->op == VAMDGPU_CMD_READ || cmd->op == VAMDGPU_CMD_ATOMIC_ADD)
		q->read_value = cmd->size == 4 ? lower_32_bits(job->head) : job->head;
	job->head = 0;
	job->offset = 0;
	done = ++job->next == job->num_cmds;
	if (done) {
		list_del(&job->link);
		q->completed = job->seqno;
		q->running = NULL;
	}
	spin_unlock(&q->lock);

	if (done) {
		vamdgpu_job_free(q, job, 0);
		wake_up_all(&q->wq);
	}
}

/* XNACK on: let the fault handler map the page. True to retry. */
static bool vamdgpu_queue_retry(struct vamdgpu_queue *q, u64 *last_addr,
				struct vamdgpu_fault *fault)
{
	struct vamdgpu_vm *vm = q->vm;
	int ret;

	if (!vamdgpu_vm_xnack(vm))
		return false;

	if (fault->addr != *last_addr) {
		*last_addr = fault->addr;
		q->fault_retries = 0;
	}
	if (++q->fault_retries > VAMDGPU_FAULT_RETRIES) {
		fault->flags |= VAMDGPU_FAULT_RETRY_FAILED;
		return false;
	}
	if (q->fault_retries > 1)
		usleep_range(VAMDGPU_FAULT_RETRY_US, 2 * VAMDGPU_FAULT_RETRY_US);

	ret = vamdgpu_vm_handle_fault(vm, fault->addr,
				      fault->flags & VAMDGPU_FAULT_WRITE);
	if (ret && ret != -EAGAIN && ret != -EBUSY && ret != -ENOMEM) {
		fault->flags |= VAMDGPU_FAULT_RETRY_FAILED;
		return false;
	}

	spin_lock(&q->lock);
	q->retry_faults++;
	q->retry_addr = fault->addr;
	q->retry_flags = fault->flags;
	q->retry_ret = ret;
	spin_unlock(&q->lock);
	return true;
}

/*
 * Nothing of @q runs again (it stopped for good, the caller set why): free
 * every submission not completed, the one the command processor held
 * included, signalling its fence with @error, and wake the waiters.
 */
static void vamdgpu_queue_drop_jobs(struct vamdgpu_queue *q, int error)
{
	struct vamdgpu_job *job, *next;
	LIST_HEAD(jobs);

	spin_lock(&q->lock);
	list_splice_init(&q->jobs, &jobs);
	q->running = NULL;
	q->busy = false;
	spin_unlock(&q->lock);
	list_for_each_entry_safe(job, next, &jobs, link)
		vamdgpu_job_free(q, job, error);
	wake_up_all(&q->wq);
}

/*
 * If a page-table loss cancelled @q, drop its submissions (the running
 * one included) with -ECANCELED and stop the command processor: true.
 * Called by the command processor between commands and after a faulting
 * access, which is how the loss stops a submission in flight.
 */
static bool vamdgpu_queue_drop_lost(struct vamdgpu_queue *q)
{
	bool lost;

	spin_lock(&q->lock);
	lost = q->lost;
	spin_unlock(&q->lock);
	if (lost)
		vamdgpu_queue_drop_jobs(q, -ECANCELED);
	return lost;
}

/* A fault nobody resolved: stop the queue and say so, as amdgpu does. */
static void vamdgpu_queue_vm_fault(struct vamdgpu_queue *q,
				   const struct vamdgpu_fault *fault)
{
	/*
	 * Tests fault on purpose, many times a second: faults over the limit
	 * go unlogged without a "callbacks suppressed" warning, which would
	 * count as a kernel warning against the test that happens to run.
	 */
	static struct ratelimit_state rs =
		RATELIMIT_STATE_INIT_FLAGS(rs, DEFAULT_RATELIMIT_INTERVAL,
					   DEFAULT_RATELIMIT_BURST,
					   RATELIMIT_MSG_ON_RELEASE);
	struct vamdgpu_vm *vm = q->vm;
	struct drm_device *drm = &vm->vdev->drm;

	spin_lock(&q->lock);
	q->error = true;
	q->fault_addr = fault->addr;
	q->fault_flags = fault->flags;
	q->vm_faults++;
	spin_unlock(&q->lock);
	/* Nothing runs again: every fence signals, with the error. */
	vamdgpu_queue_drop_jobs(q, -EIO);

	if (!__ratelimit(&rs))
		return;
	drm_notice(drm, "[gfxhub] page fault (src_id:0 ring:%u vmid:%u pasid:%u)\n",
		   q->id, vm->id, vm->id);
	drm_notice(drm, " in process %s pid %d\n", vm->comm, vm->pid);
	drm_notice(drm, "  in page starting at address 0x%016llx from client 0x1b (UTCL2)\n",
		   fault->addr & PAGE_MASK);
	drm_notice(drm, "VM_L2_PROTECTION_FAULT_STATUS: addr 0x%016llx PERMISSION_FAULTS: %u MAPPING_ERROR: %u RW: 0x%x (%s) XNACK: %s%s%s\n",
		   fault->addr, !!(fault->flags & VAMDGPU_FAULT_PERMISSION),
		   !(fault->flags & VAMDGPU_FAULT_PERMISSION),
		   !!(fault->flags & VAMDGPU_FAULT_WRITE),
		   fault->flags & VAMDGPU_FAULT_WRITE ? "write" : "read",
		   vamdgpu_vm_xnack(vm) ? "on" : "off",
		   fault->flags & VAMDGPU_FAULT_RETRY_FAILED ? ", retry failed" : "",
		   fault->flags & VAMDGPU_FAULT_STALE_PTE ?
		   ", stale PTE (its page was freed or is being migrated)" : "");
}

/*
 * One command of a fenced queue's job, inside the fence's signalling
 * critical section; a fault is a VM fault. False when the queue stopped.
 */
static bool vamdgpu_queue_exec_fenced(struct vamdgpu_queue *q,
				      struct vamdgpu_job *job)
{
	struct vamdgpu_fault fault;
	bool cookie = dma_fence_begin_signalling();
	int ret;

	ret = vamdgpu_queue_exec(q, job, &fault);
	if (!ret)
		vamdgpu_queue_advance(q, job);
	else if (!vamdgpu_queue_drop_lost(q))
		vamdgpu_queue_vm_fault(q, &fault);
	dma_fence_end_signalling(cookie);
	return !ret;
}

static void vamdgpu_queue_work(struct work_struct *work)
{
	struct vamdgpu_queue *q = container_of(work, struct vamdgpu_queue, work);
	struct vamdgpu_fault fault;
	struct vamdgpu_job *job;
	u64 last_fault = ~0ull;

	for (;;) {
		if (vamdgpu_queue_drop_lost(q))
			return;
		spin_lock(&q->lock);
		job = list_first_entry_or_null(&q->jobs, struct vamdgpu_job, link);
		/* A fenced job that started runs to its end: see quiesce. */
		if (!job || q->error || q->dying ||
		    (q->quiesced && !(q->fenced && job->next))) {
			q->busy = false;
			q->running = NULL;
			spin_unlock(&q->lock);
			wake_up_all(&q->wq);
			return;
		}
		q->busy = true;
		q->running = job;
		spin_unlock(&q->lock);

		if (q->fenced) {
			if (!vamdgpu_queue_exec_fenced(q, job))
				return;
			continue;
		}
		if (!vamdgpu_queue_exec(q, job, &fault)) {
			vamdgpu_queue_advance(q, job);
			continue;
		}
		if (vamdgpu_queue_drop_lost(q))
			return;

		/* Faulting: not in flight, a quiesce need not wait for us. */
		spin_lock(&q->lock);
		q->busy = false;
		spin_unlock(&q->lock);
		wake_up_all(&q->wq);

		if (vamdgpu_queue_retry(q, &last_fault, &fault))
			continue;
		vamdgpu_queue_vm_fault(q, &fault);
		return;
	}
}

static void vamdgpu_queue_release(struct kref *ref)
{
	struct vamdgpu_queue *q = container_of(ref, struct vamdgpu_queue, ref);

	free_page((unsigned long)q->bounce);
	kfree(q);
}

/**
 * vamdgpu_queue_put() - drop a reference from vamdgpu_queue_get()
 * @q: the queue
 *
 * Context: any; the last reference is the VM's, dropped after the queue
 * stopped.
 */
void vamdgpu_queue_put(struct vamdgpu_queue *q)
{
	kref_put(&q->ref, vamdgpu_queue_release);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_queue_put);

/**
 * vamdgpu_queue_get() - look a queue up by id
 * @vm: the VM
 * @id: the queue id
 *
 * Context: any.
 * Return: the queue with a reference (vamdgpu_queue_put()), or NULL.
 */
struct vamdgpu_queue *vamdgpu_queue_get(struct vamdgpu_vm *vm, u32 id)
{
	struct vamdgpu_queue *q;

	spin_lock(&vm->queue_lock);
	list_for_each_entry(q, &vm->queues, link) {
		if (q->id == id) {
			kref_get(&q->ref);
			spin_unlock(&vm->queue_lock);
			return q;
		}
	}
	spin_unlock(&vm->queue_lock);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_queue_get);

/**
 * vamdgpu_queue_create() - create a queue
 * @vm: the VM
 * @flags: VAMDGPU_QUEUE_FENCED or 0
 * @id: out: the queue id
 *
 * A queue created while the VM is quiesced starts quiesced.
 *
 * Context: process context, may sleep; takes &vamdgpu_vm.lock.
 * Return: 0, -ENOMEM, -ENOSPC when the VM has VAMDGPU_MAX_QUEUES queues,
 * or -EOPNOTSUPP for a fenced queue while the process runs with XNACK on.
 */
int vamdgpu_queue_create(struct vamdgpu_vm *vm, u32 flags, u32 *id)
{
	struct vamdgpu_queue *q;
	int ret;

	q = kzalloc_obj(*q);
	if (!q)
		return -ENOMEM;
	q->bounce = (void *)__get_free_page(GFP_KERNEL);
	if (!q->bounce) {
		ret = -ENOMEM;
		goto err_free_queue;
	}
	q->vm = vm;
	q->fenced = flags & VAMDGPU_QUEUE_FENCED;
	if (q->fenced)
		q->fence_context = dma_fence_context_alloc(1);
	spin_lock_init(&q->fence_lock);
	kref_init(&q->ref);
	INIT_WORK(&q->work, vamdgpu_queue_work);
	init_waitqueue_head(&q->wq);
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->jobs);

	mutex_lock(&vm->lock);
	if (vm->num_queues >= VAMDGPU_MAX_QUEUES) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	vm->num_queues++;
	/* Counted first: the process's XNACK mode cannot change from here. */
	vamdgpu_svm_queue_created(vm);
	if (q->fenced && vamdgpu_vm_xnack(vm)) {
		vm->num_queues--;
		vamdgpu_svm_queue_destroyed(vm);
		ret = -EOPNOTSUPP;
		goto err_unlock;
	}
	q->id = ++vm->next_queue_id;
	spin_lock(&vm->queue_lock);
	q->quiesced = vm->quiesce_depth > 0;
	list_add_tail(&q->link, &vm->queues);
	spin_unlock(&vm->queue_lock);
	mutex_unlock(&vm->lock);

	*id = q->id;
	return 0;

err_unlock:
	mutex_unlock(&vm->lock);
	free_page((unsigned long)q->bounce);
err_free_queue:
	kfree(q);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_queue_create);

/* Stop an unlinked queue: let the command in flight finish, drop the rest. */
static void vamdgpu_queue_stop(struct vamdgpu_queue *q)
{
	lockdep_assert_held(&q->vm->lock);

	spin_lock(&q->lock);
	q->dying = true;
	spin_unlock(&q->lock);
	cancel_work_sync(&q->work);
	vamdgpu_queue_drop_jobs(q, -ENOENT);
	q->vm->num_queues--;
	vamdgpu_svm_queue_destroyed(q->vm);
	vamdgpu_queue_put(q);
}

/**
 * vamdgpu_queue_destroy() - destroy a queue
 * @vm: the VM
 * @id: the queue id
 *
 * Context: process context, may sleep (waits for the command in flight).
 * Return: 0, or -ENOENT for an unknown queue.
 */
int vamdgpu_queue_destroy(struct vamdgpu_vm *vm, u32 id)
{
	struct vamdgpu_queue *q, *found = NULL;

	mutex_lock(&vm->lock);
	spin_lock(&vm->queue_lock);
	list_for_each_entry(q, &vm->queues, link) {
		if (q->id == id) {
			found = q;
			list_del_init(&q->link);
			break;
		}
	}
	spin_unlock(&vm->queue_lock);
	if (found)
		vamdgpu_queue_stop(found);
	mutex_unlock(&vm->lock);
	return found ? 0 : -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_queue_destroy);

/**
 * vamdgpu_queue_destroy_all() - destroy every queue of a VM
 * @vm: the VM
 *
 * Context: process context, may sleep.
 */
void vamdgpu_queue_destroy_all(struct vamdgpu_vm *vm)
{
	struct vamdgpu_queue *q;

	mutex_lock(&vm->lock);
	for (;;) {
		spin_lock(&vm->queue_lock);
		q = list_first_entry_or_null(&vm->queues, struct vamdgpu_queue, link);
		if (q)
			list_del_init(&q->link);
		spin_unlock(&vm->queue_lock);
		if (!q)
			break;
		vamdgpu_queue_stop(q);
	}
	mutex_unlock(&vm->lock);
}

static struct vamdgpu_job *vamdgpu_job_alloc(u32 num_cmds)
{
	struct vamdgpu_job *job;

	job = kvzalloc(struct_size(job, cmds, num_cmds), GFP_KERNEL_ACCOUNT);
	if (job)
		job->num_cmds = num_cmds;
	return job;
}

/* Validate and queue @job; on success the queue owns it. */
static int vamdgpu_queue_push(struct vamdgpu_queue *q, struct vamdgpu_job *job,
			      u64 *seqno)
{
	u32 i;
	int ret;

	for (i = 0; i < job->num_cmds; i++) {
		ret = vamdgpu_cmd_validate(&job->cmds[i]);
		if (ret)
			return ret;
	}
	if (q->fenced) {
		job->fence = kzalloc_obj(*job->fence);
		if (!job->fence)
			return -ENOMEM;
	}

	spin_lock(&q->lock);
	if (q->error || q->dying || q->lost ||
	    q->submitted - q->completed >= VAMDGPU_QUEUE_MAX_PENDING) {
		ret = q->error ? -EIO : q->dying ? -ENOENT :
		      q->lost ? -ECANCELED : -EBUSY;
		spin_unlock(&q->lock);
		/* Not initialized: a plain free. */
		kfree(job->fence);
		job->fence = NULL;
		return ret;
	}
	job->seqno = ++q->submitted;
	if (job->fence)
		dma_fence_init(job->fence, &vamdgpu_fence_ops, &q->fence_lock,
			       q->fence_context, job->seqno);
	list_add_tail(&job->link, &q->jobs);
	if (!q->quiesced)
		queue_work(q->vm->vdev->wq, &q->work);
	*seqno = job->seqno;
	spin_unlock(&q->lock);
	return 0;
}

/**
 * vamdgpu_queue_submit() - queue commands for execution
 * @q: the queue
 * @cmds: the commands, copied
 * @num_cmds: 1 to VAMDGPU_SUBMIT_MAX_CMDS
 * @seqno: out: completion seqno
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a bad command, -EIO when a VM fault stopped the
 * queue, -ECANCELED when a page-table loss did, -ENOENT when it is being
 * destroyed, -EBUSY when
 * VAMDGPU_QUEUE_MAX_PENDING submissions are pending, -ENOMEM.
 */
int vamdgpu_queue_submit(struct vamdgpu_queue *q,
			 const struct drm_vamdgpu_cmd *cmds, u32 num_cmds,
			 u64 *seqno)
{
	struct vamdgpu_job *job;
	int ret;

	if (!num_cmds || num_cmds > VAMDGPU_SUBMIT_MAX_CMDS)
		return -EINVAL;
	job = vamdgpu_job_alloc(num_cmds);
	if (!job)
		return -ENOMEM;
	memcpy(job->cmds, cmds, flex_array_size(job, cmds, num_cmds));
	ret = vamdgpu_queue_push(q, job, seqno);
	if (ret)
		kvfree(job);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_queue_submit);

/*
 * A page-table loss cancelled what @q had not completed, and nothing of it
 * runs any more: the submission the command processor held stopped too.
 */
static bool vamdgpu_queue_cancelled(struct vamdgpu_queue *q)
{
	lockdep_assert_held(&q->lock);

	return q->lost && list_empty(&q->jobs);
}

/*
 * @q is being destroyed and its submissions not completed were dropped:
 * the one in flight when the destruction began finished first, so until
 * then a waiter cannot tell whether its submission completes.
 */
static bool vamdgpu_queue_destroyed(struct vamdgpu_queue *q)
{
	lockdep_assert_held(&q->lock);

	return q->dying && list_empty(&q->jobs);
}

static bool vamdgpu_queue_wait_done(struct vamdgpu_queue *q, u64 seqno)
{
	bool done;

	spin_lock(&q->lock);
	done = q->completed >= seqno || q->error ||
	       vamdgpu_queue_destroyed(q) || vamdgpu_queue_cancelled(q);
	spin_unlock(&q->lock);
	return done;
}

/**
 * vamdgpu_queue_wait() - wait for a submission to complete
 * @q: the queue
 * @seqno: from vamdgpu_queue_submit()
 * @timeout_ns: relative timeout, 0 to poll
 *
 * Context: process context, sleeps interruptibly.
 * Return: 0 once completed; -ETIME on timeout, also while another thread
 * destroys the queue and the command in flight still runs (it may complete
 * the submission); -EIO if a VM fault stopped the queue first; -ENOENT if
 * the destruction dropped the submission; -EINVAL for a seqno never
 * submitted or a negative timeout; -ERESTARTSYS on a signal.
 */
int vamdgpu_queue_wait(struct vamdgpu_queue *q, u64 seqno, s64 timeout_ns)
{
	unsigned long timeout;
	long ret;

	if (timeout_ns < 0)
		return -EINVAL;
	spin_lock(&q->lock);
	ret = !seqno || seqno > q->submitted ? -EINVAL : 0;
	spin_unlock(&q->lock);
	if (ret)
		return ret;

	timeout = min_t(u64, nsecs_to_jiffies64(timeout_ns), MAX_SCHEDULE_TIMEOUT);
	if (timeout_ns && !timeout)
		timeout = 1;
	ret = wait_event_interruptible_timeout(q->wq,
					       vamdgpu_queue_wait_done(q, seqno),
					       timeout);
	if (ret < 0)
		return ret;

	spin_lock(&q->lock);
	if (q->completed >= seqno)
		ret = 0;
	else if (q->error)
		ret = -EIO;
	else if (vamdgpu_queue_cancelled(q))
		ret = -ECANCELED;
	else if (vamdgpu_queue_destroyed(q))
		ret = -ENOENT;
	else
		ret = -ETIME;
	spin_unlock(&q->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_queue_wait);

/* Each queue of @vm with a reference, into @qs; returns how many. */
static unsigned int vamdgpu_vm_grab_queues(struct vamdgpu_vm *vm,
					   struct vamdgpu_queue **qs)
{
	struct vamdgpu_queue *q;
	unsigned int n = 0;

	lockdep_assert_held(&vm->queue_lock);

	list_for_each_entry(q, &vm->queues, link) {
		if (WARN_ON_ONCE(n == VAMDGPU_MAX_QUEUES))
			break;
		kref_get(&q->ref);
		qs[n++] = q;
	}
	return n;
}

static bool vamdgpu_queue_idle(struct vamdgpu_queue *q)
{
	bool idle;

	spin_lock(&q->lock);
	idle = !q->busy;
	spin_unlock(&q->lock);
	return idle;
}

/*
 * After q->quiesced was set: wait until nothing of @q is in flight. A user
 * queue stops after its current command; a fenced queue finishes the job
 * in flight, whose fence is waited on.
 */
static void vamdgpu_queue_wait_stopped(struct vamdgpu_queue *q)
{
	struct dma_fence *fence = NULL;

	if (!q->fenced) {
		wait_event(q->wq, vamdgpu_queue_idle(q));
		return;
	}
	spin_lock(&q->lock);
	if (q->running)
		fence = dma_fence_get(q->running->fence);
	spin_unlock(&q->lock);
	if (fence) {
		dma_fence_wait(fence, false);
		dma_fence_put(fence);
	}
}

/**
 * vamdgpu_vm_lose_queues() - cancel the submissions of every queue of a VM
 * whose page table is being lost
 * @vm: the VM
 *
 * Marks each queue lost and kicks its command processor, quiesced or not:
 * it stops the submission it executes at its next command or faulting
 * access (vamdgpu_queue_drop_lost()), then cancels that one and all the
 * queued ones, in order, so that their fences signal in seqno order.
 * Called before the PTEs are wiped under the TLB lock, which every access
 * takes: an access that finds a wiped PTE finds its queue lost.
 *
 * Context: process context; the caller holds &vamdgpu_vm.lock, so no queue
 * is created or destroyed meanwhile.
 */
void vamdgpu_vm_lose_queues(struct vamdgpu_vm *vm)
{
	struct vamdgpu_queue *q;

	lockdep_assert_held(&vm->lock);

	spin_lock(&vm->queue_lock);
	list_for_each_entry(q, &vm->queues, link) {
		spin_lock(&q->lock);
		q->lost = true;
		queue_work(vm->vdev->wq, &q->work);
		spin_unlock(&q->lock);
	}
	spin_unlock(&vm->queue_lock);
}

/**
 * vamdgpu_vm_quiesce() - stop every queue of a VM (the quiesce op)
 * @vm: the VM
 *
 * Nests: the queues run again after as many vamdgpu_vm_resume(). Returns
 * once no command is in flight (for a fenced queue: no submission);
 * queues created meanwhile start quiesced.
 *
 * Context: process context, may sleep waiting for the command in flight
 * (which never waits for the SVM core with XNACK off) or on the fence of
 * a fenced queue's submission; allocates nothing, so it may be called from
 * an MMU notifier.
 */
void vamdgpu_vm_quiesce(struct vamdgpu_vm *vm)
{
	struct vamdgpu_queue *qs[VAMDGPU_MAX_QUEUES];
	unsigned int i, n = 0;

	spin_lock(&vm->queue_lock);
	if (!vm->quiesce_depth++) {
		n = vamdgpu_vm_grab_queues(vm, qs);
		for (i = 0; i < n; i++) {
			spin_lock(&qs[i]->lock);
			qs[i]->quiesced = true;
			qs[i]->quiesce_count++;
			spin_unlock(&qs[i]->lock);
		}
	} else {
		n = vamdgpu_vm_grab_queues(vm, qs);
	}
	spin_unlock(&vm->queue_lock);

	for (i = 0; i < n; i++) {
		vamdgpu_queue_wait_stopped(qs[i]);
		vamdgpu_queue_put(qs[i]);
	}
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_quiesce);

/**
 * vamdgpu_vm_resume() - undo one vamdgpu_vm_quiesce() (the resume op)
 * @vm: the VM
 *
 * Context: any.
 * Return: 0, or -EINVAL when the VM is not quiesced.
 */
int vamdgpu_vm_resume(struct vamdgpu_vm *vm)
{
	struct vamdgpu_queue *q;

	spin_lock(&vm->queue_lock);
	if (!vm->quiesce_depth) {
		spin_unlock(&vm->queue_lock);
		return -EINVAL;
	}
	if (!--vm->quiesce_depth) {
		list_for_each_entry(q, &vm->queues, link) {
			spin_lock(&q->lock);
			q->quiesced = false;
			q->resume_count++;
			queue_work(vm->vdev->wq, &q->work);
			spin_unlock(&q->lock);
		}
	}
	spin_unlock(&vm->queue_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_resume);

/**
 * vamdgpu_vm_show_queues() - print the queues of a VM (debugfs)
 * @vm: the VM
 * @m: where to
 *
 * Context: any.
 */
void vamdgpu_vm_show_queues(struct vamdgpu_vm *vm, struct seq_file *m)
{
	struct vamdgpu_queue *q;

	spin_lock(&vm->queue_lock);
	seq_printf(m, "vm %u pid %d comm %s xnack %s quiesce_depth %u tlb_flushes %llu pt_bytes %ld\n",
		   vm->id, vm->pid, vm->comm, vamdgpu_vm_xnack(vm) ? "on" : "off",
		   vm->quiesce_depth, vm->tlb_flushes,
		   atomic_long_read(&vm->pt_bytes));
	list_for_each_entry(q, &vm->queues, link) {
		spin_lock(&q->lock);
		seq_printf(m, "  queue %u state %s submitted %llu completed %llu quiesce %u resume %u retry_faults %u (last 0x%llx %s, %d) vm_faults %u fault_addr 0x%llx tlb_misses %llu\n",
			   q->id, q->error ? "error" : q->lost ? "lost" :
			   q->quiesced ? "quiesced" : "active",
			   q->submitted, q->completed, q->quiesce_count,
			   q->resume_count, q->retry_faults, q->retry_addr,
			   q->retry_flags & VAMDGPU_FAULT_WRITE ? "write" : "read",
			   q->retry_ret, q->vm_faults, q->fault_addr, q->tlb_misses);
		spin_unlock(&q->lock);
	}
	spin_unlock(&vm->queue_lock);
}

int vamdgpu_queue_create_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct vamdgpu_vm *vm = vamdgpu_vm_of_caller(file);
	struct drm_vamdgpu_queue_create *args = data;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if ((args->flags & ~VAMDGPU_QUEUE_FENCED) || args->queue_id)
		return -EINVAL;
	return vamdgpu_queue_create(vm, args->flags, &args->queue_id);
}

int vamdgpu_queue_destroy_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct vamdgpu_vm *vm = vamdgpu_vm_of_caller(file);
	struct drm_vamdgpu_queue_destroy *args = data;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (args->pad)
		return -EINVAL;
	return vamdgpu_queue_destroy(vm, args->queue_id);
}

int vamdgpu_submit_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct vamdgpu_vm *vm = vamdgpu_vm_of_caller(file);
	struct drm_vamdgpu_submit *args = data;
	struct vamdgpu_queue *q;
	struct vamdgpu_job *job;
	int ret;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (args->pad || !args->num_cmds ||
	    args->num_cmds > VAMDGPU_SUBMIT_MAX_CMDS)
		return -EINVAL;

	q = vamdgpu_queue_get(vm, args->queue_id);
	if (!q)
		return -ENOENT;

	vamdgpu_vm_revalidate(vm);
	job = vamdgpu_job_alloc(args->num_cmds);
	if (!job) {
		ret = -ENOMEM;
		goto out_put;
	}
	if (copy_from_user(job->cmds, u64_to_user_ptr(args->cmds),
			   flex_array_size(job, cmds, job->num_cmds))) {
		ret = -EFAULT;
		goto out_free;
	}
	ret = vamdgpu_queue_push(q, job, &args->seqno);
	if (!ret)
		goto out_put;
out_free:
	kvfree(job);
out_put:
	vamdgpu_queue_put(q);
	return ret;
}

int vamdgpu_wait_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct vamdgpu_vm *vm = vamdgpu_vm_of_caller(file);
	struct drm_vamdgpu_wait *args = data;
	struct vamdgpu_queue *q;
	int ret;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (args->pad)
		return -EINVAL;
	q = vamdgpu_queue_get(vm, args->queue_id);
	if (!q)
		return -ENOENT;
	ret = vamdgpu_queue_wait(q, args->seqno, args->timeout_ns);
	vamdgpu_queue_put(q);
	return ret;
}

int vamdgpu_queue_status_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct vamdgpu_vm *vm = vamdgpu_vm_of_caller(file);
	struct drm_vamdgpu_queue_status *args = data;
	struct vamdgpu_queue *q;
	u32 id = args->queue_id;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (args->pad)
		return -EINVAL;
	q = vamdgpu_queue_get(vm, id);
	if (!q)
		return -ENOENT;

	memset(args, 0, sizeof(*args));
	args->queue_id = id;
	spin_lock(&q->lock);
	args->state = q->error ? VAMDGPU_QUEUE_STATE_ERROR :
		      q->lost ? VAMDGPU_QUEUE_STATE_LOST :
		      q->quiesced ? VAMDGPU_QUEUE_STATE_QUIESCED :
		      VAMDGPU_QUEUE_STATE_ACTIVE;
	args->submitted_seqno = q->submitted;
	args->completed_seqno = q->completed;
	args->fault_addr = q->fault_addr;
	args->fault_flags = q->fault_flags;
	args->read_value = q->read_value;
	args->quiesce_count = q->quiesce_count;
	args->resume_count = q->resume_count;
	args->retry_fault_count = q->retry_faults;
	args->vm_fault_count = q->vm_faults;
	args->tlb_miss_count = READ_ONCE(q->tlb_misses);
	spin_unlock(&q->lock);
	vamdgpu_queue_put(q);
	return 0;
}
