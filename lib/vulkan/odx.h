/* SPDX-License-Identifier: MIT */
/*
 * The opendxg Vulkan driver (ICD): its objects.  Every dispatchable object
 * starts with the loader's slot (VK_LOADER_DATA), which the loader fills
 * with its dispatch table; the rest is ours.
 */
#ifndef ODX_H
#define ODX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <vulkan/vk_icd.h>
#include <vulkan/vulkan.h>

#include <dxg/d3dkmt.h>

#include "cmdenc.h"
#include "dxg/cmdstream.h"
#include "dxg/texel_format.h"
#include "dxg/vkinfo.h"
#include "entrypoint_decls.h"

/* The newest Vulkan version the ICD implements (what it reports at most). */
#define ODX_API_VERSION		VK_MAKE_API_VERSION(0, 1, 3, VK_HEADER_VERSION)
#define ODX_DRIVER_NAME		"opendxg"
#define ODX_MAX_PHYSICAL_DEVICES	16u

/* The structure of @type in a pNext chain, or NULL. */
/* CLOCK_MONOTONIC in nanoseconds: waits, deadlines, creation feedback. */
static inline uint64_t odx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline const void *odx_find_in_chain(const void *chain, VkStructureType type)
{
	for (const VkBaseInStructure *s = chain; s; s = s->pNext)
		if (s->sType == type)
			return s;
	return NULL;
}

struct odx_physical_device {
	VK_LOADER_DATA loader;
	struct odx_instance *instance;
	D3DKMT_HANDLE adapter;		/* opened by the enumeration */
	struct winluid luid;
	struct dxg_vkinfo_device host;	/* the host device, as dxghost says */
	VkExtensionProperties *host_extensions;
	uint32_t host_extension_count;
	uint64_t heap_size;		/* the IO space: CPU-visible memory */
	uint64_t device_heap_size;	/* the host device's memory for us, 0: none */
	/* The host takes DISPATCH5: views of several levels, layers or slices. */
	bool image_views;
	/* dxghost maps this VM's RAM: host pointers can be imported. */
	bool guest_memory;
	/* The host's device gives out buffer device addresses (memory.c). */
	bool device_address;
	/*
	 * Per VkFormat below DXG_TEXEL_FORMAT_END: the texel buffers and
	 * storage images the host offers (vkinfo.h's FORMATS, buffer features
	 * masked to DXG_TEXEL_BUFFER_FEATURES); all 0 from an older host.
	 */
	struct dxg_vkinfo_format formats[DXG_TEXEL_FORMAT_END];
	/*
	 * Bytes this process allocated per heap through this device
	 * (VK_EXT_memory_budget's heapUsage, memory_budget.c).
	 */
	_Atomic uint64_t heap_used[2];
};

/* VK_EXT_memory_budget's figures for the heaps of mem (memory_budget.c). */
void odx_memory_budget(const struct odx_physical_device *pd,
		       const VkPhysicalDeviceMemoryProperties *mem,
		       VkPhysicalDeviceMemoryBudgetPropertiesEXT *out);

/* The heap of a memory made here: device-local memory, or the IO space. */
static inline uint32_t odx_heap_of(const struct odx_physical_device *pd,
				   bool device)
{
	return device || !pd->device_heap_size ? 0 : 1;
}

/* VK_EXT_external_memory_host (host_memory.c): imports of whole pages. */
#define ODX_HOST_POINTER_ALIGNMENT	4096u
/* The memory type of the IO space (CPU-visible), as a mask. */
static inline uint32_t odx_io_space_types(const struct odx_physical_device *pd)
{
	return pd->device_heap_size ? 1u << 1 : 1u;
}
/* The memory types a host pointer can be imported as: the CPU-visible one. */
static inline uint32_t odx_host_pointer_types(const struct odx_physical_device *pd)
{
	return odx_io_space_types(pd);
}

/*
 * Memory types: with device memory, type 0 is it and type 1 the IO space;
 * without, type 0 is the IO space.
 */
