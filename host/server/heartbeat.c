// SPDX-License-Identifier: MIT
/*
 * The heartbeat thread (heartbeat.h).  It holds the lock only while it
 * walks the slots, so removing a VM waits at most one walk.
 */
#include "server/heartbeat.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "dxg/compat.h"
#include "dxg/ivshmem.h"

static void *beat_loop(void *arg)
{
	struct dxg_heartbeat *hb = arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&hb->lock);
	while (!hb->stop) {
		for (unsigned int i = 0; i < hb->count; i++) {
			uint32_t *c = hb->beats[i];

			if (c)
				dxg_store_release(c, dxg_load_acquire(c) + 1);
		}
		next.tv_nsec += (long)DXG_HOST_HEARTBEAT_MS * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		/* Monotonic: a wall-clock step must not stop the beat. */
		while (!hb->stop &&
		       pthread_cond_timedwait(&hb->wake, &hb->lock, &next) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&hb->lock);
	return NULL;
}

int dxg_heartbeat_start(struct dxg_heartbeat *hb, unsigned int slots)
{
	pthread_condattr_t ca;
	int ret;

	*hb = (struct dxg_heartbeat){ .count = slots };
	hb->beats = calloc(slots ? slots : 1, sizeof(*hb->beats));
	if (!hb->beats)
		return -ENOMEM;
	pthread_mutex_init(&hb->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hb->wake, &ca);
	pthread_condattr_destroy(&ca);
	ret = pthread_create(&hb->thread, NULL, beat_loop, hb);
	if (ret) {
		pthread_cond_destroy(&hb->wake);
		pthread_mutex_destroy(&hb->lock);
		free(hb->beats);
		hb->beats = NULL;
		return -ret;
	}
	hb->started = true;
	return 0;
}

void dxg_heartbeat_add(struct dxg_heartbeat *hb, unsigned int slot,
		       uint32_t *counter)
{
	if (!hb->started || slot >= hb->count)
		return;
	pthread_mutex_lock(&hb->lock);
	hb->beats[slot] = counter;
	pthread_mutex_unlock(&hb->lock);
}

void dxg_heartbeat_remove(struct dxg_heartbeat *hb, unsigned int slot)
{
	if (!hb->started || slot >= hb->count)
		return;
	pthread_mutex_lock(&hb->lock);
	hb->beats[slot] = NULL;
	pthread_mutex_unlock(&hb->lock);
}

void dxg_heartbeat_stop(struct dxg_heartbeat *hb)
{
	if (!hb->started)
		return;
	pthread_mutex_lock(&hb->lock);
	hb->stop = true;
	pthread_cond_signal(&hb->wake);
	pthread_mutex_unlock(&hb->lock);
	pthread_join(hb->thread, NULL);
	pthread_cond_destroy(&hb->wake);
	pthread_mutex_destroy(&hb->lock);
	free(hb->beats);
	hb->beats = NULL;
	hb->started = false;
}
