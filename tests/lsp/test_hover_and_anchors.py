"""Hovers on remembered lines, in the chosen audience, that follow the code as it is edited."""

import re

from lsprotocol import types

from vidurai.lsp import protocol
from vidurai.storage import MemoryDatabase

LOAD_LINE = 3  # "def load_config(path):" (0-based)
READ_LINE = 5  # "        return handle.read()"


def hover_text(hover) -> str:
    assert hover is not None, "expected a hover"
    assert hover.contents.kind == types.MarkupKind.Markdown
    return hover.contents.value


async def test_hover_speaks_developer_then_personal_after_set_audience(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Config is read as text, never parsed")

    text = hover_text(await editor.hover(uri, LOAD_LINE))
    assert item["gists"]["developer"].split(" in ")[0].replace(",", "") in text.replace(",", "")
    assert "I " not in text.split("\n")[0]

    assert await editor.command(protocol.CMD_SET_AUDIENCE, "personal") == {"audience": "personal"}
    text = hover_text(await editor.hover(uri, LOAD_LINE))
    assert text.split("\n")[0].startswith("**Vidurai** · I ")
    assert "never parsed" in text


async def test_hover_lists_salience_age_and_our_command_links_only(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Paths are relative to cwd", salience="high")

    hover = await editor.hover(uri, LOAD_LINE)
    text = hover_text(hover)
    memory_id = item["id"]
    assert "High · just now" in text
    assert f"command:vidurai.pin?%5B{memory_id}%5D" in text
    assert f"command:vidurai.forget?%5B{memory_id}%5D" in text
    assert f"command:vidurai.showMemory?%5B{memory_id}%5D" in text
    commands = {part.split("?")[0] for part in text.split("(command:")[1:]}
    assert commands == {"vidurai.pin", "vidurai.forget", "vidurai.showMemory"}
    assert hover.range.start.line == LOAD_LINE

    await editor.command(protocol.CMD_PIN, memory_id)
    text = hover_text(await editor.hover(uri, LOAD_LINE))
    assert f"command:vidurai.unpin?%5B{memory_id}%5D" in text
    assert "command:vidurai.pin?" not in text


async def test_a_line_without_memories_has_no_hover(editor):
    uri = editor.open("src/app.py")
    await editor.remember(uri, LOAD_LINE, "Config is read as text")
    assert await editor.hover(uri, LOAD_LINE + 1) is None
    assert await editor.hover(uri, 0) is None


async def test_stored_text_is_escaped_in_the_hover(editor):
    uri = editor.open("src/app.py")
    await editor.remember(
        uri, LOAD_LINE, "[click](command:workbench.action.quit) <img src=x> **bold**"
    )
    text = hover_text(await editor.hover(uri, LOAD_LINE))
    assert "\\[click\\](command:workbench" in text  # shown as text…
    assert not re.search(r"(?<!\\)\]\(command:workbench", text)  # …never as a link
    assert "<img" not in text and "&lt;img" in text
    assert "**bold**" not in text


async def test_more_than_three_memories_on_a_line_show_the_three_first_and_a_count(editor):
    uri = editor.open("src/app.py")
    for number in range(5):
        await editor.remember(uri, LOAD_LINE, f"note number {number}")
    text = hover_text(await editor.hover(uri, LOAD_LINE))
    assert text.count("**Vidurai**") == 3
    assert "\\+2 more" in text
    assert "note number 4" in text  # newest first


async def test_lines_inserted_above_move_the_hover_down_and_it_survives_a_restart(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Config is read as text")

    editor.edit(uri, (1, 0), (1, 0), "# one\n# two\n# three\n")
    assert await editor.hover(uri, LOAD_LINE) is None
    assert "read as text" in hover_text(await editor.hover(uri, LOAD_LINE + 3))
    editor.save(uri)
    edited = (editor.root / "src" / "app.py").read_text().splitlines(True)
    edited[1:1] = ["# one\n", "# two\n", "# three\n"]
    (editor.root / "src" / "app.py").write_text("".join(edited))

    await editor.stop()
    with MemoryDatabase(editor.db_path) as db:  # saved on didSave, 1-based in the store
        assert db.get_memory_by_id(item["id"]).line_number == LOAD_LINE + 3 + 1

    await editor.start()
    uri = editor.open("src/app.py")
    assert "read as text" in hover_text(await editor.hover(uri, LOAD_LINE + 3))
    assert await editor.hover(uri, LOAD_LINE) is None


async def test_deleted_lines_detach_the_memory_instead_of_pointing_elsewhere(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, READ_LINE, "read() loads the whole file")

    editor.edit(uri, (4, 0), (6, 0), "")  # the "with" block goes
    for line in range(0, 9):
        assert await editor.hover(uri, line) is None
    editor.save(uri)
    details = await editor.request(protocol.MEMORY, {"id": item["id"]})
    assert details["memory"]["detached"] is True


async def test_a_file_changed_while_closed_is_re_anchored_on_open(editor):
    uri = editor.open("src/app.py")
    await editor.remember(uri, READ_LINE, "read() loads the whole file")
    await editor.stop()

    path = editor.root / "src" / "app.py"
    path.write_text('"""Config helpers."""\n\n' + path.read_text())  # two lines above, no editor
    await editor.start()
    uri = editor.open("src/app.py")
    assert await editor.hover(uri, READ_LINE) is None
    assert "whole file" in hover_text(await editor.hover(uri, READ_LINE + 2))


async def test_typing_at_once_in_a_file_changed_while_closed_keeps_its_memory_on_its_line(editor):
    # The lines are found again from the text as opened, before the first keystroke moves them.
    uri = editor.open("src/app.py")
    await editor.remember(uri, READ_LINE, "read() loads the whole file")
    await editor.stop()

    path = editor.root / "src" / "app.py"
    path.write_text('"""Config helpers."""\n\n' + path.read_text())  # two lines above, no editor
    await editor.start()
    uri = editor.open("src/app.py")
    editor.edit(uri, (0, 0), (0, 0), "# typed\n")  # before anything else asks about the file
    assert await editor.hover(uri, READ_LINE + 2) is None
    assert "whole file" in hover_text(await editor.hover(uri, READ_LINE + 3))
    assert (await editor.request(protocol.FILE_MARKS, {"uri": uri}))["marks"] == [
        READ_LINE + 3,
        READ_LINE + 3,
        1,
    ]


async def test_a_memory_whose_text_is_gone_on_open_is_detached(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, READ_LINE, "read() loads the whole file")
    await editor.stop()

    path = editor.root / "src" / "app.py"
    path.write_text(path.read_text().replace("handle.read()", "handle.readlines()"))
    await editor.start()
    uri = editor.open("src/app.py")
    assert await editor.hover(uri, READ_LINE) is None
    details = await editor.request(protocol.MEMORY, {"id": item["id"]})
    assert details["memory"]["detached"] is True


async def test_a_saved_error_fixed_and_saved_becomes_a_fix_memory_with_a_hover(editor):
    path = editor.root / "src" / "app.py"
    path.write_text(path.read_text().replace("read()", "reed()"))
    uri = editor.open("src/app.py")
    error = {
        "range": {
            "start": {"line": READ_LINE, "character": 15},
            "end": {"line": READ_LINE, "character": 26},
        },
        "message": 'Cannot access attribute "reed" for class "TextIOWrapper"',
        "severity": 1,
        "source": "Pyright",
        "code": "reportAttributeAccessIssue",
    }
    editor.notify(protocol.DIAGNOSTICS, {"uri": uri, "version": 1, "diagnostics": [error]})
    editor.edit(uri, (0, 0), (0, 0), "import io\n")  # the error's line moves down one…
    version = editor.edit(uri, (READ_LINE + 1, 22), (READ_LINE + 1, 26), "read")  # …and is fixed
    editor.notify(protocol.DIAGNOSTICS, {"uri": uri, "version": version, "diagnostics": []})
    stats = await editor.request(protocol.STATS, {})
    assert stats["total"] == 0  # held until the fix is saved (or settles)
    editor.save(uri)
    change = await editor.wait_for_change()
    assert uri in change["files"]

    text = hover_text(await editor.hover(uri, READ_LINE + 1))
    assert "reed" in text
    assert "High" in text
    assert await editor.hover(uri, READ_LINE) is None


async def test_hovers_can_be_turned_off_without_a_restart(editor):
    uri = editor.open("src/app.py")
    await editor.remember(uri, LOAD_LINE, "Config is read as text")
    editor.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"vidurai": {"databasePath": str(editor.db_path), "hover": {"enabled": False}}}
        )
    )
    assert await editor.hover(uri, LOAD_LINE) is None
    editor.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"vidurai": {"databasePath": str(editor.db_path), "audience": "personal"}}
        )
    )
    assert "**Vidurai** · I " in hover_text(await editor.hover(uri, LOAD_LINE))


