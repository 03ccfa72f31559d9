// SPDX-License-Identifier: MIT
/*
 * Proves that leak detection is on for our code in the sanitized test
 * build, and that what lsan.supp excuses is only the ICD's own allocation.
 *
 * Each case re-runs this program (/proc/self/exe) in a child with one mode
 * and the test setup's environment, and reads what LeakSanitizer printed:
 *   leak         we leak on purpose: the child must fail with a report
 *                that names our function;
 *   vulkan       a Vulkan instance and device on the test ICD (lavapipe),
 *                created and destroyed: no report at all, with lsan.supp
 *                and also without it (keep_icds.c alone keeps what the ICD
 *                holds reachable: on AMD CPUs this failed before);
 *   vulkan-leak  both: exactly one leak reported, ours.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vulkan/vulkan.h>

#define LSAN_HEADER "ERROR: LeakSanitizer: detected memory leaks"

static void *volatile canary_sink;

/* noinline: its name must appear in the report's stack. */
__attribute__((noinline)) static void canary_leak_on_purpose(void)
{
	canary_sink = malloc(4096);
	memset(canary_sink, 0x5a, 4096);
	canary_sink = NULL;
}

static int use_vulkan(void)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.apiVersion = VK_API_VERSION_1_1,
	};
	VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	float prio = 1.0f;
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueCount = 1,
		.pQueuePriorities = &prio,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
	};
	VkInstance inst;
	VkPhysicalDevice phys;
	VkDevice dev;
	uint32_t n = 1;
	VkResult r;

	if (vkCreateInstance(&ici, NULL, &inst) != VK_SUCCESS)
		return 10;
	r = vkEnumeratePhysicalDevices(inst, &n, &phys);
	if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || n == 0) {
		vkDestroyInstance(inst, NULL);
		return 11;
	}
	if (vkCreateDevice(phys, &dci, NULL, &dev) != VK_SUCCESS) {
		vkDestroyInstance(inst, NULL);
		return 12;
	}
	vkDestroyDevice(dev, NULL);
	vkDestroyInstance(inst, NULL);
	return 0;
}

static int child_main(const char *mode)
{
	int ret = 0;

	if (!strcmp(mode, "vulkan") || !strcmp(mode, "vulkan-leak"))
		ret = use_vulkan();
	if (!strcmp(mode, "leak") || !strcmp(mode, "vulkan-leak"))
		canary_leak_on_purpose();
	return ret;
}

struct child_result {
	int exit_code;		/* -1: killed by a signal */
	char err[65536];	/* what it wrote to stderr (truncated) */
};

/* no_supp: the child runs without lsan.supp (LSAN_OPTIONS replaced). */
static void run_child(const char *mode, bool no_supp, struct child_result *res)
{
	int fds[2];
	size_t len = 0;
	ssize_t n;
	int status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		if (no_supp)
			setenv("LSAN_OPTIONS", "print_suppressions=0", 1);
		execl("/proc/self/exe", "test_lsan_canary", "--child", mode,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], res->err + len, sizeof(res->err) - 1 - len)) > 0)
		len += (size_t)n;
	res->err[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int c = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		c++;
	return c;
}

static void test_our_leak_fails(void **state)
{
	struct child_result *res = malloc(sizeof(*res));

	(void)state;
	run_child("leak", false, res);
	if (!strstr(res->err, LSAN_HEADER))
		fprintf(stderr, "child stderr:\n%s\n", res->err);
	assert_true(res->exit_code != 0);
	assert_non_null(strstr(res->err, LSAN_HEADER));
	assert_non_null(strstr(res->err, "canary_leak_on_purpose"));
	free(res);
}

static void check_vulkan_clean(bool no_supp)
{
	struct child_result *res = malloc(sizeof(*res));

	run_child("vulkan", no_supp, res);
	if (res->exit_code != 0)
		fprintf(stderr, "child exit %d, stderr:\n%s\n", res->exit_code,
			res->err);
	assert_int_equal(res->exit_code, 0);
	assert_null(strstr(res->err, "LeakSanitizer"));
	free(res);
}

static void test_icd_is_excused(void **state)
{
	(void)state;
	check_vulkan_clean(false);
}

static void test_icd_kept_reachable(void **state)
{
	(void)state;
	check_vulkan_clean(true);
}

static void test_our_leak_beside_icd_fails(void **state)
{
	struct child_result *res = malloc(sizeof(*res));

	(void)state;
	run_child("vulkan-leak", false, res);
	if (count(res->err, "Direct leak of") + count(res->err, "Indirect leak of") != 1)
		fprintf(stderr, "child stderr:\n%s\n", res->err);
	assert_true(res->exit_code != 0 && res->exit_code < 10);
	assert_non_null(strstr(res->err, LSAN_HEADER));
	assert_int_equal(count(res->err, "Direct leak of"), 1);
	assert_int_equal(count(res->err, "Indirect leak of"), 0);
	assert_non_null(strstr(res->err, "canary_leak_on_purpose"));
	assert_null(strstr(res->err, "<unknown module>"));
	free(res);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_our_leak_fails),
		cmocka_unit_test(test_icd_is_excused),
		cmocka_unit_test(test_icd_kept_reachable),
		cmocka_unit_test(test_our_leak_beside_icd_fails),
	};

	if (argc == 3 && !strcmp(argv[1], "--child"))
		return child_main(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
