# Makefile - builds, tests and runs everything in stormglass.
#
# Non-recursive: each part of the tree describes itself in a module.mk that
# this file includes, and every build type gets its own directory
# (build/<compiler>-<type>/) so gcc, clang, sanitizer and fuzz objects never
# mix.  `make help` lists the targets.
#
#   make                 core library + the stormglass and stormglassd programs
#   make test            every suite, then again under ASan+UBSan, plus a clang build
#   make storms          the main job: replay every incident storm, write reports/
#   make clean           back to the tree as checked out

CC ?= cc
BUILD_TYPE ?= release
CCNAME := $(notdir $(firstword $(CC)))
B := build/$(CCNAME)-$(BUILD_TYPE)

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wconversion -Wformat=2 -Wformat-security \
	-Wmissing-prototypes -Wstrict-prototypes -Wold-style-definition -Wpointer-arith \
	-Wcast-qual -Wundef -Wvla -Wwrite-strings -Wimplicit-fallthrough -Wmissing-declarations \
	-Wredundant-decls -Wnested-externs -Wfloat-equal

OPT_release := -O2 -g
OPT_asan := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT_cov := -O0 -g --coverage
OPT_fuzz := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -DSG_FUZZING=1
LDOPT_release :=
LDOPT_asan := -fsanitize=address,undefined
LDOPT_cov := --coverage
LDOPT_fuzz := -fsanitize=address,undefined

ifeq ($(OPT_$(BUILD_TYPE)),)
$(error BUILD_TYPE must be one of: release asan cov fuzz)
endif

# FIU_ENABLE: libfiu fault points are compiled into every build, so the
# simulator, the tests and the server all run the very same core code.
CPPFLAGS := -Icore/include -DFIU_ENABLE=1 -MMD -MP
CFLAGS := -std=c11 $(WARNINGS) $(OPT_$(BUILD_TYPE)) $(EXTRA_CFLAGS)
LDFLAGS := $(LDOPT_$(BUILD_TYPE)) $(EXTRA_LDFLAGS)
LDLIBS := -lfiu -lm

CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# `make V=1` shows full command lines.
ifeq ($(V),1)
Q :=
QUIET_CC =
QUIET_LINK =
else
Q := @
QUIET_CC = @echo "  CC      $<";
QUIET_LINK = @echo "  LINK    $@";
endif

# Programs every build produces, and the test binaries modules register.
PROGRAMS :=
TEST_BINS :=

.PHONY: all deps test test-unit test-asan test-clang clean help
all: deps programs

deps:
	@ci/install-deps

# Object rule shared by every module: src.c -> $(B)/obj/src.o
$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(MODULE_CPPFLAGS) $(CFLAGS) -c $< -o $@

# Modules in dependency order (a module may use the libraries of those
# before it).  A directory joins the build by having a module.mk.
MODULE_ORDER := core sim server fuzz cli scenarios examples dist
include $(wildcard $(addsuffix /module.mk,$(MODULE_ORDER)))

.PHONY: programs
programs: $(PROGRAMS)
	@mkdir -p bin
	@for p in $(PROGRAMS); do ln -sf ../$$p bin/$$(basename $$p); done

# Runs every registered test binary; fails on the first failing suite but
# reports which one.
test-unit: deps $(TEST_BINS) programs
	@ci/run-tests $(B) $(TEST_BINS)

test-asan:
	@$(MAKE) --no-print-directory BUILD_TYPE=asan test-unit

test-clang:
	@$(MAKE) --no-print-directory CC=clang BUILD_TYPE=release test-unit

test: test-unit test-asan test-clang lint test-fleet
	@echo "make test: all suites passed (release, asan+ubsan, clang, fleet) and lint is clean"

clean:
	rm -rf build bin reports/*.xml reports/*.json reports/*.html reports/storms reports/study reports/sweep reports/bench reports/fuzz

help:
	@sed -n '1,16p' Makefile

-include $(shell find build -name '*.d' 2>/dev/null)
.SECONDARY:

# Static analysis (part of `make test`): cppcheck and clang-tidy (.clang-tidy) over every C
# source that exists; both must be silent.
LINT_SRCS = $(wildcard core/src/*.c cli/*.c sim/src/*.c sim/legacy/*.c server/*.c)
.PHONY: lint
lint:
	@echo "  LINT    cppcheck"
	$(Q)cppcheck --enable=warning,performance,portability --std=c11 --error-exitcode=1 \
		--inline-suppr -q -Icore/include -Isim/include $(LINT_SRCS)
	@echo "  LINT    clang-tidy"
	$(Q)clang-tidy -quiet $(LINT_SRCS) -- -std=c11 -Icore/include -Isim/include -Icli -Iserver -I$(B)/gen -I/usr/include/postgresql \
		-DFIU_ENABLE=1 -D_POSIX_C_SOURCE=200809L 2>&1 | grep -E 'warning:|error:' && exit 1 || true
