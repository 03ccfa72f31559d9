/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the two halves of the Hyper-V VMBus transport: the channels
 * (dxg_vmbus.c) and the vGPU PCI devices (dxg_vmbus_pci.c).
 */
#ifndef _DXG_VMBUS_INTERNAL_H
#define _DXG_VMBUS_INTERNAL_H

#include <linux/pci.h>

#include "dxg/vmbus.h"

/* A probed vGPU PCI device: what its config space said. */
struct dxg_vmbus_pci {
	struct pci_dev *pdev;
	struct dxg_vmbus_cfg cfg;
	bool compute_only;
};

/* The PCI half reports arrivals and departures (process context). */
int dxg_vmbus_pci_arrived(struct dxg_vmbus_pci *vp);
void dxg_vmbus_pci_left(struct dxg_vmbus_pci *vp);

int dxg_vmbus_pci_register(void);
void dxg_vmbus_pci_unregister(void);

#endif /* _DXG_VMBUS_INTERNAL_H */
