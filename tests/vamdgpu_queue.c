// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: vamdgpu queue
 * Category: Infrastructure
 * Mega feature: SVM
 * Sub-category: Virtual GPU
 * Functionality: queues, command execution, quiesce and resume
 * Description: The virtual GPU's queues execute every command type
 *	through the GPU page table against system memory mapped by hand,
 *	complete in order, stop while quiesced, and survive being destroyed
 *	or closed with work in flight.
 *
 * SUBTEST: commands
 * Description: Each command type (read, write, fill, copy, atomic add,
 *	fence) gives the expected memory contents and read-back value on
 *	each GPU, including spans that cross pages.
 *
 * SUBTEST: in-order
 * Description: Submissions complete in order: waiting for the last one
 *	means every earlier one is done, and each submission's writes land
 *	over those of the one before.
 *
 * SUBTEST: quiesce-blocks-new-work
 * Description: While the process is quiesced nothing new runs on its
 *	queues (a wait times out, memory is untouched, new queues start
 *	quiesced); after resume the work runs, and the counters show one
 *	quiesce and one resume.
 *
 * SUBTEST: quiesce-lets-in-flight-finish
 * Description: Quiescing while a long command executes returns once that
 *	command finished; the next submission does not start until resume.
 *
 * SUBTEST: fenced-queue
 * Description: A fenced queue (the model of command submission): a
 *	quiesce returns only once the whole submission in flight completed,
 *	not just its current command; a VM fault fails the wait with EIO, a
 *	quiesce after it does not hang, and a new fenced queue works.
 *
 * SUBTEST: destroy-with-work-in-flight
 * Description: Destroying a queue with long work queued returns, a wait
 *	on it afterwards gets ENOENT, and a new queue runs work.
 *
 * SUBTEST: wait-during-destroy
 * Description: Per queue kind (user; fenced with XNACK off): a wait whose
 *	timeout expires while another thread destroys the queue, and the
 *	destruction still waits for the fill in flight, fails with ETIME, not
 *	ENOENT: that fill completes. A wait on the submission queued behind
 *	it gets ENOENT once the destruction drops it, which then never runs.
 *
 * SUBTEST: close-with-work-in-flight
 * Description: Closing the render node with long work queued and memory
 *	mapped tears everything down without a kernel report.
 *
 * SUBTEST: page-tables-lost
 * Description: Per queue kind (user; fenced with XNACK off): a loss of the
 *	GPU's page tables (debugfs vamdgpu_lose_page_tables, the model of a
 *	reset that lost VRAM) cancels the submissions of every queue: queued
 *	ones never run, even after resume, the one executing stops without a
 *	VM fault and writes nothing once its wait returned, and one queued
 *	behind it is cancelled after it (a fenced queue's fences signal in
 *	seqno order, or the virtual GPU WARNs); waits fail with
 *	ECANCELED, the queue reports the lost state and refuses submissions
 *	with ECANCELED, as amdgpu refuses a context made before the reset. A
 *	new queue works, on the hand-made mappings written again.
 *
 * SUBTEST: debugfs
 * Description: The device's debugfs shows the process and its queue with
 *	the counters QUEUE_STATUS reports, and reading vamdgpu_evict_vram
 *	runs one eviction pass, counted in vamdgpu_vram.
 */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igt.h"
#include "vamdgpu.h"

#define PAGE		4096ull
#define BUF_SIZE	(16 * PAGE)
/* GPU VAs deliberately unlike the CPU addresses: translation is real. */
#define VA_SRC		0x100000000ull
#define VA_DST		0x200000000ull

struct mapped {
	int fd;
	uint32_t queue;
	uint8_t *src;
	uint8_t *dst;
};

static void *alloc_buf(size_t size, int c)
{
	void *p = aligned_alloc(PAGE, size);

	igt_assert(p);
	memset(p, c, size);
	return p;
}

static void setup(struct mapped *m, const struct vamdgpu_gpu *gpu)
{
	m->fd = vamdgpu_reopen(gpu->fd);
	m->src = alloc_buf(BUF_SIZE, 0);
	m->dst = alloc_buf(BUF_SIZE, 0x5a);
	for (size_t i = 0; i < BUF_SIZE; i++)
		m->src[i] = (uint8_t)(i * 7 + 3);
	vamdgpu_map_userptr(m->fd, VA_SRC, BUF_SIZE, m->src, 0);
	vamdgpu_map_userptr(m->fd, VA_DST, BUF_SIZE, m->dst, 0);
	m->queue = vamdgpu_queue_create(m->fd);
}

static void teardown(struct mapped *m)
{
	close(m->fd);
	free(m->src);
	free(m->dst);
}

static uint64_t read_value(struct mapped *m)
{
	struct drm_vamdgpu_queue_status st;

	vamdgpu_queue_status(m->fd, m->queue, &st);
	return st.read_value;
}

/* dst[off, off + len) must equal @expect; the rest must still be 0x5a. */
static void check_dst(const char *gpu, const char *what, struct mapped *m,
		      size_t off, const uint8_t *expect, size_t len)
{
	for (size_t i = 0; i < BUF_SIZE; i++) {
		uint8_t want = i >= off && i < off + len ? expect[i - off] : 0x5a;

		igt_assert_f(m->dst[i] == want,
			     "%s %s: dst offset %zu (GPU VA 0x%llx): expected 0x%02x, found 0x%02x\n",
			     gpu, what, i, (unsigned long long)(VA_DST + i), want,
			     m->dst[i]);
	}
}

