# Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
"""The Python package against the command line: the same input gives the
same document (docs/python.md). Run by ctest (python_package) with the
package of the build tree on PYTHONPATH and HAPLOMATCH_CLI naming the
haplomatch binary; from the repository's root."""

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

import haplomatch

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"
CLI = os.environ.get("HAPLOMATCH_CLI", str(ROOT / "build" / "release" / "cli" / "haplomatch"))
RECIPIENT = (EXAMPLES / "patient.txt").read_text().strip()
ANTIBODIES = "A24:3500,DR13:600,B44:2500"


def cli(*args, check=True):
    r = subprocess.run([CLI, *args], cwd=ROOT, capture_output=True, text=True)
    if check:
        assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def ref():
    return haplomatch.Reference()


def test_reference_names_its_release(ref):
    assert ref.imgt_version == "3.58.0"
    v = ref.version()
    assert v["imgt_version"] == "3.58.0" and v["version"] == haplomatch.__version__


def test_reduce_equals_the_cli(ref):
    typings = ["A*01:01:01:01+A*02:01", "B*15:01/B*15:04", "A*02:XX", "A*01:09"]
    for level in ("lgx", "G", "S"):
        want = cli("reduce", "--level", level, *typings).splitlines()
        got = [r["reduced"] for r in ref.reduce_many(typings, level)]
        assert got == want
    assert ref.reduce("A*01:01:01:01") == "A*01:01"


def test_a_failing_typing_is_an_error_with_the_librarys_message(ref):
    results = ref.reduce_many(["A*01:01", "DRB1*14:", "A*99:99"])
    assert results[0]["reduced"] == "A*01:01"
    assert results[1]["error"] == "expected allele field at offset 8 in 'DRB1*14:'"
    assert "not an allele of IPD-IMGT/HLA 3.58.0" in results[2]["error"]
    with pytest.raises(haplomatch.Error) as e:
        ref.reduce("DRB1*14:")
    assert "offset 8" in e.value.message and e.value.code == "invalid_argument"
    with pytest.raises(haplomatch.Error, match="level"):
        ref.reduce("A*01:01", level="X")


def test_validate_and_parse(ref):
    bad = ref.validate("A*01:01+A*99:99")
    assert bad["valid"] is False and bad["offset"] == 8
    assert ref.validate("A*01:01+A*02:01")["valid"] is True
    tree = ref.parse("A*01:01/A*01:02+A*24:02")
    want = json.loads(cli("parse", "--format", "json", "A*01:01/A*01:02+A*24:02"))
    assert tree == want
    with pytest.raises(haplomatch.Error) as e:
        ref.parse("A*01:01^^B*08:01")
    assert e.value.offset == 8


def test_mac_encode_and_decode(ref):
    assert ref.mac_decode(ref.mac_encode("A*01:01/A*01:02")) == "A*01:01/A*01:02"


def test_match_is_the_cli_document(ref):
    args = ["match", "--recipient", RECIPIENT, "--recipient-abo", "A+",
            "--recipient-cmv", "pos", "--recipient-sex", "M", "--antibodies",
            ANTIBODIES, "--donors", "data/examples/family.csv", "--protocol",
            "NCT04835883", "--as-of", "2026-11-26", "--format", "json"]
    want = json.loads(cli(*args))
    got = ref.match(RECIPIENT, EXAMPLES / "family.csv", abo="A+", cmv="pos", sex="M",
                    antibodies=ANTIBODIES, protocol="NCT04835883", as_of="2026-11-26")
    # The source names the file's line in the CLI, the request's row here.
    for doc in (want, got):
        for d in doc["donors"]:
            d.pop("source")
    assert got == want
    statuses = {d["id"]: d["eligibility"]["status"] for d in got["donors"]}
    assert statuses == {"mother": "not-eligible", "father": "eligible",
                        "sister": "eligible", "brother": "not-eligible",
                        "son": "eligible", "half-brother": "not-eligible"}


def test_leader_and_kir_are_the_cli_document(ref):
    """The example family's KIR genes, HLA-A Bw4 left out, ranked by the
    opt-in keys: the CLI's documents."""
    args = ["match", "--recipient", RECIPIENT, "--donors", "data/examples/family.csv",
            "--hla-a-bw4", "no", "--as-of", "2026-11-26", "--format", "json"]
    want = json.loads(cli(*args))
    got = ref.match(RECIPIENT, EXAMPLES / "family.csv", hla_a_bw4=False, as_of="2026-11-26")
    for doc in (want, got):
        for d in doc["donors"]:
            d.pop("source")
    assert got == want
    father = next(d for d in got["donors"] if d["id"] == "father")
    assert father["b_leader"]["status"] == "TMM"
    assert father["donor_kir"]["category"] == "neutral"
    keys = "leader,kir_b,dsa,haplo,age"
    want = cli("rank", "--recipient", RECIPIENT, "--donors", "data/examples/family.csv",
               "--rank-by", keys, "--as-of", "2026-11-26", "--format", "json")
    got = ref.rank(RECIPIENT, EXAMPLES / "family.csv", rank_by=keys, as_of="2026-11-26")
    assert got == json.loads(want)
    assert got["rank_by"] == keys
    # The probability key: the same document as the CLI's, the identical
    # sister first with P(10/10) = 1.
    keys = "probability,age"
    want = cli("rank", "--recipient", RECIPIENT, "--donors", "data/examples/family.csv",
               "--rank-by", keys, "--recipient-population", "EUR", "--as-of", "2026-11-26",
               "--format", "json")
    got = ref.rank(RECIPIENT, EXAMPLES / "family.csv", rank_by=keys, as_of="2026-11-26",
                   recipient_population="EUR")
    assert got == json.loads(want)
    assert got["donors"][0]["id"] == "sister"
    assert got["donors"][0]["probability"]["p10"] == 1


