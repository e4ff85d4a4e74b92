# SPDX-License-Identifier: MIT
# The kernel the project builds against. Source it.
# Pinned: Debian's linux-source-7.2 at 7.2.13-1 (sid).
KERNEL_PKG_PIN=linux-source-7.2
KERNEL_VERSION_PIN=7.2.13-1
