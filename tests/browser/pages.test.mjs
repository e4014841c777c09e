// Browser checks for Mantelkring's public pages, run with `node --test`.
//
// Needs a running server: BASE_URL=http://127.0.0.1:PORT (scripts/test starts it).
// Chromium comes from Debian (/usr/bin/chromium, see scripts/install-test-tools);
// playwright-core only drives it over the devtools protocol.
//
// For each page and each viewport width (1280, 360) it checks: no request leaves
// the BASE_URL host, the HTTP status, <html lang="nl">, zero axe-core WCAG 2.1 A/AA
// violations, no horizontal overflow at 360 px, and it saves a full-page screenshot
// to SCREENSHOT_DIR (default: <repo>/target/screenshots). It also checks the skip
// link is the first Tab stop and that the language form switches to English.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const BASE_URL_RAW = process.env.BASE_URL;
const SCREENSHOT_DIR = path.resolve(
  process.env.SCREENSHOT_DIR || path.join(here, '..', '..', 'target', 'screenshots'),
);

const PAGES = [
  { name: 'home', path: '/', status: 200 },
  { name: 'toegankelijkheid', path: '/toegankelijkheid', status: 200 },
  { name: 'api', path: '/api', status: 200 },
  { name: '404', path: '/deze-pagina-bestaat-niet', status: 404 },
  { name: 'registreren', path: '/registreren', status: 200 },
  { name: 'wachtwoord-vergeten', path: '/wachtwoord-vergeten', status: 200 },
  { name: 'link-verlopen', path: '/wachtwoord-instellen?token=onbekend', status: 400 },
];
const WIDTHS = [1280, 360];
const HEIGHT = 800;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const TEST_TIMEOUT_MS = 90_000;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!BASE_URL_RAW) {
  throw new Error(
    'BASE_URL is not set: start the server and run e.g. ' +
      'BASE_URL=http://127.0.0.1:8123 npm test (scripts/test does this for you)',
  );
}
const BASE = new URL(BASE_URL_RAW);
const urlFor = (p) => new URL(p, BASE).href;

// True when a request URL stays on the server under test (or needs no network).
function isLocal(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:'].includes(u.protocol)) return true;
  return u.host === BASE.host && u.protocol === BASE.protocol;
}

let context; // playwright persistent BrowserContext
let profileDir;
let axeSource;

