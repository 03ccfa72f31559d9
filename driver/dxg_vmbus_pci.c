// SPDX-License-Identifier: GPL-2.0
/*
 * The vGPU PCI devices of a Hyper-V GPU-PV guest (1414:008E render,
 * 1414:008A compute-only).  Hyper-V forwards their config space to the
 * host; nothing else of them is used (no BAR is mapped, no interrupt):
 * the version handshake, the vGPU channel's instance GUID (the adapter's
 * LUID), the vGPU LUID and the host's capabilities.  The parsing is
 * include/dxg/vmbus.h's; pairing with the channel is dxg_vmbus.c's.
 */

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "dxg.h"
#include "dxg_vmbus.h"

/* The handshake, then the dwords at 192..223 (aligned reads only). */
static int dxg_vmbus_pci_read_cfg(struct pci_dev *pdev,
				  struct dxg_vmbus_cfg *cfg)
{
	u32 dw[DXG_VMBUS_CFG_DWORDS];
	u32 raw = 0, version;
	unsigned int i;
	int ret;

	ret = pci_write_config_dword(pdev, DXG_VMBUS_CFG_GUEST_CAPS,
				     DXG_VMBUS_GUEST_CAP_WSL2);
	if (!ret)
		ret = pci_read_config_dword(pdev, DXG_VMBUS_CFG_VERSION, &raw);
	if (ret)
		return pcibios_err_to_errno(ret);
	ret = dxg_vmbus_cfg_version(raw, &version);
	if (ret) {
		dev_err(&pdev->dev,
			"dxg vGPU: host interface version %u, need %u\n",
			version, DXGK_VMBUS_INTERFACE_VERSION);
		return ret;
	}
	ret = pci_write_config_dword(pdev, DXG_VMBUS_CFG_VERSION, version);
	for (i = 0; !ret && i < DXG_VMBUS_CFG_DWORDS; i++)
		ret = pci_read_config_dword(pdev, DXG_VMBUS_CFG_GUID + 4 * i,
					    &dw[i]);
	if (ret)
		return pcibios_err_to_errno(ret);
	ret = dxg_vmbus_cfg_parse(dw, DXG_VMBUS_CFG_DWORDS, version, cfg);
	if (ret)
		dev_err(&pdev->dev, "dxg vGPU: invalid config space: %d\n",
			ret);
	return ret;
}

static int dxg_vmbus_pci_probe(struct pci_dev *pdev,
			       const struct pci_device_id *id)
{
	struct dxg_vmbus_pci *vp;
	int ret;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL);
	if (!vp)
		return -ENOMEM;
	vp->pdev = pdev;
	vp->compute_only = id->device == DXG_VMBUS_PCI_COMPUTE_ID;
	ret = dxg_vmbus_pci_read_cfg(pdev, &vp->cfg);
	if (ret)
		goto err;
	dev_info(&pdev->dev,
		 "dxg vGPU: interface %u, LUID %08x-%08x, vGPU LUID %08x-%08x, host caps %#x%s\n",
		 vp->cfg.version, vp->cfg.luid.b, vp->cfg.luid.a,
		 vp->cfg.vgpu_luid.b, vp->cfg.vgpu_luid.a, vp->cfg.host_caps,
		 vp->compute_only ? ", compute only" : "");
	pci_set_drvdata(pdev, vp);
	ret = dxg_vmbus_pci_arrived(vp);
	if (ret)
		goto err;
	return 0;
err:
	pci_set_drvdata(pdev, NULL);
	kfree(vp);
	return ret;
}

static void dxg_vmbus_pci_remove(struct pci_dev *pdev)
{
	struct dxg_vmbus_pci *vp = pci_get_drvdata(pdev);

	dxg_vmbus_pci_left(vp);
	kfree(vp);
}

static const struct pci_device_id dxg_vmbus_pci_ids[] = {
	{ PCI_DEVICE(DXG_VMBUS_PCI_VENDOR_ID, DXG_VMBUS_PCI_RENDER_ID) },
	{ PCI_DEVICE(DXG_VMBUS_PCI_VENDOR_ID, DXG_VMBUS_PCI_COMPUTE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dxg_vmbus_pci_ids);

static struct pci_driver dxg_vmbus_pci_driver = {
	.name = KBUILD_MODNAME "_vgpu",
	.id_table = dxg_vmbus_pci_ids,
	.probe = dxg_vmbus_pci_probe,
	.remove = dxg_vmbus_pci_remove,
};

int dxg_vmbus_pci_register(void)
{
	return pci_register_driver(&dxg_vmbus_pci_driver);
}

void dxg_vmbus_pci_unregister(void)
{
	pci_unregister_driver(&dxg_vmbus_pci_driver);
}
