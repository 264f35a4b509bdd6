# podflow: podflowd (conntrack collector), policygen (NetworkPolicy CLI) and
# the SQLite store they share.
#
#   make            build build/podflowd and build/policygen
#   make deps       install the Debian packages for build, tests and demo
#   make check-unit unit tests (cmocka), no root needed
#   make test       deps, then every test, then again under ASan+UBSan (root)
#   make install    PREFIX=/usr/local DESTDIR=

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
# sql/pg/roles.sql, for the cluster store's owner to run.
DATADIR   ?= $(PREFIX)/share/podflow
# systemd reads units and sysusers.d files under /usr/local/lib as well as
# /usr/lib (systemd.unit(5), sysusers.d(5)).  For another PREFIX, use
# UNITDIR=/etc/systemd/system SYSUSERSDIR=/etc/sysusers.d.
UNITDIR   ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCTLDIR ?= $(PREFIX)/lib/sysctl.d
MODULESLOADDIR ?= $(PREFIX)/lib/modules-load.d
DESTDIR   ?=
BUILD     ?= build
PKG_CONFIG ?= pkg-config

# Debian packages: libraries, the tools the tests drive, and sqlite3 for
# the reader tests and ad-hoc queries; clang and its libFuzzer for the
# fuzzers.  systemd (systemd-analyze), procps
# (/bin/kill, the units' ExecReload) and groff-base check the units and
# man pages.
DEB_PACKAGES = build-essential pkg-config libnetfilter-conntrack-dev \
	libmnl-dev libsqlite3-dev sqlite3 libyaml-dev libcmocka-dev \
	nftables iproute2 conntrack time python3 python3-yaml \
	systemd procps groff-base clang libfuzzer-14-dev \
	libpq-dev postgresql

PKGS      = libmnl sqlite3 yaml-0.1
# The cluster store's client, for policygen alone: podflowd talks to no
# network (its unit forbids IP sockets) and does not link it.
CLUSTER_PKGS = libpq
# The unit tests build conntrack messages with libnetfilter_conntrack's
# encoder; the programs read them with libmnl alone.
TEST_PKGS = libnetfilter_conntrack cmocka
WARNINGS  = -Wall -Wextra -Wshadow -Wstrict-prototypes \
	    -Wmissing-prototypes -Werror
CFLAGS   ?= -O2 -g
# Extra flags for the sanitizer build, e.g. -fsanitize=address,undefined.
SANITIZE ?=

# Evaluated only when a recipe needs them, so that `make deps` works on a
# machine without pkg-config.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) $(CLUSTER_PKGS) $(TEST_PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS))
CLUSTER_LIBS = $(shell $(PKG_CONFIG) --libs $(CLUSTER_PKGS))
ALL_CFLAGS = -std=gnu11 $(CFLAGS) $(WARNINGS) $(SANITIZE) -MMD -MP \
	     $(EXTRA_CFLAGS) -Iinclude -Itests -I$(BUILD)/gen -DPODFLOW_VERSION='"$(VERSION)"' \
	     $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANITIZE)

