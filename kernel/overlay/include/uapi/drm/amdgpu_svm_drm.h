/* SPDX-License-Identifier: MIT */
/*
 * UAPI of amdgpu shared virtual memory (SVM) on drm_gpusvm: the
 * DRM_AMDGPU_GEM_SVM ioctl, on amdgpu render nodes and on the vamdgpu
 * virtual GPU alike (same number, same structure).
 *
 * The attribute vocabulary is KFD's (include/uapi/linux/kfd_ioctl.h,
 * struct kfd_ioctl_svm_attribute): the same types, values and flags, so
 * code written for AMDKFD_IOC_SVM ports by renaming.
 *
 * Copyright 2026 The amdgpu-svm authors
 */
#ifndef _UAPI_AMDGPU_SVM_DRM_H_
#define _UAPI_AMDGPU_SVM_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/*
 * Free in amdgpu_drm.h (which ends at 0x19) and kept free by vamdgpu, so
 * the same request number works on both drivers.
 */
#define DRM_AMDGPU_GEM_SVM	0x20

#define DRM_IOCTL_AMDGPU_GEM_SVM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AMDGPU_GEM_SVM, struct drm_amdgpu_gem_svm)

/**
 * enum drm_amdgpu_svm_op - &drm_amdgpu_gem_svm.op
 * @AMDGPU_SVM_OP_SET_ATTR: set attributes on [start, start + size)
 * @AMDGPU_SVM_OP_GET_ATTR: read attributes of [start, start + size)
 */
enum drm_amdgpu_svm_op {
	AMDGPU_SVM_OP_SET_ATTR = 0,
	AMDGPU_SVM_OP_GET_ATTR = 1,
};

/**
 * enum drm_amdgpu_svm_location - special values of PREFERRED_LOC and
 * PREFETCH_LOC; any other value is the gpu_id of a GPU.
 * @AMDGPU_SVM_LOCATION_SYSMEM: system memory
 * @AMDGPU_SVM_LOCATION_UNDEFINED: no location (the default); returned by
 *	GET_ATTR when the pages of the span disagree
 */
enum drm_amdgpu_svm_location {
	AMDGPU_SVM_LOCATION_SYSMEM = 0,
	AMDGPU_SVM_LOCATION_UNDEFINED = 0xffffffff,
};

/**
 * enum drm_amdgpu_svm_attr_type - &drm_amdgpu_svm_attribute.type
 *
 * @AMDGPU_SVM_ATTR_PREFERRED_LOC: gpu_id of the preferred location,
 *	AMDGPU_SVM_LOCATION_SYSMEM or _UNDEFINED. Default UNDEFINED. GET:
 *	the common value, or UNDEFINED if the pages disagree.
 * @AMDGPU_SVM_ATTR_PREFETCH_LOC: gpu_id to migrate to now, SYSMEM or
 *	UNDEFINED (no prefetch). Default UNDEFINED. GET: as PREFERRED_LOC.
 * @AMDGPU_SVM_ATTR_ACCESS: value is a gpu_id: that GPU may access the
 *	span and, with XNACK off, the span is mapped on it by this ioctl.
 * @AMDGPU_SVM_ATTR_ACCESS_IN_PLACE: as ACCESS, without migrating to that
 *	GPU on access.
 * @AMDGPU_SVM_ATTR_NO_ACCESS: value is a gpu_id: that GPU may not access
 *	the span; its mappings are removed.
 *	Default access: with XNACK on every GPU of the process has ACCESS;
 *	with XNACK off none. GET: set the type to ACCESS and the value to a
 *	gpu_id; the kernel rewrites the type to ACCESS if every page of the
 *	span has ACCESS for that GPU, else to ACCESS_IN_PLACE if every page
 *	has ACCESS_IN_PLACE, else to NO_ACCESS. A GET entry of type
 *	ACCESS_IN_PLACE or NO_ACCESS is read the same way.
 * @AMDGPU_SVM_ATTR_SET_FLAGS: AMDGPU_SVM_FLAG_* bits to set. GET: the
 *	flags set on every page of the span (bitwise AND).
 * @AMDGPU_SVM_ATTR_CLR_FLAGS: AMDGPU_SVM_FLAG_* bits to clear. GET: the
 *	flags clear on every page of the span (bitwise NOR).
 * @AMDGPU_SVM_ATTR_GRANULARITY: migration and fault granularity, log2 of
 *	a number of pages, 0 .. AMDGPU_SVM_MAX_GRANULARITY. Default 9 (2 MiB
 *	with 4 KiB pages). GET: the minimum over the span.
 *
 * Pages never given attributes have the defaults above, also inside a
 * GET span that partly has attributes.
 */
