// Opens the store a configuration names: PostgreSQL when DATABASE_URL is set,
// else the embedded store in DATA_DIR.
import type { Config } from '../config.ts';
import type { StoreBackend } from './backend.ts';
import { EmbeddedBackend } from './embedded.ts';

export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'journalCompactBytes'> & { databaseSchema?: string; databasePoolSize?: number }): Promise<StoreBackend> {
  if (config.databaseUrl) {
    // Loaded only when asked for, so a school on the embedded store never loads pg.
    const { PostgresBackend } = await import('./postgres/backend.ts');
    return PostgresBackend.open({ url: config.databaseUrl, schema: config.databaseSchema, poolSize: config.databasePoolSize });
  }
  return EmbeddedBackend.open(config.dataDir, { compactBytes: config.journalCompactBytes });
}
