// SPDX-License-Identifier: MIT
/*
 * CPU mappings of IO space cannot be split (issue: every partial unmap of a
 * Lock2 mapping made x86 PAT print "freeing invalid memtype", unlimited).
 *
 * On a 4-page Lock2 mapping: partial munmap (head, middle, tail), MAP_FIXED
 * over part of it, mprotect of part, a shrinking and a moving mremap must
 * all fail and leave the whole mapping and its bytes in place; MAP_FIXED
 * over a whole fence page and munmap of a whole Lock2 mapping still work.
 * The kernel log must gain no line from them meanwhile (read from /dev/kmsg).
 * Only lines that can come from these operations count: x86 PAT's (they
 * name the memtype) and anything naming dxg (the driver's prefix, and the
 * comm of this and the other test programs).  The kernel of a loaded guest
 * prints one-shot lines of its own at any time ("hrtimer: interrupt took",
 * clocksource changes): under the hour-long soak one such line failed one
 * run in each guest.  They are still printed, marked as not counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define PAGE	4096u
#define NPAGES	4u

/* /dev/kmsg positioned at its end: what it yields later is new. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Whether a kernel log record can be the result of these operations. */
static int kmsg_line_is_ours(const char *rec)
{
	const char *text = strchr(rec, ';');	/* "prio,seq,ts,flags;text" */

	text = text ? text + 1 : rec;
	return strstr(text, "dxg") || strstr(text, "memtype") ||
	       strstr(text, "PAT");
}

/* Prints the kernel log records that arrived since; counts those of ours. */
static int kmsg_new_lines(int fd)
{
	char rec[2048];
	int n = 0;
	ssize_t len;

	for (;;) {
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)	/* overwritten: still news */
			continue;
		if (len <= 0)
			break;
		rec[len] = '\0';
		if (kmsg_line_is_ours(rec)) {
			printf("# kernel: %s", rec);
			n++;
		} else {
			printf("# kernel, not counted: %s", rec);
		}
	}
	return n;
}

static int unlock(int fd, d3dkmthandle dev, d3dkmthandle a)
{
	struct d3dkmt_unlock2 u = { .device = dev, .allocation = a };

	return xioctl(fd, LX_DXUNLOCK2, &u);
}

static int pattern_intact(const unsigned char *p)
{
	for (size_t i = 0; i < NPAGES * PAGE; i++)
		if (p[i] != (unsigned char)(i * 13 + 1))
			return 0;
	return 1;
}

/* After a refused operation: still one whole mapping with the same bytes. */
static void check_whole(const char *name, int refused, unsigned char *p)
{
	char what[160];

	snprintf(what, sizeof(what), "%s is refused", name);
	check(what, refused, "it succeeded");
	snprintf(what, sizeof(what), "after %s the mapping is whole and intact",
		 name);
	check(what, mapped(p, NPAGES * PAGE) && pattern_intact(p),
	      "mapping changed");
}

static void test_split(struct env *e)
{
	unsigned char *p, *r;
	d3dkmthandle h;

	expect("CreateAllocation 4 pages", alloc1(e->fd, e->device,
						  NPAGES * PAGE, &h), 0);
	expect("Lock2", lock(e->fd, e->device, h, (void **)&p), 0);
	if (!p)
		return;
	for (size_t i = 0; i < NPAGES * PAGE; i++)
		p[i] = (unsigned char)(i * 13 + 1);

	check_whole("munmap of the first page", munmap(p, PAGE) != 0, p);
	check_whole("munmap of a middle page", munmap(p + PAGE, PAGE) != 0, p);
	check_whole("munmap of the last page",
		    munmap(p + (NPAGES - 1) * PAGE, PAGE) != 0, p);
	check_whole("munmap of a range that covers part of it",
		    munmap(p + 2 * PAGE, 8 * PAGE) != 0, p);
	r = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check_whole("MAP_FIXED over one page of it", r == MAP_FAILED, p);
	check_whole("mprotect of one page of it",
		    mprotect(p + PAGE, PAGE, PROT_READ) != 0, p);
	check_whole("a shrinking mremap",
		    mremap(p, NPAGES * PAGE, PAGE, 0) == MAP_FAILED, p);
	check_whole("a moving mremap",
		    mremap(p, NPAGES * PAGE, NPAGES * PAGE,
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   p + 64 * PAGE) == MAP_FAILED, p);

	expect("Unlock2 of the intact mapping", unlock(e->fd, e->device, h), 0);
	check("Unlock2 removed the mapping", !mapped(p, NPAGES * PAGE),
	      "still mapped");

	/* Unmapping all of it is the process's right; Unlock2 still works. */
	expect("Lock2 again", lock(e->fd, e->device, h, (void **)&p), 0);
	check("munmap of the whole mapping works",
	      p && munmap(p, NPAGES * PAGE) == 0, "%s", strerror(errno));
	expect("Unlock2 after the process unmapped it",
	       unlock(e->fd, e->device, h), 0);
}

static void test_fence_page(struct env *e)
{
	struct d3dkmt_createpagingqueue cq = { .device = e->device };
	struct d3dddi_destroypagingqueue dq = { 0 };
	void *fence, *r;

	expect("CreatePagingQueue", xioctl(e->fd, LX_DXCREATEPAGINGQUEUE, &cq), 0);
	fence = (void *)(uintptr_t)cq.fence_cpu_virtual_address;
	if (!fence)
		return;
	r = mmap(fence, PAGE, PROT_READ | PROT_WRITE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check("MAP_FIXED over the whole fence page replaces it", r == fence,
	      "%s", strerror(errno));
	dq.paging_queue = cq.paging_queue;
	expect("DestroyPagingQueue after the page was replaced",
	       xioctl(e->fd, LX_DXDESTROYPAGINGQUEUE, &dq), 0);
	check("the anonymous page in its place is left alone",
	      mapped(fence, PAGE), "unmapped");
	munmap(fence, PAGE);
}

int main(void)
{
	struct env e;
	int kmsg, lines;

	kmsg = kmsg_open_at_end();
	check("/dev/kmsg opens", kmsg >= 0, "%s", strerror(errno));
	if (env_open(&e)) {
		fail("setup", "no /dev/dxg device: %s", strerror(errno));
		return 1;
	}
	pass("setup");
	test_split(&e);
	test_fence_page(&e);
	close(e.fd);
	lines = kmsg >= 0 ? kmsg_new_lines(kmsg) : -1;
	check("the kernel log gained no line from these operations",
	      lines == 0, "%d new lines", lines);
	return failures ? 1 : 0;
}
