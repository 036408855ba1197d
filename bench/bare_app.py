"""The baseline for bench/gateway.py: a WSGI app that answers a fixed JSON document."""

import json

BODY = json.dumps({"code": "SD-2026-000001", "status": "draft"}).encode()


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
