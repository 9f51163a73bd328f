# Hawker: `make run` serves the demo programme; `make test` runs every test.
SHELL := /bin/bash
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hawker?sslmode=disable
export HAWKER_ADDR ?= :8080
GO ?= go

.PHONY: run test soak build postgres chromium poppler bench-ledger bench-entries bench-import bench-page bench-pdf bench-scale clean

build:
	$(GO) build -o bin/hawker .

postgres:
	@scripts/ensure-postgres.sh

chromium:
	@scripts/ensure-chromium.sh

poppler:
	@scripts/ensure-poppler.sh

## run: provision PostgreSQL, build, migrate, load the demo when empty, serve on :8080
## DATABASE_URL is the owner (postgres): migrate creates the role hawker_app and grants it
## its rights; serve migrates, then works as hawker_app, which owns nothing (README, "Database roles").
## Only serve needs HAWKER_DEV=1 (for its generated cookie secret).
run: postgres build
	@./bin/hawker db create
	@./bin/hawker migrate
	@./bin/hawker seed --demo --if-empty
	@echo "Serving on http://localhost$(HAWKER_ADDR)"
	HAWKER_DEV=1 ./bin/hawker serve

## test: provision PostgreSQL, chromium and poppler-utils, then run every test with the race detector
test: postgres chromium poppler
	CI=$${CI:-} $(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

## soak: the stress suites' long run (issue 15): SOAK_KILLS SIGKILLs of the real binary under load,
## SOAK_OUTAGES stops of a private PostgreSQL under load, every hostile input on every route (SOAK_FUZZ);
## each suite logs its figures (requests sent, kills survived, inputs tried, anything lost)
SOAK_KILLS ?= 50
SOAK_OUTAGES ?= 10
soak: postgres chromium poppler
	SOAK_KILLS=$(SOAK_KILLS) SOAK_OUTAGES=$(SOAK_OUTAGES) SOAK_FUZZ=1 $(GO) test -count=1 -timeout 3h -v \
		-run '^(TestCrashLosesNothing|TestDatabaseOutage|TestBackupAndRestore)$$' .
	SOAK_FUZZ=1 $(GO) test -count=1 -timeout 3h -v \
		-run '^(TestFuzzEveryRoute|TestScriptLikeInputIsShownEscaped|TestForeignObjectsAndGuessedIDs|TestHostileInputIsRefused)$$' ./app/

bench-ledger: postgres
	$(GO) run ./bench/ledger

bench-entries: postgres build
	$(GO) run ./bench/entries

bench-import: postgres
	$(GO) run ./bench/import

## bench-page: the books page, the participant list and sign-in in Chromium on emulated Slow 3G and a 4× slower CPU
bench-page: postgres chromium
	$(GO) run ./bench/page

## bench-pdf: monthly statements per second (a 60-entry vendor-month, every core) beside Chromium printing the same statement,
## and the statements command's path for BULK vendors from a scratch database (BULK=0 skips it)
BULK ?= 1000
bench-pdf: postgres chromium
	$(GO) run ./bench/pdf -bulk $(BULK)

## bench-scale: issue 16's figures at VENDORS × MONTHS (seeded once by `hawker seed --scale` into SCALE_DB, default
## bench_scale_VENDORSxMONTHS, and reused by later runs): statement query month 1 vs last, a donor's impact report,
## the programme's trial balance, POST /api/v1/entries p99, every vendor's statements with peak RSS, size per vendor-year
VENDORS ?= 10000
MONTHS ?= 24
bench-scale: postgres
	$(GO) run ./bench/scale -vendors $(VENDORS) -months $(MONTHS)

clean:
	rm -rf bin
