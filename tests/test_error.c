/* test_error.c - sn_strerror covers every code and rejects unknown ones. */
#include <string.h>

#include "suites.h"

START_TEST(every_code_has_distinct_text)
{
	for (int a = 0; a < SN_ERR_COUNT_; a++) {
		const char *ta = sn_strerror((enum sn_err)a);
		ck_assert_ptr_nonnull(ta);
		ck_assert_str_ne(ta, "unknown error");
		for (int b = 0; b < a; b++)
			ck_assert_str_ne(ta, sn_strerror((enum sn_err)b));
	}
}
END_TEST

START_TEST(unknown_code)
{
	ck_assert_str_eq(sn_strerror(SN_ERR_COUNT_), "unknown error");
	ck_assert_str_eq(sn_strerror((enum sn_err)-1), "unknown error");
}
END_TEST

Suite *error_suite(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("strerror");
	tcase_add_test(tc, every_code_has_distinct_text);
	tcase_add_test(tc, unknown_code);
	suite_add_tcase(s, tc);
	return s;
}
