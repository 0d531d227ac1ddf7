import { Router } from 'express';
import type { AppContext } from '../context.ts';

export function checkupRoutes(_ctx: AppContext): Router {
  return Router();
}
