// SPDX-License-Identifier: GPL-2.0-only
/*
 * vamdgpu: a virtual amdgpu device for shared virtual memory (SVM) testing.
 *
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: Overview
 *
 * vamdgpu stands in for the parts of AMD gfx1100 and gfx943 GPUs that the
 * amdgpu SVM driver touches, so that the driver and its IGT suite run where
 * no AMD GPU exists. Each virtual GPU is a DRM device with a render node and
 * a personality (see vamdgpu_personality.c) that userspace reads with
 * DRM_IOCTL_VAMDGPU_INFO.
 *
 * Devices are created at module load from the ``devices`` parameter, a
 * comma-separated list of gfx targets, one device per entry: for example
 * ``modprobe vamdgpu devices=gfx1100,gfx943``. An unknown gfx target fails
 * the load with -EINVAL and names the entry in the kernel log. More can be
 * made and removed at runtime through configfs (vamdgpu_configfs.c).
 *
 * Every open of a render node gets its own GPU address space
 * (&vamdgpu_vm, vamdgpu_vm.c) - one VM per (process file, device), as
 * amdgpu gives each file a VM - in which its queues (vamdgpu_queue.c) run.
 * Each device has its own VRAM (vamdgpu_vram.c) and debugfs files
 * (vamdgpu_debugfs.c).
 *
 * The ioctls (UAPI in include/uapi/drm/vamdgpu_drm.h): INFO, SET_XNACK,
 * VM_OP (the hand-mapping path, TLB flush and quiesce test hooks),
 * QUEUE_CREATE / QUEUE_DESTROY, SUBMIT, WAIT and QUEUE_STATUS. Number 0x20
 * is kept free for DRM_AMDGPU_GEM_SVM, the SVM core's ioctl.
 *
 * What the SVM core needs from the hardware maps onto these functions:
 * update PTEs - vamdgpu_vm_reserve_range() + vamdgpu_vm_update_range();
 * clear PTEs - vamdgpu_vm_clear_range(); flush TLB -
 * vamdgpu_vm_flush_tlb(); quiesce / resume - vamdgpu_vm_quiesce() /
 * vamdgpu_vm_resume(); VRAM - vamdgpu_vram_alloc() / vamdgpu_vram_free();
 * migration copies - vamdgpu_vram_copy_to_vram() /
 * vamdgpu_vram_copy_to_ram(); and the GPU calls back into it through
 * struct vamdgpu_fault_handler (vamdgpu_vm_set_fault_handler()).
 */

#include <kunit/visibility.h>
#include <linux/cleanup.h>
#include <linux/device/faux.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/amdgpu_svm_drm.h>
#include <drm/vamdgpu_drm.h>

#include "vamdgpu_configfs.h"
#include "vamdgpu_debugfs.h"
#include "vamdgpu_drv.h"
#include "vamdgpu_inject.h"
#include "vamdgpu_personality.h"
#include "vamdgpu_queue.h"
#include "vamdgpu_svm.h"
#include "vamdgpu_vm.h"
#include "vamdgpu_vram.h"

#define DRIVER_NAME	"vamdgpu"
#define DRIVER_DESC	"Virtual amdgpu device for SVM testing"
#define DRIVER_MAJOR	0
#define DRIVER_MINOR	1

#define VAMDGPU_MAX_DEVICES	8
static_assert(VAMDGPU_MAX_DEVICES <= VAMDGPU_CONFIGFS_FIRST_INSTANCE);
/* gpu_id of instance N; any non-zero value not 0xffffffff would do. */
#define VAMDGPU_GPU_ID_BASE	0x1000

/*
 * Bus addresses: as wide as a PTE holds (VAMDGPU_PTE_ADDR_MASK), and for
 * instance N the first 2^VAMDGPU_DMA_WINDOW_SHIFT bytes of physical memory
 * at (N + 1) << VAMDGPU_DMA_WINDOW_SHIFT, so that no two devices share a
 * DMA address (vamdgpu_dma_offset()).
 */
