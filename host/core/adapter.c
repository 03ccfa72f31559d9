// SPDX-License-Identifier: MIT
#include "core/adapter.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dxg/ntstatus.h"
#include "dxg/vkinfo.h"
#include "engines/vulkan/vk_device.h"
#include "engines/vulkan/vk_info.h"

struct adapter_kind {
	const char *name;
	const char *description;
	uint32_t vendor_id, device_id, flags, node_count;
	bool software;
};

static const struct adapter_kind kinds[] = {
	{ "cpu", DXG_CPU_DESCRIPTION, DXG_CPU_VENDOR_ID, DXG_CPU_DEVICE_ID, 0, 1, true },
};

const char *dxg_adapter_kinds(void)
{
	return "cpu, vulkan[:INDEX|:NAME]";
}

/*
 * A Vulkan physical device as an adapter.  It stays a render adapter (flags
 * 0, not compute-only) even though the backend only computes: EnumAdapters2
 * lists render adapters only, and guest runtimes look there.
 */
static int vulkan_kind(const char *sel, struct adapter_kind *k, char *desc,
		       size_t desc_len, int32_t *vk_index)
{
	struct dxg_vk_info list[16];
	int32_t n = dxg_vk_enumerate(list, 16), idx;

	if (n <= 0)
		return -ENODEV;
	idx = dxg_vk_select(list, n > 16 ? 16 : (uint32_t)n, sel);
	if (idx < 0)
		return -ENODEV;
	if (!list[idx].host_import || !list[idx].compute_queue ||
	    list[idx].api_version < VK_API_VERSION_1_1)
		return -ENOTSUP;
	snprintf(desc, desc_len, "%s", list[idx].name);
	*k = (struct adapter_kind) {
		.name = "vulkan",
		.description = desc,
		.vendor_id = list[idx].vendor_id,
		.device_id = list[idx].device_id,
		.node_count = 1,
		.software = list[idx].type == VK_PHYSICAL_DEVICE_TYPE_CPU,
	};
	*vk_index = idx;
	return 0;
}

void dxg_adapters_init(struct dxg_adapters *a, uint32_t luid_high)
{
	memset(a, 0, sizeof(*a));
	a->luid_high = luid_high;
}

/* "KIND,compute-only": a compute-only adapter (EnumAdapters2 hides it). */
static const char compute_only_suffix[] = ",compute-only";

int dxg_adapters_add(struct dxg_adapters *a, const char *arg)
{
	const size_t sl = sizeof(compute_only_suffix) - 1, len = strlen(arg);
	const bool compute_only = len > sl &&
				  !strcmp(arg + len - sl, compute_only_suffix);
	const struct adapter_kind *k = NULL;
	struct adapter_kind vk;
	char vk_desc[DXG_ADAPTER_DESC_MAX], spec[256];
	int32_t vk_index = -1;
	struct dxg_adapter *ad;
	int ret;

	if (len - (compute_only ? sl : 0) >= sizeof(spec))
		return -EINVAL;
	memcpy(spec, arg, len - (compute_only ? sl : 0));
	spec[len - (compute_only ? sl : 0)] = '\0';
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(spec, kinds[i].name))
			k = &kinds[i];
	if (!k && (!strcmp(spec, "vulkan") || !strncmp(spec, "vulkan:", 7))) {
		if (a->count >= DXG_IVSHMEM_MAX_ADAPTERS)
			return -ENOSPC;
		ret = vulkan_kind(spec[6] ? spec + 7 : NULL, &vk, vk_desc,
				  sizeof(vk_desc), &vk_index);
		if (ret)
			return ret;
		k = &vk;
	}
	if (!k)
		return -EINVAL;
	if (a->count >= DXG_IVSHMEM_MAX_ADAPTERS)
		return -ENOSPC;
	ad = &a->list[a->count];
	ad->index = a->count;
	ad->kind = k->name;
	snprintf(ad->description, sizeof(ad->description), "%s", k->description);
	ad->software = k->software;
	ad->vk_index = vk_index;
	ad->luid.a = a->count + 1;
	ad->luid.b = a->luid_high;
	ad->vgpu_luid.a = DXG_VGPU_LUID_BASE + a->count;
	ad->vgpu_luid.b = a->luid_high;
	ad->flags = k->flags | (compute_only ? DXG_ADAPTER_FLAG_COMPUTE_ONLY : 0);
	ad->vendor_id = k->vendor_id;
	ad->device_id = k->device_id;
	ad->node_count = k->node_count;
	a->count++;
	return 0;
}

