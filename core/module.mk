# core/module.mk - the pure core: a static library and its cmocka suites.

CORE_SRCS := $(wildcard core/src/*.c)
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/obj/%.o)
CORE_LIB := $(B)/libstormglass-core.a

$(CORE_LIB): $(CORE_OBJS)
	@mkdir -p $(@D)
	$(QUIET_LINK)rm -f $@ && ar rcs $@ $^

# Each core/tests/test_<name>.c is one suite: $(B)/tests/core/test_<name>.
CORE_TEST_SRCS := $(wildcard core/tests/test_*.c)
CORE_TEST_BINS := $(CORE_TEST_SRCS:core/tests/%.c=$(B)/tests/core/%)
TEST_BINS += $(CORE_TEST_BINS)

$(B)/obj/core/tests/%.o: MODULE_CPPFLAGS := $(CMOCKA_CFLAGS) -Icore/tests

$(B)/tests/core/%: $(B)/obj/core/tests/%.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(CMOCKA_LIBS) $(LDLIBS)
