// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm multi gpu
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM multi-GPU
 * Functionality: one process, several GPUs: one attribute truth,
 *	quiesce and resume of only the GPUs involved, concurrent use of
 *	one range
 * Description: On the virtual GPU each dynamic subtest loads vamdgpu
 *	(libkmod) with its topology: 2x-gfx943, 4x-gfx943 or gfx1100-gfx943,
 *	and the XNACK mode (-xnack-on/off; a topology with gfx1100 skips
 *	XNACK on). The driver's original devices are loaded again at
 *	the end. On real hardware the machine's own GPUs are the one
 *	topology ("machine").
 *
 * SUBTEST: evict-quiesces-involved
 * Description: XNACK off: an eviction of memory only the first GPU maps
 *	quiesces the first GPU's queues and no other GPU's, and a SET_ATTR
 *	that drops the last GPU's PTEs quiesces only the last GPU; each is
 *	resumed as often, and every GPU then runs again. XNACK on: nothing
 *	is quiesced and the first GPU refaults.
 *
 * SUBTEST: shared-range-concurrent
 * Description: Every GPU works on one range at once: atomic adds on one
 *	counter and writes to slots of its own, submitted to all GPUs before
 *	any runs (virtual GPUs are held quiesced until then); the counter
 *	holds every add and every slot its value.
 *
 * SUBTEST: attributes-one-truth
 * Description: Attributes set through one GPU's node read the same through
 *	every other; a later SET through another GPU replaces them for all;
 *	munmap clears them for all.
 *
 * SUBTEST: access-before-svm-call
 * Description: A GPU the process opened is a valid ACCESS target before
 *	its own fd made any SVM call (virtual GPU: it joins at open), and
 *	a queue of that fd then runs on the memory without a VM fault.
 *
 * SUBTEST: default-access-late-gpu
 * Description: XNACK on: a GPU the process opens after attributes were
 *	set on a buffer (without naming that GPU) can access the buffer, as
 *	it can any memory without attributes: the default access is not
 *	frozen at SET_ATTR time.
 *
 * SUBTEST: set-attr-one-gpu-fails
 * Description: SET_ATTR making a buffer GPU read-only while one GPU's PTE
 *	updates are refused (as amdgpu refuses them while its page tables
 *	are evicted): the call returns the error, and every other GPU has
 *	still lost write access (a write there is a VM fault, the data
 *	stays). Run with the first and with the last GPU failing, so that a
 *	healthy GPU comes after the failing one in the process's list.
 *
 * SUBTEST: xnack-change-refused
 * Description: A queue on any one GPU of the process makes every XNACK
 *	change fail with EBUSY, through every GPU's file, in both directions
 *	and even to the mode in force (as KFD); with no queue left the change
 *	goes through and back. Virtual GPUs only: on amdgpu the mode changes
 *	through KFD.
 *
 * SUBTEST: access-in-place-two-gpus
 * Description: A buffer the first GPU may access in place is prefetched
 *	into its VRAM, the CPU touches every page (they come back), the
 *	second GPU gets in-place access too (the pages stay in system memory,
 *	which both reach), and each GPU fills half of it: no page moves back
 *	to VRAM for either GPU's access, the second GPU and the CPU read both
 *	fills.
 *
 * SUBTEST: second-gpu-fault-migrates
 * Description: XNACK on: a buffer preferring the first GPU moves into its
 *	VRAM at that GPU's faults; once it prefers the second GPU, the second
 *	GPU's faults move it into the second GPU's VRAM (through system
 *	memory), with its data, and the first GPU's VRAM is freed.
 *
 * SUBTEST: walk-shared-race
 * Description: One SET_ATTR maps a buffer of huge pages on every GPU
 *	while another thread, after a random delay, drops the huge page of
 *	one 2 MiB chunk (MADV_DONTNEED), makes a decoy buffer take the freed
 *	page and writes a new value to the chunk: the GPUs after the first
 *	must not map the pages the first GPU's page walk found if the chunk
 *	changed since (each GPU then copies the buffer, and every chunk
 *	holds its last value, without a VM fault), 32 times; skips when no
 *	drop landed while SET_ATTR ran.
 *
 * SUBTEST: page-tables-lost-one-gpu
 * Description: Virtual GPUs: the first GPU loses its page tables (debugfs
 *	vamdgpu_lose_page_tables, a reset of that GPU that lost VRAM) while
 *	every GPU maps memory of the process: only the first GPU's queue is
 *	lost; every other GPU keeps its queue and its mappings (XNACK off:
 *	it is not quiesced by the first GPU's rebuild; XNACK on: it takes no
 *	fault) and its work runs right, and the first GPU's new queue finds
 *	its memory mapped again.
 *
 * SUBTEST: map-cost
 * Description: Time of SET_ATTR mapping 64 MiB and 256 MiB (XNACK off)
 *	on 1, 2, ... GPUs of one process, one call per GPU and one call
 *	naming them all, and of a CPU eviction of it, with the quiesces the
 *	eviction caused on the GPUs that do not map it: the per-GPU cost of
 *	one drm_gpusvm instance per GPU, printed as a table (best of 3), each
 *	figure with its ratio to 1 GPU.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_evict.h"
#include "svm_gpu.h"
#include "svm_kmod.h"
#include "vamdgpu.h"

struct topology {
	const char *name;
	const char *devices;
};

static const struct topology topologies[] = {
	{ "2x-gfx943", "gfx943,gfx943" },
	{ "4x-gfx943", "gfx943,gfx943,gfx943,gfx943" },
	{ "gfx1100-gfx943", "gfx1100,gfx943" },
};

static struct svm_gpu gpus[SVM_GPUS_MAX];
static int ngpus;
static bool virtual_gpus;
static char original_devices[256];

/* The GPUs of @t, loaded if virtual; false if this machine lacks them. */
static bool topology_open(const struct topology *t)
{
	svm_ctxs_close_leaked();
	svm_gpus_close(gpus, ngpus);
	ngpus = 0;
	if (virtual_gpus)
		svm_vamdgpu_load(t->devices);
	ngpus = svm_gpus_open(gpus, SVM_GPUS_MAX);
	return ngpus >= 2;
}

static bool all_xnack_capable(void)
{
	for (int g = 0; g < ngpus; g++)
		if (!gpus[g].xnack_capable)
			return false;
	return true;
}

