"""A/B of the write scenarios on PostgreSQL on fixed data (BENCHMARKS.md, issue 17).

    AB_ROUNDS=3 WHICH=all python3 bench/ab.py old=/path/to/old-kaizen new@old=/path/to/new-kaizen

Each NAME=BINARY gets a base database that the binary's own `kaizen demo` generated
(bench.py's sizes), once: `ab_base_NAME`, kept for later runs. NAME@BASE runs on the base
of another name instead (a build with the same migrations). Every run copies its base
(`CREATE DATABASE ... TEMPLATE`), starts the server on the copy and runs bench.py's write
scenarios (WHICH=all: new ideas, votes, transitions; WHICH=ideas: new ideas only), the
binaries alternating AB_ROUNDS times. Lines go to bench/out/ab.tsv and standard output.
LOGSTMT=1 has PostgreSQL log every statement's duration on the copy (its server log).
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

ADMIN = bench.PG_ADMIN_URL
ROUNDS = int(os.environ.get("AB_ROUNDS", "3"))
WHICH = os.environ.get("WHICH", "all")
RESULTS = os.path.join(bench.OUT, "ab.tsv")


def psql(sql, url=ADMIN):
    subprocess.run(["psql", url, "-qc", sql], check=True)


def exists(name):
    out = subprocess.run(["psql", ADMIN, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip() == "1"


def url(name):
    return ADMIN.rsplit("/", 1)[0] + "/" + name


def base(name, binary):
    db = f"ab_base_{name}"
    if exists(db):
        return db
    bench.BIN = binary
    psql("DROP DATABASE IF EXISTS ab_gen WITH (FORCE)")
    psql("CREATE DATABASE ab_gen")
    server = bench.Server("postgres", url("ab_gen"))
    server.start()  # migrations and the first admin
    server.stop()
    bench.generate("postgres", server)
    psql(f"ALTER DATABASE ab_gen RENAME TO {db}")
    return db


def run(name, binary, db):
    bench.BIN = binary
    psql("DROP DATABASE IF EXISTS ab_run WITH (FORCE)")
    psql(f"CREATE DATABASE ab_run TEMPLATE {db}")
    if os.environ.get("LOGSTMT"):
        psql("ALTER DATABASE ab_run SET log_min_duration_statement = 0")
    psql("CHECKPOINT")
    server = bench.Server("postgres", url("ab_run"))
    data = bench.Db("postgres", url("ab_run"))
    server.start()
    org = data.value("SELECT org_id FROM ideas GROUP BY org_id ORDER BY COUNT(*) DESC LIMIT 1")
    open(bench.RESULTS, "w").close()
    if WHICH == "ideas":
        dim = data.value("SELECT dimension_key FROM idea_dimensions WHERE org_id = %s GROUP BY dimension_key "
                         "ORDER BY COUNT(*) DESC LIMIT 1", (org,))
        unit = data.value("SELECT unit_id FROM ideas WHERE org_id = %s LIMIT 1", (org,))
        employees = [r[0] for r in data.rows("SELECT id FROM users WHERE org_id = %s AND role = 'employee' "
                                             "AND active ORDER BY id LIMIT 500", (org,))]
        tokens = [bench.mint(u, org, "employee", sid)
                  for u, sid in zip(employees, bench.open_sessions(data, org, employees))]
        body = {"title": "Benchmark-Idee", "current_situation": "Papierformulare", "proposal": "Online-Formular",
                "expected_benefit": "Weniger Wege", "unit_id": unit, "dimensions": [dim]}
        bench.wrk("postgres", "POST /api/v1/ideas", 8,
                  bench.rotating_script("POST", ["/api/v1/ideas"], tokens=tokens, body=body))
    else:
        manager = data.value("SELECT id FROM users WHERE org_id = %s AND role = 'manager' AND active "
                             "ORDER BY id LIMIT 1", (org,))
        (session,) = bench.open_sessions(data, org, [manager])
        bench.run_writes("postgres", data, org, bench.mint(manager, org, "manager", session))
    server.stop()
    with open(RESULTS, "a", encoding="utf-8") as out:
        for line in open(bench.RESULTS, encoding="utf-8"):
            _, scenario, _, figures = line.rstrip("\n").split("\t")
            rate = json.loads(figures)["rps"]
            out.write(f"{time.strftime('%Y-%m-%d %H:%M')}\t{name}\t{scenario}\t{rate:.0f}\n")
            print(name, scenario, f"{rate:.0f}", flush=True)


def main():
    os.makedirs(bench.OUT, exist_ok=True)
    pairs = [arg.split("=", 1) for arg in sys.argv[1:]]
    if not pairs:
        sys.exit(__doc__)
    bases = {spec: base(spec.split("@")[-1], binary) for spec, binary in pairs}
    for _ in range(ROUNDS):
        for spec, binary in pairs:
            run(spec.split("@")[0], binary, bases[spec])


if __name__ == "__main__":
    main()
