// SPDX-License-Identifier: MIT
/*
 * dxghost: the opendxg host daemon.  One event-loop thread, one epoll set:
 * the listening socket, a signalfd, and per VM its QEMU connection, the two
 * eventfds the guest rings and the eventfd its engine workers write when a
 * job is done (each device's command buffers run on a worker thread of its
 * own, exec/worker.h, so a long kernel never stalls this loop).  VMs that
 * are busy are polled and park after a short idle spin (spec §5.1).  While
 * any VM polls, the loop spins on the guest->host rings' indices (spin())
 * and looks at epoll only every DXG_SPIN_EPOLL_NS, so no system call sits
 * between a request and its reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/channel.h"
#include "server/handover.h"
#include "server/heartbeat.h"
#include "server/ivshmem_server.h"
#include "server/options.h"
#include "server/qemu_ram.h"
#include "server/sandbox.h"
#include "server/supervisor.h"
#include "server/vm.h"
#include "util/log.h"

enum watch_kind {
	W_LISTEN, W_SIGNAL, W_HANDOVER, W_SUPERVISOR,
	W_SOCK, W_RING, W_STATE, W_JOBS,
};

struct watch {
	enum watch_kind kind;
	struct vm_entry *e;
};

struct vm_entry {
	struct dxg_vm *vm;
	struct watch w[4];	/* socket, ring vector, state vector, jobs */
	bool dead;
};

struct host {
	struct dxg_options opt;
	struct dxg_vm_config cfg;
	int epfd, listen_fd, sig_fd;
	int handover_fd;	/* SOCKET.handover; -1: none */
	int handover_conn;	/* the daemon we handed over to; -1: none */
	bool handed_over;	/* exit without telling the guests */
	struct watch listen_w, sig_w, handover_w, supervisor_w;
	struct vm_entry **vms;	/* max_vms slots */
	struct dxg_heartbeat hb;	/* host_heartbeat of each VM in vms */
	unsigned int next_id;
	unsigned int spin_next;	/* round-robin start of the busy loop */
	bool stop;
};

/* How long the busy loop runs before it looks at epoll again. */
#define DXG_SPIN_EPOLL_NS	20000ull
/* Passes over the rings between two clock reads in the busy loop. */
#define DXG_SPIN_CLOCK_EVERY	32u

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static int watch_fd(struct host *h, int fd, struct watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	return epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int watch_vm(struct host *h, struct vm_entry *e)
{
	const int fds[4] = { e->vm->sock, e->vm->host_efd[DXG_IVSHMEM_VEC_RING],
			     e->vm->host_efd[DXG_IVSHMEM_VEC_STATE],
			     dxg_sched_wake_fd(&e->vm->sched) };
	const enum watch_kind kinds[4] = { W_SOCK, W_RING, W_STATE, W_JOBS };
	int ret = 0;

	for (int i = 0; i < 4 && !ret; i++) {
		e->w[i].kind = kinds[i];
		e->w[i].e = e;
		ret = watch_fd(h, fds[i], &e->w[i]);
	}
	return ret;
}

/* The eventfds are shared with QEMU: remove them from epoll explicitly. */
static void unwatch_vm(struct host *h, struct vm_entry *e)
{
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, e->vm->sock, NULL);
	for (int i = 0; i < DXG_IVSHMEM_NUM_VECTORS; i++)
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, e->vm->host_efd[i], NULL);
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, dxg_sched_wake_fd(&e->vm->sched), NULL);
}

static int free_slot(struct host *h)
{
	for (unsigned int i = 0; i < h->opt.max_vms; i++)
		if (!h->vms[i])
			return (int)i;
	return -1;
}

