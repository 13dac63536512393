"""The data behind the tree and the commands: remember, forget, pin, gists, search, briefings."""

import asyncio
import os

import pytest
from pygls.exceptions import JsonRpcInvalidParams

from tests.lsp.conftest import Editor
from vidurai.lsp import protocol
from vidurai.storage import MemoryDatabase

LOAD_LINE = 3


async def test_remember_notifies_a_change_and_the_tree_lists_the_memory(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Config is read as text", end_line=LOAD_LINE + 2)
    change = await editor.wait_for_change()
    assert change == {"projects": [editor.project], "files": [uri]}

    top = await editor.request(protocol.MEMORIES, {"groupBy": "file"})
    assert top["total"] == 1
    assert top["groups"] == [{"key": "path:src/app.py", "label": "src/app.py", "count": 1}]
    page = await editor.request(protocol.MEMORIES, {"groupBy": "file", "group": "path:src/app.py"})
    assert [found["id"] for found in page["items"]] == [item["id"]]
    listed = page["items"][0]
    assert (listed["line"], listed["endLine"], listed["uri"]) == (LOAD_LINE, LOAD_LINE + 2, uri)
    assert set(listed["gists"]) == {"developer", "ai", "manager", "personal"}
    assert page["nextOffset"] is None


async def test_a_note_without_a_place_is_remembered_for_the_project(editor):
    item = await editor.command(protocol.CMD_REMEMBER, {"note": "Releases go out on Tuesdays"})
    assert (item["uri"], item["line"], item["file"]) == (None, None, None)
    assert await editor.wait_for_change() == {"projects": [editor.project], "files": []}
    top = await editor.request(protocol.MEMORIES, {"groupBy": "file"})
    assert [(group["key"], group["count"]) for group in top["groups"]] == [("nofile", 1)]
    with pytest.raises(JsonRpcInvalidParams, match="need the uri"):
        await editor.command(protocol.CMD_REMEMBER, {"note": "x", "startLine": 3, "endLine": 3})


async def test_changes_made_together_are_sent_as_one_notification(editor):
    uri = editor.open("src/app.py")
    for number in range(4):
        await editor.remember(uri, LOAD_LINE + number, f"note {number}")
    await editor.wait_for_change()
    await editor.remember(uri, 0, "one more")
    await editor.wait_for_change()
    assert len(editor.changes) == 2


async def test_the_tree_pages_through_a_group_in_line_order(editor):
    uri = editor.open("src/app.py")
    for line in (8, 2, 5, 0, 9):
        await editor.remember(uri, line, f"note on line {line}")
    first = await editor.request(
        protocol.MEMORIES, {"groupBy": "file", "group": "path:src/app.py", "limit": 3}
    )
    assert [item["line"] for item in first["items"]] == [0, 2, 5]
    assert (first["total"], first["nextOffset"]) == (5, 3)
    rest = await editor.request(
        protocol.MEMORIES, {"groupBy": "file", "group": "path:src/app.py", "offset": 3, "limit": 3}
    )
    assert [item["line"] for item in rest["items"]] == [8, 9]
    assert rest["nextOffset"] is None


async def test_the_tree_groups_by_salience_recency_and_pins_in_an_audience(editor):
    uri = editor.open("src/app.py")
    high = await editor.remember(uri, 1, "Timeouts need retries", salience="HIGH")
    await editor.remember(uri, 2, "Minor naming nit", salience="LOW")
    await editor.command(protocol.CMD_PIN, high["id"])

    by_salience = await editor.request(protocol.MEMORIES, {"groupBy": "salience"})
    assert [(g["key"], g["count"]) for g in by_salience["groups"]] == [("HIGH", 1), ("LOW", 1)]
    recent = await editor.request(protocol.MEMORIES, {"groupBy": "recent"})
    assert [(g["key"], g["count"]) for g in recent["groups"]] == [("day", 2)]
    pins = await editor.request(protocol.MEMORIES, {"groupBy": "pinned"})
    assert [(g["key"], g["count"]) for g in pins["groups"]] == [("pinned", 1), ("unpinned", 1)]

    page = await editor.request(
        protocol.MEMORIES, {"groupBy": "pinned", "group": "pinned", "audience": "manager"}
    )
    assert [item["id"] for item in page["items"]] == [high["id"]]
    assert page["items"][0]["audience"] == "manager"
    assert page["items"][0]["label"] == page["items"][0]["gists"]["manager"]


async def test_forget_removes_the_memory_its_hover_and_its_tree_entry(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Config is read as text")
    assert await editor.hover(uri, LOAD_LINE) is not None

    assert await editor.command(protocol.CMD_FORGET, item["id"]) == {"forgotten": True}
    assert await editor.hover(uri, LOAD_LINE) is None
    assert (await editor.request(protocol.MEMORIES, {"groupBy": "file"}))["total"] == 0
    ledger = await editor.request(protocol.LEDGER, {})
    assert ledger["entries"][0]["memoryId"] == item["id"]
    assert await editor.command(protocol.CMD_FORGET, item["id"]) == {"forgotten": False}


async def test_set_gist_replaces_one_audience_and_keeps_the_old_one_in_history(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Config is read as text")
    updated = await editor.command(
        protocol.CMD_SET_GIST, item["id"], "developer", "Config is plain text, parse it yourself"
    )
    assert updated["gists"]["developer"] == "Config is plain text, parse it yourself"
    assert "parse it yourself" in (await editor.hover(uri, LOAD_LINE)).contents.value

    details = await editor.request(protocol.MEMORY, {"id": item["id"]})
    assert details["history"][0]["audience"] == "developer"
    assert details["history"][0]["gist"] == item["gists"]["developer"]
    assert "parse it yourself" in details["markdown"]
    assert "Config is read as text" in details["verbatim"]


async def test_search_ranks_matches_and_handles_punctuation(editor):
    uri = editor.open("src/app.py")
    await editor.remember(uri, 1, "JWT validation fails when the token's exp claim is a string")
    await editor.remember(uri, 2, "Use os.environ.get() for optional settings")

    for query in ("token's \"exp", "os.environ.get()", "(JWT) AND -exp*", ":::", "NEAR("):
        results = (await editor.request(protocol.SEARCH, {"query": query}))["results"]
        assert isinstance(results, list)
    results = (await editor.request(protocol.SEARCH, {"query": "os.environ.get()"}))["results"]
    assert results[0]["gist"].startswith("Use os.environ.get()")
    assert (await editor.request(protocol.SEARCH, {"query": ":::"}))["results"] == []


async def test_search_finds_a_memory_by_meaning_and_context_follows_the_open_text(editor):
    app = editor.open("src/app.py")
    await editor.remember(
        app, 1, "Walk the category tree iteratively; deep trees overflowed the recursion limit"
    )
    await editor.remember(app, 2, "Slugs must stay ASCII for the CDN cache keys")
    results = (
        await editor.request(protocol.SEARCH, {"query": "stack overflow on nested categories"})
    )["results"]
    assert results[0]["gist"].startswith("Walk the category tree")
    # Context for another file: its unsaved text decides what is related to it.
    other = editor.open(
        "src/tree.py", "def walk(node):\n    # recursion depth on deep category trees\n"
    )
    context = await editor.request(protocol.CONTEXT, {"uri": other})
    related = context["markdown"].split("## Related to this file")[1]
    assert "Walk the category tree" in related.split("##")[0]


async def test_without_the_embedding_packages_the_server_says_so_once_and_searches_by_words(
    tmp_path,
):
    hidden = tmp_path / "without-numpy" / "numpy"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('No module named numpy')\n")
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("x = 1\ny = 2\n")
    editor = Editor(root, tmp_path / "memory.db")
    await editor.start(env={**os.environ, "PYTHONPATH": str(hidden.parent)})
    try:
        app = editor.open("src/app.py")
        await editor.remember(
            app, 0, "Walk the category tree iteratively; deep trees overflowed the recursion limit"
        )
        by_words = (await editor.request(protocol.SEARCH, {"query": "recursion"}))["results"]
        assert by_words[0]["gist"].startswith("Walk the category tree")
        assert (
            await editor.request(protocol.SEARCH, {"query": "stack overflow on nested categories"})
        )["results"] == []

        def notices():
            return [
                m.message
                for m in editor.client.log_messages
                if "Search by meaning is off" in m.message
            ]

        for _ in range(100):  # the server checks in the background after it starts
            if notices():
                break
            await asyncio.sleep(0.1)
        assert len(notices()) == 1 and "No module named numpy" in notices()[0]
    finally:
        await editor.stop()


async def test_context_and_report_stay_within_their_budgets(editor):
    uri = editor.open("src/app.py")
    for number in range(40):
        await editor.remember(
            uri,
            number % 10,
            f"Decision {number}: keep the loader synchronous "
            "because the config is small and read once",
        )
    context = await editor.request(protocol.CONTEXT, {"uri": uri, "maxTokens": 120})
    assert 0 < context["tokens"] <= 120
    assert 0 < context["memoryCount"] < 40
    bigger = await editor.request(protocol.CONTEXT, {"uri": uri, "maxTokens": 5000})
    assert bigger["memoryCount"] == 40

    report = await editor.request(protocol.REPORT, {"days": 7, "maxTokens": 150})
    assert 0 < report["memoryCount"] < 40
    assert len(report["markdown"]) // 4 <= 150 * 1.5


async def test_stats_count_what_is_stored(editor):
    uri = editor.open("src/app.py")
    await editor.remember(uri, 1, "Timeouts need retries", salience="HIGH")
    stats = await editor.request(protocol.STATS, {})
    assert stats["total"] == 1 and stats["bySalience"]["HIGH"] == 1
    assert stats["databasePath"] == str(editor.db_path)
    assert stats["audience"] == "developer"


async def test_run_forgetting_forgets_what_expired_and_notifies(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Temporary debugging note", salience="NOISE")
    await editor.wait_for_change()
    changes_before = len(editor.changes)
    with MemoryDatabase(editor.db_path) as db:
        db.conn.execute(
            "UPDATE memories SET expires_at = '2000-01-01 00:00:00' WHERE id = ?", (item["id"],)
        )
    result = await editor.command(protocol.CMD_RUN_FORGETTING)
    # The server's own start-up pass may get there first; either way the command leaves
    # the expired memory forgotten, in the ledger and announced.
    assert [entry["memoryId"] for entry in result["forgotten"]] in ([item["id"]], [])
    ledger = await editor.request(protocol.LEDGER, {})
    assert [entry["memoryId"] for entry in ledger["entries"]] == [item["id"]]
    async with asyncio.timeout(5):
        while len(editor.changes) == changes_before:
            await asyncio.sleep(0.02)
    assert await editor.hover(uri, LOAD_LINE) is None


BAD_REQUESTS = [
    (protocol.MEMORIES, {"groupBy": "colour"}, "groupBy"),
    (protocol.MEMORIES, {"groupBy": "file", "limit": "ten"}, "limit"),
    (protocol.MEMORIES, {"groupBy": "file", "audience": "klingon"}, "audience"),
    (protocol.MEMORIES, {"groupBy": "file", "group": "path"}, "group"),
    (protocol.MEMORY, {"id": 999_999}, "999999"),
    (protocol.MEMORY, {"id": "1"}, "id"),
    (protocol.SEARCH, {"query": "x" * 5_000}, "query"),
    (protocol.SEARCH, [1, 2], "object"),
    (protocol.CONTEXT, {"maxTokens": -5}, "maxTokens"),
    (protocol.CONTEXT, {"maxTokens": 99}, "between 100 and 100000"),
    (protocol.REPORT, {"days": 0}, "days"),
    (protocol.LEDGER, {"limit": True}, "limit"),
]

BAD_COMMANDS = [
    (protocol.CMD_PIN, [999_999], "999999"),
    (protocol.CMD_FORGET, ["42"], "integer"),
    (protocol.CMD_SET_AUDIENCE, ["klingon"], "klingon"),
    (protocol.CMD_SET_GIST, [1, "developer"], "three arguments"),
    (
        protocol.CMD_REMEMBER,
        [{"uri": "file:///elsewhere/x.py", "startLine": 0, "endLine": 0, "note": "outside"}],
        "workspace folder",
    ),
    (
        protocol.CMD_REMEMBER,
        [{"uri": "FILE", "startLine": 0, "endLine": 0, "note": "n" * 20_000}],
        "note",
    ),
    ("vidurai.server.noSuchCommand", [], "noSuchCommand"),
]


async def test_bad_params_are_answered_with_clear_errors_and_the_server_keeps_serving(editor):
    uri = editor.open("src/app.py")
    await editor.remember(uri, LOAD_LINE, "Config is read as text")
    memory_id = (
        await editor.request(protocol.MEMORIES, {"groupBy": "file", "group": "path:src/app.py"})
    )["items"][0]["id"]

    for method, params, mentioned in BAD_REQUESTS:
        with pytest.raises(JsonRpcInvalidParams) as error:
            await editor.request(method, params)
        assert mentioned in error.value.message, (method, params, error.value.message)

    for command, arguments, mentioned in BAD_COMMANDS:
        arguments = [
            {**a, "uri": uri} if isinstance(a, dict) and a.get("uri") == "FILE" else a
            for a in arguments
        ]
        with pytest.raises(JsonRpcInvalidParams) as error:
            await editor.command(command, *arguments)
        assert mentioned in error.value.message, (command, error.value.message)

    with pytest.raises(JsonRpcInvalidParams) as error:  # a standard request, malformed
        await editor.raw_request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": "top"}
        )
    assert "textDocument/hover" in error.value.message

    editor.notify(protocol.DIAGNOSTICS, {"uri": uri, "diagnostics": "none"})
    editor.notify(protocol.TERMINAL_COMMAND, {"command": 42})
    assert "Config is read as text" in (await editor.hover(uri, LOAD_LINE)).contents.value
    assert (await editor.request(protocol.MEMORY, {"id": memory_id}))["memory"]["id"] == memory_id


async def test_what_an_assistant_can_read_is_redacted_and_stays_in_its_project(editor, tmp_path):
    # A store written before redaction existed (a predecessor's file, upgraded with nothing
    # lost) holds a token as typed; another project's memory sits in the same file.
    token = "ghp_4fT9qLm2ZxV8nR1sK7wP3yB6cD0eH5jA2uGi"
    with MemoryDatabase(editor.db_path) as old_store:
        mine = old_store.store_memory(
            str(editor.root), f"deploy with {token}", f"Deploy token is {token}", "HIGH",
            "note", "src/app.py", LOAD_LINE + 1, tags=[token],
            audience_gists={"ai": f"Deploy uses {token}"},
        )  # fmt: skip
        theirs = old_store.store_memory(
            str(tmp_path), "Another project's plan", "Another project's plan", "HIGH", "note"
        )

    details = await editor.request(protocol.MEMORY, {"id": mine, "project": editor.project})
    found = await editor.request(protocol.SEARCH, {"query": "deploy token"})
    context = await editor.request(protocol.CONTEXT, {"query": "deploy"})
    assert [result["id"] for result in found["results"]] == [mine]
    assert "Deploy" in context["markdown"]
    for answer in (details, found, context):
        text = str(answer)  # Markdown escapes the marker's brackets and underscore
        assert token not in text and "REDACTED" in text

    with pytest.raises(JsonRpcInvalidParams, match=f"{theirs}"):
        await editor.request(protocol.MEMORY, {"id": theirs, "project": editor.project})
    other = await editor.request(protocol.MEMORY, {"id": theirs})  # the editor's own views
    assert other["memory"]["gist"] == "Another project's plan"
