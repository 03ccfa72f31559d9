// SPDX-License-Identifier: MIT
/*
 * Descriptors through the opendxg Vulkan driver, in the guest
 * (docs/vulkan-driver.md).  Arrays of buffer descriptors: a binding of three
 * storage buffers, its elements written by one write at an array element
 * past 0 and by a copy from another set, used by a kernel that names two
 * elements by constant indices and the third by a run-time one (dynamic
 * indexing, which dxghost clamps to the array).  Push descriptors (VK_KHR_push_descriptor):
 * two pushes in one command buffer, one written, one from a template, each
 * used by the dispatch recorded after it.  The results checked.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#include "odx_array_spv.h"
#include "vktest.h"

#define N	2000u
#define BYTES	(N * 4u)
#define STRIDE	8192u			/* the buffers' offsets: aligned for any device */
#define W	(STRIDE / 4u)		/* words from one buffer to the next */

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkDeviceMemory mem;
	uint32_t *map;
	VkBuffer buf[3];
	VkDescriptorSetLayout sl;
	VkDescriptorPool dp;
	VkDescriptorSet set, other;
	VkPipelineLayout layout;
	VkShaderModule module;
	VkPipeline pipeline;
	VkCommandPool pool;
	/* Push descriptors. */
	VkDescriptorSetLayout push_sl;
	VkPipelineLayout push_layout;
	VkPipeline push_pipeline;
	VkDescriptorUpdateTemplate tmpl;
	PFN_vkCmdPushDescriptorSetKHR push;
	PFN_vkCmdPushDescriptorSetWithTemplateKHR push_tmpl;
};

static int setup(struct ctx *c)
{
	const char *ext = VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME;
	VkPhysicalDevicePushDescriptorPropertiesKHR pp = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PUSH_DESCRIPTOR_PROPERTIES_KHR,
	};
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &pp,
	};
	/* The kernel picks element 2 by a run-time index. */
	const VkPhysicalDeviceFeatures2 want = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
		.features.shaderStorageBufferArrayDynamicIndexing = VK_TRUE,
	};
	VkPhysicalDeviceFeatures f;

	if (instance_begin("test_odx_descriptors", &c->inst, &c->messenger, &c->pd))
		return -1;
	vkGetPhysicalDeviceProperties2(c->pd, &p2);
	check("maxPushDescriptors is at least the spec's 32", pp.maxPushDescriptors >= 32,
	      "%u", pp.maxPushDescriptors);
	vkGetPhysicalDeviceFeatures(c->pd, &f);
	check("storage buffer arrays indexed dynamically (lavapipe and GPUs have it)",
	      f.shaderStorageBufferArrayDynamicIndexing, "not offered");
	VK_OK("device with " VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME " and dynamic indexing",
	      device_begin(c->pd, &want, 1, &ext, &c->dev, &c->q));
	c->push = (PFN_vkCmdPushDescriptorSetKHR)
		vkGetDeviceProcAddr(c->dev, "vkCmdPushDescriptorSetKHR");
	c->push_tmpl = (PFN_vkCmdPushDescriptorSetWithTemplateKHR)
		vkGetDeviceProcAddr(c->dev, "vkCmdPushDescriptorSetWithTemplateKHR");
	if (!c->push || !c->push_tmpl) {
		fail("the push descriptor commands resolve", "NULL");
		return -1;
	}
	if (host_buffers(c->pd, c->dev, 3, BYTES, STRIDE, &c->mem, &c->map, c->buf))
		return -1;
	return 0;
}

