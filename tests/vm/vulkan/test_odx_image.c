// SPDX-License-Identifier: MIT
/*
 * Storage images through the opendxg Vulkan driver (docs/vulkan-driver.md):
 * the formats Vulkan requires storage images of (R8G8B8A8_UNORM, R32_UINT
 * with atomics) offered with optimal tiling, and their image format
 * properties; robustImageAccess, enabled; device-local images filled by a copy from a buffer whose
 * rows are longer than the image's, cleared, read and written by a kernel
 * (an image atomic counting), copied into another image and back to
 * buffers, every texel checked; layouts as Vulkan asks, barriers between;
 * a fourth image the shader declares but never uses left unwritten.
 *
 * Plain Vulkan: it also runs on the host's lavapipe (meson test), and under
 * the validation layer with ODX_VALIDATE=1.
 */
#include <stdint.h>

#include "odx_image_spv.h"
#include "vktest.h"

#define W	37u
#define H	21u
#define ROW	40u		/* the upload buffer's row length, in texels */
#define CW	16u		/* the copy image */
#define CH	8u

enum { SRC, DST, COUNT, COPY, NIMG };

static const VkFormat formats[NIMG] = {
	VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_UINT, VK_FORMAT_R32_UINT, VK_FORMAT_R32_UINT,
};
static const VkExtent3D extents[NIMG] = { { W, H, 1 }, { W, H, 1 }, { 1, 1, 1 }, { CW, CH, 1 } };

/* The host-visible buffer: upload, then three read-backs. */
#define UP	0u
#define OUT_DST	(ROW * H * 4u)
#define OUT_CNT	(OUT_DST + W * H * 4u)
#define OUT_CPY	(OUT_CNT + 256u)
#define STAGING	(OUT_CPY + CW * CH * 4u)

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
	VkImageView view[3];
	VkDescriptorSetLayout sl;
	VkDescriptorPool dp;
	VkDescriptorSet set;
	VkPipelineLayout layout;
	VkShaderModule module;
	VkPipeline pipeline;
	VkCommandPool pool;
};

static void test_offered(VkPhysicalDevice pd)
{
	const VkFormatFeatureFlags xfer = VK_FORMAT_FEATURE_TRANSFER_SRC_BIT |
					  VK_FORMAT_FEATURE_TRANSFER_DST_BIT;
	VkPhysicalDeviceImageRobustnessFeatures ir = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_ROBUSTNESS_FEATURES,
	};
	VkPhysicalDeviceVulkan13Features f13 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES, .pNext = &ir,
	};
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &f13,
	};
	VkImageFormatProperties ip;
	VkFormatProperties u, s;
	VkResult r;

	vkGetPhysicalDeviceFeatures2(pd, &f2);
	check("robustImageAccess offered (Vulkan 1.3 requires it), alike in both structures",
	      f13.robustImageAccess && ir.robustImageAccess, "1.3 %u, own %u",
	      f13.robustImageAccess, ir.robustImageAccess);

	vkGetPhysicalDeviceFormatProperties(pd, VK_FORMAT_R8G8B8A8_UNORM, &u);
	vkGetPhysicalDeviceFormatProperties(pd, VK_FORMAT_R32_UINT, &s);
	check("R8G8B8A8_UNORM: optimal storage images, copied both ways (Vulkan requires it)",
	      (u.optimalTilingFeatures & VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT) &&
	      (u.optimalTilingFeatures & xfer) == xfer, "0x%x", u.optimalTilingFeatures);
	check("R32_UINT: optimal storage images with atomics (Vulkan requires it)",
	      (s.optimalTilingFeatures & VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT) &&
	      (s.optimalTilingFeatures & VK_FORMAT_FEATURE_STORAGE_IMAGE_ATOMIC_BIT) &&
	      (s.optimalTilingFeatures & xfer) == xfer, "0x%x", s.optimalTilingFeatures);
	r = vkGetPhysicalDeviceImageFormatProperties(pd, VK_FORMAT_R32_UINT, VK_IMAGE_TYPE_2D,
						     VK_IMAGE_TILING_OPTIMAL,
						     VK_IMAGE_USAGE_STORAGE_BIT |
						     VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
						     VK_IMAGE_USAGE_TRANSFER_DST_BIT, 0, &ip);
	check("a 2D storage and transfer image of R32_UINT: its properties",
	      r == VK_SUCCESS && ip.maxExtent.width >= 4096 && ip.maxExtent.height >= 4096 &&
	      ip.maxMipLevels >= 1 && ip.maxArrayLayers >= 1 &&
	      (ip.sampleCounts & VK_SAMPLE_COUNT_1_BIT),
	      "VkResult %d, %ux%u, %u levels", r, ip.maxExtent.width, ip.maxExtent.height,
	      ip.maxMipLevels);
}

