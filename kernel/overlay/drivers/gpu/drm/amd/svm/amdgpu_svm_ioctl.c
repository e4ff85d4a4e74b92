// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * amdgpu SVM core: the DRM_AMDGPU_GEM_SVM ioctl.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <drm/amdgpu_svm_drm.h>

#include "amdgpu_svm_priv.h"

/* The rules of the UAPI header that need no lock, in its order. */
static int amdgpu_svm_check_args(const struct drm_amdgpu_gem_svm *args)
{
	u64 end;

	if (args->op != AMDGPU_SVM_OP_SET_ATTR &&
	    args->op != AMDGPU_SVM_OP_GET_ATTR)
		return -EINVAL;
	if (args->flags || args->pad)
		return -EINVAL;
	if (!args->size || !PAGE_ALIGNED(args->start) ||
	    !PAGE_ALIGNED(args->size))
		return -EINVAL;
	if (check_add_overflow(args->start, args->size, &end) ||
	    end > TASK_SIZE)
		return -EINVAL;
	if (!args->nattr)
		return -EINVAL;
	if (args->nattr > AMDGPU_SVM_MAX_ATTRS)
		return -E2BIG;
	return 0;
}

/*
 * Check every attribute and turn SET_ATTR entries into tree operations
 * (gpu_id -> GPU index).
 */
static int amdgpu_svm_check_attrs(struct amdgpu_svm_process *proc,
				  const struct drm_amdgpu_svm_attribute *attrs,
				  unsigned int nattr, bool set,
				  struct amdgpu_svm_attr_op *ops)
{
	unsigned int i;
	int idx;

	lockdep_assert_held(&proc->lock);

	for (i = 0; i < nattr; i++) {
		u32 type = attrs[i].type, value = attrs[i].value;

		switch (type) {
		case AMDGPU_SVM_ATTR_PREFERRED_LOC:
		case AMDGPU_SVM_ATTR_PREFETCH_LOC:
			if (set && value != AMDGPU_SVM_LOCATION_SYSMEM &&
			    value != AMDGPU_SVM_LOCATION_UNDEFINED &&
			    amdgpu_svm_process_gpu_idx(proc, value) < 0)
				return -EINVAL;
			break;
		case AMDGPU_SVM_ATTR_ACCESS:
		case AMDGPU_SVM_ATTR_ACCESS_IN_PLACE:
		case AMDGPU_SVM_ATTR_NO_ACCESS:
			idx = amdgpu_svm_process_gpu_idx(proc, value);
			if (idx < 0)
				return -EINVAL;
			value = idx;
			break;
		case AMDGPU_SVM_ATTR_SET_FLAGS:
		case AMDGPU_SVM_ATTR_CLR_FLAGS:
			if (set && (value & ~AMDGPU_SVM_FLAGS_ALL))
				return -EINVAL;
			break;
		case AMDGPU_SVM_ATTR_GRANULARITY:
			if (set && value > AMDGPU_SVM_MAX_GRANULARITY)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		ops[i].type = type;
		ops[i].value = value;
	}
	return 0;
}

/* Every page of [start, end) in a VMA that is neither VM_IO nor VM_PFNMAP. */
static int amdgpu_svm_check_vmas(struct mm_struct *mm, unsigned long start,
				 unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long addr = start;

	mmap_assert_locked(mm);

	while (addr < end) {
		vma = vma_lookup(mm, addr);
		if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)))
			return -EFAULT;
		addr = vma->vm_end;
	}
	return 0;
}

static void amdgpu_svm_fill_get(struct amdgpu_svm_process *proc,
				const struct amdgpu_svm_attr_get *got,
				struct drm_amdgpu_svm_attribute *attrs,
				const struct amdgpu_svm_attr_op *ops,
				unsigned int nattr)
{
	unsigned int i;

	for (i = 0; i < nattr; i++) {
		u64 bit = BIT_ULL(ops[i].value % AMDGPU_SVM_MAX_GPUS);

		switch (attrs[i].type) {
		case AMDGPU_SVM_ATTR_PREFERRED_LOC:
			attrs[i].value = got->preferred_loc;
			break;
		case AMDGPU_SVM_ATTR_PREFETCH_LOC:
			attrs[i].value = got->prefetch_loc;
			break;
		case AMDGPU_SVM_ATTR_ACCESS:
		case AMDGPU_SVM_ATTR_ACCESS_IN_PLACE:
		case AMDGPU_SVM_ATTR_NO_ACCESS:
			if (got->access & bit)
				attrs[i].type = AMDGPU_SVM_ATTR_ACCESS;
			else if (got->access_in_place & bit)
				attrs[i].type = AMDGPU_SVM_ATTR_ACCESS_IN_PLACE;
			else
				attrs[i].type = AMDGPU_SVM_ATTR_NO_ACCESS;
			break;
		case AMDGPU_SVM_ATTR_SET_FLAGS:
			attrs[i].value = got->set_flags;
			break;
		case AMDGPU_SVM_ATTR_CLR_FLAGS:
			attrs[i].value = got->clr_flags;
			break;
		case AMDGPU_SVM_ATTR_GRANULARITY:
			attrs[i].value = got->granularity;
			break;
		}
	}
}

