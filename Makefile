# psinet - the quantum-state / neural-network analogy as a REST service.
#
#   make            build build/psinet (release, -O2)
#   make run        build and start the service on ./psinet.db
#   make test       build and run every test, then all of it again under
#                   AddressSanitizer + UndefinedBehaviorSanitizer
#   make clean      remove build/
#
# Missing Debian packages are installed with apt-get first (target `deps`).

VERSION := 0.1.0

CC     ?= cc
PKGS   := libmicrohttpd jansson sqlite3 libpq openblas
PYTHON ?= python3
AR     ?= ar

WARN   := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla
DEFS   := -D_POSIX_C_SOURCE=200809L -DPSINET_VERSION='"$(VERSION)"'
OPT    ?= -O2 -g
SAN    := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
          -fno-sanitize-recover=all

# pkg-config runs after `deps` has had its chance to install the -dev
# packages. Every file compiles with every package's flags; which headers a
# layer may include is tests/check_layers.sh's to say.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
CFLAGS_ALL = $(WARN) $(DEFS) -I. -Ibuild/gen $(PKG_CFLAGS) -MMD -MP

# The layers, from the bottom up (ARCHITECTURE.md): each is a static
# library, and a layer's code and tests may include and link only the layers
# below it that it names. tests/check_layers.sh holds `make test` to that.
#
#   core   the math on plain arrays            libc, libm, a CBLAS
#   codec  number and byte encodings           core
#   json   psinet's JSON on top of jansson     codec
#   store  persistence                         codec, core; SQLite, libpq
#   api    a request in, a response out        json, store, codec, core
#   server the process: HTTP, config, logs     api/api.h (and core)
LAYERS := core codec json store api
core_SRC  := $(wildcard core/*.c)
codec_SRC := $(wildcard codec/*.c)
json_SRC  := $(wildcard json/*.c)
store_SRC := $(wildcard store/*.c store/pg/*.c) build/gen/migrations_data.c \
             build/gen/pg_migrations_data.c
api_SRC   := $(wildcard api/*.c) build/gen/openapi_data.c build/gen/web_data.c
SERVER_SRC := $(wildcard server/*.c)

# What a layer links: itself and what it uses, in link order, and the
# system libraries of them all (pkg-config names; -lm and -lpthread always).
core_USES  := core
codec_USES := codec core
json_USES  := json codec core
store_USES := store codec core
api_USES   := api json store codec core
core_PKGS  := openblas
codec_PKGS := openblas
json_PKGS  := jansson openblas
store_PKGS := sqlite3 libpq openblas
api_PKGS   := jansson sqlite3 libpq openblas
SERVER_PKGS := libmicrohttpd $(api_PKGS)

MIGRATIONS := $(sort $(wildcard migrations/*.sql))
# PostgreSQL's own (store/pg/), with the same versions: the build stops
# when the two sets differ.
PG_MIGRATIONS := $(sort $(wildcard migrations/postgresql/*.sql))
migration_versions = $(sort $(foreach f,$(1),$(firstword $(subst _, ,$(notdir $(f))))))
# The lab page (api/web.c serves it at / and /ui/): its files are served by
# name, without their folder, so no two may share a name.
WEB_FILES := $(sort $(wildcard web/*.html web/*.js web/*.css web/*.svg)) \
             $(sort $(wildcard web/vendor/*.js))

# Tests live beside their layer: tests/LAYER/test_*.c, built as
# BUILD_DIR/tests/LAYER/test_*. Those of tests/slow/ run once, in the
# release build, since they sweep millions of inputs.
TEST_NAMES := $(patsubst tests/%.c,%,$(foreach l,$(LAYERS),\
                $(wildcard tests/$(l)/test_*.c)))
SLOW_TESTS := $(patsubst tests/%.c,%,$(wildcard tests/slow/test_*.c))
# Those that run once more on PostgreSQL (PSINET_TEST_PG), in the release
# build.
PG_TESTS := store/test_store

# $(call objects,BUILD_DIR,SOURCES)
objects = $(patsubst %.c,$(1)/obj/%.o,$(2))
# $(call libs,BUILD_DIR,LAYER): the static libraries LAYER links, in order
libs = $(foreach u,$($(2)_USES),$(1)/lib/lib$(u).a)
# $(call pkg_libs,PKGS)
pkg_libs = $(shell pkg-config --libs $(1)) -lm -lpthread

REL := build
SAN_DIR := build/asan

.PHONY: all run test test-builds test-slow test-browser fuzz loadtest bench bench-kernels \
        bench-dtoa bench-decimal bench-callgrind test-decimal-long deps clean \
        format check-layers
.DELETE_ON_ERROR:
.SECONDARY:

all: build/psinet

# ---------------------------------------------------------------- packages
# What building and testing need from Debian. The stamps record that the
# check passed; each installs what is missing (as root, or through sudo) and
# says what it installs.
BUILD_PKGS := gcc make pkg-config libc6-dev libmicrohttpd-dev libjansson-dev \
              libsqlite3-dev libpq-dev libopenblas-dev
TEST_PKGS  := python3 curl

# $(call apt_ensure,PACKAGES)
define apt_ensure
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "deps: not a Debian system; make sure these are installed: $(1)"; \
	else \
	  missing=""; \
	  for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    echo "deps: installing Debian packages:$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then sudo=; \
	    elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; \
	    else echo "deps: run as root (or with sudo) to apt-get install$$missing" >&2; exit 1; fi; \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null && \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $$missing </dev/null >/dev/null \
	      || { echo "deps: apt-get install$$missing failed" >&2; exit 1; }; \
	  fi; \
	fi
	@mkdir -p $(@D) && touch $@
endef

build/.deps-build: Makefile
	$(call apt_ensure,$(BUILD_PKGS))

build/.deps-test: Makefile
	$(call apt_ensure,$(TEST_PKGS))

# Node.js runs the contract checks (tests/contract). An existing node and npm
# (from Debian or elsewhere) are used as they are.
build/.deps-node: Makefile
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then :; \
	else $(MAKE) --no-print-directory NODE_PKGS=1 build/.deps-node-apt; fi
	@mkdir -p $(@D) && touch $@

build/.deps-node-apt:
	$(call apt_ensure,nodejs npm)

# The contract tools, from the npm registry at the versions the lock pins.
tests/contract/node_modules/.installed: tests/contract/package-lock.json build/.deps-node
	cd tests/contract && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The lab's browser tests (tests/browser): Debian's Chromium, with fonts for
# readable screenshots, driven by playwright-core from the npm registry at
# the version the lock pins. playwright-core downloads no browser; it is
# told where Debian's is.
BROWSER_PKGS := chromium fonts-dejavu-core

build/.deps-browser: Makefile
	$(call apt_ensure,$(BROWSER_PKGS))

tests/browser/node_modules/.installed: tests/browser/package-lock.json build/.deps-node
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
	  npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The PostgreSQL backend is tested on a throwaway PostgreSQL 15 server that
# `make test` starts and stops (tests/pg/server.sh): Debian's server
# package, and its psql for the integration tests' databases.
PG_PKGS := postgresql-15 postgresql-client-15

build/.deps-pg: Makefile
	$(call apt_ensure,$(PG_PKGS))

deps: build/.deps-build build/.deps-test build/.deps-node build/.deps-fuzz \
      build/.deps-browser build/.deps-pg

# ---------------------------------------------------------------- embedding
# Migrations, the OpenAPI document and the lab page are compiled into the
# binary so that it works from any directory:
# $(call embed,HEADER,TYPE,TABLE,FILES) writes a table TYPE TABLE[] of
# {name, bytes, length} with each file as a NUL-terminated byte array.
define embed
	@mkdir -p $(@D)
	@{ echo '/* generated by the Makefile; do not edit */'; \
	  echo '#include "$(1)"'; \
	  n=0; for f in $(4); do \
	    echo "static const unsigned char file_$$n[] = {"; \
	    od -An -v -tx1 "$$f" | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo "0x00};"; n=$$((n+1)); \
	  done; \
	  echo 'const $(2) $(3)[] = {'; \
	  n=0; for f in $(4); do \
	    echo "  {\"$$(basename $$f)\", (const char *)file_$$n, sizeof file_$$n - 1},"; n=$$((n+1)); \
	  done; \
	  echo '  {0, 0, 0}};'; } > $@
