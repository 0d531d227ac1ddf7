// Addresses in LTI: platform endpoints must be https, except on loopback
// addresses (development and tests); the tool's own URLs come from
// PUBLIC_URL or, without it, from the request.
import { isIP } from 'node:net';
import type { Request } from 'express';
import type { Config } from '../config.ts';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** The URL if a platform may use it (https, or http on a loopback address), else null. */
export function platformUrl(value: unknown): URL | null {
  if (typeof value !== 'string' || value.length > 2000) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  return null;
}

/** FrameCheck's own absolute URL for a path. */
export function toolUrl(config: Config, req: Request, path: string): string {
  const base = config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
  return `${base}${path}`;
}
