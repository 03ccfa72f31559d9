// SPDX-License-Identifier: MIT
/*
 * Image formats through the opendxg Vulkan driver (docs/vulkan-driver.md,
 * "Storage images"): for formats of every kind a clear knows (UNORM,
 * SNORM, UINT, SINT, half and single floats, sRGB, BGRA order, the 16- and
 * 32-bit packed ones, the unsigned 11/10-bit floats and the shared
 * exponent), each offered with the transfers and sampling, an image cleared
 * with vkCmdClearColorImage and copied out, every texel the bytes Vulkan's
 * conversion rules give (written out here, not computed).
 *
 * Plain Vulkan: it also runs on the host's lavapipe (meson test), where a
 * real driver's clears must give the same bytes, and under the validation
 * layer with ODX_VALIDATE=1.
 */
#include <stdint.h>

#include "vktest.h"

#define W	4u
#define H	2u

struct want {
	VkFormat format;
	const char *name;
	uint32_t size;			/* bytes per texel */
	int kind;			/* which clear color */
	uint8_t texel[16];
};

enum { FLT, HLF, UNS, SGN };

/*
 * The clear colors: float (1, 0, 0.2, 0.6), none a tie when rounded to
 * normalized values; float exact in the small floats (1, 0, 0.25, 0.75),
 * whose rounding Vulkan leaves to the implementation (lavapipe truncates);
 * uint (7, 200, 0, 1), sint (-7, 100, -100, 5).
 */
static const VkClearColorValue colors[4] = {
	{ .float32 = { 1.0f, 0.0f, 0.2f, 0.6f } },
	{ .float32 = { 1.0f, 0.0f, 0.25f, 0.75f } },
	{ .uint32 = { 7, 200, 0, 1 } },
	{ .int32 = { -7, 100, -100, 5 } },
};

#define F(f, n, k, ...) { VK_FORMAT_##f, #f, n, k, { __VA_ARGS__ } }
static const struct want wants[] = {
	F(R8_UNORM, 1, FLT, 0xff),
	F(R8G8_UNORM, 2, FLT, 0xff, 0x00),
	F(R8G8B8A8_UNORM, 4, FLT, 0xff, 0x00, 51, 153),
	F(R8G8B8A8_SNORM, 4, FLT, 0x7f, 0x00, 25, 76),
	F(R8G8B8A8_SRGB, 4, FLT, 0xff, 0x00, 124, 153),
	F(B8G8R8A8_UNORM, 4, FLT, 51, 0x00, 0xff, 153),
	F(B8G8R8A8_SRGB, 4, FLT, 124, 0x00, 0xff, 153),
	F(A8B8G8R8_UNORM_PACK32, 4, FLT, 0xff, 0x00, 51, 153),
	F(A8B8G8R8_SRGB_PACK32, 4, FLT, 0xff, 0x00, 124, 153),
	/* r 1023, g 0, b 205, a 2 */
	F(A2B10G10R10_UNORM_PACK32, 4, FLT, 0xff, 0x03, 0xd0, 0x8c),
	/* r 31, g 0, b 6 */
	F(R5G6B5_UNORM_PACK16, 2, FLT, 0x06, 0xf8),
	/* a 1, r 31, g 0, b 6 */
	F(A1R5G5B5_UNORM_PACK16, 2, FLT, 0x06, 0xfc),
	F(R16_UNORM, 2, FLT, 0xff, 0xff),
	F(R16G16B16A16_UNORM, 8, FLT, 0xff, 0xff, 0x00, 0x00, 0x33, 0x33, 0x99, 0x99),
	F(R16G16B16A16_SNORM, 8, FLT, 0xff, 0x7f, 0x00, 0x00, 0x99, 0x19, 0xcc, 0x4c),
	/* halves 1.0, 0, 0.25 (0x3400), 0.75 (0x3a00) */
	F(R16_SFLOAT, 2, HLF, 0x00, 0x3c),
	F(R16G16B16A16_SFLOAT, 8, HLF, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x34, 0x00, 0x3a),
	F(R32_SFLOAT, 4, FLT, 0x00, 0x00, 0x80, 0x3f),
	F(R32G32B32A32_SFLOAT, 16, FLT, 0x00, 0x00, 0x80, 0x3f, 0, 0, 0, 0,
	  0xcd, 0xcc, 0x4c, 0x3e, 0x9a, 0x99, 0x19, 0x3f),
	/* r 1.0 as 11 bits (0x3c0), g 0, b 0.25 as 10 bits (0x1a0) */
	F(B10G11R11_UFLOAT_PACK32, 4, HLF, 0xc0, 0x03, 0x00, 0x68),
	/* exponent 16, r 256, g 0, b 64 */
	F(E5B9G9R9_UFLOAT_PACK32, 4, HLF, 0x00, 0x01, 0x00, 0x81),
	F(R8G8B8A8_UINT, 4, UNS, 7, 200, 0, 1),
	F(R16G16_UINT, 4, UNS, 7, 0, 200, 0),
	F(R32_UINT, 4, UNS, 7, 0, 0, 0),
	/* r 7, g 200, b 0, a 1 */
	F(A2B10G10R10_UINT_PACK32, 4, UNS, 0x07, 0x20, 0x03, 0x40),
	F(R8G8B8A8_SINT, 4, SGN, 0xf9, 100, 0x9c, 5),
	F(R16_SINT, 2, SGN, 0xf9, 0xff),
	F(R32G32_SINT, 8, SGN, 0xf9, 0xff, 0xff, 0xff, 100, 0, 0, 0),
};
#undef F

