/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_VM_H_
#define _VAMDGPU_VM_H_

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct amdgpu_svm;
struct drm_device;
struct drm_file;
struct drm_pagemap;
struct drm_pagemap_addr;
struct page;
struct vamdgpu_device;
struct vamdgpu_vm;

/*
 * The virtual GPU's PTE: a 4 KiB page, the address in bits 51:12, flags in
 * the low bits. With VAMDGPU_PTE_VRAM the address is an offset into the
 * device's own VRAM, otherwise a DMA address of system memory.
 */
#define VAMDGPU_PTE_VALID	BIT_ULL(0)
#define VAMDGPU_PTE_READ	BIT_ULL(1)
#define VAMDGPU_PTE_WRITE	BIT_ULL(2)
#define VAMDGPU_PTE_EXEC	BIT_ULL(3)
#define VAMDGPU_PTE_SNOOPED	BIT_ULL(4)
#define VAMDGPU_PTE_VRAM	BIT_ULL(5)
#define VAMDGPU_PTE_FLAGS	GENMASK_ULL(5, 0)
/*
 * Ignored by the GPU, as amdgpu's software PTE bits are: the page is user
 * memory the VM pinned and maps by hand (vamdgpu_userptr.c), not SVM's.
 */
#define VAMDGPU_PTE_PINNED	BIT_ULL(7)
#define VAMDGPU_PTE_ADDR_MASK	GENMASK_ULL(51, 12)
/*
 * With VAMDGPU_PTE_VRAM: the generation of the VRAM block the page had
 * when the PTE was written (vamdgpu_vram_page_gen()). The model's own
 * check, ignored as an address: a PTE whose page changed hands since is
 * stale.
 */
#define VAMDGPU_PTE_VRAM_GEN	GENMASK_ULL(63, 52)

/* A leaf page table covers 512 PTEs, 2 MiB of GPU VA, like amdgpu's PTB. */
#define VAMDGPU_PT_LEAF_SHIFT	9
#define VAMDGPU_PT_LEAF_PTES	BIT(VAMDGPU_PT_LEAF_SHIFT)

/* The TLB: direct-mapped, indexed by the low bits of the page number. */
#define VAMDGPU_TLB_ENTRIES	64

/* Queues one process may create on one GPU. */
#define VAMDGPU_MAX_QUEUES	16

/**
 * enum vamdgpu_access - what a GPU memory access does
 * @VAMDGPU_ACCESS_READ: copy from GPU VA to the buffer
 * @VAMDGPU_ACCESS_WRITE: copy from the buffer to GPU VA
 * @VAMDGPU_ACCESS_ATOMIC_ADD: add the u64 in the buffer to the u64 at GPU
 *	VA; the old value is returned in the buffer
 */
enum vamdgpu_access {
	VAMDGPU_ACCESS_READ,
	VAMDGPU_ACCESS_WRITE,
	VAMDGPU_ACCESS_ATOMIC_ADD,
};

/**
 * struct vamdgpu_fault - a GPU access that missed the page table
 */
struct vamdgpu_fault {
	/** @addr: the faulting GPU virtual address (byte exact). */
	u64 addr;
	/** @flags: VAMDGPU_FAULT_* bits of the UAPI. */
	u32 flags;
};

/**
 * struct vamdgpu_fault_handler - who resolves GPU page faults (XNACK on)
 *
 * With XNACK on, a GPU access that misses the page table, or lacks the
 * permission it needs, calls @handle_fault and retries the access when it
 * returns 0. The built-in handler serves VAMDGPU_VM_MAP_LAZY mappings of
 * the hand-mapping path (vamdgpu_userptr.c) and passes every other
 * address to the SVM core (amdgpu_svm_handle_fault()); KUnit tests plug
 * in their own.
 */
