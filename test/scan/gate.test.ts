/** The vulnerability gate and the Trivy report reader, on the sample reports in fixtures/. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTrivyReport, reportMismatch } from '../../source/adapters/trivy.js';
import { applyScan, evaluateGate } from '../../source/domain/vulnerability-gate.js';
import type { ImageVersion } from '../../source/domain/types.js';
import { UsageError } from '../../source/errors.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const report = (name: string) => parseTrivyReport(readFileSync(path.join(fixtures, `trivy-${name}.json`), 'utf8'), name);

describe('Trivy reports', () => {
  it('counts Results[].Vulnerabilities[].Severity; no Results or no Vulnerabilities key means none', () => {
    expect(report('clean')).toMatchObject({ counts: {}, total: 0 });
    expect(report('no-vulnerabilities-key')).toMatchObject({ counts: {}, total: 0 });
    expect(report('medium-low')).toMatchObject({ counts: { MEDIUM: 2, LOW: 1 }, total: 3 });
    // The same CVE in two packages is two findings, as Trivy's own table counts them.
    expect(report('high')).toMatchObject({ counts: { HIGH: 2, MEDIUM: 1 }, total: 3, ids: { HIGH: ['CVE-2023-5363'] } });
    expect(report('critical')).toMatchObject({ counts: { CRITICAL: 2, LOW: 1 }, total: 3 });
  });

  it('refuses text that is not a Trivy JSON report, naming the source', () => {
    expect(() => parseTrivyReport('{"SchemaVersion": 2, "Results": {}}', 'r.json')).toThrow(
      new UsageError('r.json is not a Trivy JSON report (Results is not a list); expected the output of `trivy image --format json`.'),
    );
    expect(() => parseTrivyReport('[]', 'r.json')).toThrow(/r\.json is not a Trivy JSON report \(not a JSON object\)/);
    expect(() => parseTrivyReport('{"Results": []}', 'r.json')).toThrow(/no SchemaVersion/);
    expect(() => parseTrivyReport('{"SchemaVersion": 2,', 'r.json')).toThrow(/Trivy report r\.json is not valid JSON/);
  });

  it('tells a report of another image apart', () => {
    const version = {
      fullImageName: 'localhost:5000/ecp-ai/callbot:stable-1a2b3c4',
      imageTag: 'stable-1a2b3c4',
      digest: 'sha256:0b3f2c8a5e1d9f7c6b4a3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b',
    };
    expect(reportMismatch(report('high'), version)).toBeUndefined();
    expect(reportMismatch(report('high'), { ...version, imageTag: 'stable-9999999', fullImageName: 'localhost:5000/ecp-ai/callbot:stable-9999999' })).toBe(
      'the report high is of localhost:5000/ecp-ai/callbot:stable-1a2b3c4, not of localhost:5000/ecp-ai/callbot:stable-9999999',
    );
    expect(reportMismatch(report('clean'), version)).toMatch(/is of localhost:5000\/ecp-ai\/chatbot/);
  });
});

describe('vulnerability gate', () => {
  it('by default fails on any CRITICAL or HIGH, and passes MEDIUM and LOW', () => {
    expect(evaluateGate(report('clean').counts)).toEqual({ passed: true, total: 0, reasons: [] });
    expect(evaluateGate(report('medium-low').counts)).toEqual({ passed: true, total: 3, reasons: [] });
    expect(evaluateGate(report('high').counts)).toEqual({ passed: false, total: 3, reasons: ['2 HIGH (the gate fails on any HIGH)'] });
    expect(evaluateGate(report('critical').counts).passed).toBe(false);
  });

  it('follows failOn and maxCount from the config', () => {
    expect(evaluateGate({ HIGH: 2, MEDIUM: 1 }, { failOn: ['CRITICAL'] }).passed).toBe(true);
    expect(evaluateGate({ MEDIUM: 1 }, { failOn: ['CRITICAL', 'HIGH', 'MEDIUM'] }).passed).toBe(false);
    expect(evaluateGate({ MEDIUM: 2, LOW: 1 }, { failOn: ['CRITICAL'], maxCount: 3 }).passed).toBe(true);
    expect(evaluateGate({ MEDIUM: 2, LOW: 2 }, { failOn: ['CRITICAL'], maxCount: 3 })).toEqual({
      passed: false,
      total: 4,
      reasons: ['4 vulnerabilities in all (the gate allows at most 3)'],
    });
  });

  it('moves a pushed version to ready or blocked, and leaves a deployed one deployed', () => {
    const pushed = { status: 'pushed', securityScanResult: 'pending', vulnerabilities: {}, vulnerabilitiesCount: 0 } as ImageVersion;
    const now = new Date('2026-01-02T03:04:05Z');
    expect(applyScan(pushed, { HIGH: 1 }, evaluateGate({ HIGH: 1 }), now)).toMatchObject({
      status: 'blocked',
      securityScanResult: 'failed',
      vulnerabilities: { HIGH: 1 },
      vulnerabilitiesCount: 1,
      updatedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(applyScan(pushed, {}, evaluateGate({}), now)).toMatchObject({ status: 'ready', securityScanResult: 'passed' });
    expect(applyScan({ ...pushed, status: 'deployed' }, { CRITICAL: 1 }, evaluateGate({ CRITICAL: 1 }), now)).toMatchObject({
      status: 'deployed',
      securityScanResult: 'failed',
    });
    expect(pushed.status).toBe('pushed');
  });
});
