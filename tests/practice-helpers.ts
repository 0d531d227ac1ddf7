// Practice tests run against the fixture scenario and booster pool in
// tests/fixtures/practice (the course's own files are checked separately).
import path from 'node:path';
import { rmSync } from 'node:fs';
import { createApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import type { Catalog } from '../src/content/catalog.ts';
import { loadPracticeContent } from '../src/practice/content.ts';
import { Store } from '../src/store/index.ts';
import { catalog, ROOT, tempDir } from './helpers.ts';

export const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'practice');
export const PRACTICE_LESSON = 'fake-volume';

export function practiceCatalog(): Catalog {
  const base = catalog();
  return { ...base, practice: loadPracticeContent(FIXTURES, new Set(base.lessons.map((lesson) => lesson.id))) };
}

export async function startPracticeApp(options: { now?: Date } = {}) {
  const dataDir = tempDir();
  const config: Config = { ...loadConfig({ DATA_DIR: dataDir }), passwordCost: 1024 };
  const store = await Store.open(dataDir);
  const clock = { now: options.now ?? new Date('2027-03-01T10:00:00Z') };
  const app = createApp({ config, store, catalog: practiceCatalog(), now: () => clock.now });
  return {
    app,
    store,
    clock,
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const DAY = 24 * 60 * 60 * 1000;
