#!/usr/bin/env python3
"""A second reader of mlpersist artifacts, written from docs/format.md alone.

It checks the container part of the specification (prelude, header JSON, chunk table, trailer,
signature) and every backend's encoding against real files: artifacts the command line tool
writes now (every backend, a multi-chunk payload, signed files) and the golden files in
tests/fixtures (container 1, msgpack ext type 1). Each decoded document must equal what
`mlpersist show --full` prints for it. It uses only the Python standard library and, through
ctypes, the xxHash and libsodium libraries mlpersist itself links.

Usage: format_reader.py --cli BUILD/bin/mlpersist --repo SOURCE_DIR --work SCRATCH_DIR
"""

import argparse
import base64
import ctypes
import ctypes.util
import json
import math
import pathlib
import random
import struct
import subprocess
import sys

MAGIC = bytes([0x89, 0x4D, 0x4C, 0x50, 0x0D, 0x0A, 0x1A, 0x0A])
CHUNK = 256 * 1024
# dtype code -> (name, struct format, element size)
DTYPES = {1: ("float64", "d", 8), 2: ("float32", "f", 4), 3: ("int64", "q", 8),
          4: ("int32", "i", 4), 5: ("uint8", "B", 1)}
DTYPE_CODES = {name: code for code, (name, _, _) in DTYPES.items()}
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class FormatError(Exception):
    pass


def require(condition, what):
    if not condition:
        raise FormatError(what)


def load_library(name, soname):
    path = ctypes.util.find_library(name) or soname
    return ctypes.CDLL(path)


XXH = load_library("xxhash", "libxxhash.so.0")
XXH.XXH3_64bits.restype = ctypes.c_uint64
XXH.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
XXH.XXH3_64bits_withSeed.restype = ctypes.c_uint64
XXH.XXH3_64bits_withSeed.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]
SODIUM = load_library("sodium", "libsodium.so.23")
require(SODIUM.sodium_init() >= 0, "libsodium failed to initialise")


def xxh3(data, seed=None):
    if seed is None:
        return XXH.XXH3_64bits(data, len(data))
    return XXH.XXH3_64bits_withSeed(data, len(data), seed)


class Tensor:
    """dtype code, shape and elements; equal when all three are (a NaN equals a NaN)."""

    def __init__(self, code, shape, values):
        require(code in DTYPES, f"unknown dtype code {code}")
        require(len(values) == math.prod(shape), f"{len(values)} elements for shape {shape}")
        self.code, self.shape, self.values = code, list(shape), list(values)

    def __eq__(self, other):
        return (isinstance(other, Tensor) and (self.code, self.shape) == (other.code, other.shape)
                and all(a == b or (a != a and b != b) for a, b in zip(self.values, other.values)))

    def __repr__(self):
        return f"Tensor({DTYPES[self.code][0]}, {self.shape})"


def elements(code, shape, raw):
    _, fmt, size = DTYPES[code]
    count = math.prod(shape)
    require(len(raw) == count * size, f"tensor data of {len(raw)} bytes for {count} elements")
    return struct.unpack(f"<{count}{fmt}", raw)


