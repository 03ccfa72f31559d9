/* SPDX-License-Identifier: MIT */
/*
 * The reply shapes of a Windows host's failures, for dxghost --windows
 * (windows_replies.c, docs/protocol.md §5.4).
 */
#ifndef DXGHOST_WINDOWS_REPLIES_H
#define DXGHOST_WINDOWS_REPLIES_H

#include <stdint.h>

#include "protocol/dispatch.h"

/*
 * Writes the reply a Windows host sends when `command` (its request:
 * cmd_len bytes from the command header on) fails with status st, into
 * reply (DXG_REPLY_BUF_SIZE bytes).  Returns its length (>= 4).
 */
uint32_t dxg_windows_error_reply(uint32_t command, const uint8_t *cmd,
				 uint32_t cmd_len, int32_t st, uint8_t *reply);

#endif /* DXGHOST_WINDOWS_REPLIES_H */
