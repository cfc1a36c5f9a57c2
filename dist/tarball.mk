# dist/tarball.mk - `make dist`: the source tarball
# $(DIST_DIR)/stormglass-VERSION.tar.gz, exported by dist/export-source
# (what git knows, working-tree content, plus REVISION for --version).

DIST_DIR ?= build

.PHONY: dist
dist:
	$(Q)rm -rf $(DIST_DIR)/dist-src && mkdir -p $(DIST_DIR)
	$(Q)dist/export-source $(DIST_DIR)/dist-src/stormglass-$(SG_VERSION)
	$(Q)tar -C $(DIST_DIR)/dist-src -czf $(DIST_DIR)/stormglass-$(SG_VERSION).tar.gz stormglass-$(SG_VERSION)
	$(Q)rm -rf $(DIST_DIR)/dist-src
	@echo "  DIST    $(DIST_DIR)/stormglass-$(SG_VERSION).tar.gz"
