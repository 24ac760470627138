"""Approximate Bayes factor colocalization (coloc ``coloc.abf``, ``finemap.abf``).

Wakefield approximate Bayes factors per SNP, combined under the single-causal-variant
assumption into the posterior probabilities of the five hypotheses H0–H4 (Giambartolomei et
al. 2014). Field names, column names and numbers follow the R package coloc (``R/claudia.R``),
so results can be compared line by line with what coloc prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from genotex.errors import InputError

__all__ = [
    "ColocResult",
    "coloc_abf",
    "combine_abf",
    "finemap_abf",
    "logdiff",
    "logsum",
    "process_dataset",
    "sdy_est",
]

#: Prior standard deviation of the effect: ×sdY for quantitative traits, log-OR for case-control.
EFFECT_PRIORS = {"quant": 0.15, "cc": 0.2}
PP_NAMES = [f"PP.H{h}.abf" for h in range(5)]
_VECTORS = ("beta", "varbeta", "pvalues", "MAF", "snp", "position")
_RECOGNISED = (*_VECTORS, "N", "type", "s", "sdY")


@dataclass(frozen=True)
class ColocResult:
    """Output of :func:`coloc_abf`, shaped like coloc's ``coloc_abf`` list.

    Attributes
    ----------
    summary
        ``nsnps, PP.H0.abf … PP.H4.abf`` (a Series, named as coloc prints them).
    results
        (nsnps, …) per-SNP table: ``snp``, ``position`` (when both datasets have it), ``V.df1,
        z.df1, r.df1, lABF.df1`` and the same for ``df2``, ``internal.sum.lABF``, ``SNP.PP.H4``.
    priors
        ``p1, p2, p12`` actually used (after the ``1/(nsnps + 1)`` cap of large regions).
    sdY
        The ``sdY`` used per dataset (``"df1"``, ``"df2"``): given, estimated by
        :func:`sdy_est` (coloc warns then), or absent for case-control / p-value input.
    """

    summary: pd.Series
    results: pd.DataFrame
    priors: pd.Series
    sdY: dict[str, float]


def logsum(x: ArrayLike) -> float:
    """``log(Σ exp(x))`` computed stably (coloc ``logsum``).

    >>> bool(abs(logsum([0.0, 0.0]) - np.log(2)) < 1e-12)
    True
    """
    a = np.asarray(x, dtype=np.float64)
    m = float(np.max(a))
    return m + float(np.log(np.sum(np.exp(a - m))))


def logdiff(x: float, y: float) -> float:
    """``log(exp(x) − exp(y))``, ``-inf`` when ``y ≥ x`` (coloc ``logdiff``, clamped at 0).

    >>> bool(abs(logdiff(np.log(3.0), 0.0) - np.log(2)) < 1e-12)
    True
    """
    m = max(x, y)
    diff = max(np.exp(x - m) - np.exp(y - m), 0.0)
    with np.errstate(divide="ignore"):
        return m + float(np.log(diff))


def sdy_est(varbeta: ArrayLike, maf: ArrayLike, n: float) -> float:
    """Trait standard deviation from ``var(β̂) ≈ var(Y)/(n·2f(1−f))`` (coloc ``sdY.est``).

    No-intercept least squares of ``2n·f(1−f)`` on ``1/varbeta``; the slope estimates var(Y).

    Parameters
    ----------
    varbeta
        (n_snps,) variances of the effect estimates.
    maf
        (n_snps,) minor allele frequencies.
    n
        Sample size.
    """
    oneover = 1.0 / np.asarray(varbeta, dtype=np.float64)
    nvx = 2.0 * n * np.asarray(maf, dtype=np.float64) * (1.0 - np.asarray(maf, dtype=np.float64))
    cf = float(np.dot(oneover, nvx) / np.dot(oneover, oneover))
    if cf < 0:
        raise InputError(None, "estimated sdY is negative (small dataset or errors in it)",
                         "give sdY for the quantitative trait")
    return float(np.sqrt(cf))


def _abf(z: NDArray[np.float64], v: NDArray[np.float64], sd_prior: float) -> pd.DataFrame:
    r = sd_prior**2 / (sd_prior**2 + v)
    labf = 0.5 * (np.log1p(-r) + r * z**2)
    return pd.DataFrame({"V": v, "z": z, "r": r, "lABF": labf})


def _vec(d: Mapping[str, Any], key: str) -> NDArray[np.float64]:
    return np.atleast_1d(np.asarray(d[key], dtype=np.float64))


def check_dataset(d: Mapping[str, Any], name: str) -> None:
    """Raise :class:`InputError` on what coloc's ``check_dataset`` rejects."""
    fix = "see coloc::check_dataset for the required fields"
    if not isinstance(d, Mapping):
        raise InputError(name, "is not a mapping of coloc field names", fix)
    for req in ("type", "snp"):
        if req not in d:
            raise InputError(name, f"missing required element {req!r}", fix)
    if d["type"] not in ("quant", "cc"):
        raise InputError(name, f"type must be 'quant' or 'cc', not {d['type']!r}", fix)
    lengths = {}
    for key in _RECOGNISED:
        if key not in d or key == "type":
            continue
        values = pd.Series(np.atleast_1d(np.asarray(d[key], dtype=object)))
        if values.isna().any():
            raise InputError(name, f"{key} contains missing values", "drop those SNPs first")
        if key in _VECTORS:
            lengths[key] = len(values)
    if len(set(lengths.values())) > 1:
        raise InputError(name, f"lengths of inputs don't match: {lengths}", fix)
    snp = pd.Index(np.atleast_1d(np.asarray(d["snp"])))
    if not snp.is_unique:
        raise InputError(name, f"duplicated snps found: {list(snp[snp.duplicated()][:5])}",
                         "make snp unique")
    if "MAF" in d:
        maf = _vec(d, "MAF")
        if np.any((maf <= 0) | (maf >= 1)):
            raise InputError(name, "MAF should be strictly > 0 and < 1", "drop monomorphic SNPs")
    if "N" in d and np.size(d["N"]) != 1:
        raise InputError(name, "N should be a single number (no per-SNP sample sizes)", fix)
    if "s" in d and not 0 < float(d["s"]) < 1:
        raise InputError(name, "s (fraction of cases) must be between 0 and 1", fix)
    if "beta" in d and "varbeta" in d:
        vb = _vec(d, "varbeta")
        if np.any(~np.isfinite(_vec(d, "beta")) | ~np.isfinite(vb)):
            raise InputError(name, "infinite values in beta and/or varbeta", fix)
        if np.any(vb == 0):
            raise InputError(name, "zero values in varbeta", fix)
        return
    if "pvalues" not in d or "MAF" not in d:
        raise InputError(name, "require pvalues and MAF when beta, varbeta are unavailable", fix)
    if np.any(_vec(d, "pvalues") <= 0):
        raise InputError(name, "pvalues should not be negative or exactly 0", fix)
    if d["type"] == "cc" and "s" not in d:
        raise InputError(name, "require s, the proportion of cases, when using p-values", fix)
    if "N" not in d or float(d["N"]) <= 0:
        raise InputError(name, "sample size N <= 0 or not set", fix)


