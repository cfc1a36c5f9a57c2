# dist/module.mk - shipping stormglass: the version stamp of the programs,
# the core as a shared library, `make install`/`uninstall` (programs,
# libraries, headers, pkg-config file, man pages, systemd unit), the Debian
# package and the tests of all of it.  Included last (MODULE_ORDER), so it
# sees every program the other modules registered: stormglassd is shipped
# as soon as server/module.mk builds it.

include dist/version.mk dist/shlib.mk dist/install.mk dist/tests.mk dist/tarball.mk dist/deb.mk
