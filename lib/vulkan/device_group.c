// SPDX-License-Identifier: MIT
/*
 * Device groups (Vulkan 1.1 core): every opendxg device is a group of one
 * physical device, so a device mask can only be 1 and there are no peers.
 * The commands still exist in 1.1, and a program may call
 * vkCmdSetDeviceMask(1) whatever the group's size.
 */
#include "odx.h"

VKAPI_ATTR void VKAPI_CALL
odx_CmdSetDeviceMask(VkCommandBuffer commandBuffer, uint32_t deviceMask)
{
	/* Valid usage: the mask names only devices of the group, i.e. 1. */
	(void)commandBuffer;
	(void)deviceMask;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetDeviceGroupPeerMemoryFeatures(VkDevice device, uint32_t heapIndex,
				     uint32_t localDeviceIndex, uint32_t remoteDeviceIndex,
				     VkPeerMemoryFeatureFlags *pPeerMemoryFeatures)
{
	/* There is no remote device (valid usage needs local != remote). */
	(void)device;
	(void)heapIndex;
	(void)localDeviceIndex;
	(void)remoteDeviceIndex;
	*pPeerMemoryFeatures = 0;
}
