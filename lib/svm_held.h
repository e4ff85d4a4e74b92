/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef SVM_HELD_H
#define SVM_HELD_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * What the SVM core holds for a process, as its debugfs file
 * amdgpu_svm/processes counts it: one line per process with SVM state.
 */

#define SVM_PROCESSES	"/sys/kernel/debug/amdgpu_svm/processes"

/**
 * struct svm_held - one process's line of amdgpu_svm/processes
 * @contexts: its SVM contexts (one per GPU file)
 * @intervals: attribute intervals
 * @ranges: GPU mapping ranges of all its contexts
 * @interval_bytes: their memory as the core counts it (allocated sizes)
 * @range_bytes: likewise, with the DMA-address arrays and notifiers
 */
struct svm_held {
	unsigned int contexts, intervals;
	int ranges;
	long interval_bytes, range_bytes;
};

void svm_held_require(void);
bool svm_held_of(pid_t pid, struct svm_held *held);
struct svm_held svm_held_now(void);
bool svm_held_back(const struct svm_held *want, struct svm_held *now);
bool svm_held_contexts(pid_t pid, unsigned int contexts);

#endif
