"""GWAS summary statistics: GWAS-SSF / GWAS Catalog harmonised TSV and common ad-hoc layouts.

Columns are recognised by name (case-insensitive aliases, first match in the order below wins)
and renamed to the GWAS-SSF names. Which file column became which field, and every conversion
made (odds ratio → log, −log10 p → p, chromosome renaming…), are reported in
``frame.attrs["column_map"]`` and ``frame.attrs["notes"]``.

======================== ==========================================================
field                    aliases (case-insensitive)
======================== ==========================================================
chromosome               chromosome, chr, chrom, #chrom, #chr, chromosome_name, hg38chrc
base_pair_location       base_pair_location, bp, pos, position, base_pair, genpos
effect_allele            effect_allele, a1, ea, allele1, tested_allele, alt, alt_allele
other_allele             other_allele, a2, nea, allele2, non_effect_allele, ref, other
beta                     beta, b, effect, effect_size, log_odds, logor
odds_ratio               odds_ratio, or                        (beta = log(OR))
standard_error           standard_error, se, stderr, se_beta, sebeta, log_or_se
p_value                  p_value, p, pval, pvalue, p.value, p-value, p_bolt_lmm
neg_log_10_p_value       neg_log_10_p_value, log10p, mlog10p  (p = 10^−x)
effect_allele_frequency  effect_allele_frequency, eaf, frq, freq, freq1, af, a1freq, a1_freq
maf                      maf, minor_allele_frequency
rsid                     rsid, snp, markername, snpid, rs, rs_id, rsids
variant_id               variant_id, variant, snp_id, id
n                        n, n_total, sample_size, obs_ct, total_n
======================== ==========================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from genotex.coloc.harmonize import Chain, parse_chain
from genotex.errors import InputError
from genotex.io._checks import (
    PLINK_CHROM_CODES,
    PathLike,
    check_numeric,
    check_unique,
    open_text,
    read_head_lines,
    reading,
)

__all__ = ["SUMSTATS_ALIASES", "SUMSTATS_COLUMNS", "read_chain", "read_gwas_sumstats"]

#: Canonical field → accepted header names (lower-case), in order of preference.
SUMSTATS_ALIASES: dict[str, tuple[str, ...]] = {
    "chromosome": ("chromosome", "chr", "chrom", "#chrom", "#chr", "chromosome_name",
                   "hg38chrc"),
    "base_pair_location": ("base_pair_location", "bp", "pos", "position", "base_pair", "genpos"),
    "effect_allele": ("effect_allele", "a1", "ea", "allele1", "tested_allele", "alt",
                      "alt_allele"),
    "other_allele": ("other_allele", "a2", "nea", "allele2", "non_effect_allele", "ref",
                     "other"),
    "beta": ("beta", "b", "effect", "effect_size", "log_odds", "logor"),
    "odds_ratio": ("odds_ratio", "or"),
    "standard_error": ("standard_error", "se", "stderr", "se_beta", "sebeta", "log_or_se"),
    "p_value": ("p_value", "p", "pval", "pvalue", "p.value", "p-value", "p_bolt_lmm"),
    "neg_log_10_p_value": ("neg_log_10_p_value", "log10p", "mlog10p"),
    "effect_allele_frequency": ("effect_allele_frequency", "eaf", "frq", "freq", "freq1", "af",
                                "a1freq", "a1_freq"),
    "maf": ("maf", "minor_allele_frequency"),
    "rsid": ("rsid", "snp", "markername", "snpid", "rs", "rs_id", "rsids"),
    "variant_id": ("variant_id", "variant", "snp_id", "id"),
    "n": ("n", "n_total", "sample_size", "obs_ct", "total_n"),
}

#: Columns of the returned frame, in order.
SUMSTATS_COLUMNS = (
    "chromosome", "base_pair_location", "effect_allele", "other_allele", "beta",
    "standard_error", "p_value", "effect_allele_frequency", "maf", "rsid", "variant_id", "n",
)

_NUMERIC = ("base_pair_location", "beta", "odds_ratio", "standard_error", "p_value",
            "neg_log_10_p_value", "effect_allele_frequency", "maf", "n")
_VARIANT_ID = re.compile(r"^(?:chr)?([0-9XYMT]+)[:_]([0-9]+)[:_]([ACGTN]+)[:_]([ACGTN]+)",
                         re.IGNORECASE)
_FIX_REQUIRED = (
    "name the columns as in GWAS-SSF (chromosome, base_pair_location, effect_allele, "
    "other_allele, beta or odds_ratio, standard_error and/or p_value) or pass columns={...}"
)


def _map_columns(header: list[str], path: PathLike,
                 columns: Mapping[str, str] | None) -> dict[str, str]:
    """Canonical field → file column, explicit ``columns`` first, then aliases."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for field, col in (columns or {}).items():
        if field not in SUMSTATS_ALIASES:
            raise InputError(path, f"unknown field {field!r} in columns=",
                             f"use one of {', '.join(SUMSTATS_ALIASES)}")
        if col not in header:
            raise InputError(path, f"column {col!r} (given for {field!r}) is not in the header",
                             f"the header has: {', '.join(header)}", line=1)
        mapping[field] = col
        taken.add(col)
    lower = {h.lower(): h for h in reversed(header)}
    for field, aliases in SUMSTATS_ALIASES.items():
        if field in mapping:
            continue
        for alias in aliases:
            found = lower.get(alias)
            if found is not None and found not in taken:
                mapping[field] = found
                taken.add(found)
                break
    return mapping


