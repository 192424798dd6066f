#!/usr/bin/env python3
# Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
"""The figures of docs/distributed.md: a registry split in two shards,
ranked in-process, by the single process on the whole index, and by
haplomatch.dask on a LocalCluster of 1 and 2 worker processes.

    build/release/cli/haplomatch synth --donors 10000000 --seed 7 --format tsv > d10m.tsv
    build/release/cli/haplomatch index --donors d10m.tsv --out whole.hmx
    for k in 0 1; do build/release/cli/haplomatch index --donors d10m.tsv --out s$k.hmx --shard $k/2; done
    PYTHONPATH=build/release/python python3 -u bench/dask_rank.py whole.hmx s0.hmx s1.hmx
"""
import statistics
import sys
import time
from pathlib import Path

import haplomatch
import haplomatch.dask as hd
from distributed import Client, LocalCluster

R = (Path(__file__).resolve().parents[1] / "data" / "examples" / "patient.txt").read_text().strip()
opts = dict(protocol="NCT04835883", antibodies="none", as_of="2026-11-26", top=100)
shards = [sys.argv[2], sys.argv[3]]

def t(f, n=7):
    xs = []
    for _ in range(n):
        a = time.perf_counter(); out = f(); xs.append(time.perf_counter() - a)
    return out, min(xs), statistics.median(xs)

def main():
    ref = haplomatch.Reference(threads=1)
    body = haplomatch._rank_body(ref, R, None, 100, {k: v for k, v in opts.items() if k != "top"})
    for k in (0, 1):
        a = time.perf_counter(); reg = ref.open(shards[k]); load = time.perf_counter() - a
        out, mn, md = t(lambda: reg._rank_for_merge(body))
        print(f"shard {k}: 5M donors; open {load:.2f} s; rank on 1 thread min {mn*1000:.0f} median {md*1000:.0f} ms; answer {len(str(out))} bytes", flush=True)
        del reg
    for threads in (1, 2):
        reg = haplomatch.Reference(threads=threads).open(sys.argv[1])
        whole, mn, md = t(lambda: reg.rank(R, **opts))
        print(f"single process, whole index, {threads} thread(s): min {mn*1000:.0f} median {md*1000:.0f} ms", flush=True)
        del reg
    for workers, threads in ((1, 1), (1, 2), (2, 1)):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        a = time.perf_counter(); first = hd.rank(R, shards, client, threads=threads, **opts); cold = time.perf_counter() - a
        out, mn, md = t(lambda: hd.rank(R, shards, client, threads=threads, **opts))
        assert out["csv"] == first["csv"]
        same = [d["id"] for d in out["donors"]] == [d["id"] for d in whole["donors"]]
        print(f"dask {workers} worker(s), scan {threads} thread(s): first call (loads the shards) {cold:.2f} s; then min {mn*1000:.0f} median {md*1000:.0f} ms; read {out['read']} ranked {out['ranked']}; same 100 as single process: {same}", flush=True)
        parts = client.gather([client.submit(hd.rank_shard, p, body, "", "", threads, pure=False) for p in shards])
        _, mmn, _ = t(lambda: hd._merge(parts, 100), 50)
        print(f"   merge of 2 x 100 rows on the client: {mmn*1000:.2f} ms", flush=True)
        client.close(); cluster.close()

if __name__ == "__main__":
    main()
