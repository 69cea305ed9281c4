// The serve benchmark: how long an author waits for a saved edit on a large
// archive. Starts `broadsheet serve` on a generated corpus, opens the newest
// article in Debian's chromium (playwright-core), and saves edits to that
// article's file; for each, measures the time from the save to the first
// frame the browser paints with the edit in it (serve updates the page in
// place, or reloads it), and reads serve's own rebuild time
// ("Rebuilt … in N ms") from its output. Prints medians with min–max.
//
//   node bench/serve.cjs [ARTICLES] [EDITS]      (default 10000 and 20)
//
// Three kinds of save, EDITS of each: a paragraph appended to the body (what
// an author does most); a tag added to the article that some 300 others
// have (which changes that tag's weight, so the related lists of all of
// them are scored again, and shifts the tag's listing pages);
// a new article added (the home page open: every listing it joins
// shifts); and those articles deleted again, newest first. New articles
// are dated 2099 so they lead the home page (serve publishes them since
// the benchmark passes --future). Last, serve's resident memory after the
// saves, and its peak.
// Needs `cargo build --release`, chromium and playwright-core (.ci/e2e
// installs them into .ci/tools); the corpus is made by examples/corpus.rs
// into BENCH_DIR (default /tmp/broadsheet-bench) unless it is there already.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { startServe, launchChromium } = require("../tests/e2e/serve-in-chromium.cjs");