#define VAMDGPU_DMA_BITS		(ilog2(VAMDGPU_PTE_ADDR_MASK) + 1)
#define VAMDGPU_DMA_WINDOW_SHIFT	44

static char *devices = "gfx1100";
module_param(devices, charp, 0444);
MODULE_PARM_DESC(devices,
		 "Comma-separated gfx targets, one virtual GPU each (gfx1100, gfx943; default gfx1100)");

static struct vamdgpu_device *vamdgpu_devices[VAMDGPU_MAX_DEVICES];
static unsigned int vamdgpu_num_devices;

static int vamdgpu_info_ioctl(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct vamdgpu_device *vdev = to_vamdgpu(drm);
	const struct vamdgpu_personality *p = vdev->personality;
	struct vamdgpu_vm *vm = vamdgpu_vm_from_file(file);
	struct drm_vamdgpu_info *info = data;

	if (info->pad)
		return -EINVAL;

	memset(info, 0, sizeof(*info));
	strscpy(info->gfx_target, p->gfx_target, sizeof(info->gfx_target));
	info->device_id = p->device_id;
	info->flags = p->xnack_capable ? VAMDGPU_INFO_XNACK_CAPABLE : 0;
	if (vamdgpu_vm_xnack(vm))
		info->flags |= VAMDGPU_INFO_XNACK_ENABLED;
	info->vram_size = p->vram_size;
	info->page_size = p->page_size;
	info->fragment_size = p->fragment_size;
	info->instance = vdev->instance;
	info->gpu_id = vdev->gpu_id;
	info->max_queues = VAMDGPU_MAX_QUEUES;
	return 0;
}

static int vamdgpu_open(struct drm_device *drm, struct drm_file *file)
{
	struct vamdgpu_vm *vm;

	vm = vamdgpu_vm_create(to_vamdgpu(drm));
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	vamdgpu_svm_open(vm);
	file->driver_priv = vm;
	return 0;
}

static void vamdgpu_postclose(struct drm_device *drm, struct drm_file *file)
{
	vamdgpu_vm_destroy(vamdgpu_vm_from_file(file));
	file->driver_priv = NULL;
}

static const struct drm_ioctl_desc vamdgpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VAMDGPU_INFO, vamdgpu_info_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VAMDGPU_SET_XNACK, vamdgpu_set_xnack_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VAMDGPU_VM_OP, vamdgpu_vm_op_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VAMDGPU_QUEUE_CREATE, vamdgpu_queue_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VAMDGPU_QUEUE_DESTROY, vamdgpu_queue_destroy_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VAMDGPU_SUBMIT, vamdgpu_submit_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VAMDGPU_WAIT, vamdgpu_wait_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VAMDGPU_QUEUE_STATUS, vamdgpu_queue_status_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AMDGPU_GEM_SVM, vamdgpu_svm_ioctl, DRM_RENDER_ALLOW),
};

static const struct file_operations vamdgpu_fops = {
	.owner = THIS_MODULE,
	.open = drm_open,
	.release = drm_release,
	.unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.fop_flags = FOP_UNSIGNED_OFFSET,
};

static const struct drm_driver vamdgpu_driver = {
	.driver_features = DRIVER_RENDER,
	.open = vamdgpu_open,
	.postclose = vamdgpu_postclose,
	.ioctls = vamdgpu_ioctls,
	.num_ioctls = ARRAY_SIZE(vamdgpu_ioctls),
	.fops = &vamdgpu_fops,
	.name = DRIVER_NAME,
	.desc = DRIVER_DESC,
	.major = DRIVER_MAJOR,
	.minor = DRIVER_MINOR,
};

