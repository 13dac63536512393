import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeMarkdown, memoryTooltipMarkdown } from '../../../extension/markdown';
import { groupRowView, memoryRowView } from '../../../extension/views/treeModel';
import { memory } from './fixtures';

describe('a memory row in the tree', () => {
  it('is labelled with the gist in the current audience', () => {
    const row = memoryRowView(memory({ label: 'I fixed JWT token validation' }));
    assert.equal(row.label, 'I fixed JWT token validation');
  });

  it('describes age and the 1-based file:line a person sees in the editor', () => {
    assert.equal(memoryRowView(memory()).description, '3 days ago · src/auth/middleware.py:42');
  });

  it('opens the file at the memory line (0-based for VS Code)', () => {
    assert.deepEqual(memoryRowView(memory()).location, { uri: 'file:///ws/src/auth/middleware.py', line: 41 });
  });

  it('has no location and only an age when the memory has no place', () => {
    const row = memoryRowView(memory({ uri: null, file: null, line: null, endLine: null }));
    assert.equal(row.location, undefined);
    assert.equal(row.description, '3 days ago');
  });

  it('offers Unpin only on pinned memories (context value)', () => {
    assert.equal(memoryRowView(memory()).contextValue, 'memory');
    assert.equal(memoryRowView(memory({ pinned: true })).contextValue, 'memory.pinned');
  });

  it('falls back to the canonical gist when the audience has no label', () => {
    assert.equal(memoryRowView(memory({ label: '' })).label, 'Fixed JWT token validation');
  });
});

describe('the tooltip of a memory', () => {
  it('lists every audience gist, built-in audiences first in a fixed order', () => {
    const tooltip = memoryTooltipMarkdown(memory({ gists: { zeta: 'z', manager: 'm', developer: 'd', ai: 'a', personal: 'p' } }));
    const audiences = [...tooltip.matchAll(/^- \*\*(\w+)\*\*/gm)].map((m) => m[1]);
    assert.deepEqual(audiences, ['developer', 'personal', 'ai', 'manager', 'zeta']);
  });

  it('cannot be turned into a link or HTML by stored text', () => {
    const hostile = '[click](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> **bold**';
    const tooltip = memoryTooltipMarkdown(memory({ label: hostile, gists: { developer: hostile } }));
    assert.ok(!tooltip.includes('[click]('), tooltip);
    assert.ok(!tooltip.includes('<img'), tooltip);
    assert.ok(tooltip.includes('\\[click\\]\\(command:workbench\\.action\\.terminal\\.new\\)'), tooltip);
  });

  it('says where, how important, how old and that it is pinned', () => {
    const tooltip = memoryTooltipMarkdown(memory({ pinned: true, occurrences: 3 }));
    assert.match(tooltip, /src\/auth\/middleware\\\.py:42 · HIGH · 3 days ago · pinned · seen 3 times/);
  });
});

describe('escapeMarkdown', () => {
  it('escapes every Markdown special so the text shows literally', () => {
    assert.equal(escapeMarkdown('a_b*c`d`[e](f)#g'), 'a\\_b\\*c\\`d\\`\\[e\\]\\(f\\)\\#g');
  });

  it('keeps line breaks as breaks', () => {
    assert.equal(escapeMarkdown('one\ntwo'), 'one  \ntwo');
  });
});

describe('a group row', () => {
  it('shows the group label and its count', () => {
    const row = groupRowView({ key: 'src/app.py', label: 'src/app.py', count: 3 }, 'file');
    assert.equal(row.label, 'src/app.py');
    assert.equal(row.description, '3');
    assert.equal(row.icon, 'file');
  });
});
