/**
 * Recording a security scan of a version (issue 4): a Trivy report read from a file or made by
 * running trivy, counted by severity, judged by the configured gate, and stored (status ready
 * or blocked) with an audit event. What `ecp scan` runs, and what the console could run.
 */
import { readTrivyReport, reportMismatch, runTrivy, type TrivyScan } from '../adapters/trivy.js';
import type { Core } from '../core.js';
import type { ImageVersion } from '../domain/types.js';
import { applyScan, evaluateGate, type GateVerdict } from '../domain/vulnerability-gate.js';
import { UsageError } from '../errors.js';
import { assertMayChange } from './policy.js';

export interface ScanOptions {
  /** A Trivy JSON report (trivy image --format json); without it, trivy is run on the image. */
  report?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ScanResult {
  before: ImageVersion;
  version: ImageVersion;
  verdict: GateVerdict;
  scan: TrivyScan;
}

export async function scanVersion(core: Core, id: string, options: ScanOptions = {}): Promise<ScanResult> {
  const actor = await assertMayChange(core, 'scan');
  const found = await core.store.findVersion(id);
  if (!found) throw new UsageError(`No version has the id "${id}".`);
  if (found.archived) throw new UsageError(`Version ${id} is archived and can no longer change.`);

  let scan: TrivyScan;
  if (options.report !== undefined) {
    scan = await readTrivyReport(options.report);
    const mismatch = reportMismatch(scan, found.version);
    if (mismatch) throw new UsageError(`Version ${id} was not scanned: ${mismatch}.`);
  } else {
    scan = await runTrivy(found.version.fullImageName, options.env ?? process.env);
  }
  const gate = core.config.vulnerabilityGate;
  const verdict = evaluateGate(scan.counts, gate);
  const { before, after } = await core.store.update((data, unit) => {
    const index = data.versions.findIndex((v) => v.id === id);
    if (index < 0) throw new UsageError(`Version ${id} was archived or removed while it was being scanned.`);
    const previous: ImageVersion = data.versions[index]!;
    const updated = applyScan(previous, scan.counts, verdict, new Date());
    data.versions[index] = updated;
    unit.audit({
      actor,
      action: 'version.scan',
      target: id,
      details: {
        source: scan.source,
        result: updated.securityScanResult,
        vulnerabilities: scan.counts,
        total: verdict.total,
        reasons: verdict.reasons,
        ids: scan.ids,
        gate: { failOn: gate.failOn, ...(gate.maxCount !== undefined ? { maxCount: gate.maxCount } : {}) },
        status: { from: previous.status, to: updated.status },
      },
    });
    return { before: previous, after: updated };
  });
  return { before, version: after, verdict, scan };
}
