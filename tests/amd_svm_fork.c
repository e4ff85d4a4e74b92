// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm fork
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM fork
 * Functionality: fork with live GPU mappings: copy-on-write stays coherent
 *	with the GPU, the child never shares the parent's GPU view
 * Description: fork() write-protects the parent's pages; the first write
 *	after it gives one side a new page. The GPU must follow the parent's
 *	pages and never see the child's. Every subtest runs per GPU and XNACK
 *	mode (dynamic subtests gpuN-TARGET-xnack-on/off).
 *
 * SUBTEST: cow-after-fork
 * Description: After fork, the parent's CPU write breaks copy-on-write;
 *	the GPU then reads the parent's new data, not the child's old page.
 *
 * SUBTEST: child-writes-invisible
 * Description: The child overwrites its copy of a GPU-mapped buffer; the
 *	parent's GPU still reads the parent's data, and a GPU fill by the
 *	parent never reaches the child's copy.
 *
 * SUBTEST: fork-while-queue-runs
 * Description: The parent forks while its queue runs a stream of GPU
 *	writes over mapped memory and the child writes its copy: every GPU
 *	write lands in the parent's memory, none is lost, the child's copy
 *	holds those done before the fork and none started after it, and the
 *	queue never faults; skips when the queue was done before the fork.
 *
 * SUBTEST: child-inherited-fd-refused
 * Description: A forked child holding its parent's fd can neither make
 *	an SVM call (-EBADF), nor create a queue (virtual GPU) or submit on
 *	its parent's queue: nothing reaches the parent's memory or VM.
 *
 * SUBTEST: gpu-write-after-fork-vram
 * Description: The buffer sits in VRAM when the parent forks; the
 *	parent's GPU fill after fork reaches the parent's memory and never
 *	the child's snapshot (fork made the device pages shared and
 *	read-only: the GPU must not keep writing them).
 *
 * SUBTEST: gpu-write-after-fork-vram-thp
 * Description: gpu-write-after-fork-vram on a 2 MiB transparent huge
 *	page prefetched whole, so that VRAM holds it as one device-private
 *	huge page when the parent forks.
 *
 * SUBTEST: vram-evict-after-parent-exit
 * Description: A process prefetches a buffer into VRAM, forks and exits;
 *	its child still maps the VRAM pages (copy-on-write). Evicting all
 *	VRAM (as suspend does) must move them to system memory with their
 *	data, although the process that migrated them is gone.
 *
 * SUBTEST: vram-evict-after-parent-exit-thp
 * Description: vram-evict-after-parent-exit on a 2 MiB transparent huge
 *	page prefetched whole: the child maps one device-private huge page.
 *
 * SUBTEST: child-opens-device
 * Description: The child opens the GPU itself and maps its own memory:
 *	its GPU writes reach its pages, and the parent's GPU view is
 *	untouched by them.
 */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_evict.h"
#include "svm_gpu.h"
#include "svm_handshake.h"

#define NPAGES	16

struct setup {
	struct svm_ctx ctx;
	struct svm_queue q;
	char *buf, *dst;
	size_t size;
};

/* A context and queue with @buf (pattern @seed) and @dst mapped. */
static void setup(struct setup *s, struct svm_gpu *gpu, bool xnack,
		  uint32_t seed)
{
	s->size = NPAGES * svm_page_size();
	svm_ctx_open(gpu, xnack, &s->ctx);
	s->buf = svm_map(s->size);
	s->dst = svm_map(s->size);
	svm_pattern_fill(s->buf, s->size, seed);
	svm_give_access(&s->ctx, s->buf, s->size);
	svm_give_access(&s->ctx, s->dst, s->size);
	svm_queue_create(&s->ctx, &s->q);
}

static void teardown(struct setup *s)
{
	svm_queue_destroy(&s->q);
	munmap(s->buf, s->size);
	munmap(s->dst, s->size);
	svm_ctx_close(&s->ctx);
}

