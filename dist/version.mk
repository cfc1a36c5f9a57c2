# dist/version.mk - the version (the VERSION file, its one place) and the
# source revision, baked into the programs' --version through a generated
# header that changes only when the revision does.

SG_VERSION := $(shell tr -d ' \t\r\n' <VERSION)
SG_SOVERSION := $(firstword $(subst ., ,$(SG_VERSION)))
BUILD_INFO_H := $(B)/gen/build_info.h

# The objects that print --version.
VERSIONED_OBJS := $(B)/obj/cli/main.o $(if $(SERVER_BIN),$(B)/obj/server/main.o)
$(VERSIONED_OBJS): $(BUILD_INFO_H)
$(VERSIONED_OBJS): CPPFLAGS += -I$(B)/gen

.PHONY: always-check
$(BUILD_INFO_H): always-check
	$(Q)dist/gen-build-info $@

# clang-tidy reads the programs' sources too (-I$(B)/gen in `make lint`).
lint: $(BUILD_INFO_H)
