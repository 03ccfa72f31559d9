// SPDX-License-Identifier: MIT
/*
 * What a guest Vulkan driver reports is the host device's truth: this file
 * copies it out of the physical device into the format of
 * include/dxg/vkinfo.h.  Structures newer than the device's API version
 * stay zero (absent), and no pointer leaves the host (pNext zeroed).
 */
#include "engines/vulkan/vk_info.h"

#include <stdlib.h>
#include <string.h>

#include "dxg/ntstatus.h"
#include "engines/vulkan/vk_device.h"

static void fill_device(const struct dxg_vk_device *d,
			struct dxg_vkinfo_device *out)
{
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
	};
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
	};
	uint32_t api, n = DXG_VKINFO_MAX_QUEUE_FAMILIES;

	memset(out, 0, sizeof(*out));
	vkGetPhysicalDeviceProperties(d->phys, &out->properties);
	api = out->properties.apiVersion;
	/* Chain what the device's version has: 1.2 brings 11 and 12, 1.3 13. */
	if (VK_API_VERSION_MINOR(api) >= 2 || VK_API_VERSION_MAJOR(api) > 1) {
		out->properties11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_PROPERTIES;
		out->properties12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES;
		out->features11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
		out->features12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
		p2.pNext = &out->properties11;
		out->properties11.pNext = &out->properties12;
		f2.pNext = &out->features11;
		out->features11.pNext = &out->features12;
	}
	if (VK_API_VERSION_MINOR(api) >= 3 || VK_API_VERSION_MAJOR(api) > 1) {
		out->properties13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_PROPERTIES;
		out->features13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
		out->properties12.pNext = &out->properties13;
		out->features12.pNext = &out->features13;
	}
	vkGetPhysicalDeviceProperties2(d->phys, &p2);
	vkGetPhysicalDeviceFeatures2(d->phys, &f2);
	out->features = f2.features;
	out->properties11.pNext = NULL;
	out->properties12.pNext = NULL;
	out->properties13.pNext = NULL;
	out->features11.pNext = NULL;
	out->features12.pNext = NULL;
	out->features13.pNext = NULL;
	vkGetPhysicalDeviceMemoryProperties(d->phys, &out->memory);
	vkGetPhysicalDeviceQueueFamilyProperties(d->phys, &n,
						 out->queue_families);
	out->queue_family_count = n;
}

static int32_t fill_extensions(const struct dxg_vk_device *d,
			       struct dxg_vkinfo *q)
{
	VkExtensionProperties *all;
	uint32_t n = 0;

	if (vkEnumerateDeviceExtensionProperties(d->phys, NULL, &n, NULL) !=
	    VK_SUCCESS)
		return STATUS_UNSUCCESSFUL;
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return STATUS_NO_MEMORY;
	if (vkEnumerateDeviceExtensionProperties(d->phys, NULL, &n, all) <
	    VK_SUCCESS) {
		free(all);
		return STATUS_UNSUCCESSFUL;
	}
	q->hdr.total = n;
	q->hdr.count = 0;
	if (q->hdr.first < n) {
		q->hdr.count = n - q->hdr.first;
		if (q->hdr.count > DXG_VKINFO_EXTENSIONS_PER_QUERY)
			q->hdr.count = DXG_VKINFO_EXTENSIONS_PER_QUERY;
		memcpy(q->u.extensions, all + q->hdr.first,
		       q->hdr.count * sizeof(*all));
	}
	free(all);
	return STATUS_SUCCESS;
}

static void fill_formats(const struct dxg_vk_device *d, struct dxg_vkinfo *q)
{
	q->hdr.total = DXG_TEXEL_FORMAT_END;
	q->hdr.count = 0;
	if (q->hdr.first >= DXG_TEXEL_FORMAT_END)
		return;
	q->hdr.count = DXG_TEXEL_FORMAT_END - q->hdr.first;
	if (q->hdr.count > DXG_VKINFO_FORMATS_PER_QUERY)
		q->hdr.count = DXG_VKINFO_FORMATS_PER_QUERY;
	for (uint32_t i = 0; i < q->hdr.count; i++) {
		const struct dxg_vk_image_caps *c = &d->image_caps[q->hdr.first + i];

		q->u.formats[i] = (struct dxg_vkinfo_format) {
			.buffer_features = d->texel_features[q->hdr.first + i],
			.image_features = c->features,
			.max_width = c->features ? c->max_width : 0,
			.max_height = c->features ? c->max_height : 0,
		};
	}
}

int32_t dxg_vk_info_query(const struct dxg_vk_device *d, struct dxg_vkinfo *q)
{
	memset(&q->u, 0, sizeof(q->u));
	switch (q->hdr.what) {
	case DXG_VKINFO_DEVICE:
		q->hdr.count = 0;
		q->hdr.total = 0;
		fill_device(d, &q->u.device);
		return STATUS_SUCCESS;
	case DXG_VKINFO_EXTENSIONS:
		return fill_extensions(d, q);
	case DXG_VKINFO_FORMATS:
		fill_formats(d, q);
		return STATUS_SUCCESS;
	default:
		return STATUS_INVALID_PARAMETER;
	}
}
