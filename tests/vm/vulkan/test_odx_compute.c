// SPDX-License-Identifier: MIT
/*
 * Compute through the opendxg Vulkan driver, in the guest, through Debian's
 * loader, against dxghost: memory, buffers, a pipeline with two descriptor
 * sets (storage, uniform with a dynamic offset), push and specialization
 * constants; dispatch, dispatch base and indirect dispatch; fill, update and
 * copy; barriers; timestamp queries; submission with a binary semaphore
 * between two batches, a timeline semaphore the CPU signals, fences; wait
 * idle; a pipeline cache; invalid SPIR-V refused; a failing dispatch is a
 * lost device.  Every result is checked against the CPU.
 *
 * With ODX_VALIDATE=1 it runs under the Khronos validation layer, counts
 * every warning and error the layer reports (VK_EXT_debug_utils) and fails
 * if there is any; the deliberate misuse (invalid SPIR-V, a dispatch beyond
 * the limits) is left out then.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#include "vktest.h"
#include "odx_test_spv.h"

#define N	320u	/* elements; groups of 64 */
#define MUL	3u
#define ADD	5u

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkDeviceMemory mem;
	uint8_t *map;
	VkBuffer in, out, uni, ind, res;
	VkDescriptorSetLayout sl[2];
	VkPipelineLayout pl;
	VkPipeline pipe;
	VkDescriptorPool dp;
	VkDescriptorSet ds[2];
	VkCommandPool cp;
	VkQueryPool qp;
};

/* Buffer offsets in the one allocation. */
enum { OFF_IN = 0, OFF_OUT = 4096, OFF_UNI = 8192, OFF_IND = 12288, OFF_RES = 16384,
       MEM_SIZE = 65536 };




static int make_device(struct ctx *c)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "test_odx_compute", .apiVersion = VK_API_VERSION_1_3,
	};
	VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app,
	};
	VkPhysicalDeviceVulkan12Features f12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.timelineSemaphore = VK_TRUE, .hostQueryReset = VK_TRUE,
	};
	VkPhysicalDeviceVulkan13Features f13 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
		.pNext = &f12, .synchronization2 = VK_TRUE,
		.pipelineCreationCacheControl = VK_TRUE,
	};
	float prio = 1.0f;
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueCount = 1, .pQueuePriorities = &prio,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = &f13,
		.queueCreateInfoCount = 1, .pQueueCreateInfos = &qci,
	};
	uint32_t n = 1;

	if (validating()) {
		ici.pNext = &messenger_ci;	/* instance creation itself too */
		ici.enabledLayerCount = 1;
		ici.ppEnabledLayerNames = &layer;
		ici.enabledExtensionCount = 1;
		ici.ppEnabledExtensionNames = &debug_ext;
	}
	if (!c->inst) {
		VK_OK("instance", vkCreateInstance(&ici, NULL, &c->inst));
		if (validating()) {
			PFN_vkCreateDebugUtilsMessengerEXT create =
				(PFN_vkCreateDebugUtilsMessengerEXT)
				vkGetInstanceProcAddr(c->inst, "vkCreateDebugUtilsMessengerEXT");

			if (!create) {
				fail("validation", "no vkCreateDebugUtilsMessengerEXT");
				return -1;
			}
			VK_OK("debug messenger", create(c->inst, &messenger_ci, NULL,
							&c->messenger));
		}
		if (vkEnumeratePhysicalDevices(c->inst, &n, &c->pd) < 0 || !n) {
			fail("physical device", "none");
			return -1;
		}
	}
	VK_OK("device", vkCreateDevice(c->pd, &dci, NULL, &c->dev));
	vkGetDeviceQueue(c->dev, 0, 0, &c->q);
	return 0;
}

/* The first memory type with all of @want and none of @avoid, or -1. */
static int memory_type(struct ctx *c, VkMemoryPropertyFlags want,
		       VkMemoryPropertyFlags avoid)
{
	VkPhysicalDeviceMemoryProperties mp;

	vkGetPhysicalDeviceMemoryProperties(c->pd, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
		if ((mp.memoryTypes[i].propertyFlags & want) == want &&
		    !(mp.memoryTypes[i].propertyFlags & avoid))
			return (int)i;
	return -1;
}

static int make_buffer_in(struct ctx *c, VkDeviceMemory mem, VkBuffer *b,
			  VkDeviceSize off, VkDeviceSize size, VkBufferUsageFlags usage);

static int make_buffer(struct ctx *c, VkBuffer *b, VkDeviceSize off, VkDeviceSize size,
		       VkBufferUsageFlags usage)
{
	return make_buffer_in(c, c->mem, b, off, size, usage);
}

static int make_buffer_in(struct ctx *c, VkDeviceMemory mem, VkBuffer *b,
			  VkDeviceSize off, VkDeviceSize size, VkBufferUsageFlags usage)
{
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size, .usage = usage,
	};
	VkMemoryRequirements req;

	VK_OK("buffer", vkCreateBuffer(c->dev, &bci, NULL, b));
	vkGetBufferMemoryRequirements(c->dev, *b, &req);
	check("buffer requirements", req.memoryTypeBits & 1 && off % req.alignment == 0,
	      "types 0x%x alignment %llu", req.memoryTypeBits,
	      (unsigned long long)req.alignment);
	VK_OK("bind", vkBindBufferMemory(c->dev, *b, mem, off));
	return 0;
}

