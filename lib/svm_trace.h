/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef SVM_TRACE_H
#define SVM_TRACE_H

/*
 * The SVM core's trace events (trace system amdgpu_svm) through tracefs,
 * recorded for the calling process only.
 *
 * svm_trace_require() finds a writable tracefs (mounting it where the
 * kernel provides a mount point) or skips; svm_trace_start() clears the
 * trace and enables the NULL-terminated @events of the amdgpu_svm system;
 * svm_trace_stop() disables them again and hands each recorded line to
 * @line with its timestamp in seconds and the text after "<event>: ".
 */

void svm_trace_require(const char *event);
void svm_trace_start(const char *const *events);
void svm_trace_stop(const char *const *events,
		    void (*line)(const char *event, double ts,
				 const char *fields, void *data),
		    void *data);
void svm_trace_off(const char *const *events);

#endif /* SVM_TRACE_H */
