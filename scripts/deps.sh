#!/bin/sh
# Installs (as root) or names (otherwise) the Debian packages softoff needs to build and test.
# Used by the Makefile, .ci/run and the Dockerfile, so there is one list in one place.
# Usage: scripts/deps.sh [--check] [build|test|all]
#   build    what `make` needs
#   test     also what the tests and benchmarks use: QEMU, cmocka, clang, valgrind, e2fsprogs,
#            xfsprogs, btrfs-progs, dosfstools (the data-safety tests' filesystems and their
#            checkers), and Debian's acpid (the acpid2 test and benchmark copy it into a guest image);
#            `bench` and `all` are the same set
#   --check  only report; exit 1 if something is missing (never installs)
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
/usr/bin/make make
/usr/bin/gzip gzip
/usr/bin/pkg-config pkg-config
'
test_pkgs='
/usr/include/cmocka.h libcmocka-dev
/usr/bin/qemu-system-x86_64 qemu-system-x86
/sbin/mkfs.ext4 e2fsprogs
/sbin/mkfs.xfs xfsprogs
/sbin/mkfs.btrfs btrfs-progs
/sbin/mkfs.fat dosfstools
/usr/bin/apt-get apt
/usr/bin/valgrind valgrind
/usr/bin/clang clang
/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
/usr/sbin/acpid acpid
'

check=0
[ "${1:-}" = --check ] && { check=1; shift; }
what=${1:-all}
case $what in
build) list=$build_pkgs ;;
test | bench | all) list="$build_pkgs$test_pkgs" ;;
*) echo "deps.sh: unknown set '$what' (build, test, bench, all)" >&2; exit 2 ;;
esac

missing=$(printf '%s\n' "$list" | while read -r probe pkg; do
	[ -n "$probe" ] || continue
	[ -e "$probe" ] || printf '%s ' "$pkg"
done)
[ -z "$missing" ] && exit 0
[ $check = 1 ] && { echo "missing packages: $missing" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
	echo "softoff needs these Debian packages; as root run:" >&2
	echo "  apt-get install -y --no-install-recommends $missing" >&2
	exit 1
fi
echo "deps.sh: installing $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "deps.sh: apt-get update failed; trying the cached package lists" >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