#define ODX_MEMORY_TYPE_DEVICE	0u
static inline bool odx_type_is_device(const struct odx_physical_device *pd,
				      uint32_t type)
{
	return pd->device_heap_size && type == ODX_MEMORY_TYPE_DEVICE;
}
static inline uint32_t odx_memory_type_count(const struct odx_physical_device *pd)
{
	return pd->device_heap_size ? 2 : 1;
}

struct odx_instance {
	VK_LOADER_DATA loader;
	VkAllocationCallbacks alloc;
	uint32_t api_version;		/* what the application asked for */
	bool enumerated;
	uint32_t physical_device_count;
	struct odx_physical_device *physical_devices[ODX_MAX_PHYSICAL_DEVICES];
};

/* The callbacks the instance was created with, or NULL (libc). */
static inline const VkAllocationCallbacks *
odx_instance_alloc(const struct odx_instance *inst)
{
	return inst->alloc.pfnAllocation ? &inst->alloc : NULL;
}

/* ---- logical devices (device.c) ---- */

/*
 * Queues of family 0 a device may have.  Each is a context of its own on
 * the host: its work runs in its order, independent of the others' (a wait
 * on one holds back no other), all on the device's one engine.
 */
#define ODX_MAX_QUEUES	4u

struct odx_queue {
	VK_LOADER_DATA loader;
	struct odx_device *device;
	D3DKMT_HANDLE context;		/* the compute node's, this queue's */
	/* Signalled after every submission: queue and device wait idle. */
	struct odx_fence *idle;
	uint64_t idle_submitted;	/* under the queue's external sync */
	/* Not allocated alone, so its private data is kept here. */
	struct odx_private_entry *private_data;
};

struct odx_device {
	VK_LOADER_DATA loader;
	struct odx_physical_device *physical;
	VkAllocationCallbacks alloc;
	D3DKMT_HANDLE device;
	D3DKMT_HANDLE paging_queue;
	const volatile uint64_t *paging_fence_cpu;
	atomic_bool lost;		/* the host reported the device in error */
	struct odx_memory *dummy;	/* backs descriptors the app left unwritten */
	/*
	 * The same for storage images: device memory, made with the first
	 * pipeline that has a storage image (odx_need_dummy_image()); NULL
	 * before, or without device memory.
	 */
	struct odx_memory *_Atomic dummy_image;
	/*
	 * Guards every object's private data (private_data.c): the entries
	 * of any object of this device, and the next slot's serial number.
	 * A leaf lock: nothing else is taken under it.
	 */
	pthread_mutex_t private_lock;
	uint64_t private_slots;		/* slots made so far */
	uint32_t queue_count;
	struct odx_queue queues[];	/* [queue_count] */
};

static inline const VkAllocationCallbacks *odx_device_alloc(const struct odx_device *d)
{
	return d->alloc.pfnAllocation ? &d->alloc : NULL;
}

/*
 * One of opendxg's escapes (include/dxg/cmdstream.h) on the device: its
 * status, the private data updated in place.
 */
NTSTATUS odx_escape(struct odx_device *d, void *data, uint32_t size);

/* D3DKMT failures as Vulkan's (memory, device memory, device lost, other). */
VkResult odx_result(NTSTATUS st, VkResult other);
/* Checks the host's execution state: VK_ERROR_DEVICE_LOST once it failed. */
VkResult odx_device_check(struct odx_device *d);

/* ---- memory (memory.c) ---- */

struct odx_memory {
	D3DKMT_HANDLE allocation;
	/* Exportable (OPAQUE_FD) or imported from an fd: its resource. */
	D3DKMT_HANDLE resource;
	int fd;				/* imported: the fd, ours; -1: none */
	uint8_t *cpu;			/* mapped for its lifetime; NULL: device memory */
	bool imported;			/* cpu is the application's (host pointer) */
	uint64_t va;			/* GPU virtual address */
	uint64_t size;			/* as asked for */
	uint64_t alloc_size;		/* pages */
	uint64_t address;		/* the host's device address; 0: none */
	bool counted;			/* in the physical device's heap_used */
	uint32_t heap;			/*   at this heap */
};

