"""The data behind the Memories tree: groups with counts, then pages of one group.

Group keys are opaque to the client: ``path:<file>`` / ``nofile`` when grouped by file, a
salience name, a time bucket (``day``, ``week``, ``month``, ``older``), or ``pinned`` /
``unpinned``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from vidurai.lsp import protocol
from vidurai.lsp.documents import LivePlace
from vidurai.lsp.present import memory_item
from vidurai.storage import MemoryStore
from vidurai.storage.models import SalienceLevel, utc_now

LivePlaceOf = Callable[[str, str | None, int], "LivePlace | None"]

NO_FILE = "nofile"
FILE_PREFIX = "path:"

# (key, label, age of the bucket's newest edge, age of its oldest edge), newest first.
_TIME_BUCKETS = (
    ("day", "Last 24 hours", None, timedelta(days=1)),
    ("week", "Last 7 days", timedelta(days=1), timedelta(days=7)),
    ("month", "Last 30 days", timedelta(days=7), timedelta(days=30)),
    ("older", "Older", timedelta(days=30), None),
)


class UnknownGroup(protocol.ParamsError):
    """A group key the tree never handed out."""


def groups(
    db: MemoryStore, project: str, group_by: str, now: datetime | None = None
) -> protocol.GroupsResult:
    total = db.count_memories(project)
    found: list[protocol.MemoryGroup] = []
    if group_by == "file":
        for file, count in db.count_by_file(project):
            if file is None:
                found.append(protocol.MemoryGroup(NO_FILE, "Without a file", count))
            else:
                found.append(protocol.MemoryGroup(FILE_PREFIX + file, file, count))
    elif group_by == "salience":
        for level in SalienceLevel:
            count = db.count_memories(project, salience=level)
            if count:
                found.append(protocol.MemoryGroup(level.name, level.name.capitalize(), count))
    elif group_by == "recent":
        moment = now or utc_now()
        for key, label, newest, oldest in _TIME_BUCKETS:
            count = _count_between(db, project, moment, newest, oldest)
            if count:
                found.append(protocol.MemoryGroup(key, label, count))
    else:
        pinned = db.count_memories(project, pinned=True)
        for key, label, count in (
            ("pinned", "Pinned", pinned),
            ("unpinned", "Not pinned", total - pinned),
        ):
            if count:
                found.append(protocol.MemoryGroup(key, label, count))
    return protocol.GroupsResult(groups=found, total=total)


def _since(moment: datetime, age: timedelta | None) -> datetime | None:
    return None if age is None else moment - age


def _count_between(db, project, moment, newest, oldest) -> int:
    """Memories made between two ages (``newest`` None: up to now; ``oldest`` None: ever)."""
    count = db.count_memories(project, since=_since(moment, oldest))
    if newest is not None:
        count -= db.count_memories(project, since=_since(moment, newest))
    return count


def page(
    db: MemoryStore,
    project: str,
    group_by: str,
    group: str,
    audience: str,
    offset: int,
    limit: int,
    live_place: LivePlaceOf,
    now: datetime | None = None,
) -> protocol.ItemsResult:
    """One page of a group's memories, in the order the tree shows them."""
    query, total = _group_query(db, project, group_by, group, offset, now)
    memories = db.list_memories(project, limit=limit, **query)
    gists = db.get_audience_gists_bulk([memory.id for memory in memories])
    items = [
        memory_item(
            memory,
            audience,
            gists.get(memory.id, {}),
            live_place(project, memory.file_path, memory.id),
        )
        for memory in memories
    ]
    end = offset + len(items)
    return protocol.ItemsResult(items=items, total=total, next_offset=end if end < total else None)


def _group_query(
    db: MemoryStore, project: str, group_by: str, group: str, offset: int, now: datetime | None
) -> tuple[dict[str, Any], int]:
    """The ``list_memories`` arguments of a group's page, and the group's size."""
    query: dict[str, Any]
    if group_by == "file":
        if group == NO_FILE:
            query = dict(without_file=True, order="recent")
        elif group.startswith(FILE_PREFIX) and len(group) > len(FILE_PREFIX):
            query = dict(file_path=group[len(FILE_PREFIX) :], order="line")
        else:
            raise UnknownGroup(f"unknown file group {group!r}")
        return {**query, "offset": offset}, db.count_memories(
            project, file_path=query.get("file_path"), without_file=query.get("without_file", False)
        )
    if group_by == "salience":
        try:
            level = SalienceLevel[group]
        except KeyError:
            raise UnknownGroup(f"unknown salience group {group!r}") from None
        return dict(salience=level, order="salience", offset=offset), db.count_memories(
            project, salience=level
        )
    if group_by == "recent":
        for key, _, newest, oldest in _TIME_BUCKETS:
            if key == group:
                moment = now or utc_now()
                skipped = (
                    0
                    if newest is None
                    else db.count_memories(project, since=_since(moment, newest))
                )
                query = dict(since=_since(moment, oldest), order="recent", offset=skipped + offset)
                return query, _count_between(db, project, moment, newest, oldest)
        raise UnknownGroup(f"unknown time group {group!r}")
    if group in ("pinned", "unpinned"):
        pinned = group == "pinned"
        query = dict(pinned=pinned, order="pinned" if pinned else "salience", offset=offset)
        return query, db.count_memories(project, pinned=pinned)
    raise UnknownGroup(f"unknown pinned group {group!r}")
