import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cronbachAlpha, mean, pairedChange, scoreSitting, standardDeviation, tCritical95 } from '../src/checkups/stats.ts';
import { formFor, orderItems } from '../src/checkups/checkups.ts';
import { catalog, classroom, signedUp, startApp, type Client } from './helpers.ts';
import { parseCsv } from './more-helpers.ts';
import { put } from '../src/store/backend.ts';

describe('check-up statistics (worked by hand)', () => {
  test('scores of one sitting: means and discernment', () => {
    const score = scoreSitting([
      { manipulative: true, rating: 6 },
      { manipulative: true, rating: 5 },
      { manipulative: false, rating: 2 },
      { manipulative: false, rating: 3 },
    ]);
    assert.deepEqual(score, { manipulativeMean: 5.5, neutralMean: 2.5, discernment: 3 });
  });

  test('paired change with a 95% interval: differences 1..5', () => {
    // mean 3; sd = sqrt((4+1+0+1+4)/4) = 1.5811; se = 0.7071; t(4) = 2.776; half-width 1.963
    assert.equal(mean([1, 2, 3, 4, 5]), 3);
    assert.ok(Math.abs(standardDeviation([1, 2, 3, 4, 5]) - 1.5811) < 1e-4);
    const change = pairedChange([0, 0, 0, 0, 0], [1, 2, 3, 4, 5]);
    assert.equal(change.mean, 3);
    assert.ok(Math.abs(change.ci95[0] - 1.0371) < 1e-3, String(change.ci95[0]));
    assert.ok(Math.abs(change.ci95[1] - 4.9629) < 1e-3, String(change.ci95[1]));
  });

  test("Cronbach's alpha of pair discernment: a worked example", () => {
    // 4 students x 3 pairs. Pair variances (n - 1): 8/3, 5/3, 5/3, sum 6.
    // Totals 6, 11, 1, 6: variance 50/3. alpha = 3/2 * (1 - 6 / (50/3)) = 1.5 * 0.64 = 0.96.
    const alpha = cronbachAlpha([
      [2, 3, 1],
      [4, 4, 3],
      [0, 1, 0],
      [2, 2, 2],
    ]);
    assert.ok(alpha !== null && Math.abs(alpha - 0.96) < 1e-9, String(alpha));
    // Pairs that disagree lower it: here the second pair runs against the first.
    const low = cronbachAlpha([
      [3, 0],
      [0, 2],
      [2, 1],
      [1, 3],
    ]);
    // Variances 5/3 and 5/3; totals 3, 2, 3, 4 vary by only 2/3: alpha = 2 * (1 - 5) = -8.
    assert.ok(low !== null && Math.abs(low + 8) < 1e-9, String(low));
    assert.equal(cronbachAlpha([[1, 2]]), null, 'one student: not defined');
    assert.equal(cronbachAlpha([[1], [2]]), null, 'one pair: not defined');
    assert.equal(cronbachAlpha([[1, 1], [1, 1]]), null, 'no variation: not defined');
  });

  test('t critical values: tabled and between', () => {
    assert.equal(tCritical95(4), 2.776);
    assert.equal(tCritical95(29), 2.045);
    assert.ok(tCritical95(35) < 2.042 && tCritical95(35) > 2.021);
    assert.equal(tCritical95(500), 1.96);
  });

  test('the two halves of a pair never stand next to each other', () => {
    const items = catalog().bank!.form('A');
    for (let run = 0; run < 200; run++) {
      const order = orderItems(items).map((id) => items.find((item) => item.id === id)!);
      assert.equal(order.length, 20);
      order.forEach((item, index) => {
        if (index > 0) assert.notEqual(order[index - 1].pairId, item.pairId);
      });
    }
  });

  test('forms are counterbalanced: a student takes A then B or B then A, never one twice', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const before = formFor('class1', `student${i}`, 'before');
      const after = formFor('class1', `student${i}`, 'after');
      assert.notEqual(before, after);
      assert.deepEqual([before, after].sort(), ['A', 'B']);
      seen.add(before);
    }
    assert.equal(seen.size, 2, 'both orders occur in a class');
    assert.equal(formFor('c', 's', 'booster'), 'C');
  });

  test('the bank: 30 pairs; forms A, B and C each hold one pair of every one of the 10 techniques', () => {
    const bank = catalog().bank!;
    const current = [...bank.items.values()].filter((item) => !item.retired);
    assert.equal(current.length, 60);
    for (const form of ['A', 'B', 'C'] as const) {
      assert.equal(bank.form(form).length, 20, form);
      const techniques = bank.form(form).map((item) => item.technique);
      assert.equal(new Set(techniques).size, 10, form);
      for (const technique of new Set(techniques)) assert.equal(techniques.filter((t) => t === technique).length, 2, `${form} ${technique}`);
    }
    assert.ok(bank.form('A').every((item) => !item.retired), 'retired items never go into a new sitting');
  });

  test('public item ids say nothing about the kind: no -m or -n, one id per item, none shared', () => {
    const bank = catalog().bank!;
    for (const item of bank.items.values()) {
      assert.match(item.publicId, /^i[0-9a-f]{10}$/);
      assert.ok(!item.publicId.includes(item.pairId));
      assert.equal(bank.byPublicId.get(item.publicId), item);
    }
    assert.equal(bank.byPublicId.size, bank.items.size);
  });
});

