// SPDX-License-Identifier: MIT
/*
 * dxg-smi against the real driver and dxghost (tools/dxg-smi.c): this
 * process holds a 4 MiB allocation and a thread of it keeps the engine
 * busy with heavy FILL jobs (batches of BATCH, each waited for) for as
 * long as dxg-smi runs in another process (no queue sized in advance: how
 * long a job takes under TCG varies too much).  Its --json report must be
 * valid JSON with the documented keys, the adapter's IO space and this
 * process's row (its pid and name) must include the allocation, and the
 * busy % must be above 0 and at most 100 (a Windows-mode host runs
 * submissions synchronously: there it only has to be a figure in 0..100
 * or null).  Then the table, the watch mode (--loop with --count: one
 * valid report per line) and the usage errors.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define PAGE		4096u
#define TARGET		(4u << 20)	/* the allocation dxg-smi must see */
#define FILLS		120u		/* FILLs of TARGET per job */
#define BATCH		4u		/* jobs queued at a time */

/* ---- a small JSON checker: RFC 8259 values, nothing more ---- */

static const char *j_value(const char *p, int depth);

static const char *j_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *j_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (!isxdigit((unsigned char)p[i]))
					return NULL;
			p += 4;
		} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
			return NULL;
		}
	}
	return p + 1;
}

