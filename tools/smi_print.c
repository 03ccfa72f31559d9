// SPDX-License-Identifier: MIT
/*
 * dxg-smi's output: the nvidia-smi-like table (adapters, then processes),
 * each adapter's details, the one-line form (-q), the JSON report (one
 * object per report, on one line; keys documented in docs/man/dxg-smi.1)
 * and the host statistics from the driver's sysfs files.
 */
#include "smi.h"

#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TABLE_WIDTH	76	/* between "| " and " |" */

static void rule(char c)
{
	putchar('+');
	for (int i = 0; i < TABLE_WIDTH + 2; i++)
		putchar(c);
	puts("+");
}

/* One table line; the text is cut at the table's width. */
__attribute__((format(printf, 1, 2)))
static void row(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("| %-*.*s |\n", TABLE_WIDTH, TABLE_WIDTH, line);
}

static const char *bytes(uint64_t v, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int u = -1;

	if (v < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)v);
		return buf;
	}
	while (d >= 1024 && u < 3) {
		d /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", d, unit[u]);
	return buf;
}

/* "used / total", or n/a. */
static const char *usage_of(bool ok, uint64_t used, uint64_t total, char *buf,
			    size_t len)
{
	char u[32], t[32];

	if (!ok)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%s / %s", bytes(used, u, sizeof(u)),
			 bytes(total, t, sizeof(t)));
	return buf;
}

static const char *percent(bool ok, double v, char *buf, size_t len)
{
	if (ok)
		snprintf(buf, len, "%.0f %%", v);
	else
		snprintf(buf, len, "n/a");
	return buf;
}

static const char *name_of(const struct smi_adapter *a)
{
	return NT_SUCCESS(a->desc_st) ? a->description : "?";
}

void smi_print_table(const struct smi_report *r)
{
	char io[80], dev[80], busy[16], luid[24];
	time_t now = time(NULL);
	unsigned int nproc = 0;

	printf("dxg-smi  %s", ctime(&now));
	rule('-');
	row("%-4s %-36s %-22s %s", "#", "Adapter", "LUID", "Busy");
	row("%-4s %-36s %s", "", "IO space used / total",
	    "Device memory used / total");
	rule('=');
	for (uint32_t i = 0; i < r->count; i++) {
		const struct smi_adapter *a = &r->adapters[i];

		snprintf(luid, sizeof(luid), "0x%08X:0x%08X",
			 a->info.adapter_luid.b, a->info.adapter_luid.a);
		row("%-4u %-36.36s %-22s %s", a->index, name_of(a), luid,
		    percent(a->busy_ok, a->busy, busy, sizeof(busy)));
		row("%-4s %-36s %s", "",
		    usage_of(a->io_ok, a->io_used, a->io_total, io, sizeof(io)),
		    usage_of(a->dev_ok, a->dev_used, a->dev_total, dev, sizeof(dev)));
		rule('-');
	}
	putchar('\n');
	rule('-');
	row("Processes:");
	row("%-8s %7s  %-16s %-18s %s", "Adapter", "PID", "Name",
	    "IO space used", "Device memory used");
	rule('=');
	for (uint32_t i = 0; i < r->count; i++) {
		const struct smi_adapter *a = &r->adapters[i];

		if (!a->procs_ok) {
			row("%-8u %7s  %s", a->index, "n/a",
			    "(the processes cannot be listed)");
			continue;
		}
		for (uint32_t k = 0; k < a->nprocs; k++, nproc++) {
			const struct smi_proc *p = &a->procs[k];

			row("%-8u %7u  %-16s %-18s %s", a->index, p->pid, p->name,
			    p->mem_ok ? bytes(p->io_used, io, sizeof(io)) : "n/a",
			    p->mem_ok && a->dev_ok ?
			    bytes(p->dev_used, dev, sizeof(dev)) : "n/a");
		}
	}
	if (!nproc)
		row("No running processes found");
	rule('-');
	putchar('\n');
}

