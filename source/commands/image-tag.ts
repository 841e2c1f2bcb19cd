import { headFacts } from '../adapters/git.js';
import { serviceRepository } from '../config.js';
import { imageTag, TagPolicyError } from '../domain/image-tag.js';
import { dns1123Problem } from '../domain/names.js';
import { UsageError } from '../errors.js';
import { println, printJson, type Command } from './command.js';
import { stringFlag } from './flags.js';

export const imageTagCommand: Command = {
  name: 'image-tag',
  summary: 'print the image tag a build of HEAD would get',
  usage: '  ecp image-tag [--service S] [--json]',
  flags: { service: { type: 'string' } },
  async run(ctx) {
    const service = stringFlag(ctx, 'service');
    const problem = service ? dns1123Problem('Service', service) : undefined;
    if (problem) throw new UsageError(problem);
    const facts = await headFacts(ctx.config.baseDir);
    let tag: string;
    try {
      tag = imageTag(facts, {
        policy: ctx.config.tagPolicy,
        template: ctx.config.tagTemplate,
        service,
        now: new Date(),
      });
    } catch (error) {
      if (error instanceof TagPolicyError) throw new UsageError(error.message);
      throw error;
    }
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
