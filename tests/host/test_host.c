// SPDX-License-Identifier: MIT
/*
 * dxghost against the guest simulator: the daemon binary (argv[1] or
 * $DXGHOST) is started per test on a private socket.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmdenc.h"
#include "dxg/cmdstream.h"
#include "dxg/ntstatus.h"
#include "guest_sim.h"
#include "harness.h"
#include "saxpy_spv.h"

static pid_t vm_server_pid(const struct daemon *d, unsigned int id, pid_t old);
static bool process_dies(pid_t pid, int ms);

static int run_daemon(const char *const *extra, char *out, size_t cap)
{
	int pipefd[2], status;
	const char *argv[8] = { dxghost_path };
	int n = 1;
	pid_t pid;
	ssize_t got = 0, r;

	while (extra && *extra && n < 7)
		argv[n++] = *extra++;
	argv[n] = NULL;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((size_t)got + 1 < cap &&
	       (r = read(pipefd[0], out + got, cap - 1 - (size_t)got)) > 0)
		got += r;
	out[got] = 0;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A NUL-terminated UTF-16 string starts with the ASCII prefix. */
static void assert_utf16_prefix(const uint16_t *s, const char *prefix)
{
	for (size_t i = 0; prefix[i]; i++)
		assert_int_equal(s[i], (uint16_t)prefix[i]);
}

/* The default adapter: the CPU Vulkan device (Mesa's lavapipe). */
#define DEFAULT_ADAPTER_PREFIX	"llvmpipe"

/* ---- tests ---- */

