// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm stress
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM stress
 * Functionality: SVM under concurrent random GPU work, mm changes, fork,
 *	migration and eviction, checked against a shadow of every byte
 * Description: Worker threads each own a 2-8 MiB region (THP or not) and
 *	run a seeded random sequence of operations on it: GPU fill, copy,
 *	write, read-back and atomic add on random spans of any GPU of the
 *	process; CPU writes and checks; MADV_DONTNEED, MADV_PAGEOUT,
 *	mprotect and back, munmap and mmap again, mremap out and back,
 *	prefetch to a GPU's VRAM or system memory, VRAM eviction, a loss of
 *	a GPU's page tables (the virtual GPU's model of a reset that lost
 *	VRAM: every worker's queue on that GPU is lost, its cancelled work is
 *	redone by the CPU and a new queue made), closing and reopening a GPU
 *	context, and fork with the child checking its
 *	copy-on-write snapshot and that its parent's fd refuses it. GPU work
 *	stays in flight across the operations that do not touch its pages.
 *	A meddler thread sets locations and granularities, reads
 *	attributes and pages out memory in all regions at once. Each worker
 *	keeps a shadow of its region: every CPU check, GPU read-back and
 *	atomic total is compared with it, and GET_ATTR with the access it
 *	gave. It reports DATA MISMATCH, GPU READ MISMATCH, COW VIOLATION,
 *	FORK ISOLATION, ATOMIC DRIFT, VM FAULT, TIMEOUT or BAD ERRNO with the
 *	worker's last operations, and the run's seed: SVM_STRESS_SEED=S
 *	replays each worker's sequence of operations (not the threads'
 *	interleaving), SVM_STRESS_SECONDS=N sets the time per mode,
 *	SVM_STRESS_THREADS=N the number of workers and SVM_STRESS_SKIP=a,b
 *	leaves the operations named a and b out (to hunt one bug at a time). One dynamic subtest per
 *	XNACK mode runs on every GPU of the machine that can run it.
 *
 * SUBTEST: random-ops
 * Description: 60 seconds per XNACK mode (or SVM_STRESS_SECONDS).
 *
 * SUBTEST: random-ops-short
 * Description: 10 seconds per XNACK mode, for the pre-merge list.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_gpu.h"

#define WORKERS_MAX	8
/* GPU commands a worker keeps in flight before it waits for them. */
#define INFLIGHT_MAX	8
#define PROBE_SIZE	(256ul << 10)
#define GPU_SPAN_MAX	SZ_1M
/* Pages of one mm operation at most. */
#define MM_PAGES_MAX	512
#define LOG_LEN		16
#define ATOMIC_ROUNDS	4
#define ATOMIC_ADDS	16
/* A wait here may see a migration of megabytes under TCG. */
#define WAIT_NS		(60ll * 1000 * 1000 * 1000)
#define CHILD_TIMEOUT_MS	(120 * 1000)
/*
 * New queues a submission tries when page-table losses keep taking them:
 * more than the losses any one submission can plausibly meet.
 */
#define RENEW_TRIES	8

enum op {
	OP_GPU_FILL, OP_GPU_COPY, OP_GPU_WRITE, OP_GPU_READBACK,
	OP_CPU_WRITE, OP_CPU_CHECK, OP_DONTNEED, OP_PAGEOUT, OP_MPROTECT,
	OP_REMAP, OP_MREMAP, OP_PREFETCH, OP_EVICT_VRAM, OP_FORK, OP_PARENT_FD,
	OP_ATOMICS,
	OP_REOPEN, OP_GET_ATTR, OP_LOSE_PAGE_TABLES, OP_COUNT
};

static const struct {
	const char *name;
	unsigned int weight;
} ops[OP_COUNT] = {
	[OP_GPU_FILL] = { "gpu-fill", 14 },
	[OP_GPU_COPY] = { "gpu-copy", 14 },
	[OP_GPU_WRITE] = { "gpu-write", 6 },
	[OP_GPU_READBACK] = { "gpu-readback", 8 },
	[OP_CPU_WRITE] = { "cpu-write", 6 },
	[OP_CPU_CHECK] = { "cpu-check", 6 },
	[OP_DONTNEED] = { "dontneed", 5 },
	[OP_PAGEOUT] = { "pageout", 3 },
	[OP_MPROTECT] = { "mprotect", 4 },
	[OP_REMAP] = { "munmap-mmap", 5 },
	[OP_MREMAP] = { "mremap", 3 },
	[OP_PREFETCH] = { "prefetch", 6 },
	[OP_EVICT_VRAM] = { "evict-vram", 2 },
	[OP_FORK] = { "fork", 3 },
	[OP_PARENT_FD] = { "child-uses-parent-fd", 1 },
	[OP_ATOMICS] = { "atomics", 3 },
	[OP_REOPEN] = { "reopen", 1 },
	[OP_GET_ATTR] = { "get-attr", 3 },
	[OP_LOSE_PAGE_TABLES] = { "lose-page-tables", 1 },
};

/* Bytes [off, off + len) of a worker's region. */
struct span {
	size_t off, len;
};

struct stress;

struct worker {
	struct stress *st;
	int id;
	pthread_t thread;
	uint64_t rng;
	struct svm_ctx ctx[SVM_GPUS_MAX];
	struct svm_queue q[SVM_GPUS_MAX];
	/* The queue with work in flight (-1: none), and its last seqno. */
	int busy_queue;
	uint64_t seqno;
	struct span busy[INFLIGHT_MAX];
	/* The GPU writes busy[i] (else it only reads it). */
	bool busy_written[INFLIGHT_MAX];
	unsigned int nbusy;
	char *base;
	size_t size;
	bool thp;
	uint8_t *shadow;
	char *probe;
	char log[LOG_LEN][96];
	unsigned long nops;
	unsigned long count[OP_COUNT];
	unsigned long atomic_adds, mm_skipped;
	/* Waits a page-table loss cancelled; one since the op began. */
	unsigned long cancelled;
	bool work_cancelled;
};

struct stress {
	struct svm_gpu *gpus[SVM_GPUS_MAX];
	int ngpus;
	bool xnack;
	uint64_t seed;
	struct timespec deadline;
	atomic_bool stop;
	pthread_mutex_t fail_lock;
	char failure[512];
	unsigned int weight[OP_COUNT];
	int nworkers;
	struct worker workers[WORKERS_MAX];
	/* The meddler: its own rng and counters. */
	/* A context per GPU that stays open: the meddler's fd. */
	struct svm_ctx anchor[SVM_GPUS_MAX];
	pthread_t meddler;
	uint64_t meddler_rng;
	unsigned long meddler_ops, meddler_refused;
	/* VRAM evictions through debugfs: done, impossible (no debugfs). */
	atomic_ulong vram_evictions, vram_evict_unavailable;
	/* The errno the last refused one failed with (0: none was refused). */
	atomic_int vram_evict_errno;
	/* Page-table losses: done, impossible (no such knob on the GPU). */
	atomic_ulong pt_losses, pt_loss_unavailable;
};

/* xorshift64*: each worker's sequence follows from the seed alone. */
static uint64_t rnd(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t *state, uint64_t n)
{
	return n ? rnd(state) % n : 0;
}

static size_t page_size(void)
{
	return svm_page_size();
}

static bool deadline_passed(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec &&
		now.tv_nsec >= deadline->tv_nsec);
}

static void note(struct worker *w, const char *fmt, ...)
{
	char *line = w->log[w->nops % LOG_LEN];
	int n = snprintf(line, sizeof(w->log[0]), "#%lu ", w->nops);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(w->log[0]) - n, fmt, ap);
	va_end(ap);
}

