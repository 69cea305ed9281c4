//! Writes a benchmark corpus: a complete broadsheet site of N articles in
//! the shape of a newsroom archive, and the same articles as a Hugo site.
//!
//! ```sh
//! cargo run --release --example corpus -- 10000 /tmp/corpus/broadsheet /tmp/corpus/hugo
//! ```
//!
//! The corpus is deterministic (a fixed seed): ~700 words an article with a
//! dek, 3–4 `##` sections, a list and a quote; 8 categories, 40 tags with a
//! Zipf-like skew, 20 authors, dates over six years; 30 % of articles with
//! further context to earlier ones, some inline `@/…#anchor` links, 20 %
//! with 10–20 lines of fenced Rust (5 % of the rest a JSON sample), 10 % with a table, 10 % with a
//! footnote, 10 % with a featured image. Sentences are assembled from
//! word banks and numbers, so no two paragraphs repeat.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const CATEGORIES: [(&str, &str); 8] = [
    ("world", "World"),
    ("politics", "Politics"),
    ("business", "Business"),
    ("technology", "Technology"),
    ("science", "Science"),
    ("climate", "Climate"),
    ("health", "Health"),
    ("sport", "Sport"),
];

const TAGS: [&str; 40] = [
    "elections",
    "inflation",
    "shipping",
    "trade",
    "energy",
    "housing",
    "transit",
    "courts",
    "education",
    "migration",
    "agriculture",
    "defense",
    "diplomacy",
    "oil",
    "ports",
    "labor",
    "budget",
    "taxes",
    "water",
    "drought",
    "storms",
    "wildfires",
    "vaccines",
    "hospitals",
    "software",
    "cybersecurity",
    "telecoms",
    "space",
    "fisheries",
    "tourism",
    "mining",
    "banking",
    "currency",
    "police",
    "city hall",
    "football",
    "baseball",
    "olympics",
    "museums",
    "open data",
];

const AUTHORS: [&str; 20] = [
    "Ana Ruiz",
    "Tomás Becker",
    "Grace Okafor",
    "Lena Park",
    "Marco Villanueva",
    "Kemi Charles",
    "Li Wei",
    "Sofia Marchetti",
    "Daniel Osei",
    "Priya Raman",
    "Jonas Lindqvist",
    "Camila Duarte",
    "Hannah Brooks",
    "Yusuf Demir",
    "Mei Tanaka",
    "Pablo Herrera",
    "Ingrid Solberg",
    "Omar Haddad",
    "Claire Dubois",
    "Nikolai Petrov",
];

const SUBJECTS: [&str; 24] = [
    "The city council",
    "Port officials",
    "The finance ministry",
    "Union leaders",
    "Analysts at the central bank",
    "Residents of the eastern wards",
    "The transport authority",
    "Hospital administrators",
    "Coast guard commanders",
    "The electoral commission",
    "Farmers' cooperatives",
    "The state auditor",
    "Shipping lines",
    "Teachers' unions",
    "The water utility",
    "Insurance brokers",
    "Researchers at the university",
    "The mayor's office",
    "Opposition lawmakers",
    "Airline executives",
    "The health ministry",
    "Local business owners",
    "Environmental groups",
    "The regional governor",
];

const VERBS: [&str; 16] = [
    "said",
    "warned",
    "announced",
    "confirmed",
    "estimated",
    "argued",
    "reported",
    "acknowledged",
    "predicted",
    "insisted",
    "disclosed",
    "cautioned",
    "told reporters",
    "wrote in a filing",
    "conceded",
    "testified",
];

const OBJECTS: [&str; 20] = [
    "container volumes",
    "reservoir levels",
    "bus ridership",
    "wheat prices",
    "hospital admissions",
    "property tax receipts",
    "voter turnout",
    "insurance premiums",
    "electricity demand",
    "fish catches",
    "tourist arrivals",
    "rental prices",
    "coffee exports",
    "overtime costs",
    "school enrolment",
    "fuel imports",
    "court backlogs",
    "broadband subscriptions",
    "copper output",
    "ferry crossings",
];

