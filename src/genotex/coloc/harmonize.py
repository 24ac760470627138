"""Harmonise GWAS summary statistics to a release's variants (chrom, pos, ref, alt).

Effects are re-expressed per ALT allele (genotex's eQTL convention, see QTL_SPEC pitfall 7):

=========================  ==========================================  ======================
case                       GWAS effect/other vs release alt/ref        action
=========================  ==========================================  ======================
``exact``                  EA = alt, OA = ref                          keep
``swapped``                EA = ref, OA = alt                          β → −β, EAF → 1 − EAF
``strand_flipped``         complement(EA) = alt, complement(OA) = ref  keep
``strand_flipped_swapped`` complement(EA) = ref, complement(OA) = alt  β → −β, EAF → 1 − EAF
``palindromic``            A/T or C/G SNP: strand cannot be told        drop, or resolve by
                                                                       frequency (option)
=========================  ==========================================  ======================

Genome build mismatches (GRCh37 positions against a GRCh38 release) are detected from the
caller's known b37↔b38 position pairs (:func:`detect_build`); a UCSC chain (parsed from its
text by :func:`parse_chain`) lifts positions over (:func:`liftover`). No network, no downloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from genotex.errors import InputError

__all__ = [
    "BuildReport",
    "Chain",
    "HarmonizeResult",
    "detect_build",
    "harmonize_gwas",
    "liftover",
    "parse_chain",
]

_COMPLEMENT = str.maketrans("ACGTacgt", "TGCAtgca")
CASES = ("exact", "swapped", "strand_flipped", "strand_flipped_swapped", "palindromic_resolved")


def complement(alleles: pd.Series) -> pd.Series:
    """Base-wise complement (not reversed), e.g. ``AG`` → ``TC``."""
    return alleles.str.translate(_COMPLEMENT)


@dataclass(frozen=True)
class HarmonizeResult:
    """Output of :func:`harmonize_gwas`.

    Attributes
    ----------
    table
        One row per matched (GWAS row, release variant): the release's ``chrom, pos, ref, alt``
        (and ``variant_id`` when given), ``beta``/``standard_error``/``p_value`` with beta per
        ALT allele, ``alt_allele_frequency`` (GWAS EAF re-expressed for ALT), ``rsid``, ``n``,
        ``gwas_row`` (row position in the GWAS table) and ``harmonization`` (the case).
    report
        Counts: ``n_gwas``, each case, ``palindromic_dropped``, ``allele_mismatch`` (position
        matched, alleles incompatible) and ``not_in_release`` (position absent).
    """

    table: pd.DataFrame
    report: dict[str, int] = field(default_factory=dict)


def _is_palindromic(a: pd.Series, b: pd.Series) -> NDArray[np.bool_]:
    return ((a.str.len() == 1) & (b.str.len() == 1) & (complement(a) == b)).to_numpy()


def harmonize_gwas(
    gwas: pd.DataFrame, variants: pd.DataFrame, *,
    palindromic: Literal["drop", "frequency"] = "drop", max_palindromic_maf: float = 0.4,
) -> HarmonizeResult:
    """Match GWAS rows to release variants and align effects to the ALT allele.

    Parameters
    ----------
    gwas
        (n_gwas, …) as :func:`genotex.io.sumstats.read_gwas_sumstats` returns: ``chromosome``,
        ``base_pair_location``, ``effect_allele``, ``other_allele``, ``beta``,
        ``standard_error``, ``p_value``, optional ``effect_allele_frequency``, ``rsid``, ``n``.
    variants
        (n_variants, …) release variants: ``chrom``, ``pos`` (1-based, same build),
        ``ref``, ``alt``; optional ``variant_id`` and ``alt_freq`` (ALT frequency in the
        release, needed to resolve palindromic SNPs by frequency).
    palindromic
        ``"drop"`` every A/T, C/G SNP, or ``"frequency"``: keep those whose GWAS EAF and
        release ALT frequency both have MAF ≤ ``max_palindromic_maf``, aligning the effect
        allele to ALT when both frequencies are on the same side of 0.5.
    max_palindromic_maf
        Palindromic SNPs with a MAF above this are too close to 0.5 to resolve.

    Returns
    -------
    HarmonizeResult

    Examples
    --------
    >>> g = pd.DataFrame({"chromosome": ["chr1"] * 2, "base_pair_location": [10, 20],
    ...                   "effect_allele": ["G", "T"], "other_allele": ["A", "G"],
    ...                   "beta": [0.5, 0.2], "standard_error": [0.1, 0.1],
    ...                   "p_value": [1e-6, 0.05]})
    >>> v = pd.DataFrame({"chrom": ["chr1"] * 2, "pos": [10, 20], "ref": ["G", "C"],
    ...                   "alt": ["A", "A"]})
    >>> r = harmonize_gwas(g, v)
    >>> r.table[["pos", "beta", "harmonization"]].values.tolist()
    [[10, -0.5, 'swapped'], [20, 0.2, 'strand_flipped']]
    """
    need_g = ["chromosome", "base_pair_location", "effect_allele", "other_allele", "beta"]
    need_v = ["chrom", "pos", "ref", "alt"]
    for table, need, name in ((gwas, need_g, "gwas"), (variants, need_v, "variants")):
        missing = [c for c in need if c not in table.columns]
        if missing:
            raise InputError(name, f"missing columns {missing}", f"give columns {need}")
    g = gwas.reset_index(drop=True).assign(gwas_row=np.arange(len(gwas)))
    v = variants.reset_index(drop=True)
    m = g.merge(v, left_on=["chromosome", "base_pair_location"], right_on=["chrom", "pos"],
                how="inner")
    ea, oa = m["effect_allele"].str.upper(), m["other_allele"].str.upper()
    ref, alt = m["ref"].str.upper(), m["alt"].str.upper()
    cea, coa = complement(ea), complement(oa)
    pal = _is_palindromic(ref, alt)
    conditions = {
        "exact": ((ea == alt) & (oa == ref)).to_numpy(),
        "swapped": ((ea == ref) & (oa == alt)).to_numpy(),
        "strand_flipped": ((cea == alt) & (coa == ref) & (ea != alt)).to_numpy(),
        "strand_flipped_swapped": ((cea == ref) & (coa == alt) & (ea != ref)).to_numpy(),
    }
    case = np.full(len(m), "", dtype=object)
    for name, cond in conditions.items():
        case[(case == "") & cond] = name
    compatible = case != ""
    sign = np.where(np.isin(case, ["swapped", "strand_flipped_swapped"]), -1.0, 1.0)
    eaf = (m["effect_allele_frequency"].to_numpy(np.float64)
           if "effect_allele_frequency" in m else np.full(len(m), np.nan))
    if palindromic == "frequency":
        alt_freq = m["alt_freq"].to_numpy(np.float64) if "alt_freq" in m else np.full(
            len(m), np.nan)
        with np.errstate(invalid="ignore"):
            clear = ((np.minimum(eaf, 1 - eaf) <= max_palindromic_maf)
                     & (np.minimum(alt_freq, 1 - alt_freq) <= max_palindromic_maf))
            same_side = (eaf - 0.5) * (alt_freq - 0.5) > 0
        ea_is_alt_or_ref = ((ea == alt) | (ea == ref)).to_numpy()
        resolved = pal & compatible & clear & ea_is_alt_or_ref
        sign = np.where(resolved, np.where(same_side, 1.0, -1.0), sign)
        case[resolved] = "palindromic_resolved"
        drop_pal = pal & compatible & ~resolved
    elif palindromic == "drop":
        drop_pal = pal & compatible
    else:
        raise ValueError(f"palindromic must be 'drop' or 'frequency', not {palindromic!r}")
    n_pal_dropped = int(pal[compatible].sum() - (case == "palindromic_resolved").sum())
    keep = compatible & ~drop_pal
    out = m.loc[keep].copy()
    s = sign[keep]
    out["beta"] = out["beta"].to_numpy(np.float64) * s
    out["alt_allele_frequency"] = np.where(s > 0, eaf[keep], 1 - eaf[keep])
    out["harmonization"] = case[keep]
    cols = ["chrom", "pos", "ref", "alt", "variant_id", "beta", "standard_error", "p_value",
            "alt_allele_frequency", "rsid", "n", "gwas_row", "harmonization"]
    out = out[[c for c in cols if c in out.columns]].reset_index(drop=True)
    matched_rows = set(m["gwas_row"])
    compatible_rows = set(m.loc[compatible, "gwas_row"])
    report = {"n_gwas": len(g), **{c: int((out["harmonization"] == c).sum()) for c in CASES},
              "palindromic_dropped": n_pal_dropped,
              "allele_mismatch": len(matched_rows - compatible_rows),
              "not_in_release": len(g) - len(matched_rows)}
    return HarmonizeResult(table=out, report=report)


@dataclass(frozen=True)
class BuildReport:
    """Which genome build a GWAS's positions are on, from known b37↔b38 position pairs."""

    build: Literal["b37", "b38", "unknown"]
    match_b37: float
    match_b38: float
    n_tested: int


