"""Every piece of derived data (kg.derived.DERIVED) equals its answer computed afresh from the
claims: after a build of the seeds, after an article written through `kg serve`'s write path
(a SPARQL Update, refreshed for that article alone) and after that article's graph is dropped
the same way; each is current then, not current once the claims change behind its back, and
current again after `kg refresh`'s recompute."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.derived import DERIVED, Derived, recompute, recomputed
from kg.store import Store
from server.writes import apply_update

ID = "https://w3id.org/conflict-kg/id/"
CKG = "https://w3id.org/conflict-kg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH = f"<{ID}graph/written>"
ARTICLE, CLAIM, CASUALTY = (
    f"<{ID}article/written>",
    f"<{ID}claim/written/s0/c0>",
    f"<{ID}claim/written/s1/c0>",
)

# One article with something for every piece: a control claim at Hama North on a day an article
# of the seeds gives it to the government (a reading, a card, a contradiction), a publication
# day (a day page), entities named in the listings' roles (term pages), and a counted casualty
# claim reported by AFP citing SOHR (both totals).
WRITTEN = f"""INSERT DATA {{ GRAPH {GRAPH} {{
  {ARTICLE} a <{CKG}Article> ; <{CKG}stem> "written" ;
      <{CKG}published> "2017-11-10"^^<{XSD}date> .
  {CLAIM} a <{CKG}Claim> ; <{CKG}claimType> "control" ; <{CKG}inArticle> {ARTICLE} ;
      <{CKG}about> {CLAIM[:-1]}/event> ; <{CKG}sentenceText> "ISIS held Hama North." ;
      <{CKG}sentenceIndex> 0 ; <{CKG}hedged> false ; <{CKG}contested> false .
  {CLAIM[:-1]}/event> a <{CKG}ControlState> ; <{CKG}place> <{ID}entity/hama-north> ;
      <{CKG}controller> <{ID}entity/isis> ; <{CKG}start> "2017-11-09"^^<{XSD}date> .
  {CASUALTY} a <{CKG}Claim> ; <{CKG}claimType> "casualties" ; <{CKG}inArticle> {ARTICLE} ;
      <{CKG}about> {CASUALTY[:-1]}/event> ; <{CKG}sentenceText> "ISIS killed 12 people." ;
      <{CKG}sentenceIndex> 1 ; <{CKG}hedged> false ; <{CKG}contested> false ;
      <{CKG}reportingStep> {CASUALTY[:-1]}/step1> , {CASUALTY[:-1]}/step2> .
  {CASUALTY[:-1]}/step1> <{CKG}position> 1 ; <{CKG}reporter> <{ID}entity/afp> .
  {CASUALTY[:-1]}/step2> <{CKG}position> 2 ; <{CKG}reporter> <{ID}entity/sohr> .
  {CASUALTY[:-1]}/event> a <{CKG}CasualtyReport> ; <{CKG}agent> <{ID}entity/isis> ;
      <{CKG}count> 12 ; <{CKG}start> "2017-11-09"^^<{XSD}date> .
}} }}"""

# The same article changed by hand, without a refresh: the government holds Hama North (no
# contradiction, another reading and card), another day, another perpetrator and count.
BEHIND = f"""
DELETE DATA {{ GRAPH {GRAPH} {{
  {CLAIM[:-1]}/event> <{CKG}controller> <{ID}entity/isis> .
  {ARTICLE} <{CKG}published> "2017-11-10"^^<{XSD}date> .
  {CASUALTY[:-1]}/event> <{CKG}agent> <{ID}entity/isis> ; <{CKG}count> 12 .
}} }} ;
INSERT DATA {{ GRAPH {GRAPH} {{
  {CLAIM[:-1]}/event> <{CKG}controller> <{ID}entity/government-of-syria> .
  {ARTICLE} <{CKG}published> "2017-11-11"^^<{XSD}date> .
  {CASUALTY[:-1]}/event> <{CKG}agent> <{ID}entity/sohr> ; <{CKG}count> 30 .
}} }}"""

STATES = ["built", "written", "dropped"]


@pytest.fixture(scope="module")
def stores(seeds_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seeds' store as built, after the article was written through the server's write
    path, and after its graph was dropped the same way: a copy of each."""
    root = tmp_path_factory.mktemp("derived")
    work = Path(shutil.copytree(seeds_store, root / "work"))
    found = {"built": Path(shutil.copytree(work, root / "built"))}
    apply_update(work, WRITTEN)
    found["written"] = Path(shutil.copytree(work, root / "written"))
    apply_update(work, f"DROP GRAPH {GRAPH}")
    found["dropped"] = Path(shutil.copytree(work, root / "dropped"))
    return found


@pytest.fixture(scope="module")
def fresh(stores: dict[str, Path]) -> dict[str, Store]:
    """Each state's claims with every piece recomputed, in memory."""
    return {state: recomputed(Store(path, read_only=True)) for state, path in stores.items()}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("piece", DERIVED, ids=[p.name for p in DERIVED])
def test_each_piece_equals_its_recompute_from_the_claims(
    piece: Derived, state: str, stores: dict[str, Path], fresh: dict[str, Store]
) -> None:
    store = Store(stores[state], read_only=True)
    stored, expected = piece.content(store), piece.content(fresh[state])
    assert stored, f"{piece.name} holds nothing"
    assert sorted(stored - expected) == sorted(expected - stored) == []
    assert piece.is_current(store, fresh[state])


@pytest.mark.parametrize("piece", DERIVED, ids=[p.name for p in DERIVED])
def test_the_write_changed_each_piece(
    piece: Derived, stores: dict[str, Path], fresh: dict[str, Store]
) -> None:
    """The written article is in every piece (the test above would pass on pieces it missed)."""
    built = piece.content(Store(stores["built"], read_only=True))
    written = piece.content(Store(stores["written"], read_only=True))
    assert written != built
    assert piece.content(Store(stores["dropped"], read_only=True)) == built


@pytest.fixture(scope="module")
def changed(stores: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The written article changed behind the derived data's back (a plain update of the store,
    no refresh)."""
    store = Store(shutil.copytree(stores["written"], tmp_path_factory.mktemp("behind") / "s"))
    store.update(BEHIND)
    return store


@pytest.mark.parametrize("piece", DERIVED, ids=[p.name for p in DERIVED])
def test_a_piece_is_not_current_once_the_claims_change_behind_its_back(
    piece: Derived, changed: Store
) -> None:
    assert piece.marked(changed)  # its mark says nothing of the claims it was computed from
    assert not piece.is_current(changed, recomputed(changed))


def test_kg_refresh_makes_every_piece_current_again(changed: Store) -> None:
    recompute(changed)
    again = recomputed(changed)
    assert [p.name for p in DERIVED if not p.is_current(changed, again)] == []


def test_a_piece_without_its_mark_is_not_current(stores: dict[str, Path], tmp_path: Path) -> None:
    store = Store(shutil.copytree(stores["built"], tmp_path / "store"))
    for piece in DERIVED:
        piece.clear(store)
    fresh_store = recomputed(store)
    assert not any(piece.is_current(store, fresh_store) for piece in DERIVED)


def test_the_list_refreshes_a_piece_after_the_pieces_it_needs() -> None:
    names = [piece.name for piece in DERIVED]
    assert len(set(names)) == len(names)
    for at, piece in enumerate(DERIVED):
        assert set(piece.needs) <= set(names[:at]), piece.name
        beside = [p.name for p in DERIVED if p.beside]
        assert not set(piece.needs) & set(beside), f"{piece.name} needs a piece run beside"