static int make_resources(struct ctx *c)
{
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = MEM_SIZE,
	};
	const VkBufferUsageFlags sb = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
		VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
	int type = memory_type(c, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
			       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0);

	if (type < 0) {
		fail("memory", "no host-visible coherent type");
		return -1;
	}
	mai.memoryTypeIndex = (uint32_t)type;
	VK_OK("memory", vkAllocateMemory(c->dev, &mai, NULL, &c->mem));
	VK_OK("map", vkMapMemory(c->dev, c->mem, 0, VK_WHOLE_SIZE, 0, (void **)&c->map));
	if (make_buffer(c, &c->in, OFF_IN, N * 4, sb) ||
	    make_buffer(c, &c->out, OFF_OUT, N * 4, sb) ||
	    make_buffer(c, &c->uni, OFF_UNI, 512, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
			VK_BUFFER_USAGE_TRANSFER_DST_BIT) ||
	    make_buffer(c, &c->ind, OFF_IND, 12, VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT |
			VK_BUFFER_USAGE_TRANSFER_DST_BIT) ||
	    make_buffer(c, &c->res, OFF_RES, N * 4 + 64, sb))
		return -1;
	for (uint32_t i = 0; i < N; i++)
		((uint32_t *)(c->map + OFF_IN))[i] = i;
	memset(c->map + OFF_UNI, 0xee, 512);	/* the dynamic offset must skip this */
	return 0;
}

static int make_pipeline(struct ctx *c)
{
	const VkDescriptorSetLayoutBinding b0[] = {
		{ 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 2, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
	};
	const VkDescriptorSetLayoutBinding b1[] = {
		{ 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
	};
	VkDescriptorSetLayoutCreateInfo lci[2] = {
		{ .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		  .bindingCount = 2, .pBindings = b0 },
		{ .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		  .bindingCount = 1, .pBindings = b1 },
	};
	const VkPushConstantRange pr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, 8 };
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 2, .pSetLayouts = c->sl,
		.pushConstantRangeCount = 1, .pPushConstantRanges = &pr,
	};
	VkShaderModuleCreateInfo smci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = sizeof(odx_test_spv), .pCode = odx_test_spv,
	};
	const uint32_t spec_data[2] = { 64, MUL };
	const VkSpecializationMapEntry me[2] = { { 0, 0, 4 }, { 1, 4, 4 } };
	const VkSpecializationInfo spec = { 2, me, sizeof(spec_data), spec_data };
	VkComputePipelineCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.flags = VK_PIPELINE_CREATE_DISPATCH_BASE_BIT,	/* vkCmdDispatchBase */
		.stage = { .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			   .stage = VK_SHADER_STAGE_COMPUTE_BIT, .pName = "main",
			   .pSpecializationInfo = &spec },
	};
	VkPipelineCacheCreateInfo cci = { .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO };
	VkPipelineCache cache;
	VkShaderModule sm;
	uint32_t hdr[8];
	size_t hsize = 0;
	VkResult r;

	VK_OK("set layout 0", vkCreateDescriptorSetLayout(c->dev, &lci[0], NULL, &c->sl[0]));
	VK_OK("set layout 1", vkCreateDescriptorSetLayout(c->dev, &lci[1], NULL, &c->sl[1]));
	VK_OK("pipeline layout", vkCreatePipelineLayout(c->dev, &plci, NULL, &c->pl));
	VK_OK("shader module", vkCreateShaderModule(c->dev, &smci, NULL, &sm));
	VK_OK("pipeline cache", vkCreatePipelineCache(c->dev, &cci, NULL, &cache));
	pci.stage.module = sm;
	pci.layout = c->pl;
	VK_OK("compute pipeline", vkCreateComputePipelines(c->dev, cache, 1, &pci, NULL,
							   &c->pipe));
	pass("compute pipeline with two sets, dynamic uniform, spec constants");
	{
		/*
		 * 1.3's cache control: refusing to compile stops the batch
		 * (early return) with both handles null; creation feedback.
		 */
		VkComputePipelineCreateInfo two[2] = { pci, pci };
		VkPipeline p[2] = { (VkPipeline)(uintptr_t)0x1230, (VkPipeline)(uintptr_t)0x4560 };
		VkPipelineCreationFeedback fb = { 0 }, sfb = { 0 };
		VkPipelineCreationFeedbackCreateInfo fci = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_CREATION_FEEDBACK_CREATE_INFO,
			.pPipelineCreationFeedback = &fb,
			.pipelineStageCreationFeedbackCount = 1,
			.pPipelineStageCreationFeedbacks = &sfb,
		};
		VkComputePipelineCreateInfo with_fb = pci;
		VkPipeline q = VK_NULL_HANDLE;

		two[0].flags |= VK_PIPELINE_CREATE_FAIL_ON_PIPELINE_COMPILE_REQUIRED_BIT |
				VK_PIPELINE_CREATE_EARLY_RETURN_ON_FAILURE_BIT;
		r = vkCreateComputePipelines(c->dev, VK_NULL_HANDLE, 2, two, NULL, p);
		check("FAIL_ON_PIPELINE_COMPILE_REQUIRED with EARLY_RETURN: compile required, both null",
		      r == VK_PIPELINE_COMPILE_REQUIRED && !p[0] && !p[1], "r %d, %p %p", r,
		      (void *)p[0], (void *)p[1]);
		with_fb.pNext = &fci;
		expect("a pipeline with creation feedback",
		       vkCreateComputePipelines(c->dev, VK_NULL_HANDLE, 1, &with_fb, NULL, &q),
		       VK_SUCCESS);
		/* A stage's feedback may be invalid (lavapipe's is). */
		check("creation feedback: valid for the pipeline",
		      fb.flags & VK_PIPELINE_CREATION_FEEDBACK_VALID_BIT, "flags %#x", fb.flags);
		vkDestroyPipeline(c->dev, q, NULL);
	}
	VK_OK("cache data size", vkGetPipelineCacheData(c->dev, cache, &hsize, NULL));
	r = vkGetPipelineCacheData(c->dev, cache, &hsize, hdr);
	check("pipeline cache data: a version one header", r == VK_SUCCESS &&
	      hsize == 32 && hdr[0] == 32 && hdr[1] == VK_PIPELINE_CACHE_HEADER_VERSION_ONE,
	      "r %d size %zu", r, hsize);
	vkDestroyPipelineCache(c->dev, cache, NULL);
	vkDestroyShaderModule(c->dev, sm, NULL);	/* the pipeline keeps working */
	return 0;
}

