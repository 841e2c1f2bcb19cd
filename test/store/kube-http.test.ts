/** The team store's requests (adapters/kube-http.ts): credentials read at the first request, not before. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCluster } from '../../source/adapters/kube.js';
import { KubeHttp } from '../../source/adapters/kube-http.js';

const unhandled: unknown[] = [];
const record = (reason: unknown) => void unhandled.push(reason);

describe('the store requests', () => {
  afterEach(() => {
    process.off('unhandledRejection', record);
  });

  it('reads an unreadable CA file at the first request, and names it there', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-kube-http-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const ca = path.join(dir, 'missing-ca.crt');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1', certificate-authority: '${ca}'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`,
    );
    process.on('unhandledRejection', record);
    const http = new KubeHttp(loadCluster({ env: {}, kubeconfig })!);
    // A store opened and never used (a command that did not need it) must not fail the process.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    await expect(http.request('GET', '/api', { timeoutMs: 1_000 })).rejects.toThrow(/missing-ca\.crt/);
  });
});
