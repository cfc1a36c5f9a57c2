# cli/module.mk - the `stormglass` command-line tool (one file per verb).

CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/obj/%.o)
CLI_BIN := $(B)/stormglass
PROGRAMS += $(CLI_BIN)

$(B)/obj/cli/%.o: MODULE_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -Icli -Isim/include

# The storm verbs (run, check, swarm, shrink, study) use the simulator.
$(CLI_BIN): $(CLI_OBJS) $(SIM_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# cli/tests/test_<name>.c: suites that run the built tool as a user would
# (output, exit codes, stdout vs stderr).
CLI_TEST_SRCS := $(wildcard cli/tests/test_*.c)
CLI_TEST_BINS := $(CLI_TEST_SRCS:cli/tests/%.c=$(B)/tests/cli/%)
TEST_BINS += $(CLI_TEST_BINS)

$(B)/obj/cli/tests/%.o: MODULE_CPPFLAGS := -D_POSIX_C_SOURCE=200809L $(CMOCKA_CFLAGS) -Icore/tests \
	-DSTORMGLASS_BIN='"$(CLI_BIN)"'

$(B)/tests/cli/%: $(B)/obj/cli/tests/%.o $(CLI_BIN)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $< -o $@ $(CMOCKA_LIBS) $(LDLIBS)
