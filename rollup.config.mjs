// @ts-check
/**
 * Rollup configuration of the five zimlet bundles (used by build/build.mjs, or `npx rollup -c` to
 * inspect bundles in dist/rollup/). Each zimlet is bundled ALONE into one IIFE whose only global is
 * its handler constructor: Zimbra concatenates every zimlet's script into one file
 * (Zimlets-nodev_all.js.zgz), so anything else leaking out would collide with other zimlets.
 * TypeScript 7 has no JS API, so TS is stripped by esbuild (rollup-plugin-esbuild); `npm run typecheck`
 * type-checks separately.
 */
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';
import path from 'node:path';
import { ROOT, ZIMLETS } from './build/zimlets.mjs';

/**
 * @param {import('./build/zimlets.mjs').ZimletSpec} zimlet
 * @returns {import('rollup').RollupOptions & { output: import('rollup').OutputOptions }}
 */
export function zimletBundleConfig(zimlet) {
  return {
    input: path.join(zimlet.dir, 'src', 'handler.ts'),
    plugins: [
      // lit's package exports: "development" is opt-in, the default files are the production build.
      nodeResolve({ browser: true, exportConditions: ['production'], extensions: ['.ts', '.mjs', '.js'] }),
      esbuild({
        include: /\.[jt]s$/,
        // Browsers Zimbra 9/10 support; standard decorators and `accessor` are lowered.
        target: 'es2020',
        tsconfig: path.join(ROOT, 'tsconfig.json'),
        minify: true,
        legalComments: 'eof',
        sourceMap: false,
      }),
    ],
    output: {
      format: 'iife',
      name: zimlet.handler,
      exports: 'default',
      file: path.join(ROOT, 'dist', 'rollup', `${zimlet.name}.js`),
    },
  };
}

export default ZIMLETS.map(zimletBundleConfig);
