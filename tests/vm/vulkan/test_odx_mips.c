// SPDX-License-Identifier: MIT
/*
 * Mipmapped and layered images through the opendxg Vulkan driver
 * (docs/vulkan-driver.md, "Storage images"): their image format
 * properties (the whole chain of levels, layers); an R32_UINT image of
 * four levels and three layers whose level 0 is uploaded for all layers
 * by one copy (the buffer's rows and layers longer than the image's),
 * levels 1 to 3 cleared, then computed a level at a time from the level
 * above through 2D views of one level and layer each, a single
 * subresource cleared afterwards, two layers of a level copied into
 * another layered image, and everything read back, every texel checked.
 *
 * Plain Vulkan: it also runs on the host's lavapipe (meson test), and under
 * the validation layer with ODX_VALIDATE=1.
 */
#include <stdint.h>

#include "odx_mips_spv.h"
#include "vktest.h"

#define W	19u
#define H	11u
#define LEVELS	4u		/* 19x11, 9x5, 4x2, 2x1 */
#define LAYERS	3u
#define ROW	20u		/* the upload's row length, in texels */
#define ROWS	12u		/* the upload's rows per layer */
#define BLAYERS	2u		/* the copy's image */
#define NSETS	((LEVELS - 1) * LAYERS)

/* The host-visible buffer: the upload, the levels read back, the copy's. */
#define UP	0u
#define OUT_A	(ROW * ROWS * LAYERS * 4u)
#define OUT_B	(OUT_A + 264u * LAYERS * 4u)	/* 264: the levels' texels */
#define STAGING	(OUT_B + W * H * BLAYERS * 4u)

enum { A, B, NIMG };

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
	VkImageView view[LEVELS][LAYERS];
	VkDescriptorSetLayout sl;
	VkDescriptorPool dp;
	VkDescriptorSet set[NSETS];
	VkPipelineLayout layout;
	VkShaderModule module;
	VkPipeline pipeline;
	VkCommandPool pool;
};

static uint32_t level_w(uint32_t l)
{
	return W >> l ? W >> l : 1;
}

static uint32_t level_h(uint32_t l)
{
	return H >> l ? H >> l : 1;
}

/* Where level @l's texels (all layers, packed) start in the read-back. */
static uint32_t out_level(uint32_t l)
{
	uint32_t off = OUT_A;

	for (uint32_t i = 0; i < l; i++)
		off += level_w(i) * level_h(i) * LAYERS * 4u;
	return off;
}

static uint32_t uploaded(uint32_t layer, uint32_t x, uint32_t y)
{
	return layer * 1000000u + y * 1000u + x;
}

static void test_offered(VkPhysicalDevice pd)
{
	VkPhysicalDeviceProperties p;
	VkImageFormatProperties ip;
	uint32_t chain = 1;
	VkResult r;

	vkGetPhysicalDeviceProperties(pd, &p);
	r = vkGetPhysicalDeviceImageFormatProperties(pd, VK_FORMAT_R32_UINT, VK_IMAGE_TYPE_2D,
						     VK_IMAGE_TILING_OPTIMAL,
						     VK_IMAGE_USAGE_STORAGE_BIT |
						     VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
						     VK_IMAGE_USAGE_TRANSFER_DST_BIT, 0, &ip);
	for (uint32_t m = ip.maxExtent.width > ip.maxExtent.height ? ip.maxExtent.width :
			  ip.maxExtent.height; r == VK_SUCCESS && m > 1; m >>= 1)
		chain++;
	check("R32_UINT 2D images: the whole chain of levels of maxExtent (Vulkan requires it)",
	      r == VK_SUCCESS && ip.maxMipLevels == chain, "VkResult %d, %ux%u, %u levels",
	      r, ip.maxExtent.width, ip.maxExtent.height, ip.maxMipLevels);
	check("R32_UINT 2D images: layers, at most the device's maxImageArrayLayers",
	      r == VK_SUCCESS && ip.maxArrayLayers >= LAYERS &&
	      ip.maxArrayLayers <= p.limits.maxImageArrayLayers,
	      "%u layers, the limit %u", ip.maxArrayLayers, p.limits.maxImageArrayLayers);
}

static int make_views(struct ctx *c)
{
	for (uint32_t l = 0; l < LEVELS; l++)
		for (uint32_t k = 0; k < LAYERS; k++) {
			const VkImageViewCreateInfo vci = {
				.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
				.image = c->img[A], .viewType = VK_IMAGE_VIEW_TYPE_2D,
				.format = VK_FORMAT_R32_UINT,
				.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, l, 1, k, 1 },
			};

			VK_OK("a 2D view of one level of one layer",
			      vkCreateImageView(c->dev, &vci, NULL, &c->view[l][k]));
		}
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
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};
	VkImageCreateInfo ci[NIMG] = {
		image_2d(VK_FORMAT_R32_UINT, W, H, usage),
		image_2d(VK_FORMAT_R32_UINT, W, H, usage),
	};

	ci[A].mipLevels = LEVELS;
	ci[A].arrayLayers = LAYERS;
	ci[B].arrayLayers = BLAYERS;
	if (instance_begin("test_odx_mips", &c->inst, &c->messenger, &c->pd))
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

