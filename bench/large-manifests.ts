/**
 * Large manifests benchmark (issue 19, finding 14): `validate` of one tenant holding one object of
 * about 1 MB, in three shapes (one long value, many keys, a long block scalar), cold (no parse
 * cache), in-process; and how fast files beyond the API server's limits (3 MiB per request,
 * 1.5 MiB per object) are refused. Target: validate of a 1 MB object under 1 s.
 *
 *   npx tsx bench/large-manifests.ts        (or: npm run bench large-manifests)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clearManifestCache } from '../source/adapters/manifests.js';
import { loadConfig } from '../source/config.js';
import { createCore } from '../source/core.js';
import { validateManifests } from '../source/pipeline/validate.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const header = (tenant: string, name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${tenant}\ndata:\n`;

const shapes: Record<string, (tenant: string) => string> = {
  'one 1 MB value': (t) => `${header(t, 'blob')}  blob: "${'x'.repeat(1_000_000)}"\n`,
  '10 000 keys of 100 B': (t) => header(t, 'keys') + Array.from({ length: 10_000 }, (_, i) => `  key${i}: "${'v'.repeat(95)}"\n`).join(''),
  '1 MB block scalar': (t) => `${header(t, 'text')}  text: |\n${'    a line of text of some forty bytes\n'.repeat(25_000)}`,
  '5 MB file (refused)': (t) => `${header(t, 'huge')}  blob: "${'x'.repeat(5_000_000)}"\n`,
  '2 MB object (refused)': (t) => `${header(t, 'large')}  blob: "${'x'.repeat(2_000_000)}"\n`,
};

const root = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-large-'));
const manifests = path.join(root, 'k8s-manifests');
const rows: string[] = [];
for (const [index, [label, make]] of Object.entries(shapes).entries()) {
  const tenant = `large-${index}`;
  mkdirSync(path.join(manifests, tenant), { recursive: true });
  const text = make(tenant);
  writeFileSync(path.join(manifests, tenant, 'object.yaml'), text);
  const config = loadConfig({ cwd: root, env: { K8S_MANIFESTS_DIR: manifests, ECP_DATA_DIR: path.join(root, 'data'), KUBECONFIG: path.join(root, 'none') } });
  const core = createCore(config);
  const times: number[] = [];
  let problems = 0;
  for (let run = 0; run < 5; run += 1) {
    clearManifestCache();
    const start = performance.now();
    problems = (await validateManifests(core, { tenant })).problems.filter((p) => p.severity === 'error').length;
    times.push(performance.now() - start);
  }
  rows.push(`${label.padEnd(24)} | ${(text.length / 1e6).toFixed(1)} MB | ${median(times).toFixed(0).padStart(5)} ms | ${problems} error(s)`);
}
rmSync(root, { recursive: true, force: true });

console.log('object                   | size   | validate, cold (median of 5) | errors');
for (const row of rows) console.log(row);
console.log('target: validate of a 1 MB object under 1 s; files over 3 MiB and objects over 1.5 MiB refused up front');