class Cursor:
    """Reads a payload front to back; every read is checked against the bytes that remain."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        require(n <= len(self.data) - self.pos, f"needs {n} bytes at payload byte {self.pos}")
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def text(self, n):
        return self.take(n).decode("utf-8")

    def done(self):
        left = len(self.data) - self.pos
        require(left == 0, f"{left} bytes after the root value")


def unique_map(entries):
    result = {}
    for key, value in entries:
        require(isinstance(key, str), "a map key is not a string")
        require(key not in result, f"duplicate key {key!r}")
        result[key] = value
    return result


# --- binary -------------------------------------------------------------------------------

def binary_value(c):
    tag = c.unpack("<B")
    scalars = {0: lambda: None, 1: lambda: False, 2: lambda: True,
               3: lambda: c.unpack("<q"), 4: lambda: c.unpack("<Q"), 5: lambda: c.unpack("<d"),
               6: lambda: c.text(c.unpack("<Q")), 7: lambda: bytes(c.take(c.unpack("<Q")))}
    if tag in scalars:
        return scalars[tag]()
    if tag == 8:
        return [binary_value(c) for _ in range(c.unpack("<Q"))]
    if tag == 9:
        return unique_map((c.text(c.unpack("<Q")), binary_value(c))
                          for _ in range(c.unpack("<Q")))
    require(tag == 10, f"unknown value tag {tag}")
    code, rank = c.unpack("<B"), c.unpack("<B")
    shape = [c.unpack("<Q") for _ in range(rank)]
    padding = (64 - c.pos % 64) % 64
    require(c.take(padding) == bytes(padding), "non-zero tensor padding")
    require(code in DTYPES, f"unknown dtype code {code}")
    return Tensor(code, shape, elements(code, shape, c.take(math.prod(shape) * DTYPES[code][2])))


def read_binary(payload):
    c = Cursor(payload)
    require(c.unpack("<B") == 1, "binary format version is not 1")
    root = binary_value(c)
    c.done()
    return root


# --- msgpack ------------------------------------------------------------------------------

def msgpack_tensor(c, length):
    ext_type = c.unpack("b")
    start = c.pos
    body = Cursor(c.take(length))
    code, rank = body.unpack("<B"), body.unpack("<B")
    shape = [body.unpack("<Q") for _ in range(rank)]
    if ext_type == 2:
        pad = body.unpack("<B")
        require(pad < 8 and body.take(pad) == bytes(pad), "invalid tensor padding")
        require((start + body.pos) % 8 == 0, "ext type 2 elements are not 8-aligned")
    else:
        require(ext_type == 1, f"unknown ext type {ext_type}")
    require(code in DTYPES, f"unknown dtype code {code}")
    return Tensor(code, shape, elements(code, shape, body.data[body.pos:]))


def msgpack_value(c):
    b = c.unpack("B")
    if b <= 0x7F or b >= 0xE0:
        return b if b <= 0x7F else b - 256
    if b <= 0x8F or b in (0xDE, 0xDF):
        n = b & 0x0F if b <= 0x8F else c.unpack(">H" if b == 0xDE else ">I")
        return unique_map((msgpack_value(c), msgpack_value(c)) for _ in range(n))
    if b <= 0x9F or b in (0xDC, 0xDD):
        n = b & 0x0F if b <= 0x9F else c.unpack(">H" if b == 0xDC else ">I")
        return [msgpack_value(c) for _ in range(n)]
    if b <= 0xBF:
        return c.text(b & 0x1F)
    fixed = {0xC0: lambda: None, 0xC2: lambda: False, 0xC3: lambda: True,
             0xCA: lambda: c.unpack(">f"), 0xCB: lambda: c.unpack(">d")}
    sized = {0xC4: ">B", 0xC5: ">H", 0xC6: ">I", 0xC7: ">B", 0xC8: ">H", 0xC9: ">I",
             0xD9: ">B", 0xDA: ">H", 0xDB: ">I"}
    numbers = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q",
               0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q"}
    fixext = {0xD4: 1, 0xD5: 2, 0xD6: 4, 0xD7: 8, 0xD8: 16}
    if b in fixed:
        return fixed[b]()
    if b in numbers:
        return c.unpack(numbers[b])
    if b in fixext:
        return msgpack_tensor(c, fixext[b])
    require(b in sized, f"byte {b:#04x} is not a msgpack type")
    n = c.unpack(sized[b])
    if b <= 0xC6:
        return bytes(c.take(n))
    return msgpack_tensor(c, n) if b <= 0xC9 else c.text(n)


def read_msgpack(payload):
    c = Cursor(payload)
    root = msgpack_value(c)
    c.done()
    return root


# --- json ---------------------------------------------------------------------------------

def json_element(code, e):
    if isinstance(e, str):
        require(code in (1, 2) and e in NON_FINITE, f"tensor element {e!r}")
        return NON_FINITE[e]
    if isinstance(e, dict):  # `mlpersist show` spells non-finite elements as $float markers
        return json_markers(e)
    if code == 2:  # a float32 element reads as the nearest float32
        return struct.unpack("<f", struct.pack("<f", e))[0]
    return float(e) if code == 1 else e


def json_marker(key, value):
    if key == "$float":
        require(value in NON_FINITE, f"$float {value!r}")
        return NON_FINITE[value]
    if key == "$bytes":
        return base64.b64decode(value, validate=True)
    require(key == "$tensor", f"unknown marker {key}")
    require(list(value) == ["dtype", "shape", "data"], "tensor keys are dtype, shape, data")
    code = DTYPE_CODES[value["dtype"]]
    return Tensor(code, value["shape"], [json_element(code, e) for e in value["data"]])


def json_markers(v):
    if isinstance(v, list):
        return [json_markers(e) for e in v]
    if not isinstance(v, dict):
        return v
    keys = list(v)
    if keys and keys[0].startswith("$") and not keys[0].startswith("$$"):
        require(len(keys) == 1, "a marker object has exactly one key")
        return json_marker(keys[0], v[keys[0]])
    return {(k[1:] if k.startswith("$$") else k): json_markers(e) for k, e in v.items()}


def parse_json(text):
    def refuse(constant):  # NaN and Infinity are not JSON
        raise FormatError(f"{constant} in JSON")

    return json.loads(text, object_pairs_hook=unique_map, parse_constant=refuse)


def read_json(payload):
    return json_markers(parse_json(payload.decode("utf-8")))


BACKENDS = {"binary": read_binary, "msgpack": read_msgpack, "json": read_json}


# --- container ----------------------------------------------------------------------------

def check_trailer(data, version, payload_end, payload):
    trailer = data[payload_end:]
    if version < 2:
        require(len(trailer) == 8, "container 1 trailer is 8 bytes")
        require(struct.unpack("<Q", trailer)[0] == xxh3(payload), "payload checksum")
        return 1
    chunks = (len(payload) + CHUNK - 1) // CHUNK
    require(len(trailer) == 8 * (chunks + 1), "trailer size")
    table = trailer[:8 * chunks]
    require(struct.unpack("<Q", trailer[8 * chunks:])[0] == xxh3(table), "chunk table checksum")
    for i in range(chunks):
        expected = struct.unpack_from("<Q", table, 8 * i)[0]
        require(expected == xxh3(payload[i * CHUNK:(i + 1) * CHUNK], i), f"chunk {i} checksum")
    return chunks


def read_artifact(data):
    """(prelude fields, header, document, chunk count) of one artifact's bytes."""
    require(data[:8] == MAGIC, "magic")
    version, min_version, h = struct.unpack_from("<HHI", data, 8)
    p, n, header_checksum = struct.unpack_from("<QQQ", data, 16)
    require(min_version <= 2, "container too new")
    text = data[40:40 + h]
    require(xxh3(data[:32] + text) == header_checksum, "header checksum")
    header = parse_json(text.decode("utf-8"))
    require(p == (40 + h + 63) // 64 * 64, "payload offset")
    require(data[40 + h:p] == bytes(p - 40 - h), "header padding")
    payload = data[p:p + n]
    chunks = check_trailer(data, version, p + n, payload)
    document = BACKENDS[header["backend"]](payload)
    return (version, min_version, n), header, document, chunks


# --- signature ----------------------------------------------------------------------------

def shortest_double(d):
    """format.md's float text: %f or %e style, whichever is shorter, with the shortest
    round-trip digits (an integer's exact digits in %f style)."""
    sign, text = ("-", repr(-d)) if math.copysign(1, d) < 0 else ("", repr(d))
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0").rstrip("0")
    if not digits:
        return sign + "0.0"
    leading_zeros = len(whole + fraction) - len((whole + fraction).lstrip("0"))
    point = int(exponent or 0) + len(whole) - leading_zeros  # digits before the decimal point
    scientific = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    scientific += "e" + ("-" if point - 1 < 0 else "+") + f"{abs(point - 1):02d}"
    if point <= 0:
        fixed = "0." + "0" * -point + digits
    elif point >= len(digits):  # an integer: its exact digits, as printf("%.0f") prints them
        fixed = str(int(abs(d)))
    else:
        fixed = digits[:point] + "." + digits[point:]
    best = fixed if len(fixed) <= len(scientific) else scientific
    return sign + (best if "." in best or "e" in best else best + ".0")


def json_string(s):
    named = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append(named.get(ord(ch), f"\\u{ord(ch):04X}"))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def serialise(v):
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return shortest_double(v)
    if isinstance(v, str):
        return json_string(v)
    if isinstance(v, list):
        return "[" + ",".join(serialise(e) for e in v) + "]"
    return "{" + ",".join(json_string(k) + ":" + serialise(e) for k, e in v.items()) + "}"


def verify_signature(data):
    (version, min_version, n), header, _, _ = read_artifact(data)
    signature = header["metadata"].pop("signature")
    require(signature["scheme"] == "mlpersist-ed25519-v1", "signature scheme")
    keys = ["backend", "type", "schema_version", "framework_version", "types"]
    keys += ["min_reader_versions"] if header.get("min_reader_versions") else []
    signed = {k: header[k] for k in keys + ["metadata"]}
    signed["types"] = dict(sorted(signed["types"].items()))
    text = serialise(signed).encode("utf-8")
    p = struct.unpack_from("<Q", data, 16)[0]
    digest = ctypes.create_string_buffer(64)
    SODIUM.crypto_generichash(digest, ctypes.c_size_t(64), data[p:p + n], ctypes.c_ulonglong(n),
                              None, ctypes.c_size_t(0))
    message = b"mlpersist-ed25519-v1\0" + struct.pack("<HHQ", version, min_version, len(text))
    message += text + struct.pack("<Q", n) + digest.raw
    require(SODIUM.crypto_sign_verify_detached(
        bytes.fromhex(signature["value"]), message, ctypes.c_ulonglong(len(message)),
        bytes.fromhex(signature["public_key"])) == 0, "signature does not verify")


# --- the checks ---------------------------------------------------------------------------

def run(cli, *args):
    return subprocess.run([str(cli), *map(str, args)], check=True, capture_output=True,
                          text=True).stdout


def check_against_show(cli, path):
    _, header, document, chunks = read_artifact(path.read_bytes())
    shown = json_markers(parse_json(run(cli, "show", path, "--full")))
    require(document == shown, f"{path.name}: the document differs from `mlpersist show --full`")
    return header, document, chunks


def write_wide_csv(path):
    """20,000 rows of 8 features: a KNeighborsClassifier over it has a payload of 6 chunks."""
    rng = random.Random(17)
    rows = [",".join([f"f{i}" for i in range(8)] + ["target"])]
    rows += [",".join([f"{rng.random():.6f}" for _ in range(8)] + [str(rng.randrange(3))])
             for _ in range(20000)]
    path.write_text("\n".join(rows) + "\n")


def fresh_artifacts(cli, repo, work):
    iris, diabetes = repo / "tests/data/iris.csv", repo / "tests/data/diabetes.csv"
    fits = {"svc": ["svm.SVC", "--data", iris],
            "ridge": ["linear_model.Ridge", "--data", diabetes, "--cv", "3", "--meta", "k=v"],
            "pipeline": ["pipeline.Pipeline", "--step", "scaler=preprocessing.StandardScaler",
                         "--step", "svc=svm.SVC", "--data", iris],
            "forest": ["ensemble.RandomForestClassifier", "--param", "n_estimators=3",
                       "--param", "random_state=0", "--data", iris]}
    documents = {}
    for name, args in fits.items():
        for backend in BACKENDS:
            path = work / f"{name}.{backend}.mlp"
            run(cli, "fit", *args, "--format", backend, "-o", path)
            _, document, _ = check_against_show(cli, path)
            documents.setdefault(name, []).append(document)
    for name, docs in documents.items():
        require(all(d == docs[0] for d in docs), f"{name}: the backends decode differently")
    return len(documents) * len(BACKENDS)


def large_and_signed(cli, work):
    write_wide_csv(work / "wide.csv")
    run(cli, "keygen", "-o", work / "key")
    for backend in ("binary", "msgpack"):
        path = work / f"knn.{backend}.mlp"
        run(cli, "fit", "neighbors.KNeighborsClassifier", "--data", work / "wide.csv",
            "--format", backend, "-o", path)
        run(cli, "sign", path, "--key", work / "key.key")
        _, _, chunks = check_against_show(cli, path)
        require(chunks == 6, f"{path.name}: {chunks} chunks, expected 6")
        verify_signature(path.read_bytes())
    return 2


def fixtures(repo):
    count = 0
    for path in sorted((repo / "tests/fixtures").rglob("*")):
        if path.suffix in (".mlp", ".bin", ".msgpack", ".json") and path.name != "manifest.json":
            read_artifact(path.read_bytes())
            count += 1
    require(count > 0, "no fixtures found")
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", type=pathlib.Path, required=True)
    parser.add_argument("--repo", type=pathlib.Path, required=True)
    parser.add_argument("--work", type=pathlib.Path, required=True)
    a = parser.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    for stale in ("key.key", "key.pub"):  # keygen never overwrites a key file
        (a.work / stale).unlink(missing_ok=True)
    try:
        counts = (fresh_artifacts(a.cli, a.repo, a.work), large_and_signed(a.cli, a.work),
                  fixtures(a.repo))
    except FormatError as e:
        print(f"format_reader: {e}", file=sys.stderr)
        return 1
    print("read %d fresh artifacts, %d large signed ones and %d fixtures as format.md says"
          % counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
