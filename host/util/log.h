/* SPDX-License-Identifier: MIT */
/*
 * dxghost logging: one line per message on stderr, "dxghost: LEVEL: ...".
 * Messages a guest can provoke go through its VM's rate limiter (one
 * window per level) so that a hostile guest cannot flood the host's log,
 * nor hide what the host says about other VMs or at other levels.
 */
#ifndef DXGHOST_LOG_H
#define DXGHOST_LOG_H

#include <linux/types.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum dxg_log_level {
	DXG_LOG_ERROR,
	DXG_LOG_WARN,
	DXG_LOG_INFO,
	DXG_LOG_DEBUG,
};

#define DXG_LOG_LEVELS	(DXG_LOG_DEBUG + 1)

/* At most DXG_RATELIMIT_BURST messages per level per DXG_RATELIMIT_WINDOW_MS. */
#define DXG_RATELIMIT_BURST	10u
#define DXG_RATELIMIT_WINDOW_MS	5000u

struct dxg_ratelimit_window {
	uint64_t start_ms;
	unsigned int printed;
	unsigned int suppressed;	/* not reported yet */
};

/*
 * One VM's limiter.  A window per level: a guest's flood of malformed
 * requests (info, warn) never mutes its errors; and each VM has its own, so
 * a noisy guest mutes only itself.  What it suppresses is counted, reported
 * once per window and level ("vm N: K warn messages suppressed"), the rest
 * at teardown, and the running total is stored in *out (the VM's control
 * page: the guest sees it) at each suppressed line.
 *
 * The lock: engine workers log through it too (a lost Vulkan engine).
 */
struct dxg_ratelimit {
	pthread_mutex_t lock;
	unsigned int vm_id;
	struct dxg_ratelimit_window win[DXG_LOG_LEVELS];
	uint64_t suppressed_total;
	__u64 *out;			/* or NULL */
};

void dxg_log_set_level(enum dxg_log_level level);
enum dxg_log_level dxg_log_get_level(void);
/* Parses "error", "warn", "info", "debug" (or 0..3); -1 if unknown. */
int dxg_log_parse_level(const char *s);

void dxg_log(enum dxg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * As dxg_log, but subject to the rate limiter rl (one per VM): for every
 * message a guest can provoke.  Messages below the log level are neither
 * printed nor counted.
 */
void dxg_log_rl(struct dxg_ratelimit *rl, enum dxg_log_level level,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* out (may be NULL) receives the count of suppressed lines. */
int dxg_ratelimit_init(struct dxg_ratelimit *rl, unsigned int vm_id,
		       __u64 *out);
/* Reports what is still suppressed; rl is unused after. */
void dxg_ratelimit_fini(struct dxg_ratelimit *rl);
/*
 * The limiter alone: true if a message of this level may be printed now.
 * A window that has ended reports what it suppressed first.
 */
bool dxg_ratelimit_allow(struct dxg_ratelimit *rl, enum dxg_log_level level,
			 uint64_t now_ms);
/* Lines suppressed so far, in all levels. */
uint64_t dxg_ratelimit_suppressed(struct dxg_ratelimit *rl);

uint64_t dxg_now_ms(void);
uint64_t dxg_now_ns(void);

#define log_err(...)	dxg_log(DXG_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	dxg_log(DXG_LOG_WARN, __VA_ARGS__)
#define log_info(...)	dxg_log(DXG_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	dxg_log(DXG_LOG_DEBUG, __VA_ARGS__)

#endif /* DXGHOST_LOG_H */
