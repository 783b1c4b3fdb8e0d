# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An app's self-signed certificate and its key (asgi.deploy.selfsigned_certificate): what
an existing pair lacks, and a new P-256 key and certificate for the app's names. Three
community.crypto tasks (key, request, certificate) cost three module runs per app at every
converge. Needs cryptography (Debian's python3-cryptography) where it runs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    CRYPTOGRAPHY_ERROR = None
except ImportError as error:
    CRYPTOGRAPHY_ERROR = error

UTC = datetime.timezone.utc


def key_problem(pem):
    """Why a key (PEM bytes, or None: no file) is not one to keep: None when it is a P-256 key."""
    if pem is None:
        return "no key"
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        return "the key is not an unencrypted PEM private key"
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        return "the key is not a P-256 key"
    return None


def _not_after(certificate):
    # cryptography 42 added the timezone-aware property; Debian 12 has 38.
    found = getattr(certificate, "not_valid_after_utc", None)
    return found if found is not None else certificate.not_valid_after.replace(tzinfo=UTC)


def certificate_problems(pem, key_pem, names, now, renew_days):
    """Why a certificate (PEM bytes or None) is not one to keep for the key and names: it is
    missing or unreadable, of another key, for other names, or ends within renew_days."""
    if pem is None:
        return ["no certificate"]
    try:
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError:
        return ["the certificate is not PEM"]
    problems = []
    key = serialization.load_pem_private_key(key_pem, password=None)
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if (certificate.public_key().public_bytes(serialization.Encoding.DER, public)
            != key.public_key().public_bytes(serialization.Encoding.DER, public)):
        problems.append("the certificate is of another key")
    common_names = [attribute.value for attribute in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    try:
        dns_names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
    except x509.ExtensionNotFound:
        dns_names = []
    if common_names != [names[0]] or sorted(dns_names) != sorted(names):
        problems.append("the certificate is for other names (%s)" % ", ".join(dns_names or common_names))
    if _not_after(certificate) - now < datetime.timedelta(days=renew_days):
        problems.append("the certificate ends within %d days (%s)" % (renew_days, _not_after(certificate).date()))
    return problems


def new_key():
    """A new P-256 key, as unencrypted PKCS#8 PEM bytes."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def new_certificate(key_pem, names, now, days):
    """A certificate for names (the first its subject's common name, all of them its DNS
    names) signed by its own key, valid from now for days, as PEM bytes."""
    key = serialization.load_pem_private_key(key_pem, password=None)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    certificate = (x509.CertificateBuilder()
                   .subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=days))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                   .sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM)
