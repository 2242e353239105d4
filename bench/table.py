"""Prints bench/out/results.tsv as a Markdown table."""
import json
import sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
print("| backend | scenario | clients | req/s | p50 ms | p95 ms | p99 ms | non-2xx | other |")
print("|---|---|---|---|---|---|---|---|---|")
for backend, scenario, clients, data in rows:
    d = json.loads(data)
    if "rps" in d:
        errors = d["errors"] + d["non2xx"]
        other = ", ".join(([f"peak RSS {d['peak_rss_mb']} MB"] if "peak_rss_mb" in d else [])
                          + ([f"server's peak so far {d['hwm_mb']} MB"] if "hwm_mb" in d else []))
        print(f"| {backend} | {scenario} | {clients} | {d['rps']:.0f} | {d['p50_ms']:.2f} | {d['p95_ms']:.2f} "
              f"| {d['p99_ms']:.2f} | {errors} | {other} |")
    else:
        other = ", ".join(f"{k} = {v}" for k, v in d.items())
        print(f"| {backend} | {scenario} | {clients} | | | | | | {other} |")
