// SPDX-License-Identifier: MIT
/*
 * dxg-smi's sampling and output (tools/smi_sample.c, tools/smi_print.c)
 * against scripted D3DKMT answers defined here (the library's entry points
 * the tool calls are replaced, not wrapped): busy % from two samples of a
 * node's running time, the clamp at 100, a host that refuses NODE (n/a,
 * null: not a failure), the process list without dxg-smi itself and with
 * each process's memory, and the JSON report parsed by python3's json.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "smi.h"

/* ---- the scripted library ---- */

#define OTHER_PID	0x7ffffff0u	/* no such process: its name is "?" */

static struct {
	bool refuse_node;	/* a Windows-mode host */
	double busy_rate;	/* running time per clock time */
	uint64_t base_ns;
	uint32_t enum_calls;
} mock;

NTSTATUS dxg_query_adapter_info(D3DKMT_HANDLE adapter, __u32 type,
				void *data, __u32 size)
{
	(void)adapter;
	(void)type;
	memset(data, 0, size);
	return STATUS_SUCCESS;
}

size_t dxg_utf16_to_utf8(const __u16 *in, size_t n, char *out, size_t outsz)
{
	(void)in;
	(void)n;
	return (size_t)snprintf(out, outsz, "Mock \"GPU\"");
}

const char *dxg_ntstatus_name(NTSTATUS status)
{
	(void)status;
	return "STATUS_MOCK";
}

const char *dxg_adaptertype_string(__u32 value, const char *sep, char *buf,
				   size_t len)
{
	(void)value;
	(void)sep;
	snprintf(buf, len, "render");
	return buf;
}

NTSTATUS D3DKMTQueryStatistics(D3DKMT_QUERYSTATISTICS *q)
{
	union {
		struct d3dkmt_querystatistics_adapter_information ai;
		struct d3dkmt_querystatistics_segment_information si;
		struct d3dkmt_querystatistics_process_segment_information ps;
		struct d3dkmt_querystatistics_node_information ni;
	} u;
	struct timespec ts;
	uint64_t now;

	memset(&u, 0, sizeof(u));
	switch (q->type) {
	case D3DKMT_QUERYSTATISTICS_ADAPTER:
		u.ai.nb_segments = 2;
		u.ai.node_count = 1;
		break;
	case D3DKMT_QUERYSTATISTICS_SEGMENT:
		u.si.commit_limit = q->query.segment_id ? 1u << 30 : 64u << 20;
		u.si.bytes_committed = q->query.segment_id ? 0 : 5u << 20;
		break;
	case D3DKMT_QUERYSTATISTICS_PROCESS_SEGMENT:
		if (q->process != OTHER_PID)
			return STATUS_INVALID_PARAMETER;
		u.ps.bytes_committed = q->query.segment_id ? 12345 : 4u << 20;
		break;
	case D3DKMT_QUERYSTATISTICS_NODE:
		if (mock.refuse_node || q->query.node_id)
			return STATUS_NOT_SUPPORTED;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		u.ni.global_information.running_time =
			(int64_t)((double)(now - mock.base_ns) * mock.busy_rate / 100);
		u.ni.global_information.context_switch = 7;
		break;
	default:
		return STATUS_NOT_SUPPORTED;
	}
	memcpy(q->result.data, &u, sizeof(u));
	return STATUS_SUCCESS;
}

/* dxg-smi itself and one other process; a small buffer asks again. */
NTSTATUS D3DKMTEnumProcesses(D3DKMT_ENUMPROCESSES *e)
{
	__u32 *pids = (__u32 *)(uintptr_t)e->buffer;

	mock.enum_calls++;
	if (!pids || e->buffer_count < 2) {
		e->buffer_count = 2;
		return STATUS_BUFFER_TOO_SMALL;
	}
	pids[0] = (__u32)getpid();
	pids[1] = OTHER_PID;
	e->buffer_count = 2;
	return STATUS_SUCCESS;
}

/* ---- helpers ---- */

