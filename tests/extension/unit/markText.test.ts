import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileMark, LineHint } from '../../../extension/protocol';
import { currentLineHint, decodeFileMarks, markAt } from '../../../extension/views/markText';

function mark(line: number, endLine: number): FileMark {
  return { line, endLine, count: 1 };
}

function hint(overrides: Partial<LineHint>): LineHint {
  return { label: 'Retry', salience: 'High', age: '3 days ago', count: 1, ...overrides };
}

describe('the marks as the server sends them', () => {
  it('are read three numbers at a time: line, end line, count', () => {
    assert.deepEqual(decodeFileMarks([2, 2, 1, 4, 10, 3]), [
      { line: 2, endLine: 2, count: 1 },
      { line: 4, endLine: 10, count: 3 },
    ]);
    assert.deepEqual(decodeFileMarks([]), []);
  });

  it('drop a trailing partial mark rather than draw a wrong line', () => {
    assert.deepEqual(decodeFileMarks([5, 5, 1, 9]), [{ line: 5, endLine: 5, count: 1 }]);
  });
});

describe('the mark of the current line', () => {
  const marks = [mark(2, 2), mark(4, 10), mark(6, 6), mark(20, 21)];

  it('is the mark covering the line, the narrowest when marks overlap', () => {
    assert.equal(markAt(marks, 2)?.line, 2);
    assert.equal(markAt(marks, 5)?.line, 4);
    assert.equal(markAt(marks, 6)?.line, 6);
    assert.equal(markAt(marks, 21)?.line, 20);
  });

  it('is none on a line no memory is about', () => {
    assert.equal(markAt(marks, 0), undefined);
    assert.equal(markAt(marks, 11), undefined);
    assert.equal(markAt([], 3), undefined);
  });
});

describe('the current-line hint', () => {
  it('names the memory, its age and how many more share the line', () => {
    assert.equal(currentLineHint(hint({ label: 'Retry with backoff', count: 3 })), 'Vidurai: Retry with backoff · 3 days ago (+2 more)');
    assert.equal(currentLineHint(hint({ label: 'Retry' })), 'Vidurai: Retry · 3 days ago');
  });

  it('cuts a long gist so the line stays readable', () => {
    const text = currentLineHint(hint({ label: 'x'.repeat(200) }));
    assert.ok(text.includes(`${'x'.repeat(79)}…`), text);
    assert.ok(text.length < 110, text);
  });
});
