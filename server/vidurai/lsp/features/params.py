"""Checking a request's params, and which errors the client is told are its own.

Only ``ParamsError`` (raised while params and arguments are checked, here and in
``protocol.structure``) and ``MemoryNotFoundError`` (an id that names no memory) are the
client's mistake and answered as InvalidParams. An unopenable store is answered with the
reason. Anything else is a fault of the server: logged with its traceback and answered as
InternalError, so a real bug is neither blamed on the client nor lost.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, Callable, Sequence

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams

from vidurai.lsp import protocol
from vidurai.lsp.protocol import ParamsError
from vidurai.lsp.session import DatabaseUnavailable
from vidurai.storage import MemoryNotFoundError
from vidurai.storage.models import SalienceLevel

if TYPE_CHECKING:
    from vidurai.lsp.runtime import ViduraiServer

log = logging.getLogger(__name__)

CLIENT_ERRORS = (ParamsError, MemoryNotFoundError)


class ServerFault(JsonRpcInternalError):
    """An InternalError answer whose cause is already logged with its traceback."""


def _fault(server: ViduraiServer, name: str, error: Exception) -> ServerFault:
    log.exception("%s failed", name)
    server.log(
        f"Vidurai: {name} failed: {error!r} (the traceback is in the server log)",
        types.MessageType.Error,
    )
    return ServerFault(f"{name} failed: {error!r}")


def request(server: ViduraiServer, handler: Callable[..., Any]) -> Callable[..., Any]:
    """A request or command handler whose errors are answered as the module docstring says."""

    @functools.wraps(handler)
    def answer(*args: Any) -> Any:
        try:
            return handler(*args)
        except JsonRpcException:
            raise
        except DatabaseUnavailable as error:
            raise JsonRpcInternalError(str(error)) from None
        except CLIENT_ERRORS as error:
            raise JsonRpcInvalidParams(str(error)) from None
        except Exception as error:
            raise _fault(server, handler.__name__, error) from None

    return answer


def notification(server: ViduraiServer, handler: Callable[[Any], None]) -> Callable[[Any], None]:
    """Nobody waits for a notification's answer: the client's mistakes are logged in one
    line and dropped; a fault of the server is logged with its traceback."""

    @functools.wraps(handler)
    def receive(params: Any) -> None:
        try:
            handler(params)
        except (*CLIENT_ERRORS, DatabaseUnavailable) as error:
            server.log(f"Ignored {handler.__name__}: {error}", types.MessageType.Warning)
        except Exception as error:
            _fault(server, handler.__name__, error)

    return receive


def limit_text(value: str | None, name: str, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise ParamsError(f"{name} is {len(value)} characters; at most {limit} are allowed")


def require_text(value: str, name: str, limit: int) -> str:
    """Non-empty text of at most ``limit`` characters (what the memory layer will keep)."""
    if not value.strip():
        raise ParamsError(f"the {name} must be non-empty text")
    limit_text(value, name, limit)
    return value


def check_range(value: int, name: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ParamsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def arguments_of(arguments: Sequence[Any], count: int, what: str) -> Sequence[Any]:
    if len(arguments) != count:
        raise ParamsError(f"expected {what}, got {len(arguments)}")
    return arguments


def memory_id(arguments: Sequence[Any]) -> int:
    return protocol.structure(arguments_of(arguments, 1, "one argument (a memory id)")[0], int)


def salience(value: str | None) -> SalienceLevel | None:
    try:
        return None if value is None else SalienceLevel.parse(value)
    except ValueError as error:  # parse refuses only the name it was given
        raise ParamsError(str(error)) from None
