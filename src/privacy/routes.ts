import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context.ts';
import { reply } from '../http/respond.ts';
import { privacyFacts, retentionFor } from './privacy.ts';

/** GET /privacy (the students' version) and /privacy/parents: open to anyone, signed in or not. */
export function privacyRoutes(ctx: AppContext): Router {
  const router = Router();

  async function privacyPage(req: Request, res: Response, audience: 'students' | 'parents') {
    const facts = privacyFacts(await retentionFor(ctx, req.user));
    const title = audience === 'students' ? 'Your data on FrameCheck' : 'Your child\u2019s data on FrameCheck';
    reply(req, res, `privacy/${audience}`, { title, facts: facts[audience] }, facts);
  }

  router.get('/privacy', (req, res) => privacyPage(req, res, 'students'));
  router.get('/privacy/parents', (req, res) => privacyPage(req, res, 'parents'));

  return router;
}