static void test_read(const char *gpu, struct mapped *m)
{
	struct drm_vamdgpu_cmd cmds[] = {
		vamdgpu_cmd_read(VA_SRC + PAGE - 4, 8),	/* crosses a page */
	};
	uint64_t expect;

	memcpy(&expect, m->src + PAGE - 4, 8);
	vamdgpu_exec(m->fd, m->queue, cmds, 1);
	igt_assert_f(read_value(m) == expect,
		     "%s read at VA 0x%llx: expected 0x%016llx, read 0x%016llx\n", gpu,
		     VA_SRC + PAGE - 4, (unsigned long long)expect,
		     (unsigned long long)read_value(m));

	cmds[0] = vamdgpu_cmd_read(VA_SRC + 12, 4);
	vamdgpu_exec(m->fd, m->queue, cmds, 1);
	igt_assert_eq_u64(read_value(m), *(uint32_t *)(m->src + 12));

	cmds[0] = vamdgpu_cmd_read(VA_SRC, BUF_SIZE);
	vamdgpu_exec(m->fd, m->queue, cmds, 1);
	igt_assert_eq_u64(read_value(m), *(uint64_t *)m->src);
}

static void test_write(const char *gpu, struct mapped *m)
{
	uint64_t v = 0x1122334455667788ull;
	struct drm_vamdgpu_cmd cmds[] = {
		vamdgpu_cmd_write(VA_DST + 2 * PAGE - 4, v, 8),	/* crosses a page */
	};

	vamdgpu_exec(m->fd, m->queue, cmds, 1);
	check_dst(gpu, "write", m, 2 * PAGE - 4, (uint8_t *)&v, 8);
}

static void test_fill(const char *gpu, struct mapped *m)
{
	size_t off = 4 * PAGE - 6, len = 3 * PAGE + 8;
	uint32_t pattern = 0xdeadbeef;
	uint8_t *expect = malloc(len);
	struct drm_vamdgpu_cmd cmds[] = {
		vamdgpu_cmd_fill(VA_DST + off, len, pattern),
	};

	igt_assert(expect);
	for (size_t i = 0; i < len; i++)
		expect[i] = pattern >> (8 * (i % 4));
	vamdgpu_exec(m->fd, m->queue, cmds, 1);
	check_dst(gpu, "fill", m, off, expect, len);
	free(expect);
}

static void test_copy(const char *gpu, struct mapped *m)
{
	size_t off = 100, len = 5 * PAGE + 123;
	struct drm_vamdgpu_cmd cmds[] = {
		vamdgpu_cmd_copy(VA_DST + off, VA_SRC + 3, len),
	};

	vamdgpu_exec(m->fd, m->queue, cmds, 1);
	check_dst(gpu, "copy", m, off, m->src + 3, len);
}

static void test_atomic_add(const char *gpu, struct mapped *m)
{
	uint64_t *word = (uint64_t *)(m->dst + 3 * PAGE + 8);
	struct drm_vamdgpu_cmd cmds[] = {
		vamdgpu_cmd_atomic_add(VA_DST + 3 * PAGE + 8, 7),
		vamdgpu_cmd_atomic_add(VA_DST + 3 * PAGE + 8, 1000),
	};

	*word = 5;
	vamdgpu_exec(m->fd, m->queue, cmds, 2);
	igt_assert_f(*word == 1012, "%s atomic add: expected 1012, found %llu\n",
		     gpu, (unsigned long long)*word);
	igt_assert_f(read_value(m) == 12,
		     "%s atomic add: expected old value 12, got %llu\n", gpu,
		     (unsigned long long)read_value(m));
}

static void test_fence(const char *gpu, struct mapped *m)
{
	volatile uint64_t *fence = (uint64_t *)(m->dst + BUF_SIZE - 8);
	struct drm_vamdgpu_cmd cmds[] = {
		vamdgpu_cmd_fill(VA_DST, BUF_SIZE - 8, 0x01020304),
		vamdgpu_cmd_fence(VA_DST + BUF_SIZE - 8, 42),
	};
	uint64_t seqno;

	seqno = vamdgpu_submit(m->fd, m->queue, cmds, 2);
	/* Polled for up to 10 s: a lost fence fails rather than hangs. */
	for (int ms = 0; *fence != 42; ms++) {
		igt_assert_f(ms < 10000, "%s fence: the fence never landed\n", gpu);
		usleep(1000);
	}
	/* The fence landed, so the fill before it is complete. */
	for (size_t i = 0; i < BUF_SIZE - 8; i += 4)
		igt_assert_f(*(uint32_t *)(m->dst + i) == 0x01020304,
			     "%s fence: fill not complete at offset %zu when the fence landed\n",
			     gpu, i);
	vamdgpu_wait(m->fd, m->queue, seqno);
}

static const struct {
	const char *name;
	void (*run)(const char *gpu, struct mapped *m);
} commands[] = {
	{ "read", test_read },
	{ "write", test_write },
	{ "fill", test_fill },
	{ "copy", test_copy },
	{ "atomic-add", test_atomic_add },
	{ "fence", test_fence },
};

