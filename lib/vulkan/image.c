// SPDX-License-Identifier: MIT
/*
 * Storage images.  What the host can do with images over guest memory
 * without tying a host object's life to an allocation's is a linear 2D
 * image made for each dispatch over the bytes of device memory
 * (docs/vulkan-backend.md, "Storage images").  So an image here is 2D or
 * 3D, one sample, of a format the host has linear storage images of, used
 * as a storage image or copied to and from; it lives in device memory (the
 * DEVICE_LOCAL type).  Each level of each layer (each slice of a 3D level)
 * is laid out as the host says a linear image of that level's extent is
 * (DXG_ESCAPE_IMAGE_LAYOUT): rows row_pitch apart.  A 2D view of one level
 * and layer is such a linear image; the host stages other views (several
 * levels, a 2D array, 3D) in images of its own for each dispatch
 * (DISPATCH5, where it says it takes them).  The application asks for OPTIMAL
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

	/* 3D images and cubes only where the host stages their views (DISPATCH5). */
	if (!f || (type != VK_IMAGE_TYPE_2D && (type != VK_IMAGE_TYPE_3D || !pd->image_views)) ||
	    tiling != VK_IMAGE_TILING_OPTIMAL ||
	    (flags & ~(VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT | VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT)) ||
	    ((flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT) &&
	     (type != VK_IMAGE_TYPE_2D || !pd->image_views)) ||
	    !usage || (usage & ~ODX_IMAGE_USAGE) ||
	    ((usage & VK_IMAGE_USAGE_STORAGE_BIT) && !(f & VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT)) ||
	    ((usage & VK_IMAGE_USAGE_SAMPLED_BIT) && !(f & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT)))
		return VK_ERROR_FORMAT_NOT_SUPPORTED;
	return VK_SUCCESS;
}

/* The levels of a whole mipmap chain of a @w x @h x @d image. */
static uint32_t chain_levels(uint32_t w, uint32_t h, uint32_t d)
{
	uint32_t n = 1, m = w > h ? w : h;

	for (m = m > d ? m : d; m > 1; m >>= 1)
		n++;
	return n;
}

/*
 * An image's largest extent: the format's linear 2D one, within the
 * device's limit for 3D images, and for cubes square and within theirs.
 */
static VkExtent3D max_extent(const struct odx_physical_device *pd, uint32_t format, bool is3d,
			     bool cube)
{
	const VkPhysicalDeviceLimits *l = &pd->host.properties.limits;
	uint32_t w = pd->formats[format].max_width, h = pd->formats[format].max_height;
	uint32_t d3 = l->maxImageDimension3D, c = l->maxImageDimensionCube;

	if (cube) {
		c = c < w ? c : w;
		c = c < h ? c : h;
		return (VkExtent3D) { c, c, 1 };
	}
	if (!is3d)
		return (VkExtent3D) { w, h, 1 };
	return (VkExtent3D) { w < d3 ? w : d3, h < d3 ? h : d3, d3 ? d3 : 1 };
}

/* Layers: each is images of its own (image.c's layout), so the device's limit. */
static uint32_t max_layers(const struct odx_physical_device *pd)
{
	uint32_t n = pd->host.properties.limits.maxImageArrayLayers;

	return n ? n : 1;
}

