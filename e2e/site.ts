// The browser harness: the real server, Chromium, and the checks every visited
// page goes through (axe-core, 375 px overflow, console errors, saved HTML for
// the Nu HTML Checker, screenshots).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page, type Response } from 'playwright-core';
import { ROOT, tempDir } from '../tests/helpers.ts';
import { exitOf, startServer, type ServerProcess } from '../tests/server-process.ts';
import type { StoreBackend } from '../src/store/backend.ts';
import { openStore } from '../src/store/open.ts';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const SCREENSHOT_DIR = path.join(ROOT, 'docs', 'screenshots');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const AXE_SOURCE = readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const VNU_JAR = path.join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
// Long pages are cut here in screenshots: enough to show the look, small enough for a README.
const SHOT_MAX_HEIGHT = { desktop: 1500, phone: 1700 };

interface CheckOptions {
  /** file name stem in docs/screenshots/, e.g. "landing" -> landing-desktop.png, landing-phone.png */
  screenshot?: string;
  /** run axe once (desktop, light) instead of twice; for pages that repeat a template already checked */
  quick?: boolean;
}

interface SavedPage {
  label: string;
  url: string;
}

export interface CheckedPage extends SavedPage {
  status: number;
}

export class Site {
  readonly axeProblems: string[] = [];
  readonly overflowProblems: string[] = [];
  readonly consoleProblems: string[] = [];
  readonly uncheckedPages: string[] = [];
  readonly checked: CheckedPage[] = [];
  readonly screenshots: string[] = [];

  private readonly htmlDir: string;
  private readonly saved = new Map<string, SavedPage>();
  private readonly lastDocument = new Map<Page, Response>();
  private readonly pendingUrl = new Map<Page, string>();
  private readonly contexts = new Set<BrowserContext>();
  private readonly scriptless = new WeakSet<BrowserContext>();

  private constructor(
    public server: ServerProcess,
    readonly browser: Browser,
    private readonly dataDir: string,
    private readonly workDir: string,
  ) {
    this.htmlDir = path.join(workDir, 'html');
    mkdirSync(this.htmlDir, { recursive: true });
  }

  /** `env` is added to the server's environment (e.g. FRAMECHECK_NOW). */
  static async start(env: NodeJS.ProcessEnv = {}): Promise<Site> {
    const dataDir = tempDir('framecheck-e2e-data-');
    const workDir = tempDir('framecheck-e2e-out-');
    const server = await startServer(dataDir, env);
    let browser: Browser;
    try {
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    } catch (error) {
      server.child.kill('SIGTERM');
      throw error;
    }
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    return new Site(server, browser, dataDir, workDir);
  }

  /** Stops the server and starts it again on the same data, with `env` (a moved clock); cookies stay in the browser. */
  async restart(env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.server.child.kill('SIGTERM');
    await exitOf(this.server.child);
    this.server = await startServer(this.dataDir, env);
  }

  /**
   * Stops the server, lets `seed` write straight into its store (as /setup or
   * a roster import would make the records), and starts it again.
   */
  async seed(seed: (store: StoreBackend) => Promise<void>, env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.server.child.kill('SIGTERM');
    await exitOf(this.server.child);
    const store = await openStore({ dataDir: this.dataDir, databaseUrl: null, journalCompactBytes: 32 * 1024 * 1024 });
    try {
      await seed(store);
    } finally {
      await store.close();
    }
    this.server = await startServer(this.dataDir, env);
  }

  url(pathname: string): string {
    return this.server.url + pathname;
  }

