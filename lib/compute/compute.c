// SPDX-License-Identifier: MIT
/*
 * dxgcompute: open an adapter, allocate CPU-visible GPU buffers, create
 * SPIR-V pipelines, record command buffers in the opendxg command stream
 * format, submit them and wait for their fence.  Only D3DKMT calls of
 * libdxg; see lib/include/dxg/compute.h and docs/compute.md.
 */
#include <dxg/compute.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cmdenc.h"
#include "dxg/cmdstream.h"
#include "dxg/protocol.h"

#define PAGE_SIZE_	4096ull
#define MAX_BUFFER	(4ull << 30)	/* bytes per buffer, a sanity bound */
#define SPIN_NS		50000ull	/* poll the fence page this long first */
#define CLOSE_WAIT_MS	10000u
#define PAGING_WAIT_MS	1000u

#define MAGIC_BUF	0x64786362u	/* "dxcb" */
#define MAGIC_PIPE	0x64786370u	/* "dxcp" */
#define MAGIC_CMD	0x6478636du	/* "dxcm" */
#define MAGIC_DEAD	0xdeadbeefu

/* ---- small helpers ------------------------------------------------------ */

static _Thread_local char errbuf[320];

const char *dxgc_error(void)
{
	return errbuf;
}

/* Records "what: STATUS_NAME (0x...)" and returns st. */
__attribute__((format(printf, 2, 3)))
static NTSTATUS fail(NTSTATUS st, const char *fmt, ...)
{
	char what[224];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(errbuf, sizeof(errbuf), "%s: %s (0x%08X)", what,
		 dxg_ntstatus_name(st), (unsigned int)st);
	return st;
}

