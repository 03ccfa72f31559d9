// SPDX-License-Identifier: MIT
/*
 * The handover socket (handover.h).  Two message kinds on a SOCK_SEQPACKET
 * connection, each with its descriptors: a header with the listening
 * socket, then one message per VM.  The receiver trusts nothing in them
 * beyond what it checks: counts, magic, the exact number of descriptors.
 */
#include "server/handover.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HANDOVER_MAGIC		0x31564f4844475844ull	/* "DXGHDOV1" */
#define HANDOVER_MAX_VMS	4096u
/* QEMU's socket, the memfd, and both vectors' eventfds each way. */
#define VM_FDS			(2 + 2 * DXG_IVSHMEM_NUM_VECTORS)

struct handover_hdr {
	uint64_t magic;
	uint32_t count;
	uint32_t next_id;
};

struct handover_vm {
	uint64_t magic;
	uint32_t id;
	uint32_t reserved;
};

int dxg_handover_path(const char *socket_path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.handover", socket_path);

	return n < 0 || (size_t)n >= len ||
	       (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path) ?
	       -ENAMETOOLONG : 0;
}

static int handover_addr(const char *socket_path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	return dxg_handover_path(socket_path, sa->sun_path, sizeof(sa->sun_path));
}

int dxg_handover_listen(const char *socket_path)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd, ret = handover_addr(socket_path, &sa);

	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(sa.sun_path);	/* a previous daemon's, which is gone */
	old = umask(0077);	/* the daemon's own user only */
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	      listen(fd, 1) < 0 ? -errno : 0;
	umask(old);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int dxg_handover_check_peer(int conn)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -errno;
	return cr.uid == geteuid() ? 0 : -EPERM;
}

static int send_with_fds(int sock, const void *buf, size_t len,
			 const int *fds, unsigned int n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VM_FDS)];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t r;

	if (n > VM_FDS)
		return -EINVAL;
	memset(&ctrl, 0, sizeof(ctrl));
	m.msg_control = ctrl.buf;
	m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	do {
		r = sendmsg(sock, &m, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == (ssize_t)len ? 0 : -EIO;
}

/* One message of exactly len bytes with exactly n descriptors. */
static int recv_with_fds(int sock, void *buf, size_t len, int *fds,
			 unsigned int n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VM_FDS)];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctrl.buf,
			    .msg_controllen = sizeof(ctrl.buf) };
	unsigned int got = 0;
	struct cmsghdr *c;
	ssize_t r;

	do {
		r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		unsigned int k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		k = (unsigned int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (unsigned int i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (got < n)
				fds[got++] = fd;
			else
				close(fd);
		}
	}
	if ((size_t)r != len || got != n || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (unsigned int i = 0; i < got; i++)
			close(fds[i]);
		return r == 0 ? -ECONNRESET : -EPROTO;
	}
	return 0;
}

int dxg_handover_send(int conn, int listen_fd,
		      const struct dxg_vm_handover *vms, unsigned int count,
		      unsigned int next_id)
{
	struct handover_hdr h = { HANDOVER_MAGIC, count, next_id };
	int ret = send_with_fds(conn, &h, sizeof(h), &listen_fd, 1);

	for (unsigned int i = 0; i < count && !ret; i++) {
		struct handover_vm v = { .magic = HANDOVER_MAGIC };
		const struct dxg_vm_handover hv = vms[i];
		int fds[VM_FDS];

		v.id = hv.id;
		fds[0] = hv.sock;
		fds[1] = hv.memfd;
		for (unsigned int k = 0; k < DXG_IVSHMEM_NUM_VECTORS; k++) {
			fds[2 + k] = hv.host_efd[k];
			fds[2 + DXG_IVSHMEM_NUM_VECTORS + k] = hv.guest_efd[k];
		}
		ret = send_with_fds(conn, &v, sizeof(v), fds, VM_FDS);
	}
	return ret;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for the connection to close (the old daemon has exited). */
static int wait_eof(int sock, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	char c;

	for (;;) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		int64_t left = end - now_ms();
		ssize_t r;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		r = recv(sock, &c, 1, MSG_DONTWAIT);
		if (r == 0)
			return 0;
		if (r > 0)
			return -EPROTO;
		if (errno != EAGAIN && errno != EINTR)
			return errno == ECONNRESET ? 0 : -errno;
	}
}

int dxg_handover_receive(const char *socket_path, int timeout_ms,
			 struct dxg_handover_state *st, char *err, size_t errlen)
{
	struct timeval tv = { .tv_sec = 10 };
	struct handover_hdr h;
	struct sockaddr_un sa;
	int sock, ret;

	memset(st, 0, sizeof(*st));
	st->listen_fd = -1;
	ret = handover_addr(socket_path, &sa);
	if (ret) {
		snprintf(err, errlen, "%s.handover: path too long", socket_path);
		return ret;
	}
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: no dxghost to take over from: %s",
			 sa.sun_path, strerror(-ret));
		goto out;
	}
	ret = recv_with_fds(sock, &h, sizeof(h), &st->listen_fd, 1);
	if (!ret && (h.magic != HANDOVER_MAGIC || h.count > HANDOVER_MAX_VMS)) {
		ret = -EPROTO;
		close(st->listen_fd);
		st->listen_fd = -1;
	}
	if (ret) {
		snprintf(err, errlen, "%s: the running dxghost refused or sent nonsense: %s",
			 sa.sun_path, strerror(-ret));
		goto out;
	}
	st->next_id = h.next_id;
	st->vms = calloc(h.count ? h.count : 1, sizeof(*st->vms));
	if (!st->vms) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < h.count; i++) {
		struct handover_vm v;
		struct dxg_vm_handover *hv = &st->vms[i];
		int fds[VM_FDS];

		ret = recv_with_fds(sock, &v, sizeof(v), fds, VM_FDS);
		if (!ret && v.magic != HANDOVER_MAGIC) {
			for (unsigned int k = 0; k < VM_FDS; k++)
				close(fds[k]);
			ret = -EPROTO;
		}
		if (ret) {
			snprintf(err, errlen, "VM %u of %u: %s", i + 1, h.count,
				 strerror(-ret));
			goto out;
		}
		hv->id = v.id;
		hv->sock = fds[0];
		hv->memfd = fds[1];
		for (unsigned int k = 0; k < DXG_IVSHMEM_NUM_VECTORS; k++) {
			hv->host_efd[k] = fds[2 + k];
			hv->guest_efd[k] = fds[2 + DXG_IVSHMEM_NUM_VECTORS + k];
		}
		st->count++;
	}
	/* Only once it has exited may we touch what it served. */
	ret = wait_eof(sock, timeout_ms);
	if (ret)
		snprintf(err, errlen, "the previous dxghost did not exit: %s",
			 strerror(-ret));
out:
	close(sock);
	if (ret)
		dxg_handover_state_free(st);
	return ret;
}

void dxg_handover_state_free(struct dxg_handover_state *st)
{
	for (unsigned int i = 0; i < st->count; i++)
		dxg_vm_handover_close(&st->vms[i]);
	free(st->vms);
	if (st->listen_fd >= 0)
		close(st->listen_fd);
	memset(st, 0, sizeof(*st));
	st->listen_fd = -1;
}
