/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */

/*
 * igt.h of the stand-in IGT tree: the project's igt-compat API, plus what
 * makes real IGT's igt.h heavier than it: igt_fb.h and the headers of
 * other libraries it pulls in.
 */
#ifndef IGT_H
#define IGT_H

#include "igt_core.h"
#include "igt_aux.h"
#include "igt_fb.h"
#include "igt_sizes.h"

#endif /* IGT_H */
