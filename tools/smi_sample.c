// SPDX-License-Identifier: MIT
/*
 * dxg-smi's data: the adapter's identity (QueryAdapterInfo), its memory
 * and its engines' running time (QueryStatistics ADAPTER, SEGMENT, NODE),
 * and the guest processes that have it open (EnumProcesses) with their
 * memory (QueryStatistics PROCESS_SEGMENT by pid).  docs/libdxg.md.
 */
#include "smi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "dxg-smi"

/* Processes listed at most (EnumProcesses' count beyond is cut). */
#define SMI_PROCS_MAX	4096u

uint64_t smi_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int failed(const char *what, unsigned int index, NTSTATUS st)
{
	fprintf(stderr, "%s: adapter %u: %s failed: %s (0x%08X)\n", PROG, index,
		what, dxg_ntstatus_name(st), (unsigned int)st);
	return 1;
}

int smi_collect_identity(struct smi_adapter *a)
{
	D3DKMT_HANDLE h = a->info.adapter_handle;
	D3DKMT_QUERY_DEVICE_IDS ids = { .physical_adapter_index = 0 };
	D3DKMT_ADAPTERTYPE type = { 0 };
	D3DKMT_DRIVER_DESCRIPTION *desc;
	int bad = 0;

	a->type_st = dxg_query_adapter_info(h, KMTQAITYPE_ADAPTERTYPE, &type,
					    sizeof(type));
	if (NT_SUCCESS(a->type_st))
		a->type = type.value;
	else
		bad |= failed("QueryAdapterInfo(ADAPTERTYPE)", a->index, a->type_st);

	a->ids_st = dxg_query_adapter_info(h, KMTQAITYPE_PHYSICALADAPTERDEVICEIDS,
					   &ids, sizeof(ids));
	if (NT_SUCCESS(a->ids_st))
		a->ids = ids.device_ids;
	else
		bad |= failed("QueryAdapterInfo(PHYSICALADAPTERDEVICEIDS)",
			      a->index, a->ids_st);

	a->wddm_st = dxg_query_adapter_info(h, KMTQAITYPE_DRIVERVERSION, &a->wddm,
					    sizeof(a->wddm));
	if (!NT_SUCCESS(a->wddm_st))
		bad |= failed("QueryAdapterInfo(DRIVERVERSION)", a->index, a->wddm_st);

	desc = calloc(1, sizeof(*desc));
	if (!desc) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	a->desc_st = dxg_query_adapter_info(h, KMTQAITYPE_DRIVER_DESCRIPTION, desc,
					    sizeof(*desc));
	if (NT_SUCCESS(a->desc_st))
		dxg_utf16_to_utf8(desc->driver_description,
				  D3DKMT_DRIVER_DESCRIPTION_LENGTH, a->description,
				  sizeof(a->description));
	else
		bad |= failed("QueryAdapterInfo(DRIVER_DESCRIPTION)", a->index,
			      a->desc_st);
	free(desc);
	return bad;
}

/* One QueryStatistics of the adapter; the result stays in *q. */
static bool stats(const struct smi_adapter *a, __u32 type, __u64 pid,
		  __u32 item, D3DKMT_QUERYSTATISTICS *q)
{
	memset(q, 0, sizeof(*q));
	q->type = type;
	q->adapter_luid = a->info.adapter_luid;
	q->process = pid;
	q->query.segment_id = item;	/* node_id: the same member */
	return NT_SUCCESS(D3DKMTQueryStatistics(q));
}

static bool node_mark(const struct smi_adapter *a, uint32_t node,
		      struct smi_mark *m)
{
	D3DKMT_QUERYSTATISTICS *q = calloc(1, sizeof(*q));
	struct d3dkmt_querystatistics_node_information ni;

	memset(m, 0, sizeof(*m));
	m->luid = a->info.adapter_luid;
	m->node = node;
	if (!q)
		return false;
	if (stats(a, D3DKMT_QUERYSTATISTICS_NODE, 0, node, q)) {
		m->at_ns = smi_now_ns();
		memcpy(&ni, q->result.data, sizeof(ni));
		m->running = ni.global_information.running_time;
		m->jobs = ni.global_information.context_switch;
		m->ok = true;
	}
	free(q);
	return m->ok;
}

/* ADAPTER statistics: how many segments and nodes to ask for. */
static void adapter_counts(struct smi_adapter *a, D3DKMT_QUERYSTATISTICS *q)
{
	struct d3dkmt_querystatistics_adapter_information ai;

	a->stats_ok = stats(a, D3DKMT_QUERYSTATISTICS_ADAPTER, 0, 0, q);
	if (!a->stats_ok)
		return;
	memcpy(&ai, q->result.data, sizeof(ai));
	a->nb_segments = ai.nb_segments;
	a->node_count = ai.node_count;
	a->nodes = ai.node_count < SMI_NODES_MAX ? ai.node_count : SMI_NODES_MAX;
}

void smi_mark_nodes(struct smi_adapter *a, struct smi_marks *marks)
{
	D3DKMT_QUERYSTATISTICS *q;

	if (!a->stats_ok) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return;
		adapter_counts(a, q);
		free(q);
	}
	for (uint32_t n = 0; n < a->nodes; n++)
		if (marks->n < sizeof(marks->m) / sizeof(marks->m[0]))
			node_mark(a, n, &marks->m[marks->n++]);
}

static const struct smi_mark *find_mark(const struct smi_marks *marks,
					struct winluid luid, uint32_t node)
{
	for (unsigned int i = 0; marks && i < marks->n; i++) {
		const struct smi_mark *m = &marks->m[i];

		if (m->ok && m->node == node && m->luid.a == luid.a &&
		    m->luid.b == luid.b)
			return m;
	}
	return NULL;
}

