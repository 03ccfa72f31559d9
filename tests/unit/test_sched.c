// SPDX-License-Identifier: MIT
/*
 * Sync objects and per-context queues (host/core/sync.c, host/core/scheduler.c), with a
 * fake execution layer defined here (test-only; the real one is
 * host/core/execution.c): it records which context ran which "command buffer".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dxg/ntstatus.h"
#include "core/adapter.h"
#include "core/execution.h"
#include "core/ioheap.h"
#include "protocol/events.h"
#include "core/memory.h"
#include "core/scheduler.h"

/* ---- the fake execution layer ---- */

#define MAX_RUNS 64
static struct {
	uint32_t context[MAX_RUNS];
	uint64_t va[MAX_RUNS];
	unsigned int n;
} runs;

/*
 * Buffers at ASYNC_VA.. "run on a worker": they come back when the test
 * pushes their job onto the completion list (ASYNC_VA + 0xbad fails).
 */
#define ASYNC_VA	0xa5000u
static struct dxg_job *started[8];
static unsigned int nstarted, nfinished;
static int32_t last_finished;

int32_t dxg_exec_start(struct dxg_mem *mem, struct dxg_obj *context,
		       uint64_t va, uint64_t size, struct dxg_exec_done *done,
		       struct dxg_job **job, struct dxg_exec_sub **sub)
{
	(void)mem;
	(void)sub;	/* no fence commands here: tests/host covers them */
	(void)size;
	if (runs.n < MAX_RUNS) {
		runs.context[runs.n] = context->handle;
		runs.va[runs.n] = va;
	}
	runs.n++;
	if (va >= ASYNC_VA && va < ASYNC_VA + 0x1000 && nstarted < 8) {
		struct dxg_job *j = dxg_job_new();

		assert_non_null(j);
		j->done = done;
		j->status = va == ASYNC_VA + 0xbad ? STATUS_INVALID_PARAMETER : 0;
		started[nstarted++] = j;
		*job = j;
		return STATUS_PENDING;
	}
	return va == 0xbad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

enum dxg_exec_step dxg_exec_sub_step(const struct dxg_exec_sub *sub,
				     const struct dxg_obj *context,
				     struct dxg_sync_ref *ref)
{
	(void)context;
	(void)ref;
	assert_null(sub);
	return DXG_EXEC_DONE;
}

void dxg_exec_sub_advance(struct dxg_exec_sub *sub)
{
	(void)sub;
	fail();
}

void dxg_exec_sub_free(struct dxg_exec_sub *sub)
{
	assert_null(sub);
}

int32_t dxg_exec_finish(struct dxg_mem *mem, struct dxg_obj *context,
			struct dxg_job *job, struct dxg_exec_sub *sub)
{
	(void)sub;
	(void)mem;
	(void)context;
	nfinished++;
	last_finished = job->status;
	dxg_job_free(job);
	return last_finished;
}

uint32_t dxg_exec_device_state(const struct dxg_obj *device)
{
	return device->u.device.exec_state ? device->u.device.exec_state :
	       D3DKMT_DEVICEEXECUTION_ACTIVE;
}

/* ---- fixture ---- */

/* One node: the scheduler counts busy time per adapter index and node. */
static const struct dxg_adapter fake_adapter = { .index = 0, .node_count = 1 };
#define AD (&fake_adapter)
#define SHM_SIZE (1u << 20)
#define IO_BASE (64u * 1024)

struct fx {
	struct dxg_objects o;
	struct dxg_mem mem;
	struct dxg_sched s;
	struct dxg_obj *p, *d, *c1, *c2;
};

static struct dxg_obj *mk(struct fx *f, enum dxg_obj_type t, struct dxg_obj *parent)
{
	struct dxg_obj *o;

	assert_int_equal(dxg_obj_create(&f->o, t, parent, AD, &o), STATUS_SUCCESS);
	return o;
}

static struct dxg_obj *fence(struct fx *f, struct dxg_obj *dev, uint64_t init)
{
	struct dxg_obj *o = mk(f, DXG_OBJ_SYNCOBJECT, dev);

