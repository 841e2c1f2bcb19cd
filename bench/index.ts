/** `npm run bench [name...]`: runs each benchmark script in bench/ in its own process. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''));
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !all.includes(name));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; there are: ${all.join(', ')}.`);
  process.exit(2);
}
for (const name of chosen.length ? chosen : all) {
  console.log(`\n== bench/${name}.ts`);
  execFileSync(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.ts`)], { stdio: 'inherit' });
}
