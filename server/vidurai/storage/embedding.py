"""Offline meaning vectors for memories, and the in-memory index that searches them.

The model is WordLlama's static "l2_supercat" table (32,000 tokens × 256 float16 weights,
16 MB) that ships inside the ``wordllama`` wheel: a text's vector is the mean of its tokens'
rows, normalised. We read the weights and the tokenizer file from the installed package
ourselves: WordLlama's own loader looks in a cache folder first and then downloads, and
nothing here may ever touch the network.

Everything is optional: without numpy, tokenizers or wordllama installed, ``load_embedder``
returns None with the reason in ``unavailable_reason()`` and search uses words alone.
"""

from __future__ import annotations

import json
import struct
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    import numpy as np

MODEL_NAME = "wordllama-l2_supercat-256"
DIMENSIONS = 256
# Texts longer than this many characters are cut before embedding: a mean over a long text
# says little more, and it keeps capture within its time budget.
MAX_EMBED_CHARS = 2_000

# Below this cosine a memory is not "related" at all and meaning search leaves it out, so a
# query about nothing stored finds nothing. Measured on tests/server/relevance_set.py.
MIN_RELATED_SIMILARITY = 0.2
# A sign-bit distance no vector has (256 bits): marks memories of other projects.
FAR = DIMENSIONS + 1

_WEIGHTS_FILE = ("weights", "l2_supercat_256.safetensors")
_TOKENIZER_FILE = ("tokenizers", "l2_supercat_tokenizer_config.json")


class Embedder:
    """Text → unit-length float32 vectors of ``DIMENSIONS`` numbers."""

    def __init__(self, weights: "np.ndarray", tokenizer: Any):
        self._weights = weights
        self._tokenizer = tokenizer

    def embed(self, texts: Sequence[str]) -> "np.ndarray":
        import numpy as np

        encodings = self._tokenizer.encode_batch(
            [text[:MAX_EMBED_CHARS] for text in texts], add_special_tokens=False
        )
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            if encoding.ids:
                vectors[row] = self._weights[encoding.ids].mean(axis=0, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)


_lock = threading.Lock()
_loaded: list[Embedder | None] = []
_reason: list[str] = []


def load_embedder() -> Embedder | None:
    """The process's embedder, loaded once (~0.2 s); None when the optional packages are
    missing or broken (then ``unavailable_reason()`` says why)."""
    with _lock:
        if not _loaded:
            try:
                _loaded.append(_load())
            except Exception as error:  # ImportError, a missing file, a broken wheel
                _loaded.append(None)
                _reason.append(f"{type(error).__name__}: {error}")
        return _loaded[0]


def unavailable_reason() -> str | None:
    load_embedder()
    return _reason[0] if _reason else None


def _load() -> Embedder:
    from importlib.util import find_spec

    import numpy as np
    from tokenizers import Tokenizer

    # The package's folder, without importing it: its __init__ pulls in requests, pydantic and
    # its downloader, none of which is needed to read two data files.
    spec = find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("No module named 'wordllama'")
    package = Path(list(spec.submodule_search_locations)[0])
    weights_path = str(package.joinpath(*_WEIGHTS_FILE))
    # safetensors: an 8-byte little-endian header length, a JSON header, then the tensors.
    with open(weights_path, "rb") as file:
        (header_length,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(header_length))
    tensor = header["embedding.weight"]
    if tensor["dtype"] != "F16" or tensor["shape"][1] != DIMENSIONS:
        raise ValueError(f"unexpected WordLlama weights {tensor['dtype']} {tensor['shape']}")
    start, _ = tensor["data_offsets"]
    # Mapped, not read: only the rows of tokens actually seen are paged in (clean pages the
    # OS can drop), which keeps the server's memory small.
    weights = np.memmap(
        weights_path,
        dtype=np.float16,
        mode="r",
        offset=8 + header_length + start,
        shape=tuple(tensor["shape"]),
    )
    tokenizer = Tokenizer.from_file(str(package.joinpath(*_TOKENIZER_FILE)))
    return Embedder(weights, tokenizer)


def to_blob(vector: "np.ndarray") -> bytes:
    """A unit vector as 256 int8 bytes (scaled so its largest component is ±127)."""
    import numpy as np

    peak = float(np.abs(vector).max()) or 1.0
    return np.round(vector * (127.0 / peak)).astype(np.int8).tobytes()


