// SPDX-License-Identifier: MIT
/*
 * Guest-side helper for the multi-guest and host-gone VM scenarios.
 *
 *   dxg_hold isolation N   create N devices, then check for 5 s that the
 *                          host's object count for this VM stays exactly
 *                          what this guest made (another guest is doing the
 *                          same on the same dxghost at the same time)
 *   dxg_hold gone [BOUND_S] hold /dev/dxg open with a device and a pending
 *                          sync file, print HOLDING, wait for the host to
 *                          go away, then check that /dev/dxg disappears,
 *                          calls fail with ENODEV and the sync file is
 *                          signalled with -ENODEV
 *   dxg_hold restart [BOUND_S] hold a device, print HOLDING, wait for
 *                          another dxghost to take the VM over: the held
 *                          file answers ENODEV (GPU reset), /dev/dxg comes
 *                          back and a new open gets a working device
 *
 * Prints PASS/FAIL lines; exits non-zero on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "uapi/misc/d3dkmthk.h"

static int failures;

static void check(int ok, const char *name, const char *why)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: %s (errno %d %s)\n", name, why, errno, strerror(errno));
		failures++;
	}
	fflush(stdout);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The host's live-object count for this VM, as the driver exposes it. */
static long host_objects(void)
{
	glob_t g;
	long v = -1;
	FILE *f;

	if (glob("/sys/bus/pci/devices/*/dxg_host_objects", 0, NULL, &g) != 0)
		return -1;
	if (g.gl_pathc == 1) {
		f = fopen(g.gl_pathv[0], "r");
		if (f) {
			if (fscanf(f, "%ld", &v) != 1)
				v = -1;
			fclose(f);
		}
	}
	globfree(&g);
	return v;
}

static int first_adapter(int fd, d3dkmthandle *adapter)
{
	struct d3dkmt_adapterinfo info[D3DKMT_ADAPTERS_MAX];
	struct d3dkmt_enumadapters2 e = { 0 };
	unsigned int i;

	e.num_adapters = D3DKMT_ADAPTERS_MAX;
	e.adapters = (__u64)(unsigned long)info;
	if (ioctl(fd, LX_DXENUMADAPTERS2, &e) != 0 || e.num_adapters == 0)
		return -1;
	*adapter = info[0].adapter_handle;
	for (i = 1; i < e.num_adapters; i++) {
		struct d3dkmt_closeadapter c = { .adapter_handle = info[i].adapter_handle };

		ioctl(fd, LX_DXCLOSEADAPTER, &c);
	}
	return 0;
}

static int create_device(int fd, d3dkmthandle adapter, d3dkmthandle *device)
{
	struct d3dkmt_createdevice c;

	memset(&c, 0, sizeof(c));
	c.adapter = adapter;
	if (ioctl(fd, LX_DXCREATEDEVICE, &c) != 0)
		return -1;
	*device = c.device;
	return 0;
}

static int isolation(int n)
{
	d3dkmthandle adapter, devices[64];
	long before, now;
	int fd, i, made = 0, destroyed = 0, steady = 1;

	if (n < 1 || n > 64)
		n = 8;
	fd = open("/dev/dxg", O_RDWR | O_CLOEXEC);
	check(fd >= 0, "isolation/open", "open /dev/dxg");
	if (fd < 0)
		return 1;
	check(first_adapter(fd, &adapter) == 0, "isolation/adapter", "no adapter");
	/*
	 * The first device also makes this process exist on the host; take
	 * the baseline after it so only the devices below are counted.
	 */
	check(create_device(fd, adapter, &devices[0]) == 0, "isolation/first device",
	      "CreateDevice failed");
	made = 1;
	before = host_objects();
	check(before >= 0, "isolation/host object count readable", "no dxg_host_objects");
	for (i = 1; i < n; i++)
		if (create_device(fd, adapter, &devices[i]) == 0)
			made++;
	check(made == n, "isolation/create devices", "CreateDevice failed");
	now = host_objects();
	check(now == before + made - 1, "isolation/count is this guest's own",
	      "host count moved by more than this guest's devices");
	for (i = 0; i < 25; i++) {
		sleep_ms(200);
		if (host_objects() != now)
			steady = 0;
	}
	check(steady, "isolation/other guest's objects never counted here",
	      "host object count changed while this guest did nothing");
	for (i = 1; i < made; i++) {
		struct d3dkmt_destroydevice d = { .device = devices[i] };

		if (ioctl(fd, LX_DXDESTROYDEVICE, &d) == 0)
			destroyed++;
	}
	check(destroyed == made - 1, "isolation/destroy devices", "DestroyDevice failed");
	check(host_objects() == before, "isolation/count back after destroy",
	      "host object count did not return");
	/* devices[0] is left for process exit to clean up. */
	close(fd);
	return failures != 0;
}

/* A sync file for a value the monitored fence never reaches; -1: none. */
static int pending_sync_file(int fd, d3dkmthandle device)
{
	struct d3dkmt_createsynchronizationobject2 c = { .device = device };
	struct d3dkmt_createsyncfile sf = { .device = device, .fence_value = 1 };

	c.info.type = D3DDDI_MONITORED_FENCE;
	if (ioctl(fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c))
		return -1;
	sf.monitored_fence = c.sync_object;
	if (ioctl(fd, LX_DXCREATESYNCFILE, &sf))
		return -1;
	return (int)sf.sync_file_handle;
}

