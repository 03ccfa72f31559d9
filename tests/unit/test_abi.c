// SPDX-License-Identifier: GPL-2.0
/*
 * opendxg - ABI check for the /dev/dxg UAPI header.
 *
 * The checks are the static assertions in include/dxg/abi_check.h; they run
 * when this file is compiled.  Building it for i386 (-m32) as well as x86_64
 * verifies that the layout does not depend on the ABI of the user process.
 * The program itself does nothing and exits with status 0.
 */

#include "../../include/uapi/misc/d3dkmthk.h"
#include "../../include/dxg/abi_check.h"

int main(void)
{
	return 0;
}
