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
 *   engine     dxghost's Vulkan engine (host/engines/vulkan/vk_engine.c): bindings are host
 *              pointers into a shared memfd mapping (as the VM's IO space),
 *              imported with VK_EXT_external_memory_host (zero copy, import
 *              cache), descriptor update, record, submit, wait per dispatch.
 *   cmdstream  the host's executor (host/exec/cmdstream.c): a DISPATCH command
 *              buffer copied out of the shared mapping into private memory,
 *              validated, addresses translated through a GPU VA space, then
 *              the engine as above.  This is what dxg_exec_submit() runs
 *              for a guest submission, minus the ring and the scheduler.
 *
 * Kernels of 1 ms or more are the goal (within 5% of direct); a small
 * saxpy shows the fixed cost per dispatch.  The paths are interleaved per
 * repetition; the median per path is the figure.
 *
 * With --guest FILE (guest_compute's output, bench/run.sh runs it in a VM
 * first) it instead compares the whole guest path with direct Vulkan
 * measured now: benchmark (d) as the issue states it.
 *
 * Usage: bench_compute [--reps N] [--device SELECTOR] [--quick] [--guest FILE]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "exec/cmdstream.h"
#include "dxg/ntstatus.h"
#include "engines/engine.h"
#include "core/gpuva.h"
#include "engines/vulkan/vk_device.h"
#include "engines/vulkan/vk_engine.h"

#include "kernels.h"

#define PROG		"bench_compute"
#define GOAL_OVERHEAD	1.05
#define MAXB		BENCH_MAXB
#define PAGE		4096u

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
		       const struct bench_kernel *k)
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

static int hosted_init(struct hosted *h, struct dxg_engine *eng, const struct bench_kernel *k)
{
	struct dxg_cmdbuf_header hdr = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
		.num_commands = 1,
	};
	struct dxg_engine_pipeline desc;
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

	dxg_engine_pipeline_v1(&desc, k->spirv, k->spirv_size, "main", k->nb,
			       k->push_size);
	st = eng->ops->create_pipeline(eng, &desc, &h->pipeline);
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
	st = dxg_cmdstream_execute(h->priv, h->cmd_len, dxg_gpuva_va(h->va), h->eng, &bad);
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

/* ---- main ---- */

enum path { DIRECT, ENGINE, CMDSTREAM, NPATH };

static void usage(void)
{
	fprintf(stderr, "usage: bench_compute [--reps N] [--device SELECTOR] [--quick] [--guest FILE]\n");
	exit(2);
}

static void verdict(const struct bench_kernel *k, const char *what, double r,
		    double direct_ns, double path_ns)
{
	if (k->goal)
		printf("RESULT compute  %-28s %6.3fx  goal <= %.2fx  %s\n", what, r,
		       GOAL_OVERHEAD, direct_ns < 1e6 ? "(kernel < 1 ms: not a goal case)" :
		       r <= GOAL_OVERHEAD ? "MET" : "NOT MET");
	else
		printf("INFO   compute  %-28s %6.3fx  (fixed cost %.1f us per dispatch)\n",
		       what, r, (path_ns - direct_ns) / 1e3);
}

/* Direct, engine and executor paths on the host, interleaved. */
static int host_paths(const struct bench_kernel *k, struct dxg_vk_device *dev,
		      struct dxg_engine *eng, unsigned int reps)
{
	struct bench_samples s[NPATH] = { { 0 } };
	struct direct d;
	struct hosted h;
	void *db[MAXB], *hb[MAXB];
	double med[NPATH];
	int rc = 0;

	if (direct_init(&d, dev, k) || hosted_init(&h, eng, k)) {
		fprintf(stderr, PROG ": %s: set-up failed\n", k->name);
		return 1;
	}
	for (uint32_t i = 0; i < k->nb; i++) {
		db[i] = d.map[i];
		hb[i] = h.shm + h.off[i];
	}
	/* One checked run per path on fresh inputs (also the warm-up). */
	bench_kernel_inputs(k, db);
	bench_kernel_inputs(k, hb);
	if (direct_run(&d) || engine_run(&h) ||
	    !bench_kernel_check(k, db, PROG, "direct") ||
	    !bench_kernel_check(k, hb, PROG, "engine")) {
		rc = 1;
	} else {
		bench_kernel_inputs(k, hb);
		if (cmdstream_run(&h) || !bench_kernel_check(k, hb, PROG, "cmdstream"))
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
		verdict(k, k->name, med[CMDSTREAM] / med[DIRECT], med[DIRECT],
			med[CMDSTREAM]);
	}
	for (int p = 0; p < NPATH; p++)
		bench_samples_free(&s[p]);
	hosted_fini(&h);
	direct_fini(&d);
	return rc;
}

