# stargen - hand-written Makefile.
#
#   make            build ./gen, ./runner and the data generator
#   make test       build, then run every test suite (tests/run)
#   make asan       build with address+undefined sanitizers into build/asan and run the tests there
#   make valgrind   run the generator's tests under valgrind
#   make demo       the main job on the embedded PostgreSQL, then Sparkify daily (scripts/demo.sh)
#   make data       generate Sparkify-shaped data into data/ (EVENTS=, SEED=)
#   make bench      the load and generator benchmarks (src/bench/bench.sh), then a day's
#                   incremental run against a full reload (src/bench/incremental.sh)
#   make fmt-check  clang-format dry run over src/ and tests/unit
#   make clean
# Knobs: V=1 shows commands; SANITIZER=address,undefined builds sanitized objects
# (make asan sets it); CC=clang works too.

CC       ?= cc
V        ?= 0
Q         = $(if $(filter 1,$(V)),,@)
SANITIZER ?=

FUZZ     ?=
ifneq ($(FUZZ),)
# libFuzzer build: every object instrumented for coverage and sanitizers (clang only)
CC       := clang
BUILD    := build/fuzz
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
SANITIZER:= address,undefined
else ifeq ($(SANITIZER),)
BUILD    := build/rel
OPT      := -O2 -g
else
BUILD    := build/asan
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZER) -fno-sanitize-recover=all
endif

PKGS_GEN    := yaml-0.1
PKGS_RUNNER := libpq libcurl zlib
YAML_CFLAGS := $(shell pkg-config --cflags $(PKGS_GEN))
YAML_LIBS   := $(shell pkg-config --libs $(PKGS_GEN))
PQ_CFLAGS   := $(shell pkg-config --cflags $(PKGS_RUNNER))
PQ_LIBS     := $(shell pkg-config --libs $(PKGS_RUNNER))

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wformat=2 -Wvla -Wundef -Wwrite-strings -Wold-style-definition \
        -Wnull-dereference -Wimplicit-fallthrough
CFLAGS  ?=
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -MMD -MP
LDFLAGS += $(if $(SANITIZER),-fsanitize=$(SANITIZER),)

# Generated scanner/parser: looser warnings (flex/bison output is not ours).
GENWARN := -Wno-unused-function -Wno-sign-compare -Wno-missing-prototypes -Wno-null-dereference \
           -Wno-shadow -Wno-implicit-fallthrough -Wno-unused-parameter