static void clear_error(void)
{
	errbuf[0] = '\0';
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool round_up_page(uint64_t v, uint64_t *out)
{
	if (v > UINT64_MAX - (PAGE_SIZE_ - 1))
		return false;
	*out = (v + PAGE_SIZE_ - 1) & ~(PAGE_SIZE_ - 1);
	return true;
}

struct link {
	struct link *prev, *next;
};

static void list_init(struct link *h)
{
	h->prev = h->next = h;
}

static void list_add(struct link *h, struct link *n)
{
	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
}

static void list_del(struct link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

#define container_of_(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

/* ---- objects ------------------------------------------------------------ */

/* A free range of the context's GPU VA reservation. */
struct va_extent {
	uint64_t base, size;
	struct va_extent *next;		/* sorted by base */
};

struct buffer_impl {
	struct dxgc_buffer pub;		/* first: the user's pointer */
	uint32_t magic;
	bool own_reservation;		/* VA outside the context's range */
	struct dxgc_ctx *ctx;
	struct link link;
};

struct pipeline_impl {
	struct dxgc_pipeline pub;	/* first */
	uint32_t magic;
	struct dxgc_ctx *ctx;
	struct link link;
};

struct dxgc_cmd {
	uint32_t magic;
	struct dxgc_ctx *ctx;
	struct dxgc_buffer *mem;	/* the CPU-visible command memory */
	struct dxg_enc enc;		/* records straight into mem */
	NTSTATUS error;			/* sticky recording error */
	char error_msg[160];
	uint64_t last_fence;		/* its last submission */
	struct link link;
};

struct dxgc_ctx {
	D3DKMT_HANDLE adapter, device, context, paging_queue, fence;
	struct winluid luid;
	char name[160];
	const volatile uint64_t *fence_cpu;	/* the monitored fence page */
	const volatile uint64_t *paging_fence_cpu;
	uint64_t va_base, va_size;
	struct va_extent *va_free;
	uint64_t submitted;		/* last value handed out */
	uint64_t completed;		/* last value known reached */
	bool broken;			/* a submission without a fence */
	bool no_event_wait;		/* the eventfd wait is not available */
	struct link buffers, pipelines, cmds;
};

/* ---- GPU VA sub-allocation (first fit, coalescing) ---------------------- */

static bool va_alloc(struct dxgc_ctx *ctx, uint64_t size, uint64_t *va)
{
	struct va_extent **pp, *e;

	for (pp = &ctx->va_free; (e = *pp); pp = &e->next) {
		if (e->size < size)
			continue;
		*va = e->base;
		e->base += size;
		e->size -= size;
		if (!e->size) {
			*pp = e->next;
			free(e);
		}
		return true;
	}
	return false;
}

/* Returns the range; false only when out of memory (the range is lost). */
static bool va_free(struct dxgc_ctx *ctx, uint64_t base, uint64_t size)
{
	struct va_extent **pp = &ctx->va_free, *prev = NULL, *e, *n;

	while ((e = *pp) && e->base < base) {
		prev = e;
		pp = &e->next;
	}
	if (prev && prev->base + prev->size == base) {
		prev->size += size;
		if (e && base + size == e->base) {
			prev->size += e->size;
			prev->next = e->next;
			free(e);
		}
		return true;
	}
	if (e && base + size == e->base) {
		e->base = base;
		e->size += size;
		return true;
	}
	n = malloc(sizeof(*n));
	if (!n)
		return false;
	n->base = base;
	n->size = size;
	n->next = e;
	*pp = n;
	return true;
}

/* ---- adapters ------------------------------------------------------------ */

static NTSTATUS enum_adapters(D3DKMT_ADAPTERINFO *list, unsigned int *count)
{
	D3DKMT_ENUMADAPTERS3 e = {
		.filter = D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY,
		.adapter_count = D3DKMT_ADAPTERS_MAX,
		.adapters = (__u64)(uintptr_t)list,
	};
	NTSTATUS st;

	memset(list, 0, sizeof(*list) * D3DKMT_ADAPTERS_MAX);
	st = D3DKMTEnumAdapters3(&e);
	if (!NT_SUCCESS(st)) {
		if (dxg_fd() < 0)
			return fail(st, "D3DKMTEnumAdapters3 (no /dev/dxg: is dxgkrnl loaded and a dxghost attached?)");
		return fail(st, "D3DKMTEnumAdapters3");
	}
	*count = e.adapter_count < D3DKMT_ADAPTERS_MAX ? e.adapter_count :
		 D3DKMT_ADAPTERS_MAX;
	return STATUS_SUCCESS;
}

static void close_adapter(D3DKMT_HANDLE h)
{
	D3DKMT_CLOSEADAPTER c = { .adapter_handle = h };

	if (h)
		D3DKMTCloseAdapter(&c);
}

NTSTATUS dxgc_adapter_count(unsigned int *count)
{
	D3DKMT_ADAPTERINFO list[D3DKMT_ADAPTERS_MAX];
	unsigned int n = 0;
	NTSTATUS st;

	if (!count)
		return fail(STATUS_INVALID_PARAMETER, "dxgc_adapter_count: count is NULL");
	*count = 0;
	st = enum_adapters(list, &n);
	if (!NT_SUCCESS(st))
		return st;
	for (unsigned int i = 0; i < n; i++)
		close_adapter(list[i].adapter_handle);
	*count = n;
	return STATUS_SUCCESS;
}

/* ---- open / close --------------------------------------------------------- */

static NTSTATUS ctx_teardown(struct dxgc_ctx *ctx);

NTSTATUS dxgc_open(struct dxgc_ctx **out, unsigned int adapter_index)
{
	D3DKMT_ADAPTERINFO list[D3DKMT_ADAPTERS_MAX];
	D3DKMT_DRIVER_DESCRIPTION *desc;
	D3DKMT_CREATEDEVICE cd = { 0 };
	D3DKMT_CREATECONTEXTVIRTUAL cc = { 0 };
	D3DKMT_CREATEPAGINGQUEUE pq = { 0 };
	D3DKMT_CREATESYNCHRONIZATIONOBJECT2 so = { 0 };
	D3DDDI_RESERVEGPUVIRTUALADDRESS rv = { 0 };
	struct dxgc_ctx *ctx;
	unsigned int n = 0;
	NTSTATUS st;

	clear_error();
	if (!out)
		return fail(STATUS_INVALID_PARAMETER, "dxgc_open: ctx is NULL");
	*out = NULL;
	st = enum_adapters(list, &n);
	if (!NT_SUCCESS(st))
		return st;
	if (adapter_index >= n) {
		for (unsigned int i = 0; i < n; i++)
			close_adapter(list[i].adapter_handle);
		if (!n)
			return fail(STATUS_DEVICE_REMOVED,
				    "dxgc_open: no adapter (is a dxghost with an adapter attached?)");
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_open: adapter index %u, but there are %u adapter(s)",
			    adapter_index, n);
	}
	/* Keep the chosen adapter's handle; close the others EnumAdapters3 opened. */
	for (unsigned int i = 0; i < n; i++)
		if (i != adapter_index)
			close_adapter(list[i].adapter_handle);

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		close_adapter(list[adapter_index].adapter_handle);
		return fail(STATUS_NO_MEMORY, "dxgc_open");
	}
	list_init(&ctx->buffers);
	list_init(&ctx->pipelines);
	list_init(&ctx->cmds);
	ctx->adapter = list[adapter_index].adapter_handle;
	ctx->luid = list[adapter_index].adapter_luid;
	snprintf(ctx->name, sizeof(ctx->name), "adapter %u", adapter_index);

	desc = calloc(1, sizeof(*desc));
	if (desc && NT_SUCCESS(dxg_query_adapter_info(ctx->adapter,
			KMTQAITYPE_DRIVER_DESCRIPTION, desc, sizeof(*desc))))
		dxg_utf16_to_utf8(desc->driver_description,
				  D3DKMT_DRIVER_DESCRIPTION_LENGTH, ctx->name,
				  sizeof(ctx->name));
	free(desc);

	cd.adapter = ctx->adapter;
	st = D3DKMTCreateDevice(&cd);
	if (!NT_SUCCESS(st)) {
		fail(st, "D3DKMTCreateDevice on %s", ctx->name);
		goto err;
	}
	ctx->device = cd.device;

	cc.device = ctx->device;
	cc.node_ordinal = 0;
	cc.client_hint = D3DKMT_CLIENTHINT_UNKNOWN;
	st = D3DKMTCreateContextVirtual(&cc);
	if (!NT_SUCCESS(st)) {
		fail(st, "D3DKMTCreateContextVirtual");
		goto err;
	}
	ctx->context = cc.context;

	pq.device = ctx->device;
	pq.priority = D3DDDI_PAGINGQUEUE_PRIORITY_NORMAL;
	st = D3DKMTCreatePagingQueue(&pq);
	if (!NT_SUCCESS(st)) {
		fail(st, "D3DKMTCreatePagingQueue");
		goto err;
	}
	ctx->paging_queue = pq.paging_queue;
	ctx->paging_fence_cpu = (const volatile uint64_t *)(uintptr_t)
				pq.fence_cpu_virtual_address;

	so.device = ctx->device;
	so.info.type = D3DDDI_MONITORED_FENCE;
	so.info.monitored_fence.initial_fence_value = 0;
	st = D3DKMTCreateSynchronizationObject2(&so);
	if (!NT_SUCCESS(st)) {
		fail(st, "D3DKMTCreateSynchronizationObject2 (monitored fence)");
		goto err;
	}
	ctx->fence = so.sync_object;
	ctx->fence_cpu = (const volatile uint64_t *)(uintptr_t)
			 so.info.monitored_fence.fence_cpu_virtual_address;

	rv.adapter = ctx->adapter;
	rv.size = DXGC_VA_RESERVATION;
	rv.reservation_type = D3DDDIGPUVA_RESERVE_NO_ACCESS;
	st = D3DKMTReserveGpuVirtualAddress(&rv);
	if (!NT_SUCCESS(st)) {
		fail(st, "D3DKMTReserveGpuVirtualAddress (%llu bytes)",
		     (unsigned long long)rv.size);
		goto err;
	}
	ctx->va_base = rv.virtual_address;
	ctx->va_size = DXGC_VA_RESERVATION;
	if (!ctx->va_base || (ctx->va_base & (PAGE_SIZE_ - 1)) ||
	    !va_free(ctx, ctx->va_base, ctx->va_size)) {
		st = fail(STATUS_UNSUCCESSFUL,
			  "D3DKMTReserveGpuVirtualAddress returned address 0x%llx",
			  (unsigned long long)ctx->va_base);
		goto err;
	}
	*out = ctx;
	return STATUS_SUCCESS;

err:
	{
		char keep[sizeof(errbuf)];

		memcpy(keep, errbuf, sizeof(keep));
		ctx_teardown(ctx);
		memcpy(errbuf, keep, sizeof(keep));
	}
	return st;
}

const char *dxgc_adapter_name(const struct dxgc_ctx *ctx)
{
	return ctx ? ctx->name : "";
}

struct winluid dxgc_adapter_luid(const struct dxgc_ctx *ctx)
{
	struct winluid none = { 0, 0 };

	return ctx ? ctx->luid : none;
}

D3DKMT_HANDLE dxgc_device_handle(const struct dxgc_ctx *ctx)
{
	return ctx ? ctx->device : 0;
}

D3DKMT_HANDLE dxgc_context_handle(const struct dxgc_ctx *ctx)
{
	return ctx ? ctx->context : 0;
}

static NTSTATUS buffer_free(struct dxgc_ctx *ctx, struct buffer_impl *b);
static NTSTATUS pipeline_free(struct dxgc_ctx *ctx, struct pipeline_impl *p);
static NTSTATUS cmd_free(struct dxgc_ctx *ctx, struct dxgc_cmd *c);

