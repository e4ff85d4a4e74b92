// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "igt.h"
#include "svm_trace.h"

static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
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

static void event_write(const char *event, const char *file,
			const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "events/amdgpu_svm/%s/%s", event, file);
	trace_write(path, value);
}

/**
 * svm_trace_require() - find tracefs with @event writable, or skip
 * @event: an event of the amdgpu_svm trace system
 */
void svm_trace_require(const char *event)
{
	char path[256];

	/* Mounted where the kernel provides its mount point, if nobody did. */
	if (access("/sys/kernel/tracing/trace", F_OK) &&
	    access("/sys/kernel/tracing", F_OK) == 0)
		mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(tracefs_roots); i++) {
		snprintf(path, sizeof(path),
			 "%s/events/amdgpu_svm/%s/enable", tracefs_roots[i],
			 event);
		if (access(path, W_OK) == 0) {
			tracefs = tracefs_roots[i];
			return;
		}
	}
	igt_skip("no writable %s event in tracefs (a kernel without CONFIG_TRACING, tracefs not mounted, or not root)\n",
		 event);
}

/**
 * svm_trace_start() - record @events of this process, from an empty trace
 * @events: NULL-terminated names of amdgpu_svm events
 */
void svm_trace_start(const char *const *events)
{
	char filter[64];

	igt_assert(tracefs);
	snprintf(filter, sizeof(filter), "common_pid == %d", getpid());
	for (const char *const *e = events; *e; e++) {
		event_write(*e, "enable", "0");
		event_write(*e, "filter", filter);
	}
	trace_write("trace", "");
	for (const char *const *e = events; *e; e++)
		event_write(*e, "enable", "1");
}

/**
 * svm_trace_off() - stop recording @events, if tracefs was found
 * @events: NULL-terminated names of amdgpu_svm events
 */
void svm_trace_off(const char *const *events)
{
	if (!tracefs)
		return;
	for (const char *const *e = events; *e; e++)
		event_write(*e, "enable", "0");
}

/**
 * svm_trace_stop() - stop recording and read what was recorded
 * @events: as given to svm_trace_start()
 * @line: called for each recorded event, in order, with its name, its
 *	timestamp (seconds) and its fields as printed
 * @data: passed to @line
 */
void svm_trace_stop(const char *const *events,
		    void (*line)(const char *event, double ts,
				 const char *fields, void *data),
		    void *data)
{
	char path[256], text[512];
	FILE *f;

	svm_trace_off(events);
	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "r");
	igt_assert_f(f, "opening %s: %m\n", path);
	while (fgets(text, sizeof(text), f)) {
		char event[64], *sep, *stamp;
		double ts;
		int n;

		/* "<task>-<pid> [cpu] <flags> <seconds>: <event>: <fields>" */
		sep = strstr(text, ": amdgpu_svm_");
		if (text[0] == '#' || !sep)
			continue;
		*sep = '\0';
		stamp = strrchr(text, ' ');
		igt_assert_f(stamp && sscanf(stamp, "%lf", &ts) == 1,
			     "no timestamp in trace line: %s\n", text);
		sep += 2;
		igt_assert_f(sscanf(sep, "%63[a-z_]: %n", event, &n) == 1,
			     "no event name in trace line: %s", sep);
		sep[strcspn(sep, "\n")] = '\0';
		line(event, ts, sep + n, data);
	}
	fclose(f);
}
