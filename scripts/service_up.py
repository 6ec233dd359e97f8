"""Exit 0 when a service answers: `service_up.py postgres URL` (used by the Makefile to decide to skip)."""

import socket
import sys
from urllib.parse import urlparse


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    sys.exit(0 if reachable(url, {"postgres": 5432, "redis": 6379, "mqtt": 1883}[kind]) else 1)
