// SPDX-License-Identifier: MIT
/*
 * dxghost under a hostile guest (issue 12; docs/reliability.md §3): one VM
 * attacks its own channel (ring indices, packets, floods, bytes rewritten
 * while the host reads them, handshake misuse) while a well-behaved VM,
 * from a thread of its own, keeps making and destroying objects and must
 * get every call answered correctly during and after the attack.
 *
 * After each attack the hostile VM is either still served or cut off the
 * documented way (docs/ivshmem-transport.md §5.3, §5.4: its guest state is
 * dropped and the host waits for a new handshake), and a new handshake
 * always brings it back.  At the end the hostile VM's connection closes and
 * dxghost must have freed everything it held; dxghost must still be alive,
 * exit cleanly and have logged no sanitizer report.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dxg/cmdstream.h"
#include "dxg/ntstatus.h"
#include "harness.h"

/* The VM ids dxghost gives them: connection order. */
#define GOOD_VM_ID	1
#define BAD_VM_ID	2

/*
 * The threads a test starts, each with its stop flag: stopped and joined
 * by the test, or by the teardown when an assertion left the test early
 * (its state is static, so they never run on a dead stack frame).
 */
struct helper {
	pthread_t thread;
	atomic_bool *quit;
	bool live;
};
static struct helper helpers[4];

static struct helper *helper_start(void *(*fn)(void *), void *arg,
				   atomic_bool *quit)
{
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		if (!helpers[i].live) {
			atomic_store(quit, false);
			helpers[i].quit = quit;
			assert_int_equal(pthread_create(&helpers[i].thread, NULL,
							fn, arg), 0);
			helpers[i].live = true;
			return &helpers[i];
		}
	}
	fail_msg("too many helper threads");
	return NULL;
}

static void helper_stop(struct helper *h)
{
	if (h && h->live) {
		atomic_store(h->quit, true);
		pthread_join(h->thread, NULL);
		h->live = false;
	}
}

static int teardown(void **state)
{
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		helper_stop(&helpers[i]);
	return kill_leftovers(state);
}

/* ---- the well-behaved VM ---- */

struct good_vm {
	struct gsim g;
	struct tree keep;	/* lives through the whole test */
	uint32_t base;		/* its objects between cycles */
	struct helper *thread;
	atomic_bool stop;
	atomic_uint cycles;
	atomic_uint fails;
	char why[160];		/* the first failure */
};

#define GOOD_FAIL(vm, ...) do {						\
	if (atomic_fetch_add(&(vm)->fails, 1) == 0)			\
		snprintf((vm)->why, sizeof((vm)->why), __VA_ARGS__);	\
	return -1;							\
} while (0)

/*
 * One cycle of ordinary work with every reply checked: a process, a
 * device and a context made, an adapter query answered with this VM's own
 * figures, the object count right, everything destroyed again.
 */
static int good_cycle(struct good_vm *vm)
{
	struct gsim *g = &vm->g;
	struct d3dkmt_segmentsizeinfo si;
	uint32_t p = 0, dev = 0, ctx = 0;
	int32_t st;

	if ((st = gsim_create_process(g, &p)) || !p)
		GOOD_FAIL(vm, "create process: %#x", (unsigned int)st);
	if ((st = gsim_create_device(g, p, 0, &dev)) || !dev)
		GOOD_FAIL(vm, "create device: %#x", (unsigned int)st);
	if ((st = gsim_create_context(g, p, 0, dev, 0, 64, &ctx)) || !ctx)
		GOOD_FAIL(vm, "create context: %#x", (unsigned int)st);
	memset(&si, 0, sizeof(si));
	if ((st = gsim_query_adapter_info(g, p, 0, KMTQAITYPE_GETSEGMENTSIZE,
					  &si, sizeof(si))))
		GOOD_FAIL(vm, "query adapter info: %#x", (unsigned int)st);
	if (si.shared_system_memory_size != g->ctl->io_space_size)
		GOOD_FAIL(vm, "segment size %llu, not %llu",
			  (unsigned long long)si.shared_system_memory_size,
			  (unsigned long long)g->ctl->io_space_size);
	if (dxg_read_once(g->ctl->stat_objects) != vm->base + 3)
		GOOD_FAIL(vm, "%u objects, not %u",
			  dxg_read_once(g->ctl->stat_objects), vm->base + 3);
	if ((st = gsim_destroy_context(g, p, 0, ctx)))
		GOOD_FAIL(vm, "destroy context: %#x", (unsigned int)st);
	if ((st = gsim_destroy_device(g, p, 0, dev)))
		GOOD_FAIL(vm, "destroy device: %#x", (unsigned int)st);
	if ((st = gsim_destroy_process(g, p)))
		GOOD_FAIL(vm, "destroy process: %#x", (unsigned int)st);
	if (dxg_read_once(g->ctl->stat_objects) != vm->base)
		GOOD_FAIL(vm, "%u objects left, not %u",
			  dxg_read_once(g->ctl->stat_objects), vm->base);
	atomic_fetch_add(&vm->cycles, 1);
	return 0;
}

static void *good_loop(void *arg)
{
	struct good_vm *vm = arg;

	while (!atomic_load(&vm->stop) && good_cycle(vm) == 0)
		;
	return NULL;
}

/* ---- the test's environment ---- */

struct env {
	struct daemon d;
	struct good_vm good;
	struct gsim bad;
	struct tree bt;		/* the hostile VM's objects */
	uint32_t gen;		/* its generation */
	uint32_t seed;
};

static uint32_t rnd(struct env *e)
{
	e->seed = e->seed * 1664525u + 1013904223u;
	return e->seed >> 8;
}

