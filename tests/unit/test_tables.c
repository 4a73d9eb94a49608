/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The data tables: syscall groups, syscall names, constants, errno names. */
#include <errno.h>
#include <signal.h>
#include <seccomp.h>
#include <stdbool.h>

#include "policy/policy.h"
#include "../harness.h"

/* The three arches whose syscall tables the group rules are checked
 * against (x32 has no call the other three lack). */
static const uint32_t check_arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_X86 };

/* Asked of libseccomp directly, independently of syscalls.c: a real (>= 0)
 * number on some arch.  Negative numbers are pseudo-syscalls. */
static bool resolves_somewhere(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(check_arches); i++)
		if (seccomp_syscall_resolve_name_arch(check_arches[i], name) >= 0)
			return true;
	return false;
}

TEST(groups_sorted)
{
	CHECK(sk_groups_len > 0);
	for (size_t i = 1; i < sk_groups_len; i++)
		CHECK_MSG(strcmp(sk_groups[i - 1].name, sk_groups[i].name) < 0, "%s before %s",
			  sk_groups[i - 1].name, sk_groups[i].name);
	for (size_t i = 0; i < sk_groups_len; i++) {
		const char *const *m = sk_groups[i].members;

		CHECK_MSG(m[0] != NULL, "%s is empty", sk_groups[i].name);
		for (size_t j = 1; m[0] && m[j]; j++)
			CHECK_MSG(strcmp(m[j - 1], m[j]) < 0, "%s: %s before %s", sk_groups[i].name, m[j - 1], m[j]);
	}
}

TEST(groups_documented)
{
	for (size_t i = 0; i < sk_groups_len; i++) {
		const struct sk_group *g = &sk_groups[i];

		CHECK_MSG(g->name[0] == '@' && g->name[1], "bad name %s", g->name);
		CHECK_MSG(g->help && *g->help, "%s has no help", g->name);
		CHECK_MSG(g->breaks && *g->breaks, "%s has no breaks", g->name);
		CHECK_MSG(!strchr(g->help, '\n') && !strchr(g->breaks, '\n'), "%s: help/breaks span lines", g->name);
	}
}

TEST(group_members_resolve)
{
	for (size_t i = 0; i < sk_groups_len; i++) {
		for (const char *const *m = sk_groups[i].members; *m; m++) {
			if ((*m)[0] == '@') {
				CHECK_MSG(sk_group_lookup(*m) != NULL, "%s: unknown group %s", sk_groups[i].name, *m);
				continue;
			}
			CHECK_MSG(resolves_somewhere(*m), "%s: %s is not a syscall on x86_64, aarch64 or i386",
				  sk_groups[i].name, *m);
			CHECK_MSG(sk_syscall_known(*m), "%s: sk_syscall_known(%s) is false", sk_groups[i].name, *m);
		}
	}
}

/* Depth-first search with three colours: meeting a grey group again means
 * the inclusion graph has a cycle. */
enum { WHITE, GREY, BLACK };

static bool group_has_cycle(size_t i, unsigned char *colour)
{
	colour[i] = GREY;
	for (const char *const *m = sk_groups[i].members; *m; m++) {
		const struct sk_group *sub;
		size_t j;

		if ((*m)[0] != '@' || !(sub = sk_group_lookup(*m)))
			continue;
		j = (size_t)(sub - sk_groups);
		if (colour[j] == GREY)
			return true;
		if (colour[j] == WHITE && group_has_cycle(j, colour))
			return true;
	}
	colour[i] = BLACK;
	return false;
}

TEST(groups_acyclic)
{
	unsigned char *colour = calloc(sk_groups_len, 1);

	CHECK(colour != NULL);
	if (!colour)
		return;
	for (size_t i = 0; i < sk_groups_len; i++)
		if (colour[i] == WHITE)
			CHECK_MSG(!group_has_cycle(i, colour), "cycle through %s", sk_groups[i].name);
	free(colour);
}

