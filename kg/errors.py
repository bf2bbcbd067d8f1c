"""One exception hierarchy. Every message says what went wrong and what to do next."""

from __future__ import annotations


class KGError(Exception):
    """Base of every error the library raises on purpose; the CLI prints it as one line."""

    status = 400  # the HTTP status an API route answers with

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(KGError):
    """A file or parameter the user gave cannot be used."""


class ArticleError(InputError):
    """One article cannot be ingested; the others still land."""


class ManifestError(InputError):
    """manifest.json is unreadable or holds a bad value."""


class NotFoundError(KGError):
    status = 404


class QueryError(KGError):
    """A SPARQL query is malformed or refers to something missing."""


class StoreError(KGError):
    """The store cannot be opened or written."""

    status = 503
