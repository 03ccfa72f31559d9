/* SPDX-License-Identifier: MIT */
/*
 * Host->VM messages: the core's guest events as SIGNALGUESTEVENT messages
 * (in-band, transaction id 0; docs/sync.md).
 */
#ifndef DXGHOST_EVENTS_H
#define DXGHOST_EVENTS_H

#include "core/scheduler.h"
#include "dxg/protocol.h"

void dxg_encode_guest_event(const struct dxg_guest_event *ev,
			    struct dxgkvmb_command_signalguestevent *msg);

#endif /* DXGHOST_EVENTS_H */