/** Rates every item of a check-up: manipulative items get `high`, neutral ones `low`. */
async function takeCheckup(student: Client, checkupId: string, high: number, low: number) {
  const bank = catalog().bank!;
  for (;;) {
    const page = await student.get(`/checkups/${checkupId}`);
    assert.equal(page.status, 200);
    if (!page.body.item) return;
    const item = bank.byPublicId.get(page.body.item.id)!;
    const response = await student.post(`/checkups/${checkupId}/responses`, { itemId: item.publicId, manipulative: item.manipulative ? high : low, confidence: 5 });
    assert.equal(response.status, 201);
  }
}

describe('check-up routes', () => {
  test('a class takes the check-up before and after; the teacher reads the change', async () => {
    const t = await startApp();
    try {
      const names = ['ana', 'ben', 'cai', 'dev', 'eli', 'fay'];
      const { teacher, classId, students } = await classroom(t.app, names);
      const before = await teacher.post(`/classes/${classId}/checkups`, { phase: 'before', due: '2027-03-10' });
      assert.equal(before.status, 201);
      assert.equal(before.body.checkup.phase, 'before');
      const bad = await teacher.post(`/classes/${classId}/checkups`, { phase: 'during' });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.field, 'phase');

      // One at a time, never revealing which items are manipulative.
      const first = await students[0].get(`/checkups/${before.body.checkup.id}`);
      assert.deepEqual(first.body.checkup, { id: before.body.checkup.id, phase: 'before', total: 20, answered: 0 });
      assert.deepEqual(Object.keys(first.body.item).sort(), ['from', 'id', 'kind', 'text']);
      assert.match(first.body.item.id, /^i[0-9a-f]{10}$/, 'an opaque id');
      const firstItem = catalog().bank!.byPublicId.get(first.body.item.id)!;
      const stored = await students[0].post(`/checkups/${before.body.checkup.id}/responses`, { itemId: firstItem.id, manipulative: 3, confidence: 3 });
      assert.equal(stored.status, 409, "the bank's own id (with -m or -n) is not accepted");
      const firstPage = await students[0].page(`/checkups/${before.body.checkup.id}`);
      assert.ok(!firstPage.text.includes(firstItem.id), "the page does not carry the bank's id");
      assert.doesNotMatch(firstPage.text, /manipulative-item|neutral-item|item-kind|-m"|-n"/);
      const wrongItem = await students[0].post(`/checkups/${before.body.checkup.id}/responses`, { itemId: 'not-next', manipulative: 3, confidence: 3 });
      assert.equal(wrongItem.status, 409);
      const outOfRange = await students[0].post(`/checkups/${before.body.checkup.id}/responses`, { itemId: first.body.item.id, manipulative: 9, confidence: 3 });
      assert.equal(outOfRange.status, 422);
      assert.equal(outOfRange.body.error.field, 'manipulative');
      const early = await students[0].get(`/checkups/${before.body.checkup.id}/result`);
      assert.equal(early.status, 409);

      for (const student of students) await takeCheckup(student, before.body.checkup.id, 4, 4);
      const again = await students[0].post(`/checkups/${before.body.checkup.id}/responses`, { itemId: first.body.item.id, manipulative: 3, confidence: 3 });
      assert.equal(again.status, 409, 'an item is rated once');

      const suppressed = await teacher.get(`/classes/${classId}/checkup-report`);
      assert.equal(suppressed.body.report.suppressed, true);
      assert.equal(suppressed.body.report.before, null);

      const after = await teacher.post(`/classes/${classId}/checkups`, { phase: 'after' });
      // Students 0-4 improve by 1..5 points of discernment; student 5 does not finish.
      for (let i = 0; i < 5; i++) await takeCheckup(students[i], after.body.checkup.id, 2 + (i + 1), 2);
      const partial = await students[5].get(`/checkups/${after.body.checkup.id}`);
      await students[5].post(`/checkups/${after.body.checkup.id}/responses`, { itemId: partial.body.item.id, manipulative: 7, confidence: 7 });

      const report = (await teacher.get(`/classes/${classId}/checkup-report`)).body.report;
      assert.equal(report.suppressed, false);
      assert.equal(report.pairedN, 5);
      assert.deepEqual(report.before, { discernment: 0, neutralMean: 4, manipulativeMean: 4 });
      assert.deepEqual(report.after, { discernment: 3, neutralMean: 2, manipulativeMean: 5 });
      assert.deepEqual(report.change.discernment, { mean: 3, ci95: [1.04, 4.96] });
      assert.deepEqual(report.change.neutralMean, { mean: -2, ci95: [-2, -2] });
      assert.equal(report.perTechnique.length, 10);
      assert.ok(report.perTechnique.every((row: { before: number }) => row.before === 0));

      // The student sees their own before and after, with an explanation of each item.
      const result = (await students[4].get(`/checkups/${after.body.checkup.id}/result`)).body.result;
      assert.equal(result.discernment, 5);
      assert.equal(result.before.discernment, 0);
      assert.equal(result.items.length, 20);
      assert.ok(result.items.every((item: { explanation: string }) => item.explanation.length > 10));

      // The teacher sees each student's own results on the student's page.
      const detail = (await teacher.get(`/classes/${classId}/students/${students[4].user!.id}`)).body;
      assert.deepEqual(detail.checkups.map((c: { phase: string; status: string }) => [c.phase, c.status]), [['before', 'completed'], ['after', 'completed']]);
      assert.equal(detail.checkups[1].score.discernment, 5);
      const unfinished = (await teacher.get(`/classes/${classId}/students/${students[5].user!.id}`)).body;
      assert.equal(unfinished.checkups[1].status, 'in_progress');
      assert.equal(unfinished.checkups[1].score, null);

      // The HTML report has a chart with a text alternative and the table.
      // Reliability per form: every student took A or B once (11 finished sittings);
      // each student rated every pair alike, so alpha is 1 where it is shown.
      const byForm = Object.fromEntries(report.reliability.map((row: { form: string }) => [row.form, row]));
      assert.equal(byForm.A.n + byForm.B.n, 11);
      assert.equal(byForm.C.n, 0);
      assert.equal(byForm.C.suppressed, true);
      assert.equal(byForm.C.alpha, null);
      for (const row of [byForm.A, byForm.B]) {
        assert.equal(row.pairs, 10);
        assert.equal(row.suppressed, row.n < 5);
        // Alpha is undefined (null) when every sitting of a form scored the same, which
        // happens when the counterbalancing hash put all five "after" sittings on the other form.
        if (!row.suppressed) assert.ok(row.alpha === 1 || row.alpha === null, `alpha ${row.alpha} with ${row.n} sittings`);
      }
      assert.ok([byForm.A, byForm.B].some((row) => row.alpha === 1), 'the form with the "after" sittings shows alpha 1');
      const html = await teacher.page(`/classes/${classId}/checkup-report`);
      assert.match(html.text, /Reliability per form/);
      assert.match(html.text, /<svg class="chart"[^>]*role="img"/);
      assert.match(html.text, /<table class="data-table">/);

      // The CSV has a random id per student and no names.
      const csv = await teacher.agent.get(`/classes/${classId}/checkup.csv`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers['content-type'], /text\/csv/);
      const rows = parseCsv(csv.text);
      assert.deepEqual(rows[0], ['participant', 'phase', 'form', 'position', 'item id', 'pair id', 'technique', 'item kind', 'manipulative rating', 'confidence', 'answered on']);
      assert.equal(rows.length, 1 + 6 * 20 + 5 * 20 + 1);
      for (const name of names) assert.doesNotMatch(csv.text, new RegExp(`\\b${name}\\b`));
      assert.equal(new Set(rows.slice(1).map((row) => row[0])).size, 6);
      const again2 = await teacher.agent.get(`/classes/${classId}/checkup.csv`);
      assert.equal(again2.text, csv.text, 'the random ids stay the same between exports');

      // A linked parent sees completed or not, never the ratings.
      const code = await students[0].post('/parent-code');
      const parent = await signedUp(t.app, 'parent', 'ana-mum');
      await parent.post('/children', { code: code.body.code });
      const child = await parent.get(`/children/${students[0].user!.id}`);
      assert.deepEqual(child.body.checkups.map((c: { completed: boolean }) => c.completed), [true, true]);
      assert.doesNotMatch(JSON.stringify(child.body), /discernment|rating/);

      // Outsiders: another class's student gets 404; a parent 403; anonymous 401.
      const outsider = await signedUp(t.app, 'student', 'outsider');
      assert.equal((await outsider.get(`/checkups/${before.body.checkup.id}`)).status, 404);
      assert.equal((await parent.get(`/checkups/${before.body.checkup.id}`)).status, 403);
      const other = await signedUp(t.app, 'teacher', 'other-teacher');
      assert.equal((await other.get(`/classes/${classId}/checkup-report`)).status, 404);
    } finally {
      await t.close();
    }
  });

  test('the check-up works as HTML forms, without JavaScript', async () => {
    const t = await startApp();
    try {
      const { teacher, classId, students } = await classroom(t.app, ['gus']);
      const checkup = await teacher.post(`/classes/${classId}/checkups`, { phase: 'before' });
      const id = checkup.body.checkup.id;
      const page = await students[0].page(`/checkups/${id}`);
      assert.equal(page.status, 200);
      const itemId = /name="itemId" value="([^"]+)"/.exec(page.text)![1];
      const missing = await students[0].form(`/checkups/${id}/responses`, { itemId, manipulative: '3' });
      assert.equal(missing.status, 422);
      assert.match(missing.text, /id="error-confidence"/);
      const ok = await students[0].form(`/checkups/${id}/responses`, { itemId, manipulative: '3', confidence: '6' });
      assert.equal(ok.status, 303);
      assert.equal(ok.headers.location, `/checkups/${id}`);
      const home = await students[0].get('/');
      assert.equal(home.body.checkups[0].status, 'in_progress');
    } finally {
      await t.close();
    }
  });

  test('a sitting taken with the retired items (before issue 11) still shows, scores and exports', async () => {
    const t = await startApp();
    try {
      const { teacher, classId, students } = await classroom(t.app, ['old-timer', 'old-b', 'old-c', 'old-d', 'old-e']);
      const checkup = (await teacher.post(`/classes/${classId}/checkups`, { phase: 'before' })).body.checkup;
      const bank = catalog().bank!;
      const retired = [...bank.items.values()].filter((item) => item.retired && item.form === 'A');
      assert.equal(retired.length, 16, 'the old form A');
      const at = new Date().toISOString();
      const sitting = (checkupId: string, studentId: string, items: typeof retired) => [
        put('checkupSittings', { id: `${checkupId}:${studentId}`, checkupId, studentId, form: items[0].form, itemIds: items.map((item) => item.id), startedAt: at }),
        ...items.map((item) =>
          put('checkupResponses', { id: `${checkupId}:${studentId}:${item.id}`, checkupId, studentId, itemId: item.id, manipulative: item.manipulative ? 6 : 2, confidence: 4, at }),
        ),
      ];
      for (const { user } of students) await t.store.commit(sitting(checkup.id, user!.id, retired));
      const result = await students[0].get(`/checkups/${checkup.id}/result`);
      assert.equal(result.status, 200);
      assert.equal(result.body.result.discernment, 4);
      assert.equal(result.body.result.items.length, 16);
      const page = await students[0].page(`/checkups/${checkup.id}/result`);
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(retired[0].explanation.slice(0, 40).replace(/'/g, '&#39;').replace(/"/g, '&#34;')) || page.text.includes(retired[0].explanation.slice(0, 20)));
      // The item-level data comes once the class result does (five students with before and after).
      assert.equal((await teacher.agent.get(`/classes/${classId}/checkup.csv`)).status, 409);
      const after = (await teacher.post(`/classes/${classId}/checkups`, { phase: 'after' })).body.checkup;
      for (const { user } of students) await t.store.commit(sitting(after.id, user!.id, bank.form('B')));
      const csv = await teacher.agent.get(`/classes/${classId}/checkup.csv`);
      const rows = parseCsv(csv.text);
      assert.equal(rows.length, 1 + 5 * 16 + 5 * 20);
      assert.equal(rows.filter((row) => row.includes('before') && row.includes('A')).length, 5 * 16, 'the old sittings export');
      const report = (await teacher.get(`/classes/${classId}/checkup-report`)).body.report;
      assert.equal(report.reliability.find((row: { form: string }) => row.form === 'A').n, 0, 'old sittings measured other pairs: not in the current form\'s alpha');
    } finally {
      await t.close();
    }
  });
});
