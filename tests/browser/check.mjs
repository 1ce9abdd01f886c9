// Opens the report page in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core) and checks what a reader gets:
//   - no console error and no page error;
//   - no request leaves the file (every other request is aborted and fails
//     the check);
//   - every chart's SVG is drawn with a non-zero size, on a desktop, on a
//     phone and in print;
//   - on a phone the page itself does not scroll sideways;
//   - the totals on the page equal the JSON report, and so do the first
//     rows of the top-clients and top-endpoints tables.
// Screenshots go to OUT_DIR (under target/).
//
// Usage: node check.mjs REPORT.html REPORT.json OUT_DIR
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [htmlPath, jsonPath, outDir] = process.argv.slice(2);
if (!htmlPath || !jsonPath || !outDir) {
  console.error('usage: node check.mjs REPORT.html REPORT.json OUT_DIR');
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
const pageUrl = pathToFileURL(path.resolve(htmlPath)).href;
fs.mkdirSync(outDir, { recursive: true });

const failures = [];
const fail = (message) => failures.push(message);

// A fresh profile each run: nothing cached or remembered from another.
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  viewport: { width: 1100, height: 1400 },
  timeout: 60_000,
});
try {
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === pageUrl) return route.continue();
    fail(`request left the file: ${url}`);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on('console', (msg) => {
    if (msg.type() === 'error') fail(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (error) => fail(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    if (request.url() !== pageUrl) fail(`request failed: ${request.url()}`);
  });

  await page.goto(pageUrl, { waitUntil: 'load' });

  const charts = async (where) => {
    const sizes = await page.$$eval('svg', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return { id: svg.id, width: box.width, height: box.height };
      }),
    );
    if (sizes.length !== 3) fail(`${where}: expected 3 charts, found ${sizes.length}`);
    for (const s of sizes) {
      if (!(s.width > 0 && s.height > 0)) {
        fail(`${where}: chart ${s.id} drawn at ${s.width}x${s.height}`);
      }
    }
    return sizes;
  };

  // Desktop.
  const desktop = await charts('desktop');
  await page.screenshot({ path: path.join(outDir, 'report.png') });
  await page.screenshot({ path: path.join(outDir, 'report-full.png'), fullPage: true });

  // The totals: each [data-figure] against the JSON report.
  const shown = await page.$$eval('[data-figure]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.figure, e.textContent.trim()])),
  );
  const t = report.totals;
  const number = (text) => Number(text.replace(/,/g, ''));
  for (const key of ['requests', 'status200', 'status300', 'status400', 'status429', 'status500']) {
    if (number(shown[key] ?? 'NaN') !== t[key]) {
      fail(`total ${key}: page shows ${shown[key]}, the JSON report ${t[key]}`);
    }
  }
  const ratio = (a, b) => (b === 0 ? 0 : a / b);
  for (const [key, share] of [
    ['share429', ratio(t.status429, t.requests)],
    ['share5xx', ratio(t.status500, t.requests)],
  ]) {
    const percent = Number((shown[key] ?? 'NaN').replace('%', ''));
    // The page rounds to 0.1%.
    if (!(Math.abs(percent / 100 - share) <= 0.0005 + 1e-9)) {
      fail(`total ${key}: page shows ${shown[key]}, the JSON report ${share}`);
    }
  }

  // The first row of each ranking table.
  const firstRow = (section) =>
    page.$eval(`#${section} tbody tr`, (tr) =>
      [...tr.children].map((c) => c.textContent.trim()),
    );
  const label = (c) => (c.name && c.name !== c.id ? `${c.name} (${c.id})` : c.id);
  for (const [section, list, name] of [
    ['clients', report.top_clients, label],
    ['templates', report.top_templates, (t) => `${t.method} ${t.template}`],
  ]) {
    if (list.length === 0) continue;
    const row = await firstRow(section);
    if (row[0] !== name(list[0]) || number(row[1]) !== list[0].requests) {
      fail(`${section}: first row ${JSON.stringify(row.slice(0, 2))}, the JSON report ${name(list[0])} ${list[0].requests}`);
    }
  }

  // A phone: the charts still drawn, the page does not scroll sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await charts('phone');
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  if (overflow > 1) fail(`phone: the page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: path.join(outDir, 'report-phone.png') });

  // Print.
  await page.emulateMedia({ media: 'print' });
  await charts('print');

  console.log(
    `report page: ${desktop.length} charts (${desktop.map((s) => `${s.id} ${Math.round(s.width)}x${Math.round(s.height)}`).join(', ')}), ` +
      `totals ${t.requests} requests, screenshots in ${outDir}`,
  );
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log('browser check passed');