enum drm_amdgpu_svm_attr_type {
	AMDGPU_SVM_ATTR_PREFERRED_LOC = 0,
	AMDGPU_SVM_ATTR_PREFETCH_LOC = 1,
	AMDGPU_SVM_ATTR_ACCESS = 2,
	AMDGPU_SVM_ATTR_ACCESS_IN_PLACE = 3,
	AMDGPU_SVM_ATTR_NO_ACCESS = 4,
	AMDGPU_SVM_ATTR_SET_FLAGS = 5,
	AMDGPU_SVM_ATTR_CLR_FLAGS = 6,
	AMDGPU_SVM_ATTR_GRANULARITY = 7,
};

/* Flags, as KFD_IOCTL_SVM_FLAG_*. Default: HOST_ACCESS | COHERENT. */
/** The CPU keeps access to the memory (no exclusive VRAM placement). */
#define AMDGPU_SVM_FLAG_HOST_ACCESS		0x00000001
/** Fine-grained coherency between all devices with access. */
#define AMDGPU_SVM_FLAG_COHERENT		0x00000002
/** Any GPU of the same hive counts as the preferred location. */
#define AMDGPU_SVM_FLAG_HIVE_LOCAL		0x00000004
/** GPUs only read: GPU PTEs are read-only. */
#define AMDGPU_SVM_FLAG_GPU_RO			0x00000008
/** GPUs may execute code from the span. */
#define AMDGPU_SVM_FLAG_GPU_EXEC		0x00000010
/** GPUs mostly read (a hint). */
#define AMDGPU_SVM_FLAG_GPU_READ_MOSTLY		0x00000020
/**
 * Keep GPU mappings valid as if XNACK were off: with XNACK on, SET_ATTR
 * maps accessible pages of the span as it does with XNACK off (after an
 * invalidation they are faulted in again).
 */
#define AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED	0x00000040
/** Fine-grained coherency with device-scope atomics. */
#define AMDGPU_SVM_FLAG_EXT_COHERENT		0x00000080
/** Every flag defined; any other bit is rejected with -EINVAL. */
#define AMDGPU_SVM_FLAGS_ALL			0x000000ff

/** Largest AMDGPU_SVM_ATTR_GRANULARITY value (as KFD's 0x3f clamp). */
#define AMDGPU_SVM_MAX_GRANULARITY		0x3f
/** Largest &drm_amdgpu_gem_svm.nattr. */
#define AMDGPU_SVM_MAX_ATTRS			64

/**
 * struct drm_amdgpu_svm_attribute - one (type, value) pair
 */
struct drm_amdgpu_svm_attribute {
	/** @type: enum drm_amdgpu_svm_attr_type. */
	__u32 type;
	/** @value: meaning depends on @type. */
	__u32 value;
};