def test_family_is_the_cli_document(ref):
    want = json.loads(cli("family", "--family", "data/examples/family_segregation.csv",
                          "--format", "json"))
    assert ref.family(EXAMPLES / "family_segregation.csv") == want
    # A family alone: its relatives are the donors, its patient the recipient.
    doc = ref.match(family=EXAMPLES / "family_segregation.csv", antibodies="none",
                    protocol="NCT04835883", as_of="2026-11-26")
    assert [d["id"] for d in doc["donors"]] == [
        "mother", "father", "sister", "brother", "son", "half-brother"]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    d = tmp_path_factory.mktemp("registry")
    path = d / "donors.csv"
    path.write_text(cli("synth", "--donors", "3000", "--seed", "11"))
    index = d / "donors.hmx"
    subprocess.run([CLI, "index", "--donors", str(path), "--out", str(index)],
                   check=True, capture_output=True)
    return path, index


def test_rank_over_a_file_an_index_and_a_list_is_the_cli_document(ref, registry):
    path, index = registry
    want = json.loads(cli("rank", "--donors", str(path), "--recipient", RECIPIENT,
                          "--protocol", "NCT04835883", "--antibodies", "none",
                          "--as-of", "2026-11-26", "--top", "25", "--format", "json"))
    opts = dict(protocol="NCT04835883", antibodies="none", as_of="2026-11-26", top=25)
    assert ref.rank(RECIPIENT, path, **opts) == want
    reg = ref.open(index)
    assert reg.size == 3000 and reg.rejected == 0
    assert reg.rank(RECIPIENT, **opts) == want
    assert reg.rank(RECIPIENT, **opts) == want  # loaded once, ranked again
    assert want["read"] == want["ranked"] + want["excluded"] + want["rejected"]
    rows = [r["row"] for r in ref.read_donors(path)["rows"][:50]]
    small = ref.rank(RECIPIENT, rows, **opts)
    assert small["read"] == 50
    with pytest.raises(TypeError):
        ref.rank(RECIPIENT, rows, colour="red")


def test_bad_input_raises_error_naming_it(ref, tmp_path):
    with pytest.raises(haplomatch.Error) as e:
        ref.match("A*01:01+A*99:99", [{"id": "d", "typing": "A*01:01"}])
    assert "recipient.typing" in e.value.message and "offset 8" in e.value.message
    with pytest.raises(haplomatch.Error) as e:
        ref.open(tmp_path / "missing.csv")
    assert "missing.csv" in str(e.value)
    with pytest.raises(haplomatch.Error):
        haplomatch.Reference("9.99.0")
    doc = ref.match(RECIPIENT, [{"id": "d1", "typing": "A*99:99"}])
    assert doc["donors"] == [] and "A*99:99" in doc["rejected"][0]["error"]


def test_calls_run_from_many_threads(ref):
    typings = ["A*01:01:01:01", "B*15:01/B*15:04", "A*02:XX"] * 2000
    want = ref.reduce_many(typings)
    out = [None] * 4

    def work(i):
        out[i] = ref.reduce_many(typings)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(o == want for o in out)


def test_the_reduce_column_example(tmp_path):
    import sys
    data = tmp_path / "data.csv"
    data.write_text("id,HLA-A\nd1,A*01:01:01:01+A*02:01:01:01\nd2,A*99:99\nd3,A*24:02:01:01\n")
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "reduce_column.py"),
                        str(data), "--column", "HLA-A"],
                       capture_output=True, text=True, env=os.environ)
    assert r.returncode == 1, r.stderr  # one typing failed, and is reported
    assert r.stdout.splitlines() == [
        "id,HLA-A,HLA-A_lgx,HLA-A_error",
        "d1,A*01:01:01:01+A*02:01:01:01,A*01:01+A*02:01,",
        "d2,A*99:99,,'A*99:99' at offset 0: not an allele of IPD-IMGT/HLA 3.58.0",
        "d3,A*24:02:01:01,A*24:02,",
    ]
    assert "1 of 3 typings could not be reduced" in r.stderr
