#!/bin/bash
# SPDX-License-Identifier: MIT
# Pick QEMU's accelerator: "kvm" when a KVM guest demonstrably boots here
# (the kernel prints within a bounded time), else "tcg". On some machines
# /dev/kvm opens but guests hang before printing, so opening it proves
# nothing. The answer is cached per machine and kernel image for a day.
# SVM_ACCEL=kvm|tcg overrides. Prints the choice on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(kernel_env_file)"

if [ -n "${SVM_ACCEL:-}" ]; then
	echo "$SVM_ACCEL"
	exit 0
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	log "accel: /dev/kvm not usable: TCG (software emulation)"
	echo tcg
	exit 0
fi
stamp=$CACHE_DIR/accel-$(hostname)-$(sha256sum "$KERNEL_IMAGE" | cut -c1-12)
if [ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
	cat "$stamp"
	exit 0
fi
probe_log=$(mktemp)
# In a child shell: QEMU may abort when KVM is unusable, and bash would
# report the signal here.
bash -c 'timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256M -smp 1 \
	-display none -no-reboot -nodefaults -serial "file:$1" -kernel "$2" \
	-append "console=ttyS0 panic=-1 init=/nonexistent"; exit 0' probe "$probe_log" "$KERNEL_IMAGE" \
	>/dev/null 2>&1
if grep -q "Linux version" "$probe_log"; then
	choice=kvm
	log "accel: a KVM guest printed within 20 s: KVM"
else
	choice=tcg
	log "accel: a KVM guest did not boot (no kernel output within 20 s): TCG (software emulation)"
fi
rm -f "$probe_log"
echo "$choice" > "$stamp"
echo "$choice"
