// Generates a data set in a child process, with the code of the checkout in
// `cwd` (its own record shapes and migrations). The scripts that call it also
// generate the load, and should stay the same light process whatever data
// set they measure, not one that has just built and let go of a district's
// million records (several hundred MiB for its collector to walk).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GenerateOptions, Generated } from './generate.ts';

export type Where = { dataDir: string } | { url: string; schema: string };

export async function generateInChild(options: GenerateOptions, where: Where, cwd: string): Promise<Generated> {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'framecheck-generated-')), 'generated.json');
  const code = `
    const { loadCatalog } = await import('./src/content/catalog.ts');
    const { generate } = await import('./scripts/generate.ts');
    const { writeFileSync } = await import('node:fs');
    const where = ${JSON.stringify(where)};
    const store = where.dataDir
      ? await (await import('./src/store/embedded.ts')).EmbeddedBackend.open(where.dataDir, { compactBytes: Number.POSITIVE_INFINITY })
      : await (await import('./src/store/postgres/backend.ts')).PostgresBackend.open({ url: where.url, schema: where.schema });
    const generated = await generate(store, loadCatalog(process.cwd()), ${JSON.stringify(options)});
    await store.close();
    writeFileSync(${JSON.stringify(out)}, JSON.stringify(generated));`;
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd, stdio: 'inherit' });
    const exitCode = await new Promise((resolve) => child.on('exit', resolve));
    if (exitCode !== 0) throw new Error(`generating the data set in ${cwd} failed (exit ${exitCode})`);
    return JSON.parse(readFileSync(out, 'utf8')) as Generated;
  } finally {
    rmSync(path.dirname(out), { recursive: true, force: true });
  }
}