static void test_in_order(const char *gpu, struct mapped *m)
{
	uint64_t seqno[8];
	struct drm_vamdgpu_queue_status st;

	for (int i = 0; i < 8; i++) {
		struct drm_vamdgpu_cmd cmds[] = {
			vamdgpu_cmd_fill(VA_DST, BUF_SIZE, i),
			vamdgpu_cmd_write(VA_DST + 8 * i, 100 + i, 8),
		};

		seqno[i] = vamdgpu_submit(m->fd, m->queue, cmds, 2);
		igt_assert_f(!i || seqno[i] == seqno[i - 1] + 1,
			     "%s: seqno %llu after %llu\n", gpu,
			     (unsigned long long)seqno[i],
			     (unsigned long long)seqno[i - 1]);
	}
	vamdgpu_wait(m->fd, m->queue, seqno[7]);
	vamdgpu_queue_status(m->fd, m->queue, &st);
	igt_assert_eq_u64(st.completed_seqno, seqno[7]);
	for (int i = 0; i < 7; i++)
		igt_assert_eq(__vamdgpu_wait(m->fd, m->queue, seqno[i], 0), 0);
	/* Only the last submission's write survives the last fill. */
	igt_assert_eq_u64(*(uint64_t *)(m->dst + 56), 107);
	igt_assert_eq_u32(*(uint32_t *)(m->dst + 0), 7);
}

static void test_quiesce(const char *gpu, struct mapped *m)
{
	struct drm_vamdgpu_cmd cmds[] = {
		vamdgpu_cmd_write(VA_DST + 64, 0xabcdef, 8),
	};
	struct drm_vamdgpu_queue_status st;
	uint32_t late_queue;
	uint64_t seqno, late_seqno;
	int ret;

	vamdgpu_quiesce(m->fd);
	seqno = vamdgpu_submit(m->fd, m->queue, cmds, 1);
	late_queue = vamdgpu_queue_create(m->fd);
	late_seqno = vamdgpu_submit(m->fd, late_queue, cmds, 1);

	ret = __vamdgpu_wait(m->fd, m->queue, seqno, 200 * 1000 * 1000);
	igt_assert_f(ret == -ETIME, "%s: wait while quiesced returned %d (%s), expected -ETIME\n",
		     gpu, ret, strerror(-ret));
	igt_assert_eq(__vamdgpu_wait(m->fd, late_queue, late_seqno, 0), -ETIME);
	igt_assert_f(*(uint64_t *)(m->dst + 64) == 0x5a5a5a5a5a5a5a5aull,
		     "%s: a command ran while quiesced\n", gpu);

	vamdgpu_queue_status(m->fd, m->queue, &st);
	igt_assert_f(st.state == VAMDGPU_QUEUE_STATE_QUIESCED,
		     "%s: queue state %s while quiesced\n", gpu,
		     vamdgpu_queue_state_name(st.state));
	igt_assert_eq_u32(st.quiesce_count, 1);
	igt_assert_eq_u32(st.resume_count, 0);

	vamdgpu_resume(m->fd);
	vamdgpu_wait(m->fd, m->queue, seqno);
	vamdgpu_wait(m->fd, late_queue, late_seqno);
	igt_assert_eq_u64(*(uint64_t *)(m->dst + 64), 0xabcdef);

	vamdgpu_queue_status(m->fd, m->queue, &st);
	igt_assert_eq_u32(st.state, VAMDGPU_QUEUE_STATE_ACTIVE);
	igt_assert_eq_u32(st.quiesce_count, 1);
	igt_assert_eq_u32(st.resume_count, 1);
	vamdgpu_queue_status(m->fd, late_queue, &st);
	igt_assert_eq_u32(st.quiesce_count, 0);
	igt_assert_eq_u32(st.resume_count, 1);
}

#define BIG_SIZE	(64ull << 20)

static void test_quiesce_in_flight(const char *gpu, struct mapped *m)
{
	uint8_t *big = aligned_alloc(PAGE, BIG_SIZE);
	struct drm_vamdgpu_cmd fill = vamdgpu_cmd_fill(VA_SRC + BUF_SIZE, BIG_SIZE, 0x77777777);
	struct drm_vamdgpu_cmd mark = vamdgpu_cmd_write(VA_DST, 0x1234, 8);
	struct drm_vamdgpu_queue_status st;
	uint64_t first, second;

	igt_assert(big);
	memset(big, 0, BIG_SIZE);
	vamdgpu_map_userptr(m->fd, VA_SRC + BUF_SIZE, BIG_SIZE, big, 0);
	first = vamdgpu_submit(m->fd, m->queue, &fill, 1);
	second = vamdgpu_submit(m->fd, m->queue, &mark, 1);
	/* Wait for the fill to start: its first page-table walk. */
	do {
		vamdgpu_queue_status(m->fd, m->queue, &st);
	} while (!st.tlb_miss_count && st.completed_seqno < first);

	vamdgpu_quiesce(m->fd);
	vamdgpu_queue_status(m->fd, m->queue, &st);
	igt_assert_f(st.completed_seqno == first,
		     "%s: quiesce returned with completed seqno %llu, expected the in-flight %llu\n",
		     gpu, (unsigned long long)st.completed_seqno,
		     (unsigned long long)first);
	igt_assert_f(big[BIG_SIZE - 1] == 0x77 && big[0] == 0x77,
		     "%s: the in-flight fill did not finish before quiesce returned\n", gpu);
	igt_assert_eq(__vamdgpu_wait(m->fd, m->queue, second, 100 * 1000 * 1000), -ETIME);
	igt_assert_f(*(uint64_t *)m->dst == 0x5a5a5a5a5a5a5a5aull,
		     "%s: a new submission ran while quiesced\n", gpu);

	vamdgpu_resume(m->fd);
	vamdgpu_wait(m->fd, m->queue, second);
	igt_assert_eq_u64(*(uint64_t *)m->dst, 0x1234);
	vamdgpu_unmap(m->fd, VA_SRC + BUF_SIZE, BIG_SIZE, 0);
	free(big);
}

