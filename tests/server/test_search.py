"""Hybrid search: words and meaning fused, offline vectors stored with each memory."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.server import relevance_set
from vidurai.storage import MemoryDatabase, Snippet, embedding
from vidurai.storage.search import WordQuery, identifiers_in, reciprocal_rank_fusion


@pytest.fixture(scope="module")
def relevance_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("relevance")
    db = MemoryDatabase(folder / "memory.db")
    keys = relevance_set.fill(db, folder)
    yield db, folder, keys
    db.close()


@pytest.fixture
def no_embedder(monkeypatch):
    """The optional packages are not installed."""
    monkeypatch.setattr(embedding, "load_embedder", lambda: None)


# A real memory's texts: "login broken" shares no word with them but is near in meaning.
JWT_GIST = "Fixed JWT token validation: expiry compared in UTC"
JWT_VERBATIM = "TypeError: can't compare offset-naive and offset-aware datetimes in verify_token"


def ids(memories):
    return [memory.id for memory in memories]


# --------------------------------------------------------------- quality on the relevance set


def test_relevance_set_is_big_enough_to_mean_something():
    assert len(relevance_set.TARGETS) + len(relevance_set.background()) >= 300
    assert len(relevance_set.QUERIES) >= 60


def test_hybrid_beats_words_only_on_recall_and_mrr(relevance_store):
    db, project, keys = relevance_store
    words = relevance_set.evaluate(db, project, keys, hybrid=False)
    hybrid = relevance_set.evaluate(db, project, keys, hybrid=True)
    assert hybrid.recall_at_5 > words.recall_at_5
    assert hybrid.mrr > words.mrr


@pytest.mark.parametrize("query,expected", relevance_set.IDENTIFIER_QUERIES)
def test_a_query_naming_an_identifier_puts_the_memory_naming_it_first(
    relevance_store, query, expected
):
    db, project, keys = relevance_store
    found = db.recall_memories(project, query, min_salience="NOISE", limit=5)
    assert keys[found[0].id] in expected


def test_a_phrase_sharing_no_word_finds_the_memory_by_meaning(relevance_store):
    db, project, keys = relevance_store
    assert db.recall_memories(project, "login broken", min_salience="NOISE", hybrid=False) == []
    hits = db.search_memories(project, "login broken", min_salience="NOISE", limit=5)
    assert "jwt" in [keys[memory_id] for memory_id in ids(hit.memory for hit in hits)]
    hit = next(hit for hit in hits if keys[hit.memory.id] == "jwt")
    assert hit.snippet is None  # nothing to mark: no word matched


# --------------------------------------------------------------- behaviour around the ranking


def test_filters_apply_after_fusion(db, project):
    db.store_memory(
        project, "v", "Fixed JWT token validation: expiry compared in UTC", "LOW", "error_fixed"
    )
    kept = db.store_memory(project, "v", "Session cookie expired too early", "HIGH", "error_fixed")
    found = db.recall_memories(project, "login token expiry", min_salience="MEDIUM")
    assert ids(found) == [kept]


def test_a_query_of_punctuation_alone_finds_nothing(db, project):
    db.store_memory(project, "v", "Fixed JWT token validation", "HIGH", "error_fixed")
    assert db.recall_memories(project, ":::") == []


def test_without_the_embedding_packages_search_uses_words_and_says_why(
    tmp_path, no_embedder, monkeypatch
):
    monkeypatch.setattr(embedding, "unavailable_reason", lambda: "ModuleNotFoundError: numpy")
    with MemoryDatabase(tmp_path / "memory.db") as db:
        memory_id = db.store_memory(tmp_path, "v", "Fixed JWT token validation", "HIGH", "note")
        assert ids(db.recall_memories(tmp_path, "JWT")) == [memory_id]
        assert db.recall_memories(tmp_path, "login broken") == []
        assert db.semantic_search_unavailable() == "ModuleNotFoundError: numpy"
        assert db.conn.execute("SELECT COUNT(*) FROM memory_embeddings").fetchone()[0] == 0
        assert db.backfill_embeddings() == 0


def test_a_word_in_most_memories_is_still_found_and_ranked_by_the_gist(tmp_path, no_embedder):
    """A word in over half of a large store is ranked without bm25 (which would give it no
    weight, at the highest cost): the memory naming it in its gist still comes first, and
    the rarer words beside it decide which memories match."""
    with MemoryDatabase(tmp_path / "memory.db") as db:
        named = db.store_memory(tmp_path, "v", "Cache keys now include the tenant", "HIGH", "note")
        thumbnails = db.store_memory(
            tmp_path, "the page was slow after a deploy", "Warmed the thumbnails", "HIGH", "note"
        )
        for number in range(1_100):
            db.store_memory(
                tmp_path,
                f"cache line {number} of a long log",
                f"Noted step {number}",
                "HIGH",
                "note",
            )
        assert ids(db.recall_memories(tmp_path, "cache", limit=3))[0] == named
        assert ids(db.recall_memories(tmp_path, "cache thumbnails", limit=3))[0] == thumbnails
        # Words in most memories alone do not make a match: "line 7 cache" finds the 7th line.
        found = db.recall_memories(tmp_path, "line 7 cache", limit=30)
        assert [memory.verbatim for memory in found] == ["cache line 7 of a long log"]


# --------------------------------------------------------------- vectors in the store


def test_a_memory_gets_its_vector_when_stored_and_loses_it_when_deleted(db, project):
    memory_id = db.store_memory(project, "v", "Fixed JWT token validation", "HIGH", "note")
    stored = db.conn.execute(
        "SELECT model, length(vector) FROM memory_embeddings WHERE memory_id = ?", (memory_id,)
    ).fetchone()
    assert tuple(stored) == (embedding.MODEL_NAME, embedding.DIMENSIONS)
    db.delete_memory(memory_id)
    assert db.conn.execute("SELECT COUNT(*) FROM memory_embeddings").fetchone()[0] == 0


def test_changing_a_gist_changes_what_it_is_found_by_in_meaning(db, project):
    memory_id = db.store_memory(project, "v", "Chose Postgres over MySQL", "HIGH", "decision")
    assert db.recall_memories(project, "relational database choice")
    db.update_memory(memory_id, gist="Renamed the onboarding banner", verbatim="copy change")
    assert db.recall_memories(project, "relational database choice") == []


def test_backfill_embeds_old_memories_in_resumable_batches(tmp_path, monkeypatch):
    path = tmp_path / "memory.db"
    loader = embedding.load_embedder
    monkeypatch.setattr(embedding, "load_embedder", lambda: None)
    with MemoryDatabase(path) as db:  # memories written before vectors existed
        for number in range(10):
            db.store_memory(tmp_path, JWT_VERBATIM, f"{JWT_GIST} ({number})", "HIGH", "note")
    monkeypatch.setattr(embedding, "load_embedder", loader)
    with MemoryDatabase(path) as db:
        assert db.embedding_progress() == (0, 10)
        assert db.recall_memories(tmp_path, "login broken") == []
        assert db.backfill_embeddings(batch_size=4) == 4
        assert db.embedding_progress() == (4, 10)
    with MemoryDatabase(path) as db:  # reopened: goes on where it stopped
        while db.backfill_embeddings(batch_size=4):
            pass
        assert db.embedding_progress() == (10, 10)
        assert len(db.recall_memories(tmp_path, "login broken", limit=20)) == 10


def test_a_memory_written_by_another_process_is_found_by_meaning(tmp_path):
    path = tmp_path / "memory.db"
    with MemoryDatabase(path) as server, MemoryDatabase(path) as cli:
        server.store_memory(tmp_path, "v", "Bumped the changelog", "HIGH", "note")
        assert server.recall_memories(tmp_path, "login broken") == []  # index now loaded
        written = cli.store_memory(tmp_path, JWT_VERBATIM, JWT_GIST, "HIGH", "note")
        assert ids(server.recall_memories(tmp_path, "login broken")) == [written]


def test_related_memories_are_those_nearest_an_open_files_text(db, project):
    auth = db.store_memory(
        project,
        "v",
        "Fixed JWT token validation: expiry compared in UTC",
        "HIGH",
        "error_fixed",
        "src/auth/middleware.py",
        3,
    )
    db.store_memory(project, "v", "Wrapped the CSV export rows", "HIGH", "note", "src/export.py", 1)
    source = (
        "def verify_token(token):\n    claims = jwt.decode(token, KEY)\n    return claims['exp']\n"
    )
    assert ids(db.related_memories(project, source, limit=1)) == [auth]


def test_the_model_loads_and_embeds_with_the_network_cut_off():
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse\n"
        "from vidurai.storage import embedding\n"
        "embedder = embedding.load_embedder()\n"
        "assert embedder is not None, embedding.unavailable_reason()\n"
        "print(embedder.embed(['login broken']).shape)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"(1, {embedding.DIMENSIONS})"


# --------------------------------------------------------------- pure pieces


def test_reciprocal_rank_fusion_rewards_agreement():
    scores = reciprocal_rank_fusion([(1.0, [1, 2, 3]), (1.0, [3, 4])])
    assert max(scores, key=scores.get) == 3
    assert scores[1] > scores[4]


def test_any_word_queries_drop_stop_words():
    query = WordQuery.parse("how do I fix the login")
    assert query.any_word(prefix=True) == '"fix" OR "login"*'
    assert WordQuery.parse("the").every_word(prefix=True) == '"the"*'


def test_any_word_queries_leave_out_words_too_common_to_rank_by():
    query = WordQuery.parse("cache miss in the login handler ")
    assert query.any_word() == '"cache" OR "miss" OR "login" OR "handler"'
    common = WordQuery(query.words, query.partial, frozenset({"login", "cache"}))
    assert common.any_word(prefix=True) == '"miss" OR "handler"'  # finished: no prefix
    assert common.every_word() == '"cache" "miss" "in" "the" "login" "handler"'


def marked(snippet: Snippet | None) -> str | None:
    return None if snippet is None else snippet.render("**", "**")


def test_a_snippet_marks_the_query_words_and_completes_an_unfinished_one():
    query = WordQuery.parse("Token valid")
    snippet = query.snippet(("Fixed JWT token validation: expiry compared in UTC", None))
    assert (
        snippet is not None and snippet.text == "Fixed JWT token validation: expiry compared in UTC"
    )
    assert snippet.spans == ((10, 15), (16, 26))  # the words, for the reader to mark
    assert marked(snippet) == "Fixed JWT **token** **validation**: expiry compared in UTC"
    assert (
        marked(WordQuery.parse("token valid ").snippet(("token validation",)))
        == "**token** validation"
    )
    assert query.snippet(("Chose Postgres over MySQL",)) is None


def test_a_snippet_of_a_long_text_is_the_stretch_with_the_most_query_words():
    verbatim = (
        " ".join(f"w{n}" for n in range(40)) + " cache miss " + " ".join(f"v{n}" for n in range(40))
    )
    snippet = marked(WordQuery.parse("cache miss").snippet(("About a cache", verbatim)))
    assert snippet is not None
    assert snippet.startswith("…w37 w38 w39 **cache** **miss** v0") and snippet.endswith("v10…")
    assert marked(WordQuery.parse("Über").snippet(("uber alles",))) == "**uber** alles"


def test_identifiers_are_names_written_as_code():
    assert identifiers_in("why does parse_config return None") == ["parse_config"]
    assert identifiers_in("useEffect and os.path.join") == ["useEffect", "os.path.join"]
    assert identifiers_in("login broken") == []


def test_meaning_search_stays_inside_the_project(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    with MemoryDatabase(tmp_path / "memory.db") as db:
        db.store_memory(second, JWT_VERBATIM, JWT_GIST, "HIGH", "error_fixed")
        mine = db.store_memory(first, "v", "Bumped the changelog", "HIGH", "note")
        assert db.recall_memories(first, "login broken") == []
        assert ids(db.recall_memories(first, "changelog")) == [mine]
        assert len(db.recall_memories(second, "login broken")) == 1
