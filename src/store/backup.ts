// A consistent copy of a data folder while its server keeps running. Shards
// are copied first, then the journals, so the journals hold every change
// since the shards' state; replaying whole-record changes over them gives the
// state at the moment the copy finished. A compaction that ends during the
// copy (the manifest's generation moves) makes us start again.
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listJournals, readManifest } from './engine.ts';
import { Store } from './index.ts';

const EXTRA_FILES = ['session-secret', 'help.yaml'];

export interface BackupResult {
  files: number;
  records: Record<string, number>;
}

export async function backupDataDir(dataDir: string, destination: string): Promise<BackupResult> {
  const existing = await readdir(destination).catch(() => [] as string[]);
  if (existing.length) throw new Error(`${destination} is not empty: choose a new folder for the backup`);
  for (let attempt = 1; attempt <= 10; attempt++) {
    const manifest = await readManifest(dataDir);
    const { generation } = manifest;
    await mkdir(path.join(destination, 'shards'), { recursive: true });
    let files = 0;
    for (const name of await readdir(path.join(dataDir, 'shards')).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue; // skip temp files of a write in flight (they end in .tmp)
      await copyFile(path.join(dataDir, 'shards', name), path.join(destination, 'shards', name));
      files++;
    }
    for (const number of await listJournals(dataDir)) {
      if (number < generation) continue;
      const text = await readFile(path.join(dataDir, `journal-${number}.jsonl`), 'utf8').catch(() => '');
      // Only whole lines: a record being appended right now is not yet acknowledged.
      await writeFile(path.join(destination, `journal-${number}.jsonl`), text.slice(0, text.lastIndexOf('\n') + 1));
      files++;
    }
    for (const name of EXTRA_FILES) {
      if (await copyFile(path.join(dataDir, name), path.join(destination, name)).then(() => true, () => false)) files++;
    }
    if ((await readManifest(dataDir)).generation !== generation) {
      await clear(destination);
      continue;
    }
    // The same manifest, so the copy is checked against the same list of shards when it is opened.
    await writeFile(path.join(destination, 'manifest.json'), JSON.stringify(manifest));
    return { files: files + 1, records: await verify(destination) };
  }
  throw new Error('The data kept changing under the backup (compactions in a row); try again');
}

/** Opens the copy as a server would, and counts what it holds. */
async function verify(destination: string): Promise<Record<string, number>> {
  const store = await Store.open(destination);
  try {
    return {
      users: store.count('users'),
      classes: store.count('classes'),
      attempts: store.count('attempts'),
      checkupResponses: store.count('checkupResponses'),
    };
  } finally {
    await store.close();
  }
}

async function clear(folder: string): Promise<void> {
  for (const name of await readdir(folder)) await rm(path.join(folder, name), { recursive: true, force: true });
}