async def test_a_hover_counts_as_use(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Config is read as text")
    await editor.hover(uri, LOAD_LINE)
    await editor.stop()  # shutdown writes what is pending
    with MemoryDatabase(editor.db_path) as db:
        assert db.get_memory_by_id(item["id"]).access_count == 1


async def test_edits_closed_without_saving_leave_the_stored_line_as_it_was(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Config is read as text")
    editor.edit(uri, (1, 0), (1, 0), "# one\n# two\n")
    assert await editor.hover(uri, LOAD_LINE + 2) is not None
    editor.client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri))
    )
    assert await editor.hover(uri, LOAD_LINE) is not None  # the file on disk, unchanged
    await editor.stop()
    with MemoryDatabase(editor.db_path) as db:
        assert db.get_memory_by_id(item["id"]).line_number == LOAD_LINE + 1


async def test_a_memory_on_a_line_holding_a_secret_keeps_its_place_after_a_restart(editor):
    path = editor.root / "src" / "settings.py"
    path.write_text('DEBUG = False\nGITHUB_TOKEN = "ghp_4fT9qLm2ZxV8nR1sK7wP3yB6cD0eH5jA2uGi"\n')
    uri = editor.open("src/settings.py")
    item = await editor.remember(uri, 1, "Rotate this token every quarter")
    details = await editor.request(protocol.MEMORY, {"id": item["id"]})
    assert "ghp_4fT9" not in details["verbatim"]

    await editor.stop()
    await editor.start()
    uri = editor.open("src/settings.py")
    assert "Rotate this token" in hover_text(await editor.hover(uri, 1))