/*
 * Busy % of a node between two marks: its running time's growth over the
 * time between them.  The host's clock and the guest's drift apart a
 * little (more under TCG): the figure is clamped to 0..100.
 */
static bool busy_between(const struct smi_mark *a, const struct smi_mark *b,
			 double *pct)
{
	double p;

	if (!a || !b->ok || b->at_ns <= a->at_ns || b->running < a->running)
		return false;
	/* Running time in 100 ns units over the interval in ns, in %. */
	p = (double)(b->running - a->running) * 100.0 /
	    (double)(b->at_ns - a->at_ns) * 100.0;
	*pct = p < 0 ? 0 : p > 100 ? 100 : p;
	return true;
}

static void memory(struct smi_adapter *a, D3DKMT_QUERYSTATISTICS *q)
{
	struct d3dkmt_querystatistics_segment_information si;

	if (!a->stats_ok)
		return;
	/* Segment 0: the VM's IO space; 1: device memory, where there is. */
	if (a->nb_segments >= 1 && stats(a, D3DKMT_QUERYSTATISTICS_SEGMENT, 0, 0, q)) {
		memcpy(&si, q->result.data, sizeof(si));
		a->io_ok = true;
		a->io_used = si.bytes_committed;
		a->io_total = si.commit_limit;
	}
	if (a->nb_segments >= 2 && stats(a, D3DKMT_QUERYSTATISTICS_SEGMENT, 0, 1, q)) {
		memcpy(&si, q->result.data, sizeof(si));
		a->dev_ok = true;
		a->dev_used = si.bytes_committed;
		a->dev_total = si.commit_limit;
	}
}

static void comm(uint32_t pid, char *name)
{
	char path[64];
	FILE *f;

	snprintf(name, SMI_COMM_MAX, "?");
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(name, SMI_COMM_MAX, f))
		name[strcspn(name, "\n")] = 0;
	fclose(f);
}

/* The pids EnumProcesses lists (a NULL buffer first asks the count). */
static __u32 *enum_pids(const struct smi_adapter *a, uint32_t *count)
{
	D3DKMT_ENUMPROCESSES e = { .adapter_luid = a->info.adapter_luid };
	__u32 *pids = NULL, want = 64;
	NTSTATUS st;

	for (int tries = 0; tries < 4; tries++) {
		free(pids);
		pids = calloc(want, sizeof(*pids));
		if (!pids)
			return NULL;
		e.buffer = (__u64)(uintptr_t)pids;
		e.buffer_count = want;
		st = D3DKMTEnumProcesses(&e);
		if (NT_SUCCESS(st)) {
			*count = (uint32_t)e.buffer_count < want ?
				 (uint32_t)e.buffer_count : want;
			return pids;
		}
		if (st != STATUS_BUFFER_TOO_SMALL ||
		    (uint32_t)e.buffer_count <= want)
			break;
		want = (uint32_t)e.buffer_count > SMI_PROCS_MAX ?
		       SMI_PROCS_MAX : (uint32_t)e.buffer_count;
	}
	free(pids);
	return NULL;
}

static void processes(struct smi_adapter *a, D3DKMT_QUERYSTATISTICS *q)
{
	struct d3dkmt_querystatistics_process_segment_information ps;
	uint32_t n = 0, self = (uint32_t)getpid();
	__u32 *pids = enum_pids(a, &n);

	if (!pids)
		return;
	a->procs = calloc(n ? n : 1, sizeof(*a->procs));
	if (!a->procs) {
		free(pids);
		return;
	}
	a->procs_ok = true;
	for (uint32_t i = 0; i < n; i++) {
		struct smi_proc *p = &a->procs[a->nprocs];

		if (pids[i] == self)
			continue;	/* dxg-smi's own look at the adapter */
		p->pid = pids[i];
		comm(p->pid, p->name);
		p->mem_ok = a->stats_ok && a->nb_segments >= 1 &&
			    stats(a, D3DKMT_QUERYSTATISTICS_PROCESS_SEGMENT,
				  p->pid, 0, q);
		if (p->mem_ok) {
			memcpy(&ps, q->result.data, sizeof(ps));
			p->io_used = ps.bytes_committed;
		}
		if (p->mem_ok && a->nb_segments >= 2 &&
		    stats(a, D3DKMT_QUERYSTATISTICS_PROCESS_SEGMENT, p->pid, 1, q)) {
			memcpy(&ps, q->result.data, sizeof(ps));
			p->dev_used = ps.bytes_committed;
		}
		a->nprocs++;
	}
	free(pids);
}

void smi_collect_stats(struct smi_adapter *a, const struct smi_marks *before)
{
	D3DKMT_QUERYSTATISTICS *q = calloc(1, sizeof(*q));

	if (!q)
		return;
	if (!a->stats_ok)
		adapter_counts(a, q);
	memory(a, q);
	for (uint32_t n = 0; n < a->nodes; n++) {
		struct smi_mark *m = &a->node_now[n];

		if (!node_mark(a, n, m))
			continue;
		a->node_ok[n] = busy_between(find_mark(before, m->luid, n), m,
					     &a->node_busy[n]);
		if (a->node_ok[n] && (!a->busy_ok || a->node_busy[n] > a->busy))
			a->busy = a->node_busy[n];
		a->busy_ok |= a->node_ok[n];
	}
	processes(a, q);
	free(q);
}

void smi_adapter_free(struct smi_adapter *a)
{
	free(a->procs);
	a->procs = NULL;
	a->nprocs = 0;
}
