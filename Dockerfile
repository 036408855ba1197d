# One image for every service and the gateway: the Deployment's command picks which
# (deploy/k8s/components/<service>, docker-compose.yml).
#
# Base image pinned by digest (python:3.11-slim, multi-arch index). To move to a newer one:
#   docker buildx imagetools inspect python:3.11-slim --format '{{json .Manifest.Digest}}'
#   (or: crane digest python:3.11-slim), replace the digest below, rebuild, run the tests.
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

# read-only root filesystem: no .pyc written at run time (compiled below), no pip cache
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONWARNINGS="ignore::DeprecationWarning,ignore:pkg_resources is deprecated:UserWarning"
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /tmp --shell /usr/sbin/nologin govproj
WORKDIR /app

# Dependencies: exactly the lock file (pip-compile --generate-hashes from pyproject.toml), every
# download checked against its hash, in their own layer — rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# The code. Its dependencies are already there (--no-deps); compiled now, since /app is
# read-only at run time.
COPY pyproject.toml README.md ./
COPY shared shared
COPY services services
RUN pip install --no-deps --no-build-isolation . \
    && python -m compileall -q shared services

USER 10001:10001
# services: 8000 (/health/live, /health/ready, /metrics); gateway: 8080 (API, /healthz, /readyz,
# /metrics). gunicorn's control socket is off (services/gateway/gunicorn.conf.py); writable
# places are /tmp (an emptyDir in Kubernetes) and /dev/shm.
EXPOSE 8000 8080
CMD ["gunicorn", "-c", "services/gateway/gunicorn.conf.py", "services.gateway.wsgi:app"]
