// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <stdio.h>
#include <unistd.h>

#include "igt.h"
#include "svm_held.h"

/* How long the core's workers get to hand memory back: 100 looks. */
#define SVM_HELD_WAIT_US	(100 * 1000)
#define SVM_HELD_LOOKS		100

/** svm_held_require() - skip the subtest without amdgpu_svm/processes */
void svm_held_require(void)
{
	igt_require_f(access(SVM_PROCESSES, R_OK) == 0,
		      "no %s (kernel without debugfs, or not root)\n",
		      SVM_PROCESSES);
}

/**
 * svm_held_of() - what the core holds for a process
 * @pid: the process
 * @held: filled when it is listed
 *
 * Return: whether @pid has SVM state (a line of its own).
 */
bool svm_held_of(pid_t pid, struct svm_held *held)
{
	FILE *f = fopen(SVM_PROCESSES, "r");
	bool found = false;
	char line[256];
	int listed;

	igt_assert_f(f, "opening %s: %m\n", SVM_PROCESSES);
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "pid %d contexts %u xnack %*d intervals %u ranges %d interval_bytes %ld range_bytes %ld",
			       &listed, &held->contexts, &held->intervals,
			       &held->ranges, &held->interval_bytes,
			       &held->range_bytes) == 6 && listed == pid;
	fclose(f);
	return found;
}

/** svm_held_now() - what the core holds for this process, which it lists */
struct svm_held svm_held_now(void)
{
	struct svm_held held = {};

	igt_assert_f(svm_held_of(getpid(), &held),
		     "this process (%d) is not in %s\n", getpid(),
		     SVM_PROCESSES);
	return held;
}

/**
 * svm_held_back() - wait for this process's memory to come back
 * @want: the intervals, ranges and their bytes to come back to
 * @now: what the core held at the last look
 *
 * Return: whether they came back within 10 s.
 */
bool svm_held_back(const struct svm_held *want, struct svm_held *now)
{
	for (int i = 0; i < SVM_HELD_LOOKS; i++) {
		*now = svm_held_now();
		if (now->intervals == want->intervals &&
		    now->ranges == want->ranges &&
		    now->interval_bytes == want->interval_bytes &&
		    now->range_bytes == want->range_bytes)
			return true;
		usleep(SVM_HELD_WAIT_US);
	}
	return false;
}

/**
 * svm_held_contexts() - wait for a process's contexts to number @contexts
 * @pid: the process
 * @contexts: how many; 0: the process is not listed at all
 *
 * Return: whether they did within 10 s.
 */
bool svm_held_contexts(pid_t pid, unsigned int contexts)
{
	for (int i = 0; i < SVM_HELD_LOOKS; i++) {
		struct svm_held held;

		if (svm_held_of(pid, &held) ? held.contexts == contexts :
		    !contexts)
			return true;
		usleep(SVM_HELD_WAIT_US);
	}
	return false;
}
