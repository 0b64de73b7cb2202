/**
 * Entry point of `esante-admin` (cli.ts): `node esante-admin.mjs <command> …` in dist/service,
 * `npm run admin -- <command> …` in the repository. Exit codes: cli.ts EXIT.
 */
import { runAdmin } from './cli.ts';

runAdmin(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
