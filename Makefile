# SPDX-License-Identifier: LGPL-2.1-or-later
# Plain make: `make` builds build/stockade, `make check` runs every test tier,
# `make demo` shows the default preset at work.  BUILD=build-asan SANITIZE=1
# builds an ASan+UBSan tree.

CC ?= cc
.DEFAULT_GOAL := all
BUILD ?= build
PKGS := libseccomp yaml-0.1

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wpointer-arith -Wcast-qual -Wundef -Wvla -Wno-unused-parameter
CFLAGS ?= -O2 -g
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
CPPFLAGS += -D_FORTIFY_SOURCE=2
endif
# FUZZ=1 (set by `make fuzz`): instrument everything for libFuzzer.
ifeq ($(FUZZ),1)
CFLAGS += -fsanitize=fuzzer-no-link
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The build dependencies come first: this file asks pkg-config and the
# compiler about them while make reads it (the flags above, the STATIC probe
# and the musl choice below), so they must be there before.  Where
# pkg-config cannot name them (a fresh machine), make includes
# $(BUILD)/deps.mk, whose recipe runs scripts/deps.sh: as root it installs
# them (and what the musl CLI and, for `make check`, the test tiers use)
# in one step, otherwise it prints the apt-get line and the build stops.
# Having remade an included makefile, make reads this file again from the
# top (GNU make's "How Makefiles Are Remade") and finds them; MAKE_RESTARTS
# keeps that to once.  A warm build asks pkg-config and nothing more.
# (Not under `make -n`: a dry run must not install anything.)
DEPS_GOALS := $(if $(findstring n,$(firstword -$(MAKEFLAGS))),,$(filter-out clean deps,$(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))))
DEPS_MISSING := $(if $(PKG_LIBS),,pkgs)$(if $(wildcard /usr/include/http_parser.h),,http-parser)$(if \
	$(wildcard /usr/include/ares.h),,c-ares)
ifneq ($(DEPS_MISSING),)
ifneq ($(DEPS_GOALS),)
ifeq ($(MAKE_RESTARTS),)
# (created empty first: make would say it is missing before running deps.sh)
$(shell mkdir -p $(BUILD) && touch $(BUILD)/deps.mk 2>/dev/null)
include $(BUILD)/deps.mk
else
$(error pkg-config still cannot find $(PKGS) after scripts/deps.sh)
endif
endif
endif
DEPS_GROUPS := build $(if $(filter 0,$(STATIC) $(MUSL))$(SANITIZE)$(FUZZ),,musl) \
	$(if $(filter check,$(MAKECMDGOALS)),test)
$(BUILD)/deps.mk: FORCE
	@scripts/deps.sh $(DEPS_GROUPS)
	@mkdir -p $(@D) && echo '# scripts/deps.sh $(DEPS_GROUPS): done' >$@
FORCE:
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude -Isrc -MMD -MP
ALL_CFLAGS := $(BASE_CFLAGS) $(PKG_CFLAGS)
LIBS := $(PKG_LIBS)
# The stockade binary is linked statically (-static-pie, still position
# independent).  Start-up cost matters: it wraps every tool call.
#  - MUSL=1 (the default where it can be had): against musl, with musl builds
#    of libseccomp and libyaml, and mimalloc as the allocator behind
#    the arena of src/musl/arena.c, that scripts/musl-deps.sh makes from
#    Debian's source packages.  glibc's
#    start-up spends ~0.28 ms here identifying the CPU (CPUID traps to the
#    hypervisor in a VM); musl's spends nothing.  MUSL=auto tries once and records the
#    outcome in $(MUSL_PREFIX)/use.mk (delete it to try again).
#  - MUSL=0, STATIC=1: against glibc's archives, when libc.a and the two
#    libraries' archives are installed (Debian's -dev packages ship them).
#    That skips the dynamic loader resolving the shared libraries (~0.13 ms).
#  - STATIC=0 links dynamically; so do sanitizer builds.
# valgrind cannot follow a static binary's heap, so `make valgrind` checks
# $(BUILD)/stockade-dynamic, the same code built against glibc, dynamically.
STATIC ?= $(if $(filter-out /%,$(foreach l,c seccomp yaml,$(shell $(CC) -print-file-name=lib$(l).a))),0,1)
ifneq ($(SANITIZE)$(FUZZ),)
STATIC := 0
MUSL := 0
endif
ifeq ($(STATIC),1)
CLI_LINK := -static-pie $(PKG_LIBS)
else
CLI_LINK := $(LIBS)
MUSL := 0
endif
MUSL_PREFIX ?= build/musl-deps
MUSL ?= auto
ifeq ($(MUSL),auto)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(MUSL_PREFIX)/use.mk
endif
endif
$(MUSL_PREFIX)/use.mk: scripts/musl-deps.sh
	@if scripts/musl-deps.sh $(MUSL_PREFIX); then echo 'MUSL := 1' >$@; \
	else mkdir -p $(MUSL_PREFIX) && echo 'MUSL := 0' >$@ && \
	echo "musl-deps: linking stockade against glibc instead (slower start-up); rm $@ to retry" >&2; fi
