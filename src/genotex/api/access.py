"""Access tiers: aggregate data is open; individual-level data needs a bearer token.

Controlled data (per-sample normalized expression and genotypes of the eQTL calculator,
sample-level TPM with donor IDs) is served only to requests carrying
``Authorization: Bearer <token>`` where the token grants the served release's ``datasetId``.
Tokens come from ``Settings.controlled_tokens`` (comma-separated; grant every dataset) and from
the tokens file (``Settings.controlled_tokens_file``, default
``<data_dir>/controlled_tokens.tsv``; see :mod:`genotex.api.tokens`, managed by
``genotex auth add|list|revoke``), which stores only SHA-256 digests, each with the datasetIds
it grants. Digests are compared with :func:`hmac.compare_digest` (every grant checked, constant
time per grant). Every controlled access, granted or refused, is logged on the
``genotex.access`` logger with the token's id (first 12 hex digits of its digest), never the
token.

* no ``Authorization`` header: anonymous; endpoints that mix open and controlled fields return
  the open ones (dyneqtl: statistics without ``data``/``genotypes``); controlled-only endpoints
  answer 401;
* a malformed header (not ``Bearer <token>``): 401 with ``WWW-Authenticate: Bearer``;
* an unknown token, or one that does not grant this release's datasetId: 403.
"""

from __future__ import annotations

import hmac
import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from genotex.api.tokens import ALL_DATASETS, TokenGrant, digest, read_grants, tokens_path
from genotex.config import Settings

logger = logging.getLogger("genotex.access")


@lru_cache(maxsize=16)
def _file_grants(path: Path, mtime: float, size: int) -> tuple[TokenGrant, ...]:
    return tuple(read_grants(path))


def grants(settings: Settings) -> tuple[TokenGrant, ...]:
    """Every token grant: the settings' plain tokens (all datasets), then the tokens file's."""
    out = [TokenGrant(digest(t.strip()), frozenset({ALL_DATASETS}), "settings")
           for t in settings.controlled_tokens.split(",") if t.strip()]
    path = tokens_path(settings)
    if path.is_file():
        stat = path.stat()
        out += _file_grants(path, stat.st_mtime, stat.st_size)
    return tuple(out)


def granted_digests(settings: Settings) -> tuple[bytes, ...]:
    """SHA-256 digests of every token that grants controlled data (of some dataset)."""
    return tuple(g.digest for g in grants(settings))


def find_grant(token: str, settings: Settings, dataset_id: str | None = None) -> TokenGrant | None:
    """The grant of ``token`` that covers ``dataset_id`` (any dataset when ``None``).

    >>> find_grant("s3cret", Settings(controlled_tokens="a,s3cret")).token_id
    '1ec1c26b50d5'
    >>> find_grant("guess", Settings(controlled_tokens="a,s3cret")) is None
    True
    """
    wanted = digest(token)
    found = None
    for grant in grants(settings):
        same = hmac.compare_digest(wanted, grant.digest)
        if same and found is None and (dataset_id is None or grant.grants(dataset_id)):
            found = grant
    return found


def token_is_granted(token: str, settings: Settings, dataset_id: str | None = None) -> bool:
    """Whether ``token`` grants controlled data of ``dataset_id`` (of any dataset if ``None``).

    >>> token_is_granted("s3cret", Settings(controlled_tokens="a,s3cret"))
    True
    >>> token_is_granted("guess", Settings(controlled_tokens="a,s3cret"))
    False
    """
    return find_grant(token, settings, dataset_id) is not None


def controlled_access(request: Request) -> bool:
    """``True`` for a request with a granted bearer token, ``False`` without a header.

    Raises 401 for a malformed header and 403 for a token that grants nothing.
    """
    header = request.headers.get("authorization")
    if header is None:
        return False
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "Authorization must be 'Bearer <token>'.",
                            headers={"WWW-Authenticate": "Bearer"})
    dataset_id = request.app.state.store.dataset_id
    grant = find_grant(token.strip(), request.app.state.settings, dataset_id)
    client = request.client.host if request.client else "-"
    if grant is None:
        logger.warning("controlled access refused: token %s for %s: %s %s from %s",
                       digest(token.strip()).hex()[:12], dataset_id, request.method,
                       request.url.path, client)
        raise HTTPException(403, "This token does not grant controlled-access data of "
                                 f"dataset '{dataset_id}'.")
    logger.info("controlled access: token %s (%s) %s %s?%s from %s", grant.token_id,
                grant.label or "-", request.method, request.url.path, request.url.query, client)
    return True


def require_controlled(granted: Annotated[bool, Depends(controlled_access)]) -> bool:
    """Controlled-only endpoints: 401 without a token."""
    if not granted:
        raise HTTPException(401, "Controlled-access data: send 'Authorization: Bearer <token>'.",
                            headers={"WWW-Authenticate": "Bearer"})
    return True


ControlledDep = Annotated[bool, Depends(controlled_access)]
RequireControlledDep = Annotated[bool, Depends(require_controlled)]
