/* SPDX-License-Identifier: MIT */
/*
 * The adapters this dxghost offers to its VMs (--adapter), their LUIDs and
 * identity, and their answers to QUERYADAPTERINFO.
 */
#ifndef DXGHOST_ADAPTER_H
#define DXGHOST_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dxg/ivshmem.h"

struct dxg_vk_device;

/* The CPU engine's PCI-style identity (see docs/dxghost.md). */
#define DXG_CPU_VENDOR_ID	0x1414u	/* Microsoft, as for the Basic Render Driver */
#define DXG_CPU_DEVICE_ID	0x008eu
#define DXG_CPU_DESCRIPTION	"opendxg CPU engine"
/* vGPU LUID low words: index + this base (guest LUIDs use index + 1). */
#define DXG_VGPU_LUID_BASE	0x100u

#define DXG_ADAPTER_DESC_MAX	256	/* bytes, NUL included */

struct dxg_adapter {
	uint32_t index;
	const char *kind;		/* "cpu" or "vulkan" */
	char description[DXG_ADAPTER_DESC_MAX];
	struct winluid luid;		/* guest-visible (also the host adapter LUID) */
	struct winluid vgpu_luid;	/* routes commands (extended header) */
	uint32_t flags;			/* DXG_ADAPTER_FLAG_* */
	uint32_t vendor_id;
	uint32_t device_id;
	uint32_t node_count;		/* engines (node ordinals 0..n-1) */
	bool software;			/* ADAPTERTYPE software_device */
	int32_t vk_index;		/* Vulkan physical device; -1: none */
	/* Its device, shared by every engine on this adapter (dxg_adapters_open). */
	struct dxg_vk_device *vk;
};

struct dxg_adapters {
	struct dxg_adapter list[DXG_IVSHMEM_MAX_ADAPTERS];
	uint32_t count;
	uint32_t luid_high;		/* random per daemon instance */
	/*
	 * Open Vulkan devices with buffer device addresses: only where they
	 * serve one VM (a VM server process).
	 */
	bool device_address;
};

/* luid_high: the random high LUID word of this instance. */
void dxg_adapters_init(struct dxg_adapters *a, uint32_t luid_high);
/*
 * Adds one adapter from a --adapter SPEC: "cpu", or "vulkan[:INDEX|:NAME]"
 * (the Vulkan physical device is probed now for its name and ids), either
 * followed by ",compute-only" for a compute-only adapter (the guest's
 * EnumAdapters2 hides it, EnumAdapters3 lists it when asked).
 * -EINVAL unknown spec, -ENOSPC full, -ENODEV no such Vulkan device,
 * -ENOTSUP a Vulkan device the backend cannot use.
 */
int dxg_adapters_add(struct dxg_adapters *a, const char *spec);
/* The spec names --help lists, comma separated. */
const char *dxg_adapter_kinds(void);

/*
 * Opens the Vulkan device of every Vulkan adapter, once per daemon: the
 * engines of all devices on that adapter share it.  Returns 0 or a negative
 * NTSTATUS with a one-line reason in err.  dxg_adapters_close() closes them.
 */
int32_t dxg_adapters_open(struct dxg_adapters *a, char *err, size_t errlen);
void dxg_adapters_close(struct dxg_adapters *a);
/* A VM is gone: what its Vulkan devices kept for it goes too. */
void dxg_adapters_forget_vm(const struct dxg_adapters *a, unsigned int vm_id);
/* Does the adapter's open device give out buffer device addresses? */
bool dxg_adapter_device_address(const struct dxg_adapter *ad);
/* The Vulkan objects dxghost holds on the adapter's device; -1: none. */
long dxg_adapter_vk_objects(const struct dxg_adapter *ad);

const struct dxg_adapter *dxg_adapter_by_vgpu(const struct dxg_adapters *a,
					      struct winluid vgpu_luid);
/* Writes the adapter table of the control page. */
void dxg_adapters_to_control(const struct dxg_adapters *a,
			     struct dxg_ivshmem_control *ctl);

/*
 * Answers QUERYADAPTERINFO: buf holds size bytes of the guest's input
 * block and receives the answer in place.  Returns an NTSTATUS:
 * STATUS_NOT_SUPPORTED for unknown types, STATUS_BUFFER_TOO_SMALL when size
 * is smaller than the answer's structure, STATUS_INVALID_PARAMETER for bad
 * input fields.
 */
int32_t dxg_adapter_query(const struct dxg_adapter *ad, uint32_t type,
			  void *buf, uint32_t size);

/* UTF-8/ASCII -> UTF-16LE, NUL-terminated, truncated to n units. */
void dxg_utf16_copy(uint16_t *dst, uint32_t n, const char *src);

#endif /* DXGHOST_ADAPTER_H */
