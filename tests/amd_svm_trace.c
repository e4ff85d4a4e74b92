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
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
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

	igt_fixture() {
		svm_trace_off(migrate_event);
		svm_gpus_close(gpus, ngpus);
	}
}
