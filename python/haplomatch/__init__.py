# Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
"""haplomatch: HLA donor compatibility from Python.

The package mirrors the command line. A :class:`Reference` loads an
IPD-IMGT/HLA release once (the shipped 3.58.0 unless told otherwise) and
answers with the same structures ``haplomatch ... --format json`` prints,
as dicts and lists, built by the same C++ code::

    import haplomatch
    ref = haplomatch.Reference()
    ref.reduce("A*01:01:01:01", level="lgx")          # 'A*01:01'
    ref.match("A*01:01+A*02:01^B*08:01+B*44:02",
              donors=[{"id": "sister", "typing": "A*01:01+A*02:01^B*08:01+B*44:02",
                       "age": 40, "relationship": "sister"}],
              protocol="NCT04835883", antibodies="none")["donors"][0]["eligibility"]["status"]
    ref.rank("A*01:01+...", donors="registry.hmx", protocol="NCT04835883", top=10)

Errors are raised as :class:`haplomatch.Error`, whose message is the
library's (with the offset in the typing where there is one). Long calls
release the GIL. The documents' fields: docs/json.md; the rules:
docs/eligibility.md and docs/matching.md.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import os as _os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ._haplomatch import Engine as _Engine
from ._haplomatch import __version__

__all__ = ["Error", "Reference", "Registry", "__version__"]

Donors = Union[str, "_os.PathLike[str]", Sequence[Mapping[str, Any]], "Registry"]


class Error(Exception):
    """A request haplomatch refused or could not answer.

    ``message`` is the library's message (a typing error names its offset:
    ``"expected allele field at offset 8 in 'DRB1*14:'"``); ``code`` is the
    error's kind (``invalid_argument``, ``not_found``, ``out_of_range``,
    ``failed_precondition``, ``deadline_exceeded``, ``internal``), as the
    HTTP service names it; ``offset`` is where in the typing the error is,
    when it names a position.
    """

    def __init__(self, message: str, code: str = "invalid_argument",
                 offset: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.offset = offset


def _call(engine: _Engine, path: str, body: Mapping[str, Any]) -> Dict[str, Any]:
    """POST ``body`` to the engine's ``path`` (the HTTP service's request),
    returning the JSON document or raising :class:`Error`."""
    status, raw = engine.call(path, _json.dumps(body))
    return _decode(status, raw)


def _decode(status: int, raw: bytes) -> Dict[str, Any]:
    doc = _json.loads(raw)
    if status != 200:
        err = doc.get("error", {}) if isinstance(doc, dict) else {}
        raise Error(err.get("message", f"haplomatch failed (status {status})"),
                    err.get("code", "internal"))
    return doc


def _date(value: Union[str, _dt.date, None]) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _read_text(path: Union[str, "_os.PathLike[str]"]) -> str:
    with open(path, "r", encoding="utf-8", newline="") as f:
        return f.read()


def _request(recipient: Optional[str], *, abo: Optional[str], cmv: Optional[str],
             sex: Optional[str], antibodies: Union[str, Sequence[str], None],
             options: Mapping[str, Any]) -> Dict[str, Any]:
    """The "recipient" and "options" of a match or rank request, the CLI's
    flags under their JSON names; None leaves a field out."""
    r: Dict[str, Any] = {}
    for key, value in (("typing", recipient), ("abo", abo), ("cmv", cmv),
                       ("sex", sex), ("antibodies", antibodies)):
        if value is not None:
            r[key] = value if not isinstance(value, (list, tuple)) else list(value)
    body: Dict[str, Any] = {"recipient": r}
    opts = {k: v for k, v in options.items() if v is not None}
    if "as_of" in opts:
        opts["as_of"] = _date(opts["as_of"])
    if opts:
        body["options"] = opts
    return body


class Reference:
    """An IPD-IMGT/HLA release (and NMDP MAC table), loaded once.

    ``imgt`` is a release version (``"3.44.0"``) or directory, ``""`` for
    the shipped 3.58.0 (or ``$HAPLOMATCH_IMGT``); ``mac`` an NMDP
    ``alpha.v3.txt``, ``""`` for the shipped subset. ``threads`` is the
    number of threads a rank scan uses (default: every core).
    ``max_rank_donors`` bounds the donors one rank answer lists.

    Thread safety: every method may be called from any number of threads.
    """

    def __init__(self, imgt: str = "", mac: str = "", *,
                 threads: Optional[int] = None,
                 max_rank_donors: int = 1_000_000) -> None:
        try:
            self._engine = _Engine(imgt, mac, max_rank_donors,
                                   threads or (_os.cpu_count() or 1))
        except RuntimeError as e:
            raise Error(str(e), "not_found") from None

    @property
    def imgt_version(self) -> str:
        """The release loaded, e.g. ``"3.58.0"``."""
        return self._engine.imgt_version

    def version(self) -> Dict[str, Any]:
        """``{"version", "imgt_version", "imgt_date", "mac_date", "registry"}``."""
        return _decode(*self._engine.version())

    # ---- Nomenclature

    def reduce(self, typing: str, level: str = "lgx", *, strict: bool = True) -> str:
        """``typing`` reduced to ``level`` (G, P, lg, lgx, exon, W, U2, S,
        1F), as ``haplomatch reduce --level`` writes it. Raises
        :class:`Error` for a typing that fails."""
        result = self.reduce_many([typing], level, strict=strict)[0]
        if "error" in result:
            raise Error(result["error"])
        return result["reduced"]

    def reduce_many(self, typings: Iterable[str], level: str = "lgx", *,
                    strict: bool = True) -> List[Dict[str, Any]]:
        """One result per typing, in order: ``{"typing", "reduced",
        "warnings"}`` or ``{"typing", "error"}`` (a failing typing does not
        stop the others). One call for a whole column is much faster than
        one call per typing."""
        doc = _call(self._engine, "/v1/reduce",
                    {"typings": list(typings), "level": level, "strict": strict})
        return doc["results"]

    def validate(self, typing: str, *, strict: bool = True) -> Dict[str, Any]:
        """``{"typing", "valid": True, "warnings"}`` or ``{"typing", "valid":
        False, "error", "offset"}``: valid means :meth:`match` takes it."""
        return self.validate_many([typing], strict=strict)[0]

    def validate_many(self, typings: Iterable[str], *,
                      strict: bool = True) -> List[Dict[str, Any]]:
        """:meth:`validate` of each typing, in order."""
        doc = _call(self._engine, "/v1/validate",
                    {"typings": list(typings), "strict": strict})
        return doc["results"]

    def parse(self, typing: str) -> Dict[str, Any]:
        """The syntax tree of ``haplomatch parse --format json``:
        ``{"canonical", "glsc", "tree"}``. Raises :class:`Error` (with its
        ``offset``) for a typing that does not parse."""
        result = _call(self._engine, "/v1/parse", {"typings": [typing]})["results"][0]
        if "error" in result:
            raise Error(result["error"], offset=result.get("offset"))
        return result["parsed"]

    def mac_encode(self, typing: str) -> str:
        """An allele list as an NMDP MAC (``haplomatch mac encode``)."""
        r = _call(self._engine, "/v1/mac/encode", {"typings": [typing]})["results"][0]
        if "error" in r:
            raise Error(r["error"])
        return r["mac"]

    def mac_decode(self, typing: str) -> str:
        """An NMDP MAC as its allele list (``haplomatch mac decode``)."""
        r = _call(self._engine, "/v1/mac/decode", {"typings": [typing]})["results"][0]
        if "error" in r:
            raise Error(r["error"])
        return r["allele_list"]

    # ---- Files

    def read_donors(self, source: Union[str, "_os.PathLike[str]"], *,
                    text: bool = False, format: str = "auto",
                    strict: bool = True) -> Dict[str, Any]:
        """A donor or family file (CSV, TSV or JSON Lines) read as the CLI
        reads it: ``{"format", "family", "rows": [{"source", "row",
        "warnings"}], "rejected", "warnings"}``. ``source`` is a path, or
        the file's contents with ``text=True``. Each ``row`` is a dict
        :meth:`match`, :meth:`rank` and :meth:`family` take."""
        contents = source if text else _read_text(source)
        return _call(self._engine, "/v1/donor-file",
                     {"text": contents, "format": format, "strict": strict})

    def _rows(self, donors: Union[str, "_os.PathLike[str]", Sequence[Mapping[str, Any]]],
              what: str) -> List[Dict[str, Any]]:
        """Rows given as dicts, or read from a file; a file's rejected rows
        are an error naming them (a family proof from part of a file would
        mislead)."""
        if isinstance(donors, (str, _os.PathLike)):
            doc = self.read_donors(donors)
            if doc["rejected"]:
                bad = doc["rejected"][0]
                raise Error(f"{what}: {bad['source']}: {bad['error']}")
            return [r["row"] for r in doc["rows"]]
        return [dict(d) for d in donors]

    # ---- Matching and ranking

    def match(self, recipient: Optional[str] = None,
              donors: Union[str, "_os.PathLike[str]", Sequence[Mapping[str, Any]], None] = None, *,
              family: Union[str, "_os.PathLike[str]", Sequence[Mapping[str, Any]], None] = None,
              abo: Optional[str] = None, cmv: Optional[str] = None,
              sex: Optional[str] = None,
              antibodies: Union[str, Sequence[str], None] = None,
              protocol: Optional[str] = None,
              as_of: Union[str, _dt.date, None] = None,
              dsa_mfi: Optional[float] = None,
              loci: Union[str, Sequence[str], None] = None,
              homozygous_mismatch: Optional[int] = None,
              hla_a_bw4: Optional[bool] = None,
              gate: Union[str, Sequence[str], None] = None,
              unrelated_haplo: Optional[str] = None,
              allow_minors: Optional[bool] = None,
              strict: Optional[bool] = None) -> Dict[str, Any]:
        """``haplomatch match --format json``: the recipient (a GL String)
        against each donor. ``donors`` is a list of dicts with the donor
        file's keys (``id``, ``typing``, ``relationship``, ``birth_date``,
        ``age``, ``sex``, ``abo``, ``cmv``, ``kir``) or a donor file's path;
        ``family`` a family file's rows or path (its relatives are the
        donors when ``donors`` is None, and its patient the recipient when
        ``recipient`` is None). ``antibodies``: ``"A24:3500,B44:2500"``, a
        list, ``"none"`` (tested, none), or None (not tested: a protocol
        that needs the test asks for review). A donor that fails is listed
        in ``"rejected"``, not raised. Each donor's ``"b_leader"``,
        ``"kir_ligands"`` and ``"donor_kir"`` are the HLA-B leader match and
        the KIR facts; ``hla_a_bw4=False`` leaves HLA-A Bw4 out of the KIR
        ligands."""
        body = _request(recipient, abo=abo, cmv=cmv, sex=sex, antibodies=antibodies,
                        options={"protocol": protocol, "as_of": as_of,
                                 "dsa_mfi": dsa_mfi, "loci": loci,
                                 "homozygous_mismatch": homozygous_mismatch,
                                 "hla_a_bw4": hla_a_bw4,
                                 "gate": gate, "unrelated_haplo": unrelated_haplo,
                                 "allow_minors": allow_minors, "strict": strict})
        if donors is not None:
            rows = self._rows(donors, "donors")
            # A donor file's typing column is "typing" in a match request.
            body["donors"] = [_match_donor(r) for r in rows]
        if family is not None:
            body["family"] = self._rows(family, "family")
        if recipient is None:
            body["recipient"].pop("typing", None)
        return _call(self._engine, "/v1/match", body)

    def family(self, rows: Union[str, "_os.PathLike[str]", Sequence[Mapping[str, Any]]]
               ) -> Dict[str, Any]:
        """``haplomatch family --format json``: the family's haplotypes
        proven by segregation, and what each relative shares with the
        patient. ``rows`` are a family file's rows (dicts with ``id``,
        ``role``, ``typing``, ...) or its path."""
        return _call(self._engine, "/v1/family", {"family": self._rows(rows, "family")})

    def open(self, donors: Union[str, "_os.PathLike[str]"], *,
             id_column: str = "") -> "Registry":
        """A registry (a donor file or an index from ``haplomatch index``)
        loaded once for many :meth:`Registry.rank` calls, sharing this
        reference data."""
        return Registry(self, _os.fspath(donors), id_column)

    def rank(self, recipient: Optional[str], donors: Donors, *,
             family: Union[str, "_os.PathLike[str]", Sequence[Mapping[str, Any]], None] = None,
             top: int = 100, **options: Any) -> Dict[str, Any]:
        """``haplomatch rank --format json``: the donors ranked for the
        recipient, best first, with ``read``, ``ranked``, ``eligible``,
        ``needs_review``, ``excluded`` and ``rejected`` (read = ranked +
        excluded + rejected). ``donors`` is a donor file or index path
        (loaded for this call; use :meth:`open` to rank one registry many
        times), a :class:`Registry`, or a list of dicts. ``top`` = 0 lists
        every ranked donor. Other keywords as :meth:`match` (and
        ``rank_by``)."""
        if isinstance(donors, Registry):
            return donors.rank(recipient, family=family, top=top, **options)
        if isinstance(donors, (str, _os.PathLike)):
            return self.open(donors).rank(recipient, family=family, top=top, **options)
        body = _rank_body(self, recipient, family, top, options)
        body["donors"] = [dict(d) for d in donors]
        return _call(self._engine, "/v1/rank", body)


def _match_donor(row: Mapping[str, Any]) -> Dict[str, Any]:
    d = {k: v for k, v in row.items() if v is not None and v != ""}
    for key in ("glstring", "gl_string", "gl", "hla"):
        if key in d and "typing" not in d:
            d["typing"] = d.pop(key)
    return d


def _rank_body(ref: Reference, recipient: Optional[str], family: Any, top: int,
               options: Mapping[str, Any]) -> Dict[str, Any]:
    allowed = {"abo", "cmv", "sex", "antibodies", "protocol", "as_of", "dsa_mfi",
               "rank_by", "gate", "unrelated_haplo", "allow_minors", "strict",
               "recipient_population"}
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"rank() got unknown keyword arguments: {sorted(unknown)}")
    opts = dict(options)
    body = _request(recipient, abo=opts.pop("abo", None), cmv=opts.pop("cmv", None),
                    sex=opts.pop("sex", None), antibodies=opts.pop("antibodies", None),
                    options={**opts, "top": top})
    if family is not None:
        body["family"] = ref._rows(family, "family")
    if recipient is None:
        body["recipient"].pop("typing", None)
    return body


class Registry:
    """A donor file or index loaded once (:meth:`Reference.open`)."""

    def __init__(self, reference: Reference, path: str, id_column: str = "") -> None:
        self.reference = reference
        self.path = path
        try:
            self._engine = reference._engine.with_registry(path, id_column)
        except RuntimeError as e:
            raise Error(str(e), "not_found") from None

    @property
    def size(self) -> int:
        """Donors loaded."""
        return self._engine.registry_size

    @property
    def rejected(self) -> int:
        """Rows of the file that were rejected at load (0 for an index)."""
        return self._engine.registry_rejected

    def rank(self, recipient: Optional[str], *,
             family: Union[str, "_os.PathLike[str]", Sequence[Mapping[str, Any]], None] = None,
             top: int = 100, **options: Any) -> Dict[str, Any]:
        """:meth:`Reference.rank` over this registry."""
        body = _rank_body(self.reference, recipient, family, top, options)
        return _call(self._engine, "/v1/rank", body)

    def _rank_for_merge(self, body: Mapping[str, Any]) -> Dict[str, Any]:
        """The rank of this registry as a shard of a larger one, for
        :func:`haplomatch.dask.rank` (service.h RankForMerge)."""
        return _decode(*self._engine.rank_for_merge(_json.dumps(body)))

