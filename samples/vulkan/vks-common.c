// SPDX-License-Identifier: MIT
/* What the four Vulkan samples share beyond vkctx.h: their output lines. */
#include "vks.h"

#include <stdarg.h>
#include <stdio.h>

unsigned int vks_iters(const struct vkc_opts *o)
{
	return o->iters ? o->iters : (o->quick ? 1 : 5);
}

int vks_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s: FAILED: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return 1;
}

void vks_report(const char *name, const struct vkc_timing *t, const char *rate)
{
	printf("%s: %s time %.3f ms best, %.3f ms mean: %s; submit to wait %.3f ms\n", name,
	       t->device ? "device" : "wall", t->best_ns / 1e6, t->mean_ns / 1e6, rate,
	       t->best_wall_ns / 1e6);
}

int vks_finish(const char *name, int rc)
{
	printf("%s: %s\n", name, rc ? "FAILED" : "OK");
	fflush(stdout);
	return rc;
}
