// What the end-to-end tests and the serve benchmark share: starting
// `broadsheet serve` and reading its URL, Debian's chromium driven by
// playwright-core (installed into .ci/tools by .ci/e2e), and telling an
// update in place from a reload.
const { spawn, execFileSync } = require("node:child_process");
const path = require("node:path");
const { chromium } = require(require.resolve("playwright-core", {
  paths: [path.join(__dirname, "../../.ci/tools/node_modules"), process.cwd()],
}));

// Starts `binary serve --port 0 …extra` in `site`; resolves to the server
// and the URL it prints. Its stderr is piped when `stderr` is true.
async function startServe(binary, site, { extra = [], env = process.env, stderr = false } = {}) {
  const server = spawn(binary, ["serve", "--port", "0", ...extra], {
    cwd: site,
    env,
    stdio: ["ignore", "pipe", stderr ? "pipe" : "ignore"],
  });
  // However the script ends (a test that fails exits at once, past its
  // `finally`; the benchmark's output closed early), a serve left running
  // would go on rebuilding at every later save to its site, and skew the
  // next benchmark.
  process.on("exit", () => server.kill());
  const url = await new Promise((resolve) => {
    server.stdout.on("data", (chunk) => {
      const found = String(chunk).match(/ at (http:\/\/[^ ]+?)\/ /);
      if (found) resolve(found[1]);
    });
  });
  return { server, url };
}

// Headless chromium with the flags it needs on a machine without a network.
function launchChromium() {
  return chromium.launch({
    executablePath: execFileSync("which", ["chromium"]).toString().trim(),
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

// Marks the tab's window: the mark stays through serve's updates in place,
// and a reload clears it.
async function mark(page) {
  await page.evaluate(() => {
    window.broadsheetMark = true;
  });
}

// Whether the tab kept its mark (it was not reloaded since `mark`).
function marked(page) {
  return page.evaluate(() => window.broadsheetMark === true);
}

// Whether the tab shows, node for node, what a fresh load of its address
// shows (scripts having run in both).
async function sameAsFresh(browser, page) {
  const fresh = await browser.newPage();
  await fresh.goto(page.url(), { waitUntil: "load" });
  const [shown, loaded] = await Promise.all([page, fresh].map((p) => p.evaluate(() => document.documentElement.outerHTML)));
  await fresh.close();
  return shown === loaded;
}

module.exports = { startServe, launchChromium, mark, marked, sameAsFresh };
