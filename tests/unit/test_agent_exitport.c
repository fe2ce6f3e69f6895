/* Leaving QEMU: the port write (x86), the fallback when the write does not end the process,
 * the immediate fallback when ioperm fails, and the guard: the port is written only on a
 * machine identified as QEMU (fake sysfs trees of q35, pc, microvm, arm64 virt and a laptop)
 * unless exit-port-guard = off. The semihosting method (arm64): the QEMU status asked for, the
 * call made in a child, the fallback when that child dies of a signal (no semihosting) or the
 * call returns, the same guard. The system calls are fakes that record, into memory shared
 * with the child the semihosting call runs in. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/mman.h>

#include "../../agent/exitport.h"
#include "../../agent/timeutil.h"
#include "softoff/exit_status.h"
#include "test_agent_util.h"

#define CALLS_MAX 512
static char *calls; /* shared with children: MAP_SHARED */
static int ioperm_result;
static const char *fake_signature; /* the CPUID hypervisor signature the fake reports */
/* what the fake semihosting call does after recording: trap, return, or hang */
static enum { SEMIHOST_TRAPS, SEMIHOST_RETURNS, SEMIHOST_HANGS } semihost_behaviour;

static void record(const char *fmt, unsigned a, unsigned b)
{
	char one[64];

	snprintf(one, sizeof(one), fmt, a, b);
	strncat(calls, one, CALLS_MAX - strlen(calls) - 1);
}

static int fake_ioperm(unsigned port)
{
	record("ioperm(0x%x) ", port, 0);
	return ioperm_result;
}

static void fake_outb(unsigned value, unsigned port)
{
	record("outb(0x%x,0x%x) ", value, port);
}

static void fake_sleep(long ms)
{
	record("sleep(%u) ", (unsigned)ms, 0);
}

static int fake_fallback(enum fallback_action a)
{
	record("fallback(%u) ", (unsigned)a, 0);
	return -EPERM;
}

/* Runs in the child: a trap is what the kernel does to `hlt #0xf000` without semihosting. */
static int fake_semihost_exit(int status)
{
	record("semihost(%u) ", (unsigned)status, 0);
	if (semihost_behaviour == SEMIHOST_TRAPS) {
		(void)signal(SIGILL, SIG_DFL); /* cmocka catches it to report a crash */
		raise(SIGILL);
	}
	if (semihost_behaviour == SEMIHOST_HANGS)
		pause();
	return -EPROTO;
}

static void fake_hypervisor(char sig[13])
{
	snprintf(sig, 13, "%s", fake_signature);
}

static struct xp_ops ops = {
	.method = XP_METHOD_PORT, .hypervisor = fake_hypervisor, .ioperm = fake_ioperm, .outb = fake_outb,
	.semihost_exit = fake_semihost_exit, .sleep_ms = fake_sleep, .fallback = fake_fallback,
};

/* root/rel with its directories; text may hold NUL bytes (len given). */
static void put(const char *rel, const char *text, size_t len)
{
	char cmd[700];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", tu_path(rel));
	assert_int_equal(system(cmd), 0);
	f = fopen(tu_path(rel), "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* An ACPI table header as the kernel exposes it: signature, length, revision, checksum, OEM ID
 * (6 bytes), OEM table ID (8 bytes), ... */
static void put_fadt(const char *oem_id, const char *oem_table_id)
{
	char head[36];

	memset(head, 0, sizeof(head));
	memcpy(head, "FACP", 4);
	head[4] = (char)244;
	memcpy(head + 10, oem_id, 6);
	memcpy(head + 16, oem_table_id, 8);
	put("sys/firmware/acpi/tables/FACP", head, sizeof(head));
}

static void put_dmi(const char *vendor, const char *product)
{
	char text[128];

	snprintf(text, sizeof(text), "%s\n", vendor);
	put("sys/class/dmi/id/sys_vendor", text, strlen(text));
	snprintf(text, sizeof(text), "%s\n", product);
	put("sys/class/dmi/id/product_name", text, strlen(text));
}

/* What the guests show (seen in Debian's cloud kernel under QEMU 7.2, TCG). */
static void tree_q35(void)
{
	put_dmi("QEMU", "Standard PC (Q35 + ICH9, 2009)");
	put_fadt("BOCHS ", "BXPC    ");
}

static void tree_pc(void)
{
	put_dmi("QEMU", "Standard PC (i440FX + PIIX, 1996)");
	put_fadt("BOCHS ", "BXPC    ");
}

static void tree_microvm(void) /* no SMBIOS, so no DMI; the ACPI tables are QEMU's */
{
	put_fadt("BOCHS ", "BXPC    ");
}

static void tree_laptop(void)
{
	put_dmi("LENOVO", "20XW0055GE");
	put_fadt("LENOVO", "CB-01   ");
}

static int setup(void **state)
{
	(void)state;
	tu_setup_dir();
	if (!calls)
		calls = mmap(NULL, CALLS_MAX, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(calls != MAP_FAILED);
	calls[0] = '\0';
	ops.method = XP_METHOD_PORT;
	semihost_behaviour = SEMIHOST_TRAPS;
	ioperm_result = 0;
	ops.root = tu_dir;
	fake_signature = "";
	xp_set_guard(EXIT_PORT_GUARD_QEMU);
	tree_q35();
	return 0;
}

static void test_fallback_when_write_does_not_end_us(void **state)
{
	(void)state;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "ioperm(0x501) outb(0x31,0x501) sleep(1000) fallback(0) ");
	assert_non_null(strstr(tu_log(), "writing 0x31 to port 0x501"));
	assert_non_null(strstr(tu_log(), "no isa-debug-exit device there?"));
	assert_non_null(strstr(tu_log(), "fallback poweroff: Operation not permitted"));
}

static void test_halt_fallback_and_other_port(void **state)
{
	(void)state;
	xp_leave(&ops, 0x45, 0xf4, FALLBACK_HALT);
	assert_string_equal(calls, "ioperm(0xf4) outb(0x45,0xf4) sleep(1000) fallback(1) ");
}

static void test_fallback_none_stays_up(void **state)
{
	(void)state;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_NONE);
	assert_string_equal(calls, "ioperm(0x501) outb(0x31,0x501) sleep(1000) ");
	assert_non_null(strstr(tu_log(), "fallback is none"));
}

static void test_ioperm_failure_falls_back_at_once(void **state)
{
	(void)state;
	ioperm_result = -EPERM;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "ioperm(0x501) fallback(0) ");
	assert_non_null(strstr(tu_log(), "ioperm port 0x501: Operation not permitted"));
}

