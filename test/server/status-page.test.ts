/**
 * Issue 17: the status page at GET / in a real browser (Debian's chromium, headless, driven by
 * playwright-core): it shows tenants × services coloured as the console colours them, changes
 * without a reload when the cluster changes, reads on a phone, and loads nothing from outside.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../helpers/test-env.js';
import { tempDir } from '../helpers/temp.js';
import { serverWorld, type ServerWorld } from './world.js';

const CHROMIUM = '/usr/bin/chromium';
/** Without these chromium reaches for outside hosts many times a second (DEPENDENCIES.md). */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CELL = (service: string, field: string) => `tr[data-service="test-download/${service}"] td[data-field="${field}"]`;
/** The console's tones as the page paints them (green ok, yellow warn). */
const GREEN = 'rgb(63, 185, 80)';
const YELLOW = 'rgb(210, 153, 34)';

describeWith('the status page in headless chromium (issue 17)', 'chromium', existsSync(CHROMIUM) ? CHROMIUM : undefined, `${CHROMIUM} is missing (apt-get install -y chromium)`, (executablePath) => {
  let w: ServerWorld;
  let browser: BrowserContext;
  const requested: string[] = [];

  beforeAll(async () => {
    w = await serverWorld();
    browser = await chromium.launchPersistentContext(tempDir('ecp-chromium-'), { executablePath, headless: true, args: ARGS });
    browser.on('request', (request) => requested.push(request.url()));
  });
  afterAll(async () => {
    await browser?.close();
    await w?.stop();
  });

  const cellText = (page: Page, service: string, field: string) => page.locator(CELL(service, field)).textContent();
  const colourOf = (page: Page, service: string, field: string) => page.locator(CELL(service, field)).evaluate((el) => getComputedStyle(el).color);

  it('asks for a token without one, and shows nothing', async () => {
    const page = await browser.newPage();
    await page.goto(`${w.url}/`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('tr[data-service]').count()).toBe(0);
    await page.close();
  });

  it('shows every tenant × service, changes live when the cluster changes, and never reloads', async () => {
    const page = await browser.newPage();
    await page.goto(`${w.url}/#token=${w.tokens.reader}`);
    await page.locator(CELL('callbot', 'sync')).filter({ hasText: 'Synced' }).waitFor();
    // The token left the address bar; the page keeps it for the tab only.
    expect(page.url()).toBe(`${w.url}/`);
    expect(await page.locator('#login').isVisible()).toBe(false);
    expect(await page.locator('#summary').textContent()).toBe('6 services: 6 synced, 0 out of sync, 0 degraded');
    expect(await page.locator('section[data-tenant]').evaluateAll((s) => s.map((e) => (e as HTMLElement).dataset.tenant))).toEqual(['acme-prod', 'test-download']);
    expect(await cellText(page, 'callbot', 'manifest_tag')).toBe('v1.0.0-seed01');
    expect(await cellText(page, 'callbot', 'health')).toBe('Healthy');
    expect(await colourOf(page, 'callbot', 'sync')).toBe(GREEN);
    expect(await colourOf(page, 'callbot', 'health')).toBe(GREEN);
    await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));

    // Someone changes the live Deployment by hand: the page shows the drift, in the console's yellow.
    const live = await w.s.client.readDeployment('test-download', 'callbot');
    await w.s.client.setContainerImage('test-download', 'callbot', 'callbot', 'localhost:5000/ecp-ai/callbot:v9.9.9-hand', live!.metadata!.resourceVersion!);
    await page.locator(CELL('callbot', 'sync')).filter({ hasText: 'OutOfSync' }).waitFor();
    expect(await cellText(page, 'callbot', 'live_tag')).toBe('v9.9.9-hand');
    // The cell may be redrawn between finding it and reading its style: ask until it holds still.
    await expect.poll(() => colourOf(page, 'callbot', 'sync'), { timeout: 5_000 }).toBe(YELLOW);
    expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    expect(await cellText(page, 'chatbot', 'sync')).toBe('Synced');
    await page.close();
  });

  it('reads on a phone: no sideways scrolling, each cell labelled', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${w.url}/#token=${w.tokens.reader}`);
    await page.locator(CELL('advisor', 'sync')).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await page.locator(CELL('advisor', 'health')).evaluate((el) => getComputedStyle(el, '::before').content)).toBe('"HEALTH"');
    await page.close();
  });

  it('loaded nothing from outside the server', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((u) => !u.startsWith(`${w.url}/`))).toEqual([]);
  });
});