struct vamdgpu_fault_handler {
	/**
	 * @handle_fault: map the page at @addr (required)
	 * @vm: the VM the access went through
	 * @priv: as given to vamdgpu_vm_set_fault_handler()
	 * @addr: the faulting GPU virtual address
	 * @write: the access writes
	 *
	 * Context: the queue's worker, process context, may sleep; no
	 * vamdgpu lock held; not in the address space of the process.
	 * Return: 0 (or -EAGAIN) to retry the access, any other errno makes
	 * the fault a VM fault that stops the queue.
	 */
	int (*handle_fault)(struct vamdgpu_vm *vm, void *priv, u64 addr,
			    bool write);
};

/**
 * struct vamdgpu_tlb_entry - one cached translation
 */
struct vamdgpu_tlb_entry {
	/** @vpn: GPU virtual page number. */
	u64 vpn;
	/** @pte: the PTE as the walk found it; 0 for an empty entry. */
	u64 pte;
	/**
	 * @page: the system page of @pte, referenced while cached so that a
	 * stale translation (a missing flush) reads stale data rather than
	 * freed memory; NULL for VRAM (whose pages are checked at each
	 * access instead).
	 */
	struct page *page;
};

/**
 * struct vamdgpu_vm - the GPU virtual address space of one process on one
 * virtual GPU (one per open render-node file)
 *
 * Locking, outermost first:
 *
 * - @lock (mutex): ioctl-side state: @xnack_enabled, @num_queues,
 *   @user_quiesces, @pt_lost, queue creation and destruction. The
 *   SVM lock nests inside it (SET_XNACK, vamdgpu_vm_revalidate()). May be
 *   held across GFP_KERNEL allocations; never taken by anything the SVM
 *   core calls from its notifier.
 * - @userptr_lock (mutex): the hand-mapped userptr list; taken by the
 *   built-in fault handler, so never held while waiting for a queue.
 * - @fault_handler is set while the VM has no queue (under @lock) and is
 *   read by the queue workers without a lock.
 * - @tlb_lock (mutex): the TLB; held across every GPU memory access, so
 *   vamdgpu_vm_flush_tlb() also waits for accesses in flight. No
 *   allocation under it: it is taken from MMU notifiers.
 * - @pt_lock (spinlock): serializes PTE writers. Walkers read PTEs
 *   locklessly (leaves are only freed with the VM).
 * - @queue_lock (spinlock): @queues and @quiesce_depth; nests outside
 *   each queue's own lock.
 */
struct vamdgpu_vm {
	/** @vdev: the GPU. */
	struct vamdgpu_device *vdev;
	/** @link: in &vamdgpu_device.vms. */
	struct list_head link;
	/** @id: a small number naming the VM in logs, as a PASID would. */
	u32 id;
	/** @pid: thread-group id of the process that opened the device. */
	pid_t pid;
	/**
	 * @mm: the address space of that process (mmgrab()ed, for identity
	 * only), or NULL for a VM made without one (KUnit); only its own
	 * process may drive the VM (vamdgpu_vm_of_caller()).
	 */
	struct mm_struct *mm;
	/** @comm: its command name. */
	char comm[TASK_COMM_LEN];

	/** @lock: see above. */
	struct mutex lock;
	/**
	 * @xnack_enabled: GPU faults retry (XNACK on), while the VM has no
	 * SVM context; with one, the process's mode is the truth
	 * (vamdgpu_vm_xnack()).
	 */
	bool xnack_enabled;
	/**
	 * @dpagemap: the drm_pagemap SVM migrates into (a reference), or
	 * NULL; set with @svm.
	 */
	struct drm_pagemap *dpagemap;
	/** @num_queues: queues alive, for the XNACK-mode rule. */
	unsigned int num_queues;
	/** @next_queue_id: id of the next queue; ids are not reused. */
	u32 next_queue_id;
	/**
	 * @user_quiesces: quiesces made by VAMDGPU_VM_OP_QUIESCE and not yet
	 * resumed, so userspace can only undo its own, never the SVM core's.
	 */
	unsigned int user_quiesces;

	/** @queue_lock: see above. */
	spinlock_t queue_lock;
	/** @queues: the &vamdgpu_queue list. */
	struct list_head queues;
	/** @quiesce_depth: nesting of vamdgpu_vm_quiesce(). */
	unsigned int quiesce_depth;