static int start_vm(struct host *h, int fd, int slot)
{
	struct vm_entry *e = calloc(1, sizeof(*e));
	int ret = e ? dxg_vm_create(&h->cfg, ++h->next_id, fd, &e->vm) : -ENOMEM;

	struct dxg_vm_handover hv;

	if (!ret) {
		dxg_vm_handover_fds(e->vm, &hv);
		ret = dxg_server_handshake(&hv);
	}
	if (!ret)
		ret = fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ? -errno : 0;
	if (!ret)
		ret = watch_vm(h, e);
	if (ret) {
		log_warn("vm connection failed: %s", strerror(-ret));
		if (e && e->vm) {
			unwatch_vm(h, e);
			dxg_vm_destroy(e->vm);	/* closes fd too */
		} else if (!e) {
			close(fd);
		}
		free(e);
		return ret;
	}
	h->vms[slot] = e;
	dxg_heartbeat_add(&h->hb, (unsigned int)slot, &e->vm->ctl->host_heartbeat);
	log_info("vm %u connected (%llu MiB shared memory, %u adapters)",
		 e->vm->id, (unsigned long long)(e->vm->shm_size >> 20),
		 h->opt.adapters.count);
	return 0;
}

static void on_accept(struct host *h)
{
	int fd, slot;

	while ((fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		dxg_server_conn_setup(fd);
		slot = free_slot(h);
		if (slot < 0) {
			log_warn("refusing a VM: --max-vms %u reached", h->opt.max_vms);
			close(fd);
			continue;
		}
		start_vm(h, fd, slot);
	}
	if (errno != EAGAIN && errno != EINTR)
		log_warn("accept: %s", strerror(errno));
}

static void on_sock(struct vm_entry *e)
{
	char buf[256];
	ssize_t n;

	/* QEMU sends nothing after the handshake; EOF means it went away. */
	while ((n = read(e->vm->sock, buf, sizeof(buf))) > 0)
		;
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		e->dead = true;
}

/*
 * SIGUSR1: one status line per adapter and one for the VMs, for operators
 * and for the tests that check that nothing a VM held outlives it.
 */
static void log_status(struct host *h)
{
	unsigned int vms = 0;
	unsigned long long objects = 0;

	for (unsigned int i = 0; i < h->opt.max_vms; i++) {
		if (!h->vms[i] || h->vms[i]->dead)
			continue;
		vms++;
		objects += dxg_load_acquire(&h->vms[i]->vm->ctl->stat_objects);
	}
	log_info("status: %u VMs connected, %llu host objects", vms, objects);
	for (uint32_t i = 0; i < h->opt.adapters.count; i++) {
		const struct dxg_adapter *ad = &h->opt.adapters.list[i];
		long vk = dxg_adapter_vk_objects(ad);

		if (vk >= 0)
			log_info("status: adapter %u (%s): %ld Vulkan objects",
				 i, ad->description, vk);
		else
			log_info("status: adapter %u (%s): no Vulkan device",
				 i, ad->description);
	}
}

static void on_signal(struct host *h)
{
	struct signalfd_siginfo si;

	while (read(h->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			log_status(h);
			continue;
		}
		log_info("signal %u: shutting down", si.ssi_signo);
		h->stop = true;
	}
}

/*
 * Another dxghost (--takeover) asks for the VMs: send them and stop.  The
 * connection stays open until this process exits, which tells the new one
 * that nothing here touches the VMs any more.
 */
static void on_handover(struct host *h)
{
	struct vm_entry *e;
	struct dxg_vm_handover *vms = calloc(h->opt.max_vms, sizeof(*vms));
	unsigned int n = 0;
	int conn, ret;

	conn = accept4(h->handover_fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		free(vms);
		return;
	}
	ret = vms ? dxg_handover_check_peer(conn) : -ENOMEM;
	for (unsigned int i = 0; !ret && i < h->opt.max_vms; i++) {
		e = h->vms[i];
		if (e && !e->dead)
			dxg_vm_handover_fds(e->vm, &vms[n++]);
	}
	if (!ret)
		ret = dxg_handover_send(conn, h->listen_fd, vms, n, h->next_id + 1);
	free(vms);
	if (ret) {
		log_warn("handover refused or failed: %s; serving on", strerror(-ret));
		close(conn);
		return;
	}
	log_info("handed %u VMs over to the new dxghost; exiting", n);
	h->handover_conn = conn;
	h->handed_over = true;
	h->stop = true;
}

static void on_event(struct host *h, struct watch *w, uint32_t events)
{
	struct vm_entry *e = w->e;

	switch (w->kind) {
	case W_LISTEN:
		on_accept(h);
		return;
	case W_HANDOVER:
		on_handover(h);
		return;
	case W_SIGNAL:
		on_signal(h);
		return;
	case W_SUPERVISOR:
		/*
		 * Nothing is ever sent this way: EOF, the supervisor is gone
		 * (killed: SIGKILL reaches us too, as its parent-death
		 * signal).  Exit as that kill would, without saying GONE, so
		 * that the guest sees the same whichever comes first: the
		 * heartbeat stops.
		 */
		log_info("vm server: the supervisor went away; stopping");
		h->handed_over = true;
		h->stop = true;
		return;
	case W_SOCK:
		if (events & (EPOLLHUP | EPOLLERR))
			e->dead = true;
		else
			on_sock(e);
		return;
	case W_JOBS:
		/* Also after the guest went: the jobs are freed here. */
		dxg_channel_jobs_done(e->vm, dxg_now_ns());
		return;
	case W_RING:
	case W_STATE:
		if (e->dead)
			return;
		dxg_eventfd_drain(e->vm->host_efd[w->kind == W_RING ?
			DXG_IVSHMEM_VEC_RING : DXG_IVSHMEM_VEC_STATE]);
		/* With vectors=1 a state change can arrive on vector 0 too. */
		dxg_vm_check_state(e->vm);
		dxg_channel_kick(e->vm, dxg_now_ns());
		return;
	}
}

static void remove_vm(struct host *h, unsigned int slot)
{
	struct vm_entry *e = h->vms[slot];
	unsigned int id = e->vm->id;
	unsigned long long reqs = (unsigned long long)e->vm->requests;
	/* A guest that unloaded cleanly tore every GPADL down (tests read it). */
	uint32_t gpadls = e->vm->mem.gpadls.count, freed;

	unwatch_vm(h, e);
	dxg_heartbeat_remove(&h->hb, slot);
	freed = dxg_vm_destroy(e->vm);
	free(e);
	h->vms[slot] = NULL;
	log_info("vm %u disconnected: %u objects freed, %u GPADLs left, %llu requests served",
		 id, freed, gpadls, reqs);
}

/* Poll busy VMs, reap dead ones; returns the next epoll timeout. */
static int housekeeping(struct host *h)
{
	uint64_t now = dxg_now_ns();
	int timeout = -1;

	for (unsigned int i = 0; i < h->opt.max_vms; i++) {
		struct vm_entry *e = h->vms[i];

		if (!e)
			continue;
		if (e->dead) {
			remove_vm(h, i);
			/* A VM server's one VM went: its work is done. */
			if (h->opt.vm_server)
				h->stop = true;
			continue;
		}
		dxg_channel_poll(e->vm, now);
		if (e->vm->reply_pending && timeout < 0)
			timeout = 1;
		else if (e->vm->polling && !e->vm->reply_pending)
			timeout = 0;
	}
	return timeout;
}

/* A VM the busy loop may serve: polling, no reply waiting for room. */
static bool spinnable(const struct vm_entry *e)
{
	return e && !e->dead && e->vm->serving && e->vm->polling &&
	       !e->vm->reply_pending;
}

/*
 * The busy path (spec §5.1, dxghost polling): spin on the guest->host rings
 * of the polling VMs with plain loads, round-robin, and serve a VM as soon
 * as it has work; a VM idle for DXG_CHANNEL_SPIN_NS gets one more polling
 * step, which parks it (mask = 0, barrier, re-check) exactly as before.
 * Returns after DXG_SPIN_EPOLL_NS, or when no VM is left polling, so that
 * epoll (new connections, signals, doorbells of parked VMs, QEMU sockets)
 * and the housekeeping of the other VMs still run regularly.
 */
static void spin(struct host *h)
{
	const unsigned int nvm = h->opt.max_vms;
	uint64_t start = dxg_now_ns(), now = start;

	for (unsigned int pass = 1;; pass++) {
		unsigned int first = h->spin_next;
		bool any = false;

		h->spin_next = first + 1 < nvm ? first + 1 : 0;
		for (unsigned int k = 0; k < nvm; k++) {
			unsigned int i = first + k < nvm ? first + k : first + k - nvm;
			struct vm_entry *e = h->vms[i];
			uint64_t last;

			if (!spinnable(e))
				continue;
			any = true;
			last = e->vm->last_work_ns;
			if (dxg_channel_has_work(e->vm) ||
			    (now > last && now - last >= DXG_CHANNEL_SPIN_NS)) {
				now = dxg_now_ns();
				dxg_channel_poll(e->vm, now);
			}
		}
		if (!any)
			return;
		if (pass % DXG_SPIN_CLOCK_EVERY == 0) {
			now = dxg_now_ns();
			if (now - start >= DXG_SPIN_EPOLL_NS)
				return;
		}
		cpu_relax();
	}
}

static int run(struct host *h)
{
	struct epoll_event evs[32];
	int timeout = -1;

	while (!h->stop) {
		if (timeout == 0)
			spin(h);
		int n = epoll_wait(h->epfd, evs, 32, timeout);

		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++)
			on_event(h, evs[i].data.ptr, evs[i].events);
		timeout = housekeeping(h);
	}
	return 0;
}

