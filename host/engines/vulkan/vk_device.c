// SPDX-License-Identifier: MIT
/* Vulkan instance, physical device selection and the logical device. */
#include "engines/vulkan/vk_device.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dxg/ntstatus.h"
#include "dxg/vkfeatures.h"
#include "engines/vulkan/vk_devmem.h"
#include "engines/vulkan/vk_image.h"
#include "engines/vulkan/vk_status.h"

#define MAX_DEVICES	32u

static VkResult create_instance(VkInstance *out)
{
	const VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "dxghost",
		.pEngineName = "opendxg",
		/*
		 * 1.1: properties2 and external memory are core there; asking
		 * for 1.3 lets the guest's view (vk_info.c) read the 1.2/1.3
		 * structures of devices that have them.
		 */
		.apiVersion = VK_API_VERSION_1_3,
	};
	const VkInstanceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};

	return vkCreateInstance(&ci, NULL, out);
}

static bool has_extension(VkPhysicalDevice pd, const char *name)
{
	VkExtensionProperties *ext;
	uint32_t n = 0;
	bool found = false;

	if (vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL) != VK_SUCCESS)
		return false;
	ext = calloc(n ? n : 1, sizeof(*ext));
	if (!ext)
		return false;
	if (vkEnumerateDeviceExtensionProperties(pd, NULL, &n, ext) >= 0)
		for (uint32_t i = 0; i < n && !found; i++)
			found = !strcmp(ext[i].extensionName, name);
	free(ext);
	return found;
}

