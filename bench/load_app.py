"""The production application (``wsgi.py``) plus a hello-world route, for ``bench/load.py``.

The route exists only in this module, which only the load benchmark serves: it is the floor
of every page, a request through the same server, hooks and middleware that does no work.
"""
from wsgi import app


@app.route("/bench/hello")
def bench_hello():
    return "Hello, world"
