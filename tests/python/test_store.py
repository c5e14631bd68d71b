"""The model store from Python (mlpersist.Store, and STORE#NAME@REF in load/inspect), against
SQLite and against a PostgreSQL 15 server started here as the C++ store tests start theirs:
initdb and pg_ctl in a temporary directory, as nobody when run as root, on a unix socket only."""

import os
import pathlib
import shutil
import subprocess
import tempfile

import numpy as np
import pytest

import mlpersist
from conftest import FIXTURES

PG_BIN = pathlib.Path("/usr/lib/postgresql/15/bin")


def _as_owner(program):
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    return (prefix if os.geteuid() == 0 else []) + [str(PG_BIN / program)]


@pytest.fixture(scope="module")
def pg_server():
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 is not installed (scripts/install-deps.sh installs it)")
    root = pathlib.Path(tempfile.mkdtemp(prefix="mlpersist-pypg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "nobody", "nogroup")
    root.chmod(0o711)
    data = str(root / "data")
    run = lambda *cmd: subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    done = run(*_as_owner("initdb"), "-D", data, "-U", "mlpersist", "--auth=trust", "-E", "UTF8")
    assert done.returncode == 0, done.stderr
    options = f"-k {root} -c listen_addresses='' -c fsync=off"
    done = run(*_as_owner("pg_ctl"), "-D", data, "-l", str(root / "log"), "-w", "-o", options,
               "start")
    assert done.returncode == 0, done.stderr
    created = []

    def new_database(name):
        run(str(PG_BIN / "createdb"), "-h", str(root), "-U", "mlpersist", name)
        created.append(name)
        return f"postgresql:///{name}?host={root}&user=mlpersist"

    yield new_database
    run(*_as_owner("pg_ctl"), "-D", data, "-m", "fast", "-w", "stop")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_uri(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'models.db'}"
    return request.getfixturevalue("pg_server")(f"py_{request.node.name.split('[')[0][5:40]}")


@pytest.fixture
def svc_file(iris, tmp_path):
    X, y = iris
    model = mlpersist.fit("svm.SVC", X, y.astype(float), C=2.0)
    path = tmp_path / "svc.mlp"
    model.save(path, metadata={"owner": "ml-team", "run": 7})
    return path, model


def test_push_pull_load_by_location(store_uri, svc_file, iris, tmp_path):
    path, model = svc_file
    store = mlpersist.Store(store_uri, cache_dir=tmp_path / "cache")
    assert store.push(path, "churn", aliases=["production"]) == 1
    assert store.push(path.read_bytes(), "churn") == 2
    store.pull("churn", "production", tmp_path / "back.mlp")
    assert (tmp_path / "back.mlp").read_bytes() == path.read_bytes()
    os.environ["MLPERSIST_CACHE_DIR"] = str(tmp_path / "cache")
    try:
        loaded = mlpersist.load(f"{store_uri}#churn@production")
        header = mlpersist.inspect(f"{store_uri}#churn@2")
    finally:
        del os.environ["MLPERSIST_CACHE_DIR"]
    X, _ = iris
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert header["type"] == "svm.SVC"
    assert header == mlpersist.inspect(path)  # payload checksum included, not 0
    assert store.uri == store_uri and store.cache_dir == tmp_path / "cache"


def test_models_versions_aliases_and_search(store_uri, svc_file, tmp_path):
    path, _ = svc_file
    store = mlpersist.open_store(store_uri, cache_dir=tmp_path / "cache")
    for _ in range(3):
        store.push(path, "churn")
    store.set_alias("churn", 2, "staging")
    store.set_alias("churn", 3, "staging")
    [model] = store.models()
    assert model == {"name": "churn", "versions": 3, "latest": 3, "aliases": {"staging": 3}}
    versions = store.versions("churn")
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["header"]["metadata"]["owner"] == "ml-team"
    history = store.alias_history("churn")
    assert [(h["version"], h["previous"]) for h in history] == [(2, None), (3, 2)]
    assert store.resolve("churn", "staging")["version"] == 3
    found = store.search({"type": "svm.SVC", "owner": "ml-team"})
    assert [v["version"] for v in found] == [1, 2, 3]
    assert store.search([("run", 7)]) == found
    assert store.search({"owner": "nobody"}) == []


def test_errors_are_store_errors_and_policy_applies(store_uri, svc_file, tmp_path):
    path, _ = svc_file
    store = mlpersist.Store(store_uri, cache_dir=tmp_path / "cache")
    store.push(path, "churn")
    with pytest.raises(mlpersist.StoreError) as missing:
        store.load("absent")
    assert missing.value.code == "NotFound"
    with pytest.raises(mlpersist.UsageError):
        store.push(path, "bad name; DROP TABLE models")
    with pytest.raises(mlpersist.FormatError):
        store.push(path.read_bytes()[:-1], "churn")
    with pytest.raises(mlpersist.SecurityError):
        store.load("churn", allowed_types=["linear_model.Ridge"])
    with pytest.raises(mlpersist.SecurityError):
        store.load("churn", trusted_keys=bytes(range(32)), require_signature=True)  # unsigned
    assert [v["version"] for v in store.versions("churn")] == [1]


def test_migrate_all_upgrades_old_versions_once(store_uri, tmp_path):
    old = FIXTURES / "schema-v1" / "svc_iris.binary.mlp"
    store = mlpersist.Store(store_uri, cache_dir=tmp_path / "cache")
    store.push(old, "svc")
    dry = store.migrate_all(dry_run=True)
    assert len(dry) == 1 and dry[0]["new_version"] == 0 and dry[0]["steps"]
    assert [v["version"] for v in store.versions("svc")] == [1]
    [done] = store.migrate_all()
    assert (done["name"], done["version"], done["new_version"], done["error"]) == ("svc", 1, 2, None)
    assert store.inspect("svc", "latest")["schema_version"] == 2
    assert store.migrate_all() == []
