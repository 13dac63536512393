"""The Memories view: ``vidurai/memories`` (groups, then pages), ``vidurai/memory`` (one
memory's details) and ``vidurai/search``."""

from __future__ import annotations

import os
from typing import Any

from vidurai.lsp import present, protocol, tree
from vidurai.lsp.features import Feature
from vidurai.lsp.features.params import check_range, limit_text, request
from vidurai.lsp.protocol import ParamsError
from vidurai.memory.display import place_text
from vidurai.memory.redact import redact
from vidurai.storage import MemoryNotFoundError
from vidurai.storage.models import SalienceLevel


class MemoryTree(Feature):
    def register(self) -> None:
        for method, handler in (
            (protocol.MEMORIES, self.memories),
            (protocol.MEMORY, self.memory),
            (protocol.SEARCH, self.search),
        ):
            self.on(method, request(self.server, handler))

    def memories(self, params: Any) -> protocol.GroupsResult | protocol.ItemsResult:
        args = protocol.structure(params, protocol.MemoriesParams)
        if args.group_by not in protocol.GROUP_BY:
            raise ParamsError(
                f"unknown groupBy {args.group_by!r}; valid: {', '.join(protocol.GROUP_BY)}"
            )
        check_range(args.limit, "limit", 1, protocol.MAX_PAGE)
        check_range(args.offset, "offset", 0, 10**9)
        session = self.session
        db = session.require_db()
        project = session.project(args.project)
        audience = self.audience_of(args.audience, project)
        if args.group is None:
            return tree.groups(db, project, args.group_by)
        return tree.page(
            db,
            project,
            args.group_by,
            args.group,
            audience,
            args.offset,
            args.limit,
            session.live_place,
        )

    def memory(self, params: Any) -> protocol.MemoryDetails:
        args = protocol.structure(params, protocol.MemoryParams)
        session = self.session
        db = session.require_db()
        stored = db.get_memory_by_id(args.id)
        if stored is None or (
            args.project is not None
            and os.path.normpath(stored.project_path) != session.project(args.project)
        ):
            raise MemoryNotFoundError(args.id)
        gists = db.get_audience_gists(args.id)
        history = db.get_gist_history(args.id)
        session.touched.add(args.id)
        # Every text is redacted again on the way out (the Markdown as it is escaped).
        return protocol.MemoryDetails(
            memory=present.redacted_item(self.memory_item(args.id)),
            verbatim=redact(stored.verbatim),
            tags=[redact(tag) for tag in stored.tags],
            history=[
                protocol.GistHistoryEntry(
                    audience=entry.audience,
                    gist=redact(entry.gist),
                    created_at=present.iso_time(entry.created_at),
                    replaced_at=present.iso_time(entry.replaced_at),
                )
                for entry in history
            ],
            markdown=present.memory_markdown(
                stored, gists, history, place_text(stored, session.live_lines)
            ),
        )

    def search(self, params: Any) -> protocol.SearchResults:
        args = protocol.structure(params, protocol.SearchParams)
        limit_text(args.query, "query", protocol.MAX_QUERY_CHARS)
        check_range(args.limit, "limit", 1, protocol.MAX_PAGE)
        db = self.session.require_db()
        project = self.session.project(args.project)
        audience = self.audience_of(args.audience, project)
        hits = db.search_memories(
            project,
            args.query,
            min_salience=SalienceLevel.NOISE,
            limit=args.limit,
        )
        gists = db.get_audience_gists_bulk([hit.memory.id for hit in hits])
        return protocol.SearchResults(
            results=[
                present.redacted_item(
                    present.search_result(hit, audience, gists.get(hit.memory.id, {}))
                )
                for hit in hits
            ]
        )