static int make_sets(struct ctx *c)
{
	const VkDescriptorSetLayoutBinding b = {
		0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3, VK_SHADER_STAGE_COMPUTE_BIT, NULL,
	};
	VkDescriptorSetLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 1, .pBindings = &b,
	};
	VkDescriptorPoolSize ps = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 6 };
	VkDescriptorPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 2, .poolSizeCount = 1, .pPoolSizes = &ps,
	};
	VkDescriptorSetLayout two[2];
	VkDescriptorSet sets[2];
	VkDescriptorSetAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorSetCount = 2, .pSetLayouts = two,
	};
	VkDescriptorBufferInfo bi[3] = {
		{ c->buf[0], 0, VK_WHOLE_SIZE }, { c->buf[1], 0, VK_WHOLE_SIZE },
		{ c->buf[2], 0, VK_WHOLE_SIZE },
	};
	VkWriteDescriptorSet w[2] = {
		/* Elements 1 and 2 of the set the kernel uses, in one write. */
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 0,
		  .dstArrayElement = 1, .descriptorCount = 2,
		  .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &bi[1] },
		/* Element 0 of the other set, copied over below. */
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 0,
		  .dstArrayElement = 2, .descriptorCount = 1,
		  .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &bi[0] },
	};
	VkCopyDescriptorSet cp = {
		.sType = VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET,
		.srcBinding = 0, .srcArrayElement = 2,
		.dstBinding = 0, .dstArrayElement = 0, .descriptorCount = 1,
	};

	VK_OK("set layout: a binding of 3 storage buffers",
	      vkCreateDescriptorSetLayout(c->dev, &lci, NULL, &c->sl));
	VK_OK("descriptor pool", vkCreateDescriptorPool(c->dev, &pci, NULL, &c->dp));
	two[0] = two[1] = c->sl;
	ai.descriptorPool = c->dp;
	VK_OK("two sets", vkAllocateDescriptorSets(c->dev, &ai, sets));
	c->set = sets[0];
	c->other = sets[1];
	w[0].dstSet = c->set;
	w[1].dstSet = c->other;
	cp.srcSet = c->other;
	cp.dstSet = c->set;
	vkUpdateDescriptorSets(c->dev, 2, w, 1, &cp);
	pass("descriptor array elements written past element 0 and copied");
	return 0;
}

static int make_pipeline(struct ctx *c)
{
	VkPushConstantRange pr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, 4 };
	VkPipelineLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1, .pSetLayouts = &c->sl,
		.pushConstantRangeCount = 1, .pPushConstantRanges = &pr,
	};
	VkCommandPoolCreateInfo cpi = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };

	VK_OK("pipeline layout", vkCreatePipelineLayout(c->dev, &lci, NULL, &c->layout));
	VK_OK("compute pipeline over a descriptor array",
	      compute_pipeline(c->dev, odx_array_spv, sizeof(odx_array_spv), c->layout,
			       &c->module, &c->pipeline));
	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpi, NULL, &c->pool));
	pass("a pipeline whose kernel uses a descriptor array");
	return 0;
}

/* A push-descriptor layout of the same binding, its pipeline and a template. */
static int make_push(struct ctx *c)
{
	const VkDescriptorSetLayoutBinding b = {
		0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3, VK_SHADER_STAGE_COMPUTE_BIT, NULL,
	};
	VkDescriptorSetLayoutCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR,
		.bindingCount = 1, .pBindings = &b,
	};
	VkPushConstantRange pr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, 4 };
	VkPipelineLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1, .pushConstantRangeCount = 1, .pPushConstantRanges = &pr,
	};
	const VkDescriptorUpdateTemplateEntry e = {
		.dstBinding = 0, .dstArrayElement = 0, .descriptorCount = 3,
		.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.offset = 0, .stride = sizeof(VkDescriptorBufferInfo),
	};
	VkDescriptorUpdateTemplateCreateInfo tci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO,
		.descriptorUpdateEntryCount = 1, .pDescriptorUpdateEntries = &e,
		.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_PUSH_DESCRIPTORS_KHR,
		.pipelineBindPoint = VK_PIPELINE_BIND_POINT_COMPUTE, .set = 0,
	};

	VK_OK("push descriptor set layout",
	      vkCreateDescriptorSetLayout(c->dev, &sci, NULL, &c->push_sl));
	lci.pSetLayouts = &c->push_sl;
	VK_OK("its pipeline layout", vkCreatePipelineLayout(c->dev, &lci, NULL, &c->push_layout));
	/* The module made for the first pipeline. */
	VK_OK("its pipeline", compute_pipeline(c->dev, NULL, 0, c->push_layout, &c->module,
					       &c->push_pipeline));
	tci.pipelineLayout = c->push_layout;
	VK_OK("a push descriptor update template",
	      vkCreateDescriptorUpdateTemplate(c->dev, &tci, NULL, &c->tmpl));
	return 0;
}

/*
 * Two pushes in one buffer: elements 1 and 2 swapped over all N, then in
 * order (a template) over the first half.  The second half keeps what the
 * first dispatch wrote: each dispatch used the push before it.
 */
