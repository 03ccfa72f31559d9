// SPDX-License-Identifier: MIT
/*
 * bench_compute: the sample kernels (shaders/saxpy, sgemm, reduce) run
 * through dxghost's execution path against the same SPIR-V run directly on
 * the same Vulkan device (lavapipe by default), in one run.
 *
 *   direct     plain Vulkan on the device dxghost would use: the kernel's
 *              buffers in HOST_VISIBLE|HOST_COHERENT device memory, the
 *              command buffer recorded once and resubmitted, a fence wait
 *              per dispatch.  The floor.
 *   engine     dxghost's Vulkan engine (host/vk_engine.c): bindings are host
 *              pointers into a shared memfd mapping (as the VM's IO space),
 *              imported with VK_EXT_external_memory_host (zero copy, import
 *              cache), descriptor update, record, submit, wait per dispatch.
 *   cmdstream  the host's executor (host/cmdstream.c): a DISPATCH command
 *              buffer copied out of the shared mapping into private memory,
 *              validated, addresses translated through a GPU VA space, then
 *              the engine as above.  This is what dxg_exec_submit() runs
 *              for a guest submission, minus the ring and the scheduler.
 *
 * Kernels of 1 ms or more are the goal (within 5% of direct); a small
 * saxpy shows the fixed cost per dispatch.  The paths are interleaved per
 * repetition; the median per path is the figure.
 *
 * Usage: bench_compute [--reps N] [--device SELECTOR] [--quick]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "cmdstream.h"
#include "dxg/ntstatus.h"
#include "engine.h"
#include "gpuva.h"
#include "vk_device.h"
#include "vk_engine.h"

#include "reduce_spv.h"
#include "saxpy_spv.h"
#include "sgemm_spv.h"

#define GOAL_OVERHEAD	1.05
#define MAXB		3
#define PAGE		4096u

struct kernel {
	const char *name;
	const uint32_t *spirv;
	size_t spirv_size;
	uint32_t nb;			/* bindings */
	uint64_t size[MAXB];		/* bytes per binding */
	uint32_t groups[3];
	uint32_t push[4];
	uint32_t push_size;
	bool goal;			/* counts for the >= 1 ms goal */
	float init[MAXB];		/* every element of each binding, before a run */
	/* expected first element of binding `check` after one run on fresh inputs */
	uint32_t check;
	float expect;
};

/* ---- direct Vulkan ---- */

struct direct {
	struct dxg_vk_device *dev;
	VkBuffer buf[MAXB];
	VkDeviceMemory mem[MAXB];
	void *map[MAXB];
	VkShaderModule module;
	VkDescriptorSetLayout dsl;
	VkPipelineLayout layout;
	VkPipeline pipeline;
	VkDescriptorPool dpool;
	VkDescriptorSet set;
	VkCommandPool pool;
	VkCommandBuffer cb;
	VkFence fence;
};

static uint32_t host_memory_type(const struct dxg_vk_device *dev, uint32_t bits)
{
	const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
					   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

	for (uint32_t i = 0; i < dev->mem.memoryTypeCount; i++)
		if ((bits & (1u << i)) &&
		    (dev->mem.memoryTypes[i].propertyFlags & want) == want)
			return i;
	return UINT32_MAX;
}

