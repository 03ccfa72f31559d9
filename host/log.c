// SPDX-License-Identifier: MIT
#include "log.h"

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

bool dxg_ratelimit_allow(struct dxg_ratelimit *rl, uint64_t now_ms)
{
	if (now_ms - rl->window_start_ms >= DXG_RATELIMIT_WINDOW_MS) {
		if (rl->suppressed)
			dxg_log(DXG_LOG_WARN, "%u messages suppressed",
				rl->suppressed);
		rl->window_start_ms = now_ms;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed < DXG_RATELIMIT_BURST) {
		rl->printed++;
		return true;
	}
	rl->suppressed++;
	return false;
}

void dxg_log_rl(struct dxg_ratelimit *rl, enum dxg_log_level level,
		const char *fmt, ...)
{
	va_list ap;

	if (level > cur_level || !dxg_ratelimit_allow(rl, dxg_now_ms()))
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}