	assert_int_equal(dxg_sync_create(&f->s, o, D3DDDI_MONITORED_FENCE, init, 0),
			 STATUS_SUCCESS);
	return o;
}

static uint64_t page_value(struct fx *f, struct dxg_obj *o)
{
	uint64_t v;

	memcpy(&v, f->mem.shm + o->u.syncobject.sync->page, sizeof(v));
	return v;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(dxg_objects_init(&f->o, 20000), 0);
	f->mem.shm = calloc(1, SHM_SIZE);
	f->mem.shm_size = SHM_SIZE;
	assert_int_equal(dxg_ioheap_init(&f->mem.heap, IO_BASE, SHM_SIZE - IO_BASE), 0);
	assert_int_equal(dxg_sched_init(&f->s, &f->o, &f->mem, NULL, 0, false), 0);
	assert_int_equal(dxg_objects_add_release(&f->o, dxg_sched_release, &f->s), 0);
	f->p = mk(f, DXG_OBJ_PROCESS, NULL);
	f->d = mk(f, DXG_OBJ_DEVICE, f->p);
	f->c1 = mk(f, DXG_OBJ_CONTEXT, f->d);
	f->c2 = mk(f, DXG_OBJ_CONTEXT, f->d);
	memset(&runs, 0, sizeof(runs));
	nstarted = nfinished = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	dxg_objects_fini(&f->o);
	dxg_sched_fini(&f->s);
	/* Every fence page went back to the heap. */
	assert_int_equal(f->mem.heap.used, 0);
	assert_int_equal(f->s.queued, 0);
	assert_int_equal(f->s.nwaiters, 0);
	dxg_ioheap_fini(&f->mem.heap);
	free(f->mem.shm);
	free(f);
	return 0;
}

static struct dxg_sync_ref ref(struct dxg_obj *o, uint64_t v)
{
	struct dxg_sync_ref r = { o->handle, v };

	return r;
}

static uint32_t outbox_count(struct fx *f)
{
	return f->s.nout;
}

static uint64_t pop_event(struct fx *f)
{
	struct dxgkvmb_command_signalguestevent m;
	struct dxg_guest_event ev;

	assert_true(dxg_sched_peek_event(&f->s, &ev));
	dxg_encode_guest_event(&ev, &m);
	assert_int_equal(m.hdr.channel, DXGKVMB_HOST_TO_VM);
	assert_int_equal(m.hdr.command_type, DXGK_VMBCOMMAND_SIGNALGUESTEVENT);
	dxg_sched_pop_event(&f->s);
	return m.event;
}

/* ---- tests ---- */

static void test_fence_monotonic(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 7);

	assert_int_equal(dxg_sync_value(a), 7);
	assert_int_equal(page_value(f, a), 7);
	dxg_sync_signal(&f->s, a, 10);
	assert_int_equal(page_value(f, a), 10);
	dxg_sync_signal(&f->s, a, 3);		/* never lowered */
	assert_int_equal(dxg_sync_value(a), 10);
	assert_int_equal(page_value(f, a), 10);
	/* The guest scribbling on the page does not move the fence. */
	memset(f->mem.shm + a->u.syncobject.sync->page, 0xff, 8);
	dxg_sync_signal(&f->s, a, 11);
	assert_int_equal(page_value(f, a), 11);
	assert_int_equal(dxg_sync_create(&f->s, mk(f, DXG_OBJ_SYNCOBJECT, f->d),
					 D3DDDI_SEMAPHORE, 0, 0),
			 STATUS_NOT_SUPPORTED);
}

static void test_queue_order(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0);
	struct dxg_sync_ref r = ref(a, 1);

	assert_int_equal(dxg_sched_submit(&f->s, f->c1, 0x1000, 64), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c1, 0x2000, 64), 0);
	assert_int_equal(dxg_sched_signal(&f->s, f->c1, &r, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c1, 0x3000, 64), 0);
	assert_int_equal(f->s.queued, 4);
	assert_int_equal(dxg_sync_value(a), 0);	/* nothing runs before run() */
	assert_int_equal(dxg_sched_run(&f->s, DXG_SCHED_BUDGET), 4);
	assert_int_equal(runs.n, 3);
	assert_int_equal(runs.va[0], 0x1000);
	assert_int_equal(runs.va[1], 0x2000);
	assert_int_equal(runs.va[2], 0x3000);
	assert_int_equal(dxg_sync_value(a), 1);
	assert_int_equal(f->s.queued, 0);
	assert_null(f->s.active);
	assert_false(dxg_sched_busy(&f->s));
}

static void test_wait_blocks_one_context(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0);
	struct dxg_sync_ref r = ref(a, 5);

	assert_int_equal(dxg_sched_wait_gpu(&f->s, f->c1, &r, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c1, 0x1, 8), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c2, 0x2, 8), 0);
	assert_int_equal(dxg_sched_run(&f->s, DXG_SCHED_BUDGET), 1);
	assert_int_equal(runs.n, 1);
	assert_int_equal(runs.context[0], f->c2->handle);
	assert_false(dxg_sched_busy(&f->s));	/* blocked is not busy */
	dxg_sync_signal(&f->s, a, 4);		/* not enough */
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(runs.n, 1);
	dxg_sync_signal(&f->s, a, 5);
	assert_int_equal(dxg_sched_run(&f->s, DXG_SCHED_BUDGET), 2);
	assert_int_equal(runs.n, 2);
	assert_int_equal(runs.context[1], f->c1->handle);
}