/* One set per computed subresource: level l + 1 of a layer from level l. */
static int make_pipeline(struct ctx *c)
{
	const VkDescriptorSetLayoutBinding b[2] = {
		{ 0, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 1, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
	};
	const VkDescriptorSetLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 2, .pBindings = b,
	};
	const VkDescriptorPoolSize ps = { VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 2 * NSETS };
	const VkDescriptorPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = NSETS, .poolSizeCount = 1, .pPoolSizes = &ps,
	};
	VkDescriptorSetLayout sls[NSETS];
	VkDescriptorSetAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorSetCount = NSETS, .pSetLayouts = sls,
	};
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
	};

	VK_OK("set layout of two storage images",
	      vkCreateDescriptorSetLayout(c->dev, &lci, NULL, &c->sl));
	VK_OK("pool", vkCreateDescriptorPool(c->dev, &pci, NULL, &c->dp));
	for (uint32_t i = 0; i < NSETS; i++)
		sls[i] = c->sl;
	ai.descriptorPool = c->dp;
	VK_OK("sets", vkAllocateDescriptorSets(c->dev, &ai, c->set));
	for (uint32_t i = 0; i < NSETS; i++) {
		uint32_t l = i / LAYERS, k = i % LAYERS;
		const VkDescriptorImageInfo ii[2] = {
			{ VK_NULL_HANDLE, c->view[l][k], VK_IMAGE_LAYOUT_GENERAL },
			{ VK_NULL_HANDLE, c->view[l + 1][k], VK_IMAGE_LAYOUT_GENERAL },
		};
		const VkWriteDescriptorSet w = {
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = c->set[i],
			.descriptorCount = 2, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,
			.pImageInfo = ii,
		};

		vkUpdateDescriptorSets(c->dev, 1, &w, 0, NULL);
	}
	plci.pSetLayouts = &c->sl;
	VK_OK("pipeline layout", vkCreatePipelineLayout(c->dev, &plci, NULL, &c->layout));
	VK_OK("the pipeline", compute_pipeline(c->dev, odx_mips_spv, sizeof(odx_mips_spv),
					       c->layout, &c->module, &c->pipeline));
	return 0;
}

/* Levels 1.. from the level above, a level at a time, every layer. */
static void record_levels(struct ctx *c, VkCommandBuffer cb)
{
	const VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_SHADER_READ_BIT,
	};

	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
	for (uint32_t i = 0; i < NSETS; i++) {
		uint32_t l = i / LAYERS + 1;

		if (i && i % LAYERS == 0)
			vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
					     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0,
					     NULL, 0, NULL);
		vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->layout, 0, 1,
					&c->set[i], 0, NULL);
		vkCmdDispatch(cb, (level_w(l) + 7) / 8, (level_h(l) + 7) / 8, 1);
	}
}

