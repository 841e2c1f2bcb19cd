/**
 * `e` (issue 15, k9s habits): the selected service's manifest file in the operator's editor
 * ($VISUAL, else $EDITOR, else vi; at the object's line for editors that take +LINE), the console
 * reading it again once the editor exits. The editor here is a real process (sed) editing the
 * real file; read-only mode refuses with a sentence, and so does a running step.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestEditCommand, type EditorCommand } from '../../source/pipeline/edit-manifest.js';
import { writeTenant } from './fixtures.js';
import { deployment, FixedLive, renderConsole, snapshot, workspace, type RenderedConsole } from './helpers.js';

const IMG = 'localhost:5000/ecp-ai';
let open: RenderedConsole | undefined;
afterEach(() => {
  open?.unmount();
  open = undefined;
});

function shop(options: { readOnly?: boolean } = {}) {
  const ws = workspace({ copySamples: false, readOnly: options.readOnly });
  writeTenant(ws.manifestsDir, 'shop', [
    { name: 'chatbot', tag: 'v5' },
    { name: 'callbot', tag: 'v2' },
  ]);
  const live = new FixedLive(snapshot([deployment('shop', 'chatbot', `${IMG}/chatbot:v5`, 1), deployment('shop', 'callbot', `${IMG}/callbot:v2`, 1)]));
  return { ws, live };
}

/** Runs the editor as the console's terminal would, but without a terminal to lend (its output discarded). */
function runner(ran: EditorCommand[]) {
  return async (command: EditorCommand) => {
    ran.push(command);
    const result = spawnSync(command.command, command.args, { stdio: 'ignore' });
    return result.error?.message;
  };
}

describe('the editor command', () => {
  it('opens the file at the line for editors that take +LINE, and only the file for others', () => {
    const { ws } = shop();
    const file = path.join(ws.manifestsDir, 'shop', 'services.yaml');
    expect(manifestEditCommand(ws.core, { EDITOR: 'vim' }, 'shop/services.yaml', 21)).toEqual({ command: 'vim', args: ['+21', file], file, editor: 'vim' });
    expect(manifestEditCommand(ws.core, { VISUAL: 'code --wait', EDITOR: 'vim' }, 'shop/services.yaml', 21)).toEqual({ command: 'code', args: ['--wait', file], file, editor: 'code' });
    expect(manifestEditCommand(ws.core, {}, 'shop/services.yaml', 3).args).toEqual(['+3', file]);
  });
});

describe('e in the console', () => {
  it("runs the editor on the selected service's file and reads it again after", async () => {
    const { ws, live } = shop();
    const ran: EditorCommand[] = [];
    open = await renderConsole(ws.core, { live, env: { EDITOR: 'sed -i s/callbot:v2/callbot:v3/' }, runInTerminal: runner(ran) });
    await open.waitFor(/callbot\s+v2\s+v2\s+Synced/);
    await open.press('j', 'e');
    const frame = await open.waitFor((f) => /callbot\s+v3\s+v2\s+OutOfSync/.test(f));
    expect(frame).toContain('sed closed: shop/services.yaml read again');
    expect(ran).toHaveLength(1);
    expect(ran[0]!.args.at(-1)).toBe(path.join(ws.manifestsDir, 'shop', 'services.yaml'));
  });

  it('says when the editor cannot be started', async () => {
    const { ws, live } = shop();
    open = await renderConsole(ws.core, { live, env: { EDITOR: 'no-such-editor-ecp' }, runInTerminal: runner([]) });
    await open.waitFor(/callbot\s+v2\s+v2\s+Synced/);
    await open.press('e');
    await open.waitFor('no-such-editor-ecp could not be started for shop/services.yaml: spawnSync no-such-editor-ecp ENOENT');
  });

  it('refuses in read-only mode, and while a step runs, with a sentence', async () => {
    const readOnly = shop({ readOnly: true });
    const ran: EditorCommand[] = [];
    open = await renderConsole(readOnly.ws.core, { live: readOnly.live, env: { EDITOR: 'true' }, runInTerminal: runner(ran) });
    await open.waitFor(/callbot\s+v2\s+v2\s+Synced/);
    await open.press('e');
    await open.waitFor('e (edit) changes things: off in read-only mode.');
    open.unmount();

    const { ws, live } = shop();
    open = await renderConsole(ws.core, { live, env: { EDITOR: 'true' }, runInTerminal: runner(ran) });
    await open.waitFor(/callbot\s+v2\s+v2\s+Synced/);
    let finish: () => void = () => undefined;
    open.handle.jobs.run({ action: 'validate', title: 'a long step', tenantId: 'shop', work: () => new Promise((resolve) => (finish = () => resolve({ ok: true, summary: 'done' }))) });
    await open.press('e');
    await open.waitFor('"a long step" is still running, and the console stops while an editor runs');
    finish();
    expect(ran).toEqual([]);
  });
});
