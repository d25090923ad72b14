// Bundles the front-end with esbuild's JS API (minified JS + CSS). Called by ui/CMakeLists.txt
// after `tsc --noEmit`: node build.mjs OUT_DIR. Reads only local files.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node build.mjs OUT_DIR');
  process.exit(2);
}
await build({
  entryPoints: [path.join(here, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110'],
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
  outfile: path.join(outDir, 'app.js'),
});
