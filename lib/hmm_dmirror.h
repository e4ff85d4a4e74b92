/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef HMM_DMIRROR_H
#define HMM_DMIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A client of the kernel's test_hmm device (lib/test_hmm.c, CONFIG_TEST_HMM):
 * /dev/hmm_dmirrorN migrates process memory into its own device-private
 * memory with migrate_vma, the reference SVM migration is measured against.
 */

int hmm_dmirror_open(unsigned int index);
int hmm_dmirror_migrate(int fd, void *addr, size_t npages, bool to_device,
			void *mirror, uint64_t *migrated);

#endif /* HMM_DMIRROR_H */
