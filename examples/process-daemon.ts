/**
 * The tutorial's daemon processes: `daemon = true`, set before start(),
 * means the children end when the main process ends. This program joins
 * them, so they run to their end first.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isMain } from 'weft';
import { Process } from 'weft/multiprocessing';

// Process task
export async function task(): Promise<void> {
  console.log('starting......');
  await sleep(2000);
  console.log('ending......');
}

if (isMain(import.meta)) {
  console.log('Enter the main process');
  const objList: Process[] = [];
  for (let i = 0; i < 2; i++) {
    // Create process
    const proObj = new Process({ target: task });
    objList.push(proObj);
    // Start Daemons
    proObj.daemon = true; // The daemons must be set before the process is started
    proObj.start();
  }
  for (const obj of objList) await obj.join();
  console.log('End of main process');
}
