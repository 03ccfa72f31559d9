// SPDX-License-Identifier: MIT
/*
 * Image commands (image.c has what an image is): an image's bytes are
 * rows row_pitch apart in device memory, so copies between buffers and
 * images, and between images, are the stream's COPY commands, one per row
 * (one for the whole region where both sides' rows are packed alike); a
 * clear writes one texel pattern with UPDATE and doubles it with COPYs.
 * Layout transitions change nothing: the bytes are the image in every
 * layout.
 */
#include <string.h>

#include "odx.h"

#define CMD(h)	((struct odx_cmd_buffer *)(h))

/* Where texel (x, y) of @img starts. */
static uint64_t texel_va(const struct odx_image *img, uint32_t x, uint32_t y)
{
	return odx_image_va(img) + (uint64_t)y * img->row_pitch + (uint64_t)x * img->texel;
}

/*
 * A region of @img at (x, y), w x h texels, and a buffer's rows at @bva,
 * @stride bytes apart: one COPY per row, or one for all when both sides'
 * rows are packed (nothing between them to leave alone).
 */
static void copy_rows(struct odx_cmd_buffer *c, const struct odx_image *img, uint64_t bva,
		      uint64_t stride, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		      bool to_image)
{
	uint64_t row = (uint64_t)w * img->texel;

	if (!odx_image_va(img) || !bva || !row || !h)
		return;
	if (row == img->row_pitch && stride == row) {
		uint64_t iva = texel_va(img, 0, y);

		odx_cmd_check(c, dxg_enc_copy(&c->enc, to_image ? bva : iva, to_image ? iva : bva,
				      row * h));
		return;
	}
	for (uint32_t r = 0; r < h; r++) {
		uint64_t iva = texel_va(img, x, y + r), b = bva + r * stride;

		odx_cmd_check(c, dxg_enc_copy(&c->enc, to_image ? b : iva, to_image ? iva : b, row));
	}
}

/* One VkBufferImageCopy (or its 2 form's fields) either way. */
static void buffer_image(struct odx_cmd_buffer *c, const struct odx_buffer *buf,
			 const struct odx_image *img, VkDeviceSize offset, uint32_t row_length,
			 VkOffset3D o, VkExtent3D e, bool to_image)
{
	uint32_t len = row_length ? row_length : e.width;

	if (o.x < 0 || o.y < 0 || !e.depth)
		return;		/* invalid usage: nothing written */
	copy_rows(c, img, odx_buffer_va(buf, offset), (uint64_t)len * img->texel, (uint32_t)o.x,
		  (uint32_t)o.y, e.width, e.height, to_image);
}

/* Regions of the 1.0 form, or of the copy_commands2 form, either way. */
static void regions1(VkCommandBuffer commandBuffer, VkBuffer buffer, VkImage image,
		     uint32_t count, const VkBufferImageCopy *r, bool to_image)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < count; i++)
		buffer_image(c, ODX_FROM_HANDLE(odx_buffer, buffer), ODX_FROM_HANDLE(odx_image, image),
			     r[i].bufferOffset, r[i].bufferRowLength, r[i].imageOffset,
			     r[i].imageExtent, to_image);
}

static void regions2(VkCommandBuffer commandBuffer, VkBuffer buffer, VkImage image,
		     uint32_t count, const VkBufferImageCopy2 *r, bool to_image)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < count; i++)
		buffer_image(c, ODX_FROM_HANDLE(odx_buffer, buffer), ODX_FROM_HANDLE(odx_image, image),
			     r[i].bufferOffset, r[i].bufferRowLength, r[i].imageOffset,
			     r[i].imageExtent, to_image);
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

/* Between two images of one texel size: row by row. */
static void image_image(struct odx_cmd_buffer *c, const struct odx_image *s,
			const struct odx_image *d, VkOffset3D so, VkOffset3D dof, VkExtent3D e)
{
	uint64_t row = (uint64_t)e.width * s->texel;

	if (so.x < 0 || so.y < 0 || dof.x < 0 || dof.y < 0 || !e.depth ||
	    !odx_image_va(s) || !odx_image_va(d) || s->texel != d->texel)
		return;		/* invalid usage: nothing written */
	for (uint32_t r = 0; r < e.height && row; r++)
		odx_cmd_check(c, dxg_enc_copy(&c->enc, texel_va(s, (uint32_t)so.x, (uint32_t)so.y + r),
				      texel_va(d, (uint32_t)dof.x, (uint32_t)dof.y + r), row));
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
			    pRegions[i].srcOffset, pRegions[i].dstOffset, pRegions[i].extent);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyImage2(VkCommandBuffer commandBuffer, const VkCopyImageInfo2 *pInfo)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < pInfo->regionCount; i++)
		image_image(c, ODX_FROM_HANDLE(odx_image, pInfo->srcImage),
			    ODX_FROM_HANDLE(odx_image, pInfo->dstImage),
			    pInfo->pRegions[i].srcOffset, pInfo->pRegions[i].dstOffset,
			    pInfo->pRegions[i].extent);
}

/*
 * A clear covers whole subresources, and an image has one: all of its
 * memory (whole 16-byte units, image.c) takes the texel pattern.  The
 * first 4 KiB (a multiple of every texel size) by UPDATE, then each COPY
 * doubles what is done, after a barrier (it reads what came before).
 */
VKAPI_ATTR void VKAPI_CALL
odx_CmdClearColorImage(VkCommandBuffer commandBuffer, VkImage image, VkImageLayout layout,
		       const VkClearColorValue *pColor, uint32_t rangeCount,
		       const VkImageSubresourceRange *pRanges)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);
	const struct odx_image *img = ODX_FROM_HANDLE(odx_image, image);
	uint8_t texel[16], block[4096];
	uint64_t va = odx_image_va(img), done;

	(void)layout, (void)pRanges;
	if (!rangeCount || !va || !odx_pack_color(img->format, pColor, texel))
		return;
	for (uint32_t i = 0; i < sizeof(block); i += img->texel)
		memcpy(block + i, texel, img->texel);
	odx_cmd_barrier(c);
	done = img->size < sizeof(block) ? img->size : sizeof(block);
	odx_cmd_check(c, dxg_enc_update(&c->enc, va, block, (uint32_t)done));
	while (done < img->size) {
		uint64_t n = img->size - done < done ? img->size - done : done;

		odx_cmd_barrier(c);
		odx_cmd_check(c, dxg_enc_copy(&c->enc, va, va + done, n));
		done += n;
	}
}
