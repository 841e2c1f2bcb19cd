/**
 * The full-screen terminal: enter the alternate screen, and leave it — with the cursor shown and
 * raw mode off — however the console ends: q, Ctrl-C, SIGINT/SIGTERM, a crash, process.exit.
 * While the console owns the screen, stray writes to stderr (a library warning, DEBUG=1 lines)
 * go to a log file instead of tearing the frame.
 */
import { redirectStderr } from '../log.js';

export const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J';
export const LEAVE_ALT_SCREEN = '\x1b[?1049l';
export const SHOW_CURSOR = '\x1b[?25h';
export const HIDE_CURSOR = '\x1b[?25l';

export interface TerminalGuardOptions {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  /** Where stderr writes go while the console is up (undefined: leave stderr alone). */
  stderrLog?: string;
  /** Called (once) before the process exits on a signal or a crash, after the terminal is restored. */
  onFatal?: (reason: string) => void;
}

export class TerminalGuard {
  private active = false;
  private teardown?: () => void;
  private restoreStderr?: () => void;
  private readonly handlers: [string, (...args: never[]) => void][] = [];

  constructor(private readonly options: TerminalGuardOptions) {}

  enter(): void {
    if (this.active) return;
    this.active = true;
    this.options.stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
    if (this.options.stderrLog) this.restoreStderr = redirectStderr(this.options.stderr, this.options.stderrLog);
    const on = (event: string, handler: (...args: never[]) => void) => {
      process.on(event as 'exit', handler as () => void);
      this.handlers.push([event, handler]);
    };
    on('exit', () => this.restore());
    on('SIGINT', () => this.fatal('interrupted (SIGINT)', 130));
    on('SIGTERM', () => this.fatal('terminated (SIGTERM)', 143));
    on('SIGHUP', () => this.fatal('hung up (SIGHUP)', 129));
    on('uncaughtException', (error: Error) => this.fatal(`unexpected error: ${error?.stack ?? String(error)}`, 2));
    on('unhandledRejection', (reason: unknown) => this.fatal(`unexpected error: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`, 2));
  }

  /**
   * What to stop before the screen is given back (the Ink instance: unmounted, it writes its last
   * frame — which must land on the alternate screen, not on the operator's shell).
   */
  beforeRestore(teardown: () => void): void {
    this.teardown = teardown;
  }

  /** Gives the terminal back as it was. Safe to call more than once. */
  restore(): void {
    if (!this.active) return;
    const teardown = this.teardown;
    this.teardown = undefined;
    try {
      teardown?.();
    } catch {
      // restoring matters more
    }
    this.active = false;
    this.restoreStderr?.();
    this.restoreStderr = undefined;
    const { stdin, stdout } = this.options;
    try {
      if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
    } catch {
      // stdin already closed
    }
    stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  }

  /** Lends the terminal to a command in the foreground (e: the editor): the normal screen, the cursor, line mode. */
  suspend(): void {
    if (!this.active) return;
    const { stdin, stdout } = this.options;
    try {
      if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
    } catch {
      // stdin already closed
    }
    stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  }

  /** Takes the terminal back after `suspend` (Ink sets raw mode again as it mounts). */
  resume(): void {
    if (!this.active) return;
    this.options.stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
  }

  /** Removes the process hooks (after restore, when the console ended normally). */
  dispose(): void {
    for (const [event, handler] of this.handlers.splice(0)) process.off(event as 'exit', handler as () => void);
  }

  private fatal(reason: string, code: number): void {
    this.restore();
    this.dispose();
    this.options.onFatal?.(reason);
    if (code !== 130 && code !== 143 && code !== 129) this.options.stderr.write(`ecp: ${reason}\n`);
    process.exit(code);
  }
}
