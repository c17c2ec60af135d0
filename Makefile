# scsinet - build, test, run and benchmark.
#
#   make            library, CLI, tests and benchmark programs
#   make run        set up if needed, build, run the main job (see README)
#   make test       set up if needed, build, run every Check suite
#   make bench      set up if needed (ns-3 too), build, run the benchmarks
#   make memcheck   the test suite under valgrind
#   make SANITIZE=address,undefined test   the same with ASan/UBSan
#   make fuzz FUZZ_SECONDS=N   every libFuzzer harness (tests/fuzz/) for N s
#
# Set-up: `run`, `test` and `bench` probe for what they need (a compiler,
# pkg-config and the libraries below) and call scripts/install-deps.sh only
# when a probe fails, so a machine that is set up needs no root or network.

CC       ?= cc
CXX      ?= c++
OPT      ?= -O2
CI       ?=
SANITIZE ?=

comma := ,
SAN_LIST := $(subst $(comma), ,$(SANITIZE))
$(foreach s,$(SAN_LIST),$(if $(filter address undefined,$(s)),,\
  $(error SANITIZE: unknown value '$(s)'; use address, undefined or address$(comma)undefined)))

ifeq ($(SANITIZE),)
BUILD := build
SANFLAGS :=
else
BUILD := build-san
# GCC's -fsanitize=undefined leaves out float-cast-overflow (a double
# out of an integer's range cast to it), the UB hostile numbers reach;
# clang's includes it.
SANFLAGS := -fsanitize=$(SANITIZE) $(if $(filter undefined,$(SAN_LIST)),-fsanitize=float-cast-overflow) \
            -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# `make fuzz` builds everything again in build-fuzz/ with clang, every
# object instrumented for libFuzzer's coverage and for ASan and UBSan
# (FUZZ_BUILD is set by the fuzz target, not by hand).  Every UBSan check
# stops the run, but pointer-overflow and float-cast-overflow are built
# recoverable so that tests/fuzz/ubsan.supp can hold back known findings
# while they wait for their fixes (run.sh sets halt_on_error, so any
# report not listed there still stops the run).
ifeq ($(FUZZ_BUILD),yes)
BUILD := build-fuzz
CC := clang
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all -fsanitize-recover=pointer-overflow,float-cast-overflow
endif

WARN := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wcast-qual -Wwrite-strings
ifeq ($(CI),true)
WARN += -Werror
endif

CPPFLAGS += -D_POSIX_C_SOURCE=200809L -Isim -Ibus -Ihostadapter -Iipstack -Iscenarios -Iviz -Icli
CFLAGS   += $(OPT) -g $(WARN) $(SANFLAGS) -MMD -MP
LDFLAGS  += $(SANFLAGS)

# Library-only pkg-config flags are looked up when a recipe runs (`=`), so a
# `make test` that has just installed them sees them.
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS   = $(shell pkg-config --libs check)
CJSON_LIBS   = $(shell pkg-config --libs libcjson)
# SDL2 serves the view only (viz/viz_view_draw.c and its test); the core
# library and the other viz writers build without it.
SDL_PKGS     = sdl2 SDL2_ttf SDL2_image
SDL_CFLAGS   = $(shell pkg-config --cflags $(SDL_PKGS))
SDL_LIBS     = $(shell pkg-config --libs $(SDL_PKGS))

MODULES  := sim bus hostadapter ipstack scenarios
LIB_SRCS := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libscsinet.a

