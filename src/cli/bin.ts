/** The `weft` executable (package.json "bin", bundled to dist/cli.js): runs the command on this process's arguments. */
import { main } from './main.js';

process.exitCode = await main(process.argv);
