// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

#include <kunit/visibility.h>
#include <linux/array_size.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "vamdgpu_personality.h"

/*
 * VRAM is scaled down from the boards' 48 GiB (W7900) and 192 GiB (MI300X)
 * so that eviction under VRAM pressure is reachable in a guest of 2 GiB.
 */
static const struct vamdgpu_personality vamdgpu_personalities[] = {
	{
		/* Radeon PRO W7900: RDNA3, no XNACK. */
		.gfx_target = "gfx1100",
		.device_id = 0x7448,
		.xnack_capable = false,
		.vram_size = SZ_64M,
		.page_size = SZ_4K,
		.fragment_size = SZ_2M,
	},
	{
		/* Instinct MI300X: CDNA3, XNACK on or off per process. */
		.gfx_target = "gfx943",
		.device_id = 0x74a1,
		.xnack_capable = true,
		.vram_size = SZ_128M,
		.page_size = SZ_4K,
		.fragment_size = SZ_2M,
	},
};

/**
 * vamdgpu_personality_find() - look up a personality by gfx target name
 * @name: gfx target, e.g. "gfx1100"
 *
 * Context: any.
 * Return: the personality, or NULL when no personality has that name.
 */
const struct vamdgpu_personality *vamdgpu_personality_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vamdgpu_personalities); i++)
		if (!strcmp(vamdgpu_personalities[i].gfx_target, name))
			return &vamdgpu_personalities[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_personality_find);
