"""The bearer-token file: tokens stored hashed, each granting one or more datasetIds.

One token per line, tab-separated::

    sha256:<64 hex>\t<datasetId>[,<datasetId>...] | *\t<label>\t<created, ISO 8601 UTC>

Only the SHA-256 digest of a token is stored; the token itself is shown once, by
:func:`add_token` (``genotex auth add``). A line holding only ``sha256:<hex>`` (or a plain
token, the older format) grants every dataset. ``#`` starts a comment. The file is rewritten
atomically (temporary file + rename) with mode 0600.

A token's *id* is the first 12 hex digits of its digest: safe to log and to show in
``genotex auth list``, useless for authenticating.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from genotex.config import Settings
from genotex.errors import InputError

#: Default file name under ``Settings.data_dir`` when ``controlled_tokens_file`` is unset.
TOKENS_FILE = "controlled_tokens.tsv"
#: Grants every dataset.
ALL_DATASETS = "*"
_ID_LENGTH = 12


@dataclass(frozen=True)
class TokenGrant:
    """One line of the tokens file: a token digest and the datasets it grants."""

    digest: bytes
    datasets: frozenset[str]
    label: str = ""
    created: str = ""

    @property
    def token_id(self) -> str:
        """First 12 hex digits of the digest (what logs and listings show)."""
        return self.digest.hex()[:_ID_LENGTH]

    def grants(self, dataset_id: str) -> bool:
        return ALL_DATASETS in self.datasets or dataset_id in self.datasets


def digest(token: str) -> bytes:
    """SHA-256 digest of a token.

    >>> digest("s3cret").hex()[:12]
    '1ec1c26b50d5'
    """
    return hashlib.sha256(token.encode("utf-8")).digest()


def tokens_path(settings: Settings) -> Path:
    """``Settings.controlled_tokens_file``, or ``<data_dir>/controlled_tokens.tsv``."""
    if settings.controlled_tokens_file is not None:
        return Path(settings.controlled_tokens_file)
    return Path(settings.data_dir) / TOKENS_FILE


def parse_line(raw: str, *, path: Path | None = None, line: int | None = None) -> TokenGrant | None:
    """One line of the file as a :class:`TokenGrant` (``None`` for blanks and comments).

    >>> grant = parse_line("sha256:" + "ab" * 32 + "\\tdemo_v1,demo_v2\\talice")
    >>> sorted(grant.datasets), grant.label, grant.grants("demo_v2"), grant.grants("x")
    (['demo_v1', 'demo_v2'], 'alice', True, False)
    >>> parse_line("plain-token").grants("anything")
    True
    """
    text = raw.split("#", 1)[0].strip()
    if not text:
        return None
    fields = [f.strip() for f in text.split("\t")]
    if len(fields) == 1:
        fields = text.split()
    head = fields[0]
    if head.startswith("sha256:"):
        try:
            value = bytes.fromhex(head.removeprefix("sha256:"))
        except ValueError:
            value = b""
        if len(value) != hashlib.sha256().digest_size:
            raise InputError(path, "a 'sha256:' entry is not 64 hex digits",
                             "regenerate the line with 'genotex auth add'", line=line)
    else:
        value = digest(head)
    datasets = frozenset(d.strip() for d in (fields[1] if len(fields) > 1 else "*").split(",")
                         if d.strip()) or frozenset({ALL_DATASETS})
    label = fields[2] if len(fields) > 2 else ""
    created = fields[3] if len(fields) > 3 else ""
    return TokenGrant(value, datasets, label, created)


def read_grants(path: Path) -> list[TokenGrant]:
    """Every grant in the tokens file (``[]`` when the file does not exist)."""
    if not path.is_file():
        return []
    out = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        grant = parse_line(raw, path=path, line=number)
        if grant is not None:
            out.append(grant)
    return out


def _format(grant: TokenGrant) -> str:
    datasets = ",".join(sorted(grant.datasets))
    label = " ".join(grant.label.split())  # no tabs or newlines inside a field
    return f"sha256:{grant.digest.hex()}\t{datasets}\t{label}\t{grant.created}"


def _write(path: Path, grants: list[TokenGrant]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ("# genotex bearer tokens (sha256 digests only): digest, datasetIds, label, "
              "created. Managed by 'genotex auth'.\n")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(header + "".join(_format(g) + "\n" for g in grants))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_token(path: Path, datasets: list[str], *, label: str = "",
              now: datetime | None = None) -> tuple[str, TokenGrant]:
    """Create a token granting ``datasets`` (``["*"]``: all); store its digest in ``path``.

    Returns the token (shown to the user once, never stored) and its grant.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "tokens.tsv"
    >>> token, grant = add_token(path, ["genotex_demo_v1"], label="alice")
    >>> [g.token_id for g in read_grants(path)] == [grant.token_id]
    True
    >>> token in path.read_text()
    False
    """
    clean = sorted({d.strip() for d in datasets if d.strip()})
    if not clean:
        raise InputError(path, "a token must grant at least one datasetId",
                         "pass --dataset DATASET_ID (or --dataset '*' for every dataset)")
    for d in clean:
        if d != ALL_DATASETS and (not d.replace("_", "").replace("-", "").replace(".", "")
                                  .isalnum() or not d.isascii()):
            raise InputError(path, f"invalid datasetId {d!r}",
                             "use letters, digits, '_', '.' or '-'")
    token = secrets.token_urlsafe(32)
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    grant = TokenGrant(digest(token), frozenset(clean), label, when)
    _write(path, [*read_grants(path), grant])
    return token, grant


def revoke_token(path: Path, token_id: str) -> list[TokenGrant]:
    """Remove the grants whose id starts with ``token_id`` (at least 6 hex digits) or whose
    label equals it; return the removed grants (``[]`` when none matched)."""
    key = token_id.strip()
    if not key:
        raise InputError(path, "empty token id", "pass an id or label from 'genotex auth list'")
    grants = read_grants(path)

    def match(g: TokenGrant) -> bool:
        by_id = len(key) >= 6 and g.digest.hex().startswith(key.lower())
        return by_id or (bool(g.label) and g.label == key)

    removed = [g for g in grants if match(g)]
    if removed:
        _write(path, [g for g in grants if not match(g)])
    return removed