/* The GPU copies buf to dst; dst must hold pattern @seed. */
static void gpu_sees(struct setup *s, uint32_t seed, const char *what)
{
	struct svm_gpu_cmd cmd = svm_cmd_copy((uintptr_t)s->dst,
					      (uintptr_t)s->buf, s->size);

	memset(s->dst, 0, s->size);
	svm_queue_exec(&s->q, &cmd, 1, what);
	svm_pattern_check(s->dst, s->size, seed, 0, what);
}

static void test_cow(struct svm_gpu *gpu, bool xnack)
{
	struct setup s;
	int go[2];

	setup(&s, gpu, xnack, 1);
	gpu_sees(&s, 1, "GPU copy before fork");
	igt_assert_eq(pipe(go), 0);
	igt_fork(child, 1) {
		/* Keep the old pages alive until the parent is done. */
		close(go[1]);
		svm_handshake_await(go[0], "its write after fork");
		svm_pattern_check(s.buf, s.size, 1, 0,
				  "child's copy after the parent's write");
	}
	close(go[0]);
	svm_pattern_fill(s.buf, s.size, 2);
	gpu_sees(&s, 2, "GPU copy of the parent's buffer after its COW write");
	svm_handshake_send(go[1]);
	close(go[1]);
	igt_waitchildren();
	teardown(&s);
}

static void test_child_writes(struct svm_gpu *gpu, bool xnack)
{
	struct svm_gpu_cmd cmd;
	int wrote[2], filled[2];
	struct setup s;

	setup(&s, gpu, xnack, 3);
	gpu_sees(&s, 3, "GPU copy before fork");
	igt_assert_eq(pipe(wrote), 0);
	igt_assert_eq(pipe(filled), 0);
	igt_fork(child, 1) {
		close(wrote[0]);
		close(filled[1]);
		svm_pattern_fill(s.buf, s.size, 4);
		svm_handshake_send(wrote[1]);
		svm_handshake_await(filled[0], "its GPU fill");
		svm_pattern_check(s.buf, s.size, 4, 0,
				  "child's copy after the parent's GPU fill");
	}
	close(wrote[1]);
	close(filled[0]);
	svm_handshake_await(wrote[0], "its write after fork");
	gpu_sees(&s, 3, "parent's GPU view after the child's write");
	svm_pattern_check(s.buf, s.size, 3, 0,
			  "parent's CPU view after the child's write");
	cmd = svm_cmd_fill((uintptr_t)s.buf, s.size, 0xfeed);
	svm_queue_exec(&s.q, &cmd, 1, "parent's GPU fill after fork");
	svm_check_fill(s.buf, s.size, 0xfeed, "parent's CPU view of its GPU fill");
	svm_handshake_send(filled[1]);
	close(wrote[0]);
	close(filled[1]);
	igt_waitchildren();
	teardown(&s);
}

/* How many of the @n submissions of @q (in order) are complete. */
static unsigned int rounds_done(struct svm_queue *q, const uint64_t *seqno,
				unsigned int n)
{
	unsigned int i = 0;

	while (i < n && __svm_queue_wait(q, seqno[i], 0) == 0)
		i++;
	return i;
}

