// What the language model tools say back to a model: short text made from the server's answers.
// A search costs few tokens (one line per memory, with its id); the full memory is one more
// call by id. Pure: no vscode import.
import { locationText } from '../markdown';
import type { MemoryItem } from '../protocol';

export const RECALL_TOOL = 'vidurai_recall';
export const REMEMBER_TOOL = 'vidurai_remember';
export const DEFAULT_RECALL_LIMIT = 8;
export const MAX_RECALL_LIMIT = 30;

export interface RecallInput {
  query?: string;
  id?: number;
  limit?: number;
}

export interface RememberInput {
  note: string;
  file?: string;
  line?: number;
}

/** Thrown for input a model sent wrong; its message goes back to the model. */
export class ToolInputError extends Error {}

/** What a recall asks the server for: one memory by id, or a search. */
export type RecallRequest = { id: number } | { query: string; limit: number };

export function recallRequest(input: RecallInput): RecallRequest {
  if (input.id !== undefined && input.id !== null) {
    if (!Number.isInteger(input.id) || input.id < 1) {
      throw new ToolInputError(`id must be a memory id from an earlier ${RECALL_TOOL} result, not ${JSON.stringify(input.id)}.`);
    }
    return { id: input.id };
  }
  const query = typeof input.query === 'string' ? input.query.trim() : '';
  if (!query) {
    throw new ToolInputError('Give a query (a file name, a function, an error message) or the id of a memory.');
  }
  const limit = Number.isInteger(input.limit) ? Math.min(Math.max(input.limit as number, 1), MAX_RECALL_LIMIT) : DEFAULT_RECALL_LIMIT;
  return { query, limit };
}

/** One line per memory, best match first: `#42 · HIGH · src/app.py:8 · the ai gist`. */
export function recallText(query: string, results: readonly MemoryItem[]): string {
  if (results.length === 0) {
    return `No Vidurai memories match "${query}".`;
  }
  const lines = results.map((memory) =>
    [`#${memory.id}`, memory.salience, locationText(memory) ?? 'no place', oneLine(memory.label || memory.gist)].join(' · '),
  );
  const noun = results.length === 1 ? 'memory' : 'memories';
  return [
    `${results.length} Vidurai ${noun} for "${query}" (best first; call ${RECALL_TOOL} with {"id": N} for one in full):`,
    ...lines,
  ].join('\n');
}

/** The note a model wants stored, checked before the user is asked to confirm it. */
export function checkRememberInput(input: RememberInput): RememberInput {
  const note = typeof input.note === 'string' ? input.note.trim() : '';
  if (!note) {
    throw new ToolInputError('note must say what to remember, in a sentence or two.');
  }
  const file = typeof input.file === 'string' && input.file.trim() ? input.file.trim() : undefined;
  const hasLine = input.line !== undefined && input.line !== null;
  if (hasLine && !file) {
    throw new ToolInputError('line needs file.');
  }
  if (hasLine && (!Number.isInteger(input.line) || (input.line as number) < 1)) {
    throw new ToolInputError(`line is 1-based, not ${JSON.stringify(input.line)}.`);
  }
  // A note about a file without a line is kept at its first line: a memory has a line or no place.
  return file ? { note, file, line: hasLine ? input.line : 1 } : { note };
}

/** Where the note will be kept, in words for the confirmation. */
export function rememberPlace(input: RememberInput): string {
  return input.file ? `at ${input.file}:${input.line ?? 1}` : 'about this project (no file)';
}

export function rememberedText(memory: MemoryItem): string {
  const where = locationText(memory);
  return `Remembered #${memory.id} (${memory.salience}${where ? `, ${where}` : ''}): ${oneLine(memory.label || memory.gist)}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
