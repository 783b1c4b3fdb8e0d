# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make ``ansible_collections.asgi.deploy`` importable for plain ``pytest tests/unit``.

Under ``ansible-test units`` the collection already sits at
``.../ansible_collections/asgi/deploy`` and ansible-test installs its
collection loader, so nothing is done. A checkout elsewhere is exposed
through a temporary ``ansible_collections/asgi/deploy`` symlink put on
sys.path; with ansible-core alone ``ansible_collections`` is then a plain
namespace package, which is all the module's import needs.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile

COLLECTION = 'ansible_collections.asgi.deploy'
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collection_importable():
    try:
        return importlib.util.find_spec(COLLECTION) is not None
    except ImportError:
        return False


def _collections_root():
    """The directory holding ``ansible_collections`` for this checkout, creating a symlink tree if needed."""
    namespace_dir = os.path.dirname(REPO_ROOT)
    layout_root = os.path.dirname(namespace_dir)
    if (os.path.basename(REPO_ROOT), os.path.basename(namespace_dir), os.path.basename(layout_root)) == \
            ('deploy', 'asgi', 'ansible_collections'):
        return os.path.dirname(layout_root)

    temp_root = tempfile.mkdtemp(prefix='asgi-deploy-units-')
    # rmtree removes the symlink itself, never the checkout it points to.
    atexit.register(shutil.rmtree, temp_root, True)
    os.makedirs(os.path.join(temp_root, 'ansible_collections', 'asgi'))
    os.symlink(REPO_ROOT, os.path.join(temp_root, 'ansible_collections', 'asgi', 'deploy'))
    return temp_root


if not _collection_importable():
    sys.path.insert(0, _collections_root())
