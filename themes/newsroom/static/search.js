// Search as you type, on a static host: Pagefind's client over the index
// broadsheet built. Each element with data-search-index gets a search
// field; without JavaScript it keeps its plain link to the search page.
let mounted = 0;

for (const box of document.querySelectorAll("[data-search-index]")) {
  mount(box);
}

function mount(box) {
  const id = `search-${++mounted}`;
  const form = document.createElement("form");
  form.setAttribute("role", "search");
  form.className = "search-form";
  form.addEventListener("submit", (event) => event.preventDefault());
  const label = document.createElement("label");
  label.htmlFor = id;
  label.className = "visually-hidden";
  label.textContent = "Search articles";
  const input = document.createElement("input");
  input.type = "search";
  input.id = id;
  input.placeholder = "Search articles";
  input.autocomplete = "off";
  form.append(label, input);
  const results = document.createElement("ol");
  results.className = "search-results";
  results.setAttribute("aria-live", "polite");
  box.replaceChildren(form, results);
  if (box.dataset.searchFocus !== undefined) input.focus();

  let pagefind = null;
  input.addEventListener("input", async () => {
    const term = input.value.trim();
    if (!term) {
      results.replaceChildren();
      return;
    }
    pagefind ??= await import(box.dataset.searchIndex);
    // null when a later keystroke superseded this search.
    const search = await pagefind.debouncedSearch(term);
    if (search === null || input.value.trim() !== term) return;
    const found = await Promise.all(search.results.slice(0, 8).map((result) => result.data()));
    results.replaceChildren(...found.map(item));
    if (found.length === 0) {
      const none = document.createElement("li");
      none.className = "search-none";
      none.textContent = `No articles match “${term}”.`;
      results.append(none);
    }
  });
}

// One result: kicker, headline, date and the excerpt Pagefind marked up.
function item(data) {
  const li = document.createElement("li");
  li.className = "search-result";
  const kicker = document.createElement("p");
  kicker.className = "kicker";
  kicker.textContent = data.meta.kicker || "";
  const headline = document.createElement("a");
  headline.className = "search-headline";
  headline.href = data.url;
  headline.textContent = data.meta.title || data.url;
  const date = document.createElement("p");
  date.className = "meta";
  date.textContent = data.meta.date || "";
  const excerpt = document.createElement("p");
  excerpt.className = "search-excerpt";
  // Pagefind escapes the indexed text and adds only <mark> around matches.
  excerpt.innerHTML = data.excerpt;
  li.append(kicker, headline, date, excerpt);
  return li;
}