static int make_sets(struct ctx *c)
{
	const VkDescriptorPoolSize ps[] = {
		{ VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 4 },
		{ VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 2 },
	};
	VkDescriptorPoolCreateInfo dpci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT,
		.maxSets = 4, .poolSizeCount = 2, .pPoolSizes = ps,
	};
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorSetCount = 2, .pSetLayouts = c->sl,
	};
	VkDescriptorBufferInfo bi[3] = {
		{ VK_NULL_HANDLE, 0, VK_WHOLE_SIZE },
		{ VK_NULL_HANDLE, 0, 16 },
		{ VK_NULL_HANDLE, 0, N * 4 },
	};
	VkWriteDescriptorSet w[3] = {
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 0,
		  .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		  .pBufferInfo = &bi[0] },
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 2,
		  .descriptorCount = 1,
		  .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC,
		  .pBufferInfo = &bi[1] },
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 1,
		  .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		  .pBufferInfo = &bi[2] },
	};

	VK_OK("descriptor pool", vkCreateDescriptorPool(c->dev, &dpci, NULL, &c->dp));
	dsai.descriptorPool = c->dp;
	VK_OK("descriptor sets", vkAllocateDescriptorSets(c->dev, &dsai, c->ds));
	bi[0].buffer = c->in;
	bi[1].buffer = c->uni;
	bi[2].buffer = c->out;
	w[0].dstSet = w[1].dstSet = c->ds[0];
	w[2].dstSet = c->ds[1];
	vkUpdateDescriptorSets(c->dev, 3, w, 0, NULL);
	return 0;
}

static VkCommandBuffer begin(struct ctx *c)
{
	return begin_primary(c->dev, c->cp);
}

static void bind_all(struct ctx *c, VkCommandBuffer cb, uint32_t bias)
{
	const uint32_t dyn = 256, push[2] = { N, bias };

	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipe);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pl, 0, 2, c->ds,
				1, &dyn);
	vkCmdPushConstants(cb, c->pl, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
}

static void barrier2(VkCommandBuffer cb)
{
	const VkMemoryBarrier2 mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER_2,
		.srcStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT,
		.srcAccessMask = VK_ACCESS_2_MEMORY_WRITE_BIT,
		.dstStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT,
		.dstAccessMask = VK_ACCESS_2_MEMORY_READ_BIT | VK_ACCESS_2_MEMORY_WRITE_BIT,
	};
	const VkDependencyInfo di = {
		.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO,
		.memoryBarrierCount = 1, .pMemoryBarriers = &mb,
	};

	vkCmdPipelineBarrier2(cb, &di);
}

