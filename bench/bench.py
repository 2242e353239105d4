"""Drives the kaizen benchmarks (called by bench/run.sh after the release build).

For each backend: a fresh database, the large demo data set (`kaizen demo --ideas ...
--responses ...`), the release server, and wrk against the main endpoints. Results go to
bench/out/results.tsv and are printed as a Markdown table by bench/table.py.

Access tokens for the many benchmark users are signed here with the server's
KAIZEN_JWT_SECRET (HS256, the same claims the server issues) instead of logging every
user in: login has its own scenario, and thousands of argon2 hashes would only measure
argon2 again.
"""

import base64
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
# Another build (for an A/B comparison) with KAIZEN_BIN=path.
BIN = os.environ.get("KAIZEN_BIN") or os.path.join(ROOT, "target", "release", "kaizen")
PORT = 18090
BASE = f"http://127.0.0.1:{PORT}"
SECRET = "bench-secret-bench-secret-bench-secret"
ADMIN_EMAIL = "admin@bench.local"
ADMIN_PASSWORD = "bench-password-123"
DURATION = os.environ.get("DURATION", "15s")
IDEAS = int(os.environ.get("IDEAS", "100000"))
RESPONSES = int(os.environ.get("RESPONSES", "5000"))
ROUNDS = int(os.environ.get("ROUNDS", "20"))
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
RESULTS = os.path.join(OUT, "results.tsv")
# ONLY=writes: only new ideas, votes and transitions (an A/B of the write path, with
# KAIZEN_BIN naming the other build).
WRITES_ONLY = os.environ.get("ONLY") == "writes"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def record(backend, scenario, clients, data):
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(f"{backend}\t{scenario}\t{clients}\t{json.dumps(data)}\n")


# ---------------------------------------------------------------- database access

class Db:
    def __init__(self, backend, url):
        self.backend = backend
        self.url = url

    def rows(self, sql, params=()):
        if self.backend == "sqlite":
            with sqlite3.connect(self.url.removeprefix("sqlite://")) as conn:
                return [tuple(r) for r in conn.execute(sql.replace("%s", "?"), params)]
        # psql with literal parameters: every value here comes from this script or the
        # database itself (ids, keys), never from outside.
        for p in params:
            sql = sql.replace("%s", "'" + str(p).replace("'", "''") + "'", 1)
        out = subprocess.run(["psql", self.url, "-AtF", "\t", "-c", sql], check=True, capture_output=True, text=True)
        return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]

    def value(self, sql, params=()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None


# ---------------------------------------------------------------- HTTP helpers

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def open_sessions(db, org_id, user_ids, kind="api", secret_hashes=None):
    """Inserts a live session per user (as a sign-in would) and returns their ids: every
    request checks its session since sessions became rows."""
    ids = [str(uuid.uuid4()) for _ in user_ids]
    if not db.rows("SELECT 1 FROM information_schema.tables WHERE table_name = 'sessions'" if db.backend == "postgres"
                   else "SELECT 1 FROM sqlite_master WHERE name = 'sessions'"):
        # A build from before sessions were rows (an A/B against an older binary): its
        # tokens are checked without one.
        return ids
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    end = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 86400))
    hashes = secret_hashes or [None] * len(user_ids)
    for start in range(0, len(ids), 500):
        values = ",".join(
            f"('{i}', '{org_id}', '{u}', '{kind}', {('NULL' if h is None else repr(h))}, '{now}', '{now}', '{end}')"
            for i, u, h in zip(ids[start:start + 500], user_ids[start:start + 500], hashes[start:start + 500]))
        db.rows("INSERT INTO sessions (id, org_id, user_id, kind, secret_hash, created_at, last_seen_at, expires_at) "
                f"VALUES {values}")
    return ids


def mint(user_id, org_id, role, session_id):
    now = int(time.time())
    header = b64(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
    claims = b64(json.dumps({"sub": user_id, "org": org_id, "sid": session_id, "role": role, "iat": now,
                             "exp": now + 3600, "jti": str(uuid.uuid4())}).encode())
    sig = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(sig)}"


def http(method, path, token=None, body=None):
    req = urllib.request.Request(BASE + path, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, data, timeout=60) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw and r.headers.get_content_type().endswith("json") else raw)
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def timed(method, path, token=None, body=None):
    t0 = time.perf_counter()
    status, body = http(method, path, token, body)
    return status, body, (time.perf_counter() - t0) * 1000


