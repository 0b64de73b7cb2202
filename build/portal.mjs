// @ts-check
/**
 * The recipients' portal page script (portal/src/main.ts → one ES module, browser, minified), put
 * next to the service bundle: dist/service/portal/portal.js, which the messages feature serves at
 * /service/extension/esante/portal/portal.js (server-extension/src/messages/feature.ts). In
 * development the service bundles the sources itself, so this file is only needed for dist/.
 */
import { mkdir } from 'node:fs/promises';
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
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'portal', 'src', 'main.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
