/* SPDX-License-Identifier: MIT */
/*
 * What the plain Vulkan programs (vk-samples, vk-fft) share: options, the
 * instance and device (with the validation layer on request), buffers in
 * the right memory, compute kernels and timed runs.
 *
 * These programs are meant to run unmodified in a guest on the opendxg
 * Vulkan driver, so they use only the Vulkan 1.3 core compute subset that
 * driver implements: no images, no graphics, no device extensions.  Every
 * Vulkan call's result is checked; a failure prints
 * "PROG: vkCall failed: VK_ERROR_..." and makes the caller fail.
 */
#ifndef VKCTX_H
#define VKCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

/* ---- options (vkopts.c) ---- */

struct vkc_opts {
	int device;		/* --device N; -1: the first with a compute queue */
	unsigned int iters;	/* --iters N: timed runs (0: the program's default) */
	uint64_t size;		/* --size N: problem size (0: the program's default) */
	bool quick;		/* --quick: small problems (tests) */
	bool validate;		/* --validate, or ODX_VALIDATE=1 in the environment */
	bool staging;		/* --staging: staging buffers even where not needed */
	bool host_memory;	/* --host-memory: never device-only memory */
};

/*
 * Parses the options both programs take; the other arguments are left in
 * args[0 .. *nargs) (argv's own strings).  @usage is the program's first
 * help lines.  Returns 0, 1 on an error (message printed), 2 for --help
 * (help printed).  @args must have room for argc entries.
 */
int vkc_parse(int argc, char **argv, const char *usage, struct vkc_opts *o,
	      char **args, int *nargs);

/* ---- instance, device, queue, submission (vkctx.c) ---- */

struct vkc {
	const char *prog;		/* message prefix */
	VkInstance instance;
	VkDebugUtilsMessengerEXT messenger;	/* with --validate only */
	unsigned int messages;		/* validation warnings and errors seen */
	VkPhysicalDevice phys;
	VkPhysicalDeviceProperties props;
	VkPhysicalDeviceMemoryProperties mem;
	uint32_t family;		/* the compute queue's family */
	uint32_t ts_bits;		/* its timestampValidBits (0: no timestamps) */
	VkDevice dev;
	VkQueue queue;
	VkCommandPool pool;
	VkCommandBuffer cmd;		/* the timed work */
	VkCommandBuffer xfer;		/* uploads and downloads */
	VkFence fence;
	VkQueryPool query;		/* two timestamps; VK_NULL_HANDLE without */
	bool staged;			/* data moves through staging buffers */
	bool storage16;			/* storageBuffer16BitAccess enabled */
};

/* What a program would like enabled when the device has it. */
struct vkc_wants {
	bool storage16;			/* 16-bit types in storage buffers */
};

/*
 * Creates the instance (with VK_LAYER_KHRONOS_validation and a
 * VK_EXT_debug_utils messenger counting its warnings and errors when
 * o->validate), picks the device and its compute queue, creates the device,
 * a command pool with two command buffers, a fence and a timestamp query
 * pool, and prints "PROG: device N: NAME (...)".  Returns 0 or -1 (message
 * printed; vkc_close() is still to be called).
 */
int vkc_open(struct vkc *c, const char *prog, const struct vkc_opts *o,
	     const struct vkc_wants *wants);
/*
 * Destroys what vkc_open created, device first, instance last.  Returns
 * the number of validation messages reported over the whole run (0
 * without --validate), and prints a line when there were any.
 */
unsigned int vkc_close(struct vkc *c);

/* Prints "PROG: CALL failed: VK_..." unless @r is VK_SUCCESS; @expr is
 * the call as written (VKC_OK), of which the function's name is printed. */
bool vkc_check(const struct vkc *c, VkResult r, const char *expr);
#define VKC_OK(c, call) vkc_check((c), (call), #call)
const char *vkc_result_name(VkResult r);

/* Submits @cb with the fence, waits for it (60 s at most) and resets it. */
int vkc_submit_wait(struct vkc *c, VkCommandBuffer cb);

/* ---- buffers and memory (vkmem.c) ---- */

struct vkc_buffer {
	VkBuffer buf;
	VkDeviceMemory mem;
	VkDeviceSize size;		/* what was asked for */
	VkDeviceSize sync_size;		/* flush/invalidate range: size up to nonCoherentAtomSize */
	void *map;			/* host-visible memory, mapped for the buffer's life */
	bool coherent;
};

/* Where a buffer lives: VKC_GPU is device-only memory when vkc->staged. */
enum vkc_where { VKC_GPU, VKC_HOST };

int vkc_buffer_create(struct vkc *c, VkDeviceSize size, VkBufferUsageFlags usage,
		      enum vkc_where where, struct vkc_buffer *b);
