// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process handle tables.
 *
 * Adapter handles are made by the guest: indices are allocated cyclically
 * over [1, 2^24 - 1] from a random starting point and encoded with a
 * generation that advances each time the allocator wraps, so a closed
 * handle is not valid again for 255 wraps of the index space.  Every other
 * handle is the host's value, mirrored exactly: the table is keyed by the
 * handle's index (at most 2^24 - 1 by construction), a duplicate is
 * refused, and nothing is sized after a host-chosen value.
 *
 * Every entry records its owner, its type and its exact value; a lookup
 * must match all three.  Each entry holds one reference on its object; a
 * lookup takes another, under the table lock, and the caller drops it
 * outside any spinlock.
 */

#include <linux/random.h>
#include <linux/slab.h>

#include "dxg.h"

struct dxg_handle_entry {
	d3dkmthandle handle;
	enum dxg_obj_type type;
	struct dxg_process *owner;
	void *obj;
	struct list_head reap;		/* dxg_handle_remove_contexts() */
};

void dxg_handle_table_init(struct dxg_handle_table *t)
{
	xa_init_flags(&t->local, XA_FLAGS_ALLOC1);
	xa_init(&t->host);
	t->next = get_random_u32_below(DXG_HANDLE_MAX_INDEX) + 1;
	t->generation = 1;
}

static void dxg_obj_get(enum dxg_obj_type type, void *obj)
{
	switch (type) {
	case DXG_OBJ_ADAPTER:
		dxg_adapter_get(obj);
		break;
	case DXG_OBJ_DEVICE:
		dxg_device_get(obj);
		break;
	case DXG_OBJ_CONTEXT:
		dxg_context_get(obj);
		break;
	case DXG_OBJ_RESOURCE:
		dxg_resource_get(obj);
		break;
	case DXG_OBJ_ALLOCATION:
		dxg_allocation_get(obj);
		break;
	case DXG_OBJ_PAGINGQUEUE:
		dxg_pagingqueue_get(obj);
		break;
	case DXG_OBJ_SYNCOBJECT:
		dxg_syncobj_get(obj);
		break;
	case DXG_OBJ_HWQUEUE:
		dxg_hwqueue_get(obj);
		break;
	}
}

void dxg_obj_put(enum dxg_obj_type type, void *obj)
{
	switch (type) {
	case DXG_OBJ_ADAPTER:
		dxg_adapter_put(obj);
		break;
	case DXG_OBJ_DEVICE:
		dxg_device_put(obj);
		break;
	case DXG_OBJ_CONTEXT:
		dxg_context_put(obj);
		break;
	case DXG_OBJ_RESOURCE:
		dxg_resource_put(obj);
		break;
	case DXG_OBJ_ALLOCATION:
		dxg_allocation_put(obj);
		break;
	case DXG_OBJ_PAGINGQUEUE:
		dxg_pagingqueue_put(obj);
		break;
	case DXG_OBJ_SYNCOBJECT:
		dxg_syncobj_put(obj);
		break;
	case DXG_OBJ_HWQUEUE:
		dxg_hwqueue_put(obj);
		break;
	}
}

static void dxg_table_drain(struct xarray *xa)
{
	struct dxg_handle_entry *e;
	unsigned long index;

	xa_for_each(xa, index, e) {
		xa_erase(xa, index);
		dxg_obj_put(e->type, e->obj);
		kfree(e);
	}
	xa_destroy(xa);
}

bool dxg_handle_holds_local(struct dxg_handle_table *t, enum dxg_obj_type type,
			    const void *obj)
{
	struct dxg_handle_entry *e;
	unsigned long index;
	bool found = false;

	/* Entries are erased under the lock before they are freed. */
	xa_lock(&t->local);
	xa_for_each(&t->local, index, e) {
		if (e->type == type && e->obj == obj) {
			found = true;
			break;
		}
	}
	xa_unlock(&t->local);
	return found;
}

/* Only at process release: no concurrent users remain. */
void dxg_handle_table_destroy(struct dxg_handle_table *t)
{
	/* Contexts first: they reference devices, which reference adapters. */
	struct dxg_handle_entry *e;
	unsigned long index;

	xa_for_each(&t->host, index, e) {
		if (e->type != DXG_OBJ_CONTEXT)
			continue;
		xa_erase(&t->host, index);
		dxg_obj_put(e->type, e->obj);
		kfree(e);
	}
	dxg_table_drain(&t->host);
	dxg_table_drain(&t->local);
}

int dxg_handle_alloc_local(struct dxg_handle_table *t, struct dxg_process *owner,
			   enum dxg_obj_type type, void *obj, d3dkmthandle *out)
{
	struct dxg_handle_entry *e;
	u32 index;
	int ret;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->type = type;
	e->owner = owner;
	e->obj = obj;