/* IO-space memory (CPU-visible), or with @device the host device's own. */
VkResult odx_memory_create(struct odx_device *d, uint64_t size, bool device,
			   struct odx_memory **out);
/*
 * The application's own pages at @host (whole pages), pinned and used in
 * place: an existing-sysmem allocation (VK_EXT_external_memory_host,
 * host_memory.c).  VK_ERROR_INVALID_EXTERNAL_HANDLE when refused.
 */
VkResult odx_memory_create_host(struct odx_device *d, uint64_t size,
				void *host, struct odx_memory **out);
/*
 * After vkAllocateMemory made @m: its device address from the host when
 * @info's chain asks for one (device_address.c).
 */
VkResult odx_memory_device_address(struct odx_device *d, struct odx_memory *m,
				   const VkMemoryAllocateInfo *info);
/*
 * vkAllocateMemory's import of a host pointer, when its chain has one
 * (host_memory.c): the result, or VK_INCOMPLETE when there is none.
 */
VkResult odx_memory_import_host(struct odx_device *d,
				const VkMemoryAllocateInfo *info,
				struct odx_memory **out);
/*
 * vkGetPhysicalDeviceExternalBufferProperties for a host allocation: fills
 * the (zeroed) properties for its handle type only.
 */
void odx_host_memory_buffer_properties(const struct odx_physical_device *pd,
				       const VkPhysicalDeviceExternalBufferInfo *in,
				       VkExternalMemoryProperties *out);

/*
 * External memory as fds (VK_KHR_external_memory_fd, OPAQUE_FD;
 * external_memory.c).  An exportable allocation is a shared resource of
 * one allocation (IO space or device-local), its resource private data
 * this header: what an import checks (the fd is one of ours, of this size).
 */
#define ODX_MEMORY_SHARE_MAGIC		"odxmem1"
struct odx_memory_share {
	char magic[8];			/* ODX_MEMORY_SHARE_MAGIC */
	uint64_t size;			/* as the exporter asked for */
};
/*
 * Memory as a shared resource (ShareObjects makes fds of it): IO space, or
 * with @device the host device's own memory.
 */
VkResult odx_memory_create_shared(struct odx_device *d, uint64_t size,
				  bool device, struct odx_memory **out);
/*
 * The allocation of an opened resource (OpenResourceFromNtHandle), of
 * @alloc_size bytes, at a GPU VA and, unless @device (device-local memory),
 * mapped (Lock2); destroyed with the resource.  The resource is destroyed
 * when this fails.
 */
VkResult odx_memory_open(struct odx_device *d, D3DKMT_HANDLE resource,
			 D3DKMT_HANDLE allocation, uint64_t size,
			 uint64_t alloc_size, bool device,
			 struct odx_memory **out);
/*
 * vkAllocateMemory's export or fd import, when its chain asks for one
 * (external_memory.c): the result, or VK_INCOMPLETE when it asks for none.
 */
VkResult odx_memory_external(struct odx_device *d,
			     const VkMemoryAllocateInfo *info,
			     struct odx_memory **out);
/* The external memory handle types a buffer's memory can have: OPAQUE_FD. */
#define ODX_MEMORY_FD_TYPE	VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT
/* The same for OPAQUE_FD (external_memory.c). */
void odx_memory_fd_buffer_properties(const struct odx_physical_device *pd,
				     const VkPhysicalDeviceExternalBufferInfo *in,
				     VkExternalMemoryProperties *out);
void odx_memory_destroy(struct odx_device *d, struct odx_memory *m);

struct odx_buffer {
	uint64_t size;
	struct odx_memory *mem;		/* NULL until bound */
	uint64_t offset;
};

