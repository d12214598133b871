# Chuandao: `make report` builds and runs the main job on the bundled sample dataset;
# `make test` runs the whole test suite. Both install what they need on a fresh Debian.

SWIFT ?= swift
SAMPLE ?= datasets/sample
LANG_OPT ?= zh
# Every analysis built so far, in the order a reader meets them.
ANALYSES = validate summary attenuation imbalance coordination closure trend assess
SUDO := $(shell if [ "$$(id -u)" != 0 ]; then echo sudo; fi)

.PHONY: all deps test-deps build release report notebooks test benchmarks format clean

all: build

# OpenBLAS and LAPACK (Debian's libopenblas-dev), zlib (zlib1g-dev, for reading workbooks)
# and pkg-config, installed when missing.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists openblas || ! pkg-config --exists zlib; then \
	  echo "Installing libopenblas-dev, zlib1g-dev and pkg-config ..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libopenblas-dev zlib1g-dev pkg-config >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product chuandao

# The main job on the sample dataset: every analysis built so far, then the full report
# (Markdown, HTML, SVG charts and results.json) in $(REPORT_DIR); prints where it is.
REPORT_DIR ?= report
report: release
	@for c in $(ANALYSES); do \
	  echo "== chuandao $$c $(SAMPLE)"; \
	  .build/release/chuandao $$c $(SAMPLE) --lang $(LANG_OPT) || exit $$?; \
	  echo; \
	done
	@echo "== chuandao report $(SAMPLE) --out $(REPORT_DIR)"
	@html=$$(.build/release/chuandao report $(SAMPLE) --out $(REPORT_DIR) --lang $(LANG_OPT)) || exit $$?; \
	  echo "The report: $$html"

# Re-runs every notebook in notebooks-md/ (and notebooks-md/en/) and copies each one's
# outputs back beside it: the one command that refreshes them after an intended change
# (the tests run each with --check). Review `git diff notebooks-md` before committing.
# NOTEBOOK_BIN names another build of chuandao to run them with (no build then).
NOTEBOOKS = $(sort $(filter-out %/README.md,$(wildcard notebooks-md/*.md notebooks-md/en/*.md)))
NOTEBOOK_BIN ?=
notebooks:
	@if [ -z "$(NOTEBOOK_BIN)" ]; then $(MAKE) --no-print-directory build >/dev/null || exit $$?; fi
	@bin=$(or $(NOTEBOOK_BIN),.build/debug/chuandao); \
	tmp=$$(mktemp -d) && for nb in $(NOTEBOOKS); do \
	  dir=$$(dirname $$nb); stem=$$(basename $$nb .md); out=$$tmp/$$(echo $$dir | tr / _)_$$stem; \
	  mkdir -p $$out && $$bin notebook run $$nb --out $$out >/dev/null || exit $$?; \
	  cp $$out/$$stem.md $$nb && rm -rf $$dir/$${stem}_files && \
	  if [ -d $$out/$${stem}_files ]; then cp -r $$out/$${stem}_files $$dir/; fi; \
	  echo "updated $$nb"; \
	done; rm -rf $$tmp

# What the report's browser test needs: headless Chromium and a CJK font.
test-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then \
	  echo "Installing chromium and fonts-noto-cjk ..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

test: deps test-deps
	$(SWIFT) test

benchmarks: deps
	cd Benchmarks && $(SWIFT) package benchmark

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