async function launch() {
  profileDir = await mkdtemp(path.join(tmpdir(), 'mantelkring-chromium-'));
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: WIDTHS[0], height: HEIGHT },
    locale: 'nl-NL',
    timeout: 60_000,
  });
}

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run scripts/install-test-tools first`);
  }
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  // One retry with a brand-new profile: a first start on a cold machine can time out.
  try {
    context = await launch();
  } catch (err) {
    console.error(`chromium failed to start (${err.message.split('\n')[0]}); retrying once`);
    await rm(profileDir, { recursive: true, force: true }).catch(() => {});
    context = await launch();
  }
  // Never let a request leave the machine: abort (and so fail on) anything
  // that is not the server under test. Requests are still seen by 'request'.
  await context.route(
    (url) => !isLocal(url.href),
    (route) => route.abort('blockedbyclient'),
  );
});

after(async () => {
  await context?.close().catch(() => {});
  if (profileDir) await rm(profileDir, { recursive: true, force: true }).catch(() => {});
});

// Opens a fresh tab at the given width, recording every request it makes.
async function openPage(width) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: HEIGHT });
  const requests = [];
  page.on('request', (req) => requests.push(req.url()));
  return { page, requests };
}

// Injects axe-core and runs it. page.addScriptTag({content}) would be an inline
// <script>, which the app's CSP (script-src 'self') blocks; page.evaluate runs
// through the devtools protocol, which CSP does not govern.
async function runAxe(page) {
  const injected = await page.evaluate(`${axeSource}\n;typeof window.axe`);
  assert.equal(injected, 'object', 'axe-core could not be injected into the page');
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(' '),
        html: n.html.slice(0, 200),
        summary: n.failureSummary,
      })),
    }));
  }, AXE_TAGS);
}

function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target}\n      ${n.html}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}

describe('pages', () => {
  for (const spec of PAGES) {
    for (const width of WIDTHS) {
      test(`${spec.name} (${spec.path}) at ${width}px`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
        const { page, requests } = await openPage(width);
        try {
          const response = await page.goto(urlFor(spec.path), { waitUntil: 'load' });
          assert.ok(response, `no response for ${spec.path}`);
          // Screenshot first, so there is one to look at even when a check fails.
          await page.screenshot({
            path: path.join(SCREENSHOT_DIR, `${spec.name}-${width}.png`),
            fullPage: true,
          });

          await t.test('HTTP status', () => {
            assert.equal(response.status(), spec.status, `status of ${spec.path}`);
          });

          await t.test('html lang is nl', async () => {
            const lang = await page.evaluate(() => document.documentElement.lang);
            assert.equal(lang, 'nl');
          });

          await t.test('axe: no WCAG 2.1 A/AA violations', async () => {
            const violations = await runAxe(page);
            if (violations.length > 0) {
              const report = formatViolations(violations);
              assert.fail(`${violations.length} axe violation(s) on ${spec.path} at ${width}px:\n${report}`);
            }
          });

          if (width === 360) {
            await t.test('no horizontal overflow', async () => {
              const { scrollWidth, innerWidth } = await page.evaluate(() => ({
                scrollWidth: document.documentElement.scrollWidth,
                innerWidth: window.innerWidth,
              }));
              assert.ok(
                scrollWidth <= innerWidth,
                `page is ${scrollWidth}px wide in a ${innerWidth}px viewport`,
              );
            });
          }

          // Last, so it also covers requests made while the page was in use.
          await t.test('no requests to other hosts', () => {
            const foreign = [...new Set(requests.filter((u) => !isLocal(u)))];
            assert.deepEqual(foreign, [], `requests leaving ${BASE.host}`);
          });
        } finally {
          await page.close();
        }
      });
    }
  }
});

describe('keyboard', () => {
  test('first Tab stop on / is a visible skip link to #inhoud', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { page } = await openPage(WIDTHS[0]);
    try {
      await page.goto(urlFor('/'), { waitUntil: 'load' });
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        return el ? { tag: el.tagName.toLowerCase(), href: el.getAttribute('href'), text: el.textContent.trim() } : null;
      });
      assert.ok(focused, 'nothing has focus after Tab');
      assert.equal(focused.tag, 'a', `first Tab stop is <${focused.tag}>, expected the skip link`);
      assert.equal(focused.href, '#inhoud', 'first Tab stop does not link to #inhoud');
      const box = await page.locator(':focus').boundingBox();
      assert.ok(box && box.height > 0 && box.width > 0, `skip link is not visible when focused (box: ${JSON.stringify(box)})`);
      const target = await page.evaluate(() => document.getElementById('inhoud') !== null);
      assert.ok(target, 'there is no element with id="inhoud" for the skip link');
    } finally {
      await page.close();
    }
  });
});

// Last, because it sets the language for the whole (shared) browser context.
describe('language', () => {
  test('the language form on / switches to English', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { page, requests } = await openPage(WIDTHS[0]);
    try {
      await page.goto(urlFor('/'), { waitUntil: 'load' });
      const forms = page.locator('form[action$="/taal"]');
      assert.ok((await forms.count()) > 0, 'no <form action=".../taal"> on /');
      const buttons = forms.locator('button, input[type="submit"]');
      const n = await buttons.count();
      assert.ok(n > 0, 'the /taal form has no submit button');
      // With several choices, take the one that asks for English.
      let button = buttons.first();
      if (n > 1) {
        let found = null;
        for (let i = 0; i < n && !found; i++) {
          const b = buttons.nth(i);
          const info = await b.evaluate((el) => ({
            value: el.getAttribute('value') || '',
            lang: el.getAttribute('lang') || '',
            text: (el.textContent || '').trim(),
          }));
          if (info.value === 'en' || info.lang === 'en' || /english/i.test(info.text)) found = b;
        }
        assert.ok(found, 'no English button in the /taal form');
        button = found;
      }
      const posted = page.waitForRequest(
        (req) => req.method() === 'POST' && new URL(req.url()).pathname.endsWith('/taal'),
      );
      const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
      await button.click();
      await posted;
      await navigated;
      await page.waitForLoadState('load');
      const lang = await page.evaluate(() => document.documentElement.lang);
      assert.equal(lang, 'en', `after switching, html lang is ${JSON.stringify(lang)}`);
      assert.deepEqual([...new Set(requests.filter((u) => !isLocal(u)))], [], `requests leaving ${BASE.host}`);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

// --- Logging in as a professional with a second factor, then opening a caregiver's page -------

import { createHmac } from 'node:crypto';

const PROFESSIONAL = { email: 'marieke.jansen@demo.mantelkring.nl', password: 'demo-mantelkring-2026', totp: 'DEMOPROFESSIONALMANTELKRINGAAAAA' };
const CAREGIVER_PAGE = process.env.CAREGIVER_PAGE;
const ADMINISTRATOR = { email: 'beheer@demo.mantelkring.nl', password: 'demo-mantelkring-2026', totp: 'DEMOBEHEERDERMANTELKRINGAAAAAAAA' };
const LOG_ADMINISTRATOR = { email: 'logbeheer@demo.mantelkring.nl', password: 'demo-mantelkring-2026', totp: 'DEMOLOGBEHEERDERMANTELKRINGAAAAA' };
const CAREGIVER = { email: 'ria.devries@demo.mantelkring.nl', password: 'demo-mantelkring-2026' };

// Logs in through the form (and the code step when `totp` is given).
async function logIn(page, who) {
  await page.goto(urlFor('/inloggen'), { waitUntil: 'load' });
  await page.fill('#email', who.email);
  await page.fill('#wachtwoord', who.password);
  await Promise.all([page.waitForNavigation(), page.click('form.mk-form button[type=submit]')]);
  if (who.totp) {
    await page.fill('#code', totp(who.totp));
    await Promise.all([page.waitForNavigation(), page.click('form.mk-form button[type=submit]')]);
  }
}

// Visits each path at both widths (already logged in) and runs the page checks.
async function sweep(t, page, requests, paths) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT });
    for (const [name, p] of paths) {
      const response = await page.goto(urlFor(p), { waitUntil: 'load' });
      await t.test(`${name}: status 200 at ${width}px`, () => assert.equal(response.status(), 200));
      await checkPage(t, page, requests, name, width);
    }
  }
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits), as an authenticator app computes it.
function totp(secret, now = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const code = (((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1_000_000;
  return String(code).padStart(6, '0');
}

async function checkPage(t, page, requests, name, width) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  await t.test(`${name}: html lang is nl`, async () => {
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  });
  await t.test(`${name}: axe: no WCAG 2.1 A/AA violations`, async () => {
    const violations = await runAxe(page);
    if (violations.length > 0) assert.fail(`${name} at ${width}px:\n${formatViolations(violations)}`);
  });
  await t.test(`${name}: no horizontal overflow`, async () => {
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `${name} is ${scrollWidth}px wide in ${innerWidth}px`);
  });
  await t.test(`${name}: no requests to other hosts`, () => {
    assert.deepEqual([...new Set(requests.filter((u) => !isLocal(u)))], []);
  });
}

describe('login', () => {
  test('a professional logs in with TOTP and opens a caregiver page', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    assert.ok(CAREGIVER_PAGE, 'CAREGIVER_PAGE is not set (scripts/test reads it from the demo output)');
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      // Before logging in, the caregiver page sends the visitor to the login page.
      await page.goto(urlFor(CAREGIVER_PAGE), { waitUntil: 'load' });
      assert.match(new URL(page.url()).pathname, /^\/inloggen$/);
      await checkPage(t, page, requests, 'inloggen', 360);

      await page.fill('#email', PROFESSIONAL.email);
      await page.fill('#wachtwoord', PROFESSIONAL.password);
      await Promise.all([page.waitForNavigation(), page.click('form.mk-form button[type=submit]')]);
      assert.match(new URL(page.url()).pathname, /^\/inloggen\/code$/);
      await checkPage(t, page, requests, 'inloggen-code', 360);

      await page.fill('#code', totp(PROFESSIONAL.totp));
      await Promise.all([page.waitForNavigation(), page.click('form.mk-form button[type=submit]')]);
      // Back where she wanted to go: the caregiver's page, with what Ria shares with her.
      assert.equal(new URL(page.url()).pathname, CAREGIVER_PAGE);
      const text = await page.textContent('main');
      assert.ok(text.includes('Ria de Vries'), 'caregiver name shown');
      assert.ok(text.includes('071 555 0101'), 'contact details shared with this professional');
      await checkPage(t, page, requests, 'mantelzorger', 360);

      await page.goto(urlFor('/account'), { waitUntil: 'load' });
      await checkPage(t, page, requests, 'account', 360);
      await page.goto(urlFor('/mijn-gegevens/inzage'), { waitUntil: 'load' });
      await checkPage(t, page, requests, 'inzage', 360);

      // Her API tokens: the form (fieldset with check boxes), then the new secret, shown once.
      await page.goto(urlFor('/account/api-sleutels'), { waitUntil: 'load' });
      await checkPage(t, page, requests, 'api-sleutels', 360);
      await page.fill('#naam', 'ECD Steunpunt');
      await page.check('input[name=toegang][value="people:read"]');
      await page.fill('#dagen', '30');
      await Promise.all([page.waitForNavigation(), page.click('form.mk-form button[type=submit]')]);
      assert.match(await page.inputValue('#sleutel'), /^mk_[a-z2-7]{52}$/);
      await checkPage(t, page, requests, 'api-sleutels-nieuw', 360);

      await page.setViewportSize({ width: 1280, height: HEIGHT });
      await page.goto(urlFor(CAREGIVER_PAGE), { waitUntil: 'load' });
      await checkPage(t, page, requests, 'mantelzorger', 1280);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

describe('pages behind a login', () => {
  test('the administration area, as an administrator with TOTP', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logIn(page, ADMINISTRATOR);
      await page.goto(urlFor('/beheer/gebruikers?zoek=ria'), { waitUntil: 'load' });
      const userLink = await page.getAttribute('table a[href^="/beheer/gebruikers/"]', 'href');
      assert.ok(userLink, 'the search finds Ria');
      await sweep(t, page, requests, [
        ['beheer', '/beheer'],
        ['beheer-regios', '/beheer/regios'],
        ['beheer-organisaties', '/beheer/organisaties'],
        ['beheer-gebruikers', '/beheer/gebruikers'],
        ['beheer-uitnodigen', '/beheer/gebruikers/uitnodigen'],
        ['beheer-gebruiker', userLink],
        ['beheer-wissen', `${userLink}/wissen`],
      ]);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });

  test('the access log search, as a log administrator with TOTP', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logIn(page, LOG_ADMINISTRATOR);
      await sweep(t, page, requests, [
        ['logboek', '/logboek'],
        ['logboek-gezocht', '/logboek?actie=login'],
      ]);
      assert.ok((await page.textContent('main')).includes('inloggen'), 'login events are listed');
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });

  test('"Mijn gegevens", as a caregiver, and registering a caregiver, as a professional', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logIn(page, CAREGIVER);
      await sweep(t, page, requests, [
        ['mijn-gegevens', '/mijn-gegevens'],
        ['mijn-gegevens-overzicht', '/mijn-gegevens/overzicht'],
        ['toestemmingen', '/mijn-gegevens/toestemmingen'],
      ]);
      const download = await page.request.get(urlFor('/mijn-gegevens/download'));
      assert.equal(download.status(), 200);
      assert.equal((await download.json()).account.email, CAREGIVER.email);
      await context.clearCookies();
      await logIn(page, PROFESSIONAL);
      await sweep(t, page, requests, [['mantelzorger-aanmelden', '/mantelzorger-aanmelden']]);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

// --- Sociale kaart: the editors' pages, the public error report, the freshness overview --------

const EDITOR = { email: 'lotte.hendriks@demo.mantelkring.nl', password: 'demo-mantelkring-2026' };
const COORDINATOR = { email: 'karin.mulder@demo.mantelkring.nl', password: 'demo-mantelkring-2026', totp: 'DEMONETWERKCOORDINATORMANTELKRIN' };

describe('sociale kaart: beheer', () => {
  test('an editor keeps the Steunpunt\'s entries up to date, by keyboard and without JavaScript', { timeout: TEST_TIMEOUT_MS * 2 }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logIn(page, EDITOR);
      // One organisation: /kaart/beheer goes straight to its dashboard.
      await page.goto(urlFor('/kaart/beheer'), { waitUntil: 'load' });
      const dashboard = new URL(page.url()).pathname;
      assert.match(dashboard, /^\/kaart\/beheer\/organisaties\/[0-9a-f-]{36}$/);
      const text = await page.textContent('main');
      assert.ok(text.includes('te lang niet gecontroleerd'), 'the stale service is flagged');
      const serviceLink = await page.getAttribute('a[href^="/kaart/beheer/diensten/"]', 'href');
      const locationLink = await page.getAttribute('a[href^="/kaart/beheer/locaties/"]', 'href');
      const serviceId = serviceLink.split('/')[4];
      await sweep(t, page, requests, [
        ['kaart-beheer', dashboard],
        ['kaart-dienst', serviceLink],
        ['kaart-dienst-versies', `${serviceLink}/versies`],
        ['kaart-dienst-nieuw', `${dashboard}/diensten/nieuw`],
        ['kaart-locatie', locationLink],
        ['kaart-locatie-versies', `${locationLink}/versies`],
        ['kaart-locatie-nieuw', `${dashboard}/locaties/nieuw`],
        ['kaart-profiel', `${dashboard}/profiel`],
        ['kaart-melding', `/kaart/diensten/${serviceId}/melding`],
      ]);
      assert.equal(await page.locator('script').count(), 0, 'no script: everything works without JavaScript');

      // A form with mistakes comes back with an error summary linking to each field (400).
      await page.setViewportSize({ width: 360, height: HEIGHT });
      await page.goto(urlFor(serviceLink), { waitUntil: 'load' });
      await page.fill('#naam', 'x');
      await page.fill('#website', 'www.zonder-https.example');
      await Promise.all([page.waitForNavigation(), page.click('form.mk-form button[type=submit]')]);
      const summary = await page.textContent('.mk-error-summary');
      assert.ok(summary.includes('Vul een naam in'), summary);
      assert.equal(await page.getAttribute('#naam', 'aria-invalid'), 'true');
      await checkPage(t, page, requests, 'kaart-dienst-fouten', 360);

      // "Klopt nog" by keyboard only: Tab to the first button, press Enter.
      await page.goto(urlFor(dashboard), { waitUntil: 'load' });
      let found = false;
      for (let i = 0; i < 80 && !found; i++) {
        await page.keyboard.press('Tab');
        found = await page.evaluate(() => {
          const el = document.activeElement;
          return !!el && el.tagName === 'BUTTON' && el.closest('form')?.action.endsWith('/klopt-nog');
        });
      }
      assert.ok(found, 'a "Klopt nog" button is reachable with Tab');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.ok((await page.textContent('main')).includes('De dienst is gecontroleerd'));
      assert.ok(!(await page.textContent('main')).includes('te lang niet gecontroleerd'), 'no longer stale');
      await checkPage(t, page, requests, 'kaart-beheer-gecontroleerd', 360);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });

  test('the freshness overview, as a network coordinator with TOTP', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logIn(page, COORDINATOR);
      await sweep(t, page, requests, [['kaart-actualiteit', '/kaart/actualiteit']]);
      assert.ok((await page.textContent('main')).includes('Steunpunt Mantelzorg Rijnstreek'));
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

// --- Sociale kaart: the public search, detail and print pages (no login) ----------------------

describe('sociale kaart: zoeken', () => {
  test('the public map: search, filters, distance, paging, detail and print, at 1280 and 360 px', { timeout: TEST_TIMEOUT_MS * 2 }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(1280);
    try {
      await sweep(t, page, requests, [
        ['kaart', '/kaart'],
        ['kaart-zoeken', '/kaart?q=respijt&postcode=2311&afstand=10'],
        ['kaart-filters', '/kaart?soort=lotgenotencontact&betaling=gratis&sorteer=afstand&postcode=2312'],
        ['kaart-pagina-2', '/kaart?pagina=2'],
        ['kaart-afdrukken', '/kaart/afdrukken?q=dagbesteding'],
      ]);
      // Typing errors and compounds are forgiven; distances are shown.
      await page.goto(urlFor('/kaart?q=mantelzrg+consulent&postcode=2311&afstand=25'), { waitUntil: 'load' });
      const first = await page.textContent('.mk-result__title');
      assert.match(first, /consulent/i, first);
      assert.ok((await page.textContent('.mk-results')).includes('km'), 'distance shown');
      // The form works by keyboard alone: type in the search field, Enter submits.
      await page.goto(urlFor('/kaart'), { waitUntil: 'load' });
      await page.focus('#q');
      await page.keyboard.type('alzheimer cafe');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.ok(new URL(page.url()).search.includes('q=alzheimer+cafe'));
      assert.match(await page.textContent('.mk-results'), /Alzheimer/);
      const detail = await page.getAttribute('.mk-result__title a', 'href');
      await sweep(t, page, requests, [['kaart-dienst-publiek', detail]]);
      assert.ok((await page.textContent('main')).includes('voor het laatst gecontroleerd'));
      // A bad postcode gets a clear Dutch message (400), not an error page.
      const response = await page.goto(urlFor('/kaart?postcode=12'), { waitUntil: 'load' });
      assert.equal(response.status(), 400);
      assert.ok((await page.textContent('.mk-alert')).includes('Deze postcode klopt niet'));
      await checkPage(t, page, requests, 'kaart-fout', 1280);
      assert.equal(await page.locator('script').count(), 0, 'no script needed');
    } finally {
      await page.close();
    }
  });
});

// --- The kring (care network) ------------------------------------------------------------------

const NETWORK_MEMBER = { email: 'sanne.devries@demo.mantelkring.nl', password: 'demo-mantelkring-2026' };

// Today in Amsterdam, YYYY-MM-DD (what the app calls today).
function amsterdamToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
}

// Adds a one-off task for today through the agenda's own form.
async function addTaskToday(page, overview, title) {
  await page.goto(urlFor(`${overview}/agenda/taken/nieuw`), { waitUntil: 'load' });
  await page.fill('#titel', title);
  await page.check('#soort_eenmalig');
  await page.fill('#datum', amsterdamToday());
  await page.fill('#aantal', '1');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
}

// Opens /kring, which takes a caregiver or a member of one network to its overview.
async function kringOverview(page) {
  await page.goto(urlFor('/kring'), { waitUntil: 'load' });
  const overview = new URL(page.url()).pathname;
  assert.match(overview, /^\/kringen\/[0-9a-f-]{36}$/, `/kring went to ${overview}`);
  return overview;
}

describe('kring', () => {
  test("the caregiver's home at 360 px: today's tasks, unanswered questions, the circles picture", { timeout: 4 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logIn(page, CAREGIVER);
      const overview = await kringOverview(page);
      await addTaskToday(page, overview, 'Samen naar de markt');
      // An open question, written through the timeline's form.
      await page.goto(urlFor(`${overview}/tijdlijn`), { waitUntil: 'load' });
      await page.check('#soort-vraag');
      await page.fill('#tekst', 'Wie kan Henk donderdag naar de fysiotherapeut brengen?');
      await Promise.all([page.waitForNavigation(), page.click('form[action$="/tijdlijn"] button[type=submit]')]);

      await page.setViewportSize({ width: 360, height: HEIGHT });
      const response = await page.goto(urlFor(overview), { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      const svg = page.locator('.mk-kring-picture svg[role="img"]');
      assert.equal(await svg.count(), 1, 'the circles picture');
      const box = await svg.boundingBox();
      assert.ok(box && box.width > 200 && box.width <= 360, `picture box ${JSON.stringify(box)}`);
      const today = await page.textContent('section[aria-labelledby="vandaag"]');
      assert.ok(today.includes('Samen naar de markt'), "today's task is on the home page");
      const questions = await page.textContent('section[aria-labelledby="vragen"]');
      assert.ok(questions.includes('fysiotherapeut'), 'the unanswered question is on the home page');
      // The picture comes before today's tasks: it is the first thing a member sees.
      const order = await page.evaluate(() => {
        const pic = document.querySelector('.mk-kring-picture');
        const tasks = document.querySelector('section[aria-labelledby="vandaag"]');
        return pic.compareDocumentPosition(tasks) & Node.DOCUMENT_POSITION_FOLLOWING;
      });
      assert.ok(order, 'the picture is above the tasks');
      await checkPage(t, page, requests, 'kring-overzicht', 360);

      const versions = `${overview}/situatie/versies`;
      await sweep(t, page, requests, [
        ['kring-overzicht-breed', overview],
        ['kring-leden', `${overview}/leden`],
        ['kring-regie', `${overview}/regie`],
        ['kring-situatie', `${overview}/situatie`],
        ['kring-situatie-bewerken', `${overview}/situatie/bewerken`],
        ['kring-situatie-versies', versions],
        ['kring-tijdlijn', `${overview}/tijdlijn`],
        ['kring-agenda', `${overview}/agenda`],
        ['kring-taak-nieuw', `${overview}/agenda/taken/nieuw`],
        ['kring-afspraak-nieuw', `${overview}/agenda/afspraken/nieuw`],
      ]);
      // A comparison of two versions, when the demo has them.
      await page.goto(urlFor(versions), { waitUntil: 'load' });
      const compare = await page.getAttribute('a[href*="/situatie/vergelijken"]', 'href').catch(() => null);
      if (compare) {
        await sweep(t, page, requests, [['kring-situatie-vergelijken', compare]]);
      }
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });

  test('a member signs up for a task with the keyboard only', { timeout: 2 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logIn(page, NETWORK_MEMBER);
      const overview = await kringOverview(page);
      const title = 'Plantjes water geven';
      await addTaskToday(page, overview, title);
      await page.goto(urlFor(`${overview}/agenda`), { waitUntil: 'load' });
      // Tab through the page until the sign-up button of this task has focus.
      let found = false;
      for (let i = 0; i < 400 && !found; i++) {
        await page.keyboard.press('Tab');
        found = await page.evaluate((title) => {
          const el = document.activeElement;
          return !!el && el.tagName === 'BUTTON' && el.textContent.includes('Ik doe het') && el.textContent.includes(title);
        }, title);
      }
      assert.ok(found, `no keyboard stop on "Ik doe het — ${title}"`);
      const focusBox = await page.locator(':focus').boundingBox();
      assert.ok(focusBox && focusBox.width > 0, 'the focused button is visible');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      await page.waitForLoadState('load');
      const signedUp = await page.evaluate((title) => [...document.querySelectorAll('button')]
        .some((b) => b.textContent.includes('Afmelden') && b.textContent.includes(title)), title);
      assert.ok(signedUp, 'after Enter the task offers "Afmelden": Sanne is signed up');
      await checkPage(t, page, requests, 'kring-agenda-aangemeld', 360);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

// --- Signaleren: a burden check, its result and its history (CHECKS) ---------------------------

// Presses Tab (or Shift+Tab) until the focused element matches `predicate`; fails after `max`.
async function tabUntil(page, predicate, arg, { max = 120, key = 'Tab' } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (await page.evaluate(predicate, arg)) return;
  }
  assert.fail(`no keyboard stop found (${predicate.toString().slice(0, 120)})`);
}

// Waits until a new 30-second TOTP step begins, so a second login of the same account (an
// earlier test logged in too) gets a code that has not been used.
async function nextTotpStep() {
  const ms = 30_000 - (Date.now() % 30_000) + 250;
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('signaleren: check', () => {
  test('the caregiver completes the CSI one question per screen with the keyboard only, at 360 px', { timeout: 6 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logIn(page, CAREGIVER);
      // "Hoe gaat het met u?" in the main menu: her own kring's Signaleren page.
      const menu = await page.getAttribute('.mk-nav a[href="/hoe-gaat-het"]', 'href');
      assert.equal(menu, '/hoe-gaat-het', 'the menu entry for caregivers');
      await page.goto(urlFor('/hoe-gaat-het'), { waitUntil: 'load' });
      const overview = new URL(page.url()).pathname;
      assert.match(overview, /^\/kringen\/[0-9a-f-]{36}\/signaleren$/, overview);
      await checkPage(t, page, requests, 'signaleren', 360);

      // Keyboard only from here: Tab to the CSI's start button, Enter.
      await tabUntil(page, () => {
        const el = document.activeElement;
        const form = el?.closest('form');
        return el?.tagName === 'BUTTON' && !!form && form.action.endsWith('/signaleren/checks')
          && form.querySelector('input[name=lijst]')?.value === 'csi';
      });
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const check = new URL(page.url()).pathname;
      assert.match(check, /\/signaleren\/checks\/[0-9a-f-]{36}$/, check);

      // Every answer "Ja": Tab to the question's first answer, Space to choose it, Tab to the
      // button, Enter. (Another answer of a radio group is chosen with the arrow keys; Tab,
      // Space and Enter alone reach the first.)
      for (let n = 1; n <= 13; n++) {
        const main = await page.textContent('main');
        assert.ok(main.includes(`Vraag ${n} van 13`), `question ${n} on its own screen`);
        assert.equal(await page.locator('fieldset.mk-check__item').count(), 1, 'one question per screen');
        if (n === 1 || n === 13) await checkPage(t, page, requests, `signaleren-vraag-${n}`, 360);
        const button = n < 13 ? 'volgende' : 'afronden';
        const onButton = (value) => {
          const el = document.activeElement;
          return el?.tagName === 'BUTTON' && el.value === value;
        };
        const want = 'ja';
        await tabUntil(page, (name) => {
          const el = document.activeElement;
          return el?.type === 'radio' && el.name === name;
        }, `v${n}`);
        const focused = await page.evaluate(() => ({ name: document.activeElement?.name, value: document.activeElement?.value }));
        assert.deepEqual(focused, { name: `v${n}`, value: want }, `question ${n}: focus on "${want}"`);
        await page.keyboard.press('Space');
        assert.ok(await page.isChecked(`input[name=v${n}][value=${want}]`), `question ${n}: "${want}" chosen with Space`);
        // The chosen answer is visible: a focus ring around the whole answer.
        const box = await page.locator('.mk-check__option:focus-within').boundingBox();
        assert.ok(box && box.width > 250 && box.height >= 48, `a large target (${JSON.stringify(box)})`);
        await tabUntil(page, onButton, button);
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      }

      // The result: score, band, explanation, source, next steps, someone to talk to.
      assert.equal(new URL(page.url()).pathname, check, 'the result is the check\'s page');
      const result = await page.textContent('main');
      assert.ok(result.includes('Uw uitslag'), 'the result page');
      assert.ok(result.includes('13 van de 13'), 'score as counted: 13 × ja');
      assert.ok(result.includes('Tekenen van overbelasting'), 'the band');
      assert.ok(result.includes('Praat erover met iemand'), 'talk to someone');
      assert.ok(result.includes('Robinson'), 'the source');
      assert.ok(await page.locator('a[href="/kaart?soort=respijtzorg"]').count() > 0, 'to the social map');
      await checkPage(t, page, requests, 'signaleren-uitslag', 360);

      // The history: the chart (inline SVG) with a table; it fits the phone.
      const history = `${overview}/verloop?lijst=csi`;
      await page.goto(urlFor(history), { waitUntil: 'load' });
      const svg = page.locator('figure.mk-chart svg[role="img"]');
      assert.equal(await svg.count(), 1, 'the chart');
      const chartBox = await svg.boundingBox();
      assert.ok(chartBox && chartBox.width > 250 && chartBox.width <= 360, `chart box ${JSON.stringify(chartBox)}`);
      assert.ok(await page.locator('figure.mk-chart svg circle').count() >= 1, 'a point per check');
      assert.ok(await page.locator('table.mk-screening-table tbody tr').count() >= 1, 'the table alternative');
      await checkPage(t, page, requests, 'signaleren-verloop', 360);
      assert.equal(await page.locator('script').count(), 0, 'no script: it works without JavaScript');

      await sweep(t, page, requests, [
        ['signaleren-breed', overview],
        ['signaleren-uitslag-breed', check],
        ['signaleren-verloop-breed', history],
        ['signaleren-verloop-ediz', `${overview}/verloop?lijst=ediz`],
      ]);
      // The whole list on one page, as the other choice.
      await page.setViewportSize({ width: 360, height: HEIGHT });
      await page.goto(urlFor(overview), { waitUntil: 'load' });
      await Promise.all([page.waitForNavigation(), page.click('form:has(input[name=lijst][value=ediz]) button')]);
      await Promise.all([page.waitForNavigation(), page.click('button[value=lijst]')]);
      assert.equal(await page.locator('fieldset.mk-check__item').count(), 9, 'the EDIZ on one page');
      await checkPage(t, page, requests, 'signaleren-lijst', 360);
      // Incomplete: the Dutch message, with a link to the first open question.
      await page.check('#v1-3');
      const [response] = await Promise.all([page.waitForNavigation(), page.click('button[value=afronden]')]);
      assert.equal(response.status(), 400);
      assert.ok((await page.textContent('.mk-error-summary')).includes('Nog open: vraag 2, 3'), 'the message');
      await checkPage(t, page, requests, 'signaleren-onvolledig', 360);
      await Promise.all([page.waitForNavigation(), page.click('button[value=opslaan]')]);
      assert.ok((await page.textContent('main')).includes('Uw antwoorden zijn bewaard'));
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });

  test('a professional: the Signaleren page with the link form, filling in together, an unknown link', { timeout: 3 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await nextTotpStep();
      await logIn(page, PROFESSIONAL);
      await page.goto(urlFor('/kring'), { waitUntil: 'load' });
      // Ria's kring, through the list of kringen (or straight there).
      const ria = await page.getAttribute('a[href^="/kringen/"]:has-text("Ria de Vries")', 'href').catch(() => null);
      const overview = `${ria || new URL(page.url()).pathname}/signaleren`.replace('//', '/');
      await page.goto(urlFor(overview), { waitUntil: 'load' });
      assert.ok((await page.textContent('main')).includes('Een link sturen'), 'the link form');
      await checkPage(t, page, requests, 'signaleren-professional', 360);
      // A link with a wrong address: the message at the field.
      await page.check('#link-aan-ander');
      await page.fill('#link-email', 'geen-adres');
      const [bad] = await Promise.all([page.waitForNavigation(), page.click('form[action*="/signaleren/links"] button[type=submit]')]);
      assert.equal(bad.status(), 400);
      assert.equal(await page.getAttribute('#link-email', 'aria-invalid'), 'true');
      await checkPage(t, page, requests, 'signaleren-link-fout', 360);
      // Sent to Ria's own address.
      await page.check('#link-aan-mantelzorger');
      await Promise.all([page.waitForNavigation(), page.click('form[action*="/signaleren/links"] button[type=submit]')]);
      assert.ok((await page.textContent('main')).includes('De link is verstuurd'));
      await checkPage(t, page, requests, 'signaleren-link-verstuurd', 360);
      // Filling in together during a call.
      await Promise.all([page.waitForNavigation(), page.click('form:has(input[name=lijst][value=csi]) button')]);
      assert.ok((await page.textContent('main')).includes('Samen met Ria de Vries invullen'));
      await checkPage(t, page, requests, 'signaleren-samen', 360);
      await context.clearCookies();
      // A link nobody sent: a clear Dutch page, 404.
      const response = await page.goto(urlFor('/vragenlijst/onbekend'), { waitUntil: 'load' });
      assert.equal(response.status(), 404);
      assert.ok((await page.textContent('main')).includes('Deze link kennen we niet'));
      await checkPage(t, page, requests, 'vragenlijst-onbekend', 360);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

// --- Signaleren: signals (the worklist, the meeting view, a network's signals, the rules) ------

// Logs in; when this 30-second step's code was used already (one use per step and user), waits
// for the next step and enters that code.
async function logInFresh(page, who) {
  await logIn(page, who);
  for (let i = 0; i < 2 && new URL(page.url()).pathname.startsWith('/inloggen'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 500));
    await page.fill('#code', totp(who.totp));
    await Promise.all([page.waitForNavigation(), page.click('form.mk-form button[type=submit]')]);
  }
  assert.ok(!new URL(page.url()).pathname.startsWith('/inloggen'), `${who.email} is logged in`);
}

// Visits each path at both widths with every <details> opened (the follow-up forms and
// histories are checked too), and runs the page checks.
async function sweepOpen(t, page, requests, paths) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT });
    for (const [name, p] of paths) {
      const response = await page.goto(urlFor(p), { waitUntil: 'load' });
      await t.test(`${name}: status 200 at ${width}px`, () => assert.equal(response.status(), 200));
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      await checkPage(t, page, requests, name, width);
    }
  }
}

describe('signaleren: signalen', () => {
  test("a professional's signals, the meeting view and a network's signals at 1280 and 360 px", { timeout: 4 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(1280);
    try {
      await logInFresh(page, PROFESSIONAL);
      await page.goto(urlFor('/signalen'), { waitUntil: 'load' });
      const menu = await page.$$eval('.mk-nav__link', (links) => links.map((a) => a.getAttribute('href')));
      assert.ok(menu.includes('/signalen'), 'the main menu has "Signalen"');
      assert.ok(await page.$('a[href="/signalen/overleg"]'), 'the meeting view is reachable from the list');
      // A network with a signal (from the list), else Ria's network from the kring list.
      const first = await page.$('li.mk-signal a[href*="/signaleren/signalen"]');
      let signals;
      if (first) {
        signals = (await first.getAttribute('href')).split('#')[0];
      } else {
        await page.goto(urlFor('/kring'), { waitUntil: 'load' });
        const kringen = await page.$$eval('main a[href^="/kringen/"]', (links) => links
          .map((a) => ({ href: a.getAttribute('href'), text: a.textContent })));
        const ria = kringen.find((k) => k.text.includes('Ria')) || kringen[0];
        assert.ok(ria, 'Marieke is in a kring');
        signals = `${ria.href.replace(/\/$/, '')}/signaleren/signalen`;
      }
      await sweepOpen(t, page, requests, [
        ['signalen', '/signalen'],
        ['signalen-alle', '/signalen?status=all'],
        ['signalen-overleg', '/signalen/overleg'],
        ['signalen-overleg-regel', '/signalen/overleg?groep=regel'],
        ['signalen-overleg-afdrukken', '/signalen/overleg/afdrukken'],
        ['kring-signalen', signals],
      ]);
      // The network's page shows its signals or says there are none; the list says how many.
      await page.goto(urlFor(signals), { waitUntil: 'load' });
      const text = await page.textContent('main');
      assert.ok(/Open signalen/.test(text), 'the open signals section');
      assert.ok((await page.$('li.mk-signal')) || /geen open signalen/.test(text), 'signals or the empty state');
      await page.goto(urlFor('/signalen'), { waitUntil: 'load' });
      assert.ok(/\d+ signa(al|len)/.test(await page.textContent('main')), 'the count of signals');
      // The printed agenda leaves the menu out.
      await page.goto(urlFor('/signalen/overleg/afdrukken'), { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.$eval('.mk-nav', (n) => getComputedStyle(n).display), 'none', 'no menu on paper');
      await page.emulateMedia({ media: 'screen' });
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });

  test('the signal rules per region, as an administrator with TOTP', { timeout: 2 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(1280);
    try {
      await logInFresh(page, ADMINISTRATOR);
      await sweepOpen(t, page, requests, [['beheer-signaalregels', '/beheer/signaalregels']]);
      // A threshold over the highest score is refused with a Dutch message on the form.
      await page.goto(urlFor('/beheer/signaalregels'), { waitUntil: 'load' });
      await page.fill('#grens_csi', '99');
      await page.evaluate(() => document.querySelector('#grens_csi').removeAttribute('max'));
      await Promise.all([page.waitForNavigation(), page.click('main form[method=post] button[type=submit]')]);
      assert.match(await page.textContent('.mk-alert'), /De grens voor CSI is hoger dan de hoogste score/);
      await checkPage(t, page, requests, 'beheer-signaalregels-fout', 1280);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

// --- Signaleren: proactive contact (the call list, a network's contact page) -------------------

// A TOTP code works once per 30 s per user: wait for a fresh step before logging in again.
async function freshTotpStep() {
  await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 500));
}

describe('signaleren: contact', () => {
  test("Marieke's call list and a caregiver's contact page at 1280 and 360 px; a contact logged through the form", { timeout: 4 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(1280);
    try {
      await freshTotpStep();
      await logIn(page, PROFESSIONAL);
      const response = await page.goto(urlFor('/bellen'), { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      const today = await page.textContent('section[aria-labelledby="vandaag"]');
      assert.ok(today.includes('Ria de Vries'), 'Ria is due today on Marieke\'s list');
      const contactPage = await page.getAttribute('.mk-call h3 a:text("Ria de Vries")', 'href');
      assert.match(contactPage, /^\/kringen\/[0-9a-f-]{36}\/signaleren\/contact$/);
      assert.ok(await page.locator('section[aria-labelledby="vandaag"] a[href^="tel:"]').count() > 0, 'phone numbers as tel: links');
      await sweep(t, page, requests, [
        ['signaleren-bellen', '/bellen'],
        ['signaleren-contact', contactPage],
      ]);

      // Log a contact through the form, at 360 px.
      await page.setViewportSize({ width: 360, height: HEIGHT });
      await page.goto(urlFor(contactPage), { waitUntil: 'load' });
      await page.check('#soort-front_garden');
      await page.fill('#notitie', 'Bij het tuinhek gesproken. De nachten blijven zwaar.');
      await page.fill('#hulp', 'Iemand die op dinsdag de boodschappen doet');
      await Promise.all([page.waitForNavigation(), page.click('form[action$="/signaleren/contact"] button[type=submit]')]);
      assert.match(page.url(), /gedaan=(contact|signaal)/);
      const notice = await page.textContent('.mk-notice[role="status"]');
      assert.ok(notice.includes('Het contact is opgeslagen'), notice);
      const log = await page.textContent('section[aria-labelledby="logboek"]');
      assert.ok(log.includes('Bij het tuinhek gesproken.'), 'the contact is in the log');
      assert.ok(log.includes('Hulp nodig: Iemand die op dinsdag de boodschappen doet'), 'with its help-request marker');
      await checkPage(t, page, requests, 'signaleren-contact-vastgelegd', 360);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

// --- matching-requests (helper A: help requests and the coordinator proposal page) ---

const VOLUNTEER_COORDINATOR = { email: 'peter.bakker@demo.mantelkring.nl', password: 'demo-mantelkring-2026', totp: 'DEMOCOORDINATORMANTELKRINGAAAAAA' };

describe('matching: the coordinator and help requests', () => {
  test("the coordinator's proposal page /vrijwilligers/koppelen and a request with its candidates at 1280 and 360 px", { timeout: 4 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(1280);
    try {
      await logInFresh(page, VOLUNTEER_COORDINATOR);
      const response = await page.goto(urlFor('/vrijwilligers/koppelen'), { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      const ticks = page.locator('input[name="koppel"][type="checkbox"]');
      const count = await ticks.count();
      assert.ok(count > 0, 'the batch proposes pairs for the demo region');
      assert.equal(await page.locator('input[name="koppel"]:checked').count(), count, 'all ticked');
      const total = await page.textContent('main p.mk-strong');
      assert.match(total, /Totale score \d+ over \d+ koppelingen/);
      const why = await page.textContent('main table tbody tr td:nth-child(4)');
      assert.match(why, / km/, `the why-line: ${why}`);
      assert.ok(await page.$('main form button[type=submit]:text("Verstuur voorstellen")'), 'one send button');
      // A request of the batch: its page ranks the candidates.
      const requestPage = await page.getAttribute('main table tbody tr td:nth-child(2) a', 'href');
      assert.match(requestPage, /^\/hulpvragen\/[0-9a-f-]{36}$/);
      await page.goto(urlFor(requestPage), { waitUntil: 'load' });
      assert.ok(await page.locator('section[aria-labelledby="kandidaten"] li').count() > 0, 'ranked candidates');
      assert.ok(await page.$('button:text("Voorstel sturen")'), 'a send button per candidate');
      await sweep(t, page, requests, [
        ['matching-koppelen', '/vrijwilligers/koppelen'],
        ['matching-hulpvragen-regio', '/vrijwilligers/hulpvragen'],
        ['matching-hulpvraag-kandidaten', requestPage],
      ]);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });

  test("the caregiver's help requests and the form, at 1280 and 360 px", { timeout: 2 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(1280);
    try {
      await logIn(page, CAREGIVER);
      const overview = await kringOverview(page);
      assert.ok(await page.$(`a[href="${overview}/hulpvragen"]`), 'the kring tabs lead to the help requests');
      await sweep(t, page, requests, [
        ['matching-hulpvragen-kring', `${overview}/hulpvragen`],
        ['matching-hulpvraag-nieuw', `${overview}/hulpvragen/nieuw`],
      ]);
      // Sending the form without a kind of help: the message, and the page stays accessible.
      await page.setViewportSize({ width: 360, height: HEIGHT });
      await page.goto(urlFor(`${overview}/hulpvragen/nieuw`), { waitUntil: 'load' });
      await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
      assert.ok((await page.textContent('.mk-error-summary')).includes('Kies de soort hulp.'));
      await checkPage(t, page, requests, 'matching-hulpvraag-fout', 360);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

describe('matching: the rules per region', () => {
  test('the matching rules per region, as an administrator with TOTP', { timeout: 2 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(1280);
    try {
      await logInFresh(page, ADMINISTRATOR);
      await sweepOpen(t, page, requests, [['beheer-koppelregels', '/beheer/koppelregels']]);
      // An answer time under four hours is refused with a Dutch message on the form.
      await page.goto(urlFor('/beheer/koppelregels'), { waitUntil: 'load' });
      await page.fill('#antwoordtijd', '1');
      await page.evaluate(() => document.querySelector('#antwoordtijd').removeAttribute('min'));
      await Promise.all([page.waitForNavigation(), page.click('main form[method=post] button[type=submit]')]);
      assert.match(await page.textContent('.mk-alert'), /moet tussen 4–336 liggen/);
      await checkPage(t, page, requests, 'beheer-koppelregels-fout', 1280);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

// (end of matching-requests)

// --

// --- matching-volunteers (helper B: volunteer profile, intake, accept page) ---


const VOLUNTEER = { email: 'youssef.amrani@demo.mantelkring.nl', password: 'demo-mantelkring-2026' };

describe('matching: volunteers', () => {
  test('matching: the answer page of the e-mail link, without an account', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    // scripts/test reads the link from the demo banner; without it this test fails, never skips.
    const link = process.env.ANSWER_LINK;
    assert.ok(link, 'ANSWER_LINK is not set (scripts/test reads it from the demo output)');
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: HEIGHT });
        // Only GETs: the link stays usable (a GET never answers).
        const response = await page.goto(urlFor(`${link}?keuze=ja`), { waitUntil: 'load' });
        await t.test(`antwoord: status 200 at ${width}px`, () => assert.equal(response.status(), 200));
        const text = await page.textContent('main');
        assert.ok(text.includes('Kunt u helpen?'), 'the answer page');
        assert.ok(await page.isVisible('#keuze-ja'), 'the yes button');
        assert.ok(await page.isVisible('#keuze-nee'), 'the no button');
        await checkPage(t, page, requests, 'hulp-antwoord', width);
      }
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });

  test('matching: the volunteer profile and proposals, as Youssef', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logIn(page, VOLUNTEER);
      await page.goto(urlFor('/vrijwilliger/voorstellen'), { waitUntil: 'load' });
      const proposal = await page.getAttribute('main a[href^="/vrijwilliger/voorstellen/"]', 'href');
      assert.ok(proposal, 'Youssef has a proposal (demo)');
      await sweep(t, page, requests, [
        ['vrijwilliger-profiel', '/vrijwilliger/profiel'],
        ['vrijwilliger-voorstellen', '/vrijwilliger/voorstellen'],
        ['vrijwilliger-voorstel', proposal],
      ]);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });

  test('matching: the intake list, as the volunteer coordinator with TOTP', { timeout: 2 * TEST_TIMEOUT_MS }, async (t) => {
    await context.clearCookies();
    const { page, requests } = await openPage(360);
    try {
      await logInFresh(page, VOLUNTEER_COORDINATOR);
      await page.goto(urlFor('/vrijwilligers/intake'), { waitUntil: 'load' });
      const form = await page.getAttribute('main a[href^="/vrijwilligers/intake/"]', 'href');
      const paths = [['vrijwilligers-intake', '/vrijwilligers/intake']];
      if (form) paths.push(['vrijwilligers-intake-formulier', form]);
      await sweep(t, page, requests, paths);
    } finally {
      await page.close();
      await context.clearCookies();
    }
  });
});

// (end of matching-volunteers)