/**
 * struct drm_amdgpu_gem_svm - DRM_IOCTL_AMDGPU_GEM_SVM
 *
 * SET_ATTR applies @attrs in array order (a later entry overrides an
 * earlier one of the same type) to every page of [@start, @start + @size);
 * existing attribute intervals are split at the span's ends so pages
 * outside keep theirs. With XNACK off, every page of the span that is
 * then accessible (ACCESS or ACCESS_IN_PLACE) by a GPU is mapped on that
 * GPU before the ioctl returns; if mapping fails the attributes stay set,
 * every other GPU is still brought in line with them (none keeps rights
 * the new attributes removed) and the first error is returned. A failure
 * never costs a GPU memory it may access: what the call could not map
 * (also what it had to unmap to apply the new attributes) is mapped again
 * by the kernel before that GPU's queues run again.
 * Attributes of a page are forgotten when the
 * page is unmapped (munmap, or mremap moving it: it arrives with the
 * defaults, as with KFD), so a later mmap at the same address starts
 * from the defaults. The one exception: a munmap that must split an
 * attribute interval and cannot get the memory for it leaves the
 * interval whole, and the kernel log says so; the unmapped pages then
 * keep their attributes until the next SET_ATTR of the process, which
 * forgets those of every such page still unmapped.
 *
 * GET_ATTR fills in the value (and for the access types the type) of each
 * entry of @attrs for the whole span, by the rules of
 * enum drm_amdgpu_svm_attr_type, and copies the array back.
 *
 * Validation, checked before anything changes; the first failing rule
 * gives the error:
 *
 * - @op not SET_ATTR or GET_ATTR, @flags or @pad not 0: -EINVAL
 * - @size 0, @start or @size not page aligned: -EINVAL
 * - @start + @size overflows or lies beyond the process's address space
 *   (TASK_SIZE): -EINVAL
 * - @nattr 0: -EINVAL; above AMDGPU_SVM_MAX_ATTRS: -E2BIG
 * - the fd was opened by another process (a forked child using its
 *   parent's fd): -EBADF
 * - on amdgpu, the file's first call while it has user queues
 *   (DRM_IOCTL_AMDGPU_USERQ): -EBUSY. A file has SVM state or user queues,
 *   not both: quiesce cannot stop user queues yet, and creating one on a
 *   file with SVM state fails with -EBUSY as well
 * - @attrs not readable (or for GET not writable) for @nattr entries:
 *   -EFAULT
 * - an unknown @type: -EINVAL
 * - ACCESS / ACCESS_IN_PLACE / NO_ACCESS with a value that is not the
 *   gpu_id of a GPU this process opened: -EINVAL (SET_ATTR and GET_ATTR).
 *   A GPU is opened for SVM when the process opens its render node (on
 *   amdgpu: at that file's first DRM_AMDGPU_GEM_SVM call), whichever
 *   file the attributes are then set through; with XNACK off a file
 *   that joins then is mapped as the attributes already in place say
 * - SET_ATTR only (GET_ATTR ignores the input value of these types):
 *   SET_FLAGS / CLR_FLAGS with a bit outside AMDGPU_SVM_FLAGS_ALL,
 *   GRANULARITY above AMDGPU_SVM_MAX_GRANULARITY, PREFERRED_LOC /
 *   PREFETCH_LOC not SYSMEM, UNDEFINED or such a gpu_id: -EINVAL
 * - a page of the span not backed by a VMA, or backed by a VM_IO /
 *   VM_PFNMAP VMA: -EFAULT (SET_ATTR and GET_ATTR alike)
 * - SET_ATTR on amdgpu: the span reaches beyond the GPU VM of a GPU of
 *   the process: -EINVAL; it overlaps a buffer mapped into such a VM
 *   with DRM_IOCTL_AMDGPU_GEM_VA (libdrm's VA manager hands those out
 *   from the same addresses): -EADDRINUSE, as KFD refuses it (on vamdgpu:
 *   a MAP_USERPTR mapping). The other way round, DRM_IOCTL_AMDGPU_GEM_VA
 *   refuses to map a buffer over SVM memory (attributes set there, or
 *   pages GPU faults mapped) with -EADDRINUSE
 *
 * SET_ATTR returns -ENOMEM with nothing changed when it cannot get the
 * memory to store the attributes. With XNACK off, mapping failures after
 * the attributes are set return their errno as well (-ENOMEM, -EFAULT
 * for memory that cannot be faulted in,
 * -EAGAIN when invalidations or the GPU's page-table updates kept
 * failing; libdrm's drmIoctl() and ROCm's ioctl wrapper call again on
 * -EAGAIN, as on -EINTR). PROT_NONE memory is not an error (as with
 * KFD): its attributes are set, its pages stay unmapped on the GPUs, and
 * a GPU access there faults as the CPU's would. With XNACK off, an
 * mprotect() that makes such memory accessible has it mapped, the GPUs'
 * queues stopped meanwhile, where the CPU's page tables there were ever
 * populated (the kernel tells drivers of an mprotect() only there); else
 * the next SET_ATTR over it maps it.
 */
struct drm_amdgpu_gem_svm {
	/** @start: first CPU (== GPU) virtual address of the span. */
	__u64 start;
	/** @size: length of the span in bytes. */
	__u64 size;
	/** @op: enum drm_amdgpu_svm_op. */
	__u32 op;
	/** @nattr: number of entries at @attrs. */
	__u32 nattr;
	/** @attrs: user pointer to @nattr struct drm_amdgpu_svm_attribute. */
	__u64 attrs;
	/** @flags: must be 0 (room to grow). */
	__u32 flags;
	/** @pad: must be 0. */
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_AMDGPU_SVM_DRM_H_ */
