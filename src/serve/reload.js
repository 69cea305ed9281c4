// broadsheet serve: live reload. Injected into served HTML only, never
// into `build` output.
(() => {
  // The server tells which file this page was served for and its ETag
  // then; listening with them, the tab hears of a save made before it
  // began to listen (and of one made while the server was restarting).
  const served = document.currentScript.dataset;
  const page = served.file;
  const asked = new URLSearchParams({ file: page });
  if (served.etag) asked.set("etag", served.etag);
  // Out of the page, so that the page is what the server built: the
  // script goes on running.
  document.currentScript.remove();
  // The page as served, once parsed and before the theme's deferred and
  // module scripts run (readiness turns "interactive" between the two):
  // what a script changed is told apart from what a save changed.
  let built = null;
  const parsed = () => {
    if (!built && document.readyState !== "loading") built = document.cloneNode(true);
  };
  document.addEventListener("readystatechange", parsed);
  parsed();
  const events = new EventSource("/__broadsheet/events?" + asked);
  let overlay = null;
  const show = (errors) => {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "broadsheet-errors";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.96);" +
        "color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem";
      document.body.appendChild(overlay);
    }
    overlay.replaceChildren();
    const title = document.createElement("h1");
    title.textContent = "broadsheet: the last change does not build";
    title.style.cssText = "font:700 18px/1.3 system-ui,sans-serif;color:#ff8a80;margin:0 0 1rem";
    overlay.appendChild(title);
    const note = document.createElement("p");
    note.textContent = "The last good version stays served. Fix the file and save: this page reloads.";
    overlay.appendChild(note);
    for (const error of errors) {
      const block = document.createElement("pre");
      block.textContent = error;
      block.style.cssText = "white-space:pre-wrap;border-left:3px solid #ff8a80;padding-left:1rem;margin:1rem 0";
      overlay.appendChild(block);
    }
  };

  // A script the browser runs (not JSON-LD or another data block).
  const runs = (script) => !script.type || script.type === "module" || /(java|ecma)script/i.test(script.type);
  const scripted = (node) =>
    node.nodeType === Node.ELEMENT_NODE &&
    (node.matches("script") ? runs(node) : [...node.querySelectorAll("script")].some(runs));
  // Scripts that may run before this one copied the page (classic ones
  // not deferred, async ones): what they changed would pass for what was
  // built.
  const early = (doc) =>
    [...doc.querySelectorAll("script")].some((s) => runs(s) && s.type !== "module" && !(s.defer && s.src));

  // Finds the smallest runs of nodes that differ between `old` (the page
  // as built) and `now` (as built after the save), and records in `edits`
  // what to put in place of `live`'s (the page the tab shows) matching
  // nodes. False when the page cannot be brought up to date in place: a
  // node to replace was changed by a script since, or holds a script
  // (which would not run again), or is the page's frame (html, head, body).
  const compare = (old, now, live, edits) => {
    const before = old.childNodes;
    const after = now.childNodes;
    if (live.childNodes.length !== before.length) return false;
    let start = 0;
    while (start < before.length && start < after.length && before[start].isEqualNode(after[start])) start++;
    let end = 0;
    while (
      end < before.length - start &&
      end < after.length - start &&
      before[before.length - 1 - end].isEqualNode(after[after.length - 1 - end])
    )
      end++;
    const gone = [...before].slice(start, before.length - end);
    const come = [...after].slice(start, after.length - end);
    const shown = [...live.childNodes].slice(start, before.length - end);
    // As many nodes as before: pair them, and look inside each changed
    // element that keeps its name and attributes, to keep what did not
    // change (and what scripts did to it, its attributes included).
    if (gone.length === come.length) {
      for (let i = 0; i < gone.length; i++) {
        if (gone[i].isEqualNode(come[i])) continue;
        const done =
          sameElement(gone[i], come[i]) && shown[i].nodeName === gone[i].nodeName
            ? compare(gone[i], come[i], shown[i], edits)
            : replace(live, [gone[i]], [come[i]], [shown[i]], shown[i].nextSibling, edits);
        if (!done) return false;
      }
      return true;
    }
    return replace(live, gone, come, shown, live.childNodes[before.length - end] || null, edits);
  };
  // Records that `live`'s nodes `shown` (built as `gone`) give way to
  // `come` (before `next`), unless a script changed them since or one
  // is in either.
  const replace = (live, gone, come, shown, next, edits) => {
    for (let i = 0; i < gone.length; i++) {
      if (!gone[i].isEqualNode(shown[i]) || scripted(gone[i])) return false;
    }
    if (come.some(scripted) || [...gone, ...come].some((n) => ["HEAD", "BODY"].includes(n.nodeName))) return false;
    edits.push({ parent: live, shown, come, next });
    return true;
  };
  const sameElement = (a, b) =>
    a.nodeType === Node.ELEMENT_NODE &&
    b.nodeType === Node.ELEMENT_NODE &&
    a.nodeName === b.nodeName &&
    a.attributes.length === b.attributes.length &&
    [...a.attributes].every((attr) => b.getAttribute(attr.name) === attr.value);

  // Brings the page up to date in place: the page as built after the save
  // is asked for and only the nodes that differ are replaced, so the tab
  // neither flashes nor loses its scroll position, and shows the edit
  // without Chromium's whole reload (some 30–40 ms at 10,000 articles).
  // Anything else (the page gone, a script in what changed) reloads.
  const update = async () => {
    if (!built) return false;
    const response = await fetch(location.href, { cache: "no-store" });
    const type = response.headers.get("content-type") || "";
    if (!response.ok || !type.startsWith("text/html")) return false;
    const now = new DOMParser().parseFromString(await response.text(), "text/html");
    // Without this script, and its text on either side joined into one
    // node, as the tab's parser did after the script took itself out.
    for (const script of now.querySelectorAll("script[data-file]")) script.remove();
    now.normalize();
    // DOMParser parses as if scripts were off, a <noscript>'s content into
    // elements; the tab's parser kept it as text.
    for (const fallback of now.querySelectorAll("noscript")) fallback.textContent = fallback.innerHTML;
    if (early(built) || early(now)) return false;
    const edits = [];
    if (!compare(built.documentElement, now.documentElement, document.documentElement, edits)) return false;
    for (const { parent, shown, come, next } of edits) {
      for (const node of shown) node.remove();
      for (const node of come) parent.insertBefore(document.importNode(node, true), next);
    }
    built = now;
    return true;
  };
  // One update at a time, the last save's last: a save during an update
  // updates again after it.
  let updating = false;
  let again = false;
  const refresh = async () => {
    if (updating) {
      again = true;
      return;
    }
    updating = true;
    try {
      do {
        again = false;
        if (!(await update())) {
          location.reload();
          return;
        }
      } while (again);
    } catch {
      location.reload();
    } finally {
      updating = false;
    }
  };

  events.addEventListener("errors", (event) => show(JSON.parse(event.data)));
  // A rebuild sends the output files whose bytes changed: update the tab
  // when its page is one of them (reload it if an error was showing), and
  // swap the stylesheets when CSS changed (an update in place keeps the
  // page's links to them, which did not change).
  events.addEventListener("changed", (event) => {
    const changed = JSON.parse(event.data);
    if (overlay) {
      location.reload();
      return;
    }
    if (changed.includes(page)) refresh();
    if (changed.some((file) => file.endsWith(".css"))) {
      for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
        const url = new URL(link.href);
        url.searchParams.set("broadsheet", Date.now());
        link.href = url.href;
      }
    }
  });
})();
