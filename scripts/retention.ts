// npm run retention: applies every school's retention policy once, for a cron
// job instead of (or as well as) the server's daily timer. Running it twice in
// a day does nothing the second time.
import { startClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { applyRetention } from '../src/retention/job.ts';
import { openStore } from '../src/store/open.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const now = startClock(config.clockStart);
  const store = await openStore(config);
  try {
    const runs = await applyRetention(store, now());
    if (!runs.length) console.log('Retention: nothing to do today (every school has had its run).');
    for (const run of runs) {
      console.log(`Retention for school ${run.schoolId}: ${run.erased} inactive student accounts erased, ${run.archived} classes archived, ${run.eventsRemoved} old audit entries deleted.`);
    }
  } finally {
    await store.close();
  }
}

main().catch((error: Error) => {
  console.error(`Retention failed: ${error.message}`);
  process.exit(1);
});