#define N	(sizeof(wants) / sizeof(wants[0]))
#define SLOT	(W * H * 16u)		/* read-back bytes per format */

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkDeviceMemory dmem, hmem;
	uint8_t *map;
	VkBuffer out;
	VkImage img[N];
	VkCommandPool pool;
};

/* Each format offered with the transfers and sampling, optimal tiling. */
static bool offered(struct ctx *c)
{
	const VkFormatFeatureFlags need = VK_FORMAT_FEATURE_TRANSFER_SRC_BIT |
					  VK_FORMAT_FEATURE_TRANSFER_DST_BIT |
					  VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT;
	uint32_t missing = 0;

	for (uint32_t i = 0; i < N; i++) {
		VkFormatProperties p;

		vkGetPhysicalDeviceFormatProperties(c->pd, wants[i].format, &p);
		if ((p.optimalTilingFeatures & need) != need) {
			printf("# %s: optimal features 0x%x\n", wants[i].name,
			       p.optimalTilingFeatures);
			missing++;
		}
	}
	check("every format here: sampled, copied both ways, optimal tiling", !missing,
	      "%u of %u formats lack them", missing, (unsigned)N);
	return !missing;
}

static int setup(struct ctx *c)
{
	VkCommandPoolCreateInfo cpi = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = N * SLOT,
		.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};
	VkImageCreateInfo ci[N];

	if (instance_begin("test_odx_formats", &c->inst, &c->messenger, &c->pd) ||
	    !offered(c))
		return -1;
	VK_OK("a device", device_begin(c->pd, NULL, 0, NULL, &c->dev, &c->q));
	if (host_staging(c->pd, c->dev, bci.size, bci.usage, &c->out, &c->hmem, &c->map))
		return -1;
	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpi, NULL, &c->pool));
	for (uint32_t i = 0; i < N; i++)
		ci[i] = image_2d(wants[i].format, W, H, VK_IMAGE_USAGE_SAMPLED_BIT |
				 VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
				 VK_IMAGE_USAGE_TRANSFER_DST_BIT);
	if (device_images(c->pd, c->dev, N, ci, c->img, &c->dmem))
		return -1;
	return 0;
}

/* Every image cleared, then copied out, in one command buffer. */
static int clear_and_read(struct ctx *c)
{
	const VkImageSubresourceRange all = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 };
	const VkImageSubresourceLayers layer = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 };
	const VkBufferMemoryBarrier host = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT, .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.buffer = c->out, .size = VK_WHOLE_SIZE,
	};
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);

	if (!cb)
		return -1;
	for (uint32_t i = 0; i < N; i += 8)
		image_barriers(cb, &c->img[i], N - i < 8 ? N - i : 8, VK_IMAGE_LAYOUT_UNDEFINED,
			       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
			       VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
			       VK_PIPELINE_STAGE_TRANSFER_BIT);
	for (uint32_t i = 0; i < N; i++)
		vkCmdClearColorImage(cb, c->img[i], VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
				     &colors[wants[i].kind], 1, &all);
	for (uint32_t i = 0; i < N; i += 8)
		image_barriers(cb, &c->img[i], N - i < 8 ? N - i : 8,
			       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
			       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
			       VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
			       VK_PIPELINE_STAGE_TRANSFER_BIT);
	for (uint32_t i = 0; i < N; i++) {
		const VkBufferImageCopy down = { i * SLOT, 0, 0, layer, { 0, 0, 0 }, { W, H, 1 } };

		vkCmdCopyImageToBuffer(cb, c->img[i], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
				       c->out, 1, &down);
	}
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
			     0, NULL, 1, &host, 0, NULL);
	return run_and_free(c->dev, c->q, c->pool, cb);
}

static void test_clears(struct ctx *c)
{
	memset(c->map, 0x5a, N * SLOT);
	if (clear_and_read(c))
		return;
	for (uint32_t i = 0; i < N; i++) {
		const struct want *w = &wants[i];
		const uint8_t *t = c->map + i * SLOT;
		uint32_t bad = 0;

		char got[40] = "", want[40] = "";

		for (uint32_t k = 0; k < W * H; k++)
			bad += memcmp(t + k * w->size, w->texel, w->size) != 0;
		for (uint32_t b = 0; b < w->size; b++) {
			snprintf(got + 2 * b, 3, "%02x", t[b]);
			snprintf(want + 2 * b, 3, "%02x", w->texel[b]);
		}
		check(w->name, !bad, "%u of %u texels wrong; the first %s, want %s", bad, W * H,
		      got, want);
	}
}

static void cleanup(struct ctx *c)
{
	if (!c->dev)
		return;
	vkDestroyCommandPool(c->dev, c->pool, NULL);
	for (uint32_t i = 0; i < N; i++)
		vkDestroyImage(c->dev, c->img[i], NULL);
	vkDestroyBuffer(c->dev, c->out, NULL);
	vkFreeMemory(c->dev, c->dmem, NULL);
	vkFreeMemory(c->dev, c->hmem, NULL);
	vkDestroyDevice(c->dev, NULL);
}

int main(void)
{
	struct ctx c = { 0 };

	if (!setup(&c))
		test_clears(&c);
	cleanup(&c);
	return program_end("test_odx_formats", c.inst, c.messenger);
}