static int compute(struct ctx *c)
{
	const VkSemaphoreTypeCreateInfo tci = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
		.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE, .initialValue = 1,
	};
	VkSemaphoreCreateInfo sci = { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO };
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkCommandPoolCreateInfo cpci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
	};
	VkQueryPoolCreateInfo qpci = {
		.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
		.queryType = VK_QUERY_TYPE_TIMESTAMP, .queryCount = 2,
	};
	const uint32_t add = ADD, groups[3] = { 5, 1, 1 };
	uint32_t *out = (uint32_t *)(c->map + OFF_OUT), *res = (uint32_t *)(c->map + OFF_RES);
	VkSemaphore bin, tl;
	VkFence fence;
	VkCommandBuffer cb1, cb2, cb3;
	uint64_t ts[2] = { 0 }, v = 0;
	VkPipelineStageFlags stage = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT;
	uint32_t bad = 0;
	VkResult r;

	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpci, NULL, &c->cp));
	VK_OK("query pool", vkCreateQueryPool(c->dev, &qpci, NULL, &c->qp));
	VK_OK("binary semaphore", vkCreateSemaphore(c->dev, &sci, NULL, &bin));
	sci.pNext = &tci;
	VK_OK("timeline semaphore", vkCreateSemaphore(c->dev, &sci, NULL, &tl));
	VK_OK("fence", vkCreateFence(c->dev, &fci, NULL, &fence));

	/* Batch 1: fill, update the uniform and the indirect counts, two dispatches. */
	cb1 = begin(c);
	vkCmdFillBuffer(cb1, c->out, 0, VK_WHOLE_SIZE, 0xffffffffu);
	vkCmdUpdateBuffer(cb1, c->uni, 256, 4, &add);
	vkCmdUpdateBuffer(cb1, c->ind, 0, sizeof(groups), groups);
	barrier2(cb1);
	bind_all(c, cb1, 7);
	vkCmdDispatch(cb1, 2, 1, 1);			/* 0 .. 127 */
	vkCmdDispatchBase(cb1, 2, 0, 0, 2, 1, 1);	/* 128 .. 255 */
	VK_OK("end 1", vkEndCommandBuffer(cb1));
	{
		VkSubmitInfo si = {
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
			.pCommandBuffers = &cb1, .signalSemaphoreCount = 1,
			.pSignalSemaphores = &bin,
		};

		VK_OK("submit 1", vkQueueSubmit(c->q, 1, &si, VK_NULL_HANDLE));
	}
	/* Batch 2 waits for batch 1: indirect dispatch over everything, copy. */
	cb2 = begin(c);
	vkCmdResetQueryPool(cb2, c->qp, 0, 2);
	vkCmdWriteTimestamp(cb2, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, c->qp, 0);
	bind_all(c, cb2, 100);
	vkCmdDispatchIndirect(cb2, c->ind, 0);
	barrier2(cb2);
	{
		const VkBufferCopy bc = { 0, 0, N * 4 };

		vkCmdCopyBuffer(cb2, c->out, c->res, 1, &bc);
	}
	vkCmdWriteTimestamp(cb2, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, c->qp, 1);
	/* Both results with availability into res[N..], 16 bytes apart. */
	vkCmdCopyQueryPoolResults(cb2, c->qp, 0, 2, c->res, N * 4, 16,
				  VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT |
				  VK_QUERY_RESULT_WAIT_BIT);
	VK_OK("end 2", vkEndCommandBuffer(cb2));
	{
		const VkSemaphoreSubmitInfo wait = {
			.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, .semaphore = bin,
			.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT,
		};
		const VkSemaphoreSubmitInfo sig = {
			.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, .semaphore = tl,
			.value = 5, .stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT,
		};
		const VkCommandBufferSubmitInfo cbi = {
			.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO, .commandBuffer = cb2,
		};
		const VkSubmitInfo2 si2 = {
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2,
			.waitSemaphoreInfoCount = 1, .pWaitSemaphoreInfos = &wait,
			.commandBufferInfoCount = 1, .pCommandBufferInfos = &cbi,
			.signalSemaphoreInfoCount = 1, .pSignalSemaphoreInfos = &sig,
		};

		VK_OK("submit 2", vkQueueSubmit2(c->q, 1, &si2, fence));
	}
	r = vkWaitForFences(c->dev, 1, &fence, VK_TRUE, 30ull * 1000000000ull);
	expect("fence signalled after the two batches", r, VK_SUCCESS);
	for (uint32_t i = 0; i < N; i++)
		bad += res[i] != i * MUL + ADD + 100;
	check("indirect dispatch over all, then copy: results", !bad,
	      "%u wrong, res[0]=%u res[%u]=%u", bad, res[0], N - 1, res[N - 1]);
	r = vkGetQueryPoolResults(c->dev, c->qp, 0, 2, sizeof(ts), ts, 8,
				  VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
	check("timestamps: two, increasing", r == VK_SUCCESS && ts[0] && ts[1] >= ts[0],
	      "r %d t0 %llu t1 %llu", r, (unsigned long long)ts[0],
	      (unsigned long long)ts[1]);
	{
		uint64_t q[4];

		memcpy(q, c->map + OFF_RES + N * 4, sizeof(q));
		check("vkCmdCopyQueryPoolResults: the values and their availability",
		      q[0] == ts[0] && q[1] == 1 && q[2] == ts[1] && q[3] == 1,
		      "%llu/%llu %llu/%llu", (unsigned long long)q[0], (unsigned long long)q[1],
		      (unsigned long long)q[2], (unsigned long long)q[3]);
	}
	VK_OK("timeline value", vkGetSemaphoreCounterValue(c->dev, tl, &v));
	check("timeline semaphore reached 5", v == 5, "value %llu", (unsigned long long)v);

	/* Batch 1 alone, again: the base dispatch wrote 128..255, not past it. */
	VK_OK("reset fence", vkResetFences(c->dev, 1, &fence));
	expect("reset fence is not signalled", vkGetFenceStatus(c->dev, fence), VK_NOT_READY);
	{
		VkSubmitInfo si = {
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
			.pCommandBuffers = &cb1,
		};

		VK_OK("resubmit 1", vkQueueSubmit(c->q, 1, &si, fence));
	}
	expect("resubmitted batch completes",
	       vkWaitForFences(c->dev, 1, &fence, VK_TRUE, 30ull * 1000000000ull), VK_SUCCESS);
	bad = 0;
	for (uint32_t i = 0; i < N; i++)
		bad += out[i] != (i < 256 ? i * MUL + ADD + 7 : 0xffffffffu);
	check("dispatch and dispatch base with a dynamic uniform: results", !bad,
	      "%u wrong, out[0]=%u out[200]=%u out[300]=%u", bad, out[0], out[200], out[300]);

	/* A GPU wait on a timeline value only the CPU will signal. */
	VK_OK("reset fence", vkResetFences(c->dev, 1, &fence));
	cb3 = begin(c);
	vkCmdFillBuffer(cb3, c->res, 0, 64, 0x12345678u);
	VK_OK("end 3", vkEndCommandBuffer(cb3));
	{
		const uint64_t wv = 10;
		const VkTimelineSemaphoreSubmitInfo tsi = {
			.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
			.waitSemaphoreValueCount = 1, .pWaitSemaphoreValues = &wv,
		};
		VkSubmitInfo si = {
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .pNext = &tsi,
			.waitSemaphoreCount = 1, .pWaitSemaphores = &tl,
			.pWaitDstStageMask = &stage,
			.commandBufferCount = 1, .pCommandBuffers = &cb3,
		};
		const VkSemaphoreSignalInfo ssi = {
			.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, .semaphore = tl,
			.value = 10,
		};
		const VkSemaphoreWaitInfo swi = {
			.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, .semaphoreCount = 1,
			.pSemaphores = &tl, .pValues = &wv,
		};

		VK_OK("submit 3", vkQueueSubmit(c->q, 1, &si, fence));
		expect("the batch waits for the timeline (100 ms)",
		       vkWaitForFences(c->dev, 1, &fence, VK_TRUE, 100000000ull), VK_TIMEOUT);
		expect("vkWaitSemaphores times out before the signal",
		       vkWaitSemaphores(c->dev, &swi, 1000000ull), VK_TIMEOUT);
		VK_OK("signal from the CPU", vkSignalSemaphore(c->dev, &ssi));
		expect("vkWaitSemaphores after the signal",
		       vkWaitSemaphores(c->dev, &swi, 1000000000ull), VK_SUCCESS);
		expect("the batch runs after the CPU signal",
		       vkWaitForFences(c->dev, 1, &fence, VK_TRUE, 30ull * 1000000000ull),
		       VK_SUCCESS);
		check("its fill landed", res[0] == 0x12345678u && res[15] == 0x12345678u &&
		      res[16] == 16 * MUL + ADD + 100, "res[0]=%x res[16]=%u", res[0], res[16]);
	}
	expect("vkQueueWaitIdle", vkQueueWaitIdle(c->q), VK_SUCCESS);
	expect("vkDeviceWaitIdle", vkDeviceWaitIdle(c->dev), VK_SUCCESS);
	vkDestroyFence(c->dev, fence, NULL);
	vkDestroySemaphore(c->dev, bin, NULL);
	vkDestroySemaphore(c->dev, tl, NULL);
	return 0;
}

