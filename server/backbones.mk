# server/backbones.mk - the network backbone adapters (redis://, postgres://,
# kafka://) and their tests.  Included at the end of server/module.mk.
#
#   make test-fleet    three stormglassd per backbone against real redis-server,
#                      PostgreSQL and librdkafka's mock cluster, killed and
#                      stopped mid-stream (part of `make test`)
#   make soak          50 backbone kills over 10 minutes, nothing lost (not in CI)
#   make bench-fleet   stormglassd vs nginx + nchan on the same Redis
#
# The adapters live in server/ (backbone_*.c, redis_link.c, pg_link.c,
# kafka_*.c, bb_*.c) and join libstormglass-server.a by the wildcard.

SERVER_LIBS += -lhiredis -lpq -lrdkafka
BACKBONE_PQ_CPPFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)

# libpq's header lives outside the default include path.
$(B)/obj/server/backbone_postgres.o $(B)/obj/server/pg_link.o: MODULE_CPPFLAGS := $(SERVER_CPPFLAGS) \
	$(BACKBONE_PQ_CPPFLAGS)

# Adapter suites talk to real servers that ci/backbone starts; they find
# the repo's ci/ and the kafka helper through these.
BACKBONE_TEST_CPPFLAGS := $(SERVER_CPPFLAGS) $(CMOCKA_CFLAGS) -Icore/tests $(BACKBONE_PQ_CPPFLAGS) \
	-DSD_TEST_CI_DIR='"ci"' -DSD_TEST_KAFKA_MOCK='"$(B)/tests/fleet/kafka_mock"'
$(B)/obj/server/tests/test_backbone_%.o: MODULE_CPPFLAGS := $(BACKBONE_TEST_CPPFLAGS)
$(B)/obj/server/tests/bb_harness.o $(B)/obj/server/tests/bb_contract.o: MODULE_CPPFLAGS := \
	$(BACKBONE_TEST_CPPFLAGS)
BACKBONE_TEST_BINS := $(filter $(B)/tests/server/test_backbone_%,$(SERVER_TEST_BINS))
$(BACKBONE_TEST_BINS): $(B)/obj/server/tests/bb_harness.o $(B)/obj/server/tests/bb_contract.o

# The mock Kafka cluster host (a test helper, never installed).
KAFKA_MOCK := $(B)/tests/fleet/kafka_mock
$(KAFKA_MOCK): $(B)/obj/server/tests/fleet/kafka_mock.o
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ -lrdkafka -lpthread
$(B)/tests/server/test_backbone_kafka: | $(KAFKA_MOCK)

# ---- fleet fault tests --------------------------------------------------------
# One run per backbone through ci/with-backbone (which starts and always
# removes the server); every backbone is frozen (SIGSTOP) for 20 s.
FLEET := server/tests/fleet/fleet.py --server $(SERVER_BIN)
FLEET_BACKBONES ?= redis postgres kafka
FLEET_STOP_SECONDS ?= 20

.PHONY: test-fleet soak
test-fleet: deps $(SERVER_BIN) $(KAFKA_MOCK)
	@set -e; for kind in $(FLEET_BACKBONES); do \
		KAFKA_MOCK=$(KAFKA_MOCK) ci/with-backbone $$kind -- /usr/bin/python3 $(FLEET) \
			--stop-seconds $(FLEET_STOP_SECONDS); \
	done

# 50 backbone kills over about 10 minutes per backbone, nothing lost (not in CI).
SOAK_BACKBONES ?= redis
soak: deps $(SERVER_BIN) $(KAFKA_MOCK)
	@set -e; for kind in $(SOAK_BACKBONES); do \
		KAFKA_MOCK=$(KAFKA_MOCK) ci/with-backbone $$kind -- /usr/bin/python3 $(FLEET) --soak; \
	done

# ---- side by side with nginx + nchan ------------------------------------------------
# 1,000 subscribers, 1,000 closed-loop publishes, then a Redis restart, for
# each system; one run's figures and ratios in reports/bench/fleet-vs-nchan.*.
BENCH_FLEET := $(B)/tests/fleet/bench_fleet
$(BENCH_FLEET): $(B)/obj/server/tests/fleet/bench_fleet.o
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@
$(B)/obj/server/tests/fleet/bench_fleet.o: MODULE_CPPFLAGS := -D_GNU_SOURCE

.PHONY: bench-fleet
bench-fleet: deps $(SERVER_BIN) $(BENCH_FLEET)
	@ci/install-deps ci/packages-bench.txt
	ci/with-backbone redis -- server/tests/fleet/bench_fleet.sh $(SERVER_BIN) $(BENCH_FLEET) 1000 1000 reports/bench
