#!/bin/sh
# Puts a kernel and its modules tree under one directory for the image builder and the boot
# tests: Debian's own kernel (apt-get download, dpkg-deb -x, depmod -b; no system install),
# or a kernel the user already has. The result is cached: a second run does nothing.
#
# Usage: initramfs/fetch-kernel.sh --out DIR [--flavour FLAVOUR]
#        initramfs/fetch-kernel.sh --out DIR --kernel FILE --modules DIR
#   --out DIR       where to put the kernel (build/kernel)
#   --flavour F     Debian flavour: cloud-amd64 (default, fast to boot), amd64 (generic),
#                   cloud-arm64 (an arm64 guest's; arm64 becomes a dpkg architecture, as root)
#   --kernel FILE   use this kernel image instead of Debian's
#   --modules DIR   its modules tree: lib/modules/VERSION, with modules.dep (run depmod first)
#   -h, --help      this text
#
# Afterwards DIR holds: vmlinuz, modules (-> lib/modules/VERSION), version, source.
# Exit status: 0 done (or cached), 1 failure (one line on stderr says what), 2 usage error.
set -eu

prog=fetch-kernel.sh
out='' flavour=cloud-amd64 kernel='' modules=''

die() { echo "$prog: $*" >&2; exit 1; }
usage_error() { echo "$prog: $*; see --help" >&2; exit 2; }

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--out) [ $# -ge 2 ] || usage_error "--out needs a directory"; out=$2; shift ;;
		--flavour) [ $# -ge 2 ] || usage_error "--flavour needs a name"; flavour=$2; shift ;;
		--kernel) [ $# -ge 2 ] || usage_error "--kernel needs a file"; kernel=$2; shift ;;
		--modules) [ $# -ge 2 ] || usage_error "--modules needs a directory"; modules=$2; shift ;;
		-h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) usage_error "unknown argument '$1'" ;;
		esac
		shift
	done
	[ -n "$out" ] || usage_error "--out DIR is required"
	if [ -n "$kernel" ] || [ -n "$modules" ]; then
		[ -n "$kernel" ] && [ -n "$modules" ] || usage_error "--kernel and --modules go together"
	fi
}

# Absolute path of an existing file or directory.
abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }

# True when DIR already holds what SOURCE describes.
is_cached() { # source
	[ -f "$out/source" ] && [ "$(cat "$out/source")" = "$1" ] &&
		[ -e "$out/vmlinuz" ] && [ -f "$out/modules/modules.dep" ]
}

# The user's own kernel: link it in, so every later step reads build/kernel the same way.
use_own_kernel() {
	[ -f "$kernel" ] || die "kernel '$kernel': no such file"
	[ -f "$modules/modules.dep" ] ||
		die "modules '$modules': no modules.dep (run: depmod -b ROOT VERSION, ROOT holding lib/modules/VERSION)"
	kernel=$(abspath "$kernel") modules=$(cd "$modules" && pwd -P)
	mkdir -p "$out"
	out_abs=$(cd "$out" && pwd -P)
	case "$kernel $modules" in
	"$out_abs"/* | *" $out_abs"/*) die "--kernel and --modules must live outside $out (it is replaced)" ;;
	esac
	source="own $kernel $modules"
	if is_cached "$source"; then echo "$prog: $out: cached ($source)"; return; fi
	rm -rf "$out"
	mkdir -p "$out"
	ln -s "$kernel" "$out/vmlinuz"
	ln -s "$modules" "$out/modules"
	basename "$modules" >"$out/version"
	echo "$source" >"$out/source"
	echo "$prog: $out: using kernel $kernel, modules $modules"
}

# A Debian flavour ends in its architecture (cloud-arm64 -> arm64). Another architecture's
# package is named PACKAGE:ARCH and apt knows it only once dpkg has that architecture.
set_architecture() {
	arch=${flavour##*-}
	qualifier=
	[ "$arch" = "$(dpkg --print-architecture)" ] || qualifier=:$arch
}

# The versioned package the meta package linux-image-FLAVOUR points at; status 1 if unknown.
resolve_package() {
	meta=linux-image-$flavour$qualifier
	pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ <>]*\).*/\1/p' | head -n 1)
	[ -n "$pkg" ]
}

# Missing or stale package lists (a fresh container, an archive that moved on to a newer
# kernel, a foreign architecture not yet added) are refreshed once, as root; otherwise the
# error says what to run.
refresh_package_lists() {
	[ "$(id -u)" = 0 ] || return 1
	if [ -n "$qualifier" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		echo "$prog: adding the dpkg architecture $arch (dpkg --add-architecture $arch)"
		dpkg --add-architecture "$arch"
	fi
	echo "$prog: refreshing the apt package lists (apt-get update)"
	apt-get update -qq >/dev/null 2>&1
}

# Download PKG into TMP and unpack it to TMP/root, with a modules.dep made by depmod.
download_and_unpack() { # tmp
	sandbox=
	[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	if ! (cd "$1" && apt-get download -q $sandbox "$pkg") >"$1/apt.log" 2>&1 &&
		! { refresh_package_lists && resolve_package &&
			(cd "$1" && apt-get download -q $sandbox "$pkg") >"$1/apt.log" 2>&1; }; then
		why=$(grep -E "^(E|Err):" "$1/apt.log" | tail -n 1)
		[ -n "$why" ] || why=$(tail -n 1 "$1/apt.log")
		die "cannot download $pkg from the Debian archive: $why"
	fi
	dpkg-deb -x "$1"/*.deb "$1/root" || die "cannot unpack $(ls "$1"/*.deb)"
	rm -f "$1"/*.deb "$1/apt.log"
	rm -rf "$1/root/usr/share" # documentation only
	moddir=$(find "$1/root" -maxdepth 4 -path '*/lib/modules/*' -type d -prune | head -n 1)
	[ -n "$moddir" ] || die "$pkg has no lib/modules directory"
	version=$(basename "$moddir")
	depmod -b "$1/root" "$version" || die "depmod -b $1/root $version failed"
	[ -f "$1/root/boot/vmlinuz-$version" ] || die "$pkg has no boot/vmlinuz-$version"
}

# Debian's kernel, unpacked under OUT/root; the tree is built beside OUT and moved in whole.
fetch_debian_kernel() {
	source="debian linux-image-$flavour"
	if is_cached "$source"; then
		echo "$prog: $out: cached $(cat "$out/version") ($source)"
		return
	fi
	resolve_package || { refresh_package_lists && resolve_package; } ||
		die "cannot resolve $meta: not in the apt package lists (run as root:${qualifier:+ dpkg --add-architecture $arch;} apt-get update; is the Debian archive reachable?)"
	echo "$prog: fetching $pkg (for $meta)"
	mkdir -p "$(dirname "$out")"
	tmp=$(mktemp -d "$out.tmp.XXXXXX")
	chmod 755 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	download_and_unpack "$tmp"
	ln -s "root${moddir#"$tmp/root"}" "$tmp/modules"
	ln -s "root/boot/vmlinuz-$version" "$tmp/vmlinuz"
	echo "$version" >"$tmp/version"
	echo "$source" >"$tmp/source"
	rm -rf "$out"
	if ! mv -T "$tmp" "$out" 2>/dev/null; then
		# another fetch of the same kernel finished first (parallel tests)
		is_cached "$source" || die "cannot move $tmp to $out"
		exit 0
	fi
	trap - EXIT
	echo "$prog: $out: kernel $version ($(du -sh "$out/root" | cut -f1) unpacked)"
}

parse_args "$@"
set_architecture
if [ -n "$kernel" ]; then use_own_kernel; else fetch_debian_kernel; fi