static void destroy(struct ctx *c)
{
	vkDestroyQueryPool(c->dev, c->qp, NULL);
	vkDestroyCommandPool(c->dev, c->cp, NULL);
	vkDestroyDescriptorPool(c->dev, c->dp, NULL);
	vkDestroyPipeline(c->dev, c->pipe, NULL);
	vkDestroyPipelineLayout(c->dev, c->pl, NULL);
	vkDestroyDescriptorSetLayout(c->dev, c->sl[0], NULL);
	vkDestroyDescriptorSetLayout(c->dev, c->sl[1], NULL);
	vkDestroyBuffer(c->dev, c->in, NULL);
	vkDestroyBuffer(c->dev, c->out, NULL);
	vkDestroyBuffer(c->dev, c->uni, NULL);
	vkDestroyBuffer(c->dev, c->ind, NULL);
	vkDestroyBuffer(c->dev, c->res, NULL);
	vkFreeMemory(c->dev, c->mem, NULL);
	vkDestroyDevice(c->dev, NULL);
	/* Only the instance stays: the next round makes everything anew. */
	*c = (struct ctx) { .inst = c->inst, .pd = c->pd, .messenger = c->messenger };
}

/*
 * A descriptor update template writes set 0 as vkUpdateDescriptorSets
 * would; events are set and reset by the CPU and by commands.
 */
