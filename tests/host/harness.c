// SPDX-License-Identifier: MIT
/*
 * The harness shared by the host tests (test_host, test_hostile): dxghost
 * started per test on a private socket, guests brought up with guest_sim,
 * and the calls the tests build their objects with.
 */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dxg/cmdstream.h"
#include "dxg/ntstatus.h"
#include "dxg/protocol.h"

const char *dxghost_path;

/* Daemons started by the running test, killed by teardown if still there. */
static pid_t spawned[8];

/* stderr goes to err_path when it is not NULL. */
pid_t spawn_to(const char *const *argv, const char *err_path)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = err_path ? open(err_path, O_WRONLY | O_CREAT | O_APPEND |
					 O_CLOEXEC, 0600) : -1;

		if (err_path && (fd < 0 || dup2(fd, 2) != 2))
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (size_t i = 0; i < sizeof(spawned) / sizeof(spawned[0]); i++) {
		if (!spawned[i]) {
			spawned[i] = pid;
			break;
		}
	}
	return pid;
}

pid_t spawn(const char *const *argv)
{
	return spawn_to(argv, NULL);
}

void forget(pid_t pid)
{
	for (size_t i = 0; i < sizeof(spawned) / sizeof(spawned[0]); i++)
		if (spawned[i] == pid)
			spawned[i] = 0;
}

int kill_leftovers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(spawned) / sizeof(spawned[0]); i++) {
		if (spawned[i] > 0) {
			kill(spawned[i], SIGKILL);
			waitpid(spawned[i], NULL, 0);
		}
		spawned[i] = 0;
	}
	return 0;
}

