"""Test certificates for TLS brokers and clients, made with the `cryptography` package.

Owns: a throwaway CA, a server certificate signed by it for the loopback names (`localhost`,
`127.0.0.1`), a client certificate, and a second CA nobody trusts (for "untrusted CA" tests), all
written as PEM files. The server keystore is one PEM file — the unencrypted PKCS#8 key, then the
certificate chain — which Kafka 4.3.1 reads with `ssl.keystore.type=PEM` and no key password.
Must not: start processes or contain test scenarios.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class TlsFiles:
    """Paths of the PEM files a TLS test needs."""

    ca: str               # the CA certificate clients and brokers trust
    server_keystore: str  # server key (PKCS#8) + server certificate + CA certificate
    server_cert: str      # the server certificate alone
    server_key: str       # the server key alone (PKCS#8)
    client_cert: str      # a client certificate signed by the CA (CN=client)
    client_key: str       # its key (PKCS#8)
    untrusted_ca: str     # a CA that signed nothing the broker presents


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _ca(cn: str):
    key = _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn)).issuer_name(_name(cn))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(ca_key, ca_cert, cn: str, hosts: list[str], usage) -> tuple:
    key = _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    sans: list[x509.GeneralName] = []
    for h in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            sans.append(x509.DNSName(h))
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def write_tls_files(directory: str, hosts: list[str] | None = None) -> TlsFiles:
    """Creates a CA, a server certificate for `hosts` (default localhost + 127.0.0.1), a client
    certificate and an unrelated CA, as PEM files in `directory`."""
    hosts = hosts or ["localhost", "127.0.0.1"]
    os.makedirs(directory, exist_ok=True)
    ca_key, ca_cert = _ca("ferrokafka test CA")
    srv_key, srv_cert = _leaf(ca_key, ca_cert, hosts[0], hosts, ExtendedKeyUsageOID.SERVER_AUTH)
    cli_key, cli_cert = _leaf(ca_key, ca_cert, "client", [], ExtendedKeyUsageOID.CLIENT_AUTH)
    _, other_cert = _ca("ferrokafka untrusted CA")

    def write(name: str, data: bytes) -> str:
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    return TlsFiles(
        ca=write("ca.pem", _cert_pem(ca_cert)),
        server_keystore=write("server-keystore.pem",
                              _key_pem(srv_key) + _cert_pem(srv_cert) + _cert_pem(ca_cert)),
        server_cert=write("server.pem", _cert_pem(srv_cert)),
        server_key=write("server.key", _key_pem(srv_key)),
        client_cert=write("client.pem", _cert_pem(cli_cert)),
        client_key=write("client.key", _key_pem(cli_key)),
        untrusted_ca=write("untrusted-ca.pem", _cert_pem(other_cert)),
    )
