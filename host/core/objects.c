// SPDX-License-Identifier: MIT
#include "core/objects.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dxg/ntstatus.h"

int dxg_objects_init(struct dxg_objects *o, uint32_t max_objects)
{
	memset(o, 0, sizeof(*o));
	return dxg_ht_init(&o->ht, max_objects);
}

void dxg_objects_fini(struct dxg_objects *o)
{
	dxg_objects_reset(o);
	dxg_ht_destroy(&o->ht);
}

uint32_t dxg_objects_reset(struct dxg_objects *o)
{
	uint32_t freed = 0;

	while (o->roots)
		freed += dxg_obj_destroy(o, o->roots);
	return freed;
}

static struct dxg_obj **sibling_head(struct dxg_objects *o, struct dxg_obj *parent)
{
	return parent ? &parent->children : &o->roots;
}

static void link_obj(struct dxg_obj **head, struct dxg_obj *obj)
{
	obj->prev = NULL;
	obj->next = *head;
	if (*head)
		(*head)->prev = obj;
	*head = obj;
}

static void unlink_obj(struct dxg_obj **head, struct dxg_obj *obj)
{
	if (obj->prev)
		obj->prev->next = obj->next;
	else
		*head = obj->next;
	if (obj->next)
		obj->next->prev = obj->prev;
}

int32_t dxg_obj_create(struct dxg_objects *o, enum dxg_obj_type type,
		       struct dxg_obj *parent, const struct dxg_adapter *adapter,
		       struct dxg_obj **out)
{
	struct dxg_obj *obj = calloc(1, sizeof(*obj));
	int ret;

	*out = NULL;
	if (!obj)
		return STATUS_NO_MEMORY;
	ret = dxg_ht_alloc(&o->ht, (uint8_t)type, obj, &obj->handle);
	if (ret) {
		free(obj);
		return ret == -ENOSPC ? STATUS_QUOTA_EXCEEDED : STATUS_NO_MEMORY;
	}
	obj->type = type;
	obj->parent = parent;
	obj->adapter = adapter;
	obj->process = type == DXG_OBJ_PROCESS ? obj :
		       parent ? parent->process : NULL;
	link_obj(sibling_head(o, parent), obj);
	o->count[type]++;
	o->total++;
	*out = obj;
	return STATUS_SUCCESS;
}

/*
 * Iterative post-order walk: always descend to a leaf and free it, so a
 * hostile depth cannot exhaust the stack (depth is bounded today anyway).
 */
uint32_t dxg_obj_destroy(struct dxg_objects *o, struct dxg_obj *obj)
{
	uint32_t freed = 0;

	for (;;) {
		struct dxg_obj *victim = obj;

		while (victim->children)
			victim = victim->children;
		for (unsigned int i = 0; i < o->num_release; i++)
			o->release[i](o->release_arg[i], victim);
		unlink_obj(sibling_head(o, victim->parent), victim);
		dxg_ht_free(&o->ht, victim->handle, (uint8_t)victim->type);
		o->count[victim->type]--;
		o->total--;
		freed++;
		if (victim == obj)
			break;
		free(victim);
	}
	free(obj);
	return freed;
}

const struct dxg_obj *dxg_alloc_device(const struct dxg_obj *alloc)
{
	const struct dxg_obj *p = alloc->parent;

	return p && p->type == DXG_OBJ_RESOURCE ? p->parent : p;
}

struct dxg_obj *dxg_obj_lookup(struct dxg_objects *o, uint32_t handle,
			       enum dxg_obj_type type,
			       const struct dxg_obj *process)
{
	struct dxg_obj *obj;

	if (type <= 0 || type >= DXG_OBJ_TYPE_COUNT)
		return NULL;
	obj = dxg_ht_lookup(&o->ht, handle, (uint8_t)type);
	if (obj && process && obj->process != process)
		return NULL;
	return obj;
}

int dxg_objects_add_release(struct dxg_objects *o, dxg_obj_release_fn fn,
			    void *arg)
{
	if (o->num_release >= DXG_OBJ_MAX_RELEASE)
		return -ENOSPC;
	o->release[o->num_release] = fn;
	o->release_arg[o->num_release] = arg;
	o->num_release++;
	return 0;
}
