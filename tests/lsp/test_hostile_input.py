"""Hostile or broken input: every request is answered, nothing grows, the server keeps serving."""

import json

import pytest

from tests.lsp.fuzz import APP, GIST, hover_text, prepare, run_storm
from tests.lsp.wire import WireServer, encode, frame


@pytest.fixture
def server(tmp_path):
    root, db_path, uri = prepare(tmp_path)
    wire = WireServer(env={"HOME": str(tmp_path)})
    wire.initialize(root, db_path)
    wire.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": APP}},
    )
    wire.uri = uri
    yield wire
    wire.close()


def error_for(server, message_id):
    while True:
        answer = server.response(timeout=30)
        if answer.get("id") == message_id:
            return answer["error"]


@pytest.mark.parametrize(
    "data, says",
    [
        (
            b"Content-Length: -40\r\n\r\n"
            + json.dumps({"jsonrpc": "2.0", "id": 7, "method": "vidurai/stats"}).encode(),
            "not a byte count",
        ),
        (
            b"Content-Length: ten\r\n\r\n"
            + json.dumps({"jsonrpc": "2.0", "id": 7, "method": "vidurai/stats"}).encode(),
            "not a byte count",
        ),
        (
            b"Content-Type: x\r\n\r\n"
            + json.dumps({"jsonrpc": "2.0", "id": 7, "method": "vidurai/stats"}).encode(),
            "no Content-Length",
        ),
        (
            frame(
                b'{"id": 7, "jsonrpc": "2.0", "method": "vidurai/search", "params": {"query": "\xff"}}'
            ),
            "not valid UTF-8",
        ),
        (
            frame(
                b'{"id": 7, "jsonrpc": "2.0", "method": "vidurai/memories", "params": '
                + b"[" * 100_000
                + b"]" * 100_000
                + b"}"
            ),
            "nested deeper",
        ),
        (
            frame(
                b'{"id": 7, "jsonrpc": "2.0", "method": "vidurai/memories", "params": '
                + b"[" * 60
                + b"]" * 60
                + b"}"
            ),
            "nested deeper",
        ),
        (frame(b'[{"id": 7, "jsonrpc": "2.0", "method": "vidurai/stats"}]'), "batch"),
        (
            encode(
                {
                    "jsonrpc": "2.0",
                    "id": 7,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            ),
            "already initialized",
        ),
        (encode({"jsonrpc": "2.0", "id": 7, "method": "textDocument/didChange2"}), "Not Found"),
    ],
)
def test_a_broken_request_is_answered_and_the_server_keeps_serving(server, data, says):
    server.write(data)
    assert says in error_for(server, 7)["message"]
    assert GIST in hover_text(server, server.uri)


def test_huge_ids_are_answered_with_their_own_id(server):
    for message_id in (2**63, 10**30):
        server.send({"jsonrpc": "2.0", "id": message_id, "method": "vidurai/stats"})
        assert "below 2^53" in error_for(server, message_id)["message"]


def test_custom_requests_without_params_use_their_defaults(server):
    for method in ("vidurai/stats", "vidurai/ledger", "vidurai/memories"):
        request_id = next(server.ids)
        server.send({"jsonrpc": "2.0", "id": request_id, "method": method})
        answer = server.response()
        while answer.get("id") != request_id:
            answer = server.response()
        assert "result" in answer, (method, answer)


def test_a_list_sent_as_a_string_and_changes_to_unopened_files_cost_nothing(server):
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": server.uri, "version": 2}, "contentChanges": "x" * 300_000},
    )
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": server.uri + ".never-opened", "version": 2},
            "contentChanges": [{"text": "y" * 1_000_000}],
        },
    )
    assert GIST in hover_text(server, server.uri)  # answered at once, the document unchanged
    assert all(len(line) < 1000 for line in server.stderr_lines)


def test_ten_thousand_hostile_messages(tmp_path):
    result, before, after = run_storm(tmp_path, messages=10_000)
    assert not result.crashed
    assert result.unanswered == [] and result.answered == result.requests
    assert result.rss_after_kib <= 2 * result.rss_idle_kib
    assert result.rss_peak_kib <= 2 * result.rss_idle_kib
    assert GIST in before and GIST in after
    assert result.log_lines <= result.messages  # at most one line per message
