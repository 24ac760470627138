"""trans-QTL mapping over files: every variant × every phenotype, streamed over genotype chunks.

Output: ``<prefix>.trans_qtl_pairs.parquet`` with tensorQTL's sparse columns (``variant_id,
phenotype_id, pval, b, b_se, [r2], af``), cis pairs (same chromosome, variant within ±5 Mb of
the phenotype's [start, end]) removed as tensorQTL's CLI does. Memory is bounded by one chunk of
``chunk_variants`` variants plus the phenotypes; the file is written one row group per chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from genotex.pipeline.atomic import staged_outputs
from genotex.pipeline.genotype_windows import load_cis_inputs
from genotex.qtl import Residualizer, filter_cis, map_trans

__all__ = ["TransOutputs", "trans_pairs"]

PathLike = str | Path


@dataclass(frozen=True)
class TransOutputs:
    """What :func:`trans_pairs` wrote."""

    path: Path
    n_pairs: int
    n_variants_tested: int
    n_phenotypes: int


def _schema(return_r2: bool) -> pa.Schema:
    cols = [("variant_id", pa.string()), ("phenotype_id", pa.string()), ("pval", pa.float64()),
            ("b", pa.float32()), ("b_se", pa.float32())]
    if return_r2:
        cols.append(("r2", pa.float32()))
    return pa.schema([*cols, ("af", pa.float32())])


def trans_pairs(
    *,
    phenotype_bed: PathLike,
    genotypes: PathLike,
    covariates: PathLike | None,
    output_dir: PathLike,
    prefix: str,
    pval_threshold: float = 1e-5,
    maf_threshold: float = 0.0,
    cis_window: int | None = 5_000_000,
    return_r2: bool = False,
    chunk_variants: int = 20_000,
    dtype: type = np.float32,
    progress: bool = False,
) -> TransOutputs:
    """All variant–phenotype pairs with ``p ≤ pval_threshold``: ``<prefix>.trans_qtl_pairs``.

    Parameters
    ----------
    phenotype_bed, genotypes, covariates
        As :func:`genotex.pipeline.qtl_steps.cis_nominal`.
    pval_threshold
        tensorQTL ``--pval_threshold`` (default 1e-5).
    maf_threshold
        In-sample MAF filter; tensorQTL's CLI default is 0 (its Python default 0.05).
    cis_window
        Pairs within this distance of the phenotype on its chromosome are dropped (tensorQTL's
        CLI: 5 Mb); ``None`` keeps them.
    return_r2
        Add the ``r2`` column (tensorQTL ``--return_r2``).
    chunk_variants
        Variants read and tested at once (tensorQTL ``--batch_size``).
    dtype
        Precision of the correlations (float32 as tensorQTL).
    """
    from tqdm import tqdm

    inputs = load_cis_inputs(phenotype_bed=phenotype_bed, genotypes=genotypes,
                             covariates=covariates)
    residualizer = Residualizer(inputs.covariates, dtype=dtype)
    pos = inputs.positions
    ids = pos["phenotype_id"].to_numpy(dtype=object)
    schema = _schema(return_r2)
    name = f"{prefix}.trans_qtl_pairs.parquet"
    n_pairs = n_tested = 0
    with (inputs.open_genotypes() as reader, staged_outputs(output_dir) as stage,
          pq.ParquetWriter(stage / name, schema) as writer,
          tqdm(total=len(reader.variant_table), unit=" variants", disable=not progress,
               leave=False) as bar):
        for chunk in reader.iter_chunks(chunk_variants):
            pairs = map_trans(chunk.dosages, inputs.values, residualizer,
                              pval_threshold=pval_threshold, maf_threshold=maf_threshold)
            n_tested += pairs.n_variants_tested
            if cis_window is not None:
                pairs = filter_cis(pairs, chunk.variants["chrom"].to_numpy(),
                                   chunk.variants["pos"].to_numpy(), pos["chrom"].to_numpy(),
                                   pos["start"].to_numpy(), pos["end"].to_numpy(),
                                   window=cis_window)
            cols: dict[str, Any] = {
                "variant_id": chunk.variants["variant_id"].to_numpy()[pairs.variant_index],
                "phenotype_id": ids[pairs.phenotype_index], "pval": pairs.pval,
                "b": pairs.b, "b_se": pairs.b_se}
            if return_r2:
                cols["r2"] = pairs.r2
            cols["af"] = pairs.af
            writer.write_table(pa.Table.from_pydict(
                {k: pa.array(v, type=schema.field(k).type) for k, v in cols.items()},
                schema=schema))
            n_pairs += len(pairs)
            bar.update(len(chunk.variants))
    return TransOutputs(Path(output_dir) / name, n_pairs, n_tested, len(ids))
