"""The ``genotex`` command line: one subcommand (group) per stage, each a thin library call.

Each stage's commands live in their own module of this package and are registered here.
"""

from __future__ import annotations

import click

from genotex import __version__
from genotex.cli.simulate import simulate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="genotex")
def main() -> None:
    """genotex: a self-hostable GTEx — expression atlas, eQTL/sQTL mapping, colocalization.

    \b
    Data flows one way:
      inputs (GCT, VCF/PLINK, GTF)  →  pipeline  →  release store  →  API + portal

    \b
    Start here:
      genotex demo                  simulate a GTEx-like cohort, run everything, serve it
      genotex simulate OUT          write the simulated cohort's input files to OUT
    """


main.add_command(simulate)

__all__ = ["main"]
