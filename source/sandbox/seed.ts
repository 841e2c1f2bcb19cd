/**
 * What the sandbox starts with: the objects of k8s-manifests/<tenant>/*.yaml (namespace =
 * metadata.namespace, else the folder name), and/or N generated Deployments spread as
 * 50 tenants × 20 services, for load tests.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Composer, type Document, Parser, parseAllDocuments } from 'yaml';
import { asString, isObject, type KubeObject } from './json.js';
import { isDns1123Label } from './names.js';
import { findByKind, type ResourceType } from './resources.js';

export interface SeedObject {
  type: ResourceType;
  namespace: string;
  object: KubeObject;
}

/**
 * Objects of the kinds the sandbox serves (kinds it does not serve are skipped). A folder
 * that does not exist seeds nothing (a fresh checkout has no manifests yet).
 */
export function readManifests(dir: string): SeedObject[] {
  const out: SeedObject[] = [];
  if (!existsSync(dir)) return out;
  const tenants = readdirSync(dir)
    .filter((name) => isDns1123Label(name) && statSync(path.join(dir, name)).isDirectory())
    .sort();
  for (const tenant of tenants) {
    const files = readdirSync(path.join(dir, tenant))
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    for (const file of files) {
      const full = path.join(dir, tenant, file);
      for (const value of documentValues(full)) {
        if (!isObject(value) || !isObject(value.metadata)) continue;
        const type = findByKind(String(value.apiVersion), String(value.kind));
        if (!type) continue;
        const namespace = type.namespaced ? (asString(value.metadata.namespace) ?? tenant) : '';
        out.push({ type, namespace, object: value as KubeObject });
      }
    }
  }
  return out;
}

/**
 * A file's document values, read with the `yaml` package as the API server's YAML decoder would,
 * one document at a time: a file of 1 000 Deployments parsed whole held 10 MB of syntax trees.
 */
function documentValues(file: string): unknown[] {
  const source = readFileSync(file, 'utf8');
  const values: unknown[] = [];
  for (const doc of new Composer().compose(new Parser().parse(source))) {
    if (doc.errors.length > 0) {
      // parseAllDocuments words the error with its line and column.
      const pretty = parseAllDocuments(source) as Document[];
      throw new Error(`${file}: ${pretty[values.length]!.errors[0]!.message}`);
    }
    values.push(doc.toJSON() as unknown);
  }
  return values;
}

const SERVICES = [
  'callbot',
  'chatbot',
  'advisor',
  'stt',
  'tts',
  'nlu',
  'dialog',
  'knowledge',
  'search',
  'summarizer',
  'translator',
  'classifier',
  'recommender',
  'analytics',
  'gateway',
  'auth',
  'billing',
  'notifier',
  'scheduler',
  'reporter',
];

/** `count` Deployments: tenant-01…tenant-50 × the 20 services, one replica each. */
export function generatedDeployments(count: number, imagePrefix: string, type: ResourceType): SeedObject[] {
  const tenants = Math.max(1, Math.ceil(count / SERVICES.length));
  const width = Math.max(2, String(tenants).length);
  return Array.from({ length: count }, (_, i) => {
    const tenant = `tenant-${String(Math.floor(i / SERVICES.length) + 1).padStart(width, '0')}`;
    const service = SERVICES[i % SERVICES.length]!;
    const labels = { app: service };
    const object: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: service, namespace: tenant, labels: { ...labels } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { ...labels } },
        template: {
          metadata: { labels: { ...labels } },
          spec: { containers: [{ name: service, image: `${imagePrefix}/${service}:v1.0.0`, ports: [{ containerPort: 8080 }] }] },
        },
      },
    };
    return { type, namespace: tenant, object };
  });
}
