#!/usr/bin/env python3
"""Writes the libFuzzer dictionaries in fuzz/dict/: the tokens of each payload format (binary,
msgpack, json) and of the envelope header, spelled as each format spells them, so that
mutations insert a whole map key, tensor head or extreme number instead of guessing it byte by
byte. scripts/ci-hardening.sh gives each target its format's dictionary (the load_* targets
read whole artifacts: all four).

Usage: fuzz/make-dicts.py   (rerun when estimators gain state keys or parameters)
"""

import pathlib
import struct

# Keys of typed documents, estimator parameters and fitted state (every estimator of this repo).
DOCUMENT_KEYS = """type schema_version min_reader_version params n_features_in_ feature_names_in_
feature_types_in_ class_labels_ state steps name estimator""".split()
PARAM_KEYS = """C kernel degree gamma coef0 tol shrinking cache_size max_iter
decision_function_shape alpha fit_intercept solver n_neighbors weights n_clusters n_init
random_state n_components whiten with_mean with_std var_smoothing max_depth max_features
min_samples_split min_samples_leaf criterion n_estimators bootstrap n_jobs epsilon l1_ratio
positive selection categories drop sparse_output handle_unknown min_frequency max_categories
unknown_value encoded_missing_value missing_values strategy fill_value copy add_indicator
keep_empty_features feature_range clip transformers remainder sparse_threshold
transformer_weights verbose verbose_feature_names_out""".split()
STATE_KEYS = """classes_ n_classes_ support_ support_vectors_ dual_coef_ intercept_ n_support_
n_iter_ fit_status_ kernel_ _gamma coef_ rank_ singular_ solver_ theta_ var_ class_prior_
class_count_ epsilon_ mean_ scale_ n_samples_seen_ components_ explained_variance_
explained_variance_ratio_ singular_values_ noise_variance_ n_components_ n_samples_
cluster_centers_ labels_ inertia_ _fit_X _y max_features_ node_count max_depth children_left
children_right feature threshold impurity n_node_samples weighted_n_node_samples value
estimators_ init_ constant_ class_prior_ n_estimators_ train_score_ oob_improvement_ dual_gap_
categories_ drop_idx_ infrequent_categories_ statistics_ indicator_ features_ min_ data_min_
data_max_ data_range_ transformers_ kind columns""".split()
STRINGS = """svm.SVC linear_model.LinearRegression linear_model.Ridge
linear_model.LogisticRegression naive_bayes.GaussianNB preprocessing.StandardScaler
decomposition.PCA cluster.KMeans neighbors.KNeighborsClassifier tree.DecisionTreeClassifier
ensemble.RandomForestClassifier pipeline.Pipeline linear poly rbf sigmoid scale auto ovr ovo
uniform distance cholesky svd gini entropy sqrt log2 tree.DecisionTreeRegressor
ensemble.RandomForestRegressor ensemble.ExtraTreesClassifier ensemble.ExtraTreesRegressor
ensemble.GradientBoostingClassifier ensemble.GradientBoostingRegressor squared_error
friedman_mse absolute_error huber quantile log_loss exponential best random svm.SVR
linear_model.Lasso linear_model.ElasticNet neighbors.KNeighborsRegressor cyclic
compose.ColumnTransformer impute.SimpleImputer preprocessing.OneHotEncoder
preprocessing.OrdinalEncoder preprocessing.MinMaxScaler number string drop passthrough first
if_binary error ignore infrequent_if_exist use_encoded_value mean median most_frequent constant""".split()
# The envelope header (JSON): its fields, metadata, provenance and the signature entry.
HEADER_KEYS = """backend type schema_version framework_version types min_reader_versions metadata
created_at versions mlpersist eigen msgpack_c rapidjson boost compiler cxx_standard os cpu
endianness plugins training_data sha256 uri rows columns target source program git_commit
verification inputs outputs predict decision_function predict_proba transform
cross_validation migrations from to hook signature scheme public_key value user""".split()
HEADER_STRINGS = "binary json msgpack little big mlpersist-ed25519-v1".split()

INT64_MAX = 2**63 - 1
INTS = [0, 1, -1, 2, 255, 256, 257, 2**31 - 1, 2**31, 2**32, 2**32 + 1, 2**53 + 1, INT64_MAX,
        -(2**63), 2**62]
DOUBLE_BITS = [0x7FF8000000000000, 0xFFF8000000000001, 0x7FF0000000000000, 0xFFF0000000000000,
               0x8000000000000000, 0x3FF0000000000000, 0x7FEFFFFFFFFFFFFF, 0x0010000000000000,
               0x0000000000000001, 0x3FE0000000000000, 0xBFF0000000000000]
DTYPES = {"float64": 1, "float32": 2, "int64": 3, "int32": 4, "uint8": 5}