static int templates_and_events(struct ctx *c)
{
	struct { VkDescriptorBufferInfo in, uni; } data = {
		{ c->in, 0, VK_WHOLE_SIZE }, { c->uni, 0, 16 },
	};
	const VkDescriptorUpdateTemplateEntry te[2] = {
		{ 0, 0, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 0, 0 },
		{ 2, 0, 1, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC,
		  offsetof(__typeof__(data), uni), 0 },
	};
	const VkDescriptorUpdateTemplateCreateInfo tci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO,
		.descriptorUpdateEntryCount = 2, .pDescriptorUpdateEntries = te,
		.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET,
		.descriptorSetLayout = c->sl[0],
	};
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = c->dp, .descriptorSetCount = 1, .pSetLayouts = &c->sl[0],
	};
	const VkEventCreateInfo eci = { .sType = VK_STRUCTURE_TYPE_EVENT_CREATE_INFO };
	const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	uint32_t *out = (uint32_t *)(c->map + OFF_OUT), bad = 0;
	VkDescriptorUpdateTemplate tmpl;
	VkDescriptorSet set, keep;
	VkCommandBuffer cb;
	VkEvent ev;
	VkFence fence;

	VK_OK("update template", vkCreateDescriptorUpdateTemplate(c->dev, &tci, NULL, &tmpl));
	VK_OK("descriptor set", vkAllocateDescriptorSets(c->dev, &dsai, &set));
	vkUpdateDescriptorSetWithTemplate(c->dev, set, tmpl, &data);
	VK_OK("event", vkCreateEvent(c->dev, &eci, NULL, &ev));
	expect("a new event is reset", vkGetEventStatus(c->dev, ev), VK_EVENT_RESET);
	VK_OK("vkSetEvent", vkSetEvent(c->dev, ev));
	expect("vkSetEvent sets it", vkGetEventStatus(c->dev, ev), VK_EVENT_SET);
	VK_OK("vkResetEvent", vkResetEvent(c->dev, ev));
	expect("vkResetEvent resets it", vkGetEventStatus(c->dev, ev), VK_EVENT_RESET);
	VK_OK("fence", vkCreateFence(c->dev, &fci, NULL, &fence));
	cb = begin(c);
	vkCmdFillBuffer(cb, c->out, 0, VK_WHOLE_SIZE, 0);
	vkCmdSetEvent(cb, ev, VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdWaitEvents(cb, 1, &ev, VK_PIPELINE_STAGE_TRANSFER_BIT,
			VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, NULL, 0, NULL, 0, NULL);
	keep = c->ds[0];
	c->ds[0] = set;
	bind_all(c, cb, 21);
	c->ds[0] = keep;
	vkCmdDispatch(cb, (N + 63) / 64, 1, 1);
	VK_OK("end", vkEndCommandBuffer(cb));
	{
		VkSubmitInfo si = {
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
			.pCommandBuffers = &cb,
		};

		VK_OK("submit", vkQueueSubmit(c->q, 1, &si, fence));
	}
	expect("the batch completes",
	       vkWaitForFences(c->dev, 1, &fence, VK_TRUE, 30ull * 1000000000ull), VK_SUCCESS);
	expect("vkCmdSetEvent set it", vkGetEventStatus(c->dev, ev), VK_EVENT_SET);
	for (uint32_t i = 0; i < N; i++)
		bad += out[i] != i * MUL + ADD + 21;
	check("a set written by an update template: results", !bad,
	      "%u wrong, out[0]=%u", bad, out[0]);
	vkDestroyFence(c->dev, fence, NULL);
	vkDestroyEvent(c->dev, ev, NULL);
	vkFreeDescriptorSets(c->dev, c->dp, 1, &set);
	vkDestroyDescriptorUpdateTemplate(c->dev, tmpl, NULL);
	return 0;
}

/*
 * Device-local memory: not CPU-visible (mapping it fails), filled and read
 * back by copies, and bound to the kernel like any buffer.
 */
