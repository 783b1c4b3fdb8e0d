# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""controller_sha256: the release id's fingerprint of each shipped file, null where none is."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os

from ansible_collections.asgi.deploy.plugins.filter.controller_sha256 import CHUNK, controller_sha256


def test_each_file_by_its_bytes_and_null_where_there_is_no_file(tmp_path):
    wheel, large, directory = tmp_path / "shop.whl", tmp_path / "large.bin", tmp_path / "dist"
    wheel.write_bytes(b"PK\x03\x04\xff\x00")
    large.write_bytes(os.urandom(CHUNK * 2 + 5))
    directory.mkdir()
    paths = [str(wheel), str(large), str(directory), str(tmp_path / "missing")]
    assert controller_sha256(paths) == {
        str(wheel): hashlib.sha256(b"PK\x03\x04\xff\x00").hexdigest(),
        str(large): hashlib.sha256(large.read_bytes()).hexdigest(),
        str(directory): None,
        str(tmp_path / "missing"): None,
    }


def test_a_changed_byte_changes_the_sum(tmp_path):
    wheel = tmp_path / "shop.whl"
    wheel.write_bytes(b"1.0")
    before = controller_sha256([str(wheel)])
    wheel.write_bytes(b"1.1")
    assert controller_sha256([str(wheel)]) != before
