// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * amdgpu SVM debugfs: what the core holds per process, for tests and
 * for anyone chasing where kernel memory went.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: debugfs
 *
 * ``/sys/kernel/debug/amdgpu_svm/processes`` has one line per process with
 * SVM contexts::
 *
 *   pid 1234 contexts 2 xnack 0 intervals 17 ranges 9 interval_bytes 1088 range_bytes 42000
 *
 * ``intervals`` counts the nodes of the attribute tree, ``ranges`` the
 * drm_gpusvm ranges of all the process's GPUs. Both are charged to the
 * process's memory cgroup (GFP_KERNEL_ACCOUNT) and must come back to
 * where they were when the memory is unmapped and the files closed.
 * ``interval_bytes`` and ``range_bytes`` are their memory as allocated, the
 * latter with the ranges' DMA-address arrays and drm_gpusvm notifiers
 * (amdgpu_svm_range_bytes()).
 * The fault-injection points (DOC: Fault injection) live in the same
 * directory.
 *
 * Lock order: the registry lock, then a process's SVM lock.
 */

#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "amdgpu_svm_priv.h"

static LIST_HEAD(amdgpu_svm_registry);
static DEFINE_MUTEX(amdgpu_svm_registry_lock);
static struct dentry *amdgpu_svm_debugfs_root;

/**
 * amdgpu_svm_debugfs_register() - list a process that has a context
 * @proc: the process
 *
 * Context: process context; takes the registry lock, then the SVM lock.
 */
void amdgpu_svm_debugfs_register(struct amdgpu_svm_process *proc)
{
	mutex_lock(&amdgpu_svm_registry_lock);
	mutex_lock(&proc->lock);
	if (proc->ncontexts && list_empty(&proc->registry_link))
		list_add_tail(&proc->registry_link, &amdgpu_svm_registry);
	mutex_unlock(&proc->lock);
	mutex_unlock(&amdgpu_svm_registry_lock);
}

/**
 * amdgpu_svm_debugfs_forget() - unlist a process whose last context left
 * @proc: the process
 *
 * A context that joined meanwhile keeps it listed. The caller drops its
 * reference to @proc afterwards, so no listed process is ever freed.
 *
 * Context: process context; takes the registry lock, then the SVM lock.
 */
void amdgpu_svm_debugfs_forget(struct amdgpu_svm_process *proc)
{
	mutex_lock(&amdgpu_svm_registry_lock);
	mutex_lock(&proc->lock);
	if (!proc->ncontexts)
		list_del_init(&proc->registry_link);
	mutex_unlock(&proc->lock);
	mutex_unlock(&amdgpu_svm_registry_lock);
}

static int amdgpu_svm_processes_show(struct seq_file *m, void *data)
{
	struct amdgpu_svm_process *proc;
	struct amdgpu_svm *svm;

	mutex_lock(&amdgpu_svm_registry_lock);
	list_for_each_entry(proc, &amdgpu_svm_registry, registry_link) {
		unsigned int intervals;
		size_t range_bytes = 0;

		mutex_lock(&proc->lock);
		intervals = amdgpu_svm_attr_count(&proc->attrs);
		list_for_each_entry(svm, &proc->gpus, link)
			range_bytes += amdgpu_svm_range_bytes(svm);
		seq_printf(m, "pid %d contexts %u xnack %d intervals %u ranges %d interval_bytes %zu range_bytes %zu\n",
			   proc->tgid, proc->ncontexts, proc->xnack, intervals,
			   atomic_read(&proc->nranges),
			   amdgpu_svm_attr_bytes(intervals), range_bytes);
		mutex_unlock(&proc->lock);
	}
	mutex_unlock(&amdgpu_svm_registry_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(amdgpu_svm_processes);

/**
 * amdgpu_svm_debugfs_init() - make /sys/kernel/debug/amdgpu_svm/
 *
 * As everywhere in debugfs, a file that cannot be made is not an error.
 */
void amdgpu_svm_debugfs_init(void)
{
	amdgpu_svm_debugfs_root = debugfs_create_dir("amdgpu_svm", NULL);
	debugfs_create_file("processes", 0444, amdgpu_svm_debugfs_root, NULL,
			    &amdgpu_svm_processes_fops);
	amdgpu_svm_inject_init(amdgpu_svm_debugfs_root);
}

/**
 * amdgpu_svm_debugfs_fini() - remove what amdgpu_svm_debugfs_init() made
 */
void amdgpu_svm_debugfs_fini(void)
{
	debugfs_remove_recursive(amdgpu_svm_debugfs_root);
	amdgpu_svm_debugfs_root = NULL;
}