/* The daemon is ready once its socket file exists (it listens first). */
void wait_socket(struct daemon *d)
{
	for (int i = 0; i < 1000; i++) {
		struct stat st;

		if (stat(d->sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return;
		usleep(10000);
	}
	fail_msg("dxghost did not create %s", d->sock);
}

/*
 * Starts dxghost with extra arguments (NULL-terminated); its stderr goes to
 * d->log when logged (daemon_cleanup copies it to ours).
 */
void daemon_start_full(struct daemon *d, const char *const *extra,
			      bool logged)
{
	const char *argv[24] = { dxghost_path, "--socket", d->sock,
				 "--log-level", "info" };
	int n = 5;

	strcpy(d->dir, "/tmp/dxghost-test-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->sock, sizeof(d->sock), "%s/run/dxghost.sock", d->dir);
	d->log[0] = 0;
	if (logged)
		snprintf(d->log, sizeof(d->log), "%s/dxghost.log", d->dir);
	argv[2] = d->sock;
	while (extra && *extra && n < 22)
		argv[n++] = *extra++;
	argv[n] = NULL;
	d->pid = spawn_to(argv, logged ? d->log : NULL);
	assert_true(d->pid > 0);
	wait_socket(d);
}

void daemon_start_args(struct daemon *d, const char *const *extra)
{
	daemon_start_full(d, extra, false);
}

void daemon_start(struct daemon *d)
{
	daemon_start_args(d, NULL);
}

/* Sends SIGTERM; returns the exit status (or -1 if it died of a signal). */
int daemon_stop(struct daemon *d)
{
	int status;

	kill(d->pid, SIGTERM);
	if (waitpid(d->pid, &status, 0) != d->pid)
		return -1;
	forget(d->pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* What the daemon wrote to d->log so far (static, NUL-terminated). */
const char *daemon_log(struct daemon *d)
{
	static char buf[256 * 1024];
	FILE *f = fopen(d->log, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

/* Waits up to 5 s for the daemon to log what; fails showing its log. */
void assert_logged(struct daemon *d, const char *what)
{
	for (int i = 0; i < 500; i++) {
		if (strstr(daemon_log(d), what))
			return;
		usleep(10000);
	}
	fail_msg("dxghost did not log \"%s\"; it logged:\n%s", what,
		 daemon_log(d));
}

void daemon_cleanup(struct daemon *d)
{
	char path[160];

	if (d->log[0]) {
		/* Nothing the daemon said (a sanitizer's report) is lost. */
		fputs(daemon_log(d), stderr);
		unlink(d->log);
	}
	unlink(d->sock);
	snprintf(path, sizeof(path), "%s/run", d->dir);
	rmdir(path);
	rmdir(d->dir);
}

int daemon_alive(struct daemon *d)
{
	int status;

	return waitpid(d->pid, &status, WNOHANG) == 0;
}

/* A connected, handshaken guest. */
void guest_up(struct gsim *g, struct daemon *d, uint32_t gen)
{
	assert_int_equal(gsim_connect(g, d->sock), 0);
	assert_int_equal(gsim_handshake(g, gen), 0);
}

int64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to 5 s for *p == want. */
int wait_u32(const uint32_t *p, uint32_t want)
{
	int64_t end = ms_now() + 5000;

	while (dxg_load_acquire(p) != want) {
		if (ms_now() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

void make_tree(struct gsim *g, struct tree *t)
{
	assert_int_equal(gsim_create_process(g, &t->proc), STATUS_SUCCESS);
	assert_int_equal(gsim_create_device(g, t->proc, 0, &t->dev), STATUS_SUCCESS);
	assert_int_equal(gsim_create_context(g, t->proc, 0, t->dev, 0, 64, &t->ctx),
			 STATUS_SUCCESS);
	assert_int_not_equal(t->dev, 0);
	assert_int_not_equal(t->ctx, 0);
}

/* A memory request: `cmd` is the command from its header on. */
int mem_call(struct gsim *g, uint32_t proc, uint32_t type, void *cmd,
		    uint32_t len, void *reply, uint32_t cap)
{
	uint8_t *m = calloc(1, EXT + len);
	int r;

	memcpy(m + EXT, cmd, len);
	gsim_hdr(m, gsim_vgpu(g, 0), DXGKVMB_VGPU_TO_HOST, type, proc);
	r = gsim_call(g, m, EXT + len, reply, cap);
	free(m);
	return r;
}

int32_t mem_status(struct gsim *g, uint32_t proc, uint32_t type,
			  void *cmd, uint32_t len)
{
	int32_t st[2] = { -1, 0 };	/* the ring pads replies to 8 bytes */
	int r = mem_call(g, proc, type, cmd, len, st, sizeof(st));

	return r < 4 ? -EPROTO : st[0];
}

/*
 * CREATEALLOCATION of n allocations of `size` bytes; per-allocation private
 * data is the opendxg descriptor plus `extra` bytes.  Returns the status.
 */
int32_t mem_create(struct gsim *g, uint32_t proc, uint32_t dev,
			  uint64_t size, uint32_t n, uint32_t flags,
			  uint32_t extra, uint32_t *h, uint32_t *res)
{
	struct dxgkvmb_command_createallocation c = {
		.device = dev, .alloc_count = n, .flags = flags,
	};
	uint32_t per = sizeof(struct dxg_open_alloc_desc) + extra;
	uint32_t len = sizeof(c) + n * 12 + n * per;
	uint32_t rcap = 16 + n * 72 + n * per;
	uint8_t *cmd = calloc(1, len), *reply = calloc(1, rcap);
	int r;
	int32_t st;

	memcpy(cmd, &c, sizeof(c));
	for (uint32_t i = 0; i < n; i++) {
		struct dxgkvmb_command_createallocation_allocinfo ai = {
			.priv_drv_data_size = per,
		};
		struct dxg_open_alloc_desc d = {
			.version = DXG_OPEN_ALLOC_DESC_VERSION, .size = size,
		};
		uint8_t *p = cmd + sizeof(c) + n * 12 + i * per;

		memcpy(cmd + sizeof(c) + i * 12, &ai, sizeof(ai));
		memcpy(p, &d, sizeof(d));
		memset(p + sizeof(d), 0xa0 + (int)i, extra);
	}
	r = mem_call(g, proc, DXGK_VMBCOMMAND_CREATEALLOCATION, cmd, len, reply,
		     rcap);
	st = gsim_reply_status(reply, r, rcap, 0);
	if (r == (int)rcap) {
		struct dxgkvmb_command_createallocation_ret ret;

		st = STATUS_SUCCESS;
		memcpy(&ret, reply, sizeof(ret));
		if (res)
			*res = ret.resource;
		for (uint32_t i = 0; i < n; i++) {
			struct dxgkvmb_command_allocinfo_return ai;
			const uint8_t *echo = reply + 16 + n * 72 + i * per;

			memcpy(&ai, reply + 16 + i * 72, sizeof(ai));
			h[i] = ai.allocation;
			assert_int_equal(ai.allocation_size,
					 (size + PG - 1) / PG * PG);
			assert_int_equal(ai.priv_drv_data_size, per);
			if (extra)
				assert_int_equal(echo[sizeof(struct dxg_open_alloc_desc)],
						 0xa0 + i);
		}
	}
	free(cmd);
	free(reply);
	return st;
}

int32_t mem_destroy(struct gsim *g, uint32_t proc, uint32_t dev,
			   uint32_t res, const uint32_t *h, uint32_t n)
{
	struct dxgkvmb_command_destroyallocation c = {
		.device = dev, .resource = res, .alloc_count = n,
	};
	uint8_t cmd[sizeof(c) + 64 * 4];

	memcpy(cmd, &c, sizeof(c));
	if (n)		/* h may be NULL for a resource-only destroy */
		memcpy(cmd + sizeof(c), h, n * 4);
	return mem_status(g, proc, DXGK_VMBCOMMAND_DESTROYALLOCATION, cmd,
			  sizeof(c) + n * 4);
}

int32_t mem_lock(struct gsim *g, uint32_t proc, uint32_t dev, uint32_t h,
			uint64_t *off)
{
	struct dxgkvmb_command_lock2 c = { .args = { .device = dev, .allocation = h } };
	struct dxgkvmb_command_lock2_ret r = { .status = -1 };
	int n = mem_call(g, proc, DXGK_VMBCOMMAND_LOCK2, &c, sizeof(c), &r, sizeof(r));

	*off = r.cpu_visible_buffer_offset;
	return gsim_reply_status(&r, n, sizeof(r), 0);
}

/* UPDATEGPUVIRTUALADDRESS of n operations with a fence; returns the status. */
int32_t mem_update_fenced(struct gsim *g, uint32_t proc, uint32_t dev,
				 uint32_t ctx, uint32_t fence, uint64_t value,
				 uint32_t flags,
				 const struct d3dddi_updategpuvirtualaddress_operation *ops,
				 uint32_t n, uint32_t claimed)
{
	struct dxgkvmb_command_updategpuva c = {
		.fence_value = value, .device = dev, .context = ctx,
		.fence_object = fence, .num_operations = claimed, .flags = flags,
	};
	uint32_t len = sizeof(c) + n * sizeof(*ops);
	uint8_t *cmd = calloc(1, len);
	int32_t st;

	memcpy(cmd, &c, sizeof(c));
	if (n)
		memcpy(cmd + sizeof(c), ops, n * sizeof(*ops));
	st = mem_status(g, proc, DXGK_VMBCOMMAND_UPDATEGPUVIRTUALADDRESS, cmd, len);
	free(cmd);
	return st;
}

int32_t mem_update(struct gsim *g, uint32_t proc, uint32_t dev,
			  uint32_t ctx, uint32_t fence,
			  const struct d3dddi_updategpuvirtualaddress_operation *ops,
			  uint32_t n, uint32_t claimed)
{
	return mem_update_fenced(g, proc, dev, ctx, fence, 0, 0, ops, n, claimed);
}

struct d3dddi_updategpuvirtualaddress_operation
upd_map(uint64_t va, uint64_t size, uint32_t alloc, uint64_t off)
{
	struct d3dddi_updategpuvirtualaddress_operation o = {
		.operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP,
	};

	o.map.base_address = va;
	o.map.size = size;
	o.map.allocation = alloc;
	o.map.allocation_offset = off;
	return o;
}

void map_new(struct gsim *g, uint32_t adapter, const struct tree *t,
		    uint64_t size, struct mapped *m)
{
	struct dxgkvmb_command_reservegpuva rv = {
		.args = { .adapter = adapter, .size = size },
	};
	struct dxgkvmb_command_reservegpuva_ret rvr = { 0 };
	struct d3dddi_updategpuvirtualaddress_operation op;
	uint64_t off;

	assert_int_equal(mem_create(g, t->proc, t->dev, size, 1, 0, 0, &m->h, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(mem_call(g, t->proc, DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS,
				  &rv, sizeof(rv), &rvr, sizeof(rvr)), sizeof(rvr));
	m->va = rvr.virtual_address;
	op = upd_map(m->va, size, m->h, 0);
	assert_int_equal(mem_update(g, t->proc, t->dev, 0, 0, &op, 1, 1),
			 STATUS_SUCCESS);
	assert_int_equal(mem_lock(g, t->proc, t->dev, m->h, &off), STATUS_SUCCESS);
	m->cpu = (uint8_t *)g->shm + off;
}

/* Writes a buffer of n FILLs of [dst, dst + size) at cmd; returns its length. */
uint32_t write_fills(uint8_t *cmd, uint32_t n, uint64_t dst, uint64_t size,
			    uint32_t pattern)
{
	struct dxg_cmdbuf_header h = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
		.size_bytes = (uint32_t)(sizeof(h) + n * sizeof(struct dxg_cmd_fill)),
		.num_commands = n,
	};
	struct dxg_cmd_fill f = {
		.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
		.dst_va = dst, .size = size, .pattern = pattern,
	};

	memcpy(cmd, &h, sizeof(h));
	for (uint32_t i = 0; i < n; i++)
		memcpy(cmd + sizeof(h) + i * sizeof(f), &f, sizeof(f));
	return h.size_bytes;
}

/* An asynchronous SUBMITCOMMAND of [va, va + len) on a context. */
void submit_async(struct gsim *g, uint32_t proc, uint32_t ctx,
			 uint64_t va, uint32_t len)
{
	uint8_t m[EXT + sizeof(struct dxgkvmb_command_submitcommand)];
	struct dxgkvmb_command_submitcommand c;

	memset(&c, 0, sizeof(c));
	c.args.command_buffer = va;
	c.args.command_length = len;
	c.args.broadcast_context_count = 1;
	c.args.broadcast_context[0] = ctx;
	memcpy(m + EXT, &c, sizeof(c));
	gsim_hdr(m, gsim_vgpu(g, 0), DXGKVMB_VGPU_TO_HOST | DXGKVMB_ASYNC_MSG,
		 DXGK_VMBCOMMAND_SUBMITCOMMAND, proc);
	assert_int_equal(gsim_send(g, DXG_PKT_DATA_INBAND, 0, 0, m, sizeof(m)), 0);
}

/* Entries of /proc/PID/DIR ("fd", "task"); -1 when unreadable. */
long proc_entries(pid_t pid, const char *dir)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, dir);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

long proc_status(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && sscanf(line + klen, " %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

long proc_rss_kib(pid_t pid)
{
	return proc_status(pid, "VmRSS:");
}

uint32_t exec_state(struct gsim *g, uint32_t proc, uint32_t dev)
{
	struct dxgkvmb_command_getdevicestate c;
	struct dxgkvmb_command_getdevicestate_ret r;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.args.device = dev;
	c.args.state_type = D3DKMT_DEVICESTATE_EXECUTION;
	assert_int_equal(mem_call(g, proc, DXGK_VMBCOMMAND_GETDEVICESTATE, &c,
				  sizeof(c), &r, sizeof(r)), sizeof(r));
	assert_int_equal(r.status, STATUS_SUCCESS);
	return r.args.execution_state;
}

int32_t sync_create(struct gsim *g, uint32_t proc, uint32_t dev,
			   uint32_t type, uint64_t init_or_event, uint32_t *h,
			   uint64_t *storage)
{
	struct dxgkvmb_command_createsyncobject c;
	struct dxgkvmb_command_createsyncobject_ret r;
	int n;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.args.device = dev;
	c.args.info.type = type;
	if (type == D3DDDI_CPU_NOTIFICATION)
		c.args.info.cpu_notification.event = init_or_event;
	else
		c.args.info.monitored_fence.initial_fence_value = init_or_event;
	n = mem_call(g, proc, DXGK_VMBCOMMAND_CREATESYNCOBJECT, &c, sizeof(c),
		     &r, sizeof(r));
	if (n < (int)sizeof(r))
		return n >= 4 ? (int32_t)r.sync_object : -EPROTO;
	*h = r.sync_object;
	if (storage)
		*storage = r.fence_storage_address;
	return STATUS_SUCCESS;
}

/* SIGNALSYNCOBJECT of one object from the CPU (ctx 0) or a context. */
int32_t sync_signal(struct gsim *g, uint32_t proc, uint32_t dev,
			   uint32_t ctx, uint32_t h, uint64_t v, bool async)
{
	uint8_t m[EXT + sizeof(struct dxgkvmb_command_signalsyncobject) + 16];
	struct dxgkvmb_command_signalsyncobject c;
	uint32_t len = sizeof(c);
	int32_t st[2] = { -1, 0 };

	memset(&c, 0, sizeof(c));
	c.object_count = 1;
	c.context_count = ctx ? 1 : 0;
	if (!ctx)
		c.device = dev;
	memcpy(m + EXT, &c, sizeof(c));
	memcpy(m + EXT + len, &h, 4);
	len += 4;
	if (ctx) {
		memcpy(m + EXT + len, &ctx, 4);
		len += 4;
	}
	memcpy(m + EXT + len, &v, 8);
	len += 8;
	gsim_hdr(m, gsim_vgpu(g, 0), DXGKVMB_VGPU_TO_HOST |
		 (async ? DXGKVMB_ASYNC_MSG : 0), DXGK_VMBCOMMAND_SIGNALSYNCOBJECT,
		 proc);
	if (async)
		return gsim_send(g, DXG_PKT_DATA_INBAND, 0, 0, m, EXT + len);
	return gsim_call(g, m, EXT + len, st, sizeof(st)) < 4 ? -EPROTO : st[0];
}

int32_t sync_wait_cpu(struct gsim *g, uint32_t proc, uint32_t dev,
			     uint32_t h, uint64_t v, uint64_t event)
{
	uint8_t m[sizeof(struct dxgkvmb_command_waitforsyncobjectfromcpu) + 12];
	struct dxgkvmb_command_waitforsyncobjectfromcpu c;

	memset(&c, 0, sizeof(c));
	c.device = dev;
	c.object_count = 1;
	c.guest_event_pointer = event;
	memcpy(m, &c, sizeof(c));
	memcpy(m + sizeof(c), &h, 4);
	memcpy(m + sizeof(c) + 4, &v, 8);
	return mem_status(g, proc, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMCPU, m,
			  sizeof(m));
}

/* The next host->guest packet is SIGNALGUESTEVENT(event); 0 if none came. */
uint64_t next_event(struct gsim *g, int timeout_ms)
{
	struct dxgkvmb_command_signalguestevent e;
	uint8_t buf[256];
	struct dxg_pkt_desc d;
	int n = gsim_recv(g, &d, buf, sizeof(buf), timeout_ms);

	if (n == -ETIMEDOUT)
		return 0;
	assert_true(n >= (int)sizeof(e));
	assert_int_equal(d.type, DXG_PKT_DATA_INBAND);
	assert_int_equal(d.trans_id, 0);
	memcpy(&e, buf, sizeof(e));
	assert_int_equal(e.hdr.channel, DXGKVMB_HOST_TO_VM);
	assert_int_equal(e.hdr.command_type, DXGK_VMBCOMMAND_SIGNALGUESTEVENT);
	return e.event;
}

uint64_t fence_page(struct gsim *g, uint64_t storage)
{
	uint64_t v;

	memcpy(&v, (uint8_t *)g->shm + storage, sizeof(v));
	return v;
}
