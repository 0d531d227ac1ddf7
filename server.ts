// Start-up: config -> store -> content -> app -> listen; clean shutdown on SIGINT/SIGTERM.
import { createApp } from './src/app.ts';
import { loadConfig } from './src/config.ts';
import { loadCatalog } from './src/content/catalog.ts';
import { pruneExpiredSessions } from './src/http/sessions.ts';
import { openStore } from './src/store/open.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig();
  const catalog = loadCatalog(root);
  const store = await openStore(config);
  await pruneExpiredSessions(store, new Date());
  const app = createApp({ config, store, catalog });
  const server = app.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const where = store.kind === 'postgres' ? 'data in PostgreSQL' : `data in ${config.dataDir}`;
    console.log(`FrameCheck is serving http://localhost:${port} (${where})`);
  });
  const prune = setInterval(() => pruneExpiredSessions(store, new Date()).catch(console.error), 60 * 60 * 1000);
  prune.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing open requests, then stopping.`);
    clearInterval(prune);
    server.close();
    server.closeIdleConnections();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`FrameCheck could not start: ${error.message}`);
  process.exit(1);
});