/*
 * Give @dev system memory at bus addresses of its own, as an IOMMU gives
 * each GPU: DMA address = physical address + (@instance + 1) << 44, which
 * dma-direct applies when mapping and the GPU MMU undoes with
 * dma_to_phys() (vamdgpu_tlb_fill()). With DMA addresses equal to
 * physical ones, PTEs written from another GPU's DMA mappings of the same
 * pages would work by chance; now they translate to no page, and the
 * access faults as a stale PTE. Memory above 16 TiB has no bus address
 * (dma-direct bounces it). The driver core frees the map with the device.
 */
static int vamdgpu_dma_offset(struct device *dev, unsigned int instance)
{
	struct bus_dma_region *map;

	if (instance + 2 > 1U << (VAMDGPU_DMA_BITS - VAMDGPU_DMA_WINDOW_SHIFT))
		return -EINVAL;
	map = kcalloc(2, sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	map[0].cpu_start = 0;
	map[0].dma_start = (u64)(instance + 1) << VAMDGPU_DMA_WINDOW_SHIFT;
	map[0].size = 1ULL << VAMDGPU_DMA_WINDOW_SHIFT;
	dev->dma_range_map = map;
	return 0;
}

/**
 * vamdgpu_device_create() - create and register one virtual GPU
 * @personality: the GPU to imitate
 * @instance: index among all vamdgpu devices, unique
 *
 * Context: process context, may sleep.
 * Return: the device, or an ERR_PTR() on failure.
 */
struct vamdgpu_device *
vamdgpu_device_create(const struct vamdgpu_personality *personality,
		      unsigned int instance)
{
	struct vamdgpu_device *vdev;
	struct faux_device *faux;
	char name[32];
	int ret;

	snprintf(name, sizeof(name), "vamdgpu.%u", instance);
	faux = faux_device_create(name, NULL, NULL);
	if (!faux)
		return ERR_PTR(-ENODEV);

	if (!devres_open_group(&faux->dev, NULL, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_destroy_faux;
	}

	ret = dma_coerce_mask_and_coherent(&faux->dev,
					   DMA_BIT_MASK(VAMDGPU_DMA_BITS));
	if (ret)
		goto err_release_group;
	/* The GPU MMU turns DMA addresses back into pages: dma-direct only. */
	if (device_iommu_mapped(&faux->dev)) {
		ret = -ENODEV;
		goto err_release_group;
	}
	ret = vamdgpu_dma_offset(&faux->dev, instance);
	if (ret)
		goto err_release_group;

	vdev = devm_drm_dev_alloc(&faux->dev, &vamdgpu_driver,
				  struct vamdgpu_device, drm);
	if (IS_ERR(vdev)) {
		ret = PTR_ERR(vdev);
		goto err_release_group;
	}
	vdev->faux = faux;
	vdev->personality = personality;
	vdev->instance = instance;
	vdev->gpu_id = VAMDGPU_GPU_ID_BASE + instance;
	INIT_LIST_HEAD(&vdev->vms);
	init_waitqueue_head(&vdev->vms_wq);
	init_waitqueue_head(&vdev->stall_wq);
	spin_lock_init(&vdev->dpagemap_lock);
	ret = drmm_mutex_init(&vdev->drm, &vdev->vms_lock);
	if (ret)
		goto err_release_group;

	vdev->wq = alloc_workqueue("vamdgpu%u", WQ_UNBOUND, 0, instance);
	if (!vdev->wq) {
		ret = -ENOMEM;
		goto err_release_group;
	}

	ret = vamdgpu_vram_init(vdev);
	if (ret)
		goto err_destroy_wq;
	vamdgpu_svm_init(vdev);

	vamdgpu_debugfs_init(vdev);

	ret = drm_dev_register(&vdev->drm, 0);
	if (ret)
		goto err_fini_vram;

	drm_info(&vdev->drm, "virtual %s (device id 0x%04x), instance %u\n",
		 personality->gfx_target, personality->device_id, instance);
	return vdev;

err_fini_vram:
	vamdgpu_vram_fini(vdev);
err_destroy_wq:
	destroy_workqueue(vdev->wq);
err_release_group:
	devres_release_group(&faux->dev, NULL);
err_destroy_faux:
	faux_device_destroy(faux);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_device_create);

static bool vamdgpu_device_unused(struct vamdgpu_device *vdev)
{
	guard(mutex)(&vdev->vms_lock);
	return list_empty(&vdev->vms);
}

/**
 * vamdgpu_device_retire() - make a device ready for vamdgpu_device_destroy()
 * while files may be open on it (configfs)
 * @vdev: the device
 * @wait: wait for the open files to be closed instead of failing
 *
 * From then on opening the device fails with -ENODEV.
 *
 * Context: process context, may sleep.
 * Return: 0, or -EBUSY when files are open and @wait is false.
 */
int vamdgpu_device_retire(struct vamdgpu_device *vdev, bool wait)
{
	scoped_guard(mutex, &vdev->vms_lock) {
		if (!wait && !list_empty(&vdev->vms))
			return -EBUSY;
		vdev->retiring = true;
	}
	wait_event(vdev->vms_wq, vamdgpu_device_unused(vdev));
	return 0;
}

/**
 * vamdgpu_device_destroy() - unregister and free one virtual GPU
 * @vdev: the device, from vamdgpu_device_create()
 *
 * Context: process context, may sleep.
 */
void vamdgpu_device_destroy(struct vamdgpu_device *vdev)
{
	struct faux_device *faux = vdev->faux;

	drm_dev_unregister(&vdev->drm);
	vamdgpu_vram_fini(vdev);
	destroy_workqueue(vdev->wq);
	devres_release_group(&faux->dev, NULL);
	faux_device_destroy(faux);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_device_destroy);

static void vamdgpu_destroy_all(void)
{
	while (vamdgpu_num_devices)
		vamdgpu_device_destroy(vamdgpu_devices[--vamdgpu_num_devices]);
}

static int __init vamdgpu_init(void)
{
	const struct vamdgpu_personality *p;
	struct vamdgpu_device *vdev;
	char *list, *cursor, *name;
	int ret = 0;

	list = kstrdup(devices, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	vamdgpu_inject_init();

	cursor = list;
	while ((name = strsep(&cursor, ",")) != NULL) {
		name = strim(name);
		if (!*name)
			continue;
		p = vamdgpu_personality_find(name);
		if (!p) {
			pr_err(DRIVER_NAME ": devices=%s: unknown gfx target \"%s\" (known: gfx1100, gfx943)\n",
			       devices, name);
			ret = -EINVAL;
			goto err_destroy;
		}
		if (vamdgpu_num_devices == VAMDGPU_MAX_DEVICES) {
			pr_err(DRIVER_NAME ": devices=%s: more than %d devices\n",
			       devices, VAMDGPU_MAX_DEVICES);
			ret = -E2BIG;
			goto err_destroy;
		}
		vdev = vamdgpu_device_create(p, vamdgpu_num_devices);
		if (IS_ERR(vdev)) {
			ret = PTR_ERR(vdev);
			goto err_destroy;
		}
		vamdgpu_devices[vamdgpu_num_devices++] = vdev;
	}
	kfree(list);

	ret = vamdgpu_configfs_register();
	if (ret) {
		pr_err(DRIVER_NAME ": cannot register /config/vamdgpu: %d\n", ret);
		vamdgpu_destroy_all();
		vamdgpu_inject_fini();
	}
	return ret;

err_destroy:
	vamdgpu_destroy_all();
	vamdgpu_inject_fini();
	kfree(list);
	return ret;
}

static void __exit vamdgpu_exit(void)
{
	vamdgpu_configfs_unregister();
	vamdgpu_destroy_all();
	vamdgpu_inject_fini();
}

module_init(vamdgpu_init);
module_exit(vamdgpu_exit);

MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_LICENSE("GPL");