/* Keeps the first failure; a later one is not even described. */
#define KEEP_FIRST(first, expr) do { \
	if (NT_SUCCESS(first)) { \
		NTSTATUS s_ = (expr); \
		if (!NT_SUCCESS(s_)) \
			first = s_; \
	} \
} while (0)

/* Frees whatever exists of ctx, in reverse order of creation. */
static NTSTATUS ctx_teardown(struct dxgc_ctx *ctx)
{
	NTSTATUS first = STATUS_SUCCESS, st;

	while (ctx->cmds.next != &ctx->cmds) {
		st = cmd_free(ctx, container_of_(ctx->cmds.next, struct dxgc_cmd, link));
		KEEP_FIRST(first, st);
	}
	while (ctx->pipelines.next != &ctx->pipelines) {
		st = pipeline_free(ctx, container_of_(ctx->pipelines.next,
						      struct pipeline_impl, link));
		KEEP_FIRST(first, st);
	}
	while (ctx->buffers.next != &ctx->buffers) {
		st = buffer_free(ctx, container_of_(ctx->buffers.next,
						    struct buffer_impl, link));
		KEEP_FIRST(first, st);
	}
	if (ctx->va_base) {
		D3DKMT_FREEGPUVIRTUALADDRESS fv = {
			.adapter = ctx->adapter,
			.base_address = ctx->va_base,
			.size = ctx->va_size,
		};

		st = D3DKMTFreeGpuVirtualAddress(&fv);
		if (!NT_SUCCESS(st))
			KEEP_FIRST(first, fail(st, "D3DKMTFreeGpuVirtualAddress"));
	}
	while (ctx->va_free) {
		struct va_extent *e = ctx->va_free;

		ctx->va_free = e->next;
		free(e);
	}
	if (ctx->fence) {
		D3DKMT_DESTROYSYNCHRONIZATIONOBJECT d = { .sync_object = ctx->fence };

		st = D3DKMTDestroySynchronizationObject(&d);
		if (!NT_SUCCESS(st))
			KEEP_FIRST(first, fail(st, "D3DKMTDestroySynchronizationObject"));
	}
	if (ctx->paging_queue) {
		D3DDDI_DESTROYPAGINGQUEUE d = { .paging_queue = ctx->paging_queue };

		st = D3DKMTDestroyPagingQueue(&d);
		if (!NT_SUCCESS(st))
			KEEP_FIRST(first, fail(st, "D3DKMTDestroyPagingQueue"));
	}
	if (ctx->context) {
		D3DKMT_DESTROYCONTEXT d = { .context = ctx->context };

		st = D3DKMTDestroyContext(&d);
		if (!NT_SUCCESS(st))
			KEEP_FIRST(first, fail(st, "D3DKMTDestroyContext"));
	}
	if (ctx->device) {
		D3DKMT_DESTROYDEVICE d = { .device = ctx->device };

		st = D3DKMTDestroyDevice(&d);
		if (!NT_SUCCESS(st))
			KEEP_FIRST(first, fail(st, "D3DKMTDestroyDevice"));
	}
	if (ctx->adapter) {
		D3DKMT_CLOSEADAPTER c = { .adapter_handle = ctx->adapter };

		st = D3DKMTCloseAdapter(&c);
		if (!NT_SUCCESS(st))
			KEEP_FIRST(first, fail(st, "D3DKMTCloseAdapter"));
	}
	free(ctx);
	return first;
}

NTSTATUS dxgc_close(struct dxgc_ctx *ctx)
{
	NTSTATUS first = STATUS_SUCCESS, st;

	if (!ctx)
		return STATUS_SUCCESS;
	clear_error();
	/* The GPU may still use the memory: let the submitted work finish. */
	if (ctx->submitted > ctx->completed && !ctx->broken) {
		st = dxgc_wait(ctx, ctx->submitted, CLOSE_WAIT_MS);
		if (st == STATUS_TIMEOUT)
			st = fail(STATUS_IO_TIMEOUT, "dxgc_close: work still running after %u ms",
				  CLOSE_WAIT_MS);
		/* A device error is reported, but teardown goes on. */
		KEEP_FIRST(first, st);
	}
	st = ctx_teardown(ctx);
	KEEP_FIRST(first, st);
	return first;
}

/* ---- fences and waiting ---------------------------------------------------- */

uint64_t dxgc_fence_completed(const struct dxgc_ctx *ctx)
{
	uint64_t v;

	if (!ctx)
		return 0;
	v = ctx->completed;
	if (ctx->fence_cpu) {
		uint64_t page = __atomic_load_n((const uint64_t *)ctx->fence_cpu,
						__ATOMIC_ACQUIRE);

		if (page > v)
			v = page;
	}
	return v;
}

uint64_t dxgc_fence_submitted(const struct dxgc_ctx *ctx)
{
	return ctx ? ctx->submitted : 0;
}

static bool reached(struct dxgc_ctx *ctx, uint64_t value)
{
	uint64_t v = dxgc_fence_completed(ctx);

	if (v > ctx->completed)
		ctx->completed = v;
	return v >= value;
}

const char *dxgc_execution_state_name(uint32_t state)
{
	switch (state) {
	case D3DKMT_DEVICEEXECUTION_ACTIVE:		return "ACTIVE";
	case D3DKMT_DEVICEEXECUTION_RESET:		return "RESET";
	case D3DKMT_DEVICEEXECUTION_HUNG:		return "HUNG";
	case D3DKMT_DEVICEEXECUTION_STOPPED:		return "STOPPED";
	case D3DKMT_DEVICEEXECUTION_ERROR_OUTOFMEMORY:	return "ERROR_OUTOFMEMORY";
	case D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT:	return "ERROR_DMAFAULT";
	case D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT:	return "ERROR_DMAPAGEFAULT";
	default:					return "UNKNOWN";
	}
}

static const char *execution_state_why(uint32_t state)
{
	switch (state) {
	case D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT:
		return "the host rejected a command buffer (malformed or unsupported command)";
	case D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT:
		return "a command used a GPU address range that is not mapped";
	case D3DKMT_DEVICEEXECUTION_HUNG:
		return "a command failed while executing (unknown pipeline, device lost, timeout)";
	default:
		return "the device is no longer usable";
	}
}

NTSTATUS dxgc_device_state(struct dxgc_ctx *ctx, uint32_t *state)
{
	D3DKMT_GETDEVICESTATE gs = { 0 };
	NTSTATUS st;

	if (!ctx || !state)
		return fail(STATUS_INVALID_PARAMETER, "dxgc_device_state: NULL argument");
	gs.device = ctx->device;
	gs.state_type = D3DKMT_DEVICESTATE_EXECUTION;
	st = D3DKMTGetDeviceState(&gs);
	if (!NT_SUCCESS(st))
		return fail(st, "D3DKMTGetDeviceState");
	*state = gs.execution_state;
	return STATUS_SUCCESS;
}

