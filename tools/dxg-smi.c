// SPDX-License-Identifier: MIT
/*
 * dxg-smi: what nvidia-smi shows, for the paravirtualized GPU adapters a
 * guest sees through /dev/dxg (WSL2-style GPU-PV, opendxg).
 *
 * Per adapter (compute-only ones included): name, LUID, memory used and
 * total in the VM's IO space and in device memory, the engines' busy %
 * (their running time, sampled twice), the guest processes that have it
 * open with their memory; then the adapter's identity (type, PCI ids,
 * WDDM version) and the host's statistics of this VM (sysfs).  --json
 * prints the same as one JSON object per report; --loop repeats.
 *
 * Exit status: 0 when every call succeeded, 1 when /dev/dxg is missing or
 * an adapter call fails (named on stderr), 2 for bad usage.  A statistic
 * the host does not report (a Windows host, an older dxghost) is "n/a"
 * (null in JSON), not a failure.  docs/man/dxg-smi.1.
 */
#include "smi.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "dxg-smi";

struct options {
	bool json, quiet;
	double loop;		/* seconds between reports; 0: one report */
	unsigned long count;	/* reports at most; 0: until interrupted */
	unsigned long sample_ms;	/* busy %'s window without an earlier report */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--json] [--quiet] [--loop SECONDS [--count N]] [--sample MS] [--help]\n"
		"Show the GPU adapters visible through /dev/dxg (opendxg / WSL2 GPU-PV):\n"
		"memory used, engine busy %%, the processes using each adapter.\n"
		"\n"
		"  -j, --json           one JSON object per report, on one line\n"
		"  -q, --quiet          one short line per adapter (no statistics)\n"
		"  -l, --loop SECONDS   a report every SECONDS (0.1 to 86400) until\n"
		"                       interrupted; busy %% is over the last interval\n"
		"  -c, --count N        stop after N reports (with --loop)\n"
		"  -s, --sample MS      busy %%'s sampling window for the first report\n"
		"                       (10 to 10000, default 500)\n"
		"  -h, --help           this text\n"
		"\n"
		"Busy %%: the share of the interval in which the adapter's engine ran\n"
		"work of this VM (the busiest engine).  IO space: the VM's shared\n"
		"memory window, used by every adapter.  n/a: not reported by the host.\n"
		"\n"
		"Exit status: 0 on success, 1 when /dev/dxg is missing or a call fails,\n"
		"2 on bad usage.\n",
		prog);
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

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * The adapters, opened (their handles are closed by close_adapters()).  A
 * buffer of D3DKMT_ADAPTERS_MAX entries; should there be more, ask for the
 * count (null buffer) and try again.
 */
static D3DKMT_ADAPTERINFO *enum_adapters(uint32_t *count)
{
	D3DKMT_ENUMADAPTERS3 e = { 0 };
	D3DKMT_ADAPTERINFO *list = NULL;
	NTSTATUS st;

	for (__u32 want = D3DKMT_ADAPTERS_MAX, tries = 0;; tries++) {
		free(list);
		list = calloc(want, sizeof(*list));
		if (!list) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return NULL;
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
			return NULL;
		}
		*count = e.adapter_count;
		return list;
	}
}

static int close_adapters(struct smi_report *r)
{
	int bad = 0;

	for (uint32_t i = 0; i < r->count; i++) {
		D3DKMT_CLOSEADAPTER ca = {
			.adapter_handle = r->adapters[i].info.adapter_handle,
		};
		NTSTATUS st = D3DKMTCloseAdapter(&ca);

		if (!NT_SUCCESS(st)) {
			fprintf(stderr, "%s: adapter %u: D3DKMTCloseAdapter failed: %s (0x%08X)\n",
				prog, i, dxg_ntstatus_name(st), (unsigned int)st);
			bad = 1;
		}
		smi_adapter_free(&r->adapters[i]);
	}
	return bad;
}

static void print_report(const struct options *o, const struct smi_report *r)
{
	if (o->json) {
		smi_print_json(r);
	} else if (o->quiet) {
		if (!r->count)
			printf("No adapters.\n");
		for (uint32_t i = 0; i < r->count; i++)
			smi_print_quiet(&r->adapters[i]);
	} else {
		if (r->count)
			smi_print_table(r);
		else
			printf("No adapters.\n");
		for (uint32_t i = 0; i < r->count; i++)
			smi_print_details(&r->adapters[i]);
		smi_print_hosts();
		if (r->count)
			printf("%u adapter(s)\n", r->count);
	}
	fflush(stdout);
}

