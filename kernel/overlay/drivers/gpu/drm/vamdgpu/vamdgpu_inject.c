// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: Backend fault injection
 *
 * Real GPUs fail steps below the SVM core that the virtual GPU would
 * otherwise always complete. With CONFIG_FAULT_INJECTION_DEBUG_FS each is
 * a standard fault-injection attribute directory (probability, interval,
 * times, verbose, ...; see Documentation/fault-injection/) under
 * ``/sys/kernel/debug/vamdgpu/``, shared by every virtual GPU:
 *
 * - ``fail_pte_update_midway``: a PTE update fails with -ENOMEM after it
 *   wrote the first half of its span, as amdgpu's update does when a
 *   later run of pages (another memory domain) cannot be written, and
 *   after the GPU cached the translation of the span's first page, as a
 *   running queue may. The update op must then leave no PTE of the span
 *   valid, and the SVM core must flush the TLB.
 * - ``fail_copy_to_vram``: a migration copy to VRAM fails with -EIO after
 *   it copied half of its pages, as an SDMA copy that failed. The
 *   migration must leave the pages in system memory, data intact.
 * - ``fail_vram_alloc``: the VRAM allocation of a migration fails with
 *   -ENOMEM, as TTM's does when VRAM is full of memory it cannot evict.
 * - ``fail_pte_lost``: an SVM PTE update of a VM with XNACK on succeeds,
 *   and the PTEs it wrote are wiped right after, no MMU notifier and no
 *   call of the core involved, as when amdgpu's clear of a page table
 *   queued earlier on its other page-table engine lands after the update.
 *   The GPU then faults there again and again, and the core must write
 *   the PTEs again.
 *
 * Copies back to system memory are never failed: on amdgpu a CPU fault
 * whose copy fails is a SIGBUS, since no other copy of the data exists.
 * Without CONFIG_FAULT_INJECTION no point ever fails.
 */

#include <linux/debugfs.h>
#include <linux/fault-inject.h>

#include "vamdgpu_inject.h"

static struct fault_attr vamdgpu_fault_attrs[VAMDGPU_FAIL_POINTS] = {
	[0 ... VAMDGPU_FAIL_POINTS - 1] = FAULT_ATTR_INITIALIZER,
};

static const char *const vamdgpu_fault_names[VAMDGPU_FAIL_POINTS] = {
	[VAMDGPU_FAIL_PTE_UPDATE_MIDWAY] = "fail_pte_update_midway",
	[VAMDGPU_FAIL_COPY_TO_VRAM] = "fail_copy_to_vram",
	[VAMDGPU_FAIL_VRAM_ALLOC] = "fail_vram_alloc",
	[VAMDGPU_FAIL_PTE_LOST] = "fail_pte_lost",
};

static struct dentry *vamdgpu_inject_root;

/**
 * vamdgpu_should_fail() - whether a failure point fails this time
 * @point: the point
 *
 * Context: any (no allocation, no sleep); may print, as the attribute's
 * verbose setting asks.
 * Return: true if the caller must fail as DOC: Backend fault injection
 * says.
 */
bool vamdgpu_should_fail(enum vamdgpu_fail_point point)
{
	return should_fail(&vamdgpu_fault_attrs[point], 1);
}

/**
 * vamdgpu_inject_init() - make /sys/kernel/debug/vamdgpu/ and its points
 *
 * As everywhere in debugfs, a directory that cannot be made is not an
 * error: the points then never fail.
 *
 * Context: module init.
 */
void vamdgpu_inject_init(void)
{
	int i;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		return;
	vamdgpu_inject_root = debugfs_create_dir("vamdgpu", NULL);
	for (i = 0; i < VAMDGPU_FAIL_POINTS; i++)
		fault_create_debugfs_attr(vamdgpu_fault_names[i],
					  vamdgpu_inject_root,
					  &vamdgpu_fault_attrs[i]);
}

/**
 * vamdgpu_inject_fini() - remove what vamdgpu_inject_init() made
 *
 * Context: module exit.
 */
void vamdgpu_inject_fini(void)
{
	debugfs_remove_recursive(vamdgpu_inject_root);
}
