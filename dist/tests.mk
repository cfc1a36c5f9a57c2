# dist/tests.mk - `make test-ship` (part of `make test`): DESTDIR install,
# pkg-config builds of out-of-tree programs, --version, man pages, systemd
# unit, uninstall (dist/tests/test-install).  The Debian package has its
# own, slower and root-only, `make test-deb` (dist/deb.mk).

.PHONY: deps-ship test-ship
deps-ship:
	@ci/install-deps ci/packages-ship.txt

test-ship: deps deps-ship $(SHIP_FILES)
	@dist/tests/test-install $(B) CC=$(CC) BUILD_TYPE=$(BUILD_TYPE)

test: test-ship
