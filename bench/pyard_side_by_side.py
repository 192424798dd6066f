#!/usr/bin/env python3
# Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#
# Side-by-side benchmark: NMDP py-ard's ard.redux() against `haplomatch reduce`
# on the same GL Strings, the same IPD-IMGT/HLA release and the same MAC table,
# with no network access.
#
# py-ard (LGPL-3.0) is never vendored: the user names a local checkout with
# --pyard, and this script only imports and runs it. Python 3.11, stdlib only.
#
#   python3 bench/pyard_side_by_side.py --pyard ~/src/py-ard
#   python3 bench/pyard_side_by_side.py --pyard ~/src/py-ard --repeat 1 \
#       --pyard-lines 20000 --work /tmp/pyard-work
#
# How py-ard is kept offline (py-ard 2.3.1; see the functions named below):
#   * IPD-IMGT/HLA files: py-ard reads every file with urllib from
#     $IMGT_HLA_URL (read once, when `pyard.loader` is imported). We set it to
#     a file:// tree in --work made of symlinks to the unmodified files of
#     --imgt-dir: {v}/wmda/hla_nom_g.txt, hla_nom_p.txt, rel_dna_ser.txt,
#     rel_ser_ser.txt and Latest/allelelist/Allelelist.{v}.txt (v = 3580).
#   * Release check: for a numbered release py-ard asks the GitHub API for the
#     list of IMGT branches unless its database file {work}/pyard-{v}.sqlite3
#     already exists, so we create that file empty (SQLite treats an empty file
#     as an empty database) and py-ard fills it from the file:// tree.
#   * MAC codes: py-ard downloads NMDP's numer.v3.zip from a fixed https URL.
#     We build that zip in --work from the same alpha.v3.txt haplomatch loads
#     (the `*` column dropped, numer.v3's three header lines kept) and install
#     a urllib opener that answers that one URL from the zip and refuses every
#     other http(s) request, so nothing can reach the network.
#   * The database is built on the first run in a --work directory and reused
#     by later runs with the same --work. py-ard 2.3.1 keeps the valid-allele
#     names as a list (not a set) in the process that builds its database
#     (generate_alleles_and_xx_codes_and_who), which makes XX and serology
#     reductions many times slower in that process only. So after a build we
#     initialise py-ard a second time, from its database, as every later
#     py-ard run does, and time that instance.
#
# Timing: py-ard is timed over a Python loop of ard.redux(gl, level) calls
# (initialisation excluded, reported separately); haplomatch is timed as the
# whole `haplomatch reduce` process reading the lines on standard input.

import argparse
import contextlib
import csv
import email.message
import io
import os
import pathlib
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import urllib.response
import zipfile

REPO = pathlib.Path(__file__).resolve().parent.parent

# haplomatch level -> py-ard redux_type.
LEVELS = {
    "lgx": "lgx",
    "lg": "lg",
    "G": "G",
    "P": "P",
    "exon": "exon",
    "W": "W",
    "U2": "U2",
    "S": "S",
    "1F": "1F",
}

# The one URL py-ard 2.3.1 fetches MAC codes from (pyard/loader/mac_codes.py).
PYARD_MAC_URL = "https://hml.nmdp.org/mac/files/numer.v3.zip"

# IMGT files py-ard 2.3.1 reads, relative to $IMGT_HLA_URL, and their source
# in an IMGT release directory. {v} is the release without dots (3580).
IMGT_LAYOUT = [
    ("{v}/wmda/hla_nom_g.txt", "wmda/hla_nom_g.txt"),
    ("{v}/wmda/hla_nom_p.txt", "wmda/hla_nom_p.txt"),
    ("{v}/wmda/rel_dna_ser.txt", "wmda/rel_dna_ser.txt"),
    ("{v}/wmda/rel_ser_ser.txt", "wmda/rel_ser_ser.txt"),
    ("Latest/allelelist/Allelelist.{v}.txt", "Allelelist.txt"),
    ("Latest/release_version.txt", "release_version.txt"),
]


def die(msg: str) -> None:
    print(f"pyard_side_by_side: {msg}", file=sys.stderr)
    sys.exit(1)


