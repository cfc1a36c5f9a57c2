# cli/module.mk - the `stormglass` command-line tool (one file per verb).

CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/obj/%.o)
CLI_BIN := $(B)/stormglass
PROGRAMS += $(CLI_BIN)

$(B)/obj/cli/%.o: MODULE_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -Icli -Isim/include

# The storm verbs (run, check, swarm, shrink, study) use the simulator.
# TEMPORARY: until the broadcaster core is on main, the weak config stub
# of the simulator's tests stands in for sg_bcast_config_default.
CLI_STUBS := $(if $(wildcard core/src/bcast_config.c),,$(B)/obj/sim/tests/support/bcast_config_stub.o)
# TEMPORARY: an empty broadcaster-model registry until the simulator has one.
CLI_STUBS += $(if $(shell grep -ls '^const sim_worker_ops \*sim_worker_model_find' sim/src/*.c sim/legacy/*.c),,\
	$(B)/obj/cli/stubs/worker_registry_fallback.o)
$(CLI_BIN): $(CLI_OBJS) $(SIM_LIB) $(CLI_STUBS) $(CORE_LIB)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)
