"""One exception hierarchy. Every message says what went wrong and what to do next; each
class carries the HTTP status an API route answers it with (`server.protocol.error_body`
builds the one JSON body)."""

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


class GraphNotFound(NotFoundError):
    """A Graph Store request names a graph the store does not hold."""


class ForbiddenQuery(QueryError):
    """The query uses what this endpoint refuses (SERVICE, unless the operator allows it)."""

    status = 403


class QueryTimeout(QueryError):
    """A query ran past the server's time limit (it may still finish in the background)."""

    status = 503


class WorkerDied(QueryError):
    """A worker process ended in the middle of a query (killed from outside, out of memory)."""

    status = 503


class WorkersUnavailable(StoreError):
    """Worker processes cannot be started here (no fork server, no process limit left)."""


class NotAcceptable(KGError):
    """None of the media types the client accepts can be given."""

    status = 406


class UnsupportedMediaType(KGError):
    """A request body of a media type (or charset) the route cannot read."""

    status = 415


class WikidataError(KGError):
    """The Wikidata API could not be reached or answered with an error."""

    status = 502
