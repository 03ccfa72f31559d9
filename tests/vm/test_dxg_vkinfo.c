// SPDX-License-Identifier: MIT
/*
 * The host's Vulkan device as a guest Vulkan driver sees it: QueryAdapterInfo
 * (KMTQAITYPE_UMDRIVERPRIVATE) with a struct dxg_vkinfo request, through the
 * real driver and dxghost.  The device's name must be the adapter's driver
 * description (the host names a Vulkan adapter after its device), its
 * structures complete and pointer-free, its extensions all reachable page by
 * page; bad requests are refused with the errno the NTSTATUS maps to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dxg/protocol.h"
#include "dxg/vkinfo.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

static int query(int fd, d3dkmthandle adapter, uint32_t type, void *buf,
		 uint32_t size)
{
	struct d3dkmt_queryadapterinfo q = {
		.adapter = adapter,
		.type = type,
		.private_data = (uintptr_t)buf,
		.private_data_size = size,
	};

	return xioctl(fd, LX_DXQUERYADAPTERINFO, &q);
}

static void ask(struct dxg_vkinfo *q, uint32_t what, uint32_t first)
{
	memset(q, 0, sizeof(*q));
	q->hdr.magic = DXG_VKINFO_MAGIC;
	q->hdr.version = DXG_VKINFO_VERSION;
	q->hdr.what = what;
	q->hdr.first = first;
}

int main(void)
{
	struct d3dkmt_driver_description *desc = calloc(1, sizeof(*desc));
	struct dxg_vkinfo *q = calloc(1, sizeof(*q));
	char name[D3DKMT_DRIVER_DESCRIPTION_LENGTH + 1];
	uint32_t got = 0, total = 0, i;
	int compute = 0, have_maint4 = 0;
	struct env e;

	if (!desc || !q || env_open(&e)) {
		fail("setup", "no /dev/dxg device: %s", strerror(errno));
		return 1;
	}
	pass("setup");
	expect("QueryAdapterInfo DRIVER_DESCRIPTION",
	       query(e.fd, e.adapter, KMTQAITYPE_DRIVER_DESCRIPTION, desc,
		     sizeof(*desc)), 0);
	for (i = 0; i < D3DKMT_DRIVER_DESCRIPTION_LENGTH && desc->driver_description[i]; i++)
		name[i] = (char)desc->driver_description[i];	/* ASCII names */
	name[i] = '\0';

	ask(q, DXG_VKINFO_DEVICE, 0);
	expect("QueryAdapterInfo UMDRIVERPRIVATE device",
	       query(e.fd, e.adapter, KMTQAITYPE_UMDRIVERPRIVATE, q,
		     DXG_VKINFO_SIZE), 0);
	check("the device is the host's, by name",
	      !strcmp(q->u.device.properties.deviceName, name),
	      "'%s' vs adapter '%s'", q->u.device.properties.deviceName, name);
	printf("# host device: %s, Vulkan %u.%u.%u, subgroup %u\n",
	       q->u.device.properties.deviceName,
	       VK_API_VERSION_MAJOR(q->u.device.properties.apiVersion),
	       VK_API_VERSION_MINOR(q->u.device.properties.apiVersion),
	       VK_API_VERSION_PATCH(q->u.device.properties.apiVersion),
	       q->u.device.properties11.subgroupSize);
	check("limits are real", q->u.device.properties.limits.maxComputeWorkGroupInvocations >= 128 &&
	      q->u.device.properties.limits.maxStorageBufferRange >= (1u << 27),
	      "invocations %u", q->u.device.properties.limits.maxComputeWorkGroupInvocations);
	for (i = 0; i < q->u.device.queue_family_count && i < DXG_VKINFO_MAX_QUEUE_FAMILIES; i++)
		compute |= !!(q->u.device.queue_families[i].queueFlags & VK_QUEUE_COMPUTE_BIT);
	check("a compute queue family", compute, "none of %u families",
	      q->u.device.queue_family_count);
	check("no host pointer crosses (pNext zero)",
	      !q->u.device.properties11.pNext && !q->u.device.properties12.pNext &&
	      !q->u.device.properties13.pNext && !q->u.device.features11.pNext &&
	      !q->u.device.features12.pNext && !q->u.device.features13.pNext,
	      "a pNext is set");

	do {
		ask(q, DXG_VKINFO_EXTENSIONS, got);
		if (query(e.fd, e.adapter, KMTQAITYPE_UMDRIVERPRIVATE, q,
			  DXG_VKINFO_SIZE) || !q->hdr.count)
			break;
		total = q->hdr.total;
		for (i = 0; i < q->hdr.count; i++)
			have_maint4 |= !strcmp(q->u.extensions[i].extensionName,
					       "VK_KHR_maintenance4");
		got += q->hdr.count;
	} while (got < total);
	check("every device extension, page by page", total > 0 && got == total,
	      "%u of %u", got, total);
	printf("# %u device extensions%s\n", total,
	       have_maint4 ? ", VK_KHR_maintenance4 among them" : "");

	ask(q, DXG_VKINFO_DEVICE, 0);
	q->hdr.magic = 0;
	expect("a request without the magic -> EINVAL",
	       query(e.fd, e.adapter, KMTQAITYPE_UMDRIVERPRIVATE, q,
		     DXG_VKINFO_SIZE), -EINVAL);
	ask(q, DXG_VKINFO_DEVICE, 0);
	check("a buffer one byte short is refused",
	      query(e.fd, e.adapter, KMTQAITYPE_UMDRIVERPRIVATE, q,
		    DXG_VKINFO_SIZE - 1) < 0, "accepted");
	close(e.fd);
	free(q);
	free(desc);
	return failures ? 1 : 0;
}
