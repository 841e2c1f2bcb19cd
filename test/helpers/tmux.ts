/**
 * The real binary in a real terminal: tmux on a private socket, the screen read with
 * capture-pane. `hasTmux` says whether tmux is installed (tests skip loudly without it).
 */
import { execFileSync } from 'node:child_process';

export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface Tmux {
  (...args: string[]): string;
  capture(target: string): string;
  paneFlag(target: string, flag: string): string;
  /** Polls the screen until `check` holds; fails with the last screen. */
  waitFor(target: string, check: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  /** One key per call: the test waits for its effect on the screen before the next. */
  key(target: string, name: string): string;
  /** Starts session `name` at 80×24 running `command`; the function returned ends it (if it still runs). */
  session(name: string, command: string): () => void;
}

/** A tmux of the test file's own (socket named after `name` and the process). */
export function tmuxOn(name: string): Tmux {
  const socket = `${name}-${process.pid}`;
  const tmux = ((...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })) as Tmux;
  tmux.capture = (target) => tmux('capture-pane', '-p', '-t', target);
  tmux.paneFlag = (target, flag) => tmux('display-message', '-p', '-t', target, `#{${flag}}`).trim();
  tmux.waitFor = async (target, check, timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const screen = tmux.capture(target);
      if (check(screen)) return screen;
      if (Date.now() > until) throw new Error(`Timed out; the screen was:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  tmux.key = (target, name) => tmux('send-keys', '-t', target, name);
  tmux.session = (name, command) => {
    tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', command);
    return () => {
      try {
        tmux('kill-session', '-t', name);
      } catch {
        // already gone
      }
    };
  };
  return tmux;
}
