// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "svm_evict.h"
#include "svm_gpu.h"
#include "vamdgpu.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define PAGEMAP_PRESENT	(1ull << 63)
#define PAGEMAP_SWAPPED	(1ull << 62)
#define PAGEMAP_PFN	((1ull << 55) - 1)

/**
 * svm_evict_mprotect() - take write permission away and give it back: an
 * invalidation of [@p, @p + @size) that keeps its data
 * @p: page-aligned memory
 * @size: bytes
 */
void svm_evict_mprotect(void *p, size_t size)
{
	igt_assert_f(mprotect(p, size, PROT_READ) == 0, "mprotect: %m\n");
	igt_assert_f(mprotect(p, size, PROT_READ | PROT_WRITE) == 0,
		     "mprotect: %m\n");
}

/**
 * svm_evict_dontneed() - MADV_DONTNEED: the pages go, the memory reads as
 * zeros afterwards
 * @p: page-aligned anonymous memory
 * @size: bytes
 */
void svm_evict_dontneed(void *p, size_t size)
{
	igt_assert_f(madvise(p, size, MADV_DONTNEED) == 0,
		     "MADV_DONTNEED: %m\n");
}

/**
 * svm_resident_pages() - pages of [@p, @p + @size) in memory (mincore)
 * @p: page-aligned memory
 * @size: bytes
 *
 * Return: the count.
 */
size_t svm_resident_pages(void *p, size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE), n = size / page, count = 0;
	unsigned char *vec = calloc(n, 1);

	igt_assert(vec);
	igt_assert_f(mincore(p, size, vec) == 0, "mincore: %m\n");
	for (size_t i = 0; i < n; i++)
		count += vec[i] & 1;
	free(vec);
	return count;
}

/**
 * svm_evict_pageout() - MADV_PAGEOUT: reclaim the pages now
 * @p: page-aligned memory; only clean file pages can go without swap
 * @size: bytes
 *
 * Return: true when at least one page left memory (it was invalidated).
 */
bool svm_evict_pageout(void *p, size_t size)
{
	size_t before = svm_resident_pages(p, size);

	igt_assert_f(madvise(p, size, MADV_PAGEOUT) == 0, "MADV_PAGEOUT: %m\n");
	return svm_resident_pages(p, size) < before;
}

/**
 * svm_pfns() - the page frame of each page of [@p, @p + @size), from
 * /proc/self/pagemap (0 for a page not present)
 * @p: page-aligned memory
 * @size: bytes
 * @pfns: one entry per page
 */
void svm_pfns(void *p, size_t size, uint64_t *pfns)
{
	size_t page = sysconf(_SC_PAGESIZE), n = size / page;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t got;

	igt_assert_f(fd >= 0, "/proc/self/pagemap: %m\n");
	got = pread(fd, pfns, n * 8, (uintptr_t)p / page * 8);
	close(fd);
	igt_assert_eq(got, (ssize_t)(n * 8));
	for (size_t i = 0; i < n; i++)
		pfns[i] = pfns[i] & PAGEMAP_PRESENT ? pfns[i] & PAGEMAP_PFN : 0;
}

/**
 * svm_vram_pages() - pages of [@p, @p + @size) that sit in device memory:
 * not present to the CPU, with a swap-type entry (a device-private page)
 * in /proc/self/pagemap; nothing is swapped out in the test guest
 * @p: page-aligned memory
 * @size: bytes
 *
 * Return: the count.
 */
size_t svm_vram_pages(const void *p, size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE), n = size / page, count = 0;
	uint64_t *entries = calloc(n, 8);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t got;

	igt_assert(entries);
	igt_assert_f(fd >= 0, "/proc/self/pagemap: %m\n");
	got = pread(fd, entries, n * 8, (uintptr_t)p / page * 8);
	close(fd);
	igt_assert_eq(got, (ssize_t)(n * 8));
	for (size_t i = 0; i < n; i++)
		count += !(entries[i] & PAGEMAP_PRESENT) &&
			 (entries[i] & PAGEMAP_SWAPPED);
	free(entries);
	return count;
}