static void test_cross_context(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0), *b = fence(f, f->d, 0);
	struct dxg_sync_ref ra = ref(a, 1), rb = ref(b, 1);

	/* c1 waits for c2's signal; c2 then waits for c1's. */
	assert_int_equal(dxg_sched_wait_gpu(&f->s, f->c1, &ra, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c1, 0x11, 8), 0);
	assert_int_equal(dxg_sched_signal(&f->s, f->c1, &rb, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c2, 0x21, 8), 0);
	assert_int_equal(dxg_sched_signal(&f->s, f->c2, &ra, 1), 0);
	assert_int_equal(dxg_sched_wait_gpu(&f->s, f->c2, &rb, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c2, 0x22, 8), 0);
	assert_int_equal(dxg_sched_run(&f->s, DXG_SCHED_BUDGET), 7);
	assert_int_equal(runs.n, 3);
	assert_int_equal(runs.va[0], 0x21);
	assert_int_equal(runs.va[1], 0x11);
	assert_int_equal(runs.va[2], 0x22);
}

static void test_cpu_waiters(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0), *b = fence(f, f->d, 0);
	struct dxg_sync_ref all[2] = { ref(a, 3), ref(b, 1) };

	/* Already satisfied: the event is queued at once. */
	struct dxg_sync_ref now = ref(a, 0);

	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, &now, 1, false, 99), 0);
	assert_int_equal(outbox_count(f), 1);
	assert_int_equal(pop_event(f), 99);
	assert_int_equal(f->s.nwaiters, 0);

	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, all, 2, false, 1), 0);
	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, all, 2, true, 2), 0);
	assert_int_equal(f->s.nwaiters, 2);
	dxg_sync_signal(&f->s, b, 1);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(outbox_count(f), 1);	/* the wait-any one */
	assert_int_equal(pop_event(f), 2);
	dxg_sync_signal(&f->s, a, 2);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(outbox_count(f), 0);
	dxg_sync_signal(&f->s, a, 3);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(pop_event(f), 1);
	assert_int_equal(f->s.nwaiters, 0);
	assert_false(dxg_sched_busy(&f->s));

	/* A signal from a context's queue wakes CPU waiters too. */
	struct dxg_sync_ref r5 = ref(a, 5);

	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, &r5, 1, false, 3), 0);
	assert_int_equal(dxg_sched_signal(&f->s, f->c2, &r5, 1), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(pop_event(f), 3);
	/* Bad input. */
	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, &r5, 0, false, 3),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, &r5, 33, false, 3),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, &r5, 1, false, 0),
			 STATUS_INVALID_PARAMETER);
}

/*
 * A broadcast signal happens when its last context reaches it; a context
 * destroyed meanwhile counts as reached; a CPU event goes with it.
 */
