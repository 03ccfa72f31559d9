// SPDX-License-Identifier: MIT
/*
 * Storage images.  What the host can do with images over guest memory
 * without tying a host object's life to an allocation's is a linear 2D
 * image made for each dispatch over the bytes of device memory
 * (docs/vulkan-backend.md, "Storage images").  So an image here is 2D,
 * one sample, of a format the host has linear storage images of, used as
 * a storage image or copied to and from; it lives in device memory (the
 * DEVICE_LOCAL type).  Each level of each layer is laid out as the host
 * says a linear image of that level's extent is (DXG_ESCAPE_IMAGE_LAYOUT):
 * rows row_pitch apart; a view is one such subresource, which is all a
 * dispatch's linear image can be.  The application asks for OPTIMAL
 * tiling (its layout is ours to choose) and never sees the bytes: copies
 * (cmd_image.c) move rows.  Layouts need no transitions: the bytes are the
 * image in every layout.  The same images are sampled (DISPATCH4:
 * docs/vulkan-driver.md, "Sampled images and samplers").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odx.h"

/* The usages an image may have: what a linear image has (storage, sampled). */
#define ODX_IMAGE_USAGE	(VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_SAMPLED_BIT | \
			 VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT)

/* ---- what the device offers ---- */

VkFormatFeatureFlags odx_image_features(const struct odx_physical_device *pd,
					uint32_t format)
{
	/* Images live in device memory; clears need the format's components. */
	if (!pd->device_heap_size || format >= DXG_TEXEL_FORMAT_END ||
	    !odx_color_format(format))
		return 0;
	return pd->formats[format].image_features &
	       (VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT |
		VK_FORMAT_FEATURE_STORAGE_IMAGE_ATOMIC_BIT |
		VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT |
		VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT |
		VK_FORMAT_FEATURE_TRANSFER_SRC_BIT | VK_FORMAT_FEATURE_TRANSFER_DST_BIT);
}

/*
 * Unwritten image descriptors (storage, sampled, combined) bind a 1x1
 * image in this device memory (without it such a dispatch faults: device
 * lost).  Made with the first pipeline that has an image, so that devices without any
 * hold none of the VM's device memory; two threads may race to make it:
 * the first one's stays.
 */
void odx_need_dummy_image(struct odx_device *d)
{
	struct odx_memory *m = NULL, *none = NULL;

	if (atomic_load(&d->dummy_image) || !odx_images_offered(d->physical) ||
	    odx_memory_create(d, ODX_DUMMY_IMAGE_SIZE, true, &m) != VK_SUCCESS)
		return;
	if (!atomic_compare_exchange_strong(&d->dummy_image, &none, m))
		odx_memory_destroy(d, m);
}

bool odx_images_offered(const struct odx_physical_device *pd)
{
	for (uint32_t f = 0; f < DXG_TEXEL_FORMAT_END; f++)
		if (odx_image_features(pd, f))
			return true;
	return false;
}

/* The image an application may make; VK_SUCCESS or why not. */
static VkResult image_supported(const struct odx_physical_device *pd, uint32_t format,
				VkImageType type, VkImageTiling tiling,
				VkImageUsageFlags usage, VkImageCreateFlags flags)
{
	VkFormatFeatureFlags f = odx_image_features(pd, format);

	if (!f || type != VK_IMAGE_TYPE_2D || tiling != VK_IMAGE_TILING_OPTIMAL ||
	    (flags & ~VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT) || !usage || (usage & ~ODX_IMAGE_USAGE) ||
	    ((usage & VK_IMAGE_USAGE_STORAGE_BIT) && !(f & VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT)) ||
	    ((usage & VK_IMAGE_USAGE_SAMPLED_BIT) && !(f & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT)))
		return VK_ERROR_FORMAT_NOT_SUPPORTED;
	return VK_SUCCESS;
}

/* The levels of a whole mipmap chain of a @w x @h image. */
static uint32_t chain_levels(uint32_t w, uint32_t h)
{
	uint32_t n = 1;

	for (uint32_t m = w > h ? w : h; m > 1; m >>= 1)
		n++;
	return n;
}