	xa_lock(&t->local);
	ret = __xa_alloc_cyclic(&t->local, &index, e,
				XA_LIMIT(1, DXG_HANDLE_MAX_INDEX), &t->next,
				GFP_KERNEL);
	if (ret >= 0) {
		if (ret == 1)	/* wrapped: every index may be reused now */
			t->generation = dxg_handle_next_generation(t->generation);
		e->handle = dxg_handle_make(index, t->generation);
		*out = e->handle;
	}
	xa_unlock(&t->local);
	if (ret < 0) {
		kfree(e);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	dxg_obj_get(type, obj);
	return 0;
}

int dxg_handle_insert_host(struct dxg_handle_table *t, struct dxg_process *owner,
			   enum dxg_obj_type type, void *obj, d3dkmthandle h)
{
	struct dxg_handle_entry *e;
	u32 index = dxg_handle_index(h);
	int ret;

	if (!index)
		return -EPROTO;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->handle = h;
	e->type = type;
	e->owner = owner;
	e->obj = obj;
	dxg_obj_get(type, obj);
	ret = xa_insert(&t->host, index, e, GFP_KERNEL);
	if (ret) {
		dxg_obj_put(type, obj);
		kfree(e);
		/* -EBUSY: the host handed out a handle that is still live. */
		return ret == -EBUSY ? -EPROTO : ret;
	}
	return 0;
}

static struct xarray *dxg_handle_xa(struct dxg_handle_table *t,
				    enum dxg_obj_type type)
{
	return type == DXG_OBJ_ADAPTER ? &t->local : &t->host;
}

static bool dxg_handle_match(const struct dxg_handle_entry *e,
			     enum dxg_obj_type type, d3dkmthandle h)
{
	return e && e->type == type && e->handle == h;
}

/* Returns the object with a reference, or NULL. */
void *dxg_handle_get(struct dxg_handle_table *t, enum dxg_obj_type type,
		     d3dkmthandle h)
{
	struct xarray *xa = dxg_handle_xa(t, type);
	struct dxg_handle_entry *e;
	void *obj = NULL;

	if (!h)
		return NULL;
	xa_lock(xa);
	e = xa_load(xa, dxg_handle_index(h));
	if (dxg_handle_match(e, type, h)) {
		obj = e->obj;
		dxg_obj_get(type, obj);
	}
	xa_unlock(xa);
	return obj;
}

/* Unpublishes the handle; returns its object with the table's reference. */
void *dxg_handle_remove(struct dxg_handle_table *t, enum dxg_obj_type type,
			d3dkmthandle h)
{
	struct xarray *xa = dxg_handle_xa(t, type);
	struct dxg_handle_entry *e;
	void *obj = NULL;

	if (!h)
		return NULL;
	xa_lock(xa);
	e = xa_load(xa, dxg_handle_index(h));
	if (dxg_handle_match(e, type, h))
		__xa_erase(xa, dxg_handle_index(h));
	else
		e = NULL;
	xa_unlock(xa);
	if (e) {
		obj = e->obj;
		kfree(e);
	}
	return obj;
}

/* Unpublish (and release) every context of a device being destroyed. */
void dxg_handle_remove_contexts(struct dxg_handle_table *t,
				const struct dxg_device *device)
{
	struct dxg_handle_entry *e, *tmp;
	unsigned long index;
	LIST_HEAD(reap);

	xa_lock(&t->host);
	xa_for_each(&t->host, index, e) {
		struct dxg_context *ctx = e->obj;

		if (e->type != DXG_OBJ_CONTEXT || ctx->device != device)
			continue;
		__xa_erase(&t->host, index);
		list_add_tail(&e->reap, &reap);
	}
	xa_unlock(&t->host);

	list_for_each_entry_safe(e, tmp, &reap, reap) {
		dxg_obj_put(e->type, e->obj);
		kfree(e);
	}
}

unsigned int dxg_handle_remove_matching(struct dxg_handle_table *t,
					enum dxg_obj_type type,
					bool (*match)(void *obj, const void *arg),
					const void *arg, void **list,
					unsigned int max)
{
	struct dxg_handle_entry *e, *tmp;
	unsigned long index;
	unsigned int n = 0;
	LIST_HEAD(reap);

	xa_lock(&t->host);
	xa_for_each(&t->host, index, e) {
		if (n == max)
			break;
		if (e->type != type || !match(e->obj, arg))
			continue;
		__xa_erase(&t->host, index);
		list_add_tail(&e->reap, &reap);
		list[n++] = e->obj;
	}
	xa_unlock(&t->host);

	list_for_each_entry_safe(e, tmp, &reap, reap)
		kfree(e);
	return n;
}
