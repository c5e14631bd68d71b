"""Models in a store, named ``STORE#NAME@REF`` (``sqlite:///var/models.db#churn@production``):
what lets :func:`mlpersist.load` and :func:`mlpersist.inspect` take such a name as well as a
file. The store itself is :class:`mlpersist.Store` (docs/store.md)."""

import os

from . import _core


def open_store(uri, cache_dir=None):
    """A connection to the store ``uri`` (``sqlite:///path/models.db``, ``postgresql://...``),
    loading through the verified cache ``cache_dir`` (default: $MLPERSIST_CACHE_DIR, else
    ~/.cache/mlpersist)."""
    return _core.Store(uri, None if cache_dir is None else os.fspath(cache_dir))


def is_location(source):
    """True for text that names a model in a store rather than a file."""
    return isinstance(source, str) and _core.is_model_location(source)


def split_location(text, cache_dir=None):
    """(store, name, ref) for ``STORE#NAME[@REF]``; ref is "latest" when not given."""
    uri, name, ref = _core.parse_model_location(text)
    return open_store(uri, cache_dir), name, ref
