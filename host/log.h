/* SPDX-License-Identifier: MIT */
/*
 * dxghost logging: one line per message on stderr, "dxghost: LEVEL: ...".
 * Messages a guest can provoke go through a per-VM rate limiter so that a
 * hostile guest cannot flood the host's log.
 */
#ifndef DXGHOST_LOG_H
#define DXGHOST_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum dxg_log_level {
	DXG_LOG_ERROR,
	DXG_LOG_WARN,
	DXG_LOG_INFO,
	DXG_LOG_DEBUG,
};

/* At most DXG_RATELIMIT_BURST messages per DXG_RATELIMIT_WINDOW_MS. */
#define DXG_RATELIMIT_BURST	10u
#define DXG_RATELIMIT_WINDOW_MS	5000u

struct dxg_ratelimit {
	uint64_t window_start_ms;
	unsigned int printed;
	unsigned int suppressed;
};

void dxg_log_set_level(enum dxg_log_level level);
enum dxg_log_level dxg_log_get_level(void);
/* Parses "error", "warn", "info", "debug" (or 0..3); -1 if unknown. */
int dxg_log_parse_level(const char *s);

void dxg_log(enum dxg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As dxg_log, but subject to the rate limiter rl (one per VM). */
void dxg_log_rl(struct dxg_ratelimit *rl, enum dxg_log_level level,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The limiter alone: true if a message may be printed now. */
bool dxg_ratelimit_allow(struct dxg_ratelimit *rl, uint64_t now_ms);

uint64_t dxg_now_ms(void);
uint64_t dxg_now_ns(void);

#define log_err(...)	dxg_log(DXG_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	dxg_log(DXG_LOG_WARN, __VA_ARGS__)
#define log_info(...)	dxg_log(DXG_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	dxg_log(DXG_LOG_DEBUG, __VA_ARGS__)

#endif /* DXGHOST_LOG_H */