int32_t dxg_adapters_open(struct dxg_adapters *a, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < a->count; i++) {
		struct dxg_adapter *ad = &a->list[i];
		char sel[16];
		int32_t st;

		if (ad->vk_index < 0 || ad->vk)
			continue;
		snprintf(sel, sizeof(sel), "%d", ad->vk_index);
		st = dxg_vk_device_open(sel, a->device_address ?
					DXG_VK_OPEN_DEVICE_ADDRESS : 0,
					&ad->vk, err, errlen);
		if (st < 0)
			return st;
	}
	return 0;
}

void dxg_adapters_forget_vm(const struct dxg_adapters *a, unsigned int vm_id)
{
	for (uint32_t i = 0; i < a->count; i++)
		if (a->list[i].vk)
			dxg_vk_pcache_drop(&a->list[i].vk->pcache, a->list[i].vk, vm_id);
}

bool dxg_adapter_device_address(const struct dxg_adapter *ad)
{
	return ad->vk && ad->vk->device_address;
}

void dxg_adapters_close(struct dxg_adapters *a)
{
	for (uint32_t i = 0; i < a->count; i++) {
		dxg_vk_device_close(a->list[i].vk);
		a->list[i].vk = NULL;
	}
}

const struct dxg_adapter *dxg_adapter_by_vgpu(const struct dxg_adapters *a,
					      struct winluid vgpu_luid)
{
	for (uint32_t i = 0; i < a->count; i++)
		if (a->list[i].vgpu_luid.a == vgpu_luid.a &&
		    a->list[i].vgpu_luid.b == vgpu_luid.b)
			return &a->list[i];
	return NULL;
}

void dxg_adapters_to_control(const struct dxg_adapters *a,
			     struct dxg_ivshmem_control *ctl)
{
	memset(ctl->adapters, 0, sizeof(ctl->adapters));
	for (uint32_t i = 0; i < a->count; i++) {
		struct dxg_ivshmem_adapter *e = &ctl->adapters[i];

		e->luid = a->list[i].luid;
		e->vgpu_luid = a->list[i].vgpu_luid;
		e->flags = a->list[i].flags;
		e->vendor_id = a->list[i].vendor_id;
		e->device_id = a->list[i].device_id;
	}
	ctl->adapter_count = a->count;
}

void dxg_utf16_copy(uint16_t *dst, uint32_t n, const char *src)
{
	uint32_t i = 0;

	if (!n)
		return;
	for (; i + 1 < n && src[i]; i++)
		dst[i] = (uint8_t)src[i];
	dst[i] = 0;
}

/* ---- QUERYADAPTERINFO answers, one small function per query type ---- */

static int32_t q_adaptertype(const struct dxg_adapter *ad, void *buf)
{
	const uint32_t sw = ad->software ? D3DKMT_ADAPTERTYPE_SOFTWARE_DEVICE : 0;
	struct d3dkmt_adaptertype t = {
		.value = D3DKMT_ADAPTERTYPE_RENDER_SUPPORTED | sw,
	};

	if (ad->flags & DXG_ADAPTER_FLAG_COMPUTE_ONLY)
		t.value = D3DKMT_ADAPTERTYPE_COMPUTE_ONLY | sw;
	memcpy(buf, &t, sizeof(t));
	return STATUS_SUCCESS;
}

static int32_t q_driverversion(const struct dxg_adapter *ad, void *buf)
{
	__u32 v = KMT_DRIVERVERSION_WDDM_2_7;

	(void)ad;
	memcpy(buf, &v, sizeof(v));
	return STATUS_SUCCESS;
}

static int32_t q_wddm27caps(const struct dxg_adapter *ad, void *buf)
{
	/*
	 * Hardware queues (CREATEHWQUEUE, progress fences) are the hardware
	 * scheduling model's interface, and every adapter offers them: the
	 * queues are dxghost's (core/scheduler.c), as a GPU scheduler's are
	 * the GPU's.
	 */
	struct d3dkmt_wddm_2_7_caps c = {
		.value = D3DKMT_WDDM_2_7_CAPS_HW_SCH_SUPPORTED |
			 D3DKMT_WDDM_2_7_CAPS_HW_SCH_ENABLED |
			 D3DKMT_WDDM_2_7_CAPS_HW_SCH_ENABLED_BY_DEFAULT,
	};

	(void)ad;
	memcpy(buf, &c, sizeof(c));
	return STATUS_SUCCESS;
}

static int32_t q_physcount(const struct dxg_adapter *ad, void *buf)
{
	struct d3dkmt_physical_adapter_count c = { .count = 1 };

	(void)ad;
	memcpy(buf, &c, sizeof(c));
	return STATUS_SUCCESS;
}

static int32_t q_deviceids(const struct dxg_adapter *ad, void *buf)
{
	struct d3dkmt_query_device_ids q;

	memcpy(&q, buf, sizeof(q));
	if (q.physical_adapter_index != 0)
		return STATUS_INVALID_PARAMETER;
	memset(&q.device_ids, 0, sizeof(q.device_ids));
	q.device_ids.vendor_id = ad->vendor_id;
	q.device_ids.device_id = ad->device_id;
	memcpy(buf, &q, sizeof(q));
	return STATUS_SUCCESS;
}

