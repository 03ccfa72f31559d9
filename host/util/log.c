// SPDX-License-Identifier: MIT
#include "util/log.h"

#include "dxg/compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum dxg_log_level cur_level = DXG_LOG_INFO;

static const char *const level_names[] = {
	[DXG_LOG_ERROR] = "error",
	[DXG_LOG_WARN] = "warn",
	[DXG_LOG_INFO] = "info",
	[DXG_LOG_DEBUG] = "debug",
};

void dxg_log_set_level(enum dxg_log_level level)
{
	cur_level = level;
}

enum dxg_log_level dxg_log_get_level(void)
{
	return cur_level;
}

int dxg_log_parse_level(const char *s)
{
	for (int i = 0; i <= DXG_LOG_DEBUG; i++) {
		char digit[2] = { (char)('0' + i), 0 };

		if (!strcasecmp(s, level_names[i]) || !strcmp(s, digit))
			return i;
	}
	if (!strcasecmp(s, "warning"))
		return DXG_LOG_WARN;
	return -1;
}

static uint64_t now_clock(clockid_t id, uint64_t div)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) / div;
}

uint64_t dxg_now_ms(void)
{
	return now_clock(CLOCK_MONOTONIC, 1000000ull);
}

uint64_t dxg_now_ns(void)
{
	return now_clock(CLOCK_MONOTONIC, 1ull);
}

static void vlog(enum dxg_log_level level, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "dxghost: %s: %s\n", level_names[level], line);
}

void dxg_log(enum dxg_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > cur_level)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int dxg_ratelimit_init(struct dxg_ratelimit *rl, unsigned int vm_id,
		       __u64 *out)
{
	memset(rl, 0, sizeof(*rl));
	rl->vm_id = vm_id;
	rl->out = out;
	return -pthread_mutex_init(&rl->lock, NULL);
}

/* One summary line per window and level, at that level (rl->lock held). */
static void report(struct dxg_ratelimit *rl, enum dxg_log_level level)
{
	struct dxg_ratelimit_window *w = &rl->win[level];

	if (w->suppressed)
		fprintf(stderr, "dxghost: %s: vm %u: %u %s messages suppressed (over %u in %u s)\n",
			level_names[level], rl->vm_id, w->suppressed,
			level_names[level], DXG_RATELIMIT_BURST,
			DXG_RATELIMIT_WINDOW_MS / 1000);
	w->suppressed = 0;
}

void dxg_ratelimit_fini(struct dxg_ratelimit *rl)
{
	pthread_mutex_lock(&rl->lock);
	for (int i = 0; i < DXG_LOG_LEVELS; i++)
		report(rl, (enum dxg_log_level)i);
	pthread_mutex_unlock(&rl->lock);
	pthread_mutex_destroy(&rl->lock);
}

static bool allow_locked(struct dxg_ratelimit *rl, enum dxg_log_level level,
			 uint64_t now_ms)
{
	struct dxg_ratelimit_window *w = &rl->win[level];

	if (now_ms - w->start_ms >= DXG_RATELIMIT_WINDOW_MS) {
		report(rl, level);
		w->start_ms = now_ms;
		w->printed = 0;
	}
	if (w->printed < DXG_RATELIMIT_BURST) {
		w->printed++;
		return true;
	}
	w->suppressed++;
	rl->suppressed_total++;
	/* One store: the guest sees the count without waiting for an update. */
	if (rl->out)
		dxg_write_once(*rl->out, rl->suppressed_total);
	return false;
}

bool dxg_ratelimit_allow(struct dxg_ratelimit *rl, enum dxg_log_level level,
			 uint64_t now_ms)
{
	bool ok;

	if ((unsigned int)level >= DXG_LOG_LEVELS)
		level = DXG_LOG_DEBUG;
	pthread_mutex_lock(&rl->lock);
	ok = allow_locked(rl, level, now_ms);
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

uint64_t dxg_ratelimit_suppressed(struct dxg_ratelimit *rl)
{
	uint64_t n;

	pthread_mutex_lock(&rl->lock);
	n = rl->suppressed_total;
	pthread_mutex_unlock(&rl->lock);
	return n;
}

void dxg_log_rl(struct dxg_ratelimit *rl, enum dxg_log_level level,
		const char *fmt, ...)
{
	va_list ap;

	if (level > cur_level)
		return;
	/* Under the lock: a summary is never printed after what it follows. */
	pthread_mutex_lock(&rl->lock);
	if (allow_locked(rl, level, dxg_now_ms())) {
		va_start(ap, fmt);
		vlog(level, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&rl->lock);
}
