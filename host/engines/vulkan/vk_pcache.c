// SPDX-License-Identifier: MIT
/* Compute pipelines shared by content (see vk_pcache.h). */
#include "engines/vulkan/vk_pcache.h"

#include <stdlib.h>
#include <string.h>

#include "engines/vulkan/vk_device.h"

void dxg_vk_pcache_init(struct dxg_vk_pcache *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
}

uint64_t dxg_vk_pcache_hash(const uint8_t *key, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < size; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return h;
}

void dxg_vk_shared_pipeline_free(struct dxg_vk_device *d,
				 struct dxg_vk_shared_pipeline *e)
{
	long n = DXG_VK_LIVE(e->pipeline) + DXG_VK_LIVE(e->layout) +
		 DXG_VK_LIVE(e->module);

	for (uint32_t i = 0; i < DXG_PIPELINE_MAX_SETS; i++)
		n += DXG_VK_LIVE(e->set_layouts[i]);
	dxg_vk_objects(d, -n);
	/* Vulkan ignores VK_NULL_HANDLE in every destroy call. */
	vkDestroyPipeline(d->device, e->pipeline, NULL);
	vkDestroyPipelineLayout(d->device, e->layout, NULL);
	for (uint32_t i = 0; i < DXG_PIPELINE_MAX_SETS; i++)
		vkDestroyDescriptorSetLayout(d->device, e->set_layouts[i], NULL);
	vkDestroyShaderModule(d->device, e->module, NULL);
	free(e->key);
	free(e);
}

static void unlink_entry(struct dxg_vk_pcache *c, struct dxg_vk_shared_pipeline *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->next = e->prev = NULL;
}

static void push_front(struct dxg_vk_pcache *c, struct dxg_vk_shared_pipeline *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
}

void dxg_vk_pcache_fini(struct dxg_vk_pcache *c, struct dxg_vk_device *d)
{
	while (c->head) {
		struct dxg_vk_shared_pipeline *e = c->head;

		unlink_entry(c, e);
		dxg_vk_shared_pipeline_free(d, e);
	}
	c->idle = 0;
	c->idle_bytes = 0;
	pthread_mutex_destroy(&c->lock);
}

static struct dxg_vk_shared_pipeline *find(struct dxg_vk_pcache *c, uint64_t hash,
					   const uint8_t *key, size_t size)
{
	for (struct dxg_vk_shared_pipeline *e = c->head; e; e = e->next)
		if (e->hash == hash && e->key_size == size && !memcmp(e->key, key, size))
			return e;
	return NULL;
}

/* Takes a reference under the lock: an idle entry is idle no more. */
static void ref(struct dxg_vk_pcache *c, struct dxg_vk_shared_pipeline *e)
{
	if (!e->refs++) {
		c->idle--;
		c->idle_bytes -= e->key_size;
	}
	unlink_entry(c, e);
	push_front(c, e);
	c->hits++;
}

struct dxg_vk_shared_pipeline *dxg_vk_pcache_get(struct dxg_vk_pcache *c,
						 const uint8_t *key, size_t size)
{
	uint64_t h = dxg_vk_pcache_hash(key, size);
	struct dxg_vk_shared_pipeline *e;

	pthread_mutex_lock(&c->lock);
	e = find(c, h, key, size);
	if (e)
		ref(c, e);
	pthread_mutex_unlock(&c->lock);
	return e;
}

struct dxg_vk_shared_pipeline *dxg_vk_pcache_add(struct dxg_vk_pcache *c,
						 struct dxg_vk_shared_pipeline *e)
{
	struct dxg_vk_shared_pipeline *old;

	e->hash = dxg_vk_pcache_hash(e->key, e->key_size);
	pthread_mutex_lock(&c->lock);
	old = find(c, e->hash, e->key, e->key_size);
	if (old) {
		ref(c, old);
	} else {
		push_front(c, e);
		c->builds++;
	}
	pthread_mutex_unlock(&c->lock);
	return old ? old : e;
}

void dxg_vk_pcache_drop(struct dxg_vk_pcache *c, struct dxg_vk_device *d,
			uint64_t domain)
{
	struct dxg_vk_shared_pipeline *e, *next, *gone = NULL;

	pthread_mutex_lock(&c->lock);
	for (e = c->head; e; e = next) {
		next = e->next;
		if (e->refs || e->domain != domain)
			continue;
		unlink_entry(c, e);
		c->idle--;
		c->idle_bytes -= e->key_size;
		e->next = gone;
		gone = e;
	}
	pthread_mutex_unlock(&c->lock);
	while (gone) {
		e = gone;
		gone = gone->next;
		dxg_vk_shared_pipeline_free(d, e);
	}
}

void dxg_vk_pcache_put(struct dxg_vk_pcache *c, struct dxg_vk_device *d,
		       struct dxg_vk_shared_pipeline *e)
{
	struct dxg_vk_shared_pipeline *victim = NULL, *gone = NULL;

	pthread_mutex_lock(&c->lock);
	if (!--e->refs) {
		c->idle++;
		c->idle_bytes += e->key_size;
	}
	/* Out go the least recently used idle entries beyond the bounds. */
	while (c->idle > DXG_VK_PCACHE_IDLE ||
	       (c->idle && c->idle_bytes > DXG_VK_PCACHE_IDLE_BYTES)) {
		for (victim = c->head; victim->next; victim = victim->next)
			;
		while (victim->refs)
			victim = victim->prev;
		unlink_entry(c, victim);
		c->idle--;
		c->idle_bytes -= victim->key_size;
		victim->next = gone;	/* destroyed after the lock */
		gone = victim;
	}
	pthread_mutex_unlock(&c->lock);
	while (gone) {
		victim = gone;
		gone = gone->next;
		dxg_vk_shared_pipeline_free(d, victim);
	}
}
