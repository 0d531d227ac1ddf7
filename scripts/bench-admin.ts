// How long the admin dashboard takes for a large school: 80 classes of 25
// (2,000 students), every lesson assigned, 36 quiz attempts per student, and
// every student through the before and after check-ups (84,000 check-up
// records). Prints GET /admin (JSON and HTML) after a change in every class
// (all figures read again), then the median over 7 runs with nothing changed, in
// wall time and in this process's CPU time (the app runs in-process; on
// PostgreSQL the database's own time is only in the wall time).
//   npx tsx scripts/bench-admin.ts
//   scripts/with-postgres.sh env FRAMECHECK_STORE=postgres npx tsx scripts/bench-admin.ts
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { formFor } from '../src/checkups/checkups.ts';
import { put, type StoreChange } from '../src/store/backend.ts';
import { keys } from '../src/store/keys.ts';
import { catalog, Client, startApp, STORE } from '../tests/helpers.ts';
import { generate, GENERATED_PASSWORD } from './generate.ts';

const CLASSES = Number(process.env.BENCH_CLASSES ?? 80);
const PER_CLASS = Number(process.env.BENCH_CLASS_SIZE ?? 25);
const RUNS = 7;

const t = await startApp();
try {
  const started = performance.now();
  await generate(t.store, catalog(), { classes: CLASSES, studentsPerClass: PER_CLASS, attemptsPerStudent: 36, now: t.clock.now });
  // The generated school's admin (generate.ts makes one school holding everything).
  const admin = new Client(t.app);
  if ((await admin.login('admin0', GENERATED_PASSWORD)).status !== 200) throw new Error('admin0 could not log in');
  const bank = catalog().bank!;
  const at = t.clock.now.toISOString();
  let batch: StoreChange[] = [];
  const flush = async (force = false) => {
    if (batch.length >= 5000 || (force && batch.length)) {
      await t.store.commit(batch);
      batch = [];
    }
  };
  for (const record of await t.store.list('classes')) {
    for (const phase of ['before', 'after'] as const) {
      const checkupId = `${record.id}-${phase}`;
      batch.push(put('checkups', { id: checkupId, classId: record.id, phase, due: null, createdAt: at }));
      for (const membership of await t.store.find('memberships', 'classId', record.id)) {
        const studentId = membership.studentId;
        const items = bank.form(formFor(record.id, studentId, phase));
        const lift = phase === 'after' ? 1 : 0;
        batch.push(put('checkupSittings', { id: keys.sitting(checkupId, studentId), checkupId, studentId, form: formFor(record.id, studentId, phase), itemIds: items.map((item) => item.id), startedAt: at }));
        items.forEach((item, index) => {
          const rating = item.manipulative ? Math.min(7, 4 + lift + (index % 3)) : Math.max(1, 4 - lift - (index % 2));
          batch.push(put('checkupResponses', { id: keys.checkupResponse(checkupId, studentId, item.id), checkupId, studentId, itemId: item.id, manipulative: rating, confidence: 4, at }));
        });
        await flush();
      }
    }
  }
  await flush(true);
  console.log(`store: ${STORE.kind}; ${CLASSES} classes x ${PER_CLASS} students made in ${Math.round((performance.now() - started) / 1000)} s`);

  const time = async (label: string, request: () => PromiseLike<{ status: number }>) => {
    const first = await request();
    if (first.status !== 200) throw new Error(`${label}: ${first.status}`);
    // After a change in every class (each class saved again), every class's figures are read again.
    const cold: number[] = [];
    for (let run = 0; run < 3; run++) {
      await t.store.commit((await t.store.list('classes')).map((record) => put('classes', record)));
      const begin = performance.now();
      await request();
      cold.push(performance.now() - begin);
    }
    console.log(`${label}, every class changed: median ${Math.round(cold.sort((a, b) => a - b)[1])} ms wall`);
    const times: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const begin = performance.now();
      const cpuBegin = process.cpuUsage();
      await request();
      const used = process.cpuUsage(cpuBegin);
      times.push(performance.now() - begin);
      cpu.push((used.user + used.system) / 1000);
    }
    const median = (values: number[]) => Math.round([...values].sort((a, b) => a - b)[RUNS >> 1]);
    // On a shared machine the wall time depends on the neighbours; this process's CPU time much less.
    console.log(`${label}: median ${median(times)} ms wall (min ${Math.round(Math.min(...times))}), ${median(cpu)} ms CPU of this process; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
  };
  const body = (await admin.get('/admin')).body;
  console.log(`pooled check-up pairs: ${body.checkups.pairedN}; classes: ${body.classes.length}; teachers: ${body.teachers.length}`);
  await time('GET /admin (JSON)', () => admin.get('/admin'));
  await time('GET /admin (HTML)', () => admin.page('/admin'));
} finally {
  await t.close();
}
