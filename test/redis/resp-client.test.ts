/**
 * The lease thread's small Redis client (resp-client.ts): replies of every
 * RESP2 type from the real server, error replies told apart from a broken
 * connection, AUTH and SELECT sent first when the URL names them, replies
 * split across reads, and a connection that breaks failing what is in
 * flight and coming back for the next command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { EventEmitter, once } from 'node:events';
import { ErrorReply, RespClient } from '../../src/backends/redis/resp-client.js';
import { freshNamespace, redisUrl } from './helpers.js';

const T = { timeout: 30_000 };

test('every reply type from the server, in order; an error reply is an ErrorReply', T, async () => {
  const client = new RespClient(redisUrl);
  const key = `weft-resp-test:${freshNamespace()}`;
  try {
    assert.equal(await client.sendCommand(['PING']), 'PONG');
    assert.equal(await client.sendCommand(['RPUSH', key, 'a', 'bé', '']), 3);
    assert.deepEqual(await client.sendCommand(['LRANGE', key, '0', '-1']), ['a', 'bé', '']);
    assert.equal(await client.sendCommand(['GET', `${key}:absent`]), null);
    const [first, second] = await Promise.all([client.sendCommand(['LPOP', key]), client.sendCommand(['LPOP', key])]);
    assert.deepEqual([first, second], ['a', 'bé'], 'pipelined commands are answered in order');
    await assert.rejects(client.sendCommand(['EVALSHA', '0'.repeat(40), '0']), (error: Error) => error instanceof ErrorReply && error.message.startsWith('NOSCRIPT'));
    assert.equal(await client.sendCommand(['EVAL', 'return 7', '0']), 7, 'the connection is usable after an error reply');
  } finally {
    await client.sendCommand(['DEL', key]);
    client.close();
  }
});

/** A fake server: records each command it reads, answers each with `reply(command)`, one byte per write. */
async function fakeServer(reply: (command: string[]) => string): Promise<{ url: string; commands: string[][]; sockets: Socket[]; events: EventEmitter; close(): void }> {
  const commands: string[][] = [];
  const events = new EventEmitter();
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      for (let parsed = takeCommand(text); parsed !== undefined; parsed = takeCommand(text)) {
        text = text.slice(parsed.used);
        commands.push(parsed.args);
        events.emit('command');
        for (const byte of reply(parsed.args)) socket.write(byte);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `redis://user:p%40ss@127.0.0.1:${port}/3`, commands, sockets, events, close: () => server.close() };
}

/** One RESP array of bulk strings from the front of `text`, or undefined while incomplete. */
function takeCommand(text: string): { args: string[]; used: number } | undefined {
  const lines = text.split('\r\n');
  if (lines.length < 2 || !lines[0]!.startsWith('*')) return undefined;
  const count = Number(lines[0]!.slice(1));
  if (lines.length < 1 + count * 2 + 1) return undefined;
  const args: string[] = [];
  for (let i = 0; i < count; i++) args.push(lines[2 + i * 2]!);
  const used = lines.slice(0, 1 + count * 2).join('\r\n').length + 2;
  return { args, used };
}

test('AUTH and SELECT go first when the URL names them; replies split across reads are read whole', T, async () => {
  const server = await fakeServer((command) => (command[0] === 'EVAL' ? '*2\r\n:1\r\n$5\r\nhello\r\n' : '+OK\r\n'));
  const client = new RespClient(server.url);
  try {
    assert.deepEqual(await client.sendCommand(['EVAL', 'x', '0']), [1, 'hello']);
    assert.deepEqual(server.commands, [
      ['AUTH', 'user', 'p@ss'],
      ['SELECT', '3'],
      ['EVAL', 'x', '0'],
    ]);
  } finally {
    client.close();
    server.close();
  }
});

test('a broken connection fails the command in flight, and the next command connects again', T, async () => {
  let answer = false;
  const server = await fakeServer(() => (answer ? ':5\r\n' : ''));
  const client = new RespClient(server.url.replace('user:p%40ss@', '').replace('/3', ''));
  try {
    const read = once(server.events, 'command');
    const inFlight = client.sendCommand(['PING']);
    await read;
    server.sockets[0]!.destroy();
    await assert.rejects(inFlight, (error: Error) => !(error instanceof ErrorReply));
    answer = true;
    assert.equal(await client.sendCommand(['INCR', 'n']), 5);
    assert.equal(server.sockets.length, 2, 'a second connection');
  } finally {
    client.close();
    server.close();
  }
});