/* Queue a lot of work: 32 fills of the whole buffer per submission. */
static uint64_t queue_long_work(struct mapped *m, int submissions)
{
	struct drm_vamdgpu_cmd cmds[32];
	uint64_t seqno = 0;

	for (int i = 0; i < 32; i++)
		cmds[i] = vamdgpu_cmd_fill(VA_DST, BUF_SIZE, i);
	for (int i = 0; i < submissions; i++)
		seqno = vamdgpu_submit(m->fd, m->queue, cmds, 32);
	return seqno;
}

/*
 * A fenced queue: a quiesce waits for the whole submission in flight (its
 * fence), not only its current command; a VM fault signals the fence with
 * an error, and a quiesce afterwards does not wait for it.
 */
static void test_fenced(const char *gpu, struct mapped *m)
{
	uint8_t *big = aligned_alloc(PAGE, BIG_SIZE);
	struct drm_vamdgpu_cmd job[] = {
		vamdgpu_cmd_fill(VA_SRC + BUF_SIZE, BIG_SIZE, 0x66666666),
		vamdgpu_cmd_write(VA_DST, 0x4321, 8),
	};
	struct drm_vamdgpu_cmd bad = vamdgpu_cmd_write(0x700000000ull, 1, 8);
	struct drm_vamdgpu_queue_status st;
	uint32_t q, q2;
	uint64_t seqno;
	int ret;

	igt_require_f(!vamdgpu_xnack_enabled(m->fd),
		      "%s runs with XNACK on, where fenced queues are refused: their jobs must not wait for page faults\n",
		      gpu);
	igt_assert(big);
	memset(big, 0, BIG_SIZE);
	vamdgpu_map_userptr(m->fd, VA_SRC + BUF_SIZE, BIG_SIZE, big, 0);
	igt_assert_eq(__vamdgpu_queue_create(m->fd, VAMDGPU_QUEUE_FENCED, &q), 0);

	seqno = vamdgpu_submit(m->fd, q, job, 2);
	do {
		vamdgpu_queue_status(m->fd, q, &st);
	} while (!st.tlb_miss_count && st.completed_seqno < seqno);
	vamdgpu_quiesce(m->fd);
	vamdgpu_queue_status(m->fd, q, &st);
	igt_assert_f(st.completed_seqno == seqno &&
		     *(uint64_t *)m->dst == 0x4321,
		     "%s: quiesce of a fenced queue returned before the submission in flight completed (completed seqno %llu of %llu, mark 0x%llx)\n",
		     gpu, (unsigned long long)st.completed_seqno,
		     (unsigned long long)seqno,
		     (unsigned long long)*(uint64_t *)m->dst);
	vamdgpu_resume(m->fd);

	/* A VM fault: the fence signals with an error, nothing hangs. */
	seqno = vamdgpu_submit(m->fd, q, &bad, 1);
	ret = __vamdgpu_wait(m->fd, q, seqno, VAMDGPU_WAIT_TIMEOUT_NS);
	igt_assert_f(ret == -EIO, "%s: a fenced job's VM fault: wait returned %d (%s), expected -EIO\n",
		     gpu, ret, strerror(-ret));
	vamdgpu_quiesce(m->fd);
	vamdgpu_resume(m->fd);
	igt_assert_eq(__vamdgpu_queue_create(m->fd, VAMDGPU_QUEUE_FENCED, &q2), 0);
	vamdgpu_exec(m->fd, q2, &job[1], 1);
	vamdgpu_queue_destroy(m->fd, q2);
	vamdgpu_queue_destroy(m->fd, q);
	vamdgpu_unmap(m->fd, VA_SRC + BUF_SIZE, BIG_SIZE, 0);
	free(big);
}

static void test_destroy_in_flight(const char *gpu, struct mapped *m)
{
	uint64_t seqno = queue_long_work(m, 16);
	uint32_t other;
	struct drm_vamdgpu_cmd cmds[] = {
		vamdgpu_cmd_write(VA_DST, 77, 8),
	};
	int ret;

	vamdgpu_queue_destroy(m->fd, m->queue);
	ret = __vamdgpu_wait(m->fd, m->queue, seqno, 0);
	igt_assert_f(ret == -ENOENT, "%s: wait on a destroyed queue returned %d, expected -ENOENT\n",
		     gpu, ret);

	other = vamdgpu_queue_create(m->fd);
	vamdgpu_exec(m->fd, other, cmds, 1);
	igt_assert_eq_u64(*(uint64_t *)m->dst, 77);
}