/* The queue family to use: compute without graphics (async compute) first. */
static int compute_family(VkPhysicalDevice pd)
{
	VkQueueFamilyProperties qf[16];
	uint32_t n = 16;
	int any = -1;

	vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, qf);
	for (uint32_t i = 0; i < n; i++) {
		if (!(qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) || !qf[i].queueCount)
			continue;
		if (!(qf[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
			return (int)i;
		if (any < 0)
			any = (int)i;
	}
	return any;
}

static void fill_info(VkPhysicalDevice pd, uint32_t index, struct dxg_vk_info *info)
{
	VkPhysicalDeviceProperties p;

	vkGetPhysicalDeviceProperties(pd, &p);
	memset(info, 0, sizeof(*info));
	info->index = index;
	memcpy(info->name, p.deviceName, sizeof(info->name));
	info->name[sizeof(info->name) - 1] = 0;
	info->type = p.deviceType;
	info->vendor_id = p.vendorID;
	info->device_id = p.deviceID;
	info->api_version = p.apiVersion;
	info->host_import = has_extension(pd, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
	info->compute_queue = compute_family(pd) >= 0;
	strcpy(info->driver, "unknown");
	/* The driver name (e.g. "llvmpipe") is core only from 1.2 on. */
	if (p.apiVersion >= VK_API_VERSION_1_2 ||
	    has_extension(pd, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME)) {
		VkPhysicalDeviceDriverProperties drv = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
		};
		VkPhysicalDeviceProperties2 p2 = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
			.pNext = &drv,
		};

		vkGetPhysicalDeviceProperties2(pd, &p2);
		memcpy(info->driver, drv.driverName, sizeof(info->driver));
		info->driver[sizeof(info->driver) - 1] = 0;
	}
}

/* Fills up to max infos; returns the device count or a negative NTSTATUS. */
static int32_t enumerate(VkInstance inst, VkPhysicalDevice *pds,
			 struct dxg_vk_info *out, uint32_t max)
{
	uint32_t n = MAX_DEVICES;
	VkResult r = vkEnumeratePhysicalDevices(inst, &n, pds);

	if (r < 0)
		return dxg_vk_status(r);
	for (uint32_t i = 0; i < n && i < max; i++)
		fill_info(pds[i], i, &out[i]);
	return (int32_t)n;
}

int32_t dxg_vk_enumerate(struct dxg_vk_info *out, uint32_t max)
{
	VkPhysicalDevice pds[MAX_DEVICES];
	VkInstance inst;
	VkResult r = create_instance(&inst);
	int32_t n;

	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	n = enumerate(inst, pds, out, max);
	vkDestroyInstance(inst, NULL);
	return n;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int32_t dxg_vk_select(const struct dxg_vk_info *list, uint32_t count,
		      const char *sel)
{
	if (!count)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (!sel || !*sel) {
		/* lavapipe: works everywhere, and it is what CI tests. */
		for (uint32_t i = 0; i < count; i++)
			if (list[i].type == VK_PHYSICAL_DEVICE_TYPE_CPU ||
			    !strcmp(list[i].driver, "llvmpipe"))
				return (int32_t)i;
		return 0;
	}
	if (all_digits(sel)) {
		unsigned long v = strlen(sel) < 4 ? strtoul(sel, NULL, 10) : count;

		return v < count ? (int32_t)v : STATUS_OBJECT_NAME_NOT_FOUND;
	}
	for (uint32_t i = 0; i < count; i++)
		if (strcasestr(list[i].name, sel))
			return (int32_t)i;
	return STATUS_OBJECT_NAME_NOT_FOUND;
}

/* What the device can do with each format of the texel table. */
static void read_texel_features(struct dxg_vk_device *d)
{
	for (uint32_t f = 0; f < DXG_TEXEL_FORMAT_END; f++) {
		VkFormatProperties fp;

		d->texel_features[f] = 0;
		if (!dxg_texel_format(f).size)
			continue;
		vkGetPhysicalDeviceFormatProperties(d->phys, (VkFormat)f, &fp);
		d->texel_features[f] = fp.bufferFeatures & DXG_TEXEL_BUFFER_FEATURES;
	}
}

static void read_limits(struct dxg_vk_device *d)
{
	VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
	};
	VkPhysicalDeviceSubgroupSizeControlProperties sg = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES,
	};
	VkPhysicalDeviceMaintenance3Properties m3 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES,
		.pNext = &host,
	};
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
		.pNext = &m3,
	};
	const VkPhysicalDeviceLimits *l = &p2.properties.limits;
	VkQueueFamilyProperties qf[16];
	uint32_t nqf = 16;
	struct dxg_vk_limits *out = &d->limits;

	/* Subgroup size control is core in 1.3 (or an extension we do not use). */
	if (d->info.api_version >= VK_API_VERSION_1_3)
		host.pNext = &sg;
	vkGetPhysicalDeviceProperties2(d->phys, &p2);
	out->min_subgroup_size = sg.minSubgroupSize;
	out->max_subgroup_size = sg.maxSubgroupSize;
	out->max_uniform_buffer_range = l->maxUniformBufferRange;
	out->max_uniform_buffers = l->maxPerStageDescriptorUniformBuffers;
	out->min_uniform_offset_alignment = l->minUniformBufferOffsetAlignment;
	out->max_bound_sets = l->maxBoundDescriptorSets;
	out->min_texel_offset_alignment = l->minTexelBufferOffsetAlignment;
	out->max_texel_elements = l->maxTexelBufferElements;
	out->max_sampled_images = l->maxPerStageDescriptorSampledImages;
	out->max_storage_images = l->maxPerStageDescriptorStorageImages;
	out->max_samplers = l->maxPerStageDescriptorSamplers;
	out->max_sampler_anisotropy = l->maxSamplerAnisotropy;
	out->max_sampler_lod_bias = l->maxSamplerLodBias;
	out->max_storage_buffer_range = l->maxStorageBufferRange;
	memcpy(out->max_group_count, l->maxComputeWorkGroupCount,
	       sizeof(out->max_group_count));
	out->max_push_constants_size = l->maxPushConstantsSize;
	out->max_storage_buffers = l->maxPerStageDescriptorStorageBuffers;
	out->min_import_alignment = host.minImportedHostPointerAlignment;
	out->min_storage_offset_alignment = l->minStorageBufferOffsetAlignment;
	out->max_allocation_size = m3.maxMemoryAllocationSize;
	vkGetPhysicalDeviceQueueFamilyProperties(d->phys, &nqf, qf);
	out->timestamps = d->queue_family < nqf &&
			  qf[d->queue_family].timestampValidBits > 0 &&
			  l->timestampComputeAndGraphics;
	out->timestamp_period = l->timestampPeriod;
	vkGetPhysicalDeviceMemoryProperties(d->phys, &d->mem);
	read_texel_features(d);
}

