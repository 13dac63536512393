// One start of the server's process: its Python found, then the process spawned. The window's
// first start is begun as VS Code loads this extension's code (extension.ts), not when it calls
// activate(): in between, VS Code prepares the extension's storage, which took 0.3-0.6 s in a
// starting window here, and the server's imports use that time. Restarts begin theirs at once.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Uri } from 'vscode';
import type { Interpreter } from './python';
import { findInterpreter } from './python';
import { pythonModuleLaunch } from './serverLaunch';

export class ServerStart {
  /** performance.now() when the start began, and when its Python was found. */
  readonly begun = performance.now();
  found: number | undefined;
  /** Warnings met while looking for the interpreter, for the log. */
  readonly warnings: string[] = [];
  /** The interpreter, or PythonNotFoundError saying which ones were tried. */
  readonly interpreter: Promise<Interpreter>;
  /** The running process; rejects when none could be spawned (or no Python was found). */
  readonly process: Promise<ChildProcess>;

  constructor(
    extensionRoot: string,
    serverInfo: { module: string; minimumPythonVersion: string },
    /** The `vidurai.pythonPath` it was begun with. */
    readonly pythonPath: string,
    resource: Uri | undefined,
  ) {
    this.interpreter = findInterpreter(pythonPath, serverInfo.minimumPythonVersion, resource, {
      warn: (message: string) => this.warnings.push(message),
    }).then((interpreter) => {
      this.found = performance.now();
      return interpreter;
    });
    this.process = this.interpreter.then((interpreter) =>
      spawnServer(pythonModuleLaunch(extensionRoot, interpreter.executable, serverInfo.module, ['serve'])),
    );
    // Whoever uses the start reports its failure; a start nobody uses has nothing to report.
    this.process.catch(() => undefined);
  }

  /** Stops a start that will not be used (the setting changed before it was). */
  discard(): void {
    this.process.then(
      (child) => child.kill(),
      () => undefined,
    );
  }
}

function spawnServer(launch: ReturnType<typeof pythonModuleLaunch>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: { ...process.env, ...launch.env } });
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}
