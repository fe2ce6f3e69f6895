#!/bin/sh
# The same inputs give the same image, bit for bit: two builds from copies
# of the inputs with other mtimes, another umask and another temp dir -> one sha256.
# Also checks the size goal (<= 1.3 MiB with busybox) and that SOURCE_DATE_EPOCH is used.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks1" 10-a 'echo a'
make_hook "$T_DIR/hooks1" 20-b 'echo b'
printf 'hook-timeout = 3\n' >"$T_DIR/conf1"
mkdir -p "$T_DIR/tmp1" "$T_DIR/tmp2"
(export TMPDIR=$T_DIR/tmp1 && build_image "$T_DIR/one.gz" --hooks "$T_DIR/hooks1" --config "$T_DIR/conf1")

# the same content, touched later, copied under another umask
sleep 1
(umask 002 && cp -r "$T_DIR/hooks1" "$T_DIR/hooks2" && cp "$T_DIR/conf1" "$T_DIR/conf2" &&
	chmod g+w "$T_DIR/hooks2"/* && touch "$T_DIR/hooks2"/* "$T_DIR/conf2")
(umask 077 && export TMPDIR=$T_DIR/tmp2 && build_image "$T_DIR/two.gz" --hooks "$T_DIR/hooks2" --config "$T_DIR/conf2")
one=$(sha256sum <"$T_DIR/one.gz" | cut -d' ' -f1)
two=$(sha256sum <"$T_DIR/two.gz" | cut -d' ' -f1)
echo "sha256: $one / $two"
t_check "two builds are identical" [ "$one" = "$two" ]

(export SOURCE_DATE_EPOCH=1700000000 && build_image "$T_DIR/three.gz" --hooks "$T_DIR/hooks1" --config "$T_DIR/conf1")
three=$(sha256sum <"$T_DIR/three.gz" | cut -d' ' -f1)
t_check "another SOURCE_DATE_EPOCH gives another image" [ "$one" != "$three" ]
zcat "$T_DIR/three.gz" | cpio -itv --quiet 2>/dev/null >"$T_DIR/list"
t_check "entries are owned by root:root" sh -c "! awk '\$3 != \"root\" || \$4 != \"root\"' '$T_DIR/list' | grep -q ."
t_check "entries carry SOURCE_DATE_EPOCH's date (Nov 14 2023)" sh -c "! grep -v 'Nov 14  2023' '$T_DIR/list' | grep -q ."
t_check "hooks are not group-writable in the image" grep -q '^-rwxr-xr-x .* etc/softoff/hooks.d/10-a$' "$T_DIR/list"

size=$(wc -c <"$T_DIR/one.gz")
t_check "image size $size bytes <= 1.3 MiB (1363148)" [ "$size" -le 1363148 ]
t_done