static void test_fork_running(struct svm_gpu *gpu, bool xnack)
{
	/* Rounds long enough to be running when the fork comes. */
	enum { ROUNDS = 64, FILLS = 4 };
	size_t page = svm_page_size();
	unsigned int done_before, done_after;
	struct svm_gpu_cmd cmds[FILLS + 1];
	uint64_t seqno[ROUNDS];
	struct setup s;
	uint64_t *slot;
	char *orig;
	int go[2];

	setup(&s, gpu, xnack, 5);
	orig = malloc(s.size);
	igt_assert(orig);
	memcpy(orig, s.buf, s.size);
	igt_assert_eq(pipe(go), 0);
	for (int i = 0; i < ROUNDS; i++) {
		/* Each round: a slot of its own, then fills of the rest. */
		cmds[0] = svm_cmd_write((uintptr_t)s.buf + (i % NPAGES) * page +
					(i / NPAGES) * 8, 0x1000 + i, 8);
		for (int f = 1; f < FILLS + 1; f++)
			cmds[f] = svm_cmd_fill((uintptr_t)s.dst, s.size, i);
		seqno[i] = svm_queue_submit(&s.q, cmds, FILLS + 1);
	}
	done_before = rounds_done(&s.q, seqno, ROUNDS);
	igt_fork(child, 1) {
		close(go[1]);
		igt_assert_eq(read(go[0], &done_after, sizeof(done_after)),
			      sizeof(done_after));
		/*
		 * The child's copy holds the rounds done before the fork and
		 * none of those that started after it: a GPU write after the
		 * fork that landed here was misdirected to the child's page.
		 * Round done_after was the one in flight when the parent
		 * looked, after the fork: its write may have landed before.
		 */
		for (int i = 0; i < ROUNDS; i++) {
			size_t off = (i % NPAGES) * page + (i / NPAGES) * 8;

			slot = (uint64_t *)(s.buf + off);
			if (i < (int)done_before)
				igt_assert_f(*slot == 0x1000u + i,
					     "%s: GPU write %d, done before the fork, missing from the child's copy: 0x%llx\n",
					     gpu->name, i, (unsigned long long)*slot);
			else if (i > (int)done_after)
				igt_assert_f(*slot == *(uint64_t *)(orig + off),
					     "%s: GPU write %d, started after the fork, reached the child's copy: 0x%llx\n",
					     gpu->name, i, (unsigned long long)*slot);
		}
		/* The child writes its copies while the GPU still runs... */
		memset(s.buf, 0xee, s.size);
		memset(s.dst, 0xee, s.size);
		igt_assert_eq(read(go[0], &done_after, sizeof(done_after)),
			      sizeof(done_after));
		/* ...and no GPU write lands in them afterwards either. */
		for (size_t off = 0; off < s.size; off++)
			igt_assert_f(s.buf[off] == (char)0xee &&
				     s.dst[off] == (char)0xee,
				     "%s: a GPU write reached the child's copy at offset 0x%zx after it wrote it\n",
				     gpu->name, off);
	}
	done_after = rounds_done(&s.q, seqno, ROUNDS);
	close(go[0]);
	igt_assert_eq(write(go[1], &done_after, sizeof(done_after)),
		      sizeof(done_after));
	svm_queue_wait(&s.q, seqno[ROUNDS - 1], "GPU writes in flight across fork");
	/* All done: the child checks its copies once more. */
	igt_assert_eq(write(go[1], &done_after, sizeof(done_after)),
		      sizeof(done_after));
	igt_waitchildren();
	close(go[1]);
	for (int i = 0; i < ROUNDS; i++) {
		slot = (uint64_t *)(s.buf + (i % NPAGES) * page + (i / NPAGES) * 8);
		igt_assert_f(*slot == 0x1000u + i,
			     "%s: GPU write %d at %p lost across fork: expected 0x%x, got 0x%llx\n",
			     gpu->name, i, (void *)slot, 0x1000 + i,
			     (unsigned long long)*slot);
	}
	svm_check_fill(s.dst, s.size, ROUNDS - 1, "last GPU fill across fork");
	if (svm_queue_has_counters(&s.q)) {
		struct svm_queue_counters c;

		svm_queue_counters(&s.q, &c);
		igt_assert_f(c.vm_faults == 0, "%s: VM fault at 0x%llx across fork\n",
			     gpu->name, (unsigned long long)c.fault_addr);
	}
	igt_info("%s: %u of %u rounds done before the fork, %u right after it\n",
		 gpu->name, done_before, ROUNDS, done_after);
	teardown(&s);
	free(orig);
	igt_skip_on_f(done_before == ROUNDS,
		      "%s: the queue was done before the fork: nothing ran across it\n",
		      gpu->name);
}