static void env_up(struct env *e, uint32_t seed)
{
	memset(e, 0, sizeof(*e));
	e->seed = seed;
	daemon_start_full(&e->d, NULL, true);
	guest_up(&e->good.g, &e->d, 1);
	make_tree(&e->good.g, &e->good.keep);
	e->good.base = e->good.g.ctl->stat_objects;
	guest_up(&e->bad, &e->d, 1);
	e->gen = 1;
	make_tree(&e->bad, &e->bt);
	assert_int_equal(good_cycle(&e->good), 0);
	e->good.thread = helper_start(good_loop, &e->good, &e->good.stop);
}

/* The good VM's thread has run at least `n` more cycles, without failing. */
static void good_progress(struct env *e, unsigned int n)
{
	unsigned int from = atomic_load(&e->good.cycles);
	int64_t end = ms_now() + 10000;

	while (atomic_load(&e->good.cycles) < from + n &&
	       !atomic_load(&e->good.fails) && ms_now() < end)
		usleep(1000);
	if (atomic_load(&e->good.fails))
		fail_msg("the good VM failed: %s", e->good.why);
	assert_true(atomic_load(&e->good.cycles) >= from + n);
}

/* A new generation: the hostile VM is served again, from nothing. */
static void bad_rejoin(struct env *e)
{
	assert_int_equal(gsim_handshake(&e->bad, ++e->gen), 0);
	assert_int_equal(wait_u32(&e->bad.ctl->stat_objects, 0), 0);
	make_tree(&e->bad, &e->bt);
	assert_int_equal(e->bad.ctl->stat_objects, 3);
}

/* Cut off the documented way: its objects go and it is not served. */
static void assert_cut_off(struct env *e)
{
	assert_int_equal(wait_u32(&e->bad.ctl->stat_objects, 0), 0);
	assert_int_equal(e->bad.ctl->stat_processes, 0);
	assert_true(daemon_alive(&e->d));
}

/* Still served on the same generation: its tree answers. */
static void assert_served(struct env *e)
{
	uint32_t p;

	assert_int_equal(gsim_create_process(&e->bad, &p), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_process(&e->bad, p), STATUS_SUCCESS);
	assert_int_equal(gsim_create_context(&e->bad, e->bt.proc, 0, e->bt.dev,
					     0, 0, &p), STATUS_SUCCESS);
	assert_int_equal(gsim_destroy_context(&e->bad, e->bt.proc, 0, p),
			 STATUS_SUCCESS);
}

/* Waits up to `ms` for dxghost to log `what`. */
static void wait_logged(struct env *e, const char *what, int ms)
{
	int64_t end = ms_now() + ms;

	while (!strstr(daemon_log(&e->d), what)) {
		if (ms_now() > end)
			fail_msg("dxghost did not log \"%s\":\n%s", what,
				 daemon_log(&e->d));
		usleep(10000);
	}
}

static void assert_log_clean(struct env *e)
{
	static const char *const bad[] = {
		"Sanitizer", "runtime error", "==ERROR",
	};
	const char *log = daemon_log(&e->d);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(log, bad[i]))
			fail_msg("dxghost logged \"%s\":\n%s", bad[i], log);
}

/*
 * The end of every test: the good VM was served all along and still is;
 * the hostile VM (back on a new generation, with memory) disconnects and
 * dxghost frees all it held; dxghost exits cleanly, its log clean.
 */
static void env_down(struct env *e)
{
	struct mapped m;
	uint32_t adapter;
	char what[64];

	good_progress(e, 1);
	helper_stop(e->good.thread);
	if (atomic_load(&e->good.fails))
		fail_msg("the good VM failed: %s", e->good.why);
	assert_true(daemon_alive(&e->d));

	bad_rejoin(e);
	assert_int_equal(gsim_open_adapter(&e->bad, 0, &adapter), STATUS_SUCCESS);
	map_new(&e->bad, adapter, &e->bt, 4 * PG, &m);
	assert_true(e->bad.ctl->stat_io_space_used > 0);
	gsim_disconnect(&e->bad);
	snprintf(what, sizeof(what), "vm %u disconnected", BAD_VM_ID);
	assert_logged(&e->d, what);
	assert_int_equal(e->bad.ctl->stat_objects, 0);
	assert_int_equal(e->bad.ctl->stat_processes, 0);
	assert_int_equal(e->bad.ctl->stat_io_space_used, 0);
	gsim_close(&e->bad);

	assert_int_equal(good_cycle(&e->good), 0);
	assert_int_equal(e->good.g.ctl->stat_objects, e->good.base);
	gsim_close(&e->good.g);
	assert_true(daemon_alive(&e->d));
	assert_int_equal(daemon_stop(&e->d), 0);
	assert_log_clean(e);
	daemon_cleanup(&e->d);
}

/* ---- raw ring access (the hostile VM writes what it likes) ---- */

/*
 * Writes a packet at the g2h write index with descriptor `desc` (taken as
 * is), `plen` payload bytes and a trailer, moves write_index by `total`
 * and rings the host.  Nothing is checked: that is the point.
 */
static void raw_packet(struct gsim *g, const struct dxg_pkt_desc *desc,
		       const void *payload, uint32_t plen, uint32_t total)
{
	uint32_t wr = dxg_read_once(g->g2h.hdr->write_index) % g->g2h.size;
	uint64_t trailer = (uint64_t)wr << 32;

	wr &= ~7u;
	dxg_ring_copy_to(&g->g2h, wr, desc, sizeof(*desc));
	if (plen)
		dxg_ring_copy_to(&g->g2h, dxg_ring_advance(&g->g2h, wr, 16),
				 payload, plen);
	if (total >= 24 && total < g->g2h.size)
		dxg_ring_copy_to(&g->g2h, dxg_ring_advance(&g->g2h, wr, total - 8),
				 &trailer, 8);
	dxg_store_release(&g->g2h.hdr->write_index,
			  dxg_ring_advance(&g->g2h, wr, total % g->g2h.size));
	gsim_ring_host(g, DXG_IVSHMEM_VEC_RING);
}

/*
 * The extended and command headers of a message to adapter 0 (or
 * VM-wide); returns its length for a command of `len` bytes (its header
 * included).
 */
