#!/bin/sh
# Installs what softoff needs (as root) and builds both programs. The Dockerfile and .ci/run
# both call this, so the container build is exercised by every CI run.
# Usage: scripts/build.sh [deps-set]   (deps-set: build, test, bench, all; default test:
# everything to build, test and run VMs)
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh "${1:-test}"
make all
