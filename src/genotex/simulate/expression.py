"""Gene read counts and TPM per tissue: expression programmes, covariates, hidden factors, eQTLs.

Model, for gene g in sample s of tissue t (natural-log scale)::

    log m[g, s] = base[g] + tissue[g, t] + sex[g]·female[s] + rin[g]·(RIN[s] − 7)
                  + isch[g]·z(ischemic time)[s] + batch[g, batch(s)] + W[g]·F[s] + ε[g, s]
    m[g, s]    *= (Π_k aFC_k^{a_k,h1} + Π_k aFC_k^{a_k,h2}) / 2        (cis-eQTLs, per haplotype)
    counts     ~ NegativeBinomial(mean = L[s] · m·len / Σ_g m·len, dispersion φ[g])
    TPM        = 1e6 · (counts / len) / Σ_g (counts / len)

``aFC = 2^effect_size``: the allelic fold change of the ALT allele (GTEx's log2 aFC), applied to
each haplotype, so a heterozygote's mean is ``(1 + aFC)/2`` times a REF homozygote's.
Programmes: housekeeping (high everywhere), broad (moderate, tissue-variable), tissue-specific
(high in one or two simulated tissues), low (around the GTEx filter), not expressed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from genotex.simulate._random import rng
from genotex.simulate.config import SimulationConfig
from genotex.tissues import TISSUES

PROGRAMMES = np.array(["housekeeping", "broad", "tissue_specific", "low", "not_expressed"])
PROGRAMME_PROBS = np.array([0.15, 0.40, 0.15, 0.15, 0.15])
_BASE = {"housekeeping": (5.0, 1.0), "broad": (3.0, 1.2), "tissue_specific": (-5.0, 1.0),
         "low": (-1.0, 1.0), "not_expressed": (-10.0, 1.0)}
_TISSUE_SD = {"housekeeping": 0.2, "broad": 0.7, "tissue_specific": 0.5, "low": 0.3,
              "not_expressed": 0.3}
#: ln fold change of a tissue-specific gene in its tissue(s).
SPECIFIC_BOOST = 9.0
EFFECT_CLASS_PROBS = {"shared": 0.6, "tissue_specific": 0.28, "opposite": 0.12}
SECONDARY_PROB = 0.2
CIS_WINDOW = 1_000_000
_TISSUE_INDEX = {t.tissue_site_detail_id: i for i, t in enumerate(TISSUES)}


@dataclass(frozen=True)
class Programmes:
    """Per-gene expression programme and per-tissue levels."""

    #: (n_genes, 4) ``gene_id, programme, base, sex_effect`` (ln units; female vs male).
    table: pd.DataFrame
    #: (n_genes, n_tissues) ln level offset of each simulated tissue.
    offsets: NDArray[np.float64]
    #: ``gene_id, gene_name, tissue_id, log2_fold_change`` of the tissue-specific genes.
    tissue_specific: pd.DataFrame


@dataclass(frozen=True)
class EqtlPlan:
    """Planted cis-eQTLs: one row per causal (gene, variant)."""

    #: (n_causal, 3) ``gene_index, variant_index, effect_class``.
    causal: pd.DataFrame
    #: (n_causal, n_tissues) log2 aFC in each simulated tissue (0 = no effect there).
    effects: NDArray[np.float64]


def tpm_from_counts(counts: NDArray[np.int64], length: NDArray[np.float64]) -> NDArray[np.float64]:
    """TPM from read counts: reads per base, scaled so each sample sums to one million.

    Parameters
    ----------
    counts
        (n_genes, n_samples) read counts.
    length
        (n_genes,) gene (exonic) length in bp.

    >>> tpm_from_counts(np.array([[10], [10]]), np.array([1000.0, 4000.0])).ravel()
    array([800000., 200000.])
    """
    rate = counts / length[:, None]
    total = rate.sum(axis=0, keepdims=True)
    return np.divide(rate * 1e6, total, out=np.zeros_like(rate), where=total > 0)


def assign_programmes(config: SimulationConfig, genes: pd.DataFrame) -> Programmes:
    """Draw each gene's programme, base level, sex bias and per-tissue offsets."""
    gen = rng(config.seed, "programmes")
    n = len(genes)
    prog = PROGRAMMES[gen.choice(len(PROGRAMMES), size=n, p=PROGRAMME_PROBS)]
    base = np.array([gen.normal(*_BASE[p]) for p in prog])
    sex_biased = gen.random(n) < 0.04
    sex = np.where(sex_biased, gen.choice([-1, 1], size=n) * gen.uniform(1.0, 2.0, size=n), 0.0)
    tissues = config.tissue_ids
    sd = np.array([_TISSUE_SD[p] for p in prog])
    offsets = np.column_stack(
        [rng(config.seed, "programmes", _TISSUE_INDEX[t]).normal(0, 1, size=n) * sd
         for t in tissues]
    )
    rows = []
    for g in np.flatnonzero(prog == "tissue_specific"):
        k = 1 if len(tissues) < 3 or gen.random() < 0.7 else 2
        for j in np.sort(gen.choice(len(tissues), size=k, replace=False)):
            offsets[g, j] += SPECIFIC_BOOST
            rows.append((genes["gene_id"].iat[g], genes["gene_name"].iat[g], tissues[j],
                         round(SPECIFIC_BOOST / np.log(2), 4)))
    table = pd.DataFrame(
        {"gene_id": genes["gene_id"].to_numpy(), "programme": prog, "base": base,
         "sex_effect": sex}
    )
    specific = pd.DataFrame(rows, columns=["gene_id", "gene_name", "tissue_id", "log2_fold_change"])
    return Programmes(table=table, offsets=offsets, tissue_specific=specific)


