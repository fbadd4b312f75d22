/*
 * test_util_cursor.c - the bounds-checked cursors of lib/util/cursor.h,
 * at every edge offset: exact fit, one short, sticky errors, sub-cursors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/cursor.h"
#include "util/hex.h"

static void
read_exact_fit(void **state)
{
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct cur c;

	cur_init(&c, b, sizeof(b));
	assert_int_equal(cur_u8(&c), 1);
	assert_int_equal(cur_be16(&c), 0x0203);
	assert_int_equal(cur_be24(&c), 0x040506);
	assert_int_equal(cur_be32(&c), 0x0708090a);
	assert_int_equal(cur_left(&c), 0);
	assert_int_equal(cur_err(&c), 0);
	(void)state;
}

static void
read_one_short_sticks(void **state)
{
	const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
	struct cur c;

	cur_init(&c, b, sizeof(b));
	assert_int_equal(cur_be16(&c), 0xaabb);
	assert_int_equal(cur_be16(&c), 0);		/* one octet short */
	assert_int_equal(cur_err(&c), -EBADMSG);
	assert_int_equal(cur_off(&c), 2);		/* did not advance */
	assert_int_equal(cur_u8(&c), 0);		/* sticky: no read */
	assert_int_equal(cur_left(&c), 0);
	assert_null(cur_take(&c, 0));
	cur_fail(&c, -EINVAL);				/* first error kept */
	assert_int_equal(cur_err(&c), -EBADMSG);
	(void)state;
}

static void
read_every_width_at_every_length(void **state)
{
	uint8_t b[8] = { 0 };

	for (size_t len = 0; len <= 8; len++) {
		static const size_t w[] = { 1, 2, 3, 4, 8 };

		for (size_t i = 0; i < 5; i++) {
			struct cur c;

			cur_init(&c, b, len);
			switch (w[i]) {
			case 1: cur_u8(&c); break;
			case 2: cur_be16(&c); break;
			case 3: cur_be24(&c); break;
			case 4: cur_be32(&c); break;
			case 8: cur_be64(&c); break;
			}
			assert_int_equal(cur_err(&c), len < w[i] ? -EBADMSG : 0);
		}
	}
	(void)state;
}

static void
copy_failure_zero_fills(void **state)
{
	const uint8_t b[] = { 1, 2, 3 };
	uint8_t out[4] = { 9, 9, 9, 9 };
	struct cur c;

	cur_init(&c, b, sizeof(b));
	cur_copy(&c, out, 4);
	assert_int_equal(cur_err(&c), -EBADMSG);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[i], 0);
	(void)state;
}

static void
sub_cursor(void **state)
{
	const uint8_t b[] = { 1, 2, 3, 4, 5 };
	struct cur c, s;

	cur_init(&c, b, sizeof(b));
	cur_skip(&c, 1);
	s = cur_sub(&c, 3);
	assert_int_equal(cur_left(&s), 3);
	assert_int_equal(cur_be24(&s), 0x020304);
	assert_int_equal(cur_u8(&s), 0);		/* sub ends at its limit */
	assert_int_equal(cur_err(&s), -EBADMSG);
	assert_int_equal(cur_err(&c), 0);		/* parent unharmed */
	assert_int_equal(cur_u8(&c), 5);
	s = cur_sub(&c, 1);				/* parent now empty */
	assert_int_equal(cur_err(&s), -EBADMSG);
	assert_int_equal(cur_err(&c), -EBADMSG);
	(void)state;
}

static void
null_buffer(void **state)
{
	struct cur c;
	struct wcur w;

	cur_init(&c, NULL, 100);
	assert_int_equal(cur_left(&c), 0);
	cur_u8(&c);
	assert_int_equal(cur_err(&c), -EBADMSG);
	wcur_init(&w, NULL, 100);
	wcur_u8(&w, 1);
	assert_int_equal(wcur_err(&w), -ENOBUFS);
	(void)state;
}

static void
write_exact_and_overflow(void **state)
{
	uint8_t b[10];
	struct wcur w;
	uint8_t *len;

	wcur_init(&w, b, sizeof(b));
	wcur_u8(&w, 0x10);
	len = wcur_reserve(&w, 2);
	wcur_be24(&w, 0x010203);
	wcur_be32(&w, 0xdeadbeef);
	put_be16(len, 0x1234);
	assert_int_equal(wcur_len(&w), 10);
	assert_int_equal(wcur_room(&w), 0);
	assert_int_equal(wcur_err(&w), 0);
	assert_int_equal(get_be16(b + 1), 0x1234);
	assert_int_equal(b[9], 0xef);
	wcur_u8(&w, 1);
	assert_int_equal(wcur_err(&w), -ENOBUFS);
	assert_int_equal(wcur_len(&w), 10);
	wcur_bytes(&w, "x", 0);				/* still failed */
	assert_int_equal(wcur_err(&w), -ENOBUFS);
	(void)state;
}

static void
write_partial_field_does_not_write(void **state)
{
	uint8_t b[3] = { 7, 7, 7 };
	struct wcur w;

	wcur_init(&w, b, sizeof(b));
	wcur_u8(&w, 1);
	wcur_be32(&w, 0x11223344);			/* needs 4, has 2 */
	assert_int_equal(wcur_err(&w), -ENOBUFS);
	assert_int_equal(b[1], 7);
	assert_int_equal(b[2], 7);
	(void)state;
}

static void
hex_round_trip(void **state)
{
	uint8_t out[8];
	char txt[32];

	assert_int_equal(hex_decode("01 80:c2-00 00 0E", out, sizeof(out)), 6);
	assert_int_equal(out[5], 0x0e);
	assert_int_equal(hex_decode("0", out, sizeof(out)), -EINVAL);
	assert_int_equal(hex_decode("0 1", out, sizeof(out)), -EINVAL);
	assert_int_equal(hex_decode("zz", out, sizeof(out)), -EINVAL);
	assert_int_equal(hex_decode("000102", out, 2), -ENOBUFS);
	assert_int_equal(hex_decode("0180c2", out, sizeof(out)), 3);
	assert_int_equal(hex_encode(out, 3, ' ', txt, sizeof(txt)), 8);
	assert_string_equal(txt, "01 80 c2");
	assert_int_equal(hex_encode(out, 3, 0, txt, 4), 6);	/* cut */
	assert_string_equal(txt, "018");
	(void)state;
}

static void
mac_text(void **state)
{
	uint8_t m[6];
	char t[18];

	assert_int_equal(mac_parse("52:54:00:ab:CD:ef", m), 0);
	assert_string_equal(mac_fmt(m, t), "52:54:00:ab:cd:ef");
	assert_int_equal(mac_parse("52:54:00:ab:cd", m), -EINVAL);
	assert_int_equal(mac_parse("52:54:00:ab:cd:ef:", m), -EINVAL);
	assert_int_equal(mac_parse("5:54:00:ab:cd:ef", m), -EINVAL);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_exact_fit),
		cmocka_unit_test(read_one_short_sticks),
		cmocka_unit_test(read_every_width_at_every_length),
		cmocka_unit_test(copy_failure_zero_fills),
		cmocka_unit_test(sub_cursor),
		cmocka_unit_test(null_buffer),
		cmocka_unit_test(write_exact_and_overflow),
		cmocka_unit_test(write_partial_field_does_not_write),
		cmocka_unit_test(hex_round_trip),
		cmocka_unit_test(mac_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
