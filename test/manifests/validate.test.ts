/** `ecp validate` through the real binary: each kind of problem with its file and line; exit codes. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ecpEnv, manifestWorkspace, seedStore, version } from '../helpers/manifests.js';
import { runEcpInProcess } from '../helpers/run-ecp.js';

type Workspace = ReturnType<typeof manifestWorkspace>;

const ACME_VERSIONS = [
  version('callbot', 'v1.0.0-aaaaaaa'),
  version('chatbot', 'v2.0.0-bbbbbbb'),
  version('advisor', 'v0.9.0-ccccccc'),
  version('summarizer', 'v1.0.0-blocked', { status: 'blocked' }),
];

/** A tenant with one of each problem; the line numbers are those of the offending lines. */
const BROKEN: Record<string, string> = {
  'syntax.yaml': [
    'apiVersion: v1', //            1
    'kind: ConfigMap', //           2
    'metadata:', //                 3
    '  name: settings', //          4
    'data:', //                     5
    '  a: [1, 2', //                6  unterminated flow sequence
    '',
  ].join('\n'),
  'workloads.yaml': [
    'apiVersion: apps/v1', //                              1
    'kind: Deployment', //                                 2
    'metadata:', //                                        3
    '  name: callbot', //                                  4
    'spec:', //                                            5
    '  replicas: "two"', //                                6  schema: must be integer
    '  selector: {matchLabels: {app: callbot}}', //        7
    '  template:', //                                      8
    '    metadata: {labels: {app: callbot}}', //           9
    '    spec:', //                                        10
    '      containers:', //                                11
    '      - name: callbot', //                            12
    '        image: localhost:5000/ecp-ai/callbot:v9.9.9', // 13 tag not registered
    '      - name: Log_Shipper', //                        14 container name not a label
    '        image: fluent/fluent-bit:3.1', //             15
    '---', //                                              16
    'apiVersion: apps/v1', //                              17
    'kind: Deployment', //                                 18
    'metadata:', //                                        19
    '  name: Chat_Bot', //                                 20 name not a DNS-1123 label
    '  namespace: other-tenant', //                        21 not the tenant's namespace
    'spec:', //                                            22
    '  selector: {matchLabels: {app: chat}}', //           23
    '  template:', //                                      24
    '    metadata: {labels: {app: chat}}', //              25
    '    spec:', //                                        26
    '      containers: [{name: chat, image: "redis:7"}]', // 27
    '---', //                                              28
    'apiVersion: apps/v1', //                              29
    'kind: Deployment', //                                 30
    'metadata: {name: advisor}', //                        31
    'spec:', //                                            32
    '  selector: {matchLabels: {app: advisor}}', //        33
    '  template:', //                                      34
    '    metadata: {labels: {app: advisor}}', //           35
    '    spec:', //                                        36
    '      containers:', //                                37
    '      - name: advisor', //                            38
    '        image: docker.io/ecp-ai/advisor:v0.9.0-ccccccc', // 39 not under the configured registry
    '---', //                                              40
    'apiVersion: apps/v1', //                              41
    'kind: StatefulSet', //                                42
    'metadata: {name: summarizer}', //                     43
    'spec:', //                                            44
    '  serviceName: summarizer', //                        45
    '  selector: {matchLabels: {app: summarizer}}', //     46
    '  template:', //                                      47
    '    metadata: {labels: {app: summarizer}}', //        48
    '    spec:', //                                        49
    '      containers:', //                                50
    '      - name: summarizer', //                         51
    '        image: localhost:5000/ecp-ai/summarizer:v1.0.0-blocked', // 52 blocked
    '---', //                                              53
    'apiVersion: cert-manager.io/v1', //                   54
    'kind: Certificate', //                                55 unknown kind: warning only
    'metadata: {name: web-tls}', //                        56
    'spec: {secretName: web-tls}', //                      57
    '',
  ].join('\n'),
};

function writeTenant(ws: Workspace, tenant: string, files: Record<string, string>): void {
  mkdirSync(path.join(ws.manifests, tenant), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(ws.manifests, tenant, name), text);
}