/*
 * Record the run's first failure and stop every thread; the worker's last
 * operations go to the log. Only the main thread fails the subtest.
 */
static void fail(struct worker *w, const char *fmt, ...)
{
	struct stress *st = w->st;
	va_list ap;

	pthread_mutex_lock(&st->fail_lock);
	if (!st->failure[0]) {
		int n = snprintf(st->failure, sizeof(st->failure),
				 "worker %d, op #%lu: ", w->id, w->nops);

		va_start(ap, fmt);
		vsnprintf(st->failure + n, sizeof(st->failure) - n, fmt, ap);
		va_end(ap);
		igt_warn("%s\n", st->failure);
		igt_warn("worker %d region %p + 0x%zx (%s), last operations:\n",
			 w->id, w->base, w->size, w->thp ? "THP" : "4k pages");
		for (unsigned long i = w->nops >= LOG_LEN ? w->nops - LOG_LEN + 1 : 0;
		     i <= w->nops; i++)
			igt_warn("  %s\n", w->log[i % LOG_LEN]);
	}
	atomic_store(&st->stop, true);
	pthread_mutex_unlock(&st->fail_lock);
}

static bool stopped(struct worker *w)
{
	return atomic_load(&w->st->stop);
}

/* A span of 4-byte words, at most @max bytes. */
static struct span word_span(struct worker *w, size_t max)
{
	size_t words = (max < w->size ? max : w->size) / 4;
	struct span s;

	s.len = 4 * (1 + rnd_below(&w->rng, words));
	s.off = 4 * rnd_below(&w->rng, (w->size - s.len) / 4 + 1);
	return s;
}

/* A span of whole pages, at most MM_PAGES_MAX. */
static struct span page_span(struct worker *w)
{
	size_t page = page_size(), pages = w->size / page;
	size_t max = pages < MM_PAGES_MAX ? pages : MM_PAGES_MAX;
	struct span s;

	s.len = page * (1 + rnd_below(&w->rng, max));
	s.off = page * rnd_below(&w->rng, pages - s.len / page + 1);
	return s;
}

static bool overlap_pages(struct span a, struct span b)
{
	size_t page = page_size();
	size_t a0 = a.off / page, a1 = (a.off + a.len - 1) / page;
	size_t b0 = b.off / page, b1 = (b.off + b.len - 1) / page;

	return a0 <= b1 && b0 <= a1;
}

static bool spans_overlap(struct span a, struct span b)
{
	return a.off < b.off + b.len && b.off < a.off + a.len;
}

static const char *gpu_name(struct worker *w, int g)
{
	return w->ctx[g].gpu->name;
}

/* Put a new queue in place of lost queue @g. */
static bool renew_queue(struct worker *w, int g)
{
	struct svm_ctx *ctx = &w->ctx[g];
	int ret;

	ctx->gpu->backend->queue_destroy(&w->q[g]);
	ret = __svm_queue_create(ctx, &w->q[g]);
	if (ret)
		fail(w, "BAD ERRNO: a new queue on %s after its page tables were lost: %s",
		     gpu_name(w, g), strerror(-ret));
	return !ret;
}

/*
 * A page-table loss cancelled the work in flight (its wait said so: none
 * of it runs any more). The shadow holds what it was to do: the CPU does
 * it, and a new queue replaces the lost one.
 */
static bool recover_cancelled(struct worker *w)
{
	int g = w->busy_queue;

	note(w, "work on %s cancelled by a page-table loss: redone by the CPU",
	     gpu_name(w, g));
	for (unsigned int i = 0; i < w->nbusy; i++)
		if (w->busy_written[i])
			memcpy(w->base + w->busy[i].off,
			       w->shadow + w->busy[i].off, w->busy[i].len);
	w->busy_queue = -1;
	w->nbusy = 0;
	w->cancelled++;
	w->work_cancelled = true;
	return renew_queue(w, g);
}

/* Wait for the work in flight; false (and the run failed) if it failed. */
static bool sync_gpu(struct worker *w)
{
	struct svm_queue *q;
	struct svm_queue_counters c;
	int ret;

	if (w->busy_queue < 0)
		return true;
	q = &w->q[w->busy_queue];
	ret = q->ctx->gpu->backend->wait(q, w->seqno, WAIT_NS);
	if (ret == -ECANCELED)
		return recover_cancelled(w);
	if (ret) {
		bool counters = q->ctx->gpu->backend->counters(q, &c) == 0;

		if (ret == -EIO && counters) {
			fail(w, "VM FAULT on %s at 0x%" PRIx64 " (%s%s%s%s)",
			     gpu_name(w, w->busy_queue), c.fault_addr,
			     c.fault_write ? "write" : "read",
			     c.fault_permission ? ", mapped without that permission" : "",
			     c.fault_unresolved ? ", the fault handler could not map it" : "",
			     c.fault_stale ? ", a stale PTE to a freed or migrating page" : "");
		} else if (counters) {
			struct svm_queue_counters later = c;

			/* Stuck, or faulting over and over (a livelock)? */
			sleep(2);
			q->ctx->gpu->backend->counters(q, &later);
			fail(w, "%s on %s: %s; queue %s, quiesced %u times, resumed %u times, %u retry faults (%u more in the next 2 s)",
			     ret == -ETIME ? "TIMEOUT" : "WAIT FAILED",
			     gpu_name(w, w->busy_queue), strerror(-ret),
			     c.failed ? "failed" : c.quiesced ? "quiesced" : "active",
			     c.quiesce_count, c.resume_count, c.retry_faults,
			     later.retry_faults - c.retry_faults);
		} else {
			fail(w, "%s on %s: %s", ret == -ETIME ? "TIMEOUT" : "WAIT FAILED",
			     gpu_name(w, w->busy_queue), strerror(-ret));
		}
		return false;
	}
	w->busy_queue = -1;
	w->nbusy = 0;
	return true;
}

/* Wait first if work in flight touches a page of @s. */
static bool sync_if_busy(struct worker *w, struct span s)
{
	for (unsigned int i = 0; i < w->nbusy; i++)
		if (overlap_pages(w->busy[i], s))
			return sync_gpu(w);
	return true;
}

/*
 * Queue @cmds on GPU @g, which write @written and read @read: their pages
 * are busy until a sync.
 */
static bool submit(struct worker *w, int g, const struct svm_gpu_cmd *cmds,
		   unsigned int n, struct span written, struct span read)
{
	struct svm_queue *q = &w->q[g];
	uint64_t seqno;
	int ret;

	if ((w->busy_queue >= 0 && w->busy_queue != g) ||
	    w->nbusy + 2 > INFLIGHT_MAX)
		if (!sync_gpu(w))
			return false;
	ret = q->ctx->gpu->backend->submit(q, cmds, n, &seqno);
	/*
	 * The queue is lost: settle its work, submit to a new one. Another
	 * worker's loss can take the new one too, before its first
	 * submission (which waits for the VM to rebuild): try again.
	 */
	for (int tries = 0; ret == -ECANCELED && tries < RENEW_TRIES; tries++) {
		if (!sync_gpu(w) || !renew_queue(w, g))
			return false;
		ret = q->ctx->gpu->backend->submit(q, cmds, n, &seqno);
	}
	if (ret) {
		fail(w, "BAD ERRNO: submitting %u commands on %s: %s", n,
		     gpu_name(w, g), strerror(-ret));
		return false;
	}
	w->seqno = seqno;
	w->busy_queue = g;
	if (written.len) {
		w->busy_written[w->nbusy] = true;
		w->busy[w->nbusy++] = written;
	}
	if (read.len) {
		w->busy_written[w->nbusy] = false;
		w->busy[w->nbusy++] = read;
	}
	return true;
}