static int device_local(struct ctx *c)
{
	const VkBufferUsageFlags sb = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
		VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
	/* Device-only memory (opendxg's); any device-local type elsewhere. */
	int type = memory_type(c, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
			       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
	bool device_only = type >= 0;
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = 3 * 4096,
	};
	const uint32_t groups[3] = { (N + 63) / 64, 1, 1 };
	VkDescriptorSetLayout l[2] = { c->sl[0], c->sl[1] };
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = c->dp, .descriptorSetCount = 2, .pSetLayouts = l,
	};
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	uint32_t *res = (uint32_t *)(c->map + OFF_RES), bad = 0;
	VkDeviceMemory dmem;
	VkBuffer din, dout, dind;
	VkDescriptorSet ds[2], keep[2];
	VkCommandBuffer cb;
	VkFence fence;
	void *p = NULL;

	if (type < 0)
		type = memory_type(c, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0);
	if (type < 0) {
		fail("device-local memory type", "none");
		return -1;
	}
	mai.memoryTypeIndex = (uint32_t)type;
	VK_OK("allocate device-local memory", vkAllocateMemory(c->dev, &mai, NULL, &dmem));
	/* Mapping it is invalid usage: not tried under the validation layer. */
	if (device_only && !validating())
		check("device-local memory cannot be mapped",
		      vkMapMemory(c->dev, dmem, 0, VK_WHOLE_SIZE, 0, &p) ==
		      VK_ERROR_MEMORY_MAP_FAILED, "mapped at %p", p);
	if (make_buffer_in(c, dmem, &din, 0, N * 4, sb) ||
	    make_buffer_in(c, dmem, &dout, 4096, N * 4, sb) ||
	    make_buffer_in(c, dmem, &dind, 8192, 12, VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT |
			   VK_BUFFER_USAGE_TRANSFER_DST_BIT))
		return -1;
	VK_OK("descriptor sets", vkAllocateDescriptorSets(c->dev, &dsai, ds));
	{
		VkDescriptorBufferInfo bi[3] = {
			{ din, 0, VK_WHOLE_SIZE }, { c->uni, 0, 16 }, { dout, 0, N * 4 },
		};
		VkWriteDescriptorSet w[3] = {
			{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = ds[0],
			  .dstBinding = 0, .descriptorCount = 1,
			  .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			  .pBufferInfo = &bi[0] },
			{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = ds[0],
			  .dstBinding = 2, .descriptorCount = 1,
			  .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC,
			  .pBufferInfo = &bi[1] },
			{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = ds[1],
			  .dstBinding = 1, .descriptorCount = 1,
			  .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			  .pBufferInfo = &bi[2] },
		};

		vkUpdateDescriptorSets(c->dev, 3, w, 0, NULL);
	}
	VK_OK("fence", vkCreateFence(c->dev, &fci, NULL, &fence));
	memset(res, 0, N * 4);
	cb = begin(c);
	{
		const VkBufferCopy in = { 0, 0, N * 4 }, out = { 0, 0, N * 4 };

		/*
		 * in (host) -> din (device); the kernel, its group counts in
		 * device memory too; dout (device) -> res (host).
		 */
		vkCmdCopyBuffer(cb, c->in, din, 1, &in);
		vkCmdFillBuffer(cb, dout, 0, VK_WHOLE_SIZE, 0xffffffffu);
		vkCmdUpdateBuffer(cb, dind, 0, sizeof(groups), groups);
		barrier2(cb);
		keep[0] = c->ds[0];
		keep[1] = c->ds[1];
		c->ds[0] = ds[0];
		c->ds[1] = ds[1];
		bind_all(c, cb, 11);
		c->ds[0] = keep[0];
		c->ds[1] = keep[1];
		vkCmdDispatchIndirect(cb, dind, 0);
		barrier2(cb);
		vkCmdCopyBuffer(cb, dout, c->res, 1, &out);
	}
	VK_OK("end", vkEndCommandBuffer(cb));
	{
		VkSubmitInfo si = {
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
			.pCommandBuffers = &cb,
		};

		VK_OK("submit", vkQueueSubmit(c->q, 1, &si, fence));
	}
	expect("the device-local batch completes",
	       vkWaitForFences(c->dev, 1, &fence, VK_TRUE, 30ull * 1000000000ull), VK_SUCCESS);
	for (uint32_t i = 0; i < N; i++)
		bad += res[i] != i * MUL + ADD + 11;
	check("a kernel on device-local buffers, counts from device memory, copied in and out: results", !bad,
	      "%u wrong, res[0]=%u res[%u]=%u", bad, res[0], N - 1, res[N - 1]);
	vkDestroyFence(c->dev, fence, NULL);
	vkFreeDescriptorSets(c->dev, c->dp, 2, ds);
	vkDestroyBuffer(c->dev, din, NULL);
	vkDestroyBuffer(c->dev, dout, NULL);
	vkDestroyBuffer(c->dev, dind, NULL);
	vkFreeMemory(c->dev, dmem, NULL);
	return 0;
}

/*
 * Secondary command buffers: a fill and the kernel, each recorded in a
 * secondary of its own, executed by a primary in that order.
 */