static void shutdown_all(struct host *h)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];

	for (unsigned int i = 0; i < h->opt.max_vms; i++) {
		if (!h->vms[i])
			continue;
		/* Handed over: the guests are the new daemon's to tell. */
		if (!h->handed_over)
			dxg_vm_announce_gone(h->vms[i]->vm);
		remove_vm(h, i);
	}
	dxg_heartbeat_stop(&h->hb);
	if (h->handover_fd >= 0) {
		close(h->handover_fd);
		if (!dxg_handover_path(h->opt.socket_path, path, sizeof(path)))
			unlink(path);
	}
	/*
	 * Ours to remove only when we listen on it (not after a failed
	 * --takeover: it is the running daemon's) and did not hand it over.
	 */
	if (h->listen_fd >= 0) {
		close(h->listen_fd);
		if (!h->handed_over)
			unlink(h->opt.socket_path);
	}
	close(h->sig_fd);
	close(h->epfd);
	free(h->vms);
}

static int setup_signals(struct host *h)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	h->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return h->sig_fd < 0 ? -errno : 0;
}

static int setup(struct host *h)
{
	int ret;

	h->vms = calloc(h->opt.max_vms, sizeof(*h->vms));
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!h->vms || h->epfd < 0)
		return -ENOMEM;
	h->listen_fd = h->handover_fd = h->handover_conn = -1;
	ret = setup_signals(h);
	if (!ret)	/* after the signal mask: the thread inherits it */
		ret = dxg_heartbeat_start(&h->hb, h->opt.max_vms);
	if (ret)
		return ret;
	h->listen_w.kind = W_LISTEN;
	h->sig_w.kind = W_SIGNAL;
	h->handover_w.kind = W_HANDOVER;
	ret = watch_fd(h, h->sig_fd, &h->sig_w);
	/*
	 * --takeover: the socket comes from the running daemon (takeover());
	 * a VM server listens nowhere.
	 */
	if (ret || h->opt.takeover || h->opt.vm_server)
		return ret;
	h->listen_fd = dxg_server_listen(h->opt.socket_path, &h->opt.socket_access);
	if (h->listen_fd < 0) {
		ret = h->listen_fd;
		if (ret == -EADDRINUSE)
			log_err("%s: another dxghost is listening there",
				h->opt.socket_path);
		else
			log_err("%s: %s", h->opt.socket_path, strerror(-ret));
		return ret;
	}
	return watch_fd(h, h->listen_fd, &h->listen_w);
}

