// SPDX-License-Identifier: MIT
/*
 * A VM's connection (struct dxg_vm_handover): QEMU's socket, the shared
 * memory and the doorbell eventfds.  It is made once, when QEMU connects,
 * and then outlives the processes that serve it: a daemon hands it to the
 * next one (--takeover), and in process isolation the supervisor keeps it
 * while VM servers come and go (server/supervisor.h).
 */
#include "server/vm.h"

#include <errno.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

static void conn_clear(struct dxg_vm_handover *hv)
{
	hv->sock = hv->memfd = -1;
	for (unsigned int i = 0; i < DXG_IVSHMEM_NUM_VECTORS; i++)
		hv->host_efd[i] = hv->guest_efd[i] = -1;
}

int dxg_vm_conn_create(unsigned int id, uint64_t shm_size, int sock,
		       struct dxg_vm_handover *hv)
{
	char name[32];
	int ret = 0;

	conn_clear(hv);
	hv->id = id;
	hv->sock = sock;
	snprintf(name, sizeof(name), "dxghost-vm%u", id);
	hv->memfd = memfd_create(name, MFD_CLOEXEC);
	if (hv->memfd < 0 || ftruncate(hv->memfd, (off_t)shm_size) < 0)
		ret = -errno;
	for (unsigned int i = 0; !ret && i < DXG_IVSHMEM_NUM_VECTORS; i++) {
		hv->host_efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		hv->guest_efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (hv->host_efd[i] < 0 || hv->guest_efd[i] < 0)
			ret = -errno;
	}
	if (ret) {
		dxg_vm_handover_close(hv);
		conn_clear(hv);
	}
	return ret;
}

void dxg_vm_handover_close(const struct dxg_vm_handover *hv)
{
	int fds[2 + 2 * DXG_IVSHMEM_NUM_VECTORS] = { hv->sock, hv->memfd };

	for (unsigned int i = 0; i < DXG_IVSHMEM_NUM_VECTORS; i++) {
		fds[2 + i] = hv->host_efd[i];
		fds[2 + DXG_IVSHMEM_NUM_VECTORS + i] = hv->guest_efd[i];
	}
	for (unsigned int i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * Only the control page is mapped: whoever calls this (the supervisor)
 * never reads the VM's memory, it only says that nobody serves it now.
 */
void dxg_vm_conn_announce_gone(const struct dxg_vm_handover *hv)
{
	struct dxg_ivshmem_control *c;
	uint64_t one = 1;

	c = mmap(NULL, DXG_IVSHMEM_CONTROL_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, hv->memfd, 0);
	if (c == MAP_FAILED)
		return;
	dxg_store_release(&c->host_state, DXG_PEER_GONE);
	dxg_full_barrier();
	munmap(c, DXG_IVSHMEM_CONTROL_SIZE);
	if (write(hv->guest_efd[DXG_IVSHMEM_VEC_STATE], &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		log_warn("vm %u: doorbell: %s", hv->id, strerror(errno));
}
