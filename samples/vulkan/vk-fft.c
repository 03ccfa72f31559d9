// SPDX-License-Identifier: MIT
/*
 * vk-fft: complex-to-complex forward FFTs in 1, 2 and 3 dimensions on
 * VkFFT (https://github.com/DTolm/VkFFT, Debian's libvkfft-dev), a library
 * nobody wrote for opendxg: it generates its GLSL kernels at run time,
 * compiles them with glslang and runs them through the Vulkan API it was
 * handed.  Each transform is checked against FFTW (docs/vulkan-samples.md).
 *
 * What VkFFT (1.2.26, Vulkan backend) asks of the device: a queue, a
 * command pool, a fence and the buffer we give it; vkGetPhysicalDevice-
 * Properties (workgroup limits, shared memory size, vendorID) and memory
 * properties; it creates buffers of its own for some sizes (a temporary
 * buffer for four-step transforms, Bluestein's chirps, twiddle tables:
 * DEVICE_LOCAL, filled through HOST_VISIBLE | HOST_COHERENT staging
 * and vkCmdCopyBuffer), descriptor sets of storage buffers, push constants
 * and specialization-free compute pipelines.  No extension; in half
 * precision its kernels keep data in 16-bit storage buffers
 * (GL_EXT_shader_16bit_storage, the core 1.1 feature
 * storageBuffer16BitAccess) and compute in float, so that one feature is
 * all half precision needs (not shaderFloat16).
 */
#include "vkctx.h"

#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reference.h"
#include "half.h"
#include "vkfft-glue.h"

#define PROG "vk-fft"

struct fft_case {
	unsigned int dims;
	uint32_t n[3];		/* n[0] varies fastest (VkFFT's width) */
	bool quick;		/* also in --quick */
};

/*
 * Powers of two (radix 2, 4, 8, ...), 1000 = 2^3 5^3 (VkFFT's radix-5
 * kernels), 2^16 (more than one workgroup's shared memory: the four-step
 * algorithm with VkFFT's temporary buffer), and 2D and 3D transforms
 * (strided axes).
 *
 * Not here: sizes with a prime factor above 13, which VkFFT computes with
 * Bluestein's algorithm.  In 1.2.26 (Debian bookworm) that path writes
 * descriptors with a null buffer (VUID-VkDescriptorBufferInfo-buffer-02998)
 * and returns zeros on lavapipe, with or without a temporary buffer of
 * ours: a VkFFT bug, not a device's (docs/vulkan-samples.md).
 */
static const struct fft_case cases[] = {
	{ 1, { 256, 1, 1 }, true },
	{ 1, { 1024, 1, 1 }, false },
	{ 1, { 4096, 1, 1 }, true },
	{ 1, { 65536, 1, 1 }, false },
	{ 1, { 1000, 1, 1 }, true },
	{ 2, { 64, 64, 1 }, true },
	{ 2, { 256, 256, 1 }, false },
	{ 3, { 16, 16, 16 }, true },
	{ 3, { 32, 32, 32 }, false },
};

/*
 * The bounds on the relative L2 error ||y - Y|| / ||Y|| of VkFFT's y
 * against FFTW's double-precision Y of the same input (the input as the
 * device saw it: half-precision inputs are rounded before FFTW sees them,
 * so only the transform's own error counts).
 *
 * Single: a radix-r FFT's relative L2 error grows like u * O(log2 N)
 * (Higham, "Accuracy and Stability of Numerical Algorithms", 24.1), with
 * u = 2^-24 = 6e-8 and log2 N <= 16 here, plus the error of the twiddle
 * factors (float sincos on the device, or float tables): a few 1e-7 at
 * most (lavapipe: 1.3e-7 .. 3.2e-7).  1e-5 leaves room for a device's
 * sincos of lesser accuracy, and still catches any real fault (a wrong
 * twiddle or a missed barrier gives errors of 1e-3 .. 1).
 * Half: the output is rounded to binary16 (u = 2^-11 = 4.9e-4: RMS relative
 * error u / sqrt(3) = 2.8e-4 for one rounding), and transforms that do not
 * fit one workgroup store half-precision intermediates between passes (up
 * to three roundings: 5e-4; lavapipe: 2.0e-4 .. 3.6e-4).  1e-2 is twenty
 * times that.
 */