# Embedded into the binaries by sql/embed.sh: the schema migrations
# (sql/migrations/NNN_name.sql), the views made after them (sql/views.sql)
# and the queries, one folder per module that runs them
# (sql/queries/MODULE/NAME.sql).  sql/schema.sql is made from the
# migrations and the views by `make schema`, never embedded.
SQL_FILES = $(sort $(wildcard sql/migrations/*.sql sql/queries/*/*.sql sql/pg/migrations/*.sql sql/pg/queries/*.sql)) sql/views.sql sql/pg/views.sql

# One folder per part, each built into an archive; a program or a test
# links the parts it uses, in the order of the one-way flow: lib (what
# all share), the store, the NetworkPolicy library, the collector, the
# policygen commands and engines.
LIB_SRC       = $(wildcard lib/*.c)
STORE_SRC     = $(wildcard store/*.c)
NETPOL_SRC    = $(wildcard netpol/*.c)
COLLECTOR_SRC = $(filter-out collector/podflowd.c,$(wildcard collector/*.c))
POLICYGEN_SRC = $(filter-out policygen/policygen.c,$(wildcard policygen/*.c))
SUPPORT_SRC   = $(wildcard tests/support/*.c)

OBJ = $(BUILD)/obj
objs = $(1:%.c=$(OBJ)/%.o)
LIB_A       = $(BUILD)/lib/libpodflow.a
STORE_A     = $(BUILD)/lib/libstore.a
NETPOL_A    = $(BUILD)/lib/libnetpol.a
COLLECTOR_A = $(BUILD)/lib/libcollector.a
POLICYGEN_A = $(BUILD)/lib/libpolicygen.a
SUPPORT_A   = $(BUILD)/lib/libtestsupport.a

UNIT_TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))

# What each unit test links: the module it tests and what that needs.
TEST_DEPS_addr        = $(SUPPORT_A) $(LIB_A)
TEST_DEPS_kyaml       = $(SUPPORT_A) $(LIB_A)
TEST_DEPS_kname       = $(LIB_A)
TEST_DEPS_netpol      = $(SUPPORT_A) $(NETPOL_A) $(LIB_A)
TEST_DEPS_verdict     = $(SUPPORT_A) $(NETPOL_A) $(LIB_A)
TEST_DEPS_store       = $(SUPPORT_A) $(STORE_A) $(LIB_A)
TEST_DEPS_attribution = $(SUPPORT_A) $(STORE_A) $(LIB_A)
TEST_DEPS_resolve     = $(SUPPORT_A) $(STORE_A) $(LIB_A)
TEST_DEPS_resolve_week = $(SUPPORT_A) $(STORE_A) $(LIB_A)
TEST_DEPS_store_read  = $(SUPPORT_A) $(STORE_A) $(LIB_A)
TEST_DEPS_config      = $(SUPPORT_A) $(COLLECTOR_A) $(LIB_A)
TEST_DEPS_conntab     = $(SUPPORT_A) $(COLLECTOR_A) $(LIB_A)
TEST_DEPS_flowtab     = $(SUPPORT_A) $(COLLECTOR_A) $(LIB_A)
TEST_DEPS_ctflow      = $(SUPPORT_A) $(COLLECTOR_A) $(LIB_A)
TEST_DEPS_ctsub       = $(SUPPORT_A) $(COLLECTOR_A) $(LIB_A)
TEST_DEPS_collector   = $(SUPPORT_A) $(COLLECTOR_A) $(STORE_A) $(LIB_A)
TEST_DEPS_timer       = $(COLLECTOR_A)
TEST_DEPS_review      = $(SUPPORT_A) $(POLICYGEN_A) $(NETPOL_A) $(STORE_A) $(LIB_A)
TEST_DEPS_replay      = $(SUPPORT_A) $(POLICYGEN_A) $(NETPOL_A) $(STORE_A) $(LIB_A)
TEST_DEPS_generate    = $(SUPPORT_A) $(POLICYGEN_A) $(NETPOL_A) $(STORE_A) $(LIB_A)
TEST_DEPS_cli         = $(SUPPORT_A) $(POLICYGEN_A) $(NETPOL_A) $(STORE_A) $(LIB_A)

TOOLS = $(BUILD)/tests/pftraffic $(BUILD)/tests/pfmkdb $(BUILD)/tests/pfforge

.SECONDARY:
.SECONDEXPANSION:
.PHONY: all deps test check check-unit check-cli check-live check-demo demo install \
	clean bench fuzz fuzzers
all: $(BUILD)/podflowd $(BUILD)/policygen

$(BUILD)/gen/sql.h $(BUILD)/gen/sql.c &: $(SQL_FILES) sql/embed.sh
	@mkdir -p $(BUILD)/gen
	sh sql/embed.sh $(BUILD)/gen $(SQL_FILES)

$(OBJ)/gen/sql.o: $(BUILD)/gen/sql.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Rewrites sql/schema.sql, today's schema, by applying the migrations to a
# new database with the sqlite3 CLI (no build needed); tests/cli/
# sql_schema.sh fails when the file is out of date.
.PHONY: schema
schema:
	sh sql/schema.sh sql/schema.sql

# Saves a database of today's schema as tests/fixtures/db/vN.db: the
# tests migrate from every older version's, so each release's is kept.
# Run it before adding migration N+1 (small pages keep the file small).
DB_FIXTURE = tests/fixtures/db/v$(words $(wildcard sql/migrations/*.sql)).db
.PHONY: db-fixture
db-fixture:
	rm -f $(DB_FIXTURE).tmp
	sh sql/schema.sh --new-db $(DB_FIXTURE).tmp
	sqlite3 -init /dev/null $(DB_FIXTURE).tmp "PRAGMA page_size=512; VACUUM"
	mv $(DB_FIXTURE).tmp $(DB_FIXTURE)

$(OBJ)/%.o: %.c | $(BUILD)/gen/sql.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Tests reach a folder's private headers by its name ("collector/ctflow.h").
$(OBJ)/tests/%.o: EXTRA_CFLAGS = -I.

$(LIB_A): $(call objs,$(LIB_SRC))
$(STORE_A): $(call objs,$(STORE_SRC)) $(OBJ)/gen/sql.o
$(NETPOL_A): $(call objs,$(NETPOL_SRC))
$(COLLECTOR_A): $(call objs,$(COLLECTOR_SRC))
$(POLICYGEN_A): $(call objs,$(POLICYGEN_SRC))
$(SUPPORT_A): $(call objs,$(SUPPORT_SRC))
$(BUILD)/lib/%.a:
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/podflowd: $(OBJ)/collector/podflowd.o $(COLLECTOR_A) $(STORE_A) \
		$(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/policygen: $(OBJ)/policygen/policygen.o $(POLICYGEN_A) $(NETPOL_A) \
		$(STORE_A) $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CLUSTER_LIBS)

$(BUILD)/tests/test_%: $(OBJ)/tests/test_%.o $$(TEST_DEPS_$$*)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CLUSTER_LIBS) \
		$$($(PKG_CONFIG) --libs $(TEST_PKGS))

$(BUILD)/tests/pftraffic: tests/tools/pftraffic.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(CFLAGS) $(WARNINGS) -o $@ $<

$(BUILD)/tests/pfmkdb: $(OBJ)/tests/tools/pfmkdb.o $(STORE_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/pfforge: $(OBJ)/tests/tools/pfforge.o $(SUPPORT_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) \
		$$($(PKG_CONFIG) --libs $(TEST_PKGS))

$(BUILD)/bench/pffill: $(OBJ)/bench/pffill.o $(STORE_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/bench/bare_recv: bench/bare_recv.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(CFLAGS) $(WARNINGS) -o $@ $< -lmnl

# libFuzzer harnesses, one per parser (tests/fuzz/fuzz_*.c), built with
# clang and the sanitizers into build/fuzz; `make fuzz FUZZ_SECONDS=N`
# runs each for N seconds from its seed corpus, tests/fuzz/corpus/NAME.
FUZZ_SECONDS ?= 60
FUZZERS = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz:
	$(MAKE) BUILD=build/fuzz CC=clang CFLAGS='-O1 -g -fno-omit-frame-pointer' \
		SANITIZE='-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link' \
		fuzzers
	sh tests/fuzz/run.sh build/fuzz/fuzz $(FUZZ_SECONDS) $(FUZZERS)

fuzzers: $(FUZZERS:%=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/fuzz_%: $(OBJ)/tests/fuzz/fuzz_%.o $(POLICYGEN_A) $(NETPOL_A) \
		$(COLLECTOR_A) $(STORE_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

# Prints ingest figures; see bench/results.md.  Root.
bench: all $(TOOLS) $(BUILD)/bench/bare_recv $(BUILD)/bench/pffill
	PODFLOW_BUILD=$(BUILD) bash bench/ingest.sh $(BENCH_ARGS)
	PODFLOW_BUILD=$(BUILD) bash bench/import.sh
	PODFLOW_BUILD=$(BUILD) bash bench/generate.sh
	PODFLOW_BUILD=$(BUILD) bash bench/ship.sh

# Installs whatever is missing; a no-op (no apt-get at all) otherwise.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$(echo $$missing | sed 's/^/ /')"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q && \
		apt-get install -y -q --no-install-recommends $$missing; \
	else \
		echo "make deps: all packages installed"; \
	fi

check-unit: $(UNIT_TESTS)
	sh tests/run-unit.sh $(UNIT_TESTS)

check-cli: all $(TOOLS)
	PODFLOW_BUILD=$(BUILD) sh tests/run-shell.sh tests/cli/*.sh

# LONG=1: the live cases that fill the kernel's conntrack table too.
check-live: all $(TOOLS)
	PODFLOW_BUILD=$(BUILD) PODFLOW_LONG=$(LONG) \
		sh tests/run-shell.sh $(wildcard tests/live/*.sh)

# The log4shell demo end to end in network namespaces (root): a cluster,
# podflowd learning its traffic, policies generated and checked.
demo: deps
	$(MAKE) all $(TOOLS)
	PODFLOW_BUILD=$(BUILD) bash demo/run.sh $(DEMO_ARGS)

check-demo: all $(TOOLS)
	PODFLOW_BUILD=$(BUILD) DEMO_QUIET=1 sh tests/run-shell.sh demo/run.sh

check: check-unit check-cli check-live check-demo

# The whole suite (the long live cases once), then the whole suite again
# under the sanitizers.
test: deps
	$(MAKE) check LONG=1
	$(MAKE) fuzz FUZZ_SECONDS=5
	$(MAKE) BUILD=build/asan CFLAGS='-O1 -g -fno-omit-frame-pointer' \
		SANITIZE='-fsanitize=address,undefined -fno-sanitize-recover=all' \
		check

UNITS    = systemd/podflowd.service systemd/podflow-inventory.service \
	   systemd/podflow-inventory.timer \
	   systemd/podflow-inventory-watch.service systemd/podflow-ship.service
MANPAGES = man/podflowd.8 man/policygen.1
# The units name /usr/sbin/podflowd, /usr/bin/policygen and /etc/podflow,
# as a package installs them; installed here, they name where these go.
UNIT_PATHS = sed -e 's|/usr/sbin/podflowd|$(SBINDIR)/podflowd|g' \
	-e 's|/usr/bin/policygen|$(BINDIR)/policygen|g' \
	-e 's|/etc/podflow/|$(SYSCONFDIR)/podflow/|g'

# Into DESTDIR, only files.  Into the running system (no DESTDIR), also
# the podflow user and systemd's reload, as a package's scripts would.
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(BUILD)/podflowd $(DESTDIR)$(SBINDIR)/podflowd
	install -m 0755 $(BUILD)/policygen $(DESTDIR)$(BINDIR)/policygen
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	for u in $(UNITS); do \
		$(UNIT_PATHS) $$u >$(DESTDIR)$(UNITDIR)/$${u#systemd/} && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u#systemd/} || exit 1; \
	done
	install -m 0644 systemd/podflow.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/podflow.conf
	install -d $(DESTDIR)$(SYSCTLDIR) $(DESTDIR)$(MODULESLOADDIR)
	install -m 0644 systemd/podflowd.sysctl \
		$(DESTDIR)$(SYSCTLDIR)/50-podflowd.conf
	install -m 0644 systemd/podflowd.modules \
		$(DESTDIR)$(MODULESLOADDIR)/podflowd.conf
	for m in $(MANPAGES); do \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; \
	done
	install -d $(DESTDIR)$(DATADIR)
	install -m 0644 sql/pg/roles.sql $(DESTDIR)$(DATADIR)/roles.sql
	install -d $(DESTDIR)$(SYSCONFDIR)/podflow
	# An operator's configuration is never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/podflow/podflowd.yaml ] || \
		install -m 0644 collector/podflowd.yaml \
			$(DESTDIR)$(SYSCONFDIR)/podflow/podflowd.yaml
	[ -e $(DESTDIR)$(SYSCONFDIR)/podflow/inventory.env ] || \
		install -m 0644 systemd/inventory.env \
			$(DESTDIR)$(SYSCONFDIR)/podflow/inventory.env
	[ -e $(DESTDIR)$(SYSCONFDIR)/podflow/ship.env ] || \
		install -m 0644 systemd/ship.env \
			$(DESTDIR)$(SYSCONFDIR)/podflow/ship.env
	@if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null; then \
			systemd-sysusers $(SYSUSERSDIR)/podflow.conf; fi; \
		if [ -d /run/systemd/system ]; then \
			systemctl daemon-reload; fi; \
	fi

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
