"""Hostile input through every Python entry point (issue 13, point 6): each is refused with an
mlpersist.Error subclass, never a crash; and no code path of the package runs pickle, eval, exec
or an import of anything read from a file."""

import ast

import numpy as np
import pytest

import mlpersist
import mlpersist.sklearn as mls
from conftest import REPO

CORPUS = sorted(p for p in (REPO / "fuzz" / "corpus").rglob("*") if p.is_file())


def entries(source):
    """Every Python entry that reads an artifact, applied to `source`."""
    return [
        lambda: mlpersist.inspect(source),
        lambda: mlpersist.read_document(source),
        lambda: mlpersist.read_document(source, migrate=False),
        lambda: mlpersist.load(source),
        lambda: mlpersist.load(source, mmap=False),
        lambda: mls.load(source),
    ]


def refused_or_valid(source):
    for call in entries(source):
        try:
            call()
        except mlpersist.Error:
            pass


def test_the_fuzzing_corpus_is_refused_cleanly(tmp_path):
    assert len(CORPUS) > 20
    for path in CORPUS:
        refused_or_valid(path)
        refused_or_valid(path.read_bytes())


@pytest.fixture(scope="module")
def genuine(iris_module):
    X, y = iris_module
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier
    est = make_pipeline(StandardScaler(), DecisionTreeClassifier(max_depth=3, random_state=0))
    return {fmt: mls.dumps(est.fit(X, y), format=fmt) for fmt in ("binary", "msgpack", "json")}


@pytest.fixture(scope="module")
def iris_module():
    from conftest import read_csv
    X, y, _ = read_csv("iris.csv")
    return X, y.astype(np.int64)


@pytest.mark.parametrize("fmt", ["binary", "msgpack", "json"])
def test_truncated_and_altered_artifacts_are_refused(genuine, fmt):
    data = genuine[fmt]
    rng = np.random.default_rng(13)
    for cut in sorted(set(rng.integers(0, len(data), 40).tolist()) | {0, 8, 39, len(data) - 1}):
        for call in entries(data[:cut])[1:]:
            with pytest.raises(mlpersist.Error):
                call()
    for offset in rng.integers(0, len(data), 60).tolist():
        altered = bytearray(data)
        altered[offset] ^= 0x5A
        for call in entries(bytes(altered))[1:]:
            with pytest.raises(mlpersist.Error):
                call()


def hostile_documents(doc):
    """Well-formed, well-sealed artifacts whose documents break the estimators' invariants."""
    tree = doc["state"]["steps"][1]["estimator"]

    def edit(fn):
        import copy
        d = copy.deepcopy(doc)
        fn(d, d["state"]["steps"][1]["estimator"]["state"])
        return d

    yield edit(lambda d, s: s.update(children_left=np.full_like(s["children_left"], 0)))  # cycle
    yield edit(lambda d, s: s.update(feature=np.full_like(s["feature"], 10**9)))
    yield edit(lambda d, s: s.update(node_count=10**12))
    yield edit(lambda d, s: s.update(value=np.full_like(s["value"], np.nan)))
    yield edit(lambda d, s: s.update(classes_=np.array([2.0, 1.0, 0.0])))
    yield edit(lambda d, s: d["state"]["steps"][1]["estimator"].update(type="os.system"))
    yield edit(lambda d, s: d["state"]["steps"][1]["estimator"].update(schema_version=99))
    yield edit(lambda d, s: d["state"].update(steps=[]))
    yield edit(lambda d, s: d["state"]["steps"][0]["estimator"]["state"].update(
        scale_=np.zeros(4)))
    yield edit(lambda d, s: d.update(n_features_in_=-1))
    yield edit(lambda d, s: d["params"].update(steps=[["scale", "builtins.eval"]]))
    assert tree


def test_hostile_documents_are_refused_by_every_entry(genuine, tmp_path):
    doc = mlpersist.read_document(genuine["binary"])
    for i, hostile in enumerate(hostile_documents(doc)):
        for fmt in ("binary", "msgpack", "json"):
            path = tmp_path / f"hostile{i}.{fmt}.mlp"
            mlpersist.write_document(hostile, path, format=fmt)
            for call in entries(path)[3:]:
                with pytest.raises(mlpersist.Error):
                    call()
            with pytest.raises(mlpersist.Error):
                mlpersist.load(path.read_bytes())


def test_types_outside_the_table_are_refused_before_decoding(iris_module, tmp_path):
    X, y = iris_module
    data = mlpersist.fit("svm.SVC", X, y.astype(float)).dumps()
    with pytest.raises(mlpersist.SecurityError, match="svm.SVC"):
        mls.load(data, allowed_types=["naive_bayes.GaussianNB"])


def test_the_package_never_unpickles_evaluates_or_imports_file_content():
    forbidden = {"pickle", "cPickle", "marshal", "shelve", "dill", "joblib", "eval", "exec",
                 "compile", "__import__", "__reduce__", "__reduce_ex__", "__dict__", "loads"}
    sources = list((REPO / "python" / "mlpersist").glob("*.py"))
    assert len(sources) >= 3
    for path in sources:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Name):
                names = [node.id]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]] + [a.name for a in node.names]
            bad = forbidden.intersection(names)
            assert not bad, f"{path.name}:{node.lineno}: {sorted(bad)}"
            # Modules are imported by the table's literal names only.
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
                assert ast.unparse(node.args[0]) == "self.module", f"{path.name}:{node.lineno}"


def test_hostile_bridge_hints_in_the_header_are_harmless(iris_module, tmp_path):
    """The header's `sklearn` entry is not validated by C++: hostile hints there must still end
    in a correct estimator or an mlpersist.Error."""
    X, y = iris_module
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC
    hints = [
        {"classes_dtype": "|i1", "leaf_size": -5, "_fit_method": "kd_tree", "shape_fit_": ["x", 1]},
        {"classes_dtype": "<U5", "leaf_size": 10**12, "_fit_method": "ball_tree", "algorithm": 7},
        {"classes_dtype": 3, "shape_fit_": [2**62, "y"], "tree_random_states": "z"},
        {"classes_dtype": "|b1"},
    ]
    for est in (SVC().fit(X, y), KNeighborsClassifier().fit(X, y)):
        doc = mls.to_document(est)
        for i, extra in enumerate(hints):
            path = tmp_path / f"hints{i}.mlp"
            mlpersist.write_document(doc, path, metadata={"sklearn": {"extras": {"": extra}}})
            try:
                back = mls.load(path)
            except mlpersist.Error:
                continue
            assert np.array_equal(back.predict(X), est.predict(X))
    mlpersist.write_document(doc, path, metadata={"sklearn": {"extras": [1, 2]}})
    assert np.array_equal(mls.load(path).predict(X), est.predict(X))
