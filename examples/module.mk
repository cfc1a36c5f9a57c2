# examples/module.mk - the embedding examples, built in-tree with the
# project's warnings by every compiler and build type of `make test`, so
# they cannot rot.  `make test-ship` builds and runs them again from an
# installed core through pkg-config, the way a user does.  They use the
# broadcaster: until core/src/bcast*.c exists they are compiled, not linked.

EXAMPLE_SRCS := $(wildcard examples/*.c)
EXAMPLE_OBJS := $(EXAMPLE_SRCS:%.c=$(B)/obj/%.o)
EXAMPLE_BINS := $(EXAMPLE_SRCS:examples/%.c=$(B)/examples/%)

.PHONY: examples
ifneq ($(wildcard core/src/bcast*.c),)
examples: $(EXAMPLE_BINS)
else
examples: $(EXAMPLE_OBJS)
endif

$(B)/examples/%: $(B)/obj/examples/%.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

test-unit: examples