#define BOUND_SINGLE	1e-5
#define BOUND_HALF	1e-2

struct precision {
	const char *name;
	bool half;
	double bound;
	uint64_t complex_bytes;
};

static const struct precision single_p = { "single", false, BOUND_SINGLE, 8 };
static const struct precision half_p = { "half", true, BOUND_HALF, 4 };

static const char usage[] =
	"Usage: " PROG " [OPTIONS]\n"
	"Complex-to-complex forward FFTs on VkFFT (1D, 2D, 3D; single precision,\n"
	"and half precision where the device has 16-bit storage buffers), each\n"
	"checked against FFTW.  --size N: one 1D transform of N points instead.\n";

static uint64_t points(const struct fft_case *f)
{
	return (uint64_t)f->n[0] * f->n[1] * f->n[2];
}

static void describe(const struct fft_case *f, char *buf, size_t len)
{
	if (f->dims == 1)
		snprintf(buf, len, "1D %u", f->n[0]);
	else if (f->dims == 2)
		snprintf(buf, len, "2D %ux%u", f->n[1], f->n[0]);
	else
		snprintf(buf, len, "3D %ux%ux%u", f->n[2], f->n[1], f->n[0]);
}

/*
 * The input: complex values uniform in [-1, 1)^2, written to @dev in the
 * device's format, and as the device will see it to @ref.
 */
static void make_input(const struct precision *p, uint64_t n, void *dev, fftw_complex *ref)
{
	uint64_t seed = 0x5eed00f7ull;

	for (uint64_t i = 0; i < 2 * n; i++) {
		float v = sample_randf(&seed, -1.0f, 1.0f);

		if (p->half) {
			uint16_t h = half_from_float(v);

			((uint16_t *)dev)[i] = h;
			v = half_to_float(h);
		} else {
			((float *)dev)[i] = v;
		}
		ref[i / 2][i % 2] = v;
	}
}

/* ||y - ref|| / ||ref|| over @n complex values; NaN anywhere gives NaN. */
static double rel_l2(const struct precision *p, const void *dev, const fftw_complex *ref,
		     uint64_t n)
{
	double num = 0, den = 0;

	for (uint64_t i = 0; i < 2 * n; i++) {
		double y = p->half ? half_to_float(((const uint16_t *)dev)[i])
				   : ((const float *)dev)[i];
		double d = y - ref[i / 2][i % 2];

		num += d * d;
		den += ref[i / 2][i % 2] * ref[i / 2][i % 2];
	}
	return sqrt(num / den);
}

/* FFTW's forward transform (e^-2pi i jk/N, unnormalized, as VkFFT's). */
static int reference(const struct fft_case *f, fftw_complex *in, fftw_complex *out)
{
	/* FFTW's dimensions run slowest first. */
	int dims[3], rank = (int)f->dims;
	fftw_plan plan;

	for (int i = 0; i < rank; i++)
		dims[i] = (int)f->n[rank - 1 - i];
	plan = fftw_plan_dft(rank, dims, in, out, FFTW_FORWARD, FFTW_ESTIMATE);
	if (!plan)
		return -1;
	fftw_execute(plan);
	fftw_destroy_plan(plan);
	return 0;
}

