// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: logging
 *
 * igt_log() prints INFO messages on stdout as they are, DEBUG on stdout and
 * WARN and CRITICAL on stderr with a prefix:
 * "[SECONDS.MICROS] (PROGRAM:PID) DOMAIN-LEVEL: message". A message not
 * ending in a newline continues on the next call without a new prefix.
 *
 * Every message, printed or not, also enters a ring of the last 256, which
 * igt_compat_log_buffer_dump() prints on stderr when a subtest fails, so
 * the debug messages that led to a failure show up without --debug. The
 * ring restarts with every subtest and dynamic subtest.
 *
 * IGT_LOG_LEVEL (debug, info, warn, critical, none) sets the level to
 * print from; --debug[=DOMAIN] prints debug messages, of one domain only
 * when given ("application" for messages without a domain).
 */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>

#include "compat_internal.h"

#define LOG_RING_SIZE 256
#define BACKTRACE_DEPTH 64

enum igt_log_level igt_log_level = IGT_LOG_INFO;

static const char *const level_names[] = {
	[IGT_LOG_DEBUG] = "DEBUG",
	[IGT_LOG_INFO] = "INFO",
	[IGT_LOG_WARN] = "WARNING",
	[IGT_LOG_CRITICAL] = "CRITICAL",
	[IGT_LOG_NONE] = "NONE",
};

static const char *domain_filter;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread bool continuing_line;

static struct {
	pthread_mutex_t lock;
	char *lines[LOG_RING_SIZE];
	unsigned int first;
	unsigned int count;
} ring = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

void igt_compat_log_init(void)
{
	const char *env = getenv("IGT_LOG_LEVEL");
	static const struct {
		const char *name;
		enum igt_log_level level;
	} levels[] = {
		{ "debug", IGT_LOG_DEBUG },
		{ "info", IGT_LOG_INFO },
		{ "warn", IGT_LOG_WARN },
		{ "critical", IGT_LOG_CRITICAL },
		{ "none", IGT_LOG_NONE },
	};

	for (size_t i = 0; env && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(env, levels[i].name))
			igt_log_level = levels[i].level;
}

void igt_compat_log_enable_debug(const char *domain)
{
	igt_log_level = IGT_LOG_DEBUG;
	if (domain && *domain)
		domain_filter = domain;
}

static void ring_clear_locked(void)
{
	for (unsigned int i = 0; i < ring.count; i++)
		free(ring.lines[(ring.first + i) % LOG_RING_SIZE]);
	ring.first = ring.count = 0;
}

/* Keep @line (allocated, now owned by the ring), dropping the oldest. */
static void ring_append(char *line)
{
	pthread_mutex_lock(&ring.lock);
	if (ring.count == LOG_RING_SIZE) {
		free(ring.lines[ring.first]);
		ring.lines[ring.first] = line;
		ring.first = (ring.first + 1) % LOG_RING_SIZE;
	} else {
		ring.lines[(ring.first + ring.count++) % LOG_RING_SIZE] = line;
	}
	pthread_mutex_unlock(&ring.lock);
}

void igt_compat_log_buffer_reset(void)
{
	pthread_mutex_lock(&ring.lock);
	ring_clear_locked();
	pthread_mutex_unlock(&ring.lock);
}

/**
 * igt_compat_log_buffer_dump - show the recent log after a failure
 * @who: what failed, e.g. "Subtest foo"
 *
 * Prints "@who failed." and the ring's messages on stderr, then empties it.
 */
void igt_compat_log_buffer_dump(const char *who)
{
	pthread_mutex_lock(&ring.lock);
	fprintf(stderr, "%s failed.\n", who);
	if (!ring.count) {
		fputs("No log.\n", stderr);
	} else {
		fputs("**** DEBUG ****\n", stderr);
		for (unsigned int i = 0; i < ring.count; i++)
			fputs(ring.lines[(ring.first + i) % LOG_RING_SIZE], stderr);
		fputs("****  END  ****\n", stderr);
	}
	fflush(stderr);
	ring_clear_locked();
	pthread_mutex_unlock(&ring.lock);
}

static bool domain_shown(const char *domain)
{
	if (!domain_filter)
		return true;
	return !strcmp(domain_filter, domain ?: "application");
}

void igt_log(const char *domain, enum igt_log_level level, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	igt_vlog(domain, level, format, args);
	va_end(args);
}

/**
 * igt_vlog - print a message and keep it in the recent-log ring
 * @domain: subsystem the message is about, or NULL
 * @level: severity
 * @format: printf format
 * @args: its arguments
 *
 * While only listing subtests, only CRITICAL messages are printed.
 */
void igt_vlog(const char *domain, enum igt_log_level level, const char *format, va_list args)
{
	char *line, *formatted;
	struct timespec ts;
	size_t len;

	if (igt_only_list_subtests() && level <= IGT_LOG_WARN)
		return;
	if (level > IGT_LOG_NONE)
		level = IGT_LOG_NONE;
	if (vasprintf(&line, format, args) < 0)
		return;

	if (continuing_line) {
		formatted = strdup(line);
	} else {
		igt_gettime(&ts);
		if (asprintf(&formatted, "[%ld.%06ld] (%s:%d) %s%s%s: %s",
			     (long)ts.tv_sec, ts.tv_nsec / 1000,
			     program_invocation_short_name, getpid(),
			     domain ?: "", domain ? "-" : "", level_names[level],
			     line) < 0)
			formatted = NULL;
	}
	len = strlen(line);
	continuing_line = len && line[len - 1] != '\n';

	if (formatted && level >= igt_log_level && domain_shown(domain)) {
		FILE *file = level >= IGT_LOG_WARN ? stderr : stdout;

		pthread_mutex_lock(&print_lock);
		fputs(level == IGT_LOG_INFO ? line : formatted, file);
		fflush(file);
		pthread_mutex_unlock(&print_lock);
	}

	if (formatted)
		ring_append(formatted);
	free(line);
}

/*
 * Keeps errno: the test's next "Last errno" must be about the test, not
 * about a kernel log the run may not have.
 */
void igt_kmsg(const char *format, ...)
{
	int saved_errno = errno;
	va_list args;
	char *record;
	int fd, len;

	/* Never O_CREAT: without devtmpfs /dev/kmsg is absent, not a file. */
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = saved_errno;
		return;
	}

	va_start(args, format);
	len = vasprintf(&record, format, args);
	va_end(args);

	/* One write() is one kernel log record. */
	if (len > 0) {
		if (write(fd, record, len) < 0)
			igt_debug("cannot write to /dev/kmsg: %s\n", strerror(errno));
		free(record);
	}
	close(fd);
	errno = saved_errno;
}

/* Print the caller's stack at INFO level, as IGT does on assertions. */
void igt_compat_print_backtrace(void)
{
	void *frames[BACKTRACE_DEPTH];
	int depth = backtrace(frames, BACKTRACE_DEPTH);
	char **symbols = backtrace_symbols(frames, depth);

	igt_info("Stack trace:\n");
	for (int i = 1; i < depth; i++)
		igt_info("  #%d %s\n", i - 1, symbols ? symbols[i] : "?");
	free(symbols);
}

/**
 * igt_compat_misuse - stop on a use of the API that IGT forbids
 * @format: printf format of what was wrong
 *
 * Like IGT, aborts: such a test is broken, whatever its subtests say.
 */
void igt_compat_misuse(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputs("please refer to lib/igt-compat/igt_core.h (IGT's lib/igt_core.h)\n", stderr);
	igt_compat_print_backtrace();
	abort();
}
