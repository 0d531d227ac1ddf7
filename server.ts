// Start-up: config -> store -> content -> app -> listen; clean shutdown on SIGINT/SIGTERM.
import { createApp } from './src/app.ts';
import { startClock } from './src/clock.ts';
import { loadConfig } from './src/config.ts';
import { loadCatalog } from './src/content/catalog.ts';
import { pruneExpiredSessions } from './src/http/sessions.ts';
import { Store } from './src/store/index.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig();
  const now = startClock(config.clockStart);
  if (config.clockStart) console.warn(`Warning: FRAMECHECK_NOW is set; the clock starts at ${config.clockStart.toISOString()} instead of the real time.`);
  const catalog = loadCatalog(root);
  const store = await Store.open(config.dataDir, { compactBytes: config.journalCompactBytes });
  await pruneExpiredSessions(store, now());
  const app = createApp({ config, store, catalog, now });
  const server = app.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    console.log(`FrameCheck is serving http://localhost:${port} (data in ${config.dataDir})`);
  });
  const prune = setInterval(() => pruneExpiredSessions(store, now()).catch(console.error), 60 * 60 * 1000);
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
