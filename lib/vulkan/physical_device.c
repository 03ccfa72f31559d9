// SPDX-License-Identifier: MIT
/*
 * Physical devices: one per dxg adapter whose host offers a Vulkan device
 * with a compute queue.  What they report is the host device's, as dxghost
 * describes it (include/dxg/vkinfo.h), intersected with what this driver
 * implements: compute and transfer on one queue, buffers (no images yet),
 * the IO space as memory, the features in the allowlists below.  Nothing is
 * invented; what the host lacks stays absent.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odx.h"

#define ODX_DRIVER_VERSION	VK_MAKE_API_VERSION(0, 0, 1, 0)

static NTSTATUS vkinfo(D3DKMT_HANDLE adapter, struct dxg_vkinfo *q,
		       uint32_t what, uint32_t first)
{
	D3DKMT_QUERYADAPTERINFO qa = {
		.adapter = adapter,
		.type = KMTQAITYPE_UMDRIVERPRIVATE,
		.private_data = (uintptr_t)q,
		.private_data_size = DXG_VKINFO_SIZE,
	};

	memset(q, 0, sizeof(*q));
	q->hdr.magic = DXG_VKINFO_MAGIC;
	q->hdr.version = DXG_VKINFO_VERSION;
	q->hdr.what = what;
	q->hdr.first = first;
	return D3DKMTQueryAdapterInfo(&qa);
}

static bool has_compute(const struct dxg_vkinfo_device *d)
{
	for (uint32_t i = 0; i < d->queue_family_count &&
	     i < DXG_VKINFO_MAX_QUEUE_FAMILIES; i++)
		if (d->queue_families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
			return true;
	return false;
}

/* The host's extensions, page by page; 0 or -1. */
static int read_extensions(struct odx_physical_device *pd,
			   struct dxg_vkinfo *q, const VkAllocationCallbacks *a)
{
	uint32_t got = 0, total;

	if (vkinfo(pd->adapter, q, DXG_VKINFO_EXTENSIONS, 0) < 0)
		return -1;
	total = q->hdr.total;
	if (total > 4096)	/* dxghost's answer is input too */
		return -1;
	pd->host_extensions = odx_alloc(a, (total ? total : 1) *
					sizeof(VkExtensionProperties),
					VK_SYSTEM_ALLOCATION_SCOPE_INSTANCE);
	if (!pd->host_extensions)
		return -1;
	for (;;) {
		if (q->hdr.count > DXG_VKINFO_EXTENSIONS_PER_QUERY ||
		    q->hdr.count > total - got)
			return -1;
		memcpy(pd->host_extensions + got, q->u.extensions,
		       q->hdr.count * sizeof(VkExtensionProperties));
		got += q->hdr.count;
		if (got == total || !q->hdr.count)
			break;
		if (vkinfo(pd->adapter, q, DXG_VKINFO_EXTENSIONS, got) < 0)
			return -1;
	}
	pd->host_extension_count = got;
	return 0;
}

/*
 * The adapter's memory: the IO space (shared system memory) and the host
 * device's memory this VM may use (dedicated video memory, 0: none).
 */
static void segment_sizes(D3DKMT_HANDLE adapter, uint64_t *io, uint64_t *dev)
{
	struct d3dkmt_segmentsizeinfo seg = { 0 };
	D3DKMT_QUERYADAPTERINFO qa = {
		.adapter = adapter,
		.type = KMTQAITYPE_GETSEGMENTSIZE,
		.private_data = (uintptr_t)&seg,
		.private_data_size = sizeof(seg),
	};

	if (D3DKMTQueryAdapterInfo(&qa) < 0)
		memset(&seg, 0, sizeof(seg));
	*io = seg.shared_system_memory_size;
	*dev = seg.dedicated_video_memory_size;
}

void odx_physical_device_destroy(struct odx_physical_device *pd)
{
	const VkAllocationCallbacks *a;
	D3DKMT_CLOSEADAPTER c;

	if (!pd)
		return;
	a = odx_instance_alloc(pd->instance);
	if (pd->adapter) {
		c.adapter_handle = pd->adapter;
		D3DKMTCloseAdapter(&c);
	}
	odx_free(a, pd->host_extensions);
	odx_free(a, pd);
}

/*
 * What the host offers for texel buffers, by format; nothing where it says
 * nothing (an older host answers STATUS_INVALID_PARAMETER).
 */