/* The first path a driver takes: process, adapter, internal adapter info. */
static void test_smoke(void **state)
{
	struct daemon d;
	struct gsim g;
	uint32_t proc, adapter;
	struct dxgkvmb_command_getinternaladapterinfo_ret info;
	uint8_t m[16 + sizeof(struct dxgkvmb_command_getinternaladapterinfo)] = { 0 };

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	assert_int_equal(gsim_create_process(&g, &proc), STATUS_SUCCESS);
	assert_int_not_equal(proc, 0);
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	assert_int_not_equal(adapter, 0);
	gsim_hdr(m, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO, 0);
	assert_int_equal(gsim_call(&g, m, sizeof(m), &info, sizeof(info)),
			 sizeof(info));
	assert_true(info.flags & DXG_INTERNAL_INFO_ASYNC_MSG_ENABLED);
	assert_memory_equal(&info.host_vgpu_luid, &g.ctl->adapters[0].vgpu_luid, 8);
	assert_memory_equal(&info.host_adapter_luid, &g.ctl->adapters[0].luid, 8);
	/* No --adapter: the default Vulkan device, lavapipe. */
	assert_utf16_prefix(info.device_description, DEFAULT_ADAPTER_PREFIX);
	assert_int_not_equal(g.ctl->adapters[0].vendor_id, 0x1414);
	gsim_close(&g);
	assert_true(daemon_alive(&d));
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_help_and_options(void **state)
{
	static char out[8192];
	const char *const opts[] = { "--socket", "--shm-size", "--adapter",
				     "--max-vms", "--max-objects", "--log-level",
				     "--quiet", "--help", "--version", "--windows",
				     "--interface-version", "--no-async",
				     "--socket-group", "--socket-mode" };

	(void)state;
	assert_int_equal(run_daemon((const char *[]){ "--help", NULL }, out, sizeof(out)), 0);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		assert_non_null(strstr(out, opts[i]));
	assert_non_null(strstr(out, "/run/dxghost/dxghost.sock"));
	assert_int_equal(run_daemon((const char *[]){ "--version", NULL }, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "dxghost"));
	assert_int_not_equal(run_daemon((const char *[]){ "--adapter", "gpu9", NULL },
					out, sizeof(out)), 0);
	assert_non_null(strstr(out, "unknown adapter 'gpu9'"));
	assert_int_not_equal(run_daemon((const char *[]){ "--shm-size", "3M", NULL },
					out, sizeof(out)), 0);
	assert_int_not_equal(run_daemon((const char *[]){ "--shm-size", "1M", NULL },
					out, sizeof(out)), 0);
	assert_int_not_equal(run_daemon((const char *[]){ "--shm-size", "8G", NULL },
					out, sizeof(out)), 0);
	assert_int_not_equal(run_daemon((const char *[]){ "--socket-mode", "0999", NULL },
					out, sizeof(out)), 0);
	assert_int_not_equal(run_daemon((const char *[]){ "--socket-mode", "01777", NULL },
					out, sizeof(out)), 0);
	assert_int_not_equal(run_daemon((const char *[]){ "--socket-group",
							  "no-such-group-xyz", NULL },
					out, sizeof(out)), 0);
	assert_non_null(strstr(out, "invalid --socket-group"));
	assert_int_not_equal(run_daemon((const char *[]){ "--log-level", "loud", NULL },
					out, sizeof(out)), 0);
	assert_int_not_equal(run_daemon((const char *[]){ "--max-vms", "0", NULL },
					out, sizeof(out)), 0);
	assert_int_not_equal(run_daemon((const char *[]){ "--interface-version", "39", NULL },
					out, sizeof(out)), 0);
	assert_int_not_equal(run_daemon((const char *[]){ "--interface-version", "x", NULL },
					out, sizeof(out)), 0);
	assert_int_not_equal(run_daemon((const char *[]){ "--bogus", NULL },
					out, sizeof(out)), 0);
}

static void test_handshake_control_page(void **state)
{
	struct daemon d;
	struct gsim g;
	const struct dxg_ivshmem_control *c;
	const char *const args[] = { "--shm-size", "4M", "--adapter", "cpu",
				     "--adapter", "cpu", NULL };

	(void)state;
	daemon_start_args(&d, args);
	assert_int_equal(gsim_connect(&g, d.sock), 0);
	assert_int_equal(g.nfds, 5);
	c = g.ctl;
	assert_int_equal(g.shm_size, 4u << 20);
	assert_int_equal(c->magic, DXG_IVSHMEM_MAGIC);
	assert_int_equal(c->layout_version, DXG_IVSHMEM_LAYOUT_VERSION);
	assert_int_equal(c->host_interface_version, 40);
	assert_true(c->host_caps & DXG_HOST_CAP_ASYNC_MSG);
	assert_true(c->host_caps & DXG_HOST_CAP_ODX_REPLIES);
	assert_int_equal(c->ring_size, 256 * 1024);
	assert_int_equal(c->shm_size, 4u << 20);
	assert_int_equal(c->ring_g2h_offset, 4096);
	assert_int_equal(c->ring_h2g_offset, 4096 + 4096 + 256 * 1024);
	assert_int_equal(c->io_space_offset, 1 << 20);
	assert_int_equal(c->io_space_offset + c->io_space_size, 4u << 20);
	assert_int_equal(c->host_state, DXG_PEER_READY);
	assert_int_equal(c->host_generation, 0);
	assert_int_equal(c->adapter_count, 2);
	for (unsigned int i = 0; i < 2; i++) {
		const struct dxg_ivshmem_adapter *a = &c->adapters[i];

		assert_int_equal(a->luid.a, i + 1);
		assert_int_equal(a->vendor_id, 0x1414);
		assert_int_equal(a->device_id, 0x008e);
		assert_int_equal(a->vgpu_luid.b, a->luid.b);
		assert_false(a->luid.a == a->vgpu_luid.a);
	}
	assert_int_equal(c->adapters[0].luid.b, c->adapters[1].luid.b);
	assert_int_not_equal(c->adapters[0].vgpu_luid.a, c->adapters[1].vgpu_luid.a);
	assert_int_equal(c->adapters[2].luid.a, 0);
	/* A generation of 0 is not a handshake. */
	dxg_write_once(g.ctl->guest_interface_version, 40);
	dxg_store_release(&g.ctl->guest_state, DXG_PEER_READY);
	gsim_ring_host(&g, DXG_IVSHMEM_VEC_STATE);
	usleep(20000);
	assert_int_equal(c->host_generation, 0);
	/* An old interface version is ignored. */
	dxg_write_once(g.ctl->guest_interface_version, 27);
	dxg_write_once(g.ctl->guest_generation, 5);
	gsim_ring_host(&g, DXG_IVSHMEM_VEC_STATE);
	usleep(20000);
	assert_int_equal(c->host_generation, 0);
	assert_int_equal(gsim_handshake(&g, 7), 0);
	assert_int_equal(c->host_generation, 7);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* The value *p reaches within ms milliseconds, or the last one seen. */
static uint32_t beat_after(const uint32_t *p, uint32_t from, int ms)
{
	int64_t end = ms_now() + ms;
	uint32_t v;

	while ((v = dxg_load_acquire(p)) == from && ms_now() < end)
		usleep(10000);
	return v;
}

/*
 * Starts `dxghost --takeover` on old's socket (new's log in old's dir);
 * returns once it is listening for the next takeover itself.
 */
static void daemon_takeover(struct daemon *old, struct daemon *nw, int n)
{
	const char *argv[] = { dxghost_path, "--socket", old->sock,
			       "--log-level", "info", "--takeover", NULL };

	*nw = *old;
	snprintf(nw->log, sizeof(nw->log), "%s/dxghost-%d.log", old->dir, n);
	nw->pid = spawn_to(argv, nw->log);
	assert_true(nw->pid > 0);
	assert_logged(nw, "took over");
}

/*
 * An upgrade without rebooting the guests (docs/dxghost.md, "Upgrading"):
 * a second dxghost takes the VM over through the handover socket; the old
 * one exits without saying GONE; the guest (here the simulator, which is
 * also QEMU: its socket, memory and doorbells stay the same) sees a new
 * host_instance, its old objects are gone, a new handshake is served, and
 * new VMs connect to the new daemon on the same socket.
 */
static void test_takeover(void **state)
{
	struct daemon d, d2, d3;
	struct gsim g, g2;
	struct tree t, t2;
	uint32_t inst, v;
	int status;

	(void)state;
	daemon_start_full(&d, NULL, true);
	guest_up(&g, &d, 1);
	make_tree(&g, &t);
	inst = g.ctl->host_instance;
	assert_int_not_equal(inst, 0);

	daemon_takeover(&d, &d2, 2);
	assert_int_equal(waitpid(d.pid, &status, 0), d.pid);
	forget(d.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_logged(&d, "handed 1 VMs over");
	assert_logged(&d2, "vm 1 taken over");
	/* A new host, ready, nothing of the old one's objects. */
	assert_int_equal(g.ctl->host_state, DXG_PEER_READY);
	assert_int_not_equal(g.ctl->host_instance, inst);
	assert_int_not_equal(g.ctl->host_instance, 0);
	assert_int_equal(g.ctl->stat_objects, 0);
	assert_true(g.ctl->host_caps & DXG_HOST_CAP_HEARTBEAT);
	v = dxg_load_acquire(&g.ctl->host_heartbeat);
	assert_int_not_equal(beat_after(&g.ctl->host_heartbeat, v,
					4 * DXG_HOST_HEARTBEAT_MS), v);
	/* The guest driver handshakes again, as after a reprobe. */
	assert_int_equal(gsim_handshake(&g, 2), 0);
	assert_int_equal(gsim_destroy_process(&g, t.proc), STATUS_INVALID_HANDLE);
	make_tree(&g, &t2);
	assert_int_equal(g.ctl->stat_objects, 3);
	/* The same socket path, served by the new daemon. */
	guest_up(&g2, &d2, 1);
	make_tree(&g2, &t);
	gsim_close(&g2);

	/* And once more: the new one hands over too. */
	daemon_takeover(&d2, &d3, 3);
	assert_int_equal(waitpid(d2.pid, &status, 0), d2.pid);
	forget(d2.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* As a guest does: it handshakes once the new host is there. */
	assert_logged(&d3, "vm 1 taken over");
	assert_int_equal(gsim_handshake(&g, 3), 0);
	make_tree(&g, &t);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d3), 0);
	daemon_cleanup(&d3);
	daemon_cleanup(&d2);
	daemon_cleanup(&d);
}

/* Nothing to take over: a clear error, and nobody's socket is touched. */
static void test_takeover_nothing(void **state)
{
	struct daemon d, d2;
	struct stat st;
	int status;
	const char *args[] = { "--socket", NULL, "--takeover", NULL };
	char out[4096];

	(void)state;
	/* A takeover without VMs; the new daemon removes the socket at exit. */
	daemon_start_full(&d, NULL, true);
	daemon_takeover(&d, &d2, 2);
	assert_int_equal(waitpid(d.pid, &status, 0), d.pid);
	forget(d.pid);
	assert_logged(&d, "handed 0 VMs over");
	assert_int_equal(daemon_stop(&d2), 0);
	assert_true(stat(d.sock, &st) < 0);
	/* Now there is nobody to take over from. */
	args[1] = d.sock;
	assert_int_equal(run_daemon(args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "no dxghost to take over from"));
	daemon_cleanup(&d2);
	daemon_cleanup(&d);
}

/*
 * The heartbeat (docs/ivshmem-transport.md §6) advances while dxghost runs,
 * busy or not, and stands still when it is stopped or killed: what the
 * guest's watchdog relies on to tell a killed host from a slow one.
 */
static void test_heartbeat(void **state)
{
	struct daemon d;
	struct gsim g;
	uint32_t v;
	pid_t server;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	assert_true(g.ctl->host_caps & DXG_HOST_CAP_HEARTBEAT);
	v = dxg_load_acquire(&g.ctl->host_heartbeat);
	v = beat_after(&g.ctl->host_heartbeat, v, 4 * DXG_HOST_HEARTBEAT_MS);
	assert_int_not_equal(beat_after(&g.ctl->host_heartbeat, v,
					4 * DXG_HOST_HEARTBEAT_MS), v);
	/* Its server stopped: no beat for three periods. */
	server = vm_server_pid(&d, 1, 0);
	assert_int_equal(kill(server, SIGSTOP), 0);
	usleep(100000);
	v = dxg_load_acquire(&g.ctl->host_heartbeat);
	assert_int_equal(beat_after(&g.ctl->host_heartbeat, v,
				    3 * DXG_HOST_HEARTBEAT_MS), v);
	assert_int_equal(kill(server, SIGCONT), 0);
	assert_int_not_equal(beat_after(&g.ctl->host_heartbeat, v,
					4 * DXG_HOST_HEARTBEAT_MS), v);
	/* The daemon killed: its servers die with it, the beat stops. */
	assert_int_equal(kill(d.pid, SIGKILL), 0);
	assert_true(process_dies(server, 5000));
	v = dxg_load_acquire(&g.ctl->host_heartbeat);
	assert_int_equal(beat_after(&g.ctl->host_heartbeat, v,
				    3 * DXG_HOST_HEARTBEAT_MS), v);
	assert_int_equal(g.ctl->host_state, DXG_PEER_READY);	/* nobody said GONE */
	gsim_close(&g);
	daemon_stop(&d);
	daemon_cleanup(&d);
}

static void test_luids_differ_between_daemons(void **state)
{
	struct daemon d1, d2;
	struct gsim g1, g2;

	(void)state;
	daemon_start(&d1);
	daemon_start(&d2);
	assert_int_equal(gsim_connect(&g1, d1.sock), 0);
	assert_int_equal(gsim_connect(&g2, d2.sock), 0);
	assert_int_not_equal(g1.ctl->adapters[0].luid.b, g2.ctl->adapters[0].luid.b);
	gsim_close(&g1);
	gsim_close(&g2);
	assert_int_equal(daemon_stop(&d1), 0);
	assert_int_equal(daemon_stop(&d2), 0);
	daemon_cleanup(&d1);
	daemon_cleanup(&d2);
}

static void test_round_trips(void **state)
{
	struct daemon d;
	struct gsim g;
	uint32_t proc, adapter, dev, ctx, ctx2;
	struct d3dkmt_adaptertype at = { 0 };
	struct d3dkmt_query_device_ids ids = { 0 };
	struct d3dkmt_driver_description *desc = calloc(1, sizeof(*desc));
	struct d3dkmt_umdfilenameinfo umd = { .version = KMTUMDVERSION_DX12 };
	uint32_t ver = 0;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_objects, 1);
	assert_int_equal(gsim_create_process(&g, &proc), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_processes, 1);

	assert_int_equal(gsim_query_adapter_info(&g, proc, 0, KMTQAITYPE_ADAPTERTYPE,
						 &at, sizeof(at)), STATUS_SUCCESS);
	assert_true(at.value & D3DKMT_ADAPTERTYPE_RENDER_SUPPORTED);
	assert_int_equal(gsim_query_adapter_info(&g, proc, 0,
						 KMTQAITYPE_PHYSICALADAPTERDEVICEIDS,
						 &ids, sizeof(ids)), STATUS_SUCCESS);
	assert_int_equal(ids.device_ids.vendor_id, g.ctl->adapters[0].vendor_id);
	assert_int_equal(gsim_query_adapter_info(&g, 0, 0, KMTQAITYPE_DRIVERVERSION,
						 &ver, sizeof(ver)), STATUS_SUCCESS);
	assert_int_equal(ver, KMT_DRIVERVERSION_WDDM_2_7);
	assert_int_equal(gsim_query_adapter_info(&g, 0, 0, KMTQAITYPE_DRIVER_DESCRIPTION,
						 desc, sizeof(*desc)), STATUS_SUCCESS);
	assert_utf16_prefix(desc->driver_description, DEFAULT_ADAPTER_PREFIX);
	assert_int_equal(gsim_query_adapter_info(&g, 0, 0, KMTQAITYPE_UMDRIVERNAME,
						 &umd, sizeof(umd)), STATUS_SUCCESS);
	assert_int_equal(gsim_query_adapter_info(&g, 0, 0, KMTQAITYPE_DRIVER_DESCRIPTION,
						 desc, 16), STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(gsim_query_adapter_info(&g, 0, 0, 9999, &ver, sizeof(ver)),
			 STATUS_NOT_SUPPORTED);
	/* A process handle that is not live. */
	assert_int_equal(gsim_query_adapter_info(&g, proc + 64, 0, KMTQAITYPE_ADAPTERTYPE,
						 &at, sizeof(at)), STATUS_INVALID_HANDLE);

	assert_int_equal(gsim_create_device(&g, proc, 0, &dev), STATUS_SUCCESS);
	assert_int_equal(gsim_create_context(&g, proc, 0, dev, 0, 4000, &ctx),
			 STATUS_SUCCESS);
	assert_int_equal(gsim_create_context(&g, proc, 0, dev, 0, 0, &ctx2),
			 STATUS_SUCCESS);
	assert_int_equal(gsim_create_context(&g, proc, 0, dev, 3, 0, &ctx2),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(g.ctl->stat_objects, 5);
	assert_int_equal(gsim_destroy_context(&g, proc, 0, ctx), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_context(&g, proc, 0, ctx), STATUS_INVALID_HANDLE);
	assert_int_equal(g.ctl->stat_objects, 4);
	assert_int_equal(gsim_destroy_device(&g, proc, 0, dev), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_objects, 2);
	assert_int_equal(gsim_destroy_process(&g, proc), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_process(&g, proc), STATUS_INVALID_HANDLE);
	assert_int_equal(g.ctl->stat_processes, 0);
	assert_int_equal(gsim_close_adapter(&g, 0, adapter), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_objects, 0);
	free(desc);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_stats_after_destroy_and_disconnect(void **state)
{
	struct daemon d;
	struct gsim g;
	struct tree t[3];

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	for (int i = 0; i < 3; i++)
		make_tree(&g, &t[i]);
	assert_int_equal(g.ctl->stat_processes, 3);
	assert_int_equal(g.ctl->stat_objects, 9);
	/* DESTROYPROCESS takes the device and context along. */
	assert_int_equal(gsim_destroy_process(&g, t[0].proc), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_objects, 6);
	assert_int_equal(gsim_destroy_device(&g, t[0].proc, 0, t[0].dev),
			 STATUS_INVALID_HANDLE);
	assert_int_equal(gsim_destroy_process(&g, t[1].proc), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_process(&g, t[2].proc), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_objects, 0);
	assert_int_equal(g.ctl->stat_processes, 0);
	/* QEMU goes away with objects alive: the host frees them. */
	make_tree(&g, &t[0]);
	assert_int_equal(g.ctl->stat_objects, 3);
	gsim_disconnect(&g);
	assert_int_equal(wait_u32(&g.ctl->stat_objects, 0), 0);
	assert_int_equal(g.ctl->stat_processes, 0);
	assert_true(daemon_alive(&d));
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* Writes a raw packet (any descriptor) at the g2h write index. */
static void raw_packet(struct gsim *g, const struct dxg_pkt_desc *desc,
		       uint32_t total)
{
	uint32_t wr = g->g2h.hdr->write_index;
	uint64_t trailer = (uint64_t)wr << 32;

	dxg_ring_copy_to(&g->g2h, wr, desc, sizeof(*desc));
	dxg_ring_copy_to(&g->g2h, dxg_ring_advance(&g->g2h, wr, total - 8),
			 &trailer, 8);
	dxg_store_release(&g->g2h.hdr->write_index,
			  dxg_ring_advance(&g->g2h, wr, total));
	gsim_ring_host(g, DXG_IVSHMEM_VEC_RING);
}

static int32_t recv_status(struct gsim *g, uint64_t id)
{
	struct dxg_pkt_desc d;
	int32_t r[2] = { 0 };
	int n = gsim_recv(g, &d, r, sizeof(r), GSIM_TIMEOUT_MS);

	assert_true(n >= 4);
	assert_int_equal(d.type, DXG_PKT_COMPLETION);
	assert_int_equal(d.trans_id, id);
	return n == 8 && r[0] == 0 ? r[1] : r[0];
}

static void test_malformed_traffic(void **state)
{
	struct daemon d;
	struct gsim g, other;
	struct tree t, to;
	static uint8_t buf[DXG_MAX_PACKET_PAYLOAD];
	uint32_t seed = 99;

	(void)state;
	daemon_start(&d);
	guest_up(&other, &d, 1);
	make_tree(&other, &to);
	guest_up(&g, &d, 1);
	make_tree(&g, &t);

	/* Random garbage: every request still gets its completion. */
	for (uint64_t id = 1000; id < 1600; id++) {
		uint32_t len = (seed >> 7) % 700;

		for (uint32_t i = 0; i < len; i++) {
			seed = seed * 1664525u + 1013904223u;
			buf[i] = (uint8_t)(seed >> 24);
		}
		if (id & 1) {	/* a valid-looking prefix */
			gsim_hdr(buf, gsim_vgpu(&g, 0), (seed >> 3) & 1,
				 (seed >> 4) % 70 + (((seed >> 3) & 1) ? 1000 : 0),
				 (seed & 0x100) ? t.proc : seed);
		}
		assert_int_equal(gsim_send(&g, DXG_PKT_DATA_INBAND,
					   DXG_PKT_FLAG_COMPLETION_REQUESTED, id,
					   buf, len), 0);
		struct dxg_pkt_desc dd;
		int n = gsim_recv(&g, &dd, buf, sizeof(buf), GSIM_TIMEOUT_MS);

		assert_true(n >= 4);
		assert_int_equal(dd.trans_id, id);
	}
	/* Short messages and unknown commands. */
	memset(buf, 0, 64);
	assert_int_equal(gsim_send(&g, 6, 1, 7, buf, 8), 0);
	assert_int_equal(recv_status(&g, 7), STATUS_INVALID_PARAMETER);
	gsim_hdr(buf, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST, 63, t.proc);
	assert_int_equal(gsim_send(&g, 6, 1, 8, buf, 64), 0);
	assert_int_equal(recv_status(&g, 8), STATUS_NOT_SUPPORTED);
	gsim_hdr(buf, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_CREATEDEVICE, t.proc);
	assert_int_equal(gsim_send(&g, 6, 1, 9, buf, 44), 0);
	assert_int_equal(recv_status(&g, 9), STATUS_INVALID_PARAMETER);
	/* A completion packet from the guest still gets an answer. */
	assert_int_equal(gsim_send(&g, DXG_PKT_COMPLETION, 1, 10, buf, 64), 0);
	assert_int_equal(recv_status(&g, 10), STATUS_INVALID_PARAMETER);
	/* Huge private_data_size. */
	gsim_hdr(buf, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_QUERYADAPTERINFO, t.proc);
	memcpy(buf + 40, &(uint32_t[2]){ KMTQAITYPE_ADAPTERTYPE, 0xfffffff0u }, 8);
	assert_int_equal(gsim_send(&g, 6, 1, 11, buf, 64), 0);
	assert_int_equal(recv_status(&g, 11), STATUS_INVALID_PARAMETER);
	/* A packet larger than the protocol allows (written raw). */
	{
		uint32_t plen = DXG_MAX_PACKET_PAYLOAD + 1024;
		struct dxg_pkt_desc rd = { .type = 6, .offset8 = 2,
					   .len8 = (uint16_t)((16 + plen) / 8),
					   .flags = 1, .trans_id = 12 };

		raw_packet(&g, &rd, 16 + plen + 8);
		assert_int_equal(recv_status(&g, 12), STATUS_INVALID_PARAMETER);
	}
	/* An async message with an unknown command: no reply, no harm. */
	gsim_hdr(buf, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST | DXGKVMB_ASYNC_MSG,
		 DXGK_VMBCOMMAND_SUBMITCOMMAND, t.proc);
	assert_int_equal(gsim_send(&g, 6, 0, 0, buf, 64), 0);
	/* The channel still works, objects intact. */
	assert_int_equal(gsim_destroy_context(&g, t.proc, 0, t.ctx), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_objects, 2);

	/* Corrupt ring indices: that VM's state is dropped, others go on. */
	dxg_store_release(&g.g2h.hdr->write_index, 3);
	gsim_ring_host(&g, DXG_IVSHMEM_VEC_RING);
	assert_int_equal(wait_u32(&g.ctl->stat_objects, 0), 0);
	assert_true(daemon_alive(&d));
	assert_int_equal(gsim_destroy_context(&other, to.proc, 0, to.ctx), STATUS_SUCCESS);
	assert_int_equal(other.ctl->stat_objects, 2);
	/* The corrupted VM comes back with a new generation. */
	assert_int_equal(gsim_handshake(&g, 2), 0);
	make_tree(&g, &t);
	assert_int_equal(g.ctl->stat_objects, 3);

	gsim_close(&g);
	gsim_close(&other);
	assert_true(daemon_alive(&d));
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_two_vms_isolated(void **state)
{
	struct daemon d;
	struct gsim a, b;
	struct tree ta;
	uint32_t pb;

	(void)state;
	daemon_start(&d);
	guest_up(&a, &d, 1);
	guest_up(&b, &d, 1);
	assert_int_not_equal(a.ctl, b.ctl);
	make_tree(&a, &ta);
	assert_int_equal(gsim_create_process(&b, &pb), STATUS_SUCCESS);
	/* A's device and context mean nothing in B. */
	assert_int_equal(gsim_destroy_device(&b, pb, 0, ta.dev), STATUS_INVALID_HANDLE);
	assert_int_equal(gsim_destroy_context(&b, pb, 0, ta.ctx), STATUS_INVALID_HANDLE);
	uint32_t c;
	assert_int_equal(gsim_create_context(&b, pb, 0, ta.dev, 0, 0, &c),
			 STATUS_INVALID_HANDLE);
	/* Within A, another process cannot use them either. */
	uint32_t pa2;
	assert_int_equal(gsim_create_process(&a, &pa2), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_device(&a, pa2, 0, ta.dev), STATUS_INVALID_HANDLE);
	assert_int_equal(a.ctl->stat_objects, 4);
	assert_int_equal(b.ctl->stat_objects, 1);
	/* B going away leaves A alone. */
	gsim_close(&b);
	assert_int_equal(gsim_destroy_device(&a, ta.proc, 0, ta.dev), STATUS_SUCCESS);
	gsim_close(&a);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_rehandshake_and_guest_gone(void **state)
{
	struct daemon d;
	struct gsim g;
	struct tree t, t2;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	make_tree(&g, &t);
	/* The driver is loaded again: a new generation starts clean. */
	assert_int_equal(gsim_handshake(&g, 2), 0);
	assert_int_equal(g.ctl->stat_objects, 0);
	assert_int_equal(gsim_destroy_process(&g, t.proc), STATUS_INVALID_HANDLE);
	make_tree(&g, &t2);
	assert_int_not_equal(t2.proc, t.proc);	/* stale handles stay stale */
	/* The driver unloads. */
	dxg_store_release(&g.ctl->guest_state, DXG_PEER_GONE);
	gsim_ring_host(&g, DXG_IVSHMEM_VEC_STATE);
	assert_int_equal(wait_u32(&g.ctl->stat_objects, 0), 0);
	assert_int_equal(gsim_handshake(&g, 3), 0);
	make_tree(&g, &t);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_sigterm(void **state)
{
	struct daemon d;
	struct gsim g;
	struct tree t;
	struct pollfd p;
	struct stat st;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	make_tree(&g, &t);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(g.ctl->host_state, DXG_PEER_GONE);
	p.fd = g.guest_efd[DXG_IVSHMEM_VEC_STATE];
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 0), 1);		/* vector 1 was rung */
	assert_int_not_equal(stat(d.sock, &st), 0);	/* socket removed */
	gsim_close(&g);
	daemon_cleanup(&d);
}

static void test_socket_file_handling(void **state)
{
	struct daemon d, d2;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct gsim g;
	struct tree t;
	int fd, status;

	(void)state;
	/* A stale socket (nobody listening) is replaced. */
	strcpy(d.dir, "/tmp/dxghost-stale-XXXXXX");
	assert_non_null(mkdtemp(d.dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s", d.dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	{
		const char *argv[] = { dxghost_path, "--socket", sa.sun_path, NULL };

		d.pid = spawn(argv);
		strcpy(d.sock, sa.sun_path);
	}
	/* The stale file is a socket too: wait until the daemon answers. */
	for (int i = 0; i < 500; i++) {
		struct gsim probe;
		int ok = gsim_connect(&probe, d.sock) == 0;

		gsim_close(&probe);
		if (ok)
			break;
		usleep(10000);
	}
	assert_true(daemon_alive(&d));
	guest_up(&g, &d, 1);
	make_tree(&g, &t);
	/* A live one is refused. */
	{
		const char *argv[] = { dxghost_path, "--socket", sa.sun_path, NULL };

		d2.pid = spawn(argv);
		assert_int_equal(waitpid(d2.pid, &status, 0), d2.pid);
		forget(d2.pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	}
	assert_true(daemon_alive(&d));
	assert_int_equal(gsim_destroy_process(&g, t.proc), STATUS_SUCCESS);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	rmdir(d.dir);
}

/*
 * --socket-group and --socket-mode: the socket has them from the moment it
 * appears at its path, and a guest connects through it.
 */
static void test_socket_access(void **state)
{
	struct daemon d;
	struct gsim g;
	struct stat st;
	char gid[16];
	/* root may give the socket any group; others only their own. */
	gid_t want = getuid() == 0 ? 4242 : getgid();

	(void)state;
	snprintf(gid, sizeof(gid), "%u", (unsigned int)want);
	daemon_start_args(&d, (const char *[]){ "--socket-group", gid,
						"--socket-mode", "0660", NULL });
	assert_int_equal(stat(d.sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, want);
	guest_up(&g, &d, 1);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_max_vms(void **state)
{
	struct daemon d;
	struct gsim a, b;
	struct tree t;

	(void)state;
	daemon_start_args(&d, (const char *[]){ "--max-vms", "1", NULL });
	guest_up(&a, &d, 1);
	assert_int_not_equal(gsim_connect(&b, d.sock), 0);
	gsim_close(&b);
	make_tree(&a, &t);
	gsim_close(&a);
	/* The slot is free again once A is gone. */
	usleep(50000);
	guest_up(&b, &d, 1);
	make_tree(&b, &t);
	gsim_close(&b);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_object_quota(void **state)
{
	struct daemon d;
	struct gsim g;
	uint32_t p, dev;

	(void)state;
	daemon_start_args(&d, (const char *[]){ "--max-objects", "5", NULL });
	guest_up(&g, &d, 1);
	assert_int_equal(gsim_create_process(&g, &p), STATUS_SUCCESS);
	for (int i = 0; i < 4; i++)
		assert_int_equal(gsim_create_device(&g, p, 0, &dev), STATUS_SUCCESS);
	assert_int_equal(gsim_create_device(&g, p, 0, &dev), STATUS_QUOTA_EXCEEDED);
	assert_int_equal(gsim_create_process(&g, &p), STATUS_QUOTA_EXCEEDED);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* ---- memory commands (docs/memory.md) ---- */


static int32_t fence_destroy(struct gsim *g, uint32_t proc, uint32_t h);

static void test_memory(void **state)
{
	struct daemon d;
	struct gsim g;
	uint32_t p, p2, adapter, dev, dev2, h[16], res = 0, other;
	uint64_t off, io_base, used;
	struct dxgkvmb_command_createallocation bad;
	uint8_t raw[256];
	int n;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	io_base = g.ctl->io_space_offset;
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	assert_int_equal(gsim_create_process(&g, &p), STATUS_SUCCESS);
	assert_int_equal(gsim_create_process(&g, &p2), STATUS_SUCCESS);
	assert_int_equal(gsim_create_device(&g, p, 0, &dev), STATUS_SUCCESS);
	assert_int_equal(gsim_create_device(&g, p2, 0, &dev2), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_io_space_used, 0);

	/* Two allocations with echoed private data; usage in pages. */
	assert_int_equal(mem_create(&g, p, dev, 5000, 2, 0, 40, h, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_io_space_used, 4 * PG);
	assert_int_equal(g.ctl->stat_objects, 7);
	assert_int_equal(mem_lock(&g, p, dev, h[0], &off), STATUS_SUCCESS);
	assert_true(off >= io_base && off + 2 * PG <= g.ctl->shm_size && !(off % PG));
	/* Zero copy: the offset names the bytes the host keeps for it. */
	assert_int_equal(((uint8_t *)g.shm)[off], 0);
	memset((uint8_t *)g.shm + off, 0x77, 2 * PG);
	assert_int_equal(mem_lock(&g, p2, dev, h[0], &off), STATUS_INVALID_HANDLE);
	assert_int_equal(mem_lock(&g, p, dev2, h[0], &off), STATUS_INVALID_HANDLE);

	/* Malformed CREATEALLOCATION. */
	assert_int_equal(mem_create(&g, p, dev, PG, 0, 0, 0, h + 2, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(mem_create(&g, p, dev, 0, 1, 0, 0, h + 2, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(mem_create(&g, p, dev, UINT64_MAX, 1, 0, 0, h + 2, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(mem_create(&g, p, dev2, PG, 1, 0, 0, h + 2, NULL),
			 STATUS_INVALID_HANDLE);
	assert_int_equal(mem_create(&g, p, dev, PG, 1,
				    D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED, 0,
				    h + 2, NULL), STATUS_NOT_SUPPORTED);
	memset(&bad, 0, sizeof(bad));
	bad.device = dev;
	bad.alloc_count = 1025;
	memcpy(raw, &bad, sizeof(bad));
	assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_CREATEALLOCATION, raw,
				    sizeof(bad)), STATUS_INVALID_PARAMETER);
	bad.alloc_count = 4;		/* the info array is not in the message */
	memcpy(raw, &bad, sizeof(bad));
	assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_CREATEALLOCATION, raw,
				    sizeof(bad) + 8), STATUS_INVALID_PARAMETER);
	bad.alloc_count = 1;
	bad.private_runtime_data_size = 0x80000000u;
	memcpy(raw, &bad, sizeof(bad));
	assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_CREATEALLOCATION, raw,
				    sizeof(raw)), STATUS_INVALID_PARAMETER);
	bad.private_runtime_data_size = 0;
	memcpy(raw, &bad, sizeof(bad));
	{
		struct dxgkvmb_command_createallocation_allocinfo ai = {
			.priv_drv_data_size = 100000,	/* beyond the message */
		};

		memcpy(raw + sizeof(bad), &ai, sizeof(ai));
	}
	assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_CREATEALLOCATION, raw,
				    sizeof(raw)), STATUS_INVALID_PARAMETER);
	assert_int_equal(g.ctl->stat_io_space_used, 4 * PG);

	/* DESTROYALLOCATION: duplicates and foreign handles change nothing. */
	assert_int_equal(mem_destroy(&g, p, dev, 0, (uint32_t[]){ h[0], h[0] }, 2),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(mem_destroy(&g, p2, dev2, 0, h, 1), STATUS_INVALID_HANDLE);
	assert_int_equal(mem_destroy(&g, p, dev, 0, h, 0), STATUS_INVALID_PARAMETER);
	assert_int_equal(g.ctl->stat_io_space_used, 4 * PG);
	assert_int_equal(mem_destroy(&g, p, dev, 0, h, 2), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_io_space_used, 0);
	assert_int_equal(mem_lock(&g, p, dev, h[0], &off), STATUS_INVALID_HANDLE);

	/* Resources own their allocations. */
	assert_int_equal(mem_create(&g, p, dev, PG, 3,
				    D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE, 0,
				    h, &res), STATUS_SUCCESS);
	assert_true(res != 0);
	assert_int_equal(g.ctl->stat_io_space_used, 3 * PG);
	assert_int_equal(mem_destroy(&g, p, dev, res, h, 1), STATUS_INVALID_PARAMETER);
	assert_int_equal(mem_destroy(&g, p, dev, res, NULL, 0), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_io_space_used, 0);
	assert_int_equal(mem_lock(&g, p, dev, h[1], &off), STATUS_INVALID_HANDLE);

	/* Quota: the IO space; exhaustion fails at once, freeing recovers. */
	assert_int_equal(mem_create(&g, p, dev, g.ctl->io_space_size + PG, 1, 0, 0,
				    h, NULL), STATUS_NO_MEMORY);
	n = 0;
	while (n < 16 && mem_create(&g, p, dev, 8u << 20, 1, 0, 0, &h[n], NULL) ==
	       STATUS_SUCCESS)
		n++;
	assert_true(n > 0 && n < 16);
	assert_int_equal(mem_create(&g, p, dev, 8u << 20, 1, 0, 0, &other, NULL),
			 STATUS_NO_MEMORY);
	used = g.ctl->stat_io_space_used;
	assert_int_equal(used, (uint64_t)n << 23);

	/* Paging queue, residency, the fence page in shared memory. */
	{
		struct dxgkvmb_command_createpagingqueue cq = { .args = { .device = dev } };
		struct dxgkvmb_command_createpagingqueue_ret qr = { 0 };
		uint8_t mr[sizeof(struct dxgkvmb_command_makeresident) + 4];
		struct dxgkvmb_command_makeresident mc = { .device = dev, .alloc_count = 1 };
		struct dxgkvmb_command_makeresident_ret rr = { 0 };
		uint8_t ev[DXGKVMB_EVICT_FIXED + 4] = { 0 };
		struct dxgkvmb_command_evict_ret er = { 0 };

		/* The IO space is full: the fence page cannot be had either. */
		assert_int_equal(mem_destroy(&g, p, dev, 0, h, 1), STATUS_SUCCESS);
		assert_int_equal(mem_call(&g, p, DXGK_VMBCOMMAND_CREATEPAGINGQUEUE, &cq,
					  sizeof(cq), &qr, sizeof(qr)), sizeof(qr));
		assert_true(qr.paging_queue && qr.fence_storage_physical_address >= io_base);
		/* Its paging fence is a sync object, destroyed with it only. */
		assert_int_not_equal(qr.sync_object, 0);
		assert_int_equal(fence_destroy(&g, p, qr.sync_object),
				 STATUS_INVALID_HANDLE);
		mc.paging_queue = qr.paging_queue;
		memcpy(mr, &mc, sizeof(mc));
		memcpy(mr + sizeof(mc), &h[1], 4);
		assert_int_equal(mem_call(&g, p, DXGK_VMBCOMMAND_MAKERESIDENT, mr,
					  sizeof(mr), &rr, sizeof(rr)), sizeof(rr));
		assert_int_equal(rr.status, STATUS_SUCCESS);
		assert_int_equal(rr.paging_fence_value, 1);
		assert_int_equal(*(uint64_t *)((uint8_t *)g.shm +
					       qr.fence_storage_physical_address), 1);
		/* EVICT of a foreign allocation: the documented 8-byte error. */
		memcpy(ev + 24, &dev, 4);
		memcpy(ev + 32, &(uint32_t){ 1 }, 4);
		memcpy(ev + 36, &h[0], 4);	/* destroyed above */
		assert_int_equal(mem_call(&g, p, DXGK_VMBCOMMAND_EVICT, ev, sizeof(ev),
					  &er, sizeof(er)), 8);
		assert_int_equal((int32_t)(uint32_t)er.num_bytes_to_trim,
				 STATUS_INVALID_HANDLE);
		assert_int_equal(er.num_bytes_to_trim >> 32, 0);

		/* GPU VA: reserve, map into it, free. */
		{
			struct dxgkvmb_command_reservegpuva rv = {
				.args = { .adapter = adapter, .size = 16 * PG },
			};
			struct dxgkvmb_command_reservegpuva_ret rvr = { 0 };
			struct dxgkvmb_command_mapgpuva mv = {
				.args = { .paging_queue = qr.paging_queue,
					  .allocation = h[1], .size_in_pages = 2,
					  .protection.value = D3DDDIGPUVA_PROTECTION_WRITE },
				.device = dev,
			};
			struct dxgkvmb_command_mapgpuva_ret mvr = { 0 };
			struct dxgkvmb_command_freegpuva fv = { .args = { .adapter = adapter } };

			assert_int_equal(mem_call(&g, p, DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS,
						  &rv, sizeof(rv), &rvr, sizeof(rvr)),
					 sizeof(rvr));
			assert_true(rvr.virtual_address != 0);
			mv.args.base_address = rvr.virtual_address;
			assert_int_equal(mem_call(&g, p, DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS,
						  &mv, sizeof(mv), &mvr, sizeof(mvr)),
					 sizeof(mvr));
			assert_int_equal(mvr.virtual_address, rvr.virtual_address);
			assert_int_equal(mvr.paging_fence_value, 2);
			mv.args.offset_in_pages = (8u << 20) / PG - 1;	/* past the end */
			mv.args.base_address = 0;
			assert_int_equal(gsim_reply_status(&mvr, mem_call(&g, p,
					 DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS, &mv, sizeof(mv),
					 &mvr, sizeof(mvr)), sizeof(mvr), 16),
					 STATUS_INVALID_PARAMETER);
			mv.args.offset_in_pages = 0;
			assert_int_equal(gsim_reply_status(&mvr, mem_call(&g, p2,
					 DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS, &mv, sizeof(mv),
					 &mvr, sizeof(mvr)), sizeof(mvr), 16),
					 STATUS_INVALID_HANDLE);
			fv.args.base_address = rvr.virtual_address;
			fv.args.size = 16 * PG;
			assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_FREEGPUVIRTUALADDRESS,
						    &fv, sizeof(fv)), STATUS_SUCCESS);
			assert_true(mem_status(&g, p, DXGK_VMBCOMMAND_FREEGPUVIRTUALADDRESS,
					       &fv, sizeof(fv)) < 0);
		}
	}

	/*
	 * QUERYVIDEOMEMORYINFO: real budget and usage.  The Vulkan adapter has
	 * device memory: it is LOCAL, the IO space NON_LOCAL.
	 */
	{
		struct dxgkvmb_command_queryvideomemoryinfo q = { .adapter = adapter };
		struct dxgkvmb_command_queryvideomemoryinfo_ret qr = { 0 };

		assert_int_equal(mem_call(&g, p, DXGK_VMBCOMMAND_QUERYVIDEOMEMORYINFO, &q,
					  sizeof(q), &qr, sizeof(qr)), sizeof(qr));
		assert_int_equal(qr.budget, g.ctl->device_memory_quota);
		assert_int_equal(qr.current_usage, g.ctl->stat_device_memory_used);
		q.memory_segment_group = D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL;
		assert_int_equal(mem_call(&g, p, DXGK_VMBCOMMAND_QUERYVIDEOMEMORYINFO, &q,
					  sizeof(q), &qr, sizeof(qr)), sizeof(qr));
		assert_int_equal(qr.budget, g.ctl->io_space_size);
		assert_int_equal(qr.current_usage, g.ctl->stat_io_space_used);
		q.memory_segment_group = 9;
		assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_QUERYVIDEOMEMORYINFO,
					    &q, sizeof(q)), STATUS_INVALID_PARAMETER);
	}

	/* The process leaving frees everything it had. */
	assert_int_equal(gsim_destroy_process(&g, p), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_io_space_used, 0);
	assert_int_equal(g.ctl->stat_objects, 3);
	assert_int_equal(mem_create(&g, p2, dev2, 8u << 20, 1, 0, 0, h, NULL),
			 STATUS_SUCCESS);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static struct d3dddi_updategpuvirtualaddress_operation
upd_copy(uint64_t src, uint64_t size, uint64_t dst)
{
	struct d3dddi_updategpuvirtualaddress_operation o = {
		.operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_COPY,
	};

	o.copy.source_address = src;
	o.copy.size = size;
	o.copy.dest_address = dst;
	return o;
}

static struct d3dddi_updategpuvirtualaddress_operation
upd_protect(uint64_t va, uint64_t size, uint32_t alloc, uint64_t off,
	    uint64_t prot)
{
	struct d3dddi_updategpuvirtualaddress_operation o = {
		.operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP_PROTECT,
	};

	o.map_protect.base_address = va;
	o.map_protect.size = size;
	o.map_protect.allocation = alloc;
	o.map_protect.allocation_offset = off;
	o.map_protect.protection.value = prot;
	return o;
}

static struct d3dddi_updategpuvirtualaddress_operation
upd_unmap(uint64_t va, uint64_t size)
{
	struct d3dddi_updategpuvirtualaddress_operation o = {
		.operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_UNMAP,
	};

	o.unmap.base_address = va;
	o.unmap.size = size;
	return o;
}

/* UPDATEGPUVIRTUALADDRESS (all or nothing) and the segment-size queries. */
/* CREATEALLOCATION of one allocation with descriptor flags @desc_flags. */
static int32_t mem_create_flags(struct gsim *g, uint32_t proc, uint32_t dev,
				uint64_t size, uint32_t desc_flags, uint32_t *h)
{
	struct {
		struct dxgkvmb_command_createallocation c;
		struct dxgkvmb_command_createallocation_allocinfo ai;
		struct dxg_open_alloc_desc d;
	} __attribute__((packed)) cmd = {
		.c = { .device = dev, .alloc_count = 1 },
		.ai = { .priv_drv_data_size = sizeof(struct dxg_open_alloc_desc) },
		.d = { .version = DXG_OPEN_ALLOC_DESC_VERSION, .flags = desc_flags,
		       .size = size },
	};
	uint8_t reply[16 + 72 + sizeof(struct dxg_open_alloc_desc)];
	struct dxgkvmb_command_allocinfo_return ai;
	int r = mem_call(g, proc, DXGK_VMBCOMMAND_CREATEALLOCATION, &cmd, sizeof(cmd),
			 reply, sizeof(reply));

	if (r != (int)sizeof(reply))
		return gsim_reply_status(reply, r, sizeof(reply), 0);
	memcpy(&ai, reply + 16, sizeof(ai));
	*h = ai.allocation;
	return STATUS_SUCCESS;
}

/*
 * Device-local allocations (docs/memory.md §8): in the Vulkan device's own
 * memory within the VM's quota, never CPU-visible, mapped into GPU VA like
 * any other; refused where the adapter has none.
 */
/* ---- offer / reclaim, priorities, residency (docs/memory.md §10) ---- */

static int32_t res_offer(struct gsim *g, uint32_t p, uint32_t dev,
			 const uint32_t *h, uint32_t n, uint32_t prio)
{
	struct dxgkvmb_command_offerallocations c = {
		.device = dev, .allocation_count = n, .priority = prio,
	};
	uint8_t m[sizeof(c) + 16 * 4];

	memcpy(m, &c, sizeof(c));
	memcpy(m + sizeof(c), h, n * 4);
	return mem_status(g, p, DXGK_VMBCOMMAND_OFFERALLOCATIONS, m,
			  sizeof(c) + n * 4);
}

/* RECLAIMALLOCATIONS: the status; results[i] per allocation. */
static int32_t res_reclaim(struct gsim *g, uint32_t p, uint32_t dev,
			   uint32_t pq, const uint32_t *h, uint32_t n,
			   uint32_t *results)
{
	struct dxgkvmb_command_reclaimallocations c = {
		.device = dev, .paging_queue = pq, .allocation_count = n,
	};
	struct dxgkvmb_command_reclaimallocations_ret r;
	uint8_t m[sizeof(c) + 16 * 4], reply[sizeof(r) + 16 * 4 + 8] = { 0 };
	int len;

	memcpy(m, &c, sizeof(c));
	memcpy(m + sizeof(c), h, n * 4);
	/* The ring pads the reply to 8 bytes. */
	len = mem_call(g, p, DXGK_VMBCOMMAND_RECLAIMALLOCATIONS, m,
		       sizeof(c) + n * 4, reply, sizeof(r) + n * 4 + 4);
	if (len < (int)(sizeof(r) + n * 4))
		return gsim_reply_status(reply, len, sizeof(r) + n * 4, 8);
	memcpy(&r, reply, sizeof(r));
	memcpy(results, reply + sizeof(r), n * 4);
	assert_true(r.paging_fence_value > 0);
	return r.status;
}

/* GET/QUERY: one value of one allocation (resource 0). */
static uint32_t res_value(struct gsim *g, uint32_t p, uint32_t dev,
			  uint32_t type, uint32_t h)
{
	struct dxgkvmb_command_allocationlist c = {
		.device = dev, .allocation_count = 1,
	};
	uint8_t m[sizeof(c) + 4];
	uint32_t reply[4] = { 0 };	/* 12 bytes, padded to 8 by the ring */

	memcpy(m, &c, sizeof(c));
	memcpy(m + sizeof(c), &h, 4);
	assert_true(mem_call(g, p, type, m, sizeof(m), reply, sizeof(reply)) >= 12);
	assert_int_equal(reply[0], STATUS_SUCCESS);
	assert_int_equal(reply[1], 1);
	return reply[2];
}

/*
 * With --io-budget, an allocation that would exceed the budget discards
 * offered allocations (their pages are punched out of the memfd: the
 * guest's view reads zero); a reclaim reports what was discarded, or
 * NOT_COMMITTED while the budget cannot take it back.
 */
static void test_residency(void **state)
{
	const char *const args[] = { "--io-budget", "1M", "--adapter", "cpu", NULL };
	struct dxgkvmb_command_createpagingqueue cq = { 0 };
	struct dxgkvmb_command_createpagingqueue_ret qr = { 0 };
	uint32_t p, dev, a, b, c2, pq, res[2] = { 9, 9 };
	struct stat st0, st1;
	uint64_t off_a;
	struct daemon d;
	struct gsim g;

	(void)state;
	daemon_start_args(&d, args);
	guest_up(&g, &d, 1);
	assert_int_equal(gsim_create_process(&g, &p), STATUS_SUCCESS);
	assert_int_equal(gsim_create_device(&g, p, 0, &dev), STATUS_SUCCESS);
	cq.args.device = dev;
	assert_int_equal(mem_call(&g, p, DXGK_VMBCOMMAND_CREATEPAGINGQUEUE, &cq,
				  sizeof(cq), &qr, sizeof(qr)), sizeof(qr));
	pq = qr.paging_queue;
	assert_int_equal(mem_create(&g, p, dev, 512 * 1024, 1, 0, 0, &a, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(mem_lock(&g, p, dev, a, &off_a), STATUS_SUCCESS);
	memset((uint8_t *)g.shm + off_a, 0x5a, 512 * 1024);

	/* Nothing offered: past the budget is refused. */
	assert_int_equal(mem_create(&g, p, dev, 512 * 1024, 1, 0, 0, &b, NULL),
			 STATUS_NO_MEMORY);
	assert_int_equal(res_value(&g, p, dev, DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY,
				   a), D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY);
	/* Offered: the new allocation takes its place, its contents go. */
	assert_int_equal(res_offer(&g, p, dev, &a, 1, D3DKMT_OFFER_PRIORITY_LOW),
			 STATUS_SUCCESS);
	assert_int_equal(res_offer(&g, p, dev, &a, 1, D3DKMT_OFFER_PRIORITY_LOW),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(mem_create(&g, p, dev, 512 * 1024, 1, 0, 0, &b, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(res_value(&g, p, dev, DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY,
				   a), D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT);
	assert_int_equal(((uint8_t *)g.shm)[off_a], 0);
	assert_int_equal(((uint8_t *)g.shm)[off_a + 512 * 1024 - 1], 0);
	/* The budget cannot take it back while b lives. */
	assert_int_equal(res_reclaim(&g, p, dev, pq, &a, 1, res), STATUS_SUCCESS);
	assert_int_equal(res[0], D3DDDI_RECLAIM_RESULT_NOT_COMMITTED);
	/*
	 * b offered too: reclaiming a discards b (a is no victim of itself),
	 * and b's pages really go back: the memfd holds 512K less (a's pages
	 * are holes until they are touched again).
	 */
	assert_int_equal(fstat(g.memfd, &st0), 0);
	assert_int_equal(res_offer(&g, p, dev, &b, 1, D3DKMT_OFFER_PRIORITY_HIGH),
			 STATUS_SUCCESS);
	assert_int_equal(res_reclaim(&g, p, dev, pq, &a, 1, res), STATUS_SUCCESS);
	assert_int_equal(res[0], D3DDDI_RECLAIM_RESULT_DISCARDED);
	assert_int_equal(fstat(g.memfd, &st1), 0);
	assert_true((st0.st_blocks - st1.st_blocks) * 512 >= 512 * 1024);
	assert_int_equal(res_value(&g, p, dev, DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY,
				   b), D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT);
	assert_int_equal(res_reclaim(&g, p, dev, pq, &b, 1, res), STATUS_SUCCESS);
	assert_int_equal(res[0], D3DDDI_RECLAIM_RESULT_NOT_COMMITTED);
	assert_int_equal(mem_destroy(&g, p, dev, 0, &b, 1), STATUS_SUCCESS);
	/* Not offered (any more), duplicates, bad handles, bad priority. */
	assert_int_equal(res_reclaim(&g, p, dev, pq, &a, 1, res),
			 STATUS_INVALID_PARAMETER);
	{
		uint32_t dup[2] = { a, a }, bad[2] = { a, 0x40000200 };

		assert_int_equal(res_offer(&g, p, dev, dup, 2, 1), STATUS_INVALID_PARAMETER);
		assert_int_equal(res_offer(&g, p, dev, bad, 2, 1), STATUS_INVALID_HANDLE);
		assert_int_equal(res_offer(&g, p, dev, &a, 1, 0), STATUS_INVALID_PARAMETER);
		assert_int_equal(res_offer(&g, p, dev, &a, 1, 5), STATUS_INVALID_PARAMETER);
		assert_int_equal(res_offer(&g, p, dev, &a, 0, 1), STATUS_INVALID_PARAMETER);
		/* A count past the message: refused, nothing read beyond it. */
		assert_int_equal(res_offer(&g, p, dev, &a, 1, 1) , STATUS_SUCCESS);
		assert_int_equal(res_reclaim(&g, p, dev, pq, &a, 1, res), STATUS_SUCCESS);
		assert_int_equal(res[0], D3DDDI_RECLAIM_RESULT_OK);
	}
	{
		struct dxgkvmb_command_offerallocations oc = {
			.device = dev, .allocation_count = 3, .priority = 1,
		};
		uint8_t m[sizeof(oc) + 4];

		memcpy(m, &oc, sizeof(oc));
		memcpy(m + sizeof(oc), &a, 4);
		assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_OFFERALLOCATIONS, m,
					    sizeof(m)), STATUS_INVALID_PARAMETER);
	}
	/* Priorities: NORMAL at creation, a round trip, bounds. */
	assert_int_equal(res_value(&g, p, dev, DXGK_VMBCOMMAND_GETALLOCATIONPRIORITY, a),
			 D3DDDI_ALLOCATIONPRIORITY_NORMAL);
	{
		struct dxgkvmb_command_allocationlist sc = {
			.device = dev, .allocation_count = 1,
		};
		uint32_t m[sizeof(sc) / 4 + 2];

		memcpy(m, &sc, sizeof(sc));
		m[sizeof(sc) / 4] = a;
		m[sizeof(sc) / 4 + 1] = D3DDDI_ALLOCATIONPRIORITY_HIGH;
		assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_SETALLOCATIONPRIORITY, m,
					    sizeof(m)), STATUS_SUCCESS);
		assert_int_equal(res_value(&g, p, dev, DXGK_VMBCOMMAND_GETALLOCATIONPRIORITY,
					   a), D3DDDI_ALLOCATIONPRIORITY_HIGH);
		m[sizeof(sc) / 4 + 1] = D3DDDI_ALLOCATIONPRIORITY_MAXIMUM + 1;
		assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_SETALLOCATIONPRIORITY, m,
					    sizeof(m)), STATUS_INVALID_PARAMETER);
		/* The priorities missing from the message. */
		assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_SETALLOCATIONPRIORITY, m,
					    sizeof(m) - 4), STATUS_INVALID_PARAMETER);
	}
	/* Priority picks the victim: the LOW one of two NORMAL offers goes. */
	assert_int_equal(mem_create(&g, p, dev, 256 * 1024, 1, 0, 0, &b, NULL),
			 STATUS_SUCCESS);
	{
		struct dxgkvmb_command_allocationlist sc = {
			.device = dev, .allocation_count = 1,
		};
		uint32_t m[sizeof(sc) / 4 + 2], two[2] = { a, b };

		memcpy(m, &sc, sizeof(sc));
		m[sizeof(sc) / 4] = b;
		m[sizeof(sc) / 4 + 1] = D3DDDI_ALLOCATIONPRIORITY_LOW;
		assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_SETALLOCATIONPRIORITY, m,
					    sizeof(m)), STATUS_SUCCESS);
		assert_int_equal(res_offer(&g, p, dev, two, 2, D3DKMT_OFFER_PRIORITY_NORMAL),
				 STATUS_SUCCESS);
		/* 256K more than fits: b (LOW, 256K) is enough. */
		assert_int_equal(mem_create(&g, p, dev, 256 * 1024, 1, 0, 0, &c2, NULL),
				 STATUS_SUCCESS);
		assert_int_equal(res_value(&g, p, dev,
					   DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY, b),
				 D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT);
		assert_int_equal(res_value(&g, p, dev,
					   DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY, a),
				 D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY);
		assert_int_equal(res_reclaim(&g, p, dev, pq, two, 2, res), STATUS_SUCCESS);
		assert_int_equal(res[0], D3DDDI_RECLAIM_RESULT_OK);
		assert_int_equal(res[1], D3DDDI_RECLAIM_RESULT_NOT_COMMITTED);
	}
	/* INVALIDATECACHE bounds; CHANGEVIDEOMEMORYRESERVATION bounds. */
	{
		struct dxgkvmb_command_invalidatecache ic = {
			.device = dev, .allocation = a, .length = 512 * 1024,
		};

		assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_INVALIDATECACHE, &ic,
					    sizeof(ic)), STATUS_SUCCESS);
		ic.offset = 4;
		assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_INVALIDATECACHE, &ic,
					    sizeof(ic)), STATUS_INVALID_PARAMETER);
		ic.offset = UINT64_MAX;
		ic.length = 2;
		assert_int_equal(mem_status(&g, p, DXGK_VMBCOMMAND_INVALIDATECACHE, &ic,
					    sizeof(ic)), STATUS_INVALID_PARAMETER);
	}
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_device_local(void **state)
{
	const char *const no_dev[] = { "--device-memory", "0", NULL };
	const char *const small[] = { "--device-memory", "8M", NULL };
	struct daemon d;
	struct gsim g;
	struct tree t;
	uint32_t h = 0, h2 = 0;
	uint64_t off;

	(void)state;
	daemon_start_full(&d, small, false);
	guest_up(&g, &d, 1);
	make_tree(&g, &t);
	assert_int_equal(g.ctl->device_memory_quota, 8u << 20);
	assert_int_equal(mem_create_flags(&g, t.proc, t.dev, 5 * PG,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &h), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_device_memory_used, 5 * PG);
	assert_int_equal(g.ctl->stat_io_space_used, 0);	/* no IO space taken */
	/* Not CPU-visible. */
	assert_int_equal(mem_lock(&g, t.proc, t.dev, h, &off), STATUS_INVALID_PARAMETER);
	/* Mapped into the GPU VA space like IO-space memory. */
	{
		struct dxgkvmb_command_mapgpuva mv = {
			.device = t.dev,
			.args = { .paging_queue = 0, .allocation = h, .size_in_pages = 5,
				  .protection.value = D3DDDIGPUVA_PROTECTION_WRITE },
		};
		struct dxgkvmb_command_createpagingqueue pq = { .args = { .device = t.dev } };
		struct dxgkvmb_command_createpagingqueue_ret pqr = { 0 };
		struct dxgkvmb_command_mapgpuva_ret mr = { 0 };

		assert_int_equal(mem_call(&g, t.proc, DXGK_VMBCOMMAND_CREATEPAGINGQUEUE, &pq,
					  sizeof(pq), &pqr, sizeof(pqr)), sizeof(pqr));
		mv.args.paging_queue = pqr.paging_queue;
		assert_int_equal(mem_call(&g, t.proc, DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS, &mv,
					  sizeof(mv), &mr, sizeof(mr)), sizeof(mr));
		assert_int_equal(mr.status, STATUS_SUCCESS);
		assert_true(mr.virtual_address != 0);
	}
	/* The quota: 8 MiB in all. */
	assert_int_equal(mem_create_flags(&g, t.proc, t.dev, 8u << 20,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &h2),
			 STATUS_QUOTA_EXCEEDED);
	assert_int_equal(mem_create_flags(&g, t.proc, t.dev, (8u << 20) - 5 * PG,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &h2), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_device_memory_used, 8u << 20);
	assert_int_equal(mem_create_flags(&g, t.proc, t.dev, PG,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &h2),
			 STATUS_QUOTA_EXCEEDED);
	/* Unknown descriptor flags. */
	assert_int_equal(mem_create_flags(&g, t.proc, t.dev, PG, 2, &h2),
			 STATUS_INVALID_PARAMETER);
	/* The process leaving gives it all back. */
	assert_int_equal(gsim_destroy_process(&g, t.proc), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_device_memory_used, 0);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);

	/* --device-memory 0: none offered, none reported. */
	daemon_start_full(&d, no_dev, false);
	guest_up(&g, &d, 1);
	make_tree(&g, &t);
	assert_int_equal(mem_create_flags(&g, t.proc, t.dev, PG,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &h),
			 STATUS_NOT_SUPPORTED);
	{
		struct d3dkmt_segmentsizeinfo si;

		assert_int_equal(gsim_query_adapter_info(&g, t.proc, 0,
							 KMTQAITYPE_GETSEGMENTSIZE,
							 &si, sizeof(si)),
				 STATUS_SUCCESS);
		assert_int_equal(si.dedicated_video_memory_size, 0);
		assert_int_equal(si.shared_system_memory_size, g.ctl->io_space_size);
	}
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
}

