import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { branchSlug, compactTimestamp, imageTag, sanitizeTag, TagPolicyError } from '../../source/domain/image-tag.js';
import { runEcp } from '../helpers/run-ecp.js';
import { git, gitRepo } from '../helpers/temp.js';

const commit = '0123456789abcdef0123456789abcdef01234567';
const now = new Date('2026-11-26T04:05:06Z');

describe('tag policy (pure)', () => {
  it('follows the branch policy', () => {
    expect(imageTag({ branch: 'main', commit, dirty: false }, { policy: 'branch', now })).toBe('stable-0123456');
    expect(imageTag({ branch: 'develop', commit, dirty: false }, { policy: 'branch', now })).toBe('beta-20261126-040506-0123456');
    expect(imageTag({ branch: 'feature/Foo_Bar', commit, dirty: false }, { policy: 'branch', now })).toBe('dev-feature-foo-bar-0123456');
    expect(imageTag({ commit, dirty: false }, { policy: 'branch', now })).toBe('dev-detached-0123456');
    expect(imageTag({ branch: 'main', commit, dirty: true }, { policy: 'branch', now })).toBe('stable-0123456-dirty');
  });

  it('follows the semver and template policies', () => {
    expect(imageTag({ branch: 'main', commit, dirty: false, nearestVersionTag: 'v1.2.3' }, { policy: 'semver', now })).toBe('v1.2.3-0123456');
    expect(imageTag({ branch: 'x', commit, dirty: false, packageVersion: '2.0.0' }, { policy: 'semver', now })).toBe('v2.0.0-0123456');
    expect(() => imageTag({ branch: 'x', commit, dirty: false }, { policy: 'semver', now })).toThrow(TagPolicyError);
    expect(imageTag({ branch: 'release/2.0', commit, dirty: false }, { policy: 'template', template: '{service}-{branch}-{sha}-{timestamp}', service: 'callbot', now })).toBe(
      'callbot-release-2-0-0123456-20261126-040506',
    );
    expect(() => imageTag({ branch: 'x', commit, dirty: false }, { policy: 'template', template: '{nope}', now })).toThrow(/unknown placeholder \{nope\}/);
  });

  it('makes tags valid Docker tags or refuses them', () => {
    expect(sanitizeTag('.v1/2+3')).toBe('v1-2-3');
    expect(sanitizeTag('a'.repeat(200))).toHaveLength(128);
    expect(() => sanitizeTag('...')).toThrow(/cannot be made into a valid Docker tag/);
    expect(branchSlug('Feature//ÄB__c')).toBe('feature-b-c');
    expect(compactTimestamp(now)).toBe('20261126-040506');
  });
});

describe('ecp image-tag on real git repositories', () => {
  it('gives stable-<sha7> on main and names the service image', async () => {
    const repo = gitRepo('main');
    const sha = git(repo, 'rev-parse', 'HEAD').slice(0, 7);
    expect((await runEcp(['image-tag'], { cwd: repo })).stdout.trim()).toBe(`stable-${sha}`);
    const json = await runEcp(['image-tag', '--service', 'callbot', '--json'], { cwd: repo });
    expect(JSON.parse(json.stdout)).toMatchObject({ tag: `stable-${sha}`, image: `localhost:5000/ecp-ai/callbot:stable-${sha}`, branch: 'main', dirty: false });
  });

  it('gives beta-<timestamp>-<sha7> on develop', async () => {
    const repo = gitRepo('develop');
    const sha = git(repo, 'rev-parse', 'HEAD').slice(0, 7);
    expect((await runEcp(['image-tag'], { cwd: repo })).stdout.trim()).toMatch(new RegExp(`^beta-\\d{8}-\\d{6}-${sha}$`));
  });

  it('writes beta- timestamps in UTC whatever the time zone (TZ=Asia/Kolkata)', async () => {
    const repo = gitRepo('develop');
    const before = Math.floor(Date.now() / 1000) * 1000;
    const tag = (await runEcp(['image-tag'], { cwd: repo, env: { TZ: 'Asia/Kolkata' } })).stdout.trim();
    const after = Date.now();
    const [, d, t] = /^beta-(\d{8})-(\d{6})-/.exec(tag)!;
    const at = Date.parse(`${d!.slice(0, 4)}-${d!.slice(4, 6)}-${d!.slice(6)}T${t!.slice(0, 2)}:${t!.slice(2, 4)}:${t!.slice(4)}Z`);
    // Read as UTC the tag names the moment it was made; local Kolkata time would be 5½ hours off.
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
  });

  it('slugs feature branches, names detached HEADs and marks dirty trees', async () => {
    const repo = gitRepo('feature/Foo_Bar');
    const sha = git(repo, 'rev-parse', 'HEAD').slice(0, 7);
    expect((await runEcp(['image-tag'], { cwd: repo })).stdout.trim()).toBe(`dev-feature-foo-bar-${sha}`);
    writeFileSync(path.join(repo, 'untracked.txt'), 'x');
    expect((await runEcp(['image-tag'], { cwd: repo })).stdout.trim()).toBe(`dev-feature-foo-bar-${sha}-dirty`);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'second');
    git(repo, 'checkout', '-q', '--detach', 'HEAD~1');
    expect((await runEcp(['image-tag'], { cwd: repo })).stdout.trim()).toBe(`dev-detached-${sha}`);
  });

  it('uses the semver policy from config and the nearest v* tag', async () => {
    const repo = gitRepo('main');
    writeFileSync(path.join(repo, 'ecp.config.yaml'), 'tagPolicy: semver\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'config');
    git(repo, 'tag', 'v1.4.0');
    const sha = git(repo, 'rev-parse', 'HEAD').slice(0, 7);
    expect((await runEcp(['image-tag'], { cwd: repo })).stdout.trim()).toBe(`v1.4.0-${sha}`);
  });

  it('refuses a folder that is not a git repository', async () => {
    const result = await runEcp(['image-tag'], { cwd: '/' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not a git work tree/);
  });
});