MUSL_TRIPLE := $(patsubst %-gnu,%-musl,$(shell $(CC) -dumpmachine 2>/dev/null | sed 's/-pc-/-/;s/-unknown-/-/'))
MUSL_LIBDIR := /usr/lib/$(MUSL_TRIPLE)
# musl's headers, the compiler's own (stddef.h, stdarg.h), and the Linux
# UAPI headers scripts/musl-deps.sh links into $(MUSL_PREFIX)/include.
MUSL_CFLAGS := $(BASE_CFLAGS) -fPIE -nostdinc -isystem /usr/include/$(MUSL_TRIPLE) \
	-isystem $(shell $(CC) -print-file-name=include) -isystem $(MUSL_PREFIX)/include
MUSL_LINK := -static-pie -nostdlib -nostartfiles $(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o \
	$(shell $(CC) -print-file-name=crtbeginS.o)
MUSL_LIBS := -L$(MUSL_PREFIX)/lib -lseccomp -lyaml -L$(MUSL_LIBDIR) -lc $(shell $(CC) -print-libgcc-file-name) \
	$(shell $(CC) -print-file-name=crtendS.o) $(MUSL_LIBDIR)/crtn.o

LIB_STAGES := base tables policy plan seccomp landlock export analysis run
LIB_SRCS := $(sort $(foreach s,$(LIB_STAGES),$(wildcard src/$(s)/*.c)))
CLI_SRCS := $(sort $(wildcard src/cli/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/preset_texts.o
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)

UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
SIM_SRCS := $(sort $(wildcard tests/sim/*.c))
LIVE_SRCS := $(sort $(wildcard tests/live/*.c))
PROBE_SRCS := $(sort $(wildcard tests/probes/*.c))
PROBES := $(PROBE_SRCS:tests/probes/%.c=$(BUILD)/probes/%)

.PHONY: all deps check check-layers check-asan demo clean docs docs-check install man bench fuzz fuzz-run valgrind FORCE
all: $(BUILD)/stockade $(BUILD)/stockade-proxy

deps:
	@scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# The built-in presets' plans are computed at build time (src/plan/preset_plans.h):
# a stage-1 library whose table of them is empty links tools/gen_presets,
# which writes $(BUILD)/gen/preset_blobs.c, the table of the real library.
$(BUILD)/libstockade-stage1.a: $(LIB_OBJS) $(BUILD)/tools/preset_blobs_empty.o
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/gen_presets: $(BUILD)/tools/gen_presets.o $(BUILD)/libstockade-stage1.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/gen/preset_blobs.c: $(BUILD)/gen_presets
	@mkdir -p $(dir $@)
	$(BUILD)/gen_presets $@

# The built-in presets' text: presets/*.yaml as C string literals.
PRESET_FILES := $(sort $(wildcard presets/*.yaml))
$(BUILD)/gen/preset_texts.c: scripts/embed-presets.sh $(PRESET_FILES)
	@mkdir -p $(dir $@)
	scripts/embed-presets.sh $@ $(PRESET_FILES)

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libstockade.a: $(LIB_OBJS) $(BUILD)/gen/preset_blobs.o
	@rm -f $@
	ar rcs $@ $^

# The CLI against musl: the same sources, compiled once more into $(BUILD)/musl,
# with the allocation front of src/musl/arena.c in front of mimalloc: every
# malloc() of the static link reaches it through --wrap (and every memcpy()
# src/musl/memcpy.c, for short copies).
ARENA_OBJS := $(BUILD)/musl/src/musl/arena.o $(BUILD)/musl/src/musl/memcpy.o $(MUSL_PREFIX)/lib/mimalloc.o
ARENA_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=reallocarray,--wrap=free,--wrap=malloc_usable_size \
	-Wl,--wrap=memcpy
MUSL_LIB_OBJS := $(patsubst $(BUILD)/%,$(BUILD)/musl/%,$(LIB_OBJS) $(BUILD)/gen/preset_blobs.o)
MUSL_OBJS := $(patsubst $(BUILD)/%,$(BUILD)/musl/%,$(CLI_OBJS)) $(MUSL_LIB_OBJS)
$(BUILD)/musl/%.o: %.c $(MUSL_PREFIX)/stamp
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MUSL_CFLAGS) -c $< -o $@
$(BUILD)/musl/gen/%.o: $(BUILD)/gen/%.c $(MUSL_PREFIX)/stamp
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MUSL_CFLAGS) -c $< -o $@
# Run again when the script changes (under MUSL=1 too, where use.mk is not
# read): a PREFIX built by an older recipe may lack a library.
$(MUSL_PREFIX)/stamp: scripts/musl-deps.sh
	scripts/musl-deps.sh $(MUSL_PREFIX) && touch $@
$(MUSL_PREFIX)/lib/mimalloc.o: $(MUSL_PREFIX)/stamp

ifeq ($(MUSL),1)
$(BUILD)/stockade: $(ARENA_OBJS) $(MUSL_OBJS)
	$(CC) $(LDFLAGS) $(MUSL_LINK) $(ARENA_WRAP) -o $@ $^ $(MUSL_LIBS)
# The arena's own test, linked the same way.  -fno-builtin: it calls malloc()
# and friends as the opaque functions they are here, which compilers would
# otherwise fold (an unused block's NULL test) or assume things of (errno).
$(BUILD)/musl/tests/musl/%.o: tests/musl/%.c $(MUSL_PREFIX)/stamp
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MUSL_CFLAGS) -fno-builtin -Isrc/musl -c $< -o $@
$(BUILD)/test-arena: $(ARENA_OBJS) $(BUILD)/musl/tests/musl/test_arena.o
	$(CC) $(LDFLAGS) $(MUSL_LINK) $(ARENA_WRAP) -o $@ $^ $(MUSL_LIBS)
# The unit and simulator tiers once more, built as the CLI is: the same
# musl objects of the library, the tests compiled with MUSL_CFLAGS, the
# arena and mimalloc behind the same --wrap, the same static-pie link.
# The library code users run is the code these test.
$(BUILD)/musl/test-unit: $(ARENA_OBJS) $(UNIT_SRCS:%.c=$(BUILD)/musl/%.o) $(BUILD)/musl/src/proxy/guard.o $(MUSL_LIB_OBJS)
	$(CC) $(LDFLAGS) $(MUSL_LINK) $(ARENA_WRAP) -o $@ $^ $(MUSL_LIBS)
$(BUILD)/musl/test-sim: $(ARENA_OBJS) $(SIM_SRCS:%.c=$(BUILD)/musl/%.o) $(MUSL_LIB_OBJS)
	$(CC) $(LDFLAGS) $(MUSL_LINK) $(ARENA_WRAP) -o $@ $^ $(MUSL_LIBS)
TEST_MUSL := $(BUILD)/test-arena $(BUILD)/musl/test-unit $(BUILD)/musl/test-sim
else
$(BUILD)/stockade: $(CLI_OBJS) $(BUILD)/libstockade.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CLI_LINK)
endif
# stockade-proxy, the egress proxy of network mode proxy (src/proxy,
# docs/network.md): a program of its own, linked against Debian's
# http-parser and c-ares (its resolver: /etc/hosts, then DNS over TCP).
# Where the CLI is built against musl, so is the proxy, static-pie, with
# the musl builds of those two that scripts/musl-deps.sh makes: every run
# in mode proxy starts it, and glibc's start (CPUID traps, the dynamic
# loader) cost ~0.4 ms of it.  Otherwise (MUSL=0, sanitizer builds) it is
# linked dynamically against glibc.  `stockade run` finds it beside its
# own binary (the build tree), then in $(LIBEXECDIR)/stockade.
# Its seccomp filter is compiled here, with libstockade, by
# tools/gen_proxy_filter.c (src/proxy/filter.h): the proxy links neither
# libstockade nor libseccomp and libyaml, and compiles nothing at its start.
PROXY_SRCS := $(sort $(wildcard src/proxy/*.c))
$(BUILD)/gen_proxy_filter: $(BUILD)/tools/gen_proxy_filter.o $(BUILD)/libstockade.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/gen/proxy_filter.c: $(BUILD)/gen_proxy_filter
	@mkdir -p $(dir $@)
	$(BUILD)/gen_proxy_filter $@
ifeq ($(MUSL),1)
# (-L applies to every -l, wherever it stands.)
$(BUILD)/stockade-proxy: $(PROXY_SRCS:%.c=$(BUILD)/musl/%.o) $(BUILD)/musl/gen/proxy_filter.o
	$(CC) $(LDFLAGS) $(MUSL_LINK) -o $@ $^ -lcares -lhttp_parser $(filter-out -lseccomp -lyaml,$(MUSL_LIBS))
else
$(BUILD)/stockade-proxy: $(PROXY_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/proxy_filter.o
	$(CC) $(LDFLAGS) -o $@ $^ -lhttp_parser -lcares -lpthread
endif
# The proxy's confinement tried from inside (tests/tools/net-proxy-abuse.sh),
# linked as the proxy is.
ifeq ($(MUSL),1)
$(BUILD)/proxy-confine-check: $(BUILD)/musl/tests/tools/proxy-confine-check.o $(BUILD)/musl/src/proxy/confine.o \
		$(BUILD)/musl/gen/proxy_filter.o
	$(CC) $(LDFLAGS) $(MUSL_LINK) -o $@ $^ $(filter-out -lseccomp -lyaml,$(MUSL_LIBS))
else
$(BUILD)/proxy-confine-check: $(BUILD)/tests/tools/proxy-confine-check.o $(BUILD)/src/proxy/confine.o \
		$(BUILD)/gen/proxy_filter.o
	$(CC) $(LDFLAGS) -o $@ $^
endif
$(BUILD)/src/run/proxy_run.o $(BUILD)/musl/src/run/proxy_run.o $(BUILD)/pic/src/run/proxy_run.o: CPPFLAGS += -DSTOCKADE_LIBEXECDIR='"$(LIBEXECDIR)"'
$(BUILD)/stockade-dynamic: $(CLI_OBJS) $(BUILD)/libstockade.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# (with the proxy's address guard, which is no part of the library)
$(BUILD)/test-unit: $(UNIT_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/src/proxy/guard.o $(BUILD)/libstockade.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/test-sim: $(SIM_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/libstockade.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/test-live: $(LIVE_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/libstockade.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# Probes are tiny programs the live tier runs under the sandbox.  They are
# built without sanitizers: ASan's runtime makes syscalls of its own.
$(BUILD)/probes/%: tests/probes/%.c $(wildcard tests/probes/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -o $@ $<

# try-syscall keeps its table of calls in tests/probes/try-syscall/.
TRY_SYSCALL_SRCS := tests/probes/try-syscall.c $(wildcard tests/probes/try-syscall/*.c) \
	$(wildcard tests/probes/try-syscall/*.h)
$(BUILD)/probes/try-syscall: $(TRY_SYSCALL_SRCS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -o $@ $(filter %.c,$^)

# A static probe for the consumer tests' container rootfs (tests/live/test_consumers.c).
$(BUILD)/probes/try-syscall-static: $(TRY_SYSCALL_SRCS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -static -o $@ $(filter %.c,$^)

TEST_BINS := $(BUILD)/test-unit $(BUILD)/test-sim $(BUILD)/test-live $(TEST_MUSL)
# First what the tiers use beyond the build (as root: installed in one step;
# otherwise the apt-get line is printed and the tests that need it skip).
check: $(BUILD)/stockade $(BUILD)/stockade-dynamic $(BUILD)/stockade-proxy $(BUILD)/proxy-confine-check $(TEST_BINS) $(PROBES) $(BUILD)/probes/try-syscall-static
	@scripts/deps.sh test
	@STOCKADE_MUSL=$(MUSL) tests/run.sh $(BUILD)

# The include direction between the stages of src/ (docs/architecture.md).
check-layers:
	@scripts/check-layers.sh

# Unit and simulator tiers under ASan+UBSan (the live tier runs the normal build).
# (and stockade-proxy, which parses hostile requests and DNS answers, under
# the sanitizers behind the CLI as built: tests/tools/net-proxy-{abuse,dns}.sh)
check-asan: deps all $(BUILD)/proxy-confine-check
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=1 build-asan/test-unit build-asan/test-sim \
		build-asan/stockade-proxy
	@STOCKADE=$(BUILD)/stockade STOCKADE_PROXY_BIN=$(CURDIR)/build-asan/stockade-proxy \
		tests/run.sh build-asan unit sim proxy-asan

demo: all $(BUILD)/probes/try-syscall
	@scripts/demo.sh $(BUILD)/stockade

# Benchmarks against no sandbox, bubblewrap and firejail: not a test, no
# assertions; writes docs/benchmarks.{md,csv,png}.  See bench/run.sh.
bench: all
	@bench/run.sh $(BUILD)

# libFuzzer targets (clang), one per tests/fuzz/fuzz_*.c, under ASan+UBSan;
# `make fuzz-run FUZZ_TIME=SECONDS` replays the regressions, then fuzzes each
# target for that long from its seed corpus.
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SANITIZE=1 FUZZ=1 \
		$(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)
.PRECIOUS: $(BUILD)/tests/fuzz/%.o
$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/libstockade.a
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)
fuzz-run: fuzz
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ_TARGETS)

# The CLI under valgrind: no leak, no invalid access (tests/valgrind.sh).
valgrind: $(BUILD)/stockade-dynamic
	@tests/valgrind.sh $(BUILD)/stockade-dynamic

docs: $(BUILD)/stockade
	scripts/gen-docs.sh $(BUILD)/stockade

docs-check: $(BUILD)/stockade
	scripts/gen-docs.sh $(BUILD)/stockade --check

# ---- the library and `make install` (docs/library.md) ----
# libstockade.so is the library's objects compiled once more, -fPIC and with
# hidden visibility, linked with src/libstockade.map: it exports the
# functions of include/stockade.h and nothing else.  libstockade.a is the
# archive the CLI and the tests link (its sk_* symbols are global, as in any
# archive).  LIBDIR defaults to $(PREFIX)/lib, which linkers and pkg-config
# search everywhere; a distribution passes its own (Debian:
# LIBDIR=/usr/lib/$(DEB_HOST_MULTIARCH)).  `make check` installs into
# $(BUILD)/stage with PREFIX=/usr for tests/tools/library.sh, which builds
# examples/confine.c against that tree.
.PHONY: lib uninstall stage
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
LIB_VERSION := $(shell sed -n 's/^\#define STOCKADE_VERSION "\(.*\)"/\1/p' include/stockade.h)
LIB_SOVERSION := $(firstword $(subst ., ,$(LIB_VERSION)))
LIB_REALNAME := libstockade.so.$(LIB_VERSION)
LIB_SONAME := libstockade.so.$(LIB_SOVERSION)
# What the library links.  pthread: the supervisor
# of src/run; a library of its own before glibc 2.34.
LIB_PKGS := libseccomp yaml-0.1
LIB_PRIVATE := -lpthread
PIC_OBJS := $(LIB_OBJS:$(BUILD)/%=$(BUILD)/pic/%) $(BUILD)/pic/gen/preset_blobs.o
PIC_CFLAGS := -fPIC -fvisibility=hidden
LIB_LDFLAGS := -shared -Wl,-soname,$(LIB_SONAME) -Wl,--version-script=src/libstockade.map
ifneq ($(SANITIZE),1)
LIB_LDFLAGS += -Wl,-z,defs
endif

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PIC_CFLAGS) -c $< -o $@
$(BUILD)/pic/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PIC_CFLAGS) -c $< -o $@
$(BUILD)/$(LIB_REALNAME): $(PIC_OBJS) src/libstockade.map
	$(CC) $(LDFLAGS) $(LIB_LDFLAGS) -o $@ $(PIC_OBJS) $(shell pkg-config --libs $(LIB_PKGS)) $(LIB_PRIVATE)
$(BUILD)/libstockade.so: $(BUILD)/$(LIB_REALNAME)
	ln -sf $(LIB_REALNAME) $(BUILD)/$(LIB_SONAME)
	ln -sf $(LIB_REALNAME) $@
lib: $(BUILD)/libstockade.a $(BUILD)/libstockade.so

# The .pc is written at install time: it names the directories installed to.
define install_recipe
$(Q)install -Dm755 $(BUILD)/stockade $(DESTDIR)$(BINDIR)/stockade
$(Q)install -Dm755 $(BUILD)/stockade-proxy $(DESTDIR)$(LIBEXECDIR)/stockade/stockade-proxy
$(Q)install -Dm644 docs/stockade.1 $(DESTDIR)$(MANDIR)/man1/stockade.1
$(Q)install -Dm644 include/stockade.h $(DESTDIR)$(INCLUDEDIR)/stockade.h
$(Q)install -Dm755 $(BUILD)/$(LIB_REALNAME) $(DESTDIR)$(LIBDIR)/$(LIB_REALNAME)
$(Q)ln -sf $(LIB_REALNAME) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
$(Q)ln -sf $(LIB_REALNAME) $(DESTDIR)$(LIBDIR)/libstockade.so
$(Q)install -Dm644 $(BUILD)/libstockade.a $(DESTDIR)$(LIBDIR)/libstockade.a
$(Q)install -d $(DESTDIR)$(PKGCONFIGDIR)
$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' \
	-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
	-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
	-e 's|@VERSION@|$(LIB_VERSION)|' -e 's|@REQUIRES_PRIVATE@|$(LIB_PKGS)|' \
	-e 's|@LIBS_PRIVATE@|$(LIB_PRIVATE)|' src/stockade.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/stockade.pc
endef
install: $(BUILD)/stockade $(BUILD)/stockade-proxy $(BUILD)/libstockade.a $(BUILD)/$(LIB_REALNAME)
	$(install_recipe)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/stockade $(DESTDIR)$(MANDIR)/man1/stockade.1 \
		$(DESTDIR)$(INCLUDEDIR)/stockade.h $(DESTDIR)$(LIBDIR)/$(LIB_REALNAME) \
		$(DESTDIR)$(LIBDIR)/$(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libstockade.so \
		$(DESTDIR)$(LIBDIR)/libstockade.a $(DESTDIR)$(PKGCONFIGDIR)/stockade.pc \
		$(DESTDIR)$(LIBEXECDIR)/stockade/stockade-proxy

# The staged install: the same recipe, run by this make (no sub-make racing
# it for the binaries), with the directories of a distribution package.
STAGE_DIR := $(abspath $(BUILD))/stage
stage: override private DESTDIR = $(STAGE_DIR)
stage: override private PREFIX = /usr
stage: override private BINDIR = /usr/bin
stage: override private LIBDIR = /usr/lib
stage: override private INCLUDEDIR = /usr/include
stage: override private MANDIR = /usr/share/man
stage: override private PKGCONFIGDIR = /usr/lib/pkgconfig
stage: private Q = @
stage: override private LIBEXECDIR = /usr/libexec
stage: $(BUILD)/stockade $(BUILD)/stockade-proxy $(BUILD)/libstockade.a $(BUILD)/$(LIB_REALNAME)
	@rm -rf $(STAGE_DIR)
	$(install_recipe)
check: stage

clean:
	rm -rf build build-asan $(FUZZ_BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
