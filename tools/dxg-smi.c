// SPDX-License-Identifier: MIT
/*
 * dxg-smi: list the paravirtualized GPU adapters a guest sees through
 * /dev/dxg (an nvidia-smi for WSL2-style GPUs).
 *
 * For every adapter EnumAdapters3 reports (compute-only ones included) it
 * prints the LUID, the decoded adapter type, the PCI vendor/device ids, the
 * driver description and the WDDM version, then closes the adapter handles
 * the enumeration opened.  Then, for every dxghost the guest driver is
 * attached to (an ivshmem PCI device), the statistics the host keeps about
 * this VM, read from the driver's sysfs attributes.  Exit status: 0 when
 * every call succeeded, 1 otherwise (the failing call and its NTSTATUS are
 * named on stderr).
 */
#include <dxg/d3dkmt.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESC_UTF8_MAX	(D3DKMT_DRIVER_DESCRIPTION_LENGTH * 3 + 1)

struct adapter_report {
	unsigned int index;
	D3DKMT_ADAPTERINFO info;
	__u32 type;
	D3DKMT_DEVICE_IDS ids;
	__u32 wddm;
	char description[DESC_UTF8_MAX];
	NTSTATUS type_st, ids_st, wddm_st, desc_st;
};

static const char *prog = "dxg-smi";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--json] [--quiet] [--help]\n"
		"List the GPU adapters visible through /dev/dxg (opendxg / WSL2 GPU-PV).\n"
		"\n"
		"  -j, --json    one JSON object per adapter, one per line, then one\n"
		"                per host device (\"host\": its PCI address)\n"
		"  -q, --quiet   one short line per adapter (no host statistics)\n"
		"  -h, --help    this text\n"
		"\n"
		"Host statistics (dxghost over ivshmem): this VM's live host processes\n"
		"and objects, IO-space bytes in use, and the host log lines about this\n"
		"VM that the host's rate limit suppressed.\n"
		"\n"
		"Exit status: 0 on success, 1 when /dev/dxg is missing or a call fails.\n",
		prog);
}

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

static int failed(const char *what, unsigned int index, NTSTATUS st)
{
	fprintf(stderr, "%s: adapter %u: %s failed: %s (0x%08X)\n", prog, index,
		what, dxg_ntstatus_name(st), (unsigned int)st);
	return 1;
}

static int collect(struct adapter_report *r)
{
	D3DKMT_HANDLE h = r->info.adapter_handle;
	D3DKMT_QUERY_DEVICE_IDS ids = { .physical_adapter_index = 0 };
	D3DKMT_ADAPTERTYPE type = { 0 };
	D3DKMT_DRIVER_DESCRIPTION *desc;
	int bad = 0;

	r->type_st = dxg_query_adapter_info(h, KMTQAITYPE_ADAPTERTYPE, &type, sizeof(type));
	if (NT_SUCCESS(r->type_st))
		r->type = type.value;
	else
		bad |= failed("QueryAdapterInfo(ADAPTERTYPE)", r->index, r->type_st);

	r->ids_st = dxg_query_adapter_info(h, KMTQAITYPE_PHYSICALADAPTERDEVICEIDS, &ids, sizeof(ids));
	if (NT_SUCCESS(r->ids_st))
		r->ids = ids.device_ids;
	else
		bad |= failed("QueryAdapterInfo(PHYSICALADAPTERDEVICEIDS)", r->index,
			      r->ids_st);

	r->wddm_st = dxg_query_adapter_info(h, KMTQAITYPE_DRIVERVERSION, &r->wddm, sizeof(r->wddm));
	if (!NT_SUCCESS(r->wddm_st))
		bad |= failed("QueryAdapterInfo(DRIVERVERSION)", r->index, r->wddm_st);

	desc = calloc(1, sizeof(*desc));
	if (!desc) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	r->desc_st = dxg_query_adapter_info(h, KMTQAITYPE_DRIVER_DESCRIPTION, desc, sizeof(*desc));
	if (NT_SUCCESS(r->desc_st))
		dxg_utf16_to_utf8(desc->driver_description, D3DKMT_DRIVER_DESCRIPTION_LENGTH,
			      r->description, sizeof(r->description));
	else
		bad |= failed("QueryAdapterInfo(DRIVER_DESCRIPTION)", r->index,
			      r->desc_st);
	free(desc);
	return bad;
}

