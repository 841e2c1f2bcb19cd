/**
 * `ecp scan <version-id> [--report FILE]` — record a security scan of a version (issue 4):
 * counts by severity, passed or failed by the configured gate, status ready or blocked.
 * Exit 0 when the gate passes, 1 when it fails (the version is blocked), 2 for usage errors.
 */
import { readTrivyReport, reportMismatch, runTrivy, type TrivyScan } from '../adapters/trivy.js';
import { createCore } from '../core.js';
import { applyScan, evaluateGate, formatCounts, type GateVerdict } from '../domain/vulnerability-gate.js';
import type { ImageVersion } from '../domain/types.js';
import { UsageError } from '../errors.js';
import { println, printJson, type Command } from './command.js';
import { requireInput, stringFlag } from './flags.js';

const USAGE = '  ecp scan <version-id> [--report FILE] [--json]';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'record a Trivy scan of a version: passed/failed by the gate, ready/blocked',
  usage: `${USAGE}\n\n  --report FILE imports a Trivy JSON report (trivy image --format json); without it, trivy\n  is run on the version's image when it is on PATH. Exit 1 when the gate fails (blocked).`,
  flags: { report: { type: 'string' } },
  mutating: true,
  async run(ctx) {
    const id = requireInput(ctx, 0, 'version id', USAGE.trim());
    const report = stringFlag(ctx, 'report');
    const core = createCore(ctx.config);

    const found = await core.store.findVersion(id);
    if (!found) throw new UsageError(`No version has the id "${id}".`);
    if (found.archived) throw new UsageError(`Version ${id} is archived and can no longer change.`);

    let scan: TrivyScan;
    if (report !== undefined) {
      scan = await readTrivyReport(report);
      const mismatch = reportMismatch(scan, found.version);
      if (mismatch) throw new UsageError(`Version ${id} was not scanned: ${mismatch}.`);
    } else {
      scan = await runTrivy(found.version.fullImageName, ctx.env);
    }
    const gate = ctx.config.vulnerabilityGate;
    const verdict: GateVerdict = evaluateGate(scan.counts, gate);
    const actor = await core.actor();
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

    if (ctx.flags.json) {
      printJson(ctx, { version: after, passed: verdict.passed, reasons: verdict.reasons, source: scan.source });
    } else {
      const summary = `${formatCounts(scan.counts)}${verdict.total ? ` (${verdict.total} in all)` : ''}`;
      println(
        ctx.io.stdout,
        `${id}: scan ${after.securityScanResult}, ${summary}; status ${after.status}${after.status !== before.status ? ` (was ${before.status})` : ''}`,
      );
      for (const reason of verdict.reasons) println(ctx.io.stdout, `  blocked by the gate: ${reason}`);
    }
    return verdict.passed ? 0 : 1;
  },
};
