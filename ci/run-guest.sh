#!/bin/bash
# SPDX-License-Identifier: MIT
# Boot the built kernel in QEMU with the guest root over 9p and run a command.
#
# Usage: ci/run-guest.sh [--out DIR] [--timeout SEC] [--quiet] -- COMMAND...
#
# COMMAND runs in the guest as root with the repository at /project (read
# only) and DIR at /results (its working directory). Back on the host, DIR
# holds guest.log (the command's output), console.log (the serial console:
# the whole kernel log), guest-status (its exit status) and kmemleak.txt.
# Exit status: the command's, or 124 when the guest hung (killed after SEC
# seconds), or 125 when the kernel reported a WARN, BUG, oops, lockdep splat,
# KASAN or kmemleak report (named on stderr), or 126 for a boot failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=
timeout=${SVM_GUEST_TIMEOUT:-1800}
memory=${SVM_GUEST_MEMORY:-2G}
cpus=${SVM_GUEST_CPUS:-2}
quiet=0
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--) shift; break ;;
	*) die "run-guest: unknown option $1 (usage: ci/run-guest.sh [--out DIR] [--timeout SEC] [--quiet] -- COMMAND...)" ;;
	esac
done
[ $# -gt 0 ] || die "run-guest: no command given"
kernel_env=$(kernel_env_file)
[ -f "$kernel_env" ] || die "run-guest: no kernel built yet; run ci/build-kernel.sh"
. "$kernel_env"

out=${out:-$REPO_DIR/out/guest-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/{guest.log,console.log,guest-status,kmemleak.txt}

root=$("$CI_DIR/build-root.sh")
# This init into the guest root; the modules of this kernel build are shared
# at /lib/modules, so guests of different builds can run side by side.
install -m 0755 "$CI_DIR/guest-init.sh" "$root/sbin/svm-guest-init"
cat > "$out/host.env" <<HOSTENV
DRIVER_COMMIT=$(git -C "$REPO_DIR" describe --always --dirty 2>/dev/null || echo unknown)
MACHINE=$(hostname)
HOSTENV
printf '%q ' "$@" > "$out/guest-cmd.sh"
echo >> "$out/guest-cmd.sh"

accel=$("$CI_DIR/probe-accel.sh")
accel_arg=$accel
[ "$accel" = tcg ] && accel_arg=tcg,thread=multi
what=$(printf '%s ' "$@" | tr -s '\n\t ' ' ')
[ ${#what} -le 100 ] || what="${what:0:97}..."
log "guest: booting $KREL under $accel (timeout ${timeout} s): $what"

qemu_args=(
	-machine q35 -cpu max -smp "$cpus" -m "$memory"
	-accel "$accel_arg"
	-display none -no-reboot -nodefaults
	-chardev "file,id=con,path=$out/console.log" -serial chardev:con
	-kernel "$KERNEL_IMAGE"
	-append "root=rootfs rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000 rw init=/sbin/svm-guest-init console=ttyS0 panic=-1 loglevel=6"
	-fsdev "local,id=rootfs,path=$root,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=rootfs,mount_tag=rootfs
	-fsdev "local,id=project,path=$REPO_DIR,security_model=none,multidevs=remap,readonly=on"
	-device virtio-9p-pci,fsdev=project,mount_tag=project
	-fsdev "local,id=results,path=$out,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=results,mount_tag=results
	-fsdev "local,id=modules,path=$(dirname "$MODULES_DIR"),security_model=none,readonly=on"
	-device virtio-9p-pci,fsdev=modules,mount_tag=modules
)

start=$SECONDS
touch "$out/guest.log"
qemu-system-x86_64 "${qemu_args[@]}" > "$out/qemu.log" 2>&1 &
qemu=$!
if [ "$quiet" = 0 ]; then
	tail -n +1 -F "$out/guest.log" --pid=$qemu 2>/dev/null | sed -u 's/^/  guest| /' &
fi
hung=0
while kill -0 $qemu 2>/dev/null; do
	if (( SECONDS - start > timeout )); then
		hung=1
		kill $qemu 2>/dev/null || true
		break
	fi
	sleep 1
done
wait $qemu 2>/dev/null || true
sleep 0.3
log "guest: stopped after $((SECONDS - start)) s"

if [ $hung = 1 ]; then
	log "guest: HUNG: killed after ${timeout} s; console tail:"
	tail -n 40 "$out/console.log" | sed 's/^/  console| /' >&2
	exit 124
fi

# A kernel report anywhere in the console turns the run red.
if "$CI_DIR/kernel-reports.sh" "$out/console.log" >&2; then
	reported=0
else
	reported=1
fi
if [ ! -f "$out/guest-status" ]; then
	log "guest: the command did not finish (no guest-status): boot failure or panic; console tail:"
	tail -n 40 "$out/console.log" | sed 's/^/  console| /' >&2
	exit 126
fi
status=$(cat "$out/guest-status")
[ $reported = 1 ] && exit 125
exit "$status"