/* Where the next dxghost --takeover finds us. */
static int listen_handover(struct host *h)
{
	int fd = dxg_handover_listen(h->opt.socket_path);

	if (fd < 0) {
		log_err("%s.handover: %s", h->opt.socket_path, strerror(-fd));
		return fd;
	}
	h->handover_fd = fd;
	return watch_fd(h, fd, &h->handover_w);
}

/*
 * A VM another process served (its fds are the VM's from here, or closed):
 * laid out afresh with our host_instance, so its guest sees a GPU reset.
 */
static int adopt_vm(struct host *h, struct dxg_vm_handover *hv)
{
	int slot = free_slot(h), ret;
	struct vm_entry *e = slot >= 0 ? calloc(1, sizeof(*e)) : NULL;

	if (!e) {
		log_warn("no room for vm %u (--max-vms %u)", hv->id,
			 h->opt.max_vms);
		return -ENOSPC;	/* hv's fds stay the caller's */
	}
	if (hv->id > h->next_id)
		h->next_id = hv->id;
	ret = dxg_vm_adopt(&h->cfg, hv, &e->vm);
	hv->sock = hv->memfd = -1;	/* the VM's now, or closed */
	for (unsigned int k = 0; k < DXG_IVSHMEM_NUM_VECTORS; k++)
		hv->host_efd[k] = hv->guest_efd[k] = -1;
	if (ret) {
		log_warn("vm %u: %s", hv->id, strerror(-ret));
		free(e);
		return ret;
	}
	ret = watch_vm(h, e);
	if (ret) {
		unwatch_vm(h, e);
		dxg_vm_destroy(e->vm);
		free(e);
		return ret;
	}
	h->vms[slot] = e;
	dxg_heartbeat_add(&h->hb, (unsigned int)slot, &e->vm->ctl->host_heartbeat);
	return 0;
}

