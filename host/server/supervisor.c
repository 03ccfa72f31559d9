// SPDX-License-Identifier: MIT
/*
 * The supervisor of process isolation (supervisor.h).  One thread, one
 * epoll set: the listening socket, a signalfd (SIGTERM, SIGINT, SIGUSR1,
 * SIGCHLD), the handover socket, and per VM QEMU's connection (its EOF)
 * and the socketpair with its server (its ready byte, its EOF).
 */
#include "server/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "server/handover.h"
#include "server/ivshmem_server.h"
#include "server/qemu_ram.h"
#include "util/log.h"

/* A VM whose servers die this often is given up: its GPU is gone. */
#define SUP_RESTARTS_MAX	3u
#define SUP_RESTART_WINDOW_MS	60000ull
/* How long servers get to announce GONE and exit at shutdown. */
#define SUP_STOP_WAIT_MS	5000

enum sup_kind { SW_LISTEN, SW_SIGNAL, SW_HANDOVER, SW_SOCK, SW_SERVER };

struct sup_watch {
	enum sup_kind kind;
	struct sup_vm *v;
};

struct sup_vm {
	struct dxg_vm_handover conn;	/* owned here, for every server */
	pid_t pid;			/* its server; 0: none running */
	int server_fd;			/* our end of the server's socketpair */
	bool ready;			/* the running server serves */
	bool qemu_told;			/* QEMU has the handshake */
	bool taken_over;		/* from another dxghost (--takeover) */
	bool qemu_gone;
	bool dead;			/* freed after this epoll batch */
	uint64_t ready_by_ms;		/* killed when not ready by then */
	unsigned int restarts;		/* in the window below */
	uint64_t window_ms;
	struct sup_watch w_sock, w_server;
};

struct sup {
	const struct dxg_options *opt;
	char **server_argv;		/* ours + --vm-server ID */
	int id_arg;			/* its index of ID */
	int epfd, listen_fd, sig_fd, handover_fd;
	struct sup_watch listen_w, sig_w, handover_w;
	/*
	 * 2 * max_vms slots: a VM whose QEMU went away no longer counts
	 * against --max-vms while its server exits.
	 */
	struct sup_vm **vms;
	unsigned int slots;
	unsigned int next_id;
	bool stop, handed_over;
};

static uint64_t now_ms(void)
{
	return dxg_now_ns() / 1000000u;
}

