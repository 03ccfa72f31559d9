// SPDX-License-Identifier: MIT
/* Compute kernels: pipeline, layouts, descriptor sets, dispatches (vkctx.h). */
#include "vkctx.h"

#include <stdio.h>
#include <string.h>

#define MAX_BINDINGS 8

int vkc_kernel_create(struct vkc *c, const uint32_t *spv, size_t spv_size,
		      uint32_t bindings, uint32_t push_size, uint32_t max_sets,
		      struct vkc_kernel *k)
{
	VkDescriptorSetLayoutBinding b[MAX_BINDINGS];
	VkDescriptorSetLayoutCreateInfo li = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = bindings,
		.pBindings = b,
	};
	VkPushConstantRange pr = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		.size = push_size,
	};
	VkPipelineLayoutCreateInfo pli = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pushConstantRangeCount = push_size ? 1 : 0,
		.pPushConstantRanges = &pr,
	};
	VkShaderModuleCreateInfo si = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = spv_size,
		.pCode = spv,
	};
	VkComputePipelineCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.pName = "main",
		},
	};
	VkDescriptorPoolSize ps = {
		.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.descriptorCount = bindings * max_sets,
	};
	VkDescriptorPoolCreateInfo dpi = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = max_sets,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	VkShaderModule module = VK_NULL_HANDLE;
	bool ok;

	memset(k, 0, sizeof(*k));
	if (!bindings || bindings > MAX_BINDINGS || !max_sets) {
		printf("%s: a kernel with %u bindings and %u sets\n", c->prog, bindings, max_sets);
		return -1;
	}
	k->bindings = bindings;
	k->push_size = push_size;
	for (uint32_t i = 0; i < bindings; i++)
		b[i] = (VkDescriptorSetLayoutBinding){
			.binding = i,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.descriptorCount = 1,
			.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		};
	if (!VKC_OK(c, vkCreateDescriptorSetLayout(c->dev, &li, NULL, &k->dsl)))
		return -1;
	pli.pSetLayouts = &k->dsl;
	if (!VKC_OK(c, vkCreatePipelineLayout(c->dev, &pli, NULL, &k->layout)) ||
	    !VKC_OK(c, vkCreateDescriptorPool(c->dev, &dpi, NULL, &k->pool)) ||
	    !VKC_OK(c, vkCreateShaderModule(c->dev, &si, NULL, &module)))
		return -1;
	ci.stage.module = module;
	ci.layout = k->layout;
	ok = VKC_OK(c, vkCreateComputePipelines(c->dev, VK_NULL_HANDLE, 1, &ci, NULL, &k->pipe));
	/* The pipeline keeps what it needs of the module. */
	vkDestroyShaderModule(c->dev, module, NULL);
	return ok ? 0 : -1;
}

void vkc_kernel_destroy(struct vkc *c, struct vkc_kernel *k)
{
	if (k->pipe)
		vkDestroyPipeline(c->dev, k->pipe, NULL);
	if (k->pool)	/* frees its sets */
		vkDestroyDescriptorPool(c->dev, k->pool, NULL);
	if (k->layout)
		vkDestroyPipelineLayout(c->dev, k->layout, NULL);
	if (k->dsl)
		vkDestroyDescriptorSetLayout(c->dev, k->dsl, NULL);
	memset(k, 0, sizeof(*k));
}

int vkc_kernel_set(struct vkc *c, const struct vkc_kernel *k, const struct vkc_binding *b,
		   VkDescriptorSet *set)
{
	VkDescriptorSetAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = k->pool,
		.descriptorSetCount = 1,
		.pSetLayouts = &k->dsl,
	};
	VkDescriptorBufferInfo bi[MAX_BINDINGS];
	VkWriteDescriptorSet w[MAX_BINDINGS];
	VkDeviceSize align = c->props.limits.minStorageBufferOffsetAlignment;

	if (!VKC_OK(c, vkAllocateDescriptorSets(c->dev, &ai, set)))
		return -1;
	for (uint32_t i = 0; i < k->bindings; i++) {
		if (align && b[i].offset % align) {
			printf("%s: binding %u at offset %llu, not a multiple of "
			       "minStorageBufferOffsetAlignment %llu\n", c->prog, i,
			       (unsigned long long)b[i].offset, (unsigned long long)align);
			return -1;
		}
		bi[i] = (VkDescriptorBufferInfo){
			.buffer = b[i].buf->buf,
			.offset = b[i].offset,
			.range = b[i].range ? b[i].range : VK_WHOLE_SIZE,
		};
		w[i] = (VkWriteDescriptorSet){
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
			.dstSet = *set,
			.dstBinding = i,
			.descriptorCount = 1,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.pBufferInfo = &bi[i],
		};
	}
	vkUpdateDescriptorSets(c->dev, k->bindings, w, 0, NULL);
	return 0;
}

int vkc_timed_dispatches(struct vkc *c, const struct vkc_kernel *k,
			 const struct vkc_prep *prep, const struct vkc_dispatch *d,
			 unsigned int n, unsigned int iters, struct vkc_timing *t)
{
	if (vkc_cmd_begin(c))
		return -1;
	if (prep) {
		if (prep->src) {
			VkBufferCopy r = { .size = prep->size };

			vkCmdCopyBuffer(c->cmd, prep->src->buf, prep->dst->buf, 1, &r);
		} else {
			vkCmdFillBuffer(c->cmd, prep->dst->buf, 0, prep->size, prep->pattern);
		}
		vkc_cmd_barrier(c, c->cmd);
	}
	vkc_cmd_timestamp(c, 0);
	vkCmdBindPipeline(c->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->pipe);
	for (unsigned int i = 0; i < n; i++) {
		vkCmdBindDescriptorSets(c->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->layout, 0, 1,
					&d[i].set, 0, NULL);
		if (k->push_size)
			vkCmdPushConstants(c->cmd, k->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
					   k->push_size, d[i].push);
		vkCmdDispatch(c->cmd, d[i].groups[0], d[i].groups[1], d[i].groups[2]);
		vkc_cmd_barrier(c, c->cmd);
	}
	vkc_cmd_timestamp(c, 1);
	if (vkc_cmd_end(c))
		return -1;
	return vkc_run_timed(c, iters, t);
}
