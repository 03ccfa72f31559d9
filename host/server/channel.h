/* SPDX-License-Identifier: MIT */
/*
 * The ring transport of one VM: drain the guest->host ring into private
 * memory, dispatch, write COMPLETION replies to the host->guest ring, ring
 * the guest's doorbell when it is parked, and poll-then-park (spec §5.1).
 */
#ifndef DXGHOST_CHANNEL_H
#define DXGHOST_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "server/vm.h"

/* Packets handled per pass before the guest is notified. */
#define DXG_CHANNEL_BATCH	32u
/* Idle time spent polling before parking. */
#define DXG_CHANNEL_SPIN_NS	50000ull
/* How long a reply may wait for room in a full host->guest ring. */
#define DXG_CHANNEL_STALL_MS	5000ull

/* The guest rang vector 0: start polling and serve. */
void dxg_channel_kick(struct dxg_vm *vm, uint64_t now_ns);
/* One polling step for a VM that is polling or has a reply pending. */
void dxg_channel_poll(struct dxg_vm *vm, uint64_t now_ns);
/*
 * The VM's completion eventfd fired (engine workers finished jobs): finish
 * their queue entries and serve what they unblocked.
 */
void dxg_channel_jobs_done(struct dxg_vm *vm, uint64_t now_ns);
/*
 * Cheap test for the busy loop: would a polling step of this VM do anything
 * now (a packet or a corrupt index on the guest->host ring, scheduler work,
 * events to flush)?  Only loads, except that it stores read_index when
 * the guest asks for room (include/dxg/ring.h).
 */
bool dxg_channel_has_work(struct dxg_vm *vm);

#endif /* DXGHOST_CHANNEL_H */
