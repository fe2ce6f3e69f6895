#!/bin/sh
# Builds the container image (the Dockerfile) with buildah, with no registry: the base image is
# a Debian bookworm that mmdebstrap makes from the Debian archive. The base is kept in
# build/container/ and in the image store, so a second run reuses it; buildah's layer cache
# keeps the installed packages and the kernel while only the sources change.
# podman shares buildah's image store: `podman run localhost/softoff` runs the result.
#
# Usage: scripts/container.sh [--tag NAME] [--iidfile FILE]
#   --tag NAME      the image's name (default localhost/softoff:latest)
#   --iidfile FILE  also write the image's ID to FILE (a tag can move; the ID cannot)
#   -h, --help      this text
#
# Needs root, buildah and mmdebstrap (scripts/deps.sh container). Delete build/container/ to
# make a fresh base (e.g. for newer Debian packages).
# Exit status: 0 built, 1 a step failed (a line on stderr says which), 2 usage error.
set -eu
cd "$(dirname "$0")/.."

prog=container.sh
tag=localhost/softoff:latest iidfile=
base=localhost/softoff-base:bookworm
base_tar=build/container/bookworm.tar

die() { echo "$prog: $*" >&2; exit 1; }
usage_error() { echo "$prog: $*; see --help" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--tag) [ $# -ge 2 ] || usage_error "--tag needs a name"; tag=$2; shift ;;
	--iidfile) [ $# -ge 2 ] || usage_error "--iidfile needs a file"; iidfile=$2; shift ;;
	-h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || die "building the image needs root (mmdebstrap, buildah's chroot isolation)"
for tool in buildah mmdebstrap; do
	command -v $tool >/dev/null || die "$tool is missing (as root: scripts/deps.sh container)"
done

# The base: made once from the archive (a stable suite with -updates and -security), imported
# once into the store. Debian's merged /usr, as debootstrap makes it, without the usrmerge
# package (and the perl it pulls in).
make_base_tar() {
	[ -f "$base_tar" ] && return
	echo "$prog: making $base_tar with mmdebstrap (Debian bookworm, from the Debian archive)"
	mkdir -p "$(dirname "$base_tar")"
	mmdebstrap --quiet --variant=apt --format=tar \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		bookworm "$base_tar.tmp" || die "mmdebstrap bookworm $base_tar failed"
	mv "$base_tar.tmp" "$base_tar"
	buildah rmi "$base" >/dev/null 2>&1 || true # a new tar replaces the imported one
}

import_base() {
	buildah inspect --type image "$base" >/dev/null 2>&1 && return
	echo "$prog: importing $base_tar as $base"
	c=$(buildah from --pull=never scratch) || die "buildah from scratch failed"
	if ! buildah add --quiet "$c" "$base_tar" / >/dev/null ||
		! buildah commit --quiet --rm "$c" "$base" >/dev/null; then
		buildah rm "$c" >/dev/null 2>&1
		die "importing $base_tar as $base failed"
	fi
}

# Chroot isolation: RUN steps need no OCI runtime, so no cgroups or rlimits from the machine;
# host network: the steps reach the Debian archive like the host does.
build_image() {
	iid=$(mktemp)
	trap 'rm -f "$iid"' EXIT
	buildah build --layers --isolation=chroot --pull=never --network=host \
		--build-arg BASE="$base" --iidfile "$iid" -t "$tag" . || die "buildah build failed"
	[ -z "$iidfile" ] || cp "$iid" "$iidfile"
	echo "$prog: built $tag ($(buildah images --format '{{.Size}}' "$(cat "$iid")"))"
}

make_base_tar
import_base
build_image
