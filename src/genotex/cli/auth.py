"""``genotex auth add|list|revoke``: bearer tokens for controlled-access data, stored hashed.

The tokens file is ``$GENOTEX_CONTROLLED_TOKENS_FILE`` or ``<data_dir>/controlled_tokens.tsv``;
the server (``genotex serve``) reads the same file, re-reading it when it changes.
"""

from __future__ import annotations

from pathlib import Path

import click

_FILE = click.Path(dir_okay=False, path_type=Path)
_TOKENS_OPTION = click.option(
    "--tokens-file", type=_FILE, default=None,
    help="Tokens file [default: $GENOTEX_CONTROLLED_TOKENS_FILE or "
    "$GENOTEX_DATA_DIR/controlled_tokens.tsv].")


def _path(tokens_file: Path | None) -> Path:
    from genotex.api.tokens import tokens_path
    from genotex.config import Settings  # pydantic-settings: imported when a command runs

    return tokens_file or tokens_path(Settings())


@click.group()
def auth() -> None:
    """Manage bearer tokens granting controlled (individual-level) data of datasets.

    \b
    Only each token's SHA-256 digest is stored; `add` prints the token once. Clients send
      Authorization: Bearer <token>
    """


@auth.command("add")
@click.option("--dataset", "datasets", multiple=True, required=True,
              help="datasetId the token grants (repeatable; '*' = every dataset).")
@click.option("--label", default="", help="Who or what the token is for (shown by `list`).")
@_TOKENS_OPTION
def auth_add(datasets: tuple[str, ...], label: str, tokens_file: Path | None) -> None:
    """Create a token granting --dataset(s) and print it (it cannot be shown again)."""
    from genotex.api.tokens import add_token

    path = _path(tokens_file)
    token, grant = add_token(path, list(datasets), label=label)
    click.echo(f"token id {grant.token_id} grants {','.join(sorted(grant.datasets))} "
               f"(stored hashed in {path}); the token, shown once:", err=True)
    click.echo(token)


@auth.command("list")
@_TOKENS_OPTION
def auth_list(tokens_file: Path | None) -> None:
    """List token ids, the datasets they grant, labels and creation times (never tokens)."""
    from genotex.api.tokens import read_grants

    path = _path(tokens_file)
    grants = read_grants(path)
    if not grants:
        click.echo(f"no tokens in {path}", err=True)
        return
    click.echo("id\tdatasets\tlabel\tcreated")
    for g in grants:
        click.echo(f"{g.token_id}\t{','.join(sorted(g.datasets))}\t{g.label}\t{g.created}")


@auth.command("revoke")
@click.argument("token_id")
@_TOKENS_OPTION
def auth_revoke(token_id: str, tokens_file: Path | None) -> None:
    """Revoke the token(s) whose id starts with TOKEN_ID (6+ hex digits) or whose label is it."""
    from genotex.api.tokens import revoke_token

    path = _path(tokens_file)
    removed = revoke_token(path, token_id)
    if not removed:
        raise click.ClickException(f"no token with id or label {token_id!r} in {path}")
    for g in removed:
        click.echo(f"revoked {g.token_id} ({','.join(sorted(g.datasets))}) {g.label}".rstrip())
