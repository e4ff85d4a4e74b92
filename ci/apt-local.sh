# SPDX-License-Identifier: MIT
# A project-local apt configuration reaching Debian sid and trixie-backports
# without touching the machine's own sources. Source it after ci/lib.sh.

APT_LOCAL_DIR=$CACHE_DIR/apt
APT_MIRROR=${APT_MIRROR:-http://deb.debian.org/debian}

apt_local_setup() {
	mkdir -p "$APT_LOCAL_DIR"/{lists/partial,cache/archives/partial,parts,prefs}
	cat > "$APT_LOCAL_DIR/sources.list" <<-SRC
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $APT_MIRROR sid main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $APT_MIRROR trixie-backports main
	SRC
}

# apt_local TOOL ARGS...: run apt-get or apt-cache with the local configuration.
apt_local() {
	local tool=$1; shift
	"$tool" -q \
		-o Dir::Etc::SourceList="$APT_LOCAL_DIR/sources.list" \
		-o Dir::Etc::SourceParts="$APT_LOCAL_DIR/parts" \
		-o Dir::Etc::PreferencesParts="$APT_LOCAL_DIR/prefs" \
		-o Dir::State::Lists="$APT_LOCAL_DIR/lists" \
		-o Dir::Cache="$APT_LOCAL_DIR/cache" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o APT::Sandbox::User=root \
		"$@"
}

# Refresh the package lists when they are older than a day.
apt_local_update() {
	apt_local_setup
	local stamp=$APT_LOCAL_DIR/lists/.updated
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		log "apt (sid, trixie-backports): updating package lists"
		apt_local apt-get update >/dev/null || die "apt-get update (sid, trixie-backports) failed"
		touch "$stamp"
	fi
}

# apt_local_versions PACKAGE: every version the local suites offer, newest first.
apt_local_versions() {
	apt_local apt-cache madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}'
}
