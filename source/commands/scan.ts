/**
 * `ecp scan <version-id> [--report FILE]` — record a security scan of a version (issue 4):
 * counts by severity, passed or failed by the configured gate, status ready or blocked.
 * Exit 0 when the gate passes, 1 when it fails (the version is blocked), 2 for usage errors.
 */
import { createCore } from '../core.js';
import { formatCounts } from '../domain/vulnerability-gate.js';
import { scanVersion } from '../pipeline/scan.js';
import { println, printJson, type Command } from './command.js';
import { requireInput, stringFlag } from './flags.js';

const USAGE = '  ecp scan <version-id> [--report FILE] [--json]';

export const scanCommand: Command = {
  name: 'scan',
  usage: `${USAGE}\n\n  --report FILE imports a Trivy JSON report (trivy image --format json); without it, trivy\n  is run on the version's image when it is on PATH. Exit 1 when the gate fails (blocked).`,
  flags: { report: { type: 'string' } },
  mutating: true,
  async run(ctx) {
    const id = requireInput(ctx, 0, 'version id', USAGE.trim());
    const { before, version: after, verdict, scan } = await scanVersion(createCore(ctx.config), id, { report: stringFlag(ctx, 'report'), env: ctx.env });
    if (ctx.flags.json) {
      printJson(ctx, { version: after, passed: verdict.passed, reasons: verdict.reasons, source: scan.source });
    } else {
      const summary = `${formatCounts(scan.counts)}${verdict.total ? ` (${verdict.total} in all)` : ''}`;
      println(ctx.io.stdout, `${id}: scan ${after.securityScanResult}, ${summary}; status ${after.status}${after.status !== before.status ? ` (was ${before.status})` : ''}`);
      for (const reason of verdict.reasons) println(ctx.io.stdout, `  blocked by the gate: ${reason}`);
    }
    return verdict.passed ? 0 : 1;
  },
};
