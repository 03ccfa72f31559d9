// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing between processes (docs/memory.md section 9): file descriptors
 * are the "NT handles".
 *
 * ShareObjects turns one shared resource (created CREATE_SHARED |
 * NT_SECURITY_SHARING) or one shared monitored fence (SHARED |
 * NT_SECURITY_SHARING) into a new O_CLOEXEC file descriptor of an anon
 * inode whose file owns a struct dxg_shared: the host's NT shared object
 * (CREATENTSHAREDOBJECT, VM-wide) and, for a resource, what it was created
 * with (struct dxg_res_info).  The file is the only owner: when its last
 * reference goes (every fd closed, in every process it reached by fork or
 * SCM_RIGHTS) the release sends DESTROYNTSHAREDOBJECT.  Objects opened from
 * it are the opener's own (their own handles and host objects, sharing the
 * memory or the fence on the host), so they keep working after the fd is
 * closed, and the host frees the memory / fence with its last user.  An
 * opened resource or fence is itself shareable: ShareObjects on it makes a
 * new NT handle of the same memory / fence (an opened resource carries its
 * own struct dxg_res_info: the creation data, its own allocation handles).
 *
 * What is refused, before anything is dereferenced: an fd that is not
 * open (-EBADF), a file that is not ours (its f_op is not
 * dxg_shared_fops: /dev/null, a sync file, /dev/dxg itself: -EINVAL), ours
 * of the other kind (a resource to OpenSyncObjectFromNtHandle2 and the
 * reverse: -EINVAL), one of another adapter than the device's (-EINVAL),
 * one whose host went away (-ENODEV).
 *
 * Locks: none of our own.  A handler holds a reference to the file (fget)
 * for its duration and dxg_device.lock (read) across the host round trip;
 * the release takes no lock.
 */

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg.h"

struct dxg_shared {
	struct dxg_host *host;		/* referenced */
	struct dxg_adapter *adapter;	/* referenced */
	d3dkmthandle nt_handle;		/* the host's NT shared object */
	u32 kind;			/* DXGKVMB_NTSHARED_* */
	struct dxg_res_info *info;	/* resources: referenced */
};

static void dxg_nt_destroy(struct dxg_host *host, d3dkmthandle nt)
{
	struct dxgkvmb_command_destroyntsharedobject cmd = { .nt_handle = nt };

	/* A host that went away took its NT objects with it. */
	if (dxg_host_active(host))
		dxg_call_status(host, NULL, 0,
				DXGK_VMBCOMMAND_DESTROYNTSHAREDOBJECT, &cmd,
				sizeof(cmd));
}

static void dxg_shared_free(struct dxg_shared *sh)
{
	dxg_res_info_put(sh->info);
	dxg_adapter_put(sh->adapter);
	dxg_host_put(sh->host);
	kfree(sh);
}

static int dxg_shared_release(struct inode *inode, struct file *f)
{
	struct dxg_shared *sh = f->private_data;

	dxg_nt_destroy(sh->host, sh->nt_handle);
	dxg_shared_free(sh);
	return 0;
}

static const struct file_operations dxg_shared_fops = {
	.owner = THIS_MODULE,
	.release = dxg_shared_release,
};

/*
 * The shared object of fd, of kind `kind`, with its file referenced in
 * *fp (fput when done).
 */
static struct dxg_shared *dxg_shared_get(u64 fd, u32 kind, struct file **fp)
{
	struct dxg_shared *sh;
	struct file *f;

	if (fd > INT_MAX)
		return ERR_PTR(-EBADF);
	f = fget((int)fd);
	if (!f)
		return ERR_PTR(-EBADF);
	/* Only then is private_data ours to read. */
	if (f->f_op != &dxg_shared_fops) {
		fput(f);
		return ERR_PTR(-EINVAL);
	}
	sh = f->private_data;
	if (sh->kind != kind) {
		fput(f);
		return ERR_PTR(-EINVAL);
	}
	if (!dxg_host_active(sh->host)) {
		fput(f);
		return ERR_PTR(-ENODEV);
	}
	*fp = f;
	return sh;
}

