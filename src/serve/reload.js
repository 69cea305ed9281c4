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
  events.addEventListener("errors", (event) => show(JSON.parse(event.data)));
  // A rebuild sends the output files whose bytes changed: reload when this
  // page is one of them (or an error was showing), swap the stylesheets
  // when only CSS changed.
  events.addEventListener("changed", (event) => {
    const changed = JSON.parse(event.data);
    if (overlay || changed.includes(page)) {
      location.reload();
      return;
    }
    if (changed.some((file) => file.endsWith(".css"))) {
      for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
        const url = new URL(link.href);
        url.searchParams.set("broadsheet", Date.now());
        link.href = url.href;
      }
    }
  });
})();
