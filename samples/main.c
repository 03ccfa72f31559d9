// SPDX-License-Identifier: MIT
/* main() of one sample program; meson defines SAMPLE_FN and SAMPLE_NAME. */
#include "samples.h"

int main(int argc, char **argv)
{
	struct sample_opts o;
	int r;

	for (size_t i = 0; i < num_samples; i++) {
		if (samples[i].run != SAMPLE_FN)
			continue;
		r = sample_parse(argc, argv, SAMPLE_NAME, samples[i].what, &o);
		if (r)
			return r == 2 ? 0 : 2;
		return SAMPLE_FN(&o) ? 1 : 0;
	}
	return 2;
}
