// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "drm_render_nodes.h"

static int compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/**
 * drm_render_nodes_open_all() - open every render node bound to a driver
 * @driver: DRM driver name, as DRM_IOCTL_VERSION reports it ("vamdgpu")
 * @fds: where the open file descriptors go, in render-minor order
 * @max_fds: room in @fds
 *
 * Return: the number of nodes opened (0 when none, /dev/dri missing
 * included: a machine without a GPU), or -errno when /dev/dri cannot be
 * read.
 */
int drm_render_nodes_open_all(const char *driver, int *fds, int max_fds)
{
	int minors[DRM_RENDER_NODES_MAX];
	int nminors = 0, count = 0;
	struct dirent *entry;
	DIR *dir;

	dir = opendir("/dev/dri");
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((entry = readdir(dir)) && nminors < DRM_RENDER_NODES_MAX) {
		int minor;

		if (sscanf(entry->d_name, "renderD%d", &minor) == 1)
			minors[nminors++] = minor;
	}
	closedir(dir);
	qsort(minors, nminors, sizeof(minors[0]), compare_ints);

	for (int i = 0; i < nminors && count < max_fds; i++) {
		char path[64];
		drmVersionPtr version;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minors[i]);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		version = drmGetVersion(fd);
		if (version && !strcmp(version->name, driver))
			fds[count++] = fd;
		else
			close(fd);
		drmFreeVersion(version);
	}
	return count;
}

/**
 * drm_render_nodes_close_all() - close what drm_render_nodes_open_all() opened
 * @fds: the descriptors
 * @count: how many
 */
void drm_render_nodes_close_all(int *fds, int count)
{
	for (int i = 0; i < count; i++)
		close(fds[i]);
}
