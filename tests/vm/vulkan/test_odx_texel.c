// SPDX-License-Identifier: MIT
/*
 * Texel buffers through the opendxg Vulkan driver (docs/vulkan-driver.md):
 * the formats Vulkan requires for them offered (R8G8B8A8_UNORM uniform,
 * R32_UINT storage with atomics), alike in VkFormatProperties3; buffer
 * views of three formats, one of VK_WHOLE_SIZE; a set written by a write
 * and a template, a second set copied from it binding by binding; a kernel reading two
 * uniform texel buffers and writing a storage one and an atomic counter,
 * each result checked; a storage texel buffer the shader declares but never
 * uses left unwritten.
 *
 * Plain Vulkan: it also runs on the host's lavapipe (meson test), and under
 * the validation layer with ODX_VALIDATE=1.
 */
#include <stdint.h>

#include "odx_texel_spv.h"
#include "vktest.h"

#define N	1000u
#define STRIDE	65536u		/* the buffers' offsets in the allocation */

enum { SRC, DST, COUNT, INDEX, NBUF };

static const VkFormat formats[NBUF] = {
	VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_UINT, VK_FORMAT_R32_UINT, VK_FORMAT_R16_UINT,
};
static const VkDescriptorType types[NBUF] = {
	VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER,
	VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
};

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkDeviceMemory mem;
	uint8_t *map;
	VkBuffer buf[NBUF];
	VkBufferView view[NBUF];
	VkDescriptorSetLayout sl;
	VkDescriptorPool dp;
	VkDescriptorSet set[2];
	VkDescriptorUpdateTemplate tmpl;
	VkPipelineLayout layout;
	VkShaderModule module;
	VkPipeline pipeline;
	VkCommandPool pool;
};

static void test_offered(VkPhysicalDevice pd)
{
	VkFormatProperties3 p3 = { .sType = VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_3 };
	VkFormatProperties2 p2 = { .sType = VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_2, .pNext = &p3 };
	VkFormatProperties u, s, i16;

	vkGetPhysicalDeviceFormatProperties(pd, VK_FORMAT_R8G8B8A8_UNORM, &u);
	vkGetPhysicalDeviceFormatProperties(pd, VK_FORMAT_R32_UINT, &s);
	vkGetPhysicalDeviceFormatProperties(pd, VK_FORMAT_R16_UINT, &i16);
	check("R8G8B8A8_UNORM can be a uniform texel buffer (Vulkan requires it)",
	      u.bufferFeatures & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT, "0x%x",
	      u.bufferFeatures);
	check("R32_UINT can be a storage texel buffer with atomics (Vulkan requires it)",
	      (s.bufferFeatures & VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT) &&
	      (s.bufferFeatures & VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_ATOMIC_BIT), "0x%x",
	      s.bufferFeatures);
	check("R16_UINT can be a uniform texel buffer (Vulkan requires it)",
	      i16.bufferFeatures & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT, "0x%x",
	      i16.bufferFeatures);
	vkGetPhysicalDeviceFormatProperties2(pd, VK_FORMAT_R32_UINT, &p2);
	/* Flags 2 may add bits of its own (reads and writes without a format). */
	check("VkFormatProperties3 says the same of R32_UINT's buffers",
	      (p3.bufferFeatures & 0xffffffffu) == s.bufferFeatures &&
	      p2.formatProperties.bufferFeatures == s.bufferFeatures,
	      "3: 0x%llx, 2: 0x%x, 1: 0x%x", (unsigned long long)p3.bufferFeatures,
	      p2.formatProperties.bufferFeatures, s.bufferFeatures);
	{
		VkPhysicalDeviceFeatures f;
		VkFormatFeatureFlags2 want = 0;

		vkGetPhysicalDeviceFeatures(pd, &f);
		if (f.shaderStorageImageReadWithoutFormat)
			want |= VK_FORMAT_FEATURE_2_STORAGE_READ_WITHOUT_FORMAT_BIT;
		if (f.shaderStorageImageWriteWithoutFormat)
			want |= VK_FORMAT_FEATURE_2_STORAGE_WRITE_WITHOUT_FORMAT_BIT;
		check("R32_UINT's flags 2: reads and writes without a format as the features say",
		      (p3.bufferFeatures & want) == want, "features read %u write %u, 0x%llx",
		      f.shaderStorageImageReadWithoutFormat, f.shaderStorageImageWriteWithoutFormat,
		      (unsigned long long)p3.bufferFeatures);
	}
}

