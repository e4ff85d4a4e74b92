/* SPDX-License-Identifier: MIT */
/*
 * UAPI of the virtual amdgpu device (vamdgpu), the software stand-in for
 * gfx1100 and gfx943 that the SVM driver and its tests run on where no AMD
 * GPU exists.
 *
 * Copyright 2026 The amdgpu-svm authors
 */
#ifndef _UAPI_VAMDGPU_DRM_H_
#define _UAPI_VAMDGPU_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_VAMDGPU_INFO		0x00
#define DRM_VAMDGPU_SET_XNACK		0x01
#define DRM_VAMDGPU_VM_OP		0x02
#define DRM_VAMDGPU_QUEUE_CREATE	0x03
#define DRM_VAMDGPU_QUEUE_DESTROY	0x04
#define DRM_VAMDGPU_SUBMIT		0x05
#define DRM_VAMDGPU_WAIT		0x06
#define DRM_VAMDGPU_QUEUE_STATUS	0x07
/* 0x20 is DRM_AMDGPU_GEM_SVM (amdgpu_svm_drm.h): keep it free. */

#define DRM_IOCTL_VAMDGPU_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VAMDGPU_INFO, struct drm_vamdgpu_info)
#define DRM_IOCTL_VAMDGPU_SET_XNACK \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VAMDGPU_SET_XNACK, struct drm_vamdgpu_set_xnack)
#define DRM_IOCTL_VAMDGPU_VM_OP \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VAMDGPU_VM_OP, struct drm_vamdgpu_vm_op)
#define DRM_IOCTL_VAMDGPU_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VAMDGPU_QUEUE_CREATE, struct drm_vamdgpu_queue_create)
#define DRM_IOCTL_VAMDGPU_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VAMDGPU_QUEUE_DESTROY, struct drm_vamdgpu_queue_destroy)
#define DRM_IOCTL_VAMDGPU_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VAMDGPU_SUBMIT, struct drm_vamdgpu_submit)
#define DRM_IOCTL_VAMDGPU_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VAMDGPU_WAIT, struct drm_vamdgpu_wait)
#define DRM_IOCTL_VAMDGPU_QUEUE_STATUS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VAMDGPU_QUEUE_STATUS, struct drm_vamdgpu_queue_status)

/** Length of &drm_vamdgpu_info.gfx_target, including the terminating NUL. */
#define VAMDGPU_GFX_TARGET_LEN	16

/** The device can run with XNACK (GPU page-fault retry) enabled. */
#define VAMDGPU_INFO_XNACK_CAPABLE	(1u << 0)
/**
 * XNACK is enabled for the process that opened the file: the same answer
 * on every file of that process (see DRM_IOCTL_VAMDGPU_SET_XNACK).
 */
#define VAMDGPU_INFO_XNACK_ENABLED	(1u << 1)

/*
 * Every ioctl but INFO drives the GPU address space of the process that
 * opened the file (its queues run on that process's memory): called by
 * any other process, such as a forked child that inherited the file, it
 * fails with -EBADF before any other check.
 */

/**
 * struct drm_vamdgpu_info - what the virtual GPU is (DRM_IOCTL_VAMDGPU_INFO)
 *
 * Read-only: every field is written by the kernel. @pad must be zero on
 * entry, otherwise the ioctl fails with -EINVAL.
 */
struct drm_vamdgpu_info {
	/** @gfx_target: NUL-terminated gfx target name, "gfx1100" or "gfx943". */
	char gfx_target[VAMDGPU_GFX_TARGET_LEN];
	/** @device_id: the PCI device id of the GPU this one imitates. */
	__u32 device_id;
	/** @flags: VAMDGPU_INFO_* bits. */
	__u32 flags;
	/** @vram_size: bytes of device-private memory ("VRAM"). */
	__u64 vram_size;
	/** @page_size: GPU page size in bytes. */
	__u32 page_size;
	/** @fragment_size: largest GPU PTE fragment in bytes. */
	__u32 fragment_size;
	/** @instance: index of this virtual GPU among all vamdgpu devices. */
	__u32 instance;
	/** @pad: must be zero. */
	__u32 pad;
	/**
	 * @gpu_id: the id SVM attributes name this GPU by (ACCESS,
	 * PREFERRED_LOC, ...); unique, never 0 nor 0xffffffff. Absent (0)
	 * from kernels that predate it.
	 */
	__u32 gpu_id;
	/** @max_queues: queues one process may create on this GPU. */
	__u32 max_queues;
};