TEST(group_lookup)
{
	const struct sk_group *g = sk_group_lookup("@mount");

	CHECK(g != NULL && strcmp(g->name, "@mount") == 0);
	CHECK(sk_group_lookup("mount") == g);
	CHECK(sk_group_lookup("@io-uring") != NULL);
	CHECK(sk_group_lookup("@basic-io") == &sk_groups[0]);
	CHECK(sk_group_lookup("@timer") == &sk_groups[sk_groups_len - 1]);
	CHECK(sk_group_lookup("@nosuch") == NULL);
	CHECK(sk_group_lookup("@") == NULL);
	CHECK(sk_group_lookup("") == NULL);
	CHECK(sk_group_lookup("@@mount") == NULL);
	CHECK(sk_group_lookup("@MOUNT") == NULL);
	for (size_t i = 0; i < sk_groups_len; i++)
		CHECK(sk_group_lookup(sk_groups[i].name) == &sk_groups[i]);
}

static bool group_has(const char *group, const char *member)
{
	const struct sk_group *g = sk_group_lookup(group);

	if (!g)
		return false;
	for (const char *const *m = g->members; *m; m++)
		if (strcmp(*m, member) == 0)
			return true;
	return false;
}

TEST(group_contents)
{
	/* Spot checks of the calls a sandbox most relies on. */
	CHECK(group_has("@mount", "fsopen"));
	CHECK(group_has("@mount", "open_tree"));
	CHECK(group_has("@mount", "mount_setattr"));
	CHECK(group_has("@mount", "umount"));
	CHECK(group_has("@module", "finit_module"));
	CHECK(group_has("@reboot", "kexec_file_load"));
	CHECK(group_has("@debug", "ptrace"));
	CHECK(group_has("@debug", "pidfd_getfd"));
	CHECK(group_has("@io-uring", "io_uring_setup"));
	CHECK(group_has("@namespaces", "setns"));
	CHECK(group_has("@clock", "clock_settime64"));
	CHECK(group_has("@raw-io", "iopl"));
	CHECK(group_has("@cpu-emulation", "modify_ldt"));
	CHECK(group_has("@exploit-primitives", "userfaultfd"));
	CHECK(group_has("@exploit-primitives", "open_by_handle_at"));
	/* Argument-dependent calls belong in rules, not groups. */
	for (size_t i = 0; i < sk_groups_len; i++) {
		CHECK(!group_has(sk_groups[i].name, "clone"));
		CHECK(!group_has(sk_groups[i].name, "clone3"));
		CHECK(!group_has(sk_groups[i].name, "personality"));
	}
}

TEST(constants_sorted_unique)
{
	CHECK(sk_constants_len > 0);
	for (size_t i = 1; i < sk_constants_len; i++)
		CHECK_MSG(strcmp(sk_constants[i - 1].name, sk_constants[i].name) < 0, "%s before %s",
			  sk_constants[i - 1].name, sk_constants[i].name);
	for (size_t i = 0; i < sk_constants_len; i++) {
		uint64_t v = 0;

		CHECK_MSG(sk_constant_lookup(sk_constants[i].name, &v) == 0 && v == sk_constants[i].value,
			  "lookup %s", sk_constants[i].name);
	}
}

