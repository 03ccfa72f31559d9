// SPDX-License-Identifier: MIT
/*
 * Image commands (image.c has what an image is): each subresource's bytes
 * are rows row_pitch apart in device memory, so copies between buffers and
 * images, and between images, are the stream's COPY commands, one per row
 * of each layer (one for the whole region where both sides' rows are
 * packed alike); a clear writes one texel pattern with UPDATE and doubles
 * it with COPYs over each subresource it names.
 * Layout transitions change nothing: the bytes are the image in every
 * layout.
 */
#include <string.h>

#include "odx.h"

#define CMD(h)	((struct odx_cmd_buffer *)(h))

/* One subresource of an image (a level of a layer, a 3D level's slice): a linear 2D image. */
struct sub {
	uint64_t va;
	const struct odx_image_level *lv;
	uint32_t texel;
};

/*
 * Plane @plane of level @level of @img in *s: its layer, or of a 3D image
 * its slice; false: unbound or none such.
 */
static bool sub_of(const struct odx_image *img, uint32_t level, uint32_t plane, struct sub *s)
{
	s->va = odx_image_sub_va(img, level, img->is_3d ? 0 : plane, img->is_3d ? plane : 0);
	if (!s->va)
		return false;
	s->lv = &img->level[level];
	s->texel = img->texel;
	return true;
}

/* Where texel (x, y) of @s starts. */
static uint64_t texel_va(const struct sub *s, uint32_t x, uint32_t y)
{
	return s->va + (uint64_t)y * s->lv->row_pitch + (uint64_t)x * s->texel;
}

/* Does the region at @o of extent @e lie in @s (x and y; planes_of() did z)? */
static bool region_in(const struct sub *s, VkOffset3D o, VkExtent3D e)
{
	return o.x >= 0 && o.y >= 0 &&
	       (uint64_t)(uint32_t)o.x + e.width <= s->lv->width &&
	       (uint64_t)(uint32_t)o.y + e.height <= s->lv->height;
}

/*
 * The planes a copy's side names in @img: the layers @l names (z 0, depth
 * 1), or of a 3D image the slices from @o.z, @e.depth of them (one layer):
 * *first and *count; false where they are not all there (invalid usage:
 * nothing is written).
 */
static bool planes_of(const struct odx_image *img, const VkImageSubresourceLayers *l,
		      VkOffset3D o, VkExtent3D e, uint32_t *first, uint32_t *count)
{
	uint32_t layers;

	if (l->aspectMask != VK_IMAGE_ASPECT_COLOR_BIT || l->mipLevel >= img->levels ||
	    l->baseArrayLayer >= img->layers)
		return false;
	layers = l->layerCount == VK_REMAINING_ARRAY_LAYERS ?
		 img->layers - l->baseArrayLayer : l->layerCount;
	if (!layers || layers > img->layers - l->baseArrayLayer)
		return false;
	if (img->is_3d) {
		*first = (uint32_t)o.z;
		*count = e.depth;
		return layers == 1 && o.z >= 0 && e.depth &&
		       (uint64_t)(uint32_t)o.z + e.depth <= img->level[l->mipLevel].depth;
	}
	*first = l->baseArrayLayer;
	*count = layers;
	return !o.z && e.depth == 1;
}

/*
 * A region of @s at (x, y), w x h texels, and a buffer's rows at @bva,
 * @stride bytes apart: one COPY per row, or one for all when both sides'
 * rows are packed (nothing between them to leave alone).
 */
static void copy_rows(struct odx_cmd_buffer *c, const struct sub *s, uint64_t bva,
		      uint64_t stride, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		      bool to_image)
{
	uint64_t row = (uint64_t)w * s->texel;

	if (!bva || !row || !h)
		return;
	if (row == s->lv->row_pitch && stride == row) {
		uint64_t iva = texel_va(s, 0, y);

		odx_cmd_check(c, dxg_enc_copy(&c->enc, to_image ? bva : iva, to_image ? iva : bva,
				      row * h));
		return;
	}
	for (uint32_t r = 0; r < h; r++) {
		uint64_t iva = texel_va(s, x, y + r), b = bva + r * stride;

		odx_cmd_check(c, dxg_enc_copy(&c->enc, to_image ? b : iva, to_image ? iva : b, row));
	}
}

/*
 * One VkBufferImageCopy (or its 2 form's fields) either way: a layer (or
 * slice) at a time, the buffer's layers bufferImageHeight rows of
 * bufferRowLength texels each (the region's extent where 0).
 */
