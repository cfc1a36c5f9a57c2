# dist/shlib.mk - the core as a shared library.  The same sources as the
# static library, compiled position-independent into their own directory
# ($(B)/pic/), linked with the SONAME libstormglass-core.so.MAJOR and a
# version script that exports exactly the public API (dist/gen-exports:
# what core/include/stormglass/*.h declares); -z defs proves the library
# names every library it needs (libfiu, libm).

CORE_PIC_OBJS := $(CORE_SRCS:%.c=$(B)/pic/%.o)
CORE_SONAME := libstormglass-core.so.$(SG_SOVERSION)
CORE_SO := $(B)/libstormglass-core.so.$(SG_VERSION)
CORE_EXPORTS := $(B)/gen/libstormglass-core.map

$(B)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(MODULE_CPPFLAGS) $(CFLAGS) -fPIC -fno-semantic-interposition -c $< -o $@

$(CORE_EXPORTS): $(CORE_PIC_OBJS) $(wildcard core/include/stormglass/*.h) dist/gen-exports
	@mkdir -p $(@D)
	$(Q)dist/gen-exports $@ $(CORE_PIC_OBJS)

$(CORE_SO): $(CORE_PIC_OBJS) $(CORE_EXPORTS)
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,-soname,$(CORE_SONAME) \
		-Wl,--version-script=$(CORE_EXPORTS) -Wl,-z,defs -Wl,-z,relro -Wl,-z,now \
		$(CORE_PIC_OBJS) -o $@ $(LDLIBS)

.PHONY: shlib
shlib: $(CORE_SO)
