// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <unistd.h>

#include "igt.h"
#include "svm_handshake.h"

/**
 * svm_handshake_send() - say on the write end of a pipe that a step is done
 * @fd: the write end
 */
void svm_handshake_send(int fd)
{
	igt_assert_eq(write(fd, "x", 1), 1);
}

/**
 * svm_handshake_await() - wait on the read end of a pipe for the other
 * process's step
 * @fd: the read end
 * @what: the step, for the failure message when the other process ended
 *	  (closed its write end) without it
 */
void svm_handshake_await(int fd, const char *what)
{
	char c;

	igt_assert_f(read(fd, &c, 1) == 1,
		     "the other process ended before %s\n", what);
}
