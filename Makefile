# codex-c build.  `make` builds the release binary build/codex; `make check`
# builds the sanitized variant (ASan + UBSan) and runs every test against it.
#
# Sources are discovered, not listed: a new .c file under src/ joins libcodex,
# a new src/cli/*.c joins the front end, a new tests/unit/test_*.c becomes a
# unit-test binary, a new tests/tools/*.c a test helper program.

CC      ?= cc
PYTHON  ?= /usr/bin/python3
VERSION := 0.1.0

PKGS        := jansson libuv libseccomp libutf8proc
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) libcurl 2>/dev/null)
# GLib's headers, for the one file that speaks to libsecret (loaded with dlopen).
SECRET_CFLAGS := $(shell pkg-config --cflags libsecret-1 2>/dev/null)
LIBDIR      := $(shell pkg-config --variable=libdir jansson 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)
# Debian's static archives are linked in so that process start-up does not
# pay for loading shared objects (see docs/ARCHITECTURE.md, "Start-up cost").
# libcurl and sqlite3 are loaded with dlopen on first use instead.
STATIC_LIBS := $(LIBDIR)/libjansson.a $(LIBDIR)/libuv_a.a $(LIBDIR)/libseccomp.a $(LIBDIR)/libutf8proc.a
SYS_LIBS    := -lpthread -ldl -lm

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -DCODEX_VERSION='"$(VERSION)"' $(WARN) -Isrc $(PKG_CFLAGS) -MMD -MP

RELEASE_CFLAGS := $(BASE_CFLAGS) -O2 -g0 -fstack-protector-strong -D_FORTIFY_SOURCE=2 -ffunction-sections -fdata-sections
RELEASE_LDFLAGS := -Wl,-O1 -Wl,--as-needed -Wl,--gc-sections -s
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ASAN_CFLAGS := $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS)
ASAN_LDFLAGS := $(SAN_FLAGS)

LIB_SRC  := $(sort $(shell find src -name '*.c' -not -path 'src/cli/*' -not -name main.c))
CLI_SRC  := src/main.c $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

B  := build
BA := build/asan

# The bundled system skills (assets/system-skills) become one generated C
# file; its object sits with the skills module it belongs to.
BUNDLE_ASSETS := $(sort $(shell find assets/system-skills -type f))
BUNDLE_SRC := $(B)/gen/skills_bundle.c
BUNDLE_OBJ := obj/src/skills/bundle_data.o

LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o) $(B)/$(BUNDLE_OBJ)
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/obj/%.o)
LIB_AOBJ  := $(LIB_SRC:%.c=$(BA)/obj/%.o) $(BA)/$(BUNDLE_OBJ)
CLI_AOBJ  := $(CLI_SRC:%.c=$(BA)/obj/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(B)/tests/%)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)

.PHONY: all release asan tests check unit e2e fuzz clean deps bench sdk mcp-peers refclient layers
# `make e2e SUITES="exec sandbox"` runs only those pytest folders.
SUITES ?=
.DEFAULT_GOAL := all

all: release
release: $(B)/codex
asan: $(BA)/codex
tests: asan $(UNIT_BIN) $(TOOL_BIN)

deps:
	@scripts/install-deps

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(BA)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(BUNDLE_SRC): scripts/gen-system-skills $(BUNDLE_ASSETS)
	$(PYTHON) scripts/gen-system-skills assets/system-skills $@

$(B)/$(BUNDLE_OBJ): $(BUNDLE_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) -c $< -o $@