static NTSTATUS check_device(struct dxgc_ctx *ctx, uint64_t value)
{
	uint32_t state = 0;
	NTSTATUS st = dxgc_device_state(ctx, &state);

	if (!NT_SUCCESS(st))
		return st;
	if (state != D3DKMT_DEVICEEXECUTION_ACTIVE)
		return fail(STATUS_DEVICE_REMOVED,
			    "device error after fence value %llu: execution state %s (%u): %s",
			    (unsigned long long)value, dxgc_execution_state_name(state),
			    state, execution_state_why(state));
	return STATUS_SUCCESS;
}

/* Sleep-polls the fence page until value or the deadline (0: none). */
static bool poll_page(struct dxgc_ctx *ctx, uint64_t value, uint64_t deadline)
{
	uint64_t sleep_ns = 10000;

	while (!reached(ctx, value)) {
		struct timespec ts;
		uint64_t t = now_ns();

		if (deadline && t >= deadline)
			return false;
		if (deadline && deadline - t < sleep_ns)
			sleep_ns = deadline - t;
		ts.tv_sec = (time_t)(sleep_ns / 1000000000ull);
		ts.tv_nsec = (long)(sleep_ns % 1000000000ull);
		nanosleep(&ts, NULL);
		if (sleep_ns < 1000000)
			sleep_ns *= 2;
	}
	return true;
}

/*
 * The blocking path: D3DKMTWaitForSynchronizationObjectFromCpu in its
 * asynchronous form signals an eventfd when the fence reaches the value;
 * poll() on it gives the timeout.  Returns 1 reached, 0 timed out, or a
 * negative NTSTATUS when the kernel refused the wait.
 */
static int event_wait(struct dxgc_ctx *ctx, uint64_t value, uint64_t deadline,
		      NTSTATUS *status)
{
	D3DKMT_WAITFORSYNCHRONIZATIONOBJECTFROMCPU w = { 0 };
	struct pollfd pfd;
	uint64_t v = value;
	int efd, ret;
	NTSTATUS st;

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		*status = fail(STATUS_NO_MEMORY, "eventfd: %s", strerror(errno));
		return -1;
	}
	w.device = ctx->device;
	w.object_count = 1;
	w.objects = (__u64)(uintptr_t)&ctx->fence;
	w.fence_values = (__u64)(uintptr_t)&v;
	w.async_event = (__u64)efd;
	st = D3DKMTWaitForSynchronizationObjectFromCpu(&w);
	if (!NT_SUCCESS(st)) {
		close(efd);
		*status = fail(st, "D3DKMTWaitForSynchronizationObjectFromCpu (value %llu)",
			       (unsigned long long)value);
		return -1;
	}
	pfd.fd = efd;
	pfd.events = POLLIN;
	for (;;) {
		int ms = -1;

		if (reached(ctx, value)) {
			ret = 1;
			break;
		}
		if (deadline) {
			uint64_t t = now_ns();

			if (t >= deadline) {
				ret = 0;
				break;
			}
			ms = (int)((deadline - t + 999999) / 1000000);
		}
		pfd.revents = 0;
		ret = poll(&pfd, 1, ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			*status = fail(STATUS_UNSUCCESSFUL, "poll: %s", strerror(errno));
			ret = -1;
			break;
		}
		if (ret > 0) {
			/* The event of this wait: the fence reached the value. */
			if (value > ctx->completed)
				ctx->completed = value;
			ret = 1;
			break;
		}
	}
	close(efd);
	return ret;
}

NTSTATUS dxgc_wait(struct dxgc_ctx *ctx, uint64_t value, uint32_t timeout_ms)
{
	uint64_t start, deadline = 0;
	NTSTATUS st = STATUS_SUCCESS;
	int r;

	if (!ctx)
		return fail(STATUS_INVALID_PARAMETER, "dxgc_wait: ctx is NULL");
	clear_error();
	if (!value)
		value = ctx->submitted;
	if (value > ctx->submitted)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_wait: value %llu was never submitted (last %llu)",
			    (unsigned long long)value,
			    (unsigned long long)ctx->submitted);
	if (reached(ctx, value))
		return check_device(ctx, value);

	start = now_ns();
	if (timeout_ms != DXGC_WAIT_INFINITE)
		deadline = start + (uint64_t)timeout_ms * 1000000ull + 1;
	/* Short kernels: spin on the fence page the host writes. */
	if (ctx->fence_cpu) {
		while (!reached(ctx, value) && now_ns() - start < SPIN_NS &&
		       (!deadline || now_ns() < deadline))
			sched_yield();
		if (reached(ctx, value))
			return check_device(ctx, value);
	}
	/* A poll (timeout 0) leaves no waiter behind in the kernel. */
	if (!timeout_ms && ctx->fence_cpu)
		goto timeout;
	if (!ctx->no_event_wait) {
		r = event_wait(ctx, value, deadline, &st);
		if (r > 0)
			return check_device(ctx, value);
		if (r == 0)
			goto timeout;
		/* The kernel refused the eventfd wait: poll the page instead. */
		if (!ctx->fence_cpu)
			return st;
		ctx->no_event_wait = true;
	}
	if (!ctx->fence_cpu)
		return fail(STATUS_NOT_SUPPORTED, "dxgc_wait: no fence page to poll");
	if (poll_page(ctx, value, deadline))
		return check_device(ctx, value);
timeout:
	fail(STATUS_TIMEOUT, "dxgc_wait: fence value %llu not reached after %u ms (at %llu)",
	     (unsigned long long)value, timeout_ms,
	     (unsigned long long)dxgc_fence_completed(ctx));
	return STATUS_TIMEOUT;
}

/* Waits (bounded) for the context's submitted work before freeing memory. */
static NTSTATUS wait_idle(struct dxgc_ctx *ctx, const char *what)
{
	NTSTATUS st;

	if (ctx->broken || ctx->submitted <= ctx->completed ||
	    reached(ctx, ctx->submitted))
		return STATUS_SUCCESS;
	st = dxgc_wait(ctx, ctx->submitted, CLOSE_WAIT_MS);
	if (st == STATUS_TIMEOUT)
		return fail(STATUS_GRAPHICS_ALLOCATION_BUSY,
			    "%s: submitted work still running after %u ms", what,
			    CLOSE_WAIT_MS);
	/* A device error does not keep memory busy. */
	return STATUS_SUCCESS;
}

/* ---- buffers ----------------------------------------------------------------- */

static struct buffer_impl *buf_impl(const struct dxgc_buffer *b)
{
	struct buffer_impl *bi = (struct buffer_impl *)(uintptr_t)b;

	return bi && bi->magic == MAGIC_BUF ? bi : NULL;
}