/* One context and queue per GPU, every context in the same XNACK mode. */
static void open_all(bool xnack, struct svm_ctx *ctx, struct svm_queue *q)
{
	for (int g = 0; g < ngpus; g++) {
		svm_ctx_open(&gpus[g], xnack, &ctx[g]);
		svm_queue_create(&ctx[g], &q[g]);
	}
}

static void close_all(struct svm_ctx *ctx, struct svm_queue *q)
{
	for (int g = 0; g < ngpus; g++) {
		svm_queue_destroy(&q[g]);
		svm_ctx_close(&ctx[g]);
	}
}

/*
 * Check each GPU's quiesce and resume counts against @before: the GPU
 * @involved (-1: none) was quiesced at least once more, every other GPU
 * not at all; every GPU is resumed as often as quiesced and runs.
 */
static void check_quiesced_only(struct svm_queue *q,
				const struct svm_queue_counters *before,
				int involved, const char *event)
{
	struct svm_queue_counters c;

	for (int g = 0; g < ngpus; g++) {
		svm_queue_counters(&q[g], &c);
		igt_info("%s: %s: quiesce %u->%u, resume %u->%u\n", event,
			 gpus[g].name, before[g].quiesce_count, c.quiesce_count,
			 before[g].resume_count, c.resume_count);
		igt_assert_f(c.quiesce_count == c.resume_count && !c.quiesced,
			     "%s: %s quiesced %u times, resumed %u times\n",
			     event, gpus[g].name, c.quiesce_count,
			     c.resume_count);
		if (g == involved)
			igt_assert_f(c.quiesce_count > before[g].quiesce_count,
				     "%s: %s, whose mapping it changes, was not quiesced\n",
				     event, gpus[g].name);
		else
			igt_assert_f(c.quiesce_count == before[g].quiesce_count,
				     "%s: %s, which maps none of it, was quiesced %u times\n",
				     event, gpus[g].name,
				     c.quiesce_count - before[g].quiesce_count);
	}
}

/* Every GPU fills its own buffer with @value + its index. */
static void fill_own(struct svm_queue *q, char **own, size_t size,
		     uint32_t value, const char *when)
{
	for (int g = 0; g < ngpus; g++) {
		struct svm_gpu_cmd cmd;
		char what[96];

		snprintf(what, sizeof(what), "fill through %s %s",
			 gpus[g].name, when);
		cmd = svm_cmd_fill((uintptr_t)own[g], size, value + g);
		svm_queue_exec(&q[g], &cmd, 1, what);
		svm_check_fill(own[g], size, value + g, what);
	}
}

static void test_evict_involved(bool xnack)
{
	size_t size = 16 * svm_page_size();
	struct svm_queue_counters before[SVM_GPUS_MAX], c;
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	char *buf = svm_map(size), *own[SVM_GPUS_MAX];
	struct svm_gpu_cmd cmd;

	open_all(xnack, ctx, q);
	svm_queue_require_counters(&q[0]);
	for (int g = 0; g < ngpus; g++) {
		own[g] = svm_map(size);
		svm_give_access(&ctx[g], own[g], size);
	}
	fill_own(q, own, size, 0x10, "before the eviction");
	/* Only GPU 0 maps buf. */
	svm_give_access(&ctx[0], buf, size);
	cmd = svm_cmd_fill((uintptr_t)buf, size, 0xa);
	svm_queue_exec(&q[0], &cmd, 1, "fill through GPU 0");
	svm_check_fill(buf, size, 0xa, "fill through GPU 0");
	for (int g = 0; g < ngpus; g++)
		svm_queue_counters(&q[g], &before[g]);

	svm_evict_dontneed(buf, size);
	cmd = svm_cmd_fill((uintptr_t)buf, size, 0xb);
	svm_queue_exec(&q[0], &cmd, 1, "fill through GPU 0 after eviction");
	svm_check_fill(buf, size, 0xb, "fill through GPU 0 after eviction");
	fill_own(q, own, size, 0x100, "after the eviction");
	if (xnack) {
		for (int g = 0; g < ngpus; g++) {
			svm_queue_counters(&q[g], &c);
			igt_assert_f(c.quiesce_count == 0,
				     "%s: XNACK on, yet quiesced %u times\n",
				     gpus[g].name, c.quiesce_count);
		}
		svm_queue_counters(&q[0], &c);
		igt_assert_f(c.retry_faults > before[0].retry_faults,
			     "XNACK on: GPU 0 did not refault the evicted buffer\n");
	} else {
		check_quiesced_only(q, before, 0, "eviction of GPU 0's memory");

		/* SET_ATTR dropping the last GPU's PTEs stops that GPU only. */
		for (int g = 0; g < ngpus; g++)
			svm_queue_counters(&q[g], &before[g]);
		svm_set_one(ctx[0].fd, (uintptr_t)own[ngpus - 1], size,
			    AMDGPU_SVM_ATTR_SET_FLAGS, AMDGPU_SVM_FLAG_GPU_RO);
		check_quiesced_only(q, before, ngpus - 1,
				    "SET_ATTR GPU_RO on the last GPU's memory");
		svm_set_one(ctx[0].fd, (uintptr_t)own[ngpus - 1], size,
			    AMDGPU_SVM_ATTR_CLR_FLAGS, AMDGPU_SVM_FLAG_GPU_RO);
		fill_own(q, own, size, 0x200, "after SET_ATTR");
	}
	close_all(ctx, q);
	for (int g = 0; g < ngpus; g++)
		munmap(own[g], size);
	munmap(buf, size);
}

/* Each GPU's quiesces (XNACK off) or retry faults (XNACK on) so far. */
static uint32_t remaps(struct svm_queue *q, bool xnack)
{
	struct svm_queue_counters c;

	svm_queue_counters(q, &c);
	return xnack ? c.retry_faults : c.quiesce_count;
}

