"""Prints bench/run.sh's results as the README's Markdown tables."""
import collections, sys

times, extra = {}, collections.defaultdict(dict)
for line in open(sys.argv[1]):
    name, *values = line.rstrip("\n").split("\t")
    if values[0] == "peak":
        extra[name]["peak"] = values[1]
    elif len(values) == 1:
        extra[name.rsplit(" ", 1)[0]]["files"] = values[0]
    else:
        times[name] = [float(v) for v in values]

def cell(key):
    if key not in times:
        return "–"
    median, low, high = times[key]
    return f"{median:.2f} s ({low:.2f}–{high:.2f})"

sizes = sorted({int(k.split()[1]) for k in times})
print("| articles | tool | fresh, tmpfs | fresh, disk | rebuild, disk | one article edited, disk | peak memory | files |")
print("|---:|---|---|---|---|---|---:|---:|")
for n in sizes:
    for tool in ("broadsheet", "hugo"):
        if f"{tool} {n} tmpfs fresh" not in times:
            continue
        info = extra[f"{tool} {n}"]
        print(f"| {n:,} | {tool} | {cell(f'{tool} {n} tmpfs fresh')} | {cell(f'{tool} {n} disk fresh')} "
              f"| {cell(f'{tool} {n} disk rebuild')} | {cell(f'{tool} {n} disk edit-one')} "
              f"| {info.get('peak', '–')} MB | {info.get('files', '–')} |")
print()
for n in sizes:
    b, h = times.get(f"broadsheet {n} tmpfs fresh"), times.get(f"hugo {n} tmpfs fresh")
    if b and h:
        print(f"- {n:,} articles: broadsheet is {h[0] / b[0]:.1f}× faster than Hugo fresh on tmpfs, "
              f"{times[f'hugo {n} disk fresh'][0] / times[f'broadsheet {n} disk fresh'][0]:.1f}× on disk.")
    cached = times.get(f"broadsheet {n} tmpfs cached")
    if b and cached:
        print(f"- {n:,} articles: a fresh build with the cache folder restored (CI's case) takes "
              f"{cached[0]:.2f} s on tmpfs, {cached[0] / b[0]:.0%} of one without.")
    c = times.get(f"broadsheet {n} check")
    if b and c:
        print(f"- {n:,} articles: check takes {c[0]:.2f} s, {c[0] / b[0]:.0%} of a fresh build on tmpfs.")
    f = times.get(f"floor {n} tmpfs fresh")
    if f and b:
        line = f"- {n:,} articles: the floor is {f[0]:.2f} s; a fresh build on tmpfs is {b[0] / f[0]:.1f}× it"
        if c:
            line += f", check {c[0] / f[0]:.1f}×"
        if h:
            line += f", Hugo {h[0] / f[0]:.1f}×"
        print(line + ".")
if "broadsheet 100000 tmpfs fresh" in times and "broadsheet 10000 tmpfs fresh" in times:
    ratio = times["broadsheet 100000 tmpfs fresh"][0] / times["broadsheet 10000 tmpfs fresh"][0]
    print(f"- 100,000 articles take {ratio:.1f}× the time of 10,000.")
