"""The core bindings: mlpersist.inspect/read_document/load/fit/write_document and Model."""

import gc
import threading

import numpy as np
import pytest

import mlpersist
from conftest import FIXTURES, run_cli


def test_every_plugin_type_is_available():
    tags = {t["type_tag"] for t in mlpersist.types()}
    assert {"svm.SVC", "linear_model.Ridge", "pipeline.Pipeline", "cluster.KMeans"} <= tags


def test_error_hierarchy_mirrors_the_cpp_one():
    for name in ("FormatError", "CompatibilityError", "SchemaError", "PluginError", "UsageError",
                 "IoError", "SecurityError"):
        assert issubclass(getattr(mlpersist, name), mlpersist.Error)
    assert issubclass(mlpersist.Error, Exception)


def test_fit_predict_save_load(iris, tmp_path):
    X, y = iris
    model = mlpersist.fit("svm.SVC", X, y.astype(float), C=2.0)
    assert model.type_tag == "svm.SVC" and model.schema_version == 2
    assert model.n_features_in_ == 4 and model.feature_names_in_ is None
    assert model.get_params()["C"] == 2.0
    path = tmp_path / "svc.mlp"
    model.save(path, metadata={"owner": "tests"})
    loaded = mlpersist.load(path)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert np.array_equal(loaded.decision_function(X), model.decision_function(X))
    assert loaded.score(X, y.astype(float)) == model.score(X, y.astype(float))
    header = mlpersist.inspect(path)
    assert header["type"] == "svm.SVC" and header["metadata"]["owner"] == "tests"
    again = mlpersist.load(model.dumps(format="json"))
    assert np.array_equal(again.predict(X), model.predict(X))


def test_errors_carry_message_and_code(iris):
    X, y = iris
    with pytest.raises(mlpersist.UsageError, match="unknown|C") as info:
        mlpersist.fit("svm.SVC", X, y.astype(float), not_a_parameter=1)
    assert info.value.code == "InvalidParameter"
    with pytest.raises(mlpersist.CompatibilityError) as info:
        mlpersist.fit("no.SuchType", X, y)
    assert info.value.code == "UnknownTypeTag" and "no.SuchType" in str(info.value)
    with pytest.raises(mlpersist.UsageError, match="2-D"):
        mlpersist.fit("svm.SVC", X, y.astype(float)).predict(X[0])
    with pytest.raises(mlpersist.IoError):
        mlpersist.load("/nonexistent/model.mlp")


def test_read_document_tensors_are_read_only_views_that_keep_the_file_alive(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20000, 8))  # over 64 KiB: the file is mapped
    model = mlpersist.fit("neighbors.KNeighborsClassifier", X, (X[:, 0] > 0).astype(float))
    path = tmp_path / "knn.mlp"
    model.save(path)
    fit_X = mlpersist.read_document(path)["state"]["_fit_X"]
    assert fit_X.dtype == np.float64 and fit_X.shape == X.shape
    assert not fit_X.flags.writeable and not fit_X.flags.owndata
    with pytest.raises(ValueError):
        fit_X[0, 0] = 1.0
    path.unlink()  # the mapping lives on in the array
    del model
    gc.collect()
    assert np.array_equal(fit_X, X)


def test_read_document_of_bytes_and_unmigrated():
    doc = mlpersist.read_document((FIXTURES / "schema-v1" / "svc_iris.binary.mlp").read_bytes())
    assert doc["type"] == "svm.SVC" and doc["schema_version"] == 2
    old = mlpersist.read_document(FIXTURES / "schema-v1" / "svc_iris.binary.mlp", migrate=False)
    assert old["schema_version"] == 1


def test_allowed_types_refuse_before_decoding(iris):
    X, y = iris
    data = mlpersist.fit("naive_bayes.GaussianNB", X, y.astype(float)).dumps()
    with pytest.raises(mlpersist.SecurityError, match="naive_bayes.GaussianNB"):
        mlpersist.load(data, allowed_types=["svm.SVC"])
    assert mlpersist.load(data, allowed_types={"naive_bayes.GaussianNB"}).type_tag


def test_signature_policy(iris, tmp_path, cli):
    X, y = iris
    path = tmp_path / "nb.mlp"
    mlpersist.fit("naive_bayes.GaussianNB", X, y.astype(float)).save(path)
    run_cli(cli, "keygen", "-o", tmp_path / "key")
    public = tmp_path / "key.pub"
    with pytest.raises(mlpersist.UsageError):
        mlpersist.load(path, require_signature=True)  # no key to trust
    with pytest.raises(mlpersist.SecurityError) as info:
        mlpersist.load(path, trusted_keys=[str(public)], require_signature=True)
    assert info.value.code == "SignatureRequired"
    run_cli(cli, "sign", path, "--key", tmp_path / "key.key")
    assert mlpersist.load(path, trusted_keys=[str(public)], require_signature=True).is_fitted
    hex_key = public.read_text().split()[1]
    assert mlpersist.load(path, trusted_keys=hex_key, require_signature=True).is_fitted
    with pytest.raises(mlpersist.SecurityError):
        mlpersist.load(path, trusted_keys=["00" * 32], require_signature=True)


def test_write_document_round_trips_and_loaders_validate(tmp_path, iris):
    X, y = iris
    model = mlpersist.fit("linear_model.Ridge", X, y.astype(float))
    doc = model.document()
    path = tmp_path / "ridge.json.mlp"
    mlpersist.write_document(doc, path, format="json")
    assert np.array_equal(mlpersist.load(path).predict(X), model.predict(X))
    doc["state"]["coef_"] = np.zeros(3)
    mlpersist.write_document(doc, path)
    with pytest.raises(mlpersist.SchemaError, match="coef_"):
        mlpersist.load(path)


def test_predictions_run_in_parallel_threads(iris):
    X, y = iris
    model = mlpersist.fit("svm.SVC", X, y.astype(float))
    expected = model.predict(X)
    results = []
    threads = [threading.Thread(target=lambda: results.append(model.predict(X))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(np.array_equal(r, expected) for r in results)
