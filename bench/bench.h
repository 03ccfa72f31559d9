/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the opendxg benchmarks (docs/performance.md):
 * a monotonic clock, sample sets with median / p99, a busy-wait, and
 * starting / stopping a private dxghost.  Header-only on purpose: each
 * benchmark is one translation unit plus this file.
 *
 * The figures the benchmarks print are RATIOS measured in one run against
 * the floors of the same machine; absolute times on shared machines are
 * noise and are printed only for context.
 */
#ifndef DXG_BENCH_H
#define DXG_BENCH_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void bench_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* Busy-waits ns nanoseconds (keeps this CPU awake, unlike nanosleep). */
static inline void bench_spin_ns(uint64_t ns)
{
	uint64_t end = bench_now_ns() + ns;

	while (bench_now_ns() < end)
		bench_cpu_relax();
}

struct bench_samples {
	double *v;		/* nanoseconds (or any unit) */
	size_t n, cap;
};

static inline void bench_samples_add(struct bench_samples *s, double x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		double *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			perror("realloc");
			exit(2);
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of the samples, nearest rank; sorts them. */
static inline double bench_quantile(struct bench_samples *s, double q)
{
	size_t i;

	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(*s->v), bench_cmp_double);
	i = (size_t)(q * (double)(s->n - 1) + 0.5);
	return s->v[i < s->n ? i : s->n - 1];
}

static inline double bench_median(struct bench_samples *s)
{
	return bench_quantile(s, 0.5);
}

static inline void bench_samples_free(struct bench_samples *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- a private dxghost ---- */

struct bench_daemon {
	pid_t pid;
	char dir[64];
	char sock[128];
};

/*
 * Starts `dxghost --socket DIR/dxghost.sock --quiet` plus extra arguments
 * (NULL-terminated, may be NULL) and waits for its socket.  0 or -1.
 */
static inline int bench_daemon_start(struct bench_daemon *d, const char *path,
				     const char *const *extra)
{
	const char *argv[24] = { path, "--socket", NULL, "--quiet" };
	int n = 4;

	strcpy(d->dir, "/tmp/dxg-bench-XXXXXX");
	if (!mkdtemp(d->dir))
		return -1;
	snprintf(d->sock, sizeof(d->sock), "%s/dxghost.sock", d->dir);
	argv[2] = d->sock;
	while (extra && *extra && n < 22)
		argv[n++] = *extra++;
	argv[n] = NULL;
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		struct stat st;
		int status;

		if (stat(d->sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			return -1;
		}
		usleep(10000);
	}
	return -1;
}

static inline void bench_daemon_stop(struct bench_daemon *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
	}
	d->pid = 0;
	unlink(d->sock);
	rmdir(d->dir);
}

#endif /* DXG_BENCH_H */