/* Compare [s] of @got with the shadow; false (run failed) on a mismatch. */
static bool check_span(struct worker *w, const uint8_t *got, struct span s,
		       const char *kind, const char *what)
{
	const uint8_t *want = w->shadow + s.off;
	size_t first = SIZE_MAX, bad = 0, zero = 0;

	if (!memcmp(got, want, s.len))
		return true;
	for (size_t i = 0; i < s.len; i++) {
		if (got[i] == want[i])
			continue;
		if (first == SIZE_MAX)
			first = i;
		bad++;
		zero += !got[i];
	}
	fail(w, "%s: %s: %zu of %zu bytes differ from +0x%zx (%zu of them zero); first at +0x%zx: expected 0x%02x, got 0x%02x",
	     kind, what, bad, s.len, s.off, zero, s.off + first,
	     want[first], got[first]);
	return false;
}

/* SET_ATTR, retried while invalidations race it (-EAGAIN). */
static int set_attr(struct worker *w, struct span s,
		    const struct drm_amdgpu_svm_attribute *attrs,
		    unsigned int nattr)
{
	int ret;

	for (int tries = 0; tries < 10; tries++) {
		ret = __svm_set_attr(w->ctx[0].fd, (uintptr_t)w->base + s.off,
				     s.len, attrs, nattr);
		if (ret != -EAGAIN)
			break;
	}
	return ret;
}

/* Every GPU of the worker may access @s (XNACK off: mapped now). */
static bool give_access(struct worker *w, struct span s)
{
	struct drm_amdgpu_svm_attribute attrs[SVM_GPUS_MAX];
	int n = w->st->ngpus, ret;

	for (int g = 0; g < n; g++)
		attrs[g] = (struct drm_amdgpu_svm_attribute){
			.type = AMDGPU_SVM_ATTR_ACCESS,
			.value = w->ctx[g].gpu->gpu_id,
		};
	ret = set_attr(w, s, attrs, n);
	if (ret)
		fail(w, "BAD ERRNO: SET_ATTR ACCESS on +0x%zx..+0x%zx: %s",
		     s.off, s.off + s.len, strerror(-ret));
	return !ret;
}

/* After an mm operation made @s new memory: XNACK on may rely on defaults. */
static bool regive_access(struct worker *w, struct span s)
{
	if (w->st->xnack && rnd_below(&w->rng, 2))
		return true;
	return give_access(w, s);
}

static int pick_gpu(struct worker *w)
{
	return rnd_below(&w->rng, w->st->ngpus);
}

static bool op_gpu_fill(struct worker *w)
{
	struct span s = word_span(w, GPU_SPAN_MAX);
	uint32_t value = rnd(&w->rng);
	int g = pick_gpu(w);
	struct svm_gpu_cmd cmd = svm_cmd_fill((uintptr_t)w->base + s.off,
					      s.len, value);

	note(w, "gpu-fill %s +0x%zx len 0x%zx value 0x%08x", gpu_name(w, g),
	     s.off, s.len, value);
	if (!submit(w, g, &cmd, 1, s, (struct span){ 0 }))
		return false;
	for (size_t i = 0; i < s.len; i += 4)
		memcpy(w->shadow + s.off + i, &value, 4);
	return true;
}

static bool op_gpu_copy(struct worker *w)
{
	struct span src = word_span(w, GPU_SPAN_MAX < w->size / 2 ?
					GPU_SPAN_MAX : w->size / 2);
	struct span dst = { .len = src.len };
	struct svm_gpu_cmd cmd;
	int g = pick_gpu(w);

	for (int tries = 0; ; tries++) {
		dst.off = 4 * rnd_below(&w->rng, (w->size - dst.len) / 4 + 1);
		if (!spans_overlap(src, dst))
			break;
		if (tries == 8)
			return true;
	}
	cmd = svm_cmd_copy((uintptr_t)w->base + dst.off,
			   (uintptr_t)w->base + src.off, src.len);
	note(w, "gpu-copy %s +0x%zx -> +0x%zx len 0x%zx", gpu_name(w, g),
	     src.off, dst.off, src.len);
	if (!submit(w, g, &cmd, 1, dst, src))
		return false;
	memcpy(w->shadow + dst.off, w->shadow + src.off, src.len);
	return true;
}

static bool op_gpu_write(struct worker *w)
{
	struct span s = { .off = 8 * rnd_below(&w->rng, w->size / 8), .len = 8 };
	uint64_t value = rnd(&w->rng);
	struct svm_gpu_cmd cmd = svm_cmd_write((uintptr_t)w->base + s.off,
					       value, 8);
	int g = pick_gpu(w);

	note(w, "gpu-write %s +0x%zx value 0x%" PRIx64, gpu_name(w, g), s.off,
	     value);
	if (!submit(w, g, &cmd, 1, s, (struct span){ 0 }))
		return false;
	memcpy(w->shadow + s.off, &value, 8);
	return true;
}

/* The GPU copies a span into the probe buffer: what it sees is checked. */
/*
 * GPU @g copies @r into the probe buffer, which must then match the
 * shadow; a copy that a page-table loss cancelled checks nothing.
 */
static bool gpu_read_check(struct worker *w, int g, struct span r,
			   const char *what)
{
	struct svm_gpu_cmd cmd = svm_cmd_copy((uintptr_t)w->probe,
					      (uintptr_t)w->base + r.off, r.len);

	w->work_cancelled = false;
	if (!submit(w, g, &cmd, 1, (struct span){ 0 }, r) || !sync_gpu(w))
		return false;
	if (w->work_cancelled)
		return true;
	return check_span(w, (uint8_t *)w->probe, r, "GPU READ MISMATCH", what);
}

static bool op_gpu_readback(struct worker *w)
{
	struct span s = word_span(w, PROBE_SIZE);
	int g = pick_gpu(w);

	note(w, "gpu-readback %s +0x%zx len 0x%zx", gpu_name(w, g), s.off, s.len);
	return gpu_read_check(w, g, s, gpu_name(w, g));
}

static bool op_cpu_write(struct worker *w)
{
	struct span s = word_span(w, 64ul << 10);
	uint64_t v = rnd(&w->rng);

	note(w, "cpu-write +0x%zx len 0x%zx", s.off, s.len);
	if (!sync_if_busy(w, s))
		return false;
	for (size_t i = 0; i < s.len; i++)
		w->shadow[s.off + i] = v >> (8 * (i % 8)) ^ i;
	memcpy(w->base + s.off, w->shadow + s.off, s.len);
	return true;
}

static bool op_cpu_check(struct worker *w)
{
	struct span s = rnd_below(&w->rng, 4) ? word_span(w, w->size) :
			(struct span){ 0, w->size };

	note(w, "cpu-check +0x%zx len 0x%zx", s.off, s.len);
	if (!sync_if_busy(w, s))
		return false;
	return check_span(w, (uint8_t *)w->base + s.off, s, "DATA MISMATCH",
			  "CPU read");
}

/*
 * Half the time, GPU work on the pages outside @p goes in flight first,
 * so the mm operation on @p runs while the GPU works next to it (in the
 * same 2 MiB range, often).
 */
