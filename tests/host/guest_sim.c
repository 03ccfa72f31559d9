// SPDX-License-Identifier: MIT
#include "guest_sim.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dxg/ntstatus.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One server message: int64 and maybe one fd (-1 if none). */
static int recv_msg(int sock, int64_t *val, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = val, .iov_len = sizeof(*val) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);

	if (n != (ssize_t)sizeof(*val))
		return n < 0 ? -errno : -EPROTO;
	*fd = -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

/* Expect value `want`, with an fd when want_fd. */
static int expect(struct gsim *g, int64_t want, bool want_fd, int *fd)
{
	int64_t v;
	int f = -1, ret = recv_msg(g->sock, &v, &f);

	if (ret)
		return ret;
	if (v != want || (f >= 0) != want_fd) {
		if (f >= 0)
			close(f);
		return -EPROTO;
	}
	if (fd)
		*fd = f;
	g->nfds += f >= 0;
	return 0;
}

static int receive_handshake(struct gsim *g)
{
	int ret = expect(g, 0, false, NULL);

	ret = ret ? ret : expect(g, DXG_IVSHMEM_GUEST_PEER, false, NULL);
	ret = ret ? ret : expect(g, -1, true, &g->memfd);
	for (int i = 0; i < 2 && !ret; i++)
		ret = expect(g, DXG_IVSHMEM_HOST_PEER, true, &g->host_efd[i]);
	for (int i = 0; i < 2 && !ret; i++)
		ret = expect(g, DXG_IVSHMEM_GUEST_PEER, true, &g->guest_efd[i]);
	return ret;
}

static int map_bar2(struct gsim *g)
{
	off_t size = lseek(g->memfd, 0, SEEK_END);
	const struct dxg_ivshmem_control *c;

	if (size < (off_t)(2 << 20))
		return -EPROTO;
	g->shm = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->memfd, 0);
	if (g->shm == MAP_FAILED) {
		g->shm = NULL;
		return -errno;
	}
	g->shm_size = (size_t)size;
	g->ctl = g->shm;
	c = g->ctl;
	if (c->magic != DXG_IVSHMEM_MAGIC || c->layout_version != 1 ||
	    c->ring_g2h_offset + DXG_RING_HDR_SIZE + c->ring_size > g->shm_size ||
	    c->ring_h2g_offset + DXG_RING_HDR_SIZE + c->ring_size > g->shm_size)
		return -EPROTO;
	if (dxg_ring_init(&g->g2h, (uint8_t *)g->shm + c->ring_g2h_offset, c->ring_size) ||
	    dxg_ring_init(&g->h2g, (uint8_t *)g->shm + c->ring_h2g_offset, c->ring_size))
		return -EPROTO;
	return 0;
}

int gsim_connect(struct gsim *g, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int ret;

	memset(g, 0, sizeof(*g));
	g->memfd = -1;
	for (int i = 0; i < 2; i++)
		g->host_efd[i] = g->guest_efd[i] = -1;
	g->next_trans = 1;
	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	g->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g->sock < 0)
		return -errno;
	if (connect(g->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	ret = receive_handshake(g);
	return ret ? ret : map_bar2(g);
}

void gsim_close(struct gsim *g)
{
	if (g->shm)
		munmap(g->shm, g->shm_size);
	for (int i = 0; i < 2; i++) {
		if (g->host_efd[i] >= 0)
			close(g->host_efd[i]);
		if (g->guest_efd[i] >= 0)
			close(g->guest_efd[i]);
	}
	if (g->memfd >= 0)
		close(g->memfd);
	if (g->sock >= 0)
		close(g->sock);
	memset(g, 0, sizeof(*g));
	for (int i = 0; i < 2; i++)
		g->host_efd[i] = g->guest_efd[i] = -1;
	g->sock = g->memfd = -1;
}

void gsim_disconnect(struct gsim *g)
{
	for (int i = 0; i < 2; i++) {
		if (g->host_efd[i] >= 0)
			close(g->host_efd[i]);
		g->host_efd[i] = -1;
	}
	if (g->sock >= 0)
		close(g->sock);
	g->sock = -1;
}

void gsim_ring_host(struct gsim *g, unsigned int vec)
{
	uint64_t one = 1;

	if (write(g->host_efd[vec & 1], &one, sizeof(one)) < 0)
		abort();
}

int gsim_handshake(struct gsim *g, uint32_t gen)
{
	int64_t deadline = now_ms() + GSIM_TIMEOUT_MS;

	g->generation = gen;
	dxg_write_once(g->ctl->guest_interface_version, DXGK_VMBUS_INTERFACE_VERSION);
	dxg_write_once(g->ctl->guest_caps, DXG_GUEST_CAP_WSL2);
	dxg_write_once(g->ctl->guest_generation, gen);
	dxg_store_release(&g->ctl->guest_state, DXG_PEER_READY);
	gsim_ring_host(g, DXG_IVSHMEM_VEC_STATE);
	while (dxg_load_acquire(&g->ctl->host_generation) != gen) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(500);
	}
	/* The host reset both rings: reload our views of them. */
	dxg_ring_resync(&g->g2h);
	dxg_ring_resync(&g->h2g);
	return 0;
}

