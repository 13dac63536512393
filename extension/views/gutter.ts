// Where memories are, without hovering line by line: a quiet mark in the gutter (and the
// overview ruler) on every remembered line of the visible editors, and, when turned on, the
// current line's memory at the end of that line (like GitLens' current-line blame). The server
// says which lines (vidurai/fileMarks, from its live anchors); this file only draws them.
import { performance } from 'node:perf_hooks';
import type {
  DecorationOptions,
  Disposable,
  LogOutputChannel,
  TextEditor,
  TextEditorDecorationType,
} from 'vscode';
import { DecorationRangeBehavior, OverviewRulerLane, Range, ThemeColor, Uri, window, workspace } from 'vscode';
import type { ServerManager } from '../client';
import type { FileMark, FileMarksResult, LineHintResult } from '../protocol';
import { Requests } from '../protocol';
import type { ViewState } from '../viewState';
import { currentLineHint, decodeFileMarks, markAt } from './markText';

/** A file this long or longer logs how long its marks took (the figure the e2e suite prints). */
const LOG_MARK_TIME_FROM_LINES = 1000;
/** The hint asks for its line's text once the cursor rests this long (not on every keystroke). */
const HINT_DELAY_MS = 120;

export class EditorMarks implements Disposable {
  private readonly gutterType: TextEditorDecorationType;
  private readonly hintType: TextEditorDecorationType;
  /**
   * The marks last drawn, by document URI: an editor showing the document again draws them
   * without asking, and the hint reads them as the cursor moves. A change to the file's
   * memories drops them.
   */
  private readonly marks = new Map<string, FileMark[]>();
  /** The newest request per document: an older answer arriving late is dropped. */
  private readonly generation = new Map<string, number>();
  private readonly listeners: Disposable[];
  private hintTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly server: ServerManager,
    private readonly viewState: ViewState,
    extensionUri: Uri,
    private readonly log: LogOutputChannel,
  ) {
    // A gutter icon is an image, so it comes in a light and a dark variant (high-contrast themes
    // use the variant of their kind); the overview ruler takes a theme colour of our own.
    const icon = (theme: 'light' | 'dark') => ({
      gutterIconPath: Uri.joinPath(extensionUri, 'resources', `gutter-${theme}.svg`),
      gutterIconSize: 'contain',
    });
    this.gutterType = window.createTextEditorDecorationType({
      light: icon('light'),
      dark: icon('dark'),
      overviewRulerColor: new ThemeColor('vidurai.rememberedLine.overviewRulerForeground'),
      overviewRulerLane: OverviewRulerLane.Left,
      rangeBehavior: DecorationRangeBehavior.ClosedClosed,
    });
    this.hintType = window.createTextEditorDecorationType({
      after: { color: new ThemeColor('vidurai.currentLineHint.foreground'), margin: '0 0 0 3em', fontStyle: 'italic' },
      rangeBehavior: DecorationRangeBehavior.ClosedOpen,
    });
    this.listeners = [
      this.gutterType,
      this.hintType,
      window.onDidChangeVisibleTextEditors(() => this.drawVisible()),
      workspace.onDidCloseTextDocument((document) => this.marks.delete(document.uri.toString())),
      window.onDidChangeTextEditorSelection((event) => this.drawHint(event.textEditor)),
      server.onDidChangeState((state) => (state === 'running' ? this.refreshVisible() : this.clearAll())),
      server.onDidChangeMemories((change) => this.refreshVisible(change.files.length ? new Set(change.files) : undefined)),
      viewState.onDidChange(() => this.refreshVisible()),
      workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('vidurai.gutter') || event.affectsConfiguration('vidurai.currentLineHint')) {
          this.refreshVisible();
        }
      }),
    ];
    this.refreshVisible();
  }

  /** Asks again for the marks of the visible editors (only those showing `files`, when given). */
  refreshVisible(files?: Set<string>): void {
    if (files) {
      files.forEach((file) => this.marks.delete(file));
    } else {
      this.marks.clear();
    }
    for (const editor of window.visibleTextEditors) {
      const uri = editor.document.uri;
      if (uri.scheme === 'file' && (!files || files.has(uri.toString()))) {
        void this.refresh(editor);
      }
    }
  }

  /** Editors shown (again): drawn from the marks known for their document, else asked for. */
  private drawVisible(): void {
    for (const editor of window.visibleTextEditors) {
      const marks = this.marks.get(editor.document.uri.toString());
      if (marks) {
        this.draw(editor, marks);
      } else if (editor.document.uri.scheme === 'file') {
        void this.refresh(editor);
      }
    }
  }

  private async refresh(editor: TextEditor): Promise<void> {
    const key = editor.document.uri.toString();
    const { gutter, currentLineHint: hint } = this.viewState.settings().editor;
    if ((!gutter && !hint) || this.server.state !== 'running') {
      this.clear(editor);
      return;
    }
    const generation = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, generation);
    const started = performance.now();
    const loopBefore = performance.eventLoopUtilization();
    let result: FileMarksResult;
    try {
      result = await this.server.sendRequest<FileMarksResult>(Requests.fileMarks, { uri: key });
    } catch (error) {
      this.log.debug(`No gutter marks for ${key}: ${String(error)}`);
      return;
    }
    if (this.generation.get(key) !== generation) {
      return;
    }
    const answered = performance.now();
    // How much of the wait the extension host spent on other work (other extensions, the file
    // opening) rather than waiting for the server: a slow answer can then be told apart.
    const busy = performance.eventLoopUtilization(loopBefore).utilization;
    const marks = decodeFileMarks(result.marks);
    this.marks.set(key, marks);
    this.draw(editor, marks);
    if (editor.document.lineCount >= LOG_MARK_TIME_FROM_LINES) {
      const drawn = performance.now();
      this.log.info(
        `Gutter marks: ${marks.length} places in a ${editor.document.lineCount}-line file drawn in ` +
          `${(drawn - started).toFixed(1)} ms (answer ${(answered - started).toFixed(1)} ms, ` +
          `drawing ${(drawn - answered).toFixed(1)} ms; extension host busy ${(busy * 100).toFixed(0)}% of the wait)`,
      );
    }
  }

  private draw(editor: TextEditor, marks: readonly FileMark[]): void {
    const { gutter } = this.viewState.settings().editor;
    editor.setDecorations(this.gutterType, gutter ? marks.map((mark) => new Range(mark.line, 0, mark.endLine, 0)) : []);
    this.drawHint(editor);
  }

  /** The hint follows the cursor: cleared at once, asked for when the cursor rests on a marked line. */
  private drawHint(editor: TextEditor): void {
    clearTimeout(this.hintTimer);
    editor.setDecorations(this.hintType, []);
    const line = editor.selection.active.line;
    const marks = this.marks.get(editor.document.uri.toString()) ?? [];
    if (!this.viewState.settings().editor.currentLineHint || !markAt(marks, line)) {
      return;
    }
    this.hintTimer = setTimeout(() => void this.showHint(editor, line), HINT_DELAY_MS);
  }

  private async showHint(editor: TextEditor, line: number): Promise<void> {
    let result: LineHintResult;
    try {
      result = await this.server.sendRequest<LineHintResult>(Requests.lineHint, {
        uri: editor.document.uri.toString(),
        line,
        audience: this.viewState.audienceFor(editor.document.uri),
      });
    } catch (error) {
      this.log.debug(`No current-line hint: ${String(error)}`);
      return;
    }
    if (!result.hint || editor.selection.active.line !== line) {
      return; // nothing there, or the cursor moved on meanwhile
    }
    const end = editor.document.lineAt(line).range.end;
    const decoration: DecorationOptions = {
      range: new Range(end, end),
      renderOptions: { after: { contentText: currentLineHint(result.hint) } },
    };
    editor.setDecorations(this.hintType, [decoration]);
  }

  private clear(editor: TextEditor): void {
    this.marks.delete(editor.document.uri.toString());
    editor.setDecorations(this.gutterType, []);
    editor.setDecorations(this.hintType, []);
  }

  private clearAll(): void {
    this.marks.clear();
    window.visibleTextEditors.forEach((editor) => this.clear(editor));
  }

  dispose(): void {
    clearTimeout(this.hintTimer);
    this.listeners.forEach((d) => d.dispose());
  }
}
