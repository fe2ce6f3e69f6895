#!/bin/sh
# Installs (as root) or names (otherwise) the Debian packages softoff needs to build and test.
# Used by the Makefile, .ci/run and the Dockerfile, so there is one list in one place.
# Usage: scripts/deps.sh [--check] [build|run|deb|test|container|all]
#   build      what `make` needs, the arm64 agent's cross-build included: gcc-aarch64-linux-gnu,
#              and musl-dev, libevdev-dev and linux-libc-dev of Debian's arm64 architecture
#              (multiarch: added with `dpkg --add-architecture arm64` when missing), and
#              qemu-user-static, which runs the arm64 busybox to list its applets for the image
#   run        what `softoff-qemu run` needs on a machine that did not build it: QEMU and
#              jansson's shared library (the container image's runtime stage)
#   deb        build, and what `make deb` needs: debhelper, dpkg-dev, and lintian, man-db
#              and groff-base to check the packages and man pages
#   test       build, run and deb, and what the tests and benchmarks use: cmocka, clang,
#              valgrind, e2fsprogs, xfsprogs, btrfs-progs, dosfstools (the data-safety
#              checks), Debian's acpid (the acpid2 test and benchmark copy it into a guest
#              image) and mmdebstrap (throwaway Debian roots: the full Debian guest, and the
#              roots whose own mkinitramfs and dracut make the images the package tests
#              boot), python3-junitparser (an independent reader of boot's --junit XML),
#              perl's prove (a TAP consumer for boot's --tap), python3-yaml (reads the
#              CI examples in docs/ci.md), qemu-system-arm and qemu-efi-aarch64 (arm64
#              guests: QEMU's virt machine and its UEFI firmware); `bench` is the same set
#   container  what `make container` needs: buildah (podman, if you have it, shares its
#              image store) and mmdebstrap, which makes the base image from the Debian archive
#   all        every set
#   --check    only report; exit 1 if something is missing (never installs)
# Another apt or dpkg may be running: each apt-get and dpkg call waits for its lock (up to
# 10 minutes) instead of failing.
set -eu

# command or file that proves the package is present, then the package name
build_pkgs='
/usr/bin/musl-gcc musl-tools
/usr/include/libevdev-1.0/libevdev/libevdev.h libevdev-dev
/bin/busybox busybox-static
/usr/bin/cpio cpio
/usr/bin/kmod kmod
/usr/include/jansson.h libjansson-dev
/usr/bin/gcc gcc
/usr/include/stdio.h libc6-dev
/usr/include/linux/input.h linux-libc-dev
/usr/bin/make make
/usr/bin/gzip gzip
/usr/bin/pkg-config pkg-config
/usr/bin/aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
/usr/bin/aarch64-linux-musl-gcc musl-dev:arm64
/usr/lib/aarch64-linux-gnu/libevdev.a libevdev-dev:arm64
/usr/include/aarch64-linux-gnu/asm/types.h linux-libc-dev:arm64
/usr/bin/qemu-aarch64-static qemu-user-static
'
run_pkgs='
/usr/bin/qemu-system-x86_64 qemu-system-x86
/usr/lib/x86_64-linux-gnu/libjansson.so.4 libjansson4
'
deb_pkgs='
/usr/bin/dh debhelper
/usr/bin/dpkg-buildpackage dpkg-dev
/usr/bin/lintian lintian
/usr/bin/man man-db
/usr/bin/groff groff-base
'
test_pkgs='
/usr/include/cmocka.h libcmocka-dev
/sbin/mkfs.ext4 e2fsprogs
/sbin/mkfs.xfs xfsprogs
/sbin/mkfs.btrfs btrfs-progs
/sbin/mkfs.fat dosfstools
/usr/bin/apt-get apt
/usr/bin/valgrind valgrind
/usr/bin/clang clang
/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
/usr/sbin/acpid acpid
/usr/bin/mmdebstrap mmdebstrap
/usr/lib/python3/dist-packages/junitparser python3-junitparser
/usr/bin/prove perl
/usr/lib/python3/dist-packages/yaml python3-yaml
/usr/bin/qemu-system-aarch64 qemu-system-arm
/usr/share/qemu-efi-aarch64/QEMU_EFI.fd qemu-efi-aarch64
'
container_pkgs='
/usr/bin/buildah buildah
/usr/bin/mmdebstrap mmdebstrap
'

check=0
[ "${1:-}" = --check ] && { check=1; shift; }
what=${1:-all}
case $what in
build) list=$build_pkgs ;;
run) list=$run_pkgs ;;
deb) list="$build_pkgs$deb_pkgs" ;;
test | bench) list="$build_pkgs$run_pkgs$deb_pkgs$test_pkgs" ;;
container) list=$container_pkgs ;;
all) list="$build_pkgs$run_pkgs$deb_pkgs$test_pkgs$container_pkgs" ;;
*) echo "deps.sh: unknown set '$what' (build, run, deb, test, bench, container, all)" >&2; exit 2 ;;
esac

missing=$(printf '%s\n' "$list" | while read -r probe pkg; do
	[ -n "$probe" ] || continue
	[ -e "$probe" ] || printf '%s ' "$pkg"
done)
[ -z "$missing" ] && exit 0
[ $check = 1 ] && { echo "missing packages: $missing" >&2; exit 1; }

# Packages of a foreign architecture (NAME:ARCH) need that architecture in dpkg's list.
new_arches=$(for pkg in $missing; do
	case $pkg in *:*) echo "${pkg#*:}" ;; esac
done | sort -u | while read -r arch; do
	[ "$arch" = "$(dpkg --print-architecture)" ] ||
		dpkg --print-foreign-architectures | grep -qx "$arch" || printf '%s ' "$arch"
done)

if [ "$(id -u)" != 0 ]; then
	echo "softoff needs these Debian packages; as root run:" >&2
	for arch in $new_arches; do echo "  dpkg --add-architecture $arch" >&2; done
	echo "  apt-get update" >&2
	echo "  apt-get install -y --no-install-recommends $missing" >&2
	exit 1
fi

# deps_locked COMMAND...: run COMMAND; while it fails because another apt or dpkg holds a lock
# (apt-get update does not wait for the lists lock on its own), retry, for 10 minutes at most.
deps_locked() {
	err=$(mktemp)
	for _ in $(seq 120); do
		if "$@" 2>"$err"; then rm -f "$err"; return 0; fi
		grep -qi 'lock' "$err" || break
		echo "deps.sh: $1 waits for another apt or dpkg to finish" >&2
		sleep 5
	done
	cat "$err" >&2
	rm -f "$err"
	return 1
}

echo "deps.sh: installing $missing"
export DEBIAN_FRONTEND=noninteractive
for arch in $new_arches; do
	echo "deps.sh: adding the $arch architecture to dpkg (multiarch)"
	deps_locked dpkg --add-architecture "$arch"
done
apt_wait='-o DPkg::Lock::Timeout=600'
# shellcheck disable=SC2086
deps_locked apt-get $apt_wait update -qq ||
	echo "deps.sh: apt-get update failed; trying the cached package lists" >&2
# shellcheck disable=SC2086
deps_locked apt-get $apt_wait install -y -qq --no-install-recommends $missing