static int record_and_run(struct ctx *c)
{
	const VkImageSubresourceRange below0 = {
		VK_IMAGE_ASPECT_COLOR_BIT, 1, VK_REMAINING_MIP_LEVELS, 0, VK_REMAINING_ARRAY_LAYERS,
	};
	const VkImageSubresourceRange one = { VK_IMAGE_ASPECT_COLOR_BIT, 3, 1, 2, 1 };
	const VkImageSubresourceRange all = {
		VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, VK_REMAINING_ARRAY_LAYERS,
	};
	const VkClearColorValue junk = { .uint32 = { 0xdeadbeefu } };
	const VkClearColorValue three = { .uint32 = { 3 } }, sevens = { .uint32 = { 77 } };
	const VkBufferImageCopy up = {
		UP, ROW, ROWS, { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, LAYERS }, { 0, 0, 0 }, { W, H, 1 },
	};
	/* Level 1 of layers 1 and 2 into layers 0 and 1 of B at (5, 3). */
	const VkImageCopy ic = {
		{ VK_IMAGE_ASPECT_COLOR_BIT, 1, 1, 2 }, { 0, 0, 0 },
		{ VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 2 }, { 5, 3, 0 }, { 9, 5, 1 },
	};
	VkBufferImageCopy down[LEVELS + 1];
	const VkBufferMemoryBarrier host = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT, .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.buffer = c->staging, .size = VK_WHOLE_SIZE,
	};
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);

	if (!cb)
		return -1;
	for (uint32_t l = 0; l < LEVELS; l++)
		down[l] = (VkBufferImageCopy) {
			out_level(l), 0, 0, { VK_IMAGE_ASPECT_COLOR_BIT, l, 0, LAYERS },
			{ 0, 0, 0 }, { level_w(l), level_h(l), 1 },
		};
	down[LEVELS] = (VkBufferImageCopy) {
		OUT_B, 0, 0, { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, BLAYERS }, { 0, 0, 0 }, { W, H, 1 },
	};
	image_barriers(cb, c->img, NIMG, VK_IMAGE_LAYOUT_UNDEFINED,
		       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdClearColorImage(cb, c->img[A], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &junk, 1,
			     &all);
	vkCmdClearColorImage(cb, c->img[A], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &junk, 1,
			     &below0);
	vkCmdClearColorImage(cb, c->img[B], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &three, 1,
			     &all);
	image_barriers(cb, &c->img[A], 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
		       VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdCopyBufferToImage(cb, c->staging, c->img[A], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
			       1, &up);
	image_barriers(cb, &c->img[A], 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		       VK_IMAGE_LAYOUT_GENERAL, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
		       VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
	record_levels(c, cb);
	image_barriers(cb, &c->img[A], 1, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_GENERAL,
		       VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
	/* One subresource only: level 3 of layer 2. */
	vkCmdClearColorImage(cb, c->img[A], VK_IMAGE_LAYOUT_GENERAL, &sevens, 1, &one);
	image_barriers(cb, &c->img[A], 1, VK_IMAGE_LAYOUT_GENERAL,
		       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
		       VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdCopyImage(cb, c->img[A], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, c->img[B],
		       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &ic);
	image_barriers(cb, &c->img[B], 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
		       VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
		       VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdCopyImageToBuffer(cb, c->img[A], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, c->staging,
			       LEVELS, down);
	vkCmdCopyImageToBuffer(cb, c->img[B], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, c->staging,
			       1, &down[LEVELS]);
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
			     0, NULL, 1, &host, 0, NULL);
	return run_and_free(c->dev, c->q, c->pool, cb);
}

/* What level @l of @layer holds at (x, y) after the kernels and the clear. */
static uint32_t expected(uint32_t l, uint32_t layer, uint32_t x, uint32_t y)
{
	if (l == 3 && layer == 2)
		return 77;
	return uploaded(layer, x << l, y << l) + l;
}

static void test_mips(struct ctx *c)
{
	uint32_t *up = (uint32_t *)(c->map + UP);
	const uint32_t *b = (const uint32_t *)(c->map + OUT_B);
	uint32_t bbad = 0;

	for (uint32_t k = 0; k < LAYERS; k++)
		for (uint32_t y = 0; y < ROWS; y++)
			for (uint32_t x = 0; x < ROW; x++)
				up[(k * ROWS + y) * ROW + x] = x < W && y < H ?
					uploaded(k, x, y) : 0xbadu;
	memset(c->map + OUT_A, 0, STAGING - OUT_A);
	if (record_and_run(c))
		return;
	for (uint32_t l = 0; l < LEVELS; l++) {
		const uint32_t *out = (const uint32_t *)(c->map + out_level(l));
		uint32_t bad = 0, first = 0, w = level_w(l), h = level_h(l);

		for (uint32_t k = 0; k < LAYERS; k++)
			for (uint32_t i = 0; i < w * h; i++)
				if (out[k * w * h + i] != expected(l, k, i % w, i / w) && !bad++)
					first = k * w * h + i;
		check(l ? "a level computed from the level above, every layer, read back" :
		      "level 0 of three layers uploaded by one copy, read back by one", !bad,
		      "level %u (%ux%u): %u wrong, first layer %u (%u, %u): %u, want %u", l, w, h,
		      bad, first / (w * h), first % (w * h) % w, first % (w * h) / w, out[first],
		      expected(l, first / (w * h), first % (w * h) % w, first % (w * h) / w));
	}
	for (uint32_t k = 0; k < BLAYERS; k++)
		for (uint32_t y = 0; y < H; y++)
			for (uint32_t x = 0; x < W; x++) {
				bool in = x >= 5 && x < 14 && y >= 3 && y < 8;
				uint32_t want = in ? expected(1, k + 1, x - 5, y - 3) : 3;

				bbad += b[(k * H + y) * W + x] != want;
			}
	check("two layers of level 1 copied into two layers of another image", !bbad,
	      "%u texels wrong", bbad);
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
	for (uint32_t l = 0; l < LEVELS; l++)
		for (uint32_t k = 0; k < LAYERS; k++)
			vkDestroyImageView(c->dev, c->view[l][k], NULL);
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
		test_mips(&c);
	cleanup(&c);
	return program_end("test_odx_mips", c.inst, c.messenger);
}