static void print_text(const struct adapter_report *r, int quiet)
{
	char types[256];
	const char *desc = NT_SUCCESS(r->desc_st) ? r->description : "?";

	dxg_adaptertype_string(r->type, ", ", types, sizeof(types));
	if (quiet) {
		printf("%u 0x%08X:0x%08X %s\n", r->index, r->info.adapter_luid.b,
		       r->info.adapter_luid.a, desc);
		return;
	}
	printf("Adapter %u: %s\n", r->index, desc);
	printf("  LUID            0x%08X:0x%08X\n", r->info.adapter_luid.b,
	       r->info.adapter_luid.a);
	if (NT_SUCCESS(r->type_st))
		printf("  Type            0x%08X (%s)\n", r->type, types);
	else
		printf("  Type            ? (%s)\n", dxg_ntstatus_name(r->type_st));
	if (NT_SUCCESS(r->ids_st))
		printf("  PCI ids         %04X:%04X (subsystem %04X:%04X, rev %02X)\n",
		       r->ids.vendor_id, r->ids.device_id, r->ids.sub_vendor_id,
		       r->ids.sub_system_id, r->ids.revision_id);
	else
		printf("  PCI ids         ? (%s)\n", dxg_ntstatus_name(r->ids_st));
	if (NT_SUCCESS(r->wddm_st))
		printf("  WDDM version    %u.%u\n", r->wddm / 1000, r->wddm % 1000 / 100);
	else
		printf("  WDDM version    ? (%s)\n", dxg_ntstatus_name(r->wddm_st));
	printf("  Display sources %u\n", r->info.num_sources);
}

static void print_json(const struct adapter_report *r)
{
	int first = 1;

	printf("{\"index\":%u,\"luid\":\"0x%08X:0x%08X\",\"luid_high\":%u,"
	       "\"luid_low\":%u", r->index, r->info.adapter_luid.b,
	       r->info.adapter_luid.a, r->info.adapter_luid.b,
	       r->info.adapter_luid.a);
	if (NT_SUCCESS(r->type_st)) {
		printf(",\"type\":%u,\"type_flags\":[", r->type);
		for (unsigned int b = 0; b < 32; b++) {
			char name[32];

			if (!(r->type & (1u << b)))
				continue;
			printf("%s", first ? "" : ",");
			json_string(dxg_adaptertype_string(1u << b, "", name,
							   sizeof(name)));
			first = 0;
		}
		printf("]");
	}
	if (NT_SUCCESS(r->ids_st))
		printf(",\"vendor_id\":\"0x%04X\",\"device_id\":\"0x%04X\","
		       "\"subsys_vendor_id\":\"0x%04X\",\"subsys_id\":\"0x%04X\","
		       "\"revision\":%u", r->ids.vendor_id, r->ids.device_id,
		       r->ids.sub_vendor_id, r->ids.sub_system_id,
		       r->ids.revision_id);
	if (NT_SUCCESS(r->wddm_st))
		printf(",\"wddm_version\":\"%u.%u\",\"driver_version\":%u",
		       r->wddm / 1000, r->wddm % 1000 / 100, r->wddm);
	if (NT_SUCCESS(r->desc_st)) {
		printf(",\"description\":");
		json_string(r->description);
	}
	printf(",\"display_sources\":%u,\"ok\":%s}\n", r->info.num_sources,
	       NT_SUCCESS(r->type_st) && NT_SUCCESS(r->ids_st) &&
	       NT_SUCCESS(r->wddm_st) && NT_SUCCESS(r->desc_st) ? "true" : "false");
}

/*
 * The driver's PCI devices: its sysfs name is the module's (KBUILD_MODNAME
 * of driver/dxg_ivshmem.c, in dxgkrnl.ko).  The VMBus transport has none.
 */
#define HOST_SYSFS	"/sys/bus/pci/drivers/dxgkrnl"

