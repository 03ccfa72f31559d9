// SPDX-License-Identifier: MIT
/*
 * Raw-ioctl tests of D3DKMTEscape (LX_DXESCAPE) on /dev/dxg, run inside a
 * guest with dxgkrnl.ko loaded and a dxghost attached whose first adapter
 * is the default one (Vulkan on lavapipe): the pipeline escapes of the open
 * command stream (docs/command-stream.md §6) with good and bad input.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dxg/cmdstream.h"
#include "uapi/misc/d3dkmthk.h"

#include "saxpy_spv.h"
#include "vmtest.h"

struct env {
	int fd;
	d3dkmthandle adapter, device, device2, context2;
};

static int env_open(struct env *e)
{
	struct d3dkmt_adapterinfo info[D3DKMT_ADAPTERS_MAX];
	struct d3dkmt_enumadapters2 en = {
		.num_adapters = D3DKMT_ADAPTERS_MAX,
		.adapters = (uintptr_t)info,
	};
	struct d3dkmt_createdevice cd = { 0 };
	struct d3dkmt_createcontextvirtual cc = { 0 };

	memset(e, 0, sizeof(*e));
	e->fd = open("/dev/dxg", O_RDWR | O_CLOEXEC);
	if (e->fd < 0 || xioctl(e->fd, LX_DXENUMADAPTERS2, &en) || !en.num_adapters)
		return -1;
	e->adapter = info[0].adapter_handle;
	cd.adapter = e->adapter;
	if (xioctl(e->fd, LX_DXCREATEDEVICE, &cd))
		return -1;
	e->device = cd.device;
	if (xioctl(e->fd, LX_DXCREATEDEVICE, &cd))
		return -1;
	e->device2 = cd.device;
	cc.device = e->device2;
	if (xioctl(e->fd, LX_DXCREATECONTEXTVIRTUAL, &cc))
		return -1;
	e->context2 = cc.context;
	return 0;
}

static int escape(struct env *e, d3dkmthandle dev, d3dkmthandle ctx,
		  void *data, uint32_t size)
{
	struct d3dkmt_escape a = {
		.adapter = e->adapter,
		.device = dev,
		.type = D3DKMT_ESCAPE_DRIVERPRIVATE,
		.priv_drv_data = (uintptr_t)data,
		.priv_drv_data_size = size,
		.context = ctx,
	};

	return xioctl(e->fd, LX_DXESCAPE, &a);
}

/* saxpy's CREATE_PIPELINE; returns the escape's result, *id the pipeline. */
static int create(struct env *e, d3dkmthandle dev, d3dkmthandle ctx,
		  uint32_t trim, uint64_t *id)
{
	uint32_t size = (uint32_t)(sizeof(struct dxg_escape_create_pipeline) +
				   sizeof(saxpy_spv));
	struct dxg_escape_create_pipeline k = {
		.op = DXG_ESCAPE_CREATE_PIPELINE, .entry = "main",
		.num_bindings = 2, .push_size = 8,
		.spirv_size = (uint32_t)sizeof(saxpy_spv),
	};
	uint8_t *p = malloc(size);
	int r;

	if (!p)
		return -ENOMEM;
	memcpy(p, &k, sizeof(k));
	memcpy(p + sizeof(k), saxpy_spv, sizeof(saxpy_spv));
	r = escape(e, dev, ctx, p, size - trim);
	memcpy(id, p + offsetof(struct dxg_escape_create_pipeline, pipeline),
	       sizeof(*id));
	free(p);
	return r;
}

static int destroy(struct env *e, d3dkmthandle dev, uint64_t id)
{
	struct dxg_escape_destroy_pipeline k = { DXG_ESCAPE_DESTROY_PIPELINE, 0, id };

	return escape(e, dev, 0, &k, sizeof(k));
}

