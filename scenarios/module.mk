# scenarios/module.mk - the incident catalogue as make targets (after cli:
# they run the stormglass tool).
#
#   make storms         every storm, each with its own seed, legacy and core:
#                       reports/index.html (+ storms/*.html), junit.xml,
#                       summary.json, and the backoff contention study
#   make storms-sweep   seeds 1..100 with -j2 into reports/sweep/
# `make test` runs a 10-seed sweep through sim/tests/test_catalogue.c.

STORMS_DIR := scenarios
STORMS_SEEDS ?= 1..100
STORMS_JOBS ?= 2

.PHONY: storms storms-sweep storms-check
storms: programs
	@mkdir -p reports
	$(Q)$(CLI_BIN) study contention --runs 100 --out reports/study
	$(Q)$(CLI_BIN) run --junit reports/junit.xml --json reports/summary.json --report reports $(STORMS_DIR)
	@echo "  open reports/index.html"

storms-sweep: programs
	@mkdir -p reports/sweep
	$(Q)$(CLI_BIN) run --quiet -j $(STORMS_JOBS) --seeds $(STORMS_SEEDS) --junit reports/sweep/junit.xml \
		--json reports/sweep/summary.json --report reports/sweep $(STORMS_DIR)

storms-check: programs
	$(Q)$(CLI_BIN) check --quiet $(STORMS_DIR)
