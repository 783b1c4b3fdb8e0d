# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi.deploy.selfsigned_certificate: a pair is kept while it is a P-256 key with a
certificate of it, for the names, not ending soon; anything else is named and made again."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ansible_collections.asgi.deploy.plugins.module_utils._selfsigned import (
    UTC, certificate_problems, key_problem, new_certificate, new_key)

NAMES = ["hello.example.test", "www.hello.example.test"]
NOW = datetime.datetime(2026, 12, 2, tzinfo=UTC)
KEY = new_key()
CERT = new_certificate(KEY, NAMES, NOW, 365)


def pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def test_a_new_pair_is_a_p256_key_and_its_certificate_for_the_names():
    assert key_problem(KEY) is None
    certificate = x509.load_pem_x509_certificate(CERT)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == NAMES[0]
    assert certificate.issuer == certificate.subject
    assert certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == NAMES
    assert (certificate.public_key().public_numbers()
            == serialization.load_pem_private_key(KEY, None).public_key().public_numbers())
    assert certificate_problems(CERT, KEY, NAMES, NOW, 30) == []
    # Its own key signed it.
    certificate.public_key().verify(certificate.signature, certificate.tbs_certificate_bytes,
                                    ec.ECDSA(certificate.signature_hash_algorithm))


@pytest.mark.parametrize("key, problem", [
    (None, "no key"),
    (b"not a key", "the key is not an unencrypted PEM private key"),
    (pem(ec.generate_private_key(ec.SECP384R1())), "the key is not a P-256 key"),
    (pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)), "the key is not a P-256 key"),
])
def test_a_key_that_is_not_kept_is_named(key, problem):
    assert key_problem(key) == problem


@pytest.mark.parametrize("cert, names, now, problem", [
    (None, NAMES, NOW, "no certificate"),
    (b"garbage", NAMES, NOW, "the certificate is not PEM"),
    (new_certificate(new_key(), NAMES, NOW, 365), NAMES, NOW, "the certificate is of another key"),
    (CERT, NAMES + ["api.example.test"], NOW, "the certificate is for other names (hello.example.test, www.hello"),
    (CERT, list(reversed(NAMES)), NOW, "the certificate is for other names"),
    (CERT, NAMES, NOW + datetime.timedelta(days=340), "the certificate ends within 30 days (2027-12-02)"),
])
def test_a_certificate_that_is_not_kept_is_named(cert, names, now, problem):
    problems = certificate_problems(cert, KEY, names, now, 30)
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_a_certificate_is_kept_until_the_renewal_window():
    assert certificate_problems(CERT, KEY, NAMES, NOW + datetime.timedelta(days=334), 30) == []