static int run_push(struct ctx *c)
{
	const VkDescriptorBufferInfo swapped[3] = {
		{ c->buf[0], 0, VK_WHOLE_SIZE }, { c->buf[2], 0, VK_WHOLE_SIZE },
		{ c->buf[1], 0, VK_WHOLE_SIZE },
	};
	const VkDescriptorBufferInfo in_order[3] = {
		{ c->buf[0], 0, VK_WHOLE_SIZE }, { c->buf[1], 0, VK_WHOLE_SIZE },
		{ c->buf[2], 0, VK_WHOLE_SIZE },
	};
	const VkWriteDescriptorSet w = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 0,
		.descriptorCount = 3, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.pBufferInfo = swapped,
	};
	const VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
	};
	const uint32_t all = N, half = N / 2;
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);

	if (!cb)
		return -1;
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->push_pipeline);
	c->push(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->push_layout, 0, 1, &w);
	vkCmdPushConstants(cb, c->push_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &all);
	vkCmdDispatch(cb, (N + 63) / 64, 1, 1);
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
			     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
	c->push_tmpl(cb, c->tmpl, c->push_layout, 0, in_order);
	vkCmdPushConstants(cb, c->push_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &half);
	vkCmdDispatch(cb, (N + 63) / 64, 1, 1);
	return run_and_free(c->dev, c->q, c->pool, cb);
}

static void test_push(struct ctx *c)
{
	uint32_t bad = 0, first = N;

	if (make_push(c))
		return;
	for (uint32_t i = 0; i < N; i++) {
		c->map[i] = 3 * i;
		c->map[W + i] = c->map[2 * W + i] = 0xdeadbeefu;
	}
	if (run_push(c))
		return;
	for (uint32_t i = 0; i < N; i++) {
		uint32_t x = 3 * i;
		bool ok = i < N / 2 ? c->map[W + i] == 2 * x && c->map[2 * W + i] == x + 7 :
				      c->map[W + i] == x + 7 && c->map[2 * W + i] == 2 * x;

		if (!ok && !bad++)
			first = i;
	}
	check("push descriptors: each dispatch used the push recorded before it", !bad,
	      "%u wrong, first %u: %#x %#x", bad, first, first < N ? c->map[W + first] : 0,
	      first < N ? c->map[2 * W + first] : 0);
}

static int run(struct ctx *c)
{
	const uint32_t n = N;
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);

	if (!cb)
		return -1;
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->layout, 0, 1, &c->set,
				0, NULL);
	vkCmdPushConstants(cb, c->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &n);
	vkCmdDispatch(cb, (N + 63) / 64, 1, 1);
	return run_and_free(c->dev, c->q, c->pool, cb);
}

static void cleanup(struct ctx *c)
{
	if (!c->dev)
		return;
	vkDestroyPipeline(c->dev, c->pipeline, NULL);
	vkDestroyPipeline(c->dev, c->push_pipeline, NULL);
	vkDestroyDescriptorUpdateTemplate(c->dev, c->tmpl, NULL);
	vkDestroyPipelineLayout(c->dev, c->push_layout, NULL);
	vkDestroyDescriptorSetLayout(c->dev, c->push_sl, NULL);
	vkDestroyShaderModule(c->dev, c->module, NULL);
	vkDestroyPipelineLayout(c->dev, c->layout, NULL);
	vkDestroyCommandPool(c->dev, c->pool, NULL);
	vkDestroyDescriptorPool(c->dev, c->dp, NULL);
	vkDestroyDescriptorSetLayout(c->dev, c->sl, NULL);
	for (uint32_t i = 0; i < 3; i++)
		vkDestroyBuffer(c->dev, c->buf[i], NULL);
	vkFreeMemory(c->dev, c->mem, NULL);
	vkDestroyDevice(c->dev, NULL);
}

int main(void)
{
	struct ctx c = { 0 };

	if (!setup(&c) && !make_sets(&c) && !make_pipeline(&c)) {
		uint32_t bad = 0, first = N;

		for (uint32_t i = 0; i < N; i++) {
			c.map[i] = i + 1;
			c.map[W + i] = c.map[2 * W + i] = 0xdeadbeefu;
		}
		if (!run(&c)) {
			for (uint32_t i = 0; i < N; i++)
				if ((c.map[W + i] != 2 * (i + 1) || c.map[2 * W + i] != i + 8) &&
				    !bad++)
					first = i;
			check("each element reached its own buffer (element 0 from the copy)",
			      !bad, "%u wrong, first %u: %#x %#x", bad, first,
			      first < N ? c.map[W + first] : 0, first < N ? c.map[2 * W + first] : 0);
		}
		test_push(&c);
	}
	cleanup(&c);
	return program_end("test_odx_descriptors", c.inst, c.messenger);
}
