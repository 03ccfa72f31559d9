/* SPDX-License-Identifier: MIT */
/*
 * A guest simulator for host tests: connects to dxghost exactly as QEMU's
 * ivshmem-doorbell does (int64 messages + SCM_RIGHTS fds), maps the memfd
 * and then behaves as the guest driver would: the generation handshake,
 * requests on the guest->host ring (doorbell only when the host is
 * parked), replies read from the host->guest ring after its own vector 0
 * fires.
 */
#ifndef DXG_GUEST_SIM_H
#define DXG_GUEST_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dxg/ivshmem.h"
#include "dxg/protocol.h"
#include "dxg/ring.h"

#define GSIM_TIMEOUT_MS	5000

struct gsim {
	int sock;
	int memfd;
	void *shm;
	size_t shm_size;
	struct dxg_ivshmem_control *ctl;
	int host_efd[2];	/* we ring the host with these */
	int guest_efd[2];	/* the host rings us */
	int nfds;		/* descriptors received */
	struct dxg_ring g2h, h2g;
	uint32_t generation;
	uint64_t next_trans;
	uint32_t kicks;		/* doorbells we rang (vector 0) */
};

/* Connects and receives the handshake; 0 or -errno. */
int gsim_connect(struct gsim *g, const char *path);
void gsim_close(struct gsim *g);
/* Closes only the connection (QEMU exits) but keeps the memory mapped. */
void gsim_disconnect(struct gsim *g);
/* §4.2 with generation `gen`; waits for the host's ack. 0 or -ETIMEDOUT. */
int gsim_handshake(struct gsim *g, uint32_t gen);
/* Ring one of the host's vectors. */
void gsim_ring_host(struct gsim *g, unsigned int vec);

/* Sends one packet; rings the host if it is parked. */
int gsim_send(struct gsim *g, uint16_t type, uint16_t flags, uint64_t trans_id,
	      const void *msg, uint32_t len);
/* Waits for one host->guest packet; returns the payload length or -errno. */
int gsim_recv(struct gsim *g, struct dxg_pkt_desc *d, void *buf, uint32_t cap,
	      int timeout_ms);
/* A request and its completion: returns the reply length or -errno. */
int gsim_call(struct gsim *g, const void *msg, uint32_t len, void *reply,
	      uint32_t cap);
/* Waits until pred-like condition ctl->host_state == state. */
int gsim_wait_host_state(struct gsim *g, uint32_t state, int timeout_ms);

/* ---- message builders ---- */

/* Writes the extended header and the command header at msg. */
void gsim_hdr(void *msg, struct winluid vgpu, uint32_t channel,
	      uint32_t command, uint32_t process);
/* The vGPU LUID of adapter i from the control page. */
struct winluid gsim_vgpu(const struct gsim *g, unsigned int i);

/* The status of a reply: the status word for short/error replies. */
int32_t gsim_reply_status(const void *reply, int len, uint32_t full_len,
			  uint32_t status_offset);

/* High-level calls; each returns an NTSTATUS (or a negative errno). */
int32_t gsim_create_process(struct gsim *g, uint32_t *hprocess);
int32_t gsim_destroy_process(struct gsim *g, uint32_t hprocess);
int32_t gsim_open_adapter(struct gsim *g, unsigned int ad, uint32_t *hadapter);
int32_t gsim_close_adapter(struct gsim *g, unsigned int ad, uint32_t hadapter);
int32_t gsim_create_device(struct gsim *g, uint32_t process, unsigned int ad,
			   uint32_t *hdevice);
int32_t gsim_destroy_device(struct gsim *g, uint32_t process, unsigned int ad,
			    uint32_t hdevice);
int32_t gsim_create_context(struct gsim *g, uint32_t process, unsigned int ad,
			    uint32_t device, uint32_t node, uint32_t priv_size,
			    uint32_t *hcontext);
int32_t gsim_destroy_context(struct gsim *g, uint32_t process, unsigned int ad,
			     uint32_t hcontext);
/* QUERYADAPTERINFO: buf (size bytes) is input and output. */
int32_t gsim_query_adapter_info(struct gsim *g, uint32_t process, unsigned int ad,
				uint32_t type, void *buf, uint32_t size);

#endif /* DXG_GUEST_SIM_H */
