#!/bin/bash
# SPDX-License-Identifier: MIT
# Install the host packages the pipeline needs (Debian bookworm), once.
# Usage: ci/host-deps.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS=(
	# kernel build
	build-essential bc bison flex libelf-dev libssl-dev cpio rsync kmod
	python3 xz-utils
	# guest
	qemu-system-x86 debootstrap debian-archive-keyring
	# userspace build
	meson ninja-build pkg-config libdrm-dev libkmod-dev libpciaccess-dev
	libsqlite3-dev sqlite3
	# what the -Digt_src glue adds for a real IGT tree (its meson test)
	libcairo2-dev libpixman-1-dev libglib2.0-dev libudev-dev libdw-dev
	# svm-results on a PostgreSQL server (runner/tests/test_postgres.py)
	postgresql python3-psycopg
	# svm-results export-kcidb: its schema check (runner/tests/test_kcidb.py)
	python3-jsonschema
	# LAVA job definitions and their schema check (lab/tests); lava-run
	# for the QEMU job (lab/lava-qemu-run)
	lava-common lava-dispatcher
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	log "host packages: all ${#PKGS[@]} present"
	exit 0
fi
log "host packages: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
	die "apt-get install failed for: ${missing[*]}"
