# Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
"""haplomatch.dask.rank on a LocalCluster of two worker processes equals
`haplomatch rank` of the whole file, byte for byte in CSV, and its counts
add up across the shards (docs/distributed.md)."""

import os
import subprocess
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

import haplomatch.dask  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CLI = os.environ.get("HAPLOMATCH_CLI", str(ROOT / "build" / "release" / "cli" / "haplomatch"))
RECIPIENT = (ROOT / "data" / "examples" / "patient.txt").read_text().strip()


def run(*args):
    r = subprocess.run([CLI, *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr  # 1: some rows were rejected
    return r


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """A synthetic registry with a few bad rows spread over it (rejected in
    one shard or the other), and its two shard indexes."""
    d = tmp_path_factory.mktemp("shards")
    lines = run("synth", "--donors", "4000", "--seed", "5").stdout.splitlines(True)
    assert lines[0].startswith("id,family_id,role,other_parent,relationship,"
                               "birth_date,sex,abo,cmv,population,glstring,")
    for at in (7, 1500, 3900):  # an allele IPD-IMGT/HLA does not have
        lines.insert(at, f"bad{at},,,,unrelated,1990-01-01,M,O+,neg,EUR,"
                         "A*99:99+A*01:01,,,,\n")
    path = d / "registry.csv"
    path.write_text("".join(lines))
    out = []
    rejected = 0
    for k in range(2):
        index = d / f"registry-{k}-of-2.hmx"
        r = run("index", "--donors", str(path), "--out", str(index), "--shard", f"{k}/2")
        assert f"shard {k}/2: data rows " in r.stderr
        rejected += int(r.stderr.split("rejected ")[1].split(";")[0])
        out.append(index)
    # An index keeps no rejected rows: `index` reports them, each in the
    # shard that holds its row.
    assert rejected == 3
    return path, out


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


OPTIONS = ["--protocol", "NCT04835883", "--antibodies", "none", "--as-of", "2026-11-26"]


@pytest.mark.parametrize("top", [1, 40, 0])
def test_sharded_rank_is_the_whole_files_rank_byte_for_byte(shards, client, top):
    path, indexes = shards
    whole = run("rank", "--donors", str(path), "--recipient", RECIPIENT,
                "--top", str(top), "--format", "csv", *OPTIONS)
    workers = sorted(client.scheduler_info()["workers"])
    result = haplomatch.dask.rank(
        RECIPIENT, [(str(p), workers[k]) for k, p in enumerate(indexes)], client,
        top=top, protocol="NCT04835883", antibodies="none", as_of="2026-11-26")
    assert result["csv"] == whole.stdout
    assert result["shards"] == 2
    # Counts add up over the shards, and equal the whole file's but for the
    # rows `index` rejected (an index holds none).
    assert result["read"] == result["ranked"] + result["excluded"] + result["rejected"]
    assert result["rejected"] == 0
    assert (f"read {result['read'] + 3}, ranked {result['ranked']} "
            f"({result['eligible']} eligible, {result['needs_review']} need review), "
            f"excluded {result['excluded']} ") in whole.stderr
    assert len(result["donors"]) == len(whole.stdout.splitlines()) - 1
    assert [d["rank"] for d in result["donors"]] == list(range(1, len(result["donors"]) + 1))


def test_unpinned_shards_on_a_shared_disk(shards, client):
    path, indexes = shards
    whole = run("rank", "--donors", str(path), "--recipient", RECIPIENT,
                "--top", "15", "--format", "csv", *OPTIONS)
    result = haplomatch.dask.rank(RECIPIENT, [str(p) for p in indexes], client, top=15,
                                  threads=1, protocol="NCT04835883", antibodies="none",
                                  as_of="2026-11-26")
    assert result["csv"] == whole.stdout
    with pytest.raises(TypeError):
        haplomatch.dask.rank(RECIPIENT, [str(p) for p in indexes], client, colour="red")
    with pytest.raises(ValueError):
        haplomatch.dask.rank(RECIPIENT, [], client)


def test_shards_are_the_file_in_order(shards):
    path, indexes = shards
    ref = haplomatch.Reference()
    sizes = [ref.open(i).size for i in indexes]
    whole = ref.open(path)
    assert sum(sizes) == whole.size == 4000
    assert abs(sizes[0] - sizes[1]) <= 3  # contiguous halves of the rows


def test_different_releases_are_refused(shards, client):
    _, indexes = shards
    with pytest.raises(haplomatch.Error):
        haplomatch.dask._merge([
            {"imgt_version": "3.58.0", "csv_header": "h\n", "donors": []},
            {"imgt_version": "3.44.0", "csv_header": "h\n", "donors": []}], 10)


def test_a_rewritten_shard_is_loaded_again_and_the_old_one_dropped(shards, tmp_path):
    _, indexes = shards
    copy = tmp_path / "shard.hmx"
    body = haplomatch._rank_body(None, RECIPIENT, None, 5, {"antibodies": "none"})
    sizes = []
    for source in indexes:
        copy.write_bytes(source.read_bytes())
        os.utime(copy, ns=(len(sizes) + 1, len(sizes) + 1))  # a new mtime each time
        sizes.append(haplomatch.dask.rank_shard(str(copy), body, threads=1)["read"])
    assert sizes == [haplomatch.Reference().open(p).size for p in indexes]
    held = [k for k in haplomatch.dask._registries if k[3] == str(copy.resolve())]
    assert len(held) == 1
