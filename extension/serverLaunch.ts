// How a Vidurai Python process is started: the language server (`serve`) and the MCP server
// (`mcp`) run the same interpreter with the same bundled libraries, so they share this.
import * as path from 'node:path';

export interface PythonModuleLaunch {
  command: string;
  args: string[];
  cwd: string;
  /** Added to the inherited environment. */
  env: Record<string, string>;
}

export function pythonModuleLaunch(
  extensionRoot: string,
  interpreter: string,
  module: string,
  args: string[],
  inheritedPythonPath = process.env.PYTHONPATH,
): PythonModuleLaunch {
  const pythonPath = [path.join(extensionRoot, 'bundled', 'libs'), path.join(extensionRoot, 'server'), inheritedPythonPath]
    .filter(Boolean)
    .join(path.delimiter);
  return {
    command: interpreter,
    args: ['-m', module, ...args],
    // `python -m` puts the working folder first on sys.path: never a workspace folder, whose
    // own `vidurai` package (or a planted one) would then run instead of the bundled server.
    cwd: extensionRoot,
    env: { PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' },
  };
}
