/**
 * Regenerates source/sandbox/proto-schema.ts, the field numbers the sandbox's protobuf decoder
 * reads, from the k8s.io/api and k8s.io/apimachinery generated.proto files of the Kubernetes
 * release the sandbox answers as (v1.32):
 *
 *   npx tsx test/sandbox/tools/generate-proto-schema.ts <dir with the .proto files> > source/sandbox/proto-schema.ts
 *
 * Only the messages reachable from the served kinds are kept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOTS = [
  'Namespace',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Service',
  'Pod',
  'Event',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'ControllerRevision',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SelfSubjectReview',
  'DeleteOptions',
];
const SCALARS: Record<string, string> = { string: 's', int32: 'i', int64: 'i', bool: 'b', double: 'd', bytes: 'y' };

const dir = process.argv[2];
if (!dir) throw new Error('usage: generate-proto-schema.ts <proto dir>');
const messages = new Map<string, string[]>();
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.proto'))
  .sort()) {
  const text = readFileSync(path.join(dir, file), 'utf8');
  for (const m of text.matchAll(/^message (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const fields: string[] = [];
    for (const f of m[2]!.matchAll(/^\s*(optional|repeated|map<(\w+), ([\w.]+)>)\s*([\w.]*)\s+(\w+) = (\d+);/gm)) {
      const typeName = (t: string) => SCALARS[t] ?? t.split('.').pop()!;
      const type = f[2] ? `{${typeName(f[3]!)}` : typeName(f[4]!);
      fields.push(`${f[5]} ${f[6]} ${type}${f[1] === 'repeated' ? '*' : ''}`);
    }
    if (messages.has(m[1]!) && ROOTS.includes(m[1]!)) continue;
    if (!messages.has(m[1]!)) messages.set(m[1]!, fields);
  }
}
const wanted = new Set<string>();
const visit = (name: string) => {
  if (wanted.has(name) || !messages.has(name)) return;
  wanted.add(name);
  for (const field of messages.get(name)!) visit(field.split(' ')[2]!.replace(/[{*]/g, ''));
};
ROOTS.forEach(visit);
const lines = [...wanted].sort().map((name) => `  ${name}: '${messages.get(name)!.join('|')}',`);
process.stdout.write(`/**
 * Field numbers of the Kubernetes v1.32 protobuf messages the sandbox decodes, generated from
 * k8s.io/api and k8s.io/apimachinery generated.proto by test/sandbox/tools/generate-proto-schema.ts
 * (do not edit by hand). Each field is \`jsonName number type\`: s string, i integer, b bool,
 * d double, y bytes, another message's name, \`{T\` a map<string, T>; a trailing * repeats it.
 */
export const MESSAGES: Record<string, string> = {
${lines.join('\n')}
};
`);
