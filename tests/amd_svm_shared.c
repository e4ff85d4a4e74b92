// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm shared
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM mapping
 * Functionality: GPU access to shared and file-backed memory (shmem,
 *	memfd) through DRM_AMDGPU_GEM_SVM
 * Description: The other subtests map private anonymous memory. Here the
 *	GPU maps pages of a file (a memfd: shmem, page cache that other
 *	mappings and processes share): what the GPU writes through one
 *	mapping the CPU reads through another and through the file, and the
 *	other way round; such pages never move into VRAM; a hole punched in
 *	the file or a truncation takes the GPU's mapping of the freed pages
 *	away; two processes' GPUs share the pages; and the GPU's writes to a
 *	private mapping of the file are copy-on-write, never written to the
 *	file. Every subtest runs once per GPU and XNACK mode (dynamic
 *	subtests gpuN-TARGET-xnack-on/off).
 *
 * SUBTEST: memfd-two-views
 * Description: A memfd mapped twice: the GPU, given access through the
 *	first mapping, reads what the CPU wrote through the second, and the
 *	CPU reads the GPU's fill through the second mapping and the file;
 *	PREFETCH_LOC=GPU succeeds and leaves the shared pages in system
 *	memory, where the GPU keeps writing them.
 *
 * SUBTEST: memfd-punch-hole
 * Description: A hole punched in a memfd the GPU maps frees its pages:
 *	the GPU then reads zeros there (never the freed pages) and the rest
 *	of the data, and a GPU write into the hole lands in the file.
 *
 * SUBTEST: memfd-truncate
 * Description: A memfd the GPU maps is truncated to its first half: the
 *	GPU still reads the first half exactly, and its access to the second
 *	half, where the CPU would get SIGBUS, is a VM fault, not an access to
 *	the freed pages.
 *
 * SUBTEST: shared-two-processes
 * Description: A parent and its child each have an SVM context on the GPU
 *	and map the same memfd: the child's GPU reads the parent's CPU
 *	write, the parent's GPU reads the child's GPU fill, and each CPU
 *	sees the other's GPU's fill.
 *
 * SUBTEST: file-private-cow
 * Description: A private mapping of a memfd: the GPU's fill of it is
 *	copy-on-write, seen through that mapping and never written to the
 *	file, which a shared mapping and read() still show unchanged.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_evict.h"
#include "svm_gpu.h"
#include "svm_handshake.h"

/* Two 2 MiB chunks: what a range of each covers is checked apart. */
#define SHARED_SIZE	(2 * SZ_2M)

struct mode {
	struct svm_gpu *gpu;
	bool xnack;
};

/* A memfd of @size bytes. */
static int shared_file(size_t size)
{
	int fd = memfd_create("amd_svm_shared", MFD_CLOEXEC);

	igt_assert_f(fd >= 0, "memfd_create: %m\n");
	igt_assert_f(ftruncate(fd, size) == 0, "ftruncate of the memfd: %m\n");
	return fd;
}

/* Map @fd (@flags: MAP_SHARED or MAP_PRIVATE) read-write, 2 MiB aligned. */
static char *map_file(int fd, size_t size, int flags)
{
	char *p = svm_map_aligned(size, SZ_2M);

	igt_assert_f(mmap(p, size, PROT_READ | PROT_WRITE, flags | MAP_FIXED,
			  fd, 0) == p, "mmap of the memfd: %m\n");
	return p;
}

static void exec_cmd(struct svm_queue *q, struct svm_gpu_cmd cmd,
		     const char *what)
{
	svm_queue_exec(q, &cmd, 1, what);
}

/*
 * The GPU copies @size bytes at @src to a fresh private buffer, which it
 * returns (munmap() it).
 */
static char *gpu_copy_out(struct svm_queue *q, const void *src, size_t size,
			  const char *what)
{
	char *dst = svm_map_aligned(size, SZ_2M);

	memset(dst, 0, size);
	svm_give_access(q->ctx, dst, size);
	exec_cmd(q, svm_cmd_copy((uintptr_t)dst, (uintptr_t)src, size), what);
	return dst;
}

/* The GPU reads pattern @seed at @src. */
static void gpu_check(struct svm_queue *q, const void *src, size_t size,
		      uint32_t seed, const char *what)
{
	char *dst = gpu_copy_out(q, src, size, what);

	svm_pattern_check(dst, size, seed, 0, what);
	munmap(dst, size);
}