/*
 * An image (image.c): 2D or 3D, in device memory.  Each of its
 * subresources (a level of a layer; each slice of a 3D level) is laid out
 * as the host lays out a linear image of its format and that level's
 * extent (DXG_ESCAPE_IMAGE_LAYOUT): rows row_pitch bytes apart.  A layer is
 * its levels one after another, each level its slices, each slice at the
 * image's alignment; layers follow each other layer_size bytes apart
 * (docs/command-stream.md "Image views": what DISPATCH5 tells the host).
 */
#define ODX_IMAGE_MAX_LEVELS	32u	/* a whole chain of a 32-bit extent */

struct odx_image_level {
	uint32_t width, height, depth;	/* depth: slices, 1 but in a 3D image */
	uint64_t offset;		/* from its layer's start */
	uint64_t size;			/* a slice's: the host's, rounded up to 16 bytes */
	uint64_t slice_stride;		/* the size rounded up to the image's alignment */
	uint64_t row_pitch;
};

struct odx_image {
	uint32_t format, width, height, depth;
	bool is_3d;
	bool cube_compatible;		/* square, six layers or more: cube views */
	uint32_t levels, layers;
	uint64_t layer_size;		/* from one layer's start to the next's */
	uint64_t size;			/* the memory it needs */
	uint64_t alignment;
	uint32_t texel;			/* bytes per texel */
	bool mutable_format;		/* views may have other formats */
	struct odx_memory *mem;		/* NULL until bound */
	uint64_t offset;
	struct odx_image_level level[ODX_IMAGE_MAX_LEVELS];
};

/*
 * A view (image.c): 2D (one layer), 2D array, 3D or cube, of levels level ..
 * level + levels - 1 and layers layer .. layer + layers - 1.
 */
struct odx_image_view {
	struct odx_image *image;
	uint32_t format;		/* the image's, or a compatible one */
	uint32_t view_type;		/* enum dxg_view_type */
	uint32_t level, layer, levels, layers;
	/* Its component mapping (VkComponentSwizzle r g b a; a sampled view's). */
	uint8_t swizzle[4];
};

/* A sampler: its state as DISPATCH4 carries it (sampler.c). */
struct odx_sampler {
	struct dxg_cmd_sampler state;
};

/* Does the device offer storage images at all (device memory, a format)? */
bool odx_images_offered(const struct odx_physical_device *pd);
#define ODX_DUMMY_IMAGE_SIZE	65536u
/* Makes d->dummy_image if there is none (a failure leaves it NULL). */
void odx_need_dummy_image(struct odx_device *d);

/* The image features offered for @format (0: none); image.c. */
VkFormatFeatureFlags odx_image_features(const struct odx_physical_device *pd,
					uint32_t format);
/* @color as one texel of @format in @out (16 bytes); false: not a format of ours. */
bool odx_pack_color(uint32_t format, const VkClearColorValue *color, uint8_t *out);
/* Can images have @format (its clear colors are known: clear_color.c)? */
bool odx_color_format(uint32_t format);

static inline uint64_t odx_image_va(const struct odx_image *i)
{
	return i->mem ? i->mem->va + i->offset : 0;
}

/*
 * Where slice @z of subresource (@level, @layer) of @i starts (z 0 but in
 * a 3D image); 0: unbound or none such.
 */
static inline uint64_t odx_image_sub_va(const struct odx_image *i, uint32_t level,
					uint32_t layer, uint32_t z)
{
	if (!i->mem || level >= i->levels || layer >= i->layers || z >= i->level[level].depth)
		return 0;
	return i->mem->va + i->offset + layer * i->layer_size + i->level[level].offset +
	       z * i->level[level].slice_stride;
}

/* A texel buffer view (buffer_view.c): its range resolved at creation. */
struct odx_buffer_view {
	struct odx_buffer *buffer;
	uint64_t offset, range;
	uint32_t format;
};

/* ---- synchronization (sync.c) ---- */

