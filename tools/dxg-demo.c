// SPDX-License-Identifier: MIT
/*
 * dxg-demo: walk every adapter /dev/dxg offers through the D3DKMT API the
 * way a GPU runtime starts up: open the adapter by LUID, ask what it is,
 * create a device and a context on engine node 0, then tear all of it down
 * again.  One line per step; a final "dxg-demo: OK, N adapter(s)".
 * Exits 1 on any failure, or when there is no adapter at all.
 */
#include <dxg/d3dkmt.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "dxg-demo";

static int fail(const char *label, const char *what, NTSTATUS st)
{
	fprintf(stderr, "%s: %s: %s failed: %s (0x%08X)\n", prog, label, what,
		dxg_ntstatus_name(st), (unsigned int)st);
	return 1;
}

/* Everything done to one adapter; returns 0 when all steps succeeded. */
static int demo_adapter(unsigned int index, const D3DKMT_ADAPTERINFO *info)
{
	D3DKMT_OPENADAPTERFROMLUID open_args = { .adapter_luid = info->adapter_luid };
	D3DKMT_CLOSEADAPTER close_args;
	D3DKMT_ADAPTERTYPE type = { 0 };
	D3DKMT_DRIVER_DESCRIPTION *desc;
	D3DKMT_CREATEDEVICE dev = { 0 };
	D3DKMT_DESTROYDEVICE destroy_dev;
	D3DKMT_CREATECONTEXTVIRTUAL ctx = { 0 };
	D3DKMT_DESTROYCONTEXT destroy_ctx;
	char label[256], name[160], types[160];
	__u32 wddm = 0;
	NTSTATUS st;
	int rc = 1;

	snprintf(label, sizeof(label), "adapter %u (LUID 0x%08X:0x%08X)", index,
		 info->adapter_luid.b, info->adapter_luid.a);

	st = D3DKMTOpenAdapterFromLuid(&open_args);
	if (!NT_SUCCESS(st))
		return fail(label, "D3DKMTOpenAdapterFromLuid", st);

	desc = calloc(1, sizeof(*desc));
	if (!desc) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto close_adapter;
	}
	st = dxg_query_adapter_info(open_args.adapter_handle, KMTQAITYPE_DRIVER_DESCRIPTION, desc,
		   sizeof(*desc));
	if (!NT_SUCCESS(st)) {
		free(desc);
		fail(label, "QueryAdapterInfo(DRIVER_DESCRIPTION)", st);
		goto close_adapter;
	}
	dxg_utf16_to_utf8(desc->driver_description, D3DKMT_DRIVER_DESCRIPTION_LENGTH,
			  name, sizeof(name));
	free(desc);
	snprintf(label, sizeof(label), "adapter %u (%s, LUID 0x%08X:0x%08X)", index,
		 name, info->adapter_luid.b, info->adapter_luid.a);
	printf("%s: opened, handle 0x%08X\n", label, open_args.adapter_handle);

	st = dxg_query_adapter_info(open_args.adapter_handle, KMTQAITYPE_ADAPTERTYPE, &type,
		   sizeof(type));
	if (!NT_SUCCESS(st)) {
		fail(label, "QueryAdapterInfo(ADAPTERTYPE)", st);
		goto close_adapter;
	}
	st = dxg_query_adapter_info(open_args.adapter_handle, KMTQAITYPE_DRIVERVERSION, &wddm,
		   sizeof(wddm));
	if (!NT_SUCCESS(st)) {
		fail(label, "QueryAdapterInfo(DRIVERVERSION)", st);
		goto close_adapter;
	}
	printf("%s: type 0x%08X (%s), WDDM %u.%u\n", label, type.value,
	       dxg_adaptertype_string(type.value, ", ", types, sizeof(types)),
	       wddm / 1000, wddm % 1000 / 100);

	dev.adapter = open_args.adapter_handle;
	st = D3DKMTCreateDevice(&dev);
	if (!NT_SUCCESS(st)) {
		fail(label, "D3DKMTCreateDevice", st);
		goto close_adapter;
	}
	printf("%s: device 0x%08X created\n", label, dev.device);

	ctx.device = dev.device;
	ctx.node_ordinal = 0;
	ctx.engine_affinity = 0;
	ctx.client_hint = D3DKMT_CLIENTHINT_UNKNOWN;
	st = D3DKMTCreateContextVirtual(&ctx);
	if (!NT_SUCCESS(st)) {
		fail(label, "D3DKMTCreateContextVirtual", st);
		goto destroy_device;
	}
	printf("%s: context 0x%08X created on node 0\n", label, ctx.context);

	destroy_ctx.context = ctx.context;
	st = D3DKMTDestroyContext(&destroy_ctx);
	if (!NT_SUCCESS(st)) {
		fail(label, "D3DKMTDestroyContext", st);
		goto destroy_device;
	}
	printf("%s: context 0x%08X destroyed\n", label, ctx.context);
	rc = 0;

