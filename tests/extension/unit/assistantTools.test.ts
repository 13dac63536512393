import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ToolInputError,
  checkRememberInput,
  recallRequest,
  recallText,
  rememberPlace,
  rememberedText,
} from '../../../extension/assistant/toolText';
import { memory } from './fixtures';

describe('vidurai_recall input', () => {
  it('searches by words with a bounded limit, or reads one memory by id', () => {
    assert.deepEqual(recallRequest({ query: '  jwt token ' }), { query: 'jwt token', limit: 8 });
    assert.deepEqual(recallRequest({ query: 'jwt', limit: 500 }), { query: 'jwt', limit: 30 });
    assert.deepEqual(recallRequest({ query: 'jwt', id: 42 }), { id: 42 });
  });

  it('tells the model what it got wrong', () => {
    assert.throws(() => recallRequest({}), (e: Error) => e instanceof ToolInputError && /query .* or the id/.test(e.message));
    assert.throws(() => recallRequest({ query: '   ' }), ToolInputError);
    assert.throws(() => recallRequest({ id: 0 }), /id must be a memory id/);
  });
});

describe('vidurai_recall answer', () => {
  it('is one line per memory with its id, salience, 1-based place and the gist it was given', () => {
    const text = recallText('jwt', [
      memory({ label: 'Bug resolution: JWT expiry compared\n in UTC' }),
      memory({ id: 7, salience: 'MEDIUM', file: null, line: null, uri: null, label: 'Staging tokens are rejected' }),
    ]);
    assert.equal(
      text,
      [
        '2 Vidurai memories for "jwt" (best first; call vidurai_recall with {"id": N} for one in full):',
        '#42 · HIGH · src/auth/middleware.py:42 · Bug resolution: JWT expiry compared in UTC',
        '#7 · MEDIUM · no place · Staging tokens are rejected',
      ].join('\n'),
    );
  });

  it('says plainly when nothing matches', () => {
    assert.equal(recallText('kafka', []), 'No Vidurai memories match "kafka".');
  });
});

describe('vidurai_remember input', () => {
  it('keeps a note at a file and line, at a file\'s first line, or about the project', () => {
    assert.deepEqual(checkRememberInput({ note: ' Use UTC ', file: 'src/a.py', line: 3 }), { note: 'Use UTC', file: 'src/a.py', line: 3 });
    assert.deepEqual(checkRememberInput({ note: 'Use UTC', file: 'src/a.py' }), { note: 'Use UTC', file: 'src/a.py', line: 1 });
    assert.deepEqual(checkRememberInput({ note: 'Use UTC', file: '  ' }), { note: 'Use UTC' });
    assert.equal(rememberPlace({ note: 'x', file: 'src/a.py', line: 3 }), 'at src/a.py:3');
    assert.equal(rememberPlace({ note: 'x' }), 'about this project (no file)');
  });

  it('refuses an empty note, a line without a file and a 0-based line before asking the user', () => {
    assert.throws(() => checkRememberInput({ note: '  ' }), /note must say/);
    assert.throws(() => checkRememberInput({ note: 'x', line: 3 }), /line needs file/);
    assert.throws(() => checkRememberInput({ note: 'x', file: 'a.py', line: 0 }), /1-based/);
  });

  it('answers with the new memory\'s id so the model can refer to it', () => {
    assert.equal(
      rememberedText(memory({ label: 'Use UTC for expiry' })),
      'Remembered #42 (HIGH, src/auth/middleware.py:42): Use UTC for expiry',
    );
  });
});
