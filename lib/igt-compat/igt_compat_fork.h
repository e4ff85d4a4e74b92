/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */

/*
 * Test children (igt_fork) of IGT's igt_core.h API, included by
 * igt_core.h; include "igt.h" or "igt_core.h", never this file.
 *
 * Children run the block in parallel with the subtest and exit when it
 * ends; an assertion failing in a child ends that child with the failure
 * exit code. igt_waitchildren() joins them and fails the subtest if any
 * child failed or died. Children may not skip: check requirements before
 * forking.
 */
#ifndef IGT_COMPAT_FORK_H
#define IGT_COMPAT_FORK_H

#ifndef IGT_CORE_H
#error "include igt.h or igt_core.h instead of igt_compat_fork.h"
#endif

bool __igt_fork(void);

/**
 * igt_fork - run the block in @num_children child processes
 * @child: name of the int variable holding the child's index
 * @num_children: number of children
 *
 * Only inside a subtest; join with igt_waitchildren().
 */
#define igt_fork(child, num_children) \
	for (int child = 0; child < (num_children); child++) \
		for (; __igt_fork(); exit(0))

int __igt_waitchildren(void);
void igt_waitchildren(void);
void igt_waitchildren_timeout(int seconds, const char *reason);
void igt_kill_children(int signal);

#endif /* IGT_COMPAT_FORK_H */
