// The last few kilobytes of a command's output, without terminal escape sequences. Pure.

// CSI (colours, cursor moves), OSC (titles, shell-integration marks; ended by BEL or ST),
// and the lone two-byte escapes.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ANSI_ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\^_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_ESCAPES, '');
}

/** Output as a person would read it: escapes removed, carriage-return overwrites applied. */
export function readableOutput(text: string): string {
  return stripAnsi(text)
    .split('\n')
    .map((line) => {
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      const overwritten = trimmed.split('\r');
      return overwritten[overwritten.length - 1];
    })
    .join('\n');
}

/** Longest unterminated escape kept back waiting for its end; beyond it, it is text. */
const MAX_CARRY = 1024;

/**
 * Keeps the readable last `maxChars` characters of a stream. Escapes are stripped as chunks
 * arrive; one split across two chunks is held back until it is complete, so none is cut in half.
 */
export class OutputTail {
  private text = '';
  private carry = '';

  constructor(private readonly maxChars: number) {}

  append(chunk: string): void {
    const pending = this.carry + chunk;
    const cut = unterminatedEscapeStart(pending);
    this.carry = pending.slice(cut);
    this.text += stripAnsi(pending.slice(0, cut));
    if (this.carry.length > MAX_CARRY) {
      this.text += stripAnsi(this.carry);
      this.carry = '';
    }
    // Trim in bulk, not per chunk, so long outputs cost linear time.
    if (this.text.length > this.maxChars * 2) {
      this.text = this.text.slice(-this.maxChars);
    }
  }

  value(): string {
    return readableOutput(this.text).slice(-this.maxChars);
  }
}

/** Where a trailing, not yet complete escape sequence starts (the length when there is none). */
function unterminatedEscapeStart(text: string): number {
  const lastEscape = text.lastIndexOf('\u001b');
  if (lastEscape === -1) {
    return text.length;
  }
  return stripAnsi(text.slice(lastEscape)).startsWith('\u001b') ? lastEscape : text.length;
}