TEST(constant_values)
{
	static const struct {
		const char *name;
		uint64_t value;
	} want[] = {
		{ "CLONE_NEWUSER", 0x10000000 },
		{ "CLONE_NEWNS", 0x20000 },
		{ "CLONE_NEWTIME", 0x80 },
		{ "CLONE_INTO_CGROUP", 0x200000000ULL },
		{ "AF_UNSPEC", 0 },
		{ "AF_UNIX", 1 },
		{ "AF_INET6", 10 },
		{ "AF_PACKET", 17 },
		{ "AF_MCTP", 45 },
		{ "SOCK_CLOEXEC", 02000000 },
		{ "MFD_NOEXEC_SEAL", 8 },
		{ "MFD_EXEC", 0x10 },
		{ "TIOCSTI", 0x5412 },
		{ "TIOCLINUX", 0x541c },
		{ "AT_EMPTY_PATH", 0x1000 },
		{ "AT_FDCWD", 0xffffffffffffff9cULL },
		{ "PER_LINUX32", 8 },
		{ "PERSONALITY_QUERY", 0xffffffff },
		{ "UNAME26", 0x20000 },
		{ "S_ISUID", 04000 },
		{ "PR_SET_NO_NEW_PRIVS", 38 },
		{ "PR_SET_PTRACER", 0x59616d61 },
		{ "SECCOMP_FILTER_FLAG_NEW_LISTENER", 8 },
		{ "NETLINK_ROUTE", 0 },
	};
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		v = ~(uint64_t)0;
		CHECK_MSG(sk_constant_lookup(want[i].name, &v) == 0, "%s missing", want[i].name);
		CHECK_MSG(v == want[i].value, "%s = %#" PRIx64 ", want %#" PRIx64, want[i].name, v, want[i].value);
	}
	/* Arch-dependent values must stay out. */
	CHECK_INT_EQ(sk_constant_lookup("O_DIRECTORY", &v), -ENOENT);
	CHECK_INT_EQ(sk_constant_lookup("O_LARGEFILE", &v), -ENOENT);
	CHECK_INT_EQ(sk_constant_lookup("clone_newuser", &v), -ENOENT);
	CHECK_INT_EQ(sk_constant_lookup("", &v), -ENOENT);
	CHECK_INT_EQ(sk_constant_lookup("AF_INET", NULL), 0);
}

TEST(constant_suggest)
{
	const char *s = sk_constant_suggest("CLONE_NEWUSR");

	CHECK(s && strcmp(s, "CLONE_NEWUSER") == 0);
	s = sk_constant_suggest("af_inet6");
	CHECK(s && strcmp(s, "AF_INET6") == 0);
	s = sk_constant_suggest("TIOCTSI");
	CHECK(s && strcmp(s, "TIOCSTI") == 0);
	CHECK(sk_constant_suggest("COMPLETELY_DIFFERENT_THING") == NULL);
	CHECK(sk_constant_suggest("") == NULL);
}

TEST(errno_names)
{
	int v = 0;

	CHECK_INT_EQ(sk_errno_lookup("EPERM", &v), 0);
	CHECK_INT_EQ(v, 1);
	CHECK_INT_EQ(sk_errno_lookup("ENOSYS", &v), 0);
	CHECK_INT_EQ(v, 38);
	CHECK_INT_EQ(sk_errno_lookup("EACCES", &v), 0);
	CHECK_INT_EQ(v, EACCES);
	CHECK_INT_EQ(sk_errno_lookup("EHWPOISON", &v), 0);
	CHECK_INT_EQ(v, EHWPOISON);
	CHECK_INT_EQ(sk_errno_lookup("EWOULDBLOCK", &v), 0);
	CHECK_INT_EQ(v, EAGAIN);
	CHECK_INT_EQ(sk_errno_lookup("ENOTSUP", &v), 0);
	CHECK_INT_EQ(v, EOPNOTSUPP);
	CHECK_INT_EQ(sk_errno_lookup("ENOSUCHERRNO", &v), -ENOENT);
	CHECK_INT_EQ(sk_errno_lookup("eperm", &v), -ENOENT);
	CHECK_INT_EQ(sk_errno_lookup("1", &v), -ENOENT);
	CHECK_INT_EQ(sk_errno_lookup("", &v), -ENOENT);

	CHECK(sk_errno_name(1) && strcmp(sk_errno_name(1), "EPERM") == 0);
	CHECK(sk_errno_name(ENOSYS) && strcmp(sk_errno_name(ENOSYS), "ENOSYS") == 0);
	CHECK(sk_errno_name(0) == NULL);
	CHECK(sk_errno_name(-1) == NULL);
	CHECK(sk_errno_name(4096) == NULL);
	/* Every name the C library knows survives the round trip. */
	for (int e = 1; e < 4096; e++) {
		const char *n = sk_errno_name(e);

		if (!n)
			continue;
		CHECK_MSG(sk_errno_lookup(n, &v) == 0 && v == e, "%s (%d)", n, e);
	}
}

