# scsinet - build, test, run and benchmark.
#
#   make            library, CLI, tests and benchmark programs
#   make run        set up if needed, build, run the main job (see README)
#   make test       set up if needed, build, run every Check suite
#   make bench      set up if needed (ns-3 too), build, run the benchmarks
#   make memcheck   the test suite under valgrind
#   make SANITIZE=address,undefined test   the same with ASan/UBSan
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
        deps-build deps-test deps-bench _test _run _bench

all: lib cli tests benches

lib: $(LIB)
cli: $(CLI)
tests: $(TESTS) $(TESTS_HEAP)
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

deps-build:
	@$(PROBE_BUILD) || scripts/install-deps.sh build
deps-test:
	@$(PROBE_TEST) || scripts/install-deps.sh test
deps-bench:
	@$(PROBE_BENCH) || scripts/install-deps.sh bench

# --- the user-facing commands ------------------------------------------------
run: deps-build
	@$(MAKE) --no-print-directory _run
_run: $(CLI)
	$(CLI) run scenarios/seed-2d.json --out results/seed-2d --pcap results/seed-2d/datagrams.pcap

test: deps-test
	@$(MAKE) --no-print-directory _test
_test: $(TESTS) $(TESTS_HEAP) $(CLI)
	$(TESTS_HEAP)
	$(TESTS)

memcheck: deps-test
	@$(MAKE) --no-print-directory SANITIZE= $(TESTS)
	CK_FORK=no SCSINET_TEST_QUICK=1 valgrind --error-exitcode=1 --leak-check=full \
	  --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible \
	  --quiet build/check_scsinet

bench: deps-bench
	@$(MAKE) --no-print-directory SANITIZE= OPT=-O2 benches $(BENCH_NS3)
	bench/run.sh build

clean:
	rm -rf build build-san

-include $(LIB_OBJS:.o=.d) $(VIZ_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TEST_OBJS:.o=.d) \
         $(BUILD)/bench/bus_stream.d $(BUILD)/bench/adapter_stream.d
