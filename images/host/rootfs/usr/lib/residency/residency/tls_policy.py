"""TLS toward sovereign APIs: TLS 1.3 only. At start the stack checks that the OpenSSL it runs on
can do that: the library is new enough, was built with TLS 1.3, is the OpenSSL the system has
installed, and a handshake with the client's own settings really negotiates TLS 1.3 under the
system's OpenSSL configuration (a crypto policy can cap the version without any code change)."""

import datetime
import os
import re
import ssl
import subprocess
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from . import paths

# The manual: nothing below TLS 1.3 toward sovereign APIs.
MINIMUM_VERSION = ssl.TLSVersion.TLSv1_3
# The first OpenSSL release with TLS 1.3.
REQUIRED_OPENSSL = (1, 1, 1)
SELF_TEST_NAME = "residency-tls-self-test"


class TlsRuntimeMismatch(Exception):
    """The installed OpenSSL cannot hold the TLS policy."""


def client_context(ca_pem):
    """The only way the stack makes TLS clients for sovereign APIs."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = MINIMUM_VERSION
    context.load_verify_locations(cadata=ca_pem)
    return context


def _version_of(text):
    """(3, 0, 20) from "OpenSSL 3.0.20 7 Apr 2026"; ssl.OPENSSL_VERSION_INFO cannot be used, as it
    decodes OpenSSL 3's version number in the 1.x layout (3.0.20 reads as 3.0.0 patch 20)."""
    match = re.match(r"OpenSSL (\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(part) for part in match.groups()) if match else None


def _installed_openssl():
    """The version of the system's openssl command and its banner; (None, why) when it cannot be
    read. An unreadable version is no match for the library's: the caller refuses it as a skew."""
    try:
        out = subprocess.run(["openssl", "version"], capture_output=True, text=True, timeout=10, check=True).stdout
    except subprocess.CalledProcessError as error:
        return None, f"(openssl version failed with exit {error.returncode}: {(error.stderr or '').strip()[:200]})"
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"(openssl could not be run: {error})"
    return _version_of(out), out.strip()


def _self_signed(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SELF_TEST_NAME)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(SELF_TEST_NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    cert_path = os.path.join(directory, "self-test.crt")
    key_path = os.path.join(directory, "self-test.key")
    with open(cert_path, "wb") as handle:
        handle.write(cert_pem)
    with open(key_path, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return cert_pem.decode(), cert_path, key_path


def _memory_handshake(client_ctx, server_ctx):
    """A full handshake between the client's and a server's settings, in memory (no network)."""
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    from_client, from_server = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(to_client, from_client, server_hostname=SELF_TEST_NAME)
    server = server_ctx.wrap_bio(to_server, from_server, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):
        for side, endpoint in (("client", client), ("server", server)):
            if not done[side]:
                try:
                    endpoint.do_handshake()
                    done[side] = True
                except ssl.SSLWantReadError:
                    pass
        to_server.write(from_client.read())
        to_client.write(from_server.read())
        if all(done.values()):
            return client.version()
    raise ssl.SSLError("the in-memory handshake did not finish")


def verify_runtime():
    """Returns what was found; raises TlsRuntimeMismatch naming what does not hold."""
    library = _version_of(ssl.OPENSSL_VERSION) or ssl.OPENSSL_VERSION_INFO[:3]
    installed, installed_text = _installed_openssl()
    facts = {"library": ssl.OPENSSL_VERSION, "installed": installed_text}
    if library < REQUIRED_OPENSSL:
        raise TlsRuntimeMismatch(f"{ssl.OPENSSL_VERSION} is older than OpenSSL 1.1.1, which TLS 1.3 needs")
    if not ssl.HAS_TLSv1_3:
        raise TlsRuntimeMismatch(f"{ssl.OPENSSL_VERSION} was built without TLS 1.3")
    if installed != library:
        raise TlsRuntimeMismatch(
            f"the client links {ssl.OPENSSL_VERSION} but the installed OpenSSL is {facts['installed']}"
        )
    os.makedirs(paths.RUN_DIR, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=paths.RUN_DIR) as directory:
        cert_pem, cert_path, key_path = _self_signed(directory)
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert_path, key_path)
        try:
            negotiated = _memory_handshake(client_context(cert_pem), server_ctx)
        except ssl.SSLError as error:
            raise TlsRuntimeMismatch(
                f"a TLS 1.3 handshake fails under this system's OpenSSL configuration: {error.reason or error}"
            ) from error
    if negotiated != "TLSv1.3":
        raise TlsRuntimeMismatch(f"the self-test negotiated {negotiated}, not TLSv1.3")
    facts["selfTest"] = negotiated
    facts["minimum"] = MINIMUM_VERSION.name
    return facts
