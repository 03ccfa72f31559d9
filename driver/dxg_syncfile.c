// SPDX-License-Identifier: GPL-2.0
/*
 * Sync files: a monitored fence reaching a value, as a dma_fence in a
 * sync_file (docs/sync.md section 7).
 *
 * CreateSyncFile makes a sync point: a dma_fence of ours (dxg_fence_ops,
 * seqno = the value, on the sync object's own fence context, so the values
 * of one monitored fence form one timeline) whose host event is registered
 * with WAITFORSYNCOBJECTFROMCPU, as an asynchronous CPU wait is.  When the
 * host signals the event the fence is signalled; when what it waits for
 * goes away first (the sync object, its device, its process, the host) it
 * is signalled with an error (-ECANCELED, or -ENODEV for the host), so no
 * consumer waits forever.
 *
 * WaitSyncFile and OpenSyncObjectFromSyncFile accept only a sync_file every
 * fence of which is one of ours (fence->ops == &dxg_fence_ops, checked on
 * each fence of an array or chain): anything else is refused before any
 * fence is taken for a sync point (the reference's type confusion, facts
 * section 8.11).  A sync point names its sync object, which belongs to the
 * process that created it.  Another process reaches it on the host only
 * when the fence is shared (created SHARED | NT_SECURITY_SHARING, or
 * opened from an NT handle): such a sync point holds a host NT shared
 * object of the fence (`nt`, made at CreateSyncFile, destroyed with the
 * sync point), and the other process opens the fence through it:
 * WaitSyncFile opens a temporary object, queues the GPU wait on it and
 * destroys it at once (the host's wait holds the fence itself, docs/sync.md
 * section 2), OpenSyncObjectFromSyncFile gives it an object of its own.
 * Another process's sync point of a fence that is not shared: -EOPNOTSUPP.
 *
 * Lifetime: dma-fence counts the references (the sync_file, consumers,
 * merged arrays).  The event table does not hold one: the last put may
 * come in any context, so the release callback only queues the sync
 * point's work, which unlinks the event, drops the sync object and frees
 * the fence after an RCU grace period.  Each live sync point holds a module
 * reference (the fence's ops live here), dropped by the release callback
 * as its last step, so that rmmod works as soon as the last sync file is
 * closed; the work runs on our own workqueue, which module exit destroys
 * (running what is still queued) before the module's code goes.
 *
 * Lock order: the ioctls take dxg_device.lock (read) across the host round
 * trip, then dxg_host.event_lock (spinlock) briefly; event_lock is never
 * held while a fence is signalled (dxg_event.c claims the record under it
 * and signals after), so the fence's lock (a spinlock per sync point, taken
 * by dma-fence with interrupts off) is a leaf: our fence ops take no lock.
 */

#include <linux/dma-fence.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/workqueue.h>

#include "dxg.h"

struct dxg_syncpoint {
	struct dma_fence base;
	spinlock_t lock;		/* the fence's */
	struct dxg_host_event ev;	/* ev.fence = &base, ev.so = so */
	struct dxg_syncobj *so;		/* referenced */
	d3dkmthandle nt;		/* shared fences: the host NT object */
	u64 owner_id;			/* dxg_process.id of its creator */
	struct work_struct release;
};

static struct workqueue_struct *dxg_fence_wq;

static const char *dxg_fence_driver_name(struct dma_fence *fence)
{
	return "dxgkrnl";
}

static const char *dxg_fence_timeline_name(struct dma_fence *fence)
{
	return "dxg_monitored_fence";
}

static void dxg_syncpoint_release_work(struct work_struct *work)
{
	struct dxg_syncpoint *sp = container_of(work, struct dxg_syncpoint,
						release);
	struct dxg_host *host = sp->so->device->adapter->host;

	/* Never signalled: the host's event will find no record. */
	dxg_host_event_remove(host, &sp->ev);
	if (sp->nt)
		dxg_share_fence_drop(host, sp->nt);
	dxg_syncobj_put(sp->so);
	kfree_rcu(sp, base.rcu);
}

/* Any context: the rest waits for the work. */
static void dxg_fence_release(struct dma_fence *fence)
{
	struct dxg_syncpoint *sp = container_of(fence, struct dxg_syncpoint,
						base);

	queue_work(dxg_fence_wq, &sp->release);
	module_put(THIS_MODULE);	/* last: see the header */
}

