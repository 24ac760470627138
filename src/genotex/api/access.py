"""Access tiers: aggregate data is open; individual-level data needs a bearer token.

Controlled data (per-sample normalized expression and genotypes of the eQTL calculator,
sample-level TPM with donor IDs) is served only to requests carrying
``Authorization: Bearer <token>`` where the token is one of ``Settings.controlled_tokens`` or a
line of ``Settings.controlled_tokens_file`` (plain, or ``sha256:<hex>`` so the file need not
hold the secret). Tokens are compared as SHA-256 digests with :func:`hmac.compare_digest`
(constant time per token, every token checked). Every granted access is logged on the
``genotex.access`` logger.

* no ``Authorization`` header: anonymous; endpoints that mix open and controlled fields return
  the open ones (dyneqtl: statistics without ``data``/``genotypes``); controlled-only endpoints
  answer 401;
* a malformed header (not ``Bearer <token>``): 401 with ``WWW-Authenticate: Bearer``;
* an unknown token: 403.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from genotex.config import Settings

logger = logging.getLogger("genotex.access")


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


@lru_cache(maxsize=16)
def _file_digests(path: Path, mtime: float) -> tuple[bytes, ...]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("sha256:"):
            out.append(bytes.fromhex(line.removeprefix("sha256:")))
        else:
            out.append(_digest(line))
    return tuple(out)


def granted_digests(settings: Settings) -> tuple[bytes, ...]:
    """SHA-256 digests of every token that grants controlled data."""
    digests = [_digest(t.strip()) for t in settings.controlled_tokens.split(",") if t.strip()]
    path = settings.controlled_tokens_file
    if path is not None and Path(path).is_file():
        digests += _file_digests(Path(path), Path(path).stat().st_mtime)
    return tuple(digests)


def token_is_granted(token: str, settings: Settings) -> bool:
    """Whether ``token`` grants controlled data (constant-time comparison of digests).

    >>> token_is_granted("s3cret", Settings(controlled_tokens="a,s3cret"))
    True
    >>> token_is_granted("guess", Settings(controlled_tokens="a,s3cret"))
    False
    """
    digest = _digest(token)
    ok = False
    for granted in granted_digests(settings):
        ok |= hmac.compare_digest(digest, granted)
    return ok


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
    if not token_is_granted(token.strip(), request.app.state.settings):
        raise HTTPException(403, "This token does not grant controlled-access data.")
    logger.info("controlled access: %s %s?%s from %s", request.method, request.url.path,
                request.url.query, request.client.host if request.client else "-")
    return True


def require_controlled(granted: Annotated[bool, Depends(controlled_access)]) -> bool:
    """Controlled-only endpoints: 401 without a token."""
    if not granted:
        raise HTTPException(401, "Controlled-access data: send 'Authorization: Bearer <token>'.",
                            headers={"WWW-Authenticate": "Bearer"})
    return True


ControlledDep = Annotated[bool, Depends(controlled_access)]
RequireControlledDep = Annotated[bool, Depends(require_controlled)]
