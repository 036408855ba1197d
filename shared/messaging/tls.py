"""amqps with the broker's host name checked, for every AMQP connection a service opens (issue 17).

kombu's ``amqps://`` alone (``ssl=True``) verifies the certificate chain against the default
store (``SSL_CERT_FILE``) but not the broker's name: any certificate of the installation's CA
would do. ``ssl_options`` is the one place that decides what every connection passes instead —
nameko's own consumers and publishers (config ``AMQP_SSL``, set by ``nameko_config``), the outbox
relay (``shared.messaging.confirms``), the RPC probe and replies (``shared.messaging.rpc``), the
topology checks, the reliable handler's retries and the administrator's commands (``connection``):

- ``cert_reqs=CERT_REQUIRED``: no certificate, no connection;
- ``ca_certs``: ``AMQP_SSL``'s own, else ``SSL_CERT_FILE`` (the tls component mounts the
  installation's CA bundle there), else the system's store;
- ``server_hostname``: the URI's host — SNI and the check that the certificate names it. kombu
  would otherwise connect ``localhost`` as ``127.0.0.1`` and name the peer that way.

A plain ``amqp://`` URI gets no TLS options (``None``), unless ``AMQP_SSL`` asks for TLS on it.
Other ``AMQP_SSL`` entries (a client certificate: ``certfile``, ``keyfile``; ``ciphers``) are
kept; verification is never weakened: ``cert_reqs`` and ``server_hostname`` are always ours.
"""

from __future__ import annotations

import os
import ssl
from typing import Any
from urllib.parse import urlsplit

from kombu import Connection

AMQP_SSL = "AMQP_SSL"  # nameko's config key (nameko.constants.AMQP_SSL_CONFIG_KEY)


class TlsConfigError(ValueError):
    pass


def ssl_options(amqp_uri: str, configured: Any = None) -> dict[str, Any] | None:
    """The ``ssl`` argument of a kombu ``Connection`` (and nameko's ``AMQP_SSL``) for
    ``amqp_uri``: ``None`` for plain AMQP, else options that verify the chain and the host."""
    parts = urlsplit(amqp_uri)
    if parts.scheme != "amqps" and not configured:
        return None
    host = parts.hostname
    if not host:
        raise TlsConfigError(
            f"AMQP_URI 未写明主机名，无法核对消息代理证书上的主机名（第三十条 保障系统安全稳定运行）; "
            f"AMQP_URI {parts.scheme}://… names no host: the broker's certificate cannot be "
            "checked against it (host-name verification, Article 30)"
        )
    if configured is not None and configured is not True and not isinstance(configured, dict):
        raise TlsConfigError(
            f"AMQP_SSL 须为 true 或 ssl 选项字典，而不是 {configured!r}（第三十条）; "
            f"AMQP_SSL must be true or a dict of ssl options, not {configured!r} (Article 30)"
        )
    options: dict[str, Any] = dict(configured) if isinstance(configured, dict) else {}
    cafile = options.get("ca_certs") or os.environ.get("SSL_CERT_FILE")
    if cafile:
        options["ca_certs"] = cafile
    options["cert_reqs"] = ssl.CERT_REQUIRED
    options["server_hostname"] = host
    return options


def connection(amqp_uri: str, **kwargs: Any) -> Connection:
    """A kombu ``Connection`` to ``amqp_uri`` with ``ssl_options`` (nothing opens until used)."""
    ssl_arg = ssl_options(amqp_uri, kwargs.pop("ssl", None))
    return Connection(amqp_uri, ssl=ssl_arg if ssl_arg is not None else False, **kwargs)


def nameko_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with ``AMQP_SSL`` from its ``AMQP_URI`` (and any ``AMQP_SSL`` already there):
    what nameko's consumers, publishers and standalone proxies pass to their connections."""
    uri = config.get("AMQP_URI")
    if uri:
        options = ssl_options(uri, config.get(AMQP_SSL))
        if options is not None:
            config[AMQP_SSL] = options
    return config
