/* Holders: finding swap areas (/proc/swaps) and bound loop devices (/sys/block), and
 * releasing them in order, each bounded, with fake system calls. A swap file or a read-write
 * loop device on a filesystem made its remount read-only fail at power-off (fault test
 * fault-busy-unmount); these are the unit tests for that fix. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../agent/holders.h"
#include "test_agent_util.h"

static struct hold_list list;

#define SWAPS_HEADER "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"

static void test_swaps_listed_and_unescaped(void **state)
{
	(void)state;
	tu_write("swaps", SWAPS_HEADER "/mnt/data/swapfile                      file\t\t1016\t\t0\t\t-2\n"
			  "/dev/vdb                                partition\t1048572\t\t0\t\t-3\n"
			  "/srv/my\\040swap                         file\t\t1016\t\t0\t\t-4\n",
		 0644);
	assert_int_equal(hold_list_swaps(tu_path("swaps"), &list), 3);
	assert_string_equal(list.path[0], "/mnt/data/swapfile");
	assert_string_equal(list.path[1], "/dev/vdb");
	assert_string_equal(list.path[2], "/srv/my swap");
}

static void test_swaps_none_or_missing(void **state)
{
	(void)state;
	tu_write("swaps", SWAPS_HEADER, 0644);
	assert_int_equal(hold_list_swaps(tu_path("swaps"), &list), 0);
	assert_int_equal(hold_list_swaps(tu_path("no-such-file"), &list), -ENOENT);
	assert_int_equal(list.count, 0);
}

/* A fake /sys/block: loop3 and loop0 bound, loop1 free, vda no loop at all. */
static void make_sys_block(void)
{
	const char *dirs[] = { "sys", "sys/block", "sys/block/loop0", "sys/block/loop0/loop",
			       "sys/block/loop1", "sys/block/loop3", "sys/block/loop3/loop",
			       "sys/block/vda", NULL };

	for (int i = 0; dirs[i]; i++)
		assert_int_equal(mkdir(tu_path(dirs[i]), 0755), 0);
	tu_write("sys/block/loop0/loop/backing_file", "/mnt/data/disk.img\n", 0644);
	tu_write("sys/block/loop3/loop/backing_file", "/mnt/data/other.img\n", 0644);
}

static void test_loops_only_bound_ones_sorted(void **state)
{
	(void)state;
	make_sys_block();
	assert_int_equal(hold_list_loops(tu_path("sys/block"), "/dev", &list), 2);
	assert_string_equal(list.path[0], "/dev/loop0");
	assert_string_equal(list.path[1], "/dev/loop3");
	assert_int_equal(hold_list_loops(tu_path("no-sys"), "/dev", &list), -ENOENT);
}

/* Fakes run in the bounded child: they report through tu_note(). */
static int fake_swapoff(const char *path)
{
	tu_note("swapoff", path);
	if (!strcmp(path, "/dev/vdb"))
		return -ENOMEM; /* not enough memory to take the pages back */
	if (!strcmp(path, "/hang"))
		sleep(10);
	return 0;
}

static int fake_detach(const char *dev)
{
	tu_note("detach", dev);
	return 0;
}

static void test_release_swaps_then_loops(void **state)
{
	const struct hold_ops ops = { fake_swapoff, fake_detach };
	long long t0 = tu_ms();

	(void)state;
	make_sys_block();
	tu_write("swaps", SWAPS_HEADER "/mnt/data/swapfile file 1016 0 -2\n/dev/vdb partition 9 0 -3\n"
			  "/hang file 1016 0 -4\n",
		 0644);
	hold_release_all(&ops, tu_path("swaps"), tu_path("sys/block"), "/dev", 300);
	assert_true(tu_ms() - t0 < 6000); /* not the hung step's 10 s */
	assert_string_equal(tu_read("calls"), "swapoff /mnt/data/swapfile\nswapoff /dev/vdb\nswapoff /hang\n"
					      "detach /dev/loop0\ndetach /dev/loop3\n");
	assert_non_null(strstr(tu_log(), "swapped off /mnt/data/swapfile"));
	assert_non_null(strstr(tu_log(), "swapoff '/dev/vdb': Cannot allocate memory"));
	assert_non_null(strstr(tu_log(), "swapoff '/hang': timed out"));
	assert_non_null(strstr(tu_log(), "detached loop device /dev/loop3"));
}

static void test_release_nothing_held(void **state)
{
	const struct hold_ops ops = { fake_swapoff, fake_detach };

	(void)state;
	hold_release_all(&ops, tu_path("no-swaps"), tu_path("no-sys"), "/dev", 300);
	assert_string_equal(tu_read("calls"), "");
	assert_string_equal(tu_log(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_swaps_listed_and_unescaped),
		TU_TEST(test_swaps_none_or_missing),
		TU_TEST(test_loops_only_bound_ones_sorted),
		TU_TEST(test_release_swaps_then_loops),
		TU_TEST(test_release_nothing_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
