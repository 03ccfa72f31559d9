// SPDX-License-Identifier: MIT
/*
 * Library-level VM test: the D3DKMT API of libdxg against the real
 * dxgkrnl.ko and dxghost, inside the guest.
 *
 *   enumeration, open by LUID, adapter queries, device and context life
 *   cycle, the NTSTATUS of common mistakes (bad handles, unknown LUID, a
 *   too small buffer, slots with no handler, user-space-only stubs), the
 *   fork behaviour (a child's first EnumAdapters2 reopens /dev/dxg after
 *   ENOTTY; a raw ioctl on the inherited descriptor gets ENOTTY), several
 *   threads of a child recovering at once, CloseDxCoreDevice, and finally
 *   dxg-smi and dxg-demo run as programs (found next to this binary, in
 *   ../../../tools of a build tree, or on PATH).
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 if anything failed.
 */
#include <dxg/d3dkmt.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void pass(const char *name)
{
	printf("PASS lib/%s\n", name);
	fflush(stdout);
}

static void failf(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failf(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL lib/%s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failures++;
}

/* PASS if @got == @want, else FAIL naming both statuses. */
static int expect_status(const char *name, NTSTATUS got, NTSTATUS want)
{
	if (got == want) {
		pass(name);
		return 1;
	}
	failf(name, "got %s (0x%08X), expected %s", dxg_ntstatus_name(got),
	      (unsigned int)got, dxg_ntstatus_name(want));
	return 0;
}

/*
 * A stale or made-up handle.  WSL2's dxgkrnl answers -EINVAL from its handle
 * lookups (STATUS_INVALID_PARAMETER); -EBADF (STATUS_INVALID_HANDLE) is the
 * other precise answer.  Either passes; anything else fails.
 */
static int expect_bad_handle(const char *name, NTSTATUS got)
{
	if (got == STATUS_INVALID_PARAMETER || got == STATUS_INVALID_HANDLE) {
		pass(name);
		return 1;
	}
	failf(name, "got %s (0x%08X), expected STATUS_INVALID_PARAMETER or "
	      "STATUS_INVALID_HANDLE", dxg_ntstatus_name(got), (unsigned int)got);
	return 0;
}

static NTSTATUS close_adapter(D3DKMT_HANDLE h)
{
	D3DKMT_CLOSEADAPTER c = { .adapter_handle = h };

	return D3DKMTCloseAdapter(&c);
}

static NTSTATUS enum2_count(__u32 *count)
{
	D3DKMT_ENUMADAPTERS2 e = { .num_adapters = 0, .adapters = 0 };
	NTSTATUS st = D3DKMTEnumAdapters2(&e);

	*count = e.num_adapters;
	return st;
}

/* EnumAdapters3 (compute-only included) into @list; returns the status. */
static NTSTATUS enum3(D3DKMT_ADAPTERINFO *list, __u32 max, __u32 *count)
{
	D3DKMT_ENUMADAPTERS3 e = {
		.filter = D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY,
		.adapter_count = max,
		.adapters = (__u64)(uintptr_t)list,
	};
	NTSTATUS st = D3DKMTEnumAdapters3(&e);

	*count = e.adapter_count;
	return st;
}

static void close_all(const D3DKMT_ADAPTERINFO *list, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		close_adapter(list[i].adapter_handle);
}

/* ---- basic API -------------------------------------------------------- */

static void test_stubs(void)
{
	char buf[64];

	expect_status("stub-present", D3DKMTPresent(buf), STATUS_NOT_SUPPORTED);
	expect_status("stub-lock", D3DKMTLock(buf), STATUS_NOT_SUPPORTED);
	expect_status("stub-unlock", D3DKMTUnlock(buf), STATUS_NOT_SUPPORTED);
	expect_status("stub-set-stable-power-state", D3DKMTSetStablePowerState(buf),
		      STATUS_SUCCESS);
	if (!strcmp(dxg_ntstatus_name(STATUS_INVALID_HANDLE), "STATUS_INVALID_HANDLE") &&
	    !strcmp(dxg_ntstatus_name((NTSTATUS)0xC0123456), "0xC0123456"))
		pass("ntstatus-name");
	else
		failf("ntstatus-name", "unexpected names");
}

static void test_enum(D3DKMT_ADAPTERINFO *list, __u32 *n)
{
	D3DKMT_ADAPTERINFO small[1];
	D3DKMT_ENUMADAPTERS3 e3 = {
		.filter = D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY,
	};
	__u32 count = 0;
	NTSTATUS st;

	st = enum2_count(&count);
	if (NT_SUCCESS(st) && count >= 1)
		pass("enum2-count");
	else
		failf("enum2-count", "%s, %u adapter(s)", dxg_ntstatus_name(st), count);

	st = D3DKMTEnumAdapters3(&e3);	/* null buffer: count only */
	if (NT_SUCCESS(st) && e3.adapter_count >= 1)
		pass("enum3-count");
	else
		failf("enum3-count", "%s, %u adapter(s)", dxg_ntstatus_name(st),
		      e3.adapter_count);

	st = enum3(list, D3DKMT_ADAPTERS_MAX, n);
	if (!NT_SUCCESS(st) || *n == 0) {
		failf("enum3", "%s, %u adapter(s)", dxg_ntstatus_name(st), *n);
		*n = 0;
		return;
	}
	for (__u32 i = 0; i < *n; i++) {
		if (!list[i].adapter_handle) {
			failf("enum3", "adapter %u has handle 0", i);
			return;
		}
	}
	pass("enum3");

	/* An array shorter than the adapter count. */
	e3.adapter_count = 0;
	e3.adapters = (__u64)(uintptr_t)small;
	st = D3DKMTEnumAdapters3(&e3);
	if (NT_SUCCESS(st))
		close_all(small, e3.adapter_count);
	expect_status("enum3-buffer-too-small", st, STATUS_BUFFER_TOO_SMALL);
}

static void test_open_query(const D3DKMT_ADAPTERINFO *info)
{
	D3DKMT_OPENADAPTERFROMLUID o = { .adapter_luid = info->adapter_luid };
	D3DKMT_OPENADAPTERFROMLUID bad = { .adapter_luid = { 0xdeadbeef, 0xfeedf00d } };
	D3DKMT_ADAPTERTYPE type = { 0 };
	D3DKMT_QUERY_DEVICE_IDS ids = { .physical_adapter_index = 0 };
	D3DKMT_DRIVER_DESCRIPTION *desc;
	char text[256];
	__u32 wddm = 0;
	NTSTATUS st;

	st = D3DKMTOpenAdapterFromLuid(&o);
	if (!NT_SUCCESS(st) || !o.adapter_handle) {
		failf("open-from-luid", "%s, handle 0x%08X", dxg_ntstatus_name(st),
		      o.adapter_handle);
		return;
	}
	pass("open-from-luid");

	expect_status("open-from-unknown-luid", D3DKMTOpenAdapterFromLuid(&bad),
		      STATUS_INVALID_PARAMETER);

	st = dxg_query_adapter_info(o.adapter_handle, KMTQAITYPE_ADAPTERTYPE, &type, sizeof(type));
	if (NT_SUCCESS(st) && (type.value & D3DKMT_ADAPTERTYPE_PARAVIRTUALIZED))
		pass("query-adaptertype");
	else
		failf("query-adaptertype", "%s, type 0x%08X (%s)", dxg_ntstatus_name(st),
		      type.value, dxg_adaptertype_string(type.value, ",", text,
							 sizeof(text)));

	st = dxg_query_adapter_info(o.adapter_handle, KMTQAITYPE_DRIVERVERSION, &wddm, sizeof(wddm));
	if (NT_SUCCESS(st) && wddm >= KMT_DRIVERVERSION_WDDM_2_0)
		pass("query-driverversion");
	else
		failf("query-driverversion", "%s, %u", dxg_ntstatus_name(st), wddm);

	st = dxg_query_adapter_info(o.adapter_handle, KMTQAITYPE_PHYSICALADAPTERDEVICEIDS, &ids,
		   sizeof(ids));
	if (NT_SUCCESS(st) && ids.device_ids.vendor_id)
		pass("query-device-ids");
	else
		failf("query-device-ids", "%s, vendor 0x%04X", dxg_ntstatus_name(st),
		      ids.device_ids.vendor_id);

	desc = calloc(1, sizeof(*desc));
	if (desc) {
		st = dxg_query_adapter_info(o.adapter_handle, KMTQAITYPE_DRIVER_DESCRIPTION, desc,
			   sizeof(*desc));
		dxg_utf16_to_utf8(desc->driver_description,
				  D3DKMT_DRIVER_DESCRIPTION_LENGTH, text, sizeof(text));
		if (NT_SUCCESS(st) && text[0])
			pass("query-description");
		else
			failf("query-description", "%s, \"%s\"", dxg_ntstatus_name(st), text);

		expect_status("query-buffer-too-small",
			      dxg_query_adapter_info(o.adapter_handle, KMTQAITYPE_DRIVER_DESCRIPTION,
				    desc, 16),
			      STATUS_BUFFER_TOO_SMALL);
		free(desc);
	}

	expect_bad_handle("query-bad-handle",
			  dxg_query_adapter_info(0x40000fc0u, KMTQAITYPE_ADAPTERTYPE, &type, sizeof(type)));

	expect_status("close-adapter", close_adapter(o.adapter_handle), STATUS_SUCCESS);
	expect_bad_handle("close-adapter-twice", close_adapter(o.adapter_handle));
}

static void test_device_context(const D3DKMT_ADAPTERINFO *info)
{
	D3DKMT_CREATEDEVICE dev = { .adapter = info->adapter_handle };
	D3DKMT_CREATEDEVICE baddev = { .adapter = 0x40000fc0u };
	D3DKMT_CREATECONTEXTVIRTUAL ctx = { 0 };
	D3DKMT_CREATECONTEXT legacy = { 0 };
	D3DKMT_DESTROYCONTEXT dctx;
	D3DKMT_DESTROYDEVICE ddev;
	unsigned char blob[16] = "opendxg-test";
	NTSTATUS st;

	expect_bad_handle("create-device-bad-adapter", D3DKMTCreateDevice(&baddev));

	st = D3DKMTCreateDevice(&dev);
	if (!NT_SUCCESS(st) || !dev.device) {
		failf("create-device", "%s, device 0x%08X", dxg_ntstatus_name(st),
		      dev.device);
		return;
	}
	pass("create-device");

	ctx.device = dev.device;
	ctx.node_ordinal = 0;
	ctx.priv_drv_data = (__u64)(uintptr_t)blob;
	ctx.priv_drv_data_size = sizeof(blob);
	st = D3DKMTCreateContextVirtual(&ctx);
	if (NT_SUCCESS(st) && ctx.context) {
		pass("create-context-virtual");
		dctx.context = ctx.context;
		expect_status("destroy-context", D3DKMTDestroyContext(&dctx),
			      STATUS_SUCCESS);
		expect_bad_handle("destroy-context-twice", D3DKMTDestroyContext(&dctx));
	} else {
		failf("create-context-virtual", "%s, context 0x%08X",
		      dxg_ntstatus_name(st), ctx.context);
	}

	/*
	 * 0x03 has no handler: the driver answers ENOTTY, as WSL2's dxgkrnl
	 * does, which the library reports as STATUS_UNSUCCESSFUL.
	 */
	legacy.device = dev.device;
	st = D3DKMTCreateContext(&legacy);
	if (st == STATUS_UNSUCCESSFUL)
		pass("create-context-no-handler");
	else
		failf("create-context-no-handler", "got %s (0x%08X)",
		      dxg_ntstatus_name(st), (unsigned int)st);

	ddev.device = dev.device;
	expect_status("destroy-device", D3DKMTDestroyDevice(&ddev), STATUS_SUCCESS);
	expect_bad_handle("destroy-device-twice", D3DKMTDestroyDevice(&ddev));
}

/* ---- fork ------------------------------------------------------------- */

static void *thread_enum(void *arg)
{
	__u32 count = 0;
	NTSTATUS st = enum2_count(&count);

	*(NTSTATUS *)arg = st;
	return NULL;
}

/* Runs in the child; returns its number of failures. */
static int fork_child(D3DKMT_HANDLE parent_adapter, int threads)
{
	D3DKMT_ENUMADAPTERS2 raw = { 0 };
	D3DKMT_ADAPTERTYPE type;
	D3DKMT_ADAPTERINFO list[D3DKMT_ADAPTERS_MAX];
	int fd = dxg_fd(), r;
	__u32 count = 0, n = 0;
	NTSTATUS st;

	failures = 0;	/* the parent's count came along with fork() */
	if (threads) {
		pthread_t t[8];
		NTSTATUS res[8];
		int ok = 1;

		for (int i = 0; i < 8; i++)
			pthread_create(&t[i], NULL, thread_enum, &res[i]);
		for (int i = 0; i < 8; i++) {
			pthread_join(t[i], NULL);
			ok &= NT_SUCCESS(res[i]);
		}
		if (ok)
			pass("fork-threads-reopen");
		else
			failf("fork-threads-reopen", "a thread's EnumAdapters2 failed");
		return failures;
	}

	r = ioctl(fd, LX_DXENUMADAPTERS2, &raw);
	if (r == -1 && errno == ENOTTY)
		pass("fork-inherited-fd-enotty");
	else
		failf("fork-inherited-fd-enotty", "raw ioctl on fd %d returned %d (%s)",
		      fd, r, strerror(errno));

	/* Not a retrying call: the child's first use fails, nothing reopened. */
	st = dxg_query_adapter_info(parent_adapter, KMTQAITYPE_ADAPTERTYPE, &type, sizeof(type));
	expect_status("fork-non-retrying-call", st, STATUS_UNSUCCESSFUL);

	st = enum2_count(&count);
	if (NT_SUCCESS(st) && count >= 1)
		pass("fork-enum2-reopens");
	else
		failf("fork-enum2-reopens", "%s, %u adapter(s)", dxg_ntstatus_name(st),
		      count);

	if (dxg_fd() == fd && ioctl(fd, LX_DXENUMADAPTERS2, &raw) == 0)
		pass("fork-same-fd-number");
	else
		failf("fork-same-fd-number", "fd %d -> %d, ioctl: %s", fd, dxg_fd(),
		      strerror(errno));

	st = enum3(list, D3DKMT_ADAPTERS_MAX, &n);
	if (NT_SUCCESS(st) && n &&
	    NT_SUCCESS(dxg_query_adapter_info(list[0].adapter_handle, KMTQAITYPE_ADAPTERTYPE, &type,
			     sizeof(type))))
		pass("fork-child-works");
	else
		failf("fork-child-works", "%s, %u adapter(s)", dxg_ntstatus_name(st), n);
	if (NT_SUCCESS(st))
		close_all(list, n);
	return failures;
}

static void run_child(const char *name, D3DKMT_HANDLE parent_adapter, int threads)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		failf(name, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		_exit(fork_child(parent_adapter, threads) ? 1 : 0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		failf(name, "child failed (status 0x%x)", status);
	else
		pass(name);
}

static void test_fork(const D3DKMT_ADAPTERINFO *info)
{
	D3DKMT_ADAPTERTYPE type;
	__u32 count = 0;

	run_child("fork", info->adapter_handle, 0);
	run_child("fork-threads", info->adapter_handle, 1);

	/* The children's reopen did not disturb the parent. */
	if (NT_SUCCESS(enum2_count(&count)) &&
	    NT_SUCCESS(dxg_query_adapter_info(info->adapter_handle, KMTQAITYPE_ADAPTERTYPE, &type,
			     sizeof(type))))
		pass("fork-parent-unaffected");
	else
		failf("fork-parent-unaffected", "parent calls fail after fork");
}

static void test_close_dxcore(void)
{
	D3DKMT_ADAPTERTYPE type;
	__u32 count = 0;
	NTSTATUS st;

	D3DKMTCloseDxCoreDevice();
	if (dxg_fd() == -1)
		pass("close-dxcore-device");
	else
		failf("close-dxcore-device", "fd is still %d", dxg_fd());
	expect_status("closed-non-retrying-call",
		      dxg_query_adapter_info(0x40000fc0u, KMTQAITYPE_ADAPTERTYPE, &type, sizeof(type)),
		      STATUS_UNSUCCESSFUL);
	st = enum2_count(&count);
	if (NT_SUCCESS(st) && count >= 1 && dxg_fd() >= 0)
		pass("closed-enum2-reopens");
	else
		failf("closed-enum2-reopens", "%s, fd %d", dxg_ntstatus_name(st), dxg_fd());
}

/* ---- the tools -------------------------------------------------------- */

static int find_tool(const char *tool, char *out, size_t outsz)
{
	static const char *const rel[] = { "", "../../../tools/" };
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash)
			slash[1] = 0;
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			int len = snprintf(out, outsz, "%s%s%s", self, rel[i], tool);

			if (len > 0 && (size_t)len < outsz && access(out, X_OK) == 0)
				return 0;
		}
	}
	snprintf(out, outsz, "%s", tool);	/* PATH */
	return 0;
}