destroy_device:
	destroy_dev.device = dev.device;
	st = D3DKMTDestroyDevice(&destroy_dev);
	if (!NT_SUCCESS(st)) {
		rc = fail(label, "D3DKMTDestroyDevice", st);
	} else if (!rc) {
		printf("%s: device 0x%08X destroyed\n", label, dev.device);
	}
close_adapter:
	close_args.adapter_handle = open_args.adapter_handle;
	st = D3DKMTCloseAdapter(&close_args);
	if (!NT_SUCCESS(st))
		rc = fail(label, "D3DKMTCloseAdapter", st);
	else if (!rc)
		printf("%s: closed\n", label);
	return rc;
}

int main(int argc, char **argv)
{
	D3DKMT_ADAPTERINFO list[D3DKMT_ADAPTERS_MAX];
	D3DKMT_ENUMADAPTERS3 e = {
		.filter = D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY,
		.adapter_count = D3DKMT_ADAPTERS_MAX,
		.adapters = (__u64)(uintptr_t)list,
	};
	NTSTATUS st;
	int rc = 0;

	if (argc > 1) {
		printf("Usage: %s\n"
		       "Open every /dev/dxg adapter, create a device and a context on it,\n"
		       "destroy them and close the adapter, printing each step.\n", prog);
		return strcmp(argv[1], "--help") && strcmp(argv[1], "-h") ? 2 : 0;
	}

	if (dxg_fd() < 0 && access("/dev/dxg", F_OK) != 0) {
		fprintf(stderr, "%s: no /dev/dxg: is dxgkrnl loaded and a dxghost attached?\n",
			prog);
		printf("%s: FAILED\n", prog);
		return 1;
	}

	memset(list, 0, sizeof(list));
	st = D3DKMTEnumAdapters3(&e);
	if (!NT_SUCCESS(st)) {
		fail("enumeration", "D3DKMTEnumAdapters3", st);
		printf("%s: FAILED\n", prog);
		return 1;
	}
	printf("%s: %u adapter(s) found\n", prog, e.adapter_count);
	if (e.adapter_count == 0) {
		fprintf(stderr, "%s: no GPU adapter: is a dxghost with an adapter attached?\n",
			prog);
		printf("%s: FAILED\n", prog);
		return 1;
	}

	for (unsigned int i = 0; i < e.adapter_count && !rc; i++)
		rc = demo_adapter(i, &list[i]);

	/* EnumAdapters3 opened a handle to every adapter it listed. */
	for (unsigned int i = 0; i < e.adapter_count; i++) {
		D3DKMT_CLOSEADAPTER ca = { .adapter_handle = list[i].adapter_handle };

		st = D3DKMTCloseAdapter(&ca);
		if (!NT_SUCCESS(st) && !rc)
			rc = fail("enumeration", "D3DKMTCloseAdapter", st);
	}
	if (rc) {
		printf("%s: FAILED\n", prog);
		return 1;
	}
	printf("%s: OK, %u adapter(s)\n", prog, e.adapter_count);
	return 0;
}