static void assert_writes(void)
{
	calls[0] = '\0';
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "ioperm(0x501) outb(0x31,0x501) sleep(1000) fallback(0) ");
}

static void assert_does_not_write(void)
{
	calls[0] = '\0';
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "fallback(0) ");
	assert_non_null(strstr(tu_log(), "not writing port 0x501: no sign of QEMU"));
}

static void test_reads_q35_signs(void **state)
{
	struct xp_machine m;

	(void)state;
	fake_signature = "TCGTCGTCGTCG";
	xp_read_machine(&ops, &m);
	assert_string_equal(m.dmi_vendor, "QEMU");
	assert_string_equal(m.acpi_oem, "BOCHS/BXPC");
	assert_false(m.fw_cfg);
	assert_string_equal(m.hypervisor, "TCGTCGTCGTCG");
}

static void test_q35_writes(void **state)
{
	(void)state;
	assert_writes();
	assert_non_null(strstr(tu_log(), "(isa-debug-exit; QEMU by its DMI sys_vendor)"));
}

static void test_pc_writes(void **state)
{
	(void)state;
	tu_setup_dir();
	tree_pc();
	assert_writes();
}

static void test_microvm_writes_by_acpi_tables(void **state)
{
	(void)state;
	tu_setup_dir();
	tree_microvm();
	fake_signature = "KVMKVMKVM";
	assert_writes();
	assert_non_null(strstr(tu_log(), "QEMU by its ACPI tables (OEM BOCHS/BXPC)"));
}

static void test_laptop_falls_back_at_once(void **state)
{
	(void)state;
	tu_setup_dir();
	tree_laptop();
	assert_does_not_write();
	assert_non_null(strstr(tu_log(), "DMI sys_vendor 'LENOVO', ACPI OEM 'LENOVO/CB-01'"));
	assert_non_null(strstr(tu_log(), "fallback: poweroff"));
}

static void test_no_sysfs_falls_back(void **state)
{
	(void)state;
	tu_setup_dir();
	assert_does_not_write();
}

/* KVM's signature alone: another VMM (Firecracker, cloud-hypervisor) could be running us. */
static void test_kvm_signature_alone_is_not_qemu(void **state)
{
	(void)state;
	tu_setup_dir();
	fake_signature = "KVMKVMKVM";
	assert_does_not_write();
}

static void test_tcg_signature_or_fw_cfg_is_qemu(void **state)
{
	(void)state;
	tu_setup_dir();
	fake_signature = "TCGTCGTCGTCG";
	assert_writes();
	fake_signature = "";
	put("sys/firmware/qemu_fw_cfg/rev", "3\n", 2);
	assert_writes();
}

static void test_guard_off_writes_anywhere(void **state)
{
	(void)state;
	tu_setup_dir();
	tree_laptop();
	xp_set_guard(EXIT_PORT_GUARD_OFF);
	assert_writes();
	assert_non_null(strstr(tu_log(), "(isa-debug-exit; exit-port-guard = off)"));
}

/* QEMU's virt machine booted by UEFI (arm64): SMBIOS from the firmware, QEMU's ACPI tables. */
static void tree_arm64_virt(void)
{
	put_dmi("QEMU", "KVM Virtual Machine");
	put_fadt("BOCHS ", "BXPC    ");
}

static int setup_semihosting(void **state)
{
	setup(state);
	ops.method = XP_METHOD_SEMIHOSTING;
	tu_setup_dir();
	tree_arm64_virt();
	return 0;
}