static void test_close_in_flight(const char *gpu, struct mapped *m)
{
	uint32_t second = vamdgpu_queue_create(m->fd);

	queue_long_work(m, 16);
	m->queue = second;
	queue_long_work(m, 16);
	/* teardown() closes the fd with all of it queued. */
}

/* A queue of @kind on @m, or skip: fenced queues need XNACK off. */
static uint32_t queue_of_kind(const char *gpu, struct mapped *m, bool fenced)
{
	uint32_t q;

	if (!fenced)
		return vamdgpu_queue_create(m->fd);
	igt_require_f(!vamdgpu_xnack_enabled(m->fd),
		      "%s runs with XNACK on, where fenced queues are refused\n",
		      gpu);
	igt_assert_eq(__vamdgpu_queue_create(m->fd, VAMDGPU_QUEUE_FENCED, &q), 0);
	return q;
}

/* What one wait of wait-during-destroy saw, and when (from &start). */
struct destroy_waiter {
	int fd;
	uint32_t queue;
	uint64_t seqno;
	uint64_t timeout_ns;
	struct timespec *start;
	bool called;
	uint64_t returned_ns;
	int ret;
};

static void *wait_in_thread(void *arg)
{
	struct destroy_waiter *w = arg;

	__atomic_store_n(&w->called, true, __ATOMIC_RELEASE);
	w->ret = __vamdgpu_wait(w->fd, w->queue, w->seqno, w->timeout_ns);
	w->returned_ns = igt_nsec_elapsed(w->start);
	return NULL;
}

/* How long after its call a waiter is surely inside the wait ioctl. */
#define WAITER_ENTERED_NS	(20ull * 1000 * 1000)

/*
 * Waits on a queue another thread destroys: until the destruction has
 * dropped what did not run, a timeout is a timeout (ETIME), because the
 * command in flight still runs and may complete the submission; ENOENT
 * would tell the process its data was not written when it was.
 */
static void test_wait_during_destroy(const struct vamdgpu_gpu *vgpu,
				     struct mapped *m, bool fenced)
{
	const char *gpu = vgpu->name;
	uint8_t *big = aligned_alloc(PAGE, BIG_SIZE);
	struct drm_vamdgpu_cmd fill = vamdgpu_cmd_fill(VA_SRC + BUF_SIZE, BIG_SIZE, 0x11111111);
	struct drm_vamdgpu_cmd mark = vamdgpu_cmd_write(VA_DST, 0x4444, 8);
	struct destroy_waiter w[2];
	struct timespec start = {};
	uint64_t fill_ns, destroy_ns, destroyed_ns;
	pthread_t thread[2];
	uint32_t q;

	igt_assert(big);
	memset(big, 0, BIG_SIZE);
	q = queue_of_kind(gpu, m, fenced);
	vamdgpu_map_userptr(m->fd, VA_SRC + BUF_SIZE, BIG_SIZE, big, 0);
	/*
	 * Time the fill once: the waiter below times out halfway through
	 * it, after the destruction began, whatever the GPU's speed.
	 */
	igt_nsec_elapsed(&start);
	vamdgpu_exec(m->fd, q, &fill, 1);
	fill_ns = igt_nsec_elapsed(&start);
	igt_require_f(fill_ns / 2 > 2 * WAITER_ENTERED_NS,
		      "%s: the %llu MiB fill took %.0f ms, too short to time out in\n",
		      gpu, BIG_SIZE >> 20, fill_ns / 1e6);

	fill = vamdgpu_cmd_fill(VA_SRC + BUF_SIZE, BIG_SIZE, 0x3c3c3c3c);
	memset(&start, 0, sizeof(start));
	igt_nsec_elapsed(&start);
	w[0] = (struct destroy_waiter){ .fd = m->fd, .queue = q,
		.seqno = vamdgpu_submit(m->fd, q, &fill, 1),
		.timeout_ns = fill_ns / 2, .start = &start };
	w[1] = (struct destroy_waiter){ .fd = m->fd, .queue = q,
		.seqno = vamdgpu_submit(m->fd, q, &mark, 1),
		.timeout_ns = VAMDGPU_WAIT_TIMEOUT_NS, .start = &start };
	/* Wait for the fill to start: its first bytes. */
	while (__atomic_load_n(&big[0], __ATOMIC_ACQUIRE) != 0x3c)
		usleep(100);

	for (int i = 0; i < 2; i++) {
		igt_assert_eq(pthread_create(&thread[i], NULL, wait_in_thread,
					     &w[i]), 0);
		while (!__atomic_load_n(&w[i].called, __ATOMIC_ACQUIRE))
			usleep(1000);
	}
	usleep(WAITER_ENTERED_NS / 1000);
	destroy_ns = igt_nsec_elapsed(&start);
	vamdgpu_queue_destroy(m->fd, q);
	destroyed_ns = igt_nsec_elapsed(&start);
	for (int i = 0; i < 2; i++)
		igt_assert_eq(pthread_join(thread[i], NULL), 0);

