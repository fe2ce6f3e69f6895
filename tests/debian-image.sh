#!/bin/sh
# Makes an initramfs image the way a Debian user gets one: a throwaway Debian 12 root
# (mmdebstrap, minbase, the kernel package of build/kernel-amd64 and the GENERATOR), the
# softoff-agent package installed into it with dpkg -i, and the image the package's trigger
# makes dpkg rebuild with the root's own initramfs-tools or dracut. Both the root and
# the image are cached under build/debian/, keyed on their inputs, so a second run is instant.
#
# Usage: tests/debian-image.sh GENERATOR AGENT-DEB
#   GENERATOR  initramfs-tools | dracut
# Prints the image's path on the last line of stdout; beside it, IMAGE.list lists its files.
# Needs root (chroot, mount namespace), mmdebstrap and the Debian archive for the first root.
# Exit status: 0 made (or cached), 1 failure (the step is named on stderr), 2 usage error.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
prog=debian-image.sh
die() { echo "$prog: $*" >&2; exit 1; }
[ $# = 2 ] || { echo "usage: $prog initramfs-tools|dracut AGENT-DEB" >&2; exit 2; }
generator=$1 deb=$2
case $generator in initramfs-tools | dracut) ;; *) echo "$prog: unknown generator '$generator'" >&2; exit 2 ;; esac
[ -f "$deb" ] || die "package '$deb': no such file"
[ -f build/kernel-amd64/version ] || die "build/kernel-amd64 is missing (make kernel KERNEL_FLAVOUR=amd64)"
kver=$(cat build/kernel-amd64/version)
cache=$top/build/debian
mkdir -p "$cache"

# The root's recipe: change it and the key changes. dracut's base module needs halt, reboot
# and poweroff, which a minbase root has only with an init system: sysvinit's (no systemd,
# so dracut makes its shell-based image, whose hooks the softoff module uses).
case $generator in
initramfs-tools) packages=initramfs-tools ;;
dracut) packages=dracut,sysvinit-core ;;
esac
recipe="bookworm minbase linux-image-$kver $packages"
root_key=$(echo "$recipe" | sha256sum | cut -c1-12)
root=$cache/root-$generator-$root_key

# Runs a command in the root with /proc, /sys and /dev (scripts/in-root.sh).
in_root() { "$top/scripts/in-root.sh" "$root" "$@"; }

make_root() {
	[ -d "$root" ] && return
	command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (scripts/deps.sh test)"
	for old in "$cache/root-$generator-"*; do [ -e "$old" ] && rm -rf "$old"; done # other recipes'
	start=$(date +%s)
	echo "$prog: mmdebstrap $recipe -> ${root#"$top"/}"
	mmdebstrap --variant=minbase --include="$packages,linux-image-$kver" bookworm "$root.tmp" \
		>"$cache/mmdebstrap-$generator.log" 2>&1 ||
		{ tail -n 20 "$cache/mmdebstrap-$generator.log" >&2; die "mmdebstrap failed (log ${cache#"$top"/}/mmdebstrap-$generator.log)"; }
	mv "$root.tmp" "$root"
	echo "$prog: root ready in $(($(date +%s) - start)) s ($(du -sh "$root" | cut -f1))"
}

# dpkg -i: the package's trigger (update-initramfs) makes dpkg rebuild the image with the
# root's generator (dracut handles that trigger too; its default is a generic image, not a
# host-only one).
make_image() {
	start=$(date +%s)
	cp "$deb" "$root/tmp/softoff-agent.deb"
	in_root dpkg -i /tmp/softoff-agent.deb >"$cache/$generator-dpkg.log" 2>&1 ||
		{ cat "$cache/$generator-dpkg.log" >&2; die "dpkg -i $(basename "$deb") in the root failed"; }
	rm -f "$root/tmp/softoff-agent.deb"
	sed 's/^/    /' "$cache/$generator-dpkg.log"
	case $generator in
	initramfs-tools) lister=lsinitramfs ;;
	dracut) lister=lsinitrd ;;
	esac
	in_root $lister "/boot/initrd.img-$kver" >"$image.list.tmp" || die "$lister in the root failed"
	rm -f "$cache/$generator-"*.img "$cache/$generator-"*.img.list
	cp "$root/boot/initrd.img-$kver" "$image"
	mv "$image.list.tmp" "$image.list"
	echo "$prog: $generator image made in $(($(date +%s) - start)) s ($(du -h "$image" | cut -f1))"
}

exec 9>"$cache/$generator.lock"
flock 9
# The package as it is now (make deb may replace it meanwhile): the key and dpkg -i use this copy.
cp "$deb" "$cache/$generator-softoff-agent.deb"
deb=$cache/$generator-softoff-agent.deb
image_key=$( (echo "$root_key"; sha256sum <"$deb"; sha256sum <"$0") | sha256sum | cut -c1-12)
image=$cache/$generator-$image_key.img
if [ -f "$image" ] && [ -f "$image.list" ]; then
	echo "$prog: cached"
else
	make_root
	make_image
fi
echo "$image"
