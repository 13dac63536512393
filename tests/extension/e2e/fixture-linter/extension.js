// Test-only: reports the first Python syntax error of each open Python file, as a real linter
// would, so the e2e can introduce an error and fix it. Uses the Python on PATH.
const { execFile } = require('node:child_process');
const vscode = require('vscode');

const CHECK = [
  'import json, sys',
  'source = sys.stdin.read()',
  'try:',
  '    compile(source, "<file>", "exec")',
  '    print("null")',
  'except SyntaxError as e:',
  '    print(json.dumps({"line": (e.lineno or 1) - 1, "col": max((e.offset or 1) - 1, 0), "msg": e.msg}))',
].join('\n');

function activate(context) {
  const diagnostics = vscode.languages.createDiagnosticCollection('fixture-linter');
  const timers = new Map();
  const check = (document) => {
    if (document.languageId !== 'python' || document.uri.scheme !== 'file') {
      return;
    }
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      const child = execFile('python3', ['-c', CHECK], (error, stdout) => {
        if (error) {
          return;
        }
        const found = JSON.parse(stdout);
        diagnostics.set(document.uri, found ? [
          Object.assign(new vscode.Diagnostic(
            new vscode.Range(found.line, found.col, found.line, found.col + 1), found.msg, vscode.DiagnosticSeverity.Error),
            { source: 'fixture-linter' }),
        ] : []);
      });
      child.stdin.end(document.getText());
    }, 200));
  };
  context.subscriptions.push(
    diagnostics,
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((event) => check(event.document)),
  );
  vscode.workspace.textDocuments.forEach(check);
}

module.exports = { activate };