	igt_assert_f(big[0] == 0x3c && big[BIG_SIZE - 1] == 0x3c,
		     "%s: the fill in flight when the queue was destroyed did not complete\n",
		     gpu);
	igt_info("%s: the fill takes %.0f ms; the destruction began %.0f ms after it was submitted, the wait with a %.0f ms timeout returned after %.0f ms, the destruction after %.0f ms\n",
		 gpu, fill_ns / 1e6, destroy_ns / 1e6, fill_ns / 2e6,
		 w[0].returned_ns / 1e6, destroyed_ns / 1e6);
	if (!w[0].ret)
		igt_skip("%s: the fill completed within the wait's timeout: nothing timed out\n",
			 gpu);
	igt_assert_f(w[0].ret == -ETIME,
		     "%s: a wait whose timeout expired while the destruction waited for the fill in flight: %s, expected ETIME (the fill completes)\n",
		     gpu, strerror(-w[0].ret));
	igt_assert_f(w[0].returned_ns < destroyed_ns,
		     "%s: the wait with a %.0f ms timeout returned only with the destruction, %.0f ms after the fill was submitted\n",
		     gpu, fill_ns / 2e6, w[0].returned_ns / 1e6);
	igt_assert_f(w[1].ret == -ENOENT,
		     "%s: a wait on the submission queued behind the fill, which the destruction drops: %s, expected ENOENT\n",
		     gpu, w[1].ret ? strerror(-w[1].ret) : "completed");
	igt_assert_f(*(uint64_t *)m->dst == 0x5a5a5a5a5a5a5a5aull,
		     "%s: the submission the destruction dropped ran\n", gpu);
	vamdgpu_unmap(m->fd, VA_SRC + BUF_SIZE, BIG_SIZE, 0);
	free(big);
}

/* @q is lost: it says so, refuses work, and nothing of it faulted. */
static void check_lost(const char *gpu, struct mapped *m, uint32_t q)
{
	struct drm_vamdgpu_cmd cmd = vamdgpu_cmd_write(VA_DST, 1, 8);
	struct drm_vamdgpu_queue_status st;
	uint64_t seqno;
	int ret;

	vamdgpu_queue_status(m->fd, q, &st);
	igt_assert_f(st.state == VAMDGPU_QUEUE_STATE_LOST && !st.vm_fault_count,
		     "%s: queue %u after the page tables were lost: state %s, %u VM faults (expected lost, none)\n",
		     gpu, q, vamdgpu_queue_state_name(st.state), st.vm_fault_count);
	ret = __vamdgpu_submit(m->fd, q, &cmd, 1, &seqno);
	igt_assert_f(ret == -ECANCELED,
		     "%s: a submission to a lost queue: %s, expected ECANCELED\n",
		     gpu, ret ? strerror(-ret) : "accepted");
}

/*
 * A page-table loss cancels what the queues of the VM had not completed:
 * queued submissions (held back by a quiesce) never run, the running one
 * stops; a queue made afterwards works.
 */
static void test_page_tables_lost(const struct vamdgpu_gpu *gpu,
				  struct mapped *m, bool fenced)
{
	uint8_t *big = aligned_alloc(PAGE, BIG_SIZE), *snapshot = malloc(BIG_SIZE);
	struct drm_vamdgpu_cmd cmds[2];
	struct drm_vamdgpu_queue_status st;
	uint64_t seqno[2], mark = 0xc0ffee;
	size_t filled = 0;
	uint32_t q;
	int ret;

	igt_assert(big && snapshot);
	memset(big, 0, BIG_SIZE);
	igt_require_f(access("/sys/kernel/debug/dri", R_OK) == 0,
		      "no debugfs: the page tables are wiped through it\n");
	q = queue_of_kind(gpu->name, m, fenced);

	/* Queued behind a quiesce: cancelled, never run. */
	vamdgpu_quiesce(m->fd);
	cmds[0] = vamdgpu_cmd_write(VA_DST, 0x1111, 8);
	cmds[1] = vamdgpu_cmd_fill(VA_DST + PAGE, PAGE, 0x22222222);
	seqno[0] = vamdgpu_submit(m->fd, q, &cmds[0], 1);
	seqno[1] = vamdgpu_submit(m->fd, q, &cmds[1], 1);
	igt_assert_f(vamdgpu_lose_page_tables(gpu->info.instance) >= 1,
		     "%s: no VM lost its page table\n", gpu->name);
	for (int i = 0; i < 2; i++) {
		ret = __vamdgpu_wait(m->fd, q, seqno[i], VAMDGPU_WAIT_TIMEOUT_NS);
		igt_assert_f(ret == -ECANCELED,
			     "%s: waiting for queued submission %d of a lost queue: %s, expected ECANCELED\n",
			     gpu->name, i + 1, ret ? strerror(-ret) : "completed");
	}
	check_lost(gpu->name, m, q);
	vamdgpu_resume(m->fd);
	vamdgpu_queue_destroy(m->fd, q);

	/* A new queue runs, on the mappings written again. */
	q = queue_of_kind(gpu->name, m, fenced);
	cmds[0] = vamdgpu_cmd_write(VA_DST + BUF_SIZE - 8, mark, 8);
	vamdgpu_exec(m->fd, q, cmds, 1);
	check_dst(gpu->name, "after a page-table loss cancelled two writes",
		  m, BUF_SIZE - 8, (uint8_t *)&mark, 8);

