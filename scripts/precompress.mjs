// Precompresses the web bundle's text files for the server (web.rs serves `NAME.br` or
// `NAME.gz` with Content-Encoding when the browser accepts it), with Node's own zlib:
// brotli at its best quality, gzip at level 9. A compressed copy is kept only when it is
// smaller. Prints one line per file: name, bytes, gzip, brotli.
// Usage: node scripts/precompress.mjs DIR
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/precompress.mjs DIR');
const TEXT = /\.(html|js|mjs|css|wasm|webmanifest|json|svg|txt)$/;

function* files(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (TEXT.test(name)) yield p;
  }
}

for (const path of [...files(dir)]) {
  const raw = readFileSync(path);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      [constants.BROTLI_PARAM_MODE]: path.endsWith('.wasm') ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  const gz = gzipSync(raw, { level: 9 });
  if (br.length < raw.length) writeFileSync(`${path}.br`, br);
  if (gz.length < raw.length) writeFileSync(`${path}.gz`, gz);
  console.log(`${relative(dir, path)}\t${raw.length}\t${gz.length}\t${br.length}`);
}