NTSTATUS dxgc_buffer_create(struct dxgc_ctx *ctx, uint64_t size,
			    struct dxgc_buffer **out)
{
	struct dxg_open_alloc_desc desc = { .version = DXG_OPEN_ALLOC_DESC_VERSION };
	D3DDDI_ALLOCATIONINFO2 info = { 0 };
	D3DKMT_CREATEALLOCATION ca = { 0 };
	D3DKMT_LOCK2 lk = { 0 };
	D3DDDI_MAPGPUVIRTUALADDRESS mv = { 0 };
	struct buffer_impl *b;
	uint64_t alloc_size, va = 0;
	NTSTATUS st;

	clear_error();
	if (!ctx || !out)
		return fail(STATUS_INVALID_PARAMETER, "dxgc_buffer_create: NULL argument");
	*out = NULL;
	if (!size || size > MAX_BUFFER || !round_up_page(size, &alloc_size))
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_buffer_create: size %llu (must be 1 .. %llu)",
			    (unsigned long long)size, (unsigned long long)MAX_BUFFER);
	b = calloc(1, sizeof(*b));
	if (!b)
		return fail(STATUS_NO_MEMORY, "dxgc_buffer_create");

	desc.size = alloc_size;
	info.priv_drv_data = (__u64)(uintptr_t)&desc;
	info.priv_drv_data_size = sizeof(desc);
	ca.device = ctx->device;
	ca.alloc_count = 1;
	ca.allocation_info = (__u64)(uintptr_t)&info;
	st = D3DKMTCreateAllocation2(&ca);
	if (!NT_SUCCESS(st)) {
		free(b);
		return fail(st, "D3DKMTCreateAllocation2 (%llu bytes)",
			    (unsigned long long)alloc_size);
	}
	b->pub.allocation = info.allocation;

	lk.device = ctx->device;
	lk.allocation = b->pub.allocation;
	st = D3DKMTLock2(&lk);
	if (!NT_SUCCESS(st) || !lk.data) {
		if (NT_SUCCESS(st))
			st = STATUS_UNSUCCESSFUL;
		fail(st, "D3DKMTLock2 (%llu bytes)", (unsigned long long)alloc_size);
		goto err_alloc;
	}
	b->pub.cpu = (void *)(uintptr_t)lk.data;

	mv.paging_queue = ctx->paging_queue;
	mv.allocation = b->pub.allocation;
	mv.offset_in_pages = 0;
	mv.size_in_pages = alloc_size / PAGE_SIZE_;
	mv.protection.value = D3DDDIGPUVA_PROTECTION_WRITE;	/* read-write */
	if (va_alloc(ctx, alloc_size, &va)) {
		mv.base_address = va;
	} else {
		/* The context's range is full: a reservation of its own. */
		b->own_reservation = true;
	}
	st = D3DKMTMapGpuVirtualAddress(&mv);
	if (!NT_SUCCESS(st) || !mv.virtual_address ||
	    (va && mv.virtual_address != va)) {
		if (NT_SUCCESS(st))
			st = STATUS_UNSUCCESSFUL;
		fail(st, "D3DKMTMapGpuVirtualAddress (%llu bytes at 0x%llx)",
		     (unsigned long long)alloc_size, (unsigned long long)va);
		goto err_va;
	}
	b->pub.gpu_va = mv.virtual_address;
	/* The mapping is usable once the paging fence has its value. */
	if (ctx->paging_fence_cpu && mv.paging_fence_value) {
		uint64_t deadline = now_ns() + PAGING_WAIT_MS * 1000000ull;

		while (__atomic_load_n((const uint64_t *)ctx->paging_fence_cpu,
				       __ATOMIC_ACQUIRE) < mv.paging_fence_value) {
			if (now_ns() > deadline) {
				st = fail(STATUS_IO_TIMEOUT,
					  "paging fence %llu not reached after mapping",
					  (unsigned long long)mv.paging_fence_value);
				goto err_va;
			}
			sched_yield();
		}
	}
	b->pub.size = size;
	b->pub.alloc_size = alloc_size;
	b->magic = MAGIC_BUF;
	b->ctx = ctx;
	list_add(&ctx->buffers, &b->link);
	*out = &b->pub;
	return STATUS_SUCCESS;

err_va:
	if (va)
		va_free(ctx, va, alloc_size);
err_alloc:
	{
		D3DKMT_DESTROYALLOCATION2 d = {
			.device = ctx->device,
			.allocations = (__u64)(uintptr_t)&b->pub.allocation,
			.alloc_count = 1,
		};

		/* Destroy unmaps the CPU and GPU mappings. */
		D3DKMTDestroyAllocation2(&d);
	}
	if (b->own_reservation && b->pub.gpu_va) {
		D3DKMT_FREEGPUVIRTUALADDRESS fv = {
			.adapter = ctx->adapter,
			.base_address = b->pub.gpu_va,
			.size = alloc_size,
		};

		D3DKMTFreeGpuVirtualAddress(&fv);
	}
	free(b);
	return st;
}

static NTSTATUS buffer_free(struct dxgc_ctx *ctx, struct buffer_impl *b)
{
	D3DKMT_UNLOCK2 ul = { .device = ctx->device, .allocation = b->pub.allocation };
	D3DKMT_DESTROYALLOCATION2 d = {
		.device = ctx->device,
		.allocations = (__u64)(uintptr_t)&b->pub.allocation,
		.alloc_count = 1,
	};
	NTSTATUS first = STATUS_SUCCESS, st;

	list_del(&b->link);
	b->magic = MAGIC_DEAD;
	st = D3DKMTUnlock2(&ul);
	if (!NT_SUCCESS(st))
		KEEP_FIRST(first, fail(st, "D3DKMTUnlock2"));
	st = D3DKMTDestroyAllocation2(&d);
	if (!NT_SUCCESS(st))
		KEEP_FIRST(first, fail(st, "D3DKMTDestroyAllocation2"));
	/* The host unmapped the GPU VA with the allocation. */
	if (b->own_reservation) {
		D3DKMT_FREEGPUVIRTUALADDRESS fv = {
			.adapter = ctx->adapter,
			.base_address = b->pub.gpu_va,
			.size = b->pub.alloc_size,
		};

		st = D3DKMTFreeGpuVirtualAddress(&fv);
		if (!NT_SUCCESS(st))
			KEEP_FIRST(first, fail(st, "D3DKMTFreeGpuVirtualAddress"));
	} else if (NT_SUCCESS(st)) {
		/* Reuse the range only if the allocation (and its mapping) is gone. */
		va_free(ctx, b->pub.gpu_va, b->pub.alloc_size);
	}
	free(b);
	return first;
}

NTSTATUS dxgc_buffer_destroy(struct dxgc_ctx *ctx, struct dxgc_buffer *buf)
{
	struct buffer_impl *b = buf_impl(buf);
	NTSTATUS st;

	clear_error();
	if (!buf)
		return STATUS_SUCCESS;
	if (!ctx || !b || b->ctx != ctx)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_buffer_destroy: not a buffer of this context");
	st = wait_idle(ctx, "dxgc_buffer_destroy");
	if (!NT_SUCCESS(st))
		return st;
	return buffer_free(ctx, b);
}

