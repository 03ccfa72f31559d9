// SPDX-License-Identifier: MIT
/*
 * Image views of several layers, slices and levels through the opendxg
 * Vulkan driver (docs/vulkan-driver.md, "Storage images"; dxghost stages
 * them: docs/vulkan-backend.md): a 2D array view of three of an image's
 * four layers and a 3D view of a 3D image's second level, rewritten in
 * place by one kernel, which also fetches levels 1 and 2 of a sampled view
 * of three levels; a 3D level cleared whole; a slice of the 3D image
 * copied into a layer of the 2D one; every level of both read back and
 * every texel checked, what the views left alone included.  The kernel
 * also samples each face of a cube (a cube-compatible image of six layers,
 * each cleared to its own value) at its centre.  A binding the kernel
 * declares but never uses, a 2D array, is left unwritten.
 *
 * Plain Vulkan: it also runs on the host's lavapipe (meson test), and under
 * the validation layer with ODX_VALIDATE=1.
 */
#include <stdint.h>

#include "odx_views_spv.h"
#include "vktest.h"

#define W	8u
#define H	6u
#define D	5u
#define ALEVELS	3u		/* 8x6, 4x3, 2x1 */
#define LAYERS	4u
#define VLEVELS	2u		/* 8x6x5, 4x3x2 */
#define ATEXELS	62u		/* one layer's, every level */
#define VTEXELS	264u		/* every level's */

/* The host-visible buffer (4 KiB apart, any storage alignment). */
#define UP_A	0u
#define UP_V	4096u
#define OUT_A	8192u
#define OUT_V	12288u
#define OUT_O	16384u		/* the kernel's output: 2 x W x H words, 6 faces */
#define OUT_WORDS	(2u * W * H + 6u)
#define CUBE	4u		/* the cube's faces: 4x4 */
#define STAGING	20480u

enum { A, V, CB, NIMG };
enum { ARR, VOL, MIPS, CUBEV, NVIEWS };

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkDeviceMemory dmem, hmem;
	uint8_t *map;
	VkBuffer staging;
	VkImage img[NIMG];
	VkImageView view[NVIEWS];
	VkSampler sampler;
	VkDescriptorSetLayout sl;
	VkDescriptorPool dp;
	VkDescriptorSet set;
	VkPipelineLayout layout;
	VkShaderModule module;
	VkPipeline pipeline;
	VkCommandPool pool;
};

static uint32_t at(uint32_t v, uint32_t l)
{
	return v >> l ? v >> l : 1;
}

/* What A's layer k, level l holds at (x, y) as uploaded. */
static uint32_t a_value(uint32_t k, uint32_t l, uint32_t x, uint32_t y)
{
	return (k + 1) * 100000u + l * 10000u + y * 100u + x;
}

/* V's level 1 slice z as uploaded (level 0 is cleared to 9). */
static uint32_t v_value(uint32_t x, uint32_t y, uint32_t z)
{
	return 50000u + z * 1000u + y * 10u + x;
}

/* Where level l of A starts in a packed read-back (all layers). */
static uint32_t a_level_at(uint32_t l)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < l; i++)
		n += at(W, i) * at(H, i) * LAYERS;
	return n;
}

static void test_offered(VkPhysicalDevice pd)
{
	VkImageFormatProperties ip;
	VkResult r = vkGetPhysicalDeviceImageFormatProperties(pd, VK_FORMAT_R32_UINT,
							      VK_IMAGE_TYPE_3D,
							      VK_IMAGE_TILING_OPTIMAL,
							      VK_IMAGE_USAGE_STORAGE_BIT |
							      VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
							      VK_IMAGE_USAGE_TRANSFER_DST_BIT,
							      0, &ip);

	check("R32_UINT 3D storage images: offered, one layer, levels",
	      r == VK_SUCCESS && ip.maxExtent.depth >= D && ip.maxArrayLayers == 1 &&
	      ip.maxMipLevels >= VLEVELS, "VkResult %d, depth %u, %u layers, %u levels", r,
	      ip.maxExtent.depth, ip.maxArrayLayers, ip.maxMipLevels);
}