  /** A fresh browser profile (its own cookies) with one page, at desktop width. */
  async newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await this.browser.newContext({ viewport: DESKTOP, colorScheme: 'light', locale: 'en-GB', ...options });
    this.contexts.add(context);
    if (options.javaScriptEnabled === false) this.scriptless.add(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('response', (response) => {
      const request = response.request();
      if (!request.isNavigationRequest() || response.frame() !== page.mainFrame()) return;
      if (response.status() >= 300 && response.status() < 400) return;
      const previous = this.pendingUrl.get(page);
      if (previous) this.uncheckedPages.push(previous);
      this.lastDocument.set(page, response);
      this.pendingUrl.set(page, response.url());
    });
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // A 4xx page the journey asked for (a form error, a 404) is logged by Chromium; that one is expected.
      if (message.text().startsWith('Failed to load resource') && message.location().url === page.url()) return;
      this.consoleProblems.push(`${page.url()}: console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.consoleProblems.push(`${page.url()}: page error: ${error.message}`));
    return page;
  }

  /**
   * Checks the page the browser shows now: saves its served HTML for Nu, runs
   * axe at desktop width in light mode and at phone width in dark mode, checks
   * the phone width for sideways scrolling, and takes the screenshots asked for.
   */
  async check(page: Page, label: string, options: CheckOptions = {}): Promise<void> {
    await page.waitForLoadState('load');
    const url = page.url();
    const response = this.lastDocument.get(page);
    if (!response) throw new Error(`${label}: no page was loaded`);
    let html: string;
    try {
      html = await response.text();
    } catch {
      html = await page.content();
    }
    const file = path.join(this.htmlDir, `${String(this.checked.length + 1).padStart(2, '0')}-${slug(label)}.html`);
    writeFileSync(file, html);
    this.saved.set(file, { label, url });
    this.checked.push({ label, url, status: response.status() });
    this.pendingUrl.delete(page);

    if (this.scriptless.has(page.context())) {
      // axe needs scripts to run, so the served HTML is shown again, byte for
      // byte and with the same headers, in a scripted tab that inspects it.
      const mirror = await this.mirror(url, response.status(), await response.allHeaders(), html);
      try {
        await this.inspect(mirror, label, options);
      } finally {
        await mirror.context().close();
      }
    } else {
      await this.inspect(page, label, options);
    }
  }

  private async inspect(page: Page, label: string, options: CheckOptions): Promise<void> {
    const url = page.url();
    await page.setViewportSize(DESKTOP);
    await this.axe(page, label, 'desktop, light');
    if (options.screenshot) await this.screenshot(page, `${options.screenshot}-desktop.png`, SHOT_MAX_HEIGHT.desktop);

    await page.setViewportSize(PHONE);
    const overflow = await page.evaluate(() => {
      const root = document.documentElement;
      const width = root.clientWidth;
      const offenders: string[] = [];
      if (root.scrollWidth > width) {
        for (const element of Array.from(document.querySelectorAll('body *'))) {
          const box = element.getBoundingClientRect();
          if (box.right > width + 0.5 && box.width > 0) {
            const id = element.id ? `#${element.id}` : '';
            const classes = typeof element.className === 'string' && element.className ? `.${element.className.trim().split(/\s+/).join('.')}` : '';
            offenders.push(`${element.tagName.toLowerCase()}${id}${classes} (right edge ${Math.round(box.right)} px)`);
            if (offenders.length >= 5) break;
          }
        }
      }
      return { scrollWidth: root.scrollWidth, clientWidth: width, offenders };
    });
    if (overflow.scrollWidth > overflow.clientWidth) {
      this.overflowProblems.push(
        `${label} (${url}): at ${PHONE.width} px the page is ${overflow.scrollWidth} px wide (viewport ${overflow.clientWidth} px); widest: ${overflow.offenders.join('; ')}`,
      );
    }
    if (options.screenshot) await this.screenshot(page, `${options.screenshot}-phone.png`, SHOT_MAX_HEIGHT.phone);
    if (!options.quick) {
      await page.emulateMedia({ colorScheme: 'dark' });
      await settle(page);
      await this.axe(page, label, 'phone, dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await settle(page);
    }
    await page.setViewportSize(DESKTOP);
  }

  private async mirror(url: string, status: number, headers: Record<string, string>, html: string): Promise<Page> {
    const context = await this.browser.newContext({ viewport: DESKTOP, colorScheme: 'light', locale: 'en-GB' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleProblems.push(`${url}: console error: ${message.text()}`);
    });
    const { 'content-length': _length, 'content-encoding': _encoding, 'transfer-encoding': _transfer, ...kept } = headers;
    // A request's URL has no #fragment, a page's may (after a redirect to "...#reply").
    const served = url.split('#')[0];
    await page.route((candidate) => candidate.href === served, (route) => route.fulfill({ status, headers: kept, body: html }));
    await page.goto(url);
    return page;
  }

  private async axe(page: Page, label: string, mode: string): Promise<void> {
    const started = Date.now();
    const loaded = await page.evaluate(() => 'axe' in window);
    if (!loaded) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async (tags) => {
      const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<any> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return (result.violations as any[]).map((violation) => ({
        id: violation.id as string,
        impact: violation.impact as string,
        help: violation.help as string,
        nodes: (violation.nodes as any[]).map((node) => ({
          target: (node.target as string[]).join(' '),
          summary: String(node.failureSummary ?? '').replace(/\s+/g, ' '),
        })),
      }));
    }, AXE_TAGS);
    for (const violation of violations) {
      for (const node of violation.nodes) {
        this.axeProblems.push(`${label} (${page.url()}, ${mode}): ${violation.id} [${violation.impact}] ${violation.help}: ${node.target}: ${node.summary}`);
      }
    }
    if (process.env.E2E_DEBUG) console.error(`axe ${label} ${mode}: ${Date.now() - started} ms`);
  }

  private async screenshot(page: Page, name: string, maxHeight: number): Promise<void> {
    const viewport = page.viewportSize()!;
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({
      path: path.join(SCREENSHOT_DIR, name),
      fullPage: true,
      clip: { x: 0, y: 0, width: viewport.width, height: Math.min(height, maxHeight) },
      animations: 'disabled',
      caret: 'hide',
    });
    this.screenshots.push(name);
  }

  /** Runs the Nu HTML Checker once over every saved page; returns one line per error. */
  async validateHtml(): Promise<string[]> {
    const files = [...this.saved.keys()];
    if (!files.length) return ['no page was saved for the Nu HTML Checker'];
    const { stderr, code } = await run('java', ['-Xss2m', '-jar', VNU_JAR, '--format', 'json', '--errors-only', ...files]);
    let messages: Array<{ type: string; url?: string; message: string; lastLine?: number; extract?: string }>;
    try {
      messages = JSON.parse(stderr).messages;
    } catch {
      return [`the Nu HTML Checker did not answer with JSON (exit ${code}): ${stderr.slice(0, 2000)}`];
    }
    const problems = messages
      .filter((message) => message.type !== 'info')
      .map((message) => {
        const file = message.url ? decodeURIComponent(new URL(message.url).pathname) : '';
        const page = this.saved.get(file);
        const where = page ? `${page.label} (${page.url})` : file || 'unknown file';
        return `${where}, line ${message.lastLine ?? '?'}: ${message.message}${message.extract ? ` [${message.extract.replace(/\s+/g, ' ').trim()}]` : ''}`;
      });
    if (!problems.length && code !== 0) problems.push(`the Nu HTML Checker exited with ${code}: ${stderr.slice(0, 2000)}`);
    return problems;
  }

  /** Pages that were loaded but never went through check(). */
  unchecked(): string[] {
    return [...this.uncheckedPages, ...this.pendingUrl.values()];
  }

  async stop(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => {});
    await this.browser.close().catch(() => {});
    if (this.server.child.exitCode === null) {
      this.server.child.kill('SIGTERM');
      await exitOf(this.server.child);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** Waits for CSS transitions (e.g. after a colour-scheme switch) to end, so axe sees the final colours. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.race([
      Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]),
  );
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}
