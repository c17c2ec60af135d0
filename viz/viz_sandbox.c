/*
 * viz_sandbox.c - Landlock confinement for a helper program (see
 * viz_sandbox.h).  Follows the kernel's Documentation/userspace-api/
 * landlock.rst: a ruleset that "handles" the access rights to restrict,
 * path-beneath rules that allow some of them again, then
 * PR_SET_NO_NEW_PRIVS and landlock_restrict_self() in the child.
 *
 * READ_FILE and READ_DIR are not handled (the program reads what the
 * user may read): a confined gnuplot cannot change anything outside its
 * output directory, and cannot start a shell to do it for it.
 */
#define _GNU_SOURCE /* syscall() */
#include "viz_sandbox.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Rights of later Landlock ABIs, by their UAPI values, so that the build
 * does not depend on the installed kernel headers (Debian 12's know ABI 2). */
#define LL_FS_TRUNCATE (1ULL << 14)    /* ABI 3 */
#define LL_NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */

/* struct landlock_ruleset_attr as of ABI 4: the kernel takes the size it
 * is given and treats missing trailing members as zero. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};

#define LL_FS_WRITES                                                      \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |   \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |   \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |       \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |     \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

int viz_sandbox_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);
	return abi > 0 ? (int)abi : 0;
}

/* The ELF interpreter (PT_INTERP) of `exe` into buf: execve opens it as
 * an executable too, so it needs the EXECUTE right.  1 if found, 0 if
 * the file is no dynamically linked ELF (a static binary needs none; a
 * #! script would need its interpreter, see the caller), -1 on a read
 * error. */
static int elf_interp(const char *exe, char *buf, size_t size)
{
	int fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	unsigned char id[EI_NIDENT];
	int found = 0;
	uint64_t phoff = 0;
	unsigned phnum = 0, phentsize = 0, is64 = 0;
	if (pread(fd, id, sizeof id, 0) == (ssize_t)sizeof id &&
	    memcmp(id, ELFMAG, SELFMAG) == 0) {
		is64 = id[EI_CLASS] == ELFCLASS64;
		if (is64) {
			Elf64_Ehdr eh;
			if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh) {
				phoff = eh.e_phoff;
				phnum = eh.e_phnum;
				phentsize = eh.e_phentsize;
			}
		} else {
			Elf32_Ehdr eh;
			if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh) {
				phoff = eh.e_phoff;
				phnum = eh.e_phnum;
				phentsize = eh.e_phentsize;
			}
		}
	}
	for (unsigned i = 0; i < phnum && phentsize && !found; i++) {
		uint64_t off = phoff + (uint64_t)i * phentsize, at = 0, len = 0;
		uint32_t type = 0;
		if (is64) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof ph, (off_t)off) != sizeof ph)
				break;
			type = ph.p_type;
			at = ph.p_offset;
			len = ph.p_filesz;
		} else {
			Elf32_Phdr ph;
			if (pread(fd, &ph, sizeof ph, (off_t)off) != sizeof ph)
				break;
			type = ph.p_type;
			at = ph.p_offset;
			len = ph.p_filesz;
		}
		if (type != PT_INTERP)
			continue;
		if (len == 0 || len > size ||
		    pread(fd, buf, (size_t)len, (off_t)at) != (ssize_t)len ||
		    buf[len - 1] != '\0')
			break;
		found = 1;
	}
	close(fd);
	return found;
}

static int add_rule(int rs, const char *path, uint64_t allowed)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = allowed };
	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return -1;
	int r = (int)syscall(SYS_landlock_add_rule, rs,
			     LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	int e = errno;
	close(pb.parent_fd);
	errno = e;
	return r;
}

enum sn_err viz_sandbox_prepare(struct viz_sandbox *sb, const char *exe,
				const char *writable_dir)
{
	if (sb == NULL || exe == NULL || writable_dir == NULL)
		return SN_EINVAL;
	sb->fd = -1;
	sb->abi = viz_sandbox_abi();
	if (sb->abi == 0)
		return SN_OK;
	char interp[256];
	int has_interp = elf_interp(exe, interp, sizeof interp);
	if (has_interp < 0)
		return SN_EIO;
	/* A program that is not ELF (a #! wrapper) needs an interpreter we
	 * cannot name here: it keeps EXECUTE, and loses only the writes. */
	uint64_t exec_right = LANDLOCK_ACCESS_FS_EXECUTE;
	char head[2] = { 0, 0 };
	int fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (pread(fd, head, 2, 0) != 2)
			head[0] = 0;
		close(fd);
	}
	if (head[0] == '#' && head[1] == '!')
		exec_right = 0;
	uint64_t fs = LL_FS_WRITES | exec_right;
	uint64_t dir_rights = LANDLOCK_ACCESS_FS_WRITE_FILE |
			      LANDLOCK_ACCESS_FS_MAKE_REG |
			      LANDLOCK_ACCESS_FS_REMOVE_FILE;
	if (sb->abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (sb->abi >= 3) {
		fs |= LL_FS_TRUNCATE;
		dir_rights |= LL_FS_TRUNCATE;
	}
	struct ll_ruleset_attr attr = { .handled_access_fs = fs };
	size_t attr_size = sizeof attr.handled_access_fs;
	if (sb->abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		attr_size = sizeof attr;
	}
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (rs < 0)
		return SN_EIO;
	int bad = add_rule(rs, writable_dir, dir_rights) != 0 ||
		  add_rule(rs, "/dev/null", LANDLOCK_ACCESS_FS_WRITE_FILE) != 0;
	if (!bad && exec_right) {
		bad = add_rule(rs, exe, LANDLOCK_ACCESS_FS_EXECUTE) != 0;
		if (!bad && has_interp)
			bad = add_rule(rs, interp,
				       LANDLOCK_ACCESS_FS_EXECUTE) != 0;
	}
	if (bad) {
		int e = errno;
		close(rs);
		errno = e;
		return SN_EIO;
	}
	sb->fd = rs;
	return SN_OK;
}

int viz_sandbox_enter(const struct viz_sandbox *sb)
{
	if (sb == NULL || sb->fd < 0)
		return 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return syscall(SYS_landlock_restrict_self, sb->fd, 0) == 0 ? 0 : -1;
}

void viz_sandbox_release(struct viz_sandbox *sb)
{
	if (sb != NULL && sb->fd >= 0) {
		close(sb->fd);
		sb->fd = -1;
	}
}