static void adapter(struct smi_adapter *a)
{
	memset(a, 0, sizeof(*a));
	a->info.adapter_handle = 0x40000000;
	a->info.adapter_luid.a = 1;
	a->info.adapter_luid.b = 0xabcd;
	assert_int_equal(smi_collect_identity(a), 0);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* Two samples 100 ms apart at `rate`: the adapter's busy %. */
static void sample(struct smi_adapter *a, double rate, bool refuse)
{
	static struct smi_marks marks;

	mock.busy_rate = rate;
	mock.refuse_node = refuse;
	mock.base_ns = smi_now_ns();
	marks.n = 0;
	adapter(a);
	smi_mark_nodes(a, &marks);
	assert_true(a->stats_ok);
	assert_int_equal(a->nodes, 1);
	sleep_ms(100);
	smi_collect_stats(a, &marks);
}

/* What f() prints on stdout. */
static char *capture(void (*f)(const void *), const void *arg)
{
	char path[] = "/tmp/test_smi.XXXXXX";
	int fd = mkstemp(path), saved;
	char *buf = calloc(1, 65536);
	FILE *in;
	size_t n;

	assert_true(fd >= 0);
	assert_non_null(buf);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	f(arg);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	in = fopen(path, "r");
	assert_non_null(in);
	n = fread(buf, 1, 65535, in);
	buf[n] = 0;
	fclose(in);
	unlink(path);
	return buf;
}

static void print_json(const void *r)
{
	smi_print_json(r);
}

static void print_table(const void *r)
{
	smi_print_table(r);
}

/* python3's json module accepts `text`. */
static int json_valid(const char *text)
{
	char path[] = "/tmp/test_smi_json.XXXXXX";
	char cmd[128];
	int fd = mkstemp(path), r;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 -m json.tool %s >/dev/null", path);
	r = system(cmd);
	unlink(path);
	return r == 0;
}

/* ---- tests ---- */

static void test_busy_percent(void **state)
{
	struct smi_adapter a;

	(void)state;
	sample(&a, 0.5, false);
	assert_true(a.node_ok[0]);
	assert_true(a.busy_ok);
	assert_true(a.busy > 45 && a.busy < 55);
	assert_int_equal(a.node_now[0].jobs, 7);
	smi_adapter_free(&a);

	/* The host's clock ahead of the guest's: never above 100. */
	sample(&a, 3.0, false);
	assert_true(a.busy_ok);
	assert_true(a.busy == 100.0);
	smi_adapter_free(&a);

	/* Idle. */
	sample(&a, 0, false);
	assert_true(a.busy_ok);
	assert_true(a.busy == 0.0);
	smi_adapter_free(&a);
}

static void test_memory_and_processes(void **state)
{
	struct smi_adapter a;

	(void)state;
	mock.enum_calls = 0;
	sample(&a, 0.25, false);
	assert_true(a.io_ok);
	assert_int_equal(a.io_used, 5u << 20);
	assert_int_equal(a.io_total, 64u << 20);
	assert_true(a.dev_ok);
	assert_int_equal(a.dev_total, 1u << 30);
	/* The first buffer (64) was large enough: one call. */
	assert_int_equal(mock.enum_calls, 1);
	assert_true(a.procs_ok);
	assert_int_equal(a.nprocs, 1);		/* not dxg-smi itself */
	assert_int_equal(a.procs[0].pid, OTHER_PID);
	assert_string_equal(a.procs[0].name, "?");
	assert_true(a.procs[0].mem_ok);
	assert_int_equal(a.procs[0].io_used, 4u << 20);
	assert_int_equal(a.procs[0].dev_used, 12345);
	smi_adapter_free(&a);
}

static void test_json_and_table(void **state)
{
	struct smi_adapter a;
	struct smi_report r = { .adapters = &a, .count = 1,
				.interval_ns = 100000000 };
	char *out;

	(void)state;
	sample(&a, 0.5, false);
	out = capture(print_json, &r);
	assert_true(json_valid(out));
	assert_non_null(strstr(out, "\"adapters\":[{\"index\":0,"));
	assert_non_null(strstr(out, "\"luid\":\"0x0000ABCD:0x00000001\""));
	assert_non_null(strstr(out, "\"description\":\"Mock \\\"GPU\\\"\""));
	assert_non_null(strstr(out, "\"io_space\":{\"used\":5242880,\"total\":67108864}"));
	assert_non_null(strstr(out, "\"device_memory\":{\"used\":0,\"total\":1073741824}"));
	assert_non_null(strstr(out, "\"processes\":[{\"pid\":2147483632,\"name\":\"?\","
				    "\"io_space_used\":4194304,"
				    "\"device_memory_used\":12345}]"));
	assert_non_null(strstr(out, "\"interval_ms\":100,"));
	assert_non_null(strstr(out, "\"hosts\":["));
	assert_null(strstr(out, "\"busy_percent\":null"));
	free(out);
	out = capture(print_table, &r);
	assert_non_null(strstr(out, "| 0    Mock \"GPU\""));
	assert_non_null(strstr(out, "5.0 MiB / 64.0 MiB"));
	assert_non_null(strstr(out, "2147483632  ?"));
	free(out);
	smi_adapter_free(&a);
}

/* A host that refuses NODE: n/a in the table, null in JSON, no failure. */
static void test_node_refused(void **state)
{
	struct smi_adapter a;
	struct smi_report r = { .adapters = &a, .count = 1 };
	char *out;

	(void)state;
	sample(&a, 0.5, true);
	assert_false(a.busy_ok);
	assert_false(a.node_ok[0]);
	assert_true(a.io_ok);			/* the rest is still there */
	out = capture(print_json, &r);
	assert_true(json_valid(out));
	assert_non_null(strstr(out, "\"busy_percent\":null,\"nodes\":[{\"node\":0,"
				    "\"busy_percent\":null,\"running_time_us\":null,"
				    "\"jobs\":null}]"));
	free(out);
	out = capture(print_table, &r);
	assert_non_null(strstr(out, "0x0000ABCD:0x00000001  n/a"));
	free(out);
	smi_adapter_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_percent),
		cmocka_unit_test(test_memory_and_processes),
		cmocka_unit_test(test_json_and_table),
		cmocka_unit_test(test_node_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