describe('ecp validate', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = manifestWorkspace(['acme']);
    seedStore(ws.data, ACME_VERSIONS);
  });
  const run = (args: string[]) => runEcpInProcess(args, { cwd: ws.root, env: ecpEnv(ws) });

  it('a valid tenant passes with exit 0 (warnings allowed) and says it ran offline', async () => {
    const result = await run(['validate', 'acme']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('acme: 4 files, 8 objects: valid, 1 warning');
    expect(result.stdout).toMatch(/k8s-manifests\/acme\/redis\.yml:\d+:\d+: warning \[image\] Deployment\/redis .*not managed by ecp/);
    expect(result.stdout).toContain('Cluster: offline: no kubeconfig found');
  });

  it('finds each problem, one line each naming file:line, object and field; exit 1', async () => {
    writeTenant(ws, 'broken', BROKEN);
    const result = await run(['validate', 'broken']);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    const expectLine = (pattern: RegExp) =>
      expect(
        lines.some((l) => pattern.test(l)),
        `${pattern}\n${result.stdout}`,
      ).toBe(true);
    const syntax = 'k8s-manifests/broken/syntax.yaml';
    const workloads = 'k8s-manifests/broken/workloads.yaml';
    expectLine(new RegExp(`^${syntax}:[67]:\\d+: error \\[yaml\\] YAML syntax: `));
    expectLine(new RegExp(`^${workloads}:6:3: error \\[schema\\] Deployment/callbot spec\\.replicas: spec\\.replicas must be integer$`));
    expectLine(new RegExp(`^${workloads}:13:9: error \\[image\\] Deployment/callbot spec\\.template\\.spec\\.containers\\[0\\]\\.image: tag v9\\.9\\.9 of callbot is not registered`));
    expectLine(new RegExp(`^${workloads}:14:\\d+: error \\[name\\] Deployment/callbot spec\\.template\\.spec\\.containers\\[1\\]\\.name: container name "Log_Shipper" is not a DNS-1123 label`));
    expectLine(new RegExp(`^${workloads}:20:3: error \\[name\\] Deployment/Chat_Bot metadata\\.name: name "Chat_Bot" is not a DNS-1123 label`));
    expectLine(new RegExp(`^${workloads}:21:3: error \\[namespace\\] Deployment/Chat_Bot metadata\\.namespace: namespace "other-tenant" is not tenant broken's namespace "broken"`));
    expectLine(
      new RegExp(
        `^${workloads}:39:9: error \\[image\\] Deployment/advisor spec\\.template\\.spec\\.containers\\[0\\]\\.image: image docker\\.io/ecp-ai/advisor:v0\\.9\\.0-ccccccc is not under the configured registry/prefix localhost:5000/ecp-ai/`,
      ),
    );
    expectLine(new RegExp(`^${workloads}:52:9: error \\[image\\] StatefulSet/summarizer spec\\.template\\.spec\\.containers\\[0\\]\\.image: tag v1\\.0\\.0-blocked of summarizer is blocked`));
    expectLine(new RegExp(`^${workloads}:55:1: warning \\[schema\\] Certificate/web-tls kind: unknown kind Certificate \\(cert-manager\\.io/v1\\): its schema was not checked$`));
    expect(result.stdout).toMatch(/broken: 2 files, \d+ objects: 8 errors, 2 warnings/);

    const json = await run(['validate', 'broken', '--json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc.valid).toBe(false);
    expect(doc.problems.find((p: { check: string; field?: string }) => p.check === 'schema' && p.field === 'spec.replicas')).toMatchObject({
      severity: 'error',
      path: workloads,
      line: 6,
      object: 'Deployment/callbot',
    });
  });

  it('validates every tenant when none is named, and warns about folders that cannot be tenants', async () => {
    writeTenant(ws, 'Bad_Folder', { 'x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
    const result = await run(['validate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('acme: 4 files');
    expect(result.stdout).toMatch(/warning \[tenant\] folder "Bad_Folder" is not a tenant/);
  });

  it('usage errors exit 2 with one sentence', async () => {
    for (const [args, message] of [
      [['validate', '../etc'], /Tenant id "\.\.\/etc" is not a valid DNS-1123 label/],
      [['validate', 'initech'], /Tenant "initech" does not exist/],
      [['validate', 'acme', '--context', 'prod'], /--context prod was given, but no kubeconfig was found/],
    ] as const) {
      const result = await run([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
