from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.errors import InputError
from genotex.io.gtf import read_gene_annotation, write_gtf
from genotex.schema import GENE_COLUMNS

from .conftest import truncate, write_text


def _pyranges_example(name: str) -> Path:
    pyranges = pytest.importorskip("pyranges")
    try:
        path = Path(pyranges.get_example_path(name))
    except Exception:  # pragma: no cover - depends on the pyranges release
        pytest.skip(f"pyranges ships no {name}")
    if not path.is_file():
        pytest.skip(f"pyranges ships no {name}")
    return path


GENES = pd.DataFrame({
    "gene_id": ["ENSG00000223972.5", "ENSG00000227232.5"], "gene_name": ["DDX11L1", "WASH7P"],
    "gene_type": ["transcribed_unprocessed_pseudogene", "unprocessed_pseudogene"],
    "chrom": ["chr1", "chr1"], "start": [11869, 14404], "end": [14409, 29570],
    "strand": ["+", "-"], "tss": [11869, 29570]})


def test_read_gene_annotation__gencode_gtf(tmp_path: Path) -> None:
    genes = read_gene_annotation(_pyranges_example("gencode_human.gtf.gz"))
    assert list(genes.columns) == list(GENE_COLUMNS)
    assert len(genes) == 119
    first = genes.iloc[0]
    assert (first.gene_id, first.gene_name, first.chrom, first.start, first.end, first.tss) == (
        "ENSG00000223972.5", "DDX11L1", "chr1", 11869, 14409, 11869)
    minus = genes[genes["strand"] == "-"]
    assert (minus["tss"] == minus["end"]).all()


def test_read_gene_annotation__ensembl_gtf_gene_biotype() -> None:
    genes = read_gene_annotation(_pyranges_example("ensembl_human.gtf.gz"))
    assert len(genes) == 84
    assert genes["gene_type"].notna().all()
    assert genes["chrom"].str.startswith("chr").all()
    assert genes["gene_id"].iloc[0] == "ENSG00000223972.5"  # gene_version appended
    with pytest.raises(InputError, match="without the 'chr' prefix"):
        read_gene_annotation(_pyranges_example("ensembl_human.gtf.gz"), rename_chroms=False)


@pytest.mark.parametrize("name", ["genes.gtf", "genes.gtf.gz"])
def test_write_gtf__round_trip(tmp_path: Path, name: str) -> None:
    write_gtf(tmp_path / name, GENES)
    pd.testing.assert_frame_equal(read_gene_annotation(tmp_path / name), GENES,
                                  check_dtype=False)
    write_gtf(tmp_path / ("b" + name), GENES)
    assert (tmp_path / name).read_bytes() == (tmp_path / ("b" + name)).read_bytes()


def test_write_gtf__exon_columns(tmp_path: Path) -> None:
    genes = GENES.assign(exon_starts=[[11869, 12613], [14404]], exon_ends=[[12227, 14409],
                                                                             [29570]])
    write_gtf(tmp_path / "g.gtf", genes)
    lines = [line.split("\t") for line in (tmp_path / "g.gtf").read_text().splitlines()
             if not line.startswith("#")]
    assert [f[2] for f in lines] == ["gene", "transcript", "exon", "exon", "gene", "transcript",
                                     "exon"]
    assert lines[3][3:5] == ["12613", "14409"]
    assert 'transcript_id "ENSG00000223972.5"' in lines[2][8]


def test_read_gene_annotation__bad_input(tmp_path: Path) -> None:
    header = "chr\tstart\tend\tstrand\tgene_id\n"
    with pytest.raises(InputError, match=r"d\.tsv:3: duplicate gene ID: 'G'"):
        read_gene_annotation(write_text(tmp_path / "d.tsv",
                                        header + "chr1\t1\t5\t+\tG\nchr1\t7\t9\t+\tG\n"))
    with pytest.raises(InputError, match=r"n\.tsv:2: non-numeric start 'x'"):
        read_gene_annotation(write_text(tmp_path / "n.tsv", header + "chr1\tx\t5\t+\tG\n"))
    with pytest.raises(InputError, match=r"c\.tsv:1: gene table lacks columns \['strand'\]"):
        read_gene_annotation(write_text(tmp_path / "c.tsv", "chr\tstart\tend\tgene_id\n"))
    big = GENES.loc[np.repeat(GENES.index, 2000)].reset_index(drop=True)
    big["gene_id"] = [f"G{i}" for i in range(len(big))]
    write_gtf(tmp_path / "big.gtf.gz", big)
    with pytest.raises(InputError, match="compressed stream is truncated"):
        read_gene_annotation(truncate(tmp_path / "big.gtf.gz"))


def test_read_gene_annotation__shared_gencode_v26(shared_data: Path) -> None:
    genes = read_gene_annotation(shared_data / "gencode_v26_genes.tsv.gz")
    assert len(genes) == 56_107
    assert genes["gene_id"].is_unique
    assert genes.loc[genes["gene_name"] == "WASH7P", "tss"].item() == 29570
    assert set(genes["chrom"]) <= {f"chr{c}" for c in [*range(1, 23), "X", "Y", "M"]}
