# sim/module.mk - the deterministic simulator: a static library built from
# sim/src/*.c (engine, world, oracles) and sim/legacy/*.c (legacy models of
# the incident systems), plus its cmocka suites in sim/tests/.

SIM_SRCS := $(wildcard sim/src/*.c sim/legacy/*.c)
SIM_OBJS := $(SIM_SRCS:%.c=$(B)/obj/%.o)
SIM_LIB := $(B)/libstormglass-sim.a
SIM_CPPFLAGS := -Isim/include -D_POSIX_C_SOURCE=200809L

$(B)/obj/sim/%.o: MODULE_CPPFLAGS := $(SIM_CPPFLAGS)

ifneq ($(SIM_SRCS),)
$(SIM_LIB): $(SIM_OBJS)
	@mkdir -p $(@D)
	$(QUIET_LINK)rm -f $@ && ar rcs $@ $^

# Each sim/tests/test_<name>.c is one suite linked with sim + core and
# the shared test support (sim/tests/support/*.c: test-only worker models).
SIM_TEST_SRCS := $(wildcard sim/tests/test_*.c)
SIM_TEST_BINS := $(SIM_TEST_SRCS:sim/tests/%.c=$(B)/tests/sim/%)
SIM_TEST_SUPPORT_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard sim/tests/support/*.c))
TEST_BINS += $(SIM_TEST_BINS)

$(B)/obj/sim/tests/%.o: MODULE_CPPFLAGS := $(SIM_CPPFLAGS) $(CMOCKA_CFLAGS) -Isim/tests -Isim/tests/support -Isim/src -Icore/tests

$(B)/tests/sim/%: $(B)/obj/sim/tests/%.o $(SIM_TEST_SUPPORT_OBJS) $(SIM_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(CMOCKA_LIBS) $(LDLIBS)
endif

# `make bench-sim`: speed and size figures of the simulator, printed and
# saved under reports/bench/ (sim/bench/bench_sim.c).
SIM_BENCH_BIN := $(B)/bench/bench_sim
$(SIM_BENCH_BIN): $(B)/obj/sim/bench/bench_sim.o $(SIM_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

.PHONY: bench-sim
bench-sim: $(SIM_BENCH_BIN)
	@mkdir -p reports/bench
	$(SIM_BENCH_BIN) reports/bench
