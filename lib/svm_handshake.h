/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef SVM_HANDSHAKE_H
#define SVM_HANDSHAKE_H

/*
 * One-byte handshakes between a test and the processes it forks, over the
 * two ends of a pipe(): one side says a step is done, the other waits for
 * it.
 */

void svm_handshake_send(int fd);
void svm_handshake_await(int fd, const char *what);

#endif /* SVM_HANDSHAKE_H */
