/*
 * regress_main.c - the standalone driver of a fuzz harness: feeds files to
 * its LLVMFuzzerTestOneInput() one at a time, as libFuzzer would replay
 * them, so that `make test` (and the sanitizer build, and valgrind) run
 * every input that ever crashed a harness without clang or libFuzzer.
 *
 *   regress_NAME PATH...
 *
 * A PATH is a file or a directory; a directory's regular files are taken
 * in name order (not recursively), skipping dot files and README*.  A
 * directory that does not exist holds no input (a harness that never
 * crashed has no regress/NAME/).  A crash is the harness's own abort, a
 * signal or a sanitizer's report; the driver then names the input that
 * caused it ("regress_NAME: crashed on FILE") before it dies.  With
 * FUZZ_REGRESS_VERBOSE=1 it names each file before running it (under
 * valgrind, whose reports do not end the run).  Exit status 0 when every
 * input ran, 2 when a file could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fz.h"

#ifndef FUZZ_NAME
#define FUZZ_NAME "?"
#endif

static int verbose;
static char current[4096]; /* the input being run, for the death note */

/* Sanitizer runtimes call this before they exit; weak, so that a plain
 * build links without one. */
extern void __sanitizer_set_death_callback(void (*fn)(void))
	__attribute__((weak));

static void death_note(void)
{
	static const char pre[] = "regress_" FUZZ_NAME ": crashed on ";
	if (current[0] == '\0')
		return;
	/* async-signal-safe: write(2) only */
	if (write(2, pre, sizeof pre - 1) < 0 ||
	    write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
		return;
}

static void on_signal(int sig)
{
	death_note();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "regress_%s: %s: %s\n", FUZZ_NAME, path,
			strerror(errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	int bad = buf == NULL || ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "regress_%s: %s: cannot read it\n", FUZZ_NAME,
			path);
		free(buf);
		return -1;
	}
	if (verbose)
		fprintf(stderr, "regress_%s: %s (%zu bytes)\n", FUZZ_NAME,
			path, len);
	/* an exact-size copy, as libFuzzer passes, so that reading past
	 * the end shows up under ASan and valgrind */
	uint8_t *exact = malloc(len ? len : 1);
	if (exact == NULL) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	snprintf(current, sizeof current, "%s", path);
	LLVMFuzzerTestOneInput(exact, len);
	current[0] = '\0';
	free(exact);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every input of a directory; returns the count, or -1. */
static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof *nn);
			if (nn == NULL) {
				rc = -1;
				break;
			}
			names = nn;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if ((names[n] = malloc(len)) == NULL) {
			rc = -1;
			break;
		}
		snprintf(names[n], len, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, by_name);
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			if (run_file(names[i]) != 0)
				rc = -1;
			else
				count++;
		}
		free(names[i]);
	}
	free(names);
	return rc != 0 ? -1 : count;
}

int main(int argc, char **argv)
{
	const char *v = getenv("FUZZ_REGRESS_VERBOSE");
	verbose = v != NULL && v[0] == '1';
	signal(SIGABRT, on_signal);
	if (__sanitizer_set_death_callback != NULL) {
		/* the sanitizer's own handlers report faults: keep them */
		__sanitizer_set_death_callback(death_note);
	} else {
		signal(SIGSEGV, on_signal);
		signal(SIGBUS, on_signal);
		signal(SIGFPE, on_signal);
	}
	int total = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int n;
		if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
			n = run_file(argv[i]) == 0 ? 1 : -1;
		else
			n = run_dir(argv[i]);
		if (n < 0) {
			fprintf(stderr, "regress_%s: %s: cannot read it\n",
				FUZZ_NAME, argv[i]);
			return 2;
		}
		total += n;
	}
	printf("fuzz regress %s: %d inputs ran clean\n", FUZZ_NAME, total);
	return 0;
}
