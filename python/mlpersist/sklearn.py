"""scikit-learn estimators to mlpersist artifacts and back, without pickle.

``dump``/``dumps`` read a fitted estimator's public parameters and fitted attributes (never
pickle, ``__reduce__`` or a wholesale ``__dict__``) into the typed document the C++ plugin of
that type writes, hand it to the C++ estimator, which validates it as it validates its own
files, and let the framework encode, checksum and write it. ``load`` decodes any artifact with
the C++ framework, validates it by loading the C++ estimator, and builds the scikit-learn
estimator of that type with its constructor. The classes it may build are those of its fixed
table (``supported_types()``); an artifact of any other type is refused before its payload is
decoded. See docs/python.md.
"""

import functools
import platform

import numpy as np

from . import _core
from . import _sklearn_types as _types
from ._core import UsageError

__all__ = ["dump", "dumps", "load", "supported_types"]

#: Header metadata key under which ``dump`` records the Python side: interpreter, numpy and
#: scikit-learn versions, and per typed document what scikit-learn keeps beyond the C++ state
#: (the dtype of ``classes_``, ``shape_fit_``, ...), so that a round trip is exact.
METADATA_KEY = "sklearn"


def supported_types():
    """The type tags this bridge converts, with their scikit-learn classes, e.g.
    ``{"svm.SVC": "sklearn.svm.SVC", ...}``."""
    return {tag: f"{t.module}.{t.name}" for tag, t in _types.TABLE.items()}


def dumps(estimator, format="binary", metadata=None):
    """The artifact of a fitted scikit-learn estimator, as bytes."""
    model, meta = _to_model(estimator, metadata)
    return model.dumps(format, meta)


def dump(estimator, path, format="binary", metadata=None):
    """Writes the artifact of a fitted scikit-learn estimator to ``path`` (atomically)."""
    model, meta = _to_model(estimator, metadata)
    model.save(path, format, meta)


def load(path_or_bytes, allowed_types=None):
    """A fitted scikit-learn estimator from an artifact written by C++ or by ``dump``.

    ``allowed_types`` narrows the table further; types outside it are refused (with
    ``mlpersist.SecurityError``) before the payload is decoded."""
    tags = _TAGS
    if allowed_types is not None:
        if isinstance(allowed_types, str):
            raise UsageError("allowed_types is a collection of type tags, not one string")
        tags = sorted(set(_TAGS) & set(allowed_types))
    if isinstance(path_or_bytes, (bytearray, memoryview)):
        path_or_bytes = bytes(path_or_bytes)
    _, document, recorded = _core.load_with_document(path_or_bytes, tags,
                                                     metadata_key=METADATA_KEY)
    extras = recorded.get("extras", {}) if isinstance(recorded, dict) else {}
    try:
        return from_document(document, extras if isinstance(extras, dict) else {})
    except _core.Error:
        raise
    except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as e:
        # C++ validated the document; what is left is the header's unvalidated hints, or a
        # document scikit-learn itself refuses. Either way the caller gets an mlpersist.Error.
        raise _core.SchemaError(f"{document.get('type')}: cannot build the scikit-learn "
                                f"estimator from this artifact: {e}") from e


def to_document(estimator, extras=None, path=""):
    """The typed document ``{type, schema_version, params, n_features_in_, state}`` of a fitted
    estimator, as the C++ plugin writes it. ``extras`` collects, per document path, what
    scikit-learn keeps beyond it."""
    entry = _types.entry_for(estimator)
    _types.check_fitted(estimator, entry)
    params = entry.params_to_document(estimator)
    extra = {}
    state = entry.state_to_document(estimator, extra, extras, path)
    doc = {"type": entry.tag, "schema_version": entry.schema_version}
    if entry.min_reader_version is not None:
        doc["min_reader_version"] = entry.min_reader_version
    doc["params"] = params
    doc["n_features_in_"] = int(estimator.n_features_in_)
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        doc["feature_names_in_"] = [_types.feature_name(n) for n in names]
    types = _types.input_types(estimator)
    if types and "string" in types:
        doc["feature_types_in_"] = types
    labels = extra.pop("class_labels_", None)
    if entry.tag == "pipeline.Pipeline":  # C++ keeps a Pipeline's string classes on it
        labels = state["steps"][-1]["estimator"].pop("class_labels_", None)
    if labels is not None:
        doc["class_labels_"] = labels
    doc["state"] = state
    if extras is not None and extra:
        extras[path] = extra
    return doc


def from_document(document, extras=None, path=""):
    """The scikit-learn estimator a typed document describes (already validated by C++)."""
    extras = extras or {}
    entry = _types.TABLE.get(document.get("type"))
    if entry is None:
        raise UsageError(f"{document.get('type')!r} is not a type this bridge converts; "
                         f"supported: {', '.join(sorted(_types.TABLE))}")
    if document.get("schema_version") != entry.schema_version:
        raise _core.CompatibilityError(
            f"{entry.tag}: the bridge reads schema version {entry.schema_version}, the "
            f"document has {document.get('schema_version')}; update the mlpersist package")
    extra = extras.get(path, {})
    extra = extra if isinstance(extra, dict) else {}
    estimator = entry.build(document["params"])
    entry.state_from_document(estimator, document, extra, extras, path)
    labels = document.get("class_labels_")
    if labels is not None:
        owner = estimator.steps[-1][1] if entry.tag == "pipeline.Pipeline" else estimator
        dtype = extras.get(f"{path}/steps/{len(estimator.steps) - 1}" if entry.tag ==
                           "pipeline.Pipeline" else path, {}).get("classes_dtype", "|O")
        try:
            owner.classes_ = np.array(labels, dtype=np.dtype(dtype) if dtype[1:2] in "OU" else
                                      object)
        except TypeError:
            owner.classes_ = np.array(labels, dtype=object)
    if entry.tag != "pipeline.Pipeline":  # a Pipeline's come from its first step
        estimator.n_features_in_ = int(document["n_features_in_"])
        if "feature_names_in_" in document:
            estimator.feature_names_in_ = np.asarray(document["feature_names_in_"], dtype=object)
    return estimator


def _to_model(estimator, metadata):
    extras = {}
    document = to_document(estimator, extras)
    meta = dict(metadata or {})
    if METADATA_KEY in meta:
        raise UsageError(f"metadata key {METADATA_KEY!r} is written by mlpersist.sklearn")
    meta[METADATA_KEY] = dict(_versions(), extras=extras)
    return _core.from_document(document, _TAGS), meta


_TAGS = sorted(_types.TABLE)


@functools.lru_cache(maxsize=None)
def _versions():
    import sklearn  # the installed package's version, for the provenance record
    return (("python", platform.python_version()), ("numpy", np.__version__),
            ("scikit-learn", sklearn.__version__))