static int make_views(struct ctx *c)
{
	const VkImageViewCreateInfo vci[NVIEWS] = {
		{ .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = c->img[A],
		  .viewType = VK_IMAGE_VIEW_TYPE_2D_ARRAY, .format = VK_FORMAT_R32_UINT,
		  .subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 1,
					VK_REMAINING_ARRAY_LAYERS } },
		{ .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = c->img[V],
		  .viewType = VK_IMAGE_VIEW_TYPE_3D, .format = VK_FORMAT_R32_UINT,
		  .subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 1, 1, 0, 1 } },
		{ .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = c->img[A],
		  .viewType = VK_IMAGE_VIEW_TYPE_2D, .format = VK_FORMAT_R32_UINT,
		  .subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, VK_REMAINING_MIP_LEVELS,
					0, 1 } },
		{ .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = c->img[CB],
		  .viewType = VK_IMAGE_VIEW_TYPE_CUBE, .format = VK_FORMAT_R32_UINT,
		  .subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 6 } },
	};
	const VkSamplerCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
		.addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
		.addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
		.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
		.maxLod = VK_LOD_CLAMP_NONE,
	};

	VK_OK("a 2D array view of layers 1 to 3",
	      vkCreateImageView(c->dev, &vci[ARR], NULL, &c->view[ARR]));
	VK_OK("a 3D view of level 1", vkCreateImageView(c->dev, &vci[VOL], NULL, &c->view[VOL]));
	VK_OK("a 2D view of every level of layer 0",
	      vkCreateImageView(c->dev, &vci[MIPS], NULL, &c->view[MIPS]));
	VK_OK("a cube view", vkCreateImageView(c->dev, &vci[CUBEV], NULL, &c->view[CUBEV]));
	VK_OK("a nearest sampler", vkCreateSampler(c->dev, &sci, NULL, &c->sampler));
	return 0;
}

static int setup(struct ctx *c)
{
	const VkImageUsageFlags usage = VK_IMAGE_USAGE_STORAGE_BIT |
					VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
					VK_IMAGE_USAGE_TRANSFER_DST_BIT;
	VkCommandPoolCreateInfo cpi = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = STAGING,
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
			 VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
	};
	VkImageCreateInfo ci[NIMG] = {
		image_2d(VK_FORMAT_R32_UINT, W, H, usage | VK_IMAGE_USAGE_SAMPLED_BIT),
		image_2d(VK_FORMAT_R32_UINT, W, H, usage),
		image_2d(VK_FORMAT_R32_UINT, CUBE, CUBE,
			 VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT),
	};

	ci[A].mipLevels = ALEVELS;
	ci[A].arrayLayers = LAYERS;
	ci[V].imageType = VK_IMAGE_TYPE_3D;
	ci[V].extent.depth = D;
	ci[V].mipLevels = VLEVELS;
	ci[CB].flags = VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT;
	ci[CB].arrayLayers = 6;
	if (instance_begin("test_odx_views", &c->inst, &c->messenger, &c->pd))
		return -1;
	test_offered(c->pd);
	VK_OK("a device", device_begin(c->pd, NULL, 0, NULL, &c->dev, &c->q));
	if (host_staging(c->pd, c->dev, bci.size, bci.usage, &c->staging, &c->hmem, &c->map))
		return -1;
	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpi, NULL, &c->pool));
	if (device_images(c->pd, c->dev, NIMG, ci, c->img, &c->dmem))
		return -1;
	return make_views(c);
}

