// SPDX-License-Identifier: MIT
/*
 * The guest's RAM mapping and its layout handshake (guest_ram.h).
 */
#include "core/guest_ram.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dxg/ntstatus.h"

void dxg_guest_ram_none(struct dxg_guest_ram *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

int dxg_guest_ram_init(struct dxg_guest_ram *r, int fd)
{
	struct stat st;
	void *p;

	dxg_guest_ram_none(r);
	if (fd < 0)
		return -EBADF;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size % DXG_GUEST_RAM_PAGE) {
		close(fd);
		return -EINVAL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	r->fd = fd;
	r->base = p;
	r->size = (uint64_t)st.st_size;
	return 0;
}

void dxg_guest_ram_fini(struct dxg_guest_ram *r)
{
	if (r->base)
		munmap(r->base, r->size);
	if (r->fd >= 0)
		close(r->fd);
	dxg_guest_ram_none(r);
}

/* The layout of an x86 PC machine whose RAM ends at ram_top. */
static bool derive_layout(const struct dxg_guest_ram *r, uint64_t ram_top,
			  uint64_t *low, uint64_t *high)
{
	if (!ram_top || ram_top % DXG_GUEST_RAM_PAGE)
		return false;
	if (ram_top <= DXG_GUEST_RAM_4G) {
		/* Everything below the hole: the file is that RAM. */
		if (ram_top > r->size)
			return false;
		*low = r->size;
		*high = 0;
		return *low <= DXG_GUEST_RAM_4G;
	}
	*high = ram_top - DXG_GUEST_RAM_4G;
	if (*high >= r->size)
		return false;
	*low = r->size - *high;
	return *low <= DXG_GUEST_RAM_4G;
}

static int offset_in(uint64_t low, uint64_t high, uint64_t gpa, uint64_t *off)
{
	if (gpa % DXG_GUEST_RAM_PAGE)
		return -1;
	if (gpa < low) {
		*off = gpa;
		return 0;
	}
	if (gpa >= DXG_GUEST_RAM_4G && gpa - DXG_GUEST_RAM_4G < high) {
		*off = low + (gpa - DXG_GUEST_RAM_4G);
		return 0;
	}
	return -1;
}

int32_t dxg_guest_ram_verify(struct dxg_guest_ram *r, uint64_t ram_top,
			     const void *probes, uint32_t count)
{
	const uint8_t *p = probes;
	uint64_t low, high;
	bool in_low = false, in_high = false;

	if (!count || count > DXG_GUEST_RAM_MAX_PROBES)
		return STATUS_INVALID_PARAMETER;
	r->verified = false;
	if (!r->base || !derive_layout(r, ram_top, &low, &high))
		return STATUS_NOT_SUPPORTED;
	for (uint32_t i = 0; i < count; i++) {
		struct dxg_guest_ram_probe pr;
		uint64_t off;

		memcpy(&pr, p + (uint64_t)i * sizeof(pr), sizeof(pr));
		if (offset_in(low, high, pr.gpa, &off) < 0 ||
		    memcmp(r->base + off, pr.nonce, sizeof(pr.nonce)))
			return STATUS_NOT_SUPPORTED;
		if (pr.gpa < low)
			in_low = true;
		else
			in_high = true;
	}
	/* Each part of the layout is shown right by a probe of its own. */
	if (!in_low || (high && !in_high))
		return STATUS_NOT_SUPPORTED;
	r->low = low;
	r->high = high;
	r->verified = true;
	return STATUS_SUCCESS;
}

int dxg_guest_ram_offset(const struct dxg_guest_ram *r, uint64_t gpa,
			 uint64_t *off)
{
	if (!r->verified)
		return -1;
	return offset_in(r->low, r->high, gpa, off);
}
