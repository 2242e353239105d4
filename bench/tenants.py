"""The multi-tenant benchmark (issue 17, part 3), on PostgreSQL: one organisation's hot
paths when a thousand others share the tables, against the same organisation alone.

    bench/run-tenants.sh                      # 1,000 organisations, 500,000 ideas, ...
    ORGS=100 IDEAS=50000 RESPONSES=2500 bench/run-tenants.sh   # smaller

1. `kaizen demo --organizations ORGS --ideas IDEAS --responses RESPONSES --rounds ROUNDS
   --votes-per-idea VOTES` into the database kaizen_tenants: the totals spread over the
   organisations by Zipf's law (most small, a few large); the first, Stadt Musterstadt,
   is the largest.
2. Two `kaizen serve` instances on that database, and wrk with its threads assigned to
   them in turn (each thread's connections go to one instance: a round-robin client).
   Measured for the largest organisation: the idea list, an idea's page, new votes and
   the progress report.
3. The plans PostgreSQL chose for every statement of one request of each (auto_explain
   for this database only, then switched off again), with each index's leading column.
4. `kaizen demo` with the first organisation's sizes and the same seed into
   kaizen_single: the same organisation alone (the generator makes it identically), and
   the same scenarios against two instances again.

Results: bench/out/tenants.tsv (as results.tsv), bench/out/plans.md, and a table of
both runs side by side on stdout.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as b  # noqa: E402

ORGS = int(os.environ.get("ORGS", "1000"))
IDEAS = int(os.environ.get("IDEAS", "500000"))
# Per round, over all organisations: 4 rounds give 100,000 responses.
RESPONSES = int(os.environ.get("RESPONSES", "25000"))
ROUNDS = int(os.environ.get("ROUNDS", "4"))
VOTES = os.environ.get("VOTES", "10")
PORTS = (18090, 18091)
PG_LOG = os.environ.get("PG_LOG", "/var/log/postgresql/postgresql-15-main.log")
RESULTS = os.path.join(b.OUT, "tenants.tsv")
PLANS = os.path.join(b.OUT, "plans.md")

ROUND_ROBIN = """
local rr_addrs = nil
local rr_next = 0
function rr(thread)
  if rr_addrs == nil then
    rr_addrs = {}
    for _, port in ipairs({%s}) do
      table.insert(rr_addrs, wrk.lookup("127.0.0.1", tostring(port))[1])
    end
  end
  thread.addr = rr_addrs[(rr_next %% #rr_addrs) + 1]
  rr_next = rr_next + 1
end
""" % ", ".join(str(p) for p in PORTS)


def round_robin(script):
    """`script` with its wrk threads spread over the instances in turn."""
    if "setup = function(thread)\n" in script:
        script = script.replace("setup = function(thread)\n", "setup = function(thread)\n  rr(thread)\n", 1)
    else:
        script += "\nsetup = function(thread)\n  rr(thread)\nend\n"
    return ROUND_ROBIN + script


class Instance(b.Server):
    """A release server on its own port."""

    def __init__(self, url, port, extra=None):
        super().__init__("postgres", url)
        self.port = port
        self.extra = extra or {}

    def env(self):
        env = super().env()
        env["KAIZEN_BIND"] = f"127.0.0.1:{self.port}"
        env.update(self.extra)
        return env

    def start(self):
        health = f"http://127.0.0.1:{self.port}/healthz"
        logf = open(os.path.join(b.OUT, f"tenants-server-{self.port}.log"), "a", encoding="utf-8")
        self.proc = subprocess.Popen([b.BIN, "serve"], env=self.env(), stdout=logf, stderr=logf)
        while True:
            try:
                urllib.request.urlopen(health, timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    sys.exit(f"the server exited; see {logf.name}")
                time.sleep(0.05)


def fresh(name):
    subprocess.run(["psql", b.PG_ADMIN_URL, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)
    subprocess.run(["psql", b.PG_ADMIN_URL, "-qc", f"CREATE DATABASE {name}"], check=True)
    return b.PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def generate(label, url, args):
    b.log(f"== {label}: kaizen demo {' '.join(args)}")
    env = Instance(url, PORTS[0]).env()
    t0 = time.perf_counter()
    out = subprocess.run([b.BIN, "demo", *args], env=env, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    with open(os.path.join(b.OUT, f"tenants-{label}-demo.log"), "w", encoding="utf-8") as f:
        f.write(out.stderr + out.stdout)
    record(label, "generate (kaizen demo)", "-", {"seconds": round(seconds, 1)})
    b.log(f"   generated in {seconds:.0f} s")
    # Changed pages written now, not during the scenarios (see bench.py).
    subprocess.run(["psql", b.PG_ADMIN_URL, "-qc", "CHECKPOINT"], check=True)
    return out.stdout


def record(label, scenario, clients, data):
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(f"{label}\t{scenario}\t{clients}\t{json.dumps(data)}\n")


def wrk(label, scenario, clients, script, duration=None):
    path = os.path.join(b.OUT, "tenants.lua")
    with open(path, "w", encoding="utf-8") as f:
        f.write(round_robin(script) + "\n" + b.REPORT_LUA)
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{duration or b.DURATION}", "-s", path,
                          f"http://127.0.0.1:{PORTS[0]}"], capture_output=True, text=True).stdout
    line = next((l for l in out.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk gave no result for {scenario}:\n{out}")
    data = json.loads(line[6:])
    record(label, scenario, clients, data)
    b.log(f"   {scenario}: {data['rps']:.0f} req/s, p95 {data['p95_ms']:.1f} ms, non-2xx {data['non2xx']}")
    return data


class Org:
    """The measured organisation (the largest) and what its requests need."""

    def __init__(self, db):
        self.db = db
        self.id = db.value("SELECT id FROM organizations WHERE slug = 'musterstadt'")
        q = lambda sql: db.value(sql, (self.id,))  # noqa: E731
        manager = q("SELECT id FROM users WHERE org_id = %s AND role = 'manager' AND active ORDER BY id LIMIT 1")
        self.manager = b.mint(manager, self.id, "manager", b.open_sessions(db, self.id, [manager])[0])
        self.ideas = [r[0] for r in db.rows("SELECT id FROM ideas WHERE org_id = %s ORDER BY id LIMIT 2000",
                                            (self.id,))]
        # Enough (idea, voter) pairs that the voters do not run out within the duration.
        self.voting = [r[0] for r in db.rows("SELECT id FROM ideas WHERE org_id = %s ORDER BY id DESC LIMIT 60000",
                                             (self.id,))]
        voters = [r[0] for r in db.rows("SELECT id FROM users WHERE org_id = %s AND role = 'employee' AND active "
                                        "ORDER BY id LIMIT 20", (self.id,))]
        self.voters = [b.mint(u, self.id, "employee", s) for u, s in zip(voters, b.open_sessions(db, self.id, voters))]
        self.counts = {
            "organisations": int(db.value("SELECT COUNT(*) FROM organizations")),
            "ideas (all)": int(db.value("SELECT COUNT(*) FROM ideas")),
            "votes (all)": int(db.value("SELECT COUNT(*) FROM idea_votes")),
            "responses (all)": int(db.value("SELECT COUNT(*) FROM assessment_responses")),
            "ideas (measured organisation)": int(q("SELECT COUNT(*) FROM ideas WHERE org_id = %s")),
            "votes (measured organisation)": int(q("SELECT COUNT(*) FROM idea_votes WHERE org_id = %s")),
            "database size (MB)": int(db.value("SELECT pg_database_size(current_database()) / 1048576")),
        }


SCENARIOS = [
    ("GET /api/v1/ideas (newest, page 1 of 50)", 16),
    ("GET /api/v1/ideas/{id}", 16),
    ("PUT /api/v1/ideas/{id}/votes (new votes)", 8),
    ("GET /api/v1/reports/progress", 16),
]


def scenarios(label, org):
    """The four hot paths of one organisation, through both instances."""
    wrk(label, SCENARIOS[0][0], 16, b.get_script("/api/v1/ideas?limit=50", org.manager))
    wrk(label, SCENARIOS[1][0], 16,
        b.rotating_script("GET", [f"/api/v1/ideas/{i}" for i in org.ideas], token=org.manager))
    # 20 voters over 60,000 ideas: every request a new vote while the pairs last.
    wrk(label, SCENARIOS[2][0], 8,
        b.rotating_script("PUT", [f"/api/v1/ideas/{i}/votes" for i in org.voting], tokens=org.voters, body={},
                          once=True))
    time.sleep(2)
    wrk(label, SCENARIOS[3][0], 16, b.get_script("/api/v1/reports/progress", org.manager))


def every_organisation(label, url, servers):
    """Each organisation's progress and pipeline report once, alternately from both
    instances: what the per-process report caches hold at a thousand organisations."""
    db = b.Db("postgres", url)
    managers = db.rows("SELECT DISTINCT ON (org_id) org_id, id FROM users WHERE role = 'manager' AND active "
                       "ORDER BY org_id, id")
    sessions = []
    for start in range(0, len(managers), 200):
        part = managers[start:start + 200]
        for (org_id, user_id) in part:
            sessions.append((org_id, user_id, b.open_sessions(db, org_id, [user_id])[0]))
    before = [round(s.rss_mb(), 1) for s in servers]
    t0 = time.perf_counter()
    failed = 0
    for n, (org_id, user_id, sid) in enumerate(sessions):
        token = b.mint(user_id, org_id, "manager", sid)
        for path in ("/api/v1/reports/progress", "/api/v1/reports/pipeline"):
            port = PORTS[n % len(PORTS)]
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
            req.add_header("Authorization", f"Bearer {token}")
            try:
                urllib.request.urlopen(req, timeout=60).read()
            except urllib.error.HTTPError:
                failed += 1
    seconds = time.perf_counter() - t0
    data = {"organisations": len(sessions), "failed": failed, "seconds": round(seconds, 1),
            "rss_before_mb": before, "rss_after_mb": [round(s.rss_mb(), 1) for s in servers],
            "hwm_mb": [round(s.peak_rss_mb(), 1) for s in servers]}
    record(label, "every organisation's progress and pipeline report once", 1, data)
    b.log(f"   every organisation's reports: {data}")


def serve(url):
    servers = [Instance(url, p) for p in PORTS]
    for s in servers:
        s.start()
    return servers


def stop(servers):
    for s in servers:
        s.stop()


PLAN_NODE = re.compile(r"(Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)"
                       r"|Seq Scan on (\S+)")


def plans(url, org):
    """One request of each scenario with auto_explain on, and the plans it logged."""
    name = url.rsplit("/", 1)[1]
    settings = {"session_preload_libraries": "'auto_explain'", "auto_explain.log_min_duration": "0",
                "auto_explain.log_nested_statements": "on"}
    for k, v in settings.items():
        subprocess.run(["psql", b.PG_ADMIN_URL, "-qc", f"ALTER DATABASE {name} SET {k} = {v}"], check=True)
    logged = {}
    try:
        # Without the outbox worker, whose polls would fall among the request's plans.
        server = Instance(url, PORTS[0], {"KAIZEN_OUTBOX": "false"})
        server.start()
        base = f"http://127.0.0.1:{PORTS[0]}"
        requests = [
            ("GET /api/v1/ideas?limit=50", "GET", "/api/v1/ideas?limit=50", org.manager, None),
            ("GET /api/v1/ideas/{id}", "GET", f"/api/v1/ideas/{org.ideas[7]}", org.manager, None),
            ("PUT /api/v1/ideas/{id}/votes", "PUT", f"/api/v1/ideas/{org.ideas[11]}/votes", org.voters[0], {}),
            ("GET /api/v1/reports/progress", "GET", "/api/v1/reports/progress", org.manager, None),
        ]
        def send(label, method, path, token, body):
            req = urllib.request.Request(base + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
            req.add_header("Authorization", f"Bearer {token}")
            if body is not None:
                req.add_header("Content-Type", "application/json")
            try:
                urllib.request.urlopen(req, timeout=60).read()
            except urllib.error.HTTPError as e:
                b.log(f"   {label}: {e.code}")

        for label, method, path, token, body in requests:
            # The plans of a warm server, as the scenarios run it: a read once before (it
            # fills the per-process caches of what never changes, such as a closed round's
            # published figures); a vote is new every time, so it goes as it is.
            if method == "GET":
                send(label, method, path, token, body)
                time.sleep(0.5)
            start = os.path.getsize(PG_LOG)
            send(label, method, path, token, body)
            time.sleep(1)
            with open(PG_LOG, encoding="utf-8", errors="replace") as f:
                f.seek(start)
                logged[label] = f.read()
        server.stop()
    finally:
        for k in settings:
            subprocess.run(["psql", b.PG_ADMIN_URL, "-qc", f"ALTER DATABASE {name} RESET {k}"], check=True)
    first_column = {}
    for index, definition in b.Db("postgres", url).rows(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"):
        m = re.search(r"\(([^,)]+)", definition)
        first_column[index] = m.group(1).strip() if m else "?"
    sizes = {t: int(n) for t, n in b.Db("postgres", url).rows(
        "SELECT relname, n_live_tup FROM pg_stat_user_tables")}
    out = ["# Plans of one request each (auto_explain)\n"]
    summary = []
    for label, text in logged.items():
        out.append(f"## {label}\n")
        statements = re.split(r"\n(?=\S.*LOG:  duration: )", text)
        for st in statements:
            if "plan:" not in st:
                continue
            query = re.search(r"Query Text: (.*)", st)
            out.append("```\n" + st.strip()[:6000] + "\n```\n")
            for m in PLAN_NODE.finditer(st):
                if m.group(3):
                    table = m.group(3)
                    summary.append((label, "Seq Scan", table, "-", sizes.get(table, 0),
                                    (query.group(1) if query else "")[:90]))
                else:
                    index = m.group(2)
                    summary.append((label, m.group(1), index, first_column.get(index, "?"), None,
                                    (query.group(1) if query else "")[:90]))
    with open(PLANS, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    b.log(f"   plans written to {PLANS}")
    return summary


def main():
    os.makedirs(b.OUT, exist_ok=True)
    open(RESULTS, "w").close()
    url = fresh("kaizen_tenants")
    # A first start creates the schema (and the bench admin's organisation).
    servers = serve(url)
    stop(servers)
    text = generate("tenants", url, ["--organizations", str(ORGS), "--ideas", str(IDEAS), "--responses",
                                     str(RESPONSES), "--rounds", str(ROUNDS), "--votes-per-idea", VOTES])
    # The first organisation's sizes, for the same organisation alone.
    m = re.search(r"\(musterstadt\): \d+ units, \d+ users, \d+ closed assessment rounds with (\d+) responses, "
                  r"(\d+) ideas", text)
    if m is None:
        sys.exit(f"no sizes of the first organisation in:\n{text}")
    first_responses, first_ideas = int(m.group(1)) // ROUNDS, int(m.group(2))
    db = b.Db("postgres", url)
    org = Org(db)
    record("tenants", "data set", "-", org.counts)
    b.log(f"   data: {org.counts}")
    servers = serve(url)
    scenarios("tenants", org)
    every_organisation("tenants", url, servers)
    stop(servers)
    summary = plans(url, org)
    subprocess.run(["psql", b.PG_ADMIN_URL, "-qc", "DROP DATABASE kaizen_tenants WITH (FORCE)"], check=True)

    url = fresh("kaizen_single")
    servers = serve(url)
    stop(servers)
    generate("single", url, ["--ideas", str(first_ideas), "--responses", str(first_responses), "--rounds",
                             str(ROUNDS), "--votes-per-idea", VOTES])
    db = b.Db("postgres", url)
    org = Org(db)
    record("single", "data set", "-", org.counts)
    b.log(f"   data: {org.counts}")
    servers = serve(url)
    scenarios("single", org)
    stop(servers)

    rows = {}
    with open(RESULTS, encoding="utf-8") as f:
        for line in f:
            label, scenario, clients, data = line.rstrip("\n").split("\t")
            rows[(label, scenario)] = json.loads(data)
    print("| scenario | clients | alone: req/s | p95 | 1,000 others: req/s | p95 | p95 ratio |")
    print("|---|---|---|---|---|---|---|")
    for scenario, clients in SCENARIOS:
        s, t = rows[("single", scenario)], rows[("tenants", scenario)]
        print(f"| {scenario} | {clients} | {s['rps']:,.0f} | {s['p95_ms']:.1f} ms | {t['rps']:,.0f} | "
              f"{t['p95_ms']:.1f} ms | {t['p95_ms'] / s['p95_ms']:.2f} |")
    print("\nData sets:", json.dumps(rows[("tenants", "data set")]), json.dumps(rows[("single", "data set")]))
    print("\n| request | node | index or table | leading column | statement |")
    print("|---|---|---|---|---|")
    for label, node, index, column, rows_, query in summary:
        shown = f"{index} ({rows_:,} rows)" if node == "Seq Scan" else index
        print(f"| {label} | {node} | {shown} | {column} | `{query}` |")


if __name__ == "__main__":
    main()
