"""The extension's copies of the server's tables agree with the server.

The server holds each table once: the built-in audiences (storage/models.py), the event kinds
(gists/kinds.py), the limits (limits.py) and the settings' defaults (lsp/session.py). The
extension cannot import Python, so its manifest (package.json) and a few TypeScript constants
repeat some of them; each test here fails, naming the file to change, when a copy drifts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vidurai import limits
from vidurai.gists.kinds import KINDS
from vidurai.lsp import protocol
from vidurai.lsp.session import _SETTING_KEYS, Settings
from vidurai.memory.fixes import DEFAULT_KEPT_CODES
from vidurai.storage.models import BUILTIN_AUDIENCE_TABLE, BUILTIN_AUDIENCES

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = json.loads((ROOT / "package.json").read_text())["contributes"]["configuration"][
    "properties"
]


def ts_source(path: str) -> str:
    return (ROOT / "extension" / path).read_text()


def ts_string_array(source: str, name: str) -> list[str]:
    """The strings of `export const NAME = ['a', 'b'] …` (or `: readonly T[] = […]`)."""
    match = re.search(rf"const {name}\b[^=]*=\s*\[([^\]]*)\]", source)
    assert match, f"no array {name}"
    return re.findall(r"'([^']*)'", match[1])


def ts_string_record(source: str, name: str) -> dict[str, str]:
    """The entries of `export const NAME: … = { key: 'value', … }`."""
    match = re.search(rf"const {name}\b[^=]*=\s*\{{([^}}]*)\}}", source)
    assert match, f"no object {name}"
    return dict(re.findall(r"(\w+):\s*'([^']*)'", match[1]))


def ts_number(source: str, name: str) -> int:
    """The value of `const NAME = 8 * 1024;` (a number or a product of numbers)."""
    match = re.search(rf"const {name}\s*=\s*([\d_ *]+);", source)
    assert match, f"no constant {name}"
    value = 1
    for factor in match[1].split("*"):
        value *= int(factor.strip().replace("_", ""))
    return value


# ---------------------------------------------------------------------- audiences


def test_the_extension_offers_the_built_in_audiences_in_the_servers_order():
    assert ts_string_array(ts_source("protocol.ts"), "BuiltInAudiences") == list(
        BUILTIN_AUDIENCES
    ), "extension/protocol.ts BuiltInAudiences must list storage/models.py BUILTIN_AUDIENCE_TABLE"


def test_the_audience_settings_describe_each_built_in_audience_as_the_server_does():
    described = SETTINGS["vidurai.audience"]["markdownDescription"]
    said = [f"`{audience.name}` ({audience.description})" for audience in BUILTIN_AUDIENCE_TABLE]
    assert all(phrase in described for phrase in said), (
        f"package.json vidurai.audience must say {', '.join(said)}"
    )
    assert [described.index(phrase) for phrase in said] == sorted(
        described.index(phrase) for phrase in said
    ), "package.json vidurai.audience must name the audiences in the registry's order"
    extras = SETTINGS["vidurai.audiences"]["markdownDescription"]
    assert all(f"`{name}`" in extras for name in BUILTIN_AUDIENCES), (
        "package.json vidurai.audiences must name every built-in audience"
    )


def test_every_built_in_audience_has_its_own_voice():
    from vidurai.gists.voices import VOICES

    assert list(VOICES) == list(BUILTIN_AUDIENCES)
    for name in BUILTIN_AUDIENCES:
        assert (ROOT / "server" / "vidurai" / "gists" / "voices" / f"{name}.py").is_file()


# ---------------------------------------------------------------------- event kinds


def test_the_tree_shows_each_event_kind_with_the_servers_icon():
    icons = ts_string_record(ts_source("views/treeModel.ts"), "EVENT_KIND_ICONS")
    assert icons == {value: kind.icon for value, kind in KINDS.items()}, (
        "extension/views/treeModel.ts EVENT_KIND_ICONS must match the icons in gists/kinds.py"
    )


# ---------------------------------------------------------------------- limits and settings


def test_the_context_budget_setting_has_the_servers_default_and_range():
    setting = SETTINGS["vidurai.context.maxTokens"]
    assert (setting["default"], setting["minimum"], setting["maximum"]) == (
        limits.DEFAULT_CONTEXT_TOKENS,
        limits.MIN_TOKEN_BUDGET,
        limits.MAX_TOKEN_BUDGET,
    ), "package.json vidurai.context.maxTokens must match vidurai/limits.py"


def test_the_extension_falls_back_to_the_servers_defaults_for_a_value_it_cannot_use():
    settings_ts = ts_source("settings.ts")
    assert ts_number(settings_ts, "DEFAULT_MAX_TOKENS") == limits.DEFAULT_CONTEXT_TOKENS
    assert ts_number(settings_ts, "DEFAULT_SETTLE_SECONDS") == Settings().settle_seconds


def test_the_extension_asks_within_the_servers_limits():
    """A page, a search or a command's output the extension sends is never refused or cut short."""
    assert ts_number(ts_source("views/memoryTree.ts"), "PAGE_SIZE") <= limits.MAX_PAGE
    assert ts_number(ts_source("assistant/toolText.ts"), "MAX_RECALL_LIMIT") <= limits.MAX_PAGE
    assert ts_number(ts_source("commands.ts"), "SEARCH_PICK_LIMIT") <= limits.MAX_PAGE
    sent_output = ts_number(ts_source("capture/terminal.ts"), "TAIL_CHARS")
    assert limits.OUTPUT_TAIL_CHARS <= sent_output <= limits.MAX_OUTPUT_CHARS


@pytest.mark.parametrize("key", sorted(_SETTING_KEYS))
def test_each_setting_the_server_reads_has_the_same_default_in_the_manifest(key):
    """A user who never touched a setting gets the server's default, whichever side applies it."""
    if f"vidurai.{key}" not in SETTINGS:  # sent by the extension itself (folderAudiences)
        return
    name = _SETTING_KEYS[key][0]
    value = getattr(Settings(), name)
    if value is None and name == "diagnostic_codes":  # None: the built-in table
        value = DEFAULT_KEPT_CODES
    manifest_default = SETTINGS[f"vidurai.{key}"]["default"]
    if isinstance(value, tuple):
        manifest_default = tuple(manifest_default)
    assert manifest_default == value, (
        f"package.json vidurai.{key} default must be the server's (Settings.{name} = {value!r})"
    )


# ---------------------------------------------------------------------- the wire's names


def test_the_extension_knows_the_servers_commands_and_groupings():
    commands = ts_string_record(ts_source("protocol.ts"), "ServerCommands")
    server_commands = {value for name, value in vars(protocol).items() if name.startswith("CMD_")}
    assert set(commands.values()) == server_commands, (
        "extension/protocol.ts ServerCommands must match the CMD_* ids of lsp/protocol.py"
    )
    assert ts_string_array(ts_source("protocol.ts"), "GroupByValues") == list(protocol.GROUP_BY)
