import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { callOk, connectInMemory, createTestApp, type TestApp } from '../testing/harness.js';

function tinyProject(name: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `sb-roots-${name}-`)));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
  return dir;
}

/** A client that offers MCP roots and answers roots/list with `answer`. */
async function clientWithRoots(app: TestApp, answer: () => { roots: { uri: string; name?: string }[] }): Promise<Client> {
  const client = new Client({ name: 'roots-client', version: '1.0.0' }, { capabilities: { roots: {} } });
  client.setRequestHandler(ListRootsRequestSchema, answer);
  const [c, s] = InMemoryTransport.createLinkedPair();
  await app.createMcpServer('roots').connect(s);
  await client.connect(c);
  return client;
}

interface Started {
  session: { id: string; working_directory: string };
  working_directory_source: string;
}

describe('start without working_directory', () => {
  let app: TestApp;
  const dirs: string[] = [];
  const cwd = process.cwd();
  before(() => {
    app = createTestApp();
  });
  after(async () => {
    process.chdir(cwd);
    await app.dispose();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("uses the client's first file:// root when the client offers roots", async () => {
    const project = tinyProject('root');
    dirs.push(project);
    const client = await clientWithRoots(app, () => ({
      roots: [
        { uri: pathToFileURL(project).href, name: 'project' },
        { uri: pathToFileURL(os.tmpdir()).href, name: 'second root, not used' },
      ],
    }));
    try {
      const out = await callOk<Started>(client, 'start', {});
      assert.equal(out.working_directory_source, 'client_root');
      assert.equal(out.session.working_directory, project);
    } finally {
      await client.close();
    }
  });

  it("uses the server's working directory for a client without roots, or whose roots/list fails", async () => {
    const here = tinyProject('cwd');
    dirs.push(here);
    process.chdir(here);
    const plain = await connectInMemory(app.createMcpServer('plain'));
    const failing = await clientWithRoots(app, () => {
      throw new Error('no roots today');
    });
    try {
      const a = await callOk<Started>(plain, 'start', {});
      assert.equal(a.working_directory_source, 'server_cwd');
      assert.equal(a.session.working_directory, here);
      const b = await callOk<Started>(failing, 'start', {});
      assert.equal(b.working_directory_source, 'server_cwd');
      assert.equal(b.session.working_directory, here);
    } finally {
      process.chdir(cwd);
      await plain.close();
      await failing.close();
    }
  });

  it('an explicit working_directory wins over the roots', async () => {
    const project = tinyProject('explicit');
    const other = tinyProject('other-root');
    dirs.push(project, other);
    const client = await clientWithRoots(app, () => ({ roots: [{ uri: pathToFileURL(other).href }] }));
    try {
      const out = await callOk<Started>(client, 'start', { working_directory: project });
      assert.equal(out.working_directory_source, 'argument');
      assert.equal(out.session.working_directory, project);
    } finally {
      await client.close();
    }
  });
});

describe('session prompts', () => {
  let app: TestApp;
  let client: Client;
  before(async () => {
    app = createTestApp();
    client = await connectInMemory(app.createMcpServer('prompts'));
  });
  after(async () => {
    await client.close();
    await app.dispose();
  });

  it('offers start, checkpoint and end, each asking for the tool of the same name', async () => {
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name).sort(), ['checkpoint', 'end', 'start']);
    assert.deepEqual(
      prompts.find((p) => p.name === 'start')!.arguments?.map((a) => [a.name, a.required]),
      [['working_directory', false]],
    );

    const start = await client.getPrompt({ name: 'start', arguments: { working_directory: '/srv/app' } });
    const text = (start.messages[0]!.content as { text: string }).text;
    assert.match(text, /`start` tool with working_directory "\/srv\/app"/);
    const bare = await client.getPrompt({ name: 'start', arguments: {} });
    assert.match((bare.messages[0]!.content as { text: string }).text, /without arguments/);
    const end = await client.getPrompt({ name: 'end', arguments: { session_id: 'abc' } });
    assert.match((end.messages[0]!.content as { text: string }).text, /`end` tool with session_id "abc"/);
    const checkpoint = await client.getPrompt({ name: 'checkpoint' });
    assert.match((checkpoint.messages[0]!.content as { text: string }).text, /`checkpoint` tool\./);
  });
});