$(BA)/$(BUNDLE_OBJ): $(BUNDLE_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -c $< -o $@

$(B)/obj/src/store/keyring.o $(BA)/obj/src/store/keyring.o build/fuzz/obj/src/store/keyring.o: EXTRA_CFLAGS := $(SECRET_CFLAGS)

$(B)/libcodex.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BA)/libcodex.a: $(LIB_AOBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/codex: $(CLI_OBJ) $(B)/libcodex.a
	$(CC) $(RELEASE_LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libcodex.a $(STATIC_LIBS) $(SYS_LIBS)

$(BA)/codex: $(CLI_AOBJ) $(BA)/libcodex.a
	$(CC) $(ASAN_LDFLAGS) -o $@ $(CLI_AOBJ) $(BA)/libcodex.a $(STATIC_LIBS) $(SYS_LIBS)

# Unit tests may exercise front-end pieces too (the exec renderers): the
# front end's objects, without main, form a second archive.
$(BA)/libcli.a: $(filter-out $(BA)/obj/src/main.o,$(CLI_AOBJ))
	@rm -f $@
	ar rcs $@ $^

# libvterm (a terminal emulator) checks the TUI renderer's bytes; only
# the unit tests link it.
TEST_LIBS := $(LIBDIR)/libvterm.a -lcmocka

$(B)/tests/%: tests/unit/%.c $(BA)/libcli.a $(BA)/libcodex.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -Itests $< -o $@ $(BA)/libcli.a $(BA)/libcodex.a $(STATIC_LIBS) $(TEST_LIBS) $(SYS_LIBS)

$(B)/tests/%: tests/tools/%.c $(BA)/libcodex.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -Itests $< -o $@ $(BA)/libcodex.a $(STATIC_LIBS) $(SYS_LIBS)

# libFuzzer harnesses (clang only).  Not part of `make check`'s build; see README.
# The library is compiled once with coverage instrumentation and shared by
# every harness.
BF := build/fuzz
FUZZ_BASE := -std=c17 -D_GNU_SOURCE -DCODEX_VERSION='"$(VERSION)"' -Isrc $(PKG_CFLAGS) -g -O1 \
             -fno-sanitize-recover=undefined
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(BF)/obj/%.o) $(BF)/$(BUNDLE_OBJ)
$(BF)/$(BUNDLE_OBJ): $(BUNDLE_SRC)
	@mkdir -p $(dir $@)
	clang $(FUZZ_BASE) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@
$(BF)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_BASE) $(EXTRA_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@
$(BF)/libcodex.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(BF)/%: tests/fuzz/%.c $(BF)/libcodex.a
	clang $(FUZZ_BASE) -fsanitize=fuzzer,address,undefined $< -o $@ $(BF)/libcodex.a $(STATIC_LIBS) $(SYS_LIBS)
fuzz: $(FUZZ_BIN)

unit: tests
	@scripts/run-unit-tests $(UNIT_BIN)

# No code may use a layer above its own (docs/ARCHITECTURE.md, Layers).
layers: asan
	@$(PYTHON) scripts/check-layers $(BA)/obj

# The SDK test needs @openai/codex-sdk from npm; without node or npm the test
# skips itself, so a failed install here is only a warning.
SDK_DIR := $(B)/sdk
$(SDK_DIR)/node_modules/@openai/codex-sdk/dist/index.js: tests/exec/sdk/package.json tests/exec/sdk/package-lock.json
	@mkdir -p $(SDK_DIR)
	@cp tests/exec/sdk/package.json tests/exec/sdk/package-lock.json $(SDK_DIR)/
	@if command -v npm >/dev/null 2>&1; then \
	    (cd $(SDK_DIR) && npm ci --omit=optional --no-audit --no-fund --loglevel=error >/dev/null) || \
	    echo "warning: npm could not install @openai/codex-sdk; the SDK test will be skipped" >&2; \
	fi
sdk: $(SDK_DIR)/node_modules/@openai/codex-sdk/dist/index.js

# Real MCP peers (server-everything, the inspector's CLI, the TypeScript
# SDK) for tests/mcp; without node or npm those tests skip themselves.
MCP_PEERS := $(B)/mcp-peers
$(MCP_PEERS)/node_modules/.package-lock.json: tests/mcp/peers/package.json tests/mcp/peers/package-lock.json
	@mkdir -p $(MCP_PEERS)
	@cp tests/mcp/peers/package.json tests/mcp/peers/package-lock.json $(MCP_PEERS)/
	@if command -v npm >/dev/null 2>&1; then \
	    (cd $(MCP_PEERS) && npm ci --omit=optional --no-audit --no-fund --loglevel=error >/dev/null) || \
	    echo "warning: npm could not install the MCP peers; their tests will be skipped" >&2; \
	fi
mcp-peers: $(MCP_PEERS)/node_modules/.package-lock.json

# The reference Codex CLI, pinned, as a real client of our app-server
# (tests/tui/test_reference_client.py); its binary package is optional in
# npm's eyes, so optional packages are kept.  Without npm the test skips.
REF_CLIENT := $(B)/refclient
$(REF_CLIENT)/node_modules/.package-lock.json: tests/tui/refclient/package.json tests/tui/refclient/package-lock.json
	@mkdir -p $(REF_CLIENT)
	@cp tests/tui/refclient/package.json tests/tui/refclient/package-lock.json $(REF_CLIENT)/
	@if command -v npm >/dev/null 2>&1; then \
	    (cd $(REF_CLIENT) && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || \
	    echo "warning: npm could not install @openai/codex; the reference-client test will be skipped" >&2; \
	fi
refclient: $(REF_CLIENT)/node_modules/.package-lock.json

e2e: tests release sdk mcp-peers refclient
	CODEX_BIN=$(abspath $(BA)/codex) CODEX_BUILD=$(abspath $(B)) CODEX_SDK_DIR=$(abspath $(SDK_DIR))/node_modules/@openai/codex-sdk CODEX_MCP_PEERS=$(abspath $(MCP_PEERS))/node_modules CODEX_REF_CLIENT=$(abspath $(REF_CLIENT))/node_modules $(PYTHON) scripts/run-pytest-suites $(SUITES)

check: deps
	@$(MAKE) --no-print-directory tests release
	@$(MAKE) --no-print-directory layers
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e

bench: release
	bench/run

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# The README's main job: install what is needed, build, run.
.PHONY: run
run: deps
	@$(MAKE) --no-print-directory release
	scripts/exec-demo