static void read_texel_formats(struct odx_physical_device *pd, struct dxg_vkinfo *q)
{
	uint32_t got = 0;

	memset(pd->formats, 0, sizeof(pd->formats));
	while (got < DXG_TEXEL_FORMAT_END) {
		if (vkinfo(pd->adapter, q, DXG_VKINFO_FORMATS, got) < 0 ||
		    !q->hdr.count || q->hdr.count > DXG_VKINFO_FORMATS_PER_QUERY ||
		    q->hdr.count > DXG_TEXEL_FORMAT_END - got)
			break;
		for (uint32_t i = 0; i < q->hdr.count; i++)
			/* Only the table's formats, only the features it names. */
			if (dxg_texel_format(got + i).size) {
				pd->formats[got + i] = q->u.formats[i];
				pd->formats[got + i].buffer_features &= DXG_TEXEL_BUFFER_FEATURES;
			}
		got += q->hdr.count;
	}
}

/* One adapter: a physical device if its host has a Vulkan compute device. */
static struct odx_physical_device *probe(struct odx_instance *inst,
					 const D3DKMT_ADAPTERINFO *ai,
					 struct dxg_vkinfo *q)
{
	const VkAllocationCallbacks *a = odx_instance_alloc(inst);
	struct odx_physical_device *pd;

	pd = odx_alloc(a, sizeof(*pd), VK_SYSTEM_ALLOCATION_SCOPE_INSTANCE);
	if (!pd)
		return NULL;
	set_loader_magic_value(pd);
	pd->instance = inst;
	pd->adapter = ai->adapter_handle;
	pd->luid = ai->adapter_luid;
	if (vkinfo(pd->adapter, q, DXG_VKINFO_DEVICE, 0) < 0 ||
	    !has_compute(&q->u.device))
		goto no;
	pd->host = q->u.device;
	/* Reduction modes are not carried (DISPATCH4 samplers): no format has min/max filtering. */
	pd->host.properties12.filterMinmaxSingleComponentFormats = VK_FALSE;
	pd->host.properties12.filterMinmaxImageComponentMapping = VK_FALSE;
	pd->guest_memory = q->u.device.flags & DXG_VKINFO_DEVICE_GUEST_MEMORY;
	pd->device_address = q->u.device.flags & DXG_VKINFO_DEVICE_ADDRESS;
	pd->image_views = q->u.device.flags & DXG_VKINFO_DEVICE_IMAGE_VIEWS;
	segment_sizes(pd->adapter, &pd->heap_size, &pd->device_heap_size);
	if (!pd->heap_size || read_extensions(pd, q, a))
		goto no;
	read_texel_formats(pd, q);
	return pd;
no:
	odx_physical_device_destroy(pd);
	return NULL;
}

VkResult odx_enumerate_adapters(struct odx_instance *inst)
{
	D3DKMT_ADAPTERINFO info[D3DKMT_ADAPTERS_MAX];
	/* Compute-only adapters too: compute is all this driver does. */
	D3DKMT_ENUMADAPTERS3 e = {
		.filter = D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY,
		.adapter_count = D3DKMT_ADAPTERS_MAX,
		.adapters = (uintptr_t)info,
	};
	struct dxg_vkinfo *q;
	uint32_t i;

	/* No /dev/dxg, no host: no devices here; other drivers may have some. */
	if (D3DKMTEnumAdapters3(&e) < 0)
		return VK_SUCCESS;
	q = malloc(sizeof(*q));
	if (!q)
		goto oom;
	for (i = 0; i < e.adapter_count && i < D3DKMT_ADAPTERS_MAX; i++) {
		struct odx_physical_device *pd = NULL;

		if (inst->physical_device_count < ODX_MAX_PHYSICAL_DEVICES)
			pd = probe(inst, &info[i], q);
		if (pd) {
			inst->physical_devices[inst->physical_device_count++] = pd;
		} else {
			D3DKMT_CLOSEADAPTER c = { .adapter_handle = info[i].adapter_handle };

			D3DKMTCloseAdapter(&c);
		}
	}
	free(q);
	return VK_SUCCESS;
oom:
	for (i = 0; i < e.adapter_count && i < D3DKMT_ADAPTERS_MAX; i++) {
		D3DKMT_CLOSEADAPTER c = { .adapter_handle = info[i].adapter_handle };

		D3DKMTCloseAdapter(&c);
	}
	return VK_ERROR_OUT_OF_HOST_MEMORY;
}

/* ---- properties ---- */

static struct odx_physical_device *pdev(VkPhysicalDevice h)
{
	return (struct odx_physical_device *)h;
}