static void test_update_gpuva(void **state)
{
	struct d3dddi_updategpuvirtualaddress_operation ops[3];
	struct daemon d;
	struct gsim g;
	struct tree t;
	uint32_t adapter, h[2] = { 0 }, p2, dev2, h2 = 0;
	uint64_t va;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	make_tree(&g, &t);
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	assert_int_equal(gsim_create_process(&g, &p2), STATUS_SUCCESS);
	assert_int_equal(gsim_create_device(&g, p2, 0, &dev2), STATUS_SUCCESS);
	assert_int_equal(mem_create(&g, t.proc, t.dev, 4 * PG, 2, 0, 0, h, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(mem_create(&g, p2, dev2, PG, 1, 0, 0, &h2, NULL),
			 STATUS_SUCCESS);
	{
		struct dxgkvmb_command_reservegpuva rv = {
			.args = { .adapter = adapter, .size = 16 * PG },
		};
		struct dxgkvmb_command_reservegpuva_ret rvr = { 0 };

		assert_int_equal(mem_call(&g, t.proc,
					  DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS,
					  &rv, sizeof(rv), &rvr, sizeof(rvr)),
				 sizeof(rvr));
		va = rvr.virtual_address;
		assert_true(va != 0);
	}

	/* Two maps and an unmap of a hole in one batch, with the context. */
	ops[0] = upd_map(va, 4 * PG, h[0], 0);
	ops[1] = upd_map(va + 4 * PG, 2 * PG, h[1], 2 * PG);
	ops[2] = upd_unmap(va + 8 * PG, PG);
	assert_int_equal(mem_update(&g, t.proc, t.dev, t.ctx, 0, ops, 3, 3),
			 STATUS_SUCCESS);
	/* Mapped now: mapping there again fails ... */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	/* ... all or nothing: a good map before the bad one is not applied. */
	ops[0] = upd_map(va + 10 * PG, PG, h[0], 0);
	ops[1] = upd_map(va + 4 * PG, PG, h[1], 0);	/* already mapped */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_SUCCESS);	/* va + 10 pages was still free */
	/* Unmap then map again in one batch. */
	ops[0] = upd_unmap(va, 4 * PG);
	ops[1] = upd_map(va, 4 * PG, h[1], 0);
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
			 STATUS_SUCCESS);

	/* Bad input. */
	ops[0] = upd_map(va + 12 * PG, PG, 0x12345, 0);		/* bad handle */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_HANDLE);
	ops[0] = upd_map(va + 12 * PG, PG, h2, 0);		/* foreign */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_HANDLE);
	ops[0] = upd_map(va + 12 * PG, 2 * PG, h[0], 3 * PG);	/* past the end */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_map(va + 12 * PG, PG + 1, h[0], 0);	/* not pages */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_map(va + 12 * PG, PG, h[0], 0);
	ops[0].map.allocation_size = 2 * PG;			/* repeat: no */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_map(va + 16 * PG, PG, h[0], 0);		/* not reserved */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_unmap(va + 16 * PG, PG);			/* not reserved */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_unmap(va, 0);
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	memset(&ops[0], 0, sizeof(ops[0]));
	ops[0].operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_COPY;	/* size 0 */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0].operation = 77;
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_unmap(va, PG);
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 0, 0),
			 STATUS_INVALID_PARAMETER);		/* no operations */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 2),
			 STATUS_INVALID_PARAMETER);		/* short message */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1,
				    DXG_MAX_UPDATEGPUVA_OPS + 1),
			 STATUS_INVALID_PARAMETER);		/* too many */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 7, ops, 1, 1),
			 STATUS_INVALID_HANDLE);		/* fence object */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0x999, 0, ops, 1, 1),
			 STATUS_INVALID_HANDLE);		/* bad context */
	assert_int_equal(mem_update(&g, p2, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_HANDLE);		/* foreign device */
	/*
	 * COPY: va + 12..13 map what va + 0..1 map (h[1]).  A source with a
	 * hole (va + 8 was unmapped above) or outside a reservation fails.
	 */
	ops[0] = upd_copy(va, 2 * PG, va + 12 * PG);
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_SUCCESS);
	ops[0] = upd_map(va + 12 * PG, PG, h[0], 0);		/* mapped now */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_copy(va + 7 * PG, 2 * PG, va + 14 * PG);	/* hole */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_copy(va, 2 * PG, va + 15 * PG);		/* past the end */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_copy(va, PG + 8, va + 14 * PG);		/* not pages */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);
	/* All or nothing: an UNMAP then a failing COPY leaves va + 12 mapped. */
	ops[0] = upd_unmap(va + 12 * PG, 2 * PG);
	ops[1] = upd_copy(va + 8 * PG, PG, va + 14 * PG);	/* unmapped */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
			 STATUS_INVALID_PARAMETER);
	ops[0] = upd_map(va + 13 * PG, PG, h[0], 0);
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
			 STATUS_INVALID_PARAMETER);

	/* MAP_PROTECT: read-only, then the zero and no-access states. */
	ops[0] = upd_protect(va + 14 * PG, PG, h[0], PG, 0);
	ops[1] = upd_protect(va + 15 * PG, PG, 0, 0, D3DDDIGPUVA_PROTECTION_ZERO);
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
			 STATUS_SUCCESS);
	ops[0] = upd_unmap(va + 14 * PG, 2 * PG);
	ops[1] = upd_protect(va + 14 * PG, 2 * PG, 0, 0,
			     D3DDDIGPUVA_PROTECTION_NO_ACCESS);
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
			 STATUS_SUCCESS);
	{
		static const uint64_t bad[] = {
			D3DDDIGPUVA_PROTECTION_SYSTEM_USE_ONLY, 1ull << 5,
			1ull << 63, D3DDDIGPUVA_PROTECTION_ZERO |
			D3DDDIGPUVA_PROTECTION_NO_ACCESS,
		};
		unsigned int i;

		ops[0] = upd_unmap(va + 14 * PG, 2 * PG);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			ops[1] = upd_protect(va + 14 * PG, PG, 0, 0, bad[i]);
			assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops,
						    2, 2), STATUS_INVALID_PARAMETER);
		}
		/* A state with an allocation, memory without one. */
		ops[1] = upd_protect(va + 14 * PG, PG, h[0], 0,
				     D3DDDIGPUVA_PROTECTION_ZERO);
		assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
				 STATUS_INVALID_PARAMETER);
		ops[1] = upd_protect(va + 14 * PG, PG, 0, 0,
				     D3DDDIGPUVA_PROTECTION_WRITE);
		assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
				 STATUS_INVALID_HANDLE);
		ops[1] = upd_protect(va + 14 * PG, PG, h[0], 0,
				     D3DDDIGPUVA_PROTECTION_WRITE);
		ops[1].map_protect.driver_protection = 1;
		assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
				 STATUS_INVALID_PARAMETER);
		ops[1].map_protect.driver_protection = 0;
		assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
				 STATUS_SUCCESS);
		/* UNMAP's protection: ZERO or invalid (0 / NO_ACCESS). */
		ops[0] = upd_unmap(va + 14 * PG, PG);
		ops[0].unmap.protection.value = D3DDDIGPUVA_PROTECTION_WRITE;
		assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
				 STATUS_INVALID_PARAMETER);
		ops[0].unmap.protection.value = D3DDDIGPUVA_PROTECTION_ZERO;
		assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 1, 1),
				 STATUS_SUCCESS);
	}

	/*
	 * The fence: a monitored fence of the device, signalled to
	 * fence_value + 1.  Without a context it must have reached fence_value
	 * unless DO_NOT_WAIT; with one the signal follows a GPU wait on it.
	 */
	{
		uint32_t fence = 0, note = 0, pfence = 0;
		uint64_t storage;

		assert_int_equal(sync_create(&g, t.proc, t.dev, D3DDDI_MONITORED_FENCE,
					     0, &fence, &storage), STATUS_SUCCESS);
		assert_int_equal(sync_create(&g, t.proc, t.dev, D3DDDI_CPU_NOTIFICATION,
					     5, &note, NULL), STATUS_SUCCESS);
		assert_int_equal(sync_create(&g, p2, dev2, D3DDDI_MONITORED_FENCE,
					     0, &pfence, NULL), STATUS_SUCCESS);
		ops[0] = upd_unmap(va + 14 * PG, PG);
		assert_int_equal(mem_update_fenced(&g, t.proc, t.dev, 0, fence, 0, 0,
						   ops, 1, 1), STATUS_SUCCESS);
		assert_int_equal(fence_page(&g, storage), 1);
		assert_int_equal(mem_update_fenced(&g, t.proc, t.dev, 0, fence, 9, 0,
						   ops, 1, 1), STATUS_INVALID_PARAMETER);
		assert_int_equal(fence_page(&g, storage), 1);
		assert_int_equal(mem_update_fenced(&g, t.proc, t.dev, 0, fence, 9,
				 D3DKMT_UPDATEGPUVIRTUALADDRESS_FLAG_DO_NOT_WAIT,
				 ops, 1, 1), STATUS_SUCCESS);
		assert_int_equal(fence_page(&g, storage), 10);
		/* On the context: after the wait for 10, 11. */
		assert_int_equal(mem_update_fenced(&g, t.proc, t.dev, t.ctx, fence,
						   10, 0, ops, 1, 1), STATUS_SUCCESS);
		assert_int_equal(fence_page(&g, storage), 11);
		/* Bad fences; a failed update signals nothing. */
		assert_int_equal(mem_update_fenced(&g, t.proc, t.dev, 0, note, 0, 0,
						   ops, 1, 1), STATUS_INVALID_PARAMETER);
		assert_int_equal(mem_update_fenced(&g, t.proc, t.dev, 0, pfence, 0, 0,
						   ops, 1, 1), STATUS_INVALID_HANDLE);
		assert_int_equal(mem_update_fenced(&g, t.proc, t.dev, 0, fence,
				 UINT64_MAX, D3DKMT_UPDATEGPUVIRTUALADDRESS_FLAG_DO_NOT_WAIT,
				 ops, 1, 1), STATUS_INVALID_PARAMETER);
		ops[0] = upd_unmap(va + 16 * PG, PG);		/* not reserved */
		assert_int_equal(mem_update_fenced(&g, t.proc, t.dev, 0, fence, 11, 0,
						   ops, 1, 1), STATUS_INVALID_PARAMETER);
		assert_int_equal(fence_page(&g, storage), 11);
		assert_int_equal(mem_update_fenced(&g, t.proc, t.dev, 0, fence, 1,
						   1u << 1, ops, 1, 1),
				 STATUS_INVALID_PARAMETER);	/* unknown flag */
	}

	/* Destroying an allocation drops what UPDATE mapped (or copied) of it. */
	assert_int_equal(mem_destroy(&g, t.proc, t.dev, 0, &h[1], 1), STATUS_SUCCESS);
	ops[0] = upd_map(va, 4 * PG, h[0], 0);
	ops[1] = upd_map(va + 12 * PG, 2 * PG, h[0], 0);	/* the copies */
	assert_int_equal(mem_update(&g, t.proc, t.dev, 0, 0, ops, 2, 2),
			 STATUS_SUCCESS);

	/*
	 * Segment sizes: the IO space is shared system memory, the VM's
	 * device-memory quota (1 GiB by default) the Vulkan adapter's
	 * dedicated video memory.
	 */
	{
		struct d3dkmt_segmentsizeinfo si;
		struct d3dkmt_segmentgroupsizeinfo gi;

		memset(&si, 0xff, sizeof(si));
		assert_int_equal(gsim_query_adapter_info(&g, t.proc, 0,
							 KMTQAITYPE_GETSEGMENTSIZE,
							 &si, sizeof(si)),
				 STATUS_SUCCESS);
		assert_int_equal(g.ctl->device_memory_quota, 1ull << 30);
		assert_int_equal(si.dedicated_video_memory_size, 1ull << 30);
		assert_int_equal(si.dedicated_system_memory_size, 0);
		assert_int_equal(si.shared_system_memory_size, g.ctl->io_space_size);
		assert_int_equal(gsim_query_adapter_info(&g, t.proc, 0,
							 KMTQAITYPE_GETSEGMENTSIZE,
							 &si, sizeof(si) - 8),
				 STATUS_BUFFER_TOO_SMALL);
		memset(&gi, 0, sizeof(gi));
		assert_int_equal(gsim_query_adapter_info(&g, t.proc, 0,
							 KMTQAITYPE_GETSEGMENTGROUPSIZE,
							 &gi, sizeof(gi)),
				 STATUS_SUCCESS);
		assert_int_equal(gi.legacy_info.shared_system_memory_size,
				 g.ctl->io_space_size);
		assert_int_equal(gi.local_memory, 1ull << 30);
		assert_int_equal(gi.non_local_memory, g.ctl->io_space_size);
		gi.physical_adapter_index = 1;
		assert_int_equal(gsim_query_adapter_info(&g, t.proc, 0,
							 KMTQAITYPE_GETSEGMENTGROUPSIZE,
							 &gi, sizeof(gi)),
				 STATUS_INVALID_PARAMETER);
	}

	assert_int_equal(gsim_destroy_process(&g, t.proc), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_process(&g, p2), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_io_space_used, 0);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* Many requests in flight; the host polls, batches, and parks when idle. */
