# Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
"""Ranking a registry split into shards, on a Dask cluster.

A registry too large for one machine (or many patients a day against
several registries) is split into shards with ``haplomatch index --shard
K/N``: shard K is the K-th of N contiguous slices of the donor file's rows,
indexed on its own. :func:`rank` ranks every shard on the worker that holds
it and merges their top N on the client: each shard sends its counts and
its own top N rows, never its donors, and the merge breaks ties by global
input order (shard K's donors come before shard K+1's, and within a shard
in file order), so the answer is the one ``haplomatch rank`` gives for the
whole file, byte for byte in CSV. docs/distributed.md says how to run it.

    from dask.distributed import Client
    import haplomatch.dask
    client = Client("scheduler:8786")
    result = haplomatch.dask.rank(
        "A*01:01+A*02:01^...", ["/data/reg-0.hmx", "/data/reg-1.hmx"], client,
        top=20, protocol="NCT04835883", antibodies="none")
    print(result["csv"], end="")
"""

from __future__ import annotations

import json as _json
import os as _os
import threading as _threading
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import haplomatch as _hm

__all__ = ["rank", "rank_shard"]

Shard = Union[str, Tuple[str, str]]  # a path, or (path, worker address)

# Per worker process: one Reference per (imgt, mac) and one Registry per
# shard file (keyed by its size and modification time, so that a shard
# rewritten in place is loaded again), kept between calls: a shard is
# loaded once, then every patient is a scan.
_lock = _threading.Lock()
_references: Dict[Tuple[str, str, int], _hm.Reference] = {}
# (imgt, mac, threads, path) -> ((size, mtime), registry): one entry a shard,
# replaced when its file changes, so a rewritten shard does not keep the old
# one in memory.
_registries: Dict[Tuple[str, str, int, str], Tuple[Tuple[int, int], _hm.Registry]] = {}


def _registry(path: str, imgt: str, mac: str, threads: int) -> _hm.Registry:
    st = _os.stat(path)
    key = (imgt, mac, threads, _os.path.abspath(path))
    stamp = (st.st_size, st.st_mtime_ns)
    with _lock:
        held = _registries.get(key)
        if held is not None and held[0] == stamp:
            return held[1]
        ref = _references.get((imgt, mac, threads))
        if ref is None:
            ref = _references[(imgt, mac, threads)] = _hm.Reference(
                imgt, mac, threads=threads or None)
        _registries.pop(key, None)  # the old one goes before the new loads
        reg = ref.open(path)
        _registries[key] = (stamp, reg)
        return reg


def rank_shard(path: str, body: Mapping[str, Any], imgt: str = "",
               mac: str = "", threads: int = 0) -> Dict[str, Any]:
    """Runs on a worker: the shard at ``path`` (an index or a donor file)
    ranked for the request ``body`` (a POST /v1/rank body, ``options.top``
    included), on ``threads`` threads (0: the worker machine's cores).
    Returns the counts, the IPD-IMGT/HLA release, the CSV header
    and the shard's top donors with their ranking keys and places
    (service.h RankForMerge): small, whatever the shard's size."""
    return _registry(path, imgt, mac, threads)._rank_for_merge(body)


def _merge(parts: Sequence[Dict[str, Any]], top: int) -> Dict[str, Any]:
    """The shards' answers as one ranking: best key first, then shard order,
    then the shard's own input order; counts added up."""
    releases = {p["imgt_version"] for p in parts}
    if len(releases) != 1:
        raise _hm.Error("the shards were ranked against different "
                        f"IPD-IMGT/HLA releases: {sorted(releases)}; every "
                        "worker must load the same release", "failed_precondition")
    headers = {p["csv_header"] for p in parts}
    if len(headers) != 1:
        raise _hm.Error("the shards answered with different CSV columns",
                        "internal")
    rows: List[Tuple[int, int, int, Dict[str, Any]]] = []
    for k, p in enumerate(parts):
        rows.extend((d["key"], k, d["index"], d) for d in p["donors"])
    rows.sort(key=lambda r: r[:3])
    if top > 0:
        rows = rows[:top]
    csv = [headers.pop()]
    donors = []
    for i, (_, _, _, d) in enumerate(rows, start=1):
        csv.append(f"{i},{d['csv']}")
        donors.append(_json.loads(f'{{"rank":{i},{d["json"]}'))

    def total(field: str) -> Optional[int]:
        values = [p[field] for p in parts]
        return None if any(v is None for v in values) else sum(values)

    return {
        "imgt_version": releases.pop(),
        "shards": len(parts),
        "read": total("read"),
        "ranked": total("ranked"),
        "eligible": total("eligible"),
        "needs_review": total("needs_review"),
        "excluded": total("excluded"),
        "rejected": total("rejected"),
        "donors": donors,
        "csv": "".join(csv),
    }


def rank(recipient: Optional[str], shards: Sequence[Shard], client: Any, *,
         top: int = 100, imgt: str = "", mac: str = "", threads: int = 0,
         **options: Any) -> Dict[str, Any]:
    """The donors of every shard ranked for ``recipient``, merged.

    ``shards`` lists the shards in order (shard 0 first: the order is the
    global input order that breaks ties), each a path the worker can open,
    or ``(path, worker_address)`` to run it on the worker that holds the
    file. ``client`` is a ``dask.distributed.Client``. ``top`` (0: all)
    and the keywords (``protocol``, ``as_of``, ``antibodies``, ``abo``,
    ``cmv``, ``sex``, ``dsa_mfi``, ``rank_by``, ``gate``,
    ``unrelated_haplo``, ``allow_minors``, ``strict``) as
    :meth:`haplomatch.Reference.rank`; ``imgt`` and ``mac`` name the
    reference data every worker loads (they must all have the same; the
    merge checks the release); ``threads`` the threads of each shard's scan
    (0: the worker machine's cores; give 1 when a machine runs as many
    workers as it has cores).

    Returns ``{"imgt_version", "shards", "read", "ranked", "eligible",
    "needs_review", "excluded", "rejected", "donors", "csv"}``: the counts
    added up over the shards (read = ranked + excluded + rejected), the
    merged top donors as ``rank --format json`` lists them, and the same as
    ``rank --format csv`` writes them.
    """
    if top < 0:
        raise ValueError("top must be 0 (all) or more")
    if not shards:
        raise ValueError("no shards")
    # The request is built (and checked) once, on the client.
    body = _hm._rank_body(None, recipient, None, top, options)  # type: ignore[arg-type]
    futures = []
    for shard in shards:
        path, worker = (shard, None) if isinstance(shard, str) else shard
        # A pinned shard runs on the worker that holds its file, nowhere else.
        placement = {"workers": [worker], "allow_other_workers": False} if worker else {}
        futures.append(client.submit(
            rank_shard, path, body, imgt, mac, threads, pure=False, **placement))
    parts = client.gather(futures)
    return _merge(parts, top)
