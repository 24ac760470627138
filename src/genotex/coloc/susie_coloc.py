"""Colocalization over SuSiE credible sets (coloc ``coloc.susie`` / ``coloc.bf_bf``).

SuSiE splits a locus into single-effect components; each credible set's per-SNP log Bayes
factors (SuSiE's ``lbf_variable`` row) replace the single-SNP ABFs of :func:`coloc_abf`, and
every pair of credible sets (one per trait) is combined with the same ``combine.abf``.
The SuSiE fit itself is not done here: pass the ``lbf_variable`` matrices (from
``genotex.qtl.susie`` or susieR) and which rows are credible sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from genotex.coloc.abf import PP_NAMES, combine_abf, logsum
from genotex.errors import InputError

__all__ = [
    "ColocSusieResult",
    "coloc_bf_bf",
    "coloc_susie",
    "logbf_to_pp",
    "susie_credible_sets",
]


@dataclass(frozen=True)
class ColocSusieResult:
    """One row per pair of credible sets, as coloc's ``coloc.susie`` summary.

    Attributes
    ----------
    summary
        Columns ``nsnps, hit1, hit2, PP.H0.abf … PP.H4.abf, idx1, idx2``; ``idx1``/``idx2`` are
        the 0-based rows of the lbf matrices (SuSiE effects) the pair came from. Pairs dropped
        by ``trim_by_posterior`` are absent.
    results
        (n_shared_snps, 1 + n_pairs): ``snp`` and one ``SNP.PP.H4.row<k>`` column per pair
        (``SNP.PP.H4.abf`` when there is one pair).
    priors
        ``p1, p2, p12``.
    """

    summary: pd.DataFrame
    results: pd.DataFrame
    priors: pd.Series


def logbf_to_pp(bf: ArrayLike, pi: float, *, last_is_null: bool) -> NDArray[np.float64]:
    """Per-row posterior probabilities from log BFs (coloc ``logbf_to_pp``).

    Parameters
    ----------
    bf
        (L, n_columns) log Bayes factors.
    pi
        Prior per SNP (capped at 1/n); with ``last_is_null`` the last column is the null model
        with prior ``1 − n·pi`` (coloc treats the last column so even when it is a SNP).
    """
    b = np.atleast_2d(np.asarray(bf, dtype=np.float64))
    n = b.shape[1] - 1 if last_is_null else b.shape[1]
    pi = min(pi, 1.0 / n)
    prior = np.r_[np.full(n, pi), 1 - n * pi] if last_is_null else np.full(n, pi)
    if np.any(prior == 0):
        prior = np.where(prior == 0, 1e-16, prior)
        prior = prior / prior.sum()
    if last_is_null:
        b = b - b[:, -1:]
    lp = b + np.log(prior)
    denom = np.array([logsum(row) for row in lp])
    return np.exp(lp - denom[:, None])


def _hits(bf: NDArray[np.float64], names: NDArray[np.str_]) -> NDArray[np.str_]:
    return names[np.argmax(bf, axis=1)]


def coloc_bf_bf(
    bf1: ArrayLike, bf2: ArrayLike, *, snps1: Sequence[str], snps2: Sequence[str],
    p1: float = 1e-4, p2: float = 1e-4, p12: float = 5e-6, overlap_min: float = 0.5,
    trim_by_posterior: bool = True,
) -> ColocSusieResult:
    """Colocalize every pair of signals given as log Bayes factor rows (coloc ``coloc.bf_bf``).

    Parameters
    ----------
    bf1, bf2
        (L1, n_snps1) and (L2, n_snps2) log Bayes factors, one row per signal; a column named
        ``"null"`` is the null model.
    snps1, snps2
        Column names (SNP ids) of ``bf1``/``bf2``; SNPs are matched by name.
    p1, p2, p12
        Priors; coloc's default ``p12`` here is 5e-6.
    overlap_min, trim_by_posterior
        Drop a pair when either signal has less than ``overlap_min`` of its posterior on SNPs
        the other dataset has.

    Returns
    -------
    ColocSusieResult
    """
    b1 = np.atleast_2d(np.asarray(bf1, dtype=np.float64))
    b2 = np.atleast_2d(np.asarray(bf2, dtype=np.float64))
    n1, n2 = np.asarray(snps1, dtype=str), np.asarray(snps2, dtype=str)
    if b1.shape[1] != n1.size or b2.shape[1] != n2.size:
        raise InputError(None, "lbf matrices need one column per SNP name",
                         "pass snps1/snps2 with the lbf matrices' column names")
    shared = [s for s in n1 if s in set(n2) and s != "null"]
    priors = pd.Series({"p1": p1, "p2": p2, "p12": p12})
    if not shared:
        raise InputError(None, "the two datasets share no SNPs", "use the same SNP ids")
    if "null" in n1:
        b1 = b1 - b1[:, n1 == "null"]
    if "null" in n2:
        b2 = b2 - b2[:, n2 == "null"]
    props = []
    for b, names, p in ((b1, n1, p1), (b2, n2, p2)):
        pp = logbf_to_pp(b, p, last_is_null=True)
        inset = np.isin(names, shared)
        props.append(pp[:, inset].sum(1) / pp[:, names != "null"].sum(1))
    todo = [(i, j) for j in range(b2.shape[0]) for i in range(b1.shape[0])]
    if trim_by_posterior:
        todo = [(i, j) for i, j in todo
                if props[0][i] >= overlap_min and props[1][j] >= overlap_min]
    c1 = b1[:, [int(np.flatnonzero(n1 == s)[0]) for s in shared]]
    c2 = b2[:, [int(np.flatnonzero(n2 == s)[0]) for s in shared]]
    names = np.asarray(shared, dtype=str)
    hit1, hit2 = _hits(c1, names), _hits(c2, names)
    rows, pps = [], {}
    for k, (i, j) in enumerate(todo):
        total = c1[i] + c2[j]
        pps[k] = np.exp(total - logsum(total))
        pp = combine_abf(c1[i], c2[j], p1=p1, p2=p2, p12=p12)
        rows.append([len(shared), hit1[i], hit2[j], *pp, i, j])
    summary = pd.DataFrame(rows, columns=["nsnps", "hit1", "hit2", *PP_NAMES, "idx1", "idx2"])
    if len(todo) == 1:
        pp_cols = {"SNP.PP.H4.abf": pps[0]}
    else:
        pp_cols = {f"SNP.PP.H4.row{k + 1}": v for k, v in pps.items()}
    results = pd.DataFrame({"snp": names, **pp_cols})
    return ColocSusieResult(summary=summary, results=results, priors=priors)


def coloc_susie(
    lbf1: ArrayLike, lbf2: ArrayLike, *, snps1: Sequence[str], snps2: Sequence[str],
    cs1: Sequence[int], cs2: Sequence[int], p1: float = 1e-4, p2: float = 1e-4,
    p12: float = 5e-6, overlap_min: float = 0.5, trim_by_posterior: bool = True,
) -> ColocSusieResult:
    """coloc.susie: colocalize every pair of SuSiE credible sets of two traits.

    Parameters
    ----------
    lbf1, lbf2
        (L, n_snps) SuSiE ``lbf_variable`` matrices of each trait (all L effects).
    snps1, snps2
        SNP ids of the columns.
    cs1, cs2
        0-based rows of ``lbf1``/``lbf2`` that are credible sets (susieR ``sets$cs_index``
        minus 1; see :func:`susie_credible_sets`). Empty → an empty summary, as coloc warns
        "at least one dataset has no credible sets".
    p1, p2, p12, overlap_min, trim_by_posterior
        As :func:`coloc_bf_bf`.

    Returns
    -------
    ColocSusieResult
        ``idx1``/``idx2`` are the SuSiE effect rows (values of ``cs1``/``cs2``).

    References
    ----------
    Wallace (2021) PLoS Genet 17:e1009440; coloc ``R/susie.R``.

    Examples
    --------
    >>> lbf = np.array([[0.0, 12.0, 0.5], [9.0, 0.0, 0.0]])
    >>> res = coloc_susie(lbf, lbf, snps1=["a", "b", "c"], snps2=["a", "b", "c"],
    ...                   cs1=[0, 1], cs2=[0, 1])
    >>> res.summary[["hit1", "hit2"]].values.tolist()
    [['b', 'b'], ['a', 'b'], ['b', 'a'], ['a', 'a']]
    """
    rows1, rows2 = np.asarray(cs1, dtype=np.int64), np.asarray(cs2, dtype=np.int64)
    if rows1.size == 0 or rows2.size == 0:
        empty = pd.DataFrame(columns=["nsnps", "hit1", "hit2", *PP_NAMES, "idx1", "idx2"])
        return ColocSusieResult(summary=empty, results=pd.DataFrame({"snp": []}),
                                priors=pd.Series({"p1": p1, "p2": p2, "p12": p12}))
    l1 = np.atleast_2d(np.asarray(lbf1, dtype=np.float64))[rows1]
    l2 = np.atleast_2d(np.asarray(lbf2, dtype=np.float64))[rows2]
    res = coloc_bf_bf(l1, l2, snps1=snps1, snps2=snps2, p1=p1, p2=p2, p12=p12,
                      overlap_min=overlap_min, trim_by_posterior=trim_by_posterior)
    res.summary["idx1"] = rows1[res.summary["idx1"].to_numpy(np.int64)]
    res.summary["idx2"] = rows2[res.summary["idx2"].to_numpy(np.int64)]
    return res


def susie_credible_sets(
    alpha: ArrayLike, *, coverage: float = 0.95, ld: ArrayLike | None = None,
    min_abs_corr: float = 0.5,
) -> tuple[list[int], list[NDArray[np.int64]]]:
    """Credible sets of a SuSiE fit, as susieR ``susie_get_cs`` (without ``X``).

    Parameters
    ----------
    alpha
        (L, n_snps) posterior inclusion probabilities of each single effect.
    coverage
        Smallest set of SNPs (largest alpha first) whose alpha sums to ≥ ``coverage``.
    ld
        (n_snps, n_snps) correlation; when given, sets with purity (min |r| within the set)
        below ``min_abs_corr`` are dropped.

    Returns
    -------
    cs_index, sets
        0-based effect rows kept, and each one's SNP column indices (sorted). Effects whose
        sets are identical are kept once (the first).
    """
    a = np.atleast_2d(np.asarray(alpha, dtype=np.float64))
    r = None if ld is None else np.abs(np.asarray(ld, dtype=np.float64))
    index: list[int] = []
    sets: list[NDArray[np.int64]] = []
    seen: set[tuple[int, ...]] = set()
    for row in range(a.shape[0]):
        order = np.argsort(-a[row], kind="stable")
        n_in = int(np.searchsorted(np.cumsum(a[row, order]), coverage) + 1)
        members = np.sort(order[:min(n_in, a.shape[1])])
        key = tuple(int(x) for x in members)
        if key in seen:
            continue
        if r is not None and members.size > 1 and r[np.ix_(members, members)].min() < min_abs_corr:
            continue
        seen.add(key)
        index.append(row)
        sets.append(members.astype(np.int64))
    return index, sets