#define VKCHECK(x) do { VkResult r_ = (x); if (r_ != VK_SUCCESS) { \
	fprintf(stderr, "bench_compute: %s: VkResult %d\n", #x, r_); return -1; } } while (0)

static int direct_init(struct direct *d, struct dxg_vk_device *dev,
		       const struct kernel *k)
{
	VkDevice vd = dev->device;
	VkDescriptorSetLayoutBinding b[MAXB];
	VkDescriptorBufferInfo bi[MAXB];
	VkWriteDescriptorSet w[MAXB];
	const VkPushConstantRange range = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .size = k->push_size,
	};
	const VkDescriptorPoolSize ps = {
		.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = MAXB,
	};
	const VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	const VkCommandBufferBeginInfo cbi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
	};

	memset(d, 0, sizeof(*d));
	d->dev = dev;
	for (uint32_t i = 0; i < k->nb; i++) {
		VkBufferCreateInfo ci = {
			.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
			.size = k->size[i],
			.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
		};
		VkMemoryRequirements req;
		VkMemoryAllocateInfo ai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO };

		VKCHECK(vkCreateBuffer(vd, &ci, NULL, &d->buf[i]));
		vkGetBufferMemoryRequirements(vd, d->buf[i], &req);
		ai.allocationSize = req.size;
		ai.memoryTypeIndex = host_memory_type(dev, req.memoryTypeBits);
		if (ai.memoryTypeIndex == UINT32_MAX)
			return -1;
		VKCHECK(vkAllocateMemory(vd, &ai, NULL, &d->mem[i]));
		VKCHECK(vkBindBufferMemory(vd, d->buf[i], d->mem[i], 0));
		VKCHECK(vkMapMemory(vd, d->mem[i], 0, VK_WHOLE_SIZE, 0, &d->map[i]));
		b[i] = (VkDescriptorSetLayoutBinding) {
			.binding = i,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.descriptorCount = 1,
			.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		};
	}
	{
		VkShaderModuleCreateInfo mci = {
			.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
			.codeSize = k->spirv_size, .pCode = k->spirv,
		};
		VkDescriptorSetLayoutCreateInfo dci = {
			.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
			.bindingCount = k->nb, .pBindings = b,
		};
		VkPipelineLayoutCreateInfo lci = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
			.setLayoutCount = 1, .pSetLayouts = &d->dsl,
			.pushConstantRangeCount = 1, .pPushConstantRanges = &range,
		};
		VkComputePipelineCreateInfo pci = {
			.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
			.stage = {
				.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
				.stage = VK_SHADER_STAGE_COMPUTE_BIT,
				.pName = "main",
			},
		};
		VkDescriptorPoolCreateInfo dpci = {
			.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
			.maxSets = 1, .poolSizeCount = 1, .pPoolSizes = &ps,
		};
		VkDescriptorSetAllocateInfo dsai = {
			.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
			.descriptorSetCount = 1,
		};
		VkCommandPoolCreateInfo cpci = {
			.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
			.queueFamilyIndex = dev->queue_family,
		};
		VkCommandBufferAllocateInfo cbai = {
			.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
			.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
			.commandBufferCount = 1,
		};
		const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };

		VKCHECK(vkCreateShaderModule(vd, &mci, NULL, &d->module));
		VKCHECK(vkCreateDescriptorSetLayout(vd, &dci, NULL, &d->dsl));
		VKCHECK(vkCreatePipelineLayout(vd, &lci, NULL, &d->layout));
		pci.stage.module = d->module;
		pci.layout = d->layout;
		VKCHECK(vkCreateComputePipelines(vd, VK_NULL_HANDLE, 1, &pci, NULL,
						 &d->pipeline));
		VKCHECK(vkCreateDescriptorPool(vd, &dpci, NULL, &d->dpool));
		dsai.descriptorPool = d->dpool;
		dsai.pSetLayouts = &d->dsl;
		VKCHECK(vkAllocateDescriptorSets(vd, &dsai, &d->set));
		VKCHECK(vkCreateCommandPool(vd, &cpci, NULL, &d->pool));
		cbai.commandPool = d->pool;
		VKCHECK(vkAllocateCommandBuffers(vd, &cbai, &d->cb));
		VKCHECK(vkCreateFence(vd, &fci, NULL, &d->fence));
	}
	for (uint32_t i = 0; i < k->nb; i++) {
		bi[i] = (VkDescriptorBufferInfo) { d->buf[i], 0, k->size[i] };
		w[i] = (VkWriteDescriptorSet) {
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
			.dstSet = d->set, .dstBinding = i, .descriptorCount = 1,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.pBufferInfo = &bi[i],
		};
	}
	vkUpdateDescriptorSets(vd, k->nb, w, 0, NULL);
	/* Recorded once, resubmitted: the least work a direct user can do. */
	VKCHECK(vkBeginCommandBuffer(d->cb, &cbi));
	vkCmdBindPipeline(d->cb, VK_PIPELINE_BIND_POINT_COMPUTE, d->pipeline);
	vkCmdBindDescriptorSets(d->cb, VK_PIPELINE_BIND_POINT_COMPUTE, d->layout,
				0, 1, &d->set, 0, NULL);
	vkCmdPushConstants(d->cb, d->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
			   k->push_size, k->push);
	vkCmdDispatch(d->cb, k->groups[0], k->groups[1], k->groups[2]);
	vkCmdPipelineBarrier(d->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
			     VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
	VKCHECK(vkEndCommandBuffer(d->cb));
	return 0;
}