void vkc_buffer_destroy(struct vkc *c, struct vkc_buffer *b);
/* Make CPU writes visible to the device / device writes visible to the CPU
 * (no-ops on coherent memory). */
int vkc_flush(struct vkc *c, const struct vkc_buffer *b);
int vkc_invalidate(struct vkc *c, const struct vkc_buffer *b);

/*
 * A working array: the buffer kernels bind, and where the CPU reads and
 * writes its contents.  With device-only memory (vkc->staged) the two are
 * different buffers and vkc_upload/vkc_download copy between them with
 * vkCmdCopyBuffer; otherwise they are the same host-visible buffer.
 */
struct vkc_array {
	struct vkc_buffer gpu;
	struct vkc_buffer stage;	/* only when staged */
	void *cpu;
	VkDeviceSize size;
};

int vkc_array_create(struct vkc *c, VkDeviceSize size, struct vkc_array *a);
void vkc_array_destroy(struct vkc *c, struct vkc_array *a);
/* CPU contents -> device, for each of @n arrays (one submission). */
int vkc_upload(struct vkc *c, struct vkc_array *const *a, unsigned int n);
/* Device contents -> CPU, for each of @n arrays (one submission). */
int vkc_download(struct vkc *c, struct vkc_array *const *a, unsigned int n);

/* ---- recording (vkcmd.c) ---- */

/* Begins c->cmd, after a barrier that orders it behind earlier submissions. */
int vkc_cmd_begin(struct vkc *c);
/* A global memory barrier: compute and transfer writes before it are seen
 * by compute and transfer work after it. */
void vkc_cmd_barrier(struct vkc *c, VkCommandBuffer cb);
/* Timestamp 0 (after everything recorded so far) or 1. */
void vkc_cmd_timestamp(struct vkc *c, unsigned int which);
/* Ends c->cmd after a barrier that makes its writes visible to the CPU. */
int vkc_cmd_end(struct vkc *c);

struct vkc_timing {
	uint64_t best_ns, mean_ns;	/* device time between the timestamps */
	uint64_t best_wall_ns;		/* submit to fence wait returned */
	bool device;			/* false: no timestamps, best/mean are wall times */
};

/*
 * Submits c->cmd once untimed (the device compiles the pipeline on first
 * use), then @iters times, each a submit and a wait, and reads the
 * timestamps after each.  Returns 0 or -1 (message printed).
 */
int vkc_run_timed(struct vkc *c, unsigned int iters, struct vkc_timing *t);

/* ---- compute kernels (vkkernel.c) ---- */

struct vkc_kernel {
	VkDescriptorSetLayout dsl;
	VkPipelineLayout layout;
	VkPipeline pipe;
	VkDescriptorPool pool;
	uint32_t bindings, push_size;
};

/*
 * A compute pipeline of SPIR-V @spv ("main"), whose set 0 has @bindings
 * storage buffers (bindings 0 ..), with @push_size bytes of push constants
 * and room for @max_sets descriptor sets.
 */
int vkc_kernel_create(struct vkc *c, const uint32_t *spv, size_t spv_size,
		      uint32_t bindings, uint32_t push_size, uint32_t max_sets,
		      struct vkc_kernel *k);
void vkc_kernel_destroy(struct vkc *c, struct vkc_kernel *k);

struct vkc_binding {
	const struct vkc_buffer *buf;
	VkDeviceSize offset;		/* a multiple of minStorageBufferOffsetAlignment */
	VkDeviceSize range;		/* 0: the rest of the buffer */
};

/* Allocates a descriptor set of @k and points it at @b[0 .. k->bindings). */
int vkc_kernel_set(struct vkc *c, const struct vkc_kernel *k, const struct vkc_binding *b,
		   VkDescriptorSet *set);

/* One dispatch of a timed run. */
struct vkc_dispatch {
	VkDescriptorSet set;
	const void *push;		/* k->push_size bytes */
	uint32_t groups[3];
};

/* What a timed run does before its first timestamp: fill @dst with
 * @pattern (poison: a kernel that writes nothing fails its check), or copy
 * @src to it. */
struct vkc_prep {
	const struct vkc_buffer *dst;
	VkDeviceSize size;
	const struct vkc_buffer *src;	/* NULL: fill */
	uint32_t pattern;
};

/*
 * Records into c->cmd: [@prep, barrier,] timestamp 0, each dispatch of
 * @k followed by a barrier, timestamp 1; then runs it with vkc_run_timed.
 */
int vkc_timed_dispatches(struct vkc *c, const struct vkc_kernel *k,
			 const struct vkc_prep *prep, const struct vkc_dispatch *d,
			 unsigned int n, unsigned int iters, struct vkc_timing *t);

#endif /* VKCTX_H */