static int secondaries(struct ctx *c)
{
	VkCommandBufferAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = c->cp, .level = VK_COMMAND_BUFFER_LEVEL_SECONDARY,
		.commandBufferCount = 2,
	};
	VkCommandBufferInheritanceInfo inh = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO,
	};
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, .pInheritanceInfo = &inh,
	};
	VkSubmitInfo si = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1 };
	uint32_t *out = (uint32_t *)(c->map + OFF_OUT), bad = 0;
	VkCommandBuffer sec[2], cb;

	VK_OK("two secondary command buffers", vkAllocateCommandBuffers(c->dev, &ai, sec));
	VK_OK("begin secondary 1", vkBeginCommandBuffer(sec[0], &bi));
	vkCmdFillBuffer(sec[0], c->out, 0, VK_WHOLE_SIZE, 0xffffffffu);
	VK_OK("end secondary 1", vkEndCommandBuffer(sec[0]));
	VK_OK("begin secondary 2", vkBeginCommandBuffer(sec[1], &bi));
	bind_all(c, sec[1], 40);
	vkCmdDispatch(sec[1], N / 64, 1, 1);
	VK_OK("end secondary 2", vkEndCommandBuffer(sec[1]));
	memset(out, 0, N * 4);
	cb = begin(c);
	vkCmdExecuteCommands(cb, 1, &sec[0]);
	barrier2(cb);
	vkCmdExecuteCommands(cb, 1, &sec[1]);
	VK_OK("end the primary", vkEndCommandBuffer(cb));
	si.pCommandBuffers = &cb;
	VK_OK("submit", vkQueueSubmit(c->q, 1, &si, VK_NULL_HANDLE));
	VK_OK("wait", vkQueueWaitIdle(c->q));
	for (uint32_t i = 0; i < N; i++)
		bad += out[i] != i * MUL + ADD + 40;
	check("secondary command buffers executed by a primary: results", !bad,
	      "%u wrong, out[0]=%u", bad, out[0]);
	vkFreeCommandBuffers(c->dev, c->cp, 2, sec);
	vkFreeCommandBuffers(c->dev, c->cp, 1, &cb);
	return 0;
}

/* Invalid SPIR-V is refused; a dispatch the host cannot run loses the device. */
static int errors(struct ctx *c)
{
	static const uint32_t junk[8] = { 0x07230203, 0x00010000, 0, 9, 0, 0xdead, 0, 0 };
	VkShaderModuleCreateInfo smci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = sizeof(junk), .pCode = junk,
	};
	VkComputePipelineCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = { .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			   .stage = VK_SHADER_STAGE_COMPUTE_BIT, .pName = "main" },
	};
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkCommandPoolCreateInfo cpci = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };
	VkPipeline p = VK_NULL_HANDLE;
	VkShaderModule sm;
	VkCommandBuffer cb;
	VkFence fence;
	VkResult r;

	if (make_device(c) || make_resources(c) || make_pipeline(c) || make_sets(c))
		return -1;
	VK_OK("shader module", vkCreateShaderModule(c->dev, &smci, NULL, &sm));
	pci.stage.module = sm;
	pci.layout = c->pl;
	r = vkCreateComputePipelines(c->dev, VK_NULL_HANDLE, 1, &pci, NULL, &p);
	check("invalid SPIR-V: the pipeline is refused", r < 0 && p == VK_NULL_HANDLE,
	      "VkResult %d", r);
	vkDestroyShaderModule(c->dev, sm, NULL);

	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpci, NULL, &c->cp));
	VK_OK("fence", vkCreateFence(c->dev, &fci, NULL, &fence));
	cb = begin(c);
	bind_all(c, cb, 0);
	vkCmdDispatch(cb, 0x7fffffff, 1, 1);	/* beyond maxComputeWorkGroupCount */
	VK_OK("end", vkEndCommandBuffer(cb));
	{
		VkSubmitInfo si = {
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
			.pCommandBuffers = &cb,
		};

		r = vkQueueSubmit(c->q, 1, &si, fence);
		if (r == VK_SUCCESS)
			r = vkWaitForFences(c->dev, 1, &fence, VK_TRUE, 30ull * 1000000000ull);
	}
	expect("a dispatch the host refuses: VK_ERROR_DEVICE_LOST", r, VK_ERROR_DEVICE_LOST);
	expect("and the device stays lost", vkDeviceWaitIdle(c->dev), VK_ERROR_DEVICE_LOST);
	vkDestroyFence(c->dev, fence, NULL);
	destroy(c);
	return 0;
}

int main(void)
{
	struct ctx c = { 0 };

	if (make_device(&c) || make_resources(&c) || make_pipeline(&c) ||
	    make_sets(&c) || compute(&c) || templates_and_events(&c) ||
	    device_local(&c) || secondaries(&c))
		return 1;
	destroy(&c);
	pass("every object destroyed");
	if (!validating()) {
		errors(&c);
	}
	validation_end(c.inst, c.messenger);
	vkDestroyInstance(c.inst, NULL);
	return failures ? 1 : 0;
}
