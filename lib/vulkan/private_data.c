// SPDX-License-Identifier: MIT
/*
 * Private data (Vulkan 1.3, VK_EXT_private_data): an application's 64-bit
 * values on any object of a device, one per slot.  Entirely the guest's:
 * nothing reaches the host.
 *
 * Each object keeps its own short list of (slot, value) entries, in the
 * header odx_alloc puts before it (a queue: in its struct), so the values
 * go with the object: an object made later at the same address starts
 * with none, as vkGetPrivateData's "0 when never set" needs.  A slot is
 * known by a serial number that is never reused, so destroying a slot
 * needs no walk over the objects: its entries match nothing any more and
 * go with their objects.  Lists are short (one entry per slot an
 * application set on that object).
 *
 * Locking: the device's private_lock, a leaf, around every list.
 */
#include <string.h>

#include "odx.h"

struct odx_private_slot {
	uint64_t serial;	/* from 1; entries name it */
};

void odx_private_data_free(const VkAllocationCallbacks *a,
			   struct odx_private_entry **list)
{
	struct odx_private_entry *e = *list;

	while (e) {
		struct odx_private_entry *next = e->next;

		odx_raw_free(a, e);
		e = next;
	}
	*list = NULL;
}

/*
 * Where @handle of @type keeps its entries; NULL for a type this driver
 * makes no objects of (no handle of it can be valid here).
 */
static struct odx_private_entry **anchor(VkObjectType type, uint64_t handle)
{
	if (!handle)
		return NULL;
	switch (type) {
	case VK_OBJECT_TYPE_QUEUE:
		return &((struct odx_queue *)(uintptr_t)handle)->private_data;
	case VK_OBJECT_TYPE_DEVICE:
	case VK_OBJECT_TYPE_COMMAND_BUFFER:
	case VK_OBJECT_TYPE_DEVICE_MEMORY:
	case VK_OBJECT_TYPE_BUFFER:
	case VK_OBJECT_TYPE_SEMAPHORE:
	case VK_OBJECT_TYPE_FENCE:
	case VK_OBJECT_TYPE_EVENT:
	case VK_OBJECT_TYPE_QUERY_POOL:
	case VK_OBJECT_TYPE_SHADER_MODULE:
	case VK_OBJECT_TYPE_PIPELINE_CACHE:
	case VK_OBJECT_TYPE_PIPELINE_LAYOUT:
	case VK_OBJECT_TYPE_PIPELINE:
	case VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT:
	case VK_OBJECT_TYPE_DESCRIPTOR_POOL:
	case VK_OBJECT_TYPE_DESCRIPTOR_SET:
	case VK_OBJECT_TYPE_COMMAND_POOL:
	case VK_OBJECT_TYPE_DESCRIPTOR_UPDATE_TEMPLATE:
	case VK_OBJECT_TYPE_PRIVATE_DATA_SLOT:
	case VK_OBJECT_TYPE_SAMPLER:
		return odx_private_anchor((void *)(uintptr_t)handle);
	default:
		return NULL;
	}
}

static struct odx_private_entry *find(struct odx_private_entry *e, uint64_t slot)
{
	while (e && e->slot != slot)
		e = e->next;
	return e;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreatePrivateDataSlot(VkDevice device, const VkPrivateDataSlotCreateInfo *pCreateInfo,
			  const VkAllocationCallbacks *pAllocator,
			  VkPrivateDataSlot *pPrivateDataSlot)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_private_slot *s;

	/* No flags are defined; the device's allocator, as for every object. */
	(void)pCreateInfo;
	(void)pAllocator;
	s = odx_alloc(odx_device_alloc(d), sizeof(*s), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!s)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	pthread_mutex_lock(&d->private_lock);
	s->serial = ++d->private_slots;
	pthread_mutex_unlock(&d->private_lock);
	*pPrivateDataSlot = ODX_TO_HANDLE(VkPrivateDataSlot, s);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyPrivateDataSlot(VkDevice device, VkPrivateDataSlot privateDataSlot,
			   const VkAllocationCallbacks *pAllocator)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_private_slot *s = ODX_FROM_HANDLE(odx_private_slot, privateDataSlot);

	(void)pAllocator;
	/* Its values on objects match nothing now and go with those objects. */
	odx_free(odx_device_alloc(d), s);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_SetPrivateData(VkDevice device, VkObjectType objectType, uint64_t objectHandle,
		   VkPrivateDataSlot privateDataSlot, uint64_t data)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_private_slot *s = ODX_FROM_HANDLE(odx_private_slot, privateDataSlot);
	struct odx_private_entry **list = anchor(objectType, objectHandle);
	struct odx_private_entry *e;
	VkResult r = VK_SUCCESS;

	if (!list || !s)
		return VK_ERROR_OUT_OF_HOST_MEMORY;	/* invalid usage; the one error */
	pthread_mutex_lock(&d->private_lock);
	e = find(*list, s->serial);
	if (!e) {
		e = odx_raw_alloc(odx_device_alloc(d), sizeof(*e),
				  VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
		if (e) {
			e->slot = s->serial;
			e->next = *list;
			*list = e;
		} else {
			r = VK_ERROR_OUT_OF_HOST_MEMORY;
		}
	}
	if (e)
		e->value = data;
	pthread_mutex_unlock(&d->private_lock);
	return r;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPrivateData(VkDevice device, VkObjectType objectType, uint64_t objectHandle,
		   VkPrivateDataSlot privateDataSlot, uint64_t *pData)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_private_slot *s = ODX_FROM_HANDLE(odx_private_slot, privateDataSlot);
	struct odx_private_entry **list = anchor(objectType, objectHandle);
	struct odx_private_entry *e;

	*pData = 0;
	if (!list || !s)
		return;
	pthread_mutex_lock(&d->private_lock);
	e = find(*list, s->serial);
	if (e)
		*pData = e->value;
	pthread_mutex_unlock(&d->private_lock);
}