/*
 * The GPU reads the 8 bytes at @p, and they hold pattern @seed from byte
 * @offset of the pattern on (@seed 0: zeros). A read also leaves the
 * page's translation in the GPU's TLB, which an invalidation must drop.
 */
static void gpu_read_word(struct svm_queue *q, const char *p, uint32_t seed,
			  size_t offset, const char *what)
{
	uint64_t want = 0, got;

	if (seed)
		want = svm_pattern_at64(seed, offset);
	exec_cmd(q, svm_cmd_read((uintptr_t)p), what);
	got = svm_queue_read_result(q);
	igt_assert_f(got == want, "%s: 0x%016" PRIx64 ", expected 0x%016" PRIx64 "\n",
		     what, got, want);
}

/* The file @fd holds @value in every word of [@off, @off + @size). */
static void file_check_fill(int fd, off_t off, size_t size, uint32_t value,
			    const char *what)
{
	char *copy = malloc(size);

	igt_assert(copy);
	igt_assert_f(pread(fd, copy, size, off) == (ssize_t)size,
		     "%s: read of the memfd: %m\n", what);
	svm_check_fill(copy, size, value, what);
	free(copy);
}

static void test_two_views(const struct mode *m)
{
	int fd = shared_file(SHARED_SIZE);
	char *a = map_file(fd, SHARED_SIZE, MAP_SHARED);
	char *b = map_file(fd, SHARED_SIZE, MAP_SHARED);
	struct svm_queue q;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_give_access(&ctx, a, SHARED_SIZE);
	svm_queue_create(&ctx, &q);

	svm_pattern_fill(b, SHARED_SIZE, 11);
	gpu_check(&q, a, SHARED_SIZE, 11,
		  "GPU read through the first mapping of the CPU's write through the second");
	exec_cmd(&q, svm_cmd_fill((uintptr_t)a, SHARED_SIZE, 0x11223344),
		 "GPU fill through the first mapping");
	svm_check_fill(b, SHARED_SIZE, 0x11223344,
		       "CPU read through the second mapping of the GPU's fill");
	file_check_fill(fd, 0, SHARED_SIZE, 0x11223344,
			"the file after the GPU's fill");

	/* Shared pages cannot become device-private: they stay put. */
	svm_set_one(ctx.fd, (uintptr_t)a, SHARED_SIZE,
		    AMDGPU_SVM_ATTR_PREFETCH_LOC, m->gpu->gpu_id);
	igt_assert_f(svm_vram_pages(a, SHARED_SIZE) == 0,
		     "%zu pages of a memfd moved into VRAM\n",
		     svm_vram_pages(a, SHARED_SIZE));
	exec_cmd(&q, svm_cmd_fill((uintptr_t)a, SHARED_SIZE, 0x55667788),
		 "GPU fill after PREFETCH_LOC=GPU");
	svm_check_fill(b, SHARED_SIZE, 0x55667788,
		       "CPU read through the second mapping after PREFETCH_LOC=GPU");

	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
	munmap(a, SHARED_SIZE);
	munmap(b, SHARED_SIZE);
	close(fd);
}

static void test_punch_hole(const struct mode *m)
{
	const size_t hole = SZ_1M, hole_len = SZ_1M;
	int fd = shared_file(SHARED_SIZE);
	char *a = map_file(fd, SHARED_SIZE, MAP_SHARED), *dst;
	struct svm_queue q;
	struct svm_ctx ctx;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(a, SHARED_SIZE, 21);
	svm_give_access(&ctx, a, SHARED_SIZE);
	svm_queue_create(&ctx, &q);
	gpu_check(&q, a, SHARED_SIZE, 21, "GPU read before the hole");
	gpu_read_word(&q, a + hole, 21, hole, "GPU read where the hole goes");

	igt_assert_f(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       hole, hole_len) == 0,
		     "punching a hole in the memfd: %m\n");
	gpu_read_word(&q, a + hole, 0, hole,
		      "GPU read of the hole's first page, just read before it was freed");
	dst = gpu_copy_out(&q, a, SHARED_SIZE, "GPU read after the hole");
	svm_pattern_check(dst, hole, 21, 0, "GPU read before the hole");
	svm_check_fill(dst + hole, hole_len, 0,
		       "GPU read of the hole (the freed pages' data?)");
	svm_pattern_check(dst + hole + hole_len, SHARED_SIZE - hole - hole_len,
			  21, hole + hole_len, "GPU read after the hole");
	munmap(dst, SHARED_SIZE);

	exec_cmd(&q, svm_cmd_fill((uintptr_t)a + hole, hole_len, 0x2b2b2b2b),
		 "GPU fill of the hole");
	file_check_fill(fd, hole, hole_len, 0x2b2b2b2b,
			"the file where the GPU filled the hole");

	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
	munmap(a, SHARED_SIZE);
	close(fd);
}

