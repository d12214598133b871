# Chuandao: `make report` builds and runs the main job on the bundled sample dataset;
# `make test` runs the whole test suite. Both install what they need on a fresh Debian.

SWIFT ?= swift
SAMPLE ?= datasets/sample
LANG_OPT ?= zh
# Every analysis built so far, in the order a reader meets them.
ANALYSES = validate summary attenuation imbalance coordination closure trend assess
SUDO := $(shell if [ "$$(id -u)" != 0 ]; then echo sudo; fi)

.PHONY: all deps test-deps build release report test benchmarks format clean

all: build

# OpenBLAS and LAPACK (Debian's libopenblas-dev) and pkg-config, installed when missing.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists openblas; then \
	  echo "Installing libopenblas-dev and pkg-config ..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libopenblas-dev pkg-config >/dev/null; \
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
