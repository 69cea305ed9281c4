// End-to-end: the click-to-load video facade, in Debian's chromium. Serves
// the sample site's feature article through `broadsheet serve`, records
// every request the page makes, and expects none to a video host until the
// play button is clicked; the click swaps in the player's frame. Before
// the click, a save changes the video's title, and the page updates in
// place: the new facade's button must play too.
//
//   node tests/e2e/video.cjs   (after cargo build; .ci/e2e installs
//                               chromium and playwright-core)
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startServe, launchChromium, mark, marked } = require("./serve-in-chromium.cjs");

const repo = path.join(__dirname, "../..");
const binary = path.join(repo, "target/debug/broadsheet");
const article = "/business/blue-mountain-coffee-journey/";

function fail(message) {
  console.error(`e2e video: ${message}`);
  process.exit(1);
}

(async () => {
  // A copy of the sample site, so that serve's caches stay out of the repository.
  const site = fs.mkdtempSync(path.join(os.tmpdir(), "broadsheet-video-"));
  fs.cpSync(path.join(repo, "config.toml"), path.join(site, "config.toml"));
  fs.cpSync(path.join(repo, "content"), path.join(site, "content"), { recursive: true });
  const { server, url } = await startServe(binary, site, { env: { ...process.env, SOURCE_DATE_EPOCH: "1796299200" } });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const hosts = [];
    page.on("request", (request) => hosts.push(new URL(request.url()).host));
    await page.goto(`${url}${article}`, { waitUntil: "load" });
    const play = page.locator(".video-play");
    await play.scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    const video = (host) => /youtube|ytimg|vimeo/.test(host);
    if (hosts.some(video)) fail(`requests to a video host before the click: ${hosts.filter(video)}`);
    if (await page.locator(".video-frame iframe").count()) fail("a player frame before the click");
    // A save that changes the video's title: serve updates the page in
    // place (no reload), replacing the facade; its button still plays.
    await mark(page);
    const file = path.join(site, "content/business/2026-11-30-blue-mountain-coffee-journey.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("regulator's cupping room", "regulator's tasting room"));
    await page.waitForSelector('[data-embed-title="Inside the regulator’s tasting room"]', { timeout: 10000 });
    if (!(await marked(page))) fail("the page reloaded instead of updating in place");
    await play.click();
    const src = await page.locator(".video-frame iframe").getAttribute("src", { timeout: 5000 });
    if (src !== "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?autoplay=1") fail(`the player's frame is ${src}`);
    const title = await page.locator(".video-frame iframe").getAttribute("title");
    if (title !== "Inside the regulator’s tasting room") fail(`the frame's title is ${JSON.stringify(title)}`);
    console.log(`e2e video: no request to a video host before the click (${hosts.length} requests); ` +
      `the facade updated in place; then ${src}`);
  } finally {
    await browser.close();
    server.kill();
    fs.rmSync(site, { recursive: true, force: true });
  }
})().catch((err) => fail(err.stack || String(err)));