/* The device, held (read), on the shared object's adapter. */
static struct dxg_device *dxg_shared_device(struct dxg_process *p,
					    d3dkmthandle h,
					    const struct dxg_shared *sh)
{
	struct dxg_device *device = dxg_device_begin(p, h);

	if (!IS_ERR(device) && device->adapter != sh->adapter) {
		dxg_device_end(device);
		return ERR_PTR(-EINVAL);
	}
	return device;
}

/* A VM-wide command on behalf of p, answered by a reply of reply_len. */
static int dxg_share_call(struct dxg_process *p, struct dxg_device *device,
			  u32 type, void *cmd, u32 len, void *reply,
			  u32 reply_len)
{
	struct dxg_adapter *a = device->adapter;
	d3dkmthandle proc;
	s32 status;
	int ret;

	if (!dxg_adapter_usable(a))
		return -ENODEV;
	ret = dxg_process_host_handle(p, a->host, &proc);
	if (!ret)
		ret = dxg_call(a->host, NULL, proc, type, cmd, len, reply,
			       reply_len);
	if (ret)
		return ret;
	memcpy(&status, reply, sizeof(status));	/* every reply's first */
	return status < 0 ? dxg_ntstatus_to_errno(status) : 0;
}

/* ---- ShareObjects ---- */

/* CREATENTSHAREDOBJECT; *nt the new NT object. */
static int dxg_nt_create(struct dxg_process *p, struct dxg_device *device,
			 d3dkmthandle object, u32 kind,
			 const struct dxg_res_info *info, d3dkmthandle *nt)
{
	struct dxgkvmb_command_createntsharedobject_ret r = { 0 };
	struct dxgkvmb_command_createntsharedobject *cmd;
	u32 n = info ? info->count : 0;
	u32 len = sizeof(*cmd) + n * sizeof(d3dkmthandle);
	int ret;

	cmd = kvzalloc(len, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	cmd->object = object;
	cmd->allocation_count = n;
	if (n)
		memcpy(cmd + 1, info->handles, n * sizeof(d3dkmthandle));
	ret = dxg_share_call(p, device, DXGK_VMBCOMMAND_CREATENTSHAREDOBJECT,
			     cmd, len, &r, sizeof(r));
	kvfree(cmd);
	if (ret)
		return ret;
	if (!r.nt_handle || r.object_type != kind ||
	    r.allocation_count != n) {
		if (r.nt_handle)
			dxg_nt_destroy(device->adapter->host, r.nt_handle);
		return -EPROTO;
	}
	*nt = r.nt_handle;
	return 0;
}

/*
 * The shareable object named h: a shared resource (its info referenced in
 * *info) or a shared monitored fence.  Its device in *dev (referenced).
 */
static int dxg_share_lookup(struct dxg_process *p, d3dkmthandle h, u32 *kind,
			    struct dxg_res_info **info, struct dxg_device **dev)
{
	struct dxg_resource *res = dxg_handle_get(&p->handles,
						  DXG_OBJ_RESOURCE, h);
	struct dxg_syncobj *so;
	int ret = -EINVAL;

	if (res) {
		if (res->info) {
			kref_get(&res->info->ref);
			*info = res->info;
			*kind = DXGKVMB_NTSHARED_RESOURCE;
			dxg_device_get(res->device);
			*dev = res->device;
			ret = 0;
		}
		dxg_resource_put(res);
		return ret;
	}
	so = dxg_handle_get(&p->handles, DXG_OBJ_SYNCOBJECT, h);
	if (!so)
		return -EINVAL;
	if (so->shared && so->type == D3DDDI_MONITORED_FENCE) {
		*kind = DXGKVMB_NTSHARED_SYNCOBJECT;
		dxg_device_get(so->device);
		*dev = so->device;
		ret = 0;
	}
	dxg_syncobj_put(so);
	return ret;
}

int dxg_ioctl_share_objects(struct dxg_process *p, void *arg)
{
	struct d3dkmt_shareobjects *args = arg;
	struct dxg_res_info *info = NULL;
	struct dxg_device *owner = NULL, *device;
	struct dxg_shared *sh;
	d3dkmthandle h, nt = 0;
	struct file *f;
	u32 kind;
	int fd, ret;

	/* object_attr and desired_access are ignored, as the reference does. */
	if (args->object_count != 1)
		return -EINVAL;
	if (copy_from_user(&h, u64_to_user_ptr(args->objects), sizeof(h)))
		return -EFAULT;
	ret = dxg_share_lookup(p, h, &kind, &info, &owner);
	if (ret)
		return ret;
	device = dxg_device_begin(p, owner->handle);
	if (!IS_ERR(device) && device != owner) {
		dxg_device_end(device);
		device = ERR_PTR(-EINVAL);
	}
	dxg_device_put(owner);
	if (IS_ERR(device)) {
		dxg_res_info_put(info);
		return PTR_ERR(device);
	}
	sh = kzalloc(sizeof(*sh), GFP_KERNEL);
	if (!sh) {
		ret = -ENOMEM;
		goto out;
	}
	ret = dxg_nt_create(p, device, h, kind, info, &nt);
	if (ret)
		goto out;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	dxg_adapter_get(device->adapter);
	dxg_host_get(device->adapter->host);
	sh->adapter = device->adapter;
	sh->host = device->adapter->host;
	sh->nt_handle = nt;
	sh->kind = kind;
	sh->info = info;
	f = anon_inode_getfile(kind == DXGKVMB_NTSHARED_RESOURCE ?
			       "[dxgresource]" : "[dxgsyncobj]",
			       &dxg_shared_fops, sh, O_RDWR | O_CLOEXEC);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		put_unused_fd(fd);
		dxg_shared_free(sh);	/* takes info */
		info = NULL;
		sh = NULL;
		goto out;
	}
	/*
	 * The file owns sh, info and the NT object now.  As the reference
	 * (facts §1.3): the fd goes out as a u64 through shared_handle, a user
	 * pointer; it is installed only once that copy succeeded (the
	 * reference installed it first and leaked it on a failed copy).
	 */
	if (put_user((u64)fd, (u64 __user *)u64_to_user_ptr(args->shared_handle))) {
		put_unused_fd(fd);
		fput(f);	/* its release destroys the NT object */
		dxg_device_end(device);
		return -EFAULT;
	}
	fd_install(fd, f);
	dxg_device_end(device);
	return 0;
out:
	if (nt)
		dxg_nt_destroy(device->adapter->host, nt);
	kfree(sh);
	dxg_res_info_put(info);
	dxg_device_end(device);
	return ret;
}