def _normalize_chrom(chroms: pd.Series) -> pd.Series:
    bare = chroms.astype(str).str.removeprefix("chr").str.upper()
    return bare.map(lambda c: PLINK_CHROM_CODES.get(c, f"chr{c}"))


def _parse_variant_ids(frame: pd.DataFrame, path: PathLike, notes: list[str]) -> None:
    parts = frame["variant_id"].astype(str).str.extract(_VARIANT_ID)
    bad = parts[0].isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(path, f"no chromosome/position columns and variant_id "
                         f"{frame['variant_id'].iloc[i]!r} is not chr_pos_ref_alt",
                         _FIX_REQUIRED, line=i + 2)
    frame["chromosome"] = parts[0].to_numpy()
    frame["base_pair_location"] = parts[1].to_numpy()
    if "other_allele" not in frame:
        frame["other_allele"] = parts[2].to_numpy()
        frame["effect_allele"] = parts[3].to_numpy()
        notes.append("alleles taken from variant_id (chr_pos_ref_alt): effect = alt")
    notes.append("chromosome and base_pair_location parsed from variant_id")


def _derive_effects(frame: pd.DataFrame, path: PathLike, notes: list[str]) -> None:
    if "beta" not in frame and "odds_ratio" in frame:
        odds = frame["odds_ratio"]
        if (odds <= 0).any():
            i = int(np.flatnonzero((odds <= 0).to_numpy())[0])
            raise InputError(path, f"odds ratio {odds.iloc[i]:g} is not positive",
                             "odds ratios must be > 0 (is the column a log-OR? then name it "
                             "beta)", line=i + 2)
        frame["beta"] = np.log(odds)
        notes.append("beta = log(odds_ratio)")
    if "p_value" not in frame and "neg_log_10_p_value" in frame:
        frame["p_value"] = 10.0 ** -frame["neg_log_10_p_value"]
        notes.append("p_value = 10^-neg_log_10_p_value")
    if "beta" not in frame:
        raise InputError(path, "no effect-size column (beta or odds ratio)", _FIX_REQUIRED,
                         line=1)
    if "standard_error" not in frame and "p_value" not in frame:
        raise InputError(path, "neither a standard error nor a p-value column", _FIX_REQUIRED,
                         line=1)
    if "p_value" in frame:
        _check_range(frame, "p_value", (frame["p_value"] < 0) | (frame["p_value"] > 1),
                     "in [0, 1]", path)
    if "standard_error" not in frame:
        z = stats.norm.isf(frame["p_value"].to_numpy() / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["standard_error"] = np.abs(frame["beta"].to_numpy()) / z
        notes.append("standard_error = |beta| / z(p) (two-sided p)")
    if "p_value" not in frame:
        z = frame["beta"].to_numpy() / frame["standard_error"].to_numpy()
        frame["p_value"] = 2 * stats.norm.sf(np.abs(z))
        notes.append("p_value from beta/standard_error (normal, two-sided)")


def _check_ranges(frame: pd.DataFrame, path: PathLike) -> None:
    checks = [
        ("p_value", (frame["p_value"] < 0) | (frame["p_value"] > 1), "in [0, 1]"),
        ("standard_error", frame["standard_error"] <= 0, "positive"),
        ("base_pair_location", frame["base_pair_location"] < 1, "≥ 1 (1-based)"),
    ]
    for field in ("effect_allele_frequency", "maf"):
        if field in frame:
            checks.append((field, (frame[field] < 0) | (frame[field] > 1), "in [0, 1]"))
    for field, bad, want in checks:
        _check_range(frame, field, bad, want, path)


def _check_range(frame: pd.DataFrame, field: str, bad: pd.Series, want: str,
                 path: PathLike) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"{field} {frame[field].iloc[i]:g} is not {want}",
                         f"every {field} must be {want}", line=i + 2)