static void test_child_fd(struct svm_gpu *gpu, bool xnack)
{
	struct setup s;

	setup(&s, gpu, xnack, 7);
	gpu_sees(&s, 7, "GPU copy before fork");
	igt_fork(child, 1) {
		struct drm_amdgpu_svm_attribute attr = {
			.type = AMDGPU_SVM_ATTR_GRANULARITY,
		};
		struct svm_gpu_cmd cmd = svm_cmd_fill((uintptr_t)s.buf, s.size,
						      0xbad);
		struct svm_queue q = { .ctx = &s.ctx };
		uint64_t seqno;
		int ret;

		ret = __svm_get_attr(s.ctx.fd, (uintptr_t)s.buf, s.size, &attr, 1);
		igt_assert_f(ret == -EBADF,
			     "%s: the child's SVM call on its parent's fd returned %d, expected %d\n",
			     gpu->name, ret, -EBADF);
		if (gpu->is_virtual) {
			ret = gpu->backend->queue_create(&q);
			igt_assert_f(ret == -EBADF,
				     "%s: the child's queue creation in its parent's VM returned %d (queue %u), expected %d\n",
				     gpu->name, ret, q.id, -EBADF);
		}
		ret = gpu->backend->submit(&s.q, &cmd, 1, &seqno);
		igt_assert_f(ret == -EBADF,
			     "%s: the child's GPU fill of its parent's memory on its parent's queue returned %d, expected %d\n",
			     gpu->name, ret, -EBADF);
	}
	igt_waitchildren();
	svm_pattern_check(s.buf, s.size, 7, 0,
			  "parent's memory after its child tried its fd");
	gpu_sees(&s, 7, "parent's GPU view after its child tried its fd");
	teardown(&s);
}

/*
 * The parent's buffer in VRAM at fork (a whole huge page if @thp); the
 * parent's GPU fill after fork must reach the parent and never the child.
 */
static void cow_vram(struct svm_gpu *gpu, bool xnack, bool thp)
{
	struct svm_gpu_cmd cmd;
	struct setup s;
	int go[2];

	if (thp) {
		s.size = 2u << 20;
		svm_ctx_open(gpu, xnack, &s.ctx);
		s.buf = svm_map_backing(&svm_backings[svm_nbackings - 1], s.size);
		s.dst = svm_map(s.size);
		svm_pattern_fill(s.buf, s.size, 8);
		svm_give_access(&s.ctx, s.buf, s.size);
		svm_give_access(&s.ctx, s.dst, s.size);
		svm_queue_create(&s.ctx, &s.q);
	} else {
		setup(&s, gpu, xnack, 8);
	}
	svm_set_one(s.ctx.fd, (uintptr_t)s.buf, s.size,
		    AMDGPU_SVM_ATTR_PREFETCH_LOC, gpu->gpu_id);
	igt_require_f(svm_vram_pages(s.buf, s.size) == s.size / svm_page_size(),
		      "%s: the prefetch left the buffer in system memory (no VRAM?)\n",
		      gpu->name);
	igt_assert_eq(pipe(go), 0);
	igt_fork(child, 1) {
		close(go[1]);
		svm_handshake_await(go[0], "its GPU fill after fork");
		svm_pattern_check(s.buf, s.size, 8, 0,
				  "child's snapshot after the parent's GPU fill");
	}
	close(go[0]);
	cmd = svm_cmd_fill((uintptr_t)s.buf, s.size, 0xf111);
	svm_queue_exec(&s.q, &cmd, 1, "parent's GPU fill of VRAM pages after fork");
	svm_check_fill(s.buf, s.size, 0xf111,
		       "parent's CPU view of its GPU fill after fork");
	svm_handshake_send(go[1]);
	close(go[1]);
	igt_waitchildren();
	teardown(&s);
}

static void test_cow_vram(struct svm_gpu *gpu, bool xnack)
{
	cow_vram(gpu, xnack, false);
}

static void test_cow_vram_thp(struct svm_gpu *gpu, bool xnack)
{
	cow_vram(gpu, xnack, true);
}

/*
 * What the grandchild of vram-evict-after-parent-exit saw, or that its
 * parent could not put the buffer in VRAM (@prefetch_failed).
 */
struct evict_seen {
	bool prefetch_failed;
	size_t vram_before, vram_after;
	int evict_result;
	bool data_intact;
};

/*
 * The grandchild: once its parent is reaped, evict all VRAM and say what
 * became of its copy of @buf. Not an igt child: it reports through @res.
 */
