// SPDX-License-Identifier: MIT
/* VkFFT's Vulkan backend behind the C interface of vkfft-glue.h. */
#define VKFFT_BACKEND 0
#include "vkFFT.h"	/* the build's copy: vkfft-header.sh */

#include <new>

#include "vkfft-glue.h"

struct vkfft_plan {
	VkFFTApplication app;
};

struct vkfft_plan *vkfft_plan_create(const struct vkfft_env *env, unsigned int dims,
				     const uint32_t n[3], bool half, VkBuffer *buf,
				     uint64_t *bytes, int *err)
{
	VkFFTConfiguration conf = {};
	vkfft_plan *p = new (std::nothrow) vkfft_plan();
	VkFFTResult r;

	if (!p) {
		*err = VKFFT_ERROR_MALLOC_FAILED;
		return nullptr;
	}
	conf.FFTdim = dims;
	for (unsigned int i = 0; i < 3; i++)
		conf.size[i] = n[i];
	conf.physicalDevice = env->phys;
	conf.device = env->dev;
	conf.queue = env->queue;
	conf.commandPool = env->pool;
	conf.fence = env->fence;
	conf.buffer = buf;
	conf.bufferSize = bytes;
	conf.halfPrecision = half;
	r = initializeVkFFT(&p->app, conf);
	if (r != VKFFT_SUCCESS) {
		/* Some failures clean up, some do not; deleteVkFFT is idempotent. */
		deleteVkFFT(&p->app);
		delete p;
		*err = r;
		return nullptr;
	}
	return p;
}

int vkfft_record_forward(struct vkfft_plan *p, VkCommandBuffer *cb)
{
	VkFFTLaunchParams launch = {};

	launch.commandBuffer = cb;
	return VkFFTAppend(&p->app, -1, &launch);	/* -1: forward */
}

void vkfft_plan_destroy(struct vkfft_plan *p)
{
	if (!p)
		return;
	deleteVkFFT(&p->app);
	delete p;
}
