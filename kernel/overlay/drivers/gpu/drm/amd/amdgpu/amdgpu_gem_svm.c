// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: amdgpu GEM SVM backend
 *
 * The amdgpu SVM core (drivers/gpu/drm/amd/svm/, amdgpu_svm.ko) is
 * hardware agnostic: it reaches the GPU only through &struct
 * amdgpu_svm_gpu_ops. This file implements that table on amdgpu and wires
 * DRM_AMDGPU_GEM_SVM into amdgpu render nodes:
 *
 * - PTE update and clear go through amdgpu_vm_update_range() on the VM of
 *   the render node file (&amdgpu_fpriv.vm), with the PTE flags of the GPU
 *   family (amdgpu_gem_svm_pte_flags(): MTYPE and snooping differ between
 *   gfx9.4.3 and gfx11, as in KFD's svm_range_get_pte_flags()); with
 *   XNACK on their jobs and those of the page tables under them run on
 *   the VM's immediate entity, never behind a job that waits for a
 *   command submission stalled on the fault they resolve
 *   (amdgpu_gem_svm_immediate());
 * - the TLB flush is a heavyweight flush of the VM's PASID on every XCC,
 *   and cleared PTEs advance the VM's TLB sequence, so that the next
 *   command submission flushes its VMID too;
 * - quiesce and resume stop and restart the KFD queues of the process
 *   with kgd2kfd_quiesce_mm() and kgd2kfd_resume_mm(), and hold back
 *   command submission on the render node in between. The core quiesces
 *   only the context whose mappings change, and the submission gate is
 *   per file, but KFD evicts a process's queues on all of its GPUs at
 *   once (kfd_process_evict_queues()): on amdgpu the KFD queues of the
 *   other GPUs still stop, until KFD can quiesce one node's queues. A
 *   KFD process made while the context is quiesced is quiesced when it
 *   acquires the VM (amdgpu_gem_svm_kfd_acquired());
 *   amdgpu user queues have no such hold: a file has SVM state or user
 *   queues, not both (amdgpu_gem_svm_check_userq());
 * - AMDKFD_IOC_SET_XNACK_MODE switches the SVM core's process-wide mode
 *   too (amdgpu_gem_svm_kfd_set_xnack());
 * - a VM with SVM state keeps its page tables resident
 *   (amdgpu_vm_evictable()): PTEs are cleared from MMU notifiers, where an
 *   update refused for an evicting VM would leave them behind;
 * - a GPU reset that lost VRAM (or a failed page-table job) regenerates
 *   the VM's page tables at the next command submission, which maps the
 *   VM's buffers again; the first submission that sees the new VM
 *   generation has the core map its ranges again (amdgpu_svm_ptes_lost()).
 *   What VRAM held is lost, SVM pages there too, as the VRAM-lost counter
 *   of the file's contexts reports. KFD queues of the process are not
 *   resumed after such a reset (KFD signals the memory loss), so only
 *   command submission needs the check;
 * - system suspend evicts all VRAM (amdgpu_device_evict_resources()):
 *   the SVM VRAM units move to system memory through their eviction
 *   (amdgpu_gem_svm_vram.c), and the page tables, which
 *   amdgpu_vm_evictable() keeps resident under memory pressure, are moved
 *   out with their contents by ttm_bo_evict_first(), which does not ask
 *   it (nor does debugfs amdgpu_evict_vram). amdgpu_vm_validate() moves
 *   them back at the next submission, KFD restore or SVM mapping, SVM
 *   PTEs included, and no VRAM-lost counter moves. A clear made while a
 *   page table is out (reclaim does not stop for suspend) would be
 *   written to where the table no longer is, and the stale PTEs come back
 *   with it. So before a page table of a VM with SVM state moves out,
 *   amdgpu_vm_bo_move() marks the VM evicting and waits for its unlocked
 *   updates, as amdgpu_vm_evictable() does: amdgpu refuses unlocked
 *   updates until the validation. amdgpu_gem_svm_pm_evict() holds command
 *   submission back across suspend, and at its last eviction mapping too
 *   (a GPU fault would move the tables back into VRAM that suspend
 *   loses); amdgpu_gem_svm_pm_complete() ends both;
 * - a clear that fails (refused while the page tables are out, or a job a
 *   GPU reset cancelled) leaves the PTEs valid over memory the CPU is
 *   about to free. The span is remembered, command submission is held
 *   back and KFD's queues quiesced, until a worker that the freezer holds
 *   until after resume has validated the page tables, cleared the spans
 *   (but for the buffers amdgpu maps there) and had the core map again
 *   what it holds mapped (amdgpu_gem_svm_stale_work()). Past
 *   AMDGPU_GEM_SVM_STALE_SPANS spans (a suspend evicting many mapped
 *   ranges) they widen, and a range of KFD's own SVM in the same VM
 *   between two of them is cleared too: KFD maps it again at its next
 *   fault with XNACK on, never with XNACK off (a VM fault);
 * - GPU retry faults (XNACK on, gfx9 with amdgpu.noretry=0) reach
 *   amdgpu_svm_handle_fault() from amdgpu_vm_handle_fault() through
 *   amdgpu_gem_svm_handle_fault(); one the core refuses gets a no-retry
 *   PTE, a VM fault for the process, as in KFD;
 * - the VRAM of the device is a &drm_pagemap (amdgpu_gem_svm_vram.c)
 *   whose migration copies run on SDMA (amdgpu_gem_svm_copy(),
 *   amdgpu_gem_svm_migrate.c); @pagemap returns it.
 *
 * The SVM context of a file is created at its first DRM_AMDGPU_GEM_SVM
 * ioctl, bound to the calling process, and destroyed at postclose before
 * the VM is torn down. It holds a runtime PM reference on the device, as
 * KFD does per process and device: a runtime suspend would evict the page
 * tables that MMU notifiers clear PTEs in and stop SDMA, which writes
 * them. KFD keeps a reference on the render node file of
 * every GPU a KFD process acquired, so postclose runs only after the
 * process's queues are gone, as amdgpu_svm_destroy() requires.
 */

/**
 * DOC: amdgpu GEM SVM locking
 *
 * Besides the core's lock order (SVM lock -> mmap_lock -> notifier lock,
 * see the core's Locking DOC), the backend uses:
 *
 * - &amdgpu_gem_svm.lock (a mutex): creation of the SVM context of a
 *   file, and the VM generation its PTEs were written for; taken in the
 *   ioctl, before a command submission and when KFD acquires the VM,
 *   before any core lock.
 * - The VM root page directory reservation (its dma_resv): taken only in
 *   @reserve_ptes, under the SVM lock and outside the notifier lock. It
 *   allocates the page tables of the span and validates evicted ones, so
 *   @update_ptes and @clear_ptes can write PTEs *unlocked*
 *   (amdgpu_vm_update_range() with @unlocked, as KFD does from its MMU
 *   notifier) without taking the reservation under the notifier lock.
 * - &amdgpu_device.notifier_lock (amdgpu's userptr notifier lock): taken
 *   by @quiesce and @resume, under the core's locks and maybe in the
 *   notifier, to close and open the command submission gate;
 *   amdgpu_cs_submit() holds it from its last check to the fence it adds.
 *   Nothing allocates under it.
 * - &amdgpu_gem_svm.stale_lock (a mutex): the spans of failed clears and
 *   the hold it puts on the process; taken where a clear fails (in the
 *   notifier, or under the SVM lock and drm_gpusvm's notifier lock, or
 *   with the root reservation in amdgpu_gem_svm_stale_work()), before
 *   &amdgpu_device.notifier_lock; KFD's quiesce is called under it.
 * - &amdgpu_gem_svm.kfd_lock (a mutex): the quiesce counts, taken by
 *   @quiesce and @resume under the core's queue lock (maybe in the
 *   notifier) and by amdgpu_gem_svm_kfd_acquired() under the KFD
 *   process mutex, before &amdgpu_device.notifier_lock; KFD's quiesce
 *   and resume are called under it.
 * - amdgpu_gem_svm_list_lock: the list of the contexts, for suspend;
 *   taken before &amdgpu_device.notifier_lock, with no other lock held.
 * - The KFD process mutex: AMDKFD_IOC_SET_XNACK_MODE holds it around
 *   amdgpu_gem_svm_kfd_set_xnack(), which waits for the GPU fault path
 *   (draining retry faults) and takes the SVM lock, and KFD's
 *   VM acquire around amdgpu_gem_svm_kfd_acquired(), which takes
 *   &amdgpu_gem_svm.lock, then the kfd_lock and the stale_lock; never
 *   taken under any of them, nor does KFD's quiesce or resume take it.
 * - &amdgpu_gem_svm_srcu: the GPU fault path finds the file's context by
 *   PASID under the VM manager's xarray lock and uses it inside an SRCU
 *   read section; amdgpu_gem_svm_fini() unpublishes the context and
 *   waits for that section before destroying it.
 *
 * Code called under the notifier lock runs with memalloc_noreclaim_save()
 * so the allocations inside amdgpu_vm_update_range() cannot recurse into
 * reclaim. The core calls @quiesce and @resume under its queue lock, so
 * they never run at once for one context.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include <drm/amdgpu_svm_drm.h>
#include <drm/drm_file.h>
#include <drm/drm_pagemap.h>

#include "amdgpu.h"
#include "amdgpu_amdkfd.h"
#include "amdgpu_reset.h"
#include "amdgpu_gem_svm.h"
#include "amdgpu_vm.h"
#include "kfd_priv.h"
#include "../svm/amdgpu_svm.h"

DEFINE_STATIC_SRCU(amdgpu_gem_svm_srcu);

/*
 * Spans of failed clears a context remembers one by one; beyond, the
 * nearest one widens (see amdgpu_gem_svm_stale_add()).
 */
#define AMDGPU_GEM_SVM_STALE_SPANS	16

/**
 * struct amdgpu_gem_svm_span - a span of virtual addresses
 */
struct amdgpu_gem_svm_span {
	/** @start: first address. */
	unsigned long start;
	/** @end: one past the last. */
	unsigned long end;
};

/**
 * struct amdgpu_gem_svm - SVM state of one amdgpu render node file
 *
 * Allocated at the file's first DRM_AMDGPU_GEM_SVM ioctl and published in
 * &amdgpu_vm.svm; freed by amdgpu_gem_svm_fini().
 */
struct amdgpu_gem_svm {
	/** @adev: the device. */
	struct amdgpu_device *adev;
	/** @vm: the VM of the file (&amdgpu_fpriv.vm). */
	struct amdgpu_vm *vm;
	/** @gpu: the GPU as the SVM core sees it. */
	struct amdgpu_svm_gpu gpu;
	/** @lock: serializes the creation of @ctx and @generation. */
	struct mutex lock;
	/**
	 * @ctx: the SVM context, NULL until the first ioctl; written once
	 * under @lock, read locklessly by the fault path.
	 */
	struct amdgpu_svm *ctx;
	/** @mm: the mm @ctx is bound to (grabbed). */
	struct mm_struct *mm;
	/**
	 * @dpagemap: the device's VRAM, referenced while @ctx lives; NULL
	 * when the device cannot migrate (no VRAM, an APU, no SDMA).
	 */
	struct drm_pagemap *dpagemap;
	/**
	 * @pages: per-page GPU addresses of the span being mapped, sized
	 * by @reserve_ptes so that @update_ptes never allocates.
	 */
	dma_addr_t *pages;
	/** @npages: entries in @pages. */
	unsigned long npages;
	/**
	 * @kfd_lock: serializes @quiesce_depth and @kfd_quiesced between
	 * @quiesce and @resume, which the core calls under its queue lock,
	 * and a KFD process acquiring @vm (amdgpu_gem_svm_kfd_acquired()).
	 */
	struct mutex kfd_lock;
	/** @quiesce_depth: @quiesce calls not yet paired with @resume. */
	unsigned int quiesce_depth;
	/**
	 * @kfd_quiesced: quiesces of the KFD process that @resume owes a
	 * resume: those of @quiesce that KFD accepted, and those a KFD
	 * process made since took on (amdgpu_gem_svm_kfd_acquired()).
	 */
	unsigned int kfd_quiesced;
	/**
	 * @cs_blocked: the core quiesced the process (XNACK off): command
	 * submission on @vm waits until it resumes. Written under
	 * &amdgpu_device.notifier_lock, which amdgpu_cs_submit() holds from
	 * its check to the fence it adds to the root page directory.
	 */
	bool cs_blocked;
	/** @cs_wait: submitters waiting for @cs_blocked to clear. */
	wait_queue_head_t cs_wait;
	/**
	 * @generation: amdgpu_vm_generation() of @vm when @ctx last had its
	 * PTEs in the VM's page tables; written under @lock, read first
	 * without it by amdgpu_gem_svm_revalidate().
	 */
	u64 generation;
	/** @link: in amdgpu_gem_svm_list while @ctx lives. */
	struct list_head link;
	/** @stale_lock: see the locking DOC. */
	struct mutex stale_lock;
	/**
	 * @stale: the spans of failed clears not yet made again, apart and
	 * in no order; under @stale_lock.
	 */
	struct amdgpu_gem_svm_span stale[AMDGPU_GEM_SVM_STALE_SPANS];
	/** @nstale: entries in @stale. */
	unsigned int nstale;
	/**
	 * @stale_held: command submission is held back (and KFD's queues
	 * quiesced if @stale_kfd_mm) until the span is cleared. Under
	 * @stale_lock and &amdgpu_device.notifier_lock, read by
	 * amdgpu_gem_svm_cs_blocked() under the latter.
	 */
	bool stale_held;
	/**
	 * @stale_kfd_mm: the mm whose KFD queues the hold of @stale_held
	 * quiesced (KFD accepted it), grabbed until they are resumed, which
	 * may be after a failed first use dropped @mm; NULL: none. Under
	 * @stale_lock.
	 */
	struct mm_struct *stale_kfd_mm;
	/**
	 * @dying: amdgpu_gem_svm_fini() runs: a failed clear takes no hold
	 * (the page tables go with the VM); under @stale_lock.
	 */
	bool dying;
	/**
	 * @pm_held: suspend holds command submission back; under
	 * &amdgpu_device.notifier_lock, read by amdgpu_gem_svm_cs_blocked().
	 */
	bool pm_held;
	/** @pm_frozen: suspend has the page tables: no mapping until resume. */
	bool pm_frozen;
	/** @stale_work: amdgpu_gem_svm_stale_work(). */
	struct delayed_work stale_work;
};

/* The contexts of every device, for amdgpu_gem_svm_pm_evict(). */
static LIST_HEAD(amdgpu_gem_svm_list);
static DEFINE_MUTEX(amdgpu_gem_svm_list_lock);

static struct amdgpu_gem_svm *to_gem_svm(struct amdgpu_svm *svm)
{
	return amdgpu_svm_drvdata(svm);
}

static u64 amdgpu_gem_svm_gpu_page(unsigned long addr)
{
	return addr >> AMDGPU_GPU_PAGE_SHIFT;
}

/* Where a run of pages lies, as far as its PTE flags go. */
enum amdgpu_gem_svm_loc {
	AMDGPU_GEM_SVM_SYSTEM,
	AMDGPU_GEM_SVM_VRAM,
	/* This device's VRAM, in a memory partition not the VM's (NPS2/4). */
	AMDGPU_GEM_SVM_VRAM_FAR,
};

/*
 * Where the page at @a lies for @vm: system memory, or VRAM near or far
 * from the VM's partition (vm->mem_id, -1 for any). Migration units are
 * allocated from the whole device, whichever partition migrates them.
 */
static enum amdgpu_gem_svm_loc
amdgpu_gem_svm_loc(struct amdgpu_device *adev, struct amdgpu_vm *vm,
		   const struct drm_pagemap_addr *a)
{
	const struct amdgpu_mem_partition_info *part;
	u64 pfn = drm_pagemap_addr_address(a) >> AMDGPU_GPU_PAGE_SHIFT;

	if (a->proto == DRM_INTERCONNECT_SYSTEM)
		return AMDGPU_GEM_SVM_SYSTEM;
	if (vm->mem_id < 0 || vm->mem_id >= adev->gmc.num_mem_partitions)
		return AMDGPU_GEM_SVM_VRAM;
	part = &adev->gmc.mem_partitions[vm->mem_id];
	if (pfn < part->range.fpfn || pfn > part->range.lpfn)
		return AMDGPU_GEM_SVM_VRAM_FAR;
	return AMDGPU_GEM_SVM_VRAM;
}

/**
 * amdgpu_gem_svm_pte_flags() - amdgpu PTE flags for an SVM mapping
 * @adev: the device mapping the memory
 * @vm: its VM
 * @svm_flags: AMDGPU_SVM_PTE_* bits from the SVM core
 * @loc: where the memory lies
 *
 * The MTYPE and snoop choice follows KFD's svm_range_get_pte_flags() for
 * this device's VRAM and system memory: gfx9.4.3/9.4.4/9.5.0 (MI300)
 * snoop everything and pick MTYPE per location and coherence (VRAM of the
 * VM's own memory partition: the local MTYPE, CC for EXT_COHERENT; of
 * another partition: NC, UC for EXT_COHERENT; system memory of a dGPU:
 * UC); gfx12 uses NC; every other family, gfx11 among them, uses UC for
 * coherent and NC for the rest, and snoops system memory only.
 *
 * Return: the flags for amdgpu_vm_update_range().
 */
static u64 amdgpu_gem_svm_pte_flags(struct amdgpu_device *adev,
				    struct amdgpu_vm *vm, u32 svm_flags,
				    enum amdgpu_gem_svm_loc loc)
{
	bool vram = loc != AMDGPU_GEM_SVM_SYSTEM;
	u32 gc = amdgpu_ip_version(adev, GC_HWIP, 0);
	bool coherent = svm_flags & (AMDGPU_SVM_PTE_COHERENT |
				     AMDGPU_SVM_PTE_EXT_COHERENT);
	bool ext_coherent = svm_flags & AMDGPU_SVM_PTE_EXT_COHERENT;
	bool snoop = !vram;
	u32 mapping_flags = 0;
	u32 mtype_local;
	u64 pte_flags;

	switch (gc) {
	case IP_VERSION(9, 4, 3):
	case IP_VERSION(9, 4, 4):
	case IP_VERSION(9, 5, 0):
		if (ext_coherent)
			mtype_local = AMDGPU_VM_MTYPE_CC;
		else if (amdgpu_mtype_local == 1)
			mtype_local = AMDGPU_VM_MTYPE_NC;
		else if (amdgpu_mtype_local == 2)
			mtype_local = AMDGPU_VM_MTYPE_CC;
		else
			mtype_local = AMDGPU_VM_MTYPE_RW;
		snoop = true;
		if (loc == AMDGPU_GEM_SVM_VRAM)
			mapping_flags |= mtype_local;
		else if (loc == AMDGPU_GEM_SVM_VRAM_FAR)
			mapping_flags |= ext_coherent ? AMDGPU_VM_MTYPE_UC :
					 AMDGPU_VM_MTYPE_NC;
		else if (adev->flags & AMD_IS_APU)
			mapping_flags |= num_possible_nodes() <= 1 ?
				mtype_local : ext_coherent ?
				AMDGPU_VM_MTYPE_UC : AMDGPU_VM_MTYPE_NC;
		else if (gc < IP_VERSION(9, 5, 0) || ext_coherent)
			mapping_flags |= AMDGPU_VM_MTYPE_UC;
		else
			mapping_flags |= AMDGPU_VM_MTYPE_NC;
		break;
	case IP_VERSION(12, 0, 0):
	case IP_VERSION(12, 0, 1):
		mapping_flags |= AMDGPU_VM_MTYPE_NC;
		break;
	default:
		mapping_flags |= coherent ? AMDGPU_VM_MTYPE_UC :
					    AMDGPU_VM_MTYPE_NC;
		break;
	}

	if (svm_flags & AMDGPU_SVM_PTE_EXEC)
		mapping_flags |= AMDGPU_VM_PAGE_EXECUTABLE;

	pte_flags = AMDGPU_PTE_VALID;
	if (!vram)
		pte_flags |= AMDGPU_PTE_SYSTEM;
	if (snoop)
		pte_flags |= AMDGPU_PTE_SNOOPED;
	if (gc >= IP_VERSION(12, 0, 0))
		pte_flags |= AMDGPU_PTE_IS_PTE;

	amdgpu_gmc_get_vm_pte(adev, vm, NULL, mapping_flags, &pte_flags);
	pte_flags |= AMDGPU_PTE_READABLE;
	if (svm_flags & AMDGPU_SVM_PTE_WRITE)
		pte_flags |= AMDGPU_PTE_WRITEABLE;
	return pte_flags;
}

/*
 * Whether the page-table jobs of @svm go on the VM's immediate entity.
 * With XNACK on, a command submission on the VM may be stalled on a retry
 * fault that these jobs resolve, and the delayed entity also runs
 * amdgpu_vm_clear_freed(), whose jobs wait for the VM's submissions: a
 * PTE or directory job queued behind one would wait for the fault it
 * resolves, and the fault handler (or a notifier the fault handler waits
 * for) would wait with it. The immediate entity, which amdgpu's own
 * fault handling uses, runs nothing that waits for a submission. With
 * XNACK off no submission waits for a fault. The mode changes only under
 * the SVM lock; a notifier's clear may see either, and its order against
 * the other jobs comes from each of them being waited for.
 *
 * Not covered:
 *
 * - Every SDMA page-table job still waits for the root reservation's
 *   kernel fences (a pipelined eviction of a per-VM buffer, itself after
 *   the VM's submissions). A submission on an XNACK-on VM can therefore
 *   still wait for a fault in that case; KFD's compute VMs take no
 *   submissions at all.
 * - The two entities are not ordered against each other. A page table or
 *   directory that amdgpu's own mapping (GEM VA) makes in a 2 MiB block
 *   the span shares is cleared on the delayed entity, and the directory
 *   entry pointing at a new table is written there too, maybe behind a
 *   job that waits for a submission: SVM's entries written on the
 *   immediate entity meanwhile can be wiped by that clear, or unreachable
 *   until that entry lands. The core writes PTEs again when the GPU keeps
 *   faulting at a range it holds mapped (amdgpu_svm_handle_fault()); a
 *   lost directory entry stays lost. A fix orders the delayed entity's
 *   jobs of such a VM after its immediate ones and writes its directory
 *   entries on the immediate entity; waiting for the clear on the CPU is
 *   not one (it would hold the eviction lock, which the MMU notifier
 *   takes, across a wait that can depend on a submission).
 */
static bool amdgpu_gem_svm_immediate(struct amdgpu_svm *svm)
{
	return amdgpu_svm_xnack_enabled(svm);
}

static int amdgpu_gem_svm_validate_pt(void *param, struct amdgpu_bo *bo)
{
	struct ttm_operation_ctx ctx = { false, false };

	amdgpu_bo_placement_from_domain(bo, bo->allowed_domains);
	return ttm_bo_validate(&bo->tbo, &bo->placement, &ctx);
}

/**
 * amdgpu_gem_svm_reserve_ptes() - &amdgpu_svm_gpu_ops.reserve_ptes
 * @svm: the context
 * @start: first virtual address, page aligned
 * @end: one past the last, page aligned
 *
 * Size the page address buffer for @end - @start, then with the root page
 * directory reserved validate evicted page tables, allocate the page
 * tables covering the span and write the directories pointing at them,
 * on the entity of amdgpu_gem_svm_immediate(). No PTE changes: a span
 * that is mapped stays mapped.
 *
 * Context: process context; the SVM lock held, not the notifier lock.
 * Return: 0 or a negative errno (-EBUSY while suspend has the page
 * tables, see amdgpu_gem_svm_pm_evict()).
 */
static int amdgpu_gem_svm_reserve_ptes(struct amdgpu_svm *svm,
				       unsigned long start, unsigned long end)
{
	struct amdgpu_gem_svm *gsvm = to_gem_svm(svm);
	unsigned long npages = (end - start) >> PAGE_SHIFT;
	bool immediate = amdgpu_gem_svm_immediate(svm);
	struct amdgpu_device *adev = gsvm->adev;
	struct amdgpu_vm *vm = gsvm->vm;
	struct amdgpu_bo *root = vm->root.bo;
	int r;

	if (READ_ONCE(gsvm->pm_frozen))
		return -EBUSY;
	if (npages > gsvm->npages) {
		dma_addr_t *pages = kvmalloc_array(npages, sizeof(*pages),
						   GFP_KERNEL);

		if (!pages)
			return -ENOMEM;
		kvfree(gsvm->pages);
		gsvm->pages = pages;
		gsvm->npages = npages;
	}

	r = amdgpu_bo_reserve(root, true);
	if (r)
		return r;
	/* Again under the root, which suspend's eviction of the tables takes. */
	if (READ_ONCE(gsvm->pm_frozen)) {
		r = -EBUSY;
		goto out_unreserve;
	}
	r = dma_resv_reserve_fences(root->tbo.base.resv, 2);
	if (r)
		goto out_unreserve;
	r = amdgpu_vm_validate(adev, vm, NULL, amdgpu_gem_svm_validate_pt,
			       NULL);
	if (r)
		goto out_unreserve;
	/* amdgpu_vm_ready() wants the reservation: here, not in update. */
	if (!amdgpu_vm_ready(vm)) {
		r = -EBUSY;
		goto out_unreserve;
	}
	r = amdgpu_vm_pt_reserve(adev, vm, amdgpu_gem_svm_gpu_page(start),
				 amdgpu_gem_svm_gpu_page(end), immediate);
	if (r)
		goto out_unreserve;
	r = amdgpu_vm_update_pdes(adev, vm, immediate);
out_unreserve:
	amdgpu_bo_unreserve(root);
	return r;
}

/*
 * Remember [start, end) among the spans of failed clears, merged with those
 * it touches. When they are all taken, the span closest to it widens over
 * both: the clear made again then also covers what lies between (see
 * amdgpu_gem_svm_clear_around_bos()).
 */
static void amdgpu_gem_svm_stale_add(struct amdgpu_gem_svm *gsvm,
				     unsigned long start, unsigned long end)
{
	struct amdgpu_gem_svm_span *span;
	unsigned long gap, best_gap = ULONG_MAX;
	unsigned int i, best = 0;

	lockdep_assert_held(&gsvm->stale_lock);

	for (i = 0; i < gsvm->nstale; ) {
		span = &gsvm->stale[i];
		if (span->end < start || span->start > end) {
			i++;
			continue;
		}
		start = min(start, span->start);
		end = max(end, span->end);
		*span = gsvm->stale[--gsvm->nstale];
	}
	if (gsvm->nstale < AMDGPU_GEM_SVM_STALE_SPANS) {
		gsvm->stale[gsvm->nstale++] = (struct amdgpu_gem_svm_span){
			start, end };
		return;
	}
	for (i = 0; i < gsvm->nstale; i++) {
		span = &gsvm->stale[i];
		gap = span->end < start ? start - span->end : span->start - end;
		if (gap < best_gap) {
			best_gap = gap;
			best = i;
		}
	}
	span = &gsvm->stale[best];
	span->start = min(span->start, start);
	span->end = max(span->end, end);
}

/*
 * Quiesce the KFD queues of @mm for the hold of &amdgpu_gem_svm.stale_held,
 * and keep @mm for their resume. Return 0, or KFD's error (-EIO counts as
 * quiesced, as KFD left the queues evicted).
 */
static int amdgpu_gem_svm_stale_quiesce_kfd(struct amdgpu_gem_svm *gsvm,
					    struct mm_struct *mm)
{
	int r;

	lockdep_assert_held(&gsvm->stale_lock);

	r = kgd2kfd_quiesce_mm(mm, KFD_QUEUE_EVICTION_TRIGGER_SVM);
	if (r && r != -EIO)
		return r;
	mmgrab(mm);
	gsvm->stale_kfd_mm = mm;
	return 0;
}

/* Resume the KFD queues the hold quiesced, if it did. */
static void amdgpu_gem_svm_stale_resume_kfd(struct amdgpu_gem_svm *gsvm,
					    struct mm_struct *mm)
{
	int r;

	if (!mm)
		return;
	r = kgd2kfd_resume_mm(mm);
	/* -ESRCH: the KFD process is gone (the process exited first). */
	if (r && r != -ESRCH)
		dev_warn(gsvm->adev->dev,
			 "svm: resuming KFD queues failed (%d)\n", r);
	mmdrop(mm);
}

/*
 * The PTEs of [start, end) may still map pages the CPU is about to free.
 * Remember the span, hold command submission back and quiesce KFD's
 * queues (once, until the spans are cleared), and have
 * amdgpu_gem_svm_stale_work() clear it again. The work runs on a
 * freezable workqueue: after resume when the page tables were evicted for
 * suspend, and a little later when a GPU reset cancelled the job, so that
 * it does not spin while the reset lasts.
 */
static void amdgpu_gem_svm_stale_hold(struct amdgpu_gem_svm *gsvm,
				      unsigned long start, unsigned long end)
{
	struct amdgpu_device *adev = gsvm->adev;
	bool hold;

	mutex_lock(&gsvm->stale_lock);
	if (gsvm->dying) {
		mutex_unlock(&gsvm->stale_lock);
		return;
	}
	amdgpu_gem_svm_stale_add(gsvm, start, end);
	mutex_lock(&adev->notifier_lock);
	hold = !gsvm->stale_held;
	gsvm->stale_held = true;
	mutex_unlock(&adev->notifier_lock);
	/* Without a KFD process of the mm there is nothing to quiesce. */
	if (hold)
		amdgpu_gem_svm_stale_quiesce_kfd(gsvm, gsvm->mm);
	mutex_unlock(&gsvm->stale_lock);
	mod_delayed_work(system_freezable_wq, &gsvm->stale_work,
			 msecs_to_jiffies(10));
}

/*
 * A clear of [start, end) failed with @r (amdgpu refused it while the page
 * tables are out, or a GPU reset cancelled its job): say so, and clear it
 * again later (amdgpu_gem_svm_stale_hold()). An unplugged device
 * (-ENODEV) runs nothing any more, and is left alone by the caller.
 */
static void amdgpu_gem_svm_clear_failed(struct amdgpu_gem_svm *gsvm,
					unsigned long start, unsigned long end,
					int r)
{
	dev_warn_ratelimited(gsvm->adev->dev,
			     "svm: clearing PTEs 0x%lx-0x%lx failed (%d), clearing again later\n",
			     start, end, r);
	amdgpu_gem_svm_stale_hold(gsvm, start, end);
}

/*
 * Write the initial (invalid) PTE value over [start, end), unlocked, on
 * the immediate entity or the delayed one (amdgpu_gem_svm_immediate()),
 * and wait for it. With @flush_tlb, as KFD's unmap passes it, the update
 * advances the VM's TLB sequence (&amdgpu_vm.tlb_seq): the next command
 * submission on the VM flushes its VMID, which the PASID flush of
 * @flush_tlb may not reach. A clear that fails (the VM is evicting for
 * suspend, a GPU reset cancelled the job) is made again later
 * (amdgpu_gem_svm_clear_failed()). The caller holds no reclaim
 * (memalloc_noreclaim_save()).
 */
static void amdgpu_gem_svm_clear_range(struct amdgpu_gem_svm *gsvm,
				       bool immediate, unsigned long start,
				       unsigned long end)
{
	struct amdgpu_device *adev = gsvm->adev;
	struct dma_fence *fence = NULL;
	int r;

	r = amdgpu_vm_update_range(adev, gsvm->vm, immediate, true, true, false,
				   NULL, amdgpu_gem_svm_gpu_page(start),
				   amdgpu_gem_svm_gpu_page(end) - 1,
				   adev->gmc.init_pte_flags, 0, 0, NULL, NULL,
				   &fence);
	if (fence) {
		dma_fence_wait(fence, false);
		r = r ?: fence->error;
		dma_fence_put(fence);
	}
	if (r && r != -ENODEV)
		amdgpu_gem_svm_clear_failed(gsvm, start, end, r);
}

/*
 * Write the PTEs of @npages pages from @start, with per-page addresses in
 * @pages, on the entity @immediate names, and wait until the GPU sees
 * them. A job a GPU reset cancelled wrote nothing: its fence's error is
 * returned, and the core maps again.
 */
static int amdgpu_gem_svm_map_run(struct amdgpu_gem_svm *gsvm, bool immediate,
				  unsigned long start, unsigned long npages,
				  dma_addr_t *pages, u64 flags)
{
	u64 first = amdgpu_gem_svm_gpu_page(start);
	u64 last = first + npages * AMDGPU_GPU_PAGES_IN_CPU_PAGE - 1;
	struct dma_fence *fence = NULL;
	int r;

	r = amdgpu_vm_update_range(gsvm->adev, gsvm->vm, immediate, true, false,
				   true, NULL, first, last, flags, 0, 0, NULL,
				   pages, &fence);
	if (fence) {
		dma_fence_wait(fence, false);
		r = r ?: fence->error;
		dma_fence_put(fence);
	}
	return r;
}

/**
 * amdgpu_gem_svm_update_ptes() - &amdgpu_svm_gpu_ops.update_ptes
 * @svm: the context
 * @update: the span, its addresses and flags
 *
 * Expands the compact address list into per-page addresses (VRAM offsets
 * become MC addresses by adding the VRAM base, as KFD does) and writes one
 * amdgpu_vm_update_range() per run of pages in the same place (system
 * memory, VRAM of the VM's memory partition, VRAM of another).
 * The update is unlocked (no root reservation): @reserve_ptes made the
 * page tables and checked the VM is ready; amdgpu_vm_update_range()
 * refuses an unlocked update with -EBUSY once an eviction started. Waits
 * for the update to land. When a run fails, the whole span is cleared
 * again: the core records it unmapped, and nothing would ever clear PTEs
 * the runs before left behind.
 *
 * Context: process context; the SVM lock and the notifier lock (read)
 * held.
 * Return: 0 or a negative errno (-EBUSY while the VM is being evicted);
 * on error no PTE of the span is valid.
 */
static int amdgpu_gem_svm_update_ptes(struct amdgpu_svm *svm,
				      const struct amdgpu_svm_pte_update *update)
{
	struct amdgpu_gem_svm *gsvm = to_gem_svm(svm);
	unsigned long npages = (update->end - update->start) >> PAGE_SHIFT;
	enum amdgpu_gem_svm_loc loc, run_loc = AMDGPU_GEM_SVM_SYSTEM;
	bool immediate = amdgpu_gem_svm_immediate(svm);
	struct amdgpu_device *adev = gsvm->adev;
	unsigned long i = 0, run = 0, j;
	unsigned int noreclaim;
	int r = 0;

	if (WARN_ON_ONCE(npages > gsvm->npages))
		return -ENOMEM;

	noreclaim = memalloc_noreclaim_save();
	for (j = 0; i < npages; j++) {
		const struct drm_pagemap_addr *a = &update->dma_addr[j];
		unsigned long k, count = 1UL << a->order;
		dma_addr_t base = drm_pagemap_addr_address(a);

		loc = amdgpu_gem_svm_loc(adev, gsvm->vm, a);
		if (loc != AMDGPU_GEM_SVM_SYSTEM)
			base += adev->vm_manager.vram_base_offset;
		if (i > run && loc != run_loc) {
			r = amdgpu_gem_svm_map_run(gsvm, immediate,
						   update->start + (run << PAGE_SHIFT),
						   i - run, gsvm->pages + run,
						   amdgpu_gem_svm_pte_flags(adev, gsvm->vm,
									    update->pte_flags,
									    run_loc));
			if (r)
				goto out_unwind;
			run = i;
		}
		run_loc = loc;
		for (k = 0; k < count && i < npages; k++, i++)
			gsvm->pages[i] = base + ((dma_addr_t)k << PAGE_SHIFT);
	}
	if (i > run)
		r = amdgpu_gem_svm_map_run(gsvm, immediate,
					   update->start + (run << PAGE_SHIFT),
					   i - run, gsvm->pages + run,
					   amdgpu_gem_svm_pte_flags(adev, gsvm->vm,
								    update->pte_flags,
								    run_loc));
out_unwind:
	/* The runs before the failed one are written, maybe part of it. */
	if (r)
		amdgpu_gem_svm_clear_range(gsvm, immediate, update->start,
					   update->end);
	memalloc_noreclaim_restore(noreclaim);
	return r;
}

/**
 * amdgpu_gem_svm_clear_ptes() - &amdgpu_svm_gpu_ops.clear_ptes
 * @svm: the context
 * @start: first virtual address, page aligned
 * @end: one past the last, page aligned
 *
 * Writes the initial (invalid) PTE value over the span, unlocked, and
 * waits for it, as KFD's svm_range_unmap_from_gpu() does from its MMU
 * notifier. Page tables are never freed here.
 *
 * Context: in the MMU notifier or with the SVM lock held; no reclaim.
 */
static void amdgpu_gem_svm_clear_ptes(struct amdgpu_svm *svm,
				      unsigned long start, unsigned long end)
{
	unsigned int noreclaim = memalloc_noreclaim_save();

	amdgpu_gem_svm_clear_range(to_gem_svm(svm),
				   amdgpu_gem_svm_immediate(svm), start, end);
	memalloc_noreclaim_restore(noreclaim);
}

/*
 * Wait for the command submissions in flight on the VM (the CS ioctl:
 * SDMA and graphics jobs of the render node, which are not KFD queues and
 * which quiesce cannot stop). Each leaves its fence on the root page
 * directory: the gang leader's with WRITE usage, the other members' of a
 * gang with READ (amdgpu_cs_submit()), and a member may still run after
 * its leader ended, so READ fences are waited for too. KFD's eviction
 * fences and page-table updates are BOOKKEEP and are not waited for
 * (that would evict the whole process). With @intr a signal ends the
 * wait: -ERESTARTSYS, else 0.
 */
static int amdgpu_gem_svm_wait_cs(struct amdgpu_gem_svm *gsvm, bool intr)
{
	long r = dma_resv_wait_timeout(gsvm->vm->root.bo->tbo.base.resv,
				       DMA_RESV_USAGE_READ, intr,
				       MAX_SCHEDULE_TIMEOUT);

	return r < 0 ? r : 0;
}

/**
 * amdgpu_gem_svm_flush_tlb() - &amdgpu_svm_gpu_ops.flush_tlb
 * @svm: the context
 *
 * XNACK off: waits for the VM's command submissions in flight. Then a
 * heavyweight flush of the VM's PASID on every XCC of the device (and on
 * every hub on gfx9) waits for accesses through the old translations,
 * like KFD's kfd_flush_tlb() after an unmap.
 *
 * XNACK on, the notifier never waits for a job's fence: a job may itself
 * be stalled on a retry fault that amdgpu_svm_handle_fault() serves only
 * once it gets the mmap_lock, which the caller of the notifier (an
 * mprotect(), a munmap()) may hold, the deadlock the dma-buf
 * documentation forbids for recoverable page faults. The flush alone is
 * enough there: an access after it misses and faults again, as xe does
 * for its fault-mode VMs.
 *
 * Context: as @clear_ptes.
 */
static void amdgpu_gem_svm_flush_tlb(struct amdgpu_svm *svm)
{
	struct amdgpu_gem_svm *gsvm = to_gem_svm(svm);
	struct amdgpu_device *adev = gsvm->adev;
	bool all_hub = adev->family == AMDGPU_FAMILY_AI ||
		       adev->family == AMDGPU_FAMILY_RV;
	u32 xcc_mask = GENMASK(max(NUM_XCC(adev->gfx.xcc_mask), 1) - 1, 0);
	int xcc, r;

	if (!amdgpu_svm_xnack_enabled(svm))
		amdgpu_gem_svm_wait_cs(gsvm, false);
	for_each_inst(xcc, xcc_mask) {
		r = amdgpu_gmc_flush_gpu_tlb_pasid(adev, gsvm->vm->pasid,
						   TLB_FLUSH_HEAVYWEIGHT,
						   all_hub, xcc);
		if (r)
			dev_warn_ratelimited(adev->dev,
					     "svm: TLB flush failed (%d)\n", r);
	}
}

/**
 * amdgpu_gem_svm_quiesce() - &amdgpu_svm_gpu_ops.quiesce
 * @svm: the context
 *
 * Evicts the KFD queues of the process (every GPU of it: KFD quiesces
 * per process, and its eviction counts nest, so the core calling this
 * once per GPU is balanced by as many resumes). A process without KFD
 * queues has nothing to stop; that is remembered so the matching
 * @resume does not restore what was never evicted. -EIO (the hardware
 * scheduler hangs, or the GPU is being reset) is an eviction all the
 * same: kfd_process_evict_queues() then marks every queue evicted so that
 * none comes back before the restore, which @resume must therefore make.
 *
 * Command submission (the CS ioctl) on the render node is gated as well:
 * @cs_blocked is set under the device's notifier lock, so a submission
 * either added its fence to the root page directory before (and is
 * waited for here) or sees the gate in amdgpu_gem_svm_cs_blocked() and
 * returns -EAGAIN, to wait in amdgpu_gem_svm_cs_wait() until @resume.
 *
 * Context: may be called in the notifier; may sleep for the preemption.
 * @kfd_lock serializes the counters with a KFD process acquiring the VM
 * (amdgpu_gem_svm_kfd_acquired()).
 */
static void amdgpu_gem_svm_quiesce(struct amdgpu_svm *svm)
{
	struct amdgpu_gem_svm *gsvm = to_gem_svm(svm);
	int r;

	mutex_lock(&gsvm->kfd_lock);
	if (!gsvm->quiesce_depth++) {
		mutex_lock(&gsvm->adev->notifier_lock);
		WRITE_ONCE(gsvm->cs_blocked, true);
		mutex_unlock(&gsvm->adev->notifier_lock);
	}
	r = kgd2kfd_quiesce_mm(gsvm->mm, KFD_QUEUE_EVICTION_TRIGGER_SVM);
	if (!r || r == -EIO)
		gsvm->kfd_quiesced++;
	mutex_unlock(&gsvm->kfd_lock);
	amdgpu_gem_svm_wait_cs(gsvm, false);
}

/**
 * amdgpu_gem_svm_resume() - &amdgpu_svm_gpu_ops.resume
 * @svm: the context
 *
 * Context: process context, the SVM lock held; see @quiesce.
 */
static void amdgpu_gem_svm_resume(struct amdgpu_svm *svm)
{
	struct amdgpu_gem_svm *gsvm = to_gem_svm(svm);
	int r = 0;

	mutex_lock(&gsvm->kfd_lock);
	if (WARN_ON_ONCE(!gsvm->quiesce_depth))
		goto out_unlock;
	if (!--gsvm->quiesce_depth) {
		mutex_lock(&gsvm->adev->notifier_lock);
		WRITE_ONCE(gsvm->cs_blocked, false);
		mutex_unlock(&gsvm->adev->notifier_lock);
		wake_up_all(&gsvm->cs_wait);
	}
	if (gsvm->kfd_quiesced > gsvm->quiesce_depth) {
		gsvm->kfd_quiesced--;
		r = kgd2kfd_resume_mm(gsvm->mm);
	}
out_unlock:
	mutex_unlock(&gsvm->kfd_lock);
	if (r)
		dev_warn(gsvm->adev->dev, "svm: resuming KFD queues failed (%d)\n",
			 r);
}

/**
 * amdgpu_gem_svm_check_span() - &amdgpu_svm_gpu_ops.check_span
 * @svm: the context
 * @start: first virtual address, page aligned
 * @end: one past the last, page aligned
 *
 * SVM maps the CPU's addresses into the render node's VM, where libdrm's
 * VA manager also places GEM buffers (DRM_IOCTL_AMDGPU_GEM_VA): a span
 * over one of them would have each overwrite the other's PTEs. Walks the
 * VM's mappings with the root reservation held.
 *
 * Context: process context; the SVM lock and the mmap_lock (read) held.
 * Return: 0; -EINVAL beyond the VM (max_pfn); -EADDRINUSE over a GEM
 * mapping; or the reservation's error.
 */
static int amdgpu_gem_svm_check_span(struct amdgpu_svm *svm,
				     unsigned long start, unsigned long end)
{
	struct amdgpu_gem_svm *gsvm = to_gem_svm(svm);
	u64 first = amdgpu_gem_svm_gpu_page(start);
	u64 last = amdgpu_gem_svm_gpu_page(end) - 1;
	struct amdgpu_vm *vm = gsvm->vm;
	struct rb_node *node;
	int r;

	if (last >= gsvm->adev->vm_manager.max_pfn)
		return -EINVAL;
	r = amdgpu_bo_reserve(vm->root.bo, true);
	if (r)
		return r;
	for (node = rb_first_cached(&vm->va); node; node = rb_next(node)) {
		struct amdgpu_bo_va_mapping *m =
			rb_entry(node, struct amdgpu_bo_va_mapping, rb);

		if (m->start <= last && m->last >= first) {
			r = -EADDRINUSE;
			break;
		}
	}
	amdgpu_bo_unreserve(vm->root.bo);
	return r;
}

/**
 * amdgpu_gem_svm_pagemap() - &amdgpu_svm_gpu_ops.pagemap
 * @svm: the context
 *
 * Context: process context; the SVM lock held.
 * Return: the device's VRAM as a drm_pagemap, owned by the context (no
 * new reference), or NULL when it cannot migrate.
 */
static struct drm_pagemap *amdgpu_gem_svm_pagemap(struct amdgpu_svm *svm)
{
	return to_gem_svm(svm)->dpagemap;
}

/**
 * amdgpu_gem_svm_fault_may_migrate() - &amdgpu_svm_gpu_ops.fault_may_migrate
 * @svm: a context of the faulting process
 *
 * A migration allocates VRAM, which may wait for the eviction of other
 * buffers, and copies on the buffer-move entities, whose jobs run in
 * order and wait for the fences of the buffers they move. A command
 * submission of this VM stalled on a fault of the process may be among
 * those fences (through a buffer it uses), and would wait for the
 * migrating fault: the GPU would hang until the job times out. So while
 * the VM has command submissions in flight (their fences sit in the root
 * reservation, see amdgpu_gem_svm_wait_cs()), faults map pages where they
 * are. The usage asked for also counts kernel moves and clears of the
 * VM's own buffers, unlocked page-table updates that a later update added
 * there, and user-queue fences: those refuse when they need not, never
 * the other way. KFD queues add only BOOKKEEP fences: their faults
 * migrate.
 *
 * Not covered: a submission made right after this check (nothing holds
 * submissions back during the migration), and the copies that the page
 * walk itself makes, bringing pages of another GPU's VRAM, or VRAM pages
 * shared copy-on-write for a write fault, to system memory.
 *
 * Context: process context; the SVM lock held.
 * Return: true when no command submission of the VM is in flight.
 */
static bool amdgpu_gem_svm_fault_may_migrate(struct amdgpu_svm *svm)
{
	return dma_resv_test_signaled(to_gem_svm(svm)->vm->root.bo->tbo.base.resv,
				      DMA_RESV_USAGE_READ);
}

static const struct amdgpu_svm_gpu_ops amdgpu_gem_svm_ops = {
	.reserve_ptes = amdgpu_gem_svm_reserve_ptes,
	.update_ptes = amdgpu_gem_svm_update_ptes,
	.clear_ptes = amdgpu_gem_svm_clear_ptes,
	.flush_tlb = amdgpu_gem_svm_flush_tlb,
	.quiesce = amdgpu_gem_svm_quiesce,
	.resume = amdgpu_gem_svm_resume,
	.pagemap = amdgpu_gem_svm_pagemap,
	.fault_may_migrate = amdgpu_gem_svm_fault_may_migrate,
	.check_span = amdgpu_gem_svm_check_span,
};

/*
 * The id userspace names the GPU by: KFD's topology gpu_id of the node the
 * file's partition is when KFD runs on the device (the same attribute
 * vocabulary as KFD's SVM ioctl; a partitioned MI300, CPX or DPX, has one
 * KFD node and one render node per partition, each with its own id), else
 * one made of the PCI location and the partition, never 0 nor 0xffffffff.
 */
static u32 amdgpu_gem_svm_gpu_id(struct amdgpu_device *adev, u32 xcp_id)
{
	struct pci_dev *pdev = adev->pdev;
	unsigned int i;

	if (adev->kfd.init_complete) {
		for (i = 0; i < adev->kfd.dev->num_nodes; i++) {
			struct kfd_node *node = adev->kfd.dev->nodes[i];

			if (!node || !node->id)
				continue;
			if (xcp_id == AMDGPU_XCP_NO_PARTITION ||
			    (node->xcp && node->xcp->id == xcp_id))
				return node->id;
		}
	}
	if (xcp_id == AMDGPU_XCP_NO_PARTITION)
		xcp_id = 0;
	return BIT(31) | (xcp_id & 0x7f) << 24 |
	       (pci_domain_nr(pdev->bus) & 0xff) << 16 | pci_dev_id(pdev);
}

/*
 * XNACK (retry faults) works on gfx9 with amdgpu.noretry=0: the retry
 * fault interrupt reaches amdgpu_vm_handle_fault(). gfx10 and later do
 * not retry compute faults.
 */
static bool amdgpu_gem_svm_xnack_capable(struct amdgpu_device *adev)
{
	u32 gc = amdgpu_ip_version(adev, GC_HWIP, 0);

	return gc >= IP_VERSION(9, 0, 0) && gc < IP_VERSION(10, 0, 0) &&
	       !adev->gmc.noretry;
}

/*
 * The XNACK mode a new SVM context starts in: the KFD process's mode when
 * the process already runs on KFD (set at its creation from the GPUs'
 * noretry settings, or by AMDKFD_IOC_SET_XNACK_MODE), so the SVM core and
 * the process's KFD queues agree; else on wherever the GPU can retry.
 */
static bool amdgpu_gem_svm_xnack_mode(struct amdgpu_gem_svm *gsvm)
{
	struct kfd_process *p;
	bool xnack;

	if (!gsvm->gpu.xnack_capable)
		return false;
	p = kfd_lookup_process_by_mm(current->mm);
	if (!p)
		return true;
	xnack = p->xnack_enabled;
	kfd_unref_process(p);
	return xnack;
}

/*
 * Clear [start, end) but for the buffers amdgpu maps there (&amdgpu_vm.va:
 * GEM and KFD buffers, whose PTEs are not SVM's; SVM spans never overlap
 * them). The root page directory reserved, so the mappings stay put.
 */
static void amdgpu_gem_svm_clear_around_bos(struct amdgpu_gem_svm *gsvm,
					    bool immediate, u64 start, u64 end)
{
	struct amdgpu_vm *vm = gsvm->vm;
	struct rb_node *node;
	u64 pos = start;

	dma_resv_assert_held(vm->root.bo->tbo.base.resv);

	for (node = rb_first_cached(&vm->va); node && pos < end;
	     node = rb_next(node)) {
		struct amdgpu_bo_va_mapping *m =
			rb_entry(node, struct amdgpu_bo_va_mapping, rb);
		u64 m_start = m->start << AMDGPU_GPU_PAGE_SHIFT;
		u64 m_end = (m->last + 1) << AMDGPU_GPU_PAGE_SHIFT;

		if (m_end <= pos)
			continue;
		if (m_start > pos)
			amdgpu_gem_svm_clear_range(gsvm, immediate, pos,
						   min(m_start, end));
		pos = max(pos, m_end);
	}
	if (pos < end)
		amdgpu_gem_svm_clear_range(gsvm, immediate, pos, end);
}

/**
 * amdgpu_gem_svm_stale_work() - bring the page tables back, and clear
 * again the PTEs failed clears left
 * @work: &amdgpu_gem_svm.stale_work
 *
 * With the root page directory reserved, moves evicted page tables back
 * (which ends the VM's evicting state that an eviction for suspend left)
 * and points the directories at them. Then clears the spans of failed
 * clears, but for the buffers amdgpu maps there. That also wiped the
 * ranges the core still holds mapped in the spans: amdgpu_svm_ptes_lost()
 * has them mapped again (XNACK off: with the context quiesced until its
 * restore worker did). Then, unless another clear failed meanwhile, the
 * hold amdgpu_gem_svm_stale_hold() took is released. A step that fails
 * puts the spans back and tries again later; an unplugged device ends it.
 * Nothing is done while suspend has the page tables (@pm_frozen, read
 * under the root reservation, which suspend's eviction of them takes):
 * amdgpu_gem_svm_pm_complete() queues the work again.
 *
 * Context: process context (system_freezable_wq); takes the root
 * reservation, then the SVM lock, never both at once.
 */
static void amdgpu_gem_svm_stale_work(struct work_struct *work)
{
	struct amdgpu_gem_svm *gsvm = container_of(to_delayed_work(work),
						   struct amdgpu_gem_svm,
						   stale_work);
	struct amdgpu_gem_svm_span spans[AMDGPU_GEM_SVM_STALE_SPANS];
	struct amdgpu_svm *ctx = READ_ONCE(gsvm->ctx);
	bool immediate = ctx && amdgpu_gem_svm_immediate(ctx);
	struct amdgpu_device *adev = gsvm->adev;
	struct mm_struct *kfd_mm = NULL;
	struct amdgpu_vm *vm = gsvm->vm;
	unsigned int i, nspans = 0;
	bool release;
	int r;

	r = amdgpu_bo_reserve(vm->root.bo, true);
	if (r)
		goto retry;
	/* Under the root, which suspend's eviction of the tables takes. */
	if (READ_ONCE(gsvm->pm_frozen)) {
		amdgpu_bo_unreserve(vm->root.bo);
		return;
	}
	mutex_lock(&gsvm->stale_lock);
	nspans = gsvm->nstale;
	memcpy(spans, gsvm->stale, nspans * sizeof(*spans));
	gsvm->nstale = 0;
	mutex_unlock(&gsvm->stale_lock);

	r = amdgpu_vm_validate(adev, vm, NULL, amdgpu_gem_svm_validate_pt,
			       NULL) ?:
	    amdgpu_vm_update_pdes(adev, vm, immediate);
	for (i = 0; !r && i < nspans; i++)
		amdgpu_gem_svm_clear_around_bos(gsvm, immediate, spans[i].start,
						spans[i].end);
	amdgpu_bo_unreserve(vm->root.bo);
	if (r)
		goto retry;
	if (ctx && nspans)
		amdgpu_svm_ptes_lost(ctx);

release:
	mutex_lock(&gsvm->stale_lock);
	mutex_lock(&adev->notifier_lock);
	release = gsvm->stale_held && !gsvm->nstale;
	if (release)
		gsvm->stale_held = false;
	mutex_unlock(&adev->notifier_lock);
	if (release) {
		kfd_mm = gsvm->stale_kfd_mm;
		gsvm->stale_kfd_mm = NULL;
	}
	mutex_unlock(&gsvm->stale_lock);
	if (!release)
		return;
	wake_up_all(&gsvm->cs_wait);
	amdgpu_gem_svm_stale_resume_kfd(gsvm, kfd_mm);
	return;

retry:
	if (r == -ENODEV)
		goto release;
	dev_warn_ratelimited(adev->dev,
			     "svm: page tables not back to clear PTEs again (%d), retrying\n",
			     r);
	for (i = 0; i < nspans; i++)
		amdgpu_gem_svm_stale_hold(gsvm, spans[i].start, spans[i].end);
	mod_delayed_work(system_freezable_wq, &gsvm->stale_work,
			 msecs_to_jiffies(10));
}

/**
 * amdgpu_gem_svm_pm_evict() - before suspend evicts a device's VRAM
 * @adev: the device
 *
 * Holds command submission back on every VM of @adev with an SVM context
 * and waits for the submissions in flight: suspend evicts the page tables
 * (see the DOC), clears made while they are out are refused and made
 * again only after resume, and no submission may run over the PTEs they
 * leave meanwhile. KFD suspends its queues itself. At the suspend step
 * proper (&amdgpu_device.in_suspend, after .prepare evicted most of
 * VRAM), mapping is refused until amdgpu_gem_svm_pm_complete(): a GPU
 * fault served then would move the page tables back into VRAM, which
 * suspend loses. The SVM core's workers are frozen by then.
 *
 * Debugfs amdgpu_evict_vram and amdgpu_evict_gtt call it too, for the same
 * reasons, and amdgpu_gem_svm_pm_complete() after.
 *
 * Context: process context (the PM callbacks, user tasks frozen; or the
 * debugfs files); before amdgpu_ttm_evict_resources(); the device's rings
 * still run.
 */
void amdgpu_gem_svm_pm_evict(struct amdgpu_device *adev)
{
	struct amdgpu_gem_svm *gsvm;

	mutex_lock(&amdgpu_gem_svm_list_lock);
	list_for_each_entry(gsvm, &amdgpu_gem_svm_list, link) {
		if (gsvm->adev != adev)
			continue;
		mutex_lock(&adev->notifier_lock);
		WRITE_ONCE(gsvm->pm_held, true);
		mutex_unlock(&adev->notifier_lock);
		amdgpu_gem_svm_wait_cs(gsvm, false);
		if (adev->in_suspend)
			WRITE_ONCE(gsvm->pm_frozen, true);
	}
	mutex_unlock(&amdgpu_gem_svm_list_lock);
}

/**
 * amdgpu_gem_svm_pm_complete() - the end of a suspend cycle of a device
 * @adev: the device
 *
 * Undoes amdgpu_gem_svm_pm_evict(), resumed or not, and queues the work
 * that brings the page tables back and makes the clears suspend refused
 * (amdgpu_gem_svm_stale_work(); a freezable work, it runs after the thaw).
 *
 * Context: process context (the PM complete callback, a failed prepare, or
 * the debugfs eviction files).
 */
void amdgpu_gem_svm_pm_complete(struct amdgpu_device *adev)
{
	struct amdgpu_gem_svm *gsvm;

	mutex_lock(&amdgpu_gem_svm_list_lock);
	list_for_each_entry(gsvm, &amdgpu_gem_svm_list, link) {
		if (gsvm->adev != adev)
			continue;
		WRITE_ONCE(gsvm->pm_frozen, false);
		mutex_lock(&adev->notifier_lock);
		WRITE_ONCE(gsvm->pm_held, false);
		mutex_unlock(&adev->notifier_lock);
		wake_up_all(&gsvm->cs_wait);
		mod_delayed_work(system_freezable_wq, &gsvm->stale_work, 0);
	}
	mutex_unlock(&amdgpu_gem_svm_list_lock);
}

/* The SVM state of a file's VM, allocated at its first use. */
static struct amdgpu_gem_svm *amdgpu_gem_svm_of(struct amdgpu_device *adev,
						struct amdgpu_fpriv *fpriv)
{
	struct amdgpu_vm *vm = &fpriv->vm;
	struct amdgpu_gem_svm *gsvm = READ_ONCE(vm->svm), *old;

	if (gsvm)
		return gsvm;
	gsvm = kzalloc_obj(*gsvm);
	if (!gsvm)
		return ERR_PTR(-ENOMEM);
	gsvm->adev = adev;
	gsvm->vm = vm;
	mutex_init(&gsvm->lock);
	init_waitqueue_head(&gsvm->cs_wait);
	mutex_init(&gsvm->stale_lock);
	mutex_init(&gsvm->kfd_lock);
	INIT_DELAYED_WORK(&gsvm->stale_work, amdgpu_gem_svm_stale_work);
	gsvm->gpu = (struct amdgpu_svm_gpu) {
		.drm = adev_to_drm(adev),
		.ops = &amdgpu_gem_svm_ops,
		.gpu_id = amdgpu_gem_svm_gpu_id(adev, fpriv->xcp_id),
		.xnack_capable = amdgpu_gem_svm_xnack_capable(adev),
	};
	old = cmpxchg(&vm->svm, NULL, gsvm);
	if (old) {
		mutex_destroy(&gsvm->kfd_lock);
		mutex_destroy(&gsvm->stale_lock);
		mutex_destroy(&gsvm->lock);
		kfree(gsvm);
		gsvm = old;
	}
	return gsvm;
}

/* The user queues of a file (its VM's), with the user queue lock held. */
static int amdgpu_gem_svm_userq_count(struct amdgpu_userq_mgr *uq_mgr)
{
	int i, n = 0;

	lockdep_assert_held(&uq_mgr->userq_mutex);
	for (i = 0; i < ARRAY_SIZE(uq_mgr->userq_count); i++)
		n += atomic_read(&uq_mgr->userq_count[i]);
	return n;
}

/*
 * Has KFD acquired @vm for another process, or for a secondary KFD context
 * of this one? Their queues would run on the VM with no SVM quiesce to
 * stop them (amdgpu_gem_svm_kfd_acquired() refuses the converse).
 */
static bool amdgpu_gem_svm_kfd_foreign(struct amdgpu_vm *vm)
{
	struct kfd_process *p;
	void *info;
	bool foreign;

	/* Pairs with the full barrier in amdgpu_gem_svm_kfd_acquired(). */
	smp_mb();
	info = READ_ONCE(vm->process_info);
	if (!info)
		return false;
	p = kfd_lookup_process_by_mm(current->mm);
	foreign = !p || p->kgd_process_info != info;
	if (p)
		kfd_unref_process(p);
	return foreign;
}

/* The SVM context of a file, created at its first use by its process. */
static struct amdgpu_svm *amdgpu_gem_svm_get(struct amdgpu_gem_svm *gsvm)
{
	struct amdgpu_fpriv *fpriv =
		container_of(gsvm->vm, struct amdgpu_fpriv, vm);
	struct device *dev = adev_to_drm(gsvm->adev)->dev;
	struct drm_pagemap *dpagemap;
	struct amdgpu_svm *ctx;
	bool xnack;
	int r;

	mutex_lock(&gsvm->lock);
	ctx = gsvm->ctx;
	if (ctx) {
		/* A forked child must not reach its parent's mm. */
		if (gsvm->mm != current->mm)
			ctx = ERR_PTR(-EBADF);
		goto out_unlock;
	}
	if (amdgpu_gem_svm_kfd_foreign(gsvm->vm)) {
		dev_warn_ratelimited(gsvm->adev->dev,
				     "svm: the VM runs KFD queues of another process or KFD context\n");
		ctx = ERR_PTR(-EBADF);
		goto out_unlock;
	}
	r = pm_runtime_get_sync(dev);
	if (r < 0) {
		ctx = ERR_PTR(r);
		goto err_pm;
	}
	dpagemap = amdgpu_gem_svm_vram_get(gsvm->adev);
	if (IS_ERR(dpagemap)) {
		if (dpagemap != ERR_PTR(-ENODEV))
			dev_dbg(gsvm->adev->dev,
				"svm: VRAM not migratable (%ld), system memory only\n",
				PTR_ERR(dpagemap));
		dpagemap = NULL;
	}
	gsvm->dpagemap = dpagemap;
	gsvm->gpu.page_owner = dpagemap ? dpagemap->pagemap->owner : NULL;

	/*
	 * The ops may run inside amdgpu_svm_create() (a quiesced process).
	 * Quiesce cannot stop amdgpu user queues: a file has SVM state or
	 * user queues, decided under the user queue lock, which
	 * amdgpu_gem_svm_check_userq() is called with.
	 */
	mutex_lock(&fpriv->userq_mgr.userq_mutex);
	if (amdgpu_gem_svm_userq_count(&fpriv->userq_mgr)) {
		mutex_unlock(&fpriv->userq_mgr.userq_mutex);
		ctx = ERR_PTR(-EBUSY);
		goto err_pagemap;
	}
	mmgrab(current->mm);
	WRITE_ONCE(gsvm->mm, current->mm);
	mutex_unlock(&fpriv->userq_mgr.userq_mutex);

	/* A process that already has SVM contexts keeps its mode. */
	xnack = amdgpu_gem_svm_xnack_mode(gsvm);
	WRITE_ONCE(gsvm->generation,
		   amdgpu_vm_generation(gsvm->adev, gsvm->vm));
	ctx = amdgpu_svm_create(&gsvm->gpu, xnack, gsvm);
	if (IS_ERR(ctx))
		goto err_drop;
	WRITE_ONCE(gsvm->ctx, ctx);
	mutex_lock(&amdgpu_gem_svm_list_lock);
	list_add(&gsvm->link, &amdgpu_gem_svm_list);
	mutex_unlock(&amdgpu_gem_svm_list_lock);
out_unlock:
	mutex_unlock(&gsvm->lock);
	return ctx;

err_drop:
	mmdrop(gsvm->mm);
	WRITE_ONCE(gsvm->mm, NULL);
err_pagemap:
	gsvm->gpu.page_owner = NULL;
	gsvm->dpagemap = NULL;
	drm_pagemap_put(dpagemap);
err_pm:
	pm_runtime_put_autosuspend(dev);
	goto out_unlock;
}

/**
 * amdgpu_gem_svm_ioctl() - DRM_IOCTL_AMDGPU_GEM_SVM on an amdgpu render node
 * @dev: the device
 * @data: &struct drm_amdgpu_gem_svm
 * @filp: the file (its VM)
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno (see amdgpu_svm_drm.h).
 */
int amdgpu_gem_svm_ioctl(struct drm_device *dev, void *data,
			 struct drm_file *filp)
{
	struct amdgpu_fpriv *fpriv = filp->driver_priv;
	struct amdgpu_gem_svm *gsvm;
	struct amdgpu_svm *ctx;

	gsvm = amdgpu_gem_svm_of(drm_to_adev(dev), fpriv);
	if (IS_ERR(gsvm))
		return PTR_ERR(gsvm);
	ctx = amdgpu_gem_svm_get(gsvm);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	return amdgpu_svm_ioctl(ctx, data);
}

/**
 * amdgpu_gem_svm_check_caller() - may the caller run GPU work in a VM
 * @vm: the VM of a render node file
 *
 * Once the VM maps a process's memory through SVM, only that process may
 * submit work to it (command submission, user queues): a forked child
 * that inherited the file would otherwise read and write its parent's
 * memory, which KFD never allows either.
 *
 * Context: process context (an ioctl of the file, which keeps @vm alive).
 * Return: 0, or -EBADF when the VM's SVM belongs to another process.
 */
int amdgpu_gem_svm_check_caller(struct amdgpu_vm *vm)
{
	struct amdgpu_gem_svm *gsvm = READ_ONCE(vm->svm);
	struct mm_struct *mm = gsvm ? READ_ONCE(gsvm->mm) : NULL;

	return mm && mm != current->mm ? -EBADF : 0;
}

/**
 * amdgpu_gem_svm_check_userq() - may a user queue be created in a VM
 * @vm: the VM of a render node file
 *
 * SVM's quiesce (XNACK off: every invalidation of mapped memory, and
 * eviction until the restore) stops KFD's queues and holds command
 * submission back, but has no hold on amdgpu user queues, which would
 * run on through the cleared PTEs. A file has SVM state or user queues,
 * whichever came first; amdgpu_gem_svm_get() checks the other way under
 * the same lock.
 *
 * Context: amdgpu_userq_create(), the file's user queue lock held.
 * Return: 0, or -EBUSY when the VM has SVM state.
 */
int amdgpu_gem_svm_check_userq(struct amdgpu_vm *vm)
{
	struct amdgpu_fpriv *fpriv = container_of(vm, struct amdgpu_fpriv, vm);
	struct amdgpu_gem_svm *gsvm = READ_ONCE(vm->svm);

	lockdep_assert_held(&fpriv->userq_mgr.userq_mutex);
	return gsvm && READ_ONCE(gsvm->mm) ? -EBUSY : 0;
}

/**
 * amdgpu_gem_svm_check_gem_va() - may a GEM buffer be mapped at a VA span
 * @vm: the VM of a render node file
 * @start: first GPU virtual address, in bytes
 * @size: bytes
 *
 * DRM_IOCTL_AMDGPU_GEM_VA calls this before it maps a buffer: a span SVM
 * owns (attributes set, or pages GPU faults mapped) would have each
 * overwrite the other's PTEs. The other direction is check_span.
 *
 * Context: process context (the ioctl), no amdgpu lock held; takes the
 * SVM lock, then the mmap_lock.
 * Return: 0, or -EADDRINUSE over SVM memory.
 */
int amdgpu_gem_svm_check_gem_va(struct amdgpu_vm *vm, u64 start, u64 size)
{
	struct amdgpu_gem_svm *gsvm = READ_ONCE(vm->svm);
	struct amdgpu_svm *ctx = gsvm ? READ_ONCE(gsvm->ctx) : NULL;

	if (!ctx || start >= TASK_SIZE)
		return 0;
	return amdgpu_svm_span_in_use(ctx, start,
				      min_t(u64, start + size, TASK_SIZE)) ?
	       -EADDRINUSE : 0;
}

/*
 * A GPU reset that lost VRAM, or a page-table job that failed, moves the
 * VM's generation. amdgpu_vm_validate() then maps the VM's buffers again,
 * but not the SVM core's ranges, whose PTEs are gone or garbage: the first
 * submission that sees the new generation tells the core, before it waits
 * at the gate (XNACK off: the core quiesces the context until its restore
 * worker has mapped the ranges again; the PTE jobs of that restore carry
 * the new generation, so amdgpu_job_run() runs them). A second submitter
 * waits on @lock until the core has closed the gate.
 */
static void amdgpu_gem_svm_revalidate(struct amdgpu_gem_svm *gsvm)
{
	u64 generation = amdgpu_vm_generation(gsvm->adev, gsvm->vm);

	if (READ_ONCE(gsvm->generation) == generation)
		return;
	mutex_lock(&gsvm->lock);
	if (gsvm->generation != generation) {
		if (gsvm->ctx)
			amdgpu_svm_ptes_lost(gsvm->ctx);
		WRITE_ONCE(gsvm->generation, generation);
	}
	mutex_unlock(&gsvm->lock);
}

/**
 * amdgpu_gem_svm_cs_wait() - wait until command submission may run
 * @vm: the VM of a render node file
 *
 * The SVM core quiesced the process (XNACK off: an eviction is being
 * restored), and the submission would run against PTEs being rebuilt:
 * wait for the resume. Or a clear failed, and its PTEs may still map
 * freed memory: wait until amdgpu_gem_svm_stale_work() cleared them.
 * Called before the CS ioctl takes any lock, so the restore it waits for
 * never waits for it. First, a VM whose page tables
 * were regenerated since the core last mapped into them (a reset that
 * lost VRAM) has the core map its ranges again.
 *
 * Context: process context (an ioctl of the file, which keeps @vm alive).
 * Return: 0, or -ERESTARTSYS when a signal came first.
 */
int amdgpu_gem_svm_cs_wait(struct amdgpu_vm *vm)
{
	struct amdgpu_gem_svm *gsvm = READ_ONCE(vm->svm);

	if (!gsvm)
		return 0;
	amdgpu_gem_svm_revalidate(gsvm);
	return wait_event_interruptible(gsvm->cs_wait,
					!READ_ONCE(gsvm->cs_blocked) &&
					!READ_ONCE(gsvm->stale_held) &&
					!READ_ONCE(gsvm->pm_held));
}

/**
 * amdgpu_gem_svm_cs_blocked() - is command submission on a VM held back
 * @vm: the VM of a render node file
 *
 * The last check of amdgpu_cs_submit(), made under the device's notifier
 * lock so that it cannot race with amdgpu_gem_svm_quiesce(): true means
 * return -EAGAIN (libdrm restarts the ioctl, which then waits in
 * amdgpu_gem_svm_cs_wait()).
 *
 * Context: &amdgpu_device.notifier_lock held.
 * Return: true while the SVM core has the process quiesced, or PTEs a
 * failed clear left wait to be cleared again.
 */
bool amdgpu_gem_svm_cs_blocked(struct amdgpu_vm *vm)
{
	struct amdgpu_gem_svm *gsvm = READ_ONCE(vm->svm);

	if (!gsvm)
		return false;
	lockdep_assert_held(&gsvm->adev->notifier_lock);
	return gsvm->cs_blocked || gsvm->stale_held || gsvm->pm_held;
}

/*
 * Wait until the retry faults @adev has queued so far are handled, as
 * KFD's svm_range_drain_retry_fault() does: the hardware rings they
 * arrive on (IH1; IH0 with the retry CAM, or on a GPU without IH1; a
 * ring not enabled holds none), then the soft ring IH0's handler
 * delegates them to. A GPU reset drops them: the drain skips a device in
 * reset. Return 0, or -ERESTARTSYS (a signal) or -ETIMEDOUT (a second
 * went by on one ring) before every fault was handled.
 */
static int amdgpu_gem_svm_drain_retry_faults(struct amdgpu_device *adev)
{
	struct amdgpu_ih_ring *rings[] = {
		&adev->irq.ih, &adev->irq.ih1, &adev->irq.ih_soft,
	};
	long r = 1;
	int i;

	if (!down_read_trylock(&adev->reset_domain->sem))
		return 0;
	for (i = 0; i < ARRAY_SIZE(rings) && r > 0; i++) {
		r = amdgpu_ih_wait_on_checkpoint_process_ts(adev, rings[i]);
		if (r == -ENODEV)
			r = 1;
	}
	up_read(&adev->reset_domain->sem);
	if (r < 0)
		return r;
	return r ? 0 : -ETIMEDOUT;
}

/**
 * amdgpu_gem_svm_kfd_set_xnack() - AMDKFD_IOC_SET_XNACK_MODE for SVM
 * @p: the KFD process
 * @xnack: the new mode
 *
 * The XNACK mode is the process's, on KFD and in the SVM core alike: KFD
 * calls this before it switches its own ranges, and switches back with it
 * if that fails. One context of the process is enough
 * (amdgpu_svm_set_xnack() switches them all).
 *
 * Before XNACK goes off, the command submissions in flight on the SVM
 * contexts' VMs end, and the retry faults of every GPU of the process are
 * drained. The process has no KFD queue left (KFD refused the switch
 * otherwise, and @p's mutex keeps new ones out), but the faults its last
 * queues and submissions raised may still wait in the IH rings. Once the
 * mode is off, the core no longer takes them
 * (amdgpu_gem_svm_handle_fault() returns -ENOENT) and
 * amdgpu_vm_handle_fault() writes a no-retry PTE, or the dummy page, at
 * their addresses: over a PTE the switch has just mapped, so that an
 * XNACK-off queue of the process would VM-fault on memory it may access.
 * Not covered: a submission made during the switch (nothing holds them
 * back meanwhile), whose faults can still meet the new mode.
 *
 * Context: process context; the KFD process's mutex held (taken before
 * the SVM lock, never under it, nor in the fault path the drain waits
 * for).
 * Return: 0 (also for a process without SVM contexts, and when only
 * mapping again failed: the mode changed, the restore reports the spans);
 * -EBUSY if the process has SVM user queues; -EOPNOTSUPP if @xnack and a
 * GPU of the process cannot retry faults; -ERESTARTSYS or -ETIMEDOUT if
 * a signal or the timeout cut the wait or the drain short (nothing
 * changed).
 */
int amdgpu_gem_svm_kfd_set_xnack(struct kfd_process *p, bool xnack)
{
	struct amdgpu_svm *ctx = NULL;
	int i, r;

	lockdep_assert_held(&p->mutex);

	for (i = 0; i < p->n_pdds; i++) {
		struct amdgpu_gem_svm *gsvm;
		struct amdgpu_svm *c;

		if (!p->pdds[i]->drm_priv)
			continue;
		gsvm = READ_ONCE(drm_priv_to_vm(p->pdds[i]->drm_priv)->svm);
		c = gsvm ? READ_ONCE(gsvm->ctx) : NULL;
		if (!c || READ_ONCE(gsvm->mm) != p->mm)
			continue;
		if (!xnack) {
			r = amdgpu_gem_svm_wait_cs(gsvm, true);
			if (r)
				return r;
		}
		ctx = ctx ?: c;
	}
	if (!ctx)
		return 0;

	for (i = 0; !xnack && i < p->n_pdds; i++) {
		r = amdgpu_gem_svm_drain_retry_faults(p->pdds[i]->dev->adev);
		if (r)
			return r;
	}

	r = amdgpu_svm_set_xnack(ctx, xnack);
	return r == -EBUSY || r == -EOPNOTSUPP ? r : 0;
}

/**
 * amdgpu_gem_svm_kfd_acquired() - a KFD process acquired a render node's VM
 * @vm: the VM (&amdgpu_fpriv.vm of the file)
 * @p: the KFD process
 *
 * The SVM context of @vm maps the memory of one mm, and its quiesce stops
 * the queues of that mm's KFD process (kgd2kfd_quiesce_mm(), which finds
 * the primary KFD context only). Queues of another process (a forked
 * child or an exec'd image holding the file) or of a secondary KFD
 * context would run on the VM with no quiesce to stop them: their VM
 * acquire is refused. The SVM ioctl refuses the converse, a VM such a
 * process acquired (amdgpu_gem_svm_get()); a full barrier on each side
 * (here, and the one publishing &amdgpu_vm.svm) has at least one of two
 * racing calls see the other.
 *
 * Before the program opens /dev/kfd there is no KFD process to quiesce: a
 * process made while the context is quiesced, or holds command
 * submission back over a failed clear, would run queues on @vm before
 * the restore. Every KFD queue needs the VM, which KFD acquires first: @p
 * is quiesced now as often as the context's quiesces and hold found no
 * process, so that its queues are created evicted (KFD counts evictions
 * per device, &qcm_process_device.evicted) and the context's resumes
 * release them.
 *
 * Context: process context; @p's mutex held (kfd_process_device_init_vm(),
 * after the acquire, which it undoes on an error).
 * Return: 0; -EBADF for a VM another process maps memory of through SVM;
 * -EOPNOTSUPP for a secondary KFD context; or the error of KFD's quiesce.
 */
int amdgpu_gem_svm_kfd_acquired(struct amdgpu_vm *vm, struct kfd_process *p)
{
	struct amdgpu_gem_svm *gsvm;
	struct mm_struct *mm;
	int r = 0;

	lockdep_assert_held(&p->mutex);

	/* Pairs with the cmpxchg() publishing @vm->svm. */
	smp_mb();
	gsvm = READ_ONCE(vm->svm);
	if (!gsvm)
		return 0;

	mutex_lock(&gsvm->lock);
	mm = READ_ONCE(gsvm->mm);
	if (!mm)
		goto out_unlock;
	if (mm != p->mm) {
		dev_warn_ratelimited(gsvm->adev->dev,
				     "svm: KFD of another process may not acquire a VM that maps memory through SVM\n");
		r = -EBADF;
		goto out_unlock;
	}
	if (p->context_id != KFD_CONTEXT_ID_PRIMARY) {
		dev_warn_ratelimited(gsvm->adev->dev,
				     "svm: a secondary KFD context may not acquire a VM that maps memory through SVM\n");
		r = -EOPNOTSUPP;
		goto out_unlock;
	}

	mutex_lock(&gsvm->kfd_lock);
	while (!r && gsvm->kfd_quiesced < gsvm->quiesce_depth) {
		r = kgd2kfd_quiesce_mm(mm, KFD_QUEUE_EVICTION_TRIGGER_SVM);
		if (!r || r == -EIO) {
			r = 0;
			gsvm->kfd_quiesced++;
		}
	}
	mutex_unlock(&gsvm->kfd_lock);

	mutex_lock(&gsvm->stale_lock);
	if (!r && gsvm->stale_held && !gsvm->stale_kfd_mm)
		r = amdgpu_gem_svm_stale_quiesce_kfd(gsvm, mm);
	mutex_unlock(&gsvm->stale_lock);
	if (r)
		dev_warn(gsvm->adev->dev,
			 "svm: quiescing the new KFD process failed (%d), refusing its VM\n",
			 r);
out_unlock:
	mutex_unlock(&gsvm->lock);
	return r;
}

/**
 * amdgpu_gem_svm_handle_fault() - route a GPU retry fault to the SVM core
 * @adev: the device that faulted
 * @pasid: the PASID of the faulting VM
 * @addr: the faulting address, in bytes
 * @write_fault: the access was a write
 *
 * Called first by amdgpu_vm_handle_fault(). A VM with an SVM context in
 * XNACK mode gets the fault mapped by amdgpu_svm_handle_fault(). What the
 * core refuses (no VMA, no access for this GPU, a write to read-only
 * memory) is the program's VM fault: amdgpu then writes a no-retry PTE,
 * as for KFD's compute VMs, and neither maps the dummy page nor lets
 * KFD's SVM map the address behind the core's attributes. A VM without
 * such a context is left to amdgpu's own handling and KFD's.
 *
 * Context: process context (the IH soft-ring worker), no locks held.
 * Return: 0 if the fault was resolved or the access may retry after a
 * transient failure, -ENOENT if the VM has no SVM context in XNACK mode,
 * or -EFAULT: the access is a VM fault.
 */
int amdgpu_gem_svm_handle_fault(struct amdgpu_device *adev, u32 pasid,
				u64 addr, bool write_fault)
{
	struct amdgpu_gem_svm *gsvm;
	struct amdgpu_svm *ctx = NULL;
	unsigned long irqflags;
	struct amdgpu_vm *vm;
	int r = -ENOENT;
	int idx;

	idx = srcu_read_lock(&amdgpu_gem_svm_srcu);
	xa_lock_irqsave(&adev->vm_manager.pasids, irqflags);
	vm = xa_load(&adev->vm_manager.pasids, pasid);
	gsvm = vm ? READ_ONCE(vm->svm) : NULL;
	if (gsvm)
		ctx = READ_ONCE(gsvm->ctx);
	xa_unlock_irqrestore(&adev->vm_manager.pasids, irqflags);

	if (ctx && amdgpu_svm_xnack_enabled(ctx)) {
		r = amdgpu_svm_handle_fault(ctx, addr, write_fault);

		/*
		 * A transient failure (an invalidation kept racing, no memory
		 * for now, a GPU reset that cancelled or timed out the PTE
		 * update's job) is not a VM fault: a no-retry PTE written over
		 * memory the program may access would fault its next access.
		 * Leave the PTE invalid and let the GPU retry, taking the
		 * address out of the fault filter so the retry is seen, as KFD
		 * does. Any other failure would fail again at every retry
		 * (pages get_pages cannot map): the program's fault, and
		 * -ENOENT stays the answer for a VM without SVM.
		 */
		switch (r) {
		case 0:
		case -EFAULT:
			break;
		case -EAGAIN:
		case -EBUSY:
		case -ENOMEM:
		case -ECANCELED:
		case -ETIME:
		case -ETIMEDOUT:
			amdgpu_gmc_filter_faults_remove(adev, addr, pasid);
			r = 0;
			break;
		default:
			r = -EFAULT;
		}
	}
	srcu_read_unlock(&amdgpu_gem_svm_srcu, idx);
	return r;
}

/**
 * amdgpu_gem_svm_fini() - drop the SVM state of a VM
 * @adev: the device
 * @vm: the VM of a render node file, at postclose
 *
 * Unpublishes the state, waits for GPU faults still using it, destroys
 * the SVM context (which clears its PTEs: the VM must still be alive).
 *
 * Context: process or worker context, may sleep; before amdgpu_vm_fini().
 */
void amdgpu_gem_svm_fini(struct amdgpu_device *adev, struct amdgpu_vm *vm)
{
	struct amdgpu_gem_svm *gsvm = xchg(&vm->svm, NULL);

	if (!gsvm)
		return;
	synchronize_srcu(&amdgpu_gem_svm_srcu);
	if (gsvm->ctx) {
		mutex_lock(&amdgpu_gem_svm_list_lock);
		list_del(&gsvm->link);
		mutex_unlock(&amdgpu_gem_svm_list_lock);
	}
	/*
	 * The page tables go with the VM: nothing to clear again. Also after
	 * a first use that failed, whose clear may have taken a hold.
	 */
	mutex_lock(&gsvm->stale_lock);
	gsvm->dying = true;
	mutex_unlock(&gsvm->stale_lock);
	disable_delayed_work_sync(&gsvm->stale_work);
	if (gsvm->ctx)
		amdgpu_svm_destroy(gsvm->ctx);
	amdgpu_gem_svm_stale_resume_kfd(gsvm, gsvm->stale_kfd_mm);
	if (gsvm->ctx)
		pm_runtime_put_autosuspend(adev_to_drm(adev)->dev);
	drm_pagemap_put(gsvm->dpagemap);
	if (gsvm->mm)
		mmdrop(gsvm->mm);
	kvfree(gsvm->pages);
	mutex_destroy(&gsvm->kfd_lock);
	mutex_destroy(&gsvm->stale_lock);
	mutex_destroy(&gsvm->lock);
	kfree(gsvm);
}
