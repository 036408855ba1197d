# One image for every service: `nameko run` picks the service (see deploy/k8s/base).
FROM python:3.11-slim
RUN useradd --uid 10001 --create-home govproj
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared shared
COPY services services
RUN pip install --no-cache-dir . && rm -rf /root/.cache
USER 10001
ENV PYTHONWARNINGS="ignore::DeprecationWarning,ignore:pkg_resources is deprecated:UserWarning"
EXPOSE 8080
CMD ["gunicorn", "-c", "services/gateway/gunicorn.conf.py", "services.gateway.wsgi:app"]
