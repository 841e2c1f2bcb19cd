import { serviceRepository } from '../config.js';
import { dns1123Problem } from '../domain/names.js';
import { UsageError } from '../errors.js';
import { previewBuildTag } from '../pipeline/build-targets.js';
import { println, printJson, type Command } from './command.js';
import { stringFlag } from './flags.js';

export const imageTagCommand: Command = {
  name: 'image-tag',
  usage: '  ecp image-tag [--service S] [--json]',
  flags: { service: { type: 'string' } },
  async run(ctx) {
    const service = stringFlag(ctx, 'service');
    const problem = service ? dns1123Problem('Service', service) : undefined;
    if (problem) throw new UsageError(problem);
    const { tag, facts } = await previewBuildTag(ctx.config, service);
    if (ctx.flags.json) {
      printJson(ctx, {
        tag,
        policy: ctx.config.tagPolicy,
        branch: facts.branch ?? null,
        commit: facts.commit,
        dirty: facts.dirty,
        image: service ? `${serviceRepository(ctx.config, service)}:${tag}` : null,
      });
    } else {
      println(ctx.io.stdout, service ? `${serviceRepository(ctx.config, service)}:${tag}` : tag);
    }
    return 0;
  },
};
