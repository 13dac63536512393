import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeMarkdown, memoryTooltipMarkdown } from '../../../extension/markdown';
import { groupRowView, memoryRowView } from '../../../extension/views/treeModel';
import type { MemoryItem } from '../../../extension/protocol';
import { memory } from './fixtures';

describe('a memory row in the tree', () => {
  it('is labelled with the gist in the current audience', () => {
    const row = memoryRowView(memory({ label: 'I fixed JWT token validation' }));
    assert.equal(row.label, 'I fixed JWT token validation');
  });

  it('describes age and the 1-based file:line a person sees in the editor', () => {
    assert.equal(memoryRowView(memory()).description, '3 days ago · src/auth/middleware.py:42');
  });

  it('says only the line under its file\'s group, which already names the file', () => {
    assert.equal(memoryRowView(memory(), 'file').description, '3 days ago · line 42');
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

  it('shows its kind by its icon: a fix a bug, a failing command a terminal, a pinned memory a pin', () => {
    const icon = (overrides: Partial<MemoryItem>) => memoryRowView(memory(overrides)).icon;
    assert.equal(icon({ eventType: 'error_fixed' }), 'bug');
    assert.equal(icon({ eventType: 'command_fixed' }), 'bug');
    assert.equal(icon({ eventType: 'command_failed' }), 'terminal');
    assert.equal(icon({ eventType: 'decision' }), 'lightbulb');
    assert.equal(icon({ eventType: 'note' }), 'note');
    assert.equal(icon({ eventType: 'a_kind_from_a_newer_server' }), 'note');
    assert.equal(icon({ eventType: 'command_failed', pinned: true }), 'pinned');
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
    assert.match(tooltip, /src\/auth\/middleware\\\.py:42 · High · 3 days ago · pinned · seen 3 times/);
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
  it('shows a file by its name first, its folder dimmed beside the count, with the file\'s own icon', () => {
    const row = groupRowView({ key: 'path:src/auth/middle ware.py', label: 'src/auth/middle ware.py', count: 3 }, 'file', 'file:///ws');
    assert.equal(row.label, 'middle ware.py');
    assert.equal(row.description, 'src/auth · 3');
    assert.equal(row.fileUri, 'file:///ws/src/auth/middle%20ware.py');
  });

  it('shows a file at the top of the folder with just its count', () => {
    const row = groupRowView({ key: 'path:app.py', label: 'app.py', count: 1 }, 'file', 'file:///ws');
    assert.deepEqual([row.label, row.description], ['app.py', '1']);
  });

  it('gives the memories without a file a project icon, not a file icon', () => {
    const row = groupRowView({ key: 'nofile', label: 'Without a file', count: 2 }, 'file', 'file:///ws');
    assert.deepEqual([row.label, row.icon, row.fileUri], ['Without a file', 'project', undefined]);
  });

  it('shows other groupings by label and count', () => {
    const row = groupRowView({ key: 'HIGH', label: 'High', count: 4 }, 'salience');
    assert.deepEqual([row.label, row.description, row.icon], ['High', '4', 'flame']);
  });
});

describe('a memory whose lines were deleted (detached)', () => {
  const row = memoryRowView(memory({ detached: true }), 'file');

  it('says so with its own icon and description', () => {
    assert.equal(row.icon, 'debug-disconnect');
    assert.equal(row.description, '3 days ago · its lines were deleted');
    assert.match(row.tooltipMarkdown, /its lines were deleted/);
  });

  it('does not open a blank line when clicked', () => {
    assert.equal(row.location, undefined);
  });
});
