/*
 * fz_common.c - the helpers every fuzz harness links (fz.h).
 */
#include "fz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fuzz: property broken: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(stderr);
	abort();
}

int fz_pending(const char *id)
{
	(void)id;
	static int strict = -1;
	if (strict < 0) {
		const char *v = getenv("FUZZ_STRICT");
		strict = v != NULL && v[0] == '1';
	}
	return !strict;
}

uint8_t fz_u8(struct fz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

uint16_t fz_u16(struct fz_in *in)
{
	uint16_t hi = fz_u8(in);
	return (uint16_t)(hi << 8 | fz_u8(in));
}

uint32_t fz_u32(struct fz_in *in)
{
	uint32_t hi = fz_u16(in);
	return hi << 16 | fz_u16(in);
}

const uint8_t *fz_bytes(struct fz_in *in, size_t want, size_t *got)
{
	size_t n = want < in->n ? want : in->n;
	const uint8_t *p = in->p;
	in->p += n;
	in->n -= n;
	*got = n;
	return p;
}

char *fz_strndup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s == NULL)
		fz_fail("out of memory copying a %zu-byte input", n);
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}