/* The C library is the oracle of the two tests below.  glibc (2.32 on)
 * names errno values and signals (strerrorname_np(), sigabbrev_np()): the
 * names must match.  musl names neither; what it has is a message for
 * each value it knows (strerror(), strsignal()), and a value with a
 * message must have a name here too. */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
#define HAVE_GLIBC_NAMES 1
#else
#define HAVE_GLIBC_NAMES 0
#endif

TEST(errno_names_match_libc)
{
#if HAVE_GLIBC_NAMES
	for (int e = 1; e < 4096; e++) {
		const char *ours = sk_errno_name(e), *libc = strerrorname_np(e);

		CHECK_MSG((!ours && !libc) || (ours && libc && strcmp(ours, libc) == 0), "%d: %s vs glibc %s", e,
			  ours ? ours : "(none)", libc ? libc : "(none)");
	}
#else
	/* strerror() may reuse its buffer: keep the unknown value's message. */
	char unknown[128];
	int known = 0;

	snprintf(unknown, sizeof(unknown), "%s", strerror(4095));
	for (int e = 1; e < 4095; e++) {
		if (!strcmp(strerror(e), unknown))
			continue;
		known++;
		CHECK_MSG(sk_errno_name(e), "%d (\"%s\") has no name", e, strerror(e));
	}
	/* musl 1.2.3 describes 92: the oracle is not empty. */
	CHECK_MSG(known > 64, "the C library describes only %d errno values", known);
#endif
}

TEST(signal_names)
{
	CHECK(sk_signal_name(SIGKILL) && strcmp(sk_signal_name(SIGKILL), "SIGKILL") == 0);
	CHECK(sk_signal_name(SIGSYS) && strcmp(sk_signal_name(SIGSYS), "SIGSYS") == 0);
	CHECK(sk_signal_name(0) == NULL);
	CHECK(sk_signal_name(SIGRTMIN) == NULL);
}

TEST(signal_names_match_libc)
{
#if HAVE_GLIBC_NAMES
	/* Every signal glibc names is named here, with that name or an alias
	 * (SIGIO is also SIGPOLL). */
	for (int sig = 1; sig < 32; sig++) {
		const char *libc = sigabbrev_np(sig);
		char alias[32];
		uint64_t v = 0;

		snprintf(alias, sizeof(alias), "SIG%s", libc ? libc : "?");
		CHECK_MSG(libc && sk_signal_name(sig), "%d: %s vs glibc %s", sig,
			  sk_signal_name(sig) ? sk_signal_name(sig) : "(none)", alias);
		CHECK_MSG(sk_constant_lookup(alias, &v) == 0 && v == (uint64_t)sig, "%d: %s", sig, alias);
	}
#else
	char unknown[128];

	snprintf(unknown, sizeof(unknown), "%s", strsignal(SIGRTMAX + 1));
	for (int sig = 1; sig < 32; sig++) {
		CHECK_MSG(strcmp(strsignal(sig), unknown) != 0, "%d: the C library does not know it", sig);
		CHECK_MSG(sk_signal_name(sig), "%d (\"%s\") has no name", sig, strsignal(sig));
	}
#endif
}

