/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */

/*
 * Stand-in for IGT's igt_fb.h: as the real one, it needs cairo and pixman
 * on the include path, so a glue that forgets them fails to build.
 */
#ifndef IGT_FB_H
#define IGT_FB_H

#include <cairo.h>
#include <pixman.h>

#endif /* IGT_FB_H */
