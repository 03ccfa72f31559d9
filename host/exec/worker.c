// SPDX-License-Identifier: MIT
/* Engine workers and the completion list (see exec/worker.h). */
#include "exec/worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dxg/ntstatus.h"

struct dxg_worker {
	struct dxg_engine *engine;
	uint32_t id;			/* names the thread */
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a job was queued, or stop */
	pthread_cond_t idle;		/* the queue ran empty */
	struct dxg_job *head, *tail;	/* queued, not started */
	bool running;			/* a job is being replayed */
	bool started, stop;
	/*
	 * Whoever runs jobs (the thread, or the loop while the thread is
	 * idle): a job failed, so the device is in an error state and later
	 * jobs run nothing (as core/execution.c's fail-fast would).
	 */
	bool failed;
	pthread_t thread;
};

/* ---- the completion list ---- */

int dxg_exec_done_init(struct dxg_exec_done *d, bool with_eventfd)
{
	d->head = d->tail = NULL;
	atomic_init(&d->pending, false);
	d->efd = -1;
	if (pthread_mutex_init(&d->lock, NULL))
		return -ENOMEM;
	/* On failure the list still works (and _fini is still called). */
	if (with_eventfd) {
		d->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (d->efd < 0)
			return -errno;
	}
	return 0;
}

void dxg_exec_done_fini(struct dxg_exec_done *d)
{
	struct dxg_job *j;

	while ((j = dxg_exec_done_pop(d)))
		dxg_job_free(j);
	if (d->efd >= 0)
		close(d->efd);
	d->efd = -1;
	pthread_mutex_destroy(&d->lock);
}

void dxg_exec_done_push(struct dxg_exec_done *d, struct dxg_job *j)
{
	uint64_t one = 1;
	ssize_t n;

	j->next = NULL;
	pthread_mutex_lock(&d->lock);
	if (d->tail)
		d->tail->next = j;
	else
		d->head = j;
	d->tail = j;
	atomic_store_explicit(&d->pending, true, memory_order_release);
	pthread_mutex_unlock(&d->lock);
	/* Non-blocking; a full counter (never in practice) still reads ready. */
	if (d->efd >= 0) {
		n = write(d->efd, &one, sizeof(one));
		(void)n;
	}
}

struct dxg_job *dxg_exec_done_pop(struct dxg_exec_done *d)
{
	struct dxg_job *j;

	if (!dxg_exec_done_pending(d))
		return NULL;
	pthread_mutex_lock(&d->lock);
	j = d->head;
	if (j) {
		d->head = j->next;
		if (!d->head)
			d->tail = NULL;
		j->next = NULL;
	}
	atomic_store_explicit(&d->pending, d->head != NULL, memory_order_release);
	pthread_mutex_unlock(&d->lock);
	return j;
}

struct dxg_job *dxg_job_new(void)
{
	return calloc(1, sizeof(struct dxg_job));
}

void dxg_job_free(struct dxg_job *j)
{
	if (!j)
		return;
	dxg_recording_free(&j->rec);
	free(j);
}

/* ---- the worker ---- */

static void run_job(struct dxg_worker *w, struct dxg_job *j)
{
	if (w->failed) {
		j->status = STATUS_DEVICE_REMOVED;
		j->bad_index = UINT32_MAX;
	} else {
		j->status = dxg_recording_replay(&j->rec, w->engine, &j->bad_index);
		w->failed = j->status < 0;
	}
}

static void *worker_main(void *arg)
{
	struct dxg_worker *w = arg;
	char name[16];

	/*
	 * Named by itself: naming another thread writes /proc/self/task/N/comm,
	 * which a VM server's seccomp filter refuses (server/sandbox.h).
	 */
	snprintf(name, sizeof(name), "dxg-exec-%x", w->id & 0xfffffu);
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct dxg_job *j = w->head;

		if (!j) {
			pthread_cond_broadcast(&w->idle);
			if (w->stop)
				break;
			pthread_cond_wait(&w->work, &w->lock);
			continue;
		}
		w->head = j->next;
		if (!w->head)
			w->tail = NULL;
		w->running = true;
		pthread_mutex_unlock(&w->lock);
		/* No lock held: the loop may queue more or wait meanwhile. */
		run_job(w, j);
		dxg_exec_done_push(j->done, j);
		pthread_mutex_lock(&w->lock);
		w->running = false;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct dxg_worker *dxg_worker_create(struct dxg_engine *e, uint32_t id)
{
	struct dxg_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->engine = e;
	w->id = id;
	if (pthread_mutex_init(&w->lock, NULL)) {
		free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->work, NULL)) {
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->idle, NULL)) {
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

/* Called with w->lock held. */
static int32_t start_thread(struct dxg_worker *w)
{
	if (w->started)
		return STATUS_SUCCESS;
	/* Signals stay blocked: the thread inherits the loop's mask. */
	if (pthread_create(&w->thread, NULL, worker_main, w))
		return STATUS_NO_MEMORY;
	w->started = true;
	return STATUS_SUCCESS;
}

int32_t dxg_worker_push(struct dxg_worker *w, struct dxg_job *j)
{
	int32_t st;

	pthread_mutex_lock(&w->lock);
	st = start_thread(w);
	if (st >= 0) {
		j->next = NULL;
		if (w->tail)
			w->tail->next = j;
		else
			w->head = j;
		w->tail = j;
		pthread_cond_signal(&w->work);
	}
	pthread_mutex_unlock(&w->lock);
	return st;
}

bool dxg_worker_run_if_idle(struct dxg_worker *w, struct dxg_job *j)
{
	bool idle;

	pthread_mutex_lock(&w->lock);
	idle = !w->head && !w->running;
	pthread_mutex_unlock(&w->lock);
	/* Only the loop queues jobs, and the loop is here: it stays idle. */
	if (idle)
		run_job(w, j);
	return idle;
}

void dxg_worker_drain(struct dxg_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	while (w->head || w->running)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void dxg_worker_destroy(struct dxg_worker *w)
{
	struct dxg_job *j;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	j = w->head;
	w->head = w->tail = NULL;
	w->stop = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	/* Not started: they complete without running (their owners went). */
	while (j) {
		struct dxg_job *next = j->next;

		j->status = STATUS_DEVICE_REMOVED;
		j->bad_index = UINT32_MAX;
		dxg_exec_done_push(j->done, j);
		j = next;
	}
	if (w->started)
		pthread_join(w->thread, NULL);	/* after the running job */
	pthread_cond_destroy(&w->idle);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