static bool gpu_work_around(struct worker *w, struct span p)
{
	struct span lo = { 0, p.off }, hi = { p.off + p.len, 0 };
	struct span side, s;
	uint32_t value = rnd(&w->rng);
	struct svm_gpu_cmd cmd;
	int g = pick_gpu(w);

	hi.len = w->size - hi.off;
	if (rnd_below(&w->rng, 2))
		return true;
	side = lo.len > hi.len ? lo : hi;
	/* Keep a page between the work and @p: the GPU works in whole pages. */
	if (side.len <= 2 * page_size())
		return true;
	side.len -= page_size();
	if (side.off)
		side.off += page_size();
	s.len = 4 * (1 + rnd_below(&w->rng, (side.len < GPU_SPAN_MAX ?
					       side.len : GPU_SPAN_MAX) / 4));
	s.off = side.off + 4 * rnd_below(&w->rng, (side.len - s.len) / 4 + 1);
	cmd = svm_cmd_fill((uintptr_t)w->base + s.off, s.len, value);
	note(w, "gpu-fill %s +0x%zx len 0x%zx value 0x%08x (in flight)",
	     gpu_name(w, g), s.off, s.len, value);
	if (!submit(w, g, &cmd, 1, s, (struct span){ 0 }))
		return false;
	for (size_t i = 0; i < s.len; i += 4)
		memcpy(w->shadow + s.off + i, &value, 4);
	w->nops++;
	return true;
}

/* Prepare an mm operation on @p: nothing in flight there, work around it. */
static bool mm_prepare(struct worker *w, struct span p)
{
	return sync_if_busy(w, p) && gpu_work_around(w, p);
}

static bool op_dontneed(struct worker *w)
{
	struct span p = page_span(w);

	if (!mm_prepare(w, p))
		return false;
	note(w, "dontneed +0x%zx len 0x%zx", p.off, p.len);
	if (madvise(w->base + p.off, p.len, MADV_DONTNEED)) {
		fail(w, "BAD ERRNO: MADV_DONTNEED: %m");
		return false;
	}
	memset(w->shadow + p.off, 0, p.len);
	return true;
}

static bool op_pageout(struct worker *w)
{
	struct span p = page_span(w);

	note(w, "pageout +0x%zx len 0x%zx", p.off, p.len);
	/* No swap, or memory the kernel keeps: both fine, nothing changes. */
	madvise(w->base + p.off, p.len, MADV_PAGEOUT);
	return true;
}

static bool op_mprotect(struct worker *w)
{
	struct span p = page_span(w);
	struct span r = { p.off, p.len < PROBE_SIZE ? p.len : PROBE_SIZE };
	int g = pick_gpu(w);

	if (!mm_prepare(w, p))
		return false;
	note(w, "mprotect +0x%zx len 0x%zx read-only, %s reads it", p.off,
	     p.len, gpu_name(w, g));
	if (mprotect(w->base + p.off, p.len, PROT_READ)) {
		fail(w, "BAD ERRNO: mprotect PROT_READ: %m");
		return false;
	}
	/* Read-only memory is still readable by the GPU. */
	if (!gpu_read_check(w, g, r, "GPU read of read-only memory"))
		return false;
	if (mprotect(w->base + p.off, p.len, PROT_READ | PROT_WRITE)) {
		fail(w, "BAD ERRNO: mprotect back: %m");
		return false;
	}
	return true;
}