static uint32_t make_msg(struct env *e, uint8_t *m, uint32_t channel,
			 uint32_t type, uint32_t process, uint32_t len)
{
	gsim_hdr(m, gsim_vgpu(&e->bad, 0), channel, type, process);
	return EXT + len;
}

/* Requests until the guest->host ring is full (no waiting); how many. */
static uint32_t fill_requests(struct env *e, uint64_t first_id)
{
	uint8_t m[EXT + 64];
	uint32_t len = make_msg(e, m, DXGKVMB_VGPU_TO_HOST,
				DXGK_VMBCOMMAND_QUERYADAPTERINFO, e->bt.proc,
				sizeof(struct dxgkvmb_command_queryadapterinfo) + 8);
	uint32_t n = 0;

	memset(m + EXT + 24, 0, sizeof(m) - EXT - 24);
	memcpy(m + EXT + 24, &(uint32_t[2]){ KMTQAITYPE_ADAPTERTYPE, 8 }, 8);
	while (dxg_ring_write2(&e->bad.g2h, 6, 1, first_id + n, m, len, NULL, 0) == 0) {
		n++;
		if (n % 64 == 0)
			gsim_ring_host(&e->bad, DXG_IVSHMEM_VEC_RING);
	}
	gsim_ring_host(&e->bad, DXG_IVSHMEM_VEC_RING);
	return n;
}

/*
 * A request of `payload` bytes (a multiple of 8, at least 48: an unknown
 * VM-wide command), answered with an error; it takes payload + 24 bytes
 * of the ring.
 */
static void send_filler(struct env *e, uint8_t *buf, uint32_t payload)
{
	uint32_t len = make_msg(e, buf, DXGKVMB_VM_TO_HOST, 999, 0, payload - EXT);

	assert_int_equal(gsim_call(&e->bad, buf, len, buf, 8), 8);
}

/* Fillers until the guest->host write index is `to` (maybe a lap on). */
static void fill_to(struct env *e, uint32_t to)
{
	static uint8_t big[60000];
	uint32_t sz = e->bad.g2h.size;
	uint32_t rem = (to + sz - e->bad.g2h.hdr->write_index) % sz, half;

	if (rem < 1024)
		rem += sz;
	while (rem > 2 * (sizeof(big) + 24)) {
		send_filler(e, big, sizeof(big));
		rem -= sizeof(big) + 24;
	}
	half = (rem / 2) & ~7u;
	send_filler(e, big, half - 24);
	send_filler(e, big, rem - half - 24);
	assert_int_equal(e->bad.g2h.hdr->write_index, to);
}

/* ---- 1. ring indices ---- */

/*
 * The hostile VM's guest->host ring: write_index beyond the ring, not
 * 8-aligned, huge jumps, moved backwards, packets that claim more than was
 * written or wrap at the end; the host->guest ring's read_index (the
 * guest's) beyond the ring or moved backwards.  Each is a corrupt ring:
 * the VM's state is dropped and the host waits for a new handshake.
 * Fields the host owns (g2h read_index, interrupt masks) rewritten by the
 * guest change nothing: the host keeps its own copies.
 */