static void test_broadcast(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0), *b = fence(f, f->d, 0);
	struct dxg_obj *c3 = mk(f, DXG_OBJ_CONTEXT, f->d);
	struct dxg_obj *both[2] = { f->c1, f->c2 }, *three[3] = { f->c1, c3, f->c2 };
	struct dxg_sync_ref ra = ref(a, 1);
	struct dxg_sig sig = { .count = 1, .refs = { ref(b, 5) } };

	assert_int_equal(dxg_sched_signal_bcast(&f->s, both, 0, &sig),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sched_wait_gpu(&f->s, f->c2, &ra, 1), 0);
	assert_int_equal(dxg_sched_signal_bcast(&f->s, both, 2, &sig), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(dxg_sync_value(b), 0);		/* c2 not there yet */
	dxg_sync_signal(&f->s, a, 1);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(dxg_sync_value(b), 5);
	assert_int_equal(page_value(f, b), 5);

	/* c3 goes away with its part pending: the rest still signals. */
	ra.value = 2;
	sig.refs[0].value = 6;
	sig.event = 99;
	assert_int_equal(dxg_sched_wait_gpu(&f->s, c3, &ra, 1), 0);
	assert_int_equal(dxg_sched_signal_bcast(&f->s, three, 3, &sig), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(dxg_sync_value(b), 5);
	assert_int_equal(outbox_count(f), 0);
	dxg_obj_destroy(&f->o, c3);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(dxg_sync_value(b), 6);
	assert_int_equal(pop_event(f), 99);

	/* A CPU event alone, from one context. */
	sig.count = 0;
	sig.event = 123;
	assert_int_equal(dxg_sched_signal_bcast(&f->s, both, 1, &sig), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(pop_event(f), 123);
	sig.event = 0;
	assert_int_equal(dxg_sched_signal_bcast(&f->s, both, 1, &sig),
			 STATUS_INVALID_PARAMETER);
}

static void test_notification(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *n = mk(f, DXG_OBJ_SYNCOBJECT, f->d);
	struct dxg_sync_ref r = ref(n, 0);

	assert_int_equal(dxg_sync_create(&f->s, n, D3DDDI_CPU_NOTIFICATION, 0, 0),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sync_create(&f->s, n, D3DDDI_CPU_NOTIFICATION, 0, 77),
			 STATUS_SUCCESS);
	dxg_sync_signal(&f->s, n, 0);
	dxg_sync_signal(&f->s, n, 0);		/* coalesced until delivered */
	assert_int_equal(outbox_count(f), 1);
	assert_int_equal(pop_event(f), 77);
	assert_int_equal(dxg_sched_signal(&f->s, f->c1, &r, 1), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(pop_event(f), 77);
}

static void test_destroy_while_queued(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0);
	struct dxg_obj *d2 = mk(f, DXG_OBJ_DEVICE, f->p);
	struct dxg_obj *c3 = mk(f, DXG_OBJ_CONTEXT, d2);
	struct dxg_sync_ref r = ref(a, 1);

	assert_int_equal(dxg_sched_wait_gpu(&f->s, f->c1, &r, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c1, 0x1, 8), 0);
	assert_int_equal(dxg_sched_wait_gpu(&f->s, c3, &r, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, c3, 0x3, 8), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(f->s.queued, 4);
	/* A context: its work is dropped, the other queues stay. */
	dxg_obj_destroy(&f->o, f->c1);
	assert_int_equal(f->s.queued, 2);
	/* A CPU waiter of a device that goes: dropped, never signalled. */
	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, d2, &r, 1, false, 5), 0);
	dxg_obj_destroy(&f->o, d2);
	assert_int_equal(f->s.queued, 0);
	assert_int_equal(f->s.nwaiters, 0);
	dxg_sync_signal(&f->s, a, 1);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(outbox_count(f), 0);
	assert_int_equal(runs.n, 0);
	/* A fence destroyed under a wait satisfies it. */
	struct dxg_obj *b = fence(f, f->d, 0);
	struct dxg_sync_ref rb = ref(b, 9);

	assert_int_equal(dxg_sched_wait_gpu(&f->s, f->c2, &rb, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c2, 0x2, 8), 0);
	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, &rb, 1, false, 6), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(runs.n, 0);
	dxg_obj_destroy(&f->o, b);
	assert_true(dxg_sched_busy(&f->s));
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(runs.n, 1);
	assert_int_equal(pop_event(f), 6);
	/* A process that goes takes its undelivered events with it. */
	dxg_sync_signal(&f->s, a, 2);
	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, &r, 1, false, 7), 0);
	assert_int_equal(outbox_count(f), 1);
	dxg_obj_destroy(&f->o, f->p);
	assert_int_equal(outbox_count(f), 0);
}

/*
 * A queued GPU wait pins the fence, not the handle: another process opens
 * the fence (as from an NT handle), queues a wait through its object and
 * destroys that object at once (the reference's WaitSyncFile).  The wait
 * stays until the fence reaches the value; it goes when nothing but waits
 * holds the fence (nobody can signal it), and the fence page with it.
 */
