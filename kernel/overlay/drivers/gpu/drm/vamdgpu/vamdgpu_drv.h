/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_DRV_H_
#define _VAMDGPU_DRV_H_

#include <linux/atomic.h>
#include <linux/container_of.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <drm/drm_device.h>

#include "../amd/svm/amdgpu_svm.h"

struct drm_pagemap;
struct faux_device;
struct vamdgpu_personality;
struct vamdgpu_vram;
struct workqueue_struct;

/**
 * struct vamdgpu_device - one virtual GPU
 */
struct vamdgpu_device {
	/** @drm: the DRM device; its render node is what userspace opens. */
	struct drm_device drm;
	/** @faux: the bus-less device the DRM device hangs off. */
	struct faux_device *faux;
	/** @personality: the GPU this one imitates. */
	const struct vamdgpu_personality *personality;
	/** @instance: index among all vamdgpu devices. */
	unsigned int instance;
	/** @gpu_id: the id SVM attributes name this GPU by; never 0. */
	u32 gpu_id;
	/** @wq: runs the queues' command processors. */
	struct workqueue_struct *wq;
	/** @vram: the device-private memory ("VRAM"). */
	struct vamdgpu_vram *vram;
	/** @vms_lock: protects @vms. */
	struct mutex vms_lock;
	/** @vms: every &vamdgpu_vm of the device (one per open file). */
	struct list_head vms;
	/** @next_vm_id: id of the next VM, as a PASID names a process. */
	u32 next_vm_id;
	/** @retiring: no new VM (open) is allowed; under @vms_lock. */
	bool retiring;
	/** @vms_wq: woken when @vms becomes empty. */
	wait_queue_head_t vms_wq;
	/** @dpagemap_lock: protects @dpagemap; taken in any context. */
	spinlock_t dpagemap_lock;
	/** @dpagemap: the drm_pagemap of @vram while one exists. */
	struct drm_pagemap *dpagemap;
	/** @svm_gpu: this GPU as the SVM core sees it (vamdgpu_svm.c). */
	struct amdgpu_svm_gpu svm_gpu;
	/**
	 * @fail_pte_updates: PTE updates of the SVM ops still to refuse with
	 * -EBUSY (debugfs ``vamdgpu_fail_pte_updates``).
	 */
	atomic_t fail_pte_updates;
	/**
	 * @stall_pte_updates: PTE updates of the SVM ops still to stall
	 * (debugfs ``vamdgpu_stall_pte_updates``).
	 */
	atomic_t stall_pte_updates;
	/**
	 * @stall_pte_reserves: PTE reservations of the SVM ops still to
	 * stall (debugfs ``vamdgpu_stall_pte_reserves``).
	 */
	atomic_t stall_pte_reserves;
	/** @pte_updates_stalled: PTE updates and reservations stalled now. */
	atomic_t pte_updates_stalled;
	/**
	 * @stall_copies_to_ram: copies from VRAM to system memory still to
	 * stall (debugfs ``vamdgpu_stall_copies_to_ram``).
	 */
	atomic_t stall_copies_to_ram;
	/** @copies_to_ram_stalled: copies to system memory stalled now. */
	atomic_t copies_to_ram_stalled;
	/** @stall_release: incremented to end every stall in progress. */
	atomic_t stall_release;
	/** @stall_wq: stalled updates and copies wait here for @stall_release. */
	wait_queue_head_t stall_wq;
};

static inline struct vamdgpu_device *to_vamdgpu(struct drm_device *drm)
{
	return container_of(drm, struct vamdgpu_device, drm);
}

struct vamdgpu_device *
vamdgpu_device_create(const struct vamdgpu_personality *personality,
		      unsigned int instance);
void vamdgpu_device_destroy(struct vamdgpu_device *vdev);
int vamdgpu_device_retire(struct vamdgpu_device *vdev, bool wait);

#endif /* _VAMDGPU_DRV_H_ */
