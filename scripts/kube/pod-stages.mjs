#!/usr/bin/env node
// kwok Stages for the pods of the real control plane (scripts/kube-env.sh), printed as one JSON
// List for `kubectl apply -f -`. kwok plays the kubelet: a pod bound to a kwok node becomes Running
// and Ready, unless one of its containers' images matches the fail pattern (argv[2], a Go RE2
// regex as gojq's `test` reads it): then it stays Pending with ErrImagePull, then ImagePullBackOff,
// as a kubelet shows an image that cannot be pulled. The pattern lives in the stage selectors, so
// changing it at run time is one apply; pods already past their first stage keep their state.
const pattern = process.argv[2] || '[^\\s\\S]'; // no pattern: a class that matches nothing
const failing = `[.spec.containers[].image | test(${JSON.stringify(pattern)})] | any`;
const now = '{{ $now := Now }}';
const ips = [
  'hostIP: {{ NodeIPWith .spec.nodeName | Quote }}',
  'podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}',
  'startTime: {{ $now | Quote }}',
];

const condition = (type, status, reason = '') => [`- type: ${type}`, `  status: "${status}"`, `  lastTransitionTime: {{ $now | Quote }}`, reason && `  reason: ${reason}`].filter(Boolean);

const stage = (name, expressions, next, delayMs) => ({
  apiVersion: 'kwok.x-k8s.io/v1alpha1',
  kind: 'Stage',
  metadata: { name },
  spec: {
    resourceRef: { apiGroup: 'v1', kind: 'Pod' },
    selector: { matchExpressions: expressions },
    ...(delayMs ? { delay: { durationMilliseconds: delayMs } } : {}),
    next,
  },
});

const alive = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
const unstarted = { key: '.status.podIP', operator: 'DoesNotExist' };

const ready = [
  now,
  'phase: Running',
  ...ips,
  'conditions:',
  ...condition('Initialized', 'True'),
  ...condition('Ready', 'True'),
  ...condition('ContainersReady', 'True'),
  ...condition('PodScheduled', 'True'),
  'containerStatuses:',
  '{{ range .spec.containers }}',
  '- name: {{ .name | Quote }}',
  '  image: {{ .image | Quote }}',
  '  imageID: {{ printf "docker-pullable://%s" .image | Quote }}',
  '  ready: true',
  '  started: true',
  '  restartCount: 0',
  '  state:',
  '    running:',
  '      startedAt: {{ $now | Quote }}',
  '{{ end }}',
].join('\n');

const waiting = (reason, message) =>
  [
    now,
    'phase: Pending',
    ...ips,
    'conditions:',
    ...condition('Initialized', 'True'),
    ...condition('Ready', 'False', 'ContainersNotReady'),
    ...condition('ContainersReady', 'False', 'ContainersNotReady'),
    ...condition('PodScheduled', 'True'),
    'containerStatuses:',
    '{{ range .spec.containers }}',
    '- name: {{ .name | Quote }}',
    '  image: {{ .image | Quote }}',
    "  imageID: ''",
    '  ready: false',
    '  started: false',
    '  restartCount: 0',
    '  state:',
    '    waiting:',
    `      reason: ${reason}`,
    `      message: {{ printf "${message}" .image | Quote }}`,
    '{{ end }}',
  ].join('\n');

const items = [
  stage('pod-ready', [alive, unstarted, { key: failing, operator: 'In', values: ['false'] }], { statusTemplate: ready }),
  stage('pod-image-pull-failed', [alive, unstarted, { key: failing, operator: 'In', values: ['true'] }], {
    statusTemplate: waiting('ErrImagePull', 'failed to pull and unpack image \\"%s\\": not found'),
  }),
  stage(
    'pod-image-pull-backoff',
    [alive, { key: '[.status.containerStatuses[]?.state.waiting.reason] | any(. == "ErrImagePull")', operator: 'In', values: ['true'] }],
    { statusTemplate: waiting('ImagePullBackOff', 'Back-off pulling image \\"%s\\"') },
    1000,
  ),
  // The kubelet's last word on a deleted pod: drop the finalizers and delete it for good.
  stage('pod-delete', [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }], { finalizers: { empty: true }, delete: true }),
];

process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1)}\n`);
