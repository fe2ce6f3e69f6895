#!/bin/sh
# Puts Debian's static busybox for another architecture (an arm64 guest's image, built on an
# x86_64 host) in one file: apt-get download busybox-static:ARCH, dpkg-deb -x into a temp dir,
# keep bin/busybox. Nothing is installed over the host's own busybox. Cached: a second run
# does nothing.
#
# Usage: initramfs/fetch-busybox.sh --arch ARCH --out FILE
#   --arch ARCH     Debian architecture: arm64 (it must be one of dpkg's: scripts/deps.sh build
#                   adds arm64)
#   --out FILE      where to put the busybox binary (build/arm64/busybox)
#   -h, --help      this text
#
# Exit status: 0 done (or cached), 1 failure (one line on stderr says what), 2 usage error.
set -eu

prog=fetch-busybox.sh
arch='' out=''

die() { echo "$prog: $*" >&2; exit 1; }
usage_error() { echo "$prog: $*; see --help" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || usage_error "--arch needs a name"; arch=$2; shift ;;
	--out) [ $# -ge 2 ] || usage_error "--out needs a file"; out=$2; shift ;;
	-h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
[ -n "$arch" ] && [ -n "$out" ] || usage_error "--arch ARCH and --out FILE are required"

pkg=busybox-static:$arch
if [ -x "$out" ]; then
	echo "$prog: $out: cached ($pkg)"
	exit 0
fi
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$out.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sandbox=
[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
# shellcheck disable=SC2086
if ! (cd "$tmp" && apt-get download -q $sandbox "$pkg") >"$tmp/apt.log" 2>&1; then
	why=$(grep -E "^(E|Err):" "$tmp/apt.log" | tail -n 1)
	die "cannot download $pkg: ${why:-$(tail -n 1 "$tmp/apt.log")} (as root: dpkg --add-architecture $arch; apt-get update)"
fi
dpkg-deb -x "$tmp"/*.deb "$tmp/root" || die "cannot unpack $(ls "$tmp"/*.deb)"
[ -f "$tmp/root/bin/busybox" ] || die "$pkg has no bin/busybox"
version=$(dpkg-deb -f "$tmp"/*.deb Version)
# a rename in the same directory: tests building images in parallel see all or nothing
cp "$tmp/root/bin/busybox" "$tmp/busybox"
chmod 0755 "$tmp/busybox"
mv -f "$tmp/busybox" "$out" || die "cannot write '$out'"
echo "$prog: $out: busybox $version for $arch"
