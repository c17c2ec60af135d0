/*
 * viz_sandbox.h - confine a helper program that scsinet runs (gnuplot)
 * with Linux Landlock, so that a script it is given can write only into
 * one directory, execute no other program and open no TCP connection.
 *
 * Why: gnuplot has no restricted mode.  Its `system()`, backquotes and
 * `set output '|cmd'` start a shell, and a gnuplot script is code.  The
 * scripts scsinet writes put scenario strings only inside single-quoted
 * literals (where gnuplot substitutes nothing) and the loader refuses
 * control characters, so no scenario can reach a command position; this
 * is the second wall, for whatever a future bug lets through.
 *
 * What the confined program may do: read any file the user can (fonts,
 * libraries, its script); create, write and truncate files beneath
 * `writable_dir`; write /dev/null; execute itself and its ELF interpreter
 * and nothing else (a shell cannot start); no TCP bind or connect
 * (kernels with Landlock ABI 4 or later).  Landlock needs Linux 5.13 with
 * Landlock enabled; where the kernel has none, viz_sandbox_prepare()
 * says so and the program runs unconfined (the first wall still holds).
 *
 * USE (all but viz_sandbox_enter in the parent):
 *   struct viz_sandbox sb;
 *   err = viz_sandbox_prepare(&sb, "/usr/bin/gnuplot-nox", "out");
 *   pid = fork();
 *   child:  if (viz_sandbox_enter(&sb) != 0) _exit(127);  execv(...);
 *   parent: viz_sandbox_release(&sb);
 */
#ifndef VIZ_SANDBOX_H
#define VIZ_SANDBOX_H

#include "sn_error.h"

struct viz_sandbox {
	int fd;                    /* the Landlock ruleset, or -1: none */
	int abi;                   /* the kernel's Landlock ABI, 0: none */
};

/* The kernel's Landlock ABI version, 0 if it has none (or it is off). */
int viz_sandbox_abi(void);

/* Build the rules for running executable `exe` (an absolute path, as
 * execv will be given it) with write access beneath `writable_dir`.
 * SN_OK: sb->fd >= 0 and the rules are ready, or sb->fd == -1 and
 * sb->abi == 0 when the kernel has no Landlock.  Errors: SN_EINVAL (NULL
 * argument), SN_EIO (a path could not be opened, or Landlock refused a
 * rule; errno is left set).  On error nothing is left to release. */
enum sn_err viz_sandbox_prepare(struct viz_sandbox *sb, const char *exe,
				const char *writable_dir);

/* In the child, after fork and before exec: confine this process and its
 * future children.  Only async-signal-safe calls.  0 (also when there is
 * nothing to enter, sb->fd == -1), or -1 with errno set: the caller must
 * not exec then (fail closed). */
int viz_sandbox_enter(const struct viz_sandbox *sb);

/* In the parent, after fork: close the ruleset. */
void viz_sandbox_release(struct viz_sandbox *sb);

#endif
