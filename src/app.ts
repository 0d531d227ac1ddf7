// Builds the Express app from its parts. Never listens, never reads the environment.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import ejs from 'ejs';
import type { Config } from './config.ts';
import type { Catalog } from './content/catalog.ts';
import type { AppContext } from './context.ts';
import type { StoreBackend } from './store/backend.ts';
import { Throttles } from './accounts/throttles.ts';
import { Limiters } from './accounts/limiters.ts';
import { accountRoutes } from './accounts/routes.ts';
import { classRoutes } from './classes/routes.ts';
import { familyRoutes } from './families/routes.ts';
import { helpContacts } from './help.ts';
import { homeRoutes } from './home/routes.ts';
import { learningRoutes } from './learning/routes.ts';
import { loadUser } from './http/auth.ts';
import { csrf } from './http/csrf.ts';
import { securityHeaders } from './http/security-headers.ts';
import { dispatch, inSeries } from './http/dispatch.ts';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import { privateResponses } from './http/respond.ts';
import { sessions } from './http/sessions.ts';
import { viewHelpers } from './http/view-helpers.ts';
import { checkupRoutes } from './checkups/routes.ts';
import { PageCache } from './http/page-cache.ts';
import { Versions } from './learning/versions.ts';
import { practiceRoutes } from './practice/routes.ts';
import { rosterBodyParsers, rosterRoutes } from './roster/routes.ts';
import { privacyRoutes } from './privacy/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { retentionRoutes } from './retention/routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { ClassFiguresCache } from './admin/class-figures.ts';
import { schoolRoutes } from './schools/routes.ts';
import { versionKey } from './store/schema.ts';
import { startLtiServices } from './lti/services-runtime.ts';
import { CROSS_SITE_PATHS, ltiRoutes } from './lti/routes.ts';
import { launchedFraming } from './lti/frames.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Cached pages named after what they show: `home:<studentId>`, `class:<classId>:<viewer>`. */
const STUDENT_KEY = versionKey.student('');
const CLASS_KEY = versionKey.class('');
/** Files in public/: the style sheet and icons. */
const STATIC_FILE = /\.(?:css|svg|png|ico|js|woff2?)$/;

export interface AppParts {
  config: Config;
  store: StoreBackend;
  catalog: Catalog;
  /** the clock; tests pass a fixed one */
  now?: () => Date;
}

export function createApp({ config, store, catalog, now = () => new Date() }: AppParts): express.Express {
  const base = {
    config,
    store,
    catalog,
    now,
    throttles: new Throttles(new Limiters((options) => store.rateLimiter(options), store.secret)),
    help: helpContacts(config.dataDir),
    versions: new Versions(store),
    pages: new PageCache(),
    figures: new ClassFiguresCache(),
  };
  const ctx: AppContext = Object.assign(base, { lti: undefined as unknown as AppContext['lti'] });
  ctx.lti = startLtiServices(ctx);
  // Another instance changed what some pages show: free those pages now (their
  // version check would refuse them anyway); after a lost change feed, free all.
  store.onInvalidate((keys) => {
    if (keys === 'all') return ctx.pages.clear();
    const students = keys.filter((key) => key.startsWith(STUDENT_KEY)).map((key) => `home:${key.slice(STUDENT_KEY.length)}`);
    const classes = keys.filter((key) => key.startsWith(CLASS_KEY)).map((key) => `${key}:`);
    ctx.pages.forget(students, classes);
  });
  const app = express();
  /** stops background work (the grade outbox); the server and tests call it before closing the store */
  app.locals.stopBackground = () => ctx.lti.stop();

  app.set('trust proxy', config.trustProxy);
  app.set('views', path.join(ROOT, 'views'));
  app.set('view engine', 'ejs');
  // Includes are written from the views root ("/partials/head"), which EJS
  // resolves without a file lookup per include; compiled templates are cached
  // whenever Express caches views (production).
  app.engine('ejs', (file, data, done) => {
    const settings = (data as { settings?: Record<string, unknown> }).settings ?? {};
    ejs.renderFile(file, data, { root: path.join(ROOT, 'views'), cache: Boolean(settings['view cache']), rmWhitespace: true }, done);
  });
  app.disable('x-powered-by');
  // Pages are private and change with every answer; hashing each body for an ETag costs more than it saves.
  app.set('etag', false);
  Object.assign(app.locals, viewHelpers);

  // The steps every request takes, one app-level layer: Express's router
  // costs a few microseconds per layer it walks (src/http/dispatch.ts).
  const staticFiles = express.static(path.join(ROOT, 'public'), { maxAge: config.production ? '1h' : 0, index: false });
  app.use(
    inSeries([
      securityHeaders({
        contentSecurityPolicy: {
          useDefaults: false,
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", 'data:'],
            fontSrc: ["'self'"],
            connectSrc: ["'self'"],
            formAction: ["'self'"],
            frameAncestors: ["'none'"],
            objectSrc: ["'none'"],
            baseUri: ["'self'"],
          },
        },
        // Plain HTTP on a school's LAN must keep working; TLS is the proxy's job.
        strictTransportSecurity: false,
      }),
      // Defaults every page can rely on, set first so that even an error page
      // for a request refused by the body parser or CSRF check renders.
      (req, res, next) => {
        res.locals.user = null;
        res.locals.currentPath = req.path;
        res.locals.values = {};
        res.locals.error = null;
        next();
      },
      // The style sheet and icons come before sessions and the user: they cost no
      // session read, keep their own caching, and reach the new-password page of a
      // student who must first choose one. Only such paths look for a file, so
      // dynamic pages pay for no file lookup.
      (req, res, next) => (STATIC_FILE.test(req.path) ? staticFiles(req, res, next) : next()),
      privateResponses,
      express.json({ limit: '64kb' }),
      express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }),
      sessions(store, store.secret, now),
      rosterBodyParsers(),
      // The LMS's sign-in and launch come from another site: state, nonce and the signed id_token protect them instead.
      (req, res, next) => (CROSS_SITE_PATHS.has(req.path) ? next() : csrf.csrfSynchronisedProtection(req, res, next)),
      launchedFraming,
      loadUser(ctx),
    ]),
  );

  app.use(
    dispatch([
      homeRoutes(ctx),
      accountRoutes(ctx),
      schoolRoutes(ctx),
      learningRoutes(ctx),
      classRoutes(ctx),
      familyRoutes(ctx),
      checkupRoutes(ctx),
      practiceRoutes(ctx),
      rosterRoutes(ctx),
      privacyRoutes(ctx),
      auditRoutes(ctx),
      retentionRoutes(ctx),
      ltiRoutes(ctx),
      adminRoutes(ctx),
    ]),
  );

  app.use(notFoundHandler);
  app.use(errorHandler());
  return app;
}
