import { describe, expect, it } from 'vitest';
import { commandModules } from '../../source/commands/index.js';

describe('command table', () => {
  it('names exactly the commands each module holds, once each, each with a summary and usage', async () => {
    const listed = commandModules.flatMap((m) => m.commands.map(([name]) => name));
    expect(new Set(listed).size).toBe(listed.length);
    for (const module of commandModules) {
      const loaded = await module.load();
      const commands = Array.isArray(loaded) ? loaded : [loaded];
      expect(commands.map((c) => c.name).sort()).toEqual(module.commands.map(([name]) => name).sort());
      expect(commands.every((c) => c.usage)).toBe(true);
      expect(module.commands.every(([, summary]) => summary)).toBe(true);
    }
  });
});