static void test_ring_indices(void **state)
{
	static struct env e;

	(void)state;
	env_up(&e, 1);
	for (int i = 0; i < 4; i++) {
		struct dxg_ring_hdr *h = e.bad.g2h.hdr;
		uint32_t sz = e.bad.g2h.size, rd = h->read_index;
		const uint32_t bad_wr[] = { sz, sz + 8, 0xfffffff8u, rd + 4 };

		dxg_store_release(&h->write_index, bad_wr[i]);
		gsim_ring_host(&e.bad, DXG_IVSHMEM_VEC_RING);
		assert_cut_off(&e);
		good_progress(&e, 2);
		bad_rejoin(&e);
	}

	/* Huge jumps over garbage, and backwards over zeros or old packets. */
	for (int i = 0; i < 6; i++) {
		struct dxg_ring_hdr *h = e.bad.g2h.hdr;
		uint32_t sz = e.bad.g2h.size;
		uint32_t wr = h->write_index, to;

		if (i & 1) {
			for (uint32_t k = 0; k < sz; k += 4)
				*(uint32_t *)(e.bad.g2h.data + k) = rnd(&e);
			to = (wr + (sz / 2 & ~7u) + 8 * (uint32_t)i) % sz;
		} else {
			to = (wr + sz - 8 * (1u + (uint32_t)i * 100)) % sz;
		}
		dxg_store_release(&h->write_index, to);
		gsim_ring_host(&e.bad, DXG_IVSHMEM_VEC_RING);
		/*
		 * What lies between the host's cursor and the new index (old
		 * packets of an earlier lap, garbage) is parsed as packets as
		 * long as it looks like them: served or cut off, both are fine.
		 */
		usleep(100000);
		good_progress(&e, 2);
		bad_rejoin(&e);
	}

	/* Descriptors that lie about lengths. */
	{
		struct dxg_pkt_desc lies[] = {
			{ .type = 6, .offset8 = 0, .len8 = 4, .flags = 1, .trans_id = 1 },
			{ .type = 6, .offset8 = 1, .len8 = 4, .flags = 1, .trans_id = 2 },
			{ .type = 6, .offset8 = 5, .len8 = 4, .flags = 1, .trans_id = 3 },
			/* more than was written (the index moves 32 bytes) */
			{ .type = 6, .offset8 = 2, .len8 = 0xffff, .flags = 1, .trans_id = 4 },
			{ .type = 6, .offset8 = 2, .len8 = 40, .flags = 1, .trans_id = 5 },
		};

		for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
			raw_packet(&e.bad, &lies[i], NULL, 0, 32);
			assert_cut_off(&e);
			bad_rejoin(&e);
		}
	}

	/*
	 * Wrap games: valid packets whose payload wraps at the end of the
	 * ring, then ones whose descriptor is split there (8 bytes at the
	 * end, 8 at the start), all served, on two laps; then one that wraps
	 * and claims a length past the write index, cut off.
	 */
	{
		uint32_t sz = e.bad.g2h.size;
		struct dxg_pkt_desc d;

		for (int lap = 0; lap < 2; lap++) {
			fill_to(&e, sz - 8);
			assert_served(&e);	/* the first one split */
		}
		fill_to(&e, sz - 32);
		d = (struct dxg_pkt_desc){ .type = 6, .offset8 = 2,
					   .len8 = (uint16_t)(sz / 16),
					   .flags = 1, .trans_id = 77 };
		raw_packet(&e.bad, &d, NULL, 0, 64);
		assert_cut_off(&e);
		bad_rejoin(&e);
	}

	/*
	 * The host->guest ring's read_index (ours) beyond the ring, unaligned,
	 * or just past the host's write index (the ring looks full): the host
	 * loads it when its replies run out of room by the value it knew.
	 * Corrupt: cut off at once; full: cut off after the documented stall.
	 */
	for (int i = 0; i < 4; i++) {
		uint32_t sz = e.bad.h2g.size, hw = e.bad.h2g.hdr->write_index;
		const uint32_t vals[] = { sz + 8, 0xfffffff8u, 5, (hw + 8) % sz };

		int64_t end = ms_now() + 15000;

		dxg_store_release(&e.bad.h2g.hdr->read_index, vals[i]);
		/* Until the replies overflow what the host knew was free. */
		while (e.bad.ctl->stat_objects && ms_now() < end) {
			fill_requests(&e, 100000);
			usleep(20000);
		}
		assert_int_equal(e.bad.ctl->stat_objects, 0);
		good_progress(&e, 2);
		bad_rejoin(&e);
	}

	/* Host-owned fields rewritten by the guest: nothing changes. */
	for (int i = 0; i < 20; i++) {
		struct dxg_pkt_desc d = { .type = 6, .offset8 = 2, .flags = 1,
					  .trans_id = 500 + (uint64_t)i };
		uint8_t m[EXT + sizeof(struct dxgkvmb_command_createprocess)] = { 0 };
		uint32_t len = make_msg(&e, m, DXGKVMB_VM_TO_HOST,
					DXGK_VMBCOMMAND_DESTROYPROCESS, 0,
					sizeof(struct dxgkvmb_command_destroyprocess));
		uint8_t r[8];
		struct dxg_pkt_desc rd;

		dxg_store_release(&e.bad.g2h.hdr->read_index, rnd(&e));
		dxg_write_once(e.bad.g2h.hdr->interrupt_mask, rnd(&e) & 1);
		dxg_write_once(e.bad.h2g.hdr->pending_send_sz, rnd(&e));
		dxg_write_once(e.bad.h2g.hdr->write_index,
			       dxg_read_once(e.bad.h2g.hdr->write_index));
		d.len8 = (uint16_t)((16 + DXG_ALIGN8(len)) / 8);
		raw_packet(&e.bad, &d, m, len, 16 + DXG_ALIGN8(len) + 8);
		assert_int_equal(gsim_recv(&e.bad, &rd, r, sizeof(r), GSIM_TIMEOUT_MS), 8);
		assert_int_equal(rd.trans_id, 500 + (uint64_t)i);
	}
	assert_int_equal(e.bad.ctl->stat_objects, 3);
	/* The host publishes its own read_index over ours (when it parks). */
	assert_int_equal(wait_u32(&e.bad.g2h.hdr->read_index,
				  e.bad.g2h.hdr->write_index), 0);
	assert_served(&e);
	env_down(&e);
}

/* ---- 2. packets ---- */

/*
 * The reply to `id` arrives next: at least a status, the right completion
 * (host->guest messages, the guest events that random waits registered,
 * may come first).
 */
static void expect_reply(struct env *e, uint64_t id, uint8_t *buf, uint32_t cap)
{
	struct dxg_pkt_desc d;
	int n;

	do
		n = gsim_recv(&e->bad, &d, buf, cap, GSIM_TIMEOUT_MS);
	while (n >= 0 && d.type == DXG_PKT_DATA_INBAND && d.trans_id == 0);
	if (n < 4)
		fail_msg("no reply to request %llu: %d", (unsigned long long)id, n);
	assert_int_equal(d.type, DXG_PKT_COMPLETION);
	assert_int_equal(d.trans_id, id);
}

/* The hostile VM is answered (whatever the answer). */
static void assert_answers(struct env *e, uint64_t id)
{
	uint8_t m[EXT + sizeof(struct dxgkvmb_command_createprocess)] = { 0 };
	uint8_t r[64];
	uint32_t len = make_msg(e, m, DXGKVMB_VM_TO_HOST,
				DXGK_VMBCOMMAND_CREATEPROCESS, 0,
				sizeof(struct dxgkvmb_command_createprocess));

	assert_int_equal(gsim_send(&e->bad, 6, 1, id, m, len), 0);
	expect_reply(e, id, r, sizeof(r));
}

/*
 * Fills `len` body bytes: random words, a quarter of them one of the
 * hostile VM's live handles, some small counts, some huge values.
 */
static void random_body(struct env *e, uint8_t *p, uint32_t len)
{
	const uint32_t handles[] = { e->bt.proc, e->bt.dev, e->bt.ctx };

	for (uint32_t i = 0; i + 4 <= len; i += 4) {
		uint32_t r = rnd(e), v;

		switch (r & 7) {
		case 0: case 1: v = handles[(r >> 3) % 3]; break;
		case 2: v = (r >> 3) & 15; break;
		case 3: v = 0xffffffffu - ((r >> 3) & 7); break;
		case 4: v = 0; break;
		default: v = rnd(e); break;
		}
		memcpy(p + i, &v, 4);
	}
}