/**
 * svm_evict_compact() - compact all memory (/proc/sys/vm/compact_memory)
 * @p: page-aligned memory of the test
 * @size: bytes
 *
 * Return: true when a page of [@p, @p + @size) moved (it was invalidated
 * for migration); needs root to read page frames.
 */
bool svm_evict_compact(void *p, size_t size)
{
	size_t n = size / sysconf(_SC_PAGESIZE);
	uint64_t *before = calloc(n, 8), *after = calloc(n, 8);
	bool moved = false;
	int fd;

	igt_assert(before && after);
	svm_pfns(p, size, before);
	fd = open("/proc/sys/vm/compact_memory", O_WRONLY);
	igt_require_f(fd >= 0, "/proc/sys/vm/compact_memory: %m\n");
	igt_assert_f(write(fd, "1", 1) == 1, "compact_memory: %m\n");
	close(fd);
	svm_pfns(p, size, after);
	for (size_t i = 0; i < n; i++)
		moved |= before[i] != after[i];
	free(before);
	free(after);
	return moved;
}

static FILE *svm_vamdgpu_debugfs_open(const struct svm_gpu *gpu,
				      const char *file, const char *mode)
{
	igt_require_f(gpu->is_virtual, "%s: no vamdgpu debugfs\n", gpu->name);
	return vamdgpu_debugfs_open(gpu->instance, file, mode);
}

/**
 * svm_evict_vram() - evict all VRAM of a GPU as suspend does, through its
 * driver's debugfs file (amdgpu_evict_vram, or the virtual GPU's
 * vamdgpu_evict_vram); skips the test without debugfs
 * @gpu: the GPU
 *
 * Return: 0, or the -errno amdgpu's eviction failed with (the virtual
 * GPU's file reports no failure: check where the pages are).
 */
int svm_evict_vram(const struct svm_gpu *gpu)
{
	int result = 0, ret = gpu->backend->evict_vram(gpu, &result);

	igt_assert_f(ret != -ENODATA,
		     "%s: the debugfs VRAM eviction file said something unexpected\n",
		     gpu->name);
	igt_require_f(ret == 0, "%s: VRAM eviction through debugfs: %s (debugfs mounted? root?)\n",
		      gpu->name, strerror(-ret));
	return result;
}

/* Write @n to a virtual GPU's debugfs count @file. */
static void vamdgpu_debugfs_write_count(const struct svm_gpu *gpu,
					const char *file, unsigned int n)
{
	FILE *f = svm_vamdgpu_debugfs_open(gpu, file, "w");

	igt_assert_f(fprintf(f, "%u\n", n) > 0 && fclose(f) == 0,
		     "%s: writing %s: %m\n", gpu->name, file);
}

/* The count a virtual GPU's debugfs @file holds. */
static unsigned int vamdgpu_debugfs_read_count(const struct svm_gpu *gpu,
					       const char *file)
{
	FILE *f = svm_vamdgpu_debugfs_open(gpu, file, "r");
	unsigned int n;

	igt_assert_f(fscanf(f, "%u", &n) == 1, "%s: unreadable %s\n",
		     gpu->name, file);
	fclose(f);
	return n;
}

/**
 * svm_vamdgpu_fail_pte_updates() - make the next @n PTE updates of a virtual
 * GPU's SVM core fail with -EBUSY, as amdgpu's do while its page tables are
 * evicted (debugfs vamdgpu_fail_pte_updates); 0 disarms
 * @gpu: a virtual GPU
 * @n: how many updates to refuse
 */
void svm_vamdgpu_fail_pte_updates(const struct svm_gpu *gpu, unsigned int n)
{
	vamdgpu_debugfs_write_count(gpu, "vamdgpu_fail_pte_updates", n);
}

/**
 * svm_vamdgpu_pte_failures_left() - how many refusals svm_vamdgpu_fail_pte_updates()
 * armed are still to come
 * @gpu: a virtual GPU
 *
 * Return: the count.
 */
