/** Choosing the team store (issue 16): `store:` in ecp.config.yaml and ECP_STORE. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../source/config.js';
import { createCore } from '../../source/core.js';
import { loadStoreBackend } from '../../source/store/open.js';
import { runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

it('reads store: from the config file, lets ECP_STORE override the backend, and refuses anything else', () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'ecp.config.yaml'), 'store:\n  backend: kubernetes\n  context: team\n');
  expect(loadConfig({ cwd: dir, env: {} }).store).toMatchObject({ backend: 'kubernetes', namespace: 'ecp-system', context: 'team' });
  expect(loadConfig({ cwd: dir, env: { ECP_STORE: 'file' } }).store.backend).toBe('file');
  expect(() => loadConfig({ cwd: dir, env: { ECP_STORE: 'etcd' } })).toThrow('ECP_STORE "etcd" is not a store backend: expected file or kubernetes.');
  writeFileSync(path.join(dir, 'ecp.config.yaml'), 'store:\n  namespace: Not_A_Namespace\n');
  expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/invalid key "store.namespace": expected a namespace name such as ecp-system/);
});

it('says so in one sentence when the team store is chosen but there is no kubeconfig', async () => {
  const dir = tempDir();
  await loadStoreBackend('kubernetes'); // for createCore: the command line loads it from the config
  expect(() => createCore(loadConfig({ cwd: dir, env: { ECP_STORE: 'kubernetes', HOME: dir } }))).toThrow(
    'The store backend is kubernetes (ECP_STORE or store.backend), but no kubeconfig was found (KUBECONFIG or ~/.kube/config).',
  );
  const cli = await runEcp(['versions', 'list', 'callbot'], { cwd: dir, env: { ECP_STORE: 'kubernetes', HOME: dir, KUBECONFIG: '' } });
  expect(cli.code).toBe(2);
  expect(cli.stderr.trim()).toBe('ecp: The store backend is kubernetes (ECP_STORE or store.backend), but no kubeconfig was found (KUBECONFIG or ~/.kube/config).');
});
