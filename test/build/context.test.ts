/**
 * What the engine is sent and with which credentials: the build context tar honours
 * .dockerignore, and push credentials come from the environment or the Docker config file.
 * No engine needed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { buildContext, firstError, registryAuth } from '../../source/adapters/docker.js';
import { tempDir } from '../helpers/temp.js';

function files(root: string, tree: Record<string, string>): void {
  for (const [name, text] of Object.entries(tree)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
}

/** Names and contents of the regular files in the context tar. */
async function tarFiles(stream: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = extract();
  ex.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    body.on('end', () => {
      if (header.type === 'file') out[header.name] = Buffer.concat(chunks).toString('utf8');
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  stream.pipe(ex);
  await done;
  return out;
}

describe('build context', () => {
  it('leaves out what .dockerignore names, keeps its exceptions, and always sends the Dockerfile', async () => {
    const dir = tempDir();
    files(dir, {
      Dockerfile: 'FROM scratch\nCOPY . /\n',
      '.dockerignore': '# not for the image\nDockerfile\n*.md\nsecrets/\ndrafts/*\n!drafts/keep.json\n**/*.swp\n',
      'README.md': 'docs',
      'app/main.txt': 'main',
      'app/.main.txt.swp': 'swap',
      'app/notes.md': 'notes',
      'secrets/token': 'do-not-send',
      'drafts/wip.json': '{}',
      'drafts/keep.json': '{"keep":true}',
    });
    const { stream, dockerfile } = await buildContext(dir, 'Dockerfile');
    const sent = await tarFiles(stream);
    expect(dockerfile).toBe('Dockerfile');
    // As in Docker, `*.md` matches at the root only; `**/*.swp` at any depth.
    expect(Object.keys(sent).sort()).toEqual(['.dockerignore', 'Dockerfile', 'app/main.txt', 'app/notes.md', 'drafts/keep.json']);
    expect(sent['drafts/keep.json']).toBe('{"keep":true}');
  });

  it('sends everything without a .dockerignore, and adds a Dockerfile kept outside the context', async () => {
    const root = tempDir();
    files(root, { 'ctx/a.txt': 'a', 'ctx/sub/b.txt': 'b', 'docker/Dockerfile.prod': 'FROM scratch\nCOPY a.txt /\n' });
    const { stream, dockerfile } = await buildContext(path.join(root, 'ctx'), '../docker/Dockerfile.prod');
    const sent = await tarFiles(stream);
    expect(dockerfile).not.toContain('..');
    expect(sent).toEqual({ 'a.txt': 'a', 'sub/b.txt': 'b', [dockerfile]: 'FROM scratch\nCOPY a.txt /\n' });
  });
});

describe('engine progress', () => {
  it('finds a failure in the event stream, which followProgress does not reject on', () => {
    expect(firstError([{ stream: 'Step 1/2 : FROM scratch\n' }, { stream: ' ---> \n' }])).toBeUndefined();
    expect(firstError([{ stream: 'Step 2/2 : RUN exit 3\n' }, { errorDetail: { code: 3, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" }, error: 'ignored' }])).toBe(
      "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
    );
    expect(firstError([{ status: 'Preparing', id: 'abc' }, { error: 'denied: requested access to the resource is denied' }])).toBe('denied: requested access to the resource is denied');
  });
});

describe('push credentials', () => {
  const noHelpers = { PATH: '/nonexistent' };

  it('DOCKER_USERNAME and DOCKER_PASSWORD win over the config file', async () => {
    const dockerConfig = tempDir();
    files(dockerConfig, { 'config.json': JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from('file:pw').toString('base64') } } }) });
    const auth = await registryAuth('registry.example.com', {
      ...noHelpers,
      DOCKER_CONFIG: dockerConfig,
      DOCKER_USERNAME: 'env-user',
      DOCKER_PASSWORD: 'env-pw',
    });
    expect(auth).toEqual({ username: 'env-user', password: 'env-pw', serveraddress: 'registry.example.com' });
  });

  it('reads auths from DOCKER_CONFIG/config.json under the keys Docker writes', async () => {
    const dockerConfig = tempDir();
    files(dockerConfig, {
      'config.json': JSON.stringify({
        auths: {
          'https://registry.example.com': { auth: Buffer.from('robot$ci:s3cr:et').toString('base64') },
          'other.example.com': { identitytoken: 'tok' },
        },
      }),
    });
    const env = { ...noHelpers, DOCKER_CONFIG: dockerConfig };
    expect(await registryAuth('registry.example.com', env)).toEqual({
      username: 'robot$ci',
      password: 's3cr:et',
      serveraddress: 'registry.example.com',
    });
    expect(await registryAuth('other.example.com', env)).toEqual({ identitytoken: 'tok', serveraddress: 'other.example.com' });
    expect(await registryAuth('localhost:5000', env)).toBeUndefined();
  });

  it('is anonymous when there is no config file', async () => {
    expect(await registryAuth('localhost:5000', { ...noHelpers, DOCKER_CONFIG: path.join(tempDir(), 'none') })).toBeUndefined();
  });
});
