import { Site } from './site.ts';
const site = await Site.start();
const page = await site.newPage({ colorScheme: 'dark' });
await page.goto(site.url('/signup'));
await page.click('main button[type="submit"]');
await page.waitForLoadState('load');
await page.screenshot({ path: '/tmp/dark-signup.png', fullPage: true });
await site.stop();
