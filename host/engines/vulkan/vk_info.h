/* SPDX-License-Identifier: MIT */
/*
 * The Vulkan device's description for the guest (include/dxg/vkinfo.h): its
 * properties, features, queue families, memory and extensions, read from
 * the physical device at each query.
 */
#ifndef DXGHOST_VK_INFO_H
#define DXGHOST_VK_INFO_H

#include <stdint.h>

#include "dxg/vkinfo.h"

struct dxg_vk_device;

/* Fills q's answer for its (checked) header; 0 or a negative NTSTATUS. */
int32_t dxg_vk_info_query(const struct dxg_vk_device *d, struct dxg_vkinfo *q);

#endif /* DXGHOST_VK_INFO_H */
