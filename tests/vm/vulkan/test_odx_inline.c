// SPDX-License-Identifier: MIT
/*
 * Inline uniform blocks (Vulkan 1.3's inlineUniformBlock) through the
 * opendxg Vulkan driver (docs/vulkan-driver.md): the feature, its limits
 * and VK_EXT_inline_uniform_block offered; a set layout with two blocks
 * (32 and 16 bytes) and a storage buffer; two sets, one written by two
 * partial writes and a template, the other by a copy from the first, a
 * write of four bytes in the middle and a write of the second block; a
 * kernel dispatched with each set in one command buffer, each result
 * checked; then the first set's block changed and the buffer recorded
 * again: the kernel sees the new bytes.
 *
 * Plain Vulkan: it also runs on the host's lavapipe (meson test), and under
 * the validation layer with ODX_VALIDATE=1.
 */
#include <stdint.h>

#include "odx_inline_spv.h"
#include "vktest.h"

#define N	1000u
#define STRIDE	8192u		/* the two output buffers' offsets */

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkDeviceMemory mem;
	uint32_t *map;
	VkBuffer out[2];
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
	VkPhysicalDeviceInlineUniformBlockProperties ibp = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_INLINE_UNIFORM_BLOCK_PROPERTIES,
	};
	VkPhysicalDeviceVulkan13Properties p13 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_PROPERTIES, .pNext = &ibp,
	};
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &p13,
	};
	VkPhysicalDeviceInlineUniformBlockFeatures ibf = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_INLINE_UNIFORM_BLOCK_FEATURES,
	};
	VkPhysicalDeviceVulkan13Features f13 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES, .pNext = &ibf,
	};
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &f13,
	};

	vkGetPhysicalDeviceFeatures2(pd, &f2);
	vkGetPhysicalDeviceProperties2(pd, &p2);
	check("inlineUniformBlock offered, in 1.3's features and its own structure",
	      f13.inlineUniformBlock && ibf.inlineUniformBlock, "1.3 %u, own %u",
	      f13.inlineUniformBlock, ibf.inlineUniformBlock);
	/* The spec's least: 256 bytes, 4 blocks per stage and per set. */
	check("inline block limits at least the spec's, alike in both structures",
	      p13.maxInlineUniformBlockSize >= 256 &&
	      p13.maxPerStageDescriptorInlineUniformBlocks >= 4 &&
	      p13.maxDescriptorSetInlineUniformBlocks >= 4 &&
	      p13.maxInlineUniformTotalSize >= 256 &&
	      ibp.maxInlineUniformBlockSize == p13.maxInlineUniformBlockSize &&
	      ibp.maxDescriptorSetInlineUniformBlocks == p13.maxDescriptorSetInlineUniformBlocks,
	      "size %u, %u per stage, %u per set, total %u", p13.maxInlineUniformBlockSize,
	      p13.maxPerStageDescriptorInlineUniformBlocks,
	      p13.maxDescriptorSetInlineUniformBlocks, p13.maxInlineUniformTotalSize);
	check("VK_EXT_inline_uniform_block listed",
	      device_lists(pd, VK_EXT_INLINE_UNIFORM_BLOCK_EXTENSION_NAME), "not listed");
}

static int setup(struct ctx *c)
{
	VkPhysicalDeviceVulkan13Features want = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
		.inlineUniformBlock = VK_TRUE,
	};
	VkCommandPoolCreateInfo cpi = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };

	if (instance_begin("test_odx_inline", &c->inst, &c->messenger, &c->pd))
		return -1;
	test_offered(c->pd);
	VK_OK("device with inlineUniformBlock", device_begin(c->pd, &want, 0, NULL, &c->dev, &c->q));
	if (host_buffers(c->pd, c->dev, 2, N * 4, STRIDE, &c->mem, &c->map, c->out))
		return -1;
	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpi, NULL, &c->pool));
	return 0;
}

