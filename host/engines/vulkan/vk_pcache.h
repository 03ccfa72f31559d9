/* SPDX-License-Identifier: MIT */
/*
 * Compute pipelines shared by content on one Vulkan device: every engine
 * (guest device) of the device that asks for the same module, entry point,
 * layout, specialization and subgroup size gets the same Vulkan objects,
 * built (and its SPIR-V checked) once.  Guests create the same pipelines
 * again and again — each run of a program, each FFT plan — and a compile
 * costs time, and on lavapipe about 100 KiB of JIT memory that it never
 * gives back: without sharing, a long-running VM server grows with every
 * pipeline a guest ever made.
 *
 * Sharing is within a domain (one VM: dxghost's VMs may share a device
 * under --isolation none, and must not learn from each other's pipelines);
 * the domain is part of the key, and a VM's idle entries go with it
 * (dxg_vk_pcache_drop()).
 *
 * Entries are reference-counted; an entry nobody uses stays for a later
 * hit, up to DXG_VK_PCACHE_IDLE entries and DXG_VK_PCACHE_IDLE_BYTES of
 * keys, least recently released first out.  Keys are compared whole (a
 * hash only picks candidates), so no guest can get another's pipeline by
 * a collision.  Thread-safe; the order is: an engine's lock, then this one.
 */
#ifndef DXGHOST_VK_PCACHE_H
#define DXGHOST_VK_PCACHE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

#include "engines/engine.h"
#include "engines/vulkan/spirv_check.h"

#include "dxg/cmdstream.h"

#define DXG_VK_PCACHE_IDLE		64u
#define DXG_VK_PCACHE_IDLE_BYTES	(32u << 20)

struct dxg_vk_shared_pipeline {
	struct dxg_vk_shared_pipeline *next, *prev;	/* most recent first */
	uint64_t hash;
	uint64_t domain;	/* also the key's first 8 bytes */
	uint8_t *key;
	size_t key_size;
	uint32_t refs;
	VkShaderModule module;
	VkDescriptorSetLayout set_layouts[DXG_PIPELINE_MAX_SETS];
	VkPipelineLayout layout;
	VkPipeline pipeline;
	/* What the SPIR-V check learnt: read-only slots, views' formats. */
	struct dxg_spirv_facts facts;
};

struct dxg_vk_pcache {
	pthread_mutex_t lock;
	struct dxg_vk_shared_pipeline *head;
	uint32_t idle;			/* entries with no reference */
	size_t idle_bytes;		/* their keys */
	uint64_t hits, builds;		/* statistics (and tests) */
};

struct dxg_vk_device;

void dxg_vk_pcache_init(struct dxg_vk_pcache *c);
/* Destroys every entry: no engine may hold one any more. */
void dxg_vk_pcache_fini(struct dxg_vk_pcache *c, struct dxg_vk_device *d);

/* A content key's hash (FNV-1a, 64 bits): it only picks candidates. */
uint64_t dxg_vk_pcache_hash(const uint8_t *key, size_t size);

/*
 * The entry with exactly this key, its reference taken (a hit), or NULL.
 */
struct dxg_vk_shared_pipeline *dxg_vk_pcache_get(struct dxg_vk_pcache *c,
						 const uint8_t *key,
						 size_t size);
/*
 * Adds a built entry (@e->key allocated with malloc, @e->refs 1): the
 * cache owns it.  If another thread added the same key meanwhile, that one
 * is returned (its reference taken) and @e is the caller's to destroy.
 */
struct dxg_vk_shared_pipeline *dxg_vk_pcache_add(struct dxg_vk_pcache *c,
						 struct dxg_vk_shared_pipeline *e);
/* Destroys the idle entries of @domain (a VM that is gone). */
void dxg_vk_pcache_drop(struct dxg_vk_pcache *c, struct dxg_vk_device *d,
			uint64_t domain);
/* Drops a reference; idle entries beyond the bounds are destroyed. */
void dxg_vk_pcache_put(struct dxg_vk_pcache *c, struct dxg_vk_device *d,
		       struct dxg_vk_shared_pipeline *e);
/* Destroys an entry's Vulkan objects and frees it (not in the cache). */
void dxg_vk_shared_pipeline_free(struct dxg_vk_device *d,
				 struct dxg_vk_shared_pipeline *e);

#endif /* DXGHOST_VK_PCACHE_H */