static int watch(struct sup *s, int fd, struct sup_watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void unwatch(struct sup *s, int fd)
{
	if (fd >= 0)
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void close_server_fd(struct sup *s, struct sup_vm *v)
{
	if (v->server_fd < 0)
		return;
	unwatch(s, v->server_fd);
	close(v->server_fd);
	v->server_fd = -1;
}

/*
 * In the child, between fork and exec: only async-signal-safe calls.  The
 * VM's descriptors go to their fixed numbers (through numbers above them,
 * so that none is overwritten before it moved), everything else closes.
 */
static void exec_server(const struct sup *s, const struct sup_vm *v, int sp,
			pid_t parent)
{
	int src[DXG_VMS_FD_COUNT], tmp[DXG_VMS_FD_COUNT];
	sigset_t none;

	src[DXG_VMS_FD_SOCK - 3] = v->conn.sock;
	src[DXG_VMS_FD_MEMFD - 3] = v->conn.memfd;
	for (unsigned int k = 0; k < DXG_IVSHMEM_NUM_VECTORS; k++) {
		src[DXG_VMS_FD_HOST_EFD - 3 + k] = v->conn.host_efd[k];
		src[DXG_VMS_FD_GUEST_EFD - 3 + k] = v->conn.guest_efd[k];
	}
	src[DXG_VMS_FD_SUPERVISOR - 3] = sp;
	/* A server never outlives the supervisor (SIGKILL: no GONE). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(125);
	for (int i = 0; i < DXG_VMS_FD_COUNT; i++) {
		tmp[i] = fcntl(src[i], F_DUPFD, 3 + DXG_VMS_FD_COUNT);
		if (tmp[i] < 0)
			_exit(126);
	}
	for (int i = 0; i < DXG_VMS_FD_COUNT; i++)
		if (dup2(tmp[i], 3 + i) != 3 + i)	/* without O_CLOEXEC */
			_exit(126);
	close_range(3 + DXG_VMS_FD_COUNT, ~0u, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv("/proc/self/exe", s->server_argv);
	_exit(127);
}

static int spawn_server(struct sup *s, struct sup_vm *v)
{
	char id[16];
	int sp[2], ret;
	pid_t pid, parent = getpid();

	snprintf(id, sizeof(id), "%u", v->conn.id);
	s->server_argv[s->id_arg] = id;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	pid = fork();
	if (pid == 0)
		exec_server(s, v, sp[1], parent);
	close(sp[1]);
	s->server_argv[s->id_arg] = NULL;
	if (pid < 0) {
		ret = -errno;
		close(sp[0]);
		return ret;
	}
	v->pid = pid;
	v->ready = false;
	v->ready_by_ms = now_ms() + s->opt->vm_ready_ms;
	v->server_fd = sp[0];
	v->w_server.kind = SW_SERVER;
	v->w_server.v = v;
	ret = watch(s, v->server_fd, &v->w_server);
	if (ret) {	/* it cannot be told to stop otherwise */
		kill(pid, SIGKILL);
		close_server_fd(s, v);
	}
	log_debug("vm %u: server process %d started", v->conn.id, (int)pid);
	return ret;
}

/*
 * Closes everything of the VM; the struct goes after the epoll batch
 * (sweep()), since events of this batch may still point at it.
 */
static void free_vm(struct sup *s, unsigned int slot)
{
	struct sup_vm *v = s->vms[slot];

	if (!v->qemu_gone)
		unwatch(s, v->conn.sock);
	close_server_fd(s, v);
	dxg_vm_handover_close(&v->conn);
	v->dead = true;
}

static void sweep(struct sup *s)
{
	for (unsigned int i = 0; s->vms && i < s->slots; i++) {
		if (s->vms[i] && s->vms[i]->dead) {
			free(s->vms[i]);
			s->vms[i] = NULL;
		}
	}
}

static int slot_of(const struct sup *s, const struct sup_vm *v)
{
	for (unsigned int i = 0; i < s->slots; i++)
		if (s->vms[i] == v)
			return (int)i;
	return -1;
}

/* A VM nobody will serve any more: its guest is told, then it goes. */
static void give_up(struct sup *s, struct sup_vm *v, const char *why)
{
	log_err("vm %u: %s; its GPU is gone", v->conn.id, why);
	dxg_vm_conn_announce_gone(&v->conn);
	free_vm(s, (unsigned int)slot_of(s, v));
}

/* QEMU's side is closed (it sends nothing after the handshake). */
static bool qemu_closed(struct sup_vm *v)
{
	char c;

	if (v->qemu_gone)
		return true;
	return recv(v->conn.sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

static struct sup_vm *new_vm(struct sup *s, const struct dxg_vm_handover *conn,
			     int slot)
{
	struct sup_vm *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->conn = *conn;
	v->server_fd = -1;
	v->w_sock.kind = SW_SOCK;
	v->w_sock.v = v;
	if (watch(s, v->conn.sock, &v->w_sock)) {
		free(v);
		return NULL;
	}
	s->vms[slot] = v;
	return v;
}

static int free_slot(const struct sup *s)
{
	unsigned int live = 0;
	int slot = -1;

	for (unsigned int i = 0; i < s->slots; i++) {
		if (!s->vms[i])
			slot = slot < 0 ? (int)i : slot;
		else if (!s->vms[i]->dead && !s->vms[i]->qemu_gone)
			live++;
	}
	return live < s->opt->max_vms ? slot : -1;
}

static void on_accept(struct sup *s)
{
	struct dxg_vm_handover conn;
	struct sup_vm *v;
	int fd, slot, ret;

	while ((fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		dxg_server_conn_setup(fd);
		slot = free_slot(s);
		if (slot < 0) {
			log_warn("refusing a VM: --max-vms %u reached",
				 s->opt->max_vms);
			close(fd);
			continue;
		}
		ret = dxg_vm_conn_create(++s->next_id, s->opt->shm_size, fd, &conn);
		if (ret) {
			log_warn("vm connection failed: %s", strerror(-ret));
			close(fd);
			continue;
		}
		v = new_vm(s, &conn, slot);
		if (!v) {
			log_warn("vm %u: out of memory", conn.id);
			dxg_vm_handover_close(&conn);
			continue;
		}
		/* QEMU waits for its handshake until the server is ready. */
		ret = spawn_server(s, v);
		if (ret) {
			log_warn("vm %u: no server process: %s", conn.id,
				 strerror(-ret));
			free_vm(s, (unsigned int)slot);
		}
	}
	if (errno != EAGAIN && errno != EINTR)
		log_warn("accept: %s", strerror(errno));
}

static void on_ready(struct sup *s, struct sup_vm *v)
{
	int ret;

	v->ready = true;
	if (v->taken_over) {
		v->taken_over = false;
		log_info("vm %u taken over: its guest sees a GPU reset (server process %d)",
			 v->conn.id, (int)v->pid);
		return;
	}
	if (v->qemu_told) {
		log_warn("vm %u: a new server (process %d) serves it: its guest sees a GPU reset",
			 v->conn.id, (int)v->pid);
		return;
	}
	ret = dxg_server_handshake(&v->conn);
	if (!ret)
		ret = fcntl(v->conn.sock, F_SETFL, O_NONBLOCK) < 0 ? -errno : 0;
	if (ret) {
		log_warn("vm %u: handshake with QEMU failed: %s", v->conn.id,
			 strerror(-ret));
		kill(v->pid, SIGTERM);	/* freed when it has gone */
		return;
	}
	v->qemu_told = true;
	log_info("vm %u connected (%llu MiB shared memory, %u adapters; server process %d)",
		 v->conn.id, (unsigned long long)(s->opt->shm_size >> 20),
		 s->opt->adapters.count, (int)v->pid);
}

/*
 * The guest RAM a server asked for: one datagram of SUP_RAM_REPLY bytes,
 * 'Y' with the descriptor, or 'N' and the reason.  Looked up now, not at
 * connect: QEMU makes its memory backends after it connected to us.
 */
#define SUP_RAM_REPLY	160

static void send_ram(struct sup_vm *v)
{
	char buf[SUP_RAM_REPLY] = "N";
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = dxg_qemu_ram_open(v->conn.sock, buf + 1, sizeof(buf) - 1);

	if (fd >= 0) {
		buf[0] = 'Y';
		memset(&u, 0, sizeof(u));
		m.msg_control = u.b;
		m.msg_controllen = sizeof(u.b);
		CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), &fd, sizeof(fd));
	}
	if (sendmsg(v->server_fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_warn("vm %u: guest RAM to its server: %s", v->conn.id,
			 strerror(errno));
	if (fd >= 0)
		close(fd);
}

int dxg_vms_request_ram(char *why, size_t len)
{
	char c = DXG_VMS_NEED_RAM, buf[SUP_RAM_REPLY];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct pollfd p = { .fd = DXG_VMS_FD_SUPERVISOR, .events = POLLIN };
	struct cmsghdr *ch;
	ssize_t n;
	int fd = -1;

	if (write(DXG_VMS_FD_SUPERVISOR, &c, 1) != 1 ||
	    poll(&p, 1, 5000) != 1 ||
	    (n = recvmsg(DXG_VMS_FD_SUPERVISOR, &m, MSG_CMSG_CLOEXEC)) < 1) {
		snprintf(why, len, "no answer from the supervisor");
		return -1;
	}
	ch = CMSG_FIRSTHDR(&m);
	if (ch && ch->cmsg_level == SOL_SOCKET && ch->cmsg_type == SCM_RIGHTS &&
	    ch->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(ch), sizeof(fd));
	if (buf[0] == 'Y' && fd >= 0)
		return fd;
	if (fd >= 0)
		close(fd);
	buf[n] = '\0';
	snprintf(why, len, "%s", buf + 1);
	return -1;
}

static void on_server_fd(struct sup *s, struct sup_vm *v)
{
	char c;
	ssize_t n = read(v->server_fd, &c, 1);

	if (n == 1 && c == DXG_VMS_READY && !v->ready) {
		on_ready(s, v);
		return;
	}
	if (n == 1 && c == DXG_VMS_NEED_RAM && v->ready) {
		send_ram(v);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EOF or nonsense: the server is going; SIGCHLD says the rest. */
	close_server_fd(s, v);
}

/* Its server exited: replace it while the VM lives, else let the VM go. */
static void on_server_exit(struct sup *s, struct sup_vm *v, int status)
{
	unsigned int slot = (unsigned int)slot_of(s, v);
	uint64_t now = now_ms();
	int ret;

	/* At shutdown or after a handover we stopped it ourselves. */
	enum dxg_log_level lvl = s->stop || s->handed_over ? DXG_LOG_DEBUG :
				 DXG_LOG_WARN;

	if (WIFSIGNALED(status))
		dxg_log(lvl, "vm %u: its server (process %d) was killed by signal %d (%s)",
			v->conn.id, (int)v->pid, WTERMSIG(status),
			strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status))
		dxg_log(lvl, "vm %u: its server (process %d) exited with status %d",
			v->conn.id, (int)v->pid, WEXITSTATUS(status));
	v->pid = 0;
	v->ready = false;
	close_server_fd(s, v);
	if (s->stop || s->handed_over || qemu_closed(v)) {
		free_vm(s, slot);
		return;
	}
	if (!v->qemu_told) {
		log_warn("vm %u: its server did not start; closing QEMU's connection",
			 v->conn.id);
		free_vm(s, slot);
		return;
	}
	if (now - v->window_ms >= SUP_RESTART_WINDOW_MS) {
		v->window_ms = now;
		v->restarts = 0;
	}
	if (++v->restarts > SUP_RESTARTS_MAX) {
		give_up(s, v, "its servers keep dying");
		return;
	}
	ret = spawn_server(s, v);
	if (ret) {
		log_err("vm %u: no server process: %s", v->conn.id, strerror(-ret));
		give_up(s, v, "it cannot be served");
	}
}

static void reap(struct sup *s)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned int i = 0; i < s->slots; i++) {
			struct sup_vm *v = s->vms[i];

			if (v && v->pid == pid) {
				on_server_exit(s, v, status);
				break;
			}
		}
	}
}

static void on_sock(struct sup *s, struct sup_vm *v, uint32_t events)
{
	char buf[256];
	ssize_t n = 0;

	if (!(events & (EPOLLHUP | EPOLLERR))) {
		while ((n = read(v->conn.sock, buf, sizeof(buf))) > 0)
			;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
	}
	/* QEMU went away; its server sees the same EOF and exits. */
	v->qemu_gone = true;
	unwatch(s, v->conn.sock);
	if (!v->pid) {
		log_info("vm %u disconnected", v->conn.id);
		free_vm(s, (unsigned int)slot_of(s, v));
	}
}

static void log_status(struct sup *s)
{
	unsigned int vms = 0, servers = 0;

	for (unsigned int i = 0; i < s->slots; i++) {
		struct sup_vm *v = s->vms[i];

		if (!v || v->dead)
			continue;
		vms++;
		if (v->pid) {
			servers++;
			kill(v->pid, SIGUSR1);	/* each logs its own */
		}
	}
	log_info("status: %u VMs connected, %u VM server processes", vms, servers);
}

static void on_signal(struct sup *s)
{
	struct signalfd_siginfo si;

	while (read(s->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			continue;	/* reaped below */
		if (si.ssi_signo == SIGUSR1) {
			log_status(s);
			continue;
		}
		log_info("signal %u: shutting down", si.ssi_signo);
		s->stop = true;
	}
	reap(s);
}

/* Waits up to ms for every server to exit, then kills what is left. */
static void wait_servers(struct sup *s, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	bool any = true;

	while (any) {
		struct timespec nap = { .tv_nsec = 10 * 1000 * 1000 };
		bool late = now_ms() >= end;

		reap(s);
		any = false;
		for (unsigned int i = 0; i < s->slots; i++) {
			struct sup_vm *v = s->vms[i];

			if (!v || !v->pid)
				continue;
			any = true;
			if (late)
				kill(v->pid, SIGKILL);
		}
		if (any)
			nanosleep(&nap, NULL);
	}
}

/*
 * Another dxghost (--takeover) asks for the VMs: send the connections,
 * stop every server at once (SIGKILL: no GONE), exit once they are gone.
 */
static void on_handover(struct sup *s)
{
	struct dxg_vm_handover *conns = calloc(s->slots, sizeof(*conns));
	unsigned int n = 0;
	int conn, ret;

	conn = accept4(s->handover_fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		free(conns);
		return;
	}
	ret = conns ? dxg_handover_check_peer(conn) : -ENOMEM;
	for (unsigned int i = 0; !ret && i < s->slots; i++) {
		struct sup_vm *v = s->vms[i];

		if (v && !v->dead && !v->qemu_gone && v->qemu_told)
			conns[n++] = v->conn;
	}
	if (!ret)
		ret = dxg_handover_send(conn, s->listen_fd, conns, n,
					s->next_id + 1);
	free(conns);
	if (ret) {
		log_warn("handover refused or failed: %s; serving on", strerror(-ret));
		close(conn);
		return;
	}
	log_info("handed %u VMs over to the new dxghost; exiting", n);
	s->handed_over = true;
	s->stop = true;
	for (unsigned int i = 0; i < s->slots; i++)
		if (s->vms[i] && s->vms[i]->pid)
			kill(s->vms[i]->pid, SIGKILL);
	wait_servers(s, SUP_STOP_WAIT_MS);
	/* conn stays open until we exit: the new daemon waits for that. */
}

/* --takeover: the running daemon's socket and VMs become ours. */
static int takeover(struct sup *s)
{
	struct dxg_handover_state st;
	char err[256] = "";
	int ret, slot;

	log_info("taking over from the dxghost on %s", s->opt->socket_path);
	ret = dxg_handover_receive(s->opt->socket_path, 60000, &st, err,
				   sizeof(err));
	if (ret) {
		log_err("takeover: %s", err);
		return ret;
	}
	s->listen_fd = st.listen_fd;
	st.listen_fd = -1;
	s->next_id = st.next_id ? st.next_id - 1 : 0;
	ret = watch(s, s->listen_fd, &s->listen_w);
	for (unsigned int i = 0; !ret && i < st.count; i++) {
		struct dxg_vm_handover *hv = &st.vms[i];
		struct sup_vm *v;

		slot = free_slot(s);
		v = slot >= 0 ? new_vm(s, hv, slot) : NULL;
		if (!v) {
			log_warn("takeover: no room for vm %u (--max-vms %u)",
				 hv->id, s->opt->max_vms);
			continue;	/* closed by dxg_handover_state_free */
		}
		if (hv->id > s->next_id)
			s->next_id = hv->id;
		hv->sock = hv->memfd = -1;	/* v's now */
		for (unsigned int k = 0; k < DXG_IVSHMEM_NUM_VECTORS; k++)
			hv->host_efd[k] = hv->guest_efd[k] = -1;
		v->qemu_told = true;
		v->taken_over = true;
		if (spawn_server(s, v)) {
			log_warn("takeover: vm %u: no server process", v->conn.id);
			give_up(s, v, "it cannot be served");
		}
	}
	dxg_handover_state_free(&st);
	if (!ret)
		log_info("took over %u VMs", st.count);
	return ret;
}

static int setup(struct sup *s)
{
	sigset_t set;
	int ret;

	/*
	 * It holds every VM's memfd: not dumpable, so that no process of its
	 * user (a VM server, when it runs unprivileged itself) can open them
	 * through /proc/PID/fd.
	 */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	s->slots = 2 * s->opt->max_vms;
	s->vms = calloc(s->slots, sizeof(*s->vms));
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!s->vms || s->epfd < 0)
		return -ENOMEM;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	s->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sig_fd < 0)
		return -errno;
	s->listen_w.kind = SW_LISTEN;
	s->sig_w.kind = SW_SIGNAL;
	s->handover_w.kind = SW_HANDOVER;
	ret = watch(s, s->sig_fd, &s->sig_w);
	if (ret)
		return ret;
	if (s->opt->takeover) {
		ret = takeover(s);
	} else {
		s->listen_fd = dxg_server_listen(s->opt->socket_path,
						 &s->opt->socket_access);
		if (s->listen_fd < 0) {
			ret = s->listen_fd;
			if (ret == -EADDRINUSE)
				log_err("%s: another dxghost is listening there",
					s->opt->socket_path);
			else
				log_err("%s: %s", s->opt->socket_path,
					strerror(-ret));
			return ret;
		}
		ret = watch(s, s->listen_fd, &s->listen_w);
	}
	if (ret)
		return ret;
	s->handover_fd = dxg_handover_listen(s->opt->socket_path);
	if (s->handover_fd < 0) {
		log_err("%s.handover: %s", s->opt->socket_path,
			strerror(-s->handover_fd));
		return s->handover_fd;
	}
	return watch(s, s->handover_fd, &s->handover_w);
}

/*
 * A server that hangs before it is ready (a Vulkan driver that never
 * returns) would keep QEMU waiting for its handshake: it is killed, and
 * its exit closes the connection or gives the VM up.  Returns the epoll
 * timeout until the next such deadline (-1: none).
 */
static int check_ready(struct sup *s)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	for (unsigned int i = 0; i < s->slots; i++) {
		struct sup_vm *v = s->vms[i];

		if (!v || v->dead || !v->pid || v->ready)
			continue;
		if (now >= v->ready_by_ms) {
			log_warn("vm %u: its server (process %d) was not ready within %u ms; killing it",
				 v->conn.id, (int)v->pid, s->opt->vm_ready_ms);
			kill(v->pid, SIGKILL);
			v->ready_by_ms = UINT64_MAX;	/* once */
		} else if (v->ready_by_ms < next) {
			next = v->ready_by_ms;
		}
	}
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

static void on_event(struct sup *s, struct sup_watch *w, uint32_t events)
{
	if (w->v && w->v->dead)
		return;
	switch (w->kind) {
	case SW_LISTEN:
		on_accept(s);
		return;
	case SW_SIGNAL:
		on_signal(s);
		return;
	case SW_HANDOVER:
		on_handover(s);
		return;
	case SW_SOCK:
		on_sock(s, w->v, events);
		return;
	case SW_SERVER:
		on_server_fd(s, w->v);
		return;
	}
}

static void shutdown_all(struct sup *s)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];

	for (unsigned int i = 0; s->vms && i < s->slots; i++)
		if (s->vms[i] && s->vms[i]->pid)
			kill(s->vms[i]->pid, SIGTERM);	/* each says GONE */
	if (s->vms)
		wait_servers(s, SUP_STOP_WAIT_MS);
	for (unsigned int i = 0; s->vms && i < s->slots; i++) {
		if (!s->vms[i])
			continue;
		/* Also for a server that died without saying it. */
		if (!s->vms[i]->dead && !s->handed_over)
			dxg_vm_conn_announce_gone(&s->vms[i]->conn);
		if (!s->vms[i]->dead)
			free_vm(s, i);
	}
	sweep(s);
	if (s->handover_fd >= 0) {
		close(s->handover_fd);
		if (!dxg_handover_path(s->opt->socket_path, path, sizeof(path)))
			unlink(path);
	}
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		if (!s->handed_over)
			unlink(s->opt->socket_path);
	}
	if (s->sig_fd >= 0)
		close(s->sig_fd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s->vms);
	free(s->server_argv);
}

