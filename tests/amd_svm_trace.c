// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: amd svm trace
 * Category: Core
 * Mega feature: SVM
 * Sub-category: SVM tracepoints
 * Functionality: the core's trace events, as seen in tracefs
 * Description: The SVM core's tracepoints (trace system amdgpu_svm), read
 *	through tracefs as a lab engineer would attach them to a bug report.
 *
 * SUBTEST: prefetch-migrate-events
 * Description: Per GPU and XNACK mode: a SET_ATTR that prefetches a 2 MiB
 *	buffer to the GPU gives exactly one amdgpu_svm_migrate event, of the
 *	test's own process, covering the buffer, towards that GPU's VRAM, asked
 *	by SET_ATTR, successful; prefetching it back gives one event towards
 *	system memory; the data survives both.
 *
 * SUBTEST: ptes-lost-event
 * Description: Virtual GPU, per XNACK mode: after the GPU's page tables
 *	are wiped (debugfs vamdgpu_lose_page_tables) under a 2 MiB buffer the
 *	GPU has mapped, the next submissions (one refused by the lost queue,
 *	one to a new queue) give exactly one amdgpu_svm_ptes_lost event, for
 *	that GPU, with the buffer's range among those it found mapped; the
 *	GPU then reads the buffer right.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_evict.h"
#include "svm_gpu.h"
#include "svm_trace.h"

#define BUF_SIZE	SZ_2M
#define EVENTS_MAX	16

/** struct migrate_event - one amdgpu_svm_migrate line of the trace */
struct migrate_event {
	unsigned long start, end;
	unsigned int to;
	char by[16];
	int ret;
};

/** struct migrate_events - what trace_migrations() read */
struct migrate_events {
	struct migrate_event ev[EVENTS_MAX];
	int n;
};

static const char *const migrate_event[] = { "amdgpu_svm_migrate", NULL };

static void migrate_line(const char *event, double ts, const char *fields,
			 void *data)
{
	struct migrate_events *m = data;
	struct migrate_event *ev = &m->ev[m->n];

	igt_assert_f(m->n < EVENTS_MAX, "more than %d migrate events\n",
		     EVENTS_MAX);
	igt_assert_f(sscanf(fields, "gpu_id=%*u start=0x%lx end=0x%lx to=%*[a-z](0x%x) by=%15s ret=%d",
			    &ev->start, &ev->end, &ev->to, ev->by,
			    &ev->ret) == 5,
		     "unreadable event: %s\n", fields);
	m->n++;
}

/* The migrate events recorded since svm_trace_start(), into @m. */
static int trace_migrations(struct migrate_events *m)
{
	m->n = 0;
	svm_trace_stop(migrate_event, migrate_line, m);
	return m->n;
}

static void expect_one_migration(const struct migrate_event *ev, int n,
				 const void *buf, unsigned int to,
				 const char *what)
{
	igt_assert_f(n == 1, "%s: %d amdgpu_svm_migrate events, expected one\n",
		     what, n);
	igt_assert_f(ev->start == (uintptr_t)buf &&
		     ev->end == (uintptr_t)buf + BUF_SIZE,
		     "%s: the event covers 0x%lx-0x%lx, the buffer is %p-%p\n",
		     what, ev->start, ev->end, buf, (const char *)buf + BUF_SIZE);
	igt_assert_f(ev->to == to, "%s: the event goes to 0x%x, expected 0x%x\n",
		     what, ev->to, to);
	igt_assert_f(!strcmp(ev->by, "set_attr"),
		     "%s: the event says it was asked by %s, not set_attr\n",
		     what, ev->by);
	igt_assert_f(ev->ret == 0, "%s: the migration returned %d\n", what,
		     ev->ret);
}

