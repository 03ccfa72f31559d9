// SPDX-License-Identifier: MIT
/*
 * Sampled images and samplers through the opendxg Vulkan driver
 * (docs/vulkan-driver.md, "Sampled images and samplers"): the formats
 * Vulkan requires sampled images of (R8G8B8A8_UNORM filtered linearly,
 * R32_UINT) offered with optimal tiling; three device-local images
 * uploaded from a buffer and sampled by one kernel through a combined image
 * sampler whose sampler is the layout's immutable one (nearest), a view
 * that maps r from g with a separate linear sampler halfway between two
 * texels (their mean, the edge clamped), and a fetch (an R8G8B8A8_UINT
 * image of mutable format viewed as R32_UINT) beside a separate nearest
 * sampler written by an update template; an integer combined image
 * sampler the shader declares but never uses, its immutable sampler
 * linear, left unwritten (on opendxg's driver:
 * Debian 12's lavapipe reads every combined image sampler of a set, used or
 * not, and faults on an unwritten one); every result checked.
 *
 * Plain Vulkan: it also runs on the host's lavapipe (meson test), and under
 * the validation layer with ODX_VALIDATE=1.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "odx_sampler_spv.h"
#include "vktest.h"

#define W	19u
#define H	11u

enum { COMB, TEX, ITEX, NIMG };
enum { NEAREST, LINEAR, NSMP };

/* The r32ui one is an R8G8B8A8_UINT image of mutable format, viewed as R32_UINT. */
static const VkFormat formats[NIMG] = {
	VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_UINT,
};
static const VkFormat view_formats[NIMG] = {
	VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_UINT,
};

/* The host-visible memory: the three uploads, then the kernel's output. */
#define UP(i)	((VkDeviceSize)(i) * W * H * 4u)
#define OUT	((UP(NIMG) + 255u) & ~(VkDeviceSize)255u)
#define OUT_SIZE	(W * H * 16u)
/* The output buffer may need more than its size (its requirements). */
#define TOTAL	(OUT + 65536u)

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkDeviceMemory dmem, hmem;
	uint8_t *map;
	VkBuffer staging, out;
	VkImage img[NIMG];
	VkImageView view[NIMG];
	VkSampler smp[NSMP];
	VkDescriptorSetLayout sl;
	VkDescriptorPool dp;
	VkDescriptorSet set;
	VkDescriptorUpdateTemplate tmpl;
	VkPipelineLayout layout;
	VkShaderModule module;
	VkPipeline pipeline;
	VkCommandPool pool;
};

static void test_offered(VkPhysicalDevice pd)
{
	const VkFormatFeatureFlags sampled = VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT |
					     VK_FORMAT_FEATURE_TRANSFER_DST_BIT;
	VkImageFormatProperties ip;
	VkFormatProperties u, s;
	VkResult r;

	vkGetPhysicalDeviceFormatProperties(pd, VK_FORMAT_R8G8B8A8_UNORM, &u);
	vkGetPhysicalDeviceFormatProperties(pd, VK_FORMAT_R32_UINT, &s);
	check("R8G8B8A8_UNORM: optimal sampled images, filtered linearly (Vulkan requires it)",
	      (u.optimalTilingFeatures & sampled) == sampled &&
	      (u.optimalTilingFeatures & VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT),
	      "0x%x", u.optimalTilingFeatures);
	check("R32_UINT: optimal sampled images (Vulkan requires it)",
	      (s.optimalTilingFeatures & sampled) == sampled, "0x%x", s.optimalTilingFeatures);
	r = vkGetPhysicalDeviceImageFormatProperties(pd, VK_FORMAT_R8G8B8A8_UNORM,
						     VK_IMAGE_TYPE_2D, VK_IMAGE_TILING_OPTIMAL,
						     VK_IMAGE_USAGE_SAMPLED_BIT |
						     VK_IMAGE_USAGE_TRANSFER_DST_BIT, 0, &ip);
	check("a 2D sampled image of R8G8B8A8_UNORM: its properties",
	      r == VK_SUCCESS && ip.maxExtent.width >= 4096 && ip.maxExtent.height >= 4096 &&
	      (ip.sampleCounts & VK_SAMPLE_COUNT_1_BIT), "VkResult %d, %ux%u", r,
	      ip.maxExtent.width, ip.maxExtent.height);
}

