#!/bin/sh
# Issue 5 §2, fault: no isa-debug-exit device. boot-fallback.sh checks the guest side (the
# agent falls back to reboot(RB_POWER_OFF), QEMU status 0, the console says so); this checks
# that `softoff-qemu boot` never reports that as success: a QEMU wrapper drops the
# isa-debug-exit device the harness adds, and the boot test must fail with its mismatch
# status (1), naming status 0.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/fault-lib.sh"
need_kernel
need_agent
need_harness
build_image "$T_DIR/initrd.gz"
cat >"$T_DIR/qemu-no-debug-exit" <<'WRAPPER'
#!/bin/sh
# qemu-system-x86_64 without any "-device isa-debug-exit..." pair; logs what it dropped
held=
for a do
	shift
	if [ -n "$held" ]; then
		held=
		case $a in isa-debug-exit*) echo "$a" >>"$0.dropped"; continue ;; esac
		set -- "$@" -device
	fi
	if [ "$a" = -device ]; then held=1; continue; fi
	set -- "$@" "$a"
done
exec qemu-system-x86_64 "$@"
WRAPPER
chmod +x "$T_DIR/qemu-no-debug-exit"
t0=$(now_ms)
"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/initrd.gz" --timeout 40 \
	--qemu "$T_DIR/qemu-no-debug-exit" --console "$T_DIR/console.log" >"$T_DIR/harness.out" 2>&1
rc=$?
echo "softoff-qemu boot: status $rc after $(($(now_ms) - t0)) ms"
sed 's/^/    | /' "$T_DIR/harness.out"
boot_console=$T_DIR/console.log
t_that "the wrapper dropped the isa-debug-exit device" "[ -s '$T_DIR/qemu-no-debug-exit.dropped' ]"
expect_console 'softoff-agent: armed' "the guest armed and was pressed"
expect_console 'softoff-agent: .*(fallback|no isa-debug-exit)' "the agent fell back"
expect_console 'reboot: Power down' "the guest powered off through ACPI"
t_check "softoff-qemu boot failed with its mismatch status 1 (got $rc)" [ "$rc" = 1 ]
t_that "its summary names QEMU status 0" "grep -Eq '(exited|status) 0([^0-9]|\$)' '$T_DIR/harness.out'"
t_that "its summary is not a PASS" "! grep -q '^PASS' '$T_DIR/harness.out'"
t_done
