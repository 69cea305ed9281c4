"""Edits one article of a corpus, as an author saving a change would: the
same file every time, its editor's note carrying a new revision number
(so no earlier build ever had these bytes)."""
import pathlib, re, sys

content = pathlib.Path(sys.argv[1])
articles = sorted(content.glob("world/*.md"))
article = articles[len(articles) // 2]
text = article.read_text()
found = re.search(r"\nEditor's note: revision (\d+)\.\n$", text)
revision = int(found.group(1)) + 1 if found else 1
if found:
    text = text[: found.start()] + "\n"
article.write_text(text.rstrip("\n") + f"\n\nEditor's note: revision {revision}.\n")