/*
 * One report.  Busy % compares the nodes' running times now with `marks`
 * (the previous report's); without them (the first report, a new adapter)
 * it samples over the --sample window first.  Afterwards `marks` holds
 * this report's samples.  Returns 1 when a call failed.
 */
static int report(const struct options *o, struct smi_marks *marks,
		  uint64_t *marked_at)
{
	struct smi_report r = { 0 };
	struct smi_marks *now;
	D3DKMT_ADAPTERINFO *list;
	bool fresh = false;
	int bad = 0;

	list = enum_adapters(&r.count);
	if (!list)
		return 1;
	r.adapters = calloc(r.count ? r.count : 1, sizeof(*r.adapters));
	now = calloc(1, sizeof(*now));
	if (!r.adapters || !now) {
		fprintf(stderr, "%s: out of memory\n", prog);
		free(r.adapters);
		free(now);
		free(list);
		return 1;
	}
	for (uint32_t i = 0; i < r.count; i++) {
		struct smi_adapter *a = &r.adapters[i];

		a->index = i;
		a->info = list[i];
		bad |= smi_collect_identity(a);
		if (o->quiet)
			continue;
		/* A node without an earlier sample: sample all of them anew. */
		smi_mark_nodes(a, now);
	}
	free(list);
	for (unsigned int i = 0; i < now->n && !fresh; i++) {
		bool seen = false;

		for (unsigned int k = 0; k < marks->n && !seen; k++)
			seen = marks->m[k].ok && marks->m[k].node == now->m[i].node &&
			       marks->m[k].luid.a == now->m[i].luid.a &&
			       marks->m[k].luid.b == now->m[i].luid.b;
		fresh = now->m[i].ok && !seen;
	}
	if (fresh) {
		*marks = *now;
		*marked_at = smi_now_ns();
		sleep_ns(o->sample_ms * 1000000u);
	}
	now->n = 0;
	if (!o->quiet) {
		for (uint32_t i = 0; i < r.count; i++) {
			struct smi_adapter *a = &r.adapters[i];

			smi_collect_stats(a, marks);
			for (uint32_t n = 0; n < a->nodes; n++)
				now->m[now->n++] = a->node_now[n];
		}
		r.interval_ns = smi_now_ns() - *marked_at;
		*marks = *now;
		*marked_at = smi_now_ns();
	}
	print_report(o, &r);
	bad |= close_adapters(&r);
	free(r.adapters);
	free(now);
	return bad;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "loop", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'c' },
		{ "sample", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	*o = (struct options){ .sample_ms = 500 };
	while ((c = getopt_long(argc, argv, "jql:c:s:h", opts, NULL)) != -1) {
		errno = 0;
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'l':
			o->loop = strtod(optarg, &end);
			if (errno || *end || end == optarg || !isfinite(o->loop) ||
			    o->loop < 0.1 || o->loop > 86400) {
				fprintf(stderr, "%s: --loop: SECONDS from 0.1 to 86400, not '%s'\n",
					prog, optarg);
				return 2;
			}
			break;
		case 'c':
			o->count = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-' ||
			    o->count == 0) {
				fprintf(stderr, "%s: --count: a number of reports (1 or more), not '%s'\n",
					prog, optarg);
				return 2;
			}
			break;
		case 's':
			o->sample_ms = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-' ||
			    o->sample_ms < 10 || o->sample_ms > 10000) {
				fprintf(stderr, "%s: --sample: MS from 10 to 10000, not '%s'\n",
					prog, optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (o->count && !o->loop) {
		fprintf(stderr, "%s: --count goes with --loop\n", prog);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct smi_marks *marks;
	uint64_t marked_at = 0;
	struct options o;
	int bad = 0, ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret == 1 ? 0 : ret;	/* 1: --help */
	if (dxg_fd() < 0 && no_device())
		return 1;
	marks = calloc(1, sizeof(*marks));
	if (!marks) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	for (unsigned long n = 1;; n++) {
		uint64_t start = smi_now_ns(), period;

		bad |= report(&o, marks, &marked_at);
		if (!o.loop || (o.count && n >= o.count))
			break;
		/* The next report a period after this one began. */
		period = (uint64_t)(o.loop * 1e9);
		if (smi_now_ns() - start < period)
			sleep_ns(period - (smi_now_ns() - start));
	}
	free(marks);
	return bad ? 1 : 0;
}
