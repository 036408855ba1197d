"""gunicorn settings for the gateway: gthread workers (no eventlet worker exists any more, and the
gateway never imports eventlet); each worker thread opens its own broker connection lazily."""

import os

bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8080")
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
# gthread, answering gunicorn's own refusals (414, 431, 400) in the API's error format
worker_class = "services.gateway.worker.GatewayWorker"
# what gunicorn refuses before the application reads anything (the body limits are the app's,
# services/gateway/limits.py): the request line, the number and size of header fields
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = 60
graceful_timeout = 20
accesslog = None  # the app logs every request as JSON
# no control socket: gunicorn 27 would put one under $HOME, which the read-only root filesystem
# refuses and which two gateways on one machine would share (docs/architecture.md §1)
control_socket_disable = True
# the workers' heartbeat files: a tmpfs, since the root filesystem is read-only in Kubernetes
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Prometheus multiprocess mode (services/gateway/telemetry.py, issue 17): the workers' metric
# files in one directory per gateway, set here before anything imports prometheus-client (it picks
# its storage at import), emptied when the master starts, a dead worker's live gauges dropped
metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", f"/tmp/govproj-gateway-metrics-{bind.rsplit(':', 1)[-1]}"
)


def on_starting(server):
    os.makedirs(metrics_dir, exist_ok=True)
    for name in os.listdir(metrics_dir):
        if name.endswith(".db"):
            os.remove(os.path.join(metrics_dir, name))


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