def detect_build(gwas: pd.DataFrame, known: pd.DataFrame, *,
                 min_fraction: float = 0.8) -> BuildReport:
    """Guess the GWAS build from the fraction of known variants found at each build's position.

    Parameters
    ----------
    gwas
        ``chromosome``, ``base_pair_location``, ``effect_allele``, ``other_allele``.
    known
        Caller-provided variants with both coordinates: ``chrom``, ``pos_b37``, ``pos_b38``,
        ``ref``, ``alt`` (e.g. the release's variants with their GRCh37 positions). Only
        variants whose positions differ between builds are informative.
    min_fraction
        The winning build must match at least this fraction of the informative variants
        that the GWAS has under either build.

    Returns
    -------
    BuildReport
        Fractions of informative known variants the GWAS has (same alleles, either order) at
        the b37 and at the b38 position, and the verdict.
    """
    k = known.loc[known["pos_b37"] != known["pos_b38"]].reset_index(drop=True)
    g = gwas[["chromosome", "base_pair_location", "effect_allele", "other_allele"]]
    g_alleles = g["effect_allele"].str.upper() + ">" + g["other_allele"].str.upper()
    g_set = set(zip(g["chromosome"], g["base_pair_location"], g_alleles, strict=True))
    g_set |= set(zip(g["chromosome"], g["base_pair_location"],
                     g["other_allele"].str.upper() + ">" + g["effect_allele"].str.upper(),
                     strict=True))
    alleles = k["alt"].str.upper() + ">" + k["ref"].str.upper()
    hits = {}
    for name in ("b37", "b38"):
        keys = zip(k["chrom"], k[f"pos_{name}"], alleles, strict=True)
        hits[name] = np.array([key in g_set for key in keys], dtype=bool)
    tested = int((hits["b37"] | hits["b38"]).sum())
    f37 = float(hits["b37"].sum() / tested) if tested else 0.0
    f38 = float(hits["b38"].sum() / tested) if tested else 0.0
    build: Literal["b37", "b38", "unknown"] = "unknown"
    if tested and f37 >= min_fraction and f37 > f38:
        build = "b37"
    elif tested and f38 >= min_fraction and f38 > f37:
        build = "b38"
    return BuildReport(build=build, match_b37=f37, match_b38=f38, n_tested=tested)


