# server/module.mk - stormglassd: the WebSocket/HTTP server on the core.
#
# server/*.c except main.c form libstormglass-server.a (so unit suites and
# fuzz targets can link the byte-buffer parts: http_req, ws_session,
# utf8, topics, wire); main.c adds the entry point.  Libraries: libuv,
# http-parser, wslay, jansson, libcrypto (see docs/ARCHITECTURE.md).

SERVER_SRCS := $(filter-out server/main.c,$(wildcard server/*.c))
SERVER_OBJS := $(SERVER_SRCS:%.c=$(B)/obj/%.o)
SERVER_LIB := $(B)/libstormglass-server.a
SERVER_BIN := $(B)/stormglassd
SERVER_CPPFLAGS := -Iserver -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
SERVER_LIBS := -luv -lhttp_parser -lwslay -ljansson -lcrypto

$(B)/obj/server/%.o: MODULE_CPPFLAGS := $(SERVER_CPPFLAGS)

$(SERVER_LIB): $(SERVER_OBJS)
	@mkdir -p $(@D)
	$(QUIET_LINK)rm -f $@ && ar rcs $@ $^

PROGRAMS += $(SERVER_BIN)

# Suites: server/tests/test_<name>.c (test_integration starts the binary).
SERVER_TEST_SRCS := $(wildcard server/tests/test_*.c)
SERVER_TEST_BINS := $(SERVER_TEST_SRCS:server/tests/%.c=$(B)/tests/server/%)
TEST_BINS += $(SERVER_TEST_BINS)

$(B)/obj/server/tests/%.o: MODULE_CPPFLAGS := $(SERVER_CPPFLAGS) $(CMOCKA_CFLAGS) -Icore/tests \
	-DSD_TEST_SERVER_BIN='"$(SERVER_BIN)"'

$(SERVER_BIN): $(B)/obj/server/main.o $(SERVER_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(SERVER_LIBS) $(LDLIBS)

$(B)/tests/server/%: $(B)/obj/server/tests/%.o $(SERVER_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(CMOCKA_LIBS) $(SERVER_LIBS) $(LDLIBS)

# The integration suite links the test client and starts the real binary.
$(B)/tests/server/test_integration: $(B)/obj/server/tests/harness.o | $(SERVER_BIN)
$(B)/tests/server/test_restart: $(B)/obj/server/tests/harness.o | $(SERVER_BIN)

# make bench-server: 1,000 subscribers, one publisher, on loopback; the
# figures are printed and saved under reports/bench/.
SERVER_BENCH := $(B)/bench/bench_server
$(B)/obj/server/bench/%.o: MODULE_CPPFLAGS := -D_GNU_SOURCE

$(SERVER_BENCH): $(B)/obj/server/bench/bench_server.o
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

.PHONY: bench-server
bench-server: deps $(SERVER_BIN) $(SERVER_BENCH)
	@mkdir -p reports/bench
	$(SERVER_BENCH) $(SERVER_BIN) 1000 1000 64 reports/bench/server

# The network backbone adapters and the fleet tests (issue 9).
include server/backbones.mk
