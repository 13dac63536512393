import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileMark } from '../../../extension/protocol';
import { currentLineHint, markAt } from '../../../extension/views/markText';

function mark(line: number, endLine: number, overrides: Partial<FileMark> = {}): FileMark {
  return { line, endLine, count: 1, label: `memory at ${line}`, salience: 'High', age: '3 days ago', ...overrides };
}

describe('the mark of the current line', () => {
  const marks = [mark(2, 2), mark(4, 10), mark(6, 6), mark(20, 21)];

  it('is the mark covering the line, the narrowest when marks overlap', () => {
    assert.equal(markAt(marks, 2)?.label, 'memory at 2');
    assert.equal(markAt(marks, 5)?.label, 'memory at 4');
    assert.equal(markAt(marks, 6)?.label, 'memory at 6');
    assert.equal(markAt(marks, 21)?.label, 'memory at 20');
  });

  it('is none on a line no memory is about', () => {
    assert.equal(markAt(marks, 0), undefined);
    assert.equal(markAt(marks, 11), undefined);
    assert.equal(markAt([], 3), undefined);
  });
});

describe('the current-line hint', () => {
  it('names the memory, its age and how many more share the line', () => {
    assert.equal(currentLineHint(mark(1, 1, { label: 'Retry with backoff', count: 3 })), 'Vidurai: Retry with backoff · 3 days ago (+2 more)');
    assert.equal(currentLineHint(mark(1, 1, { label: 'Retry' })), 'Vidurai: Retry · 3 days ago');
  });

  it('cuts a long gist so the line stays readable', () => {
    const hint = currentLineHint(mark(1, 1, { label: 'x'.repeat(200) }));
    assert.ok(hint.includes(`${'x'.repeat(79)}…`), hint);
    assert.ok(hint.length < 110, hint);
  });
});
