// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: configfs
 *
 * Virtual GPUs can also be made at runtime, as vkms devices are::
 *
 *   mount -t configfs none /sys/kernel/config   # if not mounted
 *   mkdir /sys/kernel/config/vamdgpu/mygpu
 *   echo gfx943 > /sys/kernel/config/vamdgpu/mygpu/gfx_target
 *   echo 1 > /sys/kernel/config/vamdgpu/mygpu/enabled
 *   cat /sys/kernel/config/vamdgpu/mygpu/instance   # its INFO instance
 *   echo 0 > /sys/kernel/config/vamdgpu/mygpu/enabled
 *   rmdir /sys/kernel/config/vamdgpu/mygpu
 *
 * ``gfx_target`` (default gfx1100) refuses unknown targets with EINVAL and
 * changes while enabled with EBUSY. ``enabled`` creates or destroys the
 * device; disabling it fails with EBUSY while a file is open on it,
 * removing the directory waits for them to be closed. ``instance`` is -1
 * while disabled. Instances of configfs devices
 * start at VAMDGPU_CONFIGFS_FIRST_INSTANCE, after those of the module
 * parameter. The configuration is plain data (a personality) kept apart
 * from the device, which is made by vamdgpu_device_create() as at load.
 */

#include <linux/cleanup.h>
#include <linux/configfs.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vamdgpu_configfs.h"
#include "vamdgpu_drv.h"
#include "vamdgpu_personality.h"

static DEFINE_IDA(vamdgpu_configfs_instances);

/**
 * struct vamdgpu_configfs_device - one directory under /config/vamdgpu
 */
struct vamdgpu_configfs_device {
	/** @group: the directory. */
	struct config_group group;
	/** @lock: protects @personality and @vdev. */
	struct mutex lock;
	/** @personality: what the device will be. */
	const struct vamdgpu_personality *personality;
	/** @vdev: the device while enabled, else NULL. */
	struct vamdgpu_device *vdev;
};

static struct vamdgpu_configfs_device *to_cfs_device(struct config_item *item)
{
	return container_of(to_config_group(item), struct vamdgpu_configfs_device,
			    group);
}

static ssize_t device_gfx_target_show(struct config_item *item, char *page)
{
	struct vamdgpu_configfs_device *dev = to_cfs_device(item);

	guard(mutex)(&dev->lock);
	return sprintf(page, "%s\n", dev->personality->gfx_target);
}

static ssize_t device_gfx_target_store(struct config_item *item,
				       const char *page, size_t count)
{
	struct vamdgpu_configfs_device *dev = to_cfs_device(item);
	const struct vamdgpu_personality *p;
	char name[32];

	strscpy(name, page, sizeof(name));
	p = vamdgpu_personality_find(strim(name));
	if (!p)
		return -EINVAL;

	guard(mutex)(&dev->lock);
	if (dev->vdev)
		return -EBUSY;
	dev->personality = p;
	return count;
}

static ssize_t device_enabled_show(struct config_item *item, char *page)
{
	struct vamdgpu_configfs_device *dev = to_cfs_device(item);

	guard(mutex)(&dev->lock);
	return sprintf(page, "%d\n", !!dev->vdev);
}

static int vamdgpu_configfs_disable(struct vamdgpu_configfs_device *dev,
				    bool wait)
{
	unsigned int instance = dev->vdev->instance;
	int ret;

	lockdep_assert_held(&dev->lock);

	ret = vamdgpu_device_retire(dev->vdev, wait);
	if (ret)
		return ret;
	vamdgpu_device_destroy(dev->vdev);
	ida_free(&vamdgpu_configfs_instances, instance);
	dev->vdev = NULL;
	return 0;
}

static ssize_t device_enabled_store(struct config_item *item, const char *page,
				    size_t count)
{
	struct vamdgpu_configfs_device *dev = to_cfs_device(item);
	struct vamdgpu_device *vdev;
	bool enable;
	int instance;

	if (kstrtobool(page, &enable))
		return -EINVAL;

	guard(mutex)(&dev->lock);
	if (enable && !dev->vdev) {
		instance = ida_alloc_range(&vamdgpu_configfs_instances,
					   VAMDGPU_CONFIGFS_FIRST_INSTANCE,
					   VAMDGPU_CONFIGFS_LAST_INSTANCE,
					   GFP_KERNEL);
		if (instance < 0)
			return instance;
		vdev = vamdgpu_device_create(dev->personality, instance);
		if (IS_ERR(vdev)) {
			ida_free(&vamdgpu_configfs_instances, instance);
			return PTR_ERR(vdev);
		}
		dev->vdev = vdev;
	} else if (!enable && dev->vdev) {
		int ret = vamdgpu_configfs_disable(dev, false);

		if (ret)
			return ret;
	}
	return count;
}

static ssize_t device_instance_show(struct config_item *item, char *page)
{
	struct vamdgpu_configfs_device *dev = to_cfs_device(item);

	guard(mutex)(&dev->lock);
	return sprintf(page, "%d\n", dev->vdev ? (int)dev->vdev->instance : -1);
}

CONFIGFS_ATTR(device_, gfx_target);
CONFIGFS_ATTR(device_, enabled);
CONFIGFS_ATTR_RO(device_, instance);

static struct configfs_attribute *device_attrs[] = {
	&device_attr_gfx_target,
	&device_attr_enabled,
	&device_attr_instance,
	NULL,
};

static void device_release(struct config_item *item)
{
	struct vamdgpu_configfs_device *dev = to_cfs_device(item);

	mutex_lock(&dev->lock);
	if (dev->vdev)
		vamdgpu_configfs_disable(dev, true);
	mutex_unlock(&dev->lock);
	mutex_destroy(&dev->lock);
	kfree(dev);
}

static struct configfs_item_operations device_item_ops = {
	.release = device_release,
};

static const struct config_item_type device_item_type = {
	.ct_attrs = device_attrs,
	.ct_item_ops = &device_item_ops,
	.ct_owner = THIS_MODULE,
};

static struct config_group *make_device_group(struct config_group *group,
					      const char *name)
{
	struct vamdgpu_configfs_device *dev;

	dev = kzalloc_obj(*dev);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	mutex_init(&dev->lock);
	dev->personality = vamdgpu_personality_find("gfx1100");
	config_group_init_type_name(&dev->group, name, &device_item_type);
	return &dev->group;
}

static struct configfs_group_operations devices_group_ops = {
	.make_group = make_device_group,
};

static const struct config_item_type devices_group_type = {
	.ct_group_ops = &devices_group_ops,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem vamdgpu_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "vamdgpu",
			.ci_type = &devices_group_type,
		},
	},
	.su_mutex = __MUTEX_INITIALIZER(vamdgpu_subsys.su_mutex),
};

/**
 * vamdgpu_configfs_register() - offer /config/vamdgpu
 *
 * Context: module init.
 * Return: 0 or a negative errno.
 */
int vamdgpu_configfs_register(void)
{
	config_group_init(&vamdgpu_subsys.su_group);
	return configfs_register_subsystem(&vamdgpu_subsys);
}

/**
 * vamdgpu_configfs_unregister() - withdraw /config/vamdgpu
 *
 * No device directory is left: each holds a module reference.
 *
 * Context: module exit.
 */
void vamdgpu_configfs_unregister(void)
{
	configfs_unregister_subsystem(&vamdgpu_subsys);
}