static int direct_run(struct direct *d)
{
	const VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1, .pCommandBuffers = &d->cb,
	};
	VkDevice vd = d->dev->device;

	VKCHECK(vkResetFences(vd, 1, &d->fence));
	VKCHECK(vkQueueSubmit(d->dev->queue, 1, &si, d->fence));
	VKCHECK(vkWaitForFences(vd, 1, &d->fence, VK_TRUE, UINT64_MAX));
	return 0;
}

static void direct_fini(struct direct *d)
{
	VkDevice vd = d->dev->device;

	vkDeviceWaitIdle(vd);
	vkDestroyFence(vd, d->fence, NULL);
	vkDestroyCommandPool(vd, d->pool, NULL);
	vkDestroyDescriptorPool(vd, d->dpool, NULL);
	vkDestroyPipeline(vd, d->pipeline, NULL);
	vkDestroyPipelineLayout(vd, d->layout, NULL);
	vkDestroyDescriptorSetLayout(vd, d->dsl, NULL);
	vkDestroyShaderModule(vd, d->module, NULL);
	for (uint32_t i = 0; i < MAXB; i++) {
		if (d->buf[i])
			vkDestroyBuffer(vd, d->buf[i], NULL);
		if (d->mem[i])
			vkFreeMemory(vd, d->mem[i], NULL);
	}
}

/* ---- through dxghost's engine and executor ---- */

struct hosted {
	struct dxg_engine *eng;
	uint64_t pipeline;
	uint8_t *shm;			/* the "IO space": a shared memfd mapping */
	size_t shm_size;
	uint64_t off[MAXB];		/* page-aligned binding offsets in it */
	struct dxg_gpuva_space *va;
	uint64_t va_base;
	uint64_t cmd_off;		/* the command buffer, in shm too */
	uint32_t cmd_len;
	uint8_t *priv;			/* the host's private copy */
	struct dxg_engine_dispatch disp;
};

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static int hosted_init(struct hosted *h, struct dxg_engine *eng, const struct kernel *k)
{
	struct dxg_cmdbuf_header hdr = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
		.num_commands = 1,
	};
	struct dxg_cmd_dispatch dc = {
		.hdr = { .opcode = DXG_CMD_DISPATCH,
			 .size_bytes = (uint32_t)DXG_CMD_DISPATCH_SIZE(k->nb, k->push_size) },
		.num_bindings = k->nb, .push_size = k->push_size,
	};
	uint64_t at = 0;
	uint8_t *p;
	int fd;
	int32_t st;

	memset(h, 0, sizeof(*h));
	h->eng = eng;
	for (uint32_t i = 0; i < k->nb; i++) {
		h->off[i] = at;
		at += page_up(k->size[i]);
	}
	h->cmd_off = at;
	at += PAGE;
	h->shm_size = at;
	fd = memfd_create("bench-io-space", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)h->shm_size) < 0)
		return -1;
	h->shm = mmap(NULL, h->shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (h->shm == MAP_FAILED)
		return -1;

	st = eng->ops->create_pipeline(eng, k->spirv, k->spirv_size, "main", k->nb,
				       k->push_size, &h->pipeline);
	if (st) {
		fprintf(stderr, "bench_compute: create_pipeline: 0x%08x\n", (uint32_t)st);
		return -1;
	}
	/* The engine path's dispatch, bindings as host pointers. */
	h->disp.pipeline = h->pipeline;
	memcpy(h->disp.groups, k->groups, sizeof(h->disp.groups));
	h->disp.num_bindings = k->nb;
	for (uint32_t i = 0; i < k->nb; i++)
		h->disp.bindings[i] = (struct dxg_engine_binding) {
			.binding = i, .host = h->shm + h->off[i], .size = k->size[i],
		};
	h->disp.push_size = k->push_size;
	memcpy(h->disp.push, k->push, k->push_size);

	/* The executor's path: a VA space over the mapping, a command buffer in it. */
	h->va = dxg_gpuva_create(DXG_GPUVA_BASE, DXG_GPUVA_SIZE);
	if (!h->va || dxg_gpuva_reserve(h->va, 0, 0, 0, h->shm_size, 0, &h->va_base) ||
	    dxg_gpuva_map(h->va, h->va_base, h->shm_size, h->shm, 1))
		return -1;
	dc.pipeline = h->pipeline;
	memcpy(dc.groups, k->groups, sizeof(dc.groups));
	hdr.size_bytes = (uint32_t)sizeof(hdr) + dc.hdr.size_bytes;
	h->cmd_len = hdr.size_bytes;
	p = h->shm + h->cmd_off;
	memcpy(p, &hdr, sizeof(hdr));
	memcpy(p + sizeof(hdr), &dc, sizeof(dc));
	p += sizeof(hdr) + sizeof(dc);
	for (uint32_t i = 0; i < k->nb; i++) {
		struct dxg_cmd_binding b = {
			.binding = i, .va = h->va_base + h->off[i], .size = k->size[i],
		};

		memcpy(p, &b, sizeof(b));
		p += sizeof(b);
	}
	memcpy(p, k->push, k->push_size);
	h->priv = malloc(h->cmd_len);
	return h->priv ? 0 : -1;
}

