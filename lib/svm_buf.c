// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "svm_buf.h"

/*
 * A region aligned only to 4 KiB (but not 64 KiB) maps in 4 KiB chunks, one
 * aligned to 64 KiB (but not 2 MiB) in 64 KiB chunks, one aligned to 2 MiB
 * in 2 MiB chunks; THP backs the last with huge pages as well.
 */
const struct svm_backing svm_backings[] = {
	{ "4k", 4096, false },
	{ "64k", SZ_64K, false },
	{ "2m", SZ_2M, false },
	{ "thp", SZ_2M, true },
};
const unsigned int svm_nbackings = ARRAY_SIZE(svm_backings);

/** svm_page_size() - the CPU page size. Return: bytes. */
size_t svm_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/**
 * svm_map() - anonymous private read-write memory, failing the test on error
 * @size: bytes
 *
 * Return: the mapping.
 */
void *svm_map(size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert_f(p != MAP_FAILED, "mmap of %zu bytes: %m\n", size);
	return p;
}

/**
 * svm_map_aligned() - svm_map() starting at a multiple of @align
 * @size: bytes
 * @align: a power of two
 *
 * Return: the mapping; the memory around it is unmapped.
 */
void *svm_map_aligned(size_t size, size_t align)
{
	char *p = svm_map(size + align);
	char *a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));

	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + align - a);
	return a;
}

/* AnonHugePages (KiB) of the mapping holding @p, from /proc/self/smaps. */
static unsigned long svm_thp_kb(const char *p)
{
	unsigned long start, end, kb = 0;
	bool ours = false;
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");

	igt_assert_f(f, "/proc/self/smaps: %m\n");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			ours = start <= (uintptr_t)p && (uintptr_t)p < end;
		else if (ours && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/**
 * svm_map_backing() - a region laid out as @b says, zero filled
 * @b: the backing
 * @size: bytes, a multiple of @b->chunk
 *
 * The region starts at a multiple of @b->chunk but not of the next larger
 * chunk size, so drm_gpusvm uses exactly @b->chunk. THP regions are asked
 * for huge pages with MADV_HUGEPAGE and touched; the test skips when the
 * kernel gave none.
 *
 * Return: the region.
 */
void *svm_map_backing(const struct svm_backing *b, size_t size)
{
	size_t next = b->chunk == SZ_2M ? SZ_2M : b->chunk * 16;
	char *p;

	if (b->chunk == SZ_2M) {
		p = svm_map_aligned(size, SZ_2M);
	} else {
		/* Aligned to the chunk, deliberately not to the next size. */
		char *base = svm_map_aligned(size + next, next);

		munmap(base, b->chunk);
		munmap(base + b->chunk + size, next - b->chunk);
		p = base + b->chunk;
	}
	if (b->thp) {
		igt_require_f(madvise(p, size, MADV_HUGEPAGE) == 0,
			      "MADV_HUGEPAGE: %m\n");
		memset(p, 0, size);
		igt_require_f(svm_thp_kb(p) > 0,
			      "no transparent huge page backs %p\n", (void *)p);
	} else {
		memset(p, 0, size);
	}
	return p;
}

/**
 * svm_pattern_at() - the pattern's 32-bit word at a byte offset
 * @seed: the pattern
 * @offset: byte offset, a multiple of 4
 *
 * Every word differs from its neighbours and from other seeds, so a page
 * that moved, went stale or was zeroed is told apart from the right one.
 *
 * Return: the word.
 */
uint32_t svm_pattern_at(uint32_t seed, size_t offset)
{
	uint32_t x = seed * 0x9e3779b9u ^ (uint32_t)(offset / 4) * 0x85ebca6bu;

	return x ^ (x >> 15) ^ 0x1;	/* never 0 for seed 0 offset 0 */
}

/**
 * svm_pattern_at64() - the 8 bytes of pattern @seed at @offset, as one
 * little-endian word (what a GPU's 64-bit read of them returns)
 * @seed: the pattern
 * @offset: byte offset, a multiple of 4
 *
 * Return: the word.
 */
uint64_t svm_pattern_at64(uint32_t seed, size_t offset)
{
	return svm_pattern_at(seed, offset) |
	       (uint64_t)svm_pattern_at(seed, offset + 4) << 32;
}

/**
 * svm_pattern_fill() - write the pattern @seed over [@p, @p + @size)
 * @p: the memory
 * @size: bytes, a multiple of 4
 * @seed: the pattern
 */
void svm_pattern_fill(void *p, size_t size, uint32_t seed)
{
	uint32_t *w = p;

	for (size_t i = 0; i < size / 4; i++)
		w[i] = svm_pattern_at(seed, i * 4);
}

/**
 * svm_pattern_check() - check the pattern, failing the test at the first
 * wrong word with its address, offset, expected and seen values
 * @p: the memory
 * @size: bytes
 * @seed: the pattern
 * @seed_offset: the pattern offset @p corresponds to (for a copy of part
 *	of a patterned buffer)
 * @what: what is checked, for the message
 */
void svm_pattern_check(const void *p, size_t size, uint32_t seed,
		       size_t seed_offset, const char *what)
{
	const uint32_t *w = p;

	for (size_t i = 0; i < size / 4; i++) {
		uint32_t want = svm_pattern_at(seed, seed_offset + i * 4);

		igt_assert_f(w[i] == want,
			     "%s: first wrong word at %p (offset 0x%zx of 0x%zx): expected 0x%08x, got 0x%08x\n",
			     what, (const void *)&w[i], i * 4, size, want, w[i]);
	}
}

/**
 * svm_check_fill() - check every 32-bit word equals @value, failing the
 * test at the first wrong one
 * @p: the memory
 * @size: bytes
 * @value: the expected word
 * @what: what is checked, for the message
 */
void svm_check_fill(const void *p, size_t size, uint32_t value,
		    const char *what)
{
	const uint32_t *w = p;

	for (size_t i = 0; i < size / 4; i++)
		igt_assert_f(w[i] == value,
			     "%s: first wrong word at %p (offset 0x%zx of 0x%zx): expected 0x%08x, got 0x%08x\n",
			     what, (const void *)&w[i], i * 4, size, value, w[i]);
}
