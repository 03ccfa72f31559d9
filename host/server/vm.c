// SPDX-License-Identifier: MIT
#include "server/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/execution.h"
#include "dxg/protocol.h"
#include "protocol/dispatch.h"

static void control_init(struct dxg_vm *vm)
{
	struct dxg_ivshmem_control *c = vm->ctl;

	memset(c, 0, sizeof(*c));
	c->magic = DXG_IVSHMEM_MAGIC;
	c->layout_version = DXG_IVSHMEM_LAYOUT_VERSION;
	c->host_interface_version = vm->interface_version;
	/*
	 * A Windows host knows none of opendxg's reply extensions; it is one
	 * without map_guest_memory, so it takes guest memory by GPADL only.
	 */
	c->host_caps = (vm->no_async ? 0 : DXG_HOST_CAP_ASYNC_MSG) |
		       (vm->windows ? 0 : DXG_HOST_CAP_ODX_REPLIES) |
		       DXG_HOST_CAP_HEARTBEAT |
		       (vm->guest_ram ? DXG_HOST_CAP_GPADL : 0) |
		       (!vm->windows && vm->guest_ram ? DXG_HOST_CAP_GUEST_RAM : 0);
	c->ring_size = DXG_VM_RING_SIZE;
	c->shm_size = vm->shm_size;
	c->ring_g2h_offset = DXG_VM_RING_G2H_OFFSET;
	c->ring_h2g_offset = DXG_VM_RING_H2G_OFFSET;
	c->io_space_offset = DXG_VM_IO_SPACE_OFFSET;
	c->io_space_size = vm->shm_size - DXG_VM_IO_SPACE_OFFSET;
	dxg_adapters_to_control(vm->adapters, c);
	c->device_memory_quota = vm->mem.dev_quota;
	/* Last: a guest acts on a new instance only with the page complete. */
	dxg_store_release(&c->host_instance, vm->instance);
	dxg_store_release(&c->host_state, DXG_PEER_READY);
}

/* The memfd's size is the VM's, as QEMU mapped it (or will). */
static int map_shm(struct dxg_vm *vm, int memfd)
{
	struct stat st;
	uint64_t size;

	vm->memfd = memfd;
	if (fstat(memfd, &st) < 0)
		return -errno;
	size = (uint64_t)st.st_size;
	if (size < DXG_VM_MIN_SHM || size > DXG_VM_MAX_SHM ||
	    (size & (size - 1)))
		return -EINVAL;
	vm->shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->memfd, 0);
	if (vm->shm == MAP_FAILED) {
		vm->shm = NULL;
		return -errno;
	}
	vm->shm_size = size;
	vm->ctl = vm->shm;
	return 0;
}

static int init_rings(struct dxg_vm *vm)
{
	uint8_t *base = vm->shm;
	int ret;

	ret = dxg_ring_init(&vm->g2h, base + DXG_VM_RING_G2H_OFFSET, DXG_VM_RING_SIZE);
	if (!ret)
		ret = dxg_ring_init(&vm->h2g, base + DXG_VM_RING_H2G_OFFSET,
				    DXG_VM_RING_SIZE);
	if (ret)
		return ret;
	dxg_ring_reset(&vm->g2h);
	dxg_ring_reset(&vm->h2g);
	return 0;
}

