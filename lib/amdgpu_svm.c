// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <xf86drm.h>

#include "igt.h"
#include "amdgpu_svm.h"

/*
 * One DRM_IOCTL_AMDGPU_GEM_SVM; @restart: through drmIoctl(), which calls
 * again for as long as the kernel returns EAGAIN or EINTR.
 */
static int svm_gem_ioctl(int fd, uint32_t op, uint64_t start, uint64_t size,
			 const struct drm_amdgpu_svm_attribute *attrs,
			 uint32_t nattr, bool restart)
{
	struct drm_amdgpu_gem_svm args = {
		.start = start,
		.size = size,
		.op = op,
		.nattr = nattr,
		.attrs = (uintptr_t)attrs,
	};
	int ret;

	if (restart)
		ret = drmIoctl(fd, DRM_IOCTL_AMDGPU_GEM_SVM, &args);
	else
		ret = ioctl(fd, DRM_IOCTL_AMDGPU_GEM_SVM, &args);
	return ret ? -errno : 0;
}

/**
 * __svm_ioctl() - DRM_IOCTL_AMDGPU_GEM_SVM with every field given
 * @fd: an open render node of a GPU with SVM (amdgpu or vamdgpu)
 * @op: AMDGPU_SVM_OP_SET_ATTR or _GET_ATTR (or anything, to test errors)
 * @start: first address of the span
 * @size: length of the span
 * @attrs: the attribute array (GET fills it in)
 * @nattr: number of entries
 *
 * Return: 0, or -errno.
 */
int __svm_ioctl(int fd, uint32_t op, uint64_t start, uint64_t size,
		struct drm_amdgpu_svm_attribute *attrs, uint32_t nattr)
{
	return svm_gem_ioctl(fd, op, start, size, attrs, nattr, true);
}

/**
 * __svm_set_attr() - set attributes on [@start, @start + @size)
 * @fd: an open render node
 * @start: first address
 * @size: length
 * @attrs: the attributes
 * @nattr: number of entries
 *
 * Return: 0, or -errno.
 */
int __svm_set_attr(int fd, uint64_t start, uint64_t size,
		   const struct drm_amdgpu_svm_attribute *attrs, uint32_t nattr)
{
	return __svm_ioctl(fd, AMDGPU_SVM_OP_SET_ATTR, start, size,
			   (struct drm_amdgpu_svm_attribute *)attrs, nattr);
}

/**
 * __svm_set_attr_once() - __svm_set_attr() in exactly one ioctl call
 * @fd: an open render node
 * @start: first address
 * @size: length
 * @attrs: the attributes
 * @nattr: number of entries
 *
 * drmIoctl(), like ROCm's own ioctl wrapper, calls again for as long as
 * the kernel returns EAGAIN or EINTR, so the other helpers never see the
 * -EAGAIN SET_ATTR returns when mapping kept failing; this one does.
 *
 * Return: 0, or -errno.
 */
int __svm_set_attr_once(int fd, uint64_t start, uint64_t size,
			const struct drm_amdgpu_svm_attribute *attrs,
			uint32_t nattr)
{
	return svm_gem_ioctl(fd, AMDGPU_SVM_OP_SET_ATTR, start, size, attrs,
			     nattr, false);
}

/**
 * svm_set_attr() - __svm_set_attr(), failing the test on error
 * @fd: an open render node
 * @start: first address
 * @size: length
 * @attrs: the attributes
 * @nattr: number of entries
 */
void svm_set_attr(int fd, uint64_t start, uint64_t size,
		  const struct drm_amdgpu_svm_attribute *attrs, uint32_t nattr)
{
	int ret = __svm_set_attr(fd, start, size, attrs, nattr);

	igt_assert_f(ret == 0, "SET_ATTR 0x%llx+0x%llx (%u attrs): expected 0, got %d (%s)\n",
		     (unsigned long long)start, (unsigned long long)size,
		     nattr, ret, strerror(-ret));
}

/**
 * __svm_get_attr() - read attributes of [@start, @start + @size)
 * @fd: an open render node
 * @start: first address
 * @size: length
 * @attrs: types (and gpu_ids for the access types) in; values out
 * @nattr: number of entries
 *
 * Return: 0, or -errno.
 */
int __svm_get_attr(int fd, uint64_t start, uint64_t size,
		   struct drm_amdgpu_svm_attribute *attrs, uint32_t nattr)
{
	return __svm_ioctl(fd, AMDGPU_SVM_OP_GET_ATTR, start, size, attrs,
			   nattr);
}

/**
 * svm_get_attr() - __svm_get_attr(), failing the test on error
 * @fd: an open render node
 * @start: first address
 * @size: length
 * @attrs: types in, values out
 * @nattr: number of entries
 */
void svm_get_attr(int fd, uint64_t start, uint64_t size,
		  struct drm_amdgpu_svm_attribute *attrs, uint32_t nattr)
{
	int ret = __svm_get_attr(fd, start, size, attrs, nattr);

	igt_assert_f(ret == 0, "GET_ATTR 0x%llx+0x%llx (%u attrs): expected 0, got %d (%s)\n",
		     (unsigned long long)start, (unsigned long long)size,
		     nattr, ret, strerror(-ret));
}

/**
 * svm_get_one() - the GET_ATTR value of one non-access attribute type
 * @fd: an open render node
 * @start: first address
 * @size: length
 * @type: AMDGPU_SVM_ATTR_PREFERRED_LOC, _PREFETCH_LOC, _SET_FLAGS,
 *	_CLR_FLAGS or _GRANULARITY
 *
 * Return: the value; fails the test if the ioctl fails.
 */
uint32_t svm_get_one(int fd, uint64_t start, uint64_t size, uint32_t type)
{
	struct drm_amdgpu_svm_attribute attr = { .type = type };

	svm_get_attr(fd, start, size, &attr, 1);
	return attr.value;
}

/**
 * svm_get_access() - the access a GPU has to a span
 * @fd: an open render node
 * @start: first address
 * @size: length
 * @gpu_id: the GPU
 *
 * Return: AMDGPU_SVM_ATTR_ACCESS, _ACCESS_IN_PLACE or _NO_ACCESS.
 */
uint32_t svm_get_access(int fd, uint64_t start, uint64_t size,
			uint32_t gpu_id)
{
	struct drm_amdgpu_svm_attribute attr = {
		.type = AMDGPU_SVM_ATTR_ACCESS,
		.value = gpu_id,
	};

	svm_get_attr(fd, start, size, &attr, 1);
	return attr.type;
}

/**
 * svm_set_one() - set one attribute, failing the test on error
 * @fd: an open render node
 * @start: first address
 * @size: length
 * @type: the attribute type
 * @value: its value
 */
void svm_set_one(int fd, uint64_t start, uint64_t size, uint32_t type,
		 uint32_t value)
{
	struct drm_amdgpu_svm_attribute attr = { .type = type, .value = value };

	svm_set_attr(fd, start, size, &attr, 1);
}
