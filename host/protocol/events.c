// SPDX-License-Identifier: MIT
#include "protocol/events.h"

#include <string.h>

void dxg_encode_guest_event(const struct dxg_guest_event *ev,
			    struct dxgkvmb_command_signalguestevent *msg)
{
	memset(msg, 0, sizeof(*msg));
	msg->hdr.channel = DXGKVMB_HOST_TO_VM;
	msg->hdr.command_type = DXGK_VMBCOMMAND_SIGNALGUESTEVENT;
	msg->hdr.process = ev->process;
	msg->event = ev->event;
	msg->process_id = ev->process_cookie;
	msg->dereference_event = 0;
}