def release_of(imgt_dir: pathlib.Path) -> str:
    """'3580' from the '# version: IPD-IMGT/HLA 3.58.0' line of the release."""
    for name in ("release_version.txt", "Allelelist.txt"):
        path = imgt_dir / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as f:
            for _, line in zip(range(20), f):
                m = re.search(r"version:\s*IPD-IMGT/HLA\s+(\d+)\.(\d+)\.(\d+)", line)
                if m:
                    return f"{m[1]}{m[2]}{m[3]}"
    die(f"{imgt_dir}: no '# version: IPD-IMGT/HLA x.y.z' line found")
    return ""


def lay_out_imgt(imgt_dir: pathlib.Path, root: pathlib.Path, version: str) -> str:
    """Symlinks py-ard's expected URL paths to the release's files."""
    for rel, src in IMGT_LAYOUT:
        target = (imgt_dir / src).resolve()
        if not target.exists():
            die(f"{target}: missing (needed by py-ard)")
        link = root / rel.format(v=version)
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return root.resolve().as_uri() + "/"


def build_mac_zip(alpha_v3: pathlib.Path, zip_path: pathlib.Path) -> int:
    """numer.v3.zip as py-ard reads it, from an NMDP alpha.v3.txt.

    alpha.v3.txt rows are '<flag>\\tCODE\\tSUBTYPE' (flag '*' or empty); py-ard
    skips three header lines and splits each row into CODE, SUBTYPE.
    """
    with open(alpha_v3, encoding="utf-8") as f:
        lines = f.read().splitlines()
    out = [lines[0] if lines else "LAST UPDATED", "CODE\tSUBTYPE", ""]
    for line in lines[3:]:
        fields = line.split("\t")
        if len(fields) >= 3 and fields[1] and fields[2]:
            out.append(f"{fields[1]}\t{fields[2]}")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("numer.v3.txt", "\n".join(out) + "\n")
    return len(out) - 3


class OfflineHandler(urllib.request.HTTPSHandler, urllib.request.HTTPHandler):
    """Serves py-ard's MAC zip from disk; refuses every other http(s) URL."""

    def __init__(self, mac_zip: pathlib.Path):
        super().__init__()
        self.mac_zip = mac_zip

    def _serve(self, req):
        url = req.full_url
        if url == PYARD_MAC_URL:
            headers = email.message.Message()
            headers["Content-Type"] = "application/zip"
            resp = urllib.response.addinfourl(
                open(self.mac_zip, "rb"), headers, url, 200
            )
            resp.msg = "OK"  # read by urllib's HTTPErrorProcessor
            return resp
        raise urllib.error.URLError(f"offline benchmark: refused {url}")

    def https_open(self, req):
        return self._serve(req)

    def http_open(self, req):
        return self._serve(req)


def read_workload(args, haplomatch: pathlib.Path, work: pathlib.Path) -> list[str]:
    if args.typings:
        with open(args.typings, encoding="utf-8") as f:
            lines = [line.rstrip("\r\n") for line in f]
        lines = [line for line in lines if line.strip()]
        print(f"workload: {len(lines)} non-blank lines of {args.typings}")
        return lines
    synth_csv = work / "synth.csv"
    cmd = [str(haplomatch), "synth", "--donors", "100000", "--seed", "7",
           "--format", "csv", "--imgt", str(args.imgt_dir), "--mac",
           str(args.mac), "--out", str(synth_csv)]
    print("workload:", " ".join(cmd))
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL)
    with open(synth_csv, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "glstring" not in reader.fieldnames:
            die(f"{synth_csv}: no glstring column")
        lines = [row["glstring"] for row in reader if row["glstring"]]
    print(f"workload: {len(lines)} glstring values")
    return lines


def init_pyard(args, work: pathlib.Path):
    """Imports the user's py-ard offline and initialises it; returns
    (ard, PyArdError, init seconds, database build seconds or None)."""
    pyard_dir = pathlib.Path(args.pyard).resolve()
    if not (pyard_dir / "pyard" / "__init__.py").exists():
        die(f"{pyard_dir}: not a py-ard checkout (no pyard/__init__.py)")
    version = release_of(args.imgt_dir)
    url = lay_out_imgt(args.imgt_dir, work / "imgt", version)
    mac_zip = work / "numer.v3.zip"
    n_mac = build_mac_zip(args.mac, mac_zip)
    db_dir = work / "pyard-db"
    db_dir.mkdir(parents=True, exist_ok=True)
    db_file = db_dir / f"pyard-{version}.sqlite3"
    cold = True
    if db_file.exists():
        with contextlib.closing(sqlite3.connect(db_file)) as con:
            cold = con.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                "('alleles', 'who_alleles', 'xx_codes', 'mac_codes')").fetchone()[0] < 4
    db_file.touch()  # skips py-ard's GitHub check that the release exists

    os.environ["IMGT_HLA_URL"] = url  # read when pyard.loader is imported
    urllib.request.install_opener(urllib.request.build_opener(
        urllib.request.ProxyHandler({}), OfflineHandler(mac_zip)))
    sys.path.insert(0, str(pyard_dir))
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # py-ard prints progress
        import pyard
        from pyard.exceptions import PyArdError

        if not str(pathlib.Path(pyard.__file__).resolve()).startswith(str(pyard_dir)):
            die(f"imported {pyard.__file__}, not the checkout {pyard_dir}")
        build_s = None
        if cold:  # build the database, then initialise again from it
            ard = pyard.init(imgt_version=version, data_dir=str(db_dir), load_mac=True)
            del ard
            build_s = time.perf_counter() - t0
            t0 = time.perf_counter()
        ard = pyard.init(imgt_version=version, data_dir=str(db_dir), load_mac=True)
    seconds = time.perf_counter() - t0
    print(f"py-ard {pyard.__version__} from {pyard_dir}; IMGT {version} via {url}; "
          f"{n_mac} MAC codes from {args.mac}; database {db_file}")
    return ard, PyArdError, seconds, build_s


