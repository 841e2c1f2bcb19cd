import { describe, expect, it } from 'vitest';
import { parseArgv, type FlagSpecs } from '../../source/commands/argv.js';

const specs: FlagSpecs = {
  dataDir: { type: 'string' },
  json: { type: 'boolean', default: false },
  build: { type: 'boolean', default: true },
  limit: { type: 'number' },
  service: { type: 'string', isMultiple: true },
  help: { type: 'boolean', shortFlag: 'h' },
};

describe('command-line parsing', () => {
  it('reads kebab-case flags into camelCase keys, with positional words in order and defaults filled in', () => {
    expect(parseArgv(['acme', '--data-dir', '/d', 'callbot', '--limit=3', '-h'], specs)).toEqual({
      input: ['acme', 'callbot'],
      flags: { dataDir: '/d', limit: 3, help: true, json: false, build: true },
    });
  });

  it('negates booleans with --no-, reads =true/=false, and collects multiple flags', () => {
    const { flags } = parseArgv(['--no-build', '--json=false', '--service', 'a', '--service=b'], specs);
    expect(flags).toMatchObject({ build: false, json: false, service: ['a', 'b'] });
  });

  it("takes '-' and negative numbers as values, and every word after -- as input", () => {
    expect(parseArgv(['--data-dir', '-', '--limit', '-3', '--', '--json', 'x'], specs)).toEqual({
      input: ['--json', 'x'],
      flags: { dataDir: '-', limit: -3, json: false, build: true },
    });
  });

  it('gives a value flag with nothing after it as empty (its reader refuses it), and a number that is not one as its text', () => {
    expect(parseArgv(['--data-dir', '--json', '--limit', 'x'], specs).flags).toMatchObject({ dataDir: '', json: true, limit: 'x' });
    expect(parseArgv(['--data-dir'], specs).flags).toMatchObject({ dataDir: '' });
  });

  it('refuses unknown flags all at once, a value flag given twice, and a value on a boolean', () => {
    expect(() => parseArgv(['--bogus', '-x', '--no-limit'], specs)).toThrow('Unknown flags --bogus, -x, --no-limit;');
    expect(() => parseArgv(['--data-dir', 'a', '--data-dir', 'b'], specs)).toThrow('The flag --data-dir can only be set once.');
    expect(() => parseArgv(['--json=yes'], specs)).toThrow('The flag --json takes no value (or true/false), not "yes".');
    expect(parseArgv(['--json', '--json'], specs).flags.json).toBe(true);
  });
});
