/* SPDX-License-Identifier: MIT */
/*
 * dxg-smi's model of one report (tools/dxg-smi.c): what it collects about
 * each adapter through the D3DKMT calls (smi_sample.c) and prints as a
 * table or as JSON (smi_print.c).
 */
#ifndef DXG_TOOLS_SMI_H
#define DXG_TOOLS_SMI_H

#include <dxg/d3dkmt.h>

#include <stdbool.h>
#include <stdint.h>

#define SMI_DESC_MAX	(D3DKMT_DRIVER_DESCRIPTION_LENGTH * 3 + 1)
#define SMI_NODES_MAX	8u	/* engines sampled per adapter */
#define SMI_COMM_MAX	16u	/* /proc/PID/comm, NUL included */

/* One guest process that has the adapter open (EnumProcesses). */
struct smi_proc {
	uint32_t pid;
	char name[SMI_COMM_MAX];
	bool mem_ok;		/* its QueryStatistics answered */
	uint64_t io_used;	/* its bytes in the IO space (segment 0) */
	uint64_t dev_used;	/* ... in device memory (segment 1), if any */
};

/* A node's running time at one moment (QueryStatistics NODE). */
struct smi_mark {
	struct winluid luid;
	uint32_t node;
	bool ok;
	int64_t running;	/* 100 ns units, the host's */
	uint64_t at_ns;		/* CLOCK_MONOTONIC of the sample */
	uint32_t jobs;
};

struct smi_marks {
	struct smi_mark m[D3DKMT_ADAPTERS_MAX * SMI_NODES_MAX];
	unsigned int n;
};

struct smi_adapter {
	unsigned int index;
	D3DKMT_ADAPTERINFO info;
	/* Identity (QueryAdapterInfo); a failed query is named on stderr. */
	__u32 type;
	D3DKMT_DEVICE_IDS ids;
	__u32 wddm;
	char description[SMI_DESC_MAX];
	NTSTATUS type_st, ids_st, wddm_st, desc_st;
	/*
	 * Statistics (QueryStatistics); a host that does not answer one (a
	 * Windows host, an older dxghost) leaves it unknown: "n/a".
	 */
	bool stats_ok;		/* ADAPTER: segments and nodes */
	uint32_t nb_segments, node_count;
	bool io_ok, dev_ok;
	uint64_t io_used, io_total, dev_used, dev_total;
	uint32_t nodes;		/* min(node_count, SMI_NODES_MAX) */
	bool node_ok[SMI_NODES_MAX];
	double node_busy[SMI_NODES_MAX];	/* percent, 0..100 */
	struct smi_mark node_now[SMI_NODES_MAX];
	bool busy_ok;		/* some node's busy % is known */
	double busy;		/* the busiest node's */
	/* Processes other than dxg-smi itself. */
	bool procs_ok;
	struct smi_proc *procs;
	uint32_t nprocs;
};

struct smi_report {
	struct smi_adapter *adapters;
	uint32_t count;
	uint64_t interval_ns;	/* busy %'s sampling interval */
};

/* smi_sample.c: returns nonzero when an identity query failed. */
int smi_collect_identity(struct smi_adapter *a);
/*
 * The adapter's nodes' running times now, appended to `marks` (first asks
 * the adapter's node count).
 */
void smi_mark_nodes(struct smi_adapter *a, struct smi_marks *marks);
/*
 * Memory, node busy % (against the marks taken earlier: `before`) and
 * processes.  Unknown figures stay unknown; nothing here fails the run.
 */
void smi_collect_stats(struct smi_adapter *a, const struct smi_marks *before);
void smi_adapter_free(struct smi_adapter *a);
uint64_t smi_now_ns(void);

/* smi_print.c */
void smi_print_table(const struct smi_report *r);
void smi_print_details(const struct smi_adapter *a);
void smi_print_quiet(const struct smi_adapter *a);
void smi_print_json(const struct smi_report *r);
/* The host statistics from the driver's sysfs files (JSON: in the report). */
void smi_print_hosts(void);

#endif /* DXG_TOOLS_SMI_H */