static void evict_orphaned_vram(struct svm_gpu *gpu, const char *buf,
				const char *want, size_t size, int go, int res)
{
	struct evict_seen seen = {};

	svm_handshake_await(go, "it was reaped");
	seen.vram_before = svm_vram_pages(buf, size);
	seen.evict_result = svm_evict_vram(gpu);
	seen.vram_after = svm_vram_pages(buf, size);
	seen.data_intact = !memcmp(buf, want, size);
	igt_assert_eq(write(res, &seen, sizeof(seen)), (ssize_t)sizeof(seen));
	_exit(0);
}

/*
 * vram-evict-after-parent-exit: NPAGES pages, or one huge page if @thp.
 */
static void evict_after_parent_exit(struct svm_gpu *gpu, bool xnack,
				    bool thp)
{
	size_t size = thp ? 2u << 20 : NPAGES * svm_page_size();
	size_t npages = size / svm_page_size();
	struct evict_seen seen;
	struct pollfd pfd;
	int go[2], res[2], ret;

	/* Skip here what would skip in a child, where IGT cannot. */
	igt_require_f(!xnack || gpu->xnack_capable,
		      "%s cannot run with XNACK on\n", gpu->name);
	ret = svm_evict_vram(gpu);
	igt_require_f(ret == 0,
		      "%s: VRAM cannot be evicted before the test either (%s): another user holds it\n",
		      gpu->name, strerror(-ret));
	igt_assert_eq(pipe(go), 0);
	igt_assert_eq(pipe(res), 0);
	igt_fork(parent, 1) {
		struct svm_ctx ctx;
		char *buf = thp ?
			svm_map_backing(&svm_backings[svm_nbackings - 1], size) :
			svm_map(size);
		char *want = malloc(size);
		pid_t pid;

		igt_assert(want);
		svm_ctx_open(gpu, xnack, &ctx);
		svm_pattern_fill(buf, size, 11);
		memcpy(want, buf, size);
		svm_give_access(&ctx, buf, size);
		svm_set_one(ctx.fd, (uintptr_t)buf, size,
			    AMDGPU_SVM_ATTR_PREFETCH_LOC, gpu->gpu_id);
		if (svm_vram_pages(buf, size) != npages) {
			struct evict_seen none = { .prefetch_failed = true };

			igt_assert_eq(write(res[1], &none, sizeof(none)),
				      (ssize_t)sizeof(none));
			exit(0);
		}
		/*
		 * Without its SVM context, no restore after fork() (XNACK
		 * off) makes the pages writable again, which would move them
		 * out of VRAM: they stay shared with the child.
		 */
		svm_ctx_close(&ctx);
		pid = fork();
		igt_assert(pid >= 0);
		if (!pid) {
			close(go[1]);
			close(res[0]);
			evict_orphaned_vram(gpu, buf, want, size, go[0], res[1]);
		}
		/* Exits with the VRAM its child still maps. */
	}
	close(go[0]);
	close(res[1]);
	igt_waitchildren();
	svm_handshake_send(go[1]);
	close(go[1]);
	pfd = (struct pollfd){ .fd = res[0], .events = POLLIN };
	igt_assert_f(poll(&pfd, 1, 60000) == 1,
		     "the orphaned child said nothing within 60 s\n");
	igt_assert_f(read(res[0], &seen, sizeof(seen)) == sizeof(seen),
		     "the orphaned child failed before it could report\n");
	close(res[0]);
	igt_require_f(!seen.prefetch_failed,
		      "%s: the prefetch left the buffer in system memory (no VRAM?)\n",
		      gpu->name);
	igt_info("child's pages in VRAM: %zu of %zu before the eviction, %zu after\n",
		 seen.vram_before, npages, seen.vram_after);
	igt_assert_f(seen.vram_before == npages,
		     "the parent's exit moved %zu of the child's %zu VRAM pages: nothing left to evict\n",
		     npages - seen.vram_before, npages);
	igt_assert_f(seen.evict_result == 0,
		     "evicting VRAM failed: %s (suspend would fail)\n",
		     strerror(-seen.evict_result));
	igt_assert_f(seen.vram_after == 0,
		     "%zu of %zu pages stayed in VRAM: VRAM whose process exited cannot be evicted (suspend fails)\n",
		     seen.vram_after, npages);
	igt_assert_f(seen.data_intact,
		     "the child's data changed in the eviction\n");
}