@dataclass(frozen=True)
class Chain:
    """Aligned blocks of a UCSC chain, per source chromosome, sorted by source start.

    ``blocks[chrom]`` is a DataFrame with ``t_start, t_end`` (0-based half-open, source),
    ``q_chrom``, ``q_start`` (0-based, target forward strand start of the block),
    ``q_strand`` and ``q_size``.
    """

    blocks: dict[str, pd.DataFrame]


def parse_chain(lines: Iterable[str]) -> Chain:
    """Parse UCSC chain text (e.g. hg19ToHg38.over.chain) into aligned blocks.

    >>> text = ["chain 100 chr1 1000 + 0 100 chr1 1000 + 10 110 1", "50 5 5", "45", ""]
    >>> parse_chain(text).blocks["chr1"][["t_start", "t_end", "q_start"]].values.tolist()
    [[0, 50, 10], [55, 100, 65]]
    """
    rows: list[tuple[str, int, int, str, int, str, int]] = []
    header: list[str] | None = None
    t = q = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if parts[0] == "chain":
            if len(parts) < 12:
                raise InputError(None, "chain header needs 12 fields", "check the chain file",
                                 line=number)
            header = parts
            t, q = int(parts[5]), int(parts[10])
            continue
        if header is None:
            raise InputError(None, "alignment data before a 'chain' header",
                             "check the chain file", line=number)
        size = int(parts[0])
        rows.append((header[2], t, t + size, header[7], q, header[9], int(header[8])))
        if len(parts) >= 3:
            t += size + int(parts[1])
            q += size + int(parts[2])
    frame = pd.DataFrame(rows, columns=["t_chrom", "t_start", "t_end", "q_chrom", "q_start",
                                        "q_strand", "q_size"])
    blocks = {str(c): b.drop(columns="t_chrom").sort_values("t_start", kind="stable")
              .reset_index(drop=True) for c, b in frame.groupby("t_chrom", sort=False)}
    return Chain(blocks=blocks)


def liftover(chrom: ArrayLike, pos: ArrayLike, chain: Chain) -> pd.DataFrame:
    """Lift 1-based positions through a chain.

    Parameters
    ----------
    chrom, pos
        (n,) source chromosomes and 1-based positions.
    chain
        From :func:`parse_chain`.

    Returns
    -------
    (n, 3) ``chrom``, ``pos`` (1-based; ``pos`` is 0 and ``chrom`` missing where unmapped) and
    ``strand`` (``"-"`` where the target is reverse: alleles must then be complemented).
    """
    c = np.asarray(chrom, dtype=object)
    p0 = np.asarray(pos, dtype=np.int64) - 1
    out_chrom = np.full(c.size, None, dtype=object)
    out_pos = np.zeros(c.size, dtype=np.int64)
    out_strand = np.full(c.size, "+", dtype=object)
    for name in pd.unique(c):
        blocks = chain.blocks.get(str(name))
        if blocks is None:
            continue
        idx = np.flatnonzero(c == name)
        starts = blocks["t_start"].to_numpy()
        j = np.searchsorted(starts, p0[idx], side="right") - 1
        ok = j >= 0
        ok[ok] = p0[idx[ok]] < blocks["t_end"].to_numpy()[j[ok]]
        hit, jb = idx[ok], j[ok]
        q = blocks["q_start"].to_numpy()[jb] + (p0[hit] - starts[jb])
        minus = blocks["q_strand"].to_numpy()[jb] == "-"
        q = np.where(minus, blocks["q_size"].to_numpy()[jb] - 1 - q, q)
        out_chrom[hit] = blocks["q_chrom"].to_numpy()[jb]
        out_pos[hit] = q + 1
        out_strand[hit] = np.where(minus, "-", "+")
    return pd.DataFrame({"chrom": out_chrom, "pos": out_pos, "strand": out_strand})
