// Reading the `vidurai.*` settings into what the server expects. Pure: the caller passes a getter
// (vscode's WorkspaceConfiguration.get), so this is testable outside VS Code.
import { BuiltInAudiences } from './protocol';
import type { ServerSettings } from './protocol';

export type SettingGetter = <T>(key: string, defaultValue: T) => T;

export interface ExtensionSettings {
  server: ServerSettings;
  pythonPath: string;
  /** What the editor marks: remembered lines in the gutter, the current line's memory at its end. */
  editor: { gutter: boolean; currentLineHint: boolean };
}

const DEFAULT_MAX_TOKENS = 2000;
const DEFAULT_SETTLE_SECONDS = 30;

/**
 * The settings as typed values. `audienceOverride` is the audience chosen with Switch Audience
 * for this workspace; it wins over the `vidurai.audience` setting. `folderAudiences` (folder URI
 * → that folder's `vidurai.audience`) is passed on in a multi-root window without an override.
 */
export function readSettings(
  get: SettingGetter,
  audienceOverride?: string,
  folderAudiences?: Record<string, string>,
): ExtensionSettings {
  const extraAudiences = normaliseAudiences(get<unknown>('audiences', []));
  const maxTokens = get<unknown>('context.maxTokens', DEFAULT_MAX_TOKENS);
  const diagnosticCodes = get<unknown>('capture.diagnosticCodes', undefined);
  return {
    server: {
      audience: audienceOverride || configuredAudience(get),
      databasePath: asTrimmedString(get<unknown>('databasePath', '')),
      hover: { enabled: get<unknown>('hover.enabled', true) !== false },
      capture: {
        diagnostics: get<unknown>('capture.diagnostics', true) !== false,
        terminal: get<unknown>('capture.terminal', true) !== false,
        // The server checks each code and says which it ignored.
        ...(Array.isArray(diagnosticCodes) ? { diagnosticCodes: diagnosticCodes as string[] } : {}),
        settleSeconds: positiveInteger(get<unknown>('capture.settleSeconds', DEFAULT_SETTLE_SECONDS), DEFAULT_SETTLE_SECONDS),
      },
      audiences: extraAudiences,
      context: { maxTokens: positiveInteger(maxTokens, DEFAULT_MAX_TOKENS) },
      ...(folderAudiences && !audienceOverride ? { folderAudiences } : {}),
    },
    pythonPath: asTrimmedString(get<unknown>('pythonPath', '')),
    editor: {
      gutter: get<unknown>('gutter.enabled', true) !== false,
      currentLineHint: get<unknown>('currentLineHint.enabled', false) === true,
    },
  };
}

/** The audience a folder's `vidurai.audience` names (its own value in a multi-root window). */
export function configuredAudience(get: SettingGetter): string {
  return asTrimmedString(get<unknown>('audience', 'developer')).toLowerCase() || 'developer';
}

/** The audiences a user can switch to: the built-in four, then the configured extras. */
export function audienceChoices(extraAudiences: readonly string[]): string[] {
  return [...new Set([...BuiltInAudiences, ...extraAudiences])];
}

function normaliseAudiences(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const names = value
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v.length > 0);
  return [...new Set(names)];
}

function positiveInteger(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

function asTrimmedString(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}
