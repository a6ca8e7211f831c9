#!/usr/bin/env bash
# gvc complexity and py-ecomplexity side by side on the same generated panel.
#
#   benches/complexity_vs_py.sh [COUNTRIES PRODUCTS YEARS]     (default 230 1240 20)
#
# Needs Python 3 with `pip install ecomplexity` (in a virtual environment of your choice:
# set PYTHON=/path/to/python). gvc's time is its own computation from the parsed CSV (the
# `compute` line), py-ecomplexity's the `ecomplexity()` call from a loaded DataFrame: neither
# counts reading or writing files.
set -euo pipefail
cd "$(dirname "$0")/.."
countries=${1:-230}; products=${2:-1240}; years=${3:-20}
python=${PYTHON:-python3}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
cargo build --release --quiet --example trade_panel --example complexity_timing
target/release/examples/trade_panel "$countries" "$products" "$years" > "$dir/panel.csv"
echo "panel: $countries countries × $products products × $years years, $(wc -l < "$dir/panel.csv") rows"
echo "gvc:"
target/release/examples/complexity_timing "$dir/panel.csv"
echo "py-ecomplexity:"
"$python" benches/py_ecomplexity.py "$dir/panel.csv" "$dir/py.csv" 2>&1 | grep '^py-ecomplexity'