/*
 * Every command id of both channels with truncated messages (every length
 * up to the command header and 64 bytes past it) and random payloads; odd
 * packet types and flags; descriptors longer than 16 bytes.  Every request
 * that asks for completion gets exactly its completion, asynchronous
 * messages none, and the VM stays served.
 */
static void test_bad_packets(void **state)
{
	static uint8_t m[8192], r[DXG_MAX_PACKET_PAYLOAD];
	const uint32_t channels[] = { DXGKVMB_VGPU_TO_HOST, DXGKVMB_VM_TO_HOST };
	uint64_t id = 1000;
	static struct env e;

	(void)state;
	env_up(&e, 2);
	for (size_t c = 0; c < 2; c++) {
		uint32_t first = c ? DXGK_VMBCOMMAND_VM_TO_HOST_FIRST : 0;
		uint32_t last = c ? DXGK_VMBCOMMAND_INVALID_VM_TO_HOST + 1 :
				DXGK_VMBCOMMAND_INVALID + 2;

		for (uint32_t t = first; t <= last; t++) {
			/* Truncated: the header cut anywhere, then short bodies. */
			for (uint32_t len = 0; len <= EXT + 24 + 64; len += 4) {
				memset(m, 0, len + 8);
				make_msg(&e, m, channels[c], t, e.bt.proc, 0);
				if (len > EXT + 24)
					random_body(&e, m + EXT + 24, len - EXT - 24);
				assert_int_equal(gsim_send(&e.bad, 6, 1, ++id, m, len), 0);
				expect_reply(&e, id, r, sizeof(r));
			}
			/* Random payloads of random lengths, sync and async. */
			for (int k = 0; k < 24; k++) {
				uint32_t len = EXT + 24 + rnd(&e) % 2048;
				bool async = k % 4 == 3;

				random_body(&e, m + EXT, len - EXT);
				make_msg(&e, m, channels[c] | (async ? DXGKVMB_ASYNC_MSG : 0),
					 t, (k & 1) ? e.bt.proc : rnd(&e), 0);
				/* The header's process is in the random body's place. */
				assert_int_equal(gsim_send(&e.bad, 6, async ? 0 : 1,
							   async ? 0 : ++id, m, len), 0);
				if (!async)
					expect_reply(&e, id, r, sizeof(r));
			}
		}
	}
	good_progress(&e, 5);
	/* Odd types and flags: answered when completion is asked for. */
	for (uint16_t type = 0; type < 16; type++) {
		uint32_t len = make_msg(&e, m, DXGKVMB_VM_TO_HOST,
					DXGK_VMBCOMMAND_CREATEPROCESS, 0,
					sizeof(struct dxgkvmb_command_createprocess));

		assert_int_equal(gsim_send(&e.bad, type, 1 | (uint16_t)(type << 4),
					   ++id, m, len), 0);
		expect_reply(&e, id, r, sizeof(r));
		assert_int_equal(gsim_send(&e.bad, type, 0, 0, m, len), 0);
	}
	/* A 24-byte descriptor (offset8 3): its payload starts after it. */
	{
		struct dxg_pkt_desc d = { .type = 6, .offset8 = 3, .flags = 1,
					  .trans_id = ++id };
		uint8_t p[8 + EXT + sizeof(struct dxgkvmb_command_createprocess)];
		uint32_t len = make_msg(&e, p + 8, DXGKVMB_VM_TO_HOST,
					DXGK_VMBCOMMAND_DESTROYPROCESS, 0,
					sizeof(struct dxgkvmb_command_destroyprocess));

		memset(p, 0xee, 8);
		d.len8 = (uint16_t)((24 + DXG_ALIGN8(len)) / 8);
		raw_packet(&e.bad, &d, p, 8 + len, 24 + DXG_ALIGN8(len) + 8);
		expect_reply(&e, id, r, sizeof(r));
	}
	/* Served all along (the random commands may have used up its quota). */
	assert_answers(&e, ++id);
	env_down(&e);
}

/* ---- 3. floods ---- */

/*
 * Flooding: the guest->host ring filled with requests whose replies are
 * not read (the host->guest ring fills, the host stops reading); read a
 * second later, every one is answered in order.  Never read: after the
 * documented 5 s the VM is cut off.  A doorbell storm on both vectors from
 * two threads changes nothing.  dxghost's descriptors and threads do not
 * grow, nor its memory beyond a bound.
 */
static atomic_bool storm_quit[2];

static void *storm(void *arg)
{
	struct env *e = arg;

	for (int i = 0; i < 200000 && !atomic_load(&storm_quit[0]) &&
	     !atomic_load(&storm_quit[1]); i++)
		gsim_ring_host(&e->bad, (unsigned int)i & 1);
	return NULL;
}

static void test_flood(void **state)
{
	static uint8_t r[4096];
	long fds0, threads0, rss0, rss;
	struct helper *th[2];
	uint32_t n;
	static struct env e;

	(void)state;
	env_up(&e, 3);
	fds0 = proc_entries(e.d.pid, "fd");
	threads0 = proc_entries(e.d.pid, "task");
	rss0 = proc_rss_kib(e.d.pid);

	for (int round = 0; round < 3; round++) {
		n = fill_requests(&e, 10000);
		assert_true(n > 1000);
		usleep(1000 * 1000);
		good_progress(&e, 2);
		for (uint32_t i = 0; i < n; i++) {
			expect_reply(&e, 10000 + i, r, sizeof(r));
			assert_int_equal(*(int32_t *)r, STATUS_SUCCESS);
		}
		assert_served(&e);
	}

	/* Never read: cut off after DXG_CHANNEL_STALL_MS. */
	/* Until the host stops reading: its replies filled our ring. */
	n = 0;
	for (int64_t end = ms_now() + 3000; ms_now() < end; usleep(10000))
		n += fill_requests(&e, 50000 + n);
	assert_true(n > 4000);
	wait_logged(&e, "guest does not drain its ring", 15000);
	assert_cut_off(&e);
	good_progress(&e, 2);
	bad_rejoin(&e);

	/* Doorbell storms while both VMs work. */
	for (int i = 0; i < 2; i++)
		th[i] = helper_start(storm, &e, &storm_quit[i]);
	for (int i = 0; i < 50; i++)
		assert_served(&e);
	good_progress(&e, 5);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i]->thread, NULL), th[i]->live = false;
	assert_served(&e);

	assert_int_equal(proc_entries(e.d.pid, "fd"), fds0);
	assert_int_equal(proc_entries(e.d.pid, "task"), threads0);
	rss = proc_rss_kib(e.d.pid);
	/* ASan's quarantine holds up to 256 MiB of freed blocks. */
	if (rss - rss0 > 320 * 1024)
		fail_msg("dxghost grew from %ld to %ld KiB", rss0, rss);
	env_down(&e);
}