def process_dataset(d: Mapping[str, Any], suffix: str) -> tuple[pd.DataFrame, float | None]:
    """Per-SNP ``V, z, r, lABF`` (suffixed ``.<suffix>``), as coloc ``process.dataset``.

    Returns the table and the ``sdY`` used (None when not applicable).
    """
    sdy: float | None = None
    if "beta" in d and "varbeta" in d:
        vb = _vec(d, "varbeta")
        z = _vec(d, "beta") / np.sqrt(vb)
        if d["type"] == "quant":
            sdy = float(d["sdY"]) if "sdY" in d else sdy_est(vb, _vec(d, "MAF"), float(d["N"]))
            sd_prior = EFFECT_PRIORS["quant"] * sdy
        else:
            sd_prior = EFFECT_PRIORS["cc"]
        df = _abf(z, vb, sd_prior)
        df.columns = [f"{c}.{suffix}" for c in df.columns]
    else:
        p = _vec(d, "pvalues")
        f = _vec(d, "MAF")
        n = float(d["N"])
        v = 1.0 / (2.0 * n * f * (1.0 - f))
        if d["type"] == "cc":
            s = float(d["s"])
            v = v / (s * (1.0 - s))
        z = stats.norm.isf(0.5 * p)
        abf = _abf(z, v, EFFECT_PRIORS[str(d["type"])])
        df = pd.concat([pd.DataFrame({"pvalues": p, "MAF": f, "N": n}), abf], axis=1)
        df.columns = [f"{c}.{suffix}" for c in df.columns]
    df.insert(0, "snp", np.atleast_1d(np.asarray(d["snp"])).astype(str))
    if "position" in d:
        df.insert(1, "position", np.atleast_1d(np.asarray(d["position"])))
    return df, sdy


