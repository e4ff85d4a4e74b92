// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: debugfs
 *
 * Under /sys/kernel/debug/dri/vamdgpu.N/ (N = instance):
 *
 * - ``vamdgpu_vms``: every process (VM) with its XNACK mode, quiesce depth
 *   and TLB flush count, and every queue with its state, seqnos and
 *   counters (quiesce, resume, retry faults, VM faults, TLB misses).
 * - ``vamdgpu_vram``: VRAM size, use and eviction counters.
 * - ``vamdgpu_evict_vram``: reading it evicts all VRAM, as reading
 *   amdgpu's ``amdgpu_evict_vram`` does, and prints how many blocks were
 *   offered to their owners.
 * - ``vamdgpu_lose_page_tables``: reading it wipes the page table of every
 *   VM of the device, as a GPU reset that lost VRAM (where amdgpu keeps
 *   its page tables) does, and prints how many. VRAM keeps its contents.
 *   The queues of those VMs are lost: their submissions that had not
 *   completed are cancelled (-ECANCELED) and they take no more, so the
 *   process makes new ones. Each VM rebuilds at its next submission, as
 *   amdgpu's command submission does when it sees the VRAM-lost counter
 *   move: hand-made mappings are written again, and the SVM core is told
 *   (amdgpu_svm_ptes_lost()).
 * - ``vamdgpu_fail_pte_updates``: writing N makes the next N PTE updates
 *   of the SVM core fail with -EBUSY, as amdgpu's unlocked
 *   amdgpu_vm_update_range() does while the VM's page tables are being
 *   evicted; reading it tells how many are left.
 * - ``vamdgpu_stall_pte_updates``: writing N makes the next N PTE updates
 *   of the SVM core wait, as an amdgpu page-table job queued behind a long
 *   SDMA copy or a hung ring does, until 0 is written (which also disarms
 *   what is left) or for at most a minute; reading it tells how many are
 *   left to stall. A stalled update holds its context's SVM lock and
 *   notifier lock, so the invalidations of its process wait as well.
 * - ``vamdgpu_stall_pte_reserves``: the same for the next N reservations
 *   of page tables before an update, as amdgpu's wait for its page-table
 *   BOs: a stalled reservation holds only its context's SVM lock, so the
 *   CPU may unmap and map the span meanwhile.
 * - ``vamdgpu_pte_updates_stalled``: how many PTE updates and
 *   reservations wait now.
 * - ``vamdgpu_stall_copies_to_ram``: the same for the next N copies from
 *   VRAM to system memory (an eviction, a CPU fault, the source side of a
 *   migration to another GPU), as an SDMA copy queued behind a long one:
 *   the pages being copied are unmapped from every process meanwhile, and
 *   an eviction holds no mmap_lock, so its processes may unmap them or
 *   exit. A stalled eviction holds the device's eviction lock: the VRAM
 *   allocations that must evict wait for it too.
 * - ``vamdgpu_copies_to_ram_stalled``: how many copies wait now.
 *
 * Writing 0 to any of the three stall files disarms all three and ends
 * every stall.
 */

#include <linux/debugfs.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/wait.h>

#include <drm/drm_debugfs.h>

#include "vamdgpu_debugfs.h"
#include "vamdgpu_drv.h"
#include "vamdgpu_queue.h"
#include "vamdgpu_vm.h"
#include "vamdgpu_vram.h"

/* The longest stall debugfs can arm. */
#define VAMDGPU_STALL_MAX	(60 * HZ)

/**
 * vamdgpu_stall_if_armed() - wait here if debugfs armed a stall
 * @vdev: the GPU
 * @armed: the stalls of this point still to take (one of the stall files)
 * @stalled: counts the callers waiting here now
 *
 * Takes one of @armed if any is left, and then waits until the stalls are
 * released (0 written to a stall file) or for VAMDGPU_STALL_MAX, as an
 * amdgpu job queued behind a long SDMA copy or a hung ring waits for it.
 * The release count is read first, so that a release after it ends the
 * stall; a caller that read it before a release and takes a stall armed
 * after that release does not wait (its stall is used up).
 *
 * Context: process context; sleeps while stalled.
 */
void vamdgpu_stall_if_armed(struct vamdgpu_device *vdev, atomic_t *armed,
			    atomic_t *stalled)
{
	/* Read first: a release after it ends the stall armed before it. */
	int release = atomic_read(&vdev->stall_release);

	if (!atomic_add_unless(armed, -1, 0))
		return;
	atomic_inc(stalled);
	wait_event_idle_timeout(vdev->stall_wq,
				atomic_read(&vdev->stall_release) != release,
				VAMDGPU_STALL_MAX);
	atomic_dec(stalled);
}

static struct vamdgpu_device *vamdgpu_debugfs_dev(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_vamdgpu(entry->dev);
}

static int vamdgpu_debugfs_vms(struct seq_file *m, void *data)
{
	struct vamdgpu_device *vdev = vamdgpu_debugfs_dev(m);
	struct vamdgpu_vm *vm;

	mutex_lock(&vdev->vms_lock);
	list_for_each_entry(vm, &vdev->vms, link)
		vamdgpu_vm_show_queues(vm, m);
	mutex_unlock(&vdev->vms_lock);
	return 0;
}

static int vamdgpu_debugfs_vram(struct seq_file *m, void *data)
{
	vamdgpu_vram_show(vamdgpu_debugfs_dev(m)->vram, m);
	return 0;
}

static int vamdgpu_debugfs_evict_vram(struct seq_file *m, void *data)
{
	unsigned int n = vamdgpu_vram_evict_all(vamdgpu_debugfs_dev(m)->vram);

	seq_printf(m, "evicted %u blocks\n", n);
	return 0;
}