static void buffer_image(struct odx_cmd_buffer *c, const struct odx_buffer *buf,
			 const struct odx_image *img, VkDeviceSize offset, uint32_t row_length,
			 uint32_t image_height, const VkImageSubresourceLayers *l,
			 VkOffset3D o, VkExtent3D e, bool to_image)
{
	uint64_t len = row_length ? row_length : e.width;
	uint64_t layer_bytes = len * (image_height ? image_height : e.height) * img->texel;
	uint32_t first, count;
	struct sub s;

	if (!planes_of(img, l, o, e, &first, &count))
		return;
	for (uint32_t i = 0; i < count; i++)
		if (sub_of(img, l->mipLevel, first + i, &s) && region_in(&s, o, e))
			copy_rows(c, &s, odx_buffer_va(buf, offset + i * layer_bytes),
				  len * img->texel, (uint32_t)o.x, (uint32_t)o.y, e.width,
				  e.height, to_image);
}

/* Regions of the 1.0 form, or of the copy_commands2 form, either way. */
static void regions1(VkCommandBuffer commandBuffer, VkBuffer buffer, VkImage image,
		     uint32_t count, const VkBufferImageCopy *r, bool to_image)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < count; i++)
		buffer_image(c, ODX_FROM_HANDLE(odx_buffer, buffer), ODX_FROM_HANDLE(odx_image, image),
			     r[i].bufferOffset, r[i].bufferRowLength, r[i].bufferImageHeight,
			     &r[i].imageSubresource, r[i].imageOffset, r[i].imageExtent, to_image);
}

