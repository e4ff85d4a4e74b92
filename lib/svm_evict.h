/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef SVM_EVICT_H
#define SVM_EVICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct svm_gpu;

/*
 * What takes memory away from the GPU behind its back: the CPU-side
 * events an SVM driver must follow (an MMU notifier invalidation), and the
 * driver's own eviction of all VRAM. Each returns whether the memory was
 * known to be invalidated, since pageout and compaction may leave it be.
 */

void svm_evict_mprotect(void *p, size_t size);
void svm_evict_dontneed(void *p, size_t size);
bool svm_evict_pageout(void *p, size_t size);
bool svm_evict_compact(void *p, size_t size);
int svm_evict_vram(const struct svm_gpu *gpu);
void svm_vamdgpu_fail_pte_updates(const struct svm_gpu *gpu, unsigned int n);
unsigned int svm_vamdgpu_pte_failures_left(const struct svm_gpu *gpu);
void svm_vamdgpu_stall_pte_updates(const struct svm_gpu *gpu, unsigned int n);
void svm_vamdgpu_stall_pte_reserves(const struct svm_gpu *gpu, unsigned int n);
unsigned int svm_vamdgpu_pte_updates_stalled(const struct svm_gpu *gpu);
unsigned int svm_vamdgpu_await_stalled(const struct svm_gpu *gpu,
				       uint64_t timeout_ns,
				       uint64_t *waited_ns);
void svm_vamdgpu_stall_copies_to_ram(const struct svm_gpu *gpu, unsigned int n);
unsigned int svm_vamdgpu_await_copy_stalled(const struct svm_gpu *gpu,
					    uint64_t timeout_ns,
					    uint64_t *waited_ns);
unsigned int svm_vamdgpu_lose_page_tables(const struct svm_gpu *gpu);
long svm_vamdgpu_pt_bytes(const struct svm_gpu *gpu);
void svm_vamdgpu_tlb_flushes(const struct svm_gpu *gpu, uint64_t *flushes,
			     unsigned int max);
size_t svm_resident_pages(void *p, size_t size);
void svm_pfns(void *p, size_t size, uint64_t *pfns);
size_t svm_vram_pages(const void *p, size_t size);

#endif /* SVM_EVICT_H */
