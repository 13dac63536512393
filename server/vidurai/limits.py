"""Every limit in one place: how much a request may carry, how much of it a memory keeps, how
large a page or a token budget may be.

Plain constants that import nothing, so every layer (storage, gists, memory, lsp, the CLI and
MCP) can share them. The extension's copies (the `vidurai.context.maxTokens` setting in
package.json, `extension/settings.ts`) are checked against these by tests/server/test_manifest.py.
"""

# ---------------------------------------------------------------------- what a request may carry
# More is refused with an error that names the limit; nothing is stored.

MAX_NOTE_CHARS = 10_000
MAX_GIST_CHARS = 2_000  # a gist the user writes (kept as one line of CANONICAL_GIST_CHARS)
MAX_SELECTION_CHARS = 100_000  # a selection sent with a note (a memory keeps its start, below)
MAX_QUERY_CHARS = 1_000
MAX_URI_CHARS = 4_096
MAX_COMMAND_CHARS = 10_000
MAX_DIAGNOSTICS = 5_000  # in one report of a file's diagnostics
MAX_OUTPUT_CHARS = (
    100_000  # of a command's output only the end is read, so more is cut, not refused
)

# ---------------------------------------------------------------------- what a memory keeps

KEPT_SELECTION_CHARS = 20_000  # the start of a selection: enough code to recognise the place
KEPT_COMMAND_CHARS = 2_000  # a command, on one line
OUTPUT_TAIL_LINES = 30  # the end of a failing command's output: where its error is
OUTPUT_TAIL_CHARS = 4_000
CANONICAL_GIST_CHARS = 200  # the memory's own one-line gist (each audience's is shorter)

# ---------------------------------------------------------------------- pages and budgets

MAX_PAGE = 500  # memories in one page of the tree or one search answer
# A briefing's token budget (Copy AI Context, `vidurai context`, MCP `get_context`, the report):
# fewer than MIN_TOKEN_BUDGET tokens cannot hold a heading and one memory.
MIN_TOKEN_BUDGET = 100
MAX_TOKEN_BUDGET = 100_000
DEFAULT_CONTEXT_TOKENS = 2_000