/**
 * struct drm_vamdgpu_set_xnack - XNACK mode of the calling process
 * (DRM_IOCTL_VAMDGPU_SET_XNACK), as KFD's AMDKFD_IOC_SET_XNACK_MODE
 *
 * XNACK on: a GPU access that misses the GPU page table is retried after
 * the SVM fault handler mapped it. XNACK off (the default): such an access
 * is a VM fault that stops the queue.
 *
 * The mode is the process's: it applies to every file the process opened
 * on every virtual GPU, and a file opened later starts in it.
 *
 * Errors: -EBADF from another process; -EINVAL for @xnack_enabled > 1 or
 * a non-zero @pad; -EOPNOTSUPP to enable XNACK while the process has a
 * GPU that cannot retry faults open (gfx1100); -EBUSY while the process
 * has a queue on any GPU, even to set the mode in force (as KFD).
 */
struct drm_vamdgpu_set_xnack {
	/**
	 * @xnack_enabled: in: 0 off, 1 on, negative: only query. Out: the
	 * mode now in force.
	 */
	__s32 xnack_enabled;
	/** @pad: must be zero. */
	__u32 pad;
};

/**
 * enum drm_vamdgpu_vm_op_type - &drm_vamdgpu_vm_op.op
 *
 * The hand-mapping path: maps user memory into the GPU page table of the
 * calling process without the SVM driver, for tests of the device model.
 *
 * @VAMDGPU_VM_OP_MAP_USERPTR: pin [userptr, userptr + size) and map it at
 *	GPU VA [va, va + size). Flags: VAMDGPU_VM_MAP_READ_ONLY,
 *	VAMDGPU_VM_MAP_LAZY, VAMDGPU_VM_SKIP_TLB_FLUSH. -EEXIST if the span
 *	overlaps a mapping, -EADDRINUSE if it overlaps SVM memory (SVM
 *	attributes set or SVM ranges, as amdgpu refuses a GEM VA there; SVM
 *	SET_ATTR refuses such a mapping's span the same way), -EFAULT if the
 *	user memory cannot be pinned.
 * @VAMDGPU_VM_OP_UNMAP: clear and unpin the mapping that starts at @va
 *	and is @size long (-ENOENT if there is none). Flags:
 *	VAMDGPU_VM_SKIP_TLB_FLUSH.
 * @VAMDGPU_VM_OP_FLUSH_TLB: flush the GPU TLB of the process; @va,
 *	@size, @userptr and @flags must be zero.
 * @VAMDGPU_VM_OP_QUIESCE: stop all queues of the process on this GPU, as
 *	the SVM driver does before evicting (test hook); nests. Other fields
 *	zero.
 * @VAMDGPU_VM_OP_RESUME: undo one QUIESCE of this process (-EINVAL if none
 *	is left to undo; quiesces of the SVM driver are not undone).
 */
enum drm_vamdgpu_vm_op_type {
	VAMDGPU_VM_OP_MAP_USERPTR = 0,
	VAMDGPU_VM_OP_UNMAP = 1,
	VAMDGPU_VM_OP_FLUSH_TLB = 2,
	VAMDGPU_VM_OP_QUIESCE = 3,
	VAMDGPU_VM_OP_RESUME = 4,
};

/** Map without GPU write permission: a GPU write is a permission fault. */
#define VAMDGPU_VM_MAP_READ_ONLY	(1u << 0)
/**
 * Pin and record the mapping, but write no PTE: the first GPU access to
 * each page faults. With XNACK on the built-in fault handler then maps the
 * page and the access retries; with XNACK off it is a VM fault.
 */