/* ---- 4. bytes rewritten while the host reads them (TOCTOU) ---- */

/*
 * The rewriter: while `on`, copies variant a or b (alternately) over
 * [at, at + len) of a ring (or of plain memory when ring is NULL).
 */
struct rewriter {
	struct helper *thread;
	atomic_bool quit;
	atomic_int on;		/* 0 idle; 1 rewriting */
	atomic_int busy;	/* 1 while it may still write */
	struct dxg_ring *ring;
	uint8_t *mem;
	uint32_t at, len;
	const uint8_t *a, *b;
	atomic_ulong flips;
};

static void *rewrite_loop(void *arg)
{
	struct rewriter *w = arg;
	unsigned long i = 0;

	while (!atomic_load(&w->quit)) {
		if (!atomic_load(&w->on)) {
			atomic_store(&w->busy, 0);
			continue;
		}
		atomic_store(&w->busy, 1);
		if (!atomic_load(&w->on))
			continue;
		if (w->ring)
			dxg_ring_copy_to(w->ring, w->at, (i & 1) ? w->b : w->a, w->len);
		else
			memcpy(w->mem + w->at, (i & 1) ? w->b : w->a, w->len);
		i++;
		atomic_fetch_add(&w->flips, 1);
	}
	atomic_store(&w->busy, 0);
	return NULL;
}

static void rewriter_start(struct rewriter *w)
{
	atomic_store(&w->on, 0);
	atomic_store(&w->busy, 0);
	w->thread = helper_start(rewrite_loop, w, &w->quit);
}

/* Stops rewriting and waits until it no longer writes. */
static void rewriter_idle(struct rewriter *w)
{
	atomic_store(&w->on, 0);
	while (atomic_load(&w->busy))
		;
}

static void rewriter_stop(struct rewriter *w)
{
	helper_stop(w->thread);
}

/*
 * One device: a command page, a one-page target and, right after it in
 * the IO space (the heap is first fit), a canary allocation never mapped
 * at a GPU VA.  The command page flips between four FILLs of the target
 * (valid) and four FILLs of two pages from it (past its mapping) while it
 * is submitted, until the device is in error (a copy with a bad FILL
 * faulted: it runs nothing more).  The canary must be untouched.
 */
static void cmdbuf_round(struct env *e, struct rewriter *w, uint32_t *ran,
			 uint32_t *refused)
{
	static uint8_t ca[256], cb[256];
	struct mapped cmd, target;
	uint32_t adapter, canary = 0, len, state = 0;
	struct tree t;
	uint64_t coff;
	uint8_t *page;

	make_tree(&e->bad, &t);
	assert_int_equal(gsim_open_adapter(&e->bad, 0, &adapter), STATUS_SUCCESS);
	map_new(&e->bad, adapter, &t, PG, &cmd);
	map_new(&e->bad, adapter, &t, PG, &target);
	assert_int_equal(mem_create(&e->bad, t.proc, t.dev, PG, 1, 0, 0, &canary,
				    NULL), STATUS_SUCCESS);
	assert_int_equal(mem_lock(&e->bad, t.proc, t.dev, canary, &coff),
			 STATUS_SUCCESS);
	page = target.cpu + PG;
	assert_ptr_equal((uint8_t *)e->bad.shm + coff, page);
	memset(page, 0xc3, PG);
	len = write_fills(ca, 4, target.va, PG, 0x11111111u);
	write_fills(cb, 4, target.va, 2 * PG, 0x22222222u);
	memcpy(cmd.cpu, ca, len);
	w->ring = NULL;
	w->mem = cmd.cpu;
	w->at = 0;
	w->len = len;
	w->a = ca;
	w->b = cb;
	atomic_store(&w->on, 1);
	for (int i = 0; i < 200; i++) {
		struct dxgkvmb_command_submitcommand c;
		int32_t r[2] = { -1, 0 };

		memset(&c, 0, sizeof(c));
		c.args.command_buffer = cmd.va;
		c.args.command_length = len;
		c.args.broadcast_context_count = 1;
		c.args.broadcast_context[0] = t.ctx;
		assert_int_equal(mem_call(&e->bad, t.proc, DXGK_VMBCOMMAND_SUBMITCOMMAND,
					  &c, sizeof(c), r, sizeof(r)), 8);
		assert_int_equal(r[0], STATUS_SUCCESS);	/* queued; checked when run */
		if (i % 16 == 15 && exec_state(&e->bad, t.proc, t.dev) !=
		    D3DKMT_DEVICEEXECUTION_ACTIVE)
			break;
	}
	rewriter_idle(w);
	/*
	 * What was accepted runs off the event loop, in order, until a copy
	 * faults: the target shows a FILL (either pattern: a copy may mix the
	 * two versions' fields), the device its error.
	 */
	for (int64_t end = ms_now() + 2000; ms_now() < end; usleep(1000)) {
		state = exec_state(&e->bad, t.proc, t.dev);
		if (*(volatile uint32_t *)target.cpu &&
		    state != D3DKMT_DEVICEEXECUTION_ACTIVE)
			break;
	}
	*ran += *(volatile uint32_t *)target.cpu != 0;
	*refused += state != D3DKMT_DEVICEEXECUTION_ACTIVE;
	/* The device goes: its queued work finishes or is dropped first. */
	assert_int_equal(gsim_destroy_device(&e->bad, t.proc, 0, t.dev),
			 STATUS_SUCCESS);
	for (uint32_t i = 0; i < PG; i++)
		if (page[i] != 0xc3)
			fail_msg("byte %u after the target became %#x", i, page[i]);
	assert_int_equal(gsim_destroy_process(&e->bad, t.proc), STATUS_SUCCESS);
}