	/*
	 * Running: one long fill, which has no command boundary to stop at,
	 * stops at its first access after the loss, without a VM fault, and
	 * writes nothing once its wait returned. A write queued behind it is
	 * cancelled too, after it: the fences of a fenced queue signal in
	 * order (the virtual GPU WARNs otherwise).
	 */
	vamdgpu_map_userptr(m->fd, VA_SRC + BUF_SIZE, BIG_SIZE, big, 0);
	cmds[0] = vamdgpu_cmd_fill(VA_SRC + BUF_SIZE, BIG_SIZE, 0x01010101);
	cmds[1] = vamdgpu_cmd_write(VA_DST, 0x3333, 8);
	seqno[0] = vamdgpu_submit(m->fd, q, &cmds[0], 1);
	seqno[1] = vamdgpu_submit(m->fd, q, &cmds[1], 1);
	do {
		vamdgpu_queue_status(m->fd, q, &st);
	} while (!st.tlb_miss_count && st.completed_seqno < seqno[0]);
	igt_assert_f(vamdgpu_lose_page_tables(gpu->info.instance) >= 1,
		     "%s: no VM lost its page table\n", gpu->name);
	ret = __vamdgpu_wait(m->fd, q, seqno[0], VAMDGPU_WAIT_TIMEOUT_NS);
	memcpy(snapshot, big, BIG_SIZE);
	while (filled < BIG_SIZE && big[filled])
		filled += PAGE;
	if (!ret) {
		free(big);
		free(snapshot);
		igt_skip("%s: the %llu MiB fill completed before the page tables were lost\n",
			 gpu->name, BIG_SIZE >> 20);
	}
	igt_assert_f(ret == -ECANCELED,
		     "%s: waiting for a fill running when the page tables were lost: %s, expected ECANCELED\n",
		     gpu->name, strerror(-ret));
	ret = __vamdgpu_wait(m->fd, q, seqno[1], VAMDGPU_WAIT_TIMEOUT_NS);
	igt_assert_f(ret == -ECANCELED,
		     "%s: waiting for a write queued behind a fill running when the page tables were lost: %s, expected ECANCELED\n",
		     gpu->name, ret ? strerror(-ret) : "completed");
	check_lost(gpu->name, m, q);
	usleep(100 * 1000);
	igt_assert_f(!memcmp(snapshot, big, BIG_SIZE),
		     "%s: a cancelled fill still wrote memory after its wait returned\n",
		     gpu->name);
	check_dst(gpu->name, "after a page-table loss cancelled a write queued behind a fill",
		  m, BUF_SIZE - 8, (uint8_t *)&mark, 8);
	igt_info("%s: the fill had written %zu of %llu KiB when the page tables were lost\n",
		 gpu->name, filled >> 10, BIG_SIZE >> 10);
	vamdgpu_queue_destroy(m->fd, q);
	vamdgpu_unmap(m->fd, VA_SRC + BUF_SIZE, BIG_SIZE, 0);
	free(big);
	free(snapshot);
}

/* The contents of a debugfs file of the GPU, NUL-terminated, or NULL. */
static char *read_debugfs(const struct vamdgpu_gpu *gpu, const char *file)
{
	static char buf[65536];
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/vamdgpu.%u/%s",
		 gpu->info.instance, file);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static unsigned long long debugfs_value(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	igt_assert_f(p, "no '%s' in:\n%s\n", key, text);
	return strtoull(p + strlen(key), NULL, 0);
}

static void test_debugfs(const struct vamdgpu_gpu *gpu, struct mapped *m)
{
	struct drm_vamdgpu_cmd cmd = vamdgpu_cmd_write(VA_DST, 1, 8);
	char want[128], *text;
	unsigned long long passes;

	text = read_debugfs(gpu, "vamdgpu_vram");
	igt_require_f(text, "no debugfs for %s\n", gpu->name);
	igt_assert_eq_u64(debugfs_value(text, "size "), gpu->info.vram_size);
	passes = debugfs_value(text, "evict_passes ");
	text = read_debugfs(gpu, "vamdgpu_evict_vram");
	igt_assert_f(text && strstr(text, "evicted"), "vamdgpu_evict_vram: %s\n", text);
	text = read_debugfs(gpu, "vamdgpu_vram");
	igt_assert_eq_u64(debugfs_value(text, "evict_passes "), passes + 1);

	vamdgpu_quiesce(m->fd);
	vamdgpu_resume(m->fd);
	vamdgpu_exec(m->fd, m->queue, &cmd, 1);
	text = read_debugfs(gpu, "vamdgpu_vms");
	igt_assert(text);
	snprintf(want, sizeof(want), "pid %d comm vamdgpu_queue", getpid());
	igt_assert_f(strstr(text, want), "%s: no '%s' in vamdgpu_vms:\n%s\n",
		     gpu->name, want, text);
	snprintf(want, sizeof(want),
		 "queue %u state active submitted 1 completed 1 quiesce 1 resume 1",
		 m->queue);
	igt_assert_f(strstr(text, want), "%s: no '%s' in vamdgpu_vms:\n%s\n",
		     gpu->name, want, text);
}

