// SPDX-License-Identifier: GPL-2.0
/*
 * Processes: one per open file of /dev/dxg.
 *
 * A process belongs to the thread group that opened the file; the ioctl
 * dispatcher refuses every other caller.  Its host process on a given host
 * is created when the file is opened, on every host present then, and
 * on a host that appears later by the first command that needs one
 * (CREATEPROCESS, with a per-open 64-bit id as the cookie: kernel pointers
 * never go to a host).  At release every
 * local object is dropped and each host is told DESTROYPROCESS; the host
 * frees whatever the process still owned there.
 */

#include <linux/atomic.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "dxg.h"

struct dxg_process_host {
	struct list_head node;		/* p->hosts */
	struct list_head host_node;	/* host->procs, host->procs_lock */
	struct dxg_process *p;
	struct dxg_host *host;		/* referenced */
	d3dkmthandle handle;		/* the host's process handle */
};

struct dxg_process *dxg_process_create(void)
{
	struct dxg_process *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->tgid = get_pid(task_tgid(current));
	p->id = dxg_registry_next_process_id();
	mutex_init(&p->lock);
	mutex_init(&p->sysmem_lock);
	INIT_LIST_HEAD(&p->sysmem_pins);
	INIT_LIST_HEAD(&p->hosts);
	spin_lock_init(&p->grant_lock);
	INIT_LIST_HEAD(&p->grants);
	dxg_handle_table_init(&p->handles);
	p->map_file = dxg_registry_map_file(p);
	if (IS_ERR(p->map_file)) {
		put_pid(p->tgid);
		kfree(p);
		return NULL;
	}
	return p;
}

static int dxg_process_create_on_host(struct dxg_process *p,
				      struct dxg_host *host, d3dkmthandle *out)
{
	struct dxgkvmb_command_createprocess *cmd;
	struct dxgkvmb_command_createprocess_ret r = { 0 };
	char comm[TASK_COMM_LEN];
	unsigned int i;
	int ret;

	cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	cmd->process = p->id;
	cmd->process_id = pid_nr(p->tgid);
	get_task_comm(comm, current);
	for (i = 0; i < TASK_COMM_LEN && comm[i]; i++)
		cmd->process_name[i] = (u8)comm[i];
	cmd->flags = DXG_CREATEPROCESS_LINUX;

	ret = dxg_call(host, NULL, 0, DXGK_VMBCOMMAND_CREATEPROCESS, cmd,
		       sizeof(*cmd), &r, dxg_handle_reply_size(host));
	kfree(cmd);
	if (ret)
		return ret;
	return dxg_reply_handle(host, &r, out);
}

int dxg_process_host_handle(struct dxg_process *p, struct dxg_host *host,
			    d3dkmthandle *out)
{
	struct dxg_process_host *link;
	int ret;

	mutex_lock(&p->lock);
	list_for_each_entry(link, &p->hosts, node) {
		if (link->host == host) {
			*out = link->handle;
			mutex_unlock(&p->lock);
			return 0;
		}
	}
	link = kzalloc(sizeof(*link), GFP_KERNEL);
	if (!link) {
		ret = -ENOMEM;
		goto out;
	}
	/* Held across the round trip: one CREATEPROCESS per host. */
	ret = dxg_process_create_on_host(p, host, &link->handle);
	if (ret) {
		kfree(link);
		goto out;
	}
	dxg_host_get(host);
	link->host = host;
	link->p = p;
	list_add_tail(&link->node, &p->hosts);
	mutex_lock(&host->procs_lock);
	list_add_tail(&link->host_node, &host->procs);
	mutex_unlock(&host->procs_lock);
	*out = link->handle;
out:
	mutex_unlock(&p->lock);
	return ret;
}

int dxg_process_host_handle_by_pid(struct dxg_host *host, struct pid *pid,
				   d3dkmthandle *out)
{
	struct dxg_process_host *link;
	int ret = -EINVAL;

	mutex_lock(&host->procs_lock);
	list_for_each_entry(link, &host->procs, host_node) {
		if (link->p->tgid == pid) {
			*out = link->handle;
			ret = 0;
			break;
		}
	}
	mutex_unlock(&host->procs_lock);
	return ret;
}

unsigned int dxg_process_list_users(struct dxg_adapter *a, u32 *pids,
				    unsigned int max)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct dxg_host *host = a->host;
	struct dxg_process_host *link;
	unsigned int n = 0, i;

	mutex_lock(&host->procs_lock);
	list_for_each_entry(link, &host->procs, host_node) {
		struct dxg_process *p = link->p;
		u32 nr;

		/* As the reference: processes of the caller's namespace. */
		if (ns_of_pid(p->tgid) != ns ||
		    !dxg_handle_holds_local(&p->handles, DXG_OBJ_ADAPTER, a))
			continue;
		nr = pid_nr_ns(p->tgid, ns);
		/* A thread group with several opens is listed once. */
		for (i = 0; i < min(n, max); i++)
			if (pids[i] == nr)
				break;
		if (i < min(n, max))
			continue;
		if (n < max)
			pids[n] = nr;
		n++;
	}
	mutex_unlock(&host->procs_lock);
	return n;
}

/* Create the process on every host present now (at open). */
int dxg_process_attach_hosts(struct dxg_process *p)
{
	struct dxg_host *hosts[DXG_MAX_HOSTS];
	unsigned int i, n = dxg_registry_hosts(hosts, ARRAY_SIZE(hosts));
	d3dkmthandle h;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (!ret)
			ret = dxg_process_host_handle(p, hosts[i], &h);
		dxg_host_put(hosts[i]);
	}
	return ret;
}

void dxg_process_destroy(struct dxg_process *p)
{
	struct dxg_process_host *link, *tmp;

	/*
	 * Before the objects that hold them are freed (dxg_memory.c).  The
	 * sync files of the process fail before its objects go on the host.
	 */
	list_for_each_entry(link, &p->hosts, node) {
		dxg_host_forget_maps(link->host, p->map_file->f_mapping);
		dxg_host_events_fail_fences(link->host, p, NULL, NULL,
					    -ECANCELED);
		/* Nobody looks into the handle table from now on. */
		mutex_lock(&link->host->procs_lock);
		list_del(&link->host_node);
		mutex_unlock(&link->host->procs_lock);
	}
	dxg_handle_table_destroy(&p->handles);
	/*
	 * Every mapping was unmapped with its object; zap the whole inode
	 * once more so no page of IO space stays reachable once the host may
	 * reuse it, then let the VMAs (if any are left) outlive the process.
	 */
	unmap_mapping_range(p->map_file->f_mapping, 0, 0, 1);
	p->map_file->private_data = NULL;
	fput(p->map_file);

	list_for_each_entry_safe(link, tmp, &p->hosts, node) {
		struct dxgkvmb_command_destroyprocess cmd = { };

		if (dxg_host_active(link->host))
			dxg_call_status(link->host, NULL, link->handle,
					DXGK_VMBCOMMAND_DESTROYPROCESS,
					&cmd, sizeof(cmd));
		/* The host dropped our waits with the process: free their events. */
		dxg_host_events_drop(link->host, p);
		list_del(&link->node);
		dxg_host_put(link->host);
		kfree(link);
	}
	/* Every host dropped the process's objects (or is gone): unpin. */
	dxg_sysmem_release_all(p);
	put_pid(p->tgid);
	kfree(p);
}