static void test_truncate(const struct mode *m)
{
	const size_t half = SHARED_SIZE / 2;
	int fd = shared_file(SHARED_SIZE);
	char *a = map_file(fd, SHARED_SIZE, MAP_SHARED);
	struct svm_gpu_cmd cmd;
	struct svm_queue q;
	struct svm_ctx ctx;
	int ret;

	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_pattern_fill(a, SHARED_SIZE, 31);
	svm_give_access(&ctx, a, SHARED_SIZE);
	svm_queue_create(&ctx, &q);
	gpu_check(&q, a, SHARED_SIZE, 31, "GPU read before the truncation");
	/* Its translation is cached last: the truncation must drop it. */
	gpu_read_word(&q, a + half, 31, half, "GPU read of the first page to go");

	igt_assert_f(ftruncate(fd, half) == 0, "truncating the memfd: %m\n");
	cmd = svm_cmd_read((uintptr_t)a + half);
	ret = __svm_queue_wait(&q, svm_queue_submit(&q, &cmd, 1),
			       SVM_GPU_TIMEOUT_NS);
	igt_assert_f(ret == -EIO,
		     "GPU read beyond the end of the truncated file: expected a VM fault (EIO), got %d (%s)\n",
		     ret, ret ? strerror(-ret) : "it read the freed page");

	/* The fault stopped the queue: a new one reads what is left. */
	svm_queue_destroy(&q);
	svm_queue_create(&ctx, &q);
	gpu_check(&q, a, half, 31, "GPU read of the half the truncation kept");
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
	munmap(a, SHARED_SIZE);
	close(fd);
}

static void test_two_processes(const struct mode *m)
{
	int fd = shared_file(SHARED_SIZE);
	char *a = map_file(fd, SHARED_SIZE, MAP_SHARED);
	int written[2], filled[2], parent_filled[2];
	struct svm_queue q;
	struct svm_ctx ctx;
	char *dst;

	/* Whatever would skip does so here, not in the child. */
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_ctx_close(&ctx);
	igt_assert_eq(pipe(written), 0);
	igt_assert_eq(pipe(filled), 0);
	igt_assert_eq(pipe(parent_filled), 0);
	igt_fork(child, 1) {
		close(written[1]);
		close(filled[0]);
		close(parent_filled[1]);
		svm_ctx_open(m->gpu, m->xnack, &ctx);
		svm_give_access(&ctx, a, SHARED_SIZE);
		svm_queue_create(&ctx, &q);
		svm_handshake_await(written[0], "the parent's CPU write");
		gpu_check(&q, a, SHARED_SIZE, 41,
			  "child's GPU read of the parent's CPU write");
		exec_cmd(&q, svm_cmd_fill((uintptr_t)a, SHARED_SIZE, 0x42424242),
			 "child's GPU fill");
		svm_handshake_send(filled[1]);
		svm_handshake_await(parent_filled[0], "the parent's GPU fill");
		svm_check_fill(a, SHARED_SIZE, 0x43434343,
			       "child's CPU read of the parent's GPU fill");
		svm_queue_destroy(&q);
		svm_ctx_close(&ctx);
	}
	close(written[0]);
	close(filled[1]);
	close(parent_filled[0]);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_give_access(&ctx, a, SHARED_SIZE);
	svm_queue_create(&ctx, &q);
	svm_pattern_fill(a, SHARED_SIZE, 41);
	svm_handshake_send(written[1]);
	svm_handshake_await(filled[0], "the child's GPU fill");
	svm_check_fill(a, SHARED_SIZE, 0x42424242,
		       "parent's CPU read of the child's GPU fill");
	dst = gpu_copy_out(&q, a, SHARED_SIZE,
			   "parent's GPU read of the child's GPU fill");
	svm_check_fill(dst, SHARED_SIZE, 0x42424242,
		       "parent's GPU read of the child's GPU fill");
	munmap(dst, SHARED_SIZE);
	exec_cmd(&q, svm_cmd_fill((uintptr_t)a, SHARED_SIZE, 0x43434343),
		 "parent's GPU fill");
	svm_handshake_send(parent_filled[1]);
	igt_waitchildren();
	close(written[1]);
	close(filled[0]);
	close(parent_filled[1]);
	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
	munmap(a, SHARED_SIZE);
	close(fd);
}

