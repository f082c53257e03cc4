/**
 * The tutorial's first process program: three child processes, each
 * sleeping a second, started together and joined; the main process ends
 * last, having reclaimed every child. (The children's lines may interleave
 * in any order, as Python's do.)
 *
 *   from multiprocessing import Process   import { Process } from 'weft/multiprocessing'
 *   def task(name): ...                   export async function task(name) { ... }
 *   if __name__ == '__main__':            if (isMain(import.meta)) {
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isMain } from 'weft';
import { Process } from 'weft/multiprocessing';

export async function task(name: number): Promise<void> {
  console.log(`Child process${name}: starting......`);
  await sleep(1000);
  console.log(`Child process${name}: end......`);
}

if (isMain(import.meta)) {
  console.log('Enter the main process');
  const proList: Process[] = [];
  for (let i = 0; i < 3; i++) {
    const proObj = new Process({ target: task, args: [i] });
    proList.push(proObj);
    proObj.start();
  }
  for (const pro of proList) {
    // Only once every child has ended does the main process go on: join() waits for it and reclaims it
    await pro.join();
  }
  console.log('End main process');
}