void smi_print_details(const struct smi_adapter *a)
{
	char types[256];

	dxg_adaptertype_string(a->type, ", ", types, sizeof(types));
	printf("Adapter %u: %s\n", a->index, name_of(a));
	printf("  LUID            0x%08X:0x%08X\n", a->info.adapter_luid.b,
	       a->info.adapter_luid.a);
	if (NT_SUCCESS(a->type_st))
		printf("  Type            0x%08X (%s)\n", a->type, types);
	else
		printf("  Type            ? (%s)\n", dxg_ntstatus_name(a->type_st));
	if (NT_SUCCESS(a->ids_st))
		printf("  PCI ids         %04X:%04X (subsystem %04X:%04X, rev %02X)\n",
		       a->ids.vendor_id, a->ids.device_id, a->ids.sub_vendor_id,
		       a->ids.sub_system_id, a->ids.revision_id);
	else
		printf("  PCI ids         ? (%s)\n", dxg_ntstatus_name(a->ids_st));
	if (NT_SUCCESS(a->wddm_st))
		printf("  WDDM version    %u.%u\n", a->wddm / 1000, a->wddm % 1000 / 100);
	else
		printf("  WDDM version    ? (%s)\n", dxg_ntstatus_name(a->wddm_st));
	printf("  Display sources %u\n", a->info.num_sources);
	if (a->stats_ok)
		printf("  Segments        %u, nodes %u\n", a->nb_segments,
		       a->node_count);
	else
		printf("  Segments        n/a\n");
	for (uint32_t n = 0; n < a->nodes; n++) {
		char busy[16];

		printf("  Node %-2u busy    %s", n,
		       percent(a->node_ok[n], a->node_busy[n], busy, sizeof(busy)));
		if (a->node_now[n].ok)
			printf(" (running %.3f s, %u jobs)",
			       (double)a->node_now[n].running / 1e7,
			       a->node_now[n].jobs);
		putchar('\n');
	}
}

void smi_print_quiet(const struct smi_adapter *a)
{
	printf("%u 0x%08X:0x%08X %s\n", a->index, a->info.adapter_luid.b,
	       a->info.adapter_luid.a, name_of(a));
}

/* ---- JSON ---- */

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_percent(bool ok, double v)
{
	if (ok)
		printf("%.1f", v);
	else
		printf("null");
}

static void json_usage(const char *key, bool ok, uint64_t used, uint64_t total)
{
	printf(",\"%s\":", key);
	if (ok)
		printf("{\"used\":%llu,\"total\":%llu}", (unsigned long long)used,
		       (unsigned long long)total);
	else
		printf("null");
}

static void json_identity(const struct smi_adapter *a)
{
	int first = 1;

	printf("{\"index\":%u,\"luid\":\"0x%08X:0x%08X\",\"luid_high\":%u,"
	       "\"luid_low\":%u", a->index, a->info.adapter_luid.b,
	       a->info.adapter_luid.a, a->info.adapter_luid.b,
	       a->info.adapter_luid.a);
	if (NT_SUCCESS(a->type_st)) {
		printf(",\"type\":%u,\"type_flags\":[", a->type);
		for (unsigned int b = 0; b < 32; b++) {
			char name[32];

			if (!(a->type & (1u << b)))
				continue;
			printf("%s", first ? "" : ",");
			json_string(dxg_adaptertype_string(1u << b, "", name,
							   sizeof(name)));
			first = 0;
		}
		printf("]");
	}
	if (NT_SUCCESS(a->ids_st))
		printf(",\"vendor_id\":\"0x%04X\",\"device_id\":\"0x%04X\","
		       "\"subsys_vendor_id\":\"0x%04X\",\"subsys_id\":\"0x%04X\","
		       "\"revision\":%u", a->ids.vendor_id, a->ids.device_id,
		       a->ids.sub_vendor_id, a->ids.sub_system_id,
		       a->ids.revision_id);
	if (NT_SUCCESS(a->wddm_st))
		printf(",\"wddm_version\":\"%u.%u\",\"driver_version\":%u",
		       a->wddm / 1000, a->wddm % 1000 / 100, a->wddm);
	if (NT_SUCCESS(a->desc_st)) {
		printf(",\"description\":");
		json_string(a->description);
	}
	printf(",\"display_sources\":%u", a->info.num_sources);
}

