// SPDX-License-Identifier: MIT
/*
 * vk-samples: the compute samples (sgemm, saxpy, reduce, filter) as a plain
 * Vulkan program, with nothing of opendxg in it: on the host it runs on
 * the host's Vulkan device; in a guest, unmodified, on the opendxg Vulkan
 * driver (docs/vulkan-samples.md).  Each sample checks its result against
 * a CPU reference; the exit status is 0 only when every one was correct
 * (and, with --validate, the validation layer reported nothing).
 */
#include "vks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "vk-samples"

static const struct {
	const char *name, *what;
	int (*run)(struct vkc *c, const struct vkc_opts *o);
} samples[] = {
	{ "sgemm", "C = A x B, single-precision matrix multiply", vks_sgemm },
	{ "saxpy", "y = a * x + y over a vector", vks_saxpy },
	{ "reduce", "sum of a vector, tree reduction in passes", vks_reduce },
	{ "filter", "5x5 Gaussian blur then Sobel edges over an image", vks_filter },
};
#define NUM_SAMPLES (sizeof(samples) / sizeof(samples[0]))

static const char usage[] =
	"Usage: " PROG " [OPTIONS] [all | sgemm | saxpy | reduce | filter ...]\n"
	"The compute samples in plain Vulkan, each checked against a CPU reference:\n"
	"  sgemm   C = A x B, single-precision matrix multiply (--size: order)\n"
	"  saxpy   y = a * x + y over a vector (--size: elements)\n"
	"  reduce  sum of a vector, tree reduction in passes (--size: elements)\n"
	"  filter  5x5 Gaussian blur then Sobel edges over an image (--size: width)\n"
	"  all     all four (the default)\n";

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	bool want[NUM_SAMPLES] = { false };
	unsigned int passed = 0, failed = 0;
	struct vkc_opts o;
	struct vkc c;
	int nargs, r;
	uint64_t t0;

	if (!args) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	r = vkc_parse(argc, argv, usage, &o, args, &nargs);
	for (int i = 0; i < nargs && !r; i++) {
		bool all = !strcmp(args[i], "all"), known = all;

		for (size_t j = 0; j < NUM_SAMPLES; j++) {
			if (all || !strcmp(args[i], samples[j].name))
				want[j] = known = true;
		}
		if (!known) {
			fprintf(stderr, "%s: unknown sample '%s' (see --help)\n", PROG, args[i]);
			r = 1;
		}
	}
	free(args);
	if (r)
		return r == 2 ? 0 : 2;
	if (!nargs)
		for (size_t j = 0; j < NUM_SAMPLES; j++)
			want[j] = true;

	t0 = sample_now_ns();
	if (vkc_open(&c, PROG, &o, NULL)) {
		vkc_close(&c);
		printf("%s: FAILED: no Vulkan device to run on\n", PROG);
		return 1;
	}
	for (size_t j = 0; j < NUM_SAMPLES; j++) {
		if (!want[j])
			continue;
		printf("== %s: %s\n", samples[j].name, samples[j].what);
		fflush(stdout);
		if (samples[j].run(&c, &o))
			failed++;
		else
			passed++;
	}
	/* Validation messages (the layer reports leaks at vkDestroyDevice too)
	 * fail the run as a wrong result would. */
	if (vkc_close(&c))
		failed++;
	printf("%s: %u passed, %u failed (%.1f s)\n", PROG, passed, failed,
	       (sample_now_ns() - t0) / 1e9);
	return failed ? 1 : 0;
}