static void test_evict_after_parent_exit(struct svm_gpu *gpu, bool xnack)
{
	evict_after_parent_exit(gpu, xnack, false);
}

static void test_evict_after_parent_exit_thp(struct svm_gpu *gpu, bool xnack)
{
	evict_after_parent_exit(gpu, xnack, true);
}

static void test_child_opens(struct svm_gpu *gpu, bool xnack)
{
	struct setup s;

	setup(&s, gpu, xnack, 6);
	gpu_sees(&s, 6, "GPU copy before fork");
	igt_fork(child, 1) {
		struct svm_ctx ctx;
		struct svm_queue q;
		struct svm_gpu_cmd cmd;

		/* Its own context over its own copy of the parent's memory. */
		svm_ctx_open(gpu, xnack, &ctx);
		svm_give_access(&ctx, s.buf, s.size);
		svm_queue_create(&ctx, &q);
		cmd = svm_cmd_fill((uintptr_t)s.buf, s.size, 0xc417d);
		svm_queue_exec(&q, &cmd, 1, "child's GPU fill");
		svm_check_fill(s.buf, s.size, 0xc417d,
			       "child's CPU view of its GPU fill");
		svm_queue_destroy(&q);
		svm_ctx_close(&ctx);
	}
	igt_waitchildren();
	svm_pattern_check(s.buf, s.size, 6, 0,
			  "parent's memory after the child's GPU fill");
	gpu_sees(&s, 6, "parent's GPU view after the child's GPU fill");
	teardown(&s);
}

static const struct {
	const char *name;
	void (*fn)(struct svm_gpu *gpu, bool xnack);
	const char *desc;
} subtests[] = {
	{ "cow-after-fork", test_cow,
	  "After fork, the parent's CPU write breaks copy-on-write; the GPU then reads the parent's new data, not the child's old page." },
	{ "child-writes-invisible", test_child_writes,
	  "The child overwrites its copy of a GPU-mapped buffer; the parent's GPU still reads the parent's data, and a GPU fill by the parent never reaches the child's copy." },
	{ "fork-while-queue-runs", test_fork_running,
	  "The parent forks while its queue runs a stream of GPU writes over mapped memory and the child writes its copy: every GPU write lands in the parent's memory, none is lost, the child's copy holds those done before the fork and none started after it, and the queue never faults; skips when the queue was done before the fork." },
	{ "child-inherited-fd-refused", test_child_fd,
	  "A forked child holding its parent's fd can neither make an SVM call (-EBADF), nor create a queue (virtual GPU) or submit on its parent's queue: nothing reaches the parent's memory or VM." },
	{ "gpu-write-after-fork-vram", test_cow_vram,
	  "The buffer sits in VRAM when the parent forks; the parent's GPU fill after fork reaches the parent's memory and never the child's snapshot (fork made the device pages shared and read-only: the GPU must not keep writing them)." },
	{ "gpu-write-after-fork-vram-thp", test_cow_vram_thp,
	  "gpu-write-after-fork-vram on a 2 MiB transparent huge page prefetched whole, so that VRAM holds it as one device-private huge page when the parent forks." },
	{ "vram-evict-after-parent-exit", test_evict_after_parent_exit,
	  "A process prefetches a buffer into VRAM, forks and exits; its child still maps the VRAM pages (copy-on-write). Evicting all VRAM (as suspend does) must move them to system memory with their data, although the process that migrated them is gone." },
	{ "vram-evict-after-parent-exit-thp", test_evict_after_parent_exit_thp,
	  "vram-evict-after-parent-exit on a 2 MiB transparent huge page prefetched whole: the child maps one device-private huge page." },
	{ "child-opens-device", test_child_opens,
	  "The child opens the GPU itself and maps its own memory: its GPU writes reach its pages, and the parent's GPU view is untouched by them." },
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
			igt_dynamic_svm_modes(gpus, ngpus, g, x)
				subtests[t].fn(&gpus[g], x);
		}
	}

	igt_fixture()
		svm_gpus_close(gpus, ngpus);
}
