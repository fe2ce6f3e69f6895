#!/bin/sh
# Builds a small, bit-for-bit reproducible initramfs around softoff-agent: busybox (applet
# links made here), the agent, the evdev + button modules and their dependencies, /init, the
# agent's config and hooks. The same inputs always give the same bytes.
#
# Usage: initramfs/mkinitramfs.sh -o OUT [options]
#   -o, --output FILE     the image to write (gzip-compressed newc cpio)
#   --modules DIR         kernel modules tree: lib/modules/VERSION with modules.dep, or a
#                         root holding one lib/modules/VERSION (required unless --no-modules)
#   --module NAME         load one more module at boot, with its dependencies (repeatable)
#   --no-modules          ship no modules (for kernels with evdev and button built in)
#   --agent FILE          softoff-agent binary (default: build/softoff-agent next to this script;
#                         build/arm64/softoff-agent for an arm64 guest)
#   --no-agent            leave the agent out: /init mounts, loads modules and just waits
#   --busybox FILE        static busybox (default: /bin/busybox when the agent is built for this
#                         machine; else Debian's busybox-static for the agent's architecture,
#                         build/ARCH/busybox, fetched by fetch-busybox.sh when missing). One
#                         for another architecture runs here through qemu-user (qemu-user-static)
#                         to list its applets
#   --config FILE         becomes /etc/softoff/agent.conf (default: initramfs/agent.conf)
#   --hooks PATH          a hook file, or a directory of hooks, added to /etc/softoff/hooks.d
#                         (repeatable; a directory's entries are copied, dotfiles skipped)
#   --file SRC:DEST       copy SRC (file or directory) to DEST in the image (repeatable)
#   --acpid               run busybox acpid with the acpi-scripts drop-in instead of the agent
#                         daemon (the agent is still shipped, for `softoff-agent poweroff`)
#   --acpid2 FILE         the same with acpid2: FILE (Debian's /usr/sbin/acpid) becomes
#                         /usr/sbin/acpid2, with the shared libraries ldd names, and the
#                         acpi-scripts rule in /etc/acpi/events
#   --run COMMAND         payload: /init runs `softoff-agent run -- sh -c COMMAND`
#                         (the kernel command line's softoff.run= overrides it)
#   --init FILE           use FILE as /init instead of initramfs/init
#   -q, --quiet           print only the size line
#   -h, --help            this text
#
# Reproducibility: entries sorted bytewise, owner 0:0, every mtime = SOURCE_DATE_EPOCH
# (default 0), modes normalised (0755 if the source is executable by its owner, else 0644;
# directories 0755), `cpio --reproducible`, `gzip -n`.
# Exit status: 0 built, 1 failure (message names the step and the object), 2 usage error.
set -eu

prog=mkinitramfs.sh
here=$(cd "$(dirname "$0")" && pwd -P)
top=$(dirname "$here")

out='' moddir='' agent=$top/build/softoff-agent busybox='' config=$here/agent.conf
init=$here/init mode=agent payload='' quiet=0 with_modules=1 acpid2=''
modules='evdev button' hooks='' files=''
nl='
'

die() { echo "$prog: $*" >&2; exit 1; }
usage_error() { echo "$prog: $*; see --help" >&2; exit 2; }
say() { [ "$quiet" = 1 ] || echo "$prog: $*"; }
need_arg() { [ "$1" -ge 2 ] || usage_error "$2 needs an argument"; }

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		-o | --output) need_arg $# "$1"; out=$2; shift ;;
		--modules) need_arg $# "$1"; moddir=$2; shift ;;
		--module) need_arg $# "$1"; modules="$modules $2"; shift ;;
		--no-modules) with_modules=0 ;;
		--agent) need_arg $# "$1"; agent=$2; shift ;;
		--no-agent) agent= ;;
		--busybox) need_arg $# "$1"; busybox=$2; shift ;;
		--config) need_arg $# "$1"; config=$2; shift ;;
		--hooks) need_arg $# "$1"; hooks="$hooks$2$nl"; shift ;;
		--file) need_arg $# "$1"; files="$files$2$nl"; shift ;;
		--acpid) mode=acpid ;;
		--acpid2) need_arg $# "$1"; mode=acpid2 acpid2=$2; shift ;;
		--run) need_arg $# "$1"; payload=$2; shift ;;
		--init) need_arg $# "$1"; init=$2; shift ;;
		-q | --quiet) quiet=1 ;;
		-h | --help) sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) usage_error "unknown argument '$1'" ;;
		esac
		shift
	done
	[ -n "$out" ] || usage_error "-o OUT is required"
	[ -n "$agent" ] || [ "$mode" = agent ] || usage_error "--$mode needs the agent (for 'softoff-agent poweroff')"
	[ -z "$agent" ] && [ "$mode" = agent ] && mode=none
	[ "$with_modules" = 0 ] || [ -n "$moddir" ] || usage_error "--modules DIR is required (or --no-modules)"
	return 0
}

