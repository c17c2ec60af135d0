/*
 * fz.h - what the fuzz harnesses (tests/fuzz/fuzz_*.c) share: the
 * libFuzzer entry point, a failure that names the broken property, and a
 * reader that takes fields off the fuzzer's bytes.
 *
 * Each harness defines LLVMFuzzerTestOneInput().  It is built twice: with
 * clang and -fsanitize=fuzzer for `make fuzz`, and with the normal
 * compiler and flags against regress_main.c, which feeds it the saved
 * inputs in `make test` (so the sanitizer build and valgrind see them too).
 *
 * A harness must be deterministic (one input, one behaviour), free all it
 * allocated before it returns, write nothing to stdout and no file outside
 * a temporary directory.  A broken property is fz_fail(): a message on
 * stderr, then abort(), which libFuzzer and the driver report as a crash.
 */
#ifndef FZ_H
#define FZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Report a broken property and abort. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
void fz_fail(const char *fmt, ...);

#define FZ_CHECK(cond, ...)                                               \
	do {                                                              \
		if (!(cond))                                              \
			fz_fail(__VA_ARGS__);                             \
	} while (0)

/* The fuzzer's bytes, taken field by field; past the end every field
 * reads as zero, so any input is a complete one. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

uint8_t fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);      /* big-endian */
uint32_t fz_u32(struct fz_in *in);      /* big-endian */
/* Up to `want` bytes: *got says how many there were. */
const uint8_t *fz_bytes(struct fz_in *in, size_t want, size_t *got);

/* Known findings in code the fuzzing work does not fix, each listed in
 * tests/fuzz/pending/README.md with its input in pending/NAME/, are let
 * through by the harness that found them, so that `make fuzz` stays a
 * test of everything else; with FUZZ_STRICT=1 in the environment they
 * are properties broken again (to check a fix: FUZZ_STRICT=1
 * build/fuzz/regress_NAME tests/fuzz/pending/NAME).  `id` names the
 * README entry. */
int fz_pending(const char *id);

/* A NUL-terminated copy of n bytes (malloc; the caller frees).  Aborts if
 * memory runs out: a harness has no use for an input it cannot copy. */
char *fz_strndup(const uint8_t *p, size_t n);

#endif