/* Runs one transform in one precision; returns 0 when correct. */
static int run_case(struct vkc *c, const struct vkc_opts *o, const struct fft_case *f,
		    const struct precision *p)
{
	uint64_t n = points(f), bytes = n * p->complex_bytes;
	unsigned int iters = o->iters ? o->iters : (o->quick ? 1 : 5);
	struct vkc_array data = { 0 }, input = { 0 };
	fftw_complex *x = fftw_malloc(sizeof(fftw_complex) * n);
	fftw_complex *ref = fftw_malloc(sizeof(fftw_complex) * n);
	const struct vkfft_env env = { &c->phys, &c->dev, &c->queue, &c->pool, &c->fence };
	struct vkfft_plan *plan = NULL;
	struct vkc_timing t;
	int fr;
	double err = NAN;
	char what[48];
	int rc = 1;

	describe(f, what, sizeof(what));
	if (!x || !ref) {
		printf("%s: %s %s: FAILED: out of memory\n", PROG, what, p->name);
		goto out;
	}
	/* VkFFT transforms in place: @data, restored from @input every run. */
	if (vkc_array_create(c, bytes, &data) || vkc_array_create(c, bytes, &input))
		goto fail;
	make_input(p, n, input.cpu, x);
	if (vkc_upload(c, (struct vkc_array *[]){ &input }, 1))
		goto fail;

	plan = vkfft_plan_create(&env, f->dims, f->n, p->half, &data.gpu.buf, &bytes, &fr);
	if (!plan) {
		printf("%s: %s %s: initializeVkFFT failed: VkFFTResult %d\n", PROG, what, p->name, fr);
		goto fail;
	}

	if (vkc_cmd_begin(c))
		goto fail;
	{
		VkBufferCopy r = { .size = bytes };

		vkCmdCopyBuffer(c->cmd, input.gpu.buf, data.gpu.buf, 1, &r);
	}
	vkc_cmd_barrier(c, c->cmd);
	vkc_cmd_timestamp(c, 0);
	fr = vkfft_record_forward(plan, &c->cmd);
	if (fr) {
		printf("%s: %s %s: VkFFTAppend failed: VkFFTResult %d\n", PROG, what, p->name, fr);
		vkEndCommandBuffer(c->cmd);
		goto fail;
	}
	vkc_cmd_timestamp(c, 1);
	if (vkc_cmd_end(c) || vkc_run_timed(c, iters, &t) ||
	    vkc_download(c, (struct vkc_array *[]){ &data }, 1))
		goto fail;
	if (reference(f, x, ref)) {
		printf("%s: %s %s: FAILED: no FFTW plan\n", PROG, what, p->name);
		goto out;
	}
	err = rel_l2(p, data.cpu, ref, n);
	rc = !(err <= p->bound);
	/* 5 N log2 N: the customary flop count of a complex FFT. */
	printf("%s: %-12s %-6s rel L2 error %.2e (bound %.0e): %s; %s time %.3f ms best, "
	       "%.3f ms mean: %.2f GFLOP/s\n", PROG, what, p->name, err, p->bound,
	       rc ? "FAILED" : "correct", t.device ? "device" : "wall", t.best_ns / 1e6,
	       t.mean_ns / 1e6, 5.0 * n * log2((double)n) / (double)t.best_ns);
	goto out;
fail:
	printf("%s: %s %s: FAILED\n", PROG, what, p->name);
out:
	fflush(stdout);
	vkfft_plan_destroy(plan);
	vkc_array_destroy(c, &data);
	vkc_array_destroy(c, &input);
	fftw_free(x);
	fftw_free(ref);
	return rc;
}

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	const struct vkc_wants wants = { .storage16 = true };
	unsigned int passed = 0, failed = 0;
	struct fft_case one = { 1, { 0, 1, 1 }, true };
	struct vkc_opts o;
	struct vkc c;
	int nargs, r;
	uint64_t t0;

	if (!args) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	r = vkc_parse(argc, argv, usage, &o, args, &nargs);
	if (!r && nargs) {
		fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", PROG, args[0]);
		r = 1;
	}
	free(args);
	if (r)
		return r == 2 ? 0 : 2;
	if (o.size > (1u << 24)) {
		fprintf(stderr, "%s: --size %llu: at most %u points\n", PROG,
			(unsigned long long)o.size, 1u << 24);
		return 2;
	}
	one.n[0] = (uint32_t)o.size;

	t0 = sample_now_ns();
	if (vkc_open(&c, PROG, &o, &wants)) {
		vkc_close(&c);
		printf("%s: FAILED: no Vulkan device to run on\n", PROG);
		return 1;
	}
	if (!c.storage16)
		printf("%s: half: not supported by the device (no storageBuffer16BitAccess)\n", PROG);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fft_case *f = o.size ? &one : &cases[i];

		if (!o.size && o.quick && !f->quick)
			continue;
		if (run_case(&c, &o, f, &single_p))
			failed++;
		else
			passed++;
		if (c.storage16) {
			if (run_case(&c, &o, f, &half_p))
				failed++;
			else
				passed++;
		}
		if (o.size)
			break;
	}
	/* FFTW's planner keeps what it learnt until told otherwise. */
	fftw_cleanup();
	if (vkc_close(&c))
		failed++;
	printf("%s: %u passed, %u failed (%.1f s)\n", PROG, passed, failed,
	       (sample_now_ns() - t0) / 1e9);
	return failed ? 1 : 0;
}
