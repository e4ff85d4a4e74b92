/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */

/*
 * What the files of igt-compat share with each other and tests never see.
 * Each group is implemented by the file named above it.
 */
#ifndef IGT_COMPAT_INTERNAL_H
#define IGT_COMPAT_INTERNAL_H

#include "igt_core.h"

/* igt_core.c */
void igt_compat_crash(int sig);

/* igt_log.c */
void igt_compat_log_init(void);
void igt_compat_log_enable_debug(const char *domain);
void igt_compat_log_buffer_reset(void);
void igt_compat_log_buffer_dump(const char *who);
void igt_compat_print_backtrace(void);
__noreturn __attribute__((format(printf, 1, 2)))
void igt_compat_misuse(const char *format, ...);

/* igt_fork.c */
bool igt_compat_is_test_child(void);
void igt_compat_reap_children(void);

/* igt_exit_handler.c */
void igt_compat_install_signal_handlers(void);
void igt_compat_reset_exit_handlers(void);
bool igt_compat_in_atexit_handler(void);

/* igt_wildmat.c */
bool igt_compat_wildmat(const char *name, const char *patterns);

#endif /* IGT_COMPAT_INTERNAL_H */