def read_gwas_sumstats(
    path: PathLike, *, columns: Mapping[str, str] | None = None, n: int | None = None,
    drop_missing: bool = False,
) -> pd.DataFrame:
    """Read GWAS summary statistics into GWAS-SSF column names.

    Parameters
    ----------
    path
        Tab-, comma- or whitespace-separated table with a header line; plain or gzipped.
    columns
        Explicit ``{field: file column}`` overrides of the alias detection (see module doc).
    n
        Sample size for every row, when the file has no ``n`` column.
    drop_missing
        Drop rows with a missing required value (reported in ``attrs["notes"]``) instead of
        raising.

    Returns
    -------
    pandas.DataFrame
        One row per variant with :data:`SUMSTATS_COLUMNS`: ``chromosome`` (``chr1`` … ``chrX``,
        genotex naming), ``base_pair_location`` (int64, 1-based, the file's build),
        upper-case ``effect_allele``/``other_allele``, ``beta`` (log-OR for case-control),
        ``standard_error``, ``p_value``, ``effect_allele_frequency``, ``maf``, ``rsid``,
        ``variant_id``, ``n`` (NaN/None when absent). ``attrs["column_map"]`` maps each field
        to the file column it came from; ``attrs["notes"]`` lists conversions made.

    Raises
    ------
    InputError
        Missing required columns, missing or non-numeric values, out-of-range values
        (p ∉ [0, 1], se ≤ 0), duplicate variants (same position and alleles).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "gwas.txt"
    >>> _ = p.write_text("SNP CHR BP A1 A2 OR SE P\\nrs1 1 100 a g 2.0 0.1 1e-5\\n")
    >>> t = read_gwas_sumstats(p)
    >>> t.loc[0, ["chromosome", "effect_allele", "rsid"]].tolist()
    ['chr1', 'A', 'rs1']
    >>> round(float(t.loc[0, "beta"]), 4), t.attrs["column_map"]["odds_ratio"]
    (0.6931, 'OR')
    """
    head = read_head_lines(path, 1)
    if not head or not head[0].strip():
        raise InputError(path, "the file is empty or has no header line",
                         "write a header line naming the columns", line=1)
    sep = "\t" if "\t" in head[0] else "," if "," in head[0] else r"\s+"
    with reading(path), open_text(path) as fh:
        raw = pd.read_csv(fh, sep=sep, dtype=str, keep_default_na=False,
                          na_values=["", "NA", "NaN", "nan", "na", "."])
    header = [str(c) for c in raw.columns]
    mapping = _map_columns(header, path, columns)
    notes: list[str] = []
    frame = pd.DataFrame({field: raw[col] for field, col in mapping.items()})
    if "chromosome" not in frame or "base_pair_location" not in frame:
        if "variant_id" not in frame:
            raise InputError(path, "no chromosome/base_pair_location columns", _FIX_REQUIRED,
                             line=1)
        _parse_variant_ids(frame, path, notes)
    for field in ("effect_allele", "other_allele"):
        if field not in frame:
            raise InputError(path, f"no {field} column", _FIX_REQUIRED, line=1)
    required = ["chromosome", "base_pair_location", "effect_allele", "other_allele"]
    required += [f for f in ("beta", "odds_ratio", "standard_error", "p_value",
                             "neg_log_10_p_value") if f in frame]
    missing = frame[required].isna().any(axis=1).to_numpy()
    if missing.any() and drop_missing:
        frame = frame.loc[~missing].reset_index(drop=True)
        notes.append(f"dropped {int(missing.sum())} rows with missing required values")
    elif missing.any():
        i = int(np.flatnonzero(missing)[0])
        col = next(c for c in required if pd.isna(frame[c].iloc[i]))
        raise InputError(path, f"missing value in column {mapping.get(col, col)!r}",
                         "fill it in, drop the row, or pass drop_missing=True", line=i + 2)
    numeric = [f for f in _NUMERIC if f in frame]
    frame[numeric] = check_numeric(frame[numeric], path, what="value", first_line=2,
                                   allow_nan=True)
    _derive_effects(frame, path, notes)
    _check_ranges(frame, path)
    if n is not None and "n" not in frame:
        frame["n"] = float(n)
        notes.append(f"n = {n} for every row (given)")
    return _finish(frame, path, mapping, notes)