static int make_pipeline(struct ctx *c)
{
	/* Binding 4, the shader's unused 2D array `spare`, is never written. */
	const VkDescriptorSetLayoutBinding b[6] = {
		{ 0, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 1, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 2, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_COMPUTE_BIT,
		  NULL },
		{ 3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 4, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 5, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_COMPUTE_BIT,
		  NULL },
	};
	const VkDescriptorSetLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 6, .pBindings = b,
	};
	const VkDescriptorPoolSize ps[3] = {
		{ VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 3 },
		{ VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 2 },
		{ VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1 },
	};
	const VkDescriptorPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1, .poolSizeCount = 3, .pPoolSizes = ps,
	};
	VkDescriptorSetAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, .descriptorSetCount = 1,
	};
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
	};
	const VkDescriptorImageInfo ii[4] = {
		{ VK_NULL_HANDLE, c->view[ARR], VK_IMAGE_LAYOUT_GENERAL },
		{ VK_NULL_HANDLE, c->view[VOL], VK_IMAGE_LAYOUT_GENERAL },
		{ c->sampler, c->view[MIPS], VK_IMAGE_LAYOUT_GENERAL },
		{ c->sampler, c->view[CUBEV], VK_IMAGE_LAYOUT_GENERAL },
	};
	const VkDescriptorBufferInfo bi = { c->staging, OUT_O, OUT_WORDS * 4 };
	VkWriteDescriptorSet w[4] = {
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 0,
		  .descriptorCount = 2, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,
		  .pImageInfo = ii },
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 2,
		  .descriptorCount = 1,
		  .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
		  .pImageInfo = &ii[2] },
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 3,
		  .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		  .pBufferInfo = &bi },
		{ .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 5,
		  .descriptorCount = 1,
		  .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
		  .pImageInfo = &ii[3] },
	};

	VK_OK("set layout", vkCreateDescriptorSetLayout(c->dev, &lci, NULL, &c->sl));
	VK_OK("pool", vkCreateDescriptorPool(c->dev, &pci, NULL, &c->dp));
	ai.descriptorPool = c->dp;
	ai.pSetLayouts = &c->sl;
	VK_OK("set", vkAllocateDescriptorSets(c->dev, &ai, &c->set));
	for (int i = 0; i < 4; i++)
		w[i].dstSet = c->set;
	vkUpdateDescriptorSets(c->dev, 4, w, 0, NULL);
	plci.pSetLayouts = &c->sl;
	VK_OK("pipeline layout", vkCreatePipelineLayout(c->dev, &plci, NULL, &c->layout));
	VK_OK("a pipeline of a 2D array, a 3D and a mipmapped view",
	      compute_pipeline(c->dev, odx_views_spv, sizeof(odx_views_spv), c->layout,
			       &c->module, &c->pipeline));
	return 0;
}

/* The uploads and read-backs: every level of A (all layers), V's levels. */
static void regions(VkBufferImageCopy *a_up, VkBufferImageCopy *a_down, VkBufferImageCopy *v_down)
{
	for (uint32_t l = 0; l < ALEVELS; l++) {
		a_up[l] = (VkBufferImageCopy) {
			UP_A + a_level_at(l) * 4, 0, 0, { VK_IMAGE_ASPECT_COLOR_BIT, l, 0, LAYERS },
			{ 0, 0, 0 }, { at(W, l), at(H, l), 1 },
		};
		a_down[l] = a_up[l];
		a_down[l].bufferOffset = OUT_A + a_level_at(l) * 4;
	}
	v_down[0] = (VkBufferImageCopy) {
		OUT_V, 0, 0, { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 }, { 0, 0, 0 }, { W, H, D },
	};
	v_down[1] = (VkBufferImageCopy) {
		OUT_V + W * H * D * 4, 0, 0, { VK_IMAGE_ASPECT_COLOR_BIT, 1, 0, 1 }, { 0, 0, 0 },
		{ at(W, 1), at(H, 1), at(D, 1) },
	};
}

