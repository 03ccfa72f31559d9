// SPDX-License-Identifier: MIT
/*
 * A process killed while it opens /dev/dxg (or creates a device) must not
 * leave its host process behind (issue: CREATEPROCESS answered after the
 * killed waiter gave up left a host process nobody would ever destroy).
 *
 * Children loop open -> EnumAdapters2 -> CreateDevice -> close and are
 * SIGKILLed at random moments, until the driver reports that it reclaimed
 * objects the host made for waiters that gave up (so kills did land inside
 * the round trips) or the budget runs out.  Then the host's process and
 * object counts for this VM must come back to their baseline, and
 * /dev/dxg must still work.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define MAX_KILLS	600
#define MAX_SECONDS	40
#define WANT_RECLAIMED	4

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static __attribute__((noreturn)) void child_loop(void)
{
	for (;;) {
		struct env e;

		env_open(&e);	/* killed anywhere in here */
		if (e.fd >= 0)
			close(e.fd);
	}
}

/* Waits up to 20 s for a host statistic to come back to want. */
static long settle(const char *attr, long want)
{
	long v = host_stat(attr);

	for (int i = 0; i < 200 && v != want; i++) {
		sleep_us(100000);
		v = host_stat(attr);
	}
	return v;
}

int main(void)
{
	long base_proc = host_stat("dxg_host_processes");
	long base_obj = host_stat("dxg_host_objects");
	long base_rec = host_stat("dxg_reclaimed");
	long procs, objs, rec = base_rec;
	double start = now_s();
	unsigned int kills = 0;
	struct env e;

	check("host statistics readable", base_proc >= 0 && base_obj >= 0 &&
	      base_rec >= 0, "processes %ld objects %ld reclaimed %ld",
	      base_proc, base_obj, base_rec);
	srand((unsigned int)getpid());
	while (kills < MAX_KILLS && now_s() - start < MAX_SECONDS &&
	       rec - base_rec < WANT_RECLAIMED) {
		pid_t pid = fork();

		if (pid == 0)
			child_loop();
		if (pid < 0) {
			fail("fork", "%s", strerror(errno));
			break;
		}
		/* Let it get going, then kill it wherever it is. */
		sleep_us(500 + rand() % 4000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		kills++;
		if (kills % 20 == 0)
			rec = host_stat("dxg_reclaimed");
	}
	/* Reclaim runs after the late reply: give it time to finish. */
	procs = settle("dxg_host_processes", base_proc);
	objs = settle("dxg_host_objects", base_obj);
	rec = host_stat("dxg_reclaimed");
	printf("# %u kills in %.1f s; %ld objects reclaimed\n", kills,
	       now_s() - start, rec - base_rec);
	check("kills landed inside host round trips (objects reclaimed)",
	      rec > base_rec, "none reclaimed after %u kills", kills);
	check("host processes back to the baseline after the kills",
	      procs == base_proc, "%ld, baseline %ld", procs, base_proc);
	check("host objects back to the baseline after the kills",
	      objs == base_obj, "%ld, baseline %ld", objs, base_obj);
	check("/dev/dxg still works", env_open(&e) == 0, "%s", strerror(errno));
	if (e.fd >= 0)
		close(e.fd);
	check("and its process is gone again after close",
	      settle("dxg_host_processes", base_proc) == base_proc, "left over");
	return failures ? 1 : 0;
}
