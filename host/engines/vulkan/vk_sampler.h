/* SPDX-License-Identifier: MIT */
/*
 * Samplers from a dispatch's sampler state (struct dxg_cmd_sampler,
 * docs/command-stream.md "Samplers").  The guest's sampler objects never
 * reach the host: each DISPATCH4 binding that needs one carries its
 * state, which is checked here against the device (its features and
 * limits, Vulkan's rules for the combinations) and made into a VkSampler
 * for that dispatch only, as the images and views are.
 */
#ifndef DXGHOST_VK_SAMPLER_H
#define DXGHOST_VK_SAMPLER_H

#include <stdint.h>

#include <vulkan/vulkan.h>

#include "dxg/cmdstream.h"
#include "engines/vulkan/vk_device.h"

/*
 * 0, STATUS_INVALID_PARAMETER (a value out of its enum, a reserved field,
 * a combination Vulkan forbids) or STATUS_NOT_SUPPORTED (a feature the
 * device has not enabled, depth comparison: no depth format is offered).
 */
int32_t dxg_vk_sampler_check(const struct dxg_vk_device *d, const struct dxg_cmd_sampler *s);

/* Whether a checked sampler filters linearly (the image's format must allow it). */
int dxg_vk_sampler_linear(const struct dxg_cmd_sampler *s);

/* A VkSampler of a checked state; the caller destroys it (dxg_vk_objects counted). */
int32_t dxg_vk_sampler_make(struct dxg_vk_device *d, const struct dxg_cmd_sampler *s,
			    VkSampler *out);

void dxg_vk_sampler_free(struct dxg_vk_device *d, VkSampler sampler);

#endif /* DXGHOST_VK_SAMPLER_H */