/* ---- OpenSyncObjectFromNtHandle2 ---- */

#define DXG_OPEN_SYNC_FLAGS (D3DDDI_SYNCOBJ_FLAG_NO_SIGNAL | \
	D3DDDI_SYNCOBJ_FLAG_NO_WAIT)

int dxg_open_shared_fence(struct dxg_process *p, struct dxg_device *device,
			  d3dkmthandle nt, u32 flags, d3dkmthandle *h,
			  u64 *storage, u64 *gpu_va)
{
	struct dxgkvmb_command_opensyncobject cmd = {
		.device = device->handle, .nt_handle = nt, .flags = flags,
	};
	struct dxgkvmb_command_opensyncobject_ret r = { 0 };
	int ret;

	ret = dxg_share_call(p, device, DXGK_VMBCOMMAND_OPENSYNCOBJECT, &cmd,
			     sizeof(cmd), &r, sizeof(r));
	if (ret)
		return ret;
	if (!r.sync_object || r.type != D3DDDI_MONITORED_FENCE) {
		if (r.sync_object)
			dxg_syncobj_destroy_on_host(p, device->adapter,
						    r.sync_object);
		return -EPROTO;
	}
	*h = r.sync_object;
	*storage = r.fence_storage_address;
	*gpu_va = r.fence_gpu_va;
	return 0;
}