/* QEMU exits with the status it is given: the same number the port write gives on x86. */
static void test_semihosting_asks_for_the_x86_status(void **state)
{
	(void)state;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "semihost(99) fallback(0) ");
	assert_non_null(strstr(tu_log(), "asking QEMU to exit 99 (semihosting SYS_EXIT; QEMU by its DMI sys_vendor)"));
	calls[0] = '\0';
	xp_leave(&ops, softoff_encode_payload(3), 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "semihost(135) fallback(0) ");
	calls[0] = '\0';
	xp_leave(&ops, SOFTOFF_EXIT_AGENT_FAILURE, 0x501, FALLBACK_NONE);
	assert_string_equal(calls, "semihost(103) ");
}

/* Without -semihosting-config the call traps: the child dies, the agent powers off. */
static void test_semihosting_trap_falls_back(void **state)
{
	(void)state;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "semihost(99) fallback(0) ");
	assert_non_null(strstr(tu_log(), "semihosting SYS_EXIT trapped (its child died of a signal)"));
	assert_non_null(strstr(tu_log(), "fallback: poweroff"));
}

static void test_semihosting_that_returns_falls_back(void **state)
{
	(void)state;
	semihost_behaviour = SEMIHOST_RETURNS;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_HALT);
	assert_string_equal(calls, "semihost(99) fallback(1) ");
	assert_non_null(strstr(tu_log(), "semihosting SYS_EXIT: Protocol error"));
}

static void test_semihosting_that_hangs_is_bounded(void **state)
{
	long long start = time_now_ms();

	(void)state;
	semihost_behaviour = SEMIHOST_HANGS;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "semihost(99) fallback(0) ");
	assert_non_null(strstr(tu_log(), "still running 1000 ms after the semihosting SYS_EXIT call"));
	assert_true(time_now_ms() - start < 10 * XP_GRACE_MS);
}

static void test_semihosting_guard(void **state)
{
	(void)state;
	tu_setup_dir();
	tree_laptop();
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "fallback(0) ");
	assert_non_null(strstr(tu_log(), "not asking QEMU to exit by semihosting: no sign of QEMU"));
	calls[0] = '\0';
	xp_set_guard(EXIT_PORT_GUARD_OFF);
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "semihost(99) fallback(0) ");
	assert_non_null(strstr(tu_log(), "(semihosting SYS_EXIT; exit-port-guard = off)"));
}

/* Booted without UEFI there is no DMI and no ACPI: QEMU's virt names itself in the device tree,
 * a board does not. The property holds NUL-separated strings. */
static void test_semihosting_device_tree_virt_or_board(void **state)
{
	(void)state;
	tu_setup_dir();
	put("sys/firmware/devicetree/base/compatible", "linux,dummy-virt", sizeof("linux,dummy-virt"));
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "semihost(99) fallback(0) ");
	assert_non_null(strstr(tu_log(), "(semihosting SYS_EXIT; QEMU by its device tree (linux,dummy-virt))"));
	calls[0] = '\0';
	tu_setup_dir();
	put("sys/firmware/devicetree/base/compatible", "raspberrypi,4-model-b\0brcm,bcm2711",
	    sizeof("raspberrypi,4-model-b\0brcm,bcm2711"));
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "fallback(0) ");
	assert_non_null(strstr(tu_log(), "hypervisor '', device tree 'raspberrypi,4-model-b')"));
}

static void test_no_method_falls_back(void **state)
{
	(void)state;
	ops.method = XP_METHOD_NONE;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "fallback(0) ");
	assert_non_null(strstr(tu_log(), "no way to leave QEMU with a status on this architecture"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fallback_when_write_does_not_end_us, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_halt_fallback_and_other_port, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_none_stays_up, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_ioperm_failure_falls_back_at_once, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_reads_q35_signs, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_q35_writes, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_pc_writes, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_microvm_writes_by_acpi_tables, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_laptop_falls_back_at_once, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_no_sysfs_falls_back, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_kvm_signature_alone_is_not_qemu, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_tcg_signature_or_fw_cfg_is_qemu, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_guard_off_writes_anywhere, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_semihosting_asks_for_the_x86_status, setup_semihosting, tu_teardown),
		cmocka_unit_test_setup_teardown(test_semihosting_trap_falls_back, setup_semihosting, tu_teardown),
		cmocka_unit_test_setup_teardown(test_semihosting_that_returns_falls_back, setup_semihosting, tu_teardown),
		cmocka_unit_test_setup_teardown(test_semihosting_that_hangs_is_bounded, setup_semihosting, tu_teardown),
		cmocka_unit_test_setup_teardown(test_semihosting_guard, setup_semihosting, tu_teardown),
		cmocka_unit_test_setup_teardown(test_semihosting_device_tree_virt_or_board, setup_semihosting, tu_teardown),
		cmocka_unit_test_setup_teardown(test_no_method_falls_back, setup, tu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
