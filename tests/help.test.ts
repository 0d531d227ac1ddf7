// The help page must never leave a teen with nothing to call, and must not
// promise more than a school can keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, startApp } from './helpers.ts';

test('with no help.yaml, the help page lists national UK helplines and says they are defaults', async () => {
  const t = await startApp();
  try {
    const client = new Client(t.app);
    const page = await client.page('/help');
    assert.equal(page.status, 200);
    assert.match(page.text, /Childline/);
    assert.match(page.text, /href="tel:08001111"/);
    assert.match(page.text, /Samaritans/);
    assert.match(page.text, /free national services in the UK/);
    const json = await client.get('/help');
    assert.equal(json.body.help.helplinesAreDefault, true);
    assert.equal(json.body.help.defaultHelplinesRegion, 'UK');
    assert.ok(json.body.help.helplines.some((line: { name: string; phone?: string }) => line.name === 'Childline' && line.phone === '0800 1111'));
  } finally {
    await t.close();
  }
});

test('a school that lists its own helplines replaces the national defaults', async () => {
  const t = await startApp();
  try {
    writeFileSync(path.join(t.dataDir, 'help.yaml'), 'helplines:\n  - name: Valley Youth Line\n    phone: 0800 555 0100\n');
    const client = new Client(t.app);
    const page = await client.page('/help');
    assert.match(page.text, /Valley Youth Line/);
    assert.doesNotMatch(page.text, /Childline/);
    assert.doesNotMatch(page.text, /free national services/);
    const json = await client.get('/help');
    assert.equal(json.body.help.helplinesAreDefault, false);
    assert.deepEqual(json.body.help.helplines.map((line: { name: string }) => line.name), ['Valley Youth Line']);
  } finally {
    await t.close();
  }
});

test('a school that lists only its own contacts still gets the national helplines', async () => {
  const t = await startApp();
  try {
    writeFileSync(path.join(t.dataDir, 'help.yaml'), 'school: Hillside High\ncontacts:\n  - name: Safeguarding lead\n    details: Ms Rao, room 12\n');
    const page = await new Client(t.app).page('/help');
    assert.match(page.text, /Ms Rao, room 12/);
    assert.match(page.text, /Childline/);
  } finally {
    await t.close();
  }
});

test('the help page says reports are usually anonymous, explains what happens next, and makes no promise of "never in trouble"', async () => {
  const t = await startApp();
  try {
    const page = await new Client(t.app).page('/help');
    assert.match(page.text, /Reports are usually anonymous/);
    assert.doesNotMatch(page.text, /Reporting is anonymous/);
    assert.match(page.text, /never too late to step back/);
    assert.match(page.text, /The adults here will help you first/);
    assert.match(page.text, /What happens when you tell someone/);
    assert.match(page.text, /The adult listens first/);
    assert.doesNotMatch(page.text, /not in trouble|never be in trouble/i);
  } finally {
    await t.close();
  }
});