static uint32_t api_version(const struct odx_physical_device *pd)
{
	uint32_t host = pd->host.properties.apiVersion;

	return host < ODX_API_VERSION ? host : ODX_API_VERSION;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceProperties(VkPhysicalDevice physicalDevice,
				VkPhysicalDeviceProperties *pProperties)
{
	const struct odx_physical_device *pd = pdev(physicalDevice);

	VkPhysicalDeviceLimits *l = &pProperties->limits;

	*pProperties = pd->host.properties;
	pProperties->apiVersion = api_version(pd);
	pProperties->driverVersion = ODX_DRIVER_VERSION;
	/* What the command stream carries (docs/command-stream.md §5). */
#define CLAMP(f, max) do { if ((f) > (max)) (f) = (max); } while (0)
	CLAMP(l->maxBoundDescriptorSets, DXG_PIPELINE_MAX_SETS);
	CLAMP(l->maxPerStageDescriptorStorageBuffers, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxPerStageDescriptorUniformBuffers, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxPerStageResources, DXG_CMD_MAX_BINDINGS);
	/* Texel buffers count as sampled and storage images. */
	CLAMP(l->maxPerStageDescriptorSampledImages, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxPerStageDescriptorStorageImages, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxDescriptorSetSampledImages, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxDescriptorSetStorageImages, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxPerStageDescriptorSamplers, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxDescriptorSetSamplers, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxDescriptorSetStorageBuffers, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxDescriptorSetUniformBuffers, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxDescriptorSetStorageBuffersDynamic, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxDescriptorSetUniformBuffersDynamic, DXG_CMD_MAX_BINDINGS);
	CLAMP(l->maxPushConstantsSize, DXG_CMD_MAX_PUSH_SIZE);
#undef CLAMP
	/* TIMESTAMP writes nanoseconds of dxghost's engine clock. */
	l->timestampPeriod = 1.0f;
	/* No sparse resources. */
	memset(&pProperties->sparseProperties, 0,
	       sizeof(pProperties->sparseProperties));
}

/* A core aggregate structure from the host's, keeping the caller's chain. */
#define COPY_KEEP_CHAIN(dst, src) do {			\
	void *next_ = (dst)->pNext;			\
	VkStructureType type_ = (dst)->sType;		\
	*(dst) = (src);					\
	(dst)->sType = type_;				\
	(dst)->pNext = next_;				\
} while (0)

/*
 * Members first..last of promoted structure T at @dst from the same members
 * of aggregate @src (the types check that the names exist in both).
 */
#define COPY_RUN(T, dst, src, first, last) do {				\
	T *d_ = (void *)(dst);						\
	size_t n_ = offsetof(T, last) + sizeof(d_->last) - offsetof(T, first); \
	_Static_assert(sizeof(d_->first) == sizeof((src)->first), #first); \
	memcpy(&d_->first, &(src)->first, n_);				\
} while (0)

