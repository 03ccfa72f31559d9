// SPDX-License-Identifier: MIT
/*
 * The opendxg Vulkan driver through Debian's Vulkan loader, in the guest,
 * against dxghost: the loader finds and negotiates with the ICD, the
 * instance sees one physical device per Vulkan adapter, and what that
 * device reports is the host device's, intersected with what the driver
 * implements (one compute+transfer queue family, the IO space as memory, no
 * graphics features even where the host has them).  A logical device with
 * its queue can be created and destroyed (a D3DKMT device and context on
 * the host); what it cannot offer is refused; the memory budget follows
 * what the process allocates.
 *
 * Usage: test_odx_icd [EXPECTED_DEVICE_NAME]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#include "vmtest.h"

static void budget(VkPhysicalDevice pd, VkPhysicalDeviceMemoryBudgetPropertiesEXT *b)
{
	VkPhysicalDeviceMemoryProperties2 m = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2, .pNext = b,
	};

	memset(b, 0, sizeof(*b));
	b->sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT;
	vkGetPhysicalDeviceMemoryProperties2(pd, &m);
}

/*
 * VK_EXT_memory_budget: a budget within each heap and zero beyond them;
 * this process's usage grows by what it allocates in each heap and goes
 * back when that is freed; the budget stays at or above the usage.
 */
static void test_memory_budget(VkPhysicalDevice pd, VkDevice dev,
			       const VkPhysicalDeviceMemoryProperties *mem)
{
	const VkDeviceSize dsize = 16u << 20, isize = 4u << 20;
	VkPhysicalDeviceMemoryBudgetPropertiesEXT b0, b1, b2;
	VkMemoryAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
	};
	VkDeviceMemory dm = VK_NULL_HANDLE, im = VK_NULL_HANDLE;
	bool ok = true;

	budget(pd, &b0);
	for (uint32_t i = 0; i < VK_MAX_MEMORY_HEAPS; i++) {
		if (i < mem->memoryHeapCount)
			ok &= b0.heapBudget[i] > 0 &&
			      b0.heapBudget[i] <= mem->memoryHeaps[i].size &&
			      b0.heapUsage[i] <= b0.heapBudget[i];
		else
			ok &= !b0.heapBudget[i] && !b0.heapUsage[i];
	}
	check("memory budget: within each heap, zero beyond", ok,
	      "heap 0 %llu/%llu, heap 1 %llu/%llu",
	      (unsigned long long)b0.heapUsage[0], (unsigned long long)b0.heapBudget[0],
	      (unsigned long long)b0.heapUsage[1], (unsigned long long)b0.heapBudget[1]);
	ai.allocationSize = dsize;
	ai.memoryTypeIndex = 0;		/* device-local (heap 0) */
	expect("allocate 16 MiB device-local", vkAllocateMemory(dev, &ai, NULL, &dm),
	       VK_SUCCESS);
	ai.allocationSize = isize;
	ai.memoryTypeIndex = 1;		/* the IO space (heap 1) */
	expect("allocate 4 MiB of the IO space", vkAllocateMemory(dev, &ai, NULL, &im),
	       VK_SUCCESS);
	budget(pd, &b1);
	check("memory budget: the usage grows by what was allocated, per heap",
	      b1.heapUsage[0] == b0.heapUsage[0] + dsize &&
	      b1.heapUsage[1] == b0.heapUsage[1] + isize &&
	      b1.heapBudget[0] >= b1.heapUsage[0] && b1.heapBudget[1] >= b1.heapUsage[1],
	      "heap 0 %llu/%llu, heap 1 %llu/%llu",
	      (unsigned long long)b1.heapUsage[0], (unsigned long long)b1.heapBudget[0],
	      (unsigned long long)b1.heapUsage[1], (unsigned long long)b1.heapBudget[1]);
	vkFreeMemory(dev, dm, NULL);
	vkFreeMemory(dev, im, NULL);
	budget(pd, &b2);
	check("memory budget: back when freed",
	      b2.heapUsage[0] == b0.heapUsage[0] && b2.heapUsage[1] == b0.heapUsage[1],
	      "heap 0 %llu, heap 1 %llu", (unsigned long long)b2.heapUsage[0],
	      (unsigned long long)b2.heapUsage[1]);
}