def time_pyard(ard, py_error, lines: list[str], level: str):
    out = []
    errors = other = 0
    redux = ard.redux
    t0 = time.perf_counter()
    for n, gl in enumerate(lines, 1):
        if n % 10000 == 0 and n < len(lines):  # py-ard is slow: show progress
            s = time.perf_counter() - t0
            print(f"py-ard: {n}/{len(lines)} lines, {s:.0f} s", file=sys.stderr)
        try:
            out.append(redux(gl, level))
        except py_error as e:
            errors += 1
            out.append(f"error: {type(e).__name__}: {e}")
        except Exception as e:  # a py-ard failure that is not a PyArdError
            other += 1
            out.append(f"error: {type(e).__name__}: {e}")
    return out, time.perf_counter() - t0, errors, other


def haplomatch_cmd(args, haplomatch: pathlib.Path):
    cmd = [str(haplomatch), "reduce", "--level", args.level,
           "--imgt", str(args.imgt_dir), "--mac", str(args.mac)]
    if args.threads is not None:
        cmd += ["--threads", str(args.threads)]
    return cmd


def time_haplomatch(args, haplomatch: pathlib.Path, input_path: pathlib.Path):
    """The whole process on every line, its output thrown away (a reduction
    can be kilobytes a line: writing gigabytes to a disk would time the disk)."""
    cmd = haplomatch_cmd(args, haplomatch)
    print("haplomatch:", " ".join(cmd), f"< {input_path} > /dev/null")
    with open(input_path, "rb") as fin:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdin=fin, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.decode("utf-8", errors="replace")[-2000:])
        die(f"haplomatch reduce exited {proc.returncode}")
    return seconds, proc.returncode