def u64(n):
    return struct.pack("<Q", n % 2**64)


def quoted(token: bytes) -> str:
    out = []
    for b in token:
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        else:
            out.append(c if 0x20 <= b < 0x7F else f"\\x{b:02X}")
    return '"' + "".join(out) + '"'


def write(name, comment, tokens):
    seen, lines = set(), [f"# {line}" for line in comment.splitlines()]
    lines.append("# Written by fuzz/make-dicts.py; edit that, not this file.")
    for t in tokens:
        if t not in seen:
            seen.add(t)
            lines.append(quoted(t))
    path = pathlib.Path(__file__).parent / "dict" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def words():
    return [w.encode() for w in DOCUMENT_KEYS + PARAM_KEYS + STATE_KEYS]


def binary_tokens():
    yield b"\x01"  # format version
    for w in words():
        yield u64(len(w)) + w  # a map key
    for s in [w.encode() for w in STRINGS]:
        yield b"\x06" + u64(len(s)) + s
    for n in INTS:
        yield b"\x03" + u64(n)
        yield u64(n)  # a length, count or dimension
    yield b"\x04" + u64(2**64 - 1)
    for bits in DOUBLE_BITS:
        yield b"\x05" + u64(bits)
    for code in DTYPES.values():
        for rank in range(3):
            yield b"\x0A" + bytes([code, rank])
    yield b"\x08" + u64(0)
    yield b"\x09" + u64(0)


def msgpack_str(s: bytes):
    return (bytes([0xA0 | len(s)]) if len(s) < 32 else b"\xD9" + bytes([len(s)])) + s


def msgpack_tokens():
    for s in words() + [w.encode() for w in STRINGS]:
        yield msgpack_str(s)
    for n in INTS:
        yield (b"\xCF" + struct.pack(">Q", n)) if n >= 0 else (b"\xD3" + struct.pack(">q", n))
        yield u64(n)  # a tensor dimension (little-endian inside the ext body)
    for bits in DOUBLE_BITS:
        yield b"\xCB" + struct.pack(">Q", bits)
    yield b"\xCA\x7F\xC0\x00\x00"  # float 32 NaN
    for code in DTYPES.values():
        for rank in range(3):
            head = bytes([code, rank])
            yield b"\xC9" + struct.pack(">I", 2 + 8 * rank + 1) + b"\x02" + head  # aligned
            yield b"\xC7" + bytes([2 + 8 * rank]) + b"\x01" + head  # ext 8, type 1
    for token in [b"\xC0", b"\xC2", b"\xC3", b"\xDC\x00\x00", b"\xDD\x00\x00\x00\x00",
                  b"\xDE\x00\x00", b"\xDF\x00\x00\x00\x00", b"\xC4\x00", b"\xD9\x00"]:
        yield token


def json_tokens(keys, strings):
    for k in keys:
        yield f'"{k}":'.encode()
    for s in strings:
        yield f'"{s}"'.encode()
    for n in INTS + [2**63, 2**64 - 1, 2**64]:
        yield str(n).encode()
    for text in ["-0.0", "5e-324", "2.2250738585072014e-308", "1.7976931348623157e+308",
                 "1e309", "0.1", "1.0", "true", "false", "null", "[]", "{}", "\\u0000",
                 "\\ud800", "\\udc00", "\\\\", "\\\"", "\u00e9", "\ufeff"]:
        yield text.encode()


def payload_json_tokens():
    yield from json_tokens([w.decode() for w in words()], STRINGS)
    yield b'{"$tensor":{"dtype":"float64","shape":['
    yield b'],"data":['
    for dtype in DTYPES:
        yield f'"dtype":"{dtype}"'.encode()
    for marker in ['{"$float":"NaN"}', '{"$float":"Infinity"}', '{"$float":"-Infinity"}',
                   '{"$bytes":"', '"$$', '"NaN"', '"Infinity"', '"-Infinity"']:
        yield marker.encode()


def envelope_tokens():
    yield bytes([0x89]) + b"MLP\r\n\x1a\n"
    for version in (1, 2, 3):
        yield struct.pack("<H", version)
    for n in [0, 1, 64, 4096, 2**20, 2**32 - 1]:
        yield struct.pack("<I", n)
        yield u64(n)
    yield from json_tokens(HEADER_KEYS, HEADER_STRINGS + STRINGS)


write("binary.dict", "The binary payload format (plugins/binary/binary_backend.hpp).",
      binary_tokens())
write("msgpack.dict", "The msgpack payload format (plugins/msgpack/msgpack_backend.hpp).",
      msgpack_tokens())
write("json.dict", "The json payload format (plugins/json/json_backend.hpp).",
      payload_json_tokens())
write("envelope.dict",
      "The container: prelude fields and header JSON (framework/include/mlpersist/envelope.hpp).",
      envelope_tokens())
