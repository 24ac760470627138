"""The ``genotex`` command line: one subcommand (group) per stage, each a thin library call.

Each stage's commands live in their own module of this package and are registered here.
"""

from __future__ import annotations

import click

from genotex import __version__
from genotex.cli.expression import expression, genotypes
from genotex.cli.serve import demo, serve_command, store
from genotex.cli.simulate import simulate
from genotex.errors import GenotexError


class _Main(click.Group):
    """The top-level group: a :class:`~genotex.errors.GenotexError` becomes one line, exit 1."""

    def invoke(self, ctx: click.Context) -> object:
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
      genotex demo                  simulate a GTEx-like cohort, run everything, serve it
      genotex simulate OUT          write the simulated cohort's input files to OUT
    """


main.add_command(simulate)
main.add_command(genotypes)
main.add_command(expression)
main.add_command(store)
main.add_command(demo)
main.add_command(serve_command)
main.add_command(__import__("genotex.cli.qtl", fromlist=["qtl"]).qtl)
main.add_command(__import__("genotex.cli.coloc", fromlist=["coloc"]).coloc)
main.add_command(__import__("genotex.cli.coloc", fromlist=["multitissue"]).multitissue)
main.add_command(__import__("genotex.cli.run", fromlist=["run"]).run)
main.add_command(__import__("genotex.cli.auth", fromlist=["auth"]).auth)

__all__ = ["main"]
