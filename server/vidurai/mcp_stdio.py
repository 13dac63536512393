"""A Model Context Protocol server on stdio, with the standard library only.

Why not the MCP SDK: the VS Code extension starts ``vidurai mcp`` with the user's Python and
the pure-Python libraries it bundles, and the SDK needs pydantic-core, a compiled library
built per platform and per Python version. The stdio transport is small: one JSON-RPC 2.0
message a line; a server answers ``initialize``, ``ping``, ``tools/list`` and ``tools/call``.

A tool declares its parameters (``Param``); the same declaration gives the JSON Schema that
``tools/list`` shows and the checks a call's arguments must pass, so the two never disagree.
A bad call is a tool result with ``isError`` and a message that says what was wrong; a bad
message is a JSON-RPC error. Either way the server keeps serving.
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass
from typing import IO, Any, Callable

# Newest first: the answer to ``initialize`` is the client's version when we speak it, else ours.
PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602

_JSON_TYPES = {str: "string", int: "integer"}


class ToolError(Exception):
    """A failure the caller should read: bad arguments, an unknown id. Not a crash."""


_REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One argument of a tool: its JSON type, what it means, its default and bounds."""

    name: str
    kind: type  # str or int
    description: str
    default: Any = _REQUIRED
    minimum: int | None = None
    maximum: int | None = None

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": _JSON_TYPES[self.kind], "description": self.description}
        if self.default is not _REQUIRED and self.default is not None:
            schema["default"] = self.default
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema

    def value(self, arguments: dict[str, Any]) -> Any:
        if arguments.get(self.name) is None:
            if self.required:
                raise ToolError(f"{self.name}: required")
            return self.default
        raw = arguments[self.name]
        if self.kind is int:
            # JSON has one number type: 5.0 is 5, but true and "5" are not numbers.
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise ToolError(f"{self.name}: expected an integer, got {raw!r}")
            if self.minimum is not None and raw < self.minimum:
                raise ToolError(f"{self.name}: must be at least {self.minimum}, got {raw}")
            if self.maximum is not None and raw > self.maximum:
                raise ToolError(f"{self.name}: must be at most {self.maximum}, got {raw}")
        elif not isinstance(raw, str):
            raise ToolError(f"{self.name}: expected a string, got {raw!r}")
        return raw


@dataclass(frozen=True)
class Tool:
    """A tool: ``run`` gets the checked arguments by name and returns a dict (structured
    content, also sent as its JSON text) or a str (sent as text)."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    run: Callable[..., dict[str, Any] | str]
    read_only: bool = True

    def listing(self) -> dict[str, Any]:
        annotations: dict[str, Any] = {
            "title": self.title,
            "readOnlyHint": self.read_only,
            "openWorldHint": False,
        }
        if self.read_only:
            annotations["idempotentHint"] = True
        else:
            annotations["destructiveHint"] = False
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": {
                "type": "object",
                "properties": {param.name: param.schema() for param in self.params},
                "required": [param.name for param in self.params if param.required],
                "additionalProperties": False,
            },
            "annotations": annotations,
        }

    def call(self, arguments: dict[str, Any]) -> dict[str, Any]:
        known = {param.name for param in self.params}
        unknown = sorted(set(arguments) - known)
        if unknown:
            raise ToolError(
                f"unknown argument {', '.join(unknown)} (this tool takes: "
                f"{', '.join(param.name for param in self.params)})"
            )
        result = self.run(**{param.name: param.value(arguments) for param in self.params})
        if isinstance(result, str):
            return {"content": [{"type": "text", "text": result}], "isError": False}
        text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        return {
            "content": [{"type": "text", "text": text}],
            "structuredContent": result,
            "isError": False,
        }


def _error_result(message: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": message}], "isError": True}


class StdioServer:
    """Answers MCP messages. ``handle`` is pure (a message in, an answer or None out);
    ``serve`` runs it over a pair of byte streams until the input ends."""

    def __init__(self, name: str, version: str, instructions: str, tools: list[Tool]):
        self.info = {"name": name, "version": version}
        self.instructions = instructions
        self.tools = {tool.name: tool for tool in tools}

    def handle(self, message: Any) -> dict[str, Any] | None:
        if (
            not isinstance(message, dict)
            or message.get("jsonrpc") != "2.0"
            or not isinstance(message.get("method"), str)
        ):
            # A response to nothing we asked, or not JSON-RPC at all.
            if isinstance(message, dict) and ("result" in message or "error" in message):
                return None
            return _rpc_error(None, INVALID_REQUEST, "not a JSON-RPC 2.0 request")
        if "id" not in message:
            return None  # notifications (initialized, cancelled) need no answer
        request_id = message["id"]
        params = message.get("params") or {}
        if not isinstance(params, dict):
            return _rpc_error(request_id, INVALID_PARAMS, "params must be an object")
        method = message["method"]
        if method == "initialize":
            return _rpc_result(request_id, self._initialize(params))
        if method == "ping":
            return _rpc_result(request_id, {})
        if method == "tools/list":
            return _rpc_result(request_id, {"tools": [t.listing() for t in self.tools.values()]})
        if method == "tools/call":
            name, arguments = params.get("name"), params.get("arguments") or {}
            if not isinstance(name, str) or not isinstance(arguments, dict):
                return _rpc_error(
                    request_id,
                    INVALID_PARAMS,
                    "tools/call needs a tool name and an arguments object",
                )
            return _rpc_result(request_id, self._call(name, arguments))
        return _rpc_error(request_id, METHOD_NOT_FOUND, f"unknown method {method}")

    def _initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        asked = params.get("protocolVersion")
        return {
            "protocolVersion": asked if asked in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0],
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": self.info,
            "instructions": self.instructions,
        }

    def _call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        tool = self.tools.get(name)
        if tool is None:
            return _error_result(f"unknown tool {name} (tools: {', '.join(self.tools)})")
        try:
            return tool.call(arguments)
        except ToolError as error:
            return _error_result(str(error))
        except Exception as error:  # a bug must not end the session; the trace goes to stderr
            traceback.print_exc(file=sys.stderr)
            return _error_result(f"{name} failed: {error}")

    def serve(self, incoming: IO[bytes], outgoing: IO[bytes]) -> None:
        for line in incoming:
            if not line.strip():
                continue
            try:
                message = json.loads(line)
            except ValueError as error:
                answer: dict[str, Any] | None = _rpc_error(None, PARSE_ERROR, f"not JSON: {error}")
            else:
                answer = self.handle(message)
            if answer is not None:
                outgoing.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")
                outgoing.flush()


def _rpc_result(request_id: Any, result: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def _rpc_error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
