# dist/deb.mk - the Debian packages and their test in a clean root.
#
#   make deb        build/deb/*.deb (dist/make-deb: exported source +
#                   dpkg-buildpackage; packaging in debian/)
#   make test-deb   install them into a debootstrapped root, run stormglassd
#                   there on loopback, check /healthcheck, purge, and check
#                   that nothing of ours is left (dist/tests/test-deb; root)

DEB_DIR := build/deb

.PHONY: deb test-deb deps-deb
deps-deb:
	@ci/install-deps ci/packages-deb.txt

deb: deps deps-deb
	@dist/make-deb $(DEB_DIR)

test-deb: deb
	@dist/tests/test-deb $(DEB_DIR)