int dxg_ioctl_open_syncobj_from_nt_handle2(struct dxg_process *p, void *arg)
{
	struct d3dkmt_opensyncobjectfromnthandle2 *args = arg;
	struct dxg_device *device;
	struct dxg_shared *sh;
	u64 cpu_va = 0, storage, gpu_va;
	d3dkmthandle h;
	struct file *f;
	int ret;

	if (args->flags.value & ~DXG_OPEN_SYNC_FLAGS)
		return -EINVAL;
	sh = dxg_shared_get(args->nt_handle, DXGKVMB_NTSHARED_SYNCOBJECT, &f);
	if (IS_ERR(sh))
		return PTR_ERR(sh);
	device = dxg_shared_device(p, args->device, sh);
	if (IS_ERR(device)) {
		ret = PTR_ERR(device);
		goto out_file;
	}
	ret = dxg_open_shared_fence(p, device, sh->nt_handle, args->flags.value,
				    &h, &storage, &gpu_va);
	if (!ret)
		ret = dxg_syncobj_add_opened(p, device, h, storage, gpu_va,
					     &cpu_va);
	if (!ret) {
		args->sync_object = h;
		args->monitored_fence.fence_value_cpu_va = cpu_va;
		args->monitored_fence.fence_value_gpu_va = gpu_va;
	}
	dxg_device_end(device);
out_file:
	fput(f);
	return ret;
}

/* ---- fences held by sync files (dxg_syncfile.c) ---- */

int dxg_share_fence(struct dxg_process *p, struct dxg_device *device,
		    d3dkmthandle so, d3dkmthandle *nt)
{
	return dxg_nt_create(p, device, so, DXGKVMB_NTSHARED_SYNCOBJECT, NULL,
			     nt);
}

void dxg_share_fence_drop(struct dxg_host *host, d3dkmthandle nt)
{
	dxg_nt_destroy(host, nt);
}

/* ---- QueryResourceInfoFromNtHandle ---- */

int dxg_ioctl_query_resource_info_from_nt_handle(struct dxg_process *p,
						 void *arg)
{
	struct d3dkmt_queryresourceinfofromnthandle *args = arg;
	struct dxg_device *device;
	struct dxg_res_info *info;
	struct dxg_shared *sh;
	struct file *f;
	int ret = 0;

	sh = dxg_shared_get(args->nt_handle, DXGKVMB_NTSHARED_RESOURCE, &f);
	if (IS_ERR(sh))
		return PTR_ERR(sh);
	device = dxg_shared_device(p, args->device, sh);
	if (IS_ERR(device)) {
		ret = PTR_ERR(device);
		goto out_file;
	}
	info = sh->info;
	/* The runtime's data too, where the caller gave room for it. */
	if (args->private_runtime_data &&
	    args->private_runtime_data_size >= info->runtime_size &&
	    copy_to_user(u64_to_user_ptr(args->private_runtime_data),
			 info->runtime, info->runtime_size))
		ret = -EFAULT;
	args->private_runtime_data_size = info->runtime_size;
	args->total_priv_drv_data_size = info->total_size;
	args->resource_priv_drv_data_size = info->res_size;
	args->allocation_count = info->count;
	dxg_device_end(device);
out_file:
	fput(f);
	return ret;
}

/* ---- OpenResourceFromNtHandle ---- */

struct dxg_or {
	struct d3dkmt_openresourcefromnthandle *args;
	struct dxg_res_info *info;
	struct d3dddi_openallocationinfo2 *oai;	/* the user's, copied */
	struct dxgkvmb_command_openresource_ret *reply;
	u32 reply_len;
	struct dxg_resource *res;
	struct dxg_allocation **allocs;
};

/* The caller's buffers must hold what the resource was created with. */
static int dxg_or_check(const struct d3dkmt_openresourcefromnthandle *args,
			const struct dxg_res_info *info)
{
	if (args->allocation_count != info->count ||
	    args->private_runtime_data_size < 0 ||
	    (u32)args->private_runtime_data_size < info->runtime_size ||
	    args->resource_priv_drv_data_size < info->res_size ||
	    args->total_priv_drv_data_size < info->total_size)
		return -EINVAL;
	/* Keyed mutexes are not supported. */
	if (args->keyed_mutex_private_data_size)
		return -EOPNOTSUPP;
	return 0;
}