static int make_images(struct ctx *c)
{
	static const VkComponentMapping r_from_g = {
		VK_COMPONENT_SWIZZLE_G, VK_COMPONENT_SWIZZLE_IDENTITY,
		VK_COMPONENT_SWIZZLE_IDENTITY, VK_COMPONENT_SWIZZLE_IDENTITY,
	};
	VkImageCreateInfo ci[NIMG];

	for (uint32_t i = 0; i < NIMG; i++)
		ci[i] = image_2d(formats[i], W, H, VK_IMAGE_USAGE_SAMPLED_BIT |
				 VK_IMAGE_USAGE_TRANSFER_DST_BIT);
	ci[ITEX].flags = VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT;
	if (device_images(c->pd, c->dev, NIMG, ci, c->img, &c->dmem))
		return -1;
	for (uint32_t i = 0; i < NIMG; i++) {
		VkImageViewCreateInfo vci = {
			.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = c->img[i],
			.viewType = VK_IMAGE_VIEW_TYPE_2D, .format = view_formats[i],
			.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
		};

		if (i == TEX)
			vci.components = r_from_g;
		VK_OK("image view", vkCreateImageView(c->dev, &vci, NULL, &c->view[i]));
	}
	return 0;
}

static int make_samplers(struct ctx *c)
{
	VkSamplerCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
		.magFilter = VK_FILTER_NEAREST, .minFilter = VK_FILTER_NEAREST,
		.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST,
		.addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
		.addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
		.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
		.maxAnisotropy = 1.0f, .maxLod = VK_LOD_CLAMP_NONE,
		.borderColor = VK_BORDER_COLOR_FLOAT_TRANSPARENT_BLACK,
	};

	VK_OK("a nearest sampler", vkCreateSampler(c->dev, &sci, NULL, &c->smp[NEAREST]));
	sci.magFilter = sci.minFilter = VK_FILTER_LINEAR;
	VK_OK("a linear sampler", vkCreateSampler(c->dev, &sci, NULL, &c->smp[LINEAR]));
	return 0;
}

static int setup(struct ctx *c)
{
	VkCommandPoolCreateInfo cpi = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = OUT,
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = TOTAL,
	};
	VkMemoryRequirements req;

	if (instance_begin("test_odx_sampler", &c->inst, &c->messenger, &c->pd))
		return -1;
	test_offered(c->pd);
	VK_OK("a device", device_begin(c->pd, NULL, 0, NULL, &c->dev, &c->q));
	VK_OK("staging buffer", vkCreateBuffer(c->dev, &bci, NULL, &c->staging));
	bci.size = OUT_SIZE;
	bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
	VK_OK("output buffer", vkCreateBuffer(c->dev, &bci, NULL, &c->out));
	vkGetBufferMemoryRequirements(c->dev, c->staging, &req);
	mai.memoryTypeIndex = find_memory_type(c->pd, req.memoryTypeBits,
					  VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
					  VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
	VK_OK("host-visible memory", vkAllocateMemory(c->dev, &mai, NULL, &c->hmem));
	VK_OK("bind", vkBindBufferMemory(c->dev, c->staging, c->hmem, 0));
	VK_OK("bind", vkBindBufferMemory(c->dev, c->out, c->hmem, OUT));
	VK_OK("map", vkMapMemory(c->dev, c->hmem, 0, VK_WHOLE_SIZE, 0, (void **)&c->map));
	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpi, NULL, &c->pool));
	if (make_samplers(c))
		return -1;
	return make_images(c);
}

/* The nearest sampler of binding 4, written through a template. */
static int write_by_template(struct ctx *c)
{
	const VkDescriptorUpdateTemplateEntry e = {
		.dstBinding = 4, .descriptorCount = 1,
		.descriptorType = VK_DESCRIPTOR_TYPE_SAMPLER,
		.offset = 0, .stride = sizeof(VkDescriptorImageInfo),
	};
	const VkDescriptorUpdateTemplateCreateInfo tci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO,
		.descriptorUpdateEntryCount = 1, .pDescriptorUpdateEntries = &e,
		.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET,
		.descriptorSetLayout = c->sl,
	};
	const VkDescriptorImageInfo ii = { c->smp[NEAREST], VK_NULL_HANDLE,
					   VK_IMAGE_LAYOUT_UNDEFINED };

	VK_OK("update template", vkCreateDescriptorUpdateTemplate(c->dev, &tci, NULL, &c->tmpl));
	vkUpdateDescriptorSetWithTemplate(c->dev, c->set, c->tmpl, &ii);
	return 0;
}

