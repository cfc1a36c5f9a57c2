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