static int setup(struct ctx *c)
{
	VkCommandPoolCreateInfo cpi = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };
	VkPhysicalDeviceMemoryProperties mp;
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = NBUF * STRIDE,
		.memoryTypeIndex = UINT32_MAX,
	};

	if (instance_begin("test_odx_texel", &c->inst, &c->messenger, &c->pd))
		return -1;
	test_offered(c->pd);
	VK_OK("device", device_begin(c->pd, NULL, 0, NULL, &c->dev, &c->q));
	vkGetPhysicalDeviceMemoryProperties(c->pd, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount && mai.memoryTypeIndex == UINT32_MAX; i++)
		if (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)
			mai.memoryTypeIndex = i;
	VK_OK("host-visible memory", vkAllocateMemory(c->dev, &mai, NULL, &c->mem));
	VK_OK("map", vkMapMemory(c->dev, c->mem, 0, VK_WHOLE_SIZE, 0, (void **)&c->map));
	for (uint32_t i = 0; i < NBUF; i++) {
		const VkBufferCreateInfo bci = {
			.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = STRIDE / 2,
			.usage = types[i] == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER ?
				 VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT :
				 VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT,
		};
		/* The counter's view is 4 texels; the source's all the buffer. */
		VkBufferViewCreateInfo vci = {
			.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO, .format = formats[i],
			.range = i == COUNT ? 16 : i == SRC ? VK_WHOLE_SIZE :
				 i == INDEX ? 2 * N : 4 * N,
		};

		VK_OK("texel buffer", vkCreateBuffer(c->dev, &bci, NULL, &c->buf[i]));
		VK_OK("bind", vkBindBufferMemory(c->dev, c->buf[i], c->mem, i * STRIDE));
		vci.buffer = c->buf[i];
		VK_OK("buffer view", vkCreateBufferView(c->dev, &vci, NULL, &c->view[i]));
	}
	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpi, NULL, &c->pool));
	return 0;
}

static int make_sets(struct ctx *c)
{
	/* Binding NBUF: the shader's unused `spare`, never written. */
	VkDescriptorSetLayoutBinding b[NBUF + 1];
	const VkDescriptorSetLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = NBUF + 1, .pBindings = b,
	};
	const VkDescriptorPoolSize ps[2] = {
		{ VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 4 },
		{ VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, 6 },
	};
	const VkDescriptorPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 2, .poolSizeCount = 2, .pPoolSizes = ps,
	};
	VkDescriptorSetLayout two[2];
	VkDescriptorSetAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorSetCount = 2, .pSetLayouts = two,
	};
	/* The template writes bindings 2 and 3 from views at 0 and 16 of its data. */
	const VkDescriptorUpdateTemplateEntry e[2] = {
		{ COUNT, 0, 1, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, 0, 0 },
		{ INDEX, 0, 1, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 16, 0 },
	};
	VkDescriptorUpdateTemplateCreateInfo tci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO,
		.descriptorUpdateEntryCount = 2, .pDescriptorUpdateEntries = e,
		.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET,
	};
	const VkPushConstantRange pr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, 4 };
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
		.pushConstantRangeCount = 1, .pPushConstantRanges = &pr,
	};

	for (uint32_t i = 0; i < NBUF; i++)
		b[i] = (VkDescriptorSetLayoutBinding) {
			i, types[i], 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL,
		};
	b[NBUF] = (VkDescriptorSetLayoutBinding) {
		NBUF, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL,
	};
	VK_OK("set layout of uniform and storage texel buffers",
	      vkCreateDescriptorSetLayout(c->dev, &lci, NULL, &c->sl));
	VK_OK("pool", vkCreateDescriptorPool(c->dev, &pci, NULL, &c->dp));
	two[0] = two[1] = c->sl;
	ai.descriptorPool = c->dp;
	VK_OK("two sets", vkAllocateDescriptorSets(c->dev, &ai, c->set));
	tci.descriptorSetLayout = c->sl;
	VK_OK("an update template of texel buffer views",
	      vkCreateDescriptorUpdateTemplate(c->dev, &tci, NULL, &c->tmpl));
	plci.pSetLayouts = &c->sl;
	VK_OK("pipeline layout", vkCreatePipelineLayout(c->dev, &plci, NULL, &c->layout));
	VK_OK("a pipeline of texel buffers",
	      compute_pipeline(c->dev, odx_texel_spv, sizeof(odx_texel_spv), c->layout,
			       &c->module, &c->pipeline));
	return 0;
}