/* A monitored fence: VkFence, VkSemaphore and the idle fence are one. */
struct odx_fence {
	D3DKMT_HANDLE sync;
	const volatile uint64_t *cpu;	/* the value the host writes */
	uint64_t pending;		/* VkFence: the value that signals it, 0: none */
	uint64_t last;			/* last value handed out for signalling */
	bool cpu_signaled;		/* VkFence created or marked signalled */
	bool timeline;			/* VkSemaphore of the timeline type */
	/*
	 * A temporarily imported SYNC_FD payload (external_sync.c) replaces
	 * the permanent one until it is consumed (a semaphore wait), reset
	 * (a fence) or exported: a sync file we own, or -1 (signalled).
	 */
	bool imported;
	int import_fd;
	/*
	 * A VkFence shared by OPAQUE_FD (opaque_fence.c) keeps its whole state
	 * in the shared value: odd is signalled, even unsignalled.
	 */
	bool parity;
	/* An OPAQUE_FD payload imported temporarily; the permanent one kept. */
	bool opaque_temp;
	D3DKMT_HANDLE perm_sync;
	const volatile uint64_t *perm_cpu;
	bool perm_parity;
};

/*
 * shared: created SHARED | NT_SECURITY_SHARING, so that the sync files
 * exported from it can be waited for on the GPU by other processes
 * (docs/sync.md §7), not only polled.
 */
VkResult odx_fence_create(struct odx_device *d, uint64_t initial, bool shared,
			  struct odx_fence **out);
void odx_fence_destroy(struct odx_device *d, struct odx_fence *f);
uint64_t odx_fence_value(const struct odx_fence *f);
/* Signals f to v from the CPU (an asynchronous message to the host). */
VkResult odx_fence_signal_cpu(struct odx_device *d, struct odx_fence *f, uint64_t v);
/*
 * Waits until the fences reach their values (all, or any one), at most
 * timeout_ns (UINT64_MAX: forever).  VK_SUCCESS, VK_TIMEOUT or an error.
 */
VkResult odx_fences_wait(struct odx_device *d, uint32_t n,
			 struct odx_fence *const *f, const uint64_t *values,
			 bool all, uint64_t timeout_ns);

/* ---- external fences and semaphores: sync files (external_sync.c) ---- */

/*
 * Does a VkFenceCreateInfo / VkSemaphoreCreateInfo chain ask for export
 * (VkExportFenceCreateInfo / VkExportSemaphoreCreateInfo with a handle type)?
 */
bool odx_fence_exportable(const void *pNext);
/* ---- timeline semaphores by OPAQUE_FD (opaque_semaphore.c) ---- */

/* Does the physical device offer info's handle type for its semaphore type? */
bool odx_opaque_semaphore_supported(const VkPhysicalDeviceExternalSemaphoreInfo *info);
/* A new fd of f's fence (an NT handle); f must be an exportable timeline. */
VkResult odx_opaque_semaphore_export(struct odx_fence *f, int *fd);
/* f becomes the fence of fd (permanently); fd is closed on success. */
VkResult odx_opaque_semaphore_import(struct odx_device *d, struct odx_fence *f,
				     int fd);

/* A new fd (NT handle, ShareObjects) of a shared monitored fence. */
VkResult odx_share_fence(D3DKMT_HANDLE sync, int *fd);
/*
 * fd's shared monitored fence opened for device d (OpenSyncObjectFromNtHandle2):
 * its handle and CPU address; fd stays open.  VK_ERROR_INVALID_EXTERNAL_HANDLE
 * when fd is no NT handle of a monitored fence.
 */
VkResult odx_open_shared_fence(struct odx_device *d, int fd, D3DKMT_HANDLE *sync,
			       const volatile uint64_t **cpu);

/* ---- fences by OPAQUE_FD (opaque_fence.c) ---- */

