# Parley — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
GO_MODULES := pkg services/gateway services/identity services/tenant services/conversation services/billing services/notify services/allinone
SERVICES := gateway identity tenant conversation billing notify
FRONTENDS := frontend/widget frontend/dashboard

.PHONY: run build frontend test test-go test-fuzz test-frontend test-browser lint bench clean FORCE

## run: build and start all of Parley in one process (data in ./data, http://localhost:8080)
run: bin/parley
	./bin/parley

# The gateway embeds the built widget and dashboard, so they are built first.
bin/parley: frontend FORCE
	go build -o bin/parley ./services/allinone/cmd/parley

## build: the all-in-one binary and one binary per service, in bin/
build: bin/parley
	@for s in $(SERVICES); do go build -o bin/$$s ./services/$$s/cmd/$$s || exit 1; done

## frontend: install the front ends' packages (when their lock files change) and build them
frontend: $(addsuffix /node_modules/.installed,$(FRONTENDS))
	cd frontend/widget && npm run build
	cd frontend/dashboard && npm run build

%/node_modules/.installed: %/package-lock.json
	cd $* && npm ci --no-audit --no-fund
	touch $@

## test: everything — lint, Go with -race (SQLite and, when reachable, PostgreSQL),
## front-end unit tests and size budgets, and the browser journeys in Chromium
test: lint frontend test-go test-fuzz test-frontend test-browser

test-go:
	go test -race -count=1 -timeout 20m work

## test-fuzz: every native Go fuzz target (func Fuzz… in any module), each for FUZZTIME
## after its committed seeds in testdata/fuzz/; e.g. `make test-fuzz FUZZTIME=10m` to hunt.
## The default is a count of inputs, not a duration: Go 1.26's fuzz coordinator can report
## "context deadline exceeded" when a duration ends on a loaded machine (go.dev/issue/75804).
FUZZTIME ?= 10000x
test-fuzz:
	@targets=$$(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+' $(GO_MODULES) | sed 's/:func /:/' | sort); \
	if [ -z "$$targets" ]; then echo "no fuzz targets found"; exit 1; fi; \
	for t in $$targets; do \
		file=$${t%%:*}; name=$${t##*:}; dir=./$$(dirname $$file); \
		echo "== $$name in $$dir for $(FUZZTIME)"; \
		go test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$dir || { echo "fuzz target $$name failed"; exit 1; }; \
	done

test-frontend:
	cd frontend/widget && npm run typecheck && npm test && npm run size
	cd frontend/dashboard && npm run typecheck && npm test

test-browser: bin/parley
	cd frontend/widget && PARLEY_E2E_BIN=$(CURDIR)/bin/parley npm run test:e2e
	cd frontend/dashboard && PARLEY_E2E_BIN=$(CURDIR)/bin/parley npm run test:e2e

## lint: formatting, vet, and each module building on its own (GOWORK=off)
lint:
	@out=$$(gofmt -l $(GO_MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet work
	@for m in $(GO_MODULES); do (cd $$m && GOWORK=off go build ./... && GOWORK=off go mod tidy -diff >/dev/null) || { echo "module $$m does not build alone or its go.mod is untidy"; exit 1; }; done

## bench: the message path standalone and distributed against its parts' ceilings, then the other phases (docs/benchmarks.md)
bench: build
	go build -o bin/parley-bench ./services/allinone/cmd/parley-bench
	./bin/parley-bench -bin bin/parley -services bin

clean:
	rm -rf bin data $(addsuffix /node_modules,$(FRONTENDS))

FORCE:
