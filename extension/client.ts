// Starts the Python server over stdio and restarts it, one restart at a time. Everything else
// talks to the server through this class, so no other module knows about the client's life.
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Disposable, ExtensionContext, LogOutputChannel, Event } from 'vscode';
import { EventEmitter, MarkdownString, commands, window, workspace } from 'vscode';
import type * as LanguageClientNode from 'vscode-languageclient/node';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import type { MemoriesChangedNotification } from './protocol';
import { HoverCommands, Notifications } from './protocol';
import type { Interpreter } from './python';
import { PythonNotFoundError, onDidChangePythonInterpreter } from './python';
import { ServerStart } from './serverStart';
import type { ExtensionSettings } from './settings';

/** `failed`: it could not start; `crashed`: it ran, then kept stopping and is not restarted. */
export type ServerState = 'starting' | 'running' | 'failed' | 'crashed' | 'stopped';

/** A server that stops unexpectedly is restarted this often within the window, then left stopped. */
const MAX_AUTOMATIC_RESTARTS = 3;
const CRASH_WINDOW_MS = 3 * 60_000;
/** vscode-languageclient's code for a request whose connection went away (a stopped server). */
const CONNECTION_GONE_CODES = new Set([-32097, -32099]);
/** A server still running this long after it was asked to stop is killed (as the client library does). */
const STOP_GRACE_MS = 2000;

export interface ServerInfo {
  id: string;
  name: string;
  module: string;
  minimumPythonVersion: string;
}

type LanguageClientModule = typeof LanguageClientNode;

/** vscode-languageclient is most of the code: esbuild.mjs puts it in its own file, required
 * here when the server starts, so that activation does not have to load it. */
function loadLanguageClient(): LanguageClientModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
  return require('vscode-languageclient/node') as LanguageClientModule;
}

export class NotRunningError extends Error {
  constructor() {
    super('The Vidurai server is not running.');
  }
}

export class ServerManager implements Disposable {
  private client: LanguageClient | undefined;
  private clientListeners: Disposable[] = [];
  private restartInFlight: Promise<void> | undefined;
  private restartRequested = false;
  private currentState: ServerState = 'stopped';
  private readonly stateEmitter = new EventEmitter<ServerState>();
  private readonly memoriesChangedEmitter = new EventEmitter<MemoriesChangedNotification>();
  private readyWaiters: Array<() => void> = [];
  /** When the server stopped unexpectedly, within the last CRASH_WINDOW_MS. */
  private crashTimes: number[] = [];
  private interpreterWatch: Disposable | undefined;
  /** The server's process, while a client uses it. */
  private serverProcess: ChildProcess | undefined;

  /** Fires on every state change. */
  readonly onDidChangeState: Event<ServerState> = this.stateEmitter.event;
  /** Fires when the server says memories changed. */
  readonly onDidChangeMemories: Event<MemoriesChangedNotification> = this.memoriesChangedEmitter.event;

  constructor(
    private readonly context: ExtensionContext,
    private readonly serverInfo: ServerInfo,
    private readonly log: LogOutputChannel,
    private readonly settings: () => ExtensionSettings,
    /** The window's first start, begun as the extension's code loaded (serverStart.ts). */
    private firstStart?: ServerStart,
  ) {}

  get state(): ServerState {
    return this.currentState;
  }