static const struct dma_fence_ops dxg_fence_ops = {
	.use_64bit_seqno = true,
	.get_driver_name = dxg_fence_driver_name,
	.get_timeline_name = dxg_fence_timeline_name,
	.release = dxg_fence_release,
};

int dxg_syncfile_init(void)
{
	dxg_fence_wq = alloc_workqueue("dxg_fence", 0, 0);
	return dxg_fence_wq ? 0 : -ENOMEM;
}

void dxg_syncfile_exit(void)
{
	destroy_workqueue(dxg_fence_wq);
}

/* The sync object of a monitored-fence handle of device (referenced). */
static struct dxg_syncobj *dxg_fence_get(struct dxg_process *p,
					 struct dxg_device *device,
					 d3dkmthandle h)
{
	struct dxg_syncobj *so = dxg_handle_get(&p->handles,
						DXG_OBJ_SYNCOBJECT, h);

	if (so && (so->device != device ||
		   so->type != D3DDDI_MONITORED_FENCE)) {
		dxg_syncobj_put(so);
		so = NULL;
	}
	return so;
}

/* Is so still published in p's table (not destroyed)? */
static bool dxg_syncobj_published(struct dxg_process *p,
				  struct dxg_syncobj *so)
{
	struct dxg_syncobj *cur = dxg_handle_get(&p->handles,
						 DXG_OBJ_SYNCOBJECT,
						 so->handle);

	if (cur)
		dxg_syncobj_put(cur);
	return cur == so;
}

/* WAITFORSYNCOBJECTFROMCPU for the sync point: objects[1], values[1]. */
static int dxg_syncpoint_register(struct dxg_process *p,
				  struct dxg_device *device,
				  struct dxg_syncpoint *sp)
{
	struct dxgkvmb_command_waitforsyncobjectfromcpu cmd = {
		.device = device->handle,
		.object_count = 1,
	};
	u8 buf[sizeof(cmd) + sizeof(d3dkmthandle) + sizeof(u64)];
	struct dxg_host *host = device->adapter->host;
	u64 value = sp->base.seqno;
	int ret;

	/* Pending before the host can possibly signal it. */
	dxg_host_event_add(host, &sp->ev);
	cmd.guest_event_pointer = sp->ev.id;
	memcpy(buf, &cmd, sizeof(cmd));
	memcpy(buf + sizeof(cmd), &sp->so->handle, sizeof(d3dkmthandle));
	memcpy(buf + sizeof(cmd) + sizeof(d3dkmthandle), &value, sizeof(value));
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMCPU,
			      buf, sizeof(buf), NULL, 0);
	if (ret > 0)
		ret = 0;
	if (ret)
		dxg_host_event_remove(host, &sp->ev);
	return ret;
}

int dxg_ioctl_create_sync_file(struct dxg_process *p, void *arg)
{
	struct d3dkmt_createsyncfile *args = arg;
	struct dxg_syncpoint *sp = NULL;
	struct dxg_device *device;
	struct sync_file *sf;
	struct dxg_syncobj *so;
	int fd, ret;

	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	so = dxg_fence_get(p, device, args->monitored_fence);
	if (!so) {
		ret = -EINVAL;
		goto out;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		dxg_syncobj_put(so);
		goto out;
	}
	sp = kzalloc(sizeof(*sp), GFP_KERNEL);
	if (!sp) {
		ret = -ENOMEM;
		put_unused_fd(fd);
		dxg_syncobj_put(so);
		goto out;
	}
	spin_lock_init(&sp->lock);
	INIT_WORK(&sp->release, dxg_syncpoint_release_work);
	INIT_LIST_HEAD(&sp->ev.node);
	sp->ev.owner = p;
	sp->ev.oneshot = true;
	sp->ev.fence = &sp->base;
	sp->ev.so = so;
	sp->so = so;			/* the lookup's reference */
	sp->owner_id = p->id;
	__module_get(THIS_MODULE);	/* dropped by dxg_fence_release() */
	dma_fence_init(&sp->base, &dxg_fence_ops, &sp->lock, so->fence_context,
		       args->fence_value);
	/* Other processes reach a shared fence through this NT object. */
	if (so->shared) {
		ret = dxg_share_fence(p, device, so->handle, &sp->nt);
		if (ret) {
			put_unused_fd(fd);
			goto out_put;
		}
	}

	sf = sync_file_create(&sp->base);
	if (!sf) {
		ret = -ENOMEM;
		put_unused_fd(fd);
		goto out_put;
	}
	ret = dxg_syncpoint_register(p, device, sp);
	if (ret) {
		fput(sf->file);
		put_unused_fd(fd);
		goto out_put;
	}
	/*
	 * DestroySynchronizationObject unpublishes the object, then fails
	 * its pending sync files: if it ran before this one was pending, it
	 * missed it.
	 */
	if (!dxg_syncobj_published(p, so))
		dxg_host_events_fail_fences(device->adapter->host, p, NULL, so,
					    -ECANCELED);
	args->sync_file_handle = fd;
	fd_install(fd, sf->file);
out_put:
	dma_fence_put(&sp->base);	/* the sync_file holds it now */
out:
	dxg_device_end(device);
	return ret;
}