int gsim_wait_host_state(struct gsim *g, uint32_t state, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (dxg_load_acquire(&g->ctl->host_state) != state) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(500);
	}
	return 0;
}

int gsim_send(struct gsim *g, uint16_t type, uint16_t flags, uint64_t trans_id,
	      const void *msg, uint32_t len)
{
	int64_t deadline = now_ms() + GSIM_TIMEOUT_MS;
	int ret;

	while ((ret = dxg_ring_write2(&g->g2h, type, flags, trans_id, msg, len,
				      NULL, 0)) == -EAGAIN) {
		if (now_ms() > deadline)
			return -EBUSY;
		usleep(100);
	}
	if (ret)
		return ret;
	if (dxg_ring_consumer_parked(&g->g2h)) {
		g->kicks++;
		gsim_ring_host(g, DXG_IVSHMEM_VEC_RING);
	}
	return 0;
}

int gsim_recv(struct gsim *g, struct dxg_pkt_desc *d, void *buf, uint32_t cap,
	      int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = { .fd = g->guest_efd[0], .events = POLLIN };
		uint64_t v;
		int left, ret = dxg_ring_read(&g->h2g, d, buf, cap);

		if (ret != -ENODATA)
			return ret;
		left = (int)(deadline - now_ms());
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, left) > 0 && read(g->guest_efd[0], &v, sizeof(v)) < 0)
			return -errno;
	}
}

int gsim_call(struct gsim *g, const void *msg, uint32_t len, void *reply,
	      uint32_t cap)
{
	uint64_t id = g->next_trans++;
	struct dxg_pkt_desc d;
	int ret = gsim_send(g, DXG_PKT_DATA_INBAND,
			    DXG_PKT_FLAG_COMPLETION_REQUESTED, id, msg, len);

	if (ret)
		return ret;
	ret = gsim_recv(g, &d, reply, cap, GSIM_TIMEOUT_MS);
	if (ret < 0)
		return ret;
	if (d.type != DXG_PKT_COMPLETION || d.trans_id != id)
		return -EPROTO;
	return ret;
}

void gsim_hdr(void *msg, struct winluid vgpu, uint32_t channel,
	      uint32_t command, uint32_t process)
{
	struct dxgkvmb_msg_hdr h;

	memset(&h, 0, sizeof(h));
	h.ext.command_offset = sizeof(h.ext);
	h.ext.vgpu_luid = vgpu;
	h.hdr.process = process;
	h.hdr.channel = channel;
	h.hdr.command_type = command;
	memcpy(msg, &h, sizeof(h));
}

struct winluid gsim_vgpu(const struct gsim *g, unsigned int i)
{
	return g->ctl->adapters[i].vgpu_luid;
}

int32_t gsim_reply_status(const void *reply, int len, uint32_t full_len,
			  uint32_t status_offset)
{
	int32_t st;

	if (len < 0)
		return len;
	if ((uint32_t)len < full_len) {
		if (len < 4)
			return -EPROTO;
		memcpy(&st, reply, sizeof(st));
		return st < 0 ? st : -EPROTO;
	}
	memcpy(&st, (const uint8_t *)reply + status_offset, sizeof(st));
	return st;
}

