// SPDX-License-Identifier: MIT
/*
 * Keeps the Vulkan ICDs that a sanitized test process can see mapped until
 * the process exits.
 *
 * The Vulkan loader dlclose()s every ICD at vkDestroyInstance.  An ICD that
 * leaks a one-time allocation (Mesa's lavapipe does, on AMD CPUs: see
 * lsan.supp) is then gone when LeakSanitizer runs at exit, so the report
 * says "<unknown module>" and no suppression can name the ICD precisely.
 * Opening each ICD library here first, with RTLD_NODELETE, makes the
 * loader's later dlopen() of the same file share this object and its
 * dlclose() a no-op, so the ICD stays mapped and LSan attributes what it
 * allocated.
 *
 * Which ICDs: the manifests named by VK_DRIVER_FILES (or the older
 * VK_ICD_FILENAMES), as the loader reads them; the test setup names
 * lavapipe's (meson.build).  Without either, lavapipe's manifest found at
 * configure time.  Linked (whole) only into the sanitized build's programs:
 * dxghost there, and every test program.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DXG_DEFAULT_ICD_MANIFEST
#define DXG_DEFAULT_ICD_MANIFEST ""
#endif

/* Copies the "library_path" string of a manifest into out; 0 if found. */
static int manifest_library(const char *manifest, char *out, size_t len)
{
	char buf[4096];
	size_t n;
	const char *p, *end;
	FILE *f = fopen(manifest, "r");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strstr(buf, "\"library_path\"");
	if (!p)
		return -1;
	p = strchr(p + strlen("\"library_path\""), ':');
	if (!p)
		return -1;
	p = strchr(p, '"');
	if (!p)
		return -1;
	end = strchr(++p, '"');
	if (!end || (size_t)(end - p) >= len)
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return 0;
}

static void keep_icd(const char *manifest)
{
	char lib[1024];

	if (manifest_library(manifest, lib, sizeof(lib)))
		return;
	/*
	 * The handle is dropped on purpose: with RTLD_NODELETE the object stays
	 * for the life of the process whatever dlclose() calls follow.  A
	 * library that does not load is the loader's problem to report.
	 */
	(void)dlopen(lib, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
}

__attribute__((constructor)) static void dxg_keep_icds(void)
{
	const char *list = getenv("VK_DRIVER_FILES");
	char *copy, *save = NULL;

	if (!list || !*list)
		list = getenv("VK_ICD_FILENAMES");
	if (!list || !*list)
		list = DXG_DEFAULT_ICD_MANIFEST;
	copy = strdup(list);
	if (!copy)
		return;
	for (char *m = strtok_r(copy, ":", &save); m; m = strtok_r(NULL, ":", &save))
		keep_icd(m);
	free(copy);
}
