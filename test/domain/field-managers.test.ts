/** Field ownership (managedFields): where two objects differ, as fieldsV1 paths, and who owns each. */
import { describe, expect, it } from 'vitest';
import { fieldDifferences, managersOf } from '../../source/domain/field-managers.js';

const live = {
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: 'callbot', image: 'r/callbot:v2', args: ['a'] },
          { name: 'sidecar', image: 'r/side:v1' },
        ],
      },
    },
  },
};
const wanted = {
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          { name: 'callbot', image: 'r/callbot:v1', args: ['a'] },
          { name: 'sidecar', image: 'r/side:v1' },
        ],
      },
    },
  },
};
const managed = [
  { manager: 'ecp', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"sidecar"}': { 'f:image': {} } } } } } } },
  { manager: 'kubectl-set', operation: 'Update', fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"callbot"}': { 'f:image': {} } } } } } } },
];

describe('field differences and their managers', () => {
  it('finds the changed fields item by item in named lists, and who owns each', () => {
    const diffs = fieldDifferences(live, wanted);
    expect(diffs.map((d) => [d.path, d.live, d.wanted])).toEqual([
      ['spec.replicas', 2, 3],
      ['spec.template.spec.containers[callbot].image', 'r/callbot:v2', 'r/callbot:v1'],
    ]);
    expect(managersOf(managed, diffs[0]!.keys)).toEqual(['ecp (Apply)']);
    expect(managersOf(managed, diffs[1]!.keys)).toEqual(['kubectl-set (Update)']);
    expect(managersOf(undefined, diffs[1]!.keys)).toEqual([]);
  });

  it('compares lists without names whole, and sees nothing where the objects agree', () => {
    expect(fieldDifferences({ a: [1, 2] }, { a: [1, 3] }).map((d) => d.path)).toEqual(['a']);
    expect(fieldDifferences(live, structuredClone(live))).toEqual([]);
  });
});
