import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SettingGetter } from '../../../extension/settings';
import { audienceChoices, readSettings } from '../../../extension/settings';

function getter(values: Record<string, unknown>): SettingGetter {
  return <T>(key: string, defaultValue: T): T => (key in values ? (values[key] as T) : defaultValue);
}

describe('readSettings', () => {
  it('gives the documented defaults when nothing is set', () => {
    const settings = readSettings(getter({}));
    assert.deepEqual(settings.server, {
      audience: 'developer',
      databasePath: '',
      hover: { enabled: true },
      capture: { diagnostics: true, terminal: true, settleSeconds: 30 },
      audiences: [],
      context: { maxTokens: 2000 },
    });
    assert.equal(settings.pythonPath, '');
    assert.deepEqual(settings.editor, { gutter: true, currentLineHint: false });
  });

  it('passes each folder\'s audience in a multi-root window, unless Switch Audience chose one', () => {
    const perFolder = { 'file:///a': 'manager', 'file:///b': 'developer' };
    assert.deepEqual(readSettings(getter({}), undefined, perFolder).server.folderAudiences, perFolder);
    const chosen = readSettings(getter({}), 'personal', perFolder).server;
    assert.equal(chosen.audience, 'personal');
    assert.equal(chosen.folderAudiences, undefined);
  });

  it('reads the gutter and current-line hint settings', () => {
    const settings = readSettings(getter({ 'gutter.enabled': false, 'currentLineHint.enabled': true }));
    assert.deepEqual(settings.editor, { gutter: false, currentLineHint: true });
  });

  it('passes each setting to the server in the shape of PROTOCOL.md', () => {
    const settings = readSettings(
      getter({
        audience: 'manager',
        databasePath: ' /tmp/m.db ',
        'hover.enabled': false,
        'capture.diagnostics': false,
        'capture.terminal': false,
        'capture.diagnosticCodes': ['reportUndefinedVariable', 'ts:2304'],
        'capture.settleSeconds': 45,
        audiences: ['Reviewer', 'reviewer', ' qa '],
        'context.maxTokens': 500,
      }),
    );
    assert.deepEqual(settings.server, {
      audience: 'manager',
      databasePath: '/tmp/m.db',
      hover: { enabled: false },
      capture: {
        diagnostics: false,
        terminal: false,
        diagnosticCodes: ['reportUndefinedVariable', 'ts:2304'],
        settleSeconds: 45,
      },
      audiences: ['reviewer', 'qa'],
      context: { maxTokens: 500 },
    });
  });

  it('lets the audience chosen for this workspace win over the setting', () => {
    assert.equal(readSettings(getter({ audience: 'manager' }), 'personal').server.audience, 'personal');
  });

  it('falls back to safe values when settings.json holds nonsense', () => {
    const settings = readSettings(
      getter({ audience: 7, audiences: 'x', 'context.maxTokens': -5, 'capture.settleSeconds': 0 }),
    );
    assert.equal(settings.server.audience, 'developer');
    assert.deepEqual(settings.server.audiences, []);
    assert.equal(settings.server.context.maxTokens, 2000);
    assert.equal(settings.server.capture.settleSeconds, 30);
  });
});

describe('audienceChoices', () => {
  it('offers the four built-in audiences first, then the extra ones once', () => {
    assert.deepEqual(audienceChoices(['reviewer', 'ai']), ['developer', 'personal', 'ai', 'manager', 'reviewer']);
  });
});
