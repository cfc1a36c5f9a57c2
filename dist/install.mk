# dist/install.mk - `make install` and `make uninstall`, honouring PREFIX
# (default /usr/local) and DESTDIR, plus the files generated for them:
# the pkg-config file, the systemd unit (paths substituted) and the man
# pages (dist/gen-man: template + the program's own --help).
#
#   make install [PREFIX=/usr] [DESTDIR=/stage] [LIBDIR=...] [SYSCONFDIR=...]
#
# stormglassd, its man page, unit and environment file are installed when
# the server module builds the daemon.  An existing environment file is
# never overwritten, and uninstall removes it only while it is unchanged.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
ENVFILE = $(SYSCONFDIR)/stormglass/stormglassd.env

SHIP_DIR := $(B)/dist
SHIP_DAEMON := $(filter %/stormglassd,$(PROGRAMS))
SHIP_PC := $(SHIP_DIR)/stormglass-core.pc
SHIP_UNIT := $(SHIP_DIR)/stormglassd.service
SHIP_MAN1 := $(SHIP_DIR)/man/stormglass.1
SHIP_MAN8 := $(SHIP_DIR)/man/stormglassd.8
SHIP_HEADERS := $(wildcard core/include/stormglass/*.h)
SHIP_FILES := $(CLI_BIN) $(CORE_LIB) $(CORE_SO) $(SHIP_PC) $(SHIP_MAN1) \
	$(if $(SHIP_DAEMON),$(SHIP_DAEMON) $(SHIP_UNIT) $(SHIP_MAN8))

# The generated files depend on the install paths: this stamp changes
# whenever one of them does.
SHIP_PATHS := $(SHIP_DIR)/paths
$(SHIP_PATHS): always-check
	@mkdir -p $(@D)
	@printf '%s\n' '$(PREFIX)' '$(SBINDIR)' '$(LIBDIR)' '$(INCLUDEDIR)' '$(ENVFILE)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

# Paths under the prefix are written relative to ${prefix} in the .pc.
pc_path = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
$(SHIP_PC): dist/stormglass-core.pc.in VERSION $(SHIP_PATHS)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pc_path,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(call pc_path,$(INCLUDEDIR))|' -e 's|@VERSION@|$(SG_VERSION)|' $< >$@

$(SHIP_UNIT): dist/stormglassd.service.in $(SHIP_PATHS)
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|' -e 's|@ENVFILE@|$(ENVFILE)|' $< >$@

$(SHIP_MAN1): dist/man/stormglass.1.in dist/gen-man $(CLI_BIN)
	$(Q)dist/gen-man $< $(CLI_BIN) $@

$(SHIP_MAN8): dist/man/stormglassd.8.in dist/gen-man $(SHIP_DAEMON) $(SHIP_PATHS)
	$(Q)dist/gen-man $< $(SHIP_DAEMON) $@ ENVFILE=$(ENVFILE)

.PHONY: ship install uninstall
ship: $(SHIP_FILES)

install: $(SHIP_FILES)
	@echo "  INSTALL $(DESTDIR)$(PREFIX)"
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/stormglass $(DESTDIR)$(MANDIR)/man1
	$(Q)install -m 0755 $(CLI_BIN) $(DESTDIR)$(BINDIR)/stormglass
	$(Q)install -m 0644 $(CORE_LIB) $(CORE_SO) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf $(notdir $(CORE_SO)) $(DESTDIR)$(LIBDIR)/$(CORE_SONAME)
	$(Q)ln -sf $(CORE_SONAME) $(DESTDIR)$(LIBDIR)/libstormglass-core.so
	$(Q)install -m 0644 $(SHIP_HEADERS) $(DESTDIR)$(INCLUDEDIR)/stormglass/
	$(Q)install -m 0644 $(SHIP_PC) $(DESTDIR)$(PKGCONFIGDIR)/
	$(Q)install -m 0644 $(SHIP_MAN1) $(DESTDIR)$(MANDIR)/man1/
ifneq ($(SHIP_DAEMON),)
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(dir $(ENVFILE))
	$(Q)install -m 0755 $(SHIP_DAEMON) $(DESTDIR)$(SBINDIR)/stormglassd
	$(Q)install -m 0644 $(SHIP_MAN8) $(DESTDIR)$(MANDIR)/man8/
	$(Q)install -m 0644 $(SHIP_UNIT) $(DESTDIR)$(SYSTEMDUNITDIR)/
	$(Q)if [ -e $(DESTDIR)$(ENVFILE) ]; then echo "  KEEP    $(DESTDIR)$(ENVFILE) (exists)"; \
		else install -m 0644 dist/stormglassd.env $(DESTDIR)$(ENVFILE); fi
endif
	$(Q)if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

uninstall:
	@echo "  UNINSTALL $(DESTDIR)$(PREFIX)"
	$(Q)rm -f $(DESTDIR)$(BINDIR)/stormglass $(DESTDIR)$(SBINDIR)/stormglassd \
		$(DESTDIR)$(LIBDIR)/libstormglass-core.a $(DESTDIR)$(LIBDIR)/libstormglass-core.so* \
		$(DESTDIR)$(PKGCONFIGDIR)/stormglass-core.pc $(DESTDIR)$(MANDIR)/man1/stormglass.1 \
		$(DESTDIR)$(MANDIR)/man8/stormglassd.8 $(DESTDIR)$(SYSTEMDUNITDIR)/stormglassd.service
	$(Q)rm -rf $(DESTDIR)$(INCLUDEDIR)/stormglass
	$(Q)if cmp -s dist/stormglassd.env $(DESTDIR)$(ENVFILE); then rm -f $(DESTDIR)$(ENVFILE); \
		rmdir $(DESTDIR)$(dir $(ENVFILE)) 2>/dev/null || true; \
		elif [ -e $(DESTDIR)$(ENVFILE) ]; then echo "  KEEP    $(DESTDIR)$(ENVFILE) (changed)"; fi
