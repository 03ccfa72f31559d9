/* SPDX-License-Identifier: MIT */
/*
 * The host's heartbeat (DXG_HOST_CAP_HEARTBEAT, docs/ivshmem-transport.md
 * §6): a thread of its own advances host_heartbeat in every connected VM's
 * control page each DXG_HOST_HEARTBEAT_MS, so a guest can tell a killed
 * dxghost from a busy one.  A thread, not the event loop: a long request
 * on the loop must not look like a dead host.
 */
#ifndef DXGHOST_SERVER_HEARTBEAT_H
#define DXGHOST_SERVER_HEARTBEAT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct dxg_heartbeat {
	pthread_t thread;
	pthread_mutex_t lock;		/* beats, count, stop */
	pthread_cond_t wake;		/* stop */
	uint32_t **beats;		/* per VM slot: its counter, or NULL */
	unsigned int count;
	bool stop;
	bool started;
};

/* slots: the most VMs at once.  0 or -errno. */
int dxg_heartbeat_start(struct dxg_heartbeat *hb, unsigned int slots);
/* Beat into *counter (in slot's VM's control page) until removed. */
void dxg_heartbeat_add(struct dxg_heartbeat *hb, unsigned int slot,
		       uint32_t *counter);
/* After this returns, the thread no longer touches the slot's counter. */
void dxg_heartbeat_remove(struct dxg_heartbeat *hb, unsigned int slot);
void dxg_heartbeat_stop(struct dxg_heartbeat *hb);

#endif
