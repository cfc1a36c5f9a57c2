# fuzz/module.mk - libFuzzer harnesses, their corpora, and the standalone
# replay driver that turns every corpus into a regression test.
#
# Each fuzz/<target>.c defines LLVMFuzzerTestOneInput; fuzz/lib/ holds what
# harnesses share.  The same harness object links two ways:
#   $(B)/fuzz/<target>               clang, BUILD_TYPE=fuzz, -fsanitize=fuzzer
#   $(B)/tests/fuzz/replay_<target>  any build, with fuzz/lib/replay_main.c:
#                                    replays fuzz/corpus/<target>/ in `make test`
#
#   make fuzz                         build every fuzzing binary (clang)
#   make fuzz-run FUZZ_SECONDS=60     fuzz each target in turn (one at a time);
#        [FUZZ_TARGETS="parse bcast"] artifacts and stats in reports/fuzz/<target>/
#   make fuzz-ci                      build + a short bounded run of every target

FUZZ_TARGETS_ALL := $(sort $(basename $(notdir $(wildcard fuzz/*.c))))
FUZZ_TARGETS ?= $(FUZZ_TARGETS_ALL)
FUZZ_SECONDS ?= 60
FUZZ_CI_SECONDS ?= 10
FUZZ_B := build/clang-fuzz

FUZZ_SUPPORT_SRCS := $(filter-out fuzz/lib/replay_main.c,$(wildcard fuzz/lib/*.c))
FUZZ_SUPPORT_OBJS := $(FUZZ_SUPPORT_SRCS:%.c=$(B)/obj/%.o)
FUZZ_REPLAY_MAIN := $(B)/obj/fuzz/lib/replay_main.o

$(B)/obj/fuzz/%.o: MODULE_CPPFLAGS := -Ifuzz/lib -Isim/include -D_POSIX_C_SOURCE=200809L

# Libraries each target links, most dependent first.  The core by default;
# a target that drives another module sets FUZZ_LIBS_<target>.
FUZZ_LIBS_DEFAULT := $(CORE_LIB)
fuzz_libs = $(or $(FUZZ_LIBS_$(1)),$(FUZZ_LIBS_DEFAULT))

define FUZZ_TARGET_RULES
$(B)/fuzz/$(1): $(B)/obj/fuzz/$(1).o $(FUZZ_SUPPORT_OBJS) $(call fuzz_libs,$(1))
	@mkdir -p $$(@D)
	$$(QUIET_LINK)$$(CC) $$(CFLAGS) $$(LDFLAGS) -fsanitize=fuzzer $$^ -o $$@ $$(LDLIBS)

$(B)/tests/fuzz/replay_$(1): $(B)/obj/fuzz/$(1).o $(FUZZ_REPLAY_MAIN) $(FUZZ_SUPPORT_OBJS) \
		$(call fuzz_libs,$(1))
	@mkdir -p $$(@D)
	$$(QUIET_LINK)$$(CC) $$(CFLAGS) $$(LDFLAGS) $$^ -o $$@ $$(LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS_ALL),$(eval $(call FUZZ_TARGET_RULES,$(t))))

# The replay of every corpus is part of every `make test` build.
ifneq ($(BUILD_TYPE),fuzz)
TEST_BINS += $(FUZZ_TARGETS_ALL:%=$(B)/tests/fuzz/replay_%)
endif

.PHONY: fuzz fuzz-build fuzz-run fuzz-ci
fuzz: deps
	@$(MAKE) --no-print-directory CC=clang BUILD_TYPE=fuzz fuzz-build

fuzz-build: $(FUZZ_TARGETS_ALL:%=$(B)/fuzz/%)
ifneq ($(BUILD_TYPE),fuzz)
	$(error fuzz-build needs CC=clang BUILD_TYPE=fuzz: use `make fuzz`)
endif

fuzz-run: fuzz
	@fuzz/run-fuzzers $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# CI: the corpora are replayed by `make test`; this adds a short bounded
# fuzz of every target so a harness that no longer builds or crashes at
# once is caught.
fuzz-ci: fuzz
	@fuzz/run-fuzzers $(FUZZ_B) $(FUZZ_CI_SECONDS) $(FUZZ_TARGETS)
