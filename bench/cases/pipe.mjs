// weft Pipe between two processes: the parent keeps one end, a child Process gets the other
// (then the two talk over a direct Unix socket, not the hub).
//   node pipe.mjs pingpong [count]   µs per round trip of a small message { seq, op }
//   node pipe.mjs stream [count]     items/s of small messages, child → parent, one way
// Timed as python_pipe.py and pipe-raw.mjs time theirs: after a warm-up of 2,000 round trips
// (pingpong), or from the child's first message to the last (stream).
import { Pipe, Process } from '../../dist/entries/multiprocessing.js';
import { isMain } from 'weft';
import { report } from './lib.mjs';

export async function echo(conn, count) {
  for (let i = 0; i < count; i++) conn.send(await conn.recv());
}

export function produce(conn, count) {
  for (let i = 0; i < count; i++) conn.send({ seq: i, op: 'item' });
  conn.close();
}

if (isMain(import.meta)) {
  const mode = process.argv[2] ?? 'pingpong';
  const count = Number(process.argv[3] ?? (mode === 'pingpong' ? 20_000 : 200_000));
  const [here, there] = Pipe();
  if (mode === 'pingpong') {
    const warm = 2_000;
    const child = new Process({ target: echo, args: [there, warm + count] });
    child.start();
    for (let i = 0; i < warm; i++) {
      here.send({ seq: i, op: 'ping' });
      await here.recv();
    }
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      here.send({ seq: i, op: 'ping' });
      if ((await here.recv()).seq !== i) throw new Error('out of order');
    }
    const micros = ((performance.now() - t0) * 1000) / count;
    await child.join();
    report(micros, 'µs');
  } else {
    const child = new Process({ target: produce, args: [there, count] });
    child.start();
    let sum = (await here.recv()).seq;
    const t0 = performance.now();
    for (let i = 1; i < count; i++) sum += (await here.recv()).seq;
    const seconds = (performance.now() - t0) / 1000;
    if (sum !== (count * (count - 1)) / 2) throw new Error(`checksum ${sum}`);
    await child.join();
    report((count - 1) / seconds, 'items/s');
  }
}
