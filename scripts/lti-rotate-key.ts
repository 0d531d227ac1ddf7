// npm run lti:rotate-key: a new LTI signing key signs from now on; the old
// one stays published at /lti/jwks until nothing it signed can still be in
// use (see src/lti/keys.ts). Running servers pick the new key up at once:
// they read the keys from the store each time they sign.
import { loadConfig } from '../src/config.ts';
import { RETIRED_KEY_PUBLISHED_MS, rotateKey } from '../src/lti/keys.ts';
import { openStore } from '../src/store/open.ts';

const store = await openStore(loadConfig());
try {
  const { newKid, retired } = await rotateKey(store, new Date());
  console.log(`New LMS signing key ${newKid} signs from now on.`);
  if (retired.length) console.log(`Retired ${retired.join(', ')}: still published for ${RETIRED_KEY_PUBLISHED_MS / 60_000} minutes.`);
} finally {
  await store.close();
}