#define VAMDGPU_VM_MAP_LAZY		(1u << 1)
/**
 * Change the page table without flushing the GPU TLB afterwards, so the
 * GPU may go on using stale translations (to prove the TLB is real).
 */
#define VAMDGPU_VM_SKIP_TLB_FLUSH	(1u << 2)

/** Largest &drm_vamdgpu_vm_op.size of one MAP_USERPTR. */
#define VAMDGPU_VM_MAP_MAX_SIZE		(256ull << 20)
/** GPU virtual addresses are below this (47 bits, as user space). */
#define VAMDGPU_VA_LIMIT		(1ull << 47)

/**
 * struct drm_vamdgpu_vm_op - change the GPU VM of the calling process
 * (DRM_IOCTL_VAMDGPU_VM_OP)
 *
 * @va, @size and @userptr are page aligned; @size is not zero, at most
 * VAMDGPU_VM_MAP_MAX_SIZE (-E2BIG beyond), and [@va, @va + @size) lies
 * below VAMDGPU_VA_LIMIT. Anything else, unknown ops and unknown flags:
 * -EINVAL.
 */
struct drm_vamdgpu_vm_op {
	/** @op: enum drm_vamdgpu_vm_op_type. */
	__u32 op;
	/** @flags: VAMDGPU_VM_* bits valid for @op. */
	__u32 flags;
	/** @va: GPU virtual address. */
	__u64 va;
	/** @size: bytes. */
	__u64 size;
	/** @userptr: CPU virtual address of the memory to map (MAP_USERPTR). */
	__u64 userptr;
};

/**
 * VAMDGPU_QUEUE_FENCED - &drm_vamdgpu_queue_create.flags: a fenced queue
 *
 * The kernel's command submission (amdgpu's CS) rather than a user queue:
 * every submission carries a dma_fence, signalled when its last command
 * completed, and a quiesce waits for the submission in flight to complete
 * (not only its current command), holding back the ones after it. Jobs
 * with dma-fences must not wait for page faults (the kernel's dma-buf
 * rules), so a translation miss or permission fault of a fenced queue is a
 * VM fault in either XNACK mode, and creating one while the process runs
 * with XNACK on fails with -EOPNOTSUPP.
 */
#define VAMDGPU_QUEUE_FENCED	(1u << 0)

/**
 * struct drm_vamdgpu_queue_create - create a compute queue
 * (DRM_IOCTL_VAMDGPU_QUEUE_CREATE)
 *
 * Errors: -EINVAL for unknown @flags or a non-zero @queue_id, -ENOSPC when
 * the process already has &drm_vamdgpu_info.max_queues queues on this GPU,
 * -EOPNOTSUPP for VAMDGPU_QUEUE_FENCED with XNACK on.
 */
struct drm_vamdgpu_queue_create {
	/** @flags: VAMDGPU_QUEUE_FENCED or zero. */
	__u32 flags;
	/** @queue_id: out: the new queue. */
	__u32 queue_id;
};

/**
 * struct drm_vamdgpu_queue_destroy - destroy a queue
 * (DRM_IOCTL_VAMDGPU_QUEUE_DESTROY)
 *
 * Work not yet executed is dropped; a command in flight finishes first.
 * Errors: -ENOENT for an unknown @queue_id, -EINVAL for non-zero @pad.
 */
