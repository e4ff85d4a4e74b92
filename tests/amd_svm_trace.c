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
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_gpu.h"

#define BUF_SIZE	SZ_2M
#define EVENTS_MAX	16

static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/** struct migrate_event - one amdgpu_svm_migrate line of the trace */
struct migrate_event {
	unsigned long start, end;
	unsigned int to;
	char by[16];
	int ret;
};

static const char *tracefs;

static void trace_write(const char *file, const char *value)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	igt_assert_f(fd >= 0, "opening %s: %m\n", path);
	igt_assert_f(write(fd, value, strlen(value)) == (ssize_t)strlen(value),
		     "writing '%s' to %s: %m\n", value, path);
	close(fd);
}

/* The migrate event on, for this process only, with an empty trace. */
static void trace_start(void)
{
	char filter[64];

	trace_write("events/amdgpu_svm/amdgpu_svm_migrate/enable", "0");
	snprintf(filter, sizeof(filter), "common_pid == %d", getpid());
	trace_write("events/amdgpu_svm/amdgpu_svm_migrate/filter", filter);
	trace_write("trace", "");
	trace_write("events/amdgpu_svm/amdgpu_svm_migrate/enable", "1");
}

/* Off again; the events recorded since trace_start(), into @ev. */
static int trace_stop(struct migrate_event *ev, int max)
{
	char path[256], line[512];
	int n = 0;
	FILE *f;

	trace_write("events/amdgpu_svm/amdgpu_svm_migrate/enable", "0");
	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "r");
	igt_assert_f(f, "opening %s: %m\n", path);
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "amdgpu_svm_migrate: ");

		if (!p || line[0] == '#')
			continue;
		igt_assert_f(n < max, "more than %d migrate events\n", max);
		igt_assert_f(sscanf(p, "amdgpu_svm_migrate: gpu_id=%*u start=0x%lx end=0x%lx to=%*[a-z](0x%x) by=%15s ret=%d",
				    &ev[n].start, &ev[n].end, &ev[n].to,
				    ev[n].by, &ev[n].ret) == 5,
			     "unreadable event: %s", p);
		n++;
	}
	fclose(f);
	return n;
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
	struct migrate_event ev[EVENTS_MAX];
	struct svm_ctx ctx;
	void *buf;
	int n;

	svm_ctx_open(gpu, xnack, &ctx);
	buf = svm_map_aligned(BUF_SIZE, BUF_SIZE);
	svm_pattern_fill(buf, BUF_SIZE, 7);
	svm_give_access(&ctx, buf, BUF_SIZE);

	trace_start();
	svm_set_one(ctx.fd, (uintptr_t)buf, BUF_SIZE,
		    AMDGPU_SVM_ATTR_PREFETCH_LOC, gpu->gpu_id);
	n = trace_stop(ev, EVENTS_MAX);
	expect_one_migration(ev, n, buf, gpu->gpu_id, "prefetch to VRAM");

	trace_start();
	svm_set_one(ctx.fd, (uintptr_t)buf, BUF_SIZE,
		    AMDGPU_SVM_ATTR_PREFETCH_LOC, AMDGPU_SVM_LOCATION_SYSMEM);
	n = trace_stop(ev, EVENTS_MAX);
	expect_one_migration(ev, n, buf, AMDGPU_SVM_LOCATION_SYSMEM,
			     "prefetch back to system memory");

	svm_pattern_check(buf, BUF_SIZE, 7, 0, "after the two prefetches");
	munmap(buf, BUF_SIZE);
	svm_ctx_close(&ctx);
}

static void require_tracefs(void)
{
	char path[256];

	/* Mounted where the kernel provides its mount point, if nobody did. */
	if (access("/sys/kernel/tracing/trace", F_OK) &&
	    access("/sys/kernel/tracing", F_OK) == 0)
		mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(tracefs_roots); i++) {
		snprintf(path, sizeof(path),
			 "%s/events/amdgpu_svm/amdgpu_svm_migrate/enable",
			 tracefs_roots[i]);
		if (access(path, W_OK) == 0) {
			tracefs = tracefs_roots[i];
			return;
		}
	}
	igt_skip("no writable amdgpu_svm_migrate event in tracefs (a kernel without CONFIG_TRACING, tracefs not mounted, or not root)\n");
}

int igt_main()
{
	static struct svm_gpu gpus[SVM_GPUS_MAX];
	static int ngpus;

	igt_fixture() {
		ngpus = svm_gpus_require(gpus);
		require_tracefs();
	}

	igt_describe("A SET_ATTR prefetch of a 2 MiB buffer to the GPU gives exactly one amdgpu_svm_migrate event of this process, covering the buffer, towards the GPU's VRAM, asked by SET_ATTR, successful; a prefetch back gives one towards system memory; the data survives.");
	igt_subtest_with_dynamic("prefetch-migrate-events") {
		igt_dynamic_svm_modes(gpus, ngpus, g, x)
			test_prefetch_events(&gpus[g], x);
	}

	igt_fixture() {
		if (tracefs)
			trace_write("events/amdgpu_svm/amdgpu_svm_migrate/enable", "0");
		svm_gpus_close(gpus, ngpus);
	}
}
