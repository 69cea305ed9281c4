#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/<target>/) from the
# project's own test fixtures and sample site: every article, every
# config.toml, and the request paths the serve tests refuse.
set -euo pipefail
cd "$(dirname "$0")"
root=..
for target in front_matter markdown config request_path; do
  mkdir -p "corpus/$target"
done
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  cp "$file" "corpus/front_matter/seed-$n"
  # The markdown target takes a body: what follows the closing fence.
  awk 'f>=2 {print} /^\+\+\+/ {f++}' "$file" >"corpus/markdown/seed-$n"
done < <(find "$root/tests/fixtures" "$root/content" -name '*.md' -print0 | sort -z)
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  cp "$file" "corpus/config/seed-$n"
done < <(find "$root/tests/fixtures" "$root" -maxdepth 4 -name config.toml -not -path '*/target/*' -print0 | sort -z)
n=0
while IFS= read -r path; do
  n=$((n + 1))
  printf '%s' "$path" >"corpus/request_path/seed-$n"
done <<'PATHS'
/
/index.html
/world/harbour-reopens/
/../etc/passwd
/%2e%2e/etc/passwd
/%252e%252e/etc/passwd
/%c0%ae%c0%ae/etc/passwd
/..%2fetc%2fpasswd
/..\etc\passwd
//etc/passwd
/a/%00/b
/caf%C3%A9/
/search/pagefind.js
PATHS
echo "seeded: $(ls corpus/front_matter | wc -l) articles, $(ls corpus/config | wc -l) configs, $(ls corpus/request_path | wc -l) paths"