unsigned int svm_vamdgpu_pte_failures_left(const struct svm_gpu *gpu)
{
	return vamdgpu_debugfs_read_count(gpu, "vamdgpu_fail_pte_updates");
}

/**
 * svm_vamdgpu_stall_pte_updates() - make the next @n PTE updates of a virtual
 * GPU's SVM core wait, as a page-table job queued behind a hung SDMA ring
 * does (debugfs vamdgpu_stall_pte_updates); 0 disarms and ends every stall
 * in progress (the kernel ends one after a minute anyway)
 * @gpu: a virtual GPU
 * @n: how many updates to stall
 */
void svm_vamdgpu_stall_pte_updates(const struct svm_gpu *gpu, unsigned int n)
{
	vamdgpu_debugfs_write_count(gpu, "vamdgpu_stall_pte_updates", n);
}

/**
 * svm_vamdgpu_stall_pte_reserves() - make the next @n page-table reservations
 * of a virtual GPU's SVM core wait (after the pages were collected, before
 * the PTEs are written; only the SVM lock held), as amdgpu's wait for its
 * page-table BOs (debugfs vamdgpu_stall_pte_reserves); 0 disarms and ends
 * every stall, of updates too
 * @gpu: a virtual GPU
 * @n: how many reservations to stall
 */
void svm_vamdgpu_stall_pte_reserves(const struct svm_gpu *gpu, unsigned int n)
{
	vamdgpu_debugfs_write_count(gpu, "vamdgpu_stall_pte_reserves", n);
}

/**
 * svm_vamdgpu_pte_updates_stalled() - how many PTE updates and reservations
 * of a virtual GPU wait now in a stall armed by
 * svm_vamdgpu_stall_pte_updates() or svm_vamdgpu_stall_pte_reserves()
 * @gpu: a virtual GPU
 *
 * Return: the count.
 */
unsigned int svm_vamdgpu_pte_updates_stalled(const struct svm_gpu *gpu)
{
	return vamdgpu_debugfs_read_count(gpu, "vamdgpu_pte_updates_stalled");
}

/* Poll a virtual GPU's debugfs count @file every 10 ms until it is not 0. */
static unsigned int vamdgpu_debugfs_await_count(const struct svm_gpu *gpu,
						const char *file,
						uint64_t timeout_ns,
						uint64_t *waited_ns)
{
	unsigned int n;

	*waited_ns = 0;
	while (!(n = vamdgpu_debugfs_read_count(gpu, file)) &&
	       *waited_ns < timeout_ns) {
		usleep(10 * 1000);
		*waited_ns += 10 * 1000 * 1000;
	}
	return n;
}

/**
 * svm_vamdgpu_await_stalled() - wait until a stall that
 * svm_vamdgpu_stall_pte_updates() or svm_vamdgpu_stall_pte_reserves() armed
 * holds a PTE update or reservation of a virtual GPU
 * @gpu: a virtual GPU
 * @timeout_ns: how long to wait at most
 * @waited_ns: set to how long it waited (at least @timeout_ns if none came)
 *
 * Polls every 10 ms, asserting nothing about the count (the test fails
 * only if the file cannot be read): the caller waits with a stall armed,
 * which it must disarm whatever happens.
 *
 * Return: the stalled count, 0 if none came in time.
 */
unsigned int svm_vamdgpu_await_stalled(const struct svm_gpu *gpu,
				       uint64_t timeout_ns,
				       uint64_t *waited_ns)
{
	return vamdgpu_debugfs_await_count(gpu, "vamdgpu_pte_updates_stalled",
					   timeout_ns, waited_ns);
}

/**
 * svm_vamdgpu_stall_copies_to_ram() - make the next @n copies from a virtual
 * GPU's VRAM to system memory wait, the pages unmapped from every process
 * meanwhile (debugfs vamdgpu_stall_copies_to_ram); 0 disarms and ends every
 * stall, of PTE updates too (the kernel ends one after a minute anyway)
 * @gpu: a virtual GPU
 * @n: how many copies to stall
 */