def _pick_variant(
    gen: np.random.Generator, pos: NDArray[np.int64], ok: NDArray[np.bool_], tss: int,
    scale: float,
) -> int | None:
    """A candidate variant near a target position: TSS + Laplace(scale) mostly, else anywhere
    in the ±1 Mb window (independent of the variant density)."""
    cand = np.flatnonzero(ok & (np.abs(pos - tss) <= CIS_WINDOW))
    if not len(cand):
        return None
    if gen.random() < 0.85:
        target = tss + gen.laplace(0.0, scale)
    else:
        target = tss + gen.uniform(-CIS_WINDOW, CIS_WINDOW)
    return int(cand[np.argmin(np.abs(pos[cand] - target))])


def _r2(x: NDArray[np.float64], ys: NDArray[np.float64]) -> NDArray[np.float64]:
    """(n,) squared correlation of ``x`` (n_donors,) with each row of ``ys``; 1 where undefined."""
    xc = x - x.mean()
    yc = ys - ys.mean(axis=1, keepdims=True)
    denom = np.sqrt((xc**2).sum() * (yc**2).sum(axis=1))
    cov = yc @ xc
    return np.divide(cov**2, denom**2, out=np.ones(len(ys)), where=denom > 0)


def _tissue_effects(gen: np.random.Generator, cls: str, beta: float, n_t: int) -> NDArray:
    if cls == "tissue_specific":
        eff = np.zeros(n_t)
        eff[gen.integers(0, n_t)] = beta
        return eff
    if cls == "opposite":
        sign = np.where(gen.permutation(n_t) < max(1, n_t // 2), 1.0, -1.0)
        return beta * sign * gen.uniform(0.8, 1.2, size=n_t)
    return beta * gen.uniform(0.8, 1.2, size=n_t)


def plan_eqtls(
    config: SimulationConfig, genes: pd.DataFrame, programmes: Programmes,
    variants: pd.DataFrame, maf: NDArray[np.float64], dosages: NDArray[np.float64],
) -> EqtlPlan:
    """Choose eGenes, their causal variants (mostly near the TSS) and per-tissue effects.

    Parameters
    ----------
    maf
        (n_variants,) cohort MAF on the genotyped donors; causal variants need MAF ≥ 0.05.
    dosages
        (n_variants, n_donors) to keep a secondary causal variant out of LD (r² < 0.1) with
        the primary.
    """
    gen = rng(config.seed, "eqtls")
    n_t = len(config.tissue_ids)
    prog = programmes.table["programme"].to_numpy()
    eligible = np.flatnonzero(np.isin(prog, ["housekeeping", "broad"]))
    chosen = np.sort(gen.choice(eligible, size=round(config.eqtl_fraction * len(eligible)),
                                replace=False))
    classes = list(EFFECT_CLASS_PROBS)
    probs = np.array(list(EFFECT_CLASS_PROBS.values()))
    rows: list[tuple[int, int, str]] = []
    effects: list[NDArray] = []
    common = maf >= 0.05
    for g in chosen:
        chrom, tss = genes["chrom"].iat[g], int(genes["tss"].iat[g])
        on_chrom = (variants["chrom"] == chrom).to_numpy()
        pos = variants["pos"].to_numpy()
        v = _pick_variant(gen, pos, common & on_chrom, tss, 30_000.0)
        cls = str(gen.choice(classes, p=probs)) if n_t > 1 else "shared"
        beta = float(gen.choice([-1.0, 1.0]) * min(3.0, 0.4 + gen.exponential(0.6)))
        second = gen.random() < SECONDARY_PROB
        if v is None:
            continue
        rows.append((int(g), v, cls))
        effects.append(_tissue_effects(gen, cls, beta, n_t))
        if second:
            near = np.flatnonzero(common & on_chrom & (np.abs(pos - tss) <= CIS_WINDOW))
            unlinked = np.zeros(len(pos), dtype=bool)
            unlinked[near] = _r2(dosages[v], dosages[near]) < 0.1
            v2 = _pick_variant(gen, pos, unlinked, tss, 100_000.0)
            if v2 is not None:
                beta2 = float(gen.choice([-1.0, 1.0]) * min(3.0, 0.4 + gen.exponential(0.4)))
                rows.append((int(g), v2, "secondary"))
                effects.append(_tissue_effects(gen, "shared", beta2, n_t))
    causal = pd.DataFrame(rows, columns=["gene_index", "variant_index", "effect_class"])
    eff = np.vstack(effects) if effects else np.zeros((0, n_t))
    return EqtlPlan(causal=causal, effects=np.round(eff, 4))


def eqtl_log_multiplier(
    plan: EqtlPlan, tissue_pos: int, haplotypes: NDArray[np.int8], n_genes: int,
) -> NDArray[np.float64]:
    """(n_genes, n_donors) ln multiplier of the mean from the cis-eQTLs in one tissue.

    ``haplotypes`` is (n_variants, n_donors, 2). Effects of a gene's causal variants multiply
    within a haplotype; the two haplotypes add.
    """
    n_donors = haplotypes.shape[1]
    hap_log = np.zeros((n_genes, n_donors, 2))
    for (g, v), beta in zip(
        plan.causal[["gene_index", "variant_index"]].itertuples(index=False, name=None),
        plan.effects[:, tissue_pos], strict=True,
    ):
        hap_log[g] += np.log(2.0) * beta * haplotypes[v]
    return np.log(np.exp(hap_log).mean(axis=2))


def simulate_tissue_expression(
    config: SimulationConfig, tissue_id: str, samples: pd.DataFrame, female: NDArray[np.bool_],
    length: NDArray[np.float64], programmes: Programmes, eqtl_log: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Read counts and TPM of one tissue.

    Parameters
    ----------
    samples
        The tissue's rows of the sample table (``SMRIN``, ``SMTSISCH``, ``SMGEBTCH``,
        ``donor_index``).
    female
        (n_donors,) True for SEX = 2.
    length
        (n_genes,) exonic length in bp.
    eqtl_log
        (n_genes, n_donors) from :func:`eqtl_log_multiplier`.

    Returns
    -------
    (n_genes, n_samples) int64 counts and float64 TPM.
    """
    gen = rng(config.seed, "expression", _TISSUE_INDEX[tissue_id])
    tpos = config.tissue_ids.index(tissue_id)
    n_g, n_s = len(length), len(samples)
    donor = samples["donor_index"].to_numpy()
    rin = samples["SMRIN"].to_numpy(dtype=float) - 7.0
    isch = np.log(samples["SMTSISCH"].to_numpy(dtype=float))
    isch = (isch - isch.mean()) / (isch.std() or 1.0)
    batch_codes, batch = np.unique(samples["SMGEBTCH"].to_numpy(dtype=str), return_inverse=True)
    table = programmes.table
    log_m = (table["base"].to_numpy()[:, None] + programmes.offsets[:, [tpos]]
             + table["sex_effect"].to_numpy()[:, None] * female[donor][None, :])
    log_m += gen.normal(0, 0.08, size=(n_g, 1)) * rin[None, :]
    log_m += gen.normal(0, 0.10, size=(n_g, 1)) * isch[None, :]
    log_m += gen.normal(0, 0.15, size=(n_g, len(batch_codes)))[:, batch]
    k = config.n_hidden_factors
    log_m += gen.normal(0, 0.2, size=(n_g, k)) @ gen.normal(0, 1, size=(k, n_s))
    log_m += gen.normal(0, 0.25, size=(n_g, n_s)) + eqtl_log[:, donor]
    abundance = np.exp(log_m - log_m.max()) * length[:, None]
    share = abundance / abundance.sum(axis=0, keepdims=True)
    library = config.reads_per_gene * n_g * np.exp(gen.normal(0, 0.35, size=n_s))
    dispersion = 0.02 + 0.1 * gen.random(n_g)
    mean = share * library[None, :]
    lam = gen.gamma(1.0 / dispersion[:, None], mean * dispersion[:, None])
    counts = gen.poisson(lam).astype(np.int64)
    return counts, tpm_from_counts(counts, length)
