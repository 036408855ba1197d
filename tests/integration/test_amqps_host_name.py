"""amqps checks the broker's host name (issue 17, 第三十条), against a real RabbitMQ node with TLS.

A second node on this machine listens for amqps on 5674 with a server certificate, issued by a
throwaway CA, that names ``localhost`` only. With that CA trusted (``SSL_CERT_FILE``, as the tls
component mounts it):

- by ``localhost`` — the name in the certificate — a service container (nameko's consumer and
  replies, ``AMQP_SSL`` set by ``GracefulContainer``), the RPC probe, the topology check and the
  outbox relay's confirming publisher all work;
- by ``127.0.0.1`` — the same node, a name the certificate does not hold — every one of them is
  refused, where kombu's bare ``amqps://`` (the chain only) still connected.
"""

from __future__ import annotations

import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from kombu import Connection

from shared.lifecycle import GracefulContainer
from shared.messaging import tls, topology
from shared.messaging.confirms import ConfirmingPublisher, Outgoing
from shared.messaging.rpc import call_once, rpc
from shared.testing import second_rabbitmq_node

pytestmark = pytest.mark.integration

SSL_PORT = 5674
BY_NAME = f"amqps://guest:guest@localhost:{SSL_PORT}/"
BY_ADDRESS = f"amqps://guest:guest@127.0.0.1:{SSL_PORT}/"
SERVICE = "tlsecho"
CHECK_QUEUE = "tls-check"


def _certificates(host: str) -> tuple[bytes, bytes, bytes]:
    """A throwaway CA and a server certificate for ``host`` (DNS name only) → PEM (ca, cert, key)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "govproj test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return (
        ca.public_bytes(pem),
        cert.public_bytes(pem),
        key.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()),
    )


@pytest.fixture(scope="module")
def tls_node(tmp_path_factory):
    """The TLS node (stopped afterwards) → the CA file a client trusts."""
    ca, cert, key = _certificates("localhost")
    conf = (
        f"listeners.ssl.default = {SSL_PORT}\n"
        "ssl_options.cacertfile = {dir}/ca.crt\n"
        "ssl_options.certfile = {dir}/server.crt\n"
        "ssl_options.keyfile = {dir}/server.key\n"
        "ssl_options.verify = verify_none\n"
        "ssl_options.fail_if_no_peer_cert = false\n"
    )
    ca_file = tmp_path_factory.mktemp("amqps") / "ca.crt"
    ca_file.write_bytes(ca)
    with second_rabbitmq_node(
        "r4",
        port=5675,
        api_port=15675,
        dist_port=25675,
        conf=conf,
        files={"ca.crt": ca, "server.crt": cert, "server.key": key},
    ):
        yield str(ca_file)


@pytest.fixture
def trusted_ca(tls_node, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", tls_node)  # as the tls component sets it in every pod
    with tls.connection(BY_NAME) as admin:  # the administrator's topology
        topology.declare(admin, [topology.rpc_queue(SERVICE)])
        admin.default_channel.queue_declare(CHECK_QUEUE, durable=True, auto_delete=False)
    return tls_node


class EchoService:
    name = SERVICE

    @rpc
    def echo(self, text):
        return text


def _publish_one(amqp_uri: str) -> tuple[list, dict]:
    publisher = ConfirmingPublisher(amqp_uri)
    try:
        return publisher.publish_batch([Outgoing(1, "", CHECK_QUEUE, b"{}", "tls-check-1")])
    finally:
        publisher.close()


def test_by_the_name_in_the_certificate_every_service_connection_works(trusted_ca):
    with tls.connection(BY_NAME) as conn:
        conn.connect()
        sock = conn.connection.transport.sock
        assert isinstance(sock, ssl.SSLSocket)
        assert ("DNS", "localhost") in sock.getpeercert()["subjectAltName"]

    container = GracefulContainer(EchoService, {"AMQP_URI": BY_NAME})
    assert container.config["AMQP_SSL"]["server_hostname"] == "localhost"
    assert container.config["AMQP_SSL"]["cert_reqs"] == ssl.CERT_REQUIRED
    container.start()
    try:
        # the probe's client → nameko's consumer → the transient reply, all over amqps
        assert call_once(BY_NAME, SERVICE, SERVICE, "echo", args=["第三十条"], timeout=10) == "第三十条"
    finally:
        container.stop()

    topology.require_on(BY_NAME, [topology.rpc_queue(SERVICE)])
    assert _publish_one(BY_NAME) == ([1], {})


def test_by_an_address_the_certificate_does_not_name_every_connection_is_refused(trusted_ca):
    # the gap this closes: kombu's bare amqps checks only the chain, and connects
    with Connection(BY_ADDRESS, connect_timeout=10) as bare:
        bare.connect()
        assert bare.connected

    with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
        with tls.connection(BY_ADDRESS, connect_timeout=10) as conn:
            conn.connect()
    with pytest.raises(ssl.SSLCertVerificationError):
        topology.require_on(BY_ADDRESS, [topology.rpc_queue(SERVICE)])
    with pytest.raises(ssl.SSLCertVerificationError):
        call_once(BY_ADDRESS, SERVICE, SERVICE, "echo", args=["x"], timeout=10)
    delivered, failed = _publish_one(BY_ADDRESS)
    assert delivered == [] and "SSLCertVerificationError" in failed[1]

    container = GracefulContainer(EchoService, {"AMQP_URI": BY_ADDRESS})
    assert container.config["AMQP_SSL"]["server_hostname"] == "127.0.0.1"
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            container.start()  # its RPC consumer's setup checks the queue: refused
    finally:
        container.kill()
