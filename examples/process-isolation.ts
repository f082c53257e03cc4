/**
 * The tutorial's data isolation: each process has its own copy of the
 * module, so `func1`'s change to the global `count` is its own, `func2`
 * changes only its copy of the argument, and the main process still sees 0.
 */
import { isMain } from 'weft';
import { Process } from 'weft/multiprocessing';

let count = 0;

export function func1(): void {
  count += 10;
  console.log(`func1:${count}`);
}

export function func2(count: number): void {
  count += 100;
  console.log(`func2:${count}`);
}

if (isMain(import.meta)) {
  // Create subprocess 1
  const proObj1 = new Process({ target: func1 });
  // Create subprocess 2
  const proObj2 = new Process({ target: func2, args: [count] });
  // Subprocess 1 on
  proObj1.start();
  await proObj1.join();
  // Subprocess 2 on
  proObj2.start();
  await proObj2.join();
  console.log(`Main process:${count}`);
}
