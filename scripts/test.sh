#!/usr/bin/env bash
# Runs every check and test of guidesmith on a fresh machine: installs what the tests need
# (Debian's chromium + chromium-driver for the widget tests, axe-core and the Nu HTML Checker
# (vnu-jar, run with Debian's default-jre-headless) from npm, moto's S3
# server from PyPI for the publish --to s3 tests), then
# formatting, clippy and `cargo test`. Safe to run again: installs are skipped when present.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "== installing chromium and chromium-driver (Debian packages)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! command -v java >/dev/null 2>&1; then
  echo "== installing a Java runtime (Debian default-jre-headless) for the Nu HTML Checker"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq default-jre-headless >/dev/null
fi
if ! command -v moto_server >/dev/null 2>&1; then
  echo "== installing moto's S3 server (PyPI moto[server]) for the publish --to s3 tests"
  python3 -m pip install --quiet 'moto[server]>=5,<6'
  command -v pyenv >/dev/null 2>&1 && pyenv rehash
  PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
  export PATH
  hash -r
  command -v moto_server >/dev/null 2>&1 || { echo "moto_server is not on PATH after pip install" >&2; exit 1; }
fi
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ] || [ ! -f tests/browser/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "== installing axe-core and vnu-jar (npm)"
  (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund --silent)
fi

# Browser and S3 tests must run here, not skip.
export GUIDESMITH_REQUIRE_BROWSER=1
export GUIDESMITH_REQUIRE_S3=1

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test
