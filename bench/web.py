"""The web pages at the large data set (issues 13 and 14): server time of the idea board
and of an idea's page under 16 clients, of a manager's PDCA board under 16 and 4 clients
and of the management dashboard under 4, the server's peak RSS meanwhile, and what a
browser transfers on a first and a later visit.

    bench/run-web.sh                      # SQLite and PostgreSQL, 15 s per scenario
    BACKENDS=sqlite DURATION=10s bench/run-web.sh

Uses bench.py's database, server, data generator and wrk driver. The browser session is a
row in `sessions` (kind `web`) with the digest of a known secret, as a sign-in makes it;
wrk sends the cookie and `Accept-Encoding: gzip` as browsers do.
"""

import gzip
import hashlib
import os
import re
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as b  # noqa: E402


def cookie_script(path, cookie):
    return (f'wrk.method = "GET"\nwrk.path = "{path}"\n'
            f'wrk.headers["Cookie"] = "kaizen_session={cookie}"\n'
            'wrk.headers["Accept"] = "text/html"\nwrk.headers["Accept-Encoding"] = "gzip"\n')


def browser_headers(cookie):
    return {"Cookie": f"kaizen_session={cookie}", "Accept": "text/html", "Accept-Encoding": "gzip"}


def fetch(path, cookie=None):
    """Bytes on the wire (gzip where the server compresses) and the decoded body."""
    req = urllib.request.Request(b.BASE + path)
    req.add_header("Accept-Encoding", "gzip")
    req.add_header("Accept", "text/html")
    if cookie:
        req.add_header("Cookie", f"kaizen_session={cookie}")
    with urllib.request.urlopen(req, timeout=30) as r:
        raw = r.read()
        body = gzip.decompress(raw) if r.headers.get("Content-Encoding") == "gzip" else raw
        return len(raw), body.decode("utf-8", "replace")


def sizes(backend, cookie):
    """A first visit: the board page and every file it links, with the two font faces its
    text uses (400 and 600, Latin). A later visit: the page alone (files cached)."""
    board_bytes, html = fetch("/ideas", cookie)
    files = sorted(set(re.findall(r'(?:href|src)="(/assets/[^"]+)"', html)))
    total = board_bytes
    detail = {"board_html_kb": round(board_bytes / 1024, 1), "board_html_uncompressed_kb": round(len(html) / 1024, 1)}
    for f in files:
        n, body = fetch(f)
        total += n
        if f.endswith("fira-sans.css"):
            base = f.rsplit("/", 1)[0]
            for face in ("fira-sans-latin-400-normal.woff2", "fira-sans-latin-600-normal.woff2"):
                total += fetch(f"{base}/fira-sans/{face}")[0]
    detail["first_visit_kb"] = round(total / 1024, 1)
    idea = re.search(r'href="(/ideas/[0-9a-f-]{36})"', html).group(1)
    idea_bytes, _ = fetch(idea, cookie)
    detail["idea_html_kb"] = round(idea_bytes / 1024, 1)
    b.record(backend, "page sizes (transferred, gzip)", "-", detail)
    b.log(f"   sizes: {detail}")


def run(backend):
    url = b.fresh_database(backend)
    server = b.Server(backend, url)
    db = b.Db(backend, url)
    server.start()
    server.stop()
    b.generate(backend, server)
    server.start()
    org = db.value("SELECT org_id FROM ideas GROUP BY org_id ORDER BY COUNT(*) DESC LIMIT 1")
    employee = db.value("SELECT id FROM users WHERE org_id = %s AND role = 'employee' AND active ORDER BY id LIMIT 1",
                        (org,))
    secret = "bench-web-session-secret-" + backend
    b.open_sessions(db, org, [employee], kind="web", secret_hashes=[hashlib.sha256(secret.encode()).hexdigest()])
    status = urllib.request.urlopen(urllib.request.Request(b.BASE + "/ideas", headers={
        "Cookie": f"kaizen_session={secret}"}), timeout=30).status
    if status != 200:
        sys.exit(f"the board answered {status}")
    sizes(backend, secret)
    b.wrk(backend, "GET /ideas (board page, newest, 50 ideas)", 16, cookie_script("/ideas", secret))
    sample = [r[0] for r in db.rows("SELECT id FROM ideas WHERE org_id = %s ORDER BY id LIMIT 2000", (org,))]
    b.wrk(backend, "GET /ideas/{id} (idea page)", 16,
          b.rotating_script("GET", [f"/ideas/{i}" for i in sample], headers=browser_headers(secret)))
    # Issue 14: a manager's PDCA board over the whole organisation (five columns of 30).
    manager = db.value("SELECT id FROM users WHERE org_id = %s AND role = 'manager' AND active ORDER BY id LIMIT 1",
                       (org,))
    manager_secret = "bench-web-manager-secret-" + backend
    b.open_sessions(db, org, [manager], kind="web", secret_hashes=[hashlib.sha256(manager_secret.encode()).hexdigest()])
    b.wrk(backend, "GET /board (PDCA board, whole organisation)", 16, cookie_script("/board", manager_secret))
    b.wrk(backend, "GET /board (PDCA board, whole organisation)", 4, cookie_script("/board", manager_secret),
          sample_rss=server.rss_mb)
    # Issue 14: the management dashboard (progress over all rounds, charts, pipeline).
    b.wrk(backend, "GET /reports (dashboard, whole organisation)", 4, cookie_script("/reports", manager_secret),
          sample_rss=server.rss_mb)
    b.wrk(backend, "GET /api/v1/ideas?limit=50 (the same list as JSON, for comparison)", 16,
          b.get_script("/api/v1/ideas?limit=50", b.mint(employee, org, "employee", b.open_sessions(db, org, [employee])[0])))
    server.stop()


def main():
    os.makedirs(b.OUT, exist_ok=True)
    if os.path.exists(b.RESULTS):
        os.remove(b.RESULTS)
    for backend in os.environ.get("BACKENDS", "sqlite postgres").split():
        b.log(f"== {backend}")
        run(backend)


if __name__ == "__main__":
    main()