/* --takeover: the running daemon's socket and VMs become ours. */
static int takeover(struct host *h)
{
	struct dxg_handover_state st;
	char err[256] = "";
	unsigned int adopted = 0;
	int ret;

	log_info("taking over from the dxghost on %s", h->opt.socket_path);
	ret = dxg_handover_receive(h->opt.socket_path, 60000, &st, err,
				   sizeof(err));
	if (ret) {
		log_err("takeover: %s", err);
		return ret;
	}
	h->listen_fd = st.listen_fd;
	st.listen_fd = -1;
	h->next_id = st.next_id ? st.next_id - 1 : 0;
	ret = watch_fd(h, h->listen_fd, &h->listen_w);
	for (unsigned int i = 0; !ret && i < st.count; i++) {
		unsigned int id = st.vms[i].id;
		int r = adopt_vm(h, &st.vms[i]);

		if (r == -ENOMEM || r == -EMFILE)
			ret = r;	/* nothing else will fit either */
		else if (!r && ++adopted)
			log_info("vm %u taken over: its guest sees a GPU reset", id);
	}
	dxg_handover_state_free(&st);
	if (!ret)
		log_info("took over %u VMs", adopted);
	return ret;
}

/*
 * The guest's RAM (docs/memory.md §11): this process opens QEMU's memfd
 * itself, or a VM server (which cannot) asks its supervisor for it.
 */
static int ram_from_qemu(const struct dxg_vm *vm, char *why, size_t len)
{
	return dxg_qemu_ram_open(vm->sock, why, len);
}

static int ram_from_supervisor(const struct dxg_vm *vm, char *why, size_t len)
{
	(void)vm;
	return dxg_vms_request_ram(why, len);
}

/*
 * --vm-server: the supervisor's descriptors (server/supervisor.h) are one
 * VM; serve it, confined, and say so.  The VM's connection stays open in
 * the supervisor, so a server that dies can be replaced.
 */