/* What needs the logical device: device memory's type, then image caps. */
static void read_device_facts(struct dxg_vk_device *d)
{
	int type = dxg_vk_devmem_probe_type(d);

	d->devmem_type = type < 0 ? UINT32_MAX : (uint32_t)type;
	dxg_vk_image_caps_read(d);
}

static int32_t fail(char *err, size_t errlen, int32_t status, const char *msg,
		    const char *arg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s%s%s", msg, arg ? ": " : "", arg ? arg : "");
	return status;
}

/*
 * Guest shaders index their buffers as they like: robust buffer access
 * keeps every access inside the bound buffer (the imported pages), and
 * robustBufferAccess2, where the device has it, inside the binding's range.
 * Without it a shader could read and write dxghost's own memory on a CPU
 * device, so it is required.
 */
static int32_t robustness(struct dxg_vk_device *d, VkPhysicalDeviceFeatures *f,
			  VkPhysicalDeviceRobustness2FeaturesEXT *r2)
{
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
	};

	memset(f, 0, sizeof(*f));
	memset(r2, 0, sizeof(*r2));
	r2->sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT;
	if (has_extension(d->phys, VK_EXT_ROBUSTNESS_2_EXTENSION_NAME))
		f2.pNext = r2;
	vkGetPhysicalDeviceFeatures2(d->phys, &f2);
	if (!f2.features.robustBufferAccess)
		return STATUS_NOT_SUPPORTED;
	f->robustBufferAccess = VK_TRUE;
	d->robust2 = f2.pNext && r2->robustBufferAccess2;
	/* Enable only what is used: the other robustness2 features cost. */
	r2->robustBufferAccess2 = d->robust2;
	r2->robustImageAccess2 = VK_FALSE;
	r2->nullDescriptor = VK_FALSE;
	r2->pNext = NULL;
	return 0;
}

/*
 * The compute features a guest may use (include/dxg/vkfeatures.h), where
 * the device has them: a guest's Vulkan driver offers exactly these, so its
 * pipelines must find them enabled here.  The chain f2 -> f11 -> f12 -> f13
 * (the last two only where the device's version has them) is filled in.
 */
static void guest_features(struct dxg_vk_device *d, VkPhysicalDeviceFeatures2 *f2,
			   VkPhysicalDeviceVulkan11Features *f11,
			   VkPhysicalDeviceVulkan12Features *f12,
			   VkPhysicalDeviceVulkan13Features *f13)
{
	VkPhysicalDeviceVulkan11Features h11 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
	};
	VkPhysicalDeviceVulkan12Features h12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
	};
	VkPhysicalDeviceVulkan13Features h13 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
	};
	VkPhysicalDeviceFeatures2 have = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
	};
	const size_t hdr = sizeof(VkBaseOutStructure);
	uint32_t api = d->info.api_version;

	/* The 1.1/1.2/1.3 structures exist from Vulkan 1.2 and 1.3 on. */
	if (api >= VK_API_VERSION_1_2) {
		have.pNext = &h11;
		h11.pNext = &h12;
		if (api >= VK_API_VERSION_1_3)
			h12.pNext = &h13;
	}
	vkGetPhysicalDeviceFeatures2(d->phys, &have);
	*f2 = (VkPhysicalDeviceFeatures2) {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
	};
	*f11 = (VkPhysicalDeviceVulkan11Features) { .sType = h11.sType };
	*f12 = (VkPhysicalDeviceVulkan12Features) { .sType = h12.sType };
	*f13 = (VkPhysicalDeviceVulkan13Features) { .sType = h13.sType };
	dxg_vk_features_intersect(&f2->features, &have.features,
				  sizeof(have.features), 0, dxg_vk_features10,
				  DXG_VKF_COUNT(dxg_vk_features10));
	d->limits.sampler_anisotropy = f2->features.samplerAnisotropy;
	if (api < VK_API_VERSION_1_2)
		return;
	dxg_vk_features_intersect(f11, &h11, sizeof(h11), hdr, dxg_vk_features11,
				  DXG_VKF_COUNT(dxg_vk_features11));
	dxg_vk_features_intersect(f12, &h12, sizeof(h12), hdr, dxg_vk_features12,
				  DXG_VKF_COUNT(dxg_vk_features12));
	d->limits.mirror_clamp = f12->samplerMirrorClampToEdge;
	f2->pNext = f11;
	f11->pNext = f12;
	if (api < VK_API_VERSION_1_3)
		return;
	dxg_vk_features_intersect(f13, &h13, sizeof(h13), hdr, dxg_vk_features13,
				  DXG_VKF_COUNT(dxg_vk_features13));
	f12->pNext = f13;
	d->limits.subgroup_size_control = f13->subgroupSizeControl;
}

