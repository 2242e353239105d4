"""Times single report requests, one client, against a database bench/web.py (or
bench/run.sh) generated and left behind: medians of seven, after the first.

    python3 bench/report_requests.py postgres /api/v1/reports/pipeline /api/v1/reports/progress
    python3 bench/report_requests.py sqlite /api/v1/reports/pipeline

Uses bench.py's release binary, server settings and tokens (a manager of the largest
organisation).
"""

import statistics
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as b  # noqa: E402


def main():
    backend = sys.argv[1]
    url = (b.PG_ADMIN_URL.rsplit("/", 1)[0] + "/kaizen_bench" if backend == "postgres"
           else f"sqlite://{b.OUT}/sqlite/kaizen.db")
    server = b.Server(backend, url)
    db = b.Db(backend, url)
    server.start()
    try:
        org = db.value("SELECT org_id FROM ideas GROUP BY org_id ORDER BY COUNT(*) DESC LIMIT 1")
        manager = db.value("SELECT id FROM users WHERE org_id = %s AND role = 'manager' AND active "
                           "ORDER BY id LIMIT 1", (org,))
        token = b.mint(manager, org, "manager", b.open_sessions(db, org, [manager])[0])
        for path in sys.argv[2:]:
            times = [b.timed("GET", path, token)[2] for _ in range(8)][1:]
            print(f"{path}: median {statistics.median(times):.1f} ms of {len(times)} ({[round(t) for t in times]})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
