// SPDX-License-Identifier: MIT
/*
 * Existing-sysmem allocations through the real driver (docs/memory.md
 * §11): CreateAllocation over user memory pins the pages and the host
 * reaches them in place.  The GPU copies what the CPU wrote in the user's
 * buffer and the CPU sees what the GPU filled there, without Lock2; a
 * forked child's writes go to its own copy (the pinned pages stay the
 * parent's); the pages count in VmLck until destroyed; a list longer than
 * one message; bad pointers, flags and combinations are refused; a
 * process that dies holding one leaves nothing on the host.
 *
 * Against a Windows-mode host (DXG_TEST_WINDOWS_HOST=1), one without
 * map_guest_memory, the same tests run over GPADLs (SETEXISTINGSYSMEMSTORE;
 * the windows scenario checks from the kernel log that this path was
 * taken).  With --unsupported (a VM whose QEMU does not share its RAM) it
 * checks the documented fallback instead: -EOPNOTSUPP, nothing created.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdenc.h"
#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define PAGE	4096u
#define SMALL	(16u * PAGE)
/* More pages than one SETEXISTINGSYSMEMPAGES message carries (15867). */
#define BIG	(16896ull * PAGE)

static int sysmem_alloc(struct env *e, void *p, uint64_t size, uint32_t flags,
			d3dkmthandle *out)
{
	struct dxg_open_alloc_desc d = {
		.version = DXG_OPEN_ALLOC_DESC_VERSION, .size = size,
	};
	struct d3dddi_allocationinfo2 info = {
		.sysmem = (uintptr_t)p, .priv_drv_data = (uintptr_t)&d,
		.priv_drv_data_size = sizeof(d),
	};
	struct d3dkmt_createallocation ca = {
		.device = e->device, .alloc_count = 1,
		.allocation_info = (uintptr_t)&info,
	};
	int r;

	ca.flags.value = flags;
	r = xioctl(e->fd, LX_DXCREATEALLOCATION, &ca);
	*out = r ? 0 : info.allocation;
	return r;
}

static int destroy(struct env *e, d3dkmthandle a)
{
	struct d3dkmt_destroyallocation2 d = {
		.device = e->device, .alloc_count = 1,
		.allocations = (uintptr_t)&a,
	};

	return xioctl(e->fd, LX_DXDESTROYALLOCATION2, &d);
}

/* Runs one buffer built at the command page's byte 0 and waits for it. */
static int run(struct env *e, d3dkmthandle ctx, struct cmdbuf *pg,
	       struct dxg_enc *enc, d3dkmthandle fence, uint64_t *fv)
{
	struct d3dkmt_submitcommand s = {
		.command_buffer = pg->va, .broadcast_context_count = 1,
	};

	s.command_length = dxg_enc_finish(enc);
	s.broadcast_context[0] = ctx;
	if (xioctl(e->fd, LX_DXSUBMITCOMMAND, &s) ||
	    signal_gpu(e, ctx, fence, ++*fv))
		return -1;
	return wait_cpu(e, fence, *fv, 0);
}