/*
 * The fence of sync-file descriptor fd, referenced: -EBADF if fd is no open
 * file, -EINVAL if it is not a sync_file.
 */
static struct dma_fence *dxg_sync_file_fence(u64 fd)
{
	struct dma_fence *fence;
	struct file *f;

	if (fd > INT_MAX)
		return ERR_PTR(-EBADF);
	f = fget((int)fd);
	if (!f)
		return ERR_PTR(-EBADF);
	fput(f);
	fence = sync_file_get_fence((int)fd);
	return fence ? fence : ERR_PTR(-EINVAL);
}

/*
 * Every fence in head ours?  Their number in *count.  The iterator holds a
 * reference on head until it has run to its end: no loop over it stops
 * early.
 */
static bool dxg_fences_ours(struct dma_fence *head, unsigned int *count)
{
	struct dma_fence_unwrap iter;
	struct dma_fence *f;
	bool ours = true;

	*count = 0;
	dma_fence_unwrap_for_each(f, &iter, head) {
		ours &= f->ops == &dxg_fence_ops;
		(*count)++;
	}
	return ours;
}

static struct dxg_syncpoint *to_syncpoint(struct dma_fence *f)
{
	return container_of(f, struct dxg_syncpoint, base);
}

/*
 * Can p use sync point sp on device?  0: it is p's own (its sync object
 * still published, of device); 1: another process's, of a shared fence on
 * device's adapter, to be opened through sp->nt; else an error.
 */
static int dxg_syncpoint_check(struct dxg_process *p, struct dxg_device *device,
			       struct dxg_syncpoint *sp)
{
	if (sp->owner_id != p->id) {
		if (!sp->nt)
			return -EOPNOTSUPP;	/* not shared: unreachable */
		return sp->so->device->adapter == device->adapter ? 1 : -EINVAL;
	}
	if (sp->so->device != device || !dxg_syncobj_published(p, sp->so))
		return -EINVAL;
	return 0;
}

/*
 * What WaitSyncFile waits for: (object, highest value) pairs; `nt[i]` set
 * names another process's fence by its NT object, replaced by a temporary
 * object of the caller before the wait is sent.
 */
struct dxg_wait_set {
	d3dkmthandle h[D3DDDI_MAX_OBJECT_WAITED_ON];
	u64 v[D3DDDI_MAX_OBJECT_WAITED_ON];
	bool nt[D3DDDI_MAX_OBJECT_WAITED_ON];
	u32 n;
};

static int dxg_wait_set_add(struct dxg_wait_set *w, d3dkmthandle h, bool nt,
			    u64 v)
{
	u32 i;

	for (i = 0; i < w->n && (w->h[i] != h || w->nt[i] != nt); i++)
		;
	if (i < w->n) {
		w->v[i] = max(w->v[i], v);
		return 0;
	}
	if (w->n == ARRAY_SIZE(w->h))
		return -EINVAL;
	w->h[w->n] = h;
	w->nt[w->n] = nt;
	w->v[w->n++] = v;
	return 0;
}

/*
 * The GPU wait of the set on context: other processes' fences are opened
 * for it and their objects destroyed right after it was queued.
 */
