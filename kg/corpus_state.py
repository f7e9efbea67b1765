"""The merged corpus kept between builds and patched by the articles that changed.

Merging every record (kg/triples.py `Merged`) reads every record of the corpus: at
10,000 articles reading the light-records file took 3.3 s, merging 1.9 s and writing
the file again 1.5 s, for one changed article. The build therefore keeps the merged
state in cache/merged.pkl: the record keys it was merged from, in corpus order, and
the `Merged` itself, its records cut down to what the writers read of them (IRI,
label, id, evidence). The next build takes out the records whose key is gone (a
changed article, an article corpus identity renamed people in: the key says both)
and puts the new ones in, which gives what merging every record again gives.

A patched merge is saved again only once it has drifted from the saved one by more
than a few records (`worth_saving`): until then the saved state stays, with the
records it would take out (pruning spares them), and each build patches from it.

The state is trusted only when it is of the same code (its version covers the record
writer and this module), its keys are the ones it was merged from (one atomic file),
the records to take out are still cached, and the articles kept are in the same order
as before; otherwise the build merges every record and saves the state anew.
"""
from __future__ import annotations

import gc
import hashlib
import pickle
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

STATE = "merged.pkl"  # in the cache folder; not *.pickle, which pruning owns


@dataclass
class SavedMerge:
    keys: list[str]  # record keys, in corpus order
    merged: Any  # kg.triples.Merged, its records cut down by `stub`
    # named graph -> (its record's key, its key in serialise.Sections): a patched merge
    # reuses the key of a graph whose record and owned lines did not change
    graph_keys: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    dirty: set[str] | None = None  # after `patched`: graphs whose owned lines may differ
    patch: Patch | None = None  # after `patched`: how it differs from the saved state
    base_keys: list[str] = field(default_factory=list)  # after `patched`: the saved keys


@cache
def state_version() -> str:
    """The record writer's version and this module's code."""
    from kg.incremental import writer_version

    digest = hashlib.sha256(writer_version().encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def stub(record: Any) -> Any:
    """What the writers read of a merged record: IRI, label, id and evidence (the
    network's edges quote it); its entities and relations live on in the merge."""
    return replace(record, ntriples=b"", json="", entities=(), posts=(), bylines=(),
                   relations=())


def load(cache_dir: Path) -> SavedMerge | None:
    """The state the last build saved, or None (none, damaged, of other code)."""
    gc.disable()  # hundreds of thousands of small objects: no collections while loading
    try:
        with (cache_dir / STATE).open("rb") as handle:
            version, saved = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged cache file is merged anew, never fatal
        return None
    finally:
        gc.enable()
    if version != state_version() or not isinstance(saved, SavedMerge):
        return None
    return saved


def save(cache_dir: Path, keys: list[str], merged: Any,
         graph_keys: dict[str, tuple[str | None, str]] | None = None) -> None:
    """Write the state beside its file and rename it over (never half a file), pickled
    straight to the file: as one bytes object it took another 100 MB at 10,000 articles."""
    from kg.store import PendingFile

    saved = SavedMerge(list(keys), merged, dict(graph_keys or {}))
    pending = PendingFile(cache_dir / STATE)
    try:
        pickle.dump((state_version(), saved), pending, protocol=pickle.HIGHEST_PROTOCOL)
        pending.commit()
    except BaseException:
        pending.discard()
        raise


def worth_saving(state: SavedMerge) -> bool:
    """Whether to save this merge, or leave the saved one (and the records it would take
    out) for the next build to patch from: saving took 0.9 s at 10,000 articles, and a
    rebuild that changes the same few articles again patches just as few from the saved
    one. Saved when merged from scratch, or when it has drifted from the saved one by
    more than DRIFT records or a DRIFT_SHARE of the corpus, whichever is more."""
    if state.patch is None:
        return True
    drift = len(set(state.keys) ^ set(state.base_keys))  # records out and in since saved
    return drift > max(DRIFT, int(DRIFT_SHARE * len(state.keys)))


def settled(state: SavedMerge, graph_keys: dict[str, tuple[str | None, str]]) -> SavedMerge:
    """`state` once written, as a saved state of its keys would load: its graphs' keys
    the ones just written, nothing dirty, no patch (kg/resident.py keeps it)."""
    state.graph_keys = dict(graph_keys)
    state.dirty = state.patch = None
    state.base_keys = []
    return state


DRIFT = 20
DRIFT_SHARE = 0.005


def discard(cache_dir: Path) -> None:
    (cache_dir / STATE).unlink(missing_ok=True)


@dataclass
class Patch:
    """What a patch needs: the records to take out (whole, from the cache) and to put in."""

    removed: list[str]
    added: list[str]


def plan(saved: SavedMerge, keys: list[str]) -> Patch | None:
    """The records to take out and put in to turn `saved` into the merge of `keys`, or
    None when it cannot be patched (a key twice, or the kept articles reordered: the
    order of merging decides which title and evidence come first and owners' ties) or
    should not be (more than PATCH_MOST records, or 2 % of the corpus, change)."""
    new, old = set(keys), set(saved.keys)
    if len(new) != len(keys) or len(old) != len(saved.keys):
        return None
    if [k for k in saved.keys if k in new] != [k for k in keys if k in old]:
        return None
    patch = Patch([k for k in saved.keys if k not in new], [k for k in keys if k not in old])
    if len(patch.removed) + len(patch.added) > max(PATCH_MOST, len(keys) // 50):
        return None  # its whole records would all be in memory at once; merge anew
    return patch


# A patch takes out and puts in whole records (N-Triples and JSON included), all held at
# once: a corpus file moved elsewhere (every document key new) patched 10,000 out and
# 10,000 in and peaked at 4.2 GB. Larger changes than this (or 2 % of the corpus) are
# merged from the light records instead, as a first build is.
PATCH_MOST = 200


def patched(saved: SavedMerge, keys: list[str], patch: Patch,
            removed: list[Any], added: dict[str, Any]) -> Any:
    """The merge of `keys` from `saved` (which is patched in place; its `dirty` says
    which named graphs' owned lines may have changed): `removed` are the whole records
    of patch.removed, `added` the records (light will do) of patch.added by key."""
    merged = saved.merged
    stubs = dict(zip(saved.keys, merged.records))
    for key in patch.added:
        stubs[key] = stub(added[key])
    saved.dirty = merged.patch(removed, [added[k] for k in patch.added],
                               [stubs[k] for k in keys])
    saved.patch, saved.base_keys, saved.keys = patch, saved.keys, list(keys)
    return merged

