from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.io.bed import write_phenotype_bed
from genotex.io.genotypes import GenotypeReader
from genotex.io.pgen import write_pgen
from genotex.pipeline.genotype_windows import CisInputs, iter_window_batches, load_cis_inputs


class _NoFullTable:
    """A reader whose all-variant frame is off limits: the cis path must not build it."""

    def __init__(self, reader: GenotypeReader) -> None:
        self._reader = reader

    @property
    def variants(self) -> pd.DataFrame:
        raise AssertionError("reader.variants built every variant ID")

    def __getattr__(self, name: str) -> object:
        return getattr(self._reader, name)


@pytest.fixture
def inputs(tmp_path: Path) -> CisInputs:
    rng = np.random.default_rng(3)
    n1, n2, samples = 120, 80, [f"S{i}" for i in range(12)]
    variants = pd.DataFrame({"chrom": ["chr1"] * n1 + ["chr2"] * n2,
                             "pos": np.r_[np.arange(n1) * 100 + 1000, np.arange(n2) * 50 + 7],
                             "ref": "A", "alt": "G"})
    geno = rng.integers(-1, 3, (n1 + n2, len(samples))).astype(np.int8)
    write_pgen(tmp_path / "g", variants, samples, geno)
    tss = np.array([1500, 2500, 9000, 12000, 500, 3000])
    write_phenotype_bed(tmp_path / "p.bed.gz", pd.DataFrame(
        {"chrom": ["chr1"] * 4 + ["chr2"] * 2, "start": tss - 1, "end": tss,
         "phenotype_id": [f"G{i}" for i in range(6)]}),
        pd.DataFrame(rng.standard_normal((6, len(samples))), index=[f"G{i}" for i in range(6)],
                     columns=samples))
    return load_cis_inputs(phenotype_bed=tmp_path / "p.bed.gz", genotypes=tmp_path / "g",
                           covariates=None)


def test_iter_window_batches__positions_only_and_every_window_exact(inputs: CisInputs) -> None:
    assert inputs.chromosomes == ["chr1", "chr2"]
    window = 1_000
    with inputs.open_genotypes() as reader:
        for chrom in inputs.chromosomes:
            batches = list(iter_window_batches(_NoFullTable(reader),  # type: ignore[arg-type]
                                               inputs, chrom, window=window,
                                               chunk_variants=25))
            assert sum(len(b.phenotypes) for b in batches) == int(
                (inputs.positions["chrom"] == chrom).sum())
            for b in batches:
                assert b.variants["variant_id"].iloc[0] == (
                    f"{chrom}_{b.variants['pos'].iloc[0]}_A_G_b38")
                for k, row in enumerate(b.phenotypes):
                    tss = int(inputs.positions["start"].iloc[row])
                    want = reader.read_region(chrom, tss - window, tss + window)
                    got = slice(b.windows.start[k], b.windows.stop[k])
                    pd.testing.assert_frame_equal(
                        b.variants.iloc[got].reset_index(drop=True), want.variants)
                    np.testing.assert_array_equal(b.dosages[got], want.dosages)