const CHANGES: [&str; 10] =
    ["rose", "fell", "climbed", "slipped", "jumped", "dropped", "edged up", "edged down", "surged", "stalled"];

const PLACES: [&str; 16] = [
    "Port of Spain",
    "Willemstad",
    "Kingston",
    "Santo Domingo",
    "Panama City",
    "Bridgetown",
    "Havana",
    "San Juan",
    "Nassau",
    "Cartagena",
    "Veracruz",
    "Belize City",
    "Georgetown",
    "Paramaribo",
    "Castries",
    "Roseau",
];

const WHEN: [&str; 12] = [
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "over the weekend",
    "last month",
    "this quarter",
    "since January",
    "in the spring",
    "before the holiday",
    "late on Sunday",
];

const SECTIONS: [&str; 8] = [
    "Key Details",
    "Background",
    "What's Next",
    "The Numbers",
    "Reaction",
    "How We Got Here",
    "What It Means",
    "By the Numbers",
];

/// A tiny valid PNG, for featured images.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

struct Article {
    category: usize,
    /// `2021-03-07-slug`, the file stem.
    stem: String,
    date: String,
    title: String,
    dek: String,
    tags: Vec<&'static str>,
    authors: Vec<&'static str>,
    /// Indices of earlier articles, and the note.
    context: Vec<(usize, String)>,
    sections: Vec<&'static str>,
    image: bool,
    /// Markdown with `@/` links; converted for Hugo.
    body: String,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(count), Some(out)) = (args.get(1).and_then(|n| n.parse::<usize>().ok()), args.get(2)) else {
        eprintln!("usage: corpus <articles> <broadsheet-dir> [<hugo-dir>]");
        std::process::exit(2);
    };
    let mut rng = fastrand::Rng::with_seed(0x6e65_7773);
    let articles: Vec<Article> = (0..count).map(|i| article(&mut rng, i, count)).collect();
    let articles = link(&mut rng, articles);
    write_broadsheet(Path::new(out), &articles);
    if let Some(hugo) = args.get(3) {
        write_hugo(Path::new(hugo), &articles);
    }
    eprintln!("wrote {count} articles to {out}{}", args.get(3).map(|h| format!(" and {h}")).unwrap_or_default());
}

/// A fenced block of 10–20 lines of Rust, such as a data desk publishes
/// with a story about its tools: a struct, a function or two, a loop,
/// strings, numbers and comments; names and numbers vary, so no two blocks
/// are the same.
fn rust_block(rng: &mut fastrand::Rng) -> String {
    const NOUNS: [&str; 8] = ["precinct", "ballot", "county", "result", "station", "reading", "sample", "tally"];
    const FIELDS: [&str; 8] = ["votes", "turnout", "count", "total", "margin", "share", "level", "delay"];
    let noun = pick(rng, &NOUNS);
    let ty = capitalize(noun);
    let (a, b) = (pick(rng, &FIELDS), pick(rng, &FIELDS[..4]));
    // 18 lines with the struct, else 10 with up to two helpers of 4.
    let with_struct = rng.bool();
    let mut code = String::from("```rust\nuse std::collections::HashMap;\n\n");
    if with_struct {
        let _ = write!(
            code,
            "/// One {noun} as the feed reports it.\n#[derive(Debug, Clone)]\n\
             pub struct {ty} {{\n    pub id: String,\n    pub {a}: u32,\n    pub {b}_seen: u64,\n}}\n\n"
        );
    }
    let _ = write!(
        code,
        "pub fn summarize(rows: &[{ty}], limit: usize) -> HashMap<String, u32> {{\n    let mut out = HashMap::new();\n\
         \x20   for row in rows.iter().filter(|r| r.{a} > {}) {{\n        *out.entry(row.id.clone()).or_insert(0) += row.{a};\n\
         \x20   }}\n    out.retain(|_, v| *v as usize <= limit * {});\n    out\n}}\n",
        rng.u32(0..500),
        rng.u32(2..50)
    );
    for _ in 0..if with_struct { 0 } else { rng.u32(0..3) } {
        let _ = write!(
            code,
            "\nfn label_{}(x: f64) -> String {{\n    format!(\"{{:.{}}} % ({noun})\", x * 100.0)\n}}\n",
            rng.u32(0..1000),
            rng.u32(1..4)
        );
    }
    code.push_str("```\n\n");
    code
}

fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

/// A tag index with a Zipf-like skew: the first tags are far more common.
fn skewed(rng: &mut fastrand::Rng, n: usize) -> usize {
    let total: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
    let mut x = rng.f64() * total;
    for k in 1..=n {
        x -= 1.0 / k as f64;
        if x <= 0.0 {
            return k - 1;
        }
    }
    n - 1
}

fn sentence(rng: &mut fastrand::Rng) -> String {
    let n = rng.u32(2..990);
    let tenth = rng.u32(0..10);
    match rng.u32(0..4) {
        0 => format!(
            "{} {} {} that {} {} {}.{} percent in {}.",
            pick(rng, &SUBJECTS),
            pick(rng, &VERBS),
            pick(rng, &WHEN),
            pick(rng, &OBJECTS),
            pick(rng, &CHANGES),
            n % 60,
            tenth,
            pick(rng, &PLACES)
        ),
        1 => format!(
            "In {}, {} {} to {} after {} weeks of talks, according to {}.",
            pick(rng, &PLACES),
            pick(rng, &OBJECTS),
            pick(rng, &CHANGES),
            n,
            rng.u32(2..40),
            pick(rng, &SUBJECTS).to_lowercase()
        ),
        2 => format!(
            "{} {} that the figure of {} would not hold {}, a claim disputed by {}.",
            pick(rng, &SUBJECTS),
            pick(rng, &VERBS),
            n * 1000 + rng.u32(0..1000),
            pick(rng, &WHEN),
            pick(rng, &SUBJECTS).to_lowercase()
        ),
        _ => format!(
            "Records reviewed by the newsroom show {} {} {} times {}, the longest run in {} years.",
            pick(rng, &OBJECTS),
            pick(rng, &CHANGES),
            rng.u32(2..30),
            pick(rng, &WHEN),
            rng.u32(3..40)
        ),
    }
}