/* ---- pipelines ----------------------------------------------------------------- */

static struct pipeline_impl *pipe_impl(const struct dxgc_pipeline *p)
{
	struct pipeline_impl *pi = (struct pipeline_impl *)(uintptr_t)p;

	return pi && pi->magic == MAGIC_PIPE ? pi : NULL;
}

static NTSTATUS escape(struct dxgc_ctx *ctx, void *data, uint32_t size)
{
	D3DKMT_ESCAPE e = { 0 };

	e.adapter = ctx->adapter;
	e.device = ctx->device;
	e.type = D3DKMT_ESCAPE_DRIVERPRIVATE;
	e.priv_drv_data = (__u64)(uintptr_t)data;
	e.priv_drv_data_size = size;
	return D3DKMTEscape(&e);
}

NTSTATUS dxgc_pipeline_create(struct dxgc_ctx *ctx, const void *spirv,
			      size_t size, const char *entry,
			      uint32_t num_bindings, uint32_t push_size,
			      struct dxgc_pipeline **out)
{
	struct dxg_escape_create_pipeline *cp;
	struct pipeline_impl *p;
	size_t entry_len;
	uint32_t magic;
	NTSTATUS st;

	clear_error();
	if (!ctx || !out || !spirv || !entry)
		return fail(STATUS_INVALID_PARAMETER, "dxgc_pipeline_create: NULL argument");
	*out = NULL;
	if (size < 20 || size > DXG_SPIRV_MAX_SIZE || size % 4)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_pipeline_create: SPIR-V of %zu bytes (must be a multiple of 4, 20 .. %u)",
			    size, DXG_SPIRV_MAX_SIZE);
	memcpy(&magic, spirv, sizeof(magic));
	if (magic != DXG_SPIRV_MAGIC)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_pipeline_create: not SPIR-V (first word 0x%08X, want 0x%08X)",
			    magic, DXG_SPIRV_MAGIC);
	entry_len = strnlen(entry, DXG_PIPELINE_ENTRY_LEN);
	if (!entry_len || entry_len >= DXG_PIPELINE_ENTRY_LEN)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_pipeline_create: entry point name must be 1 .. %u bytes",
			    DXG_PIPELINE_ENTRY_LEN - 1);
	if (num_bindings > DXG_CMD_MAX_BINDINGS)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_pipeline_create: %u bindings (at most %u)",
			    num_bindings, DXG_CMD_MAX_BINDINGS);
	if (push_size > DXG_CMD_MAX_PUSH_SIZE || push_size % 4)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_pipeline_create: push constants of %u bytes (a multiple of 4, at most %u)",
			    push_size, DXG_CMD_MAX_PUSH_SIZE);

	p = calloc(1, sizeof(*p));
	cp = calloc(1, sizeof(*cp) + size);
	if (!p || !cp) {
		free(p);
		free(cp);
		return fail(STATUS_NO_MEMORY, "dxgc_pipeline_create");
	}
	cp->op = DXG_ESCAPE_CREATE_PIPELINE;
	memcpy(cp->entry, entry, entry_len);
	cp->num_bindings = num_bindings;
	cp->push_size = push_size;
	cp->spirv_size = (uint32_t)size;
	memcpy(cp + 1, spirv, size);
	st = escape(ctx, cp, (uint32_t)(sizeof(*cp) + size));
	if (NT_SUCCESS(st) && !cp->pipeline)
		st = STATUS_UNSUCCESSFUL;
	if (!NT_SUCCESS(st)) {
		free(cp);
		free(p);
		if (st == STATUS_INVALID_PARAMETER)
			return fail(st, "pipeline '%s' (%zu bytes of SPIR-V): the host rejected the shader or its layout",
				    entry, size);
		if (st == STATUS_NOT_SUPPORTED)
			return fail(st, "pipeline '%s': adapter '%s' cannot run compute pipelines",
				    entry, ctx->name);
		return fail(st, "D3DKMTEscape(CREATE_PIPELINE '%s')", entry);
	}
	p->pub.id = cp->pipeline;
	p->pub.num_bindings = num_bindings;
	p->pub.push_size = push_size;
	p->magic = MAGIC_PIPE;
	p->ctx = ctx;
	free(cp);
	list_add(&ctx->pipelines, &p->link);
	*out = &p->pub;
	return STATUS_SUCCESS;
}

static NTSTATUS pipeline_free(struct dxgc_ctx *ctx, struct pipeline_impl *p)
{
	struct dxg_escape_destroy_pipeline dp = {
		.op = DXG_ESCAPE_DESTROY_PIPELINE,
		.pipeline = p->pub.id,
	};
	NTSTATUS st;

	list_del(&p->link);
	p->magic = MAGIC_DEAD;
	st = escape(ctx, &dp, sizeof(dp));
	free(p);
	if (!NT_SUCCESS(st))
		return fail(st, "D3DKMTEscape(DESTROY_PIPELINE %llu)",
			    (unsigned long long)dp.pipeline);
	return STATUS_SUCCESS;
}

NTSTATUS dxgc_pipeline_destroy(struct dxgc_ctx *ctx, struct dxgc_pipeline *pipe)
{
	struct pipeline_impl *p = pipe_impl(pipe);
	NTSTATUS st;

	clear_error();
	if (!pipe)
		return STATUS_SUCCESS;
	if (!ctx || !p || p->ctx != ctx)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_pipeline_destroy: not a pipeline of this context");
	/*
	 * dxghost destroys a pipeline at once (docs/execution.md §3): work
	 * still queued that uses it would fail.  Let the submitted work finish.
	 */
	st = wait_idle(ctx, "dxgc_pipeline_destroy");
	if (!NT_SUCCESS(st))
		return st;
	return pipeline_free(ctx, p);
}

/* ---- command buffers ------------------------------------------------------------ */

static struct dxgc_cmd *cmd_ok(struct dxgc_cmd *c)
{
	return c && c->magic == MAGIC_CMD ? c : NULL;
}

NTSTATUS dxgc_cmd_create(struct dxgc_ctx *ctx, uint32_t capacity,
			 struct dxgc_cmd **out)
{
	struct dxgc_cmd *c;
	NTSTATUS st;

