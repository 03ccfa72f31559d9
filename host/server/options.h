/* SPDX-License-Identifier: MIT */
/* dxghost command line. */
#ifndef DXGHOST_OPTIONS_H
#define DXGHOST_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/adapter.h"
#include "server/ivshmem_server.h"

#define DXG_DEFAULT_SOCKET	"/run/dxghost/dxghost.sock"
#define DXG_DEFAULT_SHM_SIZE	(64ull * 1024 * 1024)
#define DXG_DEFAULT_MAX_VMS	64u
#define DXG_DEFAULT_MAX_OBJECTS	65536u
/* A VM server opens its Vulkan device and confines itself within this. */
#define DXG_DEFAULT_VM_READY_MS	60000u
/* Device-local memory a VM may allocate on a Vulkan adapter (docs/memory.md §8). */
#define DXG_DEFAULT_DEVICE_MEMORY	(1ull << 30)
/*
 * --interface-version: from the guest's own version (40, the least it
 * accepts) up; a current Windows host's value is not in the fact sheet
 * (docs/protocol.md §5.3), its newest driver defines up to 46.
 */
#define DXG_MAX_INTERFACE_VERSION	65535u

struct dxg_options {
	const char *socket_path;
	struct dxg_socket_access socket_access;	/* --socket-group, --socket-mode */
	uint64_t shm_size;
	uint64_t device_memory;		/* per VM; 0: none offered */
	uint64_t io_budget;		/* per VM committed IO space; 0: all */
	uint32_t max_vms;
	uint32_t max_objects;
	int log_level;
	bool windows;			/* --windows: reply as a Windows host */
	bool no_async;			/* --no-async: no asynchronous messages */
	bool takeover;			/* --takeover: the running daemon's VMs */
	bool isolate;			/* --isolation process (server/supervisor.h) */
	bool no_device_address;		/* --no-device-address */
	const char *vm_user;		/* --vm-user: VM servers' user when root */
	uint32_t vm_ready_ms;		/* --vm-ready-timeout: a server's start */
	bool vm_server;			/* --vm-server ID: one VM's server */
	uint32_t vm_server_id;
	uint32_t interface_version;	/* reported to the guest */
	struct dxg_adapters adapters;
};

enum { DXG_OPT_RUN, DXG_OPT_EXIT_OK, DXG_OPT_EXIT_ERR };

/* Parses argv; DXG_OPT_RUN to go on, or how to exit (messages printed). */
int dxg_options_parse(struct dxg_options *o, int argc, char **argv,
		      uint32_t luid_high);
void dxg_options_usage(FILE *f);
/* "64M" -> bytes; 0 on success, -EINVAL otherwise. */
int dxg_parse_size(const char *s, uint64_t *out);

#endif /* DXGHOST_OPTIONS_H */
