// End-to-end: search with no server, in Debian's chromium. Serves the
// base fixture with search on through `broadsheet serve` (which makes the
// Pagefind index in the background), types a word from one article into
// the masthead's search box, and expects that article's headline first;
// with JavaScript off, the box is a plain link to the search page. A save
// updates the search page in place, its mounted boxes kept.
//
//   node tests/e2e/search.cjs   (after cargo build; .ci/e2e installs
//                                chromium and playwright-core)
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startServe, launchChromium, mark, marked, sameAsFresh } = require("./serve-in-chromium.cjs");

const repo = path.join(__dirname, "../..");
const binary = path.join(repo, "target/debug/broadsheet");

function fail(message) {
  console.error(`e2e search: ${message}`);
  process.exit(1);
}

function copyTree(from, to) {
  fs.cpSync(from, to, { recursive: true });
}

(async () => {
  const site = fs.mkdtempSync(path.join(os.tmpdir(), "broadsheet-search-"));
  copyTree(path.join(repo, "tests/fixtures/base"), site);
  const config = path.join(site, "config.toml");
  fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace("search = false\n", ""));
  const { server, url } = await startServe(binary, site, { env: { ...process.env, SOURCE_DATE_EPOCH: "1748736000" } });
  const browser = await launchChromium();
  try {
    // The index is made in the background once serve is up.
    const start = Date.now();
    while ((await fetch(`${url}/pagefind/pagefind.js`)).status !== 200) {
      if (Date.now() - start > 30000) fail("the search index was not served within 30 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const page = await browser.newPage();
    await page.goto(`${url}/`, { waitUntil: "load" });
    // A word of the sport article's body only.
    await page.locator(".search input").fill("extra");
    await page.waitForSelector(".search-result", { timeout: 10000 });
    const first = await page.locator(".search-headline").first().textContent();
    if (first !== "Home Side Wins the Final") fail(`the first result is ${JSON.stringify(first)}`);
    const kicker = await page.locator(".search-result .kicker").first().textContent();
    if (kicker !== "Sport") fail(`the first result's kicker is ${JSON.stringify(kicker)}`);
    await page.locator(".search input").fill("zzqx");
    await page.waitForSelector(".search-none", { timeout: 10000 });

    // The search page (its box mounted by search.js, a <noscript>) updated
    // in place by a save that changes every page: node for node what a
    // fresh load shows, the box still mounted, no reload.
    await page.goto(`${url}/search/`, { waitUntil: "load" });
    await mark(page);
    fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace('title = "Fixture Gazette"', 'title = "Fixture Gazette Daily"'));
    await page.waitForFunction(() => document.title.includes("Fixture Gazette Daily"), null, { timeout: 10000 });
    if (!(await marked(page))) fail("the search page reloaded instead of updating in place");
    if (!(await sameAsFresh(browser, page))) fail("the search page updated in place differs from a fresh load of it");
    if ((await page.locator(".search-results").count()) === 0) fail("the search box is no longer mounted");

    const scriptless = await browser.newContext({ javaScriptEnabled: false });
    const plain = await scriptless.newPage();
    await plain.goto(`${url}/`, { waitUntil: "load" });
    const link = await plain.locator(".search-link").getAttribute("href");
    if (link !== `${url}/search/`) fail(`without JavaScript the search box links to ${link}`);
    console.log(`e2e search: "extra" finds ${JSON.stringify(first)} first; without JavaScript a link to ${link}`);
  } finally {
    await browser.close();
    server.kill();
    fs.rmSync(site, { recursive: true, force: true });
  }
})().catch((error) => fail(error.stack || String(error)));
