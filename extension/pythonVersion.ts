// Checking an interpreter's version. Pure: the probe's output is parsed here, run in python.ts.

export interface PythonVersion {
  major: number;
  minor: number;
  micro: number;
}

/** The script python.ts runs with `-c`: prints `3.11.2` and the executable. */
export const VERSION_PROBE = 'import sys; print("%d.%d.%d" % sys.version_info[:3]); print(sys.executable)';

export function parseProbeOutput(stdout: string): { version: PythonVersion; executable: string } | undefined {
  const [versionLine, executable] = stdout.trim().split(/\r?\n/);
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(versionLine?.trim() ?? '');
  if (!match) {
    return undefined;
  }
  return {
    version: { major: Number(match[1]), minor: Number(match[2]), micro: Number(match[3]) },
    executable: executable?.trim() ?? '',
  };
}

export function parseMinimumVersion(text: string): PythonVersion {
  const [major = 3, minor = 0, micro = 0] = text.split('.').map(Number);
  return { major, minor, micro };
}

export function isAtLeast(version: PythonVersion, minimum: PythonVersion): boolean {
  if (version.major !== minimum.major) {
    return version.major > minimum.major;
  }
  if (version.minor !== minimum.minor) {
    return version.minor > minimum.minor;
  }
  return version.micro >= minimum.micro;
}

export function formatVersion(version: PythonVersion): string {
  return `${version.major}.${version.minor}.${version.micro}`;
}