static int record_and_run(struct ctx *c)
{
	const VkImageSubresourceRange level0 = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 };
	const VkClearColorValue nine = { .uint32 = { 9 } };
	const VkBufferImageCopy v_up = {
		UP_V, 0, 0, { VK_IMAGE_ASPECT_COLOR_BIT, 1, 0, 1 }, { 0, 0, 0 },
		{ at(W, 1), at(H, 1), at(D, 1) },
	};
	/* Slice 1 of V's level 1 into layer 3 of A's level 1. */
	const VkImageCopy ic = {
		{ VK_IMAGE_ASPECT_COLOR_BIT, 1, 0, 1 }, { 0, 0, 1 },
		{ VK_IMAGE_ASPECT_COLOR_BIT, 1, 3, 1 }, { 0, 0, 0 }, { at(W, 1), at(H, 1), 1 },
	};
	VkBufferImageCopy a_up[ALEVELS], a_down[ALEVELS], v_down[VLEVELS];
	const VkBufferMemoryBarrier host = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.buffer = c->staging, .size = VK_WHOLE_SIZE,
	};
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);

	if (!cb)
		return -1;
	regions(a_up, a_down, v_down);
	image_barriers(cb, c->img, NIMG, VK_IMAGE_LAYOUT_UNDEFINED,
		       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdCopyBufferToImage(cb, c->staging, c->img[A], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
			       ALEVELS, a_up);
	vkCmdCopyBufferToImage(cb, c->staging, c->img[V], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
			       1, &v_up);
	vkCmdClearColorImage(cb, c->img[V], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &nine, 1,
			     &level0);
	for (uint32_t f = 0; f < 6; f++) {
		const VkImageSubresourceRange face = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, f, 1 };
		const VkClearColorValue value = { .uint32 = { 7000 + f } };

		vkCmdClearColorImage(cb, c->img[CB], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &value,
				     1, &face);
	}
	image_barriers(cb, c->img, NIMG, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		       VK_IMAGE_LAYOUT_GENERAL, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
		       VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->layout, 0, 1, &c->set,
				0, NULL);
	vkCmdDispatch(cb, (W + 3) / 4, (H + 3) / 4, LAYERS - 1);
	image_barriers(cb, c->img, 2, VK_IMAGE_LAYOUT_GENERAL,	/* A and V */
		       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_ACCESS_SHADER_WRITE_BIT,
		       VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
	image_barriers(cb, &c->img[A], 1, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
		       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_ACCESS_TRANSFER_READ_BIT,
		       VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
		       VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdCopyImage(cb, c->img[V], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, c->img[A],
		       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &ic);
	image_barriers(cb, &c->img[A], 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
		       VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdCopyImageToBuffer(cb, c->img[A], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, c->staging,
			       ALEVELS, a_down);
	vkCmdCopyImageToBuffer(cb, c->img[V], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, c->staging,
			       VLEVELS, v_down);
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT |
			     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
			     0, NULL, 1, &host, 0, NULL);
	return run_and_free(c->dev, c->q, c->pool, cb);
}

/* What A's level l, layer k holds at (x, y) after everything. */
static uint32_t a_expected(uint32_t k, uint32_t l, uint32_t x, uint32_t y)
{
	if (l == 1 && k == 3)
		return v_value(x, y, 1) * 3;		/* the copied slice */
	return a_value(k, l, x, y) + (l == 0 && k >= 1 ? 1000000u : 0);
}

static void check_a(const struct ctx *c)
{
	for (uint32_t l = 0; l < ALEVELS; l++) {
		const uint32_t *out = (const uint32_t *)(c->map + OUT_A) + a_level_at(l);
		uint32_t w = at(W, l), h = at(H, l), bad = 0, first = 0;

		for (uint32_t k = 0; k < LAYERS; k++)
			for (uint32_t i = 0; i < w * h; i++)
				if (out[k * w * h + i] != a_expected(k, l, i % w, i / w) && !bad++)
					first = k * w * h + i;
		check(l ? "2D array image: a level the views left alone (but a copied slice)" :
		      "2D array view of layers 1 to 3: each written in place, layer 0 kept", !bad,
		      "level %u: %u wrong, first layer %u texel %u: %u, want %u", l, bad,
		      first / (w * h), first % (w * h), out[first],
		      a_expected(first / (w * h), l, first % (w * h) % w, first % (w * h) / w));
	}
}

static void check_v_and_fetches(const struct ctx *c)
{
	const uint32_t *v0 = (const uint32_t *)(c->map + OUT_V), *v1 = v0 + W * H * D;
	const uint32_t *o = (const uint32_t *)(c->map + OUT_O);
	uint32_t bad0 = 0, bad1 = 0, bado = 0;

	for (uint32_t i = 0; i < W * H * D; i++)
		bad0 += v0[i] != 9;
	check("3D image: a level cleared whole (every slice)", !bad0, "%u wrong", bad0);
	for (uint32_t z = 0; z < at(D, 1); z++)
		for (uint32_t y = 0; y < at(H, 1); y++)
			for (uint32_t x = 0; x < at(W, 1); x++)
				bad1 += v1[(z * at(H, 1) + y) * at(W, 1) + x] != v_value(x, y, z) * 3;
	check("3D view of level 1: every slice written in place", !bad1, "%u wrong", bad1);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			uint32_t x1 = x / 2 < at(W, 1) ? x / 2 : at(W, 1) - 1;
			uint32_t y1 = y / 2 < at(H, 1) ? y / 2 : at(H, 1) - 1;
			uint32_t x2 = x / 4 < at(W, 2) ? x / 4 : at(W, 2) - 1;
			uint32_t y2 = y / 4 < at(H, 2) ? y / 4 : at(H, 2) - 1;

			bado += o[y * W + x] != a_value(0, 1, x1, y1);
			bado += o[W * H + y * W + x] != a_value(0, 2, x2, y2);
		}
	check("a sampled view of three levels: levels 1 and 2 fetched", !bado, "%u wrong", bado);
	bado = 0;
	for (uint32_t f = 0; f < 6; f++)
		bado += o[2 * W * H + f] != 7000 + f;
	check("a cube view: each face sampled at its centre", !bado, "%u faces wrong", bado);
}

