"""Donors (GTEx subjects) and their tissue samples, with GTEx-style IDs and attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genotex.schema import AGE_BRACKETS, SAMPLE_ATTRIBUTE_COLUMNS, SUBJECT_ATTRIBUTE_COLUMNS
from genotex.simulate._random import rng
from genotex.simulate.config import SimulationConfig
from genotex.tissues import TISSUES, Tissue, get_tissue

ALPHANUM = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
#: GTEx v8 donors by age bracket (skewed older) and by Hardy scale (0 = ventilator case).
AGE_PROBS = np.array([0.09, 0.08, 0.16, 0.33, 0.31, 0.03])
HARDY_PROBS = np.array([0.37, 0.08, 0.30, 0.09, 0.16])
CENTERS = np.array(["B1", "C1", "D1"])
CENTER_PROBS = np.array([0.35, 0.45, 0.20])
FEMALE_ONLY = frozenset(
    {"Ovary", "Uterus", "Vagina", "Cervix_Ectocervix", "Cervix_Endocervix", "Fallopian_Tube"}
)
MALE_ONLY = frozenset({"Prostate", "Testis"})
_TISSUE_INDEX = {t.tissue_site_detail_id: i for i, t in enumerate(TISSUES)}


def _codes(gen: np.random.Generator, n: int, width: int, *, taken: set[str]) -> list[str]:
    """``n`` new distinct ``[0-9A-Z]`` codes of ``width`` characters, none in ``taken``."""
    out: list[str] = []
    while len(out) < n:
        for chars in gen.choice(ALPHANUM, size=(2 * (n - len(out)) + 4, width)):
            code = "".join(chars)
            if code not in taken and len(out) < n:
                taken.add(code)
                out.append(code)
    return out


def simulate_donors(config: SimulationConfig) -> tuple[pd.DataFrame, np.ndarray]:
    """The donors' SubjectPhenotypesDS table and which of them have WGS genotypes.

    Returns
    -------
    donors
        (n_donors, 4) frame with columns :data:`genotex.schema.SUBJECT_ATTRIBUTE_COLUMNS`.
    genotyped
        (n_donors,) bool; at least one donor is genotyped and, with 20 donors or more, at least
        one is not (so the pipeline's "samples with genotypes only" rule is exercised).

    Examples
    --------
    >>> donors, genotyped = simulate_donors(SimulationConfig(n_donors=10))
    >>> donors.shape, int(genotyped.sum()) >= 1
    ((10, 4), True)
    """
    gen = rng(config.seed, "donors")
    n = config.n_donors
    widths = gen.choice([4, 5], size=n, p=[0.3, 0.7])
    taken: set[str] = set()
    ids = [f"GTEX-{_codes(gen, 1, int(w), taken=taken)[0]}" for w in widths]
    sex = np.where(gen.random(n) < config.male_fraction, 1, 2)
    age = np.asarray(AGE_BRACKETS)[gen.choice(len(AGE_BRACKETS), size=n, p=AGE_PROBS)]
    hardy = gen.choice(5, size=n, p=HARDY_PROBS)
    n_geno = round(config.genotyped_fraction * n)
    if n >= 20 and config.genotyped_fraction < 1:
        n_geno = min(n_geno, n - 1)
    genotyped = np.zeros(n, dtype=bool)
    genotyped[gen.choice(n, size=max(1, n_geno), replace=False)] = True
    donors = pd.DataFrame(
        {"SUBJID": ids, "SEX": sex.astype(np.int64), "AGE": age, "DTHHRDY": hardy.astype(np.int64)}
    )
    return donors[list(SUBJECT_ATTRIBUTE_COLUMNS)], genotyped


def samples_per_tissue(config: SimulationConfig) -> dict[str, int]:
    """Samples of each simulated tissue, proportional to GTEx v8 ``genotyped_samples``.

    The largest simulated tissue gets ``max_tissue_fraction × n_donors`` samples; every tissue
    gets at least one.

    >>> samples_per_tissue(SimulationConfig(n_donors=100, tissues=("Lung", "Muscle_Skeletal")))
    {'Lung': 62, 'Muscle_Skeletal': 85}
    """
    tissues = [get_tissue(t) for t in config.tissue_ids]
    top = max(t.genotyped_samples for t in tissues)
    scale = config.max_tissue_fraction * config.n_donors / top
    return {
        t.tissue_site_detail_id: max(1, round(t.genotyped_samples * scale)) for t in tissues
    }


def _ontology(tissue: Tissue) -> str:
    prefix, _, number = tissue.ontology_id.partition(":")
    return number if prefix == "UBERON" else f"{prefix}_{number}"


def _tissue_samples(
    config: SimulationConfig, tissue: Tissue, donors: pd.DataFrame, n: int, batches: np.ndarray,
    centers: np.ndarray, taken: set[str],
) -> pd.DataFrame:
    index = _TISSUE_INDEX[tissue.tissue_site_detail_id]
    gen = rng(config.seed, "samples", index)
    eligible = np.arange(len(donors))
    if tissue.tissue_site_detail_id in FEMALE_ONLY:
        eligible = eligible[donors["SEX"].to_numpy() == 2]
    elif tissue.tissue_site_detail_id in MALE_ONLY:
        eligible = eligible[donors["SEX"].to_numpy() == 1]
    chosen = np.sort(gen.choice(eligible, size=min(n, len(eligible)), replace=False))
    m = len(chosen)
    site = f"{index % 99 + 1:02d}"
    aliquots = [f"{site}{a:02d}" for a in gen.integers(1, 100, size=m)]
    sm = _codes(gen, m, 5, taken=taken)
    subj = donors["SUBJID"].to_numpy()[chosen]
    rin_mean = gen.normal(7.2, 0.6)
    hardy = donors["DTHHRDY"].to_numpy()[chosen]
    isch = np.exp(gen.normal(6.0, 0.6, size=m)) * np.where(hardy == 0, 0.5, 1.0)
    blood = tissue.tissue_site_detail_id == "Whole_Blood"
    return pd.DataFrame(
        {
            "SAMPID": [f"{d}-{a}-SM-{c}" for d, a, c in zip(subj, aliquots, sm, strict=True)],
            "SMTS": tissue.tissue_site,
            "SMTSD": tissue.tissue_site_detail,
            "SMUBRID": _ontology(tissue),
            "SMRIN": np.round(np.clip(gen.normal(rin_mean, 0.8, size=m), 5.0, 10.0), 1),
            "SMCENTER": centers[chosen],
            "SMTSISCH": np.clip(np.round(isch), 20, 1500).astype(np.int64),
            "SMNABTCHT": "RNA isolation_PAXgene Blood RNA (Manual)" if blood
            else "RNA Extraction from Paxgene-derived Lysate Plate Based",
            "SMGEBTCH": batches[gen.integers(0, len(batches), size=m)],
            "SMAFRZE": "RNASEQ",
            "SMMAPRT": np.round(0.85 + 0.14 * gen.beta(5, 2, size=m), 6),
            "SMRRNART": np.round(gen.beta(2, 150, size=m), 6),
            "tissue_id": tissue.tissue_site_detail_id,
            "donor_index": chosen,
        }
    )


def simulate_samples(config: SimulationConfig, donors: pd.DataFrame) -> pd.DataFrame:
    """One RNA-seq sample per (donor, tissue) drawn, with GTEx SampleAttributesDS columns.

    A donor has at most one sample per tissue; sex-specific tissues (ovary, prostate, …) only
    take donors of that sex.

    Returns
    -------
    (n_samples, 14) frame: :data:`genotex.schema.SAMPLE_ATTRIBUTE_COLUMNS`, then ``tissue_id``
    and ``donor_index`` (row of ``donors``); rows grouped by tissue in GTEx order.
    """
    gen = rng(config.seed, "samples", len(TISSUES))
    centers = CENTERS[gen.choice(len(CENTERS), size=len(donors), p=CENTER_PROBS)]
    counts = samples_per_tissue(config)
    n_batches = max(2, sum(counts.values()) // 24)
    batches = np.array([f"LCSET-{b}" for b in 4000 + np.sort(
        gen.choice(6000, size=n_batches, replace=False))])
    taken: set[str] = set()
    frames = [
        _tissue_samples(config, get_tissue(t), donors, n, batches, centers, taken)
        for t, n in counts.items()
    ]
    samples = pd.concat(frames, ignore_index=True)
    return samples[[*SAMPLE_ATTRIBUTE_COLUMNS, "tissue_id", "donor_index"]]