static int gone(int bound_s)
{
	struct d3dkmt_enumadapters2 e = { 0 };
	struct d3dkmt_destroydevice d = { 0 };
	d3dkmthandle adapter = 0, device = 0;
	struct stat st;
	int fd, i, vanished = 0, sfd;
	char what[80];

	fd = open("/dev/dxg", O_RDWR | O_CLOEXEC);
	check(fd >= 0, "gone/open", "open /dev/dxg");
	if (fd < 0)
		return 1;
	check(first_adapter(fd, &adapter) == 0, "gone/adapter", "no adapter");
	check(create_device(fd, adapter, &device) == 0, "gone/create device", "CreateDevice");
	sfd = pending_sync_file(fd, device);
	check(sfd >= 0, "gone/pending sync file", "CreateSyncFile");
	printf("HOLDING\n");
	fflush(stdout);
	for (i = 0; i < bound_s * 10 && !vanished; i++) {
		sleep_ms(100);
		vanished = stat("/dev/dxg", &st) != 0;
	}
	printf("# /dev/dxg gone %.1f s after HOLDING\n", i / 10.0);
	snprintf(what, sizeof(what),
		 "gone//dev/dxg removed within %d s of the host leaving", bound_s);
	check(vanished, what, "still there");
	errno = 0;
	check(ioctl(fd, LX_DXENUMADAPTERS2, &e) == -1 && errno == ENODEV,
	      "gone/open fd answers ENODEV", "expected ENODEV");
	d.device = device;
	errno = 0;
	check(ioctl(fd, LX_DXDESTROYDEVICE, &d) == -1 && errno == ENODEV,
	      "gone/destroy after host left answers ENODEV", "expected ENODEV");
	check(close(fd) == 0, "gone/close after host left", "close failed");
	if (sfd >= 0) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		struct sync_file_info info = { 0 };

		check(poll(&pfd, 1, 5000) == 1, "gone/the sync file is signalled",
		      "still pending");
		check(ioctl(sfd, SYNC_IOC_FILE_INFO, &info) == 0 &&
		      info.status == -ENODEV, "gone/with -ENODEV", "status");
		close(sfd);
	}
	return failures != 0;
}

/* A context on the device and gone again: 0, or the errno of the create. */
static int context_errno(int fd, d3dkmthandle device)
{
	struct d3dkmt_createcontextvirtual c = {
		.device = device,
		.client_hint = D3DKMT_CLIENTHINT_VULKAN,
	};
	struct d3dkmt_destroycontext d = { 0 };

	if (ioctl(fd, LX_DXCREATECONTEXTVIRTUAL, &c))
		return errno;
	d.context = c.context;
	ioctl(fd, LX_DXDESTROYCONTEXT, &d);
	return 0;
}

/*
 * A takeover by another dxghost (docs/ivshmem-transport.md §6): what this
 * process held is gone (ENODEV), and the GPU is back for whoever opens it.
 */
static int restart(int bound_s)
{
	struct d3dkmt_enumadapters2 e = { 0 };
	d3dkmthandle adapter = 0, device = 0;
	int fd, fd2 = -1, i, reset = 0, err = 0;

	fd = open("/dev/dxg", O_RDWR | O_CLOEXEC);
	check(fd >= 0, "restart/open", "open /dev/dxg");
	if (fd < 0)
		return 1;
	check(first_adapter(fd, &adapter) == 0, "restart/adapter", "no adapter");
	check(create_device(fd, adapter, &device) == 0, "restart/create device",
	      "CreateDevice");
	check(context_errno(fd, device) == 0, "restart/the device works",
	      "CreateContextVirtual");
	printf("HOLDING\n");
	fflush(stdout);
	/* The device belonged to the old host: it is removed, not served. */
	for (i = 0; i < bound_s * 10 && !reset; i++) {
		sleep_ms(100);
		err = context_errno(fd, device);
		reset = err != 0;
	}
	printf("# the held device failed (%s) %.1f s after HOLDING\n",
	       strerror(err), i / 10.0);
	check(reset && err == ENODEV, "restart/the held device is reset (ENODEV)",
	      "still served");
	for (i = 0; i < bound_s * 10 && fd2 < 0; i++) {
		fd2 = open("/dev/dxg", O_RDWR | O_CLOEXEC);
		if (fd2 >= 0 && first_adapter(fd2, &adapter)) {
			close(fd2);
			fd2 = -1;
		}
		if (fd2 < 0)
			sleep_ms(100);
	}
	printf("# /dev/dxg back %.1f s later\n", i / 10.0);
	check(fd2 >= 0, "restart//dev/dxg back with an adapter", "not back");
	if (fd2 >= 0) {
		check(create_device(fd2, adapter, &device) == 0,
		      "restart/a new device works", "CreateDevice");
		close(fd2);
	}
	/* The file itself sees the new host's adapters, as any new one does. */
	e.num_adapters = 0;
	check(ioctl(fd, LX_DXENUMADAPTERS2, &e) == 0 && e.num_adapters >= 1,
	      "restart/the old file sees the adapters again", "EnumAdapters2");
	check(close(fd) == 0, "restart/close the old file", "close failed");
	return failures != 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "isolation"))
		return isolation(argc > 2 ? atoi(argv[2]) : 8);
	if (argc >= 2 && !strcmp(argv[1], "restart"))
		return restart(argc >= 3 ? atoi(argv[2]) : 60);
	if (argc >= 2 && !strcmp(argv[1], "gone"))
		return gone(argc >= 3 ? atoi(argv[2]) : 60);
	fprintf(stderr, "usage: dxg_hold isolation [N] | gone [BOUND_S] | restart [BOUND_S]\n");
	return 2;
}