/* The VM owns hv's fds from here on, also when this fails. */
static int vm_make(const struct dxg_vm_config *cfg,
		   const struct dxg_vm_handover *hv, struct dxg_vm **out)
{
	struct dxg_vm *vm = calloc(1, sizeof(*vm));
	int ret, sched_ret;

	*out = NULL;
	if (!vm) {
		dxg_vm_handover_close(hv);
		return -ENOMEM;
	}
	vm->id = hv->id;
	vm->sock = hv->sock;
	vm->memfd = hv->memfd;
	for (unsigned int i = 0; i < DXG_IVSHMEM_NUM_VECTORS; i++) {
		vm->host_efd[i] = hv->host_efd[i];
		vm->guest_efd[i] = hv->guest_efd[i];
	}
	/* First: dxg_vm_destroy finishes it whatever failed after. */
	if (dxg_ratelimit_init(&vm->rl, vm->id, NULL)) {
		free(vm);
		dxg_vm_handover_close(hv);
		return -ENOMEM;
	}
	vm->adapters = cfg->adapters;
	vm->instance = cfg->instance ? cfg->instance : 1;
	vm->windows = cfg->windows;
	vm->no_async = cfg->no_async;
	vm->guest_ram = cfg->guest_ram;
	vm->interface_version = cfg->interface_version ? cfg->interface_version :
				DXGK_VMBUS_INTERFACE_VERSION;
	ret = dxg_objects_init(&vm->objs, cfg->max_objects);
	vm->rxbuf = malloc(DXG_MAX_PACKET_PAYLOAD);
	vm->txbuf = malloc(DXG_REPLY_BUF_SIZE);
	if (!ret && (!vm->rxbuf || !vm->txbuf))
		ret = -ENOMEM;
	if (!ret)
		ret = map_shm(vm, hv->memfd);
	if (!ret)	/* nothing logs through it yet: no lock needed */
		vm->rl.out = &vm->ctl->stat_log_suppressed;
	if (!ret)
		ret = dxg_mem_init(&vm->mem, vm->shm, vm->shm_size,
				   DXG_VM_IO_SPACE_OFFSET);
	vm->mem.rl = &vm->rl;
	vm->mem.dev_quota = cfg->device_memory;	/* control_init reports it */
	vm->mem.io_budget = cfg->io_budget;	/* core/residency.h */
	/* Execution first: engines forget an allocation before its memory goes. */
	if (!ret)
		ret = dxg_objects_add_release(&vm->objs, dxg_exec_release, &vm->mem);
	if (!ret)
		ret = dxg_objects_add_release(&vm->objs, dxg_mem_release, &vm->mem);
	/* After memory: fence pages go back to the heap the same way. */
	sched_ret = dxg_sched_init(&vm->sched, &vm->objs, &vm->mem, &vm->rl,
				   vm->id, true);
	if (!ret)
		ret = sched_ret;
	if (!ret)
		ret = dxg_objects_add_release(&vm->objs, dxg_sched_release,
					      &vm->sched);
	if (!ret)
		ret = init_rings(vm);
	if (ret) {
		dxg_vm_destroy(vm);
		return ret;
	}
	control_init(vm);
	*out = vm;
	return 0;
}

int dxg_vm_create(const struct dxg_vm_config *cfg, unsigned int id, int sock,
		  struct dxg_vm **out)
{
	struct dxg_vm_handover hv;
	int ret = dxg_vm_conn_create(id, cfg->shm_size, sock, &hv);

	if (ret) {
		close(sock);
		*out = NULL;
		return ret;
	}
	return vm_make(cfg, &hv, out);
}

int dxg_vm_adopt(const struct dxg_vm_config *cfg,
		 const struct dxg_vm_handover *hv, struct dxg_vm **out)
{
	int ret = vm_make(cfg, hv, out);

	if (!ret)	/* the page says "another host": the guest resets */
		dxg_vm_kick_guest(*out, DXG_IVSHMEM_VEC_STATE);
	return ret;
}

