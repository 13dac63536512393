// Which Python runs the server: the `vidurai.pythonPath` setting, else the Python extension's
// active interpreter (when that extension is installed; no hard dependency), else python3 /
// python on PATH. Each candidate is probed and must be at least serverInfo.minimumPythonVersion.
import { execFile } from 'node:child_process';
import type { Disposable, Event, LogOutputChannel, Uri } from 'vscode';
import { extensions } from 'vscode';
import { VERSION_PROBE, formatVersion, isAtLeast, parseMinimumVersion, parseProbeOutput } from './pythonVersion';

export interface Interpreter {
  executable: string;
  version: string;
  source: 'setting' | 'python extension' | 'PATH';
}

export class PythonNotFoundError extends Error {}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: Uri): { path: string };
    onDidChangeActiveEnvironmentPath?: Event<{ path: string; resource?: unknown }>;
    resolveEnvironment(path: string): Promise<{ executable: { uri?: Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails(resource?: Uri): { execCommand: string[] | undefined };
  };
}

export async function findInterpreter(
  pythonPathSetting: string,
  minimumVersion: string,
  resource: Uri | undefined,
  log: Pick<LogOutputChannel, 'warn'>,
): Promise<Interpreter> {
  const minimum = parseMinimumVersion(minimumVersion);
  const candidates: Array<{ executable: string; source: Interpreter['source'] }> = [];
  if (pythonPathSetting) {
    // An explicit setting is the user's choice: never silently replaced by another Python.
    candidates.push({ executable: expandHome(pythonPathSetting), source: 'setting' });
  } else {
    const fromExtension = await pythonExtensionInterpreter(resource, log);
    if (fromExtension) {
      candidates.push({ executable: fromExtension, source: 'python extension' });
    }
    candidates.push({ executable: 'python3', source: 'PATH' }, { executable: 'python', source: 'PATH' });
  }

  const rejected: string[] = [];
  for (const candidate of candidates) {
    const probed = await probe(candidate.executable);
    if (!probed) {
      rejected.push(`${candidate.executable} (${candidate.source}): does not run`);
      continue;
    }
    if (!isAtLeast(probed.version, minimum)) {
      rejected.push(`${candidate.executable} (${candidate.source}): Python ${formatVersion(probed.version)}`);
      continue;
    }
    return { executable: probed.executable || candidate.executable, version: formatVersion(probed.version), source: candidate.source };
  }
  throw new PythonNotFoundError(
    `Vidurai needs Python ${minimumVersion} or newer. Tried: ${rejected.join('; ')}.`,
  );
}

async function pythonExtensionInterpreter(resource: Uri | undefined, log: Pick<LogOutputChannel, 'warn'>): Promise<string | undefined> {
  const extension = extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    if (api.environments) {
      const active = api.environments.getActiveEnvironmentPath(resource);
      const resolved = await api.environments.resolveEnvironment(active.path);
      if (resolved?.executable.uri) {
        return resolved.executable.uri.fsPath;
      }
    }
    return api.settings?.getExecutionDetails(resource).execCommand?.[0];
  } catch (error) {
    log.warn(`Could not ask the Python extension for its interpreter: ${String(error)}`);
    return undefined;
  }
}

function probe(executable: string): Promise<ReturnType<typeof parseProbeOutput>> {
  return new Promise((resolve) => {
    execFile(executable, ['-c', VERSION_PROBE], { timeout: 10_000 }, (error, stdout) => {
      resolve(error ? undefined : parseProbeOutput(stdout));
    });
  });
}

function expandHome(path: string): string {
  return path.startsWith('~/') && process.env.HOME ? `${process.env.HOME}${path.slice(1)}` : path;
}

/**
 * Calls `listener` when the interpreter chosen in the Python extension changes (as the Python
 * tools template restarts its server then). Undefined when that extension is absent or inactive.
 */
export function onDidChangePythonInterpreter(listener: (path: string) => void): Disposable | undefined {
  const extension = extensions.getExtension<PythonExtensionApi>('ms-python.python');
  const event = extension?.isActive ? extension.exports.environments?.onDidChangeActiveEnvironmentPath : undefined;
  return event?.((change) => listener(change.path));
}