/*
 * A request's payload in the ring rewritten between two versions while
 * the host reads it: every command id with a random body and the same
 * body with counts and sizes made huge.  The host copies the packet
 * before parsing it, so whichever mix it copied is just another message:
 * it answers every request and stays alive and clean.
 *
 * Then a command buffer in the IO space rewritten between a FILL of one
 * page and a FILL of two while the host submits it: the page after the
 * mapped target is another allocation of the VM, never mapped at a GPU
 * VA, and must come out unchanged (a host that validated one version and
 * ran the other would write it).
 */
static void test_rewrite_while_reading(void **state)
{
	static uint8_t a[4096], b[4096], r[DXG_MAX_PACKET_PAYLOAD];
	static struct rewriter w;
	uint64_t id = 1;
	static struct env e;

	(void)state;
	env_up(&e, 4);
	rewriter_start(&w);
	w.ring = &e.bad.g2h;
	for (int round = 0; round < 6; round++) {
		for (uint32_t t = 0; t < DXGK_VMBCOMMAND_INVALID; t++) {
			uint32_t body = 24 + rnd(&e) % 512;
			uint32_t len = EXT + body, wr;

			make_msg(&e, a, DXGKVMB_VGPU_TO_HOST, t, e.bt.proc, 0);
			random_body(&e, a + EXT + 24, body - 24);
			memcpy(b, a, len);
			for (uint32_t k = EXT + 24; k + 4 <= len; k += 4)
				if (rnd(&e) & 1)
					memcpy(b + k, &(uint32_t){ 0xfffffff0u | (rnd(&e) & 15) }, 4);
			/* Where the payload lands: after the descriptor. */
			wr = e.bad.g2h.hdr->write_index;
			w.at = dxg_ring_advance(&e.bad.g2h, wr, 16);
			w.len = len;
			w.a = a;
			w.b = b;
			atomic_store(&w.on, 1);
			assert_int_equal(gsim_send(&e.bad, 6, 1, ++id, a, len), 0);
			expect_reply(&e, id, r, sizeof(r));
			rewriter_idle(&w);
		}
		assert_answers(&e, ++id);
		bad_rejoin(&e);	/* random bodies may have destroyed the tree */
	}
	good_progress(&e, 3);
	assert_true(atomic_load(&w.flips) > 1000);

	/* The command buffer, rewritten in the IO space, on fresh devices. */
	{
		uint32_t ran = 0, refused = 0;

		for (int i = 0; i < 8; i++)
			cmdbuf_round(&e, &w, &ran, &refused);
		/* Both versions (or mixes) were copied: the race was real. */
		assert_true(ran > 0);
		assert_true(refused > 0);
	}
	rewriter_stop(&w);
	assert_true(daemon_alive(&e.d));
	env_down(&e);
}

/*
 * Fence pages: a monitored fence's value lives in an IO-space page the
 * guest can write (the driver maps it read-only, a hostile guest need
 * not).  The host keeps the truth: a thread scribbling huge values there
 * while the host waits and signals neither satisfies a CPU wait nor moves
 * the fence; the host's signals write its own value back.
 */
static void test_fence_scribble(void **state)
{
	static const uint8_t all[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff };
	static const uint8_t big[8] = { 0, 0, 0, 0, 0, 0, 0, 0x40 };
	static struct rewriter w;
	static struct env e;
	uint64_t storage;
	uint32_t fence;

	(void)state;
	env_up(&e, 6);
	assert_int_equal(sync_create(&e.bad, e.bt.proc, e.bt.dev,
				     D3DDDI_MONITORED_FENCE, 0, &fence, &storage),
			 STATUS_SUCCESS);
	rewriter_start(&w);
	w.ring = NULL;
	w.mem = (uint8_t *)e.bad.shm + storage;
	w.at = 0;
	w.len = 8;
	w.a = all;
	w.b = big;
	atomic_store(&w.on, 1);
	/* The page says more than 5 all the time; the host knows 0. */
	assert_int_equal(sync_wait_cpu(&e.bad, e.bt.proc, e.bt.dev, fence, 5,
				       0x1234), STATUS_SUCCESS);
	assert_int_equal(next_event(&e.bad, 300), 0);
	assert_int_equal(sync_signal(&e.bad, e.bt.proc, e.bt.dev, 0, fence, 3,
				     false), STATUS_SUCCESS);
	assert_int_equal(next_event(&e.bad, 300), 0);
	good_progress(&e, 2);
	rewriter_idle(&w);
	/* The host's signal: the wait is satisfied, the page holds its value. */
	assert_int_equal(sync_signal(&e.bad, e.bt.proc, e.bt.dev, 0, fence, 5,
				     false), STATUS_SUCCESS);
	assert_int_equal(next_event(&e.bad, GSIM_TIMEOUT_MS), 0x1234);
	assert_int_equal(fence_page(&e.bad, storage), 5);
	rewriter_stop(&w);
	env_down(&e);
}

/* ---- 5. handshake misuse ---- */

/*
 * Generation games and state changes mid-flight: a new generation, the
 * same one again, zero, an older one, a too-old interface version, an
 * unknown state, the driver "gone" with requests in flight, and a thread
 * flipping state and generation while requests pour in.  The control
 * page's host-owned fields rewritten by the guest change nothing the host
 * does.  Each time the VM is served or cut off, and a clean handshake
 * brings it back.
 */