static void test_views(struct ctx *c)
{
	uint32_t *up = (uint32_t *)(c->map + UP_A), *vup = (uint32_t *)(c->map + UP_V);

	for (uint32_t l = 0; l < ALEVELS; l++)
		for (uint32_t k = 0; k < LAYERS; k++)
			for (uint32_t y = 0; y < at(H, l); y++)
				for (uint32_t x = 0; x < at(W, l); x++)
					up[a_level_at(l) + (k * at(H, l) + y) * at(W, l) + x] =
						a_value(k, l, x, y);
	for (uint32_t z = 0; z < at(D, 1); z++)
		for (uint32_t y = 0; y < at(H, 1); y++)
			for (uint32_t x = 0; x < at(W, 1); x++)
				vup[(z * at(H, 1) + y) * at(W, 1) + x] = v_value(x, y, z);
	memset(c->map + OUT_A, 0, STAGING - OUT_A);
	if (record_and_run(c))
		return;
	check_a(c);
	check_v_and_fetches(c);
}

static void cleanup(struct ctx *c)
{
	if (!c->dev)
		return;
	vkDestroyPipeline(c->dev, c->pipeline, NULL);
	vkDestroyShaderModule(c->dev, c->module, NULL);
	vkDestroyPipelineLayout(c->dev, c->layout, NULL);
	vkDestroyCommandPool(c->dev, c->pool, NULL);
	vkDestroyDescriptorPool(c->dev, c->dp, NULL);
	vkDestroyDescriptorSetLayout(c->dev, c->sl, NULL);
	vkDestroySampler(c->dev, c->sampler, NULL);
	for (uint32_t i = 0; i < NVIEWS; i++)
		vkDestroyImageView(c->dev, c->view[i], NULL);
	for (uint32_t i = 0; i < NIMG; i++)
		vkDestroyImage(c->dev, c->img[i], NULL);
	vkDestroyBuffer(c->dev, c->staging, NULL);
	vkFreeMemory(c->dev, c->dmem, NULL);
	vkFreeMemory(c->dev, c->hmem, NULL);
	vkDestroyDevice(c->dev, NULL);
}

int main(void)
{
	struct ctx c = { 0 };

	if (!setup(&c) && !make_pipeline(&c))
		test_views(&c);
	cleanup(&c);
	return program_end("test_odx_views", c.inst, c.messenger);
}
