"""Runs py-ecomplexity (PyPI `ecomplexity`) on a gvc trade CSV and times it.

    python benches/py_ecomplexity.py INPUT.csv OUTPUT.csv [THRESHOLD]

Used by benches/complexity_vs_py.sh and to make reference numbers for tests; the tests
themselves never run Python.
"""
import sys
import time

import pandas as pd
from ecomplexity import ecomplexity

source, target = sys.argv[1], sys.argv[2]
threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
data = pd.read_csv(source, dtype={"location": str, "product": str})
cols = {"time": "year", "loc": "location", "prod": "product", "val": "export_value"}
start = time.perf_counter()
out = ecomplexity(data, cols, rca_mcp_threshold=threshold)
seconds = time.perf_counter() - start
out.to_csv(target, index=False, float_format="%.17g")
print(f"py-ecomplexity: {seconds:.2f} s", file=sys.stderr)
