// npm start: runs server.ts from JavaScript compiled out of the TypeScript
// sources, so that start-up does not compile every module on the fly (tsx's
// loader hooks cost most of a second of a server's start-up). Plain
// JavaScript, so it runs after `npm ci --omit=dev` with nothing but Node.
//
// The build goes to .build/<fingerprint of the sources>/ and is made again
// whenever a source file changes, so a fresh clone or a `git pull` needs no
// extra step: the first start builds (well under a second), later starts reuse
// it. Without esbuild, or where .build/ cannot be written, the server runs
// through tsx as before.
//
// package.json starts it with --min-semi-space-size=16 (a V8 flag, which only
// works on the command line): V8 shrinks the young generation to 1 MiB halves
// whenever allocation slows, and the first seconds of the next burst of
// requests are then collected every 1-2 MiB. Each young collection walks the
// header of every old-generation page, which on a district (300 MiB live)
// costs 2-3 ms, so a district that had been quiet for a few seconds spent an
// eighth of its time in them. Kept at 16 MiB, it costs 32 MiB of memory.
// See docs/performance-notes.md.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS = path.join(ROOT, '.build');
const ENTRY = path.join(ROOT, 'server.ts');
/** Bump when the build settings below change, so older builds are not reused. */
const BUILD_FORMAT = 1;

/** Every TypeScript file the server can load: server.ts and src/. */
function sources() {
  const files = [ENTRY];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  walk(path.join(ROOT, 'src'));
  return files.sort();
}

function fingerprint(esbuildVersion) {
  const hash = createHash('sha256').update(`${BUILD_FORMAT}:${esbuildVersion}:${process.version}\n`);
  for (const file of sources()) hash.update(`${path.relative(ROOT, file)}\n`).update(readFileSync(file)).update('\n');
  return hash.digest('hex').slice(0, 16);
}

/**
 * Compiled modules live in .build/<fingerprint>/, not beside their sources,
 * so each `import.meta.url` is rewritten to the URL of the source file it
 * was written in: code that finds views, content or migrations relative to
 * itself finds them where they are.
 */
const sourceUrls = (outdir) => ({
  name: 'source-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      if (contents.includes('import.meta.url')) {
        const relative = path.relative(outdir, args.path).split(path.sep).join('/');
        contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`);
      }
      return { contents, loader: 'ts' };
    });
  },
});

/** The compiled server's entry file, building it when the sources changed; null when it cannot be built. */
export async function ensureBuilt() {
  let version;
  try {
    // Read, not imported: a start with an up-to-date build does not load esbuild at all.
    version = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('esbuild/package.json'), 'utf8')).version;
  } catch {
    return null;
  }
  const name = fingerprint(version);
  const outdir = path.join(BUILDS, name);
  const entry = path.join(outdir, 'server.js');
  if (existsSync(entry)) return entry;
  const esbuild = await import('esbuild');
  // Built beside the final folder and renamed into place, so that two
  // instances starting at once never load a half-written build.
  const partial = `${outdir}.partial-${process.pid}`;
  try {
    mkdirSync(BUILDS, { recursive: true });
    await esbuild.build({
      entryPoints: [ENTRY],
      bundle: true,
      // Dependencies stay imports of node_modules; only FrameCheck's own code is compiled.
      packages: 'external',
      // Modules loaded on demand (the PostgreSQL backend) stay separate files, loaded only when asked for.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir: partial,
      logLevel: 'silent',
      // Relative to the final folder: the rewritten URLs must hold after the rename.
      plugins: [sourceUrls(outdir)],
    });
    try {
      renameSync(partial, outdir);
    } catch (error) {
      if (!existsSync(entry)) throw error; // else another instance finished the same build first
      rmSync(partial, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    esbuild.stop();
    console.warn(`Could not compile the server (${error.message.split('\n')[0]}); starting it through tsx instead.`);
    return null;
  }
  // esbuild's helper process would otherwise live as long as the server.
  esbuild.stop();
  // Older builds are of sources that no longer exist.
  for (const other of readdirSync(BUILDS)) {
    if (other !== name && /^[0-9a-f]{16}$/.test(other)) rmSync(path.join(BUILDS, other), { recursive: true, force: true });
  }
  return entry;
}

async function main() {
  const entry = await ensureBuilt();
  if (entry) {
    await import(pathToFileURL(entry).href);
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(ENTRY).href);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`FrameCheck could not start: ${error.message}`);
    process.exit(1);
  });
}