# The machine an ELF file is built for, as readelf names it ("AArch64", "Advanced Micro
# Devices X86-64"); "" when it is not ELF.
elf_machine() { readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'; }

# Debian's architecture and QEMU's user-mode emulator for a machine readelf names.
debian_arch() {
	case $1 in
	AArch64) echo arm64 ;;
	'Advanced Micro Devices X86-64') echo amd64 ;;
	*) die "no Debian architecture known for machine '$1'" ;;
	esac
}
qemu_user() {
	case $1 in
	AArch64) echo qemu-aarch64-static ;;
	'Advanced Micro Devices X86-64') echo qemu-x86_64-static ;;
	esac
}

# Without --busybox: the host's for an agent built for this machine, else Debian's busybox
# for the agent's (fetched once into build/ARCH/busybox).
choose_busybox() {
	host=$(elf_machine "$(readlink -f /bin/sh)")
	[ -n "$busybox" ] && return
	if [ -z "$agent" ] || [ "$(elf_machine "$agent")" = "$host" ]; then
		busybox=/bin/busybox
		return
	fi
	arch=$(debian_arch "$(elf_machine "$agent")")
	busybox=$top/build/$arch/busybox
	[ -x "$busybox" ] || "$here/fetch-busybox.sh" --arch "$arch" --out "$busybox" >&2 ||
		die "no busybox for the agent's architecture $arch (pass --busybox FILE)"
}

# bb COMMAND...: runs busybox here, through qemu-user when it is built for another machine.
bb() {
	if [ "$bb_machine" = "$host" ]; then "$busybox" "$@"; else "$bb_qemu" "$busybox" "$@"; fi
}

check_busybox() {
	bb_machine=$(elf_machine "$busybox")
	if [ -n "$agent" ] && [ "$(elf_machine "$agent")" != "$bb_machine" ]; then
		die "busybox '$busybox' is built for ${bb_machine:-no known machine}, the agent '$agent' for $(elf_machine "$agent")"
	fi
	bb_qemu=$(qemu_user "$bb_machine")
	if [ "$bb_machine" != "$host" ] && ! command -v "$bb_qemu" >/dev/null; then
		die "busybox '$busybox' is built for $bb_machine: listing its applets needs ${bb_qemu:-a QEMU user-mode emulator} (Debian package qemu-user-static)"
	fi
	bb true 2>/dev/null || die "busybox '$busybox' does not run on this machine"
}

check_inputs() {
	for f in "$init" "$config"; do
		[ -f "$f" ] || die "'$f': no such file"
	done
	[ -z "$agent" ] || [ -f "$agent" ] || die "agent '$agent': no such file (build it: make all)"
	[ -z "$acpid2" ] || [ -f "$acpid2" ] || die "acpid2 '$acpid2': no such file (Debian package acpid)"
	choose_busybox
	[ -f "$busybox" ] || die "'$busybox': no such file"
	check_busybox
	[ "$with_modules" = 0 ] && return
	if [ ! -f "$moddir/modules.dep" ]; then
		found=$(find "$moddir" -maxdepth 4 -path '*/lib/modules/*/modules.dep' 2>/dev/null | head -n 2)
		[ -n "$found" ] && [ "$(echo "$found" | wc -l)" = 1 ] ||
			die "modules '$moddir': no modules.dep (pass lib/modules/VERSION, after depmod)"
		moddir=$(dirname "$found")
	fi
	moddir=$(cd "$moddir" && pwd -P)
	kversion=$(basename "$moddir")
}

# Copy SRC to the image path DEST with a normalised mode (see --help).
install_file() { # src dest
	mkdir -p "$stage$(dirname "$2")"
	cp "$1" "$stage$2" || die "copy '$1' to '$2' failed"
	if [ -x "$1" ]; then chmod 0755 "$stage$2"; else chmod 0644 "$stage$2"; fi
}