struct flipper {
	struct env *e;
	atomic_bool quit;
};

static void *flip_loop(void *arg)
{
	struct flipper *f = arg;
	struct dxg_ivshmem_control *c = f->e->bad.ctl;
	uint32_t i = 0;

	while (!atomic_load(&f->quit)) {
		dxg_write_once(c->guest_generation, 100 + (i % 7));
		dxg_store_release(&c->guest_state, (i & 3) == 3 ? DXG_PEER_GONE :
						    (i % 5 == 4 ? 9 : DXG_PEER_READY));
		gsim_ring_host(&f->e->bad, DXG_IVSHMEM_VEC_STATE);
		i++;
		usleep(50);
	}
	return NULL;
}

static void test_handshake_misuse(void **state)
{
	struct dxg_ivshmem_control *c;
	static struct flipper f;
	struct helper *th;
	static struct env e;

	(void)state;
	env_up(&e, 5);
	c = e.bad.ctl;

	/* The same generation, zero, an unknown state: ignored, served. */
	dxg_write_once(c->guest_generation, e.gen);
	gsim_ring_host(&e.bad, DXG_IVSHMEM_VEC_STATE);
	dxg_write_once(c->guest_generation, 0);
	gsim_ring_host(&e.bad, DXG_IVSHMEM_VEC_STATE);
	dxg_write_once(c->guest_generation, e.gen);
	dxg_store_release(&c->guest_state, 7);
	gsim_ring_host(&e.bad, DXG_IVSHMEM_VEC_STATE);
	assert_logged(&e.d, "bad guest_state 7");
	dxg_store_release(&c->guest_state, DXG_PEER_READY);
	assert_served(&e);
	assert_int_equal(c->stat_objects, 3);

	/* A new generation with a too-old interface version: ignored. */
	dxg_write_once(c->guest_interface_version, 39);
	dxg_write_once(c->guest_generation, e.gen + 1);
	gsim_ring_host(&e.bad, DXG_IVSHMEM_VEC_STATE);
	assert_logged(&e.d, "guest interface version 39");
	dxg_write_once(c->guest_generation, e.gen);
	assert_served(&e);

	/* An older generation is a new one (any change is): a clean start. */
	e.gen = 0x7fffffff;
	bad_rejoin(&e);
	e.gen = 1;
	bad_rejoin(&e);

	/*
	 * Host-owned fields of the control page rewritten: the host never
	 * reads them back (the adapter table is put back before the calls
	 * that route by it: guest_sim reads the vGPU LUIDs from there).
	 */
	{
		struct dxg_ivshmem_adapter saved[DXG_IVSHMEM_MAX_ADAPTERS];

		memcpy(saved, c->adapters, sizeof(saved));
		c->magic = 0;
		c->layout_version = 99;
		c->ring_size = 8;
		c->shm_size = 1;
		c->ring_g2h_offset = ~0ull;
		c->ring_h2g_offset = 0;
		c->io_space_offset = 7;
		c->io_space_size = ~0ull;
		c->adapter_count = 1000;
		memset(c->adapters, 0xff, sizeof(c->adapters));
		c->host_generation = 12345;
		c->host_state = DXG_PEER_GONE;
		gsim_ring_host(&e.bad, DXG_IVSHMEM_VEC_STATE);
		assert_answers(&e, 1);
		assert_int_equal(c->stat_objects, 4);	/* that made a process */
		memcpy(c->adapters, saved, sizeof(saved));
		assert_served(&e);
	}

	/* The driver "gone" with requests in flight: dropped, no reply owed. */
	fill_requests(&e, 70000);
	dxg_store_release(&c->guest_state, DXG_PEER_GONE);
	gsim_ring_host(&e.bad, DXG_IVSHMEM_VEC_STATE);
	assert_cut_off(&e);
	good_progress(&e, 2);
	dxg_store_release(&c->guest_state, DXG_PEER_READY);
	bad_rejoin(&e);

	/* A new generation in the middle of a flood. */
	fill_requests(&e, 80000);
	bad_rejoin(&e);
	assert_served(&e);

	/* State and generation flipped from a thread while requests pour in. */
	f.e = &e;
	th = helper_start(flip_loop, &f, &f.quit);
	for (int i = 0; i < 200; i++) {
		uint8_t m[EXT + sizeof(struct dxgkvmb_command_createprocess)] = { 0 };
		uint32_t len = make_msg(&e, m, DXGKVMB_VM_TO_HOST,
					DXGK_VMBCOMMAND_CREATEPROCESS, 0,
					sizeof(struct dxgkvmb_command_createprocess));

		/* The rings are reset under us: write what we like, unchecked. */
		dxg_ring_resync(&e.bad.g2h);
		if (dxg_ring_write2(&e.bad.g2h, 6, 1, 90000 + (uint64_t)i, m, len,
				    NULL, 0) == 0)
			gsim_ring_host(&e.bad, DXG_IVSHMEM_VEC_RING);
		usleep(200);
	}
	good_progress(&e, 3);
	helper_stop(th);
	/* A clean handshake: back, from nothing. */
	e.gen = 1000;
	bad_rejoin(&e);
	assert_served(&e);
	env_down(&e);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ring_indices, teardown),
		cmocka_unit_test_teardown(test_bad_packets, teardown),
		cmocka_unit_test_teardown(test_flood, teardown),
		cmocka_unit_test_teardown(test_rewrite_while_reading, teardown),
		cmocka_unit_test_teardown(test_fence_scribble, teardown),
		cmocka_unit_test_teardown(test_handshake_misuse, teardown),
	};

	dxghost_path = argc > 1 ? argv[1] : getenv("DXGHOST");
	if (getenv("HOSTILE_TEST"))	/* one test, by name (a glob) */
		cmocka_set_test_filter(getenv("HOSTILE_TEST"));
	if (!dxghost_path) {
		fprintf(stderr, "usage: test_hostile PATH-TO-DXGHOST\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
