/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef DRM_RENDER_NODES_H
#define DRM_RENDER_NODES_H

/** Most render nodes a machine has (DRM allows 64 render minors). */
#define DRM_RENDER_NODES_MAX 64

int drm_render_nodes_open_all(const char *driver, int *fds, int max_fds);
void drm_render_nodes_close_all(int *fds, int count);

#endif /* DRM_RENDER_NODES_H */