# Copy a file, or a directory tree (regular files, directories, symlinks), to DEST.
install_tree() { # src dest
	if [ -d "$1" ]; then
		mkdir -p "$stage$2"
		(cd "$1" && find . -mindepth 1) | LC_ALL=C sort | while IFS= read -r p; do
			p=${p#./}
			if [ -L "$1/$p" ]; then ln -sfn "$(readlink "$1/$p")" "$stage$2/$p"
			elif [ -d "$1/$p" ]; then mkdir -p "$stage$2/$p"
			else install_file "$1/$p" "$2/$p"; fi
		done
	elif [ -e "$1" ]; then
		install_file "$1" "$2"
	else
		die "'$1': no such file or directory"
	fi
}

install_busybox() {
	install_file "$busybox" /bin/busybox
	bb --list-full | LC_ALL=C sort | while IFS= read -r applet; do
		case $applet in linuxrc | */busybox | '') continue ;; esac
		mkdir -p "$stage/$(dirname "$applet")"
		ln -sfn /bin/busybox "$stage/$applet"
	done
}

# modules.dep resolved depth-first: prints each needed module once, dependencies first,
# as "PATH: DEP DEP" lines. Module names match with '-' and '_' alike, as the kernel does.
resolve_modules() { # names...
	builtin=$moddir/modules.builtin
	[ -f "$builtin" ] || builtin=/dev/null
	awk -v want="$*" -v builtin="$builtin" '
	function norm(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); gsub(/-/, "_", p); return p }
	function visit(n,   d, k, i) {
		if (n in done) return
		if (!(n in path)) {
			if (n in inkernel) { print "builtin " n > "/dev/stderr"; done[n] = 1; return }
			print "missing " n > "/dev/stderr"; failed = 1; done[n] = 1; return
		}
		done[n] = 1
		k = split(deps[n], d, " ")
		for (i = 1; i <= k; i++) visit(norm(d[i]))
		print path[n] ":" (deps[n] == "" ? "" : " " deps[n])
	}
	FILENAME == builtin { inkernel[norm($0)] = 1; next }
	{ p = $1; sub(/:$/, "", p); $1 = ""; sub(/^ +/, ""); path[norm(p)] = p; deps[norm(p)] = $0 }
	END { k = split(want, w, " "); for (i = 1; i <= k; i++) visit(norm(w[i])); exit failed }
	' "$builtin" "$moddir/modules.dep"
}

# Compressed modules (.ko.xz/.zst/.gz) are unpacked here: busybox insmod takes plain .ko.
plain_ko() { echo "$1" | sed 's/\.ko\.[a-z]*$/.ko/'; }

install_module() { # path relative to moddir
	dest=/lib/modules/$kversion/$(plain_ko "$1")
	mkdir -p "$stage$(dirname "$dest")"
	case $1 in
	*.ko.xz) xz -dc "$moddir/$1" >"$stage$dest" ;;
	*.ko.zst) zstd -qdc "$moddir/$1" >"$stage$dest" ;;
	*.ko.gz) gzip -dc "$moddir/$1" >"$stage$dest" ;;
	*) cp "$moddir/$1" "$stage$dest" ;;
	esac || die "copy module '$moddir/$1' failed"
	chmod 0644 "$stage$dest"
}

# Modules in load order go to /etc/softoff/modules (read by /init); modules.dep is trimmed
# to what is shipped, so `modprobe` works in the guest too.
install_modules() {
	[ "$with_modules" = 1 ] || { : >"$stage/etc/softoff/modules"; return 0; }
	# shellcheck disable=SC2086 # a list of names
	resolved=$(resolve_modules $modules 2>"$work/resolve.err") || {
		sed -n 's/^missing /no such module in '"$(echo "$moddir" | sed 's/[\/&]/\\&/g')"': /p' "$work/resolve.err" >&2
		die "module resolution failed"
	}
	sed -n 's/^builtin \(.*\)/module \1 is built into the kernel: nothing to add/p' "$work/resolve.err" |
		while IFS= read -r line; do say "$line"; done
	mkdir -p "$stage/lib/modules/$kversion"
	: >"$stage/etc/softoff/modules"
	echo "$resolved" | while IFS= read -r line; do
		[ -n "$line" ] || continue
		ko=${line%%:*}
		install_module "$ko"
		plain_ko "$ko" >>"$stage/etc/softoff/modules"
	done
	echo "$resolved" | sed 's/\.ko\.[a-z]*\( \|$\)/.ko\1/g; s/\.ko\.[a-z]*:/.ko:/' |
		LC_ALL=C sort >"$stage/lib/modules/$kversion/modules.dep"
	say "modules: $(sed 's|.*/||; s/\.ko$//' "$stage/etc/softoff/modules" | tr '\n' ' ' | sed 's/ $//')"
}

