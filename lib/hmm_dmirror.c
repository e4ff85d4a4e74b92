// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "hmm_dmirror.h"

/*
 * The device's ABI, as lib/test_hmm_uapi.h of the kernel defines it: one
 * command structure, ioctl type 'H'; MIGRATE_TO_DEV / MIGRATE_TO_SYS move
 * @npages pages at @addr and report in @cpages how many moved.
 */
struct hmm_dmirror_cmd {
	uint64_t addr;
	uint64_t ptr;
	uint64_t npages;
	uint64_t cpages;
	uint64_t faults;
};

#define HMM_DMIRROR_MIGRATE_TO_DEV	_IOWR('H', 0x02, struct hmm_dmirror_cmd)
#define HMM_DMIRROR_MIGRATE_TO_SYS	_IOWR('H', 0x03, struct hmm_dmirror_cmd)

/**
 * hmm_dmirror_open() - open a test_hmm device
 * @index: N of /dev/hmm_dmirrorN (0 and 1 have device-private memory)
 *
 * Return: the fd, or -errno (-ENOENT: test_hmm is not loaded).
 */
int hmm_dmirror_open(unsigned int index)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/hmm_dmirror%u", index);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/**
 * hmm_dmirror_migrate() - migrate a span to the device or back
 * @fd: from hmm_dmirror_open()
 * @addr: page-aligned start of the span
 * @npages: its size in pages
 * @to_device: into the device's memory, else back to system memory
 * @mirror: @npages pages the device copies what it migrated into (the
 *	device reads its memory back into it, as hmm-tests' benchmark
 *	includes in its timing)
 * @migrated: set to the number of pages that moved (may be NULL)
 *
 * Return: 0, or -errno.
 */
int hmm_dmirror_migrate(int fd, void *addr, size_t npages, bool to_device,
			void *mirror, uint64_t *migrated)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)addr,
		.ptr = (uintptr_t)mirror,
		.npages = npages,
	};
	int ret;

	do {
		ret = ioctl(fd, to_device ? HMM_DMIRROR_MIGRATE_TO_DEV :
					    HMM_DMIRROR_MIGRATE_TO_SYS, &cmd);
	} while (ret && errno == EINTR);
	if (ret)
		return -errno;
	if (migrated)
		*migrated = cmd.cpages;
	return 0;
}