static void test_wait_pins_fence(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0);
	struct dxg_obj *p2 = mk(f, DXG_OBJ_PROCESS, NULL);
	struct dxg_obj *d2 = mk(f, DXG_OBJ_DEVICE, p2);
	struct dxg_obj *c3 = mk(f, DXG_OBJ_CONTEXT, d2);
	struct dxg_obj *o = mk(f, DXG_OBJ_SYNCOBJECT, d2);
	struct dxg_sync_ref r;

	dxg_sync_share(a->u.syncobject.sync, o);
	r = ref(o, 5);
	assert_int_equal(dxg_sched_wait_gpu(&f->s, c3, &r, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, c3, 0x3, 8), 0);
	dxg_obj_destroy(&f->o, o);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(runs.n, 0);	/* the creator's object holds it */
	dxg_sync_signal(&f->s, a, 4);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(runs.n, 0);
	dxg_sync_signal(&f->s, a, 5);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(runs.n, 1);

	/* The same wait, then the creator's object goes too: released. */
	o = mk(f, DXG_OBJ_SYNCOBJECT, d2);
	dxg_sync_share(a->u.syncobject.sync, o);
	r = ref(o, 9);
	assert_int_equal(dxg_sched_wait_gpu(&f->s, c3, &r, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, c3, 0x4, 8), 0);
	dxg_obj_destroy(&f->o, o);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(runs.n, 1);
	dxg_obj_destroy(&f->o, a);
	assert_true(dxg_sched_busy(&f->s));
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(runs.n, 2);
	assert_int_equal(f->mem.heap.used, 0);	/* the page went with it */

	/* A pinned fence whose waiting context goes is freed with it. */
	a = fence(f, f->d, 0);
	o = mk(f, DXG_OBJ_SYNCOBJECT, d2);
	dxg_sync_share(a->u.syncobject.sync, o);
	r = ref(o, 1);
	assert_int_equal(dxg_sched_wait_gpu(&f->s, c3, &r, 1), 0);
	assert_int_equal(f->s.queued, 1);
	dxg_obj_destroy(&f->o, p2);
	assert_int_equal(f->s.queued, 0);
	dxg_obj_destroy(&f->o, a);
	assert_int_equal(f->mem.heap.used, 0);
}

static void test_quotas_and_budget(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0);
	struct dxg_sync_ref r = ref(a, 1);
	uint32_t i;

	for (i = 0; i < DXG_SCHED_MAX_PROC_WAITERS; i++)
		assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, &r, 1, false,
						    i + 1), 0);
	assert_int_equal(dxg_sched_wait_cpu(&f->s, f->p, f->d, &r, 1, false, 1),
			 STATUS_QUOTA_EXCEEDED);
	/* Another process still may. */
	struct dxg_obj *p2 = mk(f, DXG_OBJ_PROCESS, NULL);
	struct dxg_obj *d2 = mk(f, DXG_OBJ_DEVICE, p2);

	assert_int_equal(dxg_sched_wait_cpu(&f->s, p2, d2, &r, 1, false, 1), 0);
	dxg_sync_signal(&f->s, a, 1);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(f->s.nwaiters, 0);
	assert_int_equal(outbox_count(f), DXG_SCHED_MAX_PROC_WAITERS + 1);
	dxg_sched_clear_outbox(&f->s);

	for (i = 0; i < 10; i++)
		assert_int_equal(dxg_sched_submit(&f->s, f->c1, 0x100 + i, 8), 0);
	assert_int_equal(dxg_sched_run(&f->s, 4), 4);
	assert_true(f->s.more);
	assert_true(dxg_sched_busy(&f->s));
	assert_int_equal(dxg_sched_run(&f->s, 100), 6);
	assert_false(dxg_sched_busy(&f->s));
	for (i = 0; i < 10; i++)
		assert_int_equal(runs.va[i], 0x100 + i);

	for (i = 0; i < DXG_SCHED_MAX_QUEUED; i++)
		assert_int_equal(dxg_sched_wait_gpu(&f->s, f->c2, &r, 1), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c2, 1, 1), STATUS_QUOTA_EXCEEDED);
	assert_int_equal(dxg_sched_wait_gpu(&f->s, f->c2, &r, 0),
			 STATUS_INVALID_PARAMETER);
	dxg_obj_destroy(&f->o, f->c2);
	assert_int_equal(f->s.queued, 0);
}

/*
 * A submission running on a worker blocks its context's queue only, is not
 * "busy" (the loop may park), and its completion lets the queue go on.
 */
static void test_running_submit(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0), *b = fence(f, f->d, 0);
	struct dxg_sync_ref ra = ref(a, 1), rb = ref(b, 1);

	assert_int_equal(dxg_sched_submit(&f->s, f->c1, ASYNC_VA, 64), 0);
	assert_int_equal(dxg_sched_signal(&f->s, f->c1, &ra, 1), 0);
	assert_int_equal(dxg_sched_signal(&f->s, f->c2, &rb, 1), 0);
	assert_int_equal(dxg_sched_run(&f->s, DXG_SCHED_BUDGET), 1);
	assert_int_equal(nstarted, 1);
	assert_int_equal(dxg_sync_value(b), 1);		/* the other context ran */
	assert_int_equal(dxg_sync_value(a), 0);
	assert_false(dxg_sched_busy(&f->s));
	/* Running again does not start it twice. */
	assert_int_equal(dxg_sched_run(&f->s, DXG_SCHED_BUDGET), 0);
	assert_int_equal(nstarted, 1);
	/* Back from the worker: busy until collected, then the signal runs. */
	dxg_exec_done_push(&f->s.done, started[0]);
	assert_true(dxg_sched_busy(&f->s));
	assert_int_equal(dxg_sched_run(&f->s, DXG_SCHED_BUDGET), 1);
	assert_int_equal(nfinished, 1);
	assert_int_equal(dxg_sync_value(a), 1);
	assert_int_equal(f->s.queued, 0);
	assert_null(f->s.active);
	assert_false(dxg_sched_busy(&f->s));

	/* A failed job still lets what follows run (the fences signal). */
	ra.value = 2;
	assert_int_equal(dxg_sched_submit(&f->s, f->c1, ASYNC_VA + 0xbad, 64), 0);
	assert_int_equal(dxg_sched_signal(&f->s, f->c1, &ra, 1), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	dxg_exec_done_push(&f->s.done, started[1]);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(last_finished, STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sync_value(a), 2);
}