# ---------------------------------------------------------------- server

class Server:
    def __init__(self, backend, url):
        self.backend = backend
        self.url = url
        self.proc = None
        self.started_ms = None

    def env(self):
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.url, "KAIZEN_BIND": f"127.0.0.1:{PORT}", "KAIZEN_JWT_SECRET": SECRET,
            "KAIZEN_ADMIN_EMAIL": ADMIN_EMAIL, "KAIZEN_ADMIN_PASSWORD": ADMIN_PASSWORD, "KAIZEN_SCHEDULER": "false",
        })
        return env

    def start(self):
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=1)
            sys.exit(f"port {PORT} is taken by another server")
        except OSError:
            pass
        logf = open(os.path.join(OUT, f"{self.backend}-server.log"), "a", encoding="utf-8")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([BIN, "serve"], env=self.env(), stdout=logf, stderr=logf)
        Server.current = self
        while True:
            try:
                urllib.request.urlopen(BASE + "/healthz", timeout=1)
                break
            except OSError:
                if self.proc.poll() is not None:
                    sys.exit(f"the server exited; see {logf.name}")
                time.sleep(0.002)
        self.started_ms = (time.perf_counter() - t0) * 1000

    def rss_mb(self, field="VmRSS"):
        with open(f"/proc/{self.proc.pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return None

    def peak_rss_mb(self):
        """The most the server's resident memory has been since it started."""
        return self.rss_mb("VmHWM")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


# ---------------------------------------------------------------- wrk

REPORT_LUA = open(os.path.join(ROOT, "bench", "report.lua"), encoding="utf-8").read()


def lua_list(name, values):
    return f"{name} = {{" + ",".join(json.dumps(v) for v in values) + "}\n"


def wrk(backend, scenario, clients, script, duration=None, threads=2, sample_rss=None):
    """Runs wrk with `script` (Lua without the reporter) and records the result."""
    path = os.path.join(OUT, "scenario.lua")
    with open(path, "w", encoding="utf-8") as f:
        f.write(script + "\n" + REPORT_LUA)
    proc = subprocess.Popen(["wrk", f"-t{min(threads, clients)}", f"-c{clients}", f"-d{duration or DURATION}",
                             "-s", path, BASE], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0.0
    while proc.poll() is None:
        if sample_rss:
            peak = max(peak, sample_rss() or 0)
        time.sleep(0.2)
    out = proc.stdout.read()
    line = next((l for l in out.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk gave no result for {scenario}:\n{out}")
    data = json.loads(line[6:])
    if sample_rss:
        data["peak_rss_mb"] = round(peak, 1)
    # The server's high-water mark of resident memory since it started, after every
    # scenario: the peak of all scenarios so far on this server.
    server = getattr(Server, "current", None)
    if server is not None and server.proc is not None and server.proc.poll() is None:
        data["hwm_mb"] = round(server.peak_rss_mb(), 1)
    record(backend, scenario, clients, data)
    log(f"   {scenario}: {data['rps']:.0f} req/s, p95 {data['p95_ms']:.1f} ms, p99 {data['p99_ms']:.1f} ms, "
        f"non-2xx {data['non2xx']}")
    return data


def get_script(path, token):
    return (f'wrk.method = "GET"\nwrk.path = {json.dumps(path)}\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n')


def lua_string(text):
    """A Lua long-bracket string (no escapes, so UTF-8 passes through unchanged)."""
    return f"[==[{text}]==]"


def rotating_script(method, paths, token=None, tokens=None, body=None, threads=2, once=False, headers=None):
    """Request k of wrk thread t uses entry t + k * threads of `paths` (and of `tokens`),
    so no two requests share an entry until the list runs out. With `once`, a thread
    stops when its entries are used up (each user may answer a round only once)."""
    s = f"local counter = 0\nid = 0\nnthreads = {threads}\n"
    s += lua_list("paths", paths)
    if tokens:
        s += lua_list("tokens", tokens)
    s += """
setup = function(thread)
  thread:set("id", id)
  id = id + 1
end
request = function()
  local k = id + counter * nthreads
  counter = counter + 1
  local headers = {["Content-Type"] = "application/json"}
"""
    for name, value in (headers or {}).items():
        s += f'  headers[{json.dumps(name)}] = {json.dumps(value)}\n'

    if tokens:
        s += '  headers["Authorization"] = "Bearer " .. tokens[(k % #tokens) + 1]\n'
    elif token:
        s += f'  headers["Authorization"] = "Bearer {token}"\n'
    if body is not None:
        s += f'  return wrk.format("{method}", paths[(k % #paths) + 1], headers, {lua_string(json.dumps(body, ensure_ascii=False))})\n'
    else:
        s += f'  return wrk.format("{method}", paths[(k % #paths) + 1], headers)\n'
    s += "end\n"
    if once:
        size = max(len(paths), len(tokens or []))
        s += f"""
response = function(status, headers, body)
  if id + counter * nthreads >= {size} then
    wrk.thread:stop()
  end
end
"""
    return s


# ---------------------------------------------------------------- scenarios

def fresh_database(backend):
    if backend == "sqlite":
        d = os.path.join(OUT, "sqlite")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return f"sqlite://{d}/kaizen.db"
    subprocess.run(["psql", PG_ADMIN_URL, "-qc", "DROP DATABASE IF EXISTS kaizen_bench WITH (FORCE)"], check=True)
    subprocess.run(["psql", PG_ADMIN_URL, "-qc", "CREATE DATABASE kaizen_bench"], check=True)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/kaizen_bench"


def generate(backend, server):
    log(f"== {backend}: kaizen demo --ideas {IDEAS} --responses {RESPONSES} --rounds {ROUNDS}")
    t0 = time.perf_counter()
    subprocess.run([BIN, "demo", "--ideas", str(IDEAS), "--responses", str(RESPONSES), "--rounds", str(ROUNDS)],
                   env=server.env(), check=True, stdout=open(os.path.join(OUT, f"{backend}-demo.log"), "w"),
                   stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - t0
    record(backend, "generate the large data set (kaizen demo)", "-", {"seconds": round(seconds, 1)})
    log(f"   generated in {seconds:.0f} s")
    if backend == "postgres":
        # The load leaves gigabytes of changed pages, which the server writes back over
        # the next minutes (spread checkpoints) while the scenarios run; written now, the
        # scenarios measure the service with its data at rest, as after years of use.
        subprocess.run(["psql", PG_ADMIN_URL, "-qc", "CHECKPOINT"], check=True)


def run_backend(backend):
    url = fresh_database(backend)
    server = Server(backend, url)
    db = Db(backend, url)

    # Fresh start (migrations, first admin), then idle memory and a warm restart.
    server.start()
    record(backend, "start to first answer (empty database)", "-", {"ms": round(server.started_ms)})
    time.sleep(2)
    record(backend, "idle RSS (empty database)", "-", {"rss_mb": round(server.rss_mb(), 1)})
    server.stop()
    generate(backend, server)
    server.start()
    record(backend, "start to first answer (large data set)", "-", {"ms": round(server.started_ms)})
    time.sleep(2)
    record(backend, "idle RSS (large data set)", "-", {"rss_mb": round(server.rss_mb(), 1)})

    org = db.value("SELECT org_id FROM ideas GROUP BY org_id ORDER BY COUNT(*) DESC LIMIT 1")
    admin = db.value("SELECT id FROM users WHERE org_id = %s AND role = 'admin' AND active ORDER BY id LIMIT 1", (org,))
    manager = db.value("SELECT id FROM users WHERE org_id = %s AND role = 'manager' AND active ORDER BY id LIMIT 1", (org,))
    admin_sid, manager_sid = open_sessions(db, org, [admin, manager])
    admin_token = mint(admin, org, "admin", admin_sid)
    manager_token = mint(manager, org, "manager", manager_sid)
    counts = {
        "ideas": db.value("SELECT COUNT(*) FROM ideas WHERE org_id = %s", (org,)),
        "votes": db.value("SELECT COUNT(*) FROM idea_votes WHERE org_id = %s", (org,)),
        "closed rounds": db.value("SELECT COUNT(*) FROM assessment_rounds WHERE org_id = %s AND status = 'closed'", (org,)),
        "responses": db.value("SELECT COUNT(*) FROM assessment_responses r JOIN assessment_rounds a ON a.id = r.round_id "
                              "WHERE a.org_id = %s", (org,)),
        "users": db.value("SELECT COUNT(*) FROM users WHERE org_id = %s", (org,)),
    }
    record(backend, "data set", "-", {k: int(v) for k, v in counts.items()})
    log(f"   data: {counts}")

    if WRITES_ONLY:
        run_writes(backend, db, org, manager_token)
        server.stop()
        return

    # ---- issue 5: reports first, on the data set as the generator left it (the write
    # runs below change tens of thousands of rows in seconds, a burst PostgreSQL's
    # autovacuum needs minutes to catch up with), on the freshly started server whose
    # memory is sampled while it serves them.
    status, _, first_ms = timed("GET", "/api/v1/reports/progress", manager_token)
    record(backend, "GET /api/v1/reports/progress, first request after start", 1,
           {"ms": round(first_ms, 1), "status": status})
    for path in ["/api/v1/reports/progress", "/api/v1/reports/pipeline", "/api/v1/reports/progress/radar.svg"]:
        for clients in (1, 4, 16):
            # Reports still being computed for the clients wrk dropped at the end of the
            # previous run would otherwise fall into this one.
            time.sleep(3)
            wrk(backend, f"GET {path}", clients, get_script(path, manager_token), sample_rss=server.rss_mb)
    record(backend, "RSS after the report runs", "-",
           {"rss_mb": round(server.rss_mb(), 1), "peak_rss_mb": round(server.peak_rss_mb(), 1)})
    # The other scenarios on a fresh server again.
    server.stop()
    time.sleep(3)
    server.start()

    # ---- issue 2: /me with and without logins beside it
    wrk(backend, "GET /api/v1/me", 16, get_script("/api/v1/me", admin_token))
    login_lua = os.path.join(OUT, "login.lua")
    with open(login_lua, "w", encoding="utf-8") as f:
        f.write('wrk.method = "POST"\nwrk.path = "/api/v1/auth/login"\nwrk.headers["Content-Type"] = "application/json"\n'
                f'wrk.body = {lua_string(json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "organization": "default"}))}\n' + REPORT_LUA)
    logins = subprocess.Popen(["wrk", "-t1", "-c4", f"-d{DURATION}", "-s", login_lua, BASE],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1)
    wrk(backend, "GET /api/v1/me while 4 clients log in", 16, get_script("/api/v1/me", admin_token))
    out = logins.communicate()[0]
    line = next(l for l in out.splitlines() if l.startswith("BENCH "))
    data = json.loads(line[6:])
    if data["non2xx"]:
        # Refused logins measure the refusal, not argon2: say so loudly.
        log(f"   WARNING: {data['non2xx']} of {data['requests']} logins were refused; the login figures are void")
    record(backend, "POST /api/v1/auth/login (the 4 clients above)", 4, data)

    # ---- issue 4: ideas
    wrk(backend, "GET /api/v1/ideas (newest, page 1 of 50)", 16, get_script("/api/v1/ideas?limit=50", admin_token))
    cursor = None
    for _ in range(999):
        status, body = http("GET", "/api/v1/ideas?limit=50" + (f"&cursor={cursor}" if cursor else ""), admin_token)
        cursor = body["next_cursor"]
    wrk(backend, "GET /api/v1/ideas (newest, page 1,000)", 16,
        get_script(f"/api/v1/ideas?limit=50&cursor={cursor}", admin_token))
    dim = db.value("SELECT dimension_key FROM idea_dimensions WHERE org_id = %s GROUP BY dimension_key "
                   "ORDER BY COUNT(*) DESC LIMIT 1", (org,))
    wrk(backend, f"GET /api/v1/ideas?status=plan,do&dimension={dim}", 16,
        get_script(f"/api/v1/ideas?limit=50&status=plan,do&dimension={dim}", admin_token))
    wrk(backend, "GET /api/v1/ideas (most votes)", 16, get_script("/api/v1/ideas?limit=50&sort=most_votes", admin_token))
    sample = [r[0] for r in db.rows("SELECT id FROM ideas WHERE org_id = %s ORDER BY id LIMIT 2000", (org,))]
    wrk(backend, "GET /api/v1/ideas/{id}", 16, rotating_script("GET", [f"/api/v1/ideas/{i}" for i in sample],
                                                                  token=admin_token))
    emp_tokens = run_writes(backend, db, org, manager_token, dim)

    # ---- issue 3: results and responses
    closed = db.value("SELECT id FROM assessment_rounds WHERE org_id = %s AND status = 'closed' "
                      "ORDER BY closed_at DESC LIMIT 1", (org,))
    status, _, first_ms = timed("GET", f"/api/v1/assessments/{closed}/results", manager_token)
    record(backend, "GET /api/v1/assessments/{id}/results, first request (aggregates computed by SQL)", 1,
           {"ms": round(first_ms, 1), "status": status})
    wrk(backend, "GET /api/v1/assessments/{id}/results", 16, get_script(f"/api/v1/assessments/{closed}/results", manager_token))
    wrk(backend, "GET /api/v1/assessments/{id}/results?breakdown=unit", 16,
        get_script(f"/api/v1/assessments/{closed}/results?breakdown=unit", manager_token))
    qid = db.value("SELECT questionnaire_id FROM assessment_rounds WHERE id = %s", (closed,))
    status, opened = http("POST", "/api/v1/assessments", admin_token,
                          {"questionnaire_id": qid, "title": "Benchmark-Runde",
                           "closes_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))})
    if status != 201:
        sys.exit(f"could not open a round: {status} {opened}")
    items = db.rows("SELECT item_key FROM questionnaire_items WHERE questionnaire_id = %s ORDER BY position", (qid,))
    answers = {"answers": [{"item_id": k[0], "value": 1 + (n % 5)} for n, k in enumerate(items)]}
    # Each employee answers once, and wrk divides by the whole duration even when the
    # users run out early: 3 s stay within the ~6,000 employees up to 2,000 responses/s.
    data = wrk(backend, "POST /api/v1/assessments/{id}/responses", 16,
               rotating_script("POST", [f"/api/v1/assessments/{opened['id']}/responses"], tokens=emp_tokens,
                               body=answers, once=True), duration="3s")
    if data["requests"] >= len(emp_tokens) - 16:
        log("   (the employees ran out before the end: the rate above is too low)")

    record(backend, "RSS after the runs above", "-",
           {"rss_mb": round(server.rss_mb(), 1), "peak_rss_mb": round(server.peak_rss_mb(), 1)})

    server.stop()


def run_writes(backend, db, org, manager_token, dim=None):
    """New ideas, votes and transitions; returns the employees' tokens."""
    if dim is None:
        dim = db.value("SELECT dimension_key FROM idea_dimensions WHERE org_id = %s GROUP BY dimension_key "
                       "ORDER BY COUNT(*) DESC LIMIT 1", (org,))
    unit = db.value("SELECT unit_id FROM ideas WHERE org_id = %s LIMIT 1", (org,))
    employees = [r[0] for r in db.rows("SELECT id FROM users WHERE org_id = %s AND role = 'employee' AND active "
                                       "ORDER BY id LIMIT 6000", (org,))]
    emp_tokens = [mint(u, org, "employee", sid) for u, sid in zip(employees, open_sessions(db, org, employees))]
    new_idea = {"title": "Benchmark-Idee", "current_situation": "Papierformulare", "proposal": "Online-Formular",
                "expected_benefit": "Weniger Wege", "unit_id": unit, "dimensions": [dim]}
    wrk(backend, "POST /api/v1/ideas", 8, rotating_script("POST", ["/api/v1/ideas"], tokens=emp_tokens[:500], body=new_idea))
    vote_ids = [r[0] for r in db.rows("SELECT id FROM ideas WHERE org_id = %s ORDER BY id DESC LIMIT 50000", (org,))]
    # 20 voters over 50,000 ideas: every request is a new vote until 50,000 requests.
    wrk(backend, "PUT /api/v1/ideas/{id}/votes", 8,
        rotating_script("PUT", [f"/api/v1/ideas/{i}/votes" for i in vote_ids], tokens=emp_tokens[:20], body={},
                        once=True))
    submitted = [r[0] for r in db.rows("SELECT id FROM ideas WHERE org_id = %s AND status = 'submitted' "
                                       "AND version = 1 ORDER BY id LIMIT 30000", (org,))]
    wrk(backend, "POST /api/v1/ideas/{id}/transitions (accept)", 8,
        rotating_script("POST", [f"/api/v1/ideas/{i}/transitions" for i in submitted], token=manager_token,
                        body={"action": "accept", "version": 1}, once=True), duration="5s")
    return emp_tokens


def main():
    os.makedirs(OUT, exist_ok=True)
    open(RESULTS, "w").close()
    for backend in os.environ.get("BACKENDS", "sqlite postgres").split():
        run_backend(backend)


if __name__ == "__main__":
    main()
