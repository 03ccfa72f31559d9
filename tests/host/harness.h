/* SPDX-License-Identifier: MIT */
/*
 * The harness shared by the host tests (test_host, test_hostile): dxghost
 * (dxghost_path, argv[1] or $DXGHOST) started per test on a private
 * socket, guests brought up with guest_sim, and the calls the tests build
 * their objects with.  Failures are cmocka assertions.
 */
#ifndef DXG_TEST_HARNESS_H
#define DXG_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "guest_sim.h"

#define EXT	16u		/* the extended header before each command */
#define PG	4096u

extern const char *dxghost_path;

struct daemon {
	pid_t pid;
	char dir[64];
	char sock[128];
	char log[128];		/* its stderr, when a test reads it; or "" */
};

/* Children; stderr goes to err_path when it is not NULL. */
pid_t spawn_to(const char *const *argv, const char *err_path);
pid_t spawn(const char *const *argv);
void forget(pid_t pid);
/* cmocka teardown: kills the daemons the test started and left. */
int kill_leftovers(void **state);

void wait_socket(struct daemon *d);
/*
 * Starts dxghost with extra arguments (NULL-terminated); its stderr goes to
 * d->log when logged (daemon_cleanup copies it to ours).
 */
void daemon_start_full(struct daemon *d, const char *const *extra, bool logged);
void daemon_start_args(struct daemon *d, const char *const *extra);
void daemon_start(struct daemon *d);
/* Sends SIGTERM; returns the exit status (or -1 if it died of a signal). */
int daemon_stop(struct daemon *d);
/* What the daemon wrote to d->log so far (static, NUL-terminated). */
const char *daemon_log(struct daemon *d);
/* Waits up to 5 s for the daemon to log what; fails showing its log. */
void assert_logged(struct daemon *d, const char *what);
void daemon_cleanup(struct daemon *d);
int daemon_alive(struct daemon *d);
/* A connected, handshaken guest. */
void guest_up(struct gsim *g, struct daemon *d, uint32_t gen);

int64_t ms_now(void);
/* Entries of /proc/PID/DIR ("fd", "task"); -1 when unreadable. */
long proc_entries(pid_t pid, const char *dir);
/* The number after key ("Uid:") in /proc/PID/status; -1 when absent. */
long proc_status(pid_t pid, const char *key);
/* VmRSS of PID in KiB; -1 when unreadable. */
long proc_rss_kib(pid_t pid);
/* Waits up to 5 s for *p == want; 0 or -ETIMEDOUT. */
int wait_u32(const uint32_t *p, uint32_t want);

/* A process with a device and a context on adapter 0. */
struct tree {
	uint32_t proc, dev, ctx;
};
void make_tree(struct gsim *g, struct tree *t);

/* ---- memory and submission (adapter 0) ---- */

/* One command (len bytes after the extended header); the reply's length. */
int mem_call(struct gsim *g, uint32_t proc, uint32_t type, void *cmd,
	     uint32_t len, void *reply, uint32_t cap);
/* The same, for commands whose reply starts with a status. */
int32_t mem_status(struct gsim *g, uint32_t proc, uint32_t type, void *cmd,
		   uint32_t len);
/*
 * CREATEALLOCATION of n allocations of `size` bytes; per-allocation private
 * data is the opendxg descriptor plus `extra` bytes.  Returns the status.
 */
int32_t mem_create(struct gsim *g, uint32_t proc, uint32_t dev, uint64_t size,
		   uint32_t n, uint32_t flags, uint32_t extra, uint32_t *h,
		   uint32_t *res);
int32_t mem_destroy(struct gsim *g, uint32_t proc, uint32_t dev, uint32_t res,
		    const uint32_t *h, uint32_t n);
/* LOCK2: *off is the allocation's IO-space address (a BAR2 offset). */
int32_t mem_lock(struct gsim *g, uint32_t proc, uint32_t dev, uint32_t h,
		 uint64_t *off);
/* UPDATEGPUVIRTUALADDRESS of n operations with a fence; returns the status. */
int32_t mem_update_fenced(struct gsim *g, uint32_t proc, uint32_t dev,
			  uint32_t ctx, uint32_t fence, uint64_t value,
			  uint32_t flags,
			  const struct d3dddi_updategpuvirtualaddress_operation *ops,
			  uint32_t n, uint32_t claimed);
int32_t mem_update(struct gsim *g, uint32_t proc, uint32_t dev, uint32_t ctx,
		   uint32_t fence,
		   const struct d3dddi_updategpuvirtualaddress_operation *ops,
		   uint32_t n, uint32_t claimed);
struct d3dddi_updategpuvirtualaddress_operation
upd_map(uint64_t va, uint64_t size, uint32_t alloc, uint64_t off);

/* A device's execution state (GETDEVICESTATE, D3DKMT_DEVICEEXECUTION_*). */
uint32_t exec_state(struct gsim *g, uint32_t proc, uint32_t dev);

/* An allocation of `size` bytes mapped at a fresh GPU VA; *cpu maps it here. */
struct mapped {
	uint32_t h;
	uint64_t va;
	uint8_t *cpu;
};
void map_new(struct gsim *g, uint32_t adapter, const struct tree *t,
	     uint64_t size, struct mapped *m);
/* Writes a buffer of n FILLs of [dst, dst + size) at cmd; returns its length. */
uint32_t write_fills(uint8_t *cmd, uint32_t n, uint64_t dst, uint64_t size,
		     uint32_t pattern);
/* An asynchronous SUBMITCOMMAND of [va, va + len) on a context. */
void submit_async(struct gsim *g, uint32_t proc, uint32_t ctx, uint64_t va,
		  uint32_t len);

/* ---- sync objects (docs/sync.md) ---- */

/*
 * CREATESYNCOBJECT of `type` (a monitored fence: its initial value; a CPU
 * notification: its guest event); *storage gets a fence's IO-space page.
 */
int32_t sync_create(struct gsim *g, uint32_t proc, uint32_t dev, uint32_t type,
		    uint64_t init_or_event, uint32_t *h, uint64_t *storage);
/* SIGNALSYNCOBJECT of one object from the CPU (ctx 0) or a context. */
int32_t sync_signal(struct gsim *g, uint32_t proc, uint32_t dev, uint32_t ctx,
		    uint32_t h, uint64_t v, bool async);
/* WAITFORSYNCOBJECTFROMCPU of one fence; `event` is signalled when it is reached. */
int32_t sync_wait_cpu(struct gsim *g, uint32_t proc, uint32_t dev, uint32_t h,
		      uint64_t v, uint64_t event);
/* The next host->guest packet is SIGNALGUESTEVENT(event); 0 if none came. */
uint64_t next_event(struct gsim *g, int timeout_ms);
/* The fence value the host wrote in a fence's IO-space page. */
uint64_t fence_page(struct gsim *g, uint64_t storage);

#endif /* DXG_TEST_HARNESS_H */