# Shell-quote a value so /init can source it.
shquote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

install_init() {
	install_file "$init" /init
	chmod 0755 "$stage/init"
	{
		echo "# written by mkinitramfs.sh, read by /init"
		echo "softoff_mode=$(shquote "$mode")"
		echo "softoff_run=$(shquote "$payload")"
		echo "softoff_kernel=$(shquote "${kversion:-}")"
	} >"$stage/etc/softoff/init.conf"
}

install_agent() {
	install_file "$config" /etc/softoff/agent.conf
	mkdir -p "$stage/etc/softoff/hooks.d"
	printf '%s' "$hooks" | while IFS= read -r h; do
		[ -n "$h" ] || continue
		if [ -d "$h" ]; then
			for f in "$h"/*; do
				[ -e "$f" ] || continue
				install_tree "$f" "/etc/softoff/hooks.d/$(basename "$f")"
			done
		else
			install_tree "$h" "/etc/softoff/hooks.d/$(basename "$h")"
		fi
	done
	[ -z "$agent" ] || install_file "$agent" /usr/sbin/softoff-agent
	case $mode in
	acpid) install_file "$top/acpi-scripts/busybox/PWRF/00000080" /etc/acpi/PWRF/00000080 ;;
	acpid2) install_acpid2 ;;
	*) return 0 ;;
	esac
	install_file "$here/inittab.acpid" /etc/inittab
	mkdir -p "$stage/var/log"
}

# acpid2 is dynamically linked: ship the libraries and loader ldd names, at the same paths.
install_acpid2() {
	install_file "$acpid2" /usr/sbin/acpid2
	libs=$(ldd "$acpid2" | awk '/=> \// { print $3 } /^[ \t]+\// { print $1 }') ||
		die "ldd '$acpid2' failed"
	for lib in $libs; do install_file "$lib" "$lib"; done
	install_file "$top/acpi-scripts/acpid2/events/softoff-power" /etc/acpi/events/softoff-power
}

install_extra_files() {
	printf '%s' "$files" | while IFS= read -r spec; do
		[ -n "$spec" ] || continue
		case $spec in
		*:/*) install_tree "${spec%:*}" "${spec##*:}" ;;
		*) die "--file '$spec': want SRC:DEST with an absolute DEST" ;;
		esac
	done
}

# One newc cpio header (+ name, padded to 4 bytes) for an entry without data.
newc_entry() { # ino mode(octal) rdevmajor rdevminor name
	namesize=$((${#5} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$1" "$(($2))" 0 0 1 "$epoch" 0 0 0 "$3" "$4" "$namesize" 0
	printf '%s\000' "$5"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	[ "$pad" = 0 ] || head -c "$pad" /dev/zero
}

# /dev/console must exist before /init runs (the kernel opens it for PID 1), and only root
# can mknod; so it is written as a second, hand-made archive the kernel unpacks after the first.
console_archive() {
	newc_entry 1 0020600 5 1 dev/console
	newc_entry 2 0 0 0 'TRAILER!!!'
}

pack() {
	find "$stage" -exec touch -h -d "@$epoch" {} +
	{
		(cd "$stage" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --reproducible --quiet) || die "cpio failed"
		console_archive
	} | gzip -n -9 >"$work/image" || die "gzip failed"
	mkdir -p "$(dirname "$out")"
	mv "$work/image" "$out" || die "cannot write '$out'"
}

report_size() {
	size=$(wc -c <"$out")
	count=$(find "$stage" -mindepth 1 | wc -l)
	echo "$prog: $out: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }') MiB), $count entries, sha256 $(sha256sum "$out" | cut -c1-16)"
}

main() {
	parse_args "$@"
	check_inputs
	epoch=${SOURCE_DATE_EPOCH:-0}
	case $epoch in '' | *[!0-9]*) die "SOURCE_DATE_EPOCH '$epoch' is not a number of seconds" ;; esac
	work=$(mktemp -d "${TMPDIR:-/tmp}/mkinitramfs.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	trap 'exit 1' INT TERM
	stage=$work/root
	umask 022
	mkdir -p "$stage"
	for d in dev proc sys run tmp root etc/softoff; do mkdir -p "$stage/$d"; done
	chmod 1777 "$stage/tmp"
	install_busybox
	install_modules
	install_init
	install_agent
	install_extra_files
	pack
	report_size
}

main "$@"