/* Binding 0: a 32-byte block; 1: the output; 2: a 16-byte block. */
static int make_sets(struct ctx *c)
{
	const VkDescriptorSetLayoutBinding b[3] = {
		{ 0, VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, 32, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 2, VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, 16, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
	};
	VkDescriptorSetLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 3, .pBindings = b,
	};
	const VkDescriptorPoolInlineUniformBlockCreateInfo pib = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_INLINE_UNIFORM_BLOCK_CREATE_INFO,
		.maxInlineUniformBlockBindings = 4,
	};
	const VkDescriptorPoolSize ps[2] = {
		{ VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, 2 * 48 },	/* bytes */
		{ VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2 },
	};
	const VkDescriptorPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .pNext = &pib,
		.maxSets = 2, .poolSizeCount = 2, .pPoolSizes = ps,
	};
	VkDescriptorSetLayout two[2];
	VkDescriptorSetAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorSetCount = 2, .pSetLayouts = two,
	};
	/* The template writes binding 2 (16 bytes) from offset 8 of its data. */
	const VkDescriptorUpdateTemplateEntry e = {
		.dstBinding = 2, .dstArrayElement = 0, .descriptorCount = 16,
		.descriptorType = VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, .offset = 8, .stride = 0,
	};
	VkDescriptorUpdateTemplateCreateInfo tci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO,
		.descriptorUpdateEntryCount = 1, .pDescriptorUpdateEntries = &e,
		.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET,
	};
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
	};

	{
		/* The most a set may have: 4 blocks of the largest size. */
		VkPhysicalDeviceVulkan13Properties p13 = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_PROPERTIES,
		};
		VkPhysicalDeviceProperties2 p2 = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &p13,
		};
		VkDescriptorSetLayoutBinding big[4];
		VkDescriptorSetLayoutCreateInfo bci = {
			.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
			.bindingCount = 4, .pBindings = big,
		};
		VkDescriptorSetLayoutSupport sup = {
			.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_SUPPORT,
		};
		uint32_t size;

		vkGetPhysicalDeviceProperties2(c->pd, &p2);
		size = p13.maxInlineUniformBlockSize & ~3u;
		if (4 * size > p13.maxInlineUniformTotalSize)
			size = (p13.maxInlineUniformTotalSize / 4) & ~3u;
		for (uint32_t i = 0; i < 4; i++)
			big[i] = (VkDescriptorSetLayoutBinding) {
				i, VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, size,
				VK_SHADER_STAGE_COMPUTE_BIT, NULL,
			};
		vkGetDescriptorSetLayoutSupport(c->dev, &bci, &sup);
		check("a layout of 4 inline blocks of the largest size is supported",
		      sup.supported, "%u bytes each: not supported", size);
	}
	VK_OK("set layout: two inline uniform blocks and a storage buffer",
	      vkCreateDescriptorSetLayout(c->dev, &lci, NULL, &c->sl));
	VK_OK("a pool for inline uniform blocks", vkCreateDescriptorPool(c->dev, &pci, NULL, &c->dp));
	two[0] = two[1] = c->sl;
	ai.descriptorPool = c->dp;
	VK_OK("two sets", vkAllocateDescriptorSets(c->dev, &ai, c->set));
	tci.descriptorSetLayout = c->sl;
	VK_OK("an update template of an inline block",
	      vkCreateDescriptorUpdateTemplate(c->dev, &tci, NULL, &c->tmpl));
	plci.pSetLayouts = &c->sl;
	VK_OK("pipeline layout", vkCreatePipelineLayout(c->dev, &plci, NULL, &c->layout));
	VK_OK("a pipeline whose uniform blocks are inline blocks",
	      compute_pipeline(c->dev, odx_inline_spv, sizeof(odx_inline_spv), c->layout,
			       &c->module, &c->pipeline));
	return 0;
}

/* An inline-block write of @size bytes at @offset of @binding. */
static void write_block(VkDevice dev, VkDescriptorSet set, uint32_t binding, uint32_t offset,
			const void *data, uint32_t size)
{
	const VkWriteDescriptorSetInlineUniformBlock ib = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_INLINE_UNIFORM_BLOCK,
		.dataSize = size, .pData = data,
	};
	const VkWriteDescriptorSet w = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .pNext = &ib, .dstSet = set,
		.dstBinding = binding, .dstArrayElement = offset, .descriptorCount = size,
		.descriptorType = VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK,
	};

	vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);
}

/*
 * Set 0: mul_add = (3, 5), count = N in two writes (bytes 0-15, 16-31),
 * k.z = 11 by the template.  Set 1: binding 0 copied from set 0, then add
 * = 100 (bytes 4-7); k.z = 7 by a write.  Each set's output buffer.
 */