/* Is @pd opendxg's driver (its driverName)? */
static bool on_opendxg(VkPhysicalDevice pd)
{
	VkPhysicalDeviceVulkan12Properties p12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES,
	};
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &p12,
	};

	vkGetPhysicalDeviceProperties2(pd, &p2);
	return !strcmp(p12.driverName, "opendxg");
}

static int make_pipeline(struct ctx *c)
{
	const VkShaderStageFlags cs = VK_SHADER_STAGE_COMPUTE_BIT;
	/* Binding 6, the shader's unused `spare`, is never written on opendxg. */
	const VkDescriptorSetLayoutBinding b[7] = {
		{ 0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, cs, &c->smp[NEAREST] },
		{ 1, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 1, cs, NULL },
		{ 2, VK_DESCRIPTOR_TYPE_SAMPLER, 1, cs, NULL },
		{ 3, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 1, cs, NULL },
		{ 4, VK_DESCRIPTOR_TYPE_SAMPLER, 1, cs, NULL },
		{ 5, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, cs, NULL },
		{ 6, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, cs, &c->smp[LINEAR] },
	};
	const VkDescriptorSetLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 7, .pBindings = b,
	};
	const VkDescriptorPoolSize ps[4] = {
		{ VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 2 },
		{ VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 2 },
		{ VK_DESCRIPTOR_TYPE_SAMPLER, 2 },
		{ VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1 },
	};
	const VkDescriptorPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1, .poolSizeCount = 4, .pPoolSizes = ps,
	};
	VkDescriptorSetAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, .descriptorSetCount = 1,
	};
	const VkPushConstantRange pr = { cs, 0, 8 };
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
		.pushConstantRangeCount = 1, .pPushConstantRanges = &pr,
	};
	const VkImageLayout ro = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
	/* The combined one's sampler is immutable: the handle here is ignored. */
	const VkDescriptorImageInfo ii[5] = {
		{ VK_NULL_HANDLE, c->view[COMB], ro },
		{ VK_NULL_HANDLE, c->view[TEX], ro },
		{ c->smp[LINEAR], VK_NULL_HANDLE, ro },
		{ VK_NULL_HANDLE, c->view[ITEX], ro },
		{ VK_NULL_HANDLE, c->view[ITEX], ro },	/* spare: elsewhere than opendxg */
	};
	const VkDescriptorBufferInfo bi = { c->out, 0, VK_WHOLE_SIZE };
	VkWriteDescriptorSet w[6];
	const VkDescriptorType wt[5] = {
		VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE,
		VK_DESCRIPTOR_TYPE_SAMPLER, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE,
		VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
	};
	const uint32_t wb[5] = { 0, 1, 2, 3, 6 };

	VK_OK("set layout with an immutable sampler",
	      vkCreateDescriptorSetLayout(c->dev, &lci, NULL, &c->sl));
	VK_OK("pool", vkCreateDescriptorPool(c->dev, &pci, NULL, &c->dp));
	ai.descriptorPool = c->dp;
	ai.pSetLayouts = &c->sl;
	VK_OK("set", vkAllocateDescriptorSets(c->dev, &ai, &c->set));
	for (uint32_t i = 0; i < 5; i++)
		w[i] = (VkWriteDescriptorSet) {
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = c->set,
			.dstBinding = wb[i], .descriptorCount = 1, .descriptorType = wt[i],
			.pImageInfo = &ii[i],
		};
	w[5] = (VkWriteDescriptorSet) {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = c->set,
		.dstBinding = 5, .descriptorCount = 1,
		.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &bi,
	};
	/* The buffer, then the images and samplers; on opendxg not the spare. */
	vkUpdateDescriptorSets(c->dev, 1, &w[5], 0, NULL);
	vkUpdateDescriptorSets(c->dev, on_opendxg(c->pd) ? 4 : 5, w, 0, NULL);
	if (write_by_template(c))
		return -1;
	plci.pSetLayouts = &c->sl;
	VK_OK("pipeline layout", vkCreatePipelineLayout(c->dev, &plci, NULL, &c->layout));
	VK_OK("a pipeline of sampled images and samplers",
	      compute_pipeline(c->dev, odx_sampler_spv, sizeof(odx_sampler_spv), c->layout,
			       &c->module, &c->pipeline));
	return 0;
}

