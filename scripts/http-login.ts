// Signs a generated user in over HTTP as a browser does (a session cookie
// and its CSRF token), for the scripts that drive a running server.
import { GENERATED_PASSWORD } from './generate.ts';

export async function login(url: string, username: string): Promise<{ cookie: string; token: string }> {
  const first = await fetch(`${url}/session`, { headers: { Accept: 'application/json' } });
  let cookie = (first.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrfToken } = (await first.json()) as { csrfToken: string };
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrfToken },
    body: JSON.stringify({ username, password: GENERATED_PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
  cookie = (response.headers.get('set-cookie') ?? cookie).split(';')[0];
  return { cookie, token: ((await response.json()) as { csrfToken: string }).csrfToken };
}