static int serve_inherited_vm(struct host *h)
{
	struct dxg_vm_handover hv = { .id = h->opt.vm_server_id,
		.sock = DXG_VMS_FD_SOCK, .memfd = DXG_VMS_FD_MEMFD };
	const char ready = DXG_VMS_READY;
	char err[256] = "";
	int ret;

	for (unsigned int k = 0; k < DXG_IVSHMEM_NUM_VECTORS; k++) {
		hv.host_efd[k] = DXG_VMS_FD_HOST_EFD + (int)k;
		hv.guest_efd[k] = DXG_VMS_FD_GUEST_EFD + (int)k;
	}
	for (int fd = DXG_VMS_FD_SOCK; fd <= DXG_VMS_FD_SUPERVISOR; fd++) {
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			log_err("--vm-server is started by dxghost itself (descriptor %d: %s)",
				fd, strerror(errno));
			return -EBADF;
		}
	}
	h->supervisor_w.kind = W_SUPERVISOR;
	ret = watch_fd(h, DXG_VMS_FD_SUPERVISOR, &h->supervisor_w);
	if (!ret)
		ret = fcntl(hv.sock, F_SETFL, O_NONBLOCK) < 0 ? -errno : 0;
	if (!ret)
		ret = adopt_vm(h, &hv);
	if (ret) {
		log_err("vm %u: %s", hv.id, strerror(-ret));
		return ret;
	}
	/* Last before serving: nothing the guest wrote has been read yet. */
	ret = dxg_sandbox_seccomp(err, sizeof(err));
	if (ret) {
		log_err("vm %u: %s", hv.id, err);
		return ret;
	}
	if (write(DXG_VMS_FD_SUPERVISOR, &ready, 1) != 1)
		return -errno;
	return 0;
}

static uint32_t random_luid_high(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)getpid() ^ (uint32_t)dxg_now_ns();
	return v ? v : 1;
}

int main(int argc, char **argv)
{
	static struct host h;
	char err[256] = "";
	int ret = dxg_options_parse(&h.opt, argc, argv, random_luid_high());

	if (ret != DXG_OPT_RUN)
		return ret == DXG_OPT_EXIT_OK ? 0 : 2;
	dxg_log_set_level(h.opt.log_level);
	if (h.opt.isolate && !h.opt.vm_server)
		return dxg_supervisor_run(&h.opt, argc, argv);
	if (h.opt.vm_server) {
		/* One VM, never a listener or a taker-over; unprivileged first. */
		h.opt.max_vms = 1;
		h.opt.takeover = false;
		if (dxg_sandbox_drop_user(h.opt.vm_user, err, sizeof(err))) {
			log_err("vm %u: %s", h.opt.vm_server_id, err);
			return 1;
		}
	}
	h.cfg.shm_size = h.opt.shm_size;
	h.cfg.max_objects = h.opt.max_objects;
	h.cfg.device_memory = h.opt.device_memory;
	h.cfg.io_budget = h.opt.io_budget;
	h.cfg.windows = h.opt.windows;
	h.cfg.no_async = h.opt.no_async;
	h.cfg.interface_version = h.opt.interface_version;
	h.cfg.adapters = &h.opt.adapters;
	/* One VM per process here, or every VM in one: see options.c. */
	h.opt.adapters.device_address = h.opt.vm_server &&
					!h.opt.no_device_address;
	h.cfg.instance = random_luid_high();	/* non-zero, this process's */
	h.cfg.guest_ram = h.opt.vm_server ? ram_from_supervisor : ram_from_qemu;
	if (setup(&h))
		return 1;
	/*
	 * After setup(): Vulkan drivers start threads, which must inherit the
	 * blocked SIGTERM/SIGINT that only our signalfd takes.
	 */
	if (dxg_adapters_open(&h.opt.adapters, err, sizeof(err)) < 0) {
		log_err("%s", err);
		shutdown_all(&h);
		dxg_adapters_close(&h.opt.adapters);
		return 1;
	}
	/* Only now: the old daemon serves while our Vulkan devices open. */
	if (h.opt.vm_server ? serve_inherited_vm(&h) :
	    (h.opt.takeover && takeover(&h)) || listen_handover(&h)) {
		shutdown_all(&h);
		dxg_adapters_close(&h.opt.adapters);
		return 1;
	}
	for (uint32_t i = 0; i < h.opt.adapters.count; i++)
		log_info("%sadapter %u: %s (%s)", h.opt.vm_server ? "vm server: " : "",
			 i, h.opt.adapters.list[i].description,
			 h.opt.adapters.list[i].kind);
	if (!h.opt.vm_server)
		log_info("listening on %s (%u adapters, %llu MiB per VM)",
			 h.opt.socket_path, h.opt.adapters.count,
			 (unsigned long long)(h.opt.shm_size >> 20));
	ret = run(&h);
	shutdown_all(&h);
	dxg_adapters_close(&h.opt.adapters);
	log_info("exiting");
	return ret;
}
