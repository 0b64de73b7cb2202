/**
 * The master key rotation now lives in the admin CLI (`esante-admin master-key <step>`,
 * admin/master-key.ts). This entry keeps `npm run rotate-master-key <step>` and
 * `node rotate-master-key.mjs <step>` (dist/service) working, as docs/master-key-rotation.md says.
 */
import { runAdmin } from './admin/cli.ts';

export { keyIdsInUse, runRotationCommand } from './admin/master-key.ts';

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  runAdmin(['master-key', process.argv[2] ?? 'rewrap', ...process.argv.slice(3)]).then(
    (code) => process.exit(code),
    () => process.exit(1),
  );
}
