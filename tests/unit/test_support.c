// SPDX-License-Identifier: MIT
/* Small host helpers: the log rate limiter, option parsing, adapters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/adapter.h"
#include "util/log.h"
#include "server/options.h"

static void test_ratelimit(void **state)
{
	struct dxg_ratelimit rl;
	uint64_t t = 1000000;
	unsigned int allowed = 0;

	(void)state;
	assert_int_equal(dxg_ratelimit_init(&rl, 1, NULL), 0);
	for (int i = 0; i < 1000; i++)
		allowed += dxg_ratelimit_allow(&rl, DXG_LOG_WARN, t + (uint64_t)i);
	assert_int_equal(allowed, DXG_RATELIMIT_BURST);
	assert_int_equal(rl.win[DXG_LOG_WARN].suppressed, 1000 - DXG_RATELIMIT_BURST);
	/* A new window allows a new burst. */
	assert_true(dxg_ratelimit_allow(&rl, DXG_LOG_WARN, t + DXG_RATELIMIT_WINDOW_MS));
	assert_int_equal(rl.win[DXG_LOG_WARN].suppressed, 0);
	dxg_ratelimit_fini(&rl);
}

/* Runs fn with stderr going to a file; returns what it wrote (static). */
static const char *capture_stderr(void (*fn)(void *), void *arg)
{
	static char out[4096];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(f), 2) == 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	fclose(f);
	return out;
}