static long vm_lck_kib(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static void *pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void test_unsupported(struct env *e)
{
	uint8_t *buf = pages(SMALL);
	long objs = host_stat("dxg_host_objects");
	d3dkmthandle a;

	expect("no shared guest RAM: -EOPNOTSUPP",
	       sysmem_alloc(e, buf, SMALL,
			    D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM, &a),
	       -EOPNOTSUPP);
	check("no shared guest RAM: nothing created on the host",
	      host_stat("dxg_host_objects") == objs, "%ld -> %ld", objs,
	      host_stat("dxg_host_objects"));
	munmap(buf, SMALL);
}

static void test_refused(struct env *e)
{
	const uint32_t F = D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM;
	uint8_t *buf = pages(SMALL), *gone = pages(SMALL);
	long objs = host_stat("dxg_host_objects");
	d3dkmthandle a;

	munmap(gone, SMALL);
	expect("refused: unaligned pointer",
	       sysmem_alloc(e, buf + 8, SMALL, F, &a), -EINVAL);
	expect("refused: pointer without the flag",
	       sysmem_alloc(e, buf, SMALL, 0, &a), -EINVAL);
	expect("refused: flag without a pointer",
	       sysmem_alloc(e, NULL, SMALL, F, &a), -EINVAL);
	expect("refused: shared",
	       sysmem_alloc(e, buf, SMALL, F |
			    D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE |
			    D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED |
			    D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING, &a),
	       -EINVAL);
	expect("refused: unmapped memory", sysmem_alloc(e, gone, SMALL, F, &a),
	       -EFAULT);
	mprotect(buf, SMALL, PROT_READ);
	expect("refused: read-only memory", sysmem_alloc(e, buf, SMALL, F, &a),
	       -EFAULT);
	check("refused: nothing left on the host",
	      host_stat("dxg_host_objects") == objs, "%ld -> %ld", objs,
	      host_stat("dxg_host_objects"));
	check("refused: nothing left pinned", vm_lck_kib() == 0, "VmLck %ld kB",
	      vm_lck_kib());
	munmap(buf, SMALL);
}

static void test_in_place(struct env *e, d3dkmthandle ctx, struct cmdbuf *pg,
			  d3dkmthandle fence, uint64_t *fv)
{
	const uint32_t F = D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM;
	uint8_t *buf = pages(SMALL);
	struct dxg_enc enc;
	d3dkmthandle a;
	uint64_t va;
	pid_t pid;
	int st;

	long pins0 = pins_held();

	memset(buf, 0x5a, SMALL);
	if (sysmem_alloc(e, buf, SMALL, F, &a) || map_va(e, pg->pq, a, SMALL / PAGE, &va)) {
		fail("in place: create and map", "%s", strerror(errno));
		return;
	}
	pass("in place: CreateAllocation over user memory, GPU VA mapped");
	check("in place: pinned pages count in VmLck", vm_lck_kib() == SMALL / 1024,
	      "VmLck %ld kB", vm_lck_kib());
	buf[0] = 0x11;
	buf[SMALL - 1] = 0x22;
	memset(pg->cpu + 2048, 0, 64);
	dxg_enc_init(&enc, pg->cpu, 1024, NULL, NULL);
	dxg_enc_copy(&enc, va, pg->va + 2048, 16);
	dxg_enc_copy(&enc, va + SMALL - 16, pg->va + 2064, 16);
	dxg_enc_fill(&enc, va + PAGE, PAGE, 0xc3c3c3c3u);
	expect("in place: copy from it, fill into it", run(e, ctx, pg, &enc, fence, fv), 0);
	check("in place: the GPU read what the CPU wrote",
	      pg->cpu[2048] == 0x11 && pg->cpu[2049] == 0x5a &&
	      pg->cpu[2079] == 0x22, "%02x %02x %02x", pg->cpu[2048],
	      pg->cpu[2049], pg->cpu[2079]);
	check("in place: the CPU sees what the GPU wrote (no copy back)",
	      buf[PAGE] == 0xc3 && buf[2 * PAGE - 1] == 0xc3 &&
	      buf[2 * PAGE] == 0x5a, "%02x %02x %02x", buf[PAGE],
	      buf[2 * PAGE - 1], buf[2 * PAGE]);

	/* fork: the child writes its own copy; the GPU keeps the parent's. */
	pid = fork();
	if (pid == 0) {
		memset(buf, 0xee, SMALL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	buf[1] = 0x33;
	dxg_enc_init(&enc, pg->cpu, 1024, NULL, NULL);
	dxg_enc_copy(&enc, va, pg->va + 2048, 16);
	expect("fork: copy after the child wrote", run(e, ctx, pg, &enc, fence, fv), 0);
	check("fork: the GPU sees the parent's pages, not the child's",
	      pg->cpu[2048] == 0x11 && pg->cpu[2049] == 0x33 &&
	      pg->cpu[2050] == 0x5a, "%02x %02x %02x", pg->cpu[2048],
	      pg->cpu[2049], pg->cpu[2050]);

	expect("in place: destroy", destroy(e, a), 0);
	check("in place: no page left pinned", pins_held() == pins0, "%ld -> %ld",
	      pins0, pins_held());
	check("in place: unpinned after destroy", vm_lck_kib() == 0,
	      "VmLck %ld kB", vm_lck_kib());
	check("in place: the memory is the user's again", buf[0] == 0x11 &&
	      buf[PAGE] == 0xc3, "%02x %02x", buf[0], buf[PAGE]);
	munmap(buf, SMALL);
}

static void test_big(struct env *e, d3dkmthandle ctx, struct cmdbuf *pg,
		     d3dkmthandle fence, uint64_t *fv)
{
	uint8_t *buf = pages(BIG);
	struct dxg_enc enc;
	d3dkmthandle a;
	uint64_t va;

	if (!buf) {
		fail("two messages", "mmap: %s", strerror(errno));
		return;
	}
	for (uint64_t i = 0; i < BIG; i += PAGE)
		buf[i] = (uint8_t)(i / PAGE);
	if (sysmem_alloc(e, buf, BIG, D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM, &a) ||
	    map_va(e, pg->pq, a, BIG / PAGE, &va)) {
		fail("two messages: create and map", "%s", strerror(errno));
		munmap(buf, BIG);
		return;
	}
	memset(pg->cpu + 2048, 0, 64);
	dxg_enc_init(&enc, pg->cpu, 1024, NULL, NULL);
	dxg_enc_copy(&enc, va + 15866ull * PAGE, pg->va + 2048, 1);
	dxg_enc_copy(&enc, va + 15867ull * PAGE, pg->va + 2049, 1);
	dxg_enc_copy(&enc, va + BIG - PAGE, pg->va + 2050, 1);
	expect("two messages: copies", run(e, ctx, pg, &enc, fence, fv), 0);
	check("two messages: every page where it belongs",
	      pg->cpu[2048] == (uint8_t)15866 && pg->cpu[2049] == (uint8_t)15867 &&
	      pg->cpu[2050] == (uint8_t)(BIG / PAGE - 1), "%02x %02x %02x",
	      pg->cpu[2048], pg->cpu[2049], pg->cpu[2050]);
	expect("two messages: destroy", destroy(e, a), 0);
	munmap(buf, BIG);
}

/* A child that dies holding one: the host drops it with the process. */
static void test_death(void)
{
	long objs = host_stat("dxg_host_objects"), pins = pins_held();
	pid_t pid = fork();
	int st = -1;

	if (pid == 0) {
		struct env c;
		uint8_t *buf = pages(SMALL);
		d3dkmthandle a;

		if (env_open(&c) || sysmem_alloc(&c, buf, SMALL,
				D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM, &a))
			_exit(2);
		_exit(0);	/* without destroying anything */
	}
	waitpid(pid, &st, 0);
	check("death: the child made one", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status 0x%x", st);
	check("death: nothing of it left on the host",
	      host_stat("dxg_host_objects") == objs, "%ld -> %ld", objs,
	      host_stat("dxg_host_objects"));
	check("death: its pages unpinned", pins >= 0 && pins_held() == pins,
	      "%ld -> %ld pinned", pins, pins_held());
}

int main(int argc, char **argv)
{
	struct env e;
	struct cmdbuf pg;
	d3dkmthandle ctx = 0, fence = 0;
	uint64_t fv = 0;

	if (env_open(&e)) {
		fail("open", "no /dev/dxg adapter: %s", strerror(errno));
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--unsupported")) {
		test_unsupported(&e);
	} else if (context(&e, &ctx) || cmdbuf_make(&e, &pg) ||
		   fence_create(&e, e.device, 0, &fence, NULL)) {
		fail("setup", "%s", strerror(errno));
	} else {
		test_refused(&e);
		test_in_place(&e, ctx, &pg, fence, &fv);
		test_big(&e, ctx, &pg, fence, &fv);
		test_death();
	}
	close(e.fd);
	printf("%s test_dxg_sysmem: %d failure(s)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
