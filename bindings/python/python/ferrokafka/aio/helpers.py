"""``ferrokafka.aio.helpers``: aiokafka's ``create_ssl_context`` (``from aiokafka.helpers import
create_ssl_context`` becomes ``from ferrokafka.aio.helpers import create_ssl_context``).

The native core does TLS itself (rustls), and an ``ssl.SSLContext`` cannot be read back, so the
context returned here also records the files it loaded; ``ssl_context=`` of the producer,
consumer and admin clients reads those. Limits: ``capath`` and ``cadata`` (no file to hand the
core) and ``password`` (encrypted keys) are refused; a context built any other way is refused
with a message saying to use this helper or ``ssl_cafile``/``ssl_certfile``/``ssl_keyfile``.
"""
import ssl

from ferrokafka import errors as Errors

__all__ = ["create_ssl_context"]


def create_ssl_context(*, cafile=None, capath=None, cadata=None, certfile=None, keyfile=None,
                       password=None, crlfile=None):
    """A client ``ssl.SSLContext`` (TLS, certificate and host-name checks on) as aiokafka's."""
    if capath is not None or cadata is not None:
        raise Errors.KafkaConfigurationError(
            "create_ssl_context: capath and cadata are not supported; pass cafile (a PEM file)")
    if password is not None:
        raise Errors.KafkaConfigurationError(
            "create_ssl_context: encrypted private keys are not supported; use an unencrypted "
            "PKCS#8 PEM keyfile")
    if crlfile is not None:
        raise Errors.KafkaConfigurationError("create_ssl_context: crlfile is not supported")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    if cafile:
        context.load_verify_locations(cafile=cafile)
    else:
        context.load_default_certs()
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    context._ferrokafka_files = {"cafile": cafile, "certfile": certfile, "keyfile": keyfile}
    return context
