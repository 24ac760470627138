"""The ``genotex`` command line: one subcommand (group) per stage, each a thin library call.

Each stage's commands live in their own module of this package and are registered here.
"""

from __future__ import annotations

import os

import click

from genotex import __version__
from genotex.cli.auth import auth
from genotex.cli.coloc import coloc, multitissue
from genotex.cli.expression import expression, genotypes
from genotex.cli.qtl import qtl
from genotex.cli.run import run
from genotex.cli.serve import demo, serve_command, store
from genotex.cli.simulate import simulate
from genotex.errors import GenotexError


def _no_numpy_huge_page_advice() -> None:
    """Stop numpy from asking for transparent huge pages on each large array.

    With the Linux default THP policy ``defrag=madvise``, every such fresh allocation may
    compact memory synchronously; genotex's permutation loops allocate and free batch-sized
    arrays and lose more to that than huge pages give back (~10 % of the wall on 2 cores).
    The nominal pass is the other way round (:func:`numpy_huge_pages`). The setting is numpy's
    own ``NUMPY_MADVISE_HUGEPAGE``: a value the user set wins; the environment carries it to
    worker processes.
    """
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return
    os.environ["NUMPY_MADVISE_HUGEPAGE"] = "0"
    _HUGE_PAGES["defaulted"] = True
    numpy_huge_pages(enabled=False)


_HUGE_PAGES = {"defaulted": False}


def numpy_huge_pages(*, enabled: bool) -> None:
    """Turn numpy's huge-page advice on or off for this process, unless the user chose it
    (``NUMPY_MADVISE_HUGEPAGE`` in the environment before genotex started). The nominal pass
    (large arrays of every batch, most of them written once) runs ~20 % faster with it."""
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ and not _HUGE_PAGES["defaulted"]:
        return
    try:
        from numpy._core.multiarray import (  # type: ignore[attr-defined]
            _set_madvise_hugepage,
        )
    except ImportError:  # another numpy layout: the environment variable still reaches workers
        return
    _set_madvise_hugepage(enabled)


class _Main(click.Group):
    """The top-level group: a :class:`~genotex.errors.GenotexError` becomes one line, exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        _no_numpy_huge_page_advice()
        try:
            return super().invoke(ctx)
        except GenotexError as err:
            raise click.ClickException(str(err)) from None


@click.group(cls=_Main,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="genotex")
def main() -> None:
    """genotex: a self-hostable GTEx — expression atlas, eQTL/sQTL mapping, colocalization.

    \b
    Data flows one way:
      inputs (GCT, VCF/PLINK, GTF)  →  pipeline  →  release store  →  API + portal

    \b
    Start here:
      genotex demo                 simulate a GTEx-like cohort, run everything, serve it
                                   (portal http://127.0.0.1:8000/, API /api/v2/)
    \b
    Stages (each command's --help explains its files, with an example):
      simulate OUT                 the simulated cohort's input files (GCT, VCF, PLINK, GTF)
      genotypes pcs                genotype PCs from LD-pruned common variants
      expression prepare|covariates|summarize
                                   GTEx v8 normalization (TMM + INT BED), covariates, summaries
      qtl ...                      cis nominal / permutations / independent / trans / SuSiE /
                                   sQTL, tensorQTL-compatible files (also: --mode, as tensorQTL)
      coloc, multitissue           GWAS colocalization (coloc.abf/.susie); METASOFT and pi1
      run CONFIG                   a whole release as one resumable Dask workflow
      store, serve, auth           release store, API + portal server, access tokens
    """


# In the order of the data flow: inputs → pipeline stages → release → serving.
for command in (simulate, genotypes, expression, qtl, coloc, multitissue, run, store, auth,
                demo, serve_command):
    main.add_command(command)

__all__ = ["main"]
