// SPDX-License-Identifier: MIT
/*
 * The guest RAM of the QEMU on an ivshmem connection (qemu_ram.h).
 */
#include "server/qemu_ram.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* How QEMU names the memfd of a memory-backend-memfd object. */
#define QEMU_RAM_MEMFD	"/memfd:memory-backend-memfd"

int dxg_qemu_ram_open(int sock, char *why, size_t len)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char dir[64], path[sizeof(dir) + 260], link[256];
	struct dirent *e;
	int found = -1, count = 0, fd;
	DIR *d;

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    cred.pid <= 0) {
		snprintf(why, len, "the peer's process is unknown");
		return -1;
	}
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)cred.pid);
	d = opendir(dir);
	if (!d) {
		snprintf(why, len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, QEMU_RAM_MEMFD, strlen(QEMU_RAM_MEMFD)))
			continue;
		count++;
		found = atoi(e->d_name);
	}
	closedir(d);
	if (count != 1) {
		if (count)
			snprintf(why, len, "%d memory-backend-memfd objects (one is supported)",
				 count);
		else
			snprintf(why, len, "no memory-backend-memfd (QEMU needs -object memory-backend-memfd,share=on and -machine memory-backend=)");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%d", dir, found);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	return fd;
}
