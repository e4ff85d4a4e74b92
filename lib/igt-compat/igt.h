/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */

/*
 * The header tests include, as with real IGT. Only the parts of IGT the
 * suite uses exist here; a test needing more of IGT's API extends this
 * library (lib/igt-compat) with IGT's names and behaviour.
 */
#ifndef IGT_H
#define IGT_H

#include "igt_core.h"
#include "igt_aux.h"
#include "igt_sizes.h"

#endif /* IGT_H */
