// What every feature needs, handed in by createApp (never read from globals).
import type { Config } from './config.ts';
import type { Catalog } from './content/catalog.ts';
import type { StoreBackend } from './store/backend.ts';
import type { Throttles } from './accounts/throttles.ts';
import type { HelpContacts } from './help.ts';
import type { PageCache } from './http/page-cache.ts';
import type { Versions } from './learning/versions.ts';
import type { LtiServices } from './lti/services-runtime.ts';
import type { ClassFiguresCache } from './admin/class-figures.ts';

export interface AppContext {
  config: Config;
  store: StoreBackend;
  catalog: Catalog;
  /** counters that slow down guessing of passwords and codes, and mass signups */
  throttles: Throttles;
  help: HelpContacts;
  now: () => Date;
  /** change counters for what progress pages show */
  versions: Versions;
  pages: PageCache;
  /** LMS connections: the grade outbox worker, service tokens, platform keys */
  lti: LtiServices;
  /** per class, the figures the school dashboard pools, kept until the class changes */
  figures: ClassFiguresCache;
}