/* Layers: each is images of its own (image.c's layout), so the device's limit. */
static uint32_t max_layers(const struct odx_physical_device *pd)
{
	uint32_t n = pd->host.properties.limits.maxImageArrayLayers;

	return n ? n : 1;
}

static void image_properties(const struct odx_physical_device *pd, uint32_t format,
			     VkImageFormatProperties *p)
{
	*p = (VkImageFormatProperties) {
		.maxExtent = { pd->formats[format].max_width,
			       pd->formats[format].max_height, 1 },
		/* Vulkan: the whole chain of maxExtent (optimal tiling). */
		.maxMipLevels = chain_levels(pd->formats[format].max_width,
					     pd->formats[format].max_height),
		.maxArrayLayers = max_layers(pd),
		.sampleCounts = VK_SAMPLE_COUNT_1_BIT,
		.maxResourceSize = pd->device_heap_size,
	};
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_GetPhysicalDeviceImageFormatProperties(VkPhysicalDevice physicalDevice,
					   VkFormat format, VkImageType type,
					   VkImageTiling tiling, VkImageUsageFlags usage,
					   VkImageCreateFlags flags,
					   VkImageFormatProperties *pProps)
{
	const struct odx_physical_device *pd = (const struct odx_physical_device *)physicalDevice;
	VkResult r = image_supported(pd, format, type, tiling, usage, flags);

	memset(pProps, 0, sizeof(*pProps));
	if (r == VK_SUCCESS)
		image_properties(pd, format, pProps);
	return r;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_GetPhysicalDeviceImageFormatProperties2(VkPhysicalDevice physicalDevice,
					    const VkPhysicalDeviceImageFormatInfo2 *pInfo,
					    VkImageFormatProperties2 *pProps)
{
	const VkPhysicalDeviceExternalImageFormatInfo *ext =
		odx_find_in_chain(pInfo->pNext,
				  VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO);
	VkResult r;

	/* External images are not offered. */
	if (ext && ext->handleType) {
		memset(&pProps->imageFormatProperties, 0, sizeof(pProps->imageFormatProperties));
		return VK_ERROR_FORMAT_NOT_SUPPORTED;
	}
	r = odx_GetPhysicalDeviceImageFormatProperties(physicalDevice, pInfo->format,
						       pInfo->type, pInfo->tiling,
						       pInfo->usage, pInfo->flags,
						       &pProps->imageFormatProperties);
	for (VkBaseOutStructure *s = pProps->pNext; s; s = s->pNext)
		if (s->sType == VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES)
			memset(&((VkExternalImageFormatProperties *)s)->externalMemoryProperties,
			       0, sizeof(VkExternalMemoryProperties));
	return r;
}

/* ---- images ---- */

static VkResult image_refused(const char *why)
{
	if (getenv("ODX_DEBUG"))
		fprintf(stderr, "opendxg: vkCreateImage: %s\n", why);
	return VK_ERROR_FORMAT_NOT_SUPPORTED;
}

/*
 * How the host lays out a @width x @height image of @format (@texel bytes
 * per texel) in *k: VK_SUCCESS or the escape's failure.
 */
static VkResult host_layout(struct odx_device *d, uint32_t format, uint32_t width,
			    uint32_t height, uint32_t texel, struct dxg_escape_image_layout *k)
{
	NTSTATUS st;

	*k = (struct dxg_escape_image_layout) {
		.op = DXG_ESCAPE_IMAGE_LAYOUT, .format = format, .width = width, .height = height,
	};
	st = odx_escape(d, k, sizeof(*k));
	if (!NT_SUCCESS(st))
		return st == STATUS_NOT_SUPPORTED || st == STATUS_INVALID_PARAMETER ?
		       image_refused("the host has no such image") :
		       odx_result(st, VK_ERROR_OUT_OF_HOST_MEMORY);
	if (!k->alignment || (k->alignment & (k->alignment - 1)) || !k->size ||
	    k->row_pitch < (uint64_t)width * texel)
		return image_refused("the host's layout makes no sense");
	return VK_SUCCESS;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * Fills @img's layout from the host, a level at a time: VK_SUCCESS or the
 * escape's failure.  Every level starts at the image's alignment (the
 * largest the host asks for any of them), so each subresource is a linear
 * image the host can place where it is.
 */
static VkResult layout_from_host(struct odx_device *d, struct odx_image *img)
{
	uint64_t off = 0;

	if (img->levels > ODX_IMAGE_MAX_LEVELS)
		return image_refused("more levels than a 32-bit extent has");
	img->alignment = 16;
	for (uint32_t l = 0; l < img->levels && l < ODX_IMAGE_MAX_LEVELS; l++) {
		struct odx_image_level *lv = &img->level[l];
		struct dxg_escape_image_layout k;
		VkResult r;

		lv->width = img->width >> l ? img->width >> l : 1;
		lv->height = img->height >> l ? img->height >> l : 1;
		r = host_layout(d, img->format, lv->width, lv->height, img->texel, &k);
		if (r != VK_SUCCESS)
			return r;
		if (k.size > UINT64_MAX / 4 || k.alignment > UINT64_MAX / 4)
			return image_refused("the host's layout makes no sense");
		/* Whole 16-byte units: clears fill them (cmd_image.c). */
		lv->size = align_up(k.size, 16);
		lv->row_pitch = k.row_pitch;
		if (k.alignment > img->alignment)
			img->alignment = k.alignment;
	}
	for (uint32_t l = 0; l < img->levels; l++) {
		off = align_up(off, img->alignment);
		img->level[l].offset = off;
		if (img->level[l].size > UINT64_MAX / 4 - off)
			return image_refused("too large");
		off += img->level[l].size;
	}
	img->layer_size = align_up(off, img->alignment);
	if (img->layer_size > UINT64_MAX / img->layers)
		return image_refused("too large");
	img->size = img->layer_size * img->layers;
	return VK_SUCCESS;
}

/* An image of @ci, its layout from the host; not yet bound. */
static VkResult make_image(struct odx_device *d, const VkImageCreateInfo *ci,
			   struct odx_image *img)
{
	VkResult r = image_supported(d->physical, ci->format, ci->imageType, ci->tiling,
				     ci->usage, ci->flags);

	if (r != VK_SUCCESS)
		return image_refused("not a 2D storage or transfer image of an offered format");
	if (ci->samples != VK_SAMPLE_COUNT_1_BIT ||
	    ci->extent.depth != 1 || !ci->extent.width || !ci->extent.height ||
	    ci->extent.width > d->physical->formats[ci->format].max_width ||
	    ci->extent.height > d->physical->formats[ci->format].max_height)
		return image_refused("more than one sample, or too large");
	if (!ci->mipLevels || ci->mipLevels > chain_levels(ci->extent.width, ci->extent.height) ||
	    !ci->arrayLayers || ci->arrayLayers > max_layers(d->physical))
		return image_refused("more levels than the extent has, or layers than the device");
	*img = (struct odx_image) {
		.format = ci->format, .width = ci->extent.width, .height = ci->extent.height,
		.levels = ci->mipLevels, .layers = ci->arrayLayers,
		.texel = dxg_texel_format(ci->format).size,
		.mutable_format = !!(ci->flags & VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT),
	};
	return layout_from_host(d, img);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateImage(VkDevice device, const VkImageCreateInfo *pCreateInfo,
		const VkAllocationCallbacks *pAllocator, VkImage *pImage)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_image tmp, *img;
	VkResult r;

	(void)pAllocator;
	*pImage = VK_NULL_HANDLE;
	r = make_image(d, pCreateInfo, &tmp);
	if (r != VK_SUCCESS)
		return r;
	img = odx_alloc(odx_device_alloc(d), sizeof(*img), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!img)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	*img = tmp;
	*pImage = ODX_TO_HANDLE(VkImage, img);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyImage(VkDevice device, VkImage image, const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_free(odx_device_alloc((struct odx_device *)device),
		 ODX_FROM_HANDLE(odx_image, image));
}

/* Device memory only; dedicated allocations neither needed nor preferred. */
static void image_requirements(const struct odx_image *img, VkMemoryRequirements2 *req)
{
	req->memoryRequirements = (VkMemoryRequirements) {
		.size = img->size, .alignment = img->alignment,
		.memoryTypeBits = 1u << ODX_MEMORY_TYPE_DEVICE,
	};
	for (VkBaseOutStructure *s = req->pNext; s; s = s->pNext)
		if (s->sType == VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS) {
			VkMemoryDedicatedRequirements *dr = (void *)s;

			dr->prefersDedicatedAllocation = VK_FALSE;
			dr->requiresDedicatedAllocation = VK_FALSE;
		}
}

VKAPI_ATTR void VKAPI_CALL
odx_GetImageMemoryRequirements(VkDevice device, VkImage image, VkMemoryRequirements *pReq)
{
	VkMemoryRequirements2 r = { .sType = VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2 };

	(void)device;
	image_requirements(ODX_FROM_HANDLE(odx_image, image), &r);
	*pReq = r.memoryRequirements;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetImageMemoryRequirements2(VkDevice device, const VkImageMemoryRequirementsInfo2 *pInfo,
				VkMemoryRequirements2 *pReq)
{
	(void)device;
	image_requirements(ODX_FROM_HANDLE(odx_image, pInfo->image), pReq);
}

/* maintenance4: an image's requirements without making it. */
VKAPI_ATTR void VKAPI_CALL
odx_GetDeviceImageMemoryRequirements(VkDevice device, const VkDeviceImageMemoryRequirements *pInfo,
				     VkMemoryRequirements2 *pReq)
{
	struct odx_image img;

	if (make_image((struct odx_device *)device, pInfo->pCreateInfo, &img) == VK_SUCCESS) {
		image_requirements(&img, pReq);
		return;
	}
	/* Not an image this device can make (invalid usage): nothing fits. */
	memset(&pReq->memoryRequirements, 0, sizeof(pReq->memoryRequirements));
}

VKAPI_ATTR void VKAPI_CALL
odx_GetImageSparseMemoryRequirements(VkDevice device, VkImage image, uint32_t *pCount,
				     VkSparseImageMemoryRequirements *pReqs)
{
	(void)device, (void)image, (void)pReqs;
	*pCount = 0;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetImageSparseMemoryRequirements2(VkDevice device,
				      const VkImageSparseMemoryRequirementsInfo2 *pInfo,
				      uint32_t *pCount, VkSparseImageMemoryRequirements2 *pReqs)
{
	(void)device, (void)pInfo, (void)pReqs;
	*pCount = 0;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetDeviceImageSparseMemoryRequirements(VkDevice device,
					   const VkDeviceImageMemoryRequirements *pInfo,
					   uint32_t *pCount, VkSparseImageMemoryRequirements2 *pReqs)
{
	(void)device, (void)pInfo, (void)pReqs;
	*pCount = 0;
}

/* Only linear images have a layout to ask about; ours are OPTIMAL. */
VKAPI_ATTR void VKAPI_CALL
odx_GetImageSubresourceLayout(VkDevice device, VkImage image,
			      const VkImageSubresource *pSub, VkSubresourceLayout *pLayout)
{
	(void)device, (void)image, (void)pSub;
	memset(pLayout, 0, sizeof(*pLayout));
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_BindImageMemory(VkDevice device, VkImage image, VkDeviceMemory memory,
		    VkDeviceSize offset)
{
	struct odx_image *img = ODX_FROM_HANDLE(odx_image, image);

	(void)device;
	img->mem = ODX_FROM_HANDLE(odx_memory, memory);
	img->offset = offset;
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_BindImageMemory2(VkDevice device, uint32_t count, const VkBindImageMemoryInfo *pInfos)
{
	for (uint32_t i = 0; i < count; i++)
		odx_BindImageMemory(device, pInfos[i].image, pInfos[i].memory,
				    pInfos[i].memoryOffset);
	return VK_SUCCESS;
}

/* ---- views: one level of one layer, of the image's format or a compatible one ---- */

static uint8_t swizzle_of(VkComponentSwizzle c)
{
	return (uint32_t)c <= VK_COMPONENT_SWIZZLE_A ? (uint8_t)c : 0xff;
}

/*
 * A view's format: the image's, or for a MUTABLE_FORMAT image another one
 * offered for images of the same texel size that the host lays out alike
 * at the view's level (the same rows, within the level's memory and the
 * image's alignment): the host makes each dispatch's image of the view's
 * format over the same bytes.
 */
static bool view_format_ok(struct odx_device *d, const struct odx_image *img, uint32_t level,
			   uint32_t format)
{
	const struct odx_image_level *lv = &img->level[level];
	struct dxg_escape_image_layout k;

	if (format == img->format)
		return true;
	if (!img->mutable_format || format >= DXG_TEXEL_FORMAT_END ||
	    dxg_texel_format(format).size != img->texel ||
	    !odx_image_features(d->physical, format))
		return false;
	return host_layout(d, format, lv->width, lv->height, img->texel, &k) == VK_SUCCESS &&
	       k.row_pitch == lv->row_pitch && k.size <= lv->size &&
	       k.alignment <= img->alignment;
}

/*
 * The one subresource a 2D view has in *level, *layer; false where @r is
 * more than one (a dispatch's image is one linear 2D image) or none.
 */
static bool view_subresource(const struct odx_image *img, const VkImageSubresourceRange *r,
			     uint32_t *level, uint32_t *layer)
{
	uint32_t levels = r->levelCount == VK_REMAINING_MIP_LEVELS &&
			  r->baseMipLevel < img->levels ?
			  img->levels - r->baseMipLevel : r->levelCount;
	uint32_t layers = r->layerCount == VK_REMAINING_ARRAY_LAYERS &&
			  r->baseArrayLayer < img->layers ?
			  img->layers - r->baseArrayLayer : r->layerCount;

	if (r->aspectMask != VK_IMAGE_ASPECT_COLOR_BIT || levels != 1 || layers != 1 ||
	    r->baseMipLevel >= img->levels || r->baseArrayLayer >= img->layers)
		return false;
	*level = r->baseMipLevel;
	*layer = r->baseArrayLayer;
	return true;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateImageView(VkDevice device, const VkImageViewCreateInfo *pCreateInfo,
		    const VkAllocationCallbacks *pAllocator, VkImageView *pView)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_image *img = ODX_FROM_HANDLE(odx_image, pCreateInfo->image);
	struct odx_image_view *v;
	uint32_t level, layer;

	(void)pAllocator;
	*pView = VK_NULL_HANDLE;
	if (!img || pCreateInfo->viewType != VK_IMAGE_VIEW_TYPE_2D ||
	    !view_subresource(img, &pCreateInfo->subresourceRange, &level, &layer) ||
	    !view_format_ok(d, img, level, (uint32_t)pCreateInfo->format))
		return image_refused("not a 2D view of one level and layer in a compatible format");
	v = odx_alloc(odx_device_alloc(d), sizeof(*v), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!v)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	v->image = img;
	v->format = (uint32_t)pCreateInfo->format;
	v->level = level;
	v->layer = layer;
	/* Out-of-range values go as 0xff: the host refuses them. */
	v->swizzle[0] = swizzle_of(pCreateInfo->components.r);
	v->swizzle[1] = swizzle_of(pCreateInfo->components.g);
	v->swizzle[2] = swizzle_of(pCreateInfo->components.b);
	v->swizzle[3] = swizzle_of(pCreateInfo->components.a);
	*pView = ODX_TO_HANDLE(VkImageView, v);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyImageView(VkDevice device, VkImageView view, const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_free(odx_device_alloc((struct odx_device *)device),
		 ODX_FROM_HANDLE(odx_image_view, view));
}