static void test_pipelined_and_parking(void **state)
{
	struct daemon d;
	struct gsim g;
	uint8_t m[16 + sizeof(struct dxgkvmb_command_createprocess)] = { 0 };
	uint32_t r[4];
	struct dxg_pkt_desc desc;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	gsim_hdr(m, (struct winluid){ 0, 0 }, DXGKVMB_VM_TO_HOST,
		 DXGK_VMBCOMMAND_CREATEPROCESS, 0);
	for (uint64_t id = 1; id <= 300; id++)
		assert_int_equal(gsim_send(&g, 6, 1, id, m, sizeof(m)), 0);
	for (uint64_t id = 1; id <= 300; id++) {
		assert_int_equal(gsim_recv(&g, &desc, r, sizeof(r), GSIM_TIMEOUT_MS), 8);
		assert_int_equal(desc.trans_id, id);
		assert_int_not_equal(r[0], 0);
	}
	assert_int_equal(g.ctl->stat_processes, 300);
	/* Far fewer doorbells than requests: the host was polling. */
	assert_true(g.kicks >= 1 && g.kicks <= 300);
	/* Idle: the host parks (mask 0) so the next request rings it. */
	assert_int_equal(wait_u32(&g.g2h.hdr->interrupt_mask, 0), 0);
	g.kicks = 0;
	usleep(2000);
	assert_int_equal(gsim_create_process(&g, &r[0]), STATUS_SUCCESS);
	assert_int_equal(g.kicks, 1);
	/* Parked really means asleep: a packet without a doorbell waits... */
	assert_int_equal(wait_u32(&g.g2h.hdr->interrupt_mask, 0), 0);
	assert_int_equal(dxg_ring_write2(&g.g2h, 6, 1, 999, m, sizeof(m), NULL, 0), 0);
	assert_int_equal(gsim_recv(&g, &desc, r, sizeof(r), 50), -ETIMEDOUT);
	/* ...until the doorbell rings. */
	gsim_ring_host(&g, DXG_IVSHMEM_VEC_RING);
	assert_int_equal(gsim_recv(&g, &desc, r, sizeof(r), GSIM_TIMEOUT_MS), 8);
	assert_int_equal(desc.trans_id, 999);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* The guest does not drain its ring for a while: replies wait, none is lost. */
static void test_full_reply_ring(void **state)
{
	struct daemon d;
	struct gsim g;
	const uint32_t pds = 60000, n = 8;
	uint32_t len = 16 + sizeof(struct dxgkvmb_command_queryadapterinfo) + pds;
	uint8_t *m = calloc(1, len), *r = calloc(1, DXG_ALIGN8(4 + pds));
	struct dxg_pkt_desc desc;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	gsim_hdr(m, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_QUERYADAPTERINFO, 0);
	memcpy(m + 40, &(uint32_t[2]){ KMTQAITYPE_ADAPTERTYPE, pds }, 8);
	/* 8 x 60 KB of replies do not fit a 256 KiB ring. */
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(gsim_send(&g, 6, 1, 100 + i, m, len), 0);
	usleep(100000);
	assert_true(daemon_alive(&d));
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(gsim_recv(&g, &desc, r, DXG_ALIGN8(4 + pds),
					   GSIM_TIMEOUT_MS),
				 (int)DXG_ALIGN8(4 + pds));
		assert_int_equal(desc.trans_id, 100 + i);
		assert_int_equal(*(int32_t *)r, STATUS_SUCCESS);
	}
	free(m);
	free(r);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* ---- D3DKMTEscape: pipelines of the open command stream ---- */

struct esc {
	uint32_t process, adapter, device, context;
	uint32_t type;
	uint32_t size;		/* the command's priv_drv_data_size */
	uint32_t len;		/* private data bytes actually sent */
};

/*
 * One ESCAPE on adapter `ad`; `data` (e->len bytes) is the private data and
 * receives the reply's.  Returns the reply's NTSTATUS.
 */
static int32_t escape(struct gsim *g, unsigned int ad, const struct esc *e,
		      void *data)
{
	uint32_t len = 16 + DXGKVMB_ESCAPE_FIXED + e->len;
	uint32_t full = (uint32_t)sizeof(struct dxgkvmb_command_escape_ret) + e->len;
	uint8_t *m = calloc(1, len), *r = calloc(1, DXG_ALIGN8(full) + 8);
	struct dxgkvmb_command_escape c;
	int32_t st;
	int n;

	assert_non_null(m);
	assert_non_null(r);
	gsim_hdr(m, gsim_vgpu(g, ad), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_ESCAPE, e->process);
	memcpy(&c, m + 16, sizeof(c));
	c.adapter = e->adapter;
	c.device = e->device;
	c.context = e->context;
	c.type = e->type;
	c.priv_drv_data_size = e->size;
	memcpy(m + 16, &c, sizeof(c));
	memcpy(m + 16 + DXGKVMB_ESCAPE_FIXED, data, e->len);
	n = gsim_call(g, m, len, r, DXG_ALIGN8(full) + 8);
	st = gsim_reply_status(r, n, full, 0);
	if (st >= 0)
		memcpy(data, r + 4, e->len);
	free(m);
	free(r);
	return st;
}

/* A CREATE_PIPELINE payload for saxpy; *size is its length (caller frees). */
static uint8_t *saxpy_create(uint32_t *size)
{
	struct dxg_escape_create_pipeline k = {
		.op = DXG_ESCAPE_CREATE_PIPELINE, .entry = "main",
		.num_bindings = 2, .push_size = 8,
		.spirv_size = (uint32_t)sizeof(saxpy_spv),
	};
	uint8_t *p = malloc(sizeof(k) + sizeof(saxpy_spv));

	assert_non_null(p);
	memcpy(p, &k, sizeof(k));
	memcpy(p + sizeof(k), saxpy_spv, sizeof(saxpy_spv));
	*size = (uint32_t)(sizeof(k) + sizeof(saxpy_spv));
	return p;
}

static void test_escape_pipelines(void **state)
{
	struct daemon d;
	struct gsim g;
	const char *const args[] = { "--adapter", "vulkan", "--adapter", "cpu", NULL };
	uint32_t proc, proc2, adapter, adapter1, dev, dev2, cdev, ctx, ctx2, size;
	uint8_t m[16 + sizeof(struct dxgkvmb_command_getinternaladapterinfo)] = { 0 };
	struct dxgkvmb_command_getinternaladapterinfo_ret info;
	struct dxg_escape_destroy_pipeline dk = { DXG_ESCAPE_DESTROY_PIPELINE, 0, 0 };
	uint8_t *cp = saxpy_create(&size), *cp2 = saxpy_create(&size);
	uint64_t id, id2;
	uint32_t op = 77;
	struct esc e;

	(void)state;
	daemon_start_args(&d, args);
	guest_up(&g, &d, 1);
	assert_int_equal(gsim_create_process(&g, &proc), STATUS_SUCCESS);
	assert_int_equal(gsim_create_process(&g, &proc2), STATUS_SUCCESS);
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	assert_int_equal(gsim_open_adapter(&g, 1, &adapter1), STATUS_SUCCESS);
	assert_int_equal(gsim_create_device(&g, proc, 0, &dev), STATUS_SUCCESS);
	assert_int_equal(gsim_create_device(&g, proc, 0, &dev2), STATUS_SUCCESS);
	assert_int_equal(gsim_create_device(&g, proc, 1, &cdev), STATUS_SUCCESS);
	assert_int_equal(gsim_create_context(&g, proc, 0, dev, 0, 0, &ctx), STATUS_SUCCESS);
	assert_int_equal(gsim_create_context(&g, proc, 0, dev2, 0, 0, &ctx2),
			 STATUS_SUCCESS);
	/* The cpu adapter keeps its description. */
	gsim_hdr(m, gsim_vgpu(&g, 1), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO, 0);
	assert_int_equal(gsim_call(&g, m, sizeof(m), &info, sizeof(info)),
			 sizeof(info));
	assert_utf16_prefix(info.device_description, "opendxg CPU engine");

	/* Create (with a context named too), then destroy: a round trip. */
	e = (struct esc){ proc, adapter, dev, ctx, D3DKMT_ESCAPE_DRIVERPRIVATE,
			  size, size };
	assert_int_equal(escape(&g, 0, &e, cp), STATUS_SUCCESS);
	memcpy(&id, cp + offsetof(struct dxg_escape_create_pipeline, pipeline), 8);
	assert_int_not_equal(id, 0);
	/* The rest of the private data comes back as it went. */
	assert_memory_equal(cp + sizeof(struct dxg_escape_create_pipeline), saxpy_spv,
			    sizeof(saxpy_spv));
	e.context = 0;
	assert_int_equal(escape(&g, 0, &e, cp2), STATUS_SUCCESS);
	memcpy(&id2, cp2 + offsetof(struct dxg_escape_create_pipeline, pipeline), 8);
	assert_int_not_equal(id2, id);
	dk.pipeline = id;
	e.size = e.len = sizeof(dk);
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_SUCCESS);
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_PARAMETER);
	/* Pipelines are per device. */
	dk.pipeline = id2;
	e.device = dev2;
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_PARAMETER);
	e.device = dev;
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_SUCCESS);

	/* Malformed escapes. */
	dk.pipeline = 1;
	e.type = D3DKMT_ESCAPE_VIDMM;
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_NOT_SUPPORTED);
	e.type = D3DKMT_ESCAPE_DRIVERPRIVATE;
	e.size = 0;
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_PARAMETER);
	e.size = sizeof(dk) + 1;	/* more than the message holds */
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_PARAMETER);
	e.size = 0x7fffffff;
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_PARAMETER);
	e.size = sizeof(dk);
	e.adapter = adapter1;		/* another adapter's handle */
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_HANDLE);
	e.adapter = adapter;
	e.device = 0;
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_HANDLE);
	e.device = cdev;		/* a device of the other adapter */
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_HANDLE);
	e.device = dev;
	e.context = ctx2;		/* a context of another device */
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_HANDLE);
	e.context = 0;
	e.process = proc2;		/* the device is not this process's */
	assert_int_equal(escape(&g, 0, &e, &dk), STATUS_INVALID_HANDLE);
	e.process = proc;
	e.size = e.len = sizeof(op);
	assert_int_equal(escape(&g, 0, &e, &op), STATUS_NOT_SUPPORTED);
	e.size = e.len = size - 4;	/* truncated SPIR-V */
	assert_int_equal(escape(&g, 0, &e, cp), STATUS_INVALID_PARAMETER);
	/* No compute on the cpu adapter. */
	e = (struct esc){ proc, adapter1, cdev, 0, D3DKMT_ESCAPE_DRIVERPRIVATE,
			  size, size };
	assert_int_equal(escape(&g, 1, &e, cp), STATUS_NOT_SUPPORTED);

	/* None of that hurt the device. */
	e = (struct esc){ proc, adapter, dev, 0, D3DKMT_ESCAPE_DRIVERPRIVATE,
			  size, size };
	assert_int_equal(escape(&g, 0, &e, cp), STATUS_SUCCESS);
	/* A device destroyed with live pipelines, then the process. */
	assert_int_equal(gsim_destroy_device(&g, proc, 0, dev), STATUS_SUCCESS);
	assert_int_equal(escape(&g, 0, &e, cp), STATUS_INVALID_HANDLE);
	e.device = dev2;
	assert_int_equal(escape(&g, 0, &e, cp), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_process(&g, proc), STATUS_SUCCESS);
	gsim_close(&g);
	free(cp);
	free(cp2);
	assert_true(daemon_alive(&d));
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* ---- sync objects, CPU waits, async messages (docs/sync.md) ---- */

