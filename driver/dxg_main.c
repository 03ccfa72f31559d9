// SPDX-License-Identifier: GPL-2.0
/*
 * dxgkrnl module scope: the registry of probed hosts and /dev/dxg.
 *
 * The registry is the only module-scope state, and only what the driver
 * model needs: the list of hosts (so that /dev/dxg can enumerate the
 * adapters of all of them) and the misc device, which exists while at
 * least one host is present.  Everything else hangs off the probed devices.
 */

#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "dxg.h"

struct dxg_registry {
	/*
	 * misc_lock serializes (un)registering the misc device and is taken
	 * outside misc_mtx; lock guards the host list and is taken by
	 * dxg_open() under misc_mtx.  One mutex for both deadlocked (dxg.h).
	 */
	struct mutex misc_lock;		/* misc, registered */
	struct mutex lock;		/* hosts, num_hosts */
	struct list_head hosts;		/* struct dxg_host, ACTIVE or GONE */
	unsigned int num_hosts;
	struct miscdevice misc;
	bool registered;
	atomic64_t process_ids;		/* cookies for CREATEPROCESS */
	atomic64_t map_pgoff;		/* next free mapping page offset */
	/*
	 * A private pseudo filesystem: each process maps IO space through a
	 * read-write file on its own inode there, whatever mode /dev/dxg was
	 * opened with (libdxg opens it read-only), and zapping a range of that
	 * inode can only ever reach that process's mappings.
	 */
	struct vfsmount *mnt;
};

#define DXG_FS_MAGIC	0x64786731	/* "dxg1" */

