/**
 * A daemon process ends when its parent ends — however the parent ends,
 * SIGKILL included, when the parent has no chance to say so. The child
 * therefore watches its link to the parent (`process-link.ts`): the kernel
 * closes the parent's end when the parent dies, and the child's end reads
 * end-of-file.
 *
 * The watch runs on a worker thread of its own, with its own event loop, so
 * that it notices even while the child's main thread is busy in synchronous
 * code. (It reads asynchronously rather than with a blocking `readSync`: a
 * thread blocked in a system call cannot be stopped, and Node joins its
 * worker threads when the process exits.) Once the parent is gone it ends
 * the process as Python's parent would have: SIGTERM — so handlers for it
 * run — and, if the process is still there after the grace period, SIGKILL.
 *
 * | step              | who          | what                                         |
 * |-------------------|--------------|----------------------------------------------|
 * | watching          | watch thread | reads the link; the parent sends nothing more |
 * | parent gone       | kernel       | end-of-file (or ECONNRESET) on the link      |
 * | terminating       | watch thread | SIGTERM to its own process                   |
 * | killing           | watch thread | SIGKILL after `gracePeriod` ms               |
 */
import { Worker } from 'node:worker_threads';
import { LINK_FD } from './process-link.js';

const WATCH = `
const { workerData } = require('node:worker_threads');
const { Socket } = require('node:net');
const link = new Socket({ fd: workerData.fd, readable: true, writable: false, allowHalfOpen: true });
let gone = false;
function parentGone() {
  if (gone) return;
  gone = true;
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), workerData.gracePeriod);
}
link.on('data', () => {});
link.on('end', parentGone);
link.on('error', parentGone);
`;

/** Starts the watch; the process ends within `gracePeriod` ms of its parent. */
export function watchParent(gracePeriod: number): void {
  const watcher = new Worker(WATCH, { eval: true, workerData: { fd: LINK_FD, gracePeriod }, stdout: false, stderr: false });
  watcher.unref();
}
