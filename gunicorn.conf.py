"""gunicorn settings for JGRAD in production: ``make serve`` (see docs/deploy.md).

Environment: ``JGRAD_BIND`` (default 127.0.0.1:8000), ``WEB_CONCURRENCY`` (workers; default
two per core plus one, at most nine), ``JGRAD_FORWARDED_ALLOW_IPS`` (the reverse proxy).
The scheduler is never run here: it is a process of its own (``flask --app jgrad scheduler``).
"""
import multiprocessing
import os

bind = os.environ.get("JGRAD_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "sync"
timeout = 60            # a request still running after this is killed and logged
graceful_timeout = 30   # on restart, requests in flight get this long to finish
keepalive = 5
max_requests = 5000     # recycle workers now and then, spread out by the jitter
max_requests_jitter = 500
# The application writes its own access log (request id, no query strings): none here.
accesslog = None
errorlog = "-"
# X-Forwarded-* are trusted by the application's ProxyFix (PROXY_FIX_X_FOR), from here only.
forwarded_allow_ips = os.environ.get("JGRAD_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Workers load the application themselves: nothing (database pools, Redis) crosses a fork.
preload_app = False


def on_starting(server):
    """Refuse to start a configuration that would be unsafe under several workers."""
    from jgrad import create_app
    from jgrad.serving import serving_problems

    problems = serving_problems(create_app().config, server.cfg.workers)
    for problem in problems:
        server.log.error("JGRAD cannot start: %s", problem)
    if problems:
        raise SystemExit(1)