def rerank(
    query: "np.ndarray", items: Sequence[Sequence[Any]], limit: int
) -> list[tuple[int, float]]:
    """(memory id, cosine to the query) of the ``limit`` nearest (id, int8 blob) items."""
    import numpy as np

    if not items or limit < 1:
        return []
    vectors = np.frombuffer(b"".join(item[1] for item in items), dtype=np.int8)
    vectors = vectors.reshape(len(items), DIMENSIONS).astype(np.float32)
    scores = (vectors @ query) / np.maximum(np.linalg.norm(vectors, axis=1), 1e-9)
    order = np.argsort(-scores, kind="stable")[:limit]
    return [(items[i][0], float(scores[i])) for i in order]


class VectorIndex:
    """The sign bits of every stored vector, to find a query's likely neighbours fast.

    A float matrix product over 100,000 × 256 costs tens of ms on a small machine; the
    Hamming distance between 256-bit signs (kept as four uint64 columns) costs well under
    one. The nearest few hundred by that distance are then scored exactly (``rerank``) from
    their int8 vectors in the database, so only 44 bytes a memory stay in memory (~4.4 MB
    at 100,000).
    """

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        self._size = 0
        self._ids = np.zeros(0, dtype=np.int64)
        self._projects = np.zeros(0, dtype=np.int32)
        self._bits = np.zeros((4, 0), dtype=np.uint64)
        self._several_projects = False  # else the per-project mask can be skipped

    def __len__(self) -> int:
        return self._size

    def add(self, items: Sequence[tuple[int, int, bytes]]) -> None:
        """Add or replace (memory id, project id, int8 blob) rows: a few at a time (a new
        memory, a backfill batch); use ``extend`` for rows known to be new."""
        np = self._np
        fresh = []
        for memory_id, project_id, blob in items:
            found = np.flatnonzero(self._ids[: self._size] == memory_id)
            if len(found):
                self._set_rows(found, [project_id], [blob])
            else:
                fresh.append((memory_id, project_id, blob))
        self.extend(fresh)

    def extend(self, items: Sequence[tuple[int, int, bytes]]) -> None:
        """Append rows of memories not in the index yet (loading it from the database)."""
        if not items:
            return
        start = self._size
        self._reserve(start + len(items))
        rows = self._np.arange(start, start + len(items))
        self._ids[rows] = [item[0] for item in items]
        self._set_rows(rows, [item[1] for item in items], [item[2] for item in items])
        self._size += len(items)

    def _set_rows(
        self, rows: "np.ndarray", projects: Sequence[int], blobs: Sequence[bytes]
    ) -> None:
        np = self._np
        vectors = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), DIMENSIONS)
        self._projects[rows] = projects
        first = int(self._projects[0])  # row 0 is set by now: it is the first row ever added
        self._several_projects = self._several_projects or any(p != first for p in projects)
        self._bits[:, rows] = np.packbits(vectors > 0, axis=1).view(np.uint64).T

    def _reserve(self, needed: int) -> None:
        capacity = len(self._ids)
        if needed <= capacity:
            return
        np = self._np
        capacity = max(needed, capacity * 2, 1024)
        size = self._size
        ids = np.zeros(capacity, dtype=np.int64)
        ids[:size] = self._ids[:size]
        projects = np.full(capacity, -1, dtype=np.int32)
        projects[:size] = self._projects[:size]
        bits = np.zeros((4, capacity), dtype=np.uint64)
        bits[:, :size] = self._bits[:, :size]
        self._ids, self._projects, self._bits = ids, projects, bits

    def candidates(self, query: "np.ndarray", count: int, project_id: int) -> list[int]:
        """Ids of the project's ``count`` memories nearest the query by sign-bit distance."""
        np = self._np
        size = self._size
        if size == 0 or count < 1:
            return []
        query_bits = np.packbits(query > 0).view(np.uint64)
        distance = np.zeros(size, dtype=np.uint16)
        for column in range(4):
            distance += np.bitwise_count(self._bits[column, :size] ^ query_bits[column])
        if self._several_projects:
            distance[self._projects[:size] != project_id] = FAR
        # Distances are small integers: a histogram finds the cut-off faster than a partition.
        within = np.cumsum(np.bincount(distance, minlength=FAR + 1)[:FAR])
        if within[-1] == 0:
            return []
        cutoff = int(np.searchsorted(within, min(count, int(within[-1]))))
        nearest = np.flatnonzero(distance < cutoff)
        ties = np.flatnonzero(distance == cutoff)[: count - len(nearest)]
        return self._ids[np.concatenate([nearest, ties])].tolist()