/* The host's reply: one new allocation per shared one, sizes sane. */
static int dxg_or_make(struct dxg_or *o, struct dxg_device *device)
{
	const struct dxgkvmb_openresource_alloc *ra = (const void *)(o->reply + 1);
	u32 i, n = o->info->count;

	if (!o->reply->resource || o->reply->allocation_count != n)
		return -EPROTO;
	o->res = kzalloc(sizeof(*o->res), GFP_KERNEL);
	if (!o->res)
		return -ENOMEM;
	kref_init(&o->res->ref);
	dxg_device_get(device);
	o->res->device = device;
	o->res->handle = o->reply->resource;
	for (i = 0; i < n; i++) {
		struct dxgkvmb_openresource_alloc r;
		struct dxg_allocation *a;

		memcpy(&r, &ra[i], sizeof(r));
		if (!r.allocation || !r.allocation_size ||
		    r.allocation_size & ~PAGE_MASK)
			return -EPROTO;
		a = kzalloc(sizeof(*a), GFP_KERNEL);
		if (!a)
			return -ENOMEM;
		kref_init(&a->ref);
		mutex_init(&a->lock);
		dxg_device_get(device);
		a->device = device;
		dxg_resource_get(o->res);
		a->resource = o->res;
		a->handle = r.allocation;
		a->size = r.allocation_size;
		o->allocs[i] = a;
	}
	return 0;
}

/*
 * The opener's own record of what the resource was created with: the same
 * private data and its own allocations' handles, so that it can share the
 * resource again (ShareObjects names its allocations to the host).
 */
static int dxg_or_info(struct dxg_or *o)
{
	const struct dxg_res_info *src = o->info;
	struct dxg_res_info *info;
	u32 i;

	info = dxg_res_info_alloc(src->count, src->runtime_size, src->res_size,
				  src->total_size);
	if (!info)
		return -ENOMEM;
	memcpy(info->priv_sizes, src->priv_sizes,
	       src->count * sizeof(*src->priv_sizes));
	/* runtime, res_priv and alloc_priv are one run of bytes. */
	memcpy(info->runtime, src->runtime,
	       (size_t)src->runtime_size + src->res_size + src->total_size);
	for (i = 0; i < src->count; i++)
		info->handles[i] = o->allocs[i]->handle;
	o->res->info = info;
	return 0;
}

/* Copy out the private data and the allocations' handles. */
static int dxg_or_copy_out(struct dxg_or *o)
{
	struct d3dkmt_openresourcefromnthandle *args = o->args;
	const struct dxg_res_info *info = o->info;
	u64 off = 0;
	u32 i;

	if (copy_to_user(u64_to_user_ptr(args->private_runtime_data),
			 info->runtime, info->runtime_size) ||
	    copy_to_user(u64_to_user_ptr(args->resource_priv_drv_data),
			 info->res_priv, info->res_size) ||
	    copy_to_user(u64_to_user_ptr(args->total_priv_drv_data),
			 info->alloc_priv, info->total_size))
		return -EFAULT;
	for (i = 0; i < info->count; i++) {
		struct d3dddi_openallocationinfo2 *oa = &o->oai[i];

		oa->allocation = o->allocs[i]->handle;
		/* Each allocation's data is its part of total_priv_drv_data. */
		oa->priv_drv_data = args->total_priv_drv_data + off;
		oa->priv_drv_data_size = info->priv_sizes[i];
		oa->gpu_va = 0;
		off += info->priv_sizes[i];
	}
	if (copy_to_user(u64_to_user_ptr(args->open_alloc_info), o->oai,
			 info->count * sizeof(*o->oai)))
		return -EFAULT;
	args->private_runtime_data_size = info->runtime_size;
	args->resource_priv_drv_data_size = info->res_size;
	args->total_priv_drv_data_size = info->total_size;
	args->keyed_mutex = 0;
	args->sync_object = 0;
	return 0;
}