/* Runs @cmd, returns its exit status and its output (stdout+stderr). */
static int run_tool(const char *tool, const char *args, char *out, size_t outsz)
{
	char path[PATH_MAX], cmd[PATH_MAX + 64];
	size_t o = 0, got;
	FILE *p;
	int status;

	find_tool(tool, path, sizeof(path));
	if (snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", path, args) >= (int)sizeof(cmd))
		return -1;
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (o + 1 < outsz && (got = fread(out + o, 1, outsz - o - 1, p)) > 0)
		o += got;
	out[o] = 0;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_tools(void)
{
	static char out[65536];
	unsigned long n;
	const char *p;
	int rc;

	rc = run_tool("dxg-smi", "", out, sizeof(out));
	if (rc == 0 && strstr(out, "Adapter 0:") && strstr(out, "paravirtualized") &&
	    strstr(out, "adapter(s)"))
		pass("tool-dxg-smi");
	else
		failf("tool-dxg-smi", "exit %d, output: %.300s", rc, out);

	/* The host's statistics of this VM, from the driver's sysfs files. */
	p = strstr(out, "\nHost ");
	if (rc == 0 && p && strstr(p, "\n  Processes       ") &&
	    strstr(p, "\n  Objects         ") &&
	    strstr(p, "\n  IO space used   ") &&
	    (p = strstr(p, "\n  Log suppressed  ")) &&
	    sscanf(p, "\n  Log suppressed  %lu lines", &n) == 1)
		pass("tool-dxg-smi-host");
	else
		failf("tool-dxg-smi-host", "exit %d, output: %.600s", rc, out);

	/* One report object: the adapters, then the host devices. */
	rc = run_tool("dxg-smi", "--json", out, sizeof(out));
	if (rc == 0 && !strncmp(out, "{\"timestamp\":\"", 14) &&
	    strstr(out, "\"adapters\":[{\"index\":0,\"luid\":\"0x") &&
	    strstr(out, "\"ok\":true}"))
		pass("tool-dxg-smi-json");
	else
		failf("tool-dxg-smi-json", "exit %d, output: %.300s", rc, out);
	p = strstr(out, "\"hosts\":[{\"host\":\"");
	if (rc == 0 && p && strstr(p, "\"processes\":") && strstr(p, "\"objects\":") &&
	    strstr(p, "\"io_space_used\":") && strstr(p, "\"log_suppressed\":"))
		pass("tool-dxg-smi-json-host");
	else
		failf("tool-dxg-smi-json-host", "exit %d, output: %.600s", rc, out);

	rc = run_tool("dxg-demo", "", out, sizeof(out));
	if (rc == 0 && strstr(out, "created on node 0") &&
	    strstr(out, "dxg-demo: OK, "))
		pass("tool-dxg-demo");
	else
		failf("tool-dxg-demo", "exit %d, output: %.300s", rc, out);
}

int main(int argc, char **argv)
{
	D3DKMT_ADAPTERINFO list[D3DKMT_ADAPTERS_MAX];
	__u32 n = 0;
	int tools = !(argc > 1 && !strcmp(argv[1], "--no-tools"));

	test_stubs();
	if (dxg_fd() < 0) {
		failf("open", "the library could not open /dev/dxg");
		return 1;
	}
	pass("open");

	test_enum(list, &n);
	if (n) {
		test_open_query(&list[0]);
		test_device_context(&list[0]);
		test_fork(&list[0]);
		close_all(list, n);
	}
	test_close_dxcore();
	if (tools)
		test_tools();

	printf("# test_libdxg: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