static int32_t q_description(const struct dxg_adapter *ad, void *buf)
{
	/* Large (8 KiB): write in place, no stack copy. */
	memset(buf, 0, sizeof(struct d3dkmt_driver_description));
	dxg_utf16_copy(buf, D3DKMT_DRIVER_DESCRIPTION_LENGTH, ad->description);
	return STATUS_SUCCESS;
}

static int32_t q_umdrivername(const struct dxg_adapter *ad, void *buf)
{
	struct d3dkmt_umdfilenameinfo u;

	(void)ad;
	memcpy(&u, buf, sizeof(u));
	if (u.version >= NUM_KMTUMDVERSIONS)
		return STATUS_INVALID_PARAMETER;
	/* The CPU engine has no user-mode driver: an empty name. */
	memset(u.umd_file_name, 0, sizeof(u.umd_file_name));
	memcpy(buf, &u, sizeof(u));
	return STATUS_SUCCESS;
}

/*
 * The Vulkan device's description for a guest Vulkan driver
 * (include/dxg/vkinfo.h); the request header is the guest's: checked here.
 */
static int32_t q_umdriverprivate(const struct dxg_adapter *ad, void *buf)
{
	struct dxg_vkinfo *q = buf;

	if (q->hdr.magic != DXG_VKINFO_MAGIC ||
	    q->hdr.version != DXG_VKINFO_VERSION || q->hdr.reserved)
		return STATUS_INVALID_PARAMETER;
	return dxg_vk_info_query(ad->vk, q);
}

static bool has_vulkan(const struct dxg_adapter *ad)
{
	return ad->vk != NULL;	/* the cpu adapter has no Vulkan device */
}

struct query_entry {
	uint32_t type;
	uint32_t size;	/* the answer's structure; smaller buffers fail */
	int32_t (*fill)(const struct dxg_adapter *ad, void *buf);
	/* NULL, or whether this adapter answers the query at all. */
	bool (*has)(const struct dxg_adapter *ad);
};

#define QUERY(t, s, f)		{ .type = (t), .size = (s), .fill = (f) }
#define QUERY_IF(t, s, f, h)	{ .type = (t), .size = (s), .fill = (f), .has = (h) }

static const struct query_entry queries[] = {
	QUERY(KMTQAITYPE_ADAPTERTYPE, sizeof(struct d3dkmt_adaptertype), q_adaptertype),
	QUERY(KMTQAITYPE_ADAPTERTYPE_RENDER, sizeof(struct d3dkmt_adaptertype), q_adaptertype),
	QUERY(KMTQAITYPE_DRIVERVERSION, sizeof(__u32), q_driverversion),
	QUERY(KMTQAITYPE_DRIVERVERSION_RENDER, sizeof(__u32), q_driverversion),
	QUERY(KMTQAITYPE_WDDM_2_7_CAPS, sizeof(struct d3dkmt_wddm_2_7_caps), q_wddm27caps),
	QUERY(KMTQAITYPE_PHYSICALADAPTERCOUNT, sizeof(struct d3dkmt_physical_adapter_count), q_physcount),
	QUERY(KMTQAITYPE_PHYSICALADAPTERDEVICEIDS, sizeof(struct d3dkmt_query_device_ids), q_deviceids),
	QUERY(KMTQAITYPE_DRIVER_DESCRIPTION, sizeof(struct d3dkmt_driver_description), q_description),
	QUERY(KMTQAITYPE_DRIVER_DESCRIPTION_RENDER, sizeof(struct d3dkmt_driver_description), q_description),
	QUERY(KMTQAITYPE_UMDRIVERNAME, sizeof(struct d3dkmt_umdfilenameinfo), q_umdrivername),
	QUERY_IF(KMTQAITYPE_UMDRIVERPRIVATE, DXG_VKINFO_SIZE, q_umdriverprivate, has_vulkan),
};

int32_t dxg_adapter_query(const struct dxg_adapter *ad, uint32_t type,
			  void *buf, uint32_t size)
{
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		if (queries[i].type != type)
			continue;
		if (queries[i].has && !queries[i].has(ad))
			return STATUS_NOT_SUPPORTED;
		if (size < queries[i].size)
			return STATUS_BUFFER_TOO_SMALL;
		return queries[i].fill(ad, buf);
	}
	return STATUS_NOT_SUPPORTED;
}

long dxg_adapter_vk_objects(const struct dxg_adapter *ad)
{
	return ad->vk ? atomic_load_explicit(&ad->vk->objects,
					     memory_order_relaxed) : -1;
}