/* Publish the resource and its allocations; all or nothing. */
int dxg_ioctl_open_resource_from_nt_handle(struct dxg_process *p, void *arg)
{
	struct d3dkmt_openresourcefromnthandle *args = arg;
	struct dxgkvmb_command_openresource cmd = { 0 };
	struct dxg_or o = { .args = args };
	struct dxg_device *device;
	struct dxg_shared *sh;
	bool on_host = false;
	struct file *f;
	u32 i, n;
	int ret;

	sh = dxg_shared_get(args->nt_handle, DXGKVMB_NTSHARED_RESOURCE, &f);
	if (IS_ERR(sh))
		return PTR_ERR(sh);
	o.info = sh->info;
	n = o.info->count;
	ret = dxg_or_check(args, o.info);
	if (ret)
		goto out_file;
	device = dxg_shared_device(p, args->device, sh);
	if (IS_ERR(device)) {
		ret = PTR_ERR(device);
		goto out_file;
	}
	o.reply_len = sizeof(*o.reply) +
		      n * sizeof(struct dxgkvmb_openresource_alloc);
	o.oai = kvmalloc_array(n, sizeof(*o.oai), GFP_KERNEL);
	o.allocs = kvcalloc(n, sizeof(*o.allocs), GFP_KERNEL);
	o.reply = kvzalloc(o.reply_len, GFP_KERNEL);
	if (!o.oai || !o.allocs || !o.reply) {
		ret = -ENOMEM;
		goto out;
	}
	/* Copied before anything is made: a bad pointer costs nothing. */
	if (copy_from_user(o.oai, u64_to_user_ptr(args->open_alloc_info),
			   n * sizeof(*o.oai))) {
		ret = -EFAULT;
		goto out;
	}
	cmd.device = device->handle;
	cmd.nt_handle = sh->nt_handle;
	cmd.allocation_count = n;
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_OPENRESOURCE, &cmd,
			      sizeof(cmd), o.reply, o.reply_len);
	if (!ret && o.reply->status < 0)
		ret = dxg_ntstatus_to_errno(o.reply->status);
	if (ret)
		goto out;
	on_host = o.reply->resource != 0;
	ret = dxg_or_make(&o, device);
	if (!ret)
		ret = dxg_or_info(&o);
	if (!ret)
		ret = dxg_or_copy_out(&o);
	if (!ret)
		ret = dxg_publish_allocs(p, o.res, o.allocs, o.info->count);
	if (!ret)
		args->resource = o.res->handle;
out:
	/* Roll the host back: nothing half-built survives. */
	if (ret && on_host)
		dxg_destroy_allocs_on_host(p, device, o.reply->resource, NULL, 0);
	for (i = 0; o.allocs && i < n; i++)
		if (o.allocs[i])
			dxg_allocation_put(o.allocs[i]);
	if (o.res)
		dxg_resource_put(o.res);
	kvfree(o.allocs);
	kvfree(o.oai);
	kvfree(o.reply);
	dxg_device_end(device);
out_file:
	fput(f);
	return ret;
}

/* ---- ShareObjectWithHost ---- */

int dxg_ioctl_share_object_with_host(struct dxg_process *p, void *arg)
{
	struct d3dkmt_shareobjectwithhost *args = arg;
	struct dxgkvmb_command_shareobjectwithhost cmd = { 0 };
	struct dxgkvmb_command_shareobjectwithhost_ret r = { 0 };
	struct dxg_device *device;
	struct dxg_resource *res;
	struct dxg_syncobj *so;
	bool ok = false;
	int ret;

	if (args->reserved)
		return -EINVAL;
	device = dxg_device_begin(p, args->device_handle);
	if (IS_ERR(device))
		return PTR_ERR(device);
	res = dxg_handle_get(&p->handles, DXG_OBJ_RESOURCE, args->object_handle);
	if (res) {
		ok = res->device == device;
		dxg_resource_put(res);
	} else {
		so = dxg_handle_get(&p->handles, DXG_OBJ_SYNCOBJECT,
				    args->object_handle);
		if (so) {
			ok = so->device == device;
			dxg_syncobj_put(so);
		}
	}
	if (!ok) {
		ret = -EINVAL;
		goto out;
	}
	cmd.device = device->handle;
	cmd.object = args->object_handle;
	ret = dxg_share_call(p, device, DXGK_VMBCOMMAND_SHAREOBJECTWITHHOST,
			     &cmd, sizeof(cmd), &r, sizeof(r));
	if (!ret && !r.object_vail_nt_handle)
		ret = -EPROTO;
	if (!ret)
		args->object_vail_nt_handle = r.object_vail_nt_handle;
out:
	dxg_device_end(device);
	return ret;
}
