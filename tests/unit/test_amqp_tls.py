"""The TLS options every AMQP connection of the services passes (shared.messaging.tls, issue 17):
amqps verifies the chain and the URI's host name; plain amqp gets none; verification cannot be
configured away."""

import ssl

import pytest

from shared.messaging import tls


def test_amqps_checks_the_chain_and_the_uris_host(monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", "/etc/govproj/tls/ca.crt")
    options = tls.ssl_options("amqps://u:p@govproj-rabbitmq.govproj.svc:5671/govproj")
    assert options == {
        "cert_reqs": ssl.CERT_REQUIRED,
        "ca_certs": "/etc/govproj/tls/ca.crt",
        "server_hostname": "govproj-rabbitmq.govproj.svc",
    }


def test_localhost_stays_the_name_checked(monkeypatch):
    # kombu connects "localhost" as 127.0.0.1; the certificate is still checked for "localhost"
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    options = tls.ssl_options("amqps://guest:guest@localhost:5674/")
    assert options == {"cert_reqs": ssl.CERT_REQUIRED, "server_hostname": "localhost"}
    assert tls.connection("amqps://guest:guest@localhost:5674/").ssl == options


def test_plain_amqp_has_no_tls():
    assert tls.ssl_options("amqp://guest:guest@localhost:5672/") is None
    assert tls.connection("amqp://guest:guest@localhost:5672/").ssl is False
    assert "AMQP_SSL" not in tls.nameko_config({"AMQP_URI": "amqp://localhost/"})


def test_amqp_ssl_asks_for_tls_on_a_plain_uri_and_keeps_its_client_certificate(monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    config = tls.nameko_config(
        {
            "AMQP_URI": "amqp://u:p@broker.example:5671/v",
            "AMQP_SSL": {"certfile": "c.pem", "keyfile": "k.pem", "ca_certs": "ca.pem"},
        }
    )
    assert config["AMQP_SSL"] == {
        "certfile": "c.pem",
        "keyfile": "k.pem",
        "ca_certs": "ca.pem",
        "cert_reqs": ssl.CERT_REQUIRED,
        "server_hostname": "broker.example",
    }


@pytest.mark.parametrize("weakened", [{"cert_reqs": ssl.CERT_NONE}, {"server_hostname": "other.example"}])
def test_verification_cannot_be_configured_away(weakened):
    options = tls.ssl_options("amqps://broker.example/", weakened)
    assert options["cert_reqs"] == ssl.CERT_REQUIRED
    assert options["server_hostname"] == "broker.example"


def test_nameko_config_is_idempotent():
    once = tls.nameko_config({"AMQP_URI": "amqps://broker.example/"})
    assert tls.nameko_config(dict(once)) == once


@pytest.mark.parametrize(
    "uri, configured, words",
    [
        ("amqps:///vhost", None, "names no host"),
        ("amqps://broker.example/", "yes", "must be true or a dict"),
    ],
)
def test_refused_in_both_languages_with_the_article(uri, configured, words):
    with pytest.raises(tls.TlsConfigError) as refused:
        tls.ssl_options(uri, configured)
    message = str(refused.value)
    assert words in message and "第三十条" in message and "Article 30" in message
