"""Prints bench/out/results.tsv as a Markdown table."""
import json
import sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
print("| backend | scenario | clients | req/s | p50 ms | p95 ms | p99 ms | errors | other |")
print("|---|---|---|---|---|---|---|---|---|")
for backend, scenario, clients, data in rows:
    d = json.loads(data)
    if "rps" in d:
        errors = d["errors"] + d["non2xx"]
        print(f"| {backend} | {scenario} | {clients} | {d['rps']:.0f} | {d['p50_ms']:.2f} | {d['p95_ms']:.2f} | {d['p99_ms']:.2f} | {errors} | |")
    else:
        other = ", ".join(f"{k} = {v}" for k, v in d.items())
        print(f"| {backend} | {scenario} | | | | | | | {other} |")
