"""Forgetting on purpose: विस्मृति भी विद्या है — forgetting, too, is knowledge.

The policy: a memory lives for its salience's retention (CRITICAL never, HIGH 90 days,
MEDIUM 30, LOW 7, NOISE 1), counted from the last time it was used — hovered, recalled,
opened — so what is used stays. Pinned memories are never forgotten. Each forgotten memory
leaves a one-line trace in the ledger (id, gist, salience, reason, when), not its content.
The store applies the rule (expiry times are kept current on every use); this module is what
the server and the CLI call, and how the result is told to a person.
"""

from __future__ import annotations

from datetime import datetime

from vidurai.storage import LedgerEntry, MemoryStore

# The server forgets at start and then this often.
FORGETTING_INTERVAL_SECONDS = 60 * 60


def forget_now(db: MemoryStore, now: datetime | None = None) -> list[LedgerEntry]:
    """Forget every expired, unpinned memory; return the ledger lines written."""
    return db.forget_expired(now=now)


def preview_expired(db: MemoryStore, now: datetime | None = None) -> list[LedgerEntry]:
    """What ``forget_now`` would forget, without forgetting it."""
    return db.forget_expired(now=now, dry_run=True)


def describe_forgotten(entries: list[LedgerEntry]) -> str:
    """One sentence for a person: "Forgot 3 memories: …" or "Nothing was due to be forgotten."."""
    if not entries:
        return "Nothing was due to be forgotten."
    shown = "; ".join(f"“{entry.gist}”" for entry in entries[:3])
    more = f" and {len(entries) - 3} more" if len(entries) > 3 else ""
    noun = "memory" if len(entries) == 1 else "memories"
    return f"Forgot {len(entries)} {noun}: {shown}{more}."
