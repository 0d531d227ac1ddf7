// What the LTI routes and the quiz submission share for the life of an app:
// the platforms' key cache, the service token cache and the grade outbox worker.
import type { AppContext } from '../context.ts';
import { GradeOutbox } from './outbox.ts';
import { PlatformKeys } from './platform-keys.ts';
import { TokenClient } from './services.ts';

export interface LtiServices {
  platformKeys: PlatformKeys;
  tokens: TokenClient;
  outbox: GradeOutbox;
  /** stops the outbox worker (the app is closing) */
  stop(): Promise<void>;
}

/** Starts the outbox (it resumes where it left off). The tool key is made at server start (server.ts) or first use. */
export function startLtiServices(ctx: Omit<AppContext, 'lti'>): LtiServices {
  const full = ctx as AppContext;
  const tokens = new TokenClient(ctx.store, ctx.now);
  const outbox = new GradeOutbox(full, tokens);
  outbox.start();
  return { platformKeys: new PlatformKeys(), tokens, outbox, stop: () => outbox.stop() };
}