static void image_properties(const struct odx_physical_device *pd, uint32_t format,
			     bool is3d, bool cube, VkImageFormatProperties *p)
{
	VkExtent3D e = max_extent(pd, format, is3d, cube);

	*p = (VkImageFormatProperties) {
		.maxExtent = e,
		/* Vulkan: the whole chain of maxExtent (optimal tiling). */
		.maxMipLevels = chain_levels(e.width, e.height, e.depth),
		.maxArrayLayers = is3d ? 1 : max_layers(pd),
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
		image_properties(pd, format, type == VK_IMAGE_TYPE_3D,
				 flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT, pProps);
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
 * escape's failure.  Every level (every slice of a 3D level) starts at the
 * image's alignment (the largest the host asks for any of them), so each
 * subresource is a linear image the host can place where it is.
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
		lv->depth = img->depth >> l ? img->depth >> l : 1;
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
		struct odx_image_level *lv = &img->level[l];

		lv->offset = off;
		lv->slice_stride = align_up(lv->size, img->alignment);
		if (lv->slice_stride > (UINT64_MAX / 4 - off) / lv->depth)
			return image_refused("too large");
		off += lv->depth * lv->slice_stride;
	}
	img->layer_size = off;
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
	VkExtent3D max;
	bool is3d, cube;

	if (r != VK_SUCCESS)
		return image_refused("not a 2D (or 3D) storage or transfer image of an offered format");
	is3d = ci->imageType == VK_IMAGE_TYPE_3D;
	cube = ci->flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT;
	max = max_extent(d->physical, ci->format, is3d, cube);
	if (cube && (ci->extent.width != ci->extent.height || ci->arrayLayers < 6))
		return image_refused("a cube-compatible image neither square nor of six layers");
	if (ci->samples != VK_SAMPLE_COUNT_1_BIT ||
	    !ci->extent.width || !ci->extent.height || !ci->extent.depth ||
	    ci->extent.width > max.width || ci->extent.height > max.height ||
	    ci->extent.depth > max.depth)
		return image_refused("more than one sample, or too large");
	if (!ci->mipLevels ||
	    ci->mipLevels > chain_levels(ci->extent.width, ci->extent.height, ci->extent.depth) ||
	    !ci->arrayLayers || ci->arrayLayers > (is3d ? 1 : max_layers(d->physical)))
		return image_refused("more levels than the extent has, or layers than the device");
	*img = (struct odx_image) {
		.format = ci->format, .width = ci->extent.width, .height = ci->extent.height,
		.depth = ci->extent.depth, .is_3d = is3d, .cube_compatible = cube,
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

/* ---- views: 2D, 2D array or 3D, of the image's format or a compatible one ---- */

static uint8_t swizzle_of(VkComponentSwizzle c)
{
	return (uint32_t)c <= VK_COMPONENT_SWIZZLE_A ? (uint8_t)c : 0xff;
}

/*
 * A view's format: the image's, or for a MUTABLE_FORMAT image another one
 * offered for images of the same texel size that the host lays out alike
 * at each of the view's levels (the same rows, within the level's memory
 * and the image's alignment; for a view the host stages, the same size, as
 * it places the levels and slices by their sizes): the host makes each
 * dispatch's image of the view's format over the same bytes.
 */
static bool view_format_ok(struct odx_device *d, const struct odx_image *img,
			   const struct odx_image_view *v)
{
	const bool staged = v->view_type != DXG_VIEW_2D || v->levels > 1;
	struct dxg_escape_image_layout k;

	if (v->format == img->format)
		return true;
	if (!img->mutable_format || v->format >= DXG_TEXEL_FORMAT_END ||
	    dxg_texel_format(v->format).size != img->texel ||
	    !odx_image_features(d->physical, v->format))
		return false;
	for (uint32_t l = v->level; l < v->level + v->levels; l++) {
		const struct odx_image_level *lv = &img->level[l];

		if (host_layout(d, v->format, lv->width, lv->height, img->texel, &k) != VK_SUCCESS ||
		    k.row_pitch != lv->row_pitch || k.size > lv->size ||
		    k.alignment > img->alignment)
			return false;
		/* A staged view's levels and slices lie by their sizes: the same. */
		if (staged && align_up(k.size, 16) != lv->size)
			return false;
	}
	return true;
}

/* @count of @n things from @base (VK_REMAINING_*: the rest); 0 if outside. */
static uint32_t range_count(uint32_t base, uint32_t count, uint32_t n)
{
	if (base >= n)
		return 0;
	if (count == VK_REMAINING_MIP_LEVELS)
		return n - base;
	return count <= n - base ? count : 0;
}

/*
 * A view's type and subresources in @v: a 2D view of one layer (of one
 * level, a linear image the host binds as it is; of several, staged), a 2D
 * array view of a 2D image, a 3D view of a 3D image, a cube view of six
 * layers of a cube-compatible image; the last three and several levels
 * only where the host stages views (DISPATCH5).
 */
static bool view_shape(const struct odx_physical_device *pd, const struct odx_image *img,
		       const VkImageViewCreateInfo *ci, struct odx_image_view *v)
{
	const VkImageSubresourceRange *r = &ci->subresourceRange;

	v->level = r->baseMipLevel;
	v->layer = r->baseArrayLayer;
	v->levels = range_count(r->baseMipLevel, r->levelCount, img->levels);
	v->layers = range_count(r->baseArrayLayer, r->layerCount, img->layers);
	if (r->aspectMask != VK_IMAGE_ASPECT_COLOR_BIT || !v->levels || !v->layers ||
	    (v->levels > 1 && !pd->image_views))
		return false;
	switch (ci->viewType) {
	case VK_IMAGE_VIEW_TYPE_2D:
		v->view_type = DXG_VIEW_2D;
		return !img->is_3d && v->layers == 1;
	case VK_IMAGE_VIEW_TYPE_2D_ARRAY:
		v->view_type = DXG_VIEW_2D_ARRAY;
		return !img->is_3d && pd->image_views;
	case VK_IMAGE_VIEW_TYPE_3D:
		v->view_type = DXG_VIEW_3D;
		return img->is_3d && pd->image_views;
	case VK_IMAGE_VIEW_TYPE_CUBE:
		v->view_type = DXG_VIEW_CUBE;
		return img->cube_compatible && v->layers == 6 && pd->image_views;
	default:
		return false;
	}
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateImageView(VkDevice device, const VkImageViewCreateInfo *pCreateInfo,
		    const VkAllocationCallbacks *pAllocator, VkImageView *pView)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_image *img = ODX_FROM_HANDLE(odx_image, pCreateInfo->image);
	struct odx_image_view shape = { .image = img, .format = (uint32_t)pCreateInfo->format };
	struct odx_image_view *v;

	(void)pAllocator;
	*pView = VK_NULL_HANDLE;
	if (!img || !view_shape(d->physical, img, pCreateInfo, &shape) ||
	    !view_format_ok(d, img, &shape))
		return image_refused("not a 2D, 2D array or 3D view in a compatible format");
	v = odx_alloc(odx_device_alloc(d), sizeof(*v), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!v)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	*v = shape;
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
