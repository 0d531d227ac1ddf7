// The feature routers, mounted so that a request only walks the routers that
// can answer it. Mounted one after another, every request tried the routes of
// each router before its own (about 150 routes in 14 routers): a tenth of a
// page's time went to matching paths that could not match. Each router's
// routes are read once, at start-up, and grouped by the first segment of
// their path ("lessons" for /lessons/:lessonId); a request walks, in the
// original order, only the routers with a route under its first segment.
// A router with a route whose first segment is not fixed (/:id) is walked by
// every request, so nothing that could answer is ever skipped.
import type { RequestHandler, Router } from 'express';

interface RouterLayer {
  route?: { path: unknown };
  rawPath?: unknown;
}

/** Routers with a route whose first segment is a parameter or a pattern: they may answer any path. */
const ANY = Symbol('any segment');

/** The first path segments a router answers under (Express matches paths without regard to case). */
function firstSegments(router: Router): Set<string | typeof ANY> {
  const segments = new Set<string | typeof ANY>();
  for (const layer of router.stack as RouterLayer[]) {
    // Middleware inside a router (router.use) would run for every path that reaches it.
    const paths = [layer.route ? layer.route.path : ANY].flat(Infinity);
    for (const path of paths) {
      if (typeof path !== 'string') {
        segments.add(ANY);
        continue;
      }
      const segment = path.split('/')[1] ?? '';
      segments.add(/[:*{}()?+\\]/.test(segment) ? ANY : segment.toLowerCase());
    }
  }
  return segments;
}

function firstSegmentOf(path: string): string {
  const end = path.indexOf('/', 1);
  return (end === -1 ? path.slice(1) : path.slice(1, end)).toLowerCase();
}

/** The routers, for a test that lists every route the app has. */
export type Dispatcher = RequestHandler & { routers: Router[] };

export function dispatch(routers: Router[]): Dispatcher {
  const answers = routers.map((router) => ({ router, segments: firstSegments(router) }));
  const everywhere = answers.filter(({ segments }) => segments.has(ANY)).map(({ router }) => router);
  const bySegment = new Map<string, Router[]>();
  for (const { segments } of answers) {
    for (const segment of segments) {
      if (segment === ANY || bySegment.has(segment)) continue;
      bySegment.set(
        segment,
        answers.filter((candidate) => candidate.segments.has(segment) || candidate.segments.has(ANY)).map(({ router }) => router),
      );
    }
  }
  const handler: RequestHandler = (req, res, next) => {
    const candidates = bySegment.get(firstSegmentOf(req.path)) ?? everywhere;
    let at = 0;
    const walk = (error?: unknown): void => {
      // An error (or next('router') from the last candidate) goes on to the app's handlers.
      if (error && error !== 'router') return next(error);
      if (at === candidates.length) return next();
      candidates[at++](req, res, walk);
    };
    walk();
  };
  return Object.assign(handler, { routers });
}

/**
 * Middlewares that every request passes through, run one after another as
 * one layer: what app.use of each would do, without the router's matching
 * and bookkeeping between them. An error skips the rest, as it would there.
 */
export function inSeries(steps: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let at = 0;
    const step = (error?: unknown): void => {
      if (error) return next(error);
      if (at === steps.length) return next();
      // A step that throws or rejects (rather than calling next with an error)
      // reaches the error handler too, as Express 5 does for each layer.
      try {
        const returned = steps[at++](req, res, step) as unknown;
        if (returned instanceof Promise) returned.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
