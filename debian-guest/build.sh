#!/bin/sh
# Builds a full Debian guest: a bookworm root (mmdebstrap minbase + systemd + udev + the cloud
# kernel, no dbus, so no systemd-logind), the softoff-agent package installed with dpkg, as a raw
# ext4 image made without loop devices (mke2fs -d), plus the root's own kernel and initrd
# (initramfs-tools inside the root puts the virtio and ext4 modules in it).
#
# Usage: debian-guest/build.sh --out DIR [OPTION...]
#   --out DIR          writes DIR/rootfs.img, DIR/vmlinuz, DIR/initrd.img (required)
#   --deb FILE         the softoff-agent package (default build/deb/softoff-agent_VERSION_amd64.deb,
#                      from `make deb`); its trigger rebuilds the root's initrd with the agent
#   --no-softoff       leave softoff out (the same guest as it comes: it ignores the button)
#   --file SRC:DEST    copy SRC into the root as DEST (repeatable; mode kept; no spaces)
#   --enable UNIT:TARGET
#                      enable UNIT (installed with --file) in TARGET, as systemctl enable would
#   --size SIZE        the image size for mke2fs (default 1G; the image is sparse)
#   --cache DIR        where the base root is kept (default build/debian-guest/cache)
# Boot: -kernel DIR/vmlinuz -initrd DIR/initrd.img -drive file=DIR/rootfs.img,if=virtio,format=raw
#   -append 'console=ttyS0 root=/dev/vda rw'.
# Both steps are cached: the base root (about 300 MB, the slow part: packages from the Debian
# archive) on its package list, the image on everything that goes into it. Needs root
# (mmdebstrap's root mode, and files owned by root in the image).
# Exit status: 0 built or up to date; 1 a step failed; 2 usage error.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd -P)

SUITE=bookworm
PACKAGES=systemd,systemd-sysv,udev,linux-image-cloud-amd64,initramfs-tools
# Bump when base_build changes what it makes: the cached base roots are keyed on it.
BASE_FORMAT=1

