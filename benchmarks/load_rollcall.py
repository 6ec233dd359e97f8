"""Load script: 2,000 roll-call answers arriving together, posted to a running Yingji server.

    python benchmarks/load_rollcall.py --port 8123 --replies replies.json [--clients 32] [--seconds 0]

`replies.json` is a list of [phone, code] pairs; each is one `POST /api/v1/monitoring/supervision/
sms-reply` (the SMS gateway's callback, no login) on one of `--clients` keep-alive connections (a
thread each). With `--seconds` > 0 the answers are spread evenly over that time (the issue's "within
one minute"), else they go as fast as the clients can. Prints a JSON summary: statuses, rate, and the
phones that got a 200 (to be counted against the database rows).
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from pathlib import Path

PATH = "/api/v1/monitoring/supervision/sms-reply"


def post_replies(port: int, replies: list[list[str]], clients: int, seconds: float = 0.0,
                 host: str = "127.0.0.1") -> dict:  # fmt: skip
    statuses: dict[int, int] = {}
    answered: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    rate = len(replies) / seconds if seconds > 0 else None
    started = time.perf_counter()

    def work(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        local: dict[int, int] = {}
        mine: list[str] = []
        times: list[float] = []
        for position in range(index, len(replies), clients):
            phone, code = replies[position]
            if rate:
                delay = started + position / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            body = json.dumps({"phone": phone, "text": f"收到 {code}"}).encode()
            for attempt in (1, 2):
                try:
                    sent = time.perf_counter()
                    conn.request("POST", PATH, body=body, headers={"Content-Type": "application/json"})
                    response = conn.getresponse()
                    response.read()
                    times.append((time.perf_counter() - sent) * 1000)
                    local[response.status] = local.get(response.status, 0) + 1
                    if response.status == 200:
                        mine.append(phone)
                    break
                except (http.client.HTTPException, ConnectionError):
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=60)
                    if attempt == 2:
                        local[0] = local.get(0, 0) + 1
        conn.close()
        with lock:
            answered.extend(mine)
            latencies.extend(times)
            for status, count in local.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "sent": len(replies),
        "seconds": elapsed,
        "per_second": len(replies) / elapsed if elapsed else 0.0,
        "statuses": statuses,
        "p50_ms": latencies[len(latencies) // 2] if latencies else None,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] if latencies else None,
        "answered": answered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--replies", required=True, help="JSON file: [[phone, code], ...]")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=0.0)
    args = parser.parse_args()
    replies = json.loads(Path(args.replies).read_text())
    print(json.dumps(post_replies(args.port, replies, args.clients, args.seconds, args.host)))


if __name__ == "__main__":
    main()