/*
 * --guest FILE: guest_compute's figures (the whole guest path, measured in
 * a VM a moment ago) against the direct path measured now.
 */
static int read_guest(const char *path, double ns[BENCH_NKERNELS])
{
	FILE *f = fopen(path, "r");
	char line[256];
	int n = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < BENCH_NKERNELS; i++)
		ns[i] = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned int idx;
		double v;

		if (sscanf(line, "GUESTCOMPUTE %u %lf", &idx, &v) == 2 &&
		    idx < BENCH_NKERNELS && v > 0) {
			ns[idx] = v;
			n++;
		}
	}
	fclose(f);
	if (!n)
		fprintf(stderr, PROG ": %s holds no GUESTCOMPUTE lines\n", path);
	return n ? 0 : -1;
}

static int guest_vs_direct(const struct bench_kernel *k,
			   struct dxg_vk_device *dev, unsigned int reps,
			   double guest_ns)
{
	struct bench_samples s = { 0 };
	struct direct d;
	void *db[MAXB];
	char what[64];
	double med;
	int rc = 0;

	if (direct_init(&d, dev, k)) {
		fprintf(stderr, PROG ": %s: set-up failed\n", k->name);
		return 1;
	}
	for (uint32_t i = 0; i < k->nb; i++)
		db[i] = d.map[i];
	bench_kernel_inputs(k, db);
	if (direct_run(&d) || !bench_kernel_check(k, db, PROG, "direct"))
		rc = 1;
	for (unsigned int r = 0; r < reps && !rc; r++) {
		uint64_t t0 = bench_now_ns();

		rc = direct_run(&d) ? 1 : 0;
		bench_samples_add(&s, (double)(bench_now_ns() - t0));
	}
	if (!rc) {
		med = bench_median(&s);
		printf("  %-18s %11.3f %11.3f %8.3fx\n", k->name, med / 1e6,
		       guest_ns / 1e6, guest_ns / med);
		snprintf(what, sizeof(what), "guest %s", k->name);
		verdict(k, what, guest_ns / med, med, guest_ns);
	}
	bench_samples_free(&s);
	direct_fini(&d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned int reps = 15;
	const char *selector = NULL, *guest = NULL;
	struct bench_kernel kernels[BENCH_NKERNELS];
	double guest_ns[BENCH_NKERNELS];
	struct dxg_vk_device *dev;
	struct dxg_engine *eng = NULL;
	char err[256];
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--device") && i + 1 < argc)
			selector = argv[++i];
		else if (!strcmp(argv[i], "--guest") && i + 1 < argc)
			guest = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			reps = 3;
		else
			usage();
	}
	if (!reps)
		usage();
	if (guest && read_guest(guest, guest_ns))
		return 1;
	bench_kernels(kernels);

	if (dxg_vk_device_open(selector, DXG_VK_OPEN_DEVICE_ADDRESS, &dev, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": no Vulkan device: %s\n", err);
		return 1;
	}
	if (guest) {
		printf("Guest path (guest_compute in the VM) against direct Vulkan on %s (%s), %u repetitions\n",
		       dev->info.name, dev->info.driver, reps);
		printf("  %-18s %11s %11s %9s\n", "kernel", "direct ms", "guest ms",
		       "gst/dir");
		for (unsigned int i = 0; i < BENCH_NKERNELS && !rc; i++)
			if (guest_ns[i] > 0)
				rc = guest_vs_direct(&kernels[i], dev, reps, guest_ns[i]);
		dxg_vk_device_close(dev);
		return rc;
	}
	eng = dxg_engine_vulkan_create(dev);
	if (!eng) {
		fprintf(stderr, PROG ": cannot create the Vulkan engine\n");
		dxg_vk_device_close(dev);
		return 1;
	}
	printf("Compute on %s (%s), %u repetitions per path, paths interleaved\n",
	       dev->info.name, dev->info.driver, reps);
	printf("  %-18s %11s %11s %11s %9s %9s\n", "kernel", "direct ms",
	       "engine ms", "cmdstrm ms", "eng/dir", "cmd/dir");
	for (unsigned int i = 0; i < BENCH_NKERNELS && !rc; i++)
		rc = host_paths(&kernels[i], dev, eng, reps);
	eng->ops->destroy(eng);
	dxg_vk_device_close(dev);
	return rc;
}