/* An asynchronous WAITFORSYNCOBJECTFROMGPU of one fence on a context. */
static int sync_wait_gpu(struct gsim *g, uint32_t proc, uint32_t ctx,
			 uint32_t h, uint64_t v)
{
	uint8_t m[EXT + DXGKVMB_WAITFROMGPU_FIXED + 12];
	struct dxgkvmb_command_waitforsyncobjectfromgpu c;

	memset(&c, 0, sizeof(c));
	c.context = ctx;
	c.object_count = 1;
	memcpy(m + EXT, &c, sizeof(c));
	memcpy(m + EXT + DXGKVMB_WAITFROMGPU_FIXED, &v, 8);
	memcpy(m + EXT + DXGKVMB_WAITFROMGPU_FIXED + 8, &h, 4);
	gsim_hdr(m, gsim_vgpu(g, 0), DXGKVMB_VGPU_TO_HOST | DXGKVMB_ASYNC_MSG,
		 DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMGPU, proc);
	return gsim_send(g, DXG_PKT_DATA_INBAND, 0, 0, m, sizeof(m));
}

/* A reply of `want` bytes, as the ring delivers it (padded to 8 with zeros). */
static void assert_reply_len(int n, const uint8_t *r, uint32_t want)
{
	assert_true(n == (int)want || n == (int)DXG_ALIGN8(want));
	for (int i = (int)want; i < n; i++)
		assert_int_equal(r[i], 0);
}

/*
 * dxghost --windows (docs/protocol.md §5.4) as a guest sees it: no
 * ODX_REPLIES bit, the configured interface version, CREATEPROCESS and
 * CREATEDEVICE answering the 4-byte handle, ESCAPE the private data alone.
 */
