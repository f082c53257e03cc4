/**
 * The tutorial's orphan process: a parent that ends abnormally — here
 * killed with SIGKILL, so it has no chance to clean up — while its child
 * still runs. The child is not ended with it: the operating system hands it
 * to another process (init, or the nearest "subreaper"), which will reap it;
 * `/proc/self/stat` shows its parent pid change. A daemon child, in
 * contrast, ends with its parent, as Python's daemon children do — in weft
 * even when the parent is killed with SIGKILL.
 *
 * The main process starts `parent`, which starts a child and a daemon
 * child; the main process kills `parent`; the child, told so, reads its new
 * parent from `/proc` and ends itself (so that nothing outlives this
 * program). The main process knows each grandchild has ended through a
 * process-scope Lock the grandchild holds until its end: a lock whose holder
 * ends is released, and its next owner sees `ownerDied`.
 */
import { readFileSync } from 'node:fs';
import { isMain } from 'weft';
import { Event, Lock, Process, Queue, parentProcess } from 'weft/multiprocessing';

/** This process's parent pid, as the kernel has it now (field 4 of /proc/self/stat). */
function ppidFromProc(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The child: runs on when its parent is killed. */
export async function child(alive: Lock, done: Queue<string>, orphaned: Event): Promise<void> {
  alive.acquireSync(); // held until this process ends
  const parentPid = parentProcess()!.pid;
  console.log(`child: running; /proc/self/stat: my parent is ${ppidFromProc() === parentPid ? 'the parent process' : 'another process'}`);
  done.putSync('child');
  await orphaned.wait(); // the main process has killed the parent
  const adopted = ppidFromProc() !== parentPid;
  console.log(`child: my parent was killed and I run on; /proc/self/stat: my parent ${adopted ? 'changed: I was adopted' : 'is unchanged'}`);
  console.log('child: ending by myself');
}

/** The daemon child: ends when its parent ends. */
export async function daemonChild(alive: Lock, done: Queue<string>): Promise<void> {
  alive.acquireSync();
  console.log('daemon child: running');
  done.putSync('daemon');
  await new Event().wait(); // never set: only its parent's end ends it
}

/** The parent: starts both, then runs until it is killed. */
export async function parent(childAlive: Lock, daemonAlive: Lock, started: Queue<string>, orphaned: Event): Promise<void> {
  const ready = new Queue<string>();
  new Process({ target: child, args: [childAlive, ready, orphaned] }).start();
  await ready.get(); // one at a time, so that they print in order
  const guard = new Process({ target: daemonChild, args: [daemonAlive, ready], daemon: true });
  guard.start();
  await ready.get();
  console.log('parent: started a child and a daemon child');
  started.putSync('parent');
  await new Event().wait(); // never set: runs until it is killed
}

if (isMain(import.meta)) {
  console.log('Enter the main process');
  const childAlive = new Lock();
  const daemonAlive = new Lock();
  const started = new Queue<string>();
  const orphaned = new Event();
  const proc = new Process({ target: parent, args: [childAlive, daemonAlive, started, orphaned] });
  proc.start();
  await started.get();

  proc.kill(); // SIGKILL: the parent ends at once, without cleaning up
  await proc.join();
  console.log(`main: killed the parent (exitcode ${proc.exitcode})`);

  await daemonAlive.acquire(); // the daemon child's lock, released by its end
  console.log(`main: the daemon child ended with its parent (its lock ${daemonAlive.ownerDied ? 'was released by its end' : 'was free'})`);
  daemonAlive.release();

  orphaned.set();
  await childAlive.acquire(); // the orphan's lock, released when it has ended
  console.log(`main: the orphan has ended (its lock ${childAlive.ownerDied ? 'was released by its end' : 'was free'})`);
  childAlive.release();
  console.log('End main process');
}
