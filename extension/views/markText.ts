// What the current-line hint says, and which mark a line is in. Pure (no vscode import) so it
// is unit-tested; gutter.ts draws it.
import type { FileMark, LineHint } from '../protocol';

const HINT_LABEL_CHARS = 80;

/** `FileMarksResult.marks` (three numbers per mark) as marks; a trailing partial mark is dropped. */
export function decodeFileMarks(flat: readonly number[]): FileMark[] {
  const marks: FileMark[] = [];
  for (let index = 0; index + 2 < flat.length; index += 3) {
    marks.push({ line: flat[index], endLine: flat[index + 1], count: flat[index + 2] });
  }
  return marks;
}

/** The mark covering a 0-based line (the narrowest when marks overlap), if any. */
export function markAt(marks: readonly FileMark[], line: number): FileMark | undefined {
  let found: FileMark | undefined;
  for (const mark of marks) {
    if (mark.line > line) {
      break; // marks come sorted by their first line
    }
    if (line <= mark.endLine && (!found || mark.endLine - mark.line < found.endLine - found.line)) {
      found = mark;
    }
  }
  return found;
}

/** "Vidurai: Retry with backoff · 3 days ago (+1 more)", the label cut to a readable length. */
export function currentLineHint(hint: LineHint): string {
  const label = hint.label.length > HINT_LABEL_CHARS ? `${hint.label.slice(0, HINT_LABEL_CHARS - 1)}…` : hint.label;
  const more = hint.count > 1 ? ` (+${hint.count - 1} more)` : '';
  return `Vidurai: ${label} · ${hint.age}${more}`;
}