	clear_error();
	if (!ctx || !out)
		return fail(STATUS_INVALID_PARAMETER, "dxgc_cmd_create: NULL argument");
	*out = NULL;
	if (!capacity)
		capacity = DXGC_CMD_DEFAULT_CAPACITY;
	if (capacity < sizeof(struct dxg_cmdbuf_header) ||
	    capacity > DXG_CMDBUF_MAX_SIZE)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_cmd_create: capacity %u (must be 16 .. %u)",
			    capacity, DXG_CMDBUF_MAX_SIZE);
	capacity &= ~7u;
	c = calloc(1, sizeof(*c));
	if (!c)
		return fail(STATUS_NO_MEMORY, "dxgc_cmd_create");
	st = dxgc_buffer_create(ctx, capacity, &c->mem);
	if (!NT_SUCCESS(st)) {
		free(c);
		return st;
	}
	/* The command memory is the command buffer's, not the user's. */
	list_del(&buf_impl(c->mem)->link);
	c->magic = MAGIC_CMD;
	c->ctx = ctx;
	dxg_enc_init(&c->enc, c->mem->cpu, capacity, NULL, NULL);
	list_add(&ctx->cmds, &c->link);
	*out = c;
	return STATUS_SUCCESS;
}

static NTSTATUS cmd_free(struct dxgc_ctx *ctx, struct dxgc_cmd *c)
{
	struct buffer_impl *b = buf_impl(c->mem);

	list_del(&c->link);
	c->magic = MAGIC_DEAD;
	/* buffer_free unlinks it; give it a list to leave. */
	list_add(&ctx->buffers, &b->link);
	free(c);
	return buffer_free(ctx, b);
}

NTSTATUS dxgc_cmd_destroy(struct dxgc_ctx *ctx, struct dxgc_cmd *cmd)
{
	struct dxgc_cmd *c = cmd_ok(cmd);
	NTSTATUS st;

	clear_error();
	if (!cmd)
		return STATUS_SUCCESS;
	if (!ctx || !c || c->ctx != ctx)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_cmd_destroy: not a command buffer of this context");
	st = wait_idle(ctx, "dxgc_cmd_destroy");
	if (!NT_SUCCESS(st))
		return st;
	return cmd_free(ctx, c);
}

NTSTATUS dxgc_cmd_begin(struct dxgc_cmd *cmd)
{
	struct dxgc_cmd *c = cmd_ok(cmd);
	NTSTATUS st;

	clear_error();
	if (!c)
		return fail(STATUS_INVALID_PARAMETER, "dxgc_cmd_begin: not a command buffer");
	/* The host reads the buffer when it runs it: not before that is done. */
	if (c->last_fence && !c->ctx->broken && !reached(c->ctx, c->last_fence)) {
		st = dxgc_wait(c->ctx, c->last_fence, CLOSE_WAIT_MS);
		if (st == STATUS_TIMEOUT)
			return fail(STATUS_GRAPHICS_ALLOCATION_BUSY,
				    "dxgc_cmd_begin: the previous submission is still running");
	}
	dxg_enc_reset(&c->enc);
	c->error = STATUS_SUCCESS;
	c->error_msg[0] = '\0';
	return STATUS_SUCCESS;
}

uint32_t dxgc_cmd_size(const struct dxgc_cmd *cmd)
{
	return cmd && cmd->magic == MAGIC_CMD ? cmd->enc.used : 0;
}

uint32_t dxgc_cmd_count(const struct dxgc_cmd *cmd)
{
	return cmd && cmd->magic == MAGIC_CMD ? cmd->enc.count : 0;
}

/* A recording error: returned now and remembered for dxgc_submit. */
__attribute__((format(printf, 3, 4)))
static NTSTATUS rec_fail(struct dxgc_cmd *c, NTSTATUS st, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fail(st, "%s", what);
	if (c && NT_SUCCESS(c->error)) {
		c->error = st;
		snprintf(c->error_msg, sizeof(c->error_msg), "%s", what);
	}
	return st;
}

/* The encoder's answer: false means the command did not fit. */
static NTSTATUS emitted(struct dxgc_cmd *c, bool ok, uint32_t size)
{
	if (ok)
		return STATUS_SUCCESS;
	return rec_fail(c, STATUS_BUFFER_TOO_SMALL,
			"command buffer full (%u of %u bytes used, %u more needed)",
			c->enc.used, c->enc.cap, size);
}

/* Is [off, off + size) inside buffer b of the command buffer's context? */
static bool range_ok(const struct dxgc_cmd *c, const struct dxgc_buffer *b,
		     uint64_t off, uint64_t size)
{
	const struct buffer_impl *bi = buf_impl(b);

	return bi && bi->ctx == c->ctx && off <= b->size && size <= b->size - off;
}

static NTSTATUS rec_start(struct dxgc_cmd *c, const char *what)
{
	clear_error();
	if (!c)
		return fail(STATUS_INVALID_PARAMETER, "%s: not a command buffer", what);
	return STATUS_SUCCESS;
}

NTSTATUS dxgc_cmd_copy(struct dxgc_cmd *cmd, const struct dxgc_buffer *dst,
		       uint64_t dst_offset, const struct dxgc_buffer *src,
		       uint64_t src_offset, uint64_t size)
{
	struct dxgc_cmd *c = cmd_ok(cmd);
	NTSTATUS st = rec_start(c, "dxgc_cmd_copy");

	if (!NT_SUCCESS(st))
		return st;
	if (!size || !range_ok(c, dst, dst_offset, size) ||
	    !range_ok(c, src, src_offset, size))
		return rec_fail(c, STATUS_INVALID_PARAMETER,
				"dxgc_cmd_copy: %llu bytes from offset %llu to offset %llu: outside the buffers",
				(unsigned long long)size, (unsigned long long)src_offset,
				(unsigned long long)dst_offset);
	return emitted(c, dxg_enc_copy(&c->enc, src->gpu_va + src_offset,
				       dst->gpu_va + dst_offset, size),
		       sizeof(struct dxg_cmd_copy));
}

NTSTATUS dxgc_cmd_fill(struct dxgc_cmd *cmd, const struct dxgc_buffer *dst,
		       uint64_t offset, uint64_t size, uint32_t pattern)
{
	struct dxgc_cmd *c = cmd_ok(cmd);
	NTSTATUS st = rec_start(c, "dxgc_cmd_fill");

	if (!NT_SUCCESS(st))
		return st;
	if (!size || size % 4 || offset % 4 || !range_ok(c, dst, offset, size))
		return rec_fail(c, STATUS_INVALID_PARAMETER,
				"dxgc_cmd_fill: %llu bytes at offset %llu (multiples of 4, inside the buffer)",
				(unsigned long long)size, (unsigned long long)offset);
	return emitted(c, dxg_enc_fill(&c->enc, dst->gpu_va + offset, size, pattern),
		       sizeof(struct dxg_cmd_fill));
}

NTSTATUS dxgc_cmd_timestamp(struct dxgc_cmd *cmd, const struct dxgc_buffer *dst,
			    uint64_t offset)
{
	struct dxgc_cmd *c = cmd_ok(cmd);
	NTSTATUS st = rec_start(c, "dxgc_cmd_timestamp");

	if (!NT_SUCCESS(st))
		return st;
	if (offset % 8 || !range_ok(c, dst, offset, 8))
		return rec_fail(c, STATUS_INVALID_PARAMETER,
				"dxgc_cmd_timestamp: offset %llu (a multiple of 8, 8 bytes inside the buffer)",
				(unsigned long long)offset);
	return emitted(c, dxg_enc_timestamp(&c->enc, dst->gpu_va + offset),
		       sizeof(struct dxg_cmd_timestamp));
}