static int dxg_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, DXG_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type dxg_fs_type = {
	.name = "dxgkrnl",
	.init_fs_context = dxg_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

static struct dxg_registry dxg_registry = {
	.misc_lock = __MUTEX_INITIALIZER(dxg_registry.misc_lock),
	.lock = __MUTEX_INITIALIZER(dxg_registry.lock),
	.hosts = LIST_HEAD_INIT(dxg_registry.hosts),
	.process_ids = ATOMIC64_INIT(0),
	.map_pgoff = ATOMIC64_INIT(0),
	.misc = {
		.minor = MISC_DYNAMIC_MINOR,
		.name = "dxg",
		.fops = &dxg_fops,
		.mode = 0666,
	},
};

/* Lists the host, then makes sure /dev/dxg exists (it may be opened at once). */
int dxg_registry_add(struct dxg_host *host)
{
	struct dxg_registry *r = &dxg_registry;
	int ret = 0;

	mutex_lock(&r->misc_lock);
	dxg_host_get(host);
	mutex_lock(&r->lock);
	list_add_tail(&host->node, &r->hosts);
	WRITE_ONCE(r->num_hosts, r->num_hosts + 1);
	mutex_unlock(&r->lock);
	if (!r->registered) {
		ret = misc_register(&r->misc);
		if (!ret)
			r->registered = true;
	}
	mutex_unlock(&r->misc_lock);
	if (ret)
		dxg_registry_remove(host);
	return ret;
}

void dxg_registry_remove(struct dxg_host *host)
{
	struct dxg_registry *r = &dxg_registry;
	bool listed = false;

	mutex_lock(&r->misc_lock);
	mutex_lock(&r->lock);
	if (!list_empty(&host->node)) {
		list_del_init(&host->node);
		WRITE_ONCE(r->num_hosts, r->num_hosts - 1);
		listed = true;
	}
	mutex_unlock(&r->lock);
	if (!r->num_hosts && r->registered) {
		misc_deregister(&r->misc);
		r->registered = false;
	}
	mutex_unlock(&r->misc_lock);
	if (listed)
		dxg_host_put(host);
}

bool dxg_registry_empty(void)
{
	return !READ_ONCE(dxg_registry.num_hosts);
}

unsigned int dxg_registry_collect(struct dxg_adapter **out, unsigned int max,
				  bool compute_only, unsigned int *total)
{
	struct dxg_registry *r = &dxg_registry;
	struct dxg_host *host;
	unsigned int i, n = 0, all = 0;

	mutex_lock(&r->lock);
	list_for_each_entry(host, &r->hosts, node) {
		for (i = 0; i < host->num_adapters; i++) {
			struct dxg_adapter *a = host->adapters[i];

			if (!dxg_adapter_usable(a))
				continue;
			if (a->compute_only && !compute_only)
				continue;
			all++;
			if (n < max) {
				dxg_adapter_get(a);
				out[n++] = a;
			}
		}
	}
	mutex_unlock(&r->lock);
	*total = all;
	return n;
}

u64 dxg_registry_next_process_id(void)
{
	return atomic64_inc_return(&dxg_registry.process_ids);
}

/*
 * Mapping grants use page offsets that are never reused, so zapping one
 * grant's range can only ever hit that grant's mapping.  A gap page keeps
 * neighbouring ranges apart.  Offsets stay below 2^50 pages (mmap's loff_t
 * limit is 2^51); at 2^40 ranges per second that lasts past the uptime of
 * any machine, and failing then is -ENOSPC, not a wrap.
 */
#define DXG_MAP_PGOFF_LIMIT	BIT_ULL(50)

u64 dxg_registry_map_pgoff(u64 npages)
{
	u64 start;

	if (!npages || npages >= DXG_MAP_PGOFF_LIMIT)
		return 0;
	start = atomic64_add_return(npages + 1, &dxg_registry.map_pgoff) -
		npages;
	return start + npages <= DXG_MAP_PGOFF_LIMIT ? start : 0;
}

/*
 * Referenced active hosts, at most @max, for work that must not hold the
 * registry lock (host round trips).
 */
unsigned int dxg_registry_hosts(struct dxg_host **out, unsigned int max)
{
	struct dxg_registry *r = &dxg_registry;
	struct dxg_host *host;
	unsigned int n = 0;

	mutex_lock(&r->lock);
	list_for_each_entry(host, &r->hosts, node) {
		if (n == max)
			break;
		if (!dxg_host_active(host))
			continue;
		dxg_host_get(host);
		out[n++] = host;
	}
	mutex_unlock(&r->lock);
	return n;
}

struct dxg_adapter *dxg_registry_find_luid(const struct winluid *luid)
{
	struct dxg_registry *r = &dxg_registry;
	struct dxg_adapter *found = NULL;
	struct dxg_host *host;
	unsigned int i;

	mutex_lock(&r->lock);
	list_for_each_entry(host, &r->hosts, node) {
		for (i = 0; i < host->num_adapters; i++) {
			struct dxg_adapter *a = host->adapters[i];

			if (a->luid.a != luid->a || a->luid.b != luid->b ||
			    !dxg_adapter_usable(a))
				continue;
			dxg_adapter_get(a);
			found = a;
			goto out;
		}
	}
out:
	mutex_unlock(&r->lock);
	return found;
}

static int dxg_open(struct inode *inode, struct file *f)
{
	struct dxg_process *p = dxg_process_create();
	int ret;

	if (!p)
		return -ENOMEM;
	ret = dxg_process_attach_hosts(p);
	if (ret) {
		dxg_process_destroy(p);
		return ret;
	}
	p->file = f;
	f->private_data = p;
	return nonseekable_open(inode, f);
}

/* /dev/dxg is never mapped directly: Lock2 and fences map through map_file. */
static int dxg_mmap_refused(struct file *f, struct vm_area_struct *vma)
{
	return -EACCES;
}

static int dxg_release(struct inode *inode, struct file *f)
{
	dxg_process_destroy(f->private_data);
	return 0;
}

const struct file_operations dxg_fops = {
	.owner = THIS_MODULE,
	.open = dxg_open,
	.release = dxg_release,
	.unlocked_ioctl = dxg_ioctl,
	.mmap = dxg_mmap_refused,
	.compat_ioctl = compat_ptr_ioctl,
	/*
	 * No .llseek: dxg_open() makes the file nonseekable, so lseek() is
	 * -ESPIPE (no_llseek was NULL since 6.0 and is gone in 6.12).
	 */
};

/* The file a process maps IO space through (see struct dxg_registry). */
struct file *dxg_registry_map_file(struct dxg_process *p)
{
	struct inode *inode = alloc_anon_inode(dxg_registry.mnt->mnt_sb);
	struct file *f;

	if (IS_ERR(inode))
		return ERR_CAST(inode);
	/*
	 * The file's last fput() drops a reference on dxg_map_fops.owner,
	 * and mappings (with our vm_ops) may outlive /dev/dxg: take the
	 * module reference the file will give back.  We run inside an open
	 * of /dev/dxg, so the module is live.
	 */
	__module_get(THIS_MODULE);
	f = alloc_file_pseudo(inode, dxg_registry.mnt, "dxg-mem", O_RDWR,
			      &dxg_map_fops);
	if (IS_ERR(f)) {
		module_put(THIS_MODULE);
		iput(inode);
		return f;
	}
	f->private_data = p;
	return f;
}

static int __init dxg_init(void)
{
	int ret;

	ret = dxg_syncfile_init();
	if (ret)
		return ret;
	dxg_registry.mnt = kern_mount(&dxg_fs_type);
	if (IS_ERR(dxg_registry.mnt)) {
		ret = PTR_ERR(dxg_registry.mnt);
		goto err_syncfile;
	}
	ret = dxg_ivshmem_register();
	if (ret)
		goto err_mnt;
	/* Off (and 0) when this is not a Hyper-V guest. */
	ret = dxg_vmbus_register();
	if (ret)
		goto err_ivshmem;
	return 0;

err_ivshmem:
	dxg_ivshmem_unregister();
err_mnt:
	kern_unmount(dxg_registry.mnt);
err_syncfile:
	dxg_syncfile_exit();
	return ret;
}

static void __exit dxg_exit(void)
{
	dxg_vmbus_unregister();
	dxg_ivshmem_unregister();
	WARN_ON(!list_empty(&dxg_registry.hosts));
	kern_unmount(dxg_registry.mnt);
	/* Every sync point held the module: their work has run or runs now. */
	dxg_syncfile_exit();
}

module_init(dxg_init);
module_exit(dxg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("opendxg: D3DKMT /dev/dxg over a paravirtual GPU transport");
MODULE_AUTHOR("opendxg contributors");
