// How far the server's heap may grow between full collections, set once the
// server listens (its store loaded).
//
// By default V8 lets the old generation grow to up to four times what is
// live before it collects it in full. Under load, request garbage that
// outlives two young collections piles up there: a district (about 290 MiB
// live after start-up) stood at 1.1 GiB resident after the bench's load.
// Growing by at most 100 % between full collections keeps it near 800 MiB.
//
// The cap is set once the server listens, not before the store loads: while
// a million records are loaded every one of them stays live, and a capped
// heap collects in full again and again on the way up (three more full
// collections on the district, 0.3-0.4 s of its start-up). V8 applies the
// flag from its next full collection, which could otherwise come only at
// up to four times what is live, so one is run straight after the server
// starts serving (a pause of about 0.2 s on the district, once).
// See docs/performance-notes.md.
import v8 from 'node:v8';
import vm from 'node:vm';

export const HEAP_FLAGS = ['--heap-growing-percent=100'];

/** The heap flags to set: those the operator did not give on the command line or in NODE_OPTIONS. */
export function heapFlagsToSet(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const nameOf = (arg: string) => arg.split('=')[0].replaceAll('_', '-');
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].filter(Boolean).map(nameOf));
  return HEAP_FLAGS.filter((flag) => !given.has(nameOf(flag)));
}

/** Caps the heap's growth from here on (everything is loaded), unless the operator chose otherwise. */
export function capHeapGrowth(): void {
  const flags = heapFlagsToSet();
  if (!flags.length) return;
  for (const flag of flags) v8.setFlagsFromString(flag);
  setImmediate(collectInFull);
}

/**
 * One full collection, so that the cap applies from now rather than from
 * whenever V8 would next collect in full. The collector is reached the way
 * --expose-gc offers it, in a context of its own, and hidden again at once.
 */
function collectInFull(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  v8.setFlagsFromString('--no-expose-gc');
  gc();
}