  /** Resolves once the server runs or has failed (so a view can stop waiting either way). */
  whenSettled(): Promise<void> {
    if (this.currentState !== 'starting') {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /**
   * (Re)starts the server. Calls while a restart runs do not overlap: they are folded into one
   * more restart after the current one, which then picks up the latest settings.
   */
  restart(): Promise<void> {
    this.crashTimes = []; // a restart someone asked for starts the count afresh
    return this.restartOnce();
  }

  private restartOnce(): Promise<void> {
    if (this.restartInFlight) {
      this.restartRequested = true;
      return this.restartInFlight;
    }
    this.restartInFlight = (async () => {
      try {
        do {
          this.restartRequested = false;
          await this.stopClient();
          await this.startClient();
        } while (this.restartRequested);
      } finally {
        this.restartInFlight = undefined;
      }
    })();
    return this.restartInFlight;
  }

  async sendRequest<R>(method: string, params: object): Promise<R> {
    return (await this.runningClient()).sendRequest<R>(method, params);
  }

  async executeServerCommand<R>(command: string, ...args: unknown[]): Promise<R> {
    return (await this.runningClient()).sendRequest<R>('workspace/executeCommand', { command, arguments: args });
  }

  async sendNotification(method: string, params: object): Promise<void> {
    const client = this.client;
    if (client && this.currentState === 'running') {
      await client.sendNotification(method, params);
    }
  }

  /** Tells a running server the whole settings object again (no restart). */
  async sendSettings(): Promise<void> {
    await this.sendNotification('workspace/didChangeConfiguration', {
      settings: { vidurai: this.settings().server },
    });
  }

  /** Converts VS Code diagnostics to the LSP shape with the client's own converter. */
  get protocolConverter(): LanguageClient['code2ProtocolConverter'] | undefined {
    return this.client?.code2ProtocolConverter;
  }

  async dispose(): Promise<void> {
    this.interpreterWatch?.dispose();
    await this.stopClient();
    this.stateEmitter.dispose();
    this.memoriesChangedEmitter.dispose();
  }

  private async runningClient(): Promise<LanguageClient> {
    if (this.currentState === 'starting') {
      await this.whenSettled();
    }
    if (!this.client || this.currentState !== 'running') {
      throw new NotRunningError();
    }
    return this.client;
  }

  /**
   * An error of a request made for a view (the tree, the gutter): shown unless it only says that
   * the server went away, which the one crash message already tells.
   */
  reportRequestError(what: string, error: unknown): void {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (this.currentState !== 'running' || (typeof code === 'number' && CONNECTION_GONE_CODES.has(code))) {
      this.log.warn(`${what}: ${String(error)}`);
      return;
    }
    this.showError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }

  private setState(state: ServerState): void {
    this.currentState = state;
    this.stateEmitter.fire(state);
    if (state !== 'starting') {
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }

  private async startClient(): Promise<void> {
    this.setState('starting');
    const settings = this.settings();
    // The start finds Python and spawns the server (the window's first was begun as the
    // extension loaded); the client library loads meanwhile, once the interpreter check's
    // process is spawned (setImmediate runs after the promise jobs that spawn it).
    const start = this.takeFirstStart(settings.pythonPath) ?? this.beginStart(settings.pythonPath);
    const languageClient = await new Promise<LanguageClientModule>((resolve) => setImmediate(() => resolve(loadLanguageClient())));
    const interpreter = await this.interpreterOf(start);
    if (!interpreter) {
      return;
    }
    const client = this.createClient(languageClient, this.serverOptions(start, interpreter), this.clientOptions(languageClient, settings));
    if (!(await this.started(client))) {
      return;
    }
    this.listenToServer(languageClient, client);
    this.setState('running');
    const ready = performance.now();
    const found = start.found ?? ready;
    this.log.info(
      `The server is ready, ${Math.round(ready - start.begun)} ms after starting ` +
        `(finding Python ${Math.round(found - start.begun)} ms, the server's own start ${Math.round(ready - found)} ms)`,
    );
  }

  /** The start begun as the extension loaded, if it is for the current `vidurai.pythonPath` (once). */
  private takeFirstStart(pythonPath: string): ServerStart | undefined {
    const start = this.firstStart;
    this.firstStart = undefined;
    if (start && start.pythonPath !== pythonPath) {
      start.discard();
      return undefined;
    }
    return start;
  }

  private beginStart(pythonPath: string): ServerStart {
    return new ServerStart(this.context.extensionUri.fsPath, this.serverInfo, pythonPath, workspace.workspaceFolders?.[0]?.uri);
  }

  /**
   * The Python that runs the server (and a watch on the Python extension's choice when it came
   * from there); undefined, with a message that says how to fix it, when there is none.
   */
  private async interpreterOf(start: ServerStart): Promise<Interpreter | undefined> {
    try {
      const interpreter = await start.interpreter;
      start.warnings.forEach((warning) => this.log.warn(warning));
      if (interpreter.source === 'python extension') {
        this.interpreterWatch ??= onDidChangePythonInterpreter((path) => {
          if (!this.settings().pythonPath) {
            this.log.info(`The Python extension's interpreter changed to ${path}: restarting the server`);
            void this.restart();
          }
        });
      }
      return interpreter;
    } catch (error) {
      this.setState('failed');
      const message = error instanceof PythonNotFoundError ? error.message : String(error);
      this.log.error(message);
      void window.showErrorMessage(message, 'Open Setting', 'Show Logs').then((choice) => {
        if (choice === 'Open Setting') {
          void commands.executeCommand('workbench.action.openSettings', `${this.serverInfo.id}.pythonPath`);
        } else if (choice === 'Show Logs') {
          this.log.show();
        }
      });
      return undefined;
    }
  }

  /** The start's process, for the client; its exit is logged and it is ours to stop (stopClient). */
  private serverOptions(start: ServerStart, interpreter: Interpreter): ServerOptions {
    this.log.info(
      `Starting the server: ${interpreter.executable} -m ${this.serverInfo.module} serve ` +
        `(Python ${interpreter.version}, from ${interpreter.source})`,
    );
    return async () => {
      const child = await start.process;
      this.serverProcess = child;
      child.on('error', (error) => this.log.warn(`The server's process: ${String(error)}`));
      child.on('exit', (code, signal) => {
        if (code === 0) {
          this.log.info('Server process exited successfully');
        } else if (signal !== null) {
          this.log.error(`Server process exited with signal ${signal}.`);
        } else {
          this.log.error(`Server process exited with code ${code}.`);
        }
      });
      return child;
    };
  }

  private clientOptions(languageClient: LanguageClientModule, settings: ExtensionSettings): LanguageClientOptions {
    const { CloseAction, ErrorAction, RevealOutputChannelOn } = languageClient;
    return {
      documentSelector: [{ scheme: 'file' }],
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: settings.server,
      middleware: {
        // Hover Markdown comes from the server; its links may run only our own commands.
        provideHover: async (document, position, token, next) => {
          const hover = await next(document, position, token);
          for (const content of hover?.contents ?? []) {
            if (content instanceof MarkdownString) {
              content.isTrusted = { enabledCommands: [...HoverCommands] };
              content.supportHtml = false;
            }
          }
          return hover;
        },
      },
      initializationFailedHandler: (error) => {
        this.log.error(`The server failed to initialise: ${String(error)}`);
        return false;
      },
      // Restarts are ours (see serverStopped): the client's own would stack a toast per failure.
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => ({ action: CloseAction.DoNotRestart, handled: true }),
      },
    };
  }

  /** The client, current from now on; a server that stops while running counts as a crash. */
  private createClient(
    languageClient: LanguageClientModule,
    serverOptions: ServerOptions,
    clientOptions: LanguageClientOptions,
  ): LanguageClient {
    const { LanguageClient, State } = languageClient;
    // Our own messages say what went wrong, once (a failed start, a crash loop); the client's
    // forced ones ("couldn't create connection to server …") would stack a raw toast each time.
    class QuietLanguageClient extends LanguageClient {
      override error(message: string, data?: unknown, showNotification?: boolean | 'force'): void {
        super.error(message, data, showNotification === 'force' ? false : showNotification);
      }
    }
    const client = new QuietLanguageClient(this.serverInfo.id, this.serverInfo.name, serverOptions, clientOptions);
    this.client = client;
    this.clientListeners.push(
      client.onDidChangeState((event) => {
        if (event.newState === State.Running) {
          this.setState('running');
        } else if (event.newState === State.Stopped && this.client === client && this.currentState === 'running') {
          this.serverStopped();
        }
      }),
    );
    return client;
  }

  /** Starts the client; false (with the state and message set) when the server did not start. */
  private async started(client: LanguageClient): Promise<boolean> {
    try {
      await client.start();
      // start() can resolve although the server died while starting (the client forgets its
      // start promise when the connection closes): only a running client counts.
      if (!client.isRunning()) {
        throw new Error('the server stopped while starting');
      }
      return true;
    } catch (error) {
      this.log.error(`The server did not start: ${String(error)}`);
      if (this.crashTimes.length > 0) {
        this.serverStopped(); // it ran before and now dies while starting: part of the same crash loop
        return false;
      }
      this.setState('failed');
      this.showError('The Vidurai server did not start.');
      return false;
    }
  }

  private listenToServer(languageClient: LanguageClientModule, client: LanguageClient): void {
    const { MessageType, ShowMessageNotification } = languageClient;
    this.clientListeners.push(
      client.onNotification(Notifications.memoriesChanged, (params: MemoriesChangedNotification) =>
        this.memoriesChangedEmitter.fire(params),
      ),
      // The client's default shows server errors without a way to the logs; ours adds one.
      client.onNotification(ShowMessageNotification.type, (params) => {
        if (params.type === MessageType.Error || params.type === MessageType.Warning) {
          this.showError(params.message, params.type === MessageType.Warning);
        } else {
          void window.showInformationMessage(params.message);
        }
      }),
    );
  }

  /**
   * The server stopped without being asked: restarted quietly a few times, then left stopped
   * with one message that says so and offers Restart and Show Logs.
   */
  private serverStopped(): void {
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const crashes = this.crashTimes.length;
    if (crashes <= MAX_AUTOMATIC_RESTARTS) {
      this.log.warn(`The server stopped unexpectedly (${crashes} time${crashes === 1 ? '' : 's'} in 3 minutes): restarting it`);
      void this.restartOnce();
      return;
    }
    this.log.error(`The server stopped unexpectedly ${crashes} times in 3 minutes: not restarting it`);
    void this.stopClient().then(() => {
      this.setState('crashed');
      void window
        .showErrorMessage(
          `The Vidurai server stopped unexpectedly ${crashes} times in 3 minutes, so it was not restarted. The logs say why.`,
          'Restart Server',
          'Show Logs',
        )
        .then((choice) => {
          if (choice === 'Restart Server') {
            void this.restart();
          } else if (choice === 'Show Logs') {
            this.log.show();
          }
        });
    });
  }

  /** An error message with a "Show Logs" button. */
  showError(message: string, warning = false): void {
    const show = warning ? window.showWarningMessage : window.showErrorMessage;
    void show(message, 'Show Logs').then((choice) => {
      if (choice === 'Show Logs') {
        this.log.show();
      }
    });
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    const child = this.serverProcess;
    this.client = undefined;
    this.serverProcess = undefined;
    this.clientListeners.forEach((d) => d.dispose());
    this.clientListeners = [];
    if (client) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.log.warn(`Stopping the server: ${String(error)}`);
      }
      this.setState('stopped');
    }
    // Asked to exit, the server does; one that hangs is killed.
    if (child && child.exitCode === null && child.signalCode === null) {
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill();
        }
      }, STOP_GRACE_MS).unref();
    }
  }
}