/* Does the device have bufferDeviceAddress (Vulkan 1.2's structure)? */
static bool has_device_address(const struct dxg_vk_device *d)
{
	VkPhysicalDeviceVulkan12Features f12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
	};
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
		.pNext = &f12,
	};

	if (d->info.api_version < VK_API_VERSION_1_2)
		return false;
	vkGetPhysicalDeviceFeatures2(d->phys, &f2);
	return f12.bufferDeviceAddress;
}

static int32_t create_device(struct dxg_vk_device *d, uint32_t flags)
{
	static const char *const exts[] = { VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME,
					    VK_EXT_ROBUSTNESS_2_EXTENSION_NAME };
	const float prio = 1.0f;
	const VkDeviceQueueCreateInfo q = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = d->queue_family,
		.queueCount = 1,
		.pQueuePriorities = &prio,
	};
	VkPhysicalDeviceRobustness2FeaturesEXT r2;
	VkPhysicalDeviceVulkan11Features f11;
	VkPhysicalDeviceVulkan12Features f12;
	VkPhysicalDeviceVulkan13Features f13;
	VkPhysicalDeviceFeatures2 f2;
	VkPhysicalDeviceFeatures robust;
	VkDeviceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.pNext = &f2,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &q,
		.ppEnabledExtensionNames = exts,
	};
	VkResult r;

	if (robustness(d, &robust, &r2))
		return STATUS_NOT_SUPPORTED;
	guest_features(d, &f2, &f11, &f12, &f13);
	f2.features.robustBufferAccess = VK_TRUE;
	d->device_address = (flags & DXG_VK_OPEN_DEVICE_ADDRESS) &&
			    has_device_address(d);
	/* guest_features() chained f12 wherever the device has it. */
	f12.bufferDeviceAddress = d->device_address;
	ci.enabledExtensionCount = d->robust2 ? 2 : 1;
	if (d->robust2) {
		/* At the end of the chain guest_features built. */
		VkBaseOutStructure *last = (VkBaseOutStructure *)&f2;

		while (last->pNext)
			last = last->pNext;
		last->pNext = (VkBaseOutStructure *)&r2;
	}
	r = vkCreateDevice(d->phys, &ci, NULL, &d->device);

	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	vkGetDeviceQueue(d->device, d->queue_family, 0, &d->queue);
	d->get_host_pointer_props = (PFN_vkGetMemoryHostPointerPropertiesEXT)
		vkGetDeviceProcAddr(d->device, "vkGetMemoryHostPointerPropertiesEXT");
	return d->get_host_pointer_props ? 0 : STATUS_NOT_SUPPORTED;
}

