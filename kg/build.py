"""Build: read articles, extract claims, emit RDF, and replace each article's graph.

Each article lands whole or not at all (its graph is replaced in one transaction); a bad file
is named with the reason and skipped while the others land. An article whose text and
extractor are unchanged since the last build is skipped.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg.emit import article_quads
from kg.errors import InputError
from kg.extract.gazetteer import default_gazetteer
from kg.extract.run import extract_many
from kg.read.articles import Article, find_articles, read_article
from kg.resources import data_dir
from kg.store import Store
from kg.vocab import ONTOLOGY, article_iri, graph_iri

Progress = Callable[[int, int, str], None]


@dataclass
class BuildReport:
    articles: int = 0
    unchanged: int = 0
    claims: int = 0
    triples: int = 0
    seconds: float = 0.0
    rejected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        return (f"{self.articles} articles built, {self.unchanged} unchanged, {self.claims} claims, "
                f"{self.triples} triples, {len(self.rejected)} rejected, {self.seconds:.1f} s")


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A digest of the rules and data: change either and articles are extracted again."""
    package = Path(__file__).resolve().parent
    files = sorted([*package.glob("extract/*.py"), *package.glob("read/*.py"),
                    package / "emit.py", *data_dir().glob("*.json*")])
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def read_all(paths: list[Path], report: BuildReport) -> list[Article]:
    articles: list[Article] = []
    try:
        found = list(find_articles(paths))
    except InputError as exc:
        report.rejected.append(exc.message)
        found = [x for p in paths if p.exists() for x in _without_manifest(p)]
    for path, meta in found:
        try:
            articles.append(read_article(path, meta))
        except InputError as exc:
            report.rejected.append(exc.message)
        except OSError as exc:
            report.rejected.append(f"{path}: cannot be read ({exc.strerror}); check permissions")
    return articles


def _without_manifest(path: Path) -> Iterator[tuple[Path, dict]]:
    """A broken manifest is reported; its articles still land, without its metadata."""
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    return ((f, {}) for f in files)


UNCHANGED = """
SELECT ?article ?sha ?version WHERE { ?article ckg:textSha256 ?sha ; ckg:extractorVersion ?version }"""


def is_unchanged(store: Store, article: Article) -> bool:
    rows = store.select(UNCHANGED, {
        "article": ox.NamedNode(article_iri(article.stem)),
        "sha": ox.Literal(article.digest), "version": ox.Literal(extractor_version())})
    return bool(rows)


def build(store: Store, paths: list[Path], progress: Progress | None = None,
          force: bool = False) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    articles = read_all(paths, report)
    todo = [a for a in articles if force or not is_unchanged(store, a)]
    report.unchanged = len(articles) - len(todo)
    gazetteer = default_gazetteer()
    for n, (article, claims) in enumerate(zip(todo, extract_many(todo), strict=True), start=1):
        quads, shared = article_quads(article, claims, gazetteer)
        quads.append(ox.Quad(ox.NamedNode(article_iri(article.stem)),
                             ox.NamedNode(ONTOLOGY + "extractorVersion"),
                             ox.Literal(extractor_version()), ox.NamedNode(graph_iri(article.stem))))
        report.triples += store.replace_graph(graph_iri(article.stem), quads, shared)
        report.claims += len(claims)
        report.articles += 1
        if progress:
            progress(n, len(todo), article.stem)
    store.flush()
    report.seconds = time.perf_counter() - started
    return report
