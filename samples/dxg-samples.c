// SPDX-License-Identifier: MIT
/*
 * dxg-samples: runs the compute samples one after another (sgemm, saxpy,
 * reduce, filter; or those named on the command line) and prints a
 * summary.  Exit status 0 when every sample's result was correct.
 */
#include "samples.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "dxg-samples"

int main(int argc, char **argv)
{
	char **opts = calloc((size_t)argc + 1, sizeof(*opts));
	int *result = calloc(num_samples, sizeof(*result));
	bool *want = calloc(num_samples, sizeof(*want));
	unsigned int passed = 0, failed = 0, nopts = 0, nwant = 0;
	struct sample_opts o;
	uint64_t t0;
	int r;

	if (!opts || !result || !want) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	opts[nopts++] = argv[0];
	for (int i = 1; i < argc; i++) {
		size_t j;

		if (argv[i][0] == '-') {
			opts[nopts++] = argv[i];
			/* Options with a value take the next argument along. */
			if (strcmp(argv[i], "--quick") && strcmp(argv[i], "-h") &&
			    strcmp(argv[i], "--help") && i + 1 < argc)
				opts[nopts++] = argv[++i];
			continue;
		}
		for (j = 0; j < num_samples; j++)
			if (!strcmp(argv[i], samples[j].name))
				break;
		if (j == num_samples) {
			fprintf(stderr, "%s: unknown sample '%s' (known:", PROG, argv[i]);
			for (j = 0; j < num_samples; j++)
				fprintf(stderr, " %s", samples[j].name);
			fprintf(stderr, ")\n");
			return 2;
		}
		want[j] = true;
		nwant++;
	}
	r = sample_parse((int)nopts, opts, PROG, "Runs the compute samples (sgemm, saxpy, reduce, filter)",
			 &o);
	if (r == 2) {
		printf("Samples:\n");
		for (size_t j = 0; j < num_samples; j++)
			printf("  %-7s %s\n", samples[j].name, samples[j].what);
		printf("Name samples to run only those; --size applies to each of them.\n");
		return 0;
	}
	if (r)
		return 2;

	t0 = sample_now_ns();
	for (size_t j = 0; j < num_samples; j++) {
		if (nwant && !want[j]) {
			result[j] = -1;
			continue;
		}
		printf("== %s: %s\n", samples[j].name, samples[j].what);
		fflush(stdout);
		result[j] = samples[j].run(&o);
		if (result[j])
			failed++;
		else
			passed++;
	}
	printf("== %s summary (%.1f s)\n", PROG, (sample_now_ns() - t0) / 1e9);
	for (size_t j = 0; j < num_samples; j++)
		if (result[j] >= 0)
			printf("  %-7s %s\n", samples[j].name, result[j] ? "FAILED" : "OK");
	printf("%s: %u passed, %u failed\n", PROG, passed, failed);
	free(opts);
	free(result);
	free(want);
	return failed ? 1 : 0;
}
