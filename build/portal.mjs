// @ts-check
/**
 * The recipients' portal page script (portal/src/main.ts → one ES module, browser, minified), put
 * next to the service bundle: dist/service/portal/portal.js, which the messages feature serves at
 * /service/extension/esante/portal/portal.js (server-extension/src/messages/feature.ts). The service
 * never bundles the portal itself (esbuild is a development tool): run from the sources it serves this
 * same file, so `npm run build` (or build:zimlets) comes first; the service tests build it too
 * (server-extension/test/support/service.ts).
 */
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ROOT } from './zimlets.mjs';

/**
 * @param {{ outDir?: string }} [opts]
 * @returns {Promise<string>} path of the script
 */
export async function buildPortal({ outDir = path.join(ROOT, 'dist', 'service', 'portal') } = {}) {
  await mkdir(outDir, { recursive: true });
  const outfile = path.join(outDir, 'portal.js');
  // Written aside then renamed: a service reading the file meanwhile (parallel test files) sees the
  // old or the new script, never half of one.
  const temp = `${outfile}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'portal', 'src', 'main.ts')],
    outfile: temp,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'inline',
    logLevel: 'warning',
  });
  await rename(temp, outfile);
  return outfile;
}
