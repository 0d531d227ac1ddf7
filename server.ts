// Start-up: config -> store -> content -> app -> listen; clean shutdown on SIGINT/SIGTERM.
// Exit codes: 0 after a clean stop, 1 when the server cannot start (the reason is printed).
import type { Server } from 'node:http';
import { createApp } from './src/app.ts';
import { serverFor } from './src/http/server.ts';
import { startClock } from './src/clock.ts';
import { loadConfig } from './src/config.ts';
import { loadCatalog } from './src/content/catalog.ts';
import { withParseCache } from './src/content/parse-cache.ts';
import { pruneExpiredSessions } from './src/http/sessions.ts';
import { openStore } from './src/store/open.ts';
import { capHeapGrowth } from './src/heap.ts';
import { dropExpiredSlipPasswords } from './src/roster/slips.ts';
import { startRetentionTimer } from './src/retention/job.ts';
import { activeKey } from './src/lti/keys.ts';
import { markLmsAccounts } from './src/lti/provisioning.ts';
import { pruneLaunchRecords } from './src/lti/launch.ts';
import { issueSetupToken } from './src/schools/schools.ts';
import { moveIntoOneSchool } from './src/schools/upgrade.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig();
  const now = startClock(config.clockStart);
  if (config.clockStart) console.warn(`Warning: FRAMECHECK_NOW is set; the clock starts at ${config.clockStart.toISOString()} instead of the real time.`);
  // Parsed content is cached across starts (src/content/parse-cache.ts).
  const catalog = withParseCache(root, () => loadCatalog(root));
  const store = await openStore(config);
  let server: Server;
  let stopBackground: () => Promise<void> = async () => {};
  let setupToken: string | null;
  try {
    // Housekeeping: a full disk must not keep the server from starting (it refuses writes until there is space).
    await pruneExpiredSessions(store, now()).catch((error: Error) => console.error(`Expired sessions were not pruned: ${error.message}`));
    await dropExpiredSlipPasswords(store, now()).catch((error: Error) => console.error(`Expired login-slip passwords were not removed: ${error.message}`));
    await pruneLaunchRecords(store, now()).catch((error: Error) => console.error(`Expired LMS sign-in records were not removed: ${error.message}`));
    const moved = await moveIntoOneSchool(store, now());
    if (moved) console.log(`Accounts and classes from before schools moved into the school "${moved.name}"; its earliest teacher is now its admin.`);
    // Accounts launched from an LMS before they were marked so (PostgreSQL marks them in migration 010).
    if (store.kind === 'embedded') await markLmsAccounts(store);
    setupToken = await issueSetupToken(store, now());
    // The LTI tool key pair is made on the first start and kept in the store.
    await activeKey(store, now()).catch((error: Error) => console.error(`The LMS signing key was not made yet: ${error.message}`));
    const app = createApp({ config, store, catalog, now });
    stopBackground = app.locals.stopBackground as () => Promise<void>;
    server = await listen(serverFor(app), config.port);
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  const prune = setInterval(() => {
    pruneExpiredSessions(store, now()).catch(() => {});
    dropExpiredSlipPasswords(store, now()).catch(() => {});
    pruneLaunchRecords(store, now()).catch(() => {});
  }, 60 * 60 * 1000);
  prune.unref();
  const retention = startRetentionTimer(store, now);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing open requests, then stopping.`);
    clearInterval(prune);
    clearInterval(retention);
    server.close();
    server.closeIdleConnections();
    // A grade being sent finishes and releases its claim before the store closes.
    await stopBackground();
    await store.close();
    process.exit(0);
  };
  // Before the "serving" line: whoever reads it may stop the server at once.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Everything is loaded: from here on the heap grows by at most its cap between full collections.
  capHeapGrowth();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const where = store.kind === 'postgres' ? 'data in PostgreSQL' : `data in ${config.dataDir}`;
  console.log(`FrameCheck is serving http://localhost:${port} (${where})`);
  // One line a newcomer can open; the token works until the school exists.
  if (setupToken) console.log(`Create your school: http://localhost:${port}/setup?token=${setupToken}`);
}

/** Resolves once listening; a port that is taken or not allowed is an error that says so. */
function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${port} is already in use by another program. Stop that program, or set PORT to a free port.`));
      else if (error.code === 'EACCES') reject(new Error(`this user may not listen on port ${port}. Set PORT to a port above 1023.`));
      else reject(error);
    });
    server.listen(port, () => resolve(server));
  });
}

main().catch((error: Error) => {
  console.error(`FrameCheck could not start: ${error.message}`);
  process.exit(1);
});
