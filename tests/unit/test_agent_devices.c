/* Button classification, discovery (late devices, /dev/input appearing) and the event path:
 * presses, releases, autorepeat, SYN_DROPPED, and the one-shutdown latch of the loop. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../agent/devices.h"
#include "../../agent/loop.h"
#include "test_agent_fake_evdev.h"
#include "test_agent_util.h"

static struct agent_config cfg;
static struct loop lp;
static int starts, leaves;
static char last_event[32], last_device[256];
static unsigned last_value;

static void count_start(struct loop *l, const struct seq_request *rq)
{
	(void)l;
	starts++;
	snprintf(last_event, sizeof(last_event), "%s", rq->event);
	snprintf(last_device, sizeof(last_device), "%s", rq->device);
	last_value = rq->exit_value;
}

static void count_leave(struct loop *l, unsigned value)
{
	(void)l;
	last_value = value;
	leaves++;
}

static int setup(void **state)
{
	(void)state;
	tu_setup_dir();
	mkdir(tu_path("input"), 0755);
	mkdir(tu_path("sys"), 0755);
	config_defaults(&cfg);
	assert_int_equal(loop_init(&lp, &cfg, tu_path("input"), tu_path("sys")), 0);
	lp.start = count_start;
	lp.leave_now = count_leave;
	starts = leaves = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	loop_close(&lp);
	fake_reset();
	tu_cleanup_dir();
	return 0;
}

static struct fake_dev *add_keyboard(void)
{
	return fake_add(tu_path("input"), "event0", "AT Translated Set 2 keyboard",
			"isa0060/serio0/input0", true);
}

static struct fake_dev *add_acpi_button(void)
{
	return fake_add(tu_path("input"), "event1", "Power Button", "LNXPWRBN/button/input0", true);
}

static void test_classify_table(void **state)
{
	(void)state;
	assert_true(btn_classify(BTN_MODE_ACPI, "LNXPWRBN/button/input0", "", true));
	assert_true(btn_classify(BTN_MODE_ACPI, "PNP0C0C/button/input0", "", true));
	assert_false(btn_classify(BTN_MODE_ACPI, "isa0060/serio0/input0", "", true));
	assert_false(btn_classify(BTN_MODE_ACPI, "LNXPWRBN/button/input0", "", false));
	assert_true(btn_classify(BTN_MODE_ACPI, "", "LNXPWRBN:00", true));
	assert_true(btn_classify(BTN_MODE_ACPI, NULL, "PNP0C0C:00", true));
	assert_false(btn_classify(BTN_MODE_ACPI, "", "serio0", true));
	assert_true(btn_classify(BTN_MODE_ANY, "isa0060/serio0/input0", "", true));
	assert_false(btn_classify(BTN_MODE_ANY, "isa0060/serio0/input0", "", false));
}

static void test_acpi_rejects_keyboard_takes_both_buttons(void **state)
{
	(void)state;
	add_keyboard();
	add_acpi_button();
	fake_add(tu_path("input"), "event2", "Power Button", "PNP0C0C/button/input0", true);
	assert_int_equal(btn_start(&lp.buttons), 0);
	assert_int_equal(lp.buttons.count, 2);
	assert_null(strstr(tu_log(), "event0"));
	assert_non_null(strstr(tu_log(), "armed on "));
	assert_non_null(strstr(tu_log(), "/input/event1 (Power Button, LNXPWRBN/button/input0)"));
	assert_non_null(strstr(tu_log(), "/input/event2 (Power Button, PNP0C0C/button/input0)"));
}

static void test_any_takes_keyboard_too(void **state)
{
	(void)state;
	cfg.buttons = BTN_MODE_ANY;
	add_keyboard();
	add_acpi_button();
	assert_int_equal(btn_start(&lp.buttons), 0);
	assert_int_equal(lp.buttons.count, 2);
	assert_non_null(strstr(tu_log(), "event0 (AT Translated Set 2 keyboard"));
}

static void test_sysfs_parent_when_phys_empty(void **state)
{
	char dir[1024];

	(void)state;
	fake_add(tu_path("input"), "event3", "Power Button", "", true);
	fake_add(tu_path("input"), "event4", "Some Key", "", true);
	snprintf(dir, sizeof(dir), "mkdir -p %s/sys/class/input/event3/device %s/sys/class/input/event4/device",
		 tu_dir, tu_dir);
	assert_int_equal(system(dir), 0);
	assert_int_equal(symlink("../../../LNXSYSTM:00/LNXPWRBN:00", tu_path("sys/class/input/event3/device/device")), 0);
	assert_int_equal(symlink("../../serio1", tu_path("sys/class/input/event4/device/device")), 0);
	assert_int_equal(btn_start(&lp.buttons), 0);
	assert_int_equal(lp.buttons.count, 1);
	assert_non_null(strstr(tu_log(), "event3 (Power Button, LNXPWRBN:00)"));
}

static void test_waits_then_picks_up_late_device(void **state)
{
	(void)state;
	assert_int_equal(btn_start(&lp.buttons), 0);
	assert_int_equal(lp.buttons.count, 0);
	assert_non_null(strstr(tu_log(), "waiting for a power button"));
	add_keyboard();
	add_acpi_button();
	btn_on_inotify(&lp.buttons);
	assert_int_equal(lp.buttons.count, 1);
	assert_non_null(strstr(tu_log(), "armed on "));
}

static void test_watches_parent_until_input_dir_exists(void **state)
{
	(void)state;
	rmdir(tu_path("input"));
	assert_int_equal(btn_start(&lp.buttons), 0);
	assert_true(lp.buttons.watching_parent);
	mkdir(tu_path("input"), 0755);
	add_acpi_button();
	btn_on_inotify(&lp.buttons);
	assert_false(lp.buttons.watching_parent);
	assert_int_equal(lp.buttons.count, 1);
	fake_add(tu_path("input"), "event2", "Power Button", "PNP0C0C/button/input0", true);
	btn_on_inotify(&lp.buttons);
	assert_int_equal(lp.buttons.count, 2);
}

static void test_explicit_paths(void **state)
{
	(void)state;
	cfg.buttons = BTN_MODE_PATHS;
	cfg.n_button_paths = 1;
	snprintf(cfg.button_paths[0], CONFIG_PATH_MAX, "%s", tu_path("input/event0"));
	add_keyboard();
	add_acpi_button();
	assert_int_equal(btn_start(&lp.buttons), 0);
	assert_int_equal(lp.buttons.count, 1);
	assert_string_equal(lp.buttons.dev[0].path, tu_path("input/event0"));
}

static struct fake_dev *armed_button(void)
{
	struct fake_dev *d = add_acpi_button();

	assert_int_equal(btn_start(&lp.buttons), 0);
	assert_int_equal(lp.buttons.count, 1);
	return d;
}

static void test_one_press_one_shutdown(void **state)
{
	(void)state;
	fake_press(armed_button());
	loop_on_button(&lp, 0);
	assert_int_equal(starts, 1);
	assert_string_equal(last_event, "power-button");
	assert_string_equal(last_device, tu_path("input/event1"));
	assert_int_equal(last_value, 0x31);
}

static void test_ten_presses_one_shutdown(void **state)
{
	struct fake_dev *d;

	(void)state;
	d = armed_button();
	for (int i = 0; i < 5; i++)
		fake_press(d);
	loop_on_button(&lp, 0);
	for (int i = 0; i < 5; i++) {
		fake_press(d);
		loop_on_button(&lp, 0);
	}
	assert_int_equal(starts, 1);
	assert_int_equal(leaves, 0);
	assert_non_null(strstr(tu_log(), "during shutdown: ignored (repeat = ignore)"));
}

static void test_repeat_force_leaves_now(void **state)
{
	struct fake_dev *d;

	(void)state;
	cfg.repeat = REPEAT_FORCE;
	d = armed_button();
	fake_press(d);
	fake_press(d);
	loop_on_button(&lp, 0);
	assert_int_equal(starts, 1);
	assert_int_equal(leaves, 1);
	assert_int_equal(last_value, 0x31);
}

static void test_payload_end_value_kept_on_force(void **state)
{
	struct fake_dev *d;

	(void)state;
	cfg.repeat = REPEAT_FORCE;
	d = armed_button();
	loop_trigger(&lp, "command", "", 0x43, false);
	assert_int_equal(starts, 1);
	assert_int_equal(last_value, 0x43);
	fake_press(d);
	loop_on_button(&lp, 0);
	assert_int_equal(starts, 1);
	assert_int_equal(leaves, 1);
	assert_int_equal(last_value, 0x43);
}

static void test_release_and_autorepeat_are_not_presses(void **state)
{
	struct fake_dev *d;

	(void)state;
	d = armed_button();
	fake_event(d, EV_KEY, KEY_POWER, 0);
	fake_event(d, EV_SYN, SYN_REPORT, 0);
	fake_event(d, EV_KEY, KEY_POWER, 2);
	fake_event(d, EV_SYN, SYN_REPORT, 0);
	fake_event(d, EV_KEY, KEY_A, 1);
	fake_event(d, EV_SYN, SYN_REPORT, 0);
	loop_on_button(&lp, 0);
	assert_int_equal(starts, 0);
	/* control: the same device and path do start a shutdown on a real press */
	fake_press(d);
	loop_on_button(&lp, 0);
	assert_int_equal(starts, 1);
}