static int engine_run(struct hosted *h)
{
	int32_t st = h->eng->ops->dispatch(h->eng, &h->disp);

	if (!st)
		st = h->eng->ops->flush(h->eng);
	if (st)
		fprintf(stderr, "bench_compute: engine dispatch: 0x%08x\n", (uint32_t)st);
	return st ? -1 : 0;
}

static int cmdstream_run(struct hosted *h)
{
	uint32_t bad = 0;
	int32_t st;

	/* As dxg_exec_submit: copy out of shared memory, then parse the copy. */
	memcpy(h->priv, h->shm + h->cmd_off, h->cmd_len);
	st = dxg_cmdstream_execute(h->priv, h->cmd_len, h->va, h->eng, &bad);
	if (st)
		fprintf(stderr, "bench_compute: cmdstream: 0x%08x at %u\n", (uint32_t)st, bad);
	return st ? -1 : 0;
}

static void hosted_fini(struct hosted *h)
{
	if (h->pipeline)
		h->eng->ops->destroy_pipeline(h->eng, h->pipeline);
	if (h->shm && h->shm != MAP_FAILED) {
		h->eng->ops->forget(h->eng, h->shm, h->shm_size);
		munmap(h->shm, h->shm_size);
	}
	if (h->va)
		dxg_gpuva_destroy(h->va);
	free(h->priv);
}

/* ---- inputs and checks ---- */

static void fill_floats(void *p, uint64_t bytes, float v)
{
	float *f = p;

	for (uint64_t i = 0; i < bytes / sizeof(float); i++)
		f[i] = v;
}

/* Fresh inputs (small integers, so every result is exact). */
static void inputs(const struct kernel *k, void *const *b)
{
	for (uint32_t i = 0; i < k->nb; i++)
		fill_floats(b[i], k->size[i], k->init[i]);
}

static bool check(const struct kernel *k, void *const *b, const char *path)
{
	float got;

	memcpy(&got, b[k->check], sizeof(got));
	if (got != k->expect)
		fprintf(stderr, "bench_compute: %s via %s: got %g, want %g\n", k->name,
			path, (double)got, (double)k->expect);
	return got == k->expect;
}

/* ---- main ---- */

enum path { DIRECT, ENGINE, CMDSTREAM, NPATH };