/* Does a VkFenceCreateInfo chain ask for OPAQUE_FD export? */
bool odx_opaque_fence_requested(const void *pNext);
/* A parity fence (or its temporary OPAQUE_FD payload): signalled? */
bool odx_parity_signaled(const struct odx_fence *f);
/* The value a submission signals a parity fence with: the next odd one. */
uint64_t odx_parity_next(const struct odx_fence *f);
/* vkResetFences of a parity fence: the next even value, from the CPU. */
VkResult odx_parity_reset(struct odx_device *d, struct odx_fence *f);
/* A new fd (NT handle) of the fence's shared payload; parity fences only. */
VkResult odx_opaque_fence_export(struct odx_fence *f, int *fd);
/* f's payload becomes fd's, permanently or until the next reset; fd closed. */
VkResult odx_opaque_fence_import(struct odx_device *d, struct odx_fence *f, int fd,
				 bool temporary);
/* Ends a temporary OPAQUE_FD import: the permanent payload is back. */
void odx_opaque_fence_restore(struct odx_fence *f);

/* Drops a temporary import (closing its fd), restoring the permanent payload. */
void odx_import_drop(struct odx_fence *f);
/* A fence's temporary import is signalled: -1, or its sync file polls readable. */
bool odx_import_signaled(const struct odx_fence *f);
/*
 * A queue's wait on a semaphore's temporary import: the GPU waits on the
 * device's context for our sync file (WaitSyncFile), or the CPU waits here
 * for one that is not ours; the import is consumed.
 */
VkResult odx_import_wait(struct odx_queue *q, struct odx_fence *f);

/* ---- descriptors (descriptor.c) ---- */

struct odx_set_binding {
	uint32_t binding;
	VkDescriptorType type;
	uint32_t count;
	uint32_t dynamic_index;		/* dynamic buffers: order in the layout */
	/*
	 * Its elements in a set: d[first .. first + kept).  A pipeline has at
	 * most DXG_CMD_MAX_BINDINGS slots, so no element beyond that many can
	 * ever be bound: those are not kept.
	 */
	uint32_t first, kept;
	/* An inline uniform block: its count bytes at this offset of the set's. */
	uint32_t inline_offset;
	/*
	 * A sampler or combined image sampler binding with immutable
	 * samplers: the layout's immutable[immutable ..] are its kept
	 * elements' (writes leave them); else ODX_NO_IMMUTABLE.
	 */
	uint32_t immutable;
};

#define ODX_NO_IMMUTABLE	UINT32_MAX

struct odx_set_layout {
	atomic_uint refs;		/* the handle, sets and pipeline layouts */
	uint32_t count;
	uint32_t dynamic_count;
	uint32_t descriptors;		/* kept elements of all bindings */
	uint32_t inline_bytes;		/* of all inline uniform blocks, laid out */
	struct dxg_cmd_sampler *immutable;	/* after b[], in the same allocation */
	struct odx_set_binding b[];	/* sorted by binding */
};

struct odx_descriptor {
	struct odx_buffer *buffer;	/* NULL: never written */
	uint64_t offset, range;
	uint32_t format;		/* a texel buffer's view's; 0 otherwise */
	struct odx_image *image;	/* an image's; NULL otherwise */
	/* Its view's type (enum dxg_view_type) and subresources. */
	uint32_t view_type, level, layer, levels, layers;
	/* A sampler's state (DISPATCH4); zero (a valid default) when unwritten. */
	struct dxg_cmd_sampler sampler;
	uint8_t swizzle[4];		/* a sampled image's view's */
};

struct odx_descriptor_set {
	struct odx_set_layout *layout;
	struct odx_descriptor_pool *pool;
	struct odx_descriptor_set *next;	/* the pool's list */
	/* Its inline uniform blocks' bytes, where the host reads them. */
	struct odx_memory *inline_mem;
	struct odx_descriptor d[];		/* the layout's kept elements */
};

struct odx_descriptor_pool {
	struct odx_descriptor_set *sets;
	uint32_t max_sets, live;
};

void odx_set_layout_unref(struct odx_device *d, struct odx_set_layout *l);
/* The binding's entry of a layout, or NULL. */
const struct odx_set_binding *odx_set_layout_find(const struct odx_set_layout *l,
						  uint32_t binding, uint32_t *index);