static int dxg_wait_set_send(struct dxg_process *p, struct dxg_device *device,
			     d3dkmthandle context, struct dxg_wait_set *w)
{
	u64 storage, gpu_va;
	u32 i, opened;
	int ret = 0;

	for (opened = 0; opened < w->n && !ret; opened++) {
		if (w->nt[opened])
			ret = dxg_open_shared_fence(p, device, w->h[opened],
						    D3DDDI_SYNCOBJ_FLAG_NO_SIGNAL,
						    &w->h[opened], &storage,
						    &gpu_va);
	}
	if (ret)
		opened--;		/* the one that failed is not open */
	else
		ret = dxg_send_wait_from_gpu(p, device, context, w->h, w->v,
					     w->n);
	for (i = 0; i < opened; i++)
		if (w->nt[i])
			dxg_syncobj_destroy_on_host(p, device->adapter, w->h[i]);
	return ret;
}

int dxg_ioctl_wait_sync_file(struct dxg_process *p, void *arg)
{
	struct d3dkmt_waitsyncfile *args = arg;
	struct dma_fence_unwrap iter;
	struct dxg_wait_set *w;
	struct dma_fence *fence, *f;
	struct dxg_device *device;
	unsigned int count;
	int ret = 0;

	if (args->reserved)
		return -EINVAL;
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	fence = dxg_sync_file_fence(args->sync_file_handle);
	if (IS_ERR(fence)) {
		kfree(w);
		return PTR_ERR(fence);
	}
	if (!dxg_fences_ours(fence, &count)) {
		ret = -EINVAL;
		goto out_fence;
	}
	device = dxg_ctx_device_begin(p, args->context);
	if (IS_ERR(device)) {
		ret = PTR_ERR(device);
		goto out_fence;
	}
	/*
	 * One (object, highest value) per fence not yet signalled; the loop
	 * runs to its end (see dxg_fences_ours()).
	 */
	dma_fence_unwrap_for_each(f, &iter, fence) {
		struct dxg_syncpoint *sp = to_syncpoint(f);
		int kind;

		if (ret || dma_fence_is_signaled(f))
			continue;
		kind = dxg_syncpoint_check(p, device, sp);
		if (kind < 0)
			ret = kind;
		else
			ret = dxg_wait_set_add(w, kind ? sp->nt : sp->so->handle,
					       kind, f->seqno);
	}
	if (!ret && w->n)
		ret = dxg_wait_set_send(p, device, args->context, w);
	dxg_device_end(device);
out_fence:
	dma_fence_put(fence);
	kfree(w);
	return ret;
}

int dxg_ioctl_open_syncobj_from_sync_file(struct dxg_process *p, void *arg)
{
	struct d3dkmt_opensyncobjectfromsyncfile *args = arg;
	struct dma_fence_unwrap iter;
	struct dma_fence *fence, *f;
	struct dxg_syncpoint *sp = NULL;
	u64 cpu_va = 0, storage, gpu_va;
	struct dxg_device *device;
	unsigned int count;
	d3dkmthandle h;
	int ret;

	fence = dxg_sync_file_fence(args->sync_file_handle);
	if (IS_ERR(fence))
		return PTR_ERR(fence);
	/* Exactly one fence of ours: one sync object and value. */
	if (!dxg_fences_ours(fence, &count) || count != 1) {
		ret = -EINVAL;
		goto out_fence;
	}
	dma_fence_unwrap_for_each(f, &iter, fence)
		sp = to_syncpoint(f);
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device)) {
		ret = PTR_ERR(device);
		goto out_fence;
	}
	ret = dxg_syncpoint_check(p, device, sp);
	if (ret == 0) {
		/* The process's own object: its handle, no new one. */
		args->syncobj = sp->so->handle;
		args->fence_value = sp->base.seqno;
		args->fence_value_cpu_va = sp->so->fence_cpu_va;
		args->fence_value_gpu_va = sp->so->fence_gpu_va;
	} else if (ret == 1) {
		/* Another process's shared fence: an object of p's own. */
		ret = dxg_open_shared_fence(p, device, sp->nt, 0, &h, &storage,
					    &gpu_va);
		if (!ret)
			ret = dxg_syncobj_add_opened(p, device, h, storage,
						     gpu_va, &cpu_va);
		if (!ret) {
			args->syncobj = h;
			args->fence_value = sp->base.seqno;
			args->fence_value_cpu_va = cpu_va;
			args->fence_value_gpu_va = gpu_va;
		}
	}
	dxg_device_end(device);
out_fence:
	dma_fence_put(fence);
	return ret;
}