static void regions2(VkCommandBuffer commandBuffer, VkBuffer buffer, VkImage image,
		     uint32_t count, const VkBufferImageCopy2 *r, bool to_image)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < count; i++)
		buffer_image(c, ODX_FROM_HANDLE(odx_buffer, buffer), ODX_FROM_HANDLE(odx_image, image),
			     r[i].bufferOffset, r[i].bufferRowLength, r[i].bufferImageHeight,
			     &r[i].imageSubresource, r[i].imageOffset, r[i].imageExtent, to_image);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyBufferToImage(VkCommandBuffer commandBuffer, VkBuffer src, VkImage dst,
			 VkImageLayout layout, uint32_t count, const VkBufferImageCopy *pRegions)
{
	(void)layout;
	regions1(commandBuffer, src, dst, count, pRegions, true);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyBufferToImage2(VkCommandBuffer commandBuffer, const VkCopyBufferToImageInfo2 *pInfo)
{
	regions2(commandBuffer, pInfo->srcBuffer, pInfo->dstImage, pInfo->regionCount,
		 pInfo->pRegions, true);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyImageToBuffer(VkCommandBuffer commandBuffer, VkImage src, VkImageLayout layout,
			 VkBuffer dst, uint32_t count, const VkBufferImageCopy *pRegions)
{
	(void)layout;
	regions1(commandBuffer, dst, src, count, pRegions, false);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyImageToBuffer2(VkCommandBuffer commandBuffer, const VkCopyImageToBufferInfo2 *pInfo)
{
	regions2(commandBuffer, pInfo->dstBuffer, pInfo->srcImage, pInfo->regionCount,
		 pInfo->pRegions, false);
}

/* Between two images of one texel size: a layer (or slice) at a time, row by row. */
static void image_image(struct odx_cmd_buffer *c, const struct odx_image *si,
			const struct odx_image *di, const VkImageSubresourceLayers *sl,
			const VkImageSubresourceLayers *dl, VkOffset3D so, VkOffset3D dof,
			VkExtent3D e)
{
	uint64_t row = (uint64_t)e.width * si->texel;
	uint32_t sfirst, dfirst, count, dcount;
	struct sub s, d;

	if (si->texel != di->texel || !planes_of(si, sl, so, e, &sfirst, &count) ||
	    !planes_of(di, dl, dof, e, &dfirst, &dcount) || count != dcount)
		return;		/* invalid usage: nothing written */
	for (uint32_t i = 0; i < count; i++) {
		if (!sub_of(si, sl->mipLevel, sfirst + i, &s) || !region_in(&s, so, e) ||
		    !sub_of(di, dl->mipLevel, dfirst + i, &d) || !region_in(&d, dof, e))
			continue;
		for (uint32_t r = 0; r < e.height && row; r++)
			odx_cmd_check(c, dxg_enc_copy(&c->enc,
					      texel_va(&s, (uint32_t)so.x, (uint32_t)so.y + r),
					      texel_va(&d, (uint32_t)dof.x, (uint32_t)dof.y + r),
					      row));
	}
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyImage(VkCommandBuffer commandBuffer, VkImage src, VkImageLayout srcLayout,
		 VkImage dst, VkImageLayout dstLayout, uint32_t count, const VkImageCopy *pRegions)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	(void)srcLayout, (void)dstLayout;
	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < count; i++)
		image_image(c, ODX_FROM_HANDLE(odx_image, src), ODX_FROM_HANDLE(odx_image, dst),
			    &pRegions[i].srcSubresource, &pRegions[i].dstSubresource,
			    pRegions[i].srcOffset, pRegions[i].dstOffset, pRegions[i].extent);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyImage2(VkCommandBuffer commandBuffer, const VkCopyImageInfo2 *pInfo)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < pInfo->regionCount; i++) {
		const VkImageCopy2 *r = &pInfo->pRegions[i];

		image_image(c, ODX_FROM_HANDLE(odx_image, pInfo->srcImage),
			    ODX_FROM_HANDLE(odx_image, pInfo->dstImage), &r->srcSubresource,
			    &r->dstSubresource, r->srcOffset, r->dstOffset, r->extent);
	}
}

/*
 * @size bytes at @va (whole 16-byte units) take the texel pattern of
 * @block: its first 4 KiB (a multiple of every texel size) by UPDATE, then
 * each COPY doubles what is done, after a barrier (it reads what came
 * before).
 */
static void fill(struct odx_cmd_buffer *c, uint64_t va, uint64_t size, const uint8_t *block,
		 uint32_t block_size)
{
	uint64_t done = size < block_size ? size : block_size;

	odx_cmd_check(c, dxg_enc_update(&c->enc, va, block, (uint32_t)done));
	while (done < size) {
		uint64_t n = size - done < done ? size - done : done;

		odx_cmd_barrier(c);
		odx_cmd_check(c, dxg_enc_copy(&c->enc, va, va + done, n));
		done += n;
	}
}

/* The end of the @base, @count range of @n levels or layers; false: none or outside. */
static bool range_of(uint32_t base, uint32_t count, uint32_t n, uint32_t *end)
{
	if (base >= n)
		return false;
	*end = count == VK_REMAINING_MIP_LEVELS || count > n - base ? n : base + count;
	return count != 0;
}

/*
 * A clear covers whole subresources (a level's slices are whole 16-byte
 * units, image.c); a range of every level and layer is all of the image's
 * memory at once.
 */
VKAPI_ATTR void VKAPI_CALL
odx_CmdClearColorImage(VkCommandBuffer commandBuffer, VkImage image, VkImageLayout layout,
		       const VkClearColorValue *pColor, uint32_t rangeCount,
		       const VkImageSubresourceRange *pRanges)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);
	const struct odx_image *img = ODX_FROM_HANDLE(odx_image, image);
	uint8_t texel[16], block[4096];

	(void)layout;
	if (!odx_image_va(img) || !odx_pack_color(img->format, pColor, texel))
		return;
	for (uint32_t i = 0; i < sizeof(block); i += img->texel)
		memcpy(block + i, texel, img->texel);
	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < rangeCount; i++) {
		const VkImageSubresourceRange *r = &pRanges[i];
		uint32_t level_end, layer_end;

		if (r->aspectMask != VK_IMAGE_ASPECT_COLOR_BIT ||
		    !range_of(r->baseMipLevel, r->levelCount, img->levels, &level_end) ||
		    !range_of(r->baseArrayLayer, r->layerCount, img->layers, &layer_end))
			continue;	/* invalid usage: nothing written */
		if (!r->baseMipLevel && level_end == img->levels &&
		    !r->baseArrayLayer && layer_end == img->layers) {
			fill(c, odx_image_va(img), img->size, block, sizeof(block));
			continue;
		}
		for (uint32_t layer = r->baseArrayLayer; layer < layer_end; layer++)
			for (uint32_t l = r->baseMipLevel; l < level_end; l++)
				for (uint32_t z = 0; z < img->level[l].depth; z++)
					fill(c, odx_image_sub_va(img, l, layer, z),
					     img->level[l].size, block, sizeof(block));
	}
}