static void test_bad(struct env *e)
{
	struct dxg_escape_destroy_pipeline k = { DXG_ESCAPE_DESTROY_PIPELINE, 0, 1 };
	struct d3dkmt_escape a = {
		.adapter = e->adapter, .device = e->device,
		.type = D3DKMT_ESCAPE_DRIVERPRIVATE,
		.priv_drv_data = (uintptr_t)&k, .priv_drv_data_size = sizeof(k),
	};
	struct d3dkmt_escape b;
	uint32_t op = 77;
	uint64_t id;
	uint8_t *big;

	b = a;
	b.priv_drv_data_size = 0;
	expect("Escape size 0 -> EINVAL", xioctl(e->fd, LX_DXESCAPE, &b), -EINVAL);
	big = calloc(1, 129 * 1024);
	b = a;
	b.priv_drv_data = (uintptr_t)big;
	b.priv_drv_data_size = 129 * 1024;
	expect("Escape 129 KiB -> EINVAL", xioctl(e->fd, LX_DXESCAPE, &b), -EINVAL);
	b.priv_drv_data_size = 0xffffffffu;
	expect("Escape 4 GiB -> EINVAL", xioctl(e->fd, LX_DXESCAPE, &b), -EINVAL);
	free(big);
	b = a;
	b.priv_drv_data = 16;
	expect("Escape bad pointer -> EFAULT", xioctl(e->fd, LX_DXESCAPE, &b), -EFAULT);
	b = a;
	b.adapter = 0x40000fc0u;
	expect("Escape bad adapter -> EINVAL", xioctl(e->fd, LX_DXESCAPE, &b), -EINVAL);
	b = a;
	b.device = e->adapter;		/* a handle of another type */
	expect("Escape bad device -> EINVAL", xioctl(e->fd, LX_DXESCAPE, &b), -EINVAL);
	b = a;
	b.context = e->context2;	/* a context of another device */
	expect("Escape context of another device -> EINVAL",
	       xioctl(e->fd, LX_DXESCAPE, &b), -EINVAL);
	b = a;
	b.type = D3DKMT_ESCAPE_VIDMM;
	expect("Escape other type -> EPERM (not supported)",
	       xioctl(e->fd, LX_DXESCAPE, &b), host_escape_err(-EPERM));
	b = a;
	b.device = 0;
	expect("Escape without a device -> EBADF", xioctl(e->fd, LX_DXESCAPE, &b),
	       host_escape_err(-EBADF));
	expect("Escape unknown op -> EPERM", escape(e, e->device, 0, &op, sizeof(op)),
	       host_escape_err(-EPERM));
	id = 1;
	expect("Escape truncated CREATE_PIPELINE -> EINVAL",
	       create(e, e->device, 0, 4, &id), host_escape_err(-EINVAL));
	expect("Escape truncated CREATE_PIPELINE returns no pipeline", id == 0, 1);
	expect("Escape DESTROY_PIPELINE of no pipeline -> EINVAL",
	       destroy(e, e->device, 12345), host_escape_err(-EINVAL));
}

int main(void)
{
	struct env e;
	uint64_t id = 0, id2 = 0, id3 = 0;
	struct d3dkmt_destroydevice dd = { 0 };

	if (env_open(&e)) {
		printf("FAIL escape setup: %s\n", strerror(errno));
		return 1;
	}
	expect("Escape CREATE_PIPELINE", create(&e, e.device, 0, 0, &id), 0);
	expect("Escape CREATE_PIPELINE returns an id", id != 0, 1);
	expect("Escape CREATE_PIPELINE with a context",
	       create(&e, e.device2, e.context2, 0, &id2), 0);
	expect("Escape CREATE_PIPELINE on the second device returns an id", id2 != 0, 1);
	test_bad(&e);
	expect("Escape DESTROY_PIPELINE", destroy(&e, e.device, id), 0);
	expect("Escape DESTROY_PIPELINE twice -> EINVAL", destroy(&e, e.device, id),
	       host_escape_err(-EINVAL));
	expect("Escape works after bad input", create(&e, e.device, 0, 0, &id3), 0);
	/* Devices go with live pipelines: the host destroys them. */
	dd.device = e.device;
	expect("DestroyDevice with a live pipeline",
	       xioctl(e.fd, LX_DXDESTROYDEVICE, &dd), 0);
	expect("Escape on a destroyed device -> EINVAL",
	       create(&e, e.device, 0, 0, &id3), -EINVAL);
	close(e.fd);
	return failures ? 1 : 0;
}
