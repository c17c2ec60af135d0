/* sn_error.c - descriptions for enum sn_err. */
#include "sn_error.h"

const char *sn_strerror(enum sn_err err)
{
	static const char *const text[SN_ERR_COUNT_] = {
		[SN_OK] = "success",
		[SN_EINVAL] = "invalid argument",
		[SN_ERANGE] = "value out of range",
		[SN_ENOMEM] = "out of memory",
		[SN_EEXIST] = "already exists",
		[SN_ENOENT] = "no such object",
		[SN_EBUSY] = "resource busy",
		[SN_ESTATE] = "not allowed in the current state",
		[SN_EIO] = "input/output error",
	};
	if ((unsigned)err >= SN_ERR_COUNT_)
		return "unknown error";
	return text[err];
}