/*
 * The instance extensions 1.1 made core, listed and enabled by a program
 * written for 1.0: their suffixed commands answer as the core ones.
 */
static void test_instance_extensions(const char *device_name)
{
	static const char *const want[] = {
		"VK_KHR_get_physical_device_properties2",
		"VK_KHR_external_memory_capabilities",
		"VK_KHR_external_semaphore_capabilities",
		"VK_KHR_external_fence_capabilities", "VK_KHR_device_group_creation",
	};
	const uint32_t nwant = sizeof(want) / sizeof(want[0]);
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "test_odx_icd 1.0", .apiVersion = VK_API_VERSION_1_0,
	};
	VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app,
		.enabledExtensionCount = nwant, .ppEnabledExtensionNames = want,
	};
	VkExtensionProperties ext[64];
	uint32_t n = 64, found = 0, ngroups = 4;
	VkInstance inst = VK_NULL_HANDLE;
	VkPhysicalDevice pd;
	VkPhysicalDeviceGroupProperties groups[4];
	VkPhysicalDeviceProperties2 p2 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 };
	VkPhysicalDeviceExternalBufferInfo ebi = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
		.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT,
	};
	VkExternalBufferProperties ebp = { .sType = VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES };
	PFN_vkGetPhysicalDeviceProperties2KHR props2;
	PFN_vkEnumeratePhysicalDeviceGroupsKHR enum_groups;
	PFN_vkGetPhysicalDeviceExternalBufferPropertiesKHR ext_buffer;

	vkEnumerateInstanceExtensionProperties(NULL, &n, ext);
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < nwant; k++)
			found += !strcmp(ext[i].extensionName, want[k]);
	check("instance extensions: the five 1.1 made core are listed", found == nwant,
	      "%u of %u", found, nwant);
	expect("a Vulkan 1.0 instance enabling them",
	       vkCreateInstance(&ici, NULL, &inst), VK_SUCCESS);
	n = 1;
	if (!inst || vkEnumeratePhysicalDevices(inst, &n, &pd) < 0 || !n) {
		fail("its physical device", "none");
		if (inst)
			vkDestroyInstance(inst, NULL);
		return;
	}
	props2 = (PFN_vkGetPhysicalDeviceProperties2KHR)
		vkGetInstanceProcAddr(inst, "vkGetPhysicalDeviceProperties2KHR");
	enum_groups = (PFN_vkEnumeratePhysicalDeviceGroupsKHR)
		vkGetInstanceProcAddr(inst, "vkEnumeratePhysicalDeviceGroupsKHR");
	ext_buffer = (PFN_vkGetPhysicalDeviceExternalBufferPropertiesKHR)
		vkGetInstanceProcAddr(inst, "vkGetPhysicalDeviceExternalBufferPropertiesKHR");
	check("their KHR commands resolve", props2 && enum_groups && ext_buffer, "NULL");
	if (props2 && enum_groups && ext_buffer) {
		for (uint32_t i = 0; i < 4; i++)
			groups[i] = (VkPhysicalDeviceGroupProperties) {
				.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_GROUP_PROPERTIES,
			};
		props2(pd, &p2);
		check("vkGetPhysicalDeviceProperties2KHR: the device",
		      !strcmp(p2.properties.deviceName, device_name), "'%s'",
		      p2.properties.deviceName);
		check("vkEnumeratePhysicalDeviceGroupsKHR: one group of it",
		      enum_groups(inst, &ngroups, groups) == VK_SUCCESS && ngroups == 1 &&
		      groups[0].physicalDeviceCount == 1 && groups[0].physicalDevices[0] == pd,
		      "%u groups", ngroups);
		ext_buffer(pd, &ebi, &ebp);
		check("vkGetPhysicalDeviceExternalBufferPropertiesKHR: OPAQUE_FD exportable",
		      ebp.externalMemoryProperties.externalMemoryFeatures &
		      VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT, "features %#x",
		      ebp.externalMemoryProperties.externalMemoryFeatures);
	}
	vkDestroyInstance(inst, NULL);
}

