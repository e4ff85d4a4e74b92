/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef VAMDGPU_H
#define VAMDGPU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "drm_render_nodes.h"

#include <vamdgpu_drm.h>

/* Default timeout of vamdgpu_wait() / vamdgpu_exec(): generous for TCG. */
#define VAMDGPU_WAIT_TIMEOUT_NS	(20ull * 1000 * 1000 * 1000)

int __vamdgpu_info(int fd, struct drm_vamdgpu_info *info);
void vamdgpu_info(int fd, struct drm_vamdgpu_info *info);

int __vamdgpu_set_xnack(int fd, int *xnack_enabled);
void vamdgpu_set_xnack(int fd, bool enable);
bool vamdgpu_xnack_enabled(int fd);

int __vamdgpu_vm_op(int fd, struct drm_vamdgpu_vm_op *op);
int __vamdgpu_map_userptr(int fd, uint64_t va, uint64_t size, void *ptr,
			  uint32_t flags);
void vamdgpu_map_userptr(int fd, uint64_t va, uint64_t size, void *ptr,
			 uint32_t flags);
int __vamdgpu_unmap(int fd, uint64_t va, uint64_t size, uint32_t flags);
void vamdgpu_unmap(int fd, uint64_t va, uint64_t size, uint32_t flags);
void vamdgpu_flush_tlb(int fd);
void vamdgpu_quiesce(int fd);
void vamdgpu_resume(int fd);

int __vamdgpu_queue_create(int fd, uint32_t flags, uint32_t *queue_id);
uint32_t vamdgpu_queue_create(int fd);
int __vamdgpu_queue_destroy(int fd, uint32_t queue_id);
void vamdgpu_queue_destroy(int fd, uint32_t queue_id);

int __vamdgpu_submit(int fd, uint32_t queue_id,
		     const struct drm_vamdgpu_cmd *cmds, uint32_t num_cmds,
		     uint64_t *seqno);
uint64_t vamdgpu_submit(int fd, uint32_t queue_id,
			const struct drm_vamdgpu_cmd *cmds, uint32_t num_cmds);
int __vamdgpu_wait(int fd, uint32_t queue_id, uint64_t seqno,
		   int64_t timeout_ns);
void vamdgpu_wait(int fd, uint32_t queue_id, uint64_t seqno);
void vamdgpu_exec(int fd, uint32_t queue_id,
		  const struct drm_vamdgpu_cmd *cmds, uint32_t num_cmds);

int __vamdgpu_queue_status(int fd, uint32_t queue_id,
			   struct drm_vamdgpu_queue_status *status);
void vamdgpu_queue_status(int fd, uint32_t queue_id,
			  struct drm_vamdgpu_queue_status *status);

struct drm_vamdgpu_cmd vamdgpu_cmd_read(uint64_t src, uint64_t size);
struct drm_vamdgpu_cmd vamdgpu_cmd_write(uint64_t dst, uint64_t value,
					 uint64_t size);
struct drm_vamdgpu_cmd vamdgpu_cmd_fill(uint64_t dst, uint64_t size,
					uint32_t pattern);
struct drm_vamdgpu_cmd vamdgpu_cmd_copy(uint64_t dst, uint64_t src,
					uint64_t size);
struct drm_vamdgpu_cmd vamdgpu_cmd_atomic_add(uint64_t dst, uint64_t value);
struct drm_vamdgpu_cmd vamdgpu_cmd_fence(uint64_t dst, uint64_t value);

const char *vamdgpu_queue_state_name(uint32_t state);

/**
 * struct vamdgpu_gpu - one virtual GPU as a test sees it
 * @fd: an open render node of it
 * @info: what DRM_IOCTL_VAMDGPU_INFO said about it
 * @name: "gpuN-TARGET", the name of its dynamic subtests
 */
struct vamdgpu_gpu {
	int fd;
	struct drm_vamdgpu_info info;
	char name[32];
};

int vamdgpu_gpus_open(struct vamdgpu_gpu *gpus, int max);
void vamdgpu_gpus_close(struct vamdgpu_gpu *gpus, int count);
int vamdgpu_reopen(int fd);
FILE *vamdgpu_debugfs_open(int instance, const char *file, const char *mode);
int __vamdgpu_lose_page_tables(int instance, unsigned int *vms);
unsigned int vamdgpu_lose_page_tables(int instance);
bool vamdgpu_gpu_xnack_capable(const struct vamdgpu_gpu *gpu);

#endif /* VAMDGPU_H */