NTSTATUS dxgc_cmd_dispatch(struct dxgc_cmd *cmd, const struct dxgc_pipeline *pipe,
			   const uint32_t groups[3],
			   const struct dxgc_binding *bindings,
			   uint32_t num_bindings, const void *push,
			   uint32_t push_size)
{
	struct dxg_cmd_binding cb[DXG_CMD_MAX_BINDINGS];
	struct dxgc_cmd *c = cmd_ok(cmd);
	const struct pipeline_impl *p = pipe_impl(pipe);
	struct dxg_enc_dispatch d = { 0 };
	NTSTATUS st = rec_start(c, "dxgc_cmd_dispatch");

	if (!NT_SUCCESS(st))
		return st;
	if (!p || p->ctx != c->ctx)
		return rec_fail(c, STATUS_INVALID_PARAMETER,
				"dxgc_cmd_dispatch: not a live pipeline of this context");
	if (!groups)
		return rec_fail(c, STATUS_INVALID_PARAMETER, "dxgc_cmd_dispatch: groups is NULL");
	if (num_bindings != pipe->num_bindings || (num_bindings && !bindings))
		return rec_fail(c, STATUS_INVALID_PARAMETER,
				"dxgc_cmd_dispatch: %u bindings given, the pipeline has %u",
				num_bindings, pipe->num_bindings);
	if (push_size > pipe->push_size || push_size % 4 || (push_size && !push))
		return rec_fail(c, STATUS_INVALID_PARAMETER,
				"dxgc_cmd_dispatch: %u bytes of push constants (a multiple of 4, at most the pipeline's %u)",
				push_size, pipe->push_size);
	d.pipeline = pipe->id;
	memcpy(d.groups, groups, sizeof(d.groups));
	d.bindings = cb;
	d.num_bindings = num_bindings;
	d.push = push;
	d.push_size = push_size;
	for (uint32_t i = 0; i < num_bindings; i++) {
		const struct dxgc_binding *b = &bindings[i];
		uint64_t bsize;

		if (!buf_impl(b->buf) || buf_impl(b->buf)->ctx != c->ctx)
			return rec_fail(c, STATUS_INVALID_PARAMETER,
					"dxgc_cmd_dispatch: binding %u: not a buffer of this context", i);
		bsize = b->size ? b->size : (b->offset < b->buf->size ?
					     b->buf->size - b->offset : 0);
		if (b->offset % DXGC_BINDING_ALIGN)
			return rec_fail(c, STATUS_INVALID_PARAMETER,
					"dxgc_cmd_dispatch: binding %u: offset %llu is not a multiple of %u",
					i, (unsigned long long)b->offset, DXGC_BINDING_ALIGN);
		if (!bsize || !range_ok(c, b->buf, b->offset, bsize))
			return rec_fail(c, STATUS_INVALID_PARAMETER,
					"dxgc_cmd_dispatch: binding %u: %llu bytes at offset %llu: outside the buffer (%llu bytes)",
					i, (unsigned long long)bsize,
					(unsigned long long)b->offset,
					(unsigned long long)b->buf->size);
		cb[i] = (struct dxg_cmd_binding) {
			.binding = i, .va = b->buf->gpu_va + b->offset, .size = bsize,
		};
	}
	return emitted(c, dxg_enc_dispatch(&c->enc, &d),
		       (uint32_t)DXG_CMD_DISPATCH_SIZE(num_bindings, push_size));
}

NTSTATUS dxgc_cmd_barrier(struct dxgc_cmd *cmd)
{
	struct dxgc_cmd *c = cmd_ok(cmd);
	NTSTATUS st = rec_start(c, "dxgc_cmd_barrier");

	if (!NT_SUCCESS(st))
		return st;
	return emitted(c, dxg_enc_barrier(&c->enc), sizeof(struct dxg_cmd_barrier));
}

/* ---- submission ------------------------------------------------------------------ */

NTSTATUS dxgc_submit(struct dxgc_ctx *ctx, struct dxgc_cmd *cmd,
		     uint64_t *fence_value)
{
	struct dxgc_cmd *c = cmd_ok(cmd);
	D3DKMT_SUBMITCOMMAND sc = { 0 };
	D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMGPU sg = { 0 };
	uint64_t value;
	NTSTATUS st;

	clear_error();
	if (fence_value)
		*fence_value = 0;
	if (!ctx || !c || c->ctx != ctx)
		return fail(STATUS_INVALID_PARAMETER,
			    "dxgc_submit: not a command buffer of this context");
	if (ctx->broken)
		return fail(STATUS_DEVICE_REMOVED,
			    "dxgc_submit: an earlier submission could not be fenced");
	if (!NT_SUCCESS(c->error))
		return fail(c->error, "dxgc_submit: the recording failed: %s",
			    c->error_msg);
	if (ctx->submitted == UINT64_MAX)
		return fail(STATUS_UNSUCCESSFUL, "dxgc_submit: fence values exhausted");

	dxg_enc_finish(&c->enc);
	/* The commands are in memory before the host hears of them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);

	sc.command_buffer = c->mem->gpu_va;
	sc.command_length = c->enc.used;
	sc.broadcast_context_count = 1;
	sc.broadcast_context[0] = ctx->context;
	st = D3DKMTSubmitCommand(&sc);
	if (!NT_SUCCESS(st))
		return fail(st, "D3DKMTSubmitCommand (%u commands, %u bytes)",
			    c->enc.count, c->enc.used);

	value = ctx->submitted + 1;
	sg.context = ctx->context;
	sg.object_count = 1;
	sg.objects = (__u64)(uintptr_t)&ctx->fence;
	sg.monitored_fence_values = (__u64)(uintptr_t)&value;
	st = D3DKMTSignalSynchronizationObjectFromGpu(&sg);
	if (!NT_SUCCESS(st)) {
		/* Work is queued that no fence covers: nothing can be freed safely. */
		ctx->broken = true;
		return fail(st, "D3DKMTSignalSynchronizationObjectFromGpu (value %llu)",
			    (unsigned long long)value);
	}
	ctx->submitted = value;
	c->last_fence = value;
	if (fence_value)
		*fence_value = value;
	return STATUS_SUCCESS;
}

NTSTATUS dxgc_run(struct dxgc_ctx *ctx, struct dxgc_cmd *cmd, uint32_t timeout_ms)
{
	uint64_t v;
	NTSTATUS st = dxgc_submit(ctx, cmd, &v);

	if (!NT_SUCCESS(st))
		return st;
	return dxgc_wait(ctx, v, timeout_ms);
}
