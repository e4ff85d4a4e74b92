/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */

/*
 * Logging part of IGT's igt_core.h API, included by igt_core.h; include
 * "igt.h" or "igt_core.h", never this file.
 *
 * INFO goes to stdout as written; DEBUG (shown with --debug or
 * IGT_LOG_LEVEL=debug) goes to stdout and WARN and CRITICAL go to stderr,
 * both prefixed with time, program, pid, domain and level. igt_runner turns
 * a passing subtest with any stderr output into "warn". Every message,
 * shown or not, also enters a ring of the last 256 lines that is printed
 * on stderr when a subtest fails.
 */
#ifndef IGT_COMPAT_LOG_H
#define IGT_COMPAT_LOG_H

#ifndef IGT_CORE_H
#error "include igt.h or igt_core.h instead of igt_compat_log.h"
#endif

enum igt_log_level {
	IGT_LOG_DEBUG,
	IGT_LOG_INFO,
	IGT_LOG_WARN,
	IGT_LOG_CRITICAL,
	IGT_LOG_NONE,
};

/* Messages below this level are not printed (still kept in the ring). */
extern enum igt_log_level igt_log_level;

__attribute__((format(printf, 3, 4)))
void igt_log(const char *domain, enum igt_log_level level, const char *format, ...);
__attribute__((format(printf, 3, 0)))
void igt_vlog(const char *domain, enum igt_log_level level, const char *format, va_list args);

#define igt_debug(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_DEBUG, f)
#define igt_info(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_INFO, f)
#define igt_warn(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_WARN, f)
#define igt_critical(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_CRITICAL, f)

/* Warn when @condition holds; evaluates to @condition. */
#define igt_warn_on(condition) ({ \
	typeof(condition) ret__ = (condition); \
	if (ret__) \
		igt_warn("Warning on condition %s in function %s, file %s:%i\n", \
			 #condition, __func__, __FILE__, __LINE__); \
	ret__; \
})

#define igt_warn_on_f(condition, f...) ({ \
	typeof(condition) ret__ = (condition); \
	if (ret__) { \
		igt_warn("Warning on condition %s in function %s, file %s:%i\n", \
			 #condition, __func__, __FILE__, __LINE__); \
		igt_warn(f); \
	} \
	ret__; \
})

/* Write a line to the kernel log (/dev/kmsg); start it with a KMSG_ level. */
__attribute__((format(printf, 1, 2)))
void igt_kmsg(const char *format, ...);
#define KMSG_EMER	"<0>[IGT] "
#define KMSG_ALERT	"<1>[IGT] "
#define KMSG_CRIT	"<2>[IGT] "
#define KMSG_ERR	"<3>[IGT] "
#define KMSG_WARNING	"<4>[IGT] "
#define KMSG_NOTICE	"<5>[IGT] "
#define KMSG_INFO	"<6>[IGT] "
#define KMSG_DEBUG	"<7>[IGT] "

#endif /* IGT_COMPAT_LOG_H */