endef

build/gen/migrations_data.c: $(MIGRATIONS) $(PG_MIGRATIONS) Makefile
	@if [ "$(call migration_versions,$(MIGRATIONS))" != \
	      "$(call migration_versions,$(PG_MIGRATIONS))" ]; then \
	  echo "migrations: SQLite has versions $(call migration_versions,$(MIGRATIONS))" >&2; \
	  echo "migrations: PostgreSQL has $(call migration_versions,$(PG_MIGRATIONS))" >&2; \
	  echo "migrations: each migrations/NNNN_*.sql needs its migrations/postgresql/NNNN_*.sql" >&2; \
	  exit 1; fi
	$(call embed,store/migrations.h,store_migration,store_migrations,$(MIGRATIONS))

build/gen/pg_migrations_data.c: $(PG_MIGRATIONS) build/gen/migrations_data.c Makefile
	$(call embed,store/migrations.h,store_migration,store_pg_migrations,$(PG_MIGRATIONS))

build/gen/openapi_data.c: openapi.yaml Makefile
	$(call embed,api/openapi.h,api_document,api_documents,openapi.yaml)

build/gen/web_data.c: $(WEB_FILES) Makefile
	$(call embed,api/web.h,api_web_file,api_web_files,$(WEB_FILES))

# ---------------------------------------------------------------- objects
$(REL)/obj/%.o: %.c | build/.deps-build
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(OPT) $(CFLAGS) -c $< -o $@