/* A set with no pool (push descriptors), and its end. */
struct odx_descriptor_set *odx_set_create(struct odx_device *d, struct odx_set_layout *l);
void odx_set_destroy(struct odx_device *d, struct odx_descriptor_set *s);
/* One write, or a template's writes from @pData, into set @s. */
void odx_set_write(struct odx_descriptor_set *s, const VkWriteDescriptorSet *w);

/* ---- inline uniform blocks (inline_uniform.c) ---- */

/*
 * Each block's place in a set's inline memory (@b's inline_offset), and
 * the layout's total; false when the blocks are larger than any set may be.
 */
bool odx_inline_layout(struct odx_set_layout *l);
/* Are a layout's inline blocks within the limits (vkGetDescriptorSetLayoutSupport)? */
bool odx_inline_layout_supported(const VkDescriptorSetLayoutCreateInfo *ci);
/* The set's inline memory, zeroed, when its layout has blocks. */
VkResult odx_inline_set_create(struct odx_device *d, struct odx_descriptor_set *s);
void odx_inline_set_destroy(struct odx_device *d, struct odx_descriptor_set *s);
/* Bytes [offset, offset + size) of @binding's block from @data. */
void odx_inline_write(struct odx_descriptor_set *s, uint32_t binding, uint32_t offset,
		      const void *data, uint32_t size);
/* A copy between two blocks (VkCopyDescriptorSet of that type). */
void odx_inline_copy(struct odx_descriptor_set *dst, uint32_t dst_binding, uint32_t dst_offset,
		     const struct odx_descriptor_set *src, uint32_t src_binding,
		     uint32_t src_offset, uint32_t size);
/* Where a dispatch reads @b's block of @s: false when it has none. */
bool odx_inline_range(const struct odx_descriptor_set *s, const struct odx_set_binding *b,
		      uint64_t *va, uint64_t *size);
/* The block limits this driver offers on @pd (Vulkan 1.3's properties). */
void odx_inline_limits(const struct odx_physical_device *pd,
		       VkPhysicalDeviceInlineUniformBlockProperties *out,
		       uint32_t *total_size);
void odx_set_apply_template(struct odx_descriptor_set *s, VkDescriptorUpdateTemplate tmpl,
			    const void *pData);
/*
 * Element @elem of @binding in set @s, or NULL where none is kept; with
 * @rollover, an element past the binding's count goes on into the next
 * bindings, as writes and copies do (the spec's consecutive binding rule).
 */
struct odx_descriptor *odx_set_element(struct odx_descriptor_set *s, uint32_t binding,
				       uint32_t elem, bool rollover,
				       const struct odx_set_binding **b);

/* ---- recording (cmd_record.c), shared with cmd_image.c ---- */

struct odx_cmd_buffer;
/* The encoder ran out of memory: the recording fails at vkEndCommandBuffer. */
void odx_cmd_check(struct odx_cmd_buffer *c, bool ok);
/* A BARRIER, unless the last command was one. */
void odx_cmd_barrier(struct odx_cmd_buffer *c);
/* The GPU VA of @offset in @b (0: not bound). */
uint64_t odx_buffer_va(const struct odx_buffer *b, uint64_t offset);

/* ---- pipelines (pipeline.c) ---- */

struct odx_pipeline_layout {
	uint32_t set_count;
	struct odx_set_layout *sets[DXG_PIPELINE_MAX_SETS];
	uint32_t push_size;		/* end of the last push constant range */
};

/* One buffer the shader uses: (set, binding, array element) in the layout. */
struct odx_slot {
	uint32_t set, binding, element;
	uint32_t type;		/* enum dxg_slot_type, from the layout */
	/*
	 * A texel buffer's: a format its declaration accepts, for a
	 * descriptor left unwritten (bound to the dummy buffer).
	 */
	uint32_t format;
	/* An image's: the view type its declaration needs (enum dxg_view_type). */
	uint32_t view;
};