static const char *j_number(const char *p)
{
	const char *s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (isdigit((unsigned char)*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		s = ++p;
		while (isdigit((unsigned char)*p))
			p++;
		if (p == s)
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		s = p;
		while (isdigit((unsigned char)*p))
			p++;
		if (p == s)
			return NULL;
	}
	return p;
}

/* Members of an object (key: value) or elements of an array. */
static const char *j_items(const char *p, char close, int depth)
{
	p = j_ws(p);
	if (*p == close)
		return p + 1;
	for (;;) {
		p = j_ws(p);
		if (close == '}') {
			p = j_string(p);
			if (!p)
				return NULL;
			p = j_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = j_value(p, depth + 1);
		if (!p)
			return NULL;
		p = j_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *j_value(const char *p, int depth)
{
	if (depth > 64)
		return NULL;
	p = j_ws(p);
	switch (*p) {
	case '{':
		return j_items(p + 1, '}', depth);
	case '[':
		return j_items(p + 1, ']', depth);
	case '"':
		return j_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return j_number(p);
	}
}

/* Exactly one JSON value on the line [p, end). */
static int json_line_ok(const char *p, const char *end)
{
	char *line = strndup(p, (size_t)(end - p));
	const char *q;
	int ok;

	if (!line)
		return 0;
	q = j_value(line, 0);
	ok = q && !*j_ws(q) && line[0] == '{';
	free(line);
	return ok;
}

/* Every line of out is one JSON object; returns how many, -1 if one is not. */
static int json_lines(const char *out)
{
	int n = 0;

	while (*out) {
		const char *nl = strchr(out, '\n');

		if (!nl)
			return -1;	/* every report ends its line */
		if (!json_line_ok(out, nl))
			return -1;
		n++;
		out = nl + 1;
	}
	return n;
}

/* The number after "key": at or after p (before end); -1: none, -2: null. */
static double num_after(const char *p, const char *end, const char *key)
{
	char k[64];
	const char *at;

	snprintf(k, sizeof(k), "\"%s\":", key);
	at = strstr(p, k);
	if (!at || (end && at >= end))
		return -1;
	at += strlen(k);
	if (!strncmp(at, "null", 4))
		return -2;
	return strtod(at, NULL);
}

/* ---- the workload ---- */

static int run_cmd(const char *cmd, char *out, size_t outsz)
{
	size_t o = 0, got;
	FILE *p;
	int status;

	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (o + 1 < outsz && (got = fread(out + o, 1, outsz - o - 1, p)) > 0)
		o += got;
	out[o] = 0;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* dxg-smi next to this program (the guest's /opt/dxg/bin), else in PATH. */
static void smi_path(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			if (snprintf(out, len, "%s/dxg-smi", self) < (int)len &&
			    access(out, X_OK) == 0)
				return;
		}
	}
	snprintf(out, len, "dxg-smi");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct work {
	struct env e;
	d3dkmthandle ctx, fence, target, cmds, pq;
	uint64_t target_va, cmds_va;
	uint32_t len;		/* the job's command buffer */
	uint64_t signalled;
};

static int setup(struct work *w)
{
	struct d3dkmt_createcontextvirtual cc = { 0 };
	struct d3dkmt_createpagingqueue cq = { 0 };
	struct dxg_cmdbuf_header h = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
		.num_commands = FILLS,
	};
	uint8_t *cpu;
	void *p;

	if (env_open(&w->e))
		return -1;
	cq.device = w->e.device;
	cc.device = w->e.device;
	if (alloc1(w->e.fd, w->e.device, TARGET, &w->target) ||
	    alloc1(w->e.fd, w->e.device, PAGE, &w->cmds) ||
	    lock(w->e.fd, w->e.device, w->cmds, &p) ||
	    xioctl(w->e.fd, LX_DXCREATEPAGINGQUEUE, &cq) ||
	    xioctl(w->e.fd, LX_DXCREATECONTEXTVIRTUAL, &cc) ||
	    fence_create(&w->e, w->e.device, 0, &w->fence, NULL))
		return -1;
	w->pq = cq.paging_queue;
	w->ctx = cc.context;
	if (map_va(&w->e, w->pq, w->target, TARGET / PAGE, &w->target_va) ||
	    map_va(&w->e, w->pq, w->cmds, 1, &w->cmds_va))
		return -1;
	cpu = p;
	h.size_bytes = sizeof(h) + FILLS * sizeof(struct dxg_cmd_fill);
	memcpy(cpu, &h, sizeof(h));
	for (uint32_t i = 0; i < FILLS; i++) {
		struct dxg_cmd_fill f = {
			.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
			.dst_va = w->target_va, .size = TARGET, .pattern = i,
		};

		memcpy(cpu + sizeof(h) + i * sizeof(f), &f, sizeof(f));
	}
	w->len = h.size_bytes;
	return 0;
}

static int submit_jobs(struct work *w, unsigned int n)
{
	struct d3dkmt_submitcommand s = {
		.command_buffer = w->cmds_va, .command_length = w->len,
		.broadcast_context_count = 1,
	};

	s.broadcast_context[0] = w->ctx;
	for (unsigned int i = 0; i < n; i++)
		if (xioctl(w->e.fd, LX_DXSUBMITCOMMAND, &s))
			return -1;
	return signal_gpu(&w->e, w->ctx, w->fence, ++w->signalled);
}

static int wait_done(struct work *w)
{
	struct d3dkmt_waitforsynchronizationobjectfromcpu wc = {
		.device = w->e.device, .object_count = 1,
		.objects = (uintptr_t)&w->fence,
		.fence_values = (uintptr_t)&w->signalled,
	};

	return xioctl(w->e.fd, LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMCPU, &wc);
}

/* The output in the log, as comment lines (the README shows one). */
static void show(const char *what, const char *out)
{
	printf("# %s:\n", what);
	while (*out) {
		int n = (int)strcspn(out, "\n");

		printf("#   %.*s\n", n, out);
		out += n + (out[n] == '\n');
	}
}

/* The engine busy until `stop`: batches of jobs, each waited for. */
static atomic_bool stop;
static atomic_int busy_err;
static atomic_uint batches;

static void *keep_busy(void *arg)
{
	struct work *w = arg;

	while (!atomic_load(&stop)) {
		if (submit_jobs(w, BATCH) || wait_done(w)) {
			atomic_store(&busy_err, errno ? errno : EIO);
			break;
		}
		atomic_fetch_add(&batches, 1);
	}
	return NULL;
}

/* ---- the checks ---- */

static void check_json(const char *out, int rc, const char *comm)
{
	static const char *const keys[] = {
		"\"timestamp\":", "\"interval_ms\":", "\"adapters\":[",
		"\"hosts\":[", "\"index\":", "\"luid\":", "\"description\":",
		"\"busy_percent\":", "\"nodes\":[", "\"running_time_us\":",
		"\"io_space\":", "\"device_memory\":", "\"processes\":",
		"\"pid\":", "\"name\":", "\"io_space_used\":",
		"\"device_memory_used\":", "\"ok\":",
	};
	const char *mine, *adapter, *next, *p;
	double io, dev, pio, pdev, busy;
	char key[64];
	int missing = -1;

	expect("dxg-smi --json: exit 0", rc, 0);
	expect("dxg-smi --json: one valid JSON report", json_lines(out), 1);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strstr(out, keys[i]))
			missing = (int)i;
	check("dxg-smi --json: the documented keys", missing < 0, "no %s in %.400s",
	      missing < 0 ? "" : keys[missing], out);

	/* This process's row, and the adapter object it is in. */
	snprintf(key, sizeof(key), "{\"pid\":%d,\"name\":\"", (int)getpid());
	mine = strstr(out, key);
	check("dxg-smi --json: this process is listed by its pid", mine != NULL,
	      "no %s in %.600s", key, out);
	if (!mine)
		return;
	check("dxg-smi --json: ... and its name",
	      !strncmp(mine + strlen(key), comm, strlen(comm)), "%.60s", mine);
	for (adapter = NULL, p = out; (p = strstr(p, "{\"index\":")) && p < mine; p++)
		adapter = p;
	if (!adapter) {
		fail("dxg-smi --json: the process's adapter", "%.300s", out);
		return;
	}
	next = strstr(adapter + 1, "{\"index\":");
	pio = num_after(mine, next, "io_space_used");
	pdev = num_after(mine, next, "device_memory_used");
	check("dxg-smi --json: the process's memory includes its allocation",
	      (pio > 0 ? pio : 0) + (pdev > 0 ? pdev : 0) >= TARGET,
	      "io %.0f device %.0f", pio, pdev);
	p = strstr(adapter, "\"io_space\":{");
	io = p && (!next || p < next) ? num_after(p, next, "used") : -1;
	p = strstr(adapter, "\"device_memory\":{");
	dev = p && (!next || p < next) ? num_after(p, next, "used") : 0;
	check("dxg-smi --json: the adapter's memory used includes it",
	      (io > 0 ? io : 0) + (dev > 0 ? dev : 0) >= TARGET, "io %.0f device %.0f",
	      io, dev);
	busy = num_after(adapter, next, "busy_percent");
	if (windows_host())
		check("dxg-smi --json: busy % in 0..100 or null (synchronous host)",
		      busy == -2 || (busy >= 0 && busy <= 100), "%.1f", busy);
	else
		check("dxg-smi --json: busy % above 0 and at most 100 while jobs run",
		      busy > 0 && busy <= 100, "%.1f in %.500s", busy, adapter);
}

static void check_table(const char *out, int rc, const char *comm)
{
	char row[64];

	expect("dxg-smi: exit 0", rc, 0);
	check("dxg-smi: the table's headers",
	      strstr(out, "| #    Adapter") && strstr(out, "IO space used / total") &&
	      strstr(out, "| Processes:") && strstr(out, "\nAdapter 0: ") &&
	      strstr(out, "  Node 0  busy    "), "%.800s", out);
	snprintf(row, sizeof(row), " %7d  %-16s ", (int)getpid(), comm);
	check("dxg-smi: this process's row (pid, name)", strstr(out, row) != NULL,
	      "no '%s' in %.1500s", row, out);
	check("dxg-smi: busy in the adapter row",
	      strstr(out, " %  ") || strstr(out, "n/a"), "%.600s", out);
}

int main(void)
{
	static char out[1 << 17];
	char smi[PATH_MAX], cmd[PATH_MAX + 128], comm[16] = "";
	struct work w = { 0 };
	pthread_t busy;
	uint64_t t0;
	FILE *f;
	int rc;

	smi_path(smi, sizeof(smi));
	f = fopen("/proc/self/comm", "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	if (setup(&w)) {
		fail("setup: device, 4 MiB allocation, context, FILL job", "%s",
		     strerror(errno));
		return 1;
	}
	/* One batch, timed, before the thread keeps them coming. */
	t0 = now_ns();
	if (submit_jobs(&w, BATCH) || wait_done(&w)) {
		fail("FILL jobs", "%s", strerror(errno));
		return 1;
	}
	printf("# a batch of %u jobs: %.1f ms\n", BATCH, (double)(now_ns() - t0) / 1e6);
	if (pthread_create(&busy, NULL, keep_busy, &w)) {
		fail("the thread that keeps the engine busy", "cannot start");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "'%s' --json --sample 1000 2>&1", smi);
	rc = run_cmd(cmd, out, sizeof(out));
	show("dxg-smi --json, while the jobs run", out);
	check_json(out, rc, comm);
	/* The table, while what is left of the queue runs. */
	snprintf(cmd, sizeof(cmd), "'%s' --sample 500 2>&1", smi);
	rc = run_cmd(cmd, out, sizeof(out));
	show("dxg-smi", out);
	check_table(out, rc, comm);
	atomic_store(&stop, true);
	pthread_join(busy, NULL);
	check("the jobs ran meanwhile, without an error",
	      !atomic_load(&busy_err) && atomic_load(&batches) > 0,
	      "%u batches, error %d", atomic_load(&batches), atomic_load(&busy_err));

	/* Watch mode: a report per interval, each one valid. */
	snprintf(cmd, sizeof(cmd), "'%s' --json --loop 0.2 --count 3 --sample 50", smi);
	rc = run_cmd(cmd, out, sizeof(out));
	expect("dxg-smi --json --loop 0.2 --count 3: exit 0", rc, 0);
	expect("... three valid JSON reports, one per line", json_lines(out), 3);
	snprintf(cmd, sizeof(cmd), "'%s' --loop 0.1 --count 2 --sample 10", smi);
	rc = run_cmd(cmd, out, sizeof(out));
	check("dxg-smi --loop 0.1 --count 2: two tables",
	      rc == 0 && strstr(out, "| Processes:") &&
	      strstr(strstr(out, "| Processes:") + 1, "| Processes:"),
	      "exit %d, %.300s", rc, out);

	/* Usage errors: exit 2 and a reason. */
	snprintf(cmd, sizeof(cmd), "'%s' --loop 0 2>&1", smi);
	rc = run_cmd(cmd, out, sizeof(out));
	check("dxg-smi --loop 0: exit 2, says why", rc == 2 && strstr(out, "--loop"),
	      "exit %d, %.200s", rc, out);
	snprintf(cmd, sizeof(cmd), "'%s' --count 2 2>&1", smi);
	rc = run_cmd(cmd, out, sizeof(out));
	check("dxg-smi --count without --loop: exit 2", rc == 2, "exit %d, %.200s",
	      rc, out);
	snprintf(cmd, sizeof(cmd), "'%s' --help", smi);
	rc = run_cmd(cmd, out, sizeof(out));
	check("dxg-smi --help: exit 0, names every option",
	      rc == 0 && strstr(out, "--json") && strstr(out, "--loop") &&
	      strstr(out, "--count") && strstr(out, "--sample") &&
	      strstr(out, "--quiet"), "exit %d, %.300s", rc, out);
	close(w.e.fd);
	return failures ? 1 : 0;
}