static int make_images(struct ctx *c)
{
	const VkImageUsageFlags usage = VK_IMAGE_USAGE_STORAGE_BIT |
					VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
					VK_IMAGE_USAGE_TRANSFER_DST_BIT;
	VkImageCreateInfo ci[NIMG];

	for (uint32_t i = 0; i < NIMG; i++)
		ci[i] = image_2d(formats[i], extents[i].width, extents[i].height, usage);
	if (device_images(c->pd, c->dev, NIMG, ci, c->img, &c->dmem))
		return -1;
	for (uint32_t i = 0; i < 3; i++) {
		const VkImageViewCreateInfo vci = {
			.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = c->img[i],
			.viewType = VK_IMAGE_VIEW_TYPE_2D, .format = formats[i],
			.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
		};

		VK_OK("image view", vkCreateImageView(c->dev, &vci, NULL, &c->view[i]));
	}
	return 0;
}

static int setup(struct ctx *c)
{
	VkPhysicalDeviceVulkan13Features want = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
		.robustImageAccess = VK_TRUE,
	};
	VkCommandPoolCreateInfo cpi = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = STAGING,
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};

	if (instance_begin("test_odx_image", &c->inst, &c->messenger, &c->pd))
		return -1;
	test_offered(c->pd);
	VK_OK("a device with robustImageAccess", device_begin(c->pd, &want, 0, NULL, &c->dev, &c->q));
	if (host_staging(c->pd, c->dev, bci.size, bci.usage, &c->staging, &c->hmem, &c->map))
		return -1;
	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpi, NULL, &c->pool));
	return make_images(c);
}

static int make_pipeline(struct ctx *c)
{
	VkDescriptorSetLayoutBinding b[4];
	const VkDescriptorSetLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 4, .pBindings = b,
	};
	const VkDescriptorPoolSize ps = { VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 4 };
	const VkDescriptorPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1, .poolSizeCount = 1, .pPoolSizes = &ps,
	};
	VkDescriptorSetAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, .descriptorSetCount = 1,
	};
	const VkPushConstantRange pr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, 8 };
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
		.pushConstantRangeCount = 1, .pPushConstantRanges = &pr,
	};
	VkDescriptorImageInfo ii[3];
	VkWriteDescriptorSet w = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 0,
		.descriptorCount = 3, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,
		.pImageInfo = ii,
	};

	/* Binding 3, the shader's unused `spare`, is never written. */
	for (uint32_t i = 0; i < 4; i++)
		b[i] = (VkDescriptorSetLayoutBinding) {
			i, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL,
		};
	for (uint32_t i = 0; i < 3; i++)
		ii[i] = (VkDescriptorImageInfo) { VK_NULL_HANDLE, c->view[i],
						  VK_IMAGE_LAYOUT_GENERAL };
	VK_OK("set layout of four storage images",
	      vkCreateDescriptorSetLayout(c->dev, &lci, NULL, &c->sl));
	VK_OK("pool", vkCreateDescriptorPool(c->dev, &pci, NULL, &c->dp));
	ai.descriptorPool = c->dp;
	ai.pSetLayouts = &c->sl;
	VK_OK("set", vkAllocateDescriptorSets(c->dev, &ai, &c->set));
	/* One write of three: it runs on into bindings 1 and 2. */
	w.dstSet = c->set;
	vkUpdateDescriptorSets(c->dev, 1, &w, 0, NULL);
	plci.pSetLayouts = &c->sl;
	VK_OK("pipeline layout", vkCreatePipelineLayout(c->dev, &plci, NULL, &c->layout));
	VK_OK("a pipeline of storage images",
	      compute_pipeline(c->dev, odx_image_spv, sizeof(odx_image_spv), c->layout,
			       &c->module, &c->pipeline));
	return 0;
}

/*
 * Upload (rows of ROW texels into a W-wide image), clears, the kernel,
 * an image-to-image copy and the read-backs, in one command buffer.
 */
