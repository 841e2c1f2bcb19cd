/**
 * A kubeconfig for the sandbox. `insecure-skip-tls-verify: true` is what lets client-node talk
 * to an http:// server (KUBE-API-NOTES §8); kubectl accepts it too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

const CONTEXT = 'ecp-sandbox';

function kubeconfigText(url: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT } }],
    'current-context': CONTEXT,
    users: [{ name: CONTEXT, user: {} }],
    preferences: {},
  });
}

export async function writeKubeconfig(file: string, url: string): Promise<string> {
  const full = path.resolve(file);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, kubeconfigText(url), { mode: 0o600 });
  return full;
}