static void test_syn_dropped_with_key_held_counts(void **state)
{
	struct fake_dev *d;

	(void)state;
	d = armed_button();
	d->power_down = true; /* the press was in the dropped part: only the state shows it */
	fake_event(d, EV_SYN, SYN_DROPPED, 0);
	assert_int_equal(btn_read(&lp.buttons, 0), 1);
}

static void test_syn_dropped_recovered(void **state)
{
	struct fake_dev *d;

	(void)state;
	d = armed_button();
	fake_event(d, EV_SYN, SYN_DROPPED, 0);
	assert_int_equal(btn_read(&lp.buttons, 0), 0);
	assert_int_equal(lp.buttons.count, 1);
	fake_press(d);
	assert_int_equal(btn_read(&lp.buttons, 0), 1);
}

/* A button that vanishes is dropped with a line, so the console shows the host has none left. */
static void test_vanished_button_is_reported(void **state)
{
	(void)state;
	armed_button();
	btn_drop(&lp.buttons, 0);
	assert_int_equal(lp.buttons.count, 0);
	assert_non_null(strstr(tu_log(), "removed "));
	assert_non_null(strstr(tu_log(), "/input/event1 (the device is gone); 0 power buttons left"));
}

static void test_signals_trigger_shutdown(void **state)
{
	(void)state;
	loop_on_signal(&lp, SIGPWR);
	assert_int_equal(starts, 1);
	assert_string_equal(last_event, "signal");
	loop_on_signal(&lp, LOOP_SIG_TINY_POWER_BUTTON);
	assert_int_equal(starts, 1);
}

static void test_sigterm_stops_daemon_without_poweroff(void **state)
{
	(void)state;
	lp.is_pid1 = false;
	loop_on_signal(&lp, SIGTERM);
	assert_true(lp.stop);
	assert_int_equal(starts, 0);
	lp.stop = false;
	lp.is_pid1 = true;
	loop_on_signal(&lp, SIGTERM);
	assert_false(lp.stop);
	assert_non_null(strstr(tu_log(), "ignored, PID 1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test_setup_teardown(test_acpi_rejects_keyboard_takes_both_buttons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_takes_keyboard_too, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysfs_parent_when_phys_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waits_then_picks_up_late_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watches_parent_until_input_dir_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explicit_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_press_one_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ten_presses_one_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat_force_leaves_now, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payload_end_value_kept_on_force, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_and_autorepeat_are_not_presses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_dropped_with_key_held_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_dropped_recovered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vanished_button_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_trigger_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm_stops_daemon_without_poweroff, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