/* ---- high-level calls ---- */

#define MSG_SIZE(type) (uint32_t)(sizeof(struct dxgkvmb_command_ext_header) + \
				  sizeof(type))

/* A call whose reply is {handle, status, ...}. */
static int32_t handle_call(struct gsim *g, const void *msg, uint32_t len,
			   uint32_t full_len, uint32_t *handle)
{
	uint32_t r[8] = { 0 };
	int n = gsim_call(g, msg, len, r, sizeof(r));
	int32_t st = gsim_reply_status(r, n, full_len, 4);

	*handle = st >= 0 ? r[0] : 0;
	if (st >= 0 && r[0] == 0)
		return STATUS_UNSUCCESSFUL;
	return st;
}

static int32_t status_call(struct gsim *g, const void *msg, uint32_t len)
{
	int32_t r[4];
	int n = gsim_call(g, msg, len, r, sizeof(r));

	if (n < 0)
		return n;
	/* 4 bytes, padded to 8 by the ring */
	return n == 4 || (n == 8 && r[1] == 0) ? r[0] : -EPROTO;
}

int32_t gsim_create_process(struct gsim *g, uint32_t *hprocess)
{
	uint8_t m[MSG_SIZE(struct dxgkvmb_command_createprocess)] = { 0 };
	struct dxgkvmb_command_createprocess c;
	struct winluid none = { 0, 0 };

	gsim_hdr(m, none, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATEPROCESS, 0);
	memcpy(&c, m + 16, sizeof(c));
	c.process = 0x1234;
	c.process_id = (uint32_t)getpid();
	c.flags = DXG_CREATEPROCESS_LINUX;
	memcpy(m + 16, &c, sizeof(c));
	return handle_call(g, m, sizeof(m),
			   sizeof(struct dxgkvmb_command_createprocess_ret), hprocess);
}

int32_t gsim_destroy_process(struct gsim *g, uint32_t hprocess)
{
	uint8_t m[MSG_SIZE(struct dxgkvmb_command_destroyprocess)] = { 0 };
	struct winluid none = { 0, 0 };

	gsim_hdr(m, none, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYPROCESS,
		 hprocess);
	return status_call(g, m, sizeof(m));
}

int32_t gsim_open_adapter(struct gsim *g, unsigned int ad, uint32_t *hadapter)
{
	uint8_t m[MSG_SIZE(struct dxgkvmb_command_openadapter)] = { 0 };
	struct dxgkvmb_command_openadapter c;

	gsim_hdr(m, gsim_vgpu(g, ad), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_OPENADAPTER, 0);
	memcpy(&c, m + 16, sizeof(c));
	c.vmbus_interface_version = DXGK_VMBUS_INTERFACE_VERSION;
	c.vmbus_last_compatible_interface_version =
		DXGK_VMBUS_LAST_COMPATIBLE_INTERFACE_VERSION;
	memcpy(m + 16, &c, sizeof(c));
	return handle_call(g, m, sizeof(m),
			   sizeof(struct dxgkvmb_command_openadapter_ret), hadapter);
}

int32_t gsim_close_adapter(struct gsim *g, unsigned int ad, uint32_t hadapter)
{
	uint8_t m[MSG_SIZE(struct dxgkvmb_command_closeadapter)] = { 0 };
	struct dxgkvmb_command_closeadapter c;

	gsim_hdr(m, gsim_vgpu(g, ad), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_CLOSEADAPTER, 0);
	memcpy(&c, m + 16, sizeof(c));
	c.host_handle = hadapter;
	memcpy(m + 16, &c, sizeof(c));
	return status_call(g, m, sizeof(m));
}

int32_t gsim_create_device(struct gsim *g, uint32_t process, unsigned int ad,
			   uint32_t *hdevice)
{
	uint8_t m[MSG_SIZE(struct dxgkvmb_command_createdevice)] = { 0 };

	gsim_hdr(m, gsim_vgpu(g, ad), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_CREATEDEVICE, process);
	return handle_call(g, m, sizeof(m),
			   sizeof(struct dxgkvmb_command_createdevice_ret), hdevice);
}