static void json_adapter(const struct smi_adapter *a)
{
	json_identity(a);
	printf(",\"busy_percent\":");
	json_percent(a->busy_ok, a->busy);
	printf(",\"nodes\":[");
	for (uint32_t n = 0; n < a->nodes; n++) {
		printf("%s{\"node\":%u,\"busy_percent\":", n ? "," : "", n);
		json_percent(a->node_ok[n], a->node_busy[n]);
		if (a->node_now[n].ok)
			printf(",\"running_time_us\":%lld,\"jobs\":%u",
			       (long long)(a->node_now[n].running / 10),
			       a->node_now[n].jobs);
		else
			printf(",\"running_time_us\":null,\"jobs\":null");
		putchar('}');
	}
	putchar(']');
	json_usage("io_space", a->io_ok, a->io_used, a->io_total);
	json_usage("device_memory", a->dev_ok, a->dev_used, a->dev_total);
	printf(",\"processes\":");
	if (!a->procs_ok) {
		printf("null");
	} else {
		putchar('[');
		for (uint32_t k = 0; k < a->nprocs; k++) {
			const struct smi_proc *p = &a->procs[k];

			printf("%s{\"pid\":%u,\"name\":", k ? "," : "", p->pid);
			json_string(p->name);
			if (p->mem_ok)
				printf(",\"io_space_used\":%llu",
				       (unsigned long long)p->io_used);
			else
				printf(",\"io_space_used\":null");
			if (p->mem_ok && a->dev_ok)
				printf(",\"device_memory_used\":%llu}",
				       (unsigned long long)p->dev_used);
			else
				printf(",\"device_memory_used\":null}");
		}
		putchar(']');
	}
	printf(",\"ok\":%s}",
	       NT_SUCCESS(a->type_st) && NT_SUCCESS(a->ids_st) &&
	       NT_SUCCESS(a->wddm_st) && NT_SUCCESS(a->desc_st) ? "true" : "false");
}

/* The host devices (below), as text or as JSON array members. */
static void hosts(bool json);

void smi_print_json(const struct smi_report *r)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("{\"timestamp\":\"%s\",\"interval_ms\":%llu,\"adapters\":[", ts,
	       (unsigned long long)(r->interval_ns / 1000000u));
	for (uint32_t i = 0; i < r->count; i++) {
		if (i)
			putchar(',');
		json_adapter(&r->adapters[i]);
	}
	printf("],\"hosts\":[");
	hosts(true);
	printf("]}\n");
}

/* ---- host statistics (sysfs) ---- */

/*
 * The driver's PCI devices: its sysfs name is the module's (KBUILD_MODNAME
 * of driver/dxg_ivshmem.c, in dxgkrnl.ko).  The VMBus transport has none.
 */
#define HOST_SYSFS	"/sys/bus/pci/drivers/dxgkrnl"

static const struct {
	const char *attr, *key, *label, *unit;
} host_stats[] = {
	{ "dxg_host_processes", "processes", "Processes      ", "" },
	{ "dxg_host_objects", "objects", "Objects        ", "" },
	{ "dxg_host_io_used", "io_space_used", "IO space used  ", " bytes" },
	{ "dxg_host_log_suppressed", "log_suppressed", "Log suppressed ", " lines" },
	{ "dxg_host_device_memory_quota", "device_memory_quota",
	  "Device memory  ", " bytes (quota)" },
	{ "dxg_host_device_memory_used", "device_memory_used",
	  "Device mem used", " bytes" },
};
#define NUM_HOST_STATS	(sizeof(host_stats) / sizeof(host_stats[0]))

/* -1 when the attribute is missing (an older driver) or unreadable. */
static long long read_stat(const char *dir, const char *attr)
{
	char path[PATH_MAX];
	long long v = -1;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static void print_host(const char *dir, bool json, bool first)
{
	const char *dev = strrchr(dir, '/') + 1;
	long long v[NUM_HOST_STATS];

	for (size_t i = 0; i < NUM_HOST_STATS; i++)
		v[i] = read_stat(dir, host_stats[i].attr);
	if (json) {
		printf("%s{\"host\":", first ? "" : ",");
		json_string(dev);
		for (size_t i = 0; i < NUM_HOST_STATS; i++)
			if (v[i] >= 0)
				printf(",\"%s\":%lld", host_stats[i].key, v[i]);
		putchar('}');
		return;
	}
	printf("Host %s (dxghost's statistics of this VM)\n", dev);
	for (size_t i = 0; i < NUM_HOST_STATS; i++) {
		if (v[i] >= 0)
			printf("  %s %lld%s\n", host_stats[i].label, v[i],
			       host_stats[i].unit);
		else
			printf("  %s ?\n", host_stats[i].label);
	}
}

/* Every host device of the driver, in PCI address order. */
static void hosts(bool json)
{
	glob_t g;

	if (glob(HOST_SYSFS "/*/dxg_host_objects", 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		*strrchr(g.gl_pathv[i], '/') = 0;	/* the device's directory */
		print_host(g.gl_pathv[i], json, i == 0);
	}
	globfree(&g);
}

void smi_print_hosts(void)
{
	hosts(false);
}
