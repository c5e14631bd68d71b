"""mlpersist for Python: safe, typed, versioned model artifacts, without pickle.

The functions here are thin bindings over the C++ framework (the same code the ``mlpersist``
command runs); :mod:`mlpersist.sklearn` turns fitted scikit-learn estimators into artifacts and
back. See docs/python.md.
"""

from ._core import (  # noqa: F401  (re-exported API)
    CompatibilityError,
    Error,
    FormatError,
    IoError,
    Model,
    PluginError,
    SchemaError,
    SecurityError,
    Store,
    StoreError,
    UsageError,
    __version__,
)
from . import _core
from ._store import open_store
from . import _store

__all__ = [
    "inspect", "read_document", "write_document", "load", "fit", "types", "Model",
    "Error", "FormatError", "CompatibilityError", "SchemaError", "PluginError", "UsageError",
    "IoError", "SecurityError", "Store", "StoreError", "open_store",
]


def inspect(path_or_bytes):
    """The artifact's header as a dict (backend, type, schema versions, metadata); decodes no
    payload and runs no plugin code. ``STORE#NAME@REF`` reads the header of a stored version."""
    if _store.is_location(path_or_bytes):
        store, name, ref = _store.split_location(path_or_bytes)
        return store.inspect(name, ref)
    return _core.inspect(_source(path_or_bytes))


def read_document(path_or_bytes, allowed_types=None, *, mmap=True, migrate=True):
    """The decoded typed document ``{type, schema_version, params, n_features_in_, state}``,
    upgraded to the schema versions this build reads (unless ``migrate=False``).

    Tensors are read-only numpy arrays; from a file they view the mapped file (zero-copy), and
    each keeps the mapping alive for as long as it lives."""
    return _core.read_document(_source(path_or_bytes), allowed_types, mmap, migrate)


def load(path_or_bytes, allowed_types=None, trusted_keys=None, require_signature=False, *,
         mmap=True):
    """Loads an artifact as a :class:`Model`, a handle on the C++ estimator.

    ``allowed_types``: type tags that may be built (others are refused before decoding).
    ``trusted_keys``: public keys (64 hex digits, 32 raw bytes, or key file paths) whose
    signatures are verified; ``require_signature`` refuses unsigned artifacts.
    ``STORE#NAME@REF`` loads a stored version through the verified cache, with the same policy."""
    if _store.is_location(path_or_bytes):
        store, name, ref = _store.split_location(path_or_bytes)
        return store.load(name, ref, allowed_types, trusted_keys, require_signature, mmap=mmap)
    return _core.load(_source(path_or_bytes), allowed_types, trusted_keys, require_signature,
                      mmap)


def write_document(document, path, format="binary", metadata=None):
    """Writes a typed document as it is, with the named backend (``convert``/``migrate`` do the
    same in C++). Nothing validates it here: every loader does, so a document no estimator
    accepts makes a file that ``load`` refuses."""
    _core.write_document(document, path, format, metadata)


def fit(type_tag, X, y=None, **params):
    """Fits the C++ estimator ``type_tag`` (e.g. ``"svm.SVC"``) on numpy arrays."""
    return _core.fit(type_tag, X, y, **params)


def types():
    """The estimator types the loaded plugins provide: dicts of type_tag, schema_version and
    plugin."""
    return _core.types()


def _source(path_or_bytes):
    # bytes are decoded in place; bytearray and memoryview are copied once into bytes.
    if isinstance(path_or_bytes, (bytearray, memoryview)):
        return bytes(path_or_bytes)
    return path_or_bytes
