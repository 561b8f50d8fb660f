#!/usr/bin/env bash
# Model benchmark: daihou's scorecard and self-tuned gbdt beside
# scikit-learn and xgboost on the corpus of bench/corpus, identical splits,
# one table. Needs Debian's python3-sklearn, python3-xgboost and
# python3-pandas (installed if missing and running as root).
#
#   bench/models.sh              # the corpus with Taiwan from ../shared/data
#   TAIWAN= bench/models.sh      # without Taiwan
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
if ! $PY -c 'import sklearn, xgboost, pandas' 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-sklearn python3-xgboost python3-pandas >/dev/null
fi
DIR=${BENCH_DIR:-$(mktemp -d)}
TAIWAN=${TAIWAN-../shared/data/taiwan-credit-default.csv}
go build -o "$DIR/daihou" ./cmd/daihou
go run ./bench/mkcorpus -out "$DIR/corpus" -taiwan "$TAIWAN"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(go version | cut -d' ' -f3); scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)'), xgboost $($PY -c 'import xgboost; print(xgboost.__version__)')"
echo
$PY bench/models.py "$DIR/daihou" "$DIR/corpus"
