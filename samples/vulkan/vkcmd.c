// SPDX-License-Identifier: MIT
/* Recording the timed command buffer, and timing its runs (vkctx.h). */
#include "vkctx.h"

#include <stdio.h>
#include <string.h>

#include "../reference.h"

#define WORK_STAGES	(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT)
#define WORK_WRITES	(VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT)
#define WORK_ACCESS	(VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | \
			 VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT)

void vkc_cmd_barrier(struct vkc *c, VkCommandBuffer cb)
{
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = WORK_WRITES,
		.dstAccessMask = WORK_ACCESS,
	};

	(void)c;
	vkCmdPipelineBarrier(cb, WORK_STAGES, WORK_STAGES, 0, 1, &mb, 0, NULL, 0, NULL);
}

int vkc_cmd_begin(struct vkc *c)
{
	/* Not one-time: the same recording is submitted for every timed run. */
	VkCommandBufferBeginInfo bi = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO };

	if (!VKC_OK(c, vkBeginCommandBuffer(c->cmd, &bi)))
		return -1;
	/* Uploads and earlier runs (other submissions) come first. */
	vkc_cmd_barrier(c, c->cmd);
	if (c->query)
		vkCmdResetQueryPool(c->cmd, c->query, 0, 2);
	return 0;
}

void vkc_cmd_timestamp(struct vkc *c, unsigned int which)
{
	/* Bottom of pipe: written once all earlier commands have finished. */
	if (c->query)
		vkCmdWriteTimestamp(c->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, c->query, which);
}

int vkc_cmd_end(struct vkc *c)
{
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = WORK_WRITES,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};

	/* Results in host-visible memory are read by the CPU after the fence. */
	vkCmdPipelineBarrier(c->cmd, WORK_STAGES, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL,
			     0, NULL);
	return VKC_OK(c, vkEndCommandBuffer(c->cmd)) ? 0 : -1;
}

/* The device time of the last run from its two timestamps. */
static int device_ns(struct vkc *c, uint64_t *ns)
{
	uint64_t ts[2];
	uint64_t mask = c->ts_bits >= 64 ? UINT64_MAX : (1ull << c->ts_bits) - 1;

	if (!VKC_OK(c, vkGetQueryPoolResults(c->dev, c->query, 0, 2, sizeof(ts), ts, sizeof(ts[0]),
					     VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT)))
		return -1;
	/* Only ts_bits bits count; the counter may wrap once between the two. */
	*ns = (uint64_t)((double)(((ts[1] & mask) - (ts[0] & mask)) & mask) *
			 c->props.limits.timestampPeriod);
	return 0;
}

int vkc_run_timed(struct vkc *c, unsigned int iters, struct vkc_timing *t)
{
	uint64_t sum = 0;

	memset(t, 0, sizeof(*t));
	t->device = c->query != VK_NULL_HANDLE;
	if (vkc_submit_wait(c, c->cmd))
		return -1;
	t->best_ns = UINT64_MAX;
	t->best_wall_ns = UINT64_MAX;
	for (unsigned int i = 0; i < iters; i++) {
		uint64_t t0 = sample_now_ns(), wall, d;

		if (vkc_submit_wait(c, c->cmd))
			return -1;
		wall = sample_now_ns() - t0;
		if (wall < t->best_wall_ns)
			t->best_wall_ns = wall;
		d = wall;
		if (t->device && device_ns(c, &d))
			return -1;
		if (d < t->best_ns)
			t->best_ns = d;
		sum += d;
	}
	t->mean_ns = iters ? sum / iters : 0;
	return 0;
}