$(SAN_DIR)/obj/%.o: %.c | build/.deps-build
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SAN) $(CFLAGS) -c $< -o $@

# ---------------------------------------------------------------- libraries
# $(1) build dir, $(2) layer
define library
$(1)/lib/lib$(2).a: $(call objects,$(1),$($(2)_SRC))
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef

# ---------------------------------------------------------------- programs
# A test of layer L links testlib, its layer's helpers (tests/L/*test.c
# that are not test_*.c), the libraries L uses and their system libraries:
# a core test has no SQLite, jansson or libmicrohttpd to link against.
# $(1) build dir, $(2) layer, $(3) extra link flags
define layer_tests
$(2)_HELPERS := $$(filter-out tests/$(2)/test_%,$$(wildcard tests/$(2)/*.c))
$(1)/tests/$(2)/%: $(1)/obj/tests/$(2)/%.o $(1)/obj/tests/testlib.o \
                   $$(call objects,$(1),$$($(2)_HELPERS)) \
                   $(call libs,$(1),$(2))
	@mkdir -p $$(@D)
	$$(CC) $(3) $$^ $$(call pkg_libs,$($(2)_PKGS)) $$(TEST_LDFLAGS) -o $$@
endef

# $(1) build dir, $(2) extra link flags
define programs
$(foreach l,$(LAYERS),$(eval $(call library,$(1),$(l))))
$(foreach l,$(LAYERS),$(eval $(call layer_tests,$(1),$(l),$(2))))

$(1)/psinet: $(call objects,$(1),$(SERVER_SRC)) $(call libs,$(1),api)
	$$(CC) $(2) $$^ $$(call pkg_libs,$(SERVER_PKGS)) -o $$@

# The slow sweeps are codec tests.
$(1)/tests/slow/%: $(1)/obj/tests/slow/%.o $(1)/obj/tests/testlib.o \
                   $(call libs,$(1),codec)
	@mkdir -p $$(@D)
	$$(CC) $(2) $$^ $$(call pkg_libs,$(codec_PKGS)) -o $$@

# The allocation policy's test fails allocations through a wrapped malloc.
$(1)/tests/api/test_out_of_memory: \
    TEST_LDFLAGS := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

# The number writer's tests compare it with the writers it replaced.
$(1)/tests/codec/test_dtoa_shortest $(1)/tests/slow/test_dtoa_shortest_sweep: \
    $(1)/obj/tests/ref/dtoa_grisu2.o $(1)/obj/tests/ref/dtoa_printf.o
endef
$(eval $(call programs,$(REL),$(OPT)))
$(eval $(call programs,$(SAN_DIR),$(SAN)))

# ---------------------------------------------------------------- fault shim
# An LD_PRELOAD library that fails writes and syncs under a directory on
# demand (tests/fault/inject.c): the storage-fault tests use it to give
# psinet a full disk or an I/O error without root. Not sanitized: it is
# loaded into the release and the ASan+UBSan server alike.
build/tests/fault_inject.so: tests/fault/inject.c | build/.deps-build
	@mkdir -p $(@D)
	$(CC) $(WARN) $(DEFS) $(OPT) $(CFLAGS) -fPIC -shared $< -ldl -o $@

# ---------------------------------------------------------------- fuzzing
# tests/fuzz/fuzz_api.c under libFuzzer with ASan+UBSan (clang). `make fuzz`
# fuzzes for FUZZ_SECONDS; `make test` runs it for TEST_FUZZ_SECONDS.
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 300
TEST_FUZZ_SECONDS ?= 60
FUZZ_PKGS    := clang libclang-rt-14-dev

build/.deps-fuzz: Makefile
	$(call apt_ensure,$(FUZZ_PKGS))

build/fuzz/obj/%.o: %.c | build/.deps-build build/.deps-fuzz
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS_ALL) $(FUZZ_FLAGS) -c $< -o $@

$(foreach l,$(LAYERS),$(eval $(call library,build/fuzz,$(l))))

build/fuzz/fuzz_api: build/fuzz/obj/tests/fuzz/fuzz_api.o \
                     $(call libs,build/fuzz,api)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $^ \
	  $(call pkg_libs,$(api_PKGS)) -o $@

fuzz: build/fuzz/fuzz_api
	@mkdir -p build/fuzz/corpus
	./build/fuzz/fuzz_api -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  -artifact_prefix=build/fuzz/ \
	  -timeout=10 build/fuzz/corpus tests/fuzz/corpus

# ---------------------------------------------------------------- load
# A bounded mixed load with wrk on loopback: no errors, no 5xx, flat memory;
# then large bodies and slow clients while /healthz is timed (p99) and
# resident memory sampled (bench/load_heavy.py). Not part of `make test`.
# LOAD_SECONDS defaults to 60, HEAVY_SECONDS to 30.
LOAD_SECONDS ?= 60
build/.deps-load: Makefile
	$(call apt_ensure,wrk curl)

loadtest: build/psinet build/.deps-load
	sh bench/loadtest.sh $(LOAD_SECONDS)

# ---------------------------------------------------------------- bench
# `make bench`: psinet against a bare libmicrohttpd server, jansson's own
# parse time and the peers of bench/peers/, one table (bench/bench.py; figures go to bench/RESULTS.md by
# hand). `make bench-kernels`: GFLOP/s of the core's dense forward pass
# against OpenBLAS called directly. `make bench-dtoa`: ns per number written
# as JSON text by dtoa_shortest (Schubfach), the Grisu2 writer it replaced
# (tests/ref) and the snprintf/strtod way before that.
BENCH_SECONDS ?= 4
build/bench/baseline: bench/baseline.c | build/.deps-build
	@mkdir -p $(@D)
	$(CC) $(WARN) $(DEFS) $(OPT) $(PKG_CFLAGS) $< \
	  $(call pkg_libs,libmicrohttpd) -o $@

build/bench/parse_time: bench/parse_time.c bench/clock.h | build/.deps-build
	@mkdir -p $(@D)
	$(CC) $(WARN) $(DEFS) -I. $(OPT) $(PKG_CFLAGS) $< \
	  $(call pkg_libs,jansson) -o $@

build/bench/sqlite_rate: bench/sqlite_rate.c bench/clock.h | build/.deps-build
	@mkdir -p $(@D)
	$(CC) $(WARN) $(DEFS) -I. $(OPT) $(PKG_CFLAGS) $< \
	  $(call pkg_libs,sqlite3) -o $@

build/bench/store_rate: $(REL)/obj/bench/store_rate.o $(call libs,$(REL),store)
	@mkdir -p $(@D)
	$(CC) $(OPT) $^ $(call pkg_libs,$(store_PKGS)) -o $@

build/bench/kernels: $(REL)/obj/bench/kernels.o $(call libs,$(REL),core)
	@mkdir -p $(@D)
	$(CC) $(OPT) $^ $(call pkg_libs,$(core_PKGS)) -o $@

# The peers make bench compares psinet with (bench/peers/): FastAPI with
# numpy from Debian, Fastify from the npm registry at the version the lock
# pins.
PEER_PKGS := python3-fastapi python3-uvicorn python3-uvloop python3-httptools \
             python3-ujson python3-numpy
build/.deps-peers: Makefile
	$(call apt_ensure,$(PEER_PKGS))

bench/peers/fastify/node_modules/.installed: bench/peers/fastify/package-lock.json \
                                             build/.deps-node
	cd bench/peers/fastify && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

bench: build/psinet build/bench/baseline build/bench/parse_time \
       build/bench/sqlite_rate build/bench/store_rate build/.deps-load \
       build/.deps-pg build/.deps-peers \
       bench/peers/fastify/node_modules/.installed
	$(PYTHON) bench/bench.py --seconds $(BENCH_SECONDS)

bench-kernels: build/bench/kernels
	./build/bench/kernels

build/bench/dtoa: $(REL)/obj/bench/dtoa.o $(REL)/obj/tests/ref/dtoa_grisu2.o \
                  $(REL)/obj/tests/ref/dtoa_printf.o $(call libs,$(REL),codec)
	@mkdir -p $(@D)
	$(CC) $(OPT) $^ $(call pkg_libs,$(codec_PKGS)) -o $@

bench-dtoa: build/bench/dtoa
	./build/bench/dtoa

# `make bench-decimal`: MB/s of number text read by codec/decimal.h against
# strtod. `make bench-callgrind`: instructions per request of make bench's
# workloads under callgrind (bench/callgrind.py), the figures that do not
# drift on a shared machine.
build/bench/decimal: $(REL)/obj/bench/decimal.o $(call libs,$(REL),codec)
	@mkdir -p $(@D)
	$(CC) $(OPT) $^ $(call pkg_libs,$(codec_PKGS)) -o $@

bench-decimal: build/bench/decimal
	./build/bench/decimal

build/.deps-valgrind: Makefile
	$(call apt_ensure,valgrind)

bench-callgrind: build/psinet build/bench/baseline build/.deps-valgrind
	$(PYTHON) bench/callgrind.py

# ---------------------------------------------------------------- run / test
run: build/psinet
	./build/psinet

# The layer check first (tests/check_layers.sh: includes point down only,
# every public name carries its layer's prefix); then every C test binary
# and the integration suite against the real server, then the same again
# built with ASan+UBSan; the slow sweeps once, in the release build; then
# the store's suite (both builds) and the integration suite (release) once
# more on a throwaway PostgreSQL server; the contract: openapi.yaml lints clean
# and every exchange of the first integration run and of the PostgreSQL one
# matches it; the lab page in Chromium against the release
# build (screenshots in build/browser/); then the fuzzer. tests/run.sh
# prints the totals.
# The packages are installed first, one apt-get at a time; then the three
# builds compile side by side, one job per core (TEST_JOBS), and
# tests/run.sh runs the sanitizer build's tests, the browser and the fuzzer
# in a second lane beside the others (PSINET_TEST_LANES=1: one lane).
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
TEST_BUILDS := build/psinet \
      $(addprefix $(REL)/tests/,$(TEST_NAMES) $(SLOW_TESTS)) \
      $(SAN_DIR)/psinet $(addprefix $(SAN_DIR)/tests/,$(TEST_NAMES)) \
      $(foreach l,$(LAYERS),$(REL)/lib/lib$(l).a) \
      build/tests/fault_inject.so build/fuzz/fuzz_api
test: build/.deps-build build/.deps-fuzz build/.deps-test build/.deps-pg \
      tests/contract/node_modules/.installed \
      build/.deps-browser tests/browser/node_modules/.installed
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) test-builds
	@sh tests/run.sh --layers $(REL)/lib --contract build/exchanges.jsonl \
	  --fuzz build/fuzz/fuzz_api $(TEST_FUZZ_SECONDS) \
	  --slow "$(SLOW_TESTS)" --browser build/psinet build/browser \
	  --pg "$(PG_TESTS)" $(REL) $(SAN_DIR) -- $(TEST_NAMES)
test-builds: $(TEST_BUILDS)

# The lab page in Chromium alone (make test runs it too).
test-browser: build/psinet build/.deps-browser tests/browser/node_modules/.installed
	node tests/browser/run.mjs build/psinet build/browser

# The slow sweeps alone (make test runs them too).
test-slow: $(addprefix $(REL)/tests/,$(SLOW_TESTS))
	@for t in $(SLOW_TESTS); do ./$(REL)/tests/$$t || exit 1; done

# codec/decimal.h against strtod on 10^9 random strings (make test reads
# 10^7): two processes with their own seeds, one per core; about 15
# minutes here.
DECIMAL_LONG ?= 500000000
test-decimal-long: $(REL)/tests/slow/test_decimal_sweep
	@PSINET_DECIMAL_STRINGS=$(DECIMAL_LONG) PSINET_DECIMAL_SEED=1 \
	  ./$(REL)/tests/slow/test_decimal_sweep & a=$$!; \
	PSINET_DECIMAL_STRINGS=$(DECIMAL_LONG) PSINET_DECIMAL_SEED=2 \
	  ./$(REL)/tests/slow/test_decimal_sweep; b=$$?; wait $$a && [ $$b = 0 ]

# The layer check alone.
check-layers: $(foreach l,$(LAYERS),$(REL)/lib/lib$(l).a)
	@sh tests/check_layers.sh $(REL)/lib

clean:
	rm -rf build

format:
	clang-format -i $(foreach l,$(LAYERS),$(wildcard $(l)/*.c $(l)/*.h)) \
	  $(wildcard server/*.[ch] tests/*.[ch] tests/*/*.c) \
	  $(filter-out tests/ref/%,$(wildcard tests/*/*.h))

-include $(shell find build -name '*.d' 2>/dev/null)
