"""An article's graph depends on its text alone: not on what the process extracted before it,
nor on how articles were batched, nor on the process's hash seed."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from kg.build import extract_chunk
from kg.read.articles import Article, Item

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2015, 6, 2)


# the first names Zabadani a town; read before the second, it must not make Zabadani a town
# there too (through a type kept in a process-wide gazetteer), where alone NER calls it a
# person and the attack's target; no other test names these places
def article(stem: str, publisher: str, text: str) -> Article:
    return Article(
        stem=stem, text=stem, published=DAY, publisher=publisher, items=[Item(None, [text])]
    )


TOWN = article("town", "Reuters", "Rebels captured the town of Zabadani on Monday, activists said.")
PLAIN = article(
    "plain",
    "Reuters",
    "Government forces shelled Zabadani on Tuesday, killing five civilians, the "
    "Syrian Observatory for Human Rights said. Rebels later seized Madaya.",
)
OTHER = article("other", "AFP", "Madaya is a village near the border, officials said.")


def graphs(articles: list[Article]) -> dict[str, list[str]]:
    """Each article's quads (its graph and the entity descriptions it adds), sorted."""
    return {
        e.stem: sorted((e.nquads + e.shared).decode().splitlines()) for e in extract_chunk(articles)
    }


def diff(alone: list[str], after: list[str]) -> str:
    lost, gained = sorted(set(alone) - set(after)), sorted(set(after) - set(alone))
    return "\n".join([*(f"- {q}" for q in lost), *(f"+ {q}" for q in gained)])


def test_an_article_reads_the_same_alone_and_after_others() -> None:
    alone = graphs([PLAIN])["plain"]
    graphs([TOWN])  # an earlier chunk of the same process
    after = graphs([PLAIN])["plain"]
    batched = graphs([OTHER, TOWN, PLAIN])["plain"]  # in one spaCy batch with others
    assert alone
    assert after == alone, diff(alone, after)
    assert batched == alone, diff(alone, batched)


SCRIPT = """
import json
from tests.test_determinism import OTHER, PLAIN, TOWN, graphs
print(json.dumps(graphs([OTHER, TOWN, PLAIN])))
"""


def in_process(seed: str) -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,  # so the subprocess imports this module
    )
    return json.loads(run.stdout.splitlines()[-1])


def test_the_hash_seed_changes_no_quad() -> None:
    one, two = in_process("1"), in_process("2")
    for stem in one:
        assert one[stem] == two[stem], diff(one[stem], two[stem])
