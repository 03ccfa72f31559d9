// SPDX-License-Identifier: MIT
#include "server/ivshmem_server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"

#define DXG_IVSHMEM_PROTOCOL_VERSION	0

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return len ? -ENAMETOOLONG : 0;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == 0) {
			char c = *p;

			*p = 0;
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static int make_parent_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!slash || slash == path)
		return 0;
	len = (size_t)(slash - path);
	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, len);
	dir[len] = 0;
	return mkdir_p(dir);
}

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* A socket file exists: is a daemon listening on it? */
static int check_existing(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, ret;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (ret == 0)
		return -EADDRINUSE;
	log_info("replacing stale socket %s", sa->sun_path);
	return unlink(sa->sun_path) < 0 ? -errno : 0;
}

/*
 * Bind under a temporary name and rename into place once listening, so
 * the path never names a socket that refuses connections.
 */
static int bind_listen(int fd, const char *path,
		       const struct dxg_socket_access *acc)
{
	struct sockaddr_un tmp;
	char name[sizeof(tmp.sun_path) + 32];
	int ret;

	snprintf(name, sizeof(name), "%s.%d.tmp", path, (int)getpid());
	ret = fill_addr(&tmp, name);
	if (ret)
		return ret;
	unlink(name);
	if (bind(fd, (struct sockaddr *)&tmp, sizeof(tmp)) < 0)
		return -errno;
	if ((acc->gid != (gid_t)-1 && chown(name, (uid_t)-1, acc->gid) < 0) ||
	    (acc->mode && chmod(name, acc->mode) < 0) ||
	    listen(fd, 16) < 0 || rename(name, path) < 0) {
		ret = -errno;
		unlink(name);
		return ret;
	}
	return 0;
}

int dxg_server_listen(const char *path, const struct dxg_socket_access *acc)
{
	struct sockaddr_un sa;
	int fd, ret;

	ret = fill_addr(&sa, path);
	if (!ret)
		ret = make_parent_dir(path);
	if (!ret)
		ret = check_existing(&sa);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	ret = bind_listen(fd, path, acc);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* One ivshmem server message: a little-endian int64, optionally one fd. */
static int send_msg(int sock, int64_t value, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &value, .iov_len = sizeof(value) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(value) ? 0 : -EIO;
}

void dxg_server_conn_setup(int fd)
{
	struct timeval tv = { .tv_sec = 1 };

	/* The handshake is 7 tiny messages; never wait long for a peer. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int dxg_server_handshake(const struct dxg_vm_handover *vm)
{
	const struct { int64_t value; int fd; } msgs[] = {
		{ DXG_IVSHMEM_PROTOCOL_VERSION, -1 },
		{ DXG_IVSHMEM_GUEST_PEER, -1 },
		{ -1, vm->memfd },
		{ DXG_IVSHMEM_HOST_PEER, vm->host_efd[0] },
		{ DXG_IVSHMEM_HOST_PEER, vm->host_efd[1] },
		{ DXG_IVSHMEM_GUEST_PEER, vm->guest_efd[0] },
		{ DXG_IVSHMEM_GUEST_PEER, vm->guest_efd[1] },
	};

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		int ret = send_msg(vm->sock, msgs[i].value, msgs[i].fd);

		if (ret)
			return ret;
	}
	return 0;
}
