"""The simulator's settings: one frozen, validated, keyword-only dataclass."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from genotex.schema import GRCH38_CHROM_LENGTHS
from genotex.tissues import TISSUES

#: Tissues simulated by default: common GTEx tissues of different sizes (one small brain region).
DEFAULT_TISSUES: Final[tuple[str, ...]] = (
    "Adipose_Subcutaneous",
    "Brain_Cortex",
    "Lung",
    "Muscle_Skeletal",
    "Thyroid",
    "Whole_Blood",
)

#: Chromosomes simulated by default (the three smallest autosomes).
DEFAULT_CHROMOSOMES: Final[tuple[str, ...]] = ("chr20", "chr21", "chr22")

_ALL_TISSUE_IDS: Final = tuple(t.tissue_site_detail_id for t in TISSUES)


def _fraction(name: str, value: float, *, low_open: bool = False) -> None:
    ok = (0 < value <= 1) if low_open else (0 <= value <= 1)
    if not ok:
        bound = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"SimulationConfig.{name} must lie in {bound}, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class SimulationConfig:
    """Everything that shapes a simulated GTEx-like cohort; the same config gives the same files.

    Sizes (``n_donors``, ``n_genes``, ``variants_per_chrom``, ``tissues``, ``chromosomes``) scale
    the cohort; the rates and fractions shape it. Each component draws from its own random stream
    (``numpy.random.SeedSequence(seed).spawn``), so changing, say, ``n_genes`` leaves the donors
    and the genotypes as they were.

    Examples
    --------
    >>> cfg = SimulationConfig(n_donors=30, tissues=("Lung", "Whole_Blood"))
    >>> cfg.tissue_ids
    ('Lung', 'Whole_Blood')
    >>> SimulationConfig(tissues="all").tissue_ids[:2]
    ('Adipose_Subcutaneous', 'Adipose_Visceral_Omentum')
    """

    seed: int = 20240101
    #: Donors (subjects), genotyped or not.
    n_donors: int = 120
    #: Fraction of donors with WGS genotypes (the rest only have RNA-seq, as in GTEx).
    genotyped_fraction: float = 0.95
    #: Male fraction (GTEx v8: about two thirds).
    male_fraction: float = 0.67
    #: GTEx tissue IDs, or ``"all"`` for the 54 tissues of GTEx v8.
    tissues: tuple[str, ...] | str = DEFAULT_TISSUES
    #: Samples of the largest simulated tissue as a fraction of the donors; the other tissues
    #: scale by their GTEx v8 ``genotyped_samples``.
    max_tissue_fraction: float = 0.85
    #: Genes (synthetic GENCODE-like, or sampled from ``annotation``).
    n_genes: int = 400
    #: GTF or gene TSV to take real genes from; ``None`` makes a synthetic annotation.
    annotation: Path | None = None
    chromosomes: tuple[str, ...] = DEFAULT_CHROMOSOMES
    #: Variants per chromosome after the MAF floor.
    variants_per_chrom: int = 5000
    #: Cohort minor-allele-frequency floor (GTEx's ``MAF01`` VCF: 0.01).
    min_maf: float = 0.01
    #: Mean number of variants per haplotype (LD) block.
    mean_block_variants: float = 25.0
    #: Founder haplotypes per block (fewer = stronger LD).
    founders_per_block: int = 6
    #: Per-allele chance that a copied haplotype differs from its founder.
    mutation_rate: float = 0.002
    #: Fraction of genotype calls set missing (0 keeps the reference tools happy).
    missing_rate: float = 0.0
    #: Mean mapped reads per sample per simulated gene (GTEx: ~50 M reads over ~56 k genes,
    #: ≈ 1,000); a sample's library size is about this × ``n_genes``, log-normal across samples.
    reads_per_gene: float = 1000.0
    #: Fraction of expressed genes given a planted cis-eQTL.
    eqtl_fraction: float = 0.5
    #: Fraction of genes with an alternative-splicing intron cluster.
    splice_fraction: float = 0.3
    #: Fraction of splicing clusters with a planted sQTL.
    sqtl_fraction: float = 0.6
    #: Hidden (unmeasured) expression factors per tissue.
    n_hidden_factors: int = 3

    def __post_init__(self) -> None:
        if isinstance(self.tissues, str):
            if self.tissues != "all":
                object.__setattr__(self, "tissues", tuple(self.tissues.split(",")))
        else:
            object.__setattr__(self, "tissues", tuple(self.tissues))
        object.__setattr__(self, "chromosomes", tuple(self.chromosomes))
        if self.annotation is not None:
            object.__setattr__(self, "annotation", Path(self.annotation))
        self._validate()

    def _validate(self) -> None:
        if self.n_donors < 4:
            raise ValueError(f"SimulationConfig.n_donors must be >= 4, got {self.n_donors}")
        if self.n_genes < 1:
            raise ValueError(f"SimulationConfig.n_genes must be >= 1, got {self.n_genes}")
        if self.variants_per_chrom < 1:
            raise ValueError("SimulationConfig.variants_per_chrom must be >= 1")
        if self.founders_per_block < 2:
            raise ValueError("SimulationConfig.founders_per_block must be >= 2")
        if self.mean_block_variants < 1:
            raise ValueError("SimulationConfig.mean_block_variants must be >= 1")
        if self.reads_per_gene <= 0:
            raise ValueError("SimulationConfig.reads_per_gene must be positive")
        if self.n_hidden_factors < 0:
            raise ValueError("SimulationConfig.n_hidden_factors must be >= 0")
        _fraction("genotyped_fraction", self.genotyped_fraction, low_open=True)
        _fraction("max_tissue_fraction", self.max_tissue_fraction, low_open=True)
        for name in ("male_fraction", "mutation_rate", "missing_rate", "eqtl_fraction",
                     "splice_fraction", "sqtl_fraction"):
            _fraction(name, getattr(self, name))
        if not 0 <= self.min_maf < 0.5:
            raise ValueError(f"SimulationConfig.min_maf must lie in [0, 0.5), got {self.min_maf}")
        unknown = [t for t in self.tissue_ids if t not in _ALL_TISSUE_IDS]
        if unknown or not self.tissue_ids:
            raise ValueError(
                f"unknown tissue(s) {unknown}; use GTEx tissue IDs such as "
                f"{', '.join(DEFAULT_TISSUES)} (see genotex.tissues.TISSUES) or 'all'"
            )
        if self.tissues != "all" and len(set(self.tissues)) != len(self.tissues):
            raise ValueError("SimulationConfig.tissues lists a tissue twice")
        bad = [c for c in self.chromosomes if c not in GRCH38_CHROM_LENGTHS or c == "chrM"]
        if bad or not self.chromosomes or len(set(self.chromosomes)) != len(self.chromosomes):
            raise ValueError(
                f"SimulationConfig.chromosomes must be distinct GRCh38 names like 'chr20' "
                f"(chrM excluded), got {list(self.chromosomes)}"
            )

    @property
    def tissue_ids(self) -> tuple[str, ...]:
        """The simulated tissues, in GTEx order."""
        chosen = _ALL_TISSUE_IDS if self.tissues == "all" else tuple(self.tissues)
        return tuple(t for t in _ALL_TISSUE_IDS if t in chosen) + tuple(
            t for t in chosen if t not in _ALL_TISSUE_IDS
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (what ``simulation.json`` records)."""
        out = asdict(self)
        out["tissues"] = list(self.tissue_ids)
        out["chromosomes"] = list(self.chromosomes)
        out["annotation"] = None if self.annotation is None else str(self.annotation)
        return out