static void fill_sets(struct ctx *c)
{
	const uint32_t lo[4] = { 3, 5, 0, 0 }, hi[4] = { N, 0, 0, 0 };
	const uint32_t tdata[6] = { 0xdead, 0xbeef, 0, 0, 11, 0 };	/* k at byte 8 */
	const uint32_t add = 100, k1[4] = { 0, 0, 7, 0 };
	const VkCopyDescriptorSet cp = {
		.sType = VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET, .srcSet = c->set[0],
		.srcBinding = 0, .srcArrayElement = 0, .dstSet = c->set[1], .dstBinding = 0,
		.dstArrayElement = 0, .descriptorCount = 32,
	};

	write_block(c->dev, c->set[0], 0, 0, lo, 16);
	write_block(c->dev, c->set[0], 0, 16, hi, 16);
	vkUpdateDescriptorSetWithTemplate(c->dev, c->set[0], c->tmpl, tdata);
	vkUpdateDescriptorSets(c->dev, 0, NULL, 1, &cp);
	write_block(c->dev, c->set[1], 0, 4, &add, 4);
	write_block(c->dev, c->set[1], 2, 0, k1, 16);
	for (uint32_t i = 0; i < 2; i++) {
		const VkDescriptorBufferInfo bi = { c->out[i], 0, VK_WHOLE_SIZE };
		const VkWriteDescriptorSet w = {
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = c->set[i],
			.dstBinding = 1, .descriptorCount = 1,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &bi,
		};

		vkUpdateDescriptorSets(c->dev, 1, &w, 0, NULL);
	}
}

/* One command buffer: the kernel with set 0, then with set 1. */
static int run(struct ctx *c)
{
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);

	if (!cb)
		return -1;
	for (uint32_t i = 0; i < N; i++)
		c->map[i] = c->map[STRIDE / 4 + i] = 0xdeadbeefu;
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
	for (uint32_t s = 0; s < 2; s++) {
		vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->layout, 0, 1,
					&c->set[s], 0, NULL);
		vkCmdDispatch(cb, (N + 63) / 64, 1, 1);
	}
	return run_and_free(c->dev, c->q, c->pool, cb);
}

/* Words of output @o that are not i * mul + add; the first in *first. */
static uint32_t wrong(const uint32_t *o, uint32_t mul, uint32_t add, uint32_t *first)
{
	uint32_t bad = 0;

	*first = N;
	for (uint32_t i = 0; i < N; i++)
		if (o[i] != i * mul + add && !bad++)
			*first = i;
	return bad;
}

static void test_inline(struct ctx *c)
{
	const uint32_t mul = 4;
	uint32_t bad, first;

	fill_sets(c);
	if (run(c))
		return;
	bad = wrong(c->map, 3, 5 + 11, &first);
	check("set 0: blocks from two partial writes and a template reach the kernel", !bad,
	      "%u wrong, first %u: %u", bad, first, first < N ? c->map[first] : 0);
	bad = wrong(c->map + STRIDE / 4, 3, 100 + 7, &first);
	check("set 1: a copied block with four bytes rewritten, and a written one", !bad,
	      "%u wrong, first %u: %u", bad, first, first < N ? c->map[STRIDE / 4 + first] : 0);

	/* Changed after the run, recorded again: the kernel reads the new bytes. */
	write_block(c->dev, c->set[0], 0, 0, &mul, 4);
	if (run(c))
		return;
	bad = wrong(c->map, 4, 5 + 11, &first);
	check("set 0 changed and recorded again: the kernel sees the new block", !bad,
	      "%u wrong, first %u: %u", bad, first, first < N ? c->map[first] : 0);
	bad = wrong(c->map + STRIDE / 4, 3, 100 + 7, &first);
	check("set 1 unchanged", !bad, "%u wrong", bad);
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
	for (uint32_t i = 0; i < 2; i++)
		vkDestroyBuffer(c->dev, c->out[i], NULL);
	vkFreeMemory(c->dev, c->mem, NULL);
	vkDestroyDevice(c->dev, NULL);
}

int main(void)
{
	struct ctx c = { 0 };

	if (!setup(&c) && !make_sets(&c))
		test_inline(&c);
	cleanup(&c);
	return program_end("test_odx_inline", c.inst, c.messenger);
}