def adjust_prior(p: float, nsnps: int) -> float:
    """``p``, or ``1/(nsnps + 1)`` when ``nsnps·p ≥ 1`` (coloc ``adjust_prior``)."""
    return 1.0 / (nsnps + 1) if nsnps * p >= 1 else p


def combine_abf(l1: ArrayLike, l2: ArrayLike, *, p1: float, p2: float,
                p12: float) -> NDArray[np.float64]:
    """Posterior probabilities of H0–H4 from the per-SNP log ABFs (coloc ``combine.abf``).

    Parameters
    ----------
    l1, l2
        (n_snps,) log ABFs of the two traits at the same SNPs.
    p1, p2, p12
        Prior probabilities that a SNP is causal for trait 1, trait 2, both.

    Returns
    -------
    (5,) PP.H0 … PP.H4.
    """
    a = np.asarray(l1, dtype=np.float64)
    b = np.asarray(l2, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError("l1 and l2 must have the same length")
    s1, s2, s12 = logsum(a), logsum(b), logsum(a + b)
    lh = np.array([
        0.0,
        np.log(p1) + s1,
        np.log(p2) + s2,
        np.log(p1) + np.log(p2) + logdiff(s1 + s2, s12),
        np.log(p12) + s12,
    ])
    return np.exp(lh - logsum(lh))


def coloc_abf(dataset1: Mapping[str, Any], dataset2: Mapping[str, Any], p1: float = 1e-4,
              p2: float = 1e-4, p12: float = 1e-5) -> ColocResult:
    """Bayesian colocalization of two traits under one causal variant each (coloc.abf).

    Parameters
    ----------
    dataset1, dataset2
        Mappings with coloc's field names. Vectors (n_snps,): ``snp`` (required), ``beta`` and
        ``varbeta`` (preferred) or ``pvalues`` (two-sided) with ``MAF``, optional ``position``.
        Scalars: ``type`` (``"quant"``/``"cc"``, required), ``sdY`` (quant; estimated from
        ``varbeta``, ``MAF`` and ``N`` when absent), ``N``, ``s`` (fraction of cases, cc).
    p1, p2, p12
        Prior probabilities that a SNP is causal for trait 1, trait 2, both. Capped at
        ``1/(nsnps + 1)`` for very large regions, as coloc does.

    Returns
    -------
    ColocResult
        ``summary`` (nsnps, PP.H0.abf … PP.H4.abf), per-SNP ``results``, ``priors``.

    Notes
    -----
    SNPs are matched by ``snp`` (and ``position`` when both datasets have it); the per-SNP
    table keeps dataset1's order (R's ``merge`` sorts by SNP name instead).

    References
    ----------
    Giambartolomei et al. (2014) PLoS Genet 10:e1004383; Wakefield (2009) Genet Epidemiol
    33:79; coloc ``coloc.abf`` (chr1swallace/coloc ``R/claudia.R``).

    Examples
    --------
    >>> d1 = {"snp": ["a", "b", "c"], "beta": [0.5, 0.1, 0.0], "varbeta": [0.01] * 3,
    ...       "type": "quant", "sdY": 1.0}
    >>> res = coloc_abf(d1, d1)
    >>> int(res.summary["nsnps"]), bool(res.summary["PP.H4.abf"] > 0.9)
    (3, True)
    """
    check_dataset(dataset1, "dataset1")
    check_dataset(dataset2, "dataset2")
    df1, sdy1 = process_dataset(dataset1, "df1")
    df2, sdy2 = process_dataset(dataset2, "df2")
    p1 = adjust_prior(p1, len(df1))
    p2 = adjust_prior(p2, len(df2))
    keys = [k for k in ("snp", "position") if k in df1.columns and k in df2.columns]
    merged = df1.merge(df2, on=keys, how="inner", sort=False)
    if merged.empty:
        raise InputError("dataset2", "no SNPs in common with dataset1",
                         "give both datasets the same snp identifiers")
    p12 = adjust_prior(p12, len(merged))
    merged["internal.sum.lABF"] = merged["lABF.df1"] + merged["lABF.df2"]
    total = merged["internal.sum.lABF"].to_numpy()
    merged["SNP.PP.H4"] = np.exp(total - logsum(total))
    pp = combine_abf(merged["lABF.df1"], merged["lABF.df2"], p1=p1, p2=p2, p12=p12)
    summary = pd.Series([float(len(merged)), *pp], index=["nsnps", *PP_NAMES])
    priors = pd.Series({"p1": p1, "p2": p2, "p12": p12})
    sdys = {k: v for k, v in (("df1", sdy1), ("df2", sdy2)) if v is not None}
    return ColocResult(summary=summary, results=merged, priors=priors, sdY=sdys)


def finemap_abf(dataset: Mapping[str, Any], p1: float = 1e-4) -> pd.DataFrame:
    """Posterior probability that each SNP is the single causal variant (coloc finemap.abf).

    Parameters
    ----------
    dataset
        A coloc dataset (see :func:`coloc_abf`).
    p1
        Prior probability that a SNP is causal.

    Returns
    -------
    (n_snps + 1, …) table with coloc's columns ``V., z., r., lABF.``, ``snp``, ``position``,
    ``prior`` and ``SNP.PP``; the last row is the ``"null"`` model (lABF 0, prior
    ``1 − n_snps·p1``).

    Examples
    --------
    >>> d = {"snp": ["a", "b"], "beta": [1.0, 0.0], "varbeta": [0.01, 0.01], "type": "cc"}
    >>> fm = finemap_abf(d)
    >>> list(fm["snp"]), bool(fm["SNP.PP"].iloc[0] > 0.99)
    (['a', 'b', 'null'], True)
    """
    check_dataset(dataset, "dataset")
    df, _ = process_dataset(dataset, "")
    nsnps = len(df)
    p1 = adjust_prior(p1, nsnps)
    cols: dict[str, Any] = {}
    for col in df.columns:
        values = df[col].to_numpy()
        if col == "snp":
            cols[col] = np.append(values.astype(object), "null")
        else:
            cols[col] = np.append(values.astype(np.float64), 0.0 if col == "lABF." else np.nan)
    df = pd.DataFrame(cols)
    df["prior"] = np.r_[np.full(nsnps, p1), 1.0 - nsnps * p1]
    lpost = df["lABF."].to_numpy() + np.log(df["prior"].to_numpy())
    df["SNP.PP"] = np.exp(lpost - logsum(lpost))
    return df