TEST(syscall_known)
{
	CHECK(sk_syscall_known("memfd_create"));
	CHECK(sk_syscall_known("read"));
	CHECK(sk_syscall_known("open"));	    /* x86_64 and i386 only */
	CHECK(sk_syscall_known("vm86"));	    /* i386 only */
	CHECK(sk_syscall_known("epoll_ctl_old")); /* x86_64 only */
	CHECK(!sk_syscall_known("memfd_creat"));
	CHECK(!sk_syscall_known("subpage_prot")); /* powerpc only */
	CHECK(!sk_syscall_known(""));
	CHECK(!sk_syscall_known("@mount"));
}

TEST(syscall_suggest)
{
	const char *s = sk_syscall_suggest("memfd_creat");

	CHECK(s && strcmp(s, "memfd_create") == 0);
	s = sk_syscall_suggest("MMAP");
	CHECK(s && strcmp(s, "mmap") == 0);
	s = sk_syscall_suggest("exceve");
	CHECK(s && strcmp(s, "execve") == 0);
	CHECK(sk_syscall_suggest("zzzzzzzzzzzzzzzzzzzzzzzz") == NULL);
	CHECK(sk_syscall_suggest("") == NULL);
}

TEST(syscall_all)
{
	const char *const *all = sk_syscall_all();
	bool uring = false, open = false, memfd = false;
	size_t n = 0;

	CHECK(all != NULL);
	if (!all)
		return;
	CHECK(sk_syscall_all() == all); /* built once */
	for (; all[n]; n++) {
		if (n > 0)
			CHECK_MSG(strcmp(all[n - 1], all[n]) < 0, "%s before %s", all[n - 1], all[n]);
		uring |= strcmp(all[n], "io_uring_setup") == 0;
		open |= strcmp(all[n], "open") == 0;
		memfd |= strcmp(all[n], "memfd_create") == 0;
	}
	CHECK(uring);
	CHECK(open);
	CHECK(memfd);
	/* x86_64 alone has over 300 calls; the union of the arches more. */
	CHECK_MSG(n > 400, "only %zu names", n);
}

TEST(edit_distance)
{
	CHECK_INT_EQ(sk_edit_distance("", ""), 0);
	CHECK_INT_EQ(sk_edit_distance("abc", ""), 3);
	CHECK_INT_EQ(sk_edit_distance("", "abc"), 3);
	CHECK_INT_EQ(sk_edit_distance("kitten", "sitting"), 3);
	CHECK_INT_EQ(sk_edit_distance("mmap", "mmap"), 0);
	CHECK_INT_EQ(sk_edit_distance("mmpa", "mmap"), 1); /* transposition */
	CHECK_INT_EQ(sk_edit_distance("memfd_creat", "memfd_create"), 1);

	/* Longer than the on-stack rows. */
	char a[200], b[200];

	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[100] = 'y';
	CHECK_INT_EQ(sk_edit_distance(a, b), 1);
	CHECK_INT_EQ(sk_edit_distance("x", a), 198);
}

/* The one "did you mean" rule (suggest.c): case first, then at most a third
 * of the word in edits, never fewer than two; the first of equals wins. */
