import { describe, expect, it } from 'vitest';
import { allCommands, commandModules } from '../../source/commands/index.js';

describe('command table', () => {
  it('names exactly the commands each module holds, once each', async () => {
    const listed = commandModules.flatMap((m) => m.names);
    expect(new Set(listed).size).toBe(listed.length);
    for (const module of commandModules) {
      const loaded = await module.load();
      expect((Array.isArray(loaded) ? loaded : [loaded]).map((c) => c.name).sort()).toEqual([...module.names].sort());
    }
    expect((await allCommands()).every((c) => c.summary && c.usage)).toBe(true);
  });
});