static const char *const host_stats[][2] = {
	/* sysfs attribute,		JSON key */
	{ "dxg_host_processes",		"processes" },
	{ "dxg_host_objects",		"objects" },
	{ "dxg_host_io_used",		"io_space_used" },
	{ "dxg_host_log_suppressed",	"log_suppressed" },
	{ "dxg_host_device_memory_quota", "device_memory_quota" },
	{ "dxg_host_device_memory_used", "device_memory_used" },
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

static void print_host(const char *dir, int json)
{
	static const char *const labels[NUM_HOST_STATS] = {
		"Processes      ", "Objects        ", "IO space used  ",
		"Log suppressed ", "Device memory  ", "Device mem used",
	};
	static const char *const units[NUM_HOST_STATS] = {
		"", "", " bytes", " lines", " bytes (quota)", " bytes",
	};
	const char *dev = strrchr(dir, '/') + 1;
	long long v[NUM_HOST_STATS];

	for (size_t i = 0; i < NUM_HOST_STATS; i++)
		v[i] = read_stat(dir, host_stats[i][0]);
	if (json) {
		printf("{\"host\":");
		json_string(dev);
		for (size_t i = 0; i < NUM_HOST_STATS; i++)
			if (v[i] >= 0)
				printf(",\"%s\":%lld", host_stats[i][1], v[i]);
		printf("}\n");
		return;
	}
	printf("Host %s (dxghost's statistics of this VM)\n", dev);
	for (size_t i = 0; i < NUM_HOST_STATS; i++) {
		if (v[i] >= 0)
			printf("  %s %lld%s\n", labels[i], v[i], units[i]);
		else
			printf("  %s ?\n", labels[i]);
	}
}

/* Every host device of the driver, in PCI address order. */
static void print_hosts(int json)
{
	glob_t g;

	if (glob(HOST_SYSFS "/*/dxg_host_objects", 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		*strrchr(g.gl_pathv[i], '/') = 0;	/* the device's directory */
		print_host(g.gl_pathv[i], json);
	}
	globfree(&g);
}

/* Why the library has no descriptor: say it in words. */
static int no_device(void)
{
	int fd = open("/dev/dxg", O_RDONLY | O_CLOEXEC);
	int err = errno;

	if (fd >= 0) {
		close(fd);
		return 0;	/* it is there now: let the calls go ahead */
	}
	if (err == ENOENT)
		fprintf(stderr, "%s: no /dev/dxg: is dxgkrnl loaded and a dxghost attached?\n",
			prog);
	else
		fprintf(stderr, "%s: cannot open /dev/dxg: %s%s\n", prog, strerror(err),
			err == EBADF ? " (no virtual GPU: is a dxghost attached?)" : "");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	D3DKMT_ENUMADAPTERS3 e = { 0 };
	D3DKMT_ADAPTERINFO *list = NULL;
	struct adapter_report *r;
	int json = 0, quiet = 0, c, bad = 0;
	NTSTATUS st;

	while ((c = getopt_long(argc, argv, "jqh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	if (dxg_fd() < 0 && no_device())
		return 1;

	/*
	 * List into a buffer of D3DKMT_ADAPTERS_MAX entries; should there be
	 * more, ask for the count (null buffer) and try again.
	 */
	for (__u32 want = D3DKMT_ADAPTERS_MAX, tries = 0;; tries++) {
		free(list);
		list = calloc(want, sizeof(*list));
		if (!list) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		e.filter = D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY;
		e.adapter_count = want;
		e.adapters = (__u64)(uintptr_t)list;
		st = D3DKMTEnumAdapters3(&e);
		if (st == STATUS_BUFFER_TOO_SMALL && tries < 4) {
			e.adapter_count = 0;
			e.adapters = 0;
			st = D3DKMTEnumAdapters3(&e);
			if (NT_SUCCESS(st) && e.adapter_count > want) {
				want = e.adapter_count;
				continue;
			}
			if (NT_SUCCESS(st))
				continue;	/* one went away: same size again */
		}
		if (!NT_SUCCESS(st)) {
			fprintf(stderr, "%s: D3DKMTEnumAdapters3 failed: %s (0x%08X)\n",
				prog, dxg_ntstatus_name(st), (unsigned int)st);
			free(list);
			return 1;
		}
		break;
	}

	if (e.adapter_count == 0) {
		if (!json)
			printf("No adapters.\n");
		if (!quiet)
			print_hosts(json);
		free(list);
		return 0;
	}

	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "%s: out of memory\n", prog);
		free(list);
		return 1;
	}
	for (unsigned int i = 0; i < e.adapter_count; i++) {
		memset(r, 0, sizeof(*r));
		r->index = i;
		r->info = list[i];
		bad |= collect(r);
		if (json)
			print_json(r);
		else
			print_text(r, quiet);
	}
	for (unsigned int i = 0; i < e.adapter_count; i++) {
		D3DKMT_CLOSEADAPTER ca = { .adapter_handle = list[i].adapter_handle };

		st = D3DKMTCloseAdapter(&ca);
		if (!NT_SUCCESS(st))
			bad |= failed("D3DKMTCloseAdapter", i, st);
	}
	if (!quiet)
		print_hosts(json);
	if (!json && !quiet)
		printf("%u adapter(s)\n", e.adapter_count);
	free(r);
	free(list);
	return bad ? 1 : 0;
}
