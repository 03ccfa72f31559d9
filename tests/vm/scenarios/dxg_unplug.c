// SPDX-License-Identifier: MIT
/*
 * Guest side of the unplug scenario: the dxg device is hot-unplugged (its
 * PCI device removed through sysfs, as a hot-unplug does) while this
 * process holds a Lock2 mapping of an allocation and a monitored fence's
 * read-only page.  Afterwards the physical range of BAR2 may be given to
 * another device, so no mapping of it may survive: touching either must
 * fault, /dev/dxg must go away and the open descriptor must answer ENODEV.
 *
 * Prints PASS/FAIL lines; exits non-zero on any failure.
 */
#include <libgen.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "uapi/misc/d3dkmthk.h"
#include "dxg/protocol.h"
#define VMTEST_RAW_ENV
#include "vmtest.h"

#define PAGE	4096u

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/*
 * Does touching @p fault (SIGBUS or SIGSEGV)?  In this process: the
 * mappings are not inherited by a forked child (VM_DONTCOPY).
 */
static int faults(volatile uint8_t *p, int write)
{
	struct sigaction sa = { .sa_handler = on_fault }, old_bus, old_segv;
	volatile int sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(fault_jmp, 1);
	if (!sig) {
		if (write)
			p[0] = 0x11;
		else
			(void)p[0];
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig == SIGBUS || sig == SIGSEGV;
}

/* Writes "1" to the remove file of the PCI device dxgkrnl is bound to. */
static int unplug(void)
{
	char path[512];
	glob_t g;
	FILE *f;
	int ok;

	if (glob("/sys/bus/pci/devices/*/dxg_host_objects", 0, NULL, &g) ||
	    g.gl_pathc != 1)
		return -1;
	snprintf(path, sizeof(path), "%s/remove", dirname(g.gl_pathv[0]));
	globfree(&g);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fputs("1\n", f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int main(void)
{
	struct d3dkmt_createsynchronizationobject2 cs = { 0 };
	struct d3dkmt_enumadapters2 en = { 0 };
	volatile uint8_t *p, *fence;
	struct env e;
	d3dkmthandle a;
	struct stat st;
	void *cpu = NULL;
	int gone = 0;

	if (env_open(&e)) {
		fail("unplug/set-up", "open /dev/dxg and create a device");
		return 1;
	}
	expect("unplug/CreateAllocation", alloc1(e.fd, e.device, 4 * PAGE, &a), 0);
	expect("unplug/Lock2", lock(e.fd, e.device, a, &cpu), 0);
	p = cpu;
	cs.device = e.device;
	cs.info.type = D3DDDI_MONITORED_FENCE;
	expect("unplug/monitored fence", xioctl(e.fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &cs), 0);
	fence = (volatile uint8_t *)(uintptr_t)cs.info.monitored_fence.fence_cpu_virtual_address;
	if (!p || !fence) {
		fail("unplug/set-up", "no CPU pointers");
		return 1;
	}
	check("unplug/mappings work before", !faults(p, 1) && !faults(fence, 0) &&
	      p[0] == 0x11, "the mapping does not work");

	expect("unplug/remove the PCI device", unplug(), 0);
	for (int i = 0; i < 100 && !gone; i++) {
		struct timespec ts = { 0, 100000000L };

		gone = stat("/dev/dxg", &st) != 0;
		if (!gone)
			nanosleep(&ts, NULL);
	}
	check("unplug//dev/dxg removed", gone, "still there after 10 s");
	check("unplug/Lock2 mapping revoked (write faults)", faults(p, 1),
	      "a process can still write BAR2 after the device left");
	check("unplug/Lock2 mapping revoked (read faults)", faults(p, 0),
	      "a process can still read BAR2 after the device left");
	check("unplug/fence page revoked", faults(fence, 0),
	      "a process can still read the fence page after the device left");
	expect("unplug/open fd answers ENODEV", xioctl(e.fd, LX_DXENUMADAPTERS2, &en),
	       -ENODEV);
	check("unplug/close", close(e.fd) == 0, "close failed");
	return failures ? 1 : 0;
}