void svm_vamdgpu_stall_copies_to_ram(const struct svm_gpu *gpu, unsigned int n)
{
	vamdgpu_debugfs_write_count(gpu, "vamdgpu_stall_copies_to_ram", n);
}

/**
 * svm_vamdgpu_await_copy_stalled() - wait until a stall that
 * svm_vamdgpu_stall_copies_to_ram() armed holds a copy to system memory
 * @gpu: a virtual GPU
 * @timeout_ns: how long to wait at most
 * @waited_ns: set to how long it waited (at least @timeout_ns if none came)
 *
 * Polls as svm_vamdgpu_await_stalled() does.
 *
 * Return: the stalled count, 0 if none came in time.
 */
unsigned int svm_vamdgpu_await_copy_stalled(const struct svm_gpu *gpu,
					    uint64_t timeout_ns,
					    uint64_t *waited_ns)
{
	return vamdgpu_debugfs_await_count(gpu, "vamdgpu_copies_to_ram_stalled",
					   timeout_ns, waited_ns);
}

/**
 * svm_vamdgpu_lose_page_tables() - wipe the page table of every VM of a
 * virtual GPU, as a GPU reset that lost VRAM does (debugfs
 * vamdgpu_lose_page_tables); each VM rebuilds at its next submission
 * @gpu: a virtual GPU (the test skips on any other)
 *
 * Return: how many VMs lost their page table.
 */
unsigned int svm_vamdgpu_lose_page_tables(const struct svm_gpu *gpu)
{
	igt_require_f(gpu->is_virtual, "%s: no vamdgpu debugfs\n", gpu->name);
	return vamdgpu_lose_page_tables(gpu->instance);
}

/**
 * svm_vamdgpu_pt_bytes() - memory of the page tables of this process's VMs
 * on a virtual GPU (debugfs vamdgpu_vms): GPU memory on amdgpu, kernel
 * memory here
 * @gpu: a virtual GPU (the test skips on any other)
 *
 * Return: the bytes.
 */
long svm_vamdgpu_pt_bytes(const struct svm_gpu *gpu)
{
	FILE *f = svm_vamdgpu_debugfs_open(gpu, "vamdgpu_vms", "r");
	long bytes = 0, n;
	char line[512];
	int pid;

	while (fgets(line, sizeof(line), f)) {
		const char *t = strstr(line, " pt_bytes ");

		if (sscanf(line, "vm %*u pid %d", &pid) != 1 || pid != getpid())
			continue;
		igt_assert_f(t && sscanf(t, " pt_bytes %ld", &n) == 1,
			     "%s: no pt_bytes in vamdgpu_vms: %s", gpu->name, line);
		bytes += n;
	}
	fclose(f);
	return bytes;
}

/**
 * svm_vamdgpu_tlb_flushes() - TLB flushes of each VM of this process on a
 * virtual GPU so far (debugfs vamdgpu_vms)
 * @gpu: a virtual GPU (the test skips on any other)
 * @flushes: filled in, by VM id (indexes up to @max - 1; others zero)
 * @max: entries at @flushes
 *
 * Every render node file of the process is a VM of its own.
 */
void svm_vamdgpu_tlb_flushes(const struct svm_gpu *gpu, uint64_t *flushes,
			     unsigned int max)
{
	FILE *f = svm_vamdgpu_debugfs_open(gpu, "vamdgpu_vms", "r");
	unsigned long long n;
	unsigned int vm;
	char line[512];
	int pid;

	memset(flushes, 0, max * sizeof(*flushes));
	while (fgets(line, sizeof(line), f)) {
		const char *t = strstr(line, " tlb_flushes ");

		if (sscanf(line, "vm %u pid %d", &vm, &pid) == 2 &&
		    pid == getpid() && vm < max && t &&
		    sscanf(t, " tlb_flushes %llu", &n) == 1)
			flushes[vm] = n;
	}
	fclose(f);
}
