/**
 * A tmux control-mode client (`tmux -C attach`): commands go in on stdin, and tmux reports what
 * each pane writes as `%output` notifications the moment it reads it from the pane's terminal.
 * Timing a key through it costs no process spawn per sample (as `send-keys` and `capture-pane`
 * polling did: several ms each).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** What a pane wrote, decoded (tmux escapes bytes below 32 and `\` as `\ooo`), and when it arrived. */
export interface PaneOutput {
  pane: string;
  data: string;
  at: number;
}

const decode = (value: string) => value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

export class TmuxControl {
  private readonly child: ChildProcessWithoutNullStreams;
  private rest = '';
  /** The reply block being read, when inside %begin … %end. */
  private block?: string[];
  /** Our commands' replies, in the order they were sent (tmux answers in order). */
  private readonly waiting: Array<{ resolve: (lines: string[]) => void; reject: (error: Error) => void; command: string }> = [];
  private readonly listeners = new Set<(output: PaneOutput) => void>();
  private readonly exited: Promise<void>;

  constructor(socket: string, session: string) {
    this.child = spawn('tmux', ['-L', socket, '-C', 'attach-session', '-t', session]);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.read(chunk, performance.now()));
    this.child.stderr.resume();
    this.exited = new Promise((resolve) => this.child.on('close', () => resolve()));
  }

  /** Runs a tmux command; resolves with its output lines, rejects with its error. */
  command(command: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject, command });
      this.child.stdin.write(`${command}\n`);
    });
  }

  /** Calls `listener` with each pane output until the returned function is called. */
  onOutput(listener: (output: PaneOutput) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await this.exited;
  }

  private read(chunk: string, at: number): void {
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) this.line(line, at);
  }

  private line(line: string, at: number): void {
    if (this.block) {
      // Flags 1: a command of ours (0 is the attach on the command line).
      const end = /^%(end|error) \d+ \d+ (\d+)$/.exec(line);
      if (!end) return void this.block.push(line);
      const lines = this.block;
      this.block = undefined;
      if (end[2] !== '1') return;
      const request = this.waiting.shift();
      if (!request) return;
      if (end[1] === 'end') request.resolve(lines);
      else request.reject(new Error(`tmux ${request.command}: ${lines.join(' ')}`));
      return;
    }
    if (line.startsWith('%begin ')) {
      this.block = [];
      return;
    }
    const output = /^%output (%\d+) (.*)$/.exec(line);
    if (output) {
      const event = { pane: output[1]!, data: decode(output[2]!), at };
      for (const listener of this.listeners) listener(event);
    }
  }
}
