import { describe, expect, it } from 'vitest';
import { newestReady } from '../../source/domain/manifest-update.js';
import { newVersion } from '../../source/domain/versions.js';

const at = new Date('2026-12-01T10:00:00.000Z');
const version = (tag: string, taken: Set<string>) => {
  const v = {
    ...newVersion({ serviceName: 'callbot', imageName: 'callbot', imageTag: tag, fullImageName: `localhost:5000/ecp-ai/callbot:${tag}`, gitCommit: 'abc1234', gitBranch: 'main' }, at, taken),
    status: 'ready' as const,
    securityScanResult: 'passed' as const,
  };
  taken.add(v.id);
  return v;
};

describe('the newest ready version', () => {
  it('of two registered in the same millisecond, is the one registered later', () => {
    const taken = new Set<string>();
    const v2 = version('v2', taken);
    const v3 = version('v3', taken);
    expect(v2.createdAt).toBe(v3.createdAt);
    expect(newestReady([v2, v3])?.imageTag).toBe('v3');
    expect(newestReady([v3, v2])?.imageTag).toBe('v2');
  });
});
