/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus support shared by the fuzz targets: run a target with
 * DXG_FUZZ_SEEDS=DIR and its LLVMFuzzerInitialize writes a few valid inputs
 * into DIR and exits, so the seeds are built by the same code (and the same
 * host library) the fuzzer then mutates them against.
 */
#ifndef DXG_FUZZ_SEEDS_H
#define DXG_FUZZ_SEEDS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Writes DIR/NAME; any failure ends the program (it only makes seeds). */
static inline void fz_write_seed(const char *dir, const char *name,
				 const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

#endif /* DXG_FUZZ_SEEDS_H */
