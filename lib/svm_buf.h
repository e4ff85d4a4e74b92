/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef SVM_BUF_H
#define SVM_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * CPU memory for SVM tests and the data checks on it: anonymous mappings
 * at a chosen alignment (which decides the chunk sizes drm_gpusvm can
 * use), THP-backed ones, and patterns whose check names the first wrong
 * address.
 */

/**
 * struct svm_backing - how a test region is laid out in memory
 * @name: its name in dynamic subtests ("4k", "64k", "2m", "thp")
 * @chunk: the GPU chunk size the alignment allows
 * @thp: back it with transparent huge pages
 */
struct svm_backing {
	const char *name;
	size_t chunk;
	int thp;
};

extern const struct svm_backing svm_backings[];
extern const unsigned int svm_nbackings;

size_t svm_page_size(void);
void *svm_map(size_t size);
void *svm_map_aligned(size_t size, size_t align);
void *svm_map_backing(const struct svm_backing *b, size_t size);

uint32_t svm_pattern_at(uint32_t seed, size_t offset);
uint64_t svm_pattern_at64(uint32_t seed, size_t offset);
void svm_pattern_fill(void *p, size_t size, uint32_t seed);
void svm_pattern_check(const void *p, size_t size, uint32_t seed,
		       size_t seed_offset, const char *what);
void svm_check_fill(const void *p, size_t size, uint32_t value,
		    const char *what);

#endif /* SVM_BUF_H */