def _finish(frame: pd.DataFrame, path: PathLike, mapping: dict[str, str],
            notes: list[str]) -> pd.DataFrame:
    chrom = _normalize_chrom(frame["chromosome"])
    if not frame["chromosome"].astype(str).str.startswith("chr").all():
        notes.append("chromosomes renamed to chr-prefixed names (chr1 … chrX)")
    out: dict[str, Any] = {
        "chromosome": chrom.to_numpy(),
        "base_pair_location": frame["base_pair_location"].to_numpy().astype(np.int64),
        "effect_allele": frame["effect_allele"].str.upper().to_numpy(),
        "other_allele": frame["other_allele"].str.upper().to_numpy(),
    }
    for field in ("beta", "standard_error", "p_value", "effect_allele_frequency", "maf", "n"):
        out[field] = (frame[field].to_numpy(np.float64) if field in frame
                      else np.full(len(frame), np.nan))
    if "maf" not in frame and "effect_allele_frequency" in frame:
        eaf = out["effect_allele_frequency"]
        out["maf"] = np.minimum(eaf, 1 - eaf)
    for field in ("rsid", "variant_id"):
        out[field] = frame[field].to_numpy(object) if field in frame else np.full(
            len(frame), None, dtype=object)
    table = pd.DataFrame(out, columns=list(SUMSTATS_COLUMNS))
    keys = (table["chromosome"] + ":" + table["base_pair_location"].astype(str) + ":"
            + table["other_allele"] + ":" + table["effect_allele"])
    check_unique(keys, path, what="variant (chromosome:position:other:effect)", first_line=2)
    table.attrs["column_map"] = {k: v for k, v in mapping.items()}
    table.attrs["notes"] = notes
    return table


def read_chain(path: PathLike) -> Chain:
    """Read a UCSC liftover chain file (plain or gzipped), e.g. ``hg19ToHg38.over.chain.gz``.

    See :func:`genotex.coloc.harmonize.liftover`; errors name the file and line.
    """
    try:
        with reading(path), open_text(path) as fh:
            return parse_chain(fh)
    except InputError as exc:
        if exc.path is not None:
            raise
        raise InputError(path, exc.problem, exc.fix, line=exc.line) from exc