/* One dynamic subtest per GPU and queue kind (user; fenced), each on fresh mappings. */
static void for_each_queue_kind(const struct vamdgpu_gpu *gpus, int ngpus,
				void (*test)(const struct vamdgpu_gpu *gpu,
					     struct mapped *m, bool fenced))
{
	for (int g = 0; g < ngpus; g++) {
		for (int fenced = 0; fenced < 2; fenced++) {
			igt_dynamic_f("%s-%s", gpus[g].name,
				      fenced ? "fenced" : "user") {
				struct mapped m;

				setup(&m, &gpus[g]);
				test(&gpus[g], &m, fenced);
				teardown(&m);
			}
		}
	}
}

int igt_main()
{
	static struct vamdgpu_gpu gpus[DRM_RENDER_NODES_MAX];
	static int ngpus;

	igt_fixture() {
		ngpus = vamdgpu_gpus_open(gpus, DRM_RENDER_NODES_MAX);
		igt_require_f(ngpus > 0, "no vamdgpu render node\n");
	}

	igt_describe("Each command type (read, write, fill, copy, atomic add, fence) gives the expected memory contents and read-back value on each GPU, including spans that cross pages.");
	igt_subtest_with_dynamic("commands") {
		for (int g = 0; g < ngpus; g++) {
			for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
				igt_dynamic_f("%s-%s", gpus[g].name, commands[c].name) {
					struct mapped m;

					setup(&m, &gpus[g]);
					commands[c].run(gpus[g].name, &m);
					teardown(&m);
				}
			}
		}
	}

	igt_describe("Submissions complete in order: waiting for the last one means every earlier one is done, and each submission's writes land over those of the one before.");
	igt_subtest_with_dynamic("in-order") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s", gpus[g].name) {
				struct mapped m;

				setup(&m, &gpus[g]);
				test_in_order(gpus[g].name, &m);
				teardown(&m);
			}
		}
	}

	igt_describe("While the process is quiesced nothing new runs on its queues (a wait times out, memory is untouched, new queues start quiesced); after resume the work runs, and the counters show one quiesce and one resume.");
	igt_subtest_with_dynamic("quiesce-blocks-new-work") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s", gpus[g].name) {
				struct mapped m;

				setup(&m, &gpus[g]);
				test_quiesce(gpus[g].name, &m);
				teardown(&m);
			}
		}
	}

	igt_describe("Quiescing while a long command executes returns once that command finished; the next submission does not start until resume.");
	igt_subtest_with_dynamic("quiesce-lets-in-flight-finish") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s", gpus[g].name) {
				struct mapped m;

				setup(&m, &gpus[g]);
				test_quiesce_in_flight(gpus[g].name, &m);
				teardown(&m);
			}
		}
	}

	igt_describe("A fenced queue: a quiesce returns only once the whole submission in flight completed, not just its current command; a VM fault fails the wait with EIO, a quiesce after it does not hang, and a new fenced queue works.");
	igt_subtest_with_dynamic("fenced-queue") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s", gpus[g].name) {
				struct mapped m;

				setup(&m, &gpus[g]);
				test_fenced(gpus[g].name, &m);
				teardown(&m);
			}
		}
	}

	igt_describe("Destroying a queue with long work queued returns, a wait on it afterwards gets ENOENT, and a new queue runs work.");
	igt_subtest_with_dynamic("destroy-with-work-in-flight") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s", gpus[g].name) {
				struct mapped m;

				setup(&m, &gpus[g]);
				test_destroy_in_flight(gpus[g].name, &m);
				teardown(&m);
			}
		}
	}

	igt_describe("Per queue kind (user; fenced with XNACK off): a wait whose timeout expires while another thread destroys the queue, and the destruction waits for the fill in flight, fails with ETIME, not ENOENT, since the fill completes; a wait on the submission queued behind it gets ENOENT once it is dropped, and it never runs.");
	igt_subtest_with_dynamic("wait-during-destroy")
		for_each_queue_kind(gpus, ngpus, test_wait_during_destroy);

	igt_describe("Closing the render node with long work queued and memory mapped tears everything down without a kernel report.");
	igt_subtest_with_dynamic("close-with-work-in-flight") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s", gpus[g].name) {
				struct mapped m;

				setup(&m, &gpus[g]);
				test_close_in_flight(gpus[g].name, &m);
				teardown(&m);
			}
		}
	}

	igt_describe("Per queue kind (user; fenced with XNACK off): a loss of the GPU's page tables (the model of a reset that lost VRAM) cancels the submissions of every queue: queued ones never run, the one executing stops without a VM fault and writes nothing once its wait returned, and one queued behind it is cancelled after it (fences in seqno order); waits fail with ECANCELED, the queue reports the lost state and refuses submissions with ECANCELED. A new queue works, on the hand-made mappings written again.");
	igt_subtest_with_dynamic("page-tables-lost")
		for_each_queue_kind(gpus, ngpus, test_page_tables_lost);

	igt_describe("The device's debugfs shows the process and its queue with the counters QUEUE_STATUS reports, and reading vamdgpu_evict_vram runs one eviction pass, counted in vamdgpu_vram.");
	igt_subtest_with_dynamic("debugfs") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s", gpus[g].name) {
				struct mapped m;

				setup(&m, &gpus[g]);
				test_debugfs(&gpus[g], &m);
				teardown(&m);
			}
		}
	}

	igt_fixture()
		vamdgpu_gpus_close(gpus, ngpus);
}