struct drm_vamdgpu_queue_destroy {
	/** @queue_id: the queue. */
	__u32 queue_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/**
 * enum drm_vamdgpu_cmd_op - &drm_vamdgpu_cmd.op: what the GPU can do
 *
 * Every address is a GPU virtual address translated by the GPU page table
 * of the process (through its TLB).
 *
 * @VAMDGPU_CMD_READ: read @size bytes at @src (4 or a multiple of 8); the
 *	first 8 (or 4) bytes become &drm_vamdgpu_queue_status.read_value.
 * @VAMDGPU_CMD_WRITE: write the low @size bytes (4 or 8) of @value at @dst.
 * @VAMDGPU_CMD_FILL: fill @size bytes (a multiple of 4) at @dst with the
 *	32-bit pattern in the low half of @value.
 * @VAMDGPU_CMD_COPY: copy @size bytes from @src to @dst.
 * @VAMDGPU_CMD_ATOMIC_ADD: add @value to the 64-bit word at @dst (8-byte
 *	aligned, @size 8), atomically also against the CPU; the old value
 *	becomes &drm_vamdgpu_queue_status.read_value.
 * @VAMDGPU_CMD_FENCE: write the 64-bit @value at @dst (8-byte aligned,
 *	@size 8) once every earlier command completed: a release-memory
 *	fence the CPU can poll.
 */
enum drm_vamdgpu_cmd_op {
	VAMDGPU_CMD_READ = 0,
	VAMDGPU_CMD_WRITE = 1,
	VAMDGPU_CMD_FILL = 2,
	VAMDGPU_CMD_COPY = 3,
	VAMDGPU_CMD_ATOMIC_ADD = 4,
	VAMDGPU_CMD_FENCE = 5,
};

/** Largest &drm_vamdgpu_cmd.size. */
#define VAMDGPU_CMD_MAX_SIZE	(64ull << 20)
/** Most commands in one submission. */
#define VAMDGPU_SUBMIT_MAX_CMDS	1024
/** Most submissions a queue holds before they complete (the "ring" size). */
#define VAMDGPU_QUEUE_MAX_PENDING	256

/**
 * struct drm_vamdgpu_cmd - one command of a submission
 *
 * Fields an op does not use must be zero. Sizes and alignments as in
 * enum drm_vamdgpu_cmd_op, at most VAMDGPU_CMD_MAX_SIZE, and no address
 * span may wrap around: otherwise the submission fails with -EINVAL.
 * Addresses the page table does not map are not checked at submission:
 * the GPU finds them when it executes the command (a fault).
 */
struct drm_vamdgpu_cmd {
	/** @op: enum drm_vamdgpu_cmd_op. */
	__u32 op;
	/** @flags: must be zero. */
	__u32 flags;
	/** @dst: destination GPU VA (WRITE, FILL, COPY, ATOMIC_ADD, FENCE). */
	__u64 dst;
	/** @src: source GPU VA (READ, COPY). */
	__u64 src;
	/** @size: bytes. */
	__u64 size;
	/** @value: immediate operand (WRITE, FILL, ATOMIC_ADD, FENCE). */
	__u64 value;
};

/**
 * struct drm_vamdgpu_submit - queue commands for execution
 * (DRM_IOCTL_VAMDGPU_SUBMIT)
 *
 * The commands run asynchronously, in order, after everything submitted
 * earlier to the queue. Errors: -ENOENT unknown queue; -EINVAL for
 * @num_cmds 0 or above VAMDGPU_SUBMIT_MAX_CMDS, a bad command or non-zero
 * @pad; -EFAULT for an unreadable @cmds; -EIO when the queue was stopped
 * by a VM fault; -ECANCELED when a page-table loss made it lost
 * (VAMDGPU_QUEUE_STATE_LOST); -EBUSY when VAMDGPU_QUEUE_MAX_PENDING submissions are
 * pending (the ring is full: wait for one and retry).
 */
struct drm_vamdgpu_submit {
	/** @queue_id: the queue. */
	__u32 queue_id;
	/** @num_cmds: number of entries at @cmds. */
	__u32 num_cmds;
	/** @cmds: user pointer to an array of struct drm_vamdgpu_cmd. */
	__u64 cmds;
	/** @seqno: out: completion sequence number of this submission. */
	__u64 seqno;
	/** @pad: must be zero. */
	__u64 pad;
};

/**
 * struct drm_vamdgpu_wait - wait for a submission to complete
 * (DRM_IOCTL_VAMDGPU_WAIT)
 *
 * Returns 0 once the queue completed @seqno. Errors: -ETIME when
 * @timeout_ns passed first; -EIO when a VM fault stopped the queue before
 * @seqno completed; -ECANCELED when a page-table loss (a GPU reset that
 * lost VRAM) cancelled it, or a submission before it; -EINVAL for @seqno
 * 0, a @seqno never returned by SUBMIT, a negative @timeout_ns or non-zero
 * @pad; -ENOENT unknown queue; -EINTR/-ERESTARTSYS on a signal.
 */
struct drm_vamdgpu_wait {
	/** @queue_id: the queue. */
	__u32 queue_id;
	/** @pad: must be zero. */
	__u32 pad;
	/** @seqno: from &drm_vamdgpu_submit.seqno. */
	__u64 seqno;
	/** @timeout_ns: relative timeout; 0 only polls. */
	__s64 timeout_ns;
};

/** &drm_vamdgpu_queue_status.state: commands may run (not quiesced). */
#define VAMDGPU_QUEUE_STATE_ACTIVE	0
/** &drm_vamdgpu_queue_status.state: quiesced; nothing new starts. */
#define VAMDGPU_QUEUE_STATE_QUIESCED	1
/** &drm_vamdgpu_queue_status.state: stopped by a VM fault, for good. */
#define VAMDGPU_QUEUE_STATE_ERROR	2
/**
 * &drm_vamdgpu_queue_status.state: a page-table loss (a GPU reset that
 * lost VRAM) cancelled the queue's submissions; it takes no more, for
 * good: make a new queue.
 */
#define VAMDGPU_QUEUE_STATE_LOST	3

/** &drm_vamdgpu_queue_status.fault_flags: the faulting access wrote. */
#define VAMDGPU_FAULT_WRITE		(1u << 0)
/** The page was mapped, without the permission the access needed. */
#define VAMDGPU_FAULT_PERMISSION	(1u << 1)
/** The fault handler was asked (XNACK on) and could not map the page. */
#define VAMDGPU_FAULT_RETRY_FAILED	(1u << 2)
/**
 * The PTE was valid but its system page was already freed, or frozen for
 * migration or reclaim, or its VRAM page was freed (also through a
 * translation the TLB cached): the driver left a mapping the CPU side
 * took back, which real hardware would have used (stale data, another
 * user's data, corruption). Reported as a mapping error that names it.
 */
#define VAMDGPU_FAULT_STALE_PTE		(1u << 3)

/**
 * struct drm_vamdgpu_queue_status - state and counters of a queue
 * (DRM_IOCTL_VAMDGPU_QUEUE_STATUS)
 *
 * Errors: -ENOENT unknown queue, -EINVAL non-zero @pad.
 */
struct drm_vamdgpu_queue_status {
	/** @queue_id: in: the queue. */
	__u32 queue_id;
	/** @state: VAMDGPU_QUEUE_STATE_*. */
	__u32 state;
	/** @submitted_seqno: seqno of the last submission. */
	__u64 submitted_seqno;
	/** @completed_seqno: seqno of the last completed submission. */
	__u64 completed_seqno;
	/** @fault_addr: GPU VA of the VM fault that stopped the queue. */
	__u64 fault_addr;
	/** @fault_flags: VAMDGPU_FAULT_* bits of that fault. */
	__u32 fault_flags;
	/** @pad: must be zero. */
	__u32 pad;
	/** @read_value: result of the last READ or ATOMIC_ADD. */
	__u64 read_value;
	/** @quiesce_count: times the queue was quiesced. */
	__u32 quiesce_count;
	/** @resume_count: times the queue was resumed. */
	__u32 resume_count;
	/** @retry_fault_count: faults the fault handler resolved (XNACK on). */
	__u32 retry_fault_count;
	/** @vm_fault_count: VM faults (0 or 1: the first stops the queue). */
	__u32 vm_fault_count;
	/** @tlb_miss_count: GPU TLB misses (page-table walks). */
	__u64 tlb_miss_count;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_VAMDGPU_DRM_H_ */