/*
 * SET_ATTR after validation: attributes change atomically with respect to
 * munmap (mmap_lock held while checking VMAs and setting), then
 * PREFETCH_LOC is carried out and every GPU of the process syncs its
 * mappings of the span, placing pages at their location.
 */
static int amdgpu_svm_set_attr(struct amdgpu_svm *svm, unsigned long start,
			       unsigned long end,
			       const struct amdgpu_svm_attr_op *ops,
			       unsigned int nattr)
{
	struct amdgpu_svm_process *proc = svm->proc;
	struct mm_struct *mm = svm->gpusvm.mm;
	struct amdgpu_svm *gpu;
	int ret;

	lockdep_assert_held(&proc->lock);

	ret = amdgpu_svm_attr_refill(&proc->attrs);
	if (ret)
		return ret;

	mmap_read_lock(mm);
	amdgpu_svm_clear_stale_attrs(proc, mm);
	ret = amdgpu_svm_check_vmas(mm, start, end);
	list_for_each_entry(gpu, &proc->gpus, link) {
		if (ret)
			break;
		if (gpu->gpu->ops->check_span)
			ret = gpu->gpu->ops->check_span(gpu, start, end);
	}
	if (!ret)
		ret = amdgpu_svm_attr_set(&proc->attrs, start, end, ops, nattr);
	mmap_read_unlock(mm);
	if (ret)
		return ret;

	amdgpu_svm_prefetch(proc, start, end);
	return amdgpu_svm_sync_all(proc, start, end,
				   AMDGPU_SVM_SYNC_STRICT |
				   AMDGPU_SVM_SYNC_MIGRATE);
}

/**
 * amdgpu_svm_ioctl() - DRM_AMDGPU_GEM_SVM
 * @svm: the context of the file the ioctl came through
 * @data: the &struct drm_amdgpu_gem_svm copied in by drm_ioctl()
 *
 * Validates by the rules documented in amdgpu_svm_drm.h, then sets or
 * gets attributes for the whole process (all its GPUs). Unmaps the CPU
 * did before the call are processed first.
 *
 * Context: process context, may sleep; the caller holds no SVM lock.
 * Return: 0, or a negative errno as documented in the UAPI header;
 * -EBADF when called by a process other than the one that created @svm
 * (a forked child using its parent's fd).
 */
int amdgpu_svm_ioctl(struct amdgpu_svm *svm, void *data)
{
	struct drm_amdgpu_gem_svm *args = data;
	struct amdgpu_svm_process *proc = svm->proc;
	struct drm_amdgpu_svm_attribute *attrs;
	struct amdgpu_svm_attr_op *ops;
	struct amdgpu_svm_attr_get got;
	unsigned long start, end;
	int ret;

	ret = amdgpu_svm_check_args(args);
	if (ret)
		return ret;
	if (current->mm != svm->gpusvm.mm)
		return -EBADF;
	start = args->start;
	end = args->start + args->size;

	attrs = memdup_array_user(u64_to_user_ptr(args->attrs), args->nattr,
				  sizeof(*attrs));
	if (IS_ERR(attrs))
		return PTR_ERR(attrs);
	/*
	 * GET writes the array back: an unwritable one is -EFAULT before the
	 * attribute checks, as the header orders the rules. Writing the same
	 * bytes back changes nothing the caller can see.
	 */
	if (args->op == AMDGPU_SVM_OP_GET_ATTR &&
	    copy_to_user(u64_to_user_ptr(args->attrs), attrs,
			 array_size(args->nattr, sizeof(*attrs)))) {
		ret = -EFAULT;
		goto out_free_attrs;
	}
	ops = kcalloc(args->nattr, sizeof(*ops), GFP_KERNEL);
	if (!ops) {
		ret = -ENOMEM;
		goto out_free_attrs;
	}

	mutex_lock(&proc->lock);
	ret = amdgpu_svm_check_attrs(proc, attrs, args->nattr,
				     args->op == AMDGPU_SVM_OP_SET_ATTR, ops);
	if (ret)
		goto out_unlock;

	/* Process UNMAPs first: they may free ranges this call reuses. */
	amdgpu_svm_process_drain(proc);

	if (args->op == AMDGPU_SVM_OP_SET_ATTR) {
		ret = amdgpu_svm_set_attr(svm, start, end, ops, args->nattr);
		goto out_unlock;
	}

	mmap_read_lock(svm->gpusvm.mm);
	ret = amdgpu_svm_check_vmas(svm->gpusvm.mm, start, end);
	if (!ret)
		amdgpu_svm_attr_get(&proc->attrs, start, end, &got);
	mmap_read_unlock(svm->gpusvm.mm);
	if (ret)
		goto out_unlock;
	amdgpu_svm_fill_get(proc, &got, attrs, ops, args->nattr);
	mutex_unlock(&proc->lock);

	if (copy_to_user(u64_to_user_ptr(args->attrs), attrs,
			 array_size(args->nattr, sizeof(*attrs))))
		ret = -EFAULT;
	goto out_free_ops;

out_unlock:
	mutex_unlock(&proc->lock);
out_free_ops:
	kfree(ops);
out_free_attrs:
	kfree(attrs);
	return ret;
}
EXPORT_SYMBOL_GPL(amdgpu_svm_ioctl);