# Trace subscribers (VCD, pcap, graphs, the view): a library of their own,
# so that the core builds without them.
VIZ_SRCS := $(wildcard viz/*.c)
VIZ_OBJS := $(VIZ_SRCS:%.c=$(BUILD)/%.o)
VIZ_LIB  := $(BUILD)/libscsinet_viz.a

CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
CLI      := $(BUILD)/scsinet

TEST_SRCS := $(wildcard tests/*.c)
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o)
TESTS     := $(BUILD)/check_scsinet

# The engine's own suites again against the heap queue, so that the
# alternative implementation stays correct.
TESTS_HEAP := $(BUILD)/check_queue_heap4
HEAP_TEST_SRCS := tests/variant/check_queue_main.c tests/test_sim.c tests/test_trace.c

# Fuzzing (tests/fuzz/): every tests/fuzz/fuzz_NAME.c is a libFuzzer
# harness NAME, linked with the fz_*.c helpers, the libraries and the CLI
# subcommands (an archive, so a harness pulls in only what it calls).
# Each is built twice: as build-fuzz/fuzz/fuzz_NAME with libFuzzer for
# `make fuzz`, and as $(BUILD)/fuzz/regress_NAME with the normal compiler
# and regress_main.c, which `make test` runs over tests/fuzz/regress/NAME/
# (every input that ever crashed it) and tests/fuzz/corpus/NAME/.
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
FUZZ_HELPERS := $(wildcard tests/fuzz/fz_*.c)
FUZZ_OBJS    := $(FUZZ_SRCS:%.c=$(BUILD)/%.o) $(FUZZ_HELPERS:%.c=$(BUILD)/%.o)
FUZZ_LINK    := $(FUZZ_HELPERS:%.c=$(BUILD)/%.o) $(BUILD)/libscsinet_cli.a
REGRESS      := $(FUZZ_NAMES:%=$(BUILD)/fuzz/regress_%)
FUZZERS      := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(FUZZ_NAMES)
MKCORPUS     := $(BUILD)/fuzz/mkcorpus

# Benchmarks: each is built once per event-queue implementation, by
# compiling the engine (sim/*.c) and the benchmark with that choice:
# ladder (the library default) and d-ary heaps of arity 2, 4 and 8.
QUEUES      := ladder heap2 heap4 heap8
qflags       = $(if $(filter ladder,$(1)),-DSIM_QUEUE_LADDER,-DSIM_QUEUE_HEAP -DSIM_HEAP_ARITY=$(patsubst heap%,%,$(1)))
SIM_SRCS    := $(wildcard sim/*.c)
BENCH_PHOLD := $(foreach q,$(QUEUES),$(BUILD)/bench/phold_$(q))
BENCH_QUEUE := $(foreach q,$(QUEUES),$(BUILD)/bench/queue_bench_$(q))
BENCH_NS3   := $(BUILD)/bench/phold_ns3
BENCH_BUS   := $(BUILD)/bench/bus_stream
BENCH_ADAPTER := $(BUILD)/bench/adapter_stream

.PHONY: all lib cli tests benches run test bench memcheck clean \
        deps-build deps-test deps-bench _test _run _bench \
        fuzz _fuzz fuzzers regress deps-fuzz fuzz-corpus fuzz-clean

all: lib cli tests benches

lib: $(LIB)
cli: $(CLI)
tests: $(TESTS) $(TESTS_HEAP) $(REGRESS)
benches: $(BENCH_PHOLD) $(BENCH_QUEUE) $(BENCH_BUS) $(BENCH_ADAPTER)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(VIZ_LIB): $(VIZ_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(CLI): $(CLI_OBJS) $(VIZ_LIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(VIZ_LIB) $(LIB) $(CJSON_LIBS) $(SDL_LIBS) -lm

$(BUILD)/viz/viz_view_draw.o $(BUILD)/tests/test_view.o: CPPFLAGS += $(SDL_CFLAGS)

# the CLI and view tests run this build's own binary
$(BUILD)/tests/test_cli.o $(BUILD)/tests/test_view.o: CPPFLAGS += -DSCSINET_CLI='"$(CLI)"'

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

# the subcommands (all of cli/ but main) are tested as functions too
CLI_CMD_OBJS := $(filter-out $(BUILD)/cli/scsinet.o,$(CLI_OBJS))
$(TESTS): $(TEST_OBJS) $(CLI_CMD_OBJS) $(VIZ_LIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJS) $(CLI_CMD_OBJS) $(VIZ_LIB) $(LIB) $(CHECK_LIBS) $(CJSON_LIBS) $(SDL_LIBS) -lm

$(BUILD)/libscsinet_cli.a: $(CLI_CMD_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# (kept: they are not intermediate files to delete after linking)
.SECONDARY: $(FUZZ_OBJS) $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/regress_main_%.o)

# the driver, once per harness so that it can name it
# (static patterns: an open one would also offer to make the .d files the
# Makefile includes, through make's built-in "%: %.o")
$(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/regress_main_%.o): \
  $(BUILD)/tests/fuzz/regress_main_%.o: tests/fuzz/regress_main.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DFUZZ_NAME='"$*"' -c $< -o $@

$(REGRESS): $(BUILD)/fuzz/regress_%: $(BUILD)/tests/fuzz/fuzz_%.o \
  $(BUILD)/tests/fuzz/regress_main_%.o $(FUZZ_LINK) $(VIZ_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libscsinet_cli.a $(VIZ_LIB) $(LIB) \
	  $(CJSON_LIBS) -lm

# libFuzzer's main() comes with -fsanitize=fuzzer (FUZZ_BUILD=yes only)
$(FUZZERS): $(BUILD)/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LINK) $(VIZ_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(subst fuzzer-no-link,fuzzer,$(LDFLAGS)) -o $@ $< $(FUZZ_LINK) $(VIZ_LIB) \
	  $(LIB) $(CJSON_LIBS) -lm

$(MKCORPUS): tests/fuzz/mkcorpus.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) -lm

# bench/NAME.c and the engine, both built for queue Q: NAME_Q.
define bench_rule
$(BUILD)/bench/$(1)_$(2): bench/$(1).c $(SIM_SRCS) $(wildcard sim/*.h bench/*.h)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) $$(CFLAGS) $(call qflags,$(2)) -o $$@ bench/$(1).c $(SIM_SRCS) $$(LDFLAGS) -lm
endef
$(foreach q,$(QUEUES),$(eval $(call bench_rule,phold,$(q))))
$(foreach q,$(QUEUES),$(eval $(call bench_rule,queue_bench,$(q))))

$(BENCH_BUS): $(BUILD)/bench/bus_stream.o $(VIZ_LIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(VIZ_LIB) $(LIB) -lm

$(BENCH_ADAPTER): $(BUILD)/bench/adapter_stream.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) -lm

$(TESTS_HEAP): $(HEAP_TEST_SRCS) $(SIM_SRCS) $(wildcard sim/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(CHECK_CFLAGS) $(call qflags,heap4) -o $@ \
	  $(HEAP_TEST_SRCS) $(SIM_SRCS) $(LDFLAGS) $(CHECK_LIBS) -lm

$(BENCH_NS3): bench/phold_ns3.cc bench/phold_common.h bench/bench_util.h
	@mkdir -p $(dir $@)
	$(CXX) -O2 -std=c++17 $< -o $@ $$(pkg-config --cflags --libs ns3-core)

# --- set-up probes ---------------------------------------------------------
PROBE_BUILD = command -v $(CC) >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1 \
              && pkg-config --exists check libcjson $(SDL_PKGS) \
              && test -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf \
              && command -v gnuplot >/dev/null 2>&1
PROBE_TEST  = $(PROBE_BUILD) && command -v valgrind >/dev/null 2>&1 \
              && command -v vcd2fst >/dev/null 2>&1 \
              && command -v sigrok-cli >/dev/null 2>&1 \
              && command -v tshark >/dev/null 2>&1 \
              && command -v xvfb-run >/dev/null 2>&1 \
              && python3 -c 'import jsonschema' >/dev/null 2>&1
PROBE_BENCH = $(PROBE_BUILD) && command -v $(CXX) >/dev/null 2>&1 \
              && pkg-config --exists ns3-core gsl
# clang can build and link a libFuzzer harness with ASan and UBSan (the
# runtimes are in libclang-rt-14-dev, not in clang itself)
PROBE_FUZZ  = $(PROBE_BUILD) && command -v clang >/dev/null 2>&1 \
              && t=$$(mktemp -d) \
              && printf 'int LLVMFuzzerTestOneInput(const char *d, long n)\n{ return d && n; }\n' \
                 >$$t/p.c \
              && { clang -fsanitize=fuzzer,address,undefined -o $$t/p $$t/p.c \
                   >/dev/null 2>&1; r=$$?; rm -rf $$t; test $$r -eq 0; }

deps-build:
	@$(PROBE_BUILD) || scripts/install-deps.sh build
deps-test:
	@$(PROBE_TEST) || scripts/install-deps.sh test
deps-bench:
	@$(PROBE_BENCH) || scripts/install-deps.sh bench
deps-fuzz:
	@$(PROBE_FUZZ) || scripts/install-deps.sh fuzz

# --- the user-facing commands ------------------------------------------------
run: deps-build
	@$(MAKE) --no-print-directory _run
_run: $(CLI)
	$(CLI) run scenarios/seed-2d.json --out results/seed-2d --pcap results/seed-2d/datagrams.pcap

test: deps-test
	@$(MAKE) --no-print-directory _test
_test: $(TESTS) $(TESTS_HEAP) $(CLI) $(REGRESS)
	@set -e; for n in $(FUZZ_NAMES); do \
	  echo "$(BUILD)/fuzz/regress_$$n tests/fuzz/regress/$$n tests/fuzz/corpus/$$n"; \
	  $(BUILD)/fuzz/regress_$$n tests/fuzz/regress/$$n tests/fuzz/corpus/$$n; \
	done
	$(TESTS_HEAP)
	$(TESTS)

memcheck: deps-test
	@$(MAKE) --no-print-directory SANITIZE= $(TESTS) $(FUZZ_NAMES:%=build/fuzz/regress_%)
	@set -e; for n in $(FUZZ_NAMES); do \
	  echo "valgrind build/fuzz/regress_$$n tests/fuzz/regress/$$n tests/fuzz/corpus/$$n"; \
	  valgrind --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    --show-leak-kinds=definite,indirect,possible --quiet \
	    build/fuzz/regress_$$n tests/fuzz/regress/$$n tests/fuzz/corpus/$$n; \
	done
	CK_FORK=no SCSINET_TEST_QUICK=1 valgrind --error-exitcode=1 --leak-check=full \
	  --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible \
	  --quiet build/check_scsinet

bench: deps-bench
	@$(MAKE) --no-print-directory SANITIZE= OPT=-O2 benches $(BENCH_NS3)
	bench/run.sh build

# --- fuzzing ------------------------------------------------------------------
# make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="scenario set ..."]: build the
# harnesses in build-fuzz/ and run each for N seconds (tests/fuzz/run.sh:
# its working corpus in build-fuzz/corpus/NAME/, findings saved in
# build-fuzz/findings/NAME/); fails if any harness found something.
fuzz: deps-fuzz
	@$(MAKE) --no-print-directory FUZZ_BUILD=yes _fuzz
_fuzz: $(FUZZERS)
	tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzzers: deps-fuzz
	@$(MAKE) --no-print-directory FUZZ_BUILD=yes $(FUZZ_NAMES:%=build-fuzz/fuzz/fuzz_%)

# Regenerate the seed corpora (tests/fuzz/mkcorpus.c): hand-built inputs,
# and the scenario files (not the JSON Schema, which is no scenario).
fuzz-corpus: $(MKCORPUS)
	rm -rf tests/fuzz/corpus
	$(MKCORPUS) tests/fuzz/corpus $(filter-out scenarios/schema.json,$(wildcard scenarios/*.json)) \
	  $(wildcard tests/scenarios_bad/*.json)

fuzz-clean:
	rm -rf build-fuzz

clean:
	rm -rf build build-san

-include $(LIB_OBJS:.o=.d) $(VIZ_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TEST_OBJS:.o=.d) \
         $(BUILD)/bench/bus_stream.d $(BUILD)/bench/adapter_stream.d \
         $(wildcard $(FUZZ_OBJS:.o=.d) $(BUILD)/tests/fuzz/regress_main_*.d)
