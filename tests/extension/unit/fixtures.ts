import type { MemoryItem } from '../../../extension/protocol';

/** A memory as the server sends it, with the fields a test cares about overridden. */
export function memory(overrides: Partial<MemoryItem> = {}): MemoryItem {
  return {
    id: 42,
    project: 'file:///ws',
    label: 'Fixed JWT token validation in middleware.py (line 42)',
    gist: 'Fixed JWT token validation',
    audience: 'developer',
    salience: 'HIGH',
    eventType: 'error_fixed',
    uri: 'file:///ws/src/auth/middleware.py',
    file: 'src/auth/middleware.py',
    line: 41,
    endLine: 41,
    pinned: false,
    detached: false,
    occurrences: 1,
    createdAt: '2026-11-27T10:00:00Z',
    lastUsedAt: '2026-11-27T10:00:00Z',
    age: '3 days ago',
    gists: {
      manager: 'Fixed JWT token validation',
      developer: 'Fixed JWT token validation in middleware.py (line 42)',
      personal: 'I fixed JWT token validation and learned about TypeError',
      ai: 'Bug resolution: Fixed JWT token validation (TypeError, src/auth/middleware.py:42)',
    },
    ...overrides,
  };
}
