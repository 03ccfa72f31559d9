// SPDX-License-Identifier: MIT
/* The host object model (host/core/objects.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dxg/ntstatus.h"
#include "core/objects.h"

/* Objects only compare adapter pointers; any address will do. */
static const int fake_adapter;
#define AD ((const struct dxg_adapter *)&fake_adapter)

static void mk(struct dxg_objects *o, enum dxg_obj_type t, struct dxg_obj *parent,
	       struct dxg_obj **out)
{
	assert_int_equal(dxg_obj_create(o, t, parent, AD, out), STATUS_SUCCESS);
	assert_non_null(*out);
	assert_int_not_equal((*out)->handle, 0);
}

static void test_cascade(void **state)
{
	struct dxg_objects o;
	struct dxg_obj *p, *d1, *d2, *c1, *c2, *c3;
	uint32_t hd1, hc3;

	(void)state;
	assert_int_equal(dxg_objects_init(&o, 100), 0);
	mk(&o, DXG_OBJ_PROCESS, NULL, &p);
	mk(&o, DXG_OBJ_DEVICE, p, &d1);
	mk(&o, DXG_OBJ_DEVICE, p, &d2);
	mk(&o, DXG_OBJ_CONTEXT, d1, &c1);
	mk(&o, DXG_OBJ_CONTEXT, d1, &c2);
	mk(&o, DXG_OBJ_CONTEXT, d2, &c3);
	assert_ptr_equal(p->process, p);
	assert_ptr_equal(c3->process, p);
	assert_int_equal(o.total, 6);
	assert_int_equal(o.count[DXG_OBJ_CONTEXT], 3);
	hd1 = d1->handle;
	hc3 = c3->handle;

	/* A device takes its contexts with it. */
	assert_int_equal(dxg_obj_destroy(&o, d1), 3);
	assert_null(dxg_obj_lookup(&o, hd1, DXG_OBJ_DEVICE, NULL));
	assert_int_equal(o.count[DXG_OBJ_CONTEXT], 1);
	assert_ptr_equal(dxg_obj_lookup(&o, hc3, DXG_OBJ_CONTEXT, p), c3);

	/* The process takes everything. */
	assert_int_equal(dxg_obj_destroy(&o, p), 3);
	assert_null(dxg_obj_lookup(&o, hc3, DXG_OBJ_CONTEXT, NULL));
	assert_int_equal(o.total, 0);
	for (int t = 0; t < DXG_OBJ_TYPE_COUNT; t++)
		assert_int_equal(o.count[t], 0);
	assert_int_equal(o.ht.live, 0);
	dxg_objects_fini(&o);
}

static void test_cross_process(void **state)
{
	struct dxg_objects o;
	struct dxg_obj *p1, *p2, *d1, *c1;

	(void)state;
	assert_int_equal(dxg_objects_init(&o, 100), 0);
	mk(&o, DXG_OBJ_PROCESS, NULL, &p1);
	mk(&o, DXG_OBJ_PROCESS, NULL, &p2);
	mk(&o, DXG_OBJ_DEVICE, p1, &d1);
	mk(&o, DXG_OBJ_CONTEXT, d1, &c1);
	assert_ptr_equal(dxg_obj_lookup(&o, d1->handle, DXG_OBJ_DEVICE, p1), d1);
	assert_null(dxg_obj_lookup(&o, d1->handle, DXG_OBJ_DEVICE, p2));
	assert_null(dxg_obj_lookup(&o, c1->handle, DXG_OBJ_CONTEXT, p2));
	/* Wrong type and bad type values. */
	assert_null(dxg_obj_lookup(&o, d1->handle, DXG_OBJ_CONTEXT, p1));
	assert_null(dxg_obj_lookup(&o, d1->handle, (enum dxg_obj_type)0, p1));
	assert_null(dxg_obj_lookup(&o, d1->handle, DXG_OBJ_TYPE_COUNT, p1));
	/* Destroying p2 leaves p1's objects alone. */
	assert_int_equal(dxg_obj_destroy(&o, p2), 1);
	assert_ptr_equal(dxg_obj_lookup(&o, c1->handle, DXG_OBJ_CONTEXT, p1), c1);
	assert_int_equal(dxg_objects_reset(&o), 3);
	assert_int_equal(o.total, 0);
	dxg_objects_fini(&o);
}

static void test_adapter_roots(void **state)
{
	struct dxg_objects o;
	struct dxg_obj *a, *p;

	(void)state;
	assert_int_equal(dxg_objects_init(&o, 100), 0);
	mk(&o, DXG_OBJ_ADAPTER, NULL, &a);
	mk(&o, DXG_OBJ_PROCESS, NULL, &p);
	assert_null(a->process);
	assert_int_equal(dxg_obj_destroy(&o, p), 1);
	assert_int_equal(o.total, 1);
	assert_ptr_equal(dxg_obj_lookup(&o, a->handle, DXG_OBJ_ADAPTER, NULL), a);
	dxg_objects_fini(&o);
}

static void test_quota(void **state)
{
	struct dxg_objects o;
	struct dxg_obj *p, *d, *x;

	(void)state;
	assert_int_equal(dxg_objects_init(&o, 3), 0);
	mk(&o, DXG_OBJ_PROCESS, NULL, &p);
	mk(&o, DXG_OBJ_DEVICE, p, &d);
	mk(&o, DXG_OBJ_CONTEXT, d, &x);
	assert_int_equal(dxg_obj_create(&o, DXG_OBJ_CONTEXT, d, AD, &x),
			 STATUS_QUOTA_EXCEEDED);
	assert_null(x);
	assert_int_equal(o.total, 3);
	assert_int_equal(dxg_obj_destroy(&o, d), 2);
	mk(&o, DXG_OBJ_DEVICE, p, &d);
	dxg_objects_fini(&o);
}

static void test_many(void **state)
{
	struct dxg_objects o;
	struct dxg_obj *p, *d, *x;

	(void)state;
	assert_int_equal(dxg_objects_init(&o, 65536), 0);
	for (int i = 0; i < 20; i++) {
		mk(&o, DXG_OBJ_PROCESS, NULL, &p);
		for (int j = 0; j < 10; j++) {
			mk(&o, DXG_OBJ_DEVICE, p, &d);
			for (int k = 0; k < 10; k++)
				mk(&o, DXG_OBJ_CONTEXT, d, &x);
		}
	}
	assert_int_equal(o.total, 20 * (1 + 10 * 11));
	assert_int_equal(dxg_objects_reset(&o), 20 * (1 + 10 * 11));
	assert_int_equal(o.total, 0);
	assert_null(o.roots);
	dxg_objects_fini(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cascade),
		cmocka_unit_test(test_cross_process),
		cmocka_unit_test(test_adapter_roots),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
