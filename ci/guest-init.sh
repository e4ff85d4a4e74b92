#!/bin/bash
# SPDX-License-Identifier: MIT
# PID 1 of the test guest. Mounts the host folders shared over 9p, runs
# /results/guest-cmd.sh, records its exit status, scans kmemleak, powers off.
# Installed into the guest root as /sbin/svm-guest-init by ci/run-guest.sh.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
ln -sf /proc/self/fd /dev/fd
opts=trans=virtio,version=9p2000.L,msize=512000,cache=none
mount -t 9p -o "$opts,ro" project /project
mount -t 9p -o "$opts" results /results
mount -t 9p -o "$opts,ro" modules /lib/modules
hostname -F /etc/hostname

echo "svm-guest: $(nproc) CPUs, $(awk '/MemTotal/ {print $2 / 1024 " MiB"}' /proc/meminfo), kernel $(uname -r)" > /dev/console
cd /results
bash /results/guest-cmd.sh > /results/guest.log 2>&1 < /dev/null
echo $? > /results/guest-status

# kmemleak only reports what a scan found; scan twice as its docs advise.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /results/kmemleak.txt
	[ -s /results/kmemleak.txt ] && cat /results/kmemleak.txt > /dev/console
fi
sync
echo "svm-guest: done" > /dev/console
echo o > /proc/sysrq-trigger
sleep 10
