// SPDX-License-Identifier: MIT
/*
 * vk-submit: how many queue submissions per second a Vulkan driver takes,
 * two ways: one at a time (vkQueueSubmit, then wait for its fence: the
 * round trip), and pipelined (N submissions of the same command buffer,
 * a fence on the last only).  Each submission fills 4 bytes, so the device
 * does almost nothing and the figure is the driver's own cost.  Plain
 * Vulkan: it runs on the host's device and, in a guest, on the opendxg
 * driver (docs/performance.md compares the two).
 *
 * Prints "vk-submit: <mode>: N submissions in T ms: R per second" lines and
 * "VKSUBMIT <mode> <per second>" for scripts; exits 0 when it ran.
 */
#include <stdio.h>
#include <string.h>

#include "../reference.h"
#include "vkctx.h"

#define PROG	"vk-submit"

static int record(struct vkc *c, VkCommandBuffer cb, VkBuffer buf,
		  VkCommandBufferUsageFlags flags)
{
	const VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, .flags = flags,
	};

	if (!VKC_OK(c, vkBeginCommandBuffer(cb, &bi)))
		return -1;
	vkCmdFillBuffer(cb, buf, 0, 4, 0x5a5a5a5au);
	return VKC_OK(c, vkEndCommandBuffer(cb)) ? 0 : -1;
}

static void report(const char *mode, unsigned int n, uint64_t ns)
{
	double rate = ns ? n * 1e9 / (double)ns : 0;

	printf("%s: %s: %u submissions in %.1f ms: %.0f per second\n", PROG, mode, n,
	       ns / 1e6, rate);
	printf("VKSUBMIT %s %.0f\n", mode, rate);
}

static int run(struct vkc *c, unsigned int n)
{
	VkCommandBuffer cb = c->cmd;
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};
	struct vkc_buffer b;
	uint64_t t0;
	int rc = -1;

	if (vkc_buffer_create(c, 256, VK_BUFFER_USAGE_TRANSFER_DST_BIT, VKC_HOST, &b))
		return -1;
	/* One at a time: submit, wait, reset. */
	if (record(c, cb, b.buf, 0) || vkc_submit_wait(c, cb))
		goto out;
	t0 = sample_now_ns();
	for (unsigned int i = 0; i < n; i++)
		if (vkc_submit_wait(c, cb))
			goto out;
	report("round-trip", n, sample_now_ns() - t0);
	/* Pipelined: the same buffer n times in flight, one fence at the end. */
	if (!VKC_OK(c, vkResetCommandBuffer(cb, 0)) ||
	    record(c, cb, b.buf, VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT) ||
	    !VKC_OK(c, vkResetFences(c->dev, 1, &c->fence)))
		goto out;
	t0 = sample_now_ns();
	for (unsigned int i = 0; i < n; i++)
		if (!VKC_OK(c, vkQueueSubmit(c->queue, 1, &si,
					     i + 1 == n ? c->fence : VK_NULL_HANDLE)))
			goto out;
	if (!VKC_OK(c, vkWaitForFences(c->dev, 1, &c->fence, VK_TRUE, UINT64_MAX)))
		goto out;
	report("pipelined", n, sample_now_ns() - t0);
	rc = 0;
out:
	vkDeviceWaitIdle(c->dev);
	vkc_buffer_destroy(c, &b);
	return rc;
}

int main(int argc, char **argv)
{
	struct vkc_opts o = { .device = -1 };
	struct vkc c;
	char *args[4];
	int nargs = 0, rc;

	rc = vkc_parse(argc, argv, "Usage: vk-submit [OPTION]...\n"
		       "Queue submissions per second: one at a time and pipelined.\n"
		       "--size N is the number of submissions (default 2000).\n",
		       &o, args, &nargs);
	if (rc)
		return rc == 2 ? 0 : rc;
	if (nargs) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, args[0]);
		return 1;
	}
	if (vkc_open(&c, PROG, &o, NULL))
		return 1;
	rc = run(&c, o.size ? (unsigned int)o.size : o.quick ? 200 : 2000);
	if (vkc_close(&c))
		rc = -1;
	return rc ? 1 : 0;
}
