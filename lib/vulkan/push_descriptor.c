// SPDX-License-Identifier: MIT
/*
 * VK_KHR_push_descriptor: descriptors written straight into the command
 * buffer.  A dispatch resolves its descriptors into GPU VAs when it is
 * recorded (cmd_record.c), so a push needs no storage in the command
 * stream: each set number gets one set of the command buffer's own, which
 * a push updates in place and binds; dispatches recorded before a push
 * already hold what they used.  The set goes when the command buffer is
 * reset or freed, or when a push names another set layout.
 */
#include "odx.h"

#define CMD(cb) ((struct odx_cmd_buffer *)(cb))

void odx_cmd_drop_pushed(struct odx_cmd_buffer *c)
{
	for (uint32_t i = 0; i < DXG_PIPELINE_MAX_SETS; i++) {
		odx_set_destroy(c->device, c->pushed[i]);
		c->pushed[i] = NULL;
	}
}

/* The command buffer's set @set of the layout, bound; NULL: none. */
static struct odx_descriptor_set *pushed_set(struct odx_cmd_buffer *c,
					     VkPipelineLayout layout, uint32_t set)
{
	const struct odx_pipeline_layout *l = ODX_FROM_HANDLE(odx_pipeline_layout, layout);
	struct odx_set_layout *sl;

	if (!l || set >= l->set_count || !l->sets[set]) {
		c->error = VK_ERROR_UNKNOWN;	/* invalid usage */
		return NULL;
	}
	sl = l->sets[set];
	if (c->pushed[set] && c->pushed[set]->layout != sl) {
		odx_set_destroy(c->device, c->pushed[set]);
		c->pushed[set] = NULL;
	}
	if (!c->pushed[set])
		c->pushed[set] = odx_set_create(c->device, sl);
	if (!c->pushed[set]) {
		c->error = VK_ERROR_OUT_OF_HOST_MEMORY;
		return NULL;
	}
	c->sets[set].set = c->pushed[set];
	memset(c->sets[set].dynamic, 0, sizeof(c->sets[set].dynamic));
	return c->pushed[set];
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdPushDescriptorSetKHR(VkCommandBuffer commandBuffer, VkPipelineBindPoint bindPoint,
			    VkPipelineLayout layout, uint32_t set, uint32_t count,
			    const VkWriteDescriptorSet *pWrites)
{
	struct odx_descriptor_set *s;

	if (bindPoint != VK_PIPELINE_BIND_POINT_COMPUTE)
		return;
	s = pushed_set(CMD(commandBuffer), layout, set);
	for (uint32_t i = 0; s && i < count; i++)
		odx_set_write(s, &pWrites[i]);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdPushDescriptorSetWithTemplateKHR(VkCommandBuffer commandBuffer,
					VkDescriptorUpdateTemplate tmpl,
					VkPipelineLayout layout, uint32_t set,
					const void *pData)
{
	struct odx_descriptor_set *s = pushed_set(CMD(commandBuffer), layout, set);

	if (s)
		odx_set_apply_template(s, tmpl, pData);
}