COMMON_SRCS := $(sort $(wildcard src/common/*.c))
GEN_SRCS    := $(sort $(wildcard src/gen/*.c))
RUNNER_SRCS := $(sort $(wildcard src/runner/*.c))
DATAGEN_SRCS:= $(sort $(wildcard src/datagen/*.c))
UNIT_SRCS   := $(sort $(wildcard tests/unit/*.c))
BENCH_SRCS  := $(sort $(wildcard src/bench/*.c))
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))

COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/%.o)
GEN_OBJS    := $(GEN_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/src/gen/parser.tab.o $(BUILD)/src/gen/lexer.o
GEN_LIB_OBJS:= $(filter-out $(BUILD)/src/gen/main.o,$(GEN_OBJS))
RUNNER_OBJS := $(RUNNER_SRCS:%.c=$(BUILD)/%.o)
RUNNER_LIB_OBJS := $(filter-out $(BUILD)/src/runner/main.o,$(RUNNER_OBJS))
DATAGEN_OBJS:= $(DATAGEN_SRCS:%.c=$(BUILD)/%.o)
UNIT_OBJS   := $(UNIT_SRCS:%.c=$(BUILD)/%.o)

ifeq ($(SANITIZER),)
GEN_BIN    := gen
RUNNER_BIN := runner
else
GEN_BIN    := $(BUILD)/gen
RUNNER_BIN := $(BUILD)/runner
endif
DATAGEN_BIN := $(BUILD)/sparkify-data
UNIT_BIN    := $(BUILD)/unit-tests
# bench tools: one program per src/bench/*.c (they may use libpq; they are not the product)
BENCH_BINS  := $(BENCH_SRCS:src/bench/%.c=$(BUILD)/bench-%)
FUZZ_BINS   := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/%)

.PHONY: all test asan valgrind demo data bench fmt fmt-check clean fuzz fuzz-build
all: $(GEN_BIN) $(RUNNER_BIN) $(DATAGEN_BIN) $(UNIT_BIN) $(BENCH_BINS)

$(BUILD)/bench-%: $(BUILD)/src/bench/%.o $(COMMON_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $^ $(PQ_LIBS) -lm

$(BUILD)/src/bench/%.o: src/bench/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(PQ_CFLAGS) -c -o $@ $<

# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with FUZZ=1
$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(GEN_LIB_OBJS) $(RUNNER_LIB_OBJS) $(COMMON_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -pthread -o $@ $^ $(YAML_LIBS) $(PQ_LIBS) -lm

$(BUILD)/tests/fuzz/%.o: tests/fuzz/%.c $(BUILD)/src/gen/parser.tab.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(YAML_CFLAGS) $(PQ_CFLAGS) -I$(BUILD)/src/gen -Isrc/gen -Isrc -c -o $@ $<

fuzz-build:
	$(Q)$(MAKE) --no-print-directory FUZZ=1 $(FUZZ_BINS:build/rel/%=build/fuzz/%)

# make fuzz [FUZZ_SECONDS=60]: run each harness for that long on its seed corpus
FUZZ_SECONDS ?= 60
fuzz: fuzz-build
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS)

$(GEN_BIN): $(GEN_OBJS) $(COMMON_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(YAML_LIBS)

$(RUNNER_BIN): $(RUNNER_OBJS) $(COMMON_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $^ $(PQ_LIBS) -lm

$(DATAGEN_BIN): $(DATAGEN_OBJS) $(COMMON_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lm

$(UNIT_BIN): $(UNIT_OBJS) $(GEN_LIB_OBJS) $(RUNNER_LIB_OBJS) $(COMMON_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $^ $(YAML_LIBS) $(PQ_LIBS) -lm

$(BUILD)/src/gen/%.o: src/gen/%.c $(BUILD)/src/gen/parser.tab.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(YAML_CFLAGS) -I$(BUILD)/src/gen -Isrc/gen -c -o $@ $<

$(BUILD)/src/runner/%.o: src/runner/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(PQ_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(BUILD)/src/gen/parser.tab.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(YAML_CFLAGS) $(PQ_CFLAGS) -I$(BUILD)/src/gen -Isrc/gen -Isrc -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/src/gen/parser.tab.c $(BUILD)/src/gen/parser.tab.h: src/gen/parser.y
	@mkdir -p $(@D)
	@echo "  BISON   $<"
	$(Q)bison -Wall -Werror --defines=$(BUILD)/src/gen/parser.tab.h -o $(BUILD)/src/gen/parser.tab.c $<

$(BUILD)/src/gen/lexer.c $(BUILD)/src/gen/lexer.h: src/gen/lexer.l
	@mkdir -p $(@D)
	@echo "  FLEX    $<"
	$(Q)flex --header-file=$(BUILD)/src/gen/lexer.h -o $(BUILD)/src/gen/lexer.c $<

$(BUILD)/src/gen/parser.tab.o: $(BUILD)/src/gen/parser.tab.c $(BUILD)/src/gen/lexer.h
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(GENWARN) -I$(BUILD)/src/gen -Isrc/gen -c -o $@ $<

$(BUILD)/src/gen/lexer.o: $(BUILD)/src/gen/lexer.c $(BUILD)/src/gen/parser.tab.h
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(GENWARN) -I$(BUILD)/src/gen -Isrc/gen -c -o $@ $<

# Sources that include the scanner header need it generated first.
$(BUILD)/src/gen/parse.o: $(BUILD)/src/gen/lexer.h

test:
	$(Q)scripts/install-deps.sh test
	$(Q)$(MAKE) --no-print-directory all
	$(Q)GEN=./$(GEN_BIN) RUNNER=./$(RUNNER_BIN) UNIT=./$(UNIT_BIN) DATAGEN=./$(DATAGEN_BIN) tests/run

asan:
	$(Q)$(MAKE) --no-print-directory SANITIZER=address,undefined test

valgrind: all
	$(Q)GEN="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect $(CURDIR)/gen" \
	    UNIT="valgrind -q --error-exitcode=1 --leak-check=full $(CURDIR)/$(UNIT_BIN)" \
	    RUNNER=$(CURDIR)/$(RUNNER_BIN) DATAGEN=$(CURDIR)/$(DATAGEN_BIN) \
	    STARGEN_SUITES="unit golden badmodels errors" tests/run

demo:
	$(Q)scripts/demo.sh

EVENTS ?= 20000
SEED   ?= 42
data: $(DATAGEN_BIN)
	$(Q)./$(DATAGEN_BIN) --events $(EVENTS) --seed $(SEED) --out data --force

bench: all
	$(Q)src/bench/bench.sh
	$(Q)src/bench/incremental.sh

FMT_FILES = $(wildcard src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c)
fmt:
	$(Q)clang-format -i $(FMT_FILES)
fmt-check:
	$(Q)clang-format --dry-run --Werror $(FMT_FILES)

clean:
	rm -rf build gen runner

-include $(shell find build -name '*.d' 2>/dev/null)
