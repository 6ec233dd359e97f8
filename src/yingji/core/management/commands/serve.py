"""`yingji serve`: the web server (gunicorn) and the background worker (Huey consumer) together."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform: collect static files, start the background worker and the web server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("YINGJI_WEB_WORKERS", "3")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")

    def handle(self, *args, host, port, web_workers, no_worker, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        children = []
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "yingji.cli", "run_huey", "--quiet"]))
            self.stdout.write("Background worker started.")
        if settings.DEMO_MODE:  # live telemetry for the demo's devices (in-process unless a broker is set)
            simulate = [sys.executable, "-m", "yingji.cli", "simulate", "--excursions-per-day", "6"]
            children.append(subprocess.Popen(simulate))
            self.stdout.write("Telemetry simulator started.")
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "yingji.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(web_workers),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--timeout",
                "120",
            ]
        )
        children.append(web)
        self.stdout.write(self.style.SUCCESS(f"Yingji is serving on http://{host}:{port}/ (Ctrl+C stops it)"))

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            web.wait()
        finally:
            stop(None, None)
            for child in children:
                child.wait(timeout=30)
