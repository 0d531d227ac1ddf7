// How the PostgreSQL store groups commits that arrive while one is being
// written: a lone commit waits for nothing, a crowd shares one write, and a
// commit that fails never takes the others with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupedWrites } from '../src/store/postgres/grouped-writes.ts';

/** A writer whose writes finish when told, recording what each write held. */
function controlledWriter(fails: (items: string[]) => boolean = () => false) {
  const writes: string[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: string[]) =>
    new Promise<void>((resolve, reject) => {
      writes.push(items);
      pending.push(() => (fails(items) ? reject(new Error(`refused ${items.join('+')}`)) : resolve()));
    });
  const finishAll = async () => {
    while (pending.length) {
      pending.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { writes, write, finishAll };
}

test('a lone commit is written at once, alone', async () => {
  const writer = controlledWriter();
  const group = new GroupedWrites(1, writer.write);
  const done = group.submit('a');
  assert.deepEqual(writer.writes, [['a']]);
  await writer.finishAll();
  await done;
});

test('commits that arrive while the slot is busy are written together, in the order they came, once it frees', async () => {
  const writer = controlledWriter();
  const group = new GroupedWrites(1, writer.write);
  const all = ['a', 'b', 'c', 'd'].map((item) => group.submit(item));
  assert.deepEqual(writer.writes, [['a']], 'the others wait for the slot');
  await writer.finishAll();
  await Promise.all(all);
  assert.deepEqual(writer.writes, [['a'], ['b', 'c', 'd']]);
});

test('with two slots, two writes are under way at once', async () => {
  const writer = controlledWriter();
  const group = new GroupedWrites(2, writer.write);
  const all = ['a', 'b', 'c'].map((item) => group.submit(item));
  assert.deepEqual(writer.writes, [['a'], ['b']]);
  await writer.finishAll();
  await Promise.all(all);
  assert.deepEqual(writer.writes, [['a'], ['b'], ['c']]);
});

test('a group that fails is tried one by one: only the commit that fails alone is refused', async () => {
  const writer = controlledWriter((items) => items.includes('bad'));
  const group = new GroupedWrites(1, writer.write);
  const outcomes = ['first', 'b', 'bad', 'c'].map((item) =>
    group.submit(item).then(
      () => 'written',
      (error: Error) => error.message,
    ),
  );
  await writer.finishAll();
  assert.deepEqual(await Promise.all(outcomes), ['written', 'written', 'refused bad', 'written']);
  assert.deepEqual(writer.writes, [['first'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
});

test('a lone commit that fails is refused with its own error, not tried again', async () => {
  const writer = controlledWriter(() => true);
  const group = new GroupedWrites(1, writer.write);
  const outcome = group.submit('x').catch((error: Error) => error.message);
  await writer.finishAll();
  assert.equal(await outcome, 'refused x');
  assert.deepEqual(writer.writes, [['x']]);
});