/* A context destroyed while its job runs: the job comes back unowned. */
static void test_running_submit_orphaned(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *a = fence(f, f->d, 0);
	struct dxg_sync_ref ra = ref(a, 1);

	assert_int_equal(dxg_sched_submit(&f->s, f->c1, ASYNC_VA, 64), 0);
	assert_int_equal(dxg_sched_signal(&f->s, f->c1, &ra, 1), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(nstarted, 1);
	dxg_obj_destroy(&f->o, f->c1);
	assert_int_equal(f->s.queued, 0);
	dxg_exec_done_push(&f->s.done, started[0]);
	assert_int_equal(dxg_sched_run(&f->s, DXG_SCHED_BUDGET), 0);
	assert_int_equal(nfinished, 0);		/* freed, not finished */
	assert_int_equal(dxg_sync_value(a), 0);
	assert_false(dxg_sched_busy(&f->s));
	/* One left on the list at teardown is freed by dxg_sched_fini(). */
	assert_int_equal(dxg_sched_submit(&f->s, f->c2, ASYNC_VA, 64), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	dxg_obj_destroy(&f->o, f->c2);
	dxg_exec_done_push(&f->s.done, started[1]);
}

/* The test's clock for the scheduler's busy time (ns). */
static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

static uint64_t busy_ns(struct fx *f, uint32_t *jobs)
{
	uint64_t ns = 0;

	assert_true(dxg_sched_node_busy(&f->s, AD, 0, &ns, jobs));
	return ns;
}

/*
 * Busy time: from a job's start to its collection, an open period counted
 * up to now, overlapping jobs of two devices on the node once, a job run
 * at once and a job orphaned by its context's destroy closing their
 * periods; nodes beyond the adapter's are not counted.
 */
static void test_node_busy(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *d2 = mk(f, DXG_OBJ_DEVICE, f->p);
	struct dxg_obj *c3 = mk(f, DXG_OBJ_CONTEXT, d2);
	uint32_t jobs;
	uint64_t ns;

	f->s.now_ns = fake_clock;
	fake_now = 1000;
	assert_int_equal(busy_ns(f, &jobs), 0);
	assert_int_equal(jobs, 0);
	assert_false(dxg_sched_node_busy(&f->s, AD, 1, &ns, &jobs));
	assert_false(dxg_sched_node_busy(&f->s, AD, DXG_SCHED_MAX_NODES + 5,
					 &ns, &jobs));

	/* One job: 1000..5000, sampled while it runs. */
	assert_int_equal(dxg_sched_submit(&f->s, f->c1, ASYNC_VA, 64), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(nstarted, 1);
	fake_now = 3000;
	assert_int_equal(busy_ns(f, &jobs), 2000);
	assert_int_equal(jobs, 1);
	fake_now = 5000;
	dxg_exec_done_push(&f->s.done, started[0]);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	fake_now = 9000;			/* idle: no more */
	assert_int_equal(busy_ns(f, &jobs), 4000);

	/* Two devices at once, 10000..14000 and 12000..20000: 10000 busy. */
	fake_now = 10000;
	assert_int_equal(dxg_sched_submit(&f->s, f->c1, ASYNC_VA + 1, 64), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	fake_now = 12000;
	assert_int_equal(dxg_sched_submit(&f->s, c3, ASYNC_VA + 2, 64), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(nstarted, 3);
	fake_now = 14000;
	dxg_exec_done_push(&f->s.done, started[1]);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	fake_now = 16000;
	assert_int_equal(busy_ns(f, &jobs), 4000 + 6000);
	fake_now = 20000;
	dxg_exec_done_push(&f->s.done, started[2]);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	fake_now = 30000;
	assert_int_equal(busy_ns(f, &jobs), 4000 + 10000);
	assert_int_equal(jobs, 3);

	/* Run at once: counted as a job, its (clock-free) time nothing. */
	assert_int_equal(dxg_sched_submit(&f->s, f->c2, 0x1000, 64), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(busy_ns(f, &jobs), 14000);
	assert_int_equal(jobs, 4);

	/* Orphaned at 31000: its period ends with its context. */
	assert_int_equal(dxg_sched_submit(&f->s, c3, ASYNC_VA + 3, 64), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	fake_now = 31000;
	dxg_obj_destroy(&f->o, c3);
	fake_now = 40000;
	assert_int_equal(busy_ns(f, &jobs), 15000);
	dxg_exec_done_push(&f->s.done, started[3]);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(busy_ns(f, &jobs), 15000);
	assert_int_equal(jobs, 5);
}

/*
 * Per-process node time (QUERYSTATISTICS PROCESS_NODE): two processes'
 * jobs on their own devices overlap; each process counts its own, the VM
 * the union; a process's counters go with it.
 */
static void test_process_node_busy(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *p2 = mk(f, DXG_OBJ_PROCESS, NULL);
	struct dxg_obj *d2 = mk(f, DXG_OBJ_DEVICE, p2);
	struct dxg_obj *c3 = mk(f, DXG_OBJ_CONTEXT, d2);
	uint32_t jobs, jobs2;
	uint64_t ns, ns2;

	f->s.now_ns = fake_clock;
	fake_now = 1000;
	assert_true(dxg_sched_process_node_busy(&f->s, f->p, AD, 0, &ns, &jobs));
	assert_int_equal(ns, 0);
	assert_int_equal(jobs, 0);
	assert_false(dxg_sched_process_node_busy(&f->s, f->p, AD, 1, &ns, &jobs));
	assert_false(dxg_sched_process_node_busy(&f->s, f->c1, AD, 0, &ns, &jobs));

	/* p: 1000..5000 on its device; p2: 3000..9000 on its own. */
	assert_int_equal(dxg_sched_submit(&f->s, f->c1, ASYNC_VA, 64), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	fake_now = 3000;
	assert_int_equal(dxg_sched_submit(&f->s, c3, ASYNC_VA + 1, 64), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(nstarted, 2);
	fake_now = 5000;
	dxg_exec_done_push(&f->s.done, started[0]);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	fake_now = 7000;			/* p2's job still runs */
	assert_true(dxg_sched_process_node_busy(&f->s, f->p, AD, 0, &ns, &jobs));
	assert_true(dxg_sched_process_node_busy(&f->s, p2, AD, 0, &ns2, &jobs2));
	assert_int_equal(ns, 4000);
	assert_int_equal(jobs, 1);
	assert_int_equal(ns2, 4000);
	assert_int_equal(jobs2, 1);
	fake_now = 9000;
	dxg_exec_done_push(&f->s.done, started[1]);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	fake_now = 12000;
	assert_true(dxg_sched_process_node_busy(&f->s, p2, AD, 0, &ns2, &jobs2));
	assert_int_equal(ns2, 6000);
	assert_true(dxg_sched_process_node_busy(&f->s, f->p, AD, 0, &ns, &jobs));
	assert_int_equal(ns, 4000);
	assert_int_equal(busy_ns(f, &jobs), 8000);	/* the union */
	assert_int_equal(jobs, 2);
	dxg_obj_destroy(&f->o, p2);	/* its counters with it (ASan) */
}

/*
 * Priority: three low contexts queue jobs behind a gate (a fence), a
 * fourth context is raised and queues its job last; when the gate opens
 * the engine takes the high context's job first, then the others in
 * their order.  The fake records the order in which jobs start.
 */
static void run_gate(struct fx *f, struct dxg_obj **c, unsigned int nc,
		     struct dxg_obj *gate)
{
	struct dxg_sync_ref g = ref(gate, 1);

	for (unsigned int i = 0; i < nc; i++) {
		assert_int_equal(dxg_sched_wait_gpu(&f->s, c[i], &g, 1), 0);
		assert_int_equal(dxg_sched_submit(&f->s, c[i], ASYNC_VA + i, 64), 0);
	}
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(nstarted, 0);
	dxg_sync_signal(&f->s, gate, 1);
	/* One job at a time on the device's engine; finish each in turn. */
	for (unsigned int i = 0; i < nc; i++) {
		dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
		assert_int_equal(nstarted, i + 1);
		dxg_exec_done_push(&f->s.done, started[i]);
	}
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(nfinished, nc);
	assert_int_equal(f->s.queued, 0);
}

static void test_priority_overtakes(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *gate = fence(f, f->d, 0);
	struct dxg_obj *c3 = mk(f, DXG_OBJ_CONTEXT, f->d);
	struct dxg_obj *hi = mk(f, DXG_OBJ_CONTEXT, f->d);
	struct dxg_obj *c[] = { f->c1, f->c2, c3, hi };

	assert_int_equal(dxg_sched_set_priority(&f->s, hi, false, 5), 0);
	run_gate(f, c, 4, gate);
	assert_int_equal(runs.n, 4);
	assert_int_equal(runs.context[0], hi->handle);
	assert_int_equal(runs.context[1], f->c1->handle);
	assert_int_equal(runs.context[2], f->c2->handle);
	assert_int_equal(runs.context[3], c3->handle);
}

/* Equal priorities: FIFO in the order the queues became active. */
static void test_priority_fifo_among_equals(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *gate = fence(f, f->d, 0);
	struct dxg_obj *c3 = mk(f, DXG_OBJ_CONTEXT, f->d);
	struct dxg_obj *c[] = { f->c1, f->c2, c3 };

	run_gate(f, c, 3, gate);
	assert_int_equal(runs.context[0], f->c1->handle);
	assert_int_equal(runs.context[1], f->c2->handle);
	assert_int_equal(runs.context[2], c3->handle);
}

/*
 * Raised while its work is queued (the queue moves), the in-process
 * priority orders equals, a lowered context goes last, and the range is
 * checked.
 */
static void test_priority_change_queued(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *gate = fence(f, f->d, 0);
	struct dxg_obj *c3 = mk(f, DXG_OBJ_CONTEXT, f->d);
	struct dxg_obj *c4 = mk(f, DXG_OBJ_CONTEXT, f->d);
	struct dxg_sync_ref g = ref(gate, 1);
	struct dxg_obj *c[] = { f->c1, f->c2, c3, c4 };

	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(dxg_sched_wait_gpu(&f->s, c[i], &g, 1), 0);
		assert_int_equal(dxg_sched_submit(&f->s, c[i], ASYNC_VA + i, 64), 0);
	}
	assert_int_equal(dxg_sched_set_priority(&f->s, c3, false, 2), 0);
	assert_int_equal(dxg_sched_set_priority(&f->s, c4, true, 1), 0);
	assert_int_equal(dxg_sched_set_priority(&f->s, f->c1, false, -3), 0);
	assert_int_equal(dxg_sched_set_priority(&f->s, f->c2, false, 8),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sched_set_priority(&f->s, f->c2, true, -8),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sched_set_priority(&f->s, f->d, false, 0),
			 STATUS_INVALID_HANDLE);
	dxg_sync_signal(&f->s, gate, 1);
	for (unsigned int i = 0; i < 4; i++) {
		dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
		assert_int_equal(nstarted, i + 1);
		dxg_exec_done_push(&f->s.done, started[i]);
	}
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	/* c3 (2), c4 (0, in-process 1), c2 (0), c1 (-3). */
	assert_int_equal(runs.context[0], c3->handle);
	assert_int_equal(runs.context[1], c4->handle);
	assert_int_equal(runs.context[2], f->c2->handle);
	assert_int_equal(runs.context[3], f->c1->handle);
	assert_int_equal(c3->u.context.priority, 2);
	assert_int_equal(c4->u.context.inproc_priority, 1);
}

/* A context destroyed while its job runs gives the engine back. */
static void test_priority_engine_freed(void **state)
{
	struct fx *f = *state;

	assert_int_equal(dxg_sched_submit(&f->s, f->c1, ASYNC_VA, 64), 0);
	assert_int_equal(dxg_sched_submit(&f->s, f->c2, ASYNC_VA + 1, 64), 0);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(nstarted, 1);		/* c2 waits for the engine */
	assert_false(dxg_sched_busy(&f->s));
	dxg_obj_destroy(&f->o, f->c1);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(nstarted, 2);
	dxg_exec_done_push(&f->s.done, started[0]);	/* unowned: dropped */
	dxg_exec_done_push(&f->s.done, started[1]);
	dxg_sched_run(&f->s, DXG_SCHED_BUDGET);
	assert_int_equal(nfinished, 1);
	assert_int_equal(f->s.queued, 0);
	assert_int_equal(f->d->u.device.inflight, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fence_monotonic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_blocks_one_context, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cross_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_waiters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broadcast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_pins_fence, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_destroy_while_queued, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_quotas_and_budget, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_running_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_process_node_busy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_running_submit_orphaned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_priority_overtakes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_priority_fifo_among_equals,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_change_queued, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_priority_engine_freed, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
