import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAtLeast, parseMinimumVersion, parseProbeOutput } from '../../../extension/pythonVersion';

describe('choosing a Python', () => {
  const minimum = parseMinimumVersion('3.10');

  it('reads the version and executable the probe prints', () => {
    assert.deepEqual(parseProbeOutput('3.11.2\n/usr/bin/python3\n'), {
      version: { major: 3, minor: 11, micro: 2 },
      executable: '/usr/bin/python3',
    });
  });

  it('accepts 3.10 and newer, refuses older ones', () => {
    assert.equal(isAtLeast({ major: 3, minor: 10, micro: 0 }, minimum), true);
    assert.equal(isAtLeast({ major: 3, minor: 13, micro: 1 }, minimum), true);
    assert.equal(isAtLeast({ major: 3, minor: 9, micro: 18 }, minimum), false);
    assert.equal(isAtLeast({ major: 2, minor: 7, micro: 18 }, minimum), false);
  });

  it('treats output that is not a version as a Python that does not work', () => {
    assert.equal(parseProbeOutput('Python was not found; run without arguments to install from the Microsoft Store'), undefined);
  });
});
