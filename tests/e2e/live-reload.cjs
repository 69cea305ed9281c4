// End-to-end: broadsheet serve in a real browser (Debian's chromium, driven
// by playwright-core). Opens an article, edits its file, and waits for the
// page to show the edit, updated in place and then equal to a fresh load;
// deletes the article (the tab reloads to the 404 page) and brings it
// back; adds a video, whose script makes the tab reload; then saves a
// broken file and waits for the error overlay; then fixes it and waits
// for the overlay to go. Prints the time from each edit to the browser
// showing it.
//
//   node tests/e2e/live-reload.cjs   (after cargo build; .ci/run installs
//                                     chromium and playwright-core)
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startServe, launchChromium, mark, marked, sameAsFresh } = require("./serve-in-chromium.cjs");

const repo = path.join(__dirname, "../..");
const binary = path.join(repo, "target/debug/broadsheet");

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

async function waitFor(what, check, timeout = 15000) {
  const start = Date.now();
  while (Date.now() - start < timeout) {
    try {
      if (await check()) return Date.now() - start;
    } catch {
      // The page is reloading; ask again.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  fail(`timed out waiting for ${what}`);
}

(async () => {
  const site = fs.mkdtempSync(path.join(os.tmpdir(), "broadsheet-e2e-"));
  fs.cpSync(path.join(repo, "tests/fixtures/base"), site, { recursive: true });
  const article = path.join(site, "content/world/2025-03-01-harbour-reopens.md");
  const original = fs.readFileSync(article, "utf8");

  const { server, url } = await startServe(binary, site, {
    env: { ...process.env, SOURCE_DATE_EPOCH: "1748736000" },
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/world/harbour-reopens/`);
    const body = () => page.textContent("main");

    // Edits update the page in place: the tab does not reload (what a
    // script put on the window stays), and it then shows what a fresh
    // load of the page shows, node for node.
    await mark(page);
    const asFresh = async (what) => {
      if (!(await sameAsFresh(browser, page))) fail(`${what}: the page differs from a fresh load of it`);
    };
    const timings = [];
    for (let n = 1; n <= 5; n++) {
      const text = n < 5 ? `The harbour reopened, edit ${n}.` : `The harbour reopened, edit ${n}.\n\nA second paragraph.`;
      fs.writeFileSync(article, original.replace("The harbour reopened on Saturday.", text));
      timings.push(await waitFor(`edit ${n} in the browser`, async () => (await body()).includes(`reopened, edit ${n}.`)));
    }
    if (!(await marked(page))) fail("an edit reloaded the page instead of updating it in place");
    await asFresh("after five edits");

    // The page gone: the tab reloads to the 404 page; back, it updates.
    fs.rmSync(article);
    await waitFor("the 404 page", async () => (await page.textContent("body")).includes("Page not found"));
    fs.writeFileSync(article, original);
    await waitFor("the article back", async () => (await body()).includes("reopened on Saturday."));
    await asFresh("after the article came back");

    // A save that brings a script with it (a video's facade needs
    // embeds.js): the tab reloads, so that the script runs.
    await mark(page);
    fs.writeFileSync(article, original + '\n```{video}\nvideo = "youtube:aqz-KE-bpKQ"\ntitle = "The harbour at dawn"\n```\n');
    await waitFor("the video's facade", async () => (await page.$(".video-play")) !== null);
    if (await marked(page)) fail("a save that adds a script updated the page in place instead of reloading it");
    await page.click(".video-play");
    await waitFor("the player after the click", async () => (await page.$(".video-frame iframe")) !== null);
    fs.writeFileSync(article, original);
    await waitFor("the video gone", async () => (await page.$(".video-frame")) === null);

    fs.writeFileSync(article, original.replace("title =", "tittle ="));
    await waitFor("the error overlay", async () =>
      (await page.textContent("#broadsheet-errors")).includes("unknown front-matter key `tittle`"));
    await page.screenshot({ path: path.join(os.tmpdir(), "broadsheet-e2e-overlay.png") });

    fs.writeFileSync(article, original);
    await waitFor("the fix to replace the overlay", async () =>
      (await page.$("#broadsheet-errors")) === null && (await body()).includes("reopened on Saturday."));

    timings.sort((a, b) => a - b);
    console.log(`e2e: live reload works; save to browser showing the edit: median ${timings[2]} ms ` +
      `(${timings[0]}–${timings[4]} ms, 5 edits, 2-article site)`);
  } finally {
    await browser.close();
    server.kill();
    fs.rmSync(site, { recursive: true, force: true });
  }
})().catch((error) => fail(error.stack || String(error)));