/* DESTROYDEVICE and DESTROYCONTEXT share a shape: {hdr, handle, reserved}. */
static int32_t destroy_call(struct gsim *g, uint32_t process, unsigned int ad,
			    uint32_t command, uint32_t handle)
{
	uint8_t m[MSG_SIZE(struct dxgkvmb_command_destroydevice)] = { 0 };

	gsim_hdr(m, gsim_vgpu(g, ad), DXGKVMB_VGPU_TO_HOST, command, process);
	memcpy(m + 16 + sizeof(struct dxgkvmb_command_hdr), &handle, sizeof(handle));
	return status_call(g, m, sizeof(m));
}

int32_t gsim_destroy_device(struct gsim *g, uint32_t process, unsigned int ad,
			    uint32_t hdevice)
{
	return destroy_call(g, process, ad, DXGK_VMBCOMMAND_DESTROYDEVICE, hdevice);
}

int32_t gsim_destroy_context(struct gsim *g, uint32_t process, unsigned int ad,
			     uint32_t hcontext)
{
	return destroy_call(g, process, ad, DXGK_VMBCOMMAND_DESTROYCONTEXT,
			    hcontext);
}

int32_t gsim_create_context(struct gsim *g, uint32_t process, unsigned int ad,
			    uint32_t device, uint32_t node, uint32_t priv_size,
			    uint32_t *hcontext)
{
	uint32_t len = 16 + DXGKVMB_CREATECONTEXTVIRTUAL_FIXED + priv_size;
	uint32_t rcap = DXG_ALIGN8(len);	/* replies arrive padded to 8 */
	uint8_t *m = calloc(1, len), *r = calloc(1, rcap);
	struct dxgkvmb_command_createcontextvirtual c;
	int n;
	int32_t st;

	if (!m || !r)
		abort();
	gsim_hdr(m, gsim_vgpu(g, ad), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL, process);
	memcpy(&c, m + 16, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED);
	c.device = device;
	c.node_ordinal = node;
	c.priv_drv_data_size = priv_size;
	memcpy(m + 16, &c, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED);
	for (uint32_t i = 0; i < priv_size; i++)
		m[16 + DXGKVMB_CREATECONTEXTVIRTUAL_FIXED + i] = (uint8_t)i;
	n = gsim_call(g, m, len, r, rcap);
	*hcontext = 0;
	if (n >= (int)(len - 16)) {
		/* The reply echoes the command with `context` set. */
		memcpy(&c, r, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED);
		*hcontext = c.context;
		st = c.context &&
		     !memcmp(r + DXGKVMB_CREATECONTEXTVIRTUAL_FIXED,
			     m + 16 + DXGKVMB_CREATECONTEXTVIRTUAL_FIXED, priv_size) ?
		     STATUS_SUCCESS : -EPROTO;
	} else {
		st = gsim_reply_status(r, n, len - 16, 0);
		if (st >= 0)
			st = -EPROTO;
	}
	free(m);
	free(r);
	return st;
}

int32_t gsim_query_adapter_info(struct gsim *g, uint32_t process, unsigned int ad,
				uint32_t type, void *buf, uint32_t size)
{
	uint32_t len = MSG_SIZE(struct dxgkvmb_command_queryadapterinfo) + size;
	uint32_t rcap = DXG_ALIGN8(4 + size);
	uint8_t *m = calloc(1, len), *r = calloc(1, rcap);
	struct dxgkvmb_command_queryadapterinfo c;
	int n;
	int32_t st;

	if (!m || !r)
		abort();
	gsim_hdr(m, gsim_vgpu(g, ad), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_QUERYADAPTERINFO, process);
	memcpy(&c, m + 16, sizeof(c));
	c.query_type = type;
	c.private_data_size = size;
	memcpy(m + 16, &c, sizeof(c));
	memcpy(m + 16 + sizeof(c), buf, size);
	n = gsim_call(g, m, len, r, rcap);
	st = gsim_reply_status(r, n, 4 + size, 0);
	if (st >= 0)
		memcpy(buf, r + 4, size);
	free(m);
	free(r);
	return st;
}
