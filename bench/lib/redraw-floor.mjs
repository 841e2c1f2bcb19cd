/**
 * The floor for key → frame through a terminal (bench/console.ts): a raw-mode Node program that
 * redraws a whole screen on each key, and does nothing else. `node redraw-floor.mjs SCREEN` draws
 * the file SCREEN (a screen as `tmux capture-pane -p -e` prints it, with its colours), with
 * "1/1000" replaced by the key's count, as the console's services pane counts its selection.
 * Each frame is one write between the synchronized-output marks, as Ink writes its frames.
 */
import { readFileSync } from 'node:fs';

const screen = readFileSync(process.argv[2], 'utf8').replace(/\n+$/, '').split('\n');
let position = 1;
const draw = () => {
  // The count takes the place of border characters before it, so the line keeps its width.
  const count = (border) => `${'═'.repeat(Math.max(0, border.length - String(position).length + 1))} ${position}/1000 `;
  const lines = screen.map((line) => `\x1b[2K${line.replace(/(═*) 1\/1000 /, (_, border) => count(border))}`);
  process.stdout.write(`\x1b[?2026h\x1b[H${lines.join('\r\n')}\x1b[0m\x1b[?2026l`);
};
process.stdin.setRawMode(true);
process.stdin.on('data', (data) => {
  if (data.includes('q')) process.exit(0);
  position += 1;
  draw();
});
draw();