fn paragraph(rng: &mut fastrand::Rng, sentences: usize) -> String {
    (0..sentences).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

fn article(rng: &mut fastrand::Rng, i: usize, count: usize) -> Article {
    let category = rng.usize(..CATEGORIES.len());
    // Six years, in order, so that "earlier" means a lower index.
    let day = (i * 6 * 365) / count.max(1);
    let date = civil_date(2020, day);
    let hour = 6 + rng.u32(0..14);
    let minute = rng.u32(0..60);
    let subject = pick(rng, &OBJECTS);
    let place = pick(rng, &PLACES);
    let title = format!(
        "{} {} in {} as {} weigh next steps ({})",
        capitalize(subject),
        pick(rng, &CHANGES),
        place,
        pick(rng, &SUBJECTS).to_lowercase(),
        i
    );
    let slug = format!("{}-{}-{}", subject.replace(' ', "-"), place.to_lowercase().replace(' ', "-"), i);
    let mut tags = Vec::new();
    for _ in 0..rng.usize(2..5) {
        let tag = TAGS[skewed(rng, TAGS.len())];
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let authors = (0..rng.usize(1..3)).map(|_| AUTHORS[skewed(rng, AUTHORS.len())]).collect::<Vec<_>>();
    let mut authors_unique = Vec::new();
    for a in authors {
        if !authors_unique.contains(&a) {
            authors_unique.push(a);
        }
    }
    let section_count = rng.usize(3..5);
    let mut sections: Vec<&str> = Vec::new();
    while sections.len() < section_count {
        let s = pick(rng, &SECTIONS);
        if !sections.contains(&s) {
            sections.push(s);
        }
    }
    let mut body = String::new();
    let _ = writeln!(body, "{}\n", paragraph(rng, 4));
    for (n, section) in sections.iter().enumerate() {
        let _ = writeln!(body, "## {section}\n");
        let _ = writeln!(body, "{}\n", paragraph(rng, 4));
        if n == 0 {
            for _ in 0..3 {
                let _ = writeln!(body, "- {}", sentence(rng));
            }
            body.push('\n');
        }
        if n == 1 {
            let _ = writeln!(
                body,
                "> \"We won't stop until the numbers add up,\" {} {}.\n",
                pick(rng, &SUBJECTS).to_lowercase(),
                pick(rng, &VERBS)
            );
        }
        let _ = writeln!(body, "{}\n", paragraph(rng, 3));
    }
    // A technology desk's code: 10–20 lines of Rust in a fifth of the
    // articles (highlighting them is a real cost), a JSON sample in a few.
    if rng.u32(0..10) < 2 {
        body.push_str(&rust_block(rng));
    } else if rng.u32(0..20) == 0 {
        let _ = writeln!(
            body,
            "```json\n{{ \"precinct\": \"E-{:04}\", \"yes\": {}, \"no\": {} }}\n```\n",
            rng.u32(0..9999),
            rng.u32(0..999),
            rng.u32(0..999)
        );
    }
    if rng.u32(0..10) == 0 {
        let _ = writeln!(body, "| Year | {} | Change |\n|---|---:|---:|", capitalize(subject));
        for year in 2021..2025 {
            let _ = writeln!(body, "| {year} | {} | {}.{} % |", rng.u32(100..9999), rng.u32(0..20), rng.u32(0..10));
        }
        body.push('\n');
    }
    if rng.u32(0..10) == 0 {
        let _ = writeln!(body, "The figures were revised twice.[^rev]\n\n[^rev]: {}\n", sentence(rng));
    }
    Article {
        category,
        stem: format!("{date}-{slug}"),
        date: format!("{date}T{hour:02}:{minute:02}:00"),
        title,
        dek: paragraph(rng, 1),
        tags,
        authors: authors_unique,
        context: Vec::new(),
        sections,
        image: rng.u32(0..10) == 0,
        body,
    }
}

/// Further context (30 %) and inline `@/…#anchor` links (15 %) to earlier articles.
fn link(rng: &mut fastrand::Rng, mut articles: Vec<Article>) -> Vec<Article> {
    for i in 1..articles.len() {
        if rng.u32(0..10) < 3 {
            for _ in 0..rng.usize(1..3) {
                let target = rng.usize(..i);
                if !articles[i].context.iter().any(|(t, _)| *t == target) {
                    let note = format!("earlier reporting on {}", pick(rng, &OBJECTS));
                    articles[i].context.push((target, note));
                }
            }
        }
        if rng.u32(0..20) < 3 {
            let target = rng.usize(..i);
            let heading = pick(rng, &articles[target].sections);
            let anchor = heading.to_lowercase().replace('\'', "").replace(' ', "-");
            let path = format!("{}/{}.md", CATEGORIES[articles[target].category].0, articles[target].stem);
            let _ = writeln!(
                articles[i].body,
                "As we reported, [the earlier figures](@/{path}#{anchor}) tell a different story.\n"
            );
        }
    }
    articles
}

fn write_broadsheet(root: &Path, articles: &[Article]) {
    let _ = fs::remove_dir_all(root);
    fs::create_dir_all(root).unwrap();
    let mut config = String::from(
        "title = \"The Benchmark Gazette\"\nbase_url = \"https://bench.example.com\"\n\
         description = \"A generated archive for benchmarks.\"\ntimezone = \"America/Mexico_City\"\n\
         articles_per_page = 20\nfeed_limit = 50\n\
         # Off: the Hugo site has no search either (its cost is measured apart).\nsearch = false\n\n",
    );
    for (slug, name) in CATEGORIES {
        let _ = writeln!(config, "[categories.{slug}]\nname = \"{name}\"\n");
    }
    for author in AUTHORS {
        let _ =
            writeln!(config, "[authors.{}]\nname = \"{author}\"\nbio = \"Reports for the Gazette.\"\n", key(author));
    }
    fs::write(root.join("config.toml"), config).unwrap();
    for article in articles {
        let dir = root.join("content").join(CATEGORIES[article.category].0);
        fs::create_dir_all(&dir).unwrap();
        let mut front = format!(
            "+++\ntitle = {:?}\ndescription = {:?}\ndate = {}\nauthors = [{}]\ntags = [{}]\n",
            article.title,
            article.dek,
            article.date,
            article.authors.iter().map(|a| format!("{:?}", key(a))).collect::<Vec<_>>().join(", "),
            article.tags.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
        );
        if article.image {
            let image = format!("{}.png", article.stem);
            fs::write(dir.join(&image), PNG).unwrap();
            let _ = writeln!(
                front,
                "image = {{ src = {image:?}, alt = \"A chart of the figures in the story\", caption = \"The figures at a glance.\", credit = \"Graphics desk\" }}"
            );
        }
        for (target, note) in &article.context {
            let target = &articles[*target];
            let _ = writeln!(
                front,
                "[[further_context]]\npath = \"{}/{}.md\"\nnote = {note:?}",
                CATEGORIES[target.category].0, target.stem
            );
        }
        front.push_str("+++\n\n");
        front.push_str(&article.body);
        fs::write(dir.join(format!("{}.md", article.stem)), front).unwrap();
    }
}

/// The same articles as a Hugo site: tags, categories and authors as
/// taxonomies, the same page size, RSS, sitemap, highlighting on, and
/// templates that show the same fields but one: related articles. Hugo's
/// `.Related` takes 40 s of a 45 s build on this corpus (it grows with the
/// square of the archive), so leaving it out favours Hugo.
fn write_hugo(root: &Path, articles: &[Article]) {
    let _ = fs::remove_dir_all(root);
    for dir in ["layouts/_default", "layouts/partials", "static/images"] {
        fs::create_dir_all(root.join(dir)).unwrap();
    }
    fs::write(
        root.join("hugo.toml"),
        "baseURL = \"https://bench.example.com/\"\ntitle = \"The Benchmark Gazette\"\nlocale = \"en\"\n\
         timeZone = \"America/Mexico_City\"\n\n[pagination]\npagerSize = 20\n\n[services.rss]\nlimit = 50\n\n\
         [taxonomies]\ntag = \"tags\"\ncategory = \"categories\"\nauthor = \"authors\"\n\n\
         [markup.highlight]\nnoClasses = false\n\n[markup.goldmark.extensions.typographer]\ndisable = false\n",
    )
    .unwrap();
    let layouts = [
        (
            "layouts/_default/baseof.html",
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }} — {{ site.Title }}</title>\n<meta name=\"description\" content=\"{{ .Description }}\"><link rel=\"canonical\" href=\"{{ .Permalink }}\">\n{{ with .OutputFormats.Get \"rss\" }}<link rel=\"alternate\" type=\"application/rss+xml\" href=\"{{ .Permalink }}\">{{ end }}</head>\n<body><header><a href=\"/\">{{ site.Title }}</a><nav>{{ range site.Taxonomies.categories }}<a href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a> {{ end }}</nav></header>\n<main>{{ block \"main\" . }}{{ end }}</main></body></html>\n",
        ),
        (
            "layouts/_default/single.html",
            "{{ define \"main\" }}<article>{{ with .Params.categories }}<p class=\"kicker\">{{ index . 0 }}</p>{{ end }}<h1>{{ .Title }}</h1><p class=\"dek\">{{ .Description }}</p>\n{{ with .Params.authors }}<p>By {{ delimit . \", \" }}</p>{{ end }}<time datetime=\"{{ .Date.Format \"2006-01-02T15:04:05Z07:00\" }}\">{{ .Date.Format \"January 2, 2006\" }}</time> · {{ .ReadingTime }} min read\n{{ with .Params.image }}<figure><img src=\"{{ .src }}\" alt=\"{{ .alt }}\"><figcaption>{{ .caption }} {{ .credit }}</figcaption></figure>{{ end }}\n{{ .TableOfContents }}{{ .Content }}\n{{ with .Params.further_context }}<aside><h2>Further context</h2><ul>{{ range . }}{{ with site.GetPage .path }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}{{ end }}</ul></aside>{{ end }}\n<ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul></article>{{ end }}\n",
        ),
        (
            "layouts/_default/list.html",
            "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ $pages := .Paginate .Pages }}{{ range $pages.Pages }}{{ partial \"card.html\" . }}{{ end }}\n{{ with $pages.Prev }}<a rel=\"prev\" href=\"{{ .URL }}\">Newer</a>{{ end }}{{ with $pages.Next }}<a rel=\"next\" href=\"{{ .URL }}\">Older</a>{{ end }}{{ end }}\n",
        ),
        (
            "layouts/_default/terms.html",
            "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}<li><a href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}\n",
        ),
        (
            "layouts/index.html",
            "{{ define \"main\" }}{{ range first 1 (where site.RegularPages \"Params.featured\" true) }}{{ partial \"card.html\" . }}{{ end }}\n{{ range site.Taxonomies.categories }}<section><h2>{{ .Page.Title }}</h2>{{ range first 4 .Pages }}{{ partial \"card.html\" . }}{{ end }}</section>{{ end }}{{ end }}\n",
        ),
        (
            "layouts/partials/card.html",
            "<article><h3><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></h3><p>{{ .Description }}</p><p>{{ with .Params.authors }}By {{ delimit . \", \" }} · {{ end }}{{ .Date.Format \"January 2, 2006\" }} · {{ .ReadingTime }} min read</p></article>\n",
        ),
        ("layouts/404.html", "{{ define \"main\" }}<h1>Page not found</h1>{{ end }}\n"),
    ];
    for (path, text) in layouts {
        fs::write(root.join(path), text).unwrap();
    }
    fs::write(root.join("static/images/chart.png"), PNG).unwrap();
    for article in articles {
        let category = CATEGORIES[article.category];
        let dir = root.join("content").join(category.0);
        fs::create_dir_all(&dir).unwrap();
        let mut front = format!(
            "+++\ntitle = {:?}\ndescription = {:?}\ndate = {}\nslug = {:?}\ncategories = [{:?}]\nauthors = [{}]\ntags = [{}]\n",
            article.title,
            article.dek,
            article.date,
            &article.stem[11..],
            category.1,
            article.authors.iter().map(|a| format!("{a:?}")).collect::<Vec<_>>().join(", "),
            article.tags.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
        );
        if article.image {
            front.push_str("featured = true\n");
        }
        if article.image {
            front.push_str("image = { src = \"/images/chart.png\", alt = \"A chart of the figures in the story\", caption = \"The figures at a glance.\", credit = \"Graphics desk\" }\n");
        }
        for (target, note) in &article.context {
            let target = &articles[*target];
            let _ = writeln!(
                front,
                "[[further_context]]\npath = \"/{}/{}.md\"\nnote = {note:?}",
                CATEGORIES[target.category].0, target.stem
            );
        }
        front.push_str("+++\n\n");
        front.push_str(&hugo_links(&article.body));
        fs::write(dir.join(format!("{}.md", article.stem)), front).unwrap();
    }
}

/// `[text](@/path.md#anchor)` → `[text]({{< ref "/path.md#anchor" >}})`.
fn hugo_links(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("](@/") {
        out.push_str(&rest[..at + 2]);
        let after = &rest[at + 4..];
        let end = after.find(')').unwrap_or(after.len());
        let _ = write!(out, "{{{{< ref \"/{}\" >}}}}", &after[..end]);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn key(author: &str) -> String {
    author.to_lowercase().replace(' ', "-").replace('á', "a").replace('ø', "o")
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// The date `day` days after January 1 of `year`, as `YYYY-MM-DD`.
fn civil_date(year: i32, day: usize) -> String {
    let start = jiff::civil::date(year as i16, 1, 1);
    let date = start.checked_add(jiff::Span::new().days(day as i64)).unwrap();
    date.to_string()
}
