#!/usr/bin/env python3
# Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
"""Reduce one column of a CSV file, as py-ard users do with pandas, without
pandas: the typings go to haplomatch in one call (one C++ call for the whole
column, the GIL released), and each row gets the reduced typing, or the
error, in new columns; nothing is dropped.

    python3 examples/python/reduce_column.py data.csv --column HLA-A \\
        --level lgx > reduced.csv

With the package installed (README, "Python"), or from a build tree with
PYTHONPATH=build/release/python.
"""

import argparse
import csv
import sys

import haplomatch


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("csv", help="the input CSV file")
    p.add_argument("--column", required=True, help="the column of typings")
    p.add_argument("--level", default="lgx",
                   help="G, P, lg, lgx (default), exon, W, U2, S or 1F")
    p.add_argument("--imgt", default="", help="IPD-IMGT/HLA release (default: shipped)")
    args = p.parse_args()

    with open(args.csv, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or args.column not in reader.fieldnames:
            print(f"error: {args.csv} has no column '{args.column}'", file=sys.stderr)
            return 2
        rows = list(reader)
        fields = list(reader.fieldnames)

    ref = haplomatch.Reference(args.imgt)
    results = ref.reduce_many((r[args.column] for r in rows), args.level)

    out_col, err_col = f"{args.column}_{args.level}", f"{args.column}_error"
    writer = csv.DictWriter(sys.stdout, fieldnames=fields + [out_col, err_col],
                            lineterminator="\n")
    writer.writeheader()
    failed = 0
    for row, res in zip(rows, results):
        row[out_col] = res.get("reduced", "")
        row[err_col] = res.get("error", "")
        failed += "error" in res
        writer.writerow(row)
    if failed:
        print(f"{failed} of {len(rows)} typings could not be reduced (see {err_col})",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