/* Set 0: bindings 0-1 by a write, 2-3 by the template; set 1 copied from it. */
static void fill_sets(struct ctx *c)
{
	VkBufferView tdata[4] = { c->view[COUNT], VK_NULL_HANDLE, c->view[INDEX], VK_NULL_HANDLE };
	const VkWriteDescriptorSet w[2] = {
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = c->set[0],
		  .dstBinding = SRC, .descriptorCount = 1, .descriptorType = types[SRC],
		  .pTexelBufferView = &c->view[SRC] },
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = c->set[0],
		  .dstBinding = DST, .descriptorCount = 1, .descriptorType = types[DST],
		  .pTexelBufferView = &c->view[DST] },
	};
	VkCopyDescriptorSet cp[NBUF];

	/* One copy per binding: a copy may not run on into one of another type. */
	for (uint32_t i = 0; i < NBUF; i++)
		cp[i] = (VkCopyDescriptorSet) {
			.sType = VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET, .srcSet = c->set[0],
			.srcBinding = i, .dstSet = c->set[1], .dstBinding = i,
			.descriptorCount = 1,
		};
	vkUpdateDescriptorSets(c->dev, 2, w, 0, NULL);
	vkUpdateDescriptorSetWithTemplate(c->dev, c->set[0], c->tmpl, tdata);
	vkUpdateDescriptorSets(c->dev, 0, NULL, NBUF, cp);
}

/* The kernel with set @s; 0 or -1. */
static int run(struct ctx *c, uint32_t s)
{
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);
	const uint32_t n = N;

	if (!cb)
		return -1;
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->layout, 0, 1,
				&c->set[s], 0, NULL);
	vkCmdPushConstants(cb, c->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &n);
	vkCmdDispatch(cb, (N + 63) / 64, 1, 1);
	return run_and_free(c->dev, c->q, c->pool, cb);
}

static void test_texel(struct ctx *c)
{
	uint8_t *src = c->map + SRC * STRIDE;
	uint32_t *dst = (uint32_t *)(c->map + DST * STRIDE);
	uint32_t *count = (uint32_t *)(c->map + COUNT * STRIDE);
	uint16_t *index = (uint16_t *)(c->map + INDEX * STRIDE);

	for (uint32_t i = 0; i < 4 * N; i++)
		src[i] = (uint8_t)(7 * i);
	for (uint32_t i = 0; i < N; i++)
		index[i] = (uint16_t)(i * 7 % N);
	fill_sets(c);
	for (uint32_t s = 0; s < 2; s++) {
		uint32_t bad = 0, first = N;

		memset(dst, 0xff, 4 * N);
		count[0] = 9;
		if (run(c, s))
			return;
		for (uint32_t i = 0; i < N; i++) {
			uint32_t want = 0;

			for (uint32_t k = 0; k < 4; k++)
				want += (k + 1) * src[4 * index[i] + k];
			if (dst[i] != want && !bad++)
				first = i;
		}
		check(s ? "set 1 (copied): every texel read, converted and written" :
			  "set 0 (a write and a template): every texel read, converted and written",
		      !bad, "%u wrong, first %u: %u", bad, first, first < N ? dst[first] : 0);
		check(s ? "set 1: the image atomic counted every invocation" :
			  "set 0: the image atomic counted every invocation",
		      count[0] == 9 + N, "%u, want %u", count[0], 9 + N);
	}
}

static void cleanup(struct ctx *c)
{
	if (!c->dev)
		return;
	vkDestroyPipeline(c->dev, c->pipeline, NULL);
	vkDestroyShaderModule(c->dev, c->module, NULL);
	vkDestroyPipelineLayout(c->dev, c->layout, NULL);
	vkDestroyDescriptorUpdateTemplate(c->dev, c->tmpl, NULL);
	vkDestroyCommandPool(c->dev, c->pool, NULL);
	vkDestroyDescriptorPool(c->dev, c->dp, NULL);
	vkDestroyDescriptorSetLayout(c->dev, c->sl, NULL);
	for (uint32_t i = 0; i < NBUF; i++) {
		vkDestroyBufferView(c->dev, c->view[i], NULL);
		vkDestroyBuffer(c->dev, c->buf[i], NULL);
	}
	vkFreeMemory(c->dev, c->mem, NULL);
	vkDestroyDevice(c->dev, NULL);
}

int main(void)
{
	struct ctx c = { 0 };

	if (!setup(&c) && !make_sets(&c))
		test_texel(&c);
	cleanup(&c);
	return program_end("test_odx_texel", c.inst, c.messenger);
}
