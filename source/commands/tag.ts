/** `ecp tag <tenant>`: commit the tenant's changed manifests and tag the deployment in git. */
import { createCore } from '../core.js';
import { changeLine } from '../domain/deploy-tag.js';
import { tagDeployment } from '../pipeline/deploy-tag.js';
import { println, printJson, type Command } from './command.js';
import { boolFlag, requireInput, stringFlag } from './flags.js';
import { progress } from './manifest-output.js';
import { counted } from '../domain/words.js';

export const tagCommand: Command = {
  name: 'tag',
  usage: [
    '  ecp tag <tenant> [--message M] [--push] [--json]',
    '',
    '  Commits only the files under <manifests>/<tenant>/ (other changes are left alone) with a',
    '  message listing service: old → new, and tags the commit deploy/<tenant>/<YYYYMMDD-HHMMSS>',
    '  (gitTagPattern). --push pushes the branch and the tag to gitRemote (default origin).',
  ].join('\n'),
  mutating: true,
  flags: { message: { type: 'string' }, push: { type: 'boolean' } },
  async run(ctx) {
    const tenant = requireInput(ctx, 0, 'tenant', 'ecp tag <tenant> [--message M] [--push]');
    const result = await tagDeployment(createCore(ctx.config), {
      tenant,
      message: stringFlag(ctx, 'message'),
      push: boolFlag(ctx, 'push'),
      onEvent: progress(ctx),
    });
    if (ctx.flags.json) {
      printJson(ctx, result);
      return 0;
    }
    const out = ctx.io.stdout;
    if (!result.committed) {
      println(out, `Nothing to commit for tenant ${tenant}: ${result.folder}/ has no changes; no tag was created.`);
      return 0;
    }
    println(out, `Committed ${counted(result.files.length, 'file')} as ${result.commit!.slice(0, 7)} and tagged it ${result.tag}.`);
    for (const change of result.changes) println(out, `  ${changeLine(change)}`);
    if (result.changes.length === 0) println(out, '  (no image changes)');
    if (result.pushed) println(out, `Pushed the commit and ${result.tag} to ${result.remote}.`);
    if (result.deploymentsTagged > 0) println(out, `Recorded ${result.tag} on ${counted(result.deploymentsTagged, 'deployment record')}.`);
    return 0;
  },
};