async def test_a_remembered_line_edited_and_saved_keeps_its_memory_after_a_restart(editor):
    uri = editor.open("src/app.py")
    await editor.remember(uri, LOAD_LINE, "Config is read as text")
    editor.edit(uri, (LOAD_LINE, 22), (LOAD_LINE, 22), "  # plain text")
    editor.save(uri)
    path = editor.root / "src" / "app.py"
    lines = path.read_text().splitlines(True)
    lines[LOAD_LINE] = lines[LOAD_LINE].rstrip("\n") + "  # plain text\n"
    path.write_text("".join(lines))

    await editor.stop()
    await editor.start()
    uri = editor.open("src/app.py")
    assert "read as text" in hover_text(await editor.hover(uri, LOAD_LINE))


async def test_a_fix_memory_keeps_its_hover_after_a_save_and_a_restart(editor):
    path = editor.root / "src" / "app.py"
    fixed = path.read_text()
    path.write_text(fixed.replace("read()", "reed()"))
    uri = editor.open("src/app.py")
    error = {
        "range": {
            "start": {"line": READ_LINE, "character": 15},
            "end": {"line": READ_LINE, "character": 26},
        },
        "message": 'Cannot access attribute "reed"',
        "severity": 1,
    }
    editor.notify(protocol.DIAGNOSTICS, {"uri": uri, "version": 1, "diagnostics": [error]})
    version = editor.edit(uri, (READ_LINE, 22), (READ_LINE, 26), "read")
    editor.notify(protocol.DIAGNOSTICS, {"uri": uri, "version": version, "diagnostics": []})
    path.write_text(fixed)
    editor.save(uri)
    await editor.wait_for_change()

    await editor.stop()
    await editor.start()
    uri = editor.open("src/app.py")
    assert "reed" in hover_text(await editor.hover(uri, READ_LINE))


async def test_copy_ai_context_names_the_line_the_memory_is_on_now_and_only_once(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Config is read as text")

    editor.edit(uri, (1, 0), (1, 0), "# one\n# two\n# three\n")  # unsaved: only the server knows
    context = (await editor.request(protocol.CONTEXT, {"uri": uri}))["markdown"]
    shown = (await editor.request(protocol.MEMORY, {"id": item["id"]}))["markdown"]

    moved = f"src/app.py:{LOAD_LINE + 3 + 1}"
    assert f"- [MEDIUM] Config: Config is read as text ({moved})" in context
    assert context.count("src/app.py:") == 1
    assert f"**Where:** src/app.py:{LOAD_LINE + 3 + 1}" in shown
    assert all("line" not in gist and "app.py" not in gist for gist in item["gists"].values())


async def test_after_an_upgrade_the_server_makes_old_gists_again_and_keeps_the_user_s(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "The nightly job must run after 02:00 UTC")
    await editor.command(
        protocol.CMD_SET_GIST, item["id"], "manager", "Nightly runs wait for the bank"
    )
    await editor.stop()
    with MemoryDatabase(editor.db_path) as db:  # as the previous version left it
        db.replace_generated_gists(
            {
                item["id"]: {
                    "developer": "The nightly job… (line 4)",
                    "personal": "I noted: The nightly job…",
                }
            }
        )
        db.conn.execute("DELETE FROM metadata WHERE key = 'gist_generator'")

    await editor.start()
    await editor.wait_for_change(timeout=10)
    gists = (await editor.request(protocol.MEMORY, {"id": item["id"]}))["memory"]["gists"]

    assert gists["developer"] == "The nightly job must run after 02:00 UTC"
    assert gists["personal"] == "I noted that the nightly job must run after 02:00 UTC"
    assert gists["manager"] == "Nightly runs wait for the bank"