void dxg_vm_handover_fds(const struct dxg_vm *vm, struct dxg_vm_handover *hv)
{
	hv->id = vm->id;
	hv->sock = vm->sock;
	hv->memfd = vm->memfd;
	for (unsigned int i = 0; i < DXG_IVSHMEM_NUM_VECTORS; i++) {
		hv->host_efd[i] = vm->host_efd[i];
		hv->guest_efd[i] = vm->guest_efd[i];
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

uint32_t dxg_vm_destroy(struct dxg_vm *vm)
{
	uint32_t freed = dxg_objects_reset(&vm->objs);

	dxg_objects_fini(&vm->objs);
	/* Its engines are gone: so are the pipelines kept for them. */
	if (vm->adapters)
		dxg_adapters_forget_vm(vm->adapters, vm->rl.vm_id);
	dxg_sched_fini(&vm->sched);
	dxg_mem_fini(&vm->mem);
	/* Nothing logs for this VM now: say what was suppressed, last. */
	dxg_ratelimit_fini(&vm->rl);
	if (vm->shm) {
		dxg_vm_update_stats(vm);	/* what is left: nothing */
		munmap(vm->shm, vm->shm_size);
	}
	for (unsigned int i = 0; i < DXG_IVSHMEM_NUM_VECTORS; i++) {
		close_fd(&vm->host_efd[i]);
		close_fd(&vm->guest_efd[i]);
	}
	close_fd(&vm->memfd);
	close_fd(&vm->sock);
	free(vm->rxbuf);
	free(vm->txbuf);
	free(vm);
	return freed;
}

void dxg_eventfd_drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

int dxg_vm_guest_ram(void *arg, char *why, size_t len)
{
	const struct dxg_vm *vm = arg;

	return vm->guest_ram(vm, why, len);
}

void dxg_vm_kick_guest(struct dxg_vm *vm, unsigned int vec)
{
	uint64_t one = 1;

	if (vec < DXG_IVSHMEM_NUM_VECTORS &&
	    write(vm->guest_efd[vec], &one, sizeof(one)) < 0 && errno != EAGAIN)
		dxg_log_rl(&vm->rl, DXG_LOG_WARN, "vm %u: doorbell: %s", vm->id,
			   strerror(errno));
}

void dxg_vm_update_stats(struct dxg_vm *vm)
{
	dxg_write_once(vm->ctl->stat_processes, vm->objs.count[DXG_OBJ_PROCESS]);
	dxg_write_once(vm->ctl->stat_objects, vm->objs.total);
	dxg_write_once(vm->ctl->stat_io_space_used, vm->mem.heap.used);
	dxg_write_once(vm->ctl->stat_device_memory_used, vm->mem.dev_used);
}

static void reset_channel(struct dxg_vm *vm)
{
	dxg_sched_clear_outbox(&vm->sched);
	vm->events_since_ms = 0;
	vm->serving = false;
	vm->polling = false;
	vm->reply_pending = false;
}

void dxg_vm_drop_guest_state(struct dxg_vm *vm, enum dxg_log_level level,
			     const char *why)
{
	uint32_t freed = dxg_objects_reset(&vm->objs);

	reset_channel(vm);
	vm->mem.ram.verified = false;	/* the next guest verifies again */
	dxg_gpadls_fini(&vm->mem.gpadls);
	dxg_vm_update_stats(vm);
	dxg_log_rl(&vm->rl, level,
		   "vm %u: %s: guest state dropped (%u objects freed)",
		   vm->id, why, freed);
}

/* §4.2 step 3: a new guest instance; start from a clean state. */
static void accept_generation(struct dxg_vm *vm, uint32_t gen)
{
	uint32_t freed = dxg_objects_reset(&vm->objs);

	reset_channel(vm);
	vm->mem.ram.verified = false;
	dxg_gpadls_fini(&vm->mem.gpadls);
	dxg_ring_reset(&vm->g2h);
	dxg_ring_reset(&vm->h2g);
	vm->acked_generation = gen;
	vm->serving = true;
	dxg_vm_update_stats(vm);
	dxg_store_release(&vm->ctl->host_generation, gen);
	dxg_vm_kick_guest(vm, DXG_IVSHMEM_VEC_STATE);
	dxg_log_rl(&vm->rl, DXG_LOG_INFO,
		   "vm %u: guest generation %u ready (%u old objects freed)",
		   vm->id, gen, freed);
}

void dxg_vm_check_state(struct dxg_vm *vm)
{
	uint32_t state = dxg_load_acquire(&vm->ctl->guest_state);
	uint32_t gen = dxg_read_once(vm->ctl->guest_generation);
	uint32_t ver = dxg_read_once(vm->ctl->guest_interface_version);

	switch (state) {
	case DXG_PEER_ABSENT:
		return;
	case DXG_PEER_READY:
		if (gen == 0 || gen == vm->acked_generation)
			return;
		if (ver < DXGK_VMBUS_INTERFACE_VERSION) {
			dxg_log_rl(&vm->rl, DXG_LOG_WARN,
				   "vm %u: guest interface version %u < %u, ignored",
				   vm->id, ver, DXGK_VMBUS_INTERFACE_VERSION);
			return;
		}
		accept_generation(vm, gen);
		return;
	case DXG_PEER_GONE:
		if (vm->serving || vm->objs.total) {
			dxg_vm_drop_guest_state(vm, DXG_LOG_INFO,
						"guest driver gone");
		}
		return;
	default:
		dxg_log_rl(&vm->rl, DXG_LOG_WARN, "vm %u: bad guest_state %u",
			   vm->id, state);
	}
}

void dxg_vm_announce_gone(struct dxg_vm *vm)
{
	dxg_store_release(&vm->ctl->host_state, DXG_PEER_GONE);
	dxg_full_barrier();
	dxg_vm_kick_guest(vm, DXG_IVSHMEM_VEC_STATE);
}
