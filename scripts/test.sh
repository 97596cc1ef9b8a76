#!/usr/bin/env bash
# Runs every check and test of guidesmith on a fresh machine: installs what the tests need
# (Debian's chromium + chromium-driver for the widget tests, axe-core from npm), then
# formatting, clippy and `cargo test`. Safe to run again: installs are skipped when present.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "== installing chromium and chromium-driver (Debian packages)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  echo "== installing axe-core (npm)"
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi

# Browser tests must run here, not skip.
export GUIDESMITH_REQUIRE_BROWSER=1

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test