int main(int argc, char **argv)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "test_odx_icd",
		.apiVersion = VK_API_VERSION_1_3,
	};
	VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	VkPhysicalDeviceVulkan13Properties p13 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_PROPERTIES,
	};
	VkPhysicalDeviceVulkan12Properties p12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES,
		.pNext = &p13,
	};
	VkPhysicalDeviceVulkan11Properties p11 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_PROPERTIES,
		.pNext = &p12,
	};
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
		.pNext = &p11,
	};
	VkPhysicalDeviceVulkan12Features f12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
	};
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
		.pNext = &f12,
	};
	float prio = 1.0f;
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueCount = 1,
		.pQueuePriorities = &prio,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
	};
	VkPhysicalDeviceMemoryProperties mem;
	VkQueueFamilyProperties qf[4];
	VkPhysicalDevice pd[4];
	VkInstance inst;
	VkDevice dev = VK_NULL_HANDLE;
	uint32_t version = 0, n = 4, nqf = 4, next = 99;
	VkResult r;

	expect("vkEnumerateInstanceVersion",
	       vkEnumerateInstanceVersion(&version), VK_SUCCESS);
	check("instance version is at least 1.1",
	      version >= VK_API_VERSION_1_1, "%#x", version);
	r = vkCreateInstance(&ici, NULL, &inst);
	expect("vkCreateInstance through the loader", r, VK_SUCCESS);
	if (r != VK_SUCCESS)
		return 1;
	r = vkEnumeratePhysicalDevices(inst, &n, pd);
	check("one physical device: the dxg adapter", r == VK_SUCCESS && n == 1,
	      "result %d, %u devices", r, n);
	if (n < 1)
		return 1;

	vkGetPhysicalDeviceProperties2(pd[0], &p2);
	printf("# device: %s, Vulkan %u.%u, driver %s (%s)\n",
	       p2.properties.deviceName,
	       VK_API_VERSION_MAJOR(p2.properties.apiVersion),
	       VK_API_VERSION_MINOR(p2.properties.apiVersion),
	       p12.driverName, p12.driverInfo);
	if (argc > 1)
		check("the device carries the host device's name",
		      !strcmp(p2.properties.deviceName, argv[1]),
		      "'%s', host adapter '%s'", p2.properties.deviceName, argv[1]);
	check("the driver is opendxg", !strcmp(p12.driverName, "opendxg"),
	      "'%s'", p12.driverName);
	check("no min/max filtering claimed (samplers carry no reduction mode)",
	      !p12.filterMinmaxSingleComponentFormats && !p12.filterMinmaxImageComponentMapping,
	      "single %u, mapping %u", p12.filterMinmaxSingleComponentFormats,
	      p12.filterMinmaxImageComponentMapping);
	check("the sampler limits are the host's, 16 samplers per stage",
	      p2.properties.limits.maxSamplerAnisotropy >= 1.0f &&
	      p2.properties.limits.maxPerStageDescriptorSamplers == 16 &&
	      p2.properties.limits.maxSamplerAllocationCount >= 4000,
	      "anisotropy %f, per stage %u, allocations %u",
	      (double)p2.properties.limits.maxSamplerAnisotropy,
	      p2.properties.limits.maxPerStageDescriptorSamplers,
	      p2.properties.limits.maxSamplerAllocationCount);
	check("the host's limits",
	      p2.properties.limits.maxComputeWorkGroupInvocations >= 128 &&
	      p2.properties.limits.maxComputeSharedMemorySize >= 16384,
	      "invocations %u", p2.properties.limits.maxComputeWorkGroupInvocations);
	check("subgroups reported for compute",
	      p11.subgroupSize >= 1 &&
	      (p11.subgroupSupportedStages == VK_SHADER_STAGE_COMPUTE_BIT),
	      "size %u stages %#x", p11.subgroupSize, p11.subgroupSupportedStages);
	check("a LUID, the adapter's", p11.deviceLUIDValid, "not valid");
	check("the chain is left intact", p11.pNext == &p12 && p12.pNext == &p13,
	      "pNext rewritten");

	{
		/* Promoted structures answer as the aggregates. */
		VkPhysicalDeviceFloatControlsProperties fc = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FLOAT_CONTROLS_PROPERTIES,
		};
		VkPhysicalDeviceTexelBufferAlignmentProperties tb;
		VkPhysicalDeviceDescriptorIndexingProperties di;
		VkPhysicalDeviceTimelineSemaphoreProperties ts = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_PROPERTIES,
			.pNext = &di,
		};
		VkPhysicalDeviceProperties2 q = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &ts,
		};
		VkPhysicalDevice16BitStorageFeatures s16 = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES,
		};
		VkPhysicalDeviceTimelineSemaphoreFeatures tf = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES,
			.pNext = &s16,
		};
		VkPhysicalDeviceVulkan11Features a11 = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
			.pNext = &tf,
		};
		VkPhysicalDeviceFeatures2 qf = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &a11,
		};

		/* Garbage where nothing is written: it must all be. */
		memset(&tb, 0xab, sizeof(tb));
		tb.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TEXEL_BUFFER_ALIGNMENT_PROPERTIES;
		tb.pNext = &fc;
		memset(&di, 0xab, sizeof(di));
		di.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DESCRIPTOR_INDEXING_PROPERTIES;
		di.pNext = &tb;
		vkGetPhysicalDeviceProperties2(pd[0], &q);
		check("promoted properties: descriptor indexing as 1.2's, texel buffer alignment as 1.3's",
		      di.maxUpdateAfterBindDescriptorsInAllPools ==
		      p12.maxUpdateAfterBindDescriptorsInAllPools &&
		      di.quadDivergentImplicitLod == p12.quadDivergentImplicitLod &&
		      di.maxDescriptorSetUpdateAfterBindInputAttachments ==
		      p12.maxDescriptorSetUpdateAfterBindInputAttachments &&
		      tb.storageTexelBufferOffsetAlignmentBytes ==
		      p13.storageTexelBufferOffsetAlignmentBytes &&
		      tb.uniformTexelBufferOffsetSingleTexelAlignment ==
		      p13.uniformTexelBufferOffsetSingleTexelAlignment,
		      "all-pools %u/%u, input attachments %u/%u, texel %llu/%llu",
		      di.maxUpdateAfterBindDescriptorsInAllPools,
		      p12.maxUpdateAfterBindDescriptorsInAllPools,
		      di.maxDescriptorSetUpdateAfterBindInputAttachments,
		      p12.maxDescriptorSetUpdateAfterBindInputAttachments,
		      (unsigned long long)tb.storageTexelBufferOffsetAlignmentBytes,
		      (unsigned long long)p13.storageTexelBufferOffsetAlignmentBytes);
		check("1.3's required-subgroup-size stages: compute at most",
		      !(p13.requiredSubgroupSizeStages & ~VK_SHADER_STAGE_COMPUTE_BIT),
		      "%#x", p13.requiredSubgroupSizeStages);
		check("promoted properties: float controls and timeline as 1.2's",
		      fc.shaderSignedZeroInfNanPreserveFloat32 ==
		      p12.shaderSignedZeroInfNanPreserveFloat32 &&
		      fc.denormBehaviorIndependence == p12.denormBehaviorIndependence &&
		      fc.shaderRoundingModeRTZFloat64 == p12.shaderRoundingModeRTZFloat64 &&
		      ts.maxTimelineSemaphoreValueDifference ==
		      p12.maxTimelineSemaphoreValueDifference &&
		      ts.maxTimelineSemaphoreValueDifference > 0,
		      "timeline %llu", (unsigned long long)ts.maxTimelineSemaphoreValueDifference);
		vkGetPhysicalDeviceFeatures2(pd[0], &qf);
		check("promoted features: 16-bit storage and timeline as the aggregates",
		      s16.storageBuffer16BitAccess == a11.storageBuffer16BitAccess &&
		      s16.storagePushConstant16 == a11.storagePushConstant16 &&
		      tf.timelineSemaphore == VK_TRUE, "16-bit %u/%u timeline %u",
		      s16.storageBuffer16BitAccess, a11.storageBuffer16BitAccess,
		      tf.timelineSemaphore);
	}

	vkGetPhysicalDeviceFeatures2(pd[0], &f2);
	check("robustBufferAccess (the host requires it)",
	      f2.features.robustBufferAccess, "absent");
	check("no graphics features, whatever the host has",
	      !f2.features.geometryShader && !f2.features.tessellationShader &&
	      !f2.features.fillModeNonSolid && !f2.features.wideLines,
	      "a graphics feature is set");
	printf("# features: int64 %u float64 %u int8 %u float16 %u timeline %u bda %u "
	       "anisotropy %u\n", f2.features.shaderInt64, f2.features.shaderFloat64,
	       f12.shaderInt8, f12.shaderFloat16, f12.timelineSemaphore,
	       f12.bufferDeviceAddress, f2.features.samplerAnisotropy);

	vkGetPhysicalDeviceQueueFamilyProperties(pd[0], &nqf, qf);
	/* Four queues, each a context of its own (docs/vulkan-driver.md). */
	check("one queue family: compute and transfer, no graphics, four queues",
	      nqf == 1 && (qf[0].queueFlags & VK_QUEUE_COMPUTE_BIT) &&
	      !(qf[0].queueFlags & VK_QUEUE_GRAPHICS_BIT) && qf[0].queueCount == 4,
	      "%u families, flags %#x", nqf, nqf ? qf[0].queueFlags : 0);
	vkGetPhysicalDeviceMemoryProperties(pd[0], &mem);
	/*
	 * dxghost's default offers device memory (1 GiB per VM): a device-local
	 * heap and type not CPU-visible, and the IO space host-visible and
	 * coherent (cached: write-back RAM on both sides).
	 */
	check("memory: device-local heap and type, then the IO space",
	      mem.memoryHeapCount == 2 && mem.memoryTypeCount == 2 &&
	      mem.memoryHeaps[0].size == 1ull << 30 &&
	      mem.memoryHeaps[0].flags == VK_MEMORY_HEAP_DEVICE_LOCAL_BIT &&
	      mem.memoryTypes[0].heapIndex == 0 &&
	      mem.memoryTypes[0].propertyFlags == VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT &&
	      mem.memoryHeaps[1].size > 0 && mem.memoryHeaps[1].flags == 0 &&
	      mem.memoryTypes[1].heapIndex == 1 &&
	      mem.memoryTypes[1].propertyFlags == (VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
						   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
						   VK_MEMORY_PROPERTY_HOST_CACHED_BIT),
	      "%u heaps, %u types", mem.memoryHeapCount, mem.memoryTypeCount);
	printf("# heaps: %llu MiB device-local, %llu MiB IO space\n",
	       (unsigned long long)(mem.memoryHeaps[0].size >> 20),
	       (unsigned long long)(mem.memoryHeaps[1].size >> 20));
	expect("vkEnumerateDeviceExtensionProperties",
	       vkEnumerateDeviceExtensionProperties(pd[0], NULL, &next, NULL),
	       VK_SUCCESS);
	{
		/*
		 * Compute extensions the host's lavapipe has; nothing of
		 * graphics; external: only the guest's own fence and
		 * semaphore ones (sync files), memory by fd (OPAQUE_FD:
		 * test_odx_memfd), host memory (this scenario's QEMU
		 * shares the guest's RAM: test_odx_hostmem), push
		 * descriptors (test_odx_descriptors), the memory budget
		 * (below), private data (test_odx_objects) and inline
		 * uniform blocks (test_odx_inline).
		 */
		static const char *const ours[] = {
			"VK_KHR_external_fence", "VK_KHR_external_fence_fd",
			"VK_KHR_external_semaphore", "VK_KHR_external_semaphore_fd",
			"VK_EXT_external_memory_host",
			"VK_KHR_external_memory", "VK_KHR_external_memory_fd",
			"VK_KHR_push_descriptor", "VK_EXT_memory_budget",
			"VK_EXT_private_data", "VK_EXT_inline_uniform_block",
			"VK_KHR_descriptor_update_template", "VK_KHR_device_group",
			"VK_KHR_format_feature_flags2",
		};
		VkExtensionProperties ext[128];
		const char *names[128];
		uint32_t n = next < 128 ? next : 128, gfx = 0, want = 0, own = 0;

		vkEnumerateDeviceExtensionProperties(pd[0], NULL, &n, ext);
		for (uint32_t i = 0; i < n; i++) {
			bool guest = false;

			names[i] = ext[i].extensionName;
			for (size_t k = 0; k < sizeof(ours) / sizeof(ours[0]); k++)
				guest |= !strcmp(names[i], ours[k]);
			own += guest;
			/* Image robustness is for storage images too: offered. */
			gfx += !guest && (strstr(names[i], "swapchain") ||
					  strstr(names[i], "surface") ||
					  (strstr(names[i], "image") &&
					   strcmp(names[i], "VK_EXT_image_robustness")) ||
					  strstr(names[i], "external"));
			want += !strcmp(names[i], "VK_KHR_timeline_semaphore") ||
				!strcmp(names[i], "VK_KHR_synchronization2") ||
				!strcmp(names[i], "VK_KHR_16bit_storage");
		}
		printf("# %u device extensions\n", n);
		check("device extensions: compute ones, no graphics, other image or external ones",
		      gfx == 0 && want == 3 && n > 3, "%u listed, %u graphics, %u of 3 expected",
		      n, gfx, want);
		check("device extensions: the guest's external fence, semaphore, memory fd, host memory, push descriptor, memory budget, private data, inline uniform block, update template, device group and format flags 2 ones, once each",
		      own == 14, "%u of 14", own);
		/* Every extension listed can be enabled. */
		dci.enabledExtensionCount = n;
		dci.ppEnabledExtensionNames = names;
		expect("vkCreateDevice with every listed extension",
		       vkCreateDevice(pd[0], &dci, NULL, &dev), VK_SUCCESS);
		if (dev)
			vkDestroyDevice(dev, NULL);
		dci.enabledExtensionCount = 0;
		dci.ppEnabledExtensionNames = NULL;
		dev = VK_NULL_HANDLE;
	}
	expect("vkCreateDevice", vkCreateDevice(pd[0], &dci, NULL, &dev),
	       VK_SUCCESS);
	if (dev) {
		VkQueue q = VK_NULL_HANDLE;

		vkGetDeviceQueue(dev, 0, 0, &q);
		check("its queue", q != VK_NULL_HANDLE, "none");
		test_memory_budget(pd[0], dev, &mem);
		expect("vkDeviceWaitIdle", vkDeviceWaitIdle(dev), VK_SUCCESS);
		vkDestroyDevice(dev, NULL);
		pass("vkDestroyDevice");
	}
	{
		VkPhysicalDeviceFeatures gfx = { .geometryShader = VK_TRUE };
		const char *ext = "VK_KHR_swapchain";

		dci.pEnabledFeatures = &gfx;
		dev = VK_NULL_HANDLE;
		expect("a feature it does not offer -> VK_ERROR_FEATURE_NOT_PRESENT",
		       vkCreateDevice(pd[0], &dci, NULL, &dev),
		       VK_ERROR_FEATURE_NOT_PRESENT);
		dci.pEnabledFeatures = NULL;
		dci.enabledExtensionCount = 1;
		dci.ppEnabledExtensionNames = &ext;
		expect("an extension it does not list -> VK_ERROR_EXTENSION_NOT_PRESENT",
		       vkCreateDevice(pd[0], &dci, NULL, &dev),
		       VK_ERROR_EXTENSION_NOT_PRESENT);
	}
	{
		const float prios[5] = { 1.0f, 0.5f, 0.5f, 0.0f, 0.0f };
		VkQueue qs[5] = { VK_NULL_HANDLE };

		dci.enabledExtensionCount = 0;
		dci.ppEnabledExtensionNames = NULL;
		qci.pQueuePriorities = prios;
		qci.queueCount = 4;
		expect("vkCreateDevice with four queues",
		       vkCreateDevice(pd[0], &dci, NULL, &dev), VK_SUCCESS);
		if (dev) {
			for (uint32_t i = 0; i < 5; i++)
				vkGetDeviceQueue(dev, 0, i, &qs[i]);
			check("four distinct queues, none beyond",
			      qs[0] && qs[1] && qs[2] && qs[3] && !qs[4] &&
			      qs[0] != qs[1] && qs[1] != qs[2] && qs[2] != qs[3] &&
			      qs[0] != qs[3], "%p %p %p %p %p", (void *)qs[0],
			      (void *)qs[1], (void *)qs[2], (void *)qs[3], (void *)qs[4]);
			expect("each waits idle", vkQueueWaitIdle(qs[0]) |
			       vkQueueWaitIdle(qs[3]), VK_SUCCESS);
			expect("the device waits idle", vkDeviceWaitIdle(dev), VK_SUCCESS);
			vkDestroyDevice(dev, NULL);
			dev = VK_NULL_HANDLE;
		}
		qci.queueCount = 5;
		expect("five queues (more than the family has) -> VK_ERROR_INITIALIZATION_FAILED",
		       vkCreateDevice(pd[0], &dci, NULL, &dev),
		       VK_ERROR_INITIALIZATION_FAILED);
	}
	{
		/*
		 * R32_SFLOAT: texel buffer features (the host's), optimal
		 * tiling's storage-image and transfer ones, no linear ones;
		 * the 1.3 flags-2 structure says the same.  A format not in
		 * the texel table has none.
		 */
		VkFormatProperties3 f3 = {
			.sType = VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_3,
			.linearTilingFeatures = ~0ull, .optimalTilingFeatures = ~0ull,
			.bufferFeatures = ~0ull,
		};
		VkFormatProperties2 fp = {
			.sType = VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_2, .pNext = &f3,
		};

		const VkFormatFeatureFlags texel = VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT |
			VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT |
			VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_ATOMIC_BIT;
		const VkFormatFeatureFlags image = VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT |
			VK_FORMAT_FEATURE_STORAGE_IMAGE_ATOMIC_BIT |
			VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT |
			VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT |
			VK_FORMAT_FEATURE_TRANSFER_SRC_BIT | VK_FORMAT_FEATURE_TRANSFER_DST_BIT;
		VkFormatProperties rgb;

		vkGetPhysicalDeviceFormatProperties2(pd[0], VK_FORMAT_R32_SFLOAT, &fp);
		check("format properties (and VkFormatProperties3): texel buffers, storage and sampled images",
		      (fp.formatProperties.bufferFeatures &
		       VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT) &&
		      !(fp.formatProperties.bufferFeatures & ~texel) &&
		      (fp.formatProperties.optimalTilingFeatures &
		       VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT) &&
		      (fp.formatProperties.optimalTilingFeatures &
		       VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT) &&
		      !(fp.formatProperties.optimalTilingFeatures & ~image) &&
		      !fp.formatProperties.linearTilingFeatures && !f3.linearTilingFeatures &&
		      (f3.optimalTilingFeatures & 0xffffffffu) ==
		      fp.formatProperties.optimalTilingFeatures &&
		      (f3.bufferFeatures & 0xffffffffu) == fp.formatProperties.bufferFeatures &&
		      fp.pNext == &f3,
		      "buffer %#x, optimal %#x, 3: %#llx", fp.formatProperties.bufferFeatures,
		      fp.formatProperties.optimalTilingFeatures,
		      (unsigned long long)f3.bufferFeatures);
		vkGetPhysicalDeviceFormatProperties(pd[0], VK_FORMAT_R8G8B8_UNORM, &rgb);
		check("a format outside the texel table has no features",
		      !rgb.bufferFeatures && !rgb.optimalTilingFeatures && !rgb.linearTilingFeatures,
		      "buffer %#x", rgb.bufferFeatures);
	}
	vkDestroyInstance(inst, NULL);
	pass("vkDestroyInstance");
	test_instance_extensions(p2.properties.deviceName);
	return failures ? 1 : 0;
}
