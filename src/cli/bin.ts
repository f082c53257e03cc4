/** The `weft` executable (package.json "bin", bundled to dist/cli.js): runs the command on this process's arguments. */
import { main } from './main.js';

// A reader that stops early (`weft --help | head`) closes the pipe: nothing
// to report with a stack trace. Further writes are dropped and the command
// ends as it would have (the tour also stops its programs: see tour.ts).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await main(process.argv);