static unsigned int count_str(const char *s, const char *what)
{
	unsigned int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

struct flood {
	struct dxg_ratelimit *rl;
	uint64_t t;
	unsigned int allowed[DXG_LOG_LEVELS];
};

/* 100 warnings and 3 errors in one window, then the next window. */
static void flood(void *arg)
{
	struct flood *f = arg;

	for (int i = 0; i < 100; i++)
		f->allowed[DXG_LOG_WARN] += dxg_ratelimit_allow(f->rl, DXG_LOG_WARN,
								 f->t + (uint64_t)i);
	for (int i = 0; i < 3; i++)
		f->allowed[DXG_LOG_ERROR] += dxg_ratelimit_allow(f->rl, DXG_LOG_ERROR,
								  f->t + 100);
	/* The window rolls: one summary, then 5 more suppressed. */
	for (unsigned int i = 0; i < DXG_RATELIMIT_BURST + 5; i++)
		f->allowed[DXG_LOG_WARN] += dxg_ratelimit_allow(f->rl, DXG_LOG_WARN,
								 f->t + DXG_RATELIMIT_WINDOW_MS);
}

static void fini(void *arg)
{
	dxg_ratelimit_fini(arg);
}

static void test_ratelimit_per_level(void **state)
{
	struct dxg_ratelimit rl, other;
	struct flood f = { .rl = &rl, .t = 1000000 };
	__u64 out = 0;
	const char *log;

	(void)state;
	assert_int_equal(dxg_ratelimit_init(&rl, 7, &out), 0);
	assert_int_equal(dxg_ratelimit_init(&other, 8, NULL), 0);
	log = capture_stderr(flood, &f);
	/* The warnings' flood did not mute the errors. */
	assert_int_equal(f.allowed[DXG_LOG_ERROR], 3);
	assert_int_equal(f.allowed[DXG_LOG_WARN], 2 * DXG_RATELIMIT_BURST);
	/* One summary for the first window, naming the VM and the level. */
	assert_int_equal(count_str(log, "suppressed"), 1);
	assert_non_null(strstr(log, "dxghost: warn: vm 7: 90 warn messages suppressed"));
	/* Every suppressed line counted, and stored where the guest reads it. */
	assert_int_equal(dxg_ratelimit_suppressed(&rl), 95);
	assert_int_equal(out, 95);
	/* Another VM's limiter is untouched. */
	assert_true(dxg_ratelimit_allow(&other, DXG_LOG_WARN, f.t + 1));
	assert_int_equal(dxg_ratelimit_suppressed(&other), 0);
	/* Teardown reports the rest: nothing is silently lost. */
	log = capture_stderr(fini, &rl);
	assert_int_equal(count_str(log, "suppressed"), 1);
	assert_non_null(strstr(log, "dxghost: warn: vm 7: 5 warn messages suppressed"));
	log = capture_stderr(fini, &other);
	assert_int_equal(count_str(log, "suppressed"), 0);
}

/* Below the log level: neither printed nor counted. */
static void debug_lines(void *arg)
{
	for (int i = 0; i < 50; i++)
		dxg_log_rl(arg, DXG_LOG_DEBUG, "debug %d", i);
	for (int i = 0; i < 12; i++)
		dxg_log_rl(arg, DXG_LOG_INFO, "info %d", i);
}

static void test_ratelimit_log_level(void **state)
{
	struct dxg_ratelimit rl;
	const char *log;

	(void)state;
	assert_int_equal(dxg_ratelimit_init(&rl, 3, NULL), 0);
	dxg_log_set_level(DXG_LOG_INFO);
	log = capture_stderr(debug_lines, &rl);
	assert_int_equal(count_str(log, "debug "), 0);
	assert_int_equal(count_str(log, "dxghost: info: info "), DXG_RATELIMIT_BURST);
	assert_int_equal(dxg_ratelimit_suppressed(&rl), 12 - DXG_RATELIMIT_BURST);
	log = capture_stderr(fini, &rl);
	assert_non_null(strstr(log, "dxghost: info: vm 3: 2 info messages suppressed"));
}

static void test_log_levels(void **state)
{
	(void)state;
	assert_int_equal(dxg_log_parse_level("error"), DXG_LOG_ERROR);
	assert_int_equal(dxg_log_parse_level("WARN"), DXG_LOG_WARN);
	assert_int_equal(dxg_log_parse_level("warning"), DXG_LOG_WARN);
	assert_int_equal(dxg_log_parse_level("info"), DXG_LOG_INFO);
	assert_int_equal(dxg_log_parse_level("3"), DXG_LOG_DEBUG);
	assert_int_equal(dxg_log_parse_level("4"), -1);
	assert_int_equal(dxg_log_parse_level("verbose"), -1);
	assert_int_equal(dxg_log_parse_level(""), -1);
}

static void test_parse_size(void **state)
{
	const struct { const char *s; uint64_t v; } ok[] = {
		{ "64M", 64ull << 20 }, { "2g", 2ull << 30 }, { "4096K", 4ull << 20 },
		{ "0x200000", 2ull << 20 }, { "16MiB", 16ull << 20 }, { "8MB", 8ull << 20 },
		{ "123", 123 },
	};
	const char *bad[] = { "", "M", "-1", "12Q", "1MM", "1 M", "99999999999999999999",
			      "17179869184G" };
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(dxg_parse_size(ok[i].s, &v), 0);
		assert_int_equal(v, ok[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(dxg_parse_size(bad[i], &v), 0);
}

static void test_options(void **state)
{
	struct dxg_options o;
	char *argv1[] = { "dxghost", "--socket", "/tmp/x.sock", "-m", "8M",
			  "--adapter", "cpu", "--adapter", "cpu", "--max-vms", "3",
			  "--max-objects", "77", "--quiet", NULL };
	char *argv2[] = { "dxghost", NULL };
	char *argv3[] = { "dxghost", "--shm-size", "6M", NULL };
	struct dxg_adapters probe;

	(void)state;
	dxg_adapters_init(&probe, 1);
	assert_int_equal(dxg_options_parse(&o, 14, argv1, 0x55), DXG_OPT_RUN);
	assert_string_equal(o.socket_path, "/tmp/x.sock");
	assert_int_equal(o.shm_size, 8u << 20);
	assert_int_equal(o.adapters.count, 2);
	assert_int_equal(o.max_vms, 3);
	assert_int_equal(o.max_objects, 77);
	assert_int_equal(o.log_level, DXG_LOG_ERROR);
	assert_int_equal(o.adapters.list[1].luid.b, 0x55);
	assert_int_equal(o.adapters.list[1].luid.a, 2);

	assert_int_equal(dxg_options_parse(&o, 1, argv2, 0x66), DXG_OPT_RUN);
	assert_string_equal(o.socket_path, DXG_DEFAULT_SOCKET);
	assert_int_equal(o.shm_size, DXG_DEFAULT_SHM_SIZE);
	/* One adapter by default: lavapipe (Vulkan), cpu where there is none. */
	assert_int_equal(o.adapters.count, 1);
	assert_string_equal(o.adapters.list[0].kind,
			    dxg_adapters_add(&probe, "vulkan") ? "cpu" : "vulkan");
	assert_int_equal(o.max_objects, DXG_DEFAULT_MAX_OBJECTS);

	assert_int_equal(dxg_options_parse(&o, 3, argv3, 1), DXG_OPT_EXIT_ERR);
}

static void test_adapters(void **state)
{
	struct dxg_adapters a;
	struct winluid none = { 0, 0 };

	(void)state;
	dxg_adapters_init(&a, 0x1234);
	assert_int_equal(dxg_adapters_add(&a, "gpu"), -EINVAL);
	assert_int_equal(dxg_adapters_add(&a, "CPU"), -EINVAL);
	for (unsigned int i = 0; i < DXG_IVSHMEM_MAX_ADAPTERS; i++)
		assert_int_equal(dxg_adapters_add(&a, "cpu"), 0);
	assert_int_equal(dxg_adapters_add(&a, "cpu"), -ENOSPC);
	for (unsigned int i = 0; i < a.count; i++)
		assert_ptr_equal(dxg_adapter_by_vgpu(&a, a.list[i].vgpu_luid), &a.list[i]);
	assert_null(dxg_adapter_by_vgpu(&a, none));
	assert_null(dxg_adapter_by_vgpu(&a, a.list[0].luid));	/* not a vGPU LUID */
}

static void test_utf16(void **state)
{
	uint16_t buf[4];

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	dxg_utf16_copy(buf, 4, "abcdef");
	assert_int_equal(buf[0], 'a');
	assert_int_equal(buf[2], 'c');
	assert_int_equal(buf[3], 0);		/* truncated, terminated */
	dxg_utf16_copy(buf, 1, "x");
	assert_int_equal(buf[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_ratelimit_per_level),
		cmocka_unit_test(test_ratelimit_log_level),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_adapters),
		cmocka_unit_test(test_utf16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