	/** @pt_lock: see above. */
	spinlock_t pt_lock;
	/** @pt: leaf page tables, indexed by VA >> 21. */
	struct xarray pt;
	/** @pt_bytes: memory of the leaves in @pt (shown in debugfs). */
	atomic_long_t pt_bytes;

	/** @tlb_lock: see above. */
	struct mutex tlb_lock;
	/** @tlb: the cached translations. */
	struct vamdgpu_tlb_entry tlb[VAMDGPU_TLB_ENTRIES];
	/** @tlb_flushes: number of TLB flushes. */
	u64 tlb_flushes;

	/** @fault_handler: resolves faults with XNACK on. */
	const struct vamdgpu_fault_handler *fault_handler;
	/** @fault_priv: for @fault_handler. */
	void *fault_priv;

	/** @userptr_lock: see above. */
	struct mutex userptr_lock;
	/** @userptrs: hand-mapped user memory (vamdgpu_userptr.c). */
	struct list_head userptrs;
	/**
	 * @svm: SVM context, created at open (or at the first SVM ioctl
	 * when the process's XNACK mode kept the GPU out then), under @lock;
	 * read by the queue workers without it.
	 */
	struct amdgpu_svm *svm;
	/**
	 * @svm_check: an MMU notifier on @mm that checks, after the SVM
	 * core's, that nothing of an invalidated span stays mapped
	 * (vamdgpu_svm.c, DOC: SVM glue); registered with @svm when the
	 * process that opened the file makes it, else never (@svm_check.mm
	 * NULL).
	 */
	struct mmu_notifier svm_check;
	/**
	 * @pt_lost: the page table was wiped (vamdgpu_vm_lose_ptes()) and
	 * not yet rebuilt (vamdgpu_vm_revalidate()); written under @lock.
	 */
	bool pt_lost;
};

struct vamdgpu_vm *vamdgpu_vm_create(struct vamdgpu_device *vdev);
void vamdgpu_vm_destroy(struct vamdgpu_vm *vm);
struct vamdgpu_vm *vamdgpu_vm_from_file(struct drm_file *file);
struct vamdgpu_vm *vamdgpu_vm_of_caller(struct drm_file *file);
bool vamdgpu_vm_xnack(struct vamdgpu_vm *vm);

int vamdgpu_vm_reserve_range(struct vamdgpu_vm *vm, u64 start, u64 end);
int vamdgpu_vm_set_pte(struct vamdgpu_vm *vm, u64 va, u64 pte);
int vamdgpu_vm_update_range(struct vamdgpu_vm *vm, u64 start, u64 end,
			    const struct drm_pagemap_addr *addrs, u64 flags);
void vamdgpu_vm_clear_range(struct vamdgpu_vm *vm, u64 start, u64 end);
u64 vamdgpu_vm_read_pte(struct vamdgpu_vm *vm, u64 va);
u64 vamdgpu_vm_first_reachable(struct vamdgpu_vm *vm, u64 start, u64 end);
void vamdgpu_vm_flush_tlb(struct vamdgpu_vm *vm);
void vamdgpu_vm_lose_ptes(struct vamdgpu_vm *vm);
void vamdgpu_vm_revalidate(struct vamdgpu_vm *vm);
int vamdgpu_vm_access(struct vamdgpu_vm *vm, u64 va, void *buf, size_t len,
		      enum vamdgpu_access access, bool *tlb_miss,
		      struct vamdgpu_fault *fault);

int vamdgpu_vm_set_fault_handler(struct vamdgpu_vm *vm,
				 const struct vamdgpu_fault_handler *handler,
				 void *priv);
int vamdgpu_vm_handle_fault(struct vamdgpu_vm *vm, u64 addr, bool write);

int vamdgpu_vm_set_xnack(struct vamdgpu_vm *vm, bool enable);

int vamdgpu_set_xnack_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file);
int vamdgpu_vm_op_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file);

#endif /* _VAMDGPU_VM_H_ */