out='' deb=$top/build/deb/softoff-agent_$(cat "$top/VERSION")_amd64.deb softoff=1 size=1G cache=$top/build/debian-guest/cache
files='' units=''
usage() { echo "debian-guest/build.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=${2:-} ;;
	--deb) deb=${2:-} ;;
	--no-softoff) softoff=0; shift; continue ;;
	--file) case ${2:-} in *?:/?*) files="$files ${2}" ;; *) usage "--file takes SRC:/DEST, not '${2:-}'" ;; esac ;;
	--enable) case ${2:-} in *?:?*) units="$units ${2}" ;; *) usage "--enable takes UNIT:TARGET, not '${2:-}'" ;; esac ;;
	--size) size=${2:-} ;;
	--cache) cache=${2:-} ;;
	-h | --help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage "unknown argument '$1' (try --help)" ;;
	esac
	[ $# -ge 2 ] || usage "$1 needs a value"
	shift 2
done
[ -n "$out" ] || usage "--out DIR is required"
[ "$(id -u)" = 0 ] || { echo "debian-guest/build.sh: needs root (mmdebstrap, files owned by root)" >&2; exit 1; }
[ $softoff = 0 ] || [ -f "$deb" ] || { echo "debian-guest/build.sh: package '$deb': no such file (make deb)" >&2; exit 1; }
for f in $files; do
	[ -f "${f%%:*}" ] || { echo "debian-guest/build.sh: --file '${f%%:*}': no such file" >&2; exit 1; }
done

say() { echo "debian-guest: $*" >&2; }
sha() { sha256sum | cut -c1-16; }

# --- the base root: Debian's packages, cached on what selects them ---------------------------
base_key=$(printf '%s\n' "$BASE_FORMAT" "$SUITE" "$PACKAGES" | sha)
base=$cache/base-$base_key

base_build() {
	rm -rf "$base.tmp"
	mkdir -p "$base.tmp"
	# no documentation, manual pages or translations: a smaller image, a faster mke2fs
	mmdebstrap --quiet --variant=minbase --include="$PACKAGES" \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' "$SUITE" "$base.tmp/root" >&2
	echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$base.tmp/root/etc/fstab"
	echo debian-guest >"$base.tmp/root/etc/hostname"
	mv "$base.tmp" "$base"
}

# One builder at a time per cache: make check runs tests in parallel, and they share it.
mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9
if [ ! -d "$base/root" ]; then
	say "building the base root (mmdebstrap $SUITE: $PACKAGES) in $base"
	start=$(date +%s)
	base_build
	say "base root built in $(($(date +%s) - start)) s"
fi

# --- softoff in the root: the package, as a user installs it ------------------------------
softoff_inputs() {
	echo "$deb:/tmp/softoff-agent.deb"
}
# dpkg replaces files by renaming new ones into place, so the hard links to the cached base
# stay untouched; the logs it appends to are copied first for the same reason. Its postinst
# enables softoff-agent.service, and the initramfs-tools trigger rebuilds the initrd.
install_softoff() { # root
	for f in var/log/dpkg.log var/log/alternatives.log; do
		[ -f "$1/$f" ] && cp --remove-destination "$1/$f" "$1/$f.new" && mv "$1/$f.new" "$1/$f"
	done
	put_file "$1" "$deb:/tmp/softoff-agent.deb"
	# update-initramfs wants /proc, /sys and /dev
	"$top/scripts/in-root.sh" "$1" dpkg -i /tmp/softoff-agent.deb >&2
	rm -f "$1/tmp/softoff-agent.deb"
}

# A new file in the staged root. The stage hard-links the base's files: replace, never write
# through, or the cached base would change.
put_file() { # root SRC:DEST
	dest=$1${2#*:}
	mkdir -p "$(dirname "$dest")"
	rm -f "$dest"
	cp "${2%%:*}" "$dest"
	chmod "$(stat -c %a "${2%%:*}")" "$dest"
	chown 0:0 "$dest"
}

# What `systemctl enable` does for a unit with WantedBy=TARGET.
enable_unit() { # root unit target
	for d in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
		[ -e "$1$d/$2" ] && break
	done
	mkdir -p "$1/etc/systemd/system/$3.wants"
	ln -sfn "$d/$2" "$1/etc/systemd/system/$3.wants/$2"
}

# --- the image: cached on every input ------------------------------------------------------------
inputs() {
	echo "base $base_key size $size softoff $softoff units $units builder $(sha <"$0")"
	{ [ $softoff = 0 ] || softoff_inputs; printf '%s\n' $files; } | while IFS= read -r f; do
		[ -n "$f" ] || continue
		echo "$f $(stat -c %a "${f%%:*}") $(sha256sum <"${f%%:*}" | cut -c1-64)"
	done
}
key=$(inputs | sha)
if [ -f "$out/rootfs.img" ] && [ "$(cat "$out/inputs" 2>/dev/null)" = "$key" ]; then
	say "$out is up to date"
	exit 0
fi

start=$(date +%s)
stage=$out/stage
mkdir -p "$out"
rm -rf "$stage" "$out/rootfs.img" "$out/inputs"
cp -al "$base/root" "$stage"
[ $softoff = 0 ] || install_softoff "$stage"
for f in $files; do put_file "$stage" "$f"; done
for u in $units; do enable_unit "$stage" "${u%%:*}" "${u#*:}"; done
: >"$out/rootfs.img" # an existing file: mke2fs then says nothing
mke2fs -q -F -t ext4 -L root -d "$stage" "$out/rootfs.img" "$size"
cp "$(ls "$stage"/boot/vmlinuz-* | tail -n 1)" "$out/vmlinuz"
cp "$(ls "$stage"/boot/initrd.img-* | tail -n 1)" "$out/initrd.img"
rm -rf "$stage"
echo "$key" >"$out/inputs"
say "built $out/rootfs.img ($([ $softoff = 1 ] && echo with || echo without) softoff) in $(($(date +%s) - start)) s"