static void test_windows_mode(void **state)
{
	struct daemon d;
	struct gsim g;
	const char *const args[] = { "--windows", "--interface-version", "46",
				     "--adapter", "vulkan", NULL };
	uint8_t m[16 + sizeof(struct dxgkvmb_command_createdevice)] = { 0 };
	uint8_t r[64];
	uint32_t proc, adapter, dev, size, esz = 16 + DXGKVMB_ESCAPE_FIXED;
	uint8_t *cp = saxpy_create(&size), *msg, *reply;
	struct dxgkvmb_command_openadapter_ret oa;
	struct dxgkvmb_command_createprocess cpc;
	struct dxgkvmb_command_escape c;
	uint64_t id;
	int n;

	(void)state;
	daemon_start_args(&d, args);
	guest_up(&g, &d, 1);
	assert_false(g.ctl->host_caps & DXG_HOST_CAP_ODX_REPLIES);
	assert_true(g.ctl->host_caps & DXG_HOST_CAP_ASYNC_MSG);
	assert_int_equal(g.ctl->host_interface_version, 46);

	/* CREATEPROCESS: the handle alone. */
	msg = calloc(1, 16 + sizeof(cpc));
	assert_non_null(msg);
	gsim_hdr(msg, (struct winluid){ 0, 0 }, DXGKVMB_VM_TO_HOST,
		 DXGK_VMBCOMMAND_CREATEPROCESS, 0);
	memcpy(&cpc, msg + 16, sizeof(cpc));
	cpc.process = 0x1234;
	cpc.flags = DXG_CREATEPROCESS_LINUX;
	memcpy(msg + 16, &cpc, sizeof(cpc));
	memset(r, 0xcc, sizeof(r));
	n = gsim_call(&g, msg, 16 + sizeof(cpc), r, sizeof(r));
	assert_reply_len(n, r, 4);
	memcpy(&proc, r, 4);
	assert_int_not_equal(proc, 0);
	free(msg);

	/* OPENADAPTER reports the configured version. */
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	assert_int_equal(gsim_close_adapter(&g, 0, adapter), STATUS_SUCCESS);
	gsim_hdr(m, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_OPENADAPTER, 0);
	n = gsim_call(&g, m, 16 + sizeof(struct dxgkvmb_command_openadapter),
		      &oa, sizeof(oa));
	assert_int_equal(n, sizeof(oa));
	assert_int_not_equal(oa.host_adapter_handle, 0);
	assert_int_equal(oa.vmbus_interface_version, 46);
	adapter = oa.host_adapter_handle;

	/* CREATEDEVICE: the handle alone; failure is handle 0. */
	gsim_hdr(m, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_CREATEDEVICE, proc);
	memset(r, 0xcc, sizeof(r));
	n = gsim_call(&g, m, sizeof(m), r, sizeof(r));
	assert_reply_len(n, r, 4);
	memcpy(&dev, r, 4);
	assert_int_not_equal(dev, 0);
	gsim_hdr(m, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_CREATEDEVICE, proc + 64);
	memset(r, 0xcc, sizeof(r));
	n = gsim_call(&g, m, sizeof(m), r, sizeof(r));
	assert_reply_len(n, r, 4);
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);

	/* ESCAPE CREATE_PIPELINE: the updated private data alone. */
	msg = calloc(1, esz + size);
	reply = calloc(1, DXG_ALIGN8(size) + 16);
	assert_non_null(msg);
	assert_non_null(reply);
	gsim_hdr(msg, gsim_vgpu(&g, 0), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_ESCAPE, proc);
	memcpy(&c, msg + 16, sizeof(c));
	c.adapter = adapter;
	c.device = dev;
	c.type = D3DKMT_ESCAPE_DRIVERPRIVATE;
	c.priv_drv_data_size = size;
	memcpy(msg + 16, &c, sizeof(c));
	memcpy(msg + esz, cp, size);
	n = gsim_call(&g, msg, esz + size, reply, DXG_ALIGN8(size) + 16);
	assert_reply_len(n, reply, size);
	memcpy(&id, reply + offsetof(struct dxg_escape_create_pipeline, pipeline), 8);
	assert_int_not_equal(id, 0);
	assert_memory_equal(reply + sizeof(struct dxg_escape_create_pipeline),
			    saxpy_spv, sizeof(saxpy_spv));
	/* A failing one (truncated SPIR-V): the private data unchanged. */
	c.priv_drv_data_size = size - 4;
	memcpy(msg + 16, &c, sizeof(c));
	n = gsim_call(&g, msg, esz + size - 4, reply, DXG_ALIGN8(size) + 16);
	assert_reply_len(n, reply, size - 4);
	assert_memory_equal(reply, cp, size - 4);
	free(msg);
	free(reply);
	free(cp);

	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_sync(void **state)
{
	struct daemon d;
	struct gsim g;
	struct tree t, t2;
	uint32_t f1 = 0, f2 = 0, n1 = 0, adapter = 0, h = 0, i;
	uint64_t s1, s2;
	int32_t st;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	make_tree(&g, &t);
	make_tree(&g, &t2);

	/* Fences: a page in the IO space holding the value. */
	assert_int_equal(sync_create(&g, t.proc, t.dev, D3DDDI_MONITORED_FENCE, 5,
				     &f1, &s1), STATUS_SUCCESS);
	assert_int_equal(sync_create(&g, t.proc, t.dev, D3DDDI_MONITORED_FENCE, 0,
				     &f2, &s2), STATUS_SUCCESS);
	assert_true(s1 >= g.ctl->io_space_offset && s1 % PG == 0 && s1 != s2);
	assert_int_equal(fence_page(&g, s1), 5);
	assert_int_equal(sync_create(&g, t.proc, t.dev, D3DDDI_SEMAPHORE, 0, &h,
				     NULL), STATUS_NOT_SUPPORTED);
	assert_int_equal(sync_create(&g, t.proc, t.dev, 99, 0, &h, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(sync_create(&g, t.proc, t2.dev, D3DDDI_MONITORED_FENCE,
				     0, &h, NULL), STATUS_INVALID_HANDLE);
	assert_int_equal(sync_create(&g, t.proc, t.dev, D3DDDI_CPU_NOTIFICATION,
				     555, &n1, NULL), STATUS_SUCCESS);

	/* CPU waits: at once when reached, else when signalled (async). */
	assert_int_equal(sync_wait_cpu(&g, t.proc, t.dev, f1, 5, 100), 0);
	assert_int_equal(next_event(&g, GSIM_TIMEOUT_MS), 100);
	assert_int_equal(sync_wait_cpu(&g, t.proc, t.dev, f1, 7, 101), 0);
	assert_int_equal(next_event(&g, 100), 0);
	assert_int_equal(sync_signal(&g, t.proc, t.dev, 0, f1, 7, true), 0);
	assert_int_equal(next_event(&g, GSIM_TIMEOUT_MS), 101);
	assert_int_equal(fence_page(&g, s1), 7);
	assert_int_equal(sync_signal(&g, t.proc, t.dev, 0, f1, 3, false), 0);
	assert_int_equal(fence_page(&g, s1), 7);	/* monotonic */

	/* A GPU wait blocks the context; a CPU signal releases it. */
	assert_int_equal(sync_wait_gpu(&g, t.proc, t.ctx, f1, 9), 0);
	assert_int_equal(sync_signal(&g, t.proc, t.dev, t.ctx, f2, 1, true), 0);
	assert_int_equal(sync_signal(&g, t.proc, t.dev, t.ctx, n1, 0, true), 0);
	assert_int_equal(sync_wait_cpu(&g, t.proc, t.dev, f2, 1, 102), 0);
	assert_int_equal(next_event(&g, 100), 0);
	assert_int_equal(fence_page(&g, s2), 0);
	assert_int_equal(sync_signal(&g, t.proc, t.dev, 0, f1, 9, false), 0);
	assert_int_equal(fence_page(&g, s2), 1);
	/* The notification, then the waiter (both from the context's queue). */
	assert_int_equal(next_event(&g, GSIM_TIMEOUT_MS), 555);
	assert_int_equal(next_event(&g, GSIM_TIMEOUT_MS), 102);

	/* Another process's fence, a fence of another device: refused. */
	assert_int_equal(sync_wait_cpu(&g, t2.proc, t2.dev, f1, 1, 103),
			 STATUS_INVALID_HANDLE);
	assert_int_equal(sync_signal(&g, t.proc, t.dev, t.ctx, 0xdead, 1, false),
			 STATUS_INVALID_HANDLE);
	assert_int_equal(sync_wait_cpu(&g, t.proc, t.dev, n1, 1, 104),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(sync_wait_cpu(&g, t.proc, t.dev, f1, 1, 0),
			 STATUS_INVALID_PARAMETER);

	/* A malformed async message: the device errs, nothing else does. */
	assert_int_equal(exec_state(&g, t.proc, t.dev), D3DKMT_DEVICEEXECUTION_ACTIVE);
	assert_int_equal(sync_signal(&g, t.proc, t.dev, t.ctx, 0xdead, 1, true), 0);
	assert_int_not_equal(exec_state(&g, t.proc, t.dev),
			     D3DKMT_DEVICEEXECUTION_ACTIVE);
	assert_int_equal(exec_state(&g, t2.proc, t2.dev),
			 D3DKMT_DEVICEEXECUTION_ACTIVE);

	/* The per-process waiter quota. */
	for (i = 0; i < 1024; i++)
		assert_int_equal(sync_wait_cpu(&g, t.proc, t.dev, f2, 1000, 1000 + i),
				 STATUS_SUCCESS);
	st = sync_wait_cpu(&g, t.proc, t.dev, f2, 1000, 5000);
	assert_int_equal(st, STATUS_QUOTA_EXCEEDED);
	assert_int_equal(sync_wait_cpu(&g, t2.proc, t2.dev, 0, 1, 6000),
			 STATUS_INVALID_HANDLE);

	/* Queued work and waiters go with the process; no event follows. */
	assert_int_equal(sync_wait_gpu(&g, t.proc, t.ctx, f2, 1000), 0);
	assert_int_equal(gsim_destroy_process(&g, t.proc), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_process(&g, t2.proc), STATUS_SUCCESS);
	assert_int_equal(next_event(&g, 100), 0);
	assert_int_equal(wait_u32(&g.ctl->stat_processes, 0), 0);
	assert_int_equal(g.ctl->stat_io_space_used, 0);
	assert_int_equal(gsim_close_adapter(&g, 0, adapter), STATUS_SUCCESS);
	assert_int_equal(wait_u32(&g.ctl->stat_objects, 0), 0);
	assert_true(daemon_alive(&d));
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
}

/* ---- execution off the event loop (docs/execution.md §4) ---- */

/* A fill target big enough that one buffer of fills takes a while. */
#define BIG		(16u << 20)
#define LONG_FILLS	192u	/* 3 GiB written: seconds under ASan */

static uint64_t fence_now(struct gsim *g, uint64_t storage)
{
	return __atomic_load_n((uint64_t *)((uint8_t *)g->shm + storage),
			       __ATOMIC_ACQUIRE);
}

/* Waits up to timeout_ms for the fence at `storage` to reach v. */
static int wait_fence(struct gsim *g, uint64_t storage, uint64_t v, int timeout_ms)
{
	int64_t end = ms_now() + timeout_ms;

	while (fence_now(g, storage) < v) {
		if (ms_now() > end)
			return -ETIMEDOUT;
		usleep(500);
	}
	return 0;
}

/* A process with a device, a context, a fence and a mapped command page. */
struct job_env {
	struct tree t;
	uint32_t fence;
	uint64_t storage;
	struct mapped cmd;
};

static void job_env_make(struct gsim *g, uint32_t adapter, struct job_env *e)
{
	make_tree(g, &e->t);
	assert_int_equal(sync_create(g, e->t.proc, e->t.dev, D3DDDI_MONITORED_FENCE,
				     0, &e->fence, &e->storage), STATUS_SUCCESS);
	map_new(g, adapter, &e->t, 2 * PG, &e->cmd);
}

/* Starts the long buffer (fills of `big`) and the fence signal after it. */
static void start_long(struct gsim *g, struct job_env *e, const struct mapped *big,
		       uint64_t value)
{
	uint32_t len = write_fills(e->cmd.cpu, LONG_FILLS, big->va, BIG,
				   0x01010101u * (uint32_t)value);

	submit_async(g, e->t.proc, e->t.ctx, e->cmd.va, len);
	assert_int_equal(sync_signal(g, e->t.proc, e->t.dev, e->t.ctx, e->fence,
				     value, true), 0);
}

/* A round trip: answered by the loop, and every earlier message was handled. */
static void round_trip(struct gsim *g, uint32_t proc)
{
	struct d3dkmt_segmentsizeinfo si;

	assert_int_equal(gsim_query_adapter_info(g, proc, 0, KMTQAITYPE_GETSEGMENTSIZE,
						 &si, sizeof(si)), STATUS_SUCCESS);
	assert_int_equal(si.shared_system_memory_size, g->ctl->io_space_size);
}

/* ---- fence commands in the command stream (version 3) ---- */

/* A monitored fence and what CREATESYNCOBJECT says about it. */
struct gfence {
	uint32_t h;
	uint64_t storage, va;
};

static void fence_new(struct gsim *g, uint32_t proc, uint32_t dev,
		      struct gfence *f)
{
	struct dxgkvmb_command_createsyncobject c;
	struct dxgkvmb_command_createsyncobject_ret r;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.args.device = dev;
	c.args.info.type = D3DDDI_MONITORED_FENCE;
	assert_int_equal(mem_call(g, proc, DXGK_VMBCOMMAND_CREATESYNCOBJECT, &c,
				  sizeof(c), &r, sizeof(r)), sizeof(r));
	f->h = r.sync_object;
	f->storage = r.fence_storage_address;
	f->va = r.fence_gpu_va;
	assert_int_not_equal(f->h, 0);
	assert_int_not_equal(f->va, 0);
	assert_int_equal(f->va % PG, 0);
}

/* DESTROYSYNCOBJECT (VM-wide). */
static int32_t fence_destroy(struct gsim *g, uint32_t proc, uint32_t h)
{
	uint8_t m[EXT + sizeof(struct dxgkvmb_command_destroysyncobject)] = { 0 };
	struct dxgkvmb_command_destroysyncobject c = { .sync_object = h };
	int32_t st[2] = { -1, 0 };

	memcpy(m + EXT, &c, sizeof(c));
	gsim_hdr(m, (struct winluid){ 0, 0 }, DXGKVMB_VM_TO_HOST,
		 DXGK_VMBCOMMAND_DESTROYSYNCOBJECT, proc);
	return gsim_call(g, m, sizeof(m), st, sizeof(st)) < 4 ? -EPROTO : st[0];
}

/* An encoder over 512 bytes of the command page from byte @at. */
static void enc_at(struct dxg_enc *e, const struct mapped *cmd, uint32_t at)
{
	dxg_enc_init(e, cmd->cpu + at, 512, NULL, NULL);
}

static void test_fence_commands(void **state)
{
	struct daemon d;
	struct gsim g;
	struct tree t, t2, t4;
	struct gfence x, y, z, w, u;
	struct mapped m, m2, m3;
	struct dxg_enc e;
	uint32_t adapter = 0, ctx2 = 0, dev3 = 0, ctx3 = 0, len;
	const uint8_t *data;
	uint64_t v;

	(void)state;
	daemon_start(&d);
	guest_up(&g, &d, 1);
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	make_tree(&g, &t);
	assert_int_equal(gsim_create_context(&g, t.proc, 0, t.dev, 0, 64, &ctx2),
			 STATUS_SUCCESS);
	/* Commands in the first page, data in the second. */
	map_new(&g, adapter, &t, 2 * PG, &m);
	data = m.cpu + PG;
	fence_new(&g, t.proc, t.dev, &x);
	fence_new(&g, t.proc, t.dev, &y);
	assert_int_not_equal(x.va, y.va);

	/*
	 * Context 1: wait for x >= 1, copy what context 2 wrote, copy x's
	 * value through its GPU VA, signal y = 2.  It waits...
	 */
	enc_at(&e, &m, 0);
	assert_true(dxg_enc_fence_wait(&e, x.va, 1));
	assert_true(dxg_enc_copy(&e, m.va + PG + 16, m.va + PG, 16));
	assert_true(dxg_enc_copy(&e, x.va, m.va + PG + 64, 8));
	assert_true(dxg_enc_fence_signal(&e, y.va, 2));
	assert_true(dxg_enc_fill(&e, m.va + PG + 128, 8, 0x33333333));
	len = dxg_enc_finish(&e);
	assert_int_equal(e.version, DXG_CMDBUF_VERSION_3);
	submit_async(&g, t.proc, t.ctx, m.va, len);
	assert_int_equal(sync_wait_cpu(&g, t.proc, t.dev, y.h, 2, 200), 0);
	round_trip(&g, t.proc);
	assert_int_equal(next_event(&g, 100), 0);
	assert_int_equal(fence_now(&g, y.storage), 0);
	assert_int_equal(data[0], 0);
	/* ... while the same device's other context runs (not stalled). */
	enc_at(&e, &m, 512);
	assert_true(dxg_enc_fill(&e, m.va + PG + 16, 16, 0xbbbbbbbb));
	len = dxg_enc_finish(&e);
	assert_int_equal(e.version, DXG_CMDBUF_VERSION);
	submit_async(&g, t.proc, ctx2, m.va + 512, len);
	assert_int_equal(sync_signal(&g, t.proc, t.dev, ctx2, x.h, 0, true), 0);
	round_trip(&g, t.proc);
	assert_int_equal(data[16], 0xbb);
	assert_int_equal(data[0], 0);
	assert_int_equal(fence_now(&g, y.storage), 0);

	/* Context 2's buffer signals x: context 1 goes on, in order. */
	enc_at(&e, &m, 1024);
	assert_true(dxg_enc_fence_signal(&e, x.va, 1));
	len = dxg_enc_finish(&e);
	submit_async(&g, t.proc, ctx2, m.va + 1024, len);
	assert_int_equal(wait_fence(&g, y.storage, 2, GSIM_TIMEOUT_MS), 0);
	/* The CPU wait on y returns. */
	assert_int_equal(next_event(&g, GSIM_TIMEOUT_MS), 200);
	assert_int_equal(fence_now(&g, x.storage), 1);
	assert_int_equal(data[0], 0xbb);	/* copied after 2 wrote it */
	memcpy(&v, data + 64, sizeof(v));
	assert_int_equal(v, 1);			/* x's value, read by the GPU */
	round_trip(&g, t.proc);
	assert_int_equal(data[128], 0x33);	/* the rest of the buffer ran */
	/* Monotonic: a lower value does not lower y. */
	enc_at(&e, &m, 1024);
	assert_true(dxg_enc_fence_signal(&e, y.va, 1));
	len = dxg_enc_finish(&e);
	submit_async(&g, t.proc, t.ctx, m.va + 1024, len);
	round_trip(&g, t.proc);
	assert_int_equal(fence_now(&g, y.storage), 2);
	assert_int_equal(exec_state(&g, t.proc, t.dev), D3DKMT_DEVICEEXECUTION_ACTIVE);

	/* A fence of another device of the process: the GPU's page fault. */
	assert_int_equal(gsim_create_device(&g, t.proc, 0, &dev3), STATUS_SUCCESS);
	assert_int_equal(gsim_create_context(&g, t.proc, 0, dev3, 0, 64, &ctx3),
			 STATUS_SUCCESS);
	fence_new(&g, t.proc, dev3, &z);
	assert_int_not_equal(z.va, x.va);
	enc_at(&e, &m, 1536);
	assert_true(dxg_enc_fill(&e, m.va + PG + 256, 8, 0x44444444));
	assert_true(dxg_enc_fence_signal(&e, x.va, 5));
	len = dxg_enc_finish(&e);
	submit_async(&g, t.proc, ctx3, m.va + 1536, len);
	assert_int_equal(exec_state(&g, t.proc, dev3),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT);
	assert_int_equal(fence_now(&g, x.storage), 1);
	assert_int_equal(data[256], 0);		/* nothing of it ran */
	assert_int_equal(exec_state(&g, t.proc, t.dev), D3DKMT_DEVICEEXECUTION_ACTIVE);

	/* Another process names it: not in its space either. */
	make_tree(&g, &t2);
	map_new(&g, adapter, &t2, PG, &m2);
	dxg_enc_init(&e, m2.cpu, 512, NULL, NULL);
	assert_true(dxg_enc_fence_wait(&e, x.va, 1));
	len = dxg_enc_finish(&e);
	submit_async(&g, t2.proc, t2.ctx, m2.va, len);
	assert_int_equal(exec_state(&g, t2.proc, t2.dev),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT);

	/* A destroyed fence's address is no fence any more. */
	assert_int_equal(fence_destroy(&g, t.proc, y.h), STATUS_SUCCESS);
	enc_at(&e, &m, 1536);
	assert_true(dxg_enc_fence_wait(&e, y.va, 1));
	len = dxg_enc_finish(&e);
	submit_async(&g, t.proc, t.ctx, m.va + 1536, len);
	assert_int_equal(exec_state(&g, t.proc, t.dev),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT);

	/*
	 * A later segment faults (its memory went while the buffer waited):
	 * the rest does not run, its FENCE_SIGNALs still happen, in order.
	 */
	t4.proc = t.proc;
	assert_int_equal(gsim_create_device(&g, t.proc, 0, &t4.dev), STATUS_SUCCESS);
	assert_int_equal(gsim_create_context(&g, t.proc, 0, t4.dev, 0, 64, &t4.ctx),
			 STATUS_SUCCESS);
	map_new(&g, adapter, &t4, PG, &m3);
	fence_new(&g, t.proc, t4.dev, &w);
	fence_new(&g, t.proc, t4.dev, &u);
	enc_at(&e, &m, 2048);
	assert_true(dxg_enc_fence_wait(&e, w.va, 1));
	assert_true(dxg_enc_fill(&e, m3.va, 8, 0x55555555));
	assert_true(dxg_enc_fence_signal(&e, u.va, 5));
	assert_true(dxg_enc_fill(&e, m.va + PG + 512, 8, 0x66666666));
	assert_true(dxg_enc_fence_signal(&e, u.va, 6));
	len = dxg_enc_finish(&e);
	submit_async(&g, t.proc, t4.ctx, m.va + 2048, len);
	round_trip(&g, t.proc);
	assert_int_equal(mem_destroy(&g, t.proc, t4.dev, 0, &m3.h, 1),
			 STATUS_SUCCESS);
	assert_int_equal(sync_signal(&g, t.proc, t4.dev, 0, w.h, 1, false), 0);
	assert_int_equal(exec_state(&g, t.proc, t4.dev),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT);
	assert_int_equal(wait_fence(&g, u.storage, 6, GSIM_TIMEOUT_MS), 0);
	assert_int_equal(data[512], 0);

	assert_int_equal(gsim_destroy_process(&g, t.proc), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_process(&g, t2.proc), STATUS_SUCCESS);
	assert_int_equal(wait_u32(&g.ctl->stat_processes, 0), 0);
	assert_int_equal(g.ctl->stat_io_space_used, 0);
	assert_int_equal(gsim_close_adapter(&g, 0, adapter), STATUS_SUCCESS);
	assert_int_equal(wait_u32(&g.ctl->stat_objects, 0), 0);
	assert_true(daemon_alive(&d));
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * A long command buffer runs on its device's worker: meanwhile the same VM
 * is answered and another device's work completes, before the long one's
 * fence moves.  Destroying its memory, device, process or the whole VM
 * under running work is safe, and the daemon serves on.
 */
static void test_exec_off_loop(void **state)
{
	const char *const args[] = { "--adapter", "cpu", NULL };
	struct daemon d;
	struct gsim g, g2;
	struct job_env a, b;
	struct mapped big, small;
	uint32_t adapter, len, p;

	(void)state;
	daemon_start_args(&d, args);
	guest_up(&g, &d, 1);
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	job_env_make(&g, adapter, &a);
	job_env_make(&g, adapter, &b);
	map_new(&g, adapter, &a.t, BIG, &big);
	map_new(&g, adapter, &b.t, PG, &small);

	/* A runs; the loop answers and B's small fill completes meanwhile. */
	start_long(&g, &a, &big, 1);
	round_trip(&g, a.t.proc);
	assert_int_equal(fence_now(&g, a.storage), 0);
	len = write_fills(b.cmd.cpu, 1, small.va, PG, 0x5a5a5a5a);
	submit_async(&g, b.t.proc, b.t.ctx, b.cmd.va, len);
	assert_int_equal(sync_signal(&g, b.t.proc, b.t.dev, b.t.ctx, b.fence, 1,
				     true), 0);
	assert_int_equal(wait_fence(&g, b.storage, 1, GSIM_TIMEOUT_MS), 0);
	assert_int_equal(small.cpu[PG - 1], 0x5a);
	/* A CPU signal of another device's fence, answered at once. */
	assert_int_equal(sync_signal(&g, b.t.proc, b.t.dev, 0, b.fence, 2, false), 0);
	assert_int_equal(fence_now(&g, b.storage), 2);
	assert_int_equal(fence_now(&g, a.storage), 0);	/* A still runs */
	assert_int_equal(wait_fence(&g, a.storage, 1, 120000), 0);
	assert_int_equal(big.cpu[BIG - 1], 0x01);
	assert_int_equal(exec_state(&g, a.t.proc, a.t.dev),
			 D3DKMT_DEVICEEXECUTION_ACTIVE);

	/* Its memory destroyed under it: the destroy waits, the job ends well. */
	start_long(&g, &a, &big, 2);
	round_trip(&g, a.t.proc);
	assert_int_equal(mem_destroy(&g, a.t.proc, a.t.dev, 0, &big.h, 1),
			 STATUS_SUCCESS);
	assert_int_equal(wait_fence(&g, a.storage, 2, 120000), 0);
	assert_int_equal(exec_state(&g, a.t.proc, a.t.dev),
			 D3DKMT_DEVICEEXECUTION_ACTIVE);

	/* Its device destroyed under it, then B's process under B's job. */
	map_new(&g, adapter, &a.t, BIG, &big);
	start_long(&g, &a, &big, 3);
	round_trip(&g, a.t.proc);
	assert_int_equal(gsim_destroy_device(&g, a.t.proc, 0, a.t.dev), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_process(&g, a.t.proc), STATUS_SUCCESS);
	map_new(&g, adapter, &b.t, BIG, &big);
	start_long(&g, &b, &big, 3);
	round_trip(&g, b.t.proc);
	assert_int_equal(gsim_destroy_process(&g, b.t.proc), STATUS_SUCCESS);
	assert_int_equal(wait_u32(&g.ctl->stat_processes, 0), 0);
	assert_int_equal(g.ctl->stat_io_space_used, 0);
	assert_true(daemon_alive(&d));

	/* The VM goes away under running work; a new one is served. */
	job_env_make(&g, adapter, &a);
	map_new(&g, adapter, &a.t, BIG, &big);
	start_long(&g, &a, &big, 1);
	round_trip(&g, a.t.proc);
	gsim_close(&g);
	guest_up(&g2, &d, 1);
	assert_int_equal(gsim_create_process(&g2, &p), STATUS_SUCCESS);
	assert_true(daemon_alive(&d));
	gsim_close(&g2);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* ---- QEMU killed over and over (docs/reliability.md §4) ---- */

#define KILL_CYCLES	100

/* Occurrences of what in the daemon's log. */
static unsigned int log_count(struct daemon *d, const char *what)
{
	const char *p = daemon_log(d);
	unsigned int n = 0;

	while ((p = strstr(p, what))) {
		n++;
		p += strlen(what);
	}
	return n;
}

/* Adapter 0's Vulkan objects, from a fresh SIGUSR1 status line; -1: none. */
static long vk_objects(struct daemon *d)
{
	const char *key = "status: adapter 0 (";
	unsigned int before = log_count(d, key);
	const char *p, *last = NULL;
	long n = -1;

	assert_int_equal(kill(d->pid, SIGUSR1), 0);
	for (int i = 0; i < 500 && log_count(d, key) == before; i++)
		usleep(10000);
	p = daemon_log(d);
	while ((p = strstr(p, key)))
		last = p++;
	if (last && (p = strstr(last, "): ")))
		sscanf(p, "): %ld Vulkan objects", &n);
	return n;
}

/*
 * One VM's life: every kind of Vulkan-backed object (an imported IO-space
 * allocation mapped at a GPU VA, a device-local allocation, a pipeline, the
 * engine of a device running work), then QEMU dies with work in flight:
 * its socket and doorbells close at once and nobody says goodbye.
 */
static void kill_cycle(struct daemon *d)
{
	struct gsim g;
	struct job_env e;
	struct mapped buf;
	struct esc x;
	uint32_t adapter, dl, size, len;
	uint8_t *cp = saxpy_create(&size);

	guest_up(&g, d, 1);
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	job_env_make(&g, adapter, &e);
	map_new(&g, adapter, &e.t, 1u << 20, &buf);
	assert_int_equal(mem_create_flags(&g, e.t.proc, e.t.dev, 1u << 20,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &dl),
			 STATUS_SUCCESS);
	x = (struct esc){ e.t.proc, adapter, e.t.dev, e.t.ctx,
			  D3DKMT_ESCAPE_DRIVERPRIVATE, size, size };
	assert_int_equal(escape(&g, 0, &x, cp), STATUS_SUCCESS);
	len = write_fills(e.cmd.cpu, 16, buf.va, 1u << 20, 0x11111111u);
	submit_async(&g, e.t.proc, e.t.ctx, e.cmd.va, len);
	assert_int_equal(sync_signal(&g, e.t.proc, e.t.dev, e.t.ctx, e.fence, 1,
				     true), 0);
	gsim_disconnect(&g);
	gsim_close(&g);
	free(cp);
}

/*
 * Issue 12's "QEMU killed" promise, measured: after KILL_CYCLES VMs that
 * each made objects of every kind and died with work in flight, dxghost's
 * file descriptors, threads and Vulkan objects are exactly what they were
 * with no VM, and its resident memory has not grown with the cycles (the
 * figure after the first cycle, which warms the Vulkan driver up, is the
 * baseline; ASan's quarantine is off so that freed memory is reused).
 * LeakSanitizer checks the heap when the daemon exits.
 */
static void test_vm_kill_cycles(void **state)
{
	const char *asan = getenv("ASAN_OPTIONS");
	char saved[512] = "", opts[600];
	long fds0, threads0, vk0, rss1, rss, fds, threads, vk = -1;
	struct daemon d;
	char what[64];

	(void)state;
	if (asan)
		snprintf(saved, sizeof(saved), "%s", asan);
	snprintf(opts, sizeof(opts), "%s%squarantine_size_mb=0", saved,
		 saved[0] ? ":" : "");
	setenv("ASAN_OPTIONS", opts, 1);
	/* What is measured is the one process that serves every VM. */
	daemon_start_full(&d, (const char *[]){ "--isolation", "none", NULL },
			  true);
	if (asan)
		setenv("ASAN_OPTIONS", saved, 1);
	else
		unsetenv("ASAN_OPTIONS");
	assert_logged(&d, "listening on");
	fds0 = proc_entries(d.pid, "fd");
	threads0 = proc_entries(d.pid, "task");
	vk0 = vk_objects(&d);
	assert_true(fds0 > 0 && threads0 > 0 && vk0 >= 0);

	kill_cycle(&d);
	assert_logged(&d, "vm 1 disconnected");
	for (int i = 0; i < 50 && vk_objects(&d) != vk0; i++)
		usleep(100000);
	rss1 = proc_rss_kib(d.pid);
	for (int i = 1; i < KILL_CYCLES; i++)
		kill_cycle(&d);
	snprintf(what, sizeof(what), "vm %u disconnected", KILL_CYCLES);
	assert_logged(&d, what);
	/* Workers finish the jobs in flight, then free their engines. */
	for (int i = 0; i < 100; i++) {
		fds = proc_entries(d.pid, "fd");
		threads = proc_entries(d.pid, "task");
		vk = vk_objects(&d);
		if (fds == fds0 && threads == threads0 && vk == vk0)
			break;
		usleep(100000);
	}
	rss = proc_rss_kib(d.pid);
	print_message("%u VMs killed: fds %ld -> %ld, threads %ld -> %ld, Vulkan objects %ld -> %ld, RSS %ld KiB after the first, %ld KiB after the last\n",
		      KILL_CYCLES, fds0, fds, threads0, threads, vk0, vk, rss1, rss);
	assert_int_equal(log_count(&d, " disconnected: "), KILL_CYCLES);
	assert_int_equal(fds, fds0);
	assert_int_equal(threads, threads0);
	assert_int_equal(vk, vk0);
	/* 99 cycles leaking 160 KiB each would show; allocator noise does not. */
	assert_true(rss1 > 0 && rss - rss1 < 16 * 1024);
	assert_true(daemon_alive(&d));
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* ---- residency of device memory, reservations (docs/memory.md §10) ---- */

/* OFFERALLOCATIONS of one allocation with @flags. */
static int32_t res_offer1(struct gsim *g, uint32_t p, uint32_t dev, uint32_t h,
			  uint32_t prio, uint32_t flags)
{
	struct dxgkvmb_command_offerallocations c = {
		.device = dev, .allocation_count = 1, .priority = prio,
		.flags = flags,
	};
	uint8_t m[sizeof(c) + 4];

	memcpy(m, &c, sizeof(c));
	memcpy(m + sizeof(c), &h, 4);
	return mem_status(g, p, DXGK_VMBCOMMAND_OFFERALLOCATIONS, m, sizeof(m));
}

/* RECLAIMALLOCATIONS of one allocation: its result, or ~0u on failure. */
static uint32_t res_reclaim1(struct gsim *g, uint32_t p, uint32_t dev,
			     uint32_t pq, uint32_t h)
{
	uint32_t r = ~0u;

	if (res_reclaim(g, p, dev, pq, &h, 1, &r) != STATUS_SUCCESS)
		return ~0u;
	return r;
}

static uint32_t residency_of(struct gsim *g, uint32_t p, uint32_t dev, uint32_t h)
{
	return res_value(g, p, dev, DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY, h);
}

static uint32_t paging_queue(struct gsim *g, uint32_t p, uint32_t dev)
{
	struct dxgkvmb_command_createpagingqueue cq = { .args = { .device = dev } };
	struct dxgkvmb_command_createpagingqueue_ret qr = { 0 };

	assert_int_equal(mem_call(g, p, DXGK_VMBCOMMAND_CREATEPAGINGQUEUE, &cq,
				  sizeof(cq), &qr, sizeof(qr)), sizeof(qr));
	return qr.paging_queue;
}

/* The DXG_ESCAPE_TRIM escape of process @p: the bytes discarded. */
static uint64_t trim_escape(struct gsim *g, uint32_t p, uint32_t adapter,
			    uint32_t dev, uint64_t bytes)
{
	struct dxg_escape_trim k = { .op = DXG_ESCAPE_TRIM, .bytes = bytes };
	struct esc x = { p, adapter, dev, 0, D3DKMT_ESCAPE_DRIVERPRIVATE,
			 sizeof(k), sizeof(k) };

	assert_int_equal(escape(g, 0, &x, &k), STATUS_SUCCESS);
	return k.discarded;
}

/* VkFormats, as the escape carries them. */
#define FMT_R8G8B8_UNORM	23u
#define FMT_R8G8B8A8_UNORM	37u
#define FMT_R32_SFLOAT		100u

/* The DXG_ESCAPE_IMAGE_LAYOUT escape of process @p into *k: its status. */
static int32_t image_layout_escape(struct gsim *g, uint32_t p, uint32_t adapter,
				   uint32_t dev, struct dxg_escape_image_layout *k,
				   uint32_t size)
{
	struct esc x = { p, adapter, dev, 0, D3DKMT_ESCAPE_DRIVERPRIVATE, size, size };

	k->op = DXG_ESCAPE_IMAGE_LAYOUT;
	return escape(g, 0, &x, k);
}

/*
 * Storage images' layout through the protocol: answered by a Vulkan
 * adapter with device memory (where images live), refused without it and
 * for what is not such an image.
 */
static void test_image_layout(void **state)
{
	const char *const no_dev[] = { "--device-memory", "0", NULL };
	const char *const small[] = { "--device-memory", "8M", NULL };
	struct dxg_escape_image_layout k = { .format = FMT_R8G8B8A8_UNORM,
					     .width = 100, .height = 7 };
	struct daemon d;
	struct gsim g;
	struct tree t;
	uint32_t ad = 0;

	(void)state;
	daemon_start_full(&d, small, false);
	guest_up(&g, &d, 1);
	make_tree(&g, &t);
	assert_int_equal(gsim_open_adapter(&g, 0, &ad), STATUS_SUCCESS);
	assert_int_equal(image_layout_escape(&g, t.proc, ad, t.dev, &k, sizeof(k)),
			 STATUS_SUCCESS);
	assert_true(k.row_pitch >= 400 && k.size >= 6 * k.row_pitch + 400 && k.alignment &&
		    !(k.alignment & (k.alignment - 1)));
	k.width = 0;
	assert_int_equal(image_layout_escape(&g, t.proc, ad, t.dev, &k, sizeof(k)),
			 STATUS_INVALID_PARAMETER);
	k.width = 1;
	k.format = FMT_R8G8B8_UNORM;	/* no storage images of it here */
	assert_int_equal(image_layout_escape(&g, t.proc, ad, t.dev, &k, sizeof(k)),
			 STATUS_NOT_SUPPORTED);
	k.format = FMT_R32_SFLOAT;
	assert_int_equal(image_layout_escape(&g, t.proc, ad, t.dev, &k, sizeof(k) - 8),
			 STATUS_INVALID_PARAMETER);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);

	daemon_start_full(&d, no_dev, false);
	guest_up(&g, &d, 1);
	make_tree(&g, &t);
	assert_int_equal(gsim_open_adapter(&g, 0, &ad), STATUS_SUCCESS);
	assert_int_equal(image_layout_escape(&g, t.proc, ad, t.dev, &k, sizeof(k)),
			 STATUS_NOT_SUPPORTED);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/*
 * QUERYSTATISTICS of segment @seg (1: device memory): the VM's committed
 * bytes (SEGMENT), or the caller's (PROCESS_SEGMENT) with *count its
 * allocations holding memory.
 */
static uint64_t stat_committed(struct gsim *g, uint32_t p, uint32_t type,
			       uint32_t seg, uint32_t *count)
{
	struct dxgkvmb_command_querystatistics q = { .args = { .type = type } };
	struct dxgkvmb_command_querystatistics_ret r = { 0 };
	struct d3dkmt_querystatistics_process_segment_information ps;
	struct d3dkmt_querystatistics_segment_information si;

	q.args.query.segment_id = seg;
	assert_int_equal(mem_call(g, p, DXGK_VMBCOMMAND_QUERYSTATISTICS, &q,
				  sizeof(q), &r, sizeof(r)), sizeof(r));
	assert_int_equal(r.status, STATUS_SUCCESS);
	if (type == D3DKMT_QUERYSTATISTICS_SEGMENT) {
		memcpy(&si, r.result.data, sizeof(si));
		*count = si.memory.allocs_committed;
		return si.bytes_committed;
	}
	memcpy(&ps, r.result.data, sizeof(ps));
	*count = ps.allocs_committed;
	return ps.bytes_committed;
}

/* A device-local allocation of @size bytes mapped at a fresh GPU VA. */
static void dev_map_new(struct gsim *g, uint32_t adapter, const struct tree *t,
			uint64_t size, struct mapped *m)
{
	struct dxgkvmb_command_reservegpuva rv = {
		.args = { .adapter = adapter, .size = size },
	};
	struct dxgkvmb_command_reservegpuva_ret rvr = { 0 };
	struct d3dddi_updategpuvirtualaddress_operation op;

	assert_int_equal(mem_create_flags(g, t->proc, t->dev, size,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &m->h),
			 STATUS_SUCCESS);
	assert_int_equal(mem_call(g, t->proc, DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS,
				  &rv, sizeof(rv), &rvr, sizeof(rvr)), sizeof(rvr));
	m->va = rvr.virtual_address;
	m->cpu = NULL;
	op = upd_map(m->va, size, m->h, 0);
	assert_int_equal(mem_update(g, t->proc, t->dev, 0, 0, &op, 1, 1),
			 STATUS_SUCCESS);
}

/*
 * One command buffer at the start of @e's command page, then the fence
 * signalled to @v after it: 0 once it is reached, or -ETIMEDOUT.
 */
static int run_cmds(struct gsim *g, struct job_env *e, struct dxg_enc *enc,
		    uint64_t v)
{
	uint32_t len = dxg_enc_finish(enc);

	submit_async(g, e->t.proc, e->t.ctx, e->cmd.va, len);
	assert_int_equal(sync_signal(g, e->t.proc, e->t.dev, e->t.ctx, e->fence,
				     v, true), 0);
	return wait_fence(g, e->storage, v, GSIM_TIMEOUT_MS);
}

/*
 * Offered device-local allocations are discarded like IO-space ones: their
 * device memory goes back to the device (the VM's device memory in use
 * drops, two Vulkan objects go), under the quota's pressure, on
 * OFFER_IMMEDIATELY and on the TRIM escape; a reclaim gives fresh zeroed
 * memory behind the same GPU VA, or NOT_COMMITTED while the quota cannot
 * take it.  Commands naming discarded memory fault.
 */
static void test_device_residency(void **state)
{
	const char *const args[] = { "--device-memory", "8M", NULL };
	const uint64_t MB = 1u << 20;
	struct daemon d;
	struct gsim g;
	struct job_env e;
	struct mapped a, buf;
	struct dxg_enc enc;
	uint32_t adapter, pq, big, c2 = 0, h = 0;
	long vk0, vk_none;

	(void)state;
	daemon_start_full(&d, args, true);
	guest_up(&g, &d, 1);
	vk_none = vk_objects(&d);
	assert_int_equal(gsim_open_adapter(&g, 0, &adapter), STATUS_SUCCESS);
	job_env_make(&g, adapter, &e);
	pq = paging_queue(&g, e.t.proc, e.t.dev);
	map_new(&g, adapter, &e.t, 64 * 1024, &buf);
	dev_map_new(&g, adapter, &e.t, 4 * MB, &a);
	assert_int_equal(g.ctl->stat_device_memory_used, 4 * MB);

	/* a holds a pattern (a FILL), read back through buf (a COPY). */
	dxg_enc_init(&enc, e.cmd.cpu, 2 * PG, NULL, NULL);
	assert_true(dxg_enc_fill(&enc, a.va, 4 * MB, 0x5a5a5a5au));
	assert_true(dxg_enc_barrier(&enc));
	assert_true(dxg_enc_copy(&enc, a.va + 4 * MB - 4096, buf.va, 4096));
	assert_int_equal(run_cmds(&g, &e, &enc, 1), 0);
	assert_int_equal(buf.cpu[0], 0x5a);
	assert_int_equal(buf.cpu[4095], 0x5a);

	/* Not offered: the quota refuses what does not fit. */
	assert_int_equal(mem_create_flags(&g, e.t.proc, e.t.dev, 6 * MB,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &big),
			 STATUS_QUOTA_EXCEEDED);
	/* Offered: the new allocation takes its place, a's memory goes. */
	vk0 = vk_objects(&d);
	assert_true(vk0 > 0);
	assert_int_equal(res_offer1(&g, e.t.proc, e.t.dev, a.h,
				    D3DKMT_OFFER_PRIORITY_LOW, 0), STATUS_SUCCESS);
	assert_int_equal(residency_of(&g, e.t.proc, e.t.dev, a.h),
			 D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINGPUMEMORY);
	assert_int_equal(mem_create_flags(&g, e.t.proc, e.t.dev, 6 * MB,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &big),
			 STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_device_memory_used, 6 * MB);
	/* a's buffer and memory went, big's two came. */
	assert_int_equal(vk_objects(&d), vk0);
	assert_int_equal(residency_of(&g, e.t.proc, e.t.dev, a.h),
			 D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT);
	/* The quota cannot take it back while big lives. */
	assert_int_equal(res_reclaim1(&g, e.t.proc, e.t.dev, pq, a.h),
			 D3DDDI_RECLAIM_RESULT_NOT_COMMITTED);
	assert_int_equal(residency_of(&g, e.t.proc, e.t.dev, a.h),
			 D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT);
	assert_int_equal(mem_destroy(&g, e.t.proc, e.t.dev, 0, &big, 1),
			 STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_device_memory_used, 0);
	assert_int_equal(vk_objects(&d), vk0 - 2);
	/* Reclaimed: fresh zeroed memory behind the same GPU VA. */
	assert_int_equal(res_reclaim1(&g, e.t.proc, e.t.dev, pq, a.h),
			 D3DDDI_RECLAIM_RESULT_DISCARDED);
	assert_int_equal(g.ctl->stat_device_memory_used, 4 * MB);
	assert_int_equal(vk_objects(&d), vk0);
	assert_int_equal(residency_of(&g, e.t.proc, e.t.dev, a.h),
			 D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINGPUMEMORY);
	dxg_enc_init(&enc, e.cmd.cpu, 2 * PG, NULL, NULL);
	assert_true(dxg_enc_copy(&enc, a.va + 4 * MB - 4096, buf.va, 4096));
	assert_int_equal(run_cmds(&g, &e, &enc, 2), 0);
	assert_int_equal(buf.cpu[0], 0);
	assert_int_equal(buf.cpu[4095], 0);
	/* ... and it works again. */
	dxg_enc_init(&enc, e.cmd.cpu, 2 * PG, NULL, NULL);
	assert_true(dxg_enc_fill(&enc, a.va, 4096, 0x77777777u));
	assert_true(dxg_enc_barrier(&enc));
	assert_true(dxg_enc_copy(&enc, a.va, buf.va, 4096));
	assert_int_equal(run_cmds(&g, &e, &enc, 3), 0);
	assert_int_equal(buf.cpu[100], 0x77);

	/* OFFER_IMMEDIATELY: gone at once; OK is not what a reclaim says. */
	assert_int_equal(res_offer1(&g, e.t.proc, e.t.dev, a.h,
				    D3DKMT_OFFER_PRIORITY_HIGH,
				    D3DKMT_OFFER_FLAG_OFFER_IMMEDIATELY),
			 STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_device_memory_used, 0);
	assert_int_equal(residency_of(&g, e.t.proc, e.t.dev, a.h),
			 D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT);
	/* QUERYSTATISTICS counts only the device memory that exists. */
	{
		uint32_t n = 9;

		assert_int_equal(stat_committed(&g, e.t.proc,
						D3DKMT_QUERYSTATISTICS_PROCESS_SEGMENT,
						1, &n), 0);
		assert_int_equal(n, 0);
		assert_int_equal(stat_committed(&g, e.t.proc,
						D3DKMT_QUERYSTATISTICS_SEGMENT, 1, &n), 0);
		assert_int_equal(n, 0);
		assert_int_equal(res_reclaim1(&g, e.t.proc, e.t.dev, pq, a.h),
				 D3DDDI_RECLAIM_RESULT_DISCARDED);
		assert_int_equal(stat_committed(&g, e.t.proc,
						D3DKMT_QUERYSTATISTICS_PROCESS_SEGMENT,
						1, &n), 4 * MB);
		assert_int_equal(n, 1);
		assert_int_equal(stat_committed(&g, e.t.proc,
						D3DKMT_QUERYSTATISTICS_SEGMENT, 1, &n), 4 * MB);
		assert_int_equal(n, 1);
	}

	/*
	 * TRIM counts both kinds in one order: the IO-space one (LOW) goes
	 * first, then a; `bytes` stops it.
	 */
	assert_int_equal(res_offer1(&g, e.t.proc, e.t.dev, buf.h,
				    D3DKMT_OFFER_PRIORITY_LOW, 0), STATUS_SUCCESS);
	assert_int_equal(res_offer1(&g, e.t.proc, e.t.dev, a.h,
				    D3DKMT_OFFER_PRIORITY_NORMAL, 0), STATUS_SUCCESS);
	assert_int_equal(trim_escape(&g, e.t.proc, adapter, e.t.dev, 1), 64 * 1024);
	assert_int_equal(g.ctl->stat_device_memory_used, 4 * MB);
	assert_int_equal(trim_escape(&g, e.t.proc, adapter, e.t.dev, 0), 4 * MB);
	assert_int_equal(g.ctl->stat_device_memory_used, 0);
	assert_int_equal(trim_escape(&g, e.t.proc, adapter, e.t.dev, 0), 0);
	assert_int_equal(res_reclaim1(&g, e.t.proc, e.t.dev, pq, buf.h),
			 D3DDDI_RECLAIM_RESULT_DISCARDED);

	/* QUERYVIDEOMEMORYINFO and the control page count only what exists. */
	{
		struct dxgkvmb_command_queryvideomemoryinfo q = { .adapter = adapter };
		struct dxgkvmb_command_queryvideomemoryinfo_ret qr = { 0 };

		assert_int_equal(mem_call(&g, e.t.proc, DXGK_VMBCOMMAND_QUERYVIDEOMEMORYINFO,
					  &q, sizeof(q), &qr, sizeof(qr)), sizeof(qr));
		assert_int_equal(qr.current_usage, 0);
		assert_int_equal(qr.budget, 8 * MB);
	}

	/* A command naming discarded memory faults the device. */
	dxg_enc_init(&enc, e.cmd.cpu, 2 * PG, NULL, NULL);
	assert_true(dxg_enc_copy(&enc, a.va, buf.va, 4096));
	assert_int_equal(run_cmds(&g, &e, &enc, 4), 0);
	assert_int_equal(exec_state(&g, e.t.proc, e.t.dev),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT);

	/* Destroying a discarded allocation, and another process's pressure. */
	assert_int_equal(mem_destroy(&g, e.t.proc, e.t.dev, 0, &a.h, 1),
			 STATUS_SUCCESS);
	assert_int_equal(mem_create_flags(&g, e.t.proc, e.t.dev, 8 * MB,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &h),
			 STATUS_SUCCESS);
	assert_int_equal(res_offer1(&g, e.t.proc, e.t.dev, h,
				    D3DKMT_OFFER_PRIORITY_NORMAL, 0), STATUS_SUCCESS);
	{
		struct tree t2;

		make_tree(&g, &t2);
		assert_int_equal(mem_create_flags(&g, t2.proc, t2.dev, 2 * MB,
						  DXG_OPEN_ALLOC_DEVICE_LOCAL, &c2),
				 STATUS_SUCCESS);
		assert_int_equal(residency_of(&g, e.t.proc, e.t.dev, h),
				 D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT);
		assert_int_equal(g.ctl->stat_device_memory_used, 2 * MB);
		assert_int_equal(gsim_destroy_process(&g, t2.proc), STATUS_SUCCESS);
	}
	assert_int_equal(gsim_destroy_process(&g, e.t.proc), STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_device_memory_used, 0);
	assert_int_equal(vk_objects(&d), vk_none);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* QUERYVIDEOMEMORYINFO of @group for process @p. */
static struct dxgkvmb_command_queryvideomemoryinfo_ret
qvmi(struct gsim *g, uint32_t p, uint32_t adapter, uint32_t group)
{
	struct dxgkvmb_command_queryvideomemoryinfo q = {
		.adapter = adapter, .memory_segment_group = group,
	};
	struct dxgkvmb_command_queryvideomemoryinfo_ret r = { 0 };

	assert_int_equal(mem_call(g, p, DXGK_VMBCOMMAND_QUERYVIDEOMEMORYINFO, &q,
				  sizeof(q), &r, sizeof(r)), sizeof(r));
	return r;
}

static int32_t reserve(struct gsim *g, uint32_t p, uint32_t adapter,
		       uint32_t group, uint64_t bytes)
{
	struct dxgkvmb_command_changevideomemoryreservation c = {
		.adapter = adapter, .memory_segment_group = group,
		.reservation = bytes,
	};

	return mem_status(g, p, DXGK_VMBCOMMAND_CHANGEVIDEOMEMORYRESERVATION, &c,
			  sizeof(c));
}

/*
 * CHANGEVIDEOMEMORYRESERVATION is enforced: what a process reserved, the
 * others cannot take (they discard offered memory first, then fail), the
 * reserving process gets even when the others filled the rest, and a
 * reservation beyond what is still available fails.
 */
static void test_reservations(void **state)
{
	const char *const io[] = { "--io-budget", "1M", "--adapter", "cpu", NULL };
	const char *const dv[] = { "--device-memory", "8M", NULL };
	const uint32_t LOCAL = D3DKMT_MEMORY_SEGMENT_GROUP_LOCAL;
	const uint64_t K = 1024, MB = 1u << 20;
	struct dxgkvmb_command_queryvideomemoryinfo_ret r;
	uint32_t ad1, ad2, x, y, z, w, p1a, p1b;
	struct tree t1, t2;
	struct daemon d;
	struct gsim g;

	(void)state;
	daemon_start_args(&d, io);
	guest_up(&g, &d, 1);
	make_tree(&g, &t1);
	make_tree(&g, &t2);
	assert_int_equal(gsim_open_adapter(&g, 0, &ad1), STATUS_SUCCESS);
	ad2 = ad1;	/* adapters are VM-wide */
	r = qvmi(&g, t1.proc, ad1, LOCAL);
	assert_int_equal(r.budget, MB);
	assert_int_equal(r.available_for_reservation, MB);
	assert_int_equal(r.current_reservation, 0);
	/* Bad input: past the budget, a group without memory, a bad group. */
	assert_int_equal(reserve(&g, t1.proc, ad1, LOCAL, MB + 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(reserve(&g, t1.proc, ad1, D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL,
				 4096), STATUS_INVALID_PARAMETER);
	assert_int_equal(reserve(&g, t1.proc, ad1, 2, 0), STATUS_INVALID_PARAMETER);
	assert_int_equal(reserve(&g, t1.proc, 0x40000999, LOCAL, 0),
			 STATUS_INVALID_HANDLE);

	/* Process 1 reserves half: process 2 may reserve only the rest. */
	assert_int_equal(reserve(&g, t1.proc, ad1, LOCAL, 512 * K), STATUS_SUCCESS);
	r = qvmi(&g, t1.proc, ad1, LOCAL);
	assert_int_equal(r.current_reservation, 512 * K);
	assert_int_equal(r.available_for_reservation, MB);
	r = qvmi(&g, t2.proc, ad2, LOCAL);
	assert_int_equal(r.current_reservation, 0);
	assert_int_equal(r.available_for_reservation, 512 * K);
	assert_int_equal(reserve(&g, t2.proc, ad2, LOCAL, 768 * K), STATUS_NO_MEMORY);

	/* Process 2 fills the rest; an offered allocation of it goes first. */
	assert_int_equal(mem_create(&g, t2.proc, t2.dev, 256 * K, 1, 0, 0, &x, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(res_offer1(&g, t2.proc, t2.dev, x,
				    D3DKMT_OFFER_PRIORITY_LOW, 0), STATUS_SUCCESS);
	assert_int_equal(mem_create(&g, t2.proc, t2.dev, 256 * K, 1, 0, 0, &y, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(residency_of(&g, t2.proc, t2.dev, x),
			 D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY);
	assert_int_equal(mem_create(&g, t2.proc, t2.dev, 256 * K, 1, 0, 0, &z, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(residency_of(&g, t2.proc, t2.dev, x),
			 D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT);
	assert_int_equal(mem_create(&g, t2.proc, t2.dev, 4 * K, 1, 0, 0, &w, NULL),
			 STATUS_NO_MEMORY);
	/* What it holds counts for it: it could reserve that much. */
	r = qvmi(&g, t2.proc, ad2, LOCAL);
	assert_int_equal(r.current_usage, 512 * K);
	assert_int_equal(r.available_for_reservation, 512 * K);
	/* A reservation beyond what is left fails now, one within it does not. */
	assert_int_equal(reserve(&g, t1.proc, ad1, LOCAL, 768 * K), STATUS_NO_MEMORY);
	assert_int_equal(reserve(&g, t1.proc, ad1, LOCAL, 256 * K), STATUS_SUCCESS);
	assert_int_equal(reserve(&g, t1.proc, ad1, LOCAL, 512 * K), STATUS_SUCCESS);

	/* Process 1 still gets its 512K, though the others filled the rest. */
	assert_int_equal(mem_create(&g, t1.proc, t1.dev, 256 * K, 1, 0, 0, &p1a, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(mem_create(&g, t1.proc, t1.dev, 256 * K, 1, 0, 0, &p1b, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(mem_create(&g, t1.proc, t1.dev, 4 * K, 1, 0, 0, &w, NULL),
			 STATUS_NO_MEMORY);
	/* Its memory used, its reservation limits nobody: x comes back when y goes. */
	assert_int_equal(mem_destroy(&g, t2.proc, t2.dev, 0, &y, 1), STATUS_SUCCESS);
	{
		uint32_t pq = paging_queue(&g, t2.proc, t2.dev);

		/* The paging queue's fence page took 4K of the 256K. */
		assert_int_equal(res_reclaim1(&g, t2.proc, t2.dev, pq, x),
				 D3DDDI_RECLAIM_RESULT_NOT_COMMITTED);
		assert_int_equal(mem_destroy(&g, t1.proc, t1.dev, 0, &p1b, 1),
				 STATUS_SUCCESS);
		/* p1b's room is process 1's again: only its unused reservation. */
		assert_int_equal(res_reclaim1(&g, t2.proc, t2.dev, pq, x),
				 D3DDDI_RECLAIM_RESULT_NOT_COMMITTED);
		assert_int_equal(reserve(&g, t1.proc, ad1, LOCAL, 0), STATUS_SUCCESS);
		assert_int_equal(res_reclaim1(&g, t2.proc, t2.dev, pq, x),
				 D3DDDI_RECLAIM_RESULT_DISCARDED);
	}
	/*
	 * A process that goes takes its reservation with it.  Process 1
	 * holds 256K (p1a) and may reserve up to what the others (516K and
	 * the 4K fence page) leave.
	 */
	assert_int_equal(reserve(&g, t1.proc, ad1, LOCAL, 512 * K), STATUS_NO_MEMORY);
	assert_int_equal(reserve(&g, t1.proc, ad1, LOCAL, 500 * K), STATUS_SUCCESS);
	r = qvmi(&g, t2.proc, ad2, LOCAL);
	assert_int_equal(r.available_for_reservation, MB - 4 * K - 256 * K - 244 * K);
	assert_int_equal(gsim_destroy_process(&g, t1.proc), STATUS_SUCCESS);
	r = qvmi(&g, t2.proc, ad2, LOCAL);
	assert_int_equal(r.available_for_reservation, MB - 4 * K);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);

	/*
	 * The budget at the whole IO space: a discarded allocation keeps its
	 * range, so discarding makes no room for a new one, and a reclaim
	 * (in place) needs none.
	 */
	{
		const char *const whole[] = { "--adapter", "cpu", NULL };
		uint32_t hs[80], n = 0, pq;

		daemon_start_args(&d, whole);
		guest_up(&g, &d, 1);
		make_tree(&g, &t1);
		pq = paging_queue(&g, t1.proc, t1.dev);
		while (n < 80 && mem_create(&g, t1.proc, t1.dev, MB, 1, 0, 0, &hs[n],
					    NULL) == STATUS_SUCCESS)
			n++;
		assert_true(n > 1 && n < 80);
		assert_int_equal(res_offer1(&g, t1.proc, t1.dev, hs[0],
					    D3DKMT_OFFER_PRIORITY_LOW, 0), STATUS_SUCCESS);
		assert_int_equal(mem_create(&g, t1.proc, t1.dev, MB, 1, 0, 0, &x, NULL),
				 STATUS_NO_MEMORY);
		assert_int_equal(residency_of(&g, t1.proc, t1.dev, hs[0]),
				 D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT);
		assert_int_equal(res_reclaim1(&g, t1.proc, t1.dev, pq, hs[0]),
				 D3DDDI_RECLAIM_RESULT_DISCARDED);
		gsim_close(&g);
		assert_int_equal(daemon_stop(&d), 0);
		daemon_cleanup(&d);
	}

	/* Device memory: the Vulkan adapter's LOCAL group. */
	daemon_start_full(&d, dv, false);
	guest_up(&g, &d, 1);
	make_tree(&g, &t1);
	make_tree(&g, &t2);
	assert_int_equal(gsim_open_adapter(&g, 0, &ad1), STATUS_SUCCESS);
	assert_int_equal(reserve(&g, t1.proc, ad1, LOCAL, 4 * MB), STATUS_SUCCESS);
	r = qvmi(&g, t2.proc, ad1, LOCAL);
	assert_int_equal(r.budget, 8 * MB);
	assert_int_equal(r.available_for_reservation, 4 * MB);
	assert_int_equal(mem_create_flags(&g, t2.proc, t2.dev, 6 * MB,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &x),
			 STATUS_QUOTA_EXCEEDED);
	assert_int_equal(mem_create_flags(&g, t2.proc, t2.dev, 4 * MB,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &x),
			 STATUS_SUCCESS);
	assert_int_equal(mem_create_flags(&g, t1.proc, t1.dev, 4 * MB,
					  DXG_OPEN_ALLOC_DEVICE_LOCAL, &y),
			 STATUS_SUCCESS);
	assert_int_equal(g.ctl->stat_device_memory_used, 8 * MB);
	/* The IO space (NON_LOCAL here) is a pool of its own. */
	assert_int_equal(reserve(&g, t2.proc, ad1, D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL,
				 MB), STATUS_SUCCESS);
	assert_int_equal(qvmi(&g, t2.proc, ad1,
			      D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL).current_reservation,
			 MB);
	gsim_close(&g);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* ---- process isolation (docs/dxghost.md "Isolation") ---- */

/* PPid of pid from /proc/PID/stat; -1 when it is gone. */
static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512];
	const char *p;
	int ppid = -1;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the name may hold anything */
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* Whether task stat file path names a live task (not gone, not a zombie). */
static bool task_alive(const char *path)
{
	char buf[512];
	const char *p;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] && p[2] != 'Z' && p[2] != 'X';
}

/*
 * Whether every thread of pid is gone or a zombie within ms milliseconds
 * (a killed process's leader can be a zombie while its threads still run).
 */
static bool process_dies(pid_t pid, int ms)
{
	char dir[64], path[64 + 256 + 8];

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	for (int i = 0; i <= ms / 10; i++) {
		DIR *d = opendir(dir);
		struct dirent *de;
		bool alive = false;

		if (!d)
			return true;
		while (!alive && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/stat", dir, de->d_name);
			alive = task_alive(path);
		}
		closedir(d);
		if (!alive)
			return true;
		usleep(10000);
	}
	return false;
}

/* Whether pid's command line holds "--vm-server ID". */
static bool is_vm_server(pid_t pid, unsigned int id)
{
	char path[64], buf[4096], want[32];
	int wn = snprintf(want, sizeof(want), "--vm-server%c%u", 0, id) + 1;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return memmem(buf, n, want, (size_t)wn) != NULL;
}

/* The children of d's supervisor, or only VM id's server (id != 0) that is not `old`. */
static pid_t find_server(const struct daemon *d, unsigned int id, pid_t old,
			 unsigned int *count)
{
	struct dirent *de;
	pid_t found = -1;
	DIR *dir = opendir("/proc");

	*count = 0;
	assert_non_null(dir);
	while ((de = readdir(dir))) {
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 0 || pid == old || proc_ppid(pid) != d->pid)
			continue;
		(*count)++;
		if (id && is_vm_server(pid, id))
			found = pid;
	}
	closedir(dir);
	return found;
}

/* VM id's server process (not `old`), waiting up to 10 s for it. */
static pid_t vm_server_pid(const struct daemon *d, unsigned int id, pid_t old)
{
	unsigned int n;

	for (int i = 0; i < 1000; i++) {
		pid_t pid = find_server(d, id, old, &n);

		if (pid > 0)
			return pid;
		usleep(10000);
	}
	fail_msg("no server process for vm %u", id);
	return -1;
}

/* Whether /proc/PID/maps, or a link in /proc/PID/fd, names what. */
static bool proc_maps_has(pid_t pid, const char *what)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

static bool proc_fds_have(pid_t pid, const char *what)
{
	char path[64], link[PATH_MAX + 32], target[256];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	assert_non_null(dir);
	while (!found && (de = readdir(dir))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		found = strstr(target, what) != NULL;
	}
	closedir(dir);
	return found;
}

/*
 * In a child running as pw: 0 when none of the servers' /proc/PID/mem and
 * /proc/PID/fd/N (their VM's memfd is DXG_VMS_FD_MEMFD, 4) nor the
 * supervisor's descriptors can be opened, else the number that could.
 */
static int probe_as_user(const struct passwd *pw, pid_t pa, pid_t pb, pid_t sup)
{
	int status, opened = 0;
	pid_t pid = fork();

	if (pid == 0) {
		const pid_t pids[] = { pa, pb, sup };
		char path[64];

		if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
			_exit(100);
		for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
			for (int k = 0; k < 2; k++) {
				int fd;

				snprintf(path, sizeof(path), k ? "/proc/%d/fd/4" :
					 "/proc/%d/mem", (int)pids[i]);
				fd = open(path, O_RDONLY);
				if (fd >= 0) {
					opened++;
					close(fd);
				}
			}
		}
		_exit(opened);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Each VM is served by its own process, a child of the daemon, which
 * holds that VM's memory and descriptors and no other's, runs as an
 * unprivileged user (when the daemon is root) under a seccomp filter with
 * no_new_privs, while the daemon itself never maps a VM's memory.
 */
static void test_vm_servers_isolated(void **state)
{
	struct daemon d;
	struct gsim a, b;
	struct tree ta, tb;
	pid_t pa, pb;
	const struct passwd *nobody = getpwnam("nobody");

	(void)state;
	daemon_start_full(&d, NULL, true);
	guest_up(&a, &d, 1);
	guest_up(&b, &d, 1);
	make_tree(&a, &ta);
	make_tree(&b, &tb);
	pa = vm_server_pid(&d, 1, 0);
	pb = vm_server_pid(&d, 2, 0);
	assert_int_not_equal(pa, pb);
	assert_int_not_equal(a.ctl->host_instance, b.ctl->host_instance);
	for (int i = 0; i < 2; i++) {
		pid_t p = i ? pb : pa;
		const char *own = i ? "dxghost-vm2" : "dxghost-vm1";
		const char *other = i ? "dxghost-vm1" : "dxghost-vm2";

		assert_int_equal(proc_status(p, "Seccomp:"), 2);
		assert_int_equal(proc_status(p, "NoNewPrivs:"), 1);
		if (geteuid() == 0) {
			assert_non_null(nobody);
			assert_int_equal(proc_status(p, "Uid:"), (long)nobody->pw_uid);
			assert_int_equal(proc_status(p, "Gid:"), (long)nobody->pw_gid);
		} else {
			assert_int_equal(proc_status(p, "Uid:"), (long)getuid());
		}
		assert_true(proc_maps_has(p, own));
		assert_true(proc_fds_have(p, own));
		assert_false(proc_maps_has(p, other));
		assert_false(proc_fds_have(p, other));
	}
	/*
	 * What a compromised server could try: another process of the very
	 * user the servers run as cannot open a server's memory, its VM's
	 * memfd through /proc/PID/fd, or the supervisor's descriptors.
	 */
	if (geteuid() == 0)
		assert_int_equal(probe_as_user(nobody, pa, pb, d.pid), 0);
	/* The supervisor holds the connections, never their contents. */
	assert_true(proc_fds_have(d.pid, "dxghost-vm1"));
	assert_false(proc_maps_has(d.pid, "dxghost-vm"));
	assert_int_equal(proc_entries(d.pid, "task"), 1);
	gsim_close(&a);
	gsim_close(&b);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(log_count(&d, "seccomp: denied"), 0);
	daemon_cleanup(&d);
}

/* Waits up to 10 s for a host_instance other than inst, READY. */
static bool new_host_instance(struct gsim *g, uint32_t inst)
{
	for (int i = 0; i < 1000; i++) {
		if (dxg_load_acquire(&g->ctl->host_state) == DXG_PEER_READY &&
		    dxg_load_acquire(&g->ctl->host_instance) != inst)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * One VM's server crashes: that VM sees a GPU reset (a new host_instance,
 * its objects gone, a new handshake served), the other VM is served
 * throughout and keeps its objects.  A VM whose servers keep dying is
 * given up (host_state GONE), still without touching the other.
 */
static void test_vm_server_crash(void **state)
{
	struct daemon d;
	struct gsim a, b;
	struct tree ta, tb, t;
	uint32_t inst_a, inst_b;
	pid_t pa, old;

	(void)state;
	daemon_start_full(&d, NULL, true);
	guest_up(&a, &d, 1);
	guest_up(&b, &d, 1);
	make_tree(&a, &ta);
	make_tree(&b, &tb);
	inst_a = a.ctl->host_instance;
	inst_b = b.ctl->host_instance;
	pa = vm_server_pid(&d, 1, 0);

	assert_int_equal(kill(pa, SIGKILL), 0);
	make_tree(&b, &t);	/* served while A's server is replaced */
	assert_true(new_host_instance(&a, inst_a));
	assert_logged(&d, "was killed by signal 9");
	assert_logged(&d, "vm 1: a new server");
	assert_int_equal(a.ctl->stat_objects, 0);
	assert_int_equal(gsim_handshake(&a, 2), 0);
	assert_int_equal(gsim_destroy_process(&a, ta.proc), STATUS_INVALID_HANDLE);
	make_tree(&a, &t);
	assert_int_equal(b.ctl->host_instance, inst_b);
	assert_int_equal(gsim_destroy_process(&b, tb.proc), STATUS_SUCCESS);

	/* Three more crashes within a minute: A is given up, B is not. */
	for (int i = 0; i < 3; i++) {
		old = pa;
		pa = vm_server_pid(&d, 1, old);
		inst_a = a.ctl->host_instance;
		assert_int_equal(kill(pa, SIGKILL), 0);
		if (i < 2)
			assert_true(new_host_instance(&a, inst_a));
	}
	for (int i = 0; i < 1000 && a.ctl->host_state != DXG_PEER_GONE; i++)
		usleep(10000);
	assert_int_equal(a.ctl->host_state, DXG_PEER_GONE);
	assert_logged(&d, "vm 1: its servers keep dying; its GPU is gone");
	make_tree(&b, &t);
	assert_int_equal(b.ctl->host_instance, inst_b);
	gsim_close(&a);
	gsim_close(&b);
	assert_true(daemon_alive(&d));
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/*
 * A server that is not ready in time (--vm-ready-timeout; 1 ms is shorter
 * than any server takes to exec and open its Vulkan device) is killed and
 * QEMU's connection closed: the VM never gets a handshake; the daemon
 * lives on and treats the next VM the same way.
 */
static void test_vm_server_not_ready(void **state)
{
	struct daemon d;
	struct gsim g;

	(void)state;
	daemon_start_full(&d, (const char *[]){ "--vm-ready-timeout", "1", NULL },
			  true);
	for (int i = 0; i < 2; i++) {
		assert_int_not_equal(gsim_connect(&g, d.sock), 0);
		gsim_close(&g);
	}
	assert_logged(&d, "vm 1: its server (process ");
	assert_logged(&d, "was not ready within 1 ms; killing it");
	assert_logged(&d, "vm 2: its server (process ");
	assert_true(daemon_alive(&d));
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/*
 * Fairness between VMs on one shared engine (a test of order, not time):
 * VM A floods its engine with long command buffers and makes allocations
 * while they run; VM B's small job, submitted after all of A's, completes
 * while A still has queued work.  In both isolation modes: a server process
 * per VM, or one process whose devices each have their own worker.
 */
#define FLOOD_BUFS	4u
#define FLOOD_FILLS	48u	/* 576 MiB written per buffer */
#define FLOOD_STRIDE	(2 * PG / FLOOD_BUFS)	/* in the 2-page command page */
#define FLOOD_SIZE	(12u << 20)	/* 4 of them fit the default IO space */

static void vms_fair(const char *isolation)
{
	const char *const args[] = { "--adapter", "cpu", "--isolation", isolation,
				     NULL };
	struct daemon d;
	struct gsim ga, gb;
	struct job_env a, b;
	struct mapped big[FLOOD_BUFS], small, extra;
	uint32_t ad_a, ad_b, len;
	uint64_t a_done;

	daemon_start_args(&d, args);
	guest_up(&ga, &d, 1);
	guest_up(&gb, &d, 1);
	assert_int_equal(gsim_open_adapter(&ga, 0, &ad_a), STATUS_SUCCESS);
	assert_int_equal(gsim_open_adapter(&gb, 0, &ad_b), STATUS_SUCCESS);
	job_env_make(&ga, ad_a, &a);
	job_env_make(&gb, ad_b, &b);
	for (uint32_t i = 0; i < FLOOD_BUFS; i++)
		map_new(&ga, ad_a, &a.t, FLOOD_SIZE, &big[i]);
	map_new(&gb, ad_b, &b.t, PG, &small);

	/* A's flood: every buffer queued, each followed by its signal. */
	for (uint32_t i = 0; i < FLOOD_BUFS; i++) {
		len = write_fills(a.cmd.cpu + i * FLOOD_STRIDE, FLOOD_FILLS,
				  big[i].va, FLOOD_SIZE, 0x01010101u * (i + 1));
		assert_true(len <= FLOOD_STRIDE);
		submit_async(&ga, a.t.proc, a.t.ctx, a.cmd.va + i * FLOOD_STRIDE, len);
		assert_int_equal(sync_signal(&ga, a.t.proc, a.t.dev, a.t.ctx,
					     a.fence, i + 1, true), 0);
	}
	/* And allocations while it runs. */
	for (int i = 0; i < 16; i++)
		map_new(&ga, ad_a, &a.t, PG, &extra);

	/* B's one small job, after all of A's: it does not wait for them. */
	len = write_fills(b.cmd.cpu, 1, small.va, PG, 0x5a5a5a5a);
	submit_async(&gb, b.t.proc, b.t.ctx, b.cmd.va, len);
	assert_int_equal(sync_signal(&gb, b.t.proc, b.t.dev, b.t.ctx, b.fence, 1,
				     true), 0);
	assert_int_equal(wait_fence(&gb, b.storage, 1, 60000), 0);
	a_done = fence_now(&ga, a.storage);
	print_message("isolation %s: VM B's job done while VM A had %llu of %u buffers done\n",
		      isolation, (unsigned long long)a_done, FLOOD_BUFS);
	assert_true(a_done < FLOOD_BUFS);
	assert_int_equal(small.cpu[PG - 1], 0x5a);
	/* A's work all completes, in order. */
	assert_int_equal(wait_fence(&ga, a.storage, FLOOD_BUFS, 120000), 0);
	assert_int_equal(big[FLOOD_BUFS - 1].cpu[FLOOD_SIZE - 1], FLOOD_BUFS);
	gsim_close(&ga);
	gsim_close(&gb);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

static void test_vms_fair(void **state)
{
	(void)state;
	vms_fair("process");
	vms_fair("none");
}

#define SERVER_CYCLES	20

/*
 * VMs that die with work in flight, under process isolation: each one's
 * server exits with it (the whole VM's state goes with the process), and
 * the supervisor is back to its descriptors and its single thread, with
 * no server process left behind.
 */
static void test_vm_server_kill_cycles(void **state)
{
	struct daemon d;
	long fds0, fds = -1;
	unsigned int children = 1;
	char what[64];

	(void)state;
	daemon_start_full(&d, NULL, true);
	assert_logged(&d, "listening on");
	fds0 = proc_entries(d.pid, "fd");
	for (int i = 0; i < SERVER_CYCLES; i++)
		kill_cycle(&d);
	snprintf(what, sizeof(what), "vm %u disconnected", SERVER_CYCLES);
	assert_logged(&d, what);
	for (int i = 0; i < 1000 && (children || fds != fds0); i++) {
		find_server(&d, 0, 0, &children);
		fds = proc_entries(d.pid, "fd");
		if (children || fds != fds0)
			usleep(10000);
	}
	print_message("%u VMs killed under process isolation: supervisor fds %ld -> %ld, %u server processes left\n",
		      SERVER_CYCLES, fds0, fds, children);
	assert_int_equal(children, 0);
	assert_int_equal(fds, fds0);
	assert_int_equal(proc_entries(d.pid, "task"), 1);
	assert_int_equal(log_count(&d, " disconnected: "), SERVER_CYCLES);
	assert_int_equal(log_count(&d, "its server ("), 0);	/* none crashed */
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* ---- the log rate limit, per VM and per level (docs/dxghost.md) ---- */

/* host/util/log.h: DXG_RATELIMIT_BURST lines per level per 5 s window. */
#define HOST_LOG_BURST	10

/* Sums the K of every "vm ID: K warn messages suppressed" line. */
static uint64_t suppressed_in_log(const char *log, unsigned int id)
{
	char pat[48];
	uint64_t sum = 0;
	unsigned int k;
	int len = snprintf(pat, sizeof(pat), "warn: vm %u: ", id);

	for (const char *p = log; (p = strstr(p, pat)); p += len)
		if (sscanf(p + len, "%u warn messages suppressed", &k) == 1)
			sum += k;
	return sum;
}

static void test_log_rate_limit_per_vm(void **state)
{
	struct daemon d;
	struct gsim a, b;
	struct tree ta;
	uint8_t buf[64];
	char line[96];
	uint64_t n;

	(void)state;
	daemon_start_full(&d, NULL, true);
	guest_up(&a, &d, 1);	/* vm 1 */
	guest_up(&b, &d, 1);	/* vm 2 */
	make_tree(&a, &ta);
	assert_int_equal(a.ctl->stat_log_suppressed, 0);

	/*
	 * A makes the host warn 80 times: async signals of a sync object that
	 * does not exist (as when another thread just destroyed it) and
	 * packets that are not in-band.  At most 10 per 5 s are printed.
	 */
	for (int i = 0; i < 40; i++)
		assert_int_equal(sync_signal(&a, ta.proc, ta.dev, 0, 0x7fffffc0u,
					     1, true), 0);
	memset(buf, 0, sizeof(buf));
	for (uint64_t id = 100; id < 140; id++) {
		assert_int_equal(gsim_send(&a, DXG_PKT_COMPLETION, 1, id, buf,
					   sizeof(buf)), 0);
		assert_int_equal(recv_status(&a, id), STATUS_INVALID_PARAMETER);
	}
	n = dxg_read_once(a.ctl->stat_log_suppressed);
	assert_true(n > 0 && n <= 80 - HOST_LOG_BURST);
	assert_logged(&d, "vm 1: async command 26 failed: 0xc0000008");
	/* A's flood left B's limiter alone: B's warning is printed. */
	assert_int_equal(b.ctl->stat_log_suppressed, 0);
	assert_int_equal(gsim_send(&b, DXG_PKT_COMPLETION, 1, 7, buf, sizeof(buf)), 0);
	assert_int_equal(recv_status(&b, 7), STATUS_INVALID_PARAMETER);
	snprintf(line, sizeof(line), "warn: vm 2: bad packet (type %u, not in-band)",
		 DXG_PKT_COMPLETION);
	assert_logged(&d, line);
	assert_int_equal(b.ctl->stat_log_suppressed, 0);
	/* A's warnings do not mute its other levels. */
	assert_int_equal(gsim_handshake(&a, 2), 0);
	assert_logged(&d, "info: vm 1: guest generation 2 ready");
	n = dxg_read_once(a.ctl->stat_log_suppressed);

	/* A goes: what it had suppressed is reported, naming A and the level. */
	gsim_close(&a);
	assert_logged(&d, "vm 1 disconnected");
	assert_int_equal(suppressed_in_log(daemon_log(&d), 1), n);
	assert_int_equal(b.ctl->stat_log_suppressed, 0);
	gsim_close(&b);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(suppressed_in_log(daemon_log(&d), 2), 0);
	daemon_cleanup(&d);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_smoke, kill_leftovers),
		cmocka_unit_test_teardown(test_help_and_options, kill_leftovers),
		cmocka_unit_test_teardown(test_handshake_control_page, kill_leftovers),
		cmocka_unit_test_teardown(test_heartbeat, kill_leftovers),
		cmocka_unit_test_teardown(test_takeover, kill_leftovers),
		cmocka_unit_test_teardown(test_takeover_nothing, kill_leftovers),
		cmocka_unit_test_teardown(test_luids_differ_between_daemons, kill_leftovers),
		cmocka_unit_test_teardown(test_round_trips, kill_leftovers),
		cmocka_unit_test_teardown(test_stats_after_destroy_and_disconnect, kill_leftovers),
		cmocka_unit_test_teardown(test_malformed_traffic, kill_leftovers),
		cmocka_unit_test_teardown(test_two_vms_isolated, kill_leftovers),
		cmocka_unit_test_teardown(test_rehandshake_and_guest_gone, kill_leftovers),
		cmocka_unit_test_teardown(test_sigterm, kill_leftovers),
		cmocka_unit_test_teardown(test_socket_file_handling, kill_leftovers),
		cmocka_unit_test_teardown(test_socket_access, kill_leftovers),
		cmocka_unit_test_teardown(test_max_vms, kill_leftovers),
		cmocka_unit_test_teardown(test_object_quota, kill_leftovers),
		cmocka_unit_test_teardown(test_memory, kill_leftovers),
		cmocka_unit_test_teardown(test_update_gpuva, kill_leftovers),
		cmocka_unit_test_teardown(test_device_local, kill_leftovers),
		cmocka_unit_test_teardown(test_image_layout, kill_leftovers),
		cmocka_unit_test_teardown(test_residency, kill_leftovers),
		cmocka_unit_test_teardown(test_pipelined_and_parking, kill_leftovers),
		cmocka_unit_test_teardown(test_full_reply_ring, kill_leftovers),
		cmocka_unit_test_teardown(test_escape_pipelines, kill_leftovers),
		cmocka_unit_test_teardown(test_windows_mode, kill_leftovers),
		cmocka_unit_test_teardown(test_sync, kill_leftovers),
		cmocka_unit_test_teardown(test_fence_commands, kill_leftovers),
		cmocka_unit_test_teardown(test_exec_off_loop, kill_leftovers),
		cmocka_unit_test_teardown(test_device_residency, kill_leftovers),
		cmocka_unit_test_teardown(test_reservations, kill_leftovers),
		cmocka_unit_test_teardown(test_vm_kill_cycles, kill_leftovers),
		cmocka_unit_test_teardown(test_vm_servers_isolated, kill_leftovers),
		cmocka_unit_test_teardown(test_vm_server_crash, kill_leftovers),
		cmocka_unit_test_teardown(test_vm_server_not_ready, kill_leftovers),
		cmocka_unit_test_teardown(test_vm_server_kill_cycles, kill_leftovers),
		cmocka_unit_test_teardown(test_vms_fair, kill_leftovers),
		cmocka_unit_test_teardown(test_log_rate_limit_per_vm, kill_leftovers),
	};

	dxghost_path = argc > 1 ? argv[1] : getenv("DXGHOST");
	if (!dxghost_path) {
		fprintf(stderr, "usage: test_host PATH-TO-DXGHOST\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
