// The HTTP server the app is served by.
//
// Express gives every request and response its own prototype as they arrive
// (Object.setPrototypeOf(req, app.request) in app.handle). In V8 an object
// whose prototype was changed does not share hidden classes with its
// siblings: each property then added to it (Express, Node's streams and
// FrameCheck's middleware add dozens) makes a new hidden class, request
// after request, so the property accesses of every layer keep missing their
// caches and fall back to V8's runtime. Measured on the quiz answer, 28 % of
// the main thread's samples were in those misses (perf, small data set);
// a bare Express "ok" route serves 2-3 times as many requests when its
// objects are built this way (docs/performance-notes.md).
//
// So Node builds the request and response with Express's prototypes from the
// start: Express's change of prototype then finds nothing to change (V8
// leaves an object alone whose prototype is already the one given).
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Express } from 'express';

/**
 * A constructor for Node's server whose objects are `base`'s, made with
 * `prototype` instead of `base.prototype`. Node's IncomingMessage and
 * ServerResponse are old-style constructors, called on the new object.
 * (Reflect.construct with this constructor as new.target would do the same
 * for a class, but V8 then derives a fresh hidden class for every object,
 * which is the very cost this avoids; a Node whose constructors have become
 * classes is served by them unchanged.)
 */
function madeWithPrototype<T extends typeof IncomingMessage | typeof ServerResponse>(base: T, prototype: object): T {
  if (/^class\b/.test(Function.prototype.toString.call(base))) return base;
  const construct = base as unknown as (this: object, first: unknown, second: unknown) => void;
  function Made(this: object, first: unknown, second: unknown) {
    construct.call(this, first, second);
  }
  Made.prototype = prototype;
  return Made as unknown as T;
}

/** An HTTP server for `app` whose requests and responses arrive with the app's prototypes. */
export function serverFor(app: Express): Server {
  return createServer(
    {
      IncomingMessage: madeWithPrototype(IncomingMessage, app.request),
      ServerResponse: madeWithPrototype(ServerResponse, app.response),
    },
    app,
  );
}