/* Picks and checks the physical device; d->instance is set. */
static int32_t pick(struct dxg_vk_device *d, const char *sel, char *err,
		    size_t errlen)
{
	VkPhysicalDevice pds[MAX_DEVICES];
	struct dxg_vk_info infos[MAX_DEVICES];
	int32_t n = enumerate(d->instance, pds, infos, MAX_DEVICES);
	int32_t idx;

	if (n < 0)
		return fail(err, errlen, n,
			    "cannot enumerate Vulkan devices (no device for the installed drivers?)",
			    NULL);
	if (n == 0)
		return fail(err, errlen, STATUS_DEVICE_REMOVED,
			    "no Vulkan device (install mesa-vulkan-drivers for lavapipe)",
			    NULL);
	if ((uint32_t)n > MAX_DEVICES)
		n = MAX_DEVICES;
	idx = dxg_vk_select(infos, (uint32_t)n, sel);
	if (idx < 0)
		return fail(err, errlen, idx, "no such Vulkan device (see --list-devices)",
			    sel);
	d->phys = pds[idx];
	d->info = infos[idx];
	if (d->info.api_version < VK_API_VERSION_1_1)
		return fail(err, errlen, STATUS_NOT_SUPPORTED,
			    "Vulkan 1.1 is required", d->info.name);
	if (!d->info.host_import)
		return fail(err, errlen, STATUS_NOT_SUPPORTED,
			    "VK_EXT_external_memory_host is required (zero-copy import of guest memory)",
			    d->info.name);
	if (!d->info.compute_queue)
		return fail(err, errlen, STATUS_NOT_SUPPORTED,
			    "no compute queue", d->info.name);
	d->queue_family = (uint32_t)compute_family(d->phys);
	return 0;
}

int32_t dxg_vk_device_open(const char *sel, uint32_t flags,
			   struct dxg_vk_device **out, char *err, size_t errlen)
{
	struct dxg_vk_device *d = calloc(1, sizeof(*d));
	VkResult r;
	int32_t st;

	*out = NULL;
	if (!d || pthread_mutex_init(&d->queue_lock, NULL)) {
		free(d);
		return fail(err, errlen, STATUS_NO_MEMORY, "out of memory", NULL);
	}
	dxg_vk_pcache_init(&d->pcache);
	r = create_instance(&d->instance);
	if (r != VK_SUCCESS) {
		pthread_mutex_destroy(&d->queue_lock);
		free(d);
		return fail(err, errlen, dxg_vk_status(r),
			    "no usable Vulkan driver (install libvulkan1 and mesa-vulkan-drivers)",
			    NULL);
	}
	st = pick(d, sel, err, errlen);
	if (!st) {
		st = create_device(d, flags);
		if (st)
			fail(err, errlen, st,
			     "cannot create the Vulkan device (robustBufferAccess is required)",
			     d->info.name);
	}
	if (st) {
		dxg_vk_device_close(d);
		return st;
	}
	read_limits(d);
	read_device_facts(d);
	*out = d;
	return 0;
}

void dxg_vk_device_close(struct dxg_vk_device *d)
{
	if (!d)
		return;
	if (d->device)
		vkDeviceWaitIdle(d->device);
	dxg_vk_pcache_fini(&d->pcache, d);	/* no engine is left */
	if (d->device)
		vkDestroyDevice(d->device, NULL);
	if (d->instance)
		vkDestroyInstance(d->instance, NULL);
	pthread_mutex_destroy(&d->queue_lock);
	free(d);
}

const char *dxg_vk_type_name(VkPhysicalDeviceType type)
{
	switch (type) {
	case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:	return "integrated";
	case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:	return "discrete";
	case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:	return "virtual";
	case VK_PHYSICAL_DEVICE_TYPE_CPU:		return "cpu";
	default:					return "other";
	}
}

int32_t dxg_vk_list_devices(FILE *f)
{
	struct dxg_vk_info infos[MAX_DEVICES];
	int32_t n = dxg_vk_enumerate(infos, MAX_DEVICES);
	int32_t def;

	if (n < 0)
		return n;
	if ((uint32_t)n > MAX_DEVICES)
		n = MAX_DEVICES;
	def = dxg_vk_select(infos, (uint32_t)n, NULL);
	fprintf(f, "%-5s %-40s %-10s %-12s %-8s %s\n", "INDEX", "NAME", "TYPE",
		"DRIVER", "API", "HOST-IMPORT");
	for (int32_t i = 0; i < n; i++) {
		const struct dxg_vk_info *v = &infos[i];

		fprintf(f, "%-5d %-40s %-10s %-12s %u.%u.%-4u %s%s\n", i, v->name,
			dxg_vk_type_name(v->type), v->driver,
			VK_API_VERSION_MAJOR(v->api_version),
			VK_API_VERSION_MINOR(v->api_version),
			VK_API_VERSION_PATCH(v->api_version),
			v->host_import ? "yes" : "no (unusable)",
			i == def ? "  [default]" : "");
	}
	return n;
}
