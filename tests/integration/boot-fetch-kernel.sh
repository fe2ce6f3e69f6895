#!/bin/sh
# initramfs/fetch-kernel.sh: a cached kernel is not fetched again (works offline), an
# unreachable archive gives one clear line, and a user's own kernel + modules are linked in.
. "$(dirname "$0")/../lib.sh"
need_kernel
fk=$SOFTOFF_TOP/initramfs/fetch-kernel.sh
kdir=$SOFTOFF_BUILD/kernel
bad_proxy=http://127.0.0.1:9 # nothing listens there: every download fails at once
printf 'Acquire::Retries "0";\n' >"$T_DIR/apt.conf" # apt would retry with back-off for 8 s

if [ "$(cat "$kdir/source")" = "debian linux-image-cloud-amd64" ]; then
	http_proxy=$bad_proxy "$fk" --out "$kdir" >"$T_DIR/cached" 2>&1
	rc=$?
	cat "$T_DIR/cached"
	t_check "a cached kernel needs no network (status $rc)" [ "$rc" = 0 ]
	t_check "... and says it is cached" grep -q ': cached ' "$T_DIR/cached"
else
	echo "build/kernel holds a user's kernel: cache check skipped"
fi

APT_CONFIG=$T_DIR/apt.conf http_proxy=$bad_proxy "$fk" --out "$T_DIR/kernel" >"$T_DIR/out" 2>"$T_DIR/err"
rc=$?
cat "$T_DIR/err"
t_check "an unreachable archive fails (status $rc)" [ "$rc" = 1 ]
t_check "... with one line naming the package and the archive" \
	sh -c "[ \$(wc -l <'$T_DIR/err') = 1 ] && grep -q 'cannot download linux-image-.* from the Debian archive' '$T_DIR/err'"
t_check "... and leaves nothing behind" sh -c "! ls -d '$T_DIR'/kernel* 2>/dev/null | grep -q ."

"$fk" --out "$T_DIR/own" --kernel "$kdir/vmlinuz" --modules "$kdir/modules" >/dev/null
t_check "--kernel/--modules link a user's kernel" \
	sh -c "[ -e '$T_DIR/own/vmlinuz' ] && [ -f '$T_DIR/own/modules/modules.dep' ] && [ \"\$(cat '$T_DIR/own/version')\" = \"\$(cat '$kdir/version')\" ]"
"$fk" --out "$T_DIR/own2" --kernel "$kdir/vmlinuz" --modules "$T_DIR" >/dev/null 2>"$T_DIR/err2"
t_check "a modules dir without modules.dep is refused" grep -q 'no modules.dep' "$T_DIR/err2"
t_done