static void usage(void)
{
	fprintf(stderr, "usage: bench_compute [--reps N] [--device SELECTOR] [--quick]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int reps = 15;
	const char *selector = NULL;
	uint32_t sm = 256, sn = 256, sk = 256;		/* sgemm */
	uint32_t ns = 3u << 20, nsmall = 1u << 14;	/* saxpy (<= 65535 groups) */
	uint32_t nr = 1u << 22, pt = 16;		/* reduce */
	struct kernel kernels[4];
	struct dxg_vk_device *dev;
	struct dxg_engine *eng;
	char err[256];
	float a = 3.0f;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--device") && i + 1 < argc)
			selector = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			reps = 3;
		else
			usage();
	}
	if (!reps)
		usage();

	kernels[0] = (struct kernel) {
		"saxpy 3M", saxpy_spv, sizeof(saxpy_spv), 2,
		{ (uint64_t)ns * 4, (uint64_t)ns * 4 }, { ns / 64, 1, 1 },
		{ ns, 0 }, 8, true, { 1.0f, 2.0f }, 1, 5.0f,
	};
	memcpy(&kernels[0].push[1], &a, sizeof(a));
	kernels[1] = (struct kernel) {
		"sgemm 256^3", sgemm_spv, sizeof(sgemm_spv), 3,
		{ (uint64_t)sm * sk * 4, (uint64_t)sk * sn * 4, (uint64_t)sm * sn * 4 },
		{ sn / 16, sm / 16, 1 }, { sm, sn, sk }, 12, true, { 1.0f, 1.0f, 0.0f },
		2, (float)sk,
	};
	kernels[2] = (struct kernel) {
		"reduce 4M", reduce_spv, sizeof(reduce_spv), 2,
		{ (uint64_t)nr * 4, (uint64_t)nr / (256 * pt) * 4 },
		{ nr / (256 * pt), 1, 1 }, { nr, pt }, 8, true, { 1.0f, 0.0f },
		1, (float)(256 * pt),
	};
	kernels[3] = kernels[0];
	kernels[3].name = "saxpy 16K (short)";
	kernels[3].size[0] = kernels[3].size[1] = (uint64_t)nsmall * 4;
	kernels[3].groups[0] = nsmall / 64;
	kernels[3].push[0] = nsmall;
	kernels[3].goal = false;

	if (dxg_vk_device_open(selector, &dev, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_compute: no Vulkan device: %s\n", err);
		return 1;
	}
	eng = dxg_engine_vulkan_create(dev);
	if (!eng) {
		fprintf(stderr, "bench_compute: cannot create the Vulkan engine\n");
		dxg_vk_device_close(dev);
		return 1;
	}
	printf("Compute on %s (%s), %u repetitions per path, paths interleaved\n",
	       dev->info.name, dev->info.driver, reps);
	printf("  %-18s %11s %11s %11s %9s %9s\n", "kernel", "direct ms",
	       "engine ms", "cmdstrm ms", "eng/dir", "cmd/dir");

	for (unsigned int ki = 0; ki < sizeof(kernels) / sizeof(kernels[0]); ki++) {
		const struct kernel *k = &kernels[ki];
		struct bench_samples s[NPATH] = { { 0 } };
		struct direct d;
		struct hosted h;
		void *db[MAXB], *hb[MAXB];
		double med[NPATH];

		if (direct_init(&d, dev, k) || hosted_init(&h, eng, k)) {
			fprintf(stderr, "bench_compute: %s: set-up failed\n", k->name);
			rc = 1;
			break;
		}
		for (uint32_t i = 0; i < k->nb; i++) {
			db[i] = d.map[i];
			hb[i] = h.shm + h.off[i];
		}
		/* One checked run per path on fresh inputs (also the warm-up). */
		inputs(k, db);
		inputs(k, hb);
		if (direct_run(&d) || engine_run(&h) || !check(k, db, "direct") ||
		    !check(k, hb, "engine")) {
			rc = 1;
		} else {
			inputs(k, hb);
			if (cmdstream_run(&h) || !check(k, hb, "cmdstream"))
				rc = 1;
		}
		for (unsigned int r = 0; r < reps && !rc; r++) {
			for (int p = 0; p < NPATH && !rc; p++) {
				/* Rotate the order so no path always runs first. */
				int q = (p + (int)r) % NPATH;
				uint64_t t0 = bench_now_ns();
				int ret = q == DIRECT ? direct_run(&d) :
					  q == ENGINE ? engine_run(&h) : cmdstream_run(&h);

				if (ret)
					rc = 1;
				bench_samples_add(&s[q], (double)(bench_now_ns() - t0));
			}
		}
		if (!rc) {
			for (int p = 0; p < NPATH; p++)
				med[p] = bench_median(&s[p]);
			printf("  %-18s %11.3f %11.3f %11.3f %8.3fx %8.3fx\n", k->name,
			       med[DIRECT] / 1e6, med[ENGINE] / 1e6, med[CMDSTREAM] / 1e6,
			       med[ENGINE] / med[DIRECT], med[CMDSTREAM] / med[DIRECT]);
			if (k->goal) {
				double r = med[CMDSTREAM] / med[DIRECT];
				bool long_enough = med[DIRECT] >= 1e6;

				printf("RESULT compute  %-28s %6.3fx  goal <= %.2fx  %s\n",
				       k->name, r, GOAL_OVERHEAD,
				       !long_enough ? "(kernel < 1 ms: not a goal case)" :
				       r <= GOAL_OVERHEAD ? "MET" : "NOT MET");
			} else {
				printf("INFO   compute  %-28s %6.3fx  (fixed cost %.1f us per dispatch)\n",
				       k->name, med[CMDSTREAM] / med[DIRECT],
				       (med[CMDSTREAM] - med[DIRECT]) / 1e3);
			}
		}
		for (int p = 0; p < NPATH; p++)
			bench_samples_free(&s[p]);
		hosted_fini(&h);
		direct_fini(&d);
		if (rc)
			break;
	}
	eng->ops->destroy(eng);
	dxg_vk_device_close(dev);
	return rc;
}