struct odx_pipeline {
	uint64_t id;			/* the host's */
	uint32_t num_slots;
	struct odx_slot slots[DXG_CMD_MAX_BINDINGS];
	uint32_t push_size;
};

struct odx_shader_module {
	size_t size;
	uint32_t code[];
};

/* ---- command buffers (cmd_buffer.c, cmd_record.c) ---- */

struct odx_cmd_pool {
	struct odx_cmd_buffer *buffers;
};

struct odx_bound_set {
	struct odx_descriptor_set *set;
	uint32_t dynamic[DXG_CMD_MAX_BINDINGS];	/* offsets, layout order */
};

struct odx_cmd_buffer {
	VK_LOADER_DATA loader;
	struct odx_device *device;
	struct odx_cmd_pool *pool;
	struct odx_cmd_buffer *next;	/* the pool's list */
	struct dxg_enc enc;		/* records into malloc'd memory */
	VkResult error;			/* sticky recording error */
	bool secondary;			/* its commands go into primaries */
	bool last_was_barrier;
	struct odx_memory *gpu;		/* the finished buffer, for the host */
	uint32_t length;		/* bytes of it that count */
	/* State of the recording. */
	struct odx_pipeline *pipeline;
	struct odx_bound_set sets[DXG_PIPELINE_MAX_SETS];
	uint8_t push[DXG_CMD_MAX_PUSH_SIZE];
	/* The push descriptor sets (push_descriptor.c), the buffer's own. */
	struct odx_descriptor_set *pushed[DXG_PIPELINE_MAX_SETS];
};

/* The command buffer's push descriptor sets go (reset, free). */
void odx_cmd_drop_pushed(struct odx_cmd_buffer *c);

/* ---- events (event.c) ---- */

uint64_t odx_event_va(VkEvent event);

/* ---- query pools (query.c) ---- */

/* Each query: a u64 timestamp, then a u32 availability word, padded. */
#define ODX_QUERY_STRIDE	16u

struct odx_query_pool {
	struct odx_memory *mem;
	uint32_t count;
};

/* Handles of non-dispatchable objects are pointers to ours. */
#define ODX_FROM_HANDLE(type, h)	((struct type *)(uintptr_t)(h))
#define ODX_TO_HANDLE(vktype, p)	((vktype)(uintptr_t)(p))

/*
 * Host allocations through the application's callbacks, or libc.  Objects
 * (every handle this driver gives out but a queue's) come from odx_alloc,
 * which keeps their private data in a header before them; odx_raw_alloc is
 * the allocation alone.
 */
void *odx_alloc(const VkAllocationCallbacks *a, size_t size,
		VkSystemAllocationScope scope);
void odx_free(const VkAllocationCallbacks *a, void *p);
void *odx_raw_alloc(const VkAllocationCallbacks *a, size_t size,
		    VkSystemAllocationScope scope);
void odx_raw_free(const VkAllocationCallbacks *a, void *p);

/* ---- private data (private_data.c) ---- */

/* One value of one slot on one object; the slot by its serial number. */
struct odx_private_entry {
	uint64_t slot;
	uint64_t value;
	struct odx_private_entry *next;
};

/* Where an object from odx_alloc keeps its entries. */
struct odx_private_entry **odx_private_anchor(void *object);
/* Frees an object's entries (with the object, or a queue's with the device). */
void odx_private_data_free(const VkAllocationCallbacks *a,
			   struct odx_private_entry **list);

/* physical_device.c: builds the list of an instance. */
VkResult odx_enumerate_adapters(struct odx_instance *inst);
void odx_physical_device_destroy(struct odx_physical_device *pd);
/* features.c: the features asked for at device creation are offered. */
VkResult odx_features_check(const struct odx_physical_device *pd,
			    const VkDeviceCreateInfo *ci);
/* An extension this driver implements and the host's device has. */
bool odx_device_extension_offered(const struct odx_physical_device *pd,
				  const char *name);

#endif /* ODX_H */
