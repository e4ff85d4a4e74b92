// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * amdgpu SVM fault injection: failure points of the core for the tests.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: Fault injection
 *
 * With CONFIG_FAULT_INJECTION_DEBUG_FS the core fails four of its own
 * steps on demand, each a standard fault-injection attribute directory
 * (probability, interval, times, verbose, task-filter, the stack filter;
 * see Documentation/fault-injection/fault-injection.rst) under
 * ``/sys/kernel/debug/amdgpu_svm/``:
 *
 * - ``fail_get_pages``: getting a range's pages (hmm_range_fault() and
 *   the DMA mappings) fails with -ENOMEM before it starts;
 * - ``fail_update_ptes``: a GPU page-table update fails with -ENOMEM
 *   before the GPU driver is called, as an update that could not
 *   allocate;
 * - ``fail_migrate``: a migration between system memory and VRAM fails
 *   with -ENOMEM before anything is copied, as a copy engine that
 *   failed;
 * - ``fail_attr_split``: a munmap inside one attribute interval finds no
 *   node to split it with, neither from GFP_NOWAIT nor from the spares,
 *   as under a memory cgroup at its limit after a run of such munmaps.
 *
 * Each injected failure takes the path a real one takes: SET_ATTR returns
 * the errno with the attributes set, the restore worker retries and in the
 * end gives up on the span (XNACK off), a GPU fault returns the errno,
 * which the GPU driver retries as transient (XNACK on), and a failed
 * migration leaves the pages where they were; an interval munmap cannot
 * split keeps its attributes whole until the next SET_ATTR clears what
 * of it is unmapped.
 * The kernel's failslab and fail_page_alloc reach the core's allocations
 * and those of drm_gpusvm and the mm below it; their stack filter
 * (require-start / require-end) can confine them to this module.
 *
 * Without CONFIG_FAULT_INJECTION every point compiles to nothing.
 */

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/fault-inject.h>

#include "amdgpu_svm_priv.h"

static struct fault_attr amdgpu_svm_fault_attrs[AMDGPU_SVM_FAIL_POINTS] = {
	[0 ... AMDGPU_SVM_FAIL_POINTS - 1] = FAULT_ATTR_INITIALIZER,
};

static const char *const amdgpu_svm_fault_names[AMDGPU_SVM_FAIL_POINTS] = {
	[AMDGPU_SVM_FAIL_GET_PAGES] = "fail_get_pages",
	[AMDGPU_SVM_FAIL_UPDATE_PTES] = "fail_update_ptes",
	[AMDGPU_SVM_FAIL_MIGRATE] = "fail_migrate",
	[AMDGPU_SVM_FAIL_ATTR_SPLIT] = "fail_attr_split",
};

/**
 * amdgpu_svm_should_fail() - whether a failure point fails this time
 * @point: the point, enum amdgpu_svm_fail_point
 *
 * Context: any; may print (the attribute's verbose setting).
 * Return: true if the caller must fail as the point's documentation says.
 */
bool amdgpu_svm_should_fail(enum amdgpu_svm_fail_point point)
{
	KUNIT_STATIC_STUB_REDIRECT(amdgpu_svm_should_fail, point);
	return should_fail(&amdgpu_svm_fault_attrs[point], 1);
}
EXPORT_SYMBOL_IF_KUNIT(amdgpu_svm_should_fail);

/**
 * amdgpu_svm_inject_init() - make the failure points' debugfs directories
 * @root: the core's debugfs directory (amdgpu_svm_debugfs_init()), which
 *	removes them with itself
 *
 * Nothing happens without CONFIG_FAULT_INJECTION_DEBUG_FS; as everywhere
 * in debugfs, a directory that cannot be made is not an error.
 */
void amdgpu_svm_inject_init(struct dentry *root)
{
	int i;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		return;
	for (i = 0; i < AMDGPU_SVM_FAIL_POINTS; i++)
		fault_create_debugfs_attr(amdgpu_svm_fault_names[i], root,
					  &amdgpu_svm_fault_attrs[i]);
}
