#!/usr/bin/env bash
# Benchmark (not a test): time from a saved edit to the live-reload event and to the updated
# page being served, for `guidesmith serve` on the synthetic corpus at 1,000 and 10,000 guides.
#
#   scripts/bench-serve.sh                 # SIZES="1000 10000" RUNS=10
#   SIZES=1000 RUNS=5 DATA_DIR=/tmp/x scripts/bench-serve.sh
#   GUIDESMITH_BIN=path/to/guidesmith scripts/bench-serve.sh   # no cargo build
#
# scripts/bench runs this after its build timings, on the same corpus (unless --no-serve).
#
# Generates the corpus with scripts/gen_corpus.py (seed 42; GEN_CORPUS=path overrides it) into
# DATA_DIR (outside the repository), copies its guidesmith site to a scratch folder (the corpus
# is never edited), starts the release binary on 127.0.0.1 with a system-picked port, and runs
# scripts/bench-serve.py against it. Only the server it started is stopped (by its PID).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000"}
RUNS=${RUNS:-10}
DATA_DIR=${DATA_DIR:-/tmp/guidesmith-bench-serve}
GEN=${GEN_CORPUS:-${GEN:-scripts/gen_corpus.py}}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

if [ -n "${GUIDESMITH_BIN:-}" ]; then
  BIN="$GUIDESMITH_BIN"
else
  echo "== building the release binary"
  cargo build --release --quiet
  BIN="$TARGET_DIR/release/guidesmith"
fi

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), guidesmith $(git rev-parse --short HEAD)"

for n in $SIZES; do
  corpus="$DATA_DIR/n$n"
  if [ ! -f "$corpus/guides/site.toml" ]; then
    echo "== generating $n guides into $corpus"
    python3 "$GEN" --n "$n" --out "$corpus" --seed 42 --layouts guides --force >/dev/null
  fi
  scratch=$(mktemp -d)
  cp -r "$corpus/guides" "$scratch/site"
  # The generated corpus repeats a few step and checklist texts within a guide, which
  # guidesmith rejects (duplicate ids made from the text): make those texts unique in the
  # scratch copy, at the file:line guidesmith names.
  for _ in 1 2 3; do
    "$BIN" check --root "$scratch/site" >/dev/null 2>"$scratch/check.err" && break
    fixed=$(python3 - "$scratch/site" "$scratch/check.err" <<'PY'
import re, sys
root, errors = sys.argv[1], open(sys.argv[2]).read()
spots = re.findall(r"^(guides/[^:]+\.md):(\d+):\d+: error: duplicate id", errors, re.M)
for n, (file, line) in enumerate(spots):
    path = f"{root}/{file}"
    lines = open(path, encoding="utf-8").read().split("\n")
    i = int(line) - 1
    cut = lines[i].rfind('"')
    lines[i] = lines[i][:cut] + f" (again {n})" + lines[i][cut:] if cut > 0 else lines[i] + f" again {n}"
    open(path, "w", encoding="utf-8").write("\n".join(lines))
print(len(spots))
PY
)
    echo "   made $fixed repeated step/checklist texts unique (guidesmith rejects duplicate ids)"
  done
  slug=$(ls "$scratch/site/guides" | sed -n "$((n / 2))p" | sed 's/\.md$//')
  out="$scratch/serve.out"
  "$BIN" serve --root "$scratch/site" --port 0 >"$out" 2>"$scratch/serve.err" &
  pid=$!
  for _ in $(seq 1 600); do grep -q '^Serving ' "$out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/^Serving .* at \(http:[^ ]*\)$/\1/p' "$out")
  if [ -z "$url" ] || ! grep -q '^Built ' "$out"; then
    echo "serve did not start or its first build failed:"; head -20 "$scratch/serve.err"; kill "$pid"; exit 1
  fi
  echo "== N=$n ($(ls "$scratch/site/guides" | wc -l) guides served): $(head -1 "$out"); editing guides/$slug.md, $RUNS runs"
  python3 scripts/bench-serve.py --url "$url" --site "$scratch/site" --slug "$slug" --runs "$RUNS" \
    --json "$DATA_DIR/serve-n$n.json" || true
  echo "   server-side rebuild times (ms):" \
    $(sed -n 's/^Rebuilt in \([0-9]*\) ms.*/\1/p' "$out" | sort -n | tr '\n' ' ')
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$scratch"
done
