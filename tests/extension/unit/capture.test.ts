import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Timers } from '../../../extension/capture/debounce';
import { KeyedDebouncer } from '../../../extension/capture/debounce';
import { OutputTail, readableOutput, stripAnsi } from '../../../extension/capture/outputTail';

describe('terminal output', () => {
  it('loses colours, titles and shell-integration marks', () => {
    const raw = '\u001b]633;C\u0007\u001b[31mError:\u001b[0m file not found\u001b]0;title\u001b\\';
    assert.equal(stripAnsi(raw), 'Error: file not found');
  });

  it('shows what a person saw after carriage-return redraws', () => {
    assert.equal(readableOutput('progress 10%\rprogress 100%\r\ndone\r\n'), 'progress 100%\ndone\n');
  });

  it('keeps only the tail of a long output', () => {
    const tail = new OutputTail(10);
    for (let i = 0; i < 100; i++) {
      tail.append(`line ${i}\n`);
    }
    assert.equal(tail.value(), '8\nline 99\n');
  });

  it('never cuts an escape sequence in half at the tail boundary', () => {
    const tail = new OutputTail(6);
    tail.append('xxxxxxxxxxxxxxxx\u001b[31mred\u001b[0m');
    assert.equal(tail.value(), 'xxxred');
  });

  it('strips an escape sequence that arrives split across two chunks', () => {
    const tail = new OutputTail(100);
    tail.append('FAILED \u001b[3');
    tail.append('1mtest_login\u001b]633;D;1');
    tail.append('\u0007\n');
    assert.equal(tail.value(), 'FAILED test_login\n');
  });
});

describe('KeyedDebouncer', () => {
  function fakeTimers(): Timers & { fire(): void; pending(): number } {
    const queue = new Map<number, () => void>();
    let next = 0;
    return {
      set: (callback) => {
        queue.set(++next, callback);
        return next;
      },
      clear: (handle) => void queue.delete(handle as number),
      fire: () => {
        const callbacks = [...queue.values()];
        queue.clear();
        callbacks.forEach((c) => c());
      },
      pending: () => queue.size,
    };
  }

  it('sends once per file for a burst of changes, with the latest state', () => {
    const timers = fakeTimers();
    const debouncer = new KeyedDebouncer<string>(500, timers);
    const sent: string[] = [];
    debouncer.schedule('a.py', () => sent.push('a.py v1'));
    debouncer.schedule('a.py', () => sent.push('a.py v2'));
    debouncer.schedule('b.py', () => sent.push('b.py v1'));
    timers.fire();
    assert.deepEqual(sent.sort(), ['a.py v2', 'b.py v1']);
  });

  it('sends nothing after dispose', () => {
    const timers = fakeTimers();
    const debouncer = new KeyedDebouncer<string>(500, timers);
    debouncer.schedule('a.py', () => assert.fail('sent after dispose'));
    debouncer.dispose();
    assert.equal(timers.pending(), 0);
  });
});