/* The uploads, the kernel, the output made visible to the host. */
static int record_and_run(struct ctx *c)
{
	const VkImageSubresourceLayers layer = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 };
	const VkBufferMemoryBarrier host = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT, .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.buffer = c->out, .size = VK_WHOLE_SIZE,
	};
	const uint32_t push[2] = { W, H };
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);

	if (!cb)
		return -1;
	image_barriers(cb, c->img, NIMG, VK_IMAGE_LAYOUT_UNDEFINED,
		       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
	for (uint32_t i = 0; i < NIMG; i++) {
		const VkBufferImageCopy up = { UP(i), 0, 0, layer, { 0, 0, 0 }, { W, H, 1 } };

		vkCmdCopyBufferToImage(cb, c->staging, c->img[i],
				       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &up);
	}
	image_barriers(cb, c->img, NIMG, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		       VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
		       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->layout, 0, 1, &c->set,
				0, NULL);
	vkCmdPushConstants(cb, c->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 8, push);
	vkCmdDispatch(cb, (W + 7) / 8, (H + 7) / 8, 1);
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT,
			     0, 0, NULL, 1, &host, 0, NULL);
	return run_and_free(c->dev, c->q, c->pool, cb);
}

/* What each image holds at (x, y): rgba8 bytes, or the r32ui value. */
static uint8_t comb_r(uint32_t x, uint32_t y) { return (uint8_t)(x * 13u + y); }
static uint8_t comb_a(uint32_t x, uint32_t y) { return (uint8_t)(y * 7u + x); }
static uint8_t tex_g(uint32_t x, uint32_t y) { return (uint8_t)(x * 11u + y * 3u); }
static uint32_t itex(uint32_t x, uint32_t y) { return x * y + 5u; }

static void test_sampling(struct ctx *c)
{
	const float *out = (const float *)(c->map + OUT);
	uint32_t bad[4] = { 0 }, first = UINT32_MAX;

	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			uint8_t *a = c->map + UP(COMB) + (y * W + x) * 4;
			uint8_t *t = c->map + UP(TEX) + (y * W + x) * 4;
			uint32_t u = itex(x, y);

			a[0] = comb_r(x, y), a[1] = 1, a[2] = 2, a[3] = comb_a(x, y);
			/* The view reads r from g: r and b are decoys. */
			t[0] = 200, t[1] = tex_g(x, y), t[2] = 100, t[3] = 255;
			memcpy(c->map + UP(ITEX) + (y * W + x) * 4, &u, 4);
		}
	memset(c->map + OUT, 0, OUT_SIZE);
	if (record_and_run(c))
		return;
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			const float *o = out + 4 * (y * W + x);
			uint32_t x1 = x + 1 < W ? x + 1 : x;	/* clamped to the edge */
			float mean = (tex_g(x, y) + tex_g(x1, y)) / 2.0f / 255.0f;
			bool wrong[4] = {
				fabsf(o[0] - comb_r(x, y) / 255.0f) > 1e-6f,
				fabsf(o[1] - comb_a(x, y) / 255.0f) > 1e-6f,
				fabsf(o[2] - mean) > 1.0f / 255.0f,
				o[3] != (float)itex(x, y),
			};

			for (int k = 0; k < 4; k++) {
				bad[k] += wrong[k];
				if (wrong[k] && first == UINT32_MAX)
					first = y * W + x;
			}
		}
	check("a combined image sampler with an immutable nearest sampler: every texel",
	      !bad[0] && !bad[1], "%u, %u wrong", bad[0], bad[1]);
	check("a view mapping r from g, a separate linear sampler: every mean of two texels",
	      !bad[2], "%u wrong, first (%u, %u): %f", bad[2], first % W, first / W,
	      first < W * H ? (double)out[4 * first + 2] : 0.0);
	check("an R8G8B8A8_UINT image viewed as R32_UINT, fetched beside a sampler written by a template: every texel",
	      !bad[3], "%u wrong", bad[3]);
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
	for (uint32_t i = 0; i < NSMP; i++)
		vkDestroySampler(c->dev, c->smp[i], NULL);
	for (uint32_t i = 0; i < NIMG; i++) {
		vkDestroyImageView(c->dev, c->view[i], NULL);
		vkDestroyImage(c->dev, c->img[i], NULL);
	}
	vkDestroyBuffer(c->dev, c->staging, NULL);
	vkDestroyBuffer(c->dev, c->out, NULL);
	vkFreeMemory(c->dev, c->dmem, NULL);
	vkFreeMemory(c->dev, c->hmem, NULL);
	vkDestroyDevice(c->dev, NULL);
}

int main(void)
{
	struct ctx c = { 0 };

	if (!setup(&c) && !make_pipeline(&c))
		test_sampling(&c);
	cleanup(&c);
	return program_end("test_odx_sampler", c.inst, c.messenger);
}