static int record_and_run(struct ctx *c)
{
	const VkImageSubresourceRange all = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 };
	const VkImageSubresourceLayers layer = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 };
	const VkClearColorValue five = { .uint32 = { 5 } }, seven = { .uint32 = { 7 } };
	const VkClearColorValue junk = { .uint32 = { 0xdeadbeefu } };
	const VkBufferImageCopy up = { UP, ROW, 0, layer, { 0, 0, 0 }, { W, H, 1 } };
	const VkImageCopy ic = { layer, { 2, 3, 0 }, layer, { 3, 2, 0 }, { 10, 5, 1 } };
	const VkBufferImageCopy down[3] = {
		{ OUT_DST, 0, 0, layer, { 0, 0, 0 }, { W, H, 1 } },
		{ OUT_CNT, 0, 0, layer, { 0, 0, 0 }, { 1, 1, 1 } },
		{ OUT_CPY, 0, 0, layer, { 0, 0, 0 }, { CW, CH, 1 } },
	};
	const VkBufferMemoryBarrier host = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT, .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.buffer = c->staging, .size = VK_WHOLE_SIZE,
	};
	const uint32_t push[2] = { W, H };
	const VkImage used[3] = { c->img[SRC], c->img[DST], c->img[COUNT] };
	const VkImage results[2] = { c->img[DST], c->img[COUNT] };
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);

	if (!cb)
		return -1;
	image_barriers(cb, c->img, NIMG, VK_IMAGE_LAYOUT_UNDEFINED,
		   VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0, VK_ACCESS_TRANSFER_WRITE_BIT,
		   VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdCopyBufferToImage(cb, c->staging, c->img[SRC], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
			       1, &up);
	vkCmdClearColorImage(cb, c->img[DST], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &junk, 1, &all);
	vkCmdClearColorImage(cb, c->img[COUNT], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &five, 1,
			     &all);
	vkCmdClearColorImage(cb, c->img[COPY], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &seven, 1,
			     &all);
	image_barriers(cb, used, 3, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL,
		   VK_ACCESS_TRANSFER_WRITE_BIT,
		   VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
		   VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->layout, 0, 1, &c->set,
				0, NULL);
	vkCmdPushConstants(cb, c->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 8, push);
	vkCmdDispatch(cb, (W + 7) / 8, (H + 7) / 8, 1);
	image_barriers(cb, results, 2, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
		   VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT,
		   VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdCopyImage(cb, c->img[DST], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, c->img[COPY],
		       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &ic);
	image_barriers(cb, &c->img[COPY], 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		   VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
		   VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
		   VK_PIPELINE_STAGE_TRANSFER_BIT);
	vkCmdCopyImageToBuffer(cb, c->img[DST], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, c->staging,
			       1, &down[0]);
	vkCmdCopyImageToBuffer(cb, c->img[COUNT], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
			       c->staging, 1, &down[1]);
	vkCmdCopyImageToBuffer(cb, c->img[COPY], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
			       c->staging, 1, &down[2]);
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
			     0, NULL, 1, &host, 0, NULL);
	return run_and_free(c->dev, c->q, c->pool, cb);
}

/* What the kernel writes at (x, y). */
static uint32_t expected(const uint8_t *up, uint32_t x, uint32_t y)
{
	uint32_t v = y * 10000u + x * 7u;

	for (uint32_t k = 0; k < 4; k++)
		v += (k + 1) * up[(y * ROW + x) * 4 + k];
	return v;
}

static void test_images(struct ctx *c)
{
	const uint32_t *dst = (const uint32_t *)(c->map + OUT_DST);
	const uint32_t *cpy = (const uint32_t *)(c->map + OUT_CPY);
	uint32_t bad = 0, first = 0, cbad = 0;

	for (uint32_t i = 0; i < ROW * H * 4; i++)
		c->map[UP + i] = (uint8_t)(i * 7 + i / (ROW * 4) * 3);
	memset(c->map + OUT_DST, 0, STAGING - OUT_DST);
	if (record_and_run(c))
		return;
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			if (dst[y * W + x] != expected(c->map + UP, x, y) && !bad++)
				first = y * W + x;
	check("every texel uploaded (rows longer than the image's), read, written, read back",
	      !bad, "%u wrong, first (%u, %u): %u, want %u", bad, first % W, first / W,
	      dst[first], expected(c->map + UP, first % W, first / W));
	check("the image atomic counted every invocation, from a cleared 5",
	      *(const uint32_t *)(c->map + OUT_CNT) == 5 + W * H, "%u, want %u",
	      *(const uint32_t *)(c->map + OUT_CNT), 5 + W * H);
	for (uint32_t y = 0; y < CH; y++)
		for (uint32_t x = 0; x < CW; x++) {
			bool in = x >= 3 && x < 13 && y >= 2 && y < 7;
			uint32_t want = in ? expected(c->map + UP, x - 3 + 2, y - 2 + 3) : 7;

			cbad += cpy[y * CW + x] != want;
		}
	check("an image-to-image copy of a 10x5 region into an image cleared to 7", !cbad,
	      "%u texels wrong", cbad);
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
	for (uint32_t i = 0; i < 3; i++)
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
		test_images(&c);
	cleanup(&c);
	return program_end("test_odx_image", c.inst, c.messenger);
}