def haplomatch_answers(args, haplomatch: pathlib.Path, work: pathlib.Path,
                       lines):
    """haplomatch's answers to `lines` (the ones py-ard answered), untimed."""
    path = work / "compared.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(path, "rb") as fin:
        proc = subprocess.run(haplomatch_cmd(args, haplomatch), stdin=fin,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.decode("utf-8", errors="replace").split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) != len(lines):
        die(f"haplomatch wrote {len(out)} lines for {len(lines)}")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__ or "py-ard vs haplomatch reduce")
    p.add_argument("--pyard", required=True, help="a local py-ard checkout (run, never vendored)")
    p.add_argument("--haplomatch", default=str(REPO / "build/release/cli/haplomatch"))
    p.add_argument("--typings", help="one GL String per line (default: haplomatch synth)")
    p.add_argument("--repeat", type=int, default=10, help="workload repeated N times (default 10)")
    p.add_argument("--level", default="lgx", choices=sorted(LEVELS))
    p.add_argument("--imgt-dir", type=pathlib.Path, default=REPO / "data/imgt/3.58.0")
    p.add_argument("--mac", type=pathlib.Path,
                   default=REPO / "data/mac/mac-2020-07-subset.alpha.v3.txt",
                   help="NMDP alpha.v3.txt given to both tools")
    p.add_argument("--work", help="scratch for py-ard's database and the file:// tree "
                   "(default a temporary directory; reuse one to skip the database build)")
    p.add_argument("--threads", type=int, help="passed to haplomatch reduce if given")
    p.add_argument("--pyard-lines", type=int,
                   help="time py-ard on the first N lines only and extrapolate")
    args = p.parse_args()
    if args.repeat < 1:
        die("--repeat must be at least 1")
    args.imgt_dir = args.imgt_dir.resolve()
    args.mac = args.mac.resolve()

    haplomatch = pathlib.Path(args.haplomatch).resolve()
    if not os.access(haplomatch, os.X_OK):
        die(f"{haplomatch}: not an executable (build haplomatch first)")

    tmp = None
    if args.work:
        work = pathlib.Path(args.work).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="pyard-side-by-side-")
        work = pathlib.Path(tmp.name)
    print(f"work directory: {work}")

    base = read_workload(args, haplomatch, work)
    if not base:
        die("empty workload")
    lines = base * args.repeat
    input_path = work / "typings.txt"
    with open(input_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    n_all = len(lines)
    n_py = n_all if args.pyard_lines is None else max(1, min(args.pyard_lines, n_all))
    py_level = LEVELS[args.level]
    print(f"lines: {n_all} ({len(base)} x {args.repeat}); level {args.level} "
          f"(py-ard '{py_level}')")

    ard, py_error, init_s, build_s = init_pyard(args, work)
    if build_s is not None:
        print(f"py-ard database build (first run with this --work): {build_s:.2f} s "
              "(import included)")
    print(f"py-ard init from its database: {init_s:.2f} s (not included below)")

    py_out, py_s, py_err, py_other = time_pyard(ard, py_error, lines[:n_py], py_level)
    hm_s, hm_rc = time_haplomatch(args, haplomatch, input_path)
    hm_out = haplomatch_answers(args, haplomatch, work, lines[:n_py])
    hm_err = sum(1 for line in hm_out if line.startswith("error: "))

    py_rate = n_py / py_s if py_s > 0 else float("inf")
    hm_rate = n_all / hm_s if hm_s > 0 else float("inf")
    print()
    print(f"{'':12}{'lines':>10}{'seconds':>11}{'lines/s':>13}{'errors':>9}  (errors: in the {n_py} compared lines)")
    print(f"{'py-ard':12}{n_py:>10}{py_s:>11.2f}{py_rate:>13,.0f}{py_err + py_other:>9}")
    print(f"{'haplomatch':12}{n_all:>10}{hm_s:>11.2f}{hm_rate:>13,.0f}{hm_err:>9}")
    if n_py < n_all:
        print(f"py-ard timed on the first {n_py} of {n_all} lines; at that rate all "
              f"{n_all} lines would take {n_all / py_rate:.1f} s (extrapolated)")
    print(f"py-ard init {init_s:.2f} s (excluded); haplomatch time is the whole "
          f"process (data load included), exit {hm_rc}")
    if py_other:
        print(f"py-ard raised {py_other} exceptions that are not PyArdError (counted as errors)")
    print(f"ratio haplomatch/py-ard (lines/s): {hm_rate / py_rate:,.1f}x")

    def verdict(s: str) -> str:
        return "error" if s.startswith("error: ") else s

    diffs = [i for i in range(n_py) if verdict(py_out[i]) != verdict(hm_out[i])]
    both_ok = sum(1 for i in diffs if not py_out[i].startswith("error: ")
                  and not hm_out[i].startswith("error: "))
    only_py = sum(1 for i in diffs if py_out[i].startswith("error: "))
    only_hm = len(diffs) - both_ok - only_py
    print(f"differing answers: {len(diffs)} of {n_py} compared lines "
          f"({both_ok} different reductions, {only_py} py-ard error only, "
          f"{only_hm} haplomatch error only; errors on both sides count as agreeing)")
    for i in diffs[:10]:
        print(f"  line {i + 1}: {lines[i]}\n    py-ard:     {py_out[i]}\n"
              f"    haplomatch: {hm_out[i]}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