static bool map_fixed(struct worker *w, struct span p)
{
	void *m = mmap(w->base + p.off, p.len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (m == MAP_FAILED) {
		fail(w, "BAD ERRNO: mmap MAP_FIXED at +0x%zx: %m", p.off);
		return false;
	}
	madvise(m, p.len, w->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return true;
}

/*
 * Fresh memory over @p: one mmap(MAP_FIXED), which unmaps the old pages and
 * maps new ones under one mmap_lock, as munmap then mmap would. Never the
 * two calls: in the hole between them another thread's mmap(NULL) (a
 * worker's mremap target, a malloc arena) may land, and the MAP_FIXED
 * that follows would then clobber that thread's memory, or its mremap
 * back would leave a hole in this region: failures of the test, not of
 * the driver.
 */
static bool op_remap(struct worker *w)
{
	struct span p = page_span(w);

	if (!mm_prepare(w, p))
		return false;
	note(w, "munmap and mmap (MAP_FIXED over) +0x%zx len 0x%zx", p.off,
	     p.len);
	if (!map_fixed(w, p))
		return false;
	memset(w->shadow + p.off, 0, p.len);
	return regive_access(w, p);
}

/*
 * mremap the pages of @p out to other addresses and back: their data
 * stays, their attributes go with the unmap of the old addresses. The way
 * out keeps the old mapping (MREMAP_DONTUNMAP: the driver still sees the
 * unmap of the pages moved away), so the region never has a hole that
 * another thread's mmap(NULL) could take; the way back replaces it.
 */
static bool op_mremap(struct worker *w)
{
	struct span p = page_span(w);
	void *tmp, *back;

	if (!mm_prepare(w, p))
		return false;
	note(w, "mremap +0x%zx len 0x%zx out and back", p.off, p.len);
	/* Same size and MREMAP_MAYMOVE alone would not move: name a place. */
	tmp = mmap(NULL, p.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp == MAP_FAILED) {
		fail(w, "BAD ERRNO: mmap of a place to mremap to: %m");
		return false;
	}
	if (mremap(w->base + p.off, p.len, p.len,
		   MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
		   tmp) == MAP_FAILED) {
		int err = errno;

		munmap(tmp, p.len);
		errno = err;
		/* The span crosses VMAs that earlier operations made. */
		if (err == EFAULT) {
			w->mm_skipped++;
			return true;
		}
		fail(w, "BAD ERRNO: mremap out: %m");
		return false;
	}
	back = mremap(tmp, p.len, p.len, MREMAP_MAYMOVE | MREMAP_FIXED,
		      w->base + p.off);
	if (back != w->base + p.off) {
		fail(w, "BAD ERRNO: mremap back: %m");
		return false;
	}
	return regive_access(w, p);
}

/*
 * A smaller granularity on a few pages inside the 2 MiB block @p just
 * moved to VRAM: the GPU then maps it in 64 KiB and 4 KiB ranges that
 * start inside the device's huge page, and reads them back.
 */
static bool split_and_read(struct worker *w, struct span p)
{
	size_t page = page_size();
	struct span in = { .len = page * (1 + rnd_below(&w->rng, 32)) };
	struct drm_amdgpu_svm_attribute attr = {
		.type = AMDGPU_SVM_ATTR_GRANULARITY,
		.value = rnd_below(&w->rng, 5),
	};
	struct span r;
	int g = pick_gpu(w), ret;

	in.off = p.off + page * rnd_below(&w->rng, (p.len - in.len) / page + 1);
	r.len = PROBE_SIZE;
	r.off = in.off + in.len / 2 >= p.off + r.len / 2 ?
		in.off + in.len / 2 - r.len / 2 : p.off;
	if (r.off + r.len > p.off + p.len)
		r.off = p.off + p.len - r.len;
	note(w, "granularity %u on +0x%zx len 0x%zx, %s reads +0x%zx len 0x%zx",
	     attr.value, in.off, in.len, gpu_name(w, g), r.off, r.len);
	ret = set_attr(w, in, &attr, 1);
	if (ret) {
		fail(w, "BAD ERRNO: SET_ATTR GRANULARITY: %s", strerror(-ret));
		return false;
	}
	return gpu_read_check(w, g, r,
			      "GPU read of small ranges inside a VRAM huge page");
}

static bool op_prefetch(struct worker *w)
{
	struct span p = page_span(w);
	int g = rnd_below(&w->rng, w->st->ngpus + 1);
	struct drm_amdgpu_svm_attribute attr = {
		.type = AMDGPU_SVM_ATTR_PREFETCH_LOC,
		.value = g == w->st->ngpus ? AMDGPU_SVM_LOCATION_SYSMEM :
			 w->ctx[g].gpu->gpu_id,
	};
	int ret;

	/* Whole huge pages too: VRAM then holds them as one device PMD. */
	if (w->thp && rnd_below(&w->rng, 2)) {
		p.len = 2 * SZ_1M;
		p.off = p.len * rnd_below(&w->rng, w->size / p.len);
	}
	note(w, "prefetch +0x%zx len 0x%zx to %s", p.off, p.len,
	     g == w->st->ngpus ? "system memory" : gpu_name(w, g));
	ret = set_attr(w, p, &attr, 1);
	if (ret) {
		fail(w, "BAD ERRNO: SET_ATTR PREFETCH_LOC: %s", strerror(-ret));
		return false;
	}
	if (p.len == 2 * SZ_1M && g < w->st->ngpus && rnd_below(&w->rng, 2))
		return split_and_read(w, p);
	return true;
}

/*
 * Evict all VRAM of @gpu through its driver's debugfs file and count the
 * outcome: worker threads may not fail the test (IGT's asserts jump back to
 * the main thread), and on a lab GPU another user may hold VRAM, so a
 * refused eviction is reported, not failed.
 */
static void evict_vram(struct stress *st, const struct svm_gpu *gpu)
{
	int result = 0;

	if (gpu->backend->evict_vram(gpu, &result))
		atomic_fetch_add(&st->vram_evict_unavailable, 1);
	else if (result)
		atomic_store(&st->vram_evict_errno, -result);
	else
		atomic_fetch_add(&st->vram_evictions, 1);
}

static bool op_evict_vram(struct worker *w)
{
	int g = pick_gpu(w);

	note(w, "evict-vram %s", gpu_name(w, g));
	evict_vram(w->st, w->ctx[g].gpu);
	return true;
}

/* What a forked child found, written to its parent through a pipe. */
struct child_report {
	int cow_bad;
	size_t off, bad;
	uint8_t want, got;
};

/*
 * The child of op_fork(): after the parent's GPU fill, its memory must
 * still be its snapshot (the shadow it inherited) outside @skip. Only
 * what fork leaves safe to call.
 */
static void __attribute__((noreturn))
fork_child(struct worker *w, struct span skip, int go, int report)
{
	size_t page = page_size();
	size_t s0 = skip.off / page * page;
	size_t s1 = (skip.off + skip.len + page - 1) / page * page;
	struct child_report r = { 0 };
	char c;

	if (read(go, &c, 1) != 1)
		_exit(2);
	for (size_t i = 0; i < w->size; i++) {
		if (i == s0)
			i = s1;
		if (i >= w->size)
			break;
		if ((uint8_t)w->base[i] == w->shadow[i])
			continue;
		if (!r.cow_bad++) {
			r.off = i;
			r.want = w->shadow[i];
			r.got = w->base[i];
		}
		r.bad++;
	}
	_exit(write(report, &r, sizeof(r)) == sizeof(r) ? 0 : 3);
}

static bool child_report(struct worker *w, pid_t pid, int fd,
			 struct child_report *r)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int status;

	if (poll(&pfd, 1, CHILD_TIMEOUT_MS) != 1 ||
	    read(fd, r, sizeof(*r)) != sizeof(*r)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail(w, "TIMEOUT: the forked child did not report in %d s",
		     CHILD_TIMEOUT_MS / 1000);
		return false;
	}
	waitpid(pid, &status, 0);
	return true;
}

/*
 * Fork with a GPU fill in flight; the parent fills again after fork and
 * checks both fills reached its memory, the child that its snapshot did
 * not change.
 */
static bool op_fork(struct worker *w)
{
	struct span before = word_span(w, GPU_SPAN_MAX);
	struct span after = word_span(w, GPU_SPAN_MAX);
	uint32_t v1 = rnd(&w->rng), v2 = rnd(&w->rng);
	int g = pick_gpu(w);
	struct svm_gpu_cmd cmd;
	struct child_report r;
	int go[2], report[2];
	bool ok, submitted;
	pid_t pid;

	note(w, "fork, %s fills +0x%zx len 0x%zx across it, +0x%zx len 0x%zx after",
	     gpu_name(w, g), before.off, before.len, after.off, after.len);
	if (!sync_gpu(w))
		return false;
	cmd = svm_cmd_fill((uintptr_t)w->base + before.off, before.len, v1);
	if (!submit(w, g, &cmd, 1, before, (struct span){ 0 }))
		return false;
	for (size_t i = 0; i < before.len; i += 4)
		memcpy(w->shadow + before.off + i, &v1, 4);
	if (pipe2(go, O_CLOEXEC) || pipe2(report, O_CLOEXEC)) {
		fail(w, "BAD ERRNO: pipe: %m");
		return false;
	}
	pid = fork();
	if (pid == 0)
		fork_child(w, before, go[0], report[1]);
	close(go[0]);
	close(report[1]);
	if (pid < 0) {
		fail(w, "BAD ERRNO: fork: %m");
		close(go[1]);
		close(report[0]);
		return false;
	}
	cmd = svm_cmd_fill((uintptr_t)w->base + after.off, after.len, v2);
	submitted = submit(w, g, &cmd, 1, after, (struct span){ 0 });
	/* Before the wait: a cancelled fill is redone from the shadow. */
	for (size_t i = 0; submitted && i < after.len; i += 4)
		memcpy(w->shadow + after.off + i, &v2, 4);
	if (submitted && sync_gpu(w)) {
		if (check_span(w, (uint8_t *)w->base + before.off, before,
			       "DATA MISMATCH", "GPU fill in flight across fork") &&
		    check_span(w, (uint8_t *)w->base + after.off, after,
			       "DATA MISMATCH", "GPU fill after fork")) {
			/* The parent's CPU write breaks copy-on-write too. */
			w->base[after.off] ^= 0x5a;
			w->shadow[after.off] ^= 0x5a;
		}
	}
	/* The child checks even after a failure: its report says more. */
	if (write(go[1], "g", 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail(w, "BAD ERRNO: starting the forked child's check: %m");
		close(go[1]);
		close(report[0]);
		return false;
	}
	close(go[1]);
	ok = child_report(w, pid, report[0], &r);
	close(report[0]);
	if (!ok)
		return false;
	if (r.cow_bad) {
		fail(w, "COW VIOLATION: the child's snapshot changed after fork: %zu bytes from +0x%zx; first: expected 0x%02x, got 0x%02x",
		     r.bad, r.off, r.want, r.got);
		return false;
	}
	return !stopped(w);
}

/*
 * A forked child tries its parent's fd: an SVM call and a GPU write to
 * the parent's probe buffer must both be refused. It exits 0 when they
 * were, 1 when one went through.
 */
static bool op_parent_fd(struct worker *w)
{
	int g = pick_gpu(w);
	struct svm_gpu_cmd cmd = svm_cmd_write((uintptr_t)w->probe, 0xc41d, 8);
	struct drm_amdgpu_svm_attribute attr = {
		.type = AMDGPU_SVM_ATTR_GRANULARITY,
	};
	int status = 0;
	pid_t pid;

	note(w, "child uses the parent's %s fd", gpu_name(w, g));
	pid = fork();
	if (pid == 0) {
		uint64_t seqno;
		int svm_ret = __svm_get_attr(w->ctx[g].fd, (uintptr_t)w->probe,
					     page_size(), &attr, 1);
		int submit_ret = w->q[g].ctx->gpu->backend->submit(&w->q[g], &cmd,
								   1, &seqno);

		_exit(svm_ret == -EBADF && submit_ret == -EBADF ? 0 :
		      (svm_ret != -EBADF) | (submit_ret != -EBADF) << 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		fail(w, "BAD ERRNO: fork or wait: %m");
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fail(w, "FORK ISOLATION: the child's%s%s through its parent's fd was not refused with EBADF (exit status 0x%x)",
		     WIFEXITED(status) && (WEXITSTATUS(status) & 1) ? " SVM call" : "",
		     WIFEXITED(status) && (WEXITSTATUS(status) & 2) ? " GPU submission" : "",
		     status);
		return false;
	}
	return true;
}

/* Something that keeps the data but moves or copies the page of @off. */
static void perturb_page(struct worker *w, size_t off)
{
	size_t page = page_size();
	struct span p = { off / page * page, page };
	int kind = rnd_below(&w->rng, 4);
	int g = pick_gpu(w);

	switch (kind) {
	case 0: {
		struct drm_amdgpu_svm_attribute attr = {
			.type = AMDGPU_SVM_ATTR_PREFETCH_LOC,
			.value = rnd_below(&w->rng, 2) ? w->ctx[g].gpu->gpu_id :
				 AMDGPU_SVM_LOCATION_SYSMEM,
		};
		int ret = set_attr(w, p, &attr, 1);

		if (ret)
			fail(w, "BAD ERRNO: SET_ATTR PREFETCH_LOC during atomics: %s",
			     strerror(-ret));
		break;
	}
	case 1:
		madvise(w->base + p.off, p.len, MADV_PAGEOUT);
		break;
	case 2:
		evict_vram(w->st, w->ctx[g].gpu);
		break;
	default: {
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, &status, 0);
		break;
	}
	}
}

/*
 * GPU atomic adds and CPU atomic increments race on one 64-bit word while
 * its page moves: no increment may be lost or doubled.
 */
static bool op_atomics(struct worker *w)
{
	struct span s = { .off = 8 * rnd_below(&w->rng, w->size / 8), .len = 8 };
	struct svm_gpu_cmd cmds[ATOMIC_ADDS];
	uint64_t *word = (uint64_t *)(w->base + s.off);
	uint64_t before, after, want;
	int g = pick_gpu(w);

	note(w, "atomics %s +0x%zx", gpu_name(w, g), s.off);
	if (!sync_gpu(w))
		return false;
	w->work_cancelled = false;
	memcpy(&before, w->shadow + s.off, 8);
	for (int i = 0; i < ATOMIC_ADDS; i++)
		cmds[i] = svm_cmd_atomic_add((uintptr_t)word, 1);
	for (int round = 0; round < ATOMIC_ROUNDS; round++) {
		if (!submit(w, g, cmds, ATOMIC_ADDS, s, (struct span){ 0 }))
			return false;
		for (int i = 0; i < ATOMIC_ADDS; i++) {
			__atomic_fetch_add(word, 1, __ATOMIC_SEQ_CST);
			if (i == ATOMIC_ADDS / 2)
				perturb_page(w, s.off);
		}
	}
	if (!sync_gpu(w))
		return false;
	want = before + 2 * ATOMIC_ROUNDS * ATOMIC_ADDS;
	after = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	if (w->work_cancelled) {
		/*
		 * A page-table loss cancelled GPU adds, and the recovery wrote
		 * the word back: its count is unknown, the next op starts from
		 * what it holds.
		 */
		memcpy(w->shadow + s.off, &after, 8);
		return true;
	}
	w->atomic_adds += 2 * ATOMIC_ROUNDS * ATOMIC_ADDS;
	if (after != want) {
		fail(w, "ATOMIC DRIFT: word +0x%zx: %" PRIu64 " GPU and CPU increments from %" PRIu64 " ended at %" PRIu64 " (%+" PRId64 ")",
		     s.off, (uint64_t)2 * ATOMIC_ROUNDS * ATOMIC_ADDS, before,
		     after, (int64_t)(after - want));
		return false;
	}
	memcpy(w->shadow + s.off, &want, 8);
	return true;
}

static int ctx_queue_open(struct worker *w, int g)
{
	struct svm_ctx *ctx = &w->ctx[g];
	int ret;

	ctx->gpu = w->st->gpus[g];
	ctx->priv = NULL;
	ctx->xnack = w->st->xnack;
	ret = ctx->gpu->backend->ctx_open(ctx);
	if (ret)
		return ret;
	ret = __svm_queue_create(ctx, &w->q[g]);
	if (ret)
		ctx->gpu->backend->ctx_close(ctx);
	return ret;
}

static void ctx_queue_close(struct worker *w, int g)
{
	w->ctx[g].gpu->backend->queue_destroy(&w->q[g]);
	w->ctx[g].gpu->backend->ctx_close(&w->ctx[g]);
}

/* Close one GPU's context and open it again: the process keeps its SVM. */
static bool op_reopen(struct worker *w)
{
	int g = pick_gpu(w);
	int ret;

	note(w, "reopen %s", gpu_name(w, g));
	if (!sync_gpu(w))
		return false;
	ctx_queue_close(w, g);
	ret = ctx_queue_open(w, g);
	if (ret) {
		fail(w, "BAD ERRNO: reopening %s: %s", w->st->gpus[g]->name,
		     strerror(-ret));
		return false;
	}
	return true;
}

/* GET_ATTR: every GPU has ACCESS on every page of the region. */
static bool op_get_attr(struct worker *w)
{
	struct drm_amdgpu_svm_attribute attrs[SVM_GPUS_MAX];
	struct span p = page_span(w);
	int n = w->st->ngpus, ret;

	note(w, "get-attr +0x%zx len 0x%zx", p.off, p.len);
	for (int g = 0; g < n; g++)
		attrs[g] = (struct drm_amdgpu_svm_attribute){
			.type = AMDGPU_SVM_ATTR_ACCESS,
			.value = w->ctx[g].gpu->gpu_id,
		};
	ret = __svm_get_attr(w->ctx[0].fd, (uintptr_t)w->base + p.off, p.len,
			     attrs, n);
	if (ret) {
		fail(w, "BAD ERRNO: GET_ATTR: %s", strerror(-ret));
		return false;
	}
	for (int g = 0; g < n; g++)
		if (attrs[g].type != AMDGPU_SVM_ATTR_ACCESS) {
			fail(w, "ATTRIBUTE MISMATCH: %s has access type %u on +0x%zx len 0x%zx, want ACCESS",
			     gpu_name(w, g), attrs[g].type, p.off, p.len);
			return false;
		}
	return true;
}

/*
 * Wipe a GPU's page tables, as a reset that lost VRAM does: every queue on
 * it, every worker's, is lost and its work cancelled. Each worker finds out
 * at its next wait or submission there (recover_cancelled()); the first
 * submission to a new queue maps SVM memory again.
 */
static bool op_lose_page_tables(struct worker *w)
{
	int g = pick_gpu(w);
	const struct svm_gpu *gpu = w->ctx[g].gpu;
	unsigned int vms;

	note(w, "lose-page-tables %s", gpu_name(w, g));
	if (!gpu->backend->lose_page_tables ||
	    gpu->backend->lose_page_tables(gpu, &vms))
		atomic_fetch_add(&w->st->pt_loss_unavailable, 1);
	else
		atomic_fetch_add(&w->st->pt_losses, 1);
	return true;
}

static bool (*const op_fns[OP_COUNT])(struct worker *w) = {
	[OP_GPU_FILL] = op_gpu_fill,
	[OP_GPU_COPY] = op_gpu_copy,
	[OP_GPU_WRITE] = op_gpu_write,
	[OP_GPU_READBACK] = op_gpu_readback,
	[OP_CPU_WRITE] = op_cpu_write,
	[OP_CPU_CHECK] = op_cpu_check,
	[OP_DONTNEED] = op_dontneed,
	[OP_PAGEOUT] = op_pageout,
	[OP_MPROTECT] = op_mprotect,
	[OP_REMAP] = op_remap,
	[OP_MREMAP] = op_mremap,
	[OP_PREFETCH] = op_prefetch,
	[OP_EVICT_VRAM] = op_evict_vram,
	[OP_FORK] = op_fork,
	[OP_PARENT_FD] = op_parent_fd,
	[OP_ATOMICS] = op_atomics,
	[OP_REOPEN] = op_reopen,
	[OP_GET_ATTR] = op_get_attr,
	[OP_LOSE_PAGE_TABLES] = op_lose_page_tables,
};

static enum op pick_op(struct worker *w)
{
	const unsigned int *weight = w->st->weight;
	unsigned int total = 0, r;

	for (int i = 0; i < OP_COUNT; i++)
		total += weight[i];
	r = rnd_below(&w->rng, total);
	for (int i = 0; i < OP_COUNT; i++) {
		if (r < weight[i])
			return i;
		r -= weight[i];
	}
	return OP_GPU_FILL;
}

/* The weights of the operations, those SVM_STRESS_SKIP names zero. */
static void set_weights(struct stress *st)
{
	const char *skip = getenv("SVM_STRESS_SKIP");
	unsigned int total = 0;

	for (int i = 0; i < OP_COUNT; i++)
		st->weight[i] = ops[i].weight;
	while (skip && *skip) {
		size_t len = strcspn(skip, ",");
		int i;

		for (i = 0; i < OP_COUNT; i++)
			if (strlen(ops[i].name) == len &&
			    !strncmp(ops[i].name, skip, len))
				break;
		igt_assert_f(i < OP_COUNT, "SVM_STRESS_SKIP: no operation named %.*s\n",
			     (int)len, skip);
		st->weight[i] = 0;
		skip += len + (skip[len] == ',');
	}
	for (int i = 0; i < OP_COUNT; i++)
		total += st->weight[i];
	igt_assert_f(total, "SVM_STRESS_SKIP leaves no operation\n");
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	while (!stopped(w) && !deadline_passed(&w->st->deadline)) {
		enum op op = pick_op(w);

		w->count[op]++;
		if (!op_fns[op](w))
			break;
		w->nops++;
	}
	if (!stopped(w) && sync_gpu(w)) {
		note(w, "final check of the whole region");
		check_span(w, (uint8_t *)w->base, (struct span){ 0, w->size },
			   "DATA MISMATCH", "final CPU read");
	}
	return NULL;
}

/*
 * The meddler: locations, granularities, attribute reads and pageout over
 * any worker's pages, racing the workers' own operations. Data never
 * changes through it; an SET_ATTR on pages a worker just unmapped may
 * fail with -EFAULT, -EAGAIN or -ENOMEM, anything else is a bug.
 */
static void *meddler_run(void *arg)
{
	struct stress *st = arg;
	int fd = st->anchor[0].fd;

	while (!atomic_load(&st->stop) && !deadline_passed(&st->deadline)) {
		struct worker *w = &st->workers[rnd_below(&st->meddler_rng,
							  st->nworkers)];
		size_t page = page_size(), pages = w->size / page;
		size_t len = page * (1 + rnd_below(&st->meddler_rng, pages));
		size_t off = page * rnd_below(&st->meddler_rng,
					      pages - len / page + 1);
		int g = rnd_below(&st->meddler_rng, st->ngpus + 1);
		uint32_t loc = g == st->ngpus ? AMDGPU_SVM_LOCATION_SYSMEM :
			       st->gpus[g]->gpu_id;
		struct drm_amdgpu_svm_attribute attrs[3];
		int kind = rnd_below(&st->meddler_rng, 10), ret = 0;

		st->meddler_ops++;
		if (kind < 4) {
			attrs[0] = (struct drm_amdgpu_svm_attribute){
				AMDGPU_SVM_ATTR_PREFETCH_LOC, loc };
			ret = __svm_set_attr(fd,
					     (uintptr_t)w->base + off, len, attrs, 1);
		} else if (kind < 6) {
			attrs[0] = (struct drm_amdgpu_svm_attribute){
				AMDGPU_SVM_ATTR_PREFERRED_LOC, loc };
			attrs[1] = (struct drm_amdgpu_svm_attribute){
				AMDGPU_SVM_ATTR_GRANULARITY,
				rnd_below(&st->meddler_rng, 10) };
			ret = __svm_set_attr(fd,
					     (uintptr_t)w->base + off, len, attrs, 2);
		} else if (kind < 8) {
			attrs[0].type = AMDGPU_SVM_ATTR_PREFERRED_LOC;
			attrs[1].type = AMDGPU_SVM_ATTR_GRANULARITY;
			attrs[2].type = AMDGPU_SVM_ATTR_SET_FLAGS;
			ret = __svm_get_attr(fd,
					     (uintptr_t)w->base + off, len, attrs, 3);
		} else if (kind < 9) {
			madvise(w->base + off, len, MADV_PAGEOUT);
		} else {
			evict_vram(st, st->gpus[rnd_below(&st->meddler_rng, st->ngpus)]);
		}
		if (ret == -EFAULT || ret == -EAGAIN || ret == -ENOMEM) {
			st->meddler_refused++;
		} else if (ret) {
			pthread_mutex_lock(&st->fail_lock);
			if (!st->failure[0])
				snprintf(st->failure, sizeof(st->failure),
					 "meddler, op %lu: BAD ERRNO: %s on +0x%zx len 0x%zx of worker %d: %s",
					 st->meddler_ops,
					 kind < 6 ? "SET_ATTR" : "GET_ATTR", off, len,
					 w->id, strerror(-ret));
			atomic_store(&st->stop, true);
			pthread_mutex_unlock(&st->fail_lock);
		}
	}
	return NULL;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *env = getenv(name);

	return env && *env ? strtoull(env, NULL, 0) : def;
}

static void worker_setup(struct stress *st, struct worker *w, int id)
{
	size_t region_max = 8 * SZ_1M;

	memset(w, 0, sizeof(*w));
	w->st = st;
	w->id = id;
	w->rng = st->seed ^ (0x9e3779b97f4a7c15ull * (id + 1));
	w->rng = w->rng ?: 1;
	w->busy_queue = -1;
	w->size = 2 * SZ_1M * (1 + rnd_below(&w->rng, region_max / (2 * SZ_1M)));
	w->thp = rnd_below(&w->rng, 2);
	w->base = svm_map_aligned(w->size, 2 * SZ_1M);
	madvise(w->base, w->size, w->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	w->shadow = malloc(w->size);
	igt_assert(w->shadow);
	for (size_t i = 0; i < w->size; i += 8) {
		uint64_t v = rnd(&w->rng);

		memcpy(w->shadow + i, &v, 8);
	}
	memcpy(w->base, w->shadow, w->size);
	w->probe = svm_map(PROBE_SIZE);
	for (int g = 0; g < st->ngpus; g++) {
		int ret = ctx_queue_open(w, g);

		igt_assert_f(ret == 0, "%s: a context and queue for worker %d: %s\n",
			     st->gpus[g]->name, id, strerror(-ret));
		svm_give_access(&w->ctx[g], w->probe, PROBE_SIZE);
	}
	igt_assert(give_access(w, (struct span){ 0, w->size }));
}

static void worker_teardown(struct worker *w)
{
	for (int g = 0; g < w->st->ngpus; g++)
		ctx_queue_close(w, g);
	munmap(w->base, w->size);
	munmap(w->probe, PROBE_SIZE);
	free(w->shadow);
}

static void print_totals(struct stress *st, unsigned int seconds)
{
	unsigned long count[OP_COUNT] = { 0 }, total = 0, adds = 0, skipped = 0;
	unsigned long cancelled = 0;
	char line[1024];
	int n = 0;

	for (int i = 0; i < st->nworkers; i++) {
		struct worker *w = &st->workers[i];

		for (int op = 0; op < OP_COUNT; op++)
			count[op] += w->count[op];
		total += w->nops;
		adds += w->atomic_adds;
		skipped += w->mm_skipped;
		cancelled += w->cancelled;
	}
	for (int op = 0; op < OP_COUNT; op++)
		n += snprintf(line + n, sizeof(line) - n, " %s %lu",
			      ops[op].name, count[op]);
	igt_info("stress: %lu operations in %u s by %d workers:%s\n", total,
		 seconds, st->nworkers, line);
	igt_info("stress: %lu atomic increments checked, %lu mremaps skipped (span across VMAs), meddler %lu operations (%lu refused as allowed)\n",
		 adds, skipped, st->meddler_ops, st->meddler_refused);
	igt_info("stress: %lu VRAM evictions through debugfs, %lu impossible (no debugfs file), last refusal: %s\n",
		 atomic_load(&st->vram_evictions),
		 atomic_load(&st->vram_evict_unavailable),
		 atomic_load(&st->vram_evict_errno) ?
		 strerror(atomic_load(&st->vram_evict_errno)) : "none");
	igt_info("stress: %lu page-table losses, %lu impossible (no such knob), %lu waits of cancelled work redone by the CPU\n",
		 atomic_load(&st->pt_losses),
		 atomic_load(&st->pt_loss_unavailable), cancelled);
}

static void run_stress(struct svm_gpu *gpus, int ngpus, bool xnack,
		       unsigned int seconds)
{
	static struct stress st;
	uint64_t seed = env_u64("SVM_STRESS_SEED", 0);
	bool virtual_only = true;
	struct timespec start, end;

	memset(&st, 0, sizeof(st));
	pthread_mutex_init(&st.fail_lock, NULL);
	st.xnack = xnack;
	for (int g = 0; g < ngpus; g++)
		if (!xnack || gpus[g].xnack_capable)
			st.gpus[st.ngpus++] = &gpus[g];
	igt_require_f(st.ngpus, "no GPU of the machine can run XNACK on\n");
	if (!seed)
		igt_assert_eq(getrandom(&seed, sizeof(seed), 0),
			      (ssize_t)sizeof(seed));
	st.seed = seed ?: 1;
	st.meddler_rng = st.seed ^ 0xd1b54a32d192ed03ull;
	set_weights(&st);
	st.nworkers = env_u64("SVM_STRESS_THREADS", 3);
	igt_assert_f(st.nworkers >= 1 && st.nworkers <= WORKERS_MAX,
		     "SVM_STRESS_THREADS must be 1..%d\n", WORKERS_MAX);
	seconds = env_u64("SVM_STRESS_SECONDS", seconds);
	igt_info("stress: XNACK %s, %d GPUs, %d workers, %s queues, %u s, seed 0x%" PRIx64 " (SVM_STRESS_SEED=0x%" PRIx64 " replays it)\n",
		 xnack ? "on" : "off", st.ngpus, st.nworkers,
		 svm_fenced_queues_wanted(xnack) ? "fenced" : "user", seconds,
		 st.seed, st.seed);

	/* The process keeps every GPU open while workers reopen theirs. */
	for (int g = 0; g < st.ngpus; g++)
		svm_ctx_open(st.gpus[g], xnack, &st.anchor[g]);
	for (int i = 0; i < st.nworkers; i++)
		worker_setup(&st, &st.workers[i], i);

	clock_gettime(CLOCK_MONOTONIC, &start);
	st.deadline = start;
	st.deadline.tv_sec += seconds;
	for (int i = 0; i < st.nworkers; i++)
		igt_assert_eq(pthread_create(&st.workers[i].thread, NULL,
					     worker_run, &st.workers[i]), 0);
	igt_assert_eq(pthread_create(&st.meddler, NULL, meddler_run, &st), 0);
	for (int i = 0; i < st.nworkers; i++)
		pthread_join(st.workers[i].thread, NULL);
	atomic_store(&st.stop, true);
	pthread_join(st.meddler, NULL);
	clock_gettime(CLOCK_MONOTONIC, &end);

	print_totals(&st, end.tv_sec - start.tv_sec);
	for (int i = 0; i < st.nworkers; i++)
		worker_teardown(&st.workers[i]);
	for (int g = 0; g < st.ngpus; g++)
		svm_ctx_close(&st.anchor[g]);
	igt_assert_f(!st.failure[0], "%s (seed 0x%" PRIx64 ", SVM_STRESS_SEED=0x%" PRIx64 " replays it)\n",
		     st.failure, st.seed, st.seed);
	/*
	 * Virtual GPUs have both knobs in debugfs: where it is open to the
	 * test, none of those operations was a no-op.
	 */
	for (int g = 0; g < st.ngpus; g++)
		virtual_only &= st.gpus[g]->is_virtual;
	virtual_only &= access("/sys/kernel/debug/dri", W_OK) == 0;
	igt_assert_f(!virtual_only ||
		     (!atomic_load(&st.vram_evict_unavailable) &&
		      !atomic_load(&st.pt_loss_unavailable)),
		     "%lu VRAM evictions and %lu page-table losses could not be made on virtual GPUs\n",
		     atomic_load(&st.vram_evict_unavailable),
		     atomic_load(&st.pt_loss_unavailable));
}

static void run_modes(struct svm_gpu *gpus, int ngpus, unsigned int seconds)
{
	char names[160];

	for (int x = 0; x <= 1; x++) {
		int n = 0;

		if (!svm_xnack_wanted(x))
			continue;
		/* The GPUs the mode runs on; the first one when none can. */
		for (int g = 0; g < ngpus; g++)
			if (!x || gpus[g].xnack_capable)
				n += snprintf(names + n, sizeof(names) - n, "%s%s",
					      n ? "-" : "", gpus[g].name);
		if (!n)
			snprintf(names, sizeof(names), "%s", gpus[0].name);
		igt_dynamic_f("%s-xnack-%s", names, x ? "on" : "off")
			run_stress(gpus, ngpus, x, seconds);
	}
}

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture()
		ngpus = svm_gpus_require(gpus);

	igt_describe("Worker threads and a meddler run random GPU, CPU, mm, migration, eviction, reopen and fork operations on all GPUs for 60 s per XNACK mode (SVM_STRESS_SECONDS), every byte, atomic total and access attribute checked against a shadow model.");
	igt_subtest_with_dynamic("random-ops")
		run_modes(gpus, ngpus, 60);

	igt_describe("As random-ops, for 10 s per XNACK mode: the pre-merge form.");
	igt_subtest_with_dynamic("random-ops-short")
		run_modes(gpus, ngpus, 10);

	igt_fixture()
		svm_gpus_close(gpus, ngpus);
}