static void test_prefetch_events(struct svm_gpu *gpu, bool xnack)
{
	struct migrate_events m;
	struct svm_ctx ctx;
	void *buf;
	int n;

	svm_ctx_open(gpu, xnack, &ctx);
	buf = svm_map_aligned(BUF_SIZE, BUF_SIZE);
	svm_pattern_fill(buf, BUF_SIZE, 7);
	svm_give_access(&ctx, buf, BUF_SIZE);

	svm_trace_start(migrate_event);
	svm_set_one(ctx.fd, (uintptr_t)buf, BUF_SIZE,
		    AMDGPU_SVM_ATTR_PREFETCH_LOC, gpu->gpu_id);
	n = trace_migrations(&m);
	expect_one_migration(m.ev, n, buf, gpu->gpu_id, "prefetch to VRAM");

	svm_trace_start(migrate_event);
	svm_set_one(ctx.fd, (uintptr_t)buf, BUF_SIZE,
		    AMDGPU_SVM_ATTR_PREFETCH_LOC, AMDGPU_SVM_LOCATION_SYSMEM);
	n = trace_migrations(&m);
	expect_one_migration(m.ev, n, buf, AMDGPU_SVM_LOCATION_SYSMEM,
			     "prefetch back to system memory");

	svm_pattern_check(buf, BUF_SIZE, 7, 0, "after the two prefetches");
	munmap(buf, BUF_SIZE);
	svm_ctx_close(&ctx);
}

static const char *const ptes_lost_event[] = { "amdgpu_svm_ptes_lost", NULL };

/** struct ptes_lost_events - what the amdgpu_svm_ptes_lost lines said */
struct ptes_lost_events {
	unsigned int n, gpu_id, zapped;
};

static void ptes_lost_line(const char *event, double ts, const char *fields,
			   void *data)
{
	struct ptes_lost_events *p = data;

	igt_assert_f(sscanf(fields, "gpu_id=%u zapped=%u", &p->gpu_id,
			    &p->zapped) == 2,
		     "unreadable event: %s\n", fields);
	p->n++;
}

static void test_ptes_lost_event(struct svm_gpu *gpu, bool xnack)
{
	struct svm_gpu_cmd read;
	struct ptes_lost_events p = {};
	struct svm_ctx ctx;
	struct svm_queue q;
	uint64_t *buf;

	igt_require_f(gpu->is_virtual,
		      "%s: the page tables are wiped through the virtual GPU's debugfs\n",
		      gpu->name);
	svm_ctx_open(gpu, xnack, &ctx);
	buf = svm_map_aligned(BUF_SIZE, BUF_SIZE);
	buf[0] = 0x7ace;
	svm_give_access(&ctx, buf, BUF_SIZE);
	svm_queue_create(&ctx, &q);
	read = svm_cmd_read((uintptr_t)buf);
	svm_queue_exec(&q, &read, 1, "read before the page tables were lost");

	svm_trace_start(ptes_lost_event);
	svm_vamdgpu_lose_page_tables(gpu);
	svm_queue_check_lost(&q);
	svm_queue_destroy(&q);
	svm_queue_create(&ctx, &q);
	svm_queue_exec(&q, &read, 1, "read after the page tables were lost");
	svm_trace_stop(ptes_lost_event, ptes_lost_line, &p);
	igt_assert_f(p.n == 1, "%s: %u amdgpu_svm_ptes_lost events, expected one\n",
		     gpu->name, p.n);
	igt_assert_f(p.gpu_id == gpu->gpu_id,
		     "%s: the event names gpu_id %u, expected %u\n", gpu->name,
		     p.gpu_id, gpu->gpu_id);
	igt_assert_f(p.zapped >= 1,
		     "%s: the event found no mapped range, but the GPU had read the buffer\n",
		     gpu->name);
	igt_assert_eq_u64(svm_queue_read_result(&q), 0x7ace);
	svm_queue_destroy(&q);
	munmap(buf, BUF_SIZE);
	svm_ctx_close(&ctx);
}

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture() {
		ngpus = svm_gpus_require(gpus);
		svm_trace_require(migrate_event[0]);
	}

	igt_describe("A SET_ATTR prefetch of a 2 MiB buffer to the GPU gives exactly one amdgpu_svm_migrate event of this process, covering the buffer, towards the GPU's VRAM, asked by SET_ATTR, successful; a prefetch back gives one towards system memory; the data survives.");
	igt_subtest_with_dynamic("prefetch-migrate-events") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_prefetch_events(&gpus[g], x);
	}

	igt_describe("Virtual GPU: after the GPU's page tables are wiped under a buffer it mapped, the next submission gives exactly one amdgpu_svm_ptes_lost event, for that GPU, with at least the buffer's range found mapped; the GPU reads the buffer right.");
	igt_subtest_with_dynamic("ptes-lost-event") {
		svm_trace_require(ptes_lost_event[0]);
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_ptes_lost_event(&gpus[g], x);
		svm_trace_off(ptes_lost_event);
	}

	igt_fixture() {
		svm_trace_off(migrate_event);
		svm_gpus_close(gpus, ngpus);
	}
}