int dxg_supervisor_run(const struct dxg_options *opt, int argc, char **argv)
{
	struct sup s = { .opt = opt, .epfd = -1, .listen_fd = -1, .sig_fd = -1,
			 .handover_fd = -1 };
	struct epoll_event evs[32];
	int ret = 0;

	/* The servers' command line: ours, then --vm-server ID. */
	s.server_argv = calloc((size_t)argc + 3, sizeof(*s.server_argv));
	if (!s.server_argv)
		return 1;
	for (int i = 0; i < argc; i++)
		s.server_argv[i] = argv[i];
	s.server_argv[argc] = "--vm-server";
	s.id_arg = argc + 1;
	if (setup(&s)) {
		shutdown_all(&s);
		return 1;
	}
	log_info("listening on %s (%u adapters, %llu MiB per VM; one server process per VM)",
		 opt->socket_path, opt->adapters.count,
		 (unsigned long long)(opt->shm_size >> 20));
	while (!s.stop) {
		int n = epoll_wait(s.epfd, evs, 32, check_ready(&s));

		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			ret = 1;
			break;
		}
		for (int i = 0; i < n && !s.handed_over; i++)
			on_event(&s, evs[i].data.ptr, evs[i].events);
		sweep(&s);
	}
	shutdown_all(&s);
	log_info("exiting");
	return ret;
}
