// The contract with the Vidurai language server (docs/PROTOCOL.md). Method and command names
// live here only; server/vidurai/lsp/protocol.py is the other side. No vscode import: pure types.

/** Custom requests (client → server). */
export const Requests = {
  memories: 'vidurai/memories',
  memory: 'vidurai/memory',
  search: 'vidurai/search',
  context: 'vidurai/context',
  report: 'vidurai/report',
  stats: 'vidurai/stats',
  ledger: 'vidurai/ledger',
  fileMarks: 'vidurai/fileMarks',
  lineHint: 'vidurai/lineHint',
  status: 'vidurai/status',
} as const;

/** Custom notifications. */
export const Notifications = {
  /** client → server: a file's full current set of diagnostics. */
  diagnostics: 'vidurai/diagnostics',
  /** client → server: a finished shell command. */
  terminalCommand: 'vidurai/terminalCommand',
  /** server → client: memories changed; refresh what shows them. */
  memoriesChanged: 'vidurai/memoriesChanged',
} as const;

/** Server command ids (`workspace/executeCommand`); distinct from the extension's own ids. */
export const ServerCommands = {
  remember: 'vidurai.server.remember',
  forget: 'vidurai.server.forget',
  pin: 'vidurai.server.pin',
  unpin: 'vidurai.server.unpin',
  setAudience: 'vidurai.server.setAudience',
  setGist: 'vidurai.server.setGist',
  runForgetting: 'vidurai.server.runForgetting',
} as const;

/** The extension commands that the server's hover Markdown may link to, and nothing else. */
export const HoverCommands = ['vidurai.pin', 'vidurai.unpin', 'vidurai.forget', 'vidurai.showMemory'] as const;

export const BuiltInAudiences = ['developer', 'personal', 'ai', 'manager'] as const;

export type GroupBy = 'file' | 'salience' | 'recent' | 'pinned';
export const GroupByValues: readonly GroupBy[] = ['file', 'salience', 'recent', 'pinned'];

export type Salience = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'NOISE';

/** Settings as the server reads them (initializationOptions and didChangeConfiguration). */
export interface ServerSettings {
  audience: string;
  databasePath: string;
  hover: { enabled: boolean };
  capture: {
    diagnostics: boolean;
    terminal: boolean;
    /** Absent: the server's built-in table. */
    diagnosticCodes?: string[];
    settleSeconds: number;
  };
  audiences: string[];
  context: { maxTokens: number };
  /** Folder URI → audience, in a multi-root window (each folder's `vidurai.audience`). */
  folderAudiences?: Record<string, string>;
}

export interface MemoryItem {
  id: number;
  project: string;
  /** The gist in the requested audience. */
  label: string;
  /** The canonical gist. */
  gist: string;
  audience: string;
  salience: Salience | string;
  eventType: string;
  uri: string | null;
  /** Relative to the project, with `/`. */
  file: string | null;
  /** 0-based. */
  line: number | null;
  endLine: number | null;
  pinned: boolean;
  detached: boolean;
  occurrences: number;
  createdAt: string;
  lastUsedAt: string;
  /** Human age, e.g. "3 days ago". */
  age: string;
  /** Every audience's gist. */
  gists: Record<string, string>;
}

export interface MemoryGroup {
  key: string;
  label: string;
  count: number;
}

export interface MemoriesParams {
  project?: string;
  groupBy: GroupBy;
  group?: string;
  audience?: string;
  offset?: number;
  limit?: number;
}
export interface MemoryGroupsResult {
  groups: MemoryGroup[];
  total: number;
}
export interface MemoryItemsResult {
  items: MemoryItem[];
  total: number;
  nextOffset: number | null;
}

export interface MemoryParams {
  id: number;
  /** A folder URI: a memory of another project is refused like an unknown id. */
  project?: string;
}
export interface GistHistoryEntry {
  audience: string;
  gist: string;
  createdAt: string;
  replacedAt: string | null;
}
export interface MemoryDetail {
  memory: MemoryItem;
  verbatim: string;
  tags: string[];
  history: GistHistoryEntry[];
  /** The whole memory, ready to show. */
  markdown: string;
}

export interface SearchParams {
  query: string;
  project?: string;
  audience?: string;
  limit?: number;
}
export interface SearchResult {
  results: Array<MemoryItem & { snippet: string }>;
}

export interface ContextParams {
  project?: string;
  uri?: string;
  query?: string;
  maxTokens?: number;
}
export interface ContextResult {
  markdown: string;
  tokens: number;
  memoryCount: number;
}

export interface ReportParams {
  project?: string;
  days?: number;
  audience?: string;
  maxTokens?: number;
}
export interface ReportResult {
  markdown: string;
  memoryCount: number;
}

export interface StatsParams {
  project?: string;
}
export interface StatsResult {
  total: number;
  pinned: number;
  bySalience: Record<string, number>;
  byEventType: Record<string, number>;
  files: number;
  audience: string;
  databasePath: string;
  schemaVersion: number;
}

export interface FileMarksParams {
  uri: string;
}
/** Lines of a file that memories are about (0-based); memories on the same lines share one. */
export interface FileMark {
  line: number;
  endLine: number;
  count: number;
}
/**
 * The marks as one flat list, three numbers per mark: `[line, endLine, count, line, …]`
 * (flat as LSP's semantic tokens are, so thousands of marks cost a list of numbers to send
 * and read). `decodeFileMarks` (views/markText.ts) reads it.
 */
export interface FileMarksResult {
  marks: number[];
}

export interface LineHintParams {
  uri: string;
  /** 0-based. */
  line: number;
  audience?: string;
}
/** The line's most salient memory (its gist in the audience) and how many the line has. */
export interface LineHint {
  label: string;
  salience: string;
  age: string;
  count: number;
}
export interface LineHintResult {
  hint: LineHint | null;
}

export interface StatusResult {
  database: { ok: boolean; path: string; problem: string | null; advice: string | null };
}

export interface LedgerEntry {
  memoryId: number;
  gist: string;
  salience: string;
  reason: string;
  forgottenAt: string;
}
export interface LedgerParams {
  limit?: number;
}
export interface LedgerResult {
  entries: LedgerEntry[];
  markdown: string;
}

/** A note on a document's lines, or (without `uri`) a note about a project with no place. */
export interface RememberArgs {
  uri?: string;
  startLine?: number;
  endLine?: number;
  project?: string;
  note: string;
  selection?: string;
  salience?: Salience;
}

export interface ForgetResult {
  forgotten: boolean;
}
export interface RunForgettingResult {
  forgotten: LedgerEntry[];
}

/** LSP Diagnostic, as the server expects it (0-based positions). */
export interface WireDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: 1 | 2 | 3 | 4;
  code?: string | number;
  source?: string;
  message: string;
}
export interface DiagnosticsNotification {
  uri: string;
  version: number | null;
  diagnostics: WireDiagnostic[];
}

export interface TerminalCommandNotification {
  command: string;
  exitCode: number | null;
  cwd: string | null;
  output?: string;
}

export interface MemoriesChangedNotification {
  projects: string[];
  files: string[];
}