static void test_page_tables_lost_one_gpu(bool xnack)
{
	size_t size = 16 * svm_page_size();
	const char *kind = xnack ? "retry faults" : "quiesces";
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	uint32_t before[SVM_GPUS_MAX], now;
	char *own[SVM_GPUS_MAX];
	struct svm_gpu_cmd cmd;
	unsigned int vms;

	igt_require_f(gpus[0].is_virtual,
		      "the page tables are wiped through the virtual GPU's debugfs\n");
	open_all(xnack, ctx, q);
	svm_queue_require_counters(&q[0]);
	for (int g = 0; g < ngpus; g++) {
		own[g] = svm_map(size);
		svm_give_access(&ctx[g], own[g], size);
	}
	fill_own(q, own, size, 0x10, "before the loss");
	for (int g = 0; g < ngpus; g++)
		before[g] = remaps(&q[g], xnack);

	vms = svm_vamdgpu_lose_page_tables(&gpus[0]);
	igt_assert_f(vms >= 1, "%s: no VM lost its page table\n", gpus[0].name);
	svm_queue_check_lost(&q[0]);
	svm_queue_destroy(&q[0]);
	svm_queue_create(&ctx[0], &q[0]);
	for (int g = 1; g < ngpus; g++) {
		struct svm_queue_counters c;

		svm_queue_counters(&q[g], &c);
		igt_assert_f(!c.lost && !c.failed,
			     "%s: its queue is %s after another GPU lost its page tables\n",
			     gpus[g].name, c.lost ? "lost" : "failed");
	}
	fill_own(q, own, size, 0x20, "after the first GPU lost its page tables");
	for (int g = 1; g < ngpus; g++) {
		now = remaps(&q[g], xnack);
		igt_info("%s: %s %u -> %u\n", gpus[g].name, kind, before[g], now);
		igt_assert_f(now == before[g],
			     "%s: %u %s after the first GPU lost its page tables: its mappings were taken too\n",
			     gpus[g].name, now - before[g], kind);
	}
	now = remaps(&q[0], xnack);
	igt_info("%s (new queue): %s %u\n", gpus[0].name, kind, now);
	if (xnack)
		igt_assert_f(now > 0,
			     "%s: its new queue took no fault over its wiped page table\n",
			     gpus[0].name);
	/* A second round: the rebuild is done, nothing is remapped again. */
	cmd = svm_cmd_fill((uintptr_t)own[0], size, 0x30);
	svm_queue_exec(&q[0], &cmd, 1, "second fill through the first GPU");
	svm_check_fill(own[0], size, 0x30, "second fill through the first GPU");
	igt_assert_eq_u32(remaps(&q[0], xnack), now);
	close_all(ctx, q);
	for (int g = 0; g < ngpus; g++)
		munmap(own[g], size);
}

static void test_shared_range(bool xnack)
{
	enum { ROUNDS = 64, ADDS = 16 };
	size_t page = svm_page_size(), size = 16 * page;
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	uint64_t seqno[SVM_GPUS_MAX], *counter;
	struct svm_gpu_cmd cmds[ADDS + 1];
	char *buf = svm_map(size);
	bool held = true;

	memset(buf, 0, size);
	counter = (uint64_t *)buf;
	open_all(xnack, ctx, q);
	for (int g = 0; g < ngpus; g++) {
		svm_give_access(&ctx[g], buf, size);
		held &= gpus[g].is_virtual;
	}
	/* Virtual GPUs run nothing until every submission is in. */
	for (int g = 0; held && g < ngpus; g++)
		vamdgpu_quiesce(ctx[g].fd);
	for (int i = 0; i < ROUNDS; i++)
		for (int g = 0; g < ngpus; g++) {
			for (int a = 0; a < ADDS; a++)
				cmds[a] = svm_cmd_atomic_add((uintptr_t)counter, 1);
			cmds[ADDS] = svm_cmd_write((uintptr_t)buf + (1 + g) * page +
						   i * 8, (uint64_t)g << 32 | i, 8);
			seqno[g] = svm_queue_submit(&q[g], cmds, ADDS + 1);
		}
	for (int g = 0; held && g < ngpus; g++)
		vamdgpu_resume(ctx[g].fd);
	for (int g = 0; g < ngpus; g++)
		svm_queue_wait(&q[g], seqno[g], "atomics and writes on one range");
	igt_assert_f(*counter == (uint64_t)ROUNDS * ADDS * ngpus,
		     "shared counter at %p: expected %d adds from %d GPUs, got %" PRIu64 "\n",
		     (void *)counter, ROUNDS * ADDS * ngpus, ngpus, *counter);
	for (int g = 0; g < ngpus; g++)
		for (int i = 0; i < ROUNDS; i++) {
			uint64_t *slot = (uint64_t *)(buf + (1 + g) * page + i * 8);

			igt_assert_f(*slot == ((uint64_t)g << 32 | i),
				     "%s: write %d at %p: expected 0x%" PRIx64 ", got 0x%" PRIx64 "\n",
				     gpus[g].name, i, (void *)slot,
				     (uint64_t)g << 32 | i, *slot);
		}
	close_all(ctx, q);
	munmap(buf, size);
}