/*
 * As a GPU reset that lost VRAM, for the page tables only (VRAM keeps its
 * contents): every VM loses its queues and its PTEs, and rebuilds them at
 * its next submission (vamdgpu_vm_revalidate()).
 */
static int vamdgpu_debugfs_lose_page_tables(struct seq_file *m, void *data)
{
	struct vamdgpu_device *vdev = vamdgpu_debugfs_dev(m);
	struct vamdgpu_vm *vm;
	unsigned int n = 0;

	mutex_lock(&vdev->vms_lock);
	list_for_each_entry(vm, &vdev->vms, link) {
		vamdgpu_vm_lose_ptes(vm);
		n++;
	}
	mutex_unlock(&vdev->vms_lock);
	seq_printf(m, "wiped the page tables of %u VMs\n", n);
	return 0;
}

static int vamdgpu_debugfs_stall_get(void *data, u64 *val)
{
	struct vamdgpu_device *vdev = data;

	*val = atomic_read(&vdev->stall_pte_updates);
	return 0;
}

static int vamdgpu_debugfs_reserve_stall_get(void *data, u64 *val)
{
	struct vamdgpu_device *vdev = data;

	*val = atomic_read(&vdev->stall_pte_reserves);
	return 0;
}

/* Arm @stall for @val calls; 0 disarms every stall and ends every one. */
static int vamdgpu_debugfs_arm_stall(struct vamdgpu_device *vdev,
				     atomic_t *stall, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(stall, val);
	if (!val) {
		atomic_set(&vdev->stall_pte_updates, 0);
		atomic_set(&vdev->stall_pte_reserves, 0);
		atomic_set(&vdev->stall_copies_to_ram, 0);
		/*
		 * Disarmed before released: an update that reads the new
		 * release must find nothing left to stall.
		 */
		smp_mb__before_atomic();
		atomic_inc(&vdev->stall_release);
		wake_up_all(&vdev->stall_wq);
	}
	return 0;
}

static int vamdgpu_debugfs_stall_set(void *data, u64 val)
{
	struct vamdgpu_device *vdev = data;

	return vamdgpu_debugfs_arm_stall(vdev, &vdev->stall_pte_updates, val);
}

static int vamdgpu_debugfs_reserve_stall_set(void *data, u64 val)
{
	struct vamdgpu_device *vdev = data;

	return vamdgpu_debugfs_arm_stall(vdev, &vdev->stall_pte_reserves, val);
}

static int vamdgpu_debugfs_copy_stall_get(void *data, u64 *val)
{
	struct vamdgpu_device *vdev = data;

	*val = atomic_read(&vdev->stall_copies_to_ram);
	return 0;
}

static int vamdgpu_debugfs_copy_stall_set(void *data, u64 val)
{
	struct vamdgpu_device *vdev = data;

	return vamdgpu_debugfs_arm_stall(vdev, &vdev->stall_copies_to_ram, val);
}

DEFINE_DEBUGFS_ATTRIBUTE(vamdgpu_debugfs_stall_fops, vamdgpu_debugfs_stall_get,
			 vamdgpu_debugfs_stall_set, "%llu\n");
DEFINE_DEBUGFS_ATTRIBUTE(vamdgpu_debugfs_reserve_stall_fops,
			 vamdgpu_debugfs_reserve_stall_get,
			 vamdgpu_debugfs_reserve_stall_set, "%llu\n");
DEFINE_DEBUGFS_ATTRIBUTE(vamdgpu_debugfs_copy_stall_fops,
			 vamdgpu_debugfs_copy_stall_get,
			 vamdgpu_debugfs_copy_stall_set, "%llu\n");

static const struct drm_debugfs_info vamdgpu_debugfs_files[] = {
	{ "vamdgpu_vms", vamdgpu_debugfs_vms, 0 },
	{ "vamdgpu_vram", vamdgpu_debugfs_vram, 0 },
	{ "vamdgpu_evict_vram", vamdgpu_debugfs_evict_vram, 0 },
	{ "vamdgpu_lose_page_tables", vamdgpu_debugfs_lose_page_tables, 0 },
};

/**
 * vamdgpu_debugfs_init() - create the device's debugfs files
 * @vdev: the GPU, before drm_dev_register()
 *
 * Context: process context.
 */
void vamdgpu_debugfs_init(struct vamdgpu_device *vdev)
{
	drm_debugfs_add_files(&vdev->drm, vamdgpu_debugfs_files,
			      ARRAY_SIZE(vamdgpu_debugfs_files));
	debugfs_create_atomic_t("vamdgpu_fail_pte_updates", 0600,
				vdev->drm.debugfs_root, &vdev->fail_pte_updates);
	debugfs_create_file_unsafe("vamdgpu_stall_pte_updates", 0600,
				   vdev->drm.debugfs_root, vdev,
				   &vamdgpu_debugfs_stall_fops);
	debugfs_create_file_unsafe("vamdgpu_stall_pte_reserves", 0600,
				   vdev->drm.debugfs_root, vdev,
				   &vamdgpu_debugfs_reserve_stall_fops);
	debugfs_create_atomic_t("vamdgpu_pte_updates_stalled", 0400,
				vdev->drm.debugfs_root,
				&vdev->pte_updates_stalled);
	debugfs_create_file_unsafe("vamdgpu_stall_copies_to_ram", 0600,
				   vdev->drm.debugfs_root, vdev,
				   &vamdgpu_debugfs_copy_stall_fops);
	debugfs_create_atomic_t("vamdgpu_copies_to_ram_stalled", 0400,
				vdev->drm.debugfs_root,
				&vdev->copies_to_ram_stalled);
}