static void driver_identity(const struct odx_physical_device *pd,
			    char *name, char *info,
			    VkConformanceVersion *conformance)
{
	const VkPhysicalDeviceVulkan12Properties *h = &pd->host.properties12;

	snprintf(name, VK_MAX_DRIVER_NAME_SIZE, "%s", ODX_DRIVER_NAME);
	/* Bounded: the host's strings need not be terminated. */
	snprintf(info, VK_MAX_DRIVER_INFO_SIZE, "on the host's %.100s %.120s",
		 h->driverName[0] ? h->driverName : "Vulkan driver", h->driverInfo);
	/* Not (yet) tested for conformance: all zero, as the spec allows. */
	memset(conformance, 0, sizeof(*conformance));
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceProperties2(VkPhysicalDevice physicalDevice,
				 VkPhysicalDeviceProperties2 *pProperties)
{
	const struct odx_physical_device *pd = pdev(physicalDevice);
	const VkPhysicalDeviceVulkan11Properties *h11 = &pd->host.properties11;
	const VkPhysicalDeviceVulkan12Properties *h12 = &pd->host.properties12;
	const VkPhysicalDeviceVulkan13Properties *h13 = &pd->host.properties13;

	odx_GetPhysicalDeviceProperties(physicalDevice, &pProperties->properties);
	for (VkBaseOutStructure *s = pProperties->pNext; s; s = s->pNext) {
		switch (s->sType) {
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_PROPERTIES: {
			VkPhysicalDeviceVulkan11Properties *p = (void *)s;

			COPY_KEEP_CHAIN(p, *h11);
			p->subgroupSupportedStages &= VK_SHADER_STAGE_COMPUTE_BIT;
			memcpy(p->deviceLUID, &pd->luid, sizeof(pd->luid));
			p->deviceLUIDValid = VK_TRUE;
			p->deviceNodeMask = 1;
			break;
		}
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES: {
			VkPhysicalDeviceVulkan12Properties *p = (void *)s;

			COPY_KEEP_CHAIN(p, *h12);
			driver_identity(pd, p->driverName, p->driverInfo,
					&p->conformanceVersion);
			break;
		}
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_PROPERTIES: {
			VkPhysicalDeviceVulkan13Properties *p = (void *)s;
			VkPhysicalDeviceInlineUniformBlockProperties ib;

			COPY_KEEP_CHAIN(p, *h13);
			/* As the subgroup size control structure says. */
			p->requiredSubgroupSizeStages &= VK_SHADER_STAGE_COMPUTE_BIT;
			/* Inline uniform blocks are this driver's own. */
			odx_inline_limits(pd, &ib, &p->maxInlineUniformTotalSize);
			p->maxInlineUniformBlockSize = ib.maxInlineUniformBlockSize;
			p->maxPerStageDescriptorInlineUniformBlocks =
				ib.maxPerStageDescriptorInlineUniformBlocks;
			p->maxPerStageDescriptorUpdateAfterBindInlineUniformBlocks =
				ib.maxPerStageDescriptorUpdateAfterBindInlineUniformBlocks;
			p->maxDescriptorSetInlineUniformBlocks =
				ib.maxDescriptorSetInlineUniformBlocks;
			p->maxDescriptorSetUpdateAfterBindInlineUniformBlocks =
				ib.maxDescriptorSetUpdateAfterBindInlineUniformBlocks;
			break;
		}
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_INLINE_UNIFORM_BLOCK_PROPERTIES: {
			VkPhysicalDeviceInlineUniformBlockProperties *p = (void *)s;
			VkPhysicalDeviceInlineUniformBlockProperties ib;
			uint32_t total;

			odx_inline_limits(pd, &ib, &total);
			COPY_RUN(VkPhysicalDeviceInlineUniformBlockProperties, p, &ib,
				 maxInlineUniformBlockSize,
				 maxDescriptorSetUpdateAfterBindInlineUniformBlocks);
			break;
		}
		/*
		 * Promoted structures whose members are a run of the
		 * aggregate's, in the same order: copied as that run.
		 */
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FLOAT_CONTROLS_PROPERTIES:
			COPY_RUN(VkPhysicalDeviceFloatControlsProperties, s, h12,
				 denormBehaviorIndependence, shaderRoundingModeRTZFloat64);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_PROPERTIES:
			COPY_RUN(VkPhysicalDeviceMultiviewProperties, s, h11,
				 maxMultiviewViewCount, maxMultiviewInstanceIndex);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_POINT_CLIPPING_PROPERTIES:
			COPY_RUN(VkPhysicalDevicePointClippingProperties, s, h11,
				 pointClippingBehavior, pointClippingBehavior);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROTECTED_MEMORY_PROPERTIES:
			COPY_RUN(VkPhysicalDeviceProtectedMemoryProperties, s, h11,
				 protectedNoFault, protectedNoFault);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DEPTH_STENCIL_RESOLVE_PROPERTIES:
			COPY_RUN(VkPhysicalDeviceDepthStencilResolveProperties, s, h12,
				 supportedDepthResolveModes, independentResolve);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DESCRIPTOR_INDEXING_PROPERTIES:
			COPY_RUN(VkPhysicalDeviceDescriptorIndexingProperties, s, h12,
				 maxUpdateAfterBindDescriptorsInAllPools,
				 maxDescriptorSetUpdateAfterBindInputAttachments);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SAMPLER_FILTER_MINMAX_PROPERTIES:
			COPY_RUN(VkPhysicalDeviceSamplerFilterMinmaxProperties, s, h12,
				 filterMinmaxSingleComponentFormats,
				 filterMinmaxImageComponentMapping);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TEXEL_BUFFER_ALIGNMENT_PROPERTIES:
			COPY_RUN(VkPhysicalDeviceTexelBufferAlignmentProperties, s, h13,
				 storageTexelBufferOffsetAlignmentBytes,
				 uniformTexelBufferOffsetSingleTexelAlignment);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_PROPERTIES:
			((VkPhysicalDeviceTimelineSemaphoreProperties *)(void *)s)->
				maxTimelineSemaphoreValueDifference =
				h12->maxTimelineSemaphoreValueDifference;
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES:
			COPY_RUN(VkPhysicalDeviceShaderIntegerDotProductProperties, s, h13,
				 integerDotProduct8BitUnsignedAccelerated,
				 integerDotProductAccumulatingSaturating64BitMixedSignednessAccelerated);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES: {
			VkPhysicalDeviceSubgroupProperties *p = (void *)s;

			p->subgroupSize = h11->subgroupSize;
			p->supportedStages = h11->subgroupSupportedStages &
					     VK_SHADER_STAGE_COMPUTE_BIT;
			p->supportedOperations = h11->subgroupSupportedOperations;
			p->quadOperationsInAllStages = VK_FALSE;
			break;
		}
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES: {
			VkPhysicalDeviceIDProperties *p = (void *)s;

			memcpy(p->deviceUUID, h11->deviceUUID, VK_UUID_SIZE);
			memcpy(p->driverUUID, h11->driverUUID, VK_UUID_SIZE);
			memcpy(p->deviceLUID, &pd->luid, sizeof(pd->luid));
			p->deviceNodeMask = 1;
			p->deviceLUIDValid = VK_TRUE;
			break;
		}
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES: {
			VkPhysicalDeviceDriverProperties *p = (void *)s;

			p->driverID = h12->driverID;
			driver_identity(pd, p->driverName, p->driverInfo,
					&p->conformanceVersion);
			break;
		}
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES: {
			VkPhysicalDeviceMaintenance3Properties *p = (void *)s;

			p->maxPerSetDescriptors = h11->maxPerSetDescriptors;
			p->maxMemoryAllocationSize = h11->maxMemoryAllocationSize;
			break;
		}
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_4_PROPERTIES: {
			VkPhysicalDeviceMaintenance4Properties *p = (void *)s;

			p->maxBufferSize = h13->maxBufferSize;
			break;
		}
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PUSH_DESCRIPTOR_PROPERTIES_KHR:
			/* The spec's least; a pipeline binds at most 16 buffers. */
			((VkPhysicalDevicePushDescriptorPropertiesKHR *)s)->
				maxPushDescriptors = 32;
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT:
			((VkPhysicalDeviceExternalMemoryHostPropertiesEXT *)s)->
				minImportedHostPointerAlignment = ODX_HOST_POINTER_ALIGNMENT;
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES: {
			VkPhysicalDeviceSubgroupSizeControlProperties *p = (void *)s;

			p->minSubgroupSize = h13->minSubgroupSize;
			p->maxSubgroupSize = h13->maxSubgroupSize;
			p->maxComputeWorkgroupSubgroups = h13->maxComputeWorkgroupSubgroups;
			p->requiredSubgroupSizeStages = h13->requiredSubgroupSizeStages &
							VK_SHADER_STAGE_COMPUTE_BIT;
			break;
		}
		default:	/* not ours to fill: left as the caller made it */
			break;
		}
	}
}

/* ---- queues, memory, formats ---- */

/* One family: compute and transfer, ODX_MAX_QUEUES queues, with the host's compute timestamps. */
static VkQueueFamilyProperties family(const struct odx_physical_device *pd)
{
	VkQueueFamilyProperties f = {
		.queueFlags = VK_QUEUE_COMPUTE_BIT | VK_QUEUE_TRANSFER_BIT,
		.queueCount = ODX_MAX_QUEUES,
		.minImageTransferGranularity = { 1, 1, 1 },
	};

	for (uint32_t i = 0; i < pd->host.queue_family_count &&
	     i < DXG_VKINFO_MAX_QUEUE_FAMILIES; i++) {
		if (pd->host.queue_families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
			f.timestampValidBits =
				pd->host.queue_families[i].timestampValidBits;
			break;
		}
	}
	return f;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceQueueFamilyProperties(VkPhysicalDevice physicalDevice,
					   uint32_t *pCount,
					   VkQueueFamilyProperties *pProps)
{
	if (!pProps) {
		*pCount = 1;
		return;
	}
	if (*pCount == 0)
		return;
	pProps[0] = family(pdev(physicalDevice));
	*pCount = 1;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceQueueFamilyProperties2(VkPhysicalDevice physicalDevice,
					    uint32_t *pCount,
					    VkQueueFamilyProperties2 *pProps)
{
	if (!pProps) {
		*pCount = 1;
		return;
	}
	if (*pCount == 0)
		return;
	pProps[0].queueFamilyProperties = family(pdev(physicalDevice));
	*pCount = 1;
}

/*
 * Two kinds of memory.  The host device's own memory, where the host
 * offers this VM some (its quota): device-local, not CPU-visible, reached
 * by copy commands.  And the IO space: CPU-visible, coherent and cached on
 * both sides (write-back RAM shared with the host), which the host's device
 * imports; it is the device's only memory (so device-local too) when the
 * host offers no device memory.
 */
VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceMemoryProperties(VkPhysicalDevice physicalDevice,
				      VkPhysicalDeviceMemoryProperties *pMem)
{
	const struct odx_physical_device *pd = pdev(physicalDevice);
	const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
		VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
		VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
	uint32_t io;

	memset(pMem, 0, sizeof(*pMem));
	if (pd->device_heap_size) {
		pMem->memoryHeaps[0].size = pd->device_heap_size;
		pMem->memoryHeaps[0].flags = VK_MEMORY_HEAP_DEVICE_LOCAL_BIT;
		pMem->memoryTypes[ODX_MEMORY_TYPE_DEVICE].heapIndex = 0;
		pMem->memoryTypes[ODX_MEMORY_TYPE_DEVICE].propertyFlags =
			VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
		io = 1;
	} else {
		io = 0;
	}
	pMem->memoryHeapCount = io + 1;
	pMem->memoryHeaps[io].size = pd->heap_size;
	pMem->memoryHeaps[io].flags = io ? 0 : VK_MEMORY_HEAP_DEVICE_LOCAL_BIT;
	pMem->memoryTypeCount = io + 1;
	pMem->memoryTypes[io].heapIndex = io;
	pMem->memoryTypes[io].propertyFlags = io ? host :
		host | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceMemoryProperties2(VkPhysicalDevice physicalDevice,
				       VkPhysicalDeviceMemoryProperties2 *pMem)
{
	odx_GetPhysicalDeviceMemoryProperties(physicalDevice,
					      &pMem->memoryProperties);
	for (VkBaseOutStructure *s = pMem->pNext; s; s = s->pNext)
		if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT)
			odx_memory_budget(pdev(physicalDevice),
					  &pMem->memoryProperties, (void *)s);
}

/*
 * Texel buffers' features, the host's; storage images' (image.c) as the
 * OPTIMAL tiling's: the layout of an image is the driver's to choose, and
 * LINEAR images (whose layout the application sees) are not offered.
 */
VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceFormatProperties(VkPhysicalDevice physicalDevice,
				      VkFormat format,
				      VkFormatProperties *pProps)
{
	const struct odx_physical_device *pd = pdev(physicalDevice);

	memset(pProps, 0, sizeof(*pProps));
	if ((uint32_t)format < DXG_TEXEL_FORMAT_END) {
		pProps->bufferFeatures = pd->formats[format].buffer_features;
		pProps->optimalTilingFeatures = odx_image_features(pd, format);
	}
}

/* @f, with flags 2's reads and writes without a format where @storage is in it. */
static VkFormatFeatureFlags2 without_format(const struct odx_physical_device *pd,
					    VkFormatFeatureFlags f, VkFormatFeatureFlags storage)
{
	VkFormatFeatureFlags2 out = f;

	if (f & storage) {
		if (pd->host.features.shaderStorageImageReadWithoutFormat)
			out |= VK_FORMAT_FEATURE_2_STORAGE_READ_WITHOUT_FORMAT_BIT;
		if (pd->host.features.shaderStorageImageWriteWithoutFormat)
			out |= VK_FORMAT_FEATURE_2_STORAGE_WRITE_WITHOUT_FORMAT_BIT;
	}
	return out;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceFormatProperties2(VkPhysicalDevice physicalDevice,
				       VkFormat format,
				       VkFormatProperties2 *pProps)
{
	const struct odx_physical_device *pd = pdev(physicalDevice);
	VkFormatFeatureFlags2 buf;

	odx_GetPhysicalDeviceFormatProperties(physicalDevice, format,
					      &pProps->formatProperties);
	/*
	 * 1.3's flags-2 structure (core: callers chain it unasked) says the
	 * same (the texel buffer bits are the same in flags 2), and adds what
	 * only it has: a storage texel buffer format may be read and written
	 * without a format where the device has those features (both are in
	 * the shared feature list, so offered exactly where the host has them).
	 */
	buf = without_format(pd, pProps->formatProperties.bufferFeatures,
			     VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT);
	for (VkBaseOutStructure *s = pProps->pNext; s; s = s->pNext)
		if (s->sType == VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_3) {
			VkFormatProperties3 *p3 = (void *)s;

			p3->linearTilingFeatures = 0;
			p3->optimalTilingFeatures =
				without_format(pd, pProps->formatProperties.optimalTilingFeatures,
					       VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT);
			p3->bufferFeatures = buf;
		}
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceSparseImageFormatProperties(VkPhysicalDevice physicalDevice,
						 VkFormat format,
						 VkImageType type,
						 VkSampleCountFlagBits samples,
						 VkImageUsageFlags usage,
						 VkImageTiling tiling,
						 uint32_t *pCount,
						 VkSparseImageFormatProperties *pProps)
{
	(void)physicalDevice;
	(void)format;
	(void)type;
	(void)samples;
	(void)usage;
	(void)tiling;
	(void)pProps;
	*pCount = 0;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceSparseImageFormatProperties2(VkPhysicalDevice physicalDevice,
						  const VkPhysicalDeviceSparseImageFormatInfo2 *pInfo,
						  uint32_t *pCount,
						  VkSparseImageFormatProperties2 *pProps)
{
	(void)physicalDevice;
	(void)pInfo;
	(void)pProps;
	*pCount = 0;
}

/*
 * Buffers: host allocations (host_memory.c) and OPAQUE_FD memory
 * (external_memory.c), each answering for its own handle type; fences and
 * semaphores: external_sync.c.
 */
VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceExternalBufferProperties(VkPhysicalDevice physicalDevice,
					      const VkPhysicalDeviceExternalBufferInfo *pInfo,
					      VkExternalBufferProperties *pProps)
{
	/* Nothing, unless one of them knows the handle type. */
	memset(&pProps->externalMemoryProperties, 0,
	       sizeof(pProps->externalMemoryProperties));
	odx_host_memory_buffer_properties(pdev(physicalDevice), pInfo,
					  &pProps->externalMemoryProperties);
	odx_memory_fd_buffer_properties(pdev(physicalDevice), pInfo,
					&pProps->externalMemoryProperties);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_GetPhysicalDeviceToolProperties(VkPhysicalDevice physicalDevice,
				    uint32_t *pCount,
				    VkPhysicalDeviceToolProperties *pProps)
{
	(void)physicalDevice;
	(void)pProps;
	*pCount = 0;
	return VK_SUCCESS;
}

/*
 * The device extensions this driver implements, where the host has them:
 * those compute programs gate on, all promoted to core by 1.3 (their
 * commands are the core ones, icd.c resolves the suffixed names) or
 * SPIR-V-only (the host's device runs the shader).
 */
static const char *const implemented_extensions[] = {
	"VK_KHR_16bit_storage", "VK_KHR_8bit_storage", "VK_KHR_bind_memory2",
	"VK_KHR_copy_commands2", "VK_KHR_dedicated_allocation",
	"VK_KHR_driver_properties", "VK_KHR_get_memory_requirements2",
	"VK_KHR_maintenance1", "VK_KHR_maintenance2", "VK_KHR_maintenance3",
	"VK_KHR_maintenance4", "VK_KHR_shader_atomic_int64",
	"VK_KHR_shader_float16_int8", "VK_KHR_shader_float_controls",
	"VK_KHR_shader_integer_dot_product", "VK_KHR_shader_non_semantic_info",
	"VK_KHR_shader_subgroup_extended_types", "VK_KHR_spirv_1_4",
	"VK_KHR_storage_buffer_storage_class", "VK_KHR_synchronization2",
	"VK_KHR_timeline_semaphore", "VK_KHR_uniform_buffer_standard_layout",
	"VK_KHR_variable_pointers", "VK_KHR_vulkan_memory_model",
	"VK_KHR_zero_initialize_workgroup_memory", "VK_EXT_host_query_reset",
	"VK_EXT_pipeline_creation_cache_control", "VK_EXT_scalar_block_layout",
	"VK_EXT_image_robustness",
	"VK_EXT_subgroup_size_control", "VK_EXT_external_memory_host",
	"VK_KHR_buffer_device_address", "VK_KHR_relaxed_block_layout", NULL
};

/*
 * Extensions that also need something of this VM, not only of the host's
 * device: its RAM mapped, or a device of its own that gives out addresses.
 * Each names the physical device's flag that says the VM has it.
 */
static const struct {
	const char *name;
	size_t flag;		/* offset of a bool in odx_physical_device */
} vm_needs[] = {
	{ "VK_EXT_external_memory_host",
	  offsetof(struct odx_physical_device, guest_memory) },
	{ "VK_KHR_buffer_device_address",
	  offsetof(struct odx_physical_device, device_address) },
};

static bool vm_has(const struct odx_physical_device *pd, const char *name)
{
	for (size_t i = 0; i < sizeof(vm_needs) / sizeof(vm_needs[0]); i++)
		if (!strcmp(name, vm_needs[i].name))
			return *(const bool *)((const char *)pd + vm_needs[i].flag);
	return true;
}

/*
 * The device extensions this driver offers whatever the host's device has:
 * they are the guest's own work (sync files: external_sync.c; memory fds:
 * external_memory.c; push descriptors: push_descriptor.c; the memory
 * budget: memory_budget.c; private data: private_data.c; inline uniform
 * blocks: inline_uniform.c).
 */
static const VkExtensionProperties guest_extensions[] = {
	{ VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME, VK_KHR_EXTERNAL_MEMORY_SPEC_VERSION },
	{ VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
	  VK_KHR_EXTERNAL_MEMORY_FD_SPEC_VERSION },
	{ VK_KHR_EXTERNAL_FENCE_EXTENSION_NAME, VK_KHR_EXTERNAL_FENCE_SPEC_VERSION },
	{ VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME, VK_KHR_EXTERNAL_FENCE_FD_SPEC_VERSION },
	{ VK_KHR_EXTERNAL_SEMAPHORE_EXTENSION_NAME, VK_KHR_EXTERNAL_SEMAPHORE_SPEC_VERSION },
	{ VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME,
	  VK_KHR_EXTERNAL_SEMAPHORE_FD_SPEC_VERSION },
	{ VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME, VK_KHR_PUSH_DESCRIPTOR_SPEC_VERSION },
	{ VK_EXT_MEMORY_BUDGET_EXTENSION_NAME, VK_EXT_MEMORY_BUDGET_SPEC_VERSION },
	{ VK_EXT_PRIVATE_DATA_EXTENSION_NAME, VK_EXT_PRIVATE_DATA_SPEC_VERSION },
	{ VK_EXT_INLINE_UNIFORM_BLOCK_EXTENSION_NAME, VK_EXT_INLINE_UNIFORM_BLOCK_SPEC_VERSION },
	/* Promoted to 1.1; their commands are the core ones (descriptor.c,
	 * device_group.c, cmd_record.c's dispatch base). */
	{ VK_KHR_DESCRIPTOR_UPDATE_TEMPLATE_EXTENSION_NAME,
	  VK_KHR_DESCRIPTOR_UPDATE_TEMPLATE_SPEC_VERSION },
	{ VK_KHR_DEVICE_GROUP_EXTENSION_NAME, VK_KHR_DEVICE_GROUP_SPEC_VERSION },
	/* Promoted to 1.3: VkFormatProperties3 is answered (no features). */
	{ VK_KHR_FORMAT_FEATURE_FLAGS_2_EXTENSION_NAME,
	  VK_KHR_FORMAT_FEATURE_FLAGS_2_SPEC_VERSION },
};
#define GUEST_EXTENSION_COUNT (sizeof(guest_extensions) / sizeof(guest_extensions[0]))

bool odx_device_extension_offered(const struct odx_physical_device *pd,
				  const char *name)
{
	bool ours = false;

	for (size_t i = 0; i < GUEST_EXTENSION_COUNT; i++)
		if (!strcmp(guest_extensions[i].extensionName, name))
			return true;
	for (const char *const *e = implemented_extensions; *e && !ours; e++)
		ours = !strcmp(*e, name) && vm_has(pd, name);
	for (uint32_t i = 0; ours && i < pd->host_extension_count; i++)
		if (!strncmp(pd->host_extensions[i].extensionName, name,
			     VK_MAX_EXTENSION_NAME_SIZE))
			return true;
	return false;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_EnumerateDeviceExtensionProperties(VkPhysicalDevice physicalDevice,
				       const char *pLayerName,
				       uint32_t *pCount,
				       VkExtensionProperties *pProps)
{
	const struct odx_physical_device *pd = pdev(physicalDevice);
	uint32_t n = 0, room = pProps ? *pCount : 0;
	VkResult r = VK_SUCCESS;

	if (pLayerName)
		return VK_ERROR_LAYER_NOT_PRESENT;
	for (uint32_t i = 0; i < pd->host_extension_count; i++) {
		for (const char *const *e = implemented_extensions; *e; e++) {
			if (strncmp(*e, pd->host_extensions[i].extensionName,
				    VK_MAX_EXTENSION_NAME_SIZE) || !vm_has(pd, *e))
				continue;
			if (pProps && n >= room) {
				r = VK_INCOMPLETE;
				break;
			}
			if (pProps)
				pProps[n] = pd->host_extensions[i];
			n++;
		}
	}
	for (size_t i = 0; i < GUEST_EXTENSION_COUNT; i++) {
		if (pProps && n >= room) {
			r = VK_INCOMPLETE;
			break;
		}
		if (pProps)
			pProps[n] = guest_extensions[i];
		n++;
	}
	*pCount = n;
	return r;
}
