/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef SVM_KMOD_H
#define SVM_KMOD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Loading the virtual GPU driver with chosen personalities, through libkmod
 * (as IGT's igt_kmod does for other drivers).
 */

bool svm_vamdgpu_loaded(void);
int svm_vamdgpu_devices(char *buf, size_t len);
int __svm_vamdgpu_load(const char *devices);
void svm_vamdgpu_load(const char *devices);

#endif /* SVM_KMOD_H */
