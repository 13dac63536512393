// Markdown built from stored text. Everything the server stored is escaped before it is shown,
// so a gist can neither format nor link. Pure: no vscode import.
import { BuiltInAudiences } from './protocol';
import type { MemoryItem } from './protocol';

const MARKDOWN_SPECIALS = /[\\`*_{}[\]()#+\-.!|<>~&]/g;

/** Text shown literally in Markdown: specials backslash-escaped, line breaks kept as breaks. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(MARKDOWN_SPECIALS, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`))
    .replace(/\r?\n/g, '  \n');
}

/** `src/app.py:42` (1-based line), the file alone, or undefined for a memory without a place. */
export function locationText(memory: Pick<MemoryItem, 'file' | 'line'>): string | undefined {
  if (!memory.file) {
    return undefined;
  }
  return memory.line === null || memory.line === undefined ? memory.file : `${memory.file}:${memory.line + 1}`;
}

/** "Medium", as the hover says it (the wire carries the stored name, MEDIUM). */
export function salienceName(salience: string): string {
  return salience.charAt(0).toUpperCase() + salience.slice(1).toLowerCase();
}

/** Audiences in a stable order: the built-in ones first, then any others alphabetically. */
export function orderedAudiences(gists: Record<string, string>): string[] {
  const builtIn = BuiltInAudiences.filter((a) => a in gists);
  const extra = Object.keys(gists)
    .filter((a) => !(BuiltInAudiences as readonly string[]).includes(a))
    .sort();
  return [...builtIn, ...extra];
}

/** The tree item tooltip: the label, where and how important, then every audience's gist. */
export function memoryTooltipMarkdown(memory: MemoryItem): string {
  const facts = [
    memory.detached ? `${memory.file ?? ''} (its lines were deleted)` : locationText(memory),
    salienceName(memory.salience),
    memory.age,
    memory.pinned ? 'pinned' : undefined,
    memory.occurrences > 1 ? `seen ${memory.occurrences} times` : undefined,
  ].filter((f): f is string => Boolean(f));
  const lines = [`**${escapeMarkdown(memory.label || memory.gist)}**`, '', facts.map(escapeMarkdown).join(' · '), ''];
  for (const audience of orderedAudiences(memory.gists ?? {})) {
    lines.push(`- **${escapeMarkdown(audience)}**: ${escapeMarkdown(memory.gists[audience])}`);
  }
  return lines.join('\n');
}