TEST(suggest_rule)
{
	static const char *const cmds[] = { "run", "learn", "show", "stats", NULL };
	static const char *const opts[] = { "--report", "--report-json", "--no-report", "--audit" };
	static const char *const ties[] = { "-v", "-h", NULL };
	const char *s;

	s = stockade_suggest("rnu", cmds, SIZE_MAX); /* a swap is one edit */
	CHECK(s && strcmp(s, "run") == 0);
	s = stockade_suggest("SHOW", cmds, SIZE_MAX);
	CHECK(s && strcmp(s, "show") == 0);
	s = stockade_suggest("--reprot", opts, ARRAY_SIZE(opts));
	CHECK(s && strcmp(s, "--report") == 0);
	s = stockade_suggest("--report-jsn", opts, ARRAY_SIZE(opts));
	CHECK(s && strcmp(s, "--report-json") == 0);
	/* Two edits from a short word is the floor; three is too many. */
	s = stockade_suggest("lern", cmds, SIZE_MAX);
	CHECK(s && strcmp(s, "learn") == 0);
	CHECK(stockade_suggest("xy", cmds, SIZE_MAX) == NULL);
	/* Nine letters or more allow three edits, eight only two. */
	s = stockade_suggest("--reportxyz", opts, ARRAY_SIZE(opts));
	CHECK(s && strcmp(s, "--report") == 0);
	CHECK(stockade_suggest("--repxyz", opts, ARRAY_SIZE(opts)) == NULL);
	s = stockade_suggest("-x", ties, SIZE_MAX);
	CHECK(s && strcmp(s, "-v") == 0);
	/* Two edits, but all of "-h": nothing of it was typed. */
	CHECK(stockade_suggest("--x", ties, SIZE_MAX) == NULL);
	/* n bounds the list even without a NULL; an exact match is no typo. */
	CHECK(stockade_suggest("--audit", opts, 3) == NULL);
	CHECK(stockade_suggest("run", cmds, SIZE_MAX) == NULL);
	CHECK(stockade_suggest("", cmds, SIZE_MAX) == NULL);
	CHECK(stockade_suggest(NULL, cmds, SIZE_MAX) == NULL);
	CHECK(stockade_suggest("run", NULL, 0) == NULL);
}

TEST(arch_names)
{
	uint32_t t = 1;

	CHECK_INT_EQ(stockade_arch_from_name("x86_64", &t), 0);
	CHECK_INT_EQ(t, SCMP_ARCH_X86_64);
	CHECK_INT_EQ(stockade_arch_from_name("amd64", &t), 0);
	CHECK_INT_EQ(t, SCMP_ARCH_X86_64);
	CHECK_INT_EQ(stockade_arch_from_name("aarch64", &t), 0);
	CHECK_INT_EQ(t, SCMP_ARCH_AARCH64);
	CHECK_INT_EQ(stockade_arch_from_name("arm64", &t), 0);
	CHECK_INT_EQ(t, SCMP_ARCH_AARCH64);
	CHECK_INT_EQ(stockade_arch_from_name("i386", &t), 0);
	CHECK_INT_EQ(t, SCMP_ARCH_X86);
	CHECK_INT_EQ(stockade_arch_from_name("x86", &t), 0);
	CHECK_INT_EQ(t, SCMP_ARCH_X86);
	CHECK_INT_EQ(stockade_arch_from_name("x32", &t), 0);
	CHECK_INT_EQ(t, SCMP_ARCH_X32);
	CHECK_INT_EQ(stockade_arch_from_name("native", &t), 0);
	CHECK_INT_EQ(t, 0);
	CHECK_INT_EQ(stockade_arch_from_name("sparc", &t), -EINVAL);
	CHECK_INT_EQ(stockade_arch_from_name("", &t), -EINVAL);
	CHECK_INT_EQ(stockade_arch_from_name(NULL, &t), -EINVAL);

	CHECK(strcmp(stockade_arch_name(SCMP_ARCH_X86_64), "x86_64") == 0);
	CHECK(strcmp(stockade_arch_name(SCMP_ARCH_X86), "i386") == 0);
	CHECK(strcmp(stockade_arch_name(SCMP_ARCH_X32), "x32") == 0);
	CHECK(strcmp(stockade_arch_name(SCMP_ARCH_AARCH64), "aarch64") == 0);
	CHECK(stockade_arch_name(SCMP_ARCH_PPC64LE) == NULL);
	/* 0 is the native arch, named as such when it is a supported one. */
	if (stockade_arch_name(seccomp_arch_native()))
		CHECK(stockade_arch_name(0) == stockade_arch_name(seccomp_arch_native()));
	/* Every supported arch has a name that parses back to it. */
	for (size_t i = 0; i < sk_arches_len; i++) {
		const char *n = stockade_arch_name(sk_arches[i]);

		CHECK(n != NULL);
		CHECK(n && stockade_arch_from_name(n, &t) == 0 && t == sk_arches[i]);
	}
}
