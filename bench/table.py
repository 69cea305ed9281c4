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
    if low == high == median:
        return f"{median:.2f} s (one run)"
    return f"{median:.2f} s ({low:.2f}–{high:.2f})"

sizes = sorted({int(k.split()[1]) for k in times})
def floors(key, n):
    """A fresh tmpfs time as a multiple of the floor's in the same run."""
    floor = times.get(f"floor {n} tmpfs fresh")
    return f"{times[key][0] / floor[0]:.1f}×" if floor and key in times else "–"

print("| articles | tool | fresh, tmpfs | × floor | fresh, disk | rebuild, disk | one article edited, disk "
      "| peak memory | files |")
print("|---:|---|---|---:|---|---|---|---:|---:|")
for n in sizes:
    for tool in ("floor", "broadsheet", "hugo"):
        if f"{tool} {n} tmpfs fresh" not in times:
            continue
        info = extra[f"{tool} {n}"]
        peak = f"{int(info['peak']):,} MB" if "peak" in info else "–"
        files = f"{int(info['files']):,}" if "files" in info else f"{n:,}" if tool == "floor" else "–"
        print(f"| {n:,} | {tool} | {cell(f'{tool} {n} tmpfs fresh')} | {floors(f'{tool} {n} tmpfs fresh', n)} "
              f"| {cell(f'{tool} {n} disk fresh')} | {cell(f'{tool} {n} disk rebuild')} "
              f"| {cell(f'{tool} {n} disk edit-one')} | {peak} | {files} |")
print()
for n in sizes:
    b, h = times.get(f"broadsheet {n} tmpfs fresh"), times.get(f"hugo {n} tmpfs fresh")
    if b and h:
        line = f"- {n:,} articles: broadsheet is {h[0] / b[0]:.1f}× faster than Hugo fresh on tmpfs"
        if f"hugo {n} disk fresh" in times:
            line += f", {times[f'hugo {n} disk fresh'][0] / times[f'broadsheet {n} disk fresh'][0]:.1f}× on disk"
        print(line + ".")
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
growth = {
    tool: times[f"{tool} 100000 tmpfs fresh"][0] / times[f"{tool} 10000 tmpfs fresh"][0]
    for tool in ("broadsheet", "hugo", "floor")
    if f"{tool} 100000 tmpfs fresh" in times and f"{tool} 10000 tmpfs fresh" in times
}
if "broadsheet" in growth:
    others = "".join(f", {tool} {ratio:.1f}×" for tool, ratio in growth.items() if tool != "broadsheet")
    print(f"- 100,000 articles take {growth['broadsheet']:.1f}× the time of 10,000 (fresh, tmpfs{others}).")
