"""The store's state: ``vidurai/stats``, ``vidurai/status`` and the forgetting ``vidurai/ledger``."""

from __future__ import annotations

from typing import Any

from vidurai.lsp import present, protocol
from vidurai.lsp.features import Feature
from vidurai.lsp.features.params import check_range, request


class StoreStatus(Feature):
    def register(self) -> None:
        for method, handler in (
            (protocol.STATS, self.stats),
            (protocol.STATUS, self.status),
            (protocol.LEDGER, self.ledger),
        ):
            self.on(method, request(self.server, handler))

    def stats(self, params: Any) -> protocol.StatsResult:
        args = protocol.structure(params, protocol.StatsParams)
        db = self.session.require_db()
        counts = db.get_statistics(self.session.project(args.project))
        return protocol.StatsResult(
            total=counts.total,
            pinned=counts.pinned,
            by_salience=counts.by_salience,
            by_event_type=counts.by_event_type,
            files=counts.files,
            audience=self.session.audience,
            database_path=db.location,
            schema_version=db.schema_version(),
        )

    def status(self, params: Any) -> protocol.StatusResult:
        protocol.structure(params, protocol.StatusParams)
        ok, path, problem, advice = self.session.database_status()
        return protocol.StatusResult(database=protocol.DatabaseStatus(ok, path, problem, advice))

    def ledger(self, params: Any) -> protocol.LedgerResult:
        args = protocol.structure(params, protocol.LedgerParams)
        check_range(args.limit, "limit", 1, 10_000)
        entries = self.session.require_db().get_forgetting_ledger(limit=args.limit)
        return protocol.LedgerResult(
            entries=[present.ledger_entry(entry) for entry in entries],
            markdown=present.ledger_markdown(entries),
        )