static void test_private_cow(const struct mode *m)
{
	int fd = shared_file(SHARED_SIZE);
	char *shared = map_file(fd, SHARED_SIZE, MAP_SHARED);
	char *priv = map_file(fd, SHARED_SIZE, MAP_PRIVATE);
	char *copy = malloc(SHARED_SIZE);
	struct svm_queue q;
	struct svm_ctx ctx;

	igt_assert(copy);

	svm_pattern_fill(shared, SHARED_SIZE, 51);
	svm_ctx_open(m->gpu, m->xnack, &ctx);
	svm_give_access(&ctx, priv, SHARED_SIZE);
	svm_queue_create(&ctx, &q);
	gpu_check(&q, priv, SHARED_SIZE, 51,
		  "GPU read of the private mapping before any write");
	exec_cmd(&q, svm_cmd_fill((uintptr_t)priv, SHARED_SIZE, 0x5c5c5c5c),
		 "GPU fill of the private mapping");
	svm_check_fill(priv, SHARED_SIZE, 0x5c5c5c5c,
		       "CPU read of the private mapping after the GPU's fill");
	svm_pattern_check(shared, SHARED_SIZE, 51, 0,
			  "the shared mapping after the GPU filled the private one (the file written?)");
	igt_assert_f(pread(fd, copy, SHARED_SIZE, 0) == SHARED_SIZE,
		     "read of the memfd: %m\n");
	svm_pattern_check(copy, SHARED_SIZE, 51, 0,
			  "read() of the file after the GPU filled the private mapping");
	free(copy);

	svm_queue_destroy(&q);
	svm_ctx_close(&ctx);
	munmap(priv, SHARED_SIZE);
	munmap(shared, SHARED_SIZE);
	close(fd);
}

typedef void (*mode_test_fn)(const struct mode *m);

static const struct {
	const char *name;
	mode_test_fn fn;
	const char *desc;
} subtests[] = {
	{ "memfd-two-views", test_two_views,
	  "A memfd mapped twice: the GPU, given access through the first mapping, reads what the CPU wrote through the second, and the CPU reads the GPU's fill through the second mapping and the file; PREFETCH_LOC=GPU succeeds and leaves the shared pages in system memory, where the GPU keeps writing them." },
	{ "memfd-punch-hole", test_punch_hole,
	  "A hole punched in a memfd the GPU maps frees its pages: the GPU then reads zeros there (never the freed pages) and the rest of the data, and a GPU write into the hole lands in the file." },
	{ "memfd-truncate", test_truncate,
	  "A memfd the GPU maps is truncated to its first half: the GPU still reads the first half exactly, and its access to the second half, where the CPU would get SIGBUS, is a VM fault, not an access to the freed pages." },
	{ "shared-two-processes", test_two_processes,
	  "A parent and its child each have an SVM context on the GPU and map the same memfd: the child's GPU reads the parent's CPU write, the parent's GPU reads the child's GPU fill, and each CPU sees the other's GPU's fill." },
	{ "file-private-cow", test_private_cow,
	  "A private mapping of a memfd: the GPU's fill of it is copy-on-write, seen through that mapping and never written to the file, which a shared mapping and read() still show unchanged." },
};

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture()
		ngpus = svm_gpus_require(gpus);

	for (unsigned int t = 0; t < ARRAY_SIZE(subtests); t++) {
		igt_describe(subtests[t].desc);
		igt_subtest_with_dynamic(subtests[t].name) {
			igt_dynamic_svm_modes(gpus, ngpus, g, x) {
				struct mode m = { &gpus[g], x };

				subtests[t].fn(&m);
			}
		}
	}

	igt_fixture()
		svm_gpus_close(gpus, ngpus);
}