const repo = path.join(__dirname, "..");
const articles = Number(process.argv[2] || 10000);
const edits = Number(process.argv[3] || 20);
const work = process.env.BENCH_DIR || "/tmp/broadsheet-bench";
const site = path.join(work, `b${articles}`);
const binary = process.env.BENCH_BINARY || path.join(repo, "target/release/broadsheet");

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function describe(values) {
  return `median ${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
}

// The newest article of the corpus: file names start with the date.
function newestArticle() {
  let newest = null;
  for (const category of fs.readdirSync(path.join(site, "content"))) {
    const folder = path.join(site, "content", category);
    if (!fs.statSync(folder).isDirectory()) continue;
    for (const name of fs.readdirSync(folder)) {
      if (name.endsWith(".md") && (!newest || name > path.basename(newest))) newest = path.join(folder, name);
    }
  }
  return newest;
}

(async () => {
  if (!fs.existsSync(site)) {
    execFileSync("cargo", ["run", "--release", "--quiet", "--example", "corpus", "--", String(articles), site],
      { cwd: repo, stdio: "inherit" });
  }
  const article = newestArticle();
  const original = fs.readFileSync(article, "utf8");
  const slug = path.basename(article, ".md").replace(/^\d{4}-\d{2}-\d{2}-/, "");
  const category = path.basename(path.dirname(article));

  const { server, url } = await startServe(binary, site, { extra: ["--future"], stderr: true });
  const rebuilds = [];
  let stderr = "";
  server.stderr.on("data", (chunk) => {
    stderr += chunk;
    let line;
    while ((line = stderr.indexOf("\n")) >= 0) {
      const found = stderr.slice(0, line).match(/^Rebuilt \d+ articles in (\d+) ms/);
      if (found) rebuilds.push(Number(found[1]));
      stderr = stderr.slice(line + 1);
    }
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const address = `${url}/${category}/${slug}/`;
    const response = await page.goto(address);
    if (!response.ok()) throw new Error(`${address}: ${response.status()}`);

    // When the page shows the edit: after each change to the parsed
    // document (an update in place), or once a reloaded page is parsed,
    // the page checks for the marker the benchmark waits for, and reports
    // the time of the next frame, the first that paints it (a reload's
    // waits for its stylesheets). The wait lives in sessionStorage so a
    // reloaded page sees it too.
    const waiting = new Map();
    await page.exposeBinding("benchShown", (_source, id, at) => waiting.get(id)?.(at));
    await page.addInitScript(() => {
      const check = () => {
        const want = JSON.parse(sessionStorage.getItem("benchWant") || "null");
        if (!want || window.benchReported === want.id || document.readyState === "loading") return;
        if (document.documentElement.innerHTML.includes(want.marker) !== want.present) return;
        window.benchReported = want.id;
        requestAnimationFrame(() => window.benchShown(want.id, Date.now()));
      };
      new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
      document.addEventListener("readystatechange", check);
    });
    await page.reload();

    // Saves `text` to `file` (deletes it, for no text), then waits for the
    // page to show `marker` (no longer to show it, for a deletion).
    let saves = 0;
    async function save(file, text, marker) {
      const before = rebuilds.length;
      const id = ++saves;
      const shownAt = new Promise((resolve) => waiting.set(id, resolve));
      await page.evaluate((want) => sessionStorage.setItem("benchWant", JSON.stringify(want)),
        { id, marker, present: text !== null });
      const start = Date.now();
      if (text === null) fs.rmSync(file);
      else fs.writeFileSync(file, text);
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`save ${id}: the page did not show it in 30 s`)), 30000);
      });
      const shown = (await Promise.race([shownAt, timeout]).finally(() => clearTimeout(timer))) - start;
      // serve prints the rebuild line before the page can change.
      return { shown, rebuild: rebuilds.slice(before).pop() };
    }

    const results = {};
    // Each kind: the page the tab shows, and the nth save (file, text, and
    // what the page shows once it is served).
    const added = (n) => path.join(path.dirname(article), `2099-01-01-benchmark-${n}.md`);
    const kinds = {
      "paragraph appended": [address, (n) => [article,
        original.trimEnd() + `\n\nEdit number ${n} of the benchmark.\n`, `Edit number ${n} of the benchmark.`]],
      // A tag that other articles have (some 300 each in the corpus): its
      // related-article weight and its listing pages change with it.
      "tags changed": [address, (n) => {
        const tag = ["water", "storms", "drought", "wildfires", "hospitals"][n % 5];
        return [article, original.replace(/^tags = \[/m, `tags = ["${tag}", `), `/tags/${tag}/">${tag}<`];
      }],
      // A new newest article: the home page lists it.
      "article added (home page open)": [`${url}/`, (n) => [added(n),
        original.replace(/^title = ".*"$/m, `title = "Benchmark article ${n}"`)
          .replace(/^date = .*$/m, `date = 2099-01-01T00:${String(n).padStart(2, "0")}:00`),
        `Benchmark article ${n}<`]],
      // Those articles deleted, newest first: each time the home page
      // loses its first article.
      "article deleted (home page open)": [`${url}/`, (n) => [added(edits + 1 - n), null,
        `Benchmark article ${edits + 1 - n}<`]],
    };
    for (const [kind, [shown, edit]] of Object.entries(kinds)) {
      if (page.url() !== shown) await page.goto(shown);
      results[kind] = { shown: [], rebuild: [] };
      for (let n = 1; n <= edits; n++) {
        const [file, text, marker] = edit(n);
        const { shown, rebuild } = await save(file, text, marker);
        results[kind].shown.push(shown);
        results[kind].rebuild.push(rebuild);
        // Let the file settle, like an author between two saves.
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    console.log(`serve on ${articles} articles, ${edits} saves of ${path.relative(site, article)} per kind:`);
    for (const [kind, { shown, rebuild }] of Object.entries(results)) {
      console.log(`  ${kind}: save → browser showed the edit ${describe(shown)}; rebuild ${describe(rebuild)}`);
    }
    const status = fs.readFileSync(`/proc/${server.pid}/status`, "utf8");
    const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))[1]);
    console.log(`  resident memory after the saves: ${(kb("VmRSS") / 1024).toFixed(0)} MB (peak ${(kb("VmHWM") / 1024).toFixed(0)} MB)`);
  } finally {
    fs.writeFileSync(article, original);
    for (let n = 1; n <= edits; n++) fs.rmSync(path.join(path.dirname(article), `2099-01-01-benchmark-${n}.md`), { force: true });
    await browser.close();
    server.kill();
  }
})().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