static void test_one_truth(bool xnack)
{
	size_t size = 8 * svm_page_size();
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	char *buf = svm_map(size);
	uint64_t start = (uintptr_t)buf;

	open_all(xnack, ctx, q);
	/* Each GPU joins the process's SVM at its first SVM call. */
	for (int g = 0; g < ngpus; g++)
		svm_get_one(ctx[g].fd, start, size, AMDGPU_SVM_ATTR_GRANULARITY);
	for (int setter = 0; setter < ngpus; setter++) {
		uint32_t loc = gpus[(setter + 1) % ngpus].gpu_id;

		svm_set_one(ctx[setter].fd, start, size,
			    AMDGPU_SVM_ATTR_PREFERRED_LOC, loc);
		svm_set_one(ctx[setter].fd, start, size, AMDGPU_SVM_ATTR_ACCESS,
			    gpus[setter].gpu_id);
		for (int g = 0; g < ngpus; g++) {
			igt_assert_f(svm_get_one(ctx[g].fd, start, size,
						 AMDGPU_SVM_ATTR_PREFERRED_LOC) == loc,
				     "preferred location set through %s reads otherwise through %s\n",
				     gpus[setter].name, gpus[g].name);
			igt_assert_f(svm_get_access(ctx[g].fd, start, size,
						    gpus[setter].gpu_id) ==
				     AMDGPU_SVM_ATTR_ACCESS,
				     "access for %s set through its node reads otherwise through %s\n",
				     gpus[setter].name, gpus[g].name);
		}
	}
	igt_assert_eq(munmap(buf, size), 0);
	igt_assert(mmap(buf, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == buf);
	for (int g = 0; g < ngpus; g++)
		igt_assert_f(svm_get_one(ctx[g].fd, start, size,
					 AMDGPU_SVM_ATTR_PREFERRED_LOC) ==
			     AMDGPU_SVM_LOCATION_UNDEFINED,
			     "after munmap %s still reads a preferred location\n",
			     gpus[g].name);
	close_all(ctx, q);
	munmap(buf, size);
}

/*
 * In a fresh process (a child, whose SVM knows no GPU yet): attributes on
 * @buf through the first GPU, then the second GPU joins and copies @buf.
 */
static void test_default_access_late_gpu(bool xnack)
{
	size_t size = 16 * svm_page_size();
	char *buf = svm_map(size), *dst = svm_map(size);

	igt_require_f(xnack, "XNACK off has no default access\n");
	svm_pattern_fill(buf, size, 41);
	igt_fork(child, 1) {
		struct svm_ctx first, late;
		struct svm_gpu_cmd cmd = svm_cmd_copy((uintptr_t)dst,
						      (uintptr_t)buf, size);
		struct svm_queue q;

		svm_ctx_open(&gpus[0], true, &first);
		svm_set_one(first.fd, (uintptr_t)buf, size,
			    AMDGPU_SVM_ATTR_GRANULARITY, 4);
		svm_set_one(first.fd, (uintptr_t)buf, size,
			    AMDGPU_SVM_ATTR_ACCESS, gpus[0].gpu_id);
		svm_ctx_open(&gpus[1], true, &late);
		igt_assert_f(svm_get_access(late.fd, (uintptr_t)buf, size,
					    gpus[1].gpu_id) == AMDGPU_SVM_ATTR_ACCESS,
			     "%s, opened after SET_ATTR, has no default access to the buffer\n",
			     gpus[1].name);
		svm_queue_create(&late, &q);
		svm_queue_exec(&q, &cmd, 1, "copy by the GPU opened after SET_ATTR");
		svm_pattern_check(dst, size, 41, 0,
				  "copy by the GPU opened after SET_ATTR");
		svm_queue_destroy(&q);
		svm_ctx_close(&late);
		svm_ctx_close(&first);
	}
	igt_waitchildren();
	munmap(buf, size);
	munmap(dst, size);
}

static void test_access_before_svm_call(bool xnack)
{
	size_t size = 16 * svm_page_size();
	char *buf = svm_map(size), *dst = svm_map(size);

	igt_require_f(virtual_gpus, "amdgpu joins a GPU at its fd's first SVM call\n");
	svm_pattern_fill(buf, size, 43);
	igt_fork(child, 1) {
		struct svm_ctx first, second = { .gpu = &gpus[1], .xnack = xnack };
		struct svm_gpu_cmd cmd = svm_cmd_copy((uintptr_t)dst,
						      (uintptr_t)buf, size);
		struct svm_queue q;
		char path[64];
		int ret;

		svm_ctx_open(&gpus[0], xnack, &first);
		/* The second GPU opened, no SVM call through it. */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", gpus[1].fd);
		second.fd = open(path, O_RDWR | O_CLOEXEC);
		igt_assert_f(second.fd >= 0, "reopening %s: %m\n", gpus[1].name);
		ret = __svm_set_attr(first.fd, (uintptr_t)buf, size,
				     &(struct drm_amdgpu_svm_attribute){
					AMDGPU_SVM_ATTR_ACCESS, gpus[1].gpu_id }, 1);
		igt_assert_f(ret == 0,
			     "ACCESS for %s, opened but without an SVM call of its own: %d (%s)\n",
			     gpus[1].name, ret, strerror(-ret));
		svm_set_one(first.fd, (uintptr_t)dst, size, AMDGPU_SVM_ATTR_ACCESS,
			    gpus[1].gpu_id);
		svm_queue_create(&second, &q);
		svm_queue_exec(&q, &cmd, 1, "copy by the GPU without an SVM call");
		svm_pattern_check(dst, size, 43, 0,
				  "copy by the GPU without an SVM call");
		svm_queue_destroy(&q);
		close(second.fd);
		svm_ctx_close(&first);
	}
	igt_waitchildren();
	munmap(buf, size);
	munmap(dst, size);
}

/*
 * GPU @bad refuses its PTE updates during a SET_ATTR that takes write
 * access away from every GPU (with XNACK on, GPU_ALWAYS_MAPPED makes the
 * call map, so that it has something to fail).
 */
static void set_attr_while_gpu_fails(bool xnack, int bad)
{
	enum { REFUSALS = 1000 };
	size_t size = 16 * svm_page_size();
	uint32_t flags = AMDGPU_SVM_FLAG_GPU_RO |
			 (xnack ? AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED : 0);
	struct drm_amdgpu_svm_attribute ro = { AMDGPU_SVM_ATTR_SET_FLAGS, flags };
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	char *buf = svm_map(size);
	struct svm_gpu_cmd cmd;
	unsigned int left;
	int ret;

	open_all(xnack, ctx, q);
	for (int g = 0; g < ngpus; g++) {
		svm_give_access(&ctx[g], buf, size);
		cmd = svm_cmd_fill((uintptr_t)buf, size, 0x10 + g);
		svm_queue_exec(&q[g], &cmd, 1, "fill while writable");
	}
	svm_check_fill(buf, size, 0x10 + ngpus - 1, "fills while writable");

	svm_vamdgpu_fail_pte_updates(&gpus[bad], REFUSALS);
	ret = __svm_set_attr_once(ctx[0].fd, (uintptr_t)buf, size, &ro, 1);
	left = svm_vamdgpu_pte_failures_left(&gpus[bad]);
	svm_vamdgpu_fail_pte_updates(&gpus[bad], 0);
	igt_assert_f(left < REFUSALS,
		     "%s: SET_ATTR GPU_RO never tried to update its PTEs\n",
		     gpus[bad].name);
	igt_assert_f(ret == -EAGAIN,
		     "SET_ATTR GPU_RO with %s refusing PTE updates: %d (%s), expected -EAGAIN\n",
		     gpus[bad].name, ret, strerror(-ret));

	for (int g = 0; g < ngpus; g++) {
		if (g == bad)
			continue;
		cmd = svm_cmd_write((uintptr_t)buf, 0xbad, 4);
		ret = __svm_queue_wait(&q[g], svm_queue_submit(&q[g], &cmd, 1),
				       SVM_GPU_TIMEOUT_NS);
		igt_assert_f(ret == -EIO,
			     "%s wrote to a GPU_RO buffer after SET_ATTR failed on %s: wait %d, expected a VM fault (EIO)\n",
			     gpus[g].name, gpus[bad].name, ret);
	}
	svm_check_fill(buf, size, 0x10 + ngpus - 1,
		       "buffer after writes to it were refused");
	close_all(ctx, q);
	munmap(buf, size);
}

static void test_set_attr_one_gpu_fails(bool xnack)
{
	igt_require_f(virtual_gpus,
		      "refusing PTE updates needs the virtual GPU's debugfs\n");
	set_attr_while_gpu_fails(xnack, 0);
	set_attr_while_gpu_fails(xnack, ngpus - 1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A queue on any one GPU of the process refuses every XNACK change, through
 * every GPU's file, in both directions and even to the mode in force (as
 * KFD); with no queue left the change goes through.
 */
static void test_xnack_change_refused(bool xnack)
{
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q;
	int mode, ret;

	igt_require_f(virtual_gpus,
		      "on amdgpu the mode changes through KFD's AMDKFD_IOC_SET_XNACK_MODE, which this test does not drive\n");
	for (int g = 0; g < ngpus; g++)
		svm_ctx_open(&gpus[g], xnack, &ctx[g]);

	for (int g = 0; g < ngpus; g++) {
		svm_queue_create(&ctx[g], &q);
		for (int h = 0; h < ngpus; h++) {
			for (int to = 0; to <= 1; to++) {
				/* A GPU that cannot retry faults refuses "on" first. */
				if (to && !gpus[h].xnack_capable)
					continue;
				mode = to;
				ret = __vamdgpu_set_xnack(ctx[h].fd, &mode);
				igt_assert_f(ret == -EBUSY,
					     "XNACK %s -> %s through %s while %s has a queue: %d (%s), expected -EBUSY\n",
					     xnack ? "on" : "off", to ? "on" : "off",
					     gpus[h].name, gpus[g].name, ret,
					     strerror(-ret));
			}
		}
		svm_queue_destroy(&q);
	}

	/* No queue left: the change goes through, and back. */
	if (xnack || all_xnack_capable()) {
		vamdgpu_set_xnack(ctx[ngpus - 1].fd, !xnack);
		vamdgpu_set_xnack(ctx[0].fd, xnack);
	}
	for (int g = 0; g < ngpus; g++)
		svm_ctx_close(&ctx[g]);
}

/* Pages of a 2 MiB buffer for the two-GPU migration subtests. */
#define MIGRATE_SIZE	(2u << 20)

static void require_vram(const struct svm_gpu *gpu)
{
	igt_require_f(gpu->vram_size, "%s has no VRAM to migrate to\n",
		      gpu->name);
}

static void assert_vram_pages(const void *buf, size_t expected,
			      const char *what)
{
	size_t got = svm_vram_pages(buf, MIGRATE_SIZE);

	igt_assert_f(got == expected, "%s: %zu of %zu pages in VRAM, expected %zu\n",
		     what, got, MIGRATE_SIZE / svm_page_size(), expected);
}

static void test_access_in_place_two(bool xnack)
{
	size_t npages = MIGRATE_SIZE / svm_page_size(), half = MIGRATE_SIZE / 2;
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	uint32_t *buf = svm_map_aligned(MIGRATE_SIZE, MIGRATE_SIZE);
	char *dst = svm_map(MIGRATE_SIZE);
	struct svm_gpu_cmd cmd;

	require_vram(&gpus[0]);
	open_all(xnack, ctx, q);
	svm_pattern_fill(buf, MIGRATE_SIZE, 61);
	svm_set_one(ctx[0].fd, (uintptr_t)buf, MIGRATE_SIZE,
		    AMDGPU_SVM_ATTR_ACCESS_IN_PLACE, gpus[0].gpu_id);
	svm_set_one(ctx[0].fd, (uintptr_t)buf, MIGRATE_SIZE,
		    AMDGPU_SVM_ATTR_PREFETCH_LOC, gpus[0].gpu_id);
	assert_vram_pages(buf, npages, "after the prefetch to the first GPU");

	/* The CPU touches every page: they come back to system memory. */
	for (size_t i = 0; i < MIGRATE_SIZE / 4; i += svm_page_size() / 4)
		buf[i] = 0xc0de0000u | i;
	assert_vram_pages(buf, 0, "after the CPU touched every page");

	/* PREFETCH_LOC still names the first GPU: VRAM the second cannot reach. */
	svm_set_one(ctx[1].fd, (uintptr_t)buf, MIGRATE_SIZE,
		    AMDGPU_SVM_ATTR_ACCESS_IN_PLACE, gpus[1].gpu_id);
	assert_vram_pages(buf, 0,
			  "after the second GPU got in-place access (no peer path to the first GPU's VRAM)");
	cmd = svm_cmd_fill((uintptr_t)buf, half, 0x11111111);
	svm_queue_exec(&q[0], &cmd, 1, "first GPU's in-place fill");
	cmd = svm_cmd_fill((uintptr_t)buf + half, half, 0x22222222);
	svm_queue_exec(&q[1], &cmd, 1, "second GPU's in-place fill");
	assert_vram_pages(buf, 0,
			  "after both GPUs filled it with ACCESS_IN_PLACE (their access must not migrate)");

	memset(dst, 0, MIGRATE_SIZE);
	svm_give_access(&ctx[1], dst, MIGRATE_SIZE);
	cmd = svm_cmd_copy((uintptr_t)dst, (uintptr_t)buf, MIGRATE_SIZE);
	svm_queue_exec(&q[1], &cmd, 1, "second GPU's copy of both fills");
	svm_check_fill(dst, half, 0x11111111, "the first GPU's fill, on the second GPU");
	svm_check_fill(dst + half, half, 0x22222222, "the second GPU's fill, on itself");
	svm_check_fill(buf, half, 0x11111111, "the first GPU's fill, on the CPU");
	svm_check_fill((char *)buf + half, half, 0x22222222,
		       "the second GPU's fill, on the CPU");
	munmap(buf, MIGRATE_SIZE);
	munmap(dst, MIGRATE_SIZE);
	close_all(ctx, q);
}

static void test_second_gpu_fault_migrates(bool xnack)
{
	size_t npages = MIGRATE_SIZE / svm_page_size();
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	char *buf = svm_map_aligned(MIGRATE_SIZE, MIGRATE_SIZE);
	char *dst = svm_map(MIGRATE_SIZE);
	uint64_t used0, used1, now0, now1;
	struct svm_gpu_cmd cmd;

	igt_require_f(xnack, "XNACK off: SET_ATTR places the pages, no GPU fault moves them\n");
	require_vram(&gpus[0]);
	require_vram(&gpus[1]);
	open_all(xnack, ctx, q);
	svm_pattern_fill(buf, MIGRATE_SIZE, 67);
	cmd = svm_cmd_copy((uintptr_t)dst, (uintptr_t)buf, MIGRATE_SIZE);

	svm_set_one(ctx[0].fd, (uintptr_t)buf, MIGRATE_SIZE,
		    AMDGPU_SVM_ATTR_PREFERRED_LOC, gpus[0].gpu_id);
	used0 = svm_gpu_vram_used(&gpus[0]);
	svm_queue_exec(&q[0], &cmd, 1, "first GPU's copy, faulting the buffer in");
	svm_pattern_check(dst, MIGRATE_SIZE, 67, 0, "the first GPU's copy");
	assert_vram_pages(buf, npages, "after the first GPU's faults");
	igt_assert_f(svm_gpu_vram_used(&gpus[0]) >= used0 + MIGRATE_SIZE,
		     "the first GPU's VRAM did not take the buffer\n");

	svm_set_one(ctx[1].fd, (uintptr_t)buf, MIGRATE_SIZE,
		    AMDGPU_SVM_ATTR_PREFERRED_LOC, gpus[1].gpu_id);
	assert_vram_pages(buf, npages, "XNACK on: SET_ATTR moves nothing");
	used1 = svm_gpu_vram_used(&gpus[1]);
	memset(dst, 0, MIGRATE_SIZE);
	svm_queue_exec(&q[1], &cmd, 1, "second GPU's copy, faulting the buffer in");
	svm_pattern_check(dst, MIGRATE_SIZE, 67, 0, "the second GPU's copy");
	assert_vram_pages(buf, npages, "after the second GPU's faults");
	now1 = svm_gpu_vram_used(&gpus[1]);
	now0 = svm_gpu_vram_used_settled(&gpus[0], used0 + MIGRATE_SIZE - 1);
	igt_assert_f(now1 >= used1 + MIGRATE_SIZE && now0 < used0 + MIGRATE_SIZE,
		     "the second GPU's faults did not move the buffer from the first GPU's VRAM to its own: used %" PRIu64 " -> %" PRIu64 " and %" PRIu64 " -> %" PRIu64 "\n",
		     used0, now0, used1, now1);
	svm_pattern_check(buf, MIGRATE_SIZE, 67, 0, "the CPU's read after two migrations");
	munmap(buf, MIGRATE_SIZE);
	munmap(dst, MIGRATE_SIZE);
	close_all(ctx, q);
}

enum { RACE_CHUNKS = 4, RACE_RUNS = 32 };
#define RACE_CHUNK	(2ul << 20)

/*
 * walk-shared-race: one chunk's huge page dropped once (MADV_DONTNEED)
 * while the GPUs map the buffer. A decoy buffer is touched first, so that
 * it rather than the chunk's next fault gets the freed page, then the
 * chunk gets a new value: a GPU that mapped the old page reads the
 * decoy's data, the old data, or a freed page (the virtual GPU faults).
 */
struct chunk_change {
	char *buf;
	char *decoy;
	unsigned int delay_us;
	unsigned int chunk;
	char value;
	int err;
	double at;
};

static void *change_chunk(void *arg)
{
	struct chunk_change *c = arg;
	char *p = c->buf + c->chunk * RACE_CHUNK;

	usleep(c->delay_us);
	c->at = now();
	if (madvise(p, RACE_CHUNK, MADV_DONTNEED)) {
		c->err = errno;
		return NULL;
	}
	memset(c->decoy, 0xee, RACE_CHUNK);
	memset(p, c->value, RACE_CHUNK);
	return NULL;
}

static void test_walk_shared_race(bool xnack)
{
	size_t size = RACE_CHUNKS * RACE_CHUNK;
	struct drm_amdgpu_svm_attribute attrs[SVM_GPUS_MAX + 1];
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	char *dst[SVM_GPUS_MAX];
	unsigned int span_us = 1000, inside = 0;
	int nattr = 0;

	open_all(xnack, ctx, q);
	for (int g = 0; g < ngpus; g++) {
		dst[g] = svm_map(size);
		memset(dst[g], 0, size);
		svm_give_access(&ctx[g], dst[g], size);
		attrs[nattr++] = (struct drm_amdgpu_svm_attribute){
			AMDGPU_SVM_ATTR_ACCESS, gpus[g].gpu_id };
	}
	/* With XNACK on, SET_ATTR maps only what is to stay mapped. */
	if (xnack)
		attrs[nattr++] = (struct drm_amdgpu_svm_attribute){
			AMDGPU_SVM_ATTR_SET_FLAGS,
			AMDGPU_SVM_FLAG_GPU_ALWAYS_MAPPED };
	srand(getpid());
	for (int run = 0; run < RACE_RUNS; run++) {
		char *buf = svm_map_aligned(size, RACE_CHUNK);
		struct chunk_change change = {
			.buf = buf,
			.decoy = svm_map_aligned(RACE_CHUNK, RACE_CHUNK),
			.delay_us = rand() % span_us,
			.chunk = rand() % RACE_CHUNKS,
			.value = 2 + run % 100,
		};
		pthread_t thread;
		double t0, t1;

		igt_assert_eq(madvise(buf, size, MADV_HUGEPAGE), 0);
		igt_assert_eq(madvise(change.decoy, RACE_CHUNK, MADV_HUGEPAGE), 0);
		memset(buf, 1, size);
		igt_assert_eq(pthread_create(&thread, NULL, change_chunk,
					     &change), 0);
		t0 = now();
		svm_set_attr(ctx[0].fd, (uintptr_t)buf, size, attrs, nattr);
		t1 = now();
		/* Spread the change over the time one SET_ATTR takes. */
		span_us = (t1 - t0) * 1e6 + 1;
		igt_assert_eq(pthread_join(thread, NULL), 0);
		inside += change.at >= t0 && change.at <= t1;
		igt_assert_f(!change.err, "MADV_DONTNEED: %s\n",
			     strerror(change.err));
		for (int g = 0; g < ngpus; g++) {
			struct svm_gpu_cmd cmd = svm_cmd_copy((uintptr_t)dst[g],
							      (uintptr_t)buf,
							      size);

			svm_queue_exec(&q[g], &cmd, 1, "copy of the buffer");
			for (unsigned int k = 0; k < RACE_CHUNKS; k++)
				svm_check_fill(dst[g] + k * RACE_CHUNK,
					       RACE_CHUNK,
					       (k == change.chunk ?
						change.value : 1) * 0x01010101u,
					       "a GPU's copy of a chunk");
		}
		munmap(change.decoy, RACE_CHUNK);
		munmap(buf, size);
	}
	for (int g = 0; g < ngpus; g++)
		munmap(dst[g], size);
	close_all(ctx, q);
	igt_info("%u of %d runs dropped the page while SET_ATTR ran\n", inside,
		 RACE_RUNS);
	igt_skip_on_f(!inside,
		      "no run dropped the page while SET_ATTR ran: the race was not met\n");
}

/* Quiesces so far of the GPUs from @first on (0 where none are counted). */
static unsigned int quiesces_from(struct svm_queue *q, int first)
{
	struct svm_queue_counters c;
	unsigned int n = 0;

	for (int g = first; g < ngpus; g++)
		if (svm_queue_has_counters(&q[g])) {
			svm_queue_counters(&q[g], &c);
			n += c.quiesce_count;
		}
	return n;
}

/* Times (ms) of one map-cost run and the quiesces it caused elsewhere. */
struct map_cost {
	double map, one_call, evict_restore;
	unsigned int others;
};

/* One run of map-cost: @size bytes on the first @n GPUs. */
static struct map_cost map_cost_run(struct svm_ctx *ctx, struct svm_queue *q,
				    size_t size, int n)
{
	struct drm_amdgpu_svm_attribute access[SVM_GPUS_MAX];
	char *buf = svm_map_aligned(size, 2 << 20);
	char *one = svm_map_aligned(size, 2 << 20);
	struct svm_gpu_cmd cmd;
	struct map_cost c;
	double t0, t1, t2, t3, t4;

	memset(buf, 1, size);
	memset(one, 1, size);
	t0 = now();
	for (int g = 0; g < n; g++)
		svm_set_one(ctx[0].fd, (uintptr_t)buf, size,
			    AMDGPU_SVM_ATTR_ACCESS, gpus[g].gpu_id);
	t1 = now();
	/* The same, as a runtime sets it: one call naming every GPU. */
	for (int g = 0; g < n; g++)
		access[g] = (struct drm_amdgpu_svm_attribute){
			AMDGPU_SVM_ATTR_ACCESS, gpus[g].gpu_id };
	svm_set_attr(ctx[0].fd, (uintptr_t)one, size, access, n);
	t4 = now();
	munmap(one, size);
	c.others = quiesces_from(q, n);
	svm_evict_dontneed(buf, size);
	t2 = now();
	cmd = svm_cmd_write((uintptr_t)buf, 1, 4);
	svm_queue_exec(&q[0], &cmd, 1, "write after eviction");
	t3 = now();
	c.others = quiesces_from(q, n) - c.others;
	munmap(buf, size);
	c.map = (t1 - t0) * 1e3;
	c.one_call = (t4 - t1) * 1e3;
	c.evict_restore = (t3 - t2) * 1e3;
	return c;
}

/*
 * One row of map-cost: the best of 3 runs, every quiesce counted, with
 * the ratios to the 1-GPU row @one (this row's own figures when n is 1).
 */
static struct map_cost map_cost_row(struct svm_ctx *ctx, struct svm_queue *q,
				    size_t size, int n, bool counted,
				    const struct map_cost *one)
{
	struct map_cost best = {};
	char quiesces[16];

	for (int r = 0; r < 3; r++) {
		struct map_cost c = map_cost_run(ctx, q, size, n);

		if (!r || c.map < best.map)
			best.map = c.map;
		if (!r || c.one_call < best.one_call)
			best.one_call = c.one_call;
		if (!r || c.evict_restore < best.evict_restore)
			best.evict_restore = c.evict_restore;
		best.others += c.others;
	}
	if (counted)
		snprintf(quiesces, sizeof(quiesces), "%u", best.others);
	else
		snprintf(quiesces, sizeof(quiesces), "not counted");
	if (!one)
		one = &best;
	igt_info("%-5zu %-5d %-9.1f %-6.2f %-9.1f %-6.2f %-9.1f %-6.2f %s\n",
		 size >> 20, n, best.map, best.map / one->map, best.one_call,
		 best.one_call / one->one_call, best.evict_restore,
		 best.evict_restore / one->evict_restore, quiesces);
	return best;
}

static void test_map_cost(bool xnack)
{
	static const size_t sizes[] = { 64ul << 20, 256ul << 20 };
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	bool counted;
	char *warm;

	igt_require_f(!xnack, "XNACK on maps lazily: nothing to time\n");
	open_all(xnack, ctx, q);
	counted = svm_queue_has_counters(&q[0]);
	/* Each GPU joins the process's SVM at its first SVM call. */
	for (int g = 0; g < ngpus; g++)
		svm_get_one(ctx[g].fd, (uintptr_t)&counted & ~(uintptr_t)4095,
			    4096, AMDGPU_SVM_ATTR_GRANULARITY);
	/*
	 * Untimed: the first mapping of the process also makes the
	 * notifiers and page-table leaves later rows reuse.
	 */
	warm = svm_map_aligned(sizes[0], 2 << 20);
	memset(warm, 1, sizes[0]);
	for (int g = 0; g < ngpus; g++)
		svm_set_one(ctx[0].fd, (uintptr_t)warm, sizes[0],
			    AMDGPU_SVM_ATTR_ACCESS, gpus[g].gpu_id);
	munmap(warm, sizes[0]);
	igt_info("best of 3 runs (ms), each with its ratio to 1 GPU (goal: at most 1.5 for 4); quiesces: all 3 runs\n");
	igt_info("%-5s %-5s %-16s %-16s %-16s %s\n", "MiB", "gpus",
		 "a call per GPU", "one call", "evict+restore",
		 "quiesces of the other GPUs");
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct map_cost one = map_cost_row(ctx, q, sizes[i], 1,
						   counted, NULL);

		for (int n = 2; n <= ngpus; n++)
			map_cost_row(ctx, q, sizes[i], n, counted, &one);
	}
	close_all(ctx, q);
}

static const struct {
	const char *name;
	void (*fn)(bool xnack);
	const char *desc;
} subtests[] = {
	{ "evict-quiesces-involved", test_evict_involved,
	  "XNACK off: an eviction of memory only the first GPU maps quiesces the first GPU's queues and no other GPU's, and a SET_ATTR that drops the last GPU's PTEs quiesces only the last GPU; each is resumed as often, and every GPU then runs again. XNACK on: nothing is quiesced and the first GPU refaults." },
	{ "shared-range-concurrent", test_shared_range,
	  "Every GPU works on one range at once: atomic adds on one counter and writes to slots of its own, submitted to all GPUs before any runs (virtual GPUs are held quiesced until then); the counter holds every add and every slot its value." },
	{ "attributes-one-truth", test_one_truth,
	  "Attributes set through one GPU's node read the same through every other; a later SET through another GPU replaces them for all; munmap clears them for all." },
	{ "access-before-svm-call", test_access_before_svm_call,
	  "A GPU the process opened is a valid ACCESS target before its own fd made any SVM call (virtual GPU: it joins at open), and a queue of that fd then runs on the memory without a VM fault." },
	{ "default-access-late-gpu", test_default_access_late_gpu,
	  "XNACK on: a GPU the process opens after attributes were set on a buffer (without naming that GPU) can access the buffer, as it can any memory without attributes: the default access is not frozen at SET_ATTR time." },
	{ "set-attr-one-gpu-fails", test_set_attr_one_gpu_fails,
	  "SET_ATTR making a buffer GPU read-only while one GPU's PTE updates are refused: the call returns the error, and every other GPU has still lost write access (a write there is a VM fault, the data stays); the first and then the last GPU fail." },
	{ "xnack-change-refused", test_xnack_change_refused,
	  "A queue on any one GPU of the process makes every XNACK change fail with EBUSY, through every GPU's file, in both directions and even to the mode in force (as KFD); with no queue left the change goes through and back." },
	{ "access-in-place-two-gpus", test_access_in_place_two,
	  "A buffer the first GPU may access in place is prefetched into its VRAM, the CPU touches every page (they come back), the second GPU gets in-place access too (the pages stay in system memory, which both reach), and each GPU fills half of it: no page moves back to VRAM for either GPU's access, the second GPU and the CPU read both fills." },
	{ "second-gpu-fault-migrates", test_second_gpu_fault_migrates,
	  "XNACK on: a buffer preferring the first GPU moves into its VRAM at that GPU's faults; once it prefers the second GPU, the second GPU's faults move it into the second GPU's VRAM (through system memory), with its data, and the first GPU's VRAM is freed." },
	{ "walk-shared-race", test_walk_shared_race,
	  "One SET_ATTR maps a buffer of huge pages on every GPU while another thread, after a random delay, drops the huge page of one 2 MiB chunk (MADV_DONTNEED), makes a decoy buffer take the freed page and writes a new value to the chunk: the GPUs after the first must not map the pages the first GPU's page walk found if the chunk changed since (each GPU then copies the buffer, and every chunk holds its last value, without a VM fault), 32 times; skips when no drop landed while SET_ATTR ran." },
	{ "page-tables-lost-one-gpu", test_page_tables_lost_one_gpu,
	  "Virtual GPUs: the first GPU loses its page tables (a reset of that GPU that lost VRAM) while every GPU maps memory of the process: only the first GPU's queue is lost; every other GPU keeps its queue and its mappings (XNACK off: not quiesced by the first GPU's rebuild; XNACK on: no fault) and its work runs right, and the first GPU's new queue finds its memory mapped again." },
	{ "map-cost", test_map_cost,
	  "Time of SET_ATTR mapping 64 MiB and 256 MiB (XNACK off) on 1, 2, ... GPUs of one process, one call per GPU and one call naming them all, and of a CPU eviction of it, with the quiesces the eviction caused on the GPUs that do not map it: the per-GPU cost of one drm_gpusvm instance per GPU, printed as a table (best of 3)." },
};

static void run_topologies(void (*fn)(bool xnack))
{
	unsigned int n = virtual_gpus ? ARRAY_SIZE(topologies) : 1;

	for (unsigned int t = 0; t < n; t++) {
		const struct topology *topo = &topologies[t];
		bool capable = !strstr(topo->devices, "gfx1100");

		for (int x = 0; x <= 1; x++) {
			if (!svm_xnack_wanted(x))
				continue;
			igt_dynamic_f("%s-xnack-%s",
				      virtual_gpus ? topo->name : "machine",
				      x ? "on" : "off") {
				igt_require_f(!x || !virtual_gpus || capable,
					      "gfx1100 cannot run with XNACK on\n");
				igt_require_f(topology_open(topo),
					      "needs two GPUs, the machine has %d\n",
					      ngpus);
				igt_require_f(!x || all_xnack_capable(),
					      "a GPU of the machine cannot run XNACK on\n");
				fn(x);
			}
		}
	}
}

int igt_main()
{
	igt_fixture() {
		ngpus = svm_gpus_require(gpus);
		virtual_gpus = gpus[0].is_virtual;
		if (virtual_gpus)
			igt_assert_eq(svm_vamdgpu_devices(original_devices,
							  sizeof(original_devices)), 0);
	}

	for (unsigned int s = 0; s < ARRAY_SIZE(subtests); s++) {
		igt_describe(subtests[s].desc);
		igt_subtest_with_dynamic(subtests[s].name)
			run_topologies(subtests[s].fn);
	}

	igt_fixture() {
		svm_ctxs_close_leaked();
		svm_gpus_close(gpus, ngpus);
		ngpus = 0;
		if (virtual_gpus)
			svm_vamdgpu_load(original_devices);
	}
}
