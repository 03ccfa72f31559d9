/* SPDX-License-Identifier: MIT */
/*
 * VkFFT behind a C interface.  vkFFT.h (1.2.26) is C++ as much as C: it
 * initializes handles with "= {}", which C accepts only from C23 on, so
 * the one file that includes it (vkfft-glue.cpp) is compiled as C++ and
 * vk-fft.c, in C, calls these.
 */
#ifndef VKFFT_GLUE_H
#define VKFFT_GLUE_H

#include <stdbool.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vkfft_plan;

/* The objects VkFFT works with; they must outlive the plan. */
struct vkfft_env {
	VkPhysicalDevice *phys;
	VkDevice *dev;
	VkQueue *queue;
	VkCommandPool *pool;
	VkFence *fence;		/* unsignalled; VkFFT submits and waits with it */
};

/*
 * Plans (and compiles the kernels of) an in-place complex-to-complex
 * transform of @dims dimensions n[0] x n[1] x n[2] (n[0] varies fastest)
 * over @buf, @bytes long, in single or (@half) half precision (VkFFT
 * allocates any temporary buffer it needs).  Returns the plan, or NULL
 * with the VkFFTResult in *@err.
 */
struct vkfft_plan *vkfft_plan_create(const struct vkfft_env *env, unsigned int dims,
				     const uint32_t n[3], bool half, VkBuffer *buf,
				     uint64_t *bytes, int *err);
/* Records the forward transform into @cb; 0 or a VkFFTResult. */
int vkfft_record_forward(struct vkfft_plan *p, VkCommandBuffer *cb);
void vkfft_plan_destroy(struct vkfft_plan *p);

#ifdef __cplusplus
}
#endif

#endif /* VKFFT_GLUE_H */
