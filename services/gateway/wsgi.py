"""gunicorn entry point: ``gunicorn -c services/gateway/gunicorn.conf.py services.gateway.wsgi:app``."""

import logging.config

from services.gateway.app import create_app
from shared import tracing
from shared.config import load_config

config = load_config("gateway")
logging.config.dictConfig(
    {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "shared.logs.JsonFormatter", "service": "gateway"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"level": config.get("LOG_LEVEL", "INFO"), "handlers": ["console"]},
        "loggers": {"pika": {"level": "WARNING"}},
    }
)
tracing.configure_tracing("gateway")  # W3C trace context; OTLP export when configured
app = create_app(config)
